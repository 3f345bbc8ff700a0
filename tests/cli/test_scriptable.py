"""Every command scriptable: ``--format json`` (one document on standard output, checked
against what the library computes), exit status 1 when the enterprise table had rejected
data (0 with ``--allow-errors``, the output written either way), and outputs that never
overwrite (``--force`` for an earlier output, nothing for an input)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import policy_match as pm
from policy_match.apps.money.benefits import compute_benefits
from policy_match.apps.money.roster import Roster, build_roster
from policy_match.apps.publishing.listing import list_rows
from policy_match.apps.snapshot import load_snapshot
from policy_match.cli import main
from policy_match.core.examples import run_examples
from policy_match.data.table import EnterpriseTable
from policy_match.plugins.builtins.uscc import uscc_check_char

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"
AS_OF = "2024-07-01"

SMALL_RULES = """\
tag 统一社会信用代码: uscc key
tag 企业名称: text
tag 研发: money
policy "M1" {
    事项名称: "定额免申"
    申请条件: 研发 >= 10万
    免申即享: 是
    兑付标准: 1万
}
"""


def code(n: int) -> str:
    body = f"91530102MA{n:07d}"
    return body + uscc_check_char(body)


def write_table(path: Path, bad: bool) -> Path:
    rows = [[code(1), "甲", "20万"], [code(2), "乙", "30万"], [code(3), "丙", "1万"],
            [code(4), "丁", "-5" if bad else "40万"]]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["统一社会信用代码", "企业名称", "研发"])
        writer.writerows(rows)
    return path


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A one-item 免申即享 rulebook, a clean table and one with a negative amount."""
    rules = tmp_path / "r.rule"
    rules.write_text(SMALL_RULES, encoding="utf-8")
    return (rules, write_table(tmp_path / "clean.csv", bad=False),
            write_table(tmp_path / "bad.csv", bad=True))


def run_json(capsys: pytest.CaptureFixture[str], *args: str, status: int = 0) -> object:
    assert main(list(args)) == status, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("policy-match")
    proc = subprocess.run([str(script), *args], cwd=REPO, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


# ---- test ---------------------------------------------------------------------------------


def test_test_json_lists_every_example_with_totals(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "test", str(RULES), "--format", "json")
    assert isinstance(data, dict)
    outcomes = run_examples(pm.load(RULES))
    assert data["total"] == len(outcomes) == len(data["examples"])
    assert data["passed"] == sum(o.passed for o in outcomes) and data["failed"] == 0
    first, expected = data["examples"][0], outcomes[0]
    assert first["policy"] == expected.policy.id and first["example"] == expected.example.title
    assert first["line"] == expected.example.span.line
    assert first["expected"] == expected.example.expect.value
    assert first["actual"] == expected.verdict.value and first["passed"] is True
    assert first["problems"] == []


def test_a_bad_example_value_is_a_failed_example_not_a_traceback(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    target = rules / "cz.rule"
    text = target.read_text(encoding="utf-8")
    given = '给定 { 企业规模: "小型", 失信被执行人: 否 }'
    assert given in text
    negative = '给定 { 企业规模: "小型", 营业收入: -5, 失信被执行人: 否 }'
    target.write_text(text.replace(given, negative, 1), encoding="utf-8")
    proc = cli("test", str(rules))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL WH-CZ-2020-001" in proc.stdout
    assert "营业收入 = '-5'" in proc.stdout and "1 failed" in proc.stdout
    proc = cli("test", str(rules), "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    (failed,) = [e for e in data["examples"] if not e["passed"]]
    assert failed["policy"] == "WH-CZ-2020-001" and failed["actual"] is None
    assert any("营业收入" in p for p in failed["problems"])
    assert data["failed"] == 1 and data["passed"] == data["total"] - 1


def test_test_json_reports_a_wrong_expectation(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    rule = tmp_path / "a.rule"
    rule.write_text('tag 研发: money\npolicy "P" {\n    事项名称: "p"\n    申请条件: 研发 >= 10万\n'
                    '    示例 "错的" {\n        评估日 2024-01-01\n        给定 { 研发: 20万 }\n'
                    '        预期 不符合\n    }\n}\n', encoding="utf-8")
    data = run_json(capsys, "test", str(rule), "--format", "json", status=1)
    assert isinstance(data, dict)
    (example,) = data["examples"]
    assert (example["expected"], example["actual"]) == ("ineligible", "eligible")
    assert example["passed"] is False and example["problems"]
    assert (data["total"], data["passed"], data["failed"]) == (1, 0, 1)


# ---- describe, fmt ------------------------------------------------------------------------


def test_describe_json(capsys: pytest.CaptureFixture[str]) -> None:
    book = pm.load(RULES)
    data = run_json(capsys, "describe", str(RULES), "WH-SW-2024-001", "--format", "json",
                    "--lang", "zh")
    assert data == {"lang": "zh", "policies": [{
        "policy": "WH-SW-2024-001", "name": book.policies["WH-SW-2024-001"].name,
        "text": book.describe("WH-SW-2024-001")}]}
    every = run_json(capsys, "describe", str(RULES), "--format", "json", "--lang", "en")
    assert isinstance(every, dict)
    assert [p["policy"] for p in every["policies"]] == list(book.policies)
    assert every["policies"][0]["text"] == book.describe(next(iter(book.policies)), lang="en")


UNFORMATTED = ('tag   营业收入 :money\npolicy "P-1" {\n事项名称:"名称"\n'
               '      申请条件:营业收入>=1\n}\n')


def test_fmt_json_check_then_rewrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    messy = folder / "a.rule"
    messy.write_text(UNFORMATTED, encoding="utf-8")
    data = run_json(capsys, "fmt", str(folder), "--check", "--format", "json", status=1)
    assert isinstance(data, dict)
    assert data["check"] is True and data["ok"] is False and data["files"] == 1
    assert [Path(p).name for p in data["changed"]] == ["a.rule"] and data["unchanged"] == []
    assert messy.read_text(encoding="utf-8") == UNFORMATTED  # --check changes nothing
    data = run_json(capsys, "fmt", str(folder), "--format", "json")
    assert isinstance(data, dict)
    assert data["ok"] is True and [Path(p).name for p in data["changed"]] == ["a.rule"]
    assert messy.read_text(encoding="utf-8") != UNFORMATTED
    again = run_json(capsys, "fmt", str(folder), "--check", "--format", "json")
    assert isinstance(again, dict)
    assert again["changed"] == [] and [Path(p).name for p in again["unchanged"]] == ["a.rule"]


# ---- list, generate -----------------------------------------------------------------------


def test_list_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "清单.csv"
    data = run_json(capsys, "list", str(RULES), "--out", str(out), "--as-of", "2025-06-30",
                    "--format", "json")
    rows = list_rows(pm.load(RULES), dt.date(2025, 6, 30))
    assert data == {"path": str(out), "rows": len(rows), "as_of": "2025-06-30", "all": False,
                    "pending": sum(r.status == "pending" for r in rows),
                    "expired": len(pm.load(RULES).policies) - len(rows)}
    with open(out, encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(rows)


def test_generate_json_and_never_overwrites(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from policy_match.tools.generate import generate_table

    out = tmp_path / "lib.csv"
    data = run_json(capsys, "generate", "--n", "40", "--out", str(out), "--seed", "4",
                    "--dirty", "--format", "json")
    assert isinstance(data, dict)
    _, faults = generate_table(40, seed=4, dirty=True, faults=True)
    assert (data["path"], data["rows"], data["seed"]) == (str(out), 40, 4)
    assert data["dirty"] is True and data["bad_values"] == len(faults)
    before = out.read_bytes()
    assert main(["generate", "--n", "5", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_bytes() == before
    assert main(["generate", "--n", "5", "--out", str(out), "--force"]) == 0
    assert out.read_bytes() != before


# ---- match --out: never overwrite ---------------------------------------------------------


def test_match_out_never_overwrites(small: tuple[Path, Path, Path], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    rules, clean, _ = small
    out = tmp_path / "pairs.csv"
    out.write_text("earlier", encoding="utf-8")
    args = ["match", str(rules), str(clean), "--as-of", AS_OF, "--quiet", "--out"]
    assert main([*args, str(out)]) == 2
    assert "文件已存在" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "earlier"
    assert main([*args, str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == "enterprise,policy,verdict"
    before = clean.read_bytes()
    assert main([*args, str(clean), "--force"]) == 2  # the data file is an input
    assert "输入文件" in capsys.readouterr().err and clean.read_bytes() == before
    assert main([*args, str(tmp_path / "pairs.txt")]) == 2


# ---- rejected data: exit 1 (0 with --allow-errors), output still written -------------------


def library_roster(rules: Path, data: Path) -> Roster:
    book = pm.load(rules)
    result = book.match(EnterpriseTable.load(data, book), as_of=dt.date.fromisoformat(AS_OF))
    return build_roster(compute_benefits(result))


def test_roster_json_and_rejected_data(small: tuple[Path, Path, Path], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    rules, clean, bad = small
    out = tmp_path / "roster.csv"
    data = run_json(capsys, "roster", str(rules), str(clean), "--as-of", AS_OF, "--out",
                    str(out), "--quiet", "--format", "json")
    roster = library_roster(rules, clean)
    assert isinstance(data, dict)
    assert data["paid"] == {"entries": len(roster), "amount": str(roster.total())}
    assert data["paid"]["entries"] == 3 and Decimal(data["paid"]["amount"]) == 30000
    assert data["to_verify"] == {"entries": 0, "amount": "0.00"}
    (item,) = data["items"]
    assert (item["policy"], item["paid"]) == ("M1", 3) and item["withheld"]["unknown"] == 0
    assert data["paths"][0] == str(out) and out.exists()

    rejected = tmp_path / "rejected.csv"
    assert main(["roster", str(rules), str(bad), "--as-of", AS_OF, "--out", str(rejected),
                 "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "研发 = '-5'" in err and "--allow-errors" in err
    assert rejected.exists()  # written all the same
    assert main(["roster", str(rules), str(bad), "--as-of", AS_OF, "--out", str(rejected),
                 "--quiet", "--force", "--allow-errors"]) == 0


def test_benefits_exit_status_on_rejected_data(small: tuple[Path, Path, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    rules, clean, bad = small
    base = ["benefits", str(rules), "--as-of", AS_OF, "--quiet"]
    assert main([*base[:2], str(clean), *base[2:]]) == 0
    capsys.readouterr()
    out = tmp_path / "estimate.json"
    assert main([*base[:2], str(bad), *base[2:], "--out", str(out), "--lang", "en"]) == 1
    assert "研发 = '-5': money is not negative" in capsys.readouterr().err
    estimate = json.loads(out.read_text(encoding="utf-8"))
    assert Decimal(estimate[-1]["estimate"]) == 20000  # two rows paid: the bad one is missing
    data = run_json(capsys, *base[:2], str(bad), *base[2:], "--format", "json",
                    "--allow-errors")
    assert isinstance(data, dict) and Decimal(data["total"]["estimate"]) == 20000


def test_snapshot_json_and_rejected_data(small: tuple[Path, Path, Path], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    rules, clean, bad = small
    out = tmp_path / "s.parquet"
    data = run_json(capsys, "snapshot", str(rules), str(clean), "--as-of", AS_OF, "--out",
                    str(out), "--quiet", "--format", "json")
    snap = load_snapshot(out)
    assert isinstance(data, dict)
    assert (data["path"], data["enterprises"], data["policies"], data["as_of"]) == (
        str(out), len(snap), len(snap.codes), snap.as_of.isoformat())
    assert (data["enterprises"], data["policies"], data["as_of"]) == (4, 1, AS_OF)
    second = tmp_path / "bad.parquet"
    assert main(["snapshot", str(rules), str(bad), "--as-of", AS_OF, "--out", str(second),
                 "--quiet"]) == 1
    assert len(load_snapshot(second)) == 4
    assert main(["snapshot", str(rules), str(bad), "--as-of", AS_OF, "--out", str(second),
                 "--quiet", "--force", "--allow-errors"]) == 0


def test_push_plan_exit_status_on_rejected_data(small: tuple[Path, Path, Path], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    rules, _, bad = small
    ledger = tmp_path / "push.db"
    args = ["push", "plan", str(rules), str(bad), "--ledger", str(ledger), "--as-of", AS_OF]
    data = run_json(capsys, *args, "--format", "json", status=1)
    assert isinstance(data, dict) and data["enterprises"] == 4 and data["total"] > 0
    assert ledger.exists()
    assert main([*args, "--allow-errors", "--as-of", "2024-07-02"]) == 0


def test_demo_exit_status_on_rejected_data(tmp_path: Path) -> None:
    source = REPO / "data" / "enterprises-2000.csv"
    with open(source, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[:61]
    column = rows[0].index("营业收入")
    rows[5][column] = "-5"
    data = tmp_path / "dirty.csv"
    with open(data, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    proc = cli("demo", "--data", str(data), "--out", str(tmp_path / "a"), "--quiet")
    assert proc.returncode == 1, proc.stderr
    assert "营业收入 = '-5'" in proc.stderr
    assert (tmp_path / "a").is_dir() and any((tmp_path / "a").iterdir())  # still published
    proc = cli("demo", "--data", str(data), "--out", str(tmp_path / "b"), "--quiet",
               "--allow-errors")
    assert proc.returncode == 0, proc.stderr
