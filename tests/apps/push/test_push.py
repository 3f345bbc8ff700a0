"""Push planning with a ledger (issue "Policies over time", item 4; docs/push.md).

Unit tests drive the library and the command in-process on small tables built from records;
the acceptance tests run ``policy-match push plan`` as real subprocesses: killed with SIGKILL
at random points and rerun, and two planners at once on one ledger.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from policy_match.apps.push import Ledger, PlanReport, plan
from policy_match.cli import main
from policy_match.core.loading import load, load_sources
from policy_match.core.missing import missing_tags
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict

REPO = Path(__file__).resolve().parents[3]
RULES = REPO / "rules"
SAMPLE = REPO / "data" / "enterprises-2000.csv"

TARGETED = "WH-KJ-2024-003"  # 高新技术企业首次认定奖励: 精准, valid 2024-01-01 to 2026-12-31


@pytest.fixture(scope="module")
def book() -> Rulebook:
    book = load(RULES)
    assert book.policies[TARGETED].push == "精准"
    assert book.policies[TARGETED].valid_to == dt.date(2026, 12, 31)
    for day in (dt.date(2026, 7, 1), dt.date(2026, 12, 1)):
        assert book.evaluate(high_tech(1), TARGETED, day) is Verdict.ELIGIBLE, day
        assert book.evaluate(high_tech(1, 高企认定类型="重新认定"), TARGETED, day) \
            is Verdict.INELIGIBLE
    return book


def general(book: Rulebook, day: dt.date) -> set[str]:
    """The 普惠 items in force on ``day``."""
    return {pid for pid, p in book.policies.items() if p.push == "普惠" and p.active_on(day)}


# ---- helpers -------------------------------------------------------------------------------

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(n: int) -> str:
    """A valid 统一社会信用代码 (GB 32100-2015 check character) numbered ``n``."""
    body = f"91530102MA{n:07d}"
    total = sum(_ALPHABET.index(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    return body + _ALPHABET[(31 - total % 31) % 31]


def high_tech(n: int, **changes: Any) -> dict[str, Any]:
    """An enterprise that qualifies for WH-KJ-2024-003 (首次认定的高企) through 2026."""
    record = {"统一社会信用代码": uscc(n), "资质": ["高新技术企业"], "高企认定类型": "首次认定",
              "高企认定日期": "2026-06-01", "所在区域": "530102003", "失信被执行人": "否"}
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


def plan_records(book: Rulebook, db: Path, records: Iterable[dict[str, Any]],
                 as_of: dt.date, batch_size: int | None = None) -> PlanReport:
    table = EnterpriseTable.from_records(list(records), book)
    with Ledger(db) as ledger:
        report = plan(ledger, book.match(table, as_of), batch_size=batch_size)
        assert ledger.check() == []
    return report


def messages(db: Path, unsent: bool = False) -> list[dict[str, Any]]:
    with Ledger(db) as ledger:
        return ledger.messages(unsent=unsent)


def of(found: list[dict[str, Any]], kind: str, item: str | None = None,
       enterprise: str | None = None) -> list[dict[str, Any]]:
    return [m for m in found if m["kind"] == kind and item in (None, m["item"])
            and enterprise in (None, m["enterprise"])]


def snapshot(db: Path) -> dict[str, Any]:
    """The ledger's content that planning determines: messages by logical key, and the
    told and prompted facts (no timestamps or run ids)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT kind, enterprise, item, generation, id, text, reason,"
                            " missing FROM messages").fetchall()
        outbox = {(k, e, i, g): (mid, text, reason, missing)
                  for k, e, i, g, mid, text, reason, missing in rows}
        assert len(outbox) == len(rows), "a logical message recorded twice"
        assert len({r[4] for r in rows}) == len(rows), "a message id recorded twice"
        told = set(conn.execute("SELECT enterprise, item, kind, generation, active, told_by,"
                                " withdrawn_by FROM told_facts"))
        prompted = set(conn.execute("SELECT enterprise, item, missing, generation, prompted_by"
                                    " FROM prompted_facts"))
        assert len(told) == conn.execute("SELECT count(*) FROM told").fetchone()[0]
        assert len(prompted) == conn.execute("SELECT count(*) FROM prompted").fetchone()[0]
    finally:
        conn.close()
    return {"outbox": outbox, "told": told, "prompted": prompted}


def sample_table(tmp_path: Path, rows: int | None = None) -> Path:
    """The sample enterprise table (its first ``rows`` rows), or a generated one."""
    out = tmp_path / f"enterprises-{rows or 'all'}.csv"
    if SAMPLE.exists():
        lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        out.write_text("".join(lines[: (rows or len(lines)) + 1]), encoding="utf-8")
    else:
        from policy_match.tools.generate import generate_table, write

        write(generate_table(rows or 2000, seed=7), out)
    return out


# ---- planning ------------------------------------------------------------------------------


def test_plan_twice_adds_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = sample_table(tmp_path)
    db = tmp_path / "push.db"
    args = ["push", "plan", str(RULES), str(data), "--ledger", str(db), "--as-of", "2025-06-01"]
    assert main(args) == 0  # its speed is measured in benchmarks/, not asserted here
    first = snapshot(db)
    assert len(first["outbox"]) > 1000
    assert "新增 0 条" not in capsys.readouterr().out
    assert main(args) == 0
    assert "新增 0 条消息" in capsys.readouterr().out
    assert snapshot(db) == first
    # schema 2 stores a message in about 120 bytes (schema 1: about 1,400)
    per_message = db.stat().st_size / len(first["outbox"])
    assert per_message <= 150, f"{per_message:.0f} bytes per message"
    kinds = Counter(k for k, *_ in first["outbox"])
    assert kinds["match"] and kinds["announce"] and kinds["prompt"] and not kinds["withdraw"]


def test_targeted_items_go_to_matched_enterprises_only(book: Rulebook, tmp_path: Path) -> None:
    db = tmp_path / "push.db"
    day = dt.date(2026, 7, 1)
    records = [high_tech(1), high_tech(2, 高企认定类型="重新认定")]
    plan_records(book, db, records, day)
    found = messages(db)
    matched = of(found, "match", TARGETED)
    assert [m["enterprise"] for m in matched] == [uscc(1)]
    assert matched[0]["generation"] == 1 and matched[0]["push"] == "精准"
    assert "符合“高新技术企业首次认定奖励”" in matched[0]["text"]
    table = EnterpriseTable.from_records(records, book)
    result = book.match(table, day)
    eligible = {(e, pid) for pid, p in book.policies.items() if p.push == "精准"
                for e in (result.eligible(pid) if result.tris[pid] is not None else [])}
    assert {(m["enterprise"], m["item"]) for m in of(found, "match")} == eligible


def test_withdrawal_when_the_item_expires(book: Rulebook, tmp_path: Path) -> None:
    db = tmp_path / "push.db"
    records = [high_tech(1), high_tech(2)]
    plan_records(book, db, records, dt.date(2026, 12, 1))
    assert len(of(messages(db), "match", TARGETED)) == 2
    report = plan_records(book, db, records, dt.date(2027, 1, 5))  # valid to 2026-12-31
    withdrawn = of(messages(db), "withdraw", TARGETED)
    assert sorted(m["enterprise"] for m in withdrawn) == [uscc(1), uscc(2)]
    assert all(m["reason"] == "expired" and m["generation"] == 1 for m in withdrawn)
    assert "2026-12-31届满" in withdrawn[0]["text"]
    assert report.added["withdraw"] >= 2
    again = plan_records(book, db, records, dt.date(2027, 2, 1))
    assert again.added["withdraw"] == 0 and again.added["match"] == 0


def test_withdrawal_when_the_data_change(book: Rulebook, tmp_path: Path) -> None:
    db = tmp_path / "push.db"
    day = dt.date(2026, 7, 1)
    plan_records(book, db, [high_tech(1), high_tech(2)], day)
    # a second table: enterprise 1 turns out to be 重新认定 and no longer qualifies
    changed = [high_tech(1, 高企认定类型="重新认定"), high_tech(2)]
    plan_records(book, db, changed, day)
    withdrawn = of(messages(db), "withdraw", TARGETED)
    assert [(m["enterprise"], m["reason"], m["generation"]) for m in withdrawn] == [
        (uscc(1), "ineligible", 1)]
    assert "已不符合" in withdrawn[0]["text"]
    assert plan_records(book, db, changed, day).total == 0
    # it qualifies again: a new generation is pushed, once
    plan_records(book, db, [high_tech(1), high_tech(2)], day)
    pushed = of(messages(db), "match", TARGETED, uscc(1))
    assert [m["generation"] for m in pushed] == [1, 2]
    assert plan_records(book, db, [high_tech(1), high_tech(2)], day).total == 0
    # an enterprise missing from a later table is left alone (a table may be partial)
    assert plan_records(book, db, [high_tech(2)], day).total == 0


def test_withdrawal_when_the_item_leaves_the_rulebook(book: Rulebook, tmp_path: Path) -> None:
    db = tmp_path / "push.db"
    day = dt.date(2026, 7, 1)
    records = [high_tech(1)]
    plan_records(book, db, records, day)
    # the item is taken down (here: renumbered, every reference with it)
    sources = {path: text.replace(f'"{TARGETED}"', '"WH-KJ-2024-903"')
               for path, text in book.sources.items()}
    renumbered = load_sources(sources).rulebook
    assert renumbered is not None and TARGETED not in renumbered.policies
    report = plan_records(renumbered, db, records, day)
    withdrawn = of(messages(db), "withdraw", TARGETED)
    assert [(m["reason"], m["item_name"]) for m in withdrawn] == [
        ("repealed", book.policies[TARGETED].name)]
    assert "已下架" in withdrawn[0]["text"]
    assert report.added["match"] >= 1  # WH-KJ-2024-903, the item under its new number
    assert plan_records(renumbered, db, records, day).total == 0


def test_general_items_are_announced_once(book: Rulebook, tmp_path: Path) -> None:
    db = tmp_path / "push.db"
    records = [high_tech(1), high_tech(2, 高企认定类型="重新认定"), {"统一社会信用代码": uscc(3)}]
    plan_records(book, db, records, dt.date(2025, 6, 1))
    announced = of(messages(db), "announce")
    pairs = Counter((m["enterprise"], m["item"]) for m in announced)
    items = general(book, dt.date(2025, 6, 1))
    assert items and general(book, dt.date(2025, 9, 1)) == items
    assert set(pairs) == {(uscc(n), pid) for n in (1, 2, 3) for pid in items}
    assert set(pairs.values()) == {1}
    assert all(m["push"] == "普惠" for m in announced)
    # other data, a later date: nothing announced again; a new enterprise gets its share
    changed = [high_tech(1, 资质=["科技型中小企业"]), *records[1:], high_tech(4)]
    report = plan_records(book, db, changed, dt.date(2025, 9, 1))
    assert report.added["announce"] == len(items)
    assert {m["enterprise"] for m in of(messages(db), "announce")[-len(items):]} == {uscc(4)}


def test_general_item_withdrawn_when_it_expires(book: Rulebook, tmp_path: Path) -> None:
    db = tmp_path / "push.db"
    item = next(p for p in book.policies.values() if p.push == "普惠" and p.valid_to)
    last = item.valid_to
    assert last is not None
    records = [high_tech(1), {"统一社会信用代码": uscc(3)}]
    plan_records(book, db, records, last)  # the last day (inclusive)
    assert len(of(messages(db), "announce", item.id)) == 2
    plan_records(book, db, records, last + dt.timedelta(days=1))
    withdrawn = of(messages(db), "withdraw", item.id)
    assert {m["enterprise"] for m in withdrawn} == {uscc(1), uscc(3)}
    assert {m["reason"] for m in withdrawn} == {"expired"}
    assert all(m["push"] == "普惠" and m["generation"] == 1 for m in withdrawn)


def test_prompts_ask_for_the_missing_tags(book: Rulebook, tmp_path: Path) -> None:
    db = tmp_path / "push.db"
    day = dt.date(2026, 7, 1)
    lacking = high_tech(1, 高企认定类型=None)
    plan_records(book, db, [lacking], day)
    prompts = of(messages(db), "prompt", TARGETED)
    assert len(prompts) == 1
    explained = book.explain(lacking, TARGETED, day)
    assert explained.verdict is Verdict.UNKNOWN
    assert prompts[0]["missing"] == explained.missing == ["高企认定类型"]
    assert "请补充：高企认定类型" in prompts[0]["text"]
    assert not of(messages(db), "match", TARGETED)
    # every prompt names tags, and matches explain's missing for its pair
    for m in of(messages(db), "prompt"):
        assert m["missing"] == book.explain(lacking, m["item"], day).missing != []
    assert plan_records(book, db, [lacking], day).total == 0
    # a different set of missing tags: asked again (generation 2); the same set: not
    other = high_tech(1, 高企认定日期=None)
    plan_records(book, db, [other], day)
    prompts = of(messages(db), "prompt", TARGETED)
    assert [(m["generation"], m["missing"]) for m in prompts] == [
        (1, ["高企认定类型"]), (2, ["高企认定日期"])]
    # the data arrive: it qualifies, is told, and is not asked again
    report = plan_records(book, db, [high_tech(1)], day)
    assert report.added["match"] >= 1
    assert len(of(messages(db), "prompt", TARGETED)) == 2


def test_bulk_missing_equals_explain(book: Rulebook, tmp_path: Path) -> None:
    table = EnterpriseTable.load(sample_table(tmp_path), book)
    rng = random.Random(3)
    for day in (dt.date(2024, 6, 1), dt.date(2025, 6, 1)):
        result = book.match(table, day)
        grouped = missing_tags(result)
        assert grouped == missing_tags(result, exact=True)
        pairs = [(pid, row) for pid, rows in grouped.items() for row in rows]
        assert pairs, "the sample should have unknown pairs"
        for pid, row in rng.sample(pairs, min(60, len(pairs))):
            explained = book.explain(table.row(row), pid, day)
            assert explained.verdict is Verdict.UNKNOWN
            assert list(grouped[pid][row]) == explained.missing


def test_mark_sent_and_export(book: Rulebook, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "push.db"
    plan_records(book, db, [high_tech(1), high_tech(2, 高企认定类型=None)], dt.date(2026, 7, 1))
    everything = messages(db)
    out = tmp_path / "outbox.jsonl"
    assert main(["push", "export", "--ledger", str(db), "--out", str(out), "--unsent"]) == 0
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [m["id"] for m in exported] == [m["id"] for m in everything]
    assert {"id", "kind", "enterprise", "item", "text", "department", "url"} <= set(exported[0])
    first, second = exported[0]["id"], exported[1]["id"]
    assert main(["push", "mark-sent", "--ledger", str(db), first, second]) == 0
    assert "marked 2 sent" in capsys.readouterr().out
    assert main(["push", "mark-sent", "--ledger", str(db), first, "nope"]) == 1
    assert "marked 0 sent; 1 already sent; 1 unknown" in capsys.readouterr().out
    unsent = messages(db, unsent=True)
    assert len(unsent) == len(everything) - 2 and first not in {m["id"] for m in unsent}
    sent = {m["id"]: m["sent_at"] for m in messages(db)}
    assert sent[first] and sent[second]
    # CSV for people, --from an exported file for the sender's receipts
    csv_out = tmp_path / "outbox.csv"
    assert main(["push", "export", "--ledger", str(db), "--out", str(csv_out), "--unsent"]) == 0
    lines = csv_out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,kind,enterprise,item") and len(lines) == len(unsent) + 1
    assert main(["push", "mark-sent", "--ledger", str(db), "--from", str(csv_out)]) == 0
    assert messages(db, unsent=True) == []
    plan_records(book, db, [high_tech(3)], dt.date(2026, 7, 1))
    assert messages(db, unsent=True)
    assert main(["push", "mark-sent", "--ledger", str(db), "--all"]) == 0
    assert messages(db, unsent=True) == []
    assert main(["push", "mark-sent", "--ledger", str(db)]) == 2  # nothing named
    assert main(["push", "export", "--ledger", str(db), "--out", str(tmp_path / "x.txt")]) == 2


# ---- acceptance: killed and concurrent planners (real subprocesses) ------------------------

BATCH = "2"  # enterprises per transaction: small, so a kill lands between and inside batches
ROWS = 600  # of the sample: enough for hundreds of transactions, quick to rerun


def cli() -> str:
    script = Path(sys.executable).with_name("policy-match")
    assert script.exists(), f"console script missing: {script} (pip install -e .)"
    return str(script)


def start_plan(db: Path, data: Path, as_of: str = "2025-06-01") -> subprocess.Popen[str]:
    """A planner on ``data`` with the rules copied beside it (one rulebook for every run)."""
    env = {**os.environ, "POLICY_MATCH_PUSH_BATCH": BATCH}
    rules = data.parent / "rules"
    return subprocess.Popen(
        [cli(), "push", "plan", str(rules), str(data), "--ledger", str(db), "--as-of", as_of],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        encoding="utf-8")


def plan_in_process(db: Path, data: Path, as_of: str = "2025-06-01") -> None:
    """The same command without a new interpreter: the uninterrupted reference runs."""
    rules = data.parent / "rules"
    args = ["push", "plan", str(rules), str(data), "--ledger", str(db), "--as-of", as_of]
    assert main(args) == 0


def finish(proc: subprocess.Popen[str]) -> None:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert "Traceback" not in out + err


class Watch:
    """Counts a ledger's outbox while a planner writes it (a reader: WAL lets it be)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.conn: sqlite3.Connection | None = None

    def count(self) -> int:
        if self.conn is None:
            if not self.db.exists():  # connecting would create it
                return 0
            self.conn = sqlite3.connect(self.db, timeout=10)
        try:
            return int(self.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
        except sqlite3.Error:  # not created yet
            return 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def outbox_count(db: Path) -> int:
    watch = Watch(db)
    try:
        return watch.count()
    finally:
        watch.close()


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The data for the subprocess tests and the ledger of a clean, uninterrupted run."""
    root = tmp_path_factory.mktemp("push-acceptance")
    shutil.copytree(RULES, root / "rules")
    data = sample_table(root, ROWS)
    clean = root / "clean.db"
    plan_in_process(clean, data)
    return data, snapshot(clean)


def _kill_and_rerun(db: Path, data: Path, clean: dict[str, Any], rng: random.Random,
                    kills: int) -> list[tuple[str, int, int, bool]]:
    """``kills`` planners on one ledger, each SIGKILLed at a random point; then a rerun to
    completion. After every kill the ledger is consistent and holds only due messages."""
    total = len(clean["outbox"])
    log = []
    for _ in range(kills):
        before = outbox_count(db)
        proc = start_plan(db, data)
        if rng.random() < 0.3:  # anywhere: loading, matching or writing
            how = "delay"
            time.sleep(rng.uniform(0.0, 1.5))
        else:  # somewhere in the writing, after a random share of the remaining work
            how = "progress"
            target = before + rng.uniform(0.02, 0.98) * (total - before)
            deadline = time.monotonic() + 60
            watch = Watch(db)
            while proc.poll() is None and watch.count() < target \
                    and time.monotonic() < deadline:
                time.sleep(0.005)
            watch.close()
            time.sleep(rng.uniform(0.0, 0.01))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        killed = proc.returncode == -signal.SIGKILL
        after = outbox_count(db)
        log.append((how, before, after, killed))
        with Ledger(db) as ledger:
            assert ledger.check() == []
        partial = snapshot(db)["outbox"]
        extra = {k: v for k, v in partial.items() if clean["outbox"].get(k) != v}
        assert not extra, f"messages not due: {list(extra)[:3]}"
    finish(start_plan(db, data))
    assert snapshot(db) == clean
    return log


def test_killed_planner_completes_exactly_once(tmp_path: Path,
                                               subset: tuple[Path, dict[str, Any]]) -> None:
    data, clean = subset
    seed = random.randrange(1 << 30)
    ledgers, kills_each = 5, 4  # 20 killed runs
    with ThreadPoolExecutor(2) as pool:
        logs = list(pool.map(
            lambda i: _kill_and_rerun(tmp_path / f"killed-{i}.db", data, clean,
                                      random.Random(seed + i), kills_each),
            range(ledgers)))
    runs = [entry for log in logs for entry in log]
    assert len(runs) == ledgers * kills_each
    total = len(clean["outbox"])
    midway = [r for r in runs if r[3] and r[1] < r[2] < total]
    assert len(midway) >= 8, f"seed {seed}: too few kills landed mid-plan: {runs}"


def test_two_planners_at_once_never_duplicate(tmp_path: Path,
                                              subset: tuple[Path, dict[str, Any]]) -> None:
    data, clean = subset
    db = tmp_path / "shared.db"  # new: both also race to create the schema
    first, second = start_plan(db, data), start_plan(db, data)
    finish(first)
    finish(second)
    assert snapshot(db) == clean
    conn = sqlite3.connect(db)
    added = [json.loads(a) for (a,) in conn.execute("SELECT added FROM runs")]
    conn.close()
    assert len(added) == 2
    assert sum(sum(a.values()) for a in added) == len(clean["outbox"])
    # both again with a later date: withdrawals and new pushes, still each exactly once
    first, second = start_plan(db, data, "2027-06-01"), start_plan(db, data, "2027-06-01")
    finish(first)
    finish(second)
    serial = tmp_path / "serial.db"
    plan_in_process(serial, data)
    plan_in_process(serial, data, "2027-06-01")
    assert snapshot(db) == snapshot(serial)
    keys = snapshot(db)["outbox"]
    assert Counter(k[0] for k in keys)["withdraw"] > 0
    with Ledger(db) as ledger:
        assert ledger.check() == []
