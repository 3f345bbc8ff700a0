"""The SQL backend: the predicate DAG as one query over a table with a column per tag.

``compile.py`` (node → expression), ``numbers.py`` (exact fractions), ``dates.py``
(calendar), ``dialects.py`` (what differs per dialect), ``query.py`` (the whole rulebook as
one query), ``schema.py`` (the ``CREATE TABLE``). See ``docs/sql.md``.
"""
