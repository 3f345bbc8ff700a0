"""The helpers every command shares: the reader's language from ``--lang`` or the locale."""

from __future__ import annotations

import argparse

import pytest

from policy_match.cli.common import add_lang_option, lang_of, locale_lang


@pytest.mark.parametrize(("env", "lang"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW.Big5"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({}, "en"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL first
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),  # then LC_MESSAGES
    ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # an empty variable is not set
])
def test_locale_lang(env: dict[str, str], lang: str) -> None:
    assert locale_lang(env) == lang


def test_lang_option_wins_over_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    parser = argparse.ArgumentParser()
    add_lang_option(parser)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert lang_of(parser.parse_args([])) == "zh"
    assert lang_of(parser.parse_args(["--lang", "en"])) == "en"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert lang_of(parser.parse_args([])) == "en"
    with pytest.raises(SystemExit):
        parser.parse_args(["--lang", "fr"])
