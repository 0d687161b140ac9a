/*
 * status_job.c — the jobs of the status-page backends (DESIGN §7, §8):
 * the stable key of a backend, the JSON of an outage, and one job per
 * backend for each outage event, added in the caller's transaction.
 * Pure apart from store_job_add: no I/O, no loop.
 *
 * Times in the outage JSON are seconds since the epoch (UTC); renderers
 * format them. The outage object is also what the webhook sends, so its
 * field names are part of the webhook's contract (README).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ircmsg.h"
#include "status_job.h"
#include "store_outbox.h"
#include "util.h"

static const char *const status_types[] = {
	[CFG_BACKEND_CSTATE] = "cstate",
	[CFG_BACKEND_STATUSFY] = "statusfy",
	[CFG_BACKEND_ISSUES] = "issues",
	[CFG_BACKEND_CACHET] = "cachet",
	[CFG_BACKEND_WEBHOOK] = "webhook",
	[CFG_BACKEND_TELEGRAM] = "telegram"
};

static const char *const status_kinds[] = {
	[STATUS_OPENED] = "opened",
	[STATUS_UPDATED] = "updated",
	[STATUS_RESOLVED] = "resolved"
};

const char *
status_type_name(enum cfg_backend_type t)
{
	if ((size_t)t >= sizeof(status_types) / sizeof(status_types[0]))
		return "?";
	return status_types[t];
}

/* FNV-1a over s and a separator. */
static uint32_t
status_fnv(uint32_t h, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	h ^= 0x1f;
	return h * 16777619u;
}

/*
 * The key: the type and a hash of the destination, so that a reload
 * that reorders the list keeps each job with its backend, and one that
 * points a backend elsewhere does not send old jobs to the new place.
 */
void
status_key(const struct cfg_backend *b, char *buf, size_t bufsz)
{
	uint32_t	 h = 2166136261u;

	h = status_fnv(h, status_type_name(b->type));
	h = status_fnv(h, b->repo);
	h = status_fnv(h, b->path);
	h = status_fnv(h, b->dir);
	h = status_fnv(h, b->url);
	h = status_fnv(h, b->chat_id);
	if (b->repo != NULL) {
		/* Another branch or GitHub is another destination. */
		h = status_fnv(h, b->branch);
		h = status_fnv(h, b->api_url);
	}
	snprintf(buf, bufsz, "%s-%08x", status_type_name(b->type),
	    (unsigned)h);
}

/*
 * A string or JSON null. Text from IRC may be any bytes and jansson
 * takes only UTF-8: bytes that are not are sent as U+FFFD, so that an
 * outage always has its JSON (and its jobs, and so its transaction).
 */
static json_t *
status_str(const char *s)
{
	json_t	*j;
	char	*fixed;

	if (s == NULL)
		return json_null();
	if (util_utf8_valid(s, strlen(s)))
		return json_string(s);
	fixed = irc_utf8_repair(s);
	j = json_string(fixed);
	free(fixed);
	return j;
}

static json_t *
status_outage_obj(const struct outage *o)
{
	json_t	*aff = json_array(), *ups = json_array(), *u;
	size_t	 i;

	for (i = 0; i < o->naffected; i++)
		json_array_append_new(aff, status_str(o->affected[i]));
	for (i = 0; i < o->nupdates; i++) {
		const struct outage_update *up = &o->updates[i];

		u = json_pack("{s:I, s:o, s:o, s:s, s:b}",
		    "at", (json_int_t)up->at,
		    "author", status_str(up->author),
		    "text", status_str(up->text),
		    "state", outage_state_name(up->state),
		    "state_changed", up->state_changed);
		json_array_append_new(ups, u);
	}
	return json_pack("{s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, "
	    "s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
	    "id", (json_int_t)o->id,
	    "title", status_str(o->title),
	    "severity", outage_severity_name(o->severity),
	    "state", outage_state_name(o->state),
	    "affected", aff,
	    "alternatives", status_str(o->alternatives),
	    "eta", o->eta != 0 ? json_integer(o->eta) : json_null(),
	    "cause", status_str(o->cause),
	    "master", status_str(o->master),
	    "opened_by", status_str(o->opened_by),
	    "opened_at", (json_int_t)o->opened_at,
	    "updated_at", (json_int_t)o->updated_at,
	    "resolved_at", o->resolved_at != 0 ?
	    json_integer(o->resolved_at) : json_null(),
	    "from_alert", o->from_alert != 0 ?
	    json_integer(o->from_alert) : json_null(),
	    "issue_number", o->issue_number != 0 ?
	    json_integer(o->issue_number) : json_null(),
	    "issue_url", status_str(o->issue_url),
	    "updates", ups);
}

char *
status_outage_json(const struct outage *o)
{
	return util_json_take(status_outage_obj(o));
}

/* A copy of a string member, or NULL when absent or null. */
static char *
status_get_str(json_t *o, const char *name)
{
	json_t	*v = json_object_get(o, name);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static time_t
status_get_time(json_t *o, const char *name)
{
	json_t	*v = json_object_get(o, name);

	return json_is_integer(v) ? (time_t)json_integer_value(v) : 0;
}

/* The timeline of an outage object into o. */
static int
status_updates_parse(json_t *ups, struct outage *o)
{
	json_t	*u;
	size_t	 i;
	int	 st;

	if (!json_is_array(ups))
		return -1;
	o->updates = xcalloc(json_array_size(ups) + 1, sizeof(*o->updates));
	json_array_foreach(ups, i, u) {
		struct outage_update *up = &o->updates[i];
		json_t *sv = json_object_get(u, "state");

		st = json_is_string(sv) ?
		    outage_state_parse(json_string_value(sv)) : -1;
		if (!json_is_object(u) || st < 0)
			return -1;
		up->at = status_get_time(u, "at");
		up->author = status_get_str(u, "author");
		up->text = status_get_str(u, "text");
		up->state = (enum outage_state)st;
		up->state_changed = json_is_true(json_object_get(u,
		    "state_changed"));
		o->nupdates++;
	}
	return 0;
}

static int
status_outage_from(json_t *j, struct outage *o)
{
	json_t	*aff = json_object_get(j, "affected"), *v;
	size_t	 i;
	int	 sev, st;

	memset(o, 0, sizeof(*o));
	if (!json_is_object(j) || !json_is_array(aff))
		return -1;
	v = json_object_get(j, "severity");
	sev = json_is_string(v) ? outage_severity_parse(json_string_value(v))
	    : -1;
	v = json_object_get(j, "state");
	st = json_is_string(v) ? outage_state_parse(json_string_value(v)) : -1;
	if (sev < 0 || st < 0 || !json_is_string(json_object_get(j, "title")))
		return -1;
	o->id = json_integer_value(json_object_get(j, "id"));
	o->title = status_get_str(j, "title");
	o->severity = (enum outage_severity)sev;
	o->state = (enum outage_state)st;
	o->affected = xcalloc(json_array_size(aff) + 1, sizeof(char *));
	json_array_foreach(aff, i, v) {
		if (!json_is_string(v))
			goto bad;
		o->affected[o->naffected++] = xstrdup(json_string_value(v));
	}
	o->alternatives = status_get_str(j, "alternatives");
	o->eta = status_get_time(j, "eta");
	o->cause = status_get_str(j, "cause");
	o->master = status_get_str(j, "master");
	o->opened_by = status_get_str(j, "opened_by");
	o->opened_at = status_get_time(j, "opened_at");
	o->updated_at = status_get_time(j, "updated_at");
	o->resolved_at = status_get_time(j, "resolved_at");
	o->from_alert = json_integer_value(json_object_get(j, "from_alert"));
	o->issue_number = json_integer_value(json_object_get(j,
	    "issue_number"));
	o->issue_url = status_get_str(j, "issue_url");
	if (status_updates_parse(json_object_get(j, "updates"), o) != 0)
		goto bad;
	return 0;
bad:
	outage_clear(o);
	return -1;
}

int
status_outage_parse(const char *text, struct outage *o)
{
	json_t	*j = json_loads(text, 0, NULL);
	int	 rc;

	memset(o, 0, sizeof(*o));
	if (j == NULL)
		return -1;
	rc = status_outage_from(j, o);
	json_decref(j);
	return rc;
}

int
status_jobs_add(struct store *st, const struct config *cfg,
    const struct outage *o, enum status_kind kind, const char *line,
    long long now_ms)
{
	const struct cfg_statuspage	*sp = &cfg->statuspage;
	json_t				*p;
	char				*payload, key[64], kindbuf[96];
	char				 lane[96];
	size_t				 i;
	int				 rc = 0;

	if (sp->nbackends == 0)
		return 0;
	p = json_pack("{s:s, s:o, s:o}", "event", status_kinds[kind],
	    "outage", status_outage_obj(o), "line",
	    status_str(line != NULL ? line : ""));
	payload = util_json_take(p);
	if (payload == NULL)
		return -1;
	for (i = 0; i < sp->nbackends && rc == 0; i++) {
		status_key(&sp->backends[i], key, sizeof(key));
		snprintf(kindbuf, sizeof(kindbuf), "sp.%s.%s", key,
		    status_kinds[kind]);
		snprintf(lane, sizeof(lane), "sp.%s:%lld", key, o->id);
		if (store_job_add(st, kindbuf, lane, o->id, payload,
		    now_ms) < 0)
			rc = -1;
	}
	free(payload);
	return rc;
}

int
status_event_parse(const char *payload, struct status_event *ev)
{
	json_t	*j = json_loads(payload, 0, NULL), *ev_name, *out, *line;
	size_t	 k;

	memset(ev, 0, sizeof(*ev));
	if (j == NULL)
		return -1;
	ev_name = json_object_get(j, "event");
	out = json_object_get(j, "outage");
	line = json_object_get(j, "line");
	if (!json_is_string(ev_name) || !json_is_string(line))
		goto bad;
	for (k = 0; k < sizeof(status_kinds) / sizeof(status_kinds[0]); k++)
		if (strcmp(status_kinds[k], json_string_value(ev_name)) == 0)
			break;
	if (k == sizeof(status_kinds) / sizeof(status_kinds[0]) ||
	    status_outage_from(out, &ev->outage) != 0)
		goto bad;
	ev->kind = (enum status_kind)k;
	ev->name = status_kinds[k];
	ev->outage_json = json_dumps(out, JSON_COMPACT);
	ev->line = xstrdup(json_string_value(line));
	json_decref(j);
	return 0;
bad:
	json_decref(j);
	memset(ev, 0, sizeof(*ev));
	return -1;
}

void
status_event_clear(struct status_event *ev)
{
	outage_clear(&ev->outage);
	free((char *)ev->outage_json);
	free((char *)ev->line);
	memset(ev, 0, sizeof(*ev));
}
