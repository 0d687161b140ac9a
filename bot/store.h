/*
 * store.h — the bot's state in SQLite: WAL, foreign keys, a short busy
 * timeout (a locked database fails a write in a fraction of a second
 * instead of stalling the loop), schema migrations by PRAGMA user_version,
 * a transaction helper. Only store.c includes sqlite3.h; the queries live
 * in store_*.c by the module they serve, and other modules call the typed
 * functions here. Errors come back as -1 with a short *cause (caller
 * frees) where a caller may show it; the detail is logged once here.
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
 * Checkpoint the WAL (passive: never waits for readers or writers).
 * Automatic checkpoints are off; the bot calls this from a timer.
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
 * Rotation state per role (DESIGN §6): the member on call by rotation,
 * their index in the member list when chosen, and the shift's start.
 * store_rotation_get returns 1 and fills the outputs (*member: caller
 * frees), 0 when the role has no state yet, or -1. store_rotation_set
 * inserts or overwrites the role's state. 0 or -1.
 */
int		 store_rotation_get(struct store *, const char *role,
		     char **member, int *pos, time_t *shift_start);
int		 store_rotation_set(struct store *, const char *role,
		     const char *member, int pos, time_t shift_start,
		     time_t now);

/*
 * An override: person covers role in [start, end). kind is how it was
 * made ("take", "override", "swap"); covers is the member it replaces,
 * or NULL. Every string is owned by the row.
 */
struct store_override {
	long long	 id;
	char		*role;
	char		*person;
	time_t		 start;
	time_t		 end;
	time_t		 created_at;
	char		*created_by;
	char		*kind;
	char		*covers;
};

/* Add an override; end must be after start. The new id, or -1. */
long long	 store_override_add(struct store *, const char *role,
		     const char *person, time_t start, time_t end,
		     time_t created_at, const char *created_by,
		     const char *kind, const char *covers);
/*
 * Cancel the active override id at now (the row is kept). Returns 1 and
 * its role in *role (caller frees), 0 if there is no such active
 * override (*role = NULL), or -1.
 */
int		 store_override_cancel(struct store *, long long id,
		     time_t now, char **role);
/* The longest override the store holds (store_override_add refuses more). */
#define STORE_OVERRIDE_MAX_S	(366LL * 86400)
/*
 * The active (not cancelled) overrides of role, or of all roles when
 * role is NULL, that overlap [from, until) (until 0: no end), ordered by
 * start then id, at most limit (0: no limit). 0 and *rows, *n (free
 * with store_override_free; NULL when none), or -1.
 */
int		 store_override_list(struct store *, const char *role,
		     time_t from, time_t until, int limit,
		     struct store_override **rows, size_t *n);
void		 store_override_free(struct store_override *, size_t);
/*
 * The active override id: 1 and *out filled (free its fields with
 * store_override_clear), 0 if none (cancelled or unknown), or -1.
 */
int		 store_override_get(struct store *, long long id,
		     struct store_override *out);
void		 store_override_clear(struct store_override *);

/*
 * Notices already given: kind is "handoff", "remind", ...; at is the
 * handoff instant the notice is about. store_notice_done returns 1 if
 * (role, kind, at) was recorded, 0 if not, -1. store_notice_mark
 * records it (a second mark is ignored and keeps the first). 0 or -1.
 */
int		 store_notice_done(struct store *, const char *role,
		     const char *kind, time_t at);
int		 store_notice_mark(struct store *, const char *role,
		     const char *kind, time_t at, const char *member,
		     time_t now);

/*
 * Test hooks, not for the bot itself. store_test_limit_pages caps the
 * database size (PRAGMA max_page_count) to simulate a full disk and returns
 * the cap now in force, or -1. store_test_pragma reads one integer pragma
 * of this connection (foreign_keys, busy_timeout, synchronous,
 * user_version, page_count); 0 and *value, or -1.
 * store_test_busy_timeout sets how long this connection waits for another
 * one's lock (to show what does not wait at all); 0 or -1.
 */
int		 store_test_limit_pages(struct store *, int pages);
int		 store_test_pragma(struct store *, const char *name,
		     long long *value);
int		 store_test_busy_timeout(struct store *, int ms);

#endif
