/*
 * store_audit.c — the audit log: one row per accepted command (who, at
 * which level, through which nick, where, what), read back newest first.
 * It owns table audit and its schema step. It records what the command
 * layer hands it and decides nothing about which commands are audited.
 * Queries go through store.c's runner (store_int.h); no SQLite here.
 */
#include <stdlib.h>

#include "store.h"
#include "store_int.h"

const struct store_step store_audit_steps[] = {
	/* 0 -> 1 (with sts): the audit log. */
	{ 1,
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY,"
	" at INTEGER NOT NULL,"
	" who TEXT NOT NULL,"
	" level TEXT NOT NULL,"
	" via TEXT,"
	" place TEXT,"
	" command TEXT NOT NULL,"
	" args TEXT);"
	"CREATE INDEX audit_at ON audit(at);" },
	{ 0, NULL },
};

/* Append one accepted command to the audit log. 0 or -1. */
int
store_audit_add(struct store *s, time_t at, const char *who,
    const char *level, const char *via, const char *place,
    const char *command, const char *args)
{
	return store_run(s, "add audit row", "INSERT INTO audit "
	    "(at, who, level, via, place, command, args) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)", "TSSssSs", at, who, level, via,
	    place, command, args);
}

/* Read one audit row (store_list). */
static void
store_audit_read(struct store_row *row, void *item)
{
	struct store_audit	*r = item;

	store_row_read(row, "ITssssss", &r->id, &r->at, &r->who, &r->level,
	    &r->via, &r->place, &r->command, &r->args);
}

/* Free audit rows (store_list). */
static void
store_audit_drop(void *rows, size_t n)
{
	store_audit_free(rows, n);
}

static const struct store_rows store_audit_rows = {
	sizeof (struct store_audit), store_audit_read, store_audit_drop
};

/* Newest audit rows first, at most limit (> 0); free with audit_free. */
int
store_audit_list(struct store *s, int limit, struct store_audit **rows,
    size_t *nrows)
{
	static const char	*op = "list audit rows";

	*rows = NULL;
	*nrows = 0;
	if (limit <= 0)
		return store_refuse(s, op, "bad limit %d", limit);
	return store_list(s, &store_audit_rows, (void **)rows, nrows, op,
	    "SELECT id, at, who, level, via, place, command, args "
	    "FROM audit ORDER BY id DESC LIMIT ?", "i", limit);
}

/* Free rows returned by store_audit_list; NULL is a no-op. */
void
store_audit_free(struct store_audit *rows, size_t n)
{
	size_t	i;

	if (rows == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(rows[i].who);
		free(rows[i].level);
		free(rows[i].via);
		free(rows[i].place);
		free(rows[i].command);
		free(rows[i].args);
	}
	free(rows);
}
