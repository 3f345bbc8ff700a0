"""The SQL route: the rulebook compiled to one Spark SQL query (``book.to_sql("spark")``) and
run by Spark's own engine on a temporary view of ``df``, with no Python on the executors.

``df`` must hold the columns of ``book.sql_schema("spark")``, named as the tags and of those
types (``frames.to_frame`` makes one from a loaded table). The view is dropped as soon as
the query is planned: the DataFrame keeps its plan, nothing is left in the session.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from policy_match.base import clock
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.ir import Verdict
from policy_match.spark.match import DEFAULT_VERDICTS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def match_sql(book: Rulebook, df: DataFrame, *, as_of: dt.date | None = None,
              verdicts: Iterable[Verdict | str] = DEFAULT_VERDICTS) -> DataFrame:
    """``(enterprise_id, policy_id, verdict)`` as :func:`policy_match.spark.match` gives
    them, computed by Spark SQL."""
    day = clock.resolve(as_of)  # settled on the driver, as the mapInArrow route does
    wanted = tuple(Verdict(v).value for v in verdicts)
    view = f"policy_match_{uuid.uuid4().hex}"
    spark = df.sparkSession
    df.createOrReplaceTempView(view)
    try:
        return spark.sql(book.to_sql("spark", table=view, as_of=day, verdicts=wanted))
    finally:
        spark.catalog.dropTempView(view)
