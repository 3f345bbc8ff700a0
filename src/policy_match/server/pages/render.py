"""Rendering a page: the Jinja2 environment (autoescape on), the catalogue's words, and what
every page reads of the request (the current snapshot, China's date).

Templates live in ``server/templates``; every sentence in them is ``w("pages.…")``, a
lookup in the message catalogue (``base/catalogue/pages.py``), rendered in Chinese.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from policy_match.base.messages import text
from policy_match.dsl.display import date_zh
from policy_match.server.state import Snapshot
from policy_match.server.web import service_of, today_of

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"
LANG = "zh"


def w(key: str, **fields: object) -> str:
    """The words of ``key`` in the pages' language."""
    return text(key, LANG, **fields)


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["w"] = w
    env.filters["date_zh"] = lambda day: date_zh(day) if isinstance(day, dt.date) else ""
    return env


def snapshot_of(request: Request) -> Snapshot:
    """The snapshot serving now (read once per request, see ``server/state.py``)."""
    return service_of(request).snapshot


def root_of(request: Request) -> str:
    """Where the app is mounted ("" at the top, ``/policy`` under ``portal.mount``): every
    link and form of the pages starts with it."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """``template`` rendered with ``context``; every page also gets the request, today and
    the mount point (``root``)."""
    root = root_of(request)
    body = environment().get_template(template).render(
        request=request, today=today_of(request), root=root, **context)
    return HTMLResponse(body, status_code=status, headers=_HEADERS)


# the pages are made to be embedded in the district portal (an iframe); a frame from
# anywhere is allowed, scripts from nowhere: the pages have none
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def safe(html: str) -> Markup:
    """HTML made (and escaped) by :mod:`policy_match.apps.publishing`: inserted as is."""
    return Markup(html)


__all__ = ["LANG", "STATIC", "TEMPLATES", "environment", "page", "root_of", "safe",
           "snapshot_of", "today_of", "w"]
