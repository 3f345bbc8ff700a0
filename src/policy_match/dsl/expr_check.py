"""Typing expressions (§4–§7): names resolved, literals made exact values, units checked.

A node that cannot be typed becomes ``None`` after its diagnostic is recorded, and every
rule that meets a ``None`` stays quiet, so one mistake yields one message, not a cascade.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from policy_match.dsl import ast, ir
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.parser import KEYWORDS
from policy_match.dsl.reporter import Reporter
from policy_match.dsl.span import Span
from policy_match.dsl.type_words import arith_hint, hierarchy_words, noun, show, unify
from policy_match.dsl.types import (
    BOOL,
    DATE,
    NUMBER,
    TEXT,
    Kind,
    Type,
    arithmetic,
    comparable,
    ordered,
)
from policy_match.dsl.values import format_number, quantity_value
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.dsl.words import Words, joined

MAX_DIGITS = 40  # beyond any amount of money; keeps exact arithmetic cheap


class ExpressionChecker(Reporter):
    """Types expressions against the tags and defines in scope, reporting what is wrong.

    The scope grows as declarations are checked: the declaration checker adds each tag and
    define once it is typed, and marks in ``poisoned`` the names whose declaration failed.
    """

    def __init__(self, vocabulary: Vocabulary, unparsed: frozenset[str],
                 tags: dict[str, ir.TagSpec], defines: dict[str, ir.Define]) -> None:
        super().__init__()
        self.vocab = vocabulary
        self.unparsed = unparsed  # declared by text that did not parse: never "unknown"
        self.tags = tags
        self.defines = defines
        self.define_decls: dict[str, ast.DefineDecl] = {}
        self.poisoned: set[str] = set()  # names whose own declaration already failed
        self._names_cache: tuple[tuple[int, int], frozenset[str]] | None = None

    # ---- entry points ----------------------------------------------------------------------

    def expr(self, node: ast.Expr) -> ir.Expr | None:
        method = getattr(self, "_e_" + type(node).__name__)
        result: ir.Expr | None = method(node)
        return result

    def condition(self, node: ast.Expr, what: str = "") -> ir.Expr | None:
        e = self.expr(node)
        if e is None:
            return None
        if e.type.kind is not Kind.BOOL:
            self.error(Code.TYPE, Words("check.not_condition", what=what or Words(
                "words.a_condition"), type=noun(e.type)), node.span, Words("hint.compare_it"))
            return None
        return e

    def guarded(self, node: ast.Expr, span: Span) -> ir.Expr | None:
        """``expr``, with a tree too deep for Python's stack reported at ``span``."""
        try:
            return self.expr(node)
        except RecursionError:
            self.too_deep(span)
            return None

    def too_deep(self, span: Span) -> None:
        self.error(Code.COST, Words("check.too_deep"), span, Words("hint.split_defines"))

    def date(self, node: ast.DateLit) -> dt.date | None:
        try:
            y, m, d = (int(p) for p in node.text.split("-"))
            return dt.date(y, m, d)
        except ValueError as exc:
            self.error(Code.LITERAL, Words("check.bad_date", text=node.text, detail=str(exc)),
                       node.span, Words("hint.date_format"))
            return None

    def option(self, target: Type, value: str, span: Span) -> str | None:
        """One value of an enum, set or code, checked; canonical (codes) or as given."""
        if target.kind is Kind.CODE:
            hierarchy = self.vocab.hierarchies[target.hierarchy or ""]
            found = hierarchy.lookup(value)
            verify = getattr(hierarchy, "verify", None)  # optional: the official table
            if found.code is not None and callable(verify):
                found = verify(found.code)
            if found.code is None:
                words = hierarchy_words(target.hierarchy or "")
                self.error(Code.CODE, Words("check.unknown_code_because", hierarchy=words,
                                            value=value, reason=found.reason) if found.reason
                           else Words("check.unknown_code", hierarchy=words, value=value),
                           span, found.hint)
            return found.code
        if target.values is not None and value not in target.values:
            suggestion = self.did_you_mean(value, target.values)
            self.error(Code.ENUM, Words("check.not_declared_value", value=value), span,
                       joined(suggestion, Words("hint.declared_values", values=", ".join(
                           f'"{v}"' for v in target.values))))
            return None
        return value

    def tag_parser(self, tag: ir.TagSpec) -> Callable[[str], Any] | None:
        """How a plug-in tag type reads a raw text value, if it is one that does."""
        spec = self.vocab.tag_types.get(tag.type.name or "")
        return spec.parse if spec is not None else None

    # ---- literals --------------------------------------------------------------------------

    def _e_Paren(self, node: ast.Paren) -> ir.Expr | None:
        return self.expr(node.inner)

    def _e_Number(self, node: ast.Number) -> ir.Expr | None:
        if len(node.text) > MAX_DIGITS:
            self.error(Code.LITERAL, Words("check.long_number", digits=len(node.text)),
                       node.span, Words("hint.max_digits", max=MAX_DIGITS))
            return None
        return ir.Const(Fraction(node.text), NUMBER, node.text, span=node.span)

    def _e_Quantity(self, node: ast.Quantity) -> ir.Expr | None:
        if len(node.number) > MAX_DIGITS:
            self.error(Code.LITERAL, Words("check.long_number", digits=len(node.number)),
                       node.span, Words("hint.max_digits", max=MAX_DIGITS))
            return None
        got = quantity_value(node.number, node.unit)
        if isinstance(got, str):
            hint = ""
            glued = next((k for k in KEYWORDS if not k.isascii() and node.unit.startswith(k)), None)
            if glued:
                hint = Words("hint.keyword_after_number", keyword=glued, number=node.number)
            self.error(Code.UNIT, got, node.span, hint)
            return None
        return ir.Const(got.value, got.type, node.text, span=node.span)

    def _e_DateLit(self, node: ast.DateLit) -> ir.Expr | None:
        day = self.date(node)
        return None if day is None else ir.Const(day, DATE, node.text, span=node.span)

    def _e_String(self, node: ast.String) -> ir.Expr:
        return ir.Const(node.value, TEXT, f'"{node.value}"', span=node.span)

    def _e_Bool(self, node: ast.Bool) -> ir.Expr:
        return ir.Const(node.value, BOOL, node.kw, span=node.span)

    def _e_Today(self, node: ast.Today) -> ir.Expr:
        return ir.TodayRef(span=node.span)

    def _e_ListExpr(self, node: ast.ListExpr) -> ir.Expr | None:
        self.error(Code.TYPE, Words("check.stray_list"), node.span, Words("hint.membership"))
        return None

    # ---- names -----------------------------------------------------------------------------

    def _e_Name(self, node: ast.Name) -> ir.Expr | None:
        return self._ref(node)

    def _ref(self, node: ast.Name) -> ir.TagRef | ir.DefineRef | None:
        name = node.name
        if name in self.tags:
            return ir.TagRef(name, self.tags[name].type, span=node.span)
        if name in self.defines:
            return ir.DefineRef(name, self.defines[name].type, span=node.span)
        if name in self.poisoned or name in self.unparsed:
            return None
        self.error(Code.NAME, Words("check.unknown_name", name=name), node.span,
                   self._unknown_name_hint(name))
        return None

    def _declared_names(self) -> frozenset[str]:
        """Tags and defines in scope, as one set kept while the scope does not change."""
        size = (len(self.tags), len(self.define_decls))
        if self._names_cache is None or self._names_cache[0] != size:
            self._names_cache = (size, frozenset([*self.tags, *self.define_decls]))
        return self._names_cache[1]

    def _unknown_name_hint(self, name: str) -> str:
        hint = self.did_you_mean(name, self._declared_names())
        if not hint and name in self.vocab.functions:
            hint = Words("hint.is_function", name=name)
        if not hint:
            glued = next((k for k in sorted(KEYWORDS, key=len, reverse=True)
                          if not k.isascii() and k in name and k != name), None)
            if glued:
                hint = Words("hint.keyword_spaces", keyword=glued)
        return hint

    def _e_Known(self, node: ast.Known) -> ir.Expr | None:
        ref = self._ref(node.name)
        return None if ref is None else ir.Known(ref, span=node.span)

    # ---- arithmetic and calls --------------------------------------------------------------

    def _e_Neg(self, node: ast.Neg) -> ir.Expr | None:
        inner = self.expr(node.operand)
        if inner is None:
            return None
        if not (inner.type.is_numeric or inner.type.kind is Kind.DURATION):
            self.error(Code.TYPE, Words("check.cannot_negate", type=noun(inner.type)),
                       node.span)
            return None
        if isinstance(inner, ir.Const) and isinstance(inner.value, Fraction):
            return ir.Const(-inner.value, inner.type, "-" + inner.text, span=node.span)
        return ir.Neg(inner, inner.type, span=node.span)

    def _e_Arith(self, node: ast.Arith) -> ir.Expr | None:
        left, right = self.expr(node.left), self.expr(node.right)
        if left is None or right is None:
            return None
        result = arithmetic(node.op, left.type, right.type)
        if result is None:
            both_numeric = left.type.is_numeric and right.type.is_numeric
            self.error(Code.UNIT if both_numeric else Code.TYPE,
                       Words("check.cannot_compute", left=noun(left.type), op=node.op,
                             right=noun(right.type)),
                       node.span, arith_hint(node.op, left.type, right.type))
            return None
        return ir.Arith(node.op, left, right, result, span=node.span)

    def _e_Call(self, node: ast.Call) -> ir.Expr | None:
        name = node.func.name
        spec = self.vocab.functions.get(name)
        if spec is None:
            self.error(Code.FUNC, Words("check.unknown_function", name=name), node.func.span,
                       self.did_you_mean(name, self.vocab.functions)
                       or Words("hint.functions", names=", ".join(sorted(self.vocab.functions))))
            for arg in node.args:
                self.expr(arg)
            return None
        args = [self.expr(a) for a in node.args]
        n = len(args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            want = (Words("words.exactly", n=spec.min_args) if spec.max_args == spec.min_args
                    else Words("words.at_least", n=spec.min_args) if spec.max_args is None
                    else Words("words.between", low=spec.min_args, high=spec.max_args))
            self.error(Code.FUNC, Words("check.arg_count", name=name, want=want, n=n),
                       node.span)
            return None
        if any(a is None for a in args):
            return None
        typed = [a for a in args if a is not None]
        result = spec.typing([a.type for a in typed])
        if isinstance(result, str):
            self.error(Code.TYPE, Words("check.function_types", name=name, detail=result),
                       node.span)
            return None
        return ir.Call(name, tuple(typed), result, span=node.span)

    # ---- comparisons and membership --------------------------------------------------------

    def _e_Compare(self, node: ast.Compare) -> ir.Expr | None:
        left, right = self.expr(node.left), self.expr(node.right)
        if left is None or right is None:
            return None
        left = self._coerce_literal(right.type, left)
        right = self._coerce_literal(left.type, right) if left is not None else None
        if left is None or right is None:
            return None
        if not comparable(left.type, right.type):
            self._mismatch(node, left, right)
            return None
        if node.op not in ("==", "!=") and not (ordered(left.type) and ordered(right.type)):
            self.error(Code.TYPE, Words("check.no_order", type=noun(left.type)),
                       node.span, Words("hint.in_list"))
            return None
        return ir.Compare(node.op, left, right, span=node.span)

    def _mismatch(self, node: ast.Compare, left: ir.Expr, right: ir.Expr) -> None:
        both_numeric = left.type.is_numeric and right.type.is_numeric
        lt, rt = left.type, right.type
        message = Words("check.mismatch", left=show(node.left), left_type=noun(lt),
                        right=show(node.right), right_type=noun(rt))
        hint = ""
        if isinstance(right, ir.Const) and isinstance(right.value, Fraction):
            hint = self._literal_hint(node, right.value, lt, rt)
        self.error(Code.UNIT if both_numeric else Code.TYPE, message, node.right.span, hint)

    def _literal_hint(self, node: ast.Compare, value: Fraction, lt: Type, rt: Type) -> str:
        # a hint of up to two parts, each rendered in the reader's language
        """For ``left <op> number``: the unit the number should carry, or a tag of its kind."""
        raw = (node.right.number if isinstance(node.right, ast.Quantity)
               else format_number(value))
        suggestion = {Kind.MONEY: f"{raw}万", Kind.COUNT: f"{raw}{lt.unit or '个'}",
                      Kind.RATIO: f"{raw}%"}.get(lt.kind)
        peers = [t.name for t in self.tags.values()
                 if comparable(t.type, rt) and t.type.kind is rt.kind
                 and t.name != show(node.left)]
        write = Words("hint.write_for", literal=suggestion, type=noun(lt)) if suggestion else ""
        if not peers:
            return write
        pick = self.suggester.closest(show(node.left), peers) or peers[:1]
        compare = Words("hint.compare_tag", name=pick[0])
        return Words("words.or", first=write, second=compare) if write else compare

    def _coerce_literal(self, target: Type, e: ir.Expr) -> ir.Expr | None:
        """A text literal met by an enum or a code becomes a checked, canonical value."""
        if not (isinstance(e, ir.Const) and isinstance(e.value, str)
                and e.type.kind is Kind.TEXT):
            return e
        if target.kind in (Kind.ENUM, Kind.CODE):
            value = self.option(target, e.value, e.span)
            if value is None:
                return None
            return ir.Const(value, target, e.text, span=e.span)
        return e

    def _strings(self, items: Sequence[ast.Expr], target: Type) -> tuple[str, ...] | None:
        out: list[str] = []
        ok = True
        for item in items:
            if not isinstance(item, ast.String):
                if isinstance(item, ast.Name) and (target.values is None
                                                   or item.name in target.values):
                    self.error(Code.TYPE, Words("check.must_quote", name=item.name), item.span,
                               Words("hint.write_quoted", name=item.name))
                else:
                    self.error(Code.TYPE, Words("check.want_quoted"), item.span)
                ok = False
                continue
            value = self.option(target, item.value, item.span)
            if value is None:
                ok = False
            else:
                out.append(value)
        return tuple(out) if ok else None

    def _e_In(self, node: ast.In) -> ir.Expr | None:
        operand = self.expr(node.operand)
        if operand is None:
            return None
        kind = operand.type.kind
        if kind not in (Kind.ENUM, Kind.CODE, Kind.TEXT):
            hint = Words("hint.use_has") if kind is Kind.SET else Words("hint.use_compare")
            self.error(Code.TYPE, Words("check.in_operand", type=noun(operand.type)),
                       node.span, hint)
            return None
        options = self._strings(node.options.items, operand.type)
        if options is None:
            return None
        return ir.Member(operand, options, node.negated, operand.type.hierarchy, span=node.span)

    def _e_Has(self, node: ast.Has) -> ir.Expr | None:
        operand = self.expr(node.operand)
        if operand is None:
            return None
        if operand.type.kind is not Kind.SET:
            hint = Words("hint.use_in") if operand.type.kind in (Kind.ENUM, Kind.CODE) else ""
            self.error(Code.TYPE, Words("check.has_operand", type=noun(operand.type)), node.span,
                       hint)
            return None
        if node.mode == "one":
            items: Sequence[ast.Expr] = (node.value,)
            if isinstance(node.value, ast.ListExpr):
                self.error(Code.TYPE, Words("check.has_one"), node.value.span,
                           Words("hint.has_any_all"))
                return None
        elif isinstance(node.value, ast.ListExpr):
            items = node.value.items
        else:
            items = (node.value,)
        values = self._strings(items, operand.type)
        if values is None:
            return None
        return ir.Has(operand, node.mode, values, span=node.span)

    # ---- conditions ------------------------------------------------------------------------

    def _e_Not(self, node: ast.Not) -> ir.Expr | None:
        inner = self.condition(node.operand)
        return None if inner is None else ir.Not(inner, span=node.span)

    def _conditions(self, items: Sequence[ast.Expr]) -> tuple[ir.Expr, ...] | None:
        out = [self.condition(i) for i in items]
        if any(o is None for o in out):
            return None
        return tuple(o for o in out if o is not None)

    def _e_And(self, node: ast.And) -> ir.Expr | None:
        items = self._conditions(node.items)
        return None if items is None else ir.And(items, span=node.span)

    def _e_Or(self, node: ast.Or) -> ir.Expr | None:
        items = self._conditions(node.items)
        return None if items is None else ir.Or(items, span=node.span)

    def _e_AllOf(self, node: ast.AllOf) -> ir.Expr | None:
        items = self._conditions(node.items.items)
        return None if items is None else ir.And(items, listed=True, span=node.span)

    def _e_AnyOf(self, node: ast.AnyOf) -> ir.Expr | None:
        items = self._conditions(node.items.items)
        return None if items is None else ir.Or(items, listed=True, span=node.span)

    def _e_AtLeast(self, node: ast.AtLeast) -> ir.Expr | None:
        items = self._conditions(node.items.items)
        if items is None:
            return None
        if not 1 <= node.n <= len(items):
            self.error(Code.LITERAL, Words("check.at_least", n=node.n, size=len(items)),
                       node.span, Words("hint.at_least", size=len(items)))
            return None
        return ir.AtLeast(node.n, items, span=node.span)

    # ---- case ------------------------------------------------------------------------------

    def _e_Case(self, node: ast.Case) -> ir.Expr | None:
        branches: list[tuple[ir.Expr, ir.Expr]] = []
        ok = True
        values: list[tuple[ast.Expr, ir.Expr]] = []
        for branch in node.branches:
            test = self.condition(branch.test, Words("words.case_test"))
            value = self.expr(branch.value)
            if test is None or value is None:
                ok = False
                continue
            branches.append((test, value))
            values.append((branch.value, value))
        default = self.expr(node.default) if node.default is not None else None
        if node.default is None:
            self.error(Code.CASE, Words("check.no_else"), node.span, Words("hint.add_else"))
            return None
        if default is None or not ok:
            return None
        values.append((node.default, default))
        result = self._case_type(values)
        return None if result is None else ir.Case(tuple(branches), default, result,
                                                    span=node.span)

    def _case_type(self, values: list[tuple[ast.Expr, ir.Expr]]) -> Type | None:
        """The one type of every branch value (the default's included), or None if they
        disagree."""
        labels = [v.value for _, v in values
                  if isinstance(v, ir.Const) and isinstance(v.value, str)
                  and v.type.kind is Kind.TEXT]
        if len(labels) == len(values):
            # A case of quoted labels is an enum of exactly those labels, so a test such as
            # 企业规模划型 in ["中形"] is checked like any enum value.
            return Type(Kind.ENUM, values=tuple(dict.fromkeys(labels)))
        result = values[0][1].type
        for source, value in values[1:]:
            merged = unify(result, value.type)
            if merged is None:
                self.error(Code.TYPE, Words("check.case_disagree", first=noun(result),
                                            second=noun(value.type)), source.span,
                           Words("hint.case_same_kind"))
                return None
            result = merged
        return result
