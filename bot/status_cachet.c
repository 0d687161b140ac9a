/*
 * status_cachet.c — the Cachet 2.x backend (DESIGN §7, §8; API-CONTRACTS
 * §3): an outage is one incident on a Cachet site, each update an
 * incident update, and each affected component carries the worst
 * severity of the open outages on it (operational once none is left).
 *
 * Each event is one outbox job; inside it a few requests run one after
 * another (a small state machine: component ids, the incident, the
 * update, the component statuses). Component ids are looked up by name
 * (GET /api/v1/components, every page), kept in memory and fetched again
 * at most once per job when a name is missing (and after Cachet refused
 * a component's status: the ids may be stale); a name Cachet does not
 * know is logged and skipped. The incident id, the components an
 * outage holds and, per component, the open outages holding it are
 * memos in the store (status_memo_*), so that they survive a restart.
 *
 * Exactly once: a job that may have reached Cachet before (resumed
 * after a crash, or tried before) and has no incident id stored first
 * lists the incidents of that name and takes the one whose meta carries
 * the outage's marker ("<instance>/<id>"); only then does it create one.
 * Such a job also reads the incident's newest update before posting its
 * own, and skips it when that one has the same status and message.
 * Setting component statuses is idempotent.
 *
 * It never judges a status code itself (status_job_answer and
 * http_classify do), except that a lookup answered 404 means "none". It
 * never logs the token (http.c does not log headers), never blocks, and
 * runs one job at a time per site (max_inflight 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http.h"
#include "log.h"
#include "outage_text.h"
#include "status.h"
#include "status_cachet.h"
#include "util.h"

#define CACHET_TIMEOUT_MS	20000
#define CACHET_PER_PAGE		100	/* components a page */
#define CACHET_LOOKUP_MAX	25	/* newest incidents of one name */
#define CACHET_MAX_PAGES	50
#define CACHET_META_KEY		"outagebot"
#define CACHET_NAME_MAX		255	/* characters (a varchar(255)) */

/* One configured Cachet site. */
struct cachet {
	struct status_ctx	 ctx;
	char			*api;		/* "<url>/api/v1" */
	char			*token_hdr;	/* "X-Cachet-Token: ..." */
	struct cachet_comps	 comps;		/* name -> id, cached */
	struct cachet_job	*cur;		/* in flight, or NULL */
};

/* One job in progress. */
struct cachet_job {
	struct cachet		*c;
	struct status_job	*sj;
	const struct status_event *ev;
	int			 page;
	struct cachet_comps	 fresh;		/* the listing being read */
	long long		 incident;
	int			 created;	/* the incident was made now */
	long long		 created_comp;	/* set by the create */
	long long		*ids;		/* components to set */
	int			*statuses;
	size_t			 nids;
	size_t			 next;
	char			*memo;		/* ids to remember when done */
};

static void	cachet_incident(struct cachet_job *);
static void	cachet_update(struct cachet_job *);
static void	cachet_set_next(struct cachet_job *);

/* ---- pure parts (status_cachet.h) ---- */

/* Cachet's incident status of a state. */
int
cachet_incident_status(enum outage_state s)
{
	switch (s) {
	case OUTAGE_IDENTIFIED:
		return 2;
	case OUTAGE_MONITORING:
		return 3;
	case OUTAGE_RESOLVED:
		return 4;
	case OUTAGE_INVESTIGATING:
	default:
		return 1;
	}
}

/* Cachet's status for o's affected components. */
int
cachet_component_status(const struct outage *o)
{
	if (o->state == OUTAGE_RESOLVED)
		return 1;
	switch (o->severity) {
	case OUTAGE_NOTICE:
		return 2;
	case OUTAGE_DOWN:
		return 4;
	case OUTAGE_DISRUPTED:
	default:
		return 3;
	}
}

/* s without the white space Cachet trims, as a length. */
static size_t
cachet_trimmed(const char **s)
{
	const char	*p = *s;
	size_t		 n;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' ||
	    (p[n - 1] >= '\t' && p[n - 1] <= '\r')))
		n--;
	*s = p;
	return n;
}

/* The incident's name: the title as one plain line. */
char *
cachet_name(const struct outage *o)
{
	const char	*t = o->title != NULL ? o->title : "";
	char		*copy;
	struct buf	 b;
	size_t		 n, i;

	/* Cachet trims its input: so does the name it is looked up by. */
	n = cachet_trimmed(&t);
	if (n == 0)
		return xasprintf("outage #%lld", o->id);
	copy = xstrndup(t, n);
	buf_init(&b);
	outage_text_line(&b, copy);
	free(copy);
	/* The column holds CACHET_NAME_MAX characters: cut at one. */
	for (n = 0, i = 0; i < b.len; i++)
		if (((unsigned char)b.data[i] & 0xc0) != 0x80 &&
		    ++n > CACHET_NAME_MAX) {
			b.len = i;
			b.data[i] = '\0';
			break;
		}
	return buf_steal(&b);
}

/* "<instance>/<id>", kept in the incident's meta. */
char *
cachet_marker(const char *instance, long long id)
{
	return xasprintf("%s/%lld", instance != NULL ? instance : "", id);
}

/* What Cachet shows for a state when nobody wrote a text. */
static const char *
cachet_default_text(enum outage_state s)
{
	switch (s) {
	case OUTAGE_IDENTIFIED:
		return "The cause has been identified.";
	case OUTAGE_MONITORING:
		return "A fix is in place; we are watching the results.";
	case OUTAGE_RESOLVED:
		return "This has been resolved.";
	case OUTAGE_INVESTIGATING:
	default:
		return "We are investigating.";
	}
}

/* The Markdown message of an event. */
char *
cachet_message(const struct status_event *ev)
{
	const struct outage	*o = &ev->outage;
	const char		*text = NULL;
	struct buf		 b;

	if (o->nupdates > 0)
		text = o->updates[o->nupdates - 1].text;
	buf_init(&b);
	if (text != NULL && *text != '\0')
		outage_text_md(&b, text);
	else
		buf_addstr(&b, cachet_default_text(o->state));
	if (ev->kind != STATUS_OPENED)
		return buf_steal(&b);	/* the page shows the rest already */
	if (o->naffected > 0) {
		buf_addstr(&b, "\n\nAffected: ");
		outage_text_affected(&b, o, "", outage_text_md);
		buf_addc(&b, '.');
	}
	if (o->alternatives != NULL && *o->alternatives != '\0') {
		buf_addstr(&b, "\n\nAlternatives: ");
		outage_text_md(&b, o->alternatives);
	}
	return buf_steal(&b);
}

/* The JSON that creates the incident of ev. */
char *
cachet_create_body(const struct status_event *ev, long long component_id)
{
	const struct outage	*o = &ev->outage;
	char			*name = cachet_name(o);
	char			*msg = cachet_message(ev);
	char			*mark = cachet_marker(ev->instance, o->id);
	json_t			*j;

	j = json_pack("{s:s, s:s, s:i, s:i, s:b, s:{s:s}}",
	    "name", name, "message", msg,
	    "status", cachet_incident_status(o->state),
	    "visible", 1, "notify", 0, "meta", CACHET_META_KEY, mark);
	if (j != NULL && component_id > 0) {
		json_object_set_new(j, "component_id",
		    json_integer(component_id));
		json_object_set_new(j, "component_status",
		    json_integer(cachet_component_status(o)));
	}
	free(name);
	free(msg);
	free(mark);
	return util_json_take(j);
}

/* The JSON of an incident update. */
char *
cachet_update_body(const struct status_event *ev)
{
	char	*msg = cachet_message(ev);
	json_t	*j;

	j = json_pack("{s:i, s:s}",
	    "status", cachet_incident_status(ev->outage.state),
	    "message", msg);
	free(msg);
	return util_json_take(j);
}

/* The JSON that sets a component's status. */
char *
cachet_component_body(int status)
{
	return util_json_take(json_pack("{s:i}", "status", status));
}

/* An id as Cachet sends it (a number or a numeric string), or 0. */
static long long
cachet_id_of(json_t *v)
{
	long long	 n;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? json_integer_value(v) : 0;
	if (json_is_string(v) && util_strtonum(json_string_value(v), 1,
	    (1LL << 53), &n) == 0)
		return n;
	return 0;
}

/* The id of a single item's answer. */
int
cachet_parse_id(const char *body, long long *id)
{
	json_t	*j = json_loads(body != NULL ? body : "", 0, NULL);

	*id = cachet_id_of(json_object_get(json_object_get(j, "data"), "id"));
	json_decref(j);
	return *id > 0 ? 0 : -1;
}

/* 1 if an incident's meta (a list of {key, value}, or an object)
 * carries the marker. */
static int
cachet_meta_has(json_t *meta, const char *marker)
{
	json_t		*e;
	const char	*k, *v;
	size_t		 i;

	if (json_is_object(meta)) {
		v = json_string_value(json_object_get(meta, CACHET_META_KEY));
		return v != NULL && strcmp(v, marker) == 0;
	}
	json_array_foreach(meta, i, e) {
		k = json_string_value(json_object_get(e, "key"));
		v = json_string_value(json_object_get(e, "value"));
		if (k != NULL && v != NULL &&
		    strcmp(k, CACHET_META_KEY) == 0 && strcmp(v, marker) == 0)
			return 1;
	}
	return 0;
}

/* The parsed listing of body and its data array, or NULL (no listing;
 * nothing to free). */
static json_t *
cachet_listing(const char *body, json_t **data)
{
	json_t	*j = json_loads(body != NULL ? body : "", 0, NULL);

	*data = json_object_get(j, "data");
	if (json_is_array(*data))
		return j;
	json_decref(j);
	return NULL;
}

/* The incident of a listing with our name and marker. */
long long
cachet_find_incident(const char *body, const char *name, const char *marker)
{
	json_t		*data, *e, *j = cachet_listing(body, &data);
	const char	*n;
	long long	 found = 0;
	size_t		 i;

	if (j == NULL)
		return -1;
	json_array_foreach(data, i, e) {
		n = json_string_value(json_object_get(e, "name"));
		if (n == NULL || strcmp(n, name) != 0 ||
		    !cachet_meta_has(json_object_get(e, "meta"), marker))
			continue;
		found = cachet_id_of(json_object_get(e, "id"));
		if (found > 0)
			break;
	}
	json_decref(j);
	return found;
}

/* Whether the newest update of a listing is this status and message. */
int
cachet_update_posted(const char *body, int status, const char *message)
{
	json_t		*data, *e, *j = cachet_listing(body, &data);
	const char	*m;
	size_t		 n, mn;
	int		 same;

	if (j == NULL)
		return -1;
	e = json_array_get(data, 0);
	m = json_string_value(json_object_get(e, "message"));
	same = m != NULL && json_integer_value(json_object_get(e,
	    "status")) == status;
	if (same) {
		n = cachet_trimmed(&m);
		mn = cachet_trimmed(&message);
		same = n == mn && memcmp(m, message, n) == 0;
	}
	json_decref(j);
	return same;
}

/* Replace outage's entry in a holders list; see status_cachet.h. */
char *
cachet_holders(const char *list, long long outage, int status, int *worst)
{
	const char	*p = list, *item, *colon;
	char		 num[32];
	struct buf	 b;
	long long	 id, st;
	size_t		 len;

	*worst = status > 0 ? status : 0;
	buf_init(&b);
	while (p != NULL && util_list_next(&p, &item, &len)) {
		colon = memchr(item, ':', len);
		if (colon == NULL || len >= sizeof(num))
			continue;
		memcpy(num, item, len);
		num[colon - item] = '\0';
		num[len] = '\0';
		if (util_strtonum(num, 1, (1LL << 53), &id) != 0 ||
		    util_strtonum(num + (colon - item) + 1, 1, 4, &st) != 0 ||
		    id == outage)
			continue;
		buf_printf(&b, "%s%lld:%lld", b.len > 0 ? "," : "", id, st);
		if (st > *worst)
			*worst = (int)st;
	}
	if (status > 0)
		buf_printf(&b, "%s%lld:%d", b.len > 0 ? "," : "", outage,
		    status);
	return buf_steal(&b);
}

/* 1 if the pagination of a listing says a later page exists. */
static int
cachet_more(json_t *j)
{
	json_t		*p = json_object_get(json_object_get(j, "meta"),
			    "pagination");
	json_t		*next;
	long long	 cur, total;

	next = json_object_get(json_object_get(p, "links"), "next_page");
	if (json_is_string(next) && *json_string_value(next) != '\0')
		return 1;
	cur = json_integer_value(json_object_get(p, "current_page"));
	total = json_integer_value(json_object_get(p, "total_pages"));
	return cur > 0 && total > cur;
}

/* Append one page of the component listing. */
int
cachet_parse_components(const char *body, struct cachet_comps *cs,
    int *more)
{
	json_t		*data, *e, *j = cachet_listing(body, &data);
	const char	*n;
	long long	 id;
	size_t		 i;

	*more = 0;
	if (j == NULL)
		return -1;
	json_array_foreach(data, i, e) {
		n = json_string_value(json_object_get(e, "name"));
		id = cachet_id_of(json_object_get(e, "id"));
		if (n == NULL || id <= 0)
			continue;
		cs->v = xreallocarray(cs->v, cs->n + 1, sizeof(*cs->v));
		cs->v[cs->n].name = xstrdup(n);
		cs->v[cs->n].id = id;
		cs->n++;
	}
	*more = cachet_more(j);
	json_decref(j);
	return 0;
}

/* A component's id by name, any case. */
long long
cachet_comps_find(const struct cachet_comps *cs, const char *name)
{
	size_t	 i;

	for (i = 0; i < cs->n; i++)
		if (util_strcaseeq(cs->v[i].name, name))
			return cs->v[i].id;
	return 0;
}

/* Free and empty a component list. */
void
cachet_comps_clear(struct cachet_comps *cs)
{
	size_t	 i;

	for (i = 0; i < cs->n; i++)
		free(cs->v[i].name);
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
}

/* ---- requests ---- */

/* Free a job's own parts; its status job is finished by the caller. */
static void
cachet_job_free(struct cachet_job *j)
{
	if (j->c->cur == j)
		j->c->cur = NULL;
	cachet_comps_clear(&j->fresh);
	free(j->ids);
	free(j->statuses);
	free(j->memo);
	free(j);
}

/* Finish the job with res and cause, and free it. */
static void
cachet_end(struct cachet_job *j, enum outbox_result res, const char *cause)
{
	struct status_job	*sj = j->sj;

	cachet_job_free(j);
	status_job_finish(sj, res, 0, cause);
}

/* A success whose body cannot be read: try again later. */
static void
cachet_unreadable(struct cachet_job *j, const char *what)
{
	char	 cause[200];

	cachet_end(j, OUTBOX_RETRY, status_job_cause(j->sj, OUTBOX_RETRY, what,
	    "an answer it cannot read", cause, sizeof(cause)));
}

/*
 * 1 if the answer lets the job go on; else the job is finished from it
 * (retry or dead, by status_job_answer) and freed, and 0. A lookup
 * answered 404 goes on (nothing found).
 */
static int
cachet_ok(struct cachet_job *j, const struct http_response *resp,
    const char *what, int lookup)
{
	struct status_job	*sj = j->sj;

	if (lookup && resp->status == 404)
		return 1;
	if (http_classify(resp, j->ev->attempts + 1, util_now(), NULL) ==
	    HTTP_DONE)
		return 1;
	cachet_job_free(j);
	status_job_answer(sj, resp, what);
	return 0;
}

/* Start a request of j (path below /api/v1); 0, or -1 (job finished). */
static int
cachet_send(struct cachet_job *j, const char *method, const char *path,
    const char *body, http_done_cb *cb)
{
	struct cachet		*c = j->c;
	const char		*hdrs[5];
	struct http_request	 r;
	char			*url = xasprintf("%s%s", c->api, path);
	long long		 id;

	hdrs[0] = c->token_hdr;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = body != NULL ? "Content-Type: application/json" : NULL;
	/* No "100 Continue" round trip before a body, as for GitHub. */
	hdrs[3] = body != NULL ? "Expect:" : NULL;
	hdrs[4] = NULL;
	memset(&r, 0, sizeof(r));
	r.method = method;
	r.url = url;
	r.headers = hdrs;
	r.body = body;
	r.body_len = body != NULL ? strlen(body) : 0;
	r.timeout_ms = CACHET_TIMEOUT_MS;
	r.owner = c;
	id = http_start(c->ctx.http, &r, cb, j);
	free(url);
	if (id < 0) {
		cachet_end(j, OUTBOX_RETRY, "cachet: a request could not "
		    "start");
		return -1;
	}
	return 0;
}

/* ---- components ---- */

/* Add a component to set, unless it is in the plan already. */
static void
cachet_plan_add(struct cachet_job *j, long long id, int status)
{
	size_t	 i;

	for (i = 0; i < j->nids; i++)
		if (j->ids[i] == id)
			return;
	j->ids = xreallocarray(j->ids, j->nids + 1, sizeof(*j->ids));
	j->statuses = xreallocarray(j->statuses, j->nids + 1,
	    sizeof(*j->statuses));
	j->ids[j->nids] = id;
	j->statuses[j->nids] = status;
	j->nids++;
}

/*
 * Share each planned component with the other outages on it: the
 * backend-wide memo "component.<id>" lists the open outages holding it
 * with the status each wants; this outage's entry is replaced (or
 * dropped when it lets go), and the component gets the worst status
 * left, operational when none is. 0, or -1 (job finished).
 */
static int
cachet_share(struct cachet_job *j)
{
	char	 what[48], *list, *next;
	int	 worst;
	size_t	 i;

	for (i = 0; i < j->nids; i++) {
		snprintf(what, sizeof(what), "component.%lld", j->ids[i]);
		list = NULL;
		if (status_memo_get(&j->c->ctx, 0, what, &list) < 0)
			break;
		next = cachet_holders(list, j->ev->outage.id, j->statuses[i],
		    &worst);
		free(list);
		if (status_memo_set(&j->c->ctx, 0, what, next) != 0) {
			free(next);
			break;
		}
		free(next);
		j->statuses[i] = worst > 0 ? worst : 1;
	}
	if (i == j->nids)
		return 0;
	cachet_end(j, OUTBOX_RETRY, "cachet: the components' holders cannot "
	    "be stored");
	return -1;
}

/*
 * Plan the component statuses: each affected component as the outage
 * wants it (none once resolved), those it held before and no longer
 * affects let go, then shared with the other outages (cachet_share).
 * Names Cachet does not know are logged and skipped. 0, or -1 (job
 * finished).
 */
static int
cachet_plan(struct cachet_job *j)
{
	const struct outage	*o = &j->ev->outage;
	int			 want = 0;
	const char		*p, *item;
	char			*prev = NULL, num[32];
	struct buf		 memo;
	long long		 id;
	size_t			 i, len;

	if (o->state != OUTAGE_RESOLVED)
		want = cachet_component_status(o);
	buf_init(&memo);
	for (i = 0; i < o->naffected; i++) {
		id = cachet_comps_find(&j->c->comps, o->affected[i]);
		if (id == 0) {
			log_warn("status", "%s: outage #%lld: no component "
			    "\"%s\" on the site; skipped", j->c->ctx.key,
			    o->id, o->affected[i]);
			continue;
		}
		cachet_plan_add(j, id, want);
		if (want > 0)
			buf_printf(&memo, "%s%lld", memo.len > 0 ? "," : "",
			    id);
	}
	switch (status_memo_get(&j->c->ctx, o->id, "components", &prev)) {
	case -1:
		/* Not knowing what it held would strand those components. */
		buf_free(&memo);
		cachet_end(j, OUTBOX_RETRY, "cachet: the store cannot be read");
		return -1;
	case 0:
		p = prev;
		while (util_list_next(&p, &item, &len))
			if (len < sizeof(num)) {
				memcpy(num, item, len);
				num[len] = '\0';
				if (util_strtonum(num, 1, (1LL << 53),
				    &id) == 0)
					cachet_plan_add(j, id, 0);
			}
		free(prev);
		break;
	}
	j->memo = buf_steal(&memo);
	return cachet_share(j);
}

static void	cachet_list_page(struct cachet_job *);

/* A page of the component list came back: the next, or use it. */
static void
cachet_listed(const struct http_response *resp, void *arg)
{
	struct cachet_job	*j = arg;
	int			 more = 0;

	if (!cachet_ok(j, resp, "component list", 1))
		return;
	if (resp->status != 404 &&
	    cachet_parse_components(resp->body, &j->fresh, &more) != 0) {
		cachet_unreadable(j, "component list");
		return;
	}
	if (more && j->page < CACHET_MAX_PAGES) {
		j->page++;
		cachet_list_page(j);
		return;
	}
	cachet_comps_clear(&j->c->comps);
	j->c->comps = j->fresh;
	memset(&j->fresh, 0, sizeof(j->fresh));
	if (cachet_plan(j) == 0)
		cachet_incident(j);
}

/* Ask for page j->page of the component list. */
static void
cachet_list_page(struct cachet_job *j)
{
	char	 path[80];

	snprintf(path, sizeof(path), "/components?per_page=%d&page=%d",
	    CACHET_PER_PAGE, j->page);
	(void)cachet_send(j, "GET", path, NULL, cachet_listed);
}

/* 1 if an affected component is missing from the cache. */
static int
cachet_missing(const struct cachet_job *j)
{
	const struct outage	*o = &j->ev->outage;
	size_t			 i;

	for (i = 0; i < o->naffected; i++)
		if (cachet_comps_find(&j->c->comps, o->affected[i]) == 0)
			return 1;
	return 0;
}

/* ---- the incident ---- */

/* Remember the incident's id; 0, or -1 (job finished). */
static int
cachet_record(struct cachet_job *j, long long id)
{
	char	 num[32];

	j->incident = id;
	snprintf(num, sizeof(num), "%lld", id);
	if (status_memo_set(&j->c->ctx, j->ev->outage.id, "incident",
	    num) != 0) {
		cachet_end(j, OUTBOX_RETRY, "cachet: the incident's id could "
		    "not be stored");
		return -1;
	}
	return 0;
}

/* The create came back: remember the incident, go on. */
static void
cachet_created(const struct http_response *resp, void *arg)
{
	struct cachet_job	*j = arg;
	long long		 id;

	if (!cachet_ok(j, resp, "incident", 0))
		return;
	if (cachet_parse_id(resp->body, &id) != 0) {
		cachet_unreadable(j, "incident");
		return;
	}
	if (cachet_record(j, id) != 0)
		return;
	j->created = 1;
	cachet_update(j);
}

/* Create the incident (with its component when it has exactly one). */
static void
cachet_create(struct cachet_job *j)
{
	const struct outage	*o = &j->ev->outage;
	char			*body;

	j->created_comp = 0;
	if (o->naffected == 1)
		j->created_comp = cachet_comps_find(&j->c->comps,
		    o->affected[0]);
	body = cachet_create_body(j->ev, j->created_comp);
	if (body == NULL) {
		cachet_end(j, OUTBOX_DEAD, "cachet: the incident could not "
		    "be written");
		return;
	}
	(void)cachet_send(j, "POST", "/incidents", body, cachet_created);
	free(body);
}

/* The incidents of the outage's name came back: ours, or create. */
static void
cachet_found(const struct http_response *resp, void *arg)
{
	struct cachet_job	*j = arg;
	const struct outage	*o = &j->ev->outage;
	char			*name, *mark;
	long long		 id = 0;

	if (!cachet_ok(j, resp, "incident lookup", 1))
		return;
	if (resp->status != 404) {
		name = cachet_name(o);
		mark = cachet_marker(j->ev->instance, o->id);
		id = cachet_find_incident(resp->body, name, mark);
		free(name);
		free(mark);
	}
	if (id < 0) {
		cachet_unreadable(j, "incident lookup");
		return;
	}
	if (id == 0) {
		cachet_create(j);
		return;
	}
	log_info("status", "%s: outage #%lld: incident %lld exists already",
	    j->c->ctx.key, o->id, id);
	if (cachet_record(j, id) == 0)
		cachet_update(j);
}

/*
 * Know the incident: the id stored, else (when an earlier try may have
 * made it) the one found by name and marker, else a new one.
 */
static void
cachet_incident(struct cachet_job *j)
{
	const struct status_event	*ev = j->ev;
	char				*v = NULL, *name, *q, *path;
	long long			 id;
	int				 rc;

	rc = status_memo_get(&j->c->ctx, ev->outage.id, "incident", &v);
	if (rc < 0) {
		cachet_end(j, OUTBOX_RETRY, "cachet: the store cannot be "
		    "read");
		return;
	}
	if (rc == 0) {
		rc = util_strtonum(v, 1, (1LL << 53), &id);
		free(v);
		if (rc == 0) {
			j->incident = id;
			cachet_update(j);
			return;
		}
	}
	if (ev->kind == STATUS_OPENED && !ev->resumed && ev->attempts == 0) {
		cachet_create(j);
		return;
	}
	name = cachet_name(&ev->outage);
	q = http_escape(name);
	path = xasprintf("/incidents?name=%s&sort=id&order=desc&per_page=%d",
	    q, CACHET_LOOKUP_MAX);
	(void)cachet_send(j, "GET", path, NULL, cachet_found);
	free(path);
	free(q);
	free(name);
}

/* The incident update came back: on to the components. */
static void
cachet_updated(const struct http_response *resp, void *arg)
{
	struct cachet_job	*j = arg;

	if (cachet_ok(j, resp, "incident update", 0))
		cachet_set_next(j);
}

/* Post the incident update of an update or a resolve. */
static void
cachet_post_update(struct cachet_job *j)
{
	char	*body, path[64];

	body = cachet_update_body(j->ev);
	if (body == NULL) {
		cachet_end(j, OUTBOX_DEAD, "cachet: the update could not be "
		    "written");
		return;
	}
	snprintf(path, sizeof(path), "/incidents/%lld/updates", j->incident);
	(void)cachet_send(j, "POST", path, body, cachet_updated);
	free(body);
}

/* The incident's newest updates came back: post ours unless there. */
static void
cachet_checked(const struct http_response *resp, void *arg)
{
	struct cachet_job	*j = arg;
	char			*msg;
	int			 posted = 0;

	if (!cachet_ok(j, resp, "incident updates", 1))
		return;
	if (resp->status != 404) {
		msg = cachet_message(j->ev);
		posted = cachet_update_posted(resp->body,
		    cachet_incident_status(j->ev->outage.state), msg);
		free(msg);
	}
	if (posted < 0) {
		cachet_unreadable(j, "incident updates");
		return;
	}
	if (posted == 0) {
		cachet_post_update(j);
		return;
	}
	log_info("status", "%s: outage #%lld: the update is on incident %lld "
	    "already", j->c->ctx.key, j->ev->outage.id, j->incident);
	cachet_set_next(j);
}

/*
 * The incident update of an update or a resolve. When an earlier try
 * may have posted it (its answer lost), the incident's newest update is
 * read first: the lane runs this outage's events in order, so ours, if
 * it got there, is the newest.
 */
static void
cachet_update(struct cachet_job *j)
{
	char	 path[80];

	if (j->ev->kind == STATUS_OPENED || j->created) {
		cachet_set_next(j);
		return;
	}
	if (!j->ev->resumed && j->ev->attempts == 0) {
		cachet_post_update(j);
		return;
	}
	snprintf(path, sizeof(path), "/incidents/%lld/updates?per_page=1",
	    j->incident);
	(void)cachet_send(j, "GET", path, NULL, cachet_checked);
}

/* ---- component statuses ---- */

/*
 * A component's status was set: the next one. When it was not, the ids
 * may be stale (a component deleted or made again on the site): the
 * cache is dropped, so that the next try lists the components again.
 */
static void
cachet_set_cb(const struct http_response *resp, void *arg)
{
	struct cachet_job	*j = arg;
	struct cachet		*c = j->c;

	if (!cachet_ok(j, resp, "component status", 0)) {
		cachet_comps_clear(&c->comps);
		return;
	}
	j->next++;
	cachet_set_next(j);
}

/* Set the next planned component's status, or finish the job. */
static void
cachet_set_next(struct cachet_job *j)
{
	char	*body, path[64];
	long long id;

	while (j->next < j->nids && j->created &&
	    j->ids[j->next] == j->created_comp &&
	    j->statuses[j->next] == cachet_component_status(&j->ev->outage))
		j->next++;		/* the create set it */
	if (j->next >= j->nids) {
		if (status_memo_set(&j->c->ctx, j->ev->outage.id,
		    "components", j->memo) != 0)
			log_warn("status", "%s: outage #%lld: the components "
			    "set could not be stored", j->c->ctx.key,
			    j->ev->outage.id);
		cachet_end(j, OUTBOX_DONE, NULL);
		return;
	}
	id = j->ids[j->next];
	body = cachet_component_body(j->statuses[j->next]);
	snprintf(path, sizeof(path), "/components/%lld", id);
	(void)cachet_send(j, "PUT", path, body, cachet_set_cb);
	free(body);
}

/* ---- the backend ---- */

/* Open a Cachet site: its API base and token header. */
static void *
cachet_open(const struct cfg_backend *b, const struct status_ctx *ctx,
    char **cause)
{
	struct cachet	*c;
	size_t		 n, i;

	if (b->url == NULL || b->token == NULL) {
		*cause = xstrdup("cachet needs url and token_file");
		return NULL;
	}
	for (i = 0; b->token[i] != '\0'; i++)
		if ((unsigned char)b->token[i] < 0x20 ||
		    b->token[i] == 0x7f) {
			*cause = xstrdup("the cachet token has control "
			    "characters");
			return NULL;
		}
	c = xcalloc(1, sizeof(*c));
	c->ctx = *ctx;
	n = strlen(b->url);
	while (n > 0 && b->url[n - 1] == '/')
		n--;
	c->api = xasprintf("%.*s/api/v1", (int)n, b->url);
	c->token_hdr = xasprintf("X-Cachet-Token: %s", b->token);
	return c;
}

/* Carry out one event. */
static void
cachet_run(void *state, struct status_job *sj)
{
	struct cachet		*c = state;
	struct cachet_job	*j = xcalloc(1, sizeof(*j));

	j->c = c;
	j->sj = sj;
	j->ev = status_job_event(sj);
	c->cur = j;
	if (cachet_missing(j)) {
		j->page = 1;
		cachet_list_page(j);
		return;
	}
	if (cachet_plan(j) == 0)
		cachet_incident(j);
}

/* Cancel what is in flight (status.c finishes its job) and free. */
static void
cachet_close(void *state)
{
	struct cachet	*c = state;

	if (c == NULL)
		return;
	http_cancel_owner(c->ctx.http, c);
	if (c->cur != NULL)
		cachet_job_free(c->cur);
	cachet_comps_clear(&c->comps);
	explicit_bzero(c->token_hdr, strlen(c->token_hdr));
	free(c->token_hdr);
	free(c->api);
	free(c);
}

const struct status_ops status_cachet_ops = {
	.type = CFG_BACKEND_CACHET,
	.name = "cachet",
	.max_inflight = 1,
	.min_gap_ms = 0,
	.open = cachet_open,
	.run = cachet_run,
	.close = cachet_close
};
