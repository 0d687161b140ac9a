/*
 * store_oncall.c — what the on-call rotations remember (DESIGN §6): per
 * role, who is on call by rotation and since when; overrides (takes,
 * overrides, swaps), which are cancelled but never deleted so the history
 * stays; and the notices already given (handoff announcements, reminders),
 * so a restart neither repeats nor skips one. It owns tables rotation,
 * overrides and notices and their schema steps. It stores and finds rows;
 * the rotation math and the rules of who may cover whom are rotation.c's
 * and oncall.c's. Queries go through store.c's runner (store_int.h); no
 * SQLite here.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_int.h"

const struct store_step store_oncall_steps[] = {
	/*
	 * 2 -> 3: on-call rotations. rotation holds who is on call by
	 * rotation and since when; overrides are never deleted, only
	 * cancelled, so the history stays; notices records the handoff
	 * announcements and reminders already made, so a restart neither
	 * repeats nor skips one.
	 */
	{ 3,
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
	" PRIMARY KEY (role, kind, at));" },

	/* 3 -> 4: overrides are looked up by the window they overlap. */
	{ 4,
	"CREATE INDEX overrides_role_start ON overrides(role, start, id);" },
	{ 0, NULL },
};

/* Read the role's rotation state: 1 (*member: caller frees), 0, -1. */
int
store_rotation_get(struct store *s, const char *role, char **member,
    int *pos, time_t *shift_start)
{
	static const char	*op = "read rotation";
	int			 rc;

	*member = NULL;
	rc = store_get(s, op, "SELECT member, pos, shift_start FROM rotation "
	    "WHERE role = ?", "S>siT", role, member, pos, shift_start);
	if (rc == 1 && *member == NULL)
		return store_refuse(s, op, "no member for %s", role);
	return rc;
}

/* Insert or overwrite the role's rotation state. 0 or -1. */
int
store_rotation_set(struct store *s, const char *role, const char *member,
    int pos, time_t shift_start, time_t now)
{
	return store_run(s, "write rotation", "INSERT INTO rotation "
	    "(role, member, pos, shift_start, updated_at) "
	    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (role) DO UPDATE SET "
	    "member = excluded.member, pos = excluded.pos, "
	    "shift_start = excluded.shift_start, "
	    "updated_at = excluded.updated_at", "SSiTT", role, member, pos,
	    shift_start, now);
}

/* Add an override row; its new id, or -1 (also when end <= start). */
long long
store_override_add(struct store *s, const char *role, const char *person,
    time_t start, time_t end, time_t created_at, const char *created_by,
    const char *kind, const char *covers)
{
	static const char	*op = "add override";

	/* end > start is left to the table's CHECK, the one rule keeper;
	 * the length bound keeps store_override_list's window scan exact. */
	if ((long long)end - (long long)start > STORE_OVERRIDE_MAX_S)
		return store_refuse(s, op, "longer than 366 days");
	if (store_run(s, op, "INSERT INTO overrides (role, person, start, "
	    "\"end\", created_at, created_by, kind, covers) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "SSTTTSSs", role, person,
	    start, end, created_at, created_by, kind, covers) != 0)
		return -1;
	return store_last_id(s);
}

/* Cancel active override id: 1 (*role: caller frees), 0 none, -1. */
int
store_override_cancel(struct store *s, long long id, time_t now,
    char **role)
{
	*role = NULL;
	return store_get(s, "cancel override", "UPDATE overrides "
	    "SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL "
	    "RETURNING role", "TI>s", now, id, role);
}

/* The override columns every query below selects, in this order. */
#define STORE_OVERRIDE_COLS \
	"id, role, person, start, \"end\", created_at, created_by, kind, " \
	"covers"

/* Fill an override from the current row of a STORE_OVERRIDE_COLS query. */
static void
store_override_read(struct store_row *row, void *item)
{
	struct store_override	*r = item;

	store_row_read(row, "IssTTTsss", &r->id, &r->role, &r->person,
	    &r->start, &r->end, &r->created_at, &r->created_by, &r->kind,
	    &r->covers);
}

/* Free override rows (store_list). */
static void
store_override_drop(void *rows, size_t n)
{
	store_override_free(rows, n);
}

static const struct store_rows store_override_rows = {
	sizeof (struct store_override), store_override_read,
	store_override_drop
};

/*
 * Active overrides of role (NULL: all) overlapping [from, until), at most
 * limit of them. No override is longer than STORE_OVERRIDE_MAX_S, so the
 * (role, start) index bounds the scan on both sides. 0/-1.
 */
int
store_override_list(struct store *s, const char *role, time_t from,
    time_t until, int limit, struct store_override **rows, size_t *n)
{
	const char	*sql;

	/* Two texts rather than "role = ? OR ? IS NULL", so that the
	 * (role, start) index serves the per-role query. */
	if (role != NULL)
		sql = "SELECT " STORE_OVERRIDE_COLS
		    " FROM overrides WHERE role = ? AND start > ?"
		    " AND start < ? AND \"end\" > ? AND cancelled_at IS NULL"
		    " ORDER BY start, id LIMIT ?";
	else
		sql = "SELECT " STORE_OVERRIDE_COLS
		    " FROM overrides WHERE ? IS NULL AND start > ?"
		    " AND start < ? AND \"end\" > ? AND cancelled_at IS NULL"
		    " ORDER BY start, id LIMIT ?";
	return store_list(s, &store_override_rows, (void **)rows, n,
	    "list overrides", sql, "sIITi", role,
	    (long long)from - STORE_OVERRIDE_MAX_S - 1,
	    until != 0 ? (long long)until : LLONG_MAX, from,
	    limit > 0 ? limit : -1);
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
	struct store_override	*rows;
	size_t			 n;

	memset(out, 0, sizeof *out);
	if (store_list(s, &store_override_rows, (void **)&rows, &n,
	    "read override", "SELECT " STORE_OVERRIDE_COLS " FROM overrides "
	    "WHERE id = ? AND cancelled_at IS NULL", "I", id) != 0)
		return -1;
	if (n == 0)
		return 0;
	/* id is the primary key: one row at most. */
	*out = rows[0];
	free(rows);
	return 1;
}

/* 1 if the notice (role, kind, at) was recorded, 0 if not, -1. */
int
store_notice_done(struct store *s, const char *role, const char *kind,
    time_t at)
{
	int	one;

	return store_get(s, "read notice", "SELECT 1 FROM notices "
	    "WHERE role = ? AND kind = ? AND at = ?", "SST>i", role, kind,
	    at, &one);
}

/* Record the notice (role, kind, at); a repeat keeps the first. 0/-1. */
int
store_notice_mark(struct store *s, const char *role, const char *kind,
    time_t at, const char *member, time_t now)
{
	return store_run(s, "write notice", "INSERT INTO notices "
	    "(role, kind, at, member, done_at) VALUES (?, ?, ?, ?, ?) "
	    "ON CONFLICT (role, kind, at) DO NOTHING", "SSTST", role, kind,
	    at, member, now);
}
