"""免申即享 rosters: who is paid without applying, how much, and on what facts.

For every item marked ``免申即享: 是`` and in force on ``as_of``, the roster lists the
enterprises that *hold* the item (see :mod:`policy_match.apps.money.benefits`: eligible, kept by
就高不重复 and 排除事项, every 前置事项 held) with a known amount, and whose resolution
waits for no data (the item's 互斥组/排除事项/前置事项 component is *settled*). An unknown is
never paid: a 待补充信息 verdict, an unknown amount, or an undecided competing item keeps an
enterprise off the roster (it is counted under ``withheld``).

Each entry carries the facts it rests on — the true atoms of ``book.explain(record, id)``,
under the true part of the condition tree — the values its amount was computed from, the
items it displaced, and a stable roster id::

    roster_id = "MS" + sha256("<item id>\\x1f<enterprise id>\\x1f<as_of ISO>\\x1f<amount, 2 dp>")
                       .hexdigest()[:20].upper()

(the amount field is empty for an item without 兑付标准, which has no amount to pay).

The same item, enterprise, date and amount give the same id on every run and machine; a
changed amount gives a new id (a new payment order).

**Keys.** Money goes to a key. A row that would be paid but whose key is missing, invalid or
on more than one row of the table (:mod:`.keys`) is not on the roster: it is on the 待核实
(to verify) list with the reason, and every row of a duplicated key stays there until the
data are fixed. So the roster never holds a bad or repeated key, and roster + 待核实 are
exactly the rows that hold the item with a known amount in a settled component.

Exports (through :mod:`policy_match.data.io`, every text cell inert: never a formula): XLSX
with two sheets, 免申即享名单 and 待核实 (amounts as numbers, format ``#,##0.00``); CSV in
UTF-8 with a BOM (so Excel opens it as UTF-8), the roster in the file named and the 待核实
list beside it in ``<name>-待核实.csv`` (:meth:`Roster.output_paths`), so that a file fed to
a payment system holds payable rows only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, overload

import numpy as np

from policy_match.apps.money.benefits import Benefits, compute_benefits
from policy_match.apps.money.cents import from_cents
from policy_match.apps.money.keys import KeyCheck
from policy_match.apps.money.resolution import DISPLACED, HELD
from policy_match.data.io import csv_format, workbook
from policy_match.data.io.raw import batches_of
from policy_match.dsl.display import to_decimal, value_text
from policy_match.dsl.types import Kind, Type
from policy_match.engine.explain import Explainer, ExplainNode, tags_read
from policy_match.engine.scalar import ScalarEvaluator

ENTERPRISE_NAME_TAG = "企业名称"
Progress = Callable[[int, int], None]  # (done, total): a plain callable, no terminal here
ROSTER_SHEET = "免申即享名单"
VERIFY_SHEET = "待核实"
AMOUNT_FORMAT = "#,##0.00"


def roster_id(policy_id: str, enterprise: str, as_of: dt.date, amount: Decimal | None) -> str:
    """The stable id of one roster entry (see the module docstring)."""
    shown = "" if amount is None else f"{amount:.2f}"
    text = "\x1f".join((policy_id, enterprise, as_of.isoformat(), shown))
    return "MS" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20].upper()


@dataclass(frozen=True)
class RosterEntry:
    roster_id: str
    policy_id: str
    policy_name: str
    department: str | None
    enterprise: str
    enterprise_name: str | None
    amount: Decimal | None  # yuan, to the cent; None: the item pays no money
    as_of: dt.date
    facts: tuple[str, ...]  # the true atoms the eligibility rests on
    amount_basis: tuple[str, ...]  # the values the amount was computed from
    displaced: tuple[str, ...] = ()  # items of its 互斥组 / 排除事项 it displaced


@dataclass(frozen=True)
class ToVerify:
    """A row that would be paid but for its key: on the 待核实 list, never on the roster."""

    policy_id: str
    policy_name: str
    department: str | None
    row: int  # the table's data row, 1-based (as in load errors)
    enterprise: str  # the key as written; "" when missing
    enterprise_name: str | None
    amount: Decimal | None
    as_of: dt.date
    reason: str  # 缺少统一社会信用代码 | 统一社会信用代码无效 | 统一社会信用代码重复（第N行）
    reason_en: str


@dataclass(frozen=True)
class Withheld:
    """Per item: enterprises not on the roster, and why."""

    unknown: int = 0  # verdict 待补充信息
    amount_unknown: int = 0  # held, amount waits for data
    unsettled: int = 0  # held, but a competing or required item waits for data
    displaced: int = 0  # eligible, a higher item of its 互斥组 / 排除事项 is held
    blocked: int = 0  # eligible, a 前置事项 is not held
    to_verify: int = 0  # held, known and settled, but the key is missing, invalid or repeated


COLUMNS: tuple[tuple[str, str], ...] = (
    ("roster_id", "名单编号"),
    ("policy_id", "事项编码"),
    ("policy_name", "事项名称"),
    ("department", "执行部门"),
    ("enterprise", "企业标识"),
    ("enterprise_name", "企业名称"),
    ("amount", "兑付金额（元）"),
    ("as_of", "评估日"),
    ("facts", "判定依据"),
    ("amount_basis", "金额依据"),
    ("displaced", "就高替代事项"),
)

VERIFY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("policy_id", "事项编码"),
    ("policy_name", "事项名称"),
    ("department", "执行部门"),
    ("row", "行号"),
    ("enterprise", "企业标识"),
    ("enterprise_name", "企业名称"),
    ("amount", "兑付金额（元）"),
    ("as_of", "评估日"),
    ("reason", "核实原因"),
    ("reason_en", "Reason"),
)
_WIDTHS = (26, 18, 28, 20, 22, 28, 16, 12, 60, 40, 20)
_VERIFY_WIDTHS = (18, 28, 20, 8, 24, 28, 16, 12, 36, 36)


@dataclass
class Roster:
    as_of: dt.date
    entries: Sequence[RosterEntry]  # built lazily by build_roster (RosterEntries)
    withheld: dict[str, Withheld] = field(default_factory=dict)
    key_label: str = "企业标识"  # the header of the enterprise column
    to_verify: list[ToVerify] = field(default_factory=list)  # 待核实: never paid

    def __len__(self) -> int:
        return len(self.entries)

    def total(self) -> Decimal:
        """What the roster pays (the 待核实 list is not paid)."""
        if isinstance(self.entries, RosterEntries):
            return from_cents(self.entries.cents_total())
        return sum((e.amount for e in self.entries if e.amount is not None), Decimal("0.00"))

    def total_to_verify(self) -> Decimal:
        return sum((v.amount for v in self.to_verify if v.amount is not None), Decimal("0.00"))

    def by_item(self) -> dict[str, tuple[int, Decimal]]:
        if isinstance(self.entries, RosterEntries):
            return self.entries.by_item()
        out: dict[str, tuple[int, Decimal]] = {}
        for e in self.entries:
            count, amount = out.get(e.policy_id, (0, Decimal("0.00")))
            out[e.policy_id] = (count + 1, amount + (e.amount or 0))
        return out

    def headers(self) -> list[str]:
        return [self.key_label if key == "enterprise" else zh for key, zh in COLUMNS]

    def rows(self) -> Iterator[list[Any]]:
        """One list per entry, in :data:`COLUMNS` order; lists joined with ``；``."""
        for e in self.entries:
            yield [e.roster_id, e.policy_id, e.policy_name, e.department or "", e.enterprise,
                   e.enterprise_name or "", e.amount, e.as_of.isoformat(), "；".join(e.facts),
                   "；".join(e.amount_basis), "、".join(e.displaced)]

    def verify_headers(self) -> list[str]:
        return [self.key_label if key == "enterprise" else zh for key, zh in VERIFY_COLUMNS]

    def verify_rows(self) -> Iterator[list[Any]]:
        """One list per 待核实 row, in :data:`VERIFY_COLUMNS` order."""
        for v in self.to_verify:
            yield [v.policy_id, v.policy_name, v.department or "", v.row, v.enterprise,
                   v.enterprise_name or "", v.amount, v.as_of.isoformat(), v.reason,
                   v.reason_en]

    @staticmethod
    def verify_path(path: str | Path) -> Path:
        """Where a CSV roster's 待核实 list goes: ``<name>-待核实.csv`` beside it."""
        target = Path(path)
        return target.with_name(f"{target.stem}-{VERIFY_SHEET}{target.suffix}")

    @classmethod
    def output_paths(cls, path: str | Path) -> list[Path]:
        """Every file :meth:`write` writes for ``path`` (to check before writing)."""
        target = Path(path)
        return [target, cls.verify_path(target)] if _suffix(path) == ".csv" else [target]

    def to_csv(self, path: str | Path) -> int:
        """The roster to ``path`` and the 待核实 list to :meth:`verify_path`; returns the
        number of roster entries."""
        header = self.headers()
        count = csv_format.write(Path(path), header, batches_of(header, self.rows()), bom=True)
        header = self.verify_headers()
        csv_format.write(self.verify_path(path), header,
                         batches_of(header, self.verify_rows()), bom=True)
        return count

    def to_xlsx(self, path: str | Path) -> int:
        """Sheets 免申即享名单 and 待核实; returns the number of roster entries."""
        amount = {6: AMOUNT_FORMAT}
        counts = workbook.write_workbook(path, [
            workbook.Sheet(ROSTER_SHEET, tuple(self.headers()), self.rows(), _WIDTHS, amount, "A2"),
            workbook.Sheet(VERIFY_SHEET, tuple(self.verify_headers()), self.verify_rows(),
                       _VERIFY_WIDTHS, amount, "A2"),
        ])
        return counts[0]

    def write(self, path: str | Path) -> int:
        """.csv or .xlsx by the suffix (:meth:`output_paths`: the files written)."""
        return self.to_csv(path) if _suffix(path) == ".csv" else self.to_xlsx(path)


def _suffix(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"{path}: a roster is written as .csv or .xlsx")
    return suffix


def roster_items(benefits: Benefits) -> list[str]:
    """The 免申即享 items in force on ``as_of``."""
    policies = benefits.book.policies
    return [pid for pid in benefits.items
            if policies[pid].no_application and benefits.result.tris[pid] is not None]


def true_facts(node: ExplainNode | None) -> list[str]:
    """Texts of the true atoms under the true part of an explanation tree, in order."""
    found: list[str] = []

    def visit(n: ExplainNode) -> None:
        if n.outcome != "true":
            return
        if n.atom is not None:
            text = n.atom.text_zh.removeprefix("✓").strip()
            if text not in found:
                found.append(text)
            return
        for child in n.children:
            visit(child)

    if node is not None:
        visit(node)
    return found


def build_roster(benefits: Benefits, policy_ids: Iterable[str] | None = None,
                 progress: Progress | None = None) -> Roster:
    """The roster of the 免申即享 items (or of ``policy_ids``, which must be 免申即享).

    Who is paid, how much and why not the others is decided in bulk, item by item (numpy
    over the benefit arrays); an entry's facts and amount basis are read from its row only
    when the entry itself is read (:class:`RosterEntries`), so building a roster of a
    million rows costs what the arrays cost. ``progress(done, total)`` hears of each item."""
    book = benefits.book
    chosen = roster_items(benefits)
    if policy_ids is not None:
        wanted = list(policy_ids)
        for pid in wanted:
            if pid not in book.policies:
                raise KeyError(f"no policy {pid!r} in this rulebook")
            if not book.policies[pid].no_application:
                raise ValueError(f"{pid} is not 免申即享")
        chosen = [pid for pid in chosen if pid in wanted]
    roster = Roster(as_of=benefits.as_of, entries=[], key_label=_key_label(benefits))
    paid: list[PaidRows] = []
    for done, pid in enumerate(chosen, 1):
        paid.append(_add_item(roster, benefits, pid))
        if progress is not None:
            progress(done, len(chosen))
    roster.entries = RosterEntries(benefits, sorted(paid, key=lambda p: p.policy_id))
    roster.to_verify.sort(key=lambda v: (v.policy_id, v.row))
    return roster


@dataclass(frozen=True)
class PaidRows:
    """One item's roster rows (table rows, in enterprise-id order) and their cents."""

    policy_id: str
    rows: np.ndarray  # int64
    cents: np.ndarray | None  # int64 per row; None: the item pays no money


def _add_item(roster: Roster, benefits: Benefits, pid: str) -> PaidRows:
    """One item's 待核实 rows and withheld counts added to ``roster``; its payable rows."""
    book, table, as_of, keys = benefits.book, benefits.table, benefits.as_of, benefits.keys
    policy = book.policies[pid]
    status, known, settled = benefits.status[pid], benefits.known[pid], benefits.settled(pid)
    held = status == HELD
    rows = np.flatnonzero(held & known & settled)
    problem_rows = keys.problem_rows
    flagged = np.isin(rows, problem_rows) if problem_rows.size else np.zeros(rows.size, bool)
    for i in rows[flagged].tolist():
        problem = keys.problems[i]
        amount = from_cents(benefits.cents[pid][i]) if benefits.pays[pid] else None
        roster.to_verify.append(ToVerify(
            policy_id=pid, policy_name=policy.name, department=policy.department,
            row=i + 1, enterprise=keys.shown[i], enterprise_name=_name(book, table.row(i)),
            amount=amount, as_of=as_of, reason=problem.zh, reason_en=problem.en))
    rows = rows[~flagged]
    rows = rows[by_enterprise(table, rows)]
    roster.withheld[pid] = Withheld(
        unknown=int(benefits.unknown[pid].sum()),
        amount_unknown=int((held & ~known).sum()),
        unsettled=int((held & known & ~settled).sum()),
        displaced=int((status == DISPLACED).sum()),
        blocked=int((benefits.eligible[pid] & (status != HELD) & (status != DISPLACED)).sum()),
        to_verify=int(flagged.sum()))
    cents = benefits.cents[pid][rows] if benefits.pays[pid] else None
    return PaidRows(pid, rows, cents)


def by_enterprise(table: Any, rows: np.ndarray) -> np.ndarray:
    """The order of ``rows`` by enterprise id (code-point order, as ``sorted`` on str; ties
    keep table order)."""
    if rows.size < 2:
        return np.arange(rows.size)
    import pyarrow.compute as pc

    ids = table.id_array().take(rows)
    return np.asarray(pc.sort_indices(ids).to_numpy(), dtype=np.int64)


class RosterEntries(Sequence[RosterEntry]):
    """The roster's entries, item by item in id order, each built when it is read: the facts
    are the true atoms of the entry's explanation (the compiled book's explainer on the
    table's parsed row: no record is parsed again)."""

    def __init__(self, benefits: Benefits, paid: list[PaidRows]) -> None:
        self.benefits = benefits
        self.paid = paid
        self.offsets = np.cumsum([0, *(p.rows.size for p in paid)])
        self._basis: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return int(self.offsets[-1])

    @overload
    def __getitem__(self, index: int) -> RosterEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[RosterEntry]: ...

    def __getitem__(self, index: int | slice) -> RosterEntry | list[RosterEntry]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("roster entry out of range")
        k = int(np.searchsorted(self.offsets, index, side="right")) - 1
        return self._entry(self.paid[k], index - int(self.offsets[k]))

    def __iter__(self) -> Iterator[RosterEntry]:
        for item in self.paid:
            for j in range(item.rows.size):
                yield self._entry(item, j)

    def cents_total(self) -> int:
        return sum(int(p.cents.sum()) for p in self.paid if p.cents is not None)

    def by_item(self) -> dict[str, tuple[int, Decimal]]:
        return {p.policy_id: (int(p.rows.size),
                              from_cents(int(p.cents.sum())) if p.cents is not None
                              else Decimal("0.00"))
                for p in self.paid if p.rows.size}

    def _basis_tags(self, pid: str) -> list[str]:
        found = self._basis.get(pid)
        if found is None:
            dag = self.benefits.book.dag
            node = dag.benefits.get(pid)
            found = self._basis[pid] = tags_read(node, dag.defines) if node is not None else []
        return found

    def _entry(self, item: PaidRows, j: int) -> RosterEntry:
        benefits = self.benefits
        book, table, as_of = benefits.book, benefits.table, benefits.as_of
        pid, i = item.policy_id, int(item.rows[j])
        policy = book.policies[pid]
        record = table.row_view(i)
        amount = from_cents(item.cents[j]) if item.cents is not None else None
        enterprise = table.ids[i]
        return RosterEntry(
            roster_id=roster_id(pid, enterprise, as_of, amount),
            policy_id=pid, policy_name=policy.name, department=policy.department,
            enterprise=enterprise, enterprise_name=_name(book, record), amount=amount,
            as_of=as_of, facts=tuple(entry_facts(book, record, pid, as_of)),
            amount_basis=tuple(f"{t} {_exact_text(record[t], book.tags[t].type)}"
                               for t in self._basis_tags(pid) if t in record),
            displaced=benefits.displaced_at(pid, i))


def entry_facts(book: Any, values: Mapping[str, Any], pid: str, as_of: dt.date) -> list[str]:
    """The true atoms under the true part of the condition for parsed ``values`` (what
    ``true_facts(book.explain(record, pid).tree)`` gives, without the rest of explain)."""
    ev = ScalarEvaluator(book.dag, book.vocabulary, values, as_of)
    root = book.dag.conditions[pid]
    if ev.truth(root) is not True:
        raise RuntimeError(f"{pid}: bulk says eligible, explain does not")
    return true_facts(Explainer(ev, book.atom_ids).tree(root))


def _name(book: Any, record: Mapping[str, Any]) -> str | None:
    if ENTERPRISE_NAME_TAG in book.tags and ENTERPRISE_NAME_TAG in record:
        return str(record[ENTERPRISE_NAME_TAG])
    return None


def _exact_text(value: Any, t: Type) -> str:
    """A value the amount was computed from; money in exact yuan (``1,234,567.85元``)."""
    if isinstance(value, Fraction) and t.kind is Kind.MONEY:
        return f"{to_decimal(value):,f}元"
    return value_text(value, t)


def _key_label(benefits: Benefits) -> str:
    keys: KeyCheck = benefits.keys
    return keys.label


def roster(result: Any, policy_ids: Iterable[str] | None = None,
           progress: Progress | None = None) -> Roster:
    """The 免申即享 roster of a match result (``book.match(table, as_of)``)."""
    return build_roster(compute_benefits(result), policy_ids, progress)


__all__ = [
    "COLUMNS",
    "VERIFY_COLUMNS",
    "PaidRows",
    "Roster",
    "RosterEntries",
    "RosterEntry",
    "ToVerify",
    "Withheld",
    "build_roster",
    "entry_facts",
    "roster",
    "roster_id",
    "roster_items",
    "true_facts",
]
