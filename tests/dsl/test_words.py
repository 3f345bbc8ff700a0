"""Words: a diagnostic's sentence as a catalogue key and fields, rendered at the edge."""

from __future__ import annotations

import copy
import pickle
import re
from pathlib import Path

import pytest

from policy_match.base.message import Message
from policy_match.base.messages import CATALOGUE, fields
from policy_match.dsl.words import Words, joined, say

SRC = Path(__file__).resolve().parents[2] / "src" / "policy_match"


def test_a_words_is_its_english_text_and_renders_in_chinese() -> None:
    w = Words("check.unknown_name", name="营业收人")
    assert w == "unknown name 营业收人"
    assert "unknown name" in w  # code comparing text keeps working
    assert w.in_("zh") == "未定义的名称 营业收人"
    assert w.in_("en") == str(w)
    assert say(w, "zh") == "未定义的名称 营业收人" and say("plain", "zh") == "plain"


def test_fields_render_in_the_same_language() -> None:
    noun = Words("type.money")
    w = Words("check.cannot_negate", type=noun)
    assert w.in_("en") == "cannot negate money" and w.in_("zh") == "不能对金额取负"
    both = Words("test.verdict", expected=Message("符合", "eligible"),
                 actual=Message("不符合", "ineligible"))
    assert both.in_("zh") == "预期 符合，实际 不符合"
    assert both.in_("en") == "expected eligible, got ineligible"
    listed = Words("hint.nearest_codes", codes=["C3990", "C3919"])
    assert listed.in_("zh").endswith("C3990、C3919") and listed.endswith("C3990, C3919")


def test_joined_hints_keep_each_part_bilingual() -> None:
    hint = joined(Words("hint.did_you_mean", name="营业收入"), "", Words("hint.money"))
    assert hint == "did you mean 营业收入? write 20万 or an expression of money"
    assert isinstance(hint, Words)
    assert hint.in_("zh") == "是否应为 营业收入？ 写 20万 或一个金额表达式"
    assert joined("", "") == ""


def test_pickled_and_copied_as_key_and_fields() -> None:
    w = Words("check.mismatch", left="a", left_type=Words("type.money"), right="b",
              right_type=Words("type.count_of", unit="人"))
    for again in (pickle.loads(pickle.dumps(w)), copy.deepcopy(w)):
        assert isinstance(again, Words) and again.key == w.key
        assert again.in_("zh") == w.in_("zh") and again == w


def test_an_unknown_key_fails_at_once() -> None:
    with pytest.raises(KeyError):
        Words("check.no_such_key")


_LITERAL_KEY = re.compile(r'Words\(\s*"([^"{}]+)"')
_FAMILIES = {  # keys built with an f-string, by the family and its members
    "syntax.token.": ("NAME", "STRING", "NUMBER", "QUANTITY", "DATE", "COMP_OP", "END"),
    "syntax.want.": ("NAME", "STRING", "NUMBER", "QUANTITY", "DATE", "COMP_OP", "END"),
    "type.": ("money", "text", "count", "number", "ratio", "date", "duration", "bool", "enum",
              "set", "code", "list"),
    "hierarchy.": ("industry", "region"),
    "code.region_zeros_": ("prefecture", "county", "township"),
    "code.region_missing_": ("prefecture", "county"),
}


def _keys_in_source() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if "from policy_match.dsl.words import" in source:
            found |= set(_LITERAL_KEY.findall(source))
    for family, members in _FAMILIES.items():
        found |= {family + m for m in members}
    return found


def test_every_key_the_checker_uses_exists_in_both_languages_with_the_same_fields() -> None:
    keys = _keys_in_source()
    assert len(keys) > 150  # the checker's, the parser's, the hierarchies' and the CLI's
    missing = sorted(k for k in keys if k not in CATALOGUE)
    assert missing == []
    for key in keys:
        m = CATALOGUE[key]
        assert m.zh and m.en, key
        assert fields(m.zh) == fields(m.en), key
