"""MatchResult's lists of enterprises built column-wise: ``eligible/unknown/ineligible``
(lists) and ``eligible_ids`` & co. (Arrow arrays) equal the per-id lists the result gave
before (one Python lookup per row of the verdict), for every policy and verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import policy_match as pm
from policy_match.core.match import MatchResult
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict
from policy_match.tools.generate import REFERENCE_DATE, generate

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result() -> MatchResult[Any]:
    book = pm.load(REPO / "rules")
    table = EnterpriseTable.from_records(generate(700, seed=9, dirty=True), book)
    return book.match(table, as_of=REFERENCE_DATE)


def per_id(result: MatchResult[Any], pid: str, which: Verdict) -> list[str]:
    """The old way: every row's verdict looked up one by one."""
    return [eid for i, eid in enumerate(result.table.ids)
            if result._verdict_at(pid, i) is which]


@pytest.mark.parametrize("which", [Verdict.ELIGIBLE, Verdict.UNKNOWN, Verdict.INELIGIBLE])
def test_lists_equal_the_per_id_lists(result: MatchResult[Any], which: Verdict) -> None:
    lists = {Verdict.ELIGIBLE: result.eligible, Verdict.UNKNOWN: result.unknown,
             Verdict.INELIGIBLE: result.ineligible}[which]
    arrays = {Verdict.ELIGIBLE: result.eligible_ids, Verdict.UNKNOWN: result.unknown_ids,
              Verdict.INELIGIBLE: result.ineligible_ids}[which]
    nonempty = 0
    for pid in result.policy_ids:
        want = per_id(result, pid, which) if result.tris[pid] is not None else []
        assert lists(pid) == want
        got = arrays(pid)
        assert isinstance(got, pa.Array) and got.to_pylist() == want
        assert got.cast(pa.string()).to_pylist() == want
        assert result.ids(pid, which).equals(got)
        assert [result.table.ids[i] for i in result.rows(pid, which).tolist()] == want
        nonempty += bool(want)
    assert nonempty  # the sample has enterprises with this verdict


def test_unknown_policy_is_a_key_error(result: MatchResult[Any]) -> None:
    with pytest.raises(KeyError):
        result.eligible_ids("NO-SUCH-POLICY")
