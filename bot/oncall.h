/*
 * oncall.h — rotations at run time: each role's state loaded from the
 * store and brought up to date, handoff announcements and reminders on
 * timers at their instants, overrides, the iCal file. The math is
 * rotation.c's; this module does the I/O around it (store, IRC, file).
 * The query half (oncall_view_*) needs only a config and a store, so the
 * offline "outagebot oncall" answers exactly like !who-is-on-call.
 */
#ifndef OB_ONCALL_H
#define OB_ONCALL_H

#include <stddef.h>
#include <time.h>

#include "rotation.h"

struct bot;
struct config;
struct cfg_role;
struct store;
struct oncall;

/* A role's rotation as rotation.c wants it (borrows from cfg). */
void		 oncall_role(const struct cfg_role *, struct rot_role *);

/*
 * A role's state at now: stored state brought up to now in memory (or
 * from the anchor when none is stored), and its active overrides that
 * overlap the current shift and the next (shifts - 1) ones, or up to
 * until if that is later. Free with oncall_view_free. 0 or -1.
 */
struct oncall_view {
	struct rot_role		 role;
	struct rot_state	 state;
	struct rot_override	*ov;
	size_t			 nov;
	void			*rows;		/* store rows backing ov */
	size_t			 nrows;
};
int		 oncall_view_load(struct store *, const struct cfg_role *,
		     time_t now, int shifts, time_t until,
		     struct oncall_view *);
void		 oncall_view_free(struct oncall_view *);

/*
 * The one-line answer of !who-is-on-call for a role at t:
 * "outage-master: bob (covering for alice) until Mon 7 Dec 09:00 CET;
 * next: carol". Returns buf.
 */
const char	*oncall_who_line(const struct cfg_role *,
		     const struct oncall_view *, time_t t, time_t now,
		     char *buf, size_t bufsz);

/* Run-time part, owned by struct bot. */
struct oncall	*oncall_new(struct bot *);
void		 oncall_free(struct oncall *);
/* Catch up every role, announce what is due, arm the timers, write
 * the calendar. Also after a reload and after every override change. */
void		 oncall_refresh(struct oncall *);

#endif
