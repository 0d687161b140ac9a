/*
 * test_auditq.c — audit rows written in batches (auditq.c): a row waits
 * until its timer, a flush or the free, never longer; a full batch is
 * written at once; rows keep their order and their fields. Each test
 * runs on a fresh database in its own mkdtemp directory, on a real loop.
 */
/* deps: auditq loop store store_schema store_audit store_meta */
/* deps: store_oncall store_sts store_outbox store_outage outage */
/* deps: util log */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auditq.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "util.h"

#define DELAY_MS	50

struct fixture {
	char		 dir[64];
	char		*db;
	struct store	*store;
	struct loop	*loop;
	struct auditq	*q;
};

/* A fresh store, loop and queue. */
static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof *f);
	char		*cause = NULL;

	log_set_level(LOG_ERROR);
	snprintf(f->dir, sizeof f->dir, "/tmp/test_auditq.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->db = xasprintf("%s/a.db", f->dir);
	if ((f->store = store_open(f->db, &cause)) == NULL)
		return -1;
	f->loop = loop_new();
	f->q = auditq_new(f->loop, f->store, DELAY_MS);
	*state = f;
	return 0;
}

/* Free what is left and remove the directory. */
static int
teardown(void **state)
{
	static const char *const	 files[] = { "", "-wal", "-shm" };
	struct fixture			*f = *state;
	char				*p;
	size_t				 i;

	auditq_free(f->q);
	loop_free(f->loop);
	store_close(f->store);
	for (i = 0; i < nitems(files); i++) {
		p = xasprintf("%s%s", f->db, files[i]);
		(void)unlink(p);
		free(p);
	}
	(void)rmdir(f->dir);
	free(f->db);
	free(f);
	return 0;
}

/* The audit rows in the store, newest first. */
static size_t
rows(struct fixture *f, struct store_audit **out)
{
	size_t	n;

	assert_int_equal(store_audit_list(f->store, 1000, out, &n), 0);
	return n;
}

/* How many audit rows the store holds. */
static size_t
count(struct fixture *f)
{
	struct store_audit	*r;
	size_t			 n = rows(f, &r);

	store_audit_free(r, n);
	return n;
}

/* Queue row i ("cmd<i>"). */
static void
add(struct fixture *f, int i)
{
	char	cmd[32];

	snprintf(cmd, sizeof cmd, "cmd%d", i);
	auditq_add(f->q, 1000 + i, "alice", "member", "alice", "#test", cmd,
	    i % 2 ? "arg" : NULL);
}

/* A row waits for the timer, then all waiting rows are written. */
static void
test_timer_writes(void **state)
{
	struct fixture		*f = *state;
	struct store_audit	*r;
	uint64_t		 t0 = util_mono_ms();
	size_t			 n;

	add(f, 1);
	add(f, 2);
	assert_int_equal(auditq_pending(f->q), 2);
	assert_int_equal(count(f), 0);
	while (auditq_pending(f->q) > 0 && util_mono_ms() - t0 < 5000)
		loop_once(f->loop, 100);
	assert_int_equal(auditq_pending(f->q), 0);
	assert_true(util_mono_ms() - t0 >= DELAY_MS);
	n = rows(f, &r);
	assert_int_equal(n, 2);
	/* Newest first: the order they came in, and every field. */
	assert_string_equal(r[0].command, "cmd2");
	assert_string_equal(r[1].command, "cmd1");
	assert_int_equal(r[1].at, 1001);
	assert_string_equal(r[1].who, "alice");
	assert_string_equal(r[1].level, "member");
	assert_string_equal(r[1].via, "alice");
	assert_string_equal(r[1].place, "#test");
	assert_string_equal(r[1].args, "arg");
	assert_string_equal(r[0].args, "");
	store_audit_free(r, n);
}

/* A flush writes at once, and a row written before it stays first. */
static void
test_flush_keeps_order(void **state)
{
	struct fixture		*f = *state;
	struct store_audit	*r;
	size_t			 n;

	add(f, 1);
	auditq_flush(f->q);
	assert_int_equal(count(f), 1);
	/* A change's own row, written at once after the flush. */
	assert_int_equal(store_audit_add(f->store, 1002, "alice", "member",
	    "alice", "#test", "change", ""), 0);
	add(f, 3);
	auditq_flush(f->q);
	n = rows(f, &r);
	assert_int_equal(n, 3);
	assert_string_equal(r[2].command, "cmd1");
	assert_string_equal(r[1].command, "change");
	assert_string_equal(r[0].command, "cmd3");
	store_audit_free(r, n);
}

/* Freeing the queue writes what waits. */
static void
test_free_writes(void **state)
{
	struct fixture	*f = *state;

	add(f, 1);
	auditq_free(f->q);
	f->q = NULL;
	assert_int_equal(count(f), 1);
}

/* A full batch is written without waiting for the timer. */
static void
test_full_batch(void **state)
{
	struct fixture	*f = *state;
	int		 i;

	for (i = 0; i < 300; i++)
		add(f, i);
	assert_true(count(f) >= 200);
	assert_true(auditq_pending(f->q) < 100);
	auditq_flush(f->q);
	assert_int_equal(count(f), 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timer_writes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flush_keeps_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_free_writes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_full_batch, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
