/*
 * status_webhook.c — the webhook backend (DESIGN §7): each outage event
 * is POSTed to the backend's url as one JSON object carrying the whole
 * outage (timeline included), so that a team's own dashboard can show
 * the current outage and its history from the events alone. With a
 * secret, the exact body is signed (HMAC-SHA256, hex) in the
 * X-Outagebot-Signature-256 header. Any 2xx is done; everything else is
 * classified by status_job_answer (http_classify): 5xx and timeouts are
 * retried, 4xx other than 408/409/429 are dead.
 *
 * The "delivery" field is the job id: a job that runs again (a retry, a
 * restart while in flight) sends the same delivery id, so a receiver
 * can drop a repeat. This file owns no state beyond the requests in
 * flight; it must not log the secret or a signature.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "http.h"
#include "status.h"
#include "status_notify.h"
#include "util.h"

/* One configured webhook; also the owner of its HTTP requests. */
struct webhook {
	struct http		*http;
	const struct cfg_backend *cfg;
};

/* HMAC-SHA256 in hex (see status_notify.h). */
int
status_hmac_sha256_hex(const void *key, size_t keylen, const void *data,
    size_t len, char hex[65])
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, i;

	hex[0] = '\0';
	if (keylen > (size_t)INT_MAX ||
	    HMAC(EVP_sha256(), key, (int)keylen, data, len, md, &mdlen) ==
	    NULL || mdlen != 32)
		return -1;
	for (i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0x0f];
	}
	hex[2 * mdlen] = '\0';
	return 0;
}

/* The JSON event of a job (see status_notify.h). */
char *
status_webhook_body(const struct status_event *ev)
{
	json_t	*outage, *j;
	char	 event[32];

	outage = ev->outage_json != NULL ?
	    json_loads(ev->outage_json, 0, NULL) : NULL;
	if (!json_is_object(outage)) {
		json_decref(outage);
		return NULL;
	}
	snprintf(event, sizeof(event), "outage.%s", ev->name);
	j = json_pack("{s:s, s:I, s:o, s:o, s:o}",
	    "event", event,
	    "delivery", (json_int_t)ev->job_id,
	    "instance", ev->instance != NULL ? json_string(ev->instance) :
	    json_null(),
	    "status_url", ev->status_url != NULL ?
	    json_string(ev->status_url) : json_null(),
	    "outage", outage);
	return util_json_take(j);
}

/* The signature header of a body (see status_notify.h). */
char *
status_webhook_signature(const char *secret, const char *body)
{
	char	hex[65];

	if (status_hmac_sha256_hex(secret, strlen(secret), body, strlen(body),
	    hex) != 0)
		return NULL;
	return xasprintf("%s: sha256=%s", STATUS_WEBHOOK_SIG_HEADER, hex);
}

/* Open one webhook backend: it needs its url (config.c checked it). */
static void *
webhook_open(const struct cfg_backend *cb, const struct status_ctx *ctx,
    char **cause)
{
	struct webhook	*w;

	if (cb->url == NULL || ctx->http == NULL) {
		*cause = xstrdup(cb->url == NULL ? "no url" :
		    "no HTTP client");
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->http = ctx->http;
	w->cfg = cb;
	return w;
}

/* The receiver answered (or the request failed): finish the job. */
static void
webhook_done(const struct http_response *resp, void *arg)
{
	status_job_answer(arg, resp, "event");
}

/* POST a JSON body for a job (see status_notify.h). */
void
status_notify_post(struct http *http, void *owner, const char *url,
    const char *log_path, const char *extra, const char *body,
    http_done_cb *cb, struct status_job *j)
{
	struct http_request	 q;
	const char		*hdrs[4];
	size_t			 n = 0;

	hdrs[n++] = "Content-Type: application/json";
	hdrs[n++] = "Expect:";		/* no 100-continue round trip */
	if (extra != NULL)
		hdrs[n++] = extra;
	hdrs[n] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = url;
	q.headers = hdrs;
	q.body = body;
	q.body_len = strlen(body);
	q.owner = owner;
	q.log_path = log_path;
	if (http_start(http, &q, cb, j) < 0)
		status_job_finish(j, OUTBOX_RETRY, 0,
		    "the request could not start");
}

/* POST one event, signed when there is a secret. */
static void
webhook_run(void *state, struct status_job *j)
{
	struct webhook	*w = state;
	char		*body, *sig = NULL;

	body = status_webhook_body(status_job_event(j));
	if (body == NULL) {
		status_job_finish(j, OUTBOX_DEAD, 0,
		    "webhook: the event cannot be written");
		return;
	}
	if (w->cfg->secret != NULL &&
	    (sig = status_webhook_signature(w->cfg->secret, body)) == NULL) {
		free(body);
		status_job_finish(j, OUTBOX_RETRY, 0,
		    "webhook: the event cannot be signed");
		return;
	}
	/* A chat webhook's path is its secret: log the host only. */
	status_notify_post(w->http, w, w->cfg->url, "/...", sig, body,
	    webhook_done, j);
	free(sig);
	free(body);
}

/* Cancel the requests in flight (status.c finishes their jobs). */
static void
webhook_close(void *state)
{
	struct webhook	*w = state;

	if (w == NULL)
		return;
	http_cancel_owner(w->http, w);
	free(w);
}

const struct status_ops status_webhook_ops = {
	.type = CFG_BACKEND_WEBHOOK,
	.name = "webhook",
	.max_inflight = 0,
	.min_gap_ms = 0,
	.open = webhook_open,
	.run = webhook_run,
	.close = webhook_close
};
