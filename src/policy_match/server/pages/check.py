"""``/check``: the 政策计算器. An enterprise fills in what it knows and sees, for every item
in force today, 符合 (with the amount it could receive), 待补充信息 (and what to add), 差一项
(and the one condition it misses), or 不符合.

A plain HTML form, sent by GET (a link a portal can prefill: ``/check?营业收入=2000&submitted=1``)
or POST; no JavaScript. The verdicts are those of ``POST /api/check`` (``queries.check_record``,
the engine's own point evaluation). Nothing is stored. A value that does not read (a date
that does not exist) is shown at its field, with the form as it was typed, status 422.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from policy_match.apps.publishing.wording import public_gap
from policy_match.core.rulebook import Rulebook
from policy_match.server import queries
from policy_match.server.current import current_policies
from policy_match.server.errors import BadInput
from policy_match.server.models import CheckResult
from policy_match.server.pages.form import (
    FormData,
    asked,
    form_fields,
    record_from,
    tags_asked,
)
from policy_match.server.pages.render import page, snapshot_of, today_of, w

router = APIRouter()


@dataclass(frozen=True)
class Grouped:
    """The results as the page shows them, in the engine's order within each group."""

    eligible: list[CheckResult] = field(default_factory=list)
    unknown: list[CheckResult] = field(default_factory=list)
    near: list[CheckResult] = field(default_factory=list)  # 差一项: one condition short
    other: list[CheckResult] = field(default_factory=list)


def grouped(results: Sequence[CheckResult]) -> Grouped:
    out = Grouped()
    for r in results:
        if r.verdict == "eligible":
            out.eligible.append(r)
        elif r.verdict == "unknown":
            out.unknown.append(r)
        elif r.gap is not None and len(r.gap) == 1:
            out.near.append(r)
        else:
            out.other.append(r)
    return out


def public_gaps(book: Rulebook, results: Sequence[CheckResult]) -> dict[str, list[str]]:
    """Each ineligible item's missed conditions in the public's words (no ✗, no 评估日)."""
    return {r.policy_id: [public_gap(g.text_zh, book.policy(r.policy_id)) for g in r.gap]
            for r in results if r.gap}


def _as_of(data: FormData, today: dt.date) -> tuple[dt.date, str]:
    """The day to check on: ``as_of`` when a portal passes one (a hidden field), else today."""
    given = [v for v in data.getlist("as_of") if v.strip()]
    if not given:
        return today, ""
    try:
        return dt.date.fromisoformat(given[0].strip()), ""
    except ValueError:
        return today, w("pages.check.bad_date", value=given[0][:40])


def _answer(request: Request, data: FormData) -> HTMLResponse:
    snapshot = snapshot_of(request)
    today = today_of(request)
    policies = current_policies(snapshot, today)  # not inside cached(): its lock is not reentrant
    asked_tags = snapshot.cached(("form-tags", today),
                                 lambda: tags_asked(snapshot.book, policies))
    fields = form_fields(queries.tag_schema(snapshot, today), asked_tags, w)
    record, typed = record_from(fields, data)
    as_of, problem = _as_of(data, today)
    errors: dict[str, str] = {}
    results: Grouped | None = None
    gaps: dict[str, list[str]] = {}
    if asked(data) and not problem:
        try:
            response = queries.check_record(snapshot, record, as_of, today=today)
            results = grouped(response.results)
            gaps = public_gaps(snapshot.book, response.results)
        except BadInput as bad:
            errors = {p.field: p.reason_zh for p in bad.problems}
    labels = {f.name: f.dom_id for f in fields}
    status = 422 if errors or problem else 200
    return page(request, "check.html", status=status, fields=fields, typed=typed,
                errors=errors, problem=problem, results=results, gaps=gaps, as_of=as_of,
                as_of_given=as_of != today, filled=len(record), anchors=labels)


@router.get("/check", response_class=HTMLResponse, include_in_schema=False)
def check_form(request: Request) -> HTMLResponse:
    return _answer(request, request.query_params)


@router.post("/check", response_class=HTMLResponse, include_in_schema=False)
async def check_posted(request: Request) -> HTMLResponse:
    form = await request.form()
    return _answer(request, form)  # type: ignore[arg-type]
