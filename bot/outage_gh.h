/*
 * outage_gh.h — the outbox executor for an outage's GitHub jobs
 * ("gh.create", "gh.pin", "gh.comment", "gh.close", "gh.unpin"; DESIGN
 * §5, §8): one request at a time, at least 1 s between starts, every
 * response classified by http_classify, and an issue created exactly
 * once across crashes (a job that may have reached GitHub looks for its
 * marker first).
 */
#ifndef OB_OUTAGE_GH_H
#define OB_OUTAGE_GH_H

struct config;
struct http;
struct outage_run;
struct outbox;
struct store;
struct outage_gh;

/*
 * Register the executor on ob for the github group of cfg (borrowed
 * until outage_gh_free). NULL when cfg has no github group (then no
 * executor: GitHub jobs wait, and none are made).
 */
struct outage_gh	*outage_gh_new(struct outbox *, struct http *,
			    struct store *, struct outage_run *,
			    const struct config *);
/* Unregister and free; requests in flight are cancelled. */
void			 outage_gh_free(struct outage_gh *);

#endif
