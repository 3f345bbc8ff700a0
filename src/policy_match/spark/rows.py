"""One enterprise's row of a Spark DataFrame as the record ``Rulebook.explain`` takes: why
Spark listed a pair is asked of the scalar evaluator with the very values Spark matched.

As ``data.database.read_enterprise`` for a database table: column → value, missing values
left out, columns named as a tag or its label (the record is keyed by tag), durations held
as days read back as ``N天``. Raw text frames give their text, typed ones (the types of
``book.sql_schema("spark")``) their decimals, dates, booleans and lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from policy_match.base.messages import CatalogueError
from policy_match.data.database import as_record_value
from policy_match.data.schema import SchemaSource, schema_of
from policy_match.spark.match import columns_by_tag, id_column

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def read_enterprise(df: DataFrame, schema: SchemaSource, enterprise_id: str) -> dict[str, Any]:
    """The row of ``df`` whose id column (the key tag's, or ``enterprise_id``) holds
    ``enterprise_id`` as ``policy_match.spark.match`` lists it; the first such row Spark
    finds. ``ValueError`` when there is none."""
    tags = schema_of(schema)
    by_tag = columns_by_tag(tags, df.columns)
    ids = id_column(tags, df.columns, by_tag)
    column = df[ids] if dict(df.dtypes)[ids] == "string" else df[ids].cast("string")
    rows = df.where(column == enterprise_id).limit(1).collect()
    if not rows:
        raise CatalogueError("spark.no_enterprise", enterprise=enterprise_id, column=ids)
    by_column = {column: tag for tag, column in by_tag.items()}
    record: dict[str, Any] = {}
    for name, value in rows[0].asDict().items():
        tag = tags.tags.get(by_column.get(name, ""))
        if value is not None and tag is not None:
            record[tag.name] = as_record_value(value, tag.type.kind)
    return record
