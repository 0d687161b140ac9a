/*
 * auditq.c — audit rows written in batches (auditq.h). It owns the rows
 * waiting and the one timer that writes them; what a row says and
 * whether a command leaves one is bot.c's, the table is store_audit.c's.
 * It must not write a row anywhere but through the store, nor keep
 * rows past auditq_free.
 */
#include <stdlib.h>
#include <string.h>

#include "auditq.h"
#include "loop.h"
#include "store.h"
#include "util.h"

#define AUDITQ_MAX	256	/* rows waiting at most; then written */

struct auditq {
	struct loop		*loop;
	struct store		*store;
	long long		 delay_ms;
	long long		 timer;		/* 0: none armed */
	struct store_audit	*rows;	/* waiting (id unused) */
	size_t			 n;
};

/* Create a queue. */
struct auditq *
auditq_new(struct loop *loop, struct store *store, long long delay_ms)
{
	struct auditq	*q = xcalloc(1, sizeof *q);

	q->loop = loop;
	q->store = store;
	q->delay_ms = delay_ms;
	q->rows = xcalloc(AUDITQ_MAX, sizeof *q->rows);
	return q;
}

/* Free one row's strings. */
static void
auditq_row_clear(struct store_audit *r)
{
	free(r->who);
	free(r->level);
	free(r->via);
	free(r->place);
	free(r->command);
	free(r->args);
	memset(r, 0, sizeof *r);
}

/*
 * Write every waiting row in one transaction. A row the store refuses
 * is dropped (the store has logged why): the audit must not grow
 * without bound in memory while the disk is full.
 */
void
auditq_flush(struct auditq *q)
{
	size_t	i;
	int	tx;

	if (q->timer != 0) {
		loop_timer_del(q->loop, q->timer);
		q->timer = 0;
	}
	if (q->n == 0)
		return;
	tx = store_begin(q->store) == 0;
	for (i = 0; i < q->n; i++) {
		store_audit_add(q->store, q->rows[i].at, q->rows[i].who,
		    q->rows[i].level, q->rows[i].via, q->rows[i].place,
		    q->rows[i].command, q->rows[i].args);
		auditq_row_clear(&q->rows[i]);
	}
	if (tx)
		(void)store_commit(q->store);	/* logs its failure */
	q->n = 0;
}

/* The timer: the oldest row has waited long enough. */
static long long
auditq_timer(struct loop *loop, long long id, void *arg)
{
	struct auditq	*q = arg;

	q->timer = 0;
	auditq_flush(q);
	return LOOP_NOMORE;
}

/* Queue one row; write the batch when full, else arm the timer. */
void
auditq_add(struct auditq *q, time_t at, const char *who, const char *level,
    const char *via, const char *place, const char *command,
    const char *args)
{
	struct store_audit	*r;

	if (q->n == AUDITQ_MAX)
		auditq_flush(q);
	r = &q->rows[q->n++];
	r->at = at;
	r->who = xstrdup(who);
	r->level = xstrdup(level);
	r->via = xstrdup(via);
	r->place = xstrdup(place);
	r->command = xstrdup(command);
	r->args = xstrdup(args != NULL ? args : "");
	if (q->timer == 0)
		q->timer = loop_timer_add(q->loop, q, q->delay_ms,
		    auditq_timer, q);
}

/* Rows waiting. */
size_t
auditq_pending(const struct auditq *q)
{
	return q->n;
}

/* Write what waits, then free. */
void
auditq_free(struct auditq *q)
{
	if (q == NULL)
		return;
	auditq_flush(q);
	free(q->rows);
	free(q);
}
