"""The predicate DAG → sqlglot expression trees: one method per node kind.

The semantics are the scalar evaluator's (``engine/scalar.py``), read for SQL: ``NULL`` is
unknown, and SQL's ``AND``/``OR``/``NOT`` are already Kleene's, so connectives translate
one for one; ``CASE`` stops at the first test that is not false, and an unknown test makes
the whole ``case`` unknown (``WHEN t IS NULL THEN NULL``). Numbers are exact fractions of
SQL decimals (``values.Num``): no division and no float ever runs in the database.

No SQL text is concatenated here: every method returns an expression tree and sqlglot writes
it for the dialect (``dialects.py`` holds the few rules that differ).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from sqlglot import exp

from policy_match.base.messages import CatalogueError
from policy_match.dsl.types import NUMERIC_KINDS, Kind, Type
from policy_match.dsl.values import Duration
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import dag
from policy_match.engine.backend import Backend
from policy_match.engine.semantics import MIRRORED_OP, arith, compare, negate
from policy_match.engine.sql import numbers as nm
from policy_match.engine.sql.dates import shift_sql
from policy_match.engine.sql.dialects import Dialect
from policy_match.engine.sql.values import (
    Lit,
    Num,
    Plain,
    Span,
    SqlValue,
    date_literal,
    grouped,
    integer,
    is_number,
    literal_days,
    null,
    null_number,
    typed_null,
)
from policy_match.plugins.builtins.functions import ABS, MAX, MIN
from policy_match.plugins.builtins.industry import IndustryHierarchy
from policy_match.plugins.builtins.region import RegionHierarchy

_PREFIX_HIERARCHIES = (IndustryHierarchy, RegionHierarchy)


class SqlUnsupported(CatalogueError):
    """A rule the SQL backend cannot compile exactly (it never compiles it inexactly)."""


def truth_literal(value: bool | None) -> exp.Expr:
    if value is None:
        return exp.Cast(this=null(), to=exp.DataType.build("BOOLEAN"))
    return exp.true() if value else exp.false()


def negated(e: exp.Expr, flip: bool = True) -> exp.Expr:
    """``NOT (e)``: parenthesized, so ``NOT (x IN (…))`` reads as it runs."""
    if not flip:
        return e
    return exp.Not(this=e if isinstance(e, exp.Column | exp.Paren) else exp.Paren(this=e))


def case_of(tests: list[tuple[exp.Expr, exp.Expr]],
            default: exp.Expr) -> exp.Expr:
    """``case`` of the language: the first true test wins; an unknown test before it makes
    the result unknown."""
    ifs: list[exp.Expr] = []
    for test, value in tests:
        ifs.append(exp.If(this=exp.Is(this=grouped(test), expression=null()), true=null()))
        ifs.append(exp.If(this=test, true=value))
    return exp.Case(ifs=ifs, default=default)


class SqlCompiler(Backend[SqlValue, exp.Expr]):
    """Compiles nodes of ``graph`` read against a table whose columns are the tags;
    ``columns`` maps defines already computed (as columns of an inner query) to their values."""

    def __init__(self, graph: dag.Dag, vocabulary: Vocabulary, dialect: Dialect,
                 as_of: dt.date, tags: Mapping[str, Type],
                 columns: Mapping[str, SqlValue] | None = None) -> None:
        self.graph = graph
        self.vocab = vocabulary
        self.dialect = dialect
        self.as_of = as_of
        self.tags = tags
        self.columns = dict(columns or {})
        self._memo: dict[int, Any] = {}

    def value(self, node: dag.ValueNode) -> SqlValue:
        found = self._memo.get(id(node))
        if found is None:
            found = self._memo[id(node)] = self.visit_value(node)
        return found  # type: ignore[no-any-return,unused-ignore]

    def truth(self, node: dag.BoolNode) -> exp.Expr:
        found = self._memo.get(id(node))
        if found is None:
            found = self._memo[id(node)] = self.visit_truth(node)
        return found  # type: ignore[no-any-return,unused-ignore]

    def pin(self, node: dag.BoolNode, column: exp.Expr) -> None:
        """From now on ``node`` reads ``column`` (computed once per row by an inner query)."""
        self._memo[id(node)] = column

    # ---- reading values as one kind -------------------------------------------------------

    def num(self, v: SqlValue) -> Num:
        if isinstance(v, Num):
            return v
        if isinstance(v, Span):
            return Num(self.dialect.days(v.start, v.end))
        if isinstance(v, Lit):
            if v.value is None:
                return Num(null_number(self.dialect.bounded_numeric))
            days = literal_days(v.value)
            return self._wide(days if days is not None else v.value)
        raise TypeError(f"not a number: {v}")

    def _wide(self, value: Any) -> Num:
        """A constant, typed so that arithmetic on constants alone cannot overflow:
        ``60 * (1亿 + CASE … END)`` is ``INT * INT`` as written, and overflows in DuckDB and
        PostgreSQL. An integer is ``DECIMAL(digits, 0)`` where numbers are bounded decimals
        (not ``BIGINT``: that counts as ``DECIMAL(20, 0)``, and beside a column of scale 24
        Spark then compares both at ``DECIMAL(38, 18)``, rounding the column), and every
        constant is ``NUMERIC`` in PostgreSQL."""
        n = nm.constant(value)
        if self.dialect.bounded_numeric:
            if Fraction(value).denominator != 1 or abs(value) >= 10 ** 38:
                return n
            digits = max(1, len(str(abs(int(value)))))
            return Num(exp.Cast(this=grouped(n.n),
                                to=exp.DataType.build(f"DECIMAL({digits}, 0)")))
        numeric = exp.DataType.build("NUMERIC")
        d = None if n.d is None else exp.Cast(this=grouped(n.d), to=numeric)
        return Num(exp.Cast(this=grouped(n.n), to=numeric), d)

    @staticmethod
    def plain(v: SqlValue) -> exp.Expr:
        if isinstance(v, Plain):
            return v.expr
        assert isinstance(v, Lit)
        value = v.value
        if value is None:
            return null()
        if isinstance(value, bool):
            return truth_literal(value)
        if isinstance(value, dt.date):
            return date_literal(value)
        if isinstance(value, str):
            return exp.Literal.string(value)
        raise TypeError(f"not a plain value: {value!r}")

    @staticmethod
    def is_date(v: SqlValue) -> bool:
        if isinstance(v, Plain):
            return v.kind == "date"
        return isinstance(v, Lit) and isinstance(v.value, dt.date)

    @staticmethod
    def is_numeric(v: SqlValue) -> bool:
        if isinstance(v, Num | Span):
            return True
        return isinstance(v, Lit) and (is_number(v.value) or literal_days(v.value) is not None)

    # ---- values ---------------------------------------------------------------------------

    def const(self, node: dag.VConst) -> SqlValue:
        return Lit(node.value)

    def today(self, node: dag.VToday) -> SqlValue:
        return Lit(self.as_of)

    def tag(self, node: dag.VTag) -> SqlValue:
        column = exp.column(node.name, quoted=True)
        kind = self.tags[node.name].kind if node.name in self.tags else node.type.kind
        if kind in NUMERIC_KINDS or kind is Kind.DURATION:
            return Num(column)
        if kind is Kind.DATE:
            return Plain("date", column)
        if kind is Kind.BOOL:
            return Plain("bool", column)
        if kind is Kind.SET:
            return Plain("set", column)
        if kind in (Kind.TEXT, Kind.ENUM, Kind.CODE):
            return Plain("text", column)
        raise SqlUnsupported("sql.unsupported_type", tag=node.name, type=node.type.describe())

    def define(self, node: dag.VDefine) -> SqlValue:
        found = self.columns.get(node.name)
        if found is not None:
            return found
        target = self.graph.defines[node.name]
        if node.type.kind is Kind.BOOL:
            return Plain("bool", self.truth(target))  # type: ignore[arg-type]
        return self.value(target)  # type: ignore[arg-type]

    def arith(self, node: dag.VArith) -> SqlValue:
        left, right = self.value(node.left), self.value(node.right)
        if isinstance(left, Lit) and isinstance(right, Lit):
            if left.value is None or right.value is None:
                return Lit(None)
            return Lit(arith(node.op, left.value, right.value))
        if self.is_date(left) or self.is_date(right):
            return self._date_arith(node.op, left, right)
        if node.op == "/" and isinstance(right, Lit):
            return nm.divide_by_constant(self.num(left), right.value,
                                          null_number(self.dialect.bounded_numeric))
        a, b = self.num(left), self.num(right)
        if node.op in "+-":
            return nm.add(a, b, node.op)
        if node.op == "*":
            return nm.multiply(a, b)
        return nm.divide(a, b)

    def _date_arith(self, op: str, left: SqlValue, right: SqlValue) -> SqlValue:
        sign = 1 if op == "+" else -1
        if self.is_date(left) and self.is_date(right):
            return Span(self.plain(right), self.plain(left))
        day, other = (left, right) if self.is_date(left) else (right, left)
        if isinstance(other, Lit) and isinstance(other.value, Duration):
            return Plain("date", shift_sql(self.dialect, self.plain(day), other.value, sign))
        if isinstance(other, Lit) and other.value is None:
            return Plain("date", typed_null("DATE"))
        raise SqlUnsupported("sql.unsupported_date_arith")

    def neg(self, node: dag.VNeg) -> SqlValue:
        inner = self.value(node.operand)
        if isinstance(inner, Lit):
            return Lit(None if inner.value is None else negate(inner.value))
        return nm.neg(self.num(inner))

    def call(self, node: dag.VCall) -> SqlValue:
        spec = self.vocab.functions[node.func]
        args = [self.value(a) for a in node.args]
        if all(isinstance(a, Lit) for a in args):
            values = [a.value for a in args]  # type: ignore[union-attr]
            return Lit(None if any(v is None for v in values) else spec.impl(*values))
        if spec is ABS:
            return nm.absolute(self.num(args[0]))
        if spec in (MIN, MAX):
            return self._extremum(args, "<=" if spec is MIN else ">=")
        raise SqlUnsupported("sql.unsupported_function", name=node.func)

    def _extremum(self, args: list[SqlValue], keep: str) -> SqlValue:
        """``min``/``max``: unknown when any argument is; else the one that wins each
        comparison (``LEAST``/``GREATEST`` skip NULLs in some dialects: not used)."""
        if all(self.is_date(a) for a in args):
            best = self.plain(args[0])
            for other in map(self.plain, args[1:]):
                pick = exp.Case(ifs=[
                    exp.If(this=exp.Or(this=exp.Is(this=grouped(best), expression=null()),
                                       expression=exp.Is(this=grouped(other), expression=null())),
                           true=null()),
                    exp.If(this=nm.COMPARE[keep](this=best, expression=other), true=best)],
                    default=other)
                best = pick
            return Plain("date", best)
        numbers = [self.num(a) for a in args]
        smallest = numbers[0]
        for another in numbers[1:]:
            smallest = nm.pick(smallest, another, keep)
        return smallest

    def value_case(self, node: dag.VCase) -> SqlValue:
        tests = [self.truth(t) for t, _ in node.branches]
        values = [self.value(v) for _, v in node.branches] + [self.value(node.default)]
        if any(self.is_numeric(v) for v in values):
            nums = [self.num(v) for v in values]
            n = case_of(list(zip(tests, [x.n for x in nums], strict=False)), nums[-1].n)
            if all(x.d is None for x in nums):
                return Num(n)
            dens = [x.d if x.d is not None else integer(1) for x in nums]
            d = case_of(list(zip(tests, dens, strict=False)), dens[-1])
            return Num(n, d)
        kinds = {v.kind for v in values if isinstance(v, Plain)}
        kind = kinds.pop() if kinds else self._lit_kind(values)
        exprs = [self.plain(v) for v in values]
        return Plain(kind, case_of(list(zip(tests, exprs, strict=False)), exprs[-1]))

    @staticmethod
    def _lit_kind(values: list[SqlValue]) -> str:
        for v in values:
            value = getattr(v, "value", None)
            if isinstance(value, bool):
                return "bool"
            if isinstance(value, dt.date):
                return "date"
        return "text"

    def cond_value(self, node: dag.VCond) -> SqlValue:
        return Plain("bool", self.truth(node.cond))

    # ---- connectives ----------------------------------------------------------------------

    def bool_const(self, node: dag.Const) -> exp.Expr:
        return truth_literal(node.value)

    def all(self, node: dag.All) -> exp.Expr:
        return _chain(exp.And, [self.truth(i) for i in node.items])

    def any(self, node: dag.AnyNode) -> exp.Expr:
        return _chain(exp.Or, [self.truth(i) for i in node.items])

    def at_least(self, node: dag.AtLeast) -> exp.Expr:
        """True when at least n items are true; false when fewer than n can be (true or
        unknown); unknown otherwise."""
        items = [self.truth(i) for i in node.items]
        one, zero = integer(1), integer(0)
        true = _sum([exp.Case(ifs=[exp.If(this=i, true=one)], default=zero) for i in items])
        possible = _sum([exp.Case(ifs=[exp.If(this=exp.Not(this=grouped(i)), true=zero)],
                                  default=one) for i in items])
        n = integer(node.n)
        return exp.Case(ifs=[exp.If(this=exp.GTE(this=true, expression=n), true=exp.true()),
                             exp.If(this=exp.LT(this=possible, expression=n), true=exp.false())],
                        default=truth_literal(None))

    def case(self, node: dag.CaseCond) -> exp.Expr:
        pairs = [(self.truth(t), self.truth(v)) for t, v in node.branches]
        return case_of(pairs, self.truth(node.default))

    def named(self, node: dag.Named) -> exp.Expr:
        found = self.columns.get(node.name)
        if isinstance(found, Plain):
            return negated(found.expr, node.negated)
        return self.truth(node.body)

    # ---- atoms ----------------------------------------------------------------------------

    def known(self, node: dag.KnownAtom) -> exp.Expr:
        v = self.value(node.operand)
        if isinstance(v, Lit):
            return truth_literal((v.value is not None) != node.negated)
        parts = [v.n, v.d] if isinstance(v, Num) else \
            [v.start, v.end] if isinstance(v, Span) else [v.expr]
        tests: list[exp.Expr] = [exp.Not(this=exp.Is(this=grouped(p), expression=null()))
                                 for p in parts if p is not None]
        return negated(_chain(exp.And, tests), node.negated)

    def boolean(self, node: dag.Truth) -> exp.Expr:
        v = self.value(node.operand)
        if isinstance(v, Lit):
            return truth_literal(None if v.value is None else bool(v.value) != node.negated)
        return negated(self.plain(v), node.negated)

    def member(self, node: dag.Member) -> exp.Expr:
        v = self.value(node.operand)
        if isinstance(v, Lit):
            return truth_literal(self._member_now(node, v.value))
        column = self.plain(v)
        if node.hierarchy is None:
            test: exp.Expr = exp.In(
                this=column, expressions=[exp.Literal.string(o) for o in node.options])
        else:
            self._check_prefix(node.hierarchy)
            test = prefix_test(column, node.options)
        return negated(test, node.negated)

    def _member_now(self, node: dag.Member, value: Any) -> bool | None:
        if value is None:
            return None
        if node.hierarchy is None:
            return (value in node.options) != node.negated
        tree = self.vocab.hierarchies[node.hierarchy]
        return any(tree.contains(o, value) for o in node.options) != node.negated

    def _check_prefix(self, name: str) -> None:
        tree = self.vocab.hierarchies[name]
        if not (isinstance(tree, _PREFIX_HIERARCHIES) or getattr(tree, "prefix_codes", False)):
            raise SqlUnsupported("sql.unsupported_hierarchy", name=name)

    def has(self, node: dag.HasAtom) -> exp.Expr:
        v = self.value(node.operand)
        if isinstance(v, Lit):
            return truth_literal(None)  # a set is never a constant: only a missing one
        test = self.dialect.has(self.plain(v), node.values, node.mode == "all")
        return negated(test, node.negated)

    def cmp(self, node: dag.Cmp) -> exp.Expr:
        left, right = self.value(node.left), self.value(node.right)
        op = node.op
        if isinstance(left, Lit) and isinstance(right, Lit):
            if left.value is None or right.value is None:
                return truth_literal(None)
            return truth_literal(compare(op, left.value, right.value))
        if isinstance(right, Span) and isinstance(left, Lit):
            left, right, op = right, left, MIRRORED_OP[op]
        if isinstance(left, Span) and isinstance(right, Lit) \
                and isinstance(right.value, Duration):
            # elapsed op D  ⇔  end op start + D, on the calendar
            reached = shift_sql(self.dialect, left.start, right.value, 1)
            return nm.COMPARE[op](this=grouped(left.end), expression=grouped(reached))
        if self.is_numeric(left) or self.is_numeric(right):
            return nm.compare(op, self.num(left), self.num(right))
        return nm.COMPARE[op](this=grouped(self.plain(left)), expression=grouped(self.plain(right)))


def prefix_test(column: exp.Expr, codes: tuple[str, ...]) -> exp.Expr:
    """``column`` lies inside one of ``codes`` (codes spell their ancestors as prefixes):
    its first characters are the code. ``LEFT(x, n) IN (codes of length n)``, one test per
    length, compares characters, so a ``%`` or ``_`` in a code is only itself (there is no
    ``LIKE`` pattern to escape)."""
    by_length: dict[int, list[str]] = {}
    for code in codes:
        by_length.setdefault(len(code), []).append(code)
    tests: list[exp.Expr] = []
    for length, same in sorted(by_length.items()):
        head = exp.Left(this=column, expression=integer(length))
        strings = [exp.Literal.string(c) for c in same]
        tests.append(exp.EQ(this=head, expression=strings[0]) if len(strings) == 1
                     else exp.In(this=head, expressions=strings))
    return _chain(exp.Or, tests)


def _chain(kind: Callable[..., exp.Expr], items: list[exp.Expr]) -> exp.Expr:
    """``a AND b AND c`` as a balanced tree: no recursion limit on a thousand items."""
    parts = [grouped(i) if isinstance(i, exp.Connector) else i for i in items]
    while len(parts) > 1:
        paired = [kind(this=parts[i], expression=parts[i + 1])
                  for i in range(0, len(parts) - 1, 2)]
        if len(parts) % 2:
            paired.append(parts[-1])
        parts = [exp.Paren(this=p) for p in paired] if len(paired) > 1 else paired
    return parts[0]


def _sum(items: list[exp.Expr]) -> exp.Expr:
    parts = list(items)
    while len(parts) > 1:
        paired: list[exp.Expr] = [exp.Add(this=parts[i], expression=parts[i + 1])
                                  for i in range(0, len(parts) - 1, 2)]
        if len(parts) % 2:
            paired.append(parts[-1])
        parts = [exp.Paren(this=p) for p in paired]
    return parts[0]
