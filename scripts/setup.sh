#!/usr/bin/env bash
# Idempotent set-up: a virtualenv in .venv with hotspots and (with --test) its test tools.
# Re-installs only when pyproject.toml changes. Used by `make dashboard` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=""
[ "${1:-}" = "--test" ] && extra="[test]"
py=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$py" -m venv .venv
stamp=".venv/.installed$extra"
want=$(sha256sum pyproject.toml | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".$extra"
  echo "$want" > "$stamp"
fi
