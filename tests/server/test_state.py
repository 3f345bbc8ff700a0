"""Snapshots and the service: versions by content, atomic swaps, failed reloads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policy_match.server.state import LoadFailed, Service, load_snapshot, rules_version
from policy_match.tools.demo import bundled_rules


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    source = bundled_rules()
    assert source is not None
    target = tmp_path / "rules"
    shutil.copytree(source, target)
    return target


def test_version_follows_the_text_not_the_place(rules: Path, tmp_path: Path) -> None:
    first = load_snapshot(rules, None)
    other = tmp_path / "elsewhere"
    shutil.copytree(rules, other)
    assert load_snapshot(other, None).version == first.version
    assert rules_version({"a.rule": "x"}) != rules_version({"a.rule": "y"})


def test_poll_swaps_only_on_change_and_keeps_old_on_errors(rules: Path) -> None:
    service = Service(rules, poll_seconds=60)
    first = service.snapshot
    assert service.poll() is None and service.snapshot is first  # nothing changed
    (rules / "zz.rule").write_text('policy "X" {\n  name: "x"\n  eligible: 没有 > 1\n}\n',
                                   encoding="utf-8")
    assert service.poll() is False
    assert service.snapshot.book is first.book and service.snapshot.errors
    assert service.snapshot.version == first.version
    (rules / "zz.rule").unlink()
    assert service.poll() is True
    assert not service.snapshot.errors and service.snapshot.book is not first.book
    assert service.snapshot.version == first.version  # the same texts again


def test_a_broken_rulebook_does_not_start(rules: Path) -> None:
    (rules / "zz.rule").write_text("policy {", encoding="utf-8")
    with pytest.raises(LoadFailed) as failed:
        Service(rules)
    assert failed.value.diagnostics


def test_snapshot_cache_makes_each_value_once(rules: Path) -> None:
    snapshot = load_snapshot(rules, None)
    calls: list[int] = []
    for _ in range(3):
        assert snapshot.cached("k", lambda: calls.append(1) or 42) == 42
    assert calls == [1]


def test_a_cached_value_may_ask_for_another(rules: Path) -> None:
    """The outbox is made under the cache's lock and asks for the day's match: the lock is
    re-entrant (a plain lock hung the staff outbox when the match was not made yet)."""
    import threading

    snapshot = load_snapshot(rules, None)
    got: list[object] = []
    worker = threading.Thread(target=lambda: got.append(
        snapshot.cached("outer", lambda: ("outer", snapshot.cached("inner", lambda: 1)))),
        daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert got == [("outer", 1)] and snapshot.cache["inner"] == 1
