"""A syntax error as a diagnostic that says what is missing and where it began.

Lark reports the token it could not take; a reader needs the cause. So before falling back
to "unexpected X; expected Y", this looks for the mistakes authors make:

- an opening ``(``, ``[`` or ``{`` never closed: reported at the opener ("the ( opened at
  18:5 is never closed"), with the place the parser noticed as a note;
- a field name without its colon (``事项名称 "…"``, which reads as the start of an example
  block and would otherwise come out as "expected {");
- a keyword glued to a name, ``=`` for ``==``, a unit apart from its number.

Every sentence is a catalogue key (``syntax.*``, ``hint.*``), rendered at the edge.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Protocol

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from policy_match.dsl.diagnostics import Code, Diagnostic, Related
from policy_match.dsl.fields import BY_NAME, EXAMPLE_WORDS
from policy_match.dsl.keywords import KEYWORDS, PAIRS
from policy_match.dsl.span import Span
from policy_match.dsl.words import Words


class Placer(Protocol):
    """Where a piece of a file sits in the file (the parser's ``_Spans``)."""

    path: str
    line_offset: int
    pos_offset: int

    def of_token(self, tok: Token) -> Span: ...


Lexer = Callable[[str], Iterator[Token]]

# Terminals a reader knows by a word (catalogue ``syntax.token.*`` / ``syntax.want.*``);
# the others are shown as they are written.
_WORDED = ("NAME", "STRING", "NUMBER", "QUANTITY", "DATE", "COMP_OP", "$END")
_WRITTEN = {
    "_COLON": "`:`", "_COMMA": "`,`", "_SEMI": "`;`", "_LPAR": "`(`", "_RPAR": "`)`",
    "_EQUALS": "`=`", "LSQB": "`[`", "RSQB": "`]`", "LBRACE": "`{`", "RBRACE": "`}`",
    "PLUS": "`+`", "MINUS": "`-`", "STAR": "`*`", "SLASH": "`/`", "DOTS": "`..`",
    "AT_LEAST_ZH": "`至少满足 N 项`", "AT_LEAST": "`at least N of`",
}
_VALUED = {"NAME", "STRING", "NUMBER", "QUANTITY", "DATE"}
_EXPRESSION_STARTS = {
    "NAME", "NUMBER", "QUANTITY", "DATE", "STRING", "_LPAR", "MINUS", "LSQB", "TRUE", "FALSE",
    "TODAY", "KNOWN", "CASE", "ALL_OF", "ANY_OF", "AT_LEAST", "AT_LEAST_ZH", "NOT",
}
_CLOSER_TERMINAL = {")": "_RPAR", "]": "RSQB", "}": "RBRACE"}
_OPENER_OF = {")": "(", "]": "[", "}": "{"}
_CLOSER_OF = {v: k for k, v in _OPENER_OF.items()}
_STRING_OR_COMMENT = re.compile(r'"(?:\\.|[^"\\\n])*"|“[^”\n]*”|#[^\n]*')
_WIDE_BRACKETS = str.maketrans("（）", "()")
_ITEM_START = re.compile(r"(?:^|\n|[{,，])[ \t\u3000]*$")  # a field or entry begins here
_NAME_THEN_STRING = re.compile(
    r'([^\W\d]\w*)[ \t\u3000]*("(?:\\.|[^"\\\n])*"|“[^”\n]*”)?\s*$')


def _key(name: str) -> str:
    return name.lstrip("$")


def _terminal(name: str, bare: bool = False) -> str:
    """A terminal in words: "a name" (``bare``: "name"), "`)`", "`且` / `and`"."""
    if name in _WORDED:
        return Words(f"syntax.{'token' if bare else 'want'}.{_key(name)}")
    if name in _WRITTEN:
        return _WRITTEN[name]
    spellings = [w for w, k in KEYWORDS.items() if k == name]
    spellings += [" ".join(p) for p, k in PAIRS.items() if k == name]
    return " / ".join(f"`{w}`" for w in spellings) if spellings else name


def _expected(expected: set[str]) -> list[str]:
    names = {e for e in expected if not e.startswith("__")}
    words: list[str] = []
    if {"NAME", "NUMBER", "STRING"} <= names:
        words.append(Words("syntax.want.expression"))
        names -= _EXPRESSION_STARTS
    words += sorted({_terminal(e) for e in names})
    return [*words[:8], "…"] if len(words) > 8 else words


def _with_expected(message: str, expected: set[str]) -> str:
    wanted = _expected(expected)
    return Words("syntax.expected", message=message, expected=wanted) if wanted else message


def _blank_strings(text: str) -> str:
    """``text`` with strings and comments blanked (same length), full-width brackets ASCII."""
    bare = _STRING_OR_COMMENT.sub(lambda m: " " * len(m.group()), text)
    return bare.translate(_WIDE_BRACKETS)


def never_closed(text: str) -> list[int]:
    """Offsets of the brackets opened and never closed. A closer of another kind closes the
    openers inside it too (``{ a: ( b }``: the ``(`` is never closed)."""
    bare = _blank_strings(text)
    stack: list[int] = []
    unclosed: list[int] = []
    for i, ch in enumerate(bare):
        if ch in "([{":
            stack.append(i)
        elif ch in ")]}" and any(bare[j] == _OPENER_OF[ch] for j in stack):
            while bare[stack[-1]] != _OPENER_OF[ch]:
                unclosed.append(stack.pop())
            stack.pop()
    return sorted(unclosed + stack)


def _place(text: str, placer: Placer, start: int, end: int) -> Span:
    """The span of ``text[start:end]`` (one line) in the whole file."""
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Span(placer.path, start + placer.pos_offset, end + placer.pos_offset,
                line + placer.line_offset, column, line + placer.line_offset,
                column + end - start)


def _unclosed(err: UnexpectedInput, text: str, placer: Placer, at: int, found: Span,
              noticed: str) -> Diagnostic | None:
    """The innermost bracket open at ``at`` and never closed, when the parser wanted its
    closer there (or met the end of the file)."""
    expected = set(getattr(err, "expected", ()) or ())
    at_end = isinstance(err, UnexpectedEOF) or (
        isinstance(err, UnexpectedToken) and err.token.type == "$END")
    bare = _blank_strings(text)
    for start in reversed([p for p in never_closed(text) if p < at]):
        closer = _CLOSER_OF[bare[start]]
        if at_end or _CLOSER_TERMINAL[closer] in expected:
            span = _place(text, placer, start, start + 1)
            opener = text[start]
            return Diagnostic(
                Code.SYNTAX, Words("syntax.unclosed", open=opener, line=span.line,
                                   column=span.column),
                span, Words("hint.close_bracket", open=opener, close=closer),
                related=(Related(found, noticed),))
        break
    return None


def _missing_colon(err: UnexpectedToken, text: str, placer: Placer) -> Diagnostic | None:
    """``事项名称 "…"`` (read as an example block, so "expected {") or ``申请条件 营业收入 …``
    (expected ``:``): a field name whose colon is missing."""
    before = _NAME_THEN_STRING.search(text[: err.token.start_pos])
    if before is None or before[1] in KEYWORDS or not _ITEM_START.search(
            text[: before.start(1)]):
        return None
    name, quoted = before[1], before[2]
    if quoted is not None:
        if "LBRACE" not in err.expected or name in EXAMPLE_WORDS:
            return None
    elif "_COLON" not in err.expected:
        return None
    span = _place(text, placer, before.start(1), before.end(1))
    key = "syntax.missing_colon_field" if name in BY_NAME else "syntax.missing_colon"
    return Diagnostic(Code.SYNTAX, Words(key, name=name), span,
                      Words("hint.field_colon", name=name))


def _keyword_inside(word: str) -> str | None:
    """A Chinese keyword glued to a name (``资质包含``), which lexes as one name."""
    for kw in sorted((k for k in KEYWORDS if not k.isascii()), key=len, reverse=True):
        if kw in word and word != kw:
            return kw
    return None


def _token_hint(tok: Token, text: str, expected: set[str]) -> str:
    before = re.search(r"([^\W\d]\w*)\s*$", text[: tok.start_pos])
    if tok.type == "_EQUALS":
        return Words("hint.double_equals")
    if tok.type == "NAME" and (kw := _keyword_inside(tok.value)):
        return Words("hint.keyword_separate", keyword=kw)
    if before is not None and (kw := _keyword_inside(before[1])):
        return Words("hint.glued_name", word=before[1], keyword=kw)
    if tok.type == "NAME" and (number := re.search(r"(\d+(?:\.\d+)?)\s+$",
                                                   text[: tok.start_pos])):
        return Words("hint.unit_after_number", number=number[1], unit=tok.value)
    if "_COLON" in expected and tok.type == "NAME":
        return Words("hint.field_form")
    return ""


def _unexpected_token(err: UnexpectedToken, text: str, placer: Placer) -> Diagnostic:
    tok = err.token
    span = placer.of_token(tok)
    what = _terminal(tok.type, bare=True)
    plain = (Words("syntax.unexpected_value", what=what, value=tok.value)
             if tok.type in _VALUED else Words("syntax.unexpected", what=what))
    expected = set(err.expected)
    found = _unclosed(err, text, placer, tok.start_pos, span, plain) or _missing_colon(
        err, text, placer)
    if found is not None:
        return found
    return Diagnostic(Code.SYNTAX, _with_expected(plain, expected), span,
                      _token_hint(tok, text, expected))


def _unexpected_character(err: UnexpectedCharacters, text: str, placer: Placer) -> Diagnostic:
    pos = lex_position(err)
    ch = text[pos] if pos < len(text) else ""
    line_end = text.find("\n", pos)
    span = _place(text, placer, pos, pos + 1 if ch else pos)
    if ch in "\"“":
        rest = text[pos:line_end if line_end >= 0 else len(text)]
        return Diagnostic(Code.SYNTAX, Words("syntax.unterminated_string"),
                          _place(text, placer, pos, pos + len(rest)),
                          Words("hint.close_string"))
    hint = Words("hint.list_brackets") if ch and ch in "【】「」" else ""
    return Diagnostic(Code.SYNTAX, Words("syntax.unexpected_char", char=repr(ch)), span, hint)


def _end_of_content(text: str, placer: Placer, lex: Lexer) -> Span:
    """Just after the last token: the end of a piece is often blank lines and comments that
    belong to the next declaration."""
    last: Token | None = None
    try:
        for last in lex(text):  # noqa: B007 - only the last token is wanted
            pass
    except UnexpectedInput:
        last = None
    end = len(text.rstrip()) if last is None or last.end_pos is None else last.end_pos
    return _place(text, placer, end, end)


def lex_position(err: UnexpectedCharacters) -> int:
    """Where the lexer gave up. Lark declares ``pos_in_stream`` as ``None`` on the base
    class; an ``UnexpectedCharacters`` always sets it to the offset."""
    pos: object = err.pos_in_stream
    if not isinstance(pos, int):
        raise TypeError(f"lark reported no position for {err!r}")
    return pos


def syntax_diagnostic(err: UnexpectedInput, text: str, placer: Placer,
                      lex: Lexer) -> Diagnostic:
    """The diagnostic for Lark's ``err`` in ``text`` (one piece of a file)."""
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        return _unexpected_token(err, text, placer)
    if isinstance(err, UnexpectedCharacters):
        return _unexpected_character(err, text, placer)
    assert isinstance(err, UnexpectedEOF | UnexpectedToken)
    span = _end_of_content(text, placer, lex)
    plain = Words("syntax.unexpected_eof")
    found = _unclosed(err, text, placer, len(text), span, plain)
    if found is not None:
        return found
    return Diagnostic(Code.SYNTAX, _with_expected(plain, set(getattr(err, "expected", ())
                                                             or ())), span)
