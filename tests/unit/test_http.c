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

/* Start a GET of path with max_body and timeout; assert it started. */
static long long
get(struct fixture *f, const char *path, size_t max_body, long timeout,
    struct result *r)
{
	struct http_request	 q;
	char			*u = url(f, path);
	long long		 id;

	memset(&q, 0, sizeof q);
	q.url = u;
	q.max_body = max_body;
	q.timeout_ms = timeout;
	id = http_start(f->http, &q, on_done, r);
	free(u);	/* http_start copies */
	assert_true(id > 0);
	return id;
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

/* A redirect is followed; only the final response's headers remain. */
static void
test_redirect(void **state)
{
	struct fixture	*f = *state;
	struct result	 r = { 0 }, ftp = { 0 };

	get(f, "/redirect", 0, 0, &r);
	get(f, "/redirect-ftp", 0, 0, &ftp);
	assert_int_equal(run_until(f->loop, &r.called, 1, 5000), 0);
	assert_int_equal(run_until(f->loop, &ftp.called, 1, 5000), 0);

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
		cmocka_unit_test(test_header_lookup),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
