"""Integration test harness for outagebot (Python 3 standard library only).

Pieces, each usable on its own:

  Ngircd       a throwaway ngIRCd on 127.0.0.1 (plain, optionally TLS with a
               self-signed certificate made by the openssl CLI); stop and
               restart on the same port.
  ServicesNet  InspIRCd + Atheme via tests/net/services-net.sh (accounts,
               SASL, account-tag).
  FakeServer   a minimal scripted IRC server for input no real server
               relays (10 KB lines, bytes a server would cut).
  IrcClient    a test client: plain or TLS, optional SASL PLAIN, records
               every received line with its arrival time, answers PING.
  Bot          writes a libconfig config, runs the outagebot binary, stops
               it, checks sanitizer output.
  Context      what a test function receives as `t`: a temp dir, cleanup
               registration and factories for all of the above.

Every wait has a timeout and every failure raises TestFailure (or
AssertionError) with enough context to see what the user would have seen.
"""

import base64
import hashlib
import os
import random
import re
import signal
import socket
import sqlite3
import ssl
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NETDIR = os.path.join(ROOT, "tests", "net")

BOT_NICK = "outagebot"
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer")
DEFAULT_TIMEOUT = 10.0


class TestFailure(AssertionError):
    """A test's assertion failed (the message says what was expected)."""


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


# ---------------------------------------------------------------- helpers

def build_dir():
    return os.environ.get("OB_BUILD", "build")


def bot_binary():
    """$OB_BINARY (run.py sets it to a snapshot taken at the start of a run,
    so that a rebuild during the run does not mix binaries), else
    $OB_BUILD/outagebot."""
    if os.environ.get("OB_BINARY"):
        return os.environ["OB_BINARY"]
    b = build_dir()
    if not os.path.isabs(b):
        b = os.path.join(ROOT, b)
    return os.path.join(b, "outagebot")


def sanitized_build():
    return (os.path.basename(build_dir().rstrip("/")) == "build-asan"
            or os.environ.get("OB_SANITIZE") == "1")


def slow_factor():
    """Timeouts are stretched for a sanitizer build (it is slower)."""
    return 2.0 if sanitized_build() else 1.0


def oncall_retry_seconds():
    """How long the bot waits before it retries an announcement or reminder
    it could not make yet (it is not in the channel yet, e.g. right after a
    start): ONCALL_RETRY_S in bot/oncall.c, read from the source so that a
    test watching for a repeat always watches past the retry."""
    path = os.path.join(ROOT, "bot", "oncall.c")
    with open(path) as f:
        src = f.read()
    m = re.search(r"^#define\s+ONCALL_RETRY_S\s+(\d+)", src, re.M)
    if m is None and re.search(r"^oncall_joined\(", src, re.M):
        return 0.0      # no timer: tried as soon as the bot has joined
    if m is None:
        raise TestFailure("no ONCALL_RETRY_S in %s: tell "
                          "harness.oncall_retry_seconds() where the bot's "
                          "retry interval is now" % path)
    return float(m.group(1))


FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def faketime_env(start):
    """Environment variables that make a process's clock start at `start`
    ("2026-11-30 07:59:50", read as UTC) when it starts and run on at the
    real rate (libfaketime; CLOCK_MONOTONIC is faked too). Each process
    started with them begins at `start` again."""
    return {"LD_PRELOAD": FAKETIME_LIB, "FAKETIME": "@" + start, "TZ": "UTC"}


def load_fake(name):
    """The module tests/fakes/NAME.py, loaded by path as fake_NAME
    ("github" is also the name of a PyPI package)."""
    import importlib.util
    path = os.path.join(ROOT, "tests", "fakes", name + ".py")
    spec = importlib.util.spec_from_file_location("fake_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_fake_github():
    """The module tests/fakes/github.py (its FakeGitHub class)."""
    return load_fake("github")


def port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as servers do
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        return False
    finally:
        s.close()
    # also nobody listening (bind can succeed with SO_REUSEADDR elsewhere)
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.settimeout(0.2)
    try:
        c.connect(("127.0.0.1", port))
        return False
    except OSError:
        return True
    finally:
        c.close()


def free_port(lo=30000, hi=32700, count=1):
    """A random free port (or `count` consecutive ones) below the ephemeral
    range, so that outgoing connections never take it between the check and
    the server's bind. Callers retry when a bind still fails."""
    for _ in range(200):
        p = random.randrange(lo, hi - count)
        if all(port_free(p + i) for i in range(count)):
            return p
    raise RuntimeError("no free port found in %d-%d" % (lo, hi))


def wait_port(port, timeout, proc=None, host="127.0.0.1"):
    """Wait until something accepts on port; False on timeout or when proc
    exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def make_cert(directory, cn="localhost"):
    """Self-signed P-256 certificate for localhost and 127.0.0.1 with the
    openssl CLI. Returns (cert_path, key_path, sha256_fingerprint) where the
    fingerprint is the SHA-256 of the DER certificate, colon separated upper
    case hex."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=" + cn,
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-addext", "keyUsage=critical,digitalSignature,keyCertSign"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return cert, key, cert_fingerprint(cert)


def cert_fingerprint(cert_path):
    with open(cert_path) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    h = hashlib.sha256(der).hexdigest().upper()
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


def tail(path, n=40):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return "(cannot read %s: %s)" % (path, e)
    lines = data.decode("utf-8", "replace").splitlines()
    return "\n".join(lines[-n:])


def stop_process(proc, sig=signal.SIGTERM, timeout=5.0):
    """Signal a process we started, wait, SIGKILL if needed. Returns the
    exit status (negative = killed by that signal)."""
    if proc is None:
        return None
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return proc.returncode


# ------------------------------------------------------------ IRC parsing

def parse_irc(line):
    """(tags dict, source, command, params) of one decoded IRC line."""
    tags = {}
    if line.startswith("@"):
        raw, _, line = line[1:].partition(" ")
        for item in raw.split(";"):
            k, _, v = item.partition("=")
            out, i = [], 0
            while i < len(v):
                c = v[i]
                if c == "\\" and i + 1 < len(v):
                    out.append({":": ";", "s": " ", "r": "\r", "n": "\n",
                                "\\": "\\"}.get(v[i + 1], v[i + 1]))
                    i += 2
                    continue
                out.append(c)
                i += 1
            tags[k] = "".join(out)
        line = line.lstrip(" ")
    source = ""
    if line.startswith(":"):
        source, _, line = line[1:].partition(" ")
        line = line.lstrip(" ")
    trailing = None
    if " :" in line:
        line, _, trailing = line.partition(" :")
    elif line.startswith(":"):
        trailing, line = line[1:], ""
    params = line.split()
    command = params.pop(0).upper() if params else ""
    if trailing is not None:
        params.append(trailing)
    return tags, source, command, params


class Line:
    """One received line. raw: the bytes as received, line end included;
    text: decoded (invalid UTF-8 replaced), line end stripped."""

    __slots__ = ("t", "raw", "text", "tags", "source", "nick", "command",
                 "params")

    def __init__(self, t, raw):
        self.t = t
        self.raw = raw
        self.text = raw.rstrip(b"\r\n").decode("utf-8", "replace")
        self.tags, self.source, self.command, self.params = parse_irc(self.text)
        self.nick = self.source.split("!", 1)[0]

    @property
    def target(self):
        return self.params[0] if self.params else ""

    @property
    def body(self):
        """The trailing text of a PRIVMSG/NOTICE (bytes decoded)."""
        return self.params[-1] if len(self.params) >= 2 else ""

    @property
    def body_bytes(self):
        raw = self.raw.rstrip(b"\r\n")
        i = raw.find(b" :", raw.find(b" ", 1) if raw.startswith(b":") else 0)
        return raw[i + 2:] if i >= 0 else b""

    def __repr__(self):
        return self.text


def _matcher(pattern):
    if callable(pattern):
        return pattern
    rx = re.compile(pattern)
    return lambda line: rx.search(line.text) is not None


def describe(pattern):
    if callable(pattern):
        return getattr(pattern, "description", None) or getattr(
            pattern, "__name__", "a predicate")
    return "/%s/" % pattern


def privmsg_from(nick, target=None, text=None, command="PRIVMSG"):
    """Predicate: a PRIVMSG (or NOTICE) from nick, to target, whose text
    matches the regex text (re.search)."""
    rx = re.compile(text) if text is not None else None

    def pred(line):
        return (line.command == command and line.nick.lower() == nick.lower()
                and (target is None or line.target.lower() == target.lower())
                and (rx is None or rx.search(line.body) is not None))
    pred.description = "%s from %s%s%s" % (
        command, nick, " to " + target if target else "",
        " matching /%s/" % text if text is not None else "")
    return pred


def notice_from(nick, target=None, text=None):
    return privmsg_from(nick, target, text, command="NOTICE")


def any_message_from(nick):
    """Predicate: any PRIVMSG or NOTICE from nick."""
    def pred(line):
        return (line.command in ("PRIVMSG", "NOTICE")
                and line.nick.lower() == nick.lower())
    pred.description = "any PRIVMSG/NOTICE from %s" % nick
    return pred


# --------------------------------------------------------------- clients

class IrcClient:
    """A test IRC client with a reader thread.

    Every received line is recorded as a Line (monotonic arrival time, raw
    bytes). wait_for() searches recorded lines from a cursor: by default the
    position after the last line a wait_for() returned, so consecutive waits
    read the conversation in order; mark() gives a position to start from
    (e.g. taken just before sending a command).
    """

    def __init__(self, host, port, nick, user="tester", realname="test client",
                 tls=False, cafile=None, verify=False, sasl=None, caps=(),
                 name=None, log_dir=None, certfile=None, keyfile=None):
        self.host, self.port = host, port
        self.certfile, self.keyfile = certfile, keyfile   # client cert (TLS)
        self.nick = nick
        self.user, self.realname = user, realname
        self.tls, self.cafile, self.verify = tls, cafile, verify
        self.sasl = sasl                  # (account, password) or None
        self.want_caps = list(caps)
        self.name = name or nick
        self.lines = []
        self.cursor = 0
        self.sent = []
        self.cond = threading.Condition()
        self.closed = False
        self.close_reason = None
        self.sock = None
        self.thread = None
        self.acked_caps = set()
        self.offered_caps = {}
        self.log_path = (os.path.join(log_dir, "client-%s.log" % self.name)
                         if log_dir else None)
        self._log = open(self.log_path, "ab") if self.log_path else None
        self._send_lock = threading.Lock()

    # --- connection ---------------------------------------------------
    def open(self, timeout=DEFAULT_TIMEOUT):
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if self.verify or self.cafile:
                ctx.load_verify_locations(cafile=self.cafile)
            else:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            if self.certfile:
                ctx.load_cert_chain(self.certfile, self.keyfile)
            sock = ctx.wrap_socket(sock, server_hostname="localhost")
        sock.settimeout(None)
        self.sock = sock
        self.thread = threading.Thread(target=self._reader, daemon=True,
                                       name="irc-" + self.name)
        self.thread.start()
        return self

    def connect(self, timeout=DEFAULT_TIMEOUT):
        """Open, negotiate caps/SASL, register; returns after 001."""
        self.open(timeout)
        self.register(timeout)
        return self

    def register(self, timeout=DEFAULT_TIMEOUT):
        timeout *= slow_factor()
        if self.sasl or self.want_caps:
            self.send("CAP LS 302")
        self.send("NICK " + self.nick)
        self.send("USER %s 0 * :%s" % (self.user, self.realname))
        if self.sasl or self.want_caps:
            self._negotiate_caps(timeout)
        line = self.wait_for(
            lambda l: l.command in ("001", "433", "432", "ERROR"),
            timeout, what="001 welcome")
        if line.command != "001":
            raise TestFailure("%s: registration failed: %s" % (self.name, line.text))
        self.nick = line.params[0] if line.params else self.nick
        return line

    def _negotiate_caps(self, timeout):
        while True:
            ls = self.wait_for(lambda l: l.command == "CAP" and len(l.params) >= 3
                               and l.params[1] == "LS", timeout, what="CAP LS")
            for item in ls.params[-1].split():
                k, _, v = item.partition("=")
                self.offered_caps[k] = v
            if ls.params[2] != "*":
                break
        req = [c for c in self.want_caps if c in self.offered_caps]
        if self.sasl:
            if "sasl" not in self.offered_caps:
                raise TestFailure("%s: server offers no sasl cap: %s"
                                  % (self.name, ls.text))
            req.append("sasl")
        if req:
            self.send("CAP REQ :" + " ".join(req))
            ack = self.wait_for(lambda l: l.command == "CAP" and len(l.params) >= 3
                                and l.params[1] in ("ACK", "NAK"), timeout,
                                what="CAP ACK")
            if ack.params[1] == "NAK":
                raise TestFailure("%s: CAP REQ refused: %s" % (self.name, ack.text))
            self.acked_caps.update(ack.params[-1].split())
        if self.sasl:
            account, password = self.sasl
            self.send("AUTHENTICATE PLAIN")
            self.wait_for(lambda l: l.command == "AUTHENTICATE", timeout,
                          what="AUTHENTICATE +")
            payload = base64.b64encode(("%s\0%s\0%s" % (account, account, password))
                                       .encode()).decode()
            self.send("AUTHENTICATE " + payload, log_as="AUTHENTICATE <redacted>")
            res = self.wait_for(lambda l: l.command in ("903", "904", "905", "906"),
                                timeout, what="SASL result")
            if res.command != "903":
                raise TestFailure("%s: SASL login as %s failed: %s"
                                  % (self.name, account, res.text))
        self.send("CAP END")

    def _reader(self):
        buf = b""
        try:
            while True:
                try:
                    data = self.sock.recv(65536)
                except (OSError, ValueError) as e:
                    self.close_reason = "recv: %s" % e
                    break
                if not data:
                    self.close_reason = "server closed the connection"
                    break
                buf += data
                while True:
                    i = buf.find(b"\n")
                    if i < 0:
                        break
                    raw, buf = buf[:i + 1], buf[i + 1:]
                    line = Line(time.monotonic(), raw)
                    if self._log:
                        self._log.write(b"%.3f << " % line.t + raw)
                        self._log.flush()
                    if line.command == "PING":
                        try:
                            self.send("PONG :" + (line.params[-1] if line.params else ""))
                        except OSError:
                            pass
                    with self.cond:
                        self.lines.append(line)
                        self.cond.notify_all()
        finally:
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    # --- sending -------------------------------------------------------
    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        with self._send_lock:
            if self._log:
                self._log.write(b"%.3f >> " % time.monotonic() + data
                                + (b"" if data.endswith(b"\n") else b"\n"))
                self._log.flush()
            self.sock.sendall(data)
        self.sent.append(data)

    def send(self, line, log_as=None):
        data = line.encode("utf-8") if isinstance(line, str) else line
        check(b"\r" not in data and b"\n" not in data,
              "test bug: CR/LF inside a line passed to send()")
        with self._send_lock:
            if self._log:
                shown = log_as.encode() if log_as else data
                self._log.write(b"%.3f >> " % time.monotonic() + shown + b"\n")
                self._log.flush()
            self.sock.sendall(data + b"\r\n")
        self.sent.append(data)

    def say(self, target, text):
        self.send("PRIVMSG %s :%s" % (target, text))

    def notice(self, target, text):
        self.send("NOTICE %s :%s" % (target, text))

    def join(self, channel, timeout=DEFAULT_TIMEOUT):
        start = self.mark()
        self.send("JOIN " + channel)
        nick = self.nick
        self.wait_for(lambda l: l.command == "JOIN" and l.nick.lower() == nick.lower()
                      and l.params and l.params[0].lower() == channel.lower(),
                      timeout, start=start, what="own JOIN %s" % channel)
        # end of NAMES: the join is complete
        self.wait_for(lambda l: l.command == "366", timeout, start=start,
                      what="366 end of NAMES")
        return self

    def change_nick(self, new, timeout=DEFAULT_TIMEOUT):
        start = self.mark()
        old = self.nick
        self.send("NICK " + new)
        line = self.wait_for(
            lambda l: (l.command == "NICK" and l.nick.lower() == old.lower())
            or l.command in ("432", "433", "436"),
            timeout, start=start, what="NICK %s confirmation" % new)
        if line.command != "NICK":
            raise TestFailure("%s: NICK %s refused: %s" % (self.name, new, line.text))
        self.nick = line.params[-1]
        return line

    def quit(self, message="bye"):
        if self.closed or self.sock is None:
            return
        try:
            self.send("QUIT :" + message)
        except OSError:
            pass
        with self.cond:
            self.cond.wait_for(lambda: self.closed, timeout=3)
        self.close()

    def wait_closed(self, timeout=DEFAULT_TIMEOUT):
        """Wait until the server has closed the connection."""
        with self.cond:
            ok = self.cond.wait_for(lambda: self.closed, timeout * slow_factor())
        check(ok, "%s: connection still open after %.0f s" % (self.name, timeout))

    def close(self):
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                self.sock.close()
            except OSError:
                pass
        if self.thread is not None:
            self.thread.join(2)
        if self._log:
            try:
                self._log.close()
            except OSError:
                pass
            self._log = None

    # --- reading -------------------------------------------------------
    def mark(self):
        """Position after the last line received so far."""
        with self.cond:
            return len(self.lines)

    def wait_for(self, pattern, timeout=DEFAULT_TIMEOUT, start=None,
                 what=None, consume=True):
        """First line from `start` (default: the cursor) matching pattern
        (a regex searched in the decoded line, or a predicate on Line).
        Raises TestFailure on timeout or when the connection closes."""
        match = _matcher(pattern)
        timeout *= slow_factor()
        deadline = time.monotonic() + timeout
        i = self.cursor if start is None else start
        with self.cond:
            line, i = self._scan(match, i, deadline)
            if line is not None:
                if consume:
                    self.cursor = max(self.cursor, i)
                return line
            if self.closed:
                raise TestFailure("%s: connection closed (%s) while waiting "
                                  "for %s\n%s" % (self.name, self.close_reason,
                                                  what or describe(pattern),
                                                  self.transcript()))
            raise TestFailure("%s: no %s within %.1f s\n%s"
                              % (self.name, what or describe(pattern),
                                 timeout, self.transcript()))

    def _scan(self, match, i, deadline):
        """With cond held: the first line from index i on that matches,
        waiting for more until deadline; returns it and the index after
        it, or None once the deadline passes or the connection closes."""
        while True:
            while i < len(self.lines):
                line = self.lines[i]
                i += 1
                if match(line):
                    return line, i
            left = deadline - time.monotonic()
            if self.closed or left <= 0:
                return None, i
            self.cond.wait(left)

    def wait_all(self, pattern, count, timeout=DEFAULT_TIMEOUT, start=None,
                 what=None):
        """The first `count` matching lines (each waited for in turn)."""
        out = []
        pos = self.cursor if start is None else start
        deadline = time.monotonic() + timeout * slow_factor()
        for k in range(count):
            left = max(0.01, deadline - time.monotonic())
            line = self.wait_for(pattern, left / slow_factor(), start=pos,
                                 what="%s (%d of %d)" % (what or describe(pattern),
                                                          k + 1, count))
            pos = self.lines.index(line, pos) + 1
            out.append(line)
        return out

    def no_match_within(self, pattern, seconds, start=None, what=None):
        """Assert that no line matching pattern arrives (from `start`,
        default the cursor) during the next `seconds`."""
        match = _matcher(pattern)
        i = self.cursor if start is None else start
        deadline = time.monotonic() + seconds
        with self.cond:
            line, _ = self._scan(match, i, deadline)
            if line is not None:
                raise TestFailure("%s: expected no %s, got: %s\n%s"
                                  % (self.name, what or describe(pattern),
                                     line.text, self.transcript()))

    def matching(self, pattern, start=0):
        match = _matcher(pattern)
        with self.cond:
            return [l for l in self.lines[start:] if match(l)]

    def transcript(self, n=25):
        with self.cond:
            lines = self.lines[-n:]
        return "  last lines seen by %s:\n%s" % (
            self.name, "\n".join("    << " + l.text for l in lines) or "    (none)")

    def names(self, channel, timeout=DEFAULT_TIMEOUT):
        """Nicks in channel according to NAMES (prefixes stripped)."""
        start = self.mark()
        self.send("NAMES " + channel)
        end = self.wait_for(lambda l: l.command == "366", timeout, start=start,
                            what="366 end of NAMES")
        nicks = set()
        with self.cond:
            chunk = self.lines[start:self.lines.index(end, start)]
        for l in chunk:
            if l.command == "353":
                for n in l.params[-1].split():
                    n = n.lstrip("@+%~&!")
                    nicks.add(n.split("!", 1)[0])
        return nicks

    # ask a command and wait for the answer addressed to us
    def ask(self, target, text, reply=None, timeout=DEFAULT_TIMEOUT,
            bot=BOT_NICK):
        """Send `text` to target and wait for the bot's reply: in a channel a
        PRIVMSG to the channel starting "OURNICK: ", in private a NOTICE.
        `reply` is a regex for the text after the address (optional)."""
        start = self.mark()
        self.say(target, text)
        return self.expect_reply(target, reply, timeout, start=start, bot=bot)

    def expect_reply(self, target, reply=None, timeout=DEFAULT_TIMEOUT,
                     start=None, bot=BOT_NICK, addressee=None):
        if target.startswith(("#", "&")):
            who = addressee or self.nick
            rx = re.escape(who) + ": " + ("(?:%s)" % reply if reply else "")
            pred = privmsg_from(bot, target, "^" + rx)
        else:
            pred = notice_from(bot, self.nick, reply)
        return self.wait_for(pred, timeout, start=start)


def connect_all(clients, timeout=DEFAULT_TIMEOUT):
    """Connect several IrcClients in parallel (InspIRCd makes every client
    wait about a second for its welcome)."""
    errors = []

    def run(c):
        try:
            c.connect(timeout)
        except BaseException as e:       # reported below
            errors.append(e)
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout * slow_factor() + 5)
    if errors:
        raise errors[0]
    return clients


# ---------------------------------------------------------------- servers

class Ngircd:
    """A throwaway ngIRCd. Port (and TLS port) fixed at first start, kept on
    restart."""

    def __init__(self, workdir, tls=False, name="irc.ngircd.test"):
        self.dir = workdir
        os.makedirs(os.path.join(workdir, "conf.d"), exist_ok=True)
        self.tls = tls
        self.server_name = name
        self.port = None
        self.tls_port = None
        self.proc = None
        self.cert = self.key = self.fingerprint = None
        self.conf = os.path.join(workdir, "ngircd.conf")
        self.log = os.path.join(workdir, "ngircd.log")
        if tls:
            self.cert, self.key, self.fingerprint = make_cert(workdir)
        self.host = "127.0.0.1"

    def _write_conf(self):
        with open(os.path.join(NETDIR, "ngircd.conf.tmpl")) as f:
            text = f.read()
        out = []
        for line in text.splitlines():
            if line.startswith("#@TLS@"):
                if not self.tls:
                    continue
                line = line[len("#@TLS@"):]
            out.append(line)
        text = "\n".join(out) + "\n"
        for k, v in (("@WORKDIR@", self.dir), ("@PORT@", str(self.port)),
                     ("@TLS_PORT@", str(self.tls_port or "")),
                     ("@SERVER_NAME@", self.server_name)):
            text = text.replace(k, v)
        check("@" not in re.sub(r"(?m)^#.*$", "", text).replace(
            "nobody@example.invalid", ""), "unfilled placeholder in ngircd.conf")
        with open(self.conf, "w") as f:
            f.write(text)

    def _spawn(self):
        """Start ngircd; True once it logged listening on every port (a
        port accepting is not enough: it could be another test's server)."""
        offset = os.path.getsize(self.log) if os.path.exists(self.log) else 0
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(["ngircd", "-n", "-f", self.conf],
                                     stdin=subprocess.DEVNULL, stdout=logf,
                                     stderr=subprocess.STDOUT, cwd=self.dir)
        logf.close()
        ports = [self.port] + ([self.tls_port] if self.tls else [])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(self.log, "rb") as f:
                f.seek(offset)
                text = f.read().decode("utf-8", "replace")
            if "Can't bind" in text or self.proc.poll() is not None:
                return False
            if all("Now listening on [127.0.0.1]:%d " % p in text for p in ports):
                return all(wait_port(p, 5, self.proc) for p in ports)
            time.sleep(0.05)
        return False

    def start(self):
        for _ in range(5):
            base = free_port(count=2)
            self.port = base
            self.tls_port = base + 1 if self.tls else None
            self._write_conf()
            if self._spawn():
                return self
            stop_process(self.proc)
            self.proc = None
        raise RuntimeError("ngircd did not start; log:\n" + tail(self.log))

    def stop(self):
        stop_process(self.proc)
        self.proc = None

    def restart(self, down=2.0):
        """Stop, wait `down` seconds, start on the same port(s)."""
        self.stop()
        time.sleep(down)
        for _ in range(20):             # the port may still be held briefly
            if self._spawn():
                return self
            stop_process(self.proc)
            time.sleep(0.5)
        raise TestFailure("ngircd did not restart on port %d; log:\n%s"
                          % (self.port, tail(self.log)))
        return self

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None


class ServicesNet:
    """InspIRCd + Atheme through tests/net/services-net.sh."""

    def __init__(self, workdir, accounts=None, sts=False):
        self.dir = workdir
        self.accounts = dict(accounts or {})
        self.sts = sts          # load ircv3_sts (policy for SNI "localhost")
        self.env = {}
        self.started = False
        self.host = "127.0.0.1"

    @property
    def port(self):
        return int(self.env["IRC_PORT"])

    @property
    def tls_port(self):
        return int(self.env["IRC_TLS_PORT"]) if self.env.get("IRC_TLS_PORT") else None

    @property
    def cert(self):
        return self.env.get("TLS_CERT")

    def _run(self, *args, timeout=90):
        env = dict(os.environ)
        env["TESTNET_ACCOUNTS"] = " ".join("%s:%s" % kv for kv in self.accounts.items())
        if self.sts:
            env["TESTNET_STS"] = "1"
        res = subprocess.run(["bash", os.path.join(NETDIR, "services-net.sh")]
                             + list(args), env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=timeout)
        return res

    def _read_env(self):
        env = {}
        with open(os.path.join(self.dir, "testnet.env")) as f:
            for line in f:
                k, sep, v = line.strip().partition("=")
                if sep:
                    env[k] = v.strip("'\"")
        self.env = env

    def start(self):
        self.started = True     # even a failed start may leave something to stop
        res = self._run("start", self.dir)
        if res.returncode != 0:
            raise RuntimeError("services-net.sh start failed (exit %d):\n%s"
                               % (res.returncode, res.stderr.decode("utf-8", "replace")[-3000:]))
        self._read_env()
        return self

    def registered_clients(self):
        """[(nick, user, host, realname)] of every client that InspIRCd
        registered (sent 001), from its own log ("CONNECT: Client
        connecting ..."): what the server did, whatever a client logs."""
        rx = re.compile(r"CONNECT: Client connecting on port \d+ "
                        r"\(class [^)]*\): ([^!\s]+)!([^@\s]+)@(\S+) "
                        r"\([^)]*\) \[(.*)\]$")
        try:
            with open(os.path.join(self.dir, "inspircd", "ircd.log"),
                      encoding="utf-8", errors="replace") as f:
                return [m.groups() for m in map(rx.search, f) if m]
        except FileNotFoundError:
            return []

    def restart_ircd(self, down=2.0):
        res = self._run("restart-ircd", self.dir, str(down))
        check(res.returncode == 0, "services-net.sh restart-ircd failed:\n%s"
              % res.stderr.decode("utf-8", "replace")[-3000:])
        self._read_env()

    def stop(self):
        if not self.started:
            return
        self.started = False
        self._run("stop", self.dir, timeout=30)


class FakeServer:
    """A minimal scripted IRC server for one client (the bot) at a time.

    It completes registration (CAP LS answered with no caps, 001-005, 422),
    echoes JOINs, answers PING, and records everything the bot sends. Tests
    push raw bytes to the bot with send_raw(). Each accepted connection
    gets a number; `connections` counts them.

    Options (the defaults give the behaviour above):
      caps          the CAP LS value offered ("" = none; every CAP REQ is
                    then NAKed). With caps, a REQ naming only offered caps
                    is ACKed, any other is NAKed.
      sasl          None: AUTHENTICATE is ignored. Else a function
                    (mechanism, decoded payload bytes) -> True/False; a
                    mechanism named in the sasl= value of caps gets
                    "AUTHENTICATE +", the payload is collected in 400-byte
                    pieces and answered 900+903 (True) or 904 (False); bytes
                    are a challenge sent back (b"" as "+"), and the
                    exchange goes on with the next payload; any other mechanism
                    gets 908+904. Decoded payloads: `sasl_payloads`
                    [(conn_no, mechanism, bytes)].
      answer_ping   False: PINGs from the bot are recorded, never answered.
      isupport      extra tokens for the 005 line ("WHOX BOT=B").
      log_name      the log file's name in workdir (several servers).
    `sent` records (time, bytes) of every line sent to the bot;
    `closed_at` maps a connection number to the time the bot closed it."""

    def __init__(self, workdir, name="fake.test", caps="", sasl=None,
                 answer_ping=True, isupport="", log_name="fakeserver.log"):
        self.caps = caps
        self.sasl = sasl
        self.sasl_payloads = []
        self.answer_ping = answer_ping
        self.isupport = isupport
        self.sent = []
        self.closed_at = {}         # conn_no -> time the bot's side closed
        self.name = name
        self.port = None
        self.host = "127.0.0.1"
        self.lsock = None
        self.conn = None
        self.connections = 0
        self.received = []          # (time, conn_no, bytes line)
        self.cond = threading.Condition()
        self.nick = None
        self.stopped = False
        self.log_path = os.path.join(workdir, log_name)

    def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for _ in range(50):
            p = free_port()
            try:
                s.bind(("127.0.0.1", p))
                break
            except OSError:
                continue
        s.listen(5)
        self.port = s.getsockname()[1]
        self.lsock = s
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.lsock.accept()
            except OSError:
                return
            with self.cond:
                if self.conn is not None:
                    try:
                        self.conn.close()
                    except OSError:
                        pass
                self.conn = conn
                self.connections += 1
                n = self.connections
                self.cond.notify_all()
            threading.Thread(target=self._serve, args=(conn, n), daemon=True).start()

    def _log(self, data):
        with open(self.log_path, "ab") as f:
            f.write(data)

    def _send(self, conn, text):
        data = text.encode("utf-8") + b"\r\n" if isinstance(text, str) else text
        self._log(b"%.3f >> " % time.monotonic() + data)
        with self.cond:
            self.sent.append((time.monotonic(), data))
        try:
            conn.sendall(data)
        except OSError:
            pass

    def _serve(self, conn, n):
        buf = b""
        got_nick = got_user = False
        cap_open = False
        registered = False
        sasl_state = None
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                break
            if not data:
                with self.cond:
                    self.closed_at[n] = time.monotonic()
                    self.cond.notify_all()
                break
            buf += data
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                raw = raw.rstrip(b"\r")
                self._log(b"%.3f << " % time.monotonic() + raw + b"\n")
                with self.cond:
                    self.received.append((time.monotonic(), n, raw))
                    self.cond.notify_all()
                text = raw.decode("utf-8", "replace")
                _, _, cmd, params = parse_irc(text)
                if cmd == "CAP" and params and params[0].upper() == "LS":
                    cap_open = True
                    self._send(conn, ":%s CAP * LS :%s" % (self.name, self.caps))
                elif cmd == "CAP" and params and params[0].upper() == "REQ":
                    offered = {c.partition("=")[0] for c in self.caps.split()}
                    wanted = {c.lstrip("-") for c in params[-1].split()}
                    ok = bool(self.caps) and wanted <= offered
                    self._send(conn, ":%s CAP * %s :%s" % (
                        self.name, "ACK" if ok else "NAK", params[-1]))
                elif cmd == "AUTHENTICATE" and self.sasl is not None and params:
                    sasl_state = self._authenticate(conn, n, params[0], sasl_state)
                elif cmd == "CAP" and params and params[0].upper() == "END":
                    cap_open = False
                elif cmd == "NICK" and params:
                    if registered:
                        self._send(conn, ":%s!bot@127.0.0.1 NICK :%s" % (self.nick, params[0]))
                    self.nick = params[0]
                    got_nick = True
                elif cmd == "USER":
                    got_user = True
                elif cmd == "PING" and self.answer_ping:
                    self._send(conn, ":%s PONG %s :%s" % (self.name, self.name,
                                                            params[-1] if params else ""))
                elif cmd == "JOIN" and registered and params:
                    for ch in params[0].split(","):
                        self._send(conn, ":%s!bot@127.0.0.1 JOIN %s" % (self.nick, ch))
                        self._send(conn, ":%s 353 %s = %s :%s alice" % (self.name, self.nick, ch, self.nick))
                        self._send(conn, ":%s 366 %s %s :End of /NAMES list." % (self.name, self.nick, ch))
                elif cmd == "WHO" and params:
                    self._send(conn, ":%s 315 %s %s :End of /WHO list." % (self.name, self.nick, params[0]))
                elif cmd == "MODE" and params and registered:
                    pass
                elif cmd == "QUIT":
                    self._send(conn, "ERROR :Closing link (quit)")
                    try:
                        conn.close()
                    except OSError:
                        pass
                    return
                if not registered and got_nick and got_user and not cap_open:
                    registered = True
                    nk = self.nick
                    for l in (":{s} 001 {n} :Welcome to the fake network {n}",
                              ":{s} 002 {n} :Your host is {s}",
                              ":{s} 003 {n} :This server was created today",
                              ":{s} 004 {n} {s} fake-1 io ovimnstk",
                              ":{s} 005 {n} CHANTYPES=# NICKLEN=30 CASEMAPPING=rfc1459 "
                              "PREFIX=(ov)@+ NETWORK=Fake" + (" " + self.isupport
                                                             if self.isupport else "")
                              + " :are supported by this server",
                              ":{s} 422 {n} :MOTD File is missing"):
                        self._send(conn, l.format(s=self.name, n=nk))
        try:
            conn.close()
        except OSError:
            pass

    def _authenticate(self, conn, n, arg, state):
        """One AUTHENTICATE from the bot; returns the new SASL state:
        None (no exchange) or (mechanism, [pieces])."""
        me = self.nick or "*"
        caps = dict(c.partition("=")[::2] for c in self.caps.split())
        mechs = [m.upper() for m in caps.get("sasl", "").split(",") if m]
        if state is None:
            if arg.upper() in mechs:
                self._send(conn, "AUTHENTICATE +")
                return (arg.upper(), [])
            self._send(conn, ":%s 908 %s %s :are available SASL mechanisms"
                       % (self.name, me, ",".join(mechs)))
            self._send(conn, ":%s 904 %s :SASL authentication failed" % (self.name, me))
            return None
        mech, pieces = state
        if arg == "*":
            self._send(conn, ":%s 906 %s :SASL authentication aborted" % (self.name, me))
            return None
        if arg != "+":
            pieces.append(arg)
        if arg != "+" and len(arg) >= 400:
            return state                    # more pieces follow
        try:
            payload = base64.b64decode("".join(pieces), validate=True)
        except ValueError:
            payload = None
        with self.cond:
            self.sasl_payloads.append((n, mech, payload))
            self.cond.notify_all()
        verdict = self.sasl(mech, payload) if payload is not None else False
        if isinstance(verdict, bytes):      # a challenge: the exchange goes on
            self._send(conn, "AUTHENTICATE " + (
                base64.b64encode(verdict).decode() if verdict else "+"))
            return (mech, [])
        if verdict:
            self._send(conn, ":%s 900 %s %s!bot@127.0.0.1 acct :You are now logged in"
                       % (self.name, me, me))
            self._send(conn, ":%s 903 %s :SASL authentication successful" % (self.name, me))
        else:
            self._send(conn, ":%s 904 %s :SASL authentication failed" % (self.name, me))
        return None

    def send_raw(self, data):
        with self.cond:
            conn = self.conn
        check(conn is not None, "fake server: no client connected")
        self._send(conn, data)

    def wait_received(self, pattern, timeout=DEFAULT_TIMEOUT, since=0, conn_no=None):
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        timeout *= slow_factor()
        deadline = time.monotonic() + timeout
        with self.cond:
            i = since
            while True:
                while i < len(self.received):
                    t, n, raw = self.received[i]
                    i += 1
                    if (conn_no is None or n == conn_no) and rx.search(raw):
                        return raw
                left = deadline - time.monotonic()
                if left <= 0:
                    last = b"\n".join(b"    << " + r for _, _, r in self.received[-15:])
                    raise TestFailure("fake server: bot sent no line matching /%s/ "
                                      "within %.1f s; last lines:\n%s"
                                      % (rx.pattern.decode(), timeout,
                                         last.decode("utf-8", "replace")))
                self.cond.wait(left)

    def mark(self):
        with self.cond:
            return len(self.received)

    def stop(self):
        self.stopped = True
        for s in (self.lsock, self.conn):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass


# -------------------------------------------------------------- the bot

def libconfig(value, indent=0):
    """Render a Python value as libconfig text (dict = group, list/tuple =
    list, str = string, bool, int, float)."""
    pad = "  " * indent
    if isinstance(value, dict):
        inner = "".join("%s  %s = %s;\n" % (pad, k, libconfig(v, indent + 1))
                        for k, v in value.items())
        return "{\n%s%s}" % (inner, pad)
    if isinstance(value, (list, tuple)):
        if not value:
            return "( )"
        return "( " + ", ".join(libconfig(v, indent + 1) for v in value) + " )"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        s = (value.replace("\\", "\\\\").replace('"', '\\"')
             .replace("\n", "\\n").replace("\t", "\\t"))
        return '"%s"' % s
    raise TypeError("cannot render %r as libconfig" % (value,))


def render_config(cfg):
    if isinstance(cfg, str):
        return cfg
    return "".join("%s = %s;\n" % (k, libconfig(v)) for k, v in cfg.items())


def deep_merge(base, over):
    out = dict(base)
    for k, v in over.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


class Bot:
    """The outagebot binary under test."""

    def __init__(self, ctx, config=None, name="bot"):
        self.ctx = ctx
        self.name = name
        self.dir = ctx.dir
        self.conf_path = os.path.join(self.dir, name + ".conf")
        self.stderr_path = os.path.join(self.dir, name + ".stderr")
        self.stdout_path = os.path.join(self.dir, name + ".stdout")
        self.proc = None
        self.binary = bot_binary()
        self.exit_status = None
        self.checked_upto = 0
        self.extra_env = {}     # added to the bot's environment
        if config is not None:
            self.write_config(config)

    def write_config(self, cfg):
        """Write the config (a dict or a libconfig string); returns the path.
        Atomic (rename), so a reload never reads half a file."""
        self.config = cfg
        tmp = self.conf_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(render_config(cfg))
        os.replace(tmp, self.conf_path)
        return self.conf_path

    def secret(self, filename, content):
        """A secret file (mode 600) in the test dir; returns its path."""
        path = os.path.join(self.dir, filename)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(content)
        os.chmod(path, 0o600)
        return path

    def env(self):
        env = dict(os.environ)
        env.update(self.extra_env)
        if sanitized_build():
            env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
            env["UBSAN_OPTIONS"] = "print_stacktrace=1"
            if "faketime" in env.get("LD_PRELOAD", ""):
                # libfaketime comes before the ASan runtime
                env["ASAN_OPTIONS"] += ":verify_asan_link_order=0"
        return env

    def fake_clock(self, start):
        """Run the bot (and run_once) under libfaketime: its clock starts
        at `start` (UTC, "2026-11-30 07:59:50") at every start and runs at
        the real rate. None: the real clock again. `started_at` (monotonic,
        set by start()) is when the fake clock began."""
        for k in ("LD_PRELOAD", "FAKETIME", "TZ"):
            self.extra_env.pop(k, None)
        if start is not None:
            self.extra_env.update(faketime_env(start))
        return self

    def start(self, args=None):
        check(os.path.exists(self.binary), "bot binary %s does not exist (run make)"
              % self.binary)
        argv = [self.binary] + (args if args is not None else ["-c", self.conf_path, "-d"])
        out = open(self.stdout_path, "ab")
        err = open(self.stderr_path, "ab")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=err, cwd=self.dir, env=self.env())
        out.close()
        err.close()
        self.ctx.on_cleanup(self._cleanup)
        return self

    def run_once(self, args, timeout=30):
        """Run the binary to completion (e.g. -t); returns CompletedProcess
        with text stdout/stderr. Sanitizer reports fail the test."""
        check(os.path.exists(self.binary), "bot binary %s does not exist (run make)"
              % self.binary)
        res = subprocess.run([self.binary] + args, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             cwd=self.dir, env=self.env(), timeout=timeout * slow_factor())
        res.stdout = res.stdout.decode("utf-8", "replace")
        res.stderr = res.stderr.decode("utf-8", "replace")
        with open(self.stderr_path, "a") as f:
            f.write("$ outagebot %s\n%s" % (" ".join(args), res.stderr))
        self.check_sanitizers(res.stderr)
        return res

    def past_retry(self, since=None, grace=2.0):
        """Seconds from now until the bot's on-call retry after `since`
        (monotonic; default its start) has surely run and anything it sent
        has arrived: since + oncall_retry_seconds() + grace (stretched for
        slow builds); at least 0.5. A test that asserts that nothing is
        announced again watches this long."""
        since = self.started_at if since is None else since
        end = since + oncall_retry_seconds() + grace * slow_factor()
        return max(0.5, end - time.monotonic())

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        return self.proc.pid

    def signal(self, sig):
        check(self.running, "bot is not running (exit status %s)\n%s"
              % (self.proc.returncode if self.proc else None, self.log_tail()))
        self.proc.send_signal(sig)

    def stop(self, timeout=10.0):
        """SIGTERM and wait; returns the exit status. A bot that does not
        exit in time is killed and the test fails."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout * slow_factor())
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                self.exit_status = self.proc.returncode
                raise TestFailure("bot did not exit within %.0f s of SIGTERM\n%s"
                                  % (timeout, self.log_tail()))
        self.exit_status = self.proc.returncode
        self.check_sanitizers()
        return self.exit_status

    def kill(self):
        """kill -9."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.exit_status = self.proc.returncode if self.proc else None
        return self.exit_status

    def _cleanup(self):
        self.stop()

    def log_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=30):
        text = self.log_text()
        lines = text.splitlines()
        out = "  bot stderr (%s), last lines:\n%s" % (
            self.stderr_path,
            "\n".join("    " + l[:300] for l in lines[-n:]) or "    (empty)")
        report = self.sanitizer_report(text)
        if report:
            out = "  sanitizer report in the bot's stderr:\n%s\n%s" % (report, out)
        return out

    @staticmethod
    def sanitizer_report(text):
        """The first lines of a sanitizer report in text (with the log line
        before it), or ""."""
        lines = text.splitlines()
        for i, l in enumerate(lines):
            if any(m in l for m in SANITIZER_MARKERS):
                return "\n".join("    " + x[:300] for x in lines[max(0, i - 3):i + 30])
        return ""

    def check_sanitizers(self, text=None):
        text = self.log_text() if text is None else text
        report = self.sanitizer_report(text)
        if report:
            raise TestFailure("sanitizer report in the bot's stderr:\n" + report)

    def assert_alive(self):
        if not self.running:
            self.check_sanitizers()
        check(self.running, "bot exited (status %s)\n%s" % (
            self.proc.returncode if self.proc else None, self.log_tail()))

    def wait_log(self, pattern, timeout=DEFAULT_TIMEOUT):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout * slow_factor()
        while time.monotonic() < deadline:
            m = rx.search(self.log_text())
            if m:
                return m
            time.sleep(0.1)
        raise TestFailure("bot log has no /%s/ within %.0f s\n%s"
                          % (pattern, timeout, self.log_tail()))

    def wait_joined(self, client, channel, nick=BOT_NICK, timeout=15.0, start=0):
        """Wait until `client` (in `channel`) sees the bot there: its JOIN
        (from `start`), or its nick in NAMES (asked every second)."""
        deadline = time.monotonic() + timeout * slow_factor()

        def joined(l):
            return (l.command == "JOIN" and l.nick.lower() == nick.lower()
                    and l.params and l.params[0].lower() == channel.lower())
        while True:
            if client.matching(joined, start):
                return True
            if nick.lower() in {n.lower() for n in client.names(channel)}:
                return True
            if self.proc is not None and self.proc.poll() is not None:
                raise TestFailure("bot exited (status %s) before joining %s\n%s"
                                  % (self.proc.returncode, channel, self.log_tail()))
            if time.monotonic() > deadline:
                raise TestFailure("%s never saw %s join %s within %.0f s\n%s\n%s"
                                  % (client.name, nick, channel, timeout,
                                     client.transcript(), self.log_tail()))
            with client.cond:
                client.cond.wait(1.0)

    def audit_rows(self, db_path, where="", args=()):
        """Rows of the audit table as dicts ([] if the table is not there)."""
        uri = "file:%s?mode=ro" % db_path
        try:
            con = sqlite3.connect(uri, uri=True, timeout=5)
        except sqlite3.Error:
            return []
        try:
            con.row_factory = sqlite3.Row
            rows = con.execute("SELECT * FROM audit " + where, args).fetchall()
            return [dict(r) for r in rows]
        except sqlite3.Error:
            return []
        finally:
            con.close()


# ---------------------------------------------------------- test context

class Context:
    """What a test receives as `t`."""

    def __init__(self, name, workdir):
        self.name = name
        self.dir = workdir
        self._cleanups = []
        self.bots = []
        self.clients = []
        self.notes = []

    def on_cleanup(self, fn):
        self._cleanups.append(fn)

    def run_cleanups(self):
        """Run cleanups (last registered first); returns the first error."""
        first = None
        while self._cleanups:
            fn = self._cleanups.pop()
            try:
                fn()
            except BaseException as e:     # keep cleaning up
                if first is None:
                    first = e
        return first

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def subdir(self, name):
        p = os.path.join(self.dir, name)
        os.makedirs(p, exist_ok=True)
        return p

    # servers
    def ngircd(self, tls=False, name="irc.ngircd.test"):
        srv = Ngircd(self.subdir("ngircd%d" % len(self._cleanups)), tls=tls, name=name)
        self.on_cleanup(srv.stop)
        return srv.start()

    def services(self, accounts=None, sts=False):
        net = ServicesNet(self.subdir("testnet"), accounts, sts=sts)
        self.on_cleanup(net.stop)
        return net.start()

    def fake_server(self, **kw):
        srv = FakeServer(self.dir, **kw)
        self.on_cleanup(srv.stop)
        return srv.start()

    # clients
    def client(self, server, nick, connect=True, tls=False, **kw):
        port = server.tls_port if tls else server.port
        if tls and "cafile" not in kw:
            kw["cafile"] = server.cert
        c = IrcClient(server.host, port, nick, tls=tls, log_dir=self.dir, **kw)
        self.clients.append(c)
        self.on_cleanup(c.close)
        if connect:
            c.connect()
        return c

    # the bot
    def bot_config(self, server, **over):
        cfg = {
            "instance": "test",
            "irc": {
                "server": "127.0.0.1", "port": server.port, "tls": False,
                "nick": BOT_NICK, "alt_nick": BOT_NICK + "_",
                "channels": ["#test"],
                "flood": {"burst": 4, "interval": "1s"},
                # tests ask many questions fast; the limit has its own test
                "command_rate": {"burst": 1000, "interval": "1s"},
                "max_reply_lines": 4,
                "reconnect": {"min": "1s", "max": "4s"},
            },
            "team": {"identify": "hostmask", "admins": ["alice!*@*"],
                     "members": ["alice!*@*", "bob!*@*"]},
            "storage": {"path": self.path("bot.db")},
        }
        return deep_merge(cfg, over)

    def bot(self, config=None, start=True, name="bot"):
        b = Bot(self, config, name=name)
        self.bots.append(b)
        if start:
            b.start()
        return b

    def failure_details(self):
        parts = []
        for b in self.bots:
            parts.append(b.log_tail())
        return "\n".join(parts)


def sleep(seconds):
    time.sleep(seconds * slow_factor())
