"""Walking the typed IR: every sub-expression, the tags an expression reads, and the
values a rulebook names for each tag (the cells of ``domains.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from policy_match.dsl import ir
from policy_match.dsl.types import Kind


def parts(e: ir.Expr) -> tuple[ir.Expr, ...]:
    """The direct sub-expressions of ``e``."""
    return ir.sub_expressions(e)  # type: ignore[return-value]


def every(e: ir.Expr) -> Iterator[ir.Expr]:
    """``e`` and everything below it (defines not followed)."""
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(parts(node)))


def program_exprs(program: ir.Program) -> Iterator[ir.Expr]:
    for define in program.defines.values():
        yield define.expr
    for policy in program.policies.values():
        yield policy.eligible
        if policy.benefit is not None:
            yield policy.benefit


@dataclass
class Named:
    """What the rules name, per tag: options and constants (enums, texts, codes) and set
    members; ``equality`` holds the tags compared with ``==``/``!=`` to a constant."""

    values: dict[str, list[str]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    equality: set[str] = field(default_factory=set)

    def add(self, tag: str, values: tuple[str, ...] | list[str]) -> None:
        self.values.setdefault(tag, []).extend(values)


def named_values(program: ir.Program) -> Named:
    found = Named()
    for root in program_exprs(program):
        for e in every(root):
            if isinstance(e, ir.Member) and isinstance(e.operand, ir.TagRef):
                found.add(e.operand.name, e.options)
            elif isinstance(e, ir.Has) and isinstance(e.operand, ir.TagRef):
                found.members.setdefault(e.operand.name, []).extend(e.values)
            elif isinstance(e, ir.Compare):
                _compare_constant(e, found)
    return found


def _compare_constant(e: ir.Compare, found: Named) -> None:
    for tag, const in ((e.left, e.right), (e.right, e.left)):
        if isinstance(tag, ir.TagRef) and isinstance(const, ir.Const) \
                and isinstance(const.value, str) and not isinstance(const.value, bool):
            found.add(tag.name, [const.value])
            if tag.type.kind is Kind.CODE:
                found.equality.add(tag.name)


class TagsOf:
    """The tags an expression reads, following defines (memoized per define)."""

    def __init__(self, program: ir.Program) -> None:
        self.program = program
        self._defines: dict[str, frozenset[str]] = {}

    def __call__(self, e: ir.Expr) -> frozenset[str]:
        out: set[str] = set()
        for node in every(e):
            if isinstance(node, ir.TagRef):
                out.add(node.name)
            elif isinstance(node, ir.DefineRef):
                out |= self.define(node.name)
        return frozenset(out)

    def define(self, name: str) -> frozenset[str]:
        found = self._defines.get(name)
        if found is None:
            found = self._defines[name] = self(self.program.defines[name].expr)
        return found


def uses_today(e: ir.Expr, program: ir.Program, seen: set[str] | None = None) -> bool:
    """Whether ``e`` reads the evaluation date (following defines)."""
    seen = set() if seen is None else seen
    for node in every(e):
        if isinstance(node, ir.TodayRef):
            return True
        if isinstance(node, ir.DefineRef) and node.name not in seen:
            seen.add(node.name)
            if uses_today(program.defines[node.name].expr, program, seen):
                return True
    return False
