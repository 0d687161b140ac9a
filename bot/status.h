/*
 * status.h — status pages and other sinks as outbox targets (DESIGN §7).
 *
 * Every configured statuspage backend is one destination with a stable
 * key ("cstate-1a2b3c4d": the type and a hash of where it writes). An
 * outage event (open, update, resolve) becomes one job per backend, in
 * the transaction of the change (status_jobs_add, status_job.c), of
 * kind "sp.<key>.<event>" in lane "sp.<key>:<outage id>", so the events
 * of one outage reach one backend in order and a backend that fails or
 * hangs holds back only its own lanes. The payload carries the whole
 * outage after the event (timeline included) and the channel line, so a
 * job renders the same thing however late it runs.
 *
 * At run time status.c registers one outbox executor per backend and
 * hands each job, parsed, to the backend's module through the small
 * interface below. A backend module never sees the store's tables, IRC
 * or the outage model's rules: it renders, sends, and says done / retry
 * / dead from http_classify.
 */
#ifndef OB_STATUS_H
#define OB_STATUS_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "outage.h"
#include "outbox.h"
#include "status_job.h"	/* the event, keys and payloads */

struct http;
struct loop;
struct store;
struct status;
struct status_job;

/* What a backend module gets when it is opened; borrowed. */
struct status_ctx {
	struct http		*http;
	struct loop		*loop;
	struct store		*st;
	const struct config	*cfg;
	const char		*key;		/* "cstate-1a2b3c4d" */
};

/*
 * One kind of destination. open makes the state of one configured
 * backend (or NULL with *cause: the config cannot work, e.g. a bad
 * URL); run carries out one event and must call status_job_finish
 * exactly once, now or later; close cancels what is in flight (no
 * callbacks after it) and frees.
 */
struct status_ops {
	enum cfg_backend_type	 type;
	const char		*name;		/* "cstate" */
	int			 max_inflight;	/* 0: no limit */
	long long		 min_gap_ms;
	void	*(*open)(const struct cfg_backend *, const struct status_ctx *,
		    char **cause);
	void	 (*run)(void *state, struct status_job *);
	void	 (*close)(void *state);
};

/* The modules, one per kind (cstate and statusfy share a writer). */
extern const struct status_ops status_cstate_ops;
extern const struct status_ops status_statusfy_ops;
extern const struct status_ops status_issues_ops;
extern const struct status_ops status_cachet_ops;
extern const struct status_ops status_webhook_ops;
extern const struct status_ops status_telegram_ops;

/* The event of a job. */
const struct status_event *status_job_event(const struct status_job *);
/*
 * Finish the job (see outbox_finish) and free it. cause is a line for
 * the channel and !jobs when dead ("cachet rejected outage #12: 401
 * Unauthorized"); retry_ms 0 is the outbox's own backoff.
 */
void	 status_job_finish(struct status_job *, enum outbox_result,
	    long long retry_ms, const char *cause);

/*
 * The cause of a job that failed (res OUTBOX_RETRY) or was refused
 * (OUTBOX_DEAD) at its step what, for why, into buf: "<backend> failed
 * on outage #12's <what>: <why>" or "<backend> rejected ...". Returns buf.
 */
const char *status_job_cause(const struct status_job *, enum outbox_result,
	    const char *what, const char *why, char *buf, size_t len);

/*
 * Finish the job from an HTTP answer: done for what http_classify calls
 * done, else retry (with its delay) or dead, with the cause
 * "<backend> rejected outage #12's <what>: 401 Unauthorized".
 */
struct http_response;
void	 status_job_answer(struct status_job *, const struct http_response *,
	    const char *what);

/*
 * What a backend remembers per outage (an issue number, a Cachet
 * incident id), kept in the store's meta table under the backend key so
 * that it survives a restart. get: 0 with *value (caller frees), 1 when
 * unset, -1 on error. set: 0/-1.
 */
int	 status_memo_get(const struct status_ctx *, long long outage_id,
	    const char *what, char **value);
int	 status_memo_set(const struct status_ctx *, long long outage_id,
	    const char *what, const char *value);

/* ---- status.c: the executors ---- */

/*
 * Open every backend of cfg and register its executor on ob. A backend
 * that cannot open is logged and left out (its jobs wait, !jobs shows
 * them). NULL when cfg has no backends.
 */
struct status	*status_new(struct outbox *, struct http *, struct loop *,
		    struct store *, const struct config *);
/* Unregister and close every backend; NULL: no-op. */
void		 status_free(struct status *);

#endif
