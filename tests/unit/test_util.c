/* deps: util log */
/*
 * test_util.c — durations, checked numbers, the growable buffer and the
 * UTF-8 validator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
test_duration_parse(void **state)
{
	long long	ms;

	assert_int_equal(util_parse_duration("90m", &ms), 0);
	assert_int_equal(ms, 90LL * 60000);
	assert_int_equal(util_parse_duration("1h30m", &ms), 0);
	assert_int_equal(ms, 90LL * 60000);
	assert_int_equal(util_parse_duration("2w", &ms), 0);
	assert_int_equal(ms, 14LL * 86400000);
	assert_int_equal(util_parse_duration("30s", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(util_parse_duration("1d", &ms), 0);
	assert_int_equal(ms, 86400000);
	assert_int_equal(util_parse_duration("0s", &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(util_parse_duration("", &ms), -1);
	assert_int_equal(util_parse_duration("1 week", &ms), -1);
	assert_int_equal(util_parse_duration("15", &ms), -1);
	assert_int_equal(util_parse_duration("m", &ms), -1);
	assert_int_equal(util_parse_duration("-5m", &ms), -1);
	assert_int_equal(util_parse_duration("5x", &ms), -1);
	assert_int_equal(util_parse_duration("500ms", &ms), -1);
	assert_int_equal(util_parse_duration("5200w", &ms), 0);
	assert_int_equal(util_parse_duration("5300w", &ms), -1);  /* > 100y */
	assert_int_equal(util_parse_duration("99999999999999999999s", &ms),
	    -1);
}

static void
test_duration_format(void **state)
{
	char	b[32];

	util_fmt_duration(90LL * 60000, b, sizeof b);
	assert_string_equal(b, "1h30m");
	util_fmt_duration(45000, b, sizeof b);
	assert_string_equal(b, "45s");
	util_fmt_duration(2LL * 86400000 + 3600000 + 59000, b, sizeof b);
	assert_string_equal(b, "2d1h");
	util_fmt_duration(86400000LL + 60000, b, sizeof b);
	assert_string_equal(b, "1d");	/* the two largest adjacent units */
	util_fmt_duration(999, b, sizeof b);
	assert_string_equal(b, "0s");
	util_fmt_duration(14LL * 86400000, b, sizeof b);
	assert_string_equal(b, "2w");
	util_fmt_duration(90LL * 60000, b, 3);
	assert_true(strlen(b) <= 2);
}

static void
test_strtonum(void **state)
{
	long long	v;

	assert_int_equal(util_strtonum("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(util_strtonum("-3", -5, 5, &v), 0);
	assert_int_equal(v, -3);
	assert_int_equal(util_strtonum("101", 0, 100, &v), -1);
	assert_int_equal(util_strtonum("4x", 0, 100, &v), -1);
	assert_int_equal(util_strtonum("", 0, 100, &v), -1);
	assert_int_equal(util_strtonum(" 4", 0, 100, &v), -1);
	assert_int_equal(util_strtonum("99999999999999999999", 0,
	    100, &v), -1);
}

static void
test_buf(void **state)
{
	struct buf	b;
	char		*s;
	int		 i;

	buf_init(&b);
	buf_addstr(&b, "hello");
	buf_addc(&b, ' ');
	buf_printf(&b, "%d-%s", 7, "x");
	assert_string_equal(b.data, "hello 7-x");
	buf_consume(&b, 6);
	assert_string_equal(b.data, "7-x");
	assert_int_equal(b.len, 3);
	for (i = 0; i < 1000; i++)
		buf_add(&b, "abcdefgh", 8);
	assert_int_equal(b.len, 8003);
	assert_int_equal(b.data[b.len], '\0');
	buf_consume(&b, 100000);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_addstr(&b, "kept");
	s = buf_steal(&b);
	assert_string_equal(s, "kept");
	assert_null(b.data);
	free(s);
	s = buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
	buf_free(&b);
}

static void
test_utf8(void **state)
{
	assert_true(util_utf8_valid("plain", 5));
	assert_true(util_utf8_valid("\xc5\xbelu\xc5\xa5ou\xc4\x8dk\xc3\xbd",
	    14));
	assert_true(util_utf8_valid("\xf0\x9f\x94\xa5", 4));
	assert_false(util_utf8_valid("\xc0\xaf", 2));		/* overlong */
	assert_false(util_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(util_utf8_valid("\xe2\x82", 2));		/* truncated */
	assert_false(util_utf8_valid("\xff", 1));
	assert_false(util_utf8_valid("\xf4\x90\x80\x80", 4));	/* > 10FFFF */
	assert_false(util_utf8_valid("a\x80", 2));
}

static void
test_strlcpy(void **state)
{
	char	b[4];

	assert_int_equal(strlcpy_ob(b, "abcdef", sizeof b), 6);
	assert_string_equal(b, "abc");
	assert_int_equal(strlcpy_ob(b, "ab", sizeof b), 2);
	assert_string_equal(b, "ab");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_strtonum),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_strlcpy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
