"""policy_match on a Spark cluster: the exact columnar engine on every partition
(``mapInArrow``), and the rulebook compiled to Spark SQL on a temporary view.

    from policy_match import spark as pm_spark
    pairs = pm_spark.match(book, df)            # (enterprise_id, policy_id, verdict)
    found = pm_spark.run(book, df)              # the same pass, with the bad values:
    found.verdicts, found.errors
    pairs = pm_spark.match_sql(book, df)        # Spark SQL; df in book.sql_schema("spark")
    record = pm_spark.read_enterprise(df, book, enterprise_id)
    book.explain(record, policy_id)             # why a listed pair is listed

See docs/scale.md for running a province or the nation this way.
"""

from policy_match.spark.frames import to_arrow, to_frame
from policy_match.spark.match import DEFAULT_VERDICTS, SparkMatch, bad_values, match, run
from policy_match.spark.rows import read_enterprise
from policy_match.spark.sql_route import match_sql

__all__ = ["DEFAULT_VERDICTS", "SparkMatch", "bad_values", "match", "match_sql",
           "read_enterprise", "run", "to_arrow", "to_frame"]
