"""The predicate DAG every backend reads.

Boolean nodes are in negation normal form: ``not`` lives only inside atoms (a flipped
operator, a ``negated`` flag). Nodes are frozen and interned by the normalizer, so equal
nodes are the same object: an atom used by a hundred policies is evaluated once.

Value nodes (``V…``) compute numbers, dates and texts; boolean nodes combine atoms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policy_match.dsl.ir import Value
from policy_match.dsl.types import Type

# ---- values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VTag:
    name: str
    type: Type


@dataclass(frozen=True)
class VDefine:
    """A non-boolean define (研发投入占比): computed once per record, then shared."""

    name: str
    type: Type


@dataclass(frozen=True)
class VConst:
    value: Value
    type: Type
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class VToday:
    pass


@dataclass(frozen=True)
class VArith:
    op: str
    left: ValueNode
    right: ValueNode
    type: Type


@dataclass(frozen=True)
class VNeg:
    operand: ValueNode
    type: Type


@dataclass(frozen=True)
class VCall:
    func: str
    args: tuple[ValueNode, ...]
    type: Type


@dataclass(frozen=True)
class VCase:
    branches: tuple[tuple[BoolNode, ValueNode], ...]
    default: ValueNode
    type: Type


@dataclass(frozen=True)
class VCond:
    """A condition used as a value (``失信被执行人 == (营业收入 >= 2000万)``): its truth."""

    cond: BoolNode


ValueNode = VTag | VDefine | VConst | VToday | VArith | VNeg | VCall | VCase | VCond

# ---- atoms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cmp:
    """``left op right``; a constant, when there is one, is on the right."""

    op: str
    left: ValueNode
    right: ValueNode


@dataclass(frozen=True)
class Member:
    operand: ValueNode
    options: tuple[str, ...]
    hierarchy: str | None
    negated: bool = False


@dataclass(frozen=True)
class HasAtom:
    operand: ValueNode
    mode: str  # one | any | all
    values: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class KnownAtom:
    """``known(x)``: never unknown itself."""

    operand: VTag | VDefine
    negated: bool = False


@dataclass(frozen=True)
class Truth:
    """A boolean value used as a condition: a bool tag, a case of bools in a value spot."""

    operand: ValueNode
    negated: bool = False


Atom = Cmp | Member | HasAtom | KnownAtom | Truth

# ---- connectives --------------------------------------------------------------------------


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class All:
    items: tuple[BoolNode, ...]
    listed: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class AnyNode:
    items: tuple[BoolNode, ...]
    listed: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class AtLeast:
    n: int
    items: tuple[BoolNode, ...]


@dataclass(frozen=True)
class CaseCond:
    """A ``case`` of conditions: unknown as soon as the first non-false test is unknown."""

    branches: tuple[tuple[BoolNode, BoolNode], ...]
    default: BoolNode


@dataclass(frozen=True)
class Named:
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
