/*
 * outbox.h — every external effect, carried out from the store (DESIGN
 * §8). A state change writes its effects as job rows in the same
 * transaction (store_job_add); the outbox runs them on the loop through
 * executors registered by kind, in order within a lane (one outage and
 * one target: the issue is created before it is commented on), retries
 * with backoff, never retries a permanent failure, and after a crash
 * resumes the jobs that were running (an executor sees job->resumed and
 * makes its effect idempotent, e.g. by looking up a marker first).
 *
 * A job that dies (permanent failure) blocks its lane, is said once in
 * the announce channels ("GitHub rejected outage #12's issue: 401 Bad
 * credentials; fix it, then !jobs retry 7"), and comes back with
 * outbox_retry.
 */
#ifndef OB_OUTBOX_H
#define OB_OUTBOX_H

#include <stddef.h>

struct loop;
struct store;
struct outbox;
struct outbox_run;

/* What an executor says about one run of a job. */
enum outbox_result {
	OUTBOX_DONE = 0,	/* the effect happened */
	OUTBOX_RETRY,		/* try again after retry_ms */
	OUTBOX_DEAD,		/* permanent: stop, tell the channel */
	OUTBOX_WAIT		/* the target is not reachable now (IRC
				   down, not in the channel): park the
				   job's lane until its executor's prefix
				   is kicked, no attempt counted; other
				   lanes go on */
};

/* The job handed to an executor; valid until outbox_finish. */
struct outbox_job {
	long long	 id;
	const char	*kind;		/* "gh.create", "irc.say", ... */
	const char	*lane;
	long long	 outage_id;	/* 0: none */
	const char	*payload;	/* JSON text */
	int		 attempts;	/* finished attempts before this one */
	int		 resumed;	/* it was running when the bot stopped */
};

/*
 * An executor for the kinds starting with prefix ("gh.", "irc.").
 * start must eventually call outbox_finish exactly once for the run
 * (it may do so before returning). At most max_inflight of its jobs run
 * at once (0: no limit), and a job starts at least min_gap_ms after the
 * previous one of this executor started.
 */
struct outbox_exec {
	const char	*prefix;
	int		 max_inflight;
	long long	 min_gap_ms;
	void		(*start)(void *arg, struct outbox_run *);
	void		*arg;
};

/* Time source (wall clock, ms since the epoch); tests pass their own. */
typedef long long (*outbox_clock)(void *arg);

/*
 * Create the outbox over a store (borrowed). Jobs left running by an
 * earlier process are marked resumed and pending again. say is how a
 * dead job is told to the channel: it must add an announcement job
 * (inside the transaction the outbox holds when it calls it).
 */
struct outbox	*outbox_new(struct loop *, struct store *, outbox_clock,
		     void *clock_arg);
void		 outbox_free(struct outbox *);
/* Register an executor (copied). */
void		 outbox_register(struct outbox *, const struct outbox_exec *);
/*
 * How a dead job is said in the channel: called inside the transaction
 * that marks the job dead, with the whole line; must add the
 * announcement job(s) with store_job_add.
 */
void		 outbox_on_dead(struct outbox *,
		     void (*fn)(void *arg, struct store *, const char *line),
		     void *arg);

/* Remove the executor for prefix (a reload replaces it). Runs in
 * flight finish normally. */
void		 outbox_unregister(struct outbox *, const char *prefix);

/* The lane of the IRC jobs to target (a channel or a nick): its
 * announcements and topic changes keep their order. Caller frees. */
char		*outbox_irc_lane(const char *target);

/*
 * Add an announcement job: the line text to target (a channel or a
 * nick), in the lane of that target, inside the caller's transaction or
 * as its own. The "irc." executor says it and marks it done once it has
 * been written to the server. Returns the job id, or -1.
 */
long long	 outbox_add_say(struct store *, const char *target,
		     const char *text, long long outage_id, long long now_ms);

/*
 * Run what is due soon (on the loop, never inside the caller): after new
 * jobs were committed, prefix NULL; when the targets of an executor may
 * be reachable again (IRC registered, a channel joined), its prefix, and
 * the lanes it parked go on too.
 */
void		 outbox_kick(struct outbox *, const char *prefix);

/* The job of a run; its fields live until outbox_finish. */
const struct outbox_job *outbox_job(const struct outbox_run *);

/*
 * Finish a run. cause is a short line for the channel and !jobs
 * ("GitHub rejected outage #12's issue: 401 Bad credentials"); retry_ms
 * applies to OUTBOX_RETRY (0: the outbox's own backoff).
 */
void		 outbox_finish(struct outbox_run *, enum outbox_result,
		     long long retry_ms, const char *cause);

/* !jobs retry ID: a dead (or pending) job runs again now (its lane
 * unparked). 0, or -1 with *cause (caller frees). */
int		 outbox_retry(struct outbox *, long long id, char **cause);

/*
 * !jobs: one line per job that is not done, oldest first, at most
 * limit: "job 7 gh.create (outage #12): dead after 3 attempts: GitHub
 * rejected ...". 0 with *lines (caller frees each and the array), or -1
 * with *cause.
 */
int		 outbox_describe(struct outbox *, int limit, char ***lines,
		     size_t *n, char **cause);

/* The backoff before attempt n+1 after n failed ones, without jitter:
 * 2 s doubling to 10 min. */
long long	 outbox_backoff_ms(int attempts);

#endif
