"""``/static/…``: the pages' style sheets (no scripts, no fonts: nothing else is served).

``sheet.css`` is the 一表读懂 page's own style sheet, served from ``apps/publishing`` so the
portal page and ``policy-match sheet`` look the same."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from policy_match.apps.publishing.sheet import sheet_css
from policy_match.server.errors import NotFound
from policy_match.server.pages.render import STATIC

router = APIRouter()

_CACHE = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}


def _read(name: str) -> str:
    if name == "sheet.css":
        return sheet_css()
    if name != "pages.css":
        raise NotFound("pages.error.no_file", name=name)
    return (STATIC / name).read_text(encoding="utf-8")


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    return Response(_read(name), media_type="text/css; charset=utf-8", headers=_CACHE)
