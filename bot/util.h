/*
 * util.h — allocation helpers that abort on exhaustion, a growable byte
 * buffer, checked number parsing, durations and clocks. No I/O here
 * besides reading the clocks.
 */
#ifndef OB_UTIL_H
#define OB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define nitems(a) (sizeof (a) / sizeof (a)[0])

/* Allocation: never return NULL; abort with a message instead. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list);

/* Copy at most size-1 bytes and always terminate; returns strlen(src). */
size_t	 strlcpy_ob(char *, const char *, size_t);

/* A growable buffer; always NUL-terminated after the data. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_consume(struct buf *, size_t);	/* drop n bytes from the front */
void	 buf_reset(struct buf *);
char	*buf_steal(struct buf *);		/* caller frees; buf is empty */

/*
 * Parse a whole string as a base-10 integer in [min, max]. Returns 0 and
 * sets *out, or -1 (empty, trailing junk, out of range).
 */
int	 util_strtonum(const char *, long long, long long, long long *);

/*
 * Parse a duration: one or more <number><unit> with unit s, m, h, d, w
 * ("90m", "1h30m", "2w"). Returns 0 and milliseconds in *ms, or -1.
 * Durations above UTIL_DURATION_MAX (100 years) are refused.
 */
#define UTIL_DURATION_MAX	(100LL * 365 * 86400 * 1000)
int	 util_parse_duration(const char *, long long *ms);
/* Format milliseconds as a short duration ("1h30m", "2d", "45s"). */
void	 util_fmt_duration(long long ms, char *, size_t);

/* Monotonic milliseconds (for the loop and timeouts). */
uint64_t util_mono_ms(void);
/* Monotonic microseconds (for measuring). */
uint64_t util_mono_us(void);
/* Wall-clock seconds since the epoch. */
time_t	 util_now(void);

/* 1 if s is valid UTF-8 (no overlongs, no surrogates), else 0. */
int	 util_utf8_valid(const char *, size_t);
/* Bytes of the valid UTF-8 character at the start (n > 0 left), or 0. */
size_t	 util_utf8_seq(const char *, size_t n);
/* The longest cut of s at most len bytes (s has more) that does not
 * split a UTF-8 character. */
size_t	 util_utf8_cut(const char *s, size_t len);

/* Case-insensitive ASCII comparison helpers. */
int	 util_strcaseeq(const char *, const char *);

/* floor(a / b) for b > 0, whatever the sign of a. */
long long util_floordiv(long long a, long long b);

/*
 * Serialise a jansson value compactly and release it (the reference is
 * taken); NULL when v is NULL or cannot be written. The caller frees the
 * text with free().
 */
struct json_t;
char	*util_json_take(struct json_t *v);

/*
 * The next item of a comma-separated list: *p is where to read (NULL:
 * the list ended). Sets *item and *len and advances *p past the comma.
 * Returns 1 for an item (possibly empty), 0 at the end.
 */
int	 util_list_next(const char **p, const char **item, size_t *len);

/*
 * Edit distance over at most UTIL_EDITS_MAX bytes of each input: plain
 * Levenshtein, or with transpose set the "optimal string alignment"
 * variant where swapping two neighbours costs one edit ("hlep").
 */
#define UTIL_EDITS_MAX	64
int	 util_edits(const char *, const char *, int transpose);

/*
 * A per-key rate limit (a generic cell rate algorithm): each key may
 * act burst times at once, then once per interval_ms. Past that the
 * first refusal in each interval is RATE_NOTICE (tell them once) and
 * the others RATE_SILENT. Pure: the caller passes its monotonic
 * milliseconds. Keys are compared exactly; idle keys are forgotten.
 */
enum util_rate_verdict {
	UTIL_RATE_OK = 0,
	UTIL_RATE_NOTICE,
	UTIL_RATE_SILENT
};
struct util_rate_key;
struct util_rate {
	int			 burst;
	long long		 interval_ms;
	struct util_rate_key	*keys;
	size_t			 nkeys;
};
void	 util_rate_init(struct util_rate *, int burst, long long interval_ms);
void	 util_rate_free(struct util_rate *);
enum util_rate_verdict util_rate_check(struct util_rate *, const char *key,
	    uint64_t now_ms);

#endif
