#!/usr/bin/env bash
# Install what the tests need on a fresh Debian machine: system packages, the project's virtual
# environment with its test extras, and the published MCP servers the tests talk to, each in an
# environment of its own (some published servers break under the mcp version this project uses).
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
cache="$root/.cache"
mkdir -p "$cache"

need_apt=()
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
[ -x /bin/busybox ] || dpkg -s busybox-static >/dev/null 2>&1 || need_apt+=(busybox-static)
command -v debootstrap >/dev/null 2>&1 || need_apt+=(debootstrap)
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if ((${#need_apt[@]})); then
  echo "setup: apt-get install ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing massgen-tui with its test extras into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c "import massgen_tui, textual, mcp, docker, aiosqlite" 
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Published MCP servers, each in its own environment.
servers="$cache/mcp-servers"
mkdir -p "$servers"
if [ ! -x "$servers/git/bin/mcp-server-git" ]; then
  echo "setup: installing mcp-server-git into $servers/git" >&2
  python3 -m venv "$servers/git"
  "$servers/git/bin/pip" install -q mcp-server-git 2>&1 | grep -v '^WARNING: Location' || true
fi
if [ ! -f "$servers/node/node_modules/@modelcontextprotocol/server-filesystem/package.json" ]; then
  echo "setup: installing @modelcontextprotocol/server-filesystem into $servers/node" >&2
  mkdir -p "$servers/node"
  (cd "$servers/node" && npm install --silent --no-audit --no-fund @modelcontextprotocol/server-filesystem >/dev/null)
fi
