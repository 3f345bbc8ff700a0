import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy_match.dsl.vocabulary import Hierarchy
from policy_match.plugins.builtins.region import PROVINCES, REGION, WUHUA_STREETS


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


def test_the_ten_wuhua_streets_are_numbered_in_order() -> None:
    assert len(WUHUA_STREETS) == 10
    for number, street in enumerate(WUHUA_STREETS, start=1):
        assert canon(street) == canon(f"{street}街道") == f"530102{number:03d}"
        assert REGION.label(f"530102{number:03d}") == f"{street}街道"


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
    assert result.code == "530102"
    result = REGION.lookup("五华县")
    assert result.code is None
    assert "五华" in result.hint


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
    assert REGION.label("530103") is None


def _code(province: str, depth: int, numbers: list[int]) -> str:
    widths = (2, 2, 3, 3)[:depth]
    return province + "".join(f"{n:0{w}d}" for n, w in zip(numbers, widths, strict=False))


codes = st.builds(
    _code,
    st.sampled_from(["53", "11", "82"]),
    st.integers(0, 4),
    st.lists(st.integers(1, 3), min_size=4, max_size=4),
)


@given(codes, codes)
def test_contains_agrees_with_path(outer: str, inner: str) -> None:
    assert REGION.lookup(inner).code == inner
    assert REGION.contains(outer, inner) == (outer in REGION.path(inner))
