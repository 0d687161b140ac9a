/*
 * tz.c — time zones read straight from the system's TZif files, so that
 * the bot can show and compute times in many zones at once without ever
 * touching the process's TZ variable or calling localtime/mktime. This
 * file owns the TZif reader (versions 1 to 4; the 64-bit block of v2+),
 * the parser and evaluator of the POSIX rule string in the file's footer
 * (which describes every instant after the last listed transition), and
 * the proleptic Gregorian day arithmetic that everything else rests on.
 *
 * It must not change process state (no setenv, no tzset), must not keep
 * caches outside a struct tz, and must never trust the file: every count
 * and index is checked against the bytes actually read, and a bad file is
 * a clean NULL with a reason. After tz_load a struct tz is read-only, so
 * one zone can be shared by any number of callers.
 *
 * Limits: leap-second zones ("right/...") are refused, since the bot
 * counts POSIX seconds. Instants further than about a billion years from
 * the epoch are clamped before conversion, so that years fit in an int.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tz.h"
#include "util.h"

#define TZ_MOD		"tz"
#define TZ_DEFAULT_DIR	"/usr/share/zoneinfo"
#define TZ_NAME_MAX	255
#define TZ_FILE_MAX	(1024 * 1024)	/* real files are a few KiB */
#define TZ_COUNT_MAX	100000		/* per table, far above real data */
/* The size of struct tz_local's abbr. */
#define TZ_ABBR_MAX	16

/* Offsets a TZif file may use (RFC 8536 bounds: -25h+1s .. +26h-1s). */
#define TZ_OFF_MIN	(-89999L)
#define TZ_OFF_MAX	93599L

/* Clamp instants to this many seconds either side of the epoch. */
#define TZ_T_LIMIT	(1LL << 55)

#define TZ_DAY		86400LL

/* One local time type of a TZif file. */
struct tz_type {
	long	off;			/* seconds east of UTC */
	int	isdst;
	char	abbr[TZ_ABBR_MAX];
};

/* When a POSIX rule switches: which day of the year, at what local time. */
struct tz_when {
	enum {
		TZ_WHEN_JULIAN,		/* Jn: 1..365, Feb 29 never counted */
		TZ_WHEN_ZERO,		/* n: 0..365, Feb 29 counted */
		TZ_WHEN_MONTH		/* Mm.w.d */
	}	kind;
	int	day;			/* Jn, n, or d (0 = Sunday) of M */
	int	week;			/* 1..5, 5 = last */
	int	mon;			/* 1..12 */
	long	time;			/* seconds after local midnight */
};

/* A parsed POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"). */
struct tz_rule {
	struct tz_type	std;
	struct tz_type	dst;
	int		hasdst;
	struct tz_when	start;		/* into DST, in standard time */
	struct tz_when	end;		/* out of DST, in DST time */
};

struct tz {
	char		*name;
	int64_t		*trans;		/* ascending instants */
	unsigned char	*idx;		/* type of each transition */
	size_t		 ntrans;
	struct tz_type	*types;
	size_t		 ntypes;
	int		 hasrule;
	struct tz_rule	 rule;
};

/* A cursor over the bytes of a TZif file; every read is bounds-checked. */
struct tz_reader {
	const unsigned char	*p;
	size_t			 len;
	size_t			 off;
};

/* Keep an instant within the range whose year fits an int. */
static int64_t
tz_clamp(int64_t t)
{
	if (t > TZ_T_LIMIT)
		return TZ_T_LIMIT;
	if (t < -TZ_T_LIMIT)
		return -TZ_T_LIMIT;
	return t;
}

/*
 * Days from 0 March of March-based year 0 to the first of each month,
 * March first: with the leap day at the end of the year, month lengths
 * never depend on the year.
 */
static const int tz_mar_month_start[12] = {
	0, 31, 61, 92, 122, 153, 184, 214, 245, 275, 306, 337
};

/* Days from 1 March 0000 to 1 January 1970. */
#define TZ_EPOCH_SHIFT	719468LL
/* Days in 400 Gregorian years; centuries and four-year blocks. */
#define TZ_DAYS_400Y	146097LL
#define TZ_DAYS_100Y	36524LL
#define TZ_DAYS_4Y	1461LL

/* Days since 1970-01-01 of a civil date; mon and mday may overflow. */
long long
tz_days_from_civil(int year, int mon, int mday)
{
	long long	y, m, cycles, yic, days;

	/* Fold any month number into 0..11 (January = 0) and the year. */
	m = (long long)mon - 1;
	y = (long long)year + util_floordiv(m, 12);
	m -= util_floordiv(m, 12) * 12;

	/* Count years from March, so January and February end the year. */
	if (m < 2) {
		y--;
		m += 10;
	} else
		m -= 2;

	cycles = util_floordiv(y, 400);
	yic = y - cycles * 400;			/* 0..399 */
	days = cycles * TZ_DAYS_400Y;
	days += yic * 365 + yic / 4 - yic / 100;
	days += tz_mar_month_start[m];
	days += (long long)mday - 1;
	return days - TZ_EPOCH_SHIFT;
}

/* The civil date of a day count since 1970-01-01. */
void
tz_civil_from_days(long long days, int *year, int *mon, int *mday)
{
	long long	z, cycles, doc, cent, rest, quad, yiq, doy, y;
	int		m;

	/* Beyond this the year would not fit an int. */
	if (days > 700000000000LL)
		days = 700000000000LL;
	if (days < -700000000000LL)
		days = -700000000000LL;

	z = days + TZ_EPOCH_SHIFT;
	cycles = util_floordiv(z, TZ_DAYS_400Y);
	doc = z - cycles * TZ_DAYS_400Y;	/* 0..146096 */

	/* Only the fourth century of a cycle ends on a leap day. */
	cent = doc / TZ_DAYS_100Y;
	if (cent > 3)
		cent = 3;
	rest = doc - cent * TZ_DAYS_100Y;
	quad = rest / TZ_DAYS_4Y;
	rest -= quad * TZ_DAYS_4Y;
	/* Only the fourth year of a block has 366 days. */
	yiq = rest / 365;
	if (yiq > 3)
		yiq = 3;
	doy = rest - yiq * 365;			/* 0 = 1 March */

	y = cycles * 400 + cent * 100 + quad * 4 + yiq;
	for (m = 11; m > 0; m--) {
		if (doy >= tz_mar_month_start[m])
			break;
	}
	*mday = (int)(doy - tz_mar_month_start[m]) + 1;
	if (m >= 10) {
		*mon = m - 9;
		y++;
	} else
		*mon = m + 3;
	*year = (int)y;
}

/* 1 if year is a Gregorian leap year. */
static int
tz_is_leap(long long year)
{
	if (year % 4 != 0)
		return 0;
	if (year % 100 != 0)
		return 1;
	return year % 400 == 0;
}

/* Day of the week (0 = Sunday) of a day count; 1970-01-01 was Thursday. */
static int
tz_weekday(long long days)
{
	return (int)(days - util_floordiv(days + 4, 7) * 7 + 4);
}

/* Read n big-endian bytes as an unsigned number; -1 if past the end. */
static int
tz_read_be(struct tz_reader *r, size_t n, uint64_t *out)
{
	uint64_t	v = 0;
	size_t		i;

	if (r->len - r->off < n)
		return -1;
	for (i = 0; i < n; i++)
		v = (v << 8) | r->p[r->off + i];
	r->off += n;
	*out = v;
	return 0;
}

/* Skip n bytes; -1 if that runs past the end. */
static int
tz_skip(struct tz_reader *r, uint64_t n)
{
	if (n > r->len - r->off)
		return -1;
	r->off += (size_t)n;
	return 0;
}

/* Copy an abbreviation, keeping only what fits struct tz_local. */
static void
tz_set_abbr(char *dst, const char *src, size_t len)
{
	if (len >= TZ_ABBR_MAX)
		len = TZ_ABBR_MAX - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/*
 * Parse "[+-]hh[:mm[:ss]]" into seconds, hours at most maxh. Moves *sp
 * past it. Returns -1 on bad syntax or range.
 */
static int
tz_parse_hms(const char **sp, int maxh, long *out)
{
	const char	*s = *sp;
	long		 sign = 1, part[3] = { 0, 0, 0 };
	int		 i, digits;

	if (*s == '+' || *s == '-') {
		if (*s == '-')
			sign = -1;
		s++;
	}
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			if (*s != ':')
				break;
			s++;
		}
		digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 3) {
			part[i] = part[i] * 10 + (*s - '0');
			s++;
			digits++;
		}
		if (digits == 0 || (i > 0 && (digits != 2 || part[i] > 59)))
			return -1;
	}
	if (part[0] > maxh)
		return -1;
	*out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	*sp = s;
	return 0;
}

/* Parse a zone name, "<+0545>" or "CET"; at most TZ_ABBR_MAX-1 kept. */
static int
tz_parse_name(const char **sp, char *out)
{
	const char	*s = *sp, *start;
	size_t		 len;

	if (*s == '<') {
		start = ++s;
		while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '+' || *s == '-')
			s++;
		if (*s != '>')
			return -1;
		len = (size_t)(s - start);
		s++;
	} else {
		start = s;
		while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
			s++;
		len = (size_t)(s - start);
	}
	if (len < 3)
		return -1;
	tz_set_abbr(out, start, len);
	*sp = s;
	return 0;
}

/* Parse a small decimal number in [min, max]. */
static int
tz_parse_num(const char **sp, int min, int max, int *out)
{
	const char	*s = *sp;
	long		 v = 0;
	int		 digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 4) {
		v = v * 10 + (*s - '0');
		s++;
		digits++;
	}
	if (digits == 0 || v < min || v > max)
		return -1;
	*out = (int)v;
	*sp = s;
	return 0;
}

/* Parse one rule date "Jn", "n" or "Mm.w.d", with an optional "/time". */
static int
tz_parse_when(const char **sp, struct tz_when *w)
{
	const char	*s = *sp;

	memset(w, 0, sizeof *w);
	if (*s == 'J') {
		s++;
		w->kind = TZ_WHEN_JULIAN;
		if (tz_parse_num(&s, 1, 365, &w->day) != 0)
			return -1;
	} else if (*s == 'M') {
		s++;
		w->kind = TZ_WHEN_MONTH;
		if (tz_parse_num(&s, 1, 12, &w->mon) != 0 || *s++ != '.')
			return -1;
		if (tz_parse_num(&s, 1, 5, &w->week) != 0 || *s++ != '.')
			return -1;
		if (tz_parse_num(&s, 0, 6, &w->day) != 0)
			return -1;
	} else {
		w->kind = TZ_WHEN_ZERO;
		if (tz_parse_num(&s, 0, 365, &w->day) != 0)
			return -1;
	}
	w->time = 2 * 3600;
	if (*s == '/') {
		s++;
		/* TZif v3 allows -167..167 hours here. */
		if (tz_parse_hms(&s, 167, &w->time) != 0)
			return -1;
	}
	*sp = s;
	return 0;
}

/*
 * Parse a POSIX TZ string as found in a TZif footer. Offsets in the
 * string count west of UTC; they are stored east, like tm_gmtoff.
 * Returns -1 on anything that is not a complete, valid rule.
 */
static int
tz_parse_rule(const char *s, struct tz_rule *r)
{
	long	off;

	memset(r, 0, sizeof *r);
	if (tz_parse_name(&s, r->std.abbr) != 0)
		return -1;
	if (tz_parse_hms(&s, 24, &off) != 0)
		return -1;
	r->std.off = -off;
	if (*s == '\0')
		return 0;

	r->hasdst = 1;
	r->dst.isdst = 1;
	if (tz_parse_name(&s, r->dst.abbr) != 0)
		return -1;
	r->dst.off = r->std.off + 3600;
	if (*s != ',' && *s != '\0') {
		if (tz_parse_hms(&s, 24, &off) != 0)
			return -1;
		r->dst.off = -off;
	}
	if (*s == '\0') {
		/* No dates: the same default as glibc, the US rules. */
		s = ",M3.2.0,M11.1.0";
	}
	if (*s++ != ',' || tz_parse_when(&s, &r->start) != 0)
		return -1;
	if (*s++ != ',' || tz_parse_when(&s, &r->end) != 0)
		return -1;
	return *s == '\0' ? 0 : -1;
}

/* The first day (days since epoch) a rule date names in a year. */
static long long
tz_when_day(const struct tz_when *w, long long year)
{
	long long	jan1, first, next, d;
	int		yr = (int)year;

	jan1 = tz_days_from_civil(yr, 1, 1);
	switch (w->kind) {
	case TZ_WHEN_JULIAN:
		/* Day 60 is 1 March even in a leap year. */
		d = jan1 + w->day - 1;
		if (tz_is_leap(year) && w->day >= 60)
			d++;
		return d;
	case TZ_WHEN_ZERO:
		return jan1 + w->day;
	case TZ_WHEN_MONTH:
		break;
	}
	first = tz_days_from_civil(yr, w->mon, 1);
	next = tz_days_from_civil(yr, w->mon + 1, 1);
	d = first + ((w->day - tz_weekday(first)) + 7) % 7;
	d += (long long)(w->week - 1) * 7;
	while (d >= next)
		d -= 7;
	return d;
}

/* One switch of a rule: when (UTC) and whether DST starts there. */
struct tz_switch {
	int64_t	at;
	int	todst;
};

/*
 * The switches of the rule in years year-1 .. year+1, in time order
 * (ties keep year order, so a year's end and the next year's start that
 * coincide leave DST on, as "all year DST" rules intend). Fills sw[6].
 */
static void
tz_rule_switches(const struct tz_rule *r, long long year,
    struct tz_switch sw[6])
{
	struct tz_switch	tmp;
	long long		y;
	int			i, j, n = 0;

	for (y = year - 1; y <= year + 1; y++) {
		sw[n].at = tz_when_day(&r->start, y) * TZ_DAY +
		    r->start.time - r->std.off;
		sw[n].todst = 1;
		n++;
		sw[n].at = tz_when_day(&r->end, y) * TZ_DAY +
		    r->end.time - r->dst.off;
		sw[n].todst = 0;
		n++;
	}
	/* Insertion sort: stable, and six entries. */
	for (i = 1; i < n; i++) {
		tmp = sw[i];
		for (j = i; j > 0 && sw[j - 1].at > tmp.at; j--)
			sw[j] = sw[j - 1];
		sw[j] = tmp;
	}
}

/* The civil year in which instant t falls, read in standard time. */
static long long
tz_rule_year(const struct tz_rule *r, int64_t t)
{
	int	y, m, d;

	tz_civil_from_days(util_floordiv(tz_clamp(t) + r->std.off, TZ_DAY),
	    &y, &m, &d);
	return y;
}

/* The local time type a POSIX rule gives instant t. */
static const struct tz_type *
tz_rule_type(const struct tz_rule *r, int64_t t)
{
	struct tz_switch	sw[6];
	int			i, dst;

	if (!r->hasdst)
		return &r->std;
	t = tz_clamp(t);
	tz_rule_switches(r, tz_rule_year(r, t), sw);
	/* Before the first listed switch, the state is the opposite. */
	dst = !sw[0].todst;
	for (i = 0; i < 6 && sw[i].at <= t; i++)
		dst = sw[i].todst;
	return dst ? &r->dst : &r->std;
}

/* The first rule switch strictly after t; -1 if the rule has none. */
static int
tz_rule_next(const struct tz_rule *r, int64_t t, int64_t *next)
{
	struct tz_switch	sw[6];
	int			i;

	if (!r->hasdst)
		return -1;
	t = tz_clamp(t);
	tz_rule_switches(r, tz_rule_year(r, t), sw);
	for (i = 0; i < 6; i++) {
		if (sw[i].at > t) {
			*next = sw[i].at;
			return 0;
		}
	}
	return -1;
}

/* Index of the last transition at or before t; -1 if none. */
static long
tz_find(const struct tz *tz, int64_t t)
{
	size_t	lo = 0, hi = tz->ntrans, mid;

	/* Invariant: trans[< lo] <= t < trans[>= hi]. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* The local time type in force at instant t. */
static const struct tz_type *
tz_type_at(const struct tz *tz, int64_t t)
{
	long	i;

	if (tz->ntrans == 0)
		return tz->hasrule ? tz_rule_type(&tz->rule, t) :
		    &tz->types[0];
	i = tz_find(tz, t);
	if (i < 0)
		return &tz->types[0];
	if ((size_t)i == tz->ntrans - 1 && tz->hasrule)
		return tz_rule_type(&tz->rule, t);
	return &tz->types[tz->idx[i]];
}

/* The first instant after t at which the type may change; -1 if none. */
static int
tz_next_change(const struct tz *tz, int64_t t, int64_t *next)
{
	long	i;

	if (tz->ntrans == 0 || t >= tz->trans[tz->ntrans - 1]) {
		if (!tz->hasrule)
			return -1;
		return tz_rule_next(&tz->rule, t, next);
	}
	i = tz_find(tz, t);
	*next = tz->trans[i + 1];
	return 0;
}

/* Convert a TZif utoff/isdst/abbr triple into a struct tz_type. */
static int
tz_load_type(struct tz_reader *r, const char *chars, size_t nchars,
    struct tz_type *ty)
{
	uint64_t	off, isdst, ai;
	int32_t		soff;
	size_t		len;

	if (tz_read_be(r, 4, &off) != 0 || tz_read_be(r, 1, &isdst) != 0 ||
	    tz_read_be(r, 1, &ai) != 0)
		return -1;
	soff = (int32_t)(uint32_t)off;
	if (soff < TZ_OFF_MIN || soff > TZ_OFF_MAX || isdst > 1 ||
	    ai >= nchars)
		return -1;
	ty->off = soff;
	ty->isdst = (int)isdst;
	/* chars is NUL-terminated at nchars by the caller. */
	len = strlen(chars + ai);
	tz_set_abbr(ty->abbr, chars + ai, len);
	return 0;
}

/* The six counts of a TZif header, in file order. */
struct tz_header {
	int		version;	/* 1, 2, 3, 4 */
	uint64_t	isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

/* Read and check a 44-byte TZif header. */
static int
tz_read_header(struct tz_reader *r, struct tz_header *h, const char **why)
{
	uint64_t	*counts[6];
	int		 i;

	if (r->len - r->off < 44 ||
	    memcmp(r->p + r->off, "TZif", 4) != 0) {
		*why = "not a TZif file";
		return -1;
	}
	switch (r->p[r->off + 4]) {
	case 0:
		h->version = 1;
		break;
	case '2':
	case '3':
	case '4':
		h->version = r->p[r->off + 4] - '0';
		break;
	default:
		*why = "unknown TZif version";
		return -1;
	}
	r->off += 20;
	counts[0] = &h->isutcnt;
	counts[1] = &h->isstdcnt;
	counts[2] = &h->leapcnt;
	counts[3] = &h->timecnt;
	counts[4] = &h->typecnt;
	counts[5] = &h->charcnt;
	for (i = 0; i < 6; i++) {
		/* Cannot fail: 44 bytes were checked above. */
		(void)tz_read_be(r, 4, counts[i]);
		if (*counts[i] > TZ_COUNT_MAX) {
			*why = "count too large";
			return -1;
		}
	}
	if ((h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt != 0 && h->isstdcnt != h->typecnt)) {
		*why = "bad indicator counts";
		return -1;
	}
	if (h->leapcnt != 0) {
		*why = "leap-second zones are not supported";
		return -1;
	}
	return 0;
}

/*
 * Read one data block (tsize = 4 for v1, 8 for v2+) into tz. The block
 * is read in file order: times, indices, types, abbreviations, leap
 * records, indicators.
 */
static int
tz_read_block(struct tz_reader *r, const struct tz_header *h, size_t tsize,
    struct tz *tz, const char **why)
{
	struct tz_reader	 tr;
	const unsigned char	*timep, *idxp, *typep;
	char			*chars;
	uint64_t		 v = 0;
	size_t			 i, need;
	int64_t			 t;

	if (h->typecnt == 0 || h->charcnt == 0) {
		*why = "no local time types";
		return -1;
	}
	need = (size_t)h->timecnt * (tsize + 1) + (size_t)h->typecnt * 6 +
	    (size_t)h->charcnt + (size_t)h->leapcnt * (tsize + 4) +
	    (size_t)h->isstdcnt + (size_t)h->isutcnt;
	if (r->len - r->off < need) {
		*why = "truncated data block";
		return -1;
	}
	timep = r->p + r->off;
	idxp = timep + h->timecnt * tsize;
	typep = idxp + h->timecnt;

	/* Abbreviations first, so the types can point into them. */
	chars = xmalloc((size_t)h->charcnt + 1);
	memcpy(chars, typep + h->typecnt * 6, (size_t)h->charcnt);
	chars[h->charcnt] = '\0';

	tz->ntypes = (size_t)h->typecnt;
	tz->types = xcalloc(tz->ntypes, sizeof *tz->types);
	tr.p = typep;
	tr.len = (size_t)h->typecnt * 6;
	tr.off = 0;
	for (i = 0; i < tz->ntypes; i++) {
		if (tz_load_type(&tr, chars, (size_t)h->charcnt,
		    &tz->types[i]) != 0) {
			free(chars);
			*why = "bad local time type";
			return -1;
		}
	}
	free(chars);

	tz->ntrans = (size_t)h->timecnt;
	tz->trans = xcalloc(tz->ntrans + 1, sizeof *tz->trans);
	tz->idx = xcalloc(tz->ntrans + 1, 1);
	tr.p = timep;
	tr.len = (size_t)h->timecnt * tsize;
	tr.off = 0;
	for (i = 0; i < tz->ntrans; i++) {
		(void)tz_read_be(&tr, tsize, &v);
		if (tsize == 4)
			t = (int32_t)(uint32_t)v;
		else
			t = (int64_t)v;
		if (i > 0 && t <= tz->trans[i - 1]) {
			*why = "transitions out of order";
			return -1;
		}
		tz->trans[i] = t;
		if (idxp[i] >= tz->ntypes) {
			*why = "bad transition type";
			return -1;
		}
		tz->idx[i] = idxp[i];
	}
	r->off += need;
	return 0;
}

/* Free the tables of a struct tz, leaving it empty. */
static void
tz_clear(struct tz *tz)
{
	free(tz->trans);
	free(tz->idx);
	free(tz->types);
	tz->trans = NULL;
	tz->idx = NULL;
	tz->types = NULL;
	tz->ntrans = tz->ntypes = 0;
	tz->hasrule = 0;
}

/* Parse a whole TZif file into tz; on failure *why says what was wrong. */
static int
tz_parse(const unsigned char *data, size_t len, struct tz *tz,
    const char **why)
{
	struct tz_reader	 r = { data, len, 0 };
	struct tz_header	 h;
	const unsigned char	*nl;
	char			*footer;
	size_t			 flen;
	int			 rc;

	if (tz_read_header(&r, &h, why) != 0)
		return -1;
	if (h.version == 1)
		return tz_read_block(&r, &h, 4, tz, why);

	/* Skip the 32-bit block without parsing it; it must fit, though. */
	if (tz_skip(&r, h.timecnt * 5 + h.typecnt * 6 + h.charcnt +
	    h.leapcnt * 8 + h.isstdcnt + h.isutcnt) != 0) {
		*why = "truncated data block";
		return -1;
	}
	if (tz_read_header(&r, &h, why) != 0)
		return -1;
	if (tz_read_block(&r, &h, 8, tz, why) != 0)
		return -1;

	/* The footer: "\n" rule "\n"; an empty rule means none. */
	if (r.off >= r.len || r.p[r.off] != '\n') {
		*why = "missing footer";
		return -1;
	}
	r.off++;
	nl = memchr(r.p + r.off, '\n', r.len - r.off);
	if (nl == NULL) {
		*why = "unterminated footer";
		return -1;
	}
	flen = (size_t)(nl - (r.p + r.off));
	if (flen == 0)
		return 0;
	if (memchr(r.p + r.off, '\0', flen) != NULL) {
		*why = "bad footer";
		return -1;
	}
	footer = xstrndup((const char *)r.p + r.off, flen);
	rc = tz_parse_rule(footer, &tz->rule);
	free(footer);
	if (rc != 0) {
		*why = "bad rule in footer";
		return -1;
	}
	tz->hasrule = 1;
	return 0;
}

/* 1 if name is a safe relative zone name we are willing to open. */
static int
tz_name_ok(const char *name)
{
	const char	*s;
	size_t		 len = strlen(name);

	if (len == 0 || len > TZ_NAME_MAX || name[0] == '/')
		return 0;
	if (strstr(name, "..") != NULL)
		return 0;
	for (s = name; *s != '\0'; s++) {
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '+' ||
		    *s == '-' || *s == '/')
			continue;
		return 0;
	}
	return 1;
}

/* A zone without a file: UTC, with no transitions and no rule. */
static struct tz *
tz_builtin_utc(const char *name)
{
	struct tz	*tz;

	tz = xcalloc(1, sizeof *tz);
	tz->name = xstrdup(name);
	tz->ntypes = 1;
	tz->types = xcalloc(1, sizeof *tz->types);
	/* glibc calls TZ=GMT "GMT"; keep the name people chose. */
	if (strcmp(name, "GMT") == 0)
		tz_set_abbr(tz->types[0].abbr, "GMT", 3);
	else
		tz_set_abbr(tz->types[0].abbr, "UTC", 3);
	return tz;
}

/*
 * Read a whole regular file of at most TZ_FILE_MAX bytes. Returns a
 * buffer the caller frees, or NULL with errno set (EFBIG, EISDIR...).
 */
static unsigned char *
tz_read_file(const char *path, size_t *lenp)
{
	struct stat	 st;
	unsigned char	*data;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX) {
		close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : EISDIR;
		return NULL;
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		n = read(fd, data + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			free(data);
			close(fd);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	*lenp = len;
	return data;
}

/*
 * Load zone name. Returns a zone the caller frees with tz_free, or NULL
 * and a reason in *cause (caller frees).
 */
struct tz *
tz_load(const char *name, char **cause)
{
	struct tz	*tz;
	unsigned char	*data;
	const char	*dir, *why = "corrupt";
	char		*path;
	size_t		 len;

	*cause = NULL;
	if (name == NULL || !tz_name_ok(name)) {
		*cause = xasprintf("invalid time zone name \"%s\"",
		    name == NULL ? "" : name);
		return NULL;
	}
	if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 ||
	    strcmp(name, "GMT") == 0)
		return tz_builtin_utc(name);

	dir = getenv("TZDIR");
	if (dir == NULL || *dir == '\0')
		dir = TZ_DEFAULT_DIR;
	path = xasprintf("%s/%s", dir, name);
	data = tz_read_file(path, &len);
	if (data == NULL) {
		if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR)
			*cause = xasprintf("unknown time zone \"%s\"", name);
		else
			*cause = xasprintf("cannot read time zone \"%s\": %s",
			    name, strerror(errno));
		free(path);
		return NULL;
	}

	tz = xcalloc(1, sizeof *tz);
	if (tz_parse(data, len, tz, &why) != 0) {
		log_warn(TZ_MOD, "%s: %s", path, why);
		*cause = xasprintf("time zone \"%s\": bad TZif file (%s)",
		    name, why);
		tz_clear(tz);
		free(tz);
		free(data);
		free(path);
		return NULL;
	}
	free(data);
	free(path);
	tz->name = xstrdup(name);
	return tz;
}

/* Free a zone; NULL is a no-op. */
void
tz_free(struct tz *tz)
{
	if (tz == NULL)
		return;
	tz_clear(tz);
	free(tz->name);
	free(tz);
}

/* The name the zone was loaded by; lives as long as the zone. */
const char *
tz_name(const struct tz *tz)
{
	return tz->name;
}

/* The local time of instant t. */
void
tz_to_local(const struct tz *tz, time_t t, struct tz_local *lt)
{
	const struct tz_type	*ty;
	long long		 local, days, secs;

	t = (time_t)tz_clamp((int64_t)t);
	ty = tz_type_at(tz, (int64_t)t);
	local = (long long)t + ty->off;
	days = util_floordiv(local, TZ_DAY);
	secs = local - days * TZ_DAY;
	tz_civil_from_days(days, &lt->year, &lt->mon, &lt->mday);
	lt->hour = (int)(secs / 3600);
	lt->min = (int)(secs / 60 % 60);
	lt->sec = (int)(secs % 60);
	lt->wday = tz_weekday(days);
	lt->gmtoff = ty->off;
	strlcpy_ob(lt->abbr, ty->abbr, sizeof lt->abbr);
}

/*
 * The instant of a local wall time. Every instant t with t + off(t) ==
 * local lies within the largest offsets of it, so walk the stretches of
 * constant type across that window: a stretch that contains local - off
 * is an answer (the first one wins, which is the earlier of two). With
 * no answer, local fell in a forward jump: it is read with the offset
 * from before the jump, which lands it after the jump by the same
 * distance it had into the gap.
 */
time_t
tz_from_local(const struct tz *tz, int year, int mon, int mday, int hour,
    int min, int sec)
{
	const struct tz_type	*ty;
	int64_t			 local, lo, hi, at, next, cand, gap = 0;
	long			 prev_off = 0;
	int			 have_prev = 0, have_gap = 0, guard;

	local = tz_days_from_civil(year, mon, mday) * TZ_DAY +
	    (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
	local = tz_clamp(local);
	lo = local - TZ_OFF_MAX - 3600;
	hi = local - TZ_OFF_MIN + 3600;

	at = lo;
	for (guard = 0; guard < 256 && at < hi; guard++) {
		ty = tz_type_at(tz, at);
		if (tz_next_change(tz, at, &next) != 0 || next > hi)
			next = hi;
		cand = local - ty->off;
		if (cand >= at && cand < next)
			return (time_t)cand;
		if (!have_gap && have_prev && ty->off > prev_off &&
		    at + prev_off <= local && local < at + ty->off) {
			gap = local - prev_off;
			have_gap = 1;
		}
		prev_off = ty->off;
		have_prev = 1;
		at = next;
	}
	if (have_gap)
		return (time_t)gap;
	/* Not reached with sane data; fall back to a plain reading. */
	ty = tz_type_at(tz, local);
	return (time_t)(local - ty->off);
}
