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
                                  # body, json, status, fault, time,
                                  # signature ("ok", "bad", "missing")
    wh.stop()

Alone: python3 tests/fakes/webhook.py --port P [--secret S] prints each
event as it comes.

FakeHTTP, the base, serves from a thread, records every request, plays
faults (the Fault class of tests/fakes/github.py: "status", "hang",
"hang_after", "delay", "reset", "reset_after") and hands the rest to the
subclass's answer(method, path, headers, body) -> (status, JSON body,
extra headers). tests/fakes/telegram.py builds on it too.
"""

import argparse
import hashlib
import hmac
import importlib.util
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIG_HEADER = "X-Outagebot-Signature-256"


def _load_github_fake():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "github.py")
    spec = importlib.util.spec_from_file_location("fake_github_faults", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


Fault = _load_github_fake().Fault


def signature(secret, body):
    """The header value the bot sends for body (bytes) under secret."""
    return "sha256=" + hmac.new(secret.encode(), body,
                                hashlib.sha256).hexdigest()


class FakeHTTP:
    """A fake HTTP service; every public method is safe from any thread."""

    server_name = "fake"

    def __init__(self, host="127.0.0.1", port=0):
        self.host = host
        self.port = port
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.faults = []
        self.log = []
        self.server = None
        self.conns = set()

    def start(self):
        fake = self
        self.stopping.clear()

        class Handler(FakeHandler):
            owner = fake

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever,
                         kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        """Stop listening, end every hang and close every connection."""
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

    def add_fault(self, count, action, **kw):
        with self.lock:
            self.faults.append(Fault(count, action, **kw))

    def fail(self, count, status, body=None, headers=None, path=None):
        """The next count requests get status (and body, a JSON value;
        the subclass's error body for status when None)."""
        self.add_fault(count, "status", status=status, headers=headers,
                       body=body if body is not None
                       else self.error_body(status), path=path)

    def hang(self, count=1, path=None, after=False):
        self.add_fault(count, "hang_after" if after else "hang", path=path)

    def delay(self, count, seconds, path=None):
        self.add_fault(count, "delay", delay=seconds, path=path)

    def reset(self, count=1, path=None, after=False):
        self.add_fault(count, "reset_after" if after else "reset", path=path)

    def clear(self):
        with self.lock:
            self.faults = []
            self.log = []

    def requests(self, method=None):
        with self.lock:
            out = [dict(r) for r in self.log]
        return [r for r in out if method is None or r["method"] == method]

    def take_fault(self, method, path):
        with self.lock:
            for f in self.faults:
                if f.matches(method, path):
                    f.count -= 1
                    return f
        return None

    # subclasses

    def error_body(self, status):
        return {"error": "status %d" % status}

    def answer(self, method, path, headers, body, record):
        return 404, self.error_body(404), {}


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner = None
    wbufsize = 1 << 16            # head and body in one write
    disable_nagle_algorithm = True

    def version_string(self):
        return self.owner.server_name

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        with self.owner.lock:
            self.owner.conns.add(self.connection)

    def finish(self):
        with self.owner.lock:
            self.owner.conns.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def send(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def rst(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    def dispatch(self):
        fake = self.owner
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        record = {"method": self.command, "path": self.path,
                  "headers": {k.lower(): v for k, v in self.headers.items()},
                  "body": body.decode("utf-8", "replace"), "raw": body,
                  "json": None, "status": None, "fault": None,
                  "time": time.time(), "mono": time.monotonic()}
        try:
            record["json"] = json.loads(body) if body else None
        except ValueError:
            pass
        with fake.lock:
            fake.log.append(record)
        fault = fake.take_fault(self.command, self.path)
        if fault is not None:
            record["fault"] = fault.action
            if fault.action == "status":
                record["status"] = fault.status
                return self.send(fault.status, fault.body, fault.headers)
            if fault.action == "hang":
                fake.stopping.wait()
                return self.rst()
            if fault.action == "reset":
                return self.rst()
            if fault.action == "delay":
                fake.stopping.wait(fault.delay or 0)
        status, out, headers = fake.answer(self.command, self.path,
                                           self.headers, body, record)
        if fault is not None and fault.action == "hang_after":
            fake.stopping.wait()
            return self.rst()
        if fault is not None and fault.action == "reset_after":
            return self.rst()
        record["status"] = status
        return self.send(status, out, headers)


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

    def answer(self, method, path, headers, body, record):
        if path != self.path:
            return 404, {"error": "no such hook"}, {}
        if method != "POST":
            return 405, {"error": "POST only"}, {"Allow": "POST"}
        if self.secret is not None:
            got = headers.get(SIG_HEADER)
            want = signature(self.secret, body)
            record["signature"] = ("missing" if got is None else "ok"
                                   if hmac.compare_digest(got, want)
                                   else "bad")
            if record["signature"] != "ok":
                return 401, {"error": "signature " +
                             record["signature"]}, {}
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype != "application/json" or not isinstance(
                record["json"], dict):
            return 400, {"error": "a JSON object, please"}, {}
        with self.lock:
            self.kept.append(record["json"])
        return 200, {"ok": True}, {}


def main():
    ap = argparse.ArgumentParser(description="a webhook receiver")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--secret")
    ap.add_argument("--path", default="/hook")
    args = ap.parse_args()
    wh = FakeWebhook(secret=args.secret, path=args.path, host=args.host,
                     port=args.port).start()
    print("webhook receiver on %s" % wh.url, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    seen = 0
    while not done.wait(0.5):
        for e in wh.events()[seen:]:
            print(json.dumps(e), flush=True)
            seen += 1
    wh.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
