/*
 * store_schema.c — opening the database and its schema: the list of every
 * table file's migration steps (store_int.h, struct store_step), the
 * schema version this binary migrates to, and the migration itself, by
 * PRAGMA user_version, one version per transaction. It refuses a database
 * newer than this binary before changing anything in the file.
 *
 * It owns no table and no query: the SQL of each step lives with the
 * queries of its table, in the store_*.c file that owns it. It lives apart
 * from store.c because it names every table file, while every table file
 * calls store.c: kept here, the names run one way.
 */
#include <stdio.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/*
 * Every table file's steps. Where several files have a piece of one
 * version, the pieces run in this order. A new table file adds its array
 * here and its declaration to store_int.h.
 */
static const struct store_step *const store_schemas[] = {
	store_audit_steps,	/* 1 */
	store_sts_steps,	/* 1 */
	store_meta_steps,	/* 2 */
	store_oncall_steps,	/* 3, 4 */
	store_outbox_steps,	/* 5 */
	store_outage_steps,	/* 6, 7 */
};

/* The version this binary migrates to: the highest of any step. */
int
store_schema_version(void)
{
	const struct store_step	*p;
	size_t			 i;
	int			 v = 0;

	for (i = 0; i < nitems(store_schemas); i++) {
		for (p = store_schemas[i]; p->sql != NULL; p++) {
			if (p->version > v)
				v = p->version;
		}
	}
	return v;
}

/* Run every piece of schema version v, in list order. 0 or -1. */
static int
store_migrate_pieces(struct store *s, int v, const char *op)
{
	const struct store_step	*p;
	size_t			 i;
	int			 n = 0;

	for (i = 0; i < nitems(store_schemas); i++) {
		for (p = store_schemas[i]; p->sql != NULL; p++) {
			if (p->version != v)
				continue;
			if (store_exec(s, p->sql, op) != 0)
				return -1;
			n++;
		}
	}
	if (n == 0) {
		log_error("store", "%s: %s: no step reaches version %d",
		    store_path(s), op, v);
		return -1;
	}
	return 0;
}

/* Apply migration step (from -> from+1) in one transaction. 0 or -1. */
static int
store_migrate_step(struct store *s, int from, char **cause)
{
	char	sql[64], op[64];
	int	now;

	snprintf(op, sizeof op, "migrate schema %d -> %d", from, from + 1);
	if (store_exec(s, "BEGIN IMMEDIATE", op) != 0)
		goto fail;
	/* Another process may have migrated while we waited for the lock. */
	if ((now = store_version(s)) < 0)
		goto fail;
	if (now != from) {
		store_abort(s);
		return 0;
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", from + 1);
	if (store_migrate_pieces(s, from + 1, op) != 0 ||
	    store_exec(s, sql, op) != 0 ||
	    store_exec(s, "COMMIT", op) != 0)
		goto fail;
	log_info("store", "%s: schema migrated to version %d", store_path(s),
	    from + 1);
	return 0;

fail:
	store_abort(s);
	*cause = xasprintf("cannot migrate database %s to schema version %d",
	    store_path(s), from + 1);
	return -1;
}

/* Read the schema version; -1 with *cause if newer than ours. */
static int
store_refuse_newer(struct store *s, char **cause)
{
	int	v, want = store_schema_version();

	if ((v = store_version(s)) < 0) {
		*cause = xasprintf("cannot read schema version of %s",
		    store_path(s));
		return -1;
	}
	if (v > want) {
		log_error("store", "%s: schema version %d is newer than this "
		    "outagebot (%d)", store_path(s), v, want);
		*cause = xasprintf("database schema version %d is newer than "
		    "this outagebot (%d)", v, want);
		return -1;
	}
	return v;
}

/* Migrate to store_schema_version(), refusing a newer database. */
static int
store_migrate(struct store *s, char **cause)
{
	int	v;

	for (;;) {
		if ((v = store_refuse_newer(s, cause)) < 0)
			return -1;
		if (v == store_schema_version())
			return 0;
		if (store_migrate_step(s, v, cause) != 0)
			return -1;
	}
}

/* Open, configure and migrate the database at path; NULL and *cause. */
struct store *
store_open(const char *path, char **cause)
{
	struct store	*s;

	if ((s = store_connect(path, cause)) == NULL)
		return NULL;
	/* Refuse a newer schema before changing anything in the file. */
	if (store_refuse_newer(s, cause) < 0 ||
	    store_use_wal(s, cause) != 0 ||
	    store_migrate(s, cause) != 0 ||
	    store_ready(s, cause) != 0) {
		store_close(s);
		return NULL;
	}
	return s;
}
