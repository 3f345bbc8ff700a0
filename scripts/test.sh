#!/bin/sh
# The whole test suite (and the linter and the type checker), from a fresh clone.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
.venv/bin/ruff check src tests
.venv/bin/mypy
# two workers: CI has two cores, and the suite is CPU-bound
.venv/bin/python -m pytest -n 2 "$@"
