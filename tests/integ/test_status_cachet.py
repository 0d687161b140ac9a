"""The Cachet status-page backend end to end (DESIGN §7, §8): the real
bot in a real ngIRCd channel, Cachet 2.x played by tests/fakes/cachet.py.
An outage becomes one incident (created once, across failures and a
kill -9), its updates incident updates, and the affected components
carry its severity until the resolve sets them operational; component
ids are looked up by name over every page of the listing, cached, and
looked up again when a name is missing. A hanging Cachet never delays
the bot's replies; a rejected token is said once and retried by hand.

Identity is by hostmask: alice (admin) is the only member here."""

import json
import re
import time
import urllib.error
import urllib.request

import harness
from harness import check, privmsg_from
from test_outage import bot_line, secret, wait_until

TOKEN = "cachet-test-token"
ROLE = {"name": "outage-master", "members": ["alice"],
        "shift": "1w", "start": "2026-11-23 09:00", "timezone": "UTC",
        "announce_channel": "#test"}
FILLERS = 110           # components before ours: the listing has 2 pages


def load_fake():
    return harness.load_fake("cachet")


def fake_cachet(t, names=("API", "Copr", "Testing Farm")):
    ca = load_fake().FakeCachet(token=TOKEN).start()
    t.on_cleanup(ca.stop)
    for i in range(FILLERS):
        ca.add_component("Filler %d" % i)
    for n in names:
        ca.add_component(n)
    return ca


def setup(t, ca, token=TOKEN):
    srv = t.ngircd()
    alice = t.client(srv, "alice")
    alice.join("#test")
    backend = {"type": "cachet", "url": ca.url + "/",
               "token_file": secret(t, "cachet-token", token + "\n")}
    cfg = t.bot_config(
        srv, roles=[ROLE],
        team={"identify": "hostmask", "admins": ["alice!*@*"],
              "members": ["alice!*@*"]},
        statuspage={"components": ["API", "Copr", "Testing Farm", "Koji"],
                    "backends": [backend]},
        irc={"flood": {"burst": 30, "interval": "1s"},
             "max_reply_lines": 12})
    bot = t.bot(cfg, start=False)
    bot.start()
    bot.wait_joined(alice, "#test")
    return srv, bot, alice


def statuses(ca, *names):
    return [ca.component_status(n) for n in names]


def test_cachet_open_update_resolve(t):
    ca = fake_cachet(t)
    srv, bot, alice = setup(t, ca)
    alice.say("#test", "!outage open --severity down --affected "
              "\"copr,testing farm,koji\" --alternative "
              "\"build *locally*\" Copr builds failing")
    bot_line(alice, r"^alice: outage #1 opened$")
    wait_until("the components down", lambda: statuses(
        ca, "Copr", "Testing Farm") == [4, 4])
    incs = ca.incidents()
    check(len(incs) == 1, "one incident: %r" % incs)
    inc = incs[0]
    check(inc["name"] == "Copr builds failing", "name: %r" % inc["name"])
    check(inc["status"] == 1 and inc["visible"] == 1 and
          inc["notifications"] is False, "status 1, visible, no notify")
    check(inc["component_id"] == 0, "no component_id with two components")
    check([(m["key"], m["value"]) for m in inc["meta"]] ==
          [("outagebot", "test/1")], "the marker: %r" % inc["meta"])
    check("Affected: Copr, Testing Farm" in inc["message"] and
          "build \\*locally\\*" in inc["message"],
          "message: %r" % inc["message"])
    check(ca.component_status("API") == 1, "API untouched")
    # Every page of the listing was read; every request had the token.
    pages = ca.requests("GET", r"^/api/v1/components\?")
    check(len(pages) == 2, "two pages listed: %r" %
          [r["path"] for r in pages])
    for r in ca.requests():
        check(r["headers"].get("x-cachet-token") == TOKEN, "token sent")
        check(r["headers"].get("user-agent", "").startswith("outagebot/"),
              "UA")
    # Koji is configured but not on the site: logged and skipped.
    wait_until("the skip logged", lambda: re.search(
        r'outage #1: no component "Koji" on the site; skipped',
        bot.log_text()))
    check(TOKEN not in bot.log_text(), "the token is never logged")

    # Koji appears on the site: the next event lists the components again.
    koji = ca.add_component("Koji")
    alice.say("#test", "!outage update 1 --status identified --severity "
              "disrupted a bad config")
    bot_line(alice, r"^\[outage #1 identified, disrupted\]")
    wait_until("the update", lambda: len(ca.updates(inc["id"])) == 1)
    up = ca.updates(inc["id"])[0]
    check(up["status"] == 2 and up["message"] == "a bad config",
          "update: %r" % up)
    wait_until("components disrupted", lambda: statuses(
        ca, "Copr", "Testing Farm", "Koji") == [3, 3, 3])
    check(len(ca.requests("GET", r"^/api/v1/components\?")) == 4,
          "listed again once (two pages) on the miss")
    check(len(ca.requests("PUT", r"^/api/v1/components/%d$" % koji)) == 1,
          "Koji set")

    # Copr leaves the outage: it goes back to operational.
    alice.say("#test", "!outage update 1 --affected \"testing farm,koji\" "
              "--status monitoring fix deployed")
    wait_until("the second update", lambda: len(ca.updates(inc["id"])) == 2)
    wait_until("Copr operational", lambda: statuses(
        ca, "Copr", "Testing Farm", "Koji") == [1, 3, 3])
    check(ca.updates(inc["id"])[1]["status"] == 3, "monitoring is 3")

    alice.say("#test", "!outage resolve 1 config reverted")
    bot_line(alice, r"^\[outage #1 resolved\]")
    wait_until("all operational", lambda: statuses(
        ca, "Copr", "Testing Farm", "Koji") == [1, 1, 1])
    wait_until("the resolve update", lambda: len(ca.updates(inc["id"])) == 3)
    last = ca.updates(inc["id"])[2]
    check(last["status"] == 4 and last["message"] == "config reverted",
          "resolve update: %r" % last)
    check(ca.incidents()[0]["status"] == 4, "incident fixed")
    check(len(ca.requests("POST", r"^/api/v1/incidents$")) == 1,
          "one create")
    check(len(ca.requests("GET", r"^/api/v1/components\?")) == 4,
          "the cache served the resolve")


def test_cachet_one_component_in_the_create(t):
    ca = fake_cachet(t)
    srv, bot, alice = setup(t, ca)
    alice.say("#test", "!outage open --severity notice --affected api "
              "API slow")
    bot_line(alice, r"^alice: outage #1 opened$")
    wait_until("the incident", lambda: ca.incidents())
    wait_until("the create answered", lambda: [
        r for r in ca.requests("POST", r"^/api/v1/incidents$")
        if r["status"] == 200])
    body = ca.requests("POST", r"^/api/v1/incidents$")[0]["json"]
    api = [c["id"] for c in ca.components() if c["name"] == "API"][0]
    check(body["component_id"] == api and body["component_status"] == 2,
          "component in the create: %r" % body)
    check(body["visible"] == 1 and body["notify"] is False, "flags")
    check(ca.component_status("API") == 2, "API: performance issues")
    alice.say("#test", "!outage resolve 1")
    wait_until("API operational", lambda: ca.component_status("API") == 1)
    msg = ca.updates(1)[0]["message"]
    check(ca.updates(1)[0]["status"] == 4 and msg, "resolve with a text: "
          "%r" % msg)
    check(len(ca.requests("PUT", r"^/api/v1/components/%d$" % api)) == 1,
          "the create set it; only the resolve PUT it")


def test_cachet_component_shared_by_two_outages(t):
    """A component stays down while any open outage holds it, at the
    worst status any of them wants."""
    ca = fake_cachet(t)
    copr = [c["id"] for c in ca.components() if c["name"] == "Copr"][0]
    srv, bot, alice = setup(t, ca)
    alice.say("#test", "!outage open --severity down --affected "
              "copr,api Copr and API down")
    wait_until("both down", lambda: statuses(ca, "Copr", "API") == [4, 4])
    # The second outage's create sets Copr to 2; the job puts it back to 4.
    alice.say("#test", "!outage open --severity notice --affected copr "
              "Copr slow")
    wait_until("Copr set again", lambda: len(ca.requests(
        "PUT", r"^/api/v1/components/%d$" % copr)) == 2)
    check(ca.incidents()[1]["component_id"] == copr, "in the create")
    check(ca.component_status("Copr") == 4, "the worst wins: %r"
          % ca.component_status("Copr"))
    alice.say("#test", "!outage resolve 1")
    wait_until("API operational", lambda: ca.component_status("API") == 1)
    wait_until("the first incident fixed",
               lambda: ca.incidents()[0]["status"] == 4)
    check(ca.component_status("Copr") == 2, "Copr at outage #2's status: "
          "%r" % ca.component_status("Copr"))
    alice.say("#test", "!outage resolve 2")
    wait_until("Copr operational", lambda: ca.component_status("Copr") == 1)


def test_cachet_failing_then_exactly_once(t):
    ca = fake_cachet(t)
    ca.fail(2, 500, method="POST", path=r"^/api/v1/incidents$")
    # A lookup answered 404 means "none there": the job goes on.
    ca.fail(1, 404, method="GET", path=r"^/api/v1/incidents\?")
    srv, bot, alice = setup(t, ca)
    alice.say("#test", "!outage open --affected copr Copr builds failing")
    bot_line(alice, r"^alice: outage #1 opened$")
    wait_until("the incident", lambda: ca.incidents(), timeout=40)
    wait_until("Copr disrupted", lambda: ca.component_status("Copr") == 3)
    check(len(ca.incidents()) == 1, "one incident: %r" % ca.incidents())
    creates = ca.requests("POST", r"^/api/v1/incidents$")
    check([r["status"] for r in creates] == [500, 500, 200],
          "two failures, then the create: %r" % creates)
    # The tries after a failure looked for the incident first.
    lookups = ca.requests("GET", r"^/api/v1/incidents\?name=Copr%20"
                          r"builds%20failing&")
    check([r["status"] for r in lookups] == [404, 200],
          "two lookups: %r" % lookups)


def test_cachet_long_title_cut_to_the_name_column(t):
    ca = fake_cachet(t)
    ca.fail(1, 500, method="POST", path=r"^/api/v1/incidents$")
    srv, bot, alice = setup(t, ca)
    title = " ".join(["word%03d" % i for i in range(40)])     # 319 chars
    alice.say("#test", "!outage open " + title)
    bot_line(alice, r"^alice: outage #1 opened$")
    wait_until("the incident", lambda: ca.incidents(), timeout=30)
    name = ca.incidents()[0]["name"]
    check(len(name) == 255 and title.startswith(name), "cut: %r" % name)
    lookup = ca.requests("GET", r"^/api/v1/incidents\?name=")
    check(len(lookup) == 1 and lookup[0]["status"] == 200,
          "the retry looked the cut name up: %r" % lookup)
    alice.say("#test", "!outage resolve 1")
    wait_until("resolved", lambda: ca.incidents()[0]["status"] == 4)
    check(len(ca.incidents()) == 1, "one incident")


def test_cachet_hanging_does_not_delay_replies(t):
    ca = fake_cachet(t)
    # The first request is accepted and never answered.
    ca.hang(1, path=r"^/api/v1/")
    srv, bot, alice = setup(t, ca)
    start = time.monotonic()
    alice.say("#test", "!outage open --affected copr Copr builds failing")
    bot_line(alice, r"^alice: outage #1 opened$", timeout=5)
    bot_line(alice, r"^\[outage #1 disrupted\]", timeout=5)
    alice.say("#test", "!status")
    bot_line(alice, r"^alice: Copr: disrupted \(#1\)$", timeout=5)
    alice.say("#test", "!outage update 1 still looking")
    bot_line(alice, r"^\[outage #1 .*still looking", timeout=5)
    check(time.monotonic() - start < 10, "replies at once")
    check(len(ca.requests()) == 1 and ca.incidents() == [],
          "one request, hanging: %r" % ca.requests())
    # The request times out (20 s) and the job runs again: done once.
    wait_until("the incident", lambda: ca.incidents(), timeout=60)
    wait_until("the update", lambda: ca.updates(1), timeout=20)
    check(len(ca.incidents()) == 1 and len(ca.updates(1)) == 1,
          "once each: %r %r" % (ca.incidents(), ca.updates(1)))
    check(time.monotonic() - start > 19, "after the timeout")


test_cachet_hanging_does_not_delay_replies.timeout = 120


def test_cachet_crash_while_creating_never_duplicates(t):
    ca = fake_cachet(t)
    # Cachet makes the incident, but the answer never comes back.
    ca.hang(1, method="POST", path=r"^/api/v1/incidents$", after=True)
    srv, bot, alice = setup(t, ca)
    alice.say("#test", "!outage open --affected copr,api --severity down "
              "Copr builds failing")
    bot_line(alice, r"^alice: outage #1 opened$")
    wait_until("the create", lambda: len(ca.incidents()) == 1)
    bot.kill()
    mark = len(ca.requests())
    bot.start()
    bot.wait_joined(alice, "#test", start=alice.mark())
    wait_until("components down", lambda: statuses(ca, "Copr", "API") ==
               [4, 4], timeout=40)
    after = ca.requests()[mark:]
    check(any(r["method"] == "GET" and "/incidents?name=" in r["path"]
              for r in after), "looked up after the restart")
    check(len(ca.incidents()) == 1, "still one incident: %r"
          % ca.incidents())
    alice.say("#test", "!outage resolve 1 ok")
    wait_until("resolved", lambda: ca.incidents()[0]["status"] == 4)
    wait_until("operational", lambda: statuses(ca, "Copr", "API") == [1, 1])
    check(len(ca.incidents()) == 1, "one incident in the end")
    check([u["incident_id"] for u in ca.updates()] == [1],
          "the resolve went to that incident")


def test_cachet_crash_while_posting_an_update_never_duplicates(t):
    ca = fake_cachet(t)
    srv, bot, alice = setup(t, ca)
    alice.say("#test", "!outage open --affected copr Copr builds failing")
    wait_until("Copr disrupted", lambda: ca.component_status("Copr") == 3)
    # Cachet adds the update, but the answer never comes back.
    ca.hang(1, method="POST", path=r"^/api/v1/incidents/1/updates$",
            after=True)
    alice.say("#test", "!outage update 1 --status identified a bad config")
    wait_until("the update", lambda: len(ca.updates(1)) == 1)
    bot.kill()
    mark = len(ca.requests())
    bot.start()
    bot.wait_joined(alice, "#test", start=alice.mark())
    wait_until("the newest update read", lambda: [
        r for r in ca.requests()[mark:]
        if r["path"] == "/api/v1/incidents/1/updates?per_page=1"
        and r["status"] == 200], timeout=40)
    alice.say("#test", "!outage resolve 1 fixed")
    wait_until("Copr operational", lambda: ca.component_status("Copr") == 1)
    check([(u["status"], u["message"]) for u in ca.updates(1)] ==
          [(2, "a bad config"), (4, "fixed")],
          "each update once: %r" % ca.updates(1))
    check(len(ca.incidents()) == 1, "one incident")


def test_cachet_component_made_again_on_the_site(t):
    """A cached id that Cachet no longer knows: the job is rejected (404)
    and said once; the cache is dropped, so the retry finds the new id."""
    ca = fake_cachet(t)
    srv, bot, alice = setup(t, ca)
    alice.say("#test", "!outage open --affected copr Copr builds failing")
    wait_until("Copr disrupted", lambda: ca.component_status("Copr") == 3)
    ca.delete_component("Copr")
    copr = ca.add_component("Copr")
    alice.say("#test", "!outage update 1 --severity down worse")
    line = bot_line(alice, r"^cachet rejected outage #1's component "
                    r"status: 404 The requested resource could not be "
                    r"found.*; fix it, then !jobs retry (\d+)$")
    job = re.search(r"retry (\d+)$", line.body).group(1)
    alice.say("#test", "!jobs retry %s" % job)
    wait_until("the new Copr down", lambda: ca.component_status("Copr")
               == 4)
    check(len(ca.requests("PUT", r"^/api/v1/components/%d$" % copr)) == 1,
          "the new id, once")
    check(len(ca.updates(1)) == 1, "the update once: %r" % ca.updates(1))


def test_cachet_bad_token_said_once_then_retried(t):
    ca = fake_cachet(t)
    srv, bot, alice = setup(t, ca, token="wrong-token")
    alice.say("#test", "!outage open --affected copr Copr builds failing")
    line = bot_line(alice, r"^cachet rejected outage #1's incident: 401 "
                    r"Authentication is required and has failed or has "
                    r"not yet been provided\.; fix it, then !jobs retry "
                    r"(\d+)$")
    job = re.search(r"retry (\d+)$", line.body).group(1)
    check(ca.incidents() == [], "no incident")
    alice.no_match_within(privmsg_from("outagebot", "#test",
                                       r"cachet rejected"), 2.0)
    # The token file is fixed and the configuration reloaded, then the
    # job is retried.
    secret(t, "cachet-token", TOKEN + "\n")
    alice.say("#test", "!reload")
    bot_line(alice, r"^alice: configuration reloaded$")
    alice.say("#test", "!jobs retry %s" % job)
    bot_line(alice, r"^alice: job %s will run again now$" % job)
    wait_until("the incident", lambda: ca.incidents())
    wait_until("Copr disrupted", lambda: ca.component_status("Copr") == 3)
    check(len(ca.incidents()) == 1, "one incident after the retry")
    check("wrong-token" not in bot.log_text() and TOKEN not in
          bot.log_text(), "the token is never logged")
    check(json.dumps(ca.incidents()[0]["meta"]).count("test/1") == 1,
          "marked")


def call(ca, method, path, body=None, token=TOKEN, form=False):
    """(status, JSON or None) of one request to the fake."""
    headers = {}
    data = None
    if token is not None:
        headers["X-Cachet-Token"] = token
    if body is not None and form:
        data = "&".join("%s=%s" % kv for kv in body.items()).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(ca.url + path, data=data, method=method,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else None


def test_fake_cachet_follows_the_contract(t):
    """The fake answers as API-CONTRACTS.md §3 says Cachet 2.x does."""
    ca = fake_cachet(t)
    # Writes need the token; GETs are public and ignore a wrong one.
    st, body = call(ca, "POST", "/api/v1/incidents",
                    {"name": "x", "status": 1}, token=None)
    err = body["errors"][0]
    check(st == 401 and err["status"] == 401 and err["title"] ==
          "Unauthorized" and err["id"] and err["detail"], "401: %r" % body)
    check(call(ca, "PUT", "/api/v1/components/1", {"status": 2},
               token="nope")[0] == 401, "a wrong token writes nothing")
    st, body = call(ca, "GET", "/api/v1/components?per_page=50&page=3",
                    token="nope")
    page = body["meta"]["pagination"]
    check(st == 200 and page["total"] == FILLERS + 3 and
          page["count"] == FILLERS + 3 - 100 and page["total_pages"] == 3
          and page["current_page"] == 3 and
          page["links"]["next_page"] is None and
          "page=2" in page["links"]["previous_page"], "page: %r" % page)
    check(call(ca, "GET", "/api/v1/components")[1]["meta"]["pagination"]
          ["per_page"] == 20, "20 a page by default")
    # Validation: 400 with the rule messages.
    st, body = call(ca, "POST", "/api/v1/incidents", {"status": 7})
    details = body["errors"][0]["meta"]["details"]
    check(st == 400 and "The name field is required." in details,
          "400: %r" % body)
    st, body = call(ca, "POST", "/api/v1/incidents",
                    {"name": "x", "status": 1, "component_id": 1})
    check(st == 400, "component_id needs component_status: %r" % body)
    check(call(ca, "POST", "/api/v1/incidents", {"name": "x" * 256,
                                                 "status": 1})[0] == 400,
          "a name over 255 characters")
    # Create answers 200 (a form works as well as JSON), hidden from guests.
    st, body = call(ca, "POST", "/api/v1/incidents",
                    {"name": "Hidden", "status": "2", "visible": "0"},
                    form=True)
    check(st == 200 and body["data"]["status"] == 2 and
          body["data"]["human_status"] == "Identified", "create: %r" % body)
    hidden = body["data"]["id"]
    check(call(ca, "GET", "/api/v1/incidents", token=None)[1]["data"] ==
          [], "a guest sees no hidden incident")
    check(len(call(ca, "GET", "/api/v1/incidents")[1]["data"]) == 1,
          "with the token it is listed")
    # name is a filter; any other key beside it is a column: 500.
    check(call(ca, "GET", "/api/v1/incidents?name=Hidden")[1]["meta"]
          ["pagination"]["total"] == 1, "name filter")
    check(call(ca, "GET", "/api/v1/incidents?name=Other")[1]["data"] ==
          [], "no such name")
    check(call(ca, "GET", "/api/v1/incidents?name=Hidden&page=1")[0] ==
          500, "page beside name is a column")
    # Updates: status 1-4 and a message; the incident follows.
    check(call(ca, "POST", "/api/v1/incidents/%d/updates" % hidden,
               {"status": 0, "message": "x"})[0] == 400, "status 0")
    st, body = call(ca, "POST", "/api/v1/incidents/%d/updates" % hidden,
                    {"status": 4, "message": "done"})
    check(st == 200 and body["data"]["incident_id"] == hidden and
          ca.incidents()[0]["status"] == 4, "update: %r" % body)
    check(call(ca, "POST", "/api/v1/incidents/99/updates",
               {"status": 4, "message": "x"})[0] == 404, "404")
    check(call(ca, "DELETE", "/api/v1/incidents/%d" % hidden) ==
          (204, None), "delete: 204")
    check(call(ca, "PATCH", "/api/v1/incidents")[0] == 405, "405")
