"""What every route shares: the service of the app, today's date by its clock, a model as a
JSON response (serialized by pydantic's core in one step, no second validation), and the
staff department of a request."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from policy_match.server.staff import bearer_token, require_department
from policy_match.server.state import Service

__all__ = ["department_of", "model_response", "service_of", "today_of"]


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def today_of(request: Request) -> dt.date:
    """Today in China by the service's clock (injectable for tests)."""
    return service_of(request).today()


def department_of(request: Request) -> str:
    """The department of the request's bearer token: 401 without one or for a wrong one."""
    token = bearer_token(request.headers.get("authorization"))
    return require_department(request.app.state.tokens, token)


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status_code,
                    media_type="application/json")
