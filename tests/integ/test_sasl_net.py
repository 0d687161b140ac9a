"""SASL ECDSA-NIST256P-CHALLENGE on the InspIRCd + Atheme test network,
with the key format the bot uses: a PEM P-256 key made by the openssl CLI,
its public key given to NickServ SET PUBKEY as base64 of the compressed
point, and the server's challenge signed by `openssl pkeyutl -sign` (the
raw 32 bytes, no digest). SCRAM-SHA-256 is not tested here: Atheme 7.2
(Debian 12) has no SCRAM mechanism module."""

import base64
import os
import re
import subprocess

from harness import check

MECH = "ECDSA-NIST256P-CHALLENGE"
ACCOUNTS = {"eve": "evepw-s3cret", "frank": "frankpw-s3cret"}


def openssl(*args, data=None):
    res = subprocess.run(["openssl"] + list(args), input=data,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=30)
    check(res.returncode == 0, "openssl %s failed: %s"
          % (args[0], res.stderr.decode("utf-8", "replace")))
    return res.stdout


def make_key(t, name):
    path = t.path(name)
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-out", path)
    return path


def pubkey(path):
    """What NickServ SET PUBKEY takes: base64 of the compressed point."""
    der = openssl("ec", "-in", path, "-pubout", "-conv_form", "compressed",
                  "-outform", "DER")
    # SubjectPublicKeyInfo of a compressed P-256 point: 26 bytes, then 33
    check(len(der) == 59 and der[-33] in (2, 3),
          "unexpected public key DER (%d bytes)" % len(der))
    return base64.b64encode(der[-33:]).decode()


def set_pubkey(t, net, account, key):
    pub = pubkey(key)
    owner = t.client(net, account, sasl=(account, ACCOUNTS[account]))
    owner.say("NickServ", "SET PUBKEY " + pub)
    # Atheme shows the key in bold (\x02)
    owner.wait_for(r"(?i)NickServ.*public key is now set to \x02?%s\x02?\.$"
                   % re.escape(pub), 10)
    owner.quit()
    return pub


def sasl_ecdsa(t, net, nick, account, key):
    """Register nick over SASL ECDSA as account, signing with key. Returns
    the client and the SASL result line (903, or 904 and the like)."""
    c = t.client(net, nick, connect=False)
    c.open()
    c.send("CAP LS 302")
    c.send("NICK " + nick)
    c.send("USER tester 0 * :ecdsa test")
    offered = {}
    while True:
        ls = c.wait_for(lambda l: l.command == "CAP" and len(l.params) >= 3
                        and l.params[1] == "LS", what="CAP LS")
        for item in ls.params[-1].split():
            k, _, v = item.partition("=")
            offered[k] = v
        if ls.params[2] != "*":
            break
    check(MECH in offered.get("sasl", "").split(","),
          "the network does not offer %s: sasl=%s"
          % (MECH, offered.get("sasl")))
    c.send("CAP REQ :sasl")
    c.wait_for(lambda l: l.command == "CAP" and l.params[1] == "ACK",
               what="CAP ACK")
    c.send("AUTHENTICATE " + MECH)
    c.wait_for(lambda l: l.command == "AUTHENTICATE" and l.params == ["+"],
               what="AUTHENTICATE +")
    c.send("AUTHENTICATE " + base64.b64encode(account.encode()).decode())
    line = c.wait_for(lambda l: l.command in ("AUTHENTICATE", "904", "905"),
                      what="the challenge")
    if line.command != "AUTHENTICATE":
        return c, line
    challenge = base64.b64decode(line.params[0], validate=True)
    check(len(challenge) == 32, "a challenge of %d bytes" % len(challenge))
    sig = openssl("pkeyutl", "-sign", "-inkey", key, data=challenge)
    c.send("AUTHENTICATE " + base64.b64encode(sig).decode())
    res = c.wait_for(lambda l: l.command in ("903", "904", "905", "906"),
                     what="the SASL result")
    return c, res


def test_ecdsa_login_with_nickserv_pubkey(t):
    net = t.services(ACCOUNTS)
    key = make_key(t, "eve.pem")
    pub = set_pubkey(t, net, "eve", key)
    check(len(pub) == 44, "public key %r is not 44 characters" % pub)
    c, res = sasl_ecdsa(t, net, "evebot", "eve", key)
    check(res.command == "903", "ECDSA login refused: " + res.text)
    logged = c.matching(lambda l: l.command == "900")
    check(logged and logged[0].params[2] == "eve",
          "no 900 naming the account eve: %s" % [l.text for l in logged])
    c.send("CAP END")
    c.wait_for(lambda l: l.command == "001", what="001 welcome")
    # an account without a public key gets no challenge
    c2, res = sasl_ecdsa(t, net, "frankbot", "frank", key)
    check(res.command == "904", "an account without a key: " + res.text)
    check(not c2.matching(lambda l: l.command == "900"), "logged in anyway")


def test_ecdsa_wrong_key_refused(t):
    net = t.services(ACCOUNTS)
    set_pubkey(t, net, "eve", make_key(t, "eve.pem"))
    other = make_key(t, "other.pem")
    c, res = sasl_ecdsa(t, net, "mallory", "eve", other)
    check(res.command == "904", "a foreign key's signature: " + res.text)
    check(not c.matching(lambda l: l.command == "900"), "logged in anyway")


def test_bot_logs_in_with_ecdsa_key(t):
    """The bot itself: sasl.mechanism ECDSA-NIST256P-CHALLENGE with
    sasl.key_file, required; no password exists anywhere."""
    accounts = dict(ACCOUNTS, outagebot="botpw-unused")
    net = t.services(accounts)
    key = make_key(t, "bot.pem")
    os.chmod(key, 0o600)
    pub = pubkey(key)
    owner = t.client(net, "outagebot", sasl=("outagebot",
                                             accounts["outagebot"]))
    owner.say("NickServ", "SET PUBKEY " + pub)
    owner.wait_for(r"(?i)NickServ.*public key is now set to", 10)
    owner.quit()
    watcher = t.client(net, "eve", sasl=("eve", ACCOUNTS["eve"]))
    watcher.join("#test")
    cfg = t.bot_config(net, irc={
        "sasl": {"mechanism": MECH, "account": "outagebot",
                 "key_file": key, "required": True}},
        team={"identify": "account", "admins": ["eve"], "members": ["eve"]})
    bot = t.bot(cfg, start=False)
    bot.start()
    bot.wait_joined(watcher, "#test", timeout=20)
    bot.wait_log(r"SASL authentication successful|logged in as outagebot|"
                 r" 903 ", timeout=10)
    watcher.ask("#test", "!whoami", r"you are eve \(admin; account eve\)$")
