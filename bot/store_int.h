/*
 * store_int.h — private to the store_*.c files: the query runner that
 * store.c provides, and the schema steps each table file contributes. No
 * other module includes it; they use store.h. It does not expose SQLite:
 * only store.c includes sqlite3.h, and the table files (store_audit.c,
 * store_meta.c, store_oncall.c, store_sts.c, ...) speak SQL text, a
 * format string and C values.
 *
 * How a query is written (the one way; store.c's top comment says why):
 *
 *	return store_run(s, "write notice", "INSERT INTO notices "
 *	    "(role, kind, at, member, done_at) VALUES (?, ?, ?, ?, ?)",
 *	    "SSTST", role, kind, at, member, now);
 *
 *	rc = store_get(s, "read meta", "SELECT value FROM meta "
 *	    "WHERE key = ?", "s>s", key, &value);
 *
 * and a list is a row reader that calls store_row_read, a struct
 * store_rows naming it, and one store_list call (store_audit.c is the
 * short example). The first argument after the store is the operation's
 * name for the log; errors are logged once, in store.c.
 *
 * The format names one letter per value, in order. Before '>' the letters
 * bind the statement's parameters (the varargs are values); after '>' they
 * read the result's columns (the varargs are pointers):
 *
 *	i   int            / int *
 *	I   long long      / long long *
 *	T   time_t         / time_t *
 *	s   const char *   / char **   (NULL binds SQL NULL; a read copy is
 *	                                the caller's to free, NULL for NULL)
 *	S   const char *               (bind only: required text; NULL
 *	                                refuses the query before it runs)
 *
 * The compiler cannot check these varargs, so the letters must match the
 * C types exactly (a time_t goes with T, never with I). The runner checks
 * what it can: one letter per parameter and per column, or the query is
 * refused (logged) before it runs.
 */
#ifndef OB_STORE_INT_H
#define OB_STORE_INT_H

#include <stddef.h>

struct store;

/*
 * Run a statement that returns no rows (INSERT, UPDATE, DELETE, ...),
 * binding fmt's values: store_list with no rows wanted, where a row is an
 * error. 0, or -1 (logged; an open transaction is doomed).
 */
#define store_run(s, op, sql, ...) \
	store_list((s), NULL, NULL, NULL, (op), (sql), __VA_ARGS__)

/*
 * Run a statement that returns at most one row ("SELECT ... WHERE key =
 * ?", "UPDATE ... RETURNING", a PRAGMA): bind the letters before '>',
 * read the row into the pointers after it. 1 when a row was read, 0 when
 * there was none (the outputs are left alone), -1 on error (logged; the
 * outputs are left alone too, a text read already is freed and NULL).
 * A second row is an error: use store_list for lists.
 */
int		 store_get(struct store *, const char *op, const char *sql,
		     const char *fmt, ...);

/* The current row of a store_list query, handed to its row reader. */
struct store_row;

/* Read the current row's columns, from column 0, by read-side letters. */
void		 store_row_read(struct store_row *, const char *fmt, ...);

/*
 * How store_list builds its array: the size of one item, a reader that
 * fills a zeroed item from the current row (with store_row_read), and a
 * function that frees n items and the array (the list's public _free).
 */
struct store_rows {
	size_t	  size;
	void	(*read)(struct store_row *, void *item);
	void	(*free)(void *items, size_t n);
};

/*
 * Run a query that returns any number of rows, binding fmt's values (no
 * '>'), and read every row with how->read into a growing array. 0 with
 * *rows (the caller frees it with how->free; NULL when none) and *n, or
 * -1 (logged, the rows read so far freed, *rows NULL and *n 0; an open
 * transaction is doomed).
 */
int		 store_list(struct store *, const struct store_rows *how,
		     void **rows, size_t *n, const char *op, const char *sql,
		     const char *fmt, ...);

/* The rowid of the last row this connection inserted. */
long long	 store_last_id(struct store *);

/*
 * Refuse op for a reason found before SQL ran (a missing argument, a
 * value out of range): log "path: op: why" once and doom an open
 * transaction like any other failure. Always -1.
 */
int		 store_refuse(struct store *, const char *op, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));

/* Run SQL without values or results (schema steps, BEGIN, COMMIT). */
int		 store_exec(struct store *, const char *sql, const char *op);

/*
 * A piece of schema migration: the SQL that takes the database to
 * version. Each table file lists its own pieces in an array ending with
 * { 0, NULL }, oldest first; store_schema.c lists the arrays. A version's
 * pieces (from every file that has one) run in one transaction, in the
 * order of that list, and then user_version becomes version.
 *
 * A new table file takes the next version after the highest in any file;
 * a version that has shipped is never edited, reordered or reused.
 */
struct store_step {
	int		 version;
	const char	*sql;
};

extern const struct store_step store_audit_steps[];
extern const struct store_step store_meta_steps[];
extern const struct store_step store_oncall_steps[];
extern const struct store_step store_outage_steps[];
extern const struct store_step store_outbox_steps[];
extern const struct store_step store_sts_steps[];

/*
 * Connection set-up, for store_schema.c's store_open: store_connect opens
 * path and applies the per-connection settings (busy timeout for opening,
 * foreign keys) and checks it is a database; store_use_wal switches to WAL
 * with our synchronous and checkpoint settings; store_ready sets the busy
 * timeout for running on the loop. NULL or -1 with *cause.
 */
struct store	*store_connect(const char *path, char **cause);
int		 store_use_wal(struct store *, char **cause);
int		 store_ready(struct store *, char **cause);
/* The database file's path, for messages. */
const char	*store_path(struct store *);
/* Roll back whatever SQLite has open (a failed migration step). */
void		 store_abort(struct store *);

#endif
