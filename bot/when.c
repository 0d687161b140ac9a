/*
 * when.c — reading the times people type ("16:00", "2026-11-30 09:00",
 * "2h", ISO 8601 with an offset) and writing times back in a zone
 * ("Mon 30 Nov 09:00 CET"). Pure: the zone and "now" are arguments; the
 * zone arithmetic is tz.c's. Nothing here reads the process's TZ.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"
#include "util.h"
#include "when.h"

#define WHEN_HINT	"(use 16:00, 2026-11-30 09:00, 2h, ...)"

/* Read exactly n digits at *p into *v; advance. 0 or -1. */
static int
when_digits(const char **p, int n, int *v)
{
	int	i, x = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

/* Read "YYYY-MM-DD" at *p. */
int
when_read_date(const char **p, int *y, int *mo, int *d)
{
	if (when_digits(p, 4, y) != 0 || **p != '-')
		return -1;
	(*p)++;
	if (when_digits(p, 2, mo) != 0 || **p != '-')
		return -1;
	(*p)++;
	if (when_digits(p, 2, d) != 0)
		return -1;
	/* Years outside this range are typos, not plans. */
	if (*y < 1970 || *mo < 1 || *mo > 12 || *d < 1)
		return -1;
	/* The day must exist in that month (2026-02-30 is an error). */
	{
		int	 yy, mm, dd;

		tz_civil_from_days(tz_days_from_civil(*y, *mo, *d), &yy, &mm,
		    &dd);
		if (yy != *y || mm != *mo || dd != *d)
			return -1;
	}
	return 0;
}

/* Read "HH:MM" or "HH:MM:SS" (one-digit hours allowed) at *p. */
int
when_read_clock(const char **p, int *h, int *mi, int *s)
{
	const char	*q = *p;

	*s = 0;
	if (isdigit((unsigned char)q[0]) && q[1] == ':') {
		*h = q[0] - '0';
		q++;
	} else if (when_digits(&q, 2, h) != 0)
		return -1;
	if (*q != ':')
		return -1;
	q++;
	if (when_digits(&q, 2, mi) != 0)
		return -1;
	if (*q == ':') {
		q++;
		if (when_digits(&q, 2, s) != 0)
			return -1;
	}
	if (*h > 23 || *mi > 59 || *s > 59)
		return -1;
	*p = q;
	return 0;
}

/* Read "Z", "+01:00", "+0100", "-05" at *p into seconds east. */
int
when_read_offset(const char **p, long *off)
{
	const char	*q = *p;
	int		 sign, hh, mm = 0;

	if (*q == 'Z' || *q == 'z') {
		*off = 0;
		*p = q + 1;
		return 0;
	}
	if (*q != '+' && *q != '-')
		return -1;
	sign = *q == '-' ? -1 : 1;
	q++;
	if (when_digits(&q, 2, &hh) != 0)
		return -1;
	if (*q == ':')
		q++;
	if (isdigit((unsigned char)*q) && when_digits(&q, 2, &mm) != 0)
		return -1;
	if (hh > 14 || mm > 59)
		return -1;
	*off = sign * (hh * 3600L + mm * 60L);
	*p = q;
	return 0;
}

/* Does text look like a date? */
int
when_is_date(const char *text)
{
	int	y, mo, d;

	return when_read_date(&text, &y, &mo, &d) == 0 && *text == '\0';
}

/* Does text look like a clock time? */
int
when_is_clock(const char *text)
{
	int	h, mi, s;

	return when_read_clock(&text, &h, &mi, &s) == 0 && *text == '\0';
}

/* Parse a time as people type it. */
int
when_parse(const char *text, const struct tz *tz, time_t now, time_t *out,
    char **cause)
{
	const char	*p = text;
	struct tz_local	 l;
	long long	 ms;
	long		 off;
	int		 y, mo, d, h = 0, mi = 0, s = 0, has_off = 0;

	if (strcmp(text, "now") == 0) {
		*out = now;
		return 0;
	}
	if (*p == '+' && util_parse_duration(p + 1, &ms) == 0) {
		*out = now + (time_t)(ms / 1000);
		return 0;
	}
	if (util_parse_duration(p, &ms) == 0) {
		*out = now + (time_t)(ms / 1000);
		return 0;
	}
	if (when_read_clock(&p, &h, &mi, &s) == 0 && *p == '\0') {
		time_t	t;

		/* The next occurrence of that wall time in the zone. */
		tz_to_local(tz, now, &l);
		t = tz_from_local(tz, l.year, l.mon, l.mday, h, mi, s);
		if (t <= now) {
			t = tz_from_local(tz, l.year, l.mon, l.mday + 1, h, mi,
			    s);
		}
		*out = t;
		return 0;
	}
	p = text;
	h = mi = s = 0;		/* the clock attempt above may have set them */
	if (when_read_date(&p, &y, &mo, &d) != 0)
		goto bad;
	if (*p == ' ' || *p == 'T' || *p == 't') {
		p++;
		if (when_read_clock(&p, &h, &mi, &s) != 0)
			goto bad;
	}
	if (*p != '\0') {
		if (when_read_offset(&p, &off) != 0 || *p != '\0')
			goto bad;
		has_off = 1;
	}
	if (has_off) {
		*out = (time_t)(tz_days_from_civil(y, mo, d) * 86400LL +
		    h * 3600LL + mi * 60LL + s - off);
	} else
		*out = tz_from_local(tz, y, mo, d, h, mi, s);
	return 0;
bad:
	*cause = xasprintf("\"%.40s\" is not a time " WHEN_HINT, text);
	return -1;
}

/* "Mon 30 Nov 09:00 CET", with the year when it is not now's. */
const char *
when_format(const struct tz *tz, time_t t, time_t now, char *buf,
    size_t bufsz)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec"
	};
	struct tz_local	l, n;

	tz_to_local(tz, t, &l);
	tz_to_local(tz, now, &n);
	if (l.year == n.year) {
		snprintf(buf, bufsz, "%s %d %s %02d:%02d %s", days[l.wday],
		    l.mday, months[l.mon - 1], l.hour, l.min, l.abbr);
	} else {
		snprintf(buf, bufsz, "%s %d %s %d %02d:%02d %s", days[l.wday],
		    l.mday, months[l.mon - 1], l.year, l.hour, l.min, l.abbr);
	}
	return buf;
}

/* RFC 3339 in UTC. */
const char *
when_rfc3339(time_t t, char *buf, size_t bufsz)
{
	long long	days = (long long)t / 86400, secs = (long long)t % 86400;
	int		y, mo, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	tz_civil_from_days(days, &y, &mo, &d);
	snprintf(buf, bufsz, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d,
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	return buf;
}
