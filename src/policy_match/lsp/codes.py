"""The codes one level below a code, with their names, for completion.

A hierarchy plug-in answers ``lookup``, ``label`` and ``path`` (``dsl.vocabulary.Hierarchy``)
but need not list its codes. When it offers ``children(code)`` that is used; otherwise the
next level is found by asking ``lookup`` about the code followed by one, two or three more
characters and keeping the canonical answers whose parent is the code — at most 1,110
questions, answered once per hierarchy and code.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, cast

from policy_match.dsl.vocabulary import Hierarchy

UNNAMED_LIMIT = 100  # list codes without names only when the level is this small
_DIGITS = string.digits
_TOP = [*string.ascii_uppercase, *(a + b for a in _DIGITS for b in _DIGITS)]


def _extensions(parent: str) -> Iterable[str]:
    for width in (1, 2, 3):
        for n in range(10**width):
            yield f"{parent}{n:0{width}d}"


def _canonical(hierarchy: Hierarchy, text: str) -> str | None:
    try:
        return hierarchy.lookup(text).code
    except (ValueError, KeyError):
        return None


def _probe(hierarchy: Hierarchy, parent: str | None) -> list[str]:
    found: list[str] = []
    for candidate in _TOP if parent is None else _extensions(parent):
        if _canonical(hierarchy, candidate) != candidate:
            continue
        ancestors = hierarchy.path(candidate)
        if (len(ancestors) == 1) if parent is None else (ancestors[-2:-1] == (parent,)):
            found.append(candidate)
    return found


@cache
def _children_cached(hierarchy: Any, parent: str | None) -> tuple[tuple[str, str], ...]:
    # ``Any``: a hierarchy is hashed by identity (each is one registered object)
    listed = getattr(hierarchy, "children", None)
    if callable(listed):
        codes = list(cast(Callable[[str | None], Iterable[str]], listed)(parent))
    else:
        codes = _probe(hierarchy, parent)
    named = [(c, hierarchy.label(c) or "") for c in codes]
    with_names = [(c, n) for c, n in named if n]
    if with_names or len(named) > UNNAMED_LIMIT:
        return tuple(with_names)
    return tuple(named)


def children(hierarchy: Hierarchy, parent: str | None) -> list[tuple[str, str]]:
    """``(code, name)`` of each code directly inside ``parent`` (the top level for None);
    the name is "" where the hierarchy knows none."""
    return list(_children_cached(cast(Any, hierarchy), parent))


def nearest_parent(hierarchy: Hierarchy, typed: str) -> str | None:
    """The longest start of ``typed`` that is a code: what the author is typing inside.
    ``"C39"`` → ``"C39"``, ``"C3"`` → ``"C"``, ``""`` → None (the top level)."""
    for end in range(len(typed), 0, -1):
        code = _canonical(hierarchy, typed[:end])
        if code is not None:
            return code
    return None
