/* deps: when tz util log */
/*
 * test_when.c — times as people type them: clock times (next
 * occurrence), dates, date and time in one or two forms, offsets,
 * durations, DST gaps; the formats written back; refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"
#include "util.h"
#include "when.h"

/* 2026-11-25T09:46:40Z, a Wednesday (10:46:40 CET). */
#define NOW	((time_t)1795600000)

static struct tz *prague;

static int
setup(void **state)
{
	char	*cause = NULL;

	prague = tz_load("Europe/Prague", &cause);
	return prague == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	tz_free(prague);
	return 0;
}

/* Parse text in Prague at NOW; return the instant as RFC 3339. */
static const char *
at(const char *text)
{
	static char	 buf[256];
	char		*cause = NULL;
	time_t		 t;

	if (when_parse(text, prague, NOW, &t, &cause) != 0) {
		snprintf(buf, sizeof buf, "error: %s", cause);
		free(cause);
		return buf;
	}
	return when_rfc3339(t, buf, sizeof buf);
}

static void
test_forms(void **state)
{
	assert_string_equal(when_rfc3339(NOW, (char[64]){0}, 64),
	    "2026-11-25T09:46:40Z");
	assert_string_equal(at("now"), "2026-11-25T09:46:40Z");
	/* A bare date is midnight local, never some other hour. */
	assert_string_equal(at("2026-12-01"), "2026-11-30T23:00:00Z");
	assert_string_equal(at("2026-12-01 09:00"), "2026-12-01T08:00:00Z");
	assert_string_equal(at("2026-12-01T09:00:30"), "2026-12-01T08:00:30Z");
	assert_string_equal(at("2026-12-01T09:00Z"), "2026-12-01T09:00:00Z");
	assert_string_equal(at("2026-12-01T09:00+01:00"),
	    "2026-12-01T08:00:00Z");
	assert_string_equal(at("2026-12-01T09:00-0500"),
	    "2026-12-01T14:00:00Z");
	assert_string_equal(at("2h"), "2026-11-25T11:46:40Z");
	assert_string_equal(at("+90m"), "2026-11-25T11:16:40Z");
}

static void
test_clock_next_occurrence(void **state)
{
	/* 16:00 is later today; 09:00 has passed: tomorrow. */
	assert_string_equal(at("16:00"), "2026-11-25T15:00:00Z");
	assert_string_equal(at("09:00"), "2026-11-26T08:00:00Z");
	assert_string_equal(at("9:30"), "2026-11-26T08:30:00Z");
	assert_true(when_is_clock("16:00"));
	assert_false(when_is_clock("2026-12-01"));
	assert_true(when_is_date("2026-12-01"));
	assert_false(when_is_date("16:00"));
}

static void
test_dst(void **state)
{
	/* In summer the offset is +02:00; the gap hour moves forward. */
	assert_string_equal(at("2027-07-01 09:00"), "2027-07-01T07:00:00Z");
	assert_string_equal(at("2027-03-28 02:30"), "2027-03-28T01:30:00Z");
}

static void
test_refusals(void **state)
{
	static const char *const bad[] = {
		"31:00", "2026-02-30", "2026-13-01", "0026-12-01",
		"23.11.2026", "tomorrow", "", "2026-12-01 25:00",
		"2026-12-01T09:00+15:00", "12:60", "2026-12-01x"
	};
	size_t	i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *r = at(bad[i]);

		assert_true(strncmp(r, "error: \"", 8) == 0);
		assert_non_null(strstr(r, "is not a time (use 16:00, "
		    "2026-11-30 09:00, 2h, ...)"));
	}
}

static void
test_format(void **state)
{
	char	b[64];

	assert_string_equal(when_format(prague, NOW, NOW, b, sizeof b),
	    "Wed 25 Nov 10:46 CET");
	assert_string_equal(when_format(prague, NOW + 200 * 86400, NOW, b,
	    sizeof b), "Sun 13 Jun 2027 11:46 CEST");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_clock_next_occurrence),
		cmocka_unit_test(test_dst),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
