#!/bin/sh
# Creates .venv (if needed) and installs policy_match with its test tools, editable, plus the
# example third-party plug-in the tests load through its entry point. Idempotent.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
.venv/bin/python -m pip install --quiet --disable-pip-version-check ./tests/fixtures/example_plugin
