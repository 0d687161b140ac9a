"""SASL SCRAM-SHA-256 (RFC 5802, RFC 7677) against a scripted server that
plays the server side: it checks the bot's proof and answers with the
right server signature, or with a wrong one. A server that cannot prove
it knows the password is abandoned like a failed SASL: with
sasl.required the bot never finishes registration. (Debian 12's Atheme
has no SCRAM module, so no live network plays this part.)"""

import base64
import hashlib
import hmac
import os

from harness import check, sleep

ACCOUNT = "outagebot"
PASSWORD = "scram-pencil-s3cret"


def scram_server(password, bad_signature=False):
    """A SASL callback playing SCRAM-SHA-256's server side; its `log`
    records what happened."""
    salt, iters = os.urandom(16), 4096
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iters)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    st = {"step": 0, "log": []}

    def step(mech, payload):
        if mech != "SCRAM-SHA-256":
            return False
        if st["step"] == 0:                       # client-first
            text = payload.decode()
            check(text.startswith("n,,"), "gs2 header: %r" % text)
            st["bare"] = text[3:]
            attrs = dict(a.split("=", 1) for a in st["bare"].split(","))
            check(attrs["n"] == ACCOUNT, "user: %r" % attrs)
            st["nonce"] = attrs["r"] + base64.b64encode(
                os.urandom(12)).decode()
            st["first"] = "r=%s,s=%s,i=%d" % (
                st["nonce"], base64.b64encode(salt).decode(), iters)
            st["step"] = 1
            return st["first"].encode()
        if st["step"] == 1:                       # client-final
            text = payload.decode()
            without_proof, _, proof = text.rpartition(",p=")
            attrs = dict(a.split("=", 1) for a in without_proof.split(","))
            check(attrs["r"] == st["nonce"], "nonce echoed")
            auth = ",".join((st["bare"], st["first"], without_proof))
            sig = hmac.new(stored_key, auth.encode(), hashlib.sha256).digest()
            got = bytes(a ^ b for a, b in
                        zip(base64.b64decode(proof), sig))
            if hashlib.sha256(got).digest() != stored_key:
                st["log"].append("bad proof")
                return False
            st["log"].append("proof ok")
            server_sig = hmac.new(server_key, auth.encode(),
                                  hashlib.sha256).digest()
            if bad_signature:
                server_sig = bytes(b ^ 1 for b in server_sig)
            st["step"] = 2
            return ("v=" + base64.b64encode(server_sig).decode()).encode()
        st["log"].append("final answer %r" % payload)
        return payload == b""                     # the client's empty reply
    step.log = st["log"]
    return step


def scram_bot(t, name, server):
    fake = t.fake_server(log_name="fake-%s.log" % name,
                         caps="sasl=SCRAM-SHA-256", sasl=server)
    cfg = t.bot_config(fake, storage={"path": t.path(name + ".db")}, irc={
        "sasl": {"mechanism": "SCRAM-SHA-256", "account": ACCOUNT,
                 "password_file": name + "-secret", "required": True}})
    bot = t.bot(cfg, start=False, name=name)
    bot.secret(name + "-secret", PASSWORD + "\n")
    bot.start()
    return fake, bot


def test_scram_login_verifies_the_server(t):
    server = scram_server(PASSWORD)
    fake, bot = scram_bot(t, "good", server)
    fake.wait_received(rb"^JOIN #test\b", timeout=15)
    check(server.log[:2] == ["proof ok", "final answer b''"],
          "the exchange: %r" % server.log)
    log = bot.log_text()
    check(PASSWORD not in log, "the password is in the log")


def test_scram_server_without_proof_is_abandoned(t):
    server = scram_server(PASSWORD, bad_signature=True)
    fake, bot = scram_bot(t, "bad", server)
    fake.wait_received(rb"^AUTHENTICATE \*$", timeout=15)
    sleep(3.0)
    bot.assert_alive()
    check(server.log[:1] == ["proof ok"], "the exchange: %r" % server.log)
    with fake.cond:
        joins = [r for r in fake.received if r[2].startswith(b"JOIN ")]
        ends = [r for r in fake.received if r[2] == b"CAP END"]
    check(not joins and not ends, "the bot went on with a server that "
          "could not prove the password: %r" % (joins + ends))
