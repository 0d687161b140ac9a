"""Private reminders with identify = hostmask (DESIGN.md sections 3 and 6):
a reminder goes privately only to a user whose whole nick!user@host
matches the member's team entry; whoever else holds the member's nick is
not told, and the reminder goes to the channel instead. Against a real
ngIRCd, with the bot's clock started just before the reminder is due.

The rotation and times are test_oncall's: the handoff to bob is Mon 30
Nov 2026 08:00 UTC, remind_before 1m, so the reminder is due at 07:59:00.
bob's entry here is "bob!~realbob@*" (ngIRCd, without ident, shows the
user name given at registration as "~name"). Each test takes one path by
which the bot learns a user@host: the WHO it sends after joining, a JOIN
seen later, a NICK change."""

from harness import BOT_NICK, check, privmsg_from
import test_oncall as oc

AT = "2026-11-30 07:58:50"
TEAM = {"identify": "hostmask", "admins": ["alice!*@*"],
        "members": ["alice!*@*", "bob!~realbob@*", "carol!*@*"]}
CHANNEL_REMINDER = "bob: " + oc.REMINDER_BOB


def start(t, early):
    """ngircd; alice and the clients in `early` (nick, user) in #test
    before the bot starts; returns (bot, alice, clients)."""
    srv = t.ngircd()
    alice = t.client(srv, "alice")
    alice.join("#test")
    clients = []
    for nick, user in early:
        c = t.client(srv, nick, user=user)
        c.join("#test")
        clients.append(c)
    bot = t.bot(oc.oncall_config(t, srv, remind="1m", team=TEAM),
                start=False)
    oc.start_bot(t, bot, AT, alice)
    return srv, bot, alice, clients


def settled(alice):
    """Return once the bot has answered a line sent after its JOIN: the
    WHO it sent on joining has been answered by then, so whoever joins
    later is learnt from their JOIN only."""
    alice.ask("#test", "!version")


def to_channel(alice, holder, bot):
    """The reminder reaches #test addressed to bob, never `holder`."""
    line = alice.wait_for(privmsg_from(BOT_NICK, "#test", "reminder"),
                          timeout=20, start=0, what="the channel reminder")
    check(line.body == CHANNEL_REMINDER, "channel reminder:\n  got  %r\n"
          "  want %r" % (line.body, CHANNEL_REMINDER))
    oc.arrived_between(line, bot, 8, 14, "the reminder")
    check(not holder.matching(privmsg_from(BOT_NICK, holder.nick)),
          "the holder of bob's nick with another user@host was told "
          "privately: %s" % holder.matching(privmsg_from(BOT_NICK)))


def to_bob(alice, bob, bot):
    """The reminder reaches bob privately, and not the channel."""
    line = bob.wait_for(privmsg_from(BOT_NICK, "bob"), timeout=20, start=0,
                        what="the private reminder")
    check(line.body == oc.REMINDER_BOB, "private reminder:\n  got  %r\n"
          "  want %r" % (line.body, oc.REMINDER_BOB))
    oc.arrived_between(line, bot, 8, 14, "the reminder")
    check(not alice.matching(privmsg_from(BOT_NICK, "#test", "reminder")),
          "the reminder went to the channel too")


def test_impostor_present_before_the_bot(t):
    # learnt from the WHO the bot sends after joining
    srv, bot, alice, (bob,) = start(t, [("bob", "mallory")])
    to_channel(alice, bob, bot)


test_impostor_present_before_the_bot.timeout = 60


def test_member_present_before_the_bot(t):
    srv, bot, alice, (bob,) = start(t, [("bob", "realbob")])
    to_bob(alice, bob, bot)


test_member_present_before_the_bot.timeout = 60


def joins_later(t, nick, user, new_nick=None):
    """The bot started and settled; then nick (user) joins #test, and
    takes new_nick if given. Returns (bot, alice, that client)."""
    srv, bot, alice, _ = start(t, [])
    settled(alice)
    c = t.client(srv, nick, user=user)
    c.join("#test")
    if new_nick is not None:
        c.change_nick(new_nick)
    return bot, alice, c


def test_member_joins_after_the_bot(t):
    # learnt from bob's JOIN
    bot, alice, bob = joins_later(t, "bob", "realbob")
    to_bob(alice, bob, bot)


test_member_joins_after_the_bot.timeout = 60


def test_impostor_takes_the_nick_after_the_bot(t):
    # mallory joins as herself, then takes bob's nick: the NICK keeps
    # her user@host
    bot, alice, mallory = joins_later(t, "mallory", "mallory", "bob")
    to_channel(alice, mallory, bot)


test_impostor_takes_the_nick_after_the_bot.timeout = 60


def test_member_changes_nick_to_his_own(t):
    # bob comes back as bob_ and then takes his nick again
    bot, alice, bob = joins_later(t, "bob_", "realbob", "bob")
    to_bob(alice, bob, bot)


test_member_changes_nick_to_his_own.timeout = 60
