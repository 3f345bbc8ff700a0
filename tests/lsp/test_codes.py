"""Codes one level down, for completion: from a plug-in's ``children`` or by asking its
``lookup`` (the Hierarchy protocol alone)."""

from __future__ import annotations

from policy_match.lsp.codes import children, nearest_parent
from policy_match.plugins.builtins.industry import INDUSTRY
from policy_match.plugins.builtins.region import REGION


def test_the_top_level_of_industry_is_the_sections() -> None:
    top = dict(children(INDUSTRY, None))
    assert len(top) == 20 and all(len(c) == 1 and c.isalpha() for c in top)  # 门类 A–T
    assert top["C"] == INDUSTRY.label("C") and top["C"]


def test_below_a_code_every_child_is_inside_it() -> None:
    below = [code for code, _ in children(INDUSTRY, "C39")]
    assert below and all(INDUSTRY.contains("C39", c) and len(c) == 4 for c in below)
    assert all(INDUSTRY.lookup(c).code == c for c in below)


def test_regions_list_the_provinces_and_the_named_places() -> None:
    provinces = dict(children(REGION, None))
    assert len(provinces) == 34 and all(len(c) == 2 and n for c, n in provinces.items())
    assert provinces["53"] == REGION.label("53")
    assert ("530102", REGION.label("530102")) in children(REGION, "5301")


def test_a_hierarchy_that_lists_its_children_is_asked() -> None:
    class Listed:
        name = "listed"

        def lookup(self, text: str):  # type: ignore[no-untyped-def]
            raise AssertionError("not asked: children() answers")

        def label(self, code: str) -> str:
            return f"name of {code}"

        def children(self, code: str | None) -> list[str]:
            return ["X1", "X2"] if code is None else []

    assert children(Listed(), None) == [("X1", "name of X1"), ("X2", "name of X2")]  # type: ignore[arg-type]


def test_the_nearest_parent_is_the_longest_code_typed() -> None:
    assert nearest_parent(INDUSTRY, "C39") == "C39"
    assert nearest_parent(INDUSTRY, "C3") == "C"
    assert nearest_parent(INDUSTRY, "") is None
