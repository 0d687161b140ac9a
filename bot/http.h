/*
 * http.h — asynchronous HTTP(S) on the event loop through libcurl's multi
 * interface (socket and timer callbacks). Only http.c includes curl.
 * Every request has a timeout and a response size cap; nothing blocks.
 * Request headers are never logged (they carry tokens).
 *
 * Every request carries an owner (struct http_request's owner: the module
 * or plugin that started it, NULL for the core); http_cancel_owner drops
 * all of one owner's requests at once, when that owner goes away.
 *
 * Whether a finished request worked, should be tried again (and when), or
 * failed for good is decided in one place, http_classify, so that no
 * caller reads status codes or rate-limit headers itself.
 */
#ifndef OB_HTTP_H
#define OB_HTTP_H

#include <stddef.h>
#include <time.h>

struct loop;
struct http;

struct http_header {
	char	*name;		/* as received; compare case-insensitively */
	char	*value;
};

struct http_response {
	long			 status;	/* 0 on transport failure */
	/* The transport error's text, or NULL. */
	const char		*error;
	/* 1 if the body outgrew max_body (error is set too). */
	int			 too_large;
	char			*body;		/* NUL-terminated, may be "" */
	size_t			 body_len;
	struct http_header	*headers;
	size_t			 nheaders;
	long long		 elapsed_ms;
};

struct http_request {
	const char		*method;	/* "GET" if NULL */
	const char		*url;
	/* "Name: value" lines, NULL-terminated; may be NULL. */
	const char *const	*headers;
	const char		*body;		/* may be NULL */
	size_t			 body_len;
	long			 timeout_ms;	/* 0: 30000 */
	size_t			 max_body;	/* 0: 1 MiB; larger = error */
	void			*owner;		/* see http_cancel_owner */
	/*
	 * Follow redirects (http and https only). Honoured for GET and HEAD
	 * alone: a write is never replayed elsewhere or turned into a GET.
	 * libcurl drops Authorization on a redirect to another host but not
	 * other headers, so never set it with a secret in a custom header.
	 */
	int			 follow;
	/* What logs show for the URL's path, which may hold a secret (a
	 * chat webhook's URL, a Telegram token); NULL: the path itself. */
	const char		*log_path;
};

/*
 * Called once per request, from the loop. The response and everything in
 * it is freed when the callback returns.
 */
typedef void	http_done_cb(const struct http_response *, void *arg);

struct http	*http_new(struct loop *, const char *user_agent);
void		 http_free(struct http *);	/* cancels all; no callbacks */

/* Start a request; the strings are copied. Returns an id > 0, or -1. */
long long	 http_start(struct http *, const struct http_request *,
		     http_done_cb *, void *arg);
/* Cancel a request; its callback is not called. */
void		 http_cancel(struct http *, long long id);
/*
 * Cancel every request started with this owner, in flight or finished
 * and waiting for its callback: none of their callbacks is called, now or
 * later. Safe inside any callback, an http one included. A NULL owner (the
 * core) is never cancelled this way: nothing happens; http_free does that.
 */
void		 http_cancel_owner(struct http *, void *owner);
/* Number of requests in flight. */
int		 http_pending(struct http *);

/* A response header's value (case-insensitive name), or NULL. */
const char	*http_header(const struct http_response *, const char *name);

/*
 * What to do about a finished request. Numbers are fixed; never reuse one.
 *   HTTP_DONE       2xx (and 304): it worked.
 *   HTTP_RETRY      a transport error or timeout, 408, 409, 429, 5xx, and
 *                   GitHub's rate-limit 403 (x-ratelimit-remaining: 0, a
 *                   Retry-After, or a "rate limit" message): try again
 *                   after *retry_ms.
 *   HTTP_PERMANENT  every other status (400, 401, 403, 404, 410, 422, an
 *                   unfollowed 3xx, ...) and a body over max_body: the
 *                   same request would fail the same way; never retry.
 */
enum http_verdict {
	HTTP_DONE = 0,
	HTTP_RETRY = 1,
	HTTP_PERMANENT = 2
};

/*
 * Delays. Without a time from the server the n-th retry waits
 * 2 s * 2^(n-1), capped at 10 min, less a random 0-25 % (jitter), so
 * 1.5-2 s, 3-4 s, 6-8 s, ... 7.5-10 min. A rate limit with no time given
 * (a 429, or a rate-limit 403) waits at least 60 s, as GitHub documents.
 * A time from the server (Retry-After in seconds or as an HTTP-date,
 * x-ratelimit-reset or x-sentry-rate-limit-reset when the matching
 * remaining count is 0, Telegram's parameters.retry_after in a JSON body)
 * is honoured exactly, never earlier; the largest wins; one that lies in
 * the past falls back to the backoff; more than one day is cut to a day.
 */
#define HTTP_BACKOFF_BASE_MS	2000LL
#define HTTP_BACKOFF_CAP_MS	(10 * 60 * 1000LL)
#define HTTP_RATELIMIT_MIN_MS	(60 * 1000LL)
#define HTTP_WAIT_MAX_MS	(24 * 60 * 60 * 1000LL)

/*
 * Classify a finished response. attempt is how many times the request
 * has now been tried (1 after the first try; < 1 counts as 1), now the
 * wall clock (for HTTP-dates and reset times). *retry_ms (may be NULL)
 * gets: for HTTP_RETRY the delay before the next try (> 0); for HTTP_DONE
 * 0, or, when the response says the quota is spent (remaining 0), the wait
 * until it resets, before which the next request to that service should
 * not start; for HTTP_PERMANENT 0.
 */
enum http_verdict http_classify(const struct http_response *, int attempt,
		     time_t now, long long *retry_ms);
/* "done", "retry" or "permanent". */
const char	*http_verdict_name(enum http_verdict);
/*
 * A short, single-line cause fit for a chat line, written into buf and
 * returned: "401 Bad credentials" (from a JSON "message", "description",
 * "detail", "error" or Cachet's errors[0]), "403 Request forbidden by
 * administrative rules..." (a plain-text body's first line), "502 Bad
 * Gateway" (the reason phrase when the body says nothing usable), or the
 * transport error ("timed out"). Control characters become spaces and
 * the text is cut on a UTF-8 boundary.
 */
const char	*http_cause(const struct http_response *, char *buf,
		     size_t len);

/* Percent-encode s except RFC 3986 unreserved characters (caller frees). */
char		*http_escape(const char *s);

#endif
