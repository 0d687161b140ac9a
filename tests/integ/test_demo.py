"""`make run` without a config: tests/net/demo.sh starts a throwaway ngIRCd,
tells how to connect, runs the bot; Ctrl-C stops everything and removes the
temp dir."""

import os
import re
import signal
import subprocess
import time

from harness import ROOT, IrcClient, bot_binary, check, sleep, slow_factor


def status_page(demo_dir, want, timeout=10):
    """The one page in the demo's cState folder once it matches want."""
    folder = os.path.join(demo_dir, "status", "content", "issues")
    deadline = time.monotonic() + timeout * slow_factor()
    while True:
        names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        text = ""
        if len(names) == 1:
            with open(os.path.join(folder, names[0])) as f:
                text = f.read()
        if re.search(want, text):
            check(re.match(r"\d{4}-\d\d-\d\d-api-returns-500s-1\.md$",
                           names[0]), "the page's name: %s" % names[0])
            return text
        check(time.monotonic() < deadline, "no page like %r in %s: %r %r"
              % (want, folder, names, text))
        sleep(0.2)


def test_demo_script(t):
    env = dict(os.environ, TMPDIR=t.dir)
    out_path = t.path("demo.out")
    out = open(out_path, "wb")
    # a session of its own, so that "Ctrl-C" can go to the whole group, as
    # a terminal sends it; cwd without a bot.conf
    proc = subprocess.Popen(["bash", os.path.join(ROOT, "tests/net/demo.sh"),
                             bot_binary(), ""], cwd=t.dir, env=env,
                            stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)
    out.close()

    def stop():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
    t.on_cleanup(stop)

    def output():
        with open(out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    deadline = time.monotonic() + 15 * slow_factor()
    m = None
    while m is None:
        check(proc.poll() is None, "demo.sh exited (%s):\n%s" % (proc.returncode, output()))
        check(time.monotonic() < deadline, "demo.sh printed no connect line:\n" + output())
        m = re.search(r"connect your IRC client to 127\.0\.0\.1 port (\d+) \(no TLS\)",
                      output(), re.I)
        time.sleep(0.1)
    port = int(m.group(1))
    check("/join #outagebot-demo" in output() and "!help" in output(),
          "demo.sh does not say what to do next:\n" + output())
    tmp = re.search(r"(%s/outagebot-demo\.\w+)" % re.escape(t.dir), output())
    check(tmp, "demo.sh does not name its temp dir in %s:\n%s" % (t.dir, output()))
    demo_dir = tmp.group(1)

    c = IrcClient("127.0.0.1", port, "visitor", log_dir=t.dir)
    t.on_cleanup(c.close)
    c.connect()
    c.join("#outagebot-demo")
    deadline = time.monotonic() + 10 * slow_factor()
    while "outagebot" not in c.names("#outagebot-demo"):
        check(time.monotonic() < deadline, "the bot never joined #outagebot-demo:\n"
              + output())
        sleep(0.3)
    line = c.ask("#outagebot-demo", "!help")
    check("!version" in line.body, "!help in the demo: " + line.text)
    # the main job works without any token: a rotation and an outage
    line = c.ask("#outagebot-demo", "!who-is-on-call")
    check(re.search(r"outage-master: (alice|bob|carol) until ", line.body),
          "!who-is-on-call in the demo: " + line.text)
    c.say("#outagebot-demo", "!outage open --severity down --affected api "
          "API returns 500s")
    c.wait_for(r"PRIVMSG #outagebot-demo :\[outage #1 down\] API returns "
               r"500s .* affected: API .* master: (alice|bob|carol)")
    line = c.ask("#outagebot-demo", "!status")
    check(line.body.endswith("API: down (#1)"), "!status: " + line.text)
    # the status page folder it printed gets the outage's cState page
    check(os.path.join(demo_dir, "status/content/issues") in output(),
          "demo.sh does not print its status page folder:\n" + output())
    page = status_page(demo_dir, r"resolved: false")
    check("severity: down" in page and "  - API" in page,
          "the demo's status page on open:\n" + page)
    c.say("#outagebot-demo", "!outage resolve 1 rolled back")
    c.wait_for(r"PRIVMSG #outagebot-demo :\[outage #1 resolved\] API "
               r"returns 500s .* after ")
    page = status_page(demo_dir, r"resolved: true")
    check("resolvedWhen: " in page and "rolled back" in page,
          "the demo's status page on resolve:\n" + page)
    # replies are paced like on Libera.Chat (4 at once, then one per 2 s)
    c.ask("#outagebot-demo", "!whoami", r"you are \S+ \(admin; ",
          timeout=30)

    os.killpg(proc.pid, signal.SIGINT)                 # Ctrl-C
    try:
        proc.wait(15 * slow_factor())
    except subprocess.TimeoutExpired:
        raise AssertionError("demo.sh still running 15 s after Ctrl-C:\n" + output())
    c.wait_closed(5)                                    # the server is gone
    check(not os.path.exists(demo_dir), "demo temp dir %s left behind" % demo_dir)
