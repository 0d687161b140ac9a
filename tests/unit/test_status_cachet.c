/* deps: status_cachet http loop outage outage_text when tz util log */
/*
 * test_status_cachet.c — the pure parts of the Cachet backend: the
 * status numbers of Cachet 2.x for each state and severity, the request
 * bodies (incident, incident update, component), the incident's name
 * and message, and the reading of Cachet's answers (an item's id, the
 * incident of a listing by name and marker, whether an update is there
 * already, a component's holders, the pages of components).
 * status.c (and through it every backend and the store) is not linked:
 * the few functions of status.h the module calls are stand-ins here
 * that fail the test if a pure part ever reaches them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "outage.h"
#include "status.h"
#include "status_cachet.h"
#include "util.h"

#define NOW	((time_t)1795600000)
/* six "é" */
#define E6	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"

/* Stand-ins for status.c; the pure parts never call them. */
const struct status_event *
status_job_event(const struct status_job *j)
{
	fail();
	return NULL;
}

void
status_job_finish(struct status_job *j, enum outbox_result res,
    long long retry_ms, const char *cause)
{
	fail();
}

void
status_job_answer(struct status_job *j, const struct http_response *r,
    const char *what)
{
	fail();
}

const char *
status_job_cause(const struct status_job *j, enum outbox_result res,
    const char *what, const char *why, char *buf, size_t len)
{
	fail();
	return buf;
}

int
status_memo_get(const struct status_ctx *ctx, long long id,
    const char *what, char **value)
{
	fail();
	return -1;
}

int
status_memo_set(const struct status_ctx *ctx, long long id,
    const char *what, const char *value)
{
	fail();
	return -1;
}

static char *affected2[] = { "Copr", "Testing Farm" };
static char *affected1[] = { "API" };

/* An event on outage #12 with one timeline entry carrying text. */
static void
sample(struct status_event *ev, enum status_kind kind, const char *text)
{
	static struct outage_update	 up;

	memset(ev, 0, sizeof(*ev));
	memset(&up, 0, sizeof(up));
	up.at = NOW;
	up.author = "alice";
	up.text = (char *)text;
	ev->kind = kind;
	ev->instance = "test";
	ev->outage.id = 12;
	ev->outage.title = "Copr builds failing";
	ev->outage.severity = OUTAGE_DISRUPTED;
	ev->outage.state = OUTAGE_INVESTIGATING;
	ev->outage.affected = affected2;
	ev->outage.naffected = 2;
	ev->outage.updates = &up;
	ev->outage.nupdates = 1;
}

/* body parsed as JSON (the caller decrefs). */
static json_t *
parsed(char *body)
{
	json_t	*j;

	assert_non_null(body);
	j = json_loads(body, 0, NULL);
	free(body);
	assert_non_null(j);
	return j;
}

static void
test_incident_status(void **state)
{
	assert_int_equal(cachet_incident_status(OUTAGE_INVESTIGATING), 1);
	assert_int_equal(cachet_incident_status(OUTAGE_IDENTIFIED), 2);
	assert_int_equal(cachet_incident_status(OUTAGE_MONITORING), 3);
	assert_int_equal(cachet_incident_status(OUTAGE_RESOLVED), 4);
}

static void
test_component_status(void **state)
{
	struct outage	 o;

	memset(&o, 0, sizeof(o));
	o.state = OUTAGE_IDENTIFIED;
	o.severity = OUTAGE_NOTICE;
	assert_int_equal(cachet_component_status(&o), 2);
	o.severity = OUTAGE_DISRUPTED;
	assert_int_equal(cachet_component_status(&o), 3);
	o.severity = OUTAGE_DOWN;
	assert_int_equal(cachet_component_status(&o), 4);
	o.state = OUTAGE_MONITORING;
	assert_int_equal(cachet_component_status(&o), 4);
	o.state = OUTAGE_RESOLVED;
	assert_int_equal(cachet_component_status(&o), 1);
}

static void
test_name_and_marker(void **state)
{
	struct outage	 o;
	char		*s, big[300];

	memset(&o, 0, sizeof(o));
	o.id = 7;
	o.title = "API\r\ndown\there";
	s = cachet_name(&o);
	assert_string_equal(s, "API  down here");
	free(s);
	o.title = " \t padded\r\n ";
	s = cachet_name(&o);
	assert_string_equal(s, "padded");
	free(s);
	o.title = " ";
	s = cachet_name(&o);
	assert_string_equal(s, "outage #7");
	free(s);
	memset(big, 'a', 250);
	memcpy(big + 250, E6, 12);
	big[262] = '\0';
	o.title = big;			/* 256 characters */
	s = cachet_name(&o);
	assert_int_equal(strlen(s), 250 + 2 * 5);
	assert_memory_equal(s + 250, E6, 10);
	free(s);
	big[255] = '\0';		/* 253 characters */
	s = cachet_name(&o);
	assert_string_equal(s, big);
	free(s);
	s = cachet_marker("packit", 12);
	assert_string_equal(s, "packit/12");
	free(s);
}

static void
test_message(void **state)
{
	struct status_event	 ev;
	char			*s;

	sample(&ev, STATUS_OPENED, "");
	ev.outage.alternatives = "build *locally*";
	s = cachet_message(&ev);
	assert_string_equal(s, "We are investigating.\n\nAffected: Copr, "
	    "Testing Farm.\n\nAlternatives: build \\*locally\\*");
	free(s);
	sample(&ev, STATUS_UPDATED, "a bad <config>");
	ev.outage.state = OUTAGE_IDENTIFIED;
	ev.outage.alternatives = "build locally";
	s = cachet_message(&ev);
	assert_string_equal(s, "a bad &lt;config&gt;");
	free(s);
	sample(&ev, STATUS_RESOLVED, NULL);
	ev.outage.state = OUTAGE_RESOLVED;
	s = cachet_message(&ev);
	assert_string_equal(s, "This has been resolved.");
	free(s);
	sample(&ev, STATUS_UPDATED, "");
	ev.outage.state = OUTAGE_MONITORING;
	s = cachet_message(&ev);
	assert_true(strlen(s) > 0);
	free(s);
}

static void
test_create_body(void **state)
{
	struct status_event	 ev;
	json_t			*j, *meta;

	sample(&ev, STATUS_OPENED, "Copr is down");
	ev.outage.severity = OUTAGE_DOWN;
	j = parsed(cachet_create_body(&ev, 0));
	assert_string_equal(json_string_value(json_object_get(j, "name")),
	    "Copr builds failing");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "visible")), 1);
	assert_true(json_is_false(json_object_get(j, "notify")));
	assert_null(json_object_get(j, "component_id"));
	assert_null(json_object_get(j, "component_status"));
	meta = json_object_get(j, "meta");
	assert_string_equal(json_string_value(json_object_get(meta,
	    "outagebot")), "test/12");
	assert_non_null(strstr(json_string_value(json_object_get(j,
	    "message")), "Copr is down"));
	json_decref(j);

	ev.outage.affected = affected1;
	ev.outage.naffected = 1;
	ev.outage.state = OUTAGE_IDENTIFIED;
	j = parsed(cachet_create_body(&ev, 5));
	assert_int_equal(json_integer_value(json_object_get(j,
	    "component_id")), 5);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "component_status")), 4);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 2);
	json_decref(j);
}

static void
test_update_bodies(void **state)
{
	struct status_event	 ev;
	json_t			*j;

	sample(&ev, STATUS_RESOLVED, "rolled back");
	ev.outage.state = OUTAGE_RESOLVED;
	j = parsed(cachet_update_body(&ev));
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 4);
	assert_string_equal(json_string_value(json_object_get(j, "message")),
	    "rolled back");
	assert_int_equal(json_object_size(j), 2);
	json_decref(j);
	j = parsed(cachet_component_body(3));
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 3);
	assert_int_equal(json_object_size(j), 1);
	json_decref(j);
}

static void
test_parse_id(void **state)
{
	long long	 id;

	assert_int_equal(cachet_parse_id("{\"data\":{\"id\":42,\"name\":"
	    "\"x\"}}", &id), 0);
	assert_int_equal(id, 42);
	assert_int_equal(cachet_parse_id("{\"data\":{\"id\":\"7\"}}", &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(cachet_parse_id("{\"data\":{\"id\":0}}", &id), -1);
	assert_int_equal(cachet_parse_id("{\"data\":[]}", &id), -1);
	assert_int_equal(cachet_parse_id("<html>", &id), -1);
	assert_int_equal(cachet_parse_id("", &id), -1);
	assert_int_equal(cachet_parse_id(NULL, &id), -1);
}

static void
test_find_incident(void **state)
{
	static const char list[] = "{\"meta\":{\"pagination\":{}},\"data\":["
	    "{\"id\":9,\"name\":\"API down\",\"meta\":[{\"key\":\"outagebot\","
	    "\"value\":\"test/3\"}]},"
	    "{\"id\":8,\"name\":\"API down\",\"meta\":[]},"
	    "{\"id\":6,\"name\":\"API down\",\"meta\":[{\"key\":\"other\","
	    "\"value\":\"test/12\"},{\"key\":\"outagebot\",\"value\":"
	    "\"test/12\"}]},"
	    "{\"id\":5,\"name\":\"API down\",\"meta\":{\"outagebot\":"
	    "\"test/12\"}}]}";

	assert_int_equal(cachet_find_incident(list, "API down", "test/12"), 6);
	assert_int_equal(cachet_find_incident(list, "API down", "test/3"), 9);
	assert_int_equal(cachet_find_incident(list, "API Down", "test/12"), 0);
	assert_int_equal(cachet_find_incident(list, "API down", "test/1"), 0);
	assert_int_equal(cachet_find_incident("{\"data\":[{\"id\":5,\"name\":"
	    "\"x\",\"meta\":{\"outagebot\":\"i/1\"}}]}", "x", "i/1"), 5);
	assert_int_equal(cachet_find_incident("{\"data\":[]}", "x", "i/1"), 0);
	assert_int_equal(cachet_find_incident("{\"data\":{}}", "x", "i/1"),
	    -1);
	assert_int_equal(cachet_find_incident("oops", "x", "i/1"), -1);
}

static void
test_update_posted(void **state)
{
	static const char list[] = "{\"meta\":{},\"data\":["
	    "{\"id\":5,\"status\":2,\"message\":\"a bad config\"},"
	    "{\"id\":4,\"status\":1,\"message\":\"looking\"}]}";

	assert_int_equal(cachet_update_posted(list, 2, "a bad config"), 1);
	assert_int_equal(cachet_update_posted(list, 2, " a bad config\n"), 1);
	assert_int_equal(cachet_update_posted(list, 3, "a bad config"), 0);
	assert_int_equal(cachet_update_posted(list, 2, "a bad"), 0);
	assert_int_equal(cachet_update_posted(list, 1, "looking"), 0);
	assert_int_equal(cachet_update_posted("{\"data\":[]}", 1, "x"), 0);
	assert_int_equal(cachet_update_posted("{\"data\":null}", 1, "x"),
	    -1);
	assert_int_equal(cachet_update_posted(NULL, 1, "x"), -1);
}

static void
test_holders(void **state)
{
	static const struct {
		const char	*list;
		long long	 outage;
		int		 status;
		const char	*want;
		int		 worst;
	} t[] = {
		{ NULL, 3, 4, "3:4", 4 },
		{ "3:4", 5, 2, "3:4,5:2", 4 },
		{ "3:4,5:2", 3, 0, "5:2", 2 },
		{ "5:2,3:4", 5, 3, "3:4,5:3", 4 },
		{ "5:2", 5, 0, "", 0 },
		{ "x:2,7,8:9,:3,9:1,99999999999999999999:2", 1, 0, "9:1", 1 },
	};
	char	*s;
	int	 worst;
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		worst = -1;
		s = cachet_holders(t[i].list, t[i].outage, t[i].status,
		    &worst);
		assert_string_equal(s, t[i].want);
		assert_int_equal(worst, t[i].worst);
		free(s);
	}
}

static void
test_components(void **state)
{
	struct cachet_comps	 cs;
	int			 more = -1;

	memset(&cs, 0, sizeof(cs));
	assert_int_equal(cachet_parse_components("{\"meta\":{\"pagination\":"
	    "{\"current_page\":1,\"total_pages\":2,\"links\":{\"next_page\":"
	    "\"http://x/api/v1/components?page=2\"}}},\"data\":["
	    "{\"id\":1,\"name\":\"API\"},{\"id\":\"2\",\"name\":\"Testing "
	    "Farm\"},{\"name\":\"no id\"},{\"id\":4}]}", &cs, &more), 0);
	assert_int_equal(more, 1);
	assert_int_equal(cs.n, 2);
	/* total_pages alone says there is more */
	assert_int_equal(cachet_parse_components("{\"meta\":{\"pagination\":"
	    "{\"current_page\":2,\"total_pages\":3,\"links\":{\"next_page\":"
	    "null}}},\"data\":[{\"id\":3,\"name\":\"Copr\"}]}", &cs, &more),
	    0);
	assert_int_equal(more, 1);
	assert_int_equal(cachet_parse_components("{\"meta\":{\"pagination\":"
	    "{\"current_page\":3,\"total_pages\":3,\"links\":{\"next_page\":"
	    "null}}},\"data\":[{\"id\":7,\"name\":\"Koji\"}]}", &cs, &more),
	    0);
	assert_int_equal(more, 0);
	assert_int_equal(cs.n, 4);
	assert_int_equal(cachet_comps_find(&cs, "testing farm"), 2);
	assert_int_equal(cachet_comps_find(&cs, "COPR"), 3);
	assert_int_equal(cachet_comps_find(&cs, "Koji"), 7);
	assert_int_equal(cachet_comps_find(&cs, "Dashboard"), 0);
	assert_int_equal(cachet_parse_components("{\"errors\":[]}", &cs,
	    &more), -1);
	assert_int_equal(cs.n, 4);
	cachet_comps_clear(&cs);
	assert_int_equal(cs.n, 0);
	assert_null(cs.v);
	cachet_comps_clear(&cs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incident_status),
		cmocka_unit_test(test_component_status),
		cmocka_unit_test(test_name_and_marker),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_create_body),
		cmocka_unit_test(test_update_bodies),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_find_incident),
		cmocka_unit_test(test_update_posted),
		cmocka_unit_test(test_holders),
		cmocka_unit_test(test_components),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
