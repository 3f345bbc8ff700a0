"""Acceptance: a fresh venv with a non-editable install runs ``policy-match check rules/``
from another directory, and the grammar ships inside the wheel.

This builds and installs the package for real (pip may fetch the build backend and the
dependencies from the package index); it takes tens of seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def clean_env() -> dict[str, str]:
    """The environment minus anything that would let the outer venv or src/ leak in."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")}
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with policy-match installed from the repository, not editable."""
    venv = tmp_path_factory.mktemp("pkg") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=clean_env(),
                   timeout=300)
    python = venv / "bin" / "python"
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(REPO)],
        capture_output=True, text=True, env=clean_env(), timeout=900,
        cwd=tmp_path_factory.mktemp("pip-cwd"),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return venv


def test_the_install_is_not_editable(installed: Path) -> None:
    proc = subprocess.run(
        [str(installed / "bin" / "python"), "-m", "pip", "show", "-f", "policy-match"],
        capture_output=True, text=True, env=clean_env(), timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Editable project location" not in proc.stdout
    assert "policy_match/grammars/policy.lark" in proc.stdout


def test_check_bundled_rules_from_another_directory(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run(
        [str(installed / "bin" / "policy-match"), "check", str(REPO / "rules")],
        cwd=elsewhere, capture_output=True, text=True, encoding="utf-8", env=clean_env(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok: " in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_check_reports_errors_from_the_installed_package(installed: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(installed / "bin" / "policy-match"), "check",
         str(REPO / "tests" / "rulebooks" / "mistakes")],
        cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", env=clean_env(),
        timeout=300,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "error[E-SYNTAX]" in proc.stdout
    assert "error[E-UNIT]" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_module_lives_in_the_venv_and_the_grammar_ships(installed: Path, tmp_path: Path) -> None:
    code = (
        "import policy_match, importlib.resources as r; print(policy_match.__file__); "
        "print(r.files('policy_match').joinpath('grammars/policy.lark').is_file())"
    )
    proc = subprocess.run(
        [str(installed / "bin" / "python"), "-c", code],
        cwd=tmp_path, capture_output=True, text=True, env=clean_env(), timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    module_file, grammar_ships = proc.stdout.split()
    module_path = Path(module_file).resolve()
    assert module_path.is_relative_to(installed.resolve()), module_path
    assert "site-packages" in module_path.parts
    assert not module_path.is_relative_to(REPO / "src")
    assert grammar_ships == "True"


def test_the_code_tables_ship_in_the_wheel(installed: Path, tmp_path: Path) -> None:
    """GB/T 4754-2017 and the administrative divisions are read from the installed package."""
    code = (
        "from policy_match.plugins.builtins.industry import INDUSTRY; "
        "from policy_match.plugins.builtins.region import REGION, divisions; "
        "print(sum(len(c) == 5 for c in INDUSTRY.codes()), len(divisions()), "
        "REGION.label('530102'), INDUSTRY.label('C3911'))"
    )
    proc = subprocess.run(
        [str(installed / "bin" / "python"), "-c", code],
        cwd=tmp_path, capture_output=True, text=True, env=clean_env(), timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1381", "3210", "五华区", "计算机整机制造"]
