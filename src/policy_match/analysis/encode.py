"""The typed IR in z3, three-valued.

A condition becomes two z3 booleans, ``t`` (it is true) and ``f`` (it is false), never both;
neither is "unknown". ``and``/``or``/``not``/``at least``/``case`` follow Kleene exactly as
the scalar evaluator does. A value becomes ``known`` and a term.

Whatever z3 cannot model exactly (a plug-in function, calendar arithmetic on a tag's date,
the days between two dates) becomes a *fresh* variable, one per distinct expression: any
value, known or not. That only adds behaviours no enterprise has, so a claim that holds for
every model ("never true", "always true", "equivalent") still holds for every enterprise;
a claim that something exists is only reported once the scalar evaluator confirms its
witness (``witness.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from policy_match.analysis.calendar import shift_days
from policy_match.analysis.domains import (
    CELLED,
    LAST_DAY,
    NUMERIC,
    Cells,
    TagVars,
    make_vars,
)
from policy_match.analysis.walk import Named
from policy_match.dsl import ir
from policy_match.dsl.types import Kind
from policy_match.dsl.values import Duration
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine.semantics import arith, compare
from policy_match.plugins.builtins.functions import ABS, MAX, MIN


@dataclass(frozen=True)
class TV:
    """A condition: ``t`` when it is true, ``f`` when it is false (else unknown)."""

    t: Any
    f: Any

    def negated(self) -> TV:
        return TV(self.f, self.t)


@dataclass(frozen=True)
class Val:
    """A value: ``known`` when the data settle it; ``term`` its z3 term. ``cells``: the
    tag whose cells an integer term indexes (enums, texts, codes); ``members``: a set."""

    known: Any
    term: Any
    sort: str  # num | date | bool | cell | set | opaque
    tag: TagVars | None = None


class Encoder:
    def __init__(self, program: ir.Program, vocabulary: Vocabulary, named: Named,
                 today: dt.date | None) -> None:
        """``today``: the day 评估日 is, or ``None`` for any day (a variable, ``day``)."""
        self.program = program
        self.vocab = vocabulary
        self.named = named
        self.today = today
        self.tags: dict[str, TagVars] = {}
        self.day = z3.Int("today") if today is None else z3.IntVal(today.toordinal())
        # constraints every real enterprise (and day) meets
        self.domain: list[Any] = [self.day >= 1, self.day <= LAST_DAY]
        self._defines: dict[str, TV | Val] = {}
        self._fresh: dict[object, Any] = {}
        self.inexact: set[object] = set()  # expressions modelled by fresh variables
        # calendar moves known only within bounds: (moved day, day, duration, sign)
        self.shifts: list[tuple[Any, Any, Duration, int]] = []

    # ---- tags ---------------------------------------------------------------------------

    def tag(self, name: str) -> TagVars:
        found = self.tags.get(name)
        if found is None:
            spec = self.program.tags[name]
            cells = None
            if spec.type.kind in CELLED:
                cells = Cells(spec.type.kind, list(self.named.values.get(name, [])),
                              name in self.named.equality,
                              self.vocab.hierarchies.get(spec.type.hierarchy or ""),
                              spec.type.values if spec.type.kind is Kind.ENUM else None)
                cells.build()
            found, constraints = make_vars(spec, cells, self.named.members.get(name, []),
                                           len(self.tags))
            self.tags[name] = found
            self.domain += constraints
        return found

    def defines(self) -> None:
        """Encode every define, in dependency order (each reads only defines already
        encoded: a chain of a thousand defines does not nest a thousand calls deep)."""
        for name, define in self.program.defines.items():
            ref = ir.DefineRef(name, define.type)
            if define.type.kind is Kind.BOOL:
                self._c_DefineRef(ref)
            else:
                self._define_value(ref)

    # ---- conditions ---------------------------------------------------------------------

    def cond(self, e: ir.Expr) -> TV:
        method = getattr(self, "_c_" + type(e).__name__, None)
        if method is None:
            return self._truth(self.value(e))
        out: TV = method(e)
        return out

    def _truth(self, v: Val) -> TV:
        if v.sort != "bool":
            return self._fresh_tv(v)
        return TV(z3.And(v.known, v.term), z3.And(v.known, z3.Not(v.term)))

    def _fresh_tv(self, key: object) -> TV:
        self.inexact.add(key)
        t = self._fresh_var(("t", key), z3.Bool)
        f = self._fresh_var(("f", key), z3.Bool)
        return TV(z3.And(t, z3.Not(f)), f)

    def _fresh_var(self, key: object, make: Any) -> Any:
        found = self._fresh.get(key)
        if found is None:
            found = self._fresh[key] = make(f"fresh{len(self._fresh)}")
        return found

    def _c_Const(self, e: ir.Const) -> TV:
        return TV(z3.BoolVal(bool(e.value)), z3.BoolVal(not e.value))

    def _c_DefineRef(self, e: ir.DefineRef) -> TV:
        found = self._defines.get(e.name)
        if found is None:
            found = self._defines[e.name] = self.cond(self.program.defines[e.name].expr)
        assert isinstance(found, TV)
        return found

    def _c_Not(self, e: ir.Not) -> TV:
        return self.cond(e.operand).negated()

    def _c_And(self, e: ir.And) -> TV:
        return conj([self.cond(i) for i in e.items])

    def _c_Or(self, e: ir.Or) -> TV:
        return disj([self.cond(i) for i in e.items])

    def _c_AtLeast(self, e: ir.AtLeast) -> TV:
        items = [self.cond(i) for i in e.items]
        true = z3.Sum([z3.If(i.t, 1, 0) for i in items])
        possible = z3.Sum([z3.If(i.f, 0, 1) for i in items])
        return TV(true >= e.n, possible < e.n)

    def _c_Case(self, e: ir.Case) -> TV:
        out = self.cond(e.default)
        for test, value in reversed(e.branches):
            tv, branch = self.cond(test), self.cond(value)
            out = TV(z3.Or(z3.And(tv.t, branch.t), z3.And(tv.f, out.t)),
                     z3.Or(z3.And(tv.t, branch.f), z3.And(tv.f, out.f)))
        return out

    def _c_Known(self, e: ir.Known) -> TV:
        known = self.known_of(e.ref)
        return TV(known, z3.Not(known))

    def known_of(self, ref: ir.TagRef | ir.DefineRef) -> Any:
        if isinstance(ref, ir.TagRef):
            return self.tag(ref.name).known
        if ref.type.kind is Kind.BOOL:
            tv = self._c_DefineRef(ref)
            return z3.Or(tv.t, tv.f)
        return self.value(ref).known

    def _c_Compare(self, e: ir.Compare) -> TV:
        left, right = self.value(e.left), self.value(e.right)
        test = self._compare(e.op, left, right)
        if test is None:
            return self._fresh_tv(e)
        known = z3.And(left.known, right.known)
        return TV(z3.And(known, test), z3.And(known, z3.Not(test)))

    def _compare(self, op: str, left: Val, right: Val) -> Any:
        if left.sort == "cell" or right.sort == "cell":
            return self._compare_cells(op, left, right)
        if left.sort == right.sort == "const-text":
            return z3.BoolVal(compare(op, left.term, right.term))
        if left.sort != right.sort or left.sort in ("opaque", "set", "const-text"):
            return None
        a, b = left.term, right.term
        ops = {"<": lambda: a < b, "<=": lambda: a <= b, ">": lambda: a > b,
               ">=": lambda: a >= b, "==": lambda: a == b, "!=": lambda: a != b}
        if left.sort == "bool" and op not in ("==", "!="):
            return None
        return ops[op]()

    def _compare_cells(self, op: str, left: Val, right: Val) -> Any:
        cell, other = (left, right) if left.sort == "cell" else (right, left)
        if cell.tag is None or other.sort != "const-text" or op not in ("==", "!="):
            return None
        table = cell.tag.cells
        assert table is not None
        hits = [i for i, c in enumerate(table.cells) if table.equals(c, other.term)]
        equal = z3.Or([cell.term == i for i in hits]) if hits else z3.BoolVal(False)
        return equal if op == "==" else z3.Not(equal)

    def _c_Member(self, e: ir.Member) -> TV:
        v = self.value(e.operand)
        if v.sort != "cell" or v.tag is None:
            return self._fresh_tv(e)
        table = v.tag.cells
        assert table is not None
        hits = [i for i, c in enumerate(table.cells)
                if any(table.member(c, o) for o in e.options)]
        found = z3.Or([v.term == i for i in hits]) if hits else z3.BoolVal(False)
        test = z3.Not(found) if e.negated else found
        return TV(z3.And(v.known, test), z3.And(v.known, z3.Not(test)))

    def _c_Has(self, e: ir.Has) -> TV:
        v = self.value(e.operand)
        if v.sort != "set" or v.tag is None:
            return self._fresh_tv(e)
        bits = [v.tag.members[x] for x in e.values]
        test = z3.And(bits) if e.mode == "all" else z3.Or(bits)
        return TV(z3.And(v.known, test), z3.And(v.known, z3.Not(test)))

    # ---- values -------------------------------------------------------------------------

    def value(self, e: ir.Expr) -> Val:
        if isinstance(e, ir.Const):
            return self._const(e.value)
        if isinstance(e, ir.TagRef):
            return self._tag_value(self.tag(e.name))
        if isinstance(e, ir.DefineRef):
            return self._define_value(e)
        if isinstance(e, ir.TodayRef):
            return Val(z3.BoolVal(True), self.day, "date")
        if isinstance(e, ir.Arith):
            return self._arith(e)
        if isinstance(e, ir.Neg):
            inner = self.value(e.operand)
            return Val(inner.known, -inner.term, "num") if inner.sort == "num" \
                else self._opaque(e)
        if isinstance(e, ir.Call):
            return self._call(e)
        if isinstance(e, ir.Case) and e.type.kind is not Kind.BOOL:
            return self._case_value(e)
        if e.type.kind is Kind.BOOL:
            tv = self.cond(e)
            return Val(z3.Or(tv.t, tv.f), tv.t, "bool")
        return self._opaque(e)

    def _tag_value(self, tag: TagVars) -> Val:
        kind = tag.type.kind
        if kind in NUMERIC or kind is Kind.DURATION:
            return Val(tag.known, tag.value, "num")
        if kind is Kind.DATE:
            return Val(tag.known, tag.value, "date")
        if kind is Kind.BOOL:
            return Val(tag.known, tag.value, "bool")
        if kind is Kind.SET:
            return Val(tag.known, None, "set", tag)
        if tag.cells is not None:
            return Val(tag.known, tag.value, "cell", tag)
        return Val(tag.known, None, "opaque")

    def _define_value(self, e: ir.DefineRef) -> Val:
        if e.type.kind is Kind.BOOL:
            tv = self._c_DefineRef(e)
            return Val(z3.Or(tv.t, tv.f), tv.t, "bool")
        found = self._defines.get(e.name)
        if found is None:
            found = self._defines[e.name] = self.value(self.program.defines[e.name].expr)
        assert isinstance(found, Val)
        return found

    def _const(self, value: Any) -> Val:
        true = z3.BoolVal(True)
        if isinstance(value, bool):
            return Val(true, z3.BoolVal(value), "bool")
        if isinstance(value, Fraction | int):
            return Val(true, real(Fraction(value)), "num")
        if isinstance(value, Duration):
            return Val(true, real(value.approx_days()), "num")
        if isinstance(value, dt.date):
            return Val(true, z3.IntVal(value.toordinal()), "date")
        if isinstance(value, str):
            return Val(true, value, "const-text")
        return Val(true, None, "opaque")

    def _opaque(self, e: ir.Expr) -> Val:
        """A value z3 cannot model: fresh, one per distinct expression."""
        self.inexact.add(e)
        known = self._fresh_var(("k", e), z3.Bool)
        kind = e.type.kind
        if kind in NUMERIC or kind is Kind.DURATION:
            return Val(known, self._fresh_var(("v", e), z3.Real), "num")
        if kind is Kind.DATE:
            return Val(known, self._fresh_var(("v", e), z3.Int), "date")
        if kind is Kind.BOOL:
            return Val(known, self._fresh_var(("v", e), z3.Bool), "bool")
        return Val(known, None, "opaque")

    def _arith(self, e: ir.Arith) -> Val:
        fixed = isinstance(e.left, ir.Const) or \
            (isinstance(e.left, ir.TodayRef) and self.today is not None)
        if fixed and isinstance(e.right, ir.Const):
            left = e.left.value if isinstance(e.left, ir.Const) else self.today
            folded = arith(e.op, left, e.right.value)
            if (folded is not None and not isinstance(folded, Duration)) or \
                    (isinstance(folded, Duration) and e.type.kind is Kind.DURATION):
                return self._const(folded)
        if Kind.DURATION in (e.left.type.kind, e.right.type.kind) and e.op in "*/" \
                and not (e.left.type.kind is Kind.DURATION and e.right.type.is_numeric):
            return self._opaque(e)
        left_v, right_v = self.value(e.left), self.value(e.right)
        known = z3.And(left_v.known, right_v.known)
        if left_v.sort == "num" and right_v.sort == "num":
            return self._numeric(e, known, left_v.term, right_v.term)
        if left_v.sort == "date" and isinstance(e.right, ir.Const) and \
                isinstance(e.right.value, Duration) and e.op in "+-":
            return self._shifted(e, known, left_v.term, e.right.value)
        return self._opaque(e)

    def _shifted(self, e: ir.Arith, known: Any, day: Any, duration: Duration) -> Val:
        """``day ± duration`` on the calendar: exact when it moves every day alike (days,
        weeks), else a fresh day between the least and the most it can move (months,
        years, working days: see ``calendar.py``)."""
        sign = 1 if e.op == "+" else -1
        least, most = shift_days(duration, sign)
        if least == most:
            moved = day + least
        elif ("v", e) in self._fresh:
            moved = self._fresh[("v", e)]
        else:
            self.inexact.add(e)
            moved = self._fresh_var(("v", e), z3.Int)
            self.domain += [moved - day >= least, moved - day <= most]
            self.shifts.append((moved, day, duration, sign))
        return Val(z3.And(known, moved >= 1, moved <= LAST_DAY), moved, "date")

    def _numeric(self, e: ir.Arith, known: Any, a: Any, b: Any) -> Val:
        if e.op == "+":
            return Val(known, a + b, "num")
        if e.op == "-":
            return Val(known, a - b, "num")
        if e.op == "*":
            return Val(known, a * b, "num")
        return Val(z3.And(known, b != 0), a / b, "num")

    def _call(self, e: ir.Call) -> Val:
        spec = self.vocab.functions.get(e.func)
        args = [self.value(a) for a in e.args]
        if spec not in (MIN, MAX, ABS) or any(a.sort != "num" for a in args):
            return self._opaque(e)
        known = z3.And([a.known for a in args])
        if spec is ABS:
            x = args[0].term
            return Val(known, z3.If(x < 0, -x, x), "num")
        out = args[0].term
        for a in args[1:]:
            out = z3.If(a.term < out, a.term, out) if spec is MIN else \
                z3.If(a.term > out, a.term, out)
        return Val(known, out, "num")

    def _case_value(self, e: ir.Case) -> Val:
        out = self.value(e.default)
        for test, branch in reversed(e.branches):
            tv, v = self.cond(test), self.value(branch)
            if v.sort != out.sort or v.sort not in ("num", "date", "bool"):
                return self._opaque(e)
            out = Val(z3.Or(z3.And(tv.t, v.known), z3.And(tv.f, out.known)),
                      z3.If(tv.t, v.term, out.term), v.sort)
        return out


def real(value: Fraction) -> Any:
    return z3.RealVal(f"{value.numerator}/{value.denominator}")


def conj(items: list[TV]) -> TV:
    return TV(z3.And([i.t for i in items]), z3.Or([i.f for i in items]))


def disj(items: list[TV]) -> TV:
    return TV(z3.Or([i.t for i in items]), z3.And([i.f for i in items]))


def same(a: TV, b: TV) -> Any:
    """Both conditions give the same outcome (true, false or unknown)."""
    return z3.And(a.t == b.t, a.f == b.f)


