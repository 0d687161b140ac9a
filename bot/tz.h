/*
 * tz.h — IANA time zones without touching the process's TZ: a reader of
 * the system's TZif files (/usr/share/zoneinfo, or $TZDIR) and of the
 * POSIX rule string at their end, which covers instants after the last
 * listed transition. Pure after loading: conversions read only the
 * loaded struct, so rotation math is unit-tested against glibc.
 */
#ifndef OB_TZ_H
#define OB_TZ_H

#include <time.h>

struct tz;

/* A local wall time and the zone's offset at that instant. */
struct tz_local {
	int	year;
	int	mon;		/* 1-12 */
	int	mday;		/* 1-31 */
	int	hour;
	int	min;
	int	sec;
	int	wday;		/* 0 = Sunday */
	long	gmtoff;		/* seconds east of UTC */
	char	abbr[16];	/* "CET", "+1030" */
};

/*
 * Load zone name ("UTC", "Europe/Prague"). Returns NULL and sets *cause
 * ("unknown time zone \"Mars/Base\"") if it cannot be read. A name with
 * ".." or a leading '/' is refused.
 */
struct tz	*tz_load(const char *name, char **cause);
void		 tz_free(struct tz *);		/* NULL is a no-op */
const char	*tz_name(const struct tz *);

/* The local time of instant t. */
void		 tz_to_local(const struct tz *, time_t t, struct tz_local *);

/*
 * The instant of a local wall time. A time that does not exist (in a
 * gap when clocks jump forward) is moved forward by the gap's length; a
 * time that exists twice (clocks jump back) takes the earlier instant.
 */
time_t		 tz_from_local(const struct tz *, int year, int mon, int mday,
		     int hour, int min, int sec);

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
long long	 tz_days_from_civil(int year, int mon, int mday);
void		 tz_civil_from_days(long long days, int *year, int *mon,
		     int *mday);

#endif
