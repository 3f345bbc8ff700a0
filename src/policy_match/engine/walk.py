"""Walking the DAG without recursion: each node once, children before parents.

The DAG can be deep (a chain of a thousand defines, each using the last) and wide through
sharing (a define used twice by the next, and so on: a tree exponentially larger than the
DAG). Walks here use an explicit stack and visit each node once (by identity), so their
cost is linear in the DAG and their depth on Python's stack is constant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# How deep a backend may recurse (nodes on Python's stack) before it evaluates what is
# below a node in post order instead: normal rulebooks never reach it.
DEEP = 40


def post_order(root: Any, successors: Callable[[Any], Iterable[Any]],
               done: Callable[[Any], bool] | None = None) -> list[Any]:
    """The nodes under ``root`` (``root`` last) not yet ``done``, each once, every node
    after its successors — the order a recursive depth-first walk would finish them in."""
    out: list[Any] = []
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            out.append(node)
            continue
        key = id(node)
        if key in seen or (done is not None and done(node)):
            continue
        seen.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(tuple(successors(node))))
    return out


def pre_order(roots: Iterable[Any], successors: Callable[[Any], Iterable[Any]]) -> list[Any]:
    """The nodes under ``roots``, each once, in the order a recursive depth-first walk would
    first reach them (a node before its successors)."""
    out: list[Any] = []
    seen: set[int] = set()
    stack = list(reversed(tuple(roots)))
    while stack:
        node = stack.pop()
        key = id(node)
        if key in seen:
            continue
        seen.add(key)
        out.append(node)
        stack.extend(reversed(tuple(successors(node))))
    return out
