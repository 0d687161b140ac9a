#!/usr/bin/env python3
"""bench.py - the figures behind `make bench` (DESIGN.md section 11).

Usage: python3 tests/bench/bench.py BOT_BINARY

Starts a throwaway ngircd on a free loopback port, then measures:

  1. the bot's round trip for BENCH_COMMAND (and "!version" as a second
     row) from several clients in turn, interleaved with the relay floor:
     one ping-pong between two plain clients through the same server (A
     in this process -> server -> B, echo.c, a bare client in a process
     of its own like the bot, which answers at once -> server -> A), then
     one bot round trip, N times, so that a drifting host lands on both;
     p50, p99 and the minimum of both and their ratios. The same relay
     with B in this process too (no process hop, which no bot can avoid)
     is timed in each pair as well, as information;
  2. the bot's memory next to a "libraries only" floor (floor.c);
  3. "!oncall schedule 10" from a second bot instance whose database holds
     100,000 overrides: client round trip, the bot's own handling time
     (from its debug log), its memory, and whether the replies agree with
     an independent model of the schedule.

It prints figures and targets side by side and asserts nothing: a high
number never fails it. Exit status: 0 when every figure was measured,
1 when something could not run at all (no server, no bot, no compiler),
2 when it ran but the bot left some requests unanswered (the figures are
then printed all the same, with a warning).

Environment (all optional):
  BENCH_COMMAND   command sent to the bot (default "!who-is-on-call";
                  "!version" is always measured as well, as a second row)
  BENCH_N         floor + bot pairs per command (default 300)
  BENCH_OV_N      "!oncall schedule 10" requests in section 3 (default 50)
  BENCH_KEEP=1    keep the work directory (configs, logs) afterwards

Python 3 standard library only. Everything it starts is stopped on exit,
on error, on Ctrl-C and on SIGTERM; children also get SIGKILL from the
kernel if this script dies without cleaning up (PR_SET_PDEATHSIG).
"""

import bisect
import ctypes
import datetime
import math
import os
import platform
import random
import re
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import status_bench  # noqa: E402  (section 5)

BENCH_COMMAND = os.environ.get("BENCH_COMMAND", "!who-is-on-call")
EXTRA_COMMAND = "!version"
try:
    N = max(1, int(os.environ.get("BENCH_N", "300")))
    OV_N = max(1, int(os.environ.get("BENCH_OV_N", "50")))
except ValueError:
    sys.exit("bench: BENCH_N and BENCH_OV_N must be numbers")
WARMUP = 30
CHANNEL = "#bench"
FLOOR_CHANNEL = "#bench-floor"
BOT_NICK = "outagebot"
BOT_CLIENTS = ["alice", "c1", "c2", "c3", "c4"]
# The bot's token bucket, set so large that it never runs dry during the
# run: this measures the bot, not its pacing. (burst = 1000 with interval
# 1s would run dry after ~1000 replies and then pace one line a second.)
FLOOD_BURST = 1000000
FLOOD_INTERVAL = "1s"
REPLY_TIMEOUT = 5.0         # seconds for one bot reply
MAX_LOST = 3                # give up on the bot after this many timeouts
DEADLINE = 420              # seconds for the whole run
MEM_SAMPLE_EVERY = 50       # sample the bot's /proc status every k requests
PKGS = ["libcurl", "openssl", "sqlite3", "jansson", "libconfig"]
# The on-call role of both bot configs (DESIGN.md section 6).
ROLE = "outage-master"
ROLE_MEMBERS = ["alice", "c1", "c2"]
ROLE_START = (2026, 11, 23, 9, 0)       # handoff anchor, local time
ROLE_TZ = "Europe/Prague"
ROLE_SHIFT_DAYS = 7                     # shift = "1w"
# Section 4: a second bot instance with many stored overrides.
OV_ROWS = 100000
OV_COUNT = 10                           # "!oncall schedule 10"
OV_WARMUP = 2
OV_CHANNEL = "#bench-ov"
# Section 4: a third bot instance with 10,000 outages in its history.
OUT_ROWS = 10000
OUT_OPEN = 3                # of them still open
OUT_N = 30                  # requests per command, after OUT_WARMUP
OUT_WARMUP = 3
OUT_NICK = "outbot"
OUT_CHANNEL = "#bench-out"
OUT_COMPONENTS = ("API", "Workers", "Dashboard", "Copr", "Testing Farm",
                  "Koji")
OUT_COMMANDS = (("!status", "status"), ("!outage list", "outage list"),
                ("!outage stats", "outage stats"))
OV_NICK = "ovbot"
OV_REPLY_TIMEOUT = 30.0     # seconds for all lines of one reply
OV_BUDGET = 80              # seconds for section 3's requests
OV_SEED = 20261123          # the same overrides on every run
OV_SLOT = 600               # one override starts every ~10 minutes
OV_PAST = 200               # overrides placed before now (most ended)
OV_LONG_MAX = 24 * 3600     # longest override
OV_MAX_REPLY_LINES = 20
HERE = os.path.dirname(os.path.abspath(__file__))
# build/bench of this work tree: floor binary and per-run work directories
# (never next to the bot binary, which may live anywhere).
BENCH_DIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), "build",
                         "bench")
MIB = 1024.0


class BenchError(Exception):
    """Something needed for a figure could not run."""


class Deadline(BaseException):
    """The whole-run watchdog fired."""


# ---------------------------------------------------------------- processes

_libc = None


def _die_with_parent():
    """preexec_fn: ask the kernel to SIGKILL the child when we die."""
    if _libc is not None:
        _libc.prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG


def spawn(argv, log_path=None, stdout=None):
    """Start a child of ours; stderr (and stdout unless given) to log_path."""
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL(None, use_errno=True)
        except OSError:
            _libc = False
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            argv, stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else log, stderr=log,
            start_new_session=True,
            preexec_fn=_die_with_parent if _libc else None)
    finally:
        if log_path:
            log.close()


def exit_status(proc):
    """None while proc runs, else its status: the raw wait status as
    Popen shows it (negative: killed by that signal). Does not reap the
    process, so that its pid (and process group id) stays ours."""
    if proc.returncode is not None:
        return proc.returncode
    try:
        r = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG
                      | os.WNOWAIT)
    except ChildProcessError:
        return proc.poll()
    if r is None:
        return None
    if r.si_code == os.CLD_EXITED:
        return r.si_status
    return -r.si_status


def stop(proc, sig=signal.SIGTERM, grace=3.0):
    """Stop a child of ours: sig, then SIGKILL after grace. Each child
    leads a process group of its own (its pid is the group id) and the
    whole group gets the signals, so that a bot run under a wrapper
    (strace, valgrind, a shell script) goes too. The leader is reaped
    only after the last signal, so the group id cannot have been reused."""
    if proc is None or proc.returncode is not None:
        return

    def signal_group(s):
        try:
            os.killpg(proc.pid, s)
        except (ProcessLookupError, PermissionError):
            pass
    if exit_status(proc) is None:
        signal_group(sig)
        t_end = time.monotonic() + grace
        while exit_status(proc) is None and time.monotonic() < t_end:
            time.sleep(0.02)
    signal_group(signal.SIGKILL)        # the rest of the group, if any
    proc.wait()


def tail(path, n=25):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError as e:
        return "    (cannot read %s: %s)" % (path, e)
    return "\n".join("    | " + s for s in lines[-n:]) or "    (empty)"


def proc_status(pid):
    """VmHWM, VmRSS, RssAnon, RssFile of pid, in KiB."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                    out[key] = int(rest.split()[0])
    except OSError as e:
        raise BenchError("cannot read the status of pid %d: %s" % (pid, e))
    if len(out) != 4:
        raise BenchError("/proc/%d/status lacks VmHWM/VmRSS/RssAnon/RssFile"
                         % pid)
    return out


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


# ----------------------------------------------------------------- ngircd

NGIRCD_CONF = """\
[Global]
\tName = bench.ngircd.test
\tInfo = outagebot benchmark server
\tAdminInfo1 = outagebot benchmark
\tAdminInfo2 = loopback only
\tAdminEMail = nobody@example.invalid
\tListen = 127.0.0.1
\tPorts = {port}
\tMotdPhrase = outagebot benchmark
\tPidFile =

[Limits]
\tMaxConnections = 0
\tMaxConnectionsIP = 0
\tMaxJoins = 0
\tMaxNickLength = 30
\tMaxPenaltyTime = 0
\tPingTimeout = 120
\tPongTimeout = 20

[Options]
\tDNS = no
\tIdent = no
\tPAM = no
\tRequireAuthPing = no
\tIncludeDir = {confd}
"""


def start_ngircd(work):
    ngircd = shutil.which("ngircd") or "/usr/sbin/ngircd"
    if not os.path.exists(ngircd):
        raise BenchError("ngircd not found (make deps installs it)")
    confd = os.path.join(work, "ngircd.conf.d")
    os.makedirs(confd, exist_ok=True)
    log = os.path.join(work, "ngircd.log")
    for attempt in range(5):
        port = free_port()
        conf = os.path.join(work, "ngircd.conf")
        with open(conf, "w") as f:
            f.write(NGIRCD_CONF.format(port=port, confd=confd))
        proc = spawn([ngircd, "-n", "-f", conf], log)
        t_end = time.monotonic() + 10
        while time.monotonic() < t_end:
            if exit_status(proc) is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return proc, port
            except OSError:
                time.sleep(0.05)
        stop(proc)
    raise BenchError("ngircd did not start listening; its log:\n" + tail(log))


# ------------------------------------------------------------- IRC client

class Client:
    """A plain IRC client with a line buffer; blocking with a timeout."""

    def __init__(self, port, nick):
        self.nick = nick
        self.sock = socket.create_connection(("127.0.0.1", port), 5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(REPLY_TIMEOUT)
        self.buf = b""
        self.lines = []
        self.send("NICK %s" % nick)
        self.send("USER %s 0 * :bench client" % nick)
        self.expect(lambda p: p[1] == "001", 10, "welcome (001)")

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def _fill(self):
        data = self.sock.recv(65536)
        # Acknowledge at once: ngircd does not set TCP_NODELAY, so a
        # delayed ACK here would hold its next small line to this client
        # for up to 40 ms (Nagle). Same for the floor and the bot runs.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        if not data:
            raise BenchError("%s: server closed the connection" % self.nick)
        self.buf += data
        *whole, self.buf = self.buf.split(b"\r\n")
        for raw in whole:
            if raw.startswith(b"PING "):
                self.sock.sendall(b"PONG " + raw[5:] + b"\r\n")
            elif raw:
                self.lines.append(raw)

    def readline(self):
        """Next line (bytes); socket.timeout after REPLY_TIMEOUT."""
        while not self.lines:
            self._fill()
        return self.lines.pop(0)

    def settle(self, marks):
        """Read until a line containing each of marks (bytes) has arrived,
        in that order; False on a timeout. Used between round trips so
        that nothing of the previous exchange is still on its way."""
        try:
            for m in marks:
                while m not in self.readline():
                    pass
        except socket.timeout:
            return False
        return True

    def drain(self):
        """Read and drop whatever has arrived, without waiting."""
        while select.select([self.sock], [], [], 0)[0]:
            self._fill()
        self.lines.clear()

    def expect(self, pred, timeout, what, proc=None):
        """Read until pred(parsed line) is true; the line is returned.
        With proc, give up as soon as that process has exited."""
        t_end = time.monotonic() + timeout
        while True:
            left = t_end - time.monotonic()
            if left <= 0:
                raise BenchError("%s: no %s within %gs"
                                 % (self.nick, what, timeout))
            if proc is not None:
                if exit_status(proc) is not None:
                    raise BenchError("%s: no %s: the process exited"
                                     % (self.nick, what))
                left = min(left, 0.2)
            self.sock.settimeout(left)
            try:
                raw = self.readline()
            except socket.timeout:
                continue
            finally:
                self.sock.settimeout(REPLY_TIMEOUT)
            p = parse(raw)
            if p[1] in ("432", "433", "465", "ERROR"):
                raise BenchError("%s: server said %s"
                                 % (self.nick, raw.decode("utf-8", "replace")))
            if pred(p):
                return p

    def join(self, channel):
        self.send("JOIN %s" % channel)
        self.expect(lambda p: p[1] == "366", 10, "end of NAMES for " + channel)

    def close(self):
        try:
            self.send("QUIT :bench done")
        except OSError:
            pass
        self.sock.close()


def parse(raw):
    """(source nick, command, params) of one raw line."""
    line = raw.decode("utf-8", "replace")
    src = ""
    if line.startswith(":"):
        src, _, line = line[1:].partition(" ")
        src = src.split("!", 1)[0]
    trailing = None
    if " :" in line:
        line, _, trailing = line.partition(" :")
    parts = line.split()
    cmd, params = (parts[0].upper() if parts else ""), parts[1:]
    if trailing is not None:
        params.append(trailing)
    return src, cmd, params


# ---------------------------------------------------------------- figures

def stats(us):
    """n, p50, p99, p99.9, mean, min, max of a list of microseconds."""
    s = sorted(us)
    n = len(s)

    def rank(p):                        # nearest-rank percentile
        return s[min(n - 1, max(0, math.ceil(p / 100.0 * n) - 1))]
    return {"n": n, "p50": rank(50), "p99": rank(99), "p999": rank(99.9),
            "mean": sum(s) / n, "min": s[0], "max": s[-1]}


class Floor:
    """The in-process relay: floorA and floorB, both in this process, in
    FLOOR_CHANNEL, with idle listeners so that the server sends each line
    to as many clients as in the bot's channel. One round trip: A ->
    server -> B, B answers at once, B -> server -> A. No process wakes
    but this one and the server: a hop fewer than any bot has."""

    def __init__(self, port, listeners):
        self.unsettled = 0
        self.tag = 0
        self.everyone = []
        try:
            for nick in ["floorA", "floorB"] + ["idle%d" % i for i in
                                                range(listeners)]:
                self.everyone.append(Client(port, nick))
            for c in self.everyone:
                c.join(FLOOR_CHANNEL)
            for c in self.everyone:
                c.drain()
        except BaseException:
            self.close()
            raise
        self.a, self.b = self.everyone[:2]
        self.idle = self.everyone[2:]
        self.ping = ("PRIVMSG %s :ping " % FLOOR_CHANNEL).encode()
        self.pong = ("PRIVMSG %s :pong " % FLOOR_CHANNEL).encode()

    def roundtrip(self):
        """One timed round trip, in microseconds; then the listeners
        receive both lines (not timed)."""
        self.tag += 1
        tag = str(self.tag).encode()
        a, b = self.a, self.b
        try:
            t0 = time.monotonic_ns()
            a.sock.sendall(self.ping + tag + b"\r\n")
            while True:                 # B: answer the ping at once
                raw = b.readline()
                if raw.endswith(b" :ping " + tag):
                    b.sock.sendall(self.pong + tag + b"\r\n")
                    break
            while True:                 # A: wait for the answer
                raw = a.readline()
                if raw.endswith(b" :pong " + tag):
                    break
            t1 = time.monotonic_ns()
        except socket.timeout:
            raise BenchError("floor ping-pong: a relayed line did not "
                             "arrive within %gs" % REPLY_TIMEOUT)
        return self.settled(tag, t0, t1)

    def settled(self, tag, t0, t1):
        """Let the listeners receive the pong of tag (not timed); the
        round trip from t0 to t1 in microseconds."""
        for c in self.idle:
            if not c.settle([b" :pong " + tag]):
                self.unsettled += 1
        return (t1 - t0) / 1000.0

    def close(self):
        for c in self.everyone:
            c.close()
        self.everyone = []


def bot_conf_text(port, nick, channel, db, max_reply_lines, rate):
    """A bot config: one channel, the huge flood bucket (and with rate, a
    command_rate as large), the team and the on-call role of the
    benchmark, storage at db."""
    y, mo, d, h, mi = ROLE_START
    return (
        'instance = "bench";\n'
        'irc = {\n'
        '  server = "127.0.0.1"; port = %d; tls = false;\n'
        '  nick = "%s"; channels = ( "%s" );\n'
        '  flood = { burst = %d; interval = "%s"; };\n'
        '%s'
        '  max_reply_lines = %d;\n'
        '};\n'
        'team = { identify = "hostmask"; admins = ( "alice!*@*" );\n'
        '  members = ( %s ); };\n'
        'roles = ( { name = "%s"; members = ( %s );\n'
        '  shift = "%dd"; start = "%04d-%02d-%02d %02d:%02d";'
        ' timezone = "%s"; } );\n'
        'storage = { path = "%s"; };\n'
        % (port, nick, channel, FLOOD_BURST, FLOOD_INTERVAL,
           '  command_rate = { burst = %d; interval = "%s"; };\n'
           % (FLOOD_BURST, FLOOD_INTERVAL) if rate else "",
           max_reply_lines,
           ", ".join('"%s!*@*"' % c for c in BOT_CLIENTS),
           ROLE, ", ".join('"%s"' % m for m in ROLE_MEMBERS),
           ROLE_SHIFT_DAYS, y, mo, d, h, mi, ROLE_TZ, db))


_RATE_KNOWN = {}        # bot binary -> does its config know command_rate


def write_bot_conf(path, port, nick, channel, db, max_reply_lines, bot):
    """Write bot_conf_text to path. irc.command_rate (a per-person command
    limit) is set as large as the flood bucket, for the same reason, when
    the bot knows the key (its `-t` is asked once)."""
    args = (port, nick, channel, db, max_reply_lines)
    if bot not in _RATE_KNOWN:
        with open(path, "w") as f:
            f.write(bot_conf_text(*args, rate=True))
        try:
            r = subprocess.run([bot, "-t", "-c", path], capture_output=True,
                               text=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as e:
            raise BenchError("%s -t: %s" % (bot, e))
        _RATE_KNOWN[bot] = not (r.returncode != 0
                                and "command_rate" in r.stderr)
    with open(path, "w") as f:
        f.write(bot_conf_text(*args, rate=_RATE_KNOWN[bot]))
    return path


def start_bot(argv, log, watcher, channel, nick, timeout=20):
    """Spawn the bot and wait until watcher (a client in channel) sees it
    join. Returns (proc, nick it got, seconds from spawn to JOIN)."""
    t0 = time.monotonic()
    proc = spawn(argv, log)
    try:
        joined = watcher.expect(
            lambda p: p[1] == "JOIN" and p[0].lower().startswith(nick)
            and p[2][:1] and p[2][0].lower() == channel, timeout,
            "JOIN of the bot to " + channel, proc)
    except BenchError as e:
        st = exit_status(proc)
        state = ("exited with status %s" % st if st is not None
                 else "still running")
        stop(proc)
        raise BenchError("%s (bot %s); its log:\n%s" % (e, state, tail(log)))
    return proc, joined[0], time.monotonic() - t0


# ------------------------------------------- the on-call model (checks)

_TZ = None


def role_tz():
    global _TZ
    if _TZ is None:
        _TZ = zoneinfo.ZoneInfo(ROLE_TZ)
    return _TZ


def handoff(k):
    """UTC seconds of the k-th handoff after the anchor (local wall time,
    so a week across a DST change is 167 or 169 hours)."""
    y, mo, d, h, mi = ROLE_START
    day = datetime.date(y, mo, d) + datetime.timedelta(days=ROLE_SHIFT_DAYS
                                                       * k)
    return int(datetime.datetime(day.year, day.month, day.day, h, mi,
                                 tzinfo=role_tz()).timestamp())


def shift_index(t):
    """k such that handoff(k) <= t < handoff(k + 1)."""
    k = (t - handoff(0)) // (ROLE_SHIFT_DAYS * 86400)
    while handoff(k) > t:
        k -= 1
    while handoff(k + 1) <= t:
        k += 1
    return k


def member_at(t):
    """The rotation member at t, by arithmetic from the anchor (what a
    fresh database starts from; no member list edits in this run)."""
    return ROLE_MEMBERS[shift_index(t) % len(ROLE_MEMBERS)]


class Overrides:
    """The stored overrides, indexed by start, for label_at."""

    def __init__(self, rows):
        # rows: (id, person, start, end, created_at)
        self.rows = sorted(rows, key=lambda r: r[2])
        self.starts = [r[2] for r in self.rows]
        self.longest = max((r[3] - r[2] for r in self.rows), default=0)
        self.bounds = sorted({r[2] for r in self.rows}
                             | {r[3] for r in self.rows})

    def winner(self, t, ends_after):
        """Newest (created_at, id) override covering t among those ending
        after ends_after; None if none."""
        best = None
        j = bisect.bisect_right(self.starts, t) - 1
        while j >= 0 and self.starts[j] > t - self.longest - 1:
            r = self.rows[j]
            if r[3] > t and r[3] > ends_after and (
                    best is None or (r[4], r[0]) > (best[4], best[0])):
                best = r
            j -= 1
        return best

    def label_at(self, t, ends_after):
        """(person, covers) at instant t."""
        m = member_at(t)
        w = self.winner(t, ends_after)
        if w is None:
            return (m, "")
        return (w[1], "" if w[1] == m else m)

    def runs(self, now, count, ends_after):
        """The first count runs of equal (person, covers) from the run
        that holds now, each (start, end, person, covers). The first
        run's start is looked up backwards, no earlier than the start of
        the shift holding now (where the bot's schedule begins)."""
        label = self.label_at(now, ends_after)
        floor = handoff(shift_index(now))
        cuts = set(self.bounds)
        k = shift_index(now)
        # handoffs far enough ahead for any count (overrides are short)
        for i in range(k - 1, k + 3 + count):
            cuts.add(handoff(i))
        cuts = sorted(cuts)
        # backwards: the run holding now starts where the label changes
        start = floor
        i = bisect.bisect_right(cuts, now) - 1
        while i >= 0 and cuts[i] > floor:
            if self.label_at(cuts[i] - 1, ends_after) != label:
                start = cuts[i]
                break
            i -= 1
        out = []
        i = bisect.bisect_right(cuts, now)
        while len(out) < count and i < len(cuts):
            lab = self.label_at(cuts[i], ends_after)
            if lab != label:
                out.append((start, cuts[i]) + label)
                start, label = cuts[i], lab
            i += 1
        return out


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
           "Oct", "Nov", "Dec"]
_WHEN = re.compile(r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2}) "
                   r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                   r"(?: (\d{4}))? (\d{2}):(\d{2}) (\S+)$")


def parse_when(text, now):
    """UTC seconds of "Wed 25 Nov 10:00 CET" (year: now's unless given);
    None if it does not parse."""
    m = _WHEN.match(text)
    if not m:
        return None
    year = int(m.group(3)) if m.group(3) else datetime.datetime.fromtimestamp(
        now, role_tz()).year
    for fold in (0, 1):
        dt = datetime.datetime(year, _MONTHS.index(m.group(2)) + 1,
                               int(m.group(1)), int(m.group(4)),
                               int(m.group(5)), tzinfo=role_tz(), fold=fold)
        if dt.tzname() == m.group(6):
            return int(dt.timestamp())
    return None


_SLOT = re.compile(r"^(\S+): " + re.escape(ROLE) + r": (.+?) \u2013 (.+?): "
                   r"(\S+)(?: \(covering for (\S+)\))?$")


def parse_schedule_line(text, now):
    """(start, end, person, covers) of one schedule reply line (without
    the IRC prefix), or None."""
    m = _SLOT.match(text)
    if not m:
        return None
    a, b = parse_when(m.group(2), now), parse_when(m.group(3), now)
    if a is None or b is None:
        return None
    return (a, b, m.group(4), m.group(5) or "")


def fmt_utc(t):
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(t)) + "Z"


def fmt_run(r):
    return "%s - %s %s%s" % (fmt_utc(r[0]), fmt_utc(r[1]), r[2],
                             " (covering for %s)" % r[3] if r[3] else "")


def check_schedule(lines, ovs, t_lo, t_hi):
    """Compare parsed reply lines with the model for a bot "now" in
    [t_lo, t_hi]. Returns (problems, notes): problems are wrong future
    slots, notes concern only the part of the first slot before now."""
    best = None
    for now in sorted({t_lo, t_hi}):
        want = ovs.runs(now, OV_COUNT, now)      # what the bot can see
        full = ovs.runs(now, OV_COUNT, -1)       # with ended overrides too
        probs = []
        if len(lines) != len(want):
            probs.append("%d lines, the model has %d" % (len(lines),
                                                         len(want)))
        for i, (got, exp) in enumerate(zip(lines, want)):
            if got is None:
                probs.append("line %d does not parse" % (i + 1))
            elif got != exp:
                probs.append("line %d: got %s, model %s"
                             % (i + 1, fmt_run(got), fmt_run(exp)))
        notes = []
        if want and full and want[0][0] != full[0][0] and lines and \
                lines[0] is not None and lines[0][0] == want[0][0]:
            notes.append("first slot shown from %s, but overrides that "
                         "ended before now covered part of that (the "
                         "run really starts %s)"
                         % (fmt_utc(want[0][0]), fmt_utc(full[0][0])))
        if best is None or len(probs) < len(best[0]):
            best = (probs, notes)
    return best


# ------------------------------------------------- section 2: round trips

def who_expect(reply, now_lo, now_hi):
    """None if a !who-is-on-call reply (no overrides) names the member
    the rotation arithmetic gives, else what is wrong."""
    text = parse(reply)[2][-1]
    m = re.match(r"^\S+: " + re.escape(ROLE) + r": (\S+) until .+; "
                 r"next: .+$", text)
    if not m:
        return "does not read \"NICK: %s: PERSON until ...; next: ...\"" % (
            ROLE)
    want = {member_at(now_lo), member_at(now_hi)}
    if m.group(1) not in want:
        return "names %s, the rotation gives %s" % (m.group(1),
                                                   "/".join(sorted(want)))
    return None


def bot_roundtrips(bot, port, work, result):
    """Start the bot, then measure each command interleaved with the floor.

    Fills result with one entry per command (latency stats of the bot and
    of its paired floor, problems), memory samples over the whole run; the
    bot process is left running for the memory reading."""
    clients = [Client(port, n) for n in BOT_CLIENTS]
    result["clients"] = clients
    for c in clients:
        c.join(CHANNEL)
    result["inproc"] = Floor(port, len(BOT_CLIENTS) - 1)
    result["floor"] = EchoFloor(port, len(BOT_CLIENTS), work)
    floors = [("inproc", result["inproc"]), ("floor", result["floor"])]
    log = os.path.join(work, "bot.log")
    conf = write_bot_conf(os.path.join(work, "bench.conf"), port, BOT_NICK,
                          CHANNEL, os.path.join(work, "bench.db"), 4, bot)
    proc, nick, started = start_bot([bot, "-c", conf], log, clients[0],
                                    CHANNEL, BOT_NICK)
    result["proc"] = proc
    result["log"] = log
    result["nick"] = nick
    result["started"] = started
    for c in clients:
        c.drain()
    commands = [BENCH_COMMAND]
    if BENCH_COMMAND != EXTRA_COMMAND:
        commands.append(EXTRA_COMMAND)
    result["runs"] = []
    result["samples"] = []
    for command in commands:
        run = {"command": command}
        result["runs"].append(run)
        one_command(proc, log, nick, clients, floors, command, run,
                    result["samples"])
    result["samples"].append(proc_status(proc.pid))


def ask_bot(proc, log, nick, clients, k, req, command, lost, i):
    """Client k sends req and waits for the bot's reply addressed to it.
    Returns (microseconds, raw reply), or None when no reply came within
    REPLY_TIMEOUT (recorded in lost; too many end the run)."""
    c = clients[k]
    # A reply is addressed to the asker: "NICK: ..." in the channel, or
    # anything the bot sends to the asker privately (PRIVMSG or NOTICE).
    src = (":" + nick + "!").encode()
    chan_mark = (" %s :%s: " % (CHANNEL, c.nick)).encode()
    t0 = time.monotonic_ns()
    c.sock.sendall(req)
    try:
        while True:
            raw = c.readline()
            if not raw.startswith(src):
                continue
            head = raw.split(b" ", 2)
            if len(head) < 3 or head[1] not in (b"PRIVMSG", b"NOTICE"):
                continue
            if chan_mark in raw or head[2].startswith(
                    c.nick.encode() + b" :"):
                return (time.monotonic_ns() - t0) / 1000.0, raw
    except socket.timeout:
        pass
    lost.append((i, c.nick))
    if exit_status(proc) is not None:
        raise BenchError("the bot exited (status %s) at request %d; its "
                         "log:\n%s" % (exit_status(proc), i, tail(log)))
    if len(lost) > MAX_LOST:
        raise BenchError(
            "the bot did not answer %d requests for %s within %gs each "
            "(first: request %d from %s); its log:\n%s"
            % (len(lost), command, REPLY_TIMEOUT, lost[0][0], lost[0][1],
               tail(log)))
    for o in clients:                   # a late reply must not count
        o.drain()
    return None


ECHO_CHANNEL = "#bench-echo"


def build_helper(name, build, libs=()):
    """Compile tests/bench/NAME.c into build/NAME when stale."""
    src = os.path.join(HERE, name + ".c")
    exe = os.path.join(build, name)
    os.makedirs(build, exist_ok=True)
    if os.path.exists(exe) and os.path.getmtime(exe) >= os.path.getmtime(src):
        return exe
    flags = []
    if libs:
        try:
            flags = subprocess.run(
                ["pkg-config", "--cflags", "--libs"] + list(libs),
                check=True, capture_output=True, text=True).stdout.split()
        except (OSError, subprocess.CalledProcessError) as e:
            raise BenchError("pkg-config %s: %s" % (" ".join(libs),
                             getattr(e, "stderr", "") or e))
    cc = os.environ.get("CC", "cc")
    r = subprocess.run([cc, "-O2", src] + flags + ["-o", exe],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError("cannot build %s:\n%s" % (exe, r.stderr))
    return exe


class EchoFloor(Floor):
    """The relay floor: a bare client in a process of its own (echo.c)
    answers "ping TAG" with "pong TAG" in ECHO_CHANNEL, where as many
    clients of this process as the bot's take turns asking. One round
    trip: asker -> server -> echo process -> server -> asker, the same
    hops and process wake-ups as a bot round trip, with no work in
    between."""

    def __init__(self, port, askers, work):
        self.unsettled = 0
        self.tag = 0
        self.everyone = []
        self.proc = None
        exe = build_helper("echo", BENCH_DIR)
        try:
            for i in range(askers):
                self.everyone.append(Client(port, "asker%d" % i))
            for c in self.everyone:
                c.join(ECHO_CHANNEL)
            self.proc = spawn([exe, str(port), "echoB", ECHO_CHANNEL],
                              os.path.join(work, "echo.log"),
                              stdout=subprocess.PIPE)
            ready = select.select([self.proc.stdout], [], [], 10)[0]
            if not ready or not self.proc.stdout.readline().startswith(
                    b"ready"):
                raise BenchError("echo client did not join")
            for c in self.everyone:
                c.drain()
        except BaseException:
            self.close()
            raise
        self.ping = ("PRIVMSG %s :ping " % ECHO_CHANNEL).encode()

    def roundtrip(self):
        """One timed round trip, in microseconds; then the listeners
        receive both lines (not timed). The members take turns asking,
        as the bot's clients do, so that where the asker stands in the
        server's member list is the same on both sides."""
        self.tag += 1
        tag = str(self.tag).encode()
        a = self.everyone[self.tag % len(self.everyone)]
        self.idle = [c for c in self.everyone if c is not a]
        try:
            t0 = time.monotonic_ns()
            a.sock.sendall(self.ping + tag + b"\r\n")
            while not a.readline().endswith(b" :pong " + tag):
                pass
            t1 = time.monotonic_ns()
        except socket.timeout:
            raise BenchError("echo ping-pong: no answer within %gs"
                             % REPLY_TIMEOUT)
        return self.settled(tag, t0, t1)

    def close(self):
        Floor.close(self)
        if self.proc is not None:
            stop(self.proc, signal.SIGKILL)
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None


def one_command(proc, log, nick, clients, floors, command, run, samples):
    """WARMUP + N pairs: one round trip of each floor of floors ((key,
    floor) in order, the relay floor last), then one bot round trip for
    command (the clients take turns). A pair whose bot request got no
    reply is left out on all sides. run[key] gets each floor's figures
    and run[key + "_pair_p50"] the median of the per-pair ratios."""
    req = ("PRIVMSG %s :%s\r\n" % (CHANNEL, command)).encode()
    req_mark = (" PRIVMSG %s :%s" % (CHANNEL, command)).encode()
    is_who = command.split()[0] in ("!who-is-on-call", "!oncall", "!who") \
        and len(command.split()) == 1
    out, lost, wrong = [], [], []
    floor_out = {key: [] for key, _ in floors}
    unsettled = 0
    first_reply = None
    run["lost"] = lost
    for i in range(WARMUP + N):
        k = i % len(clients)
        f_us = [(key, f.roundtrip()) for key, f in floors]
        w0 = int(time.time())
        got = ask_bot(proc, log, nick, clients, k, req, command, lost, i)
        if got is None:
            continue
        b_us, raw = got
        if first_reply is None:
            first_reply = raw.decode("utf-8", "replace")
        if is_who and (i < 5 or i % 97 == 0):   # a sample, not every one
            why = who_expect(raw, w0, int(time.time()))
            if why is not None:
                wrong.append("#%d: %s: %s" % (i, why, raw.decode(
                    "utf-8", "replace")))
        if i >= WARMUP:
            out.append(b_us)
            for key, us in f_us:
                floor_out[key].append(us)
            if (i - WARMUP) % MEM_SAMPLE_EVERY == 0:
                samples.append(proc_status(proc.pid))
        # Settle: let every other client receive the request and the
        # reply before the next round trip (not timed).
        marks = [req_mark]
        if (" %s :%s: " % (CHANNEL, clients[k].nick)).encode() in raw:
            marks.append(raw)
        for o in clients:
            if o is not clients[k] and not o.settle(marks):
                unsettled += 1
    run["unsettled"] = unsettled
    run["first_reply"] = first_reply
    run["wrong"] = wrong
    if not out:
        raise BenchError("no %s request got a reply" % command)
    run["stats"] = stats(out)
    for key, f in floor_out.items():
        run[key] = stats(f)
        run[key + "_pair_p50"] = stats([b / x for b, x in
                                        zip(out, f)])["p50"]


# ------------------------------------- section 3: 100,000 stored overrides

def make_overrides(now):
    """OV_ROWS overrides of ROLE in insertion order: (person, start, end).
    One starts about every OV_SLOT seconds from OV_PAST slots before now
    for ~2 years, on whole minutes; most are short, one in seven runs for
    hours (overlapping many); the order is shuffled, so that creation
    order (precedence) is not start order."""
    rng = random.Random(OV_SEED)
    base = (now // 60) * 60 - OV_PAST * OV_SLOT
    rows = []
    for i in range(OV_ROWS):
        start = base + i * OV_SLOT + rng.randrange(0, 5) * 60
        if rng.random() < 1 / 7:
            length = rng.randrange(10, OV_LONG_MAX // 60 + 1) * 60
        else:
            length = rng.randrange(2, 10) * 60
        rows.append((rng.choice(ROLE_MEMBERS), start, start + length))
    rng.shuffle(rows)
    return rows


def fill_overrides(db, now):
    """Insert the overrides in one transaction. Returns the model and
    (user_version, seconds taken)."""
    rows = make_overrides(now)
    t0 = time.monotonic()
    con = sqlite3.connect(db, timeout=10)
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        cols = [r[1] for r in con.execute("PRAGMA table_info(overrides)")]
        need = ["id", "role", "person", "start", "end", "created_at",
                "created_by", "kind", "covers", "cancelled_at"]
        if [c for c in need if c not in cols]:
            raise BenchError("%s: table overrides has columns %s, expected "
                             "%s" % (db, cols, need))
        if con.execute("SELECT count(*) FROM overrides").fetchone()[0]:
            raise BenchError("%s: overrides is not empty" % db)
        created0 = now - 2 * OV_ROWS
        with con:
            con.executemany(
                'INSERT INTO overrides (id, role, person, start, "end", '
                'created_at, created_by, kind, covers, cancelled_at) '
                'VALUES (?, ?, ?, ?, ?, ?, \'alice\', \'override\', NULL, '
                'NULL)',
                ((i + 1, ROLE, p, a, b, created0 + i)
                 for i, (p, a, b) in enumerate(rows)))
        model = Overrides([(i + 1, p, a, b, created0 + i)
                           for i, (p, a, b) in enumerate(rows)])
    except sqlite3.Error as e:
        raise BenchError("%s: cannot insert the overrides: %s" % (db, e))
    finally:
        con.close()
    return model, version, time.monotonic() - t0


_HANDLED = re.compile(rb" debug cmd: (.+?): handled in (\d+) us\s*$")


def handled_times(log, name):
    """The bot's own "handled in N us" figures for command name, in log
    order."""
    out = []
    try:
        with open(log, "rb") as f:
            for line in f:
                m = _HANDLED.search(line)
                if m and m.group(1).decode("utf-8", "replace") == name:
                    out.append(int(m.group(2)))
    except OSError:
        pass
    return out


def fill_outages(db, now):
    """OUT_ROWS outages over the last year (OUT_OPEN still open, their
    nudges already said, so that only replies reach the channel), each
    with its open and (if resolved) resolve timeline entries, in one
    transaction. Returns the seconds it took."""
    rnd = random.Random(4)
    t0 = time.monotonic()
    con = sqlite3.connect(db)
    try:
        with con:
            for i in range(OUT_ROWS):
                opened = now - (OUT_ROWS - i) * (365 * 86400 // OUT_ROWS)
                is_open = i >= OUT_ROWS - OUT_OPEN
                resolved = 0 if is_open else opened + rnd.randint(600,
                                                                  5 * 3600)
                affected = "\n".join(rnd.sample(OUT_COMPONENTS,
                                                rnd.randint(1, 2)))
                cur = con.execute(
                    "INSERT INTO outages (title, severity, state, affected, "
                    "master, opened_by, opened_at, updated_at, resolved_at, "
                    "reminded_stale, reminded_eta) VALUES "
                    "(?, ?, ?, ?, 'alice', 'alice', ?, ?, ?, ?, ?)",
                    ("bench outage %d" % i, rnd.randint(0, 2),
                     0 if is_open else 3, affected, opened,
                     resolved or opened, resolved, now, now))
                oid = cur.lastrowid
                con.execute("INSERT INTO outage_updates (outage_id, at, "
                            "author, text, state, state_changed) VALUES "
                            "(?, ?, 'alice', '', 0, 0)", (oid, opened))
                if not is_open:
                    con.execute("INSERT INTO outage_updates (outage_id, at, "
                                "author, text, state, state_changed) VALUES "
                                "(?, ?, 'alice', 'fixed', 3, 1)",
                                (oid, resolved))
    finally:
        con.close()
    return time.monotonic() - t0


def outages_run(bot, port, work, watcher, result):
    """Section 4: !status, !outage list and !outage stats with OUT_ROWS
    outages stored; the bot's own "handled in" figures per command."""
    d = os.path.join(work, "out")
    os.makedirs(d, exist_ok=True)
    db = os.path.join(d, "out.db")
    log = os.path.join(d, "bot.log")
    conf = write_bot_conf(os.path.join(d, "out.conf"), port, OUT_NICK,
                          OUT_CHANNEL, db, 30, bot)
    with open(conf, "a") as f:
        f.write("statuspage = { components = ( %s ); };\n"
                % ", ".join('"%s"' % c for c in OUT_COMPONENTS))
    watcher.join(OUT_CHANNEL)
    proc, _, _ = start_bot([bot, "-c", conf], log, watcher, OUT_CHANNEL,
                           OUT_NICK)
    stop(proc)
    result["fill_s"] = fill_outages(db, int(time.time()))
    watcher.drain()
    proc, nick, _ = start_bot([bot, "-d", "-c", conf], log, watcher,
                              OUT_CHANNEL, OUT_NICK, timeout=60)
    result["proc"] = proc
    src = (":" + nick + "!").encode()
    mark = (" %s :%s: " % (OUT_CHANNEL, watcher.nick)).encode()
    result["first"] = {}
    for command, _ in OUT_COMMANDS:
        for i in range(OUT_WARMUP + OUT_N):
            watcher.send("PRIVMSG %s :%s" % (OUT_CHANNEL, command))
            t_end = time.monotonic() + REPLY_TIMEOUT
            while True:
                left = t_end - time.monotonic()
                if left <= 0:
                    raise BenchError("no reply to %s; the bot's log:\n%s"
                                     % (command, tail(log)))
                watcher.sock.settimeout(left)
                try:
                    raw = watcher.readline()
                finally:
                    watcher.sock.settimeout(REPLY_TIMEOUT)
                if raw.startswith(src) and mark in raw:
                    result["first"].setdefault(command,
                                               parse(raw)[2][-1])
                    break
            time.sleep(0.02)            # the rest of a reply's lines
            watcher.drain()
    time.sleep(0.3)
    result["us"] = {}
    for command, name in OUT_COMMANDS:
        times = handled_times(log, name)[OUT_WARMUP:]
        result["us"][command] = times
    result["mem"] = proc_status(proc.pid)


def overrides_run(bot, port, work, watcher, result):
    """Section 4. watcher: a connected client named alice."""
    ovdir = os.path.join(work, "ov")
    os.makedirs(ovdir, exist_ok=True)
    db = os.path.join(ovdir, "ov.db")
    log = os.path.join(ovdir, "bot.log")
    conf = write_bot_conf(os.path.join(ovdir, "ov.conf"), port, OV_NICK,
                          OV_CHANNEL, db, OV_MAX_REPLY_LINES, bot)
    result["log"] = log
    watcher.join(OV_CHANNEL)
    # 1. a first start creates the database at the current schema
    proc, _, t_empty = start_bot([bot, "-c", conf], log, watcher,
                                 OV_CHANNEL, OV_NICK)
    stop(proc)
    result["first_exit"] = proc.returncode
    result["start_empty"] = t_empty
    # 2. the overrides
    now = int(time.time())
    model, version, t_fill = fill_overrides(db, now)
    result["user_version"] = version
    result["fill_s"] = t_fill
    con = sqlite3.connect(db)
    try:
        result["loaded_rows"] = con.execute(
            'SELECT count(*) FROM overrides WHERE role = ? AND "end" > ? '
            'AND cancelled_at IS NULL', (ROLE, now)).fetchone()[0]
    finally:
        con.close()
    result["db_mib"] = os.path.getsize(db) / MIB / MIB
    # 3. the bot again, debug log on
    watcher.drain()
    with open(log, "ab") as f:
        f.write(b"---- bench: second start, -d, %d overrides ----\n"
                % OV_ROWS)
    proc, nick, t_full = start_bot([bot, "-d", "-c", conf], log, watcher,
                                   OV_CHANNEL, OV_NICK, timeout=60)
    result["proc"] = proc
    result["start_full"] = t_full
    result["mem_start"] = proc_status(proc.pid)
    watcher.drain()
    src = (":" + nick + "!").encode()
    chan_mark = (" %s :%s: " % (OV_CHANNEL, watcher.nick)).encode()
    notice_mark = (" NOTICE %s :" % watcher.nick).encode()
    clock = time.monotonic_ns

    def ask(command, want_lines):
        """Send command, collect want_lines reply lines (fewer when a
        line is not a schedule line or on a timeout). Returns
        (first-line us, last-line us, [texts], wall now at send, wall
        now after, timed out)."""
        w0 = int(time.time())
        t0 = clock()
        watcher.send("PRIVMSG %s :%s" % (OV_CHANNEL, command))
        got, t_first = [], None
        t_end = time.monotonic() + OV_REPLY_TIMEOUT
        timed_out = False
        while len(got) < want_lines:
            left = t_end - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            watcher.sock.settimeout(left)
            try:
                raw = watcher.readline()
            except socket.timeout:
                timed_out = True
                break
            finally:
                watcher.sock.settimeout(REPLY_TIMEOUT)
            if not raw.startswith(src):
                continue
            if chan_mark not in raw and notice_mark not in raw:
                continue
            if t_first is None:
                t_first = clock()
            text = parse(raw)[2][-1]
            got.append(text)
            if want_lines > 1 and _SLOT.match(text) is None:
                break                   # an error line ends the reply
        t1 = clock()
        return ((t_first - t0) / 1000.0 if t_first else None,
                (t1 - t0) / 1000.0, got, w0, int(time.time()), timed_out)

    sched = "!oncall schedule %d" % OV_COUNT
    first_us, last_us, problems, notes = [], [], [], []
    replies = {}
    lost = 0
    t_budget = time.monotonic() + OV_BUDGET
    done = 0
    for i in range(OV_WARMUP + OV_N):
        if time.monotonic() > t_budget:
            result["cut"] = i
            break
        f_us, l_us, got, w0, w1, timed_out = ask(sched, OV_COUNT)
        if timed_out:
            lost += 1
            if exit_status(proc) is not None:
                raise BenchError("the bot exited (status %s) during "
                                 "!oncall schedule; its log:\n%s"
                                 % (exit_status(proc), tail(log)))
            if lost > MAX_LOST:
                break
            watcher.drain()
            continue
        done += 1
        if i >= OV_WARMUP:
            first_us.append(f_us)
            last_us.append(l_us)
        key = tuple(got)
        if key not in replies:
            replies[key] = (w0, w1)
    result["lost"] = lost
    result["done"] = done
    result["mem_after"] = proc_status(proc.pid)
    # the replies against the model (each distinct reply once)
    for key, (w0, w1) in replies.items():
        parsed = [parse_schedule_line(t, w0) for t in key]
        p, n = check_schedule(parsed, model, w0, w1)
        for x in p:
            problems.append(x)
        for x in n:
            if x not in notes:
                notes.append(x)
    result["replies"] = list(replies)
    result["problems"] = problems
    result["notes"] = notes
    # !who-is-on-call with the same overrides, a few times (information)
    who_us, who_wrong = [], []
    who_done = 0
    for i in range(OV_WARMUP + 20):
        if time.monotonic() > t_budget + 20:
            break
        f_us, l_us, got, w0, w1, timed_out = ask("!who-is-on-call", 1)
        if timed_out or not got:
            continue
        who_done += 1
        if i >= OV_WARMUP:
            who_us.append(l_us)
        m = re.match(r"^\S+: " + re.escape(ROLE) + r": (\S+)"
                     r"(?: \(covering for (\S+)\))? until ", got[0])
        ok = False
        if m:
            for t in (w0, w1):
                if (m.group(1), m.group(2) or "") == model.label_at(t, t):
                    ok = True
        if not ok and len(who_wrong) < 3:
            who_wrong.append("%s (model: %s)" % (
                got[0], " / ".join("%s%s" % (lab[0], " covering for "
                                             + lab[1] if lab[1] else "")
                                   for lab in {model.label_at(w0, w0),
                                               model.label_at(w1, w1)})))
        result["who_first"] = got[0]
    result["who_us"] = who_us
    result["who_wrong"] = who_wrong
    result["mem_end"] = proc_status(proc.pid)
    # the bot's own figures: its log line follows its reply, so wait a bit
    t_end = time.monotonic() + 3
    while True:
        bot_us = handled_times(log, "oncall schedule")
        who_bot = handled_times(log, "who-is-on-call")
        if (len(bot_us) >= done and len(who_bot) >= who_done) or \
                time.monotonic() > t_end:
            break
        time.sleep(0.05)
    result["bot_us"] = bot_us[OV_WARMUP:]
    result["bot_us_n_all"] = len(bot_us)
    result["who_bot_us"] = who_bot[OV_WARMUP:]
    if not last_us:
        raise BenchError("no !oncall schedule request got a full reply; "
                         "the bot's log:\n" + tail(log))
    result["first"] = stats(first_us)
    result["last"] = stats(last_us)
    result["model_example"] = model.runs(int(time.time()), OV_COUNT,
                                         int(time.time()))


def floor_memory(build, work):
    """Compile floor.c (when stale) and read its /proc status."""
    exe = build_helper("floor", build, PKGS)
    log = os.path.join(work, "floor.log")
    proc = spawn([exe], log, stdout=subprocess.PIPE)
    try:
        ready = select.select([proc.stdout], [], [], 10)[0]
        line = proc.stdout.readline() if ready else b""
        if not line.startswith(b"ready"):
            raise BenchError("floor program did not start; its stderr:\n"
                             + tail(log))
        time.sleep(0.5)
        return proc_status(proc.pid)
    finally:
        stop(proc, signal.SIGKILL)
        if proc.stdout:
            proc.stdout.close()


# ----------------------------------------------------------------- output

def environment(bot):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    u = platform.uname()
    try:
        ng = subprocess.run(["ngircd", "--version"], capture_output=True,
                            text=True, timeout=5).stdout.split("\n")[0]
        ng = ng.split("-")[0]
    except (OSError, subprocess.SubprocessError):
        ng = "?"
    try:
        ver = subprocess.run([bot, "-V"], capture_output=True, text=True,
                             timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        ver = "?"
    try:
        load = " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        load = "?"
    print("outagebot benchmark - figures only, nothing here passes or fails")
    print("  cpu        %s (%d online)" % (cpu, os.cpu_count() or 0))
    print("  kernel     %s %s %s" % (u.system, u.release, u.machine))
    print("  software   %s, %s, Python %s" % (ver, ng,
                                               platform.python_version()))
    print("  bot        %s" % bot)
    print("  load avg   %s  (other work on this machine moves latencies)"
          % load)


def row(label, s):
    print("  %-33s %5d %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f"
          % (label, s["n"], s["p50"], s["p99"], s["p999"], s["mean"],
             s["min"], s["max"]))


def header():
    print("  %-33s %5s %8s %8s %8s %8s %8s %8s"
          % ("microseconds (us)", "n", "p50", "p99", "p99.9", "mean", "min",
             "max"))


def mib(kib):
    return kib / MIB


def main():
    sys.stdout.reconfigure(line_buffering=True)   # in order with stderr
    if len(sys.argv) != 2:
        print("usage: bench.py BOT_BINARY", file=sys.stderr)
        return 1
    bot = os.path.abspath(sys.argv[1])
    if not os.access(bot, os.X_OK):
        print("bench: %s is missing or not executable (run make first)"
              % sys.argv[1], file=sys.stderr)
        return 1
    build = BENCH_DIR
    os.makedirs(build, exist_ok=True)
    work = tempfile.mkdtemp(prefix="run-", dir=build)
    keep = os.environ.get("BENCH_KEEP") == "1"
    ngircd = None
    bot_run = {}
    ov_run = {}
    status = 0

    def on_signal(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)

    def on_alarm(signum, frame):
        raise Deadline()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(DEADLINE)

    try:
        environment(bot)
        ngircd, port = start_ngircd(work)
        print("  server     ngircd on 127.0.0.1:%d, MaxPenaltyTime = 0 "
              "(the server paces nobody)" % port)
        print("  bot flood  burst = %d, interval = %s: a bucket this large "
              "never runs dry," % (FLOOD_BURST, FLOOD_INTERVAL))
        print("             so the figures are the bot's, not its flood "
              "pacing")
        print("  clients    in this process, TCP_NODELAY, ACK at once "
              "(ngircd sets no TCP_NODELAY;")
        print("             a delayed ACK would make it hold lines up to "
              "40 ms); monotonic clock")
        print()

        # 1. floor and bot, interleaved
        print("1. Round trips through ngircd, relay floor and bot "
              "interleaved: one floor")
        print("   round trip, then one bot round trip, %d pairs after %d "
              "warm-up pairs per" % (N, WARMUP))
        print("   command, so that drift of this host lands on both.")
        print("   floor: %d clients in this process take turns in %s: "
              "ping -> server ->" % (len(BOT_CLIENTS), ECHO_CHANNEL))
        print("          echo.c, a bare client in a process of its own like "
              "the bot, which")
        print("          answers at once -> server -> the asker")
        print("   bot:   %d clients (%s) take turns in %s:"
              % (len(BOT_CLIENTS), ", ".join(BOT_CLIENTS), CHANNEL))
        print("          send the command, wait for the bot's reply "
              "addressed to the sender")
        print("   Both channels hold %d members, so the server sends each "
              "line to %d clients" % (len(BOT_CLIENTS) + 1,
                                      len(BOT_CLIENTS)))
        print("   on both sides. Between round trips every other member "
              "first receives the")
        print("   previous lines (not timed). Role %s: members %s,"
              % (ROLE, ", ".join(ROLE_MEMBERS)))
        y, mo, d, h, mi = ROLE_START
        print("   shift %dd from %04d-%02d-%02d %02d:%02d %s, no overrides."
              % (ROLE_SHIFT_DAYS, y, mo, d, h, mi, ROLE_TZ))
        print("   in-process (information): floorA -> server -> floorB, "
              "both in this")
        print("          process, in %s: no process hop, which no bot can "
              "avoid; timed" % FLOOR_CHANNEL)
        print("          just before the floor in every pair")
        bot_roundtrips(bot, port, work, bot_run)
        header()
        for run in bot_run["runs"]:
            row("floor (with %s)" % run["command"], run["floor"])
            row("in-process (with %s)" % run["command"], run["inproc"])
            row("bot %s" % run["command"], run["stats"])
        for i, run in enumerate(bot_run["runs"]):
            s, f, ip = run["stats"], run["floor"], run["inproc"]
            target = i == 0
            print("   %s / floor%s" % (run["command"], "" if target
                                           else " (information)"))
            print("     p50 %5.2fx%s   p99 %5.2fx%s"
                  % (s["p50"] / f["p50"],
                     " (target <= 1.1x)" if target else "",
                     s["p99"] / f["p99"],
                     " (target <= 1.5x)" if target else ""))
            print("     min %5.2fx (bot %.1f us, floor %.1f us)"
                  % (s["min"] / f["min"], s["min"], f["min"]))
            print("     median of the %d per-pair ratios %.2fx"
                  % (s["n"], run["floor_pair_p50"]))
            print("     against the in-process relay: p50 %.2fx, min "
                  "%.2fx, per pair %.2fx"
                  % (s["p50"] / ip["p50"], s["min"] / ip["min"],
                     run["inproc_pair_p50"]))
            if f["p99"] > 5 * f["p50"]:
                print("     note: the floor's p99 is %.0fx its p50 - other "
                      "work on this machine" % (f["p99"] / f["p50"]))
                print("     disturbed it; the p99 ratio is unreliable in "
                      "this run")
            print("     first reply: %s" % run["first_reply"])
            if run["lost"]:
                status = 2
                print("     WARNING: %d request(s) got no reply within %gs "
                      "and are not in the figures: %s" % (
                          len(run["lost"]), REPLY_TIMEOUT,
                          ", ".join("#%d %s" % x for x in run["lost"])))
            if run["wrong"]:
                status = 2
                print("     WARNING: %d sampled repl%s disagree with the "
                      "rotation: %s" % (len(run["wrong"]),
                                        "y" if len(run["wrong"]) == 1
                                        else "ies", run["wrong"][0]))
            elif run["command"] == BENCH_COMMAND and BENCH_COMMAND == \
                    "!who-is-on-call":
                print("     check: sampled replies name the member the "
                      "rotation arithmetic gives")
            if run["unsettled"]:
                print("     note: %d time(s) a client did not see the "
                      "previous request or reply within %gs"
                      % (run["unsettled"], REPLY_TIMEOUT))
        for key in ("floor", "inproc"):
            if bot_run[key].unsettled:
                print("   note: %d time(s) an idle %s member did not see "
                      "the previous lines within %gs"
                      % (bot_run[key].unsettled, key, REPLY_TIMEOUT))
        if not _RATE_KNOWN.get(bot):
            print("   (this bot has no irc.command_rate; none was set)")
        print("   not yet measured: the same while 500 HTTP health probes "
              "hang (target <= 2x)")
        print()

        # 2. memory
        samples = bot_run["samples"]
        mem = samples[-1]
        fm = floor_memory(build, work)
        print("2. Memory, MiB, from /proc/PID/status (VmHWM = peak total "
              "RSS)")
        print("  %-36s %8s %8s %8s %8s" % ("", "VmHWM", "VmRSS", "RssAnon",
                                           "RssFile"))

        def mrow(name, m, fmt="%8.2f"):
            print(("  %-36s " + " ".join([fmt] * 4)) % (
                name, mib(m["VmHWM"]), mib(m["VmRSS"]), mib(m["RssAnon"]),
                mib(m["RssFile"])))
        mrow("libraries-only floor (floor.c)", fm)
        mrow("bot, start of timed requests", samples[0])
        mrow("bot, after %d requests" % ((N + WARMUP) * len(bot_run["runs"])),
             mem)
        mrow("bot - floor", {k: mem[k] - fm[k] for k in mem}, "%+8.2f")
        print("   total:     bot %5.2f MiB = floor %+.2f MiB   "
              "(target <= floor + 2 MiB)"
              % (mib(mem["VmHWM"]), mib(mem["VmHWM"] - fm["VmHWM"])))
        print("   anonymous: bot %5.2f MiB, highest of %d samples %.2f MiB   "
              "(target <= 4 MiB)"
              % (mib(mem["RssAnon"]), len(samples),
                 mib(max(x["RssAnon"] for x in samples))))
        print("   not yet measured: RSS with 10,000 outages in history and "
              "all plugins loaded")
        print("   (those come with later features); RSS with 100,000 "
              "overrides: see 3.")
        print()

        # the first bot is done: stop it before the second one starts
        proc = bot_run.pop("proc")
        if exit_status(proc) is not None:
            print("bench: note: the bot had exited (status %s) before the "
                  "end of 2." % exit_status(proc), file=sys.stderr)
        stop(proc)

        # 3. overrides
        print("3. !oncall schedule with %s stored overrides (a second bot "
              "instance, own" % format(OV_ROWS, ","))
        print("   database; %s, nick %s, max_reply_lines = %d)"
              % (OV_CHANNEL, OV_NICK, OV_MAX_REPLY_LINES))
        ov = {}
        ov_run["r"] = ov
        overrides_run(bot, port, work, bot_run["clients"][0], ov)
        print("   setup: started once on an empty database (JOIN after "
              "%.0f ms), stopped" % (ov["start_empty"] * 1000))
        print("          (exit status %s), schema user_version %s; "
              "inserted %s rows in one" % (ov["first_exit"],
                                           ov["user_version"],
                                           format(OV_ROWS, ",")))
        print("          transaction (%.2f s), database %.1f MiB. Rows: "
              "role %s, person one" % (ov["fill_s"], ov["db_mib"], ROLE))
        print("          of %s, a start about every %d min on whole "
              "minutes from %d slots" % ("/".join(ROLE_MEMBERS),
                                         OV_SLOT // 60, OV_PAST))
        print("          ago for ~%.1f years, 6 in 7 last 2-9 min, 1 in 7 "
              "10 min-%d h (overlapping)," % (
                  OV_ROWS * OV_SLOT / (365.25 * 86400), OV_LONG_MAX // 3600))
        print("          inserted in shuffled order with created_at "
              "increasing (precedence is")
        print("          not start order), created_by alice, kind "
              "override. %s end after now" % format(ov["loaded_rows"], ","))
        print("          (the bot loads these for every request).")
        print("   restarted with -d: JOIN after %.0f ms. \"!oncall schedule "
              "%d\" from alice, %d times"
              % (ov["start_full"] * 1000, OV_COUNT, OV_N))
        print("   after %d warm-up, one outstanding; a round trip ends "
              "with the last of the %d" % (OV_WARMUP, OV_COUNT))
        print("   reply lines.%s" % (
            "  Cut short by the %d s budget after %d requests."
            % (OV_BUDGET, ov["cut"]) if "cut" in ov else ""))
        print("  %-29s %5s %8s %8s %8s %8s %8s %8s"
              % ("milliseconds (ms)", "n", "p50", "p99", "p99.9", "mean",
                 "min", "max"))

        def msrow(label, s):
            print("  %-29s %5d %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f"
                  % (label, s["n"], s["p50"] / 1000, s["p99"] / 1000,
                     s["p999"] / 1000, s["mean"] / 1000, s["min"] / 1000,
                     s["max"] / 1000))
        floor1 = bot_run["runs"][0]["floor"]
        msrow("floor (from 1.)", floor1)
        msrow("client: first reply line", ov["first"])
        msrow("client: all %d lines" % OV_COUNT, ov["last"])
        if ov["bot_us"]:
            msrow("bot log: handled in", stats(ov["bot_us"]))
        else:
            print("   bot log: no \"cmd: oncall schedule: handled in N us\" "
                  "lines found (%d in all)" % ov["bot_us_n_all"])
        if ov["who_us"]:
            msrow("client: !who-is-on-call", stats(ov["who_us"]))
        if ov["who_bot_us"]:
            msrow("bot log: who-is-on-call", stats(ov["who_bot_us"]))
        s = ov["last"]
        print("   ratio to the floor of 1.: p50 %.0fx, p99 %.0fx (no target "
              "in DESIGN 11; information)"
              % (s["p50"] / floor1["p50"], s["p99"] / floor1["p99"]))
        if ov["bot_us"]:
            b = stats(ov["bot_us"])
            print("   bot-side: p50 %.2f ms, p99 %.2f ms, max %.2f ms per "
                  "request (%d log lines)" % (b["p50"] / 1000,
                                               b["p99"] / 1000,
                                               b["max"] / 1000, b["n"]))
        print("   first reply (%d lines):" % len(ov["replies"][0]))
        for t in ov["replies"][0]:
            print("     | %s" % t)
        if ov["lost"]:
            status = 2
            print("   WARNING: %d request(s) got no full reply within %gs"
                  % (ov["lost"], OV_REPLY_TIMEOUT))
        if ov["problems"]:
            status = 2
            print("   WARNING: replies disagree with the model (newest "
                  "override covering an instant")
            print("   wins; rotation by arithmetic from the anchor), "
                  "%d distinct repl%s:"
                  % (len(ov["replies"]),
                     "y" if len(ov["replies"]) == 1 else "ies"))
            for p in ov["problems"][:12]:
                print("     - %s" % p)
        else:
            print("   check: %d distinct repl%s, each equal to the model "
                  "(newest override covering" % (
                      len(ov["replies"]),
                      "y" if len(ov["replies"]) == 1 else "ies"))
            print("   an instant wins; rotation by arithmetic from the "
                  "anchor), slot by slot")
        for n in ov["notes"]:
            print("   note: %s" % n)
        if ov["who_wrong"]:
            status = 2
            print("   WARNING: !who-is-on-call disagrees with the model: %s"
                  % ov["who_wrong"][0])
        elif "who_first" in ov:
            print("   !who-is-on-call: %s  (agrees with the model)"
                  % ov["who_first"])
        print("  %-36s %8s %8s %8s %8s" % ("MiB", "VmHWM", "VmRSS", "RssAnon",
                                           "RssFile"))
        mrow("bot 1 (no overrides), end of 2.", mem)
        mrow("bot 2, after start (100k stored)", ov["mem_start"])
        mrow("bot 2, after the schedule requests", ov["mem_after"])
        mrow("bot 2, at the end of 3.", ov["mem_end"])
        e = ov["mem_end"]
        print("   bot 2: VmHWM %.2f MiB (floor %+.2f MiB), RssAnon %.2f MiB "
              "(information: the" % (mib(e["VmHWM"]),
                                     mib(e["VmHWM"] - fm["VmHWM"]),
                                     mib(e["RssAnon"])))
        print("   memory targets of DESIGN 11 are set for 10,000 outages "
              "and all plugins)")
        print()

        # 4. outages
        print("4. !status, !outage list and !outage stats with %s outages "
              "stored (a third" % format(OUT_ROWS, ","))
        print("   bot instance, own database, %s, nick %s; %d open, the "
              "rest resolved over"  % (OUT_CHANNEL, OUT_NICK, OUT_OPEN))
        print("   the last year, 1-2 of %d components each; %d requests "
              "per command after %d" % (len(OUT_COMPONENTS), OUT_N,
                                        OUT_WARMUP))
        print("   warm-up; the bot's own \"handled in\" time, from "
              "reading the line to the")
        print("   reply queued; target < 1 ms each)")
        out = {}
        ov_run["out"] = out
        outages_run(bot, port, work, bot_run["clients"][0], out)
        print("   setup: %s outages inserted in %.2f s"
              % (format(OUT_ROWS, ","), out["fill_s"]))
        print("  %-29s %5s %8s %8s %8s %8s %8s"
              % ("milliseconds (ms)", "n", "p50", "p99", "mean", "min",
                 "max"))
        for command, _ in OUT_COMMANDS:
            us = out["us"][command]
            if not us:
                print("  %-29s no \"handled in\" lines" % command)
                continue
            st = stats(us)
            print("  %-29s %5d %8.3f %8.3f %8.3f %8.3f %8.3f"
                  % ("bot log: " + command, st["n"], st["p50"] / 1000,
                     st["p99"] / 1000, st["mean"] / 1000, st["min"] / 1000,
                     st["max"] / 1000))
        for command, _ in OUT_COMMANDS:
            print("   %s: %s" % (command, out["first"].get(command, "?")))
        m = out["mem"]
        print("   bot 3 with %s outages: VmHWM %.2f MiB, RssAnon %.2f MiB "
              "(no plugins yet)" % (format(OUT_ROWS, ","), mib(m["VmHWM"]),
                                     mib(m["RssAnon"])))

        # 5. status pages
        print()
        print("5. status pages: !outage open until every job is done, "
              "%d opens per" % status_bench.OPENS)
        print("   configuration, every backend pointed at a local fake; "
              "then memory with")
        print("   %s outages imported (own bot instance, %s, nick %s)"
              % (format(status_bench.IMPORT_N, ","), status_bench.CHANNEL,
                 status_bench.NICK))
        sp = status_bench.run(sys.modules[__name__], bot, port, work,
                              bot_run["clients"][0])
        status_bench.report(sys.modules[__name__], sp)
    except BenchError as e:
        print("\nbench: cannot run: %s" % e, file=sys.stderr)
        status = 1
        keep = True
    except Deadline:
        print("\nbench: stopped after %d s (the benchmark is bounded)"
              % DEADLINE, file=sys.stderr)
        status = 1
        keep = True
    except KeyboardInterrupt:
        print("\nbench: interrupted", file=sys.stderr)
        status = 130
    finally:
        signal.alarm(0)
        # A second Ctrl-C must not cut the clean-up short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for c in bot_run.get("clients", []):
            try:
                c.close()
            except OSError:
                pass
        for key in ("floor", "inproc"):
            if bot_run.get(key) is not None:
                try:
                    bot_run[key].close()
                except OSError:
                    pass
        proc = bot_run.get("proc")
        if (proc is not None and status == 0
                and exit_status(proc) is not None):
            print("bench: note: the bot had exited (status %s) before the "
                  "end" % exit_status(proc), file=sys.stderr)
        stop(proc)
        stop(ov_run.get("out", {}).get("proc"))
        proc = ov_run.get("r", {}).get("proc")
        if (proc is not None and status in (0, 2)
                and exit_status(proc) is not None):
            print("bench: note: the second bot had exited (status %s) "
                  "before the end" % exit_status(proc), file=sys.stderr)
        stop(proc)
        stop(ngircd)
        if keep:
            print("bench: logs and configs kept in %s" % work,
                  file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
