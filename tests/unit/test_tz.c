/* deps: tz util log */
/*
 * test_tz.c — the TZif reader, the POSIX footer rules and the day
 * arithmetic, checked against glibc as the oracle: only this test sets
 * TZ (setenv + tzset) so that localtime_r, mktime and gmtime_r say what
 * the answer should be. Also: gap and overlap rules of tz_from_local,
 * refused names, and corrupt files that must fail cleanly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "tz.h"
#include "util.h"

static const char *zones[] = {
	"UTC", "Europe/Prague", "America/New_York", "Asia/Kolkata",
	"Asia/Kathmandu", "Australia/Lord_Howe", "America/Sao_Paulo",
	"Pacific/Apia", "Asia/Tokyo"
};

/* Make glibc's local time the zone (a name, or a POSIX rule string). */
static void
oracle_zone(const char *tzval)
{
	unsetenv("TZDIR");
	setenv("TZ", tzval, 1);
	tzset();
}

/* An instant from a UTC civil time, through glibc. */
static time_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm);
}

/* Load a zone that must exist. */
static struct tz *
must_load(const char *name)
{
	struct tz	*tz;
	char		*cause = NULL;

	tz = tz_load(name, &cause);
	if (tz == NULL)
		fail_msg("tz_load(%s): %s", name, cause);
	assert_null(cause);
	assert_string_equal(tz_name(tz), name);
	return tz;
}

/* 0 if tz_to_local agrees with localtime_r at t; prints the difference. */
static int
same_as_glibc(const char *what, const struct tz *tz, time_t t)
{
	struct tz_local	lt;
	struct tm	tm;

	tz_to_local(tz, t, &lt);
	if (localtime_r(&t, &tm) == NULL)
		return -1;
	if (lt.year == tm.tm_year + 1900 && lt.mon == tm.tm_mon + 1 &&
	    lt.mday == tm.tm_mday && lt.hour == tm.tm_hour &&
	    lt.min == tm.tm_min && lt.sec == tm.tm_sec &&
	    lt.wday == tm.tm_wday && lt.gmtoff == tm.tm_gmtoff &&
	    strcmp(lt.abbr, tm.tm_zone) == 0)
		return 0;
	print_error("%s at %lld: ours %04d-%02d-%02d %02d:%02d:%02d w%d "
	    "%+ld %s, glibc %04d-%02d-%02d %02d:%02d:%02d w%d %+ld %s\n",
	    what, (long long)t, lt.year, lt.mon, lt.mday, lt.hour, lt.min,
	    lt.sec, lt.wday, lt.gmtoff, lt.abbr, tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    tm.tm_wday, tm.tm_gmtoff, tm.tm_zone);
	return -1;
}

/* glibc's offset at t, in the zone oracle_zone set. */
static long
glibc_off(time_t t)
{
	struct tm	tm;

	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

/* 1 if glibc's type (offset, abbreviation) differs between a and b. */
static int
glibc_changes(time_t a, time_t b)
{
	struct tm	ta, tb;

	localtime_r(&a, &ta);
	localtime_r(&b, &tb);
	return ta.tm_gmtoff != tb.tm_gmtoff || ta.tm_isdst != tb.tm_isdst ||
	    strcmp(ta.tm_zone, tb.tm_zone) != 0;
}

/*
 * Check one transition T (the first second of the new type) found by
 * glibc: both sides to the second, and tz_from_local in the gap or the
 * overlap it makes and well away from it.
 */
static int
check_transition(const char *what, const struct tz *tz, time_t T)
{
	struct tm	tm;
	long		o1, o2;
	long long	wall;
	int		bad = 0, y, mo, d, i;
	time_t		t, want, got;

	for (t = T - 2; t <= T + 2; t++)
		bad |= same_as_glibc(what, tz, t);
	o1 = glibc_off(T - 1);
	o2 = glibc_off(T);
	if (o1 == o2)
		return bad;

	/* The middle of the gap or of the overlap, as a wall time. */
	wall = (long long)T + (o1 < o2 ? o1 : o2) + labs(o2 - o1) / 2;
	/* Gap: read with the old offset. Overlap: the earlier instant. */
	want = (time_t)(wall - o1);
	tz_civil_from_days(wall / 86400, &y, &mo, &d);
	got = tz_from_local(tz, y, mo, d, (int)(wall % 86400 / 3600),
	    (int)(wall % 3600 / 60), (int)(wall % 60));
	if (got != want) {
		print_error("%s: from_local at transition %lld (%+ld -> %+ld):"
		    " got %lld, want %lld\n", what, (long long)T, o1, o2,
		    (long long)got, (long long)want);
		bad = -1;
	}

	/* Three hours either side the wall time is unambiguous. */
	for (i = -1; i <= 1; i += 2) {
		t = T + i * 3 * 3600;
		localtime_r(&t, &tm);
		got = tz_from_local(tz, tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (got != t) {
			print_error("%s: from_local near %lld: got %lld, want "
			    "%lld\n", what, (long long)T, (long long)got,
			    (long long)t);
			bad = -1;
		}
	}
	return bad;
}

/*
 * Compare a zone with glibc: every 7h13m from 1970 to 2100, and each
 * transition glibc shows between from and to, found by a 6-hour scan
 * and bisection. Returns the number of transitions found.
 */
static int
compare_zone(const char *what, const struct tz *tz, time_t from, time_t to)
{
	time_t	t, lo, hi, mid;
	int	bad = 0, ntrans = 0;

	for (t = utc(1970, 1, 1, 0, 0, 0); t < utc(2101, 1, 1, 0, 0, 0);
	    t += 7 * 3600 + 13 * 60) {
		if (same_as_glibc(what, tz, t) != 0 && ++bad > 5)
			break;
	}
	for (t = from; t < to && bad <= 5; t += 6 * 3600) {
		if (!glibc_changes(t, t + 6 * 3600))
			continue;
		lo = t;
		hi = t + 6 * 3600;
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (glibc_changes(lo, mid))
				hi = mid;
			else
				lo = mid;
		}
		if (check_transition(what, tz, hi) != 0)
			bad++;
		ntrans++;
	}
	assert_int_equal(bad, 0);
	return ntrans;
}

/* Every zone of the list against glibc, 1970-2100. */
static void
test_to_local_vs_glibc(void **state)
{
	struct tz	*tz;
	size_t		 i;
	int		 n;

	for (i = 0; i < nitems(zones); i++) {
		oracle_zone(zones[i]);
		tz = must_load(zones[i]);
		n = compare_zone(zones[i], tz, utc(1970, 1, 1, 0, 0, 0),
		    utc(2101, 1, 1, 0, 0, 0));
		/* The zones with DST now must show footer transitions. */
		if (strcmp(zones[i], "Europe/Prague") == 0 ||
		    strcmp(zones[i], "America/New_York") == 0 ||
		    strcmp(zones[i], "Australia/Lord_Howe") == 0)
			assert_true(n > 2 * (2100 - 2040));
		if (strcmp(zones[i], "UTC") == 0 ||
		    strcmp(zones[i], "Asia/Tokyo") == 0)
			assert_int_equal(n, 0);
		tz_free(tz);
	}
}

/* Before 1970 the table alone answers; compare sparsely from 1900. */
static void
test_to_local_old(void **state)
{
	struct tz	*tz;
	size_t		 i;
	time_t		 t;
	int		 bad;

	for (i = 0; i < nitems(zones); i++) {
		oracle_zone(zones[i]);
		tz = must_load(zones[i]);
		bad = 0;
		for (t = utc(1900, 1, 1, 0, 0, 0); t < 0 && bad <= 5;
		    t += 13 * 3600 + 7 * 60 + 11)
			if (same_as_glibc(zones[i], tz, t) != 0)
				bad++;
		assert_int_equal(bad, 0);
		tz_free(tz);
	}
}

/* tz_from_local against mktime where a wall time is unambiguous. */
static void
test_from_local_vs_mktime(void **state)
{
	struct tz	*tz;
	struct tm	 tm, tm2;
	size_t		 i;
	time_t		 t, got, want;
	int		 bad, n;

	for (i = 0; i < nitems(zones); i++) {
		oracle_zone(zones[i]);
		tz = must_load(zones[i]);
		bad = n = 0;
		for (t = utc(1970, 1, 5, 0, 0, 0);
		    t < utc(2100, 12, 1, 0, 0, 0) && bad <= 5;
		    t += 3 * 86400 + 5 * 3600 + 17 * 60 + 3) {
			/* Unambiguous: no change within two days. */
			if (glibc_off(t - 2 * 86400) != glibc_off(t) ||
			    glibc_off(t + 2 * 86400) != glibc_off(t))
				continue;
			localtime_r(&t, &tm);
			tm2 = tm;
			tm2.tm_isdst = -1;
			want = mktime(&tm2);
			got = tz_from_local(tz, tm.tm_year + 1900,
			    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			    tm.tm_sec);
			n++;
			if (got != t || want != t) {
				print_error("%s: %lld: ours %lld, mktime "
				    "%lld\n",
				    zones[i], (long long)t, (long long)got,
				    (long long)want);
				bad++;
			}
		}
		assert_int_equal(bad, 0);
		assert_true(n > 10000);
		tz_free(tz);
	}
}

/* Expect tz_from_local(zone, wall) == the UTC instant given. */
static void
expect_from(const char *zone, int y, int mo, int d, int h, int mi,
    time_t want)
{
	struct tz	*tz = must_load(zone);
	time_t		 got;

	got = tz_from_local(tz, y, mo, d, h, mi, 0);
	if (got != want)
		fail_msg("%s %04d-%02d-%02d %02d:%02d: got %lld, want %lld",
		    zone, y, mo, d, h, mi, (long long)got, (long long)want);
	tz_free(tz);
}

/* The gap and overlap rules, spelled out. */
static void
test_gap_overlap(void **state)
{
	struct tz	*tz;
	struct tz_local	 lt;

	/* Spring forward: moved on by the gap. */
	expect_from("Europe/Prague", 2026, 3, 29, 2, 30,
	    utc(2026, 3, 29, 1, 30, 0));
	expect_from("America/New_York", 2026, 3, 8, 2, 30,
	    utc(2026, 3, 8, 7, 30, 0));
	/* Fall back: the first occurrence, still in DST. */
	expect_from("Europe/Prague", 2026, 10, 25, 2, 30,
	    utc(2026, 10, 25, 0, 30, 0));
	expect_from("America/New_York", 2026, 11, 1, 1, 30,
	    utc(2026, 11, 1, 5, 30, 0));
	/* Just outside: unambiguous on both sides. */
	expect_from("Europe/Prague", 2026, 10, 25, 3, 0,
	    utc(2026, 10, 25, 2, 0, 0));
	expect_from("Europe/Prague", 2026, 10, 25, 1, 59,
	    utc(2026, 10, 24, 23, 59, 0));
	expect_from("Europe/Prague", 2026, 3, 29, 3, 0,
	    utc(2026, 3, 29, 1, 0, 0));
	expect_from("Europe/Prague", 2026, 3, 29, 1, 59,
	    utc(2026, 3, 29, 0, 59, 0));

	/* Lord Howe: a 30-minute DST; 02:00 -> 02:30 on 4 Oct 2026. */
	expect_from("Australia/Lord_Howe", 2026, 10, 4, 2, 15,
	    utc(2026, 10, 3, 15, 45, 0));
	tz = must_load("Australia/Lord_Howe");
	tz_to_local(tz, utc(2026, 10, 3, 15, 45, 0), &lt);
	assert_int_equal(lt.hour, 2);
	assert_int_equal(lt.min, 45);
	assert_int_equal(lt.gmtoff, 11 * 3600);
	assert_string_equal(lt.abbr, "+11");
	tz_to_local(tz, utc(2026, 10, 3, 15, 29, 59), &lt);
	assert_int_equal(lt.hour, 1);
	assert_int_equal(lt.min, 59);
	assert_int_equal(lt.gmtoff, 10 * 3600 + 1800);
	assert_string_equal(lt.abbr, "+1030");
	tz_free(tz);
	/* 5 Apr 2026 02:00 +11 -> 01:30 +1030: 01:45 happens twice. */
	expect_from("Australia/Lord_Howe", 2026, 4, 5, 1, 45,
	    utc(2026, 4, 4, 14, 45, 0));
	expect_from("Australia/Lord_Howe", 2026, 4, 5, 2, 0,
	    utc(2026, 4, 4, 15, 30, 0));

	/* Apia skipped 30 Dec 2011 entirely: a 24-hour gap. */
	expect_from("Pacific/Apia", 2011, 12, 30, 12, 0,
	    utc(2011, 12, 30, 22, 0, 0));

	/* Out-of-range fields are days arithmetic. */
	expect_from("Europe/Prague", 2026, 3, 32, 12, 0,
	    utc(2026, 4, 1, 10, 0, 0));
	expect_from("Europe/Prague", 2026, 13, 1, 0, 0,
	    utc(2026, 12, 31, 23, 0, 0));
	expect_from("Europe/Prague", 2026, 3, 0, 25, 0,
	    utc(2026, 3, 1, 0, 0, 0));
	expect_from("UTC", 2026, 1, 1, -1, 0, utc(2025, 12, 31, 23, 0, 0));
}

/* A v2 TZif file with one type, no transitions and a footer rule. */
static size_t
make_rule_file(unsigned char *buf, size_t size, long off, const char *rule)
{
	unsigned char	*p = buf;
	size_t		 rlen = strlen(rule);
	int		 pass, i;

	assert_true(size > 200 + rlen);
	for (pass = 0; pass < 2; pass++) {
		memcpy(p, "TZif2", 5);
		memset(p + 5, 0, 39);
		p[20 + 4 * 4 + 3] = 1;		/* typecnt */
		p[20 + 5 * 4 + 3] = 4;		/* charcnt */
		p += 44;
		for (i = 3; i >= 0; i--)
			*p++ = (unsigned char)((unsigned long)off >> (8 * i));
		*p++ = 0;
		*p++ = 0;
		memcpy(p, "XXX", 4);
		p += 4;
	}
	*p++ = '\n';
	memcpy(p, rule, rlen);
	p += rlen;
	*p++ = '\n';
	return (size_t)(p - buf);
}

/* Write len bytes to dir/name. */
static void
write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char	*path = xasprintf("%s/%s", dir, name);
	FILE	*f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(path);
}

/* Footer rules of every form, each compared with glibc reading the rule. */
static void
test_footer_rules(void **state)
{
	static const struct {
		const char	*rule;
		long		 off;
	} rules[] = {
		{ "CET-1CEST,M3.5.0,M10.5.0/3", 3600 },
		{ "EST5EDT,M3.2.0,M11.1.0", -5 * 3600 },
		{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37800 },
		{ "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", -7200 },
		{ "IST-1GMT0,M10.5.0,M3.5.0/1", 3600 },
		{ "AAA3BBB,J60/25,J300/1:30:15", -3 * 3600 },
		{ "CCC-2DDD,59/1:30,300", 7200 },
		{ "<-03>3<-02>,M3.2.0/-2:30,M11.1.0/26", -3 * 3600 },
		{ "NZST-12NZDT,M9.5.0,M4.1.0/3", 12 * 3600 },
		{ "<+0545>-5:45", 5 * 3600 + 45 * 60 },
		{ "JST-9", 9 * 3600 },
		{ "<-00>0", 0 },
	};
	unsigned char	 buf[512];
	char		 dir[] = "/tmp/test_tz.XXXXXX";
	char		*cause = NULL, *path;
	struct tz	*tz;
	struct tz_local	 lt;
	size_t		 i, len;
	time_t		 t;

	assert_non_null(mkdtemp(dir));
	for (i = 0; i < nitems(rules); i++) {
		len = make_rule_file(buf, sizeof buf, rules[i].off,
		    rules[i].rule);
		write_file(dir, "Rule", buf, len);
		setenv("TZDIR", dir, 1);
		tz = tz_load("Rule", &cause);
		if (tz == NULL)
			fail_msg("%s: %s", rules[i].rule, cause);
		oracle_zone(rules[i].rule);
		compare_zone(rules[i].rule, tz, utc(2020, 1, 1, 0, 0, 0),
		    utc(2041, 1, 1, 0, 0, 0));
		tz_free(tz);
	}

	/*
	 * DST all year, written as RFC 8536 describes it. glibc reads each
	 * year's dates in that year's UTC calendar and so shows EST in the
	 * last hours of each year; the rule means EDT throughout.
	 */
	len = make_rule_file(buf, sizeof buf, -5 * 3600,
	    "EST5EDT,0/0,J365/25");
	write_file(dir, "Rule", buf, len);
	setenv("TZDIR", dir, 1);
	tz = tz_load("Rule", &cause);
	assert_non_null(tz);
	for (t = utc(2020, 1, 1, 0, 0, 0); t < utc(2060, 1, 1, 0, 0, 0);
	    t += 3 * 3600 + 7 * 60) {
		tz_to_local(tz, t, &lt);
		if (lt.gmtoff != -4 * 3600 || strcmp(lt.abbr, "EDT") != 0)
			fail_msg("all-year DST at %lld: %+ld %s",
			    (long long)t, lt.gmtoff, lt.abbr);
	}
	assert_int_equal(tz_from_local(tz, 2031, 1, 1, 0, 30, 0),
	    utc(2031, 1, 1, 4, 30, 0));
	tz_free(tz);

	path = xasprintf("%s/Rule", dir);
	unlink(path);
	free(path);
	rmdir(dir);
	unsetenv("TZDIR");
}

/* A hand-made version 1 file: two types, two transitions, no footer. */
static void
test_version1(void **state)
{
	static const unsigned char v1[] = {
		'T', 'Z', 'i', 'f', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0,
		0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0,
		0, 0, 0, 2,  0, 0, 0, 2,  0, 0, 0, 8,
		/* 1000000000 and 1100000000 */
		0x3b, 0x9a, 0xca, 0x00,  0x41, 0x90, 0xab, 0x00,
		1, 0,
		0, 0, 0x0e, 0x10, 0, 0,		/* +1h "AAA" */
		0, 0, 0x1c, 0x20, 1, 4,		/* +2h "BBB" dst */
		'A', 'A', 'A', 0, 'B', 'B', 'B', 0
	};
	char		 dir[] = "/tmp/test_tz.XXXXXX";
	char		*cause = NULL, *path;
	struct tz	*tz;
	struct tz_local	 lt;

	assert_non_null(mkdtemp(dir));
	write_file(dir, "Old", v1, sizeof v1);
	setenv("TZDIR", dir, 1);
	tz = tz_load("Old", &cause);
	if (tz == NULL)
		fail_msg("v1: %s", cause);
	tz_to_local(tz, 999999999, &lt);
	assert_int_equal(lt.gmtoff, 3600);	/* type 0 before */
	assert_string_equal(lt.abbr, "AAA");
	tz_to_local(tz, 1000000000, &lt);
	assert_int_equal(lt.gmtoff, 7200);
	assert_string_equal(lt.abbr, "BBB");
	/* 2001-09-09 01:46:40 UTC */
	assert_int_equal(lt.year, 2001);
	assert_int_equal(lt.mon, 9);
	assert_int_equal(lt.mday, 9);
	assert_int_equal(lt.hour, 3);
	assert_int_equal(lt.min, 46);
	assert_int_equal(lt.sec, 40);
	assert_int_equal(lt.wday, 0);
	tz_to_local(tz, 1100000000 + 50000000LL * 20, &lt);
	assert_int_equal(lt.gmtoff, 3600);	/* last type goes on */
	tz_free(tz);
	path = xasprintf("%s/Old", dir);
	unlink(path);
	free(path);
	rmdir(dir);
	unsetenv("TZDIR");
}

/* Load name from dir, which must fail with a cause and not crash. */
static void
expect_bad(const char *dir, const char *name, const char *want)
{
	char		*cause = NULL;
	struct tz	*tz;

	if (dir != NULL)
		setenv("TZDIR", dir, 1);
	tz = tz_load(name, &cause);
	if (tz != NULL)
		fail_msg("%s loaded", name);
	assert_non_null(cause);
	if (want != NULL && strstr(cause, want) == NULL)
		fail_msg("%s: cause \"%s\" lacks \"%s\"", name, cause, want);
	free(cause);
}

/* Names that must be refused, and names that do not exist. */
static void
test_names(void **state)
{
	struct tz	*tz;

	unsetenv("TZDIR");
	expect_bad(NULL, "../etc/passwd", "invalid");
	expect_bad(NULL, "Europe/../UTC", "invalid");
	expect_bad(NULL, "/etc/passwd", "invalid");
	expect_bad(NULL, "/usr/share/zoneinfo/UTC", "invalid");
	expect_bad(NULL, "", "invalid");
	expect_bad(NULL, "Europe/Prague;ls", "invalid");
	expect_bad(NULL, "Europe/Pra gue", "invalid");
	expect_bad(NULL, "Europe/Prague\n", "invalid");
	expect_bad(NULL, "Mars/Base", "unknown time zone \"Mars/Base\"");
	expect_bad(NULL, "Europe", "unknown");		/* a directory */
	expect_bad(NULL, "Europe/Prague/x", "unknown");
	expect_bad(NULL, "tzdata.zi", "invalid");	/* has a dot */

	/* The built-in names need no file at all. */
	setenv("TZDIR", "/nonexistent", 1);
	tz = must_load("UTC");
	tz_free(tz);
	tz = must_load("Etc/UTC");
	tz_free(tz);
	tz = must_load("GMT");
	tz_free(tz);
	expect_bad(NULL, "Europe/Prague", "unknown");
	unsetenv("TZDIR");
	tz_free(NULL);
}

/* Read the real Prague file into a buffer the caller frees. */
static unsigned char *
read_prague(size_t *len)
{
	FILE		*f = fopen("/usr/share/zoneinfo/Europe/Prague", "rb");
	unsigned char	*data = xmalloc(65536);

	assert_non_null(f);
	*len = fread(data, 1, 65536, f);
	fclose(f);
	assert_true(*len > 100);
	return data;
}

/* Truncated, garbage and damaged files: NULL with a cause, no crash. */
static void
test_corrupt(void **state)
{
	unsigned char	*real, *copy, rule[512];
	char		 dir[] = "/tmp/test_tz.XXXXXX";
	char		*cause, *path;
	struct tz	*tz;
	struct tz_local	 lt;
	size_t		 len, n, i, rlen;
	int		 loaded = 0;
	static const unsigned char flips[] = { 0x00, 0xff, 0x80, 0x01 };

	assert_non_null(mkdtemp(dir));
	real = read_prague(&len);
	copy = xmalloc(len);

	write_file(dir, "Empty", "", 0);
	expect_bad(dir, "Empty", "bad TZif file");
	write_file(dir, "Garbage", "hello, world\n", 13);
	expect_bad(dir, "Garbage", "not a TZif file");

	/* Every proper prefix of a real file is refused. */
	for (n = 0; n < len; n++) {
		write_file(dir, "Trunc", real, n);
		expect_bad(dir, "Trunc", "bad TZif file");
	}

	/* Damage one byte at a time: load or refuse, but never crash. */
	for (i = 0; i < len; i++) {
		for (n = 0; n < nitems(flips); n++) {
			memcpy(copy, real, len);
			copy[i] ^= flips[n] == 0 ? 0x5a : flips[n];
			write_file(dir, "Flip", copy, len);
			cause = NULL;
			tz = tz_load("Flip", &cause);
			if (tz == NULL) {
				assert_non_null(cause);
				free(cause);
				continue;
			}
			loaded++;
			tz_to_local(tz, 0, &lt);
			tz_to_local(tz, utc(2090, 7, 1, 0, 0, 0), &lt);
			tz_to_local(tz, (time_t)1 << 62, &lt);
			tz_to_local(tz, -((time_t)1 << 62), &lt);
			(void)tz_from_local(tz, 2026, 3, 29, 2, 30, 0);
			(void)tz_from_local(tz, 2095, 10, 30, 2, 30, 0);
			(void)tz_from_local(tz, 2147483647, 12, 31, 23, 59,
			    59);
			tz_free(tz);
		}
	}
	assert_true(loaded > 0);	/* e.g. flips inside the LMT name */

	/* Hand-made damage with a known reason. */
	memcpy(copy, real, len);
	copy[4] = '9';
	write_file(dir, "Version", copy, len);
	expect_bad(dir, "Version", "unknown TZif version");
	memcpy(copy, real, len);
	copy[20 + 3 * 4] = 0x7f;		/* timecnt of the v1 header */
	write_file(dir, "Huge", copy, len);
	expect_bad(dir, "Huge", "count too large");

	rlen = make_rule_file(rule, sizeof rule, 3600, "CET-1CEST,M3.5.0");
	write_file(dir, "Footer", rule, rlen);
	expect_bad(dir, "Footer", "bad rule in footer");
	rlen = make_rule_file(rule, sizeof rule, 3600, "CET-1CEST,M13.5.0,"
	    "M10.5.0");
	write_file(dir, "Footer", rule, rlen);
	expect_bad(dir, "Footer", "bad rule in footer");
	rlen = make_rule_file(rule, sizeof rule, 3600, "C-1");
	write_file(dir, "Footer", rule, rlen);
	expect_bad(dir, "Footer", "bad rule in footer");
	rlen = make_rule_file(rule, sizeof rule, 3600, "CET-1");
	rule[rlen - 1] = 'x';			/* no closing newline */
	write_file(dir, "Footer", rule, rlen);
	expect_bad(dir, "Footer", "unterminated footer");
	rlen = make_rule_file(rule, sizeof rule, 3600, "CET-1");
	rule[44] = 0x80;		/* offset -2^31 in the v1 block */
	write_file(dir, "Offset", rule, rlen);
	tz = tz_load("Offset", &cause);	/* the v1 block is only skipped */
	assert_non_null(tz);
	tz_free(tz);
	rule[44 + 10 + 44] = 0x80;	/* and in the v2 block */
	write_file(dir, "Offset", rule, rlen);
	expect_bad(dir, "Offset", "bad local time type");

	static const char *names[] = {
		"Empty", "Garbage", "Trunc", "Flip", "Version", "Huge",
		"Footer", "Offset"
	};
	for (i = 0; i < nitems(names); i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		unlink(path);
		free(path);
	}
	rmdir(dir);
	unsetenv("TZDIR");
	free(copy);
	free(real);
}

/* Civil dates and day counts: anchors, leap days, negative years. */
static void
test_days(void **state)
{
	struct tm	tm;
	long long	d, prev;
	int		y, m, dd, py, pm, pd;
	time_t		t;

	assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(tz_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(tz_days_from_civil(0, 3, 1), -719468);
	assert_int_equal(tz_days_from_civil(0, 1, 1), -719528);
	assert_int_equal(tz_days_from_civil(0, 2, 29) + 1,
	    tz_days_from_civil(0, 3, 1));		/* year 0 is leap */
	assert_int_equal(tz_days_from_civil(-1, 12, 31) + 1,
	    tz_days_from_civil(0, 1, 1));

	/* Leap days: kept where they exist, rolled over where not. */
	tz_civil_from_days(tz_days_from_civil(2024, 2, 29), &y, &m, &dd);
	assert_true(y == 2024 && m == 2 && dd == 29);
	tz_civil_from_days(tz_days_from_civil(2000, 2, 29), &y, &m, &dd);
	assert_true(y == 2000 && m == 2 && dd == 29);
	tz_civil_from_days(tz_days_from_civil(2100, 2, 29), &y, &m, &dd);
	assert_true(y == 2100 && m == 3 && dd == 1);
	tz_civil_from_days(tz_days_from_civil(2100, 2, 28) + 1, &y, &m, &dd);
	assert_true(y == 2100 && m == 3 && dd == 1);
	tz_civil_from_days(tz_days_from_civil(1900, 2, 28) + 1, &y, &m, &dd);
	assert_true(y == 1900 && m == 3 && dd == 1);
	tz_civil_from_days(tz_days_from_civil(-400, 2, 28) + 1, &y, &m, &dd);
	assert_true(y == -400 && m == 2 && dd == 29);
	tz_civil_from_days(tz_days_from_civil(-100, 2, 28) + 1, &y, &m, &dd);
	assert_true(y == -100 && m == 3 && dd == 1);

	/* Overflowing fields fold into the next month or year. */
	assert_int_equal(tz_days_from_civil(2026, 1, 32),
	    tz_days_from_civil(2026, 2, 1));
	assert_int_equal(tz_days_from_civil(2026, 13, 1),
	    tz_days_from_civil(2027, 1, 1));
	assert_int_equal(tz_days_from_civil(2026, 0, 1),
	    tz_days_from_civil(2025, 12, 1));
	assert_int_equal(tz_days_from_civil(2026, -23, 1),
	    tz_days_from_civil(2024, 1, 1));
	assert_int_equal(tz_days_from_civil(2026, 3, 0),
	    tz_days_from_civil(2026, 2, 28));
	assert_int_equal(tz_days_from_civil(2024, 1, 366),
	    tz_days_from_civil(2024, 12, 31));

	/* Every day over ±2200 years: round trip, one day at a time. */
	tz_civil_from_days(-800001, &py, &pm, &pd);
	for (d = -800000; d <= 800000; d++) {
		tz_civil_from_days(d, &y, &m, &dd);
		if (tz_days_from_civil(y, m, dd) != d)
			fail_msg("round trip %lld", d);
		/* The successor of the day before. */
		if (!((y == py && m == pm && dd == pd + 1) ||
		    (y == py && m == pm + 1 && dd == 1 && pd >= 28) ||
		    (y == py + 1 && m == 1 && dd == 1 && pm == 12 &&
		    pd == 31)))
			fail_msg("%lld: %d-%d-%d after %d-%d-%d", d, y, m, dd,
			    py, pm, pd);
		py = y;
		pm = m;
		pd = dd;
	}

	/* gmtime_r agrees far out, both ways. */
	for (d = -400000000LL; d <= 400000000LL; d += 9999991) {
		t = (time_t)(d * 86400);
		assert_non_null(gmtime_r(&t, &tm));
		tz_civil_from_days(d, &y, &m, &dd);
		if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 ||
		    dd != tm.tm_mday)
			fail_msg("%lld: ours %d-%d-%d, gmtime %d-%d-%d", d, y,
			    m, dd, tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday);
		prev = tz_days_from_civil(y, m, dd);
		assert_int_equal(prev, d);
	}
}

/* The conversions never touch TZ: a loaded zone ignores it. */
static void
test_independent_of_env(void **state)
{
	struct tz	*tz = must_load("Asia/Kathmandu");
	struct tz_local	 lt;

	setenv("TZ", "America/New_York", 1);
	tzset();
	tz_to_local(tz, utc(2026, 1, 1, 0, 0, 0), &lt);
	assert_int_equal(lt.gmtoff, 5 * 3600 + 45 * 60);
	assert_string_equal(lt.abbr, "+0545");
	assert_int_equal(lt.hour, 5);
	assert_int_equal(lt.min, 45);
	assert_int_equal(lt.wday, 4);
	tz_free(tz);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_to_local_vs_glibc),
		cmocka_unit_test(test_to_local_old),
		cmocka_unit_test(test_from_local_vs_mktime),
		cmocka_unit_test(test_gap_overlap),
		cmocka_unit_test(test_footer_rules),
		cmocka_unit_test(test_version1),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_independent_of_env),
	};

	/* Corrupt files are logged as warnings; keep the output readable. */
	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
