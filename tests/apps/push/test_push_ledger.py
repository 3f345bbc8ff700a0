"""A damaged ledger is named, never a traceback; the normalized schema (2) is small and
migrates schema-1 ledgers in place; export goes through the table writers and the output
guard; every command speaks JSON on request (docs/push.md, issue "nothing lost").

Damage is made the way it happens: bytes written into a real ledger file.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from policy_match.apps.push import SCHEMA_VERSION, Ledger, LedgerError, inspect
from policy_match.cli import main

REPO = Path(__file__).resolve().parents[3]
RULES = REPO / "rules"
SAMPLE = REPO / "data" / "enterprises-2000.csv"
AS_OF = "2025-06-01"


def _table(root: Path, rows: int) -> Path:
    out = root / f"enterprises-{rows}.csv"
    if SAMPLE.exists():
        lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        out.write_text("".join(lines[: rows + 1]), encoding="utf-8")
    else:
        from policy_match.tools.generate import generate_table, write

        write(generate_table(rows, seed=7), out)
    return out


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real ledger planned from 300 sample rows (thousands of messages), and its table."""
    root = tmp_path_factory.mktemp("push-ledger")
    data = _table(root, 300)
    db = root / "push.db"
    assert main(["push", "plan", str(RULES), str(data), "--ledger", str(db),
                 "--as-of", AS_OF]) == 0
    assert not Path(f"{db}-wal").exists()  # checkpointed on close: the file is the ledger
    return db, data


def copy(planned: tuple[Path, Path], tmp_path: Path) -> Path:
    db = tmp_path / "push.db"
    shutil.copyfile(planned[0], db)
    return db


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def page_size(db: Path) -> int:
    return int.from_bytes(db.read_bytes()[16:18], "big")


def commands(db: Path, data: Path, tmp_path: Path) -> dict[str, list[str]]:
    return {
        "plan": ["push", "plan", str(RULES), str(data), "--ledger", str(db), "--as-of",
                 "2027-06-01"],
        "export": ["push", "export", "--ledger", str(db), "--out", str(tmp_path / "o.jsonl")],
        "mark-sent": ["push", "mark-sent", "--ledger", str(db), "--all"],
    }


def assert_refused(db: Path, data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                   words: tuple[str, str]) -> None:
    """Every ledger command exits 2 with one Chinese + English line, no traceback."""
    for name, args in commands(db, data, tmp_path).items():
        code, out, err = run(args, capsys)
        assert code == 2, (name, out, err)
        assert "Traceback" not in out + err
        assert words[0] in err and words[1] in err, (name, err)
        assert err.count("\n") == 1, (name, err)


def check_json(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(["push", "check", str(db), "--format", "json"], capsys)
    return code, json.loads(out)


# ---- damage --------------------------------------------------------------------------------


def test_a_sound_ledger_checks_clean(planned: tuple[Path, Path],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check_json(planned[0], capsys)
    assert code == 0 and report["sound"] is True and report["damage"] == []
    assert report["schema_version"] == SCHEMA_VERSION
    code, out, _ = run(["push", "check", str(planned[0]), "--quick"], capsys)
    assert code == 0 and "账本完好" in out and "sound" in out


def test_bytes_overwritten_in_the_middle(planned: tuple[Path, Path], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    db = copy(planned, tmp_path)
    size, page = db.stat().st_size, page_size(db)
    pages = size // page
    assert pages > 20
    with open(db, "r+b") as handle:  # the header page intact; a third of the rest garbage
        rng = random.Random(5)
        for number in range(pages // 3, 2 * pages // 3):
            handle.seek(number * page)
            handle.write(bytes(rng.randrange(256) for _ in range(page)))
    assert_refused(db, planned[1], tmp_path, capsys, ("损坏", "damaged"))
    code, report = check_json(db, capsys)
    assert code == 1 and report["sound"] is False
    kinds = {d["kind"] for d in report["damage"]}
    assert kinds & {"integrity", "unreadable"}, report
    assert any(d["table"] for d in report["damage"]), "the damage names no table"
    code, out, _ = run(["push", "check", str(db)], capsys)
    assert code == 1 and "损坏" in out and "damage" in out


def test_a_truncated_file(planned: tuple[Path, Path], tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    db = copy(planned, tmp_path)
    with open(db, "r+b") as handle:
        handle.truncate(db.stat().st_size // 2)
    assert_refused(db, planned[1], tmp_path, capsys, ("损坏", "damaged"))
    code, report = check_json(db, capsys)
    assert code == 1 and {d["kind"] for d in report["damage"]} & {"integrity", "unreadable"}


def test_a_file_that_is_not_sqlite(planned: tuple[Path, Path], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "push.db"
    db.write_text("统一社会信用代码,企业名称\n", encoding="utf-8")
    assert_refused(db, planned[1], tmp_path, capsys, ("不是 SQLite 文件", "not an SQLite file"))
    assert db.read_text(encoding="utf-8") == "统一社会信用代码,企业名称\n"  # left alone
    code, report = check_json(db, capsys)
    assert code == 1 and [d["kind"] for d in report["damage"]] == ["not_sqlite"]
    # an SQLite file of something else is not a ledger either, and is not written into
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    assert_refused(other, planned[1], tmp_path, capsys, ("不是推送账本", "not a push ledger"))
    code, report = check_json(other, capsys)
    assert code == 1 and [d["kind"] for d in report["damage"]] == ["not_ledger"]
    conn = sqlite3.connect(other)
    assert [n for (n,) in conn.execute("SELECT name FROM sqlite_master")] == ["t"]
    conn.close()


@pytest.mark.parametrize(("change", "table"), [
    ("DROP TABLE prompted", "prompted"),
    ("ALTER TABLE outbox ADD COLUMN note TEXT", "outbox"),
    ("ALTER TABLE told RENAME COLUMN withdrawn_by TO withdrawn", "told"),
    ("DROP INDEX outbox_unsent", "outbox_unsent"),
])
def test_a_ledger_whose_tables_were_altered(planned: tuple[Path, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str], change: str,
                                            table: str) -> None:
    db = copy(planned, tmp_path)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA legacy_alter_table = ON")  # the views are not rewritten either
    conn.execute(change)
    conn.commit()
    conn.close()
    assert_refused(db, planned[1], tmp_path, capsys, ("表结构被改动", "tables were altered"))
    code, report = check_json(db, capsys)
    assert code == 1
    assert table in {d["table"] for d in report["damage"] if d["kind"] == "schema"}, report


def test_data_that_disagree_are_named(planned: tuple[Path, Path], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = copy(planned, tmp_path)
    conn = sqlite3.connect(db)
    key = conn.execute("SELECT e.key, i.key FROM told f JOIN enterprises e ON e.n ="
                       " f.enterprise JOIN items i ON i.n = f.item LIMIT 1").fetchone()
    conn.execute("UPDATE told SET generation = generation + 1 WHERE enterprise ="
                 " (SELECT n FROM enterprises WHERE key = ?) AND item ="
                 " (SELECT n FROM items WHERE key = ?)", key)
    deleted = conn.execute("DELETE FROM prompted WHERE enterprise ="
                           " (SELECT min(enterprise) FROM prompted)").rowcount
    conn.commit()
    conn.close()
    assert deleted
    code, report = check_json(db, capsys)
    assert code == 1
    rows: dict[str, list[str]] = {}
    for d in report["damage"]:
        assert d["kind"] == "consistency", d
        rows.setdefault(d["table"], []).extend(d["rows"])
    assert rows["told"] == [f"{key[0]} {key[1]}"]
    assert len(rows["outbox"]) == deleted  # the prompts whose facts were deleted
    assert "prompt not in the prompted facts" in json.dumps(report, ensure_ascii=False)
    with Ledger(db) as ledger:
        assert ledger.check()  # the library names it too


def test_ledger_errors_are_chinese_and_english(tmp_path: Path) -> None:
    bad = tmp_path / "x.db"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(LedgerError) as caught:
        Ledger(bad)
    assert caught.value.code == "not_sqlite"
    assert "不是 SQLite 文件" in caught.value.text("zh")
    assert "not an SQLite file" in caught.value.text("en")
    assert report_of(inspect(bad)) == ["not_sqlite"]


def report_of(report: Any) -> list[str]:
    return [d.kind for d in report.damage]


# ---- schema 2: size and migration ------------------------------------------------------------

V1_SCHEMA = (  # schema 1, as policy-match wrote it before the normalization
    """CREATE TABLE runs (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
        as_of TEXT NOT NULL, rules_digest TEXT NOT NULL, source TEXT NOT NULL,
        enterprises INTEGER NOT NULL, added TEXT)""",
    """CREATE TABLE outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('match', 'announce', 'prompt', 'withdraw')),
        enterprise TEXT NOT NULL, item TEXT NOT NULL,
        generation INTEGER NOT NULL CHECK (generation >= 1), item_name TEXT NOT NULL,
        push TEXT, as_of TEXT NOT NULL, reason TEXT NOT NULL, missing TEXT, text TEXT NOT NULL,
        payload TEXT NOT NULL, run_id TEXT REFERENCES runs (id), created_at TEXT NOT NULL,
        sent_at TEXT, UNIQUE (kind, enterprise, item, generation))""",
    "CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL",
    """CREATE TABLE told (enterprise TEXT NOT NULL, item TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('match', 'announce')),
        generation INTEGER NOT NULL CHECK (generation >= 1),
        active INTEGER NOT NULL CHECK (active IN (0, 1)),
        told_by TEXT NOT NULL REFERENCES outbox (id), told_as_of TEXT NOT NULL,
        withdrawn_by TEXT REFERENCES outbox (id), withdrawn_as_of TEXT,
        PRIMARY KEY (enterprise, item), CHECK ((active = 1) = (withdrawn_by IS NULL))
    ) WITHOUT ROWID""",
    """CREATE TABLE prompted (enterprise TEXT NOT NULL, item TEXT NOT NULL,
        missing TEXT NOT NULL, generation INTEGER NOT NULL CHECK (generation >= 1),
        prompted_by TEXT NOT NULL REFERENCES outbox (id), as_of TEXT NOT NULL,
        PRIMARY KEY (enterprise, item)) WITHOUT ROWID""",
)


def write_v1(source: Path, target: Path, bad_id: bool = False) -> None:
    """A schema-1 ledger holding what ``source`` (schema 2) holds: its views give the rows."""
    conn = sqlite3.connect(target)
    conn.execute("ATTACH ? AS new", (str(source),))
    for statement in V1_SCHEMA:
        conn.execute(statement)
    conn.execute("INSERT INTO runs SELECT id, started_at, finished_at, as_of, rules_digest,"
                 " source, enterprises, added FROM new.runs")
    conn.execute("INSERT INTO outbox SELECT seq, id, kind, enterprise, item, generation,"
                 " item_name, push, as_of, reason, missing, text, payload, run_id, created_at,"
                 " sent_at FROM new.messages")
    conn.execute("INSERT INTO told SELECT * FROM new.told_facts")
    conn.execute("INSERT INTO prompted SELECT * FROM new.prompted_facts")
    if bad_id:
        conn.execute("UPDATE outbox SET id = 'm1' WHERE seq = (SELECT max(seq) FROM outbox"
                     " WHERE kind = 'prompt')")
        conn.execute("UPDATE prompted SET prompted_by = 'm1' WHERE prompted_by NOT IN"
                     " (SELECT id FROM outbox)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_an_old_ledger_is_migrated_in_place(planned: tuple[Path, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    db = copy(planned, tmp_path)
    assert main(["push", "mark-sent", "--ledger", str(db), "--all"]) == 0
    assert main(["push", "plan", str(RULES), str(planned[1]), "--ledger", str(db),
                 "--as-of", "2027-06-01"]) == 0  # withdrawals, and messages not sent
    before_jsonl, before_csv = tmp_path / "before.jsonl", tmp_path / "before.csv"
    for out in (before_jsonl, before_csv):
        assert main(["push", "export", "--ledger", str(db), "--out", str(out)]) == 0
    old = tmp_path / "old.db"
    write_v1(db, old)
    old_size = old.stat().st_size
    capsys.readouterr()
    code, report = check_json(old, capsys)
    assert code == 0 and report["schema_version"] == 1 and "migrates" in report["note"]
    after_jsonl, after_csv = tmp_path / "after.jsonl", tmp_path / "after.csv"
    for out in (after_jsonl, after_csv):  # the first opening migrates
        assert main(["push", "export", "--ledger", str(old), "--out", str(out)]) == 0
    assert after_jsonl.read_bytes() == before_jsonl.read_bytes()
    assert after_csv.read_bytes() == before_csv.read_bytes()
    with Ledger(old) as ledger:
        assert ledger.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert ledger.check() == []
    assert old.stat().st_size < old_size / 4  # vacuumed after the migration
    # planning again on the migrated ledger adds nothing: the facts came along
    code, out, _ = run(["push", "plan", str(RULES), str(planned[1]), "--ledger", str(old),
                        "--as-of", "2027-06-01", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["total"] == 0


def test_a_failed_migration_leaves_the_old_ledger(planned: tuple[Path, Path], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.db"
    write_v1(planned[0], old, bad_id=True)
    before = old.read_bytes()
    code, _, err = run(["push", "export", "--ledger", str(old), "--out",
                        str(tmp_path / "o.csv")], capsys)
    assert code == 2 and "无法升级旧格式账本" in err and "cannot migrate" in err
    assert "Traceback" not in err and not (tmp_path / "o.csv").exists()
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            } == {"runs", "outbox", "told", "prompted"}
    conn.close()
    assert len(old.read_bytes()) == len(before)


# ---- export, and JSON from every command -----------------------------------------------------


def test_export_refuses_to_overwrite(planned: tuple[Path, Path], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = copy(planned, tmp_path)
    out = tmp_path / "outbox.csv"
    out.write_text("keep me\n", encoding="utf-8")
    code, _, err = run(["push", "export", "--ledger", str(db), "--out", str(out)], capsys)
    assert code == 2 and "--force" in err and "文件已存在" in err
    assert out.read_text(encoding="utf-8") == "keep me\n"
    code, out_text, _ = run(["push", "export", "--ledger", str(db), "--out", str(out),
                             "--force", "--format", "json"], capsys)
    assert code == 0 and json.loads(out_text)["messages"] > 2000
    assert out.read_text(encoding="utf-8").startswith("id,kind,enterprise,item")
    # the ledger itself is an input: never an output, --force or not
    named = tmp_path / "ledger.csv"
    shutil.copyfile(db, named)
    code, _, err = run(["push", "export", "--ledger", str(named), "--out", str(named),
                        "--force"], capsys)
    assert code == 2 and "输出文件就是输入文件" in err
    with Ledger(named) as ledger:
        assert ledger.check() == []
    assert not list(tmp_path.glob(".*.tmp*"))  # no temporary file left behind


def test_every_command_speaks_json(planned: tuple[Path, Path], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = copy(planned, tmp_path)
    code, out, _ = run(["push", "plan", str(RULES), str(planned[1]), "--ledger", str(db),
                        "--as-of", "2027-06-01", "--format", "json"], capsys)
    planned_now = json.loads(out)
    assert code == 0 and planned_now["added"]["withdraw"] > 0
    assert planned_now["total"] == sum(planned_now["added"].values())
    exported = tmp_path / "o.jsonl"
    assert main(["push", "export", "--ledger", str(db), "--out", str(exported)]) == 0
    first = json.loads(exported.read_text(encoding="utf-8").splitlines()[0])["id"]
    code, out, _ = run(["push", "mark-sent", "--ledger", str(db), first, "nope",
                        "--format", "json"], capsys)
    assert code == 1 and json.loads(out) == {"ledger": str(db), "marked": 1, "already": 0,
                                             "unknown": ["nope"]}
    code, out, _ = run(["push", "export", "--ledger", str(db), "--out",
                        str(tmp_path / "u.csv"), "--unsent", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["messages"] == planned_now["unsent"] - 1


# ---- mark-sent killed mid-way ----------------------------------------------------------------


def test_killed_mark_sent_is_all_or_nothing(planned: tuple[Path, Path],
                                            tmp_path: Path) -> None:
    db = copy(planned, tmp_path)
    ids = tmp_path / "receipts.jsonl"
    with Ledger(db) as ledger:
        total = ledger.counts()["messages"]
        from policy_match.apps.push import export

        export(ledger, ids)
    script = Path(sys.executable).with_name("policy-match")
    rng = random.Random()
    outcomes = []
    for _ in range(6):
        proc = subprocess.Popen([str(script), "push", "mark-sent", "--ledger", str(db),
                                 "--from", str(ids)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env={**os.environ})
        time.sleep(rng.uniform(0.2, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        with Ledger(db) as ledger:
            assert ledger.check() == []
            unsent = ledger.counts()["unsent"]
        assert unsent in (0, total), f"a killed mark-sent left {unsent} of {total} unsent"
        outcomes.append(unsent)
        if unsent == 0:
            break
    assert main(["push", "mark-sent", "--ledger", str(db), "--from", str(ids)]) == 0
    with Ledger(db) as ledger:
        assert ledger.counts()["unsent"] == 0
        deliveries = ledger.conn.execute("SELECT count(*) FROM deliveries").fetchone()[0]
    assert deliveries == 1, outcomes  # one transaction marked them all, once
