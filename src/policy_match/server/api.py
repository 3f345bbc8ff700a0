"""The public JSON API: current items, one item, its QR code, the tag schema, the record
check and the health check. No enterprise data leave through it: the check answers about
the record it was sent and stores nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from policy_match.apps.publishing.qr import qr_svg
from policy_match.server import queries
from policy_match.server.checking import check_json
from policy_match.server.current import current_policies
from policy_match.server.models import (
    CheckRequest,
    CheckResponse,
    Health,
    ItemDetail,
    ItemSummary,
    TagInfo,
)
from policy_match.server.web import model_response, service_of, today_of

__all__ = ["PolicyList", "TagList", "router"]

router = APIRouter(tags=["public"])


class PolicyList(BaseModel):
    """The current items (after the filters asked for)."""

    as_of: dt.date
    version: str
    count: int
    items: list[ItemSummary]


class TagList(BaseModel):
    version: str
    tags: list[TagInfo]


@router.get("/api/policies", response_model=PolicyList,
            summary="Current items (政策找企业 column)")
def list_policies(
    request: Request,
    department: Annotated[str | None, Query(max_length=200, description="执行部门")] = None,
    category: Annotated[str | None, Query(max_length=200, description="政策分类")] = None,
    q: Annotated[str | None, Query(max_length=200, description="text search")] = None,
    industry: Annotated[str | None, Query(max_length=40,
                                          description="GB/T 4754 code: items whose "
                                                      "conditions can hold for it")] = None,
) -> Response:
    snapshot = service_of(request).snapshot
    today = today_of(request)
    items = queries.current_items(snapshot, today, department=department, category=category,
                                  q=q, industry=industry)
    return model_response(PolicyList(as_of=today, version=snapshot.version, count=len(items),
                                     items=items))


@router.get("/api/policies/{policy_id}", response_model=ItemDetail,
            summary="One current item, conditions in statutory wording")
def get_policy(request: Request, policy_id: str) -> Response:
    snapshot = service_of(request).snapshot
    detail = queries.item_detail(snapshot, policy_id, today_of(request))
    root = request.scope.get("root_path", "").rstrip("/")  # where the portal is mounted
    if root:
        detail = detail.model_copy(update={"page": root + detail.page, "qr": root + detail.qr})
    return model_response(detail)


@router.get("/api/policies/{policy_id}/qr.svg", summary="QR code of the item's page",
            response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})
def get_qr(request: Request, policy_id: str) -> Response:
    service = service_of(request)
    snapshot = service.snapshot
    queries.item_detail(snapshot, policy_id, today_of(request))  # 404 unless current
    public = request.app.state.public_url
    base = public or str(request.base_url)
    url = f"{base.rstrip('/')}/policies/{policy_id}"
    # kept only for the configured address: the request's own comes from its Host header,
    # and a cache keyed by what a client sends would grow without end
    svg = snapshot.cached(("qr", url), lambda: qr_svg(url)) if public else qr_svg(url)
    return Response(svg, media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/api/tags", response_model=TagList, summary="The tag schema, for a form")
def get_tags(request: Request) -> Response:
    snapshot = service_of(request).snapshot
    return model_response(TagList(version=snapshot.version,
                                  tags=queries.tag_schema(snapshot, today_of(request))))


_CHECK_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": CheckRequest.model_json_schema(ref_template="#/components/schemas/{model}")}}}}


@router.post("/api/check", response_model=CheckResponse, openapi_extra=_CHECK_BODY,
             summary="One record against every current item (nothing is stored)")
async def check(request: Request) -> Response:
    # the body is read and validated by pydantic in one step (no FastAPI body machinery,
    # no thread hop): this is the endpoint portals call most; the work is CPU only
    try:
        body = CheckRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(_in_body(exc.errors())) from None
    service = service_of(request)
    as_of = body.as_of or service.today()
    return Response(check_json(service.snapshot, body.record, as_of, body.explain, body.gap),
                    media_type="application/json")


def _in_body(errors: list[Any]) -> list[dict[str, Any]]:
    """Pydantic's errors located as FastAPI locates body errors (``("body", ...)``)."""
    return [{**e, "loc": ("body", *e.get("loc", ()))} for e in errors]


@router.get("/healthz", response_model=Health, summary="Health, rulebook version, load time")
def healthz(request: Request) -> Response:
    service = service_of(request)
    snapshot = service.snapshot
    today = service.today()
    errors = [{"code": d.code.value, "message_zh": d.text("zh"), "message_en": d.text("en"),
               "path": _shown_path(d.span.path, service.rules), "line": d.span.line,
               "column": d.span.column} for d in snapshot.errors]
    return model_response(Health(
        status="ok" if snapshot.healthy else "degraded", version=snapshot.version,
        loaded_at=snapshot.loaded_at, items=len(snapshot.book.policies),
        current_items=len(current_policies(snapshot, today)), today=today,
        enterprises=None if snapshot.table is None else len(snapshot.table), errors=errors))


def _shown_path(path: str, rules: Path) -> str:
    """A rule file as the public sees it: inside the rules folder, not the server's disk."""
    root = rules if rules.is_dir() else rules.parent
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except (ValueError, OSError):
        return Path(path).name
