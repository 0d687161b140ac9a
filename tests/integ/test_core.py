"""The core daemon against a real ngIRCd: joining, the core commands, reply
splitting, flood control, reconnect, nick regain, hostile input, reload,
signals, the audit table. Identity is by hostmask (ngIRCd has no services):
alice!*@* is an admin, bob!*@* a member, anyone else public."""

import re
import signal
import time

from harness import (BOT_NICK, TestFailure, any_message_from, check,
                     notice_from, privmsg_from, sleep, slow_factor)

VERSION_RX = r"outagebot \d+\.\d+"


def setup(t, nicks=("alice",), channels=("#test",), **over):
    """ngircd, clients in #test, the bot joined. Returns (srv, bot, clients)."""
    srv = t.ngircd()
    clients = [t.client(srv, n) for n in nicks]
    for c in clients:
        for ch in channels:
            c.join(ch)
    bot = t.bot(t.bot_config(srv, **over))
    bot.wait_joined(clients[0], "#test")
    return srv, bot, clients


def addressed(nick, text_rx):
    """Regex for a channel reply to nick: "nick: <text>"."""
    return "^" + re.escape(nick) + ": " + text_rx


# ------------------------------------------------------------------ basics

def test_joins_channel(t):
    srv, bot, (alice,) = setup(t)
    join = alice.wait_for(lambda l: l.command == "JOIN" and l.nick == BOT_NICK,
                          start=0, what="the bot's JOIN")
    check(join.params[0] == "#test", "bot joined %r" % join.params[0])
    check(BOT_NICK in alice.names("#test"), "bot not in NAMES #test")
    bot.assert_alive()


def test_help(t):
    srv, bot, (alice,) = setup(t)
    line = alice.ask("#test", "!help")
    for cmd in ("!help", "!version", "!whoami", "!reload"):
        check(cmd in line.body, "!help does not list %s: %r" % (cmd, line.body))
    alice.no_match_within(privmsg_from(BOT_NICK, "#test"), 1.0,
                          what="a second line for !help (one line expected)")
    for cmd in ("help", "version", "whoami", "reload"):
        alice.ask("#test", "!help " + cmd, r"usage: !%s\b" % cmd)
    alice.ask("#test", "!help nosuchcmd", r"no such command: !nosuchcmd$")


def test_version_channel_private_and_addressed(t):
    srv, bot, (alice,) = setup(t)
    line = alice.ask("#test", "!version", VERSION_RX)
    check(line.target == "#test", "channel reply not sent to the channel")
    # private: a NOTICE to the nick, without the "alice: " address
    line = alice.ask(BOT_NICK, "!version", "^" + VERSION_RX)
    check(line.command == "NOTICE" and line.target == "alice",
          "private reply is not a NOTICE to alice: " + line.text)
    # addressed by name in the channel
    alice.ask("#test", "outagebot: version", VERSION_RX)


def test_whoami_hostmask(t):
    srv, bot, (alice, bob, carol) = setup(t, nicks=("alice", "bob", "carol"))
    alice.ask("#test", "!whoami",
              r"you are alice \(admin; alice!~?tester@127\.0\.0\.1\)$")
    bob.ask("#test", "!whoami",
            r"you are bob \(member; bob!~?tester@127\.0\.0\.1\)$")
    carol.ask("#test", "!whoami",
              r"you are carol \(public; carol!~?tester@127\.0\.0\.1\)$")


def test_unknown_command_is_silent(t):
    srv, bot, (alice,) = setup(t)
    start = alice.mark()
    alice.say("#test", "!frobnicate the widgets")
    alice.say(BOT_NICK, "!xyzzy")
    alice.no_match_within(any_message_from(BOT_NICK), 2.0, start=start,
                          what="a reply to an unknown command")
    alice.ask("#test", "!version", VERSION_RX)


def test_did_you_mean(t):
    srv, bot, (alice,) = setup(t)
    alice.ask("#test", "!hlep", r"did you mean !help\?$")
    alice.ask("#test", "!verison", r"did you mean !version\?$")
    alice.ask(BOT_NICK, "!whoamii", r"^did you mean !whoami\?$")


def test_usage_error(t):
    srv, bot, (alice,) = setup(t)
    alice.ask("#test", "!version extra words", r"usage: !version\b")
    alice.ask(BOT_NICK, "!version extra", r"^usage: !version\b")


# ---------------------------------------------------------- long replies

# 2-, 3- and 4-byte UTF-8 characters, no spaces: a splitter has to cut
# inside the "word", at a character boundary.
LONG_ARG = "é€😀ж" * 41          # 164 characters, 451 bytes


def collect_reply(client, expected, start, channel_lines_max=None,
                  timeout=8.0):
    """Lines of a (possibly split) reply to client: PRIVMSGs to #test and
    NOTICEs to the client, until their texts add up to expected."""
    pieces, lines = [], []
    deadline = time.monotonic() + timeout * slow_factor()
    pos = start

    def from_bot(l):
        return (l.nick == BOT_NICK and
                ((l.command == "PRIVMSG" and l.target == "#test") or
                 (l.command == "NOTICE" and l.target == client.nick)))
    while len("".join(pieces)) < len(expected):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TestFailure("reply incomplete after %.0f s: got %d of %d "
                              "characters in %d lines\n%s"
                              % (timeout, len("".join(pieces)), len(expected),
                                 len(lines), client.transcript()))
        line = client.wait_for(from_bot, left / slow_factor(), start=pos,
                               what="the next piece of the long reply")
        pos = client.lines.index(line, pos) + 1
        lines.append(line)
        # every received line whole: fits 512 bytes with CRLF, not cut by
        # the server, valid UTF-8
        check(len(line.raw) <= 512, "a line of %d bytes (over 512): %r"
              % (len(line.raw), line.raw[:80]))
        check(b"[CUT]" not in line.raw, "the server cut a line: %r" % line.raw[-60:])
        try:
            line.raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise TestFailure("a reply line is not valid UTF-8 (%s): %r"
                              % (e, line.raw))
        text = line.body_bytes.decode("utf-8")
        if text.startswith(client.nick + ": "):
            text = text[len(client.nick) + 2:]
        elif line.command == "PRIVMSG" and not lines[:-1]:
            raise TestFailure("first channel line not addressed to %s: %r"
                              % (client.nick, text))
        pieces.append(text)
    got = "".join(pieces)
    check(got == expected, "pieces do not add up to the reply:\n  expected %r\n"
          "  got      %r" % (expected, got))
    return lines


def test_reply_splitting(t):
    srv, bot, (alice,) = setup(t)
    check(len(LONG_ARG.encode()) >= 450, "test bug: argument too short")
    start = alice.mark()
    alice.say("#test", "!help " + LONG_ARG)
    expected = "no such command: !" + LONG_ARG
    lines = collect_reply(alice, expected, start)
    check(len(lines) >= 2, "a %d-byte reply came in one line?" % len(expected.encode()))
    check(all(l.command == "PRIVMSG" for l in lines),
          "with max_reply_lines = 4 a 2-line reply goes to the channel only")
    # the same in private (NOTICE, no address prefix)
    start = alice.mark()
    alice.say(BOT_NICK, "!help " + LONG_ARG)
    lines = collect_reply(alice, expected, start)
    check(all(l.command == "NOTICE" for l in lines), "private reply not NOTICEs")


def test_reply_overflow_goes_to_notices(t):
    srv, bot, (alice, bob) = setup(t, nicks=("alice", "bob"),
                                   irc={"max_reply_lines": 1})
    start = alice.mark()
    alice.say("#test", "!help " + LONG_ARG)
    expected = "no such command: !" + LONG_ARG
    lines = collect_reply(alice, expected, start)
    chan = [l for l in lines if l.command == "PRIVMSG"]
    notes = [l for l in lines if l.command == "NOTICE"]
    check(len(chan) == 1, "max_reply_lines = 1 but %d channel lines" % len(chan))
    check(lines[0].command == "PRIVMSG", "the channel line must come first")
    check(len(notes) >= 1, "no NOTICE with the rest")
    alice.no_match_within(privmsg_from(BOT_NICK, "#test"), 1.0,
                          what="a second channel line")
    # bob, in the channel, saw only the channel line
    bob.wait_for(privmsg_from(BOT_NICK, "#test", "^alice: "))
    bob.no_match_within(notice_from(BOT_NICK), 0.5, start=0)


# ------------------------------------------------------------ flood control

def test_flood_pacing(t):
    srv, bot, (alice,) = setup(t, irc={"flood": {"burst": 2, "interval": "1s"}})
    time.sleep(3.5)                          # let the bucket fill up
    start = alice.mark()
    t0 = time.monotonic()
    alice.send_raw(b"PRIVMSG outagebot :!version\r\n" * 6)
    replies = alice.wait_all(notice_from(BOT_NICK, "alice", "^" + VERSION_RX),
                             6, timeout=15, start=start)
    at = [round(l.t - t0, 3) for l in replies]
    fast = 0.6 * slow_factor()
    check(at[0] <= fast and at[1] <= fast,
          "first two replies not at once (burst = 2): arrival times %s" % at)
    gaps = [round(b - a, 3) for a, b in zip(at[1:], at[2:])]
    check(all(g >= 0.85 for g in gaps),
          "replies 3-6 closer than the 1 s interval: arrival times %s" % at)
    check(at[5] <= 4 + 2.0 * slow_factor(),
          "replies much slower than one per second: arrival times %s" % at)


# ------------------------------------------------------- connection faults

def test_server_restart(t):
    srv, bot, (alice,) = setup(t)
    srv.restart(down=2.0)
    alice.wait_closed(5)
    alice2 = t.client(srv, "alice", name="alice-after")
    alice2.join("#test")
    bot.wait_joined(alice2, "#test", timeout=20)
    alice2.ask("#test", "!version", VERSION_RX)
    bot.assert_alive()


def _bot_under_taken_nick(t):
    """A bot that joined as BOT_NICK_ because holder has its nick; returns
    holder and alice (both in #test)."""
    srv = t.ngircd()
    holder = t.client(srv, BOT_NICK, name="holder")
    alice = t.client(srv, "alice")
    holder.join("#test")
    alice.join("#test")
    bot = t.bot(t.bot_config(srv))
    bot.wait_joined(alice, "#test", nick=BOT_NICK + "_")
    return holder, alice


def test_nick_collision_regain_on_quit(t):
    holder, alice = _bot_under_taken_nick(t)
    start = alice.mark()
    holder.quit("making room")
    line = alice.wait_for(lambda l: l.command == "NICK" and l.nick == BOT_NICK + "_",
                          10, start=start, what="the bot's NICK change")
    check(line.params[-1] == BOT_NICK, "bot changed nick to %r" % line.params[-1])
    line = alice.ask("#test", "!version", VERSION_RX)
    check(line.nick == BOT_NICK, "reply came from %s" % line.nick)


def test_nick_collision_regain_on_nick_change(t):
    holder, alice = _bot_under_taken_nick(t)
    start = alice.mark()
    holder.change_nick("someone_else")
    alice.wait_for(lambda l: l.command == "NICK" and l.nick == BOT_NICK + "_"
                   and l.params[-1] == BOT_NICK, 10, start=start,
                   what="the bot taking its nick back")


def test_nick_regain_by_polling(t):
    """The holder shares no channel with the bot: its QUIT is not visible,
    so the bot must notice by MONITOR or by ISON (every 30 s)."""
    srv = t.ngircd()
    holder = t.client(srv, BOT_NICK, name="holder")
    alice = t.client(srv, "alice")
    alice.join("#test")
    bot = t.bot(t.bot_config(srv))
    bot.wait_joined(alice, "#test", nick=BOT_NICK + "_")
    start = alice.mark()
    holder.quit("gone")
    alice.wait_for(lambda l: l.command == "NICK" and l.nick == BOT_NICK + "_"
                   and l.params[-1] == BOT_NICK, 40, start=start,
                   what="the bot taking its nick back within 40 s")


test_nick_regain_by_polling.timeout = 120


# ------------------------------------------------------------ hostile input

JUNK = bytes(b for b in range(1, 256) if b not in (10, 13))


def test_hostile_input_through_server(t):
    srv, bot, (alice, bob) = setup(t, nicks=("alice", "bob"))
    lines = [
        b"PRIVMSG #test :\xff\xfe\xfd invalid \xc3\x28 utf-8 \xe2\x82",
        b"PRIVMSG #test :!\xff\xfe",
        b"PRIVMSG #test :!help \xc3\x28\xa0\xa1",
        b"PRIVMSG #test :!version \xf0\x28\x8c\xbc",
        b"PRIVMSG outagebot :!\xe2\x28\xa1",
        b"PRIVMSG #test :\x02\x034,12colour\x0f \x1d\x1f\x16\x11\x1e !help \x03\x02",
        b"PRIVMSG #test :\x03" + b"9" * 300,
        b"PRIVMSG #test :" + JUNK[:200],
        b"PRIVMSG #test :" + JUNK[200:],
        b"PRIVMSG outagebot :" + JUNK[:240],
        b"PRIVMSG #test :\x01VERSION\x01",
        b"PRIVMSG #test :\x01ACTION !version\x01",
        b"PRIVMSG outagebot :\x01PING 123\x01",
        b"NOTICE #test :!version",
        b"PRIVMSG #test :!" + "é".encode() * 200,
        b"PRIVMSG #test :" + b"!" * 400,
        b"PRIVMSG #test :outagebot:",
        b"PRIVMSG #test :outagebot: \xff",
    ]
    alice.send_raw(b"".join(l + b"\r\n" for l in lines))
    # a client sending 10 KB in one line (ngIRCd 26 stalls that client
    # instead of relaying or dropping it; a line of 513-2047 bytes gets it
    # disconnected): nothing of it may reach the bot or upset it
    rude = t.client(srv, "rude")
    rude.join("#test")
    rude.send_raw(b"PRIVMSG #test :" + b"A" * 10240 + b"\r\n")
    rude2 = t.client(srv, "rude2")
    rude2.join("#test")
    rude2.send_raw(b"PRIVMSG #test :!version " + b"A" * 600 + b"\r\n")
    rude2.wait_closed(10)
    sleep(1.0)
    bot.assert_alive()
    bob.ask("#test", "!version", VERSION_RX)
    bob.ask(BOT_NICK, "!version", "^" + VERSION_RX)
    # whatever the bot said meanwhile fits on the wire and is UTF-8
    for l in alice.matching(any_message_from(BOT_NICK)):
        check(len(l.raw) <= 512 and b"[CUT]" not in l.raw, "over-long: %r" % l.raw)
        try:
            l.raw.decode("utf-8")
        except UnicodeDecodeError:
            raise TestFailure("bot sent invalid UTF-8: %r" % l.raw)


def test_hostile_input_raw_lines(t):
    """Lines no real server would relay, straight from a scripted server:
    the bot drops them and goes on, on the same connection."""
    fake = t.fake_server()
    bot = t.bot(t.bot_config(fake))
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    sleep(0.5)
    alice = b":alice!alice@127.0.0.1 "
    junk = [
        alice + b"PRIVMSG #test :" + b"A" * 10240,
        alice + b"PRIVMSG #test :!version " + b"B" * 10240,
        b"@" + b"k=v;" * 2600 + b" " + alice + b"PRIVMSG #test :hi",
        alice + b"PRIVMSG #test :\xff\xfe\xfd\xc3\x28",
        alice + b"PRIVMSG #test :" + JUNK,
        alice + b"PRIVMSG #test :\x02\x03" + b"4,5" * 50 + b"\x0f!help",
        b":", b"::", b" ", b"@", b"@;;=;", b"@a=b", b"PRIVMSG",
        alice + b"PRIVMSG", alice + b"PRIVMSG #test", b"001", b":x 353",
        b":x 005 outagebot " + b"A=" + b"x" * 5000 + b" :are supported",
        b"",
        b":" + b"n" * 600 + b"!u@h PRIVMSG #test :!version",
        b"PING", b"PING :", alice + b"JOIN", alice + b"NICK", b":x MODE",
    ]
    fake.send_raw(b"".join(j + b"\r\n" for j in junk))
    # a 10 KB line arriving in pieces, then the end of it
    fake.send_raw(alice + b"PRIVMSG #test :" + b"C" * 5000)
    time.sleep(0.3)
    fake.send_raw(b"D" * 5000 + b"\r\n")
    sleep(1.0)
    bot.assert_alive()
    mark = fake.mark()
    fake.send_raw(alice + b"PRIVMSG #test :!version\r\n")
    fake.wait_received(rb"^PRIVMSG #test :alice: " + VERSION_RX.encode(),
                       since=mark, conn_no=1, timeout=10)
    check(fake.connections == 1, "the bot reconnected (%d connections): it "
          "dropped the connection instead of the lines" % fake.connections)


def test_hostile_input_nul_bytes(t):
    """NUL bytes inside received lines (a server should never send them)."""
    fake = t.fake_server()
    bot = t.bot(t.bot_config(fake))
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    alice = b":alice!alice@127.0.0.1 "
    fake.send_raw(b"\x00\x00 junk with NULs\r\n"
                  + alice + b"PRIVMSG #test :a\x00b\r\n"
                  + alice + b"PRIVMSG #test :!version\x00 trailing\r\n"
                  + b"\x00\r\n")
    sleep(1.0)
    bot.assert_alive()
    mark = fake.mark()
    fake.send_raw(alice + b"PRIVMSG #test :!version\r\n")
    fake.wait_received(rb"^PRIVMSG #test :alice: " + VERSION_RX.encode(),
                       since=mark, timeout=10)


# ------------------------------------------------------------------ reload

def test_reload_needs_admin(t):
    srv, bot, (alice, bob, carol) = setup(t, nicks=("alice", "bob", "carol"))
    bob.ask("#test", "!reload",
            r"!reload needs admin access \(you are not an admin\)$")
    # a public user: the contract says "(you are not an admin)"; "(you are
    # not a team member)" says the same more precisely
    carol.ask("#test", "!reload",
              r"!reload needs admin access \(you are not (an admin|a team member)\)$")
    alice.ask("#test", "!reload", r"configuration reloaded$")


def test_reload_joins_new_channel_and_keeps_config_on_error(t):
    srv, bot, (alice, bob) = setup(t, nicks=("alice", "bob"),
                                   channels=("#test", "#second"))
    check(BOT_NICK not in alice.names("#second"), "bot in #second too early")
    cfg = bot.config
    cfg["irc"]["channels"] = ["#test", "#second"]
    bot.write_config(cfg)
    start = alice.mark()
    alice.ask("#test", "!reload", r"configuration reloaded$")
    bot.wait_joined(alice, "#second", start=start)
    # a broken edit: the reply counts the problems (no paths), the old
    # config stays
    with open(bot.conf_path, "a") as f:
        f.write("\nbroken = {\n  this is not libconfig\n")
    alice.ask("#test", "!reload",
              r"configuration not reloaded: \d+ problems? \(see the log\)$")
    alice.ask("#test", "!version", VERSION_RX)
    bob.ask("#test", "!reload", r"!reload needs admin access")
    check(BOT_NICK in alice.names("#second"), "bot left #second after a failed reload")
    bot.assert_alive()


def test_sighup_reload(t):
    srv, bot, (alice,) = setup(t, channels=("#test", "#second"))
    cfg = bot.config
    cfg["irc"]["channels"] = ["#test", "#second"]
    bot.write_config(cfg)
    start = alice.mark()
    bot.signal(signal.SIGHUP)
    bot.wait_joined(alice, "#second", start=start)
    # and removing it again parts the channel
    cfg["irc"]["channels"] = ["#test"]
    bot.write_config(cfg)
    start = alice.mark()
    bot.signal(signal.SIGHUP)
    alice.wait_for(lambda l: l.command == "PART" and l.nick == BOT_NICK
                   and l.params[0] == "#second", 10, start=start,
                   what="the bot parting #second")
    alice.ask("#test", "!version", VERSION_RX)


# ------------------------------------------------------- signals and audit

def test_sigterm_quits_cleanly(t):
    srv, bot, (alice,) = setup(t)
    start = alice.mark()
    status = bot.stop()
    check(status == 0, "exit status %s after SIGTERM" % status)
    alice.wait_for(lambda l: l.command == "QUIT" and l.nick == BOT_NICK, 5,
                   start=start, what="the bot's QUIT")


def test_sigint_quits_cleanly(t):
    srv, bot, (alice,) = setup(t)
    start = alice.mark()
    bot.signal(signal.SIGINT)
    alice.wait_for(lambda l: l.command == "QUIT" and l.nick == BOT_NICK, 10,
                   start=start, what="the bot's QUIT")
    bot.proc.wait(10)
    check(bot.proc.returncode == 0, "exit status %s after SIGINT" % bot.proc.returncode)


def test_audit_rows(t):
    srv, bot, (alice, bob) = setup(t, nicks=("alice", "bob"))
    db = bot.config["storage"]["path"]
    alice.ask("#test", "!version", VERSION_RX)
    alice.ask(BOT_NICK, "!whoami", r"^you are alice")
    bob.ask("#test", "!help version", r"usage: !version")
    deadline = time.monotonic() + 5
    while True:
        rows = bot.audit_rows(db, "ORDER BY id")
        cmds = [(r.get("who"), str(r.get("command")).lstrip("!")) for r in rows]
        if (("alice", "version") in cmds and ("alice", "whoami") in cmds
                and ("bob", "help") in cmds):
            break
        check(time.monotonic() < deadline, "audit rows missing; table has:\n%s"
              % "\n".join(map(str, rows)))
        time.sleep(0.2)
    for col in ("id", "at", "who", "level", "via", "place", "command", "args"):
        check(col in rows[0], "audit has no column %r: %s" % (col, sorted(rows[0])))
    ver = [r for r in rows if r["who"] == "alice" and str(r["command"]).lstrip("!") == "version"][0]
    check(ver["level"] == "admin", "alice's level recorded as %r" % ver["level"])
    check(ver["place"] == "#test", "place recorded as %r" % ver["place"])
    who = [r for r in rows if str(r["command"]).lstrip("!") == "whoami"][0]
    check(who["place"] != "#test", "a private command recorded with place #test")
    hlp = [r for r in rows if r["who"] == "bob"][0]
    check(hlp["level"] == "member", "bob's level recorded as %r" % hlp["level"])
    check("version" in str(hlp["args"]), "args of !help version: %r" % hlp["args"])


def test_reconnect_backoff(t):
    """A server that hangs up at once: the bot retries with growing waits
    between reconnect.min (1s) and reconnect.max (4s), never hammering."""
    import socket
    import threading
    from harness import free_port
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", free_port()))
    lsock.listen(16)
    t.on_cleanup(lsock.close)
    accepted = []

    def accept():
        while True:
            try:
                conn, _ = lsock.accept()
            except OSError:
                return
            accepted.append(time.monotonic())
            conn.close()
    threading.Thread(target=accept, daemon=True).start()

    class Srv:
        host, port = "127.0.0.1", lsock.getsockname()[1]
    bot = t.bot(t.bot_config(Srv))
    time.sleep(16)
    bot.assert_alive()
    at = list(accepted)
    gaps = [round(b - a, 2) for a, b in zip(at, at[1:])]
    with open(t.path("reconnect-gaps.txt"), "w") as f:
        f.write("%s\n" % gaps)
    check(len(at) >= 4, "only %d connection attempts in 16 s (gaps %s)" % (len(at), gaps))
    check(all(g >= 0.5 for g in gaps), "reconnects too fast (min 1s): gaps %s" % gaps)
    check(all(g <= 4 * 1.5 + 0.5 for g in gaps), "waits beyond max 4s: gaps %s" % gaps)
    check(max(gaps) >= 1.8, "the wait does not grow (backoff): gaps %s" % gaps)


# -------------------------------------------------------------- fairness

def test_one_flooder_does_not_hold_up_others(t):
    """One nick floods private !oncall schedule 20: past command_rate
    (5, then one per 10 s) it gets one "slow down" notice and then
    silence, and another person's !version is answered within 3 s."""
    srv, bot, (alice, mallory) = setup(
        t, nicks=("alice", "mallory"),
        irc={"command_rate": {"burst": 5, "interval": "10s"}})
    start = mallory.mark()
    for _ in range(50):
        mallory.say(BOT_NICK, "!oncall schedule 20")
    # the flood has reached the bot once its slow-down notice arrives
    mallory.wait_for(notice_from(BOT_NICK, "mallory", "^slow down"),
                     10 * slow_factor(), start=start,
                     what="the slow-down notice")
    asked = time.monotonic()
    alice.ask("#test", "!version", VERSION_RX, timeout=3.0 * slow_factor())
    took = time.monotonic() - asked
    check(took <= 3.0 * slow_factor(), "!version took %.1f s" % took)
    answers = mallory.matching(notice_from(BOT_NICK, "mallory"), start=start)
    slow = [l for l in answers if l.body.startswith("slow down")]
    check(len(slow) == 1, "%d slow-down notices: %r"
          % (len(slow), [l.body for l in slow]))
    check(len(answers) - len(slow) <= 6, "%d answers to the flood"
          % (len(answers) - len(slow)))
    bot.assert_alive()
