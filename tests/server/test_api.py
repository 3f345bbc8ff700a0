"""The public JSON API over real HTTP: items, one item, QR code, tag schema, check, health."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from policy_match import load
from policy_match.apps.lifecycle.status import EXPIRING_WITHIN
from policy_match.apps.publishing.listing import COLUMNS
from policy_match.dsl.ir import Verdict
from policy_match.tools.demo import DEMO_DATE


@pytest.fixture(scope="module")
def book(live_server):  # type: ignore[no-untyped-def]
    return load(live_server.rules)


def test_healthz_names_the_version_and_load_time(client: httpx.Client, book) -> None:  # type: ignore[no-untyped-def]
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["errors"] == []
    assert len(health["version"]) == 12
    assert health["items"] == len(book.policies)
    assert health["current_items"] == sum(p.active_on(DEMO_DATE) for p in book.policies.values())
    assert health["today"] == DEMO_DATE.isoformat()
    assert dt.datetime.fromisoformat(health["loaded_at"]).utcoffset() == dt.timedelta(hours=8)
    assert health["enterprises"] == 300


def test_policies_lists_the_current_items_with_the_14_fields(client: httpx.Client, book) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/policies").json()
    current = [pid for pid, p in book.policies.items() if p.active_on(DEMO_DATE)]
    assert [item["id"] for item in body["items"]] == current
    assert body["count"] == len(current) and body["as_of"] == DEMO_DATE.isoformat()
    for item in body["items"]:
        policy = book.policies[item["id"]]
        assert list(item["fields"]) == list(COLUMNS)
        assert item["fields"]["事项名称"] == policy.name == item["name"]
        assert item["department"] == policy.department == item["fields"]["执行部门"]
        assert item["category"] == policy.category
        soon = (policy.valid_to is not None
                and (policy.valid_to - DEMO_DATE).days <= EXPIRING_WITHIN)
        assert (item["status"], item["status_zh"]) == (
            ("expiring", "即将到期") if soon else ("active", "有效"))


def test_policies_filter_by_department_category_and_text(client: httpx.Client, book) -> None:  # type: ignore[no-untyped-def]
    everything = client.get("/api/policies").json()["items"]
    department = everything[0]["department"]
    by_department = client.get("/api/policies", params={"department": department}).json()
    assert by_department["items"] and all(
        i["department"] == department for i in by_department["items"])
    assert by_department["count"] == sum(i["department"] == department for i in everything)
    category = everything[-1]["category"]
    by_category = client.get("/api/policies", params={"category": category}).json()["items"]
    assert {i["id"] for i in by_category} == {i["id"] for i in everything
                                              if i["category"] == category}
    name = everything[1]["name"]
    found = client.get("/api/policies", params={"q": name}).json()["items"]
    assert everything[1]["id"] in {i["id"] for i in found} and len(found) < len(everything)
    assert client.get("/api/policies", params={"q": "绝对没有这个词"}).json()["count"] == 0


def test_industry_filter_keeps_items_the_code_does_not_rule_out(client: httpx.Client,
                                                                book) -> None:  # type: ignore[no-untyped-def]
    everything = {i["id"] for i in client.get("/api/policies").json()["items"]}
    for code in ("C3911", "I6511", "H6210"):
        kept = {i["id"] for i in client.get("/api/policies",
                                            params={"industry": code}).json()["items"]}
        assert kept <= everything
        for pid in everything:
            alone = book.evaluate({"所属行业": code}, pid, DEMO_DATE)
            assert (pid in kept) == (alone is not Verdict.INELIGIBLE), (code, pid)
    manufacturing = {i["id"] for i in client.get(
        "/api/policies", params={"industry": "C3911"}).json()["items"]}
    catering = {i["id"] for i in client.get(
        "/api/policies", params={"industry": "H6210"}).json()["items"]}
    assert manufacturing != catering  # the filter tells industries apart


def test_one_item_has_statutory_wording_and_links(client: httpx.Client, book) -> None:  # type: ignore[no-untyped-def]
    pid = client.get("/api/policies").json()["items"][0]["id"]
    item = client.get(f"/api/policies/{pid}").json()
    assert item["conditions_zh"] == book.describe(pid, "zh")
    assert item["conditions_en"] == book.describe(pid, "en")
    assert item["page"] == f"/policies/{pid}"
    assert item["qr"] == f"/api/policies/{pid}/qr.svg"
    assert item["materials"] == list(book.policies[pid].materials)


def test_qr_code_is_svg_of_the_item_page(client: httpx.Client) -> None:
    pid = client.get("/api/policies").json()["items"][0]["id"]
    svg = client.get(f"/api/policies/{pid}/qr.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and "<path" in svg.text
    assert client.get("/api/policies/NO-SUCH/qr.svg").status_code == 404


def test_tags_describe_every_tag_for_a_form(client: httpx.Client, book) -> None:  # type: ignore[no-untyped-def]
    tags = {t["name"]: t for t in client.get("/api/tags").json()["tags"]}
    assert list(tags) == list(book.tags)
    assert tags["企业规模"]["type"] == "enum"
    assert tags["企业规模"]["values"] == list(book.tags["企业规模"].type.values)
    assert tags["从业人数"]["unit"] == "人"
    industry = tags["所属行业"]
    assert industry["type"] == "code" and industry["hierarchy"] == "industry"
    assert industry["codes"]  # the codes the rules test, the 门类 with their names
    assert all(c["label"] for c in industry["codes"] if len(c["code"]) == 1)
    assert {"code": "C", "label": "制造业"} in industry["codes"]
    assert tags["统一社会信用代码"]["key"] is True
    assert tags["营业收入"]["used_by"] > 0


def test_check_answers_every_current_item(client: httpx.Client, book) -> None:  # type: ignore[no-untyped-def]
    record = {"企业规模": "小型", "所在区域": "530102003", "失信被执行人": "否",
              "营业收入": 5_000_000, "资质": ["高新技术企业"]}
    body = client.post("/api/check", json={"record": record}).json()
    assert body["as_of"] == DEMO_DATE.isoformat()
    current = {pid for pid, p in book.policies.items() if p.active_on(DEMO_DATE)}
    assert {r["policy_id"] for r in body["results"]} == current
    as_book = {**record, "资质": "高新技术企业"}
    for r in body["results"]:
        assert r["verdict"] == book.evaluate(as_book, r["policy_id"], DEMO_DATE).value
        if r["verdict"] == "unknown":
            assert r["missing"]
        assert r["gap"] is None and r["explanation"] is None  # explain=false
    ranks = [("eligible", "unknown", "ineligible").index(r["verdict"]) for r in body["results"]]
    assert ranks == sorted(ranks)  # eligible first, then unknown, then ineligible


def test_check_with_explanations_gives_gaps_and_trees(client: httpx.Client, book) -> None:  # type: ignore[no-untyped-def]
    record = {"企业规模": "小型", "所在区域": "530102003", "失信被执行人": "否",
              "营业收入": 5_000_000, "从业人数": 30}
    body = client.post("/api/check", json={"record": record, "explain": True}).json()
    ineligible = [r for r in body["results"] if r["verdict"] == "ineligible"]
    assert ineligible
    for r in body["results"]:
        explanation = r["explanation"]
        assert explanation["policy_id"] == r["policy_id"]
        assert explanation["verdict"] == r["verdict"]
        want = book.explain(record, r["policy_id"], DEMO_DATE)
        assert explanation["missing"] == want.missing
        assert [g["id"] for g in explanation["gap"]] == [g.id for g in want.gap]
        if r["verdict"] == "ineligible" and want.gap:
            assert [g["text_zh"] for g in r["gap"]] == [g.text_zh for g in want.gap]


def test_check_amounts_equal_book_benefit(client: httpx.Client, book) -> None:  # type: ignore[no-untyped-def]
    record = {"企业规模": "小型", "所在区域": "530102003", "失信被执行人": "否",
              "欠薪欠保企业": "否", "新招用高校毕业生人数": 3, "高校毕业生单位社保缴费额": 36000,
              "市场主体类型": "企业", "所属行业": "I6511", "从业人数": 40, "营业收入": 8_000_000,
              "资产总额": 5_000_000}
    body = client.post("/api/check", json={"record": record}).json()
    paid = [r for r in body["results"] if r["benefit"] is not None]
    assert paid, "the record was made to be eligible for an item that pays"
    for r in paid:
        assert r["verdict"] == "eligible"
        assert str(book.benefit(record, r["policy_id"], DEMO_DATE)) == r["benefit"]
        assert r["benefit_zh"]


def test_check_on_another_day_uses_that_days_items(client: httpx.Client, book) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2023, 6, 1)
    body = client.post("/api/check", json={"record": {"企业规模": "微型"},
                                           "as_of": day.isoformat()}).json()
    assert body["as_of"] == day.isoformat()
    assert {r["policy_id"] for r in body["results"]} == {
        pid for pid, p in book.policies.items() if p.active_on(day)}


def test_openapi_docs_are_served(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    for path in ("/api/policies", "/api/policies/{policy_id}", "/api/tags", "/api/check",
                 "/healthz", "/api/enterprises/{enterprise_id}/matches",
                 "/api/policies/{policy_id}/enterprises", "/api/policies/{policy_id}/roster",
                 "/api/policies/{policy_id}/outbox"):
        assert path in spec["paths"], path


def test_check_gives_gaps_without_trees_when_asked(client: httpx.Client, book) -> None:  # type: ignore[no-untyped-def]
    record = {"企业规模": "小型", "所在区域": "530102003", "失信被执行人": "否",
              "营业收入": 5_000_000, "从业人数": 30}
    body = client.post("/api/check", json={"record": record, "gap": True}).json()
    with_gap = [r for r in body["results"] if r["gap"]]
    assert with_gap and all(r["verdict"] == "ineligible" for r in with_gap)
    assert all(r["explanation"] is None for r in body["results"])
    for r in with_gap:
        want = book.explain(record, r["policy_id"], DEMO_DATE)
        assert [g["text_en"] for g in r["gap"]] == [g.text_en for g in want.gap]
    gaps = [len(r["gap"]) if r["gap"] else 1 << 20 for r in body["results"]
            if r["verdict"] == "ineligible"]
    assert gaps == sorted(gaps)  # 差一项 first among the ineligible


def test_check_record_for_the_pages_fills_the_gaps(live_server, book) -> None:  # type: ignore[no-untyped-def]
    from policy_match.server.queries import check_record

    snapshot = live_server.app.state.service.snapshot
    response = check_record(snapshot, {"企业规模": "中型"}, DEMO_DATE)
    ineligible = [r for r in response.results if r.verdict == "ineligible"]
    assert ineligible and any(r.gap for r in ineligible)
    assert all(r.explanation is None for r in response.results)
