/*
 * test_ircmsg.c — unit tests for bot/ircmsg.c through bot/ircmsg.h:
 * parsing (tags, sources, commands, parameters, limits, malformed lines),
 * the sanitizing builder, UTF-8 splitting, case mapping, globs and the
 * flood bucket. Pure logic only: no sockets, no clocks.
 */
/* deps: ircmsg util log */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ircmsg.h"
#include "util.h"

/* Parse a C string; fail the test if the result differs from want. */
static void
parse_str(struct irc_msg *m, const char *line, int want)
{
	assert_int_equal(irc_parse(m, line, strlen(line)), want);
}

/* Assert that a failed parse left the message fully cleared. */
static void
assert_cleared(const struct irc_msg *m)
{
	assert_null(m->buf);
	assert_null(m->command);
	assert_null(m->source);
	assert_int_equal(m->nparams, 0);
	assert_int_equal(m->ntags, 0);
}

/* A plain PRIVMSG with a full nick!user@host source. */
static void
test_parse_privmsg(void **state)
{
	struct irc_msg	 m;

	parse_str(&m, ":alice!ali@example.org PRIVMSG #ops :hello there", 0);
	assert_string_equal(m.source, "alice!ali@example.org");
	assert_string_equal(m.nick, "alice");
	assert_string_equal(m.user, "ali");
	assert_string_equal(m.host, "example.org");
	assert_string_equal(m.command, "PRIVMSG");
	assert_int_equal(m.nparams, 2);
	assert_string_equal(m.params[0], "#ops");
	assert_string_equal(m.params[1], "hello there");
	assert_string_equal(irc_msg_last(&m), "hello there");
	assert_int_equal(m.ntags, 0);
	assert_null(irc_msg_tag(&m, "account"));
	irc_msg_clear(&m);
	assert_null(m.buf);
	assert_null(m.command);
}

/* Tags with every escape, valueless tags, client tags, account lookup. */
static void
test_parse_tags(void **state)
{
	struct irc_msg	 m;

	parse_str(&m, "@account=bob;+example.com/x=a\\sb;flag;"
	    "esc=\\:\\s\\\\\\r\\n\\q;time=2026-01-01T00:00:00.000Z "
	    ":bob!b@h PRIVMSG #c :hi", 0);
	assert_int_equal(m.ntags, 5);
	assert_string_equal(irc_msg_tag(&m, "account"), "bob");
	assert_string_equal(irc_msg_tag(&m, "+example.com/x"), "a b");
	assert_null(irc_msg_tag(&m, "example.com/x"));
	assert_string_equal(irc_msg_tag(&m, "flag"), "");
	assert_string_equal(irc_msg_tag(&m, "esc"), "; \\\r\nq");
	assert_string_equal(irc_msg_tag(&m, "time"),
	    "2026-01-01T00:00:00.000Z");
	assert_null(irc_msg_tag(&m, "Account"));
	assert_string_equal(m.command, "PRIVMSG");
	assert_string_equal(irc_msg_last(&m), "hi");
	irc_msg_clear(&m);
}

/* A trailing lone backslash is dropped; empty keys skipped; last wins. */
static void
test_parse_tags_edge(void **state)
{
	struct irc_msg	 m;

	parse_str(&m, "@a=x\\;;=v;b=;a=y;c=end\\ PING", 0);
	assert_string_equal(irc_msg_tag(&m, "a"), "y");
	assert_string_equal(irc_msg_tag(&m, "b"), "");
	assert_string_equal(irc_msg_tag(&m, "c"), "end");
	assert_null(irc_msg_tag(&m, ""));
	assert_int_equal(m.ntags, 4);
	assert_string_equal(m.tags[0].value, "x");
	assert_string_equal(m.command, "PING");
	irc_msg_clear(&m);
}

/* More than IRC_MAX_TAGS tags: the extra ones are ignored. */
static void
test_parse_many_tags(void **state)
{
	struct irc_msg	 m;
	struct buf	 b;
	int		 i;

	buf_init(&b);
	buf_addc(&b, '@');
	for (i = 0; i < IRC_MAX_TAGS + 10; i++)
		buf_printf(&b, "%sk%d=%d", i ? ";" : "", i, i);
	buf_addstr(&b, " PING :x");
	parse_str(&m, b.data, 0);
	assert_int_equal(m.ntags, IRC_MAX_TAGS);
	assert_string_equal(irc_msg_tag(&m, "k0"), "0");
	assert_string_equal(irc_msg_tag(&m, "k63"), "63");
	assert_null(irc_msg_tag(&m, "k64"));
	assert_string_equal(irc_msg_last(&m), "x");
	irc_msg_clear(&m);
	buf_free(&b);
}

/* Server-name source, nick-only source and partial sources. */
static void
test_parse_sources(void **state)
{
	struct irc_msg	 m;

	parse_str(&m, ":irc.example.net 001 bot :Welcome", 0);
	assert_string_equal(m.source, "irc.example.net");
	assert_string_equal(m.nick, "irc.example.net");
	assert_null(m.user);
	assert_null(m.host);
	assert_string_equal(m.command, "001");
	irc_msg_clear(&m);

	parse_str(&m, ":alice NICK alice_", 0);
	assert_string_equal(m.nick, "alice");
	assert_null(m.user);
	assert_null(m.host);
	assert_string_equal(m.params[0], "alice_");
	irc_msg_clear(&m);

	parse_str(&m, ":alice@host.example QUIT", 0);
	assert_string_equal(m.nick, "alice");
	assert_null(m.user);
	assert_string_equal(m.host, "host.example");
	assert_int_equal(m.nparams, 0);
	assert_string_equal(irc_msg_last(&m), "");
	irc_msg_clear(&m);

	parse_str(&m, ":!u@h JOIN #x", 0);
	assert_null(m.nick);
	assert_string_equal(m.user, "u");
	assert_string_equal(m.host, "h");
	assert_string_equal(m.source, "!u@h");
	irc_msg_clear(&m);

	parse_str(&m, "PING :irc.example.net", 0);
	assert_null(m.source);
	assert_null(m.nick);
	assert_string_equal(m.command, "PING");
	irc_msg_clear(&m);
}

/* Commands: upper-cased letters, 3-digit numerics, nothing else. */
static void
test_parse_commands(void **state)
{
	struct irc_msg	 m;

	parse_str(&m, "privmsg #a :b", 0);
	assert_string_equal(m.command, "PRIVMSG");
	irc_msg_clear(&m);
	parse_str(&m, ":s 433 * bot :Nickname is already in use", 0);
	assert_string_equal(m.command, "433");
	assert_int_equal(m.nparams, 3);
	assert_string_equal(m.params[1], "bot");
	irc_msg_clear(&m);

	parse_str(&m, ":s 4333 x", -1);
	assert_cleared(&m);
	parse_str(&m, ":s 43 x", -1);
	assert_cleared(&m);
	parse_str(&m, "PRIV1MSG x", -1);
	assert_cleared(&m);
	parse_str(&m, "PRIV-MSG x", -1);
	assert_cleared(&m);
}

/* Trailing parameters, empty trailing, ':' inside, many spaces, CR. */
static void
test_parse_params(void **state)
{
	struct irc_msg	 m;

	parse_str(&m, "PRIVMSG #c :", 0);
	assert_int_equal(m.nparams, 2);
	assert_string_equal(m.params[1], "");
	assert_string_equal(irc_msg_last(&m), "");
	irc_msg_clear(&m);

	parse_str(&m, "PRIVMSG #c ::-) a:b", 0);
	assert_string_equal(irc_msg_last(&m), ":-) a:b");
	irc_msg_clear(&m);

	parse_str(&m, "MODE   #c   +o    bob   ", 0);
	assert_int_equal(m.nparams, 3);
	assert_string_equal(m.params[0], "#c");
	assert_string_equal(m.params[1], "+o");
	assert_string_equal(m.params[2], "bob");
	irc_msg_clear(&m);

	parse_str(&m, "PRIVMSG #c :  spaced  text  \r", 0);
	assert_string_equal(irc_msg_last(&m), "  spaced  text  ");
	irc_msg_clear(&m);

	parse_str(&m, "PRIVMSG #c a:b", 0);
	assert_string_equal(irc_msg_last(&m), "a:b");
	irc_msg_clear(&m);

	parse_str(&m, "PING x\r\n", 0);
	assert_string_equal(irc_msg_last(&m), "x");
	irc_msg_clear(&m);
}

/* The 15th parameter takes the rest of the line, spacing kept. */
static void
test_parse_max_params(void **state)
{
	struct irc_msg	 m;
	char		 want[16];
	int		 i;

	parse_str(&m, "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16  17 ", 0);
	assert_int_equal(m.nparams, IRC_MAX_PARAMS);
	for (i = 0; i < 14; i++) {
		snprintf(want, sizeof want, "%d", i + 1);
		assert_string_equal(m.params[i], want);
	}
	assert_string_equal(m.params[14], "15 16  17");
	irc_msg_clear(&m);

	parse_str(&m, "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 :last one", 0);
	assert_int_equal(m.nparams, 15);
	assert_string_equal(m.params[14], "last one");
	irc_msg_clear(&m);

	parse_str(&m, "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", 0);
	assert_int_equal(m.nparams, 15);
	assert_string_equal(m.params[14], "15");
	irc_msg_clear(&m);
}

/* Malformed lines are refused and leave msg cleared. */
static void
test_parse_malformed(void **state)
{
	static const char *bad[] = {
		"", "\r", "\r\n", "@", "@a=b", "@a=b ", "@a=b    ", ":",
		": PING", ":nick", ":nick ", ":nick    ", "@a=b :nick",
		"@a=b :nick ", " ", "   ", "PRIV\rMSG #c", "PING a\nQUIT",
		"@a :x 12 y",
	};
	struct irc_msg	 m;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		memset(&m, 0x5a, sizeof m);
		if (irc_parse(&m, bad[i], strlen(bad[i])) != -1)
			fail_msg("accepted malformed line %zu: \"%s\"", i,
			    bad[i]);
		assert_cleared(&m);
	}
	/* a NUL inside the counted length */
	assert_int_equal(irc_parse(&m, "PRIVMSG #c :a\0b", 15), -1);
	assert_cleared(&m);
	assert_int_equal(irc_parse(&m, NULL, 0), -1);
}

/* Only len bytes are read: a line cut short parses as what it holds. */
static void
test_parse_len_respected(void **state)
{
	struct irc_msg	 m;
	const char	*s = "PRIVMSG #c :hello world";
	char		*heap;

	assert_int_equal(irc_parse(&m, s, 17), 0);
	assert_string_equal(irc_msg_last(&m), "hello");
	irc_msg_clear(&m);

	/* not NUL-terminated: ASan would catch a read past the end */
	heap = xmalloc(4);
	memcpy(heap, "PING", 4);
	assert_int_equal(irc_parse(&m, heap, 4), 0);
	assert_string_equal(m.command, "PING");
	irc_msg_clear(&m);
	free(heap);
}

/* Make "@" + tag text padded so the section is tagsz bytes with space. */
static void
make_tags(struct buf *b, size_t tagsz)
{
	buf_addstr(b, "@k=");
	while (b->len < tagsz - 1)
		buf_addc(b, 'v');
	buf_addc(b, ' ');
}

/* Append a PRIVMSG so that the non-tag part is exactly restsz bytes. */
static void
make_rest(struct buf *b, size_t restsz)
{
	size_t	 start = b->len;

	buf_addstr(b, "PRIVMSG #c :");
	while (b->len - start < restsz)
		buf_addc(b, 'x');
}

/* Limits: exactly at the tag and line limits is fine, one more is not. */
static void
test_parse_limits(void **state)
{
	struct irc_msg	 m;
	struct buf	 b;

	buf_init(&b);
	make_tags(&b, IRC_TAGS_MAX);
	make_rest(&b, IRC_LINE_MAX);
	assert_int_equal(b.len, IRC_RECV_MAX);
	parse_str(&m, b.data, 0);
	assert_int_equal(strlen(irc_msg_tag(&m, "k")), IRC_TAGS_MAX - 4);
	assert_int_equal(strlen(irc_msg_last(&m)), IRC_LINE_MAX - 12);
	irc_msg_clear(&m);

	/* the trailing CR does not count */
	buf_addc(&b, '\r');
	parse_str(&m, b.data, 0);
	irc_msg_clear(&m);

	buf_reset(&b);
	make_tags(&b, IRC_TAGS_MAX + 1);
	make_rest(&b, 20);
	parse_str(&m, b.data, -1);
	assert_cleared(&m);

	buf_reset(&b);
	make_tags(&b, 100);
	make_rest(&b, IRC_LINE_MAX + 1);
	parse_str(&m, b.data, -1);
	assert_cleared(&m);

	buf_reset(&b);
	make_rest(&b, IRC_LINE_MAX);
	parse_str(&m, b.data, 0);
	irc_msg_clear(&m);
	buf_addc(&b, 'x');
	parse_str(&m, b.data, -1);

	/* a 10 KB line without tags */
	buf_reset(&b);
	make_rest(&b, 10240);
	parse_str(&m, b.data, -1);
	buf_free(&b);
}

/* Assert s ends in CRLF and has no other CR or LF. */
static void
assert_one_line(const char *s)
{
	size_t	 n = strlen(s);

	assert_true(n >= 2);
	assert_int_equal(s[n - 2], '\r');
	assert_int_equal(s[n - 1], '\n');
	assert_null(memchr(s, '\r', n - 2));
	assert_null(memchr(s, '\n', n - 2));
	assert_true(n <= IRC_LINE_MAX);
}

/* The builder quotes the last parameter only when needed. */
static void
test_build_basic(void **state)
{
	const char	*p1[] = { "#ops", "hello world" };
	const char	*p2[] = { "#ops", "word" };
	const char	*p3[] = { "#ops", "" };
	const char	*p4[] = { "#ops", ":)" };
	const char	*p5[] = { "LS", "302" };
	char		*s;

	s = irc_build("PRIVMSG", p1, 2);
	assert_string_equal(s, "PRIVMSG #ops :hello world\r\n");
	free(s);
	s = irc_build("PRIVMSG", p2, 2);
	assert_string_equal(s, "PRIVMSG #ops word\r\n");
	free(s);
	s = irc_build("PRIVMSG", p3, 2);
	assert_string_equal(s, "PRIVMSG #ops :\r\n");
	free(s);
	s = irc_build("PRIVMSG", p4, 2);
	assert_string_equal(s, "PRIVMSG #ops ::)\r\n");
	free(s);
	s = irc_build("CAP", p5, 2);
	assert_string_equal(s, "CAP LS 302\r\n");
	free(s);
	s = irc_build("QUIT", NULL, 0);
	assert_string_equal(s, "QUIT\r\n");
	free(s);
}

/* CR/LF injection through any parameter never makes a second line. */
static void
test_build_injection(void **state)
{
	const char	*p1[] = { "#ops", "x\r\nQUIT :bye" };
	const char	*p2[] = { "#ops", "\r\n\r\n" };
	const char	*p3[] = { "#o\r\nps", "t" };
	const char	*p4[] = { "#ops\r\nQUIT :x", "t" };
	const char	*p6[] = { "#ops\r\nQUIT", "t" };
	const char	*p5[] = { "\r\n", "t" };
	struct irc_msg	 m;
	char		*s;

	s = irc_build("PRIVMSG", p1, 2);
	assert_non_null(s);
	assert_one_line(s);
	assert_string_equal(s, "PRIVMSG #ops :xQUIT :bye\r\n");
	parse_str(&m, s, 0);
	assert_string_equal(m.command, "PRIVMSG");
	assert_int_equal(m.nparams, 2);
	irc_msg_clear(&m);
	free(s);

	s = irc_build("PRIVMSG", p2, 2);
	assert_string_equal(s, "PRIVMSG #ops :\r\n");
	free(s);

	s = irc_build("PRIVMSG", p3, 2);
	assert_string_equal(s, "PRIVMSG #ops t\r\n");
	free(s);

	/* CR/LF removed, the space left behind makes the target invalid */
	assert_null(irc_build("PRIVMSG", p4, 2));
	/* without a space it is one odd target, still one line */
	s = irc_build("PRIVMSG", p6, 2);
	assert_string_equal(s, "PRIVMSG #opsQUIT t\r\n");
	free(s);
	/* a middle param that is only CR/LF is empty: refused */
	assert_null(irc_build("PRIVMSG", p5, 2));
	/* the command cannot smuggle anything either */
	assert_null(irc_build("PRIVMSG\r\nQUIT", p2 + 1, 1));
	assert_null(irc_build("PRIV MSG", NULL, 0));
	assert_null(irc_build("", NULL, 0));
	assert_null(irc_build(NULL, NULL, 0));
}

/* Middle parameters must be non-empty, no space, no leading ':'. */
static void
test_build_middle(void **state)
{
	const char	*e[] = { "", "t" };
	const char	*c[] = { ":x", "t" };
	const char	*sp[] = { "a b", "t" };
	const char	*nul[] = { "a", NULL };
	const char	*ok[] = { "a:b", "t" };
	const char	*many[IRC_MAX_PARAMS + 1];
	char		*s;
	size_t		 i;

	assert_null(irc_build("PRIVMSG", e, 2));
	assert_null(irc_build("PRIVMSG", c, 2));
	assert_null(irc_build("PRIVMSG", sp, 2));
	assert_null(irc_build("PRIVMSG", nul, 2));
	s = irc_build("PRIVMSG", ok, 2);
	assert_string_equal(s, "PRIVMSG a:b t\r\n");
	free(s);

	for (i = 0; i < nitems(many); i++)
		many[i] = "p";
	s = irc_build("X", many, IRC_MAX_PARAMS);
	assert_non_null(s);
	free(s);
	assert_null(irc_build("X", many, IRC_MAX_PARAMS + 1));
}

/* The whole line with CRLF may be IRC_LINE_MAX bytes, not one more. */
static void
test_build_length(void **state)
{
	char		 text[IRC_LINE_MAX + 10];
	const char	*p[] = { "#c", text };
	char		*s;
	size_t		 fixed = strlen("PRIVMSG #c :\r\n");

	memset(text, 'a', sizeof text);
	text[0] = 'a';
	text[1] = ' ';			/* needs the ':' */
	text[IRC_LINE_MAX - fixed] = '\0';
	s = irc_build("PRIVMSG", p, 2);
	assert_non_null(s);
	assert_int_equal(strlen(s), IRC_LINE_MAX);
	assert_one_line(s);
	free(s);

	memset(text, 'a', sizeof text);
	text[1] = ' ';
	text[IRC_LINE_MAX - fixed + 1] = '\0';
	assert_null(irc_build("PRIVMSG", p, 2));

	/* no ':' needed: one more byte of text fits */
	memset(text, 'a', sizeof text);
	text[IRC_LINE_MAX - fixed + 1] = '\0';
	s = irc_build("PRIVMSG", p, 2);
	assert_non_null(s);
	assert_int_equal(strlen(s), IRC_LINE_MAX);
	free(s);

	/* removed CR/LF do not count against the limit */
	memset(text, 'a', sizeof text);
	text[1] = ' ';
	text[5] = '\r';
	text[6] = '\n';
	text[IRC_LINE_MAX - fixed + 2] = '\0';
	s = irc_build("PRIVMSG", p, 2);
	assert_non_null(s);
	assert_int_equal(strlen(s), IRC_LINE_MAX);
	assert_one_line(s);
	free(s);
}

/* irc_sanitize drops CR/LF, terminates, never cuts a character. */
static void
test_sanitize(void **state)
{
	char	 out[16];

	assert_int_equal(irc_sanitize(out, sizeof out, "a\r\nb\rc\nd"), 4);
	assert_string_equal(out, "abcd");
	assert_int_equal(irc_sanitize(out, 4, "abcdef"), 3);
	assert_string_equal(out, "abc");
	/* "ab" + e-acute (2 bytes): 3 bytes of room must not cut it */
	assert_int_equal(irc_sanitize(out, 4, "ab\xc3\xa9z"), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(irc_sanitize(out, 5, "ab\xc3\xa9z"), 4);
	assert_string_equal(out, "ab\xc3\xa9");
	/* a 4-byte emoji cut after 1, 2 or 3 of its bytes */
	assert_int_equal(irc_sanitize(out, 3, "a\xf0\x9f\x94\xa5"), 1);
	assert_int_equal(irc_sanitize(out, 5, "a\xf0\x9f\x94\xa5"), 1);
	assert_int_equal(irc_sanitize(out, 6, "a\xf0\x9f\x94\xa5"), 5);
	/* stray continuation bytes are just bytes */
	assert_int_equal(irc_sanitize(out, 4, "a\x80\x80\x80\x80"), 3);
	assert_int_equal(irc_sanitize(out, 1, "abc"), 0);
	assert_string_equal(out, "");
	out[0] = 'z';
	assert_int_equal(irc_sanitize(out, 0, "abc"), 0);
	assert_int_equal(out[0], 'z');
}

/* ASCII splitting, with and without a space to break at. */
static void
test_split_ascii(void **state)
{
	const char	*s = "abcdefghij";

	assert_int_equal(irc_split_len(s, 10, 4), 4);
	assert_int_equal(irc_split_len(s, 10, 10), 10);
	assert_int_equal(irc_split_len(s, 10, 100), 10);
	assert_int_equal(irc_split_len(s, 3, 10), 3);
	assert_int_equal(irc_split_len(s, 10, 0), 1);
	assert_int_equal(irc_split_len(s, 0, 10), 0);

	/* space in the second half of the 10 bytes that fit: break after */
	s = "hello wonderful world";
	assert_int_equal(irc_split_len(s, strlen(s), 10), 6);
	/* space only in the first half: a hard cut */
	s = "ab cdefghijklmnop";
	assert_int_equal(irc_split_len(s, strlen(s), 10), 10);
	/* the last space wins */
	s = "aaaa bb cc ddddd";
	assert_int_equal(irc_split_len(s, strlen(s), 12), 11);
	/* a space just at the limit */
	s = "aaaaaaaaa bbbb";
	assert_int_equal(irc_split_len(s, strlen(s), 10), 10);
}

/* Multibyte characters straddling the limit are never cut. */
static void
test_split_utf8(void **state)
{
	/* "abc" + e-acute (C3 A9): limit 4 falls inside it */
	assert_int_equal(irc_split_len("abc\xc3\xa9x", 6, 4), 3);
	assert_int_equal(irc_split_len("abc\xc3\xa9x", 6, 5), 5);
	/* 3-byte euro sign E2 82 AC at offset 2 */
	assert_int_equal(irc_split_len("ab\xe2\x82\xacx", 6, 3), 2);
	assert_int_equal(irc_split_len("ab\xe2\x82\xacx", 6, 4), 2);
	assert_int_equal(irc_split_len("ab\xe2\x82\xacx", 6, 5), 5);
	/* 4-byte emoji F0 9F 94 A5 at offset 1 */
	assert_int_equal(irc_split_len("a\xf0\x9f\x94\xa5z", 6, 2), 1);
	assert_int_equal(irc_split_len("a\xf0\x9f\x94\xa5z", 6, 4), 1);
	assert_int_equal(irc_split_len("a\xf0\x9f\x94\xa5z", 6, 5), 5);
	/* max smaller than the first character: that character anyway */
	assert_int_equal(irc_split_len("\xf0\x9f\x94\xa5z", 5, 3), 4);
	assert_int_equal(irc_split_len("\xe2\x82\xac", 3, 1), 3);
	assert_int_equal(irc_split_len("\xc3\xa9", 2, 1), 2);
	/* space preference together with multibyte text */
	assert_int_equal(irc_split_len("\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9",
	    9, 7), 5);
}

/* Invalid UTF-8: bad bytes count as single characters. */
static void
test_split_invalid(void **state)
{
	/* stray continuation bytes */
	assert_int_equal(irc_split_len("\x80\x80\x80\x80", 4, 2), 2);
	/* a lead without its continuations: one byte each */
	assert_int_equal(irc_split_len("\xe2" "abcd", 5, 2), 2);
	assert_int_equal(irc_split_len("\xe2\x82" "abc", 5, 1), 1);
	/* truncated sequence at the end of the text */
	assert_int_equal(irc_split_len("ab\xf0\x9f", 4, 3), 3);
	/* 0xff, 0xc0 are never leads */
	assert_int_equal(irc_split_len("\xff\xc0\x80z", 4, 1), 1);
	assert_int_equal(irc_split_len("\xc0\x80z", 3, 2), 2);
}

/* Split a long mixed string in pieces and put it back together. */
static void
test_split_reassemble(void **state)
{
	static const char *chars[] = {
		"a", " ", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x94\xa5",
		"\xd0\x96", "z", "\xe4\xb8\xad",
	};
	struct buf	 in, out;
	size_t		 max, off, n, i;
	unsigned int	 seed = 12345;

	buf_init(&in);
	for (i = 0; i < 3000; i++) {
		seed = seed * 1103515245 + 12345;
		buf_addstr(&in, chars[(seed >> 16) % nitems(chars)]);
	}
	assert_true(util_utf8_valid(in.data, in.len));

	for (max = 4; max < 520; max += 37) {
		buf_init(&out);
		for (off = 0; off < in.len; off += n) {
			n = irc_split_len(in.data + off, in.len - off, max);
			assert_true(n >= 1);
			assert_true(n <= max);
			assert_true(n <= in.len - off);
			assert_true(util_utf8_valid(in.data + off, n));
			buf_add(&out, in.data + off, n);
		}
		assert_int_equal(out.len, in.len);
		assert_memory_equal(out.data, in.data, in.len);
		buf_free(&out);
	}
	buf_free(&in);
}

/* rfc1459 case mapping. */
static void
test_casemap(void **state)
{
	char	 s[] = "Alice[Ops]\\^|~{}XYZ";

	assert_int_equal(irc_casecmp("Alice", "aLICE"), 0);
	assert_int_equal(irc_casecmp("nick[a]", "NICK{A}"), 0);
	assert_int_equal(irc_casecmp("a\\b^", "A|B~"), 0);
	assert_true(irc_casecmp("alice", "bob") < 0);
	assert_true(irc_casecmp("bob", "alice") > 0);
	assert_true(irc_casecmp("al", "alice") < 0);
	assert_true(irc_casecmp("alice", "al") > 0);
	assert_true(irc_casecmp("a_", "a") > 0);
	assert_int_equal(irc_casecmp("", ""), 0);
	irc_lower(s);
	assert_string_equal(s, "alice{ops}|~|~{}xyz");
}

/* Globs: wildcards, case mapping, and no exponential blow-up. */
static void
test_glob(void **state)
{
	struct buf	 s, p;
	int		 i;

	assert_true(irc_glob("alice!*@*", "alice!al@example.org"));
	assert_true(irc_glob("ALICE!*@*", "alice!al@example.org"));
	assert_true(irc_glob("nick[x]!*@*", "NICK{X}!u@h"));
	assert_false(irc_glob("alice!*@*", "alicex!al@example.org"));
	assert_true(irc_glob("*!*@*.example.org", "bob!b@gw.example.org"));
	assert_false(irc_glob("*!*@*.example.org", "bob!b@example.org"));
	assert_true(irc_glob("a?c", "abc"));
	assert_false(irc_glob("a?c", "ac"));
	assert_true(irc_glob("*", ""));
	assert_true(irc_glob("", ""));
	assert_false(irc_glob("", "a"));
	assert_false(irc_glob("a", ""));
	assert_true(irc_glob("**a**", "bab"));
	assert_true(irc_glob("*a", "aaa"));
	assert_false(irc_glob("*a", "aab"));
	assert_true(irc_glob("a*b*c", "axxbyyc"));
	assert_false(irc_glob("a*b*c", "axxbyyd"));

	/* pathological: would take ages with naive recursion */
	buf_init(&s);
	buf_init(&p);
	for (i = 0; i < 20; i++)
		buf_addstr(&p, "*a");
	buf_addstr(&p, "*b");
	for (i = 0; i < 5000; i++)
		buf_addc(&s, 'a');
	assert_false(irc_glob(p.data, s.data));
	buf_addc(&s, 'b');
	assert_true(irc_glob(p.data, s.data));
	buf_free(&s);
	buf_free(&p);
}

/* Burst of lines at once, then one per interval. */
static void
test_flood_burst(void **state)
{
	struct flood	 f;
	uint64_t	 t = 1000000;
	int		 i;

	flood_init(&f, 4, 2000, t);
	for (i = 0; i < 4; i++)
		assert_int_equal(flood_take(&f, t), 0);
	assert_int_equal(flood_take(&f, t), 2000);
	assert_int_equal(flood_take(&f, t + 500), 1500);
	assert_int_equal(flood_take(&f, t + 1999), 1);
	assert_int_equal(flood_take(&f, t + 2000), 0);
	assert_int_equal(flood_take(&f, t + 2000), 2000);
	assert_int_equal(flood_take(&f, t + 4000), 0);
}

/* After idling the bucket refills, but only up to the burst. */
static void
test_flood_refill(void **state)
{
	struct flood	 f;
	uint64_t	 t = 50;
	int		 i;

	flood_init(&f, 3, 1000, t);
	for (i = 0; i < 3; i++)
		assert_int_equal(flood_take(&f, t), 0);
	assert_true(flood_take(&f, t) > 0);
	/* 2.5 intervals of idle: two lines, the third waits 500 ms */
	t += 2500;
	assert_int_equal(flood_take(&f, t), 0);
	assert_int_equal(flood_take(&f, t), 0);
	assert_int_equal(flood_take(&f, t), 500);
	/* a long idle gives a full burst and no more */
	t += 1000000;
	for (i = 0; i < 3; i++)
		assert_int_equal(flood_take(&f, t), 0);
	assert_int_equal(flood_take(&f, t), 1000);
	/* a huge jump forward cannot overflow the credit */
	t = UINT64_MAX - 1;
	for (i = 0; i < 3; i++)
		assert_int_equal(flood_take(&f, t), 0);
	assert_int_equal(flood_take(&f, t), 1000);
}

/* Time going backwards grants nothing and does not stall the queue. */
static void
test_flood_backwards(void **state)
{
	struct flood	 f;
	long long	 w;

	flood_init(&f, 2, 1000, 10000);
	assert_int_equal(flood_take(&f, 10000), 0);
	assert_int_equal(flood_take(&f, 10000), 0);
	w = flood_take(&f, 5000);
	assert_true(w > 0 && w <= 1000);
	assert_int_equal(flood_take(&f, 5000), 1000);
	/* progress resumes from the new reference point */
	assert_int_equal(flood_take(&f, 6000), 0);
	assert_int_equal(flood_take(&f, 6000), 1000);
	/* an interval of 0 disables pacing; a burst of 0 means 1 */
	flood_init(&f, 0, 0, 0);
	assert_int_equal(flood_take(&f, 0), 0);
	assert_int_equal(flood_take(&f, 0), 0);
	flood_init(&f, 0, 100, 0);
	assert_int_equal(flood_take(&f, 0), 0);
	assert_int_equal(flood_take(&f, 0), 100);
}

/* Run every test. */
/* Invalid UTF-8 becomes U+FFFD; valid text is unchanged. */
static void
test_utf8_repair(void **state)
{
	static const struct { const char *in, *out; } c[] = {
		{ "plain", "plain" },
		{ "\xc5\xbelu\xc5\xa5", "\xc5\xbelu\xc5\xa5" },
		{ "\xf0\x9f\x94\xa5!", "\xf0\x9f\x94\xa5!" },
		{ "a\xc3\x28", "a\xef\xbf\xbd(" },
		{ "\xa0\xa1", "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },	/* overlong */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd" },	/* cut */
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd\xef\xbf\xbd" },
	};
	size_t	i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		char *r = irc_utf8_repair(c[i].in);

		assert_string_equal(r, c[i].out);
		assert_true(util_utf8_valid(r, strlen(r)));
		free(r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_privmsg),
		cmocka_unit_test(test_parse_tags),
		cmocka_unit_test(test_parse_tags_edge),
		cmocka_unit_test(test_parse_many_tags),
		cmocka_unit_test(test_parse_sources),
		cmocka_unit_test(test_parse_commands),
		cmocka_unit_test(test_parse_params),
		cmocka_unit_test(test_parse_max_params),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_len_respected),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_build_basic),
		cmocka_unit_test(test_build_injection),
		cmocka_unit_test(test_build_middle),
		cmocka_unit_test(test_build_length),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_split_ascii),
		cmocka_unit_test(test_split_utf8),
		cmocka_unit_test(test_utf8_repair),
		cmocka_unit_test(test_split_invalid),
		cmocka_unit_test(test_split_reassemble),
		cmocka_unit_test(test_casemap),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_flood_burst),
		cmocka_unit_test(test_flood_refill),
		cmocka_unit_test(test_flood_backwards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
