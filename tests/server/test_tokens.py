"""The staff tokens file: both formats, the checks, and constant-time look-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_match.server.tokens import ALL_DEPARTMENTS, Tokens, TokensError

KJ = "kj-0123456789abcdef"


def test_text_file_one_token_and_department_a_line(tmp_path: Path) -> None:
    path = tmp_path / "tokens.txt"
    path.write_text(f"# staff\n{KJ}   区科学技术局  # the 科技局\n\nhall-0123456789abcdef *\n",
                    encoding="utf-8")
    tokens = Tokens.read(path)
    assert len(tokens) == 2
    assert tokens.department_for(KJ) == "区科学技术局"
    assert tokens.department_for("hall-0123456789abcdef") == ALL_DEPARTMENTS
    assert tokens.department_for("kj-0123456789abcdeX") is None
    assert tokens.department_for("") is None and tokens.department_for(None) is None


def test_json_file_maps_token_to_department(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(f'{{"{KJ}": "区科学技术局"}}', encoding="utf-8")
    assert Tokens.read(path).department_for(KJ) == "区科学技术局"


@pytest.mark.parametrize("text", ["short 区财政局\n", f"{KJ}\n", f"{KJ} 甲\n{KJ} 乙\n",
                                  '{"a": 1}', "{not json"])
def test_unusable_files_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "tokens"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TokensError):
        Tokens.read(path)


def test_a_department_sees_its_own_items_and_star_sees_all() -> None:
    assert Tokens.may_see("区财政局", "区财政局")
    assert not Tokens.may_see("区财政局", "区科学技术局")
    assert not Tokens.may_see("区财政局", None)
    assert Tokens.may_see(ALL_DEPARTMENTS, "区科学技术局")
