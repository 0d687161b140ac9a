/*
 * store_outbox.c — the jobs table (DESIGN §8, store_outbox.h). It owns
 * the table and its schema step, and answers "which jobs may start now"
 * in one query: pending, due, and the oldest job of its lane that is not
 * done. What a job does is the outbox's executors' business. Queries go
 * through store.c's runner (store_int.h); no SQLite here.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_outbox.h"

const struct store_step store_outbox_steps[] = {
	/*
	 * 4 -> 5: the outbox. A lane ("gh:12", "irc:#chan") orders its
	 * jobs; the partial index keeps "what is open" cheap however many
	 * done jobs pile up.
	 */
	{ 5,
	"CREATE TABLE jobs ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" lane TEXT NOT NULL,"
	" outage_id INTEGER,"
	" payload TEXT NOT NULL,"
	" state INTEGER NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" resumed INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER NOT NULL,"
	" last_error TEXT,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX jobs_open ON jobs(lane, id) WHERE state != 2;" },
	{ 0, NULL },
};

#define JOB_COLUMNS	"id, kind, lane, outage_id, payload, state, " \
			"attempts, resumed, next_at, last_error, created_at"

/* Add a pending job. */
long long
store_job_add(struct store *s, const char *kind, const char *lane,
    long long outage_id, const char *payload, long long now_ms)
{
	if (store_run(s, "add job", "INSERT INTO jobs (kind, lane, "
	    "outage_id, payload, next_at, created_at) VALUES "
	    "(?, ?, NULLIF(?, 0), ?, ?, ?)", "ssIsII", kind, lane, outage_id,
	    payload, now_ms, now_ms) != 0)
		return -1;
	return store_last_id(s);
}

/* Read one jobs row (JOB_COLUMNS order). */
static void
store_job_read(struct store_row *row, void *item)
{
	struct store_job	*j = item;
	int			 state;

	store_row_read(row, "IssIsiiiIsI", &j->id, &j->kind, &j->lane,
	    &j->outage_id, &j->payload, &state, &j->attempts, &j->resumed,
	    &j->next_at, &j->last_error, &j->created_at);
	j->state = (enum store_job_state)state;
}

/* Free n jobs and the array. */
static void
store_job_drop(void *rows, size_t n)
{
	store_job_free(rows, n);
}

static const struct store_rows store_job_rows = {
	sizeof(struct store_job), store_job_read, store_job_drop
};

/* The jobs that may start now, after after_id. */
int
store_job_due(struct store *s, long long now_ms, long long after_id,
    int limit, struct store_job **rows, size_t *n, long long *next_ms)
{
	static const char	*op = "find due jobs";
	int			 rc;

	if (next_ms != NULL)
		*next_ms = -1;
	rc = store_list(s, &store_job_rows, (void **)rows, n, op,
	    "SELECT " JOB_COLUMNS " FROM jobs j WHERE state = 0 "
	    "AND next_at <= ? AND id > ? AND NOT EXISTS (SELECT 1 FROM "
	    "jobs k WHERE k.lane = j.lane AND k.id < j.id AND k.state != 2) "
	    "ORDER BY id LIMIT ?", "IIi", now_ms, after_id, limit);
	if (rc != 0)
		return -1;
	if (next_ms != NULL && store_get(s, op, "SELECT COALESCE("
	    "MIN(next_at), -1) FROM jobs j WHERE state = 0 AND next_at > ? "
	    "AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.lane = j.lane AND "
	    "k.id < j.id AND k.state != 2)", "I>I", now_ms, next_ms) < 0) {
		store_job_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* Record a run's outcome. */
int
store_job_set(struct store *s, const struct store_job *j)
{
	return store_run(s, "record job", "UPDATE jobs SET state = ?, "
	    "attempts = ?, resumed = ?, next_at = ?, last_error = ? "
	    "WHERE id = ?", "iiiIsI", (int)j->state, j->attempts, j->resumed,
	    j->next_at, j->last_error, j->id);
}

/* At start: jobs left running are pending again, marked resumed. */
int
store_job_resume(struct store *s)
{
	return store_run(s, "resume jobs", "UPDATE jobs SET state = 0, "
	    "resumed = 1 WHERE state = 1", "");
}

/* One job by id. */
int
store_job_get(struct store *s, long long id, struct store_job *j)
{
	struct store_job	*rows = NULL;
	size_t			 n = 0;

	memset(j, 0, sizeof(*j));
	if (store_list(s, &store_job_rows, (void **)&rows, &n, "read job",
	    "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", "I", id) != 0)
		return -1;
	if (n == 0)
		return 1;
	*j = rows[0];
	free(rows);
	return 0;
}

/* Jobs that are not done, oldest first. */
int
store_job_open(struct store *s, int limit, struct store_job **rows,
    size_t *n)
{
	return store_list(s, &store_job_rows, (void **)rows, n,
	    "list open jobs", "SELECT " JOB_COLUMNS " FROM jobs "
	    "WHERE state != 2 ORDER BY id LIMIT ?", "i", limit);
}

/* Free the strings of one job and zero it. */
void
store_job_clear(struct store_job *j)
{
	if (j == NULL)
		return;
	free(j->kind);
	free(j->lane);
	free(j->payload);
	free(j->last_error);
	memset(j, 0, sizeof(*j));
}

/* Free n jobs and the array. */
void
store_job_free(struct store_job *rows, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		store_job_clear(&rows[i]);
	free(rows);
}
