/*
 * ircmsg.h — pure IRC line handling: parsing IRCv3 lines (tags, source,
 * command, parameters), building lines through the one sanitizing path,
 * UTF-8-safe splitting, case mapping, hostmask globs and the flood token
 * bucket. No sockets, no clocks: everything here is unit-tested and fuzzed.
 */
#ifndef OB_IRCMSG_H
#define OB_IRCMSG_H

#include <stddef.h>
#include <stdint.h>

#define IRC_LINE_MAX	512	/* without tags, including CRLF */
#define IRC_TAGS_MAX	8191	/* tag section, including '@' and space */
#define IRC_RECV_MAX	(IRC_TAGS_MAX + IRC_LINE_MAX)
#define IRC_MAX_PARAMS	15
#define IRC_MAX_TAGS	64

struct irc_tag {
	const char	*key;
	const char	*value;		/* unescaped; "" if none */
};

struct irc_msg {
	char		*buf;		/* owned storage for everything below */
	struct irc_tag	 tags[IRC_MAX_TAGS];
	size_t		 ntags;
	const char	*source;	/* full prefix or NULL */
	const char	*nick;		/* nick (or server name) part or NULL */
	const char	*user;		/* or NULL */
	const char	*host;		/* or NULL */
	const char	*command;	/* upper-cased */
	const char	*params[IRC_MAX_PARAMS];
	size_t		 nparams;
};

/*
 * Parse one line (without CR/LF; a trailing CR is tolerated). Returns 0,
 * or -1 for a malformed or over-long line (msg is then cleared). The
 * message owns a copy; free with irc_msg_clear().
 */
int		 irc_parse(struct irc_msg *, const char *line, size_t len);
void		 irc_msg_clear(struct irc_msg *);
/* Value of tag key (client-only tags keep their '+'), or NULL. */
const char	*irc_msg_tag(const struct irc_msg *, const char *key);
/* Last parameter or "" (the text of a PRIVMSG). */
const char	*irc_msg_last(const struct irc_msg *);

/*
 * Build "CMD p1 p2 :last\r\n" from parameters. Every CR, LF and NUL is
 * removed from every parameter; a middle parameter that is empty, starts
 * with ':' or contains a space is an error. Returns a malloc'd line, or
 * NULL. The line is never longer than IRC_LINE_MAX: a longer result is
 * an error. This is the only function that makes outgoing lines.
 */
char		*irc_build(const char *cmd, const char *const *params,
		     size_t nparams);
/* Copy src to dst dropping CR, LF and NUL-terminating; returns length. */
size_t		 irc_sanitize(char *dst, size_t dstsz, const char *src);

/*
 * How many bytes of text (of length len) fit in max bytes without
 * splitting a UTF-8 character; prefers to break after a space when one
 * exists in the second half. Returns 0 < n <= len (at least one whole
 * character, even when that exceeds max, so the caller always advances).
 */
size_t		 irc_split_len(const char *text, size_t len, size_t max);

/*
 * A copy of s in which every byte that is not part of a valid UTF-8
 * sequence is replaced by U+FFFD. Caller frees.
 */
char		*irc_utf8_repair(const char *s);

/*
 * Case mappings (ISUPPORT CASEMAPPING). Nicks and channels on a
 * connected server are compared with the server's mapping (the _map
 * forms); the plain forms use rfc1459, the default until the server
 * says otherwise.
 */
enum irc_casemap {
	IRC_CASEMAP_RFC1459 = 0,	/* A-Z []\^ = a-z {}|~ */
	IRC_CASEMAP_ASCII,		/* A-Z = a-z only */
	IRC_CASEMAP_STRICT_RFC1459	/* A-Z []\ = a-z {}| */
};
enum irc_casemap irc_casemap_parse(const char *value);
int		 irc_casecmp(const char *, const char *);
int		 irc_casecmp_map(enum irc_casemap, const char *, const char *);
void		 irc_lower(char *);
void		 irc_lower_map(enum irc_casemap, char *);
/* Case-insensitive glob with * and ? (rfc1459), e.g. "alice!*@*". */
int		 irc_glob(const char *pattern, const char *str);
int		 irc_glob_map(enum irc_casemap, const char *pattern,
		     const char *str);

/*
 * Token bucket for outgoing lines: at most burst lines at once, then one
 * per interval_ms. Times are the caller's monotonic milliseconds.
 */
struct flood {
	int		 burst;
	long long	 interval_ms;
	long long	 credit_ms;	/* accumulated allowance */
	uint64_t	 last_ms;
};
void		 flood_init(struct flood *, int burst, long long interval_ms,
		     uint64_t now_ms);
/* 0 if a line may go now (and takes its token), else ms to wait. */
long long	 flood_take(struct flood *, uint64_t now_ms);

#endif
