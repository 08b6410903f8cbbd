#!/usr/bin/env bash
# Make an offline base image (no registry needed) and print its tag on stdout. Cached by content tag.
#   build-base-image.sh busybox                         FROM scratch + Debian's busybox-static (< 1 s)
#   build-base-image.sh debian [--packages python3,...]  debootstrap --variant=minbase + docker import (~45 s, root)
# Installs busybox-static / debootstrap from Debian when missing (root on the test machines).
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-busybox}"
need_pkg() {
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "/bin/$1" ]; then
    echo "build-base-image: installing $2" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq "$2" >/dev/null
  fi
}
case "$kind" in
  busybox) need_pkg busybox busybox-static ;;
  debian) need_pkg debootstrap debootstrap ;;
esac
bash scripts/start-docker.sh
python="${PYTHON:-.venv/bin/python}"
[ -x "$python" ] || python=python3
exec "$python" -m massgen_tui.docker.offline_images "$@"
