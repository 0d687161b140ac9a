"""Self-tests of the fake GitHub (tests/fakes/github.py): each behaviour of
shared/API-CONTRACTS.md §1, §1b and §2 it claims, checked with a plain HTTP client,
so that the tests that run the bot against it can trust it."""

import base64
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

from harness import (ROOT, check, free_port, load_fake_github, stop_process,
                     wait_port)

TOKEN = "ghp_test_token"
REPO = "packit/service"


def load_fake():
    return load_fake_github()


def fake(t, **kw):
    gh = load_fake().FakeGitHub(token=TOKEN, **kw).start()
    t.on_cleanup(gh.stop)
    return gh


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return "%d %r" % (self.status, self.body[:300])


def call(gh, method, path, data=None, token=TOKEN, ua="outagebot-test/1",
         extra=None, timeout=10, prefix=None):
    """One request with the headers the bot sends (each can be dropped by
    passing None); path is under the REST base unless it starts with //."""
    if path.startswith("//"):
        path = path[1:]
    else:
        path = (gh.rest_prefix if prefix is None else prefix) + path
    headers = {"Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": "2022-11-28"}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    if ua is not None:
        headers["User-Agent"] = ua
    headers.update(extra or {})
    headers = {k: v for k, v in headers.items() if v is not None}
    body = None
    if data is not None:
        body = data if isinstance(data, bytes) else json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection(gh.host, gh.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return Answer(r.status, {k.lower(): v for k, v in r.getheaders()},
                      r.read().decode())
    finally:
        conn.close()


def create(gh, title="Copr builds failing", body="marker", labels=("outage",),
           repo=REPO):
    a = call(gh, "POST", "/repos/%s/issues" % repo,
             {"title": title, "body": body, "labels": list(labels)})
    check(a.status == 201, "create: %r" % a)
    return a.json


def pin(gh, node, op="pinIssue", path=None):
    q = ("mutation($id:ID!){%s(input:{issueId:$id})"
         "{issue{id number isPinned}}}" % op)
    return call(gh, "POST", "/" + (path or gh.graphql_path),
                {"query": q, "variables": {"id": node}})


# ------------------------------------------------------------ headers


def test_fake_github_user_agent_required(t):
    gh = fake(t)
    a = call(gh, "POST", "/repos/%s/issues" % REPO, {"title": "x"}, ua=None)
    check(a.status == 403, "no User-Agent: %r" % a)
    check(a.headers["content-type"].startswith("text/plain"),
          "the 403 is plain text: %r" % a.headers)
    check("User-Agent" in a.body, "the body names the header: %r" % a)
    check(gh.issues(REPO) == [], "nothing created without User-Agent")
    a = pin(gh, "x")
    check(a.status == 200, "GraphQL with UA is served: %r" % a)
    a = call(gh, "POST", "/" + gh.graphql_path, {"query": "{}"}, ua=None)
    check(a.status == 403, "GraphQL without UA: %r" % a)


def test_fake_github_auth(t):
    gh = fake(t)
    a = call(gh, "GET", "/repos/%s/issues" % REPO, token="wrong")
    check(a.status == 401, "wrong token: %r" % a)
    check(a.json["message"] == "Bad credentials", "message: %r" % a)
    check("documentation_url" in a.json, "documentation_url: %r" % a)
    a = call(gh, "GET", "/repos/%s/issues" % REPO, token=None)
    check(a.status == 401 and a.json["message"] == "Requires authentication",
          "no token: %r" % a)
    a = call(gh, "GET", "/repos/%s/issues" % REPO, token=None,
             extra={"Authorization": "token " + TOKEN})
    check(a.status == 200, "'token' scheme works too: %r" % a)
    a = call(gh, "POST", "/" + gh.graphql_path, {"query": "{}"}, token=None)
    check(a.status == 401 and "message" in a.json, "GraphQL no token: %r" % a)
    a = call(gh, "POST", "/" + gh.graphql_path, {"query": "{}"}, token="bad")
    check(a.status == 401 and a.json["message"] == "Bad credentials",
          "GraphQL bad token: %r" % a)
    gh.configure(token="rotated")
    a = call(gh, "GET", "/repos/%s/issues" % REPO)
    check(a.status == 401, "old token after rotation: %r" % a)
    a = call(gh, "GET", "/repos/%s/issues" % REPO, token="rotated")
    check(a.status == 200, "new token: %r" % a)


def test_fake_github_api_version_and_accept(t):
    gh = fake(t)
    a = call(gh, "GET", "/repos/%s/issues" % REPO,
             extra={"X-GitHub-Api-Version": "1999-01-01"})
    check(a.status == 400 and "version" in a.json["message"].lower(),
          "unknown version: %r" % a)
    a = call(gh, "GET", "/repos/%s/issues" % REPO,
             extra={"X-GitHub-Api-Version": None, "Accept": None})
    check(a.status == 200, "defaults without version and Accept: %r" % a)
    check(a.headers["content-type"].startswith("application/json"),
          "JSON answer: %r" % a.headers)


def test_fake_github_rate_limit_headers(t):
    gh = fake(t)
    names = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
             "x-ratelimit-used", "x-ratelimit-resource")
    answers = [create(gh) and call(gh, "GET", "/repos/%s/issues/1" % REPO),
               call(gh, "GET", "/repos/%s/issues/99" % REPO),
               call(gh, "POST", "/repos/%s/issues" % REPO, {}),
               call(gh, "GET", "/repos/%s/issues" % REPO, token="bad"),
               call(gh, "GET", "/repos/%s/issues" % REPO, ua=None),
               pin(gh, "nope")]
    for a in answers:
        for n in names:
            check(n in a.headers, "%s missing on %r" % (n, a))
        check(int(a.headers["x-ratelimit-reset"]) > time.time(),
              "reset is epoch seconds in the future: %r" % a.headers)
        limit, left, used = (int(a.headers[n]) for n in names[:2] + names[3:4])
        check(0 <= left <= limit and used == limit - left,
              "limit, remaining and used agree: %r" % a.headers)
    check(answers[-1].headers["x-ratelimit-resource"] == "graphql",
          "GraphQL resource")
    check(answers[0].headers["x-ratelimit-resource"] == "core", "core")
    check(answers[3].headers["x-ratelimit-limit"] == "60",
          "unauthenticated quota: %r" % answers[3].headers)
    r1 = int(answers[0].headers["x-ratelimit-remaining"])
    r2 = int(answers[1].headers["x-ratelimit-remaining"])
    check(r2 == r1 - 1, "remaining counts down: %d then %d" % (r1, r2))
    check(int(answers[1].headers["x-ratelimit-used"]) ==
          int(answers[1].headers["x-ratelimit-limit"]) - r2, "used")
    gh.configure(rate_remaining=0, rate_reset=int(time.time()) + 120)
    a = call(gh, "GET", "/repos/%s/issues" % REPO)
    check(a.status == 403 and a.headers["x-ratelimit-remaining"] == "0",
          "exhausted: %r %r" % (a, a.headers))
    check("rate limit" in a.json["message"], "message: %r" % a)


def test_fake_github_write_spacing(t):
    gh = fake(t)
    gh.configure(write_spacing=0.5)
    create(gh)
    call(gh, "GET", "/repos/%s/issues" % REPO)
    a = call(gh, "POST", "/repos/%s/issues/1/comments" % REPO, {"body": "x"})
    check(a.status == 403 and a.headers["retry-after"] == "60" and
          "secondary rate limit" in a.json["message"],
          "a write too soon: %r" % a)
    time.sleep(0.5)
    a = call(gh, "POST", "/repos/%s/issues/1/comments" % REPO, {"body": "x"})
    check(a.status == 201, "a write after the spacing: %r" % a)
    check(len(gh.comments(REPO, 1)) == 1, "the refused write changed nothing")


# ------------------------------------------------------------ REST


def test_fake_github_create_and_get(t):
    gh = fake(t)
    body = "**What is broken:** x\n<!-- outagebot:outage=test/1 -->"
    issue = create(gh, "Copr `down` @here", body, ("outage", "sev"))
    for k in ("id", "node_id", "number", "html_url", "url", "state",
              "created_at", "closed_at", "labels", "user"):
        check(k in issue, "field %s in %r" % (k, issue))
    check(issue["number"] == 1 and issue["state"] == "open", "new issue")
    check(issue["body"] == body and issue["title"] == "Copr `down` @here",
          "stored as sent")
    check([l["name"] for l in issue["labels"]] == ["outage", "sev"], "labels")
    check(issue["html_url"].endswith("/%s/issues/1" % REPO), issue["html_url"])
    a = call(gh, "POST", "/repos/%s/issues" % REPO, {"title": "two"})
    check(a.headers["location"].endswith("/repos/%s/issues/2" % REPO),
          "Location: %r" % a.headers)
    check(a.json["node_id"] != issue["node_id"], "node ids differ")
    a = call(gh, "GET", "/repos/%s/issues/1" % REPO)
    check(a.status == 200 and a.json["node_id"] == issue["node_id"],
          "get: %r" % a)
    a = call(gh, "GET", "/repos/%s/issues/9" % REPO)
    check(a.status == 404 and a.json["message"] == "Not Found", "404: %r" % a)
    a = call(gh, "POST", "/repos/%s/issues" % REPO, {"body": "no title"})
    check(a.status == 422 and a.json["message"] == "Validation Failed",
          "422: %r" % a)
    check(a.json["errors"] == [{"resource": "Issue", "code": "missing_field",
                                "field": "title"}], "errors: %r" % a)
    a = call(gh, "POST", "/repos/%s/issues" % REPO, b"{not json")
    check(a.status == 400 and a.json["message"] == "Problems parsing JSON",
          "bad JSON: %r" % a)
    check(len(gh.issues(REPO)) == 2, "only the good creates count")


def test_fake_github_list_pages(t):
    gh = fake(t)
    for n in range(1, 251):
        gh.add_issue(REPO, "issue %d" % n, "body <!-- m=%d -->" % n,
                     labels=("outage",) if n % 5 else ("other",),
                     state="closed" if n % 7 == 0 else "open",
                     pull_request=(n == 249))
    q = ("/repos/%s/issues?state=all&labels=outage&sort=created"
         "&direction=desc&per_page=100&page=%d")
    seen = []
    for page in (1, 2, 3):
        a = call(gh, "GET", q % (REPO, page))
        check(a.status == 200, "page %d: %r" % (page, a))
        seen += [i["number"] for i in a.json]
        link = a.headers.get("link", "")
        check(('rel="next"' in link) == (page < 2),
              "page %d Link: %r" % (page, link))
        if page == 1:
            nxt = re.search(r'<([^>]*)>; rel="next"', link).group(1)
            check("page=2" in nxt and "labels=outage" in nxt, nxt)
            check('rel="last"' in link, link)
    want = [n for n in range(250, 0, -1) if n % 5]
    check(seen == want, "state=all, labelled, newest first, PR included")
    pr = [i for i in call(gh, "GET", q % (REPO, 1)).json if i["number"] == 249]
    check("pull_request" in pr[0], "a pull request carries pull_request")
    a = call(gh, "GET", "/repos/%s/issues?labels=outage&per_page=100" % REPO)
    check(all(i["state"] == "open" for i in a.json), "default state=open")
    a = call(gh, "GET", "/repos/%s/issues?per_page=500&direction=asc" % REPO)
    check(len(a.json) == 100 and a.json[0]["number"] == 1,
          "per_page capped at 100, asc order")
    a = call(gh, "GET", "/repos/%s/issues" % REPO)
    check(len(a.json) == 30, "default per_page 30")


def test_fake_github_comments_and_close(t):
    gh = fake(t)
    issue = create(gh)
    a = call(gh, "POST", "/repos/%s/issues/1/comments" % REPO,
             {"body": "Update: fixed"})
    check(a.status == 201, "comment: %r" % a)
    check(a.json["html_url"] == issue["html_url"] + "#issuecomment-%d"
          % a.json["id"], "comment URL: %r" % a.json)
    check(a.json["node_id"].startswith("IC_") and
          a.json["issue_url"] == issue["url"], "comment fields")
    check(gh.comments(REPO, 1)[0]["body"] == "Update: fixed", "stored")
    check(call(gh, "GET", "/repos/%s/issues/1" % REPO).json["comments"] == 1,
          "count")
    a = call(gh, "POST", "/repos/%s/issues/1/comments" % REPO, {})
    check(a.status == 422 and a.json["errors"][0]["field"] == "body",
          "comment without body: %r" % a)
    a = call(gh, "POST", "/repos/%s/issues/7/comments" % REPO, {"body": "x"})
    check(a.status == 404, "comment on a missing issue: %r" % a)
    a = call(gh, "GET", "/repos/%s/issues/1/comments" % REPO)
    check(len(a.json) == 1, "list comments: %r" % a)
    a = call(gh, "PATCH", "/repos/%s/issues/1" % REPO,
             {"state": "closed", "state_reason": "bogus"})
    check(a.status == 422, "bad state_reason: %r" % a)
    a = call(gh, "PATCH", "/repos/%s/issues/1" % REPO,
             {"state_reason": "not_planned"})
    check(a.status == 200 and a.json["state_reason"] is None,
          "state_reason ignored unless state changes: %r" % a)
    a = call(gh, "PATCH", "/repos/%s/issues/1" % REPO,
             {"state": "closed", "state_reason": "completed"})
    check(a.status == 200 and a.json["state"] == "closed" and
          a.json["state_reason"] == "completed" and a.json["closed_at"],
          "closed: %r" % a)
    a = call(gh, "POST", "/repos/%s/issues/1/labels" % REPO,
             {"labels": ["resolved"]})
    check(a.status == 200 and [l["name"] for l in a.json] ==
          ["outage", "resolved"], "labels appended: %r" % a)


def test_fake_github_410_and_404_repos(t):
    gh = fake(t)
    create(gh)
    gh.configure(disable_issues=[REPO], missing_repos=["packit/gone"])
    for method, path, data in (
            ("POST", "/repos/%s/issues" % REPO, {"title": "x"}),
            ("POST", "/repos/%s/issues/1/comments" % REPO, {"body": "x"}),
            ("PATCH", "/repos/%s/issues/1" % REPO, {"state": "closed"})):
        a = call(gh, method, path, data)
        check(a.status == 410, "%s %s: %r" % (method, path, a))
        check(a.json["message"] == "Issues are disabled for this repo" and
              a.json["status"] == "410", "410 body: %r" % a)
    a = call(gh, "POST", "/repos/packit/gone/issues", {"title": "x"})
    check(a.status == 404, "missing repo: %r" % a)


# ------------------------------------------------------------ GraphQL


def test_fake_github_pins(t):
    gh = fake(t)
    nodes = [create(gh, "o%d" % i)["node_id"] for i in range(5)]
    a = pin(gh, nodes[0])
    check(a.status == 200 and a.json == {"data": {"pinIssue": {"issue": {
        "id": nodes[0], "number": 1, "isPinned": True}}}}, "pin: %r" % a)
    check(pin(gh, nodes[0]).status == 200, "pinning twice is fine")
    pin(gh, nodes[1])
    pin(gh, nodes[2])
    check(gh.pinned(REPO) == [1, 2, 3], "three pinned")
    a = pin(gh, nodes[3])
    check(a.status == 200, "4th pin is HTTP 200: %r" % a)
    check(a.json["data"] == {"pinIssue": None}, "data null: %r" % a)
    check("maximum number of pinned issues" in a.json["errors"][0]["message"],
          "limit message: %r" % a)
    check(gh.pinned(REPO) == [1, 2, 3], "still three")
    a = pin(gh, nodes[1], "unpinIssue")
    check(a.status == 200 and
          a.json["data"]["unpinIssue"]["issue"]["isPinned"] is False,
          "unpin: %r" % a)
    check(pin(gh, nodes[3]).json.get("errors") is None, "a slot is free")
    check(gh.pinned(REPO) == [1, 3, 4], "pin order")
    a = pin(gh, "I_kwDOnope")
    check(a.status == 200 and a.json["data"] == {"pinIssue": None},
          "bad id is HTTP 200: %r" % a)
    e = a.json["errors"][0]
    check(e["type"] == "NOT_FOUND" and e["path"] == ["pinIssue"] and
          "I_kwDOnope" in e["message"], "NOT_FOUND error: %r" % a)
    a = call(gh, "POST", "/" + gh.graphql_path,
             {"query": "mutation{frobIssue(input:{}){x}}"})
    check(a.status == 200 and "errors" in a.json, "unknown field: %r" % a)
    a = call(gh, "POST", "/" + gh.graphql_path, b"{oops")
    check(a.status == 200 and "errors" in a.json, "bad JSON: %r" % a)


def test_fake_github_enterprise_paths(t):
    gh = fake(t, enterprise=True)
    check(gh.api_url.endswith("/api/v3") and
          gh.graphql_url.endswith("/api/graphql"), gh.api_url)
    issue = create(gh)
    check(issue["url"].startswith(gh.api_url + "/repos/"), issue["url"])
    a = call(gh, "POST", "/repos/%s/issues" % REPO, {"title": "x"},
             prefix="")
    check(a.status == 404, "REST without /api/v3: %r" % a)
    check(pin(gh, issue["node_id"]).json["data"]["pinIssue"], "/api/graphql")
    a = pin(gh, issue["node_id"], path="/graphql")
    check(a.status == 404, "GraphQL at /graphql on Enterprise: %r" % a)


# ------------------------------------------------------------ faults


def test_fake_github_fail_n(t):
    gh = fake(t)
    gh.fail(2, 500, method="POST", path=r"/issues$")
    gh.rate_limited(1, status=429, retry_after=7, path=r"/issues$")
    gh.rate_limited(1, status=403, path=r"/issues$", reset_in=90)
    gh.fail(1, 502, path=r"/issues$")
    gh.fail(1, 409, path=r"/issues$")
    check(call(gh, "GET", "/repos/%s/issues/5" % REPO).status == 404,
          "a GET does not match a POST rule")
    seen = [call(gh, "POST", "/repos/%s/issues" % REPO, {"title": "x"})
            for _ in range(7)]
    check([a.status for a in seen] == [500, 500, 429, 403, 502, 409, 201],
          "statuses in order: %r" % seen)
    check(seen[2].headers["retry-after"] == "7" and
          "secondary rate limit" in seen[2].json["message"], "429")
    check(seen[3].headers["x-ratelimit-remaining"] == "0" and
          int(seen[3].headers["x-ratelimit-reset"]) >= time.time() + 80,
          "primary 403: %r" % seen[3].headers)
    check(seen[5].json["message"] == "Conflict" and
          "documentation_url" in seen[5].json, "409 body: %r" % seen[5])
    check(len(gh.issues(REPO)) == 1, "failed requests change nothing")
    rec = gh.requests(method="POST")
    check([r["status"] for r in rec] == [500, 500, 429, 403, 502, 409, 201],
          "recorded statuses")
    check(rec[0]["fault"] == "status" and rec[-1]["fault"] is None, "faults")
    check(rec[0]["json"] == {"title": "x"} and
          rec[0]["headers"]["user-agent"] == "outagebot-test/1",
          "record keeps headers and body: %r" % rec[0])


def test_fake_github_hang_delay_reset(t):
    gh = fake(t)
    gh.hang(1, path=r"/issues$")
    t0 = time.monotonic()
    try:
        call(gh, "POST", "/repos/%s/issues" % REPO, {"title": "a"}, timeout=1)
        raise AssertionError("a hung request was answered")
    except socket.timeout:
        pass
    check(time.monotonic() - t0 >= 0.9, "waited for the timeout")
    check(gh.issues(REPO) == [], "hang: not processed")
    gh.hang(1, path=r"/issues$", after=True)
    try:
        call(gh, "POST", "/repos/%s/issues" % REPO, {"title": "b"}, timeout=1)
        raise AssertionError("a hung request was answered")
    except socket.timeout:
        pass
    check([i["title"] for i in gh.issues(REPO)] == ["b"],
          "hang after: processed, answer lost")
    gh.delay(1, 1.0, path=r"/issues$")
    t0 = time.monotonic()
    a = call(gh, "POST", "/repos/%s/issues" % REPO, {"title": "c"})
    check(a.status == 201 and time.monotonic() - t0 >= 1.0, "delayed 201")
    gh.reset(1, path=r"/issues$")
    try:
        call(gh, "POST", "/repos/%s/issues" % REPO, {"title": "d"})
        raise AssertionError("a reset request was answered")
    except (ConnectionResetError, http.client.RemoteDisconnected):
        pass
    gh.reset(1, path=r"/issues$", after=True)
    try:
        call(gh, "POST", "/repos/%s/issues" % REPO, {"title": "e"})
        raise AssertionError("a reset request was answered")
    except (ConnectionResetError, http.client.RemoteDisconnected):
        pass
    check([i["title"] for i in gh.issues(REPO)] == ["b", "c", "e"],
          "reset: not processed; reset after: processed")
    check(call(gh, "GET", "/repos/%s/issues/1" % REPO).status == 200,
          "served normally once the faults are used up")


def test_fake_github_stop_closes_kept_alive_connections(t):
    gh = fake(t)
    conn = http.client.HTTPConnection(gh.host, gh.port, timeout=5)
    t.on_cleanup(conn.close)
    headers = {"Authorization": "Bearer " + TOKEN, "User-Agent": "t/1"}
    conn.request("GET", "/repos/%s/issues" % REPO, headers=headers)
    r = conn.getresponse()
    r.read()
    check(r.status == 200 and not r.will_close, "a kept-alive answer")
    gh.stop()
    try:
        conn.request("GET", "/repos/%s/issues" % REPO, headers=headers)
        r = conn.getresponse()
        raise AssertionError("a stopped fake answered %d" % r.status)
    except (ConnectionError, http.client.RemoteDisconnected, OSError):
        pass
    url = gh.api_url
    create(gh.start())
    check(gh.api_url == url and len(gh.issues(REPO)) == 1,
          "restarted on the same port with its state")


def test_fake_github_control_endpoint(t):
    gh = fake(t)
    a = call(gh, "POST", "//_fake/fault", {"count": 1, "action": "status",
                                           "status": 503, "path": "/issues"},
             token=None, ua=None)
    check(a.status == 200, "fault set over HTTP: %r" % a)
    check(call(gh, "GET", "/repos/%s/issues" % REPO).status == 503, "503")
    call(gh, "POST", "//_fake/config", {"disable_issues": ["o/off"]})
    check(call(gh, "POST", "/repos/o/off/issues", {"title": "x"}).status ==
          410, "config over HTTP")
    a = call(gh, "POST", "//_fake/issue", {"repo": REPO, "title": "seeded"})
    check(a.status == 201 and a.json["number"] == 1, "seed: %r" % a)
    create(gh)
    pin(gh, gh.issues(REPO)[1]["node_id"])
    state = call(gh, "GET", "//_fake/state").json
    check([i["title"] for i in state[REPO]["issues"]] ==
          ["seeded", "Copr builds failing"] and state[REPO]["pins"] == [2],
          "state: %r" % state)
    check(all(not k.startswith("_") for k in state[REPO]["issues"][0]),
          "no private fields in the state")
    reqs = call(gh, "GET", "//_fake/requests").json
    check([r["method"] + " " + r["path"] for r in reqs] ==
          ["GET /repos/%s/issues" % REPO, "POST /repos/o/off/issues",
           "POST /repos/%s/issues" % REPO, "POST /graphql"],
          "requests, control calls left out: %r" % reqs)
    check(reqs[2]["headers"]["authorization"] == "Bearer " + TOKEN,
          "headers recorded")
    call(gh, "POST", "//_fake/clear")
    check(call(gh, "GET", "//_fake/requests").json == [], "cleared")


def test_fake_github_command_line(t):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "tests", "fakes", "github.py"),
         "--port", str(port), "--token", "T1", "--enterprise"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    t.on_cleanup(lambda: stop_process(proc))
    check(wait_port(port, 10, proc), "the fake did not start")

    class Where:
        host = "127.0.0.1"
        rest_prefix, graphql_path = "/api/v3", "/api/graphql"
    where = Where()
    where.port = port
    a = call(where, "POST", "/repos/%s/issues" % REPO, {"title": "x"},
             token="T1")
    check(a.status == 201, "served from the command line: %r" % a)
    check(call(where, "GET", "/repos/%s/issues" % REPO).status == 401,
          "--token is the only good token")
    proc.send_signal(signal.SIGTERM)
    check(proc.wait(10) == 0, "exits 0 on SIGTERM")


# ---------------------------------------------------------------- contents

FILE = "content/issues/2026-11-24-copr-builds-failing-12.md"


def put(gh, path, text, sha=None, branch=None, message="outage #12: x",
        **kw):
    data = {"message": message,
            "content": base64.b64encode(text.encode()).decode()}
    if branch is not None:
        data["branch"] = branch
    if sha is not None:
        data["sha"] = sha
    return call(gh, "PUT", "/repos/%s/contents/%s" % (REPO, path), data, **kw)


def git_blob_sha(text):
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_fake_github_contents_create_read_update(t):
    gh = fake(t)
    a = call(gh, "GET", "/repos/%s/contents/%s?ref=main" % (REPO, FILE))
    check(a.status == 404 and a.json["message"] == "Not Found",
          "a new file: %r" % a)
    text = "---\ntitle: \"Copr\"\n---\n" + "x" * 100 + "\n"
    a = put(gh, FILE, text)
    check(a.status == 201, "created: %r" % a)
    sha = a.json["content"]["sha"]
    check(sha == git_blob_sha(text), "the git blob sha: %r" % a.json)
    check(a.json["content"]["path"] == FILE and "sha" in a.json["commit"],
          "content and commit: %r" % a.json)
    a = call(gh, "GET", "/repos/%s/contents/%s?ref=main" % (REPO, FILE))
    check(a.status == 200 and a.json["type"] == "file" and
          a.json["encoding"] == "base64" and a.json["sha"] == sha,
          "read back: %r" % a)
    lines = a.json["content"].split("\n")
    check(lines[-1] == "" and all(len(x) == 60 for x in lines[:-2]) and
          0 < len(lines[-2]) <= 60, "wrapped every 60: %r" % lines)
    check(base64.b64decode(a.json["content"]).decode() == text, "content")
    a = call(gh, "GET", "/repos/%s/contents/%s" % (REPO, FILE))
    check(a.status == 200 and a.json["sha"] == sha, "no ref: main")
    a = put(gh, FILE, text + "more\n")
    check(a.status == 422 and a.json["message"] ==
          "Invalid request.\n\n\"sha\" wasn't supplied.",
          "an existing file without sha: %r" % a)
    a = put(gh, FILE, text + "more\n", sha="0" * 40)
    check(a.status == 409 and a.json["message"] ==
          "%s does not match %s" % (FILE, "0" * 40), "stale sha: %r" % a)
    a = put(gh, FILE, text + "more\n", sha=sha)
    check(a.status == 200 and a.json["content"]["sha"] ==
          git_blob_sha(text + "more\n"), "updated: %r" % a)
    check(gh.files(REPO) == {FILE: text + "more\n"}, "one file: %r"
          % gh.files(REPO))
    check([c["message"] for c in gh.commits(REPO)] ==
          ["outage #12: x", "outage #12: x"], "two commits")
    a = call(gh, "GET", "/repos/%s/contents/content/issues" % REPO)
    check(a.status == 200 and [i["name"] for i in a.json] ==
          [FILE.rsplit("/", 1)[1]], "a folder lists its files: %r" % a)
    a = call(gh, "GET", "/repos/%s/contents/content" % REPO)
    check(a.status == 200 and a.json[0]["type"] == "dir", "a sub-folder")
    a = call(gh, "PUT", "/repos/%s/contents/x.md" % REPO,
             {"message": "m", "content": "not base64!"})
    check(a.status == 422, "bad base64: %r" % a)
    a = call(gh, "PUT", "/repos/%s/contents/x.md" % REPO, {"content": ""})
    check(a.status == 422 and "message" in a.json["message"],
          "no message: %r" % a)


def test_fake_github_contents_branch_auth_faults(t):
    gh = fake(t)
    a = call(gh, "GET", "/repos/%s/contents/%s?ref=pages" % (REPO, FILE))
    check(a.status == 404 and "No commit found" in a.json["message"],
          "unknown ref: %r" % a)
    a = put(gh, FILE, "x", branch="pages")
    check(a.status == 404 and "Branch pages not found" in a.json["message"],
          "unknown branch: %r" % a)
    gh.add_branch(REPO, "pages")
    check(put(gh, FILE, "x", branch="pages").status == 201, "on pages")
    check(gh.files(REPO, "pages") == {FILE: "x"} and gh.files(REPO) == {},
          "the branch only")
    check(gh.commits(REPO)[0]["branch"] == "pages", "commit's branch")
    a = put(gh, FILE, "y", token="wrong")
    check(a.status == 401 and a.json["message"] == "Bad credentials",
          "bad token: %r" % a)
    a = put(gh, FILE, "y", ua=None)
    check(a.status == 403 and "User-Agent" in a.body, "no UA: %r" % a)
    check(len(gh.commits(REPO)) == 1, "nothing written by them")
    # Someone else commits between our read and our write.
    sha = gh.put_file(REPO, FILE, "seed\n")
    gh.stale(1, path="/contents/")
    a = put(gh, FILE, "mine\n", sha=sha)
    check(a.status == 409, "stale after a foreign commit: %r" % a)
    check(gh.files(REPO)[FILE] == "seed\n\n(edited)\n", "their edit")
    gh.stale(1, path="/contents/")
    a = put(gh, "content/new.md", "mine\n")
    check(a.status == 422 and "sha" in a.json["message"],
          "a file new to us, made meanwhile: %r" % a)
    gh.fail(1, 500, method="PUT", path="/contents/")
    check(put(gh, "content/other.md", "x").status == 500, "a fault")
    check("content/other.md" not in gh.files(REPO), "nothing written")
    gh.hang(1, method="PUT", path="/contents/", after=True)
    try:
        put(gh, "content/held.md", "x", timeout=1)
        check(False, "a held PUT answers nothing")
    except (socket.timeout, OSError):
        pass
    check(gh.files(REPO).get("content/held.md") == "x",
          "but it was done")
    a = call(gh, "POST", "//_fake/file", {"repo": REPO, "path": "a.md",
                                          "text": "seeded"})
    check(a.status == 201 and gh.files(REPO)["a.md"] == "seeded",
          "seed over HTTP: %r" % a)
    state = call(gh, "GET", "//_fake/state").json
    check(state[REPO]["files"]["main"]["a.md"] == "seeded",
          "files in the state")
