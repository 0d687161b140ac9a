"""cState and Statusfy pages (DESIGN.md section 7, issue 12 item 2): the
real bot in a real ngIRCd channel writes each outage's page through the
GitHub contents API (played by tests/fakes/github.py) or into a local
folder. Open, update and resolve rewrite one file per outage; a stale
sha is re-read; a hanging API holds back nothing else; a kill -9 in the
middle of a commit leaves one file with the final content; a symbolic
link is never written through.

Identity is by hostmask: alice (admin) is a member and the only master."""

import os
import re
import signal
import time

from harness import check, load_fake_github
from test_outage import bot_line, secret, wait_until

SITE = "packit/status"
TOKEN = "ghp_status_test"
ROLE = {"name": "outage-master", "members": ["alice"],
        "shift": "1w", "start": "2026-11-23 09:00", "timezone": "UTC",
        "announce_channel": "#test"}
CSTATE = r"content/issues/(\d{4}-\d\d-\d\d)-copr-builds-failing-1\.md$"
STATUSFY = r"content/(\d{4}-\d\d-\d\d)_copr-builds-failing-1\.md$"


def fake_github(t):
    gh = load_fake_github().FakeGitHub(token=TOKEN).start()
    t.on_cleanup(gh.stop)
    return gh


def repo_backend(t, gh, kind="cstate", **over):
    b = {"type": kind, "repo": SITE, "api_url": gh.api_url,
         "token_file": secret(t, "site-token", TOKEN + "\n")}
    b.update(over)
    return b


def setup(t, backends):
    srv = t.ngircd()
    alice = t.client(srv, "alice")
    alice.join("#test")
    cfg = t.bot_config(
        srv, roles=[ROLE],
        team={"identify": "hostmask", "admins": ["alice!*@*"],
              "members": ["alice!*@*"]},
        statuspage={"components": ["API", "Copr", "Testing Farm"],
                    "backends": backends},
        irc={"flood": {"burst": 30, "interval": "1s"},
             "max_reply_lines": 12})
    bot = t.bot(cfg, start=False)
    bot.start()
    bot.wait_joined(alice, "#test")
    return bot, alice


def one_page(files, pattern):
    """For wait_until: (path, text) once files holds exactly one page,
    which must match pattern; None before."""
    return only_file(files, pattern) if len(files) == 1 else None


def only_file(files, pattern):
    """The one file of files whose path matches pattern: (path, text)."""
    hits = [(p, x) for p, x in files.items() if re.search(pattern, p)]
    check(len(hits) == 1 and len(files) == 1,
          "exactly one file like %s: %r" % (pattern, sorted(files)))
    check(re.search(pattern, hits[0][0]).group(1) ==
          time.strftime("%Y-%m-%d", time.gmtime()) or
          time.gmtime().tm_hour == 0, "dated today: %s" % hits[0][0])
    return hits[0]


def front(text):
    """The front matter's lines (between the two --- lines)."""
    parts = text.split("---\n")
    check(text.startswith("---\n") and len(parts) >= 3,
          "front matter: %r" % text)
    return parts[1].splitlines()


def local_files(folder):
    """The pages in folder (a temporary ".name.tmp" is not one yet)."""
    return {n: open(os.path.join(folder, n)).read()
            for n in sorted(os.listdir(folder)) if not n.startswith(".")}


def open_update_resolve(alice):
    """The outage every test carries through: #1 on Copr."""
    alice.say("#test", "!outage open --severity down --affected copr "
              "Copr builds failing")
    bot_line(alice, r"^alice: outage #1 opened$")


def test_cstate_through_the_contents_api(t):
    gh = fake_github(t)
    gh.add_branch(SITE, "pages")
    bot, alice = setup(t, [repo_backend(t, gh, branch="pages")])
    open_update_resolve(alice)
    path, text = wait_until("the page", lambda: gh.files(SITE, "pages")
                            and one_page(gh.files(SITE, "pages"), CSTATE))
    fm = front(text)
    check(fm[0] == 'title: "Copr builds failing"', "title: %r" % fm)
    check(re.match(r'date: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"$',
                   fm[1]), "date: %r" % fm)
    check("affected:" in fm and "  - Copr" in fm, "affected: %r" % fm)
    check("resolved: false" in fm and "section: issue" in fm and
          "severity: down" in fm, "keys: %r" % fm)
    check(not any(x.startswith("resolvedWhen") for x in fm), "open")
    check(gh.files(SITE, "main") == {}, "nothing on main")
    check([c["message"] for c in gh.commits(SITE)] ==
          ["outage #1: Copr builds failing"], "one commit: %r"
          % gh.commits(SITE))

    alice.say("#test", "!outage update 1 --status identified a bad "
              "config in Copr")
    bot_line(alice, r"^\[outage #1 identified, down\]")
    text = wait_until("the update", lambda: "a bad config in Copr" in
                      gh.files(SITE, "pages")[path] and
                      gh.files(SITE, "pages")[path])
    check("Updates:" in text, "the Updates list: %r" % text)
    alice.say("#test", "!outage resolve 1 config reverted")
    bot_line(alice, r"^\[outage #1 resolved\]")
    text = wait_until("the resolve", lambda: "config reverted" in
                      gh.files(SITE, "pages")[path] and
                      gh.files(SITE, "pages")[path])
    fm = front(text)
    check("resolved: true" in fm, "resolved: %r" % fm)
    check(any(re.match(r'resolvedWhen: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d'
                       r'\+00:00"$', x) for x in fm), "resolvedWhen: %r" % fm)
    only_file(gh.files(SITE, "pages"), CSTATE)
    commits = gh.commits(SITE)
    check([c["message"] for c in commits] ==
          ["outage #1: Copr builds failing"] * 3 and
          all(c["branch"] == "pages" and c["path"] == path
              for c in commits), "three commits, one file: %r" % commits)
    puts = gh.requests("PUT")
    check(len(puts) == 3, "three PUTs: %r" % [r["path"] for r in puts])
    for r in gh.requests():
        check(r["headers"].get("user-agent", "").startswith("outagebot/"),
              "User-Agent")
        check(r["headers"].get("authorization") == "Bearer " + TOKEN,
              "token")
        check(r["method"] != "GET" or r["path"].endswith("?ref=pages"),
              "GET on the branch: %s" % r["path"])
    check(puts[0]["json"].get("sha") is None and
          puts[1]["json"]["sha"] and puts[1]["json"]["branch"] == "pages",
          "sha only for the existing file")
    check(TOKEN not in bot.log_text(), "the token is never logged")


def test_statusfy_through_the_contents_api(t):
    gh = fake_github(t)
    bot, alice = setup(t, [repo_backend(t, gh, kind="statusfy",
                                        systems=["Copr=copr-builds"])])
    open_update_resolve(alice)
    path, text = wait_until("the page", lambda: gh.files(SITE) and
                            one_page(gh.files(SITE), STATUSFY))
    fm = front(text)
    check(fm[0] == "id: outage1", "id: %r" % fm)
    check("severity: major-outage" in fm and "resolved: false" in fm,
          "severity, resolved: %r" % fm)
    check("  - copr-builds" in fm, "the systems map: %r" % fm)
    alice.say("#test", "!outage resolve 1 config reverted")
    text = wait_until("the resolve", lambda: "config reverted" in
                      gh.files(SITE)[path] and gh.files(SITE)[path])
    check("resolved: true" in front(text), "resolved: %r" % text)
    check(re.search(r"^::: update Resolved \| \d{4}-", text, re.M),
          "an update container: %r" % text)
    only_file(gh.files(SITE), STATUSFY)


def test_both_in_local_folders(t):
    cdir, sdir = t.path("cstate-site"), t.path("statusfy-site")
    bot, alice = setup(t, [{"type": "cstate", "dir": cdir},
                           {"type": "statusfy", "dir": sdir}])
    open_update_resolve(alice)
    name, text = wait_until("the cstate file", lambda: os.path.isdir(cdir)
                            and local_files(cdir) and
                            one_page({"content/issues/" + n: x for n, x in
                                      local_files(cdir).items()}, CSTATE))
    check("severity: down" in front(text), "cstate page: %r" % text)
    wait_until("the statusfy file", lambda: os.path.isdir(sdir) and
               one_page({"content/" + n: x for n, x in
                         local_files(sdir).items()}, STATUSFY))
    alice.say("#test", "!outage resolve 1 config reverted")
    wait_until("both resolved", lambda: all(
        "resolved: true" in front(x) for d in (cdir, sdir)
        for x in local_files(d).values()))
    for d in (cdir, sdir):
        check(len(os.listdir(d)) == 1, "one file, no temporary: %r"
              % os.listdir(d))
        for n in os.listdir(d):
            check(os.stat(os.path.join(d, n)).st_mode & 0o777 == 0o644,
                  "mode 0644")


def test_stale_sha_once_still_one_correct_file(t):
    gh = fake_github(t)
    # Someone commits to the file just before each of our first two PUTs:
    # a 422 ("sha" missing: the file is new to us), then a 409.
    gh.stale(2, path="/contents/")
    bot, alice = setup(t, [repo_backend(t, gh)])
    open_update_resolve(alice)
    path, text = wait_until("the page", lambda: gh.files(SITE) and
                            "(edited)" not in list(gh.files(SITE).values())[0]
                            and one_page(gh.files(SITE), CSTATE))
    statuses = [r["status"] for r in gh.requests("PUT")]
    check(statuses == [422, 409, 201] or statuses == [422, 409, 200],
          "422, 409, then written: %r" % statuses)
    check("severity: down" in front(text), "our page: %r" % text)
    check("will retry" not in bot.log_text(),
          "re-read within the run, not retried by the outbox")
    times = [r["time"] for r in gh.requests("PUT")]
    check(all(b - a >= 0.95 for a, b in zip(times, times[1:])),
          "writes at least 1 s apart: %r" % times)
    alice.say("#test", "!outage resolve 1 config reverted")
    wait_until("the resolve", lambda: "resolved: true" in
               front(gh.files(SITE)[path]))
    only_file(gh.files(SITE), CSTATE)
    check([c["author"] for c in gh.commits(SITE)] ==
          ["someone", "outagebot", "someone", "outagebot", "outagebot"] or
          [c["author"] for c in gh.commits(SITE)] ==
          ["someone", "someone", "outagebot", "outagebot"],
          "commits: %r" % gh.commits(SITE))


def test_hanging_api_delays_nothing_else(t):
    gh = fake_github(t)
    gh.hang(100, path="/contents/")
    folder = t.path("site")
    bot, alice = setup(t, [repo_backend(t, gh), {"type": "cstate",
                                                  "dir": folder}])
    start = time.monotonic()
    alice.say("#test", "!outage open --affected copr Copr builds failing")
    bot_line(alice, r"^alice: outage #1 opened$", timeout=3)
    wait_until("the local page", lambda: os.path.isdir(folder) and
               os.listdir(folder), timeout=3)
    check(time.monotonic() - start < 3.0, "local page at once")
    alice.say("#test", "!outage update 1 still broken")
    wait_until("the local update", lambda: any(
        "still broken" in x for x in local_files(folder).values()),
        timeout=3)
    alice.say("#test", "!status")
    bot_line(alice, r"^alice: Copr: disrupted \(#1\)$", timeout=3)
    check(len(gh.requests("GET", "/contents/")) == 1 and
          gh.files(SITE) == {}, "the API holds its one request")


def test_kill_during_commit_then_one_file(t):
    gh = fake_github(t)
    # The first PUT lands but its answer never comes back.
    gh.hang(1, method="PUT", path="/contents/", after=True)
    bot, alice = setup(t, [repo_backend(t, gh)])
    open_update_resolve(alice)
    wait_until("the held commit", lambda: gh.files(SITE))
    bot.kill()
    bot.start()
    bot.wait_joined(alice, "#test", start=alice.mark())
    # The resumed job finds its page there already: no second commit.
    wait_until("the resumed GET", lambda: len(gh.requests(
        "GET", "/contents/")) == 2)
    time.sleep(1.5)
    check(len(gh.commits(SITE)) == 1, "one commit: %r" % gh.commits(SITE))
    # The next PUT never lands; the bot dies while it waits.
    gh.hang(1, method="PUT", path="/contents/")
    alice.say("#test", "!outage resolve 1 config reverted")
    bot_line(alice, r"^\[outage #1 resolved\]")
    wait_until("the held PUT", lambda: len(gh.requests("PUT")) == 2)
    bot.kill()
    bot.start()
    bot.wait_joined(alice, "#test", start=alice.mark())
    path, text = wait_until("the resolve", lambda: gh.files(SITE) and
                            "resolved: true" in front(
                                list(gh.files(SITE).values())[0]) and
                            one_page(gh.files(SITE), CSTATE))
    check("config reverted" in text, "final content: %r" % text)
    check(len(gh.commits(SITE)) == 2, "two commits: %r" % gh.commits(SITE))


def test_symlink_refused(t):
    victim = t.path("victim.md")
    with open(victim, "w") as f:
        f.write("untouched\n")
    folder = t.path("site")
    os.mkdir(folder)
    name = "%s-copr-builds-failing-1.md" % time.strftime("%Y-%m-%d",
                                                          time.gmtime())
    os.symlink(victim, os.path.join(folder, name))
    real = t.path("real")
    os.mkdir(real)
    linked = t.path("linked")
    os.symlink(real, linked)
    bot, alice = setup(t, [{"type": "cstate", "dir": folder},
                           {"type": "statusfy", "dir": linked}])
    open_update_resolve(alice)
    line = bot_line(alice, r"^cstate rejected outage #1's page: .*%s is a "
                    r"symbolic link; nothing is written through one; fix "
                    r"it, then !jobs retry \d+$" % re.escape(name))
    bot_line(alice, r"^statusfy rejected outage #1's page: .*linked is a "
             r"symbolic link", start=0)
    check(open(victim).read() == "untouched\n", "the victim is untouched")
    check(os.listdir(real) == [], "nothing written through the folder link")
    check(os.path.islink(os.path.join(folder, name)), "the link stays")
    # Fixed by hand, the job runs again and writes the page.
    os.unlink(os.path.join(folder, name))
    job = re.search(r"retry (\d+)$", line.body).group(1)
    alice.say("#test", "!jobs retry %s" % job)
    wait_until("the page", lambda: os.path.isfile(os.path.join(folder,
                                                               name)))
    check("severity: down" in front(open(os.path.join(folder,
                                                      name)).read()),
          "the page")


def test_rejections_said_with_githubs_words(t):
    gh = fake_github(t)
    gh.fail(1, 422, method="PUT", path="_copr-builds", body={
        "message": "path contains a malformed path component",
        "documentation_url": "https://docs.github.com/rest"})
    # A folder where the page goes.
    name = "%s-copr-builds-failing-1.md" % time.strftime("%Y-%m-%d",
                                                          time.gmtime())
    gh.put_file(SITE, "odd/%s/index.md" % name, "x")
    bot, alice = setup(t, [repo_backend(t, gh, branch="nope"),
                           repo_backend(t, gh, kind="statusfy"),
                           repo_backend(t, gh, path="odd")])
    open_update_resolve(alice)
    bot_line(alice, r"^cstate rejected outage #1's page: the repository has "
             r"something other than a file there; fix it, then !jobs "
             r"retry \d+$", start=0)
    bot_line(alice, r"^cstate rejected outage #1's page: 404 Branch nope not "
             r"found; fix it, then !jobs retry \d+$", start=0)
    bot_line(alice, r"^statusfy rejected outage #1's page: 422 path contains "
             r"a malformed path component; fix it, then !jobs retry \d+$",
             start=0)
    check(len(gh.commits(SITE)) == 1, "nothing written: %r"
          % gh.commits(SITE))
    check(len(gh.requests("PUT")) == 2, "each tried once: %r"
          % [r["path"] for r in gh.requests("PUT")])


def test_stale_sha_again_and_again_bounded(t):
    gh = fake_github(t)
    gh.stale(100, path="/contents/")
    bot, alice = setup(t, [repo_backend(t, gh)])
    open_update_resolve(alice)
    wait_until("the retry", lambda: re.search(
        r"will retry in \d+s: cstate failed on outage #1's page: 409 ",
        bot.log_text()))
    # The first PUT meets a file new to us (a 422 on the sha), then
    # three 409s are re-read; the fourth is left to the outbox.
    n = len(gh.requests("PUT"))
    check(n == 5, "one PUT and four re-reads per run: %d" % n)
    check(len(gh.requests("GET", "/contents/")) == 5, "five GETs")


def test_reload_during_commit_runs_it_again(t):
    gh = fake_github(t)
    gh.hang(1, method="PUT", path="/contents/")
    bot, alice = setup(t, [repo_backend(t, gh)])
    open_update_resolve(alice)
    wait_until("the held PUT", lambda: gh.requests("PUT"))
    bot.signal(signal.SIGHUP)
    wait_until("the reload", lambda: "configuration reloaded" in
               bot.log_text())
    wait_until("the page", lambda: gh.files(SITE) and
               one_page(gh.files(SITE), CSTATE))
    check(len(gh.commits(SITE)) == 1, "one commit: %r" % gh.commits(SITE))
    check(bot.stop() == 0, "a clean exit")
