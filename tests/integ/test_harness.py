"""Self-tests of the harness with plain clients only (no bot): if these fail,
the other tests' failures say nothing about the bot."""

import re
import socket
import ssl

from harness import TestFailure, check, connect_all, privmsg_from


def test_ngircd_relays_between_clients(t):
    srv = t.ngircd()
    alice = t.client(srv, "alice")
    bob = t.client(srv, "bob")
    alice.join("#test")
    bob.join("#test")
    alice.wait_for(r" JOIN :?#test$", what="bob's JOIN")
    alice.say("#test", "hello bob")
    line = bob.wait_for(privmsg_from("alice", "#test", "^hello bob$"))
    check(line.raw.endswith(b"\r\n"), "raw line keeps its CRLF")
    check(re.match(r"alice!~?tester@127\.0\.0\.1$", line.source),
          "unexpected hostmask " + line.source)
    # no_match_within must notice a line that does arrive
    start = bob.mark()
    alice.say("#test", "second")
    try:
        bob.no_match_within(privmsg_from("alice", "#test", "second"), 2, start=start)
    except TestFailure:
        pass
    else:
        raise TestFailure("no_match_within missed a line")
    # 30-character nicks work (MaxNickLength)
    alice.change_nick("outagebot_")
    check(alice.nick == "outagebot_", "nick change not recorded")


def test_ngircd_cuts_long_relayed_lines(t):
    """The fact the splitting test relies on: a relayed line over 512 bytes
    arrives cut, with [CUT]."""
    srv = t.ngircd()
    alice = t.client(srv, "alice")
    bob = t.client(srv, "bob")
    alice.join("#test")
    bob.join("#test")
    alice.say("#test", "x" * 480)
    line = bob.wait_for(privmsg_from("alice", "#test"))
    check(len(line.raw) <= 512, "ngircd relayed %d bytes" % len(line.raw))
    check("[CUT]" in line.text, "no [CUT] marker: " + line.text)


def test_ngircd_tls_and_restart(t):
    srv = t.ngircd(tls=True)
    c = t.client(srv, "alice", tls=True)               # verifies against cert
    c.join("#test")
    # the fingerprint the harness computes is the one the server presents
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", srv.tls_port), timeout=5) as s:
        with ctx.wrap_socket(s) as ss:
            import hashlib
            fp = hashlib.sha256(ss.getpeercert(binary_form=True)).hexdigest().upper()
    check(":".join(fp[i:i + 2] for i in range(0, 64, 2)) == srv.fingerprint,
          "fingerprint mismatch")
    port = srv.port
    srv.restart(down=1)
    check(srv.port == port, "port changed on restart")
    c.wait_closed(5)
    c2 = t.client(srv, "bob")
    c2.join("#test")


def test_services_sasl_and_account_tag(t):
    net = t.services({"alice": "alicepw", "bob": "bobpw"})
    alice = t.client(net, "alice", connect=False, sasl=("alice", "alicepw"),
                     caps=["account-tag", "extended-join", "message-tags"])
    bob = t.client(net, "bob", connect=False, sasl=("bob", "bobpw"),
                   caps=["account-tag", "extended-join", "message-tags"])
    anon = t.client(net, "anon", connect=False, caps=["account-tag"])
    connect_all([alice, bob, anon])
    for c in (alice, bob, anon):
        c.join("#test")
    alice.say("#test", "hi")
    line = bob.wait_for(privmsg_from("alice", "#test", "^hi$"))
    check(line.tags.get("account") == "alice", "no account tag: " + line.text)
    anon.say("#test", "hey")
    line = bob.wait_for(privmsg_from("anon", "#test", "^hey$"))
    check("account" not in line.tags, "account tag on an anonymous client")
    bad = t.client(net, "mallory", connect=False, sasl=("alice", "wrong"))
    try:
        bad.connect()
    except TestFailure as e:
        check("904" in str(e), "wrong password not refused with 904: %s" % e)
    else:
        raise TestFailure("SASL with a wrong password succeeded")


def test_services_restart_ircd(t):
    net = t.services({"alice": "alicepw"})
    port = net.port
    c = t.client(net, "alice", sasl=("alice", "alicepw"))
    net.restart_ircd(1)
    check(net.port == port, "port changed")
    c.wait_closed(10)
    t.client(net, "alice", sasl=("alice", "alicepw"))


def test_fake_server_registers_a_client(t):
    srv = t.fake_server()
    c = t.client(srv, "probe")
    c.send("JOIN #test")
    c.wait_for(r" JOIN #test$")
    srv.send_raw(b":alice!a@127.0.0.1 PRIVMSG #test :" + b"y" * 10000 + b"\r\n")
    line = c.wait_for(privmsg_from("alice", "#test"))
    check(len(line.raw) > 10000, "fake server does not pass long lines")
    c.send("PRIVMSG #test :seen")
    srv.wait_received(rb"^PRIVMSG #test :seen$")
