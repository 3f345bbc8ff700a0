"""A mapping that keeps only the keys asked for last: for caches a caller can fill (a portal's
form may name any date), bounded by what they hold rather than by trust."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """At most ``keep`` entries; a key looked up or made becomes the most recent, and the
    least recent goes when a new one would pass the bound. Thread-safe."""

    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: K, make: Callable[[K], V]) -> V:
        """The value of ``key``, made by ``make(key)`` (outside the lock) when not kept."""
        found = self._entries.get(key)
        if found is None:
            found = make(key)
            with self._lock:
                self._entries[key] = found
                while len(self._entries) > self._keep:
                    self._entries.popitem(last=False)
        elif next(reversed(self._entries)) != key:  # (most callers ask for the same key)
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
        return found

    def keys(self) -> list[K]:
        """The keys kept, least recent first."""
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
