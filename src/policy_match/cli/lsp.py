"""Placeholder: the `lsp` command registers itself here (being built)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    del sub
