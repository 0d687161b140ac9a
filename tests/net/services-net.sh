#!/usr/bin/env bash
# services-net.sh — a throwaway IRC network with services accounts for the
# integration tests: InspIRCd 3 (Debian "inspircd") linked to Atheme 7.2
# (Debian "atheme-services"), 127.0.0.1 only, every file inside WORKDIR.
# No system service is used and nothing under /etc, /var or /run is written.
#
#   services-net.sh start WORKDIR [BASE_PORT|auto]
#       start both daemons, wait until services are linked, register the
#       accounts in $TESTNET_ACCOUNTS, print KEY=value lines (also written
#       to WORKDIR/testnet.env). BASE_PORT is the plaintext port, +1 TLS,
#       +2 the server link; "auto" picks free ones in 20000-29999.
#   services-net.sh stop WORKDIR
#       stop both daemons by pid (SIGTERM, SIGKILL after 5 s). Only a pid
#       whose command line names a file inside WORKDIR is signalled.
#   services-net.sh restart-ircd WORKDIR [DOWN_SECONDS]
#       stop InspIRCd only, wait, start it on the same ports, wait until
#       Atheme has linked again ("the IRC server went away" tests).
#
# Environment: TESTNET_ACCOUNTS="name:pw name:pw" (registered with NickServ
# once ready; the password may not contain spaces or equal the name),
# TESTNET_TLS=auto|yes|no, TESTNET_READY_TIMEOUT (30), TESTNET_NETWORK,
# TESTNET_STS=1 (load ircv3_sts: plaintext clients are told "sts=port=<TLS
# port>", TLS clients whose SNI is "localhost" get "sts=duration=300";
# needs TLS).
#
# Exit status: 0 ready / stopped; 1 failed (what this run started is stopped
# again and log tails go to stderr); 2 usage error or missing package.
#
# Facts this relies on (Debian 12, inspircd 3.15, atheme 7.2.12):
#  - Atheme 7.2 only speaks InspIRCd 2.0's protocol (1202), which 3.15 still
#    accepts; InspIRCd needs the deaf and services_account modules for it.
#  - InspIRCd offers the "sasl" cap only while services are linked: that,
#    NickServ/SaslServ online (ISON) and Atheme logging "finished synching
#    with uplink" together mean ready.
#  - InspIRCd refuses to run as root without --runasroot, keeps running when
#    a bind fails (so its output is checked), segfaults on exit when
#    ssl_gnutls is loaded (harmless; core dumps are switched off), and only
#    registers clients in its once-a-second housekeeping.
#  - The daemons are this script's children while it starts them, and are
#    handed to init when it exits: a stopped one may then be a zombie for a
#    while. /proc/PID/cmdline reads empty both for a zombie and while a
#    process is inside execve (right after launch, longer on a busy
#    machine), so it never decides liveness: kill -0 plus the state in
#    /proc/PID/stat does (alive), and a launched child that exits is reaped
#    with wait for its status.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IRC_SERVER_NAME=irc.test
SERVICES_NAME=services.test
IRC_SID=0IR
SERVICES_SID=0SV
NETWORK_NAME=${TESTNET_NETWORK:-TestNet}
READY_TIMEOUT=${TESTNET_READY_TIMEOUT:-30}
TLS_MODE=${TESTNET_TLS:-auto}
ACCOUNTS=${TESTNET_ACCOUNTS:-}
STS=${TESTNET_STS:-0}
INSPIRCD_BIN=/usr/sbin/inspircd
ATHEME_BIN=/usr/bin/atheme-services
GNUTLS_MODULE=/usr/lib/inspircd/modules/m_ssl_gnutls.so

say() { printf 'services-net: %s\n' "$*" >&2; }
usage() {
  say "usage: $0 start WORKDIR [BASE_PORT|auto] | stop WORKDIR | restart-ircd WORKDIR [DOWN_SECONDS]"
  exit 2
}

[ $# -ge 2 ] || usage
CMD=$1 WORKDIR=$2 ARG3=${3:-}
case $CMD in start|stop|restart-ircd) ;; *) usage ;; esac

# ------------------------------------------------------------ process control

# alive PID: the process exists and has not exited. kill -0 alone is true
# for a zombie, so the state letter in /proc/PID/stat (after the last ")",
# as the command name may hold spaces) must not be Z or X; that file, unlike
# cmdline, stays readable while the process is inside execve.
alive() {
  local st
  case $1 in ''|*[!0-9]*) return 1 ;; esac
  kill -0 "$1" 2>/dev/null || return 1
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  case ${st%% *} in Z|X|x|'') return 1 ;; esac
}
# Pids this run launched (its own children): known to be ours without
# reading their command line, which may still be the launching shell's.
LAUNCHED=' '
# ours PID: alive, and launched by this run or with a command line that
# names a path inside WORKDIR (a daemon a previous run left)
ours() {
  alive "$1" || return 1
  case $LAUNCHED in *" $1 "*) return 0 ;; esac
  tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$WORKDIR/"
}
# gone PID TENTHS: wait up to TENTHS/10 s for PID to stop being ours
gone() {
  local i
  for ((i = 0; i < $2; i++)); do ours "$1" || return 0; sleep 0.1; done
  ! ours "$1"
}
# reap PID: once PID is no longer alive, collect the exit status of a child
# this run launched into REAPED ("" for any other pid)
reap() {
  local rc=0
  REAPED=
  case $LAUNCHED in *" $1 "*) ;; *) return 0 ;; esac
  LAUNCHED=${LAUNCHED/ $1 / }
  wait "$1" 2>/dev/null || rc=$?
  [ "$rc" = 127 ] || REAPED="status $rc"
}

halt_pid() {  # SIGTERM, up to 5 s, then SIGKILL; only our own daemons
  local p=$1
  ours "$p" || { reap "$p"; return 0; }
  kill -TERM "$p" 2>/dev/null || return 0
  if ! gone "$p" 50; then
    say "pid $p ignored SIGTERM; SIGKILL"
    kill -KILL "$p" 2>/dev/null || true
    gone "$p" 50 || return 1
  fi
  reap "$p"
}

env_value() { sed -n "s/^$1=//p" "$WORKDIR/testnet.env" 2>/dev/null | tail -n 1; }

if [ "$CMD" = stop ]; then
  WORKDIR=$(cd "$WORKDIR" 2>/dev/null && pwd) || exit 0
  [ -f "$WORKDIR/testnet.env" ] || exit 0
  rc=0
  # Atheme first: it writes its database on SIGTERM
  for pid in $(env_value ATHEME_PID) $(env_value INSPIRCD_PID); do
    case $pid in *[!0-9]*|'') continue ;; esac
    halt_pid "$pid" || rc=1
  done
  exit $rc
fi

[ -x "$INSPIRCD_BIN" ] || { say "$INSPIRCD_BIN missing: apt-get install -y inspircd"; exit 2; }
[ -x "$ATHEME_BIN" ] || { say "$ATHEME_BIN missing: apt-get install -y atheme-services"; exit 2; }

mkdir -p "$WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd)
case $WORKDIR in
  *[!A-Za-z0-9_./+-]*) say "WORKDIR must match [A-Za-z0-9_./+-]*: $WORKDIR"; exit 2 ;;
esac

T0=$(date +%s%N)
INSPIRCD_PID=
ATHEME_PID=
KEEP_ATHEME=

# launch LOG DIR CMD...: run CMD in DIR in the background as a child of
# this shell (init adopts it when the script exits), stdio on files, no
# core dumps; its pid goes to LAUNCH_PID and LAUNCHED.
launch() {
  ( cd "$2" && ulimit -S -c 0 && ulimit -H -c 0 && exec "${@:3}" ) </dev/null >"$1" 2>&1 &
  LAUNCH_PID=$!
  LAUNCHED="$LAUNCHED$LAUNCH_PID "
}
# died NAME PID: fail, with the exit status when PID is this run's child
died() {
  reap "$2"
  fail "$1 (pid $2) exited ${3:-while starting}${REAPED:+ ($REAPED)}"
}

abandon() {  # stop what this run started
  [ -n "$KEEP_ATHEME" ] || halt_pid "$ATHEME_PID" || true
  halt_pid "$INSPIRCD_PID" || true
  INSPIRCD_PID='' ATHEME_PID=''
}
fail() {
  local f
  say "$*"
  for f in inspircd/stdout.log inspircd/ircd.log atheme/atheme.log; do
    [ -f "$WORKDIR/$f" ] || continue
    say "--- tail of $WORKDIR/$f"
    tail -n 15 "$WORKDIR/$f" >&2 || true
  done
  abandon
  exit 1
}
trap 'say "interrupted"; abandon; exit 130' INT TERM HUP

# --------------------------------------------------------------- networking

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
three_free() { ! port_in_use "$1" && ! port_in_use $(($1 + 1)) && ! port_in_use $(($1 + 2)); }
choose_base() {
  local b
  for _ in $(seq 1 100); do
    b=$((20000 + (RANDOM % 3333) * 3))
    if three_free "$b"; then echo "$b"; return 0; fi
  done
  return 1
}

fill_template() {  # TEMPLATE OUT
  local tls_rule='/^#@TLS@/d' sts_rule='/^#@STS@/d'
  [ "$TLS" = yes ] && tls_rule='s/^#@TLS@//'
  [ "$TLS" = yes ] && [ "$STS" = 1 ] && sts_rule='s/^#@STS@//'
  sed -e "$tls_rule" -e "$sts_rule" \
      -e "s|@WORKDIR@|$WORKDIR|g" \
      -e "s|@IRC_SERVER_NAME@|$IRC_SERVER_NAME|g" \
      -e "s|@SERVICES_NAME@|$SERVICES_NAME|g" \
      -e "s|@IRC_SID@|$IRC_SID|g" \
      -e "s|@SERVICES_SID@|$SERVICES_SID|g" \
      -e "s|@NETWORK_NAME@|$NETWORK_NAME|g" \
      -e "s|@IRC_PORT@|$IRC_PORT|g" \
      -e "s|@IRC_TLS_PORT@|$IRC_TLS_PORT|g" \
      -e "s|@IRC_LINK_PORT@|$IRC_LINK_PORT|g" \
      -e "s|@LINK_SEND_PASS@|$LINK_SEND_PASS|g" \
      -e "s|@LINK_RECV_PASS@|$LINK_RECV_PASS|g" \
      "$1" > "$2"
  if grep -q '@[A-Z_]*@' "$2"; then say "unfilled placeholder in $2"; exit 2; fi
}

# A tiny IRC client in bash: fd IRC_FD connected, NICK/USER sent.
irc_open() {
  { exec {IRC_FD}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'NICK %s\r\nUSER svcnet 0 * :services-net.sh\r\n' "$2" >&"$IRC_FD"
}
irc_close() {
  { printf 'QUIT :done\r\n' >&"$IRC_FD"; } 2>/dev/null || true
  exec {IRC_FD}>&-
}

# ready_probe: the sasl cap is offered and NickServ + SaslServ are online
ready_probe() {
  local line caps='' until=$((SECONDS + 5)) rc=1
  irc_open "$IRC_PORT" "probe$RANDOM" || return 1
  while [ $SECONDS -lt $until ] && IFS= read -r -t 2 line <&"$IRC_FD"; do
    line=${line%$'\r'}
    case $line in
      *" 001 "*) printf 'CAP LS 302\r\nISON NickServ SaslServ\r\n' >&"$IRC_FD" ;;
      *" CAP "*" LS "*) caps="$caps ${line#*:}" ;;
      *" 303 "*)
        case " $caps " in *" sasl "*|*" sasl="*)
          case $line in *NickServ*SaslServ*|*SaslServ*NickServ*) rc=0 ;; esac ;;
        esac
        break ;;
      PING*) printf 'PONG %s\r\n' "${line#PING }" >&"$IRC_FD" ;;
      ERROR*) break ;;
    esac
  done
  irc_close
  return $rc
}

register() {  # NAME PASSWORD
  local line rc=1
  irc_open "$IRC_PORT" "$1" || { say "register $1: cannot connect"; return 1; }
  while IFS= read -r -t 10 line <&"$IRC_FD"; do
    line=${line%$'\r'}
    case $line in
      *" 001 "*) printf 'PRIVMSG NickServ :REGISTER %s %s@example.invalid\r\n' "$2" "$1" >&"$IRC_FD" ;;
      *" 43"[2-6]" "*) say "register $1: nick refused: $line"; break ;;
      ":NickServ!"*" NOTICE "*"is now registered"*) rc=0; break ;;
      ":NickServ!"*" NOTICE "*"is already registered"*) rc=0; break ;;
      ":NickServ!"*" NOTICE "*"Please choose"*) ;;
      ":NickServ!"*" NOTICE "*) say "register $1: ${line#*NOTICE * :}"; break ;;
      PING*) printf 'PONG %s\r\n' "${line#PING }" >&"$IRC_FD" ;;
      ERROR*) say "register $1: $line"; break ;;
    esac
  done
  irc_close
  return $rc
}

start_inspircd() {  # 0 ok, 3 a listener failed to bind
  local root=()
  [ "$(id -u)" = 0 ] && root=(--runasroot)
  : > "$WORKDIR/inspircd/stdout.log"
  launch "$WORKDIR/inspircd/stdout.log" "$WORKDIR/inspircd" \
    "$INSPIRCD_BIN" --config "$WORKDIR/inspircd/inspircd.conf" --nofork "${root[@]}"
  INSPIRCD_PID=$LAUNCH_PID
  until grep -q 'InspIRCd is now running' "$WORKDIR/inspircd/stdout.log"; do
    alive "$INSPIRCD_PID" || died inspircd "$INSPIRCD_PID"
    [ $SECONDS -lt $DEADLINE ] || fail "inspircd did not start in ${READY_TIMEOUT}s"
    sleep 0.05
  done
  if grep -q 'failed to bind' "$WORKDIR/inspircd/stdout.log"; then
    say "$(grep -A4 'failed to bind' "$WORKDIR/inspircd/stdout.log")"
    halt_pid "$INSPIRCD_PID" || true
    INSPIRCD_PID=
    return 3
  fi
}

start_atheme() {
  launch "$WORKDIR/atheme/stdout.log" "$WORKDIR/atheme" \
    "$ATHEME_BIN" -n -c "$WORKDIR/atheme/atheme.conf" -D "$WORKDIR/atheme" \
    -l "$WORKDIR/atheme/atheme.log" -p "$WORKDIR/atheme/atheme.pid"
  ATHEME_PID=$LAUNCH_PID
}

wait_linked() {  # N: Atheme has synched N times and the probe succeeds
  local p n
  while :; do
    for p in $INSPIRCD_PID $ATHEME_PID; do
      alive "$p" || died "a daemon" "$p" "before the network was ready"
    done
    n=$(grep -c 'finished synching with uplink' "$WORKDIR/atheme/atheme.log" 2>/dev/null || true)
    if [ "${n:-0}" -ge "$1" ] && ready_probe; then return 0; fi
    [ $SECONDS -lt $DEADLINE ] || fail "services not linked within ${READY_TIMEOUT}s"
    sleep 0.1
  done
}

save_env() {
  local secs
  secs=$(awk -v a="$T0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  {
    printf 'TESTNET_DIR=%s\n' "$WORKDIR"
    printf 'IRC_HOST=127.0.0.1\n'
    printf 'IRC_PORT=%s\n' "$IRC_PORT"
    printf 'IRC_TLS_PORT=%s\n' "$IRC_TLS_PORT"
    printf 'IRC_LINK_PORT=%s\n' "$IRC_LINK_PORT"
    printf 'IRC_SERVER_NAME=%s\n' "$IRC_SERVER_NAME"
    printf 'SERVICES_NAME=%s\n' "$SERVICES_NAME"
    printf 'TLS_CERT=%s\n' "$TLS_CERT"
    printf 'INSPIRCD_PID=%s\n' "$INSPIRCD_PID"
    printf 'ATHEME_PID=%s\n' "$ATHEME_PID"
    printf 'READY_SECONDS=%s\n' "$secs"
  } > "$WORKDIR/testnet.env.tmp"
  mv "$WORKDIR/testnet.env.tmp" "$WORKDIR/testnet.env"
  cat "$WORKDIR/testnet.env"
}

DEADLINE=$((SECONDS + READY_TIMEOUT))

# ---------------------------------------------------------------- restart-ircd
if [ "$CMD" = restart-ircd ]; then
  [ -f "$WORKDIR/testnet.env" ] || { say "no testnet.env in $WORKDIR"; exit 2; }
  IRC_PORT=$(env_value IRC_PORT) IRC_TLS_PORT=$(env_value IRC_TLS_PORT)
  IRC_LINK_PORT=$(env_value IRC_LINK_PORT) TLS_CERT=$(env_value TLS_CERT)
  ATHEME_PID=$(env_value ATHEME_PID)
  alive "$ATHEME_PID" ||
    { say "Atheme (pid $ATHEME_PID) is not running"; exit 1; }
  halt_pid "$(env_value INSPIRCD_PID)" || true
  synced=$(grep -c 'finished synching with uplink' "$WORKDIR/atheme/atheme.log" || true)
  sleep "${ARG3:-0}"
  T0=$(date +%s%N) DEADLINE=$((SECONDS + READY_TIMEOUT)) KEEP_ATHEME=yes
  rc=0; start_inspircd || rc=$?
  [ $rc -eq 0 ] || fail "could not bind the same ports again"
  wait_linked $((synced + 1))
  save_env
  exit 0
fi

# ----------------------------------------------------------------------- start
[ -f "$WORKDIR/testnet.env" ] && bash "$HERE/services-net.sh" stop "$WORKDIR" >&2 || true

TLS=no
case $TLS_MODE in
  no) ;;
  yes|auto)
    if [ -f "$GNUTLS_MODULE" ] && command -v openssl >/dev/null 2>&1; then
      TLS=yes
    elif [ "$TLS_MODE" = yes ]; then
      say "TLS wanted but $GNUTLS_MODULE or the openssl CLI is missing"; exit 2
    fi ;;
  *) say "TESTNET_TLS must be auto, yes or no"; exit 2 ;;
esac
case $STS in
  0|'') STS=0 ;;
  1) [ "$TLS" = yes ] || { say "TESTNET_STS=1 needs TLS"; exit 2; } ;;
  *) say "TESTNET_STS must be 0 or 1"; exit 2 ;;
esac

mkdir -p "$WORKDIR/inspircd" "$WORKDIR/atheme" "$WORKDIR/tls"
TLS_CERT=
if [ "$TLS" = yes ]; then
  TLS_CERT=$WORKDIR/tls/cert.pem
  if [ ! -s "$TLS_CERT" ] || [ ! -s "$WORKDIR/tls/key.pem" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
      -nodes -keyout "$WORKDIR/tls/key.pem" -out "$TLS_CERT" -days 30 \
      -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -addext "keyUsage=critical,digitalSignature,keyCertSign" >/dev/null 2>&1 \
      || { say "openssl could not make a certificate"; exit 2; }
  fi
fi
echo "outagebot test network ($NETWORK_NAME)." > "$WORKDIR/inspircd/motd.txt"

secret() { od -An -N8 -tx8 /dev/urandom | tr -d ' \n'; }
LINK_SEND_PASS=$(secret)
LINK_RECV_PASS=$(secret)

BASE=${ARG3:-auto}
attempts=1
[ "$BASE" = auto ] && attempts=5
for attempt in $(seq 1 $attempts); do
  if [ "$BASE" = auto ]; then
    base=$(choose_base) || { say "no three free consecutive ports in 20000-29999"; exit 1; }
  else
    case $BASE in ''|*[!0-9]*) usage ;; esac
    base=$BASE
    three_free "$base" || { say "port $base..$((base + 2)) in use"; exit 1; }
  fi
  IRC_PORT=$base
  IRC_LINK_PORT=$((base + 2))
  IRC_TLS_PORT=
  [ "$TLS" = yes ] && IRC_TLS_PORT=$((base + 1))
  fill_template "$HERE/inspircd.conf.tmpl" "$WORKDIR/inspircd/inspircd.conf"
  fill_template "$HERE/atheme.conf.tmpl" "$WORKDIR/atheme/atheme.conf"
  rc=0; start_inspircd || rc=$?
  [ $rc -eq 0 ] && break
  [ "$attempt" -lt "$attempts" ] || fail "could not bind ports"
done

: > "$WORKDIR/atheme/atheme.log"
start_atheme
wait_linked 1

if [ -n "$ACCOUNTS" ]; then
  pids=()
  for pair in $ACCOUNTS; do
    name=${pair%%:*} pass=${pair#*:}
    [ -n "$name" ] && [ -n "$pass" ] && [ "$name" != "$pair" ] \
      || fail "TESTNET_ACCOUNTS entries are NAME:PASSWORD, not: $pair"
    register "$name" "$pass" & pids+=($!)
  done
  for p in "${pids[@]}"; do
    wait "$p" || fail "account registration failed"
  done
fi

save_env
