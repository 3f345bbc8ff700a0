"""``/policies/{id}``: the 一表读懂 page of one current item, the same article as
``policy-match sheet`` writes (``apps/publishing/sheet.py``) inside the portal's frame."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from policy_match.apps.publishing.sheet import sheet_article
from policy_match.server import queries
from policy_match.server.errors import NotFound
from policy_match.server.pages.render import page, safe, snapshot_of, today_of, w

router = APIRouter()


@router.get("/policies/{policy_id}", response_class=HTMLResponse, include_in_schema=False)
def policy_page(request: Request, policy_id: str) -> HTMLResponse:
    snapshot = snapshot_of(request)
    today = today_of(request)
    try:
        item = queries.item_detail(snapshot, policy_id, today)
    except NotFound as missing:
        return page(request, "error.html", status=404, title=w("pages.error.not_found"),
                    message=missing.text("zh"))
    article = snapshot.cached(("sheet", policy_id, today),
                              lambda: sheet_article(snapshot.book, policy_id, today))
    return page(request, "policy.html", item=item, article=safe(article))
