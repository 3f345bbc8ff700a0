"""The ``policy-match`` console script, run as a real subprocess: exit codes 0/1/2 and output.

Exit status (architecture.md): 0 ok, 1 findings, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from policy_match.dsl.parser import parse

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"


def cli() -> str:
    script = Path(sys.executable).with_name("policy-match")
    assert script.exists(), f"console script missing: {script} (pip install -e .)"
    return str(script)


def english_env(**extra: str) -> dict[str, str]:
    """The environment with an English locale (the default language follows the locale)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    return {**env, "LANG": "C.UTF-8", **extra}


def run(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([cli(), *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env=env or english_env())
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


# ---- check ------------------------------------------------------------------------------


def test_check_bundled_rules_is_ok() -> None:
    proc = run("check", "rules/")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ok = re.search(r"^ok: (\d+) file\(s\), (\d+) tags, (\d+) defines, (\d+) policies$",
                   proc.stdout, re.MULTILINE)
    assert ok is not None, proc.stdout
    assert int(ok[1]) == len(list(RULES.rglob("*.rule")))
    assert int(ok[2]) > 0 and int(ok[4]) > 0
    assert "error[" not in proc.stdout


def test_check_bundled_rules_json() -> None:
    proc = run("check", "rules/", "--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] is True
    assert data["errors"] == 0
    assert data["files"] == len(list(RULES.rglob("*.rule")))
    assert [d for d in data["diagnostics"] if d["severity"] == "error"] == []


def test_check_one_file_with_an_error_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rule"
    bad.write_text("tag 营业收入: money\ndefine x = 营业收人 >= 1\n", encoding="utf-8")
    proc = run("check", str(bad))
    assert proc.returncode == 1
    assert "bad.rule:2:12: error[E-NAME]" in proc.stdout
    assert "did you mean 营业收入?" in proc.stdout
    data = json.loads(run("check", str(bad), "--format", "json").stdout)
    assert data["ok"] is False
    assert [d["code"] for d in data["diagnostics"]] == ["E-NAME"]


def test_check_from_another_directory(tmp_path: Path) -> None:
    proc = run("check", str(RULES), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ok: ") or "\nok: " in proc.stdout


def test_check_a_missing_path_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-rules"
    proc = run("check", str(missing))
    assert proc.returncode == 2
    assert "no-such-rules" in proc.stderr
    assert "does not exist" in proc.stderr


def test_check_an_empty_folder_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    proc = run("check", str(tmp_path))
    assert proc.returncode != 0
    assert "E-IO" in proc.stdout + proc.stderr


def test_no_subcommand_exits_2() -> None:
    proc = run()
    assert proc.returncode == 2
    assert "usage:" in proc.stderr


def test_unknown_subcommand_and_bad_option_exit_2() -> None:
    assert run("frobnicate").returncode == 2
    assert run("check", "rules/", "--format", "xml").returncode == 2


def test_help_exits_0() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    assert "check" in proc.stdout and "fmt" in proc.stdout
    assert run("check", "--help").returncode == 0


# ---- fmt ---------------------------------------------------------------------------------

UNFORMATTED = (
    "tag   营业收入 :money\n"
    "tag 失信被执行人: bool\n"
    "define  规上=营业收入>=2000万   且  not 失信被执行人\n"
    'policy "P-1" {\n'
    '事项名称:"名称"\n'
    "      申请条件:规上\n"
    "}\n"
)


def formatted_copy(tmp_path: Path) -> Path:
    """A file in canonical form: the unformatted text after one ``policy-match fmt``."""
    path = tmp_path / "formatted" / "a.rule"
    path.parent.mkdir()
    path.write_text(UNFORMATTED, encoding="utf-8")
    proc = run("fmt", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return path


def test_fmt_check_on_a_formatted_file_exits_0(tmp_path: Path) -> None:
    path = formatted_copy(tmp_path)
    before = path.read_bytes()
    proc = run("fmt", "--check", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert path.read_bytes() == before


def test_fmt_check_on_an_unformatted_file_exits_1_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.rule"
    path.write_text(UNFORMATTED, encoding="utf-8")
    proc = run("fmt", "--check", str(path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "a.rule" in proc.stdout + proc.stderr
    assert path.read_text(encoding="utf-8") == UNFORMATTED


def test_fmt_rewrites_an_unformatted_file_keeping_its_meaning(tmp_path: Path) -> None:
    path = tmp_path / "a.rule"
    path.write_text(UNFORMATTED, encoding="utf-8")
    proc = run("fmt", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rewritten = path.read_text(encoding="utf-8")
    assert rewritten != UNFORMATTED
    # same declarations (AST equality ignores spans and layout)
    assert parse(rewritten).module == parse(UNFORMATTED).module
    assert parse(rewritten).diagnostics == ()
    # now it is formatted, and formatting again changes nothing
    assert run("fmt", "--check", str(path)).returncode == 0
    assert run("fmt", str(path)).returncode == 0
    assert path.read_text(encoding="utf-8") == rewritten
    assert run("check", str(path)).returncode == 0


def test_fmt_check_on_a_folder_reports_only_the_unformatted_file(tmp_path: Path) -> None:
    good = formatted_copy(tmp_path)
    folder = good.parent
    (folder / "b.rule").write_text(UNFORMATTED.replace("P-1", "P-2").replace("规上", "规上二")
                                   .replace("tag   营业收入 :money\ntag 失信被执行人: bool\n", ""),
                                   encoding="utf-8")
    proc = run("fmt", "--check", str(folder))
    assert proc.returncode == 1
    assert "b.rule" in proc.stdout
    assert "a.rule" not in proc.stdout


def test_fmt_leaves_a_file_with_syntax_errors_alone(tmp_path: Path) -> None:
    path = tmp_path / "broken.rule"
    text = "define x = (\n"
    path.write_text(text, encoding="utf-8")
    proc = run("fmt", str(path))
    assert proc.returncode == 1
    assert path.read_text(encoding="utf-8") == text


def test_fmt_a_missing_path_exits_2(tmp_path: Path) -> None:
    assert run("fmt", "--check", str(tmp_path / "missing.rule")).returncode == 2


def test_fmt_check_on_a_copy_of_the_bundled_rules_matches_fmt(tmp_path: Path) -> None:
    # fmt then fmt --check agree on real files: after one rewrite nothing is left to change.
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    assert run("fmt", str(copy)).returncode == 0
    proc = run("fmt", "--check", str(copy))
    assert proc.returncode == 0, proc.stdout
    assert run("check", str(copy)).returncode == 0


# ---- match: strict intake ------------------------------------------------------------------

INTAKE_RULES = ('tag 代码: uscc key\ntag 营业收入: money\n'
                'policy "A" { name: "a"  eligible: 营业收入 >= 1 }\n')


def test_match_reports_a_bad_table_exits_1_and_still_writes_the_good_rows(
        tmp_path: Path) -> None:
    rules = tmp_path / "r.rule"
    rules.write_text(INTAKE_RULES, encoding="utf-8")
    data = tmp_path / "t.csv"
    data.write_text("代码,营业收人,营业收入\n91350100M000100Y43,x,5\n,,\n"
                    "91110000600037341L,1,-3\n91110000600037341L,1\n", encoding="utf-8")
    out = tmp_path / "pairs.csv"
    proc = run("match", str(rules), str(data), "--as-of", "2025-01-01", "--quiet",
               "--out", str(out), "--lang", "en")
    assert proc.returncode == 1, proc.stderr
    assert "line 1, 营业收人: not a tag of the rulebook; column not read; did you mean 营业收入?" \
        in proc.stderr
    assert "line 4, 营业收入 = '-3': money is not negative" in proc.stderr
    assert "line 5, (row) = '91110000600037341L,1': 2 cell(s) where the header has 3" \
        in proc.stderr
    assert ("4 row(s) in the file = 2 loaded + 1 blank skipped + 1 rejected; "
            "1 value(s) rejected (counted as missing), 1 column(s) not read") in proc.stderr
    assert out.read_text(encoding="utf-8").splitlines()[1:] == [
        "91350100M000100Y43,A,eligible", "91110000600037341L,A,unknown"]
    zh = run("match", str(rules), str(data), "--as-of", "2025-01-01", "--quiet",
             "--allow-errors", "--format", "csv", "--lang", "zh")
    assert zh.returncode == 0, zh.stderr
    assert "第 4 行，营业收入 = '-3'：金额不能为负数" in zh.stderr
    assert "文件中 4 行 = 载入 2 + 跳过空行 1 + 拒绝 1 行" in zh.stderr


def test_match_on_a_clean_table_exits_0_with_counts(tmp_path: Path) -> None:
    rules = tmp_path / "r.rule"
    rules.write_text(INTAKE_RULES, encoding="utf-8")
    data = tmp_path / "t.csv"
    data.write_text("代码,营业收入\n91350100M000100Y43,5\n", encoding="utf-8")
    proc = run("match", str(rules), str(data), "--as-of", "2025-01-01", "--quiet",
               "--format", "csv", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "1 row(s) in the file = 1 loaded + 0 blank skipped + 0 rejected" in proc.stderr


# ---- the reader's language: --lang, the locale, JSON ------------------------------------

MISTAKE = "tag 营业收入: money\ndefine x = (营业收人 >= 1\n"


def test_check_speaks_chinese_with_lang_zh_and_english_with_lang_en(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rule"
    bad.write_text("tag 营业收入: money\ndefine x = 营业收人 >= 1\n", encoding="utf-8")
    zh = run("check", str(bad), "--lang", "zh")
    assert zh.returncode == 1
    assert "错误[E-NAME]: 未定义的名称 营业收人" in zh.stdout
    assert "提示: 是否应为 营业收入？" in zh.stdout and "1 个错误，0 个警告" in zh.stdout
    en = run("check", str(bad), "--lang", "en")
    assert "error[E-NAME]: unknown name 营业收人" in en.stdout
    assert "help: did you mean 营业收入?" in en.stdout


def test_the_default_language_follows_the_locale(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rule"
    bad.write_text(MISTAKE, encoding="utf-8")
    for env, word in ((english_env(LANG="zh_CN.UTF-8"), "没有闭合"),
                      (english_env(LC_ALL="zh_TW.UTF-8"), "没有闭合"),
                      (english_env(LANG="zh_CN.UTF-8", LC_ALL="en_US.UTF-8"), "never closed"),
                      (english_env(), "never closed")):
        proc = run("check", str(bad), env=env)
        assert word in proc.stdout, (env.get("LANG"), env.get("LC_ALL"), proc.stdout)
    ok = run("check", "rules/", env=english_env(LANG="zh_CN.UTF-8"))
    assert re.search(r"^ok：\d+ 个文件，\d+ 个标签", ok.stdout, re.MULTILINE), ok.stdout


def test_check_json_carries_code_key_and_the_message_in_the_language(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rule"
    bad.write_text(MISTAKE, encoding="utf-8")
    data = json.loads(run("check", str(bad), "--format", "json", "--lang", "zh").stdout)
    assert data["lang"] == "zh"
    (d,) = data["diagnostics"]
    assert d["code"] == "E-SYNTAX" and d["message_key"] == "syntax.unclosed"
    assert d["message"] == "第2行第12列的 ( 没有闭合"
    assert (d["line"], d["column"]) == (2, 12)


def test_checking_one_file_hints_at_the_folder(tmp_path: Path, folder_of_two: Path) -> None:
    one = folder_of_two
    proc = run("check", str(one), "--lang", "zh")
    assert proc.returncode == 1
    assert "未定义的名称 营业收入" in proc.stdout
    assert f"营业收入 在同一文件夹的 {tmp_path / 'tags.rule'} 中声明" in proc.stdout
    assert f"policy-match check {tmp_path}" in proc.stdout
    en = run("check", str(one))
    assert "declared in" in en.stdout and "check the whole folder" in en.stdout
    assert run("check", str(tmp_path)).returncode == 0  # the folder is whole


def test_test_lang_and_a_failing_example_explains_itself(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.rule").write_text(
        "tag 营业收入: money\ntag 失信被执行人: bool\n"
        'policy "P" {\n    事项名称: "x"\n'
        "    申请条件: 营业收入 >= 2000万 且 非 失信被执行人\n"
        '    示例 "大企业" { 给定 { 营业收入: 3000万, 失信被执行人: 是 } 预期 符合 }\n}\n',
        encoding="utf-8")
    zh = run("test", str(rules), "--lang", "zh")
    assert zh.returncode == 1
    assert "未通过 P 示例 “大企业”" in zh.stdout
    assert "预期 符合，实际 不符合" in zh.stdout
    assert "原因：" in zh.stdout and "✗" in zh.stdout and "失信被执行人" in zh.stdout
    assert "0 个通过，1 个失败" in zh.stdout
    en = run("test", str(rules))
    assert "FAIL P example “大企业”" in en.stdout
    assert "expected eligible, got ineligible" in en.stdout and "why:" in en.stdout
    assert "0 passed, 1 failed" in en.stdout
    data = json.loads(run("test", str(rules), "--format", "json", "--lang", "en").stdout)
    (example,) = data["examples"]
    assert example["problems"] == ["expected eligible, got ineligible"]
    assert example["explanation"]["failed"] and "✗" in example["explanation"]["text"]


def _quoted(page: Path, command: str) -> str:
    """The output printed under ``$ <command>`` in a fenced block of ``page``."""
    text = page.read_text(encoding="utf-8")
    start = text.index(f"$ {command}\n") + len(command) + 3
    end = min(i for i in (text.find("\n$ ", start), text.find("\n```", start)) if i != -1)
    return text[start:end]


def test_the_failing_run_quoted_in_the_test_page_is_what_test_prints(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "docs" / "tutorial" / "rules", rules)
    target = rules / "小微企业所得税.rule"
    text = target.read_text(encoding="utf-8")
    text = text.replace("应纳税所得额 <= 300万", "应纳税所得额 < 300万")
    target.write_text(text.replace("兑付 40万", "兑付 50万", 1), encoding="utf-8")
    page = REPO / "docs" / "cli" / "test.md"
    for lang in ("zh", "en"):
        proc = run("test", "rules", "--lang", lang, cwd=tmp_path)
        assert proc.returncode == 1
        assert proc.stdout.rstrip("\n") == _quoted(page, f"policy-match test rules --lang {lang}")


# ---- every command's --lang: one definition, the locale's default -------------------------


def _lang_actions() -> dict[str, argparse.Action]:
    """Each (sub)command's ``--lang`` option, by command name (``sql explain``)."""
    from policy_match.cli import build_parser

    found: dict[str, argparse.Action] = {}

    def walk(parser: argparse.ArgumentParser, name: str) -> None:
        for action in parser._actions:
            if "--lang" in action.option_strings:
                found[name] = action
            if isinstance(action, argparse._SubParsersAction):
                for sub, child in action.choices.items():
                    walk(child, f"{name} {sub}".strip())

    walk(build_parser(), "")
    return found


def test_every_command_people_read_takes_lang_defaulting_to_the_locale() -> None:
    actions = _lang_actions()
    wanted = {"check", "lint", "test", "lsp", "describe", "explain", "profile", "match",
              "list", "sheet", "serve", "demo", "benefits", "roster", "snapshot",
              "push plan", "sql load", "sql explain"}
    assert wanted <= set(actions), wanted - set(actions)
    for name, action in actions.items():  # one definition: no command fixes a language
        assert action.default is None and tuple(action.choices or ()) == ("zh", "en"), name


def bad_table(tmp_path: Path) -> tuple[Path, Path]:
    rules = tmp_path / "r.rule"
    rules.write_text(INTAKE_RULES, encoding="utf-8")
    data = tmp_path / "bad.csv"
    data.write_text("代码,营业收入\n91350100M000100Y43,-3\n", encoding="utf-8")
    return rules, data


def test_the_load_report_of_match_follows_the_locale(tmp_path: Path) -> None:
    rules, data = bad_table(tmp_path)
    args = ("match", str(rules), str(data), "--as-of", "2025-01-01", "--quiet",
            "--format", "csv")
    english = "line 2, 营业收入 = '-3': money is not negative"
    chinese = "第 2 行，营业收入 = '-3'：金额不能为负数"
    for env, shown, hidden in (
            (english_env(LANG="en_US.UTF-8"), english, chinese),
            (english_env(LANG="zh_CN.UTF-8"), chinese, english),
            (english_env(LANG="zh_CN.UTF-8", LC_ALL="en_US.UTF-8"), english, chinese),
            (english_env(LANG="en_US.UTF-8", LC_MESSAGES="zh_CN.UTF-8"), chinese, english)):
        proc = run(*args, env=env)
        assert proc.returncode == 1, proc.stderr
        assert shown in proc.stderr and hidden not in proc.stderr, (env["LANG"], proc.stderr)
    forced = run(*args, "--lang", "zh", env=english_env(LANG="en_US.UTF-8"))
    assert chinese in forced.stderr  # --lang wins over the locale


RECORD_RULES = ('tag 编号: text key\ntag 营业收入: money\n'
                'policy "P" {\n    事项名称: "规上"\n    申请条件: 营业收入 >= 100万\n}\n')


def _bad_record(tmp_path: Path) -> tuple[Path, Path]:
    rules = tmp_path / "r.rule"
    rules.write_text(RECORD_RULES, encoding="utf-8")
    record = tmp_path / "bad.json"
    record.write_text('{"营业收入": "abc万"}', encoding="utf-8")
    return rules, record


def test_explain_follows_the_locale_and_words_bad_values_in_its_language(
        tmp_path: Path) -> None:
    rules, record = _bad_record(tmp_path)
    args = ("explain", str(rules), "--record", str(record), "--as-of", "2025-01-01")
    zh = run(*args, env=english_env(LANG="zh_CN.UTF-8"))
    assert zh.returncode == 0, zh.stderr
    assert "P 规上：待补充信息" in zh.stdout
    assert "数据错误：营业收入 = 'abc万'：不是数字" in zh.stdout
    assert "not a number" not in zh.stdout
    en = run(*args, env=english_env(LANG="en_US.UTF-8"))
    assert "P 规上: unknown" in en.stdout
    assert "bad value: 营业收入 = 'abc万': not a number" in en.stdout
    assert "数据错误" not in en.stdout
    assert run(*args, "--lang", "zh", env=english_env(LANG="en_US.UTF-8")).stdout == zh.stdout
    assert run(*args, env=english_env(LANG="zh_CN.UTF-8", LC_ALL="en_US.UTF-8")
               ).stdout == en.stdout
    data = json.loads(run(*args, "--format", "json").stdout)  # the JSON is as it was
    assert data[0]["record_errors"] == ["营业收入 = 'abc万': not a number"]
    assert "field_errors" not in data[0]


def test_profile_takes_lang_for_its_bad_values(tmp_path: Path) -> None:
    rules, record = _bad_record(tmp_path)
    args = ("profile", str(rules), "--record", str(record))
    zh = run(*args, "--lang", "zh")
    assert zh.returncode == 0, zh.stderr
    assert "数据错误（按缺失处理）：营业收入 = 'abc万'：不是数字" in zh.stderr
    en = run(*args, env=english_env(LANG="en_US.UTF-8"))
    assert "bad value (counted as missing): 营业收入 = 'abc万': not a number" in en.stderr


def test_explain_of_a_date_with_no_policy_in_force_says_so_in_the_language(
        tmp_path: Path) -> None:
    rules = tmp_path / "r.rule"
    window = "适用时间: 2020-01-01 .. 2020-12-31\n    申请条件"
    rules.write_text(RECORD_RULES.replace("申请条件", window), encoding="utf-8")
    record = tmp_path / "ok.json"
    record.write_text('{"营业收入": "200万"}', encoding="utf-8")
    args = ("explain", str(rules), "--record", str(record), "--as-of", "2025-01-01")
    assert run(*args, "--lang", "zh").stdout.strip() == "（没有在适用时间内的政策）"
    assert run(*args, "--lang", "en").stdout.strip() == "(no policy in force on that date)"


def test_testing_one_file_hints_at_the_folder_in_text_and_json(tmp_path: Path,
                                                                folder_of_two: Path) -> None:
    one = folder_of_two
    zh = run("test", str(one), "--lang", "zh")
    assert zh.returncode == 1
    assert "未定义的名称 营业收入" in zh.stderr
    assert f"营业收入 在同一文件夹的 {tmp_path / 'tags.rule'} 中声明" in zh.stderr
    en = run("test", str(one))
    assert "check the whole folder" in en.stderr
    proc = run("test", str(one), "--format", "json", "--lang", "zh")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)  # one document on standard output, as the option says
    assert data["ok"] is False and data["loaded"] is False and data["errors"] == 1
    (d,) = data["diagnostics"]
    assert d["code"] == "E-NAME" and d["hint"] is not None
    assert f"policy-match check {tmp_path}" in d["hint"]
    assert run("test", str(tmp_path)).returncode == 0  # the folder is whole
