"""Go to definition, find references, rename a define and the outline, over real stdio,
across the files of the bundled rulebook (a rulebook is a folder: one namespace)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lsp_client import (
    LspClient,
    LspError,
    apply_edits,
    close_document,
    open_document,
    position_of,
    tags_folder,
    text_at,
    uri,
)

from policy_match.core.loading import load, load_sources


def _texts(folder: Path) -> dict[str, str]:
    return {uri(p): p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.rule"))}


@pytest.fixture(scope="module")
def kj(client: LspClient, workspace: Path):  # type: ignore[no-untyped-def]
    path = workspace / "rules" / "kj.rule"
    text = path.read_text(encoding="utf-8")
    open_document(client, path, text)
    yield path, text
    close_document(client, path)


def test_definition_of_a_tag_is_its_declaration_in_another_file(
        client: LspClient, kj: tuple[Path, str], workspace: Path) -> None:
    path, text = kj
    found = client.request("textDocument/definition", {
        "textDocument": {"uri": uri(path)}, "position": position_of(text, "失信被执行人", shift=1)})
    tags = workspace / "rules" / "tags.rule"
    assert found["uri"] == uri(tags)
    tags_text = tags.read_text(encoding="utf-8")
    assert found["range"]["start"] == position_of(tags_text, "tag 失信被执行人", shift=4)
    assert text_at(tags_text, found["range"]) == "失信被执行人"


def test_definition_of_a_define(client: LspClient, workspace: Path) -> None:
    folder = workspace / "rules"
    user = next(p for p in sorted(folder.glob("*.rule"))
                if p.name != "defines.rule" and "小型微利企业" in p.read_text(encoding="utf-8"))
    text = user.read_text(encoding="utf-8")
    open_document(client, user, text)
    found = client.request("textDocument/definition", {
        "textDocument": {"uri": uri(user)}, "position": _in_code(text, "小型微利企业")})
    close_document(client, user)
    defines = (folder / "defines.rule").read_text(encoding="utf-8")
    assert found["uri"] == uri(folder / "defines.rule")
    assert found["range"]["start"] == position_of(defines, "define 小型微利企业", shift=7)


def _in_code(text: str, name: str) -> dict[str, int]:
    """The position of the first use of ``name`` outside comments and strings."""
    nth = 0
    while True:
        where = position_of(text, name, nth)
        line = text.splitlines()[where["line"]][: where["character"]]
        if "#" not in line and line.count('"') % 2 == 0:
            return where
        nth += 1


def _written_uses(folder: Path, name: str) -> int:
    """How often ``name`` is written as a whole word outside comments and strings."""
    count = 0
    for path in folder.glob("*.rule"):
        for line in path.read_text(encoding="utf-8").splitlines():
            code = re.sub(r'"[^"]*"|“[^”]*”', '""', line).split("#")[0]
            count += len(re.findall(rf"(?<!\w){name}(?!\w)", code))
    return count


def _references(client: LspClient, path: Path, position: dict[str, int],
                declaration: bool = True) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.request("textDocument/references", {
        "textDocument": {"uri": uri(path)}, "position": position,
        "context": {"includeDeclaration": declaration}})
    return found


def _assert_every_use(folder: Path, found: list[dict[str, Any]], name: str) -> None:
    """``found`` is every use of ``name`` written in the folder's files, and only those."""
    texts = _texts(folder)
    assert all(text_at(texts[loc["uri"]], loc["range"]) == name for loc in found)
    assert len(found) == _written_uses(folder, name)


def test_references_of_a_define_are_every_use_in_the_folder(
        client: LspClient, workspace: Path) -> None:
    folder = workspace / "rules"
    defines = folder / "defines.rule"
    text = defines.read_text(encoding="utf-8")
    open_document(client, defines, text)
    found = _references(client, defines, position_of(text, "define 小型微利企业", shift=8))
    close_document(client, defines)
    _assert_every_use(folder, found, "小型微利企业")
    assert len({loc["uri"] for loc in found}) > 1  # used beyond its own file


def test_rename_a_define_rewrites_every_use_and_still_loads(
        client: LspClient, workspace: Path) -> None:
    folder = workspace / "rules"
    defines = folder / "defines.rule"
    text = defines.read_text(encoding="utf-8")
    open_document(client, defines, text)
    position = position_of(text, "define 研发投入占比", shift=8)
    prepared = client.request("textDocument/prepareRename", {
        "textDocument": {"uri": uri(defines)}, "position": position})
    edit = client.request("textDocument/rename", {
        "textDocument": {"uri": uri(defines)}, "position": position, "newName": "研发强度"})
    close_document(client, defines)
    assert text_at(text, prepared) == "研发投入占比"
    texts = _texts(folder)
    renamed = {u: apply_edits(t, edit["changes"].get(u, [])) for u, t in texts.items()}
    result = load_sources(renamed)
    assert result.rulebook is not None, [d.text("en") for d in result.diagnostics]
    assert "研发强度" in result.rulebook.defines and "研发投入占比" not in result.rulebook.defines
    before = load(folder)
    assert len(result.rulebook.policies) == len(before.policies)


def test_renaming_a_tag_or_to_a_taken_name_is_refused(client: LspClient, workspace: Path) -> None:
    folder = tags_folder(workspace, "rename")
    defines = folder / "defines.rule"
    text = defines.read_text(encoding="utf-8")
    open_document(client, defines, text)
    try:
        with pytest.raises(LspError) as tag:
            client.request("textDocument/rename", {
                "textDocument": {"uri": uri(defines)}, "newName": "收入",
                "position": position_of(text, "营业收入")})
        with pytest.raises(LspError) as taken:
            client.request("textDocument/rename", {
                "textDocument": {"uri": uri(defines)}, "newName": "营业收入",
                "position": position_of(text, "define 研发投入占比", shift=8)})
    finally:
        close_document(client, defines)
    assert tag.value.code == taken.value.code == -32803
    assert "define" in tag.value.message and "营业收入" in taken.value.message


def test_the_outline_lists_the_items_of_the_file(client: LspClient, kj: tuple[Path, str],
                                                 workspace: Path) -> None:
    path, _ = kj
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(path)}})
    book = load(workspace / "rules")
    mine = [pid for pid, p in book.policies.items() if p.span.path.endswith("kj.rule")]
    assert [s["name"] for s in symbols] == mine
    first = symbols[0]
    assert first["detail"] == book.policies[mine[0]].name
    assert [c["name"] for c in first["children"]] == [
        e.title for e in book.policies[mine[0]].examples]


def test_references_of_a_tag_are_every_use_in_the_folder(
        client: LspClient, workspace: Path) -> None:
    folder = workspace / "rules"
    tags = folder / "tags.rule"
    text = tags.read_text(encoding="utf-8")
    open_document(client, tags, text)
    at = position_of(text, "tag 失信被执行人", shift=5)
    found = _references(client, tags, at)
    without = _references(client, tags, at, declaration=False)
    close_document(client, tags)
    _assert_every_use(folder, found, "失信被执行人")
    files = {loc["uri"] for loc in found}
    assert uri(tags) in files and len(files) > 2  # declared in tags.rule, used in many files
    declaration = {"uri": uri(tags), "range": {
        "start": position_of(text, "tag 失信被执行人", shift=4),
        "end": position_of(text, "tag 失信被执行人", shift=4 + len("失信被执行人"))}}
    assert declaration in found and declaration not in without
    assert len(without) == len(found) - 1
