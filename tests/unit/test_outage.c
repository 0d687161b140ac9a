/* deps: outage outage_text when tz util log */
/*
 * test_outage.c — the outage model and its texts: words, affected
 * components against the configured list, the update and resolve rules,
 * the timeline, and every text made safe for its destination (CR/LF on
 * a channel line and in the topic prefix, Markdown, HTML and @mentions
 * on GitHub).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "outage.h"
#include "outage_text.h"
#include "tz.h"
#include "util.h"

/* 2026-11-25T09:46:40Z, a Wednesday. */
#define NOW	((time_t)1795600000)

static char *components[] = { "API", "Copr", "Testing Farm" };

/* A fresh open outage #12 as !outage open would make it. */
static void
sample(struct outage *o)
{
	struct outage_change	 c;

	memset(o, 0, sizeof(*o));
	o->id = 12;
	o->title = xstrdup("Copr builds failing");
	o->severity = OUTAGE_DISRUPTED;
	o->state = OUTAGE_INVESTIGATING;
	o->master = xstrdup("alice");
	o->opened_by = xstrdup("bob");
	o->opened_at = NOW;
	outage_change_init(&c);
	c.text = "";
	outage_apply(o, &c, "bob", NOW);
}

static void
test_words(void **state)
{
	assert_int_equal(outage_severity_parse("Down"), OUTAGE_DOWN);
	assert_int_equal(outage_severity_parse("disrupted"), OUTAGE_DISRUPTED);
	assert_int_equal(outage_severity_parse("major"), -1);
	assert_int_equal(outage_state_parse("MONITORING"), OUTAGE_MONITORING);
	assert_int_equal(outage_state_parse("fixed"), -1);
	assert_string_equal(outage_state_name(OUTAGE_IDENTIFIED), "identified");
	assert_string_equal(outage_severity_name(OUTAGE_NOTICE), "notice");
}

static void
test_affected(void **state)
{
	char	**names, *cause = NULL;
	size_t	  n;

	assert_int_equal(outage_affected_parse(" copr, testing farm ,COPR",
	    components, 3, &names, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "Copr");
	assert_string_equal(names[1], "Testing Farm");
	outage_names_free(names, n);

	assert_int_equal(outage_affected_parse("Copr,Kojii", components, 3,
	    &names, &n, &cause), -1);
	assert_string_equal(cause, "unknown component \"Kojii\" (known: "
	    "API, Copr, Testing Farm)");
	free(cause);
	cause = NULL;

	assert_int_equal(outage_affected_parse(" , ", components, 3,
	    &names, &n, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;

	/* Without a configured list, names are taken as typed. */
	assert_int_equal(outage_affected_parse("Koji,koji", NULL, 0,
	    &names, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "Koji");
	outage_names_free(names, n);
}

static void
test_update_rules(void **state)
{
	struct outage		 o;
	struct outage_change	 c;
	char			*cause = NULL;

	sample(&o);
	outage_change_init(&c);
	assert_int_equal(outage_update_check(&o, &c, &cause), -1);
	assert_string_equal(cause, "say what changed (text or an option)");
	free(cause);
	cause = NULL;

	c.state = OUTAGE_RESOLVED;
	assert_int_equal(outage_update_check(&o, &c, &cause), -1);
	assert_string_equal(cause, "to resolve it, say !outage resolve 12");
	free(cause);
	cause = NULL;

	outage_change_init(&c);
	c.state = OUTAGE_IDENTIFIED;
	c.eta = NOW + 3600;
	c.text = "a bad config in Copr";
	assert_int_equal(outage_update_check(&o, &c, &cause), 0);
	outage_apply(&o, &c, "carol", NOW + 600);
	assert_int_equal(o.state, OUTAGE_IDENTIFIED);
	assert_int_equal(o.eta, NOW + 3600);
	assert_int_equal(o.updated_at, NOW + 600);
	assert_int_equal(o.nupdates, 2);
	assert_true(o.updates[1].state_changed);
	assert_string_equal(o.updates[1].author, "carol");
	assert_int_equal(o.resolved_at, 0);

	/* The same state again is not a change of state. */
	outage_change_init(&c);
	c.state = OUTAGE_IDENTIFIED;
	c.text = "still on it";
	outage_apply(&o, &c, "carol", NOW + 700);
	assert_false(o.updates[2].state_changed);

	/* Resolve, then nothing more is accepted. */
	assert_int_equal(outage_resolve_check(&o, &cause), 0);
	outage_change_init(&c);
	c.state = OUTAGE_RESOLVED;
	c.text = "fixed";
	outage_apply(&o, &c, "alice", NOW + 4800);
	assert_int_equal(o.resolved_at, NOW + 4800);
	assert_int_equal(outage_resolve_check(&o, &cause), -1);
	assert_string_equal(cause, "outage #12 is already resolved");
	free(cause);
	cause = NULL;
	outage_change_init(&c);
	c.text = "one more thing";
	assert_int_equal(outage_update_check(&o, &c, &cause), -1);
	assert_string_equal(cause, "outage #12 is resolved; open a new one");
	free(cause);
	outage_clear(&o);
}

static void
test_channel_lines(void **state)
{
	struct outage		 o;
	struct outage_change	 c;
	struct outage_text_env	 env = { 0 };
	char			*aff[] = { "Copr", "Testing Farm" }, *s;
	char			*cause = NULL;

	env.tz = tz_load("UTC", &cause);
	assert_non_null(env.tz);
	env.now = NOW;
	sample(&o);
	free(o.title);
	o.title = xstrdup("Copr\r\nPRIVMSG #x :owned\x01");
	outage_change_init(&c);
	c.set_affected = 1;
	c.affected = aff;
	c.naffected = 2;
	c.eta = NOW + 7200;
	outage_apply(&o, &c, "bob", NOW);

	s = outage_line_open(&o, &env);
	assert_null(strchr(s, '\r'));
	assert_null(strchr(s, '\n'));
	assert_null(strchr(s, '\x01'));
	assert_string_equal(s, "[outage #12 disrupted] Copr  PRIVMSG #x :owned  "
	    "\xe2\x80\x94 affected: Copr, Testing Farm \xe2\x80\x94 ETA "
	    "Wed 25 Nov 11:46 UTC \xe2\x80\x94 master: alice");
	free(s);

	outage_change_init(&c);
	c.text = "resolved\nby a restart";
	c.state = OUTAGE_RESOLVED;
	outage_apply(&o, &c, "alice", NOW + 4800);
	s = outage_line_resolve(&o, &env);
	assert_string_equal(s, "[outage #12 resolved] Copr  PRIVMSG #x :owned  "
	    "\xe2\x80\x94 after 1h20m \xe2\x80\x94 resolved by a restart "
	    "\xe2\x80\x94 affected: Copr, Testing Farm \xe2\x80\x94 master: "
	    "alice");
	free(s);
	outage_clear(&o);
	tz_free((struct tz *)env.tz);
}

/* The topic prefix: safe, cut long; added newest first, taken out
 * exactly, wherever it stands. */
static void
test_topic(void **state)
{
	struct outage	 o;
	char		 title[300], *p, *s;

	sample(&o);
	free(o.title);
	o.title = xstrdup("Copr\r\nTOPIC #x :owned\x01");
	p = outage_topic_prefix(&o);
	assert_string_equal(p, "outage #12: Copr  TOPIC #x :owned  | ");
	s = outage_topic_add("Welcome", p);
	assert_string_equal(s, "outage #12: Copr  TOPIC #x :owned  | Welcome");
	assert_null(outage_topic_add(s, p));	/* there already */
	free(s);
	s = outage_topic_remove("outage #13: API | outage #12: Copr  TOPIC "
	    "#x :owned  | Welcome (edited)", p);
	assert_string_equal(s, "outage #13: API | Welcome (edited)");
	assert_null(outage_topic_remove(s, p));	/* gone already */
	free(s);
	/* Alone in the topic, its trailing space was trimmed on the way. */
	assert_null(outage_topic_add("outage #12: Copr  TOPIC #x :owned  |",
	    p));
	s = outage_topic_remove("outage #12: Copr  TOPIC #x :owned  |", p);
	assert_string_equal(s, "");
	free(s);
	assert_null(outage_topic_remove("outage #12: Copr  TOPIC #x :owned  "
	    "|x", p));
	free(p);

	/* A long title is cut at a character boundary (here a 2-byte é). */
	memset(title, 'a', sizeof(title));
	memcpy(title + OUTAGE_TOPIC_TITLE_MAX - 1, "\xc3\xa9", 2);
	title[sizeof(title) - 1] = '\0';
	free(o.title);
	o.title = xstrdup(title);
	p = outage_topic_prefix(&o);
	assert_int_equal(strlen(p), strlen("outage #12: ") +
	    OUTAGE_TOPIC_TITLE_MAX - 1 + strlen("... | "));
	assert_non_null(strstr(p, "aaa... | "));
	free(p);
	outage_clear(&o);
}

static void
test_status_line(void **state)
{
	struct outage		 a, b, c;
	const struct outage	*all[3] = { &a, &b, &c };
	char			*copr[] = { "Copr" }, *both[] = { "API", "Copr" };
	char			*s;

	sample(&a);
	sample(&b);
	sample(&c);
	s = outage_status_line(all, 0);
	assert_string_equal(s, "all systems operational");
	free(s);

	a.affected = xcalloc(1, sizeof(char *));
	a.affected[0] = xstrdup(copr[0]);
	a.naffected = 1;
	b.id = 13;
	b.severity = OUTAGE_DOWN;
	b.affected = xcalloc(2, sizeof(char *));
	b.affected[0] = xstrdup(both[0]);
	b.affected[1] = xstrdup(both[1]);
	b.naffected = 2;
	c.id = 14;
	c.state = OUTAGE_RESOLVED;
	s = outage_status_line(all, 3);
	assert_string_equal(s, "Copr: down (#12, #13); API: down (#13)");
	free(s);
	c.state = OUTAGE_MONITORING;
	c.severity = OUTAGE_NOTICE;
	s = outage_status_line(all, 3);
	assert_string_equal(s, "Copr: down (#12, #13); API: down (#13); "
	    "unspecified: notice (#14)");
	free(s);
	a.state = b.state = c.state = OUTAGE_RESOLVED;
	s = outage_status_line(all, 3);
	assert_string_equal(s, "all systems operational");
	free(s);
	outage_clear(&a);
	outage_clear(&b);
	outage_clear(&c);
}

static void
test_markdown_escape(void **state)
{
	struct buf	 b;

	buf_init(&b);
	outage_text_md(&b, "@alice `rm -rf` <b>x</b> *a_b* [l](u) #1\r\n|");
	assert_string_equal(b.data, "@\xe2\x80\x8b" "alice \\`rm -rf\\` "
	    "&lt;b&gt;x&lt;/b&gt; \\*a\\_b\\* \\[l\\]\\(u\\) \\#1  \\|");
	buf_free(&b);
}

static void
test_gh_body(void **state)
{
	struct outage		 o;
	struct outage_text_env	 env = { 0 };
	char			*s;

	sample(&o);
	free(o.title);
	o.title = xstrdup("@team: `make` fails\n---\n<script>");
	env.instance = "packit";
	env.master_login = "alice-gh";
	env.now = NOW;
	s = outage_gh_body(&o, &env);
	assert_string_equal(s,
	    "**What is broken:** @\xe2\x80\x8bteam: \\`make\\` fails --- "
	    "&lt;script&gt;\n"
	    "**Who is affected:** unknown yet\n"
	    "**Alternatives:** none known\n"
	    "**Expected fix:** not known yet\n"
	    "**Caused by:** under investigation\n"
	    "**Outage master:** @alice-gh\n"
	    "\nUpdates are posted below as comments.\n"
	    "<!-- outagebot:outage=packit/12 -->\n");
	free(s);

	o.eta = NOW;
	o.cause = xstrdup("https://copr.fedorainfracloud.org/status_x");
	o.alternatives = xstrdup("build locally");
	env.status_url = "https://status.packit.dev";
	env.master_login = NULL;
	s = outage_gh_body(&o, &env);
	assert_non_null(strstr(s, "**Expected fix:** 2026-11-25 09:46 UTC\n"));
	assert_non_null(strstr(s, "**Caused by:** "
	    "<https://copr.fedorainfracloud.org/status_x>\n"));
	assert_non_null(strstr(s, "**Alternatives:** build locally\n"));
	assert_non_null(strstr(s, "**Outage master:** alice\n"));
	assert_non_null(strstr(s,
	    "**Status page:** <https://status.packit.dev>\n"));
	free(s);

	/* A cause that is not a plain URL is escaped text, not a link. */
	free(o.cause);
	o.cause = xstrdup("https://x/<img src=y>");
	s = outage_gh_body(&o, &env);
	assert_non_null(strstr(s, "**Caused by:** https://x/&lt;img src=y&gt;"));
	free(s);
	outage_clear(&o);
}

static void
test_gh_resolve(void **state)
{
	struct outage		 o;
	struct outage_change	 c;
	struct outage_text_env	 env = { 0 };
	char			*s;

	sample(&o);
	outage_change_init(&c);
	c.state = OUTAGE_IDENTIFIED;
	c.text = "cause found";
	outage_apply(&o, &c, "carol", NOW + 600);
	outage_change_init(&c);
	c.state = OUTAGE_RESOLVED;
	c.text = "all good";
	outage_apply(&o, &c, "alice", NOW + 3600);
	s = outage_gh_resolve(&o, &env);
	assert_non_null(strstr(s, "**Resolved** \xe2\x80\x94 alice, "
	    "2026-11-25 10:46 UTC\n\nall good"));
	assert_non_null(strstr(s, "**Duration:** 1h\n"));
	assert_non_null(strstr(s, "- 2026-11-25 09:46 UTC \xe2\x80\x94 "
	    "opened by bob (disrupted)\n"));
	assert_non_null(strstr(s, "- 2026-11-25 09:56 UTC \xe2\x80\x94 "
	    "identified \xe2\x80\x94 carol: cause found\n"));
	assert_non_null(strstr(s, "## Impact"));
	assert_non_null(strstr(s, "## Root cause"));
	assert_non_null(strstr(s, "## Follow-ups"));
	free(s);
	outage_clear(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_affected),
		cmocka_unit_test(test_update_rules),
		cmocka_unit_test(test_channel_lines),
		cmocka_unit_test(test_topic),
		cmocka_unit_test(test_status_line),
		cmocka_unit_test(test_markdown_escape),
		cmocka_unit_test(test_gh_body),
		cmocka_unit_test(test_gh_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
