"""Every backend answers every kind of DAG node: the node kinds are read from
``engine/dag.py`` itself, so a new kind fails here until each backend has a method for it."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

from policy_match.engine import backend, dag
from policy_match.engine.atom_text import AtomDescriber, _ExpressionText
from policy_match.engine.backend import (
    ATOM_METHODS,
    CONNECTIVE_METHODS,
    NODE_KINDS,
    VALUE_METHODS,
    Backend,
    Visitor,
)
from policy_match.engine.closures import CompiledEvaluator
from policy_match.engine.columnar import ColumnarEvaluator
from policy_match.engine.explain import _Gap, _MissingTags, _OutcomeTree
from policy_match.engine.pointwise import PointEvaluator
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.engine.sql.compile import SqlCompiler

# the evaluators: every node kind, values and conditions
FULL_BACKENDS = [ScalarEvaluator, CompiledEvaluator, ColumnarEvaluator, PointEvaluator,
                 _MissingTags, SqlCompiler]
# walks over one family of nodes, and the kinds each must cover
PARTIAL_BACKENDS = [
    (_OutcomeTree, {*ATOM_METHODS, *CONNECTIVE_METHODS}),
    (_Gap, {*ATOM_METHODS, *CONNECTIVE_METHODS}),
    (AtomDescriber, set(ATOM_METHODS)),
    (_ExpressionText, set(VALUE_METHODS)),
]


def dag_node_classes() -> set[type]:
    """Every dataclass defined in engine/dag.py except the container of a whole rulebook."""
    return {obj for obj in vars(dag).values()
            if inspect.isclass(obj) and obj.__module__ == dag.__name__
            and dataclasses.is_dataclass(obj) and obj is not dag.Dag}


def all_visitor_classes() -> set[type]:
    found: set[type] = set()
    todo: list[type] = [Visitor]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_the_dispatch_tables_name_every_node_class_of_the_dag() -> None:
    classes = dag_node_classes()
    assert len(classes) == 20  # sanity: the introspection found the nodes
    assert classes == NODE_KINDS
    families = [set(VALUE_METHODS), set(ATOM_METHODS), set(CONNECTIVE_METHODS)]
    assert sum(len(f) for f in families) == len(classes)  # each kind in exactly one family


@pytest.mark.parametrize("cls", FULL_BACKENDS, ids=lambda c: c.__name__)
def test_each_evaluator_answers_every_node_class(cls: type[Backend[Any, Any]]) -> None:
    assert issubclass(cls, Backend)
    assert not inspect.isabstract(cls), sorted(cls.__abstractmethods__)
    missing = dag_node_classes() - cls.covered_kinds()
    assert not missing, sorted(k.__name__ for k in missing)


@pytest.mark.parametrize(("cls", "kinds"), PARTIAL_BACKENDS,
                         ids=lambda c: getattr(c, "__name__", ""))
def test_each_explanation_walk_answers_every_node_class_of_its_family(
        cls: type[Visitor], kinds: set[type]) -> None:
    assert not inspect.isabstract(cls), sorted(cls.__abstractmethods__)
    assert kinds <= cls.covered_kinds()


def test_every_backend_of_the_package_is_checked_here() -> None:
    """A new backend (SQL, Spark, …) must be added to the lists above, so it is checked."""
    ours = {cls for cls in all_visitor_classes()
            if cls.__module__.startswith("policy_match.") and cls.__module__ != backend.__name__}
    assert ours == set(FULL_BACKENDS) | {cls for cls, _ in PARTIAL_BACKENDS}
    for cls in ours:
        covered = cls.covered_kinds()
        # whole families only: a walk covers all of the values, atoms or connectives, or none
        for family in (VALUE_METHODS, ATOM_METHODS, CONNECTIVE_METHODS):
            assert covered >= set(family) or not covered & set(family), cls


def test_dispatch_reaches_the_method_of_each_node_kind() -> None:
    methods = {**VALUE_METHODS, **ATOM_METHODS, **CONNECTIVE_METHODS}
    recorder = type("Recorder", (Backend,), {
        name: (lambda self, node, name=name: (name, type(node))) for name in methods.values()})
    visitor = recorder()
    for kind, name in methods.items():
        node = object.__new__(kind)  # no fields needed: only the type is dispatched on
        visit = visitor.visit_value if kind in VALUE_METHODS else visitor.visit_truth
        assert visit(node) == (name, kind)


def test_a_backend_missing_one_node_kind_cannot_be_made() -> None:
    methods = {**VALUE_METHODS, **ATOM_METHODS, **CONNECTIVE_METHODS}
    for left_out in ("value_case", "member", "at_least"):
        partial = type("Partial", (Backend,), {
            name: (lambda self, node: None) for name in methods.values() if name != left_out})
        assert inspect.isabstract(partial)
        with pytest.raises(TypeError, match=left_out):
            partial()
        assert not {k for k, n in methods.items() if n == left_out} & partial.covered_kinds()


def test_a_node_kind_added_to_the_dag_without_a_method_fails_at_import(
        monkeypatch: pytest.MonkeyPatch) -> None:
    @dataclasses.dataclass(frozen=True)
    class VSquare:
        operand: dag.ValueNode

    monkeypatch.setattr(dag, "ValueNode", dag.ValueNode | VSquare)
    with pytest.raises(TypeError, match="VSquare"):
        backend._check_kinds()
