/*
 * store_outbox.h — the jobs table of the outbox (DESIGN §8): one row per
 * external effect, added in the transaction of the change that caused
 * it. A lane orders jobs: within a lane only the oldest job that is not
 * done may run, so a dead job holds back the ones after it.
 */
#ifndef OB_STORE_OUTBOX_H
#define OB_STORE_OUTBOX_H

#include <stddef.h>

struct store;

/* Stored as integers; never reuse a number. */
enum store_job_state {
	STORE_JOB_PENDING = 0,
	STORE_JOB_RUNNING = 1,
	STORE_JOB_DONE = 2,
	STORE_JOB_DEAD = 3
};

struct store_job {
	long long		 id;
	char			*kind;
	char			*lane;
	long long		 outage_id;	/* 0: none */
	char			*payload;	/* JSON text */
	enum store_job_state	 state;
	int			 attempts;
	int			 resumed;	/* was running at a restart */
	long long		 next_at;	/* ms since the epoch */
	char			*last_error;	/* or NULL */
	long long		 created_at;	/* ms since the epoch */
};

/* Add a pending job, due at now_ms. Returns its id, or -1. */
long long	 store_job_add(struct store *, const char *kind,
		     const char *lane, long long outage_id,
		     const char *payload, long long now_ms);
/*
 * The jobs that may start now: pending, due by now_ms, first in their
 * lane, with an id above after_id (0: from the start; a caller reads
 * page after page), oldest first, at most limit. *next_ms (unless
 * next_ms is NULL) gets the earliest due time of a pending lane head
 * that is not due yet (or -1 when none).
 */
int		 store_job_due(struct store *, long long now_ms,
		     long long after_id, int limit, struct store_job **,
		     size_t *, long long *next_ms);
/* Record a run's outcome (state, attempts, next_at, last_error). */
int		 store_job_set(struct store *, const struct store_job *);
/* At start: jobs left running are pending again, marked resumed. */
int		 store_job_resume(struct store *);
/* One job by id. 0, 1 when not found, or -1. */
int		 store_job_get(struct store *, long long id,
		     struct store_job *);
/* Jobs that are not done (pending, running, dead), oldest first. */
int		 store_job_open(struct store *, int limit,
		     struct store_job **, size_t *);
void		 store_job_clear(struct store_job *);
void		 store_job_free(struct store_job *, size_t);

#endif
