/*
 * status_job.h — the pure half of status pages (status_job.c): a
 * backend's stable key, the jobs an outage event adds (one per backend,
 * kind "sp.<key>.<event>", lane "sp.<key>:<outage id>") and their JSON
 * payloads, read back into a struct status_event. Pure apart from
 * status_jobs_add, which adds the jobs inside the caller's transaction;
 * the executors that run them are status.c's (status.h).
 */
#ifndef OB_STATUS_JOB_H
#define OB_STATUS_JOB_H

#include <stddef.h>

#include "config.h"
#include "outage.h"

struct store;

/* The event a job carries; numbers are part of nothing stored. */
enum status_kind {
	STATUS_OPENED = 0,
	STATUS_UPDATED,
	STATUS_RESOLVED
};

/* One job, parsed; valid until status_job_finish. */
struct status_event {
	enum status_kind	 kind;
	const char		*name;		/* "opened" ... "resolved" */
	struct outage		 outage;	/* after the event (whole) */
	const char		*outage_json;	/* the same as a JSON object */
	const char		*line;		/* the channel announcement */
	const char		*status_url;	/* statuspage.url or NULL */
	const char		*instance;
	long long		 job_id;
	int			 attempts;	/* finished attempts before */
	int			 resumed;	/* was running at a restart */
};

/* The stable key of a backend ("cstate-1a2b3c4d") into buf. */
void	 status_key(const struct cfg_backend *, char *buf, size_t bufsz);
/* The name of a backend type ("cstate"), or "?". */
const char *status_type_name(enum cfg_backend_type);

/*
 * Add one job per backend of cfg for the event on o (inside the
 * caller's transaction). line is the channel announcement. 0, or -1.
 */
int	 status_jobs_add(struct store *, const struct config *,
	    const struct outage *, enum status_kind, const char *line,
	    long long now_ms);

/* The JSON object of an outage (caller frees), and back: 0, or -1. */
char	*status_outage_json(const struct outage *);
int	 status_outage_parse(const char *json, struct outage *);

/*
 * Parse a job payload into ev (strings point into ev's own copies,
 * freed by status_event_clear). 0, or -1 for a payload that cannot be
 * read.
 */
int	 status_event_parse(const char *payload, struct status_event *);
void	 status_event_clear(struct status_event *);

#endif
