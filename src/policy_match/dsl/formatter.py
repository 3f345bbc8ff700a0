"""AST → canonical rule text (``policy-match fmt``).

The formatter exists so that rule authors never argue about layout and so that reviews show
only changes of meaning. Its contract, proved by ``tests/dsl/test_formatter.py``:

- **round trip**: ``parse(format_module(m)).decls == m.decls`` — spans and layout take no
  part in AST equality, so this says the text means exactly what the tree means;
- **idempotence**: formatting canonical text changes nothing;
- **comments survive**: every ``# comment`` is written back, in source order.

What the author chose is kept: keyword spellings (``and`` or ``且``, the ``kw`` fields),
parentheses (``Paren`` nodes) and literal texts (``1.5亿元``, ``2024-7-1``). What is only
typing noise is normalised: full-width ``：，；（）`` become ASCII, ``“…”`` becomes ``"…"``,
``≥ ≤ ≠`` become ``>= <= !=``, spacing and line breaks follow one style.

Layout is decided from the tree alone (never from the old layout): one declaration, field,
example line or ``case`` branch per line; a list, ``给定`` block or ``and``/``or`` chain on
one line when it fits in ``WIDTH`` display columns, else one element per line. The one
exception is a comment among the elements of a list, ``给定`` or chain: that container is
broken too, so the comment keeps its place beside the element it talks about. ``case``
branches get a ``;`` only where the next branch would otherwise continue the previous one
(it starts with ``-`` or ``(``). Blank lines: between declarations of different kinds, around
every policy, before each example, and where the author detached a top-level comment.

How comments are placed: the printer first lays out lines, each tagged with the source
offset of the first thing on it (its *anchor*). A comment that had code before it on its
source line goes to the end of the last printed line that starts before it; a comment on a
line of its own goes before the first printed line that starts after it, indented like that
line. Because printed lines keep source order, that is where the comment stood — and when a
comment sat inside something now printed on one line, it lands just after that line.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from . import ast
from .parser import KEYWORDS, PAIRS, parse
from .span import Span

__all__ = ["WIDTH", "display_width", "format_module", "format_source"]

WIDTH = 100
"""Lines are kept within this many display columns where the tree allows it."""

INDENT = 4

# Binding strength, loosest first. A child printed where the grammar expects a tighter
# level needs parentheses; a tree built by the parser never does (it has its ``Paren``
# nodes), but a tree built by hand might, and it must still print what it means.
OR, AND, NOT, CMP, SUM, PROD, UNARY, PRIMARY = range(8)

_PAIR_KEYWORDS = {" ".join(words): kind for words, kind in PAIRS.items()}
_OPS = {"≥": ">=", "≤": "<=", "≠": "!="}


# ---- public entry points ----------------------------------------------------------------


def format_source(text: str, path: str = "<string>") -> str | None:
    """Canonical text of one file, or None when it has syntax errors.

    None rather than a best effort: the parser skips a declaration it cannot read, so
    formatting what it did read would silently delete the author's broken text.
    """
    result = parse(text, path)
    if result.diagnostics:
        return None
    return format_module(result.module)


def format_module(module: ast.Module) -> str:
    """Canonical text for a parsed (or hand-built) module, comments included."""
    printer = _Printer(module)
    printer.decls()
    return _weave(printer.lines, module, _code_spans(module))


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal or editor: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# ---- keywords and literals --------------------------------------------------------------


def _kw(written: str, kind: str, default: str) -> str:
    """The author's spelling of a keyword, if it is one; else the English default.

    Trees from the parser always carry a valid spelling; the fallback keeps a hand-built
    tree (say ``In(negated=True)`` left with the default ``kw="in"``) from printing a
    different meaning.
    """
    if KEYWORDS.get(written) == kind or _PAIR_KEYWORDS.get(written) == kind:
        return written
    return default


def _quote(value: str) -> str:
    """A ``"…"`` literal that the parser reads back as ``value``.

    The parser understands ``\\n``, ``\\t`` and a backslash before any other character as
    that character; a raw line break cannot appear inside a string.
    """
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _bool_kw(e: ast.Bool) -> str:
    return _kw(e.kw, "TRUE", "true") if e.value else _kw(e.kw, "FALSE", "false")


def _has_kw(e: ast.Has) -> str:
    kind, default = {"one": ("HAS", "has"), "any": ("HAS_ANY", "has any"),
                     "all": ("HAS_ALL", "has all")}[e.mode]
    return _kw(e.kw, kind, default)


def _in_kw(e: ast.In) -> str:
    return _kw(e.kw, "NOT_IN", "not in") if e.negated else _kw(e.kw, "IN", "in")


def _at_least_kw(e: ast.AtLeast) -> str:
    return f"至少满足 {e.n} 项" if e.chinese else f"at least {e.n} of"


def _type_text(t: ast.TypeExpr) -> str:
    if t.paren is not None:
        return f"{t.name.name}({t.paren.name})"
    if t.items is not None:
        items = (_quote(i.value) if isinstance(i, ast.String) else i.name for i in t.items)
        return f"{t.name.name}[{', '.join(items)}]"
    return t.name.name


def _validity_text(v: ast.Validity) -> str:
    sep = v.sep if v.sep in ("至", "..") else "至"
    return f"{v.start.text} {sep} {v.end.text}" if v.end is not None else f"{v.start.text} {sep}"


# ---- expressions as flat text -----------------------------------------------------------


def _level(e: ast.Expr) -> int:
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


def _parts(e: ast.Expr) -> list[Part]:
    """An expression as text pieces and children, in print order.

    One description serves both the one-line form (``_flat``) and the broken form (the
    printer walks the same parts), so the two cannot disagree about what is printed.
    """
    match e:
        case ast.Number() | ast.DateLit():
            return [e.text]
        case ast.Quantity():
            return [e.number + e.unit]
        case ast.String():
            return [_quote(e.value)]
        case ast.Bool():
            return [_bool_kw(e)]
        case ast.Name():
            return [e.name]
        case ast.Today():
            return [_kw(e.kw, "TODAY", "today")]
        case ast.Known():
            return [f"{_kw(e.kw, 'KNOWN', 'known')}({e.name.name})"]
        case ast.Call():
            return [f"{e.func.name}(", *_separated(e.args, ", ", OR), ")"]
        case ast.Neg():
            return ["-", (e.operand, UNARY)]
        case ast.Paren():
            return ["(", (e.inner, OR), ")"]
        case ast.Arith():
            level = _level(e)
            # Left-associative: the right operand must bind tighter than the operator.
            return [(e.left, level), f" {e.op} ", (e.right, level + 1)]
        case ast.Compare():
            return [(e.left, SUM), f" {_OPS.get(e.op, e.op)} ", (e.right, SUM)]
        case ast.In():
            return [(e.operand, SUM), f" {_in_kw(e)} ", (e.options, PRIMARY)]
        case ast.Has():
            return [(e.operand, SUM), f" {_has_kw(e)} ", (e.value, SUM)]
        case ast.Not():
            return [f"{_kw(e.kw, 'NOT', 'not')} ", (e.operand, NOT)]
        case ast.And():
            return _separated(e.items, f" {_kw(e.kw, 'AND', 'and')} ", NOT)
        case ast.Or():
            return _separated(e.items, f" {_kw(e.kw, 'OR', 'or')} ", AND)
        case ast.ListExpr():
            return ["[", *_separated(e.items, ", ", OR), "]"]
        case ast.AllOf():
            return [f"{_kw(e.kw, 'ALL_OF', 'all of')} ", (e.items, PRIMARY)]
        case ast.AnyOf():
            return [f"{_kw(e.kw, 'ANY_OF', 'any of')} ", (e.items, PRIMARY)]
        case ast.AtLeast():
            return [f"{_at_least_kw(e)} ", (e.items, PRIMARY)]
        case ast.Case():
            # Only used for measuring and for the first/last token; a case is always
            # printed one branch per line.
            parts: list[Part] = ["case { "]
            for i, b in enumerate(e.branches):
                parts += ["; " if i else "", (b.test, OR), ": ", (b.value, OR)]
            if e.default is not None:
                parts += [f"; {_kw(e.else_kw, 'ELSE', 'else')}: ", (e.default, OR)]
            return [*parts, " }"]
    raise TypeError(f"not an expression: {e!r}")


def _separated(items: tuple[ast.Expr, ...], sep: str, level: int) -> list[Part]:
    out: list[Part] = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.append((item, level))
    return out


def _flat(e: ast.Expr) -> str:
    """The expression on one line (a ``case`` with ``;`` between branches)."""
    out: list[str] = []
    for part in _parts(e):
        if isinstance(part, str):
            out.append(part)
        else:
            child, level = part
            text = _flat(child)
            out.append(f"({text})" if _needs_parens("".join(out), child, level, text) else text)
    return "".join(out)


def _needs_parens(before: str, child: ast.Expr, level: int, text: str | None = None) -> bool:
    """Whether ``child``, printed after the text ``before``, must be parenthesised.

    Either it binds more loosely than its place in the grammar allows (never so in a parsed
    tree: the parser keeps its ``Paren`` nodes), or its first word would fuse with the
    keyword before it into a two-word keyword: ``has`` + ``all of [...]`` lexes as
    ``has all`` + ``of``.
    """
    if _level(child) < level:
        return True
    words_before = before.split()
    words_after = (_flat(child) if text is None else text).split()
    return bool(words_before and words_after) and (words_before[-1], words_after[0]) in PAIRS


def _nodes(node: object) -> Iterator[object]:
    """Every AST node under ``node`` (itself included), in field order."""
    if isinstance(node, tuple):
        for item in node:
            yield from _nodes(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, Span | type):
        yield node
        for f in dataclasses.fields(node):
            if f.name != "span":
                yield from _nodes(getattr(node, f.name))


def _contains_case(e: ast.Expr) -> bool:
    return any(isinstance(n, ast.Case) for n in _nodes(e))


def _runs_on(value: ast.Expr, next_test: ast.Expr) -> bool:
    """Whether a case branch's value would swallow the next branch's test without ``;``.

    Line breaks are whitespace, so ``x\\n-y > 0: …`` reads as ``x - y``, ``f\\n(y) …`` as a
    call, and ``at\\nleast`` as the keyword ``at least``; ``;`` keeps them apart.
    """
    before, after = _flat(value), _flat(next_test)
    if after[:1] in ("(", "-"):
        return True
    last = before.rsplit(None, 1)[-1] if before.strip() else ""
    first = after.split(None, 1)[0] if after.strip() else ""
    return (last, first) in PAIRS


# ---- layout -----------------------------------------------------------------------------


@dataclass
class _Line:
    indent: int
    anchor: int  # source offset of the first thing printed on this line
    comment_indent: int  # indentation of own-line comments placed before this line
    blank_before: bool = False
    text: str = ""
    decl_line: int | None = None  # source line of the declaration this line starts
    after_decl: int = -1  # source offset where the declaration before that one ends


class _Printer:
    """Lays a module out as lines; comments are woven in afterwards by ``_weave``."""

    def __init__(self, module: ast.Module) -> None:
        self.module_ = module
        self.lines: list[_Line] = []
        self.comment_starts = [c.span.start for c in module.comments]

    # -- line buffer

    def newline(self, indent: int, anchor: int, *, comment_indent: int | None = None,
                blank: bool = False) -> None:
        ci = indent if comment_indent is None else comment_indent
        self.lines.append(_Line(indent, anchor, ci, blank))

    def write(self, text: str) -> None:
        self.lines[-1].text += text

    @property
    def col(self) -> int:
        line = self.lines[-1]
        return line.indent + display_width(line.text)

    @property
    def indent(self) -> int:
        return self.lines[-1].indent

    # -- declarations

    def decls(self) -> None:
        previous: ast.Decl | None = None
        for decl in self.module_.decls:
            # Tags group with tags and defines with defines; a policy stands apart.
            blank = previous is not None and (
                type(decl) is not type(previous) or isinstance(decl, ast.PolicyDecl)
            )
            self.newline(0, decl.span.start, blank=blank)
            self.lines[-1].decl_line = decl.span.line
            self.lines[-1].after_decl = previous.span.end if previous is not None else -1
            match decl:
                case ast.TagDecl():
                    self.tag(decl)
                case ast.DefineDecl():
                    self.write(f"define {decl.name.name} = ")
                    self.expr(decl.expr)
                case ast.PolicyDecl():
                    self.policy(decl)
            previous = decl

    def tag(self, t: ast.TagDecl) -> None:
        text = f"tag {t.name.name}: {_type_text(t.type)}"
        if t.key:
            text += " key"
        if t.label is not None:
            text += f" {_quote(t.label.value)}"
        self.write(text)

    def policy(self, p: ast.PolicyDecl) -> None:
        self.write(f"policy {_quote(p.id.value)} {{")
        previous: ast.Field | ast.Example | None = None
        for item in p.items:
            # Examples are blocks: a blank line sets each apart from what precedes it.
            blank = previous is not None and (
                isinstance(item, ast.Example) or isinstance(previous, ast.Example)
            )
            self.newline(INDENT, item.span.start, blank=blank)
            if isinstance(item, ast.Field):
                self.write(f"{item.name.name}: ")
                if isinstance(item.value, ast.Validity):
                    self.write(_validity_text(item.value))
                else:
                    self.expr(item.value)
            else:
                self.example(item)
            previous = item
        self.close("}", 0, p.span)

    def example(self, ex: ast.Example) -> None:
        self.write(f"{ex.keyword.name} {_quote(ex.title.value)} {{")
        inner = 2 * INDENT
        for item in ex.items:
            self.newline(inner, item.span.start)
            match item:
                case ast.ExampleDate():
                    kw = item.kw if item.kw in ("today", "评估日", "as of") else "评估日"
                    self.write(f"{kw} {item.date.text}")
                case ast.ExampleStmt():
                    self.write(f"{item.keyword.name} ")
                    self.expr(item.value)
                case ast.Given():
                    self.given(item)
        self.close("}", INDENT, ex.span)

    def given(self, g: ast.Given) -> None:
        self.write(f"{g.keyword.name} ")
        if not g.entries:
            self.write("{}")
            return
        flat = "{ " + ", ".join(f"{e.name.name}: {_flat(e.value)}" for e in g.entries) + " }"
        fits = (
            self.col + display_width(flat) <= WIDTH
            and not any(_contains_case(e.value) for e in g.entries)
            and not self.comment_inside(g.span)
        )
        if fits:
            self.write(flat)
            return
        base = self.indent
        self.write("{")
        for entry in g.entries:
            self.newline(base + INDENT, entry.span.start)
            self.write(f"{entry.name.name}: ")
            self.expr(entry.value, tail=1)
            self.write(",")
        self.close("}", base, g.span)

    def close(self, bracket: str, indent: int, span: Span) -> None:
        """A closing bracket on its own line; comments before it keep the body's indent."""
        self.newline(indent, span.end - 1, comment_indent=indent + INDENT)
        self.write(bracket)

    # -- expressions

    def comment_inside(self, span: Span) -> bool:
        return any(span.start < c < span.end for c in self.comment_starts)

    def comment_between_elements(self, e: ast.Expr) -> bool:
        """Whether a comment sits among the elements of a list or an ``and``/``or`` chain.

        Such a container is printed one element per line so the comment keeps its place.
        For a chain only comments before its last operand count: one inside the last operand
        would end up after the chain whether or not it is broken, and breaking for it would
        make the next formatting undo the break.
        """
        if isinstance(e, ast.ListExpr):
            return self.comment_inside(e.span)
        if isinstance(e, ast.And | ast.Or) and e.items:
            return any(e.span.start < c < e.items[-1].span.start for c in self.comment_starts)
        return False

    def expr(self, e: ast.Expr, tail: int = 0) -> None:
        """Print ``e`` at the cursor; ``tail`` is the width of what must follow on the line."""
        fits = (
            not _contains_case(e)
            and not self.comment_between_elements(e)
            and self.col + display_width(_flat(e)) + tail <= WIDTH
        )
        if fits:
            self.write(_flat(e))
        elif isinstance(e, ast.And | ast.Or):
            self.chain(e, tail)
        elif isinstance(e, ast.ListExpr) and e.items:
            self.list_items(e)
        elif isinstance(e, ast.Case):
            self.case(e)
        else:
            self.parts(_parts(e), tail)

    def child(self, e: ast.Expr, level: int, tail: int, parens: bool = False) -> None:
        if parens or _level(e) < level:
            self.write("(")
            self.expr(e, tail + 1)
            self.write(")")
        else:
            self.expr(e, tail)

    def parts(self, parts: list[Part], tail: int) -> None:
        for i, part in enumerate(parts):
            if isinstance(part, str):
                self.write(part)
                continue
            # What follows this child on its line: text up to the next child, or the
            # enclosing tail when no child follows.
            after = 0
            for later in parts[i + 1:]:
                if not isinstance(later, str):
                    break
                after += display_width(later)
            else:
                after += tail
            before = "".join(p for p in parts[:i] if isinstance(p, str))
            self.child(part[0], part[1], after, _needs_parens(before, part[0], part[1]))

    def chain(self, e: ast.And | ast.Or, tail: int) -> None:
        """A long ``and``/``or``: broken before each keyword, continuation indented."""
        if isinstance(e, ast.And):
            kw, level = _kw(e.kw, "AND", "and"), NOT
        else:
            kw, level = _kw(e.kw, "OR", "or"), AND
        base = self.indent
        last = len(e.items) - 1
        for i, item in enumerate(e.items):
            if i:
                self.newline(base + INDENT, item.span.start)
                self.write(f"{kw} ")
            self.child(item, level, tail if i == last else 0)

    def list_items(self, e: ast.ListExpr) -> None:
        base = self.indent
        self.write("[")
        for item in e.items:
            self.newline(base + INDENT, item.span.start)
            self.expr(item, tail=1)
            self.write(",")
        self.close("]", base, e.span)

    def case(self, e: ast.Case) -> None:
        base = self.indent
        self.write("case {")
        for i, b in enumerate(e.branches):
            self.newline(base + INDENT, b.span.start)
            self.expr(b.test, tail=1)
            self.write(": ")
            self.expr(b.value)
            following = e.branches[i + 1].test if i + 1 < len(e.branches) else None
            if following is not None and _runs_on(b.value, following):
                self.write(";")
        if e.default is not None:
            self.newline(base + INDENT, e.default.span.start)
            self.write(f"{_kw(e.else_kw, 'ELSE', 'else')}: ")
            self.expr(e.default)
        self.close("}", base, e.span)


# ---- comments ---------------------------------------------------------------------------


def _code_spans(module: ast.Module) -> list[Span]:
    """The spans of every node: where code stands, as opposed to comments and blanks."""
    spans = (getattr(n, "span", None) for n in _nodes(module.decls))
    return [s for s in spans if isinstance(s, Span) and s != ast.NO_SPAN]


def _is_trailing(c: ast.Comment, spans: list[Span]) -> bool:
    """Whether code stood before the comment on its line (some node starts or ends there)."""
    line, start = c.span.line, c.span.start
    return any(
        (s.line == line and s.start < start) or (s.end_line == line and s.end <= start)
        for s in spans
    )


def _weave(lines: list[_Line], module: ast.Module, spans: list[Span]) -> str:
    """Join the lines, putting every comment back (see the module docstring).

    Places are numbered in print order: ``2k`` is "on its own line before line k", ``2k+1``
    is "at the end of line k". Each comment takes its ideal place, or the place of the
    comment before it if that is later, so the order never changes; a line end holds one
    comment, and a second one moves to the next own-line place. Nothing is dropped: the
    last place, ``2 * len(lines)``, is the end of the file.
    """
    placed: dict[int, list[ast.Comment]] = {}
    floor = 0
    for c in sorted(module.comments, key=lambda c: c.span.start):
        start = c.span.start
        before = [k for k, line in enumerate(lines) if line.anchor < start]
        if _is_trailing(c, spans) and before:
            place = 2 * before[-1] + 1
        else:
            place = 2 * next((k for k, line in enumerate(lines) if line.anchor > start),
                             len(lines))
        place = max(place, floor)
        if place % 2 and placed.get(place):
            place += 1
        placed.setdefault(place, []).append(c)
        floor = place

    out: list[str] = []
    for k, line in enumerate(lines):
        own = placed.get(2 * k, [])
        if line.decl_line is not None:
            # A commented declaration opens a section: set it apart even inside a group.
            if out and (line.blank_before or own):
                out.append("")
            out += _comment_block(own, line.after_decl, line.decl_line)
        else:
            if line.blank_before and out:
                out.append("")
            out += [" " * line.comment_indent + c.text.rstrip() for c in own]
        text = " " * line.indent + line.text
        for c in placed.get(2 * k + 1, []):
            text += "  " + c.text.rstrip()
        out.append(text)

    tail = placed.get(2 * len(lines), [])
    if tail and module.decls:
        last = module.decls[-1]
        if isinstance(last, ast.PolicyDecl) or tail[0].span.line > last.span.end_line + 1:
            out.append("")
    out += _comment_block(tail, module.decls[-1].span.end if module.decls else -1, None)
    return "\n".join(out) + "\n" if out else ""


def _comment_block(comments: list[ast.Comment], after: int, decl_line: int | None) -> list[str]:
    """Top-level comments, keeping the blank lines the author put between them.

    A file header or a section banner is usually followed by a blank line that detaches it
    from the first declaration; that blank line (and one between comment paragraphs) is
    part of the layout's meaning, so it is kept — one line, however many there were. Only
    comments that stood between declarations count (``start > after``): one pushed out of
    an expression had code around it, not blank lines.
    """
    out: list[str] = []
    for i, c in enumerate(comments):
        prev = comments[i - 1] if i else None
        if prev and prev.span.start > after and c.span.line > prev.span.line + 1:
            out.append("")
        out.append(c.text.rstrip())
    if comments and decl_line is not None:
        last = comments[-1]
        if last.span.start > after and decl_line > last.span.line + 1:
            out.append("")
    return out
