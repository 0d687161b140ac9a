/*
 * outage_run.c — outages at run time (DESIGN §5, §8).
 *
 * Each command is one transaction: the outage row, its timeline entry,
 * and one job per effect — an "irc.say" per announce channel (lane
 * "irc:<channel>", so announcements keep their order per channel), and
 * with a github group "gh.create", "gh.pin", "gh.comment", "gh.close",
 * "gh.unpin" in the lane "gh:<id>" (so the issue exists before it is
 * commented on, and is closed last), and with irc.topic an "irc.topic"
 * per announce channel on open and resolve (in the channel's lane,
 * after the announcement) that puts the outage's topic prefix in front
 * or takes it out again. Texts are rendered when the change is made
 * (outage_text.c), so a retry sends what the change said.
 *
 * The nudges (no update for outage.remind_after, no ETA after
 * outage.eta_nudge_after) run on one timer armed at the earliest
 * instant one is due; each is recorded with its job, so a restart
 * neither repeats nor skips one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "config.h"
#include "log.h"
#include "loop.h"
#include "outage.h"
#include "outage_run.h"
#include "outage_text.h"
#include "status.h"
#include "outbox.h"
#include "store.h"
#include "store_outage.h"
#include "store_outbox.h"
#include "util.h"

#define OUTAGE_LIST_MAX		20
#define OUTAGE_STATS_DAYS	30
#define OR_MASK_MAX		64	/* stats: components by bit */
#define OR_MEMO			64	/* stats: lists remembered */

struct outage_run {
	struct outage_run_deps	 d;
	const struct config	*cfg;
	long long		 timer;		/* the nudge timer, or 0 */
};

static void	outage_arm(struct outage_run *);

/* Now, by the clock handed in. */
static time_t
or_now(struct outage_run *r)
{
	return r->d.now(r->d.now_arg);
}

/* Create the run-time part. */
struct outage_run *
outage_run_new(const struct outage_run_deps *d, const struct config *cfg)
{
	struct outage_run	*r = xcalloc(1, sizeof(*r));

	r->d = *d;
	r->cfg = cfg;
	outage_arm(r);
	return r;
}

/* Free it. */
void
outage_run_free(struct outage_run *r)
{
	if (r == NULL)
		return;
	if (r->timer != 0)
		loop_timer_del(r->d.loop, r->timer);
	free(r);
}

/* A new configuration is in force. */
void
outage_run_config(struct outage_run *r, const struct config *cfg)
{
	r->cfg = cfg;
	outage_arm(r);
}

/* The GitHub login of a person (team.github), or NULL. */
static const char *
or_login(const struct config *cfg, const char *person)
{
	size_t	 i;

	for (i = 0; person != NULL && i < cfg->team.ngithub; i++)
		if (strcasecmp(cfg->team.github[i].from, person) == 0)
			return cfg->team.github[i].to;
	return NULL;
}

/* The texts' environment for o. */
static void
or_env(struct outage_run *r, const struct outage *o,
    struct outage_text_env *env)
{
	memset(env, 0, sizeof(*env));
	env->tz = r->cfg->tz;
	env->now = or_now(r);
	env->instance = r->cfg->instance;
	env->status_url = r->cfg->statuspage.url;
	env->master_login = or_login(r->cfg, o->master);
}

/* Add a job whose payload is the JSON object p (taken). */
static int
or_job(struct outage_run *r, const char *kind, const char *lane,
    long long outage_id, json_t *p)
{
	char		*text = util_json_take(p);
	long long	 id;

	if (text == NULL)
		return -1;
	id = store_job_add(r->d.st, kind, lane, outage_id, text,
	    (long long)or_now(r) * 1000);
	free(text);
	return id < 0 ? -1 : 0;
}

/* An "irc.say" job for every announce channel. */
static int
or_announce(struct outage_run *r, long long outage_id, const char *line)
{
	const struct cfg_irc	*irc = &r->cfg->irc;
	size_t			 i;

	for (i = 0; i < irc->nannounce_channels; i++)
		if (outbox_add_say(r->d.st, irc->announce_channels[i], line,
		    outage_id, (long long)or_now(r) * 1000) < 0)
			return -1;
	return 0;
}

/*
 * With irc.topic, an "irc.topic" job per announce channel that adds
 * (open) or removes (resolve) the outage's topic prefix; the executor
 * edits the topic as it is when the job runs.
 */
static int
or_topic(struct outage_run *r, const struct outage *o, int add)
{
	const struct cfg_irc	*irc = &r->cfg->irc;
	char			*prefix, *lane;
	size_t			 i;
	int			 rc = 0;

	if (!irc->topic)
		return 0;
	prefix = outage_topic_prefix(o);
	for (i = 0; i < irc->nannounce_channels && rc == 0; i++) {
		lane = outbox_irc_lane(irc->announce_channels[i]);
		rc = or_job(r, "irc.topic", lane, o->id, json_pack(
		    "{s:s, s:s}", "channel", irc->announce_channels[i],
		    add ? "add" : "remove", prefix));
		free(lane);
	}
	free(prefix);
	return rc;
}

/* A GitHub job in the outage's lane (none without a github group). */
static int
or_gh(struct outage_run *r, const char *kind, long long outage_id,
    json_t *p)
{
	char	 lane[64];

	if (r->cfg->github == NULL) {
		json_decref(p);
		return 0;
	}
	snprintf(lane, sizeof(lane), "gh:%lld", outage_id);
	return or_job(r, kind, lane, outage_id, p);
}

/* The jobs of an open: announce, create the issue, pin it. */
static int
or_open_jobs(struct outage_run *r, const struct outage *o)
{
	struct outage_text_env	 env;
	const struct cfg_github	*gh = r->cfg->github;
	json_t			*labels;
	char			*line, *title, *body;
	size_t			 i;
	int			 rc;

	or_env(r, o, &env);
	line = outage_line_open(o, &env);
	rc = or_announce(r, o->id, line);
	if (rc == 0)
		rc = or_topic(r, o, 1);
	if (rc == 0)
		rc = status_jobs_add(r->d.st, r->cfg, o, STATUS_OPENED, line,
		    (long long)or_now(r) * 1000);
	free(line);
	if (rc != 0 || gh == NULL)
		return rc;
	labels = json_array();
	for (i = 0; i < gh->nlabels; i++)
		json_array_append_new(labels, json_string(gh->labels[i]));
	title = outage_gh_title(o);
	body = outage_gh_body(o, &env);
	rc = or_gh(r, "gh.create", o->id, json_pack("{s:s, s:s, s:o}",
	    "title", title, "body", body, "labels", labels));
	free(title);
	free(body);
	if (rc == 0 && gh->pin)
		rc = or_gh(r, "gh.pin", o->id, json_object());
	return rc;
}

/* Who becomes master when none is named: on call in outage.role. */
static char *
or_master(struct outage_run *r, const char *given)
{
	const struct config	*cfg = r->cfg;
	const char		*role = cfg->outage.role;
	char			 buf[256];

	if (given != NULL)
		return xstrdup(given);
	if (role == NULL && cfg->nroles > 0)
		role = cfg->roles[0].name;
	if (role == NULL || r->d.on_call == NULL ||
	    r->d.on_call(r->d.on_call_arg, role, or_now(r), buf,
	    sizeof(buf)) != 0)
		return NULL;
	return xstrdup(buf);
}

/* Begin a command's transaction; on failure say the database is busy. */
static int
or_tx(struct outage_run *r, char **cause)
{
	if (store_begin(r->d.st) != 0) {
		*cause = xstrdup("the database is busy; try again");
		return -1;
	}
	return 0;
}

/* Commit; on failure say so. */
static int
or_commit(struct outage_run *r, char **cause)
{
	if (store_commit(r->d.st) != 0) {
		*cause = xstrdup("the database could not be written; "
		    "nothing changed");
		return -1;
	}
	outbox_kick(r->d.ob, NULL);
	outage_arm(r);
	return 0;
}

/* Open an outage. */
int
outage_open(struct outage_run *r, const struct outage_open_req *q,
    const char *actor, long long *id, char **cause)
{
	struct outage		 o;
	struct outage_change	 c;
	time_t			 now = or_now(r);

	memset(&o, 0, sizeof(o));
	o.title = xstrdup(q->title);
	o.severity = q->severity >= 0 ? (enum outage_severity)q->severity :
	    OUTAGE_DISRUPTED;
	o.state = OUTAGE_INVESTIGATING;
	o.master = or_master(r, q->master);
	o.opened_by = xstrdup(actor);
	o.opened_at = now;
	o.from_alert = q->from_alert;
	outage_change_init(&c);
	c.set_affected = q->naffected > 0;
	c.affected = q->affected;
	c.naffected = q->naffected;
	c.eta = q->eta;
	c.alternatives = q->alternatives;
	c.cause = q->cause;
	c.text = "";
	outage_apply(&o, &c, actor, now);

	if (or_tx(r, cause) != 0) {
		outage_clear(&o);
		return -1;
	}
	o.id = store_outage_add(r->d.st, &o);
	if (o.id < 0 || store_outage_add_update(r->d.st, o.id,
	    &o.updates[0]) < 0 || or_open_jobs(r, &o) != 0) {
		store_rollback(r->d.st);
		*cause = xstrdup("the database could not be written; "
		    "nothing changed");
		outage_clear(&o);
		return -1;
	}
	*id = o.id;
	outage_clear(&o);
	return or_commit(r, cause);
}

/* Read outage id, or say there is none. */
int
outage_get(struct outage_run *r, long long id, struct outage *o,
    char **cause)
{
	int	 rc = store_outage_get(r->d.st, id, o);

	if (rc == 0)
		return 0;
	*cause = rc > 0 ? xasprintf("no outage #%lld", id) :
	    xstrdup("the database could not be read");
	return -1;
}

/* The jobs of an update or resolve: announce, comment, and on resolve
 * close and unpin. */
static int
or_change_jobs(struct outage_run *r, const struct outage *o)
{
	struct outage_text_env	 env;
	int			 resolved = o->state == OUTAGE_RESOLVED;
	char			*line, *body;
	int			 rc;

	or_env(r, o, &env);
	line = resolved ? outage_line_resolve(o, &env) :
	    outage_line_update(o, &env);
	rc = or_announce(r, o->id, line);
	if (rc == 0 && resolved)
		rc = or_topic(r, o, 0);
	if (rc == 0)
		rc = status_jobs_add(r->d.st, r->cfg, o, resolved ?
		    STATUS_RESOLVED : STATUS_UPDATED, line,
		    (long long)or_now(r) * 1000);
	free(line);
	if (rc != 0 || r->cfg->github == NULL)
		return rc;
	body = resolved ? outage_gh_resolve(o, &env) :
	    outage_gh_update(o, &env);
	rc = or_gh(r, "gh.comment", o->id, json_pack("{s:s}", "body", body));
	free(body);
	if (rc == 0 && resolved)
		rc = or_gh(r, "gh.close", o->id, json_object());
	if (rc == 0 && resolved && r->cfg->github->pin)
		rc = or_gh(r, "gh.unpin", o->id, json_object());
	return rc;
}

/* Apply a change (update or resolve) in one transaction. */
static int
or_change(struct outage_run *r, long long id, const struct outage_change *c,
    int resolve, const char *actor, char **cause)
{
	struct outage	 o;
	int		 rc;

	if (or_tx(r, cause) != 0)
		return -1;
	if (outage_get(r, id, &o, cause) != 0) {
		store_rollback(r->d.st);
		return -1;
	}
	rc = resolve ? outage_resolve_check(&o, cause) :
	    outage_update_check(&o, c, cause);
	if (rc != 0) {
		store_rollback(r->d.st);
		outage_clear(&o);
		return -1;
	}
	outage_apply(&o, c, actor, or_now(r));
	if (store_outage_save(r->d.st, &o) != 0 ||
	    store_outage_add_update(r->d.st, id,
	    &o.updates[o.nupdates - 1]) < 0 || or_change_jobs(r, &o) != 0) {
		store_rollback(r->d.st);
		outage_clear(&o);
		*cause = xstrdup("the database could not be written; "
		    "nothing changed");
		return -1;
	}
	outage_clear(&o);
	return or_commit(r, cause);
}

/* Add an update. */
int
outage_update(struct outage_run *r, long long id,
    const struct outage_change *c, const char *actor, char **cause)
{
	return or_change(r, id, c, 0, actor, cause);
}

/* Resolve. */
int
outage_resolve(struct outage_run *r, long long id, const char *text,
    const char *actor, char **cause)
{
	struct outage_change	 c;

	outage_change_init(&c);
	c.state = OUTAGE_RESOLVED;
	c.text = text != NULL ? text : "";
	return or_change(r, id, &c, 1, actor, cause);
}

/* End a transaction: commit when ok (then run the new jobs soon), else
 * roll back. 0 when committed. */
static int
or_end(struct outage_run *r, int ok)
{
	if (!ok) {
		store_rollback(r->d.st);
		return -1;
	}
	if (store_commit(r->d.st) != 0)
		return -1;
	outbox_kick(r->d.ob, NULL);
	return 0;
}

/* The issue exists: record it and say where the outage is tracked. */
int
outage_issue_created(struct outage_run *r, long long id, long long number,
    const char *url, const char *node_id)
{
	struct outage_text_env	 env;
	struct outage		 o;
	char			*line, *cause = NULL;
	int			 rc = -1;

	if (store_begin(r->d.st) != 0)
		return -1;
	if (store_outage_set_issue(r->d.st, id, number, url, node_id) != 0 ||
	    outage_get(r, id, &o, &cause) != 0) {
		free(cause);
		store_rollback(r->d.st);
		return -1;
	}
	or_env(r, &o, &env);
	line = outage_line_tracked(&o, &env);
	if (or_announce(r, id, line) == 0)
		rc = 0;
	free(line);
	outage_clear(&o);
	return or_end(r, rc == 0);
}

/* Say a line about an outage in the announce channels. */
int
outage_say(struct outage_run *r, long long id, const char *line)
{
	if (store_begin(r->d.st) != 0)
		return -1;
	return or_end(r, or_announce(r, id, line) == 0);
}

/* Open outages, or the last count of all. */
int
outage_list(struct outage_run *r, int open_only, int count,
    struct outage **os, size_t *n, char **cause)
{
	if (store_outage_list(r->d.st, open_only, count, os, n) != 0) {
		*cause = xstrdup("the database could not be read");
		return -1;
	}
	return 0;
}

/* Free a list. */
void
outage_list_free(struct outage *os, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		outage_clear(&os[i]);
	free(os);
}

/* A duration in seconds as "1h20m". */
static void
or_dur(long long s, char *buf, size_t bufsz)
{
	util_fmt_duration(s * 1000, buf, bufsz);
}

/*
 * Put the k-th smallest of v[0..n) at v[k], the smaller ones before it
 * and the others after (k < n): a median needs no full sort.
 */
static void
or_select(long long *v, size_t n, size_t k)
{
	size_t		lo = 0, hi = n - 1, i, j;
	long long	pivot, t;

	while (lo < hi) {
		pivot = v[lo + (hi - lo) / 2];
		i = lo;
		j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j-- == 0)
					break;
			}
		}
		/* Now v[lo..j] <= pivot <= v[i..hi], and j < i. */
		if (k <= j && j != (size_t)-1)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
}

/* The median of v[0..n) (n > 0); v is reordered. */
static long long
or_median(long long *v, size_t n)
{
	long long	below;
	size_t		i;

	or_select(v, n, n / 2);
	if (n % 2 == 1)
		return v[n / 2];
	/* The largest of the lower half is the other middle value. */
	below = v[0];
	for (i = 1; i < n / 2; i++)
		if (v[i] > below)
			below = v[i];
	return (below + v[n / 2]) / 2;
}

/* "label: N outages, mean 1h, median 40m"; sec is reordered. */
static char *
or_stats_line(const char *label, long long *sec, size_t n)
{
	long long	 sum = 0, median;
	char		 mean_s[32], median_s[32];
	size_t		 i;

	for (i = 0; i < n; i++)
		sum += sec[i];
	median = or_median(sec, n);
	or_dur(sum / (long long)n, mean_s, sizeof(mean_s));
	or_dur(median, median_s, sizeof(median_s));
	return xasprintf("%s: %zu resolved, mean %s, median %s to resolve",
	    label, n, mean_s, median_s);
}

/* Does the '\n'-joined list hold name? */
static int
or_names_has(const char *list, const char *name)
{
	size_t		 len = strlen(name);
	const char	*p = list;

	while (*p != '\0') {
		if (strncmp(p, name, len) == 0 &&
		    (p[len] == '\n' || p[len] == '\0'))
			return 1;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return 0;
}

/*
 * Which of the first OR_MASK_MAX components the '\n'-joined list names,
 * one bit each: the list is read once, not once per component.
 */
static uint64_t
or_names_mask(const char *list, char *const *names, size_t nnames)
{
	const char	*p = list, *end;
	uint64_t	 mask = 0;
	size_t		 len, j;

	while (*p != '\0') {
		end = strchr(p, '\n');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		for (j = 0; j < nnames && j < OR_MASK_MAX; j++) {
			if (strncmp(p, names[j], len) == 0 &&
			    names[j][len] == '\0')
				mask |= (uint64_t)1 << j;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return mask;
}

/*
 * or_names_mask through a small table by the list's hash: a window of
 * outages holds few distinct component lists, each read once.
 */
struct or_memo {
	const char	*list;		/* borrowed; NULL: free */
	uint64_t	 mask;
};

/* The mask of list, from memo (OR_MEMO slots) or computed into it. */
static uint64_t
or_names_memo(struct or_memo *memo, const char *list, char *const *names,
    size_t nnames)
{
	const unsigned char	*p;
	uint32_t		 h = 2166136261u;	/* FNV-1a */
	struct or_memo		*m;

	for (p = (const unsigned char *)list; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	m = &memo[h % OR_MEMO];
	if (m->list == NULL || strcmp(m->list, list) != 0) {
		m->list = list;
		m->mask = or_names_mask(list, names, nnames);
	}
	return m->mask;
}

/* Does row i's list (its mask, for the first components) name j? */
static int
or_row_names(const struct store_duration *d, const uint64_t *mask,
    size_t i, const char *name, size_t j)
{
	if (j < OR_MASK_MAX)
		return (mask[i] >> j) & 1;
	return or_names_has(d[i].affected, name);
}

/* !outage stats. */
int
outage_stats(struct outage_run *r, int days, char ***lines, size_t *nlines,
    char **cause)
{
	const struct cfg_statuspage	*sp = &r->cfg->statuspage;
	struct store_duration		*d = NULL;
	long long			*sec;
	uint64_t			*mask;
	struct or_memo			*memo;
	size_t				 n = 0, i, j, k;
	char				 label[64];

	if (days <= 0)
		days = OUTAGE_STATS_DAYS;
	if (store_outage_durations(r->d.st, or_now(r) - (time_t)days * 86400,
	    &d, &n) != 0) {
		*cause = xstrdup("the database could not be read");
		return -1;
	}
	*lines = NULL;
	*nlines = 0;
	if (n == 0) {
		*lines = xcalloc(1, sizeof(char *));
		(*lines)[(*nlines)++] = xasprintf("no outage resolved in "
		    "the last %d days", days);
		return 0;
	}
	sec = xcalloc(n, sizeof(*sec));
	mask = xcalloc(n, sizeof(*mask));
	memo = xcalloc(OR_MEMO, sizeof(*memo));
	for (i = 0; i < n; i++) {
		sec[i] = d[i].seconds;
		mask[i] = or_names_memo(memo, d[i].affected, sp->components,
		    sp->ncomponents);
	}
	free(memo);
	*lines = xcalloc(sp->ncomponents + 1, sizeof(char *));
	snprintf(label, sizeof(label), "last %d days", days);
	(*lines)[(*nlines)++] = or_stats_line(label, sec, n);
	for (j = 0; j < sp->ncomponents; j++) {
		for (k = 0, i = 0; i < n; i++)
			if (or_row_names(d, mask, i, sp->components[j], j))
				sec[k++] = d[i].seconds;
		if (k > 0)
			(*lines)[(*nlines)++] = or_stats_line(
			    sp->components[j], sec, k);
	}
	free(mask);
	free(sec);
	store_outage_durations_free(d, n);
	return 0;
}

/* When is a nudge of o due (0: none due any more)? Sets *kind. */
static time_t
or_nudge_due(struct outage_run *r, const struct outage *o,
    const char **kind)
{
	const struct cfg_outage	*c = &r->cfg->outage;
	time_t			 at, stale = 0, eta = 0;

	if (c->remind_after_ms > 0 && (store_outage_reminded(r->d.st, o->id,
	    "stale", &at) != 0 || at < o->updated_at))
		stale = o->updated_at + (time_t)(c->remind_after_ms / 1000);
	if (o->eta == 0 && c->eta_nudge_after_ms > 0 &&
	    store_outage_reminded(r->d.st, o->id, "eta", &at) == 0 &&
	    at == 0)
		eta = o->opened_at + (time_t)(c->eta_nudge_after_ms / 1000);
	if (eta != 0 && (stale == 0 || eta <= stale)) {
		*kind = "eta";
		return eta;
	}
	*kind = "stale";
	return stale;
}

/* Say the nudges that are due; returns the next due instant or 0. */
static time_t
or_nudge(struct outage_run *r)
{
	struct outage	*os = NULL;
	size_t		 n = 0, i;
	time_t		 now = or_now(r), due, next = 0;
	const char	*kind;
	char		*line;

	if (store_outage_list(r->d.st, 1, 0, &os, &n) != 0)
		return now + 60;
	for (i = 0; i < n; i++) {
		while ((due = or_nudge_due(r, &os[i], &kind)) != 0 &&
		    due <= now) {
			line = strcmp(kind, "eta") == 0 ?
			    outage_line_no_eta(&os[i]) :
			    outage_line_stale(&os[i],
			    (long long)(now - os[i].updated_at) * 1000);
			if (store_begin(r->d.st) != 0) {
				free(line);
				break;
			}
			store_outage_set_reminded(r->d.st, os[i].id, kind, now);
			or_announce(r, os[i].id, line);
			free(line);
			if (store_commit(r->d.st) != 0)
				break;
			outbox_kick(r->d.ob, NULL);
		}
		if (due > now && (next == 0 || due < next))
			next = due;
	}
	outage_list_free(os, n);
	return next;
}

/* The nudge timer. */
static long long
outage_timer(struct loop *loop, long long id, void *arg)
{
	struct outage_run	*r = arg;

	r->timer = 0;
	outage_arm(r);
	return LOOP_NOMORE;
}

/* Say what is due now and arm the timer for the next nudge. */
static void
outage_arm(struct outage_run *r)
{
	time_t	 next = or_nudge(r), now = or_now(r);

	if (r->timer != 0) {
		loop_timer_del(r->d.loop, r->timer);
		r->timer = 0;
	}
	if (next != 0)
		r->timer = loop_timer_add(r->d.loop, r,
		    (long long)(next > now ? next - now : 0) * 1000,
		    outage_timer, r);
}
