"""The hall staff's look-ups over the loaded enterprise table: one enterprise's items, one
item's enterprises, the 免申即享 roster and the push outbox of one item.

Who may see what: a token speaks for one department (its 执行部门) or for all (``*``). Data
of an item belong to the item's department: asking for another department's item is a
:class:`~.errors.Forbidden` (403). One enterprise's matches list the items the token's
department runs (all of them for ``*``).

The bulk match is made once per snapshot and day and shared by every look-up; the outbox is
planned once per snapshot and day into a ledger of its own in a temporary folder (a first
run: everything due, nothing yet told), because the portal shows what the engine would
send, while the department's real ledger stays with ``policy-match push``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from policy_match.core.match import MatchResult
from policy_match.core.missing import missing_tags
from policy_match.dsl import ir
from policy_match.dsl.ir import Verdict
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.server.checking import amount_of, explanation_of
from policy_match.server.current import current_policies
from policy_match.server.errors import Forbidden, NotFound, Unauthorized
from policy_match.server.models import EnterpriseMatch, EnterpriseMatches, PolicyEnterprises
from policy_match.server.reports import ReportCache, SharingExplainer
from policy_match.server.state import Snapshot
from policy_match.server.tokens import Tokens

__all__ = [
    "NAME_TAG",
    "bearer_token",
    "enterprise_matches",
    "may_see_policy",
    "outbox",
    "policy_enterprises",
    "require_department",
    "roster_for",
    "staff_policy",
]

NAME_TAG = "企业名称"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def require_department(tokens: Tokens, token: str | None) -> str:
    """The department of ``token``; :class:`Unauthorized` without one or for a wrong one."""
    if token is None:
        raise Unauthorized("server.token_missing")
    department = tokens.department_for(token)
    if department is None:
        raise Unauthorized("server.token_wrong")
    return department


def may_see_policy(department: str, policy: ir.Policy) -> bool:
    return Tokens.may_see(department, policy.department)


def staff_policy(snapshot: Snapshot, department: str, policy_id: str,
                 today: dt.date) -> ir.Policy:
    """A current item the department may see: 404 unknown, 403 another department's."""
    policy = snapshot.book.policies.get(policy_id)
    if policy is None or not policy.active_on(today):
        raise NotFound("server.no_item", id=policy_id)
    if not may_see_policy(department, policy):
        raise Forbidden("server.other_department", department=department,
                        owner=policy.department or "")
    return policy


def _result(snapshot: Snapshot, today: dt.date) -> MatchResult[Any]:
    table = snapshot.table
    if table is None:
        raise NotFound("server.no_table")
    found: MatchResult[Any] = snapshot.cached(("match", today),
                                              lambda: snapshot.book.match(table, today))
    return found


def _row(snapshot: Snapshot, enterprise_id: str) -> int:
    if snapshot.table is None:
        raise NotFound("server.no_table")
    try:
        return snapshot.table.index_of(enterprise_id)
    except (KeyError, ValueError):
        raise NotFound("server.no_enterprise", id=enterprise_id) from None


def _name(record: dict[str, Any]) -> str | None:
    name = record.get(NAME_TAG)
    return None if name is None else str(name)


def enterprise_matches(snapshot: Snapshot, enterprise_id: str, today: dt.date,
                       department: str = "*") -> EnterpriseMatches:
    """Every current item the department runs, for one enterprise of the table, with its
    explanation and amount: eligible first, then unknown, then ineligible."""
    result = _result(snapshot, today)
    row = _row(snapshot, enterprise_id)
    book = snapshot.book
    record = snapshot.table.row(row) if snapshot.table is not None else {}
    ev = ScalarEvaluator(book.dag, book.vocabulary, record, today)
    atom_ids = snapshot.cached("atom_ids", lambda: {a: i for i, a in enumerate(book.dag.atoms)})
    explainer = SharingExplainer(ev, atom_ids,
                                 snapshot.cached("reports", lambda: ReportCache(book.dag)))
    order = {Verdict.ELIGIBLE: 0, Verdict.UNKNOWN: 1, Verdict.INELIGIBLE: 2}
    found: list[EnterpriseMatch] = []
    for policy in current_policies(snapshot, today):
        if not may_see_policy(department, policy):
            continue
        verdict = result.verdict(enterprise_id, policy.id)
        node = book.dag.benefits[policy.id]
        amount = amount_of(ev, node) if verdict is Verdict.ELIGIBLE and node is not None else None
        explanation = explanation_of(book, ev, explainer, policy.id, verdict)
        found.append(EnterpriseMatch(
            policy_id=policy.id, name=policy.name, department=policy.department,
            verdict=verdict.value, verdict_zh=verdict.zh,  # type: ignore[arg-type]
            benefit=None if amount is None else str(amount), benefit_zh=explanation.benefit,
            explanation=explanation))
    found.sort(key=lambda m: (order[Verdict(m.verdict)], m.policy_id))
    return EnterpriseMatches(enterprise=enterprise_id, name=_name(record), as_of=today,
                             version=snapshot.version, matches=found)


def policy_enterprises(snapshot: Snapshot, policy_id: str, verdict: str, offset: int,
                       limit: int, today: dt.date) -> PolicyEnterprises:
    """One page of the enterprises with ``verdict`` (eligible or unknown) for a current item;
    unknown ones carry the tags that would settle them."""
    result = _result(snapshot, today)
    if policy_id not in result.tris or result.tris[policy_id] is None:
        raise NotFound("server.no_item", id=policy_id)
    which = Verdict(verdict)
    ids = result.eligible(policy_id) if which is Verdict.ELIGIBLE else result.unknown(policy_id)
    page = ids[offset:offset + limit]
    table = result.table
    wanted: dict[int, tuple[str, ...]] = {}
    if which is Verdict.UNKNOWN and page:
        wanted = snapshot.cached(("missing", today, policy_id),
                                 lambda: missing_tags(result, [policy_id])[policy_id])
    rows: list[dict[str, Any]] = []
    for enterprise in page:
        row = table.index_of(enterprise)
        entry: dict[str, Any] = {"id": enterprise, "name": _name(table.row(row))}
        if which is Verdict.UNKNOWN:
            entry["missing"] = list(wanted.get(row, ()))
        rows.append(entry)
    return PolicyEnterprises(policy_id=policy_id, verdict=which.value,  # type: ignore[arg-type]
                             as_of=today, total=len(ids), offset=offset, limit=limit,
                             enterprises=rows)


def roster_for(snapshot: Snapshot, policy_id: str, today: dt.date) -> Any:
    """The 免申即享 roster of one item (``apps.money.roster.Roster``), from the day's match."""
    from policy_match.apps.money.roster import roster

    result = _result(snapshot, today)
    return snapshot.cached(("roster", today, policy_id), lambda: roster(result, [policy_id]))


def outbox(snapshot: Snapshot, policy_id: str, today: dt.date) -> list[dict[str, Any]]:
    """The push messages of one item a first planning run writes (see the module doc)."""
    messages: list[dict[str, Any]] = snapshot.cached(("outbox", today),
                                                     lambda: _plan_all(snapshot, today))
    return [m for m in messages if m.get("item") == policy_id]


def _plan_all(snapshot: Snapshot, today: dt.date) -> list[dict[str, Any]]:
    from policy_match.apps.push import Ledger, plan

    result = _result(snapshot, today)
    with (tempfile.TemporaryDirectory(prefix="policy-match-outbox-") as folder,
          Ledger(Path(folder) / "outbox.sqlite") as ledger):
        plan(ledger, result)
        return ledger.messages()
