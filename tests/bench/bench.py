#!/usr/bin/env python3
"""bench.py - the figures behind `make bench` (DESIGN.md section 11).

Usage: python3 tests/bench/bench.py BOT_BINARY

Starts a throwaway ngircd on a free loopback port, then measures:

  1. the relay floor: a ping-pong between two plain clients through the
     server (A -> server -> B, B answers at once, B -> server -> A);
  2. the bot's round trip for BENCH_COMMAND from several clients in turn,
     as a ratio to that floor;
  3. the bot's memory next to a "libraries only" floor (floor.c).

It prints figures and targets side by side and asserts nothing: a high
number never fails it. Exit status: 0 when every figure was measured,
1 when something could not run at all (no server, no bot, no compiler),
2 when it ran but the bot left some requests unanswered (the figures are
then printed all the same, with a warning).

Environment (all optional):
  BENCH_COMMAND   command sent to the bot (default "!version"; switch to
                  "!who-is-on-call" once that command exists)
  BENCH_N         round trips per measurement (default 2000)
  BENCH_KEEP=1    keep the work directory (configs, logs) afterwards

Python 3 standard library only. Everything it starts is stopped on exit,
on error, on Ctrl-C and on SIGTERM; children also get SIGKILL from the
kernel if this script dies without cleaning up (PR_SET_PDEATHSIG).
"""

import ctypes
import math
import os
import platform
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BENCH_COMMAND = os.environ.get("BENCH_COMMAND", "!version")
try:
    N = max(1, int(os.environ.get("BENCH_N", "2000")))
except ValueError:
    sys.exit("bench: BENCH_N must be a number")
WARMUP = 100
CHANNEL = "#bench"
BOT_NICK = "outagebot"
BOT_CLIENTS = ["alice", "c1", "c2", "c3", "c4"]
# The bot's token bucket, set so large that it never runs dry during the
# run: this measures the bot, not its pacing. (burst = 1000 with interval
# 1s would run dry after ~1000 replies and then pace one line a second.)
FLOOD_BURST = 1000000
FLOOD_INTERVAL = "1s"
REPLY_TIMEOUT = 5.0         # seconds for one bot reply
MAX_LOST = 3                # give up on the bot after this many timeouts
DEADLINE = 170              # seconds for the whole run (brief: < 3 min)
MEM_SAMPLE_EVERY = 250      # sample the bot's /proc status every k requests
PKGS = ["libcurl", "openssl", "sqlite3", "jansson", "libconfig"]
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


def floor_pingpong(port, listeners):
    """Round trips A -> server -> B -> server -> A, one outstanding.

    listeners: extra idle clients in the channel (they only receive)."""
    a, b = Client(port, "floorA"), Client(port, "floorB")
    idle = [Client(port, "idle%d" % i) for i in range(listeners)]
    everyone = [a, b] + idle
    try:
        for c in everyone:
            c.join(CHANNEL)
        for c in everyone:
            c.drain()
        ping = ("PRIVMSG %s :ping " % CHANNEL).encode()
        pong = ("PRIVMSG %s :pong " % CHANNEL).encode()
        clock = time.monotonic_ns
        out = []
        for i in range(WARMUP + N):
            tag = str(i).encode()
            t0 = clock()
            a.sock.sendall(ping + tag + b"\r\n")
            while True:                 # B: answer the ping at once
                raw = b.readline()
                if raw.endswith(b" :ping " + tag):
                    b.sock.sendall(pong + tag + b"\r\n")
                    break
            while True:                 # A: wait for the answer
                raw = a.readline()
                if raw.endswith(b" :pong " + tag):
                    break
            t1 = clock()
            if i >= WARMUP:
                out.append((t1 - t0) / 1000.0)
            for c in idle:
                c.settle([b" :pong " + tag])
        return stats(out)
    except socket.timeout:
        raise BenchError("floor ping-pong: a relayed line did not arrive "
                         "within %gs" % REPLY_TIMEOUT)
    finally:
        for c in everyone:
            c.close()


def write_bot_conf(work, port):
    path = os.path.join(work, "bench.conf")
    with open(path, "w") as f:
        f.write(
            'instance = "bench";\n'
            'irc = {\n'
            '  server = "127.0.0.1"; port = %d; tls = false;\n'
            '  nick = "%s"; channels = ( "%s" );\n'
            '  flood = { burst = %d; interval = "%s"; };\n'
            '  max_reply_lines = 4;\n'
            '};\n'
            'team = { identify = "hostmask"; admins = ( "alice!*@*" );\n'
            '  members = ( "alice!*@*" ); };\n'
            'storage = { path = "%s"; };\n'
            % (port, BOT_NICK, CHANNEL, FLOOD_BURST, FLOOD_INTERVAL,
               os.path.join(work, "bench.db")))
    return path


def bot_roundtrips(bot, port, work, result):
    """Start the bot, then K clients ask BENCH_COMMAND in turn.

    Fills result with latency stats, memory samples and problems; the bot
    process is left running for the memory reading."""
    clients = [Client(port, n) for n in BOT_CLIENTS]
    result["clients"] = clients
    for c in clients:
        c.join(CHANNEL)
    log = os.path.join(work, "bot.log")
    conf = write_bot_conf(work, port)
    proc = spawn([bot, "-c", conf], log)
    result["proc"] = proc
    result["log"] = log
    alice = clients[0]
    try:
        joined = alice.expect(
            lambda p: p[1] == "JOIN" and p[0].lower().startswith(BOT_NICK)
            and p[2][:1] and p[2][0].lower() == CHANNEL, 20,
            "JOIN of the bot to " + CHANNEL, proc)
    except BenchError as e:
        st = exit_status(proc)
        state = ("exited with status %s" % st if st is not None
                 else "still running")
        raise BenchError("%s (bot %s); its log:\n%s" % (e, state, tail(log)))
    nick = joined[0]
    result["nick"] = nick
    for c in clients:
        c.drain()

    cmd = BENCH_COMMAND.encode()
    req = [("PRIVMSG %s :" % CHANNEL).encode() + cmd + b"\r\n"] * len(clients)
    # A reply is addressed to the asker: "NICK: ..." in the channel, or
    # anything the bot sends to the asker privately (PRIVMSG or NOTICE).
    src = (":" + nick + "!").encode()
    chan_mark = [(" %s :%s: " % (CHANNEL, c.nick)).encode() for c in clients]
    req_mark = (" PRIVMSG %s :%s" % (CHANNEL, BENCH_COMMAND)).encode()
    clock = time.monotonic_ns
    out, lost, samples = [], [], []
    unsettled = 0
    first_reply = None
    for i in range(WARMUP + N):
        k = i % len(clients)
        c = clients[k]
        t0 = clock()
        c.sock.sendall(req[k])
        try:
            while True:
                raw = c.readline()
                if not raw.startswith(src):
                    continue
                head = raw.split(b" ", 2)
                if len(head) < 3 or head[1] not in (b"PRIVMSG", b"NOTICE"):
                    continue
                if chan_mark[k] in raw or head[2].startswith(
                        c.nick.encode() + b" :"):
                    break
            t1 = clock()
        except socket.timeout:
            lost.append((i, c.nick))
            if exit_status(proc) is not None:
                raise BenchError("the bot exited (status %s) at request %d; "
                                 "its log:\n%s" % (exit_status(proc), i,
                                                   tail(log)))
            if len(lost) > MAX_LOST:
                result["lost"] = lost
                raise BenchError(
                    "the bot did not answer %d requests within %gs each "
                    "(first: request %d from %s); its log:\n%s"
                    % (len(lost), REPLY_TIMEOUT, lost[0][0], lost[0][1],
                       tail(log)))
            for o in clients:           # a late reply must not count
                o.drain()
            continue
        if first_reply is None:
            first_reply = raw.decode("utf-8", "replace")
        if i >= WARMUP:
            out.append((t1 - t0) / 1000.0)
            if (i - WARMUP) % MEM_SAMPLE_EVERY == 0:
                samples.append(proc_status(proc.pid))
        # Settle: let every other client receive the request and the
        # reply before the next request goes out (see the note printed).
        marks = [req_mark]
        if chan_mark[k] in raw:
            marks.append(raw)
        for o in clients:
            if o is not c and not o.settle(marks):
                unsettled += 1
    samples.append(proc_status(proc.pid))
    result["lost"] = lost
    result["unsettled"] = unsettled
    result["first_reply"] = first_reply
    result["samples"] = samples
    if not out:
        raise BenchError("no request got a reply")
    result["stats"] = stats(out)


def floor_memory(build, work):
    """Compile floor.c (when stale) and read its /proc status."""
    src = os.path.join(HERE, "floor.c")
    exe = os.path.join(build, "floor")
    os.makedirs(build, exist_ok=True)
    if (not os.path.exists(exe)
            or os.path.getmtime(exe) < os.path.getmtime(src)):
        try:
            flags = subprocess.run(
                ["pkg-config", "--cflags", "--libs"] + PKGS, check=True,
                capture_output=True, text=True).stdout.split()
        except (OSError, subprocess.CalledProcessError) as e:
            raise BenchError("pkg-config %s: %s" % (" ".join(PKGS),
                             getattr(e, "stderr", "") or e))
        cc = os.environ.get("CC", "cc")
        r = subprocess.run([cc, "-O2", src] + flags + ["-o", exe],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError("cannot build %s:\n%s" % (exe, r.stderr))
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
    print("  %-29s %5d %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f"
          % (label, s["n"], s["p50"], s["p99"], s["p999"], s["mean"],
             s["min"], s["max"]))


def header():
    print("  %-29s %5s %8s %8s %8s %8s %8s %8s"
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

        # 1. floor
        print("1. Relay floor: ping-pong between two plain clients through "
              "ngircd")
        print("   A -> server -> B, B answers at once, B -> server -> A; "
              "one round trip")
        print("   outstanding; %d round trips after %d warm-up"
              % (N, WARMUP))
        header()
        floor2 = floor_pingpong(port, 0)
        row("floor, 2 in %s" % CHANNEL, floor2)
        floor6 = floor_pingpong(port, len(BOT_CLIENTS) - 1)
        row("floor, 6 in %s" % CHANNEL, floor6)
        print("   The second row adds 4 idle members, so that the server "
              "sends each line")
        print("   to as many clients as in the bot run. Targets use the "
              "first row.")
        print()

        # 2. bot
        print('2. Bot round trip: "%s"%s' % (
            BENCH_COMMAND, " (stands in for !who-is-on-call until that "
            "exists)" if BENCH_COMMAND == "!version" else ""))
        print("   %d clients (%s) take turns: send the command, wait for "
              "the bot's" % (len(BOT_CLIENTS), ", ".join(BOT_CLIENTS)))
        print("   reply addressed to the sender; one request outstanding; "
              "%d requests" % N)
        print("   after %d warm-up. Between requests every client first "
              "receives the" % WARMUP)
        print("   previous request and reply (not timed).")
        bot_roundtrips(bot, port, work, bot_run)
        s = bot_run["stats"]
        header()
        row("floor, 2 in %s (from 1.)" % CHANNEL, floor2)
        row("bot %s" % BENCH_COMMAND, s)
        print("   first reply: %s" % bot_run["first_reply"])
        print("   ratio to floor, 2 in %s:  p50 %5.2fx  (target <= 1.2x)"
              "   p99 %5.2fx  (target <= 1.5x)"
              % (CHANNEL, s["p50"] / floor2["p50"], s["p99"] / floor2["p99"]))
        print("   ratio to floor, 6 in %s:  p50 %5.2fx  (information)"
              "      p99 %5.2fx  (information)"
              % (CHANNEL, s["p50"] / floor6["p50"], s["p99"] / floor6["p99"]))
        if bot_run["lost"]:
            status = 2
            print("   WARNING: %d request(s) got no reply within %gs and are "
                  "not in the figures: %s" % (
                      len(bot_run["lost"]), REPLY_TIMEOUT,
                      ", ".join("#%d %s" % x for x in bot_run["lost"])))
        if bot_run["unsettled"]:
            print("   note: %d time(s) a client did not see the previous "
                  "request or reply within %gs"
                  % (bot_run["unsettled"], REPLY_TIMEOUT))
        print("   not yet measured: the same while 500 HTTP health probes "
              "hang (target <= 2x)")
        print()

        # 3. memory
        samples = bot_run["samples"]
        mem = samples[-1]
        fm = floor_memory(build, work)
        print("3. Memory, MiB, from /proc/PID/status (VmHWM = peak total "
              "RSS)")
        print("  %-36s %8s %8s %8s %8s" % ("", "VmHWM", "VmRSS", "RssAnon",
                                           "RssFile"))

        def mrow(name, m, fmt="%8.2f"):
            print(("  %-36s " + " ".join([fmt] * 4)) % (
                name, mib(m["VmHWM"]), mib(m["VmRSS"]), mib(m["RssAnon"]),
                mib(m["RssFile"])))
        mrow("libraries-only floor (floor.c)", fm)
        mrow("bot, start of timed requests", samples[0])
        mrow("bot, after %d requests" % (N + WARMUP), mem)
        mrow("bot - floor", {k: mem[k] - fm[k] for k in mem}, "%+8.2f")
        print("   total:     bot %5.2f MiB = floor %+.2f MiB   "
              "(target <= floor + 2 MiB)"
              % (mib(mem["VmHWM"]), mib(mem["VmHWM"] - fm["VmHWM"])))
        print("   anonymous: bot %5.2f MiB, highest of %d samples %.2f MiB   "
              "(target <= 4 MiB)"
              % (mib(mem["RssAnon"]), len(samples),
                 mib(max(x["RssAnon"] for x in samples))))
        print("   not yet measured: RSS with 10,000 outages in history and "
              "all plugins loaded,")
        print("   and !oncall schedule with 100,000 overrides: these come "
              "with later features.")
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
        proc = bot_run.get("proc")
        if (proc is not None and status == 0
                and exit_status(proc) is not None):
            print("bench: note: the bot had exited (status %s) before the "
                  "end" % exit_status(proc), file=sys.stderr)
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
