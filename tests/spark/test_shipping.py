"""The rulebook travels as its texts and is compiled once per process, keyed by a digest of
texts and vocabulary; on Spark, once per executor process however many partitions it runs."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator

import pyarrow as pa
import pytest

import policy_match as pm
from policy_match.core.loading import load_sources
from policy_match.spark import shipping
from policy_match.spark.shipping import ShippedBook, compiled, ship

RULES = ('tag 代码: text key\ntag 人数: count\n'
         'policy "P" {\n 事项名称: "p"\n 申请条件: 人数 >= 5\n}\n')


def book_of(text: str) -> pm.Rulebook:
    loaded = load_sources({"p.rule": text}).rulebook
    assert loaded is not None
    return loaded


def test_the_digest_names_the_texts() -> None:
    first, again = ship(book_of(RULES)), ship(book_of(RULES))
    assert first.digest == again.digest
    assert first.sources == (("p.rule", RULES),)
    changed = ship(book_of(RULES.replace(">= 5", ">= 6")))
    assert changed.digest != first.digest


def test_an_executor_compiles_a_version_once_and_gets_the_same_verdicts() -> None:
    book = book_of(RULES)
    shipped = ship(book)
    rebuilt = compiled(shipped)
    assert compiled(shipped) is rebuilt  # the second task of the process: no compile
    assert rebuilt is not book and rebuilt.sources == book.sources
    for n in (4, 5, None):
        record = {"代码": "x", "人数": n}
        assert rebuilt.evaluate(record, "P") is book.evaluate(record, "P")


def test_the_process_keeps_a_few_versions_not_every_one() -> None:
    for i in range(shipping.KEEP + 3):
        compiled(ship(book_of(RULES.replace(">= 5", f">= {i + 10}"))))
    assert shipping.compiled_count() == shipping.KEEP


def test_a_rulebook_without_texts_cannot_travel() -> None:
    book = book_of(RULES)
    bare = pm.Rulebook(book.program, book.vocabulary)
    with pytest.raises(ValueError, match="no source texts"):
        ship(bare)


def _compiles_seen(shipped: ShippedBook, batches: Iterator[pa.RecordBatch]
                   ) -> Iterator[pa.RecordBatch]:
    before = shipping.COMPILES
    book = compiled(shipped)
    for batch in batches:
        yield pa.RecordBatch.from_pydict({
            "pid": [os.getpid()] * batch.num_rows, "book": [id(book)] * batch.num_rows,
            "compiles": [shipping.COMPILES - before] * batch.num_rows})


def test_on_spark_each_executor_process_compiles_once(spark: object) -> None:
    """Twelve partitions on two cores: the worker processes are reused, and each compiles
    the broadcast rulebook at most once (the first of its tasks), whatever it runs later."""
    from pyspark import cloudpickle

    from policy_match.spark.match import _shipment

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers lack tests/ on path
    session = spark
    fresh = f"# {uuid.uuid4()}\n{RULES}"  # a version no worker of this session has compiled
    handle = _shipment(session, ship(book_of(fresh)))  # type: ignore[arg-type]
    df = session.range(0, 1200, numPartitions=12)  # type: ignore[attr-defined]
    rows = df.mapInArrow(lambda it: _compiles_seen(handle(), it),
                         "pid long, book long, compiles long").distinct().collect()
    by_process: dict[int, set[int]] = {}
    for r in rows:
        by_process.setdefault(r.pid, set()).add(r.book)
    assert all(len(books) == 1 for books in by_process.values()), by_process
    assert sum(r.compiles for r in rows) == len(by_process)  # one compile per process
    assert len(by_process) <= 4  # a handful of reused workers, not one per partition
