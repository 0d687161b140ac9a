"""The IRC layer against a hostile or unreliable server (DESIGN §3):
CASEMAPPING, ERROR, STATUSMSG targets, the bounded send queue with
announcements first, a reload to another network, accounts learnt from
extended-join. Scripted input comes from harness.FakeServer."""

import re
import signal
import time

from harness import TestFailure, check, slow_factor
from test_protocol import fake_bot, fake_transcript, received, wait_until

ACCT_CAPS = "extended-join account-notify multi-prefix"


def casemap_bot(t, isupport):
    """A bot with account identity on a FakeServer offering extended-join
    and account-notify, with extra ISUPPORT tokens; waits for its WHO."""
    fake, cfg = fake_bot(t, caps=ACCT_CAPS, isupport=isupport)
    cfg["team"] = {"identify": "account", "admins": ["alice"],
                   "members": ["alice"]}
    bot = t.bot(cfg)
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    fake.wait_received(rb"^WHO #test :?%tcna,417$", timeout=10)
    return fake, bot


def whoami(fake, nick, reply_rx, timeout=10):
    """Ask !whoami as nick in #test; the reply must match reply_rx."""
    mark = fake.mark()
    fake.send_raw(b":" + nick + b"!u@127.0.0.1 PRIVMSG #test :!whoami\r\n")
    try:
        return fake.wait_received(rb"^PRIVMSG #test :" + re.escape(nick)
                                  + b": " + reply_rx, since=mark,
                                  timeout=timeout)
    except TestFailure as e:
        got = [r[2] for r in received(fake, rb"^PRIVMSG #test :", since=mark)]
        raise TestFailure("!whoami from %s: expected /%s/, got %s\n%s"
                          % (nick.decode(), reply_rx.decode(), got, e))


ADMIN = rb"you are alice \(admin; account alice\)$"
PUBLIC = rb"you are \S+ \(public; no account\)$"


def test_casemapping_ascii_whox_keeps_brackets_apart(t):
    """CASEMAPPING=ascii: bob[ and bob{ are two people. WHOX gives bob[
    the account alice and bob{ none, in both orders; neither inherits the
    other's account."""
    fake, bot = casemap_bot(t, "WHOX CASEMAPPING=ascii")
    fake.send_raw(b":fake.test 354 outagebot 417 #test bob{ 0\r\n"
                  b":fake.test 354 outagebot 417 #test bob[ alice\r\n"
                  b":fake.test 354 outagebot 417 #test [x] alice\r\n"
                  b":fake.test 354 outagebot 417 #test {x} 0\r\n"
                  b":fake.test 315 outagebot #test :End of /WHO list.\r\n")
    whoami(fake, b"bob[", ADMIN)
    whoami(fake, b"bob{", PUBLIC)
    whoami(fake, b"[x]", ADMIN)
    whoami(fake, b"{x}", PUBLIC)
    bot.assert_alive()


def test_casemapping_ascii_extended_join(t):
    """CASEMAPPING=ascii and extended-join: bob{ joining without an account
    takes nothing from bob[, and bob[ keeps his."""
    fake, bot = casemap_bot(t, "WHOX CASEMAPPING=ascii")
    fake.send_raw(b":bob[!b@127.0.0.1 JOIN #test alice :Bob\r\n"
                  b":bob{!m@127.0.0.1 JOIN #test * :Mallory\r\n")
    whoami(fake, b"bob[", ADMIN)
    whoami(fake, b"bob{", PUBLIC)
    # and the other way round: an account for bob{ is not bob['s
    fake.send_raw(b":carl{!c@127.0.0.1 JOIN #test alice :Carl\r\n"
                  b":carl[!m@127.0.0.1 JOIN #test * :Mallory\r\n")
    whoami(fake, b"carl{", ADMIN)
    whoami(fake, b"carl[", PUBLIC)


def test_casemapping_default_rfc1459_folds(t):
    """Without CASEMAPPING=ascii the server's rfc1459 folds [ and {: the
    second JOIN is the same person (the mapping really is the server's)."""
    fake, bot = casemap_bot(t, "WHOX")
    fake.send_raw(b":bob[!b@127.0.0.1 JOIN #test alice :Bob\r\n")
    whoami(fake, b"bob{", ADMIN)


def test_error_ends_connection_at_once(t):
    """ERROR from the server, which then hangs with the socket open: the
    bot closes at once and reconnects after reconnect.min (1s), long
    before any ping timeout."""
    fake, cfg = fake_bot(t)
    bot = t.bot(cfg)
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    t0 = time.monotonic()
    fake.send_raw(b"ERROR :Closing link: (test) [too many hugs]\r\n")
    wait_until(lambda: 1 in fake.closed_at, 3, "close after ERROR",
               lambda: fake_transcript(fake) + "\n" + bot.log_tail())
    check(fake.closed_at[1] - t0 < 1.0 * slow_factor(),
          "closed %.2f s after ERROR" % (fake.closed_at[1] - t0))
    wait_until(lambda: fake.connections >= 2, 6, "reconnect after ERROR",
               lambda: bot.log_tail())
    fake.wait_received(rb"^JOIN #test\b", timeout=10, conn_no=2)
    check(re.search(r"too many hugs", bot.log_text()),
          "the log does not give the server's reason\n" + bot.log_tail())
    bot.assert_alive()


def test_statusmsg_target_is_a_channel_message(t):
    """A PRIVMSG to @#test or +#test (STATUSMSG=@+) is a channel message:
    a line without the prefix is no command, and a command is answered in
    the channel as a PRIVMSG addressed to the asker."""
    fake, cfg = fake_bot(t, isupport="STATUSMSG=@+")
    bot = t.bot(cfg)
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    for target in (b"@#test", b"+#test"):
        mark = fake.mark()
        fake.send_raw(b":alice!a@127.0.0.1 PRIVMSG " + target
                      + b" :version\r\n")
        fake.send_raw(b":alice!a@127.0.0.1 PRIVMSG " + target
                      + b" :!version\r\n")
        fake.wait_received(rb"^PRIVMSG #test :alice: outagebot \d",
                           since=mark, timeout=10)
        time.sleep(0.3)
        out = [r[2] for r in received(fake, rb"^(PRIVMSG|NOTICE) ",
                                      since=mark)]
        check(len(out) == 1, "to %s: expected one answer in #test, got %s"
              % (target.decode(), out))


DROPPED_RX = rb"too much output waiting"


def test_send_queue_bound_and_protocol_lane_first(t):
    """300 askers at once, one line each, against a bucket of one line per
    30 s: at most queue_max (200) lines wait, the rest are dropped with a
    log line and one NOTICE to (some of) their askers. A reload that adds
    a channel and refills the bucket sends its JOIN ahead of the waiting
    replies."""
    fake, cfg = fake_bot(t, irc={"flood": {"burst": 1, "interval": "30s"}})
    bot = t.bot(cfg)
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    mark = fake.mark()
    fake.send_raw(b"".join(b":n%03d!u@127.0.0.1 PRIVMSG outagebot :!version"
                           b"\r\n" % i for i in range(300)))
    bot.wait_log(r"send queue full", timeout=10)
    cfg["irc"]["channels"] = ["#test", "#other"]
    cfg["irc"]["flood"] = {"burst": 1000, "interval": "1s"}
    bot.write_config(cfg)
    bot.signal(signal.SIGHUP)
    fake.wait_received(rb"^JOIN #other\b", since=mark, timeout=10)
    wait_until(lambda: received(fake, DROPPED_RX, since=mark), 10,
               "a NOTICE telling a dropped asker", lambda: bot.log_tail())
    time.sleep(0.5)
    out = [r[2] for r in received(fake, rb"^(NOTICE|PRIVMSG|JOIN) ",
                                  since=mark)]
    versions = [l for l in out if re.match(rb"^NOTICE n\d+ :outagebot", l)]
    told = [l for l in out if DROPPED_RX in l]
    check(150 <= len(versions) <= 201,
          "%d version replies went out (queue_max 200)" % len(versions))
    join_at = out.index([l for l in out if l.startswith(b"JOIN #other")][0])
    check(join_at <= 2, "JOIN #other came after %d replies: the protocol "
          "lane does not go first" % join_at)
    answered = {l.split()[1] for l in versions}
    told_nicks = [l.split()[1] for l in told]
    check(1 <= len(told) <= 20 and len(set(told_nicks)) == len(told),
          "askers told: %s" % told_nicks)
    check(not answered & set(told_nicks),
          "an answered asker was told of a drop: %s"
          % sorted(answered & set(told_nicks)))
    bot.assert_alive()


def test_reload_to_another_network_drops_queued_lines(t):
    """Replies waiting in the queue for one network never reach another:
    a reload that changes the port drops them."""
    fake, cfg = fake_bot(t, irc={"flood": {"burst": 1, "interval": "30s"}})
    other = t.fake_server(log_name="fake-other.log")
    bot = t.bot(cfg)
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    fake.send_raw(b"".join(b":n%03d!u@127.0.0.1 PRIVMSG outagebot :!version"
                           b"\r\n" % i for i in range(20)))
    fake.wait_received(rb"^NOTICE n000 ", timeout=10)
    bot.wait_log(r"handled", timeout=5)
    cfg["irc"]["port"] = other.port
    cfg["irc"]["flood"] = {"burst": 100, "interval": "1s"}
    bot.write_config(cfg)
    bot.signal(signal.SIGHUP)
    other.wait_received(rb"^JOIN #test\b", timeout=15)
    other.send_raw(b"PING :after-join\r\n")
    other.wait_received(rb"^PONG :?after-join", timeout=5)
    stale = received(other, rb"^NOTICE n\d+ ")
    check(not stale, "%d lines queued for the old network reached the new "
          "one, e.g. %r" % (len(stale), stale[:1]))
    check(re.search(r"dropping \d+ lines", bot.log_text()),
          "the log does not say that queued lines were dropped")


def test_extended_join_account_forgotten_without_account_notify(t):
    """Without account-notify an account learnt from an extended JOIN is
    forgotten on a later JOIN that carries none (here after the server
    withdrew extended-join by CAP DEL), and after a reconnect it is
    learnt again only from WHOX."""
    fake, cfg = fake_bot(t, caps="extended-join multi-prefix cap-notify",
                         isupport="WHOX",
                         irc={"channels": ["#test", "#two"]})
    cfg["team"] = {"identify": "account", "admins": ["alice"],
                   "members": ["alice"]}
    bot = t.bot(cfg)
    fake.wait_received(rb"^WHO #two :?%tcna,417$", timeout=15)
    fake.send_raw(b":bob!b@127.0.0.1 JOIN #test alice :Bob\r\n")
    whoami(fake, b"bob", ADMIN)
    fake.send_raw(b":fake.test CAP outagebot DEL :extended-join\r\n"
                  b":bob!b@127.0.0.1 JOIN #two\r\n")
    whoami(fake, b"bob", PUBLIC)
    # learnt again, then a reconnect: nothing is kept, WHOX asks again
    fake.send_raw(b":carol!c@127.0.0.1 JOIN #test\r\n"
                  b":fake.test 354 outagebot 417 #test carol alice\r\n")
    whoami(fake, b"carol", rb"you are alice \(admin; account alice\)$")
    fake.send_raw(b"ERROR :Closing link (test)\r\n")
    fake.wait_received(rb"^WHO #test :?%tcna,417$", timeout=15, conn_no=2)
    fake.send_raw(b":carol!c@127.0.0.1 JOIN #test\r\n")
    whoami(fake, b"carol", PUBLIC)
    fake.send_raw(b":fake.test 354 outagebot 417 #test carol alice\r\n")
    whoami(fake, b"carol", rb"you are alice \(admin; account alice\)$")


def test_server_by_name_resolves_without_polling(t):
    """A server given by name goes through the asynchronous lookup, whose
    completion wakes the loop: the bot registers and answers, also after
    a reconnect (a second lookup), with nothing left behind under ASan."""
    fake, cfg = fake_bot(t)
    cfg["irc"]["server"] = "localhost"
    bot = t.bot(cfg)
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    fake.send_raw(b"ERROR :Closing link (test)\r\n")
    fake.wait_received(rb"^JOIN #test\b", timeout=15, conn_no=2)
    mark = fake.mark()
    fake.send_raw(b":alice!a@127.0.0.1 PRIVMSG #test :!version\r\n")
    fake.wait_received(rb"^PRIVMSG #test :alice: outagebot \d", since=mark,
                       timeout=10)
    check(re.search(r"connecting to localhost:\d+", bot.log_text()),
          "the bot did not connect by name\n" + bot.log_tail())
    bot.assert_alive()


def test_one_flooder_does_not_delay_others(t):
    """One nick floods 300 private commands against a bucket of one line
    a second: another person's !version is still answered within 3 s
    (replies are served in turn by asker, and a full queue gives way to
    a newcomer at the expense of whoever has the most waiting)."""
    fake, cfg = fake_bot(t, irc={"flood": {"burst": 1, "interval": "1s"}})
    bot = t.bot(cfg)
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    fake.send_raw(b":mallory!m@127.0.0.1 PRIVMSG outagebot :!version\r\n"
                  * 300)
    fake.wait_received(rb"^NOTICE mallory ", timeout=10)
    bot.wait_log(r"send queue full", timeout=10)
    mark = fake.mark()
    t0 = time.monotonic()
    fake.send_raw(b":alice!a@127.0.0.1 PRIVMSG #test :!version\r\n")
    fake.wait_received(rb"^PRIVMSG #test :alice: outagebot \d", since=mark,
                       timeout=10)
    waited = time.monotonic() - t0
    check(waited <= 3.0 * slow_factor(),
          "alice waited %.1f s behind mallory's flood" % waited)
    bot.assert_alive()
