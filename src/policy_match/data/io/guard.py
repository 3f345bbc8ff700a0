"""Outputs never overwrite inputs, and never replace an existing file unless asked to.

Every command that writes a file calls :func:`check_output` (or :func:`check_outputs`, for
several files) before writing anything (``--force`` is what a user passes to replace an
earlier output; nothing can make an output replace one of the command's own inputs).
Library writers themselves write where they are told: the check belongs to the edge that
knows what the inputs were and whether the user said ``--force``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class OutputRefused(ValueError):
    """An output path that would overwrite an input, or an existing file without force.
    Its message is in Chinese, then English."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def check_output(path: str | Path, inputs: Iterable[str | Path] = (), force: bool = False
                 ) -> Path:
    """``path`` as a Path when it may be written; :class:`OutputRefused` saying why when not.

    ``inputs`` are the files (or folders) the command read; an output inside an input folder
    is fine, an output that *is* an input never is."""
    target = Path(path)
    for source in inputs:
        if _same_file(target, Path(source)) or _resolved(target) == _resolved(Path(source)):
            raise OutputRefused(f"{target}: 输出文件就是输入文件，不能覆盖 "
                                f"(the output is an input: {source}; choose another path)")
    if target.is_dir():
        raise OutputRefused(f"{target}: 这是一个文件夹，不能作为输出文件 "
                            f"(a folder, not a file; choose a file name)")
    if target.exists() and not force:
        raise OutputRefused(f"{target}: 文件已存在；如需覆盖请加 --force "
                            f"(the file exists; pass --force to replace it)")
    return target


def check_outputs(paths: Iterable[str | Path], inputs: Iterable[str | Path] = (),
                  force: bool = False) -> list[Path]:
    """:func:`check_output` for every file a command is about to write, before any is
    written; two outputs of one command may not be the same file either."""
    sources = list(inputs)
    checked: list[Path] = []
    for path in paths:
        target = check_output(path, sources, force)
        if any(_resolved(target) == _resolved(earlier) for earlier in checked):
            raise OutputRefused(f"{target}: 同一文件被指定为两个输出 "
                                f"(two outputs of this command are the same file)")
        checked.append(target)
    return checked


__all__ = ["OutputRefused", "check_output", "check_outputs"]
