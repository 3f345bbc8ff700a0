"""Typed IR → predicate DAG → verdicts: the evaluation back ends."""
