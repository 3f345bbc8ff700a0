"""A tiny LSP client for the tests: JSON-RPC with Content-Length framing over the stdio of a
real ``policy-match lsp`` process. No mocks: every answer comes from the server."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

TIMEOUT = 30.0


class LspError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.code = error.get("code")
        self.message = error.get("message", "")


class LspClient:
    def __init__(self, command: list[str], cwd: Path, stderr: IO[bytes]) -> None:
        self.proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=stderr)
        self._lock = threading.Condition()
        self._responses: dict[int, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []
        self._next_id = 0
        self._reader = threading.Thread(target=self._read_forever, daemon=True)
        self._reader.start()

    # ---- framing ----------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.proc.stdin.flush()

    def _read_one(self) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        assert length is not None, "a message without Content-Length"
        message: dict[str, Any] = json.loads(self.proc.stdout.read(length).decode("utf-8"))
        return message

    def _read_forever(self) -> None:
        while (message := self._read_one()) is not None:
            if "method" in message and "id" in message:  # a request from the server
                self._send({"id": message["id"], "result": None})
                continue
            with self._lock:
                if "id" in message:
                    self._responses[message["id"]] = message
                else:
                    self.notifications.append(message)
                self._lock.notify_all()

    # ---- calls ------------------------------------------------------------------------

    def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
        self._send({"id": ident, "method": method, "params": params or {}})
        with self._lock:
            if not self._lock.wait_for(lambda: ident in self._responses, TIMEOUT):
                raise TimeoutError(f"no answer to {method}")
            answer = self._responses.pop(ident)
        if "error" in answer:
            raise LspError(answer["error"])
        return answer.get("result")

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def wait_for(self, method: str, accept: Callable[[dict[str, Any]], bool],
                 after: int = 0) -> dict[str, Any]:
        """The params of the first notification ``method`` (from index ``after`` on) that
        ``accept`` takes."""
        def found() -> dict[str, Any] | None:
            for note in self.notifications[after:]:
                if note["method"] == method and accept(note["params"]):
                    params: dict[str, Any] = note["params"]
                    return params
            return None

        with self._lock:
            if not self._lock.wait_for(lambda: found() is not None, TIMEOUT):
                raise TimeoutError(f"no {method} notification")
            result = found()
            assert result is not None
            return result

    def mark(self) -> int:
        with self._lock:
            return len(self.notifications)

    def close(self) -> None:
        try:
            self.request("shutdown")
            self.notify("exit", {})
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


# ---- documents ---------------------------------------------------------------------------


def uri(path: Path) -> str:
    return path.resolve().as_uri()


def open_document(client: LspClient, path: Path, text: str, version: int = 1) -> None:
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri(path), "languageId": "policy", "version": version, "text": text}})


def close_document(client: LspClient, path: Path) -> None:
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri(path)}})


def diagnostics_of(client: LspClient, path: Path, after: int,
                   accept: Callable[[list[dict[str, Any]]], bool] = lambda d: True
                   ) -> list[dict[str, Any]]:
    params = client.wait_for("textDocument/publishDiagnostics",
                             lambda p: p["uri"] == uri(path) and accept(p["diagnostics"]), after)
    found: list[dict[str, Any]] = params["diagnostics"]
    return found


def position_of(text: str, needle: str, nth: int = 0, shift: int = 0) -> dict[str, int]:
    """The LSP position (UTF-16 columns) of the ``nth`` ``needle`` in ``text``, plus ``shift``
    characters."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += shift
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    column = len(text[start:index].encode("utf-16-le")) // 2
    return {"line": line, "character": column}


def text_at(text: str, rng: dict[str, Any]) -> str:
    """The text an LSP range covers (UTF-16 columns)."""
    lines = text.split("\n")

    def offset(pos: dict[str, int]) -> int:
        before = sum(len(line) + 1 for line in lines[: pos["line"]])
        units = lines[pos["line"]].encode("utf-16-le")[: pos["character"] * 2]
        return before + len(units.decode("utf-16-le"))

    return text[offset(rng["start"]): offset(rng["end"])]


def apply_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """``text`` with LSP text edits applied (last first, so earlier ranges stay right)."""
    lines = text.split("\n")

    def offset(pos: dict[str, int]) -> int:
        if pos["line"] >= len(lines):
            return len(text)
        before = sum(len(line) + 1 for line in lines[: pos["line"]])
        units = lines[pos["line"]].encode("utf-16-le")[: pos["character"] * 2]
        return before + len(units.decode("utf-16-le"))

    spans = sorted(((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"])
                    for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def tags_folder(workspace: Path, name: str) -> Path:
    """A rulebook folder of its own holding the bundled tags and defines, for documents whose
    mistakes must not touch the copy of the bundled rulebook."""
    here = workspace / name
    here.mkdir()
    for file in ("tags.rule", "defines.rule"):
        shutil.copy(workspace / "rules" / file, here / file)
    return here
