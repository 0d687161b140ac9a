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

struct config;
struct loop;
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
struct oncall_rows;
struct oncall_view {
	struct rot_role		 role;
	struct rot_state	 state;
	struct rot_override	*ov;
	size_t			 nov;
	void			*rows;	/* store rows backing ov, */
	size_t			 nrows;
	struct oncall_rows	*shared; /* or the run time's rows */
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

/*
 * What the run-time part may do outside itself, handed in at creation:
 * the loop and store it borrows, a clock, and the ways to speak. It never
 * sees struct bot nor the IRC layer. Each function gets arg.
 */
struct oncall_env {
	struct loop	*loop;
	struct store	*store;
	time_t		(*now)(void);		/* wall clock, seconds */
	/* Say a line in a channel (announcements). */
	void		(*say_channel)(void *arg, const char *chan,
			    const char *text);
	/* Say a line privately to an online nick (reminders). */
	void		(*say_private)(void *arg, const char *nick,
			    const char *text);
	/*
	 * The nick under which team person is online and may be told
	 * things privately (with identify = hostmask only a user whose
	 * full mask matches the person's team entry), or NULL.
	 */
	const char	*(*present)(void *arg, const char *person);
	/* 1 when the bot is in chan and knows who is there. */
	int		(*in_channel)(void *arg, const char *chan);
	void		*arg;
};

/*
 * Create the run-time part: env is copied, cfg borrowed until the next
 * oncall_set_config. Nothing is announced before oncall_refresh.
 */
struct oncall	*oncall_new(const struct oncall_env *, const struct config *);
void		 oncall_free(struct oncall *);
/* Take a new config after a reload (then call oncall_refresh). */
void		 oncall_set_config(struct oncall *, const struct config *);
/* Catch up every role, announce what is due, arm the timers, write
 * the calendar. Also after a reload and after every override change. */
void		 oncall_refresh(struct oncall *);
/* The bot is in chan now: announcements waiting for it are tried. */
void		 oncall_joined(struct oncall *, const char *chan);

/*
 * The role's view at now, as oncall_view_load gives it, from what the
 * run-time part keeps in memory: the role's stored state and the
 * overrides of the last window read. Both are read from the store the
 * first time and again after every change made here (handoff, take,
 * override, swap, cancel, reload), so the store stays the truth and no
 * other writer is expected. Free with oncall_view_free (before or after
 * such a change: the view holds its own reference).
 */
int		 oncall_view(struct oncall *, const struct cfg_role *,
		     time_t now, int shifts, struct oncall_view *);

#define ONCALL_WHO_SHIFTS	3	/* shifts looked at for "until", "next" */

/*
 * !who-is-on-call's line for a role now into buf (as oncall_who_line),
 * kept in memory while what it rests on is unchanged; NULL when the
 * state cannot be read.
 */
const char	*oncall_who(struct oncall *, const struct cfg_role *,
		     time_t now, char *buf, size_t bufsz);

/*
 * A change's audit record: who asked (person or nick), their level, the
 * nick that sent it (the bridge nick for relays), where ("private" or
 * the channel), the command and its argument text. Written in the
 * change's own transaction.
 */
struct oncall_audit {
	const char	*who;
	const char	*level;
	const char	*via;
	const char	*place;
	const char	*command;
	const char	*args;
};

/* The longest override, in seconds (366 days). */
#define ONCALL_OVERRIDE_MAX_S	(366LL * 86400)

/*
 * Store an override: person covers role r in [from, to) (from in the
 * past starts now), made by by as kind ("take", "override") in place of
 * covers (or NULL). Checks the interval and the 366-day limit, then
 * refreshes timers and calendar. The new id, or -1 with *cause (a short
 * line for the asker; caller frees).
 */
long long	 oncall_override_add(struct oncall *, const struct cfg_role *r,
		     const char *person, time_t from, time_t to,
		     const char *kind, const char *covers, const char *by,
		     const struct oncall_audit *, char **cause);
/*
 * Exchange me's next shift in r with other's next shift: two "swap"
 * overrides in one transaction. out[0] is other's new shift (covering
 * me), out[1] me's; ids[] their ids. 0, or -1 with *cause.
 */
int		 oncall_swap(struct oncall *, const struct cfg_role *r,
		     const char *me, const char *other,
		     const struct oncall_audit *, struct rot_slot out[2],
		     long long ids[2], char **cause);
/*
 * Cancel the current or upcoming override id. 1 and its role in *role
 * (caller frees), 0 if there is none, or -1 with *cause.
 */
int		 oncall_override_cancel(struct oncall *, long long id,
		     const struct oncall_audit *, char **role, char **cause);
/*
 * A current or upcoming override, as listed: person covers role in
 * [start, end); kind is how it was made ("take", "override", "swap").
 */
struct oncall_override {
	long long	 id;
	char		*role;
	char		*person;
	time_t		 start;
	time_t		 end;
	char		*kind;
	char		*created_by;
};
/*
 * The current and upcoming overrides of role (NULL: all), at most
 * limit. 0 and *rows, *n (free with oncall_overrides_free), or -1.
 */
int		 oncall_overrides(struct oncall *, const char *role,
		     int limit, struct oncall_override **rows, size_t *n);
/* Free what oncall_overrides returned; NULL is a no-op. */
void		 oncall_overrides_free(struct oncall_override *, size_t);

#endif
