"""The command line's own edge: --version, and no traceback for an OS error."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from policy_match.cli import main, version


def test_version_is_the_installed_distribution(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"policy-match {metadata.version('policy-match')}"
    assert version() == metadata.version("policy-match")


def test_an_unreadable_rule_folder_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    locked = tmp_path / "rules"
    locked.mkdir()
    (locked / "a.rule").write_text("tag a: number\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "policy_match.cli", "check", str(locked / "nope")],
                          capture_output=True, text=True)
    assert proc.returncode in (1, 2)
    assert "Traceback" not in proc.stderr + proc.stdout
