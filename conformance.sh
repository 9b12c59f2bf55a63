#!/usr/bin/env bash
# Runs every test suite and prints the scoreboard.
#
#   ./conformance.sh            all suites
#   ./conformance.sh -k reader  extra arguments go to pytest
#
# Creates (or reuses) a virtualenv in .venv (override with VENV=path), installs the
# project with its dev extra, runs pytest once over tests/, then prints one row per
# suite (one suite = one test module), writes scoreboard.json and ends with the line
# "N passed, M failed". Exits non-zero when anything failed. The PostgreSQL suites run
# against a throwaway server started here and stopped at the end (see below); set
# COMMERCE_TEST_PG_URL to use a server of your own instead.
set -euo pipefail
cd "$(dirname "$0")"

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
fi

# Reinstall only when the project metadata changed since the last install.
stamp="$VENV/.commerce-flows-installed"
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$PY" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
    echo "$want" > "$stamp"
fi

# The console's browser test drives Debian's chromium through chromium-driver.
if [ ! -x /usr/bin/chromium ] || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "installing chromium and chromium-driver for the console's browser test" >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        echo "conformance.sh: the browser test needs chromium and chromium-driver:" \
            "run 'apt-get install chromium chromium-driver' as root" >&2
        exit 1
    fi
fi

junit=$(mktemp -t junit.XXXXXX.xml)
pgdir=""
cleanup() {
    rm -f "$junit"
    if [ -n "$pgdir" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$pgdir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP  # a signal exits through the EXIT trap too

# A throwaway PostgreSQL server for the PostgreSQL suites (tests/pgtest.py), unless the
# caller names one in $COMMERCE_TEST_PG_URL: initdb in a temporary directory (as the
# postgres system user when we are root: initdb refuses root), listening only on a Unix
# socket in that directory, stopped and removed on exit whatever happened.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
find_pgbin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}
if [ -z "${COMMERCE_TEST_PG_URL:-}" ]; then
    PGBIN=${PGBIN:-$(find_pgbin)}
    if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "conformance.sh: installing Debian's postgresql package for the PostgreSQL suites"
            apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq postgresql >/dev/null
            PGBIN=$(find_pgbin)
        fi
    fi
    if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
        echo "conformance.sh: PostgreSQL server binaries (initdb, pg_ctl) not found under" \
            "/usr/lib/postgresql/*/bin: install Debian's postgresql package (or set PGBIN," \
            "or COMMERCE_TEST_PG_URL to a server's database)" >&2
        exit 1
    fi
    pgdir=$(mktemp -d /tmp/conformance-pg.XXXXXX)
    if [ "$(id -u)" = 0 ]; then chown postgres "$pgdir"; fi
    as_pg "$PGBIN/initdb" -D "$pgdir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
        > "$pgdir/initdb.log" 2>&1 || { cat "$pgdir/initdb.log" >&2; exit 1; }
    as_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
        -o "-k $pgdir -c listen_addresses='' -c fsync=off" start >/dev/null \
        || { cat "$pgdir/server.log" >&2; exit 1; }
    as_pg "$PGBIN/createdb" -h "$pgdir" -U postgres commerce_test
    export COMMERCE_TEST_PG_URL="postgresql://postgres@/commerce_test?host=$pgdir"
fi
set +e
"$PY" -m pytest -q -p no:cacheprovider --junitxml="$junit" -o junit_family=xunit1 "$@" \
    > "${CONFORMANCE_LOG:-/dev/stdout}"
pytest_rc=$?
set -e

"$PY" tools/scoreboard.py "$junit" scoreboard.json
board_rc=$?
if [ "$pytest_rc" -ne 0 ] || [ "$board_rc" -ne 0 ]; then
    exit 1
fi
