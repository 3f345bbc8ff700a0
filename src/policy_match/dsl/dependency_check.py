"""The graphs between declarations: defines that use defines (§6) and policies that require
or exclude other policies (前置事项 / 排除事项, §8).

A define is checked after those it uses, so the order is decided here, before any
expression is typed; a cycle is reported once, on the first define written on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from policy_match.dsl import ast, ir
from policy_match.dsl.diagnostics import Code, Related
from policy_match.dsl.reporter import Reporter
from policy_match.dsl.span import Span
from policy_match.dsl.words import Words


@dataclass(frozen=True)
class DefineOrder:
    order: tuple[str, ...]  # defines off every cycle, each after the defines it uses
    on_cycle: frozenset[str]


def define_order(decls: Mapping[str, ast.DefineDecl], report: Reporter) -> DefineOrder:
    """Dependency order of ``decls`` (ties kept in source order); cycles are reported."""
    graph = nx.DiGraph()
    written = list(decls)
    graph.add_nodes_from(written)
    for name, decl in decls.items():
        for ref in _referenced_names(decl.expr):
            if ref.name in decls:
                graph.add_edge(name, ref.name)
    position = {n: i for i, n in enumerate(written)}
    on_cycle: set[str] = set()
    for component in nx.strongly_connected_components(graph):
        first = min(component, key=position.__getitem__)
        if len(component) == 1 and not graph.has_edge(first, first):
            continue
        cycle = [u for u, _ in nx.find_cycle(graph.subgraph(component), source=first)]
        on_cycle |= component
        path = " → ".join([*cycle, cycle[0]])
        report.error(Code.CYCLE, Words("check.define_cycle", path=path),
                     decls[first].name.span, Words("hint.break_cycle"),
                     tuple(Related(decls[n].name.span, Words("note.on_cycle", name=n))
                           for n in cycle[1:]))
    acyclic = graph.subgraph([n for n in written if n not in on_cycle])
    order = reversed(list(nx.lexicographical_topological_sort(
        acyclic, key=lambda n: -position[n])))
    return DefineOrder(tuple(order), frozenset(on_cycle))


def _walk(node: Any) -> Iterator[Any]:
    """Every AST node under ``node`` (itself included), depth first, without recursion (a
    define may be nested deeper than Python's stack)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(reversed(item))
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            yield item
            stack.extend(getattr(item, f.name) for f in reversed(dataclasses.fields(item))
                         if f.name != "span")


def _referenced_names(expr: ast.Expr) -> Iterator[ast.Name]:
    for node in _walk(expr):
        if isinstance(node, ast.Call):
            continue
        if isinstance(node, ast.Name):
            yield node


def check_relations(policies: Mapping[str, ir.Policy], id_spans: Mapping[str, Span],
                    report: Reporter) -> None:
    """前置事项 / 排除事项 between items: known ids, no cycle of requirements, and no item
    that requires (directly or through others) an item it excludes.

    What each item needs (itself and everything it requires, transitively) and what those
    exclude are computed once over the condensation of the requirement graph, as bitsets,
    so the cost is that of the graph, not of one search per item."""
    requires = _requirements(policies, id_spans, report)
    components = list(nx.strongly_connected_components(requires))
    for component in components:
        if len(component) > 1:
            first = min(component)
            cycle = [u for u, _ in nx.find_cycle(requires.subgraph(component), source=first)]
            report.error(Code.CYCLE, Words("check.requires_cycle",
                                           path=" → ".join([*cycle, cycle[0]])),
                         id_spans[first], Words("hint.requires_itself"))
    needs, bit = _closure(policies, requires, components)
    excluders = sorted(p for p, policy in policies.items() if policy.excludes)
    for pid, policy in policies.items():
        needed, excluded = needs[pid]
        if not excluded & needed:
            continue  # the usual case: nothing it needs is excluded by anything it needs
        for other in policy.excludes:
            if needed & bit.get(other, 0):
                report.error(Code.FIELD, Words("check.requires_and_excludes", policy=pid,
                                               other=other),
                             id_spans[pid], Words("hint.never_held"))
        for other in excluders:
            if other == pid or not needed & bit[other]:
                continue
            for clash in sorted({x for x in policies[other].excludes if needed & bit.get(x, 0)}):
                report.error(Code.FIELD, Words("check.requires_excluded", policy=pid,
                                               other=other, clash=clash), id_spans[pid],
                             Words("hint.never_held"))


def _closure(policies: Mapping[str, ir.Policy], requires: nx.DiGraph,
             components: list[set[str]]) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """For each item, (the bitset of the items it needs, itself included; the bitset of the
    items those exclude), and each item's bit. One pass over the condensation, in reverse
    topological order (an item's requirements are done before it)."""
    bit = {pid: 1 << i for i, pid in enumerate(policies)}
    dag = nx.condensation(requires, scc=components)
    needed: dict[int, int] = {}
    excluded: dict[int, int] = {}
    for node in reversed(list(nx.topological_sort(dag))):
        members = dag.nodes[node]["members"]
        n_bits = x_bits = 0
        for pid in members:
            n_bits |= bit[pid]
            x_bits |= sum(bit[o] for o in set(policies[pid].excludes) if o in bit)
        for succ in dag.successors(node):
            n_bits |= needed[succ]
            x_bits |= excluded[succ]
        needed[node], excluded[node] = n_bits, x_bits
    mapping = dag.graph["mapping"]
    return {pid: (needed[mapping[pid]], excluded[mapping[pid]]) for pid in policies}, bit


def _requirements(policies: Mapping[str, ir.Policy], id_spans: Mapping[str, Span],
                  report: Reporter) -> nx.DiGraph:
    """The graph of 前置事项 between known policies; unknown ids and self-requirements are
    reported and left out."""
    requires = nx.DiGraph()
    requires.add_nodes_from(policies)
    for pid, policy in policies.items():
        span = id_spans[pid]
        for other in (*policy.requires, *policy.excludes):
            if other not in id_spans:
                report.error(Code.FIELD, Words("check.no_such_policy", policy=pid,
                                               other=other),
                             span, report.did_you_mean(other, id_spans))
        for other in policy.requires:
            if other == pid:
                report.error(Code.CYCLE, Words("check.requires_self", policy=pid), span)
            elif other in policies:
                requires.add_edge(pid, other)
    return requires
