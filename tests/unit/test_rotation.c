/* deps: rotation tz util log */
/*
 * test_rotation.c — shift boundaries in real zones (DST, 30-minute DST,
 * no DST, leap days), state-based handoffs and member list edits,
 * overrides and schedules (checked against a brute-force model), swaps
 * and the iCal text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "rotation.h"
#include "tz.h"
#include "util.h"

#define H	3600LL
#define D	86400LL

/* Load a zone or fail the test. */
static struct tz *
zone(const char *name)
{
	struct tz	*tz;
	char		*cause = NULL;

	tz = tz_load(name, &cause);
	if (tz == NULL)
		fail_msg("tz_load %s: %s", name, cause ? cause : "?");
	return tz;
}

/* A local wall time in tz as an instant. */
static time_t
lt(const struct tz *tz, int y, int mo, int d, int h, int mi)
{
	return tz_from_local(tz, y, mo, d, h, mi, 0);
}

/* The local clock of t as hhmm. */
static int
hm(const struct tz *tz, time_t t)
{
	struct tz_local	l;

	tz_to_local(tz, t, &l);
	return l.hour * 100 + l.min;
}

/* A role over members with the given shift. */
static struct rot_role
role(const char *name, char *const *members, size_t n, int days,
    long long ms, time_t start, const struct tz *tz)
{
	struct rot_role	r;

	memset(&r, 0, sizeof r);
	r.name = name;
	r.members = members;
	r.nmembers = n;
	r.shift_days = days;
	r.shift_ms = ms;
	r.start = start;
	r.tz = tz;
	return r;
}

static char *abc[] = { "alice", "bob", "carol" };

/*
 * Walk weeks of a weekly rotation: each handoff at 09:00 local on the
 * anchor's weekday; returns how many weeks were short/long by "delta"
 * seconds.
 */
static void
walk_weekly(const char *zname, int y, int mo, int d, int weeks,
    long expect_short, long expect_long, int want_short, int want_long)
{
	struct tz	*tz = zone(zname);
	struct rot_role	 r;
	struct tz_local	 l0, l;
	time_t		 s, e;
	long		 len;
	int		 i, nshort = 0, nlong = 0;

	r = role("r", abc, 3, 7, 0, lt(tz, y, mo, d, 9, 0), tz);
	tz_to_local(tz, r.start, &l0);
	s = r.start;
	for (i = 0; i < weeks; i++) {
		e = rot_shift_end(&r, s);
		tz_to_local(tz, e, &l);
		assert_int_equal(l.hour, 9);
		assert_int_equal(l.min, 0);
		assert_int_equal(l.wday, l0.wday);
		len = (long)(e - s);
		if (len == expect_short)
			nshort++;
		else if (len == expect_long)
			nlong++;
		else
			assert_int_equal(len, 168 * H);
		/* Consistent with the grid. */
		assert_int_equal(rot_shift_containing(&r, e, NULL), e);
		assert_int_equal(rot_shift_containing(&r, e - 1, NULL), s);
		s = e;
	}
	assert_int_equal(nshort, want_short);
	assert_int_equal(nlong, want_long);
	tz_free(tz);
}

/* Weekly 09:00 in Prague: 167 h in March, 169 h in October. */
static void
test_weekly_prague(void **state)
{
	walk_weekly("Europe/Prague", 2026, 1, 5, 104, 167 * H, 169 * H,
	    2, 2);
}

/* Weekly 09:00 in New York, different DST dates, same shape. */
static void
test_weekly_new_york(void **state)
{
	walk_weekly("America/New_York", 2026, 1, 5, 52, 167 * H, 169 * H,
	    1, 1);
}

/* Tokyo has no DST: every week is 168 h. */
static void
test_weekly_tokyo(void **state)
{
	walk_weekly("Asia/Tokyo", 2026, 1, 5, 104, 1, 2, 0, 0);
}

/* Lord Howe moves its clocks by 30 minutes: 167.5 h and 168.5 h. */
static void
test_weekly_lord_howe(void **state)
{
	walk_weekly("Australia/Lord_Howe", 2026, 1, 5, 52,
	    167 * H + 1800, 168 * H + 1800, 1, 1);
}

/* Specific DST weeks and days in Prague, daily and two-weekly shifts. */
static void
test_daily_biweekly_prague(void **state)
{
	struct tz	*tz = zone("Europe/Prague");
	struct rot_role	 r;
	time_t		 s;

	/* Week of 2026-03-23 contains the spring change (Mar 29). */
	r = role("r", abc, 3, 7, 0, lt(tz, 2026, 1, 5, 9, 0), tz);
	s = lt(tz, 2026, 3, 23, 9, 0);
	assert_int_equal(rot_shift_end(&r, s) - s, 167 * H);
	s = lt(tz, 2026, 10, 19, 9, 0);
	assert_int_equal(rot_shift_end(&r, s) - s, 169 * H);

	/* Daily: the 29th of March is 23 h, the 25th of October 25 h. */
	r = role("r", abc, 3, 1, 0, lt(tz, 2026, 1, 5, 9, 0), tz);
	s = lt(tz, 2026, 3, 28, 9, 0);
	assert_int_equal(rot_shift_end(&r, s) - s, 23 * H);
	assert_int_equal(hm(tz, rot_shift_end(&r, s)), 900);
	s = lt(tz, 2026, 10, 24, 9, 0);
	assert_int_equal(rot_shift_end(&r, s) - s, 25 * H);
	s = lt(tz, 2026, 6, 1, 9, 0);
	assert_int_equal(rot_shift_end(&r, s) - s, 24 * H);

	/* Two weeks from Monday 2026-03-16: 335 h; from 10-12: 337 h. */
	r = role("r", abc, 3, 14, 0, lt(tz, 2026, 3, 16, 9, 0), tz);
	s = r.start;
	assert_int_equal(rot_shift_end(&r, s) - s, 335 * H);
	s = lt(tz, 2026, 10, 12, 9, 0);
	assert_int_equal(rot_shift_containing(&r, s, NULL), s);
	assert_int_equal(rot_shift_end(&r, s) - s, 337 * H);
	/* A Monday between two handoffs is not a handoff. */
	assert_int_equal(rot_shift_containing(&r, lt(tz, 2026, 3, 23, 9, 0),
	    NULL), r.start);
	/* The end of a shift starting mid-shift is the next handoff. */
	assert_int_equal(rot_shift_end(&r, lt(tz, 2026, 3, 23, 12, 0)),
	    lt(tz, 2026, 3, 30, 9, 0));
	tz_free(tz);
}

/* 12 h shifts are absolute: 12 h apart, the local clock moves. */
static void
test_absolute_12h(void **state)
{
	struct tz	*tz = zone("Europe/Prague");
	struct rot_role	 r;
	time_t		 s, e;
	int		 i;
	int		 want[] = { 2100, 1000, 2200, 1000 };

	r = role("r", abc, 3, 0, 12LL * H * 1000, lt(tz, 2026, 3, 28, 9, 0),
	    tz);
	s = r.start;
	for (i = 0; i < 4; i++) {
		e = rot_shift_end(&r, s);
		assert_int_equal(e - s, 12 * H);
		assert_int_equal(hm(tz, e), want[i]);
		s = e;
	}
	/* 90 minutes, before the anchor. */
	r = role("r", abc, 3, 0, 90LL * 60 * 1000, 1000000, tz);
	{
		long long	k;

		assert_int_equal(rot_shift_containing(&r, 1000000 - 1, &k),
		    1000000 - 5400);
		assert_int_equal(k, -1);
		assert_int_equal(rot_shift_containing(&r, 1000000 - 5400, &k),
		    1000000 - 5400);
		assert_int_equal(k, -1);
		assert_int_equal(rot_shift_containing(&r,
		    1000000 - 5401, &k), 1000000 - 10800);
		assert_int_equal(k, -2);
	}
	tz_free(tz);
}

/* Daily shifts across 2028-02-29, and a rotation anchored on it. */
static void
test_leap_day(void **state)
{
	struct tz	*tz = zone("Europe/Prague");
	struct rot_role	 r;
	struct tz_local	 l;
	time_t		 s;
	long long	 k;

	r = role("r", abc, 3, 1, 0, lt(tz, 2026, 1, 5, 9, 0), tz);
	s = lt(tz, 2028, 2, 28, 9, 0);
	s = rot_shift_end(&r, s);
	tz_to_local(tz, s, &l);
	assert_int_equal(l.mon, 2);
	assert_int_equal(l.mday, 29);
	assert_int_equal(l.hour, 9);
	s = rot_shift_end(&r, s);
	tz_to_local(tz, s, &l);
	assert_int_equal(l.mon, 3);
	assert_int_equal(l.mday, 1);

	/* Anchored on Feb 29: a year later is 366 shifts on. */
	r = role("r", abc, 3, 1, 0, lt(tz, 2028, 2, 29, 9, 0), tz);
	s = rot_shift_containing(&r, lt(tz, 2029, 3, 1, 10, 0), &k);
	assert_int_equal(k, 366);
	assert_int_equal(s, lt(tz, 2029, 3, 1, 9, 0));
	/* Weekly from Feb 29: Mar 7, and before it Feb 22. */
	r.shift_days = 7;
	assert_int_equal(rot_shift_end(&r, r.start), lt(tz, 2028, 3, 7, 9, 0));
	assert_int_equal(rot_shift_containing(&r, r.start - 1, &k),
	    lt(tz, 2028, 2, 22, 9, 0));
	assert_int_equal(k, -1);
	tz_free(tz);
}

/* A 02:30 handoff: moved forward on the gap day, back to 02:30 after. */
static void
test_gap_anchor(void **state)
{
	struct tz	*tz = zone("Europe/Prague");
	struct rot_role	 r;
	time_t		 gap, s;

	r = role("r", abc, 3, 1, 0, lt(tz, 2026, 3, 20, 2, 30), tz);
	s = lt(tz, 2026, 3, 28, 2, 30);
	gap = rot_shift_end(&r, s);
	assert_int_equal(hm(tz, gap), 330);
	assert_int_equal(gap - s, 24 * H);
	s = rot_shift_end(&r, gap);
	assert_int_equal(hm(tz, s), 230);
	assert_int_equal(s - gap, 23 * H);
	assert_int_equal(rot_shift_containing(&r, gap, NULL), gap);
	assert_int_equal(rot_shift_containing(&r, gap - 1, NULL),
	    lt(tz, 2026, 3, 28, 2, 30));
	/* 02:30 twice in October: the earlier one. */
	s = rot_shift_end(&r, lt(tz, 2026, 10, 24, 2, 30));
	assert_int_equal(s - lt(tz, 2026, 10, 24, 2, 30), 24 * H);
	assert_int_equal(rot_shift_end(&r, s) - s, 25 * H);
	tz_free(tz);
}

/* Shift boundaries belong to the new shift; negative indexes before. */
static void
test_containing(void **state)
{
	struct tz	*tz = zone("UTC");
	struct rot_role	 r;
	long long	 k;
	time_t		 a = 1800000000 - 1800000000 % D + 9 * H;

	r = role("r", abc, 3, 7, 0, a, tz);
	assert_int_equal(rot_shift_containing(&r, a, &k), a);
	assert_int_equal(k, 0);
	assert_int_equal(rot_shift_containing(&r, a + 7 * D, &k), a + 7 * D);
	assert_int_equal(k, 1);
	assert_int_equal(rot_shift_containing(&r, a + 7 * D - 1, &k), a);
	assert_int_equal(k, 0);
	assert_int_equal(rot_shift_containing(&r, a - 1, &k), a - 7 * D);
	assert_int_equal(k, -1);
	assert_int_equal(rot_shift_containing(&r, a - 7 * D, &k), a - 7 * D);
	assert_int_equal(k, -1);
	assert_int_equal(rot_shift_containing(&r, a - 70 * D - 1, &k),
	    a - 77 * D);
	assert_int_equal(k, -11);
	/* Far away stays O(1) and right. */
	assert_int_equal(rot_shift_containing(&r, a + 7000 * 7 * D + 5, &k),
	    a + 7000 * 7 * D);
	assert_int_equal(k, 7000);
	tz_free(tz);
}

/* The state from arithmetic alone. */
static void
test_state_init(void **state)
{
	struct tz		*tz = zone("UTC");
	struct rot_role		 r;
	struct rot_state	 st;
	time_t			 a = 1800000000;

	r = role("r", abc, 3, 1, 0, a, tz);
	rot_state_init(&r, a + 4 * D + H, &st);
	assert_string_equal(st.member, "bob");
	assert_int_equal(st.pos, 1);
	assert_int_equal(st.shift_start, a + 4 * D);
	rot_state_init(&r, a - 1, &st);
	assert_string_equal(st.member, "carol");
	assert_int_equal(st.pos, 2);
	assert_int_equal(st.shift_start, a - D);
	rot_state_init(&r, a, &st);
	assert_string_equal(st.member, "alice");
	assert_int_equal(st.shift_start, a);
	tz_free(tz);
}

/* What a callback saw. */
struct seen {
	int			n;
	struct rot_handoff	h[16];
};

/* Record handoffs. */
static void
record(const struct rot_handoff *h, void *arg)
{
	struct seen	*s = arg;

	if (s->n < (int)nitems(s->h))
		s->h[s->n] = *h;
	s->n++;
}

/* One handoff, several, nothing due, a long downtime, a very long one. */
static void
test_advance(void **state)
{
	struct tz		*tz = zone("Europe/Prague");
	struct rot_role		 r;
	struct rot_state	 st;
	struct seen		 seen;
	time_t			 a = lt(tz, 2026, 1, 5, 9, 0), now;
	int			 n;

	r = role("r", abc, 3, 1, 0, a, tz);
	rot_state_init(&r, a, &st);

	memset(&seen, 0, sizeof seen);
	assert_int_equal(rot_advance(&r, &st, a + D - 1, record, &seen), 0);
	assert_int_equal(seen.n, 0);
	assert_string_equal(st.member, "alice");

	assert_int_equal(rot_advance(&r, &st, a + D, record, &seen), 1);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.h[0].from, "alice");
	assert_string_equal(seen.h[0].to, "bob");
	assert_int_equal(seen.h[0].at, a + D);
	assert_int_equal(seen.h[0].removed, 0);
	assert_string_equal(st.member, "bob");
	assert_int_equal(st.shift_start, a + D);

	memset(&seen, 0, sizeof seen);
	assert_int_equal(rot_advance(&r, &st, a + 4 * D + 5, record, &seen),
	    3);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.h[0].to, "carol");
	assert_string_equal(seen.h[1].to, "alice");
	assert_string_equal(seen.h[2].from, "alice");
	assert_string_equal(seen.h[2].to, "bob");
	assert_int_equal(seen.h[1].at, a + 3 * D);
	assert_string_equal(st.member, "bob");
	assert_int_equal(st.pos, 1);

	/* Three years of daily shifts down; NULL callback allowed. */
	now = lt(tz, 2029, 1, 5, 12, 0);
	n = rot_advance(&r, &st, now, NULL, NULL);
	assert_int_equal(n, (int)(tz_days_from_civil(2029, 1, 5) -
	    tz_days_from_civil(2026, 1, 9)));
	assert_int_equal(st.shift_start, lt(tz, 2029, 1, 5, 9, 0));
	{
		struct rot_state	 fresh;

		rot_state_init(&r, now, &fresh);
		assert_string_equal(st.member, fresh.member);
	}

	/* 90-minute shifts over three years: jumps, one callback. */
	r = role("r", abc, 3, 0, 90LL * 60000, a, tz);
	rot_state_init(&r, a, &st);
	memset(&seen, 0, sizeof seen);
	now = a + 3LL * 365 * D + 100;
	n = rot_advance(&r, &st, now, record, &seen);
	assert_int_equal(n, (3LL * 365 * D + 100) / 5400);
	assert_int_equal(seen.n, 1);
	assert_int_equal(st.shift_start, a + (long long)n * 5400);
	assert_string_equal(st.member, abc[n % 3]);
	assert_string_equal(seen.h[0].to, abc[n % 3]);
	assert_string_equal(seen.h[0].from, abc[(n - 1) % 3]);
	assert_int_equal(seen.h[0].at, st.shift_start);
	tz_free(tz);
}

/* Editing the member list never changes who is on call right now. */
static void
test_member_edits(void **state)
{
	struct tz		*tz = zone("UTC");
	struct rot_role		 r;
	struct rot_state	 st;
	struct seen		 seen;
	time_t			 a = 1800000000;
	char			*four[] = { "alice", "bob", "dave", "carol" };
	char			*no_bob[] = { "alice", "carol", "dave" };
	char			*no_carol[] = { "alice", "bob", "dave" };

	r = role("r", abc, 3, 1, 0, a, tz);
	rot_state_init(&r, a + D, &st);		/* bob, pos 1 */
	assert_string_equal(st.member, "bob");

	/* Adding: bob stays, dave follows him. */
	r.members = four;
	r.nmembers = 4;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(rot_advance(&r, &st, a + D + H, record, &seen), 0);
	assert_string_equal(st.member, "bob");
	assert_int_equal(rot_advance(&r, &st, a + 2 * D, record, &seen), 1);
	assert_string_equal(st.member, "dave");
	assert_int_equal(st.pos, 2);

	/* Removing the current member: who stands at pos 2 takes over. */
	r = role("r", abc, 3, 1, 0, a, tz);
	rot_state_init(&r, a + D, &st);		/* bob, pos 1 */
	r.members = no_bob;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(rot_advance(&r, &st, a + D + 5 * H, record, &seen),
	    1);
	assert_int_equal(seen.h[0].removed, 1);
	assert_int_equal(seen.h[0].at, a + D + 5 * H);
	assert_string_equal(seen.h[0].from, "bob");
	assert_string_equal(seen.h[0].to, "carol");
	assert_string_equal(st.member, "carol");
	assert_int_equal(st.shift_start, a + D + 5 * H);
	/* ... until the regular handoff, back on the grid. */
	assert_int_equal(rot_shift_end(&r, st.shift_start), a + 2 * D);
	{
		struct rot_slot	sl[2];

		assert_int_equal(rot_schedule(&r, &st, NULL, 0, a, 2, sl), 2);
		assert_int_equal(sl[0].start, a + D + 5 * H);
		assert_int_equal(sl[0].end, a + 2 * D);
		assert_string_equal(sl[0].person, "carol");
		assert_string_equal(sl[1].person, "dave");
	}
	assert_int_equal(rot_advance(&r, &st, a + 2 * D, record, &seen), 1);
	assert_string_equal(seen.h[1].to, "dave");
	assert_int_equal(seen.h[1].removed, 0);

	/* Removing the last-listed current member wraps to the first. */
	r = role("r", abc, 3, 1, 0, a, tz);
	rot_state_init(&r, a + 2 * D, &st);	/* carol, pos 2 */
	r.members = no_bob;
	r.nmembers = 2;				/* alice, carol */
	assert_int_equal(rot_advance(&r, &st, a + 2 * D, NULL, NULL), 0);
	r.members = no_carol;			/* alice, bob, dave */
	r.nmembers = 2;				/* alice, bob */
	assert_int_equal(rot_advance(&r, &st, a + 2 * D, NULL, NULL), 1);
	assert_string_equal(st.member, "alice");

	/* Removing someone else: bob stays; the order is the new list. */
	r = role("r", abc, 3, 1, 0, a, tz);
	rot_state_init(&r, a + D, &st);		/* bob */
	r.members = no_carol;
	assert_int_equal(rot_advance(&r, &st, a + D + H, NULL, NULL), 0);
	assert_string_equal(st.member, "bob");
	assert_int_equal(rot_advance(&r, &st, a + 3 * D, NULL, NULL), 2);
	assert_string_equal(st.member, "alice");	/* bob, dave, alice */
	tz_free(tz);
}

/* A name longer than the state's field is not mistaken for a removal. */
static void
test_long_name(void **state)
{
	struct tz		*tz = zone("UTC");
	char			*m[] = { "x", "y", NULL };
	char			 longname[100];
	struct rot_role		 r;
	struct rot_state	 st;

	memset(longname, 'n', sizeof longname - 3);
	memcpy(longname + sizeof longname - 4, "\xc3\xa9", 3);	/* é */
	m[2] = longname;
	r = role("r", m, 3, 1, 0, 0, tz);
	rot_state_init(&r, 2 * D, &st);
	assert_int_equal(strlen(st.member), ROT_NAME_MAX - 1);
	assert_int_equal(rot_advance(&r, &st, 2 * D + H, NULL, NULL), 0);
	assert_int_equal(st.pos, 2);
	assert_int_equal(rot_advance(&r, &st, 3 * D, NULL, NULL), 1);
	assert_string_equal(st.member, "x");
	tz_free(tz);
}

/* The newest override wins; ties go to the higher id; [from, to). */
static void
test_override_at(void **state)
{
	struct rot_override	ov[] = {
		{ 1, "x", 100, 200, 10 },
		{ 2, "y", 150, 300, 20 },
		{ 3, "z", 120, 160, 5 },
		{ 4, "w", 250, 260, 20 },
	};

	assert_null(rot_override_at(ov, 4, 99));
	assert_int_equal(rot_override_at(ov, 4, 100)->id, 1);
	assert_int_equal(rot_override_at(ov, 4, 130)->id, 1);
	assert_int_equal(rot_override_at(ov, 4, 150)->id, 2);
	assert_int_equal(rot_override_at(ov, 4, 255)->id, 4);
	assert_int_equal(rot_override_at(ov, 4, 260)->id, 2);
	assert_int_equal(rot_override_at(ov, 4, 299)->id, 2);
	assert_null(rot_override_at(ov, 4, 300));
	assert_null(rot_override_at(ov, 0, 150));
}

/* Fill in an override. */
static struct rot_override
ovr(long long id, const char *who, time_t from, time_t to, time_t created)
{
	struct rot_override	o;

	o.id = id;
	o.person = who;
	o.from = from;
	o.to = to;
	o.created = created;
	return o;
}

/* Splits, overlaps, a member covering its own shift, rot_who. */
static void
test_schedule_overrides(void **state)
{
	struct tz		*tz = zone("UTC");
	struct rot_role		 r;
	struct rot_state	 st;
	struct rot_slot		 s[16];
	struct rot_override	 ov[4];
	time_t			 a = 1800000000;
	size_t			 n;

	r = role("r", abc, 3, 1, 0, a, tz);
	rot_state_init(&r, a, &st);

	/* No overrides: one slot per shift, in order. */
	n = rot_schedule(&r, &st, NULL, 0, a + H, 4, s);
	assert_int_equal(n, 4);
	assert_string_equal(s[0].person, "alice");
	assert_int_equal(s[0].start, a);
	assert_int_equal(s[0].end, a + D);
	assert_string_equal(s[3].person, "alice");
	assert_int_equal(s[3].start, a + 3 * D);
	assert_string_equal(s[1].covers, "");
	assert_int_equal(s[1].override_id, 0);

	/* An override inside alice's shift: three slots. */
	ov[0] = ovr(7, "dave", a + 2 * H, a + 5 * H, a);
	n = rot_schedule(&r, &st, ov, 1, a, 4, s);
	assert_int_equal(n, 4);
	assert_int_equal(s[0].end, a + 2 * H);
	assert_string_equal(s[1].person, "dave");
	assert_string_equal(s[1].covers, "alice");
	assert_int_equal(s[1].override_id, 7);
	assert_int_equal(s[1].start, a + 2 * H);
	assert_int_equal(s[1].end, a + 5 * H);
	assert_string_equal(s[2].person, "alice");
	assert_int_equal(s[2].start, a + 5 * H);
	assert_int_equal(s[2].end, a + D);
	assert_string_equal(s[3].person, "bob");

	/* rot_who inside it and after it. */
	rot_who(&r, &st, ov, 1, a + 3 * H, &s[0]);
	assert_string_equal(s[0].person, "dave");
	assert_string_equal(s[0].covers, "alice");
	assert_int_equal(s[0].end, a + 5 * H);
	rot_who(&r, &st, ov, 1, a + 5 * H, &s[0]);
	assert_string_equal(s[0].person, "alice");
	assert_int_equal(s[0].end, a + D);

	/* Overlap: an older long one and a newer short one inside it. */
	ov[0] = ovr(1, "dave", a + 2 * H, a + D + 2 * H, a);
	ov[1] = ovr(2, "erin", a + 4 * H, a + 6 * H, a + 1);
	ov[2] = ovr(3, "fred", a + 8 * H, a + 9 * H, a - 5); /* older */
	n = rot_schedule(&r, &st, ov, 3, a, 16, s);
	assert_true(n >= 7);
	assert_string_equal(s[0].person, "alice");
	assert_string_equal(s[1].person, "dave");
	assert_int_equal(s[1].end, a + 4 * H);
	assert_string_equal(s[2].person, "erin");
	assert_int_equal(s[2].override_id, 2);
	assert_string_equal(s[3].person, "dave");
	/* fred is hidden by dave; dave's slot is one until the handoff. */
	assert_int_equal(s[3].start, a + 6 * H);
	assert_int_equal(s[3].end, a + D);
	assert_string_equal(s[3].covers, "alice");
	assert_string_equal(s[4].person, "dave");
	assert_string_equal(s[4].covers, "bob");
	assert_int_equal(s[4].end, a + D + 2 * H);
	assert_string_equal(s[5].person, "bob");
	assert_int_equal(s[5].start, a + D + 2 * H);
	assert_string_equal(s[6].person, "carol");

	/* A newer override cuts into an older one that began earlier. */
	ov[0] = ovr(1, "dave", a + 2 * H, a + 6 * H, a + 9);
	ov[1] = ovr(2, "erin", a + 1 * H, a + 4 * H, a + 1);
	n = rot_schedule(&r, &st, ov, 2, a, 4, s);
	assert_string_equal(s[1].person, "erin");
	assert_int_equal(s[1].end, a + 2 * H);
	assert_string_equal(s[2].person, "dave");
	assert_int_equal(s[2].end, a + 6 * H);

	/* bob overriding into his own shift: no covers, id kept. */
	ov[0] = ovr(9, "bob", a + 20 * H, a + D + 3 * H, a);
	n = rot_schedule(&r, &st, ov, 1, a, 4, s);
	assert_int_equal(n, 4);
	assert_string_equal(s[1].person, "bob");
	assert_string_equal(s[1].covers, "alice");
	assert_int_equal(s[1].end, a + D);
	assert_string_equal(s[2].person, "bob");
	assert_string_equal(s[2].covers, "");
	assert_int_equal(s[2].override_id, 9);
	assert_int_equal(s[2].end, a + D + 3 * H);
	assert_string_equal(s[3].person, "bob");
	assert_int_equal(s[3].override_id, 0);
	assert_int_equal(s[3].end, a + 2 * D);

	/* Slots before t are left out; count is respected. */
	n = rot_schedule(&r, &st, ov, 1, a + D + H, 2, s);
	assert_int_equal(n, 2);
	assert_int_equal(s[0].override_id, 9);
	assert_int_equal(s[0].start, a + D);
	assert_string_equal(s[1].person, "bob");
	assert_int_equal(s[1].override_id, 0);
	assert_int_equal(rot_schedule(&r, &st, ov, 1, a, 0, s), 0);
	tz_free(tz);
}

/* A one-member rotation: one slot per shift; overrides span handoffs. */
static void
test_schedule_single(void **state)
{
	struct tz		*tz = zone("UTC");
	char			*one[] = { "solo" };
	struct rot_role		 r;
	struct rot_state	 st;
	struct rot_slot		 s[4];
	struct rot_override	 ov[1];
	time_t			 a = 1800000000;

	r = role("r", one, 1, 1, 0, a, tz);
	rot_state_init(&r, a, &st);
	assert_int_equal(rot_schedule(&r, &st, NULL, 0, a, 3, s), 3);
	assert_int_equal(s[2].start, a + 2 * D);
	assert_string_equal(s[2].person, "solo");

	/* Two years of cover: one slot, found at once. */
	ov[0] = ovr(5, "temp", a + H, a + 730 * D, a);
	rot_who(&r, &st, ov, 1, a + 400 * D, &s[0]);
	assert_string_equal(s[0].person, "temp");
	assert_string_equal(s[0].covers, "solo");
	assert_int_equal(s[0].end, a + 730 * D);
	assert_int_equal(rot_schedule(&r, &st, ov, 1, a, 3, s), 3);
	assert_int_equal(s[1].start, a + H);
	assert_int_equal(s[1].end, a + 730 * D);
	assert_string_equal(s[2].person, "solo");
	assert_int_equal(s[2].end, a + 731 * D);

	/* An override reaching the end of time does not hang. */
	ov[0] = ovr(6, "temp", a + H, (time_t)INT64_MAX, a);
	assert_int_equal(rot_schedule(&r, &st, ov, 1, a, 4, s), 2);
	tz_free(tz);
}

/* A small deterministic generator for the model checks. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Check slots against brute force: contiguous, each instant's person is
 * the newest override's or the rotation member's.
 */
static void
check_slots(const struct rot_role *r, const struct rot_state *st,
    const struct rot_override *ov, size_t n, const struct rot_slot *s,
    size_t ns, uint64_t *seed)
{
	const struct rot_override	*o;
	struct rot_state		 tmp;
	size_t				 i, j;
	time_t				 t;

	for (i = 0; i < ns; i++) {
		assert_true(s[i].start < s[i].end);
		if (i > 0)
			assert_int_equal(s[i].start, s[i - 1].end);
		for (j = 0; j < 4; j++) {
			if (j == 0)
				t = s[i].start;
			else if (j == 1)
				t = s[i].end - 1;
			else
				t = s[i].start + (time_t)(rnd(seed) %
				    (uint64_t)(s[i].end - s[i].start));
			o = rot_override_at(ov, n, t);
			tmp = *st;
			rot_advance(r, &tmp, t, NULL, NULL);
			if (o != NULL) {
				assert_int_equal(s[i].override_id, o->id);
				assert_string_equal(s[i].person, o->person);
				if (strcmp(o->person, tmp.member) == 0)
					assert_string_equal(s[i].covers, "");
				else
					assert_string_equal(s[i].covers,
					    tmp.member);
			} else {
				assert_int_equal(s[i].override_id, 0);
				assert_string_equal(s[i].person, tmp.member);
				assert_string_equal(s[i].covers, "");
			}
		}
	}
}

/* Random overrides against the model. */
static void
test_schedule_random(void **state)
{
	struct tz		*tz = zone("Europe/Prague");
	char			*who[] = { "alice", "bob", "carol", "dave" };
	struct rot_role		 r;
	struct rot_state	 st;
	struct rot_override	 ov[12];
	struct rot_slot		 s[64];
	uint64_t		 seed = 88172645463325252ULL;
	time_t			 a = lt(tz, 2026, 3, 16, 9, 0);
	size_t			 i, ns, round;

	r = role("r", who, 4, 1, 0, a, tz);
	for (round = 0; round < 300; round++) {
		rot_state_init(&r, a + (time_t)(rnd(&seed) % (20 * D)), &st);
		for (i = 0; i < nitems(ov); i++) {
			time_t	f = a + (time_t)(rnd(&seed) % (40 * D));

			ov[i] = ovr((long long)i + 1, who[rnd(&seed) % 4], f,
			    f + 1 + (time_t)(rnd(&seed) % (3 * D)),
			    (time_t)(rnd(&seed) % 5));
		}
		ns = rot_schedule(&r, &st, ov, nitems(ov),
		    st.shift_start + (time_t)(rnd(&seed) % (10 * D)),
		    nitems(s), s);
		assert_int_equal(ns, nitems(s));
		check_slots(&r, &st, ov, nitems(ov), s, ns, &seed);
	}
	tz_free(tz);
}

/* 100,000 overrides: finishes and agrees with brute force on a sample. */
static void
test_schedule_many(void **state)
{
	struct tz		*tz = zone("UTC");
	struct rot_role		 r;
	struct rot_state	 st;
	struct rot_override	*ov;
	struct rot_slot		 s[200];
	uint64_t		 seed = 1234567;
	time_t			 a = 1800000000;
	size_t			 i, n = 100000, ns;
	static const char	*people[] = { "p1", "p2", "p3", "p4", "p5" };

	r = role("r", abc, 3, 7, 0, a, tz);
	rot_state_init(&r, a, &st);
	ov = xcalloc(n, sizeof *ov);
	for (i = 0; i < n; i++) {
		time_t	f = a + (time_t)(rnd(&seed) % (3650LL * D));

		ov[i] = ovr((long long)i + 1, people[i % 5], f,
		    f + 60 + (time_t)(rnd(&seed) % (2 * D)),
		    a + (time_t)(rnd(&seed) % 1000000));
	}
	ns = rot_schedule(&r, &st, ov, n, a + 1000 * D, nitems(s), s);
	assert_int_equal(ns, nitems(s));
	assert_true(s[0].start <= a + 1000 * D);
	assert_true(s[0].end > a + 1000 * D);
	check_slots(&r, &st, ov, n, s, 20, &seed);
	for (i = 0; i < 50; i++)
		rot_who(&r, &st, ov, n, a + (time_t)(rnd(&seed) % (3000 * D)),
		    &s[0]);
	free(ov);
	tz_free(tz);
}

/* A swap: b takes a's next shift, a takes b's. */
static void
test_swap(void **state)
{
	struct tz		*tz = zone("UTC");
	struct rot_role		 r;
	struct rot_state	 st;
	struct rot_slot		 out[2];
	time_t			 a = 1800000000;
	char			*cause = NULL;

	r = role("outage-master", abc, 3, 1, 0, a, tz);
	rot_state_init(&r, a, &st);			/* alice now */
	assert_int_equal(rot_swap(&r, &st, "alice", "bob", a + H, out,
	    &cause), 0);
	/* alice's next shift is not the current one. */
	assert_int_equal(out[0].start, a + 3 * D);
	assert_int_equal(out[0].end, a + 4 * D);
	assert_string_equal(out[0].person, "bob");
	assert_string_equal(out[0].covers, "alice");
	assert_int_equal(out[1].start, a + D);
	assert_string_equal(out[1].person, "alice");
	assert_string_equal(out[1].covers, "bob");

	/* The next shifts are counted from the current list position. */
	assert_int_equal(rot_swap(&r, &st, "carol", "bob", a + 2 * D + 1,
	    out, &cause), 0);
	assert_int_equal(out[0].start, a + 5 * D);
	assert_int_equal(out[1].start, a + 4 * D);

	assert_int_equal(rot_swap(&r, &st, "zed", "bob", a, out, &cause), -1);
	assert_string_equal(cause, "zed is not in outage-master");
	free(cause);
	assert_int_equal(rot_swap(&r, &st, "bob", "zed", a, out, &cause), -1);
	assert_string_equal(cause, "zed is not in outage-master");
	free(cause);
	assert_int_equal(rot_swap(&r, &st, "bob", "bob", a, out, &cause), -1);
	assert_non_null(strstr(cause, "same person"));
	free(cause);
	tz_free(tz);
}

/* Undo folding: drop every CRLF followed by a space. */
static char *
unfold(const char *s)
{
	struct buf	b;

	buf_init(&b);
	while (*s != '\0') {
		if (s[0] == '\r' && s[1] == '\n' && s[2] == ' ')
			s += 3;
		else
			buf_addc(&b, *s++);
	}
	return buf_steal(&b);
}

/* Physical lines: CRLF everywhere, <= 75 octets, whole characters. */
static void
check_lines(const char *ical)
{
	const char	*p = ical, *e;

	while (*p != '\0') {
		e = strstr(p, "\r\n");
		assert_non_null(e);
		assert_true(e - p <= 75);
		assert_null(memchr(p, '\n', (size_t)(e - p)));
		assert_null(memchr(p, '\r', (size_t)(e - p)));
		/* A line never starts on a continuation byte... */
		if (*p == ' ')
			assert_true(((unsigned char)p[1] & 0xc0) != 0x80);
		/* ... and holds valid UTF-8 on its own. */
		assert_int_equal(util_utf8_valid(p, (size_t)(e - p)), 1);
		p = e + 2;
	}
}

/* The escaped SUMMARY values test_ical expects. */
#define SUMMARY	"SUMMARY:příliš-žluťoučký-kůň-úpěl-ďábelské-ódy-on-call-" \
		"rotation-x: "
#define ZOFIE	"Žofie Nováková-Šťastná\\, \"ředitelka\"\\; a\\\\b"

/* The calendar text. */
static void
test_ical(void **state)
{
	struct tz		*tz = zone("Europe/Prague");
	char			*names[] = {
		"Žofie Nováková-Šťastná, \"ředitelka\"; a\\b",
		"bob",
		"日本語の名前はとても長い日本語の名前は",
	};
	struct rot_role		 r;
	struct rot_state	 st;
	struct rot_override	 ov[1];
	struct rot_cal		 cal;
	time_t			 a = lt(tz, 2026, 3, 2, 9, 0);
	const char		*hdr = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//outagebot//oncall//EN\r\nCALSCALE:GREGORIAN\r\n";
	time_t			 until = lt(tz, 2026, 5, 25, 9, 0);
	char			*one, *two, *u1, *u2, *p, *q;
	size_t			 nev = 0;

	r = role("příliš-žluťoučký-kůň-úpěl-ďábelské-ódy-on-call-rotation-x",
	    names, 3, 7, 0, a, tz);
	rot_state_init(&r, a, &st);
	ov[0] = ovr(42, "bob", a + 2 * H, a + 5 * H, a);
	cal.role = &r;
	cal.state = &st;
	cal.overrides = ov;
	cal.noverrides = 1;

	one = rot_ical("bot.example", &cal, 1, a + H, until);
	check_lines(one);
	assert_true(strncmp(one, hdr, strlen(hdr)) == 0);
	assert_non_null(strstr(one, "END:VCALENDAR\r\n"));
	u1 = unfold(one);
	for (p = u1; (p = strstr(p, "BEGIN:VEVENT")) != NULL; p++)
		nev++;
	assert_int_equal(nev, 12 + 2);		/* one shift is split in 3 */
	/* Unfolding restores whole, escaped values. */
	assert_non_null(strstr(u1, SUMMARY ZOFIE "\r\n"));
	assert_non_null(strstr(u1,
	    SUMMARY "bob (covering for " ZOFIE ")\r\n"));
	assert_non_null(strstr(u1, SUMMARY "日本語の名前はとても長い日本語の名前は"
	    "\r\n"));
	/* UTC times; the first shift began before now and is included. */
	assert_non_null(strstr(u1, "DTSTART:20260302T080000Z\r\n"));
	assert_non_null(strstr(u1, "DTEND:20260302T100000Z\r\n"));
	assert_non_null(strstr(u1, "-20260302T100000Z-o42@bot.example\r\n"));
	assert_non_null(strstr(u1, "DTSTART:20260330T070000Z\r\n"));
	assert_non_null(strstr(u1, "DTSTAMP:20260302T090000Z\r\n"));

	/*
	 * Rendered later, inside bob's cover: the first slot has passed,
	 * every other event keeps its UID.
	 */
	two = rot_ical("bot.example", &cal, 1, a + 3 * H, until);
	check_lines(two);
	u2 = unfold(two);
	nev = 0;
	for (p = u2; (p = strstr(p, "\r\nUID:")) != NULL; p++) {
		q = strstr(p + 2, "\r\n");
		assert_non_null(q);
		*q = '\0';
		assert_non_null(strstr(u1, p + 2));
		*q = '\r';
		nev++;
	}
	assert_int_equal(nev, 12 + 1);
	assert_null(strstr(u2, "DTSTAMP:20260302T090000Z"));
	free(one);
	free(two);
	free(u1);
	free(u2);
	tz_free(tz);
}

/* A year of 12 h shifts: more slots than one schedule call returns. */
static void
test_ical_long(void **state)
{
	struct tz		*tz = zone("Europe/Prague");
	struct rot_role		 r;
	struct rot_state	 st;
	struct rot_cal		 cal[2];
	time_t			 a = lt(tz, 2026, 1, 1, 8, 0);
	char			*ical, *p, prev[32] = "";
	size_t			 nev = 0;

	r = role("r", abc, 3, 0, 12 * H * 1000, a, tz);
	rot_state_init(&r, a, &st);
	memset(cal, 0, sizeof cal);
	cal[0].role = &r;
	cal[0].state = &st;
	ical = rot_ical("i", cal, 1, a, a + 365 * D);
	for (p = ical; (p = strstr(p, "DTSTART:")) != NULL; p++) {
		if (prev[0] != '\0')
			assert_true(strncmp(p + 8, prev, 16) == 0);
		p = strstr(p, "DTEND:");
		memcpy(prev, p + 6, 16);
		nev++;
	}
	assert_int_equal(nev, 730);
	assert_non_null(strstr(ical, "DTSTART:20260101T070000Z\r\n"));
	assert_non_null(strstr(ical, "DTEND:20270101T070000Z\r\n"));
	free(ical);

	/* Two roles, one after the other. */
	cal[1] = cal[0];
	ical = rot_ical("i", cal, 2, a, a + 10 * D);
	nev = 0;
	for (p = ical; (p = strstr(p, "BEGIN:VEVENT")) != NULL; p++)
		nev++;
	assert_int_equal(nev, 40);
	free(ical);
	tz_free(tz);
}

/*
 * Folding at every alignment: ASCII prefixes of 0..8 bytes before 2-,
 * 3- and 4-byte characters put a 75-octet cut inside a character in
 * some of the renders; each physical line must still be whole UTF-8.
 * A newline in a name is escaped.
 */
static void
test_ical_fold(void **state)
{
	struct tz		*tz = zone("UTC");
	char			*m[] = { "😀😀😀😀😀😀😀😀😀😀😀😀😀😀", "ñññññññññññññññ" };
	char			 name[128];
	struct rot_role		 r;
	struct rot_state	 st;
	struct rot_override	 ov[1];
	struct rot_cal		 cal;
	char			*ical, *u;
	int			 k;

	ov[0] = ovr(3, "eve\nmallory", 1800000000 + H, 1800000000 + 2 * H,
	    1);
	for (k = 0; k <= 8; k++) {
		memset(name, 'r', (size_t)k);
		name[k] = '\0';
		strlcpy_ob(name + k, "語語語語語語語語語語語語語語語語語語",
		    sizeof name - (size_t)k);
		r = role(name, m, 2, 1, 0, 1800000000, tz);
		rot_state_init(&r, 1800000000, &st);
		cal.role = &r;
		cal.state = &st;
		cal.overrides = ov;
		cal.noverrides = 1;
		ical = rot_ical("i", &cal, 1, 1800000000, 1800000000 + 3 * D);
		check_lines(ical);
		u = unfold(ical);
		assert_non_null(strstr(u, "SUMMARY:"));
		assert_non_null(strstr(u, name));
		assert_non_null(strstr(u, m[0]));
		assert_non_null(strstr(u, m[1]));
		assert_non_null(strstr(u, ": eve\\nmallory (covering for"));
		free(u);
		free(ical);
	}
	tz_free(tz);
}

/* Fill one slot for test_runs. */
static void
slot(struct rot_slot *sl, time_t a, time_t b, const char *person,
    const char *covers, long long id)
{
	memset(sl, 0, sizeof *sl);
	sl->start = a;
	sl->end = b;
	snprintf(sl->person, sizeof sl->person, "%s", person);
	snprintf(sl->covers, sizeof sl->covers, "%s", covers);
	sl->override_id = id;
}

/* rot_runs merges adjacent slots of one person and cause only. */
static void
test_runs(void **state)
{
	struct rot_slot	s[5];

	slot(&s[0], 0, 10, "alice", "", 0);
	slot(&s[1], 10, 20, "alice", "", 7);
	slot(&s[2], 20, 30, "bob", "", 0);
	slot(&s[3], 30, 40, "bob", "carol", 3);
	slot(&s[4], 45, 50, "bob", "carol", 3);
	assert_int_equal(rot_runs(s, 5), 4);
	/* Two plain shifts of a one-member rotation stay two. */
	slot(&s[0], 0, 10, "alice", "", 0);
	slot(&s[1], 10, 20, "alice", "", 0);
	assert_int_equal(rot_runs(s, 2), 2);
	slot(&s[0], 0, 10, "alice", "", 0);
	slot(&s[1], 10, 20, "alice", "", 7);
	slot(&s[2], 20, 30, "bob", "", 0);
	slot(&s[3], 30, 40, "bob", "carol", 3);
	slot(&s[4], 45, 50, "bob", "carol", 3);
	assert_int_equal(rot_runs(s, 5), 4);
	assert_int_equal(s[0].end, 20);
	assert_int_equal(s[0].override_id, 7);
	assert_string_equal(s[1].person, "bob");
	assert_string_equal(s[1].covers, "");
	assert_string_equal(s[2].covers, "carol");
	assert_int_equal(s[3].start, 45);	/* a gap is not merged */
	assert_int_equal(rot_runs(s, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_weekly_prague),
		cmocka_unit_test(test_weekly_new_york),
		cmocka_unit_test(test_weekly_tokyo),
		cmocka_unit_test(test_weekly_lord_howe),
		cmocka_unit_test(test_daily_biweekly_prague),
		cmocka_unit_test(test_absolute_12h),
		cmocka_unit_test(test_leap_day),
		cmocka_unit_test(test_gap_anchor),
		cmocka_unit_test(test_containing),
		cmocka_unit_test(test_state_init),
		cmocka_unit_test(test_advance),
		cmocka_unit_test(test_member_edits),
		cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_override_at),
		cmocka_unit_test(test_schedule_overrides),
		cmocka_unit_test(test_schedule_single),
		cmocka_unit_test(test_schedule_random),
		cmocka_unit_test(test_schedule_many),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_ical),
		cmocka_unit_test(test_ical_long),
		cmocka_unit_test(test_ical_fold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
