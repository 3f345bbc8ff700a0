"""The real portal for the server tests (and the pages tests): uvicorn on 127.0.0.1 on a free
port, in a thread of the test process, serving a temporary copy of the bundled rulebook and
the first rows of the bundled sample, with a tokens file and a clock the tests can move.

``live_server`` is session-scoped (one server for the whole run). A test that changes the
rules folder or the clock puts it back (``restore_rules``, ``clock.set``) before it ends;
the ``fresh_rules`` fixture does it for you.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from policy_match.server import create_app
from policy_match.tools.demo import DEMO_DATE, bundled_rules, bundled_sample

SAMPLE_ROWS = 300  # enough for every verdict of every item; small enough to match at once
POLL_SECONDS = 0.1

# department → token (each at least 16 characters, as the tokens file requires)
TOKENS = {
    "*": "hall-0123456789abcdef",
    "区科学技术局": "kj-0123456789abcdef",
    "区财政局": "cz-0123456789abcdef",
}


class MovableClock:
    """China's date as the tests set it (the service asks it on every request)."""

    def __init__(self, day: dt.date) -> None:
        self.day = day

    def set(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


@dataclass
class LiveServer:
    url: str
    tokens: dict[str, str]  # department → token ("*": every department)
    rules: Path  # the folder the server watches (a copy of the bundled rulebook)
    data: Path  # the enterprise table it serves
    clock: MovableClock
    app: object
    original: dict[str, str] = field(default_factory=dict)  # file name → original text

    def headers(self, department: str = "*") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[department]}"}

    def version(self) -> str:
        return str(httpx.get(f"{self.url}/healthz").json()["version"])

    def write_rule(self, name: str, text: str) -> None:
        """Replace (or add) one rule file; the watcher picks it up."""
        target = self.rules / name
        # a different size or a later time: a change the watcher sees even within one tick
        target.write_text(text, encoding="utf-8")

    def restore_rules(self) -> None:
        """The folder as it was at the start, and wait until that rulebook serves again."""
        for path in self.rules.glob("*.rule"):
            if path.name not in self.original:
                path.unlink()
        for name, text in self.original.items():
            if (self.rules / name).read_text(encoding="utf-8") != text:
                (self.rules / name).write_text(text, encoding="utf-8")
        self.wait_until(lambda h: h["status"] == "ok" and h["version"] == self.first_version)

    def wait_until(self, done: object, timeout: float = 15.0) -> dict[str, object]:
        """Poll ``/healthz`` until ``done(health)`` holds; the last health."""
        deadline = time.monotonic() + timeout
        while True:
            health = httpx.get(f"{self.url}/healthz").json()
            if done(health):  # type: ignore[operator]
                return health  # type: ignore[no-any-return]
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not get there: {health}")
            time.sleep(POLL_SECONDS)

    first_version: str = ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sample(path: Path, rows: int) -> None:
    source = bundled_sample()
    assert source is not None, "the bundled sample is part of the checkout"
    with source.open(encoding="utf-8") as inp, path.open("w", encoding="utf-8") as out:
        for i, line in enumerate(inp):
            if i > rows:
                break
            out.write(line)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("portal")
    source = bundled_rules()
    assert source is not None
    rules = root / "rules"
    shutil.copytree(source, rules)
    data = root / "enterprises.csv"
    _sample(data, SAMPLE_ROWS)
    tokens_file = root / "tokens.txt"
    tokens_file.write_text("# token department\n" + "".join(
        f"{token} {department}\n" for department, token in TOKENS.items()), encoding="utf-8")
    clock = MovableClock(DEMO_DATE)
    app = create_app(rules, data, tokens_file, today=clock, poll_seconds=POLL_SECONDS)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the portal did not start")
        time.sleep(0.05)
    live = LiveServer(f"http://127.0.0.1:{port}", dict(TOKENS), rules, data, clock, app,
                      {p.name: p.read_text(encoding="utf-8") for p in rules.glob("*.rule")})
    live.first_version = live.version()
    try:
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def fresh_rules(live_server: LiveServer) -> Iterator[LiveServer]:
    """The live server, with its rules folder and clock put back after the test."""
    try:
        yield live_server
    finally:
        live_server.clock.set(DEMO_DATE)
        live_server.restore_rules()


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        yield c
