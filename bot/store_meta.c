/*
 * store_meta.c — a small key/value table of facts about this instance
 * (the kind of thing an outbox marker or an upgrade note needs). It owns
 * table meta and its schema step, and gives no meaning to any key. Queries
 * go through store.c's runner (store_int.h); no SQLite here.
 */
#include "store.h"
#include "store_int.h"

const struct store_step store_meta_steps[] = {
	/* 1 -> 2: small key/value facts about this instance. */
	{ 2,
	"CREATE TABLE meta ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL);" },
	{ 0, NULL },
};

/* Read meta key: 1 and *value (caller frees), 0 and NULL if absent, -1. */
int
store_meta_get(struct store *s, const char *key, char **value)
{
	*value = NULL;
	return store_get(s, "read meta", "SELECT value FROM meta "
	    "WHERE key = ?", "s>s", key, value);
}

/* Insert or overwrite meta key. 0 or -1. */
int
store_meta_set(struct store *s, const char *key, const char *value)
{
	return store_run(s, "write meta", "INSERT INTO meta (key, value) "
	    "VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
	    "value = excluded.value", "SS", key, value);
}
