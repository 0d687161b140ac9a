/*
 * ident.c — who is speaking. Turns what the IRC layer knows of a sender
 * (nick, user, host, services account) or what a bridge relays ("<name>
 * text") into a struct ident: a name to address, the team person behind
 * it, an access level and a short reason for a refusal. Pure functions
 * over an immutable struct config: no I/O, no allocation, no state. This
 * file must not decide what a command needs (that is cmd.c) nor talk to
 * the network; it only says who someone is.
 *
 * Comparisons: nicks and masks follow the server's CASEMAPPING, which
 * the caller passes (irc_casecmp_map, irc_glob_map); services accounts,
 * person names and bridge map names are compared ASCII
 * case-insensitively, because services treat accounts that way and a
 * remote name typed with other capitals is the same person.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "ident.h"
#include "ircmsg.h"
#include "util.h"

/* The static reasons; ident_why() may render a longer one from them. */
static const char ident_why_noaccount[] = "you are not identified to services";
static const char ident_why_nonteam[] = "you are not a team member";
static const char ident_why_noadmin[] = "you are not an admin";
static const char ident_why_unmapped[] =
    "you are not mapped to a team member on this bridge";

/* "public", "member", "admin". */
const char *
ident_level_name(enum access level)
{
	switch (level) {
	case ACCESS_ADMIN:
		return "admin";
	case ACCESS_MEMBER:
		return "member";
	case ACCESS_PUBLIC:
		break;
	}
	return "public";
}

/*
 * The person a team entry names: the entry itself with identify =
 * account, the nick part of "nick!user@host" with identify = hostmask.
 * A nick part that is itself a glob ("*!*@host") names nobody, so the
 * result is "" then. The one place this rule is written.
 */
const char *
ident_entry_person(const struct config *cfg, const char *entry, char *buf,
    size_t bufsz)
{
	size_t	 len;

	if (bufsz == 0)
		return buf;
	if (cfg->team.identify != CFG_IDENTIFY_HOSTMASK) {
		strlcpy_ob(buf, entry, bufsz);
		return buf;
	}
	len = strcspn(entry, "!");
	if (len >= bufsz)
		len = bufsz - 1;
	memcpy(buf, entry, len);
	buf[len] = '\0';
	if (strpbrk(buf, "*?") != NULL)
		buf[0] = '\0';
	return buf;
}

/* Why someone at level cannot have the next level (NULL for admin). */
static const char *
ident_lacks(enum access level)
{
	switch (level) {
	case ACCESS_ADMIN:
		return NULL;
	case ACCESS_MEMBER:
		return ident_why_noadmin;
	case ACCESS_PUBLIC:
		break;
	}
	return ident_why_nonteam;
}

/* The first entry of list that glob-matches mask, or NULL. */
static const char *
ident_glob_list(enum irc_casemap cm, char **list, size_t n, const char *mask)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (list[i] != NULL && irc_glob_map(cm, list[i], mask))
			return list[i];
	}
	return NULL;
}

/* 1 if account equals (ASCII case-insensitively) an entry of list. */
static int
ident_in_list(char **list, size_t n, const char *account)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (list[i] != NULL && strcasecmp(list[i], account) == 0)
			return 1;
	}
	return 0;
}

/*
 * "nick!user@host" into buf, cut to fit; an unknown user or host is "*".
 * Put together by hand: every line anyone says comes through here.
 */
static const char *
ident_mask(const char *nick, const char *user, const char *host, char *buf,
    size_t bufsz)
{
	const char	*part[] = { nick, "!", user != NULL ? user : "*", "@",
			    host != NULL ? host : "*" };
	size_t		 i, n = 0;

	for (i = 0; i < nitems(part) && n < bufsz; i++)
		n += strlcpy_ob(buf + n, part[i], bufsz - n);
	return buf;
}

/* Identify by nick!user@host against the team's glob patterns. */
static void
ident_by_hostmask(const struct config *cfg, enum irc_casemap cm,
    const char *nick, const char *user, const char *host, struct ident *id)
{
	const struct cfg_team	*t = &cfg->team;
	const char		*entry;
	char			 mask[IDENT_MASK_MAX];

	ident_mask(nick, user, host, mask, sizeof mask);
	strlcpy_ob(id->detail, mask, sizeof id->detail);

	entry = ident_glob_list(cm, t->admins, t->nadmins, mask);
	if (entry != NULL)
		id->level = ACCESS_ADMIN;
	else {
		entry = ident_glob_list(cm, t->members, t->nmembers, mask);
		if (entry != NULL)
			id->level = ACCESS_MEMBER;
	}
	if (entry != NULL) {
		ident_entry_person(cfg, entry, id->person, sizeof id->person);
		/* A pattern like "*!*@staff.host" names no one: the nick. */
		if (id->person[0] == '\0')
			strlcpy_ob(id->person, nick, sizeof id->person);
	}
	id->why = ident_lacks(id->level);
}

/* Identify by services account against the team's account names. */
static void
ident_by_account(const struct config *cfg, const char *account,
    struct ident *id)
{
	const struct cfg_team	*t = &cfg->team;

	if (account == NULL || *account == '\0' || strcmp(account, "*") == 0) {
		strlcpy_ob(id->detail, "no account", sizeof id->detail);
		id->why = ident_why_noaccount;
		return;
	}
	snprintf(id->detail, sizeof id->detail, "account %s", account);
	strlcpy_ob(id->person, account, sizeof id->person);
	if (ident_in_list(t->admins, t->nadmins, account))
		id->level = ACCESS_ADMIN;
	else if (ident_in_list(t->members, t->nmembers, account))
		id->level = ACCESS_MEMBER;
	id->why = ident_lacks(id->level);
}

/*
 * Identify an IRC user. With identify = account, person is the account
 * (even when it is not in the team, so replies can name it); with
 * identify = hostmask, person is the nick part of the matching entry.
 */
void
ident_user(const struct config *cfg, enum irc_casemap cm, const char *nick,
    const char *user, const char *host, const char *account, struct ident *id)
{
	memset(id, 0, sizeof *id);
	id->level = ACCESS_PUBLIC;
	strlcpy_ob(id->name, nick != NULL ? nick : "", sizeof id->name);

	if (cfg->team.identify == CFG_IDENTIFY_HOSTMASK)
		ident_by_hostmask(cfg, cm, id->name, user, host, id);
	else
		ident_by_account(cfg, account, id);
}

/*
 * 1 if the sender proves to be bridge b: anyone can take a nick while
 * the bridge is away, so with identify = account its account must
 * match, and with identify = hostmask its whole nick!user@host must
 * match the bridge's mask (no mask: never a bridge).
 */
static int
ident_is_bridge(const struct config *cfg, enum irc_casemap cm,
    const struct cfg_bridge *b, const char *mask, const char *account)
{
	if (cfg->team.identify == CFG_IDENTIFY_ACCOUNT)
		return account != NULL && b->account != NULL &&
		    strcasecmp(account, b->account) == 0;
	return b->mask != NULL && irc_glob_map(cm, b->mask, mask);
}

/* The configured bridge that the sender is, or NULL. */
const struct cfg_bridge *
ident_bridge(const struct config *cfg, enum irc_casemap cm, const char *nick,
    const char *user, const char *host, const char *account)
{
	const struct cfg_bridge	*b;
	char			 mask[IDENT_MASK_MAX];
	size_t			 i;

	if (nick == NULL)
		return NULL;
	for (i = 0; i < cfg->nbridges; i++) {
		b = &cfg->bridges[i];
		if (b->nick == NULL || irc_casecmp_map(cm, b->nick, nick) != 0)
			continue;
		ident_mask(nick, user, host, mask, sizeof mask);
		if (ident_is_bridge(cfg, cm, b, mask, account))
			return b;
	}
	return NULL;
}

/*
 * 1 if the user nick!user@host may be told things meant for person:
 * with identify = account always (the caller found them by account);
 * with identify = hostmask only when their whole mask matches a team
 * entry that names person.
 */
int
ident_user_is(const struct config *cfg, enum irc_casemap cm,
    const char *person, const char *nick, const char *user, const char *host)
{
	const struct cfg_team	*t = &cfg->team;
	char			 mask[IDENT_MASK_MAX], name[IDENT_NAME_MAX];
	char			**lists[2] = { t->admins, t->members };
	size_t			 counts[2] = { t->nadmins, t->nmembers };
	size_t			 i, l;

	if (cfg->team.identify != CFG_IDENTIFY_HOSTMASK)
		return 1;
	if (nick == NULL || user == NULL || host == NULL)
		return 0;
	ident_mask(nick, user, host, mask, sizeof mask);
	for (l = 0; l < 2; l++) {
		for (i = 0; i < counts[l]; i++) {
			if (lists[l][i] == NULL)
				continue;
			ident_entry_person(cfg, lists[l][i], name,
			    sizeof name);
			if (strcasecmp(name, person) == 0 &&
			    irc_glob_map(cm, lists[l][i], mask))
				return 1;
		}
	}
	return 0;
}

/* 1 if c is an ASCII digit. */
static int
ident_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* 1 if c is an ASCII hex digit. */
static int
ident_isxdigit(unsigned char c)
{
	return ident_isdigit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Bytes of the \x03 colour arguments at s ("4", "04,12"); may be 0. */
static size_t
ident_colour_len(const unsigned char *s)
{
	size_t	 n = 0;

	while (n < 2 && ident_isdigit(s[n]))
		n++;
	/* A background only follows a foreground, and needs a digit. */
	if (n > 0 && s[n] == ',' && ident_isdigit(s[n + 1])) {
		size_t	 m = 1;

		while (m < 3 && ident_isdigit(s[n + m]))
			m++;
		n += m;
	}
	return n;
}

/* 1 if s starts with six hex digits. */
static int
ident_hex6(const unsigned char *s)
{
	size_t	 i;

	for (i = 0; i < 6; i++) {
		if (!ident_isxdigit(s[i]))
			return 0;
	}
	return 1;
}

/* Bytes of the \x04 hex colour arguments at s ("FF0000,00FF00"). */
static size_t
ident_hexcolour_len(const unsigned char *s)
{
	size_t	 n = 0;

	if (!ident_hex6(s))
		return 0;
	n = 6;
	if (s[n] == ',' && ident_hex6(s + n + 1))
		n += 7;
	return n;
}

/* Bytes of a zero-width character's UTF-8 sequence at s, or 0. */
static size_t
ident_zw_len(const unsigned char *s)
{
	if (s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0x8b || s[2] == 0x8c || s[2] == 0x8d))
		return 3;			/* U+200B, U+200C, U+200D */
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0xa0)
		return 3;			/* U+2060 word joiner */
	if (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return 3;			/* U+FEFF */
	return 0;
}

/*
 * Remove mIRC formatting codes and zero-width characters in place, in
 * one pass. A zero-width character is removed once its last byte lands
 * in the output, so one split by a formatting code ("\xe2\x80\x02\x8b")
 * or nested in another goes too: the result never contains either.
 */
void
ident_strip(char *s)
{
	unsigned char	*r = (unsigned char *)s, *w = (unsigned char *)s;
	unsigned char	*start = (unsigned char *)s;

	while (*r != '\0') {
		switch (*r) {
		case 0x02:	/* bold */
		case 0x0f:	/* reset */
		case 0x11:	/* monospace */
		case 0x16:	/* reverse */
		case 0x1d:	/* italic */
		case 0x1e:	/* strikethrough */
		case 0x1f:	/* underline */
			r++;
			continue;
		case 0x03:
			r++;
			r += ident_colour_len(r);
			continue;
		case 0x04:
			r++;
			r += ident_hexcolour_len(r);
			continue;
		default:
			break;
		}
		*w++ = *r++;
		if (w - start >= 3 && ident_zw_len(w - 3) == 3)
			w -= 3;
	}
	*w = '\0';
}

/*
 * Read a bridge line in place: strip formatting, skip spaces, an
 * optional "[proto] " prefix, then "<name>", one optional space and the
 * text. The name is at most IDENT_NAME_MAX - 1 bytes without spaces; it
 * is kept as relayed (status characters such as '@' included). Returns
 * -1 when the line is not a relayed message or its text is empty.
 */
int
ident_bridge_parse(char *line, char **name, char **text)
{
	char	*p, *end;
	size_t	 len;

	ident_strip(line);
	p = line;
	while (*p == ' ')
		p++;
	if (*p == '[') {
		len = strcspn(p + 1, " >]");
		if (len == 0 || p[1 + len] != ']' || p[2 + len] != ' ')
			return -1;
		p += len + 3;
	}
	if (*p != '<')
		return -1;
	p++;
	len = strcspn(p, " >");
	if (len == 0 || len >= IDENT_NAME_MAX || p[len] != '>')
		return -1;
	end = p + len;
	*end = '\0';
	*name = p;
	p = end + 1;
	if (*p == ' ')
		p++;
	if (*p == '\0')
		return -1;
	*text = p;
	return 0;
}

/* The level of a team person by name: admin, member or public. */
enum access
ident_person_level(const struct config *cfg, const char *person)
{
	const struct cfg_team	*t = &cfg->team;
	char			 buf[IDENT_NAME_MAX];
	size_t			 i;

	if (person == NULL || *person == '\0')
		return ACCESS_PUBLIC;
	for (i = 0; i < t->nadmins; i++) {
		if (t->admins[i] == NULL)
			continue;
		ident_entry_person(cfg, t->admins[i], buf, sizeof buf);
		if (strcasecmp(buf, person) == 0)
			return ACCESS_ADMIN;
	}
	for (i = 0; i < t->nmembers; i++) {
		if (t->members[i] == NULL)
			continue;
		ident_entry_person(cfg, t->members[i], buf, sizeof buf);
		if (strcasecmp(buf, person) == 0)
			return ACCESS_MEMBER;
	}
	return ACCESS_PUBLIC;
}

/*
 * Identify the person relayed as name by bridge b. The map's remote
 * names are matched ASCII case-insensitively; the mapped person then
 * has whatever level the team gives that name.
 */
void
ident_relayed(const struct config *cfg, const struct cfg_bridge *b,
    const char *name, struct ident *id)
{
	size_t	 i;

	memset(id, 0, sizeof *id);
	id->level = ACCESS_PUBLIC;
	strlcpy_ob(id->name, name != NULL ? name : "", sizeof id->name);
	id->bridge = b->nick;
	snprintf(id->detail, sizeof id->detail, "relayed by %s",
	    b->nick != NULL ? b->nick : "?");

	for (i = 0; name != NULL && i < b->nmap; i++) {
		if (b->map[i].from == NULL || b->map[i].to == NULL)
			continue;
		if (strcasecmp(b->map[i].from, name) != 0)
			continue;
		strlcpy_ob(id->person, b->map[i].to, sizeof id->person);
		id->level = ident_person_level(cfg, id->person);
		id->why = ident_lacks(id->level);
		return;
	}
	id->why = ident_why_unmapped;
}

/*
 * The reason id lacks the next level, as a chat user should read it,
 * written into buf: for an unmapped relayed name it says which name on
 * which bridge ("bob is not mapped to a team member on tgbridge"); else
 * it is id->why. Returns buf, or NULL when there is no reason (admin).
 */
const char *
ident_why(const struct ident *id, char *buf, size_t bufsz)
{
	if (id == NULL || id->why == NULL || bufsz == 0)
		return NULL;
	if (id->why == ident_why_unmapped && id->bridge != NULL)
		snprintf(buf, bufsz, "%s is not mapped to a team member on %s",
		    id->name, id->bridge);
	else
		strlcpy_ob(buf, id->why, bufsz);
	return buf;
}
