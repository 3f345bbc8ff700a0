"""The enterprise library generator (policy_match.generate) and the bundled 2,000-row sample."""

from __future__ import annotations

import datetime as dt
import warnings
from collections import Counter
from pathlib import Path

import pytest

import policy_match as pm
from policy_match import generate as g
from policy_match.builtins.uscc import validate_uscc
from policy_match.table import EnterpriseTable

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "enterprises-2000.csv"


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    return pm.load(ROOT / "rules")


@pytest.fixture(scope="module")
def big() -> list[dict]:
    return g.generate(20_000, seed=7)


def test_the_same_seed_gives_the_same_library() -> None:
    assert g.generate(300, seed=3) == g.generate(300, seed=3)
    assert g.generate(300, seed=3) != g.generate(300, seed=4)
    assert list(g.generate(5)[0]) == list(g.COLUMNS)


def test_every_column_is_a_tag(book: pm.Rulebook) -> None:
    assert set(g.COLUMNS) <= set(book.tags)
    missing = sorted(set(book.tags) - set(g.COLUMNS))
    if missing:  # a tag added to rules/tags.rule since: the generator should learn it
        warnings.warn(f"policy_match.generate has no column for {', '.join(missing)}",
                      stacklevel=1)


def test_the_bundled_sample_loads_without_errors(book: pm.Rulebook) -> None:
    table = EnterpriseTable.from_csv(SAMPLE, book)
    assert len(table) == 2000
    assert table.errors == []
    assert table.unknown_columns == ()
    assert len(set(table.ids)) == 2000


def test_keys_are_valid_and_unique(big: list[dict]) -> None:
    keys = [r["统一社会信用代码"] for r in big]
    assert len(set(keys)) == len(keys)
    for key in keys:
        assert validate_uscc(key) == key


def test_a_dirty_library_reports_every_bad_value_by_row_and_column(
        book: pm.Rulebook, tmp_path: Path) -> None:
    table, faults = g.generate_table(3000, seed=5, dirty=True, faults=True)
    path = tmp_path / "dirty.csv"
    g.write(table, path)
    loaded = EnterpriseTable.from_csv(path, book)
    assert len(loaded) == 3000  # rows in = rows loaded
    kinds = {f.kind for f in faults}
    assert {"non-numeric money", "impossible date", "unknown enum value",
            "bad check character", "duplicate key", "missing key"} <= kinds
    assert Counter((e.row, e.column) for e in loaded.errors) == \
        Counter((f.row, f.column) for f in faults)


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_every_format_loads_to_the_same_verdicts(book: pm.Rulebook, tmp_path: Path,
                                                 suffix: str) -> None:
    table = g.generate_table(500, seed=2)
    g.write(table, tmp_path / "e.csv")
    g.write(table, tmp_path / f"e{suffix}")
    a = EnterpriseTable.from_csv(tmp_path / "e.csv", book)
    b = EnterpriseTable.load(tmp_path / f"e{suffix}", book)
    assert a.errors == [] and b.errors == []
    as_of = g.REFERENCE_DATE
    assert book.match(a, as_of=as_of).counts() == book.match(b, as_of=as_of).counts()


def test_records_write_too(tmp_path: Path) -> None:
    rows = g.generate(20, seed=1)
    assert g.write(rows, tmp_path / "r.csv") == 20
    with pytest.raises(ValueError, match="unknown table format"):
        g.write(rows, tmp_path / "r.txt")


def test_main_generate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "e.csv"
    assert g.main_generate(100, out, seed=1, dirty=True) == 0
    assert out.read_text(encoding="utf-8").count("\n") == 101
    assert "wrote 100 enterprises" in capsys.readouterr().err


def test_the_mix_looks_like_an_urban_service_district(big: list[dict]) -> None:
    n = len(big)

    def share(test) -> float:  # type: ignore[no-untyped-def]
        return sum(1 for r in big if test(r)) / n

    def section(code: str) -> str:
        if code[0].isalpha():
            return code[0]
        from policy_match.builtins.industry import INDUSTRY

        return INDUSTRY.lookup(code).code[0]  # type: ignore[index]

    sections = Counter(section(r["所属行业"]) for r in big)
    top = {s for s, _ in sections.most_common(6)}
    assert top <= {"F", "L", "M", "I", "H", "E", "O", "K"}
    assert 0.2 < sections["F"] / n < 0.4
    assert 0.02 < sections["C"] / n < 0.08
    assert 0.3 < share(lambda r: r["所属行业"][0].isdigit()) < 0.5  # codes without the letter
    assert 0.8 < share(lambda r: r["所在区域"].startswith("530102")) < 0.9
    assert share(lambda r: r["企业规模"] == "微型") > 0.6
    assert share(lambda r: r["企业规模"] == "大型") < 0.01
    quals = [r["资质"] or "" for r in big]
    assert 0.01 < sum("高新技术企业" in q for q in quals) / n < 0.03
    assert 0.025 < sum("科技型中小企业" in q for q in quals) / n < 0.06
    assert 0 < sum("专精特新" in q for q in quals) / n < 0.01
    for tag in ("研发费用", "应纳税所得额", "纳税额", "纳税信用等级"):
        assert 0.08 <= share(lambda r, t=tag: r[t] is None) <= 0.22, tag
    revenue = sorted(r["营业收入"] for r in big)
    assert revenue[n // 2] * 20 < revenue[int(n * 0.99)]  # heavy tailed
    assert all(dt.date.fromisoformat(r["成立日期"]) < g.REFERENCE_DATE for r in big[:1000])


def test_size_follows_the_2017_table() -> None:
    cases = [  # (code, X, Y yuan, Z yuan, size)
        ("C3911", 300, 20_000_000, 0, "中型"), ("C3911", 299, 20_000_000, 0, "小型"),
        ("C3911", 1000, 400_000_000, 0, "大型"), ("C3911", 19, 400_000_000, 0, "微型"),
        ("F5212", 10, 1_000_000, 0, "小型"), ("F5212", 9, 1_000_000, 0, "微型"),
        ("F5112", 5, 10_000_000, 0, "小型"), ("F5112", 200, 400_000_000, 0, "大型"),
        ("I6510", 100, 10_000_000, 0, "中型"), ("I6510", 10, 500_000, 0, "小型"),
        ("K7010", 0, 1_000_000, 20_000_000, "小型"), ("K7020", 100, 5_000_000, 0, "小型"),
        ("L7212", 10, 0, 1_000_000, "小型"), ("L7212", 10, 0, 999_999, "微型"),
        ("E4812", 0, 3_000_000, 3_000_000, "小型"), ("A0111", 0, 500_000, 0, "小型"),
        ("O8011", 10, 0, 0, "小型"), ("G5312", 300, 0, 0, "大型"),
    ]
    import numpy as np

    for code, x, y, z, size in cases:
        band = g.classify_size(np.array([code[0]]), np.array([code[1:]]), np.array([x]),
                               np.array([float(y)]), np.array([float(z)]))
        assert g.SIZES[int(band[0])] == size, (code, x, y, z)


def test_size_agrees_with_the_rulebook_define(book: pm.Rulebook) -> None:
    if "企业规模划型" not in book.defines:
        pytest.skip("rules/ has no 企业规模划型 define")
    for record in g.generate(400, seed=11):
        assert book.profile(record)["企业规模划型"] == record["企业规模"], record
