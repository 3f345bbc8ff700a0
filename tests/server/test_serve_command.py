"""``policy-match serve`` as a person starts it: a real process on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "policy_match.cli", "serve", *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_serve_without_arguments_serves_the_bundled_rules_and_sample() -> None:
    port = _free_port()
    proc = _serve("--port", str(port), "--log-level", "warning")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz").json()
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()[1]
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert health["status"] == "ok" and health["items"] == 36
        assert health["enterprises"] == 2000
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}" in err  # the line saying where it serves


def test_broken_rules_exit_1_with_the_errors(tmp_path: Path) -> None:
    broken = tmp_path / "bad.rule"
    broken.write_text('policy "X" {\n  name: "x"\n  eligible: 没有这个标签 > 1\n}\n',
                      encoding="utf-8")
    proc = _serve(str(broken), "--port", str(_free_port()))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "没有这个标签" in err


def test_unusable_tokens_file_exits_2(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("short 区财政局\n", encoding="utf-8")
    proc = _serve("--tokens", str(tokens), "--port", str(_free_port()), "--lang", "zh")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "令牌文件不可用" in err
    proc = _serve("--tokens", str(tokens), "--port", str(_free_port()), "--lang", "en")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "The tokens file cannot be used" in err
