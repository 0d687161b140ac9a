/*
 * irc.c — one IRC connection on the event loop. It owns the socket, the
 * TLS session, the receive buffer, the send queue and the state of
 * registration; it never blocks: DNS is asynchronous (getaddrinfo_a
 * polled from a timer), connect is non-blocking, TLS runs in non-blocking
 * mode. Every outgoing line is made by irc_build() (which removes CR, LF
 * and NUL) and, once registered, paced by the token bucket.
 *
 * It does not interpret commands: messages from others go to the
 * handler. Secrets (server PASS, SASL payloads) are never logged; the
 * debug log shows "<redacted>" in their place.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "irc.h"
#include "ircmsg.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "util.h"

#define IRC_CONNECT_TIMEOUT	30000	/* DNS + TCP + TLS */
#define IRC_REGISTER_TIMEOUT	60000	/* until 001 */
#define IRC_STABLE_MS		60000	/* connected this long: reset backoff */
#define IRC_REJOIN_MS		5000	/* after KICK */
#define IRC_ISON_MS		30000
#define IRC_WHOX_TOKEN		"417"
#define IRC_SASL_CHUNK		400

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
	char	*account;	/* NULL: not logged in or not known */
	char	**chans;	/* channels shared with us */
	size_t	 nchans;
};

/* Heap-allocated so that an uncancellable lookup can outlive irc_free. */
struct irc_resolve {
	struct gaicb	 cb;
	struct addrinfo	 hints;
	char		*host;
	char		 port[8];
};

struct irc {
	struct loop		*loop;
	struct store		*store;
	const struct config	*cfg;
	struct irc_handlers	 h;

	enum irc_state		 state;
	int			 fd;
	SSL_CTX			*ssl_ctx;
	SSL			*ssl;

	/* Where we connect this time (STS may upgrade). */
	char			*host;
	int			 port;
	int			 tls;

	struct irc_resolve	*res;
	struct addrinfo		*ai;		/* from getaddrinfo(_a) */
	int			 ai_numeric;	/* ai from plain getaddrinfo */
	struct addrinfo		*ai_next;

	struct buf		 in;
	struct buf		 out;
	int			 discarding;	/* dropping an over-long line */

	char			**queue;	/* flood-paced lines */
	size_t			 qhead, qlen, qcap;
	struct flood		 flood;

	long long		 t_reconnect, t_resolve, t_timeout, t_ping;
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
	char			*sasl_mechs;	/* from sasl=..., or NULL */
	int			 sasl_offered;
	int			 sasl_active;
	int			 sasl_ok;	/* 903 seen */
	int			 monitoring;	/* MONITOR + sent */

	/* ISUPPORT. */
	int			 whox;
	int			 monitor;
	char			 bot_mode;

	char			**joined;
	size_t			 njoined;
	char			**kicked;	/* channels to rejoin */
	size_t			 nkicked;

	struct irc_user		*users;
	size_t			 nusers;
};

static void	irc_connect_next(struct irc *);
static void	irc_fail(struct irc *, const char *why);
static void	irc_update_events(struct irc *);
static void	irc_flush_queue(struct irc *);
static void	irc_schedule_reconnect(struct irc *, long long delay);
static void	irc_do_write(struct irc *);

/* ------------------------------------------------------------------ */
/* Users and channels                                                 */

/* Index of channel in a list, or -1. */
static ssize_t
irc_list_find(char **list, size_t n, const char *chan)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (irc_casecmp(list[i], chan) == 0)
			return (ssize_t)i;
	}
	return -1;
}

/* Add chan to a list unless present. */
static void
irc_list_add(char ***list, size_t *n, const char *chan)
{
	if (irc_list_find(*list, *n, chan) >= 0)
		return;
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = xstrdup(chan);
}

/* Remove chan from a list. */
static void
irc_list_del(char **list, size_t *n, const char *chan)
{
	ssize_t	i = irc_list_find(list, *n, chan);

	if (i < 0)
		return;
	free(list[i]);
	list[i] = list[--(*n)];
}

/* Find a tracked user by nick. */
static struct irc_user *
irc_user_find(struct irc *irc, const char *nick)
{
	size_t	i;

	for (i = 0; i < irc->nusers; i++) {
		if (irc_casecmp(irc->users[i].nick, nick) == 0)
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
static void
irc_user_set(struct irc *irc, const char *nick, const char *account)
{
	struct irc_user	*u = irc_user_get(irc, nick);

	if (account != NULL && (strcmp(account, "*") == 0 ||
	    strcmp(account, "0") == 0 || *account == '\0'))
		account = NULL;
	free(u->account);
	u->account = account != NULL ? xstrdup(account) : NULL;
}

/* Forget the user at index i. */
static void
irc_user_remove(struct irc *irc, size_t i)
{
	struct irc_user	*u = &irc->users[i];
	size_t		 j;

	for (j = 0; j < u->nchans; j++)
		free(u->chans[j]);
	free(u->chans);
	free(u->nick);
	free(u->account);
	irc->users[i] = irc->users[--irc->nusers];
}

/* Forget a user (QUIT). */
static void
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

	irc_list_add(&u->chans, &u->nchans, chan);
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
	irc_list_del(u->chans, &u->nchans, chan);
	if (u->nchans == 0)
		irc_user_remove(irc, (size_t)(u - irc->users));
}

/* We left chan: it no longer counts for anyone. */
static void
irc_user_part_all(struct irc *irc, const char *chan)
{
	size_t	i = irc->nusers;

	while (i-- > 0) {
		struct irc_user *u = &irc->users[i];

		irc_list_del(u->chans, &u->nchans, chan);
		if (u->nchans == 0)
			irc_user_remove(irc, i);
	}
}

/* Rename a tracked user (NICK); a change of case only keeps the entry. */
static void
irc_user_rename(struct irc *irc, const char *from, const char *to)
{
	struct irc_user	*u;

	if (irc_casecmp(from, to) != 0)
		irc_user_del(irc, to);	/* a stale entry under the new nick */
	u = irc_user_find(irc, from);
	if (u == NULL)
		return;
	free(u->nick);
	u->nick = xstrdup(to);
}

/* Forget every user and channel (on disconnect). */
static void
irc_forget_all(struct irc *irc)
{
	size_t	i;

	while (irc->nusers > 0)
		irc_user_remove(irc, irc->nusers - 1);
	for (i = 0; i < irc->njoined; i++)
		free(irc->joined[i]);
	irc->njoined = 0;
	for (i = 0; i < irc->nkicked; i++)
		free(irc->kicked[i]);
	irc->nkicked = 0;
}

/* Is chan one of the configured channels? */
static int
irc_configured(struct irc *irc, const char *chan)
{
	return irc_list_find(irc->cfg->irc.channels, irc->cfg->irc.nchannels,
	    chan) >= 0;
}

/* ------------------------------------------------------------------ */
/* Output                                                             */

/* Log an outgoing line at debug level, hiding secrets. */
static void
irc_log_out(const char *line, int secret)
{
	size_t	len;

	if (log_get_level() < LOG_DEBUG)
		return;
	len = strcspn(line, "\r\n");
	if (secret) {
		log_debug("irc", ">> %.*s <redacted>",
		    (int)strcspn(line, " "), line);
	} else
		log_debug("irc", ">> %.*s", (int)len, line);
}

/*
 * Append a built line to the output buffer, bypassing the queue, and try
 * to write it at once (a reply should not wait for the next poll). With
 * no connection the line is dropped: it must never reach the next one.
 */
static void
irc_write_line(struct irc *irc, const char *line, int secret)
{
	if (irc->fd < 0 || irc->state < IRC_REGISTERING)
		return;
	irc_log_out(line, secret);
	buf_addstr(&irc->out, line);
	irc_do_write(irc);
}

/* Build and write a line at once (registration, PONG, QUIT). */
static int
irc_send_now(struct irc *irc, int secret, const char *cmd, ...)
{
	const char	*params[IRC_MAX_PARAMS];
	size_t		 n = 0;
	va_list		 ap;
	char		*line;

	va_start(ap, cmd);
	while (n < IRC_MAX_PARAMS) {
		const char *p = va_arg(ap, const char *);

		if (p == NULL)
			break;
		params[n++] = p;
	}
	va_end(ap);
	line = irc_build(cmd, params, n);
	if (line == NULL) {
		log_warn("irc", "cannot build %s line", cmd);
		return -1;
	}
	irc_write_line(irc, line, secret);
	free(line);
	return 0;
}

/* Queue a line through the flood bucket. */
int
irc_send(struct irc *irc, const char *cmd, const char *const *params,
    size_t nparams)
{
	char	*line = irc_build(cmd, params, nparams);

	if (line == NULL) {
		log_warn("irc", "cannot build %s line", cmd);
		return -1;
	}
	if (irc->qlen == irc->qcap) {
		size_t	i, ncap = irc->qcap ? irc->qcap * 2 : 16;
		char	**nq = xreallocarray(NULL, ncap, sizeof *nq);

		for (i = 0; i < irc->qlen; i++)
			nq[i] = irc->queue[(irc->qhead + i) % irc->qcap];
		free(irc->queue);
		irc->queue = nq;
		irc->qhead = 0;
		irc->qcap = ncap;
	}
	irc->queue[(irc->qhead + irc->qlen) % irc->qcap] = line;
	irc->qlen++;
	irc_flush_queue(irc);
	return 0;
}

/* Queue a command with variadic parameters (NULL-terminated). */
static void
irc_sendv(struct irc *irc, const char *cmd, ...)
{
	const char	*params[IRC_MAX_PARAMS];
	size_t		 n = 0;
	va_list		 ap;

	va_start(ap, cmd);
	while (n < IRC_MAX_PARAMS) {
		const char *p = va_arg(ap, const char *);

		if (p == NULL)
			break;
		params[n++] = p;
	}
	va_end(ap);
	irc_send(irc, cmd, params, n);
}

/* Drop every queued line. */
static void
irc_queue_clear(struct irc *irc)
{
	while (irc->qlen > 0) {
		free(irc->queue[irc->qhead]);
		irc->qhead = (irc->qhead + 1) % irc->qcap;
		irc->qlen--;
	}
	irc->qhead = 0;
}

/* Flood timer: try the queue again. */
static long long
irc_flood_timer(struct loop *loop, long long id, void *arg)
{
	struct irc	*irc = arg;

	irc->t_flood = 0;
	irc_flush_queue(irc);
	return LOOP_NOMORE;
}

/* Move queued lines to the output buffer as the bucket allows. */
static void
irc_flush_queue(struct irc *irc)
{
	long long	wait;

	if (irc->state != IRC_REGISTERED || irc->t_flood != 0)
		return;
	while (irc->qlen > 0 && irc->state == IRC_REGISTERED) {
		wait = flood_take(&irc->flood, util_mono_ms());
		if (wait > 0) {
			irc->t_flood = loop_timer_add(irc->loop, irc, wait,
			    irc_flood_timer, irc);
			break;
		}
		irc_write_line(irc, irc->queue[irc->qhead], 0);
		free(irc->queue[irc->qhead]);
		irc->qhead = (irc->qhead + 1) % irc->qcap;
		irc->qlen--;
	}
}

/* Lines waiting in the queue. */
size_t
irc_queued(struct irc *irc)
{
	return irc->qlen;
}

/* Bytes of text that fit one cmd to target, given our prefix. */
static size_t
irc_room(struct irc *irc, const char *cmd, const char *target)
{
	size_t	prefix, used;

	/* ":nick!user@host " — assume the longest usual user@host until
	 * the server has shown ours in our own JOIN. */
	prefix = 1 + strlen(irc->nick) + 1 +
	    (irc->userhost != NULL ? strlen(irc->userhost) : 10 + 1 + 63) + 1;
	used = prefix + strlen(cmd) + 1 + strlen(target) + 2 + 2;
	if (used + 32 > IRC_LINE_MAX)
		return 32;
	return IRC_LINE_MAX - used;
}

/* Split text into wire-sized pieces. */
size_t
irc_split(struct irc *irc, const char *cmd, const char *target,
    const char *text, char ***lines)
{
	char	*clean = xstrdup(text), *p;
	size_t	 len, room = irc_room(irc, cmd, target), n = 0, k;
	char	**out = NULL;

	for (p = clean; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	}
	/* Text from outside may be any bytes; the wire gets UTF-8. */
	p = irc_utf8_repair(clean);
	free(clean);
	clean = p;
	len = strlen(p);
	do {
		k = irc_split_len(p, len, room);
		out = xreallocarray(out, n + 1, sizeof *out);
		/* Drop the space we broke after. */
		out[n++] = xstrndup(p, k > 1 && p[k - 1] == ' ' ? k - 1 : k);
		p += k;
		len -= k;
	} while (len > 0);
	free(clean);
	*lines = out;
	return n;
}

/* Split and queue text as cmd to target. */
void
irc_say(struct irc *irc, const char *cmd, const char *target,
    const char *text)
{
	char	**lines;
	size_t	  i, n = irc_split(irc, cmd, target, text, &lines);

	for (i = 0; i < n; i++) {
		irc_sendv(irc, cmd, target, lines[i], NULL);
		free(lines[i]);
	}
	free(lines);
}

/* ------------------------------------------------------------------ */
/* Socket and TLS                                                     */

/* Describe the OpenSSL error queue (and clear it). */
static void
irc_ssl_error(char *buf, size_t size)
{
	unsigned long	e = ERR_get_error();

	if (e == 0)
		strlcpy_ob(buf, "unknown TLS error", size);
	else
		ERR_error_string_n(e, buf, size);
	ERR_clear_error();
}

/* Close the socket and TLS session. */
static void
irc_close(struct irc *irc)
{
	if (irc->ssl != NULL) {
		SSL_free(irc->ssl);
		irc->ssl = NULL;
	}
	if (irc->fd >= 0) {
		loop_fd_del(irc->loop, irc->fd);
		close(irc->fd);
		irc->fd = -1;
	}
	buf_reset(&irc->in);
	buf_reset(&irc->out);
	irc->discarding = 0;
}

/* Watch the socket for what the current state needs. */
static void
irc_update_events(struct irc *irc)
{
	int	ev = LOOP_READ;

	if (irc->fd < 0)
		return;
	if (irc->state == IRC_CONNECTING ||
	    (irc->out.len > 0 && irc->state != IRC_HANDSHAKE))
		ev |= LOOP_WRITE;
	if (irc->state == IRC_HANDSHAKE && irc->ssl != NULL &&
	    SSL_want_write(irc->ssl))
		ev |= LOOP_WRITE;
	loop_fd_events(irc->loop, irc->fd, ev);
}

/* Write as much of the output buffer as the socket takes. */
static void
irc_do_write(struct irc *irc)
{
	while (irc->out.len > 0) {
		ssize_t	n;

		if (irc->ssl != NULL) {
			int	r;

			ERR_clear_error();
			r = SSL_write(irc->ssl, irc->out.data,
			    (int)(irc->out.len > 16384 ? 16384 : irc->out.len));
			if (r <= 0) {
				int	e = SSL_get_error(irc->ssl, r);

				if (e == SSL_ERROR_WANT_WRITE ||
				    e == SSL_ERROR_WANT_READ)
					break;
				irc_fail(irc, "TLS write failed");
				return;
			}
			n = r;
		} else {
			n = write(irc->fd, irc->out.data, irc->out.len);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				irc_fail(irc, strerror(errno));
				return;
			}
		}
		buf_consume(&irc->out, (size_t)n);
	}
	irc_update_events(irc);
}

static void	irc_handle_line(struct irc *, char *, size_t);

/* Split the input buffer into lines and handle each. */
static void
irc_process_input(struct irc *irc)
{
	char	*nl;
	size_t	 len;

	while (irc->fd >= 0 && irc->in.len > 0) {
		nl = memchr(irc->in.data, '\n', irc->in.len);
		if (nl == NULL) {
			if (irc->in.len > IRC_RECV_MAX) {
				if (!irc->discarding)
					log_warn("irc", "dropping an over-long "
					    "line from the server");
				irc->discarding = 1;
				buf_reset(&irc->in);
			}
			return;
		}
		len = (size_t)(nl - irc->in.data);
		*nl = '\0';
		if (irc->discarding)
			irc->discarding = 0;
		else if (len > IRC_RECV_MAX)
			log_warn("irc", "dropping an over-long line");
		else if (memchr(irc->in.data, '\0', len) != NULL)
			log_warn("irc", "dropping a line with a NUL byte");
		else {
			char	*line = xstrndup(irc->in.data, len);

			buf_consume(&irc->in, len + 1);
			irc_handle_line(irc, line, len);
			free(line);
			continue;
		}
		buf_consume(&irc->in, len + 1);
	}
}

/* Read what the socket has. */
static void
irc_do_read(struct irc *irc)
{
	char	buf[16384];

	for (;;) {
		ssize_t	n;

		if (irc->ssl != NULL) {
			int	r;

			ERR_clear_error();
			r = SSL_read(irc->ssl, buf, sizeof buf);
			if (r <= 0) {
				int	e = SSL_get_error(irc->ssl, r);

				if (e == SSL_ERROR_WANT_READ ||
				    e == SSL_ERROR_WANT_WRITE)
					break;
				irc_fail(irc, e == SSL_ERROR_ZERO_RETURN ?
				    "connection closed" : "TLS read failed");
				return;
			}
			n = r;
		} else {
			n = read(irc->fd, buf, sizeof buf);
			if (n == 0) {
				irc_fail(irc, "connection closed by server");
				return;
			}
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				irc_fail(irc, strerror(errno));
				return;
			}
		}
		irc->last_rx = util_mono_ms();
		irc->ping_sent = 0;
		buf_add(&irc->in, buf, (size_t)n);
		irc_process_input(irc);
		if (irc->fd < 0)
			return;
	}
}

/* Begin registration: CAP LS, PASS, NICK, USER. */
static void
irc_register(struct irc *irc)
{
	const struct cfg_irc	*c = &irc->cfg->irc;

	irc->state = IRC_REGISTERING;
	irc->cap_done = 0;
	buf_reset(&irc->ls);
	irc->nick_try = 0;
	free(irc->nick);
	irc->nick = xstrdup(c->nick);
	irc_send_now(irc, 0, "CAP", "LS", "302", NULL);
	if (c->password != NULL)
		irc_send_now(irc, 1, "PASS", c->password, NULL);
	irc_send_now(irc, 0, "NICK", irc->nick, NULL);
	irc_send_now(irc, 0, "USER", c->username, "0", "*", c->realname,
	    NULL);
}

/* Check the server certificate's SHA-256 against tls_fingerprint. */
static int
irc_check_fingerprint(struct irc *irc)
{
	X509		*cert = SSL_get1_peer_certificate(irc->ssl);
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0, i;
	char		 hex[2 * EVP_MAX_MD_SIZE + 1];

	if (cert == NULL) {
		log_error("irc", "TLS: the server sent no certificate");
		return -1;
	}
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) != 1) {
		X509_free(cert);
		return -1;
	}
	X509_free(cert);
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (strcmp(hex, irc->cfg->irc.tls_fingerprint) != 0) {
		log_error("irc", "TLS: certificate fingerprint %s does not "
		    "match tls_fingerprint; refusing the connection", hex);
		return -1;
	}
	return 0;
}

/* Advance the TLS handshake. */
static void
irc_do_handshake(struct irc *irc)
{
	int	r, e;
	char	err[256];

	ERR_clear_error();
	r = SSL_connect(irc->ssl);
	if (r == 1) {
		log_info("irc", "TLS: %s with %s", SSL_get_version(irc->ssl),
		    SSL_get_cipher_name(irc->ssl));
		if (irc->cfg->irc.tls_fingerprint != NULL &&
		    irc_check_fingerprint(irc) != 0) {
			irc_fail(irc, "certificate fingerprint mismatch");
			return;
		}
		irc_register(irc);
		irc_update_events(irc);
		return;
	}
	e = SSL_get_error(irc->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		irc_update_events(irc);
		return;
	}
	if (SSL_get_verify_result(irc->ssl) != X509_V_OK) {
		snprintf(err, sizeof err, "TLS certificate verify failed: %s",
		    X509_verify_cert_error_string(
		    SSL_get_verify_result(irc->ssl)));
		ERR_clear_error();
	} else {
		char	detail[200];

		irc_ssl_error(detail, sizeof detail);
		snprintf(err, sizeof err, "TLS handshake failed: %s", detail);
	}
	irc_fail(irc, err);
}

/* Set up the TLS context once per connection attempt. */
static int
irc_tls_setup(struct irc *irc)
{
	const struct cfg_irc	*c = &irc->cfg->irc;
	char			 err[200];

	if (irc->ssl_ctx != NULL)
		SSL_CTX_free(irc->ssl_ctx);
	irc->ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (irc->ssl_ctx == NULL)
		goto fail;
	SSL_CTX_set_min_proto_version(irc->ssl_ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(irc->ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (c->tls_fingerprint != NULL || !c->tls_verify)
		SSL_CTX_set_verify(irc->ssl_ctx, SSL_VERIFY_NONE, NULL);
	else {
		SSL_CTX_set_verify(irc->ssl_ctx, SSL_VERIFY_PEER, NULL);
		if (c->tls_ca_file != NULL) {
			if (SSL_CTX_load_verify_locations(irc->ssl_ctx,
			    c->tls_ca_file, NULL) != 1)
				goto fail;
		} else if (SSL_CTX_set_default_verify_paths(irc->ssl_ctx) != 1)
			goto fail;
	}
	if (c->client_cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(irc->ssl_ctx,
		    c->client_cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(irc->ssl_ctx,
		    c->client_key != NULL ? c->client_key : c->client_cert,
		    SSL_FILETYPE_PEM) != 1)
			goto fail;
	}
	irc->ssl = SSL_new(irc->ssl_ctx);
	if (irc->ssl == NULL || SSL_set_fd(irc->ssl, irc->fd) != 1)
		goto fail;
	if (c->tls_fingerprint == NULL && c->tls_verify) {
		struct in6_addr	a6;
		struct in_addr	a4;

		if (inet_pton(AF_INET, irc->host, &a4) == 1 ||
		    inet_pton(AF_INET6, irc->host, &a6) == 1) {
			X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(irc->ssl),
			    irc->host);
		} else {
			SSL_set1_host(irc->ssl, irc->host);
			SSL_set_tlsext_host_name(irc->ssl, irc->host);
		}
	} else {
		struct in_addr a4;

		if (inet_pton(AF_INET, irc->host, &a4) != 1)
			SSL_set_tlsext_host_name(irc->ssl, irc->host);
	}
	return 0;
fail:
	irc_ssl_error(err, sizeof err);
	log_error("irc", "TLS set-up failed: %s", err);
	return -1;
}

/* Socket events. */
static void
irc_fd_cb(struct loop *loop, int fd, int events, void *arg)
{
	struct irc	*irc = arg;
	int		 soerr = 0;
	socklen_t	 slen = sizeof soerr;

	switch (irc->state) {
	case IRC_CONNECTING:
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) < 0)
			soerr = errno;
		if (soerr != 0) {
			log_warn("irc", "connect to %s:%d: %s", irc->host,
			    irc->port, strerror(soerr));
			irc_close(irc);
			irc_connect_next(irc);
			return;
		}
		log_info("irc", "connected to %s:%d%s", irc->host, irc->port,
		    irc->tls ? " (TLS)" : "");
		if (irc->tls) {
			irc->state = IRC_HANDSHAKE;
			if (irc_tls_setup(irc) != 0) {
				irc_fail(irc, "TLS set-up failed");
				return;
			}
			irc_do_handshake(irc);
		} else {
			irc_register(irc);
			irc_update_events(irc);
		}
		return;
	case IRC_HANDSHAKE:
		irc_do_handshake(irc);
		return;
	default:
		break;
	}
	if (events & LOOP_WRITE)
		irc_do_write(irc);
	/* A failure may have closed fd (or STS replaced it) meanwhile. */
	if (irc->fd == fd && irc->state >= IRC_REGISTERING &&
	    (events & (LOOP_READ | LOOP_ERROR)))
		irc_do_read(irc);
}

/* ------------------------------------------------------------------ */
/* Connecting                                                         */

/* Free the address list. */
static void
irc_free_ai(struct irc *irc)
{
	if (irc->ai != NULL) {
		freeaddrinfo(irc->ai);
		irc->ai = NULL;
	}
	irc->ai_next = NULL;
}

/* Try the next resolved address, or give up this attempt. */
static void
irc_connect_next(struct irc *irc)
{
	while (irc->ai_next != NULL) {
		struct addrinfo	*a = irc->ai_next;
		int		 fd, one = 1;

		irc->ai_next = a->ai_next;
		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 &&
		    errno != EINPROGRESS) {
			log_warn("irc", "connect to %s:%d: %s", irc->host,
			    irc->port, strerror(errno));
			close(fd);
			continue;
		}
		irc->fd = fd;
		irc->state = IRC_CONNECTING;
		loop_fd_set(irc->loop, irc, fd, LOOP_WRITE, irc_fd_cb, irc);
		return;
	}
	irc_fail(irc, "no address could be reached");
}

/* Addresses are known: start connecting. */
static void
irc_resolved(struct irc *irc, struct addrinfo *ai)
{
	irc->ai = ai;
	irc->ai_next = ai;
	irc_connect_next(irc);
}

/* Poll the asynchronous lookup. */
static long long
irc_resolve_timer(struct loop *loop, long long id, void *arg)
{
	struct irc		*irc = arg;
	struct irc_resolve	*r = irc->res;
	int			 e = gai_error(&r->cb);

	if (e == EAI_INPROGRESS)
		return 50;
	irc->t_resolve = 0;
	irc->res = NULL;
	if (e != 0) {
		log_warn("irc", "cannot resolve %s: %s", irc->host,
		    gai_strerror(e));
		free(r->host);
		free(r);
		irc_fail(irc, "name lookup failed");
		return LOOP_NOMORE;
	}
	irc->ai_numeric = 1;	/* freeaddrinfo works for both */
	irc_resolved(irc, r->cb.ar_result);
	free(r->host);
	free(r);
	return LOOP_NOMORE;
}

/* Look up the server; numeric addresses at once, names asynchronously. */
static void
irc_resolve(struct irc *irc)
{
	struct addrinfo		 hints, *ai = NULL;
	struct irc_resolve	*r;
	struct gaicb		*list[1];
	char			 port[8];

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(port, sizeof port, "%d", irc->port);
	if (getaddrinfo(irc->host, port, &hints, &ai) == 0) {
		irc_resolved(irc, ai);
		return;
	}
	irc->state = IRC_RESOLVING;
	r = xcalloc(1, sizeof *r);
	r->host = xstrdup(irc->host);
	memcpy(r->port, port, sizeof r->port);
	r->hints.ai_family = AF_UNSPEC;
	r->hints.ai_socktype = SOCK_STREAM;
	r->hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	r->cb.ar_name = r->host;
	r->cb.ar_service = r->port;
	r->cb.ar_request = &r->hints;
	list[0] = &r->cb;
	if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL) != 0) {
		free(r->host);
		free(r);
		irc_fail(irc, "cannot start a name lookup");
		return;
	}
	irc->res = r;
	irc->t_resolve = loop_timer_add(irc->loop, irc, 10, irc_resolve_timer,
	    irc);
}

/* Cancel a lookup in flight; leaks it if the resolver holds it. */
static void
irc_resolve_cancel(struct irc *irc)
{
	struct irc_resolve	*r = irc->res;

	if (r == NULL)
		return;
	loop_timer_del(irc->loop, irc->t_resolve);
	irc->t_resolve = 0;
	irc->res = NULL;
	if (gai_cancel(&r->cb) == EAI_NOTCANCELED) {
		/* The resolver thread still writes to r: let it. */
		return;
	}
	if (r->cb.ar_result != NULL)
		freeaddrinfo(r->cb.ar_result);
	free(r->host);
	free(r);
}

/* Attempt timeout: DNS, connect, TLS or registration took too long. */
static long long
irc_timeout_timer(struct loop *loop, long long id, void *arg)
{
	struct irc	*irc = arg;

	irc->t_timeout = 0;
	if (irc->state != IRC_REGISTERED && irc->state != IRC_IDLE &&
	    irc->state != IRC_STOPPED)
		irc_fail(irc, "timed out before registration finished");
	return LOOP_NOMORE;
}

/* Keepalive: PING after silence, give up after ping_timeout. */
static long long
irc_ping_timer(struct loop *loop, long long id, void *arg)
{
	struct irc	*irc = arg;
	uint64_t	 now = util_mono_ms();
	const struct cfg_irc *c = &irc->cfg->irc;

	if (irc->state != IRC_REGISTERED)
		return 1000;
	if (irc->ping_sent != 0) {
		if (now - irc->ping_sent >= (uint64_t)c->ping_timeout_ms) {
			irc->t_ping = 0;
			irc_fail(irc, "ping timeout");
			return LOOP_NOMORE;
		}
	} else if (now - irc->last_rx >= (uint64_t)c->ping_interval_ms) {
		irc_send_now(irc, 0, "PING", "outagebot-keepalive", NULL);
		irc->ping_sent = now;
	}
	return 1000;
}

/* Start one connection attempt. */
static void
irc_connect(struct irc *irc)
{
	const struct cfg_irc	*c = &irc->cfg->irc;
	int			 sts_port;
	time_t			 sts_exp;

	irc->t_reconnect = 0;
	free(irc->host);
	irc->host = xstrdup(c->server);
	irc->port = c->port;
	irc->tls = c->tls;
	if (!irc->tls && irc->store != NULL &&
	    store_sts_get(irc->store, irc->host, util_now(), &sts_port,
	    &sts_exp) == 1) {
		log_info("irc", "STS policy for %s: using TLS on port %d",
		    irc->host, sts_port);
		irc->tls = 1;
		irc->port = sts_port;
	}
	irc->started = util_mono_ms();
	irc->ping_sent = 0;
	irc->last_rx = irc->started;
	log_info("irc", "connecting to %s:%d%s", irc->host, irc->port,
	    irc->tls ? " with TLS" : "");
	if (irc->tls && !c->tls_verify && c->tls_fingerprint == NULL)
		log_warn("irc", "tls_verify = false: the server's certificate "
		    "is not checked");
	if (irc->t_timeout != 0)
		loop_timer_del(irc->loop, irc->t_timeout);
	irc->t_timeout = loop_timer_add(irc->loop, irc, IRC_REGISTER_TIMEOUT,
	    irc_timeout_timer, irc);
	irc_resolve(irc);
}

/* Reconnect timer. */
static long long
irc_reconnect_timer(struct loop *loop, long long id, void *arg)
{
	struct irc	*irc = arg;

	irc->t_reconnect = 0;
	irc_connect(irc);
	return LOOP_NOMORE;
}

/* Schedule the next attempt; delay < 0: exponential backoff + jitter. */
static void
irc_schedule_reconnect(struct irc *irc, long long delay)
{
	const struct cfg_irc	*c = &irc->cfg->irc;

	if (irc->state == IRC_STOPPED)
		return;
	irc->state = IRC_IDLE;
	if (delay < 0) {
		long long	d = c->reconnect_min_ms;
		int		i;

		for (i = 0; i < irc->attempts && d < c->reconnect_max_ms; i++)
			d *= 2;
		if (d > c->reconnect_max_ms)
			d = c->reconnect_max_ms;
		/* Jitter: 75% to 100% of the delay, so that many bots
		 * restarted together do not reconnect together. */
		delay = d - (long long)(random() % (d / 4 + 1));
		if (delay < c->reconnect_min_ms)
			delay = c->reconnect_min_ms;
		irc->attempts++;
	}
	log_info("irc", "reconnecting in %lld ms", delay);
	if (irc->t_reconnect != 0)
		loop_timer_del(irc->loop, irc->t_reconnect);
	irc->t_reconnect = loop_timer_add(irc->loop, irc, delay,
	    irc_reconnect_timer, irc);
}

/* Tear the connection down (keeping queued lines for later). */
static void
irc_teardown(struct irc *irc)
{
	irc_resolve_cancel(irc);
	irc_close(irc);
	irc_free_ai(irc);
	if (irc->t_timeout != 0)
		loop_timer_del(irc->loop, irc->t_timeout);
	if (irc->t_flood != 0)
		loop_timer_del(irc->loop, irc->t_flood);
	if (irc->t_ison != 0)
		loop_timer_del(irc->loop, irc->t_ison);
	if (irc->t_rejoin != 0)
		loop_timer_del(irc->loop, irc->t_rejoin);
	irc->t_timeout = irc->t_flood = irc->t_ison = irc->t_rejoin = 0;
	irc->sasl_active = 0;
	irc->sasl_offered = 0;
	irc->sasl_ok = 0;
	irc->monitoring = 0;
	free(irc->sasl_mechs);
	irc->sasl_mechs = NULL;
	irc->cap_account_tag = irc->cap_extended_join = 0;
	irc->cap_account_notify = 0;
	irc->whox = irc->monitor = 0;
	irc->bot_mode = 0;
	free(irc->userhost);
	irc->userhost = NULL;
	irc_forget_all(irc);
}

/* The connection failed or died: log once and reconnect later. */
static void
irc_fail(struct irc *irc, const char *why)
{
	if (irc->state == IRC_STOPPED)
		return;
	log_warn("irc", "connection to %s:%d lost: %s", irc->host, irc->port,
	    why);
	if (irc->registered_at != 0 &&
	    util_mono_ms() - irc->registered_at >= IRC_STABLE_MS)
		irc->attempts = 0;
	irc->registered_at = 0;
	irc_teardown(irc);
	irc_schedule_reconnect(irc, -1);
}

/* ------------------------------------------------------------------ */
/* Registration: CAP, SASL, nick                                      */

/* Is cap (name) in the space-separated CAP LS text; value in *val. */
static int
irc_cap_offered(const char *ls, const char *name, char *val, size_t valsz)
{
	const char	*p = ls;
	size_t		 n = strlen(name);

	if (val != NULL && valsz > 0)
		val[0] = '\0';
	while (*p != '\0') {
		size_t	wl;

		while (*p == ' ')
			p++;
		wl = strcspn(p, " ");
		if (wl >= n && strncmp(p, name, n) == 0 &&
		    (wl == n || p[n] == '=')) {
			if (val != NULL && wl > n + 1) {
				size_t	vl = wl - n - 1;

				if (vl >= valsz)
					vl = valsz - 1;
				memcpy(val, p + n + 1, vl);
				val[vl] = '\0';
			}
			return 1;
		}
		p += wl;
	}
	return 0;
}

/* Finish capability negotiation. */
static void
irc_cap_end(struct irc *irc)
{
	if (irc->cap_done)
		return;
	irc->cap_done = 1;
	irc_send_now(irc, 0, "CAP", "END", NULL);
}

/* SASL could not be done: abort if required, else go on without it. */
static void
irc_sasl_failed(struct irc *irc, const char *why)
{
	irc->sasl_active = 0;
	if (irc->cfg->irc.sasl.required) {
		log_error("irc", "SASL failed (%s) and sasl.required is set: "
		    "not connecting without authentication", why);
		irc_send_now(irc, 0, "QUIT", "SASL failed", NULL);
		irc_do_write(irc);
		irc_fail(irc, "SASL failed");
		return;
	}
	log_warn("irc", "SASL failed (%s); continuing unauthenticated", why);
	irc_cap_end(irc);
}

/* Value of a parameter value like "key=value" in a comma list. */
static int
irc_kv(const char *list, const char *key, char *val, size_t valsz)
{
	const char	*p = list;
	size_t		 n = strlen(key);

	while (p != NULL && *p != '\0') {
		size_t	l = strcspn(p, ",");

		if (l > n && strncmp(p, key, n) == 0 && p[n] == '=') {
			size_t	vl = l - n - 1;

			if (vl >= valsz)
				vl = valsz - 1;
			memcpy(val, p + n + 1, vl);
			val[vl] = '\0';
			return 1;
		}
		p += l;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Apply an STS policy from CAP LS; 1 if the connection is being moved. */
static int
irc_sts(struct irc *irc, const char *value)
{
	char		 v[32];
	long long	 n;

	if (!irc->tls) {
		if (!irc_kv(value, "port", v, sizeof v) ||
		    util_strtonum(v, 1, 65535, &n) != 0)
			return 0;
		log_info("irc", "server asks for TLS (STS): reconnecting to "
		    "port %lld with TLS", n);
		irc_teardown(irc);
		irc->state = IRC_IDLE;
		free(irc->host);
		irc->host = xstrdup(irc->cfg->irc.server);
		irc->tls = 1;
		irc->port = (int)n;
		irc->started = util_mono_ms();
		irc->t_timeout = loop_timer_add(irc->loop, irc,
		    IRC_REGISTER_TIMEOUT, irc_timeout_timer, irc);
		irc_resolve(irc);
		return 1;
	}
	if (irc_kv(value, "duration", v, sizeof v) &&
	    util_strtonum(v, 0, 10LL * 365 * 86400, &n) == 0 &&
	    irc->store != NULL)
		store_sts_set(irc->store, irc->host, irc->port,
		    util_now() + (time_t)n);
	return 0;
}

/* CAP LS done: request what we use. */
static void
irc_cap_request(struct irc *irc)
{
	static const char *const want[] = {
		"sasl", "message-tags", "account-tag", "server-time",
		"extended-join", "account-notify", "multi-prefix",
		"cap-notify"
	};
	const struct cfg_sasl	*s = &irc->cfg->irc.sasl;
	struct buf		 req;
	char			 val[256];
	size_t			 i;

	if (irc_cap_offered(irc->ls.data, "sts", val, sizeof val) &&
	    irc_sts(irc, val))
		return;
	buf_init(&req);
	for (i = 0; i < nitems(want); i++) {
		if (!irc_cap_offered(irc->ls.data, want[i], val, sizeof val))
			continue;
		if (strcmp(want[i], "sasl") == 0) {
			if (s->mech == CFG_SASL_NONE)
				continue;
			irc->sasl_offered = 1;
			free(irc->sasl_mechs);
			irc->sasl_mechs = val[0] != '\0' ? xstrdup(val) : NULL;
		}
		if (req.len > 0)
			buf_addc(&req, ' ');
		buf_addstr(&req, want[i]);
	}
	if (s->mech != CFG_SASL_NONE && !irc->sasl_offered) {
		buf_free(&req);
		irc_sasl_failed(irc, "the server does not offer SASL");
		return;
	}
	if (req.len == 0)
		irc_cap_end(irc);
	else
		irc_send_now(irc, 0, "CAP", "REQ", req.data, NULL);
	buf_free(&req);
}

/* Is mech in the server's sasl= list (no list: assume yes)? */
static int
irc_sasl_mech_ok(struct irc *irc, const char *mech)
{
	const char	*p = irc->sasl_mechs;
	size_t		 n = strlen(mech);

	if (p == NULL)
		return 1;
	while (*p != '\0') {
		size_t	l = strcspn(p, ",");

		if (l == n && strncasecmp(p, mech, n) == 0)
			return 1;
		p += l;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* CAP ACK: note what we got and start SASL if we should. */
static void
irc_cap_ack(struct irc *irc, const char *list)
{
	const struct cfg_sasl	*s = &irc->cfg->irc.sasl;
	const char		*mech;
	char			*copy = xstrdup(list), *w, *save = NULL;
	int			 sasl = 0;

	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		int	off = (*w == '-');

		if (off)
			w++;
		if (strcmp(w, "account-tag") == 0)
			irc->cap_account_tag = !off;
		else if (strcmp(w, "extended-join") == 0)
			irc->cap_extended_join = !off;
		else if (strcmp(w, "account-notify") == 0)
			irc->cap_account_notify = !off;
		else if (strcmp(w, "sasl") == 0 && !off)
			sasl = 1;
	}
	free(copy);
	if (irc->cap_done || irc->state != IRC_REGISTERING)
		return;
	if (!sasl || s->mech == CFG_SASL_NONE) {
		if (s->mech != CFG_SASL_NONE && !irc->sasl_active) {
			irc_sasl_failed(irc, "SASL was not acknowledged");
			return;
		}
		irc_cap_end(irc);
		return;
	}
	mech = s->mech == CFG_SASL_PLAIN ? "PLAIN" : "EXTERNAL";
	if (!irc_sasl_mech_ok(irc, mech)) {
		irc_sasl_failed(irc, "the server does not offer this SASL "
		    "mechanism");
		return;
	}
	irc->sasl_active = 1;
	irc_send_now(irc, 0, "AUTHENTICATE", mech, NULL);
}

/* The server said "AUTHENTICATE +": send our payload in 400-byte pieces. */
static void
irc_sasl_payload(struct irc *irc)
{
	const struct cfg_sasl	*s = &irc->cfg->irc.sasl;
	unsigned char		*raw, *b64;
	size_t			 alen, plen, rawlen, b64len, off;
	char			 piece[IRC_SASL_CHUNK + 1];

	if (s->mech == CFG_SASL_EXTERNAL) {
		irc_send_now(irc, 0, "AUTHENTICATE", "+", NULL);
		return;
	}
	alen = strlen(s->account);
	plen = strlen(s->password);
	rawlen = alen * 2 + plen + 2;
	raw = xmalloc(rawlen);
	memcpy(raw, s->account, alen);
	raw[alen] = '\0';
	memcpy(raw + alen + 1, s->account, alen);
	raw[2 * alen + 1] = '\0';
	memcpy(raw + 2 * alen + 2, s->password, plen);
	b64 = xmalloc(4 * ((rawlen + 2) / 3) + 1);
	b64len = (size_t)EVP_EncodeBlock(b64, raw, (int)rawlen);
	explicit_bzero(raw, rawlen);
	free(raw);
	for (off = 0; off < b64len; off += IRC_SASL_CHUNK) {
		size_t	n = b64len - off;

		if (n > IRC_SASL_CHUNK)
			n = IRC_SASL_CHUNK;
		memcpy(piece, b64 + off, n);
		piece[n] = '\0';
		irc_send_now(irc, 1, "AUTHENTICATE", piece, NULL);
	}
	if (b64len % IRC_SASL_CHUNK == 0)
		irc_send_now(irc, 0, "AUTHENTICATE", "+", NULL);
	explicit_bzero(piece, sizeof piece);
	explicit_bzero(b64, b64len);
	free(b64);
}

/* Pick the next nick after a collision during registration. */
static void
irc_next_nick(struct irc *irc)
{
	const struct cfg_irc	*c = &irc->cfg->irc;

	free(irc->nick);
	irc->nick_try++;
	if (irc->nick_try == 1)
		irc->nick = xstrdup(c->alt_nick);
	else
		irc->nick = xasprintf("%.20s%ld", c->nick, random() % 1000);
	irc_send_now(irc, 0, "NICK", irc->nick, NULL);
}

/* Ask for the configured nick back (its holder left). */
static void
irc_regain(struct irc *irc)
{
	if (irc->state != IRC_REGISTERED ||
	    irc_casecmp(irc->nick, irc->cfg->irc.nick) == 0)
		return;
	log_info("irc", "regaining nick %s", irc->cfg->irc.nick);
	irc_send_now(irc, 0, "NICK", irc->cfg->irc.nick, NULL);
}

/* ISON timer: networks without MONITOR. */
static long long
irc_ison_timer(struct loop *loop, long long id, void *arg)
{
	struct irc	*irc = arg;

	if (irc->state != IRC_REGISTERED ||
	    irc_casecmp(irc->nick, irc->cfg->irc.nick) == 0) {
		irc->t_ison = 0;
		return LOOP_NOMORE;
	}
	irc_send_now(irc, 0, "ISON", irc->cfg->irc.nick, NULL);
	return IRC_ISON_MS;
}

/* We do not have our nick: watch for it to become free. */
static void
irc_watch_nick(struct irc *irc)
{
	if (irc_casecmp(irc->nick, irc->cfg->irc.nick) == 0)
		return;
	if (irc->monitor) {
		if (!irc->monitoring)
			irc_send_now(irc, 0, "MONITOR", "+",
			    irc->cfg->irc.nick, NULL);
		irc->monitoring = 1;
	} else if (irc->t_ison == 0)
		irc->t_ison = loop_timer_add(irc->loop, irc, IRC_ISON_MS,
		    irc_ison_timer, irc);
}

/*
 * Join every configured channel, ahead of the queue: lines queued while
 * disconnected may be for these channels. Channels are joined in as few
 * "JOIN #a,#b" lines as fit.
 */
static void
irc_join_all(struct irc *irc)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 0; i < irc->cfg->irc.nchannels; i++) {
		const char	*c = irc->cfg->irc.channels[i];

		if (b.len > 0 && b.len + 1 + strlen(c) > 400) {
			irc_send_now(irc, 0, "JOIN", b.data, NULL);
			buf_reset(&b);
		}
		if (b.len > 0)
			buf_addc(&b, ',');
		buf_addstr(&b, c);
	}
	if (b.len > 0)
		irc_send_now(irc, 0, "JOIN", b.data, NULL);
	buf_free(&b);
}

/* 001: registered. */
static void
irc_welcome(struct irc *irc, const struct irc_msg *m)
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
	flood_init(&irc->flood, irc->cfg->irc.flood_burst,
	    irc->cfg->irc.flood_interval_ms, util_mono_ms());
	log_info("irc", "registered as %s on %s", irc->nick,
	    m->nick != NULL ? m->nick : irc->host);
	irc_join_all(irc);
	irc_flush_queue(irc);
	if (irc->h.registered != NULL)
		irc->h.registered(irc, irc->h.arg);
}

/* 005: the features we use. */
static void
irc_isupport(struct irc *irc, const struct irc_msg *m)
{
	size_t	i;

	for (i = 1; i + 1 < m->nparams; i++) {
		const char *p = m->params[i];

		if (strcmp(p, "WHOX") == 0)
			irc->whox = 1;
		else if (strncmp(p, "MONITOR", 7) == 0 &&
		    (p[7] == '\0' || p[7] == '='))
			irc->monitor = 1;
		else if (strncmp(p, "BOT=", 4) == 0 && p[4] != '\0' &&
		    irc->bot_mode == 0) {
			char	mode[3] = { '+', p[4], '\0' };

			irc->bot_mode = p[4];
			irc_send_now(irc, 0, "MODE", irc->nick, mode, NULL);
		}
	}
	if (irc->state == IRC_REGISTERED)
		irc_watch_nick(irc);
}

/* ------------------------------------------------------------------ */
/* Incoming lines                                                     */

/* Is the message's source us? */
static int
irc_from_me(struct irc *irc, const struct irc_msg *m)
{
	return m->nick != NULL && irc->nick != NULL &&
	    irc_casecmp(m->nick, irc->nick) == 0;
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
		free(irc->kicked[i]);
	}
	irc->nkicked = 0;
	return LOOP_NOMORE;
}

/* Handle JOIN (ours and others'). */
static void
irc_on_join(struct irc *irc, const struct irc_msg *m)
{
	const char	*chan = m->nparams > 0 ? m->params[0] : NULL;

	if (chan == NULL || m->nick == NULL)
		return;
	if (irc_from_me(irc, m)) {
		irc_list_add(&irc->joined, &irc->njoined, chan);
		log_info("irc", "joined %s", chan);
		if (m->user != NULL && m->host != NULL) {
			free(irc->userhost);
			irc->userhost = xasprintf("%s@%s", m->user, m->host);
		}
		if (irc->whox)
			irc_sendv(irc, "WHO", chan, "%tcna," IRC_WHOX_TOKEN,
			    NULL);
		return;
	}
	irc_user_join(irc, m->nick, chan);
	if (irc->cap_extended_join && m->nparams >= 2)
		irc_user_set(irc, m->nick, m->params[1]);
}

/* 353 NAMES: everyone in a channel we joined is online. */
static void
irc_on_names(struct irc *irc, const struct irc_msg *m)
{
	char	*list = xstrdup(irc_msg_last(m)), *w, *save = NULL;
	const char *chan = m->params[m->nparams - 2];

	for (w = strtok_r(list, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		w += strspn(w, "~&@%+!");
		/* userhost-in-names: nick!user@host */
		w[strcspn(w, "!")] = '\0';
		if (*w != '\0' && irc_casecmp(w, irc->nick) != 0)
			irc_user_join(irc, w, chan);
	}
	free(list);
}

/* Handle the line's command. */
static void
irc_dispatch(struct irc *irc, const struct irc_msg *m)
{
	const char	*cmd = m->command;

	if (strcmp(cmd, "PING") == 0) {
		irc_send_now(irc, 0, "PONG", m->nparams > 0 ? m->params[0] :
		    "", NULL);
	} else if (strcmp(cmd, "CAP") == 0 && m->nparams >= 3) {
		const char *sub = m->params[1];

		if (strcmp(sub, "LS") == 0) {
			int more = m->nparams >= 4 &&
			    strcmp(m->params[2], "*") == 0;

			if (irc->ls.len > 0)
				buf_addc(&irc->ls, ' ');
			buf_addstr(&irc->ls, irc_msg_last(m));
			if (!more && irc->state == IRC_REGISTERING &&
			    !irc->cap_done)
				irc_cap_request(irc);
		} else if (strcmp(sub, "ACK") == 0)
			irc_cap_ack(irc, irc_msg_last(m));
		else if (strcmp(sub, "NAK") == 0) {
			log_warn("irc", "server refused capabilities: %s",
			    irc_msg_last(m));
			if (irc->cfg->irc.sasl.mech != CFG_SASL_NONE &&
			    !irc->cap_done)
				irc_sasl_failed(irc, "capability refused");
			else
				irc_cap_end(irc);
		}
	} else if (strcmp(cmd, "AUTHENTICATE") == 0) {
		if (irc->sasl_active && m->nparams > 0 &&
		    strcmp(m->params[0], "+") == 0)
			irc_sasl_payload(irc);
	} else if (strcmp(cmd, "900") == 0) {
		log_info("irc", "logged in to services as %s",
		    m->nparams >= 3 ? m->params[2] : "?");
	} else if (strcmp(cmd, "903") == 0) {
		irc->sasl_active = 0;
		irc->sasl_ok = 1;
		log_info("irc", "SASL authentication succeeded");
		irc_cap_end(irc);
	} else if (strcmp(cmd, "902") == 0 || strcmp(cmd, "904") == 0 ||
	    strcmp(cmd, "905") == 0 || strcmp(cmd, "906") == 0 ||
	    strcmp(cmd, "907") == 0) {
		if (irc->state == IRC_REGISTERING && !irc->cap_done)
			irc_sasl_failed(irc, irc_msg_last(m));
	} else if (strcmp(cmd, "908") == 0 && m->nparams >= 2) {
		free(irc->sasl_mechs);
		irc->sasl_mechs = xstrdup(m->params[1]);
	} else if (strcmp(cmd, "001") == 0) {
		irc_welcome(irc, m);
	} else if (strcmp(cmd, "005") == 0) {
		irc_isupport(irc, m);
	} else if (strcmp(cmd, "433") == 0 || strcmp(cmd, "432") == 0 ||
	    strcmp(cmd, "436") == 0 || strcmp(cmd, "437") == 0) {
		if (irc->state == IRC_REGISTERING)
			irc_next_nick(irc);
		else
			irc_watch_nick(irc);
	} else if (strcmp(cmd, "731") == 0) {		/* MONOFFLINE */
		irc_regain(irc);
	} else if (strcmp(cmd, "303") == 0) {		/* ISON */
		if (strlen(irc_msg_last(m)) == 0)
			irc_regain(irc);
	} else if (strcmp(cmd, "354") == 0 && m->nparams >= 5 &&
	    strcmp(m->params[1], IRC_WHOX_TOKEN) == 0) {
		/* WHO #chan %tcna: token, channel, nick, account ("0") */
		if (irc_casecmp(m->params[3], irc->nick) != 0) {
			irc_user_join(irc, m->params[3], m->params[2]);
			irc_user_set(irc, m->params[3], m->params[4]);
		}
	} else if (strcmp(cmd, "JOIN") == 0) {
		irc_on_join(irc, m);
	} else if (strcmp(cmd, "ACCOUNT") == 0 && m->nick != NULL &&
	    m->nparams > 0) {
		if (irc_user_find(irc, m->nick) != NULL)
			irc_user_set(irc, m->nick, m->params[0]);
	} else if (strcmp(cmd, "NICK") == 0 && m->nick != NULL &&
	    m->nparams > 0) {
		const char *to = m->params[0];

		if (irc_from_me(irc, m)) {
			log_info("irc", "now known as %s", to);
			free(irc->nick);
			irc->nick = xstrdup(to);
			if (irc_casecmp(to, irc->cfg->irc.nick) == 0 &&
			    irc->monitoring) {
				irc_send_now(irc, 0, "MONITOR", "-", to, NULL);
				irc->monitoring = 0;
			}
		} else {
			irc_user_rename(irc, m->nick, to);
			if (irc_casecmp(m->nick, irc->cfg->irc.nick) == 0)
				irc_regain(irc);
		}
	} else if (strcmp(cmd, "QUIT") == 0 && m->nick != NULL) {
		irc_user_del(irc, m->nick);
		if (irc_casecmp(m->nick, irc->cfg->irc.nick) == 0)
			irc_regain(irc);
	} else if (strcmp(cmd, "366") == 0 && m->nparams >= 2) {
		if (irc->h.joined != NULL && irc_in_channel(irc, m->params[1]))
			irc->h.joined(irc, m->params[1], irc->h.arg);
	} else if (strcmp(cmd, "353") == 0 && m->nparams >= 3) {
		irc_on_names(irc, m);
	} else if (strcmp(cmd, "PART") == 0 && m->nparams > 0) {
		if (irc_from_me(irc, m)) {
			irc_list_del(irc->joined, &irc->njoined, m->params[0]);
			irc_user_part_all(irc, m->params[0]);
		} else if (m->nick != NULL)
			irc_user_part(irc, m->nick, m->params[0]);
	} else if (strcmp(cmd, "KICK") == 0 && m->nparams >= 2) {
		if (irc_casecmp(m->params[1], irc->nick) != 0)
			irc_user_part(irc, m->params[1], m->params[0]);
		else {
			log_warn("irc", "kicked from %s by %s: %s",
			    m->params[0], m->nick ? m->nick : "?",
			    irc_msg_last(m));
			irc_list_del(irc->joined, &irc->njoined, m->params[0]);
			irc_user_part_all(irc, m->params[0]);
			irc_list_add(&irc->kicked, &irc->nkicked, m->params[0]);
			if (irc->t_rejoin == 0)
				irc->t_rejoin = loop_timer_add(irc->loop,
				    irc, IRC_REJOIN_MS, irc_rejoin_timer, irc);
		}
	} else if (strcmp(cmd, "ERROR") == 0) {
		log_warn("irc", "server error: %s", irc_msg_last(m));
	} else if (strcmp(cmd, "471") == 0 || strcmp(cmd, "473") == 0 ||
	    strcmp(cmd, "474") == 0 || strcmp(cmd, "475") == 0 ||
	    strcmp(cmd, "403") == 0 || strcmp(cmd, "405") == 0) {
		log_warn("irc", "cannot join %s: %s",
		    m->nparams >= 2 ? m->params[1] : "?", irc_msg_last(m));
	} else if ((strcmp(cmd, "PRIVMSG") == 0 ||
	    strcmp(cmd, "NOTICE") == 0) && m->nick != NULL &&
	    m->user != NULL && m->nparams >= 2 && !irc_from_me(irc, m) &&
	    irc->state == IRC_REGISTERED) {
		const char		*account;
		struct irc_user		*u;

		u = irc_user_find(irc, m->nick);
		if (irc->cap_account_tag) {
			/* The tag is the truth; only users sharing a channel
			 * are tracked (a stranger's message adds nothing). */
			account = irc_msg_tag(m, "account");
			if (u != NULL)
				irc_user_set(irc, m->nick, account);
		} else
			account = u != NULL ? u->account : NULL;
		if (irc->h.message != NULL)
			irc->h.message(irc, m, account, irc->h.arg);
	}
}

/* Parse and handle one received line. */
static void
irc_handle_line(struct irc *irc, char *line, size_t len)
{
	struct irc_msg	m;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len == 0)
		return;
	if (log_get_level() >= LOG_DEBUG) {
		if (strncmp(line, "AUTHENTICATE ", 13) == 0 &&
		    strcmp(line, "AUTHENTICATE +") != 0)
			log_debug("irc", "<< AUTHENTICATE <redacted>");
		else
			log_debug("irc", "<< %s", line);
	}
	if (irc_parse(&m, line, len) != 0) {
		log_debug("irc", "dropping a malformed line");
		return;
	}
	irc_dispatch(irc, &m);
	irc_msg_clear(&m);
}

/* ------------------------------------------------------------------ */
/* Public                                                             */

/* Create the connection object (not connected yet). */
struct irc *
irc_new(struct loop *loop, struct store *store, const struct config *cfg,
    const struct irc_handlers *h)
{
	struct irc	*irc = xcalloc(1, sizeof *irc);

	irc->loop = loop;
	irc->store = store;
	irc->cfg = cfg;
	if (h != NULL)
		irc->h = *h;
	irc->fd = -1;
	irc->nick = xstrdup(cfg->irc.nick);
	buf_init(&irc->in);
	buf_init(&irc->out);
	buf_init(&irc->ls);
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
	if (irc->t_reconnect != 0)
		loop_timer_del(irc->loop, irc->t_reconnect);
	if (irc->t_ping != 0)
		loop_timer_del(irc->loop, irc->t_ping);
	irc_queue_clear(irc);
	free(irc->queue);
	free(irc->users);
	free(irc->joined);
	free(irc->kicked);
	if (irc->ssl_ctx != NULL)
		SSL_CTX_free(irc->ssl_ctx);
	buf_free(&irc->in);
	buf_free(&irc->out);
	buf_free(&irc->ls);
	free(irc->host);
	free(irc->nick);
	free(irc);
}

/* Start connecting. */
void
irc_start(struct irc *irc)
{
	if (irc->t_ping == 0)
		irc->t_ping = loop_timer_add(irc->loop, irc, 1000,
		    irc_ping_timer, irc);
	irc_connect(irc);
}

/* Take a new configuration: join/part channels, flood settings. */
void
irc_reconfigure(struct irc *irc, const struct config *cfg)
{
	const struct config	*old = irc->cfg;
	size_t			 i;
	int			 reconnect;

	irc->cfg = cfg;
	reconnect = strcmp(old->irc.server, cfg->irc.server) != 0 ||
	    old->irc.port != cfg->irc.port || old->irc.tls != cfg->irc.tls;
	if (reconnect) {
		log_info("irc", "server changed: reconnecting");
		if (irc->fd >= 0)
			irc_send_now(irc, 0, "QUIT", "reconnecting", NULL);
		irc_do_write(irc);
		irc->attempts = 0;
		irc->registered_at = 0;
		irc_teardown(irc);
		irc_schedule_reconnect(irc, 0);
		return;
	}
	flood_init(&irc->flood, cfg->irc.flood_burst,
	    cfg->irc.flood_interval_ms, util_mono_ms());
	if (irc->state != IRC_REGISTERED)
		return;
	for (i = 0; i < cfg->irc.nchannels; i++) {
		if (irc_list_find(irc->joined, irc->njoined,
		    cfg->irc.channels[i]) < 0)
			irc_sendv(irc, "JOIN", cfg->irc.channels[i], NULL);
	}
	for (i = 0; i < irc->njoined; i++) {
		if (!irc_configured(irc, irc->joined[i]))
			irc_sendv(irc, "PART", irc->joined[i],
			    "no longer configured", NULL);
	}
	if (irc_casecmp(irc->nick, cfg->irc.nick) != 0)
		irc_regain(irc);
}

/* Send QUIT and flush it for at most timeout_ms; then close. */
void
irc_quit(struct irc *irc, const char *reason, int timeout_ms)
{
	uint64_t	deadline = util_mono_ms() + (uint64_t)timeout_ms;

	if (irc->fd >= 0 && (irc->state == IRC_REGISTERED ||
	    irc->state == IRC_REGISTERING)) {
		irc_send_now(irc, 0, "QUIT", reason, NULL);
		/* Shutdown only: a bounded wait for the QUIT to leave. */
		while (irc->fd >= 0 && irc->out.len > 0 &&
		    util_mono_ms() < deadline) {
			struct pollfd	pfd = { irc->fd, POLLOUT, 0 };

			if (poll(&pfd, 1, 50) > 0)
				irc_do_write(irc);
		}
	}
	irc->state = IRC_STOPPED;
	irc_teardown(irc);
	if (irc->t_reconnect != 0) {
		loop_timer_del(irc->loop, irc->t_reconnect);
		irc->t_reconnect = 0;
	}
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
			    irc_casecmp(u->account, person) == 0)
				return u->nick;
		} else if (irc_casecmp(u->nick, person) == 0)
			return u->nick;
	}
	return NULL;
}

/* Registered and in chan? */
int
irc_in_channel(struct irc *irc, const char *chan)
{
	return irc->state == IRC_REGISTERED &&
	    irc_list_find(irc->joined, irc->njoined, chan) >= 0;
}
