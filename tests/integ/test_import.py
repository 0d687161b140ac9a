"""outagebot import-cstate DIR (DESIGN sections 7 and 10): the sample
cState folder tests/data/cstate (old and new date forms, offsets,
commented-out keys, an informational notice, a missing resolvedWhen,
Updates: lists, quoted titles, tabs, unknown keys, broken files and a
symbolic link) read into a fresh database; every bad file named with
its reason, a second import adding nothing, and the imported outages
shown by the real bot in a real ngIRCd channel (!outage history and
!outage stats)."""

import os
import re
import shutil
import sqlite3

from harness import check, privmsg_from

SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "..", "data", "cstate")
GOOD = {"2018-04-13-chat-api-outage.md": 1,
        "2020-02-24-copr-slow.md": 2,
        "2021-03-07-koji-is-down.md": 3,
        "2026-11-20-workers-open.md": 4}
BAD = {"bad-latin1.md": "line 2: not UTF-8 text",
       "bad-no-front-matter.md": "line 1: no front matter",
       "bad-tabs.md": "line 5: ",
       "bad-yaml.md": "line 3: ",
       "link-to-chat.md": "a symbolic link"}


def sample_copy(t):
    """The sample folder copied into the test's folder, links kept."""
    dest = t.path("issues")
    shutil.copytree(SAMPLE, dest, symlinks=True)
    return dest


def import_lines(bot, folder):
    res = bot.run_once(["-c", bot.conf_path, "import-cstate", folder])
    return res, res.stdout.splitlines()


def rows(db, sql):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_import_cstate_folder(t):
    srv = t.ngircd()
    eve = t.client(srv, "eve")
    eve.join("#test")
    cfg = t.bot_config(srv, statuspage={"components": [
        "API", "Copr", "Testing Farm", "Koji", "Workers"]},
        irc={"max_reply_lines": 12})
    bot = t.bot(cfg, start=False)
    folder = sample_copy(t)

    res, lines = import_lines(bot, folder)
    check(res.returncode == 1, "exit 1 when files were skipped, not %d; "
          "stderr:\n%s" % (res.returncode, res.stderr))
    for name, oid in GOOD.items():
        check("imported %s as outage #%d" % (name, oid) in lines,
              "%s imported as #%d: %r" % (name, oid, lines))
    for name, why in BAD.items():
        check(any(l.startswith("skipped %s: %s" % (name, why))
                  for l in lines), "%s skipped (%s): %r" % (name, why, lines))
    check(len(lines) == len(GOOD) + len(BAD), "one line per *.md file, "
          "README.txt left alone: %r" % lines)
    db = t.path("bot.db")
    check(rows(db, "SELECT count(*) FROM jobs") == [(0,)],
          "no outbox job for the past")
    check(rows(db, "SELECT state, datetime(resolved_at, 'unixepoch') FROM "
               "outages WHERE id = 1") == [(3, "2018-04-13 17:30:00")],
          "resolvedWhen with an offset: %r" % rows(db, "SELECT * FROM "
                                                   "outages WHERE id = 1"))
    check(rows(db, "SELECT severity, datetime(resolved_at, 'unixepoch') "
               "FROM outages WHERE id = 2") == [(0, "2020-02-24 17:50:00")],
          "informational is a notice, resolved at the newest update")
    check(rows(db, "SELECT count(*) FROM outage_updates WHERE outage_id = 3")
          == [(3,)], "Koji's three updates, the last one the resolve")

    res, again = import_lines(bot, folder)
    check(not any(l.startswith("imported ") for l in again),
          "a second import adds nothing: %r" % again)
    check(rows(db, "SELECT count(*) FROM outages") == [(4,)],
          "still four outages")
    check("2021-03-07-koji-is-down.md was imported before as outage #3"
          in again, "the earlier import is named: %r" % again)

    bot.start()
    bot.wait_joined(eve, "#test")
    eve.say("#test", "!outage history 10")
    for pat in (r"#4 disrupted, investigating: Workers: jobs stuck",
                r"#3 down, resolved: Koji is down",
                r"#2 notice, resolved: Copr: builds \"slow\" --- again",
                r"#1 down, resolved: Chat API outage"):
        eve.wait_for(privmsg_from("outagebot", "#test", r"^eve: " + pat))
    eve.say("#test", "!outage stats 3660")
    eve.wait_for(privmsg_from("outagebot", "#test",
                              r"^eve: last 3660 days: 3 resolved, mean "))
    eve.wait_for(privmsg_from("outagebot", "#test",
                              r"^eve: Testing Farm: 2 resolved"))


def test_import_missing_folder(t):
    bot = t.bot(t.bot_config(t.ngircd()), start=False)
    res = bot.run_once(["-c", bot.conf_path, "import-cstate",
                        t.path("nowhere")])
    check(res.returncode == 66, "EX_NOINPUT for a missing folder, not %d"
          % res.returncode)
    check(re.search(r"import-cstate: .*nowhere: No such file",
                    res.stderr), "the folder named: %r" % res.stderr)
