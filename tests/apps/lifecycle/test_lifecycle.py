"""Items over time (``policy_match.apps.lifecycle.status``): status on a date,
 the 10-working-day rule from
发布 to 上线, the ``check`` warnings W-EXPIRED and W-LATE, and ``policy-match status``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from policy_match.apps.lifecycle.status import (
    STATUS_ORDER,
    Status,
    by_status,
    lifecycle_warnings,
    online_delay,
    status_of,
    statuses,
)
from policy_match.apps.lifecycle.workdays import COVERED_YEARS
from policy_match.cli import main
from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.diagnostics import Code, Severity

D = dt.date
REPO = Path(__file__).resolve().parents[3]

TAGS = """\
tag 统一社会信用代码: uscc key
tag 资质: set["高新技术企业", "科技型中小企业"]
"""


def policy_text(pid: str, *fields: str) -> str:
    body = "\n".join(f"    {f}" for f in fields)
    return (f'policy "{pid}" {{\n    事项名称: "事项{pid}"\n'
            f'    申请条件: 资质 has "高新技术企业"\n{body}\n}}\n')


def book_of(*policies: str) -> Rulebook:
    result = load_sources({"tags.rule": TAGS, "items.rule": "\n".join(policies)})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


BOOK = book_of(
    policy_text("KJ-1", '执行部门: "区科学技术局"', "适用时间: 2024-01-01 至 2024-12-31",
                "发布日期: 2024-02-02", "上线日期: 2024-02-21"),
    policy_text("KJ-2", '执行部门: "区科学技术局"', "适用时间: 2024-01-01 ..",
                "发布日期: 2024-02-02", "上线日期: 2024-02-22"),
    policy_text("GX-1", '执行部门: "区工业和信息化局"', "适用时间: 2025-03-01 至 2025-03-31"),
    policy_text("SW-1"),  # no 适用时间: always in force
)


# ---- status on a date ------------------------------------------------------------------


@pytest.mark.parametrize("day,status", [
    (D(2023, 12, 31), Status.NOT_YET),
    (D(2024, 1, 1), Status.ACTIVE),  # first day inclusive
    (D(2024, 11, 30), Status.ACTIVE),  # 31 days before the end
    (D(2024, 12, 1), Status.EXPIRING),  # 30 days before the end
    (D(2024, 12, 31), Status.EXPIRING),  # last day inclusive
    (D(2025, 1, 1), Status.EXPIRED),
])
def test_status_boundaries(day: dt.date, status: Status) -> None:
    assert status_of(BOOK.policy("KJ-1"), day).status is status


def test_expiring_items_are_active_like_the_engine_says() -> None:
    for policy in BOOK.policies.values():
        day = D(2023, 12, 1)
        while day <= D(2026, 1, 31):
            item = status_of(policy, day)
            assert item.active == policy.active_on(day), (policy.id, day)
            day += dt.timedelta(days=7)
    item = status_of(BOOK.policy("KJ-1"), D(2024, 12, 20))
    assert item.status is Status.EXPIRING and item.active and item.days_left == 11


def test_open_ended_and_undated_items_never_expire() -> None:
    for day in (D(2024, 6, 1), D(2099, 1, 1)):
        assert status_of(BOOK.policy("KJ-2"), day).status is Status.ACTIVE
        assert status_of(BOOK.policy("SW-1"), day).status is Status.ACTIVE
    assert status_of(BOOK.policy("KJ-2"), D(2099, 1, 1)).days_left is None


def test_a_short_item_can_be_expiring_from_its_first_day() -> None:
    item = status_of(BOOK.policy("GX-1"), D(2025, 3, 1))
    assert item.status is Status.EXPIRING
    ahead = status_of(BOOK.policy("GX-1"), D(2025, 2, 20))
    assert ahead.status is Status.NOT_YET and ahead.days_until_effective == 9


def test_expiring_window_is_configurable() -> None:
    assert status_of(BOOK.policy("KJ-1"), D(2024, 11, 1), 60).status is Status.EXPIRING
    assert status_of(BOOK.policy("KJ-1"), D(2024, 12, 30), 0).status is Status.ACTIVE
    assert status_of(BOOK.policy("KJ-1"), D(2024, 12, 31), 0).status is Status.EXPIRING


def test_grouping_follows_status_order() -> None:
    groups = by_status(statuses(BOOK, D(2025, 3, 10)))
    assert list(groups) == list(STATUS_ORDER)
    assert [i.policy.id for i in groups[Status.EXPIRED]] == ["KJ-1"]
    assert [i.policy.id for i in groups[Status.EXPIRING]] == ["GX-1"]
    assert {i.policy.id for i in groups[Status.ACTIVE]} == {"KJ-2", "SW-1"}
    assert groups[Status.NOT_YET] == []


# ---- 上线 within 10 working days of 发布 -------------------------------------------------


def test_online_delay_across_the_spring_festival() -> None:
    on_time = online_delay(BOOK.policy("KJ-1"))  # 2024-02-02 → 2024-02-21
    assert on_time is not None
    assert on_time.working_days.days == 10 and not on_time.late
    assert on_time.due == D(2024, 2, 21)
    late = online_delay(BOOK.policy("KJ-2"))  # 2024-02-02 → 2024-02-22
    assert late is not None and late.working_days.days == 11 and late.late_by == 1
    assert online_delay(BOOK.policy("SW-1")) is None


# ---- check warnings ------------------------------------------------------------------


def test_expired_warning_at_the_id_with_the_end_date_and_how_long_ago() -> None:
    found = [d for d in lifecycle_warnings(BOOK, D(2025, 3, 1)) if d.code is Code.EXPIRED]
    assert len(found) == 1
    (warning,) = found
    assert warning.severity is Severity.WARNING and not warning.is_error
    assert "2024-12-31" in warning.message and "60 days ago" in warning.message
    text = BOOK.sources[warning.span.path]
    assert text[warning.span.start:warning.span.end] == '"KJ-1"'
    assert warning.related and "2024-12-31" in warning.related[0].message


def test_no_expired_warning_on_the_last_day() -> None:
    assert not [d for d in lifecycle_warnings(BOOK, D(2024, 12, 31)) if d.code is Code.EXPIRED]
    day_after = [d for d in lifecycle_warnings(BOOK, D(2025, 1, 1)) if d.code is Code.EXPIRED]
    assert len(day_after) == 1 and "1 day ago" in day_after[0].message


def test_late_warning_counts_working_days() -> None:
    found = [d for d in lifecycle_warnings(BOOK, D(2024, 6, 1)) if d.code is Code.LATE]
    assert [d.message.split('"')[1] for d in found] == ["KJ-2"]  # KJ-1 took exactly 10
    (warning,) = found
    assert "online 11 working days after it was issued, 1 working day late" in warning.message
    assert "2024-02-21" in warning.message  # the due date
    text = BOOK.sources[warning.span.path]
    assert text[warning.span.start:warning.span.end] == "2024-02-22"  # at 上线日期
    assert warning.severity is Severity.WARNING


def test_english_field_names_are_found_too() -> None:
    book = book_of(policy_text("EN-1", "valid: 2020-01-01 .. 2020-12-31",
                               "published: 2020-03-02", "online: 2020-06-01"))
    found = lifecycle_warnings(book, D(2024, 1, 1))
    assert {d.code for d in found} == {Code.EXPIRED, Code.LATE}
    late = next(d for d in found if d.code is Code.LATE)
    assert book.sources[late.span.path][late.span.start:late.span.end] == "2020-06-01"


def test_years_without_a_holiday_calendar_say_so() -> None:
    year = COVERED_YEARS[1] + 1
    book = book_of(policy_text("FUT-1", f"发布日期: {year}-03-01", f"上线日期: {year}-06-01"))
    (warning,) = lifecycle_warnings(book, D(year, 7, 1))
    assert f"{year} counted Monday–Friday" in warning.hint


# ---- the command line ------------------------------------------------------------------


def write_book(tmp_path: Path, *policies: str) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "tags.rule").write_text(TAGS, encoding="utf-8")
    (folder / "items.rule").write_text("\n".join(policies), encoding="utf-8")
    return folder


def test_check_reports_lifecycle_warnings_and_exits_0(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_book(tmp_path, *(BOOK.sources["items.rule"],))
    assert main(["check", str(folder), "--as-of", "2025-03-01"]) == 0
    out = capsys.readouterr().out
    assert "warning[W-EXPIRED]" in out and "warning[W-LATE]" in out
    assert "0 error(s), 2 warning(s)" in out and "ok: 2 file(s)" in out
    assert main(["check", str(folder), "--as-of", "2024-06-01", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["warnings"] == 1
    assert [d["code"] for d in data["diagnostics"]] == ["W-LATE"]


def test_check_with_errors_still_exits_1_without_lifecycle_warnings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_book(tmp_path, policy_text("X-1", "适用时间: 2020-01-01 至 2020-12-31",
                                              "申请方法: 1"))
    assert main(["check", str(folder), "--as-of", "2025-01-01"]) == 1
    out = capsys.readouterr().out
    assert "error[E-FIELD]" in out and "W-EXPIRED" not in out


def test_check_bundled_rules_warnings_leave_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(REPO / "rules"), "--as-of", "2026-06-01"]) == 0
    out = capsys.readouterr().out
    assert "error[" not in out and "warning[W-EXPIRED]" in out


def test_bad_as_of_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", str(REPO / "rules"), "--as-of", "2025-13-01"])
    assert exc.value.code == 2


def test_status_text_piped_is_plain_and_grouped(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_book(tmp_path, BOOK.sources["items.rule"])
    assert main(["status", str(folder), "--as-of", "2025-03-10"]) == 0
    out = capsys.readouterr().out
    assert "┃" not in out and "│" not in out  # no box drawing when not a terminal
    lines = out.splitlines()
    heads = [line for line in lines if line and not line.startswith(" ")]
    assert heads[:3] == ["已失效 expired (1)", "即将到期 expiring (1)", "有效 active (2)"]
    kj1 = next(line for line in lines if "KJ-1" in line)
    assert "区科学技术局" in kj1 and "2024-01-01 至 2024-12-31" in kj1 and "已过期 69 天" in kj1
    assert "10 个工作日" in kj1
    assert "有效 3 项（其中即将到期 1 项），未生效 0 项，已失效 1 项" in out


def test_status_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_book(tmp_path, BOOK.sources["items.rule"])
    assert main(["status", str(folder), "--as-of", "2024-12-20", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2024-12-20"
    assert data["counts"] == {"expired": 0, "expiring": 1, "active": 2,
                              "not_yet_effective": 1}
    kj1 = next(i for i in data["items"] if i["id"] == "KJ-1")
    assert kj1["status"] == "expiring" and kj1["active"] is True
    assert kj1["department"] == "区科学技术局" and kj1["days_left"] == 11
    kj2 = next(i for i in data["items"] if i["id"] == "KJ-2")
    assert kj2["online_working_days"] == 11 and kj2["online_late_by"] == 1
    assert kj2["online_due"] == "2024-02-21"


def test_status_of_the_bundled_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", str(REPO / "rules"), "--as-of", "2025-06-01"]) == 0
    assert "已失效 expired" in capsys.readouterr().out
