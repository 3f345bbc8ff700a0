"""The predicate DAG every backend reads.

Boolean nodes are in negation normal form: ``not`` lives only inside atoms (a flipped
operator, a ``negated`` flag). Nodes are frozen and interned by the normalizer, so equal
nodes are the same object: an atom used by a hundred policies is evaluated once.

Value nodes (``V…``) compute numbers, dates and texts; boolean nodes combine atoms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from policy_match.dsl.ir import Value
from policy_match.dsl.types import Type


class _Node:
    """Equality and hashing of DAG nodes: structural, as a dataclass's, but the hash is
    computed once per node (children first, as the normalizer builds them) and an unequal
    hash settles inequality at once. A dataclass's own hash and ``==`` walk the whole tree
    below a node on every call: exponential on a DAG whose defines share sub-nodes."""

    __slots__ = ()

    def _key(self) -> tuple[object, ...]:
        read = _COMPARED.get(type(self))
        if read is None:
            names = [f.name for f in fields(self) if f.compare]  # type: ignore[arg-type]
            read = _COMPARED[type(self)] = _reader(names)
        return read(self)

    def __hash__(self) -> int:
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = hash((type(self).__name__, self._key()))
            object.__setattr__(self, "_hash", found)
        return found

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(other) is not type(self):
            return NotImplemented
        return hash(self) == hash(other) and self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __getstate__(self) -> dict[str, object]:
        # the cached hash is this process's (string hashes are salted): never carried over
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}


_COMPARED: dict[type, Callable[[Any], tuple[object, ...]]] = {}


def _reader(names: list[str]) -> Callable[[Any], tuple[object, ...]]:
    """The compared fields of a node as a tuple (one ``attrgetter`` call)."""
    if not names:
        return lambda _: ()
    getter = attrgetter(*names)
    if len(names) == 1:
        return lambda node: (getter(node),)
    return getter

# ---- values -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class VTag(_Node):
    name: str
    type: Type


@dataclass(frozen=True, eq=False)
class VDefine(_Node):
    """A non-boolean define (研发投入占比): computed once per record, then shared."""

    name: str
    type: Type


@dataclass(frozen=True, eq=False)
class VConst(_Node):
    value: Value
    type: Type
    text: str = field(default="", compare=False)


@dataclass(frozen=True, eq=False)
class VToday(_Node):
    pass


@dataclass(frozen=True, eq=False)
class VArith(_Node):
    op: str
    left: ValueNode
    right: ValueNode
    type: Type


@dataclass(frozen=True, eq=False)
class VNeg(_Node):
    operand: ValueNode
    type: Type


@dataclass(frozen=True, eq=False)
class VCall(_Node):
    func: str
    args: tuple[ValueNode, ...]
    type: Type


@dataclass(frozen=True, eq=False)
class VCase(_Node):
    branches: tuple[tuple[BoolNode, ValueNode], ...]
    default: ValueNode
    type: Type


@dataclass(frozen=True, eq=False)
class VCond(_Node):
    """A condition used as a value (``失信被执行人 == (营业收入 >= 2000万)``): its truth."""

    cond: BoolNode


ValueNode = VTag | VDefine | VConst | VToday | VArith | VNeg | VCall | VCase | VCond

# ---- atoms --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Cmp(_Node):
    """``left op right``; a constant, when there is one, is on the right."""

    op: str
    left: ValueNode
    right: ValueNode


@dataclass(frozen=True, eq=False)
class Member(_Node):
    operand: ValueNode
    options: tuple[str, ...]
    hierarchy: str | None
    negated: bool = False


@dataclass(frozen=True, eq=False)
class HasAtom(_Node):
    operand: ValueNode
    mode: str  # one | any | all
    values: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True, eq=False)
class KnownAtom(_Node):
    """``known(x)``: never unknown itself."""

    operand: VTag | VDefine
    negated: bool = False


@dataclass(frozen=True, eq=False)
class Truth(_Node):
    """A boolean value used as a condition: a bool tag, a case of bools in a value spot."""

    operand: ValueNode
    negated: bool = False


Atom = Cmp | Member | HasAtom | KnownAtom | Truth

# ---- connectives --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Const(_Node):
    value: bool


@dataclass(frozen=True, eq=False)
class All(_Node):
    items: tuple[BoolNode, ...]
    listed: bool = field(default=False, compare=False)


@dataclass(frozen=True, eq=False)
class AnyNode(_Node):
    items: tuple[BoolNode, ...]
    listed: bool = field(default=False, compare=False)


@dataclass(frozen=True, eq=False)
class AtLeast(_Node):
    n: int
    items: tuple[BoolNode, ...]


@dataclass(frozen=True, eq=False)
class CaseCond(_Node):
    """A ``case`` of conditions: unknown as soon as the first non-false test is unknown."""

    branches: tuple[tuple[BoolNode, BoolNode], ...]
    default: BoolNode


@dataclass(frozen=True, eq=False)
class Named(_Node):
    """A boolean define, kept by name so explanations can say 小型微利企业 ✗."""

    name: str
    body: BoolNode
    negated: bool = False


BoolNode = Atom | Const | All | AnyNode | AtLeast | CaseCond | Named

ATOM_TYPES = (Cmp, Member, HasAtom, KnownAtom, Truth)
TRUE = Const(True)
FALSE = Const(False)


def is_atom(node: object) -> bool:
    return isinstance(node, ATOM_TYPES)


def children(node: BoolNode) -> tuple[BoolNode, ...]:
    """The boolean sub-conditions of a node (case tests and values included)."""
    if isinstance(node, All | AnyNode | AtLeast):
        return node.items
    if isinstance(node, CaseCond):
        return (*(x for pair in node.branches for x in pair), node.default)
    if isinstance(node, Named):
        return (node.body,)
    return ()


@dataclass(frozen=True)
class Dag:
    """A normalized rulebook."""

    defines: dict[str, BoolNode | ValueNode]
    conditions: dict[str, BoolNode]
    benefits: dict[str, ValueNode | None]
    atoms: tuple[Atom, ...]  # every distinct atom, once


def _case_parts(node: VCase | CaseCond) -> tuple[Any, ...]:
    return (*(x for pair in node.branches for x in pair), node.default)


_SUCCESSORS: dict[type, Callable[[Any], tuple[Any, ...]]] = {
    VTag: lambda n: (), VConst: lambda n: (), VToday: lambda n: (), Const: lambda n: (),
    VArith: lambda n: (n.left, n.right), VNeg: lambda n: (n.operand,),
    VCall: lambda n: n.args, VCase: _case_parts, VCond: lambda n: (n.cond,),
    Cmp: lambda n: (n.left, n.right), Member: lambda n: (n.operand,),
    HasAtom: lambda n: (n.operand,), KnownAtom: lambda n: (n.operand,),
    Truth: lambda n: (n.operand,), All: lambda n: n.items, AnyNode: lambda n: n.items,
    AtLeast: lambda n: n.items, CaseCond: _case_parts, Named: lambda n: (n.body,),
}


def successors(node: Any, defines: Mapping[str, Any]) -> tuple[Any, ...]:
    """Every node (value or condition) that evaluating ``node`` may read, in field order;
    a non-boolean define's reference leads to the define's own node."""
    if type(node) is VDefine:
        return (defines[node.name],)
    return _SUCCESSORS[type(node)](node)
