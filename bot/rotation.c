/*
 * rotation.c — on-call arithmetic: where shifts begin and end in a
 * role's time zone, who takes over at each handoff, which override is in
 * force, the schedule as a list of slots, swaps, and the iCal text.
 *
 * Everything here is pure: the clock, the database and the config are
 * someone else's. "now" is an argument, the state and the overrides come
 * in as plain structs and go out the same way; the caller persists what
 * rot_advance decided and announces it. This file must not log, read
 * the clock, touch the process's TZ or keep any state between calls.
 *
 * The shift grid. Handoff k (k may be negative) is, for a calendar
 * shift, the anchor's local wall-clock time on the anchor's local date
 * plus k * shift_days days, mapped back to an instant by tz_from_local;
 * for an absolute shift it is start + k * shift_ms / 1000 seconds. Every
 * function below measures shifts on that grid, so a handoff that fell
 * into a DST gap (02:30 moved to 03:30) is followed by one at 02:30
 * again, and a state whose shift_start is off the grid (after a removal,
 * or after the anchor was edited) is pulled back onto it at the next
 * handoff.
 *
 * Limits, on purpose: the anchor's wall time is read from the instant
 * role->start, so an anchor that itself lies in a gap is seen as the
 * moved time. There is no history: schedules and rot_who answer for
 * t >= state->shift_start only (an earlier t is read as shift_start),
 * and a slot never begins before the shift containing t, so an override
 * that began earlier shows from that shift's start. Instants are
 * clamped to the years 1..9999.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rotation.h"
#include "tz.h"
#include "util.h"

/*
 * More missed handoffs than this are not replayed one by one (a 90m
 * shift over ten years is 58,000 of them); rot_advance jumps.
 */
#define ROT_ADVANCE_MAX		10000

/* Instants are clamped to years 1..9999 so civil arithmetic never wraps. */
#define ROT_TIME_MIN		(-62135596800LL)
#define ROT_TIME_MAX		(253402300799LL)

/* Slots rot_ical asks rot_schedule for at a time. */
#define ROT_ICAL_CHUNK		256

/* What every shift computation needs, derived once from the role. */
struct grid {
	const struct rot_role	*role;
	long long		 day;		/* anchor's local civil day */
	int			 hour;		/* anchor's local wall time */
	int			 min;
	int			 sec;
	long long		 len;		/* absolute shift, seconds */
};

/* One shift of the rotation as seen from a state. */
struct shift {
	time_t		 start;
	time_t		 end;
	long long	 k;		/* grid index */
	const char	*member;	/* rotation member on call */
};

/* Non-negative remainder (b > 0). */
static long long
floormod(long long a, long long b)
{
	return a - util_floordiv(a, b) * b;
}

/* Clamp an instant to the range the arithmetic is defined on. */
static time_t
clamp_time(long long t)
{
	if (t < ROT_TIME_MIN)
		return ROT_TIME_MIN;
	if (t > ROT_TIME_MAX)
		return ROT_TIME_MAX;
	return t;
}

/*
 * Copy a person name into a ROT_NAME_MAX field, cutting a long name at
 * a UTF-8 character boundary rather than in the middle of a character.
 */
static void
name_copy(char *dst, const char *src)
{
	size_t	len = strlen(src);

	if (len > ROT_NAME_MAX - 1)
		len = util_utf8_cut(src, ROT_NAME_MAX - 1);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/*
 * Whether list member m is the person stored (maybe truncated) in a
 * ROT_NAME_MAX field; compares the way name_copy stored it, so a name
 * longer than the field is not taken for a removed member.
 */
static int
name_eq(const char *m, const char *stored)
{
	char	tmp[ROT_NAME_MAX];

	name_copy(tmp, m);
	return strcmp(tmp, stored) == 0;
}

/* Derive the anchor's civil day and wall time (or the absolute length). */
static void
grid_init(struct grid *g, const struct rot_role *role)
{
	struct tz_local	l;
	long long	s;

	memset(g, 0, sizeof *g);
	g->role = role;
	if (role->shift_days > 0) {
		tz_to_local(role->tz, role->start, &l);
		g->day = tz_days_from_civil(l.year, l.mon, l.mday);
		g->hour = l.hour;
		g->min = l.min;
		g->sec = l.sec;
	}
	/* A length under one second cannot be represented; the config
	 * refuses zero, so the fallback of one day is only a safety net. */
	s = role->shift_ms / 1000;
	g->len = s > 0 ? s : 86400;
}

/* The instant of handoff k. */
static time_t
grid_handoff(const struct grid *g, long long k)
{
	const struct rot_role	*r = g->role;
	int			 y, m, d;

	if (r->shift_days > 0) {
		tz_civil_from_days(g->day + k * r->shift_days, &y, &m, &d);
		return tz_from_local(r->tz, y, m, d, g->hour, g->min, g->sec);
	}
	return r->start + k * g->len;
}

/*
 * The handoff starting the shift that contains t, and its index. For
 * calendar shifts the local date gives k to within one, then at most a
 * step or two corrects it (handoffs are strictly increasing because a
 * day is longer than any offset change).
 */
static time_t
grid_containing(const struct grid *g, time_t t, long long *kp)
{
	const struct rot_role	*r = g->role;
	struct tz_local		 l;
	long long		 k;
	time_t			 h, h2;

	t = clamp_time(t);
	if (r->shift_days <= 0) {
		k = util_floordiv((long long)t - r->start, g->len);
		*kp = k;
		return r->start + k * g->len;
	}
	tz_to_local(r->tz, t, &l);
	k = util_floordiv(tz_days_from_civil(l.year, l.mon, l.mday) - g->day,
	    r->shift_days);
	h = grid_handoff(g, k);
	while (h > t) {
		k--;
		h = grid_handoff(g, k);
	}
	for (;;) {
		h2 = grid_handoff(g, k + 1);
		if (h2 > t)
			break;
		k++;
		h = h2;
	}
	*kp = k;
	return h;
}

/* The end of the shift containing start: the first handoff after it. */
time_t
rot_shift_end(const struct rot_role *role, time_t start)
{
	struct grid	g;
	long long	k;

	grid_init(&g, role);
	grid_containing(&g, start, &k);
	return grid_handoff(&g, k + 1);
}

/*
 * The end of the n-th shift from the one containing start: rot_shift_end
 * applied n times (start itself for n <= 0), with the grid read once.
 * Past the last representable instant every further end is the same.
 */
time_t
rot_shifts_end(const struct rot_role *role, time_t start, int n)
{
	struct grid	g;
	long long	k;
	time_t		end;

	if (n <= 0)
		return start;
	grid_init(&g, role);
	grid_containing(&g, start, &k);
	end = grid_handoff(&g, ++k);
	while (--n > 0 && end <= ROT_TIME_MAX)
		end = grid_handoff(&g, ++k);
	return end;
}

/* The start and index of the grid shift that contains t. */
time_t
rot_shift_containing(const struct rot_role *role, time_t t, long long *index)
{
	struct grid	g;
	long long	k;
	time_t		h;

	grid_init(&g, role);
	h = grid_containing(&g, t, &k);
	if (index != NULL)
		*index = k;
	return h;
}

/*
 * The index of a person in the current list, or -1; hint (the stored
 * position) wins when it matches, so a name listed twice keeps its place.
 */
static int
member_index(const struct rot_role *role, const char *stored, int hint)
{
	size_t	i;

	if (hint >= 0 && (size_t)hint < role->nmembers &&
	    name_eq(role->members[hint], stored))
		return hint;
	for (i = 0; i < role->nmembers; i++) {
		if (name_eq(role->members[i], stored))
			return (int)i;
	}
	return -1;
}

/*
 * The list index the rotation counts from: the state's member, or its
 * old position if it has left the list (whoever stands there now is who
 * rot_advance will hand over to).
 */
static long long
base_pos(const struct rot_role *role, const struct rot_state *state)
{
	int	i = member_index(role, state->member, state->pos);

	if (i >= 0)
		return i;
	return floormod(state->pos, (long long)role->nmembers);
}

/* Set the state to list position p since instant at. */
static void
state_set(const struct rot_role *role, struct rot_state *state,
    long long p, time_t at)
{
	name_copy(state->member, role->members[p]);
	state->pos = (int)p;
	state->shift_start = at;
}

/* A state from the anchor alone: the member for the shift index. */
void
rot_state_init(const struct rot_role *role, time_t now,
    struct rot_state *state)
{
	long long	k;
	time_t		h;

	memset(state, 0, sizeof *state);
	if (role->nmembers == 0)
		return;		/* breaks the contract; stay harmless */
	h = rot_shift_containing(role, now, &k);
	state_set(role, state, floormod(k, (long long)role->nmembers), h);
}

/*
 * Apply the removal of the current member, then every handoff due. A
 * removal is applied at now with shift_start = now: handoffs the removed
 * member missed during downtime are not replayed, the member at its old
 * position serves the rest of the shift containing now. If more than
 * ROT_ADVANCE_MAX handoffs are due, the intermediate ones are skipped
 * arithmetically (same order as replaying them) and cb sees only the
 * last, real handoff; the return value still counts all of them
 * (capped at INT_MAX).
 */
int
rot_advance(const struct rot_role *role, struct rot_state *state,
    time_t now, void (*cb)(const struct rot_handoff *, void *), void *arg)
{
	struct rot_handoff	 ho;
	struct grid		 g;
	long long		 n = (long long)role->nmembers;
	long long		 ks, kn, missed, j, cur;
	int			 i, count = 0;

	if (n == 0)
		return 0;
	grid_init(&g, role);
	i = member_index(role, state->member, state->pos);
	if (i < 0) {
		memset(&ho, 0, sizeof ho);
		ho.at = now;
		ho.removed = 1;
		strlcpy_ob(ho.from, state->member, sizeof ho.from);
		cur = floormod(state->pos, n);
		state_set(role, state, cur, now);
		strlcpy_ob(ho.to, state->member, sizeof ho.to);
		if (cb != NULL)
			cb(&ho, arg);
		return 1;
	}

	grid_containing(&g, state->shift_start, &ks);
	grid_containing(&g, now, &kn);
	missed = kn - ks;
	if (missed <= 0)
		return 0;

	if (missed > ROT_ADVANCE_MAX) {
		memset(&ho, 0, sizeof ho);
		ho.at = grid_handoff(&g, kn);
		cur = floormod(i + missed - 1, n);
		name_copy(ho.from, role->members[cur]);
		state_set(role, state, floormod(i + missed, n), ho.at);
		strlcpy_ob(ho.to, state->member, sizeof ho.to);
		if (cb != NULL)
			cb(&ho, arg);
		return missed > INT_MAX ? INT_MAX : (int)missed;
	}

	for (j = 1; j <= missed; j++) {
		memset(&ho, 0, sizeof ho);
		ho.at = grid_handoff(&g, ks + j);
		strlcpy_ob(ho.from, state->member, sizeof ho.from);
		i = member_index(role, state->member, state->pos);
		state_set(role, state, floormod(i + 1, n), ho.at);
		strlcpy_ob(ho.to, state->member, sizeof ho.to);
		if (cb != NULL)
			cb(&ho, arg);
		count++;
	}
	return count;
}

/* Whether override a takes precedence over b: newer, then higher id. */
static int
ov_newer(const struct rot_override *a, const struct rot_override *b)
{
	if (a->created != b->created)
		return a->created > b->created;
	return a->id > b->id;
}

/* The newest override covering t, or NULL; a linear scan. */
const struct rot_override *
rot_override_at(const struct rot_override *ov, size_t n, time_t t)
{
	const struct rot_override	*best = NULL;
	size_t				 i;

	for (i = 0; i < n; i++) {
		if (ov[i].from > t || t >= ov[i].to)
			continue;
		if (best == NULL || ov_newer(&ov[i], best))
			best = &ov[i];
	}
	return best;
}

/* The rotation's view of one role, for walking shifts from a state. */
struct walk {
	struct grid		 g;
	const struct rot_state	*state;
	long long		 kstate;	/* grid index, state's shift */
	long long		 base;		/* list index it counts from */
};

/* Prepare a walk from state. */
static void
walk_init(struct walk *w, const struct rot_role *role,
    const struct rot_state *state)
{
	grid_init(&w->g, role);
	w->state = state;
	grid_containing(&w->g, state->shift_start, &w->kstate);
	w->base = base_pos(role, state);
}

/* The rotation member of grid shift k (k >= the state's shift). */
static const char *
walk_member(const struct walk *w, long long k)
{
	const struct rot_role	*r = w->g.role;

	return r->members[floormod(w->base + (k - w->kstate),
	    (long long)r->nmembers)];
}

/*
 * The shift containing c (c >= state->shift_start); the state's own
 * shift starts at state->shift_start even when that is off the grid.
 */
static void
walk_shift(const struct walk *w, time_t c, struct shift *sh)
{
	long long	k;
	time_t		h;

	h = grid_containing(&w->g, c, &k);
	if (k <= w->kstate) {
		k = w->kstate;
		h = w->state->shift_start;
	}
	sh->k = k;
	sh->start = h;
	sh->end = grid_handoff(&w->g, k + 1);
	sh->member = walk_member(w, k);
}

/*
 * The shift containing c, given sh, the shift before: when c is where
 * sh ends, the next grid shift follows without a search.
 */
static void
walk_next(const struct walk *w, time_t c, struct shift *sh)
{
	if (c != sh->end || c < ROT_TIME_MIN || c > ROT_TIME_MAX) {
		walk_shift(w, c, sh);
		return;
	}
	sh->k++;
	sh->start = c;
	sh->end = grid_handoff(&w->g, sh->k + 1);
	sh->member = walk_member(w, sh->k);
}

/* A max-heap of overrides by precedence. */
struct ovheap {
	const struct rot_override	**v;
	size_t				  n;
};

/* Add o to the heap (the array is sized for every override). */
static void
heap_push(struct ovheap *h, const struct rot_override *o)
{
	size_t	i = h->n++, up;

	while (i > 0) {
		up = (i - 1) / 2;
		if (!ov_newer(o, h->v[up]))
			break;
		h->v[i] = h->v[up];
		i = up;
	}
	h->v[i] = o;
}

/* Remove the top of the heap. */
static void
heap_pop(struct ovheap *h)
{
	const struct rot_override	*last;
	size_t				 i = 0, c;

	if (h->n == 0)
		return;
	last = h->v[--h->n];
	for (;;) {
		c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && ov_newer(h->v[c + 1], h->v[c]))
			c++;
		if (!ov_newer(h->v[c], last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n > 0)
		h->v[i] = last;
}

/* qsort order: overrides by start. */
static int
ov_cmp_from(const void *a, const void *b)
{
	const struct rot_override	*x = *(const struct rot_override **)a;
	const struct rot_override	*y = *(const struct rot_override **)b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return 0;
}

/* Whether every member of the list is the same person. */
static int
members_uniform(const struct rot_role *role)
{
	size_t	i;

	for (i = 1; i < role->nmembers; i++) {
		if (strcmp(role->members[i], role->members[0]) != 0)
			return 0;
	}
	return 1;
}

/* Whether two slots show the same person for the same reason. */
static int
slot_same(const struct rot_slot *a, const struct rot_slot *b)
{
	return a->override_id == b->override_id &&
	    strcmp(a->person, b->person) == 0 &&
	    strcmp(a->covers, b->covers) == 0;
}

/*
 * A sweep over time from the start of the shift containing t: the
 * overrides (only those ending after that start) sorted by start enter
 * a heap as the sweep passes their start; the heap's top is the newest
 * in force, dropped lazily once it has ended. Segments are cut where the
 * shift ends, the winner ends or an override starts, and equal adjacent
 * segments are merged, except that a handoff always begins a new
 * rotation slot (even to the same person: a one-member rotation lists
 * each shift). O(m log m) for m overrides, plus O(members) shifts per
 * slot. The first slot begins no earlier than the shift containing t;
 * slots that end at or before t are not returned.
 */
size_t
rot_schedule(const struct rot_role *role, const struct rot_state *state,
    const struct rot_override *ov, size_t n, time_t t, size_t count,
    struct rot_slot *out)
{
	const struct rot_override	**v, *w;
	struct ovheap			  heap;
	struct walk			  wk;
	struct shift			  sh;
	struct rot_slot			  pend, seg;
	size_t				  m = 0, p = 0, i, nout = 0;
	int				  have = 0, uniform, handoff;
	time_t				  c, next;

	if (count == 0 || role->nmembers == 0)
		return 0;
	walk_init(&wk, role, state);
	uniform = members_uniform(role);
	if (t < state->shift_start)
		t = state->shift_start;
	t = clamp_time(t);
	walk_shift(&wk, t, &sh);
	c = sh.start;

	v = xreallocarray(NULL, n + 1, sizeof *v);
	for (i = 0; i < n; i++) {
		if (ov[i].to > c && ov[i].from < ov[i].to)
			v[m++] = &ov[i];
	}
	qsort(v, m, sizeof *v, ov_cmp_from);
	heap.v = xreallocarray(NULL, m + 1, sizeof *heap.v);
	heap.n = 0;
	memset(&pend, 0, sizeof pend);

	while (nout < count && c < ROT_TIME_MAX) {
		while (p < m && v[p]->from <= c)
			heap_push(&heap, v[p++]);
		while (heap.n > 0 && heap.v[0]->to <= c)
			heap_pop(&heap);
		w = heap.n > 0 ? heap.v[0] : NULL;
		if (c >= sh.end)
			walk_next(&wk, c, &sh);

		/* With every member the same person an override's slot
		 * cannot change at a handoff, so skip straight past them. */
		next = sh.end;
		if (w != NULL) {
			if (uniform || w->to < next)
				next = w->to;
		}
		if (p < m && v[p]->from < next)
			next = v[p]->from;
		next = clamp_time(next);

		memset(&seg, 0, sizeof seg);
		seg.start = c;
		seg.end = next;
		if (w != NULL) {
			name_copy(seg.person, w->person);
			if (strcmp(w->person, sh.member) != 0)
				name_copy(seg.covers, sh.member);
			seg.override_id = w->id;
		} else
			name_copy(seg.person, sh.member);
		handoff = w == NULL && c == sh.start;

		if (have && !handoff && slot_same(&pend, &seg))
			pend.end = next;
		else {
			if (have && pend.end > t)
				out[nout++] = pend;
			pend = seg;
			have = 1;
		}
		c = next;
	}
	if (have && nout < count && pend.end > t)
		out[nout++] = pend;

	free(heap.v);
	free(v);
	return nout;
}

/* The slot in force at t: the first slot of the schedule from t. */
void
rot_who(const struct rot_role *role, const struct rot_state *state,
    const struct rot_override *ov, size_t n, time_t t, struct rot_slot *slot)
{
	if (rot_schedule(role, state, ov, n, t, 1, slot) == 1)
		return;
	/* Only past year 9999; answer with the state rather than nothing. */
	memset(slot, 0, sizeof *slot);
	slot->start = state->shift_start;
	slot->end = clamp_time(ROT_TIME_MAX);
	name_copy(slot->person, state->member);
}

/* Whether name is on the list, exactly. */
static int
is_member(const struct rot_role *role, const char *name)
{
	size_t	i;

	for (i = 0; i < role->nmembers; i++) {
		if (strcmp(role->members[i], name) == 0)
			return 1;
	}
	return 0;
}

/*
 * The first shift after the one containing now whose rotation member is
 * name; two rounds of the list are searched. Returns 0 or -1.
 */
static int
next_shift_of(const struct walk *w, const char *name, time_t now,
    struct shift *sh)
{
	long long	kn, k, limit = 2 * (long long)w->g.role->nmembers;

	grid_containing(&w->g, now, &kn);
	if (kn < w->kstate)
		kn = w->kstate;
	for (k = kn + 1; k <= kn + limit; k++) {
		if (strcmp(walk_member(w, k), name) == 0) {
			sh->k = k;
			sh->start = grid_handoff(&w->g, k);
			sh->end = grid_handoff(&w->g, k + 1);
			sh->member = walk_member(w, k);
			return 0;
		}
	}
	return -1;
}

/* Two overrides that exchange the next shifts of a and b. */
int
rot_swap(const struct rot_role *role, const struct rot_state *state,
    const char *a, const char *b, time_t now, struct rot_slot out[2],
    char **cause)
{
	struct walk	wk;
	struct shift	sa, sb;

	if (strcmp(a, b) == 0) {
		*cause = xasprintf("cannot swap %s with %s: same person",
		    a, b);
		return -1;
	}
	if (!is_member(role, a)) {
		*cause = xasprintf("%s is not in %s", a, role->name);
		return -1;
	}
	if (!is_member(role, b)) {
		*cause = xasprintf("%s is not in %s", b, role->name);
		return -1;
	}
	walk_init(&wk, role, state);
	if (next_shift_of(&wk, a, now, &sa) != 0) {
		*cause = xasprintf("%s has no upcoming shift in %s", a,
		    role->name);
		return -1;
	}
	if (next_shift_of(&wk, b, now, &sb) != 0) {
		*cause = xasprintf("%s has no upcoming shift in %s", b,
		    role->name);
		return -1;
	}
	memset(out, 0, 2 * sizeof *out);
	out[0].start = sa.start;
	out[0].end = sa.end;
	name_copy(out[0].person, b);
	name_copy(out[0].covers, a);
	out[1].start = sb.start;
	out[1].end = sb.end;
	name_copy(out[1].person, a);
	name_copy(out[1].covers, b);
	return 0;
}

/* Format t as an iCal UTC date-time, YYYYMMDDTHHMMSSZ. */
static void
ical_time(time_t t, char *dst, size_t size)
{
	long long	days, secs;
	int		y, m, d;

	t = clamp_time(t);
	days = util_floordiv(t, 86400);
	secs = t - days * 86400;
	tz_civil_from_days(days, &y, &m, &d);
	snprintf(dst, size, "%04d%02d%02dT%02d%02d%02dZ", y, m, d,
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/*
 * Append s as an RFC 5545 TEXT value: backslash, semicolon, comma and
 * newline escaped; other control characters (CR included) dropped.
 */
static void
ical_text(struct buf *b, const char *s)
{
	unsigned char	ch;

	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if (ch == '\\' || ch == ';' || ch == ',') {
			buf_addc(b, '\\');
			buf_addc(b, (char)ch);
		} else if (ch == '\n')
			buf_add(b, "\\n", 2);
		else if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			continue;
		else
			buf_addc(b, (char)ch);
	}
}

/*
 * Append one content line, folded: at most 75 octets per physical line
 * (the leading space of a continuation counts), cut only before a byte
 * that starts a UTF-8 character, each line ended by CRLF.
 */
static void
ical_line(struct buf *out, const char *line, size_t len)
{
	size_t	i = 0, room = 75, cut, back;

	while (len - i > room) {
		cut = i + room;
		back = 0;
		while (back < 3 && cut > i + 1 &&
		    ((unsigned char)line[cut] & 0xc0) == 0x80) {
			cut--;
			back++;
		}
		buf_add(out, line + i, cut - i);
		buf_add(out, "\r\n ", 3);
		i = cut;
		room = 74;
	}
	buf_add(out, line + i, len - i);
	buf_add(out, "\r\n", 2);
}

/* Append a content line given as a format (the value already escaped). */
static void
ical_printf(struct buf *out, struct buf *tmp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Append a content line built from a format. */
static void
ical_printf(struct buf *out, struct buf *tmp, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_reset(tmp);
	buf_addstr(tmp, s);
	free(s);
	ical_line(out, tmp->data, tmp->len);
}

/* Append one VEVENT for slot of role. */
static void
ical_event(struct buf *out, const char *instance, const char *role,
    const struct rot_slot *s, const char *stamp)
{
	struct buf	line;
	char		ts[32], te[32];

	buf_init(&line);
	ical_time(s->start, ts, sizeof ts);
	ical_time(s->end, te, sizeof te);
	ical_line(out, "BEGIN:VEVENT", 12);

	buf_addstr(&line, "UID:");
	ical_text(&line, role);
	buf_printf(&line, "-%s", ts);
	if (s->override_id != 0)
		buf_printf(&line, "-o%lld", s->override_id);
	buf_addc(&line, '@');
	ical_text(&line, instance);
	ical_line(out, line.data, line.len);

	ical_printf(out, &line, "DTSTAMP:%s", stamp);
	ical_printf(out, &line, "DTSTART:%s", ts);
	ical_printf(out, &line, "DTEND:%s", te);

	buf_reset(&line);
	buf_addstr(&line, "SUMMARY:");
	ical_text(&line, role);
	buf_addstr(&line, ": ");
	ical_text(&line, s->person);
	if (s->covers[0] != '\0') {
		buf_addstr(&line, " (covering for ");
		ical_text(&line, s->covers);
		buf_addc(&line, ')');
	}
	ical_line(out, line.data, line.len);

	ical_line(out, "END:VEVENT", 10);
	buf_free(&line);
}

/*
 * The calendar: every role's slots that begin before until and end
 * after now, taken from rot_schedule a chunk at a time. Caller frees.
 */
char *
rot_ical(const char *instance, const struct rot_cal *cal, size_t n,
    time_t now, time_t until)
{
	struct rot_slot	*slots;
	struct buf	 out;
	char		 stamp[32];
	size_t		 i, j, got;
	time_t		 t, last;
	int		 done;

	buf_init(&out);
	slots = xreallocarray(NULL, ROT_ICAL_CHUNK, sizeof *slots);
	ical_time(now, stamp, sizeof stamp);
	ical_line(&out, "BEGIN:VCALENDAR", 15);
	ical_line(&out, "VERSION:2.0", 11);
	ical_line(&out, "PRODID:-//outagebot//oncall//EN", 31);
	ical_line(&out, "CALSCALE:GREGORIAN", 18);

	for (i = 0; i < n; i++) {
		t = now;
		last = ROT_TIME_MIN;
		done = 0;
		while (!done && t < until) {
			got = rot_schedule(cal[i].role, cal[i].state,
			    cal[i].overrides, cal[i].noverrides, t,
			    ROT_ICAL_CHUNK, slots);
			for (j = 0; j < got; j++) {
				if (slots[j].start >= until) {
					done = 1;
					break;
				}
				if (slots[j].end <= last)
					continue;	/* seen already */
				ical_event(&out, instance, cal[i].role->name,
				    &slots[j], stamp);
				last = slots[j].end;
			}
			if (got < ROT_ICAL_CHUNK || last <= t)
				break;
			t = last;
		}
	}

	ical_line(&out, "END:VCALENDAR", 13);
	free(slots);
	return buf_steal(&out);
}

/* Merge adjacent slots of the same person and covers. */
size_t
rot_runs(struct rot_slot *s, size_t n)
{
	size_t	i, out = 0;

	for (i = 0; i < n; i++) {
		/* Two plain shifts stay apart: a handoff is news even when
		 * it is to the same person (a one-member rotation). */
		if (out > 0 && s[out - 1].end == s[i].start &&
		    (s[out - 1].override_id != 0 || s[i].override_id != 0) &&
		    strcmp(s[out - 1].person, s[i].person) == 0 &&
		    strcmp(s[out - 1].covers, s[i].covers) == 0) {
			s[out - 1].end = s[i].end;
			if (s[out - 1].override_id == 0)
				s[out - 1].override_id = s[i].override_id;
			continue;
		}
		if (out != i)
			s[out] = s[i];
		out++;
	}
	return out;
}
