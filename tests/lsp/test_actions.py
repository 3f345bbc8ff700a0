"""Quick fixes over real stdio: a "did you mean" hint becomes an edit that makes the
rulebook load."""

from __future__ import annotations

from pathlib import Path

from lsp_client import (
    LspClient,
    apply_edits,
    close_document,
    diagnostics_of,
    open_document,
    tags_folder,
    uri,
)

from policy_match.core.loading import load_sources

TEXT = 'define 甲 = 营业收人 >= 2000万 且 企业规模 属于 ["小形"]\n'


def test_a_misspelt_name_is_fixed_by_the_quick_fix(client: LspClient, workspace: Path) -> None:
    folder = tags_folder(workspace, "fix")
    doc = folder / "fix.rule"
    mark = client.mark()
    open_document(client, doc, TEXT)
    found = diagnostics_of(client, doc, mark, lambda d: len(d) > 0)
    name = next(d for d in found if d["code"] == "E-NAME")
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri(doc)}, "range": name["range"],
        "context": {"diagnostics": [name], "only": ["quickfix"]}})
    close_document(client, doc)
    assert len(actions) == 1
    action = actions[0]
    assert action["kind"] == "quickfix" and "营业收入" in action["title"]
    fixed = apply_edits(TEXT, action["edit"]["changes"][uri(doc)])
    assert fixed.startswith("define 甲 = 营业收入 >= 2000万")


def test_every_offered_fix_applied_makes_the_rulebook_load(client: LspClient,
                                                           workspace: Path) -> None:
    folder = tags_folder(workspace, "fix_all")
    doc = folder / "fix.rule"
    mark = client.mark()
    open_document(client, doc, TEXT)
    found = diagnostics_of(client, doc, mark, lambda d: len(d) > 0)
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri(doc)}, "range": found[0]["range"],
        "context": {"diagnostics": found}})
    close_document(client, doc)
    assert len(actions) == len(found) == 2  # the name and the enum value
    edits = [e for a in actions for e in a["edit"]["changes"][uri(doc)]]
    fixed = apply_edits(TEXT, edits)
    sources = {str(p): p.read_text(encoding="utf-8") for p in folder.glob("*.rule")}
    result = load_sources({**sources, str(doc): fixed})
    assert result.rulebook is not None, [d.text("en") for d in result.diagnostics]
    assert '"小型"' in fixed


def test_no_fix_is_offered_without_a_hint(client: LspClient, workspace: Path) -> None:
    folder = tags_folder(workspace, "nofix")
    doc = folder / "nofix.rule"
    text = "define 乙 = 营业收入 >= 300人\n"  # a unit error: no replacement to offer
    mark = client.mark()
    open_document(client, doc, text)
    found = diagnostics_of(client, doc, mark, lambda d: len(d) > 0)
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri(doc)}, "range": found[0]["range"],
        "context": {"diagnostics": found}})
    close_document(client, doc)
    assert actions == []


def test_a_code_not_in_the_standard_offers_the_nearest_real_ones(client: LspClient,
                                                                 workspace: Path) -> None:
    from policy_match.plugins.builtins.industry import INDUSTRY

    folder = tags_folder(workspace, "fix_code")
    doc = folder / "code.rule"
    text = 'define 甲 = 所属行业 属于 ["C3999"]\n'
    mark = client.mark()
    open_document(client, doc, text)
    found = diagnostics_of(client, doc, mark, lambda d: len(d) > 0)
    wrong = next(d for d in found if d["code"] == "E-CODE")
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri(doc)}, "range": wrong["range"],
        "context": {"diagnostics": [wrong]}})
    close_document(client, doc)
    assert actions and actions[0].get("isPreferred") is True
    assert not any(a.get("isPreferred") for a in actions[1:])
    sources = {str(p): p.read_text(encoding="utf-8") for p in folder.glob("*.rule")}
    for action in actions:
        fixed = apply_edits(text, action["edit"]["changes"][uri(doc)])
        code = fixed.split('"')[1]
        assert INDUSTRY.lookup(code).code == code and code in wrong["message"]
        assert load_sources({**sources, str(doc): fixed}).rulebook is not None
