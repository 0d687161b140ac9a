#!/usr/bin/env bash
# deps.sh — install the Debian packages outagebot needs to build and test,
# only those that are missing (pkg-config / command -v / dpkg say so).
set -euo pipefail

need=()
pc() { pkg-config --exists "$1" 2>/dev/null || need+=("$2"); }
cmd() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed' || need+=("$1"); }

cmd cc gcc
cmd make make
cmd pkg-config pkg-config
pc openssl libssl-dev
pc libcurl libcurl4-openssl-dev
pc jansson libjansson-dev
pc sqlite3 libsqlite3-dev
pc libconfig libconfig-dev
pc yaml-0.1 libyaml-dev
pc libidn libidn-dev
pc libpq libpq-dev
pc cmocka libcmocka-dev
cmd python3 python3
cmd openssl openssl
cmd ngircd ngircd
[ -x /usr/sbin/inspircd ] || need+=(inspircd)
[ -x /usr/bin/atheme-services ] || need+=(atheme-services)
pkg faketime
pkg postgresql
cmd clang clang
pkg libclang-rt-14-dev

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${need[*]}" >&2
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
