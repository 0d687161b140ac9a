/*
 * irc.c — the irc module's face: creating, starting, reconfiguring and
 * stopping one IRC connection, the dispatch table from command or
 * numeric to handler, and the messages handed to the owner. The work is
 * done below it, in layers that never call upwards:
 *
 *   irc_reg.c    CAP, SASL, STS, ISUPPORT, nick regain
 *   irc_users.c  user and channel tracking, KICK and rejoin
 *   irc_conn.c   lookup, socket, TLS (irc_tls.c), send queue, keepalive,
 *                reconnecting
 *
 * It also keeps the topics of the channels we are in (332, 331, TOPIC)
 * and sets one on request, answering the requester once the server has
 * relayed the change or refused it (482).
 *
 * It does not interpret commands: messages from others go to the
 * handler, which sends what it wants through irc_say() and irc_send().
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "irc.h"
#include "irc_conn.h"
#include "irc_reg.h"
#include "irc_users.h"
#include "log.h"
#include "loop.h"

/* One row of the dispatch table. */
struct irc_verb {
	const char	*name;		/* command (upper case) or numeric */
	size_t		 min_params;	/* fewer: the line is ignored */
	void		(*fn)(struct irc *, const struct irc_msg *);
};

/* PING: answer at once, ahead of the queue. */
static void
irc_on_ping(struct irc *irc, const struct irc_msg *m)
{
	irc_send_now(irc, 0, "PONG", m->nparams > 0 ? m->params[0] : "",
	    NULL);
}

/* 001: registered. */
static void
irc_on_welcome(struct irc *irc, const struct irc_msg *m)
{
	const struct cfg_sasl	*s = &irc->cfg->irc.sasl;

	/* A server without CAP registers us at once: no SASL happened. */
	if (s->mech != CFG_SASL_NONE && s->required && !irc->sasl_ok) {
		log_error("irc", "registered without SASL (the server did not "
		    "negotiate capabilities) and sasl.required is set");
		irc_send_now(irc, 0, "QUIT", "SASL required", NULL);
		irc_do_write(irc);
		irc_fail(irc, "SASL failed");
		return;
	}
	if (m->nparams > 0) {
		free(irc->nick);
		irc->nick = xstrdup(m->params[0]);
	}
	irc->state = IRC_REGISTERED;
	irc->registered_at = util_mono_ms();
	irc->cap_done = 1;
	if (irc->t_timeout != 0) {
		loop_timer_del(irc->loop, irc->t_timeout);
		irc->t_timeout = 0;
	}
	irc_conn_flood(irc);
	log_info("irc", "registered as %s on %s", irc->nick,
	    m->nick != NULL ? m->nick : irc->host);
	irc_join_all(irc);
	irc_flush_queue(irc);
	if (irc->h->registered != NULL)
		irc->h->registered(irc, irc->h->arg);
}

/* NICK: ours, or someone's (maybe the holder of our nick). */
static void
irc_on_nick(struct irc *irc, const struct irc_msg *m)
{
	if (m->nick == NULL)
		return;
	if (irc_from_me(irc, m)) {
		irc_reg_own_nick(irc, m->params[0]);
		return;
	}
	irc_user_rename(irc, m->nick, m->params[0]);
	if (irc_same_nick(irc, m->nick, irc->cfg->irc.nick))
		irc_regain(irc);
}

/* QUIT: forget the user; maybe our nick is free now. */
static void
irc_on_quit(struct irc *irc, const struct irc_msg *m)
{
	if (m->nick == NULL)
		return;
	irc_user_del(irc, m->nick);
	if (irc_same_nick(irc, m->nick, irc->cfg->irc.nick))
		irc_regain(irc);
}

/* We joined chan and know who is there: tell the owner. */
static void
irc_joined(struct irc *irc, const char *chan)
{
	if (irc->h->joined != NULL && irc_in_channel(irc, chan))
		irc->h->joined(irc, chan, irc->h->arg);
}

/* 315: the end of a WHO; chan is joined if it was the last unanswered. */
static void
irc_on_endofwho(struct irc *irc, const struct irc_msg *m)
{
	if (irc_users_who_done(irc, m->params[1]))
		irc_joined(irc, m->params[1]);
}

/*
 * 263 for WHO (try again later): no reply is coming. Every channel
 * waiting for one counts as joined, rather than never.
 */
static void
irc_on_tryagain(struct irc *irc, const struct irc_msg *m)
{
	char	*chan;

	if (!util_strcaseeq(m->params[1], "WHO"))
		return;
	while (irc->nwhoing > 0) {
		chan = xstrdup(irc->whoing[0]);
		if (irc_users_who_done(irc, chan))
			irc_joined(irc, chan);
		free(chan);
	}
}

/* ------------------------------------------------------------------ */
/* Topics                                                             */

/* The topic of a channel we are in, once the server has told it. */
struct irc_topic {
	char	*chan;
	char	*text;		/* "" for none */
};

/* A TOPIC we sent that the server has not answered yet. */
struct irc_topic_req {
	struct irc_topic_req	*next;
	char			*chan;
	void			(*done)(void *, enum irc_topic_result,
				    const char *, const char *);
	void			*arg;
	uint64_t		 sent_at;	/* monotonic ms */
};

/* The known topic entry of chan, or NULL. */
static struct irc_topic *
irc_topic_find(struct irc *irc, const char *chan)
{
	size_t	 i;

	for (i = 0; i < irc->ntopics; i++)
		if (irc_same_nick(irc, irc->topics[i].chan, chan))
			return &irc->topics[i];
	return NULL;
}

/* Remember the topic of chan; text NULL: not known any more. */
static void
irc_topic_store(struct irc *irc, const char *chan, const char *text)
{
	struct irc_topic	*t = irc_topic_find(irc, chan);

	if (t == NULL && text == NULL)
		return;
	if (t == NULL) {
		irc->topics = xreallocarray(irc->topics, irc->ntopics + 1,
		    sizeof(*irc->topics));
		t = &irc->topics[irc->ntopics++];
		t->chan = xstrdup(chan);
		t->text = NULL;
	}
	free(t->text);
	t->text = NULL;
	if (text != NULL) {
		t->text = xstrdup(text);
		return;
	}
	free(t->chan);
	*t = irc->topics[--irc->ntopics];
}

/* Answer request q (unlinked) and free it. */
static void
irc_topic_done(struct irc_topic_req *q, enum irc_topic_result res,
    const char *why)
{
	q->done(q->arg, res, q->chan, why);
	free(q->chan);
	free(q);
}

/*
 * The wait timer: a server that never answers a TOPIC must not hold
 * its requester for ever. Requests are in the order they were sent.
 */
static long long
irc_topic_timer(struct loop *loop, long long id, void *arg)
{
	struct irc		*irc = arg;
	struct irc_topic_req	*q;
	uint64_t		 now = util_mono_ms();

	while ((q = irc->topic_reqs) != NULL &&
	    now - q->sent_at >= IRC_TOPIC_WAIT_MS) {
		irc->topic_reqs = q->next;
		irc_topic_done(q, IRC_TOPIC_SILENT, NULL);
	}
	if ((q = irc->topic_reqs) == NULL) {
		irc->t_topic = 0;
		return LOOP_NOMORE;
	}
	return (long long)(q->sent_at + IRC_TOPIC_WAIT_MS - now);
}

/* Answer the oldest TOPIC request for chan, if any. */
static void
irc_topic_answer(struct irc *irc, const char *chan,
    enum irc_topic_result res, const char *why)
{
	struct irc_topic_req	**pp, *q;

	for (pp = &irc->topic_reqs; *pp != NULL; pp = &(*pp)->next)
		if (irc_same_nick(irc, (*pp)->chan, chan))
			break;
	if ((q = *pp) == NULL)
		return;
	*pp = q->next;
	irc_topic_done(q, res, why);
}

/* The connection is gone: no topic is known, no request answered. */
static void
irc_topics_reset(struct irc *irc)
{
	struct irc_topic_req	*q = irc->topic_reqs, *next;
	size_t			 i;

	for (i = 0; i < irc->ntopics; i++) {
		free(irc->topics[i].chan);
		free(irc->topics[i].text);
	}
	irc->ntopics = 0;
	if (irc->t_topic != 0)
		loop_timer_del(irc->loop, irc->t_topic);
	irc->t_topic = 0;
	irc->topic_reqs = NULL;		/* a callback may add one */
	for (; q != NULL; q = next) {
		next = q->next;
		irc_topic_done(q, IRC_TOPIC_LOST, NULL);
	}
}

/* JOIN: tracked by irc_users; our own makes the topic unknown again
 * until the server says it (332) or the names end without it (366). */
static void
irc_on_join(struct irc *irc, const struct irc_msg *m)
{
	irc_users_on_join(irc, m);
	if (irc_from_me(irc, m))
		irc_topic_store(irc, m->params[0], NULL);
}

/* TOPIC: someone changed it; if it was us, our request is answered. */
static void
irc_on_topic(struct irc *irc, const struct irc_msg *m)
{
	const char	*chan = m->params[0];

	if (!irc_in_channel(irc, chan))
		return;
	irc_topic_store(irc, chan, m->nparams > 1 ? m->params[1] : "");
	if (irc_from_me(irc, m))
		irc_topic_answer(irc, chan, IRC_TOPIC_SET, NULL);
}

/* 332 RPL_TOPIC (on joining, or asked): the topic of a channel. */
static void
irc_on_rpl_topic(struct irc *irc, const struct irc_msg *m)
{
	if (irc_in_channel(irc, m->params[1]))
		irc_topic_store(irc, m->params[1], m->params[2]);
}

/* 331 RPL_NOTOPIC: a channel without a topic. */
static void
irc_on_rpl_notopic(struct irc *irc, const struct irc_msg *m)
{
	if (irc_in_channel(irc, m->params[1]))
		irc_topic_store(irc, m->params[1], "");
}

/* 482 ERR_CHANOPRIVSNEEDED: our TOPIC needs channel operator. */
static void
irc_on_chanop_needed(struct irc *irc, const struct irc_msg *m)
{
	irc_topic_answer(irc, m->params[1], IRC_TOPIC_DENIED,
	    irc_msg_last(m));
}

/* 442 ERR_NOTONCHANNEL: our TOPIC came too late or too early. */
static void
irc_on_not_on_channel(struct irc *irc, const struct irc_msg *m)
{
	irc_topic_answer(irc, m->params[1], IRC_TOPIC_LOST, NULL);
}

/*
 * 366: we joined a channel and its member list is complete (and its
 * topic known). The owner is told now, unless the WHO sent on joining
 * is unanswered (then its end tells).
 */
static void
irc_on_endofnames(struct irc *irc, const struct irc_msg *m)
{
	const char	*chan = m->params[1];

	if (!irc_in_channel(irc, chan))
		return;
	/* The topic comes before the names: none came, so there is none. */
	if (irc_topic_find(irc, chan) == NULL)
		irc_topic_store(irc, chan, "");
	if (!irc_users_whoing(irc, chan))
		irc_joined(irc, chan);
}

/*
 * ERROR from the server: the connection is over. Close it now and
 * reconnect with backoff, without waiting for the server to close it
 * (a server that says ERROR and then hangs would keep us off IRC until
 * the ping timeout).
 */
static void
irc_on_error(struct irc *irc, const struct irc_msg *m)
{
	char	*why = xasprintf("server error: %s", irc_msg_last(m));

	irc_fail(irc, why);
	free(why);
}

/* 403, 405, 471, 473-475: a channel we cannot join. */
static void
irc_on_join_error(struct irc *irc, const struct irc_msg *m)
{
	log_warn("irc", "cannot join %s: %s",
	    m->nparams >= 2 ? m->params[1] : "?", irc_msg_last(m));
}

/*
 * A message to "@#chan" or "+#chan" (ISUPPORT STATUSMSG) is a channel
 * message: hand the owner a copy of m whose target is the channel
 * itself, so that it reads commands as in the channel and answers
 * there. The copy shares m's storage.
 */
static const struct irc_msg *
irc_statusmsg(struct irc *irc, const struct irc_msg *m, struct irc_msg *copy)
{
	const char	*t = m->params[0];

	if (irc->statusmsg[0] == '\0' || t[0] == '\0' ||
	    strchr(irc->statusmsg, t[0]) == NULL ||
	    t[1] == '\0' || strchr("#&!+", t[1]) == NULL)
		return m;
	*copy = *m;
	copy->params[0] = t + 1;
	return copy;
}

/* PRIVMSG or NOTICE from someone else: to the owner, with the account. */
static void
irc_on_message(struct irc *irc, const struct irc_msg *m)
{
	const char	*account;
	struct irc_user	*u;
	struct irc_msg	 copy;

	if (m->nick == NULL || m->user == NULL || irc_from_me(irc, m) ||
	    irc->state != IRC_REGISTERED)
		return;
	u = irc_user_seen(irc, m->nick, m->user, m->host);
	if (irc->cap_account_tag) {
		/* The tag is the truth; only users sharing a channel are
		 * tracked (a stranger's message adds nothing). */
		account = irc_msg_tag(m, "account");
		if (u != NULL)
			irc_user_set(irc, m->nick, account);
	} else
		account = u != NULL ? u->account : NULL;
	if (irc->h->message != NULL)
		irc->h->message(irc, irc_statusmsg(irc, m, &copy), account,
		    irc->h->arg);
}

/* What each command or numeric does; others are ignored. */
static const struct irc_verb irc_verbs[] = {
	/* A channel's traffic first: every line is looked up here. */
	{ "PRIVMSG",		2, irc_on_message },
	{ "NOTICE",		2, irc_on_message },
	{ "PING",		0, irc_on_ping },
	{ "CAP",		3, irc_reg_on_cap },
	{ "AUTHENTICATE",	1, irc_reg_on_authenticate },
	{ "900",		0, irc_reg_on_loggedin },
	{ "903",		0, irc_reg_on_sasl_ok },
	{ "902",		0, irc_reg_on_sasl_fail },
	{ "904",		0, irc_reg_on_sasl_fail },
	{ "905",		0, irc_reg_on_sasl_fail },
	{ "906",		0, irc_reg_on_sasl_fail },
	{ "907",		0, irc_reg_on_sasl_fail },
	{ "908",		2, irc_reg_on_sasl_mechs },
	{ "001",		0, irc_on_welcome },
	{ "005",		0, irc_reg_on_isupport },
	{ "432",		0, irc_reg_on_nick_taken },
	{ "433",		0, irc_reg_on_nick_taken },
	{ "436",		0, irc_reg_on_nick_taken },
	{ "437",		0, irc_reg_on_nick_taken },
	{ "731",		0, irc_reg_on_monoffline },
	{ "303",		0, irc_reg_on_ison },
	{ "354",		5, irc_users_on_whox },
	{ "353",		3, irc_users_on_names },
	{ "352",		6, irc_users_on_who },
	{ "CHGHOST",		2, irc_users_on_chghost },
	{ "366",		2, irc_on_endofnames },
	{ "315",		2, irc_on_endofwho },
	{ "263",		2, irc_on_tryagain },
	{ "JOIN",		1, irc_on_join },
	{ "ACCOUNT",		1, irc_users_on_account },
	{ "PART",		1, irc_users_on_part },
	{ "KICK",		2, irc_users_on_kick },
	{ "NICK",		1, irc_on_nick },
	{ "QUIT",		0, irc_on_quit },
	{ "ERROR",		1, irc_on_error },	/* bare: malformed */
	{ "TOPIC",		1, irc_on_topic },
	{ "332",		3, irc_on_rpl_topic },
	{ "331",		2, irc_on_rpl_notopic },
	{ "482",		2, irc_on_chanop_needed },
	{ "442",		2, irc_on_not_on_channel },
	{ "403",		0, irc_on_join_error },
	{ "405",		0, irc_on_join_error },
	{ "471",		0, irc_on_join_error },
	{ "473",		0, irc_on_join_error },
	{ "474",		0, irc_on_join_error },
	{ "475",		0, irc_on_join_error },
};

/* Hand a received line to its handler. */
static void
irc_dispatch(struct irc *irc, const struct irc_msg *m)
{
	size_t	i;

	for (i = 0; i < nitems(irc_verbs); i++) {
		if (strcmp(irc_verbs[i].name, m->command) != 0)
			continue;
		if (m->nparams >= irc_verbs[i].min_params)
			irc_verbs[i].fn(irc, m);
		return;
	}
}

/* The connection is gone: forget what the layers above it learnt. */
static void
irc_reset(struct irc *irc)
{
	irc_reg_reset(irc);
	irc_topics_reset(irc);
	irc_users_reset(irc);
}

static const struct irc_upper irc_upper = {
	irc_reg_open, irc_dispatch, irc_reset
};

/* ------------------------------------------------------------------ */
/* Public                                                             */

/* Create the connection object (not connected yet). */
struct irc *
irc_new(struct loop *loop, const struct config *cfg,
    const struct irc_handlers *h)
{
	struct irc	*irc = xcalloc(1, sizeof *irc);

	irc->loop = loop;
	irc->cfg = cfg;
	irc->h = xcalloc(1, sizeof *irc->h);
	if (h != NULL)
		*irc->h = *h;
	irc->up = &irc_upper;
	irc->sts_get = irc->h->sts_get;
	irc->sts_set = irc->h->sts_set;
	irc->sts_arg = irc->h->arg;
	irc->fd = -1;
	irc_set_queue_max(irc, cfg->irc.queue_max > 0 ?
	    (size_t)cfg->irc.queue_max : 0);
	irc->nick = xstrdup(cfg->irc.nick);
	buf_init(&irc->in);
	buf_init(&irc->out);
	buf_init(&irc->ls);
	buf_init(&irc->sasl_in);
	flood_init(&irc->flood, cfg->irc.flood_burst,
	    cfg->irc.flood_interval_ms, util_mono_ms());
	signal(SIGPIPE, SIG_IGN);
	return irc;
}

/* Free everything; closes the connection without QUIT. */
void
irc_free(struct irc *irc)
{
	if (irc == NULL)
		return;
	irc->state = IRC_STOPPED;
	irc_teardown(irc);
	irc_conn_free(irc);
	irc_users_free(irc);
	free(irc->topics);
	buf_free(&irc->ls);
	buf_free(&irc->sasl_in);
	free(irc->nick);
	free(irc->h);
	free(irc);
}

/* Start connecting. */
void
irc_start(struct irc *irc)
{
	irc_conn_keepalive(irc);
	irc_connect(irc);
}

/* Join what is configured and not joined; part what is no more. */
static void
irc_rechannel(struct irc *irc, const struct config *cfg)
{
	size_t	i;

	for (i = 0; i < cfg->irc.nchannels; i++) {
		if (irc_list_find(irc, irc->joined, irc->njoined,
		    cfg->irc.channels[i]) < 0)
			irc_sendv(irc, "JOIN", cfg->irc.channels[i], NULL);
	}
	for (i = 0; i < irc->njoined; i++) {
		if (!irc_configured(irc, irc->joined[i]))
			irc_sendv(irc, "PART", irc->joined[i],
			    "no longer configured", NULL);
	}
}

/* Take a new configuration: join/part channels, flood settings. */
void
irc_reconfigure(struct irc *irc, const struct config *cfg)
{
	const struct config	*old = irc->cfg;
	int			 reconnect;

	irc->cfg = cfg;
	irc_set_queue_max(irc, cfg->irc.queue_max > 0 ?
	    (size_t)cfg->irc.queue_max : 0);
	reconnect = strcmp(old->irc.server, cfg->irc.server) != 0 ||
	    old->irc.port != cfg->irc.port || old->irc.tls != cfg->irc.tls;
	if (reconnect) {
		log_info("irc", "server changed: reconnecting; dropping %zu "
		    "lines queued for the old one", irc->qlen);
		irc_queue_clear(irc);
		if (irc->fd >= 0)
			irc_send_now(irc, 0, "QUIT", "reconnecting", NULL);
		irc_do_write(irc);
		irc->attempts = 0;
		irc->registered_at = 0;
		irc_teardown(irc);
		irc_schedule_reconnect(irc, 0);
		return;
	}
	irc_conn_flood(irc);
	if (irc->state != IRC_REGISTERED)
		return;
	irc_rechannel(irc, cfg);
	irc_flush_queue(irc);
	if (!irc_same_nick(irc, irc->nick, cfg->irc.nick))
		irc_regain(irc);
}

/* Send QUIT and flush it for at most timeout_ms; then close. */
void
irc_quit(struct irc *irc, const char *reason, int timeout_ms)
{
	irc_conn_quit(irc, reason, timeout_ms);
}

/* Set the bound of the send queue. */
void
irc_set_queue_max(struct irc *irc, size_t max)
{
	irc->queue_max = max > 0 ? max : IRC_QUEUE_MAX;
}

/* Queue one command through the flood queue. */
int
irc_send(struct irc *irc, const char *cmd, const char *const *params,
    size_t nparams)
{
	return irc_conn_send(irc, IRC_LANE_HIGH, cmd, params, nparams, NULL,
	    NULL, NULL);
}

/* Split text into wire-sized pieces. */
size_t
irc_split(struct irc *irc, const char *cmd, const char *target,
    const char *text, char ***lines)
{
	return irc_conn_split(irc, cmd, target, text, lines);
}

/* Queue one fitted reply line. */
int
irc_reply(struct irc *irc, const char *cmd, const char *target,
    const char *line, const char *asker)
{
	const char	*params[2] = { target, line };

	return irc_conn_send(irc, IRC_LANE_REPLY, cmd, params, 2, asker,
	    NULL, NULL);
}

/* Split and queue an announcement; sent(arg, ok) after its last piece. */
void
irc_announce(struct irc *irc, const char *cmd, const char *target,
    const char *text, void (*sent)(void *, int), void *arg)
{
	char		**lines;
	const char	 *params[2];
	size_t		  i, n;

	n = irc_conn_split(irc, cmd, target, text, &lines);
	params[0] = target;
	for (i = 0; i < n; i++) {
		params[1] = lines[i];
		irc_conn_send(irc, IRC_LANE_HIGH, cmd, params, 2, NULL,
		    i + 1 == n ? sent : NULL, arg);
		free(lines[i]);
	}
	free(lines);
}

/* Split and queue text as an announcement. */
void
irc_say(struct irc *irc, const char *cmd, const char *target,
    const char *text)
{
	irc_announce(irc, cmd, target, text, NULL, NULL);
}

/* The topic of chan as last told, or NULL while not known. */
const char *
irc_topic(struct irc *irc, const char *chan)
{
	struct irc_topic	*t;

	if (!irc_in_channel(irc, chan))
		return NULL;
	t = irc_topic_find(irc, chan);
	return t != NULL ? t->text : NULL;
}

/* Set the topic of chan; done() once the server has answered. */
void
irc_set_topic(struct irc *irc, const char *chan, const char *text,
    void (*done)(void *, enum irc_topic_result, const char *,
    const char *), void *arg)
{
	struct irc_topic_req	*q, **tail;
	char			**lines;
	size_t			  i, n;
	int			  rc;

	if (!irc_in_channel(irc, chan)) {
		done(arg, IRC_TOPIC_LOST, chan, NULL);
		return;
	}
	/* One line: a topic is not continued on a second one. */
	n = irc_conn_split(irc, "TOPIC", chan, text, &lines);
	rc = irc_send_now(irc, 0, "TOPIC", chan, lines[0], NULL);
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	if (rc != 0) {
		done(arg, IRC_TOPIC_LOST, chan, NULL);
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->chan = xstrdup(chan);
	q->done = done;
	q->arg = arg;
	q->sent_at = util_mono_ms();
	for (tail = &irc->topic_reqs; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = q;
	if (irc->t_topic == 0)
		irc->t_topic = loop_timer_add(irc->loop, irc,
		    IRC_TOPIC_WAIT_MS, irc_topic_timer, irc);
}

/* Lines waiting in the queue. */
size_t
irc_queued(struct irc *irc)
{
	return irc->qlen;
}

/* Our current nick. */
const char *
irc_nick(struct irc *irc)
{
	return irc->nick;
}

/* 1 once 001 was received on this connection. */
int
irc_registered(struct irc *irc)
{
	return irc->state == IRC_REGISTERED;
}

/* Tracked account of nick, or NULL. */
const char *
irc_account(struct irc *irc, const char *nick)
{
	struct irc_user	*u = irc_user_find(irc, nick);

	return u != NULL ? u->account : NULL;
}

/* The user and host of a tracked nick; 0, or -1 if unknown. */
int
irc_userhost(struct irc *irc, const char *nick, const char **user,
    const char **host)
{
	struct irc_user	*u = irc_user_find(irc, nick);

	*user = *host = NULL;
	if (u == NULL || u->user == NULL || u->host == NULL)
		return -1;
	*user = u->user;
	*host = u->host;
	return 0;
}

/* The nick of an online team person (by account or by nick), or NULL. */
const char *
irc_find_person(struct irc *irc, int by_account, const char *person)
{
	size_t	i;

	for (i = 0; i < irc->nusers; i++) {
		const struct irc_user *u = &irc->users[i];

		if (u->nchans == 0)
			continue;
		if (by_account) {
			if (u->account != NULL &&
			    irc_same_nick(irc, u->account, person))
				return u->nick;
		} else if (irc_same_nick(irc, u->nick, person))
			return u->nick;
	}
	return NULL;
}

/* Registered and in chan? */
int
irc_in_channel(struct irc *irc, const char *chan)
{
	return irc->state == IRC_REGISTERED &&
	    irc_list_find(irc, irc->joined, irc->njoined, chan) >= 0;
}

/* The server's case mapping. */
enum irc_casemap
irc_casemap(const struct irc *irc)
{
	return irc->casemap;
}
