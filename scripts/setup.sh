#!/bin/sh
# Creates .venv (if needed) and installs policy_match with its test tools, editable, plus the
# example third-party plug-in the tests load through its entry point. Idempotent.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
.venv/bin/python -m pip install --quiet --disable-pip-version-check ./tests/fixtures/example_plugin
# LibreOffice, headless: a test opens the 清单 workbook the way a clerk's office suite would.
# Debian's package, installed as root (CI); a machine without root must install it by hand.
if ! command -v soffice >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q --no-install-recommends libreoffice-calc-nogui >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null &&
              apt-get install -y -q --no-install-recommends libreoffice-calc-nogui >/dev/null; }
    else
        echo "setup: LibreOffice (soffice) is missing; as root: apt-get install libreoffice-calc-nogui" >&2
    fi
fi
