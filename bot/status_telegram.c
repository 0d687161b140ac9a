/*
 * status_telegram.c — the Telegram backend (DESIGN §7, API-CONTRACTS
 * §6): each outage event's channel line is sent to one chat through the
 * Bot API's sendMessage, a second path for announcements when IRC is
 * unreachable or for a team without a bridge. "ok": true is done; a
 * flood wait (parameters.retry_after) is honoured exactly; a chat that
 * moved to a supergroup is dead with the new id to configure; the rest
 * (transport errors, 5xx, 400/401/403 with Telegram's description) is
 * classified by status_job_answer.
 *
 * The Bot API puts the token in the URL. This file builds that URL once,
 * keeps it out of every message and log line, and accepts only tokens
 * of Telegram's shape, the shape http.c hides from its own log lines.
 * A job in flight at a restart or a reload runs again and sends its
 * message again: the Bot API has no way to ask whether a message was
 * already sent.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http.h"
#include "status.h"
#include "status_notify.h"
#include "util.h"

/* One configured chat; also the owner of its HTTP requests. */
struct telegram {
	struct http		*http;
	const struct cfg_backend *cfg;
	char			*url;	/* holds the token: never logged */
};

/* A token of Telegram's shape (see status_notify.h). */
int
status_telegram_token_ok(const char *token)
{
	size_t	 id, rest;

	if (token == NULL)
		return 0;
	id = strspn(token, "0123456789");
	if (id == 0 || token[id] != ':')
		return 0;
	rest = strspn(token + id + 1, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
	return rest > 0 && token[id + 1 + rest] == '\0';
}

/* The sendMessage URL (see status_notify.h). */
char *
status_telegram_url(const char *api_url, const char *token)
{
	size_t	 n = strlen(api_url);

	while (n > 0 && api_url[n - 1] == '/')
		n--;
	return xasprintf("%.*s/bot%s/sendMessage", (int)n, api_url, token);
}

/* The sendMessage body (see status_notify.h). */
char *
status_telegram_body(const char *chat_id, const char *text)
{
	json_t		*j, *chat;
	long long	 id;

	if (util_strtonum(chat_id, LLONG_MIN, LLONG_MAX, &id) == 0)
		chat = json_integer((json_int_t)id);
	else
		chat = json_string(chat_id);
	j = json_pack("{s:o, s:s, s:b}", "chat_id", chat, "text", text,
	    "disable_web_page_preview", 1);
	return util_json_take(j);
}

/* Why a 2xx without "ok": true failed, into why. */
static void
telegram_not_ok(const struct http_response *resp, json_t *j, char *why,
    size_t whysz)
{
	struct http_response	 as_error = *resp;
	json_t			*code = json_object_get(j, "error_code");

	if (json_is_integer(code) && json_integer_value(code) >= 400 &&
	    json_integer_value(code) < 600) {
		/* Worded as if the HTTP status were Telegram's error_code. */
		as_error.status = (long)json_integer_value(code);
		http_cause(&as_error, why, whysz);
	} else
		snprintf(why, whysz, "%ld answer without \"ok\": true",
		    resp->status);
}

/* What a Telegram answer means (see status_notify.h). */
enum status_tg_answer
status_telegram_read(const struct http_response *resp, long long *retry_ms,
    char *why, size_t whysz)
{
	enum status_tg_answer	 a = STATUS_TG_OTHER;
	json_t			*j, *params, *ra, *moved;
	char			 cause[200];
	int			 two;

	*retry_ms = 0;
	if (whysz > 0)
		why[0] = '\0';
	if (resp == NULL || resp->status == 0 || resp->error != NULL)
		return STATUS_TG_OTHER;
	two = resp->status >= 200 && resp->status < 300;
	j = resp->body != NULL ? json_loadb(resp->body, resp->body_len, 0,
	    NULL) : NULL;
	params = json_object_get(j, "parameters");
	ra = json_object_get(params, "retry_after");
	moved = json_object_get(params, "migrate_to_chat_id");
	if (two && json_is_true(json_object_get(j, "ok")))
		a = STATUS_TG_SENT;
	else if (json_is_integer(ra) && json_integer_value(ra) >= 0) {
		a = STATUS_TG_WAIT;
		*retry_ms = json_integer_value(ra) > HTTP_WAIT_MAX_MS / 1000 ?
		    HTTP_WAIT_MAX_MS : json_integer_value(ra) * 1000;
		if (*retry_ms < 1000)
			*retry_ms = 1000;
	} else if (two) {
		a = STATUS_TG_REJECTED;
		telegram_not_ok(resp, j, why, whysz);
	} else if (json_is_integer(moved)) {
		a = STATUS_TG_REJECTED;
		snprintf(why, whysz, "%s; the chat is now %lld: set chat_id",
		    http_cause(resp, cause, sizeof(cause)),
		    (long long)json_integer_value(moved));
	}
	json_decref(j);
	return a;
}

/* Open one Telegram backend: a token of the right shape, a chat. */
static void *
telegram_open(const struct cfg_backend *cb, const struct status_ctx *ctx,
    char **cause)
{
	struct telegram	*t;

	if (ctx->http == NULL || cb->chat_id == NULL || cb->api_url == NULL) {
		*cause = xstrdup("needs chat_id, api_url and an HTTP client");
		return NULL;
	}
	if (!status_telegram_token_ok(cb->token)) {
		/* Never say the token itself. */
		*cause = xstrdup("the token is not a Telegram bot token "
		    "(digits, ':', then letters, digits, '-' or '_')");
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->http = ctx->http;
	t->cfg = cb;
	t->url = status_telegram_url(cb->api_url, cb->token);
	return t;
}

/* Telegram answered (or the request failed): finish the job. */
static void
telegram_done(const struct http_response *resp, void *arg)
{
	struct status_job	*j = arg;
	long long		 retry_ms;
	char			 why[240], cause[300];

	switch (status_telegram_read(resp, &retry_ms, why, sizeof(why))) {
	case STATUS_TG_SENT:
		status_job_finish(j, OUTBOX_DONE, 0, NULL);
		break;
	case STATUS_TG_WAIT:
		status_job_finish(j, OUTBOX_RETRY, retry_ms, status_job_cause(j,
		    OUTBOX_RETRY, "message", http_cause(resp, why, sizeof(why)),
		    cause, sizeof(cause)));
		break;
	case STATUS_TG_REJECTED:
		status_job_finish(j, OUTBOX_DEAD, 0, status_job_cause(j,
		    OUTBOX_DEAD, "message", why, cause, sizeof(cause)));
		break;
	case STATUS_TG_OTHER:
		status_job_answer(j, resp, "message");
		break;
	}
}

/* Send one event's channel line. */
static void
telegram_run(void *state, struct status_job *j)
{
	struct telegram	*t = state;
	char		*body;

	body = status_telegram_body(t->cfg->chat_id,
	    status_job_event(j)->line);
	if (body == NULL) {
		status_job_finish(j, OUTBOX_DEAD, 0,
		    "telegram: the message cannot be written");
		return;
	}
	/* The path holds the bot's token. */
	status_notify_post(t->http, t, t->url, "/bot<token>/sendMessage", NULL,
	    body, telegram_done, j);
	free(body);
}

/* Cancel the requests in flight (status.c finishes their jobs). */
static void
telegram_close(void *state)
{
	struct telegram	*t = state;

	if (t == NULL)
		return;
	http_cancel_owner(t->http, t);
	explicit_bzero(t->url, strlen(t->url));
	free(t->url);
	free(t);
}

const struct status_ops status_telegram_ops = {
	.type = CFG_BACKEND_TELEGRAM,
	.name = "telegram",
	.max_inflight = 0,
	.min_gap_ms = 0,
	.open = telegram_open,
	.run = telegram_run,
	.close = telegram_close
};
