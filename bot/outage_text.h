/*
 * outage_text.h — every text an outage is shown as: the channel lines
 * (open, update, resolve, the tracked-at link, nudges, !outage show,
 * list and !status) and the GitHub issue body and comments (DESIGN §5).
 * Pure: the zone, the current time and the names to show are passed in.
 *
 * Text typed by people (titles, updates, alternatives) is stored as
 * typed and made safe here, per destination: for a channel line, CR, LF,
 * tabs and other control bytes become spaces; for GitHub Markdown, the
 * same plus Markdown and HTML metacharacters escaped with a backslash or
 * an entity, and "@" followed by a zero-width space so that a title never
 * pings anybody.
 */
#ifndef OB_OUTAGE_TEXT_H
#define OB_OUTAGE_TEXT_H

#include <stddef.h>
#include <time.h>

struct buf;
struct outage;
struct tz;

/* What the texts need besides the outage. */
struct outage_text_env {
	const struct tz	*tz;		/* for times in channel lines */
	time_t		 now;
	const char	*instance;	/* for the GitHub marker */
	const char	*status_url;	/* statuspage.url, or NULL */
	const char	*master_login;	/* GitHub login of the master, or
					   NULL to use the person name */
};

/* Append s to b as one safe line of plain text. */
void	 outage_text_line(struct buf *, const char *s);
/* Append s to b escaped for GitHub Markdown (one paragraph). */
void	 outage_text_md(struct buf *, const char *s);
/* Append o's affected components, comma-separated, each through put;
 * fallback when there are none. */
void	 outage_text_affected(struct buf *, const struct outage *,
	    const char *fallback, void (*put)(struct buf *, const char *));

/*
 * Channel lines; each returns a string the caller frees.
 *  open:    "[outage #12 disrupted] Copr builds failing — affected:
 *            Copr, Workers — ETA Mon 30 Nov 16:00 UTC — master: alice"
 *  update:  "[outage #12 identified] Copr builds failing: <text> — ..."
 *  resolve: "[outage #12 resolved] Copr builds failing — after 1h20m
 *            — <text> — master: alice"
 */
char	*outage_line_open(const struct outage *,
	    const struct outage_text_env *);
char	*outage_line_update(const struct outage *,
	    const struct outage_text_env *);
char	*outage_line_resolve(const struct outage *,
	    const struct outage_text_env *);
/* "outage #12 is tracked at URL — status page: URL". */
char	*outage_line_tracked(const struct outage *,
	    const struct outage_text_env *);
/* One line for !outage list and history. */
char	*outage_line_brief(const struct outage *,
	    const struct outage_text_env *);
/* The nudges: no update for a while, and no ETA yet. */
char	*outage_line_stale(const struct outage *, long long quiet_ms);
char	*outage_line_no_eta(const struct outage *);

/*
 * The channel topic while an outage is open (irc.topic): its prefix
 * "outage #12: Copr builds failing | " (the title on one line, cut to
 * OUTAGE_TOPIC_TITLE_MAX bytes at a character boundary), a topic with a
 * prefix in front (the newest outage first), and a topic with exactly
 * that prefix taken out wherever it stands, so that what people wrote
 * meanwhile stays (at the end of the topic, without the trailing space
 * that the send path or the server may have trimmed). The last two return NULL when there is nothing to
 * change (the prefix is there already, or is not there any more). The
 * caller frees what they return.
 */
#define OUTAGE_TOPIC_TITLE_MAX	100
char	*outage_topic_prefix(const struct outage *);
char	*outage_topic_add(const char *topic, const char *prefix);
char	*outage_topic_remove(const char *topic, const char *prefix);

/*
 * !status: "all systems operational", or the open outages by component
 * and severity: "Copr: down (#12); Workers: disrupted (#12, #13)".
 * An outage without components counts under "unspecified".
 */
char	*outage_status_line(const struct outage *const *, size_t n);

/* GitHub: the issue title, the issue body with its marker, an update
 * comment, and the resolve comment with a postmortem skeleton. */
char	*outage_gh_title(const struct outage *);
char	*outage_gh_body(const struct outage *,
	    const struct outage_text_env *);
char	*outage_gh_marker(const char *instance, long long id);
char	*outage_gh_update(const struct outage *,
	    const struct outage_text_env *);
char	*outage_gh_resolve(const struct outage *,
	    const struct outage_text_env *);

#endif
