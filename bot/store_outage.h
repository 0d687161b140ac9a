/*
 * store_outage.h — outages and their timelines in the store (DESIGN §5).
 * Rows are read into struct outage (outage.h, the model); writes are
 * made inside the caller's transaction together with the outage's jobs.
 */
#ifndef OB_STORE_OUTAGE_H
#define OB_STORE_OUTAGE_H

#include <stddef.h>
#include <time.h>

struct store;
struct outage;
struct outage_update;

/* Insert a new outage (o->id is ignored); returns its id, or -1. */
long long	 store_outage_add(struct store *, const struct outage *);
/* Write the fields of o (not the timeline). */
int		 store_outage_save(struct store *, const struct outage *);
/* Append a timeline entry; returns its id, or -1. */
long long	 store_outage_add_update(struct store *, long long outage_id,
		     const struct outage_update *);
/* Record the GitHub issue of an outage. */
int		 store_outage_set_issue(struct store *, long long id,
		     long long number, const char *url, const char *node_id);
/* An outage's issue: 1 with its number and node id (caller frees),
 * 0 when it has none yet, -1 on error. */
int		 store_outage_issue(struct store *, long long id,
		     long long *number, char **node_id);
/* When a reminder of kind ("stale", "eta") was last said, or 0. */
int		 store_outage_reminded(struct store *, long long id,
		     const char *kind, time_t *at);
int		 store_outage_set_reminded(struct store *, long long id,
		     const char *kind, time_t at);
/*
 * One outage with its timeline. 0, 1 when there is no such outage, or
 * -1. Free with outage_clear.
 */
int		 store_outage_get(struct store *, long long id,
		     struct outage *);
/*
 * Outages without their timelines, newest first: the open ones
 * (open_only), or the last limit of all. Free each with outage_clear,
 * then the array.
 */
int		 store_outage_list(struct store *, int open_only, int limit,
		     struct outage **, size_t *);
/*
 * For !outage stats: the resolved outages opened at or after since, as
 * (duration in seconds, affected components joined by '\n'), in no
 * particular order. Free with store_outage_durations_free.
 */
struct store_duration {
	long long	 seconds;
	char		*affected;	/* "Copr\nWorkers", or "" */
};
int		 store_outage_durations(struct store *, time_t since,
		     struct store_duration **, size_t *);
void		 store_outage_durations_free(struct store_duration *, size_t);

#endif
