/*
 * outage_gh.c — runs an outage's GitHub jobs for the outbox (DESIGN §5,
 * §8). The outbox hands over one job at a time (max_inflight 1) with at
 * least 1 s between starts; this file turns the job into github.c calls
 * and the answer into done / retry / dead, from http_classify and never
 * from a status code of its own.
 *
 * Exactly once: a "gh.create" job that ran before (a crash, a timeout,
 * a lost answer) first looks for the outage's marker in the repo's
 * issues with the bot's label and records the issue it finds instead
 * of creating a second one. Every comment carries its job's marker
 * (gh_job_marker), and a "gh.comment" job that ran before looks for it
 * among the issue's comments first. Closing and pinning are idempotent
 * on GitHub's side. The issue number and node id come from the store, where
 * the create recorded them: the lane keeps create before the others.
 *
 * It must not block, and it never sees IRC: lines for the channel
 * (where the issue is tracked, a pin limit) go through outage_run.c as
 * announcement jobs.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "github.h"
#include "http.h"
#include "log.h"
#include "outage_gh.h"
#include "outage_run.h"
#include "outage_text.h"
#include "outbox.h"
#include "store.h"
#include "store_outage.h"
#include "util.h"

#define OUTAGE_GH_GAP_MS	1000	/* between two GitHub requests */

struct outage_gh {
	struct outbox		*ob;
	struct store		*st;
	struct outage_run	*run;
	const struct config	*cfg;
	struct gh		*gh;
	const char		**labels;	/* NULL-terminated, borrowed */
	struct outage_gh_job	*cur;		/* the job in flight, or NULL */
};

/* One job in progress. */
struct outage_gh_job {
	struct outage_gh	*g;
	struct outbox_run	*run;
	json_t			*payload;
	long long		 outage_id;
	long long		 job_id;
	int			 attempt;
	const char		*what;		/* "issue", "comment", ... */
};

static void	outage_gh_start(void *, struct outbox_run *);
static void	done_cb(const struct gh_result *,
		    const struct http_response *, void *);

/* Register the executor for cfg's github group. */
struct outage_gh *
outage_gh_new(struct outbox *ob, struct http *http, struct store *st,
    struct outage_run *run, const struct config *cfg)
{
	const struct cfg_github	*c = cfg->github;
	struct outage_gh	*g;
	struct outbox_exec	 e;
	char			*cause = NULL;

	if (c == NULL)
		return NULL;
	g = xcalloc(1, sizeof(*g));
	g->gh = gh_open(http, c->api_url, c->repo, c->token, &cause);
	if (g->gh == NULL) {
		log_error("github", "%s", cause);
		free(cause);
		free(g);
		return NULL;
	}
	g->ob = ob;
	g->st = st;
	g->run = run;
	g->cfg = cfg;
	g->labels = gh_strv(c->labels, c->nlabels);
	memset(&e, 0, sizeof(e));
	e.prefix = "gh.";
	e.max_inflight = 1;
	e.min_gap_ms = OUTAGE_GH_GAP_MS;
	e.start = outage_gh_start;
	e.arg = g;
	outbox_register(ob, &e);
	return g;
}

/* Finish a job and free it. */
static void
job_end(struct outage_gh_job *j, enum outbox_result res, long long retry_ms,
    const char *cause)
{
	if (j->g->cur == j)
		j->g->cur = NULL;
	outbox_finish(j->run, res, retry_ms, cause);
	json_decref(j->payload);
	free(j);
}

/* Unregister and free. A job in flight is cancelled and goes back to
 * the outbox to run again (with the next configuration's executor). */
void
outage_gh_free(struct outage_gh *g)
{
	if (g == NULL)
		return;
	outbox_unregister(g->ob, "gh.");
	gh_free(g->gh);		/* cancels without calling back */
	if (g->cur != NULL)
		job_end(g->cur, OUTBOX_RETRY, 0, "interrupted; it runs again");
	free(g->labels);
	free(g);
}

/*
 * Finish a job from its answer: done when ok, else retry or dead as
 * gh_verdict says.
 */
static void
job_answer(struct outage_gh_job *j, const struct gh_result *res,
    const struct http_response *resp)
{
	enum http_verdict	 v;
	long long		 retry_ms;
	char			 cause[256], why[200];

	if (res->ok) {
		job_end(j, OUTBOX_DONE, 0, NULL);
		return;
	}
	v = gh_verdict(res, resp, j->attempt, &retry_ms, why, sizeof(why));
	snprintf(cause, sizeof(cause), "GitHub %s outage #%lld's %s: %s",
	    v == HTTP_PERMANENT ? "rejected" : "failed on", j->outage_id,
	    j->what, why);
	job_end(j, v == HTTP_PERMANENT ? OUTBOX_DEAD : OUTBOX_RETRY,
	    retry_ms, cause);
}

/* gh.create answered (created, or found by its marker): record the
 * issue, then done. */
static void
created_cb(const struct gh_result *res, const struct http_response *resp,
    void *arg)
{
	struct outage_gh_job	*j = arg;

	if (res->ok && res->found)
		log_info("github", "outage #%lld: issue #%lld exists already "
		    "(marker found)", j->outage_id, res->number);
	if (res->ok && (res->number <= 0 || outage_issue_created(j->g->run,
	    j->outage_id, res->number, res->html_url, res->node_id) != 0)) {
		job_end(j, OUTBOX_RETRY, 0, "the issue could not be recorded");
		return;
	}
	job_answer(j, res, resp);
}

/* Create the issue from the payload; search first when it may exist. */
static int
create_issue(struct outage_gh_job *j, int search)
{
	struct gh_issue	 is;
	char		*marker = outage_gh_marker(j->g->cfg->instance,
			    j->outage_id);
	int		 rc;

	memset(&is, 0, sizeof(is));
	is.title = json_string_value(json_object_get(j->payload, "title"));
	is.body = json_string_value(json_object_get(j->payload, "body"));
	is.labels = j->g->labels;
	is.find_labels = j->g->labels;
	is.marker = marker;
	rc = gh_create_issue_once(j->g->gh, &is, search, created_cb, j);
	free(marker);
	return rc;
}

/* Comment from the payload with the job's marker; search first when it
 * may have been posted. */
static int
add_comment(struct outage_gh_job *j, long long number, int search)
{
	char	*marker = gh_job_marker(j->g->cfg->instance, j->job_id);
	int	 rc;

	rc = gh_add_comment_once(j->g->gh, number, json_string_value(
	    json_object_get(j->payload, "body")), marker, search, done_cb, j);
	free(marker);
	return rc;
}

/* gh.pin / gh.unpin answered; the 3-pin limit is said, not fatal. */
static void
pinned_cb(const struct gh_result *res, const struct http_response *resp,
    void *arg)
{
	struct outage_gh_job	*j = arg;
	char			*line;

	if (!res->ok && res->pin_limit) {
		line = xasprintf("outage #%lld's issue is not pinned: GitHub "
		    "allows 3 pinned issues in a repository", j->outage_id);
		outage_say(j->g->run, j->outage_id, line);
		free(line);
		job_end(j, OUTBOX_DONE, 0, NULL);
		return;
	}
	job_answer(j, res, resp);
}

/* Comment, close and the rest answered. */
static void
done_cb(const struct gh_result *res, const struct http_response *resp,
    void *arg)
{
	job_answer(arg, res, resp);
}

/* Start the job's request (search: it may have reached GitHub
 * before); -1 when none could start. */
static int
job_request(struct outage_gh_job *j, const char *kind, long long number,
    const char *node, int search)
{
	struct outage_gh	*g = j->g;

	if (strcmp(kind, "gh.create") == 0) {
		j->what = "issue";
		return create_issue(j, search);
	}
	if (strcmp(kind, "gh.comment") == 0) {
		j->what = "comment";
		return add_comment(j, number, search);
	}
	if (strcmp(kind, "gh.close") == 0) {
		j->what = "close";
		return gh_close_issue(g->gh, number, done_cb, j);
	}
	j->what = "pin";
	return gh_pin_issue(g->gh, node, strcmp(kind, "gh.pin") == 0,
	    pinned_cb, j);
}

/* The outbox starts a GitHub job. */
static void
outage_gh_start(void *arg, struct outbox_run *run)
{
	const struct outbox_job	*job = outbox_job(run);
	struct outage_gh_job	*j = xcalloc(1, sizeof(*j));
	long long		 number = 0;
	char			*node = NULL;
	int			 needs_issue;

	j->g = arg;
	j->g->cur = j;
	j->run = run;
	j->outage_id = job->outage_id;
	j->job_id = job->id;
	j->attempt = job->attempts + 1;
	j->payload = json_loads(job->payload, 0, NULL);
	if (j->payload == NULL) {
		job_end(j, OUTBOX_DEAD, 0, "the job's payload is not JSON");
		return;
	}
	needs_issue = strcmp(job->kind, "gh.create") != 0;
	if (needs_issue && store_outage_issue(j->g->st, j->outage_id, &number,
	    &node) != 1) {
		job_end(j, OUTBOX_RETRY, 0, "the outage's issue is not known");
		return;
	}
	if (job_request(j, job->kind, number, node, job->attempts > 0 ||
	    job->resumed) != 0)
		job_end(j, OUTBOX_RETRY, 0, "the request could not start");
	free(node);
}
