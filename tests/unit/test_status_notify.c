/*
 * test_status_notify.c — the webhook and Telegram backends without a
 * network (bot/status_webhook.c, bot/status_telegram.c): HMAC-SHA256
 * against RFC 4231's vectors, the webhook body and its signature byte
 * for byte, the sendMessage URL and body, how every shape of Telegram
 * answer is read (retry_after above all), a token that is refused
 * without being said, and the token kept out of the HTTP log.
 *
 * status.c is not linked: the few status_job_* functions a backend
 * calls are played here, recording how the job was finished.
 */
/* deps: status_webhook status_telegram http loop util log */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "http.h"
#include "log.h"
#include "loop.h"
#include "status.h"
#include "status_notify.h"
#include "util.h"

#define TOKEN	"123456789:AAHsecret-Token_xyz"

/* The job a backend is handed, and how it was finished. */
struct status_job {
	struct status_event	 ev;
	const struct cfg_backend *cfg;
	int			 finished;
	enum outbox_result	 res;
	long long		 retry_ms;
	char			 cause[300];
};

/* The event of a job (played by the test). */
const struct status_event *
status_job_event(const struct status_job *j)
{
	return &j->ev;
}

/* A failed job's cause (status.c's wording is not under test here). */
const char *
status_job_cause(const struct status_job *j, enum outbox_result res,
    const char *what, const char *why, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s: %s", what, res == OUTBOX_DEAD ?
	    "rejected" : "failed", why);
	return buf;
}

/* Record how the job was finished. */
void
status_job_finish(struct status_job *j, enum outbox_result res,
    long long retry_ms, const char *cause)
{
	j->finished++;
	j->res = res;
	j->retry_ms = retry_ms;
	snprintf(j->cause, sizeof(j->cause), "%s", cause != NULL ? cause :
	    "");
}

/* Finish from an HTTP answer as status.c does, with the same words. */
void
status_job_answer(struct status_job *j, const struct http_response *resp,
    const char *what)
{
	enum http_verdict	 v;
	long long		 ms = 0;
	char			 why[200];

	v = http_classify(resp, 1, util_now(), &ms);
	snprintf(j->cause, sizeof(j->cause), "answer %s: %s", what,
	    http_cause(resp, why, sizeof(why)));
	j->finished++;
	j->res = v == HTTP_DONE ? OUTBOX_DONE : v == HTTP_RETRY ?
	    OUTBOX_RETRY : OUTBOX_DEAD;
	j->retry_ms = ms;
}

/* Bytes from a hex string (test vectors), into out; the length. */
static size_t
unhex(const char *hex, unsigned char *out)
{
	size_t		 n = 0;
	unsigned int	 b;

	while (hex[0] != '\0' && sscanf(hex, "%2x", &b) == 1) {
		out[n++] = (unsigned char)b;
		hex += 2;
	}
	return n;
}

/*
 * The bytes of a test vector's field into out (room for 200): the text
 * after a '=', or hex bytes repeated rep times. Returns the length.
 */
static size_t
vector_bytes(const char *spec, size_t rep, unsigned char *out)
{
	unsigned char	 one[100];
	size_t		 n, len = 0, k;

	if (spec[0] == '=') {
		len = strlen(spec + 1);
		memcpy(out, spec + 1, len);
		return len;
	}
	n = unhex(spec, one);
	for (k = 0; k < rep; k++, len += n)
		memcpy(out + len, one, n);
	return len;
}

/* RFC 4231 section 4: the seven HMAC-SHA-256 test cases. */
static void
test_hmac_rfc4231(void **state)
{
	static const struct {
		const char	*key;	/* hex, or a '=' and the key */
		size_t		 keyrep;	/* key byte repeated */
		const char	*data;	/* hex, or a '=' and the text */
		size_t		 datarep;
		const char	*mac;
	} v[] = {
		{ "0b", 20, "=Hi There", 1, "b0344c61d8db38535ca8afceaf0bf12b"
		  "881dc200c9833da726e9376c2e32cff7" },
		{ "=Jefe", 1, "=what do ya want for nothing?", 1,
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
		  "64ec3843" },
		{ "aa", 20, "dd", 50, "773ea91e36800e46854db8ebd09181a7"
		  "2959098b3ef8c122d9635514ced565fe" },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819", 1,
		  "cd", 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f807"
		  "7a2e3ff46729665b" },
		/* Case 5 checks the first 128 bits only. */
		{ "0c", 20, "=Test With Truncation", 1,
		  "a3b6167473100ee06e0c796c2955552b" },
		{ "aa", 131, "=Test Using Larger Than Block-Size Key - Hash "
		  "Key First", 1, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc621"
		  "3728c5140546040f0ee37f54" },
		{ "aa", 131, "=This is a test using a larger than block-size "
		  "key and a larger than block-size data. The key needs to "
		  "be hashed before being used by the HMAC algorithm.", 1,
		  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f5153"
		  "5c3a35e2" },
	};
	unsigned char	 key[200], data[200];
	size_t		 i, klen, dlen;
	char		 hex[65];

	for (i = 0; i < nitems(v); i++) {
		klen = vector_bytes(v[i].key, v[i].keyrep, key);
		dlen = vector_bytes(v[i].data, v[i].datarep, data);
		assert_int_equal(status_hmac_sha256_hex(key, klen, data, dlen,
		    hex), 0);
		assert_int_equal(strlen(hex), 64);
		assert_memory_equal(hex, v[i].mac, strlen(v[i].mac));
	}
}

/* The webhook body byte for byte, and its signature. */
static void
test_webhook_body(void **state)
{
	struct status_event	 ev;
	char			*body, *sig;

	memset(&ev, 0, sizeof(ev));
	ev.name = "opened";
	ev.job_id = 42;
	ev.instance = "packit";
	ev.outage_json = "{\"id\": 1, \"title\": \"caf\xc3\xa9 \\\"x\\\"\"}";
	body = status_webhook_body(&ev);
	assert_string_equal(body, "{\"event\":\"outage.opened\","
	    "\"delivery\":42,\"instance\":\"packit\",\"status_url\":null,"
	    "\"outage\":{\"id\":1,\"title\":\"caf\xc3\xa9 \\\"x\\\"\"}}");
	/* Computed apart (Python's hmac) over exactly those bytes. */
	sig = status_webhook_signature("It's a Secret to Everybody", body);
	assert_string_equal(sig, "X-Outagebot-Signature-256: sha256="
	    "55a57f7454720519c41025eb0c66bd32"
	    "bac949cb796cde7135285ccdae90094b");
	free(sig);
	free(body);

	ev.name = "resolved";
	ev.status_url = "https://status.example/";
	body = status_webhook_body(&ev);
	assert_non_null(strstr(body, "\"event\":\"outage.resolved\""));
	assert_non_null(strstr(body,
	    "\"status_url\":\"https://status.example/\""));
	free(body);

	/* No outage object: no body. */
	ev.outage_json = "[1]";
	assert_null(status_webhook_body(&ev));
	ev.outage_json = "{";
	assert_null(status_webhook_body(&ev));
}

/* Which tokens may go into a URL. */
static void
test_telegram_token(void **state)
{
	assert_true(status_telegram_token_ok(TOKEN));
	assert_true(status_telegram_token_ok("1:a"));
	assert_false(status_telegram_token_ok(NULL));
	assert_false(status_telegram_token_ok(""));
	assert_false(status_telegram_token_ok("123456"));
	assert_false(status_telegram_token_ok(":abc"));
	assert_false(status_telegram_token_ok("12:"));
	assert_false(status_telegram_token_ok("x12:abc"));
	assert_false(status_telegram_token_ok("12:ab/c"));
	assert_false(status_telegram_token_ok("12:ab?c"));
	assert_false(status_telegram_token_ok("12:ab c"));
	assert_false(status_telegram_token_ok("12:ab:c"));
}

/* The sendMessage URL and body. */
static void
test_telegram_request(void **state)
{
	char	*s;

	s = status_telegram_url("https://api.telegram.org", TOKEN);
	assert_string_equal(s, "https://api.telegram.org/bot" TOKEN
	    "/sendMessage");
	free(s);
	s = status_telegram_url("http://127.0.0.1:8080/tg//", "1:a");
	assert_string_equal(s, "http://127.0.0.1:8080/tg/bot1:a/sendMessage");
	free(s);
	s = status_telegram_body("-1001234567890",
	    "[outage #1 down] \"API\" \xe2\x80\x94 \\o/");
	assert_string_equal(s, "{\"chat_id\":-1001234567890,\"text\":"
	    "\"[outage #1 down] \\\"API\\\" \xe2\x80\x94 \\\\o/\","
	    "\"disable_web_page_preview\":true}");
	free(s);
	s = status_telegram_body("@packit_status", "x");
	assert_string_equal(s, "{\"chat_id\":\"@packit_status\",\"text\":"
	    "\"x\",\"disable_web_page_preview\":true}");
	free(s);
}

/* Every shape of answer API-CONTRACTS §6 shows, and some it does not. */
static void
test_telegram_read(void **state)
{
	static const struct {
		long			 status;
		const char		*body;
		enum status_tg_answer	 want;
		long long		 ms;
		const char		*why;	/* NULL: not checked */
	} v[] = {
		{ 200, "{\"ok\":true,\"result\":{\"message_id\":42}}",
		  STATUS_TG_SENT, 0, NULL },
		/* "ok" counts with a 2xx only. */
		{ 500, "{\"ok\":true}", STATUS_TG_OTHER, 0, NULL },
		{ 429, "{\"ok\":false,\"error_code\":429,\"description\":"
		  "\"Too Many Requests: retry after 34\",\"parameters\":"
		  "{\"retry_after\":34}}", STATUS_TG_WAIT, 34000, NULL },
		/* Longer than any backoff: it is the server's word. */
		{ 429, "{\"ok\":false,\"parameters\":{\"retry_after\":3600}}",
		  STATUS_TG_WAIT, 3600000, NULL },
		{ 429, "{\"ok\":false,\"parameters\":{\"retry_after\":0}}",
		  STATUS_TG_WAIT, 1000, NULL },
		{ 429, "{\"parameters\":{\"retry_after\":99999999999}}",
		  STATUS_TG_WAIT, HTTP_WAIT_MAX_MS, NULL },
		{ 200, "{\"ok\":false,\"parameters\":{\"retry_after\":5}}",
		  STATUS_TG_WAIT, 5000, NULL },
		/* No usable retry_after: the common rules (429: 60 s). */
		{ 429, "{\"parameters\":{\"retry_after\":\"34\"}}",
		  STATUS_TG_OTHER, 0, NULL },
		{ 429, "{\"parameters\":{\"retry_after\":-1}}",
		  STATUS_TG_OTHER, 0, NULL },
		{ 429, "Too Many Requests", STATUS_TG_OTHER, 0, NULL },
		/* Refusals too (dead, in Telegram's words). */
		{ 401, "{\"ok\":false,\"error_code\":401,\"description\":"
		  "\"Unauthorized\"}", STATUS_TG_OTHER, 0, NULL },
		{ 403, "{\"ok\":false,\"error_code\":403,\"description\":"
		  "\"Forbidden: bot was blocked by the user\"}",
		  STATUS_TG_OTHER, 0, NULL },
		{ 400, "{\"ok\":false,\"error_code\":400,\"description\":"
		  "\"Bad Request: chat not found\"}", STATUS_TG_OTHER, 0,
		  NULL },
		{ 502, "<html>Bad Gateway</html>", STATUS_TG_OTHER, 0, NULL },
		/* A chat moved: dead, saying where to. */
		{ 400, "{\"ok\":false,\"error_code\":400,\"description\":"
		  "\"Bad Request: group chat was upgraded to a supergroup "
		  "chat\",\"parameters\":{\"migrate_to_chat_id\":"
		  "-100987654321}}", STATUS_TG_REJECTED, 0,
		  "400 Bad Request: group chat was upgraded to a supergroup "
		  "chat; the chat is now -100987654321: set chat_id" },
		/* A 2xx that is not "ok": true is not a sent message. */
		{ 200, "{\"ok\":false,\"error_code\":400,\"description\":"
		  "\"Bad Request: message text is empty\"}",
		  STATUS_TG_REJECTED, 0,
		  "400 Bad Request: message text is empty" },
		{ 200, "<html>captive portal</html>", STATUS_TG_REJECTED, 0,
		  "200 answer without \"ok\": true" },
	};
	struct http_response	 r;
	long long		 ms;
	char			 why[200];
	size_t			 i;

	for (i = 0; i < nitems(v); i++) {
		memset(&r, 0, sizeof(r));
		r.status = v[i].status;
		r.body = (char *)v[i].body;
		r.body_len = strlen(v[i].body);
		if (status_telegram_read(&r, &ms, why, sizeof(why)) !=
		    v[i].want || ms != v[i].ms)
			fail_msg("answer %zu: %ld %s", i, v[i].status,
			    v[i].body);
		if (v[i].why != NULL)
			assert_string_equal(why, v[i].why);
	}
	/* The 401 is dead with Telegram's description, by the rules. */
	r.status = 401;
	r.body = (char *)v[10].body;
	r.body_len = strlen(r.body);
	assert_int_equal(http_classify(&r, 1, 0, NULL), HTTP_PERMANENT);
	assert_string_equal(http_cause(&r, why, sizeof(why)),
	    "401 Unauthorized");
	/* No answer at all: the common rules. */
	memset(&r, 0, sizeof(r));
	r.error = "Connection refused";
	assert_int_equal(status_telegram_read(&r, &ms, why, sizeof(why)),
	    STATUS_TG_OTHER);
	assert_int_equal(status_telegram_read(NULL, &ms, why, sizeof(why)),
	    STATUS_TG_OTHER);
}

struct fx {
	struct loop	*loop;
	struct http	*http;
	struct status_ctx ctx;
};

static int
setup(void **state)
{
	struct fx	*f = xcalloc(1, sizeof(*f));

	f->loop = loop_new();
	f->http = http_new(f->loop, "outagebot-test");
	f->ctx.http = f->http;
	f->ctx.loop = f->loop;
	f->ctx.key = "k";
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	http_free(f->http);
	loop_free(f->loop);
	free(f);
	return 0;
}

/* A fresh job of an "opened" event for backend b. */
static void
new_job(struct status_job *j, const struct cfg_backend *b)
{
	memset(j, 0, sizeof(*j));
	j->cfg = b;
	j->ev.name = "opened";
	j->ev.line = "[outage #1 down] API";
	j->ev.outage.id = 1;
}

/* A token of another shape is refused, and not said. */
static void
test_telegram_open(void **state)
{
	struct fx		*f = *state;
	struct cfg_backend	 b;
	char			*cause = NULL;
	void			*t;

	memset(&b, 0, sizeof(b));
	b.type = CFG_BACKEND_TELEGRAM;
	b.api_url = "http://127.0.0.1:9";
	b.chat_id = "-100123";
	b.token = "my secret?token";
	assert_null(status_telegram_ops.open(&b, &f->ctx, &cause));
	assert_non_null(cause);
	assert_null(strstr(cause, "secret"));
	free(cause);
	cause = NULL;
	b.token = TOKEN;
	t = status_telegram_ops.open(&b, &f->ctx, &cause);
	assert_non_null(t);
	assert_null(cause);
	status_telegram_ops.close(t);
	b.chat_id = NULL;
	assert_null(status_telegram_ops.open(&b, &f->ctx, &cause));
	free(cause);
}

/* A webhook job whose outage cannot be read is dead at once. */
static void
test_webhook_unreadable(void **state)
{
	struct fx		*f = *state;
	struct cfg_backend	 b;
	struct status_job	 j;
	char			*cause = NULL;
	void			*w;

	memset(&b, 0, sizeof(b));
	b.type = CFG_BACKEND_WEBHOOK;
	assert_null(status_webhook_ops.open(&b, &f->ctx, &cause));
	free(cause);
	cause = NULL;
	b.url = "http://127.0.0.1:9/hook";
	w = status_webhook_ops.open(&b, &f->ctx, &cause);
	assert_non_null(w);
	new_job(&j, &b);
	j.ev.outage_json = "not json";
	status_webhook_ops.run(w, &j);
	assert_int_equal(j.finished, 1);
	assert_int_equal(j.res, OUTBOX_DEAD);
	status_webhook_ops.close(w);
}

/* Run the loop until the job is finished (a refused connection). */
static void
spin_until(struct fx *f, struct status_job *j)
{
	int	 i;

	for (i = 0; i < 500 && !j->finished; i++)
		loop_once(f->loop, 20);
	assert_int_equal(j->finished, 1);
}

/*
 * Run j on a backend's state with the log at debug level and stderr
 * caught in a file; what was logged (at least one byte) into logged.
 */
static void
run_logged(struct fx *f, const struct status_ops *ops, void *state,
    struct status_job *j, char *logged, size_t size)
{
	char	 path[] = "/tmp/test_status_notify.XXXXXX";
	ssize_t	 n;
	int	 fd, saved;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	log_set_level(LOG_DEBUG);
	ops->run(state, j);
	spin_until(f, j);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	log_set_level(LOG_INFO);
	n = pread(fd, logged, size - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	logged[n] = '\0';
}

/*
 * A message to a port where nobody listens: retried, and the bot's
 * debug log names the request without the token.
 */
static void
test_telegram_token_not_logged(void **state)
{
	struct fx		*f = *state;
	struct cfg_backend	 b;
	struct status_job	 j;
	char			 logged[4096];
	char			*cause = NULL;
	void			*t;

	memset(&b, 0, sizeof(b));
	b.type = CFG_BACKEND_TELEGRAM;
	b.api_url = "http://127.0.0.1:9";
	b.chat_id = "-100123";
	b.token = TOKEN;
	t = status_telegram_ops.open(&b, &f->ctx, &cause);
	assert_non_null(t);
	new_job(&j, &b);
	run_logged(f, &status_telegram_ops, t, &j, logged, sizeof(logged));
	assert_int_equal(j.res, OUTBOX_RETRY);
	assert_non_null(strstr(logged, "POST http://127.0.0.1:9/bot<token>"
	    "/sendMessage"));
	assert_null(strstr(logged, "AAHsecret"));
	assert_null(strstr(j.cause, "AAHsecret"));
	status_telegram_ops.close(t);
}

/*
 * A webhook whose URL path is its secret (as chat services make them):
 * the debug log names the host, never the path.
 */
static void
test_webhook_path_not_logged(void **state)
{
	struct fx		*f = *state;
	struct cfg_backend	 b;
	struct status_job	 j;
	char			 logged[4096];
	char			*cause = NULL;
	void			*w;

	memset(&b, 0, sizeof(b));
	b.type = CFG_BACKEND_WEBHOOK;
	b.url = "http://127.0.0.1:9/hooks/T0001/B0002/PathSecret42";
	w = status_webhook_ops.open(&b, &f->ctx, &cause);
	assert_non_null(w);
	new_job(&j, &b);
	j.ev.outage_json = "{\"id\": 1}";
	run_logged(f, &status_webhook_ops, w, &j, logged, sizeof(logged));
	assert_non_null(strstr(logged, "POST http://127.0.0.1:9/..."));
	assert_null(strstr(logged, "PathSecret42"));
	assert_null(strstr(j.cause, "PathSecret42"));
	status_webhook_ops.close(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_webhook_body),
		cmocka_unit_test(test_telegram_token),
		cmocka_unit_test(test_telegram_request),
		cmocka_unit_test(test_telegram_read),
		cmocka_unit_test_setup_teardown(test_telegram_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_webhook_unreadable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_telegram_token_not_logged,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook_path_not_logged,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
