"""Live updates on the running server: a broken rulebook keeps the old one serving and shows
its errors, a fixed one is swapped in; an item leaves the lists the day after its 适用时间
ends, by China's date, without a restart."""

from __future__ import annotations

import datetime as dt

import httpx

from policy_match import load

NEW_ITEM = '''
policy "WH-TEST-2025-001" {
  name: "测试新增事项"
  valid: 2025-01-01 .. 2025-07-05
  department: "区财政局"
  category: "资金类"
  eligible: 企业规模 in ["小型", "微型"]
}
'''


def _ids(client: httpx.Client) -> set[str]:
    return {i["id"] for i in client.get("/api/policies").json()["items"]}


def test_broken_rules_keep_serving_then_a_fix_is_swapped_in(fresh_rules,  # type: ignore[no-untyped-def]
                                                            client: httpx.Client) -> None:
    live = fresh_rules
    before = client.get("/healthz").json()
    items_before = _ids(client)
    live.write_rule("zz-test.rule",
                    'policy "WH-BROKEN" {\n  name: "坏的"\n  eligible: 不存在的标签 > 1\n}\n')
    health = live.wait_until(lambda h: h["status"] == "degraded")
    assert health["version"] == before["version"]  # the old rulebook still serves
    assert health["errors"] and all(e["message_zh"] and e["message_en"]
                                    for e in health["errors"])
    assert any(e["path"] == "zz-test.rule" for e in health["errors"])  # not the server's disk
    assert _ids(client) == items_before
    assert client.post("/api/check", json={"record": {"企业规模": "小型"}}).status_code == 200
    assert live.app.state.service.snapshot.errors  # what /staff shows

    live.write_rule("zz-test.rule", NEW_ITEM)
    health = live.wait_until(lambda h: h["status"] == "ok" and h["version"] != before["version"])
    assert health["errors"] == []
    assert health["items"] == before["items"] + 1
    assert "WH-TEST-2025-001" in _ids(client)
    assert dt.datetime.fromisoformat(health["loaded_at"]) > dt.datetime.fromisoformat(
        before["loaded_at"])


def test_item_leaves_the_lists_the_day_after_it_ends(fresh_rules,  # type: ignore[no-untyped-def]
                                                     client: httpx.Client) -> None:
    live = fresh_rules
    live.write_rule("zz-test.rule", NEW_ITEM)
    live.wait_until(lambda h: h["items"] == len(load(live.rules).policies) and
                    h["status"] == "ok")
    live.clock.set(dt.date(2025, 7, 5))  # the last day of 适用时间, in China
    listed = {i["id"]: i for i in client.get("/api/policies").json()["items"]}
    assert listed["WH-TEST-2025-001"]["status"] == "expiring"
    assert listed["WH-TEST-2025-001"]["days_left"] == 0
    assert client.get("/api/policies/WH-TEST-2025-001").status_code == 200
    checked = client.post("/api/check", json={"record": {"企业规模": "小型"}}).json()
    assert "WH-TEST-2025-001" in {r["policy_id"] for r in checked["results"]}

    live.clock.set(dt.date(2025, 7, 6))  # the next day: gone, with no reload or restart
    assert "WH-TEST-2025-001" not in _ids(client)
    assert client.get("/api/policies/WH-TEST-2025-001").status_code == 404
    checked = client.post("/api/check", json={"record": {"企业规模": "小型"}}).json()
    assert "WH-TEST-2025-001" not in {r["policy_id"] for r in checked["results"]}
    assert client.get("/healthz").json()["today"] == "2025-07-06"


def test_china_date_decides_not_the_utc_date() -> None:
    """The service's default clock is China's: at 23:30 UTC it is already tomorrow there."""
    from policy_match.base import clock
    from policy_match.server.state import Service
    from policy_match.tools.demo import bundled_rules

    service = Service(bundled_rules())  # type: ignore[arg-type]
    assert service.today is clock.today
    late = dt.datetime(2025, 7, 5, 23, 30, tzinfo=dt.UTC)
    assert clock.china_date(late) == dt.date(2025, 7, 6)
