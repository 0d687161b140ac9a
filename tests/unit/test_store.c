/*
 * test_store.c — the SQLite store through store.h: opening and settings,
 * migrations (fresh, from hand-made versions 1 and 2, a failed step, a
 * newer database), transactions, the audit/sts/meta tables, rotation
 * state, overrides (also 100,000 of them) and notices, backup, a
 * simulated full disk, a lock held by another connection (a write fails
 * fast), the passive checkpoint beside a reader, and the query runner of
 * store_int.h that every table file uses. Every test works in its own
 * mkdtemp directory and checks the file with sqlite3 directly where the
 * store's word is not enough.
 */
/* deps: store store_schema store_audit store_meta store_oncall */
/* deps: store_sts store_outbox store_outage outage util log */
#include <sys/stat.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "store_outage.h"
#include "util.h"

struct fixture {
	char	 dir[64];
	char	*db;		/* dir/test.db */
};

/* Make a fresh temporary directory for one test. */
static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "/tmp/test_store.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->db = xasprintf("%s/test.db", f->dir);
	*state = f;
	return 0;
}

/* Remove the temporary directory and everything in it. */
static int
teardown(void **state)
{
	struct fixture	*f = *state;
	DIR		*d;
	struct dirent	*e;
	char		*p;

	if ((d = opendir(f->dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			p = xasprintf("%s/%s", f->dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(f->dir);
	free(f->db);
	free(f);
	return 0;
}

/* Open path with sqlite3 directly (no store), asserting success. */
static sqlite3 *
raw_open(const char *path)
{
	sqlite3	*db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	return db;
}

/* Run SQL with sqlite3 directly, asserting success. */
static void
raw_exec(sqlite3 *db, const char *sql)
{
	char	*err = NULL;
	int	 rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, err != NULL ? err : "?");
}

/* One integer from a one-row query, with sqlite3 directly. */
static long long
raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* One text value from a one-row query (caller frees). */
static char *
raw_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	char		*v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* Open a store at path, failing the test with the cause if it refuses. */
static struct store *
open_ok(const char *path)
{
	struct store	*s;
	char		*cause = NULL;

	s = store_open(path, &cause);
	if (s == NULL)
		fail_msg("store_open %s: %s", path, cause);
	assert_null(cause);
	return s;
}

/* Number of audit rows the store lists (limit well above any test). */
static size_t
audit_count(struct store *s)
{
	struct store_audit	*rows;
	size_t			 n;

	assert_int_equal(store_audit_list(s, 100000, &rows, &n), 0);
	store_audit_free(rows, n);
	return n;
}

/* The version-1 schema as an older outagebot left it. */
static const char v1_schema[] =
	"CREATE TABLE audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
	" who TEXT NOT NULL, level TEXT NOT NULL, via TEXT, place TEXT,"
	" command TEXT NOT NULL, args TEXT);"
	"CREATE INDEX audit_at ON audit(at);"
	"CREATE TABLE sts(host TEXT PRIMARY KEY, port INTEGER NOT NULL,"
	" expires INTEGER NOT NULL);";

/* A fresh database is at the current schema, WAL, foreign keys on. */
static void
test_open_fresh(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	sqlite3		*db;
	long long	 v;
	char		*mode;

	assert_int_equal(store_schema_version(), 7);
	s = open_ok(f->db);
	assert_int_equal(store_version(s), store_schema_version());
	assert_int_equal(store_test_pragma(s, "foreign_keys", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(store_test_pragma(s, "busy_timeout", &v), 0);
	assert_int_equal(v, 250);	/* short: the loop must not stall */
	assert_int_equal(store_test_pragma(s, "synchronous", &v), 0);
	assert_int_equal(v, 1);		/* NORMAL */
	assert_int_equal(store_test_pragma(s, "journal_mode", &v), -1);

	/* What is on disk, seen by an independent connection. */
	db = raw_open(f->db);
	mode = raw_text(db, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(raw_int(db, "PRAGMA user_version"),
	    store_schema_version());
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name IN ('audit', 'audit_at', 'sts', 'meta', 'rotation', "
	    "'overrides', 'overrides_role_end', 'notices')"), 8);
	/* foreign_keys is per connection: proves it is the store's doing. */
	assert_int_equal(raw_int(db, "PRAGMA foreign_keys"), 0);
	sqlite3_close(db);
	store_close(s);
	store_close(NULL);
}

/* Opening an existing current database again changes nothing. */
static void
test_reopen(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	sqlite3		*db;

	s = open_ok(f->db);
	assert_int_equal(store_audit_add(s, 100, "alice", "admin", "alice",
	    "#ops", "open", "API down"), 0);
	store_close(s);

	s = open_ok(f->db);
	assert_int_equal(store_version(s), store_schema_version());
	assert_int_equal(audit_count(s), 1);
	store_close(s);

	s = open_ok(f->db);
	assert_int_equal(audit_count(s), 1);
	store_close(s);

	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'meta'"), 1);
	sqlite3_close(db);
}

/* An in-memory database is accepted (journal mode "memory"). */
static void
test_memory(void **state)
{
	struct store	*s;

	s = open_ok(":memory:");
	assert_int_equal(store_version(s), store_schema_version());
	assert_int_equal(store_meta_set(s, "k", "v"), 0);
	store_close(s);
}

/* A version-1 database migrates to 2 and keeps its rows. */
static void
test_migrate_from_v1(void **state)
{
	struct fixture		*f = *state;
	struct store		*s;
	sqlite3			*db;
	struct store_audit	*rows;
	size_t			 n;
	char			*v;
	int			 port;
	time_t			 exp;

	db = raw_open(f->db);
	raw_exec(db, v1_schema);
	raw_exec(db, "INSERT INTO audit(at, who, level, via, place, command,"
	    " args) VALUES (10, 'alice', 'admin', NULL, '#ops', 'open', 'x'),"
	    " (20, 'bob', 'member', 'tg-bridge', 'private', 'ack', NULL);"
	    "INSERT INTO sts VALUES ('irc.example.org', 6697, 4000000000);"
	    "PRAGMA user_version = 1;");
	sqlite3_close(db);

	s = open_ok(f->db);
	assert_int_equal(store_version(s), store_schema_version());
	assert_int_equal(store_audit_list(s, 10, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].who, "bob");
	assert_string_equal(rows[0].via, "tg-bridge");
	assert_null(rows[0].args);
	assert_string_equal(rows[1].who, "alice");
	assert_null(rows[1].via);
	assert_string_equal(rows[1].args, "x");
	store_audit_free(rows, n);
	assert_int_equal(store_sts_get(s, "irc.example.org", 1000, &port,
	    &exp), 1);
	assert_int_equal(port, 6697);
	/* The new table of version 2 works. */
	assert_int_equal(store_meta_set(s, "instance", "packit"), 0);
	assert_int_equal(store_meta_get(s, "instance", &v), 1);
	assert_string_equal(v, "packit");
	free(v);
	store_close(s);
}

/* A failing migration step leaves the previous version and data intact. */
static void
test_migrate_failure_keeps_version(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	sqlite3		*db;
	char		*cause = NULL;

	/* A stray "meta" table makes step 1 -> 2 fail half-way. */
	db = raw_open(f->db);
	raw_exec(db, v1_schema);
	raw_exec(db, "INSERT INTO audit(at, who, level, command) VALUES"
	    " (1, 'alice', 'admin', 'open');"
	    "CREATE TABLE meta(x);"
	    "PRAGMA user_version = 1;");
	sqlite3_close(db);

	s = store_open(f->db, &cause);
	assert_null(s);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "schema version 2"));
	assert_non_null(strstr(cause, f->db));
	free(cause);

	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit"), 1);
	sqlite3_close(db);
}

/* A step that fails after some of its statements ran leaves none of them. */
static void
test_migrate_failure_atomic(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	sqlite3		*db;
	char		*cause = NULL;

	/* Step 0 -> 1 creates audit, its index, then sts: the stray sts
	 * makes it fail after audit was already created. */
	db = raw_open(f->db);
	raw_exec(db, "CREATE TABLE sts(x); INSERT INTO sts VALUES (7);");
	sqlite3_close(db);

	s = store_open(f->db, &cause);
	assert_null(s);
	assert_non_null(strstr(cause, "schema version 1"));
	free(cause);

	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name IN ('audit', 'audit_at')"), 0);
	assert_int_equal(raw_int(db, "SELECT x FROM sts"), 7);
	sqlite3_close(db);
}

/* A database from a newer outagebot is refused and left untouched. */
static void
test_newer_refused(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	sqlite3		*db;
	char		*cause = NULL, *mode, want[128];

	db = raw_open(f->db);
	raw_exec(db, "CREATE TABLE future(x); PRAGMA user_version = 99;");
	sqlite3_close(db);

	s = store_open(f->db, &cause);
	assert_null(s);
	snprintf(want, sizeof want, "database schema version 99 is newer "
	    "than this outagebot (%d)", store_schema_version());
	assert_string_equal(cause, want);
	free(cause);

	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 99);
	mode = raw_text(db, "PRAGMA journal_mode");
	assert_string_equal(mode, "delete");	/* not switched to WAL */
	free(mode);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'audit'"), 0);
	sqlite3_close(db);
}

/* A file that is not a database is refused with a cause naming it. */
static void
test_not_a_database(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	FILE		*fp;
	char		*cause = NULL, want[256];
	int		 i;

	fp = fopen(f->db, "w");
	assert_non_null(fp);
	for (i = 0; i < 200; i++)
		fputs("this is a config file, not a database\n", fp);
	fclose(fp);

	s = store_open(f->db, &cause);
	assert_null(s);
	snprintf(want, sizeof want, "%s is not an SQLite database", f->db);
	assert_string_equal(cause, want);
	free(cause);

	/* A path that cannot be created also gives a cause naming it. */
	cause = NULL;
	s = store_open("/nonexistent-dir/x/y.db", &cause);
	assert_null(s);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "/nonexistent-dir/x/y.db"));
	free(cause);
}

/* Audit rows come back newest first with every field. */
static void
test_audit(void **state)
{
	struct fixture		*f = *state;
	struct store		*s;
	struct store_audit	*rows;
	size_t			 n;

	s = open_ok(f->db);
	assert_int_equal(store_audit_list(s, 5, &rows, &n), 0);
	assert_int_equal(n, 0);
	store_audit_free(rows, n);

	/* Same timestamp twice: order must come from id, not at. */
	assert_int_equal(store_audit_add(s, 1000, "alice", "admin", "alice",
	    "#ops", "open", "API down"), 0);
	assert_int_equal(store_audit_add(s, 1000, "bob", "member", NULL,
	    NULL, "ack", NULL), 0);
	assert_int_equal(store_audit_add(s, 999, "carol", "member",
	    "tg-bridge", "private", "resolve", "fixed it"), 0);
	assert_int_equal(store_audit_add(s, 1, NULL, "admin", NULL, NULL,
	    "x", NULL), -1);

	assert_int_equal(store_audit_list(s, 10, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].who, "carol");
	assert_int_equal(rows[0].at, 999);
	assert_string_equal(rows[0].level, "member");
	assert_string_equal(rows[0].via, "tg-bridge");
	assert_string_equal(rows[0].place, "private");
	assert_string_equal(rows[0].command, "resolve");
	assert_string_equal(rows[0].args, "fixed it");
	assert_string_equal(rows[1].who, "bob");
	assert_null(rows[1].via);
	assert_null(rows[1].place);
	assert_null(rows[1].args);
	assert_string_equal(rows[2].who, "alice");
	assert_string_equal(rows[2].args, "API down");
	assert_true(rows[0].id > rows[1].id && rows[1].id > rows[2].id);
	store_audit_free(rows, n);

	assert_int_equal(store_audit_list(s, 2, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].who, "carol");
	assert_string_equal(rows[1].who, "bob");
	store_audit_free(rows, n);

	assert_int_equal(store_audit_list(s, 0, &rows, &n), -1);
	assert_null(rows);
	assert_int_equal(n, 0);
	store_audit_free(NULL, 0);

	/* Values are bound, never spliced into SQL. */
	assert_int_equal(store_audit_add(s, 5, "x'); DROP TABLE audit; --",
	    "admin", NULL, NULL, "open", "it's \"quoted\""), 0);
	assert_int_equal(store_audit_list(s, 1, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].who, "x'); DROP TABLE audit; --");
	assert_string_equal(rows[0].args, "it's \"quoted\"");
	store_audit_free(rows, n);
	assert_int_equal(audit_count(s), 4);
	store_close(s);
}

/* A store_tx body that adds one row, then returns *(int *)arg. */
static int
tx_add_one(struct store *s, void *arg)
{
	if (store_audit_add(s, 42, "alice", "admin", NULL, NULL, "tx",
	    NULL) != 0)
		return -1;
	return *(int *)arg;
}

/* store_tx commits when the body returns 0 and rolls back otherwise. */
static void
test_tx(void **state)
{
	struct fixture		*f = *state;
	struct store		*s;
	struct store		*s2;
	int			 rv;

	s = open_ok(f->db);
	rv = -1;
	assert_int_equal(store_tx(s, tx_add_one, &rv), -1);
	assert_int_equal(audit_count(s), 0);

	rv = 0;
	assert_int_equal(store_tx(s, tx_add_one, &rv), 0);
	assert_int_equal(audit_count(s), 1);

	/* Visible to another connection, so really committed. */
	s2 = open_ok(f->db);
	assert_int_equal(audit_count(s2), 1);
	store_close(s2);

	/* Explicit begin/rollback. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_meta_set(s, "a", "1"), 0);
	store_rollback(s);
	{
		char	*v = (char *)"sentinel";

		assert_int_equal(store_meta_get(s, "a", &v), 0);
		assert_null(v);
	}
	store_close(s);
}

/* Transactions do not nest; commit needs a begin. */
static void
test_begin_twice(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	int		 rv = 0;

	s = open_ok(f->db);
	assert_int_equal(store_commit(s), -1);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_begin(s), -1);
	assert_int_equal(store_tx(s, tx_add_one, &rv), -1);
	/* The outer transaction is still open and usable. */
	assert_int_equal(store_audit_add(s, 1, "a", "admin", NULL, NULL,
	    "c", NULL), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(audit_count(s), 1);
	assert_int_equal(store_commit(s), -1);
	assert_int_equal(store_begin(s), 0);
	store_rollback(s);

	/* Closing inside a transaction rolls it back. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_audit_add(s, 2, "b", "admin", NULL, NULL,
	    "c", NULL), 0);
	store_close(s);
	s = open_ok(f->db);
	assert_int_equal(audit_count(s), 1);
	store_close(s);
}

/* STS policies: set, get, expiry, overwrite and delete. */
static void
test_sts(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	time_t		 now = time(NULL), exp = 0;
	int		 port = 0;

	s = open_ok(f->db);
	assert_int_equal(store_sts_get(s, "irc.libera.chat", now, &port,
	    &exp), 0);
	assert_int_equal(store_sts_set(s, "irc.libera.chat", 6697,
	    now + 3600), 0);
	assert_int_equal(store_sts_get(s, "irc.libera.chat", now, &port,
	    &exp), 1);
	assert_int_equal(port, 6697);
	assert_int_equal(exp, now + 3600);
	/* Other hosts are unaffected. */
	assert_int_equal(store_sts_get(s, "irc.oftc.net", now, &port, &exp),
	    0);
	/* Expired at the time asked about: treated as none. */
	assert_int_equal(store_sts_get(s, "irc.libera.chat", now + 3600,
	    &port, &exp), 0);
	assert_int_equal(store_sts_get(s, "irc.libera.chat", now + 3599,
	    &port, &exp), 1);

	/* Overwrite. */
	assert_int_equal(store_sts_set(s, "irc.libera.chat", 7000,
	    now + 7200), 0);
	assert_int_equal(store_sts_get(s, "irc.libera.chat", now, &port,
	    &exp), 1);
	assert_int_equal(port, 7000);
	assert_int_equal(exp, now + 7200);

	/* An expiry in the past deletes the row altogether. */
	assert_int_equal(store_sts_set(s, "irc.libera.chat", 7000, now - 1),
	    0);
	assert_int_equal(store_sts_get(s, "irc.libera.chat", 0, &port,
	    &exp), 0);

	assert_int_equal(store_sts_set(s, "h", 0, now + 10), -1);
	assert_int_equal(store_sts_set(s, "", 6697, now + 10), -1);
	store_close(s);
}

/* Meta keys: absent, set, overwrite. */
static void
test_meta(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	char		*v = (char *)"sentinel";

	s = open_ok(f->db);
	assert_int_equal(store_meta_get(s, "instance", &v), 0);
	assert_null(v);
	assert_int_equal(store_meta_set(s, "instance", "packit"), 0);
	assert_int_equal(store_meta_set(s, "other", "x"), 0);
	assert_int_equal(store_meta_get(s, "instance", &v), 1);
	assert_string_equal(v, "packit");
	free(v);
	assert_int_equal(store_meta_set(s, "instance", "fedora"), 0);
	assert_int_equal(store_meta_get(s, "instance", &v), 1);
	assert_string_equal(v, "fedora");
	free(v);
	assert_int_equal(store_meta_get(s, "other", &v), 1);
	assert_string_equal(v, "x");
	free(v);
	assert_int_equal(store_meta_set(s, "k", NULL), -1);
	store_close(s);

	s = open_ok(f->db);
	assert_int_equal(store_meta_get(s, "instance", &v), 1);
	assert_string_equal(v, "fedora");
	free(v);
	store_close(s);
}

/* A backup is a complete database with the rows at backup time. */
static void
test_backup(void **state)
{
	struct fixture		*f = *state;
	struct store		*s, *b;
	sqlite3			*db;
	char			*dest, *cause = NULL, *ok;
	struct store_audit	*rows;
	size_t			 n;

	s = open_ok(f->db);
	assert_int_equal(store_audit_add(s, 1, "alice", "admin", NULL, NULL,
	    "open", "one"), 0);
	assert_int_equal(store_audit_add(s, 2, "bob", "admin", NULL, NULL,
	    "ack", "two"), 0);
	assert_int_equal(store_meta_set(s, "instance", "packit"), 0);

	dest = xasprintf("%s/backup.db", f->dir);
	assert_int_equal(store_backup(s, dest, &cause), 0);
	assert_null(cause);
	/* Later writes are not in the backup. */
	assert_int_equal(store_audit_add(s, 3, "carol", "admin", NULL, NULL,
	    "resolve", NULL), 0);

	db = raw_open(dest);
	ok = raw_text(db, "PRAGMA integrity_check");
	assert_string_equal(ok, "ok");
	free(ok);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit"), 2);
	assert_int_equal(raw_int(db, "PRAGMA user_version"),
	    store_schema_version());
	sqlite3_close(db);

	b = open_ok(dest);
	assert_int_equal(store_audit_list(b, 10, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].args, "two");
	assert_string_equal(rows[1].args, "one");
	store_audit_free(rows, n);
	store_close(b);

	/* No temporary file is left beside the backup. */
	{
		char	*tmp = xasprintf("%s.tmp.%ld", dest, (long)getpid());

		assert_int_equal(access(tmp, F_OK), -1);
		free(tmp);
	}

	/* Failures come back with a cause. */
	assert_int_equal(store_backup(s, "/nonexistent-dir/b.db", &cause),
	    -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "/nonexistent-dir/b.db"));
	free(cause);
	cause = NULL;
	assert_int_equal(store_backup(s, f->db, &cause), -1);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(audit_count(s), 3);

	free(dest);
	store_close(s);
}

/* A store_tx body that writes far more than the capped database holds. */
static int
tx_add_many(struct store *s, void *arg)
{
	char	big[2048];
	int	i;

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (i = 0; i < 500; i++) {
		if (store_audit_add(s, i, "alice", "admin", NULL, NULL,
		    "bulk", big) != 0)
			return -1;
	}
	*(int *)arg = i;
	return 0;
}

/* A full disk fails the transaction as a whole and leaves no rows. */
static void
test_disk_full(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	sqlite3		*db;
	long long	 pages;
	int		 done = -1, cap, i, rc;
	char		 big[2048];

	s = open_ok(f->db);
	assert_int_equal(store_audit_add(s, 1, "alice", "admin", NULL, NULL,
	    "before", NULL), 0);
	assert_int_equal(store_test_pragma(s, "page_count", &pages), 0);
	cap = store_test_limit_pages(s, (int)pages + 2);
	assert_int_equal(cap, (int)pages + 2);

	/* store_tx: the body fails part-way, nothing of it survives. */
	assert_int_equal(store_tx(s, tx_add_many, &done), -1);
	assert_int_equal(done, -1);
	assert_int_equal(audit_count(s), 1);

	/* begin/commit by hand: a caller that ignores the error and commits
	 * anyway still gets -1 and no partial rows. */
	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(store_begin(s), 0);
	for (i = 0; i < 500; i++) {
		rc = store_audit_add(s, i, "bob", "admin", NULL, NULL, "bulk",
		    big);
		if (rc != 0)
			break;
	}
	assert_int_equal(rc, -1);
	assert_true(i > 0);		/* some rows went in before the end */
	/* Further work in the failed transaction is refused. */
	assert_int_equal(store_audit_add(s, 1, "bob", "admin", NULL, NULL,
	    "after", NULL), -1);
	assert_int_equal(store_commit(s), -1);
	assert_int_equal(audit_count(s), 1);

	/* Another connection sees the same: only the first row. */
	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit"), 1);
	sqlite3_close(db);

	/* With room again the store works normally. */
	assert_true(store_test_limit_pages(s, 1000000) >= 1000000);
	done = -1;
	assert_int_equal(store_tx(s, tx_add_many, &done), 0);
	assert_int_equal(done, 500);
	assert_int_equal(audit_count(s), 501);
	store_close(s);
}

/* A version-2 database (v1 plus meta) migrates to the latest, keeping
 * its rows. */
static void
test_migrate_from_v2(void **state)
{
	struct fixture		*f = *state;
	struct store		*s;
	sqlite3			*db;
	char			*v, *member;
	int			 port, pos;
	time_t			 exp, start;

	db = raw_open(f->db);
	raw_exec(db, v1_schema);
	raw_exec(db, "CREATE TABLE meta(key TEXT PRIMARY KEY,"
	    " value TEXT NOT NULL);"
	    "INSERT INTO audit(at, who, level, command) VALUES"
	    " (5, 'carol', 'member', 'take');"
	    "INSERT INTO sts VALUES ('irc.example.org', 6697, 4000000000);"
	    "INSERT INTO meta VALUES ('instance', 'packit');"
	    "PRAGMA user_version = 2;");
	sqlite3_close(db);

	s = open_ok(f->db);
	assert_int_equal(store_version(s), store_schema_version());
	assert_int_equal(audit_count(s), 1);
	assert_int_equal(store_meta_get(s, "instance", &v), 1);
	assert_string_equal(v, "packit");
	free(v);
	assert_int_equal(store_sts_get(s, "irc.example.org", 1000, &port,
	    &exp), 1);
	assert_int_equal(port, 6697);
	/* The tables of version 3 are there and work. */
	assert_int_equal(store_rotation_set(s, "om", "alice", 0, 100, 101), 0);
	assert_int_equal(store_rotation_get(s, "om", &member, &pos, &start),
	    1);
	assert_string_equal(member, "alice");
	free(member);
	assert_true(store_override_add(s, "om", "bob", 10, 20, 5, "bob",
	    "take", NULL) > 0);
	assert_int_equal(store_notice_mark(s, "om", "handoff", 100, "alice",
	    101), 0);
	store_close(s);

	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "PRAGMA user_version"),
	    store_schema_version());
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'overrides_role_end' AND type = 'index'"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit"), 1);
	sqlite3_close(db);
}

/* Rotation state: none, insert, overwrite, per role, bad arguments. */
static void
test_rotation(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	sqlite3		*db;
	char		*member = (char *)"junk";
	int		 pos = -7;
	time_t		 start = 0;

	s = open_ok(f->db);
	assert_int_equal(store_rotation_get(s, "om", &member, &pos, &start),
	    0);
	assert_null(member);

	assert_int_equal(store_rotation_set(s, "om", "alice", 0, 1000, 1001),
	    0);
	assert_int_equal(store_rotation_set(s, "sentry", "carol", 2, 5000,
	    5001), 0);
	assert_int_equal(store_rotation_get(s, "om", &member, &pos, &start),
	    1);
	assert_string_equal(member, "alice");
	assert_int_equal(pos, 0);
	assert_int_equal(start, 1000);
	free(member);

	/* An upsert replaces the row and leaves the other role alone. */
	assert_int_equal(store_rotation_set(s, "om", "bob", 1, 605800,
	    605801), 0);
	assert_int_equal(store_rotation_get(s, "om", &member, &pos, &start),
	    1);
	assert_string_equal(member, "bob");
	assert_int_equal(pos, 1);
	assert_int_equal(start, 605800);
	free(member);
	assert_int_equal(store_rotation_get(s, "sentry", &member, &pos,
	    &start), 1);
	assert_string_equal(member, "carol");
	assert_int_equal(pos, 2);
	assert_int_equal(start, 5000);
	free(member);
	/* Role names are exact keys (the config canonicalises them). */
	assert_int_equal(store_rotation_get(s, "OM", &member, &pos, &start),
	    0);

	assert_int_equal(store_rotation_set(s, "om", NULL, 0, 1, 1), -1);
	assert_int_equal(store_rotation_set(s, NULL, "x", 0, 1, 1), -1);
	assert_int_equal(store_rotation_get(s, NULL, &member, &pos, &start),
	    -1);
	store_close(s);

	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM rotation"), 2);
	assert_int_equal(raw_int(db, "SELECT updated_at FROM rotation "
	    "WHERE role = 'om'"), 605801);
	sqlite3_close(db);
}

/* Add, get, cancel (twice), and what list returns in which order. */
static void
test_overrides(void **state)
{
	struct fixture		*f = *state;
	struct store		*s;
	struct store_override	*rows, o;
	sqlite3			*db;
	long long		 a, b, c, d, e;
	size_t			 n;
	char			*role = (char *)"junk";

	s = open_ok(f->db);
	assert_int_equal(store_override_list(s, NULL, 0, 0, 0, &rows, &n), 0);
	assert_null(rows);
	assert_int_equal(n, 0);

	a = store_override_add(s, "om", "bob", 3000, 4000, 10, "alice",
	    "override", "alice");
	b = store_override_add(s, "om", "carol", 1000, 2000, 11, "carol",
	    "take", NULL);
	c = store_override_add(s, "sentry", "dave", 1000, 9000, 12, "dave",
	    "swap", "erin");
	d = store_override_add(s, "om", "erin", 1000, 1500, 13, "erin",
	    "take", NULL);
	assert_true(a > 0 && b > a && c > b && d > c);

	/* One role: by start, then id (b and d both start at 1000). */
	assert_int_equal(store_override_list(s, "om", 0, 0, 0, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_true(rows[0].id == b && rows[1].id == d && rows[2].id == a);
	assert_string_equal(rows[2].role, "om");
	assert_string_equal(rows[2].person, "bob");
	assert_int_equal(rows[2].start, 3000);
	assert_int_equal(rows[2].end, 4000);
	assert_int_equal(rows[2].created_at, 10);
	assert_string_equal(rows[2].created_by, "alice");
	assert_string_equal(rows[2].kind, "override");
	assert_string_equal(rows[2].covers, "alice");
	assert_null(rows[0].covers);
	store_override_free(rows, n);

	/* All roles. */
	assert_int_equal(store_override_list(s, NULL, 0, 0, 0, &rows, &n), 0);
	assert_int_equal(n, 4);
	assert_true(rows[0].id == b && rows[1].id == c && rows[2].id == d &&
	    rows[3].id == a);
	store_override_free(rows, n);

	/* ends_after: strictly after; an override ending at it is over. */
	assert_int_equal(store_override_list(s, "om", 1500, 0, 0, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_true(rows[0].id == b && rows[1].id == a);
	store_override_free(rows, n);
	assert_int_equal(store_override_list(s, NULL, 4000, 0, 0, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_true(rows[0].id == c);
	store_override_free(rows, n);
	assert_int_equal(store_override_list(s, "nobody", 0, 0, 0, &rows, &n), 0);
	assert_int_equal(n, 0);
	assert_null(rows);

	/* get */
	assert_int_equal(store_override_get(s, c, &o), 1);
	assert_int_equal(o.id, c);
	assert_string_equal(o.role, "sentry");
	assert_string_equal(o.person, "dave");
	assert_int_equal(o.start, 1000);
	assert_int_equal(o.end, 9000);
	assert_int_equal(o.created_at, 12);
	assert_string_equal(o.created_by, "dave");
	assert_string_equal(o.kind, "swap");
	assert_string_equal(o.covers, "erin");
	store_override_clear(&o);
	assert_null(o.role);
	store_override_clear(&o);	/* cleared twice: harmless */
	store_override_clear(NULL);
	assert_int_equal(store_override_get(s, 999999, &o), 0);
	assert_null(o.role);

	/* cancel: once, then it is no longer active. */
	assert_int_equal(store_override_cancel(s, b, 50, &role), 1);
	assert_string_equal(role, "om");
	free(role);
	assert_int_equal(store_override_cancel(s, b, 60, &role), 0);
	assert_null(role);
	assert_int_equal(store_override_cancel(s, 999999, 60, &role), 0);
	assert_null(role);
	assert_int_equal(store_override_get(s, b, &o), 0);
	assert_int_equal(store_override_list(s, "om", 0, 0, 0, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_true(rows[0].id == d && rows[1].id == a);
	store_override_free(rows, n);

	/* CHECK (end > start): refused cleanly, nothing stored. */
	assert_int_equal(store_override_add(s, "om", "bob", 5000, 5000, 20,
	    "bob", "take", NULL), -1);
	assert_int_equal(store_override_add(s, "om", "bob", 5000, 4000, 20,
	    "bob", "take", NULL), -1);
	assert_int_equal(store_override_add(s, "om", NULL, 1, 2, 20, "bob",
	    "take", NULL), -1);
	assert_int_equal(store_override_add(s, "om", "bob", 1, 2, 20, "bob",
	    NULL, NULL), -1);
	/* The store still works, and ids go on. */
	e = store_override_add(s, "om", "bob", 5000, 5001, 21, "bob", "take",
	    NULL);
	assert_true(e > d);
	store_override_free(NULL, 0);
	store_close(s);

	/* Cancelling keeps the row, with when. */
	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM overrides"), 5);
	assert_int_equal(raw_int(db, "SELECT cancelled_at FROM overrides "
	    "WHERE kind = 'take' AND person = 'carol'"), 50);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM overrides "
	    "WHERE cancelled_at IS NOT NULL"), 1);
	sqlite3_close(db);
}

/* A failed override add dooms its transaction; later calls fail too. */
static void
test_override_in_failed_tx(void **state)
{
	struct fixture		*f = *state;
	struct store		*s;
	struct store_override	*rows, o;
	size_t			 n;
	char			*member, *role;
	int			 pos;
	time_t			 start;

	s = open_ok(f->db);
	assert_int_equal(store_begin(s), 0);
	assert_true(store_override_add(s, "om", "bob", 1, 2, 1, "bob",
	    "take", NULL) > 0);
	assert_int_equal(store_override_add(s, "om", "bob", 9, 3, 1, "bob",
	    "take", NULL), -1);
	/* Every function now refuses with -1. */
	assert_int_equal(store_rotation_set(s, "om", "a", 0, 1, 1), -1);
	assert_int_equal(store_rotation_get(s, "om", &member, &pos, &start),
	    -1);
	assert_int_equal(store_override_add(s, "om", "bob", 1, 2, 1, "bob",
	    "take", NULL), -1);
	assert_int_equal(store_override_list(s, NULL, 0, 0, 0, &rows, &n), -1);
	assert_null(rows);
	assert_int_equal(store_override_get(s, 1, &o), -1);
	assert_int_equal(store_override_cancel(s, 1, 1, &role), -1);
	assert_null(role);
	assert_int_equal(store_notice_mark(s, "om", "handoff", 1, "a", 1),
	    -1);
	assert_int_equal(store_notice_done(s, "om", "handoff", 1), -1);
	assert_int_equal(store_commit(s), -1);
	/* Not even the first, valid row survived. */
	assert_int_equal(store_override_list(s, NULL, 0, 0, 0, &rows, &n), 0);
	assert_int_equal(n, 0);
	store_close(s);
}

/* Notices: recorded once; a second mark is ignored, the first kept. */
static void
test_notices(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	sqlite3		*db;
	char		*who;

	s = open_ok(f->db);
	assert_int_equal(store_notice_done(s, "om", "handoff", 1000), 0);
	assert_int_equal(store_notice_mark(s, "om", "handoff", 1000, "bob",
	    1001), 0);
	assert_int_equal(store_notice_done(s, "om", "handoff", 1000), 1);
	/* Same key again: no error, no change. */
	assert_int_equal(store_notice_mark(s, "om", "handoff", 1000, "carol",
	    2002), 0);
	assert_int_equal(store_notice_done(s, "om", "handoff", 1000), 1);
	/* Each part of the key counts. */
	assert_int_equal(store_notice_done(s, "om", "remind", 1000), 0);
	assert_int_equal(store_notice_done(s, "om", "handoff", 1001), 0);
	assert_int_equal(store_notice_done(s, "sentry", "handoff", 1000), 0);
	assert_int_equal(store_notice_mark(s, "om", "remind", 1000, "bob",
	    900), 0);
	assert_int_equal(store_notice_done(s, "om", "remind", 1000), 1);
	assert_int_equal(store_notice_mark(s, "om", NULL, 1, "bob", 1), -1);
	assert_int_equal(store_notice_mark(s, "om", "remind", 1, NULL, 1),
	    -1);
	assert_int_equal(store_notice_done(s, NULL, "remind", 1), -1);
	store_close(s);

	/* It survives a restart. */
	s = open_ok(f->db);
	assert_int_equal(store_notice_done(s, "om", "handoff", 1000), 1);
	store_close(s);

	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM notices"), 2);
	who = raw_text(db, "SELECT member FROM notices WHERE kind = "
	    "'handoff'");
	assert_string_equal(who, "bob");
	free(who);
	assert_int_equal(raw_int(db, "SELECT done_at FROM notices WHERE "
	    "kind = 'handoff'"), 1001);
	sqlite3_close(db);
}

/* 100,000 overrides in one transaction; list counts from the middle. */
static void
test_override_bulk(void **state)
{
	struct fixture		*f = *state;
	struct store		*s;
	struct store_override	*rows;
	size_t			 n, i;
	long long		 id, last = 0;
	time_t			 t;

	s = open_ok(f->db);
	assert_int_equal(store_begin(s), 0);
	for (i = 0; i < 100000; i++) {
		t = (time_t)i * 60;
		id = store_override_add(s, i % 2 == 0 ? "om" : "sentry",
		    "bob", t, t + 3600, t, "bob", "take", NULL);
		if (id <= last)
			fail_msg("add %zu returned %lld", i, id);
		last = id;
	}
	assert_int_equal(store_commit(s), 0);

	/* end = i*60 + 3600 > 50000*60 + 3600  <=>  i > 50000. */
	assert_int_equal(store_override_list(s, NULL, 50000 * 60 + 3600, 0, 0,
	    &rows, &n), 0);
	assert_int_equal(n, 49999);
	assert_int_equal(rows[0].start, 50001 * 60);
	assert_int_equal(rows[n - 1].start, 99999 * 60);
	for (i = 1; i < n; i++)
		assert_true(rows[i - 1].start < rows[i].start);
	store_override_free(rows, n);
	/* Even i from 50002 to 99998. */
	assert_int_equal(store_override_list(s, "om", 50000 * 60 + 3600, 0, 0,
	    &rows, &n), 0);
	assert_int_equal(n, 24999);
	assert_int_equal(rows[0].start, 50002 * 60);
	store_override_free(rows, n);
	store_close(s);
}

/* Milliseconds since start_us (util_mono_us). */
static double
elapsed_ms(uint64_t start_us)
{
	return (double)(util_mono_us() - start_us) / 1000.0;
}

/*
 * Another connection holding the write lock makes a write fail after the
 * short busy timeout (250 ms), not after seconds: the loop must keep
 * answering PINGs. The bound is generous; the point is "not seconds".
 */
static void
test_busy_write_fails_fast(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	sqlite3		*db;
	uint64_t	 t0;
	double		 ms;

	s = open_ok(f->db);
	db = raw_open(f->db);
	raw_exec(db, "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('x', 'y');");

	t0 = util_mono_us();
	assert_int_equal(store_audit_add(s, 1, "alice", "admin", NULL, NULL,
	    "open", NULL), -1);
	ms = elapsed_ms(t0);
	if (ms >= 2000 || ms < 200)
		fail_msg("write waited %.0f ms for the lock", ms);

	/* A transaction cannot start either, and says so as fast. */
	t0 = util_mono_us();
	assert_int_equal(store_begin(s), -1);
	ms = elapsed_ms(t0);
	if (ms >= 2000)
		fail_msg("begin waited %.0f ms for the lock", ms);
	/* Reading is not blocked by a writer in WAL mode. */
	assert_int_equal(audit_count(s), 0);

	/* Once the lock is gone, the store works as before. */
	raw_exec(db, "ROLLBACK");
	assert_int_equal(store_audit_add(s, 1, "alice", "admin", NULL, NULL,
	    "open", NULL), 0);
	assert_int_equal(store_tx(s, tx_add_one, &(int){ 0 }), 0);
	assert_int_equal(audit_count(s), 2);
	sqlite3_close(db);
	store_close(s);
}

/* Size in bytes of the file at path. */
static long long
file_size(const char *path)
{
	struct stat	sb;

	assert_int_equal(stat(path, &sb), 0);
	return (long long)sb.st_size;
}

/*
 * The periodic checkpoint is PASSIVE: with a reader holding an old
 * snapshot (which a FULL, RESTART or TRUNCATE checkpoint would wait for)
 * and even a long busy timeout, it returns at once, having copied what it
 * could into the database file.
 */
static void
test_checkpoint_passive(void **state)
{
	struct fixture	*f = *state;
	struct store	*s;
	sqlite3		*reader;
	char		 big[1024];
	uint64_t	 t0;
	long long	 before;
	double		 ms;
	int		 i;

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	s = open_ok(f->db);
	for (i = 0; i < 50; i++)
		assert_int_equal(store_audit_add(s, i, "alice", "admin", NULL,
		    NULL, "bulk", big), 0);
	reader = raw_open(f->db);
	raw_exec(reader, "BEGIN; SELECT count(*) FROM audit;");
	for (i = 0; i < 50; i++)
		assert_int_equal(store_audit_add(s, i, "bob", "admin", NULL,
		    NULL, "bulk", big), 0);
	assert_int_equal(store_test_busy_timeout(s, 10000), 0);

	before = file_size(f->db);
	t0 = util_mono_us();
	assert_int_equal(store_checkpoint(s), 0);
	ms = elapsed_ms(t0);
	if (ms >= 2000)
		fail_msg("checkpoint waited %.0f ms for a reader", ms);
	/* The rows the reader's snapshot holds reached the file. */
	assert_true(file_size(f->db) > before + 50 * 1024);
	assert_int_equal(raw_int(reader, "SELECT count(*) FROM audit"), 50);
	raw_exec(reader, "COMMIT");
	sqlite3_close(reader);

	/* Without the reader, the rest follows. */
	before = file_size(f->db);
	assert_int_equal(store_checkpoint(s), 0);
	assert_true(file_size(f->db) > before + 40 * 1024);
	/* Inside a transaction it does nothing and is no error. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_checkpoint(s), 0);
	store_rollback(s);
	store_close(s);
}

/* A row (k, n) of test_runner's scratch table t. */
struct kv {
	char		*k;
	long long	 n;
};

/* Read one kv row (store_list). */
static void
kv_read(struct store_row *row, void *item)
{
	struct kv	*r = item;

	store_row_read(row, "sI", &r->k, &r->n);
}

/* Read one kv row with a format that does not fit (store_list). */
static void
kv_read_bad(struct store_row *row, void *item)
{
	struct kv	*r = item;

	store_row_read(row, "s", &r->k);
}

/* Free kv rows (store_list). */
static void
kv_free(void *rows, size_t n)
{
	struct kv	*r = rows;
	size_t		 i;

	for (i = 0; i < n; i++)
		free(r[i].k);
	free(rows);
}

/*
 * The runner every table file uses (store_int.h): values bound by letter,
 * one-row reads, lists, RETURNING, and a format that does not fit the
 * statement refused before anything runs, dooming a transaction.
 */
static void
test_runner(void **state)
{
	struct fixture		*f = *state;
	static const struct store_rows kv = { sizeof (struct kv), kv_read,
					      kv_free };
	static const struct store_rows bad = { sizeof (struct kv),
					       kv_read_bad, kv_free };
	struct store		*s;
	struct kv		*rows;
	size_t			 n;
	char			*k = NULL;
	long long		 v = -1;
	time_t			 t = 0;
	int			 i = 0;

	s = open_ok(f->db);
	assert_int_equal(store_exec(s, "CREATE TABLE t (k TEXT, n INTEGER)",
	    "create t"), 0);
	assert_int_equal(store_run(s, "add", "INSERT INTO t VALUES (?, ?)",
	    "sI", "a", 1LL << 40), 0);
	assert_int_equal(store_run(s, "add", "INSERT INTO t VALUES (?, ?)",
	    "si", NULL, 7), 0);
	assert_int_equal(store_last_id(s), 2);
	assert_int_equal(store_run(s, "add", "INSERT INTO t VALUES (?, ?)",
	    "sT", "c", (time_t)3), 0);

	/* One row: each read letter. */
	assert_int_equal(store_get(s, "get", "SELECT k, n, n, n FROM t "
	    "WHERE n = ?", "I>sITi", 1LL << 40, &k, &v, &t, &i), 1);
	assert_string_equal(k, "a");
	free(k);
	assert_true(v == 1LL << 40 && t == (time_t)(1LL << 40));
	assert_int_equal(store_get(s, "get", "SELECT k, n FROM t WHERE n = ?",
	    "i>si", 7, &k, &i), 1);
	assert_null(k);			/* SQL NULL reads as NULL */
	assert_int_equal(i, 7);
	k = (char *)"untouched";
	assert_int_equal(store_get(s, "get", "SELECT k FROM t WHERE n = ?",
	    "i>s", 99, &k), 0);
	assert_string_equal(k, "untouched");

	/* A second row is an error, and the text read is not leaked. */
	k = NULL;
	assert_int_equal(store_get(s, "get", "SELECT k FROM t WHERE n > ?",
	    "i>s", 0, &k), -1);
	assert_null(k);
	/* RETURNING through store_get; a row from store_run is an error. */
	assert_int_equal(store_get(s, "upd", "UPDATE t SET n = n + 1 "
	    "WHERE k = ? RETURNING n", "s>I", "c", &v), 1);
	assert_int_equal(v, 4);
	assert_int_equal(store_run(s, "sel", "SELECT 1", ""), -1);

	/* Lists. */
	assert_int_equal(store_list(s, &kv, (void **)&rows, &n, "list",
	    "SELECT k, n FROM t WHERE n > ? ORDER BY n", "i", 3), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].n, 4);
	assert_null(rows[1].k);
	assert_string_equal(rows[2].k, "a");
	kv_free(rows, n);
	assert_int_equal(store_list(s, &bad, (void **)&rows, &n, "list",
	    "SELECT k, n FROM t ORDER BY n", ""), -1);
	assert_null(rows);
	assert_int_equal(n, 0);

	/* Formats that do not fit: refused, nothing written. */
	k = (char *)"untouched";
	assert_int_equal(store_run(s, "few", "INSERT INTO t VALUES (?, ?)",
	    "s", "x"), -1);
	assert_int_equal(store_run(s, "many", "INSERT INTO t VALUES (?, ?)",
	    "sii", "x", 1, 2), -1);
	assert_int_equal(store_run(s, "letter", "INSERT INTO t VALUES (?, ?)",
	    "sd", "x", 1), -1);
	/* S: required text; NULL is refused though the column allows it. */
	assert_int_equal(store_run(s, "req", "INSERT INTO t VALUES (?, ?)",
	    "Si", NULL, 1), -1);
	assert_int_equal(store_get(s, "cols", "SELECT k, n FROM t "
	    "WHERE n = ?", "i>s", 7, &k), -1);
	assert_string_equal(k, "untouched");
	assert_int_equal(store_get(s, "one", "SELECT count(*) FROM t", ">I",
	    &v), 1);
	assert_int_equal(v, 3);

	/* In a transaction, a misfit dooms it like any failure. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_run(s, "add", "INSERT INTO t VALUES (?, ?)",
	    "si", "d", 5), 0);
	assert_int_equal(store_run(s, "few", "INSERT INTO t VALUES (?, ?)",
	    "s", "x"), -1);
	assert_int_equal(store_commit(s), -1);
	assert_int_equal(store_get(s, "one", "SELECT count(*) FROM t", ">I",
	    &v), 1);
	assert_int_equal(v, 3);
	store_close(s);
}

/*
 * !outage stats' rows: the resolved outages opened since, with their
 * components; read from one index alone.
 */
static void
test_outage_durations(void **state)
{
	struct fixture		*f = *state;
	struct store		*s = open_ok(f->db);
	struct store_duration	*d;
	sqlite3			*db;
	sqlite3_stmt		*st;
	size_t			 n, i;

	db = raw_open(f->db);
	/* opened_at, resolved_at, state, affected: two before the window,
	 * one still open, three resolved in it (out of duration order). */
	raw_exec(db, "INSERT INTO outages (title, severity, state, affected,"
	    " opened_by, opened_at, updated_at, resolved_at) VALUES"
	    " ('a', 0, 3, 'API', 'x', 100, 100, 5000),"
	    " ('b', 0, 3, 'API', 'x', 999, 999, 1000),"
	    " ('c', 0, 3, 'API' || char(10) || 'Copr', 'x', 1000, 1000,"
	    " 1900),"
	    " ('d', 0, 0, 'Copr', 'x', 1100, 1100, 0),"
	    " ('e', 0, 3, '', 'x', 1200, 1200, 1260),"
	    " ('f', 0, 3, 'Koji', 'x', 1300, 1300, 1600)");
	assert_int_equal(store_outage_durations(s, 1000, &d, &n), 0);
	assert_int_equal(n, 3);
	/* In no particular order: each row where its duration says. */
	for (i = 0; i < n; i++) {
		if (d[i].seconds == 60)
			assert_string_equal(d[i].affected, "");
		else if (d[i].seconds == 300)
			assert_string_equal(d[i].affected, "Koji");
		else {
			assert_int_equal(d[i].seconds, 900);
			assert_string_equal(d[i].affected, "API\nCopr");
		}
	}
	assert_int_equal(d[0].seconds + d[1].seconds + d[2].seconds, 1260);
	store_outage_durations_free(d, n);
	assert_int_equal(store_outage_durations(s, 2000, &d, &n), 0);
	assert_int_equal(n, 0);
	store_outage_durations_free(d, n);
	/* The plan's one step (its detail is column 3). */
	assert_int_equal(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT "
	    "resolved_at - opened_at, affected FROM outages WHERE state = 3 "
	    "AND opened_at >= 1000", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_non_null(strstr((const char *)sqlite3_column_text(st, 3),
	    "COVERING INDEX outages_stats"));
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	store_close(s);
}

/* The window: overrides overlapping [from, until), a limit, the length cap. */
static void
test_override_window(void **state)
{
	struct fixture		*f = *state;
	struct store		*s = open_ok(f->db);
	struct store_override	*rows;
	size_t			 n;

	/* [100,200) [150,400) [500,600) */
	assert_true(store_override_add(s, "om", "bob", 100, 200, 1, "a",
	    "override", NULL) > 0);
	assert_true(store_override_add(s, "om", "carol", 150, 400, 2, "a",
	    "override", NULL) > 0);
	assert_true(store_override_add(s, "om", "dave", 500, 600, 3, "a",
	    "override", NULL) > 0);
	assert_int_equal(store_override_list(s, "om", 180, 450, 0, &rows,
	    &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].person, "bob");
	assert_string_equal(rows[1].person, "carol");
	store_override_free(rows, n);
	assert_int_equal(store_override_list(s, "om", 200, 501, 0, &rows,
	    &n), 0);
	assert_int_equal(n, 2);		/* carol and dave; bob ended at 200 */
	assert_string_equal(rows[0].person, "carol");
	store_override_free(rows, n);
	assert_int_equal(store_override_list(s, "om", 0, 0, 2, &rows, &n), 0);
	assert_int_equal(n, 2);		/* the limit */
	store_override_free(rows, n);
	/* Longer than 366 days is refused. */
	assert_int_equal(store_override_add(s, "om", "bob", 0,
	    STORE_OVERRIDE_MAX_S + 1, 4, "a", "override", NULL), -1);
	assert_true(store_override_add(s, "om", "bob", 1000,
	    1000 + STORE_OVERRIDE_MAX_S, 5, "a", "override", NULL) > 0);
	/* ... which keeps the window's lower bound exact. */
	assert_int_equal(store_override_list(s, "om", 1000 +
	    STORE_OVERRIDE_MAX_S - 1, 0, 0, &rows, &n), 0);
	assert_int_equal(n, 1);
	store_override_free(rows, n);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_override_window, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_fresh, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrate_failure_keeps_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_failure_atomic,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_begin_twice, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_v2, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_overrides, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_override_in_failed_tx,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_notices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_override_bulk, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_busy_write_fails_fast,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_passive, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_runner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outage_durations, setup,
		    teardown),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
