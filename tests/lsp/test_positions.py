"""Spans ↔ LSP positions: 0-based lines, UTF-16 columns (astral characters count twice)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types as lsp

from policy_match.dsl.parser import parse
from policy_match.lsp.positions import UTF8, UTF16, UTF32, LineIndex, units


def test_units_per_encoding() -> None:
    assert units("营业收入") == 4  # BMP: one UTF-16 unit each
    assert units("𠀋") == 2 and units("𠀋", UTF32) == 1 and units("𠀋", UTF8) == 4
    assert units("a😀b") == 4


def test_a_span_after_an_astral_character() -> None:
    text = "tag 𠀋: number\ndefine 𠀋甲 = 𠀋 >= 营业收入\n"
    result = parse(text, "x.rule")
    define = result.module.decls[1]
    index = LineIndex(text)
    rng = index.range(define.expr.right.span)  # type: ignore[union-attr]
    before = "define 𠀋甲 = 𠀋 >= "
    assert rng.start == lsp.Position(line=1, character=len(before.encode("utf-16-le")) // 2)
    assert rng.end.character - rng.start.character == 4


def test_crlf_lines_keep_their_columns() -> None:
    index = LineIndex("甲 乙\r\n丙 丁\r\n")
    assert index.position(5) == lsp.Position(line=1, character=0)
    assert index.line_text(0) == "甲 乙"
    assert index.offset(lsp.Position(line=0, character=99)) == 3  # clamped to the line


@given(st.text(alphabet=st.sampled_from(list("ab营\n𠀋😀")), max_size=40), st.data())
def test_offsets_and_positions_round_trip(text: str, data: st.DataObject) -> None:
    for encoding in (UTF16, UTF8, UTF32):
        index = LineIndex(text, encoding)
        offset = data.draw(st.integers(0, len(text)))
        assert index.offset(index.position(offset)) == offset
