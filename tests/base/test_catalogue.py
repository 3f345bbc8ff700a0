"""The message catalogue: every key in both languages, with the same fields."""

from __future__ import annotations

import pytest

from policy_match.base import messages
from policy_match.base.messages import CATALOGUE, Lang, fields, text
from policy_match.dsl.diagnostics import Code


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_both_languages_take_the_same_fields(key: str) -> None:
    entry = CATALOGUE[key]
    assert entry.zh.strip() and entry.en.strip()
    assert fields(entry.zh) == fields(entry.en)


def test_every_diagnostic_code_has_a_title() -> None:
    assert {c.value for c in Code} <= set(CATALOGUE)


def test_text_fills_fields_in_the_language_asked() -> None:
    assert text("diag.summary", Lang.ZH, errors=2, warnings=1) == "2 个错误，1 个警告"
    assert text("diag.summary", "en", errors=2, warnings=1) == "2 error(s), 1 warning(s)"


def test_unknown_keys_and_languages_are_errors() -> None:
    with pytest.raises(KeyError, match="no message"):
        messages.text("no.such.key")
    with pytest.raises(ValueError):
        messages.text("diag.help", "fr")


def _worded_enums() -> list[type[messages.Worded]]:
    import importlib
    import pkgutil

    import policy_match

    for module in pkgutil.walk_packages(policy_match.__path__, "policy_match."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: list[type[messages.Worded]] = []
    stack = list(messages.Worded.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def test_every_worded_member_has_words_in_both_languages() -> None:
    enums = _worded_enums()
    assert enums  # the package has enums people read
    for cls in enums:
        for member in cls:
            assert member.text(Lang.ZH).strip() and member.text(Lang.EN).strip(), member
            assert member.zh == member.text("zh")
