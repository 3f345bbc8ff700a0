"""W-INCOMPLETE without a solver (analysis/completeness.py): what lint reports, and what
``list`` and ``sheet`` warn with."""

from __future__ import annotations

from lint_helpers import FIELDS, TAGS, lint_text

from policy_match.analysis.completeness import PUBLISHING_FIELDS, incomplete, missing_fields
from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.diagnostics import Code, Severity


def _book(text: str) -> Rulebook:
    book = load_sources({"t.rule": TAGS + text}).rulebook  # as lint_text loads it
    assert book is not None
    return book


COMPLETE = f'policy "A" {{\n    事项名称: "A"\n{FIELDS}    申请条件: 营业收入 >= 1万\n}}\n'
BARE = 'policy "B" {\n    事项名称: "B"\n    申请条件: 营业收入 >= 1万\n    联系人: "李四"\n}\n'
NO_DEADLINE = FIELDS.replace("    办结时限: 10个工作日\n", "")
NO_APPLICATION = (f'policy "C" {{\n    事项名称: "C"\n{NO_DEADLINE}'
                  "    申请条件: 营业收入 >= 1万\n    免申即享: 是\n}\n")


def test_missing_fields_in_the_published_order() -> None:
    book = _book(COMPLETE + BARE + NO_APPLICATION)
    assert missing_fields(book.policies["A"]) == ()
    assert missing_fields(book.policies["B"]) == tuple(f for f in PUBLISHING_FIELDS
                                                       if f != "contact")
    assert missing_fields(book.policies["C"]) == ()  # 免申即享 needs no 办结时限


def test_warnings_for_the_items_asked_about_at_their_first_line() -> None:
    book = _book(COMPLETE + BARE + BARE.replace('"B"', '"D"'))
    everything = incomplete(book)
    assert [d.code for d in everything] == [Code.LINT_INCOMPLETE] * 2
    assert all(d.severity is Severity.WARNING for d in everything)
    (only_d,) = incomplete(book, ["A", "D"])
    assert only_d.text("en").startswith("item D lacks")
    source = book.sources[only_d.span.path]
    assert source[only_d.span.start:only_d.span.end] == 'policy "D" {'
    assert incomplete(book, ["A"]) == ()


def test_the_same_words_and_place_as_lints_finding() -> None:
    text = COMPLETE + BARE
    (linted,) = [d for d in lint_text(text).diagnostics if d.code is Code.LINT_INCOMPLETE]
    (warned,) = incomplete(_book(text))
    assert (warned.span, warned.text("zh"), warned.text("en"), warned.hint_text("zh")) == \
        (linted.span, linted.text("zh"), linted.text("en"), linted.hint_text("zh"))
