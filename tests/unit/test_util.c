/* deps: util log */
/*
 * test_util.c — durations, checked numbers, the growable buffer and the
 * UTF-8 validator, JSON text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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
	/* "a€b": a cut inside the euro sign backs off to before it. */
	assert_int_equal(util_utf8_cut("a\xe2\x82\xac" "b", 1), 1);
	assert_int_equal(util_utf8_cut("a\xe2\x82\xac" "b", 2), 1);
	assert_int_equal(util_utf8_cut("a\xe2\x82\xac" "b", 3), 1);
	assert_int_equal(util_utf8_cut("a\xe2\x82\xac" "b", 4), 4);
	assert_int_equal(util_utf8_seq("\xe2\x82\xac", 3), 3);
	assert_int_equal(util_utf8_seq("\xe2\x82\xac", 2), 0);
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

/* Floor division rounds towards minus infinity. */
static void
test_floordiv(void **state)
{
	assert_int_equal(util_floordiv(7, 2), 3);
	assert_int_equal(util_floordiv(-7, 2), -4);
	assert_int_equal(util_floordiv(-8, 2), -4);
	assert_int_equal(util_floordiv(0, 5), 0);
	assert_int_equal(util_floordiv(-1, 86400), -1);
}

/* Comma lists: items, empty items, the end. */
static void
test_list_next(void **state)
{
	const char	*p = "eta=,,all", *item;
	size_t		 len;

	assert_int_equal(util_list_next(&p, &item, &len), 1);
	assert_int_equal(len, 4);
	assert_memory_equal(item, "eta=", 4);
	assert_int_equal(util_list_next(&p, &item, &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(util_list_next(&p, &item, &len), 1);
	assert_int_equal(len, 3);
	assert_memory_equal(item, "all", 3);
	assert_int_equal(util_list_next(&p, &item, &len), 0);
	p = NULL;
	assert_int_equal(util_list_next(&p, &item, &len), 0);
}

/* Edit distances, with and without neighbour swaps. */
static void
test_edits(void **state)
{
	assert_int_equal(util_edits("kitten", "sitting", 0), 3);
	assert_int_equal(util_edits("hlep", "help", 0), 2);
	assert_int_equal(util_edits("hlep", "help", 1), 1);
	assert_int_equal(util_edits("", "", 1), 0);
}

/* Burst, then one per interval; one notice per interval, then silence. */
static void
test_rate(void **state)
{
	struct util_rate	 r;
	uint64_t		 t = 1000000;
	int			 i;

	util_rate_init(&r, 5, 10000);
	for (i = 0; i < 5; i++)
		assert_int_equal(util_rate_check(&r, "eve", t), UTIL_RATE_OK);
	assert_int_equal(util_rate_check(&r, "eve", t), UTIL_RATE_NOTICE);
	assert_int_equal(util_rate_check(&r, "eve", t + 1), UTIL_RATE_SILENT);
	assert_int_equal(util_rate_check(&r, "eve", t + 9999),
	    UTIL_RATE_SILENT);
	/* Others are not held up by eve. */
	assert_int_equal(util_rate_check(&r, "bob", t + 1), UTIL_RATE_OK);
	/* One interval later: one more command, then refused again. */
	assert_int_equal(util_rate_check(&r, "eve", t + 10000), UTIL_RATE_OK);
	assert_int_equal(util_rate_check(&r, "eve", t + 10001),
	    UTIL_RATE_NOTICE);
	assert_int_equal(util_rate_check(&r, "eve", t + 10002),
	    UTIL_RATE_SILENT);
	/* After a long pause the whole burst is back. */
	t += 100000;
	for (i = 0; i < 5; i++)
		assert_int_equal(util_rate_check(&r, "eve", t), UTIL_RATE_OK);
	assert_int_equal(util_rate_check(&r, "eve", t), UTIL_RATE_NOTICE);
	/* Idle keys are forgotten when a new key comes. */
	assert_int_equal(util_rate_check(&r, "carol", t + 1000000),
	    UTIL_RATE_OK);
	assert_int_equal(r.nkeys, 1);
	util_rate_free(&r);
	util_rate_free(&r);
	util_rate_free(NULL);
}

/* A value becomes compact text and its reference is taken. */
static void
test_json_take(void **state)
{
	json_t	*v = json_pack("{s:i, s:[s]}", "a", 1, "b", "x");
	char	*s;

	json_incref(v);
	s = util_json_take(v);
	assert_string_equal(s, "{\"a\":1,\"b\":[\"x\"]}");
	assert_int_equal(v->refcount, 1);
	free(s);
	json_decref(v);
	assert_null(util_json_take(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floordiv),
		cmocka_unit_test(test_list_next),
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_strtonum),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_json_take),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
