from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy_match.dsl.vocabulary import Hierarchy
from policy_match.plugins.builtins.region import (
    PROVINCES,
    REGION,
    STREETS_VARIABLE,
    RegionHierarchy,
    divisions,
    sample_streets,
)


def canon(text: str) -> str | None:
    return REGION.lookup(text).code


def test_is_a_hierarchy_named_region() -> None:
    assert isinstance(REGION, Hierarchy)
    assert REGION.name == "region"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("53", "53"),
        ("5301", "5301"),
        ("530102", "530102"),
        ("530102003", "530102003"),
        ("530102003001", "530102003001"),
        ("530000", "53"),
        ("530100", "5301"),
        ("530102000", "530102000"),
        ("530102003000", "530102003"),
        ("530102000000", "530102"),
        ("530000000000", "53"),
        (" 530102 ", "530102"),
        ("５３０１０２", "530102"),
        ("530102011", "530102011"),
        ("11", "11"),
        ("71", "71"),
        ("81", "81"),
        ("82", "82"),
        ("810000", "81"),
    ],
)
def test_lookup_canonicalizes_codes(text: str, code: str) -> None:
    result = REGION.lookup(text)
    assert result.code == code
    assert result.reason == ""


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("云南", "53"),
        ("云南省", "53"),
        ("北京市", "11"),
        ("内蒙古", "15"),
        ("新疆维吾尔自治区", "65"),
        ("台湾", "71"),
        ("香港特别行政区", "81"),
        ("澳门", "82"),
        ("昆明市", "5301"),
        ("五华区", "530102"),
        ("华山街道", "530102001"),
        ("华山", "530102001"),
        ("黑林铺街道", "530102008"),
        ("西翥", "530102010"),
    ],
)
def test_lookup_knows_names(text: str, code: str) -> None:
    assert canon(text) == code


def test_the_sample_streets_are_marked_and_numbered_in_order() -> None:
    streets = sample_streets()
    assert len(streets) == 10
    for number, (code, name) in enumerate(streets, start=1):
        short = name.removesuffix("街道")
        assert code == f"530102{number:03d}"
        assert canon(short) == canon(name) == code
        assert REGION.label(code) == name
    from importlib import resources

    header = resources.files("policy_match.plugins.builtins").joinpath(
        "data", "sample-streets-wuhua.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "SAMPLE" in header and "不是官方代码" in header


def test_province_table_is_complete() -> None:
    assert len(PROVINCES) == 34
    assert {"11", "50", "65", "71", "81", "82"} <= PROVINCES.keys()


@pytest.mark.parametrize(
    ("text", "in_reason"),
    [
        ("99", "99 is not a province-level code"),
        ("20", "20 is not a province-level code"),
        ("000000", "00 is not a province-level code"),
        ("72", "72"),
        ("5", "digits"),
        ("53010", "5 digits"),
        ("5301020031", "10 digits"),
        ("530012", "prefecture part is all zeros"),
        ("530100001", "county part is all zeros"),
        ("530102000001", "township part is all zeros"),
        ("", "empty"),
        ("53-01", "neither"),
        ("火星", "neither"),
    ],
)
def test_lookup_rejects(text: str, in_reason: str) -> None:
    result = REGION.lookup(text)
    assert result.code is None
    assert in_reason in result.reason


def test_padded_prefecture_suggests_the_province() -> None:
    result = REGION.lookup("5300")
    assert result.code is None
    assert '"53"' in result.hint


def test_near_miss_name_gets_a_hint() -> None:
    result = REGION.lookup("五华")
    assert result.code == "530102"  # 五华县 of 梅州 too, but 五华区 is where the streets are
    assert REGION.lookup("五华县").code == "441424"  # the whole table is known
    result = REGION.lookup("五华小区")
    assert result.code is None
    assert "五华区" in result.hint


def test_path_and_contains() -> None:
    assert REGION.path("530102003") == ("53", "5301", "530102", "530102003")
    assert REGION.path("53") == ("53",)
    assert REGION.path("530102003001")[-2:] == ("530102003", "530102003001")
    assert REGION.contains("53", "530102003")
    assert REGION.contains("530102", "530102")
    assert not REGION.contains("530102", "5301")
    assert not REGION.contains("5302", "530102003")


def test_labels() -> None:
    assert REGION.label("53") == "云南省"
    assert REGION.label("5301") == "昆明市"
    assert REGION.label("530102") == "五华区"
    assert REGION.label("530103") == "盘龙区"
    assert REGION.label("530102099") is None  # a street no table registers


def test_the_official_table_goes_down_to_the_county() -> None:
    table = divisions()
    by_level = {n: sum(len(c) == n for c in table) for n in (2, 4, 6)}
    assert by_level == {2: 34, 4: 333, 6: 2843}
    assert table["530102"] == "五华区" and table["110101"] == "东城区"
    assert table["5301"] == "昆明市" and table["440305"] == "南山区"


@pytest.mark.parametrize(("text", "level"), [("530199", "county 530199"),
                                             ("539901", "prefecture 5399"),
                                             ("530199001", "county 530199")])
def test_verify_refuses_codes_missing_from_the_table_with_the_nearest(text: str,
                                                                      level: str) -> None:
    code = canon(text)
    assert code is not None  # records keep any well-formed code under a real province
    result = REGION.verify(code)
    assert result.code is None
    assert level in result.reason
    assert "（" in result.hint and "nearest" in result.hint


def test_streets_are_accepted_under_a_real_county_and_named_when_registered() -> None:
    assert canon("530103001") == "530103001"
    assert REGION.label("530103001") is None
    region = RegionHierarchy()
    region.add_streets([("530103001000", "某某街道")])
    assert region.label("530103001") == "某某街道"
    assert region.lookup("某某街道").code == "530103001"
    with pytest.raises(ValueError):
        region.add_streets([("530199001", "无此县的街道")])
    assert REGION.verify("530102001").code == "530102001"


def test_street_tables_come_from_the_environment(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "streets.csv"
    table.write_text("# 某区官方街道代码\ncode,name\n530103001,拓东街道\n", encoding="utf-8")
    monkeypatch.setenv(STREETS_VARIABLE, str(table))
    region = RegionHierarchy()
    assert region.label("530103001") == "拓东街道"
    assert region.label("530102001") is None  # the sample is replaced, not added to
    monkeypatch.setenv(STREETS_VARIABLE, "")
    assert RegionHierarchy().streets() == {}


def test_tools_list_codes_children_and_names() -> None:
    assert len(REGION.children(None)) == 34
    assert "5301" in REGION.children("53") and "1101" in REGION.children("11")
    assert "530102" in REGION.children("5301")
    assert REGION.children("530102")[0] == "530102001"
    assert REGION.name_of("530102000000") == "五华区"
    assert REGION.name_of("火星") is None
    assert sum(1 for _ in REGION.codes()) == len(divisions()) + len(sample_streets())


_COUNTIES = sorted(c for c in divisions() if len(c) == 6 and c[:2] in ("53", "11", "82", "44"))
codes = st.builds(
    lambda county, street, depth: (county + f"{street:03d}")[: (2, 4, 6, 9)[depth]],
    st.sampled_from(_COUNTIES),
    st.integers(1, 20),
    st.integers(0, 3),
)


@given(codes, codes)
def test_contains_agrees_with_path(outer: str, inner: str) -> None:
    assert REGION.lookup(inner).code == inner
    assert REGION.contains(outer, inner) == (outer in REGION.path(inner))


def test_a_rule_naming_a_county_the_table_lacks_is_an_error() -> None:
    from policy_match.core.loading import load_sources
    from policy_match.dsl.diagnostics import Code

    rules = ('tag 编号: text key\ntag 所在区域: code(region)\n'
             'policy "P" {{\n    事项名称: "x"\n    申请条件: 所在区域 in [{codes}]\n}}\n')
    result = load_sources({"a.rule": rules.format(codes='"530102", "530199"')})
    (d,) = result.diagnostics
    assert d.code is Code.CODE
    assert d.text("zh") == '未知的行政区划代码 "530199"：行政区划代码表中没有县级 530199'
    assert "530181（安宁市）" in d.hint_text("zh")
    book = load_sources({"a.rule": rules.format(codes='"530102", "530102003"')}).rulebook
    assert book is not None
    shown = book.explain({"编号": "1", "所在区域": "530102003"}, "P").render("zh")
    assert "所在区域 530102003（大观街道）" in shown and "五华区（530102）" in shown
