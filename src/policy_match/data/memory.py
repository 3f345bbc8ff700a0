"""Freed memory handed back to the system while a table loads.

A load frees a raw column each time it has parsed one, but neither allocator gives the
memory back on its own: Arrow's (mimalloc) keeps it for reuse, and glibc's ``malloc`` keeps
the numpy temporaries of the parse threads in its arenas. Until they do, the raw file and the
parsed table add up in the process's resident memory (its peak is what a machine must
have); handed back after each column, the peak is about the larger of the two instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from functools import cache


def release_freed_memory() -> None:
    """Give freed memory back to the system: Arrow's pool, then glibc's heap (Linux only;
    elsewhere a no-op). A few milliseconds."""
    import pyarrow as pa

    release = getattr(pa.default_memory_pool(), "release_unused", None)
    if release is not None:
        release()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or ``None`` where there is none (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    found: Callable[[int], int] = trim
    return found
