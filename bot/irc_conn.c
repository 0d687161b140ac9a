/*
 * irc_conn.c — the connection of the irc module. It owns the socket, the
 * TLS session (through irc_tls), the receive buffer, the send queue and
 * the attempt: lookup, connect, keepalive, timeouts and reconnecting.
 * It never blocks: DNS is asynchronous (getaddrinfo_a, whose
 * completion wakes the loop through an eventfd), connect is
 * non-blocking, TLS runs in non-blocking mode. Every outgoing line is
 * made by irc_build() (which removes CR, LF and NUL) and, once
 * registered, paced by the token bucket, protocol lines and
 * announcements ahead of replies.
 *
 * It reads no IRC beyond line framing: each line goes up through
 * irc->up, and so do the opening of a connection and its end. Secrets
 * (server PASS, SASL payloads) are never logged; the debug log shows
 * "<redacted>" in their place.
 */
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "irc_conn.h"
#include "irc_tls.h"
#include "log.h"
#include "loop.h"

/*
 * One asynchronous lookup. Its completion runs irc_resolve_notify() on
 * a resolver thread, which wakes the loop through efd. It is on the
 * heap so that a lookup that cannot be cancelled can outlive its
 * attempt (and irc_free): whichever of the loop and the notification
 * comes second frees it, decided by one atomic exchange of state.
 */
enum irc_res_state {
	IRC_RES_RUNNING = 0,	/* neither side is done with it */
	IRC_RES_NOTIFIED,	/* the notification has finished with it */
	IRC_RES_RELEASED	/* the loop has finished with it */
};

struct irc_resolve {
	struct gaicb	 cb;		/* first: glibc's list points here */
	struct addrinfo	 hints;
	char		*host;
	char		 port[8];
	int		 efd;		/* eventfd: the lookup is over */
	atomic_int	 state;		/* enum irc_res_state */
};

static void	irc_connect_next(struct irc *);
static void	irc_update_events(struct irc *);
static void	irc_resolve(struct irc *);
static int	irc_may_send(struct irc *);

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

/* Tell the owners of announcements in the list whether they went out. */
static void
irc_sent_fire(struct irc_sent *list, int ok)
{
	while (list != NULL) {
		struct irc_sent	*next = list->next;

		list->sent(list->arg, ok);
		free(list);
		list = next;
	}
}

/* Detach the announcements written so far, oldest first. */
static struct irc_sent *
irc_sent_take(struct irc *irc)
{
	struct irc_sent	*done = NULL, **tail = &done;

	while (irc->pending != NULL && irc->pending->end <= irc->out_done) {
		*tail = irc->pending;
		irc->pending = irc->pending->next;
		tail = &(*tail)->next;
	}
	*tail = NULL;
	return done;
}

/*
 * Append a built line to the output buffer, bypassing the queue, and try
 * to write it at once (a reply should not wait for the next poll). With
 * no connection the line is dropped: it must never reach the next one.
 */
static void
irc_write_line(struct irc *irc, const char *line, int secret,
    void (*sent)(void *, int), void *arg)
{
	struct irc_sent	*p, **tail;

	if (irc->fd < 0 || irc->state < IRC_REGISTERING) {
		if (sent != NULL)
			sent(arg, 0);
		return;
	}
	irc_log_out(line, secret);
	buf_addstr(&irc->out, line);
	irc->out_total += strlen(line);
	if (sent != NULL) {
		p = xcalloc(1, sizeof *p);
		p->end = irc->out_total;
		p->sent = sent;
		p->arg = arg;
		tail = &irc->pending;
		while (*tail != NULL)
			tail = &(*tail)->next;
		*tail = p;
	}
	irc_do_write(irc);
}

/* Collect NULL-terminated variadic parameters; returns their number. */
static size_t
irc_params(const char **params, va_list ap)
{
	size_t	n = 0;

	while (n < IRC_MAX_PARAMS) {
		const char *p = va_arg(ap, const char *);

		if (p == NULL)
			break;
		params[n++] = p;
	}
	return n;
}

/* Build and write a line at once (registration, PONG, QUIT). */
int
irc_send_now(struct irc *irc, int secret, const char *cmd, ...)
{
	const char	*params[IRC_MAX_PARAMS];
	size_t		 n;
	va_list		 ap;
	char		*line;

	va_start(ap, cmd);
	n = irc_params(params, ap);
	va_end(ap);
	line = irc_build(cmd, params, n);
	if (line == NULL) {
		log_warn("irc", "cannot build %s line", cmd);
		return -1;
	}
	irc_write_line(irc, line, secret, NULL, NULL);
	free(line);
	return 0;
}

/* Append a line to a lane. */
static void
irc_lane_push(struct irc_lane *q, struct irc_line *l)
{
	if (q->tail != NULL)
		q->tail->next = l;
	else
		q->head = l;
	q->tail = l;
	q->n++;
}

/* Take the first line of a lane, or NULL. */
static struct irc_line *
irc_lane_pop(struct irc_lane *q)
{
	struct irc_line	*l = q->head;

	if (l == NULL)
		return NULL;
	q->head = l->next;
	if (q->head == NULL)
		q->tail = NULL;
	l->next = NULL;
	q->n--;
	return l;
}

/* Take the last line of a lane (a reply evicted), or NULL. */
static struct irc_line *
irc_lane_pop_tail(struct irc_lane *q)
{
	struct irc_line	*l = q->head, *prev = NULL;

	if (l == NULL)
		return NULL;
	while (l->next != NULL) {
		prev = l;
		l = l->next;
	}
	if (prev != NULL)
		prev->next = NULL;
	else
		q->head = NULL;
	q->tail = prev;
	q->n--;
	return l;
}

/* The queue of asker's replies, or NULL if none wait. */
static struct irc_asker *
irc_asker_find(struct irc *irc, const char *asker)
{
	struct irc_asker	*a;

	for (a = irc->askers; a != NULL; a = a->next) {
		if (irc_casecmp_map(irc->casemap, a->nick,
		    asker != NULL ? asker : "") == 0)
			return a;
	}
	return NULL;
}

/* The queue of asker's replies, made (last in turn) if needed. */
static struct irc_asker *
irc_asker_get(struct irc *irc, const char *asker)
{
	struct irc_asker	*a = irc_asker_find(irc, asker);

	if (a != NULL)
		return a;
	if (asker == NULL)
		asker = "";
	a = xcalloc(1, sizeof *a);
	a->nick = xstrdup(asker);
	if (irc->askers_tail != NULL)
		irc->askers_tail->next = a;
	else
		irc->askers = a;
	irc->askers_tail = a;
	return a;
}

/* Queue a built line (taken over) in a lane; replies by asker. */
static void
irc_conn_queue(struct irc *irc, enum irc_lane_id lane, const char *asker,
    char *line, void (*sent)(void *, int), void *arg)
{
	struct irc_line	*l;

	if (line == NULL)
		return;
	l = xcalloc(1, sizeof *l);
	l->line = line;
	l->sent = sent;
	l->arg = arg;
	if (lane == IRC_LANE_HIGH)
		irc_lane_push(&irc->high, l);
	else
		irc_lane_push(&irc_asker_get(irc, asker)->lane, l);
	irc->qlen++;
}

/*
 * Tell asker, once until the replies drain, that some of the answer was
 * dropped: one NOTICE past the bound, for at most IRC_TOLD_MAX askers.
 */
static void
irc_tell_dropped(struct irc *irc, const char *asker)
{
	const char	*params[2];
	size_t		 i;

	if (asker == NULL || *asker == '\0')
		return;
	for (i = 0; i < irc->ntold; i++) {
		if (irc_casecmp_map(irc->casemap, irc->told[i], asker) == 0)
			return;
	}
	/* Many askers at once: the notices must not undo the bound. */
	if (irc->ntold >= IRC_TOLD_MAX)
		return;
	irc->told = xreallocarray(irc->told, irc->ntold + 1,
	    sizeof *irc->told);
	irc->told[irc->ntold++] = xstrdup(asker);
	params[0] = asker;
	params[1] = "too much output waiting: the rest of this answer was "
	    "dropped; ask again later";
	irc_conn_queue(irc, IRC_LANE_REPLY, asker,
	    irc_build("NOTICE", params, 2), NULL, NULL);
}

/*
 * The queue is full and asker has a reply line: make room by dropping
 * the last line of whoever has by far the most waiting, or else drop
 * asker's own. 1 if room was made. Either way the log says so once
 * per overflow and the one who lost a line is told.
 */
static int
irc_make_room(struct irc *irc, const char *asker)
{
	struct irc_asker	*a, *hog = NULL, *mine;
	struct irc_line		*l;
	size_t			 mine_n;

	if (!irc->dropping)
		log_warn("irc", "send queue full (%zu lines): dropping reply "
		    "lines", irc->queue_max);
	irc->dropping = 1;
	mine = irc_asker_find(irc, asker);
	mine_n = mine != NULL ? mine->lane.n : 0;
	for (a = irc->askers; a != NULL; a = a->next) {
		if (hog == NULL || a->lane.n > hog->lane.n)
			hog = a;
	}
	if (hog == NULL || hog == mine || hog->lane.n <= mine_n + 1) {
		irc_tell_dropped(irc, asker);
		return 0;
	}
	l = irc_lane_pop_tail(&hog->lane);
	irc->qlen--;
	free(l->line);
	free(l);
	irc_tell_dropped(irc, hog->nick);
	return 1;
}

/* Queue a line through the flood bucket. */
int
irc_conn_send(struct irc *irc, enum irc_lane_id lane, const char *cmd,
    const char *const *params, size_t nparams, const char *asker,
    void (*sent)(void *, int), void *arg)
{
	char	*line = irc_build(cmd, params, nparams);

	if (line == NULL) {
		log_warn("irc", "cannot build %s line", cmd);
		if (sent != NULL)
			sent(arg, 0);
		return -1;
	}
	if (irc->qlen == 0 && irc_may_send(irc)) {
		/* Nothing waits and the bucket allows it: straight out. */
		irc_write_line(irc, line, 0, sent, arg);
		free(line);
		return 0;
	}
	if (lane == IRC_LANE_REPLY && irc->qlen >= irc->queue_max &&
	    !irc_make_room(irc, asker)) {
		free(line);
		irc_flush_queue(irc);
		return -1;
	}
	irc_conn_queue(irc, lane, asker, line, sent, arg);
	irc_flush_queue(irc);
	return 0;
}

/* Queue a command with variadic parameters (NULL-terminated). */
void
irc_sendv(struct irc *irc, const char *cmd, ...)
{
	const char	*params[IRC_MAX_PARAMS];
	size_t		 n;
	va_list		 ap;

	va_start(ap, cmd);
	n = irc_params(params, ap);
	va_end(ap);
	irc_conn_send(irc, IRC_LANE_HIGH, cmd, params, n, NULL, NULL, NULL);
}

/*
 * Take the next line to send: the high lane first, then the first
 * asker's next reply, that asker going to the back of the turn.
 */
static struct irc_line *
irc_queue_pop(struct irc *irc)
{
	struct irc_asker	*a = irc->askers;
	struct irc_line		*l = irc_lane_pop(&irc->high);

	if (l == NULL && a != NULL) {
		l = irc_lane_pop(&a->lane);
		irc->askers = a->next;
		if (irc->askers == NULL)
			irc->askers_tail = NULL;
		a->next = NULL;
		if (a->lane.n > 0) {
			if (irc->askers_tail != NULL)
				irc->askers_tail->next = a;
			else
				irc->askers = a;
			irc->askers_tail = a;
		} else {
			free(a->nick);
			free(a);
		}
	}
	if (l != NULL)
		irc->qlen--;
	return l;
}

/* The replies have drained: a later overflow is news again. */
static void
irc_queue_drained(struct irc *irc)
{
	size_t	i;

	for (i = 0; i < irc->ntold; i++)
		free(irc->told[i]);
	irc->ntold = 0;
	irc->dropping = 0;
}

/* Drop every queued line. */
void
irc_queue_clear(struct irc *irc)
{
	struct irc_line	*l;

	while ((l = irc_queue_pop(irc)) != NULL) {
		if (l->sent != NULL)
			l->sent(l->arg, 0);
		free(l->line);
		free(l);
	}
	irc_queue_drained(irc);
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

/* Refill the bucket from the configuration; a pending wait is over. */
void
irc_conn_flood(struct irc *irc)
{
	flood_init(&irc->flood, irc->cfg->irc.flood_burst,
	    irc->cfg->irc.flood_interval_ms, util_mono_ms());
	if (irc->t_flood != 0)
		loop_timer_del(irc->loop, irc->t_flood);
	irc->t_flood = 0;
}

/* 1 if a line may go now; else 0, and the flood timer runs if the
 * bucket is what holds it back. */
static int
irc_may_send(struct irc *irc)
{
	long long	 wait;

	if (irc->state != IRC_REGISTERED || irc->t_flood != 0)
		return 0;
	wait = flood_take(&irc->flood, util_mono_ms());
	if (wait > 0)
		irc->t_flood = loop_timer_add(irc->loop, irc, wait,
		    irc_flood_timer, irc);
	return wait <= 0;
}

/* Move queued lines to the output buffer as the bucket allows. */
void
irc_flush_queue(struct irc *irc)
{
	struct irc_line	*l;

	if (irc->state != IRC_REGISTERED || irc->t_flood != 0)
		return;
	while (irc->qlen > 0 && irc_may_send(irc)) {
		l = irc_queue_pop(irc);
		irc_write_line(irc, l->line, 0, l->sent, l->arg);
		free(l->line);
		free(l);
	}
	if (irc->askers == NULL)
		irc_queue_drained(irc);
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
irc_conn_split(struct irc *irc, const char *cmd, const char *target,
    const char *text, char ***lines)
{
	char		*clean = NULL, *c;
	const char	*p = text;
	size_t		 len = strlen(text), n = 0, k;
	size_t		 room = irc_room(irc, cmd, target);
	char		**out = NULL;

	/* Text from outside may be any bytes; the wire gets one line of
	 * UTF-8. Most text is that already and is not copied. */
	if (text[strcspn(text, "\r\n")] != '\0' ||
	    !util_utf8_valid(text, len)) {
		clean = irc_utf8_repair(text);
		for (c = clean; (c = strpbrk(c, "\r\n")) != NULL; c++)
			*c = ' ';
		p = clean;
		len = strlen(p);
	}
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

/* ------------------------------------------------------------------ */
/* Socket                                                             */

/* Close the socket and TLS session; unwritten announcements are lost. */
static void
irc_close(struct irc *irc)
{
	struct irc_sent	*pending;

	irc_tls_free(irc->tls_conn);
	irc->tls_conn = NULL;
	if (irc->fd >= 0) {
		loop_fd_del(irc->loop, irc->fd);
		close(irc->fd);
		irc->fd = -1;
	}
	buf_reset(&irc->in);
	buf_reset(&irc->out);
	irc->discarding = 0;
	irc->out_total = irc->out_done = 0;
	pending = irc->pending;
	irc->pending = NULL;
	irc_sent_fire(pending, 0);
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
	if (irc->state == IRC_HANDSHAKE && irc->tls_conn != NULL &&
	    irc_tls_want_write(irc->tls_conn))
		ev |= LOOP_WRITE;
	loop_fd_events(irc->loop, irc->fd, ev);
}

/* Write as much of the output buffer as the socket takes. */
void
irc_do_write(struct irc *irc)
{
	char	*cause = NULL;

	while (irc->out.len > 0) {
		ssize_t	n;

		if (irc->tls_conn != NULL)
			n = irc_tls_write(irc->tls_conn, irc->out.data,
			    irc->out.len, &cause);
		else {
			n = write(irc->fd, irc->out.data, irc->out.len);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				n = 0;
			else if (n < 0)
				cause = xstrdup(strerror(errno));
		}
		if (n == 0)
			break;
		if (n < 0) {
			irc_fail(irc, cause);
			free(cause);
			return;
		}
		buf_consume(&irc->out, (size_t)n);
		irc->out_done += (uint64_t)n;
	}
	irc_update_events(irc);
	irc_sent_fire(irc_sent_take(irc), 1);
}

/*
 * Parse one received line (len bytes before its LF, which may end in CR)
 * into m, a copy of its own: 0, or -1 when there is nothing to hand up.
 */
static int
irc_read_line(const char *line, size_t len, struct irc_msg *m)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return -1;
	if (log_get_level() >= LOG_DEBUG) {
		if (len >= 13 && strncmp(line, "AUTHENTICATE ", 13) == 0 &&
		    !(len == 14 && line[13] == '+'))
			log_debug("irc", "<< AUTHENTICATE <redacted>");
		else
			log_debug("irc", "<< %.*s", (int)len, line);
	}
	if (irc_parse(m, line, len) != 0) {
		log_debug("irc", "dropping a malformed line");
		return -1;
	}
	return 0;
}

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
					log_warn("irc", "dropping an "
					    "over-long line from the server");
				irc->discarding = 1;
				buf_reset(&irc->in);
			}
			return;
		}
		len = (size_t)(nl - irc->in.data);
		if (irc->discarding)
			irc->discarding = 0;
		else if (len > IRC_RECV_MAX)
			log_warn("irc", "dropping an over-long line");
		else if (memchr(irc->in.data, '\0', len) != NULL)
			log_warn("irc", "dropping a line with a NUL byte");
		else {
			struct irc_msg	 m;
			int		 ok;

			ok = irc_read_line(irc->in.data, len, &m) == 0;
			buf_consume(&irc->in, len + 1);
			if (ok) {
				irc->up->line(irc, &m);
				irc_msg_clear(&m);
			}
			continue;
		}
		buf_consume(&irc->in, len + 1);
	}
}

/*
 * Read what the socket has. A plain socket that filled less than the
 * buffer is drained, and poll() is level-triggered: asking again would
 * only cost a read() that says EAGAIN. TLS may hold decrypted bytes
 * the socket no longer shows, so it is read until it has none.
 */
static void
irc_do_read(struct irc *irc)
{
	char	 buf[16384], *cause = NULL;

	for (;;) {
		ssize_t	n;

		if (irc->tls_conn != NULL)
			n = irc_tls_read(irc->tls_conn, buf, sizeof buf,
			    &cause);
		else {
			n = read(irc->fd, buf, sizeof buf);
			if (n == 0) {
				cause = xstrdup("connection closed by server");
				n = -1;
			} else if (n < 0 && (errno == EAGAIN ||
			    errno == EINTR))
				n = 0;
			else if (n < 0)
				cause = xstrdup(strerror(errno));
		}
		if (n == 0)
			break;
		if (n < 0) {
			irc_fail(irc, cause);
			free(cause);
			return;
		}
		irc->last_rx = util_mono_ms();
		irc->ping_sent = 0;
		buf_add(&irc->in, buf, (size_t)n);
		irc_process_input(irc);
		if (irc->fd < 0 || (irc->tls_conn == NULL &&
		    (size_t)n < sizeof buf))
			return;
	}
}

/* The connection is open (and TLS set up): start registering. */
static void
irc_opened(struct irc *irc)
{
	irc->up->open(irc);
	irc_update_events(irc);
}

/* Advance the TLS handshake. */
static void
irc_do_handshake(struct irc *irc)
{
	char	*cause = NULL;

	switch (irc_tls_handshake(irc->tls_conn, &irc->cfg->irc, &cause)) {
	case 1:
		irc_opened(irc);
		break;
	case 0:
		irc_update_events(irc);
		break;
	default:
		irc_fail(irc, cause);
		free(cause);
		break;
	}
}

/* The non-blocking connect finished, or failed. */
static void
irc_connected(struct irc *irc, int fd)
{
	int		soerr = 0;
	socklen_t	slen = sizeof soerr;

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
	if (!irc->tls) {
		irc_opened(irc);
		return;
	}
	irc->state = IRC_HANDSHAKE;
	irc->tls_conn = irc_tls_new(&irc->cfg->irc, irc->fd, irc->host);
	if (irc->tls_conn == NULL) {
		irc_fail(irc, "TLS set-up failed");
		return;
	}
	irc_do_handshake(irc);
}

/* Socket events. */
static void
irc_fd_cb(struct loop *loop, int fd, int events, void *arg)
{
	struct irc	*irc = arg;

	switch (irc->state) {
	case IRC_CONNECTING:
		irc_connected(irc, fd);
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

/* Free a finished or cancelled lookup (from either thread). */
static void
irc_resolve_free(struct irc_resolve *r)
{
	if (r->cb.ar_result != NULL)
		freeaddrinfo(r->cb.ar_result);
	if (r->efd >= 0)
		close(r->efd);
	free(r->host);
	free(r);
}

/*
 * The lookup is over (resolver thread): wake the loop, then hand r
 * over. After the exchange r is not touched unless the loop had let
 * it go, in which case it is ours to free.
 */
static void
irc_resolve_notify(union sigval sv)
{
	struct irc_resolve	*r = sv.sival_ptr;
	uint64_t		 one = 1;

	if (write(r->efd, &one, sizeof one) < 0) {
		/* An eventfd write fails only on overflow: awake anyway. */
	}
	if (atomic_exchange(&r->state, IRC_RES_NOTIFIED) == IRC_RES_RELEASED)
		irc_resolve_free(r);
}

/* The loop is done with r: free it, or leave that to the notification. */
static void
irc_resolve_release(struct irc *irc, struct irc_resolve *r)
{
	loop_fd_del(irc->loop, r->efd);
	irc->res = NULL;
	if (atomic_exchange(&r->state, IRC_RES_RELEASED) == IRC_RES_RUNNING)
		return;		/* the notification will free it */
	irc_resolve_free(r);
}

/* The lookup's eventfd: it is over. */
static void
irc_resolve_cb(struct loop *loop, int fd, int events, void *arg)
{
	struct irc		*irc = arg;
	struct irc_resolve	*r = irc->res;
	struct addrinfo		*ai;
	uint64_t		 n;
	int			 e = gai_error(&r->cb);

	if (read(fd, &n, sizeof n) < 0 || e == EAI_INPROGRESS)
		return;
	ai = r->cb.ar_result;
	r->cb.ar_result = NULL;
	irc_resolve_release(irc, r);
	if (e != 0) {
		log_warn("irc", "cannot resolve %s: %s", irc->host,
		    gai_strerror(e));
		irc_fail(irc, "name lookup failed");
		return;
	}
	irc_resolved(irc, ai);
}

/* Start an asynchronous lookup of host:port; -1 if it cannot start. */
static int
irc_resolve_start(struct irc *irc, const char *port)
{
	struct irc_resolve	*r = xcalloc(1, sizeof *r);
	struct gaicb		*list[1];
	struct sigevent		 sev;

	r->host = xstrdup(irc->host);
	strlcpy_ob(r->port, port, sizeof r->port);
	r->hints.ai_family = AF_UNSPEC;
	r->hints.ai_socktype = SOCK_STREAM;
	r->hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	r->cb.ar_name = r->host;
	r->cb.ar_service = r->port;
	r->cb.ar_request = &r->hints;
	atomic_init(&r->state, IRC_RES_RUNNING);
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = irc_resolve_notify;
	sev.sigev_value.sival_ptr = r;
	list[0] = &r->cb;
	if (r->efd < 0 || getaddrinfo_a(GAI_NOWAIT, list, 1, &sev) != 0) {
		irc_resolve_free(r);
		return -1;
	}
	irc->res = r;
	loop_fd_set(irc->loop, irc, r->efd, LOOP_READ, irc_resolve_cb, irc);
	return 0;
}

/* Look up the server; numeric addresses at once, names asynchronously. */
static void
irc_resolve(struct irc *irc)
{
	struct addrinfo		 hints, *ai = NULL;
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
	if (irc_resolve_start(irc, port) != 0)
		irc_fail(irc, "cannot start a name lookup");
}

/*
 * Cancel a lookup in flight. A lookup not yet started is cancelled and
 * never notified: free it. One that runs (or has just finished) cannot
 * be: its notification frees it when it comes, so no attempt leaks.
 */
static void
irc_resolve_cancel(struct irc *irc)
{
	struct irc_resolve	*r = irc->res;

	if (r == NULL)
		return;
	if (gai_cancel(&r->cb) == EAI_CANCELED) {
		loop_fd_del(irc->loop, r->efd);
		irc->res = NULL;
		irc_resolve_free(r);
		return;
	}
	irc_resolve_release(irc, r);
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

/* Start the keepalive timer unless it runs. */
void
irc_conn_keepalive(struct irc *irc)
{
	if (irc->t_ping == 0)
		irc->t_ping = loop_timer_add(irc->loop, irc, 1000,
		    irc_ping_timer, irc);
}

/* Begin an attempt to host:port: arm the timeout and look it up. */
static void
irc_attempt(struct irc *irc)
{
	irc->started = util_mono_ms();
	if (irc->t_timeout != 0)
		loop_timer_del(irc->loop, irc->t_timeout);
	irc->t_timeout = loop_timer_add(irc->loop, irc, IRC_REGISTER_TIMEOUT,
	    irc_timeout_timer, irc);
	irc_resolve(irc);
}

/* Start one connection attempt. */
void
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
	if (!irc->tls && irc->sts_get != NULL &&
	    irc->sts_get(irc->sts_arg, irc->host, util_now(), &sts_port,
	    &sts_exp) == 1) {
		log_info("irc", "STS policy for %s: using TLS on port %d",
		    irc->host, sts_port);
		irc->tls = 1;
		irc->port = sts_port;
	}
	irc->ping_sent = 0;
	irc->last_rx = util_mono_ms();
	log_info("irc", "connecting to %s:%d%s", irc->host, irc->port,
	    irc->tls ? " with TLS" : "");
	if (irc->tls && !c->tls_verify && c->tls_fingerprint == NULL)
		log_warn("irc", "tls_verify = false: the server's certificate "
		    "is not checked");
	irc_attempt(irc);
}

/* Reconnect at once elsewhere (STS upgrade). */
void
irc_conn_move(struct irc *irc, const char *host, int port, int tls)
{
	char	*h = xstrdup(host);

	irc_teardown(irc);
	irc->state = IRC_IDLE;
	free(irc->host);
	irc->host = h;
	irc->tls = tls;
	irc->port = port;
	irc_attempt(irc);
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
void
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
void
irc_teardown(struct irc *irc)
{
	irc_resolve_cancel(irc);
	irc_close(irc);
	irc_free_ai(irc);
	if (irc->t_timeout != 0)
		loop_timer_del(irc->loop, irc->t_timeout);
	if (irc->t_flood != 0)
		loop_timer_del(irc->loop, irc->t_flood);
	irc->t_timeout = irc->t_flood = 0;
	irc->up->reset(irc);
}

/* The connection failed or died: log once and reconnect later. */
void
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

/* Free the queue, timers and buffers (after irc_teardown). */
void
irc_conn_free(struct irc *irc)
{
	if (irc->t_reconnect != 0)
		loop_timer_del(irc->loop, irc->t_reconnect);
	if (irc->t_ping != 0)
		loop_timer_del(irc->loop, irc->t_ping);
	irc->t_reconnect = irc->t_ping = 0;
	irc_queue_clear(irc);
	free(irc->told);
	buf_free(&irc->in);
	buf_free(&irc->out);
	free(irc->host);
}

/* Send QUIT and flush it for at most timeout_ms; then close. */
void
irc_conn_quit(struct irc *irc, const char *reason, int timeout_ms)
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
