#!/usr/bin/env python3
"""A fake GitHub (REST issues, comments, labels; the contents API; GraphQL
pinIssue and unpinIssue) for outagebot's tests. Python 3 standard library
only.

It behaves as shared/API-CONTRACTS.md §1 and §2 describe: 403 in plain
text without a User-Agent, 401 "Bad credentials" on a wrong token, 400 on
an API version that does not exist, rate-limit headers on every answer
(403 with x-ratelimit-remaining 0 once they run out), 201 + Location on
create, 422 / 404 / 410 bodies of GitHub's shape, Link headers on listings,
GraphQL errors inside HTTP 200 (unknown node id, the limit of 3 pinned
issues), and an optional base path (GitHub Enterprise: /api/v3 for REST,
/api/graphql for GraphQL).

The contents API (§1b): GET /repos/O/R/contents/PATH[?ref=BRANCH] answers
a file (base64 wrapped every 60 characters, the git blob sha), a folder's
listing, or 404; PUT creates (201) or updates (200) a file on a branch as
one commit, with 409 for a stale sha, 422 when the sha of an existing
file is missing (and for a missing message or content that is not
base64), 404 for a branch the repo does not have. Every repo has the
branch "main"; add_branch adds others.

Run it alone:

    python3 tests/fakes/github.py --port P --token T [--enterprise]

or in a test (load the file by path, as test_fake_github.load_fake does:
"github" is also the name of a PyPI package):

    gh = FakeGitHub(token="T", enterprise=True).start()
    gh.api_url                     # base URL the bot is given
    gh.fail(2, 500, method="POST", path=r"/issues$")
    gh.hang(1, path="/graphql")    # accept, never answer
    gh.reset(1)                    # close the connection with an RST
    gh.requests()                  # every request: method, path, headers, body
    gh.issues("o/r")               # current state
    gh.files("o/r", branch="main") # {path: text} of the contents API
    gh.commits("o/r")              # every commit: message, path, branch
    gh.stale(1, path="/contents/") # someone else commits to the file
                                   # just before the next PUT lands
    gh.add_branch("o/r", "pages")  # a branch besides "main"
    gh.put_file("o/r", "a.md", "x") # a commit by someone else
    gh.stop()

The same knobs are reachable over HTTP on the same port under /_fake/
(a path GitHub never uses): GET /_fake/state, GET /_fake/requests,
POST /_fake/fault {"count","action","status","headers","body","method",
"path","delay"}, POST /_fake/config {"token","rate_remaining","rate_reset",
"disable_issues","missing_repos","write_spacing"}, POST /_fake/issue
(seed an issue or a pull request), POST /_fake/file {"repo","path",
"text","branch"} (seed a file), POST /_fake/branch {"repo","branch"},
POST /_fake/clear (faults and the request record).

Fault actions: "status" (answer status/headers/body, nothing changes),
"hang" (never answer, nothing changes), "hang_after" (do the request, then
never answer: the effect happened but the answer is lost), "delay" (wait
`delay` seconds, then do and answer it), "reset" (RST, nothing changes),
"reset_after" (do the request, then RST), "stale" (a commit by someone
else changes the PUT's file first, then the PUT is done as usual: a 409,
or a 422 when the file was new to the writer).

The other fakes of tests/fakes build on this one: a fake's error_body
(the body of a status fault given none) and control (the /_fake/
endpoint) are methods it may override, and command_line and serve are
the command line (--host, --port) and serve-until-signal loop of each
fake's main.
"""

import argparse
import base64
import binascii
import hashlib
import json
import re
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

API_VERSIONS = ("2022-11-28", "2026-03-10")
RATE_LIMIT = 5000
UNAUTH_LIMIT = 60
DOCS = "https://docs.github.com/rest"
UA_BODY = ("Request forbidden by administrative rules. Please make sure "
           "your request has a User-Agent header "
           "(https://docs.github.com/en/rest/overview/"
           "resources-in-the-rest-api#user-agent-required). Check "
           "https://developer.github.com for other possible causes.\n")
PIN_LIMIT_MESSAGE = ("You have reached the maximum number of pinned issues "
                     "for this repository")
MAX_PINS = 3
STATE_REASONS = ("completed", "not_planned", "duplicate", "reopened")

# Bodies GitHub sends with the statuses a fault may ask for.
DEFAULT_BODIES = {
    401: {"message": "Bad credentials", "documentation_url": DOCS},
    403: {"message": "API rate limit exceeded for user ID 1.",
          "documentation_url": DOCS +
          "/overview/rate-limits-for-the-rest-api"},
    404: {"message": "Not Found", "documentation_url": DOCS},
    409: {"message": "Conflict", "documentation_url": DOCS},
    410: {"message": "Issues are disabled for this repo",
          "documentation_url": DOCS + "/issues/issues"},
    422: {"message": "Validation Failed", "documentation_url": DOCS},
    429: {"message": "You have exceeded a secondary rate limit. Please wait "
                     "a few minutes before you try again.",
          "documentation_url": "https://docs.github.com/rest/overview/"
                               "rate-limits-for-the-rest-api"
                               "#about-secondary-rate-limits"},
    500: {"message": "Server Error"},
    502: {"message": "Server Error"},
    503: {"message": "Service Unavailable"},
}


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def error_body(status, message=None, doc=DOCS, errors=None):
    body = {"message": message or DEFAULT_BODIES.get(status, {}).get(
        "message", "Error"), "documentation_url": doc}
    if errors is not None:
        body["errors"] = errors
    body["status"] = str(status)
    return body


class Reply:
    """What a route answers: status, JSON (or text) body, extra headers."""

    def __init__(self, status, body=None, headers=None, text=None):
        self.status = status
        self.body = body
        self.text = text
        self.headers = dict(headers or {})


class Fault:
    def __init__(self, count, action, status=500, headers=None, body=None,
                 method=None, path=None, delay=None):
        if action not in ("status", "hang", "hang_after", "delay", "reset",
                          "reset_after", "stale"):
            raise ValueError("unknown fault action %r" % action)
        self.count = int(count)
        self.action = action
        self.status = int(status)
        self.headers = dict(headers or {})
        self.body = body
        self.method = method.upper() if method else None
        self.path = re.compile(path) if path else None
        self.delay = delay

    def matches(self, method, path):
        if self.count <= 0:
            return False
        if self.method is not None and self.method != method:
            return False
        return self.path is None or self.path.search(path) is not None


class Repo:
    def __init__(self, name):
        self.name = name
        self.issues = []          # dicts, number order (PRs too)
        self.comments = {}        # number -> [comment]
        self.labels = {}          # lower name -> label object
        self.pins = []            # node ids, in pin order
        self.disabled = False
        self.branches = {"main": {}}   # branch -> {path: bytes}
        self.commits = []         # dicts: sha, message, branch, path, ...


class FakeGitHub:
    """The fake server; every public method is safe from any thread."""

    def __init__(self, token="fake-token", host="127.0.0.1", port=0,
                 enterprise=False, html_base="https://github.example"):
        self.token = token
        self.host = host
        self.port = port
        self.rest_prefix = "/api/v3" if enterprise else ""
        self.graphql_path = "/api/graphql" if enterprise else "/graphql"
        self.html_base = html_base
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.repos = {}
        self.missing = set()
        self.faults = []
        self.log = []
        self.next_id = 1000
        self.rate_remaining = {"core": RATE_LIMIT, "graphql": RATE_LIMIT}
        self.rate_reset = int(time.time()) + 3600
        self.server = None
        self.thread = None
        self.conns = set()        # open client connections
        self.write_spacing = 0.0
        self.last_write = None    # monotonic time of the last write

    # ------------------------------------------------------------ lifecycle

    def start(self, handler=None):
        """Listen (again, after stop: on the same port, with the same
        state) and serve from a thread; handler is the request handler
        class (FakeHandler or a subclass of it; FakeHandler if None)."""
        fake = self
        self.stopping.clear()

        class Handler(handler or FakeHandler):
            gh = fake

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self):
        """Stop listening and close every open connection (a kept-alive
        one too), so that a stopped fake answers nothing."""
        self.stopping.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        with self.lock:
            conns, self.conns = list(self.conns), set()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @property
    def base(self):
        return "http://%s:%d" % (self.host, self.port)

    @property
    def api_url(self):
        """The REST base a client is configured with."""
        return self.base + self.rest_prefix

    @property
    def graphql_url(self):
        return self.base + self.graphql_path

    # ------------------------------------------------------------ knobs

    def error_body(self, status):
        """The body this service answers a status fault with when the
        fault gives none: GitHub's."""
        return error_body(status)

    def control(self, route, raw):
        """The Reply of a request to the /_fake/ control endpoint."""
        return control(self, route, raw)

    def add_fault(self, count, action, **kw):
        with self.lock:
            self.faults.append(Fault(count, action, **kw))

    def fail(self, count, status, headers=None, body=None, method=None,
             path=None):
        """The next `count` matching requests get `status` (with GitHub's
        body for it unless `body` is given); nothing changes."""
        self.add_fault(count, "status", status=status, headers=headers,
                       body=body, method=method, path=path)

    def rate_limited(self, count, status=403, retry_after=None, method=None,
                     path=None, reset_in=60):
        """Answer like GitHub's primary (403/429, remaining 0) or, with
        retry_after, secondary rate limit."""
        headers = {"x-ratelimit-remaining": "0",
                   "x-ratelimit-reset": str(int(time.time()) + reset_in)}
        body = None
        if retry_after is not None:
            headers = {"retry-after": str(retry_after)}
            body = DEFAULT_BODIES[429]
        self.add_fault(count, "status", status=status, headers=headers,
                       body=body, method=method, path=path)

    def hang(self, count=1, method=None, path=None, after=False):
        self.add_fault(count, "hang_after" if after else "hang",
                       method=method, path=path)

    def delay(self, count, seconds, method=None, path=None):
        self.add_fault(count, "delay", delay=seconds, method=method,
                       path=path)

    def reset(self, count=1, method=None, path=None, after=False):
        self.add_fault(count, "reset_after" if after else "reset",
                       method=method, path=path)

    def stale(self, count=1, path=None):
        """The next `count` matching PUTs find the file changed by
        someone else's commit (made just before the PUT is handled)."""
        self.add_fault(count, "stale", method="PUT", path=path)

    def configure(self, token=None, rate_remaining=None, rate_reset=None,
                  disable_issues=None, missing_repos=None, write_spacing=None):
        """write_spacing: a write (POST, PATCH, PUT, DELETE) sooner than
        this many seconds after the last accepted one gets GitHub's
        secondary rate limit (403, retry-after 60); 0 turns it off."""
        with self.lock:
            if write_spacing is not None:
                self.write_spacing = float(write_spacing)
            if token is not None:
                self.token = token
            if rate_remaining is not None:
                self.rate_remaining["core"] = int(rate_remaining)
                self.rate_remaining["graphql"] = int(rate_remaining)
            if rate_reset is not None:
                self.rate_reset = int(rate_reset)
            for name in disable_issues or ():
                self._repo(name).disabled = True
            for name in missing_repos or ():
                self.missing.add(name.lower())

    def clear(self):
        with self.lock:
            self.faults = []
            self.log = []

    def add_issue(self, repo, title, body=None, labels=(), state="open",
                  pull_request=False):
        """Seed an issue (or a pull request) as if created earlier."""
        with self.lock:
            issue = self._create(self._repo(repo), title, body, list(labels),
                                 "seed")
            if pull_request:
                issue["pull_request"] = {"url": issue["url"].replace(
                    "/issues/", "/pulls/")}
                issue["node_id"] = "PR_" + issue["node_id"][2:]
            if state == "closed":
                self._close(issue, "completed")
            return dict(issue)

    def add_branch(self, repo, branch, base="main"):
        """A new branch of repo, with the files of base."""
        with self.lock:
            r = self._repo(repo)
            r.branches.setdefault(branch, dict(r.branches.get(base, {})))

    def put_file(self, repo, path, text, branch="main", message="seed"):
        """Commit a file as someone else would; returns its blob sha."""
        with self.lock:
            r = self._repo(repo)
            if branch not in r.branches:
                raise ValueError("no branch %r" % branch)
            data = text.encode() if isinstance(text, str) else text
            return self._commit(r, branch, path, data, message,
                                "someone")["sha"]

    # ------------------------------------------------------------ reading

    def requests(self, method=None, path=None):
        """Recorded requests (dicts: method, path, headers, body, json,
        status, fault), optionally filtered (path is a regex)."""
        with self.lock:
            out = [dict(r) for r in self.log]
        if method:
            out = [r for r in out if r["method"] == method.upper()]
        if path:
            out = [r for r in out if re.search(path, r["path"])]
        return out

    def issues(self, repo):
        """Issues of repo (no pull requests), number order, as dicts."""
        with self.lock:
            r = self.repos.get(repo.lower())
            if r is None:
                return []
            return [public(i) for i in r.issues
                    if "pull_request" not in i]

    def comments(self, repo, number):
        with self.lock:
            r = self.repos.get(repo.lower())
            return [dict(c) for c in (r.comments.get(number, [])
                                      if r else [])]

    def files(self, repo, branch="main"):
        """{path: text} of the repo's files on branch."""
        with self.lock:
            r = self.repos.get(repo.lower())
            files = r.branches.get(branch, {}) if r else {}
            return {k: v.decode("utf-8", "replace")
                    for k, v in sorted(files.items())}

    def commits(self, repo):
        """Every commit of the contents API, oldest first (dicts: sha,
        message, branch, path, blob, author)."""
        with self.lock:
            r = self.repos.get(repo.lower())
            return [dict(c) for c in (r.commits if r else [])]

    def pinned(self, repo):
        """Numbers of the pinned issues, in pin order."""
        with self.lock:
            r = self.repos.get(repo.lower())
            if r is None:
                return []
            by_node = {i["node_id"]: i["number"] for i in r.issues}
            return [by_node[n] for n in r.pins]

    def state(self):
        with self.lock:
            out = {}
            for key, r in self.repos.items():
                by_node = {i["node_id"]: i["number"] for i in r.issues}
                out[r.name] = {
                    "issues": [public(i) for i in r.issues],
                    "comments": {str(k): v for k, v in r.comments.items()},
                    "pins": [by_node[n] for n in r.pins],
                    "issues_disabled": r.disabled,
                    "files": {b: {k: v.decode("utf-8", "replace")
                                  for k, v in f.items()}
                              for b, f in r.branches.items()},
                    "commits": [dict(c) for c in r.commits],
                }
            return out

    # ------------------------------------------------------------ state

    def _repo(self, name):
        key = name.lower()
        if key not in self.repos:
            self.repos[key] = Repo(name)
        return self.repos[key]

    def _id(self):
        self.next_id += 1
        return self.next_id

    def _label(self, repo, name):
        key = name.lower()
        if key not in repo.labels:
            lid = self._id()
            repo.labels[key] = {
                "id": lid, "node_id": "LA_" + _b64("label:%d" % lid),
                "url": "%s/repos/%s/labels/%s" % (self.api_url, repo.name,
                                                  name),
                "name": name, "color": "ededed", "default": False,
                "description": None}
        return repo.labels[key]

    def _create(self, repo, title, body, labels, who):
        number = len(repo.issues) + 1
        iid = self._id()
        stamp = now_iso()
        issue = {
            "id": iid,
            "node_id": "I_kwDO" + _b64("%s#%d" % (repo.name, number)),
            "number": number, "title": title, "body": body,
            "state": "open", "state_reason": None, "locked": False,
            "comments": 0,
            "labels": [dict(self._label(repo, n)) for n in labels],
            "assignees": [],
            "user": {"login": who, "id": 1, "type": "User"},
            "url": "%s/repos/%s/issues/%d" % (self.api_url, repo.name,
                                              number),
            "html_url": "%s/%s/issues/%d" % (self.html_base, repo.name,
                                             number),
            "created_at": stamp, "updated_at": stamp, "closed_at": None,
            "_seq": iid,
        }
        repo.issues.append(issue)
        return issue

    def _commit(self, repo, branch, path, data, message, who):
        """Write one file on branch as a commit (lock held)."""
        repo.branches[branch][path] = data
        commit = {"sha": hashlib.sha1(("%s:%d" % (repo.name, self._id()))
                                      .encode()).hexdigest(),
                  "message": message, "branch": branch, "path": path,
                  "blob": blob_sha(data), "author": who}
        repo.commits.append(commit)
        return {"sha": commit["blob"], "commit": commit}

    def _close(self, issue, reason):
        issue["state"] = "closed"
        issue["state_reason"] = reason or "completed"
        issue["closed_at"] = issue["updated_at"] = now_iso()

    def _find_node(self, node_id):
        for r in self.repos.values():
            for i in r.issues:
                if i["node_id"] == node_id and "pull_request" not in i:
                    return r, i
        return None, None

    def _take_fault(self, method, path):
        with self.lock:
            for f in self.faults:
                if f.matches(method, path):
                    f.count -= 1
                    return f
        return None


def _b64(s):
    return base64.b64encode(s.encode()).decode().rstrip("=")


def blob_sha(data):
    """The git blob sha of a file's bytes, as GitHub reports it."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def wrap64(data):
    """Base64 wrapped with a newline every 60 characters, as GitHub
    sends a file's content."""
    b = base64.b64encode(data).decode()
    return "".join(b[i:i + 60] + "\n" for i in range(0, len(b), 60))


def public(issue):
    return {k: v for k, v in issue.items() if not k.startswith("_")}


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    gh = None      # set by FakeGitHub.start
    # one write per answer, sent at once: head and body in separate
    # segments would meet the client's delayed ACK (40 ms a request)
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def version_string(self):
        return "GitHub.com"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        with self.gh.lock:
            self.gh.conns.add(self.connection)

    def finish(self):
        with self.gh.lock:
            self.gh.conns.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    # each method goes through one dispatcher
    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    # ------------------------------------------------------------ plumbing

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, reply, resource="core", limit=RATE_LIMIT):
        gh = self.gh
        if reply.text is not None:
            data = reply.text.encode()
            ctype = "text/plain; charset=utf-8"
        else:
            data = b"" if reply.body is None else json.dumps(
                reply.body, indent=2).encode()
            ctype = "application/json; charset=utf-8"
        headers = {"Content-Type": ctype, "Content-Length": str(len(data)),
                   "X-GitHub-Media-Type": "github.v3; format=json",
                   "X-GitHub-Request-Id": "FAKE:%d" % id(self)}
        if resource is not None:
            with gh.lock:
                # the unauthenticated quota is counted on its own
                key = resource if limit == RATE_LIMIT else resource + "-unauth"
                remaining = gh.rate_remaining.get(key, limit)
                reset = gh.rate_reset
            headers.update({
                "x-ratelimit-limit": str(limit),
                "x-ratelimit-remaining": str(max(remaining, 0)),
                "x-ratelimit-reset": str(reset),
                "x-ratelimit-used": str(limit - max(remaining, 0)),
                "x-ratelimit-resource": resource})
        return self.write_reply(reply, headers, data)

    def write_reply(self, reply, headers, data):
        """Send reply's status, headers (reply.headers over them) and
        data; returns the status."""
        self.send_response(reply.status)
        headers = dict(headers)
        headers.update(reply.headers)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        return reply.status

    def rst(self):
        """Close the connection with an RST instead of an answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    def dispatch(self):
        gh = self.gh
        body = self.read_body()
        path = self.path
        if urlsplit(path).path.startswith("/_fake/"):
            return self.send(gh.control(urlsplit(path).path, body),
                             resource=None)
        self.stale = False        # per request; a connection is kept
        record = {"method": self.command, "path": path,
                  "headers": {k.lower(): v for k, v in self.headers.items()},
                  "body": body.decode("utf-8", "replace"), "json": None,
                  "status": None, "fault": None, "time": time.time()}
        try:
            record["json"] = json.loads(body) if body else None
        except ValueError:
            pass
        with gh.lock:
            gh.log.append(record)
        fault = gh._take_fault(self.command, path)
        if fault is not None:
            record["fault"] = fault.action
            if fault.action == "status":
                # recorded before the answer leaves: a test may read the
                # record as soon as its client has the answer
                record["status"] = fault.status
                self.send(Reply(fault.status, fault.body
                                if fault.body is not None
                                else gh.error_body(fault.status),
                                fault.headers))
                return None
            if fault.action == "hang":
                gh.stopping.wait()
                return self.rst()
            if fault.action == "reset":
                return self.rst()
            if fault.action == "delay":
                gh.stopping.wait(fault.delay or 0)
            if fault.action == "stale":
                self.stale = True
        reply, resource, limit = self.api(path, body)
        if fault is not None and fault.action == "hang_after":
            gh.stopping.wait()
            return self.rst()
        if fault is not None and fault.action == "reset_after":
            return self.rst()
        record["status"] = reply.status
        self.send(reply, resource, limit)
        return None

    # ------------------------------------------------------------ checks

    def api(self, path, body):
        """(Reply, rate-limit resource, limit) for an API request."""
        gh = self.gh
        route = urlsplit(path).path
        graphql = route == gh.graphql_path
        resource = "graphql" if graphql else "core"
        if not self.headers.get("User-Agent"):
            return Reply(403, text=UA_BODY), resource, RATE_LIMIT
        auth = self.headers.get("Authorization") or ""
        m = re.match(r"(?i)(bearer|token)\s+(\S+)$", auth)
        if m is None or m.group(2) != gh.token:
            msg = "Bad credentials" if auth else "Requires authentication"
            if graphql and not auth:
                msg = "This endpoint requires you to be authenticated."
            with gh.lock:
                key = resource + "-unauth"
                gh.rate_remaining[key] = max(gh.rate_remaining.get(
                    key, UNAUTH_LIMIT) - 1, 0)
            return (Reply(401, error_body(401, msg)), resource,
                    UNAUTH_LIMIT)
        version = self.headers.get("X-GitHub-Api-Version")
        if version is not None and version not in API_VERSIONS:
            return (Reply(400, error_body(
                400, "Invalid API version '%s'" % version)), resource,
                RATE_LIMIT)
        with gh.lock:
            if gh.rate_remaining[resource] <= 0:
                return (Reply(403, error_body(
                    403, DEFAULT_BODIES[403]["message"],
                    DEFAULT_BODIES[403]["documentation_url"])),
                    resource, RATE_LIMIT)
            gh.rate_remaining[resource] -= 1
            if self.command in ("POST", "PATCH", "PUT", "DELETE"):
                now = time.monotonic()
                if (gh.write_spacing > 0 and gh.last_write is not None and
                        now - gh.last_write < gh.write_spacing):
                    return (Reply(403, error_body(
                        403, DEFAULT_BODIES[429]["message"],
                        DEFAULT_BODIES[429]["documentation_url"]),
                        {"retry-after": "60"}), resource, RATE_LIMIT)
                gh.last_write = now
        if graphql and self.command == "POST":
            return self.graphql(body), resource, RATE_LIMIT
        if not route.startswith(gh.rest_prefix + "/"):
            return Reply(404, error_body(404)), resource, RATE_LIMIT
        return (self.rest(route[len(gh.rest_prefix):], path, body),
                resource, RATE_LIMIT)

    # ------------------------------------------------------------ REST

    def rest(self, route, full, raw):
        gh = self.gh
        c = re.match(r"/repos/([^/]+)/([^/]+)/contents(/.*)?$", route)
        if c is not None:
            return self.contents("%s/%s" % (c.group(1), c.group(2)),
                                 unquote((c.group(3) or "/")[1:]).strip("/"),
                                 full, raw)
        m = re.match(r"/repos/([^/]+)/([^/]+)/issues(?:/(\d+))?"
                     r"(?:/(comments|labels))?/?$", route)
        if m is None:
            return Reply(404, error_body(404))
        name = "%s/%s" % (m.group(1), m.group(2))
        number = int(m.group(3)) if m.group(3) else None
        sub = m.group(4)
        data = None
        if raw:
            try:
                data = json.loads(raw)
            except ValueError:
                return Reply(400, error_body(400, "Problems parsing JSON"))
        with gh.lock:
            if name.lower() in gh.missing:
                return Reply(404, error_body(404))
            repo = gh._repo(name)
            if repo.disabled:
                return Reply(410, error_body(
                    410, DEFAULT_BODIES[410]["message"],
                    DEFAULT_BODIES[410]["documentation_url"]))
            key = (self.command, number is not None, sub)
            handler = {
                ("POST", False, None): self.create_issue,
                ("GET", False, None): self.list_issues,
                ("GET", True, None): self.get_issue,
                ("PATCH", True, None): self.update_issue,
                ("POST", True, "comments"): self.add_comment,
                ("GET", True, "comments"): self.list_comments,
                ("POST", True, "labels"): self.add_labels,
            }.get(key)
            if handler is None:
                return Reply(404, error_body(404))
            return handler(repo, number, data, full)

    # ------------------------------------------------------------ contents

    def contents(self, name, path, full, raw):
        gh = self.gh
        with gh.lock:
            if name.lower() in gh.missing:
                return Reply(404, error_body(404))
            repo = gh._repo(name)
            if self.command == "GET":
                ref = parse_qs(urlsplit(full).query).get("ref", ["main"])[0]
                return self.get_contents(repo, path, ref)
            if self.command == "PUT":
                return self.put_contents(repo, path, raw)
        return Reply(404, error_body(404))

    def file_json(self, repo, branch, path, data=None):
        url = "%s/repos/%s/contents/%s" % (self.gh.api_url, repo.name,
                                           quote(path))
        out = {"type": "file", "name": path.rsplit("/", 1)[-1],
               "path": path, "url": url + "?ref=" + branch,
               "html_url": "%s/%s/blob/%s/%s" % (self.gh.html_base,
                                                 repo.name, branch, path)}
        if data is not None:
            out.update({"sha": blob_sha(data), "size": len(data)})
        return out

    def get_contents(self, repo, path, ref):
        doc = DOCS + "/repos/contents#get-repository-content"
        files = repo.branches.get(ref)
        if files is None:
            return Reply(404, error_body(
                404, "No commit found for the ref %s" % ref, doc))
        if path in files:
            out = self.file_json(repo, ref, path, files[path])
            out.update({"encoding": "base64",
                        "content": wrap64(files[path])})
            return Reply(200, out)
        below = sorted(p for p in files if path == "" or
                       p.startswith(path + "/"))
        if not below:
            return Reply(404, error_body(404, "Not Found", doc))
        seen, listing = set(), []
        for p in below:
            rest = p[len(path) + 1:] if path else p
            head = rest.split("/", 1)[0]
            if head in seen:
                continue
            seen.add(head)
            sub = (path + "/" + head) if path else head
            item = self.file_json(repo, ref, sub, files.get(sub))
            if "/" in rest:
                item["type"] = "dir"
            listing.append(item)
        return Reply(200, listing)

    def put_contents(self, repo, path, raw):
        doc = DOCS + "/repos/contents#create-or-update-file-contents"
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            return Reply(400, error_body(400, "Problems parsing JSON"))
        if not isinstance(data, dict):
            return Reply(400, error_body(400, "Problems parsing JSON"))
        for key in ("message", "content"):
            if not isinstance(data.get(key), str):
                return Reply(422, error_body(
                    422, "Invalid request.\n\n\"%s\" wasn't supplied."
                    % key, doc))
        try:
            content = base64.b64decode(data["content"], validate=True)
        except (binascii.Error, ValueError):
            return Reply(422, error_body(
                422, "content is not valid Base64", doc))
        branch = data.get("branch") or "main"
        files = repo.branches.get(branch)
        if files is None:
            # the wording is GitHub's as far as known (unverified)
            return Reply(404, error_body(
                404, "Branch %s not found" % branch, doc))
        if self.stale and path != "":
            old = files.get(path, b"")
            self.gh._commit(repo, branch, path, old + b"\n(edited)\n",
                            "someone else's edit", "someone")
        sha = data.get("sha")
        if path in files:
            have = blob_sha(files[path])
            if sha is None:
                return Reply(422, error_body(
                    422, "Invalid request.\n\n\"sha\" wasn't supplied.",
                    doc))
            if sha != have:
                return Reply(409, error_body(
                    409, "%s does not match %s" % (path, sha), doc))
        elif sha is not None:
            # a sha for a file that is not there (unverified wording)
            return Reply(409, error_body(
                409, "%s does not match %s" % (path, sha), doc))
        existed = path in files
        done = self.gh._commit(repo, branch, path, content, data["message"],
                               "outagebot")
        out = {"content": self.file_json(repo, branch, path, content),
               "commit": {"sha": done["commit"]["sha"],
                          "message": data["message"],
                          "html_url": "%s/%s/commit/%s" % (
                              self.gh.html_base, repo.name,
                              done["commit"]["sha"])}}
        return Reply(200 if existed else 201, out)

    def issue_or_error(self, repo, number):
        for i in repo.issues:
            if i["number"] == number:
                if i.get("_deleted"):
                    return None, Reply(410, error_body(
                        410, "This issue was deleted"))
                return i, None
        return None, Reply(404, error_body(404))

    def create_issue(self, repo, number, data, full):
        doc = DOCS + "/issues/issues#create-an-issue"
        if not isinstance(data, dict):
            return Reply(400, error_body(400, "Problems parsing JSON"))
        title = data.get("title")
        if title is None or title == "":
            return Reply(422, error_body(422, "Validation Failed", doc, [
                {"resource": "Issue", "code": "missing_field",
                 "field": "title"}]))
        labels = data.get("labels", [])
        if (not isinstance(title, (str, int)) or
                not isinstance(data.get("body", ""), (str, type(None))) or
                not isinstance(labels, list) or
                not all(isinstance(x, str) for x in labels)):
            return Reply(422, error_body(422, "Validation Failed", doc, [
                {"resource": "Issue", "code": "invalid",
                 "field": "labels" if not isinstance(labels, list)
                 else "title"}]))
        issue = self.gh._create(repo, str(title), data.get("body"), labels,
                                "outagebot")
        return Reply(201, public(issue), {"Location": issue["url"]})

    def get_issue(self, repo, number, data, full):
        issue, err = self.issue_or_error(repo, number)
        return err or Reply(200, public(issue))

    def update_issue(self, repo, number, data, full):
        doc = DOCS + "/issues/issues#update-an-issue"
        issue, err = self.issue_or_error(repo, number)
        if err:
            return err
        if not isinstance(data, dict):
            return Reply(400, error_body(400, "Problems parsing JSON"))
        state = data.get("state")
        reason = data.get("state_reason")
        if state is not None and state not in ("open", "closed"):
            return Reply(422, error_body(422, "Validation Failed", doc, [
                {"resource": "Issue", "code": "invalid", "field": "state"}]))
        if reason is not None and reason not in STATE_REASONS:
            return Reply(422, error_body(422, "Validation Failed", doc, [
                {"resource": "Issue", "code": "invalid",
                 "field": "state_reason"}]))
        for k in ("title", "body"):
            if k in data:
                issue[k] = data[k]
        if isinstance(data.get("labels"), list):
            issue["labels"] = [dict(self.gh._label(repo, n))
                               for n in data["labels"]]
        # state_reason is ignored unless the state changes
        if state == "closed" and issue["state"] != "closed":
            self.gh._close(issue, reason)
        elif state == "open" and issue["state"] != "open":
            issue["state"] = "open"
            issue["state_reason"] = "reopened"
            issue["closed_at"] = None
        issue["updated_at"] = now_iso()
        return Reply(200, public(issue))

    def list_issues(self, repo, number, data, full):
        q = parse_qs(urlsplit(full).query)

        def arg(k, default):
            return q.get(k, [default])[0]
        state = arg("state", "open")
        want = [x.strip().lower() for x in arg("labels", "").split(",")
                if x.strip()]
        sort = arg("sort", "created")
        direction = arg("direction", "desc")
        try:
            per_page = min(max(int(arg("per_page", "30")), 1), 100)
            page = max(int(arg("page", "1")), 1)
        except ValueError:
            return Reply(422, error_body(422, "Validation Failed"))
        items = [i for i in repo.issues if not i.get("_deleted")]
        if state in ("open", "closed"):
            items = [i for i in items if i["state"] == state]
        items = [i for i in items
                 if all(w in [l["name"].lower() for l in i["labels"]]
                        for w in want)]
        keyf = {"updated": lambda i: (i["updated_at"], i["_seq"]),
                "comments": lambda i: (i["comments"], i["_seq"])}.get(
                    sort, lambda i: (i["created_at"], i["_seq"]))
        items.sort(key=keyf, reverse=(direction != "asc"))
        pages = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page:page * per_page]
        return Reply(200, [public(i) for i in chunk],
                     self.link_header(full, q, page, pages))

    def link_header(self, full, q, page, pages):
        if pages <= 1:
            return {}
        host = self.headers.get("Host") or "%s:%d" % (self.gh.host,
                                                      self.gh.port)
        route = urlsplit(full).path

        def url(p):
            qq = {k: v[0] for k, v in q.items()}
            qq["page"] = str(p)
            return "<http://%s%s?%s>" % (host, route, urlencode(qq))
        links = []
        if page > 1:
            links.append('%s; rel="prev"' % url(page - 1))
        if page < pages:
            links.append('%s; rel="next"' % url(page + 1))
        links.append('%s; rel="last"' % url(pages))
        if page > 1:
            links.append('%s; rel="first"' % url(1))
        return {"Link": ", ".join(links)}

    def add_comment(self, repo, number, data, full):
        doc = DOCS + "/issues/comments#create-an-issue-comment"
        issue, err = self.issue_or_error(repo, number)
        if err:
            return err
        if not isinstance(data, dict):
            return Reply(400, error_body(400, "Problems parsing JSON"))
        body = data.get("body")
        if not isinstance(body, str) or body == "":
            return Reply(422, error_body(422, "Validation Failed", doc, [
                {"resource": "IssueComment", "code": "missing_field",
                 "field": "body"}]))
        cid = self.gh._id()
        stamp = now_iso()
        comment = {
            "id": cid, "node_id": "IC_" + _b64("comment:%d" % cid),
            "url": "%s/repos/%s/issues/comments/%d" % (
                self.gh.api_url, repo.name, cid),
            "html_url": "%s#issuecomment-%d" % (issue["html_url"], cid),
            "body": body, "user": {"login": "outagebot", "id": 1,
                                   "type": "User"},
            "created_at": stamp, "updated_at": stamp,
            "issue_url": issue["url"]}
        repo.comments.setdefault(number, []).append(comment)
        issue["comments"] += 1
        issue["updated_at"] = stamp
        return Reply(201, comment, {"Location": comment["url"]})

    def list_comments(self, repo, number, data, full):
        issue, err = self.issue_or_error(repo, number)
        return err or self.comments_page(repo.comments.get(number, []),
                                         full)

    def comments_page(self, items, full):
        """One page of an issue's comments, oldest first, with GitHub's
        per_page (default 30, at most 100), page and Link header."""
        q = parse_qs(urlsplit(full).query)
        try:
            per_page = min(max(int(q.get("per_page", ["30"])[0]), 1), 100)
            page = max(int(q.get("page", ["1"])[0]), 1)
        except ValueError:
            return Reply(422, error_body(422, "Validation Failed"))
        pages = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page:page * per_page]
        return Reply(200, [dict(c) for c in chunk],
                     self.link_header(full, q, page, pages))

    def add_labels(self, repo, number, data, full):
        issue, err = self.issue_or_error(repo, number)
        if err:
            return err
        names = data.get("labels") if isinstance(data, dict) else data
        if not isinstance(names, list) or not all(
                isinstance(x, str) for x in names):
            return Reply(422, error_body(422, "Validation Failed"))
        have = [l["name"].lower() for l in issue["labels"]]
        for n in names:
            if n.lower() not in have:
                issue["labels"].append(dict(self.gh._label(repo, n)))
                have.append(n.lower())
        return Reply(200, list(issue["labels"]))

    # ------------------------------------------------------------ GraphQL

    def graphql(self, raw):
        try:
            req = json.loads(raw)
        except ValueError:
            return Reply(200, {"errors": [
                {"message": "Problems parsing JSON"}]})
        if not isinstance(req, dict) or not isinstance(req.get("query"),
                                                        str):
            return Reply(200, {"errors": [{"message": "A query attribute "
                                           "must be specified and must "
                                           "be a string."}]})
        query = req["query"]
        variables = req.get("variables") or {}
        m = re.search(r"\b(pinIssue|unpinIssue)\s*\(\s*input\s*:\s*\{\s*"
                      r"issueId\s*:\s*(\$(\w+)|\"([^\"]*)\")\s*\}", query)
        if m is None:
            field = re.search(r"\{\s*(\w+)", query)
            name = field.group(1) if field else "?"
            return Reply(200, {"errors": [{
                "path": ["mutation", name],
                "extensions": {"code": "undefinedField",
                               "typeName": "Mutation", "fieldName": name},
                "locations": [{"line": 1, "column": 1}],
                "message": "Field '%s' doesn't exist on type 'Mutation'"
                           % name}]})
        op = m.group(1)
        node = variables.get(m.group(3)) if m.group(3) else m.group(4)
        column = m.start(1) + 1
        with self.gh.lock:
            repo, issue = self.gh._find_node(node) if isinstance(
                node, str) else (None, None)
            if issue is None:
                return Reply(200, gql_error(op, "NOT_FOUND", column,
                                            "Could not resolve to a node "
                                            "with the global id of '%s'"
                                            % node))
            if op == "pinIssue" and node not in repo.pins:
                if len(repo.pins) >= MAX_PINS:
                    return Reply(200, gql_error(op, "UNPROCESSABLE", column,
                                                PIN_LIMIT_MESSAGE))
                repo.pins.append(node)
            elif op == "unpinIssue" and node in repo.pins:
                repo.pins.remove(node)
            return Reply(200, {"data": {op: {"issue": {
                "id": node, "number": issue["number"],
                "isPinned": node in repo.pins}}}})


def gql_error(op, kind, column, message):
    return {"data": {op: None}, "errors": [{
        "type": kind, "path": [op],
        "locations": [{"line": 1, "column": column}],
        "message": message}]}


def control(gh, route, raw):
    """Answer a request to the /_fake/ control endpoint."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return Reply(400, {"message": "bad JSON"})
    try:
        if route == "/_fake/state":
            return Reply(200, gh.state())
        if route == "/_fake/requests":
            return Reply(200, gh.requests())
        if route == "/_fake/clear":
            gh.clear()
            return Reply(200, {})
        if route == "/_fake/fault":
            data = dict(data)
            gh.add_fault(data.pop("count", 1), data.pop("action", "status"),
                         **data)
            return Reply(200, {})
        if route == "/_fake/config":
            gh.configure(**data)
            return Reply(200, {})
        if route == "/_fake/issue":
            return Reply(201, public(gh.add_issue(**data)))
        if route == "/_fake/file":
            return Reply(201, {"sha": gh.put_file(**data)})
        if route == "/_fake/branch":
            gh.add_branch(**data)
            return Reply(201, {})
    except (TypeError, ValueError, re.error) as e:
        return Reply(400, {"message": str(e)})
    return Reply(404, {"message": "no such control"})


def command_line(description):
    """An argument parser with the --host and --port every fake takes."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    return ap


def serve(fake, line, news=None, show=str):
    """Print line, then serve the started fake until SIGTERM or SIGINT,
    every half second printing show(item) for each item new in news() (a
    list that only grows); stop the fake and return 0, the exit status."""
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    print(line, flush=True)
    seen = 0
    while not done.wait(0.5):
        for item in (news() if news is not None else [])[seen:]:
            print(show(item), flush=True)
            seen += 1
    fake.stop()
    return 0


def main():
    ap = command_line("a fake GitHub API")
    ap.add_argument("--token", default="fake-token")
    ap.add_argument("--enterprise", action="store_true",
                    help="serve under /api/v3 and /api/graphql")
    args = ap.parse_args()
    gh = FakeGitHub(token=args.token, host=args.host, port=args.port,
                    enterprise=args.enterprise).start()
    return serve(gh, "fake GitHub on %s (GraphQL %s)" % (gh.api_url,
                                                         gh.graphql_url))


if __name__ == "__main__":
    sys.exit(main())
