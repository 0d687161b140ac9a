/*
 * irc_conn.h — the connection layer of the irc module: name lookup,
 * non-blocking connect, TLS through irc_tls, the receive buffer and line
 * framing, the one output path and the flood-paced send queue,
 * keepalive, attempt timeouts, and reconnecting with backoff. It calls
 * the layer above only through irc->up. Used by the irc*.c files only.
 *
 * It also holds struct irc, the state of one connection that the irc
 * files share: the lowest of them defines it, so that every other can
 * include it without a circle. Callers outside the module use irc.h.
 */
#ifndef OB_IRC_CONN_H
#define OB_IRC_CONN_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ircmsg.h"
#include "util.h"

#define IRC_CONNECT_TIMEOUT	30000	/* DNS + TCP + TLS */
#define IRC_REGISTER_TIMEOUT	60000	/* until 001 */
#define IRC_STABLE_MS		60000	/* this long up: reset backoff */
#define IRC_REJOIN_MS		5000	/* after KICK */
#define IRC_ISON_MS		30000
#define IRC_WHOX_TOKEN		"417"
#define IRC_SASL_CHUNK		400
#define IRC_TOLD_MAX		20	/* askers told of one overflow */

struct irc;
struct loop;
struct config;
struct irc_handlers;
struct irc_resolve;
struct irc_tls;
struct irc_sasl_mech;
struct irc_topic;
struct irc_topic_req;

/* A queued line, with who wants to know when it is written. */
struct irc_line {
	struct irc_line	*next;
	char		*line;
	void		(*sent)(void *, int);	/* or NULL */
	void		*arg;
};

/*
 * The two lanes of the queue: the high one always goes first. Replies
 * wait in one line of their own per asker, served in turn, so that one
 * person's long answers delay nobody else's by more than a line each.
 */
enum irc_lane_id {
	IRC_LANE_HIGH = 0,	/* protocol lines and announcements */
	IRC_LANE_REPLY		/* replies: bounded by queue_max */
};

struct irc_lane {
	struct irc_line	*head;
	struct irc_line	*tail;
	size_t		 n;
};

/* The replies waiting for one asker ("" for none). */
struct irc_asker {
	struct irc_asker *next;		/* the next to be served */
	char		*nick;
	struct irc_lane	 lane;
};

/* An announcement in the output buffer: done when out_done >= end. */
struct irc_sent {
	struct irc_sent	*next;
	uint64_t	 end;
	void		(*sent)(void *, int);
	void		*arg;
};

enum irc_state {
	IRC_IDLE = 0,		/* waiting for the reconnect timer */
	IRC_RESOLVING,
	IRC_CONNECTING,
	IRC_HANDSHAKE,		/* TLS */
	IRC_REGISTERING,
	IRC_REGISTERED,
	IRC_STOPPED		/* irc_quit: never reconnect */
};

struct irc_user {
	char	*nick;
	char	*user;		/* NULL: not known yet */
	char	*host;		/* NULL: not known yet */
	char	*account;	/* NULL: not logged in or not known */
	int	 from_join;	/* account learnt from an extended JOIN */
	char	**chans;	/* channels shared with us */
	size_t	 nchans;
};

/*
 * What the connection layer (irc_conn.c) calls in the layer above it,
 * which it must not name: a connection is open (start registration), a
 * line arrived, the connection is gone (forget its state).
 */
struct irc_upper {
	void	(*open)(struct irc *);
	void	(*line)(struct irc *, const struct irc_msg *);
	void	(*reset)(struct irc *);
};

struct irc {
	struct loop		*loop;
	const struct config	*cfg;
	struct irc_handlers	*h;
	const struct irc_upper	*up;
	/* STS policies, kept by the owner (see struct irc_handlers). */
	int			(*sts_get)(void *, const char *host,
				    time_t now, int *port, time_t *expires);
	void			(*sts_set)(void *, const char *host, int port,
				    time_t expires);
	void			*sts_arg;

	enum irc_state		 state;
	int			 fd;
	struct irc_tls		*tls_conn;	/* TLS session or NULL */

	/* Where we connect this time (STS may upgrade). */
	char			*host;
	int			 port;
	int			 tls;

	struct irc_resolve	*res;
	struct addrinfo		*ai;		/* from getaddrinfo(_a) */
	struct addrinfo		*ai_next;

	struct buf		 in;
	struct buf		 out;
	int			 discarding;	/* in an over-long line */

	/* Flood-paced lines: control and announcements, then replies. */
	struct irc_lane		 high;
	struct irc_asker	*askers;	/* replies, in serving order */
	struct irc_asker	*askers_tail;
	size_t			 qlen;		/* in both lanes */
	size_t			 queue_max;
	int			 dropping;	/* dropped replies, since */
	char			**told;		/* askers told of a drop */
	size_t			 ntold;
	struct flood		 flood;
	/* Announcements in the output buffer, waiting to be written. */
	struct irc_sent		*pending;
	uint64_t		 out_total;	/* bytes put in out so far */
	uint64_t		 out_done;	/* bytes written of those */

	long long		 t_reconnect, t_timeout, t_ping;
	long long		 t_flood, t_ison, t_rejoin;
	uint64_t		 started;	/* connect attempt began */
	uint64_t		 registered_at;
	uint64_t		 last_rx;
	uint64_t		 ping_sent;	/* 0: none outstanding */
	int			 attempts;

	char			*nick;		/* current */
	int			 nick_try;
	char			*userhost;	/* "user@host" from own JOIN */

	/* Capabilities. */
	struct buf		 ls;		/* CAP LS accumulated */
	int			 cap_done;	/* CAP END sent (or no CAP) */
	int			 cap_account_tag;
	int			 cap_extended_join;
	int			 cap_account_notify;
	int			 cap_userhost_in_names;
	int			 cap_chghost;
	char			*sasl_mechs;	/* from sasl=..., or NULL */
	int			 sasl_offered;
	int			 sasl_active;
	int			 sasl_ok;	/* 903 seen */
	const struct irc_sasl_mech *sasl_mech;	/* the one in progress */
	void			*sasl_state;
	struct buf		 sasl_in;	/* server's pieces so far */
	int			 monitoring;	/* MONITOR + sent */

	/* ISUPPORT. */
	enum irc_casemap	 casemap;	/* rfc1459 until 005 says */
	char			 statusmsg[8];	/* STATUSMSG prefixes */
	int			 whox;
	int			 monitor;
	char			 bot_mode;

	char			**joined;
	size_t			 njoined;
	char			**kicked;	/* channels to rejoin */
	size_t			 nkicked;
	char			**whoing;	/* one per WHO unanswered */
	size_t			 nwhoing;
	struct irc_topic	*topics;	/* of joined channels, once
						   the server told them */
	size_t			 ntopics;
	struct irc_topic_req	*topic_reqs;	/* TOPICs not answered yet */
	long long		 t_topic;	/* gives up on the oldest */

	struct irc_user		*users;
	size_t			 nusers;
};



/* Start one connection attempt to the configured server. */
void	 irc_connect(struct irc *);
/* Reconnect at once to host:port (STS upgrade), in a new attempt. */
void	 irc_conn_move(struct irc *, const char *host, int port, int tls);
/* Start the keepalive timer (once). */
void	 irc_conn_keepalive(struct irc *);
/* The connection failed or died: log once and reconnect with backoff. */
void	 irc_fail(struct irc *, const char *why);
/* Close everything of this connection (queued lines stay). */
void	 irc_teardown(struct irc *);
/* Schedule the next attempt; delay < 0: exponential backoff + jitter. */
void	 irc_schedule_reconnect(struct irc *, long long delay);
/* Send QUIT, flush it for at most timeout_ms, close; no reconnect. */
void	 irc_conn_quit(struct irc *, const char *reason, int timeout_ms);
/* Free what irc_teardown leaves: the queue and the buffers. */
void	 irc_conn_free(struct irc *);

/* Write what the socket takes of the output buffer. */
void	 irc_do_write(struct irc *);
/*
 * Build and write a line at once, ahead of the queue (registration,
 * PONG, QUIT). Parameters end with NULL. secret: the debug log shows
 * "<redacted>" instead of the parameters.
 */
int	 irc_send_now(struct irc *, int secret, const char *cmd, ...);
/*
 * Build a line and queue it in lane through the flood bucket. A reply
 * past queue_max is dropped (logged; asker, if not NULL, told once).
 * sent(arg, ok), if not NULL, is called once: ok = 1 when the line has
 * been written to the socket, 0 when it never will be. 0 or -1 (not
 * buildable, or dropped).
 */
int	 irc_conn_send(struct irc *, enum irc_lane_id, const char *cmd,
	    const char *const *params, size_t nparams, const char *asker,
	    void (*sent)(void *, int), void *arg);
/* irc_conn_send with NULL-terminated variadic parameters. */
void	 irc_sendv(struct irc *, const char *cmd, ...);
/* A full bucket from the configuration (registration, reload). */
void	 irc_conn_flood(struct irc *);
/* Move queued lines to the socket as the bucket allows. */
void	 irc_flush_queue(struct irc *);
/* Drop every queued line (their sent callbacks get ok = 0). */
void	 irc_queue_clear(struct irc *);
/* Split text into wire-sized pieces of cmd to target (see irc_split). */
size_t	 irc_conn_split(struct irc *, const char *cmd, const char *target,
	    const char *text, char ***lines);

#endif
