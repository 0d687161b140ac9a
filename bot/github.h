/*
 * github.h — the GitHub client the outbox calls: issues, comments, close,
 * labels, and pin/unpin through GraphQL, against api.github.com or a
 * GitHub Enterprise base URL. Every operation is asynchronous on the loop (via
 * http.c) and ends in one callback that gets the parsed result and the
 * finished HTTP response, so that the caller can classify it (retry,
 * permanent, done). Pacing (one request in flight, 1 s between writes)
 * is the caller's job; this module enforces nothing global.
 *
 * The request builders and response readers are pure functions, declared
 * here so that tests cover them without sockets.
 */
#ifndef OB_GITHUB_H
#define OB_GITHUB_H

#include <stddef.h>

#include "http.h"

struct http;
struct http_response;
struct gh;

#define GH_API_VERSION		"2022-11-28"
#define GH_PER_PAGE		100	/* issues per page of a marker search */
#define GH_FIND_MAX_PAGES	10	/* default bound of a marker search */

/* What gh_new needs; the strings are copied. */
struct gh_config {
	const char	*api_url;	/* https://api.github.com, or
					   https://HOST/api/v3 */
	const char	*repo;		/* "owner/name" */
	const char	*token;
	long		 timeout_ms;	/* per request; 0: http's default */
};

/*
 * The outcome of one operation. Strings are borrowed: they live until the
 * callback returns. Fields not set by an operation are 0 / NULL.
 */
struct gh_result {
	int		 ok;		/* the operation did what was asked */
	int		 found;		/* find: the marker was found */
	long long	 number;	/* create, find: the issue number */
	const char	*node_id;	/* create, find: the GraphQL id */
	long long	 comment_id;	/* comment */
	const char	*html_url;	/* the issue's, or the comment's */
	/* Failure: GitHub's own words ("401 Bad credentials", as
	 * http_cause words them), or the GraphQL error's message; fit for
	 * one line in the channel. */
	const char	*error;
	/*
	 * For a failure whose HTTP answer was 2xx (GraphQL errors in a 200,
	 * or a body of the wrong shape), which http_classify calls done:
	 * 1 if no retry can fix it (a bad node id, the pin limit), 0 if a
	 * retry may (GraphQL rate limit, an unreadable body). Other
	 * failures are for http_classify to judge.
	 */
	int		 gql_permanent;
	int		 pin_limit;	/* pin: the repo has 3 pinned issues */
};

/*
 * Called once per operation, from the loop. resp is the last HTTP
 * response (for a marker search over several pages, the last page's).
 */
typedef void	gh_done_cb(const struct gh_result *,
		    const struct http_response *resp, void *arg);

/*
 * Create the client. http is borrowed and must outlive gh (free gh
 * first); it may be NULL for the pure URL helpers, and then no operation
 * can start. Returns NULL and sets *cause (caller frees) for a bad
 * api_url, repo or token. A callback may free gh.
 */
struct gh	*gh_new(struct http *, const struct gh_config *, char **cause);
/* gh_new with a gh_config of these three (no timeout of its own). */
struct gh	*gh_open(struct http *, const char *api_url, const char *repo,
		    const char *token, char **cause);
/*
 * The n strings of v (a config list) as the NULL-terminated array the
 * operations take; the strings stay v's, the caller frees the array.
 */
const char	**gh_strv(char *const *v, size_t n);
/* Cancel every operation in flight (no callbacks) and free; NULL: no-op. */
void		 gh_free(struct gh *);

/*
 * Operations. Each returns 0 when the request was started (cb runs once
 * later) or -1 when it could not start (cb never runs). Strings and
 * arrays are copied. labels is NULL-terminated and may be NULL.
 */
int	gh_create_issue(struct gh *, const char *title, const char *body,
	    const char *const *labels, gh_done_cb *, void *arg);
/*
 * Look for marker in the bodies of the repo's issues with the labels
 * (state=all, newest first), following pages up to max_pages (0: the
 * default). Not finding it is ok=1, found=0.
 */
int	gh_find_issue(struct gh *, const char *const *labels,
	    const char *marker, int max_pages, gh_done_cb *, void *arg);
int	gh_add_comment(struct gh *, long long number, const char *body,
	    gh_done_cb *, void *arg);
/* Close with state_reason "completed". */
int	gh_close_issue(struct gh *, long long number, gh_done_cb *,
	    void *arg);
/*
 * Set the labels (replacing the issue's set; NULL: leave them) and, when
 * close is set, close with state_reason "completed". Both are
 * idempotent: the same request twice leaves what one left.
 */
int	gh_update_issue(struct gh *, long long number,
	    const char *const *labels, int close, gh_done_cb *, void *arg);

/*
 * Writes made exactly once across crashes. A write that may have
 * reached GitHub before (the job resumed after a crash, or an earlier
 * attempt whose answer was lost) passes search = 1: the operation first
 * looks for the write's marker and, when found, answers ok=1, found=1
 * with what it found instead of writing again; when absent it writes.
 * With search = 0 it writes at once.
 */
struct gh_issue {
	const char		*title;
	const char		*body;		/* must hold marker */
	const char *const	*labels;	/* set on create, or NULL */
	const char *const	*find_labels;	/* the search's filter */
	const char		*marker;
};
int	gh_create_issue_once(struct gh *, const struct gh_issue *,
	    int search, gh_done_cb *, void *arg);
/* Comment body, with marker appended on a line of its own, once. */
int	gh_add_comment_once(struct gh *, long long number, const char *body,
	    const char *marker, int search, gh_done_cb *, void *arg);
/* Pin (pin = 1) or unpin (pin = 0) an issue by its node id. */
int	gh_pin_issue(struct gh *, const char *node_id, int pin,
	    gh_done_cb *, void *arg);
/* Operations in flight. */
int	gh_pending(struct gh *);

/* ---- pure parts: no I/O ---- */

/*
 * The request headers for a request (with a JSON body if has_body), as
 * a NULL-terminated array. gh_headers_free frees it.
 */
char	**gh_headers(const char *token, int has_body);
void	  gh_headers_free(char **);

/* The GraphQL endpoint for a REST base URL (caller frees), or NULL. */
char	 *gh_graphql_url(const char *api_url);
/* The repo's REST base API/repos/OWNER/NAME; lives as long as gh. */
const char *gh_repo_url(const struct gh *);
/* .../issues, or .../issues/N when number > 0 (caller frees). */
char	 *gh_issue_url(const struct gh *, long long number);
/* .../issues/N/comments (caller frees). */
char	 *gh_comments_url(const struct gh *, long long number);
/* One page (from 1) of an issue's comments, oldest first (caller
 * frees). */
char	 *gh_comments_page_url(const struct gh *, long long number,
	    int page);
/* The marker of one outbox job's comment:
 * "<!-- outagebot:job=<instance>/<job id> -->" (caller frees). */
char	 *gh_job_marker(const char *instance, long long job_id);
/* One page (from 1) of the marker search listing (caller frees). */
char	 *gh_list_url(const struct gh *, const char *const *labels,
	    int page);

/* JSON request bodies (caller frees); NULL if an argument is unusable. */
char	 *gh_json_create(const char *title, const char *body,
	    const char *const *labels);
char	 *gh_json_comment(const char *body);
char	 *gh_json_close(void);
/* {"state":"closed","state_reason":"completed"} when close, then
 * "labels" when not NULL. */
char	 *gh_json_update(const char *const *labels, int close);
char	 *gh_json_pin(const char *node_id, int pin);

/*
 * Response readers. They fill *res with strings that point into *keep
 * (a jansson value the caller releases with gh_json_release) and return
 * 0, or -1 when the body does not have the expected shape.
 */
struct gh_json;
int	 gh_read_issue(const char *body, size_t len, struct gh_result *,
	    struct gh_json **keep);
int	 gh_read_comment(const char *body, size_t len, struct gh_result *,
	    struct gh_json **keep);
/*
 * Search one listing page (a JSON array of issues) for an issue (not a
 * pull request) whose body contains marker. Returns 1 (found, *res set),
 * 0 (not on this page; *count = the page's length), or -1.
 */
int	 gh_find_marker(const char *body, size_t len, const char *marker,
	    struct gh_result *, size_t *count, struct gh_json **keep);
/* The same for a page of comments (a JSON array of comments): found
 * sets comment_id and html_url. */
int	 gh_find_comment_marker(const char *body, size_t len,
	    const char *marker, struct gh_result *, size_t *count,
	    struct gh_json **keep);
void	 gh_json_release(struct gh_json *);

/* One step of a marker search, read from a listing page's response. */
enum gh_find {
	GH_FIND_FOUND,		/* *res has the issue */
	GH_FIND_NEXT,		/* not here; fetch page + 1 */
	GH_FIND_ABSENT,		/* no such issue (within max_pages) */
	GH_FIND_ERROR		/* not a 2xx listing */
};
enum gh_find	 gh_find_page(const struct http_response *,
		    const char *marker, int page, int max_pages,
		    struct gh_result *, struct gh_json **keep);

/* What a GraphQL response carried. */
enum gh_gql {
	GH_GQL_OK = 0,		/* data and no errors */
	GH_GQL_RETRY,		/* errors a later try may not have */
	GH_GQL_PERMANENT,	/* errors no retry can fix */
	GH_GQL_PIN_LIMIT	/* permanent: the repo has 3 pinned issues */
};

/*
 * Read a GraphQL response body (HTTP 200): GH_GQL_OK unless it carries an
 * `errors` array (or is not JSON: GH_GQL_RETRY). *msg (if msg is not
 * NULL) gets the first error's message or NULL; the caller frees it.
 */
enum gh_gql	 gh_graphql_error(const char *body, size_t len, char **msg);

/*
 * What to do about an operation whose result is not ok: http_classify's
 * verdict on resp (HTTP_RETRY after *retry_ms, or HTTP_PERMANENT), except
 * that a 2xx answer (GraphQL errors in a 200, a body of the wrong shape)
 * is HTTP_PERMANENT when res->gql_permanent and HTTP_RETRY otherwise.
 * attempt counts this one (1 after the first). why (whysz bytes) gets
 * the reason for one chat line: res->error, else http_cause.
 */
enum http_verdict gh_verdict(const struct gh_result *,
		    const struct http_response *, int attempt,
		    long long *retry_ms, char *why, size_t whysz);

#endif
