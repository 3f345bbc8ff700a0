"""AST → typed IR: names, types, units, enum values, codes, defines, policies (§2–§8).

The checker never stops at the first problem. Each node that cannot be typed becomes
``None`` after its diagnostic is recorded, and every rule that meets a ``None`` stays quiet,
so one mistake yields one message rather than a cascade.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import networkx as nx

from . import ast, ir
from .diagnostics import Code, Diagnostic, Related, Severity
from .parser import KEYWORDS
from .policy_check import check_policy
from .span import Span
from .suggest import closest, did_you_mean
from .types import (
    BOOL,
    DATE,
    NUMBER,
    TEXT,
    Kind,
    Type,
    arithmetic,
    comparable,
    ordered,
    unify_numeric,
)
from .values import format_number, quantity_value
from .vocabulary import Vocabulary

MAX_DIGITS = 40  # beyond any amount of money; keeps exact arithmetic cheap

BASE_TYPES = {
    "bool": Type(Kind.BOOL), "number": Type(Kind.NUMBER), "count": Type(Kind.COUNT),
    "money": Type(Kind.MONEY), "ratio": Type(Kind.RATIO), "date": Type(Kind.DATE),
    "duration": Type(Kind.DURATION), "text": Type(Kind.TEXT),
}
_NOUNS = {
    Kind.MONEY: "money", Kind.TEXT: "text", Kind.COUNT: "a count", Kind.NUMBER: "a number",
    Kind.RATIO: "a ratio", Kind.DATE: "a date", Kind.DURATION: "a duration",
    Kind.BOOL: "a condition", Kind.ENUM: "an enum value", Kind.SET: "a set", Kind.CODE: "a code",
    Kind.LIST: "a list",
}


def noun(t: Type) -> str:
    if t.kind is Kind.COUNT and t.unit:
        return f"a count of {t.unit}"
    if t.kind is Kind.CODE:
        return f"a {t.hierarchy} code"
    return _NOUNS[t.kind]


@dataclass(frozen=True)
class CheckResult:
    program: ir.Program | None  # None when any error was found: never half-loaded
    diagnostics: tuple[Diagnostic, ...]


def check(
    modules: Sequence[ast.Module],
    vocabulary: Vocabulary,
    unparsed_names: frozenset[str] = frozenset(),
    base: ir.Program | None = None,
) -> CheckResult:
    """Check ``modules``; with ``base``, as additions to an already checked program (its
    declarations are in scope and are not checked again)."""
    return _Checker(vocabulary, unparsed_names, base).run(modules)


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


class _Checker:
    def __init__(self, vocabulary: Vocabulary, unparsed: frozenset[str],
                 base: ir.Program | None = None) -> None:
        self.vocab = vocabulary
        self.unparsed = unparsed
        self.base = base
        self.diags: list[Diagnostic] = []
        self.tags: dict[str, ir.TagSpec] = dict(base.tags) if base else {}
        self.define_decls: dict[str, ast.DefineDecl] = {}
        self.defines: dict[str, ir.Define] = dict(base.defines) if base else {}
        self.poisoned: set[str] = set()  # names whose own declaration already failed

    # ---- reporting -----------------------------------------------------------------------

    def error(self, code: Code, message: str, span: Span, hint: str = "",
              related: tuple[Related, ...] = ()) -> None:
        self.diags.append(Diagnostic(code, message, span, hint, Severity.ERROR, related))

    # ---- the whole rulebook ----------------------------------------------------------------

    def run(self, modules: Sequence[ast.Module]) -> CheckResult:
        tag_decls, policy_decls = self._collect(modules)
        base = self.base
        key: str | None = base.key if base else None
        for decl in tag_decls:
            spec = self._tag(decl)
            if spec is None:
                self.poisoned.add(decl.name.name)
                continue
            self.tags[spec.name] = spec
            if spec.key:
                if key is not None:
                    self.error(Code.KEY, f"{spec.name} is a second key tag", decl.span,
                               f"only one tag identifies an enterprise; {key} already does",
                               (Related(self.tags[key].span, f"{key} is the key"),))
                else:
                    key = spec.name
        for name in self._define_order():
            self._define(self.define_decls[name])
        policies: dict[str, ir.Policy] = dict(base.policies) if base else {}
        id_spans = {pid: p.span for pid, p in policies.items()}
        for decl in policy_decls:
            policy = self._policy(decl)  # a duplicate's body is checked too
            id_spans.setdefault(decl.id.value, decl.id.span)
            if policy is not None and policy.id not in policies:
                policies[policy.id] = policy
        self._relations(policies, id_spans)
        diagnostics = tuple(sorted(self.diags, key=Diagnostic.sort_key))
        # A define can fail quietly when it names a declaration that did not parse: the
        # syntax error is the parser's diagnostic, and the rulebook is still not whole.
        base_defines = len(base.defines) if base else 0
        incomplete = len(self.defines) != base_defines + len(self.define_decls) or self.unparsed
        if incomplete or any(d.is_error for d in diagnostics):
            return CheckResult(None, diagnostics)
        ordered_defines = {**(base.defines if base else {}),
                           **{n: self.defines[n] for n in self._define_order_cache}}
        return CheckResult(ir.Program(self.tags, ordered_defines, policies, key), diagnostics)

    def _collect(
        self, modules: Sequence[ast.Module]
    ) -> tuple[list[ast.TagDecl], list[ast.PolicyDecl]]:
        base = self.base
        seen: dict[str, Span] = {}
        policy_seen: dict[str, Span] = {}
        if base is not None:
            seen = {n: t.span for n, t in base.tags.items()}
            seen |= {n: d.span for n, d in base.defines.items()}
            policy_seen = {pid: p.span for pid, p in base.policies.items()}
        tags: list[ast.TagDecl] = []
        policies: list[ast.PolicyDecl] = []
        for module in modules:
            for decl in module.decls:
                if isinstance(decl, ast.PolicyDecl):
                    pid = decl.id.value
                    if pid in policy_seen:
                        self.error(Code.DUP, f'policy "{pid}" is declared twice', decl.id.span,
                                   "give each policy its own id",
                                   (Related(policy_seen[pid], "first declared here"),))
                    else:
                        policy_seen[pid] = decl.id.span
                    policies.append(decl)
                    continue
                name = decl.name.name
                if name in seen:
                    self.error(Code.DUP, f"{name} is declared twice", decl.name.span,
                               "rename one of them or remove the duplicate",
                               (Related(seen[name], "first declared here"),))
                    continue
                seen[name] = decl.name.span
                if isinstance(decl, ast.TagDecl):
                    tags.append(decl)
                else:
                    self.define_decls[name] = decl
        return tags, policies

    # ---- tags ------------------------------------------------------------------------------

    def _tag(self, decl: ast.TagDecl) -> ir.TagSpec | None:
        t = self._type(decl.type)
        if t is None:
            return None
        label = decl.label.value if decl.label else None
        return ir.TagSpec(decl.name.name, t, decl.key, label, span=decl.span)

    def _type(self, te: ast.TypeExpr) -> Type | None:
        name = te.name.name
        if name in ("enum", "set"):
            return self._listed_type(te, Kind(name))
        if name == "code":
            if te.paren is None:
                self.error(Code.TYPE, "a code tag names its hierarchy", te.span,
                           "write code(industry) or code(region)")
                return None
            h = te.paren.name
            if h not in self.vocab.hierarchies:
                self.error(Code.HIERARCHY, f"unknown hierarchy {h}", te.paren.span,
                           did_you_mean(h, self.vocab.hierarchies)
                           or f"known hierarchies: {', '.join(sorted(self.vocab.hierarchies))}")
                return None
            return Type(Kind.CODE, hierarchy=h)
        if te.items is not None:
            self.error(Code.TYPE, f"{name} takes no [...] list", te.span)
            return None
        if name == "count":
            return Type(Kind.COUNT, unit=te.paren.name if te.paren else None)
        if te.paren is not None:
            self.error(Code.TYPE, f"{name} takes no (...) argument", te.paren.span)
            return None
        if name in BASE_TYPES:
            return BASE_TYPES[name]
        if name in self.vocab.tag_types:
            return dataclasses.replace(self.vocab.tag_types[name].base, name=name)
        known = [*BASE_TYPES, "enum", "set", "code", *self.vocab.tag_types]
        self.error(Code.TYPE, f"unknown type {name}", te.name.span,
                   did_you_mean(name, known) or f"types: {', '.join(known)}")
        return None

    def _listed_type(self, te: ast.TypeExpr, kind: Kind) -> Type | None:
        if te.items is None or te.paren is not None:
            self.error(Code.TYPE, f'{kind.value} lists its values in [...]', te.span,
                       f'write {kind.value}["A", "B"]'
                       + (" or set[text] for an open set" if kind is Kind.SET else ""))
            return None
        if kind is Kind.SET and [getattr(i, "name", None) for i in te.items] == ["text"]:
            return Type(Kind.SET, values=None)
        values: list[str] = []
        for item in te.items:
            if isinstance(item, ast.Name):
                self.error(Code.TYPE, f"{item.name} must be quoted", item.span,
                           f'write "{item.name}"')
                return None
            if item.value in values:
                self.error(Code.DUP, f'"{item.value}" is listed twice', item.span)
                return None
            values.append(item.value)
        if not values:
            self.error(Code.TYPE, f"{kind.value} needs at least one value", te.span)
            return None
        return Type(kind, values=tuple(values))

    def _relations(self, policies: dict[str, ir.Policy], id_spans: dict[str, Span]) -> None:
        """前置事项 / 排除事项 between items: known ids, no cycle of requirements, and no item
        that requires (directly or through others) an item it excludes."""
        requires = nx.DiGraph()
        requires.add_nodes_from(policies)
        for pid, policy in policies.items():
            span = id_spans[pid]
            for other in (*policy.requires, *policy.excludes):
                if other not in id_spans:
                    self.error(Code.FIELD, f'"{other}" named by policy "{pid}" is no policy',
                               span, did_you_mean(other, id_spans))
            for other in policy.requires:
                if other == pid:
                    self.error(Code.CYCLE, f'policy "{pid}" requires itself', span)
                elif other in policies:
                    requires.add_edge(pid, other)
        for component in nx.strongly_connected_components(requires):
            if len(component) > 1:
                first = min(component)
                cycle = [u for u, _ in nx.find_cycle(requires.subgraph(component), source=first)]
                self.error(Code.CYCLE, "前置事项 form a cycle: " + " → ".join([*cycle, cycle[0]]),
                           id_spans[first], "an item cannot require itself, even indirectly")
        for pid, policy in policies.items():
            needed = nx.descendants(requires, pid) | {pid}
            for other in policy.excludes:
                if other in needed:
                    self.error(Code.FIELD, f'policy "{pid}" both requires and excludes "{other}"',
                               id_spans[pid], "no enterprise could ever hold it")
            for other in needed - {pid}:
                clash = set(policies[other].excludes) & needed if other in policies else set()
                for excluded in sorted(clash):
                    self.error(Code.FIELD, f'policy "{pid}" requires "{other}", which excludes '
                               f'"{excluded}", also required', id_spans[pid],
                               "no enterprise could ever hold it")

    def tag_parser(self, tag: ir.TagSpec) -> Any:
        spec = self.vocab.tag_types.get(tag.type.name or "")
        return spec.parse if spec is not None else None

    def _policy(self, decl: ast.PolicyDecl) -> ir.Policy | None:
        try:
            return check_policy(decl, self)
        except RecursionError:
            self._too_deep(decl.id.span)
            return None

    def _guarded(self, node: ast.Expr, span: Span) -> ir.Expr | None:
        try:
            return self.expr(node)
        except RecursionError:
            self._too_deep(span)
            return None

    def _too_deep(self, span: Span) -> None:
        self.error(Code.SYNTAX, "nested too deeply to check", span,
                   "split the expression into defines")

    # ---- defines ---------------------------------------------------------------------------

    def _define_order(self) -> list[str]:
        if hasattr(self, "_define_order_cache"):
            return self._define_order_cache
        graph = nx.DiGraph()
        order = list(self.define_decls)
        graph.add_nodes_from(order)
        for name, decl in self.define_decls.items():
            for ref in _referenced_names(decl.expr):
                if ref.name in self.define_decls:
                    graph.add_edge(name, ref.name)
        position = {n: i for i, n in enumerate(order)}
        on_cycle: set[str] = set()
        for component in nx.strongly_connected_components(graph):
            first = min(component, key=position.__getitem__)
            if len(component) == 1 and not graph.has_edge(first, first):
                continue
            cycle = [u for u, _ in nx.find_cycle(graph.subgraph(component), source=first)]
            on_cycle |= component
            path = " → ".join([*cycle, cycle[0]])
            self.error(Code.CYCLE, f"defines form a cycle: {path}",
                       self.define_decls[first].name.span,
                       "a define cannot depend on itself; break the cycle",
                       tuple(Related(self.define_decls[n].name.span, f"{n} is on the cycle")
                             for n in cycle[1:]))
        acyclic = graph.subgraph([n for n in order if n not in on_cycle])
        result = list(reversed(list(nx.lexicographical_topological_sort(
            acyclic, key=lambda n: -position[n]))))
        self.poisoned |= on_cycle
        self._define_order_cache = result
        return result

    def _define(self, decl: ast.DefineDecl) -> None:
        expr = self._guarded(decl.expr, decl.name.span)
        if expr is None:
            self.poisoned.add(decl.name.name)
            return
        if expr.type.kind is Kind.LIST:
            self.error(Code.TYPE, "a define is a value or a condition, not a list",
                       decl.expr.span)
            self.poisoned.add(decl.name.name)
            return
        self.defines[decl.name.name] = ir.Define(decl.name.name, expr, span=decl.span)

    # ---- expressions -----------------------------------------------------------------------

    def expr(self, node: ast.Expr) -> ir.Expr | None:
        method = getattr(self, "_e_" + type(node).__name__)
        return method(node)

    def condition(self, node: ast.Expr, what: str = "a condition") -> ir.Expr | None:
        e = self.expr(node)
        if e is None:
            return None
        if e.type.kind is not Kind.BOOL:
            self.error(Code.TYPE, f"{what} must be true or false, but this is {noun(e.type)}",
                       node.span, "compare it, e.g. 营业收入 >= 2000万")
            return None
        return e

    def _e_Paren(self, node: ast.Paren) -> ir.Expr | None:
        return self.expr(node.inner)

    def _e_Number(self, node: ast.Number) -> ir.Expr | None:
        if len(node.text) > MAX_DIGITS:
            self.error(Code.LITERAL, f"a number of {len(node.text)} digits", node.span,
                       f"numbers have at most {MAX_DIGITS} digits")
            return None
        return ir.Const(Fraction(node.text), NUMBER, node.text, span=node.span)

    def _e_Quantity(self, node: ast.Quantity) -> ir.Expr | None:
        if len(node.number) > MAX_DIGITS:
            self.error(Code.LITERAL, f"a number of {len(node.number)} digits", node.span,
                       f"numbers have at most {MAX_DIGITS} digits")
            return None
        got = quantity_value(node.number, node.unit)
        if isinstance(got, str):
            hint = ""
            glued = next((k for k in KEYWORDS if not k.isascii() and node.unit.startswith(k)), None)
            if glued:
                hint = f"`{glued}` is a keyword: put a space after {node.number}"
            self.error(Code.UNIT, got, node.span, hint)
            return None
        return ir.Const(got.value, got.type, node.text, span=node.span)

    def _e_DateLit(self, node: ast.DateLit) -> ir.Expr | None:
        day = self._date(node)
        return None if day is None else ir.Const(day, DATE, node.text, span=node.span)

    def _date(self, node: ast.DateLit) -> dt.date | None:
        try:
            y, m, d = (int(p) for p in node.text.split("-"))
            return dt.date(y, m, d)
        except ValueError as exc:
            self.error(Code.LITERAL, f"{node.text} is not a date: {exc}", node.span,
                       "write dates as YYYY-MM-DD")
            return None

    def _e_String(self, node: ast.String) -> ir.Expr:
        return ir.Const(node.value, TEXT, f'"{node.value}"', span=node.span)

    def _e_Bool(self, node: ast.Bool) -> ir.Expr:
        return ir.Const(node.value, BOOL, node.kw, span=node.span)

    def _e_Today(self, node: ast.Today) -> ir.Expr:
        return ir.TodayRef(span=node.span)

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
        hint = did_you_mean(name, [*self.tags, *self.define_decls])
        if not hint and name in self.vocab.functions:
            hint = f"{name} is a function: call it as {name}(...)"
        if not hint:
            glued = next((k for k in sorted(KEYWORDS, key=len, reverse=True)
                          if not k.isascii() and k in name and k != name), None)
            if glued:
                hint = f"`{glued}` is a keyword: put spaces around it"
        self.error(Code.NAME, f"unknown name {name}", node.span, hint)
        return None

    def _e_Known(self, node: ast.Known) -> ir.Expr | None:
        ref = self._ref(node.name)
        return None if ref is None else ir.Known(ref, span=node.span)

    def _e_Neg(self, node: ast.Neg) -> ir.Expr | None:
        inner = self.expr(node.operand)
        if inner is None:
            return None
        if not (inner.type.is_numeric or inner.type.kind is Kind.DURATION):
            self.error(Code.TYPE, f"cannot negate {noun(inner.type)}", node.span)
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
                       f"cannot compute {noun(left.type)} {node.op} {noun(right.type)}",
                       node.span, _arith_hint(node.op, left.type, right.type))
            return None
        return ir.Arith(node.op, left, right, result, span=node.span)

    def _e_Call(self, node: ast.Call) -> ir.Expr | None:
        name = node.func.name
        spec = self.vocab.functions.get(name)
        if spec is None:
            self.error(Code.FUNC, f"unknown function {name}", node.func.span,
                       did_you_mean(name, self.vocab.functions)
                       or f"functions: {', '.join(sorted(self.vocab.functions))}")
            for arg in node.args:
                self.expr(arg)
            return None
        args = [self.expr(a) for a in node.args]
        n = len(args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            want = (f"{spec.min_args}" if spec.max_args == spec.min_args
                    else f"at least {spec.min_args}" if spec.max_args is None
                    else f"{spec.min_args} to {spec.max_args}")
            self.error(Code.FUNC, f"{name} takes {want} argument(s), not {n}", node.span)
            return None
        if any(a is None for a in args):
            return None
        typed = [a for a in args if a is not None]
        result = spec.typing([a.type for a in typed])
        if isinstance(result, str):
            self.error(Code.TYPE, f"{name}: {result}", node.span)
            return None
        return ir.Call(name, tuple(typed), result, span=node.span)

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
            self.error(Code.TYPE, f"{noun(left.type)} has no order: use == or !=",
                       node.span, "for a list of values write `in [...]`")
            return None
        return ir.Compare(node.op, left, right, span=node.span)

    def _mismatch(self, node: ast.Compare, left: ir.Expr, right: ir.Expr) -> None:
        both_numeric = left.type.is_numeric and right.type.is_numeric
        lt, rt = left.type, right.type
        message = f"{_show(node.left)} is {noun(lt)}, but {_show(node.right)} is {noun(rt)}"
        hint = ""
        if isinstance(right, ir.Const) and isinstance(right.value, Fraction):
            raw = (node.right.number if isinstance(node.right, ast.Quantity)
                   else format_number(right.value))
            suggestion = {Kind.MONEY: f"{raw}万", Kind.COUNT: f"{raw}{lt.unit or '个'}",
                          Kind.RATIO: f"{raw}%"}.get(lt.kind)
            peers = [t.name for t in self.tags.values()
                     if comparable(t.type, rt) and t.type.kind is rt.kind
                     and t.name != _show(node.left)]
            parts = []
            if suggestion:
                parts.append(f"write {suggestion} for {noun(lt)}")
            if peers:
                pick = closest(_show(node.left), peers) or peers[:1]
                parts.append(f"compare {pick[0]}")
            hint = ", or ".join(parts)
        self.error(Code.UNIT if both_numeric else Code.TYPE, message, node.right.span, hint)

    def _coerce_literal(self, target: Type, e: ir.Expr) -> ir.Expr | None:
        """A text literal met by an enum or a code becomes a checked, canonical value."""
        if not (isinstance(e, ir.Const) and e.type.kind is Kind.TEXT):
            return e
        if target.kind in (Kind.ENUM, Kind.CODE):
            value = self._option(target, e.value, e.span)  # type: ignore[arg-type]
            if value is None:
                return None
            return ir.Const(value, target, e.text, span=e.span)
        return e

    def _option(self, target: Type, value: str, span: Span) -> str | None:
        """One value of an enum, set or code, checked; canonical (codes) or as given."""
        if target.kind is Kind.CODE:
            hierarchy = self.vocab.hierarchies[target.hierarchy or ""]
            found = hierarchy.lookup(value)
            if found.code is None:
                reason = found.reason.removeprefix(f'"{value}": ')
                self.error(Code.CODE, f'unknown {target.hierarchy} code "{value}"'
                           + (f": {reason}" if reason else ""), span, found.hint)
            return found.code
        if target.values is not None and value not in target.values:
            self.error(Code.ENUM, f'"{value}" is not one of the declared values',
                       span, (did_you_mean(value, target.values) + " " if closest(
                           value, target.values) else "")
                       + "declared: " + ", ".join(f'"{v}"' for v in target.values))
            return None
        return value

    def _strings(self, items: Sequence[ast.Expr], target: Type) -> tuple[str, ...] | None:
        out: list[str] = []
        ok = True
        for item in items:
            if not isinstance(item, ast.String):
                if isinstance(item, ast.Name) and (target.values is None
                                                   or item.name in target.values):
                    self.error(Code.TYPE, f"{item.name} must be quoted", item.span,
                               f'write "{item.name}"')
                else:
                    self.error(Code.TYPE, "expected a quoted value", item.span)
                ok = False
                continue
            value = self._option(target, item.value, item.span)
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
            hint = "use has / has any for sets" if kind is Kind.SET else "compare with < > =="
            self.error(Code.TYPE, f"`in` tests enums, codes and text, not {noun(operand.type)}",
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
            hint = "use in [...] for an enum or code" if operand.type.kind in (
                Kind.ENUM, Kind.CODE) else ""
            self.error(Code.TYPE, f"`has` tests a set, not {noun(operand.type)}", node.span, hint)
            return None
        if node.mode == "one":
            items: Sequence[ast.Expr] = (node.value,)
            if isinstance(node.value, ast.ListExpr):
                self.error(Code.TYPE, "`has` takes one value", node.value.span,
                           "write has any [...] or has all [...] for a list")
                return None
        elif isinstance(node.value, ast.ListExpr):
            items = node.value.items
        else:
            items = (node.value,)
        values = self._strings(items, operand.type)
        if values is None:
            return None
        return ir.Has(operand, node.mode, values, span=node.span)  # type: ignore[arg-type]

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
            self.error(Code.LITERAL, f"at least {node.n} of a list of {len(items)}",
                       node.span, f"N must be between 1 and {len(items)}")
            return None
        return ir.AtLeast(node.n, items, span=node.span)

    def _e_ListExpr(self, node: ast.ListExpr) -> ir.Expr | None:
        self.error(Code.TYPE, "a list stands only after in, has any, has all or of", node.span,
                   "to test membership write `x in [...]`")
        return None

    def _e_Case(self, node: ast.Case) -> ir.Expr | None:
        branches: list[tuple[ir.Expr, ir.Expr]] = []
        ok = True
        values: list[tuple[ast.Expr, ir.Expr]] = []
        for branch in node.branches:
            test, value = self.condition(branch.test, "a case test"), self.expr(branch.value)
            if test is None or value is None:
                ok = False
                continue
            branches.append((test, value))
            values.append((branch.value, value))
        default = self.expr(node.default) if node.default is not None else None
        if node.default is None:
            self.error(Code.CASE, "case has no else branch", node.span,
                       "end it with `else: …` (否则), e.g. else: 0 or else: false")
            return None
        if default is None or not ok:
            return None
        values.append((node.default, default))
        literals = [v.value for _, v in values
                    if isinstance(v, ir.Const) and v.type.kind is Kind.TEXT]
        if len(literals) == len(values):
            # A case of quoted labels is an enum of exactly those labels, so a test such as
            # 企业规模划型 in ["中形"] is checked like any enum value.
            ordered_labels = tuple(dict.fromkeys(literals))  # type: ignore[arg-type]
            return ir.Case(tuple(branches), default, Type(Kind.ENUM, values=ordered_labels),
                           span=node.span)
        result = values[0][1].type
        for source, value in values[1:]:
            merged = _unify(result, value.type)
            if merged is None:
                self.error(Code.TYPE, f"case branches disagree: {noun(result)} and "
                           f"{noun(value.type)}", source.span,
                           "every branch of a case yields the same kind of value")
                return None
            result = merged
        return ir.Case(tuple(branches), default, result, span=node.span)


def _unify(a: Type, b: Type) -> Type | None:
    if a.is_numeric and b.is_numeric:
        return unify_numeric(a, b)
    if a.kind is Kind.ENUM and b.kind is Kind.ENUM and a.values and b.values:
        return Type(Kind.ENUM, values=tuple(dict.fromkeys(a.values + b.values)))
    if a.kind is b.kind and a.kind in (Kind.BOOL, Kind.DATE, Kind.DURATION, Kind.TEXT):
        return a
    if {a.kind, b.kind} <= {Kind.TEXT, Kind.ENUM}:
        return TEXT
    return None


def _show(node: ast.Expr) -> str:
    """Short source-like text of an operand for messages."""
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Quantity):
        return node.text
    if isinstance(node, ast.Number | ast.DateLit):
        return node.text
    if isinstance(node, ast.String):
        return f'"{node.value}"'
    return "the left side" if node else ""


def _arith_hint(op: str, a: Type, b: Type) -> str:
    if op in "+-" and a.is_numeric and b.is_numeric:
        return "add or subtract values of one unit (money with money, counts with counts)"
    if a.kind is Kind.DATE or b.kind is Kind.DATE:
        return "a date moves by a duration: today - 1年"
    return ""

