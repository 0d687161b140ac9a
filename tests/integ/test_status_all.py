"""Every status-page backend at once (issue 12, "How it is proven"): one
bot, in a real ngIRCd channel, configured with cState through the GitHub
contents API and in a local folder, Statusfy the same two ways, an
issue-based page, Cachet, a webhook and Telegram, plus the github group
for the outage issue. One fake GitHub (tests/fakes/github.py) serves
the outage issue, the status issues and both sites, each in a repository
of its own; Cachet, the webhook receiver and Telegram are their own
fakes.

Open, update and resolve reach every backend with the right final state;
a backend that fails every time and one that never answers hold back
neither the others nor the bot's replies; a kill -9 while several
backends are in flight leaves, after the restart, one page, one issue
and one incident each, in their final state.

The setup pieces come from the tests of each backend (test_outage,
test_status_repo, test_status_issues, test_status_cachet,
test_status_notify): this file only puts them together."""

import os
import time

import test_status_cachet as cachet
import test_status_issues as sissues
import test_status_notify as notify
import test_status_repo as srepo
from harness import check, privmsg_from, slow_factor
from test_outage import (REPO, bot_line, fake_github, outage_issue, restart,
                         secret, setup, wait_until)

CSTATE_SITE = "packit/status-cstate"
STATUSFY_SITE = "packit/status-statusfy"
STATUS_REPO = sissues.STATUS_REPO
TITLE = "Copr builds failing"
OPEN = ("!outage open --severity down --affected \"copr,testing farm\" " +
        TITLE)


class Sites:
    """The fakes and folders behind every backend, and the backends."""

    def __init__(self, t):
        self.gh = fake_github(t)
        self.ca = cachet.fake_cachet(t)
        self.wh, self.tg = notify.fakes(t)
        self.cdir = t.path("cstate-site")
        self.sdir = t.path("statusfy-site")
        self.backends = [
            {"type": "cstate", "repo": CSTATE_SITE},
            {"type": "cstate", "dir": self.cdir},
            {"type": "statusfy", "repo": STATUSFY_SITE},
            {"type": "statusfy", "dir": self.sdir},
            sissues.backend(t, None),
            {"type": "cachet", "url": self.ca.url + "/",
             "token_file": secret(t, "cachet-token", cachet.TOKEN + "\n")},
            {"type": "webhook", "url": self.wh.url,
             "secret_file": notify.secret_file(t, "wh-secret",
                                               notify.SECRET)},
            {"type": "telegram", "api_url": self.tg.api_url,
             "chat_id": notify.CHAT,
             "token_file": notify.secret_file(t, "tg-token",
                                              notify.TG_TOKEN)},
        ]

    def start(self, t):
        """The bot with every backend; (bot, alice) once it is in #test."""
        srv, bot, (alice,) = setup(t, self.gh, statuspage={
            "url": notify.STATUS_URL,
            "components": ["API", "Copr", "Testing Farm"],
            "backends": self.backends})
        return bot, alice

    # The pages, as {path: text} the way the repo tests read them.

    def cstate_api(self):
        return self.gh.files(CSTATE_SITE)

    def statusfy_api(self):
        return self.gh.files(STATUSFY_SITE)

    def cstate_dir(self):
        return folder(self.cdir, "content/issues/")

    def statusfy_dir(self):
        return folder(self.sdir, "content/")

    def pages(self):
        """(what, files, pattern) of the four sites."""
        return [("cstate API", self.cstate_api(), srepo.CSTATE),
                ("cstate folder", self.cstate_dir(), srepo.CSTATE),
                ("statusfy API", self.statusfy_api(), srepo.STATUSFY),
                ("statusfy folder", self.statusfy_dir(), srepo.STATUSFY)]

    def status_issues(self):
        return sissues.by_marker(self.gh, STATUS_REPO, 1)


def folder(path, prefix):
    """The pages of a local site folder under the names the site's repo
    would give them ({} before the folder exists)."""
    if not os.path.isdir(path):
        return {}
    return {prefix + n: x for n, x in srepo.local_files(path).items()}


def jobs_now(alice):
    """The lines of one !jobs reply: those before the answer to a
    !version said right after it."""
    mark = alice.mark()
    alice.say("#test", "!jobs")
    alice.say("#test", "!version")
    bot_line(alice, r"^alice: outagebot \d+\.\d+", start=mark)
    return [x.body for x in alice.matching(privmsg_from(
        "outagebot", "#test", r"^alice: (job \d+ |no pending or failed "
        r"jobs$)"), mark)]


def quiet(alice, timeout=30.0):
    """Wait until !jobs says that no job is pending, running or failed:
    after that, no backend gets anything more."""
    end = time.monotonic() + timeout
    while True:
        lines = jobs_now(alice)
        if lines == ["alice: no pending or failed jobs"]:
            return
        check(time.monotonic() < end, "jobs still open after %.0f s: %r"
              % (timeout, lines))
        time.sleep(0.5)


def wait_resolve_everywhere(s, alice, resolved, timeout=20.0):
    """Wait until the resolve has reached every backend (once at least:
    how many times is checked after), then until no job is left."""
    def page(files):
        return lambda: any("resolved: true" in srepo.front(x)
                           for x in files().values())
    for what, pred in (
            ("the cState API page", page(s.cstate_api)),
            ("the cState folder page", page(s.cstate_dir)),
            ("the Statusfy API page", page(s.statusfy_api)),
            ("the Statusfy folder page", page(s.statusfy_dir)),
            ("the status issue closed", lambda: any(
                i["state"] == "closed" for i in s.status_issues())),
            ("the outage issue closed", lambda: any(
                i["state"] == "closed" for i in outage_issue(s.gh, 1))),
            ("the Cachet incident fixed", lambda: any(
                i["status"] == 4 for i in s.ca.incidents())),
            ("the resolved webhook event", lambda: any(
                e["event"] == "outage.resolved" for e in s.wh.events())),
            ("the resolved Telegram message", lambda: any(
                m["text"] == resolved for m in s.tg.messages()))):
        wait_until(what, pred, timeout=timeout)
    quiet(alice)


def ask(alice, command, reply):
    """Say command; the bot's reply matching reply, and how long it
    took."""
    mark = alice.mark()
    start = time.monotonic()
    alice.say("#test", command)
    line = bot_line(alice, reply, timeout=5, start=mark)
    return line, time.monotonic() - start


def check_final_pages(s, texts):
    """Each of the four sites holds exactly one page, resolved, whose
    text has every one of texts."""
    for what, files, pattern in s.pages():
        path, text = srepo.only_file(files, pattern)
        fm = srepo.front(text)
        check("resolved: true" in fm, "%s resolved: %r" % (what, fm))
        for x in texts:
            check(x in text, "%s has %r: %r" % (what, x, text))


def check_final_cachet(s, updates):
    """One incident, fixed, with these update statuses; every component
    operational again."""
    incs = s.ca.incidents()
    check(len(incs) == 1 and incs[0]["status"] == 4,
          "one incident, fixed: %r" % [(i["id"], i["status"])
                                         for i in incs])
    check([u["status"] for u in s.ca.updates(incs[0]["id"])] == updates,
          "incident updates: %r" % s.ca.updates())
    check(cachet.statuses(s.ca, "API", "Copr", "Testing Farm") ==
          [1, 1, 1], "components operational: %r" % cachet.statuses(
              s.ca, "API", "Copr", "Testing Farm"))
    check(len(s.ca.requests("POST", r"^/api/v1/incidents$")) == 1,
          "one create: %r" % s.ca.requests("POST"))


def brief(issues):
    """What a failure shows of issues: number, state, title."""
    return [(i["number"], i["state"], i["title"]) for i in issues]


def check_final_issues(s, comments):
    """One status issue, closed, with comments; one outage issue,
    closed."""
    issues = s.status_issues()
    check(len(issues) == 1 and len(s.gh.issues(STATUS_REPO)) == 1,
          "one status issue: %r" % brief(s.gh.issues(STATUS_REPO)))
    check(issues[0]["state"] == "closed", "status issue closed")
    got = s.gh.comments(STATUS_REPO, issues[0]["number"])
    check(len(got) == len(comments) and all(
        c in g["body"] for c, g in zip(comments, got)),
        "status comments %r: %r" % (comments, [g["body"] for g in got]))
    check(len(outage_issue(s.gh, 1)) == 1 and len(s.gh.issues(REPO)) == 1,
          "one outage issue: %r" % brief(s.gh.issues(REPO)))
    check(outage_issue(s.gh, 1)[0]["state"] == "closed",
          "outage issue closed")


def check_signed(s):
    """Every webhook request carried the signature of its body."""
    for r in s.wh.requests("POST"):
        check(r["headers"].get(notify.SIG_HEADER) ==
              notify.signature(r["body"]), "signed: %r" % r)


def test_every_backend_open_update_resolve(t):
    s = Sites(t)
    bot, alice = s.start(t)
    alice.say("#test", OPEN)
    bot_line(alice, r"^alice: outage #1 opened$")
    opened = bot_line(alice, r"^\[outage #1 down\] " + TITLE)
    ask(alice, "!status", r"^alice: Copr: down \(#1\); Testing Farm: down "
        r"\(#1\)$")
    # Every backend has the open before the update comes.
    wait_until("every page", lambda: all(
        srepo.one_page(f, p) for _, f, p in s.pages()))
    wait_until("the status issue", s.status_issues)
    wait_until("Cachet down", lambda: cachet.statuses(
        s.ca, "Copr", "Testing Farm") == [4, 4])
    for what, files, pattern in s.pages():
        fm = srepo.front(srepo.only_file(files, pattern)[1])
        check("resolved: false" in fm, "%s open: %r" % (what, fm))

    alice.say("#test", "!outage update 1 --status identified a bad "
              "config in Copr")
    updated = bot_line(alice, r"^\[outage #1 identified, down\]")
    alice.say("#test", "!outage resolve 1 config reverted")
    resolved = bot_line(alice, r"^\[outage #1 resolved\]")
    ask(alice, "!status", r"^alice: all systems operational$")

    # Every job done: what each backend has now is final.
    wait_resolve_everywhere(s, alice, resolved.body)

    check_final_pages(s, ["a bad config in Copr", "config reverted"])
    for site in (CSTATE_SITE, STATUSFY_SITE):
        commits = [c["message"] for c in s.gh.commits(site)]
        check(commits == ["outage #1: " + TITLE] * 3,
              "%s: three commits: %r" % (site, commits))
    check_final_issues(s, ["a bad config in Copr", "config reverted"])
    check(sissues.labels(s.status_issues()[0]) ==
          ["incident", "Copr", "Testing Farm", "down"],
          "labels: %r" % sissues.labels(s.status_issues()[0]))
    check_final_cachet(s, [2, 4])
    events = s.wh.events()
    check([e["event"] for e in events] ==
          ["outage.opened", "outage.updated", "outage.resolved"],
          "three webhook events: %r" % [e["event"] for e in events])
    check(len(s.wh.requests("POST")) == 3, "each sent once")
    check_signed(s)
    check(events[2]["outage"]["state"] == "resolved" and
          events[2]["outage"]["affected"] == ["Copr", "Testing Farm"],
          "the resolved outage: %r" % events[2])
    check([m["text"] for m in s.tg.messages()] ==
          [opened.body, updated.body, resolved.body],
          "Telegram has the channel lines: %r"
          % [m["text"] for m in s.tg.messages()])


def test_failing_and_hanging_backends_delay_nobody(t):
    s = Sites(t)
    s.ca.fail(1000, 500)           # Cachet fails every time
    s.wh.hang(1000)                # the dashboard never answers
    bot, alice = s.start(t)
    start = time.monotonic()
    alice.say("#test", OPEN)
    opened = bot_line(alice, r"^\[outage #1 down\] " + TITLE, timeout=5)
    wait_until("the local page", lambda: srepo.one_page(
        s.cstate_dir(), srepo.CSTATE), timeout=5)
    wait_until("the Telegram message", s.tg.messages, timeout=5)
    wait_until("the contents API page", lambda: srepo.one_page(
        s.cstate_api(), srepo.CSTATE), timeout=5)
    took = time.monotonic() - start
    check(took < 5.0 * slow_factor(), "the others done %.1f s after the "
          "open" % took)
    check(s.tg.messages()[0]["text"] == opened.body, "the channel line")
    # Nor the outage's own issue, nor the other GitHub backend.
    wait_until("the outage issue", lambda: outage_issue(s.gh, 1),
               timeout=5)
    wait_until("the status issue", s.status_issues, timeout=5)
    _, took = ask(alice, "!version", r"^alice: outagebot \d+\.\d+")
    check(took < 2.0 * slow_factor(), "!version answered in %.1f s" % took)

    # Both are still at it, and !jobs says so.
    wait_until("a Cachet retry", lambda: len(s.ca.requests()) >= 2)
    check(s.ca.incidents() == [], "no incident")
    check(len(s.wh.requests("POST")) == 1 and s.wh.events() == [],
          "the webhook holds its one request")
    mark = alice.mark()
    alice.say("#test", "!jobs")
    # (The Cachet job may be between two tries or in one.)
    bot_line(alice, r"^alice: job \d+ sp\.cachet-[0-9a-f]+\.opened "
             r"\(outage #1\): (retrying|running) after \d+ attempts?: "
             r"cachet failed on outage #1's .*: 500 ", start=mark)
    bot_line(alice, r"^alice: job \d+ sp\.webhook-[0-9a-f]+\.opened "
             r"\(outage #1\): running$", start=mark)
    # The others carry on with the next event as quickly.
    alice.say("#test", "!outage update 1 still looking")
    updated = bot_line(alice, r"^\[outage #1 .*still looking", timeout=5)
    wait_until("the second Telegram message", lambda: len(
        s.tg.messages()) == 2, timeout=5)
    check(s.tg.messages()[1]["text"] == updated.body, "the update's line")
    wait_until("the local update", lambda: "still looking" in
               srepo.one_page(s.cstate_dir(), srepo.CSTATE)[1], timeout=5)
    bot.assert_alive()


def test_kill_while_backends_in_flight_then_once_each(t):
    s = Sites(t)
    site = r"/repos/%s/contents/"
    # Done but the answer lost: the cState page, the status issue, the
    # outage issue, the Cachet incident, the webhook event.
    s.gh.hang(1, method="PUT", path=site % CSTATE_SITE, after=True)
    s.gh.hang(1, method="POST", path=r"/repos/%s/issues$" % STATUS_REPO,
              after=True)
    s.gh.hang(1, method="POST", path=r"/repos/%s/issues$" % REPO,
              after=True)
    s.ca.hang(1, method="POST", path=r"^/api/v1/incidents$", after=True)
    s.wh.hang(1, after=True)
    # Never done: the Statusfy page, the Telegram message.
    s.gh.hang(1, method="PUT", path=site % STATUSFY_SITE)
    s.tg.hang(1)
    bot, alice = s.start(t)
    alice.say("#test", OPEN)
    opened = bot_line(alice, r"^\[outage #1 down\] " + TITLE)
    wait_until("every backend in flight", lambda: all([
        s.cstate_api(), s.status_issues(), outage_issue(s.gh, 1),
        s.ca.incidents(), s.wh.events(),
        s.gh.requests("PUT", site % STATUSFY_SITE),
        s.tg.requests("POST"), s.cstate_dir(), s.statusfy_dir()]))
    bot.kill()
    check(s.statusfy_api() == {} and s.tg.messages() == [],
          "the held ones are not done")
    restart(bot, alice)
    alice.say("#test", "!outage resolve 1 config reverted")
    resolved = bot_line(alice, r"^\[outage #1 resolved\]")
    wait_resolve_everywhere(s, alice, resolved.body, timeout=30)

    check_final_pages(s, ["config reverted"])
    # The landed commit was found again, not made twice.
    check(len(s.gh.commits(CSTATE_SITE)) == 2,
          "cState commits: %r" % s.gh.commits(CSTATE_SITE))
    check(len(s.gh.commits(STATUSFY_SITE)) == 2,
          "Statusfy commits: %r" % s.gh.commits(STATUSFY_SITE))
    check_final_issues(s, ["config reverted"])
    check_final_cachet(s, [4])
    # The event whose answer was lost came again, the same bytes under
    # the same delivery id: the dashboard sees one delivery per event.
    bodies = {}
    for r in s.wh.requests("POST"):
        bodies.setdefault(r["json"]["delivery"], set()).add(r["body"])
    events = {e["delivery"]: e["event"] for e in s.wh.events()}
    check(sorted(events.values()) == ["outage.opened", "outage.resolved"],
          "one delivery per event: %r" % events)
    check(len(s.wh.requests("POST")) == 3 and
          all(len(b) == 1 for b in bodies.values()),
          "the opened event again, unchanged: %r" % bodies)
    check_signed(s)
    check([m["text"] for m in s.tg.messages()] ==
          [opened.body, resolved.body],
          "Telegram once each: %r" % [m["text"] for m in s.tg.messages()])
