"""The item graph of a benefit computation: which items conflict (互斥组, 排除事项), which
require which (前置事项), the order requirements are checked in, and the components the
three relations link (an enterprise's resolution in one component never depends on another).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from policy_match.dsl.ir import Policy


@dataclass(frozen=True)
class ItemGraph:
    conflicts: dict[str, set[str]]  # symmetric: a shared 互斥组, or 排除事项 either way
    requires: dict[str, list[str]]  # the 前置事项 among the items taking part
    order: list[str]  # every item after the items it requires; ties to the lower id
    components: list[list[str]]  # each in item order; ordered by their first item
    component_of: dict[str, int]


def item_graph(policies: Mapping[str, Policy], items: list[str]) -> ItemGraph:
    """The graph of ``items`` (sorted ids: the items in force that take part)."""
    index = {pid: k for k, pid in enumerate(items)}
    conflicts = _conflicts(policies, items)
    requires = {pid: [r for r in policies[pid].requires if r in index] for pid in items}
    needs = {(r, pid) for pid in items for r in requires[pid]}
    order = _lexicographic_order(items, needs)
    linked = needs | {(a, b) for a in items for b in conflicts[a]}
    components = sorted((sorted(c, key=index.__getitem__)
                         for c in _connected_components(items, linked)),
                        key=lambda c: index[c[0]])
    component_of = {pid: k for k, c in enumerate(components) for pid in c}
    return ItemGraph(conflicts, requires, order, components, component_of)


def _conflicts(policies: Mapping[str, Policy], items: list[str]) -> dict[str, set[str]]:
    conflicts: dict[str, set[str]] = {pid: set() for pid in items}
    groups: dict[str, list[str]] = {}
    for pid in items:
        group = policies[pid].group
        if group is not None:
            groups.setdefault(group, []).append(pid)
    for members in groups.values():
        for a in members:
            conflicts[a] |= set(members) - {a}
    for pid in items:
        for other in policies[pid].excludes:
            if other in conflicts and other != pid:
                conflicts[pid].add(other)
                conflicts[other].add(pid)
    return conflicts


def _lexicographic_order(nodes: list[str], edges: Iterable[tuple[str, str]]) -> list[str]:
    """A topological order of ``edges`` (before, after) that takes the lowest ready node
    first; the checker rejects cyclic 前置事项, so a cycle here is a bug."""
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return list(nx.lexicographical_topological_sort(graph))


def _connected_components(nodes: list[str], edges: Iterable[tuple[str, str]]
                          ) -> list[set[str]]:
    """The components of the undirected graph of ``edges``."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return [set(c) for c in nx.connected_components(graph)]
