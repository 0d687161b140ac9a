/*
 * irc_users.c — user and channel tracking for the irc module. A user is
 * tracked while they share a channel with us; their account comes from
 * WHOX, extended-join, account-notify or the account tag, their
 * user@host from JOIN, NAMES (userhost-in-names), WHO, CHGHOST and the
 * source of their messages, and both are forgotten with them, so that a
 * later holder of the nick never inherits them. It also keeps our
 * joined channels and rejoins after a KICK. It sends only through
 * irc_conn and never calls the layer above.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "irc_conn.h"
#include "irc_users.h"
#include "log.h"
#include "loop.h"

/* Are two nicks or channel names the same under the server's mapping? */
int
irc_same_nick(struct irc *irc, const char *a, const char *b)
{
	return irc_casecmp_map(irc->casemap, a, b) == 0;
}

/* Index of channel in a list, or -1. */
ssize_t
irc_list_find(struct irc *irc, char **list, size_t n, const char *chan)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (irc_same_nick(irc, list[i], chan))
			return (ssize_t)i;
	}
	return -1;
}

/* Add chan to a list unless present. */
static void
irc_list_add(struct irc *irc, char ***list, size_t *n, const char *chan)
{
	if (irc_list_find(irc, *list, *n, chan) >= 0)
		return;
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = xstrdup(chan);
}

/* Remove chan from a list. */
static void
irc_list_del(struct irc *irc, char **list, size_t *n, const char *chan)
{
	ssize_t	i = irc_list_find(irc, list, *n, chan);

	if (i < 0)
		return;
	free(list[i]);
	list[i] = list[--(*n)];
}

/* Empty a list of channels (the array stays). */
static void
irc_list_clear(char **list, size_t *n)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		free(list[i]);
	*n = 0;
}

/* Is chan one of the configured channels? */
int
irc_configured(struct irc *irc, const char *chan)
{
	return irc_list_find(irc, irc->cfg->irc.channels,
	    irc->cfg->irc.nchannels, chan) >= 0;
}

/* Is the message's source us? */
int
irc_from_me(struct irc *irc, const struct irc_msg *m)
{
	return m->nick != NULL && irc->nick != NULL &&
	    irc_same_nick(irc, m->nick, irc->nick);
}

/* Find a tracked user by nick. */
struct irc_user *
irc_user_find(struct irc *irc, const char *nick)
{
	size_t	i;

	for (i = 0; i < irc->nusers; i++) {
		if (irc_same_nick(irc, irc->users[i].nick, nick))
			return &irc->users[i];
	}
	return NULL;
}

/* Find a tracked user, or start tracking one (no account known). */
static struct irc_user *
irc_user_get(struct irc *irc, const char *nick)
{
	struct irc_user	*u = irc_user_find(irc, nick);

	if (u != NULL)
		return u;
	irc->users = xreallocarray(irc->users, irc->nusers + 1,
	    sizeof *irc->users);
	u = &irc->users[irc->nusers++];
	memset(u, 0, sizeof *u);
	u->nick = xstrdup(nick);
	return u;
}

/* Record nick's account ("*", "0", "" or NULL: logged out). */
void
irc_user_set(struct irc *irc, const char *nick, const char *account)
{
	struct irc_user	*u = irc_user_get(irc, nick);

	if (account != NULL && (strcmp(account, "*") == 0 ||
	    strcmp(account, "0") == 0 || *account == '\0'))
		account = NULL;
	free(u->account);
	u->account = account != NULL ? xstrdup(account) : NULL;
	u->from_join = 0;
}

/* Replace *field with value unless it already says that. */
static void
irc_user_field(char **field, const char *value)
{
	if (*field != NULL && strcmp(*field, value) == 0)
		return;
	free(*field);
	*field = xstrdup(value);
}

/* Record our own user@host, as our JOIN or CHGHOST shows it. */
static void
irc_set_userhost(struct irc *irc, const char *user, const char *host)
{
	free(irc->userhost);
	irc->userhost = xasprintf("%s@%s", user, host);
}

/*
 * Record the user and host of a tracked nick, as a line's source or a
 * reply gives them, and return the user (NULL: not tracked). A part
 * missing changes nothing.
 */
struct irc_user *
irc_user_seen(struct irc *irc, const char *nick, const char *user,
    const char *host)
{
	struct irc_user	*u = nick != NULL ? irc_user_find(irc, nick) : NULL;

	if (u == NULL || user == NULL || host == NULL || *user == '\0' ||
	    *host == '\0')
		return u;
	irc_user_field(&u->user, user);
	irc_user_field(&u->host, host);
	return u;
}

/* Forget the user at index i. */
static void
irc_user_remove(struct irc *irc, size_t i)
{
	struct irc_user	*u = &irc->users[i];

	irc_list_clear(u->chans, &u->nchans);
	free(u->chans);
	free(u->nick);
	free(u->user);
	free(u->host);
	free(u->account);
	irc->users[i] = irc->users[--irc->nusers];
}

/* Forget a user (QUIT). */
void
irc_user_del(struct irc *irc, const char *nick)
{
	struct irc_user	*u = irc_user_find(irc, nick);

	if (u != NULL)
		irc_user_remove(irc, (size_t)(u - irc->users));
}

/* nick is in chan (JOIN, NAMES). */
static void
irc_user_join(struct irc *irc, const char *nick, const char *chan)
{
	struct irc_user	*u = irc_user_get(irc, nick);

	irc_list_add(irc, &u->chans, &u->nchans, chan);
}

/*
 * nick left chan (PART, KICK); a user who shares no channel with us any
 * more is forgotten, so that a later holder of the nick does not
 * inherit the account.
 */
static void
irc_user_part(struct irc *irc, const char *nick, const char *chan)
{
	struct irc_user	*u = irc_user_find(irc, nick);

	if (u == NULL)
		return;
	irc_list_del(irc, u->chans, &u->nchans, chan);
	if (u->nchans == 0)
		irc_user_remove(irc, (size_t)(u - irc->users));
}

/* We left chan: it no longer counts for anyone. */
static void
irc_user_part_all(struct irc *irc, const char *chan)
{
	size_t	i = irc->nusers;

	irc_list_del(irc, irc->joined, &irc->njoined, chan);
	while (i-- > 0) {
		struct irc_user *u = &irc->users[i];

		irc_list_del(irc, u->chans, &u->nchans, chan);
		if (u->nchans == 0)
			irc_user_remove(irc, i);
	}
}

/* Rename a tracked user (NICK); a change of case only keeps the entry. */
void
irc_user_rename(struct irc *irc, const char *from, const char *to)
{
	struct irc_user	*u;

	if (!irc_same_nick(irc, from, to))
		irc_user_del(irc, to);	/* a stale entry under the new nick */
	u = irc_user_find(irc, from);
	if (u == NULL)
		return;
	free(u->nick);
	u->nick = xstrdup(to);
}

/* Forget every user and channel (on disconnect). */
void
irc_users_reset(struct irc *irc)
{
	while (irc->nusers > 0)
		irc_user_remove(irc, irc->nusers - 1);
	irc_list_clear(irc->joined, &irc->njoined);
	irc_list_clear(irc->kicked, &irc->nkicked);
	irc_list_clear(irc->whoing, &irc->nwhoing);
	if (irc->t_rejoin != 0)
		loop_timer_del(irc->loop, irc->t_rejoin);
	irc->t_rejoin = 0;
	free(irc->userhost);
	irc->userhost = NULL;
}

/* Free the arrays irc_users_reset empties. */
void
irc_users_free(struct irc *irc)
{
	free(irc->users);
	free(irc->joined);
	free(irc->kicked);
	free(irc->whoing);
}

/*
 * Send WHO chan [fields], and wait for its end before chan counts as
 * joined. It goes ahead of the queue, like the JOIN it completes: the
 * announcements due in chan wait for it, and no queue of replies may
 * hold them back.
 */
static void
irc_who(struct irc *irc, const char *chan, const char *fields)
{
	irc_send_now(irc, 0, "WHO", chan, fields, NULL);
	irc->whoing = xreallocarray(irc->whoing, irc->nwhoing + 1,
	    sizeof *irc->whoing);
	irc->whoing[irc->nwhoing++] = xstrdup(chan);
}

/* Is a WHO of chan that we sent still unanswered? */
int
irc_users_whoing(struct irc *irc, const char *chan)
{
	return irc_list_find(irc, irc->whoing, irc->nwhoing, chan) >= 0;
}

/*
 * 315 (end of WHO) or 263 (WHO refused for now) for chan: 1 if it ended
 * the last WHO of chan we were waiting for.
 */
int
irc_users_who_done(struct irc *irc, const char *chan)
{
	if (irc_list_find(irc, irc->whoing, irc->nwhoing, chan) < 0)
		return 0;
	irc_list_del(irc, irc->whoing, &irc->nwhoing, chan);
	return !irc_users_whoing(irc, chan);
}

/*
 * Send "JOIN list" for channels [from, to), then ask each for everyone's
 * user@host, unless NAMES carries it (userhost-in-names): the
 * capabilities are known by now, ISUPPORT (WHOX) may not be.
 */
static void
irc_join_some(struct irc *irc, const char *list, size_t from, size_t to)
{
	irc_send_now(irc, 0, "JOIN", list, NULL);
	for (; from < to && !irc->cap_userhost_in_names; from++)
		irc_who(irc, irc->cfg->irc.channels[from], NULL);
}

/*
 * Join every configured channel, ahead of the queue: lines queued while
 * disconnected may be for these channels. Channels are joined in as few
 * "JOIN #a,#b" lines as fit. A plain WHO of each follows its JOIN at
 * once, so that the server answers it right after the channel's NAMES,
 * before anyone's line that came in the meantime.
 */
void
irc_join_all(struct irc *irc)
{
	struct buf	b;
	size_t		i, from = 0;

	buf_init(&b);
	for (i = 0; i < irc->cfg->irc.nchannels; i++) {
		const char	*c = irc->cfg->irc.channels[i];

		if (b.len > 0 && b.len + 1 + strlen(c) > 400) {
			irc_join_some(irc, b.data, from, i);
			buf_reset(&b);
			from = i;
		}
		if (b.len > 0)
			buf_addc(&b, ',');
		buf_addstr(&b, c);
	}
	if (b.len > 0)
		irc_join_some(irc, b.data, from, i);
	buf_free(&b);
}

/* Rejoin timer after KICK. */
static long long
irc_rejoin_timer(struct loop *loop, long long id, void *arg)
{
	struct irc	*irc = arg;
	size_t		 i;

	irc->t_rejoin = 0;
	for (i = 0; i < irc->nkicked; i++) {
		if (irc_configured(irc, irc->kicked[i]))
			irc_sendv(irc, "JOIN", irc->kicked[i], NULL);
	}
	irc_list_clear(irc->kicked, &irc->nkicked);
	return LOOP_NOMORE;
}

/*
 * Handle JOIN (ours and others'). Without account-notify, an account
 * learnt from an extended JOIN is dropped on a later JOIN that carries
 * none; after a reconnect everyone is learnt afresh (WHOX).
 */
void
irc_users_on_join(struct irc *irc, const struct irc_msg *m)
{
	const char	*chan = m->params[0];
	struct irc_user	*u;
	int		 asked;

	if (m->nick == NULL)
		return;
	if (irc_from_me(irc, m)) {
		irc_list_add(irc, &irc->joined, &irc->njoined, chan);
		log_info("irc", "joined %s", chan);
		if (m->user != NULL && m->host != NULL)
			irc_set_userhost(irc, m->user, m->host);
		/* Accounts by WHOX; user@host by a plain WHO unless it
		 * went with the JOIN (irc_join_all) or NAMES carries it. */
		asked = irc_users_whoing(irc, chan);
		if (irc->whox)
			irc_who(irc, chan, "%tcna," IRC_WHOX_TOKEN);
		if (!asked && !irc->cap_userhost_in_names)
			irc_who(irc, chan, NULL);
		return;
	}
	irc_user_join(irc, m->nick, chan);
	u = irc_user_seen(irc, m->nick, m->user, m->host);
	if (irc->cap_extended_join && m->nparams >= 2) {
		irc_user_set(irc, m->nick, m->params[1]);
		u->from_join = u->account != NULL;
	} else if (u->from_join && !irc->cap_account_notify) {
		/* Nothing told us of a logout since that JOIN: the account
		 * may be stale, so forget it. */
		irc_user_set(irc, m->nick, NULL);
	}
}

/* 353 NAMES: everyone in a channel we joined is online. */
void
irc_users_on_names(struct irc *irc, const struct irc_msg *m)
{
	char	*list = xstrdup(irc_msg_last(m)), *w, *save = NULL;
	const char *chan = m->params[m->nparams - 2];

	for (w = strtok_r(list, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		char	*user = NULL, *host = NULL;

		w += strspn(w, "~&@%+!");
		/* userhost-in-names: nick!user@host */
		if ((user = strchr(w, '!')) != NULL) {
			*user++ = '\0';
			if ((host = strchr(user, '@')) != NULL)
				*host++ = '\0';
		}
		if (*w != '\0' && !irc_same_nick(irc, w, irc->nick)) {
			irc_user_join(irc, w, chan);
			irc_user_seen(irc, w, user, host);
		}
	}
	free(list);
}

/* 354 WHO #chan %tcna: token, channel, nick, account ("0"). */
void
irc_users_on_whox(struct irc *irc, const struct irc_msg *m)
{
	if (strcmp(m->params[1], IRC_WHOX_TOKEN) != 0)
		return;
	if (!irc_same_nick(irc, m->params[3], irc->nick)) {
		irc_user_join(irc, m->params[3], m->params[2]);
		irc_user_set(irc, m->params[3], m->params[4]);
	}
}

/*
 * 352 WHO #chan (sent after joining): channel, user, host, server,
 * nick. Only for a channel we are in.
 */
void
irc_users_on_who(struct irc *irc, const struct irc_msg *m)
{
	const char	*chan = m->params[1], *nick = m->params[5];

	if (irc_list_find(irc, irc->joined, irc->njoined, chan) < 0 ||
	    irc_same_nick(irc, nick, irc->nick))
		return;
	irc_user_join(irc, nick, chan);
	irc_user_seen(irc, nick, m->params[2], m->params[3]);
}

/*
 * CHGHOST (chghost): a tracked user's new user and host, or ours (which
 * the server prepends to what we send, so it counts in a line's size).
 */
void
irc_users_on_chghost(struct irc *irc, const struct irc_msg *m)
{
	if (m->nick == NULL)
		return;
	if (!irc_from_me(irc, m)) {
		irc_user_seen(irc, m->nick, m->params[0], m->params[1]);
		return;
	}
	irc_set_userhost(irc, m->params[0], m->params[1]);
}

/* ACCOUNT (account-notify) of a tracked user. */
void
irc_users_on_account(struct irc *irc, const struct irc_msg *m)
{
	if (m->nick != NULL && irc_user_find(irc, m->nick) != NULL)
		irc_user_set(irc, m->nick, m->params[0]);
}

/* PART: ours, or someone's. */
void
irc_users_on_part(struct irc *irc, const struct irc_msg *m)
{
	if (irc_from_me(irc, m))
		irc_user_part_all(irc, m->params[0]);
	else if (m->nick != NULL)
		irc_user_part(irc, m->nick, m->params[0]);
}

/* KICK: someone leaves; if it is us, rejoin after a delay. */
void
irc_users_on_kick(struct irc *irc, const struct irc_msg *m)
{
	if (!irc_same_nick(irc, m->params[1], irc->nick)) {
		irc_user_part(irc, m->params[1], m->params[0]);
		return;
	}
	log_warn("irc", "kicked from %s by %s: %s", m->params[0],
	    m->nick ? m->nick : "?", irc_msg_last(m));
	irc_user_part_all(irc, m->params[0]);
	irc_list_add(irc, &irc->kicked, &irc->nkicked, m->params[0]);
	if (irc->t_rejoin == 0)
		irc->t_rejoin = loop_timer_add(irc->loop, irc, IRC_REJOIN_MS,
		    irc_rejoin_timer, irc);
}
