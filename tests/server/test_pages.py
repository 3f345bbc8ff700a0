"""The portal's HTML pages over real HTTP (the session's uvicorn on 127.0.0.1, ``live_server``):
the 政策找企业 column, the 一表读懂 page, the 政策计算器 (its verdicts agree with
``book.evaluate`` on rows of the enterprise sample typed in the form's units), the 惠企政策墙
and the staff look-up with its token cookie."""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from markupsafe import escape

import policy_match as pm
from policy_match.apps.publishing.qr import qr_svg
from policy_match.apps.publishing.wording import public_gap
from policy_match.dsl.display import money_zh
from policy_match.dsl.ir import Verdict
from policy_match.tools.demo import DEMO_DATE

if TYPE_CHECKING:
    from conftest import LiveServer

ROW = re.compile(r'<li class="result[^"]*" data-policy="([^"]+)" data-verdict="([a-z]+)">'
                 r"(.*?)</li>", re.S)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def book(live_server: LiveServer) -> pm.Rulebook:
    return pm.load(live_server.rules)


@pytest.fixture(scope="module")
def web(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        yield c


def current(book: pm.Rulebook, day: dt.date = DEMO_DATE) -> list[str]:
    return [pid for pid, p in book.policies.items() if p.active_on(day)]


def tiles(page: str, css: str) -> list[str]:
    return re.findall(rf'<li class="{css}" data-policy="([^"]+)"', page)


# ---- every page ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/check", "/wall", "/staff", "/policies/WH-KJ-2024-003"])
def test_every_page_is_chinese_phone_ready_and_script_free(web: httpx.Client, path: str) -> None:
    r = web.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert '<html lang="zh-CN">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<script" not in page
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp  # no script runs
    assert "frame-ancestors" not in csp and "x-frame-options" not in r.headers  # embeddable
    assert len(CJK.findall(page)) > 20
    assert "评估日" not in page and "Traceback" not in page


def test_the_style_sheets_are_served(web: httpx.Client) -> None:
    for name in ("pages.css", "sheet.css"):
        r = web.get(f"/static/{name}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
        assert "max-width: 600px" in r.text or "min-width: 600px" in r.text
        assert '"Noto Sans CJK SC"' in r.text and "sans-serif, serif;" in r.text
    assert web.get("/static/app.js").status_code == 404
    assert web.get("/static/..%2Fapp.py").status_code == 404


# ---- the column ----------------------------------------------------------------------------


def test_column_lists_exactly_the_current_items(web: httpx.Client, book: pm.Rulebook) -> None:
    page = web.get("/").text
    assert tiles(page, "item") == current(book)
    expired = [pid for pid, p in book.policies.items() if p.expired_on(DEMO_DATE)]
    assert expired and not set(expired) & set(tiles(page, "item"))
    for pid in current(book):
        assert f'href="/policies/{pid}"' in page


def test_column_filters_and_search(web: httpx.Client, book: pm.Rulebook) -> None:
    department = "区科学技术局"
    page = web.get("/", params={"department": department}).text
    wanted = [pid for pid in current(book) if book.policies[pid].department == department]
    assert tiles(page, "item") == wanted and wanted
    assert f'<option value="{department}" selected>' in page
    category = next(p.category for p in book.policies.values() if p.category)
    page = web.get("/", params={"category": category}).text
    assert tiles(page, "item") == [pid for pid in current(book)
                                   if book.policies[pid].category == category]
    page = web.get("/", params={"q": "首台套"}).text
    found = tiles(page, "item")
    assert found and all("首台" in web.get(f"/policies/{pid}").text for pid in found)


def test_column_search_is_escaped_and_a_bad_industry_is_told(web: httpx.Client) -> None:
    evil = '"><script>alert(1)</script>'
    page = web.get("/", params={"q": evil}).text
    assert "<script>" not in page and str(escape(evil)) in page
    r = web.get("/", params={"industry": "ZZ99"})
    assert r.status_code == 422 and 'class="problem"' in r.text
    assert tiles(r.text, "item") == []


def test_an_item_ending_within_30_days_carries_the_badge(fresh_rules: LiveServer,
                                                         web: httpx.Client,
                                                         book: pm.Rulebook) -> None:
    pid, policy = next((pid, p) for pid, p in book.policies.items() if p.valid_to is not None
                       and p.valid_from is not None and p.valid_from < p.valid_to
                       - dt.timedelta(days=40))
    assert policy.valid_to is not None
    for days_left, badge in ((30, True), (31, False), (0, True)):
        fresh_rules.clock.set(policy.valid_to - dt.timedelta(days=days_left))
        page = web.get("/").text
        card = page.split(f'data-policy="{pid}"', 1)[1].split("</li>", 1)[0]
        assert ('class="badge expiring">即将到期' in card) is badge, days_left
        sheet = web.get(f"/policies/{pid}").text
        assert ('<span class="expiring">即将到期</span>' in sheet) is badge, days_left
    fresh_rules.clock.set(policy.valid_to + dt.timedelta(days=1))  # the day after: gone
    assert pid not in tiles(web.get("/").text, "item")
    assert web.get(f"/policies/{pid}").status_code == 404


# ---- the 一表读懂 page ------------------------------------------------------------------------


def test_policy_page_is_the_sheet_in_the_portal_frame(web: httpx.Client,
                                                      book: pm.Rulebook) -> None:
    from policy_match.apps.publishing.sheet import sheet_article

    for pid in ("WH-KJ-2024-003", "WH-GX-2024-001", "WH-GX-2025-001"):
        r = web.get(f"/policies/{pid}")
        assert r.status_code == 200
        assert sheet_article(book, pid, DEMO_DATE) in r.text
        assert f"<h1>{html.escape(book.policies[pid].name)}</h1>" in r.text
        assert '<link rel="stylesheet" href="/static/sheet.css">' in r.text
        assert "评估日" not in r.text


def test_unknown_and_expired_items_are_404_pages(web: httpx.Client, book: pm.Rulebook) -> None:
    expired = next(pid for pid, p in book.policies.items() if p.expired_on(DEMO_DATE))
    for pid in ("NO-SUCH-ITEM", expired, "<b>x<i>"):
        r = web.get(f"/policies/{pid}")
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "<b>x<i>" not in r.text


# ---- the calculator --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tags(web: httpx.Client) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in web.get("/api/tags").json()["tags"]}


@pytest.fixture(scope="module")
def asked(book: pm.Rulebook, tags: dict[str, dict[str, Any]]) -> set[str]:
    """What the form must ask: every tag the current items' conditions or amounts read."""
    from policy_match.engine.atom_text import tags_read

    found: set[str] = set()
    for pid in current(book):
        for node in (book.dag.conditions[pid], book.dag.benefits[pid]):
            found.update(tags_read(node, book.dag.defines) if node is not None else ())
    assert {n for n, t in tags.items() if t["used_by"] > 0} < found
    return {n for n in found if not tags[n]["key"]}


def test_the_form_is_generated_from_the_tag_schema(web: httpx.Client, asked: set[str],
                                                   tags: dict[str, dict[str, Any]]) -> None:
    page = web.get("/check").text
    form = page.split('<form class="calculator"', 1)[1]
    names = set(re.findall(r'name="([^"]+)"', form)) - {"submitted", "as_of"}
    assert names == {html.escape(n) for n in asked}
    for name in asked:
        t, field = tags[name], html.escape(name)
        if t["type"] in ("money", "ratio", "count", "number"):
            assert re.search(rf'name="{field}" type="number"', page), name
        if t["type"] == "money":
            block = page.split(f'name="{field}"', 1)[1].split("</div>", 1)[0]
            assert '<span class="unit">万元</span>' in block
        if t["type"] == "date":
            assert f'name="{field}" type="date"' in page
        if t["type"] in ("bool", "enum") and (t["type"] == "bool" or t["values"]):
            assert re.search(rf'<select id="[^"]+" name="{field}">', page), name
        if t["type"] == "set" and t["values"]:
            for value in t["values"]:
                assert f'name="{field}" value="{html.escape(value)}"' in page
        if t["type"] == "code":
            assert re.search(rf'name="{field}" type="text" list=', page), name


def _form_value(kind: str, raw: str) -> str:
    """A table cell as a person types it into the form: money in 万元, ratios in %."""
    if kind == "money":
        return format(Decimal(raw) / 10000, "f")
    if kind == "ratio":
        return format(Decimal(raw) * 100, "f")
    return raw


def _sample_rows(live_server: LiveServer, n: int) -> list[dict[str, str]]:
    with live_server.data.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return rows[: n * 20 : 20]  # spread over the sample


def test_calculator_verdicts_agree_with_the_engine(live_server: LiveServer, web: httpx.Client,
                                                   book: pm.Rulebook, asked: set[str],
                                                   tags: dict[str, dict[str, Any]]) -> None:
    seen: set[str] = set()
    for row in _sample_rows(live_server, 10):
        form = {name: _form_value(tags[name]["type"], value) for name, value in row.items()
                if name in asked and value != ""}
        r = web.post("/check", data={"submitted": "1", **form})
        assert r.status_code == 200, r.text[:500]
        shown = {pid: (verdict, body) for pid, verdict, body in ROW.findall(r.text)}
        assert set(shown) == set(current(book))
        assert "评估日" not in r.text and "✗" not in r.text  # the public's words
        for pid, (verdict, body) in shown.items():
            expected = book.evaluate(row, pid, as_of=DEMO_DATE, on_error="missing")
            assert verdict == expected.value, (row["统一社会信用代码"], pid)
            seen.add(verdict)
            amount = book.benefit(row, pid, as_of=DEMO_DATE, on_error="missing")
            if expected is Verdict.ELIGIBLE and isinstance(amount, Decimal):
                assert f"可享受：{money_zh(Fraction(amount))}" in body, pid
    assert seen == {"eligible", "unknown", "ineligible"}


def test_calculator_groups_say_what_to_add_and_the_gap(web: httpx.Client,
                                                       book: pm.Rulebook) -> None:
    r = web.get("/check", params={"submitted": "1", "企业规模": "小型"})
    assert r.status_code == 200
    page = r.text
    assert "待补充信息（" in page and "请补充：" in page
    unknown = [(pid, body) for pid, verdict, body in ROW.findall(page) if verdict == "unknown"]
    assert unknown
    for pid, body in unknown:
        explained = book.explain({"企业规模": "小型"}, pid, as_of=DEMO_DATE)
        for tag in explained.missing:
            assert f">{tag}</a>" in body, (pid, tag)
    near = [(pid, body) for pid, verdict, body in ROW.findall(page)
            if verdict == "ineligible" and "差一项" in body]
    for pid, body in near:
        gap = book.explain({"企业规模": "小型"}, pid, as_of=DEMO_DATE).gap
        assert len(gap) == 1 and html.escape(public_gap(gap[0].text_zh, book.policy(pid))) in body


def test_calculator_keeps_what_was_typed_and_points_at_a_bad_value(web: httpx.Client) -> None:
    r = web.post("/check", data={"submitted": "1", "营业收入": "3000", "成立日期": "2023-02-30",
                                 "资质": ["高新技术企业", "科技型中小企业"]})
    assert r.status_code == 422
    page = r.text
    assert page.count('class="field invalid"') == 1
    invalid = page.split('class="field invalid"', 1)[1].split("</div>\n  <div", 1)[0]
    assert 'name="成立日期"' in invalid and 'class="error"' in invalid
    assert 'name="营业收入" type="number"' in page and 'value="3000"' in page
    assert 'value="高新技术企业" checked' in page and 'value="科技型中小企业" checked' in page
    assert ROW.findall(page) == []  # no verdicts from a record that did not read


def test_calculator_by_get_equals_post_and_takes_a_date(web: httpx.Client) -> None:
    record = {"营业收入": "3000", "从业人数": "50", "企业规模": "中型", "资质": "高新技术企业"}
    by_get = ROW.findall(web.get("/check", params={"submitted": "1", **record}).text)
    by_post = ROW.findall(web.post("/check", data={"submitted": "1", **record}).text)
    assert by_get == by_post and by_get
    later = web.get("/check", params={"submitted": "1", "as_of": "2027-06-30", **record}).text
    assert "按2027年6月30日计算" in later and 'name="as_of" value="2027-06-30"' in later
    assert web.get("/check", params={"submitted": "1", "as_of": "2027-02-30"}).status_code == 422


def test_an_empty_form_shows_no_verdicts(web: httpx.Client) -> None:
    page = web.get("/check").text
    assert ROW.findall(page) == [] and 'id="results"' not in page


# ---- the wall --------------------------------------------------------------------------------


def test_wall_has_a_qr_code_of_every_current_item_s_page(live_server: LiveServer,
                                                          web: httpx.Client,
                                                          book: pm.Rulebook) -> None:
    page = web.get("/wall").text
    assert tiles(page, "tile") == current(book)
    assert '<meta http-equiv="refresh"' in page
    for pid in current(book)[:5]:
        tile = page.split(f'data-policy="{pid}"', 1)[1].split("</li>", 1)[0]
        assert qr_svg(f"{live_server.url}/policies/{pid}") in tile
    assert page.count("<svg ") == len(current(book))
    assert ' id="' not in "".join(re.findall(r"<svg .*?</svg>", page, re.S))


# ---- staff -----------------------------------------------------------------------------------


@contextmanager
def _login(live_server: LiveServer, department: str) -> Iterator[httpx.Client]:
    """A browser-like client that logged in with the department's token (a cookie jar)."""
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        r = c.post("/staff/login", data={"token": live_server.tokens[department]})
        assert r.status_code == 303 and r.headers["location"] == "/staff"
        yield c


def test_staff_login_sets_a_strict_http_only_cookie(live_server: LiveServer,
                                                    web: httpx.Client) -> None:
    page = web.get("/staff").text
    assert 'name="token" type="password"' in page and "data-verdict" not in page
    r = web.post("/staff/login", data={"token": "not-a-token-at-all-000"})
    assert r.status_code == 401 and "set-cookie" not in r.headers
    assert "令牌不正确" in r.text
    r = web.post("/staff/login", data={"token": live_server.tokens["*"]})
    cookie = r.headers["set-cookie"]
    assert r.status_code == 303
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/staff" in cookie
    forged = httpx.get(f"{live_server.url}/staff", cookies={"pm_staff": "forged-token-0000000"})
    assert forged.status_code == 401 and 'name="token"' in forged.text


def test_staff_look_up_agrees_with_the_staff_api(live_server: LiveServer) -> None:
    with open(live_server.data, encoding="utf-8") as handle:
        uscc = next(csv.DictReader(handle))["统一社会信用代码"]
    for department in ("*", "区科学技术局"):
        with _login(live_server, department) as c:
            page = c.get("/staff", params={"id": uscc}).text
            shown = re.findall(r'<tr class="[a-z]+" data-policy="([^"]+)" '
                               r'data-verdict="([a-z]+)">', page)
            api = c.get(f"/api/enterprises/{uscc}/matches",
                        headers=live_server.headers(department)).json()
            assert shown == [(m["policy_id"], m["verdict"]) for m in api["matches"]]
            assert shown
            unknown = c.get("/staff", params={"id": "91530100XXXXXXXXXX"})
            assert unknown.status_code == 404 and 'class="problem"' in unknown.text
            out = c.post("/staff/logout")
            assert out.status_code == 303 and 'pm_staff=""' in out.headers["set-cookie"]


def test_staff_sees_the_errors_of_a_failed_reload(fresh_rules: LiveServer) -> None:
    with _login(fresh_rules, "*") as c:
        assert "规则库更新失败" not in c.get("/staff").text
        fresh_rules.write_rule("broken.rule", 'policy "X-1" {\n  事项名称: "坏"\n'
                                              "  申请条件: 没有这个标签 >= 1\n}\n")
        fresh_rules.wait_until(lambda h: h["status"] == "degraded")
        page = c.get("/staff").text
        assert "规则库更新失败" in page and "broken.rule:" in page
        assert c.get("/").status_code == 200  # the old rulebook keeps serving


def test_the_calculator_answers_first_thing_on_a_new_day(fresh_rules: LiveServer,
                                                         web: httpx.Client) -> None:
    # nothing of this day is cached yet: the form's tags and the current items are made
    # for the first time by this request (a nested make must not wait on itself)
    fresh_rules.clock.set(dt.date(2025, 7, 17))
    r = web.get("/check", params={"submitted": "1", "企业规模": "小型"}, timeout=10)
    assert r.status_code == 200 and ROW.findall(r.text)


# ---- mounted in another portal -----------------------------------------------------------------


@pytest.fixture(scope="module")
def mounted(live_server: LiveServer) -> Iterator[str]:
    """A portal of its own (FastAPI) with the service mounted at /policy, on uvicorn."""
    import socket
    import threading
    import time

    import uvicorn
    from fastapi import FastAPI

    from policy_match.server import create_app

    portal = FastAPI()
    portal.mount("/policy", create_app(live_server.rules, live_server.data,
                                       {live_server.tokens["*"]: "*"}, watch=False))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(portal, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the portal did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_every_link_follows_the_mount_point(mounted: str, live_server: LiveServer) -> None:
    with httpx.Client(base_url=mounted, timeout=30) as c:
        for path in ("/policy/", "/policy/check", "/policy/wall", "/policy/staff",
                     "/policy/policies/WH-KJ-2024-003"):
            page = c.get(path).text
            links = re.findall(r'(?:href|action)="(/[^"]*)"', page)
            assert links and all(link.startswith("/policy/") for link in links), (path, links)
        wall = c.get("/policy/wall").text
        assert qr_svg(f"{mounted}/policy/policies/WH-KJ-2024-003") in wall
        r = c.post("/policy/staff/login", data={"token": live_server.tokens["*"]})
        assert r.status_code == 303 and r.headers["location"] == "/policy/staff"
        assert "Path=/policy/staff" in r.headers["set-cookie"]
        assert "退出" in c.get("/policy/staff").text  # the cookie comes back under the mount


def test_a_near_miss_is_told_in_the_public_s_words(web: httpx.Client, book: pm.Rulebook) -> None:
    # a 规上 industrial enterprise meeting everything but the one year since 入规
    typed = {"入规日期": "2025-03-01", "所属行业": "C3911", "营业收入": "5000",
             "所在区域": "530102001", "失信被执行人": "否", "营业收入增长率": "30",
             "前年营业收入": "1000", "纳税额": "600"}
    page = web.get("/check", params={"submitted": "1", **typed}).text
    found = {pid: (verdict, body) for pid, verdict, body in ROW.findall(page)}
    verdict, body = found["WH-GX-2024-001"]
    assert verdict == "ineligible" and "差一项" in body
    assert "还差：入规日期 2025年3月1日，要求不晚于2024年6月30日（申请之日前1年）" in body
    assert "评估日" not in page and "✗" not in page
