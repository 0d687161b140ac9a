"""The IRC protocol layer (DESIGN §3) where the other suites do not reach:
keepalive and ping timeout, SASL payload chunking and mechanism choice,
over-long and malformed server lines, account tracking without the
account tag (WHOX, extended-join, account-notify, NICK), KICK and rejoin,
the BOT user mode, nick regain through MONITOR, STS (upgrade, stored
policy) and SASL EXTERNAL with a client certificate.

Scripted input comes from harness.FakeServer; the rest runs against ngIRCd
or InspIRCd + Atheme (tests/net/services-net.sh)."""

import base64
import re
import sqlite3
import time

from harness import (BOT_NICK, TestFailure, check, connect_all, make_cert,
                     sleep, slow_factor)

VERSION_RX = r"outagebot \d+\.\d+"
ALICE = b":alice!alice@127.0.0.1 "


# ---------------------------------------------------------------- helpers

def received(fake, pattern, since=0, conn_no=None):
    """[(time, conn_no, raw)] of lines the bot sent matching pattern."""
    rx = re.compile(pattern)
    with fake.cond:
        return [r for r in fake.received[since:]
                if (conn_no is None or r[1] == conn_no) and rx.search(r[2])]


def wait_until(cond, timeout, what, details=lambda: ""):
    deadline = time.monotonic() + timeout * slow_factor()
    while not cond():
        if time.monotonic() > deadline:
            raise TestFailure("no %s within %.0f s\n%s" % (what, timeout, details()))
        time.sleep(0.05)


def fake_transcript(fake, n=30):
    with fake.cond:
        rows = list(fake.received[-n:])
    return "  last lines the fake server received:\n" + "\n".join(
        "    << [conn %d] %s" % (c, raw[:200].decode("utf-8", "replace"))
        for _, c, raw in rows)


def fake_bot(t, name="bot", irc=None, **over):
    """A FakeServer (options in `over`) and the bot configured for it, its
    own log, database and config name (several per test)."""
    fake = t.fake_server(log_name="fake-%s.log" % name, **over)
    cfg = t.bot_config(fake, irc=irc or {},
                       storage={"path": t.path(name + ".db")})
    return fake, cfg


def whois(client, nick, timeout=10):
    """The lines of a WHOIS reply (up to 318)."""
    start = client.mark()
    client.send("WHOIS " + nick)
    client.wait_for(lambda l: l.command == "318", timeout, start=start,
                    what="318 end of WHOIS")
    return client.matching(lambda l: l.command.isdigit(), start)


def numeric(lines, code):
    return [l for l in lines if l.command == code]


def check_redacted(bot, verb, secrets, what):
    """The bot runs with -d (debug log): the log shows the line it sent as
    ">> VERB <redacted>", and none of `secrets` (a password, and each form
    in which it went on the wire, such as SASL's base64 pieces)."""
    log = bot.log_text()
    check(re.search(r"(?m)>> NICK ", log), "the bot log has no debug lines "
          "(is the bot run with -d?)\n" + bot.log_tail())
    check(">> %s <redacted>" % verb in log, "%s: the debug log has no "
          "'>> %s <redacted>'\n%s" % (what, verb, bot.log_tail()))
    for s in secrets:
        check(s and s not in log, "%s: a secret is in the bot's debug log: "
              "%r" % (what, s[:60]))


# --------------------------------------------------------------- keepalive

def test_keepalive_silent_server_is_dropped(t):
    """ping_interval 2s, ping_timeout 3s; the server never answers: PING
    after 2-3 s of silence, the connection closed 3-4 s later, a new one
    after reconnect.min (1s)."""
    fake, cfg = fake_bot(t, answer_ping=False,
                         irc={"ping_interval": "2s", "ping_timeout": "3s"})
    bot = t.bot(cfg)
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    fake.wait_received(rb"^PING ", timeout=6)
    (t_ping, conn, ping), = received(fake, rb"^PING ")[:1]
    check(conn == 1, "PING on connection %d" % conn)
    check(re.match(rb"^PING :?\S+$", ping), "PING without a token: %r" % ping)
    with fake.cond:
        before = [ts for ts, _ in fake.sent if ts < t_ping]
    silence = t_ping - max(before)
    check(1.9 <= silence <= 3.0 + 0.6 * slow_factor(),
          "PING after %.2f s of silence (ping_interval = 2s, checked every "
          "second: expected 2-3 s)" % silence)
    # no answer: the bot closes and reconnects
    wait_until(lambda: fake.connections >= 2, 10, "second connection",
               lambda: fake_transcript(fake) + "\n" + bot.log_tail())
    check(1 in fake.closed_at, "the bot never closed connection 1")
    closed = fake.closed_at[1] - t_ping
    check(2.9 <= closed <= 4.0 + 0.6 * slow_factor(),
          "connection closed %.2f s after the unanswered PING "
          "(ping_timeout = 3s: expected 3-4 s)" % closed)
    (t_new, _, first), = received(fake, rb"", conn_no=2)[:1]
    check(0.9 <= t_new - fake.closed_at[1] <= 1.0 + 1.0 * slow_factor(),
          "reconnected %.2f s after closing (reconnect.min = 1s)"
          % (t_new - fake.closed_at[1]))
    check(len(received(fake, rb"^PING ", conn_no=1)) == 1,
          "more than one PING before giving up: %s"
          % received(fake, rb"^PING ", conn_no=1))
    check(re.search(r"(?i)ping timeout", bot.log_text()),
          "the bot log does not say why it dropped the connection\n"
          + bot.log_tail())
    # the new connection registers and rejoins
    fake.wait_received(rb"^JOIN #test\b", timeout=10, conn_no=2)
    bot.assert_alive()


def test_keepalive_answered_server_stays(t):
    """The same settings against a server that answers: the bot PINGs after
    every 2 s of silence and keeps the one connection."""
    fake, cfg = fake_bot(t, irc={"ping_interval": "2s", "ping_timeout": "3s"})
    bot = t.bot(cfg)
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    t0 = time.monotonic()
    time.sleep(9)
    pings = [r for r in received(fake, rb"^PING ") if r[0] >= t0]
    check(len(pings) >= 2, "%d PINGs in 9 s of silence (ping_interval = 2s)"
          % len(pings))
    check(fake.connections == 1 and not fake.closed_at,
          "the bot dropped a connection whose PINGs were answered "
          "(%d connections)\n%s" % (fake.connections, bot.log_tail()))
    # each PING follows >= 2 s of silence (PONGs count as traffic)
    with fake.cond:
        sent = [ts for ts, _ in fake.sent]
    for tp, _, _ in pings:
        last = max(ts for ts in sent if ts < tp)
        check(tp - last >= 1.9, "a PING only %.2f s after the server's last "
              "line" % (tp - last))
    mark = fake.mark()
    fake.send_raw(ALICE + b"PRIVMSG #test :!version\r\n")
    fake.wait_received(rb"^PRIVMSG #test :alice: " + VERSION_RX.encode(),
                       since=mark, conn_no=1)
    bot.assert_alive()


# -------------------------------------------------------------------- SASL

SASL_ACCOUNT = "outagebot"


def plain_bot(t, name, password, caps="sasl=PLAIN", required=True, check_fn=None):
    expected = ("%s\0%s\0" % (SASL_ACCOUNT, SASL_ACCOUNT)).encode() + password
    fake, cfg = fake_bot(
        t, name=name, caps=caps,
        sasl=check_fn or (lambda mech, payload: mech == "PLAIN" and payload == expected),
        irc={"sasl": {"mechanism": "PLAIN", "account": SASL_ACCOUNT,
                      "password_file": name + "-secret", "required": required}})
    bot = t.bot(cfg, start=False, name=name)
    path = bot.secret(name + "-secret", "")
    with open(path, "wb") as f:
        f.write(password + b"\n")
    bot.start()
    return fake, bot, expected


def authenticate_lines(fake, conn_no=1):
    return [raw for _, _, raw in received(fake, rb"^AUTHENTICATE ", conn_no=conn_no)]


def test_sasl_plain_payload_chunks(t):
    """base64 of "acct NUL acct NUL password" in 400-byte AUTHENTICATE
    pieces: exactly 400 bytes -> the piece and a lone "+"; 700 bytes -> 400
    then 300, no "+"."""
    pw400 = bytes(b"Aa0!#%-_"[i % 8] for i in range(300 - 2 * len(SASL_ACCOUNT) - 2))
    # 525 raw bytes (700 base64) with multi-byte UTF-8 in the password
    pw700 = ("é" * 100).encode() + bytes(b"xyz789"[i % 6] for i in range(
        525 - 2 * len(SASL_ACCOUNT) - 2 - 200))
    runs = []
    for name, pw, pieces in (("sasl400", pw400, [400]), ("sasl700", pw700, [400, 300])):
        fake, bot, expected = plain_bot(t, name, pw)
        check(len(base64.b64encode(expected)) == sum(pieces), "test bug: payload size")
        runs.append((name, fake, bot, expected, pieces))
    for name, fake, bot, expected, pieces in runs:
        fake.wait_received(rb"^CAP END$", timeout=15, conn_no=1)
        auth = authenticate_lines(fake)
        check(auth and auth[0] == b"AUTHENTICATE PLAIN",
              "%s: first AUTHENTICATE line is %r" % (name, auth[:1]))
        got = [len(a) - len(b"AUTHENTICATE ") for a in auth[1:]]
        want = list(pieces) + ([1] if pieces[-1] == 400 else [])
        check(got == want, "%s: AUTHENTICATE payload pieces of %s bytes, expected %s "
              "(400-byte pieces%s)" % (name, got, want,
                                       ", then a lone '+'" if want[-1] == 1 else ""))
        if pieces[-1] == 400:
            check(auth[-1] == b"AUTHENTICATE +", "%s: last line %r, expected "
                  "'AUTHENTICATE +'" % (name, auth[-1]))
        for a in auth[1:]:
            check(not a.startswith(b"AUTHENTICATE :"), "%s: payload sent as a "
                  "trailing parameter: %r" % (name, a[:40]))
        check(fake.sasl_payloads and fake.sasl_payloads[0][2] == expected,
              "%s: decoded payload %r, expected account NUL account NUL password"
              % (name, fake.sasl_payloads[:1]))
        # the lines come in order: payload before CAP END, then registration
        order = [raw[:16] for _, _, raw in
                 received(fake, rb"^(AUTHENTICATE|CAP END)", conn_no=1)]
        check(order[-1] == b"CAP END", "%s: AUTHENTICATE after CAP END: %s"
              % (name, order))
        fake.wait_received(rb"^JOIN #test\b", timeout=10, conn_no=1)
        check(fake.connections == 1, "%s: %d connections" % (name, fake.connections))
        check(expected.split(b"\0")[-1].decode() not in bot.log_text(),
              "%s: the SASL password is in the bot's log" % name)
        pieces_sent = [a[len(b"AUTHENTICATE "):].decode() for a in auth[1:]
                       if a != b"AUTHENTICATE +"]
        check_redacted(bot, "AUTHENTICATE", pieces_sent, name)


def test_sasl_mechanism_not_offered(t):
    """The server offers sasl=EXTERNAL only; the bot is configured for
    PLAIN. required = true: it never tries PLAIN and never finishes
    registration; required = false: CAP END and it registers."""
    fake_req, bot_req, _ = plain_bot(t, "req", b"secret-pw-1", caps="sasl=EXTERNAL",
                                     required=True, check_fn=lambda m, p: True)
    fake_opt, bot_opt, _ = plain_bot(t, "opt", b"secret-pw-2", caps="sasl=EXTERNAL",
                                     required=False, check_fn=lambda m, p: True)
    # optional: goes on without SASL
    fake_opt.wait_received(rb"^CAP END$", timeout=15)
    fake_opt.wait_received(rb"^JOIN #test\b", timeout=10)
    check(not authenticate_lines(fake_opt, None),
          "required = false: the bot tried a mechanism the server does not "
          "offer: %s" % authenticate_lines(fake_opt, None))
    mark = fake_opt.mark()
    fake_opt.send_raw(ALICE + b"PRIVMSG #test :!version\r\n")
    fake_opt.wait_received(rb"^PRIVMSG #test :alice: " + VERSION_RX.encode(),
                           since=mark)
    # required: watch for a while (the bot may retry)
    fake_req.wait_received(rb"^CAP LS", timeout=15)
    sleep(4.0)
    bot_req.assert_alive()
    auth = authenticate_lines(fake_req, None)
    check(not auth, "required = true: the bot sent %s although the server "
          "offers only EXTERNAL" % auth)
    ends = received(fake_req, rb"^(CAP END|JOIN|PRIVMSG|MODE)")
    check(not ends, "required = true: the bot went on without SASL: %s"
          % [r[2] for r in ends])
    with fake_req.cond:
        welcomed = [d for _, d in fake_req.sent if b" 001 " in d]
    check(not welcomed, "the fake server registered the bot")
    check(re.search(r"(?i)sasl", bot_req.log_text()),
          "the bot log does not say SASL failed\n" + bot_req.log_tail())


def test_server_password_redacted(t):
    """irc.password_file: the bot sends PASS with the password before NICK,
    and its debug log (-d) shows "PASS <redacted>", never the password."""
    password = "srv-pass-7f3a91"
    fake, cfg = fake_bot(t, irc={"password_file": "server-secret"})
    bot = t.bot(cfg, start=False)
    bot.secret("server-secret", password + "\n")
    bot.start()
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    sent = [raw for _, _, raw in received(fake, rb"^(PASS|NICK) ")]
    check(sent and re.match(rb"^PASS :?" + password.encode() + rb"$", sent[0]),
          "the bot's first PASS/NICK line is %r, expected PASS %s"
          % (sent[:1], password))
    check_redacted(bot, "PASS", [password], "server PASS")


# -------------------------------------------------- over-long and malformed

def test_overlong_line_then_ping(t):
    """20 KB without a line end, then the rest of the line and a PING: the
    bot discards the long line, answers the PING on the same connection and
    still serves commands. Malformed short lines are dropped too."""
    fake, cfg = fake_bot(t)
    bot = t.bot(cfg)
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    sleep(0.3)
    # 1: 20 KB with no newline, a pause, then the line end and a PING
    fake.send_raw(ALICE + b"PRIVMSG #test :!version " + b"X" * 20480)
    sleep(0.5)
    mark = fake.mark()
    fake.send_raw(b"\r\nPING :tok-one\r\n")
    fake.wait_received(rb"^PONG :?tok-one$", since=mark, timeout=5)
    # 2: 20 KB and the PING in one write
    mark = fake.mark()
    fake.send_raw(b"Y" * 20480 + b"\r\nPING :tok-two\r\n")
    fake.wait_received(rb"^PONG :?tok-two$", since=mark, timeout=5)
    # 3: 20 KB in pieces, the newline alone, then the PING
    mark = fake.mark()
    for _ in range(4):
        fake.send_raw(b"Z" * 5120)
        time.sleep(0.05)
    fake.send_raw(b"\n")
    fake.send_raw(b"PING :tok-three\r\n")
    fake.wait_received(rb"^PONG :?tok-three$", since=mark, timeout=5)
    # none of the long lines was taken as a command
    check(not received(fake, rb"^PRIVMSG #test :alice: outagebot"),
          "the bot answered a !version inside a discarded 20 KB line")
    # malformed lines not covered by test_core's hostile tests
    junk = [b":x!y@z", b":x!y@z ", b"@a=b :x!y@z", b"@a=b :x!y@z ", b"@a=b ",
            b"@ :x!y@z PRIVMSG", b"@=;=;a=\\ :x!y@z", b"\r", b" \r", b"\t",
            b"::x!y@z PRIVMSG #test :!version", b":!@ PRIVMSG #test :!version",
            b":x! PRIVMSG #test :!version", b":@ PRIVMSG #test :!version",
            b":x!y@z PRIVMSG #test :", b":x!y@z PRIVMSG :!version",
            b":x!y@z PRIVMSG  #test  :!help", b"@a=b PING",
            b":s 354 outagebot 417", b":s 354", b":s 005", b":s 433",
            b"CAP", b"CAP * LS", b"AUTHENTICATE", b":x!y@z ACCOUNT",
            b":x!y@z NICK :", b":x!y@z KICK #test", b":x!y@z JOIN",
            b":x!y@z QUIT", b"ERROR"]
    fake.send_raw(b"".join(j + b"\r\n" for j in junk))
    sleep(0.5)
    bot.assert_alive()
    mark = fake.mark()
    fake.send_raw(b"PING :tok-four\r\n" + ALICE + b"PRIVMSG #test :!version\r\n")
    fake.wait_received(rb"^PONG :?tok-four$", since=mark, timeout=5)
    fake.wait_received(rb"^PRIVMSG #test :alice: " + VERSION_RX.encode(),
                       since=mark, timeout=10)
    check(fake.connections == 1, "the bot reconnected (%d connections): it "
          "dropped the connection instead of the lines" % fake.connections)
    check(re.search(r"(?i)over-?long|too long", bot.log_text()),
          "the bot log does not mention the dropped over-long line\n"
          + bot.log_tail())


# ------------------------------------------- accounts without account-tag

ACCT_CAPS = "extended-join account-notify multi-prefix"


def account_bot(t, name="bot", channels=("#test",)):
    fake, cfg = fake_bot(t, name=name, caps=ACCT_CAPS, isupport="WHOX",
                         irc={"channels": list(channels)})
    cfg["team"] = {"identify": "account", "admins": ["alice"],
                   "members": ["alice", "bob"]}
    bot = t.bot(cfg, name=name)
    req = fake.wait_received(rb"^CAP REQ ", timeout=15)
    check(b"account-tag" not in req, "the bot requested an unoffered cap: %r" % req)
    for cap in (b"extended-join", b"account-notify"):
        check(cap in req, "the bot did not request %s: %r" % (cap.decode(), req))
    fake.wait_received(rb"^JOIN #test\b", timeout=10)
    for ch in channels:
        fake.wait_received(rb"^WHO " + ch.encode() + rb" :?%tcna,417$", timeout=10)
    return fake, bot


def whoami(fake, source, nick, reply_rx, timeout=10):
    mark = fake.mark()
    fake.send_raw(b":" + source + b" PRIVMSG #test :!whoami\r\n")
    try:
        return fake.wait_received(rb"^PRIVMSG #test :" + re.escape(nick)
                                  + b": " + reply_rx, since=mark, timeout=timeout)
    except TestFailure as e:
        got = [r[2] for r in received(fake, rb"^PRIVMSG #test :", since=mark)]
        raise TestFailure("!whoami from %s: expected /%s/, got %s\n%s"
                          % (source.decode(), reply_rx.decode(), got, e))


def test_account_tracking_without_account_tag(t):
    fake, bot = account_bot(t)
    # (a) WHOX reply for the channel: alice is logged in as alice, carol not
    fake.send_raw(b":fake.test 354 outagebot 417 #test alice alice\r\n"
                  b":fake.test 354 outagebot 417 #test carol 0\r\n"
                  b":fake.test 315 outagebot #test :End of /WHO list.\r\n")
    whoami(fake, b"alice!a@127.0.0.1", b"alice",
           rb"you are alice \(admin; account alice\)$")
    whoami(fake, b"carol!c@127.0.0.1", b"carol",
           rb"you are carol \(public; no account\)$")
    # (b) extended-join without an account
    fake.send_raw(b":mallory!m@127.0.0.1 JOIN #test * :Mallory Real\r\n")
    whoami(fake, b"mallory!m@127.0.0.1", b"mallory",
           rb"you are mallory \(public; no account\)$")
    # (c) account-notify: mallory logs in as bob
    fake.send_raw(b":mallory!m@127.0.0.1 ACCOUNT bob\r\n")
    whoami(fake, b"mallory!m@127.0.0.1", b"mallory",
           rb"you are bob \(member; account bob\)$")
    # (d) alice leaves, mallory takes the nick: the account goes with her
    fake.send_raw(b":alice!a@127.0.0.1 QUIT :bye\r\n"
                  b":mallory!m@127.0.0.1 NICK alice\r\n")
    whoami(fake, b"alice!m@127.0.0.1", b"alice",
           rb"you are bob \(member; account bob\)$")
    mark = fake.mark()
    fake.send_raw(b":alice!m@127.0.0.1 PRIVMSG #test :!reload\r\n")
    line = fake.wait_received(rb"^PRIVMSG #test :alice: ", since=mark)
    check(b"needs admin access" in line, "!reload from mallory-as-alice: %r" % line)
    # (e) extended-join with an account for a newcomer, then logout
    fake.send_raw(b":dave!d@127.0.0.1 JOIN #test alice :Dave\r\n")
    whoami(fake, b"dave!d@127.0.0.1", b"dave",
           rb"you are alice \(admin; account alice\)$")
    fake.send_raw(b":dave!d@127.0.0.1 ACCOUNT *\r\n")
    whoami(fake, b"dave!d@127.0.0.1", b"dave",
           rb"you are dave \(public; no account\)$")
    check(fake.connections == 1, "%d connections" % fake.connections)
    bot.assert_alive()


def test_tracked_user_changes_nick_case(t):
    """A tracked user changes only the case of the nick (alice -> Alice): the
    same person, same account."""
    fake, bot = account_bot(t)
    fake.send_raw(b":fake.test 354 outagebot 417 #test alice alice\r\n")
    whoami(fake, b"alice!a@127.0.0.1", b"alice",
           rb"you are alice \(admin; account alice\)$")
    fake.send_raw(b":alice!a@127.0.0.1 NICK Alice\r\n")
    sleep(0.5)
    bot.assert_alive()
    whoami(fake, b"Alice!a@127.0.0.1", b"Alice",
           rb"you are alice \(admin; account alice\)$")
    check(fake.connections == 1, "%d connections" % fake.connections)


def test_account_forgotten_when_user_leaves(t):
    """Without account-tag the bot only hears of a user's NICK, QUIT and
    ACCOUNT while they share a channel. After alice PARTs (or is kicked),
    her later QUIT is invisible, so someone else may hold "alice": a private
    !whoami from that nick must not be answered with alice's account."""
    fake, bot = account_bot(t)
    fake.send_raw(b":fake.test 354 outagebot 417 #test alice alice\r\n"
                  b":fake.test 354 outagebot 417 #test bob bob\r\n")
    whoami(fake, b"alice!a@127.0.0.1", b"alice",
           rb"you are alice \(admin; account alice\)$")
    whoami(fake, b"bob!b@127.0.0.1", b"bob",
           rb"you are bob \(member; account bob\)$")
    fake.send_raw(b":alice!a@127.0.0.1 PART #test :later\r\n"
                  b":fake.test KICK #test bob :bye\r\n")
    sleep(0.3)
    # (their QUITs and a newcomer's NICK happen out of the bot's sight)
    for nick in (b"alice", b"bob"):
        mark = fake.mark()
        fake.send_raw(b":" + nick + b"!evil@elsewhere.example PRIVMSG outagebot :!whoami\r\n")
        line = fake.wait_received(rb"^NOTICE " + nick + rb" :you are ", since=mark)
        check(re.search(rb"\(public; no account\)$", line),
              "a private !whoami from %s!evil@elsewhere.example after %s left "
              "every shared channel got %r: the bot still trusts the account "
              "it tracked while they shared a channel"
              % (nick.decode(), nick.decode(), line))


def test_account_kept_while_still_sharing_a_channel(t):
    """alice is in two of the bot's channels and leaves one: she still
    shares #test with the bot, so her account is still known."""
    fake, bot = account_bot(t, channels=("#test", "#ops"))
    fake.send_raw(b":fake.test 354 outagebot 417 #test alice alice\r\n"
                  b":fake.test 354 outagebot 417 #ops alice alice\r\n")
    whoami(fake, b"alice!a@127.0.0.1", b"alice",
           rb"you are alice \(admin; account alice\)$")
    fake.send_raw(b":alice!a@127.0.0.1 PART #ops :bye\r\n")
    sleep(0.3)
    whoami(fake, b"alice!a@127.0.0.1", b"alice",
           rb"you are alice \(admin; account alice\)$")


# ---------------------------------------------------------- KICK, rejoin

def test_kick_rejoin_after_delay(t):
    srv = t.ngircd()
    alice = t.client(srv, "alice")
    alice.join("#test")                         # first in: channel operator
    bot = t.bot(t.bot_config(srv))
    bot.wait_joined(alice, "#test")
    start = alice.mark()
    alice.send("KICK #test %s :out you go" % BOT_NICK)
    kick = alice.wait_for(lambda l: l.command == "KICK" and len(l.params) >= 2
                          and l.params[1] == BOT_NICK, start=start,
                          what="the KICK echoed by the server")
    check(BOT_NICK not in alice.names("#test"), "bot still in #test after KICK")
    join = alice.wait_for(lambda l: l.command == "JOIN" and l.nick == BOT_NICK
                          and l.params[0] == "#test", 15, start=start,
                          what="the bot rejoining #test")
    dt = join.t - kick.t
    check(4.0 <= dt <= 10.0, "bot rejoined %.2f s after the KICK (expected "
          "about 5 s: 4-10 s)" % dt)
    alice.ask("#test", "!version", VERSION_RX)


# ------------------------------------------------ InspIRCd: BOT, MONITOR

def test_bot_mode_set_on_inspircd(t):
    net = t.services()
    alice = t.client(net, "alice")
    alice.join("#test")
    bot = t.bot(t.bot_config(net))
    bot.wait_joined(alice, "#test", timeout=20)
    # The bot joins on 001 and sets +B once 005 names BOT=B, so its JOIN
    # can reach alice before the mode is set: wait for the server to
    # confirm the mode to the bot (its -d log), then ask. Without that
    # confirmation, WHOIS below says what is missing.
    try:
        bot.wait_log(r"<< (?:@\S+ )?:%s!\S+ MODE %s :?\+B"
                     % (re.escape(BOT_NICK), re.escape(BOT_NICK)), 10)
    except TestFailure:
        pass
    lines = whois(alice, BOT_NICK)
    check(numeric(lines, "311"), "WHOIS %s: no 311 reply: %s" % (BOT_NICK, lines))
    bot_lines = numeric(lines, "335")
    check(bot_lines, "WHOIS %s has no 335 (is a bot): the bot did not set "
          "user mode +B (ISUPPORT BOT=B); WHOIS was:\n  %s"
          % (BOT_NICK, "\n  ".join(l.text for l in lines)))
    check(bot_lines[0].params[1] == BOT_NICK, "335 for %r" % bot_lines[0].params[1])
    # 335 is not something every user gets
    check(not numeric(whois(alice, "alice"), "335"), "alice is shown as a bot too")


def test_monitor_regain_on_inspircd(t):
    """The holder of the nick shares no channel with the bot: its QUIT is
    not seen; MONITOR's 731 lets the bot take the nick within seconds (ISON
    would take up to 30 s)."""
    net = t.services()
    holder = t.client(net, BOT_NICK, connect=False, name="holder")
    alice = t.client(net, "alice", connect=False)
    connect_all([holder, alice])
    alice.join("#test")
    bot = t.bot(t.bot_config(net))
    bot.wait_joined(alice, "#test", nick=BOT_NICK + "_", timeout=20)
    sleep(1.0)                     # MONITOR + has been sent after 005
    start = alice.mark()
    t_quit = time.monotonic()
    holder.quit("making room")
    line = alice.wait_for(lambda l: l.command == "NICK" and l.nick == BOT_NICK + "_"
                          and l.params[-1] == BOT_NICK, 12, start=start,
                          what="the bot taking its nick back")
    dt = line.t - t_quit
    check(dt < 6.0 * slow_factor(), "nick regained %.1f s after the holder quit: "
          "not through MONITOR (ISON polls every 30 s)" % dt)
    alice.ask("#test", "!version", VERSION_RX)


def test_nick_case_change_on_inspircd(t):
    """The same as test_tracked_user_changes_nick_case on a real server:
    any user in the bot's channel changing the case of their nick."""
    net = t.services({"alice": "alicepw"})
    alice = t.client(net, "alice", connect=False, sasl=("alice", "alicepw"),
                     caps=["account-tag", "extended-join"])
    bob = t.client(net, "bob", connect=False)
    connect_all([alice, bob])
    alice.join("#test")
    bob.join("#test")
    cfg = t.bot_config(net, team={"identify": "account", "admins": ["alice"],
                                  "members": ["alice"]})
    bot = t.bot(cfg)
    bot.wait_joined(bob, "#test", timeout=20)
    alice.ask("#test", "!whoami", r"you are alice \(admin; account alice\)$")
    alice.change_nick("Alice")
    sleep(1.0)
    bot.assert_alive()
    alice.ask("#test", "!whoami", r"you are alice \(admin; account alice\)$")
    bob.ask("#test", "!version", VERSION_RX)


# --------------------------------------------------------------------- STS

def sts_rows(db):
    """The stored STS policies. A database that cannot be read fails the
    test: it must never pass for "no policy stored"."""
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
        try:
            return con.execute(
                "SELECT host, port, expires FROM sts").fetchall()
        finally:
            con.close()
    except sqlite3.Error as e:
        raise TestFailure("cannot read the STS policies in %s: %s" % (db, e))


def test_sts_upgrade_and_stored_policy(t):
    """InspIRCd with ircv3_sts: a bot configured for plaintext is told
    sts=port=P, reconnects with TLS (certificate verified: the test
    certificate is the "system" CA store through SSL_CERT_FILE, since
    tls_ca_file is refused with tls = false), stores the duration it gets
    over TLS, and after a restart goes straight to TLS."""
    net = t.services(sts=True)
    alice = t.client(net, "alice")
    alice.join("#test")
    db = t.path("bot.db")
    cfg = t.bot_config(net, irc={"server": "localhost", "port": net.port,
                                 "tls": False})
    bot = t.bot(cfg, start=False)
    bot.extra_env["SSL_CERT_FILE"] = net.cert
    bot.start()
    bot.wait_joined(alice, "#test", timeout=25)
    lines = whois(alice, BOT_NICK)
    check(numeric(lines, "671"), "the bot is not on a secure connection after "
          "STS (no 671 in WHOIS):\n  %s\n%s"
          % ("\n  ".join(l.text for l in lines), bot.log_tail()))
    log = bot.log_text()
    check(re.search(r"STS", log), "the bot log does not mention STS\n" + bot.log_tail())
    check(re.search(r"connected to localhost:%d \(TLS\)" % net.tls_port, log),
          "the bot log shows no TLS connection to port %d\n%s"
          % (net.tls_port, bot.log_tail()))
    wait_until(lambda: sts_rows(db), 5, "STS policy row in the database")
    (host, port, expires), = sts_rows(db)
    check(host == "localhost" and port == net.tls_port,
          "stored policy %r, expected localhost port %d" % ((host, port), net.tls_port))
    check(abs(expires - (time.time() + 300)) < 60,
          "stored policy expires in %.0f s, the server said 300"
          % (expires - time.time()))
    check(bot.stop() == 0, "bot exit status %s" % bot.exit_status)
    alice.wait_for(lambda l: l.command == "QUIT" and l.nick == BOT_NICK, 10,
                   what="the bot's QUIT")
    # restart with the plaintext port pointing at a trap: with the stored
    # policy the bot must not connect there (or anywhere) in plaintext
    trap = t.fake_server(log_name="trap.log")
    cfg2 = t.bot_config(net, irc={"server": "localhost", "port": trap.port,
                                  "tls": False})
    bot2 = t.bot(cfg2, start=False, name="bot2")
    bot2.extra_env["SSL_CERT_FILE"] = net.cert
    start = alice.mark()
    bot2.start()
    bot2.wait_joined(alice, "#test", timeout=25, start=start)
    check(trap.connections == 0, "after a restart with a stored STS policy the "
          "bot connected in plaintext (%d connections to the plaintext port)"
          % trap.connections)
    check(numeric(whois(alice, BOT_NICK), "671"), "restarted bot not on TLS")
    check(re.search(r"(?i)sts policy", bot2.log_text()),
          "the restarted bot does not log the stored STS policy\n" + bot2.log_tail())


def test_sts_upgrade_unverifiable_never_plaintext(t):
    """STS to a port whose certificate the bot cannot verify (self-signed,
    not in the CA store): it must neither register in plaintext nor store a
    policy."""
    net = t.services(sts=True)
    alice = t.client(net, "alice")
    alice.join("#test")
    db = t.path("bot.db")
    bot = t.bot(t.bot_config(net, irc={"server": "localhost", "port": net.port,
                                       "tls": False}), start=False)
    # a CA store that exists but does not hold the network's certificate
    other_ca, _, _ = make_cert(t.subdir("otherca"))
    bot.extra_env["SSL_CERT_FILE"] = other_ca
    bot.start()
    alice.no_match_within(lambda l: l.command == "JOIN" and
                          l.nick.lower().startswith(BOT_NICK), 8.0, start=0,
                          what="the bot joining #test")
    start = alice.mark()
    alice.send("ISON %s %s_" % (BOT_NICK, BOT_NICK))
    ison = alice.wait_for(lambda l: l.command == "303", start=start)
    check(BOT_NICK not in ison.params[-1].lower(),
          "the bot registered although the STS upgrade could not be verified: "
          + ison.text)
    check(re.search(r"(?i)certificate", bot.log_text()),
          "the bot log does not mention the certificate\n" + bot.log_tail())
    check(not sts_rows(db), "a policy was stored: %s" % sts_rows(db))
    bot.assert_alive()


# ------------------------------------------------------- SASL EXTERNAL

def test_sasl_external_certfp(t):
    accounts = {"outagebot": "botpw-s3cret"}
    net = t.services(accounts)
    check(net.tls_port, "the test network has no TLS port")
    cert, key, fp = make_cert(t.subdir("clientcert"), cn="outagebot")
    owner = t.client(net, "certowner", connect=False, tls=True,
                     sasl=("outagebot", accounts["outagebot"]),
                     certfile=cert, keyfile=key)
    alice = t.client(net, "alice", connect=False)
    connect_all([owner, alice])
    owner.send("PRIVMSG NickServ :CERT ADD")
    note = owner.wait_for(lambda l: l.command == "NOTICE" and l.nick == "NickServ",
                          what="NickServ's answer to CERT ADD")
    check("Added fingerprint" in note.body, "CERT ADD: %s" % note.body)
    check(fp.replace(":", "").lower() in note.body.lower(),
          "NickServ added another fingerprint than the certificate's SHA-256 "
          "(%s): %s" % (fp, note.body))
    owner.quit()
    alice.join("#test")
    bot = t.bot(t.bot_config(net, irc={
        "port": net.tls_port, "tls": True, "tls_ca_file": net.cert,
        "client_cert": cert, "client_key": key,
        "sasl": {"mechanism": "EXTERNAL", "required": True}}))
    bot.wait_joined(alice, "#test", timeout=20)
    lines = whois(alice, BOT_NICK)
    logged = numeric(lines, "330")
    check(logged and logged[0].params[2] == "outagebot",
          "WHOIS %s shows no login as outagebot (330):\n  %s\n%s"
          % (BOT_NICK, "\n  ".join(l.text for l in lines), bot.log_tail()))
    check(numeric(lines, "671"), "the bot is not on a secure connection")
    check(re.search(r"(?i)sasl authentication succeeded", bot.log_text()),
          "the bot log has no SASL success\n" + bot.log_tail())
