/*
 * rotation.h — on-call rotations, pure: shift boundaries in a role's
 * time zone, state-based handoffs, overrides, schedules, and the iCal
 * calendar. No I/O, no clock: "now" is always an argument. The store
 * keeps the state and the overrides; bot-side code (cmd_oncall.c,
 * oncall.c) calls these functions and writes what they decide.
 *
 * Shifts that are a whole number of days (1d, 1w, 2w) step in local
 * calendar time, so a weekly 09:00 handoff stays at 09:00 local across
 * DST changes (that week is 167 or 169 hours long). Other lengths (12h,
 * 90m) are absolute.
 */
#ifndef OB_ROTATION_H
#define OB_ROTATION_H

#include <stddef.h>
#include <time.h>

struct tz;

#define ROT_NAME_MAX	64

struct rot_role {
	const char		*name;
	char *const		*members;	/* person names, in order */
	size_t			 nmembers;	/* >= 1 */
	int			 shift_days;	/* > 0: calendar days */
	long long		 shift_ms;	/* used when shift_days == 0 */
	time_t			 start;		/* anchor: one handoff instant */
	const struct tz		*tz;
};

/* Persisted per role: who is on call by rotation, since when. */
struct rot_state {
	char	member[ROT_NAME_MAX];
	int	pos;		/* member's index in the list when chosen */
	time_t	shift_start;
};

/* One handoff decided by rot_advance. */
struct rot_handoff {
	time_t	at;
	char	from[ROT_NAME_MAX];
	char	to[ROT_NAME_MAX];
	int	removed;	/* because from left the member list */
};

/* A stored override: person covers the role in [from, to). */
struct rot_override {
	long long	 id;
	const char	*person;
	time_t		 from;
	time_t		 to;
	time_t		 created;
};

/* A stretch of time with one person on call. */
struct rot_slot {
	time_t		 start;
	time_t		 end;
	char		 person[ROT_NAME_MAX];
	char		 covers[ROT_NAME_MAX];	/* replaced member, or "" */
	long long	 override_id;		/* 0: the rotation */
};

/* The end of the shift that begins at start (the next handoff). */
time_t	rot_shift_end(const struct rot_role *, time_t start);

/* rot_shift_end applied n times from start (start when n <= 0). */
time_t	rot_shifts_end(const struct rot_role *, time_t start, int n);

/*
 * The start of the shift (counted from the anchor) that contains t, and
 * its index: 0 for the shift starting at the anchor, negative before it.
 */
time_t	rot_shift_containing(const struct rot_role *, time_t t,
	    long long *index);

/* State without history: plain arithmetic from the anchor. */
void	rot_state_init(const struct rot_role *, time_t now, struct rot_state *);

/*
 * Bring state up to now. If state->member left the list, the member now
 * at its old position takes over at once (at = now). Then every handoff
 * due at or before now is applied, in order. cb (may be NULL) sees each
 * handoff. Returns the number of handoffs.
 */
int	rot_advance(const struct rot_role *, struct rot_state *, time_t now,
	    void (*cb)(const struct rot_handoff *, void *), void *arg);

/* The override in force at t (the newest created covering t), or NULL. */
const struct rot_override *rot_override_at(const struct rot_override *,
	    size_t n, time_t t);

/*
 * Who is on call at t (t >= state->shift_start): the rotation member of
 * the shift containing t, replaced by the override in force, as a slot
 * cut where the shift or the override ends.
 */
void	rot_who(const struct rot_role *, const struct rot_state *,
	    const struct rot_override *, size_t n, time_t t, struct rot_slot *);

/*
 * Up to count consecutive slots from t on: the rotation's shifts from the
 * state forward, split where overrides begin and end; adjacent slots of
 * the same person and cause are merged. Returns the number filled.
 */
size_t	rot_schedule(const struct rot_role *, const struct rot_state *,
	    const struct rot_override *, size_t n, time_t t, size_t count,
	    struct rot_slot *out);

/*
 * Merge adjacent slots with the same person and the same covers (an
 * override of one's own shift, a take inside it) into one, for people
 * to read; two plain rotation shifts are never merged. Returns the new
 * count.
 */
size_t	rot_runs(struct rot_slot *, size_t n);

/*
 * A swap: the next shift (after now, not the current one) of person a
 * and the next shift of person b exchange hands, expressed as two
 * overrides (b covers a's shift, a covers b's). Returns 0, or -1 with a
 * reason in *cause ("bob has no upcoming shift in outage-master").
 */
int	rot_swap(const struct rot_role *, const struct rot_state *,
	    const char *a, const char *b, time_t now, struct rot_slot out[2],
	    char **cause);

/* One role's input to the calendar. */
struct rot_cal {
	const struct rot_role		*role;
	const struct rot_state		*state;
	const struct rot_override	*overrides;
	size_t				 noverrides;
};

/*
 * RFC 5545 calendar of every role's slots from now until until: CRLF
 * line ends, lines folded at 75 octets without splitting a UTF-8
 * character, UTC times, UIDs "role-<slot start as YYYYMMDDTHHMMSSZ>@
 * instance". Caller frees.
 */
char	*rot_ical(const char *instance, const struct rot_cal *, size_t n,
	    time_t now, time_t until);

#endif
