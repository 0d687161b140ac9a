/*
 * store.h — the bot's state in SQLite: WAL, foreign keys, a busy timeout,
 * schema migrations by PRAGMA user_version, a transaction helper. Only
 * store.c includes sqlite3.h; other modules call the typed functions here.
 * Errors come back as -1 with a short *cause (caller frees) where a caller
 * may show it; the detail is logged once here.
 */
#ifndef OB_STORE_H
#define OB_STORE_H

#include <stddef.h>
#include <time.h>

struct store;

/*
 * Open (creating if needed) the database at path and migrate it to the
 * current schema. A database newer than this binary is refused. Returns
 * NULL and sets *cause on failure.
 */
struct store	*store_open(const char *path, char **cause);
void		 store_close(struct store *);	/* NULL is a no-op */

/* PRAGMA user_version, and the version this binary migrates to. */
int		 store_version(struct store *);
int		 store_schema_version(void);

/*
 * Transactions: store_begin (BEGIN IMMEDIATE), then store_commit or
 * store_rollback. Not nested. store_tx runs fn inside one transaction and
 * commits if it returns 0, rolls back otherwise.
 */
int		 store_begin(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);
int		 store_tx(struct store *, int (*fn)(struct store *, void *),
		     void *arg);

/* One accepted command: who (person or nick), via (IRC nick that sent it,
 * the bridge nick for relays), where (channel or "private"), command name,
 * argument text. */
struct store_audit {
	long long	 id;
	time_t		 at;
	char		*who;
	char		*level;
	char		*via;
	char		*place;
	char		*command;
	char		*args;
};
int		 store_audit_add(struct store *, time_t at, const char *who,
		     const char *level, const char *via, const char *place,
		     const char *command, const char *args);
/* Newest first, at most limit rows; free with store_audit_free. */
int		 store_audit_list(struct store *, int limit,
		     struct store_audit **rows, size_t *nrows);
void		 store_audit_free(struct store_audit *, size_t);

/* IRCv3 STS policy per host: 1 found (and not expired at now), 0 none. */
int		 store_sts_get(struct store *, const char *host, time_t now,
		     int *port, time_t *expires);
/* Store a policy; expires <= now removes it. */
int		 store_sts_set(struct store *, const char *host, int port,
		     time_t expires);

/*
 * Checkpoint the WAL (passive: never waits for readers). Automatic
 * checkpoints are off; the bot calls this from a timer.
 */
int		 store_checkpoint(struct store *);

/* Online backup to dest (sqlite3 backup API). */
int		 store_backup(struct store *, const char *dest, char **cause);

/*
 * A small key/value table for instance facts. store_meta_get returns 1 and
 * sets *value (caller frees), 0 and *value = NULL if key is absent, or -1.
 * store_meta_set inserts or overwrites.
 */
int		 store_meta_get(struct store *, const char *key, char **value);
int		 store_meta_set(struct store *, const char *key,
		     const char *value);

/*
 * Test hooks, not for the bot itself. store_test_limit_pages caps the
 * database size (PRAGMA max_page_count) to simulate a full disk and returns
 * the cap now in force, or -1. store_test_pragma reads one integer pragma
 * of this connection (foreign_keys, busy_timeout, synchronous,
 * user_version, page_count); 0 and *value, or -1.
 */
int		 store_test_limit_pages(struct store *, int pages);
int		 store_test_pragma(struct store *, const char *name,
		     long long *value);

#endif
