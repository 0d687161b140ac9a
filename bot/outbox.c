/*
 * outbox.c — runs the jobs table (DESIGN §8) on the loop.
 *
 * Owns: picking the jobs that may start (the store answers "first in
 * its lane, pending, due"), the per-executor limits (how many at once,
 * the gap between starts), marking a job running before its executor
 * starts it (so that a crash leaves a trace the next process resumes
 * from), and recording each outcome: done, retry after a delay (the
 * executor's, from Retry-After and the like, or our backoff), dead
 * (said once in the channel, in the same transaction), or wait (the
 * target is unreachable: that job's lane is parked until its executor is
 * kicked, while the executor's other lanes go on; a channel the bot is
 * not in must not hold back lines to other channels or to nicks).
 *
 * It must not know what a job does: executors do, by kind prefix. It
 * never blocks: every pass is one store query and the starts it allows;
 * executors do their I/O on the loop and call outbox_finish later.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "store.h"
#include "store_outbox.h"
#include "util.h"

#define OUTBOX_BATCH		32	/* jobs looked at per pass */
#define OUTBOX_SLOTS		16	/* executors at most */
#define OUTBOX_BACKOFF_MIN	2000LL
#define OUTBOX_BACKOFF_MAX	600000LL

struct outbox_slot {
	struct outbox_exec	 e;
	int			 inflight;
	long long		 last_start;	/* ms, wall clock */
};

/* A lane whose target was unreachable: it waits for a kick of the
 * executor that said so. */
struct outbox_park {
	char			*lane;
	char			*prefix;	/* of that executor */
	struct outbox_park	*next;
};

struct outbox_run {
	struct outbox		*ob;
	struct outbox_slot	*slot;
	struct store_job	 row;
	struct outbox_job	 job;
	struct outbox_run	*next;		/* in ob->runs */
};

struct outbox {
	struct loop		*loop;
	struct store		*st;
	outbox_clock		 clock;
	void			*clock_arg;
	struct outbox_slot	 slots[OUTBOX_SLOTS];
	size_t			 nslots;
	struct outbox_run	*runs;		/* started, not finished */
	struct outbox_park	*parked;	/* lanes waiting for a kick */
	long long		 timer;		/* next pass, or 0 */
	void			(*on_dead)(void *, struct store *,
				    const char *);
	void			*on_dead_arg;
};

static void	outbox_schedule(struct outbox *, long long delay_ms);
static void	outbox_unpark(struct outbox *, const char *prefix,
		    const char *lane);

/* The backoff before the next attempt after attempts failed ones. */
long long
outbox_backoff_ms(int attempts)
{
	long long	 ms = OUTBOX_BACKOFF_MIN;
	int		 i;

	for (i = 1; i < attempts && ms < OUTBOX_BACKOFF_MAX; i++)
		ms *= 2;
	return ms < OUTBOX_BACKOFF_MAX ? ms : OUTBOX_BACKOFF_MAX;
}

/* Create the outbox; jobs an earlier process left running resume. */
struct outbox *
outbox_new(struct loop *loop, struct store *st, outbox_clock clock,
    void *clock_arg)
{
	struct outbox	*ob = xcalloc(1, sizeof(*ob));

	ob->loop = loop;
	ob->st = st;
	ob->clock = clock;
	ob->clock_arg = clock_arg;
	if (store_job_resume(st) != 0)
		log_warn("outbox", "could not mark running jobs as resumed");
	return ob;
}

/* Free the outbox. Runs in flight are abandoned: their rows stay
 * running and resume in the next process. */
void
outbox_free(struct outbox *ob)
{
	struct outbox_run	*r, *next;

	if (ob == NULL)
		return;
	if (ob->timer != 0)
		loop_timer_del(ob->loop, ob->timer);
	for (r = ob->runs; r != NULL; r = next) {
		next = r->next;
		store_job_clear(&r->row);
		free(r);
	}
	outbox_unpark(ob, NULL, NULL);
	free(ob);
}

/* Register an executor. */
void
outbox_register(struct outbox *ob, const struct outbox_exec *e)
{
	struct outbox_slot	*slot = NULL;
	size_t			 i;

	for (i = 0; i < ob->nslots && slot == NULL; i++)
		if (ob->slots[i].e.start == NULL && ob->slots[i].inflight == 0)
			slot = &ob->slots[i];
	if (slot == NULL) {
		/* Runs point at their slot: never move the array while a
		 * run is in flight; a fixed maximum keeps it simple. */
		if (ob->nslots == OUTBOX_SLOTS) {
			log_error("outbox", "too many executors");
			return;
		}
		slot = &ob->slots[ob->nslots++];
	}
	memset(slot, 0, sizeof(*slot));
	slot->e = *e;
	outbox_kick(ob, e->prefix);
}

/* Remove the executor for prefix; its runs in flight still finish. */
void
outbox_unregister(struct outbox *ob, const char *prefix)
{
	struct outbox_run	*r;
	size_t			 i;

	for (i = 0; i < ob->nslots; i++) {
		if (strcmp(ob->slots[i].e.prefix, prefix) != 0)
			continue;
		for (r = ob->runs; r != NULL; r = r->next)
			if (r->slot == &ob->slots[i])
				r->slot = NULL;
		ob->slots[i].e.start = NULL;
		ob->slots[i].e.prefix = "";
		/* Its runs no longer count here: the slot is free again. */
		ob->slots[i].inflight = 0;
		return;
	}
}

/* The lane of the IRC jobs to target. */
char *
outbox_irc_lane(const char *target)
{
	return xasprintf("irc:%s", target);
}

/* Add an announcement job. */
long long
outbox_add_say(struct store *st, const char *target, const char *text,
    long long outage_id, long long now_ms)
{
	json_t		*p = json_pack("{s:s, s:s}", "target", target,
			    "text", text);
	char		*payload = util_json_take(p);
	char		*lane = outbox_irc_lane(target);
	long long	 id = -1;

	if (payload != NULL)
		id = store_job_add(st, "irc.say", lane, outage_id, payload,
		    now_ms);
	free(payload);
	free(lane);
	return id;
}

/* How a dead job is said in the channel. */
void
outbox_on_dead(struct outbox *ob,
    void (*fn)(void *, struct store *, const char *), void *arg)
{
	ob->on_dead = fn;
	ob->on_dead_arg = arg;
}

/* The executor for a kind, or NULL. */
static struct outbox_slot *
outbox_slot_for(struct outbox *ob, const char *kind)
{
	size_t	 i;

	for (i = 0; i < ob->nslots; i++)
		if (ob->slots[i].e.start != NULL && strncmp(kind,
		    ob->slots[i].e.prefix, strlen(ob->slots[i].e.prefix)) == 0)
			return &ob->slots[i];
	return NULL;
}

/* Is lane parked? */
static int
outbox_is_parked(const struct outbox *ob, const char *lane)
{
	const struct outbox_park	*p;

	for (p = ob->parked; p != NULL; p = p->next)
		if (strcmp(p->lane, lane) == 0)
			return 1;
	return 0;
}

/* Park lane for the executor with prefix (until that one is kicked). */
static void
outbox_park(struct outbox *ob, const char *lane, const char *prefix)
{
	struct outbox_park	*p;

	if (outbox_is_parked(ob, lane))
		return;
	p = xcalloc(1, sizeof(*p));
	p->lane = xstrdup(lane);
	p->prefix = xstrdup(prefix);
	p->next = ob->parked;
	ob->parked = p;
}

/* Unpark the lanes parked by prefix's executor (NULL: every lane) or,
 * when lane is not NULL, that lane only. */
static void
outbox_unpark(struct outbox *ob, const char *prefix, const char *lane)
{
	struct outbox_park	**pp = &ob->parked, *p;

	while ((p = *pp) != NULL) {
		if ((prefix == NULL || strcmp(p->prefix, prefix) == 0) &&
		    (lane == NULL || strcmp(p->lane, lane) == 0)) {
			*pp = p->next;
			free(p->lane);
			free(p->prefix);
			free(p);
		} else
			pp = &p->next;
	}
}

/* Run a pass soon; with a prefix, that executor's parked lanes go on. */
void
outbox_kick(struct outbox *ob, const char *prefix)
{
	if (prefix != NULL)
		outbox_unpark(ob, prefix, NULL);
	outbox_schedule(ob, 0);
}

/* The job of a run. */
const struct outbox_job *
outbox_job(const struct outbox_run *r)
{
	return &r->job;
}

/* Start one due job on its executor; 0 when started, else the ms to
 * wait before it may start (or -1: not now, a finish or kick will
 * schedule the next pass). */
static long long
outbox_start(struct outbox *ob, struct store_job *row, long long now)
{
	struct outbox_slot	*slot = outbox_slot_for(ob, row->kind);
	struct outbox_run	*r;

	if (slot == NULL) {
		/* Its executor is not configured (any more): wait for a
		 * reload that registers one; !jobs shows it. */
		return -1;
	}
	if (outbox_is_parked(ob, row->lane) || (slot->e.max_inflight > 0 &&
	    slot->inflight >= slot->e.max_inflight))
		return -1;
	if (slot->last_start != 0 &&
	    now - slot->last_start < slot->e.min_gap_ms)
		return slot->last_start + slot->e.min_gap_ms - now;

	row->state = STORE_JOB_RUNNING;
	if (store_job_set(ob->st, row) != 0)
		return -1;
	r = xcalloc(1, sizeof(*r));
	r->ob = ob;
	r->slot = slot;
	r->row = *row;
	memset(row, 0, sizeof(*row));	/* the run owns the strings now */
	r->job.id = r->row.id;
	r->job.kind = r->row.kind;
	r->job.lane = r->row.lane;
	r->job.outage_id = r->row.outage_id;
	r->job.payload = r->row.payload;
	r->job.attempts = r->row.attempts;
	r->job.resumed = r->row.resumed;
	r->next = ob->runs;
	ob->runs = r;
	slot->inflight++;
	slot->last_start = now;
	log_debug("outbox", "job %lld (%s) started, attempt %d", r->job.id,
	    r->job.kind, r->job.attempts + 1);
	slot->e.start(slot->e.arg, r);
	return 0;
}

/*
 * One pass: start what may start, then arm the timer for the next. The
 * due lane heads are read a page at a time, after the last one seen, so
 * that heads which cannot start (a parked lane, a busy executor) never
 * hide the ones behind them however many there are.
 */
static void
outbox_pass(struct outbox *ob)
{
	struct store_job	*rows;
	size_t			 n, i;
	long long		 now = ob->clock(ob->clock_arg), next_ms = -1;
	long long		 wait, soonest = -1, after = 0;

	do {
		rows = NULL;
		n = 0;
		if (store_job_due(ob->st, now, after, OUTBOX_BATCH, &rows, &n,
		    after == 0 ? &next_ms : NULL) != 0) {
			outbox_schedule(ob, OUTBOX_BACKOFF_MIN);
			return;
		}
		for (i = 0; i < n; i++) {
			after = rows[i].id;
			wait = outbox_start(ob, &rows[i], now);
			if (wait > 0 && (soonest < 0 || wait < soonest))
				soonest = wait;
		}
		store_job_free(rows, n);
	} while (n == OUTBOX_BATCH);
	if (next_ms >= 0 && (soonest < 0 || next_ms - now < soonest))
		soonest = next_ms - now > 0 ? next_ms - now : 0;
	if (soonest >= 0)
		outbox_schedule(ob, soonest);
}

/* The timer: run a pass. */
static long long
outbox_timer(struct loop *loop, long long id, void *arg)
{
	struct outbox	*ob = arg;

	ob->timer = 0;
	outbox_pass(ob);
	return LOOP_NOMORE;
}

/* Make sure a pass runs within delay_ms (by the loop's clock). */
static void
outbox_schedule(struct outbox *ob, long long delay_ms)
{
	long long	 left;

	if (ob->timer != 0) {
		left = loop_timer_remaining(ob->loop, ob->timer);
		if (left >= 0 && left <= delay_ms)
			return;
		loop_timer_del(ob->loop, ob->timer);
	}
	ob->timer = loop_timer_add(ob->loop, ob, delay_ms, outbox_timer, ob);
}

/* Unlink r from the runs in flight. */
static void
outbox_unlink(struct outbox *ob, struct outbox_run *r)
{
	struct outbox_run	**pp;

	for (pp = &ob->runs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			return;
		}
}

/* Mark a job dead and say so in the channel, in one transaction. */
static void
outbox_dead(struct outbox *ob, struct store_job *row)
{
	char	*line;

	line = xasprintf("%s; fix it, then !jobs retry %lld",
	    row->last_error != NULL ? row->last_error : "a job failed",
	    row->id);
	if (store_begin(ob->st) != 0) {
		free(line);
		return;
	}
	store_job_set(ob->st, row);
	if (ob->on_dead != NULL)
		ob->on_dead(ob->on_dead_arg, ob->st, line);
	if (store_commit(ob->st) != 0)
		log_warn("outbox", "job %lld: could not record its failure",
		    row->id);
	log_warn("outbox", "job %lld (%s) dead: %s", row->id, row->kind,
	    line);
	free(line);
}

/* Finish a run: record the outcome and schedule the next pass. */
void
outbox_finish(struct outbox_run *r, enum outbox_result res,
    long long retry_ms, const char *cause)
{
	struct outbox		*ob = r->ob;
	struct store_job	*row = &r->row;
	long long		 now = ob->clock(ob->clock_arg);

	outbox_unlink(ob, r);
	if (r->slot != NULL)
		r->slot->inflight--;
	row->resumed = 0;
	if (res != OUTBOX_WAIT)
		row->attempts++;
	free(row->last_error);
	row->last_error = cause != NULL ? xstrdup(cause) : NULL;
	switch (res) {
	case OUTBOX_DONE:
		row->state = STORE_JOB_DONE;
		break;
	case OUTBOX_RETRY:
		row->state = STORE_JOB_PENDING;
		row->next_at = now + (retry_ms > 0 ? retry_ms :
		    outbox_backoff_ms(row->attempts));
		log_info("outbox", "job %lld (%s) will retry in %llds: %s",
		    row->id, row->kind, (row->next_at - now + 999) / 1000,
		    cause != NULL ? cause : "failed");
		break;
	case OUTBOX_WAIT:
		row->state = STORE_JOB_PENDING;
		row->next_at = now;
		if (r->slot != NULL)
			outbox_park(ob, row->lane, r->slot->e.prefix);
		break;
	case OUTBOX_DEAD:
		row->state = STORE_JOB_DEAD;
		break;
	}
	if (res == OUTBOX_DEAD)
		outbox_dead(ob, row);
	else if (store_job_set(ob->st, row) != 0)
		log_warn("outbox", "job %lld: could not record its outcome",
		    row->id);
	store_job_clear(row);
	free(r);
	outbox_schedule(ob, 0);
}

/* !jobs retry ID. */
int
outbox_retry(struct outbox *ob, long long id, char **cause)
{
	struct store_job	 row;
	int			 rc;

	rc = store_job_get(ob->st, id, &row);
	if (rc != 0) {
		*cause = xstrdup(rc > 0 ? "no such job" :
		    "the database could not be read");
		return -1;
	}
	if (row.state == STORE_JOB_DONE || row.state == STORE_JOB_RUNNING) {
		*cause = xasprintf("job %lld is %s", id,
		    row.state == STORE_JOB_DONE ? "done already" : "running");
		store_job_clear(&row);
		return -1;
	}
	row.state = STORE_JOB_PENDING;
	row.next_at = ob->clock(ob->clock_arg);
	rc = store_job_set(ob->st, &row);
	if (rc == 0)
		outbox_unpark(ob, NULL, row.lane);
	store_job_clear(&row);
	if (rc != 0) {
		*cause = xstrdup("the database could not be written");
		return -1;
	}
	outbox_kick(ob, NULL);
	return 0;
}

/* The word for a job's state in !jobs. */
static const char *
outbox_state_word(const struct store_job *j)
{
	switch (j->state) {
	case STORE_JOB_RUNNING:
		return "running";
	case STORE_JOB_DEAD:
		return "dead";
	default:
		return j->attempts > 0 ? "retrying" : "pending";
	}
}

/* !jobs. */
int
outbox_describe(struct outbox *ob, int limit, char ***lines, size_t *n,
    char **cause)
{
	struct store_job	*rows = NULL;
	struct buf		 b;
	size_t			 nrows = 0, i;

	*lines = NULL;
	*n = 0;
	if (store_job_open(ob->st, limit, &rows, &nrows) != 0) {
		*cause = xstrdup("the database could not be read");
		return -1;
	}
	*lines = xcalloc(nrows + 1, sizeof(char *));
	for (i = 0; i < nrows; i++) {
		buf_init(&b);
		buf_printf(&b, "job %lld %s", rows[i].id, rows[i].kind);
		if (rows[i].outage_id != 0)
			buf_printf(&b, " (outage #%lld)", rows[i].outage_id);
		buf_printf(&b, ": %s", outbox_state_word(&rows[i]));
		if (rows[i].attempts > 0)
			buf_printf(&b, " after %d attempt%s", rows[i].attempts,
			    rows[i].attempts == 1 ? "" : "s");
		if (rows[i].last_error != NULL)
			buf_printf(&b, ": %s", rows[i].last_error);
		(*lines)[(*n)++] = buf_steal(&b);
	}
	store_job_free(rows, nrows);
	return 0;
}
