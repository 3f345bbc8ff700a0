"""Match snapshots (``policy_match.apps.snapshot``): the Parquet round trip, and ``diff``
between two enterprise tables matched against the bundled rules, checked
against point-by-point verdicts."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import functools
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import policy_match
from policy_match import Verdict
from policy_match.apps.snapshot import (
    Change,
    Snapshot,
    diff,
    load_snapshot,
    render_text,
    rulebook_hash,
    save_snapshot,
)
from policy_match.cli import main
from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.tools.generate import generate

REPO = Path(__file__).resolve().parents[2]


@functools.cache
def bundled() -> Rulebook:
    return policy_match.load(REPO / "rules")


AS_OF = dt.date(2024, 7, 1)
KEY = "统一社会信用代码"
KJ = "WH-KJ-2024-003"  # 高新技术企业首次认定奖励: 高企, 首次认定, 发证一年内, 五华区, 非失信

HIGH_TECH = {"资质": "高新技术企业", "高企认定类型": "首次认定", "高企认定日期": "2024-03-01",
             "所在区域": "530102003", "失信被执行人": "否"}


def tables() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """An enterprise library before and after a refresh, with known changes for KJ."""
    old = generate(60, seed=7)
    for r in old[:6]:
        r.update(HIGH_TECH)
    old[1]["高企认定日期"] = None  # unknown
    old[3]["高企认定类型"] = "重新认定"  # ineligible
    old[4]["高企认定类型"] = None  # unknown
    new = copy.deepcopy(old)
    new[0]["失信被执行人"] = "是"  # eligible → ineligible
    new[1]["高企认定日期"] = "2024-03-01"  # unknown → eligible
    new[2]["所在区域"] = None  # eligible → unknown
    new[3]["高企认定类型"] = None  # ineligible → unknown
    new[4]["高企认定类型"] = "重新认定"  # unknown → ineligible
    # old[5] stays eligible; one enterprise leaves, one arrives
    del new[10]
    extra = generate(61, seed=8)[-1]
    new.append(extra)
    return old, new


def snapshot_of(records: list[dict[str, Any]], as_of: dt.date = AS_OF,
                source: str = "<records>") -> Snapshot:
    table = EnterpriseTable.from_records(records, bundled(), source=source)
    return Snapshot.from_result(bundled().match(table, as_of=as_of))


# ---- the round trip ------------------------------------------------------------------


def test_round_trip_keeps_every_verdict(tmp_path: Path) -> None:
    old, _ = tables()
    table = EnterpriseTable.from_records(old, bundled(), source="library-2024-06.csv")
    result = bundled().match(table, as_of=AS_OF)
    path = tmp_path / "snap.parquet"
    saved = save_snapshot(result, path)
    snap = load_snapshot(path)
    assert snap.enterprises == table.ids
    assert snap.policy_ids == result.policy_ids
    assert snap.as_of == AS_OF and snap.source == "library-2024-06.csv"
    assert snap.rulebook_hash == rulebook_hash(bundled()) == saved.rulebook_hash
    assert snap.counts() == result.counts()
    for pid in result.policy_ids:
        assert snap.eligible(pid) == result.eligible(pid)
        assert snap.unknown(pid) == result.unknown(pid)
        assert snap.ineligible(pid) == result.ineligible(pid)
        for eid in table.ids[:10]:
            assert snap.verdict(eid, pid) is result.verdict(eid, pid)
    assert snap.policies[KJ].department == "区科学技术局"
    assert snap.verdict(table.ids[0], KJ) is Verdict.ELIGIBLE
    assert all(snap.index_of(eid) == i for i, eid in enumerate(table.ids[-5:], len(table) - 5))
    with pytest.raises(KeyError, match="no enterprise"):
        snap.index_of("91110000000000000X")


def test_inactive_policies_round_trip(tmp_path: Path) -> None:
    old, _ = tables()
    table = EnterpriseTable.from_records(old, bundled())
    result = bundled().match(table, as_of=dt.date(2030, 1, 1))
    save_snapshot(result, tmp_path / "s.parquet")
    snap = load_snapshot(tmp_path / "s.parquet")
    assert snap.counts() == result.counts()
    assert not snap.active(KJ) and snap.verdict(table.ids[0], KJ) is Verdict.INACTIVE


def test_file_layout_is_queryable_and_carries_metadata(tmp_path: Path) -> None:
    old, _ = tables()
    snap = snapshot_of(old, source="企业库.xlsx")
    snap.save(tmp_path / "s.parquet")
    schema = pq.read_schema(tmp_path / "s.parquet")
    meta = json.loads(schema.metadata[b"policy_match.snapshot"])
    assert meta["as_of"] == "2024-07-01" and meta["table_source"] == "企业库.xlsx"
    assert meta["rulebook_hash"].startswith("sha256:")
    assert schema.names == ["enterprise", *bundled().policies]
    assert pa.types.is_dictionary(schema.field(KJ).type)
    data = pq.read_table(tmp_path / "s.parquet")
    eligible = [e for e, v in zip(data["enterprise"].to_pylist(), data[KJ].to_pylist(),
                                  strict=True) if v == "eligible"]
    assert eligible == snap.eligible(KJ)


def test_a_policy_named_enterprise_does_not_clash(tmp_path: Path) -> None:
    text = ('tag 代码: text key\ntag 人数: count\n'
            'policy "enterprise" { 事项名称: "x"  申请条件: 人数 >= 10 }\n')
    book = load_sources({"a.rule": text}).rulebook
    assert book is not None
    table = EnterpriseTable.from_records([{"代码": "a", "人数": 12}, {"代码": "b"}], book)
    save_snapshot(book.match(table, as_of=AS_OF), tmp_path / "s.parquet")
    snap = load_snapshot(tmp_path / "s.parquet")
    assert snap.enterprises == ["a", "b"]
    assert snap.eligible("enterprise") == ["a"] and snap.unknown("enterprise") == ["b"]


def test_not_a_snapshot(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": [1]}), tmp_path / "plain.parquet")
    with pytest.raises(ValueError, match="not a policy-match snapshot"):
        load_snapshot(tmp_path / "plain.parquet")
    (tmp_path / "text.parquet").write_text("hello", encoding="utf-8")
    with pytest.raises(ValueError, match="not a Parquet file"):
        load_snapshot(tmp_path / "text.parquet")


# ---- diff ----------------------------------------------------------------------------


def ids(pairs: list[Any]) -> list[str]:
    return [p.enterprise for p in pairs]


def test_diff_finds_the_changes_made() -> None:
    old, new = tables()
    result = diff(snapshot_of(old), snapshot_of(new))
    kj = next(p for p in result.policies if p.policy == KJ)
    key = [r[KEY] for r in new]
    assert ids(kj.changes[Change.BECAME_ELIGIBLE]) == [key[1]]
    assert ids(kj.changes[Change.NO_LONGER_ELIGIBLE]) == [key[0], key[2]]
    assert [(p.old, p.new) for p in kj.changes[Change.NO_LONGER_ELIGIBLE]] == [
        (Verdict.ELIGIBLE, Verdict.INELIGIBLE), (Verdict.ELIGIBLE, Verdict.UNKNOWN)]
    assert ids(kj.changes[Change.NOW_UNKNOWN]) == [key[3]]
    assert ids(kj.changes[Change.NO_LONGER_UNKNOWN]) == [key[4]]
    assert result.added_enterprises == [new[-1][KEY]]
    assert result.removed_enterprises == [old[10][KEY]]
    assert result.added_policies == [] and result.removed_policies == []
    assert result.notes == []  # same rulebook, same date, unique keys


def test_diff_agrees_with_point_by_point_verdicts() -> None:
    old, new = tables()
    result = diff(snapshot_of(old), snapshot_of(new))
    before = {r[KEY]: bundled().match_record(r, AS_OF, on_error="missing") for r in old}
    after = {r[KEY]: bundled().match_record(r, AS_OF, on_error="missing") for r in new}
    expected: set[tuple[str, str, Verdict, Verdict]] = set()
    for eid in before.keys() & after.keys():
        for pid in bundled().policies:
            a, b = before[eid][pid], after[eid][pid]
            interesting = (a is Verdict.ELIGIBLE) != (b is Verdict.ELIGIBLE) or (
                (a is Verdict.UNKNOWN) != (b is Verdict.UNKNOWN))
            if interesting:
                expected.add((eid, pid, a, b))
    got = {(p.enterprise, p.policy, p.old, p.new) for p in result.pairs()}
    assert got == expected
    assert len(got) == sum(result.counts().values())  # each pair in one list only


def test_diff_of_a_snapshot_with_itself_is_empty() -> None:
    old, _ = tables()
    snap = snapshot_of(old)
    result = diff(snap, snap)
    assert result.empty and not list(result.pairs())
    assert "no changes" in render_text(result)


def test_an_item_leaving_its_validity_is_a_policy_change() -> None:
    old, _ = tables()
    later = dt.date(2025, 6, 1)
    ending = next(p.id for p in bundled().policies.values()
                  if p.active_on(AS_OF) and not p.active_on(later))  # e.g. WH-SC-2024-001
    result = diff(snapshot_of(old, AS_OF), snapshot_of(old, later))
    sc = next(p for p in result.policies if p.policy == ending)
    assert sc.was_active and not sc.is_active and sc.changed
    for pairs in sc.changes.values():
        assert all(p.new is Verdict.INACTIVE for p in pairs)
    assert sc.changes[Change.NOW_UNKNOWN] == []  # ineligible → inactive is not listed
    assert any("evaluation dates differ" in n for n in result.notes)


def test_policies_added_and_removed_are_listed() -> None:
    old, _ = tables()
    text = ('policy "NEW-1" {\n 事项名称: "新事项"\n 执行部门: "区商务局"\n'
            ' 申请条件: 从业人数 >= 10\n}\n')
    bigger = bundled().with_policies(text)
    table = EnterpriseTable.from_records(old, bigger)
    new_snap = Snapshot.from_result(bigger.match(table, as_of=AS_OF))
    result = diff(snapshot_of(old), new_snap)
    assert [p.id for p in result.added_policies] == ["NEW-1"]
    assert result.added_policies[0].department == "区商务局"
    assert not list(result.pairs())
    assert any("rulebook changed" in n for n in result.notes)
    back = diff(new_snap, snapshot_of(old))
    assert [p.id for p in back.removed_policies] == ["NEW-1"]


def test_repeated_ids_are_noted() -> None:
    old, _ = tables()
    doubled = [*old, dict(old[0])]
    result = diff(snapshot_of(old), snapshot_of(doubled))
    assert any("repeated enterprise id" in n for n in result.notes)
    assert not list(result.pairs()) and not result.added_enterprises


def test_report_formats() -> None:
    old, new = tables()
    result = diff(snapshot_of(old), snapshot_of(new))
    text = render_text(result)
    assert "区科学技术局" in text and f"{KJ} 高新技术企业首次认定奖励" in text
    assert f"{new[1][KEY]}  待补充信息 → 符合" in text
    rows = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert {"change": "became_eligible", "policy": KJ, "enterprise": new[1][KEY],
            "old": "unknown", "new": "eligible"}.items() <= next(
        r for r in rows if r["policy"] == KJ and r["change"] == "became_eligible").items()
    assert {r["enterprise"] for r in rows if r["change"] == "enterprise_added"} == {
        new[-1][KEY]}
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    kj = next(p for p in data["policies"] if p["id"] == KJ)
    assert kj["changes"]["now_unknown"] == [
        {"enterprise": new[3][KEY], "old": "ineligible", "new": "unknown"}]


# ---- the command line ------------------------------------------------------------------


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def test_snapshot_and_diff_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tables()
    rules = str(REPO / "rules")
    for name, records in (("old", old), ("new", new)):
        data = write_jsonl(tmp_path / f"{name}.jsonl", records)
        assert main(["snapshot", rules, str(data), "--out", str(tmp_path / f"{name}.parquet"),
                     "--as-of", "2024-07-01", "--quiet"]) == 0
    assert "wrote snapshot of 60 enterprises" in capsys.readouterr().err
    a, b = str(tmp_path / "old.parquet"), str(tmp_path / "new.parquet")
    assert main(["diff", a, b]) == 0
    text = capsys.readouterr().out
    assert "新增符合 1" in text and new[1][KEY] in text
    assert main(["diff", a, b, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["became_eligible"] >= 1
    assert data["old"]["as_of"] == "2024-07-01" and data["added_enterprises"] == [new[-1][KEY]]
    assert main(["diff", a, b, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and set(rows[0]) == {"change", "policy", "policy_name", "department",
                                     "enterprise", "old", "new"}


def test_command_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, _ = tables()
    data = write_jsonl(tmp_path / "old.jsonl", old)
    rules = str(REPO / "rules")
    assert main(["snapshot", rules, str(data), "--out", str(tmp_path / "s.csv")]) == 2
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"x": [1]}), plain)
    assert main(["diff", str(plain), str(plain)]) == 2
    assert "not a policy-match snapshot" in capsys.readouterr().err


def test_snapshot_and_diff_never_overwrite(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tables()
    rules = str(REPO / "rules")
    paths = {}
    for name, records in (("old", old), ("new", new)):
        data = write_jsonl(tmp_path / f"{name}.jsonl", records)
        paths[name] = tmp_path / f"{name}.parquet"
        assert main(["snapshot", rules, str(data), "--out", str(paths[name]),
                     "--as-of", "2024-07-01", "--quiet"]) == 0
    before = paths["old"].read_bytes()
    data = str(tmp_path / "new.jsonl")
    assert main(["snapshot", rules, data, "--out", str(paths["old"]), "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err
    assert paths["old"].read_bytes() == before
    a, b = str(paths["old"]), str(paths["new"])
    assert main(["diff", a, b, "--out", a, "--force"]) == 2  # an input, even with --force
    assert "输入文件" in capsys.readouterr().err and paths["old"].read_bytes() == before
    report = tmp_path / "diff.csv"
    assert main(["diff", a, b, "--format", "csv", "--out", str(report)]) == 0
    rows = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert rows and rows[0]["change"]
    assert main(["diff", a, b, "--format", "csv", "--out", str(report)]) == 2
    assert main(["diff", a, b, "--out", str(report), "--force"]) == 0
    assert "新增符合" in report.read_text(encoding="utf-8")
