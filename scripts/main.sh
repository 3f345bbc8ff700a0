#!/bin/sh
# The main job on the bundled rulebook: check it, check that it is formatted.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
.venv/bin/policy-match check rules/
.venv/bin/policy-match fmt --check rules/
