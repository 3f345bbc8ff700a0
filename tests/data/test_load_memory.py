"""What keeps a big load small gives the same table as the plain way: a clean key column
stays Arrow (ids read from it), ids are found without a dict, a numeric column of digits
alone is read in bulk, freed memory is handed back — the same values, ids and errors as
the per-record path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import policy_match as pm
import policy_match.data.parse_columns as parse_columns
import policy_match.data.table as table_module
from policy_match.core.loading import load_sources
from policy_match.data.arrow_ids import ArrowIds
from policy_match.data.arrow_numpy import arrow_strings
from policy_match.data.id_index import IdIndex
from policy_match.data.memory import release_freed_memory
from policy_match.data.number_columns import PlainForm, plain_cells
from policy_match.engine.columns import CategoryColumn, TextColumn
from policy_match.plugins.builtins.uscc import uscc_check_char

RULES = """tag 代码: uscc key
tag 收入: money
tag 人数: count
tag 名称: text
"""


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    loaded = load_sources({"t.rule": RULES}).rulebook
    assert loaded is not None
    return loaded


def _uscc(i: int) -> str:
    body = f"91110000{i:09d}"
    return body + uscc_check_char(body)


def _both(book: pm.Rulebook, rows: list[dict[str, Any]]
          ) -> tuple[pm.EnterpriseTable, pm.EnterpriseTable]:
    names = list(rows[0])
    arrow = pa.table({n: pa.array([r.get(n) for r in rows], type=pa.string()) for n in names})
    return pm.EnterpriseTable.from_arrow(arrow, book), pm.EnterpriseTable.from_records(rows, book)


def _errors(table: pm.EnterpriseTable) -> list[dict[str, Any]]:
    return [e.model_dump() for e in table.errors]


def _cells(table: pm.EnterpriseTable) -> list[tuple[Any, ...]]:
    """Each error's row, column, value and reason (where a record or a line is meant
    differs between Arrow and records: not compared here)."""
    return [(e.row, e.column, e.value, e.reason.split(":")[0]) for e in table.errors]


def _arrow_both(book: pm.Rulebook, rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
                ) -> tuple[pm.EnterpriseTable, pm.EnterpriseTable]:
    """From Arrow as loaded now, and with the key column parsed value by value (as before
    it could stay Arrow)."""
    arrow = pa.table({n: pa.array([r.get(n) for r in rows], type=pa.string()) for n in rows[0]})
    kept = pm.EnterpriseTable.from_arrow(arrow, book)
    with monkeypatch.context() as m:
        m.setattr(parse_columns, "_taken_as_written", lambda spec, raw: None)
        m.setattr(table_module, "_text_keys", _categories_keys)
        plain = pm.EnterpriseTable.from_arrow(arrow, book)
    return kept, plain


def _categories_keys(column: TextColumn) -> tuple[Any, np.ndarray]:
    """The keys as the table read them before: through :meth:`TextColumn.categories`."""
    categories = column.categories()
    labels = [*categories.categories, None]
    return pa.array([labels[c] for c in categories.codes], type=pa.string()), categories.codes


def test_a_clean_key_column_stays_arrow_and_gives_the_same_ids(book: pm.Rulebook) -> None:
    rows = [{"代码": _uscc(i), "收入": str(i * 10), "名称": f"企业{i}"} for i in range(40)]
    arrow, records = _both(book, rows)
    assert isinstance(arrow.columns.columns["代码"], TextColumn)
    assert isinstance(arrow.ids, ArrowIds)
    assert isinstance(records.columns.columns["代码"], CategoryColumn)
    assert arrow.ids == records.ids == [r["代码"] for r in rows]
    assert [arrow.row(i) for i in range(40)] == [records.row(i) for i in range(40)]
    assert arrow.index_of(_uscc(7)) == records.index_of(_uscc(7)) == 7
    assert arrow.id_array().to_pylist() == records.id_array().to_pylist()
    assert list(arrow.id_objects()) == list(records.id_objects())
    assert not arrow.errors and not records.errors


def test_dirty_keys_give_the_same_ids_and_errors_either_way(
        book: pm.Rulebook, monkeypatch: pytest.MonkeyPatch) -> None:
    codes = [_uscc(i) for i in range(8)]
    dirty = [codes[0], codes[1][:-1] + ("Y" if codes[1][-1] != "Y" else "X"), None, codes[0],
             " " + codes[4], codes[5].lower(), "-", codes[7]]
    rows = [{"代码": c, "收入": "1"} for c in dirty]
    arrow, plain = _arrow_both(book, rows, monkeypatch)
    records = pm.EnterpriseTable.from_records(rows, book)
    assert _errors(arrow) == _errors(plain)
    assert _cells(arrow) == _cells(records)
    assert {e.code for e in arrow.errors} >= {"key.missing", "key.duplicate.record"}
    assert list(arrow.ids) == list(plain.ids) == list(records.ids)
    assert arrow.ids[2] == "#3"


@pytest.mark.parametrize("repeats", [1, 5000])  # 5000: kept dictionary-encoded
def test_a_text_key_with_spaces_and_missing_cells_is_trimmed_as_before(
        repeats: int, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_sources({"t.rule": "tag 编号: text key\ntag 收入: money\n"}).rulebook
    assert loaded is not None
    keys = [" A1 ", "B2", None, "B2", "null", "C3"] * repeats
    rows = [{"编号": k, "收入": "1"} for k in keys]
    arrow, plain = _arrow_both(loaded, rows, monkeypatch)
    assert isinstance(arrow.ids, ArrowIds)
    assert list(arrow.ids) == list(plain.ids)
    assert arrow.ids[0] == "A1" and arrow.ids[2] == "#3"
    assert _errors(arrow) == _errors(plain)


def test_arrow_ids_behave_as_a_list() -> None:
    ids = ArrowIds(pa.array(["a", None, "c", "d"]), {1: "#2"})
    assert len(ids) == 4 and ids[0] == "a" and ids[1] == "#2" and ids[-1] == "d"
    assert ids[np.int64(2)] == "c" and ids[1:3] == ["#2", "c"]
    assert list(ids) == ["a", "#2", "c", "d"] and ids == ["a", "#2", "c", "d"]
    assert ids != ["a", "#2", "c"] and "c" in ids
    assert pa.array(ids).to_pylist() == ["a", "#2", "c", "d"]
    with pytest.raises(IndexError):
        ids[4]


class _Colliding(str):
    """A string whose hash is that of every other one: lookups must compare the ids."""

    def __hash__(self) -> int:
        return 7


def test_the_id_index_finds_the_first_row_and_survives_collisions() -> None:
    ids = ["x", "y", "x", "z"]
    index = IdIndex(ids)
    assert [index.find(i) for i in ("x", "y", "z")] == [0, 1, 3]
    assert index.find("w") is None and index.find([1]) is None  # type: ignore[arg-type]
    colliding = [_Colliding(v) for v in ("p", "q", "p", "r")]
    index = IdIndex(colliding)
    assert [index.find(_Colliding(v)) for v in ("p", "q", "r", "s")] == [0, 1, 3, None]


def test_a_table_finds_rows_by_id_and_says_which_is_missing(book: pm.Rulebook) -> None:
    rows = [{"代码": _uscc(i), "收入": "1"} for i in range(5)] + [{"代码": _uscc(1), "收入": "2"}]
    table = pm.EnterpriseTable.from_arrow(pa.table({
        k: pa.array([r[k] for r in rows], type=pa.string()) for k in rows[0]}), book)
    assert table.index_of(_uscc(1)) == 1 and table.index_of(_uscc(4)) == 4
    with pytest.raises(KeyError, match="no enterprise"):
        table.index_of("nobody")


def test_digits_alone_are_read_in_bulk_as_the_per_value_parser_reads_them(
        book: pm.Rulebook) -> None:
    cells = ["0", "007", "123456789012345", "1234567890123456", "12345678901234567890",
             "9" * 19, "", None, "5"]
    assert plain_cells(arrow_strings([c or "" for c in cells]),
                       PlainForm(negative=False, point=True)).tolist() == [
        True, True, True, False, False, False, False, False, True]
    rows = [{"代码": _uscc(i), "收入": c, "人数": c} for i, c in enumerate(cells)]
    arrow, records = _both(book, rows)
    for name in ("收入", "人数"):
        assert [arrow.row(i).get(name) for i in range(len(cells))] == [
            records.row(i).get(name) for i in range(len(cells))]
    assert arrow.row(3)["收入"] == 1234567890123456 and "收入" not in arrow.row(4)
    assert _cells(arrow) == _cells(records)


def test_freed_memory_is_handed_back_after_each_column_of_a_big_load(
        book: pm.Rulebook, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[int] = []
    monkeypatch.setattr(table_module, "RELEASE_ROWS", 3)
    monkeypatch.setattr(table_module, "release_freed_memory",
                        lambda: calls.append(1) or release_freed_memory())
    path = tmp_path / "t.csv"
    path.write_text("代码,收入,人数\n" + "".join(f"{_uscc(i)},{i},{i}\n" for i in range(5)),
                    encoding="utf-8")
    table = pm.EnterpriseTable.from_csv(path, book)
    assert len(table) == 5 and not table.errors
    assert len(calls) >= 3 + 1  # after each of the three columns, and once the read is done
