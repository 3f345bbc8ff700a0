"""The staff JSON API: enterprise data of the loaded table, behind a bearer token per
department (``--tokens``). No token or a wrong one → 401; another department's item → 403."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPBearer

from policy_match.server import staff
from policy_match.server.models import EnterpriseMatches, PolicyEnterprises
from policy_match.server.web import department_of, model_response, service_of, today_of

__all__ = ["router"]

# declared for the OpenAPI page ("Authorize" button); the check itself is department_of
_bearer = HTTPBearer(auto_error=False, description="the department's token from --tokens")
router = APIRouter(tags=["staff"], dependencies=[Depends(_bearer)])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Literal["json", "xlsx"]


@router.get("/api/enterprises/{enterprise_id}/matches", response_model=EnterpriseMatches,
            summary="Every item of the token's department for one enterprise")
def enterprise_matches(request: Request, enterprise_id: str) -> Response:
    department = department_of(request)
    snapshot = service_of(request).snapshot
    return model_response(staff.enterprise_matches(snapshot, enterprise_id, today_of(request),
                                                   department))


@router.get("/api/policies/{policy_id}/enterprises", response_model=PolicyEnterprises,
            summary="The enterprises of one item, a page at a time")
def policy_enterprises(
    request: Request, policy_id: str,
    verdict: Annotated[Literal["eligible", "unknown"], Query()] = "eligible",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    department = department_of(request)
    snapshot = service_of(request).snapshot
    today = today_of(request)
    staff.staff_policy(snapshot, department, policy_id, today)
    return model_response(staff.policy_enterprises(snapshot, policy_id, verdict, offset, limit,
                                                   today))


def _cell(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


@router.get("/api/policies/{policy_id}/roster", summary="The 免申即享 roster of one item",
            responses={200: {"content": {"application/json": {}, XLSX: {}}}})
def roster(request: Request, policy_id: str,
           format: Annotated[Format, Query()] = "json") -> Response:
    department = department_of(request)
    snapshot = service_of(request).snapshot
    today = today_of(request)
    staff.staff_policy(snapshot, department, policy_id, today)
    found = staff.roster_for(snapshot, policy_id, today)
    if format == "xlsx":
        return _xlsx(found.to_xlsx, f"roster-{policy_id}.xlsx")
    body = {
        "policy_id": policy_id, "as_of": today.isoformat(), "version": snapshot.version,
        "total": str(found.total()), "headers": found.headers(),
        "rows": [[_cell(c) for c in row] for row in found.rows()],
        "to_verify_headers": found.verify_headers(),
        "to_verify": [[_cell(c) for c in row] for row in found.verify_rows()],
    }
    return _json(body)


@router.get("/api/policies/{policy_id}/outbox", summary="The push messages of one item",
            responses={200: {"content": {"application/json": {}, XLSX: {}}}})
def outbox(request: Request, policy_id: str,
           format: Annotated[Format, Query()] = "json") -> Response:
    department = department_of(request)
    snapshot = service_of(request).snapshot
    today = today_of(request)
    staff.staff_policy(snapshot, department, policy_id, today)
    messages = staff.outbox(snapshot, policy_id, today)
    if format == "xlsx":
        return _xlsx(lambda path: _write_outbox(messages, path), f"outbox-{policy_id}.xlsx")
    return _json({"policy_id": policy_id, "as_of": today.isoformat(),
                  "version": snapshot.version, "count": len(messages), "messages": messages})


def _write_outbox(messages: list[dict[str, Any]], path: Path) -> int:
    from policy_match.apps.push.exporting import FIELDS
    from policy_match.data.io import workbook

    def cell(value: Any) -> Any:
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        if isinstance(value, bool):
            return "是" if value else "否"
        return value

    rows = ([cell(m.get(k)) for k in FIELDS] for m in messages)
    return workbook.write_workbook(path, [workbook.Sheet("推送消息", FIELDS, rows)])[0]


def _json(body: dict[str, Any]) -> Response:
    import json

    return Response(json.dumps(body, ensure_ascii=False, default=str),
                    media_type="application/json")


def _xlsx(write: Any, filename: str) -> Response:
    with tempfile.TemporaryDirectory(prefix="policy-match-xlsx-") as folder:
        path = Path(folder) / "out.xlsx"
        write(path)
        data = path.read_bytes()
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"{filename}\""})
