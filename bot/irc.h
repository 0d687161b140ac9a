/*
 * irc.h — the IRC connection: non-blocking connect (asynchronous DNS),
 * TLS through OpenSSL with verification or fingerprint pinning, IRCv3
 * capability negotiation and SASL, registration, nick collision and
 * regain, keepalive, reconnect with backoff and jitter, channel joins,
 * tracking of accounts and user@host, and the one send path (sanitized
 * lines through a token-bucket queue). Only the irc*.c files include
 * OpenSSL, and none of them calls the store: STS policies go through
 * the handlers.
 * Commands and replies are the bot's business: irc.c hands every
 * message from others to the handler and sends what it is asked to.
 */
#ifndef OB_IRC_H
#define OB_IRC_H

#include <stddef.h>
#include <time.h>

#include "ircmsg.h"

struct loop;
struct config;
struct irc;

struct irc_handlers {
	/*
	 * A PRIVMSG or NOTICE from someone else. account is the sender's
	 * services account if known (account tag, or tracking), else NULL.
	 * A message to "@#chan" or "+#chan" (STATUSMSG) arrives with the
	 * channel itself as params[0]: it is a channel message.
	 */
	void	(*message)(struct irc *, const struct irc_msg *,
		    const char *account, void *arg);
	/* Registration finished (after 001 and joins were sent). */
	void	(*registered)(struct irc *, void *arg);
	/*
	 * We joined chan and know who is there: its member list (NAMES) is
	 * complete, and so is the WHO asked on joining.
	 */
	void	(*joined)(struct irc *, const char *chan, void *arg);
	/*
	 * STS policies, kept by the owner (NULL: none are kept). sts_get
	 * returns 1 and the TLS port if a policy for host lasts past now,
	 * else 0; sts_set keeps a policy until expires.
	 */
	int	(*sts_get)(void *arg, const char *host, time_t now, int *port,
		    time_t *expires);
	void	(*sts_set)(void *arg, const char *host, int port,
		    time_t expires);
	void	*arg;
};

/* cfg is borrowed and must outlive the irc or be replaced first. */
struct irc	*irc_new(struct loop *, const struct config *,
		     const struct irc_handlers *);
void		 irc_free(struct irc *);

/* Start connecting (returns at once; failures are retried with backoff). */
void		 irc_start(struct irc *);
/* Take a new config after a reload: join/part channel changes, flood. */
void		 irc_reconfigure(struct irc *, const struct config *);
/* Send QUIT, flush for at most timeout_ms, close; no reconnect after. */
void		 irc_quit(struct irc *, const char *reason, int timeout_ms);

/*
 * The send queue (DESIGN §3): every line below is paced by the token
 * bucket, in two lanes. Protocol lines and announcements (handoffs,
 * outages, alerts: irc_say, irc_announce, irc_send) go first and are
 * never dropped. Replies (irc_reply) follow, served in turn by asker,
 * so that one person's long answers delay others' by a line each at
 * most. Past queue_max queued lines a reply line is dropped (the last
 * line of whoever has by far the most waiting, else the new one),
 * logged, and the one who lost it told once by NOTICE. Lines queued
 * while disconnected wait for the next connection to the same network;
 * a reload to another one drops them.
 */
#define IRC_QUEUE_MAX	200	/* default queue_max */

/* Set queue_max (irc.queue_max; 0 keeps IRC_QUEUE_MAX). */
void		 irc_set_queue_max(struct irc *, size_t);

/* Queue one command (protocol lane). 0, or -1 if unbuildable. */
int		 irc_send(struct irc *, const char *cmd,
		     const char *const *params, size_t nparams);
/*
 * Split text into as many lines as needed so that each, with the prefix
 * the server prepends, fits 512 bytes; bytes that are not UTF-8 become
 * U+FFFD and CR and LF become spaces (done here once, so each piece can
 * go to irc_reply as it is). Returns the number of lines; *lines is a
 * malloc'd array of malloc'd strings (caller frees each and the array).
 */
size_t		 irc_split(struct irc *, const char *cmd, const char *target,
		     const char *text, char ***lines);
/*
 * Queue one reply line already fitted by irc_split, as cmd (PRIVMSG or
 * NOTICE) to target. asker (may be NULL) is the nick told once when
 * reply lines are dropped. 0 queued, -1 dropped or unbuildable.
 */
int		 irc_reply(struct irc *, const char *cmd, const char *target,
		     const char *line, const char *asker);
/*
 * Split and queue text as an announcement: cmd to target, ahead of
 * every reply, never dropped. sent, if not NULL, is called once with
 * arg: ok = 1 after the last piece has been written to the socket, or
 * ok = 0 if it never will be (the connection closed first, a reload to
 * another network, irc_free). Pieces still queued when a connection
 * breaks go out on the next one; a piece already handed to the broken
 * socket is not sent again.
 */
void		 irc_announce(struct irc *, const char *cmd,
		     const char *target, const char *text,
		     void (*sent)(void *arg, int ok), void *arg);
/* irc_announce without the callback. */
void		 irc_say(struct irc *, const char *cmd, const char *target,
		     const char *text);

const char	*irc_nick(struct irc *);
int		 irc_registered(struct irc *);
/* Tracked services account of nick, or NULL (none or unknown). */
const char	*irc_account(struct irc *, const char *nick);
/*
 * The user and host of a tracked nick (someone sharing a channel with
 * us), as the server last showed them: 0 with *user and *host borrowed
 * until the next line is read, or -1 (both NULL) if the nick is not
 * tracked or its user@host is not known yet.
 */
int		 irc_userhost(struct irc *, const char *nick,
		     const char **user, const char **host);
/*
 * The nick of a team person who is online (seen in a shared channel or
 * in a message, not gone since): by services account when by_account,
 * else by nick. NULL if not seen.
 */
const char	*irc_find_person(struct irc *, int by_account,
		     const char *person);
/*
 * The server's case mapping (ISUPPORT CASEMAPPING; rfc1459 until it
 * says): compare nicks and channels with irc_casecmp_map() under it.
 */
enum irc_casemap irc_casemap(const struct irc *);
/* 1 if registered and in chan (our JOIN was seen). */
int		 irc_in_channel(struct irc *, const char *chan);
/*
 * The topic of chan as the server last told it ("" for none), or NULL
 * while it is not known: not in chan, or joined and the server has not
 * said it yet (it has by the time the joined handler runs). Borrowed
 * until the next line from the server is handled.
 */
const char	*irc_topic(struct irc *, const char *chan);

/* How the server answered a TOPIC we sent. */
enum irc_topic_result {
	IRC_TOPIC_SET = 0,	/* it relayed our change to the channel */
	IRC_TOPIC_DENIED,	/* it refused (482: we are not channel
				   operator on a +t channel) */
	IRC_TOPIC_LOST,		/* no answer: not registered, not on the
				   channel (442), or the connection ended */
	IRC_TOPIC_SILENT	/* no answer within IRC_TOPIC_WAIT_MS */
};
#define IRC_TOPIC_WAIT_MS	30000

/*
 * Set the topic of chan to text (CR, LF and NUL removed; cut to one
 * line). done(arg, result, chan, why) is called exactly once, maybe
 * before this returns: when the server answers, or with LOST when it
 * never will; why is the server's text for DENIED, else NULL. The line
 * is written at once, ahead of the queue, and never carried over to a
 * later connection, where the topic it was computed from may be stale.
 */
void		 irc_set_topic(struct irc *, const char *chan,
		     const char *text,
		     void (*done)(void *arg, enum irc_topic_result,
		     const char *chan, const char *why), void *arg);

/* Lines waiting in the send queue (both lanes). */
size_t		 irc_queued(struct irc *);

#endif
