"""The bot on InspIRCd + Atheme: SASL PLAIN (required or optional),
identify = "account" (account tag), bridges and their spoofing, nick
takeover without the account. Accounts are registered by
tests/net/services-net.sh; test clients log in with SASL."""

import base64
import re

from harness import BOT_NICK, any_message_from, check, connect_all, sleep

ACCOUNTS = {"outagebot": "botpw-s3cret", "alice": "alicepw", "bob": "bobpw",
            "mallory": "mallorypw", "tgbridge": "tgbridgepw"}
CAPS = ["account-tag", "extended-join", "message-tags", "server-time"]
VERSION_RX = r"outagebot \d+\.\d+"


def services_config(t, net, required=True):
    return t.bot_config(net, irc={
        "sasl": {"mechanism": "PLAIN", "account": "outagebot",
                 "password_file": "sasl-secret", "required": required}},
        team={"identify": "account", "admins": ["alice"],
              "members": ["alice", "bob"]},
        bridges=[{"nick": "tgbridge", "account": "tgbridge",
                  "map": ["alice_tg=alice"]}])


def start_bot(t, net, password=None, required=True):
    bot = t.bot(services_config(t, net, required=required), start=False)
    bot.secret("sasl-secret", (password or ACCOUNTS["outagebot"]) + "\n")
    return bot.start()


def clients(t, net, *specs):
    """specs: nick or (nick, account) or (nick, None) for no login."""
    out = []
    for spec in specs:
        nick, account = (spec, spec) if isinstance(spec, str) else spec
        sasl = (account, ACCOUNTS[account]) if account else None
        out.append(t.client(net, nick, connect=False, sasl=sasl, caps=CAPS))
    connect_all(out)
    for c in out:
        c.join("#test")
    return out


def test_sasl_login_and_account_identity(t):
    net = t.services(ACCOUNTS)
    alice, bob, carol = clients(t, net, "alice", "bob", ("carol", None))
    bot = start_bot(t, net)
    bot.wait_joined(alice, "#test", timeout=20)
    alice.ask("#test", "!whoami", r"you are alice \(admin; account alice\)$")
    bob.ask("#test", "!whoami", r"you are bob \(member; account bob\)$")
    carol.ask("#test", "!whoami", r"you are carol \(public; no account\)$")
    carol.ask("#test", "!reload",
              r"!reload needs admin access \(you are not identified to services\)$")
    bob.ask("#test", "!reload", r"!reload needs admin access \(you are not an admin\)$")
    alice.ask("#test", "!reload", r"configuration reloaded$")
    # the server's own record of the bot's registration, which the
    # wrong-password test relies on seeing nothing in
    check([c for c in net.registered_clients()
           if c[1].lstrip("~") == BOT_NICK],
          "InspIRCd's log does not show the bot registering: %s"
          % net.registered_clients())
    # the password never reaches the debug log (the bot runs with -d), in
    # plain or in the base64 form that went on the wire
    log = bot.log_text()
    check(re.search(r"(?m)>> NICK ", log), "no debug lines in the bot log")
    check(ACCOUNTS["outagebot"] not in log, "SASL password in the log")
    payload = base64.b64encode(("outagebot\0outagebot\0%s"
                                % ACCOUNTS["outagebot"]).encode()).decode()
    check(payload not in log, "the SASL PLAIN payload (base64) is in the log")
    check(">> AUTHENTICATE <redacted>" in log, "the debug log has no "
          "'>> AUTHENTICATE <redacted>'\n" + bot.log_tail())


def test_sasl_wrong_password_required_never_joins(t):
    net = t.services(ACCOUNTS)
    (alice,) = clients(t, net, "alice")
    bot = start_bot(t, net, password="wrong-password", required=True)
    alice.no_match_within(lambda l: l.command == "JOIN" and
                          l.nick.lower().startswith(BOT_NICK), 8.0, start=0,
                          what="the bot joining #test")
    check(BOT_NICK not in alice.names("#test"), "bot is in #test")
    start = alice.mark()
    alice.send("ISON %s %s_" % (BOT_NICK, BOT_NICK))
    ison = alice.wait_for(lambda l: l.command == "303", start=start)
    check(BOT_NICK not in ison.params[-1].lower(),
          "bot finished registration although SASL failed: " + ison.text)
    log = bot.log_text()
    check(re.search(r"(?i)sasl.*(fail|904|denied|reject|abort|refus)|"
                    r"(fail|904|denied|reject|abort|refus).*sasl", log),
          "bot log does not report the SASL failure\n" + bot.log_tail())
    check("wrong-password" not in log, "SASL password in the log")
    # it never registered, not even for a moment: the server sent it no
    # 001 (its own log, and what the bot logged receiving at -d)
    bots = [c for c in net.registered_clients()
            if c[1].lstrip("~") == BOT_NICK]
    check(not bots, "InspIRCd registered the bot although SASL failed "
          "and sasl.required is set: %s" % bots)
    check(re.search(r"(?m)>> NICK ", log), "no debug lines in the bot log")
    welcome = re.findall(r"(?m)^.*<< (?:@\S+ )?:\S+ 001 .*$", log)
    check(not welcome, "the server sent the bot 001 although SASL failed "
          "and sasl.required is set: %s" % welcome[:2])
    bot.assert_alive()


def test_sasl_wrong_password_optional_joins(t):
    net = t.services(ACCOUNTS)
    (alice,) = clients(t, net, "alice")
    bot = start_bot(t, net, password="wrong-password", required=False)
    bot.wait_joined(alice, "#test", timeout=20)
    alice.ask("#test", "!version", VERSION_RX)


def test_bridge_relays(t):
    net = t.services(ACCOUNTS)
    bridge, alice = clients(t, net, "tgbridge", "alice")
    bot = start_bot(t, net)
    bot.wait_joined(bridge, "#test", timeout=20)

    def relay(text, name, reply):
        start = bridge.mark()
        bridge.say("#test", text)
        return bridge.expect_reply("#test", reply, start=start, addressee=name)

    relay("<alice_tg> !whoami", "alice_tg",
          r"you are alice \(admin; relayed by tgbridge\)$")
    relay("<carol_tg> !whoami", "carol_tg",
          r"you are \S+ \(public; relayed by tgbridge\)$")
    relay("<carol_tg> !reload", "carol_tg", r"!reload needs admin access")
    relay("\x02<alice_tg>\x02 !version", "alice_tg", VERSION_RX)
    relay("\x0304<alice_tg>\x0f !version", "alice_tg", VERSION_RX)
    relay("[telegram] <alice_tg> !version", "alice_tg", VERSION_RX)
    relay("<al\u200bice_tg> !version", "alice_tg", VERSION_RX)
    relay("<alice_tg> !reload", "alice_tg", r"configuration reloaded$")
    # plain chat relayed from the bridge is not a command
    start = bridge.mark()
    bridge.say("#test", "<alice_tg> hello everyone")
    bridge.say("#test", "<alice_tg> !nosuchthing")
    bridge.no_match_within(any_message_from(BOT_NICK), 2.0, start=start,
                           what="a reply to relayed chat")


def test_bridge_spoofing_is_plain_text(t):
    net = t.services(ACCOUNTS)
    mallory, alice = clients(t, net, "mallory", "alice")
    bot = start_bot(t, net)
    bot.wait_joined(alice, "#test", timeout=20)
    start = alice.mark()
    mallory.say("#test", "<alice_tg> !reload")
    mallory.say("#test", "<alice_tg> !version")
    mallory.say("#test", "[telegram] <alice_tg> !whoami")
    alice.no_match_within(any_message_from(BOT_NICK), 2.0, start=start,
                          what="a reply to a spoofed bridge line")
    mallory.ask("#test", "!version", VERSION_RX)


def test_bridge_nick_without_account_is_not_the_bridge(t):
    net = t.services(ACCOUNTS)
    fake, alice = clients(t, net, ("tgbridge", None), "alice")
    bot = start_bot(t, net)
    bot.wait_joined(alice, "#test", timeout=20)
    start = alice.mark()
    fake.say("#test", "<alice_tg> !reload")
    fake.say("#test", "<alice_tg> !version")
    alice.no_match_within(any_message_from(BOT_NICK), 2.0, start=start,
                          what="a reply to a bridge line from an unidentified tgbridge")
    fake.ask("#test", "!whoami", r"you are tgbridge \(public; no account\)$")


def test_nick_takeover_without_account_gets_no_rights(t):
    net = t.services(ACCOUNTS)
    alice, mallory, bob = clients(t, net, "alice", "mallory", "bob")
    bot = start_bot(t, net)
    bot.wait_joined(alice, "#test", timeout=20)
    alice.ask("#test", "!whoami", r"you are alice \(admin; account alice\)$")
    alice.quit("away")
    bob.wait_for(lambda l: l.command == "QUIT" and l.nick == "alice")
    mallory.change_nick("alice")
    sleep(0.5)
    line = mallory.ask("#test", "!reload", r"!reload needs admin access")
    check("configuration reloaded" not in line.body, "reload done for mallory")
    mallory.ask("#test", "!whoami", r"you are \S+ \(public;")
    # and mallory not logged in at all under alice's nick
    mallory.send("PRIVMSG NickServ :LOGOUT")
    mallory.wait_for(r"(?i)NickServ.*(logged out|no longer)", 10)
    sleep(0.5)
    mallory.ask("#test", "!reload",
                r"!reload needs admin access \(you are not identified to services\)$")
    mallory.ask("#test", "!whoami", r"you are alice \(public; no account\)$")
