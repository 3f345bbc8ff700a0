"""Shared set-up of the SQL backend's tests: a real PostgreSQL server for the session, the
random-rulebook generator of ``tests/engine/oracle.py`` and the server fixture module."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[2]
for folder in (TESTS / "engine", TESTS / "fixtures"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from postgres import postgres_server  # noqa: E402


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server started for this test session (initdb in a temp folder)."""
    with postgres_server() as url:
        yield url
