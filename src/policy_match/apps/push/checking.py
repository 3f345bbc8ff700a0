"""Checking a ledger: SQLite's integrity (or quick) check, the schema, the foreign keys and
the ledger's own invariants, each finding naming the table and rows it concerns.

:func:`inspect` is what ``policy-match push check`` runs: it opens the file without creating,
migrating or changing it, and reports damage instead of raising (a file that is not SQLite,
an SQLite file that is not a ledger, unreadable pages). :meth:`Ledger.check` runs the same
checks on an open ledger.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policy_match.apps.push.schema import (
    KIND_CODES,
    SCHEMA_VERSION,
    SQLITE_HEADER,
    expected_schema,
    schema_damage,
)
from policy_match.base.messages import Lang
from policy_match.base.messages import Message as Words

SHOWN_ROWS = 10  # rows named per finding; ``count`` says how many there are

DAMAGE_WORDS = {
    "not_sqlite": Words("不是 SQLite 文件，不是推送账本",
                        "not an SQLite file, so not a push ledger"),
    "not_ledger": Words("不是推送账本", "not a push ledger"),
    "unreadable": Words("无法读取", "unreadable"),
    "integrity": Words("SQLite 完整性检查发现损坏", "SQLite's integrity check found damage"),
    "newer": Words("账本格式版本高于本程序", "a newer ledger schema than this program's"),
    "schema": Words("表结构缺失或被改动", "a table, index or view missing or altered"),
    "foreign_key": Words("引用了不存在的记录", "rows naming rows that do not exist"),
    "consistency": Words("账本数据不一致", "the ledger's data disagree"),
}

# the ledger's invariants: each query lists (readable key of) the rows that break one
CONSISTENCY: dict[str, tuple[str, Words, str]] = {
    "told_message": ("told", Words("已告知事实与其消息不符", "told fact whose message differs"), """
        SELECT e.key || ' ' || i.key FROM told f JOIN enterprises e ON e.n = f.enterprise
        JOIN items i ON i.n = f.item LEFT JOIN outbox o ON o.seq = f.told_by
        WHERE o.kind NOT IN (1, 2) OR o.enterprise != f.enterprise OR o.item != f.item
           OR o.generation != f.generation"""),
    "told_withdrawal": ("told", Words("已撤回事实缺少撤回消息",
                                      "withdrawn fact without its withdrawal"), """
        SELECT e.key || ' ' || i.key FROM told f JOIN enterprises e ON e.n = f.enterprise
        JOIN items i ON i.n = f.item LEFT JOIN outbox o ON o.seq = f.withdrawn_by
        WHERE f.withdrawn_by IS NOT NULL AND (o.kind IS NOT 4
           OR o.enterprise != f.enterprise OR o.item != f.item
           OR o.generation != f.generation)"""),
    "prompted_message": ("prompted", Words("补充信息事实与其消息不符",
                                           "prompted fact whose message differs"), """
        SELECT e.key || ' ' || i.key FROM prompted f JOIN enterprises e ON e.n = f.enterprise
        JOIN items i ON i.n = f.item LEFT JOIN outbox o ON o.seq = f.prompted_by
        WHERE o.kind IS NOT 3 OR o.enterprise != f.enterprise OR o.item != f.item
           OR o.generation != f.generation"""),
    "message_told": ("outbox", Words("消息未记入已告知事实", "message not in the told facts"), """
        SELECT lower(hex(o.id)) FROM outbox o LEFT JOIN told f
          ON f.enterprise = o.enterprise AND f.item = o.item
        WHERE o.kind IN (1, 2) AND (f.generation IS NULL OR f.generation < o.generation
           OR (f.generation = o.generation AND f.told_by != o.seq))"""),
    "withdrawal_told": ("outbox", Words("撤回消息未记入已告知事实",
                                        "withdrawal not in the told facts"), """
        SELECT lower(hex(o.id)) FROM outbox o LEFT JOIN told f
          ON f.enterprise = o.enterprise AND f.item = o.item
        WHERE o.kind = 4 AND (f.generation IS NULL OR f.generation < o.generation
           OR (f.generation = o.generation AND f.withdrawn_by IS NOT o.seq))"""),
    "prompt_prompted": ("outbox", Words("补充信息消息未记入事实",
                                        "prompt not in the prompted facts"), """
        SELECT lower(hex(o.id)) FROM outbox o LEFT JOIN prompted f
          ON f.enterprise = o.enterprise AND f.item = o.item
        WHERE o.kind = 3 AND (f.generation IS NULL OR f.generation < o.generation
           OR (f.generation = o.generation AND f.prompted_by != o.seq))"""),
    "message_body": ("outbox", Words("消息正文属于另一事项或类型",
                                     "message whose body is another item's or kind's"), """
        SELECT lower(hex(o.id)) FROM outbox o LEFT JOIN bodies b ON b.n = o.body
        WHERE b.kind IS NOT o.kind OR b.item IS NOT o.item"""),
    "kinds": ("kinds", Words("消息类型编码被改动", "message kind codes altered"), f"""
        SELECT code || ' ' || name FROM kinds WHERE (code, name) NOT IN
          (VALUES {', '.join(f"({c}, '{n}')" for n, c in KIND_CODES.items())})
        UNION ALL SELECT 'missing' WHERE (SELECT count(*) FROM kinds) != {len(KIND_CODES)}"""),
}


@dataclass(frozen=True)
class Damage:
    """One finding: its kind (a key of :data:`DAMAGE_WORDS`), the table it concerns, what
    was found, and the rows (readable keys: message ids, "enterprise item" pairs)."""

    kind: str
    table: str | None
    detail: str
    rows: tuple[str, ...] = ()
    count: int = 0

    def text(self, lang: Lang | str = Lang.ZH) -> str:
        lang = Lang(lang)
        head = DAMAGE_WORDS[self.kind].in_(lang)
        where = f" [{self.table}]" if self.table else ""
        rows = ""
        if self.rows:
            more = (f" …(+{self.count - len(self.rows)})" if self.count > len(self.rows)
                    else "")
            label = "行" if lang is Lang.ZH else "rows"
            rows = f"; {label} {self.count}: " + ", ".join(self.rows) + more
        return f"{head}{where}: {self.detail}{rows}"

    def line(self) -> str:
        return f"{self.text(Lang.ZH)} / {self.text(Lang.EN)}"

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "table": self.table, "detail": self.detail,
                "rows": list(self.rows), "count": self.count,
                "zh": self.text(Lang.ZH), "en": self.text(Lang.EN)}


@dataclass(frozen=True)
class CheckReport:
    path: str
    schema_version: int | None
    damage: tuple[Damage, ...] = field(default_factory=tuple)
    note: str = ""

    @property
    def sound(self) -> bool:
        return not self.damage

    def as_json(self) -> dict[str, Any]:
        return {"ledger": self.path, "sound": self.sound,
                "schema_version": self.schema_version, "note": self.note,
                "damage": [d.as_json() for d in self.damage]}


def inspect(path: str | Path, quick: bool = False, timeout: float = 60.0) -> CheckReport:
    """Check the ledger at ``path`` without changing it; damage is reported, not raised."""
    path = Path(path)
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        return CheckReport(str(path), None, (Damage("not_sqlite", None, "no SQLite header"),))
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=timeout)
    except sqlite3.Error as exc:
        return CheckReport(str(path), None, (Damage("unreadable", None, str(exc)),))
    try:
        return _inspect_open(str(path), conn, quick)
    finally:
        conn.close()


def _inspect_open(path: str, conn: sqlite3.Connection, quick: bool) -> CheckReport:
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as exc:
        return CheckReport(path, None, (Damage("unreadable", "sqlite_master", str(exc)),))
    integrity = _integrity(conn, quick)
    if version == 1 and {"outbox", "told", "prompted", "runs"} <= names:
        note = ("旧格式账本（版本 1）：下次 plan、export 或 mark-sent 打开时自动升级 / "
                "old-format ledger (schema 1): the next plan, export or mark-sent migrates it")
        return CheckReport(path, version, tuple(integrity), note)
    if version > SCHEMA_VERSION:
        return CheckReport(path, version, (*integrity, Damage("newer", None, str(version))))
    if not names & set(expected_schema()):
        detail = "empty database" if not names else "tables " + ", ".join(sorted(names)[:5])
        return CheckReport(path, version, (*integrity, Damage("not_ledger", None, detail)))
    if integrity and integrity[0].kind == "unreadable":
        return CheckReport(path, version, tuple(integrity))
    return CheckReport(path, version, (*integrity, *_ledger_damage(conn, version)))


def find_damage(conn: sqlite3.Connection, quick: bool = False) -> list[Damage]:
    """Every finding on an open ledger (none expected, whatever was killed when)."""
    found = _integrity(conn, quick)
    if found and found[0].kind == "unreadable":
        return found
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    return found + _ledger_damage(conn, version)


def _ledger_damage(conn: sqlite3.Connection, version: int) -> list[Damage]:
    found: list[Damage] = []
    if version != SCHEMA_VERSION:
        found.append(Damage("schema", None, f"user_version {version}, not {SCHEMA_VERSION}"))
    try:
        found += [Damage("schema", name, what) for name, what in schema_damage(conn)]
    except sqlite3.Error as exc:
        return [*found, Damage("unreadable", "sqlite_master", str(exc))]
    found += _foreign_keys(conn)
    for table, words, query in CONSISTENCY.values():
        try:
            rows = [str(r[0]) for r in conn.execute(query)]
        except sqlite3.Error as exc:
            if not any(d.kind == "schema" for d in found):
                found.append(Damage("unreadable", table, str(exc)))
            continue
        if rows:
            detail = f"{words.zh} ({words.en})"
            found.append(Damage("consistency", table, detail, tuple(rows[:SHOWN_ROWS]),
                                len(rows)))
    return found


def _integrity(conn: sqlite3.Connection, quick: bool) -> list[Damage]:
    pragma = "quick_check" if quick else "integrity_check"
    try:
        lines = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}")]
    except sqlite3.Error as exc:
        return _integrity_by_table(conn, pragma, exc)
    lines = [line for line in lines if line != "ok"]
    if not lines:
        return []
    owners = _owners(conn)
    by_table: dict[str | None, list[str]] = {}
    for line in lines:
        by_table.setdefault(_owner(line, owners), []).append(line)
    return [Damage("integrity", table, "; ".join(found[:SHOWN_ROWS])
                   + (f" …(+{len(found) - SHOWN_ROWS})" if len(found) > SHOWN_ROWS else ""),
                   count=len(found))
            for table, found in by_table.items()]


def _integrity_by_table(conn: sqlite3.Connection, pragma: str,
                        failure: sqlite3.Error) -> list[Damage]:
    """The whole-file check stopped on unreadable pages: check table by table, so that the
    finding names the tables (the first finding is "unreadable", so no more checks run)."""
    try:
        tables = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    except sqlite3.Error as exc:
        return [Damage("unreadable", "sqlite_master", str(exc))]
    found: list[Damage] = []
    for table in tables:
        try:
            lines = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}({_quote(table)})")]
        except sqlite3.Error as exc:
            found.append(Damage("unreadable", table, str(exc)))
            continue
        lines = [line for line in lines if line != "ok"]
        if lines:
            found.append(Damage("unreadable", table, "; ".join(lines[:SHOWN_ROWS]),
                                count=len(lines)))
    return found or [Damage("unreadable", None, str(failure))]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _owners(conn: sqlite3.Connection) -> dict[str, str]:
    """Root pages and index names -> the table they belong to (as far as readable)."""
    owners: dict[str, str] = {}
    try:
        for name, table, root in conn.execute(
                "SELECT name, tbl_name, rootpage FROM sqlite_master"):
            owners[name] = table
            if root:
                owners[f"#{root}"] = table
    except sqlite3.Error:
        pass
    return owners


_TREE = re.compile(r"(?:Tree|tree page|On tree page) (\d+)")
_NAMED = re.compile(r"(?:index|in|table) \"?([A-Za-z_][\w]*)")


def _owner(line: str, owners: dict[str, str]) -> str | None:
    found = _TREE.search(line)
    if found and f"#{found.group(1)}" in owners:
        return owners[f"#{found.group(1)}"]
    for name in _NAMED.findall(line):
        if name in owners:
            return owners[name]
    return None


def _foreign_keys(conn: sqlite3.Connection) -> list[Damage]:
    try:
        rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.Error as exc:
        return [Damage("unreadable", None, f"foreign_key_check: {exc}")]
    grouped: dict[tuple[str, str], list[str]] = {}
    for table, rowid, parent, _ in rows:
        grouped.setdefault((table, parent), []).append(str(rowid))
    return [Damage("foreign_key", table, f"→ {parent}", tuple(ids[:SHOWN_ROWS]), len(ids))
            for (table, parent), ids in grouped.items()]
