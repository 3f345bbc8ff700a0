"""Benchmarks: policy_match against Polars, DuckDB and rule-engine.

Run ``python -m benchmarks.run`` (see benchmarks/run.py).
"""
