"""``POST /api/check`` below FastAPI (``server/hotcheck.py``): the same bytes as the route
for every well-formed check, and everything else handed on to the route unchanged."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from fastapi import FastAPI

from policy_match.server.app import create_app
from policy_match.server.hotcheck import HotCheck, route_path
from policy_match.tools.generate import generate

Message = dict[str, Any]


def _call(app: Any, body: bytes, path: str = "/api/check", root_path: str = "",
          parts: list[Message] | None = None) -> tuple[int, bytes, list[Message]]:
    """One request through ``app`` in process: (status, body, what was sent)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": root_path, "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 80), "state": {},
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")]}
    incoming = list(parts) if parts is not None else [
        {"type": "http.request", "body": body, "more_body": False}]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next((m["status"] for m in sent if m["type"] == "http.response.start"), 0)
    return status, b"".join(m.get("body", b"") for m in sent
                            if m["type"] == "http.response.body"), sent


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(watch=False)


@pytest.fixture(scope="module")
def route() -> FastAPI:
    """The same app without the fast path: the route answers every check."""
    plain = create_app(watch=False)
    plain.user_middleware = [m for m in plain.user_middleware if m.cls is not HotCheck]
    return plain


def _bodies(count: int) -> list[bytes]:
    records = [{k: v for k, v in row.items() if v is not None} for row in generate(count, 7)]
    bodies = [json.dumps({"record": r, "as_of": "2025-06-30"}, ensure_ascii=False).encode()
              for r in records]
    bodies += [json.dumps({"record": r, "as_of": "2025-06-30", "gap": True},
                          ensure_ascii=False).encode() for r in records[:5]]
    return bodies


def test_the_fast_answer_is_the_routes_byte_for_byte(app: FastAPI, route: FastAPI) -> None:
    compared = 0
    for body in _bodies(40):
        fast_status, fast, fast_sent = _call(app, body)
        route_status, routed, route_sent = _call(route, body)
        assert fast_status == route_status == 200
        assert fast == routed
        assert fast_sent[0]["headers"] == route_sent[0]["headers"]
        compared += 1
    assert compared == 45


@pytest.mark.parametrize("text", ['{not json', '{"record": {"no such tag": 1}}',
                                  '{"record": {"营业收入": "a lot"}}', '{"record": 1}',
                                  '{"record": {}, "extra": true}'])
def test_a_bad_check_gets_the_routes_problem(app: FastAPI, route: FastAPI, text: str) -> None:
    body = text.encode("utf-8")
    status, answer, sent = _call(app, body)
    route_status, route_answer, _ = _call(route, body)
    assert status == route_status == 422
    problem = json.loads(answer)
    assert problem == json.loads(route_answer)
    assert problem["status"] == 422 and problem["detail"] and problem["detail_en"]
    assert (b"content-type", b"application/problem+json") in sent[0]["headers"]


def test_a_body_in_parts_is_read_whole(app: FastAPI, route: FastAPI) -> None:
    body = _bodies(1)[0]
    half = len(body) // 2
    parts = [{"type": "http.request", "body": body[:half], "more_body": True},
             {"type": "http.request", "body": body[half:], "more_body": False}]
    status, answer, _ = _call(app, b"", parts=parts)
    assert status == 200
    assert answer == _call(route, body)[1]


def test_a_client_gone_mid_body_gets_no_answer_and_no_error(app: FastAPI) -> None:
    parts = [{"type": "http.request", "body": b'{"record": {', "more_body": True},
             {"type": "http.disconnect"}]
    status, _, sent = _call(app, b"", parts=parts)
    assert status == 0 and sent == []  # the client is gone: nothing is sent, nothing fails


def test_other_paths_and_methods_are_not_taken(app: FastAPI) -> None:
    status, answer, _ = _call(app, b"", path="/api/check/extra")
    assert status == 404 and json.loads(answer)["code"] == "server.not_found"


def test_the_path_is_read_inside_a_mount() -> None:
    assert route_path({"path": "/zc/api/check", "root_path": "/zc"}) == "/api/check"
    assert route_path({"path": "/api/check", "root_path": ""}) == "/api/check"
    assert route_path({"path": "/zc", "root_path": "/zc"}) == "/"
    mounted = FastAPI()
    mounted.mount("/zc", create_app(watch=False))
    body = _bodies(1)[0]
    status, answer, _ = _call(mounted, body, path="/zc/api/check")
    assert status == 200 and json.loads(answer)["results"]
