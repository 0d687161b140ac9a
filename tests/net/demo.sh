#!/usr/bin/env bash
# demo.sh BIN [CONFIG] — what `make run` runs.
#
# With CONFIG (or a ./bot.conf), run the bot against that config:
#   exec BIN -c CONFIG
# Without, a demo: start a throwaway ngIRCd on 127.0.0.1 (a free port, every
# file in a temp dir), write a demo config in which everyone connecting
# from 127.0.0.1 is an admin, print how to connect, and run the bot in the
# foreground. Ctrl-C stops the bot; the server and the temp dir are removed
# on any exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:-}
CONFIG=${2:-}
CHANNEL='#outagebot-demo'

if [ -z "$BIN" ]; then
  echo "usage: $0 BIN [CONFIG]" >&2
  exit 2
fi
if [ ! -x "$BIN" ]; then
  echo "demo: $BIN not found or not executable (run make first)" >&2
  exit 1
fi
if [ -z "$CONFIG" ] && [ -f ./bot.conf ]; then
  CONFIG=./bot.conf
fi
if [ -n "$CONFIG" ]; then
  exec "$BIN" -c "$CONFIG"
fi

if ! command -v ngircd >/dev/null 2>&1; then
  echo "demo: ngircd is not installed (make deps installs it)" >&2
  exit 1
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/outagebot-demo.XXXXXX")
# ngircd is this shell's own child, and bash reaps an exited child as soon
# as it is told (SIGCHLD), so kill -0 on its pid says whether it is still
# running; /proc/PID/cmdline would not (empty inside execve).
NGIRCD_PID=
cleanup() {
  if [ -n "$NGIRCD_PID" ] && kill -0 "$NGIRCD_PID" 2>/dev/null; then
    kill -TERM "$NGIRCD_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "$NGIRCD_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$NGIRCD_PID" 2>/dev/null || true
    wait "$NGIRCD_PID" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ngIRCd: the tests' template, without TLS. Retry on another port if the
# bind fails (something took the port between the check and the bind).
mkdir -p "$DIR/conf.d"
PORT=
for _ in $(seq 1 10); do
  p=$((20000 + RANDOM % 12000))
  port_in_use "$p" && continue
  sed -e '/^#@TLS@/d' -e "s|@WORKDIR@|$DIR|g" -e "s|@PORT@|$p|g" \
      -e "s|@TLS_PORT@||g" -e "s|@SERVER_NAME@|irc.demo.local|g" \
      "$HERE/ngircd.conf.tmpl" > "$DIR/ngircd.conf"
  : > "$DIR/ngircd.log"
  ngircd -n -f "$DIR/ngircd.conf" </dev/null >"$DIR/ngircd.log" 2>&1 &
  NGIRCD_PID=$!
  for _ in $(seq 1 100); do
    if grep -q "Now listening on \[127.0.0.1\]:$p " "$DIR/ngircd.log"; then
      PORT=$p
      break
    fi
    kill -0 "$NGIRCD_PID" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$PORT" ] && break
  kill -TERM "$NGIRCD_PID" 2>/dev/null || true
  wait "$NGIRCD_PID" 2>/dev/null || true
  NGIRCD_PID=
done
if [ -z "$PORT" ]; then
  echo "demo: ngircd did not start; its log:" >&2
  tail -n 20 "$DIR/ngircd.log" >&2 || true
  exit 1
fi

mkdir -p "$DIR/status/content/issues"
cat > "$DIR/demo.conf" <<EOF
# outagebot demo configuration (written by tests/net/demo.sh; removed on exit)
instance = "demo";
irc = {
  server = "127.0.0.1";
  port = $PORT;
  tls = false;
  nick = "outagebot";
  alt_nick = "outagebot_";
  channels = ( "$CHANNEL" );
  flood = { burst = 4; interval = "2s"; };
  # a newcomer tries many commands in a row: a looser per-person limit
  command_rate = { burst = 20; interval = "2s"; };
  reconnect = { min = "1s"; max = "10s"; };
};
# no services on the demo server: people are recognised by nick!user@host,
# and everyone connecting from this machine is an admin
team = {
  identify = "hostmask";
  admins = ( "*!*@127.0.0.1" );
  members = ( "*!*@127.0.0.1", "alice!*@*", "bob!*@*", "carol!*@*" );
};
storage = { path = "$DIR/demo.db"; };
# a daily rotation of the nicks README suggests (alice, bob, carol)
roles = ( { name = "outage-master"; members = ( "alice", "bob", "carol" );
            shift = "1d"; start = "2026-11-23 09:00"; timezone = "UTC";
            announce_channel = "$CHANNEL"; } );
# outages work without any token: no github group, so no issue is made;
# the status page is a cState site's content folder on this machine
statuspage = { components = ( "API", "Workers", "Dashboard" );
               backends = ( { type = "cstate"; dir = "$DIR/status/content/issues"; } ); };
EOF

cat <<EOF

  outagebot demo
  --------------
  A throwaway IRC server is running on 127.0.0.1 port $PORT.
  Connect your IRC client to 127.0.0.1 port $PORT (no TLS),
  /join $CHANNEL, then type !help
  (e.g.  irssi -c 127.0.0.1 -p $PORT   or   weechat: /server add demo 127.0.0.1/$PORT)

  Everyone connecting from 127.0.0.1 is an admin here. Take the nick
  alice, bob or carol to be in the on-call rotation. Try:
    !who-is-on-call      !oncall take --for 1h
    !outage open --severity down --affected API API returns 500s
    !outage update 1 --status identified --eta 30m a bad deploy
    !outage resolve 1 rolled back      !outage show 1      !status
  The status page (a cState site's content) is written to
    $DIR/status/content/issues
  watch a file appear there on open and change on update and resolve.
  Ctrl-C stops the bot and the server; files live in $DIR until then.

EOF

# In the foreground, not exec: the EXIT trap has to stop ngircd afterwards.
status=0
"$BIN" -c "$DIR/demo.conf" || status=$?
exit "$status"
