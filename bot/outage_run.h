/*
 * outage_run.h — outages at run time: !outage open, update and resolve
 * as transactions that store the change and every effect it causes as
 * outbox jobs (announcements in each announce channel, the GitHub
 * issue, its comments, close and pins), the reads behind list, show,
 * history, stats and !status, and the nudges for stale outages. Gets the
 * store, the outbox, the loop, a clock and the configuration; never sees
 * struct bot, IRC or HTTP (executors do the effects).
 */
#ifndef OB_OUTAGE_RUN_H
#define OB_OUTAGE_RUN_H

#include <stddef.h>
#include <time.h>

struct config;
struct loop;
struct outage;
struct outage_change;
struct outbox;
struct outage_run;
struct store;

struct outage_run_deps {
	struct store	*st;
	struct outbox	*ob;
	struct loop	*loop;
	time_t		(*now)(void *arg);
	void		*now_arg;
	/* The person on call in role at t into buf; 0, or -1 when none. */
	int		(*on_call)(void *arg, const char *role, time_t t,
			    char *buf, size_t bufsz);
	void		*on_call_arg;
};

struct outage_run	*outage_run_new(const struct outage_run_deps *,
			    const struct config *);
void			 outage_run_free(struct outage_run *);
/* A new configuration is in force (borrowed until the next call). */
void			 outage_run_config(struct outage_run *,
			    const struct config *);

/* What !outage open asks for; unset fields are NULL / 0 / -1. */
struct outage_open_req {
	const char	 *title;
	int		  severity;	/* -1: disrupted */
	char		**affected;	/* configured spelling */
	size_t		  naffected;
	time_t		  eta;		/* 0: none */
	const char	 *alternatives;
	const char	 *cause;
	const char	 *master;	/* NULL: on call in outage.role */
	long long	  from_alert;
};

/*
 * Open, update, resolve: each one transaction (the outage, its timeline
 * entry and its jobs). Returns 0, or -1 with a one-line reason for the
 * channel in *cause (caller frees); on -1 nothing was stored.
 */
int	outage_open(struct outage_run *, const struct outage_open_req *,
	    const char *actor, long long *id, char **cause);
int	outage_update(struct outage_run *, long long id,
	    const struct outage_change *, const char *actor, char **cause);
int	outage_resolve(struct outage_run *, long long id, const char *text,
	    const char *actor, char **cause);

/*
 * The GitHub issue of outage id exists: record it and say where it is
 * tracked, in one transaction (the GitHub executor calls this). 0/-1.
 */
int	outage_issue_created(struct outage_run *, long long id,
	    long long number, const char *url, const char *node_id);
/* Say a line about outage id in the announce channels (as jobs). */
int	outage_say(struct outage_run *, long long id, const char *line);

/* One outage with its timeline; -1 with *cause ("no outage #12"). */
int	outage_get(struct outage_run *, long long id, struct outage *,
	    char **cause);
/* Open outages, or the last count of all (history); newest first. */
int	outage_list(struct outage_run *, int open_only, int count,
	    struct outage **, size_t *, char **cause);
void	outage_list_free(struct outage *, size_t);

/* !outage stats over the last days: count, mean and median time to
 * resolve, overall and by component, as lines (caller frees). */
int	outage_stats(struct outage_run *, int days, char ***lines,
	    size_t *nlines, char **cause);

#endif
