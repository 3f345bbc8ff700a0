"""``/``: the 政策找企业 column — the items in force today, filtered and searched."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from policy_match.server import queries
from policy_match.server.errors import BadInput
from policy_match.server.pages.render import page, snapshot_of, today_of

router = APIRouter()


def _given(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def column(request: Request, department: str | None = None, category: str | None = None,
           q: str | None = None, industry: str | None = None) -> HTMLResponse:
    snapshot = snapshot_of(request)
    today = today_of(request)
    filters = {"department": _given(department), "category": _given(category),
               "q": _given(q), "industry": _given(industry)}
    problem = ""
    try:
        items = queries.current_items(snapshot, today, **filters)
    except BadInput as bad:  # an industry code that does not exist: say so, list nothing
        items = []
        problem = "；".join(p.reason_zh for p in bad.problems)
    return page(request, "column.html", status=422 if problem else 200, items=items,
                filters=filters, problem=problem,
                departments=queries.departments(snapshot, today),
                categories=queries.categories(snapshot, today),
                filtered=any(filters.values()))
