"""What the command-line tests share."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def folder_of_two(tmp_path: Path) -> Path:
    """A folder whose tag is declared in ``tags.rule`` and used by the item in
    ``items.rule``; the item's file, which alone does not check."""
    (tmp_path / "tags.rule").write_text("tag 营业收入: money\n", encoding="utf-8")
    one = tmp_path / "items.rule"
    one.write_text('policy "P" {\n    事项名称: "x"\n    申请条件: 营业收入 >= 1\n}\n',
                   encoding="utf-8")
    return one
