#!/usr/bin/env bash
# Set incidentmap up on a fresh machine, then serve it or test it.
#
#   ./dev.sh serve [serve options]   set up, then serve http://127.0.0.1:5000 with the sample data
#   ./dev.sh test  [pytest options]  set up with the test tools, then run the whole test suite
#
# Needs only Python 3.11+, git and (for the system packages) root's apt-get.
set -euo pipefail
cd "$(dirname "$0")"
VENV="${INCIDENTMAP_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

say() { printf '[dev.sh] %s\n' "$*" >&2; }

apt_install() {
  # Debian packages; without root we say what is missing and go on
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian packages: $*"
    if [ ! -f /tmp/.incidentmap-apt-updated ]; then
      apt-get update -qq >/dev/null && touch /tmp/.incidentmap-apt-updated
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    say "warning: cannot install $* (not root or no apt-get); tests that need them will be skipped"
  fi
}

make_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
      apt_install python3-venv
      "$PYTHON" -m venv "$VENV"
    fi
  fi
}

pip_install() {
  local extras="$1" stamp="$VENV/.incidentmap-$1"
  local want; want="$(cat pyproject.toml | sha256sum | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  say "installing incidentmap and its Python packages ($extras)"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  if [ "$extras" = "test" ]; then
    "$VENV/bin/python" -m pip install -q -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
  else
    "$VENV/bin/python" -m pip install -q -e . 2>&1 | grep -v "^WARNING: Location" || true
  fi
  "$VENV/bin/python" -c "import geo.cli, webapp" # fail loudly if the install did not work
  echo "$want" > "$stamp"
}

case "${1:-}" in
  serve)
    shift
    make_venv
    pip_install run
    exec "$VENV/bin/incidentmap" serve "$@"
    ;;
  test)
    shift
    # GDAL's ogrinfo is the real OGC API client the tests drive; Debian's chromium the real browser
    missing=()
    command -v ogrinfo >/dev/null || missing+=(gdal-bin)
    command -v chromium >/dev/null || missing+=(chromium)
    # PostgreSQL + PostGIS: the tests start a throwaway cluster to run the store tests on PostGIS too
    [ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
    [ -f /usr/share/postgresql/15/extension/postgis.control ] || missing+=(postgresql-15-postgis-3)
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
    make_venv
    pip_install test
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
