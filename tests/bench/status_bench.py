"""status_bench.py - section 5 of `make bench`: status pages.

Two figures, each next to the same figure without status pages:

  - the time from `!outage open` (sent by a client) until every job of
    that outage is done, read from the bot's jobs table, with every
    backend pointed at a local fake that answers at once (cState and
    Statusfy through the contents API and in a folder, issues, Cachet,
    webhook, Telegram); and per backend, until its job is done;
  - the bot's peak memory (VmHWM) and anonymous RSS with 10,000 outages
    imported by `outagebot import-cstate`.

It uses bench.py's helpers (processes, the IRC client, figures) and the
fakes of tests/fakes; it asserts nothing.
"""

import importlib.util
import os
import re
import sqlite3
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CHANNEL = "#bench-status"
NICK = "spbot"
OPENS = 12                  # outages opened per configuration
GAP = 1.2                   # seconds between two opens (GitHub pacing)
IMPORT_N = 10000            # outages imported for the memory figure
COMPONENTS = ("API", "Workers", "Dashboard")
TOKEN = "bench-token"
TG_TOKEN = "123456:bench-token"
CHAT = "-1001"
SECRET = "bench-secret"


def _fake(name):
    path = os.path.join(ROOT, "tests", "fakes", name + ".py")
    spec = importlib.util.spec_from_file_location("bench_fake_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _secret(d, name, value):
    path = os.path.join(d, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return path


def start_fakes(d):
    """Every fake a backend writes to; returns (fakes, backend conf)."""
    gh = _fake("github").FakeGitHub(token=TOKEN).start()
    ca = _fake("cachet").FakeCachet(token=TOKEN).start()
    for n in COMPONENTS:
        ca.add_component(n)
    wh = _fake("webhook").FakeWebhook(secret=SECRET).start()
    tg = _fake("telegram").FakeTelegram(token=TG_TOKEN,
                                        chats=[int(CHAT)]).start()
    tok = _secret(d, "token", TOKEN)
    site = os.path.join(d, "site")
    os.makedirs(os.path.join(site, "cstate"), exist_ok=True)
    os.makedirs(os.path.join(site, "statusfy"), exist_ok=True)
    backends = [
        '{ type = "cstate"; repo = "bench/status"; api_url = "%s"; '
        'token_file = "%s"; }' % (gh.api_url, tok),
        '{ type = "statusfy"; repo = "bench/statusfy"; api_url = "%s"; '
        'token_file = "%s"; }' % (gh.api_url, tok),
        '{ type = "cstate"; dir = "%s"; }' % os.path.join(site, "cstate"),
        '{ type = "statusfy"; dir = "%s"; }' % os.path.join(site,
                                                           "statusfy"),
        '{ type = "issues"; repo = "bench/incidents"; api_url = "%s"; '
        'token_file = "%s"; }' % (gh.api_url, tok),
        '{ type = "cachet"; url = "%s"; token_file = "%s"; }'
        % (ca.url, tok),
        '{ type = "webhook"; url = "%s"; secret_file = "%s"; }'
        % (wh.url, _secret(d, "wh-secret", SECRET)),
        '{ type = "telegram"; api_url = "%s"; chat_id = "%s"; '
        'token_file = "%s"; }' % (tg.api_url, CHAT,
                                  _secret(d, "tg-token", TG_TOKEN)),
    ]
    return [gh, ca, wh, tg], backends


def write_conf(bench, bot, path, port, db, backends):
    bench.write_bot_conf(path, port, NICK, CHANNEL, db, 30, bot)
    with open(path, "a") as f:
        f.write("statuspage = { components = ( %s );\n"
                % ", ".join('"%s"' % c for c in COMPONENTS))
        if backends:
            f.write("  backends = ( %s );\n" % ",\n    ".join(backends))
        f.write("};\n")
    return path


def jobs_of(db, outage_id):
    """(kind, state) of every job of an outage."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
    try:
        return con.execute("SELECT kind, state, id FROM jobs "
                           "WHERE outage_id = ?", (outage_id,)).fetchall()
    finally:
        con.close()


def one_open(bench, watcher, nick, db, i, deadline=30.0):
    """Open one outage; seconds until each job kind is done, and until
    all are: (total, {kind prefix: seconds})."""
    src = (":" + nick + "!").encode()
    watcher.send("PRIVMSG %s :!outage open --affected API,Workers "
                 "bench outage %d" % (CHANNEL, i))
    t0 = time.monotonic()
    oid = None
    while oid is None:
        raw = watcher.readline()
        if raw.startswith(src) and b" opened" in raw:
            words = bench.parse(raw)[2][-1].split()
            for w in words:
                if w.startswith("#") and w[1:].isdigit():
                    oid = int(w[1:])
                    break
    done = {}
    while time.monotonic() - t0 < deadline:
        rows = jobs_of(db, oid)
        now = time.monotonic() - t0
        for kind, state, _ in rows:
            key = _backend_of(kind)
            if state == 2:
                done.setdefault(key, now)
        if rows and all(s == 2 for _, s, _ in rows):
            return now, done
        if any(s == 3 for _, s, _ in rows):
            raise bench.BenchError("a job died: %r" % rows)
        time.sleep(0.002)
    raise bench.BenchError("outage #%s: jobs not done after %.0f s: %r"
                           % (oid, deadline, jobs_of(db, oid)))


def _backend_of(kind):
    """"sp.cstate-1a2b3c4d.opened" -> "cstate-1a2b3c4d"; "irc.say" ->
    "irc"."""
    parts = kind.split(".")
    return parts[1] if parts[0] == "sp" and len(parts) > 2 else parts[0]


def opens(bench, bot, port, d, watcher, backends, label):
    os.makedirs(d, exist_ok=True)
    db = os.path.join(d, "bot.db")
    log = os.path.join(d, "bot.log")
    conf = write_conf(bench, bot, os.path.join(d, "bot.conf"), port, db,
                      backends)
    proc, nick, _ = bench.start_bot([bot, "-c", conf], log, watcher,
                                    CHANNEL, NICK)
    totals, per = [], {}
    try:
        watcher.drain()
        for i in range(OPENS):
            total, done = one_open(bench, watcher, nick, db, i)
            totals.append(total * 1e6)
            for k, s in done.items():
                per.setdefault(k, []).append(s * 1e6)
            time.sleep(GAP)
            watcher.drain()
    except bench.BenchError as e:
        raise bench.BenchError("%s (%s); the bot's log:\n%s"
                               % (e, label, bench.tail(log)))
    finally:
        bench.stop(proc)
    return totals, per, _labels(log)


def _labels(log):
    """Backend key -> "cstate, repo bench/status", from the bot's log."""
    out = {}
    with open(log, errors="replace") as f:
        for line in f:
            m = re.search(r"status: ((\w+)-[0-9a-f]{8}) (?:writes to "
                          r"(repo|folder) (\S+)|is ready)", line)
            if m:
                out[m.group(1)] = m.group(2) + (
                    ", " + m.group(3) if m.group(3) else "")
    return out


def write_cstate_folder(d, n):
    """n cState issue files, as a team's content/issues would hold."""
    os.makedirs(d, exist_ok=True)
    t0 = 1640995200         # 2022-01-01
    for i in range(n):
        t = t0 + i * 3 * 3600
        day = time.strftime("%Y-%m-%d", time.gmtime(t))
        when = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))
        fixed = time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                              time.gmtime(t + 1800 + (i % 7) * 600))
        comp = COMPONENTS[i % len(COMPONENTS)]
        with open(os.path.join(d, "%s-bench-%d.md" % (day, i)), "w") as f:
            f.write('---\ntitle: "Bench outage %d"\ndate: "%s"\n'
                    'affected:\n  - %s\nresolved: true\n'
                    'resolvedWhen: "%s"\nsection: issue\n'
                    'severity: disrupted\n---\n\n'
                    'Updates:\n\n- %s: fixed\n'
                    % (i, when, comp, fixed, fixed))


def memory(bench, bot, port, d, watcher, backends):
    """Import IMPORT_N outages, then the bot's memory without and with
    status pages: {"import_s", "none": proc_status, "all": ...}."""
    os.makedirs(d, exist_ok=True)
    db = os.path.join(d, "mem.db")
    folder = os.path.join(d, "issues")
    write_cstate_folder(folder, IMPORT_N)
    conf0 = write_conf(bench, bot, os.path.join(d, "none.conf"), port, db,
                       [])
    conf1 = write_conf(bench, bot, os.path.join(d, "all.conf"), port, db,
                       backends)
    t0 = time.monotonic()
    r = subprocess.run([bot, "-c", conf0, "import-cstate", folder],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    out = {"import_s": time.monotonic() - t0}
    if r.returncode != 0:
        raise bench.BenchError("import-cstate exited %d: %s"
                               % (r.returncode, r.stderr[-500:]))
    for key, conf in (("none", conf0), ("all", conf1)):
        log = os.path.join(d, key + ".log")
        proc, nick, _ = bench.start_bot([bot, "-c", conf], log, watcher,
                                        CHANNEL, NICK, timeout=60)
        try:
            for cmd in ("!outage stats 3650", "!outage history 10",
                        "!status"):
                watcher.send("PRIVMSG %s :%s" % (CHANNEL, cmd))
                t_end = time.monotonic() + 30
                while time.monotonic() < t_end:
                    raw = watcher.readline()
                    if raw.startswith((":" + nick + "!").encode()):
                        break
                time.sleep(0.3)
                watcher.drain()
            out[key] = bench.proc_status(proc.pid)
        finally:
            bench.stop(proc)
    return out


def run(bench, bot, port, work, watcher):
    """Section 5's figures (a dict), fakes started and stopped here."""
    d = os.path.join(work, "status")
    os.makedirs(d, exist_ok=True)
    fakes, backends = start_fakes(d)
    watcher.join(CHANNEL)
    try:
        res = {"none": opens(bench, bot, port, os.path.join(d, "none"),
                             watcher, [], "no status pages"),
               "all": opens(bench, bot, port, os.path.join(d, "all"),
                            watcher, backends, "all backends")}
        res["mem"] = memory(bench, bot, port, os.path.join(d, "mem"),
                            watcher, backends)
    finally:
        for f in fakes:
            f.stop()
    return res


def report(bench, res):
    """Print section 5."""
    print("  %-34s %5s %9s %9s %9s" % ("open -> jobs done (ms)", "n",
                                        "p50", "p99", "max"))
    for key, label in (("none", "no status pages (IRC lines)"),
                       ("all", "8 backends: every job")):
        st = bench.stats(res[key][0])
        print("  %-34s %5d %9.1f %9.1f %9.1f" % (label, st["n"],
              st["p50"] / 1000, st["p99"] / 1000, st["max"] / 1000))
    labels = res["all"][2]
    for k, us in sorted(res["all"][1].items(),
                        key=lambda kv: labels.get(kv[0], kv[0])):
        st = bench.stats(us)
        print("  %-34s %5d %9.1f %9.1f %9.1f" % ("  " + labels.get(k, k),
                                                st["n"],
              st["p50"] / 1000, st["p99"] / 1000, st["max"] / 1000))
    print("   (opens are %.1f s apart, so GitHub's pacing of 1 s between "
          "writes does not" % GAP)
    print("   show; a backend's figure is until its job of that outage is "
          "done)")
    m = res["mem"]
    print("   import-cstate of %s files: %.1f s"
          % (format(IMPORT_N, ","), m["import_s"]))
    print("  %-34s %9s %9s" % ("MiB, %s outages imported"
                               % format(IMPORT_N, ","), "VmHWM", "RssAnon"))
    for key, label in (("none", "bot without status pages"),
                       ("all", "bot with 8 backends")):
        print("  %-34s %9.2f %9.2f" % (label, m[key]["VmHWM"] / 1024.0,
                                       m[key]["RssAnon"] / 1024.0))
