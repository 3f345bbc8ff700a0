"""``POST /api/check`` answered below FastAPI: the endpoint portals call most.

Measured on the bundled rulebook, FastAPI's and Starlette's layers (routing, the request
object, the exception middleware, the response object) cost about a third of a millisecond
per check, a third of the check itself. This ASGI layer, inside the size guard, answers a
well-formed check directly with the same function and the same bytes as the route in
:mod:`.api`; anything else (a body that does not validate, a bad value, an unknown tag) is
handed on to FastAPI with the body it read, so every error is still rendered once, by the
route and :mod:`.problems`. The route stays the reference and what ``/docs`` describes;
``tests/server/test_hotcheck.py`` holds the two answers equal.
"""

from __future__ import annotations

from pydantic import ValidationError

from policy_match.server.checking import check_json
from policy_match.server.errors import ServiceError
from policy_match.server.models import CheckRequest
from policy_match.server.problems import ASGIApp, Message, Receive, Scope, Send
from policy_match.server.state import Service

__all__ = ["CHECK_PATH", "HotCheck", "route_path"]

CHECK_PATH = "/api/check"
_JSON = b"application/json"


def route_path(scope: Scope) -> str:
    """The request's path inside the app (a portal may mount it under a prefix: Starlette
    keeps the whole path in ``path`` and the prefix in ``root_path``)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root):] or "/"
    return path


class HotCheck:
    """Answers ``POST /api/check`` when the body is a valid check; hands on everything else."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope.get("method") != "POST"
                or route_path(scope) != CHECK_PATH):
            await self.app(scope, receive, send)
            return
        body, whole = await _read_body(receive)
        if not whole:  # the client left before its body was sent: no one to answer
            return
        answer = self._answer(body)
        if answer is None:
            await self.app(scope, _replay(body), send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(answer)).encode("ascii")),
            (b"content-type", _JSON)]})
        await send({"type": "http.response.body", "body": answer})

    def _answer(self, body: bytes) -> bytes | None:
        """The check's JSON, or None when the route must answer (it renders the error)."""
        try:
            request = CheckRequest.model_validate_json(body)
            service = self.service
            as_of = request.as_of or service.today()
            return check_json(service.snapshot, request.record, as_of, request.explain,
                              request.gap)
        except (ValidationError, ServiceError):
            return None


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The body, and whether it arrived whole (not cut short by a disconnect)."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), False
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts), True


def _replay(body: bytes) -> Receive:
    """A ``receive`` that gives the body already read, then says the client left (as the
    connection would once the answer is sent)."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else {"type": "http.disconnect"}

    return replayed
