/*
 * test_status_job.c — the jobs of the status-page backends
 * (bot/status_job.c): the outage JSON round trip with every field and
 * odd text (quotes, backslashes, newlines, "---", non-ASCII, bytes that
 * are not UTF-8), the backend key (stable, and different wherever a
 * backend writes somewhere else), payloads that cannot be read, and one
 * job per backend and event over a real store.
 */
/* deps: status_job ircmsg store store_schema store_audit store_meta */
/* deps: store_oncall store_sts store_outbox store_outage outage util log */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "outage.h"
#include "status.h"
#include "store.h"
#include "store_outbox.h"
#include "util.h"

#define T0	1795600000LL		/* s */

static char *odd_texts[] = {
	"say \"hi\" \\ back\\slash",
	"line one\nline two\r\n\ttabbed",
	"---\ntitle: not: yaml\n---",
	"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x94\xa5 \xe6\x97\xa5\xe6\x9c\xac",
	"",
	"{\"json\": [1, 2]} </script> <!-- x -->",
};

/* An outage with every field set, updates carrying the odd texts. */
static void
full_outage(struct outage *o)
{
	size_t	 i;

	memset(o, 0, sizeof(*o));
	o->id = 12;
	o->title = xstrdup("Copr \"builds\": failing \\ ---");
	o->severity = OUTAGE_DOWN;
	o->state = OUTAGE_MONITORING;
	o->affected = xcalloc(3, sizeof(char *));
	o->affected[0] = xstrdup("Testing Farm");
	o->affected[1] = xstrdup("Copr");
	o->naffected = 2;
	o->alternatives = xstrdup("build locally: `make rpm`");
	o->eta = T0 + 7200;
	o->cause = xstrdup("https://status.example/incident?id=1&x=\"2\"");
	o->master = xstrdup("alice");
	o->opened_by = xstrdup("bob");
	o->opened_at = T0;
	o->updated_at = T0 + 600;
	o->resolved_at = T0 + 900;
	o->from_alert = 7;
	o->issue_number = 41;
	o->issue_url = xstrdup("https://github.example/o/r/issues/41");
	o->nupdates = nitems(odd_texts);
	o->updates = xcalloc(o->nupdates, sizeof(*o->updates));
	for (i = 0; i < o->nupdates; i++) {
		o->updates[i].at = T0 + (time_t)i * 60;
		o->updates[i].author = xstrdup(i % 2 ? "carol" : "dave");
		o->updates[i].text = xstrdup(odd_texts[i]);
		o->updates[i].state = (enum outage_state)(i % 4);
		o->updates[i].state_changed = (int)(i % 2);
	}
}

/* Equal strings, both NULL included. */
static void
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* Every field of a and b is the same (update ids are not carried). */
static void
same_outage(const struct outage *a, const struct outage *b)
{
	size_t	 i;

	assert_int_equal(a->id, b->id);
	same_str(a->title, b->title);
	assert_int_equal(a->severity, b->severity);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->naffected, b->naffected);
	for (i = 0; i < a->naffected; i++)
		same_str(a->affected[i], b->affected[i]);
	same_str(a->alternatives, b->alternatives);
	assert_int_equal(a->eta, b->eta);
	same_str(a->cause, b->cause);
	same_str(a->master, b->master);
	same_str(a->opened_by, b->opened_by);
	assert_int_equal(a->opened_at, b->opened_at);
	assert_int_equal(a->updated_at, b->updated_at);
	assert_int_equal(a->resolved_at, b->resolved_at);
	assert_int_equal(a->from_alert, b->from_alert);
	assert_int_equal(a->issue_number, b->issue_number);
	same_str(a->issue_url, b->issue_url);
	assert_int_equal(a->nupdates, b->nupdates);
	for (i = 0; i < a->nupdates; i++) {
		assert_int_equal(a->updates[i].at, b->updates[i].at);
		same_str(a->updates[i].author, b->updates[i].author);
		same_str(a->updates[i].text, b->updates[i].text);
		assert_int_equal(a->updates[i].state, b->updates[i].state);
		assert_int_equal(a->updates[i].state_changed,
		    b->updates[i].state_changed);
	}
}

/* Every field, odd text included, comes back as it went. */
static void
test_round_trip_full(void **state)
{
	struct outage	 o, back;
	char		*json, *again;

	full_outage(&o);
	json = status_outage_json(&o);
	assert_non_null(json);
	assert_int_equal(status_outage_parse(json, &back), 0);
	same_outage(&o, &back);
	/* And the JSON of what came back is the same text. */
	again = status_outage_json(&back);
	assert_string_equal(json, again);
	free(again);
	free(json);
	outage_clear(&back);
	outage_clear(&o);
}

/* Unset fields travel as null and come back unset. */
static void
test_round_trip_sparse(void **state)
{
	struct outage	 o, back;
	char		*json;

	memset(&o, 0, sizeof(o));
	o.id = 3;
	o.title = xstrdup("x");
	o.opened_at = T0;
	o.updated_at = T0;
	json = status_outage_json(&o);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"eta\":null"));
	assert_non_null(strstr(json, "\"resolved_at\":null"));
	assert_non_null(strstr(json, "\"master\":null"));
	assert_non_null(strstr(json, "\"affected\":[]"));
	assert_non_null(strstr(json, "\"updates\":[]"));
	assert_int_equal(status_outage_parse(json, &back), 0);
	same_outage(&o, &back);
	free(json);
	outage_clear(&back);
	outage_clear(&o);
}

/*
 * Text from IRC may be any bytes: an outage whose title or timeline is
 * not UTF-8 still has a JSON object (bad bytes as U+FFFD): the jobs
 * of a backend never fail the transaction of the change over it.
 */
static void
test_not_utf8_is_repaired(void **state)
{
	struct outage	 o, back;
	char		*json;

	full_outage(&o);
	free(o.title);
	o.title = xstrdup("caf\xe9 down");		/* Latin-1 */
	free(o.updates[0].text);
	o.updates[0].text = xstrdup("\xff\xfe bytes");
	free(o.master);
	o.master = xstrdup("J\xf6rg");
	json = status_outage_json(&o);
	assert_non_null(json);
	assert_int_equal(status_outage_parse(json, &back), 0);
	assert_string_equal(back.title, "caf\xef\xbf\xbd down");
	assert_string_equal(back.updates[0].text,
	    "\xef\xbf\xbd\xef\xbf\xbd bytes");
	assert_string_equal(back.master, "J\xef\xbf\xbdrg");
	free(json);
	outage_clear(&back);
	outage_clear(&o);
}

/* A backend with only type and url (webhook, cachet). */
static struct cfg_backend
backend(enum cfg_backend_type t)
{
	struct cfg_backend	b;

	memset(&b, 0, sizeof(b));
	b.type = t;
	return b;
}

/* The key: stable, the same whatever does not say where it writes. */
static void
test_key_stable(void **state)
{
	struct cfg_backend	 a = backend(CFG_BACKEND_WEBHOOK), b;
	char			 ka[64], kb[64];

	a.url = "https://dash.example/hook";
	status_key(&a, ka, sizeof(ka));
	/* Fixed across versions: a changed hash orphans queued jobs. */
	assert_string_equal(ka, "webhook-c48f4a13");
	b = a;
	b.secret = "s3cret";
	b.line = 99;
	b.token = "t";
	b.branch = "gh-pages";
	status_key(&b, kb, sizeof(kb));
	assert_string_equal(ka, kb);
	/* A copy of the strings, not the same pointers. */
	b.url = "https://dash.example/hook";
	status_key(&b, kb, sizeof(kb));
	assert_string_equal(ka, kb);
	/* A short buffer is cut, never overrun. */
	status_key(&a, kb, 8);
	assert_string_equal(kb, "webhook");
}

/* A backend that writes anywhere else has another key. */
static void
test_key_differs(void **state)
{
	struct cfg_backend	 v[11];
	char			 k[11][64];
	size_t			 i, j;

	v[0] = backend(CFG_BACKEND_CSTATE);
	v[0].repo = "o/r";
	v[0].path = "content/issues";
	v[1] = v[0];
	v[1].type = CFG_BACKEND_STATUSFY;
	v[2] = v[0];
	v[2].repo = "o/r2";
	v[3] = v[0];
	v[3].path = "content/issue";
	/* Field boundaries count: "o/r" + "x" is not "o/rx" + "". */
	v[4] = v[0];
	v[4].repo = "o/rcontent/issues";
	v[4].path = NULL;
	v[5] = backend(CFG_BACKEND_CSTATE);
	v[5].dir = "/srv/status";
	v[6] = backend(CFG_BACKEND_TELEGRAM);
	v[6].chat_id = "-100123";
	v[7] = v[6];
	v[7].chat_id = "-100124";
	v[8] = backend(CFG_BACKEND_WEBHOOK);
	v[8].url = "-100123";
	/* A repo on another branch or another GitHub is elsewhere. */
	v[9] = v[0];
	v[9].branch = "gh-pages";
	v[10] = v[0];
	v[10].api_url = "https://ghe.example/api/v3";
	for (i = 0; i < nitems(v); i++)
		status_key(&v[i], k[i], sizeof(k[i]));
	for (i = 0; i < nitems(v); i++)
		for (j = i + 1; j < nitems(v); j++)
			if (strcmp(k[i], k[j]) == 0)
				fail_msg("%zu and %zu share %s", i, j, k[i]);
	assert_int_equal(strncmp(k[1], "statusfy-", 9), 0);
	assert_int_equal(strncmp(k[6], "telegram-", 9), 0);
	assert_int_equal(strlen(k[6]), strlen("telegram-") + 8);
}

/* A payload built by hand around an outage JSON object. */
static char *
payload(const char *event, const char *outage, const char *line)
{
	return xasprintf("{\"event\":%s,\"outage\":%s,\"line\":%s}", event,
	    outage, line);
}

/* Payloads that cannot be read are refused, ev left empty. */
static void
test_event_parse_bad(void **state)
{
	static const char *const whole[] = {
		"", "not json", "[]", "null", "{}", "{\"event\":\"opened\"",
		"{\"event\":\"opened\",\"line\":\"x\"}",
	};
	static const char *const outages[] = {
		"null", "[]", "\"x\"", "{}",
		"{\"title\":\"t\",\"severity\":\"down\",\"state\":"
		"\"investigating\",\"updates\":[]}",
		"{\"title\":1,\"severity\":\"down\",\"state\":"
		"\"investigating\",\"affected\":[],\"updates\":[]}",
		"{\"title\":\"t\",\"severity\":\"major\",\"state\":"
		"\"investigating\",\"affected\":[],\"updates\":[]}",
		"{\"title\":\"t\",\"severity\":\"down\",\"state\":"
		"\"broken\",\"affected\":[],\"updates\":[]}",
		"{\"title\":\"t\",\"severity\":\"down\",\"state\":"
		"\"investigating\",\"affected\":[\"A\",2],\"updates\":[]}",
		"{\"title\":\"t\",\"severity\":\"down\",\"state\":"
		"\"investigating\",\"affected\":[],\"updates\":{}}",
		"{\"title\":\"t\",\"severity\":\"down\",\"state\":"
		"\"investigating\",\"affected\":[\"A\"],\"updates\":[1]}",
		"{\"title\":\"t\",\"severity\":\"down\",\"state\":"
		"\"investigating\",\"affected\":[\"A\"],\"updates\":"
		"[{\"at\":1,\"text\":\"x\",\"state\":\"identified\"},"
		"{\"at\":2,\"text\":\"y\",\"state\":\"gone\"}]}",
	};
	static const char good[] = "{\"title\":\"t\",\"severity\":\"down\","
	    "\"state\":\"investigating\",\"affected\":[],\"updates\":[]}";
	struct status_event	 ev, zero;
	char			*p;
	size_t			 i;

	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < nitems(whole); i++) {
		memset(&ev, 0xa5, sizeof(ev));
		assert_int_equal(status_event_parse(whole[i], &ev), -1);
		assert_memory_equal(&ev, &zero, sizeof(ev));
	}
	for (i = 0; i < nitems(outages); i++) {
		p = payload("\"opened\"", outages[i], "\"x\"");
		assert_int_equal(status_event_parse(p, &ev), -1);
		assert_memory_equal(&ev, &zero, sizeof(ev));
		free(p);
	}
	/* The frame around a good outage: event and line. */
	p = payload("\"reopened\"", good, "\"x\"");
	assert_int_equal(status_event_parse(p, &ev), -1);
	free(p);
	p = payload("1", good, "\"x\"");
	assert_int_equal(status_event_parse(p, &ev), -1);
	free(p);
	p = payload("\"opened\"", good, "null");
	assert_int_equal(status_event_parse(p, &ev), -1);
	free(p);
	/* The same frame with everything right is read. */
	p = payload("\"resolved\"", good, "\"the line\"");
	assert_int_equal(status_event_parse(p, &ev), 0);
	assert_int_equal(ev.kind, STATUS_RESOLVED);
	assert_string_equal(ev.name, "resolved");
	assert_string_equal(ev.line, "the line");
	assert_string_equal(ev.outage.title, "t");
	assert_non_null(ev.outage_json);
	status_event_clear(&ev);
	assert_memory_equal(&ev, &zero, sizeof(ev));
	free(p);
}

struct fx {
	char		 dir[64];
	char		*db;
	struct store	*st;
};

static int
setup(void **state)
{
	struct fx	*f = xcalloc(1, sizeof(*f));
	char		*cause = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_status_job.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->db = xasprintf("%s/t.db", f->dir);
	f->st = store_open(f->db, &cause);
	if (f->st == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	static const char *const files[] = { "", "-wal", "-shm", "-journal" };
	struct fx	*f = *state;
	char		*p;
	size_t		 i;

	store_close(f->st);
	for (i = 0; i < nitems(files); i++) {
		p = xasprintf("%s%s", f->db, files[i]);
		(void)unlink(p);
		free(p);
	}
	rmdir(f->dir);
	free(f->db);
	free(f);
	return 0;
}

/* One job per backend and event: kind, lane, outage, payload. */
static void
test_jobs_per_backend(void **state)
{
	struct fx		*f = *state;
	struct cfg_backend	 b[3];
	struct config		 cfg;
	struct outage		 o;
	struct store_job	*jobs = NULL;
	struct status_event	 ev;
	char			 key[64], want[128];
	size_t			 n = 0, i;

	b[0] = backend(CFG_BACKEND_CSTATE);
	b[0].dir = "/srv/status";
	b[1] = backend(CFG_BACKEND_WEBHOOK);
	b[1].url = "https://dash.example/hook";
	b[2] = backend(CFG_BACKEND_TELEGRAM);
	b[2].chat_id = "-100123";
	memset(&cfg, 0, sizeof(cfg));
	full_outage(&o);
	/* No backends: no job. */
	assert_int_equal(status_jobs_add(f->st, &cfg, &o, STATUS_OPENED,
	    "line", T0 * 1000), 0);
	assert_int_equal(store_job_open(f->st, 10, &jobs, &n), 0);
	assert_int_equal(n, 0);
	store_job_free(jobs, n);
	cfg.statuspage.backends = b;
	cfg.statuspage.nbackends = 3;
	assert_int_equal(status_jobs_add(f->st, &cfg, &o, STATUS_OPENED,
	    "[outage #12 down] Copr", T0 * 1000), 0);
	assert_int_equal(status_jobs_add(f->st, &cfg, &o, STATUS_UPDATED,
	    NULL, T0 * 1000 + 1), 0);
	assert_int_equal(store_job_open(f->st, 10, &jobs, &n), 0);
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++) {
		status_key(&b[i % 3], key, sizeof(key));
		snprintf(want, sizeof(want), "sp.%s.%s", key,
		    i < 3 ? "opened" : "updated");
		assert_string_equal(jobs[i].kind, want);
		snprintf(want, sizeof(want), "sp.%s:12", key);
		assert_string_equal(jobs[i].lane, want);
		assert_int_equal(jobs[i].outage_id, 12);
		assert_int_equal(status_event_parse(jobs[i].payload, &ev), 0);
		assert_int_equal(ev.kind, i < 3 ? STATUS_OPENED :
		    STATUS_UPDATED);
		assert_string_equal(ev.line, i < 3 ? "[outage #12 down] Copr" :
		    "");
		same_outage(&o, &ev.outage);
		status_event_clear(&ev);
	}
	store_job_free(jobs, n);
	outage_clear(&o);
}

/* Text that is not UTF-8 never stops the jobs. */
static void
test_jobs_not_utf8(void **state)
{
	struct fx		*f = *state;
	struct cfg_backend	 b = backend(CFG_BACKEND_WEBHOOK);
	struct config		 cfg;
	struct outage		 o;
	struct store_job	*jobs = NULL;
	struct status_event	 ev;
	size_t			 n = 0;

	b.url = "https://dash.example/hook";
	memset(&cfg, 0, sizeof(cfg));
	cfg.statuspage.backends = &b;
	cfg.statuspage.nbackends = 1;
	full_outage(&o);
	free(o.title);
	o.title = xstrdup("caf\xe9");
	assert_int_equal(status_jobs_add(f->st, &cfg, &o, STATUS_OPENED,
	    "[outage #12] caf\xe9", T0 * 1000), 0);
	assert_int_equal(store_job_open(f->st, 10, &jobs, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(status_event_parse(jobs[0].payload, &ev), 0);
	assert_string_equal(ev.outage.title, "caf\xef\xbf\xbd");
	assert_string_equal(ev.line, "[outage #12] caf\xef\xbf\xbd");
	status_event_clear(&ev);
	store_job_free(jobs, n);
	outage_clear(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_full),
		cmocka_unit_test(test_round_trip_sparse),
		cmocka_unit_test(test_not_utf8_is_repaired),
		cmocka_unit_test(test_key_stable),
		cmocka_unit_test(test_key_differs),
		cmocka_unit_test(test_event_parse_bad),
		cmocka_unit_test_setup_teardown(test_jobs_per_backend, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_jobs_not_utf8, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
