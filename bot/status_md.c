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

#define SLUG_MAX	50

static const char *const md_wday[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const md_mon[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* The length of the valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t
md_utf8_len(const unsigned char *p, size_t n)
{
	size_t	 need, i;
	unsigned cp, min;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
		cp = p[0] & 0x1f;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		cp = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		cp = p[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

/*
 * Append s to b as valid UTF-8 (bad bytes become U+FFFD); with flat,
 * control bytes also become spaces so that s stays on one line.
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
		n = md_utf8_len(p, len);
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
	else {
		/* A line starting with ':' could close the container. */
		if (*u->text == ':')
			buf_addc(b, '\\');
		md_text(b, u->text, 1);
	}
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
