"""One language server for the whole ``tests/lsp`` run, started as ``policy-match lsp`` and
driven over its real stdio; a copy of the bundled rulebook for it to read."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_client import LspClient, uri

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the bundled rulebook (``rules/``) and room for others beside it."""
    base = tmp_path_factory.mktemp("lsp")
    shutil.copytree(ROOT / "rules", base / "rules")
    return base


@pytest.fixture(scope="session")
def client(workspace: Path) -> Iterator[LspClient]:
    python = ROOT / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else Path(sys.executable)),
               "-m", "policy_match.cli", "lsp"]
    with (workspace / "server.log").open("wb") as log:
        lsp = LspClient(command, workspace, log)
        lsp.request("initialize", {
            "processId": None, "rootUri": uri(workspace), "locale": "zh-CN",
            "capabilities": {"textDocument": {"hover": {"contentFormat": ["markdown"]}}},
        })
        lsp.notify("initialized", {})
        yield lsp
        lsp.close()
