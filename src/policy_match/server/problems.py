"""Every error the portal answers is RFC 9457 problem details (``application/problem+json``),
in Chinese and English, and no request ever gets a traceback:

- :class:`~.errors.ServiceError` (404 unknown id, 401/403 tokens, 422 bad values),
- FastAPI's validation errors (malformed JSON, a wrong field, a bad query value) → 422,
- routing errors (404 unknown path, 405 wrong method),
- a body over the size limit → 413 (:class:`GuardMiddleware`, before the body is read whole),
- anything else → 500 with a reference that is in the log next to the traceback.

``title``/``detail`` are Chinese (the portal's people read Chinese), ``title_en``/``detail_en``
English; ``code`` is the catalogue key, stable for programs; ``errors`` lists each bad value
with its tag, the value as given, and the reason in both languages.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from policy_match.base.messages import text
from policy_match.server.errors import BadInput, ServiceError

__all__ = ["MAX_BODY", "PROBLEM_TYPE", "GuardMiddleware", "install", "problem"]

log = logging.getLogger("policy_match.server")

PROBLEM_TYPE = "application/problem+json"
MAX_BODY = 256 * 1024  # bytes: a whole record is a few KiB
_KNOWN_STATUS = (400, 401, 403, 404, 405, 413, 415, 422, 500, 503)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _title(status: int, lang: str) -> str:
    shown = status if status in _KNOWN_STATUS else (500 if status >= 500 else 400)
    return text(f"server.title.{shown}", lang)


def problem_body(status: int, key: str, fields: dict[str, Any], instance: str,
                 errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank", "title": _title(status, "zh"), "status": status,
        "detail": text(key, "zh", **fields), "instance": instance,
        "title_en": _title(status, "en"), "detail_en": text(key, "en", **fields), "code": key,
    }
    if errors:
        body["errors"] = errors
    return body


def problem(status: int, key: str, instance: str, errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None, **fields: Any) -> JSONResponse:
    return JSONResponse(problem_body(status, key, fields, instance, errors), status_code=status,
                        media_type=PROBLEM_TYPE, headers=headers)


async def _service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    errors = [p.as_json() for p in exc.problems] if isinstance(exc, BadInput) else None
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem(exc.status, exc.key, request.url.path, errors, headers, **exc.fields)


def _location(loc: tuple[Any, ...]) -> str:
    """``("body", "record", "营业收入")`` → ``record.营业收入``."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _validation_item(error: dict[str, Any]) -> dict[str, str]:
    value = error.get("input")
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                            default=str)[:200]
    if error.get("type") == "json_invalid":
        ctx = error.get("ctx") or {}
        reason = str(ctx.get("error", "invalid JSON"))
        return {"tag": "body", "value": "", "reason_zh": f"JSON 格式错误：{reason}",
                "reason_en": f"invalid JSON: {reason}"}
    message = str(error.get("msg", ""))
    return {"tag": _location(tuple(error.get("loc", ()))), "value": shown,
            "reason_zh": _pydantic_zh(str(error.get("type", "")), message),
            "reason_en": message}


_PYDANTIC_ZH = {
    "missing": "缺少这一项", "extra_forbidden": "不认识这一项", "date_from_datetime_parsing":
    "应为日期（YYYY-MM-DD）", "date_parsing": "应为日期（YYYY-MM-DD）", "date_type":
    "应为日期（YYYY-MM-DD）", "bool_parsing": "应为 true 或 false", "bool_type":
    "应为 true 或 false", "dict_type": "应为 JSON 对象 {\"字段\": 值}", "int_parsing": "应为整数",
    "int_type": "应为整数", "greater_than_equal": "数值过小", "less_than_equal": "数值过大",
    "literal_error": "不是可选的值之一", "string_type": "应为文字", "model_attributes_type":
    "应为 JSON 对象", "too_long": "内容过多", "string_too_long": "文字过长",
}


def _pydantic_zh(kind: str, message: str) -> str:
    return _PYDANTIC_ZH.get(kind, f"格式不符：{message}")


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    items = [_validation_item(e) for e in exc.errors()]
    return problem(422, "server.bad_values", request.url.path, items, n=len(items))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    path = request.url.path
    if exc.status_code == 404:
        return problem(404, "server.not_found", path, path=path)
    if exc.status_code == 405:
        return problem(405, "server.method", path, path=path, method=request.method)
    return problem(exc.status_code, f"server.title.{_shown(exc.status_code)}", path)


def _shown(status: int) -> int:
    return status if status in _KNOWN_STATUS else 400


def install(app: FastAPI, max_body: int = MAX_BODY) -> None:
    """Register the handlers and the guard on ``app``."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(GuardMiddleware, max_body=max_body)


class GuardMiddleware:
    """The outermost layer: refuses bodies over ``max_body`` bytes with 413 (by the
    Content-Length header, and by counting what arrives when there is none), and turns any
    exception that escapes the app into a logged 500 problem instead of a traceback."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await _send(send, problem(413, "server.too_large", path, limit=self.max_body))
            return
        started = False
        seen = 0
        over = False

        async def counted_receive() -> Message:
            # past the limit the body is cut short: the app answers whatever it answers
            # about a truncated body, and watched_send puts the 413 in its place
            nonlocal seen, over
            if over:
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    over = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if over:
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _send(send, problem(413, "server.too_large", path,
                                              limit=self.max_body))
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except Exception:
            ref = uuid.uuid4().hex[:12]
            log.exception("request %s %s failed (ref %s)", scope.get("method"), path, ref)
            if not started:
                await _send(send, problem(500, "server.internal", path, ref=ref))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send(send: Send, response: JSONResponse) -> None:
    await send({"type": "http.response.start", "status": response.status_code,
                "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})
