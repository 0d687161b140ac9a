/*
 * when.h — times as people type them in commands and the config, and as
 * the bot writes them back. Pure: the current time and the zone are
 * arguments.
 *
 * Accepted by when_parse:
 *   "now"
 *   "16:00"                  the next occurrence of that clock time
 *   "2026-11-30"             midnight at the start of that day
 *   "2026-11-30 09:00", "2026-11-30T09:00[:SS]"
 *   the same with "Z" or an offset "+01:00" / "-0500" (ISO 8601):
 *                            that instant, whatever the zone
 *   "90m", "2h", "1d", "1w"  a duration from now (also "+2h")
 * Wall times without an offset are read in the given zone.
 */
#ifndef OB_WHEN_H
#define OB_WHEN_H

#include <stddef.h>
#include <time.h>

struct tz;

/*
 * Parse text into an instant. Returns 0, or -1 with a short reason in
 * *cause (caller frees), e.g. "\"31:00\" is not a time (use 16:00,
 * 2026-11-30 09:00, 2h, ...)".
 */
int	when_parse(const char *text, const struct tz *, time_t now,
	    time_t *out, char **cause);

/*
 * The pieces of an ISO 8601 time, each read at *p (advanced past it):
 * "YYYY-MM-DD" (a day that exists, from 1970), "HH:MM" or "HH:MM:SS"
 * (one-digit hours allowed), and an offset "Z", "+01:00", "+0100" or
 * "-05" in seconds east. 0, or -1 (*p unchanged).
 */
int	when_read_date(const char **p, int *y, int *mo, int *d);
int	when_read_clock(const char **p, int *h, int *mi, int *s);
int	when_read_offset(const char **p, long *off);

/* Does text look like a date ("2026-11-30"), or a clock ("09:00")? */
int	when_is_date(const char *text);
int	when_is_clock(const char *text);

/*
 * Write t as people read it: "Mon 30 Nov 09:00 CET" — with the year
 * added when it is not now's year. Returns buf.
 */
const char *when_format(const struct tz *, time_t t, time_t now, char *buf,
	    size_t bufsz);

/* RFC 3339 in UTC, "2026-11-24T18:02:00Z". Returns buf. */
const char *when_rfc3339(time_t t, char *buf, size_t bufsz);

#endif
