/*
 * store.c — the only file that talks to SQLite. It owns the connection,
 * the connection settings (WAL, foreign keys, busy timeout, synchronous),
 * the schema and its migrations, transactions, and the typed queries the
 * rest of the bot calls. It must not know about IRC, commands or HTTP, and
 * it never builds SQL out of values: every value is a bound parameter (the
 * only formatted SQL is a PRAGMA taking one of our own integers, since
 * PRAGMA cannot take parameters).
 *
 * Errors: each SQLite failure is logged here once, with the operation and
 * SQLite's message; callers get -1 (and a short *cause where the header
 * offers one) and must not log it again.
 *
 * Transactions are not nested. Any failed operation inside a transaction
 * dooms it: the transaction is rolled back at once, later operations are
 * refused, and store_commit returns -1. So a disk-full error half-way
 * through a state change can never be committed as half a change, even by
 * a caller that forgot to check a return value.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "util.h"

#define STORE_BUSY_MS	5000

#define STORE_CACHE	48	/* prepared statements kept for reuse */

/* A prepared statement kept for reuse. */
struct store_cached {
	sqlite3_stmt	*st;
	int		 busy;		/* handed out, not released yet */
};

struct store {
	sqlite3			*db;
	char			*path;
	int			 in_tx;	/* store_begin succeeded, no commit */
	int			 doomed; /* an operation in this tx failed */
	struct store_cached	 cache[STORE_CACHE];
	size_t			 ncache;
};

/*
 * Migrations: store_migrations[i] takes the schema from version i to i+1.
 * Append only; never edit a step that has shipped.
 */
static const char *const store_migrations[] = {
	/* 0 -> 1: audit log and STS policies. */
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY,"
	" at INTEGER NOT NULL,"
	" who TEXT NOT NULL,"
	" level TEXT NOT NULL,"
	" via TEXT,"
	" place TEXT,"
	" command TEXT NOT NULL,"
	" args TEXT);"
	"CREATE INDEX audit_at ON audit(at);"
	"CREATE TABLE sts ("
	" host TEXT PRIMARY KEY,"
	" port INTEGER NOT NULL,"
	" expires INTEGER NOT NULL);",

	/* 1 -> 2: small key/value facts about this instance. */
	"CREATE TABLE meta ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL);",

	/*
	 * 2 -> 3: on-call rotations. rotation holds who is on call by
	 * rotation and since when; overrides are never deleted, only
	 * cancelled, so the history stays; notices records the handoff
	 * announcements and reminders already made, so a restart neither
	 * repeats nor skips one.
	 */
	"CREATE TABLE rotation ("
	" role TEXT PRIMARY KEY,"
	" member TEXT NOT NULL,"
	" pos INTEGER NOT NULL,"
	" shift_start INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE TABLE overrides ("
	" id INTEGER PRIMARY KEY,"
	" role TEXT NOT NULL,"
	" person TEXT NOT NULL,"
	" start INTEGER NOT NULL,"
	" \"end\" INTEGER NOT NULL CHECK (\"end\" > start),"
	" created_at INTEGER NOT NULL,"
	" created_by TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" covers TEXT,"
	" cancelled_at INTEGER);"
	"CREATE INDEX overrides_role_end ON overrides(role, \"end\");"
	"CREATE TABLE notices ("
	" role TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" member TEXT NOT NULL,"
	" done_at INTEGER NOT NULL,"
	" PRIMARY KEY (role, kind, at));",

	/* 3 -> 4: overrides are looked up by the window they overlap. */
	"CREATE INDEX overrides_role_start ON overrides(role, start, id);",
};

/* Log the connection's current SQLite error for operation op. */
static void
store_log_sqlite(struct store *s, const char *op)
{
	const char	*msg, *code;

	msg = sqlite3_errmsg(s->db);
	code = sqlite3_errstr(sqlite3_extended_errcode(s->db));
	if (strcmp(msg, code) == 0)
		log_error("store", "%s: %s: %s", s->path, op, msg);
	else
		log_error("store", "%s: %s: %s (%s)", s->path, op, msg, code);
}

/* Roll back whatever SQLite still has open, without touching our flags. */
static void
store_abort_sqlite(struct store *s)
{
	char	*err = NULL;

	/* SQLite may already have rolled back by itself (SQLITE_FULL,
	 * SQLITE_IOERR, SQLITE_NOMEM do that); ROLLBACK would then fail. */
	if (sqlite3_get_autocommit(s->db))
		return;
	if (sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, &err) != SQLITE_OK) {
		log_error("store", "%s: rollback: %s", s->path,
		    err != NULL ? err : sqlite3_errmsg(s->db));
	}
	sqlite3_free(err);
}

/* Note a failed operation: inside a transaction, doom and roll it back. */
static void
store_failed(struct store *s)
{
	if (!s->in_tx)
		return;
	s->doomed = 1;
	store_abort_sqlite(s);
}

/* 0 if an operation may run now, -1 (logged) inside a doomed transaction. */
static int
store_usable(struct store *s, const char *op)
{
	if (s->in_tx && s->doomed) {
		log_error("store", "%s: %s refused: this transaction already "
		    "failed and was rolled back", s->path, op);
		return -1;
	}
	return 0;
}

/* Prepare sql for op; NULL (logged, transaction doomed) on failure. */
static sqlite3_stmt *
store_prepare(struct store *s, const char *sql, const char *op)
{
	sqlite3_stmt	*st = NULL;

	size_t		 i;

	if (store_usable(s, op) != 0)
		return NULL;
	/*
	 * Statements are kept by their SQL text: preparing costs more than
	 * most of the bot's queries do. (The text, not its address: a
	 * caller may build SQL in a buffer.)
	 */
	for (i = 0; i < s->ncache; i++) {
		if (!s->cache[i].busy &&
		    strcmp(sqlite3_sql(s->cache[i].st), sql) == 0) {
			s->cache[i].busy = 1;
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		store_log_sqlite(s, op);
		sqlite3_finalize(st);
		store_failed(s);
		return NULL;
	}
	if (s->ncache < STORE_CACHE) {
		s->cache[s->ncache].st = st;
		s->cache[s->ncache].busy = 1;
		s->ncache++;
	}
	return st;
}

/* Done with a statement from store_prepare: reset it for reuse. */
static void
store_release(struct store *s, sqlite3_stmt *st)
{
	size_t	i;

	for (i = 0; i < s->ncache; i++) {
		if (s->cache[i].st == st) {
			sqlite3_reset(st);
			s->cache[i].busy = 0;
			return;
		}
	}
	sqlite3_finalize(st);
}

/* Bind a C string or NULL to parameter i. */
static int
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Log and clean up after a failed bind. Always returns -1. */
static int
store_bind_failed(struct store *s, sqlite3_stmt *st, const char *op)
{
	store_log_sqlite(s, op);
	store_release(s, st);
	store_failed(s);
	return -1;
}

/* Step a statement that returns no rows, then finalize it. 0 or -1. */
static int
store_step_done(struct store *s, sqlite3_stmt *st, const char *op)
{
	int	rc;

	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		store_log_sqlite(s, op);
		store_release(s, st);
		store_failed(s);
		return -1;
	}
	store_release(s, st);
	return 0;
}

/*
 * Step a query that returns at most one row. 1: a row is ready (the
 * caller reads it and finalizes st); 0: no row; -1: error. On 0 and -1
 * st is finalized here.
 */
static int
store_step_row(struct store *s, sqlite3_stmt *st, const char *op)
{
	int	rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		store_log_sqlite(s, op);
	store_release(s, st);
	if (rc != SQLITE_DONE) {
		store_failed(s);
		return -1;
	}
	return 0;
}

/*
 * Step st to its end, reading each row with read into a growing array of
 * size-byte items. 0 with *rows (caller frees; NULL when none) and *n,
 * or -1 after freeing the rows read so far with drop. st is released.
 */
static int
store_collect(struct store *s, sqlite3_stmt *st, const char *op,
    size_t size, void (*read)(sqlite3_stmt *, void *),
    void (*drop)(void *, size_t), void **rows, size_t *n)
{
	char	*v = NULL;
	size_t	 nv = 0, cap = 0;
	int	 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nv == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = xreallocarray(v, cap, size);
		}
		memset(v + nv * size, 0, size);
		read(st, v + nv * size);
		nv++;
	}
	if (rc != SQLITE_DONE) {
		store_log_sqlite(s, op);
		store_release(s, st);
		drop(v, nv);
		store_failed(s);
		return -1;
	}
	store_release(s, st);
	*rows = v;
	*n = nv;
	return 0;
}

/* A copy of a text column, or NULL for SQL NULL; caller frees. */
static char *
store_column_text(sqlite3_stmt *st, int i)
{
	const unsigned char	*v;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	v = sqlite3_column_text(st, i);
	if (v == NULL)
		return NULL;
	return xstrdup((const char *)v);
}

/* Run one PRAGMA (or other one-row query) and read column 0 as an integer. */
static int
store_query_int(struct store *s, const char *sql, const char *op,
    long long *value)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_prepare(s, sql, op)) == NULL)
		return -1;
	rc = store_step_row(s, st, op);
	if (rc != 1) {
		if (rc == 0) {
			log_error("store", "%s: %s: no result", s->path, op);
			store_failed(s);
		}
		return -1;
	}
	*value = sqlite3_column_int64(st, 0);
	store_release(s, st);
	return 0;
}

/* Run SQL without parameters or results (settings, schema steps). */
static int
store_exec(struct store *s, const char *sql, const char *op)
{
	char	*err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("store", "%s: %s: %s", s->path, op,
		    err != NULL ? err : sqlite3_errmsg(s->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* The version this binary migrates to. */
int
store_schema_version(void)
{
	return (int)nitems(store_migrations);
}

/* The database's PRAGMA user_version, or -1. */
int
store_version(struct store *s)
{
	long long	v;

	if (store_query_int(s, "PRAGMA user_version", "read user_version",
	    &v) != 0)
		return -1;
	return (int)v;
}

/* Apply migration step (from -> from+1) in one transaction. 0 or -1. */
static int
store_migrate_step(struct store *s, int from, char **cause)
{
	char		 sql[64], op[64];
	long long	 now;

	snprintf(op, sizeof op, "migrate schema %d -> %d", from, from + 1);
	if (store_exec(s, "BEGIN IMMEDIATE", op) != 0)
		goto fail;
	/* Another process may have migrated while we waited for the lock. */
	if (store_query_int(s, "PRAGMA user_version", op, &now) != 0)
		goto fail;
	if (now != from) {
		store_abort_sqlite(s);
		return 0;
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", from + 1);
	if (store_exec(s, store_migrations[from], op) != 0 ||
	    store_exec(s, sql, op) != 0 ||
	    store_exec(s, "COMMIT", op) != 0)
		goto fail;
	log_info("store", "%s: schema migrated to version %d", s->path,
	    from + 1);
	return 0;

fail:
	store_abort_sqlite(s);
	*cause = xasprintf("cannot migrate database %s to schema version %d",
	    s->path, from + 1);
	return -1;
}

/* Read the schema version; -1 with *cause if newer than ours. */
static int
store_refuse_newer(struct store *s, char **cause)
{
	int	v, want = store_schema_version();

	if ((v = store_version(s)) < 0) {
		*cause = xasprintf("cannot read schema version of %s",
		    s->path);
		return -1;
	}
	if (v > want) {
		log_error("store", "%s: schema version %d is newer than this "
		    "outagebot (%d)", s->path, v, want);
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

/* Put the connection in WAL mode and check that it took. */
static int
store_set_wal(struct store *s, char **cause)
{
	sqlite3_stmt	*st;
	const char	*mode;
	int		 ok;

	st = store_prepare(s, "PRAGMA journal_mode = WAL", "set journal_mode");
	if (st == NULL)
		goto fail;
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_log_sqlite(s, "set journal_mode");
		store_release(s, st);
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	ok = mode != NULL && (strcasecmp(mode, "wal") == 0 ||
	    (strcmp(s->path, ":memory:") == 0 &&
	    strcasecmp(mode, "memory") == 0));
	if (!ok) {
		log_error("store", "%s: journal_mode is %s, not wal", s->path,
		    mode != NULL ? mode : "(none)");
		store_release(s, st);
		*cause = xasprintf("cannot put database %s in WAL mode",
		    s->path);
		return -1;
	}
	store_release(s, st);
	return 0;

fail:
	*cause = xasprintf("cannot set up database %s", s->path);
	return -1;
}

/* Apply the per-connection settings and check foreign keys are on. */
static int
store_settings(struct store *s, char **cause)
{
	long long	fk;

	if (sqlite3_busy_timeout(s->db, STORE_BUSY_MS) != SQLITE_OK) {
		store_log_sqlite(s, "set busy timeout");
		goto fail;
	}
	if (store_exec(s, "PRAGMA foreign_keys = ON", "set foreign_keys") != 0)
		goto fail;
	if (store_query_int(s, "PRAGMA foreign_keys", "read foreign_keys",
	    &fk) != 0)
		goto fail;
	if (fk != 1) {
		log_error("store", "%s: foreign_keys stays off", s->path);
		goto fail;
	}
	return 0;

fail:
	*cause = xasprintf("cannot set up database %s", s->path);
	return -1;
}

/*
 * Read the header so a file that is not a database is named as such
 * before we try to change it. 0 or -1 with *cause.
 */
static int
store_probe(struct store *s, char **cause)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema",
	    -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sqlite3_finalize(st);
		return 0;
	}
	store_log_sqlite(s, "read database header");
	rc = sqlite3_errcode(s->db);
	sqlite3_finalize(st);
	if (rc == SQLITE_NOTADB)
		*cause = xasprintf("%s is not an SQLite database", s->path);
	else if (rc == SQLITE_CORRUPT)
		*cause = xasprintf("database %s is corrupt", s->path);
	else
		*cause = xasprintf("cannot read database %s: %s", s->path,
		    sqlite3_errstr(rc));
	return -1;
}

/* Open, configure and migrate the database at path; NULL and *cause. */
struct store *
store_open(const char *path, char **cause)
{
	struct store	*s;
	int		 rc;

	*cause = NULL;
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	rc = sqlite3_open_v2(path, &s->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		if (s->db != NULL) {
			store_log_sqlite(s, "open");
			*cause = xasprintf("cannot open database %s: %s", path,
			    sqlite3_errmsg(s->db));
		} else {
			log_error("store", "%s: open: %s", path,
			    sqlite3_errstr(rc));
			*cause = xasprintf("cannot open database %s: %s", path,
			    sqlite3_errstr(rc));
		}
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);

	if (store_settings(s, cause) != 0 ||
	    store_probe(s, cause) != 0)
		goto fail;

	/* Refuse a newer schema before changing anything in the file. */
	if (store_refuse_newer(s, cause) < 0)
		goto fail;
	if (store_set_wal(s, cause) != 0)
		goto fail;
	/*
	 * Checkpoints fsync; the bot runs them from an idle timer
	 * (store_checkpoint) instead of inside whichever commit happens
	 * to cross the automatic threshold.
	 */
	if (store_exec(s, "PRAGMA synchronous = NORMAL",
	    "set synchronous") != 0 ||
	    store_exec(s, "PRAGMA wal_autocheckpoint = 0",
	    "set wal_autocheckpoint") != 0) {
		*cause = xasprintf("cannot set up database %s", path);
		goto fail;
	}
	if (store_migrate(s, cause) != 0)
		goto fail;
	return s;

fail:
	store_close(s);
	return NULL;
}

/* Close the database, rolling back an unfinished transaction. */
void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->db != NULL) {
		if (s->in_tx) {
			log_warn("store", "%s: closing inside a transaction; "
			    "rolled back", s->path);
			store_abort_sqlite(s);
		}
		while (s->ncache > 0)
			sqlite3_finalize(s->cache[--s->ncache].st);
		if (sqlite3_close_v2(s->db) != SQLITE_OK)
			store_log_sqlite(s, "close");
	}
	free(s->path);
	free(s);
}

/* Start a write transaction (BEGIN IMMEDIATE). 0 or -1. */
int
store_begin(struct store *s)
{
	if (s->in_tx) {
		log_error("store", "%s: begin: already in a transaction "
		    "(transactions do not nest)", s->path);
		return -1;
	}
	if (store_exec(s, "BEGIN IMMEDIATE", "begin") != 0)
		return -1;
	s->in_tx = 1;
	s->doomed = 0;
	return 0;
}

/* Commit the open transaction; on any failure it is rolled back. */
int
store_commit(struct store *s)
{
	if (!s->in_tx) {
		log_error("store", "%s: commit: no transaction", s->path);
		return -1;
	}
	if (s->doomed) {
		log_error("store", "%s: commit refused: an operation in this "
		    "transaction failed; it was rolled back", s->path);
		s->in_tx = s->doomed = 0;
		return -1;
	}
	if (store_exec(s, "COMMIT", "commit") != 0) {
		store_abort_sqlite(s);
		s->in_tx = 0;
		return -1;
	}
	s->in_tx = 0;
	return 0;
}

/* Roll back the open transaction (a doomed one already is). */
void
store_rollback(struct store *s)
{
	if (!s->in_tx) {
		log_warn("store", "%s: rollback: no transaction", s->path);
		return;
	}
	store_abort_sqlite(s);
	s->in_tx = s->doomed = 0;
}

/* Run fn in one transaction: commit if it returns 0, else roll back. */
int
store_tx(struct store *s, int (*fn)(struct store *, void *), void *arg)
{
	if (store_begin(s) != 0)
		return -1;
	if (fn(s, arg) != 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s);
}

/* Append one accepted command to the audit log. 0 or -1. */
int
store_audit_add(struct store *s, time_t at, const char *who,
    const char *level, const char *via, const char *place,
    const char *command, const char *args)
{
	static const char	*op = "add audit row";
	sqlite3_stmt		*st;

	if (who == NULL || level == NULL || command == NULL) {
		log_error("store", "%s: %s: who, level and command are "
		    "required", s->path, op);
		store_failed(s);
		return -1;
	}
	st = store_prepare(s, "INSERT INTO audit "
	    "(at, who, level, via, place, command, args) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)", op);
	if (st == NULL)
		return -1;
	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)at) != SQLITE_OK ||
	    store_bind_text(st, 2, who) != SQLITE_OK ||
	    store_bind_text(st, 3, level) != SQLITE_OK ||
	    store_bind_text(st, 4, via) != SQLITE_OK ||
	    store_bind_text(st, 5, place) != SQLITE_OK ||
	    store_bind_text(st, 6, command) != SQLITE_OK ||
	    store_bind_text(st, 7, args) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	return store_step_done(s, st, op);
}

/* Read one audit row (store_collect). */
static void
store_audit_read(sqlite3_stmt *st, void *item)
{
	struct store_audit	*r = item;

	r->id = sqlite3_column_int64(st, 0);
	r->at = (time_t)sqlite3_column_int64(st, 1);
	r->who = store_column_text(st, 2);
	r->level = store_column_text(st, 3);
	r->via = store_column_text(st, 4);
	r->place = store_column_text(st, 5);
	r->command = store_column_text(st, 6);
	r->args = store_column_text(st, 7);
}

/* Free audit rows read so far (store_collect). */
static void
store_audit_drop(void *rows, size_t n)
{
	store_audit_free(rows, n);
}

/* Newest audit rows first, at most limit (> 0); free with audit_free. */
int
store_audit_list(struct store *s, int limit, struct store_audit **rows,
    size_t *nrows)
{
	static const char	*op = "list audit rows";
	sqlite3_stmt		*st;

	*rows = NULL;
	*nrows = 0;
	if (limit <= 0) {
		log_error("store", "%s: %s: bad limit %d", s->path, op, limit);
		return -1;
	}
	st = store_prepare(s, "SELECT id, at, who, level, via, place, "
	    "command, args FROM audit ORDER BY id DESC LIMIT ?", op);
	if (st == NULL)
		return -1;
	if (sqlite3_bind_int(st, 1, limit) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	return store_collect(s, st, op, sizeof **rows, store_audit_read,
	    store_audit_drop, (void **)rows, nrows);
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

/* The STS policy for host if one is valid at now: 1, 0 for none, -1. */
int
store_sts_get(struct store *s, const char *host, time_t now, int *port,
    time_t *expires)
{
	static const char	*op = "read sts policy";
	sqlite3_stmt		*st;
	int			 rc;

	st = store_prepare(s, "SELECT port, expires FROM sts "
	    "WHERE host = ? AND expires > ?", op);
	if (st == NULL)
		return -1;
	if (store_bind_text(st, 1, host) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)now) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	if ((rc = store_step_row(s, st, op)) != 1)
		return rc;
	*port = sqlite3_column_int(st, 0);
	*expires = (time_t)sqlite3_column_int64(st, 1);
	store_release(s, st);
	return 1;
}

/* Store host's STS policy; an expiry not after now removes it. 0 or -1. */
int
store_sts_set(struct store *s, const char *host, int port, time_t expires)
{
	static const char	*op = "write sts policy";
	sqlite3_stmt		*st;

	if (host == NULL || *host == '\0' || port < 1 || port > 65535) {
		log_error("store", "%s: %s: bad host or port %d", s->path, op,
		    port);
		store_failed(s);
		return -1;
	}
	if (expires <= time(NULL)) {
		st = store_prepare(s, "DELETE FROM sts WHERE host = ?", op);
		if (st == NULL)
			return -1;
		if (store_bind_text(st, 1, host) != SQLITE_OK)
			return store_bind_failed(s, st, op);
		return store_step_done(s, st, op);
	}
	st = store_prepare(s, "INSERT INTO sts (host, port, expires) "
	    "VALUES (?, ?, ?) ON CONFLICT (host) DO UPDATE SET "
	    "port = excluded.port, expires = excluded.expires", op);
	if (st == NULL)
		return -1;
	if (store_bind_text(st, 1, host) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, port) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)expires) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	return store_step_done(s, st, op);
}

/* Read meta key: 1 and *value (caller frees), 0 and NULL if absent, -1. */
int
store_meta_get(struct store *s, const char *key, char **value)
{
	static const char	*op = "read meta";
	sqlite3_stmt		*st;
	int			 rc;

	*value = NULL;
	st = store_prepare(s, "SELECT value FROM meta WHERE key = ?", op);
	if (st == NULL)
		return -1;
	if (store_bind_text(st, 1, key) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	if ((rc = store_step_row(s, st, op)) != 1)
		return rc;
	*value = store_column_text(st, 0);
	store_release(s, st);
	return *value != NULL ? 1 : 0;
}

/* Insert or overwrite meta key. 0 or -1. */
int
store_meta_set(struct store *s, const char *key, const char *value)
{
	static const char	*op = "write meta";
	sqlite3_stmt		*st;

	if (key == NULL || value == NULL) {
		log_error("store", "%s: %s: key and value are required",
		    s->path, op);
		store_failed(s);
		return -1;
	}
	st = store_prepare(s, "INSERT INTO meta (key, value) VALUES (?, ?) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", op);
	if (st == NULL)
		return -1;
	if (store_bind_text(st, 1, key) != SQLITE_OK ||
	    store_bind_text(st, 2, value) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	return store_step_done(s, st, op);
}

/* Log that op lacks a required argument and fail it. Always -1. */
static int
store_missing(struct store *s, const char *op, const char *what)
{
	log_error("store", "%s: %s: %s required", s->path, op, what);
	store_failed(s);
	return -1;
}

/* Read the role's rotation state: 1 (*member: caller frees), 0, -1. */
int
store_rotation_get(struct store *s, const char *role, char **member,
    int *pos, time_t *shift_start)
{
	static const char	*op = "read rotation";
	sqlite3_stmt		*st;
	int			 rc;

	*member = NULL;
	if (role == NULL)
		return store_missing(s, op, "a role is");
	st = store_prepare(s, "SELECT member, pos, shift_start FROM rotation "
	    "WHERE role = ?", op);
	if (st == NULL)
		return -1;
	if (store_bind_text(st, 1, role) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	if ((rc = store_step_row(s, st, op)) != 1)
		return rc;
	*member = store_column_text(st, 0);
	*pos = sqlite3_column_int(st, 1);
	*shift_start = (time_t)sqlite3_column_int64(st, 2);
	store_release(s, st);
	if (*member == NULL) {
		log_error("store", "%s: %s: no member for %s", s->path, op,
		    role);
		return -1;
	}
	return 1;
}

/* Insert or overwrite the role's rotation state. 0 or -1. */
int
store_rotation_set(struct store *s, const char *role, const char *member,
    int pos, time_t shift_start, time_t now)
{
	static const char	*op = "write rotation";
	sqlite3_stmt		*st;

	if (role == NULL || member == NULL)
		return store_missing(s, op, "role and member are");
	st = store_prepare(s, "INSERT INTO rotation "
	    "(role, member, pos, shift_start, updated_at) "
	    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (role) DO UPDATE SET "
	    "member = excluded.member, pos = excluded.pos, "
	    "shift_start = excluded.shift_start, "
	    "updated_at = excluded.updated_at", op);
	if (st == NULL)
		return -1;
	if (store_bind_text(st, 1, role) != SQLITE_OK ||
	    store_bind_text(st, 2, member) != SQLITE_OK ||
	    sqlite3_bind_int(st, 3, pos) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)shift_start) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, (sqlite3_int64)now) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	return store_step_done(s, st, op);
}

/* Add an override row; its new id, or -1 (also when end <= start). */
long long
store_override_add(struct store *s, const char *role, const char *person,
    time_t start, time_t end, time_t created_at, const char *created_by,
    const char *kind, const char *covers)
{
	static const char	*op = "add override";
	sqlite3_stmt		*st;

	if (role == NULL || person == NULL || created_by == NULL ||
	    kind == NULL)
		return store_missing(s, op, "role, person, created_by and "
		    "kind are");
	/* end > start is left to the table's CHECK, the one rule keeper;
	 * the length bound keeps store_override_list's window scan exact. */
	if ((long long)end - (long long)start > STORE_OVERRIDE_MAX_S) {
		log_error("store", "%s: %s: longer than 366 days", s->path,
		    op);
		store_failed(s);
		return -1;
	}
	st = store_prepare(s, "INSERT INTO overrides (role, person, start, "
	    "\"end\", created_at, created_by, kind, covers) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", op);
	if (st == NULL)
		return -1;
	if (store_bind_text(st, 1, role) != SQLITE_OK ||
	    store_bind_text(st, 2, person) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)start) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)end) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, (sqlite3_int64)created_at) !=
	    SQLITE_OK ||
	    store_bind_text(st, 6, created_by) != SQLITE_OK ||
	    store_bind_text(st, 7, kind) != SQLITE_OK ||
	    store_bind_text(st, 8, covers) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	if (store_step_done(s, st, op) != 0)
		return -1;
	return (long long)sqlite3_last_insert_rowid(s->db);
}

/* Cancel active override id: 1 (*role: caller frees), 0 none, -1. */
int
store_override_cancel(struct store *s, long long id, time_t now,
    char **role)
{
	static const char	*op = "cancel override";
	sqlite3_stmt		*st;
	int			 rc;

	*role = NULL;
	st = store_prepare(s, "UPDATE overrides SET cancelled_at = ? "
	    "WHERE id = ? AND cancelled_at IS NULL RETURNING role", op);
	if (st == NULL)
		return -1;
	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)now) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)id) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	if ((rc = store_step_row(s, st, op)) != 1)
		return rc;
	*role = store_column_text(st, 0);
	/* id is the primary key: one row at most; finish the statement. */
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		store_log_sqlite(s, op);
		store_release(s, st);
		free(*role);
		*role = NULL;
		store_failed(s);
		return -1;
	}
	store_release(s, st);
	return 1;
}

/* The override columns every query below selects, in this order. */
#define STORE_OVERRIDE_COLS \
	"id, role, person, start, \"end\", created_at, created_by, kind, " \
	"covers"

/* Fill r from the current row of a STORE_OVERRIDE_COLS query. */
static void
store_override_read(sqlite3_stmt *st, struct store_override *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->role = store_column_text(st, 1);
	r->person = store_column_text(st, 2);
	r->start = (time_t)sqlite3_column_int64(st, 3);
	r->end = (time_t)sqlite3_column_int64(st, 4);
	r->created_at = (time_t)sqlite3_column_int64(st, 5);
	r->created_by = store_column_text(st, 6);
	r->kind = store_column_text(st, 7);
	r->covers = store_column_text(st, 8);
}

/* Read one override row (store_collect). */
static void
store_override_item(sqlite3_stmt *st, void *item)
{
	store_override_read(st, item);
}

/* Free override rows read so far (store_collect). */
static void
store_override_drop(void *rows, size_t n)
{
	store_override_free(rows, n);
}

/*
 * Active overrides of role (NULL: all) overlapping [from, until), at most
 * limit of them. No override is longer than STORE_OVERRIDE_MAX_S, so the
 * (role, start) index bounds the scan on both sides. 0/-1.
 */
int
store_override_list(struct store *s, const char *role, time_t from,
    time_t until, int limit, struct store_override **rows, size_t *n)
{
	static const char	*op = "list overrides";
	sqlite3_stmt		*st;

	*rows = NULL;
	*n = 0;
	/* Two texts rather than "role = ? OR ? IS NULL", so that the
	 * (role, start) index serves the per-role query. */
	if (role != NULL)
		st = store_prepare(s, "SELECT " STORE_OVERRIDE_COLS
		    " FROM overrides WHERE role = ? AND start > ?"
		    " AND start < ? AND \"end\" > ? AND cancelled_at IS NULL"
		    " ORDER BY start, id LIMIT ?", op);
	else
		st = store_prepare(s, "SELECT " STORE_OVERRIDE_COLS
		    " FROM overrides WHERE ? IS NULL AND start > ?"
		    " AND start < ? AND \"end\" > ? AND cancelled_at IS NULL"
		    " ORDER BY start, id LIMIT ?", op);
	if (st == NULL)
		return -1;
	if (store_bind_text(st, 1, role) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)from -
	    STORE_OVERRIDE_MAX_S - 1) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, until != 0 ? (sqlite3_int64)until :
	    INT64_MAX) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)from) != SQLITE_OK ||
	    sqlite3_bind_int(st, 5, limit > 0 ? limit : -1) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	return store_collect(s, st, op, sizeof **rows, store_override_item,
	    store_override_drop, (void **)rows, n);
}

/* Free the strings of one override row and zero it; NULL is a no-op. */
void
store_override_clear(struct store_override *r)
{
	if (r == NULL)
		return;
	free(r->role);
	free(r->person);
	free(r->created_by);
	free(r->kind);
	free(r->covers);
	memset(r, 0, sizeof *r);
}

/* Free rows from store_override_list; NULL is a no-op. */
void
store_override_free(struct store_override *rows, size_t n)
{
	size_t	i;

	if (rows == NULL)
		return;
	for (i = 0; i < n; i++)
		store_override_clear(&rows[i]);
	free(rows);
}

/* The active override id into *out: 1, 0 if none, -1. */
int
store_override_get(struct store *s, long long id, struct store_override *out)
{
	static const char	*op = "read override";
	sqlite3_stmt		*st;
	int			 rc;

	memset(out, 0, sizeof *out);
	st = store_prepare(s, "SELECT " STORE_OVERRIDE_COLS " FROM overrides "
	    "WHERE id = ? AND cancelled_at IS NULL", op);
	if (st == NULL)
		return -1;
	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)id) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	if ((rc = store_step_row(s, st, op)) != 1)
		return rc;
	store_override_read(st, out);
	store_release(s, st);
	return 1;
}

/* 1 if the notice (role, kind, at) was recorded, 0 if not, -1. */
int
store_notice_done(struct store *s, const char *role, const char *kind,
    time_t at)
{
	static const char	*op = "read notice";
	sqlite3_stmt		*st;
	int			 rc;

	if (role == NULL || kind == NULL)
		return store_missing(s, op, "role and kind are");
	st = store_prepare(s, "SELECT 1 FROM notices "
	    "WHERE role = ? AND kind = ? AND at = ?", op);
	if (st == NULL)
		return -1;
	if (store_bind_text(st, 1, role) != SQLITE_OK ||
	    store_bind_text(st, 2, kind) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)at) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	if ((rc = store_step_row(s, st, op)) != 1)
		return rc;
	store_release(s, st);
	return 1;
}

/* Record the notice (role, kind, at); a repeat keeps the first. 0/-1. */
int
store_notice_mark(struct store *s, const char *role, const char *kind,
    time_t at, const char *member, time_t now)
{
	static const char	*op = "write notice";
	sqlite3_stmt		*st;

	if (role == NULL || kind == NULL || member == NULL)
		return store_missing(s, op, "role, kind and member are");
	st = store_prepare(s, "INSERT INTO notices "
	    "(role, kind, at, member, done_at) VALUES (?, ?, ?, ?, ?) "
	    "ON CONFLICT (role, kind, at) DO NOTHING", op);
	if (st == NULL)
		return -1;
	if (store_bind_text(st, 1, role) != SQLITE_OK ||
	    store_bind_text(st, 2, kind) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)at) != SQLITE_OK ||
	    store_bind_text(st, 4, member) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, (sqlite3_int64)now) != SQLITE_OK)
		return store_bind_failed(s, st, op);
	return store_step_done(s, st, op);
}

/* 1 if a and b name the same existing file. */
static int
store_same_file(const char *a, const char *b)
{
	struct stat	sa, sb;

	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * Copy the live database to dest with the online backup API. The copy is
 * written next to dest and renamed over it only when complete, so a failed
 * backup never leaves a half-written file under dest's name.
 */
int
store_backup(struct store *s, const char *dest, char **cause)
{
	sqlite3		*d = NULL;
	sqlite3_backup	*b;
	char		*tmp;
	int		 rc;

	*cause = NULL;
	if (store_same_file(s->path, dest)) {
		log_error("store", "%s: backup: destination is the database "
		    "itself", s->path);
		*cause = xasprintf("backup destination %s is the live "
		    "database", dest);
		return -1;
	}
	tmp = xasprintf("%s.tmp.%ld", dest, (long)getpid());
	(void)unlink(tmp);
	rc = sqlite3_open_v2(tmp, &d,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		log_error("store", "%s: backup: open %s: %s", s->path, tmp,
		    d != NULL ? sqlite3_errmsg(d) : sqlite3_errstr(rc));
		*cause = xasprintf("cannot create backup %s: %s", dest,
		    d != NULL ? sqlite3_errmsg(d) : sqlite3_errstr(rc));
		goto fail;
	}
	b = sqlite3_backup_init(d, "main", s->db, "main");
	if (b == NULL) {
		log_error("store", "%s: backup: %s", s->path,
		    sqlite3_errmsg(d));
		*cause = xasprintf("cannot back up to %s: %s", dest,
		    sqlite3_errmsg(d));
		goto fail;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		log_error("store", "%s: backup to %s: %s", s->path, dest,
		    sqlite3_errstr(rc));
		*cause = xasprintf("backup to %s failed: %s", dest,
		    sqlite3_errstr(rc));
		goto fail;
	}
	rc = sqlite3_close(d);
	d = NULL;
	if (rc != SQLITE_OK) {
		log_error("store", "%s: backup: close %s: %s", s->path, tmp,
		    sqlite3_errstr(rc));
		*cause = xasprintf("backup to %s failed: %s", dest,
		    sqlite3_errstr(rc));
		goto fail;
	}
	if (rename(tmp, dest) != 0) {
		log_error("store", "%s: backup: rename %s to %s: %s", s->path,
		    tmp, dest, strerror(errno));
		*cause = xasprintf("cannot write backup %s: %s", dest,
		    strerror(errno));
		goto fail;
	}
	log_info("store", "%s: backed up to %s", s->path, dest);
	free(tmp);
	return 0;

fail:
	if (d != NULL)
		sqlite3_close(d);
	(void)unlink(tmp);
	free(tmp);
	return -1;
}

/* Test hook: cap the database at pages pages; the cap in force, or -1. */
int
store_test_limit_pages(struct store *s, int pages)
{
	char		sql[64];
	long long	v;

	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %d", pages);
	if (store_query_int(s, sql, "set max_page_count", &v) != 0)
		return -1;
	return (int)v;
}

/* Test hook: read one allow-listed integer pragma of this connection. */
int
store_test_pragma(struct store *s, const char *name, long long *value)
{
	static const char *const allowed[] = {
		"foreign_keys", "busy_timeout", "synchronous", "user_version",
		"page_count",
	};
	char	sql[64];
	size_t	i;

	for (i = 0; i < nitems(allowed); i++) {
		if (strcmp(name, allowed[i]) == 0)
			break;
	}
	if (i == nitems(allowed)) {
		log_error("store", "%s: pragma %s is not readable here",
		    s->path, name);
		return -1;
	}
	snprintf(sql, sizeof sql, "PRAGMA %s", allowed[i]);
	return store_query_int(s, sql, "read pragma", value);
}

/* Copy the WAL back into the database file if nobody is reading. */
int
store_checkpoint(struct store *s)
{
	int	rc, logged = 0, done = 0;

	if (s->in_tx)
		return 0;
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    &logged, &done);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
		log_error("store", "%s: checkpoint: %s", s->path,
		    sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}
