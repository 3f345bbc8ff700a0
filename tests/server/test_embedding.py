"""``create_app`` mounted inside another FastAPI portal: the API answers under the prefix,
and the rules folder is still watched (a mounted app's own lifespan never runs)."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from policy_match.server import create_app
from policy_match.tools.demo import DEMO_DATE, bundled_rules


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

EXTRA = '''
policy "WH-EMBED-1" {
  name: "嵌入测试事项"
  department: "区财政局"
  eligible: 企业规模 in ["小型"]
}
'''


def test_mounted_portal_answers_and_reloads(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(bundled_rules(), rules)  # type: ignore[arg-type]
    portal = FastAPI()
    portal.mount("/zc", create_app(rules, today=lambda: DEMO_DATE, poll_seconds=0.1))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(portal, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}/zc"
        items = httpx.get(f"{base}/api/policies").json()["items"]
        assert items and "WH-EMBED-1" not in {i["id"] for i in items}
        detail = httpx.get(f"{base}/api/policies/{items[0]['id']}").json()
        assert detail["page"] == f"/zc/policies/{items[0]['id']}"
        assert httpx.get(f"http://127.0.0.1:{port}{detail['qr']}").status_code == 200
        assert httpx.post(f"{base}/api/check",
                          json={"record": {"企业规模": "小型"}}).status_code == 200
        (rules / "zz-embed.rule").write_text(EXTRA, encoding="utf-8")
        deadline = time.monotonic() + 15
        while "WH-EMBED-1" not in {i["id"] for i in httpx.get(f"{base}/api/policies")
                                   .json()["items"]}:
            assert time.monotonic() < deadline, "the mounted app did not reload"
            time.sleep(0.1)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
