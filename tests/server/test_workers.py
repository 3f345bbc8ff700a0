"""``policy-match serve --workers N`` (``server/workers.py``): one acceptor hands every
connection to the worker holding the fewest, a dead worker is replaced, and stopping the
server stops every worker. A real process tree on a free port, real connections."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BODY = json.dumps({"record": {"企业规模": "小型"}, "as_of": "2025-06-30"},
                  ensure_ascii=False).encode("utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _connections_by_process(port: int, pids: set[int]) -> dict[int, int]:
    """Established TCP connections on ``port`` (the server's side) held by each pid."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    held = {}
    for pid in pids:
        count = 0
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                count += 1
        held[pid] = count
    return held


def _wait_healthy(port: int, proc: subprocess.Popen[str], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the server did not come up"
        time.sleep(0.2)


def _start(*extra: str) -> tuple[subprocess.Popen[str], int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "policy_match.cli", "serve", "--port", str(port), "--workers",
         "2", "--log-level", "warning", "--no-watch", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, port


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], int]]:
    proc, port = _start()
    try:
        _wait_healthy(port, proc)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def _check(client: httpx.Client, port: int) -> dict[str, object]:
    answer = client.post(f"http://127.0.0.1:{port}/api/check", content=BODY,
                         headers={"content-type": "application/json"})
    assert answer.status_code == 200
    result: dict[str, object] = answer.json()
    return result


def test_connections_are_split_evenly_between_the_workers(
        served: tuple[subprocess.Popen[str], int]) -> None:
    proc, port = served
    workers = _children(proc.pid)
    assert len(workers) >= 2
    clients = [httpx.Client(timeout=30) for _ in range(16)]  # one connection each
    try:
        answers = [_check(c, port) for c in clients]
        assert all(a == answers[0] for a in answers)
        held = _connections_by_process(port, workers)
        assert sorted(c for c in held.values() if c) == [8, 8], held
        # the connections alternated: every other one is the same worker's. Closing six
        # of one worker's leaves 2 and 8; the next four all go to the emptier (round
        # robin would give 4 and 10)
        for c in clients[0:12:2]:
            c.close()
        time.sleep(0.5)
        fresh = [httpx.Client(timeout=30) for _ in range(4)]
        for c in fresh:
            _check(c, port)
        clients += fresh
        held = _connections_by_process(port, workers)
        assert sorted(c for c in held.values() if c) == [6, 8], held
    finally:
        for c in clients:
            c.close()


def test_a_worker_that_dies_is_replaced(served: tuple[subprocess.Popen[str], int]) -> None:
    proc, port = served
    before = {p for p in _children(proc.pid) if _is_worker(p)}
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while True:
        now = {p for p in _children(proc.pid) if _is_worker(p)}
        if victim not in now and len(now) == len(before):
            break
        assert time.monotonic() < deadline, f"no worker replaced {victim}: {now}"
        time.sleep(0.2)
    for _ in range(6):  # every new connection is answered, whichever worker takes it
        with httpx.Client(timeout=30) as client:
            assert _check(client, port)["results"]


def test_stopping_the_server_stops_every_worker(
        served: tuple[subprocess.Popen[str], int]) -> None:
    proc, _ = served
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode == 0
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{p}").exists() and not _is_zombie(p) for p in workers):
        assert time.monotonic() < deadline, "a worker outlived the server"
        time.sleep(0.1)


def _is_worker(pid: int) -> bool:
    """A worker, not multiprocessing's resource tracker (a child too)."""
    try:
        return "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return False


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_uvloop_workers_answer_too() -> None:
    proc, port = _start("--loop", "uvloop")
    try:
        _wait_healthy(port, proc)
        with httpx.Client(timeout=30) as client:
            answers = [_check(client, port) for _ in range(3)]
        assert answers[0]["results"] and answers[0] == answers[2]
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert proc.returncode == 0


class _NoProcess:
    """Stands for a worker's process in the parent's bookkeeping (nothing is started)."""

    pid = None


def test_a_worker_behind_is_skipped_and_one_gone_is_told_apart() -> None:
    from policy_match.server.workers import BUSY, GONE, HANDED, _Worker

    kept: list[socket.socket] = []  # the worker's end, held open and never read

    def start(theirs: socket.socket) -> _NoProcess:
        kept.append(socket.socket(fileno=os.dup(theirs.fileno())))
        return _NoProcess()

    worker = _Worker(0, start)  # type: ignore[arg-type]
    worker.channel.setblocking(False)
    with socket.socket() as conn:
        handed = 0
        while (outcome := worker.hand(conn)) == HANDED:  # nobody reads: it fills up
            handed += 1
            assert handed < 1_000_000
        assert outcome == BUSY and handed > 0 and worker.open == handed
    kept[0].close()  # the worker is gone
    with socket.socket() as conn:
        assert worker.hand(conn) == GONE
    worker.channel.close()


def test_every_kind_of_answer_arrives_whole_on_one_connection(
        served: tuple[subprocess.Popen[str], int]) -> None:
    """The workers write each response's head with its body (server/onewrite.py): answers
    with a body, a HEAD answer without one, an error and a page, one after another on one
    kept-alive connection, each whole and in order."""
    _, port = served
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=30) as client:
        first = _check(client, port)
        head = client.head("/healthz")
        bad = client.post("/api/check", content=b"{not json",
                          headers={"content-type": "application/json"})
        page = client.get("/")
        listed = client.get("/api/policies")
        again = _check(client, port)
    assert first == again and first["results"]
    assert head.status_code in (200, 405) and head.content == b""
    assert bad.status_code == 422 and bad.json()["status"] == 422
    assert page.status_code == 200 and "政策找企业" in page.text
    assert len(page.content) == int(page.headers["content-length"])
    assert listed.status_code == 200 and isinstance(listed.json(), list | dict)
