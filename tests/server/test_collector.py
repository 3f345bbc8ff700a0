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


@pytest.mark.parametrize("explain", [False, True])
def test_a_check_leaves_nothing_for_the_collector(explain: bool) -> None:
    """Everything a check makes is freed by reference counts when it returns: left in a
    cycle, a check's evaluator, memo and explainer would pile up until a collection, and
    each collection of a busy worker would scan them (0.8 ms apiece, measured)."""
    import datetime as dt

    from policy_match.server.checking import check_json
    from policy_match.server.state import load_snapshot
    from policy_match.tools.generate import generate

    rules = bundled_rules()
    assert rules is not None
    snapshot = load_snapshot(rules, None)
    records = [{k: v for k, v in r.items() if v is not None} for r in generate(40, 11)]
    day = dt.date(2025, 6, 30)
    for record in records[:20]:  # the snapshot's own caches fill here
        check_json(snapshot, record, day, explain=explain)
    gc.collect()
    gc.disable()
    try:
        answers = [check_json(snapshot, record, day, explain=explain) for record in records[20:]]
        left = gc.collect()
    finally:
        gc.enable()
    assert all(answers)
    assert left == 0
