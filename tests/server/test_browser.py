"""The pages in a real headless browser: Debian's Chromium driven by Playwright (never a
downloaded browser). It fills the 政策计算器 like a person on a phone, submits it, reads the
verdicts on the page and checks them against ``book.evaluate``; it prints the 一表读懂 pages
to PDF (one A4 page per item); and it saves screenshots of ``/check``, ``/policies/{id}`` and
``/wall`` (and ``/`` on a phone) to ``test-artifacts/screenshots/`` for people to look at."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

import policy_match as pm
from policy_match.apps.publishing.sheet import sheets_html
from policy_match.dsl.display import money_zh
from policy_match.tools.demo import DEMO_DATE

if TYPE_CHECKING:
    from conftest import LiveServer

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
HALL_SCREEN = {"width": 1920, "height": 1080}
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")

# what an enterprise types (the form's units: 万元, %), and the same record as a table holds it
TYPED: dict[str, Any] = {
    "企业规模": ("select", "小型"),
    "市场主体类型": ("select", "企业"),
    "从业人数": ("fill", "45"),
    "营业收入": ("fill", "3200"),
    "前年营业收入": ("fill", "2500"),
    "营业收入增长率": ("fill", "28"),
    "研发费用": ("fill", "260"),
    "成立日期": ("fill", "2016-04-12"),
    "所在区域": ("fill", "530102003"),
    "所属行业": ("fill", "C3911"),
    "纳税信用等级": ("select", "A"),
    "资质": ("check", ["高新技术企业", "专精特新中小企业"]),
    "失信被执行人": ("select", "否"),
}
RECORD = {"企业规模": "小型", "市场主体类型": "企业", "从业人数": "45", "营业收入": "3200万",
          "前年营业收入": "2500万", "营业收入增长率": "28%", "研发费用": "260万",
          "成立日期": "2016-04-12", "所在区域": "530102003", "所属行业": "C3911",
          "纳税信用等级": "A", "资质": "高新技术企业、专精特新中小企业", "失信被执行人": "否"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "scripts/setup.sh installs Debian's chromium"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture(scope="module")
def book(live_server: LiveServer) -> pm.Rulebook:
    return pm.load(live_server.rules)


def _page(browser: Browser, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, locale="zh-CN",  # type: ignore[arg-type]
                                  device_scale_factor=1)
    return context.new_page()


def _screenshot(page: Page, path: Path, full_page: bool = True) -> None:
    page.screenshot(path=str(path), full_page=full_page)
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000, path


def _fill(page: Page, tag: str, how: str, value: Any) -> None:
    if how == "check":
        for v in value:
            page.locator(f'input[type=checkbox][name="{tag}"][value="{v}"]').check()
    elif how == "select":
        page.locator(f'select[name="{tag}"]').select_option(value)
    else:
        page.locator(f'input[name="{tag}"]').fill(value)


def _chinese_is_drawn(page: Page, text: str) -> None:
    """The text is on screen and its glyphs have a CJK width (about one em each): a page
    without a CJK font would show nothing or boxes of another width."""
    target = page.get_by_text(text, exact=True).first
    assert target.is_visible()
    box = target.bounding_box()
    size = float(target.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert box is not None and box["width"] >= 0.9 * size * len(text), (box, size)


def test_the_calculator_in_a_phone_browser_agrees_with_the_engine(
        live_server: LiveServer, browser: Browser, book: pm.Rulebook, shots: Path) -> None:
    page = _page(browser, PHONE)
    page.goto(f"{live_server.url}/check")
    _chinese_is_drawn(page, "政策计算器")
    assert page.evaluate("document.scripts.length") == 0
    for tag, (how, value) in TYPED.items():
        _fill(page, tag, how, value)
    page.get_by_role("button", name="开始计算").click()
    page.wait_for_load_state()
    assert page.url.endswith("/check#results")
    results = page.locator("li.result[data-verdict]")
    shown = {results.nth(i).get_attribute("data-policy"): results.nth(i).get_attribute(
        "data-verdict") for i in range(results.count())}
    current = [pid for pid, p in book.policies.items() if p.active_on(DEMO_DATE)]
    assert set(shown) == set(current)
    expected = {pid: book.evaluate(RECORD, pid, as_of=DEMO_DATE).value for pid in current}
    assert shown == expected
    assert {"eligible", "unknown", "ineligible"} <= set(shown.values())
    for pid, verdict in shown.items():  # the amount the enterprise could receive
        amount = book.benefit(RECORD, pid, as_of=DEMO_DATE)
        if verdict == "eligible" and isinstance(amount, Decimal):
            item = page.locator(f'li.result[data-policy="{pid}"]')
            assert f"可享受：{money_zh(Fraction(amount))}" in item.inner_text()
    # the form kept what was typed
    assert page.locator('input[name="营业收入"]').input_value() == "3200"
    assert page.locator('input[name="资质"][value="高新技术企业"]').is_checked()
    _chinese_is_drawn(page, "符合" if "eligible" in shown.values() else "待补充信息")
    _screenshot(page, shots / "check-phone.png", full_page=False)
    wide = _page(browser, DESKTOP)
    query = urlencode({"submitted": "1", **{tag: value for tag, (_, value) in TYPED.items()}},
                      doseq=True)  # the same form as a link (GET)
    wide.goto(f"{live_server.url}/check?{query}")
    assert wide.locator('input[name="营业收入"]').input_value() == "3200"
    wide_shown = wide.locator("li.result[data-verdict]")
    assert {wide_shown.nth(i).get_attribute("data-policy"): wide_shown.nth(i).get_attribute(
        "data-verdict") for i in range(wide_shown.count())} == shown
    _screenshot(wide, shots / "check.png")
    page.context.close()
    wide.context.close()


def test_one_column_and_big_tap_targets_on_a_phone(live_server: LiveServer,
                                                   browser: Browser) -> None:
    page = _page(browser, PHONE)
    page.goto(f"{live_server.url}/check")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing sideways
    fields = page.locator(".calculator .field")
    lefts = {round(fields.nth(i).bounding_box()["x"]) for i in range(5)}  # type: ignore[index]
    assert len(lefts) == 1  # one column
    button = page.get_by_role("button", name="开始计算").bounding_box()
    assert button is not None and button["height"] >= 44
    for selector in ('input[name="营业收入"]', 'select[name="企业规模"]'):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["height"] >= 44
    page.context.close()


def test_sheet_and_wall_screenshots(live_server: LiveServer, browser: Browser,
                                    book: pm.Rulebook, shots: Path) -> None:
    pid = "WH-GX-2024-001"  # tiers, definitions, a condition counted from the application day
    page = _page(browser, DESKTOP)
    page.goto(f"{live_server.url}/policies/{pid}")
    _chinese_is_drawn(page, book.policies[pid].name)
    assert page.locator("table.tiers tbody tr").count() >= 3
    assert "评估日" not in page.inner_text("body")
    _screenshot(page, shots / f"policy-{pid}.png")
    phone = _page(browser, PHONE)
    phone.goto(f"{live_server.url}/policies/{pid}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _screenshot(phone, shots / f"policy-{pid}-phone.png")

    wall = _page(browser, HALL_SCREEN)
    wall.goto(f"{live_server.url}/wall")
    _chinese_is_drawn(wall, "惠企政策墙")
    tiles = wall.locator("li.tile")
    current = [p for p in book.policies.values() if p.active_on(DEMO_DATE)]
    assert tiles.count() == len(current)
    first = tiles.first.locator("svg").bounding_box()
    assert first is not None and first["width"] >= 140  # scannable from a step away
    last = tiles.last.bounding_box()  # every tile on the one screen, nothing to scroll
    assert last is not None and last["y"] + last["height"] <= HALL_SCREEN["height"]
    _screenshot(wall, shots / "wall.png", full_page=False)
    phone.goto(f"{live_server.url}/")
    _chinese_is_drawn(phone, "惠企政策兑现事项")
    assert phone.locator("li.item").count() == len(current)
    _screenshot(phone, shots / "column-phone.png", full_page=False)
    for p in (page, phone, wall):
        p.context.close()


def test_each_item_prints_on_one_a4_page(live_server: LiveServer, browser: Browser,
                                         book: pm.Rulebook, tmp_path: Path) -> None:
    ids = list(book.policies)  # every bundled item, in force or not
    document = tmp_path / "all.html"
    document.write_text(sheets_html(book, ids, DEMO_DATE), encoding="utf-8")
    page = _page(browser, DESKTOP)
    page.goto(document.as_uri())
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(PDF_PAGE.findall(pdf)) == len(ids)
    boxes = {tuple(round(float(v)) for v in box.split()[2:])
             for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)}
    assert boxes == {(595, 842)}  # A4 in points, every page
    page.goto(f"{live_server.url}/policies/{ids[0]}")  # the portal's page prints the same
    assert len(PDF_PAGE.findall(page.pdf(prefer_css_page_size=True))) == 1
    page.context.close()


def test_the_expiring_badge_shows_in_the_browser(fresh_rules: LiveServer, browser: Browser,
                                                 book: pm.Rulebook) -> None:
    pid, policy = next((pid, p) for pid, p in book.policies.items()
                       if p.valid_to is not None and p.valid_from is not None
                       and (p.valid_to - p.valid_from).days > 60)
    assert policy.valid_to is not None
    fresh_rules.clock.set(policy.valid_to - dt.timedelta(days=10))
    page = _page(browser, PHONE)
    page.goto(f"{fresh_rules.url}/policies/{pid}")
    badge = page.locator(".badges span.expiring")
    assert badge.inner_text() == "即将到期" and badge.is_visible()
    assert "还剩10天" in page.locator(".expiring-note").inner_text()
    page.context.close()


def test_a_portal_page_embeds_the_calculator_in_an_iframe(live_server: LiveServer,
                                                          browser: Browser,
                                                          tmp_path: Path) -> None:
    portal = tmp_path / "portal.html"
    portal.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>区政府门户</title>'
        f'<h1>政策找企业专栏</h1><iframe src="{live_server.url}/check" title="政策计算器" '
        'style="width:100%;height:800px;border:0"></iframe></html>', encoding="utf-8")
    page = _page(browser, DESKTOP)
    page.goto(portal.as_uri())
    frame = page.frame_locator("iframe")
    frame.locator('select[name="企业规模"]').select_option("小型")
    frame.get_by_role("button", name="开始计算").click()
    verdicts = frame.locator("li.result[data-verdict]")
    verdicts.first.wait_for()
    assert verdicts.count() > 0  # the form posted and answered inside the frame
    assert page.url == portal.as_uri()  # the portal page stayed where it was
    page.context.close()
