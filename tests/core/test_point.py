"""``SeenValues`` (``core/point.py``): the parsed values of raw values read before, a dict
look-up per field — the same values the full reader gives, or ``None`` when it must read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from policy_match.core.loading import load_sources
from policy_match.core.point import DAYS_KEPT, PointLookups, SeenValues
from policy_match.core.rulebook import Rulebook
from policy_match.data.records import parse_record
from policy_match.dsl.ir import Verdict

_TEXT = """tag 营业收入: money
tag 从业人数: count
tag 失信: bool
tag 资质: set["高新技术企业", "A"]
policy "P" { name: "x"  eligible: 营业收入 >= 100万 and not 失信 }
"""


@pytest.fixture(scope="module")
def book() -> Rulebook:
    result = load_sources({"t.rule": _TEXT})
    assert result.rulebook is not None
    return result.rulebook


def _learnt(book: Rulebook, *records: dict[str, Any]) -> SeenValues:
    seen = SeenValues(book.tags)
    for record in records:
        seen.learn(record, parse_record(record, book.tags, book.vocabulary))
    return seen


def test_known_gives_what_the_reader_gives(book: Rulebook) -> None:
    records: list[dict[str, Any]] = [
        {"营业收入": "200万", "从业人数": "12", "失信": "否", "资质": "无"},
        {"营业收入": "-", "从业人数": 12, "失信": True, "备注": "not a tag"},  # no value, non-text
        {"营业收入": "", "资质": "高新技术企业", "备注": "another"},
    ]
    seen = _learnt(book, *records)
    for record in records:
        assert seen.known(record) == parse_record(record, book.tags, book.vocabulary).values
    # a non-tag field with a text never seen, and texts seen under another record, mixed
    mixed = {"营业收入": "-", "失信": "否", "备注": "new text", "其他": "x"}
    assert seen.known(mixed) == parse_record(mixed, book.tags, book.vocabulary).values


def test_known_is_none_until_every_value_was_read(book: Rulebook) -> None:
    seen = _learnt(book, {"营业收入": "200万"})
    assert seen.known({"营业收入": "200万", "失信": "否"}) is None  # 失信 never read
    assert seen.known({"营业收入": "300万"}) is None
    assert seen.known({"资质": ["A"]}) is None  # unhashable: the reader reads it
    assert seen.known({"营业收入": 2_000_000}) is None  # an int is not its text


def test_bad_values_are_none_unless_missing(book: Rulebook) -> None:
    seen = _learnt(book, {"营业收入": "很多", "失信": "否"})
    assert seen.known({"营业收入": "很多", "失信": "否"}) is None
    assert seen.known({"营业收入": "很多", "失信": "否"}, bad_is_missing=True) == {"失信": False}


def test_match_record_reads_each_new_text_once(book: Rulebook) -> None:
    day = dt.date(2025, 1, 1)
    for _ in range(2):
        assert book.match_record({"营业收入": "200万", "失信": "否"}, as_of=day)["P"] \
            is Verdict.ELIGIBLE
        assert book.match_record({"营业收入": "200万", "失信": "-"}, as_of=day)["P"] \
            is Verdict.UNKNOWN
        assert book.match_record({"营业收入": "20万", "备注": "x"}, as_of=day)["P"] \
            is Verdict.INELIGIBLE


def test_a_text_with_no_value_learnt_later_is_left_out(book: Rulebook) -> None:
    plain = {"营业收入": "200万", "失信": "否"}
    seen = _learnt(book, plain)
    assert seen.known(plain) == {"营业收入": 2_000_000, "失信": False}
    blank = {"营业收入": "-", "失信": "否"}
    seen.learn(blank, parse_record(blank, book.tags, book.vocabulary))
    assert seen.known(blank) == {"失信": False}
    assert seen.known(plain) == {"营业收入": 2_000_000, "失信": False}
    other = {"营业收入": "200万", "备注": "x"}  # a field that is not a tag, learnt
    seen.learn(other, parse_record(other, book.tags, book.vocabulary))
    assert seen.known(other) == {"营业收入": 2_000_000}


def test_point_evaluators_are_kept_for_the_last_dates_only() -> None:
    """A caller naming a new date each time (a portal's form) does not fill memory."""
    result = load_sources({"t.rule": 'tag 甲: bool\npolicy "P" { name: "x"  eligible: 甲 }\n'})
    assert result.rulebook is not None
    book = result.rulebook
    lookups = PointLookups(book.dag, book.vocabulary, book.policies, keep=3)
    days = [dt.date(2025, 1, d) for d in range(1, 7)]
    for day in days:
        assert lookups.on(day).verdicts({"甲": True})["P"] is Verdict.ELIGIBLE
    assert lookups.days() == days[-3:]
    kept = lookups.on(days[3])  # used again: now the most recent
    assert lookups.on(days[3]) is kept
    lookups.on(dt.date(2025, 2, 1))
    assert lookups.days() == [days[5], days[3], dt.date(2025, 2, 1)]
    # the rulebook's own lookups are bounded the same way
    for d in range(1, 40):
        book.match_record({"甲": "是"}, as_of=dt.date(2024, 1, d % 28 + 1))
    assert len(book.point_lookups.days()) <= DAYS_KEPT
