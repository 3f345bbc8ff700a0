"""Laying a module out as lines (``fmt``): where lines break and how far they indent.

Layout is decided from the tree alone, never from the old layout: one declaration, field,
example line or ``case`` branch per line; a list, ``给定`` block or ``and``/``or`` chain on
one line when it fits in ``WIDTH`` display columns, else one element per line. The one
exception is a comment among the elements of a list, ``给定`` or chain: that container is
broken too, so the comment keeps its place beside the element it talks about. Each line
records the source offset of the first thing on it, for ``format_comments`` to place the
comments by.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from policy_match.dsl import ast
from policy_match.dsl.format_text import (
    AND,
    NOT,
    Part,
    contains_case,
    flat,
    level_of,
    needs_parens,
    parts_of,
    quote,
    runs_on,
    spelling,
    type_text,
    validity_text,
)
from policy_match.dsl.span import Span

WIDTH = 100
"""Lines are kept within this many display columns where the tree allows it."""

INDENT = 4


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal or editor: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass
class Line:
    indent: int
    anchor: int  # source offset of the first thing printed on this line
    comment_indent: int  # indentation of own-line comments placed before this line
    blank_before: bool = False
    text: str = ""
    decl_line: int | None = None  # source line of the declaration this line starts
    after_decl: int = -1  # source offset where the declaration before that one ends


class Printer:
    """Lays a module out as lines; comments are woven in afterwards by ``weave``."""

    def __init__(self, module: ast.Module) -> None:
        self.module_ = module
        self.lines: list[Line] = []
        self.comment_starts = [c.span.start for c in module.comments]

    # -- line buffer

    def newline(self, indent: int, anchor: int, *, comment_indent: int | None = None,
                blank: bool = False) -> None:
        ci = indent if comment_indent is None else comment_indent
        self.lines.append(Line(indent, anchor, ci, blank))

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
        text = f"tag {t.name.name}: {type_text(t.type)}"
        if t.signed:
            text += " signed"
        if t.key:
            text += " key"
        if t.label is not None:
            text += f" {quote(t.label.value)}"
        self.write(text)

    def policy(self, p: ast.PolicyDecl) -> None:
        self.write(f"policy {quote(p.id.value)} {{")
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
                    self.write(validity_text(item.value))
                else:
                    self.expr(item.value)
            else:
                self.example(item)
            previous = item
        self.close("}", 0, p.span)

    def example(self, ex: ast.Example) -> None:
        self.write(f"{ex.keyword.name} {quote(ex.title.value)} {{")
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
        one_line = "{ " + ", ".join(f"{e.name.name}: {flat(e.value)}" for e in g.entries) + " }"
        fits = (
            self.col + display_width(one_line) <= WIDTH
            and not any(contains_case(e.value) for e in g.entries)
            and not self.comment_inside(g.span)
        )
        if fits:
            self.write(one_line)
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
            not contains_case(e)
            and not self.comment_between_elements(e)
            and self.col + display_width(flat(e)) + tail <= WIDTH
        )
        if fits:
            self.write(flat(e))
        elif isinstance(e, ast.And | ast.Or):
            self.chain(e, tail)
        elif isinstance(e, ast.ListExpr) and e.items:
            self.list_items(e)
        elif isinstance(e, ast.Case):
            self.case(e)
        else:
            self.parts(parts_of(e), tail)

    def child(self, e: ast.Expr, level: int, tail: int, parens: bool = False) -> None:
        if parens or level_of(e) < level:
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
            self.child(part[0], part[1], after, needs_parens(before, part[0], part[1]))

    def chain(self, e: ast.And | ast.Or, tail: int) -> None:
        """A long ``and``/``or``: broken before each keyword, continuation indented."""
        if isinstance(e, ast.And):
            kw, level = spelling(e.kw, "AND", "and"), NOT
        else:
            kw, level = spelling(e.kw, "OR", "or"), AND
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
            if following is not None and runs_on(b.value, following):
                self.write(";")
        if e.default is not None:
            self.newline(base + INDENT, e.default.span.start)
            self.write(f"{spelling(e.else_kw, 'ELSE', 'else')}: ")
            self.expr(e.default)
        self.close("}", base, e.span)
