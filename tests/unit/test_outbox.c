/*
 * test_outbox.c — the outbox over a real store and loop, with a clock the
 * test moves: jobs of one lane run in order and one at a time, lanes run
 * side by side, a retry waits for its delay (the executor's or the
 * backoff), a dead job holds its lane, is said once in the same
 * transaction and comes back with outbox_retry, a parked lane waits for a
 * kick of its executor while its other lanes go on (however many are
 * parked), limits per executor, and a job left running by a crash
 * resumes marked as such.
 */
/* deps: outbox store store_schema store_audit store_meta store_oncall */
/* deps: store_sts store_outbox store_outage outage loop util log */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"
#include "outbox.h"
#include "store.h"
#include "store_outbox.h"
#include "util.h"

#define T0	1795600000000LL		/* ms */

struct fx {
	char			 dir[64];
	char			*db;
	struct loop		*loop;
	struct store		*st;
	struct outbox		*ob;
	long long		 now;
	struct outbox_run	*runs[64];	/* started, not finished */
	char			 started[64][32];	/* their lanes/kinds */
	int			 nstarted;
	int			 resumed[64];
	char			*dead_lines[4];
	int			 ndead;
};

/* The test's clock. */
static long long
fx_clock(void *arg)
{
	return ((struct fx *)arg)->now;
}

/* Executor: remember the run; the test finishes it. */
static void
fx_start(void *arg, struct outbox_run *r)
{
	struct fx		*f = arg;
	const struct outbox_job	*j = outbox_job(r);

	assert_true(f->nstarted < 64);
	f->runs[f->nstarted] = r;
	f->resumed[f->nstarted] = j->resumed;
	snprintf(f->started[f->nstarted], sizeof(f->started[0]), "%s",
	    j->payload);
	f->nstarted++;
}

/* How a dead job is said: an announcement job in the same tx. */
static void
fx_dead(void *arg, struct store *st, const char *line)
{
	struct fx	*f = arg;

	assert_true(f->ndead < 4);
	f->dead_lines[f->ndead++] = xstrdup(line);
	assert_true(store_job_add(st, "say.dead", "say", 0, line, f->now) > 0);
}

/* Run the loop until nothing is due at once. */
static void
spin(struct fx *f)
{
	int	 i;

	for (i = 0; i < 5; i++)
		loop_once(f->loop, 0);
}

/* Open the store and the outbox with one executor for "t.". */
static void
fx_open(struct fx *f, int max_inflight, long long gap)
{
	struct outbox_exec	 e = { 0 };
	char			*cause = NULL;

	f->st = store_open(f->db, &cause);
	assert_non_null(f->st);
	f->ob = outbox_new(f->loop, f->st, fx_clock, f);
	outbox_on_dead(f->ob, fx_dead, f);
	e.prefix = "t.";
	e.max_inflight = max_inflight;
	e.min_gap_ms = gap;
	e.start = fx_start;
	e.arg = f;
	outbox_register(f->ob, &e);
}

/* Close the outbox and the store (a restart keeps the file). */
static void
fx_close(struct fx *f)
{
	outbox_free(f->ob);
	store_close(f->st);
	f->ob = NULL;
	f->st = NULL;
	f->nstarted = 0;
}

static int
setup(void **state)
{
	struct fx	*f = xcalloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_outbox.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->db = xasprintf("%s/t.db", f->dir);
	f->loop = loop_new();
	f->now = T0;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;
	int		 i;
	char		*p;

	if (f->ob != NULL)
		fx_close(f);
	loop_free(f->loop);
	for (i = 0; i < f->ndead; i++)
		free(f->dead_lines[i]);
	unlink(f->db);
	p = xasprintf("%s-wal", f->db);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", f->db);
	unlink(p);
	free(p);
	rmdir(f->dir);
	free(f->db);
	free(f);
	return 0;
}

/* Add a job in its own transaction, as a state change would. */
static long long
add(struct fx *f, const char *lane, const char *payload)
{
	long long	 id;

	assert_int_equal(store_begin(f->st), 0);
	id = store_job_add(f->st, "t.x", lane, 0, payload, f->now);
	assert_true(id > 0);
	assert_int_equal(store_commit(f->st), 0);
	outbox_kick(f->ob, NULL);
	return id;
}

/* The stored state of a job. */
static struct store_job
job(struct fx *f, long long id)
{
	struct store_job	 j;

	assert_int_equal(store_job_get(f->st, id, &j), 0);
	return j;
}

static void
test_lane_order(void **state)
{
	struct fx		*f = *state;
	struct store_job	 j;
	long long		 a1, a2, b1;

	fx_open(f, 0, 0);
	a1 = add(f, "gh:1", "a1");
	a2 = add(f, "gh:1", "a2");
	b1 = add(f, "gh:2", "b1");
	spin(f);
	/* a1 and b1 start (two lanes); a2 waits for a1. */
	assert_int_equal(f->nstarted, 2);
	assert_string_equal(f->started[0], "a1");
	assert_string_equal(f->started[1], "b1");
	j = job(f, a1);
	assert_int_equal(j.state, STORE_JOB_RUNNING);
	store_job_clear(&j);
	outbox_finish(f->runs[0], OUTBOX_DONE, 0, NULL);
	spin(f);
	assert_int_equal(f->nstarted, 3);
	assert_string_equal(f->started[2], "a2");
	outbox_finish(f->runs[1], OUTBOX_DONE, 0, NULL);
	outbox_finish(f->runs[2], OUTBOX_DONE, 0, NULL);
	j = job(f, a2);
	assert_int_equal(j.state, STORE_JOB_DONE);
	assert_int_equal(j.attempts, 1);
	store_job_clear(&j);
	j = job(f, b1);
	assert_int_equal(j.state, STORE_JOB_DONE);
	store_job_clear(&j);
}

static void
test_retry_delay(void **state)
{
	struct fx		*f = *state;
	struct store_job	 j;
	long long		 id;

	fx_open(f, 0, 0);
	id = add(f, "gh:1", "a");
	add(f, "gh:1", "b");
	spin(f);
	assert_int_equal(f->nstarted, 1);
	/* The server said: not before 30 s. */
	outbox_finish(f->runs[0], OUTBOX_RETRY, 30000, "503 Service Unavailable");
	j = job(f, id);
	assert_int_equal(j.state, STORE_JOB_PENDING);
	assert_int_equal(j.attempts, 1);
	assert_int_equal(j.next_at, T0 + 30000);
	assert_string_equal(j.last_error, "503 Service Unavailable");
	store_job_clear(&j);
	f->now += 29000;
	outbox_kick(f->ob, NULL);
	spin(f);
	assert_int_equal(f->nstarted, 1);	/* not yet, and b waits too */
	f->now += 1000;
	outbox_kick(f->ob, NULL);
	spin(f);
	assert_int_equal(f->nstarted, 2);
	assert_string_equal(f->started[1], "a");
	/* Without a delay from the executor: our backoff (attempt 2). */
	outbox_finish(f->runs[1], OUTBOX_RETRY, 0, "timed out");
	j = job(f, id);
	assert_int_equal(j.next_at, f->now + outbox_backoff_ms(2));
	store_job_clear(&j);
	assert_int_equal(outbox_backoff_ms(1), 2000);
	assert_int_equal(outbox_backoff_ms(2), 4000);
	assert_int_equal(outbox_backoff_ms(30), 600000);
}

static void
test_dead_holds_lane(void **state)
{
	struct fx		*f = *state;
	struct store_job	 j, *open = NULL;
	size_t			 n = 0;
	long long		 id;
	char			*cause = NULL;

	fx_open(f, 0, 0);
	id = add(f, "gh:1", "create");
	add(f, "gh:1", "comment");
	spin(f);
	outbox_finish(f->runs[0], OUTBOX_DEAD, 0,
	    "GitHub rejected outage #1's issue: 401 Bad credentials");
	assert_int_equal(f->ndead, 1);
	assert_non_null(strstr(f->dead_lines[0], "401 Bad credentials; fix "
	    "it, then !jobs retry"));
	j = job(f, id);
	assert_int_equal(j.state, STORE_JOB_DEAD);
	store_job_clear(&j);
	/* The announcement was added with the death. */
	assert_int_equal(store_job_open(f->st, 10, &open, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(open[2].kind, "say.dead");
	store_job_free(open, n);
	/* The comment never starts while the create is dead. */
	f->now += 3600000;
	outbox_kick(f->ob, NULL);
	spin(f);
	assert_int_equal(f->nstarted, 1);
	/* Retried, the create runs again, then the comment. */
	assert_int_equal(outbox_retry(f->ob, id, &cause), 0);
	spin(f);
	assert_int_equal(f->nstarted, 2);
	assert_string_equal(f->started[1], "create");
	outbox_finish(f->runs[1], OUTBOX_DONE, 0, NULL);
	spin(f);
	assert_int_equal(f->nstarted, 3);
	assert_string_equal(f->started[2], "comment");
	outbox_finish(f->runs[2], OUTBOX_DONE, 0, NULL);
	assert_int_equal(outbox_retry(f->ob, id, &cause), -1);
	assert_string_equal(cause, "job 1 is done already");
	free(cause);
	cause = NULL;
	assert_int_equal(outbox_retry(f->ob, 999, &cause), -1);
	assert_string_equal(cause, "no such job");
	free(cause);
}

static void
test_wait_parks(void **state)
{
	struct fx	*f = *state;

	fx_open(f, 0, 0);
	add(f, "irc:#a", "one");
	add(f, "irc:#b", "two");
	spin(f);
	assert_int_equal(f->nstarted, 2);
	outbox_finish(f->runs[0], OUTBOX_WAIT, 0, NULL);
	outbox_finish(f->runs[1], OUTBOX_WAIT, 0, NULL);
	f->now += 600000;
	spin(f);
	assert_int_equal(f->nstarted, 2);	/* parked: nothing starts */
	outbox_kick(f->ob, "t.");
	spin(f);
	assert_int_equal(f->nstarted, 4);
	outbox_finish(f->runs[2], OUTBOX_DONE, 0, NULL);
	outbox_finish(f->runs[3], OUTBOX_DONE, 0, NULL);
}

static void
test_wait_parks_only_its_lane(void **state)
{
	struct fx	*f = *state;
	char		*cause = NULL;
	long long	 a1;

	fx_open(f, 0, 0);
	a1 = add(f, "irc:#a", "a1");
	add(f, "irc:#b", "b1");
	spin(f);
	assert_int_equal(f->nstarted, 2);
	outbox_finish(f->runs[0], OUTBOX_WAIT, 0, NULL);	/* not in #a */
	outbox_finish(f->runs[1], OUTBOX_DONE, 0, NULL);
	/* Lines to another channel and to a nick go on; #a waits. */
	add(f, "irc:#a", "a2");
	add(f, "irc:#b", "b2");
	add(f, "irc:bob", "n1");
	f->now += 600000;
	spin(f);
	assert_int_equal(f->nstarted, 4);
	assert_string_equal(f->started[2], "b2");
	assert_string_equal(f->started[3], "n1");
	outbox_finish(f->runs[2], OUTBOX_DONE, 0, NULL);
	outbox_finish(f->runs[3], OUTBOX_DONE, 0, NULL);
	spin(f);
	assert_int_equal(f->nstarted, 4);
	/* A kick of another executor leaves it parked; its own frees it. */
	outbox_kick(f->ob, "gh.");
	spin(f);
	assert_int_equal(f->nstarted, 4);
	outbox_kick(f->ob, "t.");
	spin(f);
	assert_int_equal(f->nstarted, 5);
	assert_string_equal(f->started[4], "a1");
	outbox_finish(f->runs[4], OUTBOX_WAIT, 0, NULL);
	spin(f);
	assert_int_equal(f->nstarted, 5);
	/* !jobs retry of the parked job unparks its lane. */
	assert_int_equal(outbox_retry(f->ob, a1, &cause), 0);
	spin(f);
	assert_int_equal(f->nstarted, 6);
	assert_string_equal(f->started[5], "a1");
	outbox_finish(f->runs[5], OUTBOX_DONE, 0, NULL);
	spin(f);
	assert_int_equal(f->nstarted, 7);
	assert_string_equal(f->started[6], "a2");
	outbox_finish(f->runs[6], OUTBOX_DONE, 0, NULL);
}

static void
test_many_parked_lanes(void **state)
{
	struct fx	*f = *state;
	char		 lane[32];
	int		 i;

	/* More parked lanes than one pass reads at once (its batch). */
	fx_open(f, 0, 0);
	for (i = 0; i < 40; i++) {
		snprintf(lane, sizeof(lane), "irc:#c%d", i);
		add(f, lane, "parked");
	}
	spin(f);
	assert_int_equal(f->nstarted, 40);
	for (i = 0; i < 40; i++)
		outbox_finish(f->runs[i], OUTBOX_WAIT, 0, NULL);
	add(f, "irc:alice", "late");
	spin(f);
	assert_int_equal(f->nstarted, 41);
	assert_string_equal(f->started[40], "late");
	outbox_finish(f->runs[40], OUTBOX_DONE, 0, NULL);
}

static void
test_limits(void **state)
{
	struct fx	*f = *state;

	fx_open(f, 1, 1000);
	add(f, "gh:1", "a");
	add(f, "gh:2", "b");
	spin(f);
	assert_int_equal(f->nstarted, 1);	/* one in flight */
	outbox_finish(f->runs[0], OUTBOX_DONE, 0, NULL);
	spin(f);
	assert_int_equal(f->nstarted, 1);	/* 1 s between starts */
	f->now += 1000;
	outbox_kick(f->ob, NULL);
	spin(f);
	assert_int_equal(f->nstarted, 2);
	outbox_finish(f->runs[1], OUTBOX_DONE, 0, NULL);
}

static void
test_resume_after_crash(void **state)
{
	struct fx		*f = *state;
	struct store_job	 j;
	long long		 id;

	fx_open(f, 0, 0);
	id = add(f, "gh:1", "create");
	spin(f);
	assert_int_equal(f->nstarted, 1);
	assert_int_equal(f->resumed[0], 0);
	fx_close(f);		/* the process dies with the job running */
	fx_open(f, 0, 0);
	spin(f);
	assert_int_equal(f->nstarted, 1);
	assert_int_equal(f->resumed[0], 1);
	outbox_finish(f->runs[0], OUTBOX_DONE, 0, NULL);
	j = job(f, id);
	assert_int_equal(j.state, STORE_JOB_DONE);
	assert_int_equal(j.resumed, 0);
	store_job_clear(&j);
}

static void
test_describe(void **state)
{
	struct fx	*f = *state;
	char		**lines = NULL, *cause = NULL;
	size_t		  n = 0, i;

	fx_open(f, 0, 0);
	add(f, "gh:1", "a");
	spin(f);
	outbox_finish(f->runs[0], OUTBOX_DEAD, 0, "401 Bad credentials");
	assert_int_equal(outbox_describe(f->ob, 10, &lines, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "job 1 t.x: dead after 1 attempt: "
	    "401 Bad credentials");
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/*
 * A reload while a job is in flight (unregister, the run finishes as
 * retry, register again), many times over: the executor's slot is
 * reused each time and the job keeps running again.
 */
static void
test_reload_in_flight(void **state)
{
	struct fx		*f = *state;
	struct outbox_exec	 e = { 0 };
	int			 i, before;

	fx_open(f, 0, 0);
	add(f, "sp:1", "j");
	spin(f);
	assert_int_equal(f->nstarted, 1);
	for (i = 0; i < 40; i++) {
		outbox_unregister(f->ob, "t.");
		outbox_finish(f->runs[f->nstarted - 1], OUTBOX_RETRY, 1,
		    "interrupted");
		e.prefix = "t.";
		e.start = fx_start;
		e.arg = f;
		outbox_register(f->ob, &e);
		f->now += 10000;
		before = f->nstarted;
		outbox_kick(f->ob, NULL);
		spin(f);
		assert_int_equal(f->nstarted, before + 1);
	}
	outbox_finish(f->runs[f->nstarted - 1], OUTBOX_DONE, 0, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lane_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_delay, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dead_holds_lane, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wait_parks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_parks_only_its_lane,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_parked_lanes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_after_crash, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_describe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_in_flight, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
