"""Fuzzing the loader: whatever the text, loading never raises and every diagnostic is whole.

``load_sources`` and ``parse`` promise to report bad rule text as diagnostics, never as an
exception. Inputs: random bytes (decoded with replacement characters), token soup drawn
from the language's own keywords, punctuation, names and literals, and mutations of the
real rule files in ``rules/`` and ``tests/rulebooks/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policy_match.core.loading import LoadResult, inspect, load_sources
from policy_match.dsl.diagnostics import Code, render_json, render_text
from policy_match.dsl.parser import KEYWORDS, PAIRS, parse
from policy_match.plugins.loader import load_vocabulary

REPO = Path(__file__).resolve().parents[1]
VOCABULARY = load_vocabulary()

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---- the corpus ---------------------------------------------------------------------------


def _rule_folders() -> dict[Path, dict[str, str]]:
    folders: dict[Path, dict[str, str]] = {}
    for root in (REPO / "rules", REPO / "tests" / "rulebooks"):
        for path in sorted(root.rglob("*.rule")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            folders.setdefault(path.parent, {})[str(path.relative_to(REPO))] = text
    return folders


FOLDERS = _rule_folders()
FILES = [(folder, name) for folder, files in FOLDERS.items() for name in files]


def test_the_corpus_is_there() -> None:
    assert (REPO / "rules") in FOLDERS
    assert len(FOLDERS[REPO / "rules"]) >= 5
    assert any(folder != REPO / "rules" for folder in FOLDERS)


CHINESE_NAMES = [
    "营业收入", "从业人数", "所属行业", "所在区域", "资质", "企业规模", "研发费用", "成立日期",
    "失信被执行人", "小型微利企业", "事项名称", "申请条件", "兑付标准", "适用时间", "示例", "给定",
    "预期", "兑付", "符合", "营业收人", "执行部分", "资质包含", "精准", "普惠",
]
PUNCTUATION = [
    ":", "：", ",", "，", ";", "；", "(", "（", ")", "）", "[", "]", "{", "}", "=", "==", "!=",
    ">=", "<=", ">", "<", "≥", "≤", "≠", "+", "-", "*", "/", "..", "#", '"', "“", "”", "%",
    "@", "【", "】", "\\",
]
LITERALS = [
    "0", "300", "2.5", "2000万", "1.5亿", "1.5亿元", "20万元", "500元", "300人", "5个", "10%",
    "3.5%", "3年", "6个月", "30天", "20个工作日", "2024-07-01", "2024-02-30", "0000-00-00",
    '"高新技术企业"', '"C"', '"C3911"', '"制造业"', '"530102"', '"Z99"', "“中文”", '""',
    "true", "false", "是", "否", "至少满足 2 项", "at least 2 of", "min", "max", "abs",
    "money", "count(人)", "enum", "set", "code(industry)", "code(region)", "text", "bool",
    "ratio", "date", "duration", "number", "uscc", "x", "_", "revenue",
]
WHITESPACE = ["\n", "\n\n", "    ", "\t", "\r\n", "\u3000", "# 注释\n"]
TOKENS = sorted(
    {*KEYWORDS, *(" ".join(pair) for pair in PAIRS), *CHINESE_NAMES, *PUNCTUATION,
     *LITERALS, *WHITESPACE}
)

token_soup = st.lists(
    st.tuples(st.sampled_from(TOKENS), st.sampled_from([" ", " ", "", "\n"])), max_size=60
).map(lambda pairs: "".join(tok + sep for tok, sep in pairs))

random_text = st.binary(max_size=600).map(lambda b: b.decode("utf-8", errors="replace"))

any_text = st.one_of(
    random_text, token_soup, st.text(max_size=300),
    st.text(alphabet=st.sampled_from(sorted("".join(TOKENS))), max_size=200),
)


@st.composite
def mutated_file(draw: st.DrawFn) -> tuple[Path, str, str]:
    """One real rule file with a few random edits: (folder, file name, new text)."""
    folder, name = draw(st.sampled_from(FILES))
    text = FOLDERS[folder][name]
    for _ in range(draw(st.integers(1, 6))):
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 40)))
        how = draw(st.sampled_from(["delete", "duplicate", "swap", "char", "token", "line"]))
        if how == "delete":
            text = text[:i] + text[j:]
        elif how == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif how == "swap" and 0 < i < n:
            text = text[: i - 1] + text[i] + text[i - 1] + text[i + 1:]
        elif how == "char":
            text = text[:i] + draw(st.characters()) + text[i:]
        elif how == "token":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[i:]
        else:  # drop or repeat one whole line
            lines = text.splitlines(keepends=True)
            if lines:
                k = draw(st.integers(0, len(lines) - 1))
                repeat = draw(st.booleans())
                lines[k:k + 1] = [lines[k]] * (2 if repeat else 0)
                text = "".join(lines)
    return folder, name, text


# ---- the properties ---------------------------------------------------------------------------


def assert_diagnostics_whole(diagnostics, sources) -> None:
    for d in diagnostics:
        assert isinstance(d.code, Code)
        assert d.code.value.startswith("E-")
        assert d.span.path, d
        assert d.span.line >= 1, d
        assert d.span.column >= 1, d
        assert d.message and d.message.strip(), d
        if d.code is not Code.IO:
            assert d.span.path in sources, d
            text = sources[d.span.path]
            assert d.span.line <= text.count("\n") + 1, d
            assert 0 <= d.span.start <= d.span.end <= len(text), d
        for r in d.related:
            assert r.span.line >= 1 and r.span.column >= 1 and r.message


def assert_load_sound(result: LoadResult, sources: dict[str, str]) -> None:
    assert_diagnostics_whole(result.diagnostics, sources)
    errors = [d for d in result.diagnostics if d.is_error]
    if errors:
        assert result.rulebook is None
    else:
        assert result.rulebook is not None
    # what the CLI prints must render too
    assert render_text(result.diagnostics, sources)
    assert isinstance(json.loads(render_json(result.diagnostics)), list)


@FUZZ
@given(any_text)
@example("")
@example("policy")
@example('policy "x" {')
@example("define a = (")
@example("tag a: enum[")
@example("至少满足 2 项 [")
def test_parse_never_raises(text: str) -> None:
    result = parse(text, "fuzz.rule")
    assert result.module.path == "fuzz.rule"
    assert_diagnostics_whole(result.diagnostics, {"fuzz.rule": text})
    assert all(d.code is Code.SYNTAX for d in result.diagnostics)


@FUZZ
@given(any_text)
def test_load_sources_never_raises_on_random_text(text: str) -> None:
    sources = {"fuzz.rule": text}
    assert_load_sound(load_sources(sources, VOCABULARY), sources)


@FUZZ
@given(token_soup, token_soup)
def test_load_sources_never_raises_on_token_soup_beside_real_tags(a: str, b: str) -> None:
    tags = FOLDERS[REPO / "rules"]["rules/tags.rule"]
    sources = {"rules/tags.rule": tags, "a.rule": a, "b.rule": "define x = " + b}
    assert_load_sound(load_sources(sources, VOCABULARY), sources)


def _context(folder: Path) -> dict[str, str]:
    """The files of a folder that declare no policy: its tags and defines."""
    return {name: text for name, text in FOLDERS[folder].items()
            if not re.search(r"^policy\s", text, re.MULTILINE)}


@FUZZ
@given(mutated_file())
def test_load_sources_never_raises_on_mutated_real_files(mutation: tuple[Path, str, str]) -> None:
    # The mutated file is loaded with the tags and defines of its rulebook (not every
    # policy file, to keep each example cheap), so names resolve and the checker runs deep.
    folder, name, text = mutation
    sources = _context(folder)
    sources[name] = text
    assert_load_sound(load_sources(sources, VOCABULARY), sources)


def test_the_unmutated_bundled_rulebook_loads_clean() -> None:
    sources = FOLDERS[REPO / "rules"]
    for name, text in sources.items():
        assert parse(text, name).diagnostics == (), name
    result = load_sources(sources, VOCABULARY)
    assert_load_sound(result, sources)
    assert result.rulebook is not None


# ---- inputs that are large rather than random ----------------------------------------------

TAGS = "tag 营业收入: money\ntag 失信: bool\n"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("define a = at least " + "9" * 5000 + " of [失信]", id="5000-digit-count"),
        pytest.param("define a = 营业收入 >= " + "9" * 5000, id="5000-digit-number"),
        pytest.param("define a = 营业收入 >= " + "9" * 5000 + "万", id="5000-digit-quantity"),
        pytest.param("define a = " + "(" * 1000 + "失信" + ")" * 1000, id="1000-nested-parens"),
        pytest.param("define a = " + "not " * 1000 + "失信", id="1000-nots"),
        pytest.param("define a = 营业收入 >= " + " + ".join(["1"] * 600), id="600-term-sum"),
        pytest.param("define a = " + "all of [" * 300 + "失信" + "]" * 300, id="300-nested-lists"),
    ],
)
def test_pathological_sizes_are_diagnosed_not_raised(text: str) -> None:
    sources = {"a.rule": TAGS + text}
    result = load_sources(sources, VOCABULARY)  # must not raise
    assert_load_sound(result, sources)


def test_many_declarations_load() -> None:
    text = TAGS + "".join(f"define d{i} = 营业收入 >= {i}万\n" for i in range(2000))
    result = load_sources({"a.rule": text}, VOCABULARY)
    assert result.rulebook is not None
    assert len(result.rulebook.defines) == 2000


# ---- files that are not UTF-8 -----------------------------------------------------------------


def test_non_utf8_file_is_an_io_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "good.rule").write_text("tag 营业收入: money\ndefine x = 营业收人 >= 1\n",
                                        encoding="utf-8")
    (tmp_path / "gbk.rule").write_bytes("tag 营业收入: money\n".encode("gbk"))
    result = inspect(tmp_path, VOCABULARY)
    assert result.rulebook is None
    io = [d for d in result.diagnostics if d.code is Code.IO]
    assert len(io) == 1
    assert io[0].span.path.endswith("gbk.rule")
    assert (io[0].span.line, io[0].span.column) == (1, 1)
    assert "UTF-8" in io[0].message or "UTF-8" in io[0].hint
    # the readable file is still checked
    assert any(d.code is Code.NAME and d.span.path.endswith("good.rule")
               for d in result.diagnostics)
    assert_diagnostics_whole(result.diagnostics, result.sources)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=1, max_size=300))
def test_random_bytes_on_disk_never_raise(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "random.rule"
    path.write_bytes(data)
    result = inspect(tmp_path, VOCABULARY)
    assert_load_sound(result, dict(result.sources))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert [d.code for d in result.diagnostics if d.span.path.endswith("random.rule")] == [
            Code.IO
        ]
        assert result.rulebook is None
