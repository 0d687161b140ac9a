/*
 * http.h — asynchronous HTTP(S) on the event loop through libcurl's multi
 * interface (socket and timer callbacks). Only http.c includes curl.
 * Every request has a timeout and a response size cap; nothing blocks.
 * Request headers are never logged (they carry tokens).
 */
#ifndef OB_HTTP_H
#define OB_HTTP_H

#include <stddef.h>

struct loop;
struct http;

struct http_header {
	char	*name;		/* as received; compare case-insensitively */
	char	*value;
};

struct http_response {
	long			 status;	/* 0 on transport failure */
	const char		*error;		/* transport error text or NULL */
	char			*body;		/* NUL-terminated, may be "" */
	size_t			 body_len;
	struct http_header	*headers;
	size_t			 nheaders;
	long long		 elapsed_ms;
};

struct http_request {
	const char		*method;	/* "GET" if NULL */
	const char		*url;
	const char *const	*headers;	/* "Name: value", NULL-terminated */
	const char		*body;		/* may be NULL */
	size_t			 body_len;
	long			 timeout_ms;	/* 0: 30000 */
	size_t			 max_body;	/* 0: 1 MiB; larger = error */
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
/* Number of requests in flight. */
int		 http_pending(struct http *);

/* A response header's value (case-insensitive name), or NULL. */
const char	*http_header(const struct http_response *, const char *name);

#endif
