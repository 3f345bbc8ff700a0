"""A serving process collects only young objects on its own, with what it loaded frozen;
a reload collects the rest."""

from __future__ import annotations

import gc
import shutil
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from policy_match.server.app import GC_THRESHOLDS, tune_collector
from policy_match.server.state import Service, Snapshot
from policy_match.tools.demo import bundled_rules


@pytest.fixture
def collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_tune_collector_freezes_what_is_loaded_and_collects_only_the_young(collector: None) -> None:
    loaded = [{"record": i} for i in range(1000)]  # stands for the loaded rulebook
    assert gc.get_threshold() != GC_THRESHOLDS
    tune_collector()
    assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_freeze_count() >= len(loaded)
    assert not any(gc.is_tracked(x) and x in gc.get_objects(0) for x in loaded[:3])


def test_a_reload_collects_the_rulebook_the_previous_one_replaced(
        collector: None, tmp_path: Path) -> None:
    # the tuned collector never runs a full collection by itself: a snapshot caught in a
    # cycle (here, its cache holding the snapshot) is freed by the next reload
    rules = tmp_path / "rules"
    shutil.copytree(bundled_rules(), rules)
    tune_collector()  # before loading, so that this snapshot is not frozen
    gc.disable()
    service = Service(rules)
    try:
        gone = weakref.ref(_in_a_cycle(service.snapshot).book)
        assert service.reload()  # the first snapshot is replaced, still in its cycle
        assert gone() is not None
        assert service.reload()  # and collected here
        assert gone() is None
    finally:
        gc.enable()


def _in_a_cycle(snapshot: Snapshot) -> Snapshot:
    """``snapshot``, holding itself through its cache: refcounts alone never free it."""
    holder: list[Snapshot] = [snapshot]
    snapshot.cached("self", lambda: holder)
    return snapshot
