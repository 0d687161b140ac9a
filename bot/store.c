/*
 * store.c — the only file that talks to SQLite. It owns the connection
 * and its settings (foreign keys, busy timeout, WAL, synchronous), the
 * statement cache, the query runner every query goes through, failure
 * handling, transactions, the WAL checkpoint, online backup and the test
 * hooks. It owns no table: each table lives in the store_*.c file of the
 * module it serves (store_audit.c, store_meta.c, store_oncall.c,
 * store_sts.c), with its schema steps; store_schema.c opens the database
 * and runs the migrations. It must not know about IRC, commands or HTTP.
 *
 * How every query is written: one call to store_run (no rows), store_get
 * (at most one row) or store_list (any number of rows), with the SQL text
 * and a format string whose letters bind the values and read the columns
 * (store_int.h lists the letters and shows an example). Prepare (from the
 * cache), bind, step, read, reset and the error path are written once,
 * below, in store_q_open, store_q_step, store_q_read and store_q_close.
 * No value is ever spliced into SQL: every value is a bound parameter (the
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
 *
 * The bot runs every query on its one event loop, so a query must never
 * wait long (DESIGN §2): the busy timeout is short (STORE_BUSY_MS) and the
 * checkpoint is PASSIVE.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/*
 * How long a statement waits for another connection's lock (an `outagebot
 * oncall` or `backup` run beside the bot, an operator's sqlite3 shell)
 * before it fails with SQLITE_BUSY. The loop is blocked while it waits:
 * PINGs go unanswered, replies and timers wait. 250 ms rides out the
 * few-millisecond write transactions of the bot's own tools, yet keeps the
 * loop far from stalling the keepalive even when one command makes several
 * writes (a transaction that failed once refuses the rest at once). A
 * write that fails returns -1, which every caller handles already.
 */
#define STORE_BUSY_MS		250
/*
 * Opening happens once, before the loop runs, and a migration may wait for
 * another process's: there the old, longer timeout stays.
 */
#define STORE_BUSY_OPEN_MS	5000

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
 * A statement being run for op: prepared, bound, stepped, released. A
 * failure anywhere sets failed (logged where it was found); store_q_close
 * then dooms the transaction.
 */
struct store_row {
	struct store	*s;
	sqlite3_stmt	*st;
	const char	*op;
	int		 failed;
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
void
store_abort(struct store *s)
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
	store_abort(s);
}

/* Log "path: op: why" and fail the operation. Always -1. */
int
store_refuse(struct store *s, const char *op, const char *fmt, ...)
{
	va_list	 ap;
	char	*why;

	store_failed(s);
	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	log_error("store", "%s: %s: %s", s->path, op, why);
	free(why);
	return -1;
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

/*
 * Bind one value of letter c from *ap to parameter i: an SQLite code, or
 * -1 for a NULL given to S (required text).
 */
static int
store_q_bind1(sqlite3_stmt *st, int i, char c, va_list *ap)
{
	const char	*v;

	switch (c) {
	case 'i':
		return sqlite3_bind_int(st, i, va_arg(*ap, int));
	case 'I':
		return sqlite3_bind_int64(st, i,
		    (sqlite3_int64)va_arg(*ap, long long));
	case 'T':
		return sqlite3_bind_int64(st, i,
		    (sqlite3_int64)va_arg(*ap, time_t));
	case 'S':
	case 's':
		if ((v = va_arg(*ap, const char *)) == NULL)
			return c == 'S' ? -1 : sqlite3_bind_null(st, i);
		/* Not copied: every value outlives the statement's run
		 * (store_q_open to store_q_close, within one call), and a
		 * statement is rebound before it runs again. */
		return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	}
	return SQLITE_MISUSE;
}

/* Log that op's format does not fit its statement; q fails. Always -1. */
static int
store_q_misfit(struct store_row *q, const char *fmt, const char *what,
    int want)
{
	log_error("store", "%s: %s: format \"%s\" does not fit the %d %s",
	    q->s->path, q->op, fmt, want, what);
	q->failed = 1;
	return -1;
}

/*
 * Bind the letters of *fmt up to '>' (or its end) from *ap, one per
 * parameter of the statement; *fmt is left after the '>'. 0 or -1
 * (logged, q->failed set).
 */
static int
store_q_bind(struct store_row *q, const char **fmt, va_list *ap)
{
	const char	*f = *fmt;
	int		 i, want, rc = SQLITE_OK;

	want = sqlite3_bind_parameter_count(q->st);
	for (i = 0; f[i] != '\0' && f[i] != '>'; i++) {
		if (strchr("iITSs", f[i]) == NULL || i >= want)
			return store_q_misfit(q, f, "parameters", want);
		if ((rc = store_q_bind1(q->st, i + 1, f[i], ap)) != SQLITE_OK)
			break;
	}
	if (rc == -1) {
		log_error("store", "%s: %s: value %d is required", q->s->path,
		    q->op, i + 1);
		q->failed = 1;
		return -1;
	}
	if (rc != SQLITE_OK) {
		store_log_sqlite(q->s, q->op);
		q->failed = 1;
		return -1;
	}
	if (i != want)
		return store_q_misfit(q, f, "parameters", want);
	*fmt = f[i] == '>' ? f + i + 1 : f + i;
	return 0;
}

/* Release the statement; after a failure, doom the transaction. 0/-1. */
static int
store_q_close(struct store_row *q)
{
	store_release(q->s, q->st);
	if (q->failed) {
		store_failed(q->s);
		return -1;
	}
	return 0;
}

/*
 * Start running sql for op: a statement from the cache, with the values of
 * *fmt bound (*fmt is left at the read-side letters). 0, or -1 (logged;
 * the statement is released and a transaction doomed).
 */
static int
store_q_open(struct store_row *q, struct store *s, const char *op,
    const char *sql, const char **fmt, va_list *ap)
{
	memset(q, 0, sizeof *q);
	q->s = s;
	q->op = op;
	if ((q->st = store_prepare(s, sql, op)) == NULL)
		return -1;
	if (store_q_bind(q, fmt, ap) != 0)
		return store_q_close(q);
	return 0;
}

/* Step the statement: 1 a row is ready, 0 done, -1 error (logged). */
static int
store_q_step(struct store_row *q)
{
	int	rc = sqlite3_step(q->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_log_sqlite(q->s, q->op);
	q->failed = 1;
	return -1;
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

/*
 * Read the current row's columns into the pointers in *ap, one letter of
 * fmt per column. The letters are checked against the row first, so on
 * -1 (logged, q->failed set) nothing was written.
 */
static int
store_q_read(struct store_row *q, const char *fmt, va_list *ap)
{
	int	i, n = (int)strlen(fmt);

	if ((int)strspn(fmt, "iITs") != n ||
	    n != sqlite3_column_count(q->st))
		return store_q_misfit(q, fmt, "columns",
		    sqlite3_column_count(q->st));
	for (i = 0; i < n; i++) {
		if (fmt[i] == 'i')
			*va_arg(*ap, int *) = sqlite3_column_int(q->st, i);
		else if (fmt[i] == 'I')
			*va_arg(*ap, long long *) =
			    sqlite3_column_int64(q->st, i);
		else if (fmt[i] == 'T')
			*va_arg(*ap, time_t *) =
			    (time_t)sqlite3_column_int64(q->st, i);
		else
			*va_arg(*ap, char **) = store_column_text(q->st, i);
	}
	return 0;
}

/* Free the texts a successful store_q_read wrote into *ap's pointers. */
static void
store_q_unread(const char *fmt, va_list *ap)
{
	char	**p;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt == 'i')
			(void)va_arg(*ap, int *);
		else if (*fmt == 'I')
			(void)va_arg(*ap, long long *);
		else if (*fmt == 'T')
			(void)va_arg(*ap, time_t *);
		else {
			p = va_arg(*ap, char **);
			free(*p);
			*p = NULL;
		}
	}
}

/* Run a statement that returns at most one row: 1 read, 0 none, -1. */
int
store_get(struct store *s, const char *op, const char *sql,
    const char *fmt, ...)
{
	struct store_row	 q;
	va_list			 ap, outs;
	int			 rc;

	va_start(ap, fmt);
	if (store_q_open(&q, s, op, sql, &fmt, &ap) != 0) {
		va_end(ap);
		return -1;
	}
	va_copy(outs, ap);
	if ((rc = store_q_step(&q)) == 1 && store_q_read(&q, fmt, &ap) == 0) {
		/* Finish the statement: an UPDATE ... RETURNING reports a
		 * late error there, and a second row means a wrong query. */
		if (store_q_step(&q) == 1) {
			log_error("store", "%s: %s: more than one row",
			    s->path, op);
			q.failed = 1;
		}
		if (q.failed)
			store_q_unread(fmt, &outs);
		rc = 1;
	}
	va_end(outs);
	va_end(ap);
	if (store_q_close(&q) != 0)
		return -1;
	return rc;
}

/* Read the current row of a store_list query into fmt's pointers. */
void
store_row_read(struct store_row *q, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)store_q_read(q, fmt, &ap);
	va_end(ap);
}

/*
 * Run a query and read all its rows with how->read; with how NULL (that
 * is store_run), a row is an error. 0 or -1.
 */
int
store_list(struct store *s, const struct store_rows *how, void **rows,
    size_t *n, const char *op, const char *sql, const char *fmt, ...)
{
	struct store_row	 q;
	va_list			 ap;
	char			*v = NULL;
	size_t			 nv = 0, cap = 0;
	int			 rc;

	if (how != NULL) {
		*rows = NULL;
		*n = 0;
	}
	va_start(ap, fmt);
	rc = store_q_open(&q, s, op, sql, &fmt, &ap);
	va_end(ap);
	if (rc != 0)
		return -1;
	while (!q.failed && store_q_step(&q) == 1) {
		if (how == NULL) {
			log_error("store", "%s: %s: the statement returned "
			    "a row", s->path, op);
			q.failed = 1;
			break;
		}
		if (nv == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = xreallocarray(v, cap, how->size);
		}
		memset(v + nv * how->size, 0, how->size);
		how->read(&q, v + nv * how->size);
		nv++;
	}
	if (store_q_close(&q) != 0) {
		if (how != NULL)
			how->free(v, nv);
		return -1;
	}
	if (how != NULL) {
		*rows = v;
		*n = nv;
	}
	return 0;
}

/* The rowid of the last row this connection inserted. */
long long
store_last_id(struct store *s)
{
	return (long long)sqlite3_last_insert_rowid(s->db);
}

/* One-row integer query (a PRAGMA); no row is an error. 0 or -1. */
static int
store_query_int(struct store *s, const char *sql, const char *op,
    long long *value)
{
	int	rc;

	if ((rc = store_get(s, op, sql, ">I", value)) == 0)
		return store_refuse(s, op, "no result");
	return rc == 1 ? 0 : -1;
}

/* Run SQL without parameters or results (settings, schema steps). */
int
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

/* The database file's path, for messages. */
const char *
store_path(struct store *s)
{
	return s->path;
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

/* Apply the per-connection settings and check foreign keys are on. */
static int
store_settings(struct store *s, char **cause)
{
	long long	fk;

	if (sqlite3_busy_timeout(s->db, STORE_BUSY_OPEN_MS) != SQLITE_OK) {
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
 * before we try to change it. 0 or -1 with *cause. (Not a cached query:
 * it needs SQLite's own error code for the message.)
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

/* Open path and check it is a usable database; NULL and *cause. */
struct store *
store_connect(const char *path, char **cause)
{
	struct store	*s;
	int		 rc;

	*cause = NULL;
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	/* One thread, the loop's, uses a connection: no mutex per call. */
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
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
		store_close(s);
		return NULL;
	}
	sqlite3_extended_result_codes(s->db, 1);
	if (store_settings(s, cause) != 0 || store_probe(s, cause) != 0) {
		store_close(s);
		return NULL;
	}
	return s;
}

/* Put the connection in WAL mode and check that it took. */
static int
store_set_wal(struct store *s, char **cause)
{
	char	*mode = NULL;
	int	 ok;

	ok = store_get(s, "set journal_mode", "PRAGMA journal_mode = WAL",
	    ">s", &mode);
	if (ok == 0)
		store_refuse(s, "set journal_mode", "no result");
	if (ok != 1) {
		*cause = xasprintf("cannot set up database %s", s->path);
		return -1;
	}
	ok = mode != NULL && (strcasecmp(mode, "wal") == 0 ||
	    (strcmp(s->path, ":memory:") == 0 &&
	    strcasecmp(mode, "memory") == 0));
	if (!ok) {
		log_error("store", "%s: journal_mode is %s, not wal", s->path,
		    mode != NULL ? mode : "(none)");
		*cause = xasprintf("cannot put database %s in WAL mode",
		    s->path);
	}
	free(mode);
	return ok ? 0 : -1;
}

/* WAL, synchronous NORMAL, no automatic checkpoints. 0 or -1, *cause. */
int
store_use_wal(struct store *s, char **cause)
{
	if (store_set_wal(s, cause) != 0)
		return -1;
	/*
	 * Checkpoints fsync; the bot runs them from an idle timer
	 * (store_checkpoint) instead of inside whichever commit happens
	 * to cross the automatic threshold.
	 */
	if (store_exec(s, "PRAGMA synchronous = NORMAL",
	    "set synchronous") != 0 ||
	    store_exec(s, "PRAGMA wal_autocheckpoint = 0",
	    "set wal_autocheckpoint") != 0) {
		*cause = xasprintf("cannot set up database %s", s->path);
		return -1;
	}
	return 0;
}

/* Opened and migrated: from now on waits are short (STORE_BUSY_MS). */
int
store_ready(struct store *s, char **cause)
{
	if (sqlite3_busy_timeout(s->db, STORE_BUSY_MS) != SQLITE_OK) {
		store_log_sqlite(s, "set busy timeout");
		*cause = xasprintf("cannot set up database %s", s->path);
		return -1;
	}
	return 0;
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
			store_abort(s);
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
		store_abort(s);
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
	store_abort(s);
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

/*
 * Copy what the WAL holds back into the database file, as far as readers
 * allow. PASSIVE: it never waits for a reader or a writer (the busy
 * handler is not called), so it cannot block the loop; what a reader
 * still needs is copied by a later run.
 */
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

/* Test hook: wait up to ms for other connections' locks. 0 or -1. */
int
store_test_busy_timeout(struct store *s, int ms)
{
	if (sqlite3_busy_timeout(s->db, ms) != SQLITE_OK) {
		store_log_sqlite(s, "set busy timeout");
		return -1;
	}
	return 0;
}
