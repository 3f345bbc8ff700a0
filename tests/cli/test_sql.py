"""The ``sql`` commands and ``match --db``, run in-process on small files and real databases
(a DuckDB file; PostgreSQL for ``match --db``), and once as the console script."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
from postgres import postgres_server

from policy_match.cli import main
from policy_match.data.database import run_query

RULES = ('tag 编号: text key "统一编号"\ntag 营业收入: money "上年营业收入"\n'
         'tag 所属行业: code(industry)\n'
         'policy "P1" { name: "规上工业"  eligible: 营业收入 >= 2000万 and 所属行业 in ["C"] }\n'
         'policy "P2" { name: "旧政策"  eligible: 营业收入 >= 1\n'
         '              适用时间: 2020-01-01 .. 2020-12-31 }\n')
# d's industry code is refused (loaded as missing): its money qualifies, so it is unknown
WANT = {("a", "P1", "eligible"), ("c", "P1", "unknown"), ("d", "P1", "unknown")}
DATA = "编号,营业收入,所属行业\na,3000万,C3911\nb,100万,C3911\nc,,C3911\nd,5000万,坏代码\n"


@pytest.fixture(autouse=True)
def chinese_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands speak the locale's language without --lang: a Chinese one here."""
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "t.rule").write_text(RULES, encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text(DATA, encoding="utf-8")
    return rules, data


def test_schema_and_compile_print_sql(files: tuple[Path, Path],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    rules, _ = files
    assert main(["sql", "schema", str(rules), "--dialect", "postgres", "--table", "qy"]) == 0
    out = capsys.readouterr().out
    assert 'CREATE TABLE "qy"' in out and "IS '上年营业收入'" in out
    assert main(["sql", "compile", str(rules), "--dialect", "spark", "--as-of", "2024-07-01",
                 "--verdicts", "eligible"]) == 0
    out = capsys.readouterr().out
    assert "INLINE(" in out and "'eligible'" in out and "P2" not in out
    assert main(["sql", "compile", str(rules), "--dialect", "nosuch"]) == 2
    assert "不支持的 SQL 方言 nosuch" in capsys.readouterr().err  # the locale's language, zh


def test_load_match_and_explain_in_duckdb(files: tuple[Path, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    rules, data = files
    url = f"duckdb:///{tmp_path / 'lib.duckdb'}"
    # one bad code: loaded as missing, reported, exit 1 unless --allow-errors
    assert main(["sql", "load", str(rules), str(data), "--db", url]) == 1
    assert "已将 4 家企业写入 enterprises" in capsys.readouterr().err
    assert main(["sql", "load", str(rules), str(data), "--db", url]) == 2  # exists
    assert "已有表 enterprises" in capsys.readouterr().err
    assert main(["sql", "load", str(rules), str(data), "--db", url, "--if-exists", "replace",
                 "--allow-errors"]) == 0
    capsys.readouterr()
    assert main(["match", str(rules), "--db", url, "--as-of", "2024-07-01"]) == 0
    assert "3 对" in capsys.readouterr().err
    assert set(run_query(url, 'SELECT * FROM "enterprises_matches"')) == WANT
    out = tmp_path / "m.csv"
    assert main(["match", str(rules), "--db", url, "--as-of", "2024-07-01",
                 "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as f:
        rows = list(map(tuple, csv.reader(f)))
    assert rows[0] == ("enterprise", "policy", "verdict") and set(rows[1:]) == WANT
    for enterprise, verdict in (("a", "eligible"), ("b", "ineligible"), ("d", "unknown")):
        assert main(["sql", "explain", str(rules), enterprise, "P1", "--db", url,
                     "--as-of", "2024-07-01", "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["verdict"] == verdict
    assert main(["sql", "explain", str(rules), "zz", "P1", "--db", url]) == 2
    assert "没有企业 zz" in capsys.readouterr().err


def test_match_needs_data_or_a_database(files: tuple[Path, Path],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    rules, data = files
    assert main(["match", str(rules)]) == 2
    assert "--db" in capsys.readouterr().err
    assert main(["match", str(rules), str(data), "--db", "duckdb:///:memory:"]) == 2


def test_match_db_on_postgres_as_the_console_script(files: tuple[Path, Path]) -> None:
    rules, data = files
    script = str(Path(sys.executable).with_name("policy-match"))
    with postgres_server() as url:
        load = subprocess.run([script, "sql", "load", str(rules), str(data), "--db", url,
                               "--allow-errors"], capture_output=True, text=True, timeout=120)
        assert load.returncode == 0, load.stderr
        proc = subprocess.run([script, "match", str(rules), "--db", url, "--as-of",
                               "2024-07-01"], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert set(run_query(url, 'SELECT * FROM "enterprises_matches"')) == WANT


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ("不认识的结论“eligble”", "不支持的 SQL 方言 nosuch")),
    ("en", ("unknown verdict 'eligble' (known: eligible,", "unknown SQL dialect nosuch")),
])
def test_schema_and_compile_errors_speak_the_language_of_lang(
        files: tuple[Path, Path], capsys: pytest.CaptureFixture[str], lang: str,
        words: tuple[str, str]) -> None:
    rules, _ = files
    verdict, dialect = words
    assert main(["sql", "compile", str(rules), "--verdicts", "eligible,eligble",
                 "--lang", lang]) == 2
    assert verdict in capsys.readouterr().err
    assert main(["sql", "compile", str(rules), "--verdicts", ",", "--lang", lang]) == 2
    assert ("“,”" if lang == "zh" else "verdict ','") in capsys.readouterr().err
    for command in ("schema", "compile"):
        assert main(["sql", command, str(rules), "--dialect", "nosuch", "--lang", lang]) == 2
        assert dialect in capsys.readouterr().err


def test_a_database_that_cannot_be_reached_is_a_usage_error(
        files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    rules, _ = files
    from postgres import free_port

    url = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres?connect_timeout=3"
    assert main(["match", str(rules), "--db", url]) == 2
    assert "127.0.0.1" in capsys.readouterr().err
    assert main(["sql", "explain", str(rules), "a", "--db", "mysql://x"]) == 2
    assert "无法识别" in capsys.readouterr().err  # the locale's language, zh
