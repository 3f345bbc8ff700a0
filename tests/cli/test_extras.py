"""Each edge is an optional extra: without its library, the command says which extra to
install (exit 2), and the rest of the command line still works."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# the command, the library it needs (hidden from the child process), the extra that brings it
CASES = [
    (["sql", "schema", "rules/"], "sqlglot", "sql"),
    (["lint", "rules/"], "z3", "lint"),
    (["lsp"], "pygls", "lsp"),
    (["serve", "--port", "1"], "fastapi", "server"),
]

HIDE = """
import sys
sys.modules[{module!r}] = None  # as if the library were not installed
from policy_match.cli import main
sys.exit(main({argv!r}))
"""


def run_without(module: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", HIDE.format(module=module, argv=argv)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"LANG": "en_US.UTF-8", "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize(("argv", "module", "extra"), CASES)
def test_a_missing_extra_is_named(argv: list[str], module: str, extra: str) -> None:
    proc = run_without(module, argv)
    assert proc.returncode == 2, proc.stderr
    assert f"pip install 'policy-match[{extra}]'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_core_commands_need_no_extra() -> None:
    for module in ("sqlglot", "z3", "pygls", "fastapi", "pyspark"):
        proc = run_without(module, ["check", "rules/"])
        assert proc.returncode == 0, (module, proc.stderr)
        assert "36 policies" in proc.stdout


def test_list_and_sheet_warn_without_the_lint_extra(tmp_path: Path) -> None:
    """Their W-INCOMPLETE check (analysis/completeness.py) needs no solver."""
    rules = tmp_path / "p.rule"
    rules.write_text('tag 编号: text key\npolicy "P" {\n    事项名称: "x"\n'
                     "    申请条件: 是\n}\n", encoding="utf-8")
    proc = run_without("z3", ["list", str(rules), "--out", str(tmp_path / "l.csv")])
    assert proc.returncode == 0, proc.stderr
    assert "warning[W-INCOMPLETE]: item P lacks" in proc.stderr
    assert (tmp_path / "l.csv").exists()
