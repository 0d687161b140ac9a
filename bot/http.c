/*
 * http.c — asynchronous HTTP(S) for the whole bot: libcurl's multi
 * interface driven by the event loop. curl tells us which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION) and when to wake it (CURLMOPT_TIMERFUNCTION);
 * the loop tells curl when a socket is ready or the timer has run, and
 * after every such kick finished transfers are collected and their
 * callbacks run.
 *
 * This file owns the multi handle, every easy handle, the loop watches on
 * curl's sockets and the one loop timer curl asks for. It is the only file
 * that includes curl. It must never block, never log request headers or
 * bodies (they carry tokens), and never log a URL's query string, user
 * information or Telegram bot token (in the path). User callbacks always
 * run outside curl's own callbacks, so they may start or cancel requests,
 * and even free the whole struct http.
 *
 * Failures are logged at debug level only: whether a failed request
 * matters (an outbox job versus a health probe that is expected to fail)
 * is for the caller to decide and to log.
 *
 * Every loop watch and timer here is registered with the struct http as
 * its owner, so that tearing the client down is one loop_release. Each
 * request keeps its own owner for http_cancel_owner.
 *
 * The second half of the file classifies finished responses (done, retry
 * and when, or permanent) and words their cause for a chat line; that
 * part is pure (no curl, no loop), reads only the response it is given
 * and takes the wall clock as an argument.
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "http.h"
#include "log.h"
#include "loop.h"
#include "util.h"

#define HTTP_DEFAULT_TIMEOUT	30000L
#define HTTP_CONNECT_TIMEOUT	10000L
#define HTTP_DEFAULT_MAX_BODY	(1024 * 1024)
#define HTTP_MAX_REDIRS		5L

/* One request, from http_start until its callback has run. */
struct http_req {
	struct http		*http;
	long long		 id;
	CURL			*easy;
	struct curl_slist	*hdrs;
	char			*body;		/* ours: curl only points */
	char			*method;
	char			*log_url;	/* no userinfo or query */
	http_done_cb		*cb;
	void			*arg;
	void			*owner;
	size_t			 max_body;
	uint64_t		 start_ms;

	struct buf		 resp;
	struct http_header	*rhdrs;
	size_t			 nrhdrs;
	size_t			 rhdrs_cap;
	int			 too_large;

	CURLcode		 result;
	long			 status;
	long long		 elapsed_ms;

	struct http_req		*prev;
	struct http_req		*next;
};

/* A doubly linked list of requests. */
struct http_list {
	struct http_req		*head;
	struct http_req		*tail;
};

struct http {
	struct loop		*loop;
	CURLM			*multi;
	char			*user_agent;
	long long		 next_id;
	long long		 timer_id;	/* 0: no loop timer */

	struct http_list	 active;	/* in the multi handle */
	struct http_list	 done;		/* finished, not called back */

	int			*fds;		/* sockets watched for curl */
	size_t			 nfds;
	size_t			 fds_cap;

	int			 dispatching;	/* depth of callback runs */
	int			 freeing;	/* http_free pending */
	int			 closing;	/* in multi cleanup */
};

static void	http_destroy(struct http *);

/* Append r to the end of list l. */
static void
list_append(struct http_list *l, struct http_req *r)
{
	r->next = NULL;
	r->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = r;
	else
		l->head = r;
	l->tail = r;
}

/* Unlink r from list l. */
static void
list_remove(struct http_list *l, struct http_req *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		l->head = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	else
		l->tail = r->prev;
	r->prev = r->next = NULL;
}

/* Find a request by id in list l, or NULL. */
static struct http_req *
list_find(struct http_list *l, long long id)
{
	struct http_req	*r;

	for (r = l->head; r != NULL; r = r->next) {
		if (r->id == id)
			return r;
	}
	return NULL;
}

/* Number of requests in list l. */
static int
list_count(const struct http_list *l)
{
	const struct http_req	*r;
	int			 n = 0;

	for (r = l->head; r != NULL; r = r->next)
		n++;
	return n;
}

/* Drop the collected response headers. */
static void
req_clear_headers(struct http_req *r)
{
	size_t	i;

	for (i = 0; i < r->nrhdrs; i++) {
		free(r->rhdrs[i].name);
		free(r->rhdrs[i].value);
	}
	r->nrhdrs = 0;
}

/* Free a request that is in no list and no longer in the multi handle. */
static void
req_free(struct http_req *r)
{
	if (r->easy != NULL)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	free(r->body);
	free(r->method);
	free(r->log_url);
	buf_free(&r->resp);
	req_clear_headers(r);
	free(r->rhdrs);
	free(r);
}

/*
 * A URL fit for the log: scheme, host and path, without "user:pass@",
 * query string or fragment; log_path, when not NULL, stands for the
 * path (which may hold a secret). The caller frees it.
 */
static char *
http_log_url(const char *url, const char *log_path)
{
	const char	*p, *host, *at, *end;
	struct buf	 b;

	buf_init(&b);
	p = strstr(url, "://");
	host = p != NULL ? p + 3 : url;
	buf_add(&b, url, (size_t)(host - url));
	end = host + strcspn(host, "/?#");
	at = memrchr(host, '@', (size_t)(end - host));
	if (at != NULL)
		host = at + 1;
	buf_add(&b, host, (size_t)(end - host));
	if (log_path != NULL && *end != '\0')
		buf_addstr(&b, log_path);
	else
		buf_add(&b, end, strcspn(end, "?#"));
	return buf_steal(&b);
}

/* Copy n bytes with leading and trailing whitespace (and CR/LF) removed. */
static char *
http_trimdup(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' ||
	    *s == '\n')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

/*
 * curl's header callback: one header line per call. A status line starts
 * a new response (a redirect's target, or the answer after a "100
 * Continue"), so only the last response's headers survive.
 */
static size_t
http_header_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_req		*r = userp;
	size_t			 n = size * nmemb;
	const char		*colon;
	struct http_header	*h;
	char			*more, *joined;

	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		req_clear_headers(r);
		return n;
	}
	if (n > 0 && (data[0] == ' ' || data[0] == '\t')) {
		/* Obsolete line folding: continue the previous value. */
		if (r->nrhdrs == 0)
			return n;
		h = &r->rhdrs[r->nrhdrs - 1];
		more = http_trimdup(data, n);
		if (*more != '\0') {
			joined = xasprintf("%s%s%s", h->value,
			    *h->value != '\0' ? " " : "", more);
			free(h->value);
			h->value = joined;
		}
		free(more);
		return n;
	}
	colon = memchr(data, ':', n);
	if (colon == NULL)
		return n;	/* the blank line, or junk */
	if (r->nrhdrs == r->rhdrs_cap) {
		r->rhdrs_cap = r->rhdrs_cap ? r->rhdrs_cap * 2 : 16;
		r->rhdrs = xreallocarray(r->rhdrs, r->rhdrs_cap,
		    sizeof *r->rhdrs);
	}
	h = &r->rhdrs[r->nrhdrs++];
	h->name = http_trimdup(data, (size_t)(colon - data));
	h->value = http_trimdup(colon + 1, n - (size_t)(colon - data) - 1);
	return n;
}

/*
 * curl's write callback: append body bytes, and abort the transfer (by
 * returning less than given) once the response outgrows max_body.
 */
static size_t
http_write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_req	*r = userp;
	size_t		 n = size * nmemb;

	if (n > r->max_body || r->resp.len > r->max_body - n) {
		r->too_large = 1;
		return 0;
	}
	buf_add(&r->resp, data, n);
	return n;
}

/* Remember that fd is watched on the loop for curl. */
static void
http_fds_add(struct http *h, int fd)
{
	if (h->nfds == h->fds_cap) {
		h->fds_cap = h->fds_cap ? h->fds_cap * 2 : 8;
		h->fds = xreallocarray(h->fds, h->fds_cap, sizeof *h->fds);
	}
	h->fds[h->nfds++] = fd;
}

/* Forget fd; 0 if it was watched, -1 if not. */
static int
http_fds_del(struct http *h, int fd)
{
	size_t	i;

	for (i = 0; i < h->nfds; i++) {
		if (h->fds[i] == fd) {
			h->fds[i] = h->fds[--h->nfds];
			return 0;
		}
	}
	return -1;
}

/* 1 if fd is watched for curl. */
static int
http_fds_has(struct http *h, int fd)
{
	size_t	i;

	for (i = 0; i < h->nfds; i++) {
		if (h->fds[i] == fd)
			return 1;
	}
	return 0;
}

/*
 * Run the callbacks of finished requests. A callback may start or cancel
 * requests (a cancelled finished request is dropped from the queue) or
 * call http_free, which is then completed here once the callback returns;
 * after this function the caller must not touch h.
 */
static void
http_dispatch(struct http *h)
{
	struct http_req		*r;
	struct http_response	 resp;

	h->dispatching++;
	while (!h->freeing && (r = h->done.head) != NULL) {
		list_remove(&h->done, r);
		memset(&resp, 0, sizeof resp);
		resp.status = r->status;
		resp.elapsed_ms = r->elapsed_ms;
		resp.too_large = r->too_large;
		if (r->too_large)
			resp.error = "response too large";
		else if (r->result == CURLE_OPERATION_TIMEDOUT)
			resp.error = "timed out";
		else if (r->result != CURLE_OK)
			resp.error = curl_easy_strerror(r->result);
		if (resp.error != NULL) {
			resp.status = 0;
			log_debug("http", "%s %s failed after %lld ms: %s",
			    r->method, r->log_url, r->elapsed_ms, resp.error);
		} else {
			log_debug("http", "%s %s -> %ld in %lld ms",
			    r->method, r->log_url, r->status, r->elapsed_ms);
		}
		if (r->resp.data == NULL)
			buf_add(&r->resp, "", 0);
		resp.body = r->resp.data;
		resp.body_len = r->resp.len;
		if (resp.error == NULL) {
			resp.headers = r->rhdrs;
			resp.nheaders = r->nrhdrs;
		}
		r->cb(&resp, r->arg);
		req_free(r);
	}
	h->dispatching--;
	if (h->freeing && h->dispatching == 0)
		http_destroy(h);
}

/*
 * Move every transfer curl reports as finished from the active list to
 * the done queue. Runs right after curl_multi_socket_action, never from
 * inside a curl callback.
 */
static void
http_collect(struct http *h)
{
	CURLMsg		*m;
	CURL		*easy;
	CURLcode	 result;
	struct http_req	*r;
	char		*priv;
	int		 left;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		/* m is invalid once the handle is removed: copy first. */
		easy = m->easy_handle;
		result = m->data.result;
		priv = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
		r = (struct http_req *)priv;
		if (r == NULL)
			continue;
		r->result = result;
		r->status = 0;
		if (result == CURLE_OK)
			curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE,
			    &r->status);
		r->elapsed_ms = (long long)(util_mono_ms() - r->start_ms);
		curl_multi_remove_handle(h->multi, easy);
		list_remove(&h->active, r);
		list_append(&h->done, r);
	}
}

/* Let curl act on fd (or on its timeout), then finish what finished. */
static void
http_kick(struct http *h, curl_socket_t fd, int ev_bitmask)
{
	int		running;
	CURLMcode	rc;

	rc = curl_multi_socket_action(h->multi, fd, ev_bitmask, &running);
	if (rc != CURLM_OK)
		log_warn("http", "curl_multi_socket_action: %s",
		    curl_multi_strerror(rc));
	http_collect(h);
	http_dispatch(h);
}

/* Loop callback: a socket curl watches is ready. */
static void
http_on_fd(struct loop *loop, int fd, int events, void *arg)
{
	struct http	*h = arg;
	int		 mask = 0;

	if (events & LOOP_READ)
		mask |= CURL_CSELECT_IN;
	if (events & LOOP_WRITE)
		mask |= CURL_CSELECT_OUT;
	if (events & LOOP_ERROR)
		mask |= CURL_CSELECT_ERR;
	http_kick(h, fd, mask);
}

/* Loop callback: curl's timeout has expired. */
static long long
http_on_timer(struct loop *loop, long long id, void *arg)
{
	struct http	*h = arg;

	/* curl may ask for a new timer during the kick; this one is done. */
	if (h->timer_id == id)
		h->timer_id = 0;
	http_kick(h, CURL_SOCKET_TIMEOUT, 0);
	return LOOP_NOMORE;
}

/*
 * CURLMOPT_SOCKETFUNCTION: start, change or stop watching a socket. The
 * socket's curl_multi_assign pointer is not used: the fd list says what
 * is watched, and lets http_free drop any watch curl left behind.
 */
static int
http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
    void *socketp)
{
	struct http	*h = userp;
	int		 events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (http_fds_del(h, fd) == 0)
			loop_fd_del(h->loop, fd);
		return 0;
	}
	if (h->closing)
		return 0;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= LOOP_READ;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= LOOP_WRITE;
	if (http_fds_has(h, fd)) {
		loop_fd_events(h->loop, fd, events);
		return 0;
	}
	if (loop_fd_set(h->loop, h, fd, events, http_on_fd, h) != 0) {
		log_warn("http", "cannot watch socket %d", fd);
		return -1;
	}
	http_fds_add(h, fd);
	return 0;
}

/*
 * CURLMOPT_TIMERFUNCTION: replace the one loop timer. -1 removes it; 0
 * becomes a 0 ms timer so that curl is never re-entered from here.
 */
static int
http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http	*h = userp;

	if (h->timer_id != 0) {
		loop_timer_del(h->loop, h->timer_id);
		h->timer_id = 0;
	}
	if (timeout_ms < 0 || h->closing)
		return 0;
	h->timer_id = loop_timer_add(h->loop, h, timeout_ms, http_on_timer,
	    h);
	return 0;
}

/* Create the HTTP client on loop; user_agent is copied. */
struct http *
http_new(struct loop *loop, const char *user_agent)
{
	struct http	*h;
	CURLcode	 rc;

	rc = curl_global_init(CURL_GLOBAL_DEFAULT);	/* refcounted */
	if (rc != CURLE_OK) {
		log_error("http", "curl_global_init: %s",
		    curl_easy_strerror(rc));
		return NULL;
	}
	h = xcalloc(1, sizeof *h);
	h->loop = loop;
	h->user_agent = xstrdup(user_agent != NULL ? user_agent :
	    "outagebot");
	h->next_id = 1;
	h->multi = curl_multi_init();
	if (h->multi == NULL) {
		log_error("http", "curl_multi_init failed");
		free(h->user_agent);
		free(h);
		curl_global_cleanup();
		return NULL;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

/* Release everything; no request is left and no callback is running. */
static void
http_destroy(struct http *h)
{
	h->closing = 1;
	curl_multi_cleanup(h->multi);
	/* Any watch or timer curl left behind. */
	loop_release(h->loop, h);
	free(h->fds);
	free(h->user_agent);
	free(h);
	curl_global_cleanup();
}

/* Cancel one active request: out of curl, out of the list, freed. */
static void
http_drop_active(struct http *h, struct http_req *r)
{
	curl_multi_remove_handle(h->multi, r->easy);
	list_remove(&h->active, r);
	req_free(r);
}

/*
 * Cancel every request without calling back and free h. Must be called
 * before loop_free. From inside an http callback the release is finished
 * when that callback returns. http_free(NULL) does nothing.
 */
void
http_free(struct http *h)
{
	struct http_req	*r;

	if (h == NULL || h->freeing)
		return;
	h->freeing = 1;
	while ((r = h->active.head) != NULL)
		http_drop_active(h, r);
	while ((r = h->done.head) != NULL) {
		list_remove(&h->done, r);
		req_free(r);
	}
	if (h->dispatching == 0)
		http_destroy(h);
}

/* 1 if a request header line is safe to send (no CR, LF or NUL tricks). */
static int
http_header_ok(const char *line)
{
	const char	*colon;

	if (strpbrk(line, "\r\n") != NULL)
		return 0;
	colon = strchr(line, ':');
	if (colon == NULL || colon == line)
		return 0;
	return 1;
}

/* Set the easy handle's options for request q; 0 or -1. */
static int
http_setup(struct http *h, struct http_req *r, const struct http_request *q)
{
	CURL		*e = r->easy;
	long		 timeout, connect;
	size_t		 i;
	int		 bad = 0;

	timeout = q->timeout_ms > 0 ? q->timeout_ms : HTTP_DEFAULT_TIMEOUT;
	connect = timeout < HTTP_CONNECT_TIMEOUT ? timeout :
	    HTTP_CONNECT_TIMEOUT;

#define SETOPT(opt, val) do {						\
	if (curl_easy_setopt(e, opt, val) != CURLE_OK)			\
		bad = 1;						\
} while (0)
	SETOPT(CURLOPT_URL, q->url);
	SETOPT(CURLOPT_PRIVATE, (char *)r);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_TIMEOUT_MS, timeout);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, connect);
	SETOPT(CURLOPT_USERAGENT, h->user_agent);
	SETOPT(CURLOPT_FOLLOWLOCATION, q->follow && (strcmp(r->method,
	    "GET") == 0 || strcmp(r->method, "HEAD") == 0) ? 1L : 0L);
	SETOPT(CURLOPT_MAXREDIRS, HTTP_MAX_REDIRS);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_HEADERFUNCTION, http_header_cb);
	SETOPT(CURLOPT_HEADERDATA, r);
	SETOPT(CURLOPT_WRITEFUNCTION, http_write_cb);
	SETOPT(CURLOPT_WRITEDATA, r);

	if (q->headers != NULL) {
		for (i = 0; q->headers[i] != NULL; i++) {
			if (!http_header_ok(q->headers[i])) {
				/* Never log the header: it may be a token. */
				log_warn("http", "%s %s: malformed request "
				    "header #%zu", r->method, r->log_url, i);
				return -1;
			}
			r->hdrs = curl_slist_append(r->hdrs, q->headers[i]);
			if (r->hdrs == NULL)
				return -1;
		}
		SETOPT(CURLOPT_HTTPHEADER, r->hdrs);
	}

	if (strcmp(r->method, "HEAD") == 0)
		SETOPT(CURLOPT_NOBODY, 1L);
	else if (strcmp(r->method, "POST") == 0)
		SETOPT(CURLOPT_POST, 1L);
	else if (strcmp(r->method, "GET") != 0)
		SETOPT(CURLOPT_CUSTOMREQUEST, r->method);

	/*
	 * A POST always gets POSTFIELDS (possibly empty) so that curl never
	 * falls back to reading the body from stdin.
	 */
	if (q->body != NULL || strcmp(r->method, "POST") == 0) {
		r->body = xmalloc(q->body_len + 1);
		if (q->body_len > 0)
			memcpy(r->body, q->body, q->body_len);
		r->body[q->body_len] = '\0';
		SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
		SETOPT(CURLOPT_POSTFIELDS, r->body);
		if (strcmp(r->method, "GET") == 0)
			SETOPT(CURLOPT_CUSTOMREQUEST, "GET");
	}
#undef SETOPT
	if (bad)
		log_warn("http", "%s %s: curl_easy_setopt failed", r->method,
		    r->log_url);
	return bad ? -1 : 0;
}

/*
 * Start request q; every string in it is copied. cb runs once from the
 * loop unless the request is cancelled. Returns an id > 0, or -1.
 */
long long
http_start(struct http *h, const struct http_request *q, http_done_cb *cb,
    void *arg)
{
	struct http_req	*r;
	CURLMcode	 rc;

	if (h == NULL || h->freeing || q == NULL || q->url == NULL ||
	    cb == NULL)
		return -1;
	r = xcalloc(1, sizeof *r);
	r->http = h;
	r->cb = cb;
	r->arg = arg;
	r->owner = q->owner;
	r->method = xstrdup(q->method != NULL && *q->method != '\0' ?
	    q->method : "GET");
	r->log_url = http_log_url(q->url, q->log_path);
	r->max_body = q->max_body > 0 ? q->max_body : HTTP_DEFAULT_MAX_BODY;
	buf_init(&r->resp);
	if (strpbrk(r->method, " \t\r\n") != NULL) {
		log_warn("http", "%s: malformed method", r->log_url);
		req_free(r);
		return -1;
	}
	r->easy = curl_easy_init();
	if (r->easy == NULL) {
		log_warn("http", "curl_easy_init failed");
		req_free(r);
		return -1;
	}
	if (http_setup(h, r, q) != 0) {
		req_free(r);
		return -1;
	}
	r->id = h->next_id++;
	r->start_ms = util_mono_ms();
	/* curl answers with a 0 ms timeout: the loop starts the transfer. */
	rc = curl_multi_add_handle(h->multi, r->easy);
	if (rc != CURLM_OK) {
		log_warn("http", "curl_multi_add_handle: %s",
		    curl_multi_strerror(rc));
		req_free(r);
		return -1;
	}
	list_append(&h->active, r);
	log_debug("http", "%s %s started (#%lld)", r->method, r->log_url,
	    r->id);
	return r->id;
}

/* Cancel request id (unknown ids are ignored); its callback never runs. */
void
http_cancel(struct http *h, long long id)
{
	struct http_req	*r;

	if (h == NULL)
		return;
	r = list_find(&h->active, id);
	if (r != NULL) {
		log_debug("http", "%s %s cancelled", r->method, r->log_url);
		http_drop_active(h, r);
		return;
	}
	r = list_find(&h->done, id);
	if (r != NULL) {
		list_remove(&h->done, r);
		req_free(r);
	}
}

/*
 * Cancel every request of owner, active or queued, without callbacks. A
 * NULL owner is ignored. Inside http_dispatch this is safe: the dispatch
 * loop takes the queue's head afresh after each callback.
 */
void
http_cancel_owner(struct http *h, void *owner)
{
	struct http_req	*r, *next;
	int		 n = 0;

	if (h == NULL || owner == NULL)
		return;
	for (r = h->active.head; r != NULL; r = next) {
		next = r->next;
		if (r->owner == owner) {
			http_drop_active(h, r);
			n++;
		}
	}
	for (r = h->done.head; r != NULL; r = next) {
		next = r->next;
		if (r->owner == owner) {
			list_remove(&h->done, r);
			req_free(r);
			n++;
		}
	}
	if (n > 0)
		log_debug("http", "%d request(s) of one owner cancelled", n);
}

/* Requests started whose callback has not run yet. */
int
http_pending(struct http *h)
{
	if (h == NULL)
		return 0;
	return list_count(&h->active) + list_count(&h->done);
}

/* A response header's value (name compared case-insensitively), or NULL. */
const char *
http_header(const struct http_response *resp, const char *name)
{
	size_t	i;

	if (resp == NULL || name == NULL)
		return NULL;
	for (i = 0; i < resp->nheaders; i++) {
		if (util_strcaseeq(resp->headers[i].name, name))
			return resp->headers[i].value;
	}
	return NULL;
}

/* The longest cause text kept, in bytes, before the caller's own limit. */
#define HTTP_CAUSE_MAX	160

/*
 * The body as JSON (an object, an array or a bare string, which is what
 * Alertmanager sends), or NULL when it is not JSON. The caller decrefs.
 */
static json_t *
http_body_json(const struct http_response *resp)
{
	const char	*p = resp->body;
	size_t		 n = resp->body_len;

	if (p == NULL)
		return NULL;
	while (n > 0 && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	if (n == 0 || (*p != '{' && *p != '[' && *p != '"'))
		return NULL;
	return json_loadb(p, n, JSON_DECODE_ANY, NULL);
}

/* j[key] if it is a non-empty string, else NULL (borrowed from j). */
static const char *
http_json_str(json_t *j, const char *key)
{
	json_t	*v = json_object_get(j, key);

	if (!json_is_string(v) || *json_string_value(v) == '\0')
		return NULL;
	return json_string_value(v);
}

/*
 * The error text of a JSON body (borrowed from j), or NULL: GitHub's and
 * Laravel's "message", Telegram's "description", Sentry's "detail",
 * Prometheus's "error", a bare JSON string (Alertmanager), or Cachet's
 * errors[0] (meta.details[0], else detail, else title).
 */
static const char *
http_json_message(json_t *j)
{
	static const char *const keys[] = {
		"message", "description", "detail", "error"
	};
	json_t		*e;
	const char	*s;
	size_t		 i;

	if (json_is_string(j))
		return *json_string_value(j) != '\0' ?
		    json_string_value(j) : NULL;
	for (i = 0; i < nitems(keys); i++) {
		if ((s = http_json_str(j, keys[i])) != NULL)
			return s;
	}
	e = json_array_get(json_object_get(j, "errors"), 0);
	if (!json_is_object(e))
		return NULL;
	s = json_string_value(json_array_get(json_object_get(
	    json_object_get(e, "meta"), "details"), 0));
	if (s != NULL && *s != '\0')
		return s;
	if ((s = http_json_str(e, "detail")) != NULL)
		return s;
	return http_json_str(e, "title");
}

/*
 * Append to b the detail of GitHub's first validation error, after its
 * "message": " (title missing_field)", or a custom error's own message.
 */
static void
http_json_detail(json_t *j, struct buf *b)
{
	json_t		*e = json_array_get(json_object_get(j, "errors"), 0);
	const char	*field, *code, *msg;

	if (!json_is_object(e) || http_json_str(j, "message") == NULL)
		return;
	field = http_json_str(e, "field");
	code = http_json_str(e, "code");
	msg = http_json_str(e, "message");
	if (code != NULL && strcmp(code, "custom") == 0 && msg != NULL)
		buf_printf(b, " (%s)", msg);
	else if (field != NULL && code != NULL)
		buf_printf(b, " (%s %s)", field, code);
}

/* The reason phrase of a status, or NULL for an unusual one. */
static const char *
http_reason(long status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return NULL;
	}
}

/*
 * Append " <first line>" of a plain-text body to b; -1 when the body is
 * empty, looks like HTML, or is not UTF-8.
 */
static int
http_plain_line(const struct http_response *resp, struct buf *b)
{
	const char	*p = resp->body;
	size_t		 n;

	if (p == NULL)
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	n = strcspn(p, "\r\n");
	if (n == 0 || *p == '<' || !util_utf8_valid(p, n))
		return -1;
	buf_addc(b, ' ');
	buf_add(b, p, n);
	return 0;
}

/*
 * Copy text into out (size len > 0) as one tidy line: control characters
 * become spaces, runs of spaces become one, the ends are trimmed, and
 * the copy is cut to HTTP_CAUSE_MAX bytes on a UTF-8 boundary.
 */
static void
http_tidy(const char *text, char *out, size_t len)
{
	size_t		 max = len - 1, n = 0;
	unsigned char	 c;

	if (max > HTTP_CAUSE_MAX)
		max = HTTP_CAUSE_MAX;
	for (; *text != '\0' && n < max; text++) {
		c = (unsigned char)*text;
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		if (c == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = (char)c;
	}
	/* Cut in the middle of a character: drop that character. */
	if (*text != '\0' && ((unsigned char)*text & 0xc0) == 0x80) {
		while (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && (unsigned char)out[n - 1] >= 0xc0)
			n--;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* Percent-encode s except RFC 3986 unreserved characters; caller frees. */
char *
http_escape(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct buf		 b;
	unsigned char		 c;

	buf_init(&b);
	buf_add(&b, "", 0);
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			buf_addc(&b, (char)c);
			continue;
		}
		buf_addc(&b, '%');
		buf_addc(&b, hex[c >> 4]);
		buf_addc(&b, hex[c & 15]);
	}
	return buf_steal(&b);
}

/* A short cause for a chat line, written into buf (see http.h). */
const char *
http_cause(const struct http_response *resp, char *buf, size_t len)
{
	struct buf	 b;
	json_t		*j;
	const char	*msg;

	if (buf == NULL || len == 0)
		return "";
	buf_init(&b);
	if (resp == NULL || resp->status == 0) {
		buf_addstr(&b, resp != NULL && resp->error != NULL ?
		    resp->error : "no response");
	} else {
		buf_printf(&b, "%ld", resp->status);
		/* Only an error's body explains it; a success's is data. */
		j = resp->status >= 400 ? http_body_json(resp) : NULL;
		msg = j != NULL ? http_json_message(j) : NULL;
		if (msg != NULL) {
			buf_printf(&b, " %s", msg);
			http_json_detail(j, &b);
		} else if (j != NULL || resp->status < 400 ||
		    http_plain_line(resp, &b) != 0) {
			msg = http_reason(resp->status);
			buf_addstr(&b, msg != NULL ? " " : "");
			buf_addstr(&b, msg != NULL ? msg : "");
		}
		json_decref(j);
	}
	http_tidy(b.data, buf, len);
	buf_free(&b);
	return buf;
}

/*
 * Milliseconds from now until a Retry-After value: delta-seconds or an
 * HTTP-date in any of RFC 9110's three forms. 0 and *ms set, or -1.
 */
static int
http_retry_after(const char *v, time_t now, long long *ms)
{
	static const char *const forms[] = {
		"%a, %d %b %Y %H:%M:%S GMT",	/* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",	/* obsolete RFC 850 */
		"%a %b %e %H:%M:%S %Y",		/* asctime */
	};
	struct tm	 tm;
	const char	*end;
	long long	 n;
	size_t		 i;

	if (v == NULL)
		return -1;
	if (util_strtonum(v, 0, LLONG_MAX / 1000, &n) == 0) {
		*ms = n * 1000;
		return 0;
	}
	for (i = 0; i < nitems(forms); i++) {
		memset(&tm, 0, sizeof tm);
		end = strptime(v, forms[i], &tm);
		if (end != NULL && *end == '\0') {
			*ms = ((long long)timegm(&tm) - (long long)now) * 1000;
			return 0;
		}
	}
	return -1;
}

/* 1 if the header prefix + "remaining" says the quota is spent (0). */
static int
http_quota_spent(const struct http_response *resp, const char *prefix)
{
	char		 name[64];
	const char	*v;
	long long	 left;

	snprintf(name, sizeof name, "%sremaining", prefix);
	v = http_header(resp, name);
	return v != NULL && util_strtonum(v, 0, LLONG_MAX, &left) == 0 &&
	    left == 0;
}

/*
 * Milliseconds until a spent quota resets: prefix "remaining" is 0 and
 * prefix "reset" holds epoch seconds. 0 and *ms set, or -1.
 */
static int
http_quota_reset(const struct http_response *resp, const char *prefix,
    time_t now, long long *ms)
{
	char		 name[64];
	long long	 reset;

	if (!http_quota_spent(resp, prefix))
		return -1;
	snprintf(name, sizeof name, "%sreset", prefix);
	if (http_header(resp, name) == NULL ||
	    util_strtonum(http_header(resp, name), 0, LLONG_MAX / 1000,
	    &reset) != 0)
		return -1;
	*ms = (reset - (long long)now) * 1000;
	return 0;
}

/*
 * The wait the server asks for in ms, the largest of all its hints (see
 * http.h), or -1 when it names none. j is the parsed body or NULL.
 */
static long long
http_server_wait(const struct http_response *resp, json_t *j, time_t now)
{
	long long	 best = -1, ms;
	json_t		*ra;

	if (http_retry_after(http_header(resp, "Retry-After"), now, &ms) ==
	    0 && ms > best)
		best = ms;
	if (http_quota_reset(resp, "x-ratelimit-", now, &ms) == 0 &&
	    ms > best)
		best = ms;
	if (http_quota_reset(resp, "x-sentry-rate-limit-", now, &ms) == 0 &&
	    ms > best)
		best = ms;
	ra = json_object_get(json_object_get(j, "parameters"), "retry_after");
	if (json_is_integer(ra) && json_integer_value(ra) >= 0) {
		ms = json_integer_value(ra) > HTTP_WAIT_MAX_MS / 1000 ?
		    HTTP_WAIT_MAX_MS : json_integer_value(ra) * 1000;
		if (ms > best)
			best = ms;
	}
	return best > HTTP_WAIT_MAX_MS ? HTTP_WAIT_MAX_MS : best;
}

/*
 * 1 if the response is a rate limit: any 429, or a 403 that GitHub marks
 * as one (remaining 0, a Retry-After, or a "rate limit" message).
 */
static int
http_rate_limited(const struct http_response *resp, json_t *j)
{
	const char	*msg;

	if (resp->status == 429)
		return 1;
	if (resp->status != 403)
		return 0;
	if (http_header(resp, "Retry-After") != NULL ||
	    http_quota_spent(resp, "x-ratelimit-"))
		return 1;
	msg = j != NULL ? http_json_message(j) : NULL;
	return msg != NULL && strcasestr(msg, "rate limit") != NULL;
}

/* The backoff before retry number attempt, jittered (see http.h). */
static long long
http_backoff(int attempt)
{
	long long	d = HTTP_BACKOFF_BASE_MS;
	int		i;

	for (i = 1; i < attempt && d < HTTP_BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > HTTP_BACKOFF_CAP_MS)
		d = HTTP_BACKOFF_CAP_MS;
	return d - (long long)(random() % (d / 4 + 1));
}

/* Classify a finished response and say when to try again (see http.h). */
enum http_verdict
http_classify(const struct http_response *resp, int attempt, time_t now,
    long long *retry_ms)
{
	enum http_verdict	 v;
	json_t			*j = NULL;
	long long		 wait, ms = 0;
	int			 limited;
	long			 st;

	if (resp == NULL)
		v = HTTP_PERMANENT;
	else if (resp->status == 0 || resp->error != NULL) {
		/* The same body would be too large again. */
		v = resp->too_large ? HTTP_PERMANENT : HTTP_RETRY;
		if (v == HTTP_RETRY)
			ms = http_backoff(attempt);
	} else {
		st = resp->status;
		/* A success body can be large; only errors are read. */
		if (st >= 400)
			j = http_body_json(resp);
		wait = http_server_wait(resp, j, now);
		limited = http_rate_limited(resp, j);
		if ((st >= 200 && st < 300) || st == 304) {
			v = HTTP_DONE;
			ms = wait > 0 ? wait : 0;
		} else if (st == 408 || st == 409 || limited ||
		    (st >= 500 && st < 600)) {
			v = HTTP_RETRY;
			ms = http_backoff(attempt);
			if (wait > 0)
				ms = wait;
			else if (limited && ms < HTTP_RATELIMIT_MIN_MS)
				ms = HTTP_RATELIMIT_MIN_MS;
		} else
			v = HTTP_PERMANENT;
		json_decref(j);
	}
	if (retry_ms != NULL)
		*retry_ms = ms;
	return v;
}

/* The name of a verdict, for logs and !jobs. */
const char *
http_verdict_name(enum http_verdict v)
{
	switch (v) {
	case HTTP_DONE:
		return "done";
	case HTTP_RETRY:
		return "retry";
	case HTTP_PERMANENT:
		return "permanent";
	}
	return "unknown";
}
