"""The 清单's 申请条件 cell puts every top-level item on its own line, past （十） too."""

from __future__ import annotations

from policy_match.apps.publishing.listing import condition_text
from policy_match.core.loading import load_sources


def test_items_past_one_hundred_start_their_own_lines() -> None:
    items = ", ".join(f"专利数 >= {i}" for i in range(1, 151))
    text = ("tag 专利数: count(件)\n"
            f'policy "P" {{\n    事项名称: "测试"\n    申请条件: all of [{items}]\n}}\n')
    book = load_sources({"p.rule": text}).rulebook
    assert book is not None
    lines = condition_text(book, book.policies["P"]).splitlines()
    assert len(lines) == 151  # the lead-in and one line per item
    assert lines[100].startswith("（一百）") and lines[110].startswith("（一百一十）")
    assert lines[-1].startswith("（一百五十）")
