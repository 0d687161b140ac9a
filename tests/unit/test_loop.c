/* deps: loop util log */
/*
 * test_loop.c — the event loop: timers fire in order and repeat by their
 * return value, deletion is safe inside callbacks (own and others'), fd
 * watches report readiness and can be removed from their own callback, a
 * timer added during a pass waits for the next pass, the before-sleep
 * hook runs before every poll, loop_release drops one owner's watches
 * and timers, and a reused fd number never gets a stale poll() result.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

struct rec {
	struct loop	*l;
	char		 order[32];
	int		 n;
	int		 count;
	long long	 other;
	int		 fd;
};

static long long
tick(struct loop *l, long long id, void *arg)
{
	struct rec *r = arg;

	r->order[r->n++] = 'T';
	return ++r->count < 3 ? 10 : LOOP_NOMORE;
}

static long long
mark_a(struct loop *l, long long id, void *arg)
{
	struct rec *r = arg;

	r->order[r->n++] = 'a';
	return LOOP_NOMORE;
}

static long long
mark_b(struct loop *l, long long id, void *arg)
{
	struct rec *r = arg;

	r->order[r->n++] = 'b';
	return LOOP_NOMORE;
}

/* A timer that deletes another due timer and itself. */
static long long
killer(struct loop *l, long long id, void *arg)
{
	struct rec *r = arg;

	r->order[r->n++] = 'k';
	loop_timer_del(l, r->other);
	loop_timer_del(l, id);
	return 5;	/* ignored: deleted */
}

static void
run_for(struct loop *l, int ms)
{
	uint64_t end = util_mono_ms() + (uint64_t)ms;

	while (util_mono_ms() < end)
		loop_once(l, 5);
}

static void
test_timer_repeat_and_order(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r;

	memset(&r, 0, sizeof r);
	loop_timer_add(l, NULL, 40, mark_b, &r);
	loop_timer_add(l, NULL, 5, mark_a, &r);
	loop_timer_add(l, NULL, 0, tick, &r);
	run_for(l, 120);
	assert_int_equal(r.count, 3);
	/* a before b; T three times, the first before a. */
	assert_non_null(strchr(r.order, 'a'));
	assert_true(strchr(r.order, 'a') < strchr(r.order, 'b'));
	assert_int_equal(r.order[0], 'T');
	assert_int_equal(r.n, 5);
	loop_free(l);
}

static void
test_timer_delete_inside(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r;

	memset(&r, 0, sizeof r);
	r.other = loop_timer_add(l, NULL, 20, mark_a, &r);
	loop_timer_add(l, NULL, 10, killer, &r);
	run_for(l, 80);
	assert_string_equal(r.order, "k");
	assert_int_equal(loop_timer_remaining(l, r.other), -1);
	loop_free(l);
}

static void
test_timer_remaining(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r;
	long long	 id, left;

	memset(&r, 0, sizeof r);
	id = loop_timer_add(l, NULL, 1000, mark_a, &r);
	left = loop_timer_remaining(l, id);
	assert_true(left > 900 && left <= 1000);
	loop_timer_del(l, id);
	assert_int_equal(loop_timer_remaining(l, id), -1);
	loop_timer_del(l, id);		/* twice: harmless */
	loop_free(l);
}

static void
on_read(struct loop *l, int fd, int ev, void *arg)
{
	struct rec	*r = arg;
	char		 c;

	assert_true(ev & LOOP_READ);
	assert_int_equal(read(fd, &c, 1), 1);
	r->order[r->n++] = c;
	if (c == 'z')
		loop_fd_del(l, fd);	/* remove own watch inside callback */
}

static void
test_fd_watch(void **state)
{
	struct loop	*l = loop_new();
	struct rec	 r;
	int		 p[2];

	memset(&r, 0, sizeof r);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_fd_set(l, NULL, p[0], LOOP_READ, on_read, &r),
	    0);
	run_for(l, 20);
	assert_int_equal(r.n, 0);		/* nothing ready */
	assert_int_equal(write(p[1], "xz", 2), 2);
	run_for(l, 30);
	assert_string_equal(r.order, "xz");
	assert_int_equal(write(p[1], "y", 1), 1);
	run_for(l, 30);
	assert_string_equal(r.order, "xz");	/* watch was removed */
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

static long long
stopper(struct loop *l, long long id, void *arg)
{
	loop_stop(l);
	return LOOP_NOMORE;
}

static void
test_run_stop(void **state)
{
	struct loop	*l = loop_new();
	uint64_t	 t0 = util_mono_ms();

	loop_timer_add(l, NULL, 30, stopper, NULL);
	loop_run(l);
	assert_true(util_mono_ms() - t0 >= 29);
	assert_true(util_mono_ms() - t0 < 1000);
	loop_free(l);
}

/* Many timers added from callbacks (the array grows while iterating). */
static long long
count_up(struct loop *l, long long id, void *arg)
{
	(*(int *)arg)++;
	return LOOP_NOMORE;
}

static long long
spawner2(struct loop *l, long long id, void *arg)
{
	int	*c = arg, i;

	for (i = 0; i < 50; i++)
		loop_timer_add(l, NULL, 1, count_up, c);
	return LOOP_NOMORE;
}

static void
test_add_inside(void **state)
{
	struct loop	*l = loop_new();
	int		 c = 0;

	loop_timer_add(l, NULL, 0, spawner2, &c);
	run_for(l, 50);
	assert_int_equal(c, 50);
	loop_free(l);
}

/* State of the same-pass test. */
struct pass {
	int		 hooks;		/* before-sleep calls so far */
	int		 adder_pass;	/* hook count when the adder ran */
	int		 added_pass;	/* hook count when the new timer ran */
	int		 added_runs;
};

/* Before-sleep hook: count iterations. */
static void
count_hook(void *arg)
{
	((struct pass *)arg)->hooks++;
}

/* The timer added from inside a pass: note when it ran. */
static long long
added(struct loop *l, long long id, void *arg)
{
	struct pass	*p = arg;

	p->added_pass = p->hooks;
	p->added_runs++;
	return LOOP_NOMORE;
}

/* A due timer that adds a 0 ms timer. */
static long long
adder(struct loop *l, long long id, void *arg)
{
	struct pass	*p = arg;

	p->adder_pass = p->hooks;
	loop_timer_add(l, NULL, 0, added, p);
	return LOOP_NOMORE;
}

/*
 * A 0 ms timer added by a timer callback does not run in the same pass,
 * whether it lands in a freed slot the pass has yet to reach (slot reuse)
 * or at the end of the array. Repeated, so that a clock tick between the
 * pass's start and the add cannot hide a missing guard.
 */
static void
test_added_waits_for_next_pass(void **state)
{
	struct loop	*l;
	struct pass	 p;
	long long	 gap;
	int		 round, reuse;

	for (round = 0; round < 40; round++) {
		reuse = round % 2 == 0;
		l = loop_new();
		memset(&p, 0, sizeof p);
		loop_before_sleep(l, count_hook, &p);
		loop_timer_add(l, NULL, 0, adder, &p);
		/* A free slot after the adder's, for the new timer. */
		gap = loop_timer_add(l, NULL, 100000, added, &p);
		if (reuse)
			loop_timer_del(l, gap);
		loop_once(l, 0);
		assert_int_equal(p.adder_pass, 1);
		assert_int_equal(p.added_runs, 0);
		loop_once(l, 0);
		assert_int_equal(p.added_runs, 1);
		assert_int_equal(p.added_pass, 2);
		loop_free(l);
	}
}

/* State of the before-sleep test. */
struct sleeper {
	int	 calls;
	int	 wfd;		/* the hook writes one byte here */
	char	 got[8];
	int	 ngot;
};

/* Before-sleep hook: count, and make the watched pipe readable. */
static void
write_hook(void *arg)
{
	struct sleeper	*z = arg;

	z->calls++;
	assert_int_equal(write(z->wfd, "h", 1), 1);
}

/* fd callback: collect bytes. */
static void
collect(struct loop *l, int fd, int ev, void *arg)
{
	struct sleeper	*z = arg;

	assert_int_equal(read(fd, &z->got[z->ngot], 1), 1);
	z->ngot++;
}

/*
 * The hook runs once per iteration, before poll(): what it writes is
 * seen by that same iteration's poll, even with a zero wait. Removing it
 * stops the calls.
 */
static void
test_before_sleep(void **state)
{
	struct loop	*l = loop_new();
	struct sleeper	 z;
	int		 p[2], i;

	memset(&z, 0, sizeof z);
	assert_int_equal(pipe(p), 0);
	z.wfd = p[1];
	loop_fd_set(l, NULL, p[0], LOOP_READ, collect, &z);
	loop_before_sleep(l, write_hook, &z);
	for (i = 1; i <= 3; i++) {
		loop_once(l, 0);
		assert_int_equal(z.calls, i);
		assert_int_equal(z.ngot, i);
	}
	loop_before_sleep(l, NULL, NULL);
	loop_once(l, 0);
	assert_int_equal(z.calls, 3);
	assert_int_equal(z.ngot, 3);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

/* Owners for the release tests. */
struct owner {
	struct loop	*l;
	int		 ticks;		/* timer callbacks run */
	int		 reads;		/* fd callbacks run */
	int		 release_self;	/* release own things when called */
};

/* Timer of an owner: count, and maybe release everything of its owner. */
static long long
owned_timer(struct loop *l, long long id, void *arg)
{
	struct owner	*o = arg;

	o->ticks++;
	if (o->release_self)
		loop_release(l, o);
	return 10;
}

/* fd watch of an owner: drain, count, maybe release its owner. */
static void
owned_fd(struct loop *l, int fd, int ev, void *arg)
{
	struct owner	*o = arg;
	char		 c;

	assert_int_equal(read(fd, &c, 1), 1);
	o->reads++;
	if (o->release_self)
		loop_release(l, o);
}

/*
 * loop_release drops every timer and watch of one owner and nothing of
 * anyone else's; NULL (the core) is never released; a replaced watch
 * belongs to its new owner.
 */
static void
test_release(void **state)
{
	struct loop	*l = loop_new();
	struct owner	 a, b;
	int		 core = 0, pa[2], pb[2], pc[2];
	long long	 ta1, ta2, tb, tc;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	assert_int_equal(pipe(pa), 0);
	assert_int_equal(pipe(pb), 0);
	assert_int_equal(pipe(pc), 0);
	ta1 = loop_timer_add(l, &a, 5, owned_timer, &a);
	ta2 = loop_timer_add(l, &a, 50000, owned_timer, &a);
	tb = loop_timer_add(l, &b, 5, owned_timer, &b);
	tc = loop_timer_add(l, NULL, 5, count_up, &core);
	loop_fd_set(l, &a, pa[0], LOOP_READ, owned_fd, &a);
	loop_fd_set(l, &b, pb[0], LOOP_READ, owned_fd, &b);
	/* Watched first by a, then replaced by b: now b's. */
	loop_fd_set(l, &a, pc[0], LOOP_READ, owned_fd, &a);
	loop_fd_set(l, &b, pc[0], LOOP_READ, owned_fd, &b);

	loop_release(l, &a);
	loop_release(l, NULL);
	assert_int_equal(loop_timer_remaining(l, ta1), -1);
	assert_int_equal(loop_timer_remaining(l, ta2), -1);
	assert_true(loop_timer_remaining(l, tb) >= 0);
	assert_true(loop_timer_remaining(l, tc) >= 0);
	assert_int_equal(write(pa[1], "a", 1), 1);
	assert_int_equal(write(pb[1], "b", 1), 1);
	assert_int_equal(write(pc[1], "c", 1), 1);
	run_for(l, 40);
	assert_int_equal(a.ticks + a.reads, 0);
	assert_int_equal(b.reads, 2);
	assert_true(b.ticks >= 1);
	assert_int_equal(core, 1);
	loop_release(l, &a);		/* nothing left: harmless */
	close(pa[0]);
	close(pa[1]);
	close(pb[0]);
	close(pb[1]);
	close(pc[0]);
	close(pc[1]);
	loop_free(l);
}

/*
 * Released from inside its own callbacks: a timer's release also stops
 * the owner's other timer due in the same pass, and an fd callback's
 * release stops the owner's other fd ready in the same poll.
 */
static void
test_release_inside(void **state)
{
	struct loop	*l = loop_new();
	struct owner	 a, b;
	int		 p1[2], p2[2];

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.release_self = b.release_self = 1;
	loop_timer_add(l, &a, 0, owned_timer, &a);
	loop_timer_add(l, &a, 0, owned_timer, &a);
	loop_once(l, 0);
	assert_int_equal(a.ticks, 1);
	run_for(l, 30);
	assert_int_equal(a.ticks, 1);

	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	loop_fd_set(l, &b, p1[0], LOOP_READ, owned_fd, &b);
	loop_fd_set(l, &b, p2[0], LOOP_READ, owned_fd, &b);
	assert_int_equal(write(p1[1], "x", 1), 1);
	assert_int_equal(write(p2[1], "y", 1), 1);
	loop_once(l, 100);
	assert_int_equal(b.reads, 1);
	run_for(l, 30);
	assert_int_equal(b.reads, 1);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	loop_free(l);
}

/* State of the reused fd number test. */
struct reuse {
	int	 first[2];	/* two pipes, both ready */
	int	 second[2];
	int	 fresh[2];	/* made in a callback, on second[0]'s number */
	int	 calls;
	int	 stale;		/* calls of the watch on the fresh pipe */
};

/* The watch on the fresh pipe: nothing was ever written to it. */
static void
fresh_cb(struct loop *l, int fd, int ev, void *arg)
{
	((struct reuse *)arg)->stale++;
}

/*
 * The first ready pipe's callback releases its owner, closes the second
 * pipe's read end and watches a new pipe that gets the same fd number.
 */
static void
reuse_cb(struct loop *l, int fd, int ev, void *arg)
{
	struct reuse	*z = arg;
	int		 old = z->second[0];

	z->calls++;
	loop_release(l, z);
	close(z->second[0]);
	assert_int_equal(pipe(z->fresh), 0);
	assert_int_equal(z->fresh[0], old);
	loop_fd_set(l, NULL, z->fresh[0], LOOP_READ, fresh_cb, z);
}

/*
 * poll()'s result for a deleted watch is not handed to a new watch that
 * a callback made on the same fd number in the same iteration.
 */
static void
test_reused_fd_number(void **state)
{
	struct loop	*l = loop_new();
	struct reuse	 z;

	memset(&z, 0, sizeof z);
	assert_int_equal(pipe(z.first), 0);
	assert_int_equal(pipe(z.second), 0);
	loop_fd_set(l, &z, z.first[0], LOOP_READ, reuse_cb, &z);
	loop_fd_set(l, &z, z.second[0], LOOP_READ, reuse_cb, &z);
	assert_int_equal(write(z.first[1], "1", 1), 1);
	assert_int_equal(write(z.second[1], "2", 1), 1);
	loop_once(l, 100);
	assert_int_equal(z.calls, 1);
	loop_once(l, 20);
	assert_int_equal(z.stale, 0);
	close(z.first[0]);
	close(z.first[1]);
	close(z.second[1]);
	close(z.fresh[0]);
	close(z.fresh[1]);
	loop_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_repeat_and_order),
		cmocka_unit_test(test_timer_delete_inside),
		cmocka_unit_test(test_timer_remaining),
		cmocka_unit_test(test_fd_watch),
		cmocka_unit_test(test_run_stop),
		cmocka_unit_test(test_add_inside),
		cmocka_unit_test(test_added_waits_for_next_pass),
		cmocka_unit_test(test_before_sleep),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_release_inside),
		cmocka_unit_test(test_reused_fd_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
