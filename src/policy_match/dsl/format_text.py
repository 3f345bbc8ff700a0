"""Rule text for single expressions and declaration parts, on one line (``fmt``).

Every expression is described once, as text pieces and children (:func:`parts_of`); the
one-line form (:func:`flat`) and the printer's broken form (``format_layout``) both walk
that description, so they cannot disagree about what is printed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from policy_match.dsl import ast
from policy_match.dsl.parser import KEYWORDS, PAIRS
from policy_match.dsl.span import Span

# Binding strength, loosest first. A child printed where the grammar expects a tighter
# level needs parentheses; a tree built by the parser never does (it has its ``Paren``
# nodes), but a tree built by hand might, and it must still print what it means.
OR, AND, NOT, CMP, SUM, PROD, UNARY, PRIMARY = range(8)

_PAIR_KEYWORDS = {" ".join(words): kind for words, kind in PAIRS.items()}
_OPS = {"≥": ">=", "≤": "<=", "≠": "!="}


def spelling(written: str, kind: str, default: str) -> str:
    """The author's spelling of a keyword, if it is one; else the English default.

    Trees from the parser always carry a valid spelling; the fallback keeps a hand-built
    tree (say ``In(negated=True)`` left with the default ``kw="in"``) from printing a
    different meaning.
    """
    if KEYWORDS.get(written) == kind or _PAIR_KEYWORDS.get(written) == kind:
        return written
    return default


def quote(value: str) -> str:
    """A ``"…"`` literal that the parser reads back as ``value``.

    The parser understands ``\\n``, ``\\t`` and a backslash before any other character as
    that character; a raw line break cannot appear inside a string.
    """
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _bool_kw(e: ast.Bool) -> str:
    return spelling(e.kw, "TRUE", "true") if e.value else spelling(e.kw, "FALSE", "false")


def _has_kw(e: ast.Has) -> str:
    kind, default = {"one": ("HAS", "has"), "any": ("HAS_ANY", "has any"),
                     "all": ("HAS_ALL", "has all")}[e.mode]
    return spelling(e.kw, kind, default)


def _in_kw(e: ast.In) -> str:
    return spelling(e.kw, "NOT_IN", "not in") if e.negated else spelling(e.kw, "IN", "in")


def _at_least_kw(e: ast.AtLeast) -> str:
    return f"至少满足 {e.n} 项" if e.chinese else f"at least {e.n} of"


def type_text(t: ast.TypeExpr) -> str:
    if t.paren is not None:
        return f"{t.name.name}({t.paren.name})"
    if t.items is not None:
        items = (quote(i.value) if isinstance(i, ast.String) else i.name for i in t.items)
        return f"{t.name.name}[{', '.join(items)}]"
    return t.name.name


def validity_text(v: ast.Validity) -> str:
    sep = v.sep if v.sep in ("至", "..") else "至"
    return f"{v.start.text} {sep} {v.end.text}" if v.end is not None else f"{v.start.text} {sep}"


# ---- expressions as flat text -----------------------------------------------------------


def level_of(e: ast.Expr) -> int:
    match e:
        case ast.Or():
            return OR
        case ast.And():
            return AND
        case ast.Not():
            return NOT
        case ast.Compare() | ast.In() | ast.Has():
            return CMP
        case ast.Arith(op="+" | "-"):
            return SUM
        case ast.Arith():
            return PROD
        case ast.Neg():
            return UNARY
    return PRIMARY


Part = str | tuple[ast.Expr, int]
"""A piece of an expression's text: literal text, or a child with the level it needs."""


def parts_of(e: ast.Expr) -> list[Part]:
    """An expression as text pieces and children, in print order.

    One description serves both the one-line form (``flat``) and the broken form (the
    printer walks the same parts), so the two cannot disagree about what is printed.
    """
    match e:
        case ast.Number() | ast.DateLit():
            return [e.text]
        case ast.Quantity():
            return [e.number + e.unit]
        case ast.String():
            return [quote(e.value)]
        case ast.Bool():
            return [_bool_kw(e)]
        case ast.Name():
            return [e.name]
        case ast.Today():
            return [spelling(e.kw, "TODAY", "today")]
        case ast.Known():
            return [f"{spelling(e.kw, 'KNOWN', 'known')}({e.name.name})"]
        case ast.Call():
            return [f"{e.func.name}(", *_separated(e.args, ", ", OR), ")"]
        case ast.Neg():
            return ["-", (e.operand, UNARY)]
        case ast.Paren():
            return ["(", (e.inner, OR), ")"]
        case ast.Arith():
            level = level_of(e)
            # Left-associative: the right operand must bind tighter than the operator.
            return [(e.left, level), f" {e.op} ", (e.right, level + 1)]
        case ast.Compare():
            return [(e.left, SUM), f" {_OPS.get(e.op, e.op)} ", (e.right, SUM)]
        case ast.In():
            return [(e.operand, SUM), f" {_in_kw(e)} ", (e.options, PRIMARY)]
        case ast.Has():
            return [(e.operand, SUM), f" {_has_kw(e)} ", (e.value, SUM)]
        case ast.Not():
            return [f"{spelling(e.kw, 'NOT', 'not')} ", (e.operand, NOT)]
        case ast.And():
            return _separated(e.items, f" {spelling(e.kw, 'AND', 'and')} ", NOT)
        case ast.Or():
            return _separated(e.items, f" {spelling(e.kw, 'OR', 'or')} ", AND)
        case ast.ListExpr():
            return ["[", *_separated(e.items, ", ", OR), "]"]
        case ast.AllOf():
            return [f"{spelling(e.kw, 'ALL_OF', 'all of')} ", (e.items, PRIMARY)]
        case ast.AnyOf():
            return [f"{spelling(e.kw, 'ANY_OF', 'any of')} ", (e.items, PRIMARY)]
        case ast.AtLeast():
            return [f"{_at_least_kw(e)} ", (e.items, PRIMARY)]
        case ast.Case():
            # Only used for measuring and for the first/last token; a case is always
            # printed one branch per line.
            parts: list[Part] = ["case { "]
            for i, b in enumerate(e.branches):
                parts += ["; " if i else "", (b.test, OR), ": ", (b.value, OR)]
            if e.default is not None:
                parts += [f"; {spelling(e.else_kw, 'ELSE', 'else')}: ", (e.default, OR)]
            return [*parts, " }"]
    raise TypeError(f"not an expression: {e!r}")


def _separated(items: tuple[ast.Expr, ...], sep: str, level: int) -> list[Part]:
    out: list[Part] = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.append((item, level))
    return out


def flat(e: ast.Expr) -> str:
    """The expression on one line (a ``case`` with ``;`` between branches)."""
    out: list[str] = []
    for part in parts_of(e):
        if isinstance(part, str):
            out.append(part)
        else:
            child, level = part
            text = flat(child)
            out.append(f"({text})" if needs_parens("".join(out), child, level, text) else text)
    return "".join(out)


def needs_parens(before: str, child: ast.Expr, level: int, text: str | None = None) -> bool:
    """Whether ``child``, printed after the text ``before``, must be parenthesised.

    Either it binds more loosely than its place in the grammar allows (never so in a parsed
    tree: the parser keeps its ``Paren`` nodes), or its first word would fuse with the
    keyword before it into a two-word keyword: ``has`` + ``all of [...]`` lexes as
    ``has all`` + ``of``.
    """
    if level_of(child) < level:
        return True
    words_before = before.split()
    words_after = (flat(child) if text is None else text).split()
    return bool(words_before and words_after) and (words_before[-1], words_after[0]) in PAIRS


def nodes(node: object) -> Iterator[object]:
    """Every AST node under ``node`` (itself included), in field order."""
    if isinstance(node, tuple):
        for item in node:
            yield from nodes(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, Span | type):
        yield node
        for f in dataclasses.fields(node):
            if f.name != "span":
                yield from nodes(getattr(node, f.name))


def contains_case(e: ast.Expr) -> bool:
    return any(isinstance(n, ast.Case) for n in nodes(e))


def runs_on(value: ast.Expr, next_test: ast.Expr) -> bool:
    """Whether a case branch's value would swallow the next branch's test without ``;``.

    Line breaks are whitespace, so ``x\\n-y > 0: …`` reads as ``x - y``, ``f\\n(y) …`` as a
    call, and ``at\\nleast`` as the keyword ``at least``; ``;`` keeps them apart.
    """
    before, after = flat(value), flat(next_test)
    if after[:1] in ("(", "-"):
        return True
    last = before.rsplit(None, 1)[-1] if before.strip() else ""
    first = after.split(None, 1)[0] if after.strip() else ""
    return (last, first) in PAIRS
