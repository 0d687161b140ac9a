/*
 * status_notify.h — the pure parts of the two notification backends,
 * webhook (status_webhook.c) and Telegram (status_telegram.c): what they
 * send and how they read an answer, apart from the loop and the network
 * so that tests can check them byte for byte. The backends themselves
 * are status_webhook_ops and status_telegram_ops (status.h).
 */
#ifndef OB_STATUS_NOTIFY_H
#define OB_STATUS_NOTIFY_H

#include <stddef.h>

#include "http.h"
#include "status.h"

/* The header that carries the webhook body's signature. */
#define STATUS_WEBHOOK_SIG_HEADER	"X-Outagebot-Signature-256"

/*
 * POST body (JSON; copied) to url for job j, the request owned by owner
 * (the backend's state, for http_cancel_owner); cb gets the answer with
 * j. extra is one more header line, or NULL. log_path is what logs show
 * for the URL's path, which holds a secret. A request that cannot start
 * finishes j for a retry at once.
 */
void	 status_notify_post(struct http *, void *owner, const char *url,
	    const char *log_path, const char *extra, const char *body,
	    http_done_cb *cb, struct status_job *j);

/*
 * HMAC-SHA256 of data under key as 64 lower-case hex digits and a NUL
 * in hex. 0, or -1 (OpenSSL failed; hex is then "").
 */
int	 status_hmac_sha256_hex(const void *key, size_t keylen,
	    const void *data, size_t len, char hex[65]);

/*
 * The webhook body of ev: {"event": "outage.<name>", "delivery": job
 * id, "instance", "status_url" (or null), "outage": the outage object}.
 * Caller frees; NULL if ev's outage JSON cannot be read.
 */
char	*status_webhook_body(const struct status_event *ev);

/*
 * The signature header line of body under secret
 * ("X-Outagebot-Signature-256: sha256=<hex>"). Caller frees; NULL on
 * an OpenSSL failure.
 */
char	*status_webhook_signature(const char *secret, const char *body);

/*
 * 1 if token looks like a Telegram bot token ("<digits>:<letters,
 * digits, '-', '_'>"), the only shape put into a URL (and the one the
 * HTTP log hides), else 0.
 */
int	 status_telegram_token_ok(const char *token);

/*
 * The sendMessage URL: api_url (a trailing '/' dropped) + "/bot" +
 * token + "/sendMessage". It holds the token: never log it. Caller
 * frees.
 */
char	*status_telegram_url(const char *api_url, const char *token);

/*
 * The sendMessage body: {"chat_id": a number, or the "@channel" string,
 * "text", "disable_web_page_preview": true}. Caller frees.
 */
char	*status_telegram_body(const char *chat_id, const char *text);

/* What a Telegram answer means for the job. */
enum status_tg_answer {
	STATUS_TG_SENT = 0,	/* ok: true */
	STATUS_TG_WAIT,		/* parameters.retry_after: *retry_ms */
	STATUS_TG_REJECTED,	/* dead for a reason only Telegram gives */
	STATUS_TG_OTHER		/* for status_job_answer (http_classify) */
};

/*
 * Read a Telegram answer. WAIT sets *retry_ms from
 * parameters.retry_after (seconds; at least 1 s, at most a day);
 * REJECTED (a 2xx without "ok": true, or a chat moved to a supergroup)
 * writes the reason into why. Every other answer is OTHER, for the
 * common classification.
 */
enum status_tg_answer status_telegram_read(const struct http_response *,
	    long long *retry_ms, char *why, size_t whysz);

#endif
