/*
 * test_ircmsg.c — unit tests for bot/ircmsg.c through bot/ircmsg.h:
 * parsing (tags, sources, commands, parameters, limits, malformed lines),
 * the sanitizing builder, UTF-8 splitting, case mapping, globs and the
 * flood bucket. Pure logic only: no sockets, no clocks. Cases are rows
 * of a table per test, run by one checker per kind (parse, tags, build,
 * split, flood steps).
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

/* Assert that a string is want, or NULL when want is NULL. */
static void
assert_str_or_null(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

/*
 * A line without tags that parses, and every part of the result: the
 * source and its parts (NULL: absent), the command, the parameters and
 * the last one.
 */
struct parse_case {
	const char	*line;
	const char	*source, *nick, *user, *host;
	const char	*command;
	size_t		 nparams;
	const char	*params[IRC_MAX_PARAMS];
	const char	*last;
};

/* Parse each case and check all of it; clearing empties the message. */
static void
parse_cases(const struct parse_case *c, size_t n)
{
	struct irc_msg	 m;
	size_t		 i, j;

	for (i = 0; i < n; i++, c++) {
		if (irc_parse(&m, c->line, strlen(c->line)) != 0)
			fail_msg("refused \"%s\"", c->line);
		assert_str_or_null(m.source, c->source);
		assert_str_or_null(m.nick, c->nick);
		assert_str_or_null(m.user, c->user);
		assert_str_or_null(m.host, c->host);
		assert_string_equal(m.command, c->command);
		assert_int_equal(m.nparams, c->nparams);
		for (j = 0; j < c->nparams; j++)
			assert_string_equal(m.params[j], c->params[j]);
		assert_string_equal(irc_msg_last(&m), c->last);
		assert_int_equal(m.ntags, 0);
		assert_null(irc_msg_tag(&m, "account"));
		irc_msg_clear(&m);
		assert_null(m.buf);
		assert_null(m.command);
	}
}

/* A plain PRIVMSG with a full nick!user@host source. */
static void
test_parse_privmsg(void **state)
{
	static const struct parse_case c[] = {
		{ ":alice!ali@example.org PRIVMSG #ops :hello there",
		  "alice!ali@example.org", "alice", "ali", "example.org",
		  "PRIVMSG", 2, { "#ops", "hello there" }, "hello there" },
	};

	parse_cases(c, nitems(c));
}

/* One line with tags: how many, and what some keys give (NULL: none). */
struct tag_case {
	const char	*line;
	int		 ntags;
	const char	*first;		/* the value of tags[0] */
	struct {
		const char	*key, *value;
	}		 lookups[8];	/* up to a NULL key */
	const char	*command, *last;
};

/* Parse each tag case and look its keys up. */
static void
tag_cases(const struct tag_case *c, size_t n)
{
	struct irc_msg	 m;
	size_t		 i, j;

	for (i = 0; i < n; i++, c++) {
		parse_str(&m, c->line, 0);
		assert_int_equal(m.ntags, c->ntags);
		assert_string_equal(m.tags[0].value, c->first);
		for (j = 0; c->lookups[j].key != NULL; j++)
			assert_str_or_null(irc_msg_tag(&m, c->lookups[j].key),
			    c->lookups[j].value);
		assert_string_equal(m.command, c->command);
		assert_string_equal(irc_msg_last(&m), c->last);
		irc_msg_clear(&m);
	}
}

/*
 * Tags with every escape, valueless tags, client tags, account lookup;
 * a trailing lone backslash is dropped, empty keys skipped, the last of
 * a repeated key wins.
 */
static void
test_parse_tags(void **state)
{
	static const struct tag_case c[] = {
		{ "@account=bob;+example.com/x=a\\sb;flag;"
		  "esc=\\:\\s\\\\\\r\\n\\q;time=2026-01-01T00:00:00.000Z "
		  ":bob!b@h PRIVMSG #c :hi", 5, "bob", {
			{ "account", "bob" },
			{ "+example.com/x", "a b" },
			{ "example.com/x", NULL },
			{ "flag", "" },
			{ "esc", "; \\\r\nq" },
			{ "time", "2026-01-01T00:00:00.000Z" },
			{ "Account", NULL },
		  }, "PRIVMSG", "hi" },
		{ "@a=x\\;;=v;b=;a=y;c=end\\ PING", 4, "x", {
			{ "a", "y" },
			{ "b", "" },
			{ "c", "end" },
			{ "", NULL },
		  }, "PING", "" },
	};

	tag_cases(c, nitems(c));
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
	static const struct parse_case c[] = {
		{ ":irc.example.net 001 bot :Welcome", "irc.example.net",
		  "irc.example.net", NULL, NULL, "001", 2,
		  { "bot", "Welcome" }, "Welcome" },
		{ ":alice NICK alice_", "alice", "alice", NULL, NULL, "NICK",
		  1, { "alice_" }, "alice_" },
		{ ":alice@host.example QUIT", "alice@host.example", "alice",
		  NULL, "host.example", "QUIT", 0, { NULL }, "" },
		{ ":!u@h JOIN #x", "!u@h", NULL, "u", "h", "JOIN", 1,
		  { "#x" }, "#x" },
		{ "PING :irc.example.net", NULL, NULL, NULL, NULL, "PING", 1,
		  { "irc.example.net" }, "irc.example.net" },
	};

	parse_cases(c, nitems(c));
}

/* Commands: upper-cased letters, 3-digit numerics (else malformed). */
static void
test_parse_commands(void **state)
{
	static const struct parse_case c[] = {
		{ "privmsg #a :b", NULL, NULL, NULL, NULL, "PRIVMSG", 2,
		  { "#a", "b" }, "b" },
		{ ":s 433 * bot :Nickname is already in use", "s", "s",
		  NULL, NULL, "433", 3,
		  { "*", "bot", "Nickname is already in use" },
		  "Nickname is already in use" },
	};

	parse_cases(c, nitems(c));
}

/* Trailing parameters, empty trailing, ':' inside, many spaces, CR. */
static void
test_parse_params(void **state)
{
	static const struct parse_case c[] = {
		{ "PRIVMSG #c :", NULL, NULL, NULL, NULL, "PRIVMSG", 2,
		  { "#c", "" }, "" },
		{ "PRIVMSG #c ::-) a:b", NULL, NULL, NULL, NULL, "PRIVMSG", 2,
		  { "#c", ":-) a:b" }, ":-) a:b" },
		{ "MODE   #c   +o    bob   ", NULL, NULL, NULL, NULL, "MODE",
		  3, { "#c", "+o", "bob" }, "bob" },
		{ "PRIVMSG #c :  spaced  text  \r", NULL, NULL, NULL, NULL,
		  "PRIVMSG", 2, { "#c", "  spaced  text  " },
		  "  spaced  text  " },
		{ "PRIVMSG #c a:b", NULL, NULL, NULL, NULL, "PRIVMSG", 2,
		  { "#c", "a:b" }, "a:b" },
		{ "PING x\r\n", NULL, NULL, NULL, NULL, "PING", 1, { "x" },
		  "x" },
	};

	parse_cases(c, nitems(c));
}

/* The 15th parameter takes the rest of the line, spacing kept. */
static void
test_parse_max_params(void **state)
{
#define FOURTEEN "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", \
		"12", "13", "14"
	static const struct parse_case c[] = {
		{ "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16  17 ", NULL,
		  NULL, NULL, NULL, "CMD", IRC_MAX_PARAMS,
		  { FOURTEEN, "15 16  17" }, "15 16  17" },
		{ "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 :last one", NULL,
		  NULL, NULL, NULL, "CMD", 15, { FOURTEEN, "last one" },
		  "last one" },
		{ "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", NULL, NULL, NULL,
		  NULL, "CMD", 15, { FOURTEEN, "15" }, "15" },
	};
#undef FOURTEEN

	parse_cases(c, nitems(c));
}

/* Malformed lines (bad commands too) are refused and leave msg cleared. */
static void
test_parse_malformed(void **state)
{
	static const char *bad[] = {
		"", "\r", "\r\n", "@", "@a=b", "@a=b ", "@a=b    ", ":",
		": PING", ":nick", ":nick ", ":nick    ", "@a=b :nick",
		"@a=b :nick ", " ", "   ", "PRIV\rMSG #c", "PING a\nQUIT",
		"@a :x 12 y", ":s 4333 x", ":s 43 x", "PRIV1MSG x",
		"PRIV-MSG x",
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
	static const struct {
		size_t	 tagsz;		/* 0: no tags */
		size_t	 restsz;	/* the PRIVMSG without tags */
		int	 cr;		/* a trailing CR (it does not count) */
		int	 rc;
	} c[] = {
		{ IRC_TAGS_MAX, IRC_LINE_MAX, 0, 0 },
		{ IRC_TAGS_MAX, IRC_LINE_MAX, 1, 0 },
		{ IRC_TAGS_MAX + 1, 20, 0, -1 },
		{ 100, IRC_LINE_MAX + 1, 0, -1 },
		{ 0, IRC_LINE_MAX, 0, 0 },
		{ 0, IRC_LINE_MAX + 1, 0, -1 },
		{ 0, 10240, 0, -1 },		/* a 10 KB line without tags */
	};
	struct irc_msg	 m;
	struct buf	 b;
	size_t		 i;

	assert_int_equal(c[0].tagsz + c[0].restsz, IRC_RECV_MAX);
	buf_init(&b);
	for (i = 0; i < nitems(c); i++) {
		buf_reset(&b);
		if (c[i].tagsz > 0)
			make_tags(&b, c[i].tagsz);
		make_rest(&b, c[i].restsz);
		assert_int_equal(b.len, c[i].tagsz + c[i].restsz);
		if (c[i].cr)
			buf_addc(&b, '\r');
		parse_str(&m, b.data, c[i].rc);
		if (c[i].rc != 0) {
			assert_cleared(&m);
			continue;
		}
		if (c[i].tagsz > 0)
			assert_int_equal(strlen(irc_msg_tag(&m, "k")),
			    c[i].tagsz - 4);
		assert_int_equal(strlen(irc_msg_last(&m)), c[i].restsz - 12);
		irc_msg_clear(&m);
	}
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

/* One call of the builder and its line, or NULL when it must refuse. */
struct build_case {
	const char	*cmd;
	size_t		 nparams;
	const char	*params[3];
	const char	*want;
};

/*
 * Build each case; a line built is one line that parses back into the
 * same command and number of parameters.
 */
static void
build_cases(const struct build_case *c, size_t n)
{
	struct irc_msg	 m;
	size_t		 i;
	char		*s;

	for (i = 0; i < n; i++, c++) {
		s = irc_build(c->cmd, c->nparams > 0 ? c->params : NULL,
		    c->nparams);
		if (c->want == NULL) {
			if (s != NULL)
				fail_msg("case %zu built \"%s\"", i, s);
			continue;
		}
		assert_non_null(s);
		assert_string_equal(s, c->want);
		assert_one_line(s);
		parse_str(&m, s, 0);
		assert_true(util_strcaseeq(m.command, c->cmd));
		assert_int_equal(m.nparams, c->nparams);
		irc_msg_clear(&m);
		free(s);
	}
}

/* The builder quotes the last parameter only when needed. */
static void
test_build_basic(void **state)
{
	static const struct build_case c[] = {
		{ "PRIVMSG", 2, { "#ops", "hello world" },
		  "PRIVMSG #ops :hello world\r\n" },
		{ "PRIVMSG", 2, { "#ops", "word" }, "PRIVMSG #ops word\r\n" },
		{ "PRIVMSG", 2, { "#ops", "" }, "PRIVMSG #ops :\r\n" },
		{ "PRIVMSG", 2, { "#ops", ":)" }, "PRIVMSG #ops ::)\r\n" },
		{ "CAP", 2, { "LS", "302" }, "CAP LS 302\r\n" },
		{ "QUIT", 0, { NULL }, "QUIT\r\n" },
	};

	build_cases(c, nitems(c));
}

/*
 * CR/LF injection through any parameter never makes a second line. A
 * target whose CR/LF removal leaves a space is invalid; without a space
 * it is one odd target, still one line; a middle parameter of only
 * CR/LF is empty, so refused; the command cannot smuggle anything.
 */
static void
test_build_injection(void **state)
{
	static const struct build_case c[] = {
		{ "PRIVMSG", 2, { "#ops", "x\r\nQUIT :bye" },
		  "PRIVMSG #ops :xQUIT :bye\r\n" },
		{ "PRIVMSG", 2, { "#ops", "\r\n\r\n" }, "PRIVMSG #ops :\r\n" },
		{ "PRIVMSG", 2, { "#o\r\nps", "t" }, "PRIVMSG #ops t\r\n" },
		{ "PRIVMSG", 2, { "#ops\r\nQUIT :x", "t" }, NULL },
		{ "PRIVMSG", 2, { "#ops\r\nQUIT", "t" },
		  "PRIVMSG #opsQUIT t\r\n" },
		{ "PRIVMSG", 2, { "\r\n", "t" }, NULL },
		{ "PRIVMSG\r\nQUIT", 1, { "\r\n\r\n" }, NULL },
		{ "PRIV MSG", 0, { NULL }, NULL },
		{ "", 0, { NULL }, NULL },
		{ NULL, 0, { NULL }, NULL },
	};

	build_cases(c, nitems(c));
}

/* Middle parameters must be non-empty, no space, no leading ':'. */
static void
test_build_middle(void **state)
{
	static const struct build_case c[] = {
		{ "PRIVMSG", 2, { "", "t" }, NULL },
		{ "PRIVMSG", 2, { ":x", "t" }, NULL },
		{ "PRIVMSG", 2, { "a b", "t" }, NULL },
		{ "PRIVMSG", 2, { "a", NULL }, NULL },
		{ "PRIVMSG", 2, { "a:b", "t" }, "PRIVMSG a:b t\r\n" },
	};
	const char	*many[IRC_MAX_PARAMS + 1];
	char		*s;
	size_t		 i;

	build_cases(c, nitems(c));
	for (i = 0; i < nitems(many); i++)
		many[i] = "p";
	s = irc_build("X", many, IRC_MAX_PARAMS);
	assert_non_null(s);
	free(s);
	assert_null(irc_build("X", many, IRC_MAX_PARAMS + 1));
}

/*
 * The whole line with CRLF may be IRC_LINE_MAX bytes, not one more: a
 * text that needs the ':' (a space at 1) fits one byte less than one
 * that does not, and removed CR/LF do not count against the limit.
 */
static void
test_build_length(void **state)
{
	static const struct {
		int	 space;		/* a space at text[1] */
		int	 crlf;		/* CR LF at text[5] and text[6] */
		size_t	 extra;		/* text length past the room */
		int	 ok;
	} c[] = {
		{ 1, 0, 0, 1 },
		{ 1, 0, 1, 0 },
		{ 0, 0, 1, 1 },
		{ 1, 1, 2, 1 },
	};
	char		 text[IRC_LINE_MAX + 10];
	const char	*p[] = { "#c", text };
	char		*s;
	size_t		 fixed = strlen("PRIVMSG #c :\r\n"), i;

	for (i = 0; i < nitems(c); i++) {
		memset(text, 'a', sizeof text);
		if (c[i].space)
			text[1] = ' ';
		if (c[i].crlf) {
			text[5] = '\r';
			text[6] = '\n';
		}
		text[IRC_LINE_MAX - fixed + c[i].extra] = '\0';
		s = irc_build("PRIVMSG", p, 2);
		if (!c[i].ok) {
			assert_null(s);
			continue;
		}
		assert_non_null(s);
		assert_int_equal(strlen(s), IRC_LINE_MAX);
		assert_one_line(s);
		free(s);
	}
}

/* irc_sanitize drops CR/LF, terminates, never cuts a character. */
static void
test_sanitize(void **state)
{
	static const struct {
		size_t		 size;
		const char	*in;
		size_t		 ret;
		const char	*out;
	} c[] = {
		{ 16, "a\r\nb\rc\nd", 4, "abcd" },
		{ 4, "abcdef", 3, "abc" },
		/* "ab" + e-acute (2 bytes): 3 bytes of room must not cut it */
		{ 4, "ab\xc3\xa9z", 2, "ab" },
		{ 5, "ab\xc3\xa9z", 4, "ab\xc3\xa9" },
		/* a 4-byte emoji cut after 1, 2 or 3 of its bytes */
		{ 3, "a\xf0\x9f\x94\xa5", 1, "a" },
		{ 5, "a\xf0\x9f\x94\xa5", 1, "a" },
		{ 6, "a\xf0\x9f\x94\xa5", 5, "a\xf0\x9f\x94\xa5" },
		/* stray continuation bytes are just bytes */
		{ 4, "a\x80\x80\x80\x80", 3, "a\x80\x80" },
		{ 1, "abc", 0, "" },
		{ 0, "abc", 0, NULL },		/* nothing written at all */
	};
	char	 out[16];
	size_t	 i;

	for (i = 0; i < nitems(c); i++) {
		memset(out, 'z', sizeof out);
		assert_int_equal(irc_sanitize(out, c[i].size, c[i].in),
		    c[i].ret);
		if (c[i].out != NULL)
			assert_string_equal(out, c[i].out);
		else
			assert_int_equal(out[0], 'z');
	}
}

/* irc_split_len(text, len, max) must be want. */
struct split_case {
	const char	*text;
	size_t		 len, max, want;
};

/* Check each split case. */
static void
split_cases(const struct split_case *c, size_t n)
{
	size_t	i, got;

	for (i = 0; i < n; i++) {
		got = irc_split_len(c[i].text, c[i].len, c[i].max);
		if (got != c[i].want)
			fail_msg("case %zu: split of %zu bytes at %zu: %zu, "
			    "want %zu", i, c[i].len, c[i].max, got,
			    c[i].want);
	}
}

/* A string literal and its length. */
#define S(lit)	lit, sizeof lit - 1

/* ASCII splitting, with and without a space to break at. */
static void
test_split_ascii(void **state)
{
	static const struct split_case c[] = {
		{ "abcdefghij", 10, 4, 4 },
		{ "abcdefghij", 10, 10, 10 },
		{ "abcdefghij", 10, 100, 10 },
		{ "abcdefghij", 3, 10, 3 },
		{ "abcdefghij", 10, 0, 1 },
		{ "abcdefghij", 0, 10, 0 },
		/* space in the second half of the 10 that fit: break after */
		{ S("hello wonderful world"), 10, 6 },
		/* space only in the first half: a hard cut */
		{ S("ab cdefghijklmnop"), 10, 10 },
		/* the last space wins */
		{ S("aaaa bb cc ddddd"), 12, 11 },
		/* a space just at the limit */
		{ S("aaaaaaaaa bbbb"), 10, 10 },
	};

	split_cases(c, nitems(c));
}

/* Multibyte characters straddling the limit are never cut. */
static void
test_split_utf8(void **state)
{
	static const struct split_case c[] = {
		/* "abc" + e-acute (C3 A9): limit 4 falls inside it */
		{ "abc\xc3\xa9x", 6, 4, 3 },
		{ "abc\xc3\xa9x", 6, 5, 5 },
		/* 3-byte euro sign E2 82 AC at offset 2 */
		{ "ab\xe2\x82\xacx", 6, 3, 2 },
		{ "ab\xe2\x82\xacx", 6, 4, 2 },
		{ "ab\xe2\x82\xacx", 6, 5, 5 },
		/* 4-byte emoji F0 9F 94 A5 at offset 1 */
		{ "a\xf0\x9f\x94\xa5z", 6, 2, 1 },
		{ "a\xf0\x9f\x94\xa5z", 6, 4, 1 },
		{ "a\xf0\x9f\x94\xa5z", 6, 5, 5 },
		/* max smaller than the first character: that one anyway */
		{ "\xf0\x9f\x94\xa5z", 5, 3, 4 },
		{ "\xe2\x82\xac", 3, 1, 3 },
		{ "\xc3\xa9", 2, 1, 2 },
		/* space preference together with multibyte text */
		{ "\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9", 9, 7, 5 },
	};

	split_cases(c, nitems(c));
}

/* Invalid UTF-8: bad bytes count as single characters. */
static void
test_split_invalid(void **state)
{
	static const struct split_case c[] = {
		/* stray continuation bytes */
		{ "\x80\x80\x80\x80", 4, 2, 2 },
		/* a lead without its continuations: one byte each */
		{ "\xe2" "abcd", 5, 2, 2 },
		{ "\xe2\x82" "abc", 5, 1, 1 },
		/* truncated sequence at the end of the text */
		{ "ab\xf0\x9f", 4, 3, 3 },
		/* 0xff, 0xc0 are never leads */
		{ "\xff\xc0\x80z", 4, 1, 1 },
		{ "\xc0\x80z", 3, 2, 2 },
	};

	split_cases(c, nitems(c));
}

#undef S

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

/* The sign of an int: -1, 0 or 1. */
static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

/* rfc1459 case mapping. */
static void
test_casemap(void **state)
{
	static const struct {
		const char	*a, *b;
		int		 sign;
	} c[] = {
		{ "Alice", "aLICE", 0 },
		{ "nick[a]", "NICK{A}", 0 },
		{ "a\\b^", "A|B~", 0 },
		{ "alice", "bob", -1 },
		{ "bob", "alice", 1 },
		{ "al", "alice", -1 },
		{ "alice", "al", 1 },
		{ "a_", "a", 1 },
		{ "", "", 0 },
	};
	char	 s[] = "Alice[Ops]\\^|~{}XYZ";
	size_t	 i;

	for (i = 0; i < nitems(c); i++) {
		if (sign(irc_casecmp(c[i].a, c[i].b)) != c[i].sign)
			fail_msg("irc_casecmp(\"%s\", \"%s\"): want sign %d",
			    c[i].a, c[i].b, c[i].sign);
	}
	irc_lower(s);
	assert_string_equal(s, "alice{ops}|~|~{}xyz");
}

/* Globs: wildcards, case mapping, and no exponential blow-up. */
static void
test_glob(void **state)
{
	static const struct {
		const char	*pattern, *str;
		int		 match;
	} c[] = {
		{ "alice!*@*", "alice!al@example.org", 1 },
		{ "ALICE!*@*", "alice!al@example.org", 1 },
		{ "nick[x]!*@*", "NICK{X}!u@h", 1 },
		{ "alice!*@*", "alicex!al@example.org", 0 },
		{ "*!*@*.example.org", "bob!b@gw.example.org", 1 },
		{ "*!*@*.example.org", "bob!b@example.org", 0 },
		{ "a?c", "abc", 1 },
		{ "a?c", "ac", 0 },
		{ "*", "", 1 },
		{ "", "", 1 },
		{ "", "a", 0 },
		{ "a", "", 0 },
		{ "**a**", "bab", 1 },
		{ "*a", "aaa", 1 },
		{ "*a", "aab", 0 },
		{ "a*b*c", "axxbyyc", 1 },
		{ "a*b*c", "axxbyyd", 0 },
	};
	struct buf	 s, p;
	size_t		 i;

	for (i = 0; i < nitems(c); i++) {
		if (!irc_glob(c[i].pattern, c[i].str) != !c[i].match)
			fail_msg("irc_glob(\"%s\", \"%s\"): want %d",
			    c[i].pattern, c[i].str, c[i].match);
	}

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

/*
 * One step of a flood bucket: (re)start it (burst, interval at now), or
 * take a line at now and get want ms to wait; FLOOD_SOME is a wait of
 * more than 0 and at most the interval.
 */
struct flood_step {
	int		 init;
	int		 burst;
	long long	 interval;
	uint64_t	 now;
	long long	 want;
};
#define FLOOD_SOME	(-1)
#define INIT(b, i, t)	{ 1, b, i, t, 0 }
#define TAKE(t, w)	{ 0, 0, 0, t, w }

/* Run the steps on one bucket. */
static void
flood_steps(const struct flood_step *st, size_t n)
{
	struct flood	 f;
	long long	 w, interval = 0;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (st[i].init) {
			flood_init(&f, st[i].burst, st[i].interval,
			    st[i].now);
			interval = st[i].interval;
			continue;
		}
		w = flood_take(&f, st[i].now);
		if (st[i].want == FLOOD_SOME ? w <= 0 || w > interval :
		    w != st[i].want)
			fail_msg("step %zu: waits %lld, want %lld", i, w,
			    st[i].want);
	}
}

/* Burst of lines at once, then one per interval. */
static void
test_flood_burst(void **state)
{
	static const struct flood_step st[] = {
		INIT(4, 2000, 1000000),
		TAKE(1000000, 0), TAKE(1000000, 0), TAKE(1000000, 0),
		TAKE(1000000, 0),
		TAKE(1000000, 2000),
		TAKE(1000500, 1500),
		TAKE(1001999, 1),
		TAKE(1002000, 0),
		TAKE(1002000, 2000),
		TAKE(1004000, 0),
	};

	flood_steps(st, nitems(st));
}

/* After idling the bucket refills, but only up to the burst. */
static void
test_flood_refill(void **state)
{
	static const struct flood_step st[] = {
		INIT(3, 1000, 50),
		TAKE(50, 0), TAKE(50, 0), TAKE(50, 0),
		TAKE(50, FLOOD_SOME),
		/* 2.5 intervals of idle: two lines, the third waits 500 */
		TAKE(2550, 0), TAKE(2550, 0), TAKE(2550, 500),
		/* a long idle gives a full burst and no more */
		TAKE(1002550, 0), TAKE(1002550, 0), TAKE(1002550, 0),
		TAKE(1002550, 1000),
		/* a huge jump forward cannot overflow the credit */
		TAKE(UINT64_MAX - 1, 0), TAKE(UINT64_MAX - 1, 0),
		TAKE(UINT64_MAX - 1, 0), TAKE(UINT64_MAX - 1, 1000),
	};

	flood_steps(st, nitems(st));
}

/* Time going backwards grants nothing and does not stall the queue. */
static void
test_flood_backwards(void **state)
{
	static const struct flood_step st[] = {
		INIT(2, 1000, 10000),
		TAKE(10000, 0), TAKE(10000, 0),
		TAKE(5000, FLOOD_SOME),
		TAKE(5000, 1000),
		/* progress resumes from the new reference point */
		TAKE(6000, 0), TAKE(6000, 1000),
		/* an interval of 0 disables pacing; a burst of 0 means 1 */
		INIT(0, 0, 0),
		TAKE(0, 0), TAKE(0, 0),
		INIT(0, 100, 0),
		TAKE(0, 0), TAKE(0, 100),
	};

	flood_steps(st, nitems(st));
}

#undef INIT
#undef TAKE

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

/* Run every test. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_privmsg),
		cmocka_unit_test(test_parse_tags),
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
