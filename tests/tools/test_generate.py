"""The enterprise library generator (policy_match.tools.generate)
and the bundled 2,000-row sample."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

import policy_match as pm
from policy_match.data.table import EnterpriseTable
from policy_match.plugins.builtins.uscc import validate_uscc
from policy_match.tools import generate as g

ROOT = Path(__file__).resolve().parents[2]
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


def test_every_tag_has_a_column_in_its_order(book: pm.Rulebook) -> None:
    missing = sorted(set(book.tags) - set(g.COLUMNS))
    assert not missing, f"policy_match.tools.generate has no column for {', '.join(missing)}"
    assert list(g.COLUMNS) == list(book.tags)


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


def test_write_library_returns_what_it_wrote(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "e.csv"
    written = g.write_library(100, out, seed=1, dirty=True)
    assert written == g.Written(out, 100, 1, True, written.bad_values)
    assert out.read_text(encoding="utf-8").count("\n") == 101
    _, faults = g.generate_table(100, seed=1, dirty=True, faults=True)
    assert written.bad_values == len(faults) > 0
    assert g.write_library(10, tmp_path / "clean.jsonl").bad_values == 0
    assert capsys.readouterr() == ("", "")  # the library prints nothing; the command does


def test_the_generate_command_reports_on_stderr(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from policy_match.cli import main

    out = tmp_path / "e.csv"
    assert main(["generate", "--n", "50", "--out", str(out), "--seed", "3", "--dirty"]) == 0
    err = capsys.readouterr().err
    _, faults = g.generate_table(50, seed=3, dirty=True, faults=True)
    assert f"wrote 50 enterprises (seed 3, {len(faults)} deliberately bad value(s)) to {out}" \
        in err
    assert out.read_bytes() == _csv_bytes(tmp_path, g.generate_table(50, seed=3, dirty=True))
    assert main(["generate", "--n", "5", "--out", str(tmp_path / "e.txt")]) == 2
    assert "use .csv, .jsonl or .parquet" in capsys.readouterr().err


def _csv_bytes(tmp_path: Path, table: object) -> bytes:
    path = tmp_path / "expected.csv"
    g.write(table, path)
    return path.read_bytes()


def test_the_bundled_sample_is_seed_0(tmp_path: Path) -> None:
    """data/enterprises-2000.csv is `generate --n 2000 --seed 0`, byte for byte: splitting
    or reordering the generator's draws would change it."""
    assert SAMPLE.read_bytes() == _csv_bytes(tmp_path, g.generate_table(2000, seed=0))


def test_the_mix_looks_like_an_urban_service_district(big: list[dict]) -> None:
    n = len(big)

    def share(test) -> float:  # type: ignore[no-untyped-def]
        return sum(1 for r in big if test(r)) / n

    def section(code: str) -> str:
        if code[0].isalpha():
            return code[0]
        from policy_match.plugins.builtins.industry import INDUSTRY

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


def test_a_large_library_loads_without_errors(book: pm.Rulebook, tmp_path: Path) -> None:
    table = g.generate_table(20_000, seed=8)
    loaded = EnterpriseTable.from_arrow(table, book)
    assert loaded.errors == []
    assert len(loaded) == 20_000


def test_the_later_tags_look_like_a_district_too(big: list[dict]) -> None:
    from policy_match.plugins.builtins.industry import INDUSTRY

    n = len(big)

    def code(r: dict) -> str:
        return INDUSTRY.lookup(r["所属行业"]).code  # type: ignore[return-value]

    def share(rows: list[dict], test) -> float:  # type: ignore[no-untyped-def]
        return sum(1 for r in rows if test(r)) / max(len(rows), 1)

    # 首台（套）首批次首版次: a few manufacturers and software houses, blank for everyone else.
    first = [r for r in big if r["首台套产品类型"] is not None]
    assert 0 < len(first) / n < 0.01
    for r in first:
        c = code(r)
        assert c[0] == "C" or c.startswith("I65"), c
        assert (r["首台套产品类型"] == "首版次软件") == c.startswith("I65")
    assert all(r["首台套销售额"] is None for r in big if r["首台套首次销售日期"] is None
               and r["首台套产品类型"] is None)
    # 首店: a few shops, restaurants and venues, opened after they were founded.
    stores = [r for r in big if r["首店开业日期"] is not None]
    assert 0 < len(stores) / n < 0.02
    for r in stores:
        assert code(r)[:3] == "F52" or code(r)[0] in "HR", code(r)
        assert r["成立日期"] <= r["首店开业日期"] <= g.REFERENCE_DATE.isoformat()
    # 个体工商户: their taxes and keepers only.
    for tag in ("个体工商户应缴税费", "经营者为重点群体"):
        assert all(r[tag] is None for r in big if r["市场主体类型"] != "个体工商户"), tag
        assert 0.1 <= share([r for r in big if r["市场主体类型"] == "个体工商户"],
                            lambda r, t=tag: r[t] is None) <= 0.3
    # exports: some manufacturers and wholesalers, a share of revenue; premiums only on exports.
    exporters = [r for r in big if r["出口额"]]
    assert 0.005 < len(exporters) / n < 0.04
    assert share(exporters, lambda r: code(r)[0] == "C" or code(r)[:3] == "F51") > 0.9
    assert all(r["出口额"] <= r["营业收入"] for r in exporters)
    assert all(r["出口额"] or r["出口额"] is None for r in big if r["出口信用保险保费"])
    manufacturers = [r for r in big if code(r)[0] == "C"]
    assert share(manufacturers, lambda r: bool(r["出口额"])) > 0.05
    # knowledge property and trademarks: mostly 0, heavy tailed.
    for tag in ("一类知识产权数", "二类知识产权数", "注册商标数"):
        values = sorted(r[tag] for r in big if r[tag] is not None)
        assert values[len(values) // 2] == 0, tag
        assert 0.02 < share(big, lambda r, t=tag: bool(r[t])) < 0.3, tag
    tail = sorted(r["二类知识产权数"] for r in big if r["二类知识产权数"])
    assert tail[-1] > 10 * tail[len(tail) // 2]
    # ratios are fractions, scores are out of 100.
    for tag in ("科技人员占比", "高新技术产品收入占比", "残疾人就业比例", "见习留用率"):
        assert all(0 <= r[tag] <= 1 for r in big if r[tag] is not None), tag
    for tag in ("高企创新能力评价得分", "创新型中小企业评价得分"):
        assert all(0 <= r[tag] <= 100 for r in big if r[tag] is not None), tag
    hnte = [r for r in big if "高新技术企业" in (r["资质"] or "")]
    assert share(hnte, lambda r: (r["科技人员占比"] or 0) >= 0.1) > 0.6
    # 见习: rates only where there were trainees; 残保金: zero once the quota is met.
    assert all(r["就业见习人月数"] for r in big if r["见习留用率"] is not None
               and r["就业见习人月数"] is not None)
    assert all(r["残保金应缴费额"] == 0 for r in big
               if (r["残疾人就业比例"] or 0) >= 0.015 and r["残保金应缴费额"] is not None)
    # the rarer administrative fields: missing for 10-30 %.
    for tag in ("成本费用总额", "科技人员占比", "数字化改造投入", "网络零售额", "出口额",
                "在职职工年平均人数", "知识产权质押贷款金额", "拟申请担保金额", "注册商标数"):
        assert 0.08 <= share(big, lambda r, t=tag: r[t] is None) <= 0.32, tag


def test_places_are_real_counties_and_wuhua_streets_use_the_marked_sample(big: list[dict]
                                                                          ) -> None:
    from policy_match.plugins.builtins.region import REGION, divisions, sample_streets

    sample = dict(sample_streets())
    regions = Counter(r["所在区域"] for r in big if r["所在区域"])
    assert all(code[:6] in divisions() for code in regions)  # every county is official
    wuhua = {code for code in regions if code.startswith("530102")}
    assert wuhua == set(sample)  # the ten sample streets, and nothing else there
    assert all(REGION.verify(code).code == code for code in regions)
