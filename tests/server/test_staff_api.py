"""The staff JSON API over real HTTP: tokens (401/403), one enterprise's matches, one item's
enterprises, the roster and the outbox (JSON and .xlsx)."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from policy_match import EnterpriseTable, load
from policy_match.tools.demo import DEMO_DATE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def bulk(live_server):  # type: ignore[no-untyped-def]
    book = load(live_server.rules)
    table = EnterpriseTable.load(live_server.data, book.schema)
    return book, table, book.match(table, DEMO_DATE)


def _first_id(live_server) -> str:  # type: ignore[no-untyped-def]
    with live_server.data.open(encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))["统一社会信用代码"]


def _item_of(bulk, department: str) -> str:  # type: ignore[no-untyped-def]
    book, _, result = bulk
    return next(pid for pid, p in book.policies.items()
                if p.department == department and p.active_on(DEMO_DATE)
                and result.eligible(pid))


STAFF_PATHS = ("/api/enterprises/{e}/matches", "/api/policies/{p}/enterprises",
               "/api/policies/{p}/roster", "/api/policies/{p}/outbox")


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_staff_endpoints_need_a_valid_token(client: httpx.Client, live_server, bulk,  # type: ignore[no-untyped-def]
                                            path: str) -> None:
    url = path.format(e=_first_id(live_server), p=_item_of(bulk, "区科学技术局"))
    missing = client.get(url)
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["code"] == "server.token_missing"
    wrong = client.get(url, headers={"Authorization": "Bearer not-a-token-of-ours-at-all"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "server.token_wrong"
    assert client.get(url, headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get(url, headers=live_server.headers("区科学技术局")).status_code == 200


@pytest.mark.parametrize("path", STAFF_PATHS[1:])
def test_another_departments_item_is_forbidden(client: httpx.Client, live_server, bulk,  # type: ignore[no-untyped-def]
                                               path: str) -> None:
    url = path.format(p=_item_of(bulk, "区科学技术局"))
    refused = client.get(url, headers=live_server.headers("区财政局"))
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "server.other_department" and "区科学技术局" in body["detail"]
    assert client.get(url, headers=live_server.headers("*")).status_code == 200


def test_enterprise_matches_agree_with_the_bulk_match(client: httpx.Client, live_server,  # type: ignore[no-untyped-def]
                                                      bulk) -> None:
    book, table, result = bulk
    enterprise = _first_id(live_server)
    body = client.get(f"/api/enterprises/{enterprise}/matches",
                      headers=live_server.headers("*")).json()
    assert body["enterprise"] == enterprise and body["as_of"] == DEMO_DATE.isoformat()
    current = {pid for pid, p in book.policies.items() if p.active_on(DEMO_DATE)}
    assert {m["policy_id"] for m in body["matches"]} == current
    record = table.row(table.index_of(enterprise))
    for m in body["matches"]:
        assert m["verdict"] == result.verdict(enterprise, m["policy_id"]).value
        assert m["explanation"]["verdict"] == m["verdict"]
        if m["benefit"] is not None:
            assert str(book.benefit(record, m["policy_id"], DEMO_DATE)) == m["benefit"]
    own = client.get(f"/api/enterprises/{enterprise}/matches",
                     headers=live_server.headers("区科学技术局")).json()["matches"]
    assert own and {m["department"] for m in own} == {"区科学技术局"}


def test_unknown_enterprise_is_404(client: httpx.Client, live_server) -> None:  # type: ignore[no-untyped-def]
    got = client.get("/api/enterprises/91530100NOSUCH0000/matches",
                     headers=live_server.headers("*"))
    assert got.status_code == 404 and got.json()["code"] == "server.no_enterprise"


def test_policy_enterprises_pages_through_the_eligible_and_unknown(client: httpx.Client,  # type: ignore[no-untyped-def]
                                                                    live_server, bulk) -> None:
    book, _, result = bulk
    pid = _item_of(bulk, "区科学技术局")
    headers = live_server.headers("*")
    seen: list[str] = []
    offset = 0
    while True:
        page = client.get(f"/api/policies/{pid}/enterprises", headers=headers,
                          params={"verdict": "eligible", "offset": offset, "limit": 3}).json()
        assert page["total"] == len(result.eligible(pid))
        seen += [e["id"] for e in page["enterprises"]]
        offset += 3
        if offset >= page["total"]:
            break
    assert seen == result.eligible(pid)
    unknown_pid = next(p for p in result.policy_ids
                       if result.tris[p] is not None and result.unknown(p))
    page = client.get(f"/api/policies/{unknown_pid}/enterprises", headers=headers,
                      params={"verdict": "unknown", "limit": 5}).json()
    assert [e["id"] for e in page["enterprises"]] == result.unknown(unknown_pid)[:5]
    for entry in page["enterprises"]:
        record = _table_record(bulk, entry["id"])
        assert entry["missing"] == book.explain(record, unknown_pid, DEMO_DATE).missing
    bad = client.get(f"/api/policies/{pid}/enterprises", headers=headers,
                     params={"verdict": "ineligible"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["tag"] == "verdict"
    assert client.get(f"/api/policies/{pid}/enterprises", headers=headers,
                      params={"limit": 0}).status_code == 422


def _table_record(bulk, enterprise: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    _, table, _ = bulk
    return table.row(table.index_of(enterprise))


def test_roster_as_json_and_xlsx(client: httpx.Client, live_server, bulk) -> None:  # type: ignore[no-untyped-def]
    from policy_match.apps.money.roster import roster

    _, _, result = bulk
    book = result.book
    paid = next((pid for pid, p in book.policies.items()
                 if p.no_application and p.active_on(DEMO_DATE) and result.eligible(pid)), None)
    assert paid is not None, "the bundled rulebook has 免申即享 items"
    headers = live_server.headers("*")
    body = client.get(f"/api/policies/{paid}/roster", headers=headers).json()
    want = roster(result, [paid])
    assert body["headers"] == want.headers()
    assert len(body["rows"]) == len(want) and body["total"] == str(want.total())
    sheet = client.get(f"/api/policies/{paid}/roster", headers=headers,
                       params={"format": "xlsx"})
    assert sheet.status_code == 200 and sheet.headers["content-type"] == XLSX
    workbook = load_workbook(io.BytesIO(sheet.content), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == want.headers() and len(rows) == len(want) + 1


def test_outbox_as_json_and_xlsx(client: httpx.Client, live_server, bulk) -> None:  # type: ignore[no-untyped-def]
    pid = _item_of(bulk, "区科学技术局")
    headers = live_server.headers("区科学技术局")
    body = client.get(f"/api/policies/{pid}/outbox", headers=headers).json()
    _, _, result = bulk
    assert body["count"] == len(body["messages"]) > 0
    assert all(m["item"] == pid for m in body["messages"])
    told = {m["enterprise"] for m in body["messages"] if m["kind"] == "match"}
    assert told == set(result.eligible(pid))
    sheet = client.get(f"/api/policies/{pid}/outbox", headers=headers,
                       params={"format": "xlsx"})
    assert sheet.headers["content-type"] == XLSX
    rows = list(load_workbook(io.BytesIO(sheet.content), read_only=True)
                .worksheets[0].iter_rows(values_only=True))
    assert len(rows) == body["count"] + 1
    assert client.get(f"/api/policies/{pid}/outbox", headers=headers,
                      params={"format": "pdf"}).status_code == 422
