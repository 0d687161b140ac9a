/*
 * github.c — the GitHub REST and GraphQL client: builds each request
 * (URL, headers, a JSON body made with jansson, never by pasting strings),
 * starts it through http.c, and reads the answer into a struct gh_result
 * for the caller's callback, along with the raw response so that the
 * caller can classify it (gh_verdict reads it the one way every executor
 * shares: http_classify, and GraphQL errors inside a 200).
 *
 * A write made "once" (gh_create_issue_once, gh_add_comment_once) is one
 * operation of several requests: the marker search, page by page, then
 * the write only when the marker is absent.
 *
 * This file owns the struct gh (base URLs, token, the headers every
 * request carries) and the operations in flight. It must not retry or
 * pace anything (the outbox does), must not log tokens or bodies, and
 * touches no other library than jansson (HTTP goes through http.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "github.h"
#include "http.h"
#include "log.h"
#include "util.h"

#define GH_CAUSE_MAX	200	/* bytes of an error text */

#ifndef OB_VERSION
#define OB_VERSION "0.0.0"
#endif

/* The operations, for the completion handler. */
enum gh_op {
	GH_OP_CREATE,
	GH_OP_FIND,
	GH_OP_FIND_COMMENT,
	GH_OP_COMMENT,
	GH_OP_UPDATE,
	GH_OP_PIN,
	GH_OP_UNPIN
};

/*
 * One operation in flight (a marker search spans several requests, and
 * a search that finds nothing may go on with the write it guarded).
 */
struct gh_req {
	struct gh	*gh;
	enum gh_op	 op;
	gh_done_cb	*cb;
	void		*arg;
	char		**labels;	/* find */
	long long	 number;	/* find a comment: the issue */
	char		*marker;	/* find */
	int		 page;		/* find: the page in flight */
	int		 max_pages;	/* find */
	char		*then_body;	/* once: the write's JSON body, made
					   when absent; NULL: a plain search */
	struct gh_req	*next;
};

struct gh {
	struct http	*http;		/* borrowed */
	char		*api_url;	/* without a trailing slash */
	char		*gql_url;
	char		*repo_url;
	char		**hdr_get;	/* headers of a request without body */
	char		**hdr_body;	/* ... and with a JSON body */
	long		 timeout_ms;
	struct gh_req	*reqs;
};

/* Copy a NULL-terminated string array (NULL stays NULL). */
static char **
strv_dup(const char *const *v)
{
	char	**out;
	size_t	  n, i;

	if (v == NULL)
		return NULL;
	for (n = 0; v[n] != NULL; n++)
		;
	out = xcalloc(n + 1, sizeof *out);
	for (i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

/* Free a NULL-terminated string array. */
void
gh_headers_free(char **v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* The headers every request carries, plus Content-Type with a body. */
char **
gh_headers(const char *token, int has_body)
{
	char	**h = xcalloc(8, sizeof *h);
	size_t	  n = 0;

	h[n++] = xasprintf("Authorization: Bearer %s", token);
	h[n++] = xstrdup("User-Agent: outagebot/" OB_VERSION);
	h[n++] = xstrdup("Accept: application/vnd.github+json");
	h[n++] = xstrdup("X-GitHub-Api-Version: " GH_API_VERSION);
	if (has_body) {
		h[n++] = xstrdup("Content-Type: application/json");
		/* No "100 Continue" round trip before a large body. */
		h[n++] = xstrdup("Expect:");
	}
	h[n] = NULL;
	return h;
}

/* 1 if s ends with suffix. */
static int
ends_with(const char *s, const char *suffix)
{
	size_t	n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * The GraphQL endpoint: HOST/api/graphql for an Enterprise base
 * HOST/api/v3, else BASE/graphql (api.github.com/graphql). Caller frees.
 */
char *
gh_graphql_url(const char *api_url)
{
	char	*base, *out;
	size_t	 n;

	if (api_url == NULL)
		return NULL;
	n = strlen(api_url);
	while (n > 0 && api_url[n - 1] == '/')
		n--;
	base = xstrndup(api_url, n);
	if (ends_with(base, "/api/v3"))
		base[n - strlen("/v3")] = '\0';
	out = xasprintf("%s/graphql", base);
	free(base);
	return out;
}

/* 1 if one part of "owner/name" is usable in a path. */
static int
repo_part_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || (n == 1 && s[0] == '.') ||
	    (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	}
	return 1;
}

/* API/repos/OWNER/NAME with both parts escaped, or NULL for a bad repo. */
static char *
gh_make_repo_url(const char *api_url, const char *repo)
{
	const char	*slash = strchr(repo, '/');
	char		*owner, *name, *eo, *en, *url;

	if (slash == NULL || strchr(slash + 1, '/') != NULL ||
	    !repo_part_ok(repo, (size_t)(slash - repo)) ||
	    !repo_part_ok(slash + 1, strlen(slash + 1)))
		return NULL;
	owner = xstrndup(repo, (size_t)(slash - repo));
	name = xstrdup(slash + 1);
	eo = http_escape(owner);
	en = http_escape(name);
	url = xasprintf("%s/repos/%s/%s", api_url, eo, en);
	free(owner);
	free(name);
	free(eo);
	free(en);
	return url;
}

/* 1 if the token can go into a header line. */
static int
token_ok(const char *t)
{
	const unsigned char	*p;

	if (t == NULL || *t == '\0')
		return 0;
	for (p = (const unsigned char *)t; *p != '\0'; p++) {
		if (*p < ' ' || *p == 0x7f)
			return 0;
	}
	return 1;
}

/* Create the client; NULL and *cause on a bad configuration. */
struct gh *
gh_new(struct http *http, const struct gh_config *cfg, char **cause)
{
	struct gh	*gh;
	const char	*why = NULL;
	size_t		 n;

	if (cfg->api_url == NULL || (strncmp(cfg->api_url, "https://", 8)
	    != 0 && strncmp(cfg->api_url, "http://", 7) != 0) ||
	    strpbrk(cfg->api_url, "?# \t\r\n") != NULL)
		why = "api_url must be an http(s) URL without query";
	else if (cfg->repo == NULL)
		why = "repo is missing";
	else if (!token_ok(cfg->token))
		why = "the token is empty or has control characters";
	if (why != NULL) {
		if (cause != NULL)
			*cause = xstrdup(why);
		return NULL;
	}
	gh = xcalloc(1, sizeof *gh);
	n = strlen(cfg->api_url);
	while (n > 0 && cfg->api_url[n - 1] == '/')
		n--;
	gh->api_url = xstrndup(cfg->api_url, n);
	gh->repo_url = gh_make_repo_url(gh->api_url, cfg->repo);
	if (gh->repo_url == NULL) {
		if (cause != NULL)
			*cause = xasprintf("repo \"%s\" is not owner/name",
			    cfg->repo);
		gh_free(gh);
		return NULL;
	}
	gh->http = http;
	gh->gql_url = gh_graphql_url(gh->api_url);
	gh->hdr_get = gh_headers(cfg->token, 0);
	gh->hdr_body = gh_headers(cfg->token, 1);
	gh->timeout_ms = cfg->timeout_ms;
	return gh;
}

/* gh_new for a repo, an API base URL and a token. */
struct gh *
gh_open(struct http *http, const char *api_url, const char *repo,
    const char *token, char **cause)
{
	struct gh_config	 gc;

	memset(&gc, 0, sizeof gc);
	gc.api_url = api_url;
	gc.repo = repo;
	gc.token = token;
	return gh_new(http, &gc, cause);
}

/* The n strings of v as a NULL-terminated array of borrowed pointers. */
const char **
gh_strv(char *const *v, size_t n)
{
	const char	**out = xcalloc(n + 1, sizeof *out);
	size_t		  i;

	for (i = 0; i < n; i++)
		out[i] = v[i];
	return out;
}

/* Free one operation's own memory (it is in no list). */
static void
req_free(struct gh_req *r)
{
	gh_headers_free(r->labels);
	free(r->marker);
	free(r->then_body);
	free(r);
}

/* Take r out of its client's list of operations. */
static void
req_unlink(struct gh_req *r)
{
	struct gh_req	**pp;

	for (pp = &r->gh->reqs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			return;
		}
	}
}

/* Cancel everything in flight, without callbacks, and free gh. */
void
gh_free(struct gh *gh)
{
	struct gh_req	*r;

	if (gh == NULL)
		return;
	if (gh->http != NULL)
		http_cancel_owner(gh->http, gh);
	while ((r = gh->reqs) != NULL) {
		gh->reqs = r->next;
		req_free(r);
	}
	free(gh->api_url);
	free(gh->gql_url);
	free(gh->repo_url);
	gh_headers_free(gh->hdr_get);
	gh_headers_free(gh->hdr_body);
	free(gh);
}

/* The repo's REST base URL; borrowed from gh. */
const char *
gh_repo_url(const struct gh *gh)
{
	return gh->repo_url;
}

/* .../issues or .../issues/N; caller frees. */
char *
gh_issue_url(const struct gh *gh, long long number)
{
	if (number > 0)
		return xasprintf("%s/issues/%lld", gh->repo_url, number);
	return xasprintf("%s/issues", gh->repo_url);
}

/* .../issues/N/comments; caller frees. */
char *
gh_comments_url(const struct gh *gh, long long number)
{
	return xasprintf("%s/issues/%lld/comments", gh->repo_url, number);
}

/* One page (from 1) of an issue's comments, oldest first; caller frees. */
char *
gh_comments_page_url(const struct gh *gh, long long number, int page)
{
	return xasprintf("%s/issues/%lld/comments?per_page=%d&page=%d",
	    gh->repo_url, number, GH_PER_PAGE, page);
}

/* "<!-- outagebot:job=<instance>/<job id> -->"; caller frees. */
char *
gh_job_marker(const char *instance, long long job_id)
{
	return xasprintf("<!-- outagebot:job=%s/%lld -->", instance, job_id);
}

/* The listing of a marker search, newest first, page from 1. */
char *
gh_list_url(const struct gh *gh, const char *const *labels, int page)
{
	struct buf	 b;
	char		*e;
	size_t		 i;

	buf_init(&b);
	buf_printf(&b, "%s/issues?state=all&sort=created&direction=desc"
	    "&per_page=%d&page=%d", gh->repo_url, GH_PER_PAGE, page);
	for (i = 0; labels != NULL && labels[i] != NULL; i++) {
		e = http_escape(labels[i]);
		buf_addstr(&b, i == 0 ? "&labels=" : ",");
		buf_addstr(&b, e);
		free(e);
	}
	return buf_steal(&b);
}

/* A JSON array of strings; NULL if one is not UTF-8. */
static json_t *
json_strv(const char *const *v)
{
	json_t	*a = json_array();
	json_t	*s;
	size_t	 i;

	for (i = 0; v != NULL && v[i] != NULL; i++) {
		s = json_string(v[i]);
		if (s == NULL) {
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, s);
	}
	return a;
}

/* Add v (taken) to o under key; -1 if v is NULL (text not UTF-8). */
static int
json_put(json_t *o, const char *key, json_t *v)
{
	if (v == NULL)
		return -1;
	json_object_set_new(o, key, v);
	return 0;
}

/* {"title":..,"body":..,"labels":[..]}; body and labels optional. */
char *
gh_json_create(const char *title, const char *body,
    const char *const *labels)
{
	json_t	*o;

	if (title == NULL)
		return NULL;
	o = json_object();
	if (json_put(o, "title", json_string(title)) == -1 ||
	    (body != NULL && json_put(o, "body", json_string(body)) == -1) ||
	    (labels != NULL && labels[0] != NULL &&
	    json_put(o, "labels", json_strv(labels)) == -1)) {
		json_decref(o);
		return NULL;
	}
	return util_json_take(o);
}

/* {"body":..}. */
char *
gh_json_comment(const char *body)
{
	json_t	*b;

	if (body == NULL || (b = json_string(body)) == NULL)
		return NULL;
	return util_json_take(json_pack("{s:o}", "body", b));
}

/* {"state":"closed","state_reason":"completed"}. */
char *
gh_json_close(void)
{
	return gh_json_update(NULL, 1);
}

/* Closed as completed when close is set, then the labels when given. */
char *
gh_json_update(const char *const *labels, int close)
{
	json_t	*o = json_object();

	if (close) {
		json_object_set_new(o, "state", json_string("closed"));
		json_object_set_new(o, "state_reason",
		    json_string("completed"));
	}
	if (labels != NULL && json_put(o, "labels", json_strv(labels)) == -1) {
		json_decref(o);
		return NULL;
	}
	return util_json_take(o);
}

/* The pinIssue or unpinIssue mutation with the node id as a variable. */
char *
gh_json_pin(const char *node_id, int pin)
{
	const char	*q;
	json_t		*id;

	if (node_id == NULL || *node_id == '\0' ||
	    (id = json_string(node_id)) == NULL)
		return NULL;
	q = pin ?
	    "mutation($id:ID!){pinIssue(input:{issueId:$id})"
	    "{issue{id number isPinned}}}" :
	    "mutation($id:ID!){unpinIssue(input:{issueId:$id})"
	    "{issue{id number isPinned}}}";
	return util_json_take(json_pack("{s:s,s:{s:o}}", "query", q,
	    "variables", "id", id));
}

/* Parse a body; NULL when it is not JSON. */
static json_t *
json_parse(const char *body, size_t len)
{
	json_error_t	 err;

	if (body == NULL)
		return NULL;
	return json_loadb(body, len, 0, &err);
}

/* Release what a reader kept; NULL is a no-op. */
void
gh_json_release(struct gh_json *k)
{
	json_decref((json_t *)k);
}

/* Fill number, html_url and node_id from one issue object; 0 or -1. */
static int
read_issue_obj(json_t *o, struct gh_result *res)
{
	json_t	*num = json_object_get(o, "number");
	json_t	*url = json_object_get(o, "html_url");
	json_t	*nid = json_object_get(o, "node_id");

	if (!json_is_integer(num) || json_integer_value(num) <= 0 ||
	    !json_is_string(url) || !json_is_string(nid))
		return -1;
	res->number = json_integer_value(num);
	res->html_url = json_string_value(url);
	res->node_id = json_string_value(nid);
	return 0;
}


/* Fill comment_id and html_url from one comment object; 0 or -1. */
static int
read_comment_obj(json_t *o, struct gh_result *res)
{
	json_t	*id = json_object_get(o, "id");
	json_t	*url = json_object_get(o, "html_url");

	if (!json_is_integer(id) || json_integer_value(id) <= 0 ||
	    !json_is_string(url))
		return -1;
	res->comment_id = json_integer_value(id);
	res->html_url = json_string_value(url);
	return 0;
}

/*
 * Parse one object and fill res with read_obj; the parsed value is handed
 * to *keep (res points into it), or dropped and -1 returned.
 */
static int
read_one(const char *body, size_t len,
    int (*read_obj)(json_t *, struct gh_result *), struct gh_result *res,
    struct gh_json **keep)
{
	json_t	*o = json_parse(body, len);

	*keep = NULL;
	if (!json_is_object(o) || read_obj(o, res) != 0) {
		json_decref(o);
		return -1;
	}
	*keep = (struct gh_json *)o;
	return 0;
}

/* Read a created or fetched issue. */
int
gh_read_issue(const char *body, size_t len, struct gh_result *res,
    struct gh_json **keep)
{
	return read_one(body, len, read_issue_obj, res, keep);
}

/* Read a created comment: id and html_url. */
int
gh_read_comment(const char *body, size_t len, struct gh_result *res,
    struct gh_json **keep)
{
	return read_one(body, len, read_comment_obj, res, keep);
}

/*
 * Search one listing page, of issues (pull requests skipped) or of
 * comments, for an item whose body holds marker.
 */
static int
find_in_page(const char *body, size_t len, const char *marker,
    int comments, struct gh_result *res, size_t *count,
    struct gh_json **keep)
{
	json_t		*a = json_parse(body, len);
	json_t		*it, *b;
	size_t		 i;

	*keep = NULL;
	*count = 0;
	if (!json_is_array(a) || marker == NULL || *marker == '\0') {
		json_decref(a);
		return -1;
	}
	*count = json_array_size(a);
	json_array_foreach(a, i, it) {
		b = json_object_get(it, "body");
		if (!json_is_object(it) ||
		    json_object_get(it, "pull_request") != NULL ||
		    !json_is_string(b) ||
		    strstr(json_string_value(b), marker) == NULL)
			continue;
		if ((comments ? read_comment_obj(it, res) :
		    read_issue_obj(it, res)) != 0)
			continue;
		*keep = (struct gh_json *)a;
		return 1;
	}
	json_decref(a);
	return 0;
}

/* Search one page of issues for the marker. */
int
gh_find_marker(const char *body, size_t len, const char *marker,
    struct gh_result *res, size_t *count, struct gh_json **keep)
{
	return find_in_page(body, len, marker, 0, res, count, keep);
}

/* Search one page of comments for the marker. */
int
gh_find_comment_marker(const char *body, size_t len, const char *marker,
    struct gh_result *res, size_t *count, struct gh_json **keep)
{
	return find_in_page(body, len, marker, 1, res, count, keep);
}

/* 1 if a Link header has a rel="next" entry. */
static int
link_has_next(const char *link)
{
	const char	*p;

	if (link == NULL)
		return 0;
	for (p = link; (p = strstr(p, "rel=")) != NULL; p += 4) {
		if (strncmp(p + 4, "\"next\"", 6) == 0 ||
		    strncmp(p + 4, "next", 4) == 0)
			return 1;
	}
	return 0;
}

/* What one listing page, of issues or comments, says about a marker. */
static enum gh_find
find_page(const struct http_response *resp, const char *marker,
    int comments, int page, int max_pages, struct gh_result *res,
    struct gh_json **keep)
{
	size_t	count;
	int	rc;

	*keep = NULL;
	if (resp->status < 200 || resp->status > 299)
		return GH_FIND_ERROR;
	rc = find_in_page(resp->body, resp->body_len, marker, comments, res,
	    &count, keep);
	if (rc < 0)
		return GH_FIND_ERROR;
	if (rc == 1)
		return GH_FIND_FOUND;
	if (count == 0 || !link_has_next(http_header(resp, "Link")))
		return GH_FIND_ABSENT;
	if (page >= max_pages) {
		log_warn("github", "marker %s not in the %d pages searched; "
		    "taken as absent", marker, max_pages);
		return GH_FIND_ABSENT;
	}
	return GH_FIND_NEXT;
}

/* Decide what one page of issues says about the marker. */
enum gh_find
gh_find_page(const struct http_response *resp, const char *marker,
    int page, int max_pages, struct gh_result *res, struct gh_json **keep)
{
	return find_page(resp, marker, 0, page, max_pages, res, keep);
}

/*
 * Make a GraphQL error message fit one chat line, in place: control
 * characters become spaces, and a text longer than GH_CAUSE_MAX bytes is
 * cut on a UTF-8 character boundary.
 */
static char *
one_line(char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++) {
		if ((unsigned char)s[n] < ' ' || s[n] == 0x7f)
			s[n] = ' ';
	}
	if (n > GH_CAUSE_MAX) {
		n = util_utf8_cut(s, GH_CAUSE_MAX);
		s[n] = '\0';
	}
	return s;
}

/*
 * 1 if a GraphQL error message is GitHub's limit of 3 pinned issues. The
 * wording is not documented, so any message about pinning that speaks of
 * a maximum, a limit or "up to" counts.
 */
static int
pin_limit_message(const char *m)
{
	if (m == NULL || strcasestr(m, "pin") == NULL)
		return 0;
	return strcasestr(m, "maximum") != NULL ||
	    strcasestr(m, "limit") != NULL || strcasestr(m, "up to") != NULL;
}

/*
 * Classify a GraphQL answer. A rate limit or GitHub's own "Something went
 * wrong" may pass; a bad id, missing access or an invalid query will not.
 */
enum gh_gql
gh_graphql_error(const char *body, size_t len, char **msg)
{
	json_t		*o = json_parse(body, len);
	json_t		*errs, *e0, *m, *type;
	const char	*text, *t;
	enum gh_gql	 rc;

	if (msg != NULL)
		*msg = NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		if (msg != NULL)
			*msg = xstrdup("unreadable GraphQL answer");
		return GH_GQL_RETRY;
	}
	errs = json_object_get(o, "errors");
	if (!json_is_array(errs) || json_array_size(errs) == 0) {
		json_decref(o);
		return GH_GQL_OK;
	}
	e0 = json_array_get(errs, 0);
	m = json_object_get(e0, "message");
	type = json_object_get(e0, "type");
	text = json_is_string(m) ? json_string_value(m) : "GraphQL error";
	t = json_is_string(type) ? json_string_value(type) : NULL;
	if (t != NULL && strcmp(t, "RATE_LIMITED") == 0)
		rc = GH_GQL_RETRY;
	else if (pin_limit_message(text))
		rc = GH_GQL_PIN_LIMIT;
	else if (t == NULL && strncasecmp(text, "Something went wrong", 20)
	    == 0)
		rc = GH_GQL_RETRY;
	else
		rc = GH_GQL_PERMANENT;
	if (msg != NULL)
		*msg = one_line(xstrdup(text));
	json_decref(o);
	return rc;
}

/*
 * GitHub's reason for a failed answer, for one line in a channel: http.c
 * words it ("401 Bad credentials", "422 Validation Failed (title
 * missing_field)", the transport error). Caller frees.
 */
static char *
error_text(const struct http_response *resp)
{
	char	buf[GH_CAUSE_MAX + 1];

	return xstrdup(http_cause(resp, buf, sizeof buf));
}

/* Start the HTTP request of r; 0 or -1. */
static int	gh_send(struct gh_req *, const char *method, const char *url,
		    const char *body);

/* Read a pin/unpin answer into res; *err gets text to free. */
static void
read_pin(const struct http_response *resp, enum gh_op op,
    struct gh_result *res, char **err)
{
	json_t		*o, *issue;
	enum gh_gql	 g;

	if (resp->status != 200) {
		*err = error_text(resp);
		return;
	}
	g = gh_graphql_error(resp->body, resp->body_len, err);
	if (g != GH_GQL_OK) {
		res->gql_permanent = g != GH_GQL_RETRY;
		res->pin_limit = g == GH_GQL_PIN_LIMIT;
		return;
	}
	o = json_parse(resp->body, resp->body_len);
	issue = json_object_get(json_object_get(json_object_get(o, "data"),
	    op == GH_OP_PIN ? "pinIssue" : "unpinIssue"), "issue");
	if (json_is_object(issue))
		res->ok = 1;
	else
		*err = xstrdup("GraphQL answer without the issue");
	json_decref(o);
}

/* Read a REST answer into res; *err gets text to free on failure. */
static void
read_rest(const struct http_response *resp, enum gh_op op,
    struct gh_result *res, struct gh_json **keep, char **err)
{
	int	rc = 0;

	if (resp->status < 200 || resp->status > 299) {
		*err = error_text(resp);
		return;
	}
	if (op == GH_OP_CREATE)
		rc = gh_read_issue(resp->body, resp->body_len, res, keep);
	else if (op == GH_OP_COMMENT)
		rc = gh_read_comment(resp->body, resp->body_len, res, keep);
	if (rc != 0) {
		*err = xasprintf("%ld with an unexpected body",
		    resp->status);
		return;
	}
	res->ok = 1;
}

/*
 * The search found nothing: a search that guards a write ("once") starts
 * it on the same operation, the issue after an issue search, the
 * comment after a comment search. 1 if it was started.
 */
static int
find_then(struct gh_req *r, char **err)
{
	char	*url;
	int	 rc;

	if (r->then_body == NULL)
		return 0;
	if (r->op == GH_OP_FIND) {
		r->op = GH_OP_CREATE;
		url = gh_issue_url(r->gh, 0);
	} else {
		r->op = GH_OP_COMMENT;
		url = gh_comments_url(r->gh, r->number);
	}
	rc = gh_send(r, "POST", url, r->then_body);
	free(url);
	if (rc != 0) {
		*err = xstrdup("cannot start the request");
		return 0;
	}
	return 1;
}

/* One page of a search came back; 1 if another request was started. */
static int
find_step(struct gh_req *r, const struct http_response *resp,
    struct gh_result *res, struct gh_json **keep, char **err)
{
	int	 comments = r->op == GH_OP_FIND_COMMENT;
	char	*url;
	int	 rc;

	switch (find_page(resp, r->marker, comments, r->page, r->max_pages,
	    res, keep)) {
	case GH_FIND_FOUND:
		res->ok = res->found = 1;
		return 0;
	case GH_FIND_ABSENT:
		memset(res, 0, sizeof *res);
		res->ok = 1;
		return find_then(r, err);
	case GH_FIND_NEXT:
		break;
	case GH_FIND_ERROR:
		*err = resp->status >= 200 && resp->status <= 299 ?
		    xasprintf("%ld with an unexpected body", resp->status) :
		    error_text(resp);
		return 0;
	}
	r->page++;
	url = comments ? gh_comments_page_url(r->gh, r->number, r->page) :
	    gh_list_url(r->gh, (const char *const *)r->labels, r->page);
	rc = gh_send(r, "GET", url, NULL);
	free(url);
	if (rc != 0) {
		*err = xstrdup("cannot start the next page's request");
		return 0;
	}
	return 1;
}

/* http callback: read the answer, call the caller back, forget r. */
static void
gh_on_done(const struct http_response *resp, void *arg)
{
	struct gh_req		*r = arg;
	struct gh_result	 res;
	struct gh_json		*keep = NULL;
	char			*err = NULL;

	memset(&res, 0, sizeof res);
	if (r->op == GH_OP_FIND || r->op == GH_OP_FIND_COMMENT) {
		if (find_step(r, resp, &res, &keep, &err))
			return;
	} else if (r->op == GH_OP_PIN || r->op == GH_OP_UNPIN)
		read_pin(resp, r->op, &res, &err);
	else
		read_rest(resp, r->op, &res, &keep, &err);
	if (err != NULL) {
		res.ok = 0;
		res.error = err;
	}
	req_unlink(r);
	r->cb(&res, resp, r->arg);
	gh_json_release(keep);
	free(err);
	req_free(r);
}

/* Start r's HTTP request with the headers every request carries. */
static int
gh_send(struct gh_req *r, const char *method, const char *url,
    const char *body)
{
	struct http_request	q;

	memset(&q, 0, sizeof q);
	q.method = method;
	q.url = url;
	q.headers = (const char *const *)(body != NULL ? r->gh->hdr_body :
	    r->gh->hdr_get);
	q.body = body;
	q.body_len = body != NULL ? strlen(body) : 0;
	q.timeout_ms = r->gh->timeout_ms;
	q.owner = r->gh;
	q.follow = 1;	/* reads only; Authorization stays on its host */
	return http_start(r->gh->http, &q, gh_on_done, r) > 0 ? 0 : -1;
}

/*
 * Start r's first request and keep r in gh; url and body are freed here.
 * On failure r is freed too and -1 returned.
 */
static int
gh_start(struct gh *gh, struct gh_req *r, const char *method, char *url,
    char *body)
{
	int	rc = -1;

	if (gh->http != NULL && url != NULL)
		rc = gh_send(r, method, url, body);
	free(url);
	free(body);
	if (rc != 0) {
		req_free(r);
		return -1;
	}
	r->next = gh->reqs;
	gh->reqs = r;
	return 0;
}

/* A new operation record of kind op. */
static struct gh_req *
req_new(struct gh *gh, enum gh_op op, gh_done_cb *cb, void *arg)
{
	struct gh_req	*r = xcalloc(1, sizeof *r);

	r->gh = gh;
	r->op = op;
	r->cb = cb;
	r->arg = arg;
	return r;
}

/* POST /repos/O/R/issues. */
int
gh_create_issue(struct gh *gh, const char *title, const char *body,
    const char *const *labels, gh_done_cb *cb, void *arg)
{
	char	*json;

	if ((json = gh_json_create(title, body, labels)) == NULL)
		return -1;
	return gh_start(gh, req_new(gh, GH_OP_CREATE, cb, arg), "POST",
	    gh_issue_url(gh, 0), json);
}

/* A marker search of the issues with labels, from page 1. */
static struct gh_req *
find_issue_req(struct gh *gh, const char *const *labels, const char *marker,
    int max_pages, gh_done_cb *cb, void *arg)
{
	struct gh_req	*r = req_new(gh, GH_OP_FIND, cb, arg);

	r->labels = strv_dup(labels);
	r->marker = xstrdup(marker);
	r->page = 1;
	r->max_pages = max_pages > 0 ? max_pages : GH_FIND_MAX_PAGES;
	return r;
}

/* GET the listing, page by page, until the marker turns up. */
int
gh_find_issue(struct gh *gh, const char *const *labels, const char *marker,
    int max_pages, gh_done_cb *cb, void *arg)
{
	if (marker == NULL || *marker == '\0')
		return -1;
	return gh_start(gh, find_issue_req(gh, labels, marker, max_pages, cb,
	    arg), "GET", gh_list_url(gh, labels, 1), NULL);
}

/* Create, or with search first look for the marker (see github.h). */
int
gh_create_issue_once(struct gh *gh, const struct gh_issue *is, int search,
    gh_done_cb *cb, void *arg)
{
	struct gh_req	*r;
	char		*json;

	if (!search)
		return gh_create_issue(gh, is->title, is->body, is->labels,
		    cb, arg);
	if (is->marker == NULL || *is->marker == '\0' ||
	    is->body == NULL || strstr(is->body, is->marker) == NULL ||
	    (json = gh_json_create(is->title, is->body, is->labels)) == NULL)
		return -1;
	r = find_issue_req(gh, is->find_labels, is->marker, 0, cb, arg);
	r->then_body = json;
	return gh_start(gh, r, "GET", gh_list_url(gh, is->find_labels, 1),
	    NULL);
}

/* A marker search of issue number's comments, from page 1. */
static struct gh_req *
find_comment_req(struct gh *gh, long long number, const char *marker,
    gh_done_cb *cb, void *arg)
{
	struct gh_req	*r = req_new(gh, GH_OP_FIND_COMMENT, cb, arg);

	r->number = number;
	r->marker = xstrdup(marker);
	r->page = 1;
	r->max_pages = GH_FIND_MAX_PAGES;
	return r;
}

/* Comment with the marker on a line of its own, once (see github.h). */
int
gh_add_comment_once(struct gh *gh, long long number, const char *body,
    const char *marker, int search, gh_done_cb *cb, void *arg)
{
	struct gh_req	*r;
	char		*text, *json;
	int		 rc;

	if (number <= 0 || body == NULL || marker == NULL || *marker == '\0')
		return -1;
	text = xasprintf("%s\n\n%s\n", body, marker);
	if (!search) {
		rc = gh_add_comment(gh, number, text, cb, arg);
		free(text);
		return rc;
	}
	json = gh_json_comment(text);
	free(text);
	if (json == NULL)
		return -1;
	r = find_comment_req(gh, number, marker, cb, arg);
	r->then_body = json;
	return gh_start(gh, r, "GET", gh_comments_page_url(gh, number, 1),
	    NULL);
}

/* POST /repos/O/R/issues/N/comments. */
int
gh_add_comment(struct gh *gh, long long number, const char *body,
    gh_done_cb *cb, void *arg)
{
	char	*json;

	if (number <= 0 || (json = gh_json_comment(body)) == NULL)
		return -1;
	return gh_start(gh, req_new(gh, GH_OP_COMMENT, cb, arg), "POST",
	    gh_comments_url(gh, number), json);
}

/* PATCH /repos/O/R/issues/N to closed, completed. */
int
gh_close_issue(struct gh *gh, long long number, gh_done_cb *cb, void *arg)
{
	return gh_update_issue(gh, number, NULL, 1, cb, arg);
}

/* PATCH /repos/O/R/issues/N: the labels, and closed when close is set. */
int
gh_update_issue(struct gh *gh, long long number, const char *const *labels,
    int close, gh_done_cb *cb, void *arg)
{
	char	*json;

	if (number <= 0 || (labels == NULL && !close) ||
	    (json = gh_json_update(labels, close)) == NULL)
		return -1;
	return gh_start(gh, req_new(gh, GH_OP_UPDATE, cb, arg), "PATCH",
	    gh_issue_url(gh, number), json);
}

/* POST the pinIssue / unpinIssue mutation to the GraphQL endpoint. */
int
gh_pin_issue(struct gh *gh, const char *node_id, int pin, gh_done_cb *cb,
    void *arg)
{
	char	*json;

	if ((json = gh_json_pin(node_id, pin)) == NULL)
		return -1;
	return gh_start(gh, req_new(gh, pin ? GH_OP_PIN : GH_OP_UNPIN, cb,
	    arg), "POST", xstrdup(gh->gql_url), json);
}

/* Operations started whose callback has not run. */
int
gh_pending(struct gh *gh)
{
	struct gh_req	*r;
	int		 n = 0;

	if (gh == NULL)
		return 0;
	for (r = gh->reqs; r != NULL; r = r->next)
		n++;
	return n;
}

/*
 * The verdict on an operation that did not do what was asked: what
 * http_classify says of its last answer, except that a 2xx (GraphQL
 * errors in a 200, a body of the wrong shape) is permanent or retried as
 * gql_permanent says. why gets GitHub's words for one chat line.
 */
enum http_verdict
gh_verdict(const struct gh_result *res, const struct http_response *resp,
    int attempt, long long *retry_ms, char *why, size_t whysz)
{
	enum http_verdict	 v;
	char			 cause[GH_CAUSE_MAX + 1];

	*retry_ms = 0;
	v = http_classify(resp, attempt, util_now(), retry_ms);
	if (v == HTTP_DONE)
		v = res->gql_permanent ? HTTP_PERMANENT : HTTP_RETRY;
	snprintf(why, whysz, "%s", res->error != NULL ? res->error :
	    http_cause(resp, cause, sizeof(cause)));
	return v;
}
