/*
 * status_issues.c — the "issues" status page (DESIGN §7): one issue per
 * outage in the backend's repo, for the pages that Corestatus and its
 * kin build from a repo's labelled issues. The issue carries the
 * backend's labels (default "incident"), one label per affected
 * component and one for the severity; each update is a comment and the
 * labels follow the outage; resolving closes it as completed; with
 * `pin` it is pinned while open.
 *
 * It owns the backend's GitHub client and its one job in flight (the
 * executor runs one at a time, at least 1 s apart, and the requests of
 * one job are 1 s apart too). The issue number and node id are kept with
 * status_memo_set once the issue exists, so they survive a restart.
 *
 * Exactly once, as for the outage issue (outage_gh.c): the issue's body
 * holds its own marker "<!-- outagebot:status=<instance>/<id> -->",
 * distinct from the outage issue's, since both may live in one repo; a
 * job that may have created it before (resumed, retried, or one that
 * finds no memo) looks for that marker first. Every comment holds its
 * job's marker and a comment that may have been posted is looked for
 * first. Labels, close, pin and unpin are idempotent.
 *
 * It must not block, never sees IRC or the store's tables, and decides
 * retry or dead only through gh_verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "github.h"
#include "log.h"
#include "loop.h"
#include "outage_text.h"
#include "status.h"
#include "util.h"

#define SI_GAP_MS	1000	/* between two requests of one job */
/* The memo of an issue: {"number","node_id","url"}. */
#define SI_MEMO		"issue"

/* The steps of a job; each event runs its plan in order. */
enum si_step {
	SI_DONE = 0,
	SI_ISSUE,		/* the memo, else find or create */
	SI_PIN,			/* with pin only */
	SI_COMMENT,
	SI_LABELS,		/* labels as the outage is now */
	SI_CLOSE,		/* labels, and closed as completed */
	SI_UNPIN		/* with pin only */
};

#define SI_PLAN_MAX	6

static const enum si_step si_plans[][SI_PLAN_MAX] = {
	[STATUS_OPENED] = { SI_ISSUE, SI_PIN, SI_DONE },
	[STATUS_UPDATED] = { SI_ISSUE, SI_COMMENT, SI_LABELS, SI_DONE },
	[STATUS_RESOLVED] = { SI_ISSUE, SI_COMMENT, SI_CLOSE, SI_UNPIN,
	    SI_DONE }
};

/* What each step is called in a cause ("issues rejected outage #12's
 * comment: ..."). */
static const char *const si_whats[] = {
	[SI_DONE] = "job",
	[SI_ISSUE] = "issue",
	[SI_PIN] = "pin",
	[SI_COMMENT] = "comment",
	[SI_LABELS] = "labels",
	[SI_CLOSE] = "close",
	[SI_UNPIN] = "unpin"
};

struct si_job;

/* One configured backend. */
struct si {
	const struct cfg_backend *cfg;		/* borrowed */
	const struct status_ctx	*ctx;		/* borrowed */
	struct gh		*gh;
	const char		**labels;	/* the backend's */
	struct si_job		*cur;		/* or NULL */
	long long		 timer;		/* the gap, or 0 */
};

/* One job in progress. */
struct si_job {
	struct si		*s;
	struct status_job	*job;
	const struct status_event *ev;
	int			 plan;		/* step index */
	int			 sent;		/* a request went */
	long long		 number;
	char			*node_id;
	char			**labels;	/* the issue's */
};

static void	si_step_start(struct si_job *);
static void	si_answered(const struct gh_result *,
		    const struct http_response *, void *);

/* The step the job is at. */
static enum si_step
si_at(const struct si_job *j)
{
	return si_plans[j->ev->kind][j->plan];
}

/* Open one backend: its GitHub client over the shared http. */
static void *
si_open(const struct cfg_backend *b, const struct status_ctx *ctx,
    char **cause)
{
	struct si	*s = xcalloc(1, sizeof(*s));
	char		*why = NULL;

	s->gh = gh_open(ctx->http, b->api_url, b->repo, b->token, &why);
	if (s->gh == NULL) {
		*cause = why;
		free(s);
		return NULL;
	}
	s->cfg = b;
	s->ctx = ctx;
	s->labels = gh_strv(b->labels, b->nlabels);
	return s;
}

/* Free a job's own memory (the status job is finished elsewhere). */
static void
si_job_free(struct si_job *j)
{
	if (j == NULL)
		return;
	free(j->node_id);
	gh_headers_free(j->labels);
	free(j);
}

/* Finish the job (the one in flight) and free it. */
static void
si_finish(struct si_job *j, enum outbox_result res, long long retry_ms,
    const char *cause)
{
	j->s->cur = NULL;
	status_job_finish(j->job, res, retry_ms, cause);
	si_job_free(j);
}

/* Cancel what is in flight (no callbacks; status.c finishes the job)
 * and free. */
static void
si_close(void *state)
{
	struct si	*s = state;

	if (s == NULL)
		return;
	if (s->timer != 0)
		loop_timer_del(s->ctx->loop, s->timer);
	gh_free(s->gh);
	si_job_free(s->cur);
	free(s->labels);
	free(s);
}

/* Add name to the NULL-ended v (of n) unless it is there in any case. */
static void
si_label_add(char **v, size_t *n, const char *name)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (strcasecmp(v[i], name) == 0)
			return;
	v[(*n)++] = xstrdup(name);
}

/* The issue's labels: the backend's, the components, the severity. */
static char **
si_labels(const struct si *s, const struct outage *o)
{
	char	**v = xcalloc(s->cfg->nlabels + o->naffected + 2,
		    sizeof(char *));
	size_t	  n = 0, i;

	for (i = 0; s->labels[i] != NULL; i++)
		si_label_add(v, &n, s->labels[i]);
	for (i = 0; i < o->naffected; i++)
		si_label_add(v, &n, o->affected[i]);
	si_label_add(v, &n, outage_severity_name(o->severity));
	return v;
}

/* The issue's marker (caller frees). */
static char *
si_marker(const struct status_event *ev)
{
	return xasprintf("<!-- outagebot:status=%s/%lld -->", ev->instance,
	    ev->outage.id);
}

/*
 * The issue body: what users read first on the page. The outage
 * issue's master and links to internal places are left out; the
 * updates follow as comments.
 */
static char *
si_body(const struct outage *o, const char *marker)
{
	struct buf	 b;

	buf_init(&b);
	outage_text_md(&b, o->title);
	buf_printf(&b, "\n\n**Severity:** %s\n**Affected:** ",
	    outage_severity_name(o->severity));
	outage_text_affected(&b, o, "not known yet", outage_text_md);
	if (o->alternatives != NULL) {
		buf_addstr(&b, "\n**Meanwhile:** ");
		outage_text_md(&b, o->alternatives);
	}
	buf_printf(&b, "\n\nUpdates follow below.\n%s\n", marker);
	return buf_steal(&b);
}

/* The issue from the memo; 1 when it is known. */
static int
si_memo_read(struct si_job *j)
{
	char	*text = NULL;
	json_t	*o, *num, *node;
	int	 known = 0;

	if (status_memo_get(j->s->ctx, j->ev->outage.id, SI_MEMO, &text) != 0)
		return 0;
	o = json_loads(text, 0, NULL);
	num = json_object_get(o, "number");
	node = json_object_get(o, "node_id");
	if (json_is_integer(num) && json_integer_value(num) > 0 &&
	    json_is_string(node)) {
		j->number = json_integer_value(num);
		j->node_id = xstrdup(json_string_value(node));
		known = 1;
	}
	json_decref(o);
	free(text);
	return known;
}

/* Remember the issue; 0 or -1. */
static int
si_memo_write(struct si_job *j, const struct gh_result *res)
{
	json_t	*o;
	char	*text;
	int	 rc = -1;

	if (res->number <= 0 || res->node_id == NULL)
		return -1;
	o = json_pack("{s:I, s:s, s:s?}", "number", (json_int_t)res->number,
	    "node_id", res->node_id, "url", res->html_url);
	text = util_json_take(o);
	if (text != NULL)
		rc = status_memo_set(j->s->ctx, j->ev->outage.id, SI_MEMO,
		    text);
	free(text);
	if (rc == 0) {
		j->number = res->number;
		free(j->node_id);
		j->node_id = xstrdup(res->node_id);
	}
	return rc;
}

/*
 * Find or create the issue. A job other than the opening one searches
 * too: it runs without a memo only when the opening job never ran here
 * (a backend added later) or its memo was lost.
 */
static int
si_issue(struct si_job *j)
{
	const struct status_event	*ev = j->ev;
	struct gh_issue			 is;
	char				*marker, *title, *body;
	int				 rc;

	marker = si_marker(ev);
	title = outage_gh_title(&ev->outage);
	body = si_body(&ev->outage, marker);

	memset(&is, 0, sizeof(is));
	is.title = title;
	is.body = body;
	is.labels = (const char *const *)j->labels;
	is.find_labels = j->s->labels;
	is.marker = marker;
	rc = gh_create_issue_once(j->s->gh, &is, ev->resumed ||
	    ev->attempts > 0 || ev->kind != STATUS_OPENED, si_answered, j);
	free(marker);
	free(title);
	free(body);
	return rc;
}

/* The comment of an update or resolve, with the job's marker. */
static int
si_comment(struct si_job *j)
{
	struct outage_text_env	 env;
	char			*body, *marker;
	int			 rc;

	memset(&env, 0, sizeof(env));
	env.instance = j->ev->instance;
	env.now = util_now();
	body = outage_gh_update(&j->ev->outage, &env);
	marker = gh_job_marker(j->ev->instance, j->ev->job_id);
	rc = gh_add_comment_once(j->s->gh, j->number, body, marker,
	    j->ev->resumed || j->ev->attempts > 0, si_answered, j);
	free(body);
	free(marker);
	return rc;
}

/* Start the request of the step the job is at; -1 if none started. */
static int
si_request(struct si_job *j)
{
	struct si	*s = j->s;

	switch (si_at(j)) {
	case SI_ISSUE:
		return si_issue(j);
	case SI_PIN:
	case SI_UNPIN:
		return gh_pin_issue(s->gh, j->node_id, si_at(j) == SI_PIN,
		    si_answered, j);
	case SI_COMMENT:
		return si_comment(j);
	case SI_LABELS:
	case SI_CLOSE:
		return gh_update_issue(s->gh, j->number,
		    (const char *const *)j->labels, si_at(j) == SI_CLOSE,
		    si_answered, j);
	case SI_DONE:
		break;
	}
	return -1;
}

/* The gap after a request is over: run the step. */
static long long
si_gap_over(struct loop *loop, long long id, void *arg)
{
	struct si_job	*j = arg;

	j->s->timer = 0;
	si_step_start(j);
	return LOOP_NOMORE;
}

/* Go to the next step that applies: done, after a gap, or now. */
static void
si_next(struct si_job *j)
{
	enum si_step	 st;

	do {
		j->plan++;
		st = si_at(j);
	} while ((st == SI_PIN || st == SI_UNPIN) && !j->s->cfg->pin);
	if (st == SI_DONE) {
		si_finish(j, OUTBOX_DONE, 0, NULL);
		return;
	}
	if (j->sent) {
		j->s->timer = loop_timer_add(j->s->ctx->loop, j->s, SI_GAP_MS,
		    si_gap_over, j);
		return;
	}
	si_step_start(j);
}

/* Run the step the job is at (the issue step may be known already). */
static void
si_step_start(struct si_job *j)
{
	if (si_at(j) == SI_ISSUE && si_memo_read(j)) {
		si_next(j);
		return;
	}
	if (si_request(j) != 0) {
		si_finish(j, OUTBOX_RETRY, 0, "the request could not start");
		return;
	}
	j->sent = 1;
}

/* A request of the job answered. */
static void
si_answered(const struct gh_result *res, const struct http_response *resp,
    void *arg)
{
	struct si_job		*j = arg;
	enum si_step		 st = si_at(j);
	enum http_verdict	 v;
	enum outbox_result	 fail;
	long long		 retry_ms;
	char			 why[200], cause[300];

	if (res->ok && res->found)
		log_info("status", "issues: outage #%lld's %s exists already "
		    "(marker found)", j->ev->outage.id, si_whats[st]);
	if (res->ok && st == SI_ISSUE && si_memo_write(j, res) != 0) {
		si_finish(j, OUTBOX_RETRY, 0, "the issue could not be "
		    "recorded");
		return;
	}
	if (!res->ok && res->pin_limit) {
		log_warn("status", "issues: outage #%lld's status issue is "
		    "not pinned: GitHub allows 3 pinned issues in a "
		    "repository", j->ev->outage.id);
	} else if (!res->ok) {
		v = gh_verdict(res, resp, j->ev->attempts + 1, &retry_ms, why,
		    sizeof(why));
		fail = v == HTTP_PERMANENT ? OUTBOX_DEAD : OUTBOX_RETRY;
		si_finish(j, fail, retry_ms, status_job_cause(j->job, fail,
		    si_whats[st], why, cause, sizeof(cause)));
		return;
	}
	si_next(j);
}

/* The executor hands over a job (one at a time). */
static void
si_run(void *state, struct status_job *job)
{
	struct si	*s = state;
	struct si_job	*j = xcalloc(1, sizeof(*j));

	j->s = s;
	j->job = job;
	j->ev = status_job_event(job);
	j->labels = si_labels(s, &j->ev->outage);
	s->cur = j;
	si_step_start(j);
}

const struct status_ops status_issues_ops = {
	.type = CFG_BACKEND_ISSUES,
	.name = "issues",
	.max_inflight = 1,
	.min_gap_ms = 1000,
	.open = si_open,
	.run = si_run,
	.close = si_close
};
