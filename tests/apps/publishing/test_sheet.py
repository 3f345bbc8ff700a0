"""The 一表读懂 page reads right for the public: no engine words, a 即将到期 badge on the
right days, tiers as a table, one A4 page per item in print, a CJK font stack."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import policy_match as pm
from policy_match.apps.publishing import sheet
from policy_match.apps.publishing.listing import condition_text
from policy_match.core.rulebook import Rulebook

RULES = Path(__file__).resolve().parents[3] / "rules"
AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return pm.load(RULES)


def _ending(book: Rulebook) -> tuple[str, dt.date]:
    pid, policy = next((pid, p) for pid, p in book.policies.items()
                       if p.valid_to is not None and p.valid_from is not None
                       and (p.valid_to - p.valid_from).days > 60)
    assert policy.valid_to is not None
    return pid, policy.valid_to


@pytest.mark.parametrize(("days_left", "expiring"),
                         [(0, True), (1, True), (29, True), (30, True), (31, False),
                          (200, False)])
def test_the_expiring_badge_is_on_the_last_thirty_days(book: Rulebook, days_left: int,
                                                       expiring: bool) -> None:
    pid, end = _ending(book)
    day = end - dt.timedelta(days=days_left)
    content = sheet.sheet_content(book, pid, day)
    assert (content.status == "expiring") is expiring
    page = sheet.sheet_html(book, pid, day)
    assert ('<span class="expiring">即将到期</span>' in page) is expiring
    assert (f"还剩{days_left}天" in page) is expiring
    assert ("> 一表读懂 · " in sheet.sheet_markdown(book, pid, day))
    assert ("即将到期" in sheet.sheet_markdown(book, pid, day)) is expiring
    if not expiring:
        assert '<span>有效</span>' in page


def test_no_badge_after_the_end_and_without_a_date(book: Rulebook) -> None:
    pid, end = _ending(book)
    after = sheet.sheet_html(book, pid, end + dt.timedelta(days=1))
    assert "即将到期" not in after and '<span class="strong">已过期</span>' in after
    undated = sheet.sheet_html(book, pid)
    assert "即将到期" not in undated and "有效</span>" not in undated


def test_an_open_ended_item_never_expires(book: Rulebook) -> None:
    pid = next(pid for pid, p in book.policies.items() if p.valid_to is None)
    assert sheet.sheet_content(book, pid, dt.date(2099, 12, 31)).status == "active"


def test_the_badge_follows_china_s_date_by_default(book: Rulebook) -> None:
    from policy_match.base import clock

    pid, end = _ending(book)
    page = sheet.sheet_html(book, pid, clock.today())
    left = (end - clock.today()).days
    assert ("即将到期" in page) is (0 <= left <= sheet.EXPIRING_WITHIN)


def test_no_engine_words_on_any_bundled_page(book: Rulebook) -> None:
    engine_says = [pid for pid, p in book.policies.items()
                   if "评估日" in condition_text(book, p)]
    assert engine_says  # the 清单 keeps the describer's words; the pages do not
    for pid in book.policies:
        assert "评估日" not in sheet.sheet_html(book, pid, AS_OF), pid
        assert "评估日" not in sheet.sheet_markdown(book, pid, AS_OF), pid


def test_the_day_that_counts_is_the_application_day_or_the_review_day(book: Rulebook) -> None:
    applied = book.policy("WH-GX-2024-001")
    assert not applied.no_application
    assert "（二）入规日期距申请之日已满1年；" in sheet.sheet_html(book, applied.id, AS_OF)
    automatic = book.policy("WH-KJ-2024-003")
    assert automatic.no_application
    assert "高企认定日期距审核之日在1年以内" in sheet.sheet_html(book, automatic.id, AS_OF)


def test_tiers_are_a_table(book: Rulebook) -> None:
    page = sheet.sheet_html(book, "WH-GX-2024-001", AS_OF)
    table = page.split('<table class="tiers">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"amount\">(.*?)</td></tr>", table)
    assert rows == [("营业收入增长率30%以上", "50万元"), ("营业收入增长率20%以上", "30万元"),
                    ("营业收入增长率10%以上", "20万元"), ("其他情形", "10万元")]
    assert "<th>情形</th><th>标准</th>" in table
    assert "自上而下，按第一个符合的情形确定。" in page
    md = sheet.sheet_markdown(book, "WH-GX-2024-001", AS_OF)
    assert "| 营业收入增长率30%以上 | 50万元 |" in md


def test_a_tier_inside_a_formula_is_referred_to(book: Rulebook) -> None:
    page = sheet.sheet_html(book, "WH-KJ-2024-004", AS_OF)
    assert "<p>研发费用的下表所列比例，最高不超过100万元。</p>" in page
    assert '<td class="amount">15%</td>' in page and '<td class="amount">10%</td>' in page


def test_print_css_is_one_a4_page_per_item(book: Rulebook) -> None:
    css = sheet.sheet_css()
    assert "@page { size: A4 portrait;" in css
    printed = css.split("@media print", 1)[1]
    assert ".sheet + .sheet { break-before: page; page-break-before: always; }" in printed
    assert "page-break-inside: avoid" in css
    page = sheet.sheets_html(book, ["WH-GX-2024-001", "WH-KJ-2024-004"], AS_OF)
    assert page.count('<article class="sheet">') == 2 and css in page


def test_the_font_stack_names_cjk_families_then_generic_ones() -> None:
    css = sheet.sheet_css()
    stack = re.search(r"body \{[^}]*font-family: ([^;]+);", css)
    assert stack is not None
    families = [f.strip().strip('"') for f in stack[1].split(",")]
    for cjk in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
                "WenQuanYi Micro Hei", "SimSun"):
        assert cjk in families
    assert families[-2:] == ["sans-serif", "serif"]


def test_the_page_is_one_column_on_a_phone() -> None:
    css = sheet.sheet_css()
    phone = css.split("@media screen and (max-width: 600px)", 1)[1].split("@media print")[0]
    assert ".lead, .two { display: block; }" in phone


def test_the_article_is_the_page_s_body(book: Rulebook) -> None:
    article = sheet.sheet_article(book, "WH-GX-2024-001", AS_OF)
    assert article.startswith('<article class="sheet">') and article.endswith("</article>")
    assert article in sheet.sheet_html(book, "WH-GX-2024-001", AS_OF)


def test_words_are_escaped() -> None:
    from policy_match.core.loading import load_sources

    text = ('tag 营业收入: money\npolicy "<T&1>" {\n  事项名称: "<b>奖</b>"\n'
            '  事项内容: "A & B"\n  申请条件: 营业收入 >= 1万\n}\n')
    small = load_sources({"t.rule": text}).rulebook
    assert small is not None
    page = sheet.sheet_html(small, "<T&1>")
    assert "<b>奖</b>" not in page and "&lt;b&gt;奖&lt;/b&gt;" in page
    assert "A &amp; B" in page and "&lt;T&amp;1&gt;" in page


def test_a_no_application_item_is_not_told_to_apply(book: Rulebook) -> None:
    pid, policy = next((pid, p) for pid, p in book.policies.items()
                       if p.no_application and p.valid_to is not None)
    assert policy.valid_to is not None
    page = sheet.sheet_html(book, pid, policy.valid_to - dt.timedelta(days=5))
    assert "还剩5天。" in page and "请及时申请" not in page
