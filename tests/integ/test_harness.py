"""Self-tests of the harness with plain clients only (no bot): if these fail,
the other tests' failures say nothing about the bot."""

import os
import re
import socket
import ssl
import subprocess

from harness import NETDIR, TestFailure, check, connect_all, privmsg_from


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


# Runs services-net.sh's own alive() (extracted, so the test checks the
# function the script uses) on three kinds of process:
#  - a live process whose /proc/PID/cmdline reads empty (a kernel thread,
#    as a process inside execve reads), which must count as alive;
#  - children just forked into `exec sleep` (the launch race);
#  - a zombie, which kill -0 alone reports alive.
LIVENESS_PROBE = r"""
eval "$(sed -n '/^alive() {/,/^}/p' "$1")"
for d in /proc/[0-9]*; do
  p=${d#/proc/}
  [ -n "$(tr -d '\0' < "$d/cmdline" 2>/dev/null)" ] && continue
  st=$(cat "$d/stat" 2>/dev/null) || continue
  st=${st##*) }; case ${st%% *} in Z|X|x|'') continue ;; esac
  kill -0 "$p" 2>/dev/null || continue
  alive "$p" || echo "empty-cmdline pid $p read as dead"
  echo "checked $p"
  break
done
for i in $(seq 1 100); do
  ( exec sleep 5 ) </dev/null >/dev/null 2>&1 &
  p=$!
  alive "$p" || echo "fresh child $p read as dead"
  kill "$p"; wait "$p" 2>/dev/null
done
# a child that exits once its parent has become `sleep`, which never reaps
( ( sleep 0.5; exit 3 ) & echo $! > "$2"; exec sleep 10 ) </dev/null \
  >/dev/null 2>&1 &
s=$!
until [ -s "$2" ]; do sleep 0.01; done
z=$(cat "$2")
for i in $(seq 1 500); do
  st=$(cat "/proc/$z/stat" 2>/dev/null) || break
  st=${st##*) }; [ "${st%% *}" = Z ] && break
  sleep 0.01
done
if [ "${st%% *}" = Z ]; then
  alive "$z" && echo "zombie $z read as alive"
  echo "checked zombie"
fi
kill "$s"; wait "$s" 2>/dev/null
alive "" && echo "empty pid read as alive"
true
"""


def test_services_net_liveness(t):
    """services-net.sh decides that a daemon is alive with kill -0 and the
    process state, never from /proc/PID/cmdline (empty inside execve)."""
    res = subprocess.run(["bash", "-c", LIVENESS_PROBE, "probe",
                          os.path.join(NETDIR, "services-net.sh"),
                          os.path.join(t.dir, "zombie.pid")],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=60)
    out = res.stdout.decode("utf-8", "replace")
    check(res.returncode == 0, "probe failed:\n" + out)
    wrong = [l for l in out.splitlines() if not l.startswith("checked")]
    check(not wrong, "alive() misjudged:\n" + "\n".join(wrong))
    check("checked zombie" in out, "no zombie was observed:\n" + out)
