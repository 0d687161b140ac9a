"""The channel side of outages against a real ngIRCd (DESIGN.md sections
5 and 8): with irc.topic the channel topic carries a prefix per open
outage, newest first, taken out again on resolve while what people wrote
meanwhile stays; a bot without the op right on a +t channel logs it once
and the outage goes on. A channel the bot cannot join holds back no
line to another one. And announcements that could not be said because
the IRC server was down, or that still waited in the bot's send queue,
are said after the reconnect and the restart.

ngIRCd creates channels without +t and gives op to whoever creates one;
the tests choose who that is."""

import re
import time

from harness import BOT_NICK, check, privmsg_from
from test_oncall import handoff_rx, is_handoff, oncall_config, start_bot
from test_outage import outage_config


def topic_of(client, chan="#test", timeout=10.0):
    """The topic of chan as the server tells client now ("" for none)."""
    start = client.mark()
    client.send("TOPIC %s" % chan)
    line = client.wait_for(
        lambda l: l.command in ("331", "332") and len(l.params) >= 2
        and l.params[1].lower() == chan.lower(), timeout, start=start,
        what="the topic of %s" % chan)
    return line.params[2] if line.command == "332" else ""


def set_topic(client, text, chan="#test", timeout=10.0):
    """client sets the topic of chan and sees the server relay it, so
    that every later line of anyone reaches the server after it."""
    start = client.mark()
    client.send("TOPIC %s :%s" % (chan, text))
    client.wait_for(
        lambda l: l.command == "TOPIC" and l.nick == client.nick
        and l.params[-1] == text, timeout, start=start,
        what="%s's topic change relayed" % client.nick)


def topic_from_bot(client, rx, timeout=15.0, start=None):
    """The next TOPIC change by the bot whose text matches rx (whole)."""
    return client.wait_for(
        lambda l: l.command == "TOPIC" and l.nick == BOT_NICK
        and re.fullmatch(rx, l.params[-1] if len(l.params) > 1 else "")
        is not None, timeout, start=start,
        what="the bot setting the topic to /%s/" % rx)


def bot_says(client, rx, timeout=15.0, start=None):
    return client.wait_for(privmsg_from(BOT_NICK, "#test", rx),
                           timeout=timeout, start=start)


def bot_first(t, **over):
    """ngircd; the bot joins #test first (so it holds op), then alice and
    bob. Returns (srv, bot, alice, bob)."""
    srv = t.ngircd()
    bot = t.bot(outage_config(t, srv, irc={"topic": True}, **over),
                start=False)
    bot.start()
    bot.wait_log(r"joined #test")
    alice = t.client(srv, "alice")
    alice.join("#test")
    bob = t.client(srv, "bob")
    bob.join("#test")
    return srv, bot, alice, bob


WELCOME = "Welcome to #test"
P1 = "outage #1: Copr builds failing | "
P2 = "outage #2: API down | "


def test_topic_prefixed_and_restored(t):
    srv, bot, alice, bob = bot_first(t)
    set_topic(alice, WELCOME)
    check(topic_of(bob) == WELCOME, "the topic is set")

    alice.say("#test", "!outage open Copr builds failing")
    bot_says(alice, r"^\[outage #1 disrupted\] Copr builds failing")
    topic_from_bot(alice, re.escape(P1 + WELCOME))
    check(topic_of(bob) == P1 + WELCOME, "bob sees the prefix")

    # A control byte in the title (here bold) becomes a space; the
    # newest outage goes first.
    alice.say("#test", "!outage open API\x02down")
    topic_from_bot(alice, re.escape(P2 + P1 + WELCOME))

    # Someone edits the topic meanwhile: the edit stays.
    edited = P2 + P1 + WELCOME + " (news: builds paused)"
    set_topic(alice, edited)
    check(topic_of(bob) == edited, "alice's edit")
    alice.say("#test", "!outage resolve 1 fixed")
    bot_says(alice, r"^\[outage #1 resolved\] Copr builds failing")
    topic_from_bot(alice, re.escape(P2 + WELCOME + " (news: builds "
                                    "paused)"))
    alice.say("#test", "!outage resolve #2 fine again")
    topic_from_bot(alice, re.escape(WELCOME + " (news: builds paused)"))
    check(topic_of(bob) == WELCOME + " (news: builds paused)",
          "bob sees the topic restored")
    check(" not changed" not in bot.log_text(), "no topic failure logged")


def test_topic_empty_before_is_empty_after(t):
    srv, bot, alice, bob = bot_first(t)
    check(topic_of(bob) == "", "no topic at first")
    alice.say("#test", "!outage open Copr builds failing")
    topic_from_bot(alice, re.escape(P1.strip()) + " ?")
    alice.say("#test", "!outage resolve 1 fixed")
    topic_from_bot(alice, "")
    check(topic_of(bob) == "", "bob sees no topic again")

def test_topic_without_op_is_logged_and_the_outage_goes_on(t):
    srv = t.ngircd()
    alice = t.client(srv, "alice")
    alice.join("#test")                     # alice holds op, not the bot
    alice.send("MODE #test +t")
    set_topic(alice, WELCOME)
    bot = t.bot(outage_config(t, srv, irc={"topic": True}), start=False)
    bot.start()
    bot.wait_joined(alice, "#test")
    alice.say("#test", "!outage open Copr builds failing")
    bot_says(alice, r"^\[outage #1 disrupted\] Copr builds failing")
    bot.wait_log(r"warn bot: job \d+: topic of #test not changed: You"
                 r"( are|'re) not channel operator")
    alice.say("#test", "!outage update 1 --status identified a bad config")
    bot_says(alice, r"^\[outage #1 identified, disrupted\]")
    alice.say("#test", "!outage resolve 1 fixed")
    bot_says(alice, r"^\[outage #1 resolved\] Copr builds failing")
    alice.say("#test", "!jobs")
    line = bot_says(alice, r"^alice: ")
    check("irc.topic" not in line.body, "no topic job left: %r" % line.body)
    check(topic_of(alice) == WELCOME, "the topic is untouched")
    check(not alice.matching(lambda l: l.command == "TOPIC"
                             and l.nick == BOT_NICK), "no TOPIC by the bot")
    # Logged once: the refusal is not asked again, and the resolve had
    # nothing to take out.
    check(len(re.findall(r"topic of #test not changed",
                         bot.log_text())) == 1,
          "the refusal logged once\n" + bot.log_tail())


def test_channel_bot_cannot_join_holds_back_nothing(t):
    """#closed is invite-only: its announcements wait, and lines to #test
    (announced after it) and replies go on."""
    srv = t.ngircd()
    alice = t.client(srv, "alice")
    alice.join("#closed")
    alice.send("MODE #closed +i")
    alice.join("#test")
    chans = ["#closed", "#test"]
    bot = t.bot(outage_config(t, srv, irc={"channels": chans,
                                           "announce_channels": chans}),
                start=False)
    bot.start()
    bot.wait_joined(alice, "#test")
    bot.wait_log(r"cannot join #closed")
    alice.say("#test", "!outage open Copr builds failing")
    bot_says(alice, r"^\[outage #1 disrupted\] Copr builds failing")
    alice.say("#test", "!outage resolve 1 fixed")
    bot_says(alice, r"^\[outage #1 resolved\] Copr builds failing")
    check(not alice.matching(privmsg_from(BOT_NICK, "#closed")),
          "a line in a channel the bot is not in")

def test_resolve_said_after_irc_down_and_restart(t):
    """The resolve announcement still waits in the bot's send queue (its
    flood bucket is spent) when the IRC server goes down; the bot is
    killed while it is away. After the server and the bot are back, the
    announcement is said, once, and the topic is restored."""
    srv = t.ngircd()
    cfg = outage_config(t, srv, irc={"topic": True, "flood": {
        "burst": 2, "interval": "60s"}})
    bot = t.bot(cfg, start=False)
    bot.start()
    bot.wait_log(r"joined #test")
    alice = t.client(srv, "alice")
    alice.join("#test")
    alice.send("TOPIC #test :" + WELCOME)
    alice.say("#test", "!outage open Copr builds failing")
    bot_says(alice, r"^\[outage #1 disrupted\] Copr builds failing")
    topic_from_bot(alice, re.escape(P1 + WELCOME))
    # The bucket is empty now (the reply and the announcement): the
    # resolve's lines wait for a token a minute away.
    alice.say("#test", "!outage resolve 1 fixed")
    bot.wait_log(r"(?s)outage open: handled.*outage resolve: handled.*"
                 r"job \d+ \(irc\.say\) started")
    srv.stop()
    bot.wait_log(r"connection to .* lost")
    bot.kill()
    check(not alice.matching(privmsg_from(BOT_NICK, "#test", r"resolved")),
          "the resolve was said before the server went down")
    check(">> PRIVMSG #test :[outage #1 resolved]" not in bot.log_text(),
          "the resolve line was written before the server went down")

    srv.restart(down=0)
    alice2 = t.client(srv, "alice", name="alice2")
    alice2.join("#test")
    # The channel comes back with its topic (as services would keep it).
    alice2.send("TOPIC #test :" + P1 + WELCOME)
    check(topic_of(alice2) == P1 + WELCOME, "the topic is back")
    mark = alice2.mark()
    bot.start()
    bot_says(alice2, r"^\[outage #1 resolved\] Copr builds failing .* "
             r"fixed", timeout=30, start=mark)
    topic_from_bot(alice2, re.escape(WELCOME), start=mark)
    alice2.no_match_within(privmsg_from(BOT_NICK, "#test", r"^\[outage #1 "
                                        r"resolved\]"), 3.0,
                           what="the resolve said twice")


test_resolve_said_after_irc_down_and_restart.timeout = 120


def test_handoff_queued_when_stopped_is_said_after_restart(t):
    """At the handoff the bot's flood bucket is spent: the line waits in
    its send queue, not yet written, when the bot is stopped. The
    restarted bot says it, once."""
    srv = t.ngircd()
    alice = t.client(srv, "alice")
    alice.join("#test")
    slow = {"flood": {"burst": 1, "interval": "60s"}, "max_reply_lines": 12}
    bot = t.bot(oncall_config(t, srv, irc=slow), start=False)
    start_bot(t, bot, "2026-11-30 07:59:50", alice)
    alice.say("#test", "!help")          # its first line takes the token
    bot_says(alice, r"^alice: ")
    # Signals are read on the loop: the stop comes after the start of
    # the job has queued its line.
    bot.wait_log(r"job \d+ \(irc\.say\) started", timeout=20)
    bot.stop()
    check(not alice.matching(is_handoff), "the handoff was said already")
    check(">> PRIVMSG #test :outage-master handoff" not in bot.log_text(),
          "the handoff line was written before the stop")

    fast = {"flood": {"burst": 4, "interval": "1s"}, "max_reply_lines": 12}
    bot.write_config(oncall_config(t, srv, irc=fast))
    mark = alice.mark()
    start_bot(t, bot, "2026-11-30 08:00:30", alice, mark=mark)
    line = alice.wait_for(is_handoff, 15, start=mark,
                          what="the handoff the first run had queued")
    check(re.search(handoff_rx("bob", "Mon 7 Dec 09:00 CET", "alice"),
                    line.body), "wrong handoff line: %r" % line.body)
    alice.no_match_within(is_handoff, bot.past_retry(since=line.t),
                          start=alice.lines.index(line) + 1,
                          what="the handoff said twice")


test_handoff_queued_when_stopped_is_said_after_restart.timeout = 120


def test_topic_never_answered_holds_the_channel_only_a_while(t):
    """A server that never answers the bot's TOPIC: after IRC_TOPIC_WAIT_MS
    (30 s) the change is given up (logged once), and the channel's next
    lines, which waited behind it in its lane, go out."""
    fake = t.fake_server(log_name="fake-topic.log")
    bot = t.bot(t.bot_config(fake, irc={"topic": True}))
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    fake.send_raw(b":alice!u@127.0.0.1 PRIVMSG #test :!outage open Copr "
                  b"builds failing\r\n")
    fake.wait_received(rb"^PRIVMSG #test :\[outage #1 disrupted\] Copr")
    fake.wait_received(rb"^TOPIC #test :" + re.escape(P1.strip().encode()))
    sent_at = time.monotonic()
    mark = fake.mark()
    fake.send_raw(b":alice!u@127.0.0.1 PRIVMSG #test :!outage update 1 "
                  b"a bad config\r\n")
    fake.wait_received(rb"^PRIVMSG #test :\[outage #1 investigating, "
                       rb"disrupted\] Copr builds failing: a bad config",
                       timeout=45, since=mark)
    check(time.monotonic() - sent_at >= 25, "the update went out before the "
          "topic change was given up")
    check(len(re.findall(r"topic of #test not changed: the server did not "
                         r"answer", bot.log_text())) == 1,
          "the silence logged once\n" + bot.log_tail())


test_topic_never_answered_holds_the_channel_only_a_while.timeout = 120
