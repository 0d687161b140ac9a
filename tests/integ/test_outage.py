"""Outages end to end (DESIGN.md sections 4, 5 and 8): the real bot in a
real ngIRCd channel, GitHub played by tests/fakes/github.py. Open, update
and resolve are announced in the channel and carried to GitHub through
the outbox: the issue created once and pinned, a comment per update, the
postmortem comment, close and unpin; failures retried or said once, a
crash never duplicating an issue.

Identity is by hostmask: alice (admin) and bob are members, eve is public.
The rotation has alice alone, so she is the master by default."""

import os
import re
import sqlite3
import threading
import time

from harness import check, load_fake_github, privmsg_from

REPO = "packit/service"
TOKEN = "ghp_outage_test"
ROLE = {"name": "outage-master", "members": ["alice"],
        "shift": "1w", "start": "2026-11-23 09:00", "timezone": "UTC",
        "announce_channel": "#test"}


def load_fake():
    return load_fake_github()


def fake_github(t, **kw):
    gh = load_fake().FakeGitHub(token=TOKEN, **kw).start()
    t.on_cleanup(gh.stop)
    return gh


def secret(t, name, content):
    """A secret file (mode 600) in the test's folder."""
    path = t.path(name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(content)
    return path


def outage_config(t, srv, gh=None, token=TOKEN, **over):
    cfg = {"roles": [ROLE],
           "team": {"identify": "hostmask", "admins": ["alice!*@*"],
                    "members": ["alice!*@*", "bob!*@*"],
                    "github": ["alice=alice-gh"]},
           "statuspage": {"components": ["API", "Copr", "Testing Farm"]},
           "irc": {"flood": {"burst": 30, "interval": "1s"},
                   "max_reply_lines": 12}}
    if gh is not None:
        cfg["github"] = {"api_url": gh.api_url, "repo": REPO,
                         "token_file": secret(t, "gh-token", token + "\n")}
    cfg.update(over)
    return t.bot_config(srv, **cfg)


def setup(t, gh=None, nicks=("alice",), **over):
    srv = t.ngircd()
    clients = [t.client(srv, n) for n in nicks]
    for c in clients:
        c.join("#test")
    bot = t.bot(outage_config(t, srv, gh, **over), start=False)
    bot.start()
    bot.wait_joined(clients[0], "#test")
    return srv, bot, clients


def wait_until(what, pred, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def bot_line(c, text, timeout=15.0, start=None):
    return c.wait_for(privmsg_from("outagebot", "#test", text),
                      timeout=timeout, start=start)


MARKER = "<!-- outagebot:outage=test/1 -->"


def test_open_update_resolve_on_github(t):
    gh = fake_github(t)
    srv, bot, (alice,) = setup(t, gh)
    alice.say("#test", "!outage open --severity down --affected copr "
              "--alternative \"build locally\" Copr builds @failing")
    bot_line(alice, r"^alice: outage #1 opened$")
    line = bot_line(alice, r"^\[outage #1 down\] Copr builds @failing")
    check("affected: Copr" in line.body and "master: alice" in line.body
          and "alternatives: build locally" in line.body,
          "open announcement: %r" % line.body)
    tracked = bot_line(alice, r"^outage #1 is tracked at https://")
    issues = gh.issues(REPO)
    check(len(issues) == 1, "one issue: %r" % issues)
    issue = issues[0]
    check(MARKER in issue["body"], "marker in the body")
    check("**Outage master:** @alice-gh" in issue["body"],
          "the master's GitHub login: %r" % issue["body"])
    check("@\u200bfailing" in issue["title"] or "@failing" in
          issue["title"], "title as typed")
    check([lb["name"] for lb in issue["labels"]] == ["outage"],
          "the label: %r" % issue["labels"])
    check(issue["html_url"] in tracked.body, "the URL said in the channel")
    wait_until("the pin", lambda: gh.pinned(REPO) == [issue["number"]])
    # Every request carried the headers GitHub requires.
    for r in gh.requests():
        h = {k.lower(): v for k, v in r["headers"].items()}
        check(h.get("user-agent", "").startswith("outagebot/"), "UA")
        check(h.get("authorization") == "Bearer " + TOKEN, "token")

    alice.say("#test", "!outage update #1 --status identified --eta 2h "
              "a bad config in Copr")
    bot_line(alice, r"^\[outage #1 identified, down\] Copr builds @failing"
             r": a bad config in Copr .*ETA ")
    wait_until("the update comment",
               lambda: len(gh.comments(REPO, issue["number"])) == 1)
    check("a bad config in Copr" in
          gh.comments(REPO, issue["number"])[0]["body"], "comment text")

    alice.say("#test", "!outage resolve 1 config reverted")
    bot_line(alice, r"^\[outage #1 resolved\] Copr builds @failing .* after "
             r"\S+ .* config reverted")
    wait_until("the close", lambda: gh.issues(REPO)[0]["state"] == "closed")
    wait_until("the unpin", lambda: gh.pinned(REPO) == [])
    comments = gh.comments(REPO, issue["number"])
    check(len(comments) == 2, "two comments: %r" % comments)
    check("## Impact" in comments[1]["body"] and "## Root cause" in
          comments[1]["body"] and "## Follow-ups" in comments[1]["body"],
          "postmortem skeleton: %r" % comments[1]["body"])
    check(gh.issues(REPO)[0]["state_reason"] == "completed", "completed")
    # Nothing twice: one create, one close.
    check(len(gh.requests("POST", "/repos/%s/issues$" % REPO)) == 1,
          "one create")
    alice.say("#test", "!outage resolve 1")
    bot_line(alice, r"^alice: outage #1 is already resolved$")
    alice.say("#test", "!outage update 1 more")
    bot_line(alice, r"^alice: outage #1 is resolved; open a new one$")


def test_refusals_reach_nothing(t):
    gh = fake_github(t)
    srv, bot, (alice, eve) = setup(t, gh, nicks=("alice", "eve"))
    eve.say("#test", "!outage open Something broke")
    eve.wait_for(privmsg_from("outagebot", "#test",
                              r"^eve: !outage open needs member access"))
    alice.say("#test", "!outage open --affected Kojii Koji down")
    bot_line(alice, r'^alice: unknown component "Kojii" \(known: API, Copr, '
             r'Testing Farm\)$')
    alice.say("#test", "!outage open --severity major Koji down")
    bot_line(alice, r"^alice: --severity is notice, disrupted or down$")
    alice.say("#test", "!outage update 7 anything")
    bot_line(alice, r"^alice: no outage #7$")
    alice.say("#test", "!outage open --eta 31:00 Koji down")
    bot_line(alice, r"^alice: .*31:00")
    time.sleep(1.5)
    check(gh.requests() == [], "nothing reached GitHub: %r" % gh.requests())
    eve.say("#test", "!status")
    eve.wait_for(privmsg_from("outagebot", "#test",
                              r"^eve: all systems operational$"))


def test_github_failing_then_exactly_once(t):
    gh = fake_github(t)
    gh.fail(2, 500, method="POST")
    gh.rate_limited(1, status=429, retry_after=1, method="POST")
    srv, bot, (alice,) = setup(t, gh)
    alice.say("#test", "!outage open Copr builds failing")
    bot_line(alice, r"^outage #1 is tracked at ", timeout=40)
    check(len(gh.issues(REPO)) == 1, "exactly one issue: %r"
          % gh.issues(REPO))


def test_crash_while_creating_never_duplicates(t):
    gh = fake_github(t)
    # GitHub creates the issue, but the answer never comes back.
    gh.hang(1, method="POST", path="/repos/%s/issues" % REPO, after=True)
    srv, bot, (alice,) = setup(t, gh)
    alice.say("#test", "!outage open Copr builds failing")
    bot_line(alice, r"^alice: outage #1 opened$")
    wait_until("the create", lambda: len(gh.issues(REPO)) == 1)
    bot.kill()
    bot.start()
    bot.wait_joined(alice, "#test", start=alice.mark())
    bot_line(alice, r"^outage #1 is tracked at ", timeout=40)
    check(len(gh.issues(REPO)) == 1, "still one issue: %r"
          % gh.issues(REPO))
    alice.say("#test", "!outage resolve 1 ok")
    wait_until("the close", lambda: gh.issues(REPO)[0]["state"] == "closed")
    check(len(gh.issues(REPO)) == 1, "one issue in the end")


def test_bad_token_said_once_then_retried(t):
    gh = fake_github(t)
    srv, bot, (alice,) = setup(t, gh, token="ghp_wrong")
    alice.say("#test", "!outage open Copr builds failing")
    line = bot_line(alice, r"^GitHub rejected outage #1's issue: 401 Bad "
                    r"credentials; fix it, then !jobs retry (\d+)$")
    job = re.search(r"retry (\d+)$", line.body).group(1)
    check(gh.issues(REPO) == [], "no issue")
    alice.say("#test", "!jobs")
    bot_line(alice, r"^alice: job %s gh\.create \(outage #1\): dead after 1 "
             r"attempt: GitHub rejected" % job)
    # The token is fixed (here: GitHub accepts the bot's), then retried.
    gh.configure(token="ghp_wrong")
    alice.say("#test", "!jobs retry %s" % job)
    bot_line(alice, r"^alice: job %s will run again now$" % job)
    bot_line(alice, r"^outage #1 is tracked at ", timeout=30)
    check(len(gh.issues(REPO)) == 1, "one issue after the retry")
    alice.say("#test", "!outage list")
    bot_line(alice, r"^alice: #1 disrupted, investigating: Copr builds "
             r"failing .* master alice$")


def test_without_github_everything_in_irc(t):
    srv, bot, (alice, eve) = setup(t, None, nicks=("alice", "eve"))
    alice.say("#test", "!outage open --affected API,Copr --severity down "
              "API down")
    bot_line(alice, r"^\[outage #1 down\] API down")
    alice.say("#test", "!outage open --affected Copr --severity notice "
              "Copr slow")
    bot_line(alice, r"^\[outage #2 notice\] Copr slow")
    eve.say("#test", "!status")
    eve.wait_for(privmsg_from("outagebot", "#test",
                              r"^eve: API: down \(#1\); Copr: down "
                              r"\(#1, #2\)$|^eve: Copr: down \(#2, #1\); "
                              r"API: down \(#1\)$|^eve: Copr: down "
                              r"\(#1, #2\); API: down \(#1\)$"))
    alice.say("#test", "!outage resolve #1 fixed")
    bot_line(alice, r"^\[outage #1 resolved\] API down")
    eve.say("#test", "!outage show 1")
    eve.wait_for(privmsg_from("outagebot", "#test", r"^eve: #1 down, "
                              r"resolved: API down \(API, Copr\)"))
    eve.say("#test", "!outage history")
    eve.wait_for(privmsg_from("outagebot", "#test",
                              r"^eve: #2 notice, investigating: Copr slow"))
    eve.say("#test", "!outage stats")
    eve.wait_for(privmsg_from("outagebot", "#test",
                              r"^eve: last 30 days: 1 resolved, mean "))
    eve.say("#test", "!jobs")
    eve.wait_for(privmsg_from("outagebot", "#test",
                              r"^eve: !jobs needs admin access"))
    complaints = [l for l in bot.log_text().splitlines()
                  if re.search(r"\b(warn|error) ", l)]
    check(not complaints, "nothing complains without github: %r"
          % complaints)


def test_title_not_utf8_is_stored_repaired(t):
    """A Latin-1 client's title: opened, stored and announced with U+FFFD
    where the bytes were not UTF-8, never "could not be written"."""
    srv, bot, (alice,) = setup(t, None)
    alice.send(b"PRIVMSG #test :!outage open Caf\xe9 builds failing")
    bot_line(alice, r"^alice: outage #1 opened")
    bot_line(alice, "^\\[outage #1 disrupted\\] Caf\ufffd builds failing")
    alice.say("#test", "!outage show 1")
    bot_line(alice, "^alice: #1 disrupted, investigating: "
             "Caf\ufffd builds failing")


def stats_lines(client, want):
    """Ask !outage stats; its lines must be want (regexes, in order), and
    nothing else before the reply to a !version asked after it."""
    start = client.mark()
    client.say("#test", "!outage stats")
    client.say("#test", "!version")
    bot_line(client, r"^alice: outagebot ", start=start)
    said = [line.body for line in client.lines[start:]
            if line.body.startswith("alice: ")][:-1]
    check(len(said) == len(want)
          and all(re.match(rx, b) for rx, b in zip(want, said)),
          "stats lines %r, expected %r" % (said, want))


def test_stats_by_component(t):
    """!outage stats: the resolved outages of the window, then one line
    per configured component that any of them affected (two lists that
    the stats' table of lists files in one slot stay apart)."""
    srv, bot, (alice,) = setup(t, None)
    for i, (affected, title) in enumerate((
            ("API,Copr", "both down"), ("Copr", "Copr slow"),
            ('"Testing Farm"', "TF down"), ('"API,Testing Farm"', "more")),
            1):
        alice.say("#test", "!outage open --affected %s %s"
                  % (affected, title))
        bot_line(alice, r"^\[outage #%d disrupted\] %s" % (i, title))
    for i in (1, 2):
        alice.say("#test", "!outage resolve %d fixed" % i)
        bot_line(alice, r"^\[outage #%d resolved\]" % i)
    stats_lines(alice, [r"^alice: last 30 days: 2 resolved, mean ",
                        r"^alice: API: 1 resolved, mean ",
                        r"^alice: Copr: 2 resolved, mean "])
    alice.say("#test", "!outage resolve 4 fixed")
    bot_line(alice, r"^\[outage #4 resolved\]")
    stats_lines(alice, [r"^alice: last 30 days: 3 resolved, mean ",
                        r"^alice: API: 2 resolved, mean ",
                        r"^alice: Copr: 2 resolved, mean ",
                        r"^alice: Testing Farm: 1 resolved, mean "])


def test_stats_mean_and_median(t):
    """!outage stats over stored outages of known lengths: the count,
    mean and median overall and by component; outages still open or
    opened before the window are left out."""
    srv, bot, (alice,) = setup(t, None)
    bot.stop()
    now = int(time.time())
    rows = [  # opened this long ago, resolved after, state, affected
        (3 * 86400, 5400, 3, "Copr"), (2 * 86400, 600, 3, "API\nCopr"),
        (86400, 2400, 3, "API"), (3600, 1200, 3, "Copr"),
        (1800, 0, 0, "API"), (40 * 86400, 99999, 3, "API")]
    con = sqlite3.connect(bot.config["storage"]["path"])
    with con:
        for ago, length, state, affected in rows:
            con.execute("INSERT INTO outages (title, severity, state, "
                        "affected, opened_by, opened_at, updated_at, "
                        "resolved_at, reminded_stale, reminded_eta) VALUES "
                        "('t', 1, ?, ?, 'alice', ?, ?, ?, ?, ?)",
                        (state, affected, now - ago, now - ago,
                         now - ago + length if state == 3 else 0, now, now))
    con.close()
    bot.start()
    bot.wait_joined(alice, "#test", start=alice.mark())
    stats_lines(alice, [
        r"^alice: last 30 days: 4 resolved, mean 40m, median 30m to "
        r"resolve$",
        r"^alice: API: 2 resolved, mean 25m, median 25m to resolve$",
        r"^alice: Copr: 3 resolved, mean 40m, median 20m to resolve$"])


def test_line_made_while_irc_is_down_survives_a_restart(t):
    """The no-ETA nudge falls due while the IRC server is down; the bot is
    killed before it can say it and started again: the line is said once
    the server is back, exactly once."""
    srv, bot, (alice,) = setup(t, None, outage={"eta_nudge_after": "4s",
                                                "remind_after": "1h"})
    alice.say("#test", "!outage open Copr builds failing")
    bot_line(alice, r"^\[outage #1 disrupted\] Copr builds failing")
    down = threading.Thread(target=srv.restart, kwargs={"down": 8.0})
    down.start()                  # the server is away for 8 s
    time.sleep(6)                 # the nudge fell due meanwhile: a job
    bot.kill()
    down.join()
    alice = t.client(srv, "alice")
    alice.join("#test")
    bot.start()
    bot.wait_joined(alice, "#test", start=0)
    bot_line(alice, r"^alice: outage #1: no ETA yet \u2014 users want one",
             start=0)
    alice.no_match_within(privmsg_from("outagebot", "#test", r"no ETA yet"),
                          5.0, what="a second nudge")


# ---- kill -9 at every point of a GitHub write: before its request (it
# waits behind another), while it is in flight (GitHub never does it),
# after GitHub did it but before the bot heard (the answer lost), and
# when GitHub does it only once the bot is dead (a slow answer).

def restart(bot, alice):
    """Start the killed bot again and wait until it is back in #test."""
    bot.start()
    bot.wait_joined(alice, "#test", start=alice.mark())


def outage_issue(gh, n):
    """The issues whose body holds outage n's marker."""
    marker = "<!-- outagebot:outage=test/%d -->" % n
    return [i for i in gh.issues(REPO) if marker in (i["body"] or "")]


def texts(gh, n):
    """Outage n's issue's comments, as their first lines."""
    return [c["body"].split("\n")[0] for c in
            gh.comments(REPO, outage_issue(gh, n)[0]["number"])]


def opened(t, gh, count):
    """A bot with count outages open, their issues made and pinned."""
    srv, bot, (alice,) = setup(t, gh)
    for n in range(1, count + 1):
        alice.say("#test", "!outage open Outage number %d" % n)
    wait_until("the issues pinned", lambda: len(gh.pinned(REPO)) == count,
               timeout=40)
    return bot, alice


def kill_when_sent(gh, bot, method, path, before):
    """Wait until the fake saw one more request like this, then kill."""
    wait_until("the request", lambda: len(gh.requests(method, path)) ==
               before + 1, timeout=40)
    bot.kill()


def test_kill9_around_create(t):
    gh = fake_github(t)
    path = r"/repos/%s/issues$" % REPO
    gh.hang(1, method="POST", path=path)
    srv, bot, (alice,) = setup(t, gh)
    alice.say("#test", "!outage open Copr down")
    alice.say("#test", "!outage open Koji down")
    bot_line(alice, r"^alice: outage #2 opened$")
    kill_when_sent(gh, bot, "POST", path, 0)
    check(gh.issues(REPO) == [], "nothing created yet")
    restart(bot, alice)
    wait_until("two issues", lambda: len(gh.pinned(REPO)) == 2, timeout=40)

    gh.delay(1, 1.0, method="POST", path=path)
    alice.say("#test", "!outage open Dashboard down")
    kill_when_sent(gh, bot, "POST", path, len(gh.requests("POST", path)))
    wait_until("the late issue", lambda: len(gh.issues(REPO)) == 3)
    restart(bot, alice)
    alice.say("#test", "!outage update 3 still down")
    wait_until("the comment on #3", lambda: outage_issue(gh, 3) and
               texts(gh, 3) != [], timeout=40)
    for n in (1, 2, 3):
        check(len(outage_issue(gh, n)) == 1, "one issue for outage #%d: %r"
              % (n, gh.issues(REPO)))
    check(len(gh.issues(REPO)) == 3, "three issues")


def test_kill9_around_comment(t):
    gh = fake_github(t)
    path = r"/issues/\d+/comments$"
    bot, alice = opened(t, gh, 2)

    gh.hang(1, method="POST", path=path)
    alice.say("#test", "!outage update 1 first")
    alice.say("#test", "!outage update 2 second")
    kill_when_sent(gh, bot, "POST", path, 0)
    restart(bot, alice)
    wait_until("both comments", lambda: len(texts(gh, 1)) == 1 and
               len(texts(gh, 2)) == 1, timeout=40)

    gh.hang(1, method="POST", path=path, after=True)
    alice.say("#test", "!outage update 1 third")
    wait_until("the third comment", lambda: len(texts(gh, 1)) == 2)
    bot.kill()
    restart(bot, alice)
    alice.say("#test", "!outage update 1 fourth")
    wait_until("the fourth comment", lambda: len(texts(gh, 1)) >= 3,
               timeout=40)

    gh.delay(1, 1.0, method="POST", path=path)
    alice.say("#test", "!outage update 2 fifth")
    kill_when_sent(gh, bot, "POST", path, len(gh.requests("POST", path)))
    wait_until("the late comment", lambda: len(texts(gh, 2)) == 2)
    restart(bot, alice)
    alice.say("#test", "!outage update 2 sixth")
    wait_until("the sixth comment", lambda: len(texts(gh, 2)) >= 3,
               timeout=40)
    for n, words in ((1, ("first", "third", "fourth")),
                     (2, ("second", "fifth", "sixth"))):
        bodies = [c["body"] for c in gh.comments(
            REPO, outage_issue(gh, n)[0]["number"])]
        check(len(bodies) == 3 and all(
            sum(w in b for b in bodies) == 1 for w in words),
            "every comment on #%d once: %r" % (n, bodies))


def test_kill9_around_close(t):
    gh = fake_github(t)
    path = r"/repos/%s/issues/\d+$" % REPO
    bot, alice = opened(t, gh, 2)

    gh.hang(1, method="PATCH", path=path)
    alice.say("#test", "!outage resolve 1 fixed")
    alice.say("#test", "!outage resolve 2 fixed too")
    kill_when_sent(gh, bot, "PATCH", path, 0)
    check([i["state"] for i in gh.issues(REPO)] == ["open", "open"],
          "none closed yet")
    restart(bot, alice)
    wait_until("both closed and unpinned", lambda: [
        i["state"] for i in gh.issues(REPO)] == ["closed", "closed"] and
        gh.pinned(REPO) == [], timeout=40)

    alice.say("#test", "!outage open Outage number 3")
    wait_until("the third pinned", lambda: len(gh.pinned(REPO)) == 1,
               timeout=40)
    gh.hang(1, method="PATCH", path=path, after=True)
    alice.say("#test", "!outage resolve 3 gone")
    wait_until("the close", lambda: outage_issue(gh, 3)[0]["state"] ==
               "closed")
    closed_at = outage_issue(gh, 3)[0]["closed_at"]
    bot.kill()
    restart(bot, alice)
    wait_until("the unpin", lambda: gh.pinned(REPO) == [], timeout=40)
    for n in (1, 2, 3):
        issue = outage_issue(gh, n)
        check(len(issue) == 1 and issue[0]["state"] == "closed" and
              issue[0]["state_reason"] == "completed",
              "outage #%d closed: %r" % (n, issue))
        check(len(texts(gh, n)) == 1, "one postmortem comment on #%d: %r"
              % (n, texts(gh, n)))
    check(outage_issue(gh, 3)[0]["closed_at"] == closed_at, "closed once")
