"""``/wall``: the 惠企政策墙 of the service hall — every current item with a QR code of its
一表读懂 page on this portal, sized for the hall's screen.

The QR codes are inline SVG (``apps/publishing/qr.py``, ``qrcode``'s SVG factory) of the
absolute address of ``/policies/{id}`` as the screen's browser reached this server, so a
phone that scans one opens the item's page; they are made once per snapshot and address.
On a landscape screen every tile fits on one screen (:func:`grid_for`); on a narrow one the
tiles flow in as many columns as fit.
The page refreshes itself every few minutes (a ``<meta>`` refresh, no script), so a changed
rulebook or a new day reaches the screen without anyone touching it.
"""

from __future__ import annotations

import math
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from policy_match.apps.publishing.qr import qr_svg
from policy_match.server import queries
from policy_match.server.pages.render import page, root_of, safe, snapshot_of, today_of
from policy_match.server.state import Snapshot

router = APIRouter()

REFRESH_SECONDS = 300
# the reference screen (1920×1080) less the page's margins and title, and what a tile
# needs besides its QR code: padding across, the name and department below
SCREEN = (1840, 960)
TILE_ACROSS = 30
TILE_BELOW = 100


def grid_for(n: int) -> tuple[int, int]:
    """Columns and rows that put ``n`` tiles on one 16:9 screen with the largest QR codes."""
    def side(rows: int) -> float:
        cols = math.ceil(n / rows)
        return min(SCREEN[0] / cols - TILE_ACROSS, SCREEN[1] / rows - TILE_BELOW)

    n = max(n, 1)
    rows = max(range(1, n + 1), key=side)
    return math.ceil(n / rows), rows


def page_address(request: Request, policy_id: str) -> str:
    """The absolute address of an item's page: under the portal's public address when the
    service was given one (``create_app(public_url=…)``), else as the client reached it."""
    base = (getattr(request.app.state, "public_url", None)
            or f"{request.url.scheme}://{request.url.netloc}{root_of(request)}")
    return base.rstrip("/") + "/policies/" + quote(policy_id, safe="")


def _qr(snapshot: Snapshot, address: str) -> str:
    svg: str = snapshot.cached(("qr", address), lambda: qr_svg(address))
    return svg


@router.get("/wall", response_class=HTMLResponse, include_in_schema=False)
def wall(request: Request) -> HTMLResponse:
    snapshot = snapshot_of(request)
    today = today_of(request)
    items = queries.current_items(snapshot, today)
    codes = {item.id: safe(_qr(snapshot, page_address(request, item.id))) for item in items}
    cols, rows = grid_for(len(items))
    return page(request, "wall.html", items=items, codes=codes, refresh=REFRESH_SECONDS,
                cols=cols, rows=rows)
