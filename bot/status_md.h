/*
 * status_md.h — the Markdown pages of cState and Statusfy sites (DESIGN
 * §7): file names, the two renderers (front matter written with libyaml,
 * then the body), and the cState reader behind import-cstate. Pure: no
 * I/O, no store. status_md.c is the one module that includes yaml.h.
 */
#ifndef OB_STATUS_MD_H
#define OB_STATUS_MD_H

#include <stddef.h>
#include <time.h>

#include "outage.h"

/*
 * The slug of an outage: the title in lower-case ASCII letters and
 * digits, other runs as one '-', trimmed, at most 50 characters, then
 * "-<id>" (so two outages with one title never share a file); "outage-<id>"
 * when the title has no letter or digit. Caller frees.
 */
char	*status_md_slug(const struct outage *);

/*
 * The file of an outage relative to the site's folder (path or dir):
 * cState "<YYYY-MM-DD>-<slug>.md", Statusfy "<YYYY-MM-DD>_<slug>.md",
 * the date being opened_at in UTC. Caller frees.
 */
char	*status_md_cstate_name(const struct outage *);
char	*status_md_statusfy_name(const struct outage *);

/*
 * The whole file for the outage as it is now (caller frees), or NULL
 * when libyaml cannot emit it. systems maps component names to
 * Statusfy system ids ("from=to" pairs as in the config; NULL/0: lower
 * case, spaces to '-').
 */
char	*status_md_cstate(const struct outage *);
struct cfg_pair;
char	*status_md_statusfy(const struct outage *,
	    const struct cfg_pair *systems, size_t nsystems);

/*
 * Read a cState issue file (its whole text) into o: title, date,
 * severity, affected, resolved / resolvedWhen, informational notices,
 * and the "Updates:" items as the timeline. 0, or -1 with a short
 * reason in *cause (caller frees): "line 3: mapping values are not
 * allowed here". o->id is 0; the caller assigns it.
 */
int	 status_md_cstate_read(const char *text, size_t len, struct outage *o,
	    char **cause);

#endif
