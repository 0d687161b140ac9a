/*
 * util.c — allocation helpers, the growable buffer, number and duration
 * parsing, clocks, UTF-8 validation, small pure helpers (floor division,
 * JSON text, comma lists, edit distance) and a per-key rate limit whose
 * state the caller owns. Owns no state itself.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "util.h"

/* Abort: out of memory is not a condition the bot can run on through. */
static void
oom(void)
{
	fputs("outagebot: out of memory\n", stderr);
	abort();
}

/* malloc that never returns NULL. */
void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

/* calloc that never returns NULL. */
void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

/* realloc that never returns NULL. */
void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

/* realloc of n elements of size, checking the product. */
void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		oom();
	return xrealloc(p, n * size);
}

/* strdup that never returns NULL. */
char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* Copy at most n bytes of s and terminate. */
char *
xstrndup(const char *s, size_t n)
{
	size_t	 len = strnlen(s, n);
	char	*p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* vasprintf that never fails. */
char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

/* asprintf that never fails. */
char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Bounded copy that always terminates; returns strlen(src). */
size_t
strlcpy_ob(char *dst, const char *src, size_t size)
{
	size_t	len = strlen(src);

	if (size > 0) {
		size_t	n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* Start an empty buffer. */
void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Free the buffer's storage. */
void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Make room for n more bytes plus the terminator. */
static void
buf_grow(struct buf *b, size_t n)
{
	size_t	want;

	if (n > SIZE_MAX - b->len - 1)
		oom();
	want = b->len + n + 1;
	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < want)
		b->cap = b->cap > SIZE_MAX / 2 ? want : b->cap * 2;
	b->data = xrealloc(b->data, b->cap);
}

/* Append n bytes. */
void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Append a string. */
void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Append one byte. */
void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

/* Append formatted text. */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_addstr(b, s);
	free(s);
}

/* Drop n bytes from the front. */
void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

/* Empty the buffer, keeping its storage. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Hand the data to the caller (never NULL) and empty the buffer. */
char *
buf_steal(struct buf *b)
{
	char	*s = b->data != NULL ? b->data : xstrdup("");

	buf_init(b);
	return s;
}

/* Parse a whole string as a base-10 integer in [min, max]. */
int
util_strtonum(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Parse "90m", "1h30m", "2w" into milliseconds. */
int
util_parse_duration(const char *s, long long *ms)
{
	long long	total = 0, unit, n;
	int		parts = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -1;
		n = 0;
		while (isdigit((unsigned char)*s)) {
			if (n > UTIL_DURATION_MAX / 10)
				return -1;
			n = n * 10 + (*s++ - '0');
		}
		switch (*s++) {
		case 's': unit = 1000LL; break;
		case 'm': unit = 60 * 1000LL; break;
		case 'h': unit = 3600 * 1000LL; break;
		case 'd': unit = 86400 * 1000LL; break;
		case 'w': unit = 7 * 86400 * 1000LL; break;
		default: return -1;
		}
		if (n > (UTIL_DURATION_MAX - total) / unit)
			return -1;
		total += n * unit;
		parts++;
	}
	if (parts == 0)
		return -1;
	*ms = total;
	return 0;
}

/* Format ms as "2d3h", "1h30m", "45s" (largest two units). */
void
util_fmt_duration(long long ms, char *out, size_t size)
{
	static const struct { long long ms; char c; } u[] = {
		{ 7 * 86400000LL, 'w' }, { 86400000LL, 'd' },
		{ 3600000LL, 'h' }, { 60000LL, 'm' }, { 1000LL, 's' }
	};
	size_t	i, used = 0, shown = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	if (ms < 1000) {
		snprintf(out, size, "0s");
		return;
	}
	for (i = 0; i < nitems(u) && shown < 2; i++) {
		long long n = ms / u[i].ms;

		if (n == 0) {
			if (shown > 0)
				break;
			continue;
		}
		ms -= n * u[i].ms;
		used += snprintf(out + used, size > used ? size - used : 0,
		    "%lld%c", n, u[i].c);
		if (used >= size)
			break;
		shown++;
	}
}

/* Monotonic milliseconds. */
uint64_t
util_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Monotonic microseconds. */
uint64_t
util_mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Wall-clock seconds. */
time_t
util_now(void)
{
	return time(NULL);
}

/*
 * Bytes of the valid UTF-8 character at s (n bytes left, n > 0), or 0:
 * a bad lead, a missing continuation, an overlong form, a surrogate or
 * a code point past U+10FFFF.
 */
size_t
util_utf8_seq(const char *p, size_t n)
{
	const unsigned char	*s = (const unsigned char *)p;
	size_t			 len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/* Back len off to the start of the character at s[len] (see util.h). */
size_t
util_utf8_cut(const char *s, size_t len)
{
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return len;
}

/* Strict UTF-8 check. */
int
util_utf8_valid(const char *p, size_t len)
{
	size_t	 i = 0, k;

	while (i < len) {
		if ((k = util_utf8_seq(p + i, len - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* ASCII case-insensitive equality. */
int
util_strcaseeq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* floor(a / b) for b > 0, whatever the sign of a. */
long long
util_floordiv(long long a, long long b)
{
	long long	q = a / b;

	if (a % b != 0 && a < 0)
		q--;
	return q;
}

/* Serialise v compactly and drop the reference (see util.h). */
char *
util_json_take(json_t *v)
{
	char	*s;

	if (v == NULL)
		return NULL;
	/* jansson allocates with malloc: the caller's free() matches. */
	s = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	return s;
}

/* The next item of a comma-separated list, or 0 at its end. */
int
util_list_next(const char **p, const char **item, size_t *len)
{
	const char	*end;

	if (*p == NULL)
		return 0;
	end = strchr(*p, ',');
	*item = *p;
	*len = end != NULL ? (size_t)(end - *p) : strlen(*p);
	*p = end != NULL ? end + 1 : NULL;
	return 1;
}

/* Edit distance over at most UTIL_EDITS_MAX bytes of each input. */
int
util_edits(const char *a, const char *b, int transpose)
{
	int	 rows[3][UTIL_EDITS_MAX + 1];
	int	*prev2 = rows[0], *prev = rows[1], *cur = rows[2], *tmp;
	size_t	 la = strnlen(a, UTIL_EDITS_MAX);
	size_t	 lb = strnlen(b, UTIL_EDITS_MAX);
	size_t	 i, j;
	int	 best;

	for (j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			best = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (transpose && i > 1 && j > 1 &&
			    a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		tmp = prev2;
		prev2 = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[lb];
}

/* One key of a rate limit: when its bucket is full again, last notice. */
struct util_rate_key {
	char		*key;
	uint64_t	 tat;		/* theoretical arrival time, ms */
	uint64_t	 noticed;	/* last RATE_NOTICE + 1, or 0 */
};

/* Start an empty rate limit (burst < 1 counts as 1). */
void
util_rate_init(struct util_rate *r, int burst, long long interval_ms)
{
	memset(r, 0, sizeof *r);
	r->burst = burst < 1 ? 1 : burst;
	r->interval_ms = interval_ms < 1 ? 1 : interval_ms;
}

/* Forget every key. */
void
util_rate_free(struct util_rate *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nkeys; i++)
		free(r->keys[i].key);
	free(r->keys);
	r->keys = NULL;
	r->nkeys = 0;
}

/* Forget the keys whose bucket is full again at now (nothing to keep). */
static void
util_rate_prune(struct util_rate *r, uint64_t now)
{
	uint64_t	iv = (uint64_t)r->interval_ms;
	size_t		i = 0;

	while (i < r->nkeys) {
		if (r->keys[i].tat <= now && (r->keys[i].noticed == 0 ||
		    now + 1 - r->keys[i].noticed >= iv)) {
			free(r->keys[i].key);
			r->keys[i] = r->keys[--r->nkeys];
		} else
			i++;
	}
}

/* The key's entry, created (with a full bucket) when new. */
static struct util_rate_key *
util_rate_get(struct util_rate *r, const char *key, uint64_t now)
{
	size_t	i;

	for (i = 0; i < r->nkeys; i++) {
		if (strcmp(r->keys[i].key, key) == 0)
			return &r->keys[i];
	}
	util_rate_prune(r, now);
	r->keys = xreallocarray(r->keys, r->nkeys + 1, sizeof *r->keys);
	r->keys[r->nkeys].key = xstrdup(key);
	r->keys[r->nkeys].tat = now;
	r->keys[r->nkeys].noticed = 0;
	return &r->keys[r->nkeys++];
}

/*
 * May key act at now? Each act moves its theoretical arrival time one
 * interval on; an act is allowed while that time is less than burst
 * intervals ahead of now.
 */
enum util_rate_verdict
util_rate_check(struct util_rate *r, const char *key, uint64_t now)
{
	struct util_rate_key	*k = util_rate_get(r, key, now);
	uint64_t		 iv = (uint64_t)r->interval_ms;
	uint64_t		 tat = k->tat > now ? k->tat : now;

	if (tat - now <= (uint64_t)(r->burst - 1) * iv) {
		k->tat = tat + iv;
		return UTIL_RATE_OK;
	}
	if (k->noticed != 0 && now + 1 - k->noticed < iv)
		return UTIL_RATE_SILENT;
	k->noticed = now + 1;
	return UTIL_RATE_NOTICE;
}
