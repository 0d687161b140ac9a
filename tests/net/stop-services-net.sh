#!/usr/bin/env bash
# stop-services-net.sh WORKDIR — same as "services-net.sh stop WORKDIR".
exec bash "$(dirname "${BASH_SOURCE[0]}")/services-net.sh" stop "$@"
