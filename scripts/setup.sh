#!/usr/bin/env bash
# Idempotent set-up: a virtualenv in .venv with hotspots and (with --test) its test tools, pinned,
# the map's JavaScript/CSS (Leaflet, from the npm registry) and, with --test, Debian's chromium
# for the real-browser tests. Re-installs only what is missing or out of date; quiet when all is
# present. Used by `make dashboard` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
test_setup=false
[ "${1:-}" = "--test" ] && test_setup=true
extra=""
$test_setup && extra="[test]"
py=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$py" -m venv .venv
# Every package at the version the tests passed with (requirements/constraints.txt; `make
# upgrade` re-resolves it); re-installed when pyproject.toml or the constraints change.
constraints=requirements/constraints.txt
stamp=".venv/.installed$extra"
want=$(cat pyproject.toml "$constraints" | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c "$constraints" -e ".$extra"
  echo "$want" > "$stamp"
fi
# The package's bytecode, so that a start never compiles the package from source (0.2 s of CPU
# before the first map) where Python cannot write the bytecode itself: a checkout the server's
# user may not write, or PYTHONDONTWRITEBYTECODE set. Only missing or stale files are compiled
# (0.07 s when none); a checkout this user cannot write is left as it is.
.venv/bin/python -m compileall -qq hotspots || true

# Map assets: the dashboard and the exported maps must not load Leaflet from a CDN (council
# networks block them). Leaflet's release tarball comes from the npm registry, checked against
# a pinned SHA-512, and is unpacked outside git into .venv/share/hotspots/map-assets, where
# hotspots.views.maps.map_assets_dir() finds it. Keep the version in step with maps.LEAFLET_VERSION.
leaflet_version="1.9.4"
leaflet_sha512="nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
assets=".venv/share/hotspots/map-assets"
if [ "$(cat "$assets/leaflet/VERSION" 2>/dev/null)" != "$leaflet_version" ]; then
  if ! command -v npm >/dev/null; then
    echo "setup: npm is needed once to fetch Leaflet $leaflet_version for the maps;" \
      "install Node.js and npm (Debian: apt-get install -y npm) and run this again" >&2
    exit 1
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "leaflet@$leaflet_version" >/dev/null)
  got=$(.venv/bin/python -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' \
    "$tmp/leaflet-$leaflet_version.tgz")
  if [ "$got" != "$leaflet_sha512" ]; then
    echo "setup: leaflet-$leaflet_version.tgz has SHA-512 $got, expected $leaflet_sha512" >&2
    exit 1
  fi
  tar -xzf "$tmp/leaflet-$leaflet_version.tgz" -C "$tmp"
  rm -rf "$assets/leaflet"
  mkdir -p "$assets/leaflet/images"
  cp "$tmp/package/dist/leaflet.js" "$tmp/package/dist/leaflet.css" "$tmp/package/LICENSE" \
    "$assets/leaflet/"
  cp "$tmp/package/dist/images/"*.png "$assets/leaflet/images/"
  echo "$leaflet_version" > "$assets/leaflet/VERSION"
fi

# Debian packages the tests need, installed when missing: as root, or through passwordless sudo;
# otherwise the script says what to run.
apt_install() {  # PACKAGE WHAT-FOR
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "setup: $2 need Debian's $1; run as root: apt-get update && apt-get install -y $1" >&2
      exit 1
    fi
  fi
  echo "setup: installing Debian's $1 for $2" >&2
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

# Real-browser tests drive Debian's chromium through Playwright (never a downloaded browser).
if $test_setup && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium "the browser tests"
fi

# --- PostgreSQL for the store tests (hotspots.store) -------------------------------------------
# tests/test_store.py runs every store test on SQLite and on a throwaway PostgreSQL server it
# starts itself (initdb + pg_ctl on a free port of 127.0.0.1, as the postgres user when run as
# root). It needs Debian's server binaries (/usr/lib/postgresql/<version>/bin); the psycopg
# driver comes from pyproject.toml. Councils point the app at their own server with
# HOTSPOTS_DB_URL (README.md, "Using your own PostgreSQL").
if $test_setup && ! command -v initdb >/dev/null \
  && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  apt_install postgresql "the store tests"
fi
# --- end of the PostgreSQL block ---------------------------------------------------------------
