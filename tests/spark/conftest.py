"""One local Spark for every Spark test (``local[2]``, offline, no UI): starting a JVM costs
seconds, so the session is shared and stopped once at the end."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# the random rulebooks and records of the engine's differential tests (tests/engine/oracle.py)
ENGINE_TESTS = str(Path(__file__).resolve().parents[1] / "engine")
if ENGINE_TESTS not in sys.path:
    sys.path.insert(0, ENGINE_TESTS)


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    from policy_match.spark.session import local_session

    session = local_session(cores=2, shuffle_partitions=2, app="policy_match-tests")
    yield session
    session.stop()
