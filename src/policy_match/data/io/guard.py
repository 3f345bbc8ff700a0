"""Outputs never overwrite inputs, and never replace an existing file unless asked to.

Every command that writes a file calls :func:`check_output` before writing (``--force`` is
what a user passes to replace an earlier output; nothing can make an output replace one of
the command's own inputs).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class OutputRefused(ValueError):
    """An output path that would overwrite an input, or an existing file without force."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def check_output(path: str | Path, inputs: Iterable[str | Path] = (), force: bool = False
                 ) -> Path:
    """``path`` as a Path when it may be written; :class:`OutputRefused` saying why when not.

    ``inputs`` are the files (or folders) the command read; an output inside an input folder
    is fine, an output that *is* an input never is."""
    target = Path(path)
    for source in inputs:
        if _same_file(target, Path(source)) or target.resolve() == Path(source).resolve():
            raise OutputRefused(f"{target}: 输出文件就是输入文件，不能覆盖 "
                                f"(the output is an input: {source}; choose another path)")
    if target.exists() and not force:
        raise OutputRefused(f"{target}: 文件已存在；如需覆盖请加 --force "
                            f"(the file exists; pass --force to replace it)")
    return target
