"""The VS Code files: valid JSON, a manifest that starts ``policy-match lsp``, and a TextMate
grammar whose keyword patterns cover every keyword of the rule language (both spellings),
read from ``grammars/policy.lark`` and the parser's keyword table."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policy_match.dsl.fields import BY_NAME
from policy_match.dsl.parser import KEYWORDS, PAIRS

ROOT = Path(__file__).resolve().parents[2]
VSCODE = ROOT / "editors" / "vscode"


def _grammar() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (VSCODE / "syntaxes" / "policy.tmLanguage.json").read_text(encoding="utf-8"))
    return data


def _patterns(node: Any) -> Iterator[tuple[str, re.Pattern[str]]]:
    """Every ``match`` regex with the scopes it gives (Oniguruma's \\x{…} read as Python's)."""
    if isinstance(node, dict):
        name = node.get("name", "")
        for key in ("match", "begin"):
            if key in node:
                source = re.sub(r"\\x\{([0-9A-Fa-f]{4})\}", r"\\u\1", node[key])
                captured = node.get("captures", node.get("beginCaptures", {}))
                names = " ".join(c.get("name", "") for c in captured.values())
                yield f"{name} {names}".strip(), re.compile(source, re.MULTILINE)
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def _declared_terminals() -> set[str]:
    lark = (ROOT / "grammars" / "policy.lark").read_text(encoding="utf-8")
    return {t for line in re.findall(r"^%declare (.+)$", lark, re.MULTILINE) for t in line.split()}


def _keyword_words() -> list[str]:
    terminals = _declared_terminals()
    words = [w for w, t in KEYWORDS.items() if t in terminals]
    words += [" ".join(pair) for pair, t in PAIRS.items() if t in terminals]
    assert {*KEYWORDS.values(), *PAIRS.values()} <= terminals  # the table names only these
    return [*words, "至少满足 2 项"]  # AT_LEAST_ZH, a terminal of its own


def _highlighted_as(word: str, context: str = "") -> list[str]:
    """The scopes of the patterns that match ``word`` whole (in ``context``, if given)."""
    line = context or word
    start = line.index(f" {word} ") + 1 if f" {word} " in line else line.index(word)
    found = []
    for scope, pattern in _patterns(_grammar()):
        for m in pattern.finditer(line):
            if m.start() <= start and m.end() >= start + len(word) and (
                    m.group(0) == word or any(g == word for g in m.groups())):
                found.append(scope)
    return found


def test_the_files_are_valid_json() -> None:
    for name in ("package.json", "language-configuration.json", "syntaxes/policy.tmLanguage.json"):
        json.loads((VSCODE / name).read_text(encoding="utf-8"))


def test_the_manifest_starts_the_language_server() -> None:
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    language = manifest["contributes"]["languages"][0]
    assert ".rule" in language["extensions"]
    grammar = manifest["contributes"]["grammars"][0]
    assert (VSCODE / grammar["path"]).is_file() and grammar["scopeName"] == _grammar()["scopeName"]
    assert manifest["contributes"]["configuration"]["properties"]["policyMatch.command"][
        "default"] == ["policy-match", "lsp"]
    assert (VSCODE / manifest["main"]).is_file()
    assert "vscode-languageclient" in manifest["dependencies"]


DECLARATIONS = {"tag": "tag x: number", "define": "define x = 1", "policy": 'policy "P" {',
                "key": "tag x: uscc key", "signed": "tag x: money signed"}


@pytest.mark.parametrize("word", _keyword_words())
def test_every_keyword_is_highlighted_as_one(word: str) -> None:
    scopes = _highlighted_as(word, DECLARATIONS.get(word, f"define x = a {word} b"))
    assert any(s.split(".")[0] in ("keyword", "constant", "support", "variable", "storage")
               and "variable.other" not in s for scope in scopes for s in scope.split()), (
        word, scopes)


def test_a_keyword_inside_a_name_is_not_highlighted() -> None:
    # 属于 inside 不属于…, 且 inside 并且满足: a name is one word to the lexer, and to the grammar
    assert not any("keyword" in s for s in _highlighted_as("且", "define x = 并且满足"))


def test_fields_strings_numbers_comments_and_codes() -> None:
    for field in BY_NAME:
        assert any("field" in s for s in _highlighted_as(field, f"    {field}: 1")), field
    assert any("comment" in s for s in _highlighted_as("# 注释", "x # 注释"))
    assert any("unit" in s for s in _highlighted_as("万", "营业收入 >= 2000万"))
    assert any("constant.other.code" in s
               for s in _highlighted_as("C3911", '所属行业 属于 ["C3911"]'))
    strings = [p for s, p in _patterns(_grammar()) if "string.quoted" in s]  # begin patterns
    assert {q for q in '"“' if any(p.match(q) for p in strings)} == set('"“')
    dated = _highlighted_as("2024-01-01", "适用时间: 2024-01-01 至 2026-12-31")
    assert any("date" in s for s in dated)


def test_the_word_pattern_takes_chinese_names_quantities_and_codes_whole() -> None:
    config = json.loads((VSCODE / "language-configuration.json").read_text(encoding="utf-8"))
    line = '申请条件：营业收入 >= 2000万 且 所属行业 属于 ["C3911"]'
    words = re.findall(config["wordPattern"], line)
    assert words == ["申请条件", "营业收入", "2000万", "且", "所属行业", "属于", "C3911"]
