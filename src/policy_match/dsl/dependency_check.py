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
from policy_match.dsl.suggest import did_you_mean


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
        report.error(Code.CYCLE, f"defines form a cycle: {path}", decls[first].name.span,
                     "a define cannot depend on itself; break the cycle",
                     tuple(Related(decls[n].name.span, f"{n} is on the cycle")
                           for n in cycle[1:]))
    acyclic = graph.subgraph([n for n in written if n not in on_cycle])
    order = reversed(list(nx.lexicographical_topological_sort(
        acyclic, key=lambda n: -position[n])))
    return DefineOrder(tuple(order), frozenset(on_cycle))


def _walk(node: Any) -> Iterator[Any]:
    """Every AST node under ``node`` (itself included), depth first."""
    yield node
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            if f.name == "span":
                continue
            yield from _walk(getattr(node, f.name))
    elif isinstance(node, tuple):
        for item in node:
            yield from _walk(item)


def _referenced_names(expr: ast.Expr) -> Iterator[ast.Name]:
    for node in _walk(expr):
        if isinstance(node, ast.Call):
            continue
        if isinstance(node, ast.Name):
            yield node


def check_relations(policies: Mapping[str, ir.Policy], id_spans: Mapping[str, Span],
                    report: Reporter) -> None:
    """前置事项 / 排除事项 between items: known ids, no cycle of requirements, and no item
    that requires (directly or through others) an item it excludes."""
    requires = _requirements(policies, id_spans, report)
    for component in nx.strongly_connected_components(requires):
        if len(component) > 1:
            first = min(component)
            cycle = [u for u, _ in nx.find_cycle(requires.subgraph(component), source=first)]
            report.error(Code.CYCLE, "前置事项 form a cycle: " + " → ".join([*cycle, cycle[0]]),
                         id_spans[first], "an item cannot require itself, even indirectly")
    for pid, policy in policies.items():
        needed = nx.descendants(requires, pid) | {pid}
        for other in policy.excludes:
            if other in needed:
                report.error(Code.FIELD, f'policy "{pid}" both requires and excludes "{other}"',
                             id_spans[pid], "no enterprise could ever hold it")
        for other in needed - {pid}:
            clash = set(policies[other].excludes) & needed if other in policies else set()
            for excluded in sorted(clash):
                report.error(Code.FIELD, f'policy "{pid}" requires "{other}", which excludes '
                             f'"{excluded}", also required', id_spans[pid],
                             "no enterprise could ever hold it")


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
                report.error(Code.FIELD, f'"{other}" named by policy "{pid}" is no policy',
                             span, did_you_mean(other, id_spans))
        for other in policy.requires:
            if other == pid:
                report.error(Code.CYCLE, f'policy "{pid}" requires itself', span)
            elif other in policies:
                requires.add_edge(pid, other)
    return requires
