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


def test_several_outputs_are_checked_before_any_is_written(tmp_path: Path) -> None:
    from policy_match.data.io.guard import check_outputs

    fresh, earlier = tmp_path / "a.csv", tmp_path / "b.csv"
    earlier.write_text("earlier", encoding="utf-8")
    with pytest.raises(OutputRefused, match="文件已存在"):
        check_outputs([fresh, earlier])
    assert not fresh.exists()
    assert check_outputs([fresh, earlier], force=True) == [fresh, earlier]
    with pytest.raises(OutputRefused, match="同一文件"):
        check_outputs([fresh, tmp_path / "." / "a.csv"])


def test_a_folder_is_not_an_output_file(tmp_path: Path) -> None:
    with pytest.raises(OutputRefused, match="文件夹"):
        check_output(tmp_path, force=True)
