"""The issue-based status page (DESIGN.md section 7, `issues` backend)
end to end: the real bot in a real ngIRCd channel, GitHub played by
tests/fakes/github.py. One issue per outage in the backend's repo,
labelled with the backend's labels, the affected components and the
severity; updates as comments; closed as completed on resolve; pinned
while open with `pin`. Exactly once across kill -9 at every point of the
create: before its request, while it is in flight, after GitHub did it
but before the bot heard, and when GitHub does it while the bot is down.
The status repo may be the outage issue's own repo: the two markers
never mix."""

import re
import signal
import time

from harness import check
from test_outage import (REPO, TOKEN, bot_line, fake_github, restart, secret,
                         setup, wait_until)

STATUS_REPO = "packit/status"


def backend(t, gh, repo=STATUS_REPO, **over):
    """An issues backend entry; with gh its own token and api_url (the
    bot then needs no github group)."""
    b = {"type": "issues", "repo": repo}
    if gh is not None:
        b.update({"api_url": gh.api_url,
                  "token_file": secret(t, "status-token", TOKEN + "\n")})
    b.update(over)
    return b


def statuspage(*backends):
    return {"components": ["API", "Copr", "Testing Farm"],
            "backends": list(backends)}


def status_marker(n):
    return "<!-- outagebot:status=test/%d -->" % n


def by_marker(gh, repo, n):
    """The issues of repo whose body holds outage n's status marker."""
    return [i for i in gh.issues(repo) if status_marker(n) in
            (i["body"] or "")]


def labels(issue):
    return [lb["name"] for lb in issue["labels"]]


def posts(gh, repo=STATUS_REPO):
    return gh.requests("POST", r"/repos/%s/issues$" % repo)


def test_issues_backend_open_update_resolve(t):
    gh = fake_github(t)
    srv, bot, (alice,) = setup(t, gh, statuspage=statuspage(
        backend(t, None, pin=True)))
    alice.say("#test", "!outage open --severity down --affected copr,API "
              "Copr builds @failing")
    bot_line(alice, r"^alice: outage #1 opened$")
    issue = wait_until("the status issue",
                       lambda: (by_marker(gh, STATUS_REPO, 1) or [None])[0])
    check(len(gh.issues(STATUS_REPO)) == 1, "one status issue")
    check(labels(issue) == ["incident", "Copr", "API", "down"],
          "labels: %r" % labels(issue))
    check(issue["title"] == "Outage #1: Copr builds @failing",
          "title: %r" % issue["title"])
    check("outagebot:outage=" not in issue["body"], "not the outage marker")
    check("@failing" not in issue["body"], "no mention: %r" % issue["body"])
    wait_until("the pin", lambda: gh.pinned(STATUS_REPO) ==
               [issue["number"]])
    # The outage issue is its own, in its own repo.
    wait_until("the outage issue", lambda: len(gh.issues(REPO)) == 1)

    alice.say("#test", "!outage update 1 --severity disrupted --affected "
              "Copr --status identified a bad config")
    wait_until("the update comment",
               lambda: len(gh.comments(STATUS_REPO, issue["number"])) == 1)
    c = gh.comments(STATUS_REPO, issue["number"])[0]
    check("a bad config" in c["body"], "comment text: %r" % c["body"])
    check(re.search(r"<!-- outagebot:job=test/\d+ -->", c["body"]),
          "the job marker: %r" % c["body"])
    wait_until("the labels follow", lambda: labels(
        gh.issues(STATUS_REPO)[0]) == ["incident", "Copr", "disrupted"])

    alice.say("#test", "!outage resolve 1 config reverted")
    wait_until("the close",
               lambda: gh.issues(STATUS_REPO)[0]["state"] == "closed")
    wait_until("the unpin", lambda: gh.pinned(STATUS_REPO) == [])
    closed = gh.issues(STATUS_REPO)[0]
    check(closed["state_reason"] == "completed", "completed")
    comments = gh.comments(STATUS_REPO, issue["number"])
    check(len(comments) == 2 and "config reverted" in comments[1]["body"],
          "the resolve comment: %r" % comments)
    check(len(posts(gh)) == 1, "one create")


def test_issues_backend_in_the_outage_repo(t):
    """Status issues in the outage issue's own repo: a create whose answer
    is lost, then kill -9: still one issue of each kind per outage."""
    gh = fake_github(t)
    gh.hang(1, method="POST", path=r"/repos/%s/issues$" % REPO, after=True)
    srv, bot, (alice,) = setup(t, gh, statuspage=statuspage(
        backend(t, None, repo=REPO, labels=["incident", "status"])))
    alice.say("#test", "!outage open --affected API API down")
    bot_line(alice, r"^alice: outage #1 opened$")
    wait_until("both creates", lambda: len(posts(gh, REPO)) == 2)
    wait_until("both issues", lambda: len(gh.issues(REPO)) == 2)
    bot.kill()
    restart(bot, alice)
    alice.say("#test", "!outage resolve 1 fine")
    wait_until("both closed", lambda: [i["state"] for i in gh.issues(REPO)]
               == ["closed", "closed"], timeout=40)
    issues = gh.issues(REPO)
    check(len(issues) == 2, "two issues: %r" % issues)
    check(len(by_marker(gh, REPO, 1)) == 1, "one status issue")
    check(len([i for i in issues if "<!-- outagebot:outage=test/1 -->" in
               i["body"]]) == 1, "one outage issue")


def test_status_issue_create_survives_kill9(t):
    gh = fake_github(t)
    path = r"/repos/%s/issues$" % STATUS_REPO
    srv, bot, (alice,) = setup(t, None, statuspage=statuspage(
        backend(t, gh)))

    # In flight (GitHub never does it) for #1; #2 waits behind it.
    gh.hang(1, method="POST", path=path)
    alice.say("#test", "!outage open Copr down")
    alice.say("#test", "!outage open Koji down")
    bot_line(alice, r"^alice: outage #2 opened$")
    wait_until("the first create", lambda: len(posts(gh)) == 1)
    bot.kill()
    check(gh.issues(STATUS_REPO) == [], "nothing created yet")
    restart(bot, alice)
    wait_until("two issues", lambda: len(gh.issues(STATUS_REPO)) == 2,
               timeout=40)

    # Done by GitHub, the answer lost: the bot is killed before it hears.
    gh.hang(1, method="POST", path=path, after=True)
    alice.say("#test", "!outage open Dashboard down")
    wait_until("the third issue", lambda: len(gh.issues(STATUS_REPO)) == 3)
    bot.kill()
    restart(bot, alice)

    # Done by GitHub only after the bot died (a slow answer).
    gh.delay(1, 1.0, method="POST", path=path)
    before = len(posts(gh))
    alice.say("#test", "!outage open Workers down")
    wait_until("the fourth create", lambda: len(posts(gh)) == before + 1,
               timeout=40)
    bot.kill()
    wait_until("the late issue", lambda: len(gh.issues(STATUS_REPO)) == 4)
    restart(bot, alice)
    alice.say("#test", "!outage update 4 still down")
    wait_until("the update of #4", lambda: by_marker(gh, STATUS_REPO, 4) and
               len(gh.comments(STATUS_REPO, by_marker(
                   gh, STATUS_REPO, 4)[0]["number"])) == 1, timeout=40)
    time.sleep(1.5)
    for n in range(1, 5):
        check(len(by_marker(gh, STATUS_REPO, n)) == 1,
              "one status issue for outage #%d: %r"
              % (n, gh.issues(STATUS_REPO)))
    check(len(gh.issues(STATUS_REPO)) == 4, "four issues")


def gql_errors(kind, message):
    return {"data": {"pinIssue": None}, "errors": [
        {"type": kind, "path": ["pinIssue"], "message": message}]}


def test_issues_backend_graphql_errors_in_200(t):
    """GraphQL answers errors with HTTP 200: a rate limit is tried again,
    a refusal is said once in the channel and waits for !jobs retry."""
    gh = fake_github(t)
    gh.fail(1, 200, path="/graphql", body=gql_errors(
        "RATE_LIMITED", "API rate limit exceeded"))
    gh.fail(1, 200, path="/graphql", body=gql_errors(
        "FORBIDDEN", "Resource not accessible by integration"))
    srv, bot, (alice,) = setup(t, None, statuspage=statuspage(
        backend(t, gh, pin=True)))
    alice.say("#test", "!outage open Copr down")
    line = bot_line(alice, r"^issues rejected outage #1's pin: Resource "
                    r"not accessible by integration; fix it, then !jobs "
                    r"retry (\d+)$", timeout=30)
    check(len(gh.requests("POST", "/graphql")) == 2, "tried twice")
    check(gh.pinned(STATUS_REPO) == [], "not pinned")
    job = re.search(r"retry (\d+)$", line.body).group(1)
    alice.say("#test", "!jobs retry %s" % job)
    wait_until("the pin", lambda: len(gh.pinned(STATUS_REPO)) == 1,
               timeout=30)
    check(len(posts(gh)) == 1, "one create: %r" % gh.issues(STATUS_REPO))


def test_issues_backend_added_later(t):
    """A backend added by a reload while an outage is open: its first job
    is an update, which looks for the issue, makes it, and comments."""
    gh = fake_github(t)
    srv, bot, (alice,) = setup(t, None)
    alice.say("#test", "!outage open --affected Copr Copr down")
    bot_line(alice, r"^alice: outage #1 opened$")
    cfg = bot.config
    cfg["statuspage"] = statuspage(backend(t, gh))
    bot.write_config(cfg)
    bot.signal(signal.SIGHUP)
    bot.wait_log(r"configuration reloaded")
    alice.say("#test", "!outage update 1 --severity down worse")
    wait_until("the comment", lambda: by_marker(gh, STATUS_REPO, 1) and
               len(gh.comments(STATUS_REPO, by_marker(
                   gh, STATUS_REPO, 1)[0]["number"])) == 1, timeout=30)
    check(len(gh.requests("GET", r"/repos/%s/issues\?" % STATUS_REPO)) ==
          1, "looked for it first")
    check(labels(gh.issues(STATUS_REPO)[0]) == ["incident", "Copr", "down"],
          "labels: %r" % gh.issues(STATUS_REPO)[0]["labels"])


def test_status_comment_survives_kill9(t):
    """A status comment done by GitHub whose answer never reached the
    bot: after kill -9 it is found by its job's marker, not made again."""
    gh = fake_github(t)
    path = r"/repos/%s/issues/\d+/comments$" % STATUS_REPO
    srv, bot, (alice,) = setup(t, None, statuspage=statuspage(
        backend(t, gh)))
    alice.say("#test", "!outage open Copr down")
    wait_until("the issue", lambda: by_marker(gh, STATUS_REPO, 1))
    number = by_marker(gh, STATUS_REPO, 1)[0]["number"]
    gh.hang(1, method="POST", path=path, after=True)
    alice.say("#test", "!outage update 1 first")
    wait_until("the comment", lambda: len(gh.comments(STATUS_REPO,
                                                      number)) == 1)
    bot.kill()
    restart(bot, alice)
    alice.say("#test", "!outage update 1 second")
    wait_until("the second comment", lambda: len(gh.comments(
        STATUS_REPO, number)) >= 2, timeout=30)
    time.sleep(1.5)
    bodies = [c["body"] for c in gh.comments(STATUS_REPO, number)]
    check(len(bodies) == 2 and "first" in bodies[0] and
          "second" in bodies[1], "each comment once: %r" % bodies)
