#!/bin/sh
# The main job on the bundled rulebook and data: check it (every problem, lifecycle warnings),
# check its formatting, run its worked examples, then the demo — match the 2,000-enterprise
# sample, summaries per policy and department, three enterprises explained, the 清单 and the
# 一表读懂 pages written to .demo/.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
.venv/bin/policy-match check rules/
.venv/bin/policy-match fmt --check rules/
.venv/bin/policy-match test rules/
.venv/bin/policy-match demo --out .demo
