/*
 * outage.h — the outage model (DESIGN §5): fields, severities, states,
 * the timeline of updates, and the rules of the state machine. The
 * rules are pure functions over plain structs: what an open, an update
 * or a resolve would change, and whether it is allowed. They never see
 * the store, IRC or GitHub; the run-time part that stores an outage and
 * its jobs in one transaction builds on these.
 */
#ifndef OB_OUTAGE_H
#define OB_OUTAGE_H

#include <stddef.h>
#include <time.h>

/* The words cState uses; numbers are stored, never reused. */
enum outage_severity {
	OUTAGE_NOTICE = 0,
	OUTAGE_DISRUPTED = 1,
	OUTAGE_DOWN = 2
};

/* The words Statuspage uses; numbers are stored, never reused. */
enum outage_state {
	OUTAGE_INVESTIGATING = 0,
	OUTAGE_IDENTIFIED = 1,
	OUTAGE_MONITORING = 2,
	OUTAGE_RESOLVED = 3
};

/* One entry of the timeline: an open, an update or the resolve. */
struct outage_update {
	long long		 id;
	time_t			 at;
	char			*author;	/* person name */
	char			*text;		/* may be empty */
	enum outage_state	 state;		/* the state after it */
	int			 state_changed;	/* it moved the state */
};

struct outage {
	long long		 id;		/* sequential, from 1 */
	char			*title;
	enum outage_severity	 severity;
	enum outage_state	 state;
	char			**affected;	/* configured spelling */
	size_t			 naffected;
	char			*alternatives;	/* or NULL */
	time_t			 eta;		/* 0: not known */
	char			*cause;		/* upstream link, or NULL */
	char			*master;	/* person name, or NULL */
	char			*opened_by;
	time_t			 opened_at;
	time_t			 updated_at;	/* last update (or open) */
	time_t			 resolved_at;	/* 0 while open */
	long long		 from_alert;	/* 0: opened by hand */
	long long		 issue_number;	/* GitHub, 0 until created */
	char			*issue_url;
	struct outage_update	*updates;	/* oldest first */
	size_t			 nupdates;
};

/* Free the fields of o (not o itself) and zero it. */
void		 outage_clear(struct outage *);

/* Words for severities and states, and their parsers (case-insensitive;
 * -1 for an unknown word). */
const char	*outage_severity_name(enum outage_severity);
int		 outage_severity_parse(const char *);
const char	*outage_state_name(enum outage_state);
int		 outage_state_parse(const char *);

/*
 * Read "--affected A,B" against the configured components. Each name is
 * trimmed and matched case-insensitively; it is reported in the
 * configured spelling. With no components configured any non-empty
 * name is taken as typed. Duplicates are dropped. Returns 0 with
 * *out (caller frees with outage_names_free), or -1 with a short
 * reason in *cause (caller frees): "unknown component \"Kojii\"
 * (known: API, Copr, Koji)".
 */
int		 outage_affected_parse(const char *text,
		     char *const *components, size_t ncomponents,
		     char ***out, size_t *nout, char **cause);
void		 outage_names_free(char **, size_t);

/*
 * An update as typed: every field is optional. A NULL pointer or a -1
 * means "unchanged". An eta of (time_t)-1 means unchanged, 0 clears it.
 */
struct outage_change {
	int			 state;		/* enum outage_state or -1 */
	int			 severity;	/* enum outage_severity or -1 */
	char			**affected;	/* borrowed */
	size_t			 naffected;
	int			 set_affected;
	time_t			 eta;
	const char		*master;
	const char		*alternatives;
	const char		*cause;
	const char		*text;
};

/* A change with every field "unchanged". */
void		 outage_change_init(struct outage_change *);

/*
 * Check that change may be applied to o as an update: o must be open,
 * the state may not be set to resolved (that is !outage resolve), and
 * the update must change something or carry text. Returns 0, or -1
 * with a one-line reason for the user in *cause (caller frees).
 */
int		 outage_update_check(const struct outage *,
		     const struct outage_change *, char **cause);

/*
 * Apply a checked change to o at now by author: fields are replaced,
 * a timeline entry is appended, updated_at moves. Resolve is the same
 * with state OUTAGE_RESOLVED, which also sets resolved_at. The pure
 * counterpart of what the store records.
 */
void		 outage_apply(struct outage *, const struct outage_change *,
		     const char *author, time_t now);

/* May o be resolved? 0, or -1 with a reason (already resolved). */
int		 outage_resolve_check(const struct outage *, char **cause);

#endif
