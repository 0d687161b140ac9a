/*
 * test_irc_sasl.c — unit tests for bot/irc_sasl.c: the PLAIN and
 * EXTERNAL mechanisms through the one step interface of irc_sasl.h,
 * PLAIN's credentials through SASLprep.
 */
/* deps: irc_sasl sasl util log */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "irc_sasl.h"

/* PLAIN answers the empty challenge once with account, account, password. */
static void
test_plain(void **state)
{
	struct cfg_sasl	 s = { .mech = CFG_SASL_PLAIN, .account = "bob",
			    .password = "pw" };
	void		*st = NULL;
	unsigned char	*out = NULL;
	size_t		 outlen = 0;

	assert_int_equal(irc_sasl_plain.mech, CFG_SASL_PLAIN);
	assert_string_equal(irc_sasl_plain.name, "PLAIN");
	assert_int_equal(irc_sasl_plain.start(&s, &st), 0);
	assert_int_equal(irc_sasl_plain.step(st, NULL, 0, &out, &outlen), 0);
	assert_int_equal(outlen, 10);
	assert_memory_equal(out, "bob\0bob\0pw", 10);
	free(out);
	/* A second challenge is not PLAIN: abandon. */
	assert_int_equal(irc_sasl_plain.step(st, NULL, 0, &out, &outlen), -1);
	irc_sasl_plain.free(st);
	irc_sasl_plain.free(NULL);
}

/* PLAIN cannot start without a password; a non-empty challenge fails. */
static void
test_plain_refuses(void **state)
{
	struct cfg_sasl	 s = { .mech = CFG_SASL_PLAIN, .account = "bob" };
	void		*st = NULL;
	unsigned char	*out = NULL;
	size_t		 outlen = 0;

	assert_int_equal(irc_sasl_plain.start(&s, &st), -1);
	s.password = "pw";
	assert_int_equal(irc_sasl_plain.start(&s, &st), 0);
	assert_int_equal(irc_sasl_plain.step(st, (const unsigned char *)"x",
	    1, &out, &outlen), -1);
	irc_sasl_plain.free(st);
}

/*
 * PLAIN sends the credentials through SASLprep (RFC 4616): a soft hyphen
 * is removed and a non-ASCII space becomes " "; a prohibited character
 * stops it before anything is sent.
 */
static void
test_plain_saslprep(void **state)
{
	struct cfg_sasl	 s = { .mech = CFG_SASL_PLAIN,
			    .account = "b\xc2\xadob",
			    .password = "p\xc2\xa0w" };
	void		*st = NULL;
	unsigned char	*out = NULL;
	size_t		 outlen = 0;

	assert_int_equal(irc_sasl_plain.start(&s, &st), 0);
	assert_int_equal(irc_sasl_plain.step(st, NULL, 0, &out, &outlen), 0);
	assert_int_equal(outlen, 11);
	assert_memory_equal(out, "bob\0bob\0p w", 11);
	free(out);
	irc_sasl_plain.free(st);
	s.password = "p\x07w";
	st = NULL;
	assert_int_equal(irc_sasl_plain.start(&s, &st), -1);
	assert_null(st);
	s.password = "pw";
	s.account = "bo\xc3";
	assert_int_equal(irc_sasl_plain.start(&s, &st), -1);
	assert_null(st);
}

/* EXTERNAL answers with an empty response. */
static void
test_external(void **state)
{
	struct cfg_sasl	 s = { .mech = CFG_SASL_EXTERNAL };
	void		*st = (void *)1;
	unsigned char	*out = (unsigned char *)"x";
	size_t		 outlen = 5;

	assert_string_equal(irc_sasl_external.name, "EXTERNAL");
	assert_int_equal(irc_sasl_external.start(&s, &st), 0);
	assert_int_equal(irc_sasl_external.step(st, NULL, 0, &out, &outlen),
	    0);
	assert_null(out);
	assert_int_equal(outlen, 0);
	irc_sasl_external.free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_plain_refuses),
		cmocka_unit_test(test_plain_saslprep),
		cmocka_unit_test(test_external),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
