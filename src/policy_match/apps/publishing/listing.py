"""The 惠企政策兑现事项清单: one row per item, the work plan's 14 columns, as .xlsx or .csv.

The columns and their order are fixed by the work plan (五华区健全完善惠企政策精准直达机制
工作方案, "一单两库"): :data:`COLUMNS`; a file adds one column after them, 事项编码 (the
policy id, :data:`HEADER`), so a published row can be traced to its rule. Every cell is text:

- 申请条件 is the condition in plain language (:mod:`.describe`, statutory comparison words
  以上/以下/超过/不满), one top-level item per line, followed by "其中，…是指：…" for every
  enterprise label (define) it uses. Without the line breaks it is exactly the 申请条件 line
  of ``book.describe``.
- 适用对象 is the item's own ``target``; without one it is rendered from the condition's
  top-level 享受主体 tests (region, industry, size, qualifications, labels), see
  :func:`target_text`.
- 适用时间 reads "2024年1月1日至2026年12月31日" or "2022年8月1日起长期有效".
- 申请材料 are joined with "；"; 办结时限 is written as in the rule ("20个工作日").
- A field the rule does not give is an empty cell.

``as_of`` (the publication date): items that expired before it (``valid_to < as_of``) are
left out, because the work plan takes expired items down at once; items that are not yet in
force are listed — the plan publishes new items within 10 working days of issue, before
they take effect — and their 适用时间 carries "（尚未生效）". Without ``as_of`` every item is
listed and nothing is marked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from policy_match.core.describe import Describer
from policy_match.data.io import csv_format
from policy_match.data.io.cells import revert
from policy_match.data.io.formats import UnsupportedFormat, format_for
from policy_match.data.io.raw import batches_of
from policy_match.data.io.workbook import text_value
from policy_match.dsl import ir
from policy_match.dsl.display import date_zh
from policy_match.dsl.types import MONEY, Kind

if TYPE_CHECKING:
    from policy_match.core.rulebook import Rulebook

COLUMNS: tuple[str, ...] = (
    "事项名称", "事项依据", "事项内容", "适用对象", "适用时间", "申请条件", "申请材料",
    "申请方式", "办结时限", "政策分类", "公布网址", "执行部门", "联系人", "联系方式",
)
"""The 14 columns of the 惠企政策兑现事项清单, in the work plan's order."""

ID_COLUMN = "事项编码"
HEADER: tuple[str, ...] = (*COLUMNS, ID_COLUMN)
"""The columns written to a file: the work plan's 14 in their places (A–N, as in the
province's template), then 事项编码, the policy id, so a row can be traced to its rule."""

NOT_YET = "（尚未生效）"
SHEET_TITLE = "惠企政策兑现事项清单"

Status = Literal["active", "pending", "expired"]

# the top-level list markers of a condition: （一）（二）… (nested levels use 1. and （1）)
_TOP_MARKER = re.compile(r"(?<=[：；])(?=（[一二三四五六七八九十百千万零]+）)")
# characters a spreadsheet cell may not hold (XML 1.0): control characters but tab and newline
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# ---- one cell at a time ------------------------------------------------------------------


def status_on(policy: ir.Policy, as_of: dt.date | None) -> Status:
    """Where ``as_of`` lies against the item's 适用时间 (``active`` when there is no date)."""
    if as_of is None:
        return "active"
    if policy.expired_on(as_of):
        return "expired"
    return "pending" if policy.not_yet_on(as_of) else "active"


def validity_text(policy: ir.Policy, as_of: dt.date | None = None) -> str:
    """适用时间: "2024年1月1日至2026年12月31日", "2022年8月1日起长期有效", "长期有效".

    With ``as_of`` before the start, "（尚未生效）" follows."""
    start, end = policy.valid_from, policy.valid_to
    if start and end:
        text = f"{date_zh(start)}至{date_zh(end)}"
    elif start:
        text = f"{date_zh(start)}起长期有效"
    elif end:
        text = f"即日起至{date_zh(end)}"
    else:
        text = "长期有效"
    return text + (NOT_YET if status_on(policy, as_of) == "pending" else "")


def deadline_text(policy: ir.Policy) -> str:
    """办结时限 as written in the rule: "20个工作日", "30天"; empty when not given."""
    return str(policy.deadline) if policy.deadline is not None else ""


def materials_text(policy: ir.Policy) -> str:
    return "；".join(policy.materials)


def definition_lines(d: Describer, start: int = 0) -> list[str]:
    """"其中，X是指：…。" for every define the describer has met (and those they use)."""
    lines: list[str] = []
    done = set(d.used_defines[:start])
    while len(done) < len(d.used_defines):
        name = next(n for n in d.used_defines if n not in done)
        done.add(name)
        define = d.book.defines[name]
        text = (d.condition(define.expr) if define.type.kind is Kind.BOOL
                else d.value(define.expr))
        lines.append(f"其中，{name}是指：{text}。")
    return lines


def condition_text(book: Rulebook, policy: ir.Policy, line_breaks: bool = True) -> str:
    """申请条件: the condition with statutory words, then the labels it uses explained.

    ``line_breaks`` puts each top-level item (（一）（二）…) and each "其中" on its own line;
    without them the first sentence equals the 申请条件 line of ``book.describe``."""
    d = Describer(book, "zh")
    text = d.condition(policy.eligible) + "。"
    if line_breaks:
        text = _TOP_MARKER.sub("\n", text)
    parts = [text, *definition_lines(d)]
    return ("\n" if line_breaks else "").join(parts)


def benefit_text(book: Rulebook, policy: ir.Policy) -> str | None:
    """兑付标准 in plain language (with the labels it uses explained), or None."""
    if policy.benefit is None:
        return None
    d = Describer(book, "zh")
    amount = d.value(policy.benefit, MONEY) + "。"
    return "\n".join([amount, *definition_lines(d)])


_SUBJECT = (ir.Member, ir.Has, ir.DefineRef, ir.TagRef)


def _conjuncts(e: ir.Expr) -> list[ir.Expr]:
    if isinstance(e, ir.And):
        return [c for item in e.items for c in _conjuncts(item)]
    return [e]


def target_text(book: Rulebook, policy: ir.Policy) -> str:
    """适用对象: the item's ``target``, else rendered from its condition.

    The rendering keeps the tests that say *who* the item is for (享受主体): the top-level
    ``in``/``not in`` tests of region, industry, size and other lists, ``has`` tests of
    qualifications, and yes/no labels (``规上工业``), in the order written, joined by "、"
    and closed by "的企业". Thresholds and exclusions (``非 失信被执行人``) stay in 申请条件.
    Where the condition has no such test: "符合申请条件的企业"."""
    if policy.target:
        return policy.target
    d = Describer(book, "zh")
    parts = [d.condition(c, 1) for c in _conjuncts(policy.eligible) if isinstance(c, _SUBJECT)
             and c.type.kind is Kind.BOOL]
    return "、".join(parts) + "的企业" if parts else "符合申请条件的企业"


# ---- rows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    """One item of the 清单: its 14 cells in :data:`COLUMNS` order."""

    policy_id: str
    status: Status
    cells: tuple[str, ...]

    @property
    def values(self) -> tuple[str, ...]:
        """The cells written to a file, in :data:`HEADER` order (the 14, then 事项编码)."""
        return (*self.cells, self.policy_id)

    def as_dict(self) -> dict[str, str]:
        """The work plan's 14 fields by column name."""
        return dict(zip(COLUMNS, self.cells, strict=True))

    def file_dict(self) -> dict[str, str]:
        """The row as a file holds it (and :func:`read_xlsx` reads it): the 14, 事项编码."""
        return dict(zip(HEADER, self.values, strict=True))

    def __getitem__(self, column: str) -> str:
        return self.values[HEADER.index(column)]


def list_row(book: Rulebook, policy: ir.Policy, as_of: dt.date | None = None) -> ListRow:
    cells = (
        policy.name,
        policy.basis or "",
        policy.content or "",
        target_text(book, policy),
        validity_text(policy, as_of),
        condition_text(book, policy),
        materials_text(policy),
        policy.channel or "",
        deadline_text(policy),
        policy.category or "",
        policy.url or "",
        policy.department or "",
        policy.contact or "",
        policy.phone or "",
    )
    return ListRow(policy.id, status_on(policy, as_of), tuple(_ILLEGAL.sub("", c) for c in cells))


def list_rows(book: Rulebook, as_of: dt.date | None = None,
              policy_ids: Iterable[str] | None = None) -> list[ListRow]:
    """The 清单 in rulebook order (files sorted by path, items as written).

    With ``as_of``, expired items are left out and not-yet-effective ones are marked."""
    ids = list(policy_ids) if policy_ids is not None else list(book.policies)
    rows = [list_row(book, book.policy(pid), as_of) for pid in ids]
    return [r for r in rows if r.status != "expired"]


# ---- files -------------------------------------------------------------------------------

# display widths (about one unit per Latin character, two per Chinese character)
_WIDTHS = {
    "事项名称": 24, "事项依据": 40, "事项内容": 40, "适用对象": 36, "适用时间": 22,
    "申请条件": 64, "申请材料": 36, "申请方式": 34, "办结时限": 12, "政策分类": 10,
    "公布网址": 30, "执行部门": 18, "联系人": 10, "联系方式": 16, ID_COLUMN: 18,
}


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` units wide."""
    from policy_match.dsl.diagnostics import display_width

    usable = max(width - 2, 4)
    return sum(max(1, -(-display_width(line) // usable)) for line in text.split("\n"))


def write_csv(rows: Iterable[ListRow], path: str | Path) -> int:
    """UTF-8 with a byte-order mark (so Excel reads the Chinese), a header row, CRLF; a cell
    that would start a formula gets a leading ``'`` (:mod:`policy_match.data.io.cells`)."""
    return csv_format.write(Path(path), HEADER, batches_of(HEADER, (r.values for r in rows)),
                            bom=True)


def write_xlsx(rows: Iterable[ListRow], path: str | Path, as_of: dt.date | None = None) -> int:
    """One sheet: a bold header row, frozen below it, filters, wrapped text, fixed widths,
    printed landscape on A4 one page wide with the header repeated on every page. Every cell
    is a text cell, inert (:func:`policy_match.data.io.workbook.text_value`): never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_TITLE
    wb.properties.title = SHEET_TITLE
    wb.properties.creator = "policy-match"
    if as_of is not None:
        wb.properties.subject = f"{SHEET_TITLE}（截至{date_zh(as_of)}）"
    thin = Side(style="thin", color="B7B7B7")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="9E1B1B")
    top = Alignment(wrap_text=True, vertical="top")

    ws.append(list(HEADER))
    for cell in ws[1]:
        cell.font = head_font
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = border
    count = 0
    url_column = COLUMNS.index("公布网址") + 1
    for row in rows:
        ws.append([text_value(c) for c in row.values])  # inert: a text is never a formula
        count += 1
        # explicit heights: not every spreadsheet program fits wrapped rows when opening
        lines = max(_lines(text, _WIDTHS[name]) for name, text in zip(HEADER, row.values,
                                                                        strict=True))
        ws.row_dimensions[ws.max_row].height = min(409, 18 * lines + 6)
        for cell in ws[ws.max_row]:
            cell.alignment = top
            cell.border = border
            if isinstance(cell.value, str):
                cell.data_type = "s"
        link = ws.cell(row=ws.max_row, column=url_column)
        if isinstance(link.value, str) and link.value.startswith(("http://", "https://")):
            link.hyperlink = link.value
            link.font = Font(color="0563C1", underline="single")
    for i, name in enumerate(HEADER, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS[name]
    ws.row_dimensions[1].height = 22
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{max(ws.max_row, 1)}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(path)
    return count


def write_list(book: Rulebook, path: str | Path, as_of: dt.date | None = None) -> int:
    """Write the 清单 to ``path`` (.xlsx or .csv by its suffix); returns the number of rows."""
    target = Path(path)
    rows = list_rows(book, as_of)
    try:
        chosen = format_for(target, allowed=("xlsx", "csv"))
    except UnsupportedFormat:
        raise ValueError(f"{target}: the 清单 is written as .xlsx or .csv") from None
    return write_xlsx(rows, target, as_of) if chosen.name == "xlsx" else write_csv(rows, target)


def read_xlsx(path: str | Path) -> list[dict[str, str]]:
    """The rows of a 清单 written by :func:`write_xlsx` (for checks and round trips)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        ws = wb.worksheets[0]
        values = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not values:
        return []
    header = values[0]
    return [dict(zip(header, [revert(v) for v in r], strict=True)) for r in values[1:]]


__all__ = [
    "COLUMNS", "HEADER", "ID_COLUMN", "ListRow", "benefit_text", "condition_text",
    "deadline_text", "list_row",
    "list_rows", "materials_text", "read_xlsx", "status_on", "target_text", "validity_text",
    "write_csv", "write_list", "write_xlsx",
]
