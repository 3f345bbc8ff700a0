"""Files in and out: one reader and one writer per format, chosen by suffix in one place
(:mod:`.formats`). Readers hand back raw columns for :class:`EnterpriseTable` to parse;
writers take a header and rows (or column batches) and return how many rows they wrote."""

from policy_match.data.io.formats import (
    FORMATS,
    Format,
    UnsupportedFormat,
    format_for,
    read_raw,
    write_batches,
    write_rows,
)
from policy_match.data.io.raw import RawTable

__all__ = ["FORMATS", "Format", "RawTable", "UnsupportedFormat", "format_for", "read_raw",
           "write_batches", "write_rows"]
