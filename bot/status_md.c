/*
 * status_md.c — the Markdown pages of cState and Statusfy sites (DESIGN
 * §7): the file names, the two renderers and the cState reader used by
 * import-cstate. It owns every use of libyaml in the bot: front matter
 * is written with libyaml's emitter and read with its parser, never
 * escaped or parsed by hand. Pure: no I/O, no store, no clock; the same
 * outage always gives the same bytes, so a job run again after a crash
 * rewrites the same file.
 *
 * User text reaches a file in two places. In the front matter it is a
 * YAML scalar chosen by the emitter (double quotes for titles, escapes
 * for line breaks), so quotes, colons, "---", CR/LF and backslashes stay
 * inside their value. In the Markdown body it is flattened to one line
 * (control bytes become spaces), so it cannot end a list item, a
 * Statusfy container or the front matter. Invalid UTF-8 becomes U+FFFD
 * in both places, so every page we write is valid UTF-8.
 *
 * The cState body is: the description (one line each for "Alternatives:",
 * "Cause:" and, while open, "ETA:", when set), then "Updates:" and one
 * item per timeline entry that has text, newest first as cState sites
 * show them: "- Tue Nov 24 18:40 UTC: text". Entries without text are
 * left out. The Statusfy body is the same description, then one
 * "::: update <State> | <ISO date>" container per timeline entry, oldest
 * first (DESIGN §7).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yaml.h>

#include "config.h"
#include "outage.h"
#include "status_md.h"
#include "util.h"
#include "when.h"

#define SLUG_MAX	50

static const char *const md_wday[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const md_mon[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/*
 * Append s to b as valid UTF-8 (bad bytes become U+FFFD); with flat (the
 * page's body), control bytes also become spaces so that s stays on one
 * line, and '<', '>' and '&' become entities so that no text is taken
 * for HTML by a site that renders it (Statusfy does).
 */
static void
md_text(struct buf *b, const char *s, int flat)
{
	const unsigned char	*p;
	size_t			 n, len;

	if (s == NULL)
		return;
	p = (const unsigned char *)s;
	len = strlen(s);
	while (len > 0) {
		n = util_utf8_seq((const char *)p, len);
		if (n == 0) {
			buf_addstr(b, "\xef\xbf\xbd");
			n = 1;
		} else if (flat && n == 1 && (*p < 0x20 || *p == 0x7f))
			buf_addc(b, ' ');
		else if (flat && n == 2 && p[0] == 0xc2 && p[1] == 0x85)
			buf_addc(b, ' ');
		else if (flat && n == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0xa8 || p[2] == 0xa9))
			buf_addc(b, ' ');
		else if (flat && *p == '<')
			buf_addstr(b, "&lt;");
		else if (flat && *p == '>')
			buf_addstr(b, "&gt;");
		else if (flat && *p == '&')
			buf_addstr(b, "&amp;");
		else
			buf_add(b, p, n);
		p += n;
		len -= n;
	}
}

/* The UTC broken-down time of t. */
static void
md_gmtime(time_t t, struct tm *tm)
{
	if (gmtime_r(&t, tm) == NULL)
		memset(tm, 0, sizeof(*tm));
}

/* Append t in UTC as "2026-11-24T18:02:00" and then zone. */
static void
md_stamp(struct buf *b, time_t t, const char *zone)
{
	struct tm	 tm;

	md_gmtime(t, &tm);
	buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d%s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, zone);
}

/* Append t as RFC 3339 in UTC: "2026-11-24T18:02:00+00:00". */
static void
md_rfc3339(struct buf *b, time_t t)
{
	md_stamp(b, t, "+00:00");
}

/* Append t as Statusfy writes dates: "2026-11-24T18:02:00.000Z". */
static void
md_iso_ms(struct buf *b, time_t t)
{
	md_stamp(b, t, ".000Z");
}

/* Append t as a cState update item: "Tue Nov 24 18:40 UTC" (C locale). */
static void
md_item_time(struct buf *b, time_t t)
{
	struct tm	 tm;

	md_gmtime(t, &tm);
	buf_printf(b, "%s %s %d %02d:%02d UTC", md_wday[tm.tm_wday % 7],
	    md_mon[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* The slug of an outage (see status_md.h). */
char *
status_md_slug(const struct outage *o)
{
	struct buf	 b;
	const char	*p;
	int		 dash = 0;

	buf_init(&b);
	for (p = o->title != NULL ? o->title : ""; *p != '\0'; p++) {
		if (!isascii((unsigned char)*p) ||
		    !isalnum((unsigned char)*p)) {
			dash = b.len > 0;
			continue;
		}
		if (b.len + (dash ? 2 : 1) > SLUG_MAX)
			break;
		if (dash)
			buf_addc(&b, '-');
		dash = 0;
		buf_addc(&b, (char)tolower((unsigned char)*p));
	}
	if (b.len == 0)
		buf_addstr(&b, "outage");
	buf_printf(&b, "-%lld", o->id);
	return buf_steal(&b);
}

/* "<YYYY-MM-DD><sep><slug>.md" for o. */
static char *
md_name(const struct outage *o, char sep)
{
	struct tm	 tm;
	char		*slug, *name;

	md_gmtime(o->opened_at, &tm);
	slug = status_md_slug(o);
	name = xasprintf("%04d-%02d-%02d%c%s.md", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, sep, slug);
	free(slug);
	return name;
}

/* The cState file name of o. */
char *
status_md_cstate_name(const struct outage *o)
{
	return md_name(o, '-');
}

/* The Statusfy file name of o. */
char *
status_md_statusfy_name(const struct outage *o)
{
	return md_name(o, '_');
}

/* A front-matter emitter writing into a buffer. */
struct md_emit {
	yaml_emitter_t	 em;
	struct buf	 out;
	int		 ok;
};

/* libyaml's output callback: append to the buffer. */
static int
md_write(void *data, unsigned char *buffer, size_t size)
{
	buf_add(data, buffer, size);
	return 1;
}

/* Hand one event to the emitter; remember a failure. */
static void
md_event(struct md_emit *m, yaml_event_t *ev, int made)
{
	if (!made) {
		m->ok = 0;
		return;
	}
	if (m->ok && !yaml_emitter_emit(&m->em, ev))
		m->ok = 0;
	else if (!m->ok)
		yaml_event_delete(ev);
}

/*
 * May s be written without quotes and still be read as the same string
 * by every YAML reader? A letter, then letters, digits, spaces, '-',
 * '_' and '.', not ending with a space, and no word YAML 1.1 reads as a
 * null or a boolean. (libyaml's emitter checks only the syntax, not
 * what a reader would make of "true" or "null".)
 */
static int
md_plain_ok(const char *s)
{
	static const char *const words[] = {
		"null", "true", "false", "yes", "no", "on", "off", "y", "n"
	};
	size_t	 i;

	if (!isascii((unsigned char)*s) || !isalpha((unsigned char)*s))
		return 0;
	for (i = 0; i < nitems(words); i++)
		if (util_strcaseeq(s, words[i]))
			return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isascii((unsigned char)s[i]) ||
		    (!isalnum((unsigned char)s[i]) &&
		    strchr(" -_.", s[i]) == NULL))
			return 0;
	return s[i - 1] != ' ';
}

/*
 * Emit one scalar, made valid UTF-8 first. YAML_ANY_SCALAR_STYLE marks
 * our own words (keys, booleans, severities, dates), written plain. A
 * plain user value is written so only when md_plain_ok says it is safe,
 * otherwise double quoted, which also keeps every value on its line.
 */
static void
md_scalar(struct md_emit *m, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t	 ev;
	struct buf	 v;

	buf_init(&v);
	md_text(&v, s != NULL ? s : "", 0);
	if (style == YAML_ANY_SCALAR_STYLE)
		style = YAML_PLAIN_SCALAR_STYLE;	/* our own words */
	else if (style == YAML_PLAIN_SCALAR_STYLE &&
	    !md_plain_ok(v.data != NULL ? v.data : ""))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	md_event(m, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (yaml_char_t *)(v.data != NULL ? v.data : ""), (int)v.len, 1, 1,
	    style));
	buf_free(&v);
}

/* Emit "key: value". */
static void
md_pair(struct md_emit *m, const char *key, const char *value,
    yaml_scalar_style_t style)
{
	md_scalar(m, key, YAML_ANY_SCALAR_STYLE);
	md_scalar(m, value, style);
}

/* Emit "key: <time>" with fmt writing the time. */
static void
md_pair_time(struct md_emit *m, const char *key, time_t t,
    void (*fmt)(struct buf *, time_t), yaml_scalar_style_t style)
{
	struct buf	 v;

	buf_init(&v);
	fmt(&v, t);
	md_pair(m, key, v.data, style);
	buf_free(&v);
}

/* Start the stream, the document and the top mapping. */
static void
md_begin(struct md_emit *m)
{
	yaml_event_t	 ev;

	memset(m, 0, sizeof(*m));
	buf_init(&m->out);
	m->ok = yaml_emitter_initialize(&m->em);
	if (!m->ok)
		return;
	yaml_emitter_set_output(&m->em, md_write, &m->out);
	yaml_emitter_set_width(&m->em, -1);
	yaml_emitter_set_unicode(&m->em, 1);
	yaml_emitter_set_break(&m->em, YAML_LN_BREAK);
	md_event(m, &ev, yaml_stream_start_event_initialize(&ev,
	    YAML_UTF8_ENCODING));
	md_event(m, &ev, yaml_document_start_event_initialize(&ev, NULL,
	    NULL, NULL, 1));
	md_event(m, &ev, yaml_mapping_start_event_initialize(&ev, NULL,
	    NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

/* Emit "key:" and a block list of names, each through map (or as is). */
static void
md_list(struct md_emit *m, const char *key, char *const *names, size_t n,
    char *(*map)(const char *, const void *), const void *arg)
{
	yaml_event_t	 ev;
	size_t		 i;
	char		*s;

	md_scalar(m, key, YAML_ANY_SCALAR_STYLE);
	md_event(m, &ev, yaml_sequence_start_event_initialize(&ev, NULL,
	    NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
	for (i = 0; i < n; i++) {
		s = map != NULL ? map(names[i], arg) : xstrdup(names[i]);
		md_scalar(m, s, YAML_PLAIN_SCALAR_STYLE);
		free(s);
	}
	md_event(m, &ev, yaml_sequence_end_event_initialize(&ev));
}

/* Append the description lines of o (alternatives, cause, ETA). */
static void
md_description(struct buf *b, const struct outage *o)
{
	if (o->alternatives != NULL && *o->alternatives != '\0') {
		buf_addstr(b, "Alternatives: ");
		md_text(b, o->alternatives, 1);
		buf_addstr(b, "\n\n");
	}
	if (o->cause != NULL && *o->cause != '\0') {
		buf_addstr(b, "Cause: ");
		md_text(b, o->cause, 1);
		buf_addstr(b, "\n\n");
	}
	if (o->eta != 0 && o->state != OUTAGE_RESOLVED) {
		buf_addstr(b, "ETA: ");
		md_item_time(b, o->eta);
		buf_addstr(b, "\n\n");
	}
}

/*
 * End the mapping and the stream; start b (which the caller then owns)
 * with the front matter between its "---" lines, a blank line and the
 * description of o. libyaml writes block lists flush with their key;
 * they are indented by two spaces as in DESIGN §7 (safe: every scalar
 * is on one line, so only list items start a line with "- ").
 * Returns 0, or -1 with b empty when libyaml failed.
 */
static int
md_end(struct md_emit *m, struct buf *b, const struct outage *o)
{
	yaml_event_t	 ev;
	const char	*p, *nl;

	md_event(m, &ev, yaml_mapping_end_event_initialize(&ev));
	md_event(m, &ev, yaml_document_end_event_initialize(&ev, 1));
	md_event(m, &ev, yaml_stream_end_event_initialize(&ev));
	if (m->ok && !yaml_emitter_flush(&m->em))
		m->ok = 0;
	yaml_emitter_delete(&m->em);
	buf_init(b);
	if (m->ok && m->out.data != NULL) {
		buf_addstr(b, "---\n");
		for (p = m->out.data; *p != '\0'; p = nl + 1) {
			nl = strchr(p, '\n');
			if (nl == NULL || strncmp(p, "...", 3) == 0)
				break;
			if (strncmp(p, "- ", 2) == 0)
				buf_addstr(b, "  ");
			buf_add(b, p, (size_t)(nl - p + 1));
		}
		buf_addstr(b, "---\n\n");
		md_description(b, o);
	}
	buf_free(&m->out);
	return m->ok && b->len > 0 ? 0 : -1;
}

/* The cState page of o (see status_md.h). */
char *
status_md_cstate(const struct outage *o)
{
	struct md_emit	 m;
	struct buf	 b;
	size_t		 i;
	const struct outage_update *u;

	md_begin(&m);
	md_pair(&m, "title", o->title, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	md_pair_time(&m, "date", o->opened_at, md_rfc3339,
	    YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	md_list(&m, "affected", o->affected, o->naffected, NULL, NULL);
	md_pair(&m, "resolved", o->state == OUTAGE_RESOLVED ? "true" :
	    "false", YAML_ANY_SCALAR_STYLE);
	if (o->state == OUTAGE_RESOLVED)
		md_pair_time(&m, "resolvedWhen", o->resolved_at, md_rfc3339,
		    YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	md_pair(&m, "section", "issue", YAML_ANY_SCALAR_STYLE);
	md_pair(&m, "severity", outage_severity_name(o->severity),
	    YAML_ANY_SCALAR_STYLE);
	if (md_end(&m, &b, o) == -1)
		return NULL;
	buf_addstr(&b, "Updates:\n\n");
	for (i = o->nupdates; i > 0; i--) {
		u = &o->updates[i - 1];
		if (u->text == NULL || *u->text == '\0')
			continue;
		buf_addstr(&b, "- ");
		md_item_time(&b, u->at);
		buf_addstr(&b, ": ");
		md_text(&b, u->text, 1);
		buf_addc(&b, '\n');
	}
	return buf_steal(&b);
}

/* The systems map of a Statusfy backend. */
struct md_systems {
	const struct cfg_pair	*map;
	size_t			 n;
};

/* A component name as a Statusfy system id: the map, or lower case
 * with spaces as '-'. Caller frees. */
static char *
md_system(const char *name, const void *arg)
{
	const struct md_systems	*sys = arg;
	char			*s, *p;
	size_t			 i;

	for (i = 0; sys->map != NULL && i < sys->n; i++)
		if (util_strcaseeq(sys->map[i].from, name))
			return xstrdup(sys->map[i].to);
	s = xstrdup(name);
	for (p = s; *p != '\0'; p++)
		*p = *p == ' ' ? '-' : (char)tolower((unsigned char)*p);
	return s;
}

/* Statusfy's severity word for ours. */
static const char *
md_statusfy_severity(enum outage_severity s)
{
	switch (s) {
	case OUTAGE_NOTICE:
		return "degraded-performance";
	case OUTAGE_DOWN:
		return "major-outage";
	case OUTAGE_DISRUPTED:
	default:
		return "partial-outage";
	}
}

/* The first line of the description of o, or its title. Caller frees. */
static char *
md_summary(const struct outage *o)
{
	struct buf	 b;
	char		*nl;

	buf_init(&b);
	md_description(&b, o);
	nl = b.data != NULL ? strchr(b.data, '\n') : NULL;
	if (nl == NULL) {
		buf_free(&b);
		return xstrdup(o->title != NULL ? o->title : "");
	}
	*nl = '\0';
	return buf_steal(&b);
}

/*
 * Append an update's text as one line that cannot close its container:
 * markdown-it-container takes up to three spaces and then ':::' as the
 * end, so a ':' after the leading spaces (control bytes become spaces
 * here too) gets a backslash.
 */
static void
md_statusfy_text(struct buf *b, const char *text)
{
	struct buf	 t;
	size_t		 n;

	buf_init(&t);
	md_text(&t, text, 1);
	buf_addc(&t, '\0');
	n = strspn(t.data, " ");
	buf_add(b, t.data, n);
	if (t.data[n] == ':')
		buf_addc(b, '\\');
	buf_addstr(b, t.data + n);
	buf_free(&t);
}

/* Append one Statusfy update container for u. */
static void
md_statusfy_update(struct buf *b, const struct outage_update *u)
{
	const char	*state = outage_state_name(u->state);

	if (b->len < 2 || strcmp(b->data + b->len - 2, "\n\n") != 0)
		buf_addc(b, '\n');
	buf_printf(b, "::: update %c%s | ",
	    toupper((unsigned char)state[0]), state + 1);
	md_iso_ms(b, u->at);
	buf_addc(b, '\n');
	if (u->text == NULL || *u->text == '\0')
		buf_printf(b, "%c%s.", toupper((unsigned char)state[0]),
		    state + 1);
	else
		md_statusfy_text(b, u->text);
	buf_addstr(b, "\n:::\n");
}

/* The Statusfy page of o (see status_md.h). */
char *
status_md_statusfy(const struct outage *o, const struct cfg_pair *systems,
    size_t nsystems)
{
	struct md_emit		 m;
	struct buf		 b;
	struct md_systems	 sys;
	char			*s;
	size_t			 i;

	sys.map = systems;
	sys.n = nsystems;
	md_begin(&m);
	s = xasprintf("outage%lld", o->id);
	md_pair(&m, "id", s, YAML_ANY_SCALAR_STYLE);
	free(s);
	md_pair(&m, "title", o->title, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	s = md_summary(o);
	md_pair(&m, "description", s, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	free(s);
	md_pair_time(&m, "date", o->opened_at, md_iso_ms,
	    YAML_ANY_SCALAR_STYLE);
	md_pair_time(&m, "modified", o->updated_at != 0 ? o->updated_at :
	    o->opened_at, md_iso_ms, YAML_ANY_SCALAR_STYLE);
	md_pair(&m, "severity", md_statusfy_severity(o->severity),
	    YAML_ANY_SCALAR_STYLE);
	md_list(&m, "affectedsystems", o->affected, o->naffected, md_system,
	    &sys);
	md_pair(&m, "resolved", o->state == OUTAGE_RESOLVED ? "true" :
	    "false", YAML_ANY_SCALAR_STYLE);
	if (md_end(&m, &b, o) == -1)
		return NULL;
	for (i = 0; i < o->nupdates; i++)
		md_statusfy_update(&b, &o->updates[i]);
	return buf_steal(&b);
}

/*
 * The cState reader. A file is "---", the YAML front matter, "---",
 * then the Markdown body. What it makes of the variants met in real
 * cState sites:
 *  - dates with or without seconds (and fractions), 'T' or a space,
 *    and Z, UTC, an offset ("+01:00", "+0100") or nothing (UTC);
 *  - commented-out keys and unknown keys are ignored;
 *  - "informational: true" makes the outage a notice; a file without
 *    severity is "disrupted";
 *  - "resolved: true" without resolvedWhen is resolved at the newest
 *    update of its "Updates:" list, or at its date when it has none;
 *  - body lines before "Updates:" give the alternatives, the cause and
 *    the ETA (our own lines), other prose is the text of the opening;
 *    each item after it ("- Tue Nov 24 18:40 UTC: text" or with an ISO
 *    date, newest or oldest first) is a timeline entry. An item at the
 *    very time of the opening (or the resolve) is the text of that
 *    entry, so a page we wrote reads back as the same timeline.
 */

/* Parse n digits at *p into *v and advance; 0, or -1. */
static int
md_digits(const char **p, int n, int *v)
{
	*v = 0;
	for (; n > 0; n--, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

/* The instant of a UTC civil time (month 1-12). */
static time_t
md_utc(int y, int mo, int d, int h, int mi)
{
	struct tm	 tm = { .tm_year = y - 1900, .tm_mon = mo - 1,
	    .tm_mday = d, .tm_hour = h, .tm_min = mi };

	return timegm(&tm);
}

/*
 * Parse "2021-03-07", "2021-03-07 20:00", "2021-03-07T20:00:00.000Z",
 * "2020-02-24 17:45:00 +01:00", "... 18:02 UTC" (no offset: UTC); 0
 * with *t, or -1. when.c reads the pieces; fractions of a second, a
 * space before the offset and "UTC" or "GMT" are cState's own.
 */
static int
md_parse_date(const char *s, time_t *t)
{
	const char	*p = s;
	int		 y, mo, d, h = 0, mi = 0, sec = 0;
	long		 off = 0;

	if (when_read_date(&p, &y, &mo, &d) != 0)
		return -1;
	if ((*p == 'T' || *p == 't' || *p == ' ') &&
	    isdigit((unsigned char)p[1])) {
		p++;
		if (when_read_clock(&p, &h, &mi, &sec) != 0)
			return -1;
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++)
				continue;
	}
	while (*p == ' ')
		p++;
	if (strncmp(p, "UTC", 3) == 0 || strncmp(p, "GMT", 3) == 0)
		p += 3;
	else if (*p != '\0' && when_read_offset(&p, &off) != 0)
		return -1;
	while (*p == ' ')
		p++;
	if (*p != '\0' || y >= 9999)	/* near 9999: not an outage of ours */
		return -1;
	*t = md_utc(y, mo, d, h, mi) + sec - off;
	return *t >= 0 ? 0 : -1;
}

/*
 * Parse an item time "Tue Nov 24 18:40 UTC" (the weekday optional); the
 * year is the one of base, or the next when that would put it more
 * than a month before base. 0 with *t, or -1.
 */
static int
md_parse_item_time(const char *s, time_t base, time_t *t)
{
	struct tm	 btm;
	const char	*p = s;
	size_t		 i;
	int		 mo = -1, n, d, h, mi;

	for (i = 0; i < nitems(md_wday); i++)
		if (strncmp(p, md_wday[i], 3) == 0 && p[3] == ' ')
			p += 4;
	for (i = 0; i < nitems(md_mon); i++)
		if (strncmp(p, md_mon[i], 3) == 0 && p[3] == ' ')
			mo = (int)i;
	if (mo == -1)
		return -1;
	p += 4;
	n = isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) ?
	    2 : 1;
	if (md_digits(&p, n, &d) == -1 ||
	    *p++ != ' ' || md_digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    md_digits(&p, 2, &mi) == -1 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || strcmp(p, " UTC") != 0)
		return -1;
	md_gmtime(base, &btm);
	*t = md_utc(btm.tm_year + 1900, mo + 1, d, h, mi);
	if (*t < base - 31 * 86400)
		*t = md_utc(btm.tm_year + 1901, mo + 1, d, h, mi);
	return 0;
}

/* A time in either form: an item time or a date. */
static int
md_parse_any_time(const char *s, time_t base, time_t *t)
{
	if (md_parse_item_time(s, base, t) == 0)
		return 0;
	return md_parse_date(s, t);
}

/* One item of the "Updates:" list. */
struct md_item {
	time_t	 at;
	char	*text;
};

/* What the reader has gathered so far. */
struct md_read {
	struct outage	*o;
	int		 resolved;
	time_t		 resolved_when;	/* 0: not given */
	int		 informational;
	struct md_item	*items;
	size_t		 nitems;
	struct buf	 prose;		/* the body before "Updates:" */
};

/* The text of a scalar node, or NULL for any other node. */
static const char *
md_node_str(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

/* A YAML 1.1 boolean: 1, 0, or -1 when it is none. */
static int
md_bool(const char *s)
{
	static const char *const yes[] = { "true", "yes", "on", "y" };
	static const char *const no[] = { "false", "no", "off", "n" };
	size_t	 i;

	for (i = 0; s != NULL && i < nitems(yes); i++) {
		if (util_strcaseeq(s, yes[i]))
			return 1;
		if (util_strcaseeq(s, no[i]))
			return 0;
	}
	return -1;
}

/* Set "line N: what" in *cause for node n (line0: the file line of the
 * first front-matter line); returns -1. */
static int
md_fail(char **cause, const yaml_node_t *n, size_t line0, const char *key,
    const char *what)
{
	*cause = xasprintf("line %zu: %s: %s",
	    line0 + (n != NULL ? n->start_mark.line : 0), key, what);
	return -1;
}

/* Read the affected list (a list of names, one name, or nothing). */
static void
md_read_affected(struct md_read *r, yaml_document_t *d, yaml_node_t *v)
{
	struct outage	*o = r->o;
	yaml_node_item_t *it;
	const char	*s;

	if (md_node_str(v) != NULL && *md_node_str(v) != '\0') {
		o->affected = xcalloc(2, sizeof(char *));
		o->affected[o->naffected++] = xstrdup(md_node_str(v));
		return;
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return;
	o->affected = xcalloc((size_t)(v->data.sequence.items.top -
	    v->data.sequence.items.start) + 1, sizeof(char *));
	for (it = v->data.sequence.items.start;
	    it < v->data.sequence.items.top; it++) {
		s = md_node_str(yaml_document_get_node(d, *it));
		if (s != NULL && *s != '\0')
			o->affected[o->naffected++] = xstrdup(s);
	}
}

/* Take one key of the front matter; 0, or -1 with *cause. */
static int
md_read_key(struct md_read *r, yaml_document_t *d, const char *key,
    yaml_node_t *v, size_t line0, char **cause)
{
	struct outage	*o = r->o;
	const char	*s = md_node_str(v);
	int		 n;

	if (strcmp(key, "title") == 0) {
		if (s == NULL || *s == '\0')
			return md_fail(cause, v, line0, key, "not a text");
		free(o->title);
		o->title = xstrdup(s);
	} else if (strcmp(key, "date") == 0) {
		if (s == NULL || md_parse_date(s, &o->opened_at) == -1)
			return md_fail(cause, v, line0, key, "not a date");
	} else if (strcmp(key, "resolvedWhen") == 0) {
		if (s != NULL && *s == '\0')
			r->resolved_when = 0;
		else if (s == NULL ||
		    md_parse_date(s, &r->resolved_when) == -1)
			return md_fail(cause, v, line0, key, "not a date");
	} else if (strcmp(key, "resolved") == 0 ||
	    strcmp(key, "informational") == 0) {
		if ((n = md_bool(s)) == -1)
			return md_fail(cause, v, line0, key,
			    "not true or false");
		if (key[0] == 'r')
			r->resolved = n;
		else
			r->informational = n;
	} else if (strcmp(key, "severity") == 0) {
		if (s == NULL || (n = outage_severity_parse(s)) == -1)
			return md_fail(cause, v, line0, key,
			    "not down, disrupted or notice");
		o->severity = (enum outage_severity)n;
	} else if (strcmp(key, "affected") == 0) {
		outage_names_free(o->affected, o->naffected);
		o->affected = NULL;
		o->naffected = 0;
		md_read_affected(r, d, v);
	}
	return 0;
}

/* Parse the front matter (the file from line line0 on); 0, or -1. */
static int
md_read_front(struct md_read *r, const char *text, size_t len,
    size_t line0, char **cause)
{
	yaml_parser_t	 p;
	yaml_document_t	 d;
	yaml_node_t	*root;
	yaml_node_pair_t *pair;
	const char	*key;
	int		 rc = 0;

	if (!yaml_parser_initialize(&p)) {
		*cause = xstrdup("out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &d)) {
		*cause = xasprintf("line %zu: %s", line0 +
		    p.problem_mark.line, p.problem != NULL ? p.problem :
		    "not YAML");
		yaml_parser_delete(&p);
		return -1;
	}
	root = yaml_document_get_root_node(&d);
	if (root == NULL || root->type != YAML_MAPPING_NODE)
		rc = md_fail(cause, root, line0, "front matter",
		    "not a mapping of keys");
	for (pair = rc == 0 ? root->data.mapping.pairs.start : NULL;
	    rc == 0 && pair < root->data.mapping.pairs.top; pair++) {
		key = md_node_str(yaml_document_get_node(&d, pair->key));
		if (key != NULL)
			rc = md_read_key(r, &d, key,
			    yaml_document_get_node(&d, pair->value), line0,
			    cause);
	}
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
	if (rc == 0 && r->o->title == NULL)
		rc = md_fail(cause, NULL, line0, "title", "missing");
	else if (rc == 0 && r->o->opened_at == 0)
		rc = md_fail(cause, NULL, line0, "date", "missing");
	return rc;
}

/* Append s to a text, a space between the two. Caller frees *text. */
static void
md_append(char **text, const char *s)
{
	char	*t;

	if (*text == NULL || **text == '\0') {
		free(*text);
		*text = xstrdup(s);
		return;
	}
	t = xasprintf("%s %s", *text, s);
	free(*text);
	*text = t;
}

/* A copy of s with the entities md_text writes decoded (caller frees). */
static char *
md_unescape(const char *s)
{
	static const struct {
		const char	*ent;
		char		 c;
	} ents[] = { { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' } };
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	while (*s != '\0') {
		for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
			if (strncmp(s, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (i < sizeof(ents) / sizeof(ents[0])) {
			buf_addc(&b, ents[i].c);
			s += strlen(ents[i].ent);
		} else
			buf_addc(&b, *s++);
	}
	return buf_steal(&b);
}

/* Take one "Updates:" item (without its "- "): "<time>: text". */
static void
md_read_item(struct md_read *r, const char *s)
{
	struct md_item	*it;
	const char	*colon;
	char		*when;
	time_t		 at = 0;

	colon = strstr(s, ": ");
	if (colon != NULL) {
		when = xstrndup(s, (size_t)(colon - s));
		if (md_parse_any_time(when, r->o->opened_at, &at) == 0)
			s = colon + 2;
		else
			at = 0;
		free(when);
	}
	if (at == 0)	/* no time: the one before, or the opening */
		at = r->nitems > 0 ? r->items[r->nitems - 1].at :
		    r->o->opened_at;
	r->items = xreallocarray(r->items, r->nitems + 1, sizeof(*r->items));
	it = &r->items[r->nitems++];
	it->at = at;
	it->text = md_unescape(s);
}

/* Is line the "Updates:" heading (any Markdown emphasis or level)? */
static int
md_is_updates(const char *line)
{
	char	 w[16];
	size_t	 n = 0;

	for (; *line != '\0' && n < sizeof(w) - 1; line++)
		if (strchr("*_# :", *line) == NULL)
			w[n++] = (char)tolower((unsigned char)*line);
	w[n] = '\0';
	return *line == '\0' && strcmp(w, "updates") == 0;
}

/* Take one body line (no line end, not blank) before "Updates:". */
static void
md_read_prose(struct md_read *r, const char *raw)
{
	struct outage	*o = r->o;
	char		*line = md_unescape(raw);
	time_t		 eta;

	if (strncmp(line, "Alternatives: ", 14) == 0)
		md_append(&o->alternatives, line + 14);
	else if (strncmp(line, "Cause: ", 7) == 0)
		md_append(&o->cause, line + 7);
	else if (strncmp(line, "ETA: ", 5) == 0 &&
	    md_parse_any_time(line + 5, o->opened_at, &eta) == 0)
		o->eta = eta;
	else {
		if (r->prose.len > 0)
			buf_addc(&r->prose, ' ');
		buf_addstr(&r->prose, line);
	}
	free(line);
}

/*
 * Take one body line that is not blank (n: its leading spaces);
 * updates says whether "Updates:" was seen. Returns the new updates.
 */
static int
md_read_line(struct md_read *r, const char *line, size_t n, int updates)
{
	if (!updates && md_is_updates(line))
		return 1;
	if (!updates)
		md_read_prose(r, line + n);
	else if (n < 4 && (line[n] == '-' || line[n] == '*') &&
	    line[n + 1] == ' ')
		md_read_item(r, line + n + 2);
	else if (r->nitems > 0)	/* an item going on */
		md_append(&r->items[r->nitems - 1].text, line + n);
	else
		md_read_prose(r, line + n);
	return updates;
}

/* Read the Markdown body: the description, then the "Updates:" list. */
static void
md_read_body(struct md_read *r, const char *p, const char *end)
{
	const char	*nl;
	char		*line;
	size_t		 n;
	int		 updates = 0;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		for (n = (size_t)(nl - p); n > 0 && isspace((unsigned char)
		    p[n - 1]); n--)
			continue;
		line = xstrndup(p, n);
		n = strspn(line, " \t");
		if (line[n] != '\0')
			updates = md_read_line(r, line, n, updates);
		free(line);
	}
}

/* Append a timeline entry to o; the text is taken over. */
static void
md_entry(struct outage *o, time_t at, char *text, enum outage_state state)
{
	struct outage_update	*u;

	o->updates = xreallocarray(o->updates, o->nupdates + 1,
	    sizeof(*o->updates));
	u = &o->updates[o->nupdates++];
	memset(u, 0, sizeof(*u));
	u->at = at;
	u->author = xstrdup("import");
	u->text = text != NULL ? text : xstrdup("");
	u->state = state;
	u->state_changed = state != OUTAGE_INVESTIGATING;
	if (at > o->updated_at)
		o->updated_at = at;
}

/*
 * Put the items oldest first: reversed when the file lists them newest
 * first, then a stable insertion sort by time (lists are short).
 */
static void
md_sort_items(struct md_read *r)
{
	struct md_item	 t;
	size_t		 i, j;

	if (r->nitems > 1 && r->items[0].at > r->items[r->nitems - 1].at)
		for (i = 0; i < r->nitems / 2; i++) {
			t = r->items[i];
			r->items[i] = r->items[r->nitems - 1 - i];
			r->items[r->nitems - 1 - i] = t;
		}
	for (i = 1; i < r->nitems; i++)
		for (j = i; j > 0 && r->items[j - 1].at > r->items[j].at;
		    j--) {
			t = r->items[j];
			r->items[j] = r->items[j - 1];
			r->items[j - 1] = t;
		}
}

/* Build the timeline of r->o from the prose and the items; every
 * item's text goes to one entry. */
static void
md_timeline(struct md_read *r)
{
	struct outage	*o = r->o;
	size_t		 first = 0, last;
	char		*text;

	md_sort_items(r);
	last = r->nitems;
	text = r->prose.len > 0 ? buf_steal(&r->prose) : NULL;
	if (text == NULL && r->nitems > 0 && r->items[0].at == o->opened_at)
		text = r->items[first++].text;
	o->updated_at = o->opened_at;
	md_entry(o, o->opened_at, text, OUTAGE_INVESTIGATING);
	if (r->resolved) {
		o->resolved_at = r->resolved_when;
		if (o->resolved_at == 0)
			o->resolved_at = last > first ?
			    r->items[last - 1].at : o->opened_at;
		if (o->resolved_at < o->opened_at)
			o->resolved_at = o->opened_at;
	}
	text = NULL;
	if (r->resolved && last > first &&
	    r->items[last - 1].at == o->resolved_at)
		text = r->items[--last].text;
	for (; first < last; first++)
		md_entry(o, r->items[first].at, r->items[first].text,
		    OUTAGE_INVESTIGATING);
	o->state = OUTAGE_INVESTIGATING;
	if (r->resolved) {
		md_entry(o, o->resolved_at, text, OUTAGE_RESOLVED);
		o->state = OUTAGE_RESOLVED;
	}
	free(r->items);
	r->items = NULL;
	r->nitems = 0;
}

/* Is text valid UTF-8 without NUL bytes? 0, or -1 with the line. */
static int
md_check_text(const char *text, size_t len, char **cause)
{
	const unsigned char	*p = (const unsigned char *)text;
	size_t			 i, n, line = 1;

	for (i = 0; i < len; i += n) {
		n = p[i] == '\0' ? 0 : util_utf8_seq(text + i, len - i);
		if (n == 0) {
			*cause = xasprintf("line %zu: %s", line, p[i] == '\0' ?
			    "a NUL byte" : "not UTF-8 text");
			return -1;
		}
		line += p[i] == '\n';
	}
	return 0;
}

/* If the line at p (before end) is "---", the next line; else NULL. */
static const char *
md_fence(const char *p, const char *end)
{
	if (end - p < 3 || memcmp(p, "---", 3) != 0)
		return NULL;
	for (p += 3; p < end && *p != '\n'; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return NULL;
	return p < end ? p + 1 : p;
}

/* Read a cState issue file into o (see status_md.h). */
int
status_md_cstate_read(const char *text, size_t len, struct outage *o,
    char **cause)
{
	struct md_read	 r;
	const char	*p, *end = text + len, *front, *close = NULL;
	size_t		 line = 2;
	int		 rc;

	memset(o, 0, sizeof(*o));
	*cause = NULL;
	if (md_check_text(text, len, cause) == -1)
		return -1;
	p = text;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* a byte-order mark */
	if ((front = md_fence(p, end)) == NULL) {
		*cause = xstrdup("line 1: no front matter (\"---\" first)");
		return -1;
	}
	for (p = front; p < end && close == NULL; line++) {
		close = md_fence(p, end);
		if (close == NULL && (p = memchr(p, '\n', (size_t)(end - p)))
		    != NULL)
			p++;
		else if (close == NULL)
			p = end;
	}
	if (close == NULL) {
		*cause = xasprintf("line %zu: the front matter does not end "
		    "(no second \"---\")", line - 1);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.o = o;
	buf_init(&r.prose);
	o->severity = OUTAGE_DISRUPTED;
	rc = md_read_front(&r, front, (size_t)(p - front), 2, cause);
	if (rc == 0) {
		if (r.informational)
			o->severity = OUTAGE_NOTICE;
		md_read_body(&r, close, end);
		md_timeline(&r);
		o->opened_by = xstrdup("import");
	}
	buf_free(&r.prose);
	if (rc == -1)
		outage_clear(o);
	return rc;
}
