"""A serving process runs the garbage collector less often, with what it loaded frozen."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from policy_match.server.app import GC_THRESHOLDS, tune_collector


@pytest.fixture
def collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_tune_collector_freezes_what_is_loaded_and_collects_less_often(collector: None) -> None:
    loaded = [{"record": i} for i in range(1000)]  # stands for the loaded rulebook
    assert gc.get_threshold() != GC_THRESHOLDS
    tune_collector()
    assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_freeze_count() >= len(loaded)
    assert not any(gc.is_tracked(x) and x in gc.get_objects(0) for x in loaded[:3])
