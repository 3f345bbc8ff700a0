"""Rule text → AST, with every syntax error as a diagnostic.

Lark parses (LALR, basic lexer); words are lexed as ``NAME`` and retyped here from one
keyword table, so the English keywords and their 中文 aliases sit side by side. After a
syntax error the file is cut at the next top-level declaration and parsing resumes there,
so one load reports the syntax errors of every declaration, not just the first.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    UnexpectedInput,
    VisitError,
)
from lark.tree import Meta

from policy_match.dsl import ast
from policy_match.dsl.diagnostics import Code, Diagnostic
from policy_match.dsl.keywords import KEYWORDS, PAIRS
from policy_match.dsl.span import Span
from policy_match.dsl.syntax_errors import syntax_diagnostic
from policy_match.dsl.unicode_check import bidi_warnings
from policy_match.dsl.words import Words

__all__ = ["KEYWORDS", "PAIRS", "ParseResult", "grammar_text", "line_starts", "parse"]

_DECL_START = re.compile(r"^[ \t\u3000]*(?:tag|define|policy)\b", re.MULTILINE)


class _KeywordPostLex:
    """Retypes keyword NAMEs and fuses two-word keywords into one token."""

    always_accept = ("NAME",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        tokens = list(stream)
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            after = tokens[i + 2] if i + 2 < len(tokens) else None
            pair = _pair_kind(tok, nxt, after) if nxt is not None else None
            if nxt is not None and pair is not None:
                yield _fuse(pair, tok, nxt)
                i += 2
                continue
            yield _retype(tok) if tok.type == "NAME" else tok
            i += 1


def _pair_kind(tok: Token, nxt: Token, after: Token | None) -> str | None:
    """The two-word keyword ``tok nxt`` spells, if any (``after`` is the token past them)."""
    if tok.type != "NAME" or nxt.type != "NAME":
        return None
    pair = PAIRS.get((tok.value, nxt.value))
    if pair in ("HAS_ANY", "HAS_ALL") and after is not None and after.value == "of":
        return None  # `has all of [...]`: has, then the list condition `all of`
    return pair


def _retype(tok: Token) -> Token:
    kind = KEYWORDS.get(tok.value)
    return Token.new_borrow_pos(kind, tok.value, tok) if kind else tok


def _fuse(kind: str, first: Token, second: Token) -> Token:
    return Token(
        kind, f"{first.value} {second.value}", first.start_pos, first.line, first.column,
        second.end_line, second.end_column, second.end_pos,
    )


def grammar_text() -> str:
    """The grammar: shipped inside the wheel, or read from the source tree."""
    packaged = resources.files("policy_match").joinpath("grammars/policy.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[3] / "grammars" / "policy.lark").read_text(
        encoding="utf-8"
    )


def _tokens(text: str) -> Iterator[Token]:
    """The tokens of ``text`` as the parser sees them (keywords retyped)."""
    return _lark().lex(text)


@cache
def _lark() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="basic",
        postlex=_KeywordPostLex(),
        propagate_positions=True,
        maybe_placeholders=True,
    )


# ---- parse tree → AST ---------------------------------------------------------------------


class _Spans:
    def __init__(self, path: str, line_offset: int, pos_offset: int) -> None:
        self.path, self.line_offset, self.pos_offset = path, line_offset, pos_offset

    def of_token(self, tok: Token) -> Span:
        return Span(
            self.path, _placed(tok.start_pos) + self.pos_offset,
            _placed(tok.end_pos) + self.pos_offset,
            _placed(tok.line) + self.line_offset, _placed(tok.column),
            _placed(tok.end_line) + self.line_offset, _placed(tok.end_column),
        )

    def of_meta(self, meta: Meta) -> Span:
        if meta.empty:
            return ast.NO_SPAN
        return Span(
            self.path, meta.start_pos + self.pos_offset, meta.end_pos + self.pos_offset,
            meta.line + self.line_offset, meta.column,
            meta.end_line + self.line_offset, meta.end_column,
        )


def _placed(position: int | None) -> int:
    """A token's position. Lark types positions as optional because a token can be made by
    hand; every token the lexer hands over has them, and so has each one ``_fuse`` makes."""
    if position is None:
        raise ValueError("a token without a position reached the parser")
    return position


def _unquote(text: str) -> str:
    if text.startswith("“"):
        return text[1:-1]
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


_OPS = {"≥": ">=", "≤": "<=", "≠": "!="}


@v_args(meta=True)
class _ToAst(Transformer[Token, list[ast.Decl]]):
    def __init__(self, spans: _Spans) -> None:
        super().__init__()
        self.s = spans

    # helpers
    def _name(self, tok: Token) -> ast.Name:
        return ast.Name(tok.value, span=self.s.of_token(tok))

    def _str(self, tok: Token) -> ast.String:
        return ast.String(_unquote(tok.value), span=self.s.of_token(tok))

    def _date(self, tok: Token) -> ast.DateLit:
        return ast.DateLit(tok.value, span=self.s.of_token(tok))

    # declarations
    def start(self, meta: Meta, children: list[Any]) -> list[ast.Decl]:
        return children

    def tag_decl(self, meta: Meta, c: list[Any]) -> ast.TagDecl:
        _, name, type_expr, signed, key, label = c
        return ast.TagDecl(
            self._name(name), type_expr, key is not None,
            self._str(label) if label is not None else None, span=self.s.of_meta(meta),
            signed=signed is not None,
        )

    def type_expr(self, meta: Meta, c: list[Any]) -> ast.TypeExpr:
        name, arg = c
        paren = arg if isinstance(arg, ast.Name) else None
        items = arg if isinstance(arg, tuple) else None
        return ast.TypeExpr(self._name(name), paren, items, span=self.s.of_meta(meta))

    def type_paren(self, meta: Meta, c: list[Token]) -> ast.Name:
        return self._name(c[0])

    def type_bracket(self, meta: Meta, c: list[Token | None]) -> tuple[ast.String | ast.Name, ...]:
        return tuple(
            self._str(t) if t.type == "STRING" else self._name(t) for t in c if t is not None
        )

    def define_decl(self, meta: Meta, c: list[Any]) -> ast.DefineDecl:
        _, name, expr = c
        return ast.DefineDecl(self._name(name), expr, span=self.s.of_meta(meta))

    def policy_decl(self, meta: Meta, c: list[Any]) -> ast.PolicyDecl:
        return ast.PolicyDecl(self._str(c[1]), tuple(c[2:]), span=self.s.of_meta(meta))

    def field(self, meta: Meta, c: list[Any]) -> ast.Field:
        return ast.Field(self._name(c[0]), c[1], span=self.s.of_meta(meta))

    def validity(self, meta: Meta, c: list[Any]) -> ast.Validity:
        start, sep, end = c
        return ast.Validity(
            self._date(start), self._date(end) if end is not None else None, sep.value,
            span=self.s.of_meta(meta),
        )

    def example(self, meta: Meta, c: list[Any]) -> ast.Example:
        return ast.Example(self._name(c[0]), self._str(c[1]), tuple(c[2:]),
                           span=self.s.of_meta(meta))

    def given(self, meta: Meta, c: list[Any]) -> ast.Given:
        return ast.Given(self._name(c[0]), tuple(e for e in c[1:] if e is not None),
                         span=self.s.of_meta(meta))

    def entry(self, meta: Meta, c: list[Any]) -> ast.Entry:
        return ast.Entry(self._name(c[0]), c[1], span=self.s.of_meta(meta))

    def example_stmt(self, meta: Meta, c: list[Any]) -> ast.ExampleStmt:
        return ast.ExampleStmt(self._name(c[0]), c[1], span=self.s.of_meta(meta))

    def example_date(self, meta: Meta, c: list[Any]) -> ast.ExampleDate:
        return ast.ExampleDate(self._date(c[1]), c[0].value, span=self.s.of_meta(meta))

    # expressions
    def or_expr(self, meta: Meta, c: list[Any]) -> ast.Or:
        return ast.Or(tuple(c[0::2]), c[1].value, span=self.s.of_meta(meta))

    def and_expr(self, meta: Meta, c: list[Any]) -> ast.And:
        return ast.And(tuple(c[0::2]), c[1].value, span=self.s.of_meta(meta))

    def not_(self, meta: Meta, c: list[Any]) -> ast.Not:
        return ast.Not(c[1], c[0].value, span=self.s.of_meta(meta))

    def compare(self, meta: Meta, c: list[Any]) -> ast.Compare:
        op = _OPS.get(c[1].value, c[1].value)
        return ast.Compare(op, c[0], c[2], span=self.s.of_meta(meta))

    def in_(self, meta: Meta, c: list[Any]) -> ast.In:
        return ast.In(c[0], c[2], False, c[1].value, span=self.s.of_meta(meta))

    def not_in(self, meta: Meta, c: list[Any]) -> ast.In:
        return ast.In(c[0], c[2], True, c[1].value, span=self.s.of_meta(meta))

    def has(self, meta: Meta, c: list[Any]) -> ast.Has:
        return ast.Has(c[0], "one", c[2], c[1].value, span=self.s.of_meta(meta))

    def has_any(self, meta: Meta, c: list[Any]) -> ast.Has:
        return ast.Has(c[0], "any", c[2], c[1].value, span=self.s.of_meta(meta))

    def has_all(self, meta: Meta, c: list[Any]) -> ast.Has:
        return ast.Has(c[0], "all", c[2], c[1].value, span=self.s.of_meta(meta))

    def arith(self, meta: Meta, c: list[Any]) -> ast.Arith:
        return ast.Arith(c[1].value, c[0], c[2], span=self.s.of_meta(meta))

    def neg(self, meta: Meta, c: list[Any]) -> ast.Neg:
        return ast.Neg(c[1], span=self.s.of_meta(meta))

    def number(self, meta: Meta, c: list[Token]) -> ast.Number:
        return ast.Number(c[0].value, span=self.s.of_token(c[0]))

    def quantity(self, meta: Meta, c: list[Token]) -> ast.Quantity:
        m = re.fullmatch(r"(\d+(?:\.\d+)?)(.+)", c[0].value)
        assert m is not None  # the terminal's own pattern guarantees it
        return ast.Quantity(m[1], m[2], span=self.s.of_token(c[0]))

    def date(self, meta: Meta, c: list[Token]) -> ast.DateLit:
        return self._date(c[0])

    def string(self, meta: Meta, c: list[Token]) -> ast.String:
        return self._str(c[0])

    def boolean(self, meta: Meta, c: list[Token]) -> ast.Bool:
        return ast.Bool(c[0].type == "TRUE", c[0].value, span=self.s.of_token(c[0]))

    def name(self, meta: Meta, c: list[Token]) -> ast.Name:
        return self._name(c[0])

    def today(self, meta: Meta, c: list[Token]) -> ast.Today:
        return ast.Today(c[0].value, span=self.s.of_token(c[0]))

    def call(self, meta: Meta, c: list[Any]) -> ast.Call:
        args = tuple(a for a in c[1:] if a is not None)
        return ast.Call(self._name(c[0]), args, span=self.s.of_meta(meta))

    def known(self, meta: Meta, c: list[Token]) -> ast.Known:
        return ast.Known(self._name(c[1]), c[0].value, span=self.s.of_meta(meta))

    def paren(self, meta: Meta, c: list[Any]) -> ast.Paren:
        return ast.Paren(c[0], span=self.s.of_meta(meta))

    def all_of(self, meta: Meta, c: list[Any]) -> ast.AllOf:
        return ast.AllOf(c[1], c[0].value, span=self.s.of_meta(meta))

    def any_of(self, meta: Meta, c: list[Any]) -> ast.AnyOf:
        return ast.AnyOf(c[1], c[0].value, span=self.s.of_meta(meta))

    def at_least(self, meta: Meta, c: list[Any]) -> ast.AtLeast:
        if c[0].type == "AT_LEAST_ZH":
            digits = re.search(r"\d+", c[0].value)
            assert digits is not None  # the terminal's own pattern guarantees it
            n = _count(digits[0])
            return ast.AtLeast(n, c[1], True, span=self.s.of_meta(meta))
        return ast.AtLeast(_count(c[1].value), c[3], False, span=self.s.of_meta(meta))

    def case_branch(self, meta: Meta, c: list[Any]) -> ast.CaseBranch:
        return ast.CaseBranch(c[0], c[1], span=self.s.of_meta(meta))

    def case(self, meta: Meta, c: list[Any]) -> ast.Case:
        branches = tuple(x for x in c if isinstance(x, ast.CaseBranch))
        else_tok = next((x for x in c if isinstance(x, Token) and x.type == "ELSE"), None)
        default = c[-1] if else_tok is not None else None
        return ast.Case(branches, default, else_tok.value if else_tok else "else",
                        span=self.s.of_meta(meta))

    # Last in the class: the rule is named ``list``, and this method shadows the builtin
    # for every annotation written after it in the class body.
    def list(self, meta: Meta, c: list[Any]) -> ast.ListExpr:
        return ast.ListExpr(tuple(x for x in c if x is not None), span=self.s.of_meta(meta))


def _count(digits: str) -> int:
    """N of `at least N of`; absurd lengths are capped (the checker then rejects N)."""
    return int(digits) if len(digits) <= 18 else 10**18


# ---- entry point ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParseResult:
    module: ast.Module
    diagnostics: tuple[Diagnostic, ...]  # syntax errors, and W-BIDI warnings
    # Names declared by declarations that failed to parse: a later "unknown name" for them
    # would only repeat the syntax error, so the checker stays quiet about them.
    unparsed_names: frozenset[str] = frozenset()


def parse(text: str, path: str = "<string>") -> ParseResult:
    """Parse one file's text. Never raises for bad input: problems come back as diagnostics."""
    whole = _Spans(path, 0, 0)
    starts = line_starts(text)
    comments = tuple(_scan_comments(text, whole, starts))
    warnings = tuple(bidi_warnings(text, path, starts))
    try:
        whole_decls = _ToAst(whole).transform(_lark().parse(text))
    except (UnexpectedInput, RecursionError, VisitError):
        pass
    else:
        return ParseResult(ast.Module(path, tuple(whole_decls), comments), warnings)
    decls: list[ast.Decl] = []
    diagnostics: list[Diagnostic] = list(warnings)
    unparsed: set[str] = set()
    for line_offset, pos_offset, piece in _pieces(text):
        spans = _Spans(path, line_offset, pos_offset)
        try:
            decls.extend(_ToAst(spans).transform(_lark().parse(piece)))
        except UnexpectedInput as err:
            diagnostics.append(syntax_diagnostic(err, piece, spans, _tokens))
        except (RecursionError, VisitError):
            first = len(piece.split("\n", 1)[0])
            span = Span(path, pos_offset, pos_offset + first, line_offset + 1, 1,
                        line_offset + 1, first + 1)
            diagnostics.append(Diagnostic(Code.SYNTAX, Words("syntax.too_deep"), span,
                                          Words("hint.split_defines")))
        else:
            continue
        unparsed.update(re.findall(r"^\s*(?:tag|define)\s+([^\W\d]\w*)", piece, re.MULTILINE))
    module = ast.Module(path, tuple(decls), comments)
    return ParseResult(module, tuple(diagnostics), frozenset(unparsed))


def _pieces(text: str) -> Iterator[tuple[int, int, str]]:
    """One piece per top-level declaration, for resuming after a syntax error.

    Pieces begin at a line start, so columns stay right; lines and offsets are shifted back
    by each piece's spans.
    """
    starts = [m.start() for m in _DECL_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    line = 0
    for begin, end in itertools.pairwise(starts):
        piece = text[begin:end]
        if piece.strip():
            yield line, begin, piece
        line += piece.count("\n")


def _scan_comments(text: str, spans: _Spans, starts: list[int]) -> list[ast.Comment]:
    """Every comment, found beside the parser (which drops them); strings are skipped.

    Line numbers come from a bisect over the line starts, so a file of many comments costs
    linear time, not a count of newlines from the top for each comment."""
    out = []
    for m in re.finditer(r'"(?:\\.|[^"\\\n])*"|“[^”\n]*”|(#[^\n]*)', text):
        if m[1] is None:
            continue
        index = bisect.bisect_right(starts, m.start(1)) - 1
        line, col = index + 1, m.start(1) - starts[index] + 1
        out.append(ast.Comment(m[1], span=Span(
            spans.path, m.start(1) + spans.pos_offset, m.end(1) + spans.pos_offset,
            line + spans.line_offset, col, line + spans.line_offset, col + len(m[1]))))
    return out


def line_starts(text: str) -> list[int]:
    """The offset of the first character of every line (0 for the first)."""
    return [0, *(m.end() for m in re.finditer("\n", text))]
