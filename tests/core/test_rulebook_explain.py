"""``Rulebook.explain`` / ``explain_all`` of a raw record keep its bad values as errors and
word them in the reader's language when rendered; ``record_errors`` and the JSON are as
they were (the public API is extended, not changed)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.engine.explain import Explanation

RULES = ('tag 编号: text key\ntag 营业收入: money\ntag 成立日期: date\n'
         'policy "P" {\n    事项名称: "规上"\n    申请条件: 营业收入 >= 100万\n}\n'
         'policy "Q" {\n    事项名称: "老企业"\n    申请条件: 成立日期 <= 2020-01-01\n}\n')
DAY = dt.date(2025, 1, 1)
BAD = {"营业收入": "abc万", "成立日期": "去年"}


@pytest.fixture(scope="module")
def book() -> Rulebook:
    loaded = load_sources({"r.rule": RULES}).rulebook
    assert loaded is not None
    return loaded


def test_bad_values_render_in_the_language_asked(book: Rulebook) -> None:
    e = book.explain(BAD, "P", as_of=DAY)
    zh, en = e.render("zh"), e.render("en")
    assert "数据错误：营业收入 = 'abc万'：不是数字" in zh
    assert "not a number" not in zh and "not a date" not in zh
    assert "bad value: 营业收入 = 'abc万': not a number" in en
    assert "bad value: 成立日期 = '去年': not a date" in en
    assert "数据错误：成立日期 = '去年'：不是日期" in zh
    assert "不是数字" not in en


def test_the_errors_are_kept_with_their_keys(book: Rulebook) -> None:
    e = book.explain(BAD, "P", as_of=DAY)
    assert isinstance(e, Explanation)  # still the public type
    assert [(f.column, f.code) for f in e.field_errors] == [
        ("营业收入", "value.not_number"), ("成立日期", "value.not_date")]
    assert e.record_errors == [str(f) for f in e.field_errors]  # English, as before
    assert e.record_errors[0] == "营业收入 = 'abc万': not a number"


def test_the_json_is_unchanged(book: Rulebook) -> None:
    data = json.loads(book.explain(BAD, "P", as_of=DAY).to_json())
    assert set(data) == set(Explanation.model_fields)  # no new key
    assert data["record_errors"][0] == "营业收入 = 'abc万': not a number"


def test_explain_all_words_them_for_every_policy(book: Rulebook) -> None:
    found = book.explain_all(BAD, as_of=DAY)
    assert [e.policy_id for e in found] == ["P", "Q"]
    for e in found:
        assert e.render("zh").count("数据错误：") == 2
        assert e.render("en").count("bad value: ") == 2
        assert "营业收入 = 'abc万'：不是数字" in e.render("zh")


def test_a_clean_record_has_no_errors(book: Rulebook) -> None:
    e = book.explain({"营业收入": "200万"}, "P", as_of=DAY)
    assert e.field_errors == () and e.record_errors == []
    assert "数据错误" not in e.render("zh") and e.verdict.value == "eligible"


def test_an_explanation_with_bad_values_equals_its_json_read_back(book: Rulebook) -> None:
    e = book.explain(BAD, "P", as_of=DAY)
    back = Explanation.model_validate_json(e.to_json())
    assert back == e and e == back
    assert back != book.explain({"营业收入": "200万"}, "P", as_of=DAY)
