/*
 * test_oncall.c — the run-time on-call part's memory (oncall.c): views
 * answer from the role state and the override window kept in memory,
 * and every change made through oncall.c (take/override, swap, cancel,
 * a handoff's save, a reload) is seen by the next view. Each test runs
 * on a fresh database in its own mkdtemp directory with a fake clock;
 * the answers are compared with oncall_view_load, which reads the store
 * every time.
 */
/* deps: oncall rotation when tz loop store store_schema store_audit */
/* deps: store_meta store_oncall store_sts store_outbox store_outage */
/* deps: outage util log */
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
#include "log.h"
#include "loop.h"
#include "oncall.h"
#include "rotation.h"
#include "store.h"
#include "tz.h"
#include "util.h"

#define T_ANCHOR	1795424400	/* 2026-11-23 09:00 UTC */
#define T_DAY		86400
#define T_NOW		(T_ANCHOR + 2 * 3600)	/* alice's shift */

static time_t	t_now;

/* The fake wall clock. */
static time_t
fake_now(void)
{
	return t_now;
}

/* Speaking goes nowhere. */
static void
say(void *arg, const char *where, const char *text)
{
}

/* Nobody is online privately. */
static const char *
present(void *arg, const char *person)
{
	return NULL;
}

/* The bot is in every channel. */
static int
in_channel(void *arg, const char *chan)
{
	return 1;
}

struct fixture {
	char		 dir[64];
	char		*db;
	struct store	*store;
	struct loop	*loop;
	struct tz	*tz;
	char		*names[2][3];
	struct cfg_role	 roles[2][2];
	struct config	 cfg[2];
	struct oncall	*oc;
};

/* Role r of config c: a daily rotation of the given members. */
static void
role_init(struct fixture *f, int c, int r, const char *name,
    char **members, size_t n)
{
	struct cfg_role	*role = &f->roles[c][r];

	memset(role, 0, sizeof *role);
	role->name = (char *)name;
	role->members = members;
	role->nmembers = n;
	role->shift_days = 1;
	role->shift_ms = (long long)T_DAY * 1000;
	role->start = T_ANCHOR;
	role->tz = f->tz;
	role->announce_channel = (char *)"#test";
}

/*
 * Config 0: roles "om" (alice, bob, carol) and "sm" (same); config 1:
 * the same roles in the other order, and alice gone from "om".
 */
static int
setup(void **state)
{
	struct fixture		*f = xcalloc(1, sizeof *f);
	struct oncall_env	 env;
	char			*cause = NULL;
	int			 c;

	log_set_level(LOG_ERROR);
	snprintf(f->dir, sizeof f->dir, "/tmp/test_oncall.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->db = xasprintf("%s/test.db", f->dir);
	f->store = store_open(f->db, &cause);
	f->tz = tz_load("UTC", &cause);
	if (f->store == NULL || f->tz == NULL)
		return -1;
	f->loop = loop_new();
	f->names[0][0] = (char *)"alice";
	f->names[0][1] = (char *)"bob";
	f->names[0][2] = (char *)"carol";
	f->names[1][0] = (char *)"bob";
	f->names[1][1] = (char *)"carol";
	role_init(f, 0, 0, "om", f->names[0], 3);
	role_init(f, 0, 1, "sm", f->names[0], 3);
	role_init(f, 1, 0, "sm", f->names[0], 3);
	role_init(f, 1, 1, "om", f->names[1], 2);
	for (c = 0; c < 2; c++) {
		f->cfg[c].instance = (char *)"test";
		f->cfg[c].roles = f->roles[c];
		f->cfg[c].nroles = 2;
	}
	t_now = T_NOW;
	memset(&env, 0, sizeof env);
	env.loop = f->loop;
	env.store = f->store;
	env.now = fake_now;
	env.say_channel = say;
	env.say_private = say;
	env.present = present;
	env.in_channel = in_channel;
	f->oc = oncall_new(&env, &f->cfg[0]);
	oncall_refresh(f->oc);
	*state = f;
	return 0;
}

/* Remove the database's files, then its directory. */
static void
remove_db(const char *dir, const char *db)
{
	static const char *const	 files[] = { "", "-wal", "-shm" };
	char				*p;
	size_t				 i;

	for (i = 0; i < nitems(files); i++) {
		p = xasprintf("%s%s", db, files[i]);
		(void)unlink(p);
		free(p);
	}
	(void)rmdir(dir);
}

/* Free everything and remove the directory. */
static int
teardown(void **state)
{
	struct fixture	*f = *state;

	oncall_free(f->oc);
	loop_free(f->loop);
	store_close(f->store);
	tz_free(f->tz);
	remove_db(f->dir, f->db);
	free(f->db);
	free(f);
	return 0;
}

/* Who is on call in r at t, through the run-time part's view. */
static void
who_at(struct fixture *f, const struct cfg_role *r, time_t t, char *out)
{
	struct oncall_view	v;
	struct rot_slot		s;

	assert_int_equal(oncall_view(f->oc, r, t_now, 3, &v), 0);
	rot_who(&v.role, &v.state, v.ov, v.nov, t, &s);
	strlcpy_ob(out, s.person, ROT_NAME_MAX);
	oncall_view_free(&v);
}

/*
 * The run-time view of r over shifts shifts is the store's: the same
 * state and the same overrides, in the same order.
 */
static void
same_as_store(struct fixture *f, const struct cfg_role *r, int shifts)
{
	struct oncall_view	a, b;
	size_t			i;

	assert_int_equal(oncall_view(f->oc, r, t_now, shifts, &a), 0);
	assert_int_equal(oncall_view_load(f->store, r, t_now, shifts, 0, &b),
	    0);
	assert_string_equal(a.state.member, b.state.member);
	assert_int_equal(a.state.shift_start, b.state.shift_start);
	assert_int_equal(a.nov, b.nov);
	for (i = 0; i < a.nov; i++) {
		assert_int_equal(a.ov[i].id, b.ov[i].id);
		assert_string_equal(a.ov[i].person, b.ov[i].person);
		assert_int_equal(a.ov[i].from, b.ov[i].from);
		assert_int_equal(a.ov[i].to, b.ov[i].to);
	}
	oncall_view_free(&a);
	oncall_view_free(&b);
}

/* An override through the domain; its id. */
static long long
add(struct fixture *f, const struct cfg_role *r, const char *person,
    time_t from, time_t to)
{
	char		*cause = NULL;
	long long	 id;

	id = oncall_override_add(f->oc, r, person, from, to, "override",
	    NULL, "alice", NULL, &cause);
	assert_null(cause);
	assert_true(id > 0);
	return id;
}

/* A take or override is seen at once, though the window was read. */
static void
test_override_add_seen(void **state)
{
	struct fixture		*f = *state;
	const struct cfg_role	*om = &f->roles[0][0];
	char			 who[ROT_NAME_MAX];

	who_at(f, om, T_NOW, who);
	assert_string_equal(who, "alice");
	add(f, om, "carol", T_NOW, T_NOW + 3600);
	who_at(f, om, T_NOW, who);
	assert_string_equal(who, "carol");
	same_as_store(f, om, 3);
}

/* A swap's two overrides are seen at once. */
static void
test_swap_seen(void **state)
{
	struct fixture		*f = *state;
	const struct cfg_role	*om = &f->roles[0][0];
	struct rot_slot		 out[2];
	long long		 ids[2];
	char			 who[ROT_NAME_MAX], *cause = NULL;

	/* bob has tomorrow, carol the day after. */
	who_at(f, om, T_NOW + T_DAY, who);
	assert_string_equal(who, "bob");
	assert_int_equal(oncall_swap(f->oc, om, "bob", "carol", NULL, out,
	    ids, &cause), 0);
	who_at(f, om, T_NOW + T_DAY, who);
	assert_string_equal(who, "carol");
	who_at(f, om, T_NOW + 2 * T_DAY, who);
	assert_string_equal(who, "bob");
	same_as_store(f, om, 3);
}

/* A cancelled override is gone at once. */
static void
test_cancel_seen(void **state)
{
	struct fixture		*f = *state;
	const struct cfg_role	*om = &f->roles[0][0];
	char			 who[ROT_NAME_MAX], *role = NULL;
	char			*cause = NULL;
	long long		 id;

	id = add(f, om, "bob", T_NOW, T_NOW + 3600);
	who_at(f, om, T_NOW, who);
	assert_string_equal(who, "bob");
	assert_int_equal(oncall_override_cancel(f->oc, id, NULL, &role,
	    &cause), 1);
	assert_string_equal(role, "om");
	free(role);
	who_at(f, om, T_NOW, who);
	assert_string_equal(who, "alice");
	same_as_store(f, om, 3);
}

/* One role's change leaves the other's overrides as they are. */
static void
test_roles_apart(void **state)
{
	struct fixture		*f = *state;
	const struct cfg_role	*om = &f->roles[0][0];
	const struct cfg_role	*sm = &f->roles[0][1];
	char			 who[ROT_NAME_MAX];

	add(f, sm, "bob", T_NOW, T_NOW + 3600);
	who_at(f, sm, T_NOW, who);
	assert_string_equal(who, "bob");
	add(f, om, "carol", T_NOW, T_NOW + 3600);
	who_at(f, om, T_NOW, who);
	assert_string_equal(who, "carol");
	who_at(f, sm, T_NOW, who);
	assert_string_equal(who, "bob");
}

/*
 * A narrower window is served from a wider one read before, and a wider
 * one than was read is read again: both exactly as the store lists.
 */
static void
test_windows(void **state)
{
	struct fixture		*f = *state;
	const struct cfg_role	*om = &f->roles[0][0];
	int			 i;

	for (i = 0; i < 8; i++)
		add(f, om, i % 2 ? "bob" : "carol",
		    T_NOW + i * T_DAY / 2, T_NOW + i * T_DAY / 2 + 3600);
	same_as_store(f, om, 1);
	same_as_store(f, om, 5);
	same_as_store(f, om, 2);
	same_as_store(f, om, 0);
	t_now += T_DAY + 60;		/* the next shift, a later window */
	same_as_store(f, om, 2);
	same_as_store(f, om, 1);
}

/*
 * A reload may put the roles in another order: each role's view is its
 * own afterwards, not the one that stood at its index before.
 */
static void
test_reload_seen(void **state)
{
	struct fixture		*f = *state;
	char			 who[ROT_NAME_MAX];

	add(f, &f->roles[0][1], "bob", T_NOW, T_NOW + 3600);	/* sm */
	who_at(f, &f->roles[0][0], T_NOW, who);			/* om */
	assert_string_equal(who, "alice");
	who_at(f, &f->roles[0][1], T_NOW, who);
	assert_string_equal(who, "bob");
	oncall_set_config(f->oc, &f->cfg[1]);
	who_at(f, &f->roles[1][0], T_NOW, who);			/* sm */
	assert_string_equal(who, "bob");
	same_as_store(f, &f->roles[1][0], 3);
	same_as_store(f, &f->roles[1][1], 3);
}

/*
 * A handoff's save is what the next view starts from: alice left "om"
 * in a reload; a view before the refresh hands over to bob in memory
 * only, the refresh stores that handoff at its own instant, and later
 * views start from that stored instant.
 */
static void
test_handoff_saved_seen(void **state)
{
	struct fixture		*f = *state;
	const struct cfg_role	*om = &f->roles[1][1];
	struct oncall_view	 v;
	time_t			 at;

	oncall_set_config(f->oc, &f->cfg[1]);
	t_now = T_NOW + 60;
	assert_int_equal(oncall_view(f->oc, om, t_now, 1, &v), 0);
	assert_string_equal(v.state.member, "bob");
	assert_int_equal(v.state.shift_start, t_now);
	oncall_view_free(&v);
	t_now = at = T_NOW + 120;
	oncall_refresh(f->oc);
	t_now = T_NOW + 180;
	assert_int_equal(oncall_view(f->oc, om, t_now, 1, &v), 0);
	assert_string_equal(v.state.member, "bob");
	assert_int_equal(v.state.shift_start, at);
	oncall_view_free(&v);
	same_as_store(f, om, 1);
}

/*
 * Within its shift a view starts from the kept state as it is; once the
 * shift has ended (before any refresh has stored the handoff) it is
 * advanced, and the window's end follows the shift count asked.
 */
static void
test_view_across_handoff(void **state)
{
	struct fixture		*f = *state;
	const struct cfg_role	*om = &f->roles[0][0];
	struct oncall_view	 v;

	add(f, om, "carol", T_NOW + 2 * T_DAY, T_NOW + 2 * T_DAY + 60);
	same_as_store(f, om, 1);
	same_as_store(f, om, 3);
	same_as_store(f, om, 1);
	t_now = T_ANCHOR + T_DAY;		/* bob's shift begins */
	assert_int_equal(oncall_view(f->oc, om, t_now, 1, &v), 0);
	assert_string_equal(v.state.member, "bob");
	assert_int_equal(v.state.shift_start, T_ANCHOR + T_DAY);
	assert_int_equal(v.nov, 0);
	oncall_view_free(&v);
	same_as_store(f, om, 2);
	same_as_store(f, om, 1);
}

/* A view outlives a change that replaces the rows it was made from. */
static void
test_view_outlives_change(void **state)
{
	struct fixture		*f = *state;
	const struct cfg_role	*om = &f->roles[0][0];
	struct oncall_view	 v;

	add(f, om, "bob", T_NOW, T_NOW + 3600);
	assert_int_equal(oncall_view(f->oc, om, t_now, 3, &v), 0);
	assert_int_equal(v.nov, 1);
	add(f, om, "carol", T_NOW + 600, T_NOW + 1200);
	oncall_set_config(f->oc, &f->cfg[0]);
	assert_string_equal(v.ov[0].person, "bob");
	oncall_view_free(&v);
	same_as_store(f, om, 3);
}

/*
 * oncall_who's kept line is the line the store gives, at every step:
 * asked again, after an override, a cancel, a swap, across the shift's
 * end (before and after the handoff is stored) and after a reload.
 */
static void
who_is_store(struct fixture *f, const struct cfg_role *r, const char *want)
{
	struct oncall_view	 v;
	char			 kept[512], fresh[512];

	assert_non_null(oncall_who(f->oc, r, t_now, kept, sizeof kept));
	assert_int_equal(oncall_view_load(f->store, r, t_now,
	    ONCALL_WHO_SHIFTS, 0, &v), 0);
	oncall_who_line(r, &v, t_now, t_now, fresh, sizeof fresh);
	oncall_view_free(&v);
	assert_string_equal(kept, fresh);
	if (want != NULL && strstr(kept, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", kept, want);
}

static void
test_who_line_kept(void **state)
{
	struct fixture		*f = *state;
	const struct cfg_role	*om = &f->roles[0][0];
	struct rot_slot		 out[2];
	long long		 id, ids[2];
	char			*role = NULL, *cause = NULL;

	t_now = T_NOW;
	who_is_store(f, om, "om: alice until");
	t_now += 60;
	who_is_store(f, om, "om: alice until");
	id = add(f, om, "carol", t_now, t_now + 3600);
	who_is_store(f, om, "om: carol (covering for alice) until");
	assert_int_equal(oncall_override_cancel(f->oc, id, NULL, &role,
	    &cause), 1);
	free(role);
	who_is_store(f, om, "om: alice until");
	assert_int_equal(oncall_swap(f->oc, om, "bob", "carol", NULL, out,
	    ids, &cause), 0);
	who_is_store(f, om, "; next: carol");
	/* The shift ends: asked before any refresh stores the handoff. */
	t_now = T_ANCHOR + T_DAY + 1;
	who_is_store(f, om, "om: carol (covering for bob) until");
	oncall_refresh(f->oc);
	who_is_store(f, om, "om: carol (covering for bob) until");
	oncall_set_config(f->oc, &f->cfg[1]);
	who_is_store(f, &f->roles[1][0], NULL);
	who_is_store(f, &f->roles[1][1], NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_override_add_seen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_swap_seen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cancel_seen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_roles_apart, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_windows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reload_seen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_handoff_saved_seen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_view_across_handoff,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_who_line_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_view_outlives_change,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
