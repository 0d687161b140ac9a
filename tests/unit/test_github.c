/*
 * test_github.c — bot/github.c: the pure parts (headers, URLs for
 * github.com and GitHub Enterprise, JSON bodies, readers fed with the
 * response bodies of shared/API-CONTRACTS.md, the marker search, GraphQL
 * errors inside HTTP 200), then each operation end to end against a
 * thread that answers canned responses on a socket and records what the
 * client sent. This file owns only test code.
 */
/* deps: github http loop util log */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <jansson.h>

#include "github.h"
#include "http.h"
#include "loop.h"
#include "util.h"

#ifndef OB_VERSION
#define OB_VERSION "0.0.0"
#endif

/* The issue of API-CONTRACTS.md §1, "Minimal issue response". */
static const char ISSUE_JSON[] =
    "{\"id\":1000,\"node_id\":\"I_kwDOAbc123\",\"number\":1,"
    "\"title\":\"Issue title\",\"body\":null,\"state\":\"open\","
    "\"state_reason\":null,\"locked\":false,\"comments\":0,\"labels\":[],"
    "\"assignees\":[],\"user\":{\"login\":\"bot\",\"id\":1,"
    "\"type\":\"User\"},\"url\":\"https://api.github.com/repos/o/r/issues/1\","
    "\"html_url\":\"https://github.com/o/r/issues/1\","
    "\"created_at\":\"2017-10-10T16:00:00Z\","
    "\"updated_at\":\"2017-10-10T16:00:00Z\",\"closed_at\":null}";

static const char COMMENT_JSON[] =
    "{\"id\":1,\"node_id\":\"IC_kwDOAbc\",\"html_url\":"
    "\"https://github.com/o/r/issues/1347#issuecomment-1\","
    "\"body\":\"Me too\",\"user\":{\"login\":\"bot\"},"
    "\"created_at\":\"2017-10-10T16:00:00Z\","
    "\"updated_at\":\"2017-10-10T16:00:00Z\","
    "\"issue_url\":\"https://api.github.com/repos/o/r/issues/1347\"}";

static const char GQL_NOT_FOUND[] =
    "{\"data\":{\"pinIssue\":null},\"errors\":[{\"type\":\"NOT_FOUND\","
    "\"path\":[\"pinIssue\"],\"locations\":[{\"line\":1,\"column\":20}],"
    "\"message\":\"Could not resolve to a node with the global id of "
    "'X'\"}]}";

static const char GQL_PIN_LIMIT[] =
    "{\"data\":{\"pinIssue\":null},\"errors\":[{\"type\":\"UNPROCESSABLE\","
    "\"path\":[\"pinIssue\"],\"message\":\"You have reached the maximum "
    "number of pinned issues for this repository\"}]}";

static const char GQL_PINNED[] =
    "{\"data\":{\"pinIssue\":{\"issue\":{\"id\":\"I_kwDOAbc123\","
    "\"number\":12,\"isPinned\":true}}}}";

static const char MARKER[] = "<!-- outagebot:outage=test/1 -->";

/* A client for the pure URL helpers (no http). */
static struct gh *
gh_pure(const char *api_url, const char *repo)
{
	struct gh_config	 cfg = { api_url, repo, "tok", 0 };
	char			*cause = NULL;
	struct gh		*gh;

	gh = gh_new(NULL, &cfg, &cause);
	assert_non_null(gh);
	assert_null(cause);
	return gh;
}

/* An issue object of a listing page. */
static json_t *
page_issue(int number, const char *body, int pull)
{
	json_t	*o;

	o = json_pack("{s:i,s:s,s:s,s:s?}", "number", number, "node_id",
	    "I_n", "html_url", "https://github.com/o/r/issues/n", "body",
	    body);
	if (pull)
		json_object_set_new(o, "pull_request", json_object());
	return o;
}

/* A listing page of n issues numbered from first down, marker in one. */
static char *
page_json(int first, int n, int marked)
{
	json_t	*a = json_array();
	char	*s, *body;
	int	 i;

	for (i = 0; i < n; i++) {
		body = xasprintf("outage %d\n%s", first - i,
		    first - i == marked ? MARKER :
		    "<!-- outagebot:outage=test/10 -->");
		json_array_append_new(a, page_issue(first - i, body, 0));
		free(body);
	}
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* Every request carries the four headers; a body adds Content-Type. */
static void
test_headers(void **state)
{
	char	**h = gh_headers("s3cret", 0);
	char	**hb = gh_headers("s3cret", 1);
	size_t	  n;

	assert_string_equal(h[0], "Authorization: Bearer s3cret");
	assert_string_equal(h[1], "User-Agent: outagebot/" OB_VERSION);
	assert_string_equal(h[2], "Accept: application/vnd.github+json");
	assert_string_equal(h[3], "X-GitHub-Api-Version: 2022-11-28");
	assert_null(h[4]);
	for (n = 0; hb[n] != NULL; n++)
		;
	assert_int_equal(n, 6);
	assert_string_equal(hb[4], "Content-Type: application/json");
	gh_headers_free(h);
	gh_headers_free(hb);
	gh_headers_free(NULL);
}

/* GraphQL lives at /graphql on github.com, /api/graphql on Enterprise. */
static void
test_graphql_url(void **state)
{
	static const char *const cases[][2] = {
		{ "https://api.github.com", "https://api.github.com/graphql" },
		{ "https://api.github.com/", "https://api.github.com/graphql" },
		{ "https://ghe.example/api/v3", "https://ghe.example/api/graphql" },
		{ "https://ghe.example/api/v3//",
		    "https://ghe.example/api/graphql" },
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080/graphql" },
		{ "http://h/gh/api/v3", "http://h/gh/api/graphql" },
	};
	size_t	 i;
	char	*u;

	for (i = 0; i < nitems(cases); i++) {
		u = gh_graphql_url(cases[i][0]);
		assert_string_equal(u, cases[i][1]);
		free(u);
	}
	assert_null(gh_graphql_url(NULL));
}

/* REST URLs: trailing slash dropped, owner and name escaped. */
static void
test_rest_urls(void **state)
{
	static const char *const labels[] = { "outage", "sev 1,x", NULL };
	struct gh	*gh = gh_pure("https://ghe.example/api/v3/",
			    "packit/packit-service");
	struct gh	*odd = gh_pure("https://api.github.com", "o%x/n?y");
	char		*u;

	assert_string_equal(gh_repo_url(gh),
	    "https://ghe.example/api/v3/repos/packit/packit-service");
	u = gh_issue_url(gh, 0);
	assert_string_equal(u, "https://ghe.example/api/v3/repos/packit/"
	    "packit-service/issues");
	free(u);
	u = gh_issue_url(gh, 12);
	assert_string_equal(u, "https://ghe.example/api/v3/repos/packit/"
	    "packit-service/issues/12");
	free(u);
	u = gh_comments_url(gh, 12);
	assert_string_equal(u, "https://ghe.example/api/v3/repos/packit/"
	    "packit-service/issues/12/comments");
	free(u);
	u = gh_list_url(gh, labels, 2);
	assert_string_equal(u, "https://ghe.example/api/v3/repos/packit/"
	    "packit-service/issues?state=all&sort=created&direction=desc"
	    "&per_page=100&page=2&labels=outage,sev%201%2Cx");
	free(u);
	u = gh_list_url(gh, NULL, 1);
	assert_null(strstr(u, "labels="));
	free(u);
	assert_string_equal(gh_repo_url(odd),
	    "https://api.github.com/repos/o%25x/n%3Fy");
	u = http_escape("a-b_c.d~e/f é");
	assert_string_equal(u, "a-b_c.d~e%2Ff%20%C3%A9");
	free(u);
	gh_free(gh);
	gh_free(odd);
	gh_free(NULL);
}

/* gh_new refuses what would make a wrong URL or a broken header. */
static void
test_new_refuses(void **state)
{
	static const char *const repos[] = { "noslash", "a/b/c", "../x",
	    "a/..", "a/", "/b", "a b/c", "a/b\n" };
	static const char *const urls[] = { "ftp://x", "api.github.com",
	    "https://x/?q=1", "https://x/#f", "https://x y" };
	static const char *const tokens[] = { "", "tok\n", "a\rb" };
	struct gh_config	 cfg = { "https://api.github.com", "o/r",
				    "tok", 0 };
	char			*cause;
	size_t			 i;

	for (i = 0; i < nitems(repos); i++) {
		cfg.repo = repos[i];
		cause = NULL;
		assert_null(gh_new(NULL, &cfg, &cause));
		assert_non_null(cause);
		free(cause);
	}
	cfg.repo = "o/r";
	for (i = 0; i < nitems(urls); i++) {
		cfg.api_url = urls[i];
		cause = NULL;
		assert_null(gh_new(NULL, &cfg, &cause));
		assert_non_null(strstr(cause, "api_url"));
		free(cause);
	}
	cfg.api_url = "https://api.github.com";
	for (i = 0; i < nitems(tokens); i++) {
		cfg.token = tokens[i];
		cause = NULL;
		assert_null(gh_new(NULL, &cfg, &cause));
		assert_non_null(strstr(cause, "token"));
		free(cause);
	}
	cfg.token = NULL;
	assert_null(gh_new(NULL, &cfg, NULL));
}

/* The JSON bodies carry user text exactly, whatever it holds. */
static void
test_json_bodies(void **state)
{
	static const char *const labels[] = { "outage", "sev\"1", NULL };
	static const char *const bad_labels[] = { "ok", "bad \xc3", NULL };
	const char	*title = "Copr \"down\" `x` @here\r\n<b>';DROP";
	json_t		*v;
	char		*s;

	s = gh_json_create(title, "body\n" "<!-- m -->", labels);
	v = json_loads(s, 0, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "title")),
	    title);
	assert_string_equal(json_string_value(json_object_get(v, "body")),
	    "body\n<!-- m -->");
	assert_int_equal(json_array_size(json_object_get(v, "labels")), 2);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(v, "labels"), 1)), "sev\"1");
	json_decref(v);
	free(s);
	s = gh_json_create("t", NULL, NULL);
	assert_string_equal(s, "{\"title\":\"t\"}");
	free(s);
	assert_null(gh_json_create(NULL, "b", NULL));
	assert_null(gh_json_create("bad \xff utf-8", NULL, NULL));
	assert_null(gh_json_create("t", "bad \xff", NULL));
	assert_null(gh_json_create("t", NULL, bad_labels));
	assert_null(gh_json_update(bad_labels, 1));
	assert_null(gh_json_comment("bad \xc3"));
	s = gh_json_comment("line 1\nline \"2\"");
	assert_string_equal(s, "{\"body\":\"line 1\\nline \\\"2\\\"\"}");
	free(s);
	s = gh_json_close();
	assert_string_equal(s,
	    "{\"state\":\"closed\",\"state_reason\":\"completed\"}");
	free(s);
	s = gh_json_pin("I_kw\"x", 1);
	v = json_loads(s, 0, NULL);
	assert_non_null(strstr(json_string_value(json_object_get(v,
	    "query")), "pinIssue(input:{issueId:$id})"));
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(v, "variables"), "id")), "I_kw\"x");
	json_decref(v);
	free(s);
	s = gh_json_pin("I_x", 0);
	assert_non_null(strstr(s, "unpinIssue(input:{issueId:$id})"));
	free(s);
	assert_null(gh_json_pin("", 1));
	assert_null(gh_json_pin(NULL, 0));
}

/* The issue and comment readers on the contract's bodies. */
static void
test_readers(void **state)
{
	struct gh_result	 res;
	struct gh_json		*keep;

	memset(&res, 0, sizeof res);
	assert_int_equal(gh_read_issue(ISSUE_JSON, strlen(ISSUE_JSON), &res,
	    &keep), 0);
	assert_int_equal(res.number, 1);
	assert_string_equal(res.node_id, "I_kwDOAbc123");
	assert_string_equal(res.html_url, "https://github.com/o/r/issues/1");
	gh_json_release(keep);
	memset(&res, 0, sizeof res);
	assert_int_equal(gh_read_comment(COMMENT_JSON, strlen(COMMENT_JSON),
	    &res, &keep), 0);
	assert_int_equal(res.comment_id, 1);
	assert_string_equal(res.html_url,
	    "https://github.com/o/r/issues/1347#issuecomment-1");
	gh_json_release(keep);
	assert_int_equal(gh_read_issue("{\"number\":1,\"html_url\":\"u\"}",
	    27, &res, &keep), -1);
	assert_null(keep);
	assert_int_equal(gh_read_issue("<html>", 6, &res, &keep), -1);
	assert_int_equal(gh_read_comment(ISSUE_JSON, 10, &res, &keep), -1);
	assert_int_equal(gh_read_comment("{\"id\":\"7\",\"html_url\":\"u\"}",
	    25, &res, &keep), -1);
}

/* The marker is found only whole, only in an issue's body. */
static void
test_find_marker(void **state)
{
	struct gh_result	 res;
	struct gh_json		*keep;
	size_t			 count;
	json_t			*a = json_array();
	char			*s;

	json_array_append_new(a, page_issue(14, "x <!-- outagebot:outage="
	    "test/12 -->", 0));
	json_array_append_new(a, page_issue(13, MARKER, 1));
	json_array_append_new(a, page_issue(12, NULL, 0));
	s = json_dumps(a, 0);
	memset(&res, 0, sizeof res);
	assert_int_equal(gh_find_marker(s, strlen(s), MARKER, &res, &count,
	    &keep), 0);
	assert_int_equal(count, 3);
	assert_null(keep);
	free(s);
	json_array_append_new(a, page_issue(11, "**What is broken:** x\n\n"
	    "<!-- outagebot:outage=test/1 -->\n", 0));
	s = json_dumps(a, 0);
	assert_int_equal(gh_find_marker(s, strlen(s), MARKER, &res, &count,
	    &keep), 1);
	assert_int_equal(res.number, 11);
	assert_string_equal(res.node_id, "I_n");
	gh_json_release(keep);
	free(s);
	json_decref(a);
	assert_int_equal(gh_find_marker(ISSUE_JSON, strlen(ISSUE_JSON),
	    MARKER, &res, &count, &keep), -1);
	assert_int_equal(gh_find_marker("[]", 2, "", &res, &count, &keep),
	    -1);
}

/* A listing response as http.c would hand it over. */
static void
fake_resp(struct http_response *r, struct http_header *link, long status,
    char *body)
{
	memset(r, 0, sizeof *r);
	r->status = status;
	r->body = body;
	r->body_len = strlen(body);
	r->headers = link;
	r->nheaders = link != NULL ? 1 : 0;
}

/* Page steps: next while Link says so, found on a later page, bounded. */
static void
test_find_page(void **state)
{
	struct http_header	 link = { "link", "<https://x/?page=2>; "
				    "rel=\"next\", <https://x/?page=3>; "
				    "rel=\"last\"" };
	struct http_header	 last = { "Link", "<https://x/?page=1>; "
				    "rel=\"first\"" };
	struct http_response	 r;
	struct gh_result	 res;
	struct gh_json		*keep;
	char			*p1 = page_json(300, 100, 0);
	char			*p2 = page_json(200, 100, 150);

	memset(&res, 0, sizeof res);
	fake_resp(&r, &link, 200, p1);
	assert_int_equal(gh_find_page(&r, MARKER, 1, 10, &res, &keep),
	    GH_FIND_NEXT);
	assert_int_equal(gh_find_page(&r, MARKER, 10, 10, &res, &keep),
	    GH_FIND_ABSENT);
	fake_resp(&r, NULL, 200, p1);
	assert_int_equal(gh_find_page(&r, MARKER, 1, 10, &res, &keep),
	    GH_FIND_ABSENT);
	fake_resp(&r, &last, 200, p1);
	assert_int_equal(gh_find_page(&r, MARKER, 1, 10, &res, &keep),
	    GH_FIND_ABSENT);
	fake_resp(&r, &link, 200, p2);
	assert_int_equal(gh_find_page(&r, MARKER, 2, 10, &res, &keep),
	    GH_FIND_FOUND);
	assert_int_equal(res.number, 150);
	gh_json_release(keep);
	fake_resp(&r, &link, 200, "[]");
	assert_int_equal(gh_find_page(&r, MARKER, 1, 10, &res, &keep),
	    GH_FIND_ABSENT);
	fake_resp(&r, NULL, 500, "{\"message\":\"Server Error\"}");
	assert_int_equal(gh_find_page(&r, MARKER, 1, 10, &res, &keep),
	    GH_FIND_ERROR);
	fake_resp(&r, NULL, 200, "{\"message\":\"odd\"}");
	assert_int_equal(gh_find_page(&r, MARKER, 1, 10, &res, &keep),
	    GH_FIND_ERROR);
	free(p1);
	free(p2);
}

/* GraphQL errors inside HTTP 200, classified. */
static void
test_graphql_error(void **state)
{
	static const struct {
		const char	*body;
		enum gh_gql	 want;
		const char	*msg;
	} cases[] = {
		{ GQL_PINNED, GH_GQL_OK, NULL },
		{ "{\"data\":{},\"errors\":[]}", GH_GQL_OK, NULL },
		{ GQL_NOT_FOUND, GH_GQL_PERMANENT,
		    "Could not resolve to a node with the global id of 'X'" },
		{ GQL_PIN_LIMIT, GH_GQL_PIN_LIMIT, "You have reached the "
		    "maximum number of pinned issues for this repository" },
		{ "{\"errors\":[{\"message\":\"You can only pin up to 3 "
		    "issues\"}]}", GH_GQL_PIN_LIMIT,
		    "You can only pin up to 3 issues" },
		{ "{\"errors\":[{\"type\":\"RATE_LIMITED\",\"message\":"
		    "\"API rate limit exceeded\"}]}", GH_GQL_RETRY,
		    "API rate limit exceeded" },
		{ "{\"errors\":[{\"type\":\"FORBIDDEN\",\"message\":\"no\"}]}",
		    GH_GQL_PERMANENT, "no" },
		{ "{\"errors\":[{\"message\":\"Something went wrong while "
		    "executing your query.\"}]}", GH_GQL_RETRY,
		    "Something went wrong while executing your query." },
		{ "<html>502</html>", GH_GQL_RETRY,
		    "unreadable GraphQL answer" },
	};
	size_t	 i;
	char	*msg;

	for (i = 0; i < nitems(cases); i++) {
		assert_int_equal(gh_graphql_error(cases[i].body,
		    strlen(cases[i].body), &msg), cases[i].want);
		if (cases[i].msg == NULL)
			assert_null(msg);
		else
			assert_string_equal(msg, cases[i].msg);
		free(msg);
	}
	assert_int_equal(gh_graphql_error(GQL_NOT_FOUND,
	    strlen(GQL_NOT_FOUND), NULL), GH_GQL_PERMANENT);
}

/* A GraphQL message fits one chat line, cut on a UTF-8 boundary. */
static void
test_graphql_message_one_line(void **state)
{
	char	body[300], *msg;
	size_t	i;

	memset(body, 'x', sizeof body);
	memcpy(body, "{\"errors\":[{\"message\":\"a\\nb", 27);
	/* "é" x 15 from offset 211: byte 200 of msg is mid-character */
	for (i = 0; i < 15; i++)
		memcpy(body + 211 + 2 * i, "\xc3\xa9", 2);
	memcpy(body + sizeof body - 5, "\"}]}", 5);
	assert_int_equal(gh_graphql_error(body, strlen(body), &msg),
	    GH_GQL_PERMANENT);
	assert_true(strncmp(msg, "a bxx", 5) == 0);
	assert_true(strlen(msg) <= 200 && strlen(msg) >= 195);
	assert_true(util_utf8_valid(msg, strlen(msg)));
	free(msg);
}

/* ---- end to end: canned answers from a thread ---- */

#define MAX_CANNED	4

/* A server thread: answers[i] goes to the i-th connection. */
struct canned {
	int		 lfd;
	int		 port;
	const char	*answers[MAX_CANNED];	/* whole HTTP responses */
	char		*requests[MAX_CANNED];	/* what it received */
	int		 n;
	pthread_t	 th;
};

/* Read one whole request (head and Content-Length body) from fd. */
static char *
read_request(int fd)
{
	struct buf	 b;
	char		 tmp[4096], *end, *cl;
	ssize_t		 n;
	long long	 want = 0;

	buf_init(&b);
	while ((n = read(fd, tmp, sizeof tmp)) > 0) {
		buf_add(&b, tmp, (size_t)n);
		end = strstr(b.data, "\r\n\r\n");
		if (end == NULL)
			continue;
		cl = strcasestr(b.data, "\r\nContent-Length: ");
		if (cl != NULL && cl < end)
			want = strtoll(cl + 18, NULL, 10);
		if ((long long)b.len >= (end + 4 - b.data) + want)
			break;
	}
	return buf_steal(&b);
}

/* Give up on fd's reads (and accepts) after 5 s. */
static void
set_timeout(int fd)
{
	struct timeval	tv = { 5, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/*
 * The thread: accept, record, answer, close; n times. A connection that
 * never comes (the client asked less than expected) ends it after 5 s.
 */
static void *
canned_main(void *arg)
{
	struct canned	*c = arg;
	int		 i, fd;

	set_timeout(c->lfd);
	for (i = 0; i < c->n; i++) {
		fd = accept(c->lfd, NULL, NULL);
		if (fd < 0)
			break;
		set_timeout(fd);
		c->requests[i] = read_request(fd);
		if (write(fd, c->answers[i], strlen(c->answers[i])) < 0)
			break;
		close(fd);
	}
	return NULL;
}

/* Start the thread on a kernel-chosen port of 127.0.0.1. */
static void
canned_start(struct canned *c)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	c->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c->lfd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(c->lfd, (struct sockaddr *)&sin, sizeof sin),
	    0);
	assert_int_equal(getsockname(c->lfd, (struct sockaddr *)&sin, &len),
	    0);
	assert_int_equal(listen(c->lfd, 8), 0);
	c->port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&c->th, NULL, canned_main, c), 0);
}

/* Wait for the thread; what it recorded stays for the test to read. */
static void
canned_stop(struct canned *c)
{
	pthread_join(c->th, NULL);
	close(c->lfd);
}

/* An HTTP response with a JSON body and extra header lines. */
static char *
answer(int status, const char *extra, const char *body)
{
	return xasprintf("HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n%s\r\n%s", status,
	    strlen(body), extra, body);
}

/* What an operation's callback saw, copied. */
struct seen {
	int		 called;
	int		 ok, found, pin_limit, gql_permanent;
	long long	 number, comment_id;
	long		 status;
	char		*node_id, *html_url, *error;
};

/* Copy an optional string. */
static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* gh_done_cb: copy the result. */
static void
on_done(const struct gh_result *res, const struct http_response *resp,
    void *arg)
{
	struct seen	*s = arg;

	s->called++;
	s->ok = res->ok;
	s->found = res->found;
	s->pin_limit = res->pin_limit;
	s->gql_permanent = res->gql_permanent;
	s->number = res->number;
	s->comment_id = res->comment_id;
	s->status = resp->status;
	s->node_id = dup_or_null(res->node_id);
	s->html_url = dup_or_null(res->html_url);
	s->error = dup_or_null(res->error);
}

/* Free what on_done copied and zero s for the next operation. */
static struct seen *
fresh(struct seen *s)
{
	free(s->node_id);
	free(s->html_url);
	free(s->error);
	memset(s, 0, sizeof *s);
	return s;
}

/* Free what on_done copied and what the server recorded. */
static void
seen_free(struct seen *s, struct canned *c)
{
	int	i;

	fresh(s);
	for (i = 0; i < c->n; i++)
		free(c->requests[i]);
}

/*
 * Run one operation against canned answers (n of them, freed here) with
 * an Enterprise base URL; start() starts it on gh.
 */
static void
run_op(struct canned *c, char **answers, int n, struct seen *s,
    int (*start)(struct gh *, struct seen *))
{
	struct loop		*loop = loop_new();
	struct http		*http = http_new(loop, "ignored");
	struct gh_config	 cfg = { NULL, "packit/service", "tok", 5000 };
	struct gh		*gh;
	char			*url;
	int			 i, spins = 0;

	memset(c, 0, sizeof *c);
	memset(s, 0, sizeof *s);
	for (i = 0; i < n; i++)
		c->answers[i] = answers[i];
	c->n = n;
	canned_start(c);
	url = xasprintf("http://127.0.0.1:%d/api/v3", c->port);
	cfg.api_url = url;
	gh = gh_new(http, &cfg, NULL);
	assert_non_null(gh);
	assert_int_equal(start(gh, s), 0);
	assert_int_equal(gh_pending(gh), 1);
	while (s->called == 0 && spins++ < 200)
		loop_once(loop, 50);
	assert_int_equal(s->called, 1);
	assert_int_equal(gh_pending(gh), 0);
	gh_free(gh);
	http_free(http);
	loop_free(loop);
	canned_stop(c);
	free(url);
	for (i = 0; i < n; i++)
		free(answers[i]);
}

/* Start a create with labels. */
static int
start_create(struct gh *gh, struct seen *s)
{
	static const char *const labels[] = { "outage", NULL };

	return gh_create_issue(gh, "Copr down", "body " "<!-- m -->", labels,
	    on_done, s);
}

/* Create: headers on the wire, the body, the result. */
static void
test_op_create(void **state)
{
	struct canned	 c;
	struct seen	 s;
	char		*a[] = { answer(201, "Location: x\r\n", ISSUE_JSON) };
	char		*odd[] = { answer(201, "", "{\"number\":1}") };
	const char	*req;

	run_op(&c, a, 1, &s, start_create);
	assert_true(s.ok);
	assert_int_equal(s.number, 1);
	assert_string_equal(s.node_id, "I_kwDOAbc123");
	assert_string_equal(s.html_url, "https://github.com/o/r/issues/1");
	assert_int_equal(s.status, 201);
	req = c.requests[0];
	assert_non_null(req);
	assert_true(strncmp(req, "POST /api/v3/repos/packit/service/issues "
	    "HTTP/1.1\r\n", 50) == 0);
	assert_non_null(strstr(req, "\r\nAuthorization: Bearer tok\r\n"));
	assert_non_null(strstr(req, "\r\nUser-Agent: outagebot/" OB_VERSION
	    "\r\n"));
	assert_non_null(strstr(req,
	    "\r\nAccept: application/vnd.github+json\r\n"));
	assert_non_null(strstr(req, "\r\nX-GitHub-Api-Version: 2022-11-28"
	    "\r\n"));
	assert_non_null(strstr(req, "\r\nContent-Type: application/json"));
	assert_null(strstr(req, "Expect:"));
	assert_non_null(strstr(req, "\r\n\r\n{\"title\":\"Copr down\","
	    "\"body\":\"body <!-- m -->\",\"labels\":[\"outage\"]}"));
	seen_free(&s, &c);
	run_op(&c, odd, 1, &s, start_create);
	assert_false(s.ok);
	assert_int_equal(s.status, 201);
	assert_string_equal(s.error, "201 with an unexpected body");
	assert_false(s.gql_permanent);
	seen_free(&s, &c);
}

/* Start a marker search. */
static int
start_find(struct gh *gh, struct seen *s)
{
	static const char *const labels[] = { "outage", NULL };

	return gh_find_issue(gh, labels, MARKER, 0, on_done, s);
}

/* The marker on the second page: two GETs, found. */
static void
test_op_find_later_page(void **state)
{
	struct canned	 c;
	struct seen	 s;
	char		*p1 = page_json(300, 100, 0);
	char		*p2 = page_json(200, 100, 150);
	char		*a[2];

	a[0] = answer(200, "Link: <http://x/?page=2>; rel=\"next\"\r\n", p1);
	a[1] = answer(200, "", p2);
	run_op(&c, a, 2, &s, start_find);
	assert_true(s.ok);
	assert_true(s.found);
	assert_int_equal(s.number, 150);
	assert_non_null(strstr(c.requests[0], "GET /api/v3/repos/packit/"
	    "service/issues?state=all&sort=created&direction=desc"
	    "&per_page=100&page=1&labels=outage HTTP/1.1\r\n"));
	assert_non_null(c.requests[1]);
	assert_non_null(strstr(c.requests[1], "&page=2&labels=outage "));
	assert_null(strstr(c.requests[0], "Content-Type"));
	seen_free(&s, &c);
	free(p1);
	free(p2);
}

/* Not found when the last page has no next link. */
static void
test_op_find_absent(void **state)
{
	struct canned	 c;
	struct seen	 s;
	char		*p1 = page_json(30, 30, 0);
	char		*a[] = { answer(200, "", p1) };

	run_op(&c, a, 1, &s, start_find);
	assert_true(s.ok);
	assert_false(s.found);
	assert_int_equal(s.number, 0);
	assert_null(s.error);
	seen_free(&s, &c);
	free(p1);
}

/* Start a comment on #12. */
static int
start_comment(struct gh *gh, struct seen *s)
{
	return gh_add_comment(gh, 12, "Update: fixed", on_done, s);
}

/* A comment, and a 401 that names the cause. */
static void
test_op_comment(void **state)
{
	struct canned	 c;
	struct seen	 s;
	char		*a[] = { answer(201, "", COMMENT_JSON) };
	char		*b[] = { answer(401, "", "{\"message\":\"Bad "
			    "credentials\",\"status\":\"401\"}") };

	run_op(&c, a, 1, &s, start_comment);
	assert_true(s.ok);
	assert_int_equal(s.comment_id, 1);
	assert_non_null(strstr(c.requests[0], "POST /api/v3/repos/packit/"
	    "service/issues/12/comments HTTP/1.1"));
	assert_non_null(strstr(c.requests[0], "{\"body\":\"Update: fixed\"}"));
	seen_free(&s, &c);
	run_op(&c, b, 1, &s, start_comment);
	assert_false(s.ok);
	assert_int_equal(s.status, 401);
	assert_string_equal(s.error, "401 Bad credentials");
	seen_free(&s, &c);
}

/* Start a close of #12. */
static int
start_close(struct gh *gh, struct seen *s)
{
	return gh_close_issue(gh, 12, on_done, s);
}

/* Start a label update of #12 without closing. */
static int
start_labels(struct gh *gh, struct seen *s)
{
	static const char *const labels[] = { "incident", "down", NULL };

	return gh_update_issue(gh, 12, labels, 0, on_done, s);
}

/* Close: a PATCH with state_reason completed. Labels: a PATCH that
 * replaces the set and leaves the state. */
static void
test_op_close(void **state)
{
	static const struct {
		int		(*start)(struct gh *, struct seen *);
		const char	*body;
	} cases[] = {
		{ start_close, "{\"state\":\"closed\",\"state_reason\":"
		  "\"completed\"}" },
		{ start_labels, "\r\n\r\n{\"labels\":[\"incident\","
		  "\"down\"]}" }
	};
	struct canned	 c;
	struct seen	 s;
	char		*a[1];
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		a[0] = answer(200, "", ISSUE_JSON);
		run_op(&c, a, 1, &s, cases[i].start);
		assert_true(s.ok);
		assert_non_null(strstr(c.requests[0], "PATCH /api/v3/repos/"
		    "packit/service/issues/12 HTTP/1.1"));
		assert_non_null(strstr(c.requests[0], cases[i].body));
		seen_free(&s, &c);
	}
}

/* Start a pin. */
static int
start_pin(struct gh *gh, struct seen *s)
{
	return gh_pin_issue(gh, "I_kwDOAbc123", 1, on_done, s);
}

/* Start an unpin. */
static int
start_unpin(struct gh *gh, struct seen *s)
{
	return gh_pin_issue(gh, "I_kwDOAbc123", 0, on_done, s);
}

/* Pins go to /api/graphql; the limit of 3 is a failure with a flag. */
static void
test_op_pin(void **state)
{
	struct canned	 c;
	struct seen	 s;
	char		*ok[] = { answer(200, "", GQL_PINNED) };
	char		*full[] = { answer(200, "", GQL_PIN_LIMIT) };
	char		*unpin[] = { answer(200, "", "{\"data\":{\"unpinIssue\":"
			    "{\"issue\":{\"id\":\"I\",\"isPinned\":false}}}}") };
	char		*gone[] = { answer(200, "", GQL_NOT_FOUND) };

	run_op(&c, ok, 1, &s, start_pin);
	assert_true(s.ok);
	assert_null(s.error);
	assert_non_null(strstr(c.requests[0], "POST /api/graphql HTTP/1.1"));
	assert_non_null(strstr(c.requests[0], "\"variables\":{\"id\":"
	    "\"I_kwDOAbc123\"}"));
	assert_non_null(strstr(c.requests[0], "Authorization: Bearer tok"));
	seen_free(&s, &c);
	run_op(&c, full, 1, &s, start_pin);
	assert_false(s.ok);
	assert_true(s.pin_limit);
	assert_true(s.gql_permanent);
	assert_int_equal(s.status, 200);
	assert_non_null(strstr(s.error, "maximum number of pinned"));
	seen_free(&s, &c);
	run_op(&c, unpin, 1, &s, start_unpin);
	assert_true(s.ok);
	assert_non_null(strstr(c.requests[0], "unpinIssue"));
	seen_free(&s, &c);
	run_op(&c, gone, 1, &s, start_unpin);
	assert_false(s.ok);
	assert_false(s.pin_limit);
	assert_true(s.gql_permanent);
	seen_free(&s, &c);
}

/* gh_done_cb that frees the client it came from (arg is a struct gh **). */
static void
on_done_free(const struct gh_result *res, const struct http_response *resp,
    void *arg)
{
	struct gh	**gh = arg;

	assert_true(res->ok);
	gh_free(*gh);
	*gh = NULL;
}

/* A callback may free the client; nothing touches it afterwards. */
static void
test_op_free_in_callback(void **state)
{
	struct loop		*loop = loop_new();
	struct http		*http = http_new(loop, "ua");
	struct canned		 c;
	struct gh_config	 cfg = { NULL, "o/r", "tok", 5000 };
	struct gh		*gh;
	char			*url;
	int			 spins = 0;

	memset(&c, 0, sizeof c);
	c.answers[0] = answer(200, "", ISSUE_JSON);
	c.n = 1;
	canned_start(&c);
	url = xasprintf("http://127.0.0.1:%d", c.port);
	cfg.api_url = url;
	gh = gh_new(http, &cfg, NULL);
	assert_int_equal(gh_close_issue(gh, 3, on_done_free, &gh), 0);
	while (gh != NULL && spins++ < 200)
		loop_once(loop, 50);
	assert_null(gh);
	canned_stop(&c);
	free(c.requests[0]);
	free((char *)c.answers[0]);
	free(url);
	http_free(http);
	loop_free(loop);
}

/* ---- end to end: the fake GitHub of tests/fakes as a child process ---- */

/* The fake, started with --enterprise and token "T". */
/* The fake's pid while it runs, for the teardown of a failed test. */
static pid_t	fake_pid;

struct fakegh {
	pid_t		 pid;
	char		*api_url;	/* http://127.0.0.1:PORT/api/v3 */
	char		*base;		/* http://127.0.0.1:PORT */
	struct loop	*loop;
	struct http	*http;
};

/* Start the fake (from the source tree's root); -1 if it cannot run. */
static int
fakegh_start(struct fakegh *f)
{
	int	 p[2];
	FILE	*in;
	char	 line[512], *url, *end;

	memset(f, 0, sizeof *f);
	if (access("tests/fakes/github.py", R_OK) != 0 || pipe(p) != 0)
		return -1;
	f->pid = fake_pid = fork();
	if (f->pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execlp("python3", "python3", "tests/fakes/github.py", "--port",
		    "0", "--token", "T", "--enterprise", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	in = fdopen(p[0], "r");
	url = fgets(line, sizeof line, in) != NULL ?
	    strstr(line, " on http://") : NULL;
	fclose(in);
	if (url == NULL || (end = strstr(url, "/api/v3 ")) == NULL) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
		fake_pid = 0;
		return -1;
	}
	url += 4;
	f->base = xstrndup(url, (size_t)(end - url));
	f->api_url = xstrndup(url, (size_t)(end - url) + 7);
	f->loop = loop_new();
	f->http = http_new(f->loop, "test");
	return 0;
}

/* Stop the fake and free everything. */
static void
fakegh_stop(struct fakegh *f)
{
	http_free(f->http);
	loop_free(f->loop);
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
	fake_pid = 0;
	free(f->api_url);
	free(f->base);
}

/* The body of one control request, for ctl_done. */
struct ctl_answer {
	int	 done;
	long	 status;
	json_t	*json;
};

/* http_done_cb: keep the status and the parsed body. */
static void
ctl_done(const struct http_response *resp, void *arg)
{
	struct ctl_answer	*a = arg;

	a->done = 1;
	a->status = resp->status;
	a->json = json_loadb(resp->body, resp->body_len, 0, NULL);
}

/* A request to the fake's /_fake/ control endpoint; caller decrefs. */
static json_t *
ctl(struct fakegh *f, const char *method, const char *what, json_t *body)
{
	struct http_request	 q;
	struct ctl_answer	 a;
	char			*url = xasprintf("%s/_fake/%s", f->base, what);
	char			*text = body != NULL ? json_dumps(body, 0) :
				    NULL;
	int			 spins = 0;

	memset(&q, 0, sizeof q);
	memset(&a, 0, sizeof a);
	q.method = method;
	q.url = url;
	q.body = text;
	q.body_len = text != NULL ? strlen(text) : 0;
	assert_true(http_start(f->http, &q, ctl_done, &a) > 0);
	while (!a.done && spins++ < 200)
		loop_once(f->loop, 50);
	assert_true(a.status >= 200 && a.status <= 299);
	json_decref(body);
	free(text);
	free(url);
	return a.json;
}

/* Wait for one operation's callback. */
static void
drive(struct fakegh *f, struct seen *s)
{
	int	spins = 0;

	while (s->called == 0 && spins++ < 200)
		loop_once(f->loop, 50);
	assert_int_equal(s->called, 1);
}

/* Requests the fake saw whose path contains what. */
static size_t
ctl_count(struct fakegh *f, const char *what)
{
	json_t	*reqs = ctl(f, "GET", "requests", NULL), *r;
	size_t	 i, n = 0;

	json_array_foreach(reqs, i, r) {
		if (strstr(json_string_value(json_object_get(r, "path")),
		    what) != NULL)
			n++;
	}
	json_decref(reqs);
	return n;
}

/* Seed n issues of the fake's repo, with the outage label. */
static void
seed(struct fakegh *f, int n, const char *body)
{
	int	i;

	for (i = 0; i < n; i++)
		json_decref(ctl(f, "POST", "issue", json_pack("{s:s,s:s,s:s,"
		    "s:[s]}", "repo", "packit/service", "title", "older",
		    "body", body, "labels", "outage")));
}

/* The client's whole life of an outage against the fake (Enterprise). */
static void
test_against_fake(void **state)
{
	static const char *const labels[] = { "outage", NULL };
	struct fakegh		 f;
	struct gh_config	 cfg = { NULL, "packit/service", "T", 5000 };
	struct gh		*gh;
	struct seen		 s;
	json_t			*root, *st, *issue;
	char			*node;

	if (fakegh_start(&f) != 0)
		skip();
	memset(&s, 0, sizeof s);
	cfg.api_url = f.api_url;
	gh = gh_new(f.http, &cfg, NULL);
	seed(&f, 101, "<!-- outagebot:outage=test/10 -->");

	assert_int_equal(gh_find_issue(gh, labels, MARKER, 0, on_done,
	    fresh(&s)), 0);
	drive(&f, &s);
	assert_true(s.ok);
	assert_false(s.found);
	assert_int_equal(ctl_count(&f, "/issues?state=all"), 2);

	assert_int_equal(gh_create_issue(gh, "Copr down", "x\n" "<!-- "
	    "outagebot:outage=test/1 -->", labels, on_done, fresh(&s)), 0);
	drive(&f, &s);
	assert_true(s.ok);
	assert_int_equal(s.number, 102);
	node = xstrdup(s.node_id);
	seed(&f, 2, "newer");

	assert_int_equal(gh_find_issue(gh, labels, MARKER, 0, on_done,
	    fresh(&s)), 0);
	drive(&f, &s);
	assert_true(s.found);
	assert_int_equal(s.number, 102);
	assert_string_equal(s.node_id, node);

	assert_int_equal(gh_add_comment(gh, 102, "Update: fixed", on_done,
	    fresh(&s)), 0);
	drive(&f, &s);
	assert_true(s.ok);
	assert_true(s.comment_id > 0);
	assert_non_null(strstr(s.html_url, "/issues/102#issuecomment-"));

	assert_int_equal(gh_close_issue(gh, 102, on_done, fresh(&s)), 0);
	drive(&f, &s);
	assert_true(s.ok);

	assert_int_equal(gh_pin_issue(gh, node, 1, on_done, fresh(&s)), 0);
	drive(&f, &s);
	assert_true(s.ok);

	root = ctl(&f, "GET", "state", NULL);
	st = json_object_get(root, "packit/service");
	issue = json_array_get(json_object_get(st, "issues"), 101);
	assert_string_equal(json_string_value(json_object_get(issue,
	    "state")), "closed");
	assert_string_equal(json_string_value(json_object_get(issue,
	    "state_reason")), "completed");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_object_get(st, "comments"), "102"), 0),
	    "body")), "Update: fixed");
	assert_int_equal(json_integer_value(json_array_get(json_object_get(
	    st, "pins"), 0)), 102);
	json_decref(root);

	gh_free(gh);
	cfg.token = "wrong";
	gh = gh_new(f.http, &cfg, NULL);
	assert_int_equal(gh_close_issue(gh, 102, on_done, fresh(&s)), 0);
	drive(&f, &s);
	assert_false(s.ok);
	assert_string_equal(s.error, "401 Bad credentials");
	fresh(&s);
	gh_free(gh);
	free(node);
	fakegh_stop(&f);
}

/* Operations refuse what cannot be sent; gh_free cancels silently. */
static void
test_op_refused_and_cancelled(void **state)
{
	struct loop		*loop = loop_new();
	struct http		*http = http_new(loop, "ua");
	struct gh_config	 cfg = { "http://127.0.0.1:9/api/v3", "o/r",
				    "tok", 0 };
	struct gh		*gh = gh_new(http, &cfg, NULL);
	struct gh		*nohttp = gh_pure("https://x", "o/r");
	struct seen		 s;

	memset(&s, 0, sizeof s);
	assert_int_equal(gh_add_comment(gh, 0, "x", on_done, &s), -1);
	assert_int_equal(gh_close_issue(gh, -1, on_done, &s), -1);
	assert_int_equal(gh_find_issue(gh, NULL, "", 0, on_done, &s), -1);
	assert_int_equal(gh_create_issue(gh, "bad \xff", NULL, NULL, on_done,
	    &s), -1);
	assert_int_equal(gh_create_issue(nohttp, "t", NULL, NULL, on_done,
	    &s), -1);
	assert_int_equal(gh_pending(gh), 0);
	assert_int_equal(gh_pin_issue(gh, "I_x", 1, on_done, &s), 0);
	assert_int_equal(gh_pending(gh), 1);
	gh_free(gh);
	assert_int_equal(http_pending(http), 0);
	loop_once(loop, 20);
	assert_int_equal(s.called, 0);
	gh_free(nohttp);
	http_free(http);
	loop_free(loop);
}

/* The update body, the comment listing URL and the job marker. */
static void
test_once_pure(void **state)
{
	static const char *const labels[] = { "incident", "Copr", "down",
					       NULL };
	struct gh	*gh = gh_pure("https://ghe.example/api/v3", "o/r");
	char		*s;

	s = gh_json_update(labels, 1);
	assert_string_equal(s, "{\"state\":\"closed\",\"state_reason\":"
	    "\"completed\",\"labels\":[\"incident\",\"Copr\",\"down\"]}");
	free(s);
	s = gh_json_update(labels, 0);
	assert_string_equal(s, "{\"labels\":[\"incident\",\"Copr\","
	    "\"down\"]}");
	free(s);
	s = gh_comments_page_url(gh, 12, 3);
	assert_string_equal(s, "https://ghe.example/api/v3/repos/o/r/issues/"
	    "12/comments?per_page=100&page=3");
	free(s);
	s = gh_job_marker("packit", 42);
	assert_string_equal(s, "<!-- outagebot:job=packit/42 -->");
	free(s);
	gh_free(gh);
}

/* A page of comments: the marker found only whole, in a body. */
static void
test_find_comment_marker(void **state)
{
	static const char page[] =
	    "[{\"id\":7,\"html_url\":\"https://x/1#issuecomment-7\","
	    "\"body\":\"a\\n<!-- outagebot:job=t/42 -->\"},"
	    "{\"id\":8,\"html_url\":\"https://x/1#issuecomment-8\","
	    "\"body\":null},"
	    "{\"id\":9,\"html_url\":\"https://x/1#issuecomment-9\","
	    "\"body\":\"b\\n\\n<!-- outagebot:job=t/4 -->\\n\"}]";
	struct gh_result	 res;
	struct gh_json		*keep;
	size_t			 count;

	memset(&res, 0, sizeof res);
	assert_int_equal(gh_find_comment_marker(page, strlen(page),
	    "<!-- outagebot:job=t/4 -->", &res, &count, &keep), 1);
	assert_int_equal(res.comment_id, 9);
	assert_string_equal(res.html_url, "https://x/1#issuecomment-9");
	gh_json_release(keep);
	assert_int_equal(gh_find_comment_marker(page, strlen(page),
	    "<!-- outagebot:job=t/5 -->", &res, &count, &keep), 0);
	assert_int_equal(count, 3);
	assert_int_equal(gh_find_comment_marker(COMMENT_JSON,
	    strlen(COMMENT_JSON), "x", &res, &count, &keep), -1);
}

/* The verdict on a failed operation: http_classify's, but a 2xx goes
 * by gql_permanent; the reason is GitHub's words. */
static void
test_verdict(void **state)
{
	struct gh_result	 res;
	struct http_response	 r;
	long long		 ms;
	char			 why[64];

	memset(&res, 0, sizeof res);
	fake_resp(&r, NULL, 200, "{\"errors\":[{\"message\":\"x\"}]}");
	res.error = "Could not resolve";
	res.gql_permanent = 1;
	assert_int_equal(gh_verdict(&res, &r, 1, &ms, why, sizeof why),
	    HTTP_PERMANENT);
	assert_string_equal(why, "Could not resolve");
	res.gql_permanent = 0;
	assert_int_equal(gh_verdict(&res, &r, 1, &ms, why, sizeof why),
	    HTTP_RETRY);
	res.error = NULL;
	fake_resp(&r, NULL, 401, "{\"message\":\"Bad credentials\"}");
	assert_int_equal(gh_verdict(&res, &r, 1, &ms, why, sizeof why),
	    HTTP_PERMANENT);
	assert_string_equal(why, "401 Bad credentials");
	fake_resp(&r, NULL, 502, "{\"message\":\"Server Error\"}");
	assert_int_equal(gh_verdict(&res, &r, 1, &ms, why, sizeof why),
	    HTTP_RETRY);
	assert_true(ms > 0);
}

/* Start a comment on #12 that may have been posted before. */
static int
start_comment_search(struct gh *gh, struct seen *s)
{
	return gh_add_comment_once(gh, 12, "Update: fixed",
	    "<!-- outagebot:job=t/4 -->", 1, on_done, s);
}

/* Start a comment on #12 posted for the first time. */
static int
start_comment_once(struct gh *gh, struct seen *s)
{
	return gh_add_comment_once(gh, 12, "Update: fixed",
	    "<!-- outagebot:job=t/4 -->", 0, on_done, s);
}

/* A once-operation that did not find its marker wrote with req. */
static void
written(const struct seen *s, const char *req, const char *line)
{
	assert_true(s->ok);
	assert_false(s->found);
	assert_non_null(req);
	assert_non_null(strstr(req, line));
}

/* Comment once: the marker is appended; a search follows the pages and
 * posts only when the marker is absent. */
static void
test_op_comment_once(void **state)
{
	static const char p1[] = "[{\"id\":1,\"html_url\":\"https://x/12#"
	    "issuecomment-1\",\"body\":\"first\"},{\"id\":2,\"html_url\":"
	    "\"https://x/12#issuecomment-2\",\"body\":\"<!-- outagebot:"
	    "job=t/44 -->\"}]";
	static const char p2[] = "[{\"id\":3,\"html_url\":\"https://x/12#"
	    "issuecomment-3\",\"body\":\"x\\n\\n<!-- outagebot:job=t/4 "
	    "-->\"}]";
	static const char p3[] = "[{\"id\":3,\"html_url\":\"https://x/12#"
	    "issuecomment-3\",\"body\":\"other\"}]";
	struct canned	 c;
	struct seen	 s;
	char		*found[2], *absent[3], *plain[1];

	found[0] = answer(200, "Link: <http://x/?page=2>; rel=\"next\"\r\n",
	    p1);
	found[1] = answer(200, "", p2);
	run_op(&c, found, 2, &s, start_comment_search);
	assert_true(s.ok);
	assert_true(s.found);
	assert_int_equal(s.comment_id, 3);
	assert_non_null(strstr(c.requests[0], "GET /api/v3/repos/packit/"
	    "service/issues/12/comments?per_page=100&page=1 HTTP/1.1"));
	assert_non_null(strstr(c.requests[1],
	    "/comments?per_page=100&page=2 "));
	seen_free(&s, &c);

	absent[0] = answer(200, "Link: <http://x/?page=2>; rel=\"next\"\r\n",
	    p1);
	absent[1] = answer(200, "", p3);
	absent[2] = answer(201, "", COMMENT_JSON);
	run_op(&c, absent, 3, &s, start_comment_search);
	written(&s, c.requests[2], "POST /api/v3/repos/packit/service/issues/"
	    "12/comments HTTP/1.1");
	assert_int_equal(s.comment_id, 1);
	assert_non_null(strstr(c.requests[2], "{\"body\":\"Update: fixed\\n"
	    "\\n<!-- outagebot:job=t/4 -->\\n\"}"));
	seen_free(&s, &c);

	plain[0] = answer(201, "", COMMENT_JSON);
	run_op(&c, plain, 1, &s, start_comment_once);
	assert_true(s.ok);
	assert_non_null(strstr(c.requests[0], "POST /api/v3/repos/packit/"
	    "service/issues/12/comments HTTP/1.1"));
	assert_non_null(strstr(c.requests[0], "<!-- outagebot:job=t/4 -->"));
	seen_free(&s, &c);
}

/* Start an issue create that may have happened before. */
static int
start_create_search(struct gh *gh, struct seen *s)
{
	static const char *const labels[] = { "incident", "Copr", NULL };
	static const char *const find[] = { "incident", NULL };
	struct gh_issue	 is = { "Copr down",
			    "x <!-- outagebot:outage=test/1 -->", labels,
			    find, MARKER };

	return gh_create_issue_once(gh, &is, 1, on_done, s);
}

/* Create once: found by its marker (no POST), or absent then created;
 * the search filters by the find labels only. */
static void
test_op_create_once(void **state)
{
	struct canned	 c;
	struct seen	 s;
	char		*p1 = page_json(3, 3, 2), *p2 = page_json(3, 3, 0);
	char		*found[] = { answer(200, "", p1) };
	char		*absent[] = { answer(200, "", p2),
			    answer(201, "", ISSUE_JSON) };

	run_op(&c, found, 1, &s, start_create_search);
	assert_true(s.ok);
	assert_true(s.found);
	assert_int_equal(s.number, 2);
	assert_non_null(strstr(c.requests[0], "&labels=incident HTTP/1.1"));
	seen_free(&s, &c);
	run_op(&c, absent, 2, &s, start_create_search);
	written(&s, c.requests[1], "POST /api/v3/repos/packit/service/issues "
	    "HTTP/1.1");
	assert_int_equal(s.number, 1);
	assert_non_null(strstr(c.requests[1], "\"labels\":[\"incident\","
	    "\"Copr\"]"));
	seen_free(&s, &c);
	free(p1);
	free(p2);
}

/* Once against the fake: a second search finds what the first wrote,
 * and nothing is written twice. */
static void
test_once_against_fake(void **state)
{
	static const char *const labels[] = { "incident", "Copr", NULL };
	static const char *const find[] = { "incident", NULL };
	static const char mk[] = "<!-- outagebot:status=t/1 -->";
	struct gh_issue	 is = { "Copr down",
			    "x\n<!-- outagebot:status=t/1 -->", labels, find,
			    mk };
	struct gh_config cfg = { NULL, "packit/status", "T", 5000 };
	struct fakegh	 f;
	struct gh	*gh;
	struct seen	 s;
	long long	 number;
	int		 i;

	if (fakegh_start(&f) != 0)
		skip();
	memset(&s, 0, sizeof s);
	cfg.api_url = f.api_url;
	gh = gh_new(f.http, &cfg, NULL);
	for (i = 0; i < 2; i++) {
		assert_int_equal(gh_create_issue_once(gh, &is, 1, on_done,
		    fresh(&s)), 0);
		drive(&f, &s);
		assert_true(s.ok);
		assert_int_equal(s.found, i);
		assert_int_equal(s.number, 1);
	}
	number = s.number;
	assert_int_equal(ctl_count(&f, "/packit/status/issues?"), 2);
	for (i = 0; i < 3; i++) {
		assert_int_equal(gh_add_comment_once(gh, number, "update",
		    i < 2 ? "<!-- outagebot:job=t/1 -->" :
		    "<!-- outagebot:job=t/2 -->", i > 0, on_done, fresh(&s)),
		    0);
		drive(&f, &s);
		assert_true(s.ok);
		assert_int_equal(s.found, i == 1);
	}
	assert_int_equal(ctl_count(&f, "/issues/1/comments?"), 2);
	assert_int_equal(gh_update_issue(gh, number, labels, 1, on_done,
	    fresh(&s)), 0);
	drive(&f, &s);
	assert_true(s.ok);
	fresh(&s);
	gh_free(gh);
	fakegh_stop(&f);
}

/* After a test with the fake: stop it if a failed assertion left it. */
static int
fakegh_teardown(void **state)
{
	if (fake_pid > 0) {
		kill(fake_pid, SIGTERM);
		waitpid(fake_pid, NULL, 0);
		fake_pid = 0;
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_graphql_url),
		cmocka_unit_test(test_rest_urls),
		cmocka_unit_test(test_new_refuses),
		cmocka_unit_test(test_json_bodies),
		cmocka_unit_test(test_readers),
		cmocka_unit_test(test_find_marker),
		cmocka_unit_test(test_find_page),
		cmocka_unit_test(test_graphql_error),
		cmocka_unit_test(test_graphql_message_one_line),
		cmocka_unit_test(test_op_create),
		cmocka_unit_test(test_op_find_later_page),
		cmocka_unit_test(test_op_find_absent),
		cmocka_unit_test(test_op_comment),
		cmocka_unit_test(test_op_close),
		cmocka_unit_test(test_op_pin),
		cmocka_unit_test(test_op_free_in_callback),
		cmocka_unit_test(test_op_refused_and_cancelled),
		cmocka_unit_test_teardown(test_against_fake, fakegh_teardown),
		cmocka_unit_test(test_once_pure),
		cmocka_unit_test(test_find_comment_marker),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_op_comment_once),
		cmocka_unit_test(test_op_create_once),
		cmocka_unit_test_teardown(test_once_against_fake,
		    fakegh_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
