"""The daily refresh on Spark: match again only the enterprises whose data changed.

A 企业库 changes a few percent a day. Given yesterday's table, yesterday's result rows and
today's table, :func:`rematch` matches the rows that are new or whose columns the rules read
changed (:func:`changed_rows`), drops the enterprises that left and keeps every other row of
yesterday's result as it was. A verdict depends only on the row, the rulebook and the date,
so this equals a full match when the rulebook is the same and the date cannot change any
verdict: either the date did not move, or no condition reads the date (评估日) and no item
comes into or goes out of force between the two dates. Otherwise it is a full match (said
by :attr:`Refresh.full`), never a wrong one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policy_match.base import clock
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.ir import Verdict
from policy_match.spark.match import DEFAULT_VERDICTS, engine_columns, match

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


@dataclass(frozen=True)
class Refresh:
    rows: DataFrame  # today's (enterprise_id, policy_id, verdict)
    full: bool  # True: every row was matched again (the date changes some verdict)
    changed: DataFrame | None  # the rows matched again (None on a full match)


def changed_rows(book: Rulebook, today: DataFrame, yesterday: DataFrame,
                 as_of: dt.date) -> DataFrame:
    """Today's rows that are new or differ from yesterday's in a column the rules read (and
    rows without a key: nothing names them from one day to the next)."""
    columns, _ = engine_columns(book, today.columns, as_of)
    key = columns[0]
    differ = today.select(*columns).exceptAll(yesterday.select(*columns)).select(key)
    return today.join(differ, on=key, how="left_semi").unionByName(today.where(today[key].isNull()))


def date_matters(book: Rulebook, as_of: dt.date, previous_as_of: dt.date) -> bool:
    """Whether moving from ``previous_as_of`` to ``as_of`` can change a verdict."""
    if as_of == previous_as_of:
        return False
    moved = any(p.active_on(as_of) != p.active_on(previous_as_of)
                for p in book.policies.values())
    return moved or any(book.policies[pid].active_on(as_of) for pid in book.today_dependent)


def rematch(book: Rulebook, today: DataFrame, yesterday: DataFrame, previous: DataFrame, *,
            previous_as_of: dt.date, as_of: dt.date | None = None,
            verdicts: Iterable[Verdict | str] = DEFAULT_VERDICTS) -> Refresh:
    """Today's result from yesterday's ``previous`` rows (made by the same rulebook with the
    same ``verdicts`` on ``previous_as_of``), matching only what changed."""
    day = clock.resolve(as_of)
    wanted = tuple(verdicts)
    if date_matters(book, day, previous_as_of):
        return Refresh(match(book, today, as_of=day, verdicts=wanted), True, None)
    changed = changed_rows(book, today, yesterday, day)
    key = engine_columns(book, today.columns, day)[0][0]
    staying = today.select(key).join(changed.select(key), on=key, how="left_anti")
    kept = previous.join(staying.withColumnRenamed(key, "enterprise_id"),
                         on="enterprise_id", how="left_semi")
    fresh = match(book, changed, as_of=day, verdicts=wanted)
    return Refresh(kept.unionByName(fresh), False, changed)
