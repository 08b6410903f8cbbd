#!/usr/bin/env bash
# Start a Docker engine when none answers, and wait until it does. Idempotent; safe to call often.
# Installs docker.io from Debian when dockerd is missing (we are root on the test machines).
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "start-docker: installing docker.io" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq docker.io >/dev/null
fi
log="${MASSGEN_TUI_DOCKERD_LOG:-/tmp/massgen-tui-dockerd.log}"
echo "start-docker: starting dockerd (log: $log)" >&2
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 0.5
done
echo "start-docker: dockerd did not answer within 60 s; last lines of $log:" >&2
tail -n 20 "$log" >&2 || true
exit 1
