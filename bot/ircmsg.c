/*
 * ircmsg.c — the pure half of the IRC layer: turning received lines into
 * struct irc_msg, making every outgoing line (irc_build is the one place
 * that does), UTF-8-safe splitting of long text, rfc1459 case mapping,
 * hostmask globs and the flood token bucket.
 *
 * This file must stay pure: no sockets, no clocks, no logging, no global
 * state. Callers pass the time in and log failures themselves, which is
 * what lets the unit tests and the fuzzer drive every line of it.
 *
 * Parsing choices, since servers and the specifications differ a little:
 *  - the tag section ('@' through the first space) may be IRC_TAGS_MAX
 *    bytes; the rest of the line may be IRC_LINE_MAX (512) bytes. Strictly
 *    that part is 510 bytes plus CRLF, but we are lenient by two bytes
 *    because some servers count differently, and CR/LF are gone by now;
 *  - a trailing LF and then a trailing CR are stripped; a CR, LF or NUL
 *    anywhere else makes the line malformed;
 *  - tags with an empty key are skipped, tags past IRC_MAX_TAGS are
 *    ignored, and for a duplicated key irc_msg_tag returns the last one;
 *  - the IRC_MAX_PARAMS-th parameter takes the rest of the line (as in
 *    RFC 1459), so extra words are joined into the last parameter with
 *    their original spacing (a leading ':' is removed, trailing spaces
 *    are trimmed);
 *  - a command is letters (upper-cased here) or exactly three digits.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ircmsg.h"
#include "util.h"

/* 1 for an ASCII letter. */
static int
is_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* 1 for an ASCII digit. */
static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Lower-case one byte under a case mapping: ascii folds A-Z only,
 * strict-rfc1459 adds []\ (to {}|), rfc1459 adds ^ (to ~) as well.
 */
static unsigned char
irc_fold(enum irc_casemap map, unsigned char c)
{
	unsigned char	 top;

	switch (map) {
	case IRC_CASEMAP_ASCII:
		top = 'Z';
		break;
	case IRC_CASEMAP_STRICT_RFC1459:
		top = ']';
		break;
	default:
		top = '^';
		break;
	}
	if (c >= 'A' && c <= top)
		return c + ('a' - 'A');
	return c;
}

/*
 * Unescape an IRCv3 tag value in place: \: \s \\ \r \n become ; space
 * backslash CR LF, any other escaped byte stands for itself and a lone
 * trailing backslash is dropped. CR and LF may therefore appear in a
 * value; that is harmless because only irc_build writes to the wire and
 * it removes them.
 */
static void
tag_unescape(char *s)
{
	char	*w = s;

	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		s++;
		if (*s == '\0')
			break;
		switch (*s) {
		case ':':
			*w++ = ';';
			break;
		case 's':
			*w++ = ' ';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case 'n':
			*w++ = '\n';
			break;
		default:
			*w++ = *s;
			break;
		}
	}
	*w = '\0';
}

/* Split the NUL-terminated tag section (without '@') into msg->tags. */
static void
parse_tags(struct irc_msg *msg, char *p)
{
	char	*semi, *eq;
	const char *value;

	for (;;) {
		semi = strchr(p, ';');
		if (semi != NULL)
			*semi = '\0';
		eq = strchr(p, '=');
		value = "";
		if (eq != NULL) {
			*eq = '\0';
			tag_unescape(eq + 1);
			value = eq + 1;
		}
		if (*p != '\0' && msg->ntags < IRC_MAX_TAGS) {
			msg->tags[msg->ntags].key = p;
			msg->tags[msg->ntags].value = value;
			msg->ntags++;
		}
		if (semi == NULL)
			break;
		p = semi + 1;
	}
}

/*
 * Fill nick/user/host from a copy of the source in scratch: nick is what
 * comes before '!' or '@', user follows '!', host follows '@'. Empty
 * parts are NULL.
 */
static void
parse_source(struct irc_msg *msg, char *copy)
{
	char	*at, *bang;

	at = strchr(copy, '@');
	if (at != NULL) {
		*at = '\0';
		if (at[1] != '\0')
			msg->host = at + 1;
	}
	bang = strchr(copy, '!');
	if (bang != NULL) {
		*bang = '\0';
		if (bang[1] != '\0')
			msg->user = bang + 1;
	}
	if (*copy != '\0')
		msg->nick = copy;
}

/* 1 if s is letters only or exactly three digits; upper-cases it. */
static int
command_ok(char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 3 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]))
		return 1;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (!is_alpha((unsigned char)s[i]))
			return 0;
		if (s[i] >= 'a' && s[i] <= 'z')
			s[i] -= 'a' - 'A';
	}
	return 1;
}

/*
 * Parse one received line. msg is overwritten without being freed first:
 * clear a previously parsed message before reusing the struct. Only the
 * len bytes of line are read; the message keeps its own copy in msg->buf
 * (the source is copied twice: once whole, once cut into its parts).
 */
int
irc_parse(struct irc_msg *msg, const char *line, size_t len)
{
	const char	*sp;
	size_t		 taglen = 0, srclen;
	char		*buf, *p, *tok, *end;

	memset(msg, 0, sizeof *msg);
	if (line == NULL)
		return -1;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return -1;
	if (memchr(line, '\0', len) != NULL ||
	    memchr(line, '\r', len) != NULL ||
	    memchr(line, '\n', len) != NULL)
		return -1;

	if (line[0] == '@') {
		sp = memchr(line, ' ', len);
		if (sp == NULL)
			return -1;		/* tags and nothing else */
		taglen = (size_t)(sp - line) + 1;
		if (taglen > IRC_TAGS_MAX)
			return -1;
	}
	if (len - taglen > IRC_LINE_MAX)
		return -1;

	buf = xmalloc(2 * (len + 1));
	memcpy(buf, line, len);
	buf[len] = '\0';
	msg->buf = buf;

	p = buf;
	if (taglen > 0) {
		buf[taglen - 1] = '\0';
		parse_tags(msg, buf + 1);
		p = buf + taglen;
	}

	while (*p == ' ')
		p++;
	if (*p == ':') {
		tok = ++p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (*p == '\0' || p == tok)
			goto bad;		/* only a prefix, or ":" */
		*p++ = '\0';
		srclen = (size_t)(p - tok);	/* with its NUL */
		msg->source = tok;
		memcpy(buf + len + 1, tok, srclen);
		parse_source(msg, buf + len + 1);
		while (*p == ' ')
			p++;
	}

	tok = p;
	while (*p != '\0' && *p != ' ')
		p++;
	if (*p != '\0')
		*p++ = '\0';
	if (!command_ok(tok))
		goto bad;
	msg->command = tok;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p == ':') {
			msg->params[msg->nparams++] = p + 1;
			break;
		}
		if (msg->nparams == IRC_MAX_PARAMS - 1) {
			end = p + strlen(p);
			while (end > p && end[-1] == ' ')
				end--;
			*end = '\0';
			msg->params[msg->nparams++] = p;
			break;
		}
		tok = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (*p != '\0')
			*p++ = '\0';
		msg->params[msg->nparams++] = tok;
	}
	return 0;

bad:
	irc_msg_clear(msg);
	return -1;
}

/* Free a parsed message's storage and zero it; safe on a zeroed msg. */
void
irc_msg_clear(struct irc_msg *msg)
{
	if (msg == NULL)
		return;
	free(msg->buf);
	memset(msg, 0, sizeof *msg);
}

/*
 * Value of the last tag named key (exact, case-sensitive; client-only
 * tags keep their '+'), or NULL. The pointer lives as long as msg.
 */
const char *
irc_msg_tag(const struct irc_msg *msg, const char *key)
{
	size_t	 i;

	for (i = msg->ntags; i > 0; i--) {
		if (strcmp(msg->tags[i - 1].key, key) == 0)
			return msg->tags[i - 1].value;
	}
	return NULL;
}

/* The last parameter, or "" when there is none; lives as long as msg. */
const char *
irc_msg_last(const struct irc_msg *msg)
{
	if (msg->nparams == 0)
		return "";
	return msg->params[msg->nparams - 1];
}

/*
 * Measure a parameter as irc_build will write it (CR and LF dropped):
 * returns its length and whether it has a space or begins with ':'.
 * Stops counting past IRC_LINE_MAX, which is already too long.
 */
static size_t
param_scan(const char *s, int *space, int *colon)
{
	size_t	 n = 0, k;

	*space = 0;
	s += strspn(s, "\r\n");
	*colon = *s == ':';
	while (*s != '\0' && n <= IRC_LINE_MAX) {
		k = strcspn(s, "\r\n");
		if (!*space && memchr(s, ' ', k) != NULL)
			*space = 1;
		n += k;
		s += k;
		s += strspn(s, "\r\n");
	}
	return n;
}

/*
 * Build one outgoing line, "CMD p1 p2 last\r\n". The last parameter gets
 * a ':' only when it needs one (empty, leading ':' or a space); callers
 * budgeting text length should reserve that byte anyway. Returns a line
 * the caller frees, or NULL: bad command (not letters/digits), NULL or
 * invalid middle parameter, too many parameters, longer than
 * IRC_LINE_MAX with CRLF.
 */
char *
irc_build(const char *cmd, const char *const *params, size_t nparams)
{
	char	 line[IRC_LINE_MAX + 1];
	size_t	 off, n, i;
	int	 space, colon, last, quote;

	if (cmd == NULL || *cmd == '\0' || nparams > IRC_MAX_PARAMS ||
	    (nparams > 0 && params == NULL))
		return NULL;
	for (off = 0; cmd[off] != '\0'; off++) {
		if (!is_alpha((unsigned char)cmd[off]) &&
		    !is_digit((unsigned char)cmd[off]))
			return NULL;
		if (off >= IRC_LINE_MAX)
			return NULL;
		line[off] = cmd[off];
	}
	for (i = 0; i < nparams; i++) {
		if (params[i] == NULL)
			return NULL;
		last = (i == nparams - 1);
		n = param_scan(params[i], &space, &colon);
		quote = (n == 0 || space || colon);
		if (!last && quote)
			return NULL;
		/* space, the ':' if any, the text, then CRLF must all fit */
		if (off + 1 + (size_t)quote + n + 2 > IRC_LINE_MAX)
			return NULL;
		line[off++] = ' ';
		if (quote)
			line[off++] = ':';
		off += irc_sanitize(line + off, sizeof line - off, params[i]);
	}
	if (off + 2 > IRC_LINE_MAX)
		return NULL;
	line[off++] = '\r';
	line[off++] = '\n';
	line[off] = '\0';
	return xstrndup(line, off);
}

/* Length of the UTF-8 sequence a lead byte announces, 1 if not a lead. */
static size_t
utf8_seqlen(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 1;
}

/* 1 for a UTF-8 continuation byte. */
static int
utf8_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * Bytes of the character starting at s[0] (len > 0 bytes left): a lead
 * byte with all its continuation bytes is one character; anything else
 * (stray continuation, bad lead, truncated sequence) is one byte.
 */
static size_t
utf8_charlen(const char *s, size_t len)
{
	size_t	 need = utf8_seqlen((unsigned char)s[0]), i;

	if (need > len)
		return 1;
	for (i = 1; i < need; i++) {
		if (!utf8_cont((unsigned char)s[i]))
			return 1;
	}
	return need;
}

/*
 * Copy src to dst without CR and LF, always terminating. On truncation a
 * UTF-8 character cut in half is dropped whole. Returns bytes written.
 */
size_t
irc_sanitize(char *dst, size_t dstsz, const char *src)
{
	size_t	 n = 0, keep;
	int	 cut = 0;

	if (dstsz == 0)
		return 0;
	for (; *src != '\0'; src++) {
		if (*src == '\r' || *src == '\n')
			continue;
		if (n + 1 >= dstsz) {
			cut = 1;
			break;
		}
		dst[n++] = *src;
	}
	if (cut && utf8_cont((unsigned char)*src)) {
		keep = n;
		while (n > 0 && keep - n < 3 &&
		    utf8_cont((unsigned char)dst[n - 1]))
			n--;
		if (n > 0 && utf8_seqlen((unsigned char)dst[n - 1]) >
		    keep - n + 1)
			n--;		/* the lead of the cut character */
		else
			n = keep;	/* not a real sequence: bytes stand */
	}
	dst[n] = '\0';
	return n;
}

/*
 * How much of text to send in one piece of at most max bytes. Whole
 * characters only; when a space lies in the second half of what fits,
 * the piece ends just after it, so the space stays at the end of this
 * piece (trim it when sending if you like, but advance by the value
 * returned). Always at least one character, so callers make progress;
 * that character may exceed max. Returns 0 only for len == 0.
 */
size_t
irc_split_len(const char *text, size_t len, size_t max)
{
	size_t	 pos = 0, clen, i;

	if (len == 0)
		return 0;
	if (len <= max)
		return len;
	while (pos < len) {
		clen = utf8_charlen(text + pos, len - pos);
		if (pos + clen > max)
			break;
		pos += clen;
	}
	if (pos == 0)
		return utf8_charlen(text, len);
	for (i = pos; i > 0 && i - 1 >= pos / 2; i--) {
		if (text[i - 1] == ' ')
			return i;
	}
	return pos;
}

/* The mapping an ISUPPORT CASEMAPPING value names; rfc1459 otherwise. */
enum irc_casemap
irc_casemap_parse(const char *value)
{
	if (value != NULL && strcmp(value, "ascii") == 0)
		return IRC_CASEMAP_ASCII;
	if (value != NULL && strcmp(value, "strict-rfc1459") == 0)
		return IRC_CASEMAP_STRICT_RFC1459;
	return IRC_CASEMAP_RFC1459;
}

/* Compare two names under rfc1459 case mapping, like strcmp. */
int
irc_casecmp(const char *a, const char *b)
{
	return irc_casecmp_map(IRC_CASEMAP_RFC1459, a, b);
}

/* Compare two names under a case mapping, like strcmp. */
int
irc_casecmp_map(enum irc_casemap map, const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x != '\0' && irc_fold(map, *x) == irc_fold(map, *y)) {
		x++;
		y++;
	}
	return (int)irc_fold(map, *x) - (int)irc_fold(map, *y);
}

/* Lower-case s in place under rfc1459 case mapping. */
void
irc_lower(char *s)
{
	irc_lower_map(IRC_CASEMAP_RFC1459, s);
}

/* Lower-case s in place under a case mapping. */
void
irc_lower_map(enum irc_casemap map, char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)irc_fold(map, (unsigned char)*s);
}

/*
 * Match str against a pattern of '*' (any run) and '?' (one byte) under
 * rfc1459 case mapping. Returns 1 on a match. Iterative with a single
 * backtrack point (the last '*'), so time is at most pattern x string,
 * never exponential.
 */
int
irc_glob(const char *pattern, const char *str)
{
	return irc_glob_map(IRC_CASEMAP_RFC1459, pattern, str);
}

/* irc_glob under a case mapping. */
int
irc_glob_map(enum irc_casemap map, const char *pattern, const char *str)
{
	const char	*p = pattern, *s = str;
	const char	*star = NULL, *mark = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			star = p++;
			mark = s;
			continue;
		}
		if (*p != '\0' && (*p == '?' ||
		    irc_fold(map, (unsigned char)*p) ==
		    irc_fold(map, (unsigned char)*s))) {
			p++;
			s++;
			continue;
		}
		if (star == NULL)
			return 0;
		p = star + 1;
		s = ++mark;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* The bucket's capacity, burst * interval, saturating. */
static long long
flood_cap(const struct flood *f)
{
	if (f->interval_ms <= 0)
		return 0;
	if (f->interval_ms > LLONG_MAX / f->burst)
		return LLONG_MAX;
	return f->interval_ms * f->burst;
}

/*
 * Start a full bucket: burst lines may go at once. A burst below 1 is
 * taken as 1, an interval of 0 or less disables pacing.
 */
void
flood_init(struct flood *f, int burst, long long interval_ms, uint64_t now_ms)
{
	f->burst = burst < 1 ? 1 : burst;
	f->interval_ms = interval_ms < 0 ? 0 : interval_ms;
	f->credit_ms = flood_cap(f);
	f->last_ms = now_ms;
}

/*
 * Refill by the time passed since the last call, then take one line's
 * worth if there is enough. Time going backwards adds nothing and just
 * moves the reference point, so a broken clock can neither stall the
 * queue for ever nor grant more than a full bucket.
 */
long long
flood_take(struct flood *f, uint64_t now_ms)
{
	long long	 cap = flood_cap(f);
	uint64_t	 delta;

	if (f->interval_ms <= 0)
		return 0;
	if (f->credit_ms < 0)
		f->credit_ms = 0;
	if (f->credit_ms > cap)
		f->credit_ms = cap;
	if (now_ms > f->last_ms) {
		delta = now_ms - f->last_ms;
		if (delta >= (uint64_t)(cap - f->credit_ms))
			f->credit_ms = cap;
		else
			f->credit_ms += (long long)delta;
	}
	f->last_ms = now_ms;
	if (f->credit_ms >= f->interval_ms) {
		f->credit_ms -= f->interval_ms;
		return 0;
	}
	return f->interval_ms - f->credit_ms;
}

/* Replace invalid UTF-8 bytes with U+FFFD. */
char *
irc_utf8_repair(const char *s)
{
	size_t		 n = strlen(s), i = 0, k;
	struct buf	 b;

	buf_init(&b);
	while (i < n) {
		k = util_utf8_seq(s + i, n - i);
		if (k == 0) {
			buf_add(&b, "\xef\xbf\xbd", 3);
			i++;
			continue;
		}
		buf_add(&b, s + i, k);
		i += k;
	}
	return buf_steal(&b);
}
