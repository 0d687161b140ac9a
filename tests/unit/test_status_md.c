/* deps: status_md outage when tz util log */
/*
 * test_status_md.c — the cState and Statusfy pages: slugs and file
 * names, both front matters byte for byte, user text that must never
 * break a file (read back with libyaml and compared), determinism, and
 * the cState reader with its round trip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config.h"
#include "outage.h"
#include "status_md.h"
#include "util.h"

/* 2026-11-24T18:02:00Z, a Tuesday. */
#define OPENED	((time_t)1795543320)

static char *two[] = { "Copr", "Workers" };

/* Outage #12 as DESIGN §7 shows it: opened with text, one update. */
static void
sample(struct outage *o, const char *title)
{
	struct outage_change	 c;

	memset(o, 0, sizeof(*o));
	o->id = 12;
	o->title = xstrdup(title);
	o->severity = OUTAGE_DISRUPTED;
	o->state = OUTAGE_INVESTIGATING;
	o->opened_by = xstrdup("bob");
	o->opened_at = OPENED;
	outage_change_init(&c);
	c.set_affected = 1;
	c.affected = two;
	c.naffected = 2;
	c.text = "Builds are not starting";
	outage_apply(o, &c, "bob", OPENED);
	outage_change_init(&c);
	c.state = OUTAGE_IDENTIFIED;
	c.text = "Copr's builders are down";
	outage_apply(o, &c, "alice", OPENED + 38 * 60);
}

/* Resolve o 80 minutes after it was opened. */
static void
resolve(struct outage *o, const char *text)
{
	struct outage_change	 c;

	outage_change_init(&c);
	c.state = OUTAGE_RESOLVED;
	c.text = text;
	outage_apply(o, &c, "alice", OPENED + 80 * 60);
}

static void
test_slug(void **state)
{
	static const struct {
		const char	*title;
		const char	*slug;
	} cases[] = {
		{ "  Copr builds: FAILING!! (again)  ",
		    "copr-builds-failing-again-7" },
		{ "\xc5\xbdlu\xc5\xa5ou\xc4\x8dk\xc3\xbd "
		    "k\xc5\xaf\xc5\x88 --- ",
		    "lu-ou-k-k-7" },
		{ "!!! ---", "outage-7" },
		{ "", "outage-7" },
		/* 50 characters at most, never ending with '-'. */
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbb",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-7" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbb",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-b-7" },
	};
	struct outage	 o;
	char		*s;
	size_t		 i;

	memset(&o, 0, sizeof(o));
	o.id = 7;
	for (i = 0; i < nitems(cases); i++) {
		o.title = (char *)cases[i].title;
		s = status_md_slug(&o);
		assert_string_equal(s, cases[i].slug);
		free(s);
	}
}

static void
test_names(void **state)
{
	struct outage	 o;
	char		*s;

	sample(&o, "Copr builds failing");
	s = status_md_cstate_name(&o);
	assert_string_equal(s, "2026-11-24-copr-builds-failing-12.md");
	free(s);
	s = status_md_statusfy_name(&o);
	assert_string_equal(s, "2026-11-24_copr-builds-failing-12.md");
	free(s);
	outage_clear(&o);
}

/* The front matter of #12 down to its affected components. */
#define CSTATE_HEAD \
    "---\n" \
    "title: \"Copr builds failing\"\n" \
    "date: \"2026-11-24T18:02:00+00:00\"\n" \
    "affected:\n" \
    "  - Copr\n" \
    "  - Workers\n"

/* From the severity to the first line of the description. */
#define CSTATE_MIDDLE \
    "section: issue\n" \
    "severity: disrupted\n" \
    "---\n" \
    "\n" \
    "Alternatives: build in Koji\n" \
    "\n"

/* The updates, newest first. */
#define CSTATE_UPDATES \
    "Updates:\n" \
    "\n" \
    "- Tue Nov 24 18:40 UTC: Copr's builders are down\n" \
    "- Tue Nov 24 18:02 UTC: Builds are not starting\n"

static const char cstate_open[] =
    CSTATE_HEAD
    "resolved: false\n"
    CSTATE_MIDDLE
    "ETA: Tue Nov 24 20:00 UTC\n"
    "\n"
    CSTATE_UPDATES;

static const char cstate_resolved[] =
    CSTATE_HEAD
    "resolved: true\n"
    "resolvedWhen: \"2026-11-24T19:22:00+00:00\"\n"
    CSTATE_MIDDLE
    CSTATE_UPDATES;

static void
test_cstate(void **state)
{
	struct outage	 o;
	char		*s, *again;

	sample(&o, "Copr builds failing");
	o.alternatives = xstrdup("build in Koji");
	o.eta = OPENED + 118 * 60;
	s = status_md_cstate(&o);
	assert_string_equal(s, cstate_open);
	again = status_md_cstate(&o);
	assert_string_equal(s, again);
	free(s);
	free(again);
	/* The resolve has no text: no item; the ETA goes. */
	resolve(&o, "");
	s = status_md_cstate(&o);
	assert_string_equal(s, cstate_resolved);
	free(s);
	outage_clear(&o);
}

static const char statusfy_resolved[] =
    "---\n"
    "id: outage12\n"
    "title: \"Copr builds failing\"\n"
    "description: \"Cause: https://example.org/copr/1\"\n"
    "date: 2026-11-24T18:02:00.000Z\n"
    "modified: 2026-11-24T19:22:00.000Z\n"
    "severity: major-outage\n"
    "affectedsystems:\n"
    "  - copr-builders\n"
    "  - workers\n"
    "  - testing-farm\n"
    "resolved: true\n"
    "---\n"
    "\n"
    "Cause: https://example.org/copr/1\n"
    "\n"
    "::: update Investigating | 2026-11-24T18:02:00.000Z\n"
    "Builds are not starting\n"
    ":::\n"
    "\n"
    "::: update Identified | 2026-11-24T18:40:00.000Z\n"
    "Copr's builders are down\n"
    ":::\n"
    "\n"
    "::: update Resolved | 2026-11-24T19:22:00.000Z\n"
    "Resolved.\n"
    ":::\n";

static void
test_statusfy(void **state)
{
	struct outage	 o;
	struct cfg_pair	 map = { "COPR", "copr-builders" };
	char		*s;

	sample(&o, "Copr builds failing");
	o.severity = OUTAGE_DOWN;
	o.cause = xstrdup("https://example.org/copr/1");
	o.affected = xreallocarray(o.affected, 4, sizeof(char *));
	o.affected[2] = xstrdup("Testing Farm");
	o.affected[3] = NULL;
	o.naffected = 3;
	resolve(&o, NULL);
	s = status_md_statusfy(&o, &map, 1);
	assert_string_equal(s, statusfy_resolved);
	free(s);
	/* No description: the title; no map: lower case. */
	free(o.cause);
	o.cause = NULL;
	s = status_md_statusfy(&o, NULL, 0);
	assert_non_null(strstr(s, "description: \"Copr builds failing\"\n"));
	assert_non_null(strstr(s, "  - copr\n"));
	free(s);
	outage_clear(&o);
}

/*
 * Load the front matter of page (between its "---" lines) with libyaml
 * and return the value of key in the top mapping (caller frees), or
 * NULL. Fails the test when the front matter is not one mapping.
 */
static char *
front_value(const char *page, const char *key)
{
	yaml_parser_t	 p;
	yaml_document_t	 d;
	yaml_node_t	*root, *k, *v;
	yaml_node_pair_t *pair;
	const char	*end;
	char		*out = NULL;

	assert_memory_equal(page, "---\n", 4);
	end = strstr(page + 4, "\n---\n");
	assert_non_null(end);
	assert_true(yaml_parser_initialize(&p));
	yaml_parser_set_input_string(&p, (const unsigned char *)page + 4,
	    (size_t)(end + 1 - (page + 4)));
	assert_true(yaml_parser_load(&p, &d));
	root = yaml_document_get_root_node(&d);
	assert_non_null(root);
	assert_int_equal(root->type, YAML_MAPPING_NODE);
	for (pair = root->data.mapping.pairs.start;
	    pair < root->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(&d, pair->key);
		v = yaml_document_get_node(&d, pair->value);
		if (strcmp((char *)k->data.scalar.value, key) != 0)
			continue;
		if (v->type == YAML_SCALAR_NODE)
			out = xstrdup((char *)v->data.scalar.value);
		else if (v->type == YAML_SEQUENCE_NODE) {
			v = yaml_document_get_node(&d,
			    *v->data.sequence.items.start);
			out = xstrdup((char *)v->data.scalar.value);
		}
	}
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
	return out;
}

/* Check that key has the value want in the front matter of page. */
static void
front_is(const char *page, const char *key, const char *want)
{
	char	*v;

	v = front_value(page, key);
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

/* The number of lines in s. */
static size_t
lines(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/*
 * Is every line of the front matter of page a "key: value", a "key:"
 * or a "  - item"? (A value spread over lines could not be checked by
 * eye and would depend on the reader's folding rules.)
 */
static int
one_line_values(const char *page)
{
	const char	*p, *end;

	end = strstr(page + 4, "\n---\n");
	for (p = page + 4; p != NULL && p <= end; p = strchr(p, '\n') + 1) {
		if (strncmp(p, "  - ", 4) == 0)
			continue;
		while (*p >= 'a' && *p <= 'z')
			p++;
		if (*p != ':' || (p[1] != ' ' && p[1] != '\n'))
			return 0;
	}
	return 1;
}

/* Titles and names that would break hand-written YAML or Markdown. */
static const char *hostile[] = {
	"Copr \"builds\": failing",
	"--- \n---\nseverity: down",
	"back\\slash \\\" and 'single' # not a comment",
	"CR\rLF\nTAB\tend",
	"- [not, a, list]",
	"{ a: b }",
	"&anchor *alias !tag %dir @at `tick`",
	"null",
	"true",
	"  spaces around  ",
	"ünïcödé ✓ and \xe2\x80\xa8 line separator",
	"<img src=x onerror=alert(1)> &amp; <b>bold</b>",
	"",
};

static void
test_hostile(void **state)
{
	struct outage	 o;
	char		*s, *affected[1];
	const char	*body;
	size_t		 i;

	for (i = 0; i < nitems(hostile); i++) {
		sample(&o, hostile[i]);
		affected[0] = (char *)hostile[i];
		outage_names_free(o.affected, o.naffected);
		o.affected = affected;
		o.naffected = 1;
		free(o.updates[1].text);
		o.updates[1].text = xstrdup(hostile[i]);
		s = status_md_cstate(&o);
		assert_non_null(s);
		front_is(s, "title", hostile[i]);
		front_is(s, "affected", hostile[i]);
		front_is(s, "severity", "disrupted");
		/* The body keeps its shape: the update is one line. */
		body = strstr(s + 4, "\n---\n");
		assert_non_null(body);
		body += 4;
		if (*hostile[i] != '\0')
			assert_non_null(strstr(body, "\n\nUpdates:\n\n- Tue "
			    "Nov 24 18:40 UTC: "));
		assert_non_null(strstr(body, "\n- Tue Nov 24 18:02 UTC: "
		    "Builds are not starting\n"));
		assert_int_equal(lines(body), *hostile[i] != '\0' ? 6 : 5);
		/* No text is taken for HTML by a site that renders it. */
		assert_null(strchr(body, '<'));
		assert_null(strchr(body, '>'));
		assert_true(one_line_values(s));
		/* Words a reader would take for a boolean or a null. */
		assert_null(strstr(s, "  - true\n"));
		assert_null(strstr(s, "  - null\n"));
		assert_null(strstr(s, "  -\n"));
		assert_non_null(strstr(s, "\nresolved: false\n"));
		assert_true(util_utf8_valid(s, strlen(s)));
		free(s);
		s = status_md_statusfy(&o, NULL, 0);
		assert_non_null(s);
		front_is(s, "title", hostile[i]);
		body = strstr(s + 4, "\n---\n");
		assert_non_null(body);
		assert_null(strchr(body, '<'));
		front_is(s, "resolved", "false");
		free(s);
		o.affected = NULL;
		o.naffected = 0;
		outage_clear(&o);
	}
}

static void
test_not_utf8(void **state)
{
	struct outage	 o;
	char		*s;

	sample(&o, "bad \xff\xc3( byte");
	free(o.updates[1].text);
	o.updates[1].text = xstrdup("\xed\xa0\x80 surrogate");
	s = status_md_cstate(&o);
	assert_non_null(s);
	assert_true(util_utf8_valid(s, strlen(s)));
	front_is(s, "title", "bad \xef\xbf\xbd\xef\xbf\xbd( byte");
	free(s);
	outage_clear(&o);
}

/* Check that a and b have the same fields and timeline texts/times. */
static void
same_outage(const struct outage *a, const struct outage *b)
{
	size_t	 i;

	assert_string_equal(a->title, b->title);
	assert_int_equal(a->opened_at, b->opened_at);
	assert_int_equal(a->severity, b->severity);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->resolved_at, b->resolved_at);
	assert_int_equal(a->updated_at, b->updated_at);
	assert_int_equal(a->eta, b->eta);
	assert_int_equal(a->naffected, b->naffected);
	for (i = 0; i < a->naffected; i++)
		assert_string_equal(a->affected[i], b->affected[i]);
	assert_string_equal(a->alternatives != NULL ? a->alternatives : "",
	    b->alternatives != NULL ? b->alternatives : "");
	assert_string_equal(a->cause != NULL ? a->cause : "",
	    b->cause != NULL ? b->cause : "");
	assert_int_equal(a->nupdates, b->nupdates);
	for (i = 0; i < a->nupdates; i++) {
		assert_int_equal(a->updates[i].at, b->updates[i].at);
		assert_string_equal(a->updates[i].text, b->updates[i].text);
		assert_int_equal(a->updates[i].state, b->updates[i].state);
	}
}

/* Does s read back from a body line as it is (one line, trimmed)? */
static int
body_safe(const char *s)
{
	size_t	 n = strlen(s);

	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			return 0;
	s -= n;
	return n > 0 && s[0] != ' ' && s[n - 1] != ' ' &&
	    strstr(s, "\xe2\x80\xa8") == NULL;
}

/* Render o as cState, read it back and compare. */
static void
round_trip(const struct outage *o)
{
	struct outage	 back;
	char		*s, *cause;

	s = status_md_cstate(o);
	assert_non_null(s);
	if (status_md_cstate_read(s, strlen(s), &back, &cause) != 0)
		fail_msg("%s\n%s", cause, s);
	assert_int_equal(back.id, 0);
	same_outage(o, &back);
	outage_clear(&back);
	free(s);
}

static void
test_round_trip(void **state)
{
	struct outage	 o;
	size_t		 i;

	sample(&o, "Copr builds failing");
	o.alternatives = xstrdup("build in Koji");
	o.cause = xstrdup("https://example.org/copr/1");
	o.eta = OPENED + 118 * 60;
	o.state = OUTAGE_INVESTIGATING;	/* the reader knows no more */
	o.updates[1].state = OUTAGE_INVESTIGATING;
	round_trip(&o);
	resolve(&o, "Builders are back");
	o.eta = 0;			/* not shown once resolved */
	round_trip(&o);
	outage_clear(&o);
	for (i = 0; i < nitems(hostile); i++) {
		if (*hostile[i] == '\0')
			continue;
		sample(&o, hostile[i]);
		o.updates[1].state = OUTAGE_INVESTIGATING;
		if (body_safe(hostile[i])) {
			free(o.updates[1].text);
			o.updates[1].text = xstrdup(hostile[i]);
		}
		resolve(&o, "");
		round_trip(&o);
		outage_clear(&o);
	}
}

/* A file in the style of older cState sites, with the variants. */
static const char old_style[] =
    "---\n"
    "title: 'It''s \"quoted\": --- yes'\n"
    "date: 2018-04-13 13:06\n"
    "resolved: true\n"
    "# resolvedWhen: 2018-04-13 17:30:00\n"
    "# Possible severity levels: down, disrupted, notice\n"
    "severity: down\n"
    "affected:\n"
    "  - API\n"
    "  - \"Testing Farm\"\n"
    "section: issue\n"
    "pin: false\n"
    "unknown: { any: [thing] }\n"
    "---\n"
    "\n"
    "*Investigating* - we are looking\n"
    "into it.\n"
    "\n"
    "**Updates:**\n"
    "\n"
    "- 2018-04-13 19:30:00 +02:00: Fixed\n"
    "  for good.\n"
    "- Fri Apr 13 14:00 UTC: Found it\n";

static void
test_read_variants(void **state)
{
	struct outage	 o;
	char		*cause;

	assert_int_equal(status_md_cstate_read(old_style,
	    strlen(old_style), &o, &cause), 0);
	assert_string_equal(o.title, "It's \"quoted\": --- yes");
	assert_int_equal(o.opened_at, 1523624760);	/* 13:06Z */
	assert_int_equal(o.severity, OUTAGE_DOWN);
	assert_int_equal(o.naffected, 2);
	assert_string_equal(o.affected[1], "Testing Farm");
	assert_int_equal(o.state, OUTAGE_RESOLVED);
	/* No resolvedWhen: the newest update, 17:30Z. */
	assert_int_equal(o.resolved_at, 1523640600);
	assert_int_equal(o.nupdates, 3);
	assert_string_equal(o.updates[0].text,
	    "*Investigating* - we are looking into it.");
	assert_int_equal(o.updates[1].at, 1523628000);	/* 14:00Z */
	assert_string_equal(o.updates[1].text, "Found it");
	assert_int_equal(o.updates[2].state, OUTAGE_RESOLVED);
	assert_string_equal(o.updates[2].text, "Fixed for good.");
	outage_clear(&o);
}

/* Read a file made of head, then date: <date>, then tail. */
static int
read_with(const char *head, const char *date, const char *tail,
    struct outage *o, char **cause)
{
	char	*text;
	int	 rc;

	text = xasprintf("---\n%sdate: %s\n%s", head, date, tail);
	rc = status_md_cstate_read(text, strlen(text), o, cause);
	free(text);
	return rc;
}

static void
test_read_dates(void **state)
{
	static const struct {
		const char	*date;
		time_t		 t;
	} cases[] = {
		{ "2026-11-24 18:02", OPENED },
		{ "\"2026-11-24T18:02:00+00:00\"", OPENED },
		{ "2026-11-24T18:02:00.000Z", OPENED },
		{ "2026-11-24T19:02:00+01:00", OPENED },
		{ "2026-11-24 12:32:00 -0530", OPENED },
		{ "2026-11-24 18:02 UTC", OPENED },
		{ "2026-11-24", OPENED - (18 * 60 + 2) * 60 },
	};
	struct outage	 o;
	char		*cause;
	size_t		 i;

	for (i = 0; i < nitems(cases); i++) {
		if (read_with("title: x\n", cases[i].date, "---\n", &o,
		    &cause) != 0)
			fail_msg("%s: %s", cases[i].date, cause);
		assert_int_equal(o.opened_at, cases[i].t);
		assert_int_equal(o.state, OUTAGE_INVESTIGATING);
		assert_int_equal(o.nupdates, 1);
		outage_clear(&o);
	}
	/* informational, resolvedWhen in another zone, no updates. */
	assert_int_equal(read_with("title: x\ninformational: true\n"
	    "severity: down\nresolved: yes\n", "2026-11-24 18:02",
	    "resolvedWhen: 2026-11-24T20:22:00+01:00\n---\nbody\n", &o,
	    &cause), 0);
	assert_int_equal(o.severity, OUTAGE_NOTICE);
	assert_int_equal(o.resolved_at, OPENED + 80 * 60);
	assert_int_equal(o.nupdates, 2);
	assert_string_equal(o.updates[0].text, "body");
	outage_clear(&o);
	/* An item in January of an outage of December: the next year. */
	assert_int_equal(read_with("title: x\n", "2026-12-31 23:50",
	    "---\nUpdates:\n- Fri Jan 1 00:10 UTC: new year\n"
	    "- no time: the one before\n- Sun Mar : cut short\n", &o,
	    &cause), 0);
	assert_int_equal(o.nupdates, 4);
	assert_string_equal(o.updates[3].text, "Sun Mar : cut short");
	assert_int_equal(o.updates[1].at, 1798762200);	/* 2027 */
	assert_int_equal(o.updates[2].at, 1798762200);
	assert_string_equal(o.updates[2].text, "no time: the one before");
	outage_clear(&o);
	/* resolved without a time and without updates: the date. */
	assert_int_equal(read_with("title: x\nresolved: true\n",
	    "2026-11-24 18:02", "---\n", &o, &cause), 0);
	assert_int_equal(o.resolved_at, OPENED);
	outage_clear(&o);
}

static void
test_read_bad(void **state)
{
	static const struct {
		const char	*text;
		const char	*cause;
	} cases[] = {
		{ "---\ntitle: x\ndate: 2026-11-24\naffected:\n\t- API\n---\n",
		    "line 5: " },
		{ "---\ntitle: [oops\ndate: 2026-11-24\n---\n", "line 3: " },
		{ "---\ntitle: caf\xe9\ndate: 2026-11-24\n---\n",
		    "line 2: not UTF-8 text" },
		{ "---\ntitle: a\0b\n---\n", "line 2: a NUL byte" },
		{ "title: x\ndate: 2026-11-24\n", "line 1: no front matter" },
		{ "---\ntitle: x\ndate: 2026-11-24\n", "line 3: the front "
		    "matter does not end" },
		{ "---\ntitle: x\ndate: yesterday\n---\n",
		    "line 3: date: not a date" },
		{ "---\ntitle: x\ndate: 2026-13-24\n---\n",
		    "line 3: date: not a date" },
		{ "---\ntitle: x\ndate: 2026-02-30\n---\n",
		    "line 3: date: not a date" },
		{ "---\ntitle: x\ndate: 1969-12-31 23:00\n---\n",
		    "line 3: date: not a date" },
		{ "---\ntitle: x\ndate: 2026-11-24\nseverity: major\n---\n",
		    "line 4: severity: not down, disrupted or notice" },
		{ "---\ntitle: x\ndate: 2026-11-24\nresolved: maybe\n---\n",
		    "line 4: resolved: not true or false" },
		{ "---\n- title\n- date\n---\n",
		    "line 2: front matter: not a mapping" },
		{ "---\n---\n", "line 2: front matter: not a mapping" },
		{ "---\ndate: 2026-11-24\n---\n", "line 2: title: missing" },
		{ "---\ntitle: \"\"\ndate: 2026-11-24\n---\n",
		    "line 2: title: not a text" },
		{ "---\ntitle: x\n---\n", "line 2: date: missing" },
	};
	struct outage	 o;
	char		*cause;
	size_t		 i, len;

	for (i = 0; i < nitems(cases); i++) {
		len = strlen(cases[i].text);
		if (strstr(cases[i].cause, "NUL") != NULL)
			len = 18;
		cause = NULL;
		if (status_md_cstate_read(cases[i].text, len, &o, &cause) !=
		    -1)
			fail_msg("read: %s", cases[i].text);
		assert_non_null(cause);
		if (strncmp(cause, cases[i].cause, strlen(cases[i].cause)))
			fail_msg("%zu: \"%s\", not \"%s...\"", i, cause,
			    cases[i].cause);
		assert_null(o.title);
		assert_int_equal(o.nupdates, 0);
		free(cause);
	}
}

/*
 * An update's text never closes its Statusfy container early: ':::' at
 * the start, after up to three spaces, or after a control byte (which
 * becomes a space) is escaped, so the only lines that read as a closer
 * (0-3 spaces, then ':::') are the page's own, one per update.
 */
static void
test_statusfy_closer(void **state)
{
	static const char *texts[] = { ":::", " :::", "   ::: x", "\x02:::",
	    "\t:::" };
	struct outage		 o;
	struct outage_change	 c;
	const char		*p;
	char			*s;
	size_t			 i;
	int			 closers;

	sample(&o, "Copr builds failing");
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		outage_change_init(&c);
		c.text = texts[i];
		outage_apply(&o, &c, "alice", OPENED + 60 * (40 + (int)i));
	}
	s = status_md_statusfy(&o, NULL, 0);
	closers = 0;
	for (p = s; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL) {
		size_t n = strspn(p, " ");

		if (n <= 3 && strncmp(p + n, ":::", 3) == 0 &&
		    (p[n + 3] == '\n' || p[n + 3] == '\0'))
			closers++;
	}
	assert_int_equal(closers, (int)o.nupdates);
	free(s);
	outage_clear(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_cstate),
		cmocka_unit_test(test_statusfy),
		cmocka_unit_test(test_statusfy_closer),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_read_variants),
		cmocka_unit_test(test_read_dates),
		cmocka_unit_test(test_read_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
