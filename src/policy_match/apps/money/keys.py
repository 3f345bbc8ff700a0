"""Payment-grade enterprise keys: which rows of a table may be paid, and why not the others.

Money goes to a key (the rulebook's ``key`` tag, 统一社会信用代码 in the bundled rulebook),
never to a row. A row is *payable* only when its key is

- present (a row without one is identified as ``#row`` by the table: 缺少统一社会信用代码),
- valid: when the key is a unified social credit code (a ``uscc`` tag, or a tag named
  统一社会信用代码) its check character holds (统一社会信用代码无效; a value the ``uscc``
  type rejected at load time is reported here too, with the text as written), and
- unique in the table: a key on two rows is two records of one enterprise that disagree or
  repeat; none of them is paid until the data are fixed (统一社会信用代码重复（第N行）).

Row numbers are 1-based data rows, as in load errors (the header row is not counted). For
totals (the fiscal estimate) a duplicated key counts once, on its first row (the row
``table.index_of`` finds); rows without a valid key each count as themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from policy_match.plugins.builtins.uscc import validate_uscc

if TYPE_CHECKING:
    from policy_match.core.rulebook import Rulebook
    from policy_match.data.table import EnterpriseTable

USCC_NAME = "统一社会信用代码"
DEFAULT_LABEL = "企业标识"
SHOWN_ROWS = 5

Problem = Literal["missing", "invalid", "duplicate"]


@dataclass(frozen=True)
class KeyProblem:
    """Why one row may not be paid."""

    code: Problem
    label: str  # the key tag's name (统一社会信用代码)
    shown: str = ""  # the key as written ("" when missing)
    others: tuple[int, ...] = ()  # duplicate: the other rows with this key, 1-based

    def _rows(self) -> str:
        rows = [str(r) for r in self.others[:SHOWN_ROWS]]
        return "、".join(rows) + ("等" if len(self.others) > SHOWN_ROWS else "")

    @property
    def zh(self) -> str:
        if self.code == "missing":
            return f"缺少{self.label}"
        if self.code == "invalid":
            return f"{self.label}无效"
        return f"{self.label}重复（第{self._rows()}行）"

    @property
    def en(self) -> str:
        if self.code == "missing":
            return f"no {self.label}"
        if self.code == "invalid":
            return f"invalid {self.label}"
        return f"duplicate {self.label} (also row {self._rows().replace('、', ', ')})"


@dataclass(frozen=True)
class KeyCheck:
    """The key of every row of a table, checked once."""

    label: str
    shown: tuple[str, ...]  # per row: the key as written, "" when missing
    problems: Mapping[int, KeyProblem] = field(default_factory=dict)  # 0-based row → why
    counted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Rows counted in totals: every row but the second and later rows of a duplicated key."""

    @cached_property
    def problem_rows(self) -> np.ndarray:
        """The rows with a problem, sorted (for ``np.isin``)."""
        return np.sort(np.fromiter(self.problems, dtype=np.int64, count=len(self.problems)))

    def payable(self, row: int) -> bool:
        return row not in self.problems

    def counts(self) -> dict[Problem, int]:
        out: dict[Problem, int] = {"missing": 0, "invalid": 0, "duplicate": 0}
        for problem in self.problems.values():
            out[problem.code] += 1
        return out


def _checks_uscc(book: Rulebook, key: str) -> bool:
    return key == USCC_NAME or book.tags[key].type.name == "uscc"


def _rejected(book: Rulebook, table: EnterpriseTable, key: str) -> dict[int, str]:
    """Rows whose key was written but rejected while loading: row → the text written."""
    schema = book.schema
    found: dict[int, str] = {}
    for error in table.errors:
        if error.row is None or not error.value:
            continue
        tag = schema.tag_for(error.column)
        if tag is not None and tag.name == key:
            found.setdefault(error.row - 1, error.value)
    return found


def check_keys(book: Rulebook, table: EnterpriseTable) -> KeyCheck:
    """Every row's key: missing, invalid, duplicated, or payable (see the module docstring).

    Column-wise: only rows with a problem get a Python object; duplicates are found by
    dictionary-encoding the key column (Arrow), not by a dict of every key."""
    n = len(table)
    key = book.key
    if key is None:  # a rulebook without a key names no enterprise: nothing is payable
        missing = KeyProblem("missing", DEFAULT_LABEL)
        return KeyCheck(DEFAULT_LABEL, ("",) * n, dict.fromkeys(range(n), missing),
                        np.ones(n, dtype=bool))
    column = table.columns.columns.get(key)
    known = (np.asarray(column.known, dtype=bool) if column is not None
             else np.zeros(n, dtype=bool))
    ids = table.id_array()
    shown = np.where(known, table.id_objects(), "").tolist()  # the table's own strings
    problems: dict[int, KeyProblem] = {}
    for row, text in _rejected(book, table, key).items():
        if not known[row]:
            shown[row] = text
            problems[row] = KeyProblem("invalid", key, text)
    for row in np.flatnonzero(~known).tolist():
        problems.setdefault(row, KeyProblem("missing", key))
    if _checks_uscc(book, key) and book.tags[key].type.name != "uscc":
        # a uscc tag's values were checked while loading; another type's were not
        verdict: dict[str, bool] = {}
        for row in np.flatnonzero(known).tolist():
            text = shown[row]
            if text not in verdict:
                verdict[text] = _valid_uscc(text)
            if not verdict[text]:
                problems[row] = KeyProblem("invalid", key, text)
    counted = np.ones(n, dtype=bool)
    _mark_duplicates(key, shown, ids, known, problems, counted)
    return KeyCheck(key, tuple(shown), problems, counted)


def _mark_duplicates(key: str, shown: list[str], ids: Any, known: np.ndarray,
                     problems: dict[int, KeyProblem], counted: np.ndarray) -> None:
    """Rows whose (otherwise good) key is on another such row too: every one a problem,
    each key counted once, on its first row."""
    import pyarrow.compute as pc

    good = known.copy()
    if problems:
        good[np.fromiter(problems, dtype=np.int64, count=len(problems))] = False
    rows = np.flatnonzero(good)
    if rows.size < 2:
        return
    codes = pc.dictionary_encode(ids.take(rows)).indices.to_numpy()
    repeated = np.bincount(codes)[codes] > 1
    if not repeated.any():
        return
    rows_of: dict[str, list[int]] = {}
    for row in rows[repeated].tolist():
        rows_of.setdefault(shown[row], []).append(row)
    for same in rows_of.values():
        for row in same:
            others = tuple(r + 1 for r in same if r != row)
            problems[row] = KeyProblem("duplicate", key, shown[row], others)
        counted[same[1:]] = False


def _valid_uscc(text: str) -> bool:
    try:
        return validate_uscc(text) == text
    except ValueError:
        return False


__all__ = ["USCC_NAME", "KeyCheck", "KeyProblem", "check_keys"]
