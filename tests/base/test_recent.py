"""The bounded mapping of caches a caller can fill: the last keys asked for, no more."""

from __future__ import annotations

from policy_match.base.recent import Recent


def test_keeps_the_keys_asked_for_last_and_makes_each_once_while_kept() -> None:
    made: list[int] = []

    def make(key: int) -> str:
        made.append(key)
        return f"v{key}"

    recent: Recent[int, str] = Recent(3)
    assert [recent.get_or_make(k, make) for k in (1, 2, 3)] == ["v1", "v2", "v3"]
    assert recent.get_or_make(1, make) == "v1"  # kept: not made again, now the most recent
    assert made == [1, 2, 3]
    recent.get_or_make(4, make)  # 2 is now the least recent: it goes
    assert recent.keys() == [3, 1, 4]
    assert len(recent) == 3
    recent.get_or_make(2, make)
    assert made == [1, 2, 3, 4, 2]
    assert recent.keys() == [1, 4, 2]
