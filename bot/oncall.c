/*
 * oncall.c — rotations at run time. For each configured role it loads
 * the stored state (or starts from the anchor), catches up the handoffs
 * that are due, stores the new state together with the record of the
 * announcement, announces in the role's channel, sends the reminder
 * before a shift, and rewrites the iCal file. One loop timer is armed
 * for the earliest next event; a second, slow timer notices wall-clock
 * jumps (the loop's timers run on the monotonic clock) and re-arms.
 *
 * Handoffs missed while the bot was down are all applied to the state;
 * only the latest one is announced (the older ones are history). Every
 * announcement and reminder is recorded in the store (notices), so a
 * restart neither repeats nor skips one.
 *
 * It never decides who is on call itself: that is rotation.c. It never
 * sees struct bot nor the IRC layer: it gets the store, the loop, a clock
 * and the ways to speak at creation (struct oncall_env). Changes made by
 * commands (overrides, swaps, cancels) are domain functions here, each
 * with its audit row in its own transaction; the 366-day limit of an
 * override is checked here and nowhere else.
 *
 * Commands ask far more often than anything changes, so the run-time
 * part keeps each role's stored state and the overrides of the last
 * window it read in memory (struct oncall_cache): the store stays the
 * truth, the state is written through on every save and the overrides
 * are read again after every change made here, and on a reload. The
 * timers' own work (handoffs, announcements, the calendar) still reads
 * the store.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "loop.h"
#include "oncall.h"
#include "rotation.h"
#include "store.h"
#include "tz.h"
#include "util.h"
#include "when.h"

#define ONCALL_CLOCK_MS		10000	/* wall-clock jump check */
#define ONCALL_JUMP_S		2	/* a jump larger than this re-arms */
#define ONCALL_WHO_SLOTS	16	/* looked at to find "until" and "next" */
#define ONCALL_WHO_FIRST	2	/* slots tried first: usually enough */

/* A handoff made but not yet announced: whom it was after. */
struct oncall_pending {
	char	role[ROT_NAME_MAX];
	char	from[ROT_NAME_MAX];
	int	removed;
};

/* Override rows read for one window, shared by the views made of them. */
struct oncall_rows {
	int			 refs;
	time_t			 from;	/* rows overlapping [from, */
	time_t			 until;	/* until); 0: no end */
	struct store_override	*rows;	/* by start, then id */
	size_t			 n;
};

/* What the run-time part keeps of one role between requests. */
struct oncall_cache {
	int			 have_state;	/* state, stored are read */
	int			 stored;	/* the store has a state */
	struct rot_state	 state;		/* as stored */
	time_t			 until;		/* state holds before it */
	int			 shifts;	/* the last window asked: */
	time_t			 end;		/* its end (0: none) */
	struct oncall_rows	*rows;		/* NULL: none read */
	unsigned		 gen;		/* moves with state or rows */
	char			*who;		/* the who-line, or NULL: */
	unsigned		 who_gen;	/* made at this gen, */
	time_t			 who_from;	/* true for now in */
	time_t			 who_until;	/* [who_from, who_until) */
};

struct oncall {
	struct oncall_env	 env;
	const struct config	*cfg;
	struct oncall_cache	*cache;	/* one per cfg->roles[] */
	size_t			 ncache;
	struct oncall_pending	*pending;
	size_t			 npending;
	long long	 t_event;
	long long	 t_clock;
	long long	 wall_minus_mono;	/* seconds, last seen */
};

/* A role's rotation as rotation.c wants it. */
void
oncall_role(const struct cfg_role *r, struct rot_role *out)
{
	memset(out, 0, sizeof *out);
	out->name = r->name;
	out->members = r->members;
	out->nmembers = r->nmembers;
	out->shift_days = r->shift_days;
	out->shift_ms = r->shift_ms;
	out->start = (time_t)r->start;
	out->tz = r->tz;
}

/* Load a role's stored state (or the anchor's) without advancing it. */
static int
oncall_state_load(struct store *store, const struct rot_role *role,
    time_t now, struct rot_state *st, int *stored)
{
	char	*member = NULL;
	int	 pos = 0, rc;
	time_t	 start = 0;

	rc = store_rotation_get(store, role->name, &member, &pos, &start);
	if (rc < 0)
		return -1;
	*stored = rc == 1;
	if (rc == 0) {
		rot_state_init(role, now, st);
		return 0;
	}
	memset(st, 0, sizeof *st);
	strlcpy_ob(st->member, member, sizeof st->member);
	st->pos = pos;
	st->shift_start = start;
	free(member);
	return 0;
}

/* The end of a view's window: shifts shifts from its state, or until. */
static time_t
oncall_view_end(const struct oncall_view *v, int shifts, time_t until)
{
	time_t	end;

	end = rot_shifts_end(&v->role, v->state.shift_start, shifts);
	return until > end ? until : end;
}

/* A window's end as the store reads it: 0 is no end. */
static long long
oncall_until(time_t until)
{
	return until != 0 ? (long long)until : LLONG_MAX;
}

/*
 * Point the view's overrides at those of rows (by start, then id) that
 * overlap [from, until), as store_override_list would list them.
 */
static void
oncall_view_fill(struct oncall_view *v, const struct store_override *rows,
    size_t n, time_t from, time_t until)
{
	long long	end = oncall_until(until);
	size_t		i;

	v->ov = xcalloc(n ? n : 1, sizeof *v->ov);
	v->nov = 0;
	for (i = 0; i < n; i++) {
		if ((long long)rows[i].start >= end || rows[i].end <= from)
			continue;
		v->ov[v->nov].id = rows[i].id;
		v->ov[v->nov].person = rows[i].person;
		v->ov[v->nov].from = rows[i].start;
		v->ov[v->nov].to = rows[i].end;
		v->ov[v->nov].created = rows[i].created_at;
		v->nov++;
	}
}

/* A role's state at now and the overrides of the window asked for. */
int
oncall_view_load(struct store *store, const struct cfg_role *r, time_t now,
    int shifts, time_t until, struct oncall_view *v)
{
	struct store_override	*rows = NULL;
	size_t			 n = 0;
	time_t			 end;
	int			 stored;

	memset(v, 0, sizeof *v);
	oncall_role(r, &v->role);
	if (oncall_state_load(store, &v->role, now, &v->state, &stored) != 0)
		return -1;
	rot_advance(&v->role, &v->state, now, NULL, NULL);
	end = oncall_view_end(v, shifts, until);
	/* From the shift's start, so its first slot is told right too. */
	if (store_override_list(store, r->name, v->state.shift_start, end, 0,
	    &rows, &n) != 0)
		return -1;
	v->rows = rows;
	v->nrows = n;
	oncall_view_fill(v, rows, n, v->state.shift_start, end);
	return 0;
}

/* Drop one reference to shared rows; the last frees them. */
static void
oncall_rows_unref(struct oncall_rows *rows)
{
	if (rows == NULL || --rows->refs > 0)
		return;
	store_override_free(rows->rows, rows->n);
	free(rows);
}

/* Free what oncall_view_load or oncall_view allocated. */
void
oncall_view_free(struct oncall_view *v)
{
	store_override_free(v->rows, v->nrows);
	oncall_rows_unref(v->shared);
	free(v->ov);
	memset(v, 0, sizeof *v);
}

/*
 * The one-line answer for a role at t, and in *end when its first run
 * ends (0: nobody on call): the line is the same for any t before it.
 */
static const char *
oncall_who_fmt(const struct cfg_role *r, const struct oncall_view *v,
    time_t t, time_t now, char *buf, size_t bufsz, time_t *end)
{
	struct rot_slot	s[ONCALL_WHO_SLOTS];
	char		until[64], covers[ROT_NAME_MAX + 32] = "";
	size_t		n, k;

	*end = 0;
	/* The schedule's first slots are final as soon as they are out:
	 * two usually show both runs; only if they merge look further. */
	k = rot_schedule(&v->role, &v->state, v->ov, v->nov, t,
	    ONCALL_WHO_FIRST, s);
	n = rot_runs(s, k);
	if (n < 2 && k == ONCALL_WHO_FIRST)
		n = rot_runs(s, rot_schedule(&v->role, &v->state, v->ov,
		    v->nov, t, ONCALL_WHO_SLOTS, s));
	if (n == 0) {
		snprintf(buf, bufsz, "%s: nobody (no shifts)", r->name);
		return buf;
	}
	if (s[0].covers[0] != '\0')
		snprintf(covers, sizeof covers, " (covering for %s)",
		    s[0].covers);
	when_format(r->tz, s[0].end, now, until, sizeof until);
	snprintf(buf, bufsz, "%s: %s%s until %s; next: %s", r->name,
	    s[0].person, covers, until, n > 1 ? s[1].person : "nobody");
	*end = s[0].end;
	return buf;
}

/* The one-line answer for a role at t. */
const char *
oncall_who_line(const struct cfg_role *r, const struct oncall_view *v,
    time_t t, time_t now, char *buf, size_t bufsz)
{
	time_t	 end;

	return oncall_who_fmt(r, v, t, now, buf, bufsz, &end);
}

/* ------------------------------------------------------------------ */
/* Run time                                                           */

/* Send text to a team person: privately if online, else in channel. */
static void
oncall_tell(struct oncall *oc, const struct cfg_role *r, const char *person,
    const char *text)
{
	const struct oncall_env	*env = &oc->env;
	const char		*nick;
	char			*line;

	nick = env->present(env->arg, person);
	if (nick != NULL) {
		env->say_private(env->arg, nick, text);
		return;
	}
	line = xasprintf("%s: %s", person, text);
	env->say_channel(env->arg, r->announce_channel, line);
	free(line);
}

/* Collects the last handoff of an advance. */
struct oncall_catch {
	int			 n;
	struct rot_handoff	 last;
};

/* rot_advance callback. */
static void
oncall_on_handoff(const struct rot_handoff *h, void *arg)
{
	struct oncall_catch	*c = arg;

	c->n++;
	c->last = *h;
}

/* ------------------------------------------------------------------ */
/* What the run-time part keeps in memory                             */

/* Forget everything kept; size the cache for the roles of oc->cfg. */
static void
oncall_cache_reset(struct oncall *oc)
{
	size_t	i;

	for (i = 0; i < oc->ncache; i++) {
		oncall_rows_unref(oc->cache[i].rows);
		free(oc->cache[i].who);
	}
	free(oc->cache);
	oc->ncache = oc->cfg->nroles;
	oc->cache = xcalloc(oc->ncache ? oc->ncache : 1, sizeof *oc->cache);
}

/* The cache of the role named name, or NULL. */
static struct oncall_cache *
oncall_cache_named(struct oncall *oc, const char *name)
{
	size_t	i;

	for (i = 0; i < oc->ncache && i < oc->cfg->nroles; i++) {
		if (strcmp(oc->cfg->roles[i].name, name) == 0)
			return &oc->cache[i];
	}
	return NULL;
}

/* The cache of role r (one of oc->cfg's roles, or named like one). */
static struct oncall_cache *
oncall_cache_of(struct oncall *oc, const struct cfg_role *r)
{
	const struct cfg_role	*first = oc->cfg->roles;

	if (oc->ncache == oc->cfg->nroles && r >= first &&
	    r < first + oc->ncache)
		return &oc->cache[r - first];
	return oncall_cache_named(oc, r->name);
}

/* The role's overrides changed: read them again when next asked. */
static void
oncall_cache_forget(struct oncall *oc, const char *role)
{
	struct oncall_cache	*c;
	size_t			 i;

	c = role != NULL ? oncall_cache_named(oc, role) : NULL;
	if (c != NULL) {
		oncall_rows_unref(c->rows);
		c->rows = NULL;
		c->gen++;
		return;
	}
	for (i = 0; i < oc->ncache; i++) {
		oncall_rows_unref(oc->cache[i].rows);
		oc->cache[i].rows = NULL;
		oc->cache[i].gen++;
	}
}

/*
 * Keep st as the role's state (as stored, or unknown): rot_advance
 * would leave it as it is until its shift ends, unless its member has
 * left the list.
 */
static void
oncall_cache_set(struct oncall_cache *c, const struct cfg_role *r,
    const struct rot_state *st, int stored, int known)
{
	struct rot_role		role;
	struct rot_state	tmp = *st;

	c->have_state = known;
	c->stored = stored;
	c->gen++;
	c->state = *st;
	c->until = 0;
	c->end = 0;
	if (!known || !stored || r == NULL)
		return;
	oncall_role(r, &role);
	if (rot_advance(&role, &tmp, st->shift_start, NULL, NULL) == 0)
		c->until = rot_shift_end(&role, st->shift_start);
}

/* Read the role's stored state into its cache. 0 or -1. */
static int
oncall_cache_state(struct oncall *oc, const struct cfg_role *r,
    struct oncall_cache *c)
{
	char			*member = NULL;
	int			 pos = 0, rc;
	time_t			 start = 0;

	struct rot_state	st;

	rc = store_rotation_get(oc->env.store, r->name, &member, &pos,
	    &start);
	if (rc < 0)
		return -1;
	memset(&st, 0, sizeof st);
	if (rc == 1) {
		strlcpy_ob(st.member, member, sizeof st.member);
		st.pos = pos;
		st.shift_start = start;
	}
	free(member);
	oncall_cache_set(c, r, &st, rc == 1, 1);
	return 0;
}

/*
 * Make sure the cache holds every override of the role overlapping
 * [from, until): the rows kept if their window covers it, else read.
 */
static int
oncall_cache_rows(struct oncall *oc, const struct cfg_role *r,
    struct oncall_cache *c, time_t from, time_t until)
{
	struct oncall_rows	*rows;

	if (c->rows != NULL && from >= c->rows->from &&
	    oncall_until(until) <= oncall_until(c->rows->until))
		return 0;
	rows = xcalloc(1, sizeof *rows);
	if (store_override_list(oc->env.store, r->name, from, until, 0,
	    &rows->rows, &rows->n) != 0) {
		free(rows);
		return -1;
	}
	rows->refs = 1;
	rows->from = from;
	rows->until = until;
	oncall_rows_unref(c->rows);
	c->rows = rows;
	c->gen++;
	return 0;
}

/* Store state; with mark, also record its handoff as announced. */
static int
oncall_save(struct oncall *oc, const char *role, const struct rot_state *st,
    int mark, time_t now)
{
	struct store		*store = oc->env.store;
	struct oncall_cache	*c = oncall_cache_named(oc, role);
	int			 rc = -1;
	size_t			 i;

	if (store_begin(store) != 0)
		;
	else if (store_rotation_set(store, role, st->member, st->pos,
	    st->shift_start, now) != 0 ||
	    (mark && store_notice_mark(store, role, "handoff",
	    st->shift_start, st->member, now) != 0))
		store_rollback(store);
	else
		rc = store_commit(store);
	/* Written through: the cache holds what the store now holds (or,
	 * when that is unknown, nothing). */
	if (c != NULL) {
		i = (size_t)(c - oc->cache);
		oncall_cache_set(c, &oc->cfg->roles[i], st, 1, rc == 0);
	}
	return rc;
}

/* The pending "after whom" of a role's unannounced handoff, or NULL. */
static struct oncall_pending *
oncall_pending(struct oncall *oc, const char *role, int create)
{
	size_t	i;

	for (i = 0; i < oc->npending; i++) {
		if (strcmp(oc->pending[i].role, role) == 0)
			return &oc->pending[i];
	}
	if (!create)
		return NULL;
	oc->pending = xreallocarray(oc->pending, oc->npending + 1,
	    sizeof *oc->pending);
	memset(&oc->pending[oc->npending], 0, sizeof *oc->pending);
	strlcpy_ob(oc->pending[oc->npending].role, role, ROT_NAME_MAX);
	return &oc->pending[oc->npending++];
}

/*
 * Announce the handoff that began the current shift. The previous
 * person is known from the advance that made it; after a restart it is
 * the member before in the list.
 */
static void
oncall_announce(struct oncall *oc, const struct cfg_role *r,
    const struct rot_state *st, time_t now)
{
	struct store		*store = oc->env.store;
	struct oncall_pending	*p = oncall_pending(oc, r->name, 0);
	struct oncall_view	 q;
	struct rot_slot		 who;
	char			 until[64], after[ROT_NAME_MAX * 2], *text;
	size_t			 i, n = r->nmembers;

	if (oncall_view_load(store, r, now, 2, 0, &q) != 0)
		return;
	if (p != NULL && p->from[0] != '\0')
		snprintf(after, sizeof after, "%s%s", p->from, p->removed ?
		    ", who left the rotation" : "");
	else {
		for (i = 0; i < n && strcmp(r->members[i], st->member) != 0;
		    i++)
			;
		strlcpy_ob(after, r->members[(i + n - 1) % n], sizeof after);
	}
	rot_who(&q.role, &q.state, q.ov, q.nov, now, &who);
	when_format(r->tz, who.end, now, until, sizeof until);
	text = xasprintf("%s handoff: %s is on call until %s (after %s)",
	    r->name, who.person, until, after);
	/* The notice and the announcement job in one transaction: the
	 * line is kept until it has been written to the server. */
	if (store_begin(store) != 0)
		;
	else if (store_notice_mark(store, r->name, "handoff",
	    st->shift_start, st->member, now) == 0) {
		oc->env.say_channel(oc->env.arg, r->announce_channel, text);
		if (store_commit(store) == 0) {
			log_info("oncall", "%s", text);
			if (p != NULL)
				p->from[0] = '\0';
		}
	} else
		store_rollback(store);
	free(text);
	oncall_view_free(&q);
}

/* Send the reminder for the handoff at next, if it is due. */
static void
oncall_remind(struct oncall *oc, const struct cfg_role *r, time_t next,
    time_t now)
{
	struct store		*store = oc->env.store;
	struct oncall_view	 v;
	struct rot_slot		 who;
	char			 from[64], until[64], *text;

	/* Remind whoever will be on call at the handoff, overrides too. */
	if (oncall_view_load(store, r, now, 3, 0, &v) != 0)
		return;
	rot_who(&v.role, &v.state, v.ov, v.nov, next, &who);
	when_format(r->tz, next, now, from, sizeof from);
	when_format(r->tz, who.end, now, until, sizeof until);
	text = xasprintf("reminder: you are on call for %s from %s until %s",
	    r->name, from, until);
	if (store_begin(store) != 0)
		;
	else if (store_notice_mark(store, r->name, "remind", next,
	    who.person, now) == 0) {
		oncall_tell(oc, r, who.person, text);
		if (store_commit(store) == 0)
			log_info("oncall", "reminded %s: %s", who.person, text);
	} else
		store_rollback(store);
	free(text);
	oncall_view_free(&v);
}

/*
 * Bring one role up to now: handoffs, the announcement, the reminder.
 * Returns the next instant something is due for it, and sets *changed
 * when the schedule changed. Announcements and reminders wait until the
 * bot is in the role's channel (where it also sees who is online), and
 * are recorded only when made: oncall_joined tries them again.
 */
static time_t
oncall_role_tick(struct oncall *oc, const struct cfg_role *r, time_t now,
    int *changed)
{
	struct store		*store = oc->env.store;
	struct rot_role		 role;
	struct rot_state	 st;
	struct oncall_catch	 c;
	struct oncall_pending	*p;
	time_t			 next, remind_at;
	int			 stored, ready;

	oncall_role(r, &role);
	if (oncall_state_load(store, &role, now, &st, &stored) != 0)
		return now + 60;
	memset(&c, 0, sizeof c);
	rot_advance(&role, &st, now, oncall_on_handoff, &c);
	if (!stored || c.n > 0) {
		/* The first start from the anchor hands nothing over. */
		if (oncall_save(oc, r->name, &st, !stored, now) != 0)
			return now + 60;
		*changed = 1;
		if (c.n > 0) {
			p = oncall_pending(oc, r->name, 1);
			strlcpy_ob(p->from, c.last.from, sizeof p->from);
			p->removed = c.last.removed;
		}
	}
	ready = oc->env.in_channel(oc->env.arg, r->announce_channel);
	/* A handoff is announced at once: the outbox holds the line until
	 * the bot is in the channel. */
	if (store_notice_done(store, r->name, "handoff", st.shift_start) == 0)
		oncall_announce(oc, r, &st, now);
	next = rot_shift_end(&role, st.shift_start);
	if (r->remind_before_ms > 0) {
		remind_at = next - (time_t)(r->remind_before_ms / 1000);
		if (now < remind_at)
			next = remind_at;
		else if (store_notice_done(store, r->name, "remind",
		    next) == 0) {
			if (ready)
				oncall_remind(oc, r, next, now);
		}
	}
	return next;
}

/*
 * Write text to path through a unique temporary file in the same
 * folder (mkstemp: created new, so a link planted at a guessed name is
 * never followed), then rename it over path. 0, or -1 (logged).
 */
static int
oncall_save_file(const char *path, const char *text)
{
	char	*tmp = xasprintf("%s.XXXXXX", path);
	size_t	 len = strlen(text), off = 0;
	ssize_t	 n;
	int	 fd, rc = -1, saved;

	fd = mkstemp(tmp);
	if (fd < 0) {
		log_error("oncall", "cannot write %s: %s", path,
		    strerror(errno));
		free(tmp);
		return -1;
	}
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off == len && fchmod(fd, 0644) == 0) {
		rc = close(fd);
		fd = -1;
		if (rc == 0)
			rc = rename(tmp, path);
	}
	if (rc != 0) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		log_error("oncall", "cannot write %s: %s", path,
		    off < len ? "short write" : strerror(saved));
	}
	free(tmp);
	return rc;
}

/* Rewrite the calendar file with the next ical_weeks of every role. */
static void
oncall_write_ical(struct oncall *oc, time_t now)
{
	const struct config	*cfg = oc->cfg;
	struct oncall_view	*views;
	struct rot_cal		*cal;
	time_t			 until;
	char			*text;
	size_t			 i, n = 0;

	if (cfg->ical_path == NULL || cfg->nroles == 0)
		return;
	until = now + (time_t)cfg->ical_weeks * 7 * 86400;
	views = xcalloc(cfg->nroles, sizeof *views);
	cal = xcalloc(cfg->nroles, sizeof *cal);
	for (i = 0; i < cfg->nroles; i++) {
		if (oncall_view_load(oc->env.store, &cfg->roles[i], now, 1,
		    until, &views[n]) != 0)
			continue;
		cal[n].role = &views[n].role;
		cal[n].state = &views[n].state;
		cal[n].overrides = views[n].ov;
		cal[n].noverrides = views[n].nov;
		n++;
	}
	text = rot_ical(cfg->instance, cal, n, now, until);
	(void)oncall_save_file(cfg->ical_path, text);
	free(text);
	for (i = 0; i < n; i++)
		oncall_view_free(&views[i]);
	free(views);
	free(cal);
}

static void	oncall_arm(struct oncall *, time_t next, time_t now);

/* The event timer: something is due. */
static long long
oncall_event_timer(struct loop *loop, long long id, void *arg)
{
	struct oncall	*oc = arg;

	oc->t_event = 0;
	oncall_refresh(oc);
	return LOOP_NOMORE;
}

/* The clock watch: re-arm when the wall clock jumped. */
static long long
oncall_clock_timer(struct loop *loop, long long id, void *arg)
{
	struct oncall	*oc = arg;
	long long	 d = (long long)oc->env.now() -
	    (long long)(util_mono_ms() / 1000);

	if (d - oc->wall_minus_mono > ONCALL_JUMP_S ||
	    oc->wall_minus_mono - d > ONCALL_JUMP_S) {
		log_info("oncall", "the wall clock jumped by %llds; "
		    "re-arming", d - oc->wall_minus_mono);
		oncall_refresh(oc);
	}
	oc->wall_minus_mono = d;
	return ONCALL_CLOCK_MS;
}

/* Arm the event timer for the instant next. */
static void
oncall_arm(struct oncall *oc, time_t next, time_t now)
{
	long long	delay;

	if (oc->t_event != 0) {
		loop_timer_del(oc->env.loop, oc->t_event);
		oc->t_event = 0;
	}
	if (next == 0)
		return;
	delay = next > now ? (long long)(next - now) * 1000 : 0;
	/* Land just after the second turns, never just before it. */
	oc->t_event = loop_timer_add(oc->env.loop, oc, delay + 20,
	    oncall_event_timer, oc);
}

/* Catch up every role, announce, arm the timers, write the calendar. */
void
oncall_refresh(struct oncall *oc)
{
	const struct config	*cfg = oc->cfg;
	time_t			 now = oc->env.now(), next = 0, t;
	size_t			 i;
	int			 changed = 0;

	for (i = 0; i < cfg->nroles; i++) {
		t = oncall_role_tick(oc, &cfg->roles[i], now, &changed);
		if (t != 0 && (next == 0 || t < next))
			next = t;
	}
	oc->wall_minus_mono = (long long)now -
	    (long long)(util_mono_ms() / 1000);
	oncall_write_ical(oc, now);
	oncall_arm(oc, next, now);
}

/* Create the run-time part and start its clock watch. */
struct oncall *
oncall_new(const struct oncall_env *env, const struct config *cfg)
{
	struct oncall	*oc = xcalloc(1, sizeof *oc);

	oc->env = *env;
	if (oc->env.now == NULL)
		oc->env.now = util_now;
	oc->cfg = cfg;
	oncall_cache_reset(oc);
	oc->t_clock = loop_timer_add(oc->env.loop, oc, ONCALL_CLOCK_MS,
	    oncall_clock_timer, oc);
	return oc;
}

/* Take the configuration in force after a reload. */
void
oncall_set_config(struct oncall *oc, const struct config *cfg)
{
	oc->cfg = cfg;
	oncall_cache_reset(oc);
}

/*
 * The bot is in chan now. Announcements and reminders for a role whose
 * channel it is were held back; a refresh tries them (and they are
 * recorded only once made, so nothing repeats).
 */
void
oncall_joined(struct oncall *oc, const char *chan)
{
	size_t	i;

	for (i = 0; i < oc->cfg->nroles; i++) {
		if (oc->cfg->roles[i].announce_channel != NULL &&
		    util_strcaseeq(oc->cfg->roles[i].announce_channel,
		    chan)) {
			oncall_refresh(oc);
			return;
		}
	}
}

/* Stop the timers and free. */
void
oncall_free(struct oncall *oc)
{
	size_t	i;

	if (oc == NULL)
		return;
	if (oc->t_event != 0)
		loop_timer_del(oc->env.loop, oc->t_event);
	if (oc->t_clock != 0)
		loop_timer_del(oc->env.loop, oc->t_clock);
	for (i = 0; i < oc->ncache; i++) {
		oncall_rows_unref(oc->cache[i].rows);
		free(oc->cache[i].who);
	}
	free(oc->cache);
	free(oc->pending);
	free(oc);
}

/* ------------------------------------------------------------------ */
/* Changes made by people                                             */

/* A role's view at now from what the run-time part keeps. */
int
oncall_view(struct oncall *oc, const struct cfg_role *r, time_t now,
    int shifts, struct oncall_view *v)
{
	struct oncall_cache	*c = oncall_cache_of(oc, r);
	time_t			 end;

	if (c == NULL)
		return oncall_view_load(oc->env.store, r, now, shifts, 0, v);
	memset(v, 0, sizeof *v);
	oncall_role(r, &v->role);
	if (!c->have_state && oncall_cache_state(oc, r, c) != 0)
		return -1;
	if (c->stored)
		v->state = c->state;
	else
		rot_state_init(&v->role, now, &v->state);
	/* Within its shift the state needs no advance, nor its window's
	 * end a second reading of the grid. */
	if (now >= c->until)
		rot_advance(&v->role, &v->state, now, NULL, NULL);
	if (now < c->until && c->end != 0 && c->shifts == shifts)
		end = c->end;
	else
		end = oncall_view_end(v, shifts, 0);
	if (now < c->until) {
		c->shifts = shifts;
		c->end = end;
	}
	if (oncall_cache_rows(oc, r, c, v->state.shift_start, end) != 0)
		return -1;
	v->shared = c->rows;
	v->shared->refs++;
	oncall_view_fill(v, c->rows->rows, c->rows->n, v->state.shift_start,
	    end);
	return 0;
}

/*
 * !who-is-on-call for role r now into buf, or NULL when the state
 * cannot be read. The line is kept and said again while nothing it
 * rests on changed (the role's state and overrides: any change moves
 * the cache's gen) and now is before the first run's end and the
 * state's shift end; a line whose end falls in another year than now
 * is not kept, since it drops the year when the new year comes.
 */
const char *
oncall_who(struct oncall *oc, const struct cfg_role *r, time_t now,
    char *buf, size_t bufsz)
{
	struct oncall_cache	*c = oncall_cache_of(oc, r);
	struct oncall_view	 v;
	struct tz_local		 a, b;
	time_t			 end;

	if (c != NULL && c->who != NULL && c->who_gen == c->gen &&
	    now >= c->who_from && now < c->who_until) {
		strlcpy_ob(buf, c->who, bufsz);
		return buf;
	}
	if (oncall_view(oc, r, now, ONCALL_WHO_SHIFTS, &v) != 0)
		return NULL;
	oncall_who_fmt(r, &v, now, now, buf, bufsz, &end);
	oncall_view_free(&v);
	if (c == NULL || end <= now || now >= c->until)
		return buf;
	tz_to_local(r->tz, now, &a);
	tz_to_local(r->tz, end, &b);
	if (a.year != b.year)
		return buf;
	free(c->who);
	c->who = xstrdup(buf);
	c->who_gen = c->gen;
	c->who_from = now;
	c->who_until = end < c->until ? end : c->until;
	return buf;
}

/* Write the audit row of a change (inside its transaction). 0 or -1. */
static int
oncall_audit_add(struct oncall *oc, const struct oncall_audit *a)
{
	if (a == NULL)
		return 0;
	return store_audit_add(oc->env.store, oc->env.now(), a->who,
	    a->level, a->via, a->place, a->command,
	    a->args != NULL ? a->args : "");
}

/*
 * Check an override's interval at now and start it no earlier than now.
 * 0, or -1 with *cause. The one place the 366-day limit is decided.
 */
static int
oncall_interval_check(time_t now, time_t *from, time_t to, char **cause)
{
	if (to <= *from) {
		*cause = xstrdup("the end is not after the start");
		return -1;
	}
	if (to <= now) {
		*cause = xstrdup("that interval is in the past");
		return -1;
	}
	if (*from < now)
		*from = now;
	if ((long long)(to - *from) > ONCALL_OVERRIDE_MAX_S) {
		*cause = xstrdup("an override can last at most 366 days");
		return -1;
	}
	return 0;
}

/* Store one override and its audit row in one transaction. */
long long
oncall_override_add(struct oncall *oc, const struct cfg_role *r,
    const char *person, time_t from, time_t to, const char *kind,
    const char *covers, const char *by, const struct oncall_audit *audit,
    char **cause)
{
	struct store	*store = oc->env.store;
	time_t		 now = oc->env.now();
	long long	 id;

	*cause = NULL;
	if (oncall_interval_check(now, &from, to, cause) != 0)
		return -1;
	if (store_begin(store) != 0)
		goto fail;
	id = store_override_add(store, r->name, person, from, to, now, by,
	    kind, covers);
	if (id < 0 || oncall_audit_add(oc, audit) != 0) {
		store_rollback(store);
		goto fail;
	}
	oncall_cache_forget(oc, r->name);
	if (store_commit(store) != 0)
		goto fail;
	oncall_refresh(oc);
	return id;
fail:
	*cause = xstrdup("cannot store the override (see the log)");
	return -1;
}

/* Store a swap's two overrides and its audit row in one transaction. */
static int
oncall_swap_store(struct oncall *oc, const struct cfg_role *r,
    const char *me, const struct rot_slot out[2],
    const struct oncall_audit *audit, long long ids[2])
{
	struct store	*store = oc->env.store;
	time_t		 now = oc->env.now();
	int		 i;

	if (store_begin(store) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		ids[i] = store_override_add(store, r->name, out[i].person,
		    out[i].start, out[i].end, now, me, "swap", out[i].covers);
		if (ids[i] < 0) {
			store_rollback(store);
			return -1;
		}
	}
	if (oncall_audit_add(oc, audit) != 0) {
		store_rollback(store);
		return -1;
	}
	oncall_cache_forget(oc, r->name);
	return store_commit(store);
}

/* Exchange me's next shift with other's next shift. */
int
oncall_swap(struct oncall *oc, const struct cfg_role *r, const char *me,
    const char *other, const struct oncall_audit *audit,
    struct rot_slot out[2], long long ids[2], char **cause)
{
	struct oncall_view	 v;
	time_t			 now = oc->env.now();
	int			 rc;

	*cause = NULL;
	if (oncall_view(oc, r, now, 1, &v) != 0) {
		*cause = xstrdup("cannot read the on-call state "
		    "(see the log)");
		return -1;
	}
	rc = rot_swap(&v.role, &v.state, me, other, now, out, cause);
	oncall_view_free(&v);
	if (rc != 0)
		return -1;
	if (oncall_swap_store(oc, r, me, out, audit, ids) != 0) {
		*cause = xstrdup("cannot store the swap (see the log)");
		return -1;
	}
	oncall_refresh(oc);
	return 0;
}

/* Cancel override id and write its audit row in one transaction. */
int
oncall_override_cancel(struct oncall *oc, long long id,
    const struct oncall_audit *audit, char **role, char **cause)
{
	struct store	*store = oc->env.store;
	int		 rc;

	*cause = NULL;
	*role = NULL;
	if (store_begin(store) != 0)
		goto fail;
	rc = store_override_cancel(store, id, oc->env.now(), role);
	if (rc < 0 || (rc == 1 && oncall_audit_add(oc, audit) != 0)) {
		store_rollback(store);
		free(*role);
		*role = NULL;
		goto fail;
	}
	if (rc == 1)
		oncall_cache_forget(oc, *role);
	if (store_commit(store) != 0) {
		free(*role);
		*role = NULL;
		goto fail;
	}
	if (rc == 1)
		oncall_refresh(oc);
	return rc;
fail:
	*cause = xstrdup("cannot cancel the override (see the log)");
	return -1;
}

/* The current and upcoming overrides of role (NULL: all roles). */
int
oncall_overrides(struct oncall *oc, const char *role, int limit,
    struct oncall_override **out, size_t *n)
{
	struct store_override	*rows;
	struct oncall_override	*o;
	size_t			 i;

	if (store_override_list(oc->env.store, role, oc->env.now(), 0,
	    limit, &rows, n) != 0)
		return -1;
	*out = xcalloc(*n ? *n : 1, sizeof **out);
	for (i = 0; i < *n; i++) {
		o = &(*out)[i];
		o->id = rows[i].id;
		o->start = rows[i].start;
		o->end = rows[i].end;
		/* The strings move over; the rows are freed empty. */
		o->role = rows[i].role;
		o->person = rows[i].person;
		o->kind = rows[i].kind;
		o->created_by = rows[i].created_by;
		rows[i].role = rows[i].person = NULL;
		rows[i].kind = rows[i].created_by = NULL;
	}
	store_override_free(rows, *n);
	return 0;
}

/* Free what oncall_overrides returned. */
void
oncall_overrides_free(struct oncall_override *rows, size_t n)
{
	size_t	i;

	if (rows == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(rows[i].role);
		free(rows[i].person);
		free(rows[i].kind);
		free(rows[i].created_by);
	}
	free(rows);
}
