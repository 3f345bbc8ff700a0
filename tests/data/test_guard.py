"""Outputs never overwrite inputs and never replace a file without --force."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_match.data.io.guard import OutputRefused, check_output


def test_a_new_path_may_be_written(tmp_path: Path) -> None:
    assert check_output(tmp_path / "out.csv", [tmp_path / "in.csv"]) == tmp_path / "out.csv"


def test_an_existing_file_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("earlier", encoding="utf-8")
    with pytest.raises(OutputRefused, match="--force"):
        check_output(out)
    assert check_output(out, force=True) == out
    assert out.read_text(encoding="utf-8") == "earlier"  # checking never writes


def test_an_input_is_never_an_output_even_with_force(tmp_path: Path) -> None:
    data = tmp_path / "in.csv"
    data.write_text("a,b\n", encoding="utf-8")
    for spelled in (data, tmp_path / "." / "in.csv"):
        with pytest.raises(OutputRefused, match="输入文件"):
            check_output(spelled, [data], force=True)
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    with pytest.raises(OutputRefused, match="输入文件"):
        check_output(link, [data], force=True)
