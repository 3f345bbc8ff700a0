"""Throughput and latency of the portal's ``POST /api/check`` under concurrent clients.

    .venv/bin/python -m benchmarks.server [--quick] [--workers N] [--requests N]
                                          [--concurrency C] [--client wrk|python]
                                          [--results FILE]

1. starts ``policy-match serve`` (the bundled rulebook, no enterprise table, no watcher, no
   access log; its workers behind its own acceptor, on asyncio) and, as the peer, a bare
   FastAPI app on uvicorn as uvicorn starts it (shared socket, its default loop) whose one
   endpoint validates a body of the same shape and echoes it — what any FastAPI endpoint
   costs on this machine — each with the same number of worker processes;
2. builds one request body per request from the seeded enterprise generator (the maker of
   the bundled sample): each enterprise as the JSON record a portal form sends, every
   request a different enterprise, so that no cache answers a repeated question;
3. **cross-checks** before timing: for sampled records, every verdict the server returns
   equals ``book.evaluate`` in this process and every current item is answered (exit 1
   otherwise);
4. fires a bounded number of requests from ``C`` concurrent keep-alive connections, for
   each of: the peer's echo, the check without explanations, the check with them; each run
   has a time limit as well. The load comes from ``wrk`` (``--client wrk``, the default:
   Debian's C load generator, one thread, :mod:`benchmarks.wrk_load`), because on a 2-core
   machine the client and the server share the cores and every millisecond the client
   spends is taken from the server and shows in the latencies; ``--client python`` is a
   minimal asyncio HTTP/1.1 client in this process instead;
5. prints requests/s, p50 and p99 latency, ratios against the goals and the peer, and the
   CPU each request cost the server and the client (read from /proc: on a machine shared
   with other work the wall-clock figures fall with the load, the CPU per request much
   less), with the throughput that CPU cost projects on idle cores.

Goals (issue 12, 2 cores): ≥ 1,500 req/s and p99 ≤ 50 ms without explanations; ≥ 300 req/s
with them. ``--quick`` is a few hundred requests: it proves the run works, not the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from benchmarks.wrk_load import run_wrk

ROOT = Path(__file__).resolve().parents[1]
GOAL_RPS, GOAL_P99_MS, GOAL_EXPLAIN_RPS = 1500.0, 50.0, 300.0
RUN_SECONDS = 120.0  # no run goes on longer than this, whatever the count


# ---- the peer: the same stack with nothing behind it ----------------------------------------


class _EchoBody(BaseModel):
    record: dict[str, Any]
    as_of: str | None = None
    explain: bool = False


peer_app = FastAPI()


@peer_app.post("/api/check")
def _echo(body: _EchoBody) -> dict[str, Any]:
    return {"as_of": body.as_of, "results": [{"fields": len(body.record)}]}


@peer_app.get("/healthz")
def _health() -> dict[str, str]:
    return {"status": "ok"}


# ---- servers --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not come up")


def start_ours(rules: Path, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "policy_match.cli", "serve", str(rules), "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-watch"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_ready(port, proc)
    return proc, port


def start_peer(workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks.server:peer_app", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_ready(port, proc)
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---- the load ---------------------------------------------------------------------------------


def request_bytes(body: dict[str, Any]) -> bytes:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    head = (f"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
            f"\r\nContent-Length: {len(data)}\r\n\r\n").encode("ascii")
    return head + data


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines[1:]
                  if line.lower().startswith("content-length:"))
    return status, await reader.readexactly(length)


@dataclass(frozen=True)
class Run:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    failures: int
    server_cpu: float = 0.0  # CPU seconds the server processes spent on the timed requests
    client_cpu: float = 0.0  # CPU seconds the client spent
    quantiles_ms: dict[float, float] | None = None  # wrk's, when it made the load

    @property
    def cpu_ms(self) -> float:
        """Server CPU per request: what the machine's load does not change."""
        return 1000 * self.server_cpu / self.requests if self.requests else float("nan")

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if self.quantiles_ms is not None:
            return self.quantiles_ms[p]
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _client(port: int, bodies: Sequence[bytes], counter: list[int], total: int,
                  deadline: float, latencies: list[float], failures: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while counter[0] < total and time.monotonic() < deadline:
            i = counter[0]
            counter[0] += 1
            start = time.perf_counter()
            writer.write(bodies[i % len(bodies)])
            status, _ = await _read_response(reader)
            latencies.append((time.perf_counter() - start) * 1000)
            if status != 200:
                failures[0] += 1
    finally:
        writer.close()


async def _load(port: int, bodies: Sequence[bytes], total: int, concurrency: int) -> Run:
    latencies: list[float] = []
    failures = [0]
    counter = [0]
    deadline = time.monotonic() + RUN_SECONDS
    start = time.perf_counter()
    await asyncio.gather(*(_client(port, bodies, counter, total, deadline, latencies, failures)
                           for _ in range(concurrency)))
    return Run("", len(latencies), time.perf_counter() - start, latencies, failures[0])


def process_cpu(root: int) -> float:
    """CPU seconds (user + system) of process ``root`` and its children (the workers), read
    from /proc; 0.0 where there is no /proc."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid, ppid = int(entry.parent.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def load(name: str, proc: subprocess.Popen[bytes], port: int, bodies: Sequence[bytes],
         total: int, concurrency: int, client: str = "wrk") -> Run:
    """``2 × concurrency`` requests to warm up (imports, compiled paths), then ``total``
    timed ones on bodies not sent before; with the CPU the server and the client spent.
    ``client``: ``wrk`` (:mod:`benchmarks.wrk_load`) or ``python`` (the asyncio client)."""
    warm = 2 * concurrency
    if client == "wrk":
        run_wrk(port, bodies[:warm], warm, concurrency, RUN_SECONDS)
        server_before = process_cpu(proc.pid)
        made = run_wrk(port, bodies[warm:], total, concurrency, RUN_SECONDS)
        return Run(name, made.requests, made.seconds, [], made.failures,
                   process_cpu(proc.pid) - server_before, made.client_cpu, made.quantiles_ms)
    asyncio.run(_load(port, bodies[:warm], warm, concurrency))
    server_before, client_before = process_cpu(proc.pid), time.process_time()
    run = asyncio.run(_load(port, bodies[warm:], total, concurrency))
    return Run(name, run.requests, run.seconds, run.latencies_ms, run.failures,
               process_cpu(proc.pid) - server_before, time.process_time() - client_before)


# ---- bodies and the cross-check ----------------------------------------------------------------


def form_records(count: int, seed: int = 1) -> list[dict[str, Any]]:
    """``count`` distinct enterprises of the seeded generator (``tools/generate``, the maker
    of the bundled sample), each as the JSON record a portal form sends: its known fields.
    Every request of a run gets its own record, so no cache of any kind can answer twice."""
    from policy_match.tools.generate import generate

    return [{k: v for k, v in row.items() if v is not None} for row in generate(count, seed)]


def cross_check(port: int, rules: Path, records: list[dict[str, Any]], as_of: str) -> int:
    """Every verdict of the server equals ``book.evaluate`` here; the number compared."""
    import datetime as dt

    import httpx

    from policy_match import load as load_book

    book = load_book(rules)
    day = dt.date.fromisoformat(as_of)
    current = {pid for pid, p in book.policies.items() if p.active_on(day)}
    compared = 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        for record in records:
            for explain in (False, True):
                got = client.post("/api/check", json={"record": record, "as_of": as_of,
                                                      "explain": explain})
                if got.status_code != 200:
                    raise SystemExit(f"CROSS-CHECK FAILED: {got.status_code} {got.text[:300]}")
                results = got.json()["results"]
                if {r["policy_id"] for r in results} != current:
                    raise SystemExit("CROSS-CHECK FAILED: not every current item answered")
                for r in results:
                    want = book.evaluate(record, r["policy_id"], day, on_error="missing")
                    if r["verdict"] != want.value:
                        raise SystemExit(f"CROSS-CHECK FAILED: {r['policy_id']}: server "
                                         f"{r['verdict']}, book.evaluate {want.value}")
                    compared += 1
    return compared


def _client_words(client: str) -> str:
    return ("wrk, one thread, a Lua script cycling the bodies" if client == "wrk"
            else "one asyncio process in Python")


def _http_parser() -> str:
    """What uvicorn parses HTTP with here ("auto" takes httptools when it is installed)."""
    import importlib.util

    return "httptools" if importlib.util.find_spec("httptools") else "h11 (pure Python)"


# ---- report -------------------------------------------------------------------------------------


def table(runs: list[Run], peer: Run) -> list[str]:
    lines = ["| run | requests | req/s | p50 ms | p99 ms | failures | req/s vs peer "
             "| server CPU ms/request | client CPU ms/request |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        lines.append(f"| {r.name} | {r.requests:,} | {r.rps:,.0f} | {r.percentile(50):.1f} | "
                     f"{r.percentile(99):.1f} | {r.failures} | {r.rps / peer.rps:.2f} | "
                     f"{r.cpu_ms:.2f} | {1000 * r.client_cpu / max(r.requests, 1):.2f} |")
    return lines


def machine_load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.1f} (1 min), {five:.1f} (5 min)"


def capacity(run: Run) -> float:
    """Requests/s the machine's cores could serve if nothing else ran: the cores divided by
    the CPU one request costs, server and client together (a projection from measured CPU,
    not a measurement of throughput)."""
    cost = run.server_cpu + run.client_cpu
    return (os.cpu_count() or 1) * run.requests / cost if cost else float("nan")


def verdict_lines(plain: Run, explained: Run) -> list[str]:
    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    return [
        f"- without explanations: {plain.rps:,.0f} req/s (goal ≥ {GOAL_RPS:,.0f}: "
        f"{mark(plain.rps >= GOAL_RPS)}, {plain.rps / GOAL_RPS:.2f}× the goal), p99 "
        f"{plain.percentile(99):.1f} ms (goal ≤ {GOAL_P99_MS:.0f}: "
        f"{mark(plain.percentile(99) <= GOAL_P99_MS)}); projected on idle cores from the "
        f"CPU per request: {capacity(plain):,.0f} req/s",
        f"- with explanations: {explained.rps:,.0f} req/s (goal ≥ {GOAL_EXPLAIN_RPS:,.0f}: "
        f"{mark(explained.rps >= GOAL_EXPLAIN_RPS)}, "
        f"{explained.rps / GOAL_EXPLAIN_RPS:.2f}× the goal); projected on idle cores from "
        f"the CPU per request: {capacity(explained):,.0f} req/s",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few hundred requests")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of each server")
    parser.add_argument("--requests", type=int, default=None,
                        help="requests per run without explanations (default 20,000)")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk",
                        help="the load generator: wrk (C, little CPU; the default) or the "
                             "asyncio client of this module")
    parser.add_argument("--as-of", default="2025-06-30", help="evaluation date of the bodies")
    parser.add_argument("--results", type=Path, default=None, help="write the table here")
    args = parser.parse_args(argv)

    from policy_match.tools.demo import bundled_rules

    rules = bundled_rules()
    if rules is None:
        raise SystemExit("the bundled rulebook is needed (a source checkout)")
    total = args.requests or (400 if args.quick else 20_000)
    explained_total = max(total // 5, 100)
    warm = 2 * args.concurrency
    records = form_records(total + explained_total + 2 * warm)
    plain = [request_bytes({"record": r, "as_of": args.as_of}) for r in records[:total + warm]]
    explained = [request_bytes({"record": r, "as_of": args.as_of, "explain": True})
                 for r in records[total + warm:]]

    peer_proc, peer_port = start_peer(args.workers)
    try:
        peer = load("bare FastAPI echo (peer)", peer_proc, peer_port, plain, total,
                    args.concurrency, args.client)
    finally:
        stop(peer_proc)
    ours_proc, port = start_ours(rules, args.workers)
    try:
        compared = cross_check(port, rules, records[: 5 if args.quick else 40], args.as_of)
        print(f"CROSS-CHECK PASSED: {compared:,} verdicts equal book.evaluate")
        runs = [load("POST /api/check", ours_proc, port, plain, total, args.concurrency,
                     args.client),
                load("POST /api/check explain=true", ours_proc, port, explained,
                     explained_total, args.concurrency, args.client)]
    finally:
        stop(ours_proc)

    lines = [f"# Portal benchmark: POST /api/check, {args.concurrency} concurrent clients",
             "",
             f"{os.cpu_count()} cores shared by the server ({args.workers} worker "
             f"process(es): ours behind its acceptor on asyncio, the peer's on uvicorn's "
             f"shared socket) and the client ({_client_words(args.client)}, HTTP/1.1 keep-alive); "
             f"every request a distinct generated enterprise ({len(records):,} in all), as of "
             f"{args.as_of}; HTTP parser: {_http_parser()}.",
             f"Load average of the machine at the end: {machine_load()} on {os.cpu_count()} "
             "cores: other work on the machine takes CPU from both; the CPU per request "
             "changes much less with it (it still rises: caches and cores are shared).",
             "", *table([peer, *runs], peer), "", *verdict_lines(runs[0], runs[1])]
    print("\n".join(lines))
    if args.results is not None:
        args.results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    failures = sum(r.failures for r in (peer, *runs))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
