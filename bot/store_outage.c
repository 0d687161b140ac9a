/*
 * store_outage.c — outages and their timelines (DESIGN §5,
 * store_outage.h). It owns tables outages and outage_updates and their
 * schema step; it stores and finds rows, the rules are outage.c's.
 * Affected components are kept as one '\n'-joined text in the configured
 * spelling (a component name never holds a newline: the config refuses
 * control characters in names). Queries go through store.c's runner
 * (store_int.h); no SQLite here.
 */
#include <stdlib.h>
#include <string.h>

#include "outage.h"
#include "store_int.h"
#include "store_outage.h"
#include "util.h"

const struct store_step store_outage_steps[] = {
	/*
	 * 5 -> 6: outages. The partial index finds the open ones at once
	 * however long the history; opened_at serves stats windows.
	 */
	{ 6,
	"CREATE TABLE outages ("
	" id INTEGER PRIMARY KEY,"
	" title TEXT NOT NULL,"
	" severity INTEGER NOT NULL,"
	" state INTEGER NOT NULL,"
	" affected TEXT NOT NULL DEFAULT '',"
	" alternatives TEXT,"
	" eta INTEGER NOT NULL DEFAULT 0,"
	" cause TEXT,"
	" master TEXT,"
	" opened_by TEXT NOT NULL,"
	" opened_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" resolved_at INTEGER NOT NULL DEFAULT 0,"
	" from_alert INTEGER NOT NULL DEFAULT 0,"
	" issue_number INTEGER NOT NULL DEFAULT 0,"
	" issue_url TEXT,"
	" issue_node TEXT,"
	" reminded_stale INTEGER NOT NULL DEFAULT 0,"
	" reminded_eta INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX outages_open ON outages(id) WHERE state != 3;"
	"CREATE INDEX outages_opened ON outages(opened_at);"
	"CREATE TABLE outage_updates ("
	" id INTEGER PRIMARY KEY,"
	" outage_id INTEGER NOT NULL REFERENCES outages(id),"
	" at INTEGER NOT NULL,"
	" author TEXT NOT NULL,"
	" text TEXT NOT NULL,"
	" state INTEGER NOT NULL,"
	" state_changed INTEGER NOT NULL);"
	"CREATE INDEX outage_updates_outage ON outage_updates(outage_id, id);" },
	/*
	 * 6 -> 7: !outage stats reads the resolved outages of a window
	 * from this index alone (it holds every column the query reads),
	 * never from the table's rows.
	 */
	{ 7,
	"CREATE INDEX outages_stats ON outages(state, opened_at,"
	" resolved_at, affected);" },
	{ 0, NULL },
};

#define OUTAGE_COLUMNS	"id, title, severity, state, affected, " \
			"alternatives, eta, cause, master, opened_by, " \
			"opened_at, updated_at, resolved_at, from_alert, " \
			"issue_number, issue_url"

/* The affected names joined by '\n' (caller frees). */
static char *
store_outage_join(const struct outage *o)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < o->naffected; i++) {
		if (i > 0)
			buf_addc(&b, '\n');
		buf_addstr(&b, o->affected[i]);
	}
	return buf_steal(&b);
}

/* Split a '\n'-joined text into o's affected list. */
static void
store_outage_split(struct outage *o, const char *joined)
{
	const char	*p = joined, *nl;

	o->affected = NULL;
	o->naffected = 0;
	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		o->affected = xreallocarray(o->affected, o->naffected + 1,
		    sizeof(char *));
		o->affected[o->naffected++] = nl != NULL ?
		    xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		p = nl != NULL ? nl + 1 : NULL;
	}
}

/* Insert a new outage. */
long long
store_outage_add(struct store *s, const struct outage *o)
{
	char	*aff = store_outage_join(o);
	int	 rc;

	rc = store_run(s, "add outage", "INSERT INTO outages (title, "
	    "severity, state, affected, alternatives, eta, cause, master, "
	    "opened_by, opened_at, updated_at, from_alert) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "siissTsssTTI",
	    o->title, (int)o->severity, (int)o->state, aff, o->alternatives,
	    o->eta, o->cause, o->master, o->opened_by, o->opened_at,
	    o->updated_at, o->from_alert);
	free(aff);
	return rc == 0 ? store_last_id(s) : -1;
}

/* Write the fields of o. */
int
store_outage_save(struct store *s, const struct outage *o)
{
	char	*aff = store_outage_join(o);
	int	 rc;

	rc = store_run(s, "save outage", "UPDATE outages SET severity = ?, "
	    "state = ?, affected = ?, alternatives = ?, eta = ?, cause = ?, "
	    "master = ?, updated_at = ?, resolved_at = ? WHERE id = ?",
	    "iissTssTTI", (int)o->severity, (int)o->state, aff,
	    o->alternatives, o->eta, o->cause, o->master, o->updated_at,
	    o->resolved_at, o->id);
	free(aff);
	return rc;
}

/* Append a timeline entry. */
long long
store_outage_add_update(struct store *s, long long outage_id,
    const struct outage_update *u)
{
	if (store_run(s, "add outage update", "INSERT INTO outage_updates "
	    "(outage_id, at, author, text, state, state_changed) VALUES "
	    "(?, ?, ?, ?, ?, ?)", "ITssii", outage_id, u->at, u->author,
	    u->text, (int)u->state, u->state_changed) != 0)
		return -1;
	return store_last_id(s);
}

/* Record the GitHub issue of an outage. */
int
store_outage_set_issue(struct store *s, long long id, long long number,
    const char *url, const char *node_id)
{
	return store_run(s, "record outage issue", "UPDATE outages SET "
	    "issue_number = ?, issue_url = ?, issue_node = ? WHERE id = ?",
	    "IssI", number, url, node_id, id);
}

/* An outage's issue number and node id. */
int
store_outage_issue(struct store *s, long long id, long long *number,
    char **node_id)
{
	int	 rc;

	*number = 0;
	*node_id = NULL;
	rc = store_get(s, "read outage issue", "SELECT issue_number, "
	    "issue_node FROM outages WHERE id = ?", "I>Is", id, number,
	    node_id);
	if (rc == 1 && *number > 0)
		return 1;
	free(*node_id);
	*node_id = NULL;
	return rc < 0 ? -1 : 0;
}

/* When a reminder of kind was last said. */
int
store_outage_reminded(struct store *s, long long id, const char *kind,
    time_t *at)
{
	*at = 0;
	return store_get(s, "read outage reminder", strcmp(kind, "eta") == 0 ?
	    "SELECT reminded_eta FROM outages WHERE id = ?" :
	    "SELECT reminded_stale FROM outages WHERE id = ?", "I>T", id,
	    at) == 1 ? 0 : -1;
}

/* Record that a reminder of kind was said at. */
int
store_outage_set_reminded(struct store *s, long long id, const char *kind,
    time_t at)
{
	return store_run(s, "record outage reminder", strcmp(kind, "eta") == 0 ?
	    "UPDATE outages SET reminded_eta = ? WHERE id = ?" :
	    "UPDATE outages SET reminded_stale = ? WHERE id = ?", "TI", at, id);
}

/* Read one outages row (OUTAGE_COLUMNS order). */
static void
store_outage_read(struct store_row *row, void *item)
{
	struct outage	*o = item;
	char		*aff = NULL;
	int		 severity, state;

	store_row_read(row, "IsiissTsssTTTIIs", &o->id, &o->title, &severity,
	    &state, &aff, &o->alternatives, &o->eta, &o->cause, &o->master,
	    &o->opened_by, &o->opened_at, &o->updated_at, &o->resolved_at,
	    &o->from_alert, &o->issue_number, &o->issue_url);
	o->severity = (enum outage_severity)severity;
	o->state = (enum outage_state)state;
	store_outage_split(o, aff);
	free(aff);
}

/* Free n outages and the array. */
static void
store_outage_drop(void *rows, size_t n)
{
	struct outage	*os = rows;
	size_t		 i;

	for (i = 0; i < n; i++)
		outage_clear(&os[i]);
	free(os);
}

static const struct store_rows store_outage_rows = {
	sizeof(struct outage), store_outage_read, store_outage_drop
};

/* Read one outage_updates row. */
static void
store_update_read(struct store_row *row, void *item)
{
	struct outage_update	*u = item;
	int			 state;

	store_row_read(row, "ITssii", &u->id, &u->at, &u->author, &u->text,
	    &state, &u->state_changed);
	u->state = (enum outage_state)state;
}

/* Free n timeline entries and the array. */
static void
store_update_drop(void *rows, size_t n)
{
	struct outage_update	*us = rows;
	size_t			 i;

	for (i = 0; i < n; i++) {
		free(us[i].author);
		free(us[i].text);
	}
	free(us);
}

static const struct store_rows store_update_rows = {
	sizeof(struct outage_update), store_update_read, store_update_drop
};

/* One outage with its timeline. */
int
store_outage_get(struct store *s, long long id, struct outage *o)
{
	struct outage	*rows = NULL;
	size_t		 n = 0;
	void		*us = NULL;

	memset(o, 0, sizeof(*o));
	if (store_list(s, &store_outage_rows, (void **)&rows, &n,
	    "read outage", "SELECT " OUTAGE_COLUMNS " FROM outages "
	    "WHERE id = ?", "I", id) != 0)
		return -1;
	if (n == 0)
		return 1;
	*o = rows[0];
	free(rows);
	if (store_list(s, &store_update_rows, &us, &o->nupdates,
	    "read outage timeline", "SELECT id, at, author, text, state, "
	    "state_changed FROM outage_updates WHERE outage_id = ? "
	    "ORDER BY id", "I", id) != 0) {
		outage_clear(o);
		return -1;
	}
	o->updates = us;
	return 0;
}

/* Outages without timelines, newest first. */
int
store_outage_list(struct store *s, int open_only, int limit,
    struct outage **os, size_t *n)
{
	if (open_only)
		return store_list(s, &store_outage_rows, (void **)os, n,
		    "list open outages", "SELECT " OUTAGE_COLUMNS " FROM "
		    "outages WHERE state != 3 ORDER BY id DESC", "");
	return store_list(s, &store_outage_rows, (void **)os, n,
	    "list outages", "SELECT " OUTAGE_COLUMNS " FROM outages "
	    "ORDER BY id DESC LIMIT ?", "i", limit);
}

/* Read one (seconds, affected) row. */
static void
store_duration_read(struct store_row *row, void *item)
{
	struct store_duration	*d = item;

	store_row_read(row, "Is", &d->seconds, &d->affected);
	if (d->affected == NULL)
		d->affected = xstrdup("");
}

/* Free durations. */
void
store_outage_durations_free(struct store_duration *d, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(d[i].affected);
	free(d);
}

/* Free durations (store_rows form). */
static void
store_duration_drop(void *rows, size_t n)
{
	store_outage_durations_free(rows, n);
}

static const struct store_rows store_duration_rows = {
	sizeof(struct store_duration), store_duration_read,
	store_duration_drop
};

/*
 * Resolved outages opened since, in no particular order. The query is
 * served by the index outages_stats alone (it holds every column read),
 * and nothing sorts: a mean and a median need no order.
 */
int
store_outage_durations(struct store *s, time_t since,
    struct store_duration **d, size_t *n)
{
	return store_list(s, &store_duration_rows, (void **)d, n,
	    "read outage durations", "SELECT resolved_at - opened_at, "
	    "affected FROM outages WHERE state = 3 AND opened_at >= ?",
	    "T", since);
}
