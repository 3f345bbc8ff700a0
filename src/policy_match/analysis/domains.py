"""Each tag as z3 variables: a "known" boolean plus a value, and how a model of those
variables reads back as an enterprise record (the witness of a finding).

Values are exact: money, ratios and plain numbers are ``z3.Real`` (rationals), counts are
reals held integral, dates are day numbers, durations their length in days (what the
language orders durations by). Enums, texts and codes are an integer naming one *cell*: a
class of values no condition of the rulebook tells apart (see :class:`Cells`). A set is one
boolean per member that the rulebook names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import z3

from policy_match.dsl import ir
from policy_match.dsl.types import Kind, Type
from policy_match.dsl.values import format_number
from policy_match.dsl.vocabulary import Hierarchy

NUMERIC = frozenset({Kind.NUMBER, Kind.COUNT, Kind.MONEY, Kind.RATIO})
CELLED = frozenset({Kind.ENUM, Kind.TEXT, Kind.CODE})
LAST_DAY = dt.date.max.toordinal()


@dataclass(frozen=True)
class Cell:
    """A class of values of one tag. ``value`` is a real value of the class, or ``None``
    when the class is abstract (``outside`` every named code, ``inside`` a code but none
    of the named ones below it) and a value must be found for it (:meth:`Cells.realize`)."""

    value: str | None
    inside: str | None = None  # strictly inside this code (and no named code below it)


@dataclass
class Cells:
    """The cells of one enum, text or code tag: every value the rules name, plus one cell
    for each kind of value they do not name (so every real value falls in some cell)."""

    kind: Kind
    named: list[str] = field(default_factory=list)
    equality: bool = False  # a code compared with == (needs the "strictly inside" cells)
    hierarchy: Hierarchy | None = None
    enum_values: tuple[str, ...] | None = None
    cells: list[Cell] = field(default_factory=list)

    def build(self) -> None:
        if self.kind is Kind.ENUM and self.enum_values is not None:
            self.cells = [Cell(v) for v in self.enum_values]
            return
        self.cells = [Cell(v) for v in dict.fromkeys(self.named)]
        if self.kind is Kind.CODE and self.equality:
            self.cells += [Cell(None, inside=v) for v in dict.fromkeys(self.named)]
        self.cells.append(Cell(None))  # a value the rules never name (outside them all)

    def member(self, cell: Cell, option: str) -> bool:
        """Whether values of ``cell`` are ``in [option]``."""
        if self.hierarchy is None:
            return cell.value == option
        if cell.value is not None:
            return self.hierarchy.contains(option, cell.value)
        if cell.inside is not None:
            return self.hierarchy.contains(option, cell.inside)
        return False

    def equals(self, cell: Cell, constant: str) -> bool:
        return cell.value is not None and cell.value == constant

    def realize(self, cell: Cell) -> str | None:
        """A real value of ``cell``, or ``None`` when none can be found."""
        if cell.value is not None:
            return cell.value
        if self.hierarchy is None:
            other = "（其他）"
            while other in self.named:
                other += "'"
            return other
        if cell.inside is not None:
            return self._probe(self._children(cell.inside), lambda c: c != cell.inside and
                               self.hierarchy is not None and
                               self.hierarchy.contains(cell.inside or "", c))
        return self._probe(_TOP_PROBES, lambda c: True)

    def _children(self, code: str) -> list[str]:
        return [code + s for s in (*"0123456789", *(f"{i:02d}" for i in range(100)),
                                   *(f"{i:03d}" for i in range(1, 20)))]

    def _probe(self, candidates: Iterable[str], keep: Any) -> str | None:
        assert self.hierarchy is not None
        for text in candidates:
            code = self.hierarchy.lookup(text).code
            if code is None or not keep(code):
                continue
            if not any(self.hierarchy.contains(n, code) for n in self.named):
                return code
        return None


_TOP_PROBES = (*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", *(str(i) for i in range(10, 100)))


@dataclass
class TagVars:
    """The z3 variables of one tag."""

    spec: ir.TagSpec
    known: z3.BoolRef
    value: Any  # z3 term: Real, Int (cells, dates) or Bool; None for sets
    members: dict[str, z3.BoolRef] = field(default_factory=dict)
    cells: Cells | None = None

    @property
    def type(self) -> Type:
        return self.spec.type


def make_vars(spec: ir.TagSpec, cells: Cells | None, set_values: Iterable[str],
              index: int) -> tuple[TagVars, list[z3.BoolRef]]:
    """The variables of a tag and the constraints every real value meets."""
    name = f"t{index}"
    known = z3.Bool(f"{name}.known")
    kind = spec.type.kind
    constraints: list[z3.BoolRef] = []
    if kind in NUMERIC or kind is Kind.DURATION:
        value: Any = z3.Real(name)
        if kind in (Kind.MONEY, Kind.COUNT) and not spec.signed:
            constraints.append(value >= 0)
        if kind is Kind.COUNT:
            constraints.append(z3.IsInt(value))
        return TagVars(spec, known, value), constraints
    if kind is Kind.DATE:
        value = z3.Int(name)
        return TagVars(spec, known, value), [value >= 1, value <= LAST_DAY]
    if kind is Kind.BOOL:
        return TagVars(spec, known, z3.Bool(name)), []
    if kind is Kind.SET:
        wanted = spec.type.values if spec.type.values is not None else tuple(set_values)
        members = {v: z3.Bool(f"{name}.has{i}") for i, v in enumerate(dict.fromkeys(wanted))}
        return TagVars(spec, known, None, members), []
    assert cells is not None
    value = z3.Int(name)
    return (TagVars(spec, known, value, cells=cells),
            [value >= 0, value < len(cells.cells)])


# ---- reading a model back ---------------------------------------------------------------


def fraction_of(term: Any) -> Fraction:
    if z3.is_int_value(term):
        return Fraction(term.as_long())
    if z3.is_rational_value(term):
        return Fraction(term.numerator_as_long(), term.denominator_as_long())
    if z3.is_algebraic_value(term):
        raise ValueError("irrational value")
    raise ValueError(f"not a number: {term}")


def _number_text(value: Fraction) -> str | None:
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    return format_number(value) if d == 1 else None


def read_value(tag: TagVars, model: z3.ModelRef) -> str | None:
    """The record text of the tag's value in ``model`` (``None``: no real value fits)."""
    kind = tag.type.kind
    if kind is Kind.SET:
        present = [v for v, b in tag.members.items() if z3.is_true(model.eval(b, True))]
        return "、".join(present) if present else "无"
    term = model.eval(tag.value, True)
    if kind is Kind.BOOL:
        return "是" if z3.is_true(term) else "否"
    if tag.cells is not None:
        index = term.as_long()
        return tag.cells.realize(tag.cells.cells[index])
    try:
        number = fraction_of(term)
    except ValueError:
        return None
    if kind is Kind.DATE:
        return dt.date.fromordinal(int(number)).isoformat()
    return number_text(number, kind)


def number_text(number: Fraction, kind: Kind) -> str | None:
    """A number as a record writes it: ``5000万`` for money, ``30%`` for a ratio."""
    if kind is Kind.RATIO:
        percent = _number_text(number * 100)
        return None if percent is None else percent + "%"
    if kind is Kind.MONEY and number and number.denominator == 1:
        for word, size in (("亿", 10**8), ("万", 10**4)):
            if number % size == 0:
                return f"{number // size}{word}"
    text = _number_text(number)
    if text is None:
        return None
    return text + "天" if kind is Kind.DURATION else text
