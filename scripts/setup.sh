#!/bin/sh
# Creates .venv (if needed) and installs policy_match with its test tools, editable, plus the
# example third-party plug-in the tests load through its entry point. Idempotent.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[all,test,bench]'
.venv/bin/python -m pip install --quiet --disable-pip-version-check ./tests/fixtures/example_plugin
# Debian packages the tests start for real, installed as root (CI); a machine without root must
# install them by hand. Each line: the command (or file) that shows it is there, the package.
#   soffice      libreoffice-calc-nogui   the 清单 workbook opened as a clerk's office suite would
#   chromium     chromium, chromium-driver, fonts-noto-cjk   the portal's pages in a real browser
#   pg_ctl       postgresql               the SQL backend against a real PostgreSQL (initdb in a temp dir)
#   java         openjdk-17-jre-headless  Spark in local mode
#   wrk          wrk                      the portal benchmark's load (a C load generator)
missing=""
command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-calc-nogui"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium chromium-driver"
[ -d /usr/share/fonts/opentype/noto ] || missing="$missing fonts-noto-cjk"
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$missing postgresql"
command -v java >/dev/null 2>&1 || missing="$missing openjdk-17-jre-headless"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        # shellcheck disable=SC2086  # the list is meant to split into package names
        apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null &&
              apt-get install -y -q --no-install-recommends $missing >/dev/null; }
    else
        echo "setup: missing Debian packages; as root: apt-get install$missing" >&2
    fi
fi
