"""Message kinds and reasons are enums whose values are the strings the ledger stores."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest

from policy_match.apps.push import (
    KIND_CODES,
    KIND_ZH,
    REASON_ZH,
    SCHEMA,
    Ledger,
    MessageKind,
    Reason,
    message_id,
)
from policy_match.apps.push.messages import TELLING, id_digest, item_version, message_text


def _checked_values(table: str, column: str) -> set[str]:
    """The values the schema's ``column IN (...)`` CHECK allows in ``table``."""
    statement = next(s for s in SCHEMA if f"TABLE IF NOT EXISTS {table} " in s)
    found = re.search(column + r" IN \(([^)]*)\)", statement)
    assert found is not None
    return {v.strip().strip("'") for v in found.group(1).replace("\n", " ").split(",")}


def test_kinds_are_the_values_the_ledger_allows() -> None:
    assert _checked_values("kinds", "name") == {k.value for k in MessageKind}
    assert set(KIND_CODES) == {k.value for k in MessageKind}
    assert _checked_values("bodies", "reason") == {r.value for r in Reason}
    # the told facts are of the telling kinds: the consistency check names their codes
    assert {KIND_CODES[k.value] for k in TELLING} == {1, 2}


def test_every_kind_and_reason_has_chinese_text() -> None:
    assert set(KIND_ZH) == set(MessageKind)
    assert set(REASON_ZH) == set(Reason)
    assert MessageKind.WITHDRAW.zh == "撤回"
    assert Reason.NOT_IN_FORCE.zh == "不在适用时间内"


def test_an_enum_kind_gives_the_id_its_string_gives() -> None:
    for kind in MessageKind:
        assert id_digest(kind, "E1", "X-1", 2, "abc|expired") == \
            id_digest(kind.value, "E1", "X-1", 2, "abc|expired")
    assert id_digest(MessageKind.MATCH, "E1", "X-1", 1, "v") != \
        id_digest(MessageKind.ANNOUNCE, "E1", "X-1", 1, "v")


def test_a_ledger_stores_and_reads_back_plain_strings(tmp_path: Path) -> None:
    with Ledger(tmp_path / "push.db") as ledger, ledger.transaction() as conn:
        conn.execute("INSERT INTO items (key) VALUES ('X-1')")
        conn.execute(
            "INSERT INTO bodies (digest, kind, item, item_name, reason, text, payload)"
            " VALUES (x'00', ?, 1, '事项', ?, 't', '{}')",
            (KIND_CODES[MessageKind.PROMPT], Reason.MISSING))
    conn = sqlite3.connect(tmp_path / "push.db")
    row = conn.execute("SELECT k.name, typeof(k.name), b.reason, typeof(b.reason)"
                       " FROM bodies b JOIN kinds k ON k.code = b.kind").fetchone()
    conn.close()
    assert row == ("prompt", "text", "missing", "text")
    assert MessageKind(row[0]) is MessageKind.PROMPT and Reason(row[2]) is Reason.MISSING


def test_a_repealed_withdrawal_needs_no_policy() -> None:
    text = message_text(MessageKind.WITHDRAW, Reason.REPEALED, "旧事项", "X-9", None, (),
                        dt.date(2025, 6, 1))
    assert text == "【政策撤回】“旧事项”（X-9）：该事项已下架，此前推送的信息不再有效。"
    with pytest.raises(ValueError, match="not a reason to withdraw"):
        message_text(MessageKind.WITHDRAW, Reason.ELIGIBLE, "n", "X", None, (),
                     dt.date(2025, 6, 1))


def test_message_ids_are_the_seq_then_the_sha256_prefix() -> None:
    import hashlib

    from policy_match.apps.push.messages import Message, MessageKind, Reason, id_bytes

    m = Message(MessageKind.PROMPT, "E1", "P-7", 3, "名称", None, dt.date(2025, 6, 1),
                Reason.MISSING, "abc|员工数", "text", {}, ("员工数",))
    digest = hashlib.sha256("prompt\x1fE1\x1fP-7\x1f3\x1fabc|员工数".encode()).digest()[:6]
    assert m.digest == digest
    assert message_id(258, m.digest) == "000000000102" + digest.hex()
    assert id_bytes(258, m.digest) == bytes.fromhex(message_id(258, m.digest))
    # ids sort as their seqs do, whatever their digests
    ids = [id_bytes(seq, bytes([255 - seq % 256] * 6)) for seq in (1, 2, 255, 256, 70_000)]
    assert ids == sorted(ids) and len(set(ids)) == 5


def test_a_planned_ledger_s_ids_are_its_seqs_and_digests(tmp_path: Path) -> None:
    """Every id of a plan names its own row's seq, then the digest of its content."""
    from policy_match.apps.push import plan
    from policy_match.apps.push.messages import id_digest
    from policy_match.core.loading import load
    from policy_match.data.table import EnterpriseTable

    repo = Path(__file__).resolve().parents[3]
    book = load(repo / "rules")
    table = EnterpriseTable.from_csv(repo / "data" / "enterprises-2000.csv", book)
    small = EnterpriseTable(table.columns, table.ids, [])
    with Ledger(tmp_path / "l.db") as ledger:
        plan(ledger, book.match(small, as_of=dt.date(2025, 6, 1)), batch_size=700)
        rows = ledger.conn.execute(
            "SELECT o.seq, o.id, m.kind, m.enterprise, m.item, m.generation FROM outbox o"
            " JOIN messages m ON m.seq = o.seq ORDER BY o.seq").fetchall()
    assert len(rows) > 10_000
    assert [seq for seq, *_ in rows] == list(range(1, len(rows) + 1))
    kinds = {kind for _, _, kind, *_ in rows}
    assert kinds == {"match", "announce", "prompt"}
    for seq, blob, kind, enterprise, item, generation in rows[::97]:
        assert blob[:6] == seq.to_bytes(6, "big")
        if kind != "prompt":  # a tell's trigger is its item's version
            version = item_version(book, book.policies[item])
            assert blob[6:] == id_digest(kind, enterprise, item, generation, version)
