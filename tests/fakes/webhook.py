#!/usr/bin/env python3
"""A webhook receiver for outagebot's tests (a team's own dashboard), and
the small HTTP fake it is built on. Python 3 standard library only.

The receiver takes POST <path> (default /hook) with a JSON body. With a
secret it checks X-Outagebot-Signature-256: "sha256=" and the hex
HMAC-SHA256 of the exact body bytes under the secret; a missing or wrong
signature gets 401 and the event is not kept. A good event is kept and
answered 200 {"ok": true}. A body that is not a JSON object gets 400.

    wh = FakeWebhook(secret="s3cret").start()
    wh.url                        # what the bot is configured with
    wh.fail(1, 500)               # the next POST gets a 500
    wh.hang(1)                    # accept, never answer (until stop)
    wh.delay(1, 2.5)              # answer 2.5 s late
    wh.reset(1)                   # close the connection with an RST
    wh.events()                   # the events kept, oldest first
    wh.requests()                 # every request: method, path, headers,
                                  # body, json, status, fault, time
    wh.stop()

Alone: python3 tests/fakes/webhook.py --port P [--secret S] prints each
event as it comes.

FakeHTTP, the base, is the fake GitHub of tests/fakes/github.py with
another handler: its server, request records, fault knobs ("status",
"hang", "hang_after", "delay", "reset", "reset_after") and /_fake/
control endpoints, answering through the subclass's answer(method, path,
headers, body) -> Reply as plain JSON (no GitHub headers), with the
subclass's error_body(status) for a status fault given no body, its
server_name in the Server header and its reply_headers on every answer.
tests/fakes/telegram.py and tests/fakes/cachet.py build on it too.
"""

import hashlib
import hmac
import importlib.util
import json
import os
import sys
from urllib.parse import urlsplit

SIG_HEADER = "X-Outagebot-Signature-256"


def _load_github_fake():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "github.py")
    spec = importlib.util.spec_from_file_location("fake_github_base", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_gh = _load_github_fake()
Reply = _gh.Reply
command_line = _gh.command_line
serve = _gh.serve


def signature(secret, body):
    """The header value the bot sends for body (bytes) under secret."""
    return "sha256=" + hmac.new(secret.encode(), body,
                                hashlib.sha256).hexdigest()


class ServiceHandler(_gh.FakeHandler):
    """The fake GitHub's request plumbing (records, faults, /_fake/),
    answering through the service's answer() in plain JSON."""

    def version_string(self):
        return self.gh.server_name

    def send(self, reply, resource=None, limit=None):
        """Send reply as JSON (nothing for a 204) with the service's own
        headers; no rate-limit or other GitHub headers."""
        data = b""
        if reply.body is not None and reply.status != 204:
            data = json.dumps(reply.body).encode()
        headers = {"Content-Type": "application/json",
                   "Content-Length": str(len(data))}
        headers.update(self.gh.reply_headers)
        return self.write_reply(reply, headers, data)

    def api(self, path, body):
        # No rate-limit resource: no GitHub rate-limit headers.
        return (self.gh.answer(self.command, path, self.headers, body),
                None, _gh.RATE_LIMIT)


class FakeHTTP(_gh.FakeGitHub):
    """A fake HTTP service on the fake GitHub's server, records and fault
    knobs; a subclass says what it answers (answer) and its error body
    (error_body)."""

    server_name = "fake"
    reply_headers = {}       # sent with every answer

    def start(self, handler=None):
        """Listen (again, after stop: same port, same state) and serve
        from a thread, answering through answer()."""
        return super().start(handler or ServiceHandler)

    def error_body(self, status):
        """The body of a status fault that gives none."""
        return {"error": "status %d" % status}

    def answer(self, method, path, headers, body):
        return Reply(404, self.error_body(404))


class FakeWebhook(FakeHTTP):
    """A dashboard's webhook receiver that checks the signature."""

    server_name = "fake-webhook"

    def __init__(self, secret=None, path="/hook", **kw):
        super().__init__(**kw)
        self.secret = secret
        self.path = path
        self.kept = []

    @property
    def url(self):
        return self.base + self.path

    def events(self):
        """The events kept (signature good, JSON object), oldest first."""
        with self.lock:
            return [dict(e) for e in self.kept]

    def answer(self, method, path, headers, body):
        if urlsplit(path).path != self.path:
            return Reply(404, {"error": "no such hook"})
        if method != "POST":
            return Reply(405, {"error": "POST only"}, {"Allow": "POST"})
        if self.secret is not None:
            got = headers.get(SIG_HEADER)
            if got is None or not hmac.compare_digest(
                    got, signature(self.secret, body)):
                return Reply(401, {"error": "signature missing"
                                   if got is None else "bad signature"})
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip()
        try:
            event = json.loads(body)
        except ValueError:
            event = None
        if ctype != "application/json" or not isinstance(event, dict):
            return Reply(400, {"error": "a JSON object, please"})
        with self.lock:
            self.kept.append(event)
        return Reply(200, {"ok": True})


def main():
    ap = command_line("a webhook receiver")
    ap.add_argument("--secret")
    ap.add_argument("--path", default="/hook")
    args = ap.parse_args()
    wh = FakeWebhook(secret=args.secret, path=args.path, host=args.host,
                     port=args.port).start()
    return serve(wh, "webhook receiver on %s" % wh.url, wh.events,
                 json.dumps)


if __name__ == "__main__":
    sys.exit(main())
