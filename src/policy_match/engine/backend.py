"""The interface every backend implements: one method per kind of DAG node.

A backend answers two questions about nodes of the predicate DAG (``engine/dag.py``):
``visit_value(node)`` for value nodes (``V…``) and ``visit_truth(node)`` for conditions. What
an answer *is* belongs to the backend — an exact value and a Kleene truth (scalar), a
column and a three-valued bitset (columnar), a compiled slot (point lookup), a piece of
explanation, and next an SQL or Spark expression.

Shape: an abstract visitor. Each node kind has one abstract method (``tag``, ``define``,
…, ``cmp``, ``member``, …, ``all``, ``any``, ``at_least``, ``case``, ``named``), so a backend
that forgets a kind cannot be instantiated, and mypy checks each method against its node
class. Dispatch is one dict lookup keyed by ``type(node)``: the tables below are the only
place that names node kinds, they are checked against ``dag``'s own unions when this module
is imported, and each backend class gets its table of (unbound) methods once, when the class
is created. Why not the alternatives:

* ``functools.singledispatchmethod`` walks the MRO and builds a bound method per call (a
  few times slower on the scalar hot path) and cannot tell that a kind was left out;
* a ``match`` statement per backend is an ``isinstance`` chain again: linear in the number
  of kinds, and nothing checks it is complete.

Backends that only read part of the DAG implement only that family: :class:`ValueBackend`
(values), :class:`AtomBackend` (atoms), :class:`ConnectiveBackend` (connectives),
:class:`ConditionBackend` (atoms and connectives), :class:`Backend` (all of them).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Generic, TypeVar, get_args

from policy_match.engine import dag

V = TypeVar("V")
T = TypeVar("T")

# ---- the node kinds, and the method that answers each ---------------------------------------

VALUE_METHODS: Mapping[type, str] = MappingProxyType({
    dag.VTag: "tag", dag.VDefine: "define", dag.VConst: "const", dag.VToday: "today",
    dag.VArith: "arith", dag.VNeg: "neg", dag.VCall: "call", dag.VCase: "value_case",
    dag.VCond: "cond_value",
})
ATOM_METHODS: Mapping[type, str] = MappingProxyType({
    dag.Cmp: "cmp", dag.Member: "member", dag.HasAtom: "has", dag.KnownAtom: "known",
    dag.Truth: "boolean",
})
CONNECTIVE_METHODS: Mapping[type, str] = MappingProxyType({
    dag.Const: "bool_const", dag.All: "all", dag.AnyNode: "any", dag.AtLeast: "at_least",
    dag.CaseCond: "case", dag.Named: "named",
})


def _check_kinds() -> None:
    """A node kind added to ``dag`` without a method here fails at import, not at run time."""
    values = set(get_args(dag.ValueNode))
    atoms = set(get_args(dag.Atom))
    connectives = set(get_args(dag.BoolNode)) - atoms
    for family, kinds, methods in (("value", values, VALUE_METHODS),
                                   ("atom", atoms, ATOM_METHODS),
                                   ("connective", connectives, CONNECTIVE_METHODS)):
        if kinds != set(methods):
            names = sorted(k.__name__ for k in kinds ^ set(methods))
            raise TypeError(f"backend.{family.upper()}_METHODS and dag disagree on {names}")


_check_kinds()
NODE_KINDS: frozenset[type] = frozenset({*VALUE_METHODS, *ATOM_METHODS, *CONNECTIVE_METHODS})

Method = Callable[[Any, Any], Any]


class Visitor(ABC):  # noqa: B024 - abstract through its families, which add the methods
    """Builds, per concrete class, the dispatch table of the families it implements."""

    _FAMILY: ClassVar[Mapping[type, str]] = MappingProxyType({})
    _table: ClassVar[dict[type, Method]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table: dict[type, Method] = {}
        for klass in cls.__mro__:
            for kind, name in vars(klass).get("_FAMILY", {}).items():
                table[kind] = getattr(cls, name)
        cls._table = table

    @classmethod
    def covered_kinds(cls) -> frozenset[type]:
        """The node kinds this backend answers (with a concrete method)."""
        return frozenset(kind for kind, method in cls._table.items()
                         if not getattr(method, "__isabstractmethod__", False))


class ValueBackend(Visitor, Generic[V]):
    _FAMILY = VALUE_METHODS

    def visit_value(self, node: dag.ValueNode) -> V:
        result: V = self._table[type(node)](self, node)
        return result

    @abstractmethod
    def tag(self, node: dag.VTag) -> V: ...

    @abstractmethod
    def define(self, node: dag.VDefine) -> V: ...

    @abstractmethod
    def const(self, node: dag.VConst) -> V: ...

    @abstractmethod
    def today(self, node: dag.VToday) -> V: ...

    @abstractmethod
    def arith(self, node: dag.VArith) -> V: ...

    @abstractmethod
    def neg(self, node: dag.VNeg) -> V: ...

    @abstractmethod
    def call(self, node: dag.VCall) -> V: ...

    @abstractmethod
    def value_case(self, node: dag.VCase) -> V: ...

    @abstractmethod
    def cond_value(self, node: dag.VCond) -> V: ...


class _ConditionVisitor(Visitor, Generic[T]):
    def visit_truth(self, node: dag.BoolNode) -> T:
        result: T = self._table[type(node)](self, node)
        return result


class AtomBackend(_ConditionVisitor[T]):
    _FAMILY = ATOM_METHODS

    @abstractmethod
    def cmp(self, node: dag.Cmp) -> T: ...

    @abstractmethod
    def member(self, node: dag.Member) -> T: ...

    @abstractmethod
    def has(self, node: dag.HasAtom) -> T: ...

    @abstractmethod
    def known(self, node: dag.KnownAtom) -> T: ...

    @abstractmethod
    def boolean(self, node: dag.Truth) -> T: ...


class ConnectiveBackend(_ConditionVisitor[T]):
    _FAMILY = CONNECTIVE_METHODS

    @abstractmethod
    def bool_const(self, node: dag.Const) -> T: ...

    @abstractmethod
    def all(self, node: dag.All) -> T: ...

    @abstractmethod
    def any(self, node: dag.AnyNode) -> T: ...

    @abstractmethod
    def at_least(self, node: dag.AtLeast) -> T: ...

    @abstractmethod
    def case(self, node: dag.CaseCond) -> T: ...

    @abstractmethod
    def named(self, node: dag.Named) -> T: ...


class ConditionBackend(AtomBackend[T], ConnectiveBackend[T]):
    """Every condition node: atoms and connectives."""


class Backend(ValueBackend[V], ConditionBackend[T]):
    """Every node of the DAG: what the scalar, columnar and point-lookup evaluators are."""
