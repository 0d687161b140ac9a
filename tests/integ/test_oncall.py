"""On-call rotations end to end (DESIGN.md sections 4 and 6): the bot runs
under libfaketime with its clock started a few seconds before the instant
a test is about (a handoff, a reminder), against a real ngIRCd.

The rotation used throughout: role outage-master (alias om), members
alice, bob, carol, weekly shifts handed off on Mondays 09:00
Europe/Prague, anchored at 2026-11-23 09:00 (alice's shift). So:

  Mon 23 Nov alice, Mon 30 Nov bob, Mon 7 Dec carol, Mon 14 Dec alice,
  Mon 21 Dec bob, Mon 28 Dec carol, Mon 4 Jan 2027 alice, ...

09:00 CET is 08:00 UTC in winter, 09:00 CEST is 07:00 UTC in summer.
Identity is by hostmask: alice (admin), bob, carol and dave are team
members (dave is in no role), eve and mallory are public."""

import re
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from harness import (BOT_NICK, TestFailure, check, faketime_env, notice_from,
                     privmsg_from,
                     slow_factor)

ROLE = "outage-master"
PRAGUE = "Europe/Prague"
MEMBERS = ("alice", "bob", "carol")
ANCHOR = "2026-11-23 09:00"


# ------------------------------------------------------------------ setup

def oncall_config(t, srv, members=MEMBERS, start=ANCHOR, tz=PRAGUE,
                  shift="1w", remind=None, extra_roles=(), **over):
    role = {"name": ROLE, "aliases": ["om"], "members": list(members),
            "shift": shift, "start": start, "timezone": tz,
            "announce_channel": "#test"}
    if remind is not None:
        role["remind_before"] = remind
    base = {
        "timezone": "UTC",
        "ical_path": t.path("oncall.ics"),
        "team": {"identify": "hostmask", "admins": ["alice!*@*"],
                 "members": ["alice!*@*", "bob!*@*", "carol!*@*",
                             "dave!*@*"]},
        # replies of several lines arrive at once, and all in the channel
        "irc": {"flood": {"burst": 30, "interval": "1s"},
                "max_reply_lines": 12},
        "roles": [role] + list(extra_roles),
    }
    base.update(over)
    return t.bot_config(srv, **base)


def start_bot(t, bot, at, watcher, mark=0):
    """Start `bot` with its clock at `at` (UTC) and wait until `watcher`
    sees it in #test (a JOIN after `mark`)."""
    bot.fake_clock(at)
    bot.start()
    bot.wait_joined(watcher, "#test", start=mark)
    return bot


def setup(t, at, nicks=("alice",), **cfg):
    """ngircd, clients joined to #test, the bot started at fake time `at`.
    Returns (srv, bot, clients)."""
    srv = t.ngircd()
    clients = [t.client(srv, n) for n in nicks]
    for c in clients:
        c.join("#test")
    bot = t.bot(oncall_config(t, srv, **cfg), start=False)
    start_bot(t, bot, at, clients[0])
    return srv, bot, clients


def who_rx(person, until, nxt, covers=None, role=ROLE):
    """The !who-is-on-call line (whole, anchored)."""
    return "%s: %s%s until %s; next: %s$" % (
        re.escape(role), re.escape(person),
        " \\(covering for %s\\)" % re.escape(covers) if covers else "",
        re.escape(until), re.escape(nxt))


def handoff_rx(person, until, after):
    return "^%s handoff: %s is on call until %s \\(after %s\\)$" % (
        re.escape(ROLE), re.escape(person), re.escape(until), re.escape(after))


def is_handoff(line):
    return (line.command == "PRIVMSG" and line.nick == BOT_NICK
            and " handoff: " in line.body)


def private_lines(client, text, quiet=2.0, timeout=10.0):
    """Send `text` to the bot in private; the bodies of its NOTICE replies
    (all of them: collected until none came for `quiet` seconds, longer
    than the flood interval of 1 s the bot paces lines at once its burst
    is spent)."""
    start = client.mark()
    client.say(BOT_NICK, text)
    pred = notice_from(BOT_NICK, client.nick)
    line = client.wait_for(pred, timeout, start=start,
                           what="a reply to %r" % text)
    out, pos = [line.body], client.lines.index(line, start) + 1
    while True:
        try:
            line = client.wait_for(pred, quiet, start=pos)
        except TestFailure:
            return out
        pos = client.lines.index(line, pos) + 1
        out.append(line.body)


def ask_ok(client, text, rx):
    """Ask in #test; the reply (after "nick: ") must match rx entirely."""
    line = client.ask("#test", text, rx + ("" if rx.endswith("$") else "$"))
    return line.body[len(client.nick) + 2:]


def reply_to(client, text):
    """Ask in #test; the text of the first reply to client."""
    line = client.ask("#test", text)
    return line.body[len(client.nick) + 2:]


def arrived_between(line, bot, lo, hi, what):
    dt = line.t - bot.started_at
    check(lo <= dt <= hi, "%s arrived %.1f s after the bot started "
          "(expected %g-%g s): %s" % (what, dt, lo, hi, line.text))
    return dt


# --------------------------------------------------------- 1. the handoff

def test_handoff_announced_at_the_instant(t):
    # 07:59:50 UTC = 08:59:50 CET: alice's shift ends in 10 s
    srv, bot, (alice,) = setup(t, "2026-11-30 07:59:50")
    ask_ok(alice, "!who-is-on-call",
           who_rx("alice", "Mon 30 Nov 09:00 CET", "bob"))
    ics = wait_ics(t.path("oncall.ics"))
    first = rotation_events(parse_ics(ics), ROLE)[0]
    check((first["DTSTART"], first["SUMMARY"]) ==
          ("20261123T080000Z", ROLE + ": alice"),
          "calendar before the handoff starts with %r" % first)
    line = alice.wait_for(privmsg_from(BOT_NICK, "#test", " handoff: "),
                          timeout=20, start=0, what="the handoff line")
    check(re.search(handoff_rx("bob", "Mon 7 Dec 09:00 CET", "alice"),
                    line.body), "wrong handoff line: %r" % line.body)
    arrived_between(line, bot, 8, 14, "the handoff announcement")
    # the calendar is rewritten at the handoff: alice's shift is over
    first = rotation_events(parse_ics(wait_ics(t.path("oncall.ics"),
                                               differs_from=ics)), ROLE)[0]
    check((first["DTSTART"], first["SUMMARY"]) ==
          ("20261130T080000Z", ROLE + ": bob"),
          "calendar after the handoff starts with %r" % first)
    ask_ok(alice, "!who-is-on-call",
           who_rx("bob", "Mon 7 Dec 09:00 CET", "carol"))
    # the aliases, the role by name and by alias
    ask_ok(alice, "!oncall", who_rx("bob", "Mon 7 Dec 09:00 CET", "carol"))
    ask_ok(alice, "!who om", who_rx("bob", "Mon 7 Dec 09:00 CET", "carol"))
    ask_ok(alice, "!who-is-on-call outage-master",
           who_rx("bob", "Mon 7 Dec 09:00 CET", "carol"))
    # announced once
    alice.no_match_within(is_handoff, 2.0, start=alice.lines.index(line) + 1,
                          what="a second handoff line")
    check(len(alice.matching(is_handoff)) == 1, "more than one handoff line")
    bot.assert_alive()


test_handoff_announced_at_the_instant.timeout = 60


def test_handoff_while_disconnected_is_delivered(t):
    # the IRC server is down at the handoff instant (08:00:00 UTC); the
    # announcement reaches the channel once the bot is back
    srv, bot, (alice,) = setup(t, "2026-11-30 07:59:50")
    time.sleep(max(0.0, bot.started_at + 4 - time.monotonic()))
    srv.stop()
    time.sleep(max(0.0, bot.started_at + 12 - time.monotonic()))
    srv.restart(down=0)
    alice2 = t.client(srv, "alice", name="alice2")
    alice2.join("#test")
    check(not alice.matching(is_handoff), "handoff seen before the server "
          "went down?")
    # the bot may be back before alice2 has joined: its own log says what
    # it sent on the new connection
    rx = re.compile(r">> PRIVMSG #test :(outage-master handoff: .*)")
    deadline = time.monotonic() + 20 * slow_factor()
    sent = []
    while not sent and time.monotonic() < deadline:
        text = bot.log_text()
        parts = text.split("info irc: registered as")
        if len(parts) >= 3:
            sent = rx.findall("".join(parts[2:]))
        if not sent:
            time.sleep(0.2)
    check(sent, "no handoff line sent after the reconnection\n"
          + bot.log_tail())
    check(len(sent) == 1 and re.search(
        handoff_rx("bob", "Mon 7 Dec 09:00 CET", "alice"), sent[0]),
        "handoff lines sent after the reconnection: %r" % sent)
    if alice2.matching(lambda l: l.command == "JOIN" and l.nick == BOT_NICK):
        alice2.wait_for(is_handoff, 5, start=0, what="the handoff line")


test_handoff_while_disconnected_is_delivered.timeout = 60


def test_handoff_while_disconnected_survives_restart(t):
    # the server is down at the handoff, and the bot is restarted before
    # it could deliver the announcement: the restarted bot still makes it
    # (a restart neither repeats nor skips one)
    srv, bot, (alice,) = setup(t, "2026-11-30 07:59:50")
    time.sleep(max(0.0, bot.started_at + 4 - time.monotonic()))
    srv.stop()
    time.sleep(max(0.0, bot.started_at + 12 - time.monotonic()))
    bot.stop()
    srv.restart(down=0)
    alice2 = t.client(srv, "alice", name="alice2")
    alice2.join("#test")
    start_bot(t, bot, "2026-11-30 08:00:30", alice2)
    line = alice2.wait_for(privmsg_from(BOT_NICK, "#test", " handoff: "),
                           timeout=10, start=0,
                           what="the handoff the first run could not deliver")
    check(re.search(handoff_rx("bob", "Mon 7 Dec 09:00 CET", "alice"),
                    line.body), "wrong handoff line: %r" % line.body)
    alice2.no_match_within(is_handoff, bot.past_retry(since=line.t),
                           start=alice2.lines.index(line) + 1,
                           what="the delivered handoff announced again")


test_handoff_while_disconnected_survives_restart.timeout = 60


# ------------------------------------------------------------ 2. DST weeks

def test_handoff_in_dst_week_is_167_hours(t):
    # anchor Mon 22 Mar 2027 09:00 CET (08:00 UTC); clocks go forward on
    # Sun 28 Mar; the next handoff is Mon 29 Mar 09:00 CEST = 07:00 UTC.
    srv, bot, (alice,) = setup(t, "2027-03-29 06:59:50",
                               start="2027-03-22 09:00")
    ask_ok(alice, "!who-is-on-call",
           who_rx("alice", "Mon 29 Mar 09:00 CEST", "bob"))
    line = alice.wait_for(privmsg_from(BOT_NICK, "#test", " handoff: "),
                          timeout=20, start=0, what="the handoff line")
    check(re.search(handoff_rx("bob", "Mon 5 Apr 09:00 CEST", "alice"),
                    line.body), "wrong handoff line: %r" % line.body)
    arrived_between(line, bot, 8, 14, "the handoff at 07:00 UTC")
    ask_ok(alice, "!who-is-on-call",
           who_rx("bob", "Mon 5 Apr 09:00 CEST", "carol"))
    ask_ok(alice, "!oncall schedule 2",
           re.escape("%s: Mon 29 Mar 09:00 CEST – Mon 5 Apr 09:00 CEST: bob"
                     % ROLE))


test_handoff_in_dst_week_is_167_hours.timeout = 60


def test_autumn_dst_week_is_169_hours(t):
    # anchor Mon 19 Oct 2026 09:00 CEST (07:00 UTC); clocks go back on
    # Sun 25 Oct; the next handoff is Mon 26 Oct 09:00 CET = 08:00 UTC.
    srv, bot, (alice,) = setup(t, "2026-10-20 10:00:00",
                               start="2026-10-19 09:00")
    ask_ok(alice, "!who-is-on-call",
           who_rx("alice", "Mon 26 Oct 09:00 CET", "bob"))
    lines = private_lines(alice, "!oncall schedule 3")
    want = ["%s: Mon 19 Oct 09:00 CEST – Mon 26 Oct 09:00 CET: alice" % ROLE,
            "%s: Mon 26 Oct 09:00 CET – Mon 2 Nov 09:00 CET: bob" % ROLE,
            "%s: Mon 2 Nov 09:00 CET – Mon 9 Nov 09:00 CET: carol" % ROLE]
    check(lines == want, "!oncall schedule 3:\n  got  %r\n  want %r"
          % (lines, want))
    events = rotation_events(parse_ics(wait_ics(t.path("oncall.ics"))), ROLE)
    check(events and events[0]["DTSTART"] == "20261019T070000Z"
          and events[0]["DTEND"] == "20261026T080000Z",
          "the calendar's first shift is not 07:00Z-08:00Z (169 h): %r"
          % (events[:1],))


def test_hour_shifts_are_absolute_across_dst(t):
    # 12h shifts from Sat 27 Mar 2027 21:00 CET (20:00 UTC): the night of
    # the change lasts 12 real hours, so it ends at 10:00 CEST (08:00 UTC)
    srv, bot, (alice,) = setup(t, "2027-03-28 05:00:00", shift="12h",
                               start="2027-03-27 21:00")
    ask_ok(alice, "!who-is-on-call",
           who_rx("alice", "Sun 28 Mar 10:00 CEST", "bob"))
    got = private_lines(alice, "!oncall schedule 2")
    want = ["%s: Sat 27 Mar 21:00 CET – Sun 28 Mar 10:00 CEST: alice" % ROLE,
            "%s: Sun 28 Mar 10:00 CEST – Sun 28 Mar 22:00 CEST: bob" % ROLE]
    check(got == want, "!oncall schedule 2 of 12h shifts:\n  got  %r\n"
          "  want %r" % (got, want))


# ---------------------------------------------------------- 3. overrides

def test_take_override_swap_cancel(t):
    # Tue 1 Dec 2026 11:00 CET: bob's week (Mon 30 Nov - Mon 7 Dec)
    srv, bot, (alice, dave, eve) = setup(t, "2026-12-01 10:00:00",
                                         nicks=("alice", "dave", "eve"))
    overrides = lambda: sorted(private_lines(alice, "!oncall overrides"))
    listed = overrides()
    check(listed == ["no current or upcoming overrides"],
          "overrides at the start: %r" % listed)

    # take --until, shown by !who-is-on-call, cancelled
    a = ask_ok(alice, "!oncall take --until 15:00",
               r"alice covers outage-master for bob until Tue 1 Dec 15:00 CET"
               r" \(override #(\d+)\)")
    ida = re.search(r"#(\d+)\)$", a).group(1)
    ask_ok(alice, "!who-is-on-call",
           who_rx("alice", "Tue 1 Dec 15:00 CET", "bob", covers="bob"))
    ask_ok(alice, "!oncall cancel #" + ida,
           r"cancelled override #%s in outage-master" % ida)
    ask_ok(alice, "!oncall cancel " + ida,
           r"no current or upcoming override #%s" % ida)
    ask_ok(alice, "!who-is-on-call",
           who_rx("bob", "Mon 7 Dec 09:00 CET", "carol"))

    # take --for
    b = ask_ok(alice, "!oncall take --for 2h",
               r"alice covers outage-master for bob until Tue 1 Dec 13:00 CET"
               r" \(override #(\d+)\)")
    idb = re.search(r"#(\d+)\)$", b).group(1)
    ask_ok(alice, "!who-is-on-call",
           who_rx("alice", "Tue 1 Dec 13:00 CET", "bob", covers="bob"))

    # override in every time syntax
    span = lambda a, b: re.escape("%s – %s" % (a, b))
    ids = {}
    for key, cmd, person, a_, b_ in (
            ("d", "!oncall override carol 2026-12-02 09:00 2026-12-02 18:00",
             "carol", "Wed 2 Dec 09:00 CET", "Wed 2 Dec 18:00 CET"),
            ("e", "!oncall override carol 16:00 18:00 om",
             "carol", "Tue 1 Dec 16:00 CET", "Tue 1 Dec 18:00 CET"),
            ("f", "!oncall override carol 2026-12-22T09:00+01:00 "
             "2026-12-22T12:00+01:00 outage-master",
             "carol", "Tue 22 Dec 09:00 CET", "Tue 22 Dec 12:00 CET"),
            ("f2", "!oncall override carol 2026-12-23T08:00+00:00 "
             "2026-12-23T11:00+00:00",
             "carol", "Wed 23 Dec 09:00 CET", "Wed 23 Dec 12:00 CET"),
            ("g", "!oncall override carol 1h 2h",
             "carol", "Tue 1 Dec 12:00 CET", "Tue 1 Dec 13:00 CET")):
        r = ask_ok(alice, cmd, r"%s covers outage-master %s \(override #(\d+)\)"
                   % (person, span(a_, b_)))
        ids[key] = (re.search(r"#(\d+)\)$", r).group(1), person, a_, b_)

    listed = overrides()
    want = sorted(
        ["#%s outage-master: alice %s (take by alice)"
         % (idb, "%s – %s" % ("Tue 1 Dec 11:00 CET", "Tue 1 Dec 13:00 CET"))]
        + ["#%s outage-master: %s %s – %s (override by alice)" % v
           for v in ids.values()])
    # the contract words the kind as "override"; a take may say "take"
    check(len(listed) == len(want) and all(
        g == w or g == w.replace("(take by", "(override by")
        for g, w in zip(listed, want)),
        "!oncall overrides:\n  got  %s\n  want %s"
        % ("\n       ".join(listed), "\n       ".join(want)))

    # refusals: the reply, and nothing stored
    bad = (
        (alice, "!oncall override carol 2026-12-02 18:00 2026-12-02 09:00",
         r"the end is not after the start"),
        (alice, "!oncall override carol 2026-11-20 09:00 2026-11-21 09:00",
         r"that interval is in the past"),
        (alice, "!oncall override mallory 2026-12-02 09:00 2026-12-02 18:00",
         r"mallory is not a team member"),
        (alice, "!oncall override carol xx 2026-12-02 18:00",
         re.escape('"xx" is not a time (use 16:00, 2026-11-30 09:00, 2h, ...)')),
        (alice, "!oncall override carol 2026-12-02 09:00 tomorrowish",
         re.escape('"tomorrowish" is not a time (use 16:00, 2026-11-30 09:00, '
                   '2h, ...)')),
        (alice, "!oncall override carol 2026-12-02 09:00 2026-12-02 18:00 "
         "nosuch", re.escape('no role "nosuch" (roles: outage-master)')),
        (alice, "!oncall take nosuch",
         re.escape('no role "nosuch" (roles: outage-master)')),
        (alice, "!oncall take --for banana", r'"banana" is not a duration.*'),
        (alice, "!oncall take --until \"2026-11-30 10:00\"", r".*past.*"),
        (alice, "!who-is-on-call nosuch",
         re.escape('no role "nosuch" (roles: outage-master)')),
        (alice, "!oncall schedule nosuch",
         re.escape('no role "nosuch" (roles: outage-master)')),
        (alice, "!oncall swap mallory", r".*mallory.*"),
        (alice, "!oncall swap dave", r".*dave.*"),
        (dave, "!oncall swap alice", r"you are not in outage-master"),
        (alice, "!oncall swap carol nosuch",
         re.escape('no role "nosuch" (roles: outage-master)')),
        (eve, "!oncall take", r".*needs member access.*"),
        (eve, "!oncall override carol 16:00 18:00", r".*needs member access.*"),
        (eve, "!oncall cancel " + idb, r".*needs member access.*"),
        (alice, "!oncall cancel 999", r"no current or upcoming override #999"),
        (alice, "!oncall cancel abc", r".*abc.*"),
    )
    wrong = []
    for who, cmd, rx in bad:
        got = reply_to(who, cmd)
        if not re.fullmatch(rx, got):
            wrong.append("%s: %r\n    got  %r\n    want /%s/"
                         % (who.nick, cmd, got, rx))
    after = overrides()
    check(after == listed, "a refused command changed the overrides:\n"
          "  before %r\n  after  %r" % (listed, after))

    # swap: alice's next shift (Mon 14 Dec) and carol's (Mon 7 Dec)
    s = ask_ok(alice, "!oncall swap carol",
               r"swapped in outage-master: carol takes alice's shift %s "
               r"\(#(\d+)\); alice takes carol's shift %s \(#(\d+)\)"
               % (span("Mon 14 Dec 09:00 CET", "Mon 21 Dec 09:00 CET"),
                  span("Mon 7 Dec 09:00 CET", "Mon 14 Dec 09:00 CET")))
    sid1, sid2 = re.search(r"#(\d+)\); .*#(\d+)\)$", s).groups()
    sched = private_lines(alice, "!oncall schedule 10")
    R = ROLE + ": "
    want = [R + "Tue 1 Dec 11:00 CET – Tue 1 Dec 12:00 CET: alice (covering for bob)",
            R + "Tue 1 Dec 12:00 CET – Tue 1 Dec 13:00 CET: carol (covering for bob)",
            R + "Tue 1 Dec 13:00 CET – Tue 1 Dec 16:00 CET: bob",
            R + "Tue 1 Dec 16:00 CET – Tue 1 Dec 18:00 CET: carol (covering for bob)",
            R + "Tue 1 Dec 18:00 CET – Wed 2 Dec 09:00 CET: bob",
            R + "Wed 2 Dec 09:00 CET – Wed 2 Dec 18:00 CET: carol (covering for bob)",
            R + "Wed 2 Dec 18:00 CET – Mon 7 Dec 09:00 CET: bob",
            R + "Mon 7 Dec 09:00 CET – Mon 14 Dec 09:00 CET: alice (covering for carol)",
            R + "Mon 14 Dec 09:00 CET – Mon 21 Dec 09:00 CET: carol (covering for alice)",
            R + "Mon 21 Dec 09:00 CET – Tue 22 Dec 09:00 CET: bob"]
    check(sched == want, "!oncall schedule 10 after the overrides:\n"
          "  got  %s\n  want %s" % ("\n       ".join(sched),
                                    "\n       ".join(want)))

    # cancel everything; the list empties
    for i in [idb, sid1, sid2] + [v[0] for v in ids.values()]:
        ask_ok(alice, "!oncall cancel %s" % i,
               r"cancelled override #%s in outage-master" % i)
    listed = overrides()
    check(listed == ["no current or upcoming overrides"],
          "overrides after cancelling all: %r" % listed)
    ask_ok(alice, "!who-is-on-call",
           who_rx("bob", "Mon 7 Dec 09:00 CET", "carol"))
    # a member taking the shift to its end
    ask_ok(dave, "!oncall take",
           r"dave covers outage-master for bob until Mon 7 Dec 09:00 CET"
           r" \(override #\d+\)")
    ask_ok(alice, "!who-is-on-call",
           who_rx("dave", "Mon 7 Dec 09:00 CET", "carol", covers="bob"))
    bot.assert_alive()
    check(not wrong, "wrong refusals (nothing was stored, though):\n  "
          + "\n  ".join(wrong))


test_take_override_swap_cancel.timeout = 120


# ------------------------------------------------------------ 4. restarts

def test_restart_keeps_state_and_announces_once(t):
    srv = t.ngircd()
    alice = t.client(srv, "alice")
    alice.join("#test")
    bot = t.bot(oncall_config(t, srv), start=False)
    start_bot(t, bot, "2026-11-30 07:59:55", alice)
    line = alice.wait_for(privmsg_from(BOT_NICK, "#test", " handoff: "),
                          timeout=15, start=0, what="the handoff line")
    check(re.search(handoff_rx("bob", "Mon 7 Dec 09:00 CET", "alice"),
                    line.body), "wrong handoff line: %r" % line.body)
    bot.stop()

    # new member order; by arithmetic alone the 30 Nov week would be
    # alice's now, by the stored state it stays bob's
    bot.write_config(oncall_config(t, srv, members=("carol", "alice", "bob")))
    mark = alice.mark()
    start_bot(t, bot, "2026-12-02 12:00:00", alice, mark)
    ask_ok(alice, "!who-is-on-call",
           who_rx("bob", "Mon 7 Dec 09:00 CET", "carol"))
    alice.no_match_within(is_handoff, bot.past_retry(), start=mark,
                          what="a handoff announced again after a restart")
    bot.stop()

    # down over two handoffs (7 Dec carol, 14 Dec alice): both applied,
    # only the latest announced
    mark = alice.mark()
    start_bot(t, bot, "2026-12-15 10:00:00", alice, mark)
    line = alice.wait_for(privmsg_from(BOT_NICK, "#test", " handoff: "),
                          timeout=10, start=mark,
                          what="the caught-up handoff line")
    check(re.search(handoff_rx("alice", "Mon 21 Dec 09:00 CET", "carol"),
                    line.body), "wrong caught-up handoff line: %r" % line.body)
    ask_ok(alice, "!who-is-on-call",
           who_rx("alice", "Mon 21 Dec 09:00 CET", "bob"))
    alice.no_match_within(is_handoff, bot.past_retry(since=line.t),
                          start=alice.lines.index(line) + 1,
                          what="a second caught-up handoff line")
    bot.stop()

    # and once more: nothing left to announce
    mark = alice.mark()
    start_bot(t, bot, "2026-12-15 11:00:00", alice, mark)
    ask_ok(alice, "!who-is-on-call",
           who_rx("alice", "Mon 21 Dec 09:00 CET", "bob"))
    alice.no_match_within(is_handoff, bot.past_retry(), start=mark,
                          what="the caught-up handoff announced twice")


test_restart_keeps_state_and_announces_once.timeout = 90


# ------------------------------------------------------ 5. member removed

def test_removed_member_hands_off_at_once(t):
    srv, bot, (alice,) = setup(t, "2026-12-01 10:00:00")
    ask_ok(alice, "!who-is-on-call",
           who_rx("bob", "Mon 7 Dec 09:00 CET", "carol"))
    # a reorder that keeps bob changes nothing now
    mark = alice.mark()
    bot.write_config(oncall_config(t, srv, members=("carol", "bob", "alice")))
    ask_ok(alice, "!reload", "configuration reloaded")
    ask_ok(alice, "!who-is-on-call",
           who_rx("bob", "Mon 7 Dec 09:00 CET", "alice"))
    alice.no_match_within(is_handoff, 1.5, start=mark,
                          what="a handoff after a reorder")

    bot.write_config(oncall_config(t, srv, members=("alice", "carol")))
    mark = alice.mark()
    ask_ok(alice, "!reload", "configuration reloaded")
    line = alice.wait_for(privmsg_from(BOT_NICK, "#test", " handoff: "),
                          timeout=5, start=mark, what="the handoff line")
    check(re.search(handoff_rx("carol", "Mon 7 Dec 09:00 CET",
                               "bob, who left the rotation"), line.body),
          "wrong handoff line: %r" % line.body)
    ask_ok(alice, "!who-is-on-call",
           who_rx("carol", "Mon 7 Dec 09:00 CET", "alice"))
    alice.no_match_within(is_handoff, 1.5, start=alice.lines.index(line) + 1,
                          what="a second handoff line")

    # the last member of the list leaves: the rotation wraps to the first
    bot.write_config(oncall_config(t, srv, members=("alice",)))
    mark = alice.mark()
    ask_ok(alice, "!reload", "configuration reloaded")
    line = alice.wait_for(privmsg_from(BOT_NICK, "#test", " handoff: "),
                          timeout=5, start=mark, what="the handoff line")
    check(re.search(handoff_rx("alice", "Mon 7 Dec 09:00 CET",
                               "carol, who left the rotation"), line.body),
          "wrong handoff line: %r" % line.body)
    ask_ok(alice, "!who-is-on-call",
           who_rx("alice", "Mon 7 Dec 09:00 CET", "alice"))
    bot.assert_alive()


# ---------------------------------------------------------------- 6. iCal

def wait_ics(path, timeout=5.0, differs_from=None):
    deadline = time.monotonic() + timeout * slow_factor()
    while True:
        try:
            with open(path, "rb") as f:
                data = f.read()
            if data and data != differs_from:
                return data
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TestFailure("calendar %s %s within %.0f s" % (
                path, "not written" if differs_from is None else "not rewritten",
                timeout))
        time.sleep(0.1)


def parse_ics(data):
    """Check the RFC 5545 framing of data; return the unfolded lines."""
    check(data.endswith(b"\r\n"), "the calendar does not end with CRLF")
    body = data.replace(b"\r\n", b"")
    check(b"\n" not in body and b"\r" not in body,
          "a line in the calendar ends in a bare LF or CR")
    for i, l in enumerate(data[:-2].split(b"\r\n"), 1):
        check(len(l) <= 75, "calendar line %d is %d octets (over 75): %r"
              % (i, len(l), l))
        try:
            l.decode("utf-8")
        except UnicodeDecodeError:
            raise TestFailure("calendar line %d is cut inside a UTF-8 "
                              "character: %r" % (i, l))
    lines = (data.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
             .decode("utf-8").split("\r\n")[:-1])
    check(lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR",
          "calendar not framed by BEGIN/END:VCALENDAR: %r ... %r"
          % (lines[:1], lines[-1:]))
    check("VERSION:2.0" in lines, "no VERSION:2.0")
    check(any(l.startswith("PRODID:") for l in lines), "no PRODID")
    return lines


def ics_events(lines):
    events, cur = [], None
    for l in lines:
        if l == "BEGIN:VEVENT":
            check(cur is None, "nested VEVENT")
            cur = {}
        elif l == "END:VEVENT":
            check(cur is not None, "END:VEVENT without BEGIN")
            events.append(cur)
            cur = None
        elif cur is not None:
            k, _, v = l.partition(":")
            cur[k.split(";", 1)[0]] = v
    check(cur is None, "unterminated VEVENT")
    for e in events:
        for k in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            check(k in e, "a VEVENT without %s: %r" % (k, e))
        for k in ("DTSTAMP", "DTSTART", "DTEND"):
            check(re.fullmatch(r"\d{8}T\d{6}Z", e[k]),
                  "%s is not a UTC time: %r" % (k, e[k]))
    return events


def rotation_events(lines, role):
    return [e for e in ics_events(lines)
            if e["UID"].startswith(role + "-") and "-o" not in e["UID"]
            .split("@")[0][len(role):]]


def utc_stamp(dt):
    return dt.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def handoffs(anchor, tz, k0, k1, days=7):
    """UTC stamps of handoffs k0..k1 of a rotation anchored at local time
    `anchor` in zone tz (same wall time every `days` days)."""
    a = datetime.strptime(anchor, "%Y-%m-%d %H:%M")
    z = ZoneInfo(tz)
    return [utc_stamp((a + timedelta(days=days * k)).replace(tzinfo=z))
            for k in range(k0, k1 + 1)]


def check_rotation(events, role, anchor, tz, members, k0, instance,
                   until):
    """events are the role's shifts k0, k0+1, ... in order, up to `until`
    (a UTC stamp) at least."""
    check(events, "no events of %s in the calendar" % role)
    hs = handoffs(anchor, tz, k0, k0 + len(events))
    for i, e in enumerate(events):
        k = k0 + i
        want = {"DTSTART": hs[i], "DTEND": hs[i + 1],
                "SUMMARY": "%s: %s" % (role, members[k % len(members)]),
                "UID": "%s-%s@%s" % (role, hs[i], instance)}
        got = {key: e[key] for key in want}
        check(got == want, "calendar event %d of %s:\n  got  %r\n  want %r"
              % (i, role, got, want))
    check(events[-1]["DTEND"] >= until, "the calendar of %s ends at %s, "
          "before %s" % (role, events[-1]["DTEND"], until))


LONG_ROLE = ("ical-line-folding-" + "x" * 32)[:32]
INSTANCE = "outagebot-integration-tests"


def test_ical_calendar(t):
    weeks = 20          # Tue 1 Dec 2026 + 20 w: past the 2027 DST change
    role2 = {"name": LONG_ROLE, "members": ["bob", "carol"], "shift": "1w",
             "start": "2026-11-24 12:00", "timezone": "UTC"}
    srv, bot, (alice,) = setup(t, "2026-12-01 10:00:00", extra_roles=[role2],
                               instance=INSTANCE, ical_weeks=weeks)
    path = t.path("oncall.ics")
    data1 = wait_ics(path)
    lines = parse_ics(data1)
    check(any(len(l) > 75 for l in lines),
          "test bug: no line long enough to need folding")
    until = utc_stamp(datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
                      + timedelta(weeks=weeks))
    ev1 = rotation_events(lines, ROLE)
    # from the current shift (k = 1, Mon 30 Nov) on
    check_rotation(ev1, ROLE, ANCHOR, PRAGUE, MEMBERS, 1, INSTANCE, until)
    check(any(e["DTSTART"].endswith("T070000Z") for e in ev1)
          and any(e["DTSTART"].endswith("T080000Z") for e in ev1),
          "the calendar does not reach summer time (07:00Z handoffs)")
    ev2 = rotation_events(lines, LONG_ROLE)
    # Tue 1 Dec 10:00 UTC is still in the shift of Tue 24 Nov 12:00 (k = 0)
    check_rotation(ev2, LONG_ROLE, "2026-11-24 12:00", "UTC", ("bob", "carol"),
                   0, INSTANCE, until)

    # an override in alice's week (Mon 14 Dec): only that week changes
    r = ask_ok(alice, "!oncall override bob 2026-12-16 09:00 "
               "2026-12-16 18:00 om",
               r"bob covers outage-master .* \(override #(\d+)\)")
    oid = re.search(r"#(\d+)\)$", r).group(1)
    data2 = wait_ics(path, differs_from=data1)
    lines2 = parse_ics(data2)
    all2 = ics_events(lines2)
    ov = [e for e in all2 if e["UID"] == "%s-20261216T080000Z-o%s@%s"
          % (ROLE, oid, INSTANCE)]
    check(len(ov) == 1, "no (or more than one) event with UID "
          "%s-20261216T080000Z-o%s@%s; UIDs: %r"
          % (ROLE, oid, INSTANCE, [e["UID"] for e in all2]))
    check((ov[0]["DTSTART"], ov[0]["DTEND"], ov[0]["SUMMARY"]) ==
          ("20261216T080000Z", "20261216T170000Z",
           "%s: bob (covering for alice)" % ROLE),
          "the override's event: %r" % ov[0])
    before = {e["UID"]: e for e in ics_events(lines)}
    after = {e["UID"]: e for e in all2}
    week = ("20261214T080000Z", "20261221T080000Z")
    for uid, e in before.items():
        if e["DTSTART"] == week[0] and uid.startswith(ROLE + "-"):
            check(uid in after and after[uid]["DTEND"] == "20261216T080000Z",
                  "alice's shift before the override should keep its UID "
                  "%s and end at 20261216T080000Z: %r" % (uid, after.get(uid)))
            continue
        if e["DTSTART"] < until:
            check(uid in after, "event %s (%s) lost its UID after the "
                  "override" % (uid, e["SUMMARY"]))
            for k in ("DTSTART", "DTEND", "SUMMARY"):
                check(after[uid][k] == e[k], "event %s changed %s: %r -> %r"
                      % (uid, k, e[k], after[uid][k]))
    rest = [e for e in all2 if e["DTSTART"] == "20261216T170000Z"
            and e["UID"].startswith(ROLE + "-")]
    check(len(rest) == 1 and rest[0]["DTEND"] == week[1]
          and rest[0]["SUMMARY"] == "%s: alice" % ROLE,
          "alice's shift after the override: %r" % rest)

    # cancelled: the calendar is as before (same events, same UIDs)
    ask_ok(alice, "!oncall cancel " + oid,
           r"cancelled override #%s in outage-master" % oid)
    data3 = wait_ics(path, differs_from=data2)
    strip = lambda evs: sorted((e["UID"], e["DTSTART"], e["DTEND"],
                                e["SUMMARY"]) for e in evs)
    check(strip(ics_events(parse_ics(data3))) == strip(ics_events(lines)),
          "the calendar after cancelling the override differs from the one "
          "before it")


# ------------------------------------------------------------ 7. reminder

REMINDER_BOB = ("reminder: you are on call for outage-master from "
                "Mon 30 Nov 09:00 CET until Mon 7 Dec 09:00 CET")


def test_reminder_private_once(t):
    # handoff to bob at 08:00:00 UTC; remind_before 1m: at 07:59:00
    srv, bot, (alice, bob) = setup(t, "2026-11-30 07:58:50",
                                   nicks=("alice", "bob"), remind="1m")
    line = bob.wait_for(privmsg_from(BOT_NICK, "bob"), timeout=20, start=0,
                        what="the private reminder")
    check(line.body == REMINDER_BOB, "reminder text:\n  got  %r\n  want %r"
          % (line.body, REMINDER_BOB))
    arrived_between(line, bot, 8, 14, "the reminder")
    check(not alice.matching(privmsg_from(BOT_NICK, "#test", "reminder")),
          "the reminder went to the channel too")
    bot.stop()
    mark = bob.mark()
    start_bot(t, bot, "2026-11-30 07:59:05", alice, alice.mark())
    bob.no_match_within(lambda l: l.nick == BOT_NICK and "reminder" in l.body,
                        bot.past_retry(), start=mark,
                        what="a second reminder after restart")
    check(not alice.matching(privmsg_from(BOT_NICK, "#test", "reminder")),
          "a reminder went to the channel after the restart")


test_reminder_private_once.timeout = 60


def test_reminder_due_at_start_is_sent(t):
    # the bot starts after the reminder's instant (07:59:00) but before
    # the handoff: the reminder is late, not skipped, and still private
    srv, bot, (alice, bob) = setup(t, "2026-11-30 07:59:30",
                                   nicks=("alice", "bob"), remind="1m")
    line = bob.wait_for(lambda l: l.nick == BOT_NICK and "reminder" in l.body,
                        timeout=10, start=0, what="the late reminder")
    check(line.command == "PRIVMSG" and line.target == "bob"
          and line.body == REMINDER_BOB,
          "late reminder: %s\n  want PRIVMSG bob :%s" % (line.text, REMINDER_BOB))
    # due at start: made once the bot is in #test (it retries every 5 s)
    arrived_between(line, bot, 0, 8, "the late reminder")
    check(not alice.matching(privmsg_from(BOT_NICK, "#test", "reminder")),
          "the late reminder went to the channel")


def test_reminder_in_channel_when_offline(t):
    # handoff to carol at Mon 7 Dec 08:00:00 UTC; carol is not online
    srv, bot, (alice,) = setup(t, "2026-12-07 07:58:50", remind="1m")
    line = alice.wait_for(privmsg_from(BOT_NICK, "#test", "reminder"),
                          timeout=20, start=0, what="the channel reminder")
    want = ("carol: reminder: you are on call for outage-master from "
            "Mon 7 Dec 09:00 CET until Mon 14 Dec 09:00 CET")
    check(line.body == want, "reminder line:\n  got  %r\n  want %r"
          % (line.body, want))
    arrived_between(line, bot, 8, 14, "the reminder")


test_reminder_in_channel_when_offline.timeout = 60


# ----------------------------------------------------------- 8. offline CLI

def test_offline_cli_matches_irc(t):
    srv, bot, (alice,) = setup(t, "2026-12-01 10:00:00")
    irc = ask_ok(alice, "!who-is-on-call",
                 who_rx("bob", "Mon 7 Dec 09:00 CET", "carol"))
    ask_ok(alice, "!oncall take --for 2h", r"alice covers .*")
    irc2 = ask_ok(alice, "!who-is-on-call",
                  who_rx("alice", "Tue 1 Dec 13:00 CET", "bob", covers="bob"))
    bot.stop()
    bot.fake_clock("2026-12-01 10:00:30")
    res = bot.run_once(["-c", bot.conf_path, "oncall"])
    check(res.returncode == 0 and res.stdout == irc2 + "\n",
          "outagebot oncall: exit %d\n  stdout %r\n  want   %r\n  stderr %r"
          % (res.returncode, res.stdout, irc2 + "\n", res.stderr))
    res = bot.run_once(["-c", bot.conf_path, "oncall", "om"])
    check(res.returncode == 0 and res.stdout == irc2 + "\n",
          "outagebot oncall om: %r / %r" % (res.stdout, res.stderr))
    # after the take: the same line as before it
    bot.fake_clock("2026-12-01 12:30:00")
    res = bot.run_once(["-c", bot.conf_path, "oncall"])
    check(res.returncode == 0 and res.stdout == irc + "\n",
          "outagebot oncall after the take: %r (want %r) / %r"
          % (res.stdout, irc + "\n", res.stderr))
    # another week: carol's
    res = bot.run_once(["-c", bot.conf_path, "oncall", "outage-master",
                        "--at", "2026-12-08 10:00"])
    want = "%s: carol until Mon 14 Dec 09:00 CET; next: alice\n" % ROLE
    check(res.returncode == 0 and res.stdout == want,
          "oncall --at 2026-12-08 10:00: exit %d, %r (want %r) / %r"
          % (res.returncode, res.stdout, want, res.stderr))
    res = bot.run_once(["-c", bot.conf_path, "oncall", "nosuch"])
    check(res.returncode != 0 and "nosuch" in res.stderr and not res.stdout,
          "oncall nosuch: exit %d, %r / %r" % (res.returncode, res.stdout,
                                               res.stderr))


# -------------------------------------------------------- schedule, roles

def test_schedule_and_roles(t):
    # Tue 15 Dec 2026: alice's week; the schedule crosses into 2027
    srv, bot, (alice,) = setup(t, "2026-12-15 10:00:00")
    R = ROLE + ": "
    want = [R + "Mon 14 Dec 09:00 CET – Mon 21 Dec 09:00 CET: alice",
            R + "Mon 21 Dec 09:00 CET – Mon 28 Dec 09:00 CET: bob",
            R + "Mon 28 Dec 09:00 CET – Mon 4 Jan 2027 09:00 CET: carol",
            R + "Mon 4 Jan 2027 09:00 CET – Mon 11 Jan 2027 09:00 CET: alice"]
    got = private_lines(alice, "!oncall schedule")
    check(got == want, "!oncall schedule:\n  got  %s\n  want %s"
          % ("\n       ".join(got), "\n       ".join(want)))
    got = private_lines(alice, "!oncall schedule om 2")
    check(got == want[:2], "!oncall schedule om 2: %r" % got)
    ask_ok(alice, "!oncall schedule 0", r"count must be 1 to \d+")
    ask_ok(alice, "!oncall roles",
           re.escape("outage-master (also om): alice, bob, carol — 1w shifts, "
                     "handoff Mon 09:00 Europe/Prague, announced in #test"))
    # an override splits bob's week
    ask_ok(alice, "!oncall override carol 2026-12-22 09:00 2026-12-22 18:00",
           r"carol covers outage-master .*")
    got = private_lines(alice, "!oncall schedule 4")
    want = [want[0],
            R + "Mon 21 Dec 09:00 CET – Tue 22 Dec 09:00 CET: bob",
            R + "Tue 22 Dec 09:00 CET – Tue 22 Dec 18:00 CET: carol "
            "(covering for bob)",
            R + "Tue 22 Dec 18:00 CET – Mon 28 Dec 09:00 CET: bob"]
    check(got == want, "!oncall schedule 4 with an override:\n  got  %s\n"
          "  want %s" % ("\n       ".join(got), "\n       ".join(want)))


# ------------------------------------------------ nicks are case-insensitive

def test_nick_case_names_the_team_person(t):
    # Tue 8 Dec: carol's week (Mon 7 Dec - Mon 14 Dec); IRC nicks are
    # case-insensitive, so CAROL is the team person carol
    srv, bot, (alice,) = setup(t, "2026-12-08 10:00:00")
    ask_ok(alice, "!oncall override CAROL 2026-12-15 09:00 2026-12-15 18:00",
           r"carol covers outage-master Tue 15 Dec 09:00 CET – "
           r"Tue 15 Dec 18:00 CET \(override #\d+\)")
    listed = private_lines(alice, "!oncall overrides")
    check(len(listed) == 1 and re.fullmatch(
        r"#\d+ outage-master: carol Tue 15 Dec 09:00 CET – Tue 15 Dec 18:00 "
        r"CET \(override by alice\)", listed[0]),
        "!oncall overrides: %r" % listed)
    # in her own week she covers nobody
    ask_ok(alice, "!oncall override Carol 2026-12-09 09:00 2026-12-09 18:00",
           r"carol covers outage-master .*")
    sched = private_lines(alice, "!oncall schedule 2")
    check(not any("covering for carol" in l or "Carol" in l for l in sched),
          "carol shown covering for herself (or under another spelling): %r"
          % sched)
    ask_ok(alice, "!oncall swap CAROL",
           r"swapped in outage-master: carol takes alice's shift "
           r"Mon 14 Dec 09:00 CET – Mon 21 Dec 09:00 CET \(#\d+\); alice takes "
           r"carol's shift Mon 28 Dec 09:00 CET – Mon 4 Jan 2027 09:00 CET "
           r"\(#\d+\)")


def test_wall_clock_jump_rearms_the_handoff(t):
    """The wall clock jumps forward (an NTP step, a resumed VM) while the
    monotonic clock runs on: the handoff timer was armed for an hour
    later, so only noticing the jump gets the handoff announced on time.
    libfaketime reads the wall time from a file here, and the test
    rewrites the file; the monotonic clock stays real."""
    stamp = t.path("faketime.txt")
    with open(stamp, "w") as f:
        f.write("@2026-11-30 07:00:00\n")
    srv = t.ngircd()
    alice = t.client(srv, "alice")
    alice.join("#test")
    bot = t.bot(oncall_config(t, srv), start=False)
    bot.extra_env.update({"LD_PRELOAD": faketime_env("x")["LD_PRELOAD"],
                          "TZ": "UTC", "FAKETIME_TIMESTAMP_FILE": stamp,
                          "FAKETIME_NO_CACHE": "1",
                          "FAKETIME_DONT_FAKE_MONOTONIC": "1"})
    bot.start()
    bot.wait_joined(alice, "#test")
    ask_ok(alice, "!who-is-on-call",
           who_rx("alice", "Mon 30 Nov 09:00 CET", "bob"))
    # 08:59:45 CET: the handoff is 15 s away on the new wall clock
    with open(stamp, "w") as f:
        f.write("@2026-11-30 07:59:45\n")
    jumped = time.monotonic()
    line = alice.wait_for(privmsg_from(BOT_NICK, "#test", " handoff: "),
                          timeout=40, start=0, what="the handoff line")
    check(re.search(handoff_rx("bob", "Mon 7 Dec 09:00 CET", "alice"),
                    line.body), "wrong handoff line: %r" % line.body)
    waited = line.t - jumped
    check(13.0 <= waited <= 27.0,
          "the handoff came %.1f s after the jump (due 15 s after it, "
          "the jump noticed within 10 s)" % waited)
    check(re.search(r"wall clock jumped", open(bot.stderr_path).read()),
          "the bot did not log the jump")
    bot.assert_alive()


test_wall_clock_jump_rearms_the_handoff.timeout = 80


def test_ical_never_follows_a_planted_link(t):
    # a link planted at the old fixed temporary name (and at a near
    # guess) must not be written through; the calendar is a plain file
    # and no temporary file is left behind
    import os
    import stat
    path = t.path("oncall.ics")
    folder = os.path.dirname(path)
    victim = t.path("victim.txt")
    with open(victim, "w") as f:
        f.write("keep\n")
    for name in (path + ".tmp", path + ".XXXXXX"):
        os.symlink(victim, name)
    srv, bot, (alice,) = setup(t, "2026-12-01 10:00:00")
    data = wait_ics(path)
    check(data.startswith(b"BEGIN:VCALENDAR"), "calendar: %r" % data[:40])
    check(not os.path.islink(path), "the calendar is a symbolic link")
    with open(victim) as f:
        check(f.read() == "keep\n", "the file behind the planted link "
              "was written")
    ask_ok(alice, "!oncall take --for 2h", r"alice (is on call|covers) .*")
    wait_ics(path, differs_from=data)
    left = sorted(n for n in os.listdir(folder)
                  if n.startswith("oncall.ics.") and
                  n not in ("oncall.ics.tmp", "oncall.ics.XXXXXX"))
    check(left == [], "temporary files left behind: %r" % left)
    check(stat.S_IMODE(os.stat(path).st_mode) == 0o644,
          "calendar mode %o" % stat.S_IMODE(os.stat(path).st_mode))


def test_question_audit_rows_keep_their_order(t):
    # a team person's public question leaves its row a moment later (in
    # a batch, off the reply path); a change asked next still comes after
    # it in the table, and both rows are there
    srv, bot, (alice,) = setup(t, "2026-12-01 10:00:00")
    db = bot.config["storage"]["path"]
    alice.ask("#test", "!who", r"outage-master: ")
    ask_ok(alice, "!oncall take --for 2h",
           r"alice covers outage-master for bob until .*")
    deadline = time.monotonic() + 5 * slow_factor()
    while True:
        cmds = [(r["who"], r["command"])
                for r in bot.audit_rows(db, "ORDER BY id")]
        if len(cmds) >= 2:
            break
        check(time.monotonic() < deadline, "audit rows: %r" % cmds)
        time.sleep(0.2)
    check(cmds == [("alice", "who-is-on-call"), ("alice", "oncall take")],
          "audit rows: %r" % cmds)


def test_override_limit_and_audit_rows(t):
    # the 366-day limit is the domain's, for take and override alike;
    # a change's audit row is written once, with the change; a stranger's
    # public question writes none
    srv, bot, (alice, eve) = setup(t, "2026-12-01 10:00:00",
                                   nicks=("alice", "eve"))
    db = bot.config["storage"]["path"]
    eve.ask("#test", "!who", r"outage-master: ")
    ask_ok(alice, "!oncall take --for 367d",
           r"an override can last at most 366 days")
    ask_ok(alice, "!oncall override bob 2026-12-02 2028-01-01",
           r"an override can last at most 366 days")
    ask_ok(alice, "!oncall take --for 2h",
           r"alice covers outage-master for bob until .*")
    deadline = time.monotonic() + 5 * slow_factor()
    while True:
        rows = bot.audit_rows(db, "ORDER BY id")
        cmds = [(r["who"], r["command"], r["args"]) for r in rows]
        if len(cmds) >= 3:
            break
        check(time.monotonic() < deadline, "audit rows: %r" % cmds)
        time.sleep(0.2)
    time.sleep(0.5)
    cmds = [(r["who"], r["command"], r["args"])
            for r in bot.audit_rows(db, "ORDER BY id")]
    check(not [c for c in cmds if c[0] == "eve"],
          "a stranger's public question was audited: %r" % cmds)
    check(cmds == [("alice", "oncall take", "--for 367d"),
                   ("alice", "oncall override",
                    "bob 2026-12-02 2028-01-01"),
                   ("alice", "oncall take", "--for 2h")],
          "audit rows: %r" % cmds)
