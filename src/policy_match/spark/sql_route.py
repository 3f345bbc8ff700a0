"""The SQL route: the rulebook compiled to one Spark SQL query (``book.to_sql("spark")``) and
run by Spark's own engine on a temporary view of ``df``, with no Python on the executors.

``df`` must hold the columns of ``book.sql_schema("spark")``, named as the tags and of those
types (``frames.to_frame`` makes one from a loaded table). The view is dropped as soon as
the query is planned: the DataFrame keeps its plan, nothing is left in the session.

Exact decimals: with Spark's default ``spark.sql.decimalOperations.allowPrecisionLoss=true``
a product needing more than 38 digits is rounded (``0.0000000001 × 0.0001 > 0`` came out
false). The query is planned with ``false``. Classic Spark 4 records the setting in each
arithmetic expression as the query is parsed, so the caller's value is restored at once
and the DataFrame stays exact however often it runs (tests/spark/test_sql_route.py). Older
Spark and Spark Connect work the types out again when the DataFrame runs: there the
setting is left ``false`` on the session.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from policy_match.base import clock
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.ir import Verdict
from policy_match.spark.match import DEFAULT_VERDICTS
from policy_match.spark.session import EXACT_DECIMALS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def match_sql(book: Rulebook, df: DataFrame, *, as_of: dt.date | None = None,
              verdicts: Iterable[Verdict | str] = DEFAULT_VERDICTS) -> DataFrame:
    """``(enterprise_id, policy_id, verdict)`` as :func:`policy_match.spark.match` gives
    them, computed by Spark SQL, with exact decimal products whatever the session's
    ``spark.sql.decimalOperations.allowPrecisionLoss`` (see the module's docstring)."""
    day = clock.resolve(as_of)  # settled on the driver, as the mapInArrow route does
    wanted = tuple(verdicts)  # checked by to_sql: an unknown verdict is refused in zh and en
    view = f"policy_match_{uuid.uuid4().hex}"
    spark = df.sparkSession
    df.createOrReplaceTempView(view)
    try:
        with exact_decimals(spark):
            return spark.sql(book.to_sql("spark", table=view, as_of=day, verdicts=wanted))
    finally:
        spark.catalog.dropTempView(view)


@contextmanager
def exact_decimals(spark: SparkSession) -> Iterator[None]:
    """No decimal rounding in what is planned inside; the caller's setting back after, where
    the plan keeps it (classic Spark 4)."""
    key, exact = EXACT_DECIMALS
    previous = spark.conf.get(key, None)  # None: not set, Spark's default applies
    spark.conf.set(key, exact)
    try:
        yield
    finally:
        if plans_keep_the_setting(spark):
            if previous is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, previous)


def plans_keep_the_setting(spark: SparkSession) -> bool:
    """Whether an analysed plan keeps the precision-loss setting it was parsed with: classic
    Spark from 4.0 on (arithmetic carries a ``NumericEvalContext``). Spark Connect analyses
    on the server when the DataFrame runs, Spark 3.5 reads the setting again then."""
    try:
        spark.sparkContext  # noqa: B018 - Spark Connect has none and raises
    except (AttributeError, NotImplementedError):
        return False
    return int(spark.version.split(".")[0]) >= 4
