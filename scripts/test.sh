#!/usr/bin/env bash
# The test command: install what the tests need, then run the whole suite. Extra arguments go to pytest.
# Tests that need the Docker engine, an MCP server or tmux set those up themselves (tests/support/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-test-env.sh
export PATH="$PWD/.venv/bin:$PATH"
ruff check massgen_tui tests benchmarks
set +e
python -m pytest -q -p no:cacheprovider "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "no tests were collected" >&2
  exit 1
fi
exit "$status"
