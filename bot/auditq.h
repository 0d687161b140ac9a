/*
 * auditq.h — audit rows of read-only commands, written in batches off
 * the reply path. A public question asked by a team person leaves an
 * audit row, but the reply must not wait for the disk, nor the next
 * request for the last one's write: rows wait in memory and go to the
 * store in one transaction a moment later. A change writes its own row
 * in its own transaction; call auditq_flush first, so the table keeps
 * the order in which commands came.
 */
#ifndef OB_AUDITQ_H
#define OB_AUDITQ_H

#include <time.h>

struct loop;
struct store;
struct auditq;

/* A queue writing to store within delay_ms of a row (both borrowed). */
struct auditq	*auditq_new(struct loop *, struct store *,
		     long long delay_ms);
/* Write what waits, then free; NULL is a no-op. */
void		 auditq_free(struct auditq *);
/* Queue one row (store_audit_add's fields; copied). */
void		 auditq_add(struct auditq *, time_t at, const char *who,
		     const char *level, const char *via, const char *place,
		     const char *command, const char *args);
/* Write every waiting row now, in one transaction. */
void		 auditq_flush(struct auditq *);
/* Rows waiting. */
size_t		 auditq_pending(const struct auditq *);

#endif
