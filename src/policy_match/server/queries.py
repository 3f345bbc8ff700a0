"""What the portal answers, as plain functions over a :class:`~.state.Snapshot` (no HTTP in
here): the JSON endpoints and the HTML pages call the same functions.

"Current" items are those in force on the day asked (有效 or 即将到期, both ends of 适用时间
inclusive): an item leaves the public lists the day after its 适用时间 ends and appears on its
first valid day. The status is computed per call from the day given, never cached across
days, so no restart is needed at midnight (China's date, :func:`policy_match.base.clock.today`).

The record check (``check_record``) and the staff look-ups live in :mod:`.checking` and
:mod:`.staff`; they are re-exported here so that callers have one place to import from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from policy_match.apps.lifecycle.status import Status, status_of
from policy_match.apps.publishing.listing import benefit_text, list_row
from policy_match.dsl import ir
from policy_match.dsl.ir import Verdict
from policy_match.server.checking import check_record, reason_text
from policy_match.server.current import current_policies, industry_tags
from policy_match.server.errors import BadInput, FieldProblem, NotFound
from policy_match.server.models import CodeOption, ItemDetail, ItemSummary, TagInfo
from policy_match.server.staff import (
    enterprise_matches,
    may_see_policy,
    outbox,
    policy_enterprises,
    require_department,
    roster_for,
)
from policy_match.server.state import Snapshot

__all__ = [
    "categories",
    "check_record",
    "current_items",
    "current_policies",
    "departments",
    "enterprise_matches",
    "item_detail",
    "matches_industry",
    "may_see_policy",
    "outbox",
    "policy_enterprises",
    "require_department",
    "roster_for",
    "tag_schema",
]


def _summary(snapshot: Snapshot, policy: ir.Policy, today: dt.date) -> ItemSummary:
    # the 14 cells do not depend on the day for an item in force: made once per snapshot
    cells = snapshot.cached(("row", policy.id), lambda: list_row(snapshot.book, policy).as_dict())
    state = status_of(policy, today)
    return ItemSummary(
        id=policy.id, name=policy.name,
        status="expiring" if state.status is Status.EXPIRING else "active",
        status_zh=state.status.zh, days_left=state.days_left,
        department=policy.department, category=policy.category,
        valid_from=policy.valid_from, valid_to=policy.valid_to, fields=cells)


def _search_text(snapshot: Snapshot, policy: ir.Policy) -> str:
    def make() -> str:
        cells = list_row(snapshot.book, policy).cells
        return "\n".join((policy.id, *cells)).casefold()

    found: str = snapshot.cached(("search", policy.id), make)
    return found


def matches_industry(snapshot: Snapshot, code: str, today: dt.date) -> frozenset[str]:
    """Ids of the items whose conditions can hold for an enterprise of industry ``code``.

    Exactly: the record that gives ``code`` to every industry-coded tag of the rulebook and
    leaves every other tag unknown is evaluated; an item is kept unless its verdict is
    ineligible, i.e. unless the industry alone already rules it out. A bad code is a 422."""
    tags = industry_tags(snapshot.book)
    if not tags:
        return frozenset(p.id for p in current_policies(snapshot, today))
    record = {tag: code for tag in tags}
    parsed = snapshot.book.read_record(record, on_error="missing")
    if parsed.errors:
        error = parsed.errors[0]
        raise BadInput([FieldProblem("industry", code, reason_text(error, "zh"),
                                     reason_text(error, "en"))])

    def make() -> frozenset[str]:
        verdicts = snapshot.book.match_record(record, today)
        return frozenset(pid for pid, v in verdicts.items()
                         if v is not Verdict.INELIGIBLE and v is not Verdict.INACTIVE)

    found: frozenset[str] = snapshot.cached(("industry", code, today), make)
    return found


def current_items(snapshot: Snapshot, today: dt.date, *, department: str | None = None,
                  category: str | None = None, q: str | None = None,
                  industry: str | None = None) -> list[ItemSummary]:
    """The items in force on ``today``, in rulebook order, filtered: ``department`` (执行部门)
    and ``category`` (政策分类) match exactly; ``q`` finds every word (split on white space)
    in the id or any of the 14 fields, ignoring case; ``industry`` see :func:`matches_industry`."""
    policies: Iterable[ir.Policy] = current_policies(snapshot, today)
    if department:
        policies = [p for p in policies if p.department == department]
    if category:
        policies = [p for p in policies if p.category == category]
    if q and q.strip():
        words = [w.casefold() for w in q.split()]
        policies = [p for p in policies
                    if all(w in _search_text(snapshot, p) for w in words)]
    if industry is not None and industry.strip():
        kept = matches_industry(snapshot, industry.strip(), today)
        policies = [p for p in policies if p.id in kept]
    return [_summary(snapshot, p, today) for p in policies]


def departments(snapshot: Snapshot, today: dt.date) -> list[str]:
    """The 执行部门 of the current items, each once, in first-seen order (for a filter)."""
    return list(dict.fromkeys(p.department for p in current_policies(snapshot, today)
                              if p.department))


def categories(snapshot: Snapshot, today: dt.date) -> list[str]:
    """The 政策分类 of the current items, each once, in first-seen order."""
    return list(dict.fromkeys(p.category for p in current_policies(snapshot, today)
                              if p.category))


def item_detail(snapshot: Snapshot, policy_id: str, today: dt.date) -> ItemDetail:
    """One current item with its conditions in statutory wording; :class:`NotFound` for an
    unknown id or an item not in force on ``today``."""
    policy = snapshot.book.policies.get(policy_id)
    if policy is None or not policy.active_on(today):
        raise NotFound("server.no_item", id=policy_id)
    book = snapshot.book
    words = snapshot.cached(("detail", policy_id), lambda: (
        book.describe(policy_id, "zh"), book.describe(policy_id, "en"),
        benefit_text(book, policy)))
    summary = _summary(snapshot, policy, today)
    return ItemDetail(
        **summary.model_dump(), conditions_zh=words[0], conditions_en=words[1],
        benefit_text=words[2], materials=list(policy.materials),
        no_application=policy.no_application, push=policy.push, group=policy.group,
        page=f"/policies/{policy_id}", qr=f"/api/policies/{policy_id}/qr.svg")


# ---- the tag schema --------------------------------------------------------------------------


def _walk(expr: object) -> Iterable[object]:
    """Every IR node under ``expr`` (an explicit stack: rules may nest deeply)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        for name in getattr(node, "__dataclass_fields__", {}):
            if name in ("type", "span"):
                continue
            value = getattr(node, name)
            if isinstance(value, tuple):
                for v in value:
                    stack.extend(v if isinstance(v, tuple) else (v,))
            elif hasattr(value, "__dataclass_fields__"):
                stack.append(value)


def _codes_tested(snapshot: Snapshot) -> dict[str, list[str]]:
    """Per code tag: the codes the rules test it against (``所属行业 in ["C"]``)."""
    found: dict[str, dict[str, None]] = {}
    exprs = [p.eligible for p in snapshot.book.policies.values()]
    exprs += [d.expr for d in snapshot.book.defines.values()]
    for expr in exprs:
        for node in _walk(expr):
            if (isinstance(node, ir.Member) and node.hierarchy is not None
                    and isinstance(node.operand, ir.TagRef)):
                found.setdefault(node.operand.name, {}).update(dict.fromkeys(node.options))
    return {tag: sorted(codes) for tag, codes in found.items()}


def _tags_read(snapshot: Snapshot, today: dt.date) -> dict[str, int]:
    from policy_match.engine.explain import tags_read

    counts: dict[str, int] = {}
    for policy in current_policies(snapshot, today):
        for tag in tags_read(snapshot.book.dag.conditions[policy.id], snapshot.book.dag.defines):
            counts[tag] = counts.get(tag, 0) + 1
    return counts


def tag_schema(snapshot: Snapshot, today: dt.date) -> list[TagInfo]:
    """Every tag of the rulebook, for a portal that builds its own form."""
    def make() -> list[TagInfo]:
        book = snapshot.book
        codes = _codes_tested(snapshot)
        used = _tags_read(snapshot, today)
        out: list[TagInfo] = []
        for spec in book.tags.values():
            t = spec.type
            hierarchy = book.vocabulary.hierarchies.get(t.hierarchy) if t.hierarchy else None
            options = [CodeOption(code=c, label=hierarchy.label(c) if hierarchy else None)
                       for c in codes.get(spec.name, [])]
            out.append(TagInfo(
                name=spec.name, label=spec.label, type=t.kind.value, type_text=t.describe(),
                unit=t.unit, values=list(t.values) if t.values is not None else None,
                hierarchy=t.hierarchy, codes=options, key=spec.key, signed=spec.signed,
                used_by=used.get(spec.name, 0)))
        return out

    found: list[TagInfo] = snapshot.cached(("tags", today), make)
    return found
