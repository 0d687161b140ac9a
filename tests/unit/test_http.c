/*
 * test_http.c — bot/http.c against a tiny HTTP/1.1 server that runs in
 * this process on the same loop, so that every test also proves the
 * client never blocks the loop. The server answers by path:
 *   /          200, a body, "X-Test: yes" and a padded header
 *   /echo      200, echoes method, body, User-Agent and X-Token
 *   /big       200, a 2 MiB body
 *   /hang      never answers
 *   /redirect  302 to /          /redirect-ftp  302 to ftp://
 *   /reset     closes the connection with an RST
 * The classification tests (http_classify, http_cause) need no server:
 * they build responses by hand from the status codes, headers and bodies
 * that API-CONTRACTS.md records for GitHub, Telegram, Sentry, Cachet,
 * Prometheus and Alertmanager, with a fixed clock.
 * This file owns only test code; it must not reach into http.c's insides.
 */
/* deps: http loop util log */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "http.h"
#include "log.h"
#include "loop.h"
#include "util.h"

#define BIG_SIZE	(2 * 1024 * 1024)
#define UA		"outagebot-test/1"

/* One accepted connection of the test server. */
struct conn {
	struct srv	*srv;
	int		 fd;
	struct buf	 in;
	struct buf	 out;
	size_t		 off;		/* bytes of out already written */
	int		 answered;
	struct conn	*next;
};

/* The test server: a listening socket and its connections. */
struct srv {
	struct loop	*loop;
	int		 lfd;
	int		 port;
	struct conn	*conns;
	int		 nrequests;	/* complete requests received */
	int		 nhang;		/* /hang requests received */
};

/* One finished request as seen by a test callback. */
struct result {
	int		 called;
	long		 status;
	char		*error;
	char		*body;
	size_t		 body_len;
	char		*x_test;
	char		*x_redirect;
	char		*location;
	char		*padded;
	long long	 elapsed_ms;
};

/* Per-test state. */
struct fixture {
	struct loop	*loop;
	struct srv	 srv;
	struct http	*http;
};

/* Close a connection and unlink it from its server. */
static void
conn_close(struct conn *c)
{
	struct conn	**pp;

	for (pp = &c->srv->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	loop_fd_del(c->srv->loop, c->fd);
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

/* Loop callback: write the pending answer, then close. */
static void
conn_on_write(struct loop *loop, int fd, int events, void *arg)
{
	struct conn	*c = arg;
	ssize_t		 n;

	while (c->off < c->out.len) {
		n = send(fd, c->out.data + c->off, c->out.len - c->off,
		    MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->off += (size_t)n;
	}
	conn_close(c);
}

/* Find a header's value in a raw request head (case-insensitive). */
static char *
req_header(const char *head, const char *name)
{
	const char	*p = strstr(head, "\r\n");
	size_t		 nlen = strlen(name);
	const char	*v, *e;

	while (p != NULL && p[2] != '\r') {
		p += 2;
		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			v = p + nlen + 1;
			while (*v == ' ')
				v++;
			e = strstr(v, "\r\n");
			return xstrndup(v, (size_t)(e - v));
		}
		p = strstr(p, "\r\n");
	}
	return xstrdup("");
}

/* Queue a complete response on c. */
static void
conn_answer(struct conn *c, int status, const char *extra,
    const char *body, size_t len)
{
	buf_printf(&c->out, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n%s\r\n", status, len, extra);
	buf_add(&c->out, body, len);
	c->answered = 1;
	loop_fd_set(c->srv->loop, NULL, c->fd, LOOP_WRITE, conn_on_write, c);
}

/* Answer one complete request (head is NUL-terminated, body follows). */
static void
conn_handle(struct conn *c, const char *head, const char *body,
    size_t blen)
{
	char		 method[16], path[256];
	char		*ua, *tok, *big, *echo;
	struct linger	 lg;

	c->srv->nrequests++;
	if (sscanf(head, "%15s %255s", method, path) != 2) {
		conn_answer(c, 400, "", "", 0);
		return;
	}
	if (strcmp(path, "/") == 0) {
		conn_answer(c, 200, "X-Test: yes\r\nX-Padded: \t  some "
		    "value \t \r\n", "hello, world", 12);
	} else if (strncmp(path, "/echo", 5) == 0) {
		ua = req_header(head, "User-Agent");
		tok = req_header(head, "X-Token");
		echo = xasprintf("method=%s\npath=%s\nua=%s\ntoken=%s\n"
		    "body=%.*s", method, path, ua, tok, (int)blen, body);
		conn_answer(c, 200, "", echo, strlen(echo));
		free(echo);
		free(ua);
		free(tok);
	} else if (strcmp(path, "/big") == 0) {
		big = xmalloc(BIG_SIZE);
		memset(big, 'b', BIG_SIZE);
		conn_answer(c, 200, "", big, BIG_SIZE);
		free(big);
	} else if (strcmp(path, "/hang") == 0) {
		c->srv->nhang++;
		c->answered = 1;	/* and never written */
	} else if (strcmp(path, "/redirect") == 0) {
		conn_answer(c, 302, "Location: /\r\nX-Redirect: 1\r\n",
		    "moved", 5);
	} else if (strcmp(path, "/redirect-ftp") == 0) {
		conn_answer(c, 302, "Location: ftp://127.0.0.1/x\r\n", "", 0);
	} else if (strcmp(path, "/reset") == 0) {
		lg.l_onoff = 1;
		lg.l_linger = 0;
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		conn_close(c);
	} else
		conn_answer(c, 404, "", "no", 2);
}

/* Loop callback: read request bytes until a whole request is in. */
static void
conn_on_read(struct loop *loop, int fd, int events, void *arg)
{
	struct conn	*c = arg;
	char		 tmp[4096], *end, *cl;
	ssize_t		 n;
	size_t		 hlen, blen = 0;
	long long	 v;

	n = read(fd, tmp, sizeof tmp);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		conn_close(c);	/* the client went away */
		return;
	}
	if (c->answered)
		return;
	buf_add(&c->in, tmp, (size_t)n);
	end = strstr(c->in.data, "\r\n\r\n");
	if (end == NULL)
		return;
	hlen = (size_t)(end - c->in.data) + 4;
	end[2] = '\0';	/* keep the last header's CRLF for req_header */
	cl = req_header(c->in.data, "Content-Length");
	if (*cl != '\0' && util_strtonum(cl, 0, 1 << 20, &v) == 0)
		blen = (size_t)v;
	free(cl);
	if (c->in.len < hlen + blen) {
		end[2] = '\r';
		return;
	}
	conn_handle(c, c->in.data, c->in.data + hlen, blen);
}

/* Loop callback: accept every pending connection. */
static void
srv_on_accept(struct loop *loop, int fd, int events, void *arg)
{
	struct srv	*s = arg;
	struct conn	*c;
	int		 cfd;

	for (;;) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0)
			return;
		c = xcalloc(1, sizeof *c);
		c->srv = s;
		c->fd = cfd;
		buf_init(&c->in);
		buf_init(&c->out);
		c->next = s->conns;
		s->conns = c;
		loop_fd_set(loop, NULL, cfd, LOOP_READ, conn_on_read, c);
	}
}

/* Bind a TCP socket on 127.0.0.1 with a kernel-chosen port. */
static int
bind_any(int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Start the server on loop. */
static void
srv_start(struct srv *s, struct loop *loop)
{
	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->lfd = bind_any(&s->port);
	assert_int_equal(listen(s->lfd, 64), 0);
	assert_int_equal(loop_fd_set(loop, NULL, s->lfd, LOOP_READ,
	    srv_on_accept, s), 0);
}

/* Stop the server and close every connection. */
static void
srv_stop(struct srv *s)
{
	while (s->conns != NULL)
		conn_close(s->conns);
	loop_fd_del(s->loop, s->lfd);
	close(s->lfd);
}

/* cmocka setup: loop, server, client. */
static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof *f);

	f->loop = loop_new();
	srv_start(&f->srv, f->loop);
	f->http = http_new(f->loop, UA);
	assert_non_null(f->http);
	*state = f;
	return 0;
}

/* cmocka teardown: everything from setup, in reverse. */
static int
teardown(void **state)
{
	struct fixture	*f = *state;

	http_free(f->http);
	srv_stop(&f->srv);
	loop_free(f->loop);
	free(f);
	return 0;
}

/* Copy an optional string. */
static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* The usual test callback: keep a copy of what the response said. */
static void
on_done(const struct http_response *resp, void *arg)
{
	struct result	*r = arg;

	r->called++;
	r->status = resp->status;
	r->error = dup_or_null(resp->error);
	assert_non_null(resp->body);
	assert_int_equal(resp->body[resp->body_len], '\0');
	r->body = xstrndup(resp->body, resp->body_len);
	r->body_len = resp->body_len;
	r->x_test = dup_or_null(http_header(resp, "x-TEST"));
	r->x_redirect = dup_or_null(http_header(resp, "X-Redirect"));
	r->location = dup_or_null(http_header(resp, "Location"));
	r->padded = dup_or_null(http_header(resp, "X-Padded"));
	r->elapsed_ms = resp->elapsed_ms;
}

/* Free a result's copies. */
static void
result_free(struct result *r)
{
	free(r->error);
	free(r->body);
	free(r->x_test);
	free(r->x_redirect);
	free(r->location);
	free(r->padded);
	memset(r, 0, sizeof *r);
}

/* Run the loop until *flag >= want or ms have passed; 0 if reached. */
static int
run_until(struct loop *loop, const int *flag, int want, int ms)
{
	uint64_t	deadline = util_mono_ms() + (uint64_t)ms;

	while (*flag < want) {
		if (util_mono_ms() > deadline)
			return -1;
		loop_once(loop, 50);
	}
	return 0;
}

/* Run the loop for ms milliseconds whatever happens. */
static void
run_for(struct loop *loop, int ms)
{
	uint64_t	deadline = util_mono_ms() + (uint64_t)ms;

	while (util_mono_ms() < deadline)
		loop_once(loop, 20);
}

/* A URL on the test server. */
static char *
url(struct fixture *f, const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", f->srv.port, path);
}

/* Start a GET of path for owner; assert it started. */
static long long
get_owned(struct fixture *f, const char *path, size_t max_body, long timeout,
    struct result *r, void *owner)
{
	struct http_request	 q;
	char			*u = url(f, path);
	long long		 id;

	memset(&q, 0, sizeof q);
	q.url = u;
	q.max_body = max_body;
	q.timeout_ms = timeout;
	q.owner = owner;
	id = http_start(f->http, &q, on_done, r);
	free(u);	/* http_start copies */
	assert_true(id > 0);
	return id;
}

/* Start a GET of path with max_body and timeout; assert it started. */
static long long
get(struct fixture *f, const char *path, size_t max_body, long timeout,
    struct result *r)
{
	return get_owned(f, path, max_body, timeout, r, NULL);
}

/* GET / : status, body, headers (case-insensitive, trimmed). */
static void
test_get_root(void **state)
{
	struct fixture	*f = *state;
	struct result	 r = { 0 };

	get(f, "/", 0, 0, &r);
	assert_int_equal(http_pending(f->http), 1);
	assert_int_equal(run_until(f->loop, &r.called, 1, 5000), 0);
	assert_int_equal(r.called, 1);
	assert_int_equal(r.status, 200);
	assert_null(r.error);
	assert_string_equal(r.body, "hello, world");
	assert_int_equal(r.body_len, 12);
	assert_string_equal(r.x_test, "yes");
	assert_string_equal(r.padded, "some value");
	assert_null(r.location);
	assert_true(r.elapsed_ms >= 0 && r.elapsed_ms < 5000);
	assert_int_equal(http_pending(f->http), 0);
	/* No second callback later. */
	run_for(f->loop, 100);
	assert_int_equal(r.called, 1);
	result_free(&r);
}

/* Start a request with method, body and a token header to /echo. */
static void
echo(struct fixture *f, const char *method, const char *body,
    struct result *r)
{
	const char *const	 hdrs[] = { "X-Token: s3cret", NULL };
	struct http_request	 q;
	char			*u = url(f, "/echo?q=1");

	memset(&q, 0, sizeof q);
	q.method = method;
	q.url = u;
	q.headers = hdrs;
	q.body = body;
	q.body_len = body != NULL ? strlen(body) : 0;
	assert_true(http_start(f->http, &q, on_done, r) > 0);
	free(u);
}

/* POST, PUT, DELETE and GET reach the server with body and headers. */
static void
test_echo_methods(void **state)
{
	struct fixture	*f = *state;
	struct result	 post = { 0 }, put = { 0 }, del = { 0 }, g = { 0 };
	char		 body[64];

	/* The body is copied: overwrite ours before the loop runs. */
	snprintf(body, sizeof body, "a=1&b=2");
	echo(f, "POST", body, &post);
	memset(body, 'X', strlen(body));
	echo(f, "PUT", "{\"x\":1}", &put);
	echo(f, "DELETE", NULL, &del);
	echo(f, NULL, NULL, &g);
	assert_int_equal(http_pending(f->http), 4);
	assert_int_equal(run_until(f->loop, &post.called, 1, 5000), 0);
	assert_int_equal(run_until(f->loop, &put.called, 1, 5000), 0);
	assert_int_equal(run_until(f->loop, &del.called, 1, 5000), 0);
	assert_int_equal(run_until(f->loop, &g.called, 1, 5000), 0);

	assert_int_equal(post.status, 200);
	assert_string_equal(post.body, "method=POST\npath=/echo?q=1\n"
	    "ua=" UA "\ntoken=s3cret\nbody=a=1&b=2");
	assert_string_equal(put.body, "method=PUT\npath=/echo?q=1\n"
	    "ua=" UA "\ntoken=s3cret\nbody={\"x\":1}");
	assert_string_equal(del.body, "method=DELETE\npath=/echo?q=1\n"
	    "ua=" UA "\ntoken=s3cret\nbody=");
	assert_string_equal(g.body, "method=GET\npath=/echo?q=1\n"
	    "ua=" UA "\ntoken=s3cret\nbody=");
	result_free(&post);
	result_free(&put);
	result_free(&del);
	result_free(&g);
}

/* 2 MiB over the default 1 MiB cap fails; with a 4 MiB cap it works. */
static void
test_big_body(void **state)
{
	struct fixture	*f = *state;
	struct result	 small = { 0 }, large = { 0 };
	size_t		 i;

	get(f, "/big", 0, 0, &small);
	get(f, "/big", 4 * 1024 * 1024, 0, &large);
	assert_int_equal(run_until(f->loop, &small.called, 1, 10000), 0);
	assert_int_equal(run_until(f->loop, &large.called, 1, 10000), 0);

	assert_int_equal(small.status, 0);
	assert_non_null(small.error);
	assert_string_equal(small.error, "response too large");
	/* The transfer stopped at the cap instead of reading on. */
	assert_true(small.body_len <= 1024 * 1024);

	assert_null(large.error);
	assert_int_equal(large.status, 200);
	assert_int_equal(large.body_len, BIG_SIZE);
	for (i = 0; i < BIG_SIZE; i++) {
		if (large.body[i] != 'b')
			fail_msg("byte %zu is %d", i, large.body[i]);
	}
	result_free(&small);
	result_free(&large);
}

/* A loop timer that counts its runs, every 20 ms. */
static long long
on_tick(struct loop *loop, long long id, void *arg)
{
	int	*ticks = arg;

	(*ticks)++;
	return 20;
}

/* A server that never answers: timeout error, and the loop kept going. */
static void
test_hang_timeout(void **state)
{
	struct fixture	*f = *state;
	struct result	 r = { 0 };
	int		 ticks = 0;
	long long	 tid;
	uint64_t	 t0;

	tid = loop_timer_add(f->loop, NULL, 20, on_tick, &ticks);
	t0 = util_mono_ms();
	get(f, "/hang", 0, 300, &r);
	assert_int_equal(run_until(f->loop, &r.called, 1, 5000), 0);
	loop_timer_del(f->loop, tid);

	assert_int_equal(f->srv.nhang, 1);
	assert_int_equal(r.status, 0);
	assert_non_null(r.error);
	assert_string_equal(r.error, "timed out");
	assert_true(r.elapsed_ms >= 250);
	assert_true(r.elapsed_ms < 2000);
	assert_true(util_mono_ms() - t0 < 2000);
	/* 300 ms at 20 ms per tick: a blocked loop would show ~1. */
	assert_true(ticks >= 8);
	result_free(&r);
}

/* Start a request of method for path with follow set as given. */
static void
start_follow(struct fixture *f, const char *method, const char *path,
    int follow, struct result *r)
{
	struct http_request	 q;
	char			*u = url(f, path);

	memset(&q, 0, sizeof q);
	q.method = method;
	q.url = u;
	q.follow = follow;
	assert_true(http_start(f->http, &q, on_done, r) > 0);
	free(u);
}

/*
 * A GET asked to follow does so; only the final response's headers
 * remain. A GET not asked, and a POST even when asked, get the 302
 * itself: a write is never replayed elsewhere or turned into a GET.
 */
static void
test_redirect(void **state)
{
	struct fixture	*f = *state;
	struct result	 r = { 0 }, ftp = { 0 }, no = { 0 }, post = { 0 };

	start_follow(f, "GET", "/redirect", 1, &r);
	start_follow(f, "GET", "/redirect-ftp", 1, &ftp);
	start_follow(f, "GET", "/redirect", 0, &no);
	start_follow(f, "POST", "/redirect", 1, &post);
	assert_int_equal(run_until(f->loop, &r.called, 1, 5000), 0);
	assert_int_equal(run_until(f->loop, &ftp.called, 1, 5000), 0);
	assert_int_equal(run_until(f->loop, &no.called, 1, 5000), 0);
	assert_int_equal(run_until(f->loop, &post.called, 1, 5000), 0);
	assert_int_equal(no.status, 302);
	assert_string_equal(no.location, "/");
	assert_int_equal(post.status, 302);
	assert_string_equal(post.location, "/");
	result_free(&no);
	result_free(&post);

	assert_int_equal(r.status, 200);
	assert_null(r.error);
	assert_string_equal(r.body, "hello, world");
	assert_string_equal(r.x_test, "yes");
	assert_null(r.x_redirect);
	assert_null(r.location);

	/* Only http and https may be followed. */
	assert_int_equal(ftp.status, 0);
	assert_non_null(ftp.error);
	assert_non_null(strstr(ftp.error, "protocol"));
	result_free(&r);
	result_free(&ftp);
}

/* A reset connection and a refused port are transport errors. */
static void
test_reset_and_refused(void **state)
{
	struct fixture	*f = *state;
	struct result	 rst = { 0 }, ref = { 0 }, bad = { 0 };
	struct http_request	 q;
	char		*u;
	int		 fd, port;

	get(f, "/reset", 0, 0, &rst);

	fd = bind_any(&port);
	close(fd);	/* nobody listens on port now */
	u = xasprintf("http://127.0.0.1:%d/", port);
	memset(&q, 0, sizeof q);
	q.url = u;
	assert_true(http_start(f->http, &q, on_done, &ref) > 0);
	free(u);

	/* Not http(s): refused by protocol, still through the callback. */
	memset(&q, 0, sizeof q);
	q.url = "file:///etc/passwd";
	assert_true(http_start(f->http, &q, on_done, &bad) > 0);

	assert_int_equal(run_until(f->loop, &rst.called, 1, 5000), 0);
	assert_int_equal(run_until(f->loop, &ref.called, 1, 5000), 0);
	assert_int_equal(run_until(f->loop, &bad.called, 1, 5000), 0);
	assert_int_equal(rst.status, 0);
	assert_non_null(rst.error);
	assert_int_equal(ref.status, 0);
	assert_non_null(ref.error);
	assert_int_equal(bad.status, 0);
	assert_non_null(bad.error);
	assert_non_null(strstr(bad.error, "protocol"));
	assert_null(strstr(bad.body, "root"));
	result_free(&rst);
	result_free(&ref);
	result_free(&bad);
}

/* Bad requests are refused at once, without a callback. */
static void
test_bad_requests(void **state)
{
	struct fixture		*f = *state;
	const char *const	 crlf[] = { "X-A: 1\r\nX-Evil: 2", NULL };
	const char *const	 noname[] = { "no colon here", NULL };
	struct http_request	 q;
	struct result		 r = { 0 };
	char			*u = url(f, "/");

	memset(&q, 0, sizeof q);
	assert_int_equal(http_start(f->http, &q, on_done, &r), -1);
	q.url = u;
	assert_int_equal(http_start(f->http, &q, NULL, &r), -1);
	q.headers = crlf;
	assert_int_equal(http_start(f->http, &q, on_done, &r), -1);
	q.headers = noname;
	assert_int_equal(http_start(f->http, &q, on_done, &r), -1);
	q.headers = NULL;
	q.method = "GET / HTTP/1.0\r\n";
	assert_int_equal(http_start(f->http, &q, on_done, &r), -1);
	assert_int_equal(http_start(NULL, &q, on_done, &r), -1);
	assert_int_equal(http_pending(f->http), 0);
	run_for(f->loop, 50);
	assert_int_equal(r.called, 0);
	free(u);
}

/* Twenty requests at once all complete, each with its own answer. */
static void
test_concurrent(void **state)
{
	struct fixture	*f = *state;
	struct result	 r[20];
	char		 path[32], want[128];
	int		 i, done;
	uint64_t	 deadline;

	memset(r, 0, sizeof r);
	for (i = 0; i < 20; i++) {
		snprintf(path, sizeof path, "/echo?n=%d", i);
		get(f, path, 0, 0, &r[i]);
	}
	assert_int_equal(http_pending(f->http), 20);
	deadline = util_mono_ms() + 10000;
	do {
		loop_once(f->loop, 50);
		done = 0;
		for (i = 0; i < 20; i++)
			done += r[i].called;
	} while (done < 20 && util_mono_ms() < deadline);
	assert_int_equal(done, 20);
	assert_int_equal(http_pending(f->http), 0);
	for (i = 0; i < 20; i++) {
		assert_int_equal(r[i].called, 1);
		assert_int_equal(r[i].status, 200);
		snprintf(want, sizeof want, "method=GET\npath=/echo?n=%d\n"
		    "ua=" UA "\ntoken=\nbody=", i);
		assert_string_equal(r[i].body, want);
		result_free(&r[i]);
	}
}

/* Cancelling an in-flight request: no callback, nothing left behind. */
static void
test_cancel(void **state)
{
	struct fixture	*f = *state;
	struct result	 r = { 0 }, other = { 0 };
	long long	 id;

	id = get(f, "/hang", 0, 1000, &r);
	assert_int_equal(run_until(f->loop, &f->srv.nhang, 1, 5000), 0);
	http_cancel(f->http, id);
	http_cancel(f->http, id);	/* twice is harmless */
	http_cancel(f->http, 9999);	/* so is an unknown id */
	assert_int_equal(http_pending(f->http), 0);
	/* Past the request's own timeout: still no callback. */
	run_for(f->loop, 1300);
	assert_int_equal(r.called, 0);
	/* The client closed its side, so the server saw EOF. */
	assert_null(f->srv.conns);

	/* The client still works afterwards. */
	get(f, "/", 0, 0, &other);
	assert_int_equal(run_until(f->loop, &other.called, 1, 5000), 0);
	assert_int_equal(other.status, 200);
	result_free(&other);
}

/* Callback state for the re-entrancy tests. */
struct chain {
	struct fixture	*f;
	struct result	 second;
	long long	 victim;
	long long	 hang;
	int		 called;
};

/* Start a request that fails inside curl's first kick (no socket). */
static long long
start_file(struct fixture *f, http_done_cb *cb, void *arg)
{
	struct http_request	q;
	long long		id;

	memset(&q, 0, sizeof q);
	q.url = "file:///dev/null";
	id = http_start(f->http, &q, cb, arg);
	assert_true(id > 0);
	return id;
}

/* From a callback: cancel a queued and an active request, start one. */
static void
on_chain(const struct http_response *resp, void *arg)
{
	struct chain	*c = arg;

	c->called++;
	assert_int_equal(resp->status, 0);
	assert_int_equal(http_pending(c->f->http), 2);
	http_cancel(c->f->http, c->victim);
	http_cancel(c->f->http, c->hang);
	assert_int_equal(http_pending(c->f->http), 0);
	get(c->f, "/echo", 0, 0, &c->second);
}

/*
 * A callback may start and cancel requests. Both file:// requests fail
 * in the same kick, so the victim is queued, not yet called back, when
 * the first callback cancels it.
 */
static void
test_callback_reentry(void **state)
{
	struct fixture	*f = *state;
	struct chain	 c;
	struct result	 victim = { 0 }, hang = { 0 };

	memset(&c, 0, sizeof c);
	c.f = f;
	start_file(f, on_chain, &c);
	c.victim = start_file(f, on_done, &victim);
	c.hang = get(f, "/hang", 0, 0, &hang);
	assert_int_equal(run_until(f->loop, &c.second.called, 1, 5000), 0);
	assert_int_equal(c.called, 1);
	assert_int_equal(c.second.status, 200);
	run_for(f->loop, 100);
	assert_int_equal(victim.called, 0);
	assert_int_equal(hang.called, 0);
	assert_int_equal(c.second.called, 1);
	assert_int_equal(http_pending(f->http), 0);
	result_free(&c.second);
}

/* From a callback: free the whole client. */
static void
on_free(const struct http_response *resp, void *arg)
{
	struct chain	*c = arg;

	c->called++;
	http_free(c->f->http);
	c->f->http = NULL;
}

/* http_free from inside a callback: no further callbacks, no leak. */
static void
test_free_in_callback(void **state)
{
	struct fixture	*f = *state;
	struct chain	 c;
	struct result	 a = { 0 }, b = { 0 };

	memset(&c, 0, sizeof c);
	c.f = f;
	get(f, "/hang", 0, 0, &a);
	start_file(f, on_free, &c);
	start_file(f, on_done, &b);	/* queued behind on_free */
	assert_int_equal(run_until(f->loop, &c.called, 1, 5000), 0);
	assert_null(f->http);
	run_for(f->loop, 200);
	assert_int_equal(c.called, 1);
	assert_int_equal(a.called, 0);
	assert_int_equal(b.called, 0);
}

/* http_free with requests in flight: no callbacks, loop stays sane. */
static void
test_free_in_flight(void **state)
{
	struct fixture	*f = *state;
	struct result	 r[4];
	int		 i, total = 0;

	memset(r, 0, sizeof r);
	get(f, "/hang", 0, 0, &r[0]);
	get(f, "/hang", 0, 0, &r[1]);
	get(f, "/big", 4 * 1024 * 1024, 0, &r[2]);
	get(f, "/", 0, 0, &r[3]);
	assert_int_equal(run_until(f->loop, &f->srv.nhang, 2, 5000), 0);
	http_free(f->http);
	f->http = NULL;
	http_free(NULL);
	/* The loop runs on with no watch or timer pointing at freed memory. */
	run_for(f->loop, 300);
	for (i = 0; i < 4; i++) {
		if (i < 2)
			assert_int_equal(r[i].called, 0);
		total += r[i].called;
		result_free(&r[i]);
	}
	assert_true(total <= 2);
	/* A fresh client on the same loop works. */
	f->http = http_new(f->loop, UA);
	get(f, "/", 0, 0, &r[0]);
	assert_int_equal(run_until(f->loop, &r[0].called, 1, 5000), 0);
	assert_int_equal(r[0].status, 200);
	result_free(&r[0]);
}

/* http_header on a hand-built response. */
static void
test_header_lookup(void **state)
{
	struct http_header	hdrs[] = {
		{ "Content-Type", "text/plain" },
		{ "X-Dup", "first" },
		{ "x-dup", "second" },
	};
	struct http_response	resp;

	memset(&resp, 0, sizeof resp);
	assert_null(http_header(&resp, "Content-Type"));
	resp.headers = hdrs;
	resp.nheaders = nitems(hdrs);
	assert_string_equal(http_header(&resp, "content-type"), "text/plain");
	assert_string_equal(http_header(&resp, "CONTENT-TYPE"), "text/plain");
	assert_string_equal(http_header(&resp, "x-DUP"), "first");
	assert_null(http_header(&resp, "Content"));
	assert_null(http_header(&resp, "Content-Type-X"));
	assert_null(http_header(NULL, "x"));
}

/*
 * http_cancel_owner drops exactly one owner's requests, with no callback
 * now or later; the core (NULL) is never cancelled that way.
 */
static void
test_cancel_owner(void **state)
{
	struct fixture	*f = *state;
	struct result	 x1 = { 0 }, x2 = { 0 }, y = { 0 }, core = { 0 };
	int		 x, other;

	get_owned(f, "/hang", 0, 1000, &x1, &x);
	get_owned(f, "/hang", 0, 1000, &x2, &x);
	get_owned(f, "/hang", 0, 300, &y, &other);
	get_owned(f, "/", 0, 0, &core, NULL);
	assert_int_equal(run_until(f->loop, &f->srv.nhang, 3, 5000), 0);
	http_cancel_owner(f->http, &x);
	assert_int_equal(http_pending(f->http), 2 - core.called);
	http_cancel_owner(f->http, NULL);
	http_cancel_owner(NULL, &x);
	http_cancel_owner(f->http, &x);		/* nothing left: harmless */
	assert_int_equal(run_until(f->loop, &y.called, 1, 5000), 0);
	assert_int_equal(run_until(f->loop, &core.called, 1, 5000), 0);
	assert_string_equal(y.error, "timed out");
	assert_int_equal(core.status, 200);
	/* Past the cancelled requests' own timeout: still no callback. */
	run_for(f->loop, 1100);
	assert_int_equal(x1.called, 0);
	assert_int_equal(x2.called, 0);
	assert_int_equal(http_pending(f->http), 0);
	result_free(&y);
	result_free(&core);
}

/* State of the cancel-own-requests-from-a-callback test. */
struct selfcancel {
	struct fixture	*f;
	int		 called;
};

/* A callback that cancels every request of its own owner. */
static void
on_cancel_own(const struct http_response *resp, void *arg)
{
	struct selfcancel	*c = arg;

	c->called++;
	http_cancel_owner(c->f->http, c);
}

/* Start a file:// request (fails in curl's first kick) for owner. */
static void
start_file_owned(struct fixture *f, http_done_cb *cb, void *arg,
    void *owner)
{
	struct http_request	q;

	memset(&q, 0, sizeof q);
	q.url = "file:///dev/null";
	q.owner = owner;
	assert_true(http_start(f->http, &q, cb, arg) > 0);
}

/*
 * From inside a callback: its owner's other requests, one queued behind
 * it in the same kick and one in flight, are dropped; another owner's
 * queued request still gets its callback.
 */
static void
test_cancel_owner_inside(void **state)
{
	struct fixture		*f = *state;
	struct selfcancel	 c;
	struct result		 queued = { 0 }, hang = { 0 }, other = { 0 };
	int			 stranger;

	memset(&c, 0, sizeof c);
	c.f = f;
	get_owned(f, "/hang", 0, 0, &hang, &c);
	start_file_owned(f, on_cancel_own, &c, &c);
	start_file_owned(f, on_done, &queued, &c);
	start_file_owned(f, on_done, &other, &stranger);
	assert_int_equal(run_until(f->loop, &other.called, 1, 5000), 0);
	run_for(f->loop, 100);
	assert_int_equal(c.called, 1);
	assert_int_equal(queued.called, 0);
	assert_int_equal(hang.called, 0);
	assert_int_equal(other.called, 1);
	assert_int_equal(http_pending(f->http), 0);
	result_free(&other);
}

/* The fixed wall clock of the classification tests: 2026-12-01 12:00Z. */
#define NOW	((time_t)1796126400)
/* Expect a backoff in [lo, hi] instead of an exact delay. */
#define RANGE	(-2)

/* One classification case: a response and what it must give. */
struct ccase {
	const char		*what;
	long			 status;
	const char		*error;		/* transport error, status 0 */
	int			 too_large;
	const char		*body;
	const char		*hdr[12];	/* name, value, ..., NULL */
	int			 attempt;
	enum http_verdict	 want;
	long long		 ms;		/* exact delay, or RANGE */
	long long		 lo, hi;
	const char		*cause;		/* NULL: not checked */
};

/* The GitHub error body with this message. */
#define GH(m)	"{\"message\":\"" m "\",\"documentation_url\":" \
		"\"https://docs.github.com/rest\"}"
#define SECONDARY	"You have exceeded a secondary rate limit. Please " \
			"wait a few minutes before you try again."
#define UA_403		"Request forbidden by administrative rules. Please " \
			"make sure your request has a User-Agent header " \
			"(https://docs.github.com/en/rest/overview/" \
			"resources-in-the-rest-api#user-agent-required). " \
			"Check https://githubstatus.com for possible causes."

static const struct ccase ccases[] = {
	/* GitHub REST. */
	{ "create issue", 201, NULL, 0,
	  "{\"id\":1000,\"node_id\":\"I_kwDOAbc123\",\"number\":1}",
	  { "x-ratelimit-remaining", "4999", "x-ratelimit-reset",
	    "1796130000", NULL }, 1, HTTP_DONE, 0, 0, 0, "201 Created" },
	{ "quota spent on a success", 200, NULL, 0, "{}",
	  { "x-ratelimit-remaining", "0", "x-ratelimit-reset", "1796126520",
	    NULL }, 1, HTTP_DONE, 120000, 0, 0, "200 OK" },
	{ "not modified", 304, NULL, 0, "", { NULL }, 1, HTTP_DONE, 0, 0,
	  0, "304 Not Modified" },
	{ "bad credentials", 401, NULL, 0,
	  "{\"message\":\"Bad credentials\",\"documentation_url\":"
	  "\"https://docs.github.com/rest\",\"status\":\"401\"}",
	  { "x-ratelimit-remaining", "59", NULL }, 1, HTTP_PERMANENT, 0, 0,
	  0, "401 Bad credentials" },
	{ "not found", 404, NULL, 0, GH("Not Found"), { NULL }, 1,
	  HTTP_PERMANENT, 0, 0, 0, "404 Not Found" },
	{ "not found, quota spent", 404, NULL, 0, GH("Not Found"),
	  { "x-ratelimit-remaining", "0", "x-ratelimit-reset", "1796126520",
	    NULL }, 1, HTTP_PERMANENT, 0, 0, 0, NULL },
	{ "issues disabled", 410, NULL, 0,
	  GH("Issues are disabled for this repo"), { NULL }, 1,
	  HTTP_PERMANENT, 0, 0, 0, "410 Issues are disabled for this repo" },
	{ "validation failed", 422, NULL, 0,
	  "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":"
	  "\"Issue\",\"code\":\"missing_field\",\"field\":\"title\"}],"
	  "\"documentation_url\":\"https://docs.github.com/rest/issues\","
	  "\"status\":\"422\"}", { NULL }, 1, HTTP_PERMANENT, 0, 0, 0,
	  "422 Validation Failed (title missing_field)" },
	{ "custom validation", 422, NULL, 0,
	  "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":"
	  "\"Label\",\"code\":\"custom\",\"message\":\"name is too long\"}]}",
	  { NULL }, 1, HTTP_PERMANENT, 0, 0, 0,
	  "422 Validation Failed (name is too long)" },
	{ "bad json", 400, NULL, 0, GH("Problems parsing JSON"), { NULL },
	  1, HTTP_PERMANENT, 0, 0, 0, "400 Problems parsing JSON" },
	{ "no user agent", 403, NULL, 0, UA_403 "\n",
	  { "Content-Type", "text/plain; charset=utf-8", NULL }, 1,
	  HTTP_PERMANENT, 0, 0, 0, NULL },
	{ "primary limit, 403", 403, NULL, 0,
	  GH("API rate limit exceeded for user ID 1."),
	  { "x-ratelimit-limit", "5000", "x-ratelimit-remaining", "0",
	    "x-ratelimit-used", "5000", "x-ratelimit-reset", "1796127000",
	    "x-ratelimit-resource", "core", NULL }, 1, HTTP_RETRY, 600000,
	  0, 0, "403 API rate limit exceeded for user ID 1." },
	{ "primary limit, no message", 403, NULL, 0, "",
	  { "x-ratelimit-remaining", "0", "x-ratelimit-reset", "1796126430",
	    NULL }, 1, HTTP_RETRY, 30000, 0, 0, "403 Forbidden" },
	{ "primary limit, reset already past", 403, NULL, 0, "",
	  { "x-ratelimit-remaining", "0", "x-ratelimit-reset", "1796126370",
	    NULL }, 1, HTTP_RETRY, 60000, 0, 0, NULL },
	{ "primary limit, 429", 429, NULL, 0,
	  GH("API rate limit exceeded for user ID 1."),
	  { "x-ratelimit-remaining", "0", "x-ratelimit-reset", "1796127000",
	    NULL }, 4, HTTP_RETRY, 600000, 0, 0, NULL },
	{ "secondary limit with retry-after", 403, NULL, 0, GH(SECONDARY),
	  { "retry-after", "60", "x-ratelimit-remaining", "4321", NULL }, 1,
	  HTTP_RETRY, 60000, 0, 0, "403 " SECONDARY },
	{ "secondary limit, no header", 403, NULL, 0, GH(SECONDARY),
	  { NULL }, 1, HTTP_RETRY, 60000, 0, 0, NULL },
	{ "secondary limit, no header, 10th try", 403, NULL, 0,
	  GH(SECONDARY), { NULL }, 10, HTTP_RETRY, RANGE, 450000, 600000,
	  NULL },
	{ "403 with only retry-after", 403, NULL, 0, GH("Forbidden"),
	  { "Retry-After", "30", NULL }, 1, HTTP_RETRY, 30000, 0, 0, NULL },
	{ "403 forbidden", 403, NULL, 0,
	  GH("Resource not accessible by personal access token"),
	  { "x-ratelimit-remaining", "4999", NULL }, 1, HTTP_PERMANENT, 0, 0,
	  0, NULL },
	{ "429 without any header", 429, NULL, 0, "", { NULL }, 1,
	  HTTP_RETRY, 60000, 0, 0, "429 Too Many Requests" },
	{ "largest hint wins", 429, NULL, 0, "",
	  { "Retry-After", "10", "x-ratelimit-remaining", "0",
	    "x-ratelimit-reset", "1796126500", NULL }, 1, HTTP_RETRY, 100000,
	  0, 0, NULL },
	{ "service unavailable", 503, NULL, 0, GH("Service Unavailable"),
	  { NULL }, 1, HTTP_RETRY, RANGE, 1500, 2000, NULL },
	{ "service unavailable, 3rd try", 503, NULL, 0, "", { NULL }, 3,
	  HTTP_RETRY, RANGE, 6000, 8000, "503 Service Unavailable" },
	{ "attempt 0 counts as 1", 503, NULL, 0, "", { NULL }, 0,
	  HTTP_RETRY, RANGE, 1500, 2000, NULL },
	{ "backoff is capped", 503, NULL, 0, "", { NULL }, INT_MAX,
	  HTTP_RETRY, RANGE, 450000, 600000, NULL },
	{ "retry-after imf-fixdate", 503, NULL, 0, "",
	  { "Retry-After", "Tue, 01 Dec 2026 12:01:30 GMT", NULL }, 1,
	  HTTP_RETRY, 90000, 0, 0, NULL },
	{ "retry-after rfc 850", 503, NULL, 0, "",
	  { "Retry-After", "Tuesday, 01-Dec-26 12:01:30 GMT", NULL }, 1,
	  HTTP_RETRY, 90000, 0, 0, NULL },
	{ "retry-after asctime", 503, NULL, 0, "",
	  { "Retry-After", "Tue Dec  1 12:01:30 2026", NULL }, 1,
	  HTTP_RETRY, 90000, 0, 0, NULL },
	{ "retry-after in the past", 503, NULL, 0, "",
	  { "Retry-After", "Tue, 01 Dec 2026 11:59:00 GMT", NULL }, 1,
	  HTTP_RETRY, RANGE, 1500, 2000, NULL },
	{ "retry-after 0", 503, NULL, 0, "",
	  { "Retry-After", "0", NULL }, 1, HTTP_RETRY, RANGE, 1500, 2000,
	  NULL },
	{ "retry-after unreadable", 503, NULL, 0, "",
	  { "Retry-After", "soon", NULL }, 1, HTTP_RETRY, RANGE, 1500, 2000,
	  NULL },
	{ "retry-after of ten days", 503, NULL, 0, "",
	  { "Retry-After", "864000", NULL }, 1, HTTP_RETRY,
	  HTTP_WAIT_MAX_MS, 0, 0, NULL },
	{ "retry-after absurd", 503, NULL, 0, "",
	  { "Retry-After", "99999999999999", NULL }, 1, HTTP_RETRY,
	  HTTP_WAIT_MAX_MS, 0, 0, NULL },
	{ "reset in ten days", 429, NULL, 0, "",
	  { "x-ratelimit-remaining", "0", "x-ratelimit-reset", "1797990400",
	    NULL }, 1, HTTP_RETRY, HTTP_WAIT_MAX_MS, 0, 0, NULL },
	{ "bad gateway page", 502, NULL, 0,
	  "<html><body><h1>502 Bad Gateway</h1></body></html>", { NULL }, 1,
	  HTTP_RETRY, RANGE, 1500, 2000, "502 Bad Gateway" },
	{ "request timeout", 408, NULL, 0, "", { NULL }, 1, HTTP_RETRY,
	  RANGE, 1500, 2000, "408 Request Timeout" },
	{ "unfollowed redirect", 301, NULL, 0, "", { NULL }, 1,
	  HTTP_PERMANENT, 0, 0, 0, "301 Moved Permanently" },
	{ "graphql error is an http success", 200, NULL, 0,
	  "{\"data\":{\"pinIssue\":null},\"errors\":[{\"type\":"
	  "\"NOT_FOUND\",\"message\":\"Could not resolve\"}]}", { NULL }, 1,
	  HTTP_DONE, 0, 0, 0, "200 OK" },
	/* GitHub contents API. */
	{ "stale sha", 409, NULL, 0,
	  GH("content/issues/x.md does not match 3d21ec53"), { NULL }, 2,
	  HTTP_RETRY, RANGE, 3000, 4000,
	  "409 content/issues/x.md does not match 3d21ec53" },
	{ "missing sha", 422, NULL, 0,
	  GH("Invalid request.\\n\\n\\\"sha\\\" wasn't supplied."), { NULL },
	  1, HTTP_PERMANENT, 0, 0, 0,
	  "422 Invalid request. \"sha\" wasn't supplied." },
	/* Telegram. */
	{ "telegram flood", 429, NULL, 0,
	  "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many "
	  "Requests: retry after 34\",\"parameters\":{\"retry_after\":34}}",
	  { NULL }, 1, HTTP_RETRY, 34000, 0, 0,
	  "429 Too Many Requests: retry after 34" },
	{ "telegram absurd retry_after", 429, NULL, 0,
	  "{\"ok\":false,\"error_code\":429,\"parameters\":"
	  "{\"retry_after\":9000000000}}", { NULL }, 1, HTTP_RETRY,
	  HTTP_WAIT_MAX_MS, 0, 0, "429 Too Many Requests" },
	{ "telegram chat not found", 400, NULL, 0,
	  "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: "
	  "chat not found\"}", { NULL }, 1, HTTP_PERMANENT, 0, 0, 0,
	  "400 Bad Request: chat not found" },
	{ "telegram unauthorized", 401, NULL, 0,
	  "{\"ok\":false,\"error_code\":401,\"description\":"
	  "\"Unauthorized\"}", { NULL }, 1, HTTP_PERMANENT, 0, 0, 0,
	  "401 Unauthorized" },
	{ "telegram blocked", 403, NULL, 0,
	  "{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: "
	  "bot was blocked by the user\"}", { NULL }, 1, HTTP_PERMANENT, 0,
	  0, 0, "403 Forbidden: bot was blocked by the user" },
	/* Sentry. */
	{ "sentry bad token", 401, NULL, 0, "{\"detail\":\"Invalid token\"}",
	  { NULL }, 1, HTTP_PERMANENT, 0, 0, 0, "401 Invalid token" },
	{ "sentry rate limit", 429, NULL, 0, "",
	  { "X-Sentry-Rate-Limit-Limit", "40",
	    "X-Sentry-Rate-Limit-Remaining", "0",
	    "X-Sentry-Rate-Limit-Reset", "1796126405", NULL }, 1, HTTP_RETRY,
	  5000, 0, 0, NULL },
	{ "sentry concurrency limit", 429, NULL, 0, "",
	  { "X-Sentry-Rate-Limit-Remaining", "12",
	    "X-Sentry-Rate-Limit-Reset", "1796126405",
	    "X-Sentry-Rate-Limit-ConcurrentRemaining", "0", NULL }, 1,
	  HTTP_RETRY, 60000, 0, 0, NULL },
	/* Cachet. */
	{ "cachet incident", 200, NULL, 0,
	  "{\"data\":{\"id\":1,\"name\":\"DB slow\",\"status\":1}}",
	  { NULL }, 1, HTTP_DONE, 0, 0, 0, NULL },
	{ "cachet validation", 400, NULL, 0,
	  "{\"errors\":[{\"id\":\"2f3a\",\"status\":400,\"title\":\"Bad "
	  "Request\",\"detail\":\"The request cannot be fulfilled due to bad "
	  "syntax.\",\"meta\":{\"details\":[\"The name field is "
	  "required.\"]}}]}", { NULL }, 1, HTTP_PERMANENT, 0, 0, 0,
	  "400 The name field is required." },
	{ "cachet unauthorized", 401, NULL, 0,
	  "{\"errors\":[{\"id\":\"9c1d\",\"status\":401,\"title\":"
	  "\"Unauthorized\"}]}", { NULL }, 1, HTTP_PERMANENT, 0, 0, 0,
	  "401 Unauthorized" },
	{ "cachet 3 validation", 422, NULL, 0,
	  "{\"message\":\"The name field is required.\",\"errors\":"
	  "{\"name\":[\"The name field is required.\"]}}", { NULL }, 1,
	  HTTP_PERMANENT, 0, 0, 0, "422 The name field is required." },
	/* Prometheus and Alertmanager. */
	{ "prometheus execution", 422, NULL, 0,
	  "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":"
	  "\"expanding series: too many samples\"}", { NULL }, 1,
	  HTTP_PERMANENT, 0, 0, 0,
	  "422 expanding series: too many samples" },
	{ "prometheus timeout", 503, NULL, 0,
	  "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":"
	  "\"query timed out\"}", { NULL }, 1, HTTP_RETRY, RANGE, 1500, 2000,
	  "503 query timed out" },
	{ "alertmanager bad matcher", 400, NULL, 0,
	  "\"bad matcher format: severity\"", { NULL }, 1, HTTP_PERMANENT, 0,
	  0, 0, "400 bad matcher format: severity" },
	{ "alertmanager down", 500, NULL, 0, "", { NULL }, 1, HTTP_RETRY,
	  RANGE, 1500, 2000, "500 Internal Server Error" },
	/* Transport. */
	{ "timed out", 0, "timed out", 0, "", { NULL }, 1, HTTP_RETRY,
	  RANGE, 1500, 2000, "timed out" },
	{ "refused", 0, "Couldn't connect to server", 0, "", { NULL }, 2,
	  HTTP_RETRY, RANGE, 3000, 4000, "Couldn't connect to server" },
	{ "too large", 0, "response too large", 1, "", { NULL }, 1,
	  HTTP_PERMANENT, 0, 0, 0, "response too large" },
};

/* Build a response from a case; h holds the headers. */
static void
case_response(const struct ccase *c, struct http_response *r,
    struct http_header *h)
{
	size_t	n = 0;

	memset(r, 0, sizeof *r);
	r->status = c->status;
	r->error = c->error;
	r->too_large = c->too_large;
	r->body = (char *)c->body;
	r->body_len = strlen(c->body);
	while (c->hdr[2 * n] != NULL) {
		h[n].name = (char *)c->hdr[2 * n];
		h[n].value = (char *)c->hdr[2 * n + 1];
		n++;
	}
	r->headers = h;
	r->nheaders = n;
}

/* Every case: the verdict, the delay and the cause. */
static void
test_classify_cases(void **state)
{
	struct http_response	 r;
	struct http_header	 h[6];
	char			 cause[256];
	long long		 ms;
	enum http_verdict	 v;
	size_t			 i;

	for (i = 0; i < nitems(ccases); i++) {
		const struct ccase *c = &ccases[i];

		case_response(c, &r, h);
		ms = -12345;
		v = http_classify(&r, c->attempt, NOW, &ms);
		if (v != c->want)
			fail_msg("%s: verdict %s, want %s", c->what,
			    http_verdict_name(v), http_verdict_name(c->want));
		if (c->ms == RANGE && (ms < c->lo || ms > c->hi))
			fail_msg("%s: %lld ms, want %lld..%lld", c->what, ms,
			    c->lo, c->hi);
		if (c->ms != RANGE && ms != c->ms)
			fail_msg("%s: %lld ms, want %lld", c->what, ms, c->ms);
		assert_int_equal(http_classify(&r, c->attempt, NOW, NULL), v);
		http_cause(&r, cause, sizeof cause);
		if (c->cause != NULL && strcmp(cause, c->cause) != 0)
			fail_msg("%s: cause \"%s\", want \"%s\"", c->what,
			    cause, c->cause);
	}
}

/* The cause of a long plain-text 403: its first line, cut short. */
static void
test_cause_plain_text(void **state)
{
	struct http_header	 h[1] = { { "Content-Type", "text/plain" } };
	const char		*want = "403 Request forbidden by "
				    "administrative rules. Please make sure";
	struct http_response	 r;
	char			 cause[512];

	memset(&r, 0, sizeof r);
	r.status = 403;
	r.body = UA_403 "\nsecond line";
	r.body_len = strlen(r.body);
	r.headers = h;
	r.nheaders = 1;
	http_cause(&r, cause, sizeof cause);
	assert_true(strncmp(cause, want, strlen(want)) == 0);
	assert_true(strlen(cause) <= 160);
	assert_null(strstr(cause, "second"));
	/* Not UTF-8: the reason phrase instead. */
	r.body = "\xff\xfe junk";
	r.body_len = strlen(r.body);
	assert_string_equal(http_cause(&r, cause, sizeof cause),
	    "403 Forbidden");
}

/*
 * A cause is one safe line: no CR, LF or other control characters (a
 * chat line could otherwise carry a second IRC command), cut on a UTF-8
 * boundary to the buffer and to 160 bytes.
 */
static void
test_cause_tidy(void **state)
{
	struct http_response	 r;
	struct buf		 b;
	char			 cause[512], small[8];
	int			 i;

	memset(&r, 0, sizeof r);
	r.status = 500;
	r.body = "{\"message\":\"line one\\r\\nPRIVMSG #ops :pwned\\u0007\"}";
	r.body_len = strlen(r.body);
	assert_string_equal(http_cause(&r, cause, sizeof cause),
	    "500 line one PRIVMSG #ops :pwned");

	buf_init(&b);
	buf_addstr(&b, "{\"message\":\"");
	for (i = 0; i < 200; i++)
		buf_addstr(&b, "\xc3\xa9");		/* é */
	buf_addstr(&b, "\"}");
	r.status = 400;
	r.body = b.data;
	r.body_len = b.len;
	http_cause(&r, cause, sizeof cause);
	assert_true(strlen(cause) <= 160 && strlen(cause) >= 150);
	assert_true(util_utf8_valid(cause, strlen(cause)));
	/* "400 é" needs 6 bytes: 6 of room (7 with the NUL) keep it. */
	assert_string_equal(http_cause(&r, small, 7), "400 \xc3\xa9");
	/* 5 of room would cut the é in two: it goes whole. */
	assert_string_equal(http_cause(&r, small, 6), "400");
	assert_string_equal(http_cause(&r, small, 1), "");
	assert_string_equal(http_cause(&r, small, 0), "");
	buf_free(&b);

	assert_string_equal(http_cause(NULL, cause, sizeof cause),
	    "no response");
}

/*
 * The backoff is jittered (not every try of a crowd waits the same) and
 * stays inside its documented range.
 */
static void
test_backoff_jitter(void **state)
{
	struct http_response	r;
	long long		ms, first = -1;
	int			i, differ = 0;

	memset(&r, 0, sizeof r);
	r.status = 503;
	r.body = "";
	for (i = 0; i < 200; i++) {
		assert_int_equal(http_classify(&r, 5, NOW, &ms), HTTP_RETRY);
		assert_true(ms >= 24000 && ms <= 32000);
		if (first < 0)
			first = ms;
		else if (ms != first)
			differ = 1;
	}
	assert_true(differ);
}

/* Names of verdicts, and a missing response. */
static void
test_verdict_names(void **state)
{
	long long	ms = 7;

	assert_string_equal(http_verdict_name(HTTP_DONE), "done");
	assert_string_equal(http_verdict_name(HTTP_RETRY), "retry");
	assert_string_equal(http_verdict_name(HTTP_PERMANENT), "permanent");
	assert_int_equal(http_classify(NULL, 1, NOW, &ms), HTTP_PERMANENT);
	assert_int_equal(ms, 0);
}

/* Run every test, each on its own loop, server and client. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_root, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_echo_methods, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_big_body, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hang_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_redirect, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reset_and_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_reentry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_free_in_callback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_free_in_flight, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cancel_owner, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cancel_owner_inside,
		    setup, teardown),
		cmocka_unit_test(test_header_lookup),
		cmocka_unit_test(test_classify_cases),
		cmocka_unit_test(test_cause_plain_text),
		cmocka_unit_test(test_cause_tidy),
		cmocka_unit_test(test_backoff_jitter),
		cmocka_unit_test(test_verdict_names),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
