"""Items over time: where each redemption item stands on a date, and the work plan's deadlines.

The work plan keeps only current items in the 政策库: new policies are split and go live
within 10 working days of issue, expired ones are taken down at once. This module answers,
for an evaluation date ``as_of``:

- :func:`status_of` — one of four statuses, from the item's 适用时间 (both ends inclusive):

  ========================= ===================================================
  ``Status.NOT_YET``        ``as_of`` is before the first valid day (未生效)
  ``Status.ACTIVE``         ``as_of`` is inside 适用时间 (有效)
  ``Status.EXPIRING``       inside 适用时间 and the last valid day is at most
                            ``expiring_within`` (30) days away:
                            ``as_of <= valid_to <= as_of + 30 days`` (即将到期)
  ``Status.EXPIRED``        ``as_of`` is after the last valid day (已失效)
  ========================= ===================================================

  Expiring items **are active**: they match enterprises like any other item;
  :attr:`ItemStatus.active` is true for both. An item without 适用时间, or with an open end
  (``2024-01-01 ..``), never expires.

- :func:`online_delay` — how many working days (:mod:`.workdays`) after its
  发布日期 an item's 上线日期 came, against the limit of 10.

- :func:`lifecycle_warnings` — the two as ``check`` warnings: ``W-EXPIRED`` (an expired item
  still listed, at the item's id) and ``W-LATE`` (上线 more than 10 working days after 发布,
  at the 上线日期 value). Warnings never make a rulebook fail to load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from policy_match.apps.lifecycle.workdays import (
    COVERED_YEARS,
    WorkdayCount,
    add_working_days,
    working_days_between,
)
from policy_match.base import clock
from policy_match.base.message import Message
from policy_match.base.messages import Worded
from policy_match.core.compiled import CompiledBook
from policy_match.dsl import ast
from policy_match.dsl.diagnostics import Code, Diagnostic, Related, Severity
from policy_match.dsl.ir import Policy
from policy_match.dsl.parser import parse
from policy_match.dsl.span import Span
from policy_match.dsl.words import Words

if TYPE_CHECKING:
    from policy_match.core.rulebook import Rulebook

__all__ = [
    "EXPIRING_WITHIN",
    "ONLINE_LIMIT",
    "STATUS_ORDER",
    "ItemStatus",
    "OnlineDelay",
    "Status",
    "by_status",
    "lifecycle_warnings",
    "online_delay",
    "status_of",
    "statuses",
]

EXPIRING_WITHIN = 30  # calendar days: "expiring" when 适用时间 ends this soon
ONLINE_LIMIT = 10  # working days from 发布 to 上线 (work plan)


class Status(Worded):
    NOT_YET = "not_yet_effective"
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"

#: The order statuses are listed in: what needs action first.
STATUS_ORDER = (Status.EXPIRED, Status.EXPIRING, Status.ACTIVE, Status.NOT_YET)


@dataclass(frozen=True)
class OnlineDelay:
    """From 发布日期 to 上线日期 in working days, against the work plan's limit."""

    published: dt.date
    online: dt.date
    working_days: WorkdayCount  # after 发布, up to and including 上线
    limit: int
    due: dt.date  # the last day 上线 was on time: add_working_days(published, limit)

    @property
    def late_by(self) -> int:
        """Working days past the limit (0 when on time)."""
        return max(self.working_days.days - self.limit, 0)

    @property
    def late(self) -> bool:
        return self.late_by > 0

    @property
    def assumed_years(self) -> tuple[int, ...]:
        """Years counted Monday–Friday (no holiday arrangement known)."""
        return self.working_days.assumed_years


def online_delay(policy: Policy, limit: int = ONLINE_LIMIT) -> OnlineDelay | None:
    """None unless the item gives both 发布日期 and 上线日期."""
    if policy.published is None or policy.online is None:
        return None
    return OnlineDelay(policy.published, policy.online,
                       working_days_between(policy.published, policy.online), limit,
                       add_working_days(policy.published, limit).date)


@dataclass(frozen=True)
class ItemStatus:
    policy: Policy
    status: Status
    as_of: dt.date

    @property
    def active(self) -> bool:
        """In force on ``as_of`` (expiring items included)."""
        return self.status in (Status.ACTIVE, Status.EXPIRING)

    @property
    def days_left(self) -> int | None:
        """Days from ``as_of`` to the last valid day (0 on that day, negative once expired);
        None when 适用时间 has no end."""
        end = self.policy.valid_to
        return None if end is None else (end - self.as_of).days

    @property
    def days_until_effective(self) -> int | None:
        """Days until the first valid day, for items not yet effective."""
        start = self.policy.valid_from
        return None if start is None or start <= self.as_of else (start - self.as_of).days

    @property
    def online_delay(self) -> OnlineDelay | None:
        return online_delay(self.policy)

    def to_dict(self) -> dict[str, Any]:
        p = self.policy
        delay = self.online_delay

        def iso(day: dt.date | None) -> str | None:
            return None if day is None else day.isoformat()

        return {
            "id": p.id, "name": p.name, "department": p.department,
            "status": self.status.value, "status_zh": self.status.zh, "active": self.active,
            "as_of": self.as_of.isoformat(), "valid_from": iso(p.valid_from),
            "valid_to": iso(p.valid_to), "days_left": self.days_left,
            "days_until_effective": self.days_until_effective,
            "published": iso(p.published), "online": iso(p.online),
            "online_working_days": None if delay is None else delay.working_days.days,
            "online_due": None if delay is None else iso(delay.due),
            "online_late_by": None if delay is None else delay.late_by,
            "calendar_assumed_years": [] if delay is None else list(delay.assumed_years),
        }


def status_of(policy: Policy, as_of: dt.date,
              expiring_within: int = EXPIRING_WITHIN) -> ItemStatus:
    if policy.not_yet_on(as_of):
        status = Status.NOT_YET
    elif policy.expired_on(as_of):
        status = Status.EXPIRED
    elif (policy.valid_to is not None
          and (policy.valid_to - as_of).days <= expiring_within):
        status = Status.EXPIRING
    else:
        status = Status.ACTIVE
    return ItemStatus(policy, status, as_of)


def _policies(source: CompiledBook | Mapping[str, Policy] | Iterable[Policy]) -> list[Policy]:
    if isinstance(source, CompiledBook):
        return list(source.policies.values())
    if isinstance(source, Mapping):
        return list(source.values())
    return list(source)


def statuses(source: Rulebook | Mapping[str, Policy] | Iterable[Policy], as_of: dt.date,
             expiring_within: int = EXPIRING_WITHIN) -> list[ItemStatus]:
    """Every item's status, in rulebook order."""
    return [status_of(p, as_of, expiring_within) for p in _policies(source)]


def by_status(items: Iterable[ItemStatus]) -> dict[Status, list[ItemStatus]]:
    """Items grouped in :data:`STATUS_ORDER` (every status present, possibly empty); within a
    group, by 执行部门, then the end of 适用时间 (soonest first), then id."""
    groups: dict[Status, list[ItemStatus]] = {s: [] for s in STATUS_ORDER}
    for item in items:
        groups[item.status].append(item)
    for members in groups.values():
        members.sort(key=lambda i: (i.policy.department or "\uffff",
                                    i.policy.valid_to or dt.date.max, i.policy.id))
    return groups


# ---- check warnings ------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _ago(days: int) -> str:
    """``"330 days ago, about 11 months"``: exact days, and a rough reading past two months."""
    text = f"{_plural(days, 'day')} ago"
    if days >= 60:
        years, months = divmod(round(days / 30.44), 12)
        parts = ([_plural(years, "year")] if years else []) + (
            [_plural(months, "month")] if months else [])
        text += f", about {' '.join(parts)}"
    return text


def _ago_zh(days: int) -> str:
    if days < 60:
        return f"{days} 天前"
    years, months = divmod(round(days / 30.44), 12)
    return f"{days} 天前，约 " + (f"{years} 年" if years else "") + (
        f"{months} 个月" if months else "")


def _calendar_note_zh(years: tuple[int, ...]) -> str:
    if not years:
        return ""
    first, last = COVERED_YEARS
    shown = "、".join(str(y) for y in years)
    return f"；{shown} 年按周一至周五计（节假日安排只知 {first}–{last} 年）"


def _calendar_note(years: tuple[int, ...]) -> str:
    if not years:
        return ""
    shown = ", ".join(str(y) for y in years)
    first, last = COVERED_YEARS
    return (f"; {shown} counted Monday–Friday (holiday arrangements are known for "
            f"{first}–{last} only)")


class _Places:
    """Where a policy's id and fields are written: re-parses only the files asked about."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = sources
        self._decls: dict[str, dict[str, ast.PolicyDecl]] = {}

    def decl(self, policy: Policy) -> ast.PolicyDecl | None:
        path = policy.span.path
        if path not in self._decls:
            text = self.sources.get(path)
            module = parse(text, path).module if text is not None else None
            self._decls[path] = {} if module is None else {
                d.id.value: d for d in module.decls if isinstance(d, ast.PolicyDecl)}
        return self._decls[path].get(policy.id)

    def id_span(self, policy: Policy) -> Span:
        decl = self.decl(policy)
        return decl.id.span if decl is not None else policy.span

    def field_span(self, policy: Policy, *names: str) -> Span | None:
        decl = self.decl(policy)
        if decl is None:
            return None
        for item in decl.items:
            if isinstance(item, ast.Field) and item.name.name in names:
                return item.value.span
        return None


def expired_warning(item: ItemStatus, places: _Places) -> Diagnostic | None:
    p = item.policy
    if item.status is not Status.EXPIRED or p.valid_to is None:
        return None
    ago = (item.as_of - p.valid_to).days
    return Diagnostic(
        Code.EXPIRED,
        Words("check.expired", policy=p.id, valid_to=str(p.valid_to),
              ago=Message(_ago_zh(ago), _ago(ago)), as_of=str(item.as_of)),
        places.id_span(p),
        Words("hint.expired"),
        Severity.WARNING,
        tuple(Related(s, Words("note.valid_ended", valid_to=str(p.valid_to)))
              for s in [places.field_span(p, "适用时间", "valid")] if s is not None),
    )


def late_warning(policy: Policy, places: _Places, limit: int = ONLINE_LIMIT
                 ) -> Diagnostic | None:
    delay = online_delay(policy, limit)
    if delay is None or not delay.late:
        return None
    n = delay.working_days.days
    late = _plural(delay.late_by, "working day")
    span = (places.field_span(policy, "上线日期", "online") or places.id_span(policy))
    published_at = places.field_span(policy, "发布日期", "published")
    return Diagnostic(
        Code.LATE,
        Words("check.late", policy=policy.id, n=n, late=Message(str(delay.late_by), late),
              published=str(delay.published), online=str(delay.online), limit=limit,
              due=str(delay.due)),
        span,
        Words("hint.late", limit=limit, note=Message(
            _calendar_note_zh(delay.assumed_years), _calendar_note(delay.assumed_years))),
        Severity.WARNING,
        () if published_at is None else (Related(published_at, Words(
            "note.published", published=str(delay.published))),),
    )


def lifecycle_warnings(book: Rulebook, as_of: dt.date | None = None,
                       limit: int = ONLINE_LIMIT) -> list[Diagnostic]:
    """W-EXPIRED and W-LATE for every item of ``book`` on ``as_of`` (default: today)."""
    day = clock.resolve(as_of)
    places = _Places(book.sources)
    found: list[Diagnostic] = []
    for policy in book.policies.values():
        expired = expired_warning(status_of(policy, day), places)
        if expired is not None:
            found.append(expired)
        late = late_warning(policy, places, limit)
        if late is not None:
            found.append(late)
    return sorted(found, key=Diagnostic.sort_key)
