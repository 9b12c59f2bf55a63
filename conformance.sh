#!/usr/bin/env bash
# Runs every test suite and prints the scoreboard.
#
#   ./conformance.sh            all suites
#   ./conformance.sh -k reader  extra arguments go to pytest
#
# Creates (or reuses) a virtualenv in .venv (override with VENV=path), installs the
# project with its dev extra, runs pytest once over tests/, then prints one row per
# suite (one suite = one test module), writes scoreboard.json and ends with the line
# "N passed, M failed". Exits non-zero when anything failed.
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
trap 'rm -f "$junit"' EXIT
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
