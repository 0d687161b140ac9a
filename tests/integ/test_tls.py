"""TLS to ngIRCd with a throwaway self-signed certificate: verification on
without a CA file refuses, with the certificate as CA file joins,
tls_verify = false joins with a warning, a matching tls_fingerprint joins,
a wrong one refuses. An observer on the plaintext port watches #test."""

import re
import shutil

from harness import BOT_NICK, check

VERSION_RX = r"outagebot \d+\.\d+"
REFUSE_WAIT = 8.0


def tls_setup(t, **irc):
    srv = t.ngircd(tls=True)
    alice = t.client(srv, "alice")                 # plaintext observer
    alice.join("#test")
    conf = {"port": srv.tls_port, "tls": True}
    conf.update(irc)
    bot = t.bot(t.bot_config(srv, irc=conf))
    return srv, alice, bot


def assert_never_joins(srv, alice, bot):
    alice.no_match_within(lambda l: l.command == "JOIN" and
                          l.nick.lower().startswith(BOT_NICK), REFUSE_WAIT,
                          start=0, what="the bot joining #test")
    names = {n.lower() for n in alice.names("#test")}
    check(BOT_NICK not in names and BOT_NICK + "_" not in names,
          "bot is in #test: %s" % sorted(names))
    # it is on no channel and not registered at all
    start = alice.mark()
    alice.send("ISON %s %s_" % (BOT_NICK, BOT_NICK))
    ison = alice.wait_for(lambda l: l.command == "303", start=start)
    check(BOT_NICK not in ison.params[-1].lower(),
          "bot registered on the server over a refused TLS connection: " + ison.text)
    bot.assert_alive()


def assert_joins(alice, bot):
    bot.wait_joined(alice, "#test", timeout=15)
    alice.ask("#test", "!version", VERSION_RX)


def test_tls_verify_without_ca_refuses_self_signed(t):
    srv, alice, bot = tls_setup(t, tls_verify=True)
    assert_never_joins(srv, alice, bot)
    check(re.search(r"(?i)certificate", bot.log_text()),
          "bot log does not mention the certificate\n" + bot.log_tail())


def test_tls_verify_with_ca_file_joins(t):
    srv = t.ngircd(tls=True)
    alice = t.client(srv, "alice")
    alice.join("#test")
    # the CA file is the server's own certificate, named relative to the
    # config file (relative paths are relative to the config file)
    shutil.copy(srv.cert, t.path("ngircd-cert.pem"))
    bot = t.bot(t.bot_config(srv, irc={"port": srv.tls_port, "tls": True,
                                       "tls_verify": True,
                                       "tls_ca_file": "ngircd-cert.pem"}))
    assert_joins(alice, bot)


def test_tls_verify_false_joins_with_warning(t):
    srv, alice, bot = tls_setup(t, tls_verify=False)
    assert_joins(alice, bot)
    warn = [l for l in bot.log_text().splitlines()
            if re.search(r"(?i)warn", l) and re.search(r"(?i)verif|certif|tls", l)]
    check(warn, "no warning about tls_verify = false in the bot log\n" + bot.log_tail())


def test_tls_fingerprint_match_joins(t):
    srv = t.ngircd(tls=True)
    alice = t.client(srv, "alice")
    alice.join("#test")
    # lower case, without colons: the format is lenient
    fp = srv.fingerprint.replace(":", "").lower()
    bot = t.bot(t.bot_config(srv, irc={"port": srv.tls_port, "tls": True,
                                       "tls_fingerprint": fp}))
    assert_joins(alice, bot)


def test_tls_fingerprint_mismatch_refuses(t):
    srv = t.ngircd(tls=True)
    alice = t.client(srv, "alice")
    alice.join("#test")
    wrong = ":".join(["AB"] * 32)
    bot = t.bot(t.bot_config(srv, irc={"port": srv.tls_port, "tls": True,
                                       "tls_fingerprint": wrong}))
    assert_never_joins(srv, alice, bot)
    check(re.search(r"(?i)fingerprint|certificate", bot.log_text()),
          "bot log does not say why the connection was refused\n" + bot.log_tail())
