/*
 * ident.h — who is speaking: the access level of an IRC user or of a
 * person relayed by a bridge, and the parsing of bridge lines. Pure
 * functions over the config; the IRC layer supplies nick, user, host and
 * the services account it knows of. No I/O.
 */
#ifndef OB_IDENT_H
#define OB_IDENT_H

#include <stddef.h>

struct config;
struct cfg_bridge;

enum access {
	ACCESS_PUBLIC = 0,
	ACCESS_MEMBER = 1,
	ACCESS_ADMIN = 2
};

#define IDENT_NAME_MAX	64

struct ident {
	char		 name[IDENT_NAME_MAX];	/* address replies to this */
	char		 person[IDENT_NAME_MAX]; /* team person or "" */
	enum access	 level;
	char		 detail[160];	/* "account alice", "no account",
					   "nick!user@host", "relayed by X" */
	const char	*why;		/* why public: a static string */
	const char	*bridge;	/* bridge nick for relays, or NULL */
};

/* "public", "member", "admin". */
const char	*ident_level_name(enum access);

/*
 * Identify an IRC user. account is the services account the IRC layer
 * knows for nick (NULL: none or unknown). Fills *id.
 */
void		 ident_user(const struct config *, const char *nick,
		     const char *user, const char *host, const char *account,
		     struct ident *id);

/*
 * The bridge that sent a line, or NULL: nick must equal a bridge's nick
 * (rfc1459 case-insensitive) and, with identify = account, account must
 * equal the bridge's account.
 */
const struct cfg_bridge *ident_bridge(const struct config *, const char *nick,
		     const char *account);

/*
 * Read a bridge line in place: strip mIRC formatting and zero-width
 * characters, an optional "[proto] " prefix, then "<name> text". Returns
 * 0 with *name and *text pointing into line, or -1 if the line is not a
 * relayed message (then it is ignored, never treated as the bridge's
 * own command).
 */
int		 ident_bridge_parse(char *line, char **name, char **text);

/* Identify the person relayed as name by bridge b (nick bridge_nick). */
void		 ident_relayed(const struct config *, const struct cfg_bridge *b,
		     const char *name, struct ident *id);

/* Remove mIRC formatting codes and zero-width characters in place. */
void		 ident_strip(char *s);

/* The level of a team person by name (see cfg_entry_name). */
enum access	 ident_person_level(const struct config *, const char *person);

/*
 * The reason id lacks the next level, for a chat user, written into buf
 * (an unmapped relayed name gets "NAME is not mapped to a team member on
 * BRIDGE"; otherwise id->why). Returns buf, or NULL if id->why is NULL.
 */
const char	*ident_why(const struct ident *, char *buf, size_t bufsz);

#endif
