"""The portal as an ASGI app: :func:`create_app` loads the rulebook (and the enterprise
table), starts the watcher that reloads the rules folder, and mounts the JSON API, the staff
API and the HTML pages (``server.pages``). Embed it in another Python portal with
``app.mount("/policy", create_app("rules"))`` or run it with ``policy-match serve``."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from policy_match.base import clock
from policy_match.server import api, problems, staff_api
from policy_match.server.hotcheck import HotCheck
from policy_match.server.pages import router as pages_router
from policy_match.server.state import POLL_SECONDS, Service
from policy_match.server.tokens import Tokens

__all__ = ["create_app", "default_data", "default_rules"]

DESCRIPTION = """政策找企业: the district's redemption items (惠企政策兑现事项), checked against
what an enterprise knows of itself (`POST /api/check`), and, for staff with a department
token, against the loaded enterprise library. Errors are RFC 9457 problem details in
Chinese and English."""


def default_rules() -> Path | None:
    """The bundled rulebook (as ``policy-match demo`` finds it)."""
    from policy_match.tools.demo import bundled_rules

    return bundled_rules()


def default_data() -> Path | None:
    """The bundled 2,000-enterprise sample."""
    from policy_match.tools.demo import bundled_sample

    return bundled_sample()


def create_app(rules: str | Path | None = None, data: str | Path | None = None,
               tokens: str | Path | Mapping[str, str] | Tokens | None = None, *,
               today: Callable[[], dt.date] = clock.today, watch: bool = True,
               poll_seconds: float = POLL_SECONDS, public_url: str | None = None,
               max_body: int = problems.MAX_BODY) -> FastAPI:
    """The portal's ASGI app.

    ``rules``: a ``.rule`` file or a folder (default: the bundled rulebook); ``data``: an
    enterprise table (CSV, xlsx, parquet, jsonl) or None; ``tokens``: a tokens file or a
    mapping token → department (:mod:`.tokens`). ``today``: the clock (China's date);
    ``watch``: reload the rules folder when it changes; ``public_url``: the address people
    reach the portal at, for QR codes (default: the request's own). Raises
    :class:`~.state.LoadFailed` when the rulebook has errors and
    :class:`~.tokens.TokensError` for an unusable tokens file."""
    chosen = Path(rules) if rules is not None else default_rules()
    if chosen is None:
        raise FileNotFoundError("no bundled rulebook in this installation: give rules")
    staff_tokens = Tokens.of(tokens)
    service = Service(chosen, Path(data) if data is not None else None, today=today,
                      poll_seconds=poll_seconds)

    if watch:  # started here, not at startup: a mounted sub-app's lifespan never runs
        service.start()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.stop()

    app = FastAPI(title="policy-match 政策找企业", description=DESCRIPTION,
                  version=service.snapshot.version, lifespan=lifespan)
    app.state.service = service
    app.state.tokens = staff_tokens
    app.state.public_url = public_url
    app.add_middleware(HotCheck, service=service)  # inside the guard: added before it
    problems.install(app, max_body)
    app.include_router(api.router)
    app.include_router(staff_api.router)
    app.include_router(pages_router)
    return app


# Python's default (700, 10, 10) runs a full collection, walking every object the caches
# hold, every hundred young ones: measured, 15% of an explained check's CPU. Collecting the
# young every 50,000 allocations instead cost as little, but each collection then paused a
# worker for 25-60 ms (and the middle one 350 ms), and every request waiting in that worker
# waited that much longer: the p99. Young collections every 3,000 allocations take about a
# millisecond, and the full one never runs on its own (what lives that long is the
# rulebook, its caches and the sample; a reload collects what the previous one left,
# :meth:`~.state.Service.reload`). Measured on 12,000 plain and 4,000 explained checks:
# the same CPU, the longest pause 3-10 ms.
GC_THRESHOLDS = (3_000, 5, 1_000_000)


def tune_collector() -> None:
    """Set up the garbage collector of a process that serves the portal (``policy-match
    serve`` and its workers; a portal embedding :func:`create_app` decides for its own
    process): what is loaded so far (the rulebook, its DAG, the sample) is moved out of the
    collector's sight (``gc.freeze``), and collections run less often."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


SETTINGS_ENV = "POLICY_MATCH_SERVE"  # JSON of create_app's arguments, for worker processes


def app_from_env() -> FastAPI:
    """The app a uvicorn worker process builds (``--workers`` > 1): the arguments travel in
    the ``POLICY_MATCH_SERVE`` environment variable as JSON."""
    import json
    import os

    settings = json.loads(os.environ[SETTINGS_ENV])
    app = create_app(settings["rules"], settings.get("data"), settings.get("tokens"),
                     watch=settings.get("watch", True), public_url=settings.get("public_url"))
    tune_collector()
    return app
