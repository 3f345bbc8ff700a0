"""Message kinds and reasons are enums whose values are the strings the ledger stores."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest

from policy_match.apps.push import (
    KIND_ZH,
    REASON_ZH,
    SCHEMA,
    Ledger,
    MessageKind,
    Reason,
    message_id,
)
from policy_match.apps.push.messages import TELLING, message_text


def _checked_values(table: str) -> set[str]:
    """The values the schema's ``kind IN (...)`` CHECK allows in ``table``."""
    statement = next(s for s in SCHEMA if f"TABLE IF NOT EXISTS {table} " in s)
    found = re.search(r"kind IN \(([^)]*)\)", statement)
    assert found is not None
    return {v.strip().strip("'") for v in found.group(1).split(",")}


def test_kinds_are_the_values_the_outbox_allows() -> None:
    assert _checked_values("outbox") == {k.value for k in MessageKind}
    assert _checked_values("told") == {k.value for k in TELLING}


def test_every_kind_and_reason_has_chinese_text() -> None:
    assert set(KIND_ZH) == set(MessageKind)
    assert set(REASON_ZH) == set(Reason)
    assert MessageKind.WITHDRAW.zh == "撤回"
    assert Reason.NOT_IN_FORCE.zh == "不在适用时间内"


def test_an_enum_kind_gives_the_id_its_string_gives() -> None:
    for kind in MessageKind:
        assert message_id(kind, "E1", "X-1", 2, "abc|expired") == \
            message_id(kind.value, "E1", "X-1", 2, "abc|expired")
    assert message_id(MessageKind.MATCH, "E1", "X-1", 1, "v") != \
        message_id(MessageKind.ANNOUNCE, "E1", "X-1", 1, "v")


def test_a_ledger_stores_and_reads_back_plain_strings(tmp_path: Path) -> None:
    with Ledger(tmp_path / "push.db") as ledger, ledger.transaction() as conn:
        conn.execute(
            "INSERT INTO outbox (id, kind, enterprise, item, generation, item_name, as_of,"
            " reason, text, payload, created_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
            ("m1", MessageKind.PROMPT, "E1", "X-1", "事项", "2025-06-01", Reason.MISSING,
             "t", "{}", "now"))
    conn = sqlite3.connect(tmp_path / "push.db")
    row = conn.execute("SELECT kind, typeof(kind), reason FROM outbox").fetchone()
    conn.close()
    assert row == ("prompt", "text", "missing")
    assert MessageKind(row[0]) is MessageKind.PROMPT and Reason(row[2]) is Reason.MISSING


def test_a_repealed_withdrawal_needs_no_policy() -> None:
    text = message_text(MessageKind.WITHDRAW, Reason.REPEALED, "旧事项", "X-9", None, (),
                        dt.date(2025, 6, 1))
    assert text == "【政策撤回】“旧事项”（X-9）：该事项已下架，此前推送的信息不再有效。"
    with pytest.raises(ValueError, match="not a reason to withdraw"):
        message_text(MessageKind.WITHDRAW, Reason.ELIGIBLE, "n", "X", None, (),
                     dt.date(2025, 6, 1))
