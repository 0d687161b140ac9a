/* deps: loop util log */
/*
 * test_loop.c — the event loop: timers fire in order and repeat by their
 * return value, deletion is safe inside callbacks (own and others'), fd
 * watches report readiness and can be removed from their own callback.
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
	loop_timer_add(l, 40, mark_b, &r);
	loop_timer_add(l, 5, mark_a, &r);
	loop_timer_add(l, 0, tick, &r);
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
	r.other = loop_timer_add(l, 20, mark_a, &r);
	loop_timer_add(l, 10, killer, &r);
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
	id = loop_timer_add(l, 1000, mark_a, &r);
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
	assert_int_equal(loop_fd_set(l, p[0], LOOP_READ, on_read, &r), 0);
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

	loop_timer_add(l, 30, stopper, NULL);
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
		loop_timer_add(l, 1, count_up, c);
	return LOOP_NOMORE;
}

static void
test_add_inside(void **state)
{
	struct loop	*l = loop_new();
	int		 c = 0;

	loop_timer_add(l, 0, spawner2, &c);
	run_for(l, 50);
	assert_int_equal(c, 50);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
