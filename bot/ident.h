/*
 * ident.h — who is speaking: the access level of an IRC user or of a
 * person relayed by a bridge, and the parsing of bridge lines. Pure
 * functions over the config; the IRC layer supplies nick, user, host and
 * the services account it knows of. No I/O.
 */
#ifndef OB_IDENT_H
#define OB_IDENT_H

#include <stddef.h>

#include "ircmsg.h"	/* enum irc_casemap */

struct config;
struct cfg_bridge;

enum access {
	ACCESS_PUBLIC = 0,
	ACCESS_MEMBER = 1,
	ACCESS_ADMIN = 2
};

#define IDENT_NAME_MAX	64
#define IDENT_MASK_MAX	(IDENT_NAME_MAX * 4)	/* "nick!user@host" */

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
 * Identify an IRC user. cm is the server's case mapping. account is the
 * services account the IRC layer knows for nick (NULL: none or
 * unknown). Fills *id.
 */
void		 ident_user(const struct config *, enum irc_casemap,
		     const char *nick, const char *user, const char *host,
		     const char *account, struct ident *id);

/*
 * The bridge that sent a line, or NULL: nick must equal a bridge's nick
 * (in the server's case mapping cm) and, with identify = account,
 * account must equal the bridge's account; with identify = hostmask
 * nick!user@host must match the bridge's mask glob.
 */
const struct cfg_bridge *ident_bridge(const struct config *, enum irc_casemap,
		     const char *nick, const char *user, const char *host,
		     const char *account);

/*
 * The person a team entry names: the entry itself with identify =
 * account; with identify = hostmask the nick part of "nick!user@host",
 * or "" when that part is a glob (it names nobody). Writes into buf and
 * returns it.
 */
const char	*ident_entry_person(const struct config *, const char *entry,
		     char *buf, size_t bufsz);

/*
 * 1 if the IRC user nick!user@host may receive what is meant for team
 * person privately: always with identify = account (found by account);
 * with identify = hostmask only when the whole mask matches a team
 * entry that names person. An unknown user or host is 0 then.
 */
int		 ident_user_is(const struct config *, enum irc_casemap,
		     const char *person, const char *nick, const char *user,
		     const char *host);

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

/* The level of a team person by name (see ident_entry_person). */
enum access	 ident_person_level(const struct config *, const char *person);

/*
 * The reason id lacks the next level, for a chat user, written into buf
 * (an unmapped relayed name gets "NAME is not mapped to a team member on
 * BRIDGE"; otherwise id->why). Returns buf, or NULL if id->why is NULL.
 */
const char	*ident_why(const struct ident *, char *buf, size_t bufsz);

#endif
