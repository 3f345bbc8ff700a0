"""The portal benchmark's load from ``wrk`` (Debian's ``wrk``, a C load generator).

On a 2-core machine the load generator shares the cores with the server it measures. The
asyncio client of :mod:`benchmarks.server` costs about a tenth of a millisecond of CPU per
request, and while it runs one worker waits for a core: that wait is in every latency it
measures. ``wrk`` costs a fraction of that. It is driven by a Lua script written here: each
request takes the next body of a file (every request a different enterprise, as before),
and the run stops after a bounded number of responses, counting those that were not 200.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

QUANTILES = (50.0, 90.0, 99.0, 99.9)

# One thread (a second one would take CPU from the server); the bodies from a Lua file of
# long-bracket strings; ``response`` counts answers and at the bound stops the thread and
# interrupts wrk (its main thread sleeps out the duration otherwise; SIGINT ends the sleep,
# as Ctrl-C does; the 20 ms before it are in the run's seconds). wrk counts an answer that
# is not 2xx or 3xx as a status error.
_SCRIPT = r"""
dofile(os.getenv("PM_BODIES"))
local n, sent, answered = #bodies, 0, 0
local limit = tonumber(os.getenv("PM_LIMIT"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  sent = sent + 1
  return wrk.format(nil, "/api/check", nil, bodies[((sent - 1) % n) + 1])
end
response = function(status, headers, body)
  answered = answered + 1
  if answered == limit then
    wrk.thread:stop()
    -- the shell's parent is wrk; it signals once this thread has ended (os.execute would
    -- wait for it, with SIGINT ignored meanwhile)
    io.popen("sleep 0.02; kill -INT $PPID")
  end
end
done = function(summary, latency, requests)
  local q = {}
  for _, p in ipairs({@QUANTILES@}) do
    q[#q + 1] = string.format('"%s": %.3f', p, latency:percentile(p) / 1000)
  end
  io.write(string.format(
    'PM_RESULT {"requests": %d, "seconds": %.6f, "errors": %d, "quantiles": {%s}}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout,
    table.concat(q, ", ")))
end
"""


@dataclass(frozen=True)
class WrkRun:
    requests: int
    seconds: float
    failures: int
    quantiles_ms: dict[float, float]
    client_cpu: float


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _bodies_file(bodies: Sequence[bytes], folder: Path) -> Path:
    """The JSON bodies (without their HTTP head) as a Lua table of long-bracket strings."""
    path = folder / "bodies.lua"
    with path.open("wb") as out:
        out.write(b"bodies = {\n")
        for request in bodies:
            body = request.split(b"\r\n\r\n", 1)[1]
            if b"]==]" in body:
                raise ValueError("a body holds the Lua string's closing bracket")
            out.write(b"[==[" + body + b"]==],\n")
        out.write(b"}\n")
    return path


def run_wrk(port: int, bodies: Sequence[bytes], total: int, concurrency: int,
            time_limit: float) -> WrkRun:
    """``total`` requests (at most ``time_limit`` seconds) from ``concurrency`` keep-alive
    connections of one wrk thread, each a body of ``bodies`` in turn (full HTTP requests as
    :func:`benchmarks.server.request_bytes` makes them; wrk writes its own head)."""
    wrk = wrk_path()
    if wrk is None:
        raise SystemExit("wrk is needed (Debian: apt-get install wrk; scripts/setup.sh does)")
    script = _SCRIPT.replace("@QUANTILES@", ", ".join(str(q) for q in QUANTILES))
    with tempfile.TemporaryDirectory(prefix="pm-wrk-") as tmp:
        folder = Path(tmp)
        (folder / "check.lua").write_text(script, encoding="utf-8")
        env = {**os.environ, "PM_BODIES": str(_bodies_file(bodies, folder)),
               "PM_LIMIT": str(total)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(
            [wrk, "-t1", f"-c{concurrency}", f"-d{max(1, round(time_limit))}s",
             "--timeout", "30s", "-s", str(folder / "check.lua"),
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, env=env, timeout=time_limit + 60, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = re.search(r"^PM_RESULT (\{.*\})$", proc.stdout, re.MULTILINE)
    if proc.returncode != 0 or found is None:
        raise SystemExit(f"wrk failed ({proc.returncode}): {proc.stdout[-800:]}"
                         f"{proc.stderr[-800:]}")
    result = json.loads(found[1])
    return WrkRun(int(result["requests"]), float(result["seconds"]), int(result["errors"]),
                  {float(q): float(ms) for q, ms in result["quantiles"].items()},
                  (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))
