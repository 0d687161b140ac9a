/*
 * status_cachet.h — the pure parts of the Cachet backend (DESIGN §7):
 * the status numbers of Cachet 2.x, the request bodies and the reading
 * of its answers. No I/O; status_cachet.c sends them (status_cachet_ops
 * in status.h) and the unit tests check them.
 */
#ifndef OB_STATUS_CACHET_H
#define OB_STATUS_CACHET_H

#include <stddef.h>

#include "outage.h"
#include "status.h"

/* Cachet's incident status of a state: 1 Investigating .. 4 Fixed. */
int	 cachet_incident_status(enum outage_state);
/*
 * Cachet's component status for an affected component of o: 2
 * performance issues, 3 partial outage, 4 major outage by severity, 1
 * operational once o is resolved.
 */
int	 cachet_component_status(const struct outage *);

/* The incident's name: the title as one plain line, trimmed, at most
 * 255 characters; caller frees. */
char	*cachet_name(const struct outage *);
/* The value that marks an incident as outage id of instance; caller
 * frees. */
char	*cachet_marker(const char *instance, long long id);
/* The Markdown message of an event (never empty): the latest text, and
 * for an open the affected components and alternatives; caller frees. */
char	*cachet_message(const struct status_event *);

/*
 * The JSON body that creates the incident of ev: name, message, status,
 * visible 1, notify false, the marker as meta, and component_id /
 * component_status when component_id > 0. Caller frees.
 */
char	*cachet_create_body(const struct status_event *,
	    long long component_id);
/* The JSON body of an incident update (status, message); caller frees. */
char	*cachet_update_body(const struct status_event *);
/* The JSON body that sets a component's status; caller frees. */
char	*cachet_component_body(int status);

/* The id of {"data":{"id":N}} (a number or a numeric string): 0 with
 * *id > 0, or -1. */
int	 cachet_parse_id(const char *body, long long *id);

/*
 * The incident of a listing ({"data":[...]}) whose name is name and
 * whose meta carries marker (meta as [{"key","value"}] or as an
 * object): its id, 0 when none is, -1 for a body that is no listing.
 */
long long cachet_find_incident(const char *body, const char *name,
	    const char *marker);

/*
 * Whether the newest update in a listing of an incident's updates
 * (newest first, as Cachet lists them) has this status and message
 * (white space at either end aside): 1, 0 (no, or none), -1 for a body
 * that is no listing.
 */
int	 cachet_update_posted(const char *body, int status,
	    const char *message);

/*
 * A component's holders: list is "outage:status,..." (the open outages
 * on one component and the status each wants; NULL or "" for none).
 * Returns the list with outage's entry replaced by status, or dropped
 * when status is 0 (caller frees); *worst is the highest status left,
 * 0 when none. Malformed entries are dropped.
 */
char	*cachet_holders(const char *list, long long outage, int status,
	    int *worst);

/* Component names and ids, as listed by GET /api/v1/components. */
struct cachet_comp {
	char		*name;
	long long	 id;
};
struct cachet_comps {
	struct cachet_comp *v;
	size_t		 n;
};

/*
 * Append the components of one page to *cs; *more is 1 when a later
 * page exists (meta.pagination). 0, or -1 for a body that is no
 * listing (cs unchanged).
 */
int	 cachet_parse_components(const char *body, struct cachet_comps *,
	    int *more);
/* The id of a component by name (case-insensitive), or 0. */
long long cachet_comps_find(const struct cachet_comps *, const char *name);
/* Free the entries and empty *cs. */
void	 cachet_comps_clear(struct cachet_comps *);

#endif
