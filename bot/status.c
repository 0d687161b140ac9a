/*
 * status.c — runs the status-page jobs (DESIGN §7, §8): one outbox
 * executor per configured backend, so that a backend failing or
 * hanging holds back only its own jobs. A job's payload is parsed once
 * here and handed to the backend module (status_cstate.c, ...) with the
 * backend's config; the module finishes it through status_job_finish or
 * status_job_answer, which turns an HTTP answer into done / retry /
 * dead by http_classify.
 *
 * A job in flight when its backend goes (reload, stop) is finished as
 * "retry" after the module has cancelled its requests, so it runs
 * again under the new configuration instead of staying running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "status.h"
#include "store.h"
#include "util.h"

struct status_backend {
	const struct status_ops	*ops;
	const struct cfg_backend *cfg;
	struct status_ctx	 ctx;
	char			 key[64];
	char			 prefix[80];
	void			*state;
	struct status_job	*jobs;		/* in flight */
};

struct status {
	struct outbox		*ob;
	struct status_backend	*b;
	size_t			 nb;
};

struct status_job {
	struct status_backend	*be;
	struct outbox_run	*run;
	struct status_event	 ev;
	struct status_job	*next;
};

static const struct status_ops *const status_all[] = {
	&status_cstate_ops,
	&status_statusfy_ops,
	&status_issues_ops,
	&status_cachet_ops,
	&status_webhook_ops,
	&status_telegram_ops
};

static const struct status_ops *
status_ops_for(enum cfg_backend_type t)
{
	size_t	 i;

	for (i = 0; i < sizeof(status_all) / sizeof(status_all[0]); i++)
		if (status_all[i]->type == t)
			return status_all[i];
	return NULL;
}

const struct status_event *
status_job_event(const struct status_job *j)
{
	return &j->ev;
}

void
status_job_finish(struct status_job *j, enum outbox_result res,
    long long retry_ms, const char *cause)
{
	struct status_job	**p;

	for (p = &j->be->jobs; *p != NULL; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	outbox_finish(j->run, res, retry_ms, cause);
	status_event_clear(&j->ev);
	free(j);
}

const char *
status_job_cause(const struct status_job *j, enum outbox_result res,
    const char *what, const char *why, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s outage #%lld's %s: %s", j->be->ops->name,
	    res == OUTBOX_DEAD ? "rejected" : "failed on", j->ev.outage.id,
	    what, why);
	return buf;
}

void
status_job_answer(struct status_job *j, const struct http_response *resp,
    const char *what)
{
	enum http_verdict	 v;
	enum outbox_result	 res;
	long long		 retry_ms = 0;
	char			 cause[300], why[200];

	v = http_classify(resp, j->ev.attempts + 1, util_now(), &retry_ms);
	if (v == HTTP_DONE) {
		status_job_finish(j, OUTBOX_DONE, 0, NULL);
		return;
	}
	res = v == HTTP_PERMANENT ? OUTBOX_DEAD : OUTBOX_RETRY;
	status_job_finish(j, res, retry_ms, status_job_cause(j, res, what,
	    http_cause(resp, why, sizeof(why)), cause, sizeof(cause)));
}

/* The outbox hands over a job of this backend. */
static void
status_start(void *arg, struct outbox_run *run)
{
	struct status_backend	*be = arg;
	const struct outbox_job	*oj = outbox_job(run);
	struct status_job	*j = xcalloc(1, sizeof(*j));
	char			 cause[200];

	j->be = be;
	j->run = run;
	if (status_event_parse(oj->payload, &j->ev) != 0) {
		snprintf(cause, sizeof(cause), "%s: job %lld cannot be read",
		    be->ops->name, oj->id);
		outbox_finish(run, OUTBOX_DEAD, 0, cause);
		free(j);
		return;
	}
	j->ev.status_url = be->ctx.cfg->statuspage.url;
	j->ev.instance = be->ctx.cfg->instance;
	j->ev.job_id = oj->id;
	j->ev.attempts = oj->attempts;
	j->ev.resumed = oj->resumed;
	j->next = be->jobs;
	be->jobs = j;
	be->ops->run(be->state, j);
}

/* Open backend i of cfg into be; 0, or -1 (logged). */
static int
status_open(struct status *sp, struct status_backend *be,
    const struct cfg_backend *cb, const struct status_ctx *base)
{
	struct outbox_exec	 e;
	char			*cause = NULL;
	size_t			 i;

	be->ops = status_ops_for(cb->type);
	be->cfg = cb;
	be->ctx = *base;
	status_key(cb, be->key, sizeof(be->key));
	be->ctx.key = be->key;
	snprintf(be->prefix, sizeof(be->prefix), "sp.%s.", be->key);
	if (be->ops == NULL)
		return -1;
	for (i = 0; be != &sp->b[i]; i++)
		if (sp->b[i].ops != NULL && strcmp(sp->b[i].key, be->key) == 0) {
			log_warn("status", "%s:%d: %s backend left out: it "
			    "writes where line %d does", base->cfg->path,
			    cb->line, be->ops->name, sp->b[i].cfg->line);
			be->ops = NULL;
			return -1;
		}
	be->state = be->ops->open(cb, &be->ctx, &cause);
	if (be->state == NULL) {
		log_warn("status", "%s:%d: %s backend left out: %s",
		    base->cfg->path, cb->line, be->ops->name,
		    cause != NULL ? cause : "cannot start");
		free(cause);
		be->ops = NULL;
		return -1;
	}
	if (cb->repo != NULL || cb->dir != NULL)
		log_info("status", "%s writes to %s %s", be->key,
		    cb->repo != NULL ? "repo" : "folder",
		    cb->repo != NULL ? cb->repo : cb->dir);
	else
		log_info("status", "%s is ready", be->key);
	memset(&e, 0, sizeof(e));
	e.prefix = be->prefix;
	e.max_inflight = be->ops->max_inflight;
	e.min_gap_ms = be->ops->min_gap_ms;
	e.start = status_start;
	e.arg = be;
	outbox_register(sp->ob, &e);
	return 0;
}

struct status *
status_new(struct outbox *ob, struct http *http, struct loop *loop,
    struct store *st, const struct config *cfg)
{
	struct status		*sp;
	struct status_ctx	 base;
	size_t			 i, n = cfg->statuspage.nbackends;

	if (n == 0)
		return NULL;
	sp = xcalloc(1, sizeof(*sp));
	sp->ob = ob;
	sp->b = xcalloc(n, sizeof(*sp->b));
	sp->nb = n;
	memset(&base, 0, sizeof(base));
	base.http = http;
	base.loop = loop;
	base.st = st;
	base.cfg = cfg;
	for (i = 0; i < n; i++)
		(void)status_open(sp, &sp->b[i], &cfg->statuspage.backends[i],
		    &base);
	return sp;
}

void
status_free(struct status *sp)
{
	struct status_backend	*be;
	size_t			 i;

	if (sp == NULL)
		return;
	for (i = 0; i < sp->nb; i++) {
		be = &sp->b[i];
		if (be->ops == NULL)
			continue;
		outbox_unregister(sp->ob, be->prefix);
		be->ops->close(be->state);
		while (be->jobs != NULL)
			status_job_finish(be->jobs, OUTBOX_RETRY, 0,
			    "interrupted; it runs again");
	}
	free(sp->b);
	free(sp);
}

/* The meta key of a memo. */
static char *
status_memo_key(const struct status_ctx *ctx, long long outage_id,
    const char *what)
{
	return xasprintf("sp.%s.%lld.%s", ctx->key, outage_id, what);
}

int
status_memo_get(const struct status_ctx *ctx, long long outage_id,
    const char *what, char **value)
{
	char	*k = status_memo_key(ctx, outage_id, what);
	int	 rc = store_meta_get(ctx->st, k, value);

	free(k);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : 1;
}

int
status_memo_set(const struct status_ctx *ctx, long long outage_id,
    const char *what, const char *value)
{
	char	*k = status_memo_key(ctx, outage_id, what);
	int	 rc = store_meta_set(ctx->st, k, value);

	free(k);
	return rc;
}
