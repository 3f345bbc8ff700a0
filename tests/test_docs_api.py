"""docs/api.md says every example on the page runs: run them, in order, in one session,
and compare what each block prints with the text block under it (so every documented
import path is exercised)."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "api.md"
BLOCK = re.compile(r"```python\n(.*?)```\s*(?:```text\n(.*?)```)?", re.S)


def examples() -> list[tuple[str, str | None]]:
    return [(code, shown) for code, shown in BLOCK.findall(PAGE.read_text(encoding="utf-8"))]


def test_the_page_has_examples() -> None:
    assert len(examples()) >= 10


def test_every_example_runs_and_prints_what_the_page_shows(tmp_path: Path) -> None:
    namespace: dict[str, object] = {"__name__": "api_md"}
    here = Path.cwd()
    os.chdir(REPO)
    try:
        for number, (code, shown) in enumerate(examples(), start=1):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                try:
                    exec(compile(code, f"api.md example {number}", "exec"), namespace)
                except Exception as exc:  # report which block, with its code
                    pytest.fail(f"example {number} raised {exc!r}:\n{code}")
            if shown:
                assert out.getvalue().strip() == shown.strip(), f"example {number}:\n{code}"
    finally:
        os.chdir(here)
