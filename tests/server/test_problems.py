"""Bad input never gets a 500 or a traceback: every error is RFC 9457 problem JSON with the
words in Chinese and English."""

from __future__ import annotations

import httpx
import pytest

PROBLEM = "application/problem+json"


def _problem(response: httpx.Response, status: int) -> dict:  # type: ignore[type-arg]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["type"] == "about:blank"
    for key in ("title", "detail", "title_en", "detail_en", "instance", "code"):
        assert isinstance(body[key], str) and body[key], key
    assert "Traceback" not in response.text
    return body  # type: ignore[no-any-return]


def test_malformed_json_is_422(client: httpx.Client) -> None:
    for raw in (b"{bad", b"", b"[1, 2]", b'{"record": ', "{\"record\": {\"企业\u0000\"}}".encode()):
        body = _problem(client.post("/api/check", content=raw,
                                    headers={"content-type": "application/json"}), 422)
        assert body["errors"]


def test_body_shape_errors_name_the_field(client: httpx.Client) -> None:
    body = _problem(client.post("/api/check", json={"records": {}}), 422)
    tags = {e["tag"] for e in body["errors"]}
    assert "record" in tags and "records" in tags  # missing, and not a field of the body
    body = _problem(client.post("/api/check", json={"record": [], "explain": "maybe"}), 422)
    assert {e["tag"] for e in body["errors"]} == {"record", "explain"}
    body = _problem(client.post("/api/check", json={"record": {}, "as_of": "2025-13-40"}), 422)
    assert body["errors"][0]["tag"] == "as_of"
    assert body["errors"][0]["reason_zh"] and body["errors"][0]["reason_en"]


def test_unknown_tags_and_bad_values_name_tag_value_and_reason(client: httpx.Client) -> None:
    record = {"营业收人": 100, "企业规模": "巨型", "营业收入": "很多", "成立日期": "2020-02-30",
              "资质": {"a": 1}}
    body = _problem(client.post("/api/check", json={"record": record}), 422)
    errors = {e["tag"]: e for e in body["errors"]}
    assert set(errors) == set(record)
    assert "营业收入" in errors["营业收人"]["reason_zh"]  # the tag it was probably meant as
    assert errors["企业规模"]["value"] == "巨型"
    assert errors["营业收入"]["value"] == "很多"
    for error in errors.values():
        assert error["reason_zh"] and error["reason_en"]
        assert error["reason_zh"] != error["reason_en"]
    assert body["detail"] == "有 5 项数据有误，请逐项核对"


def test_oversized_body_is_413(client: httpx.Client) -> None:
    big = {"record": {"企业名称": "x" * 300_000}}
    _problem(client.post("/api/check", json=big), 413)

    def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b" " * 10_000

    _problem(client.post("/api/check", content=chunks(),
                         headers={"content-type": "application/json"}), 413)


@pytest.mark.parametrize("path", ["/api/policies/NO-SUCH-ITEM", "/no/such/page",
                                  "/api/policies/NO-SUCH-ITEM/qr.svg"])
def test_unknown_ids_and_paths_are_404(client: httpx.Client, path: str) -> None:
    _problem(client.get(path), 404)


def test_wrong_method_is_405(client: httpx.Client) -> None:
    body = _problem(client.get("/api/check"), 405)
    assert "GET" in body["detail"]


def test_bad_query_values_are_422(client: httpx.Client) -> None:
    body = _problem(client.get("/api/policies", params={"industry": "Q99999"}), 422)
    assert body["errors"][0]["tag"] == "industry" and body["errors"][0]["value"] == "Q99999"
    _problem(client.get("/api/policies", params={"q": "x" * 500}), 422)


def test_a_failure_inside_is_a_500_problem_without_a_traceback(live_server) -> None:  # type: ignore[no-untyped-def]
    """A route that raises (added to the running app for this test) gets the catch-all."""
    app = live_server.app

    def boom() -> None:
        raise RuntimeError("secret internals")

    if not any(getattr(r, "path", "") == "/test-only/boom" for r in app.router.routes):
        app.add_api_route("/test-only/boom", boom)
    response = httpx.get(f"{live_server.url}/test-only/boom")
    body = _problem(response, 500)
    assert "secret internals" not in response.text
    assert body["code"] == "server.internal"
