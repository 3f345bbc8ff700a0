"""``EnterpriseTable.to_database`` as a mixin: the table's side of the SQL backend. The
backend itself (``data.database``, sqlglot and the drivers) is imported only when a table is
written, so reading and matching files never needs the ``sql`` extra."""

from __future__ import annotations

from typing import Literal, Self

from policy_match.data.schema import SchemaSource, TagSchema

IfExists = Literal["fail", "replace", "append"]


class TableDatabase:
    """``EnterpriseTable.to_database``: kept here, so ``table.py`` stays about tables."""

    tag_schema: TagSchema | None = None

    def _with_schema(self, schema: TagSchema) -> Self:
        self.tag_schema = schema
        return self

    def to_database(self, url: str, table: str = "enterprises", if_exists: IfExists = "fail",
                    *, schema: SchemaSource | None = None) -> int:
        """Write this table to ``duckdb:///path.duckdb`` or ``postgresql://…`` as ``table``
        (``if_exists``: fail, replace or append); returns the rows written."""
        from policy_match.data.database import write_table

        return write_table(self, url, table, if_exists, schema)


