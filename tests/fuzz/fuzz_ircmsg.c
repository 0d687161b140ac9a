/*
 * fuzz_ircmsg.c — libFuzzer target for bot/ircmsg.c. The input is used
 * as a received line (irc_parse, then every accessor), as text to split
 * (irc_split_len) and to send (irc_build, irc_sanitize), and as a glob
 * pattern/string pair and a clock sequence for the flood bucket. Broken
 * invariants abort(), which libFuzzer reports as a crash.
 *
 * Must not keep state between inputs or write anywhere: run.sh runs it
 * for a bounded time and only a crash counts.
 */
/* deps: ircmsg util log */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ircmsg.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless cond holds; keeps the checks below one line each. */
static void
check(int cond)
{
	if (!cond)
		abort();
}

/* A built line is one line: CRLF at the end only, within the limit. */
static void
check_line(const char *s)
{
	size_t	 n;

	if (s == NULL)
		return;
	n = strlen(s);
	check(n >= 2 && n <= IRC_LINE_MAX);
	check(s[n - 2] == '\r' && s[n - 1] == '\n');
	check(memchr(s, '\r', n - 2) == NULL);
	check(memchr(s, '\n', n - 2) == NULL);
}

/* Parse data as a line; check the result and that it rebuilds. */
static void
fuzz_parse(const char *data, size_t size)
{
	struct irc_msg	 m, again;
	const char	*c;
	char		*line;
	size_t		 i;

	if (irc_parse(&m, data, size) != 0) {
		check(m.buf == NULL && m.command == NULL && m.nparams == 0);
		return;
	}
	check(m.command != NULL && *m.command != '\0');
	check(m.nparams <= IRC_MAX_PARAMS && m.ntags <= IRC_MAX_TAGS);
	for (c = m.command; *c != '\0'; c++)
		check((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'));
	for (i = 0; i < m.ntags; i++) {
		check(*m.tags[i].key != '\0');
		check(irc_msg_tag(&m, m.tags[i].key) != NULL);
	}
	for (i = 0; i + 1 < m.nparams; i++) {
		check(*m.params[i] != '\0' && *m.params[i] != ':');
		check(strchr(m.params[i], ' ') == NULL);
	}
	if (m.source != NULL)
		check(*m.source != '\0');
	(void)irc_msg_tag(&m, "account");
	c = irc_msg_last(&m);
	check(c != NULL);

	/* what we parsed, we can send again, and it reads back the same */
	line = irc_build(m.command, m.params, m.nparams);
	check_line(line);
	if (line != NULL) {
		check(irc_parse(&again, line, strlen(line)) == 0);
		check(strcmp(again.command, m.command) == 0);
		check(again.nparams == m.nparams);
		for (i = 0; i < m.nparams; i++)
			check(strcmp(again.params[i], m.params[i]) == 0);
		irc_msg_clear(&again);
		free(line);
	}
	irc_msg_clear(&m);
	check(m.buf == NULL);
}

/* Split the whole text; every piece in bounds and on a boundary. */
static void
fuzz_split(const char *data, size_t size, size_t max)
{
	int	 valid = util_utf8_valid(data, size);
	size_t	 off, n;

	for (off = 0; off < size; off += n) {
		n = irc_split_len(data + off, size - off, max);
		check(n >= 1 && n <= size - off);
		check(n <= max || n <= 4);
		if (valid) {
			check(off + n == size ||
			    ((unsigned char)data[off + n] & 0xc0) != 0x80);
			check(util_utf8_valid(data + off, n));
		}
	}
	check(irc_split_len(data, 0, max) == 0);
}

/* Use text (NUL-terminated) as outgoing parameters and as a glob. */
static void
fuzz_text(const char *text)
{
	const char	*p[3];
	char		*line, small[37], low[IRC_LINE_MAX];
	size_t		 n;
	struct irc_msg	 m;

	p[0] = "#chan";
	p[1] = text;
	line = irc_build("PRIVMSG", p, 2);
	check_line(line);
	if (line != NULL) {
		/* the text comes back minus CR/LF, as one parameter */
		check(irc_parse(&m, line, strlen(line)) == 0);
		check(m.nparams == 2);
		irc_sanitize(low, sizeof low, text);
		check(strcmp(irc_msg_last(&m), low) == 0);
		irc_msg_clear(&m);
	}
	free(line);

	p[0] = text;
	p[1] = "x";
	line = irc_build("MODE", p, 2);
	check_line(line);
	free(line);
	line = irc_build(text, p + 1, 1);
	check_line(line);
	free(line);

	n = irc_sanitize(small, sizeof small, text);
	check(n < sizeof small && n == strlen(small));
	check(strchr(small, '\r') == NULL && strchr(small, '\n') == NULL);

	/* any string matches itself, and case mapping is consistent */
	if (strlen(text) < sizeof low) {
		check(irc_glob(text, text) == 1);
		memcpy(low, text, strlen(text) + 1);
		irc_lower(low);
		check(irc_casecmp(low, text) == 0);
		check(irc_glob(text, low) == 1);
	}
}

/* Feed bytes as clock steps to the flood bucket; check its bounds. */
static void
fuzz_flood(const uint8_t *data, size_t size)
{
	struct flood	 f;
	uint64_t	 now = 1000000;
	long long	 w, interval;
	size_t		 i;

	if (size < 2)
		return;
	interval = (long long)data[0] * 10;
	flood_init(&f, data[1] % 8, interval, now);
	for (i = 2; i < size; i++) {
		if (data[i] & 0x80)
			now -= data[i] & 0x7f;	/* backwards, now and then */
		else
			now += (uint64_t)data[i] * 7;
		w = flood_take(&f, now);
		check(w >= 0 && w <= interval);
		check(f.credit_ms >= 0);
		check(f.credit_ms <= interval * f.burst);
	}
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*text;
	size_t	 max;

	if (size > IRC_RECV_MAX + 100)
		return 0;
	fuzz_parse((const char *)data, size);

	max = size > 0 ? (size_t)data[0] * 3 % 600 : 10;
	fuzz_split((const char *)data, size, max);

	text = xstrndup((const char *)data, size);	/* stops at a NUL */
	fuzz_text(text);
	free(text);

	fuzz_flood(data, size);
	return 0;
}
