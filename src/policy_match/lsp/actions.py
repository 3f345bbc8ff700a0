"""Quick fixes: apply the "did you mean" of a diagnostic, or one of the nearest real codes
it names (the replacements travel in the diagnostic's ``data``, put there by
``lsp.diagnostics.to_lsp``; the first is the preferred fix)."""

from __future__ import annotations

from lsprotocol import types as lsp

from policy_match.base.messages import text


def quick_fixes(uri: str, context: lsp.CodeActionContext, lang: str) -> list[lsp.CodeAction]:
    actions = []
    for diagnostic in context.diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        fixes = data.get("fixes")
        for index, fix in enumerate(fixes if isinstance(fixes, list) else []):
            if not isinstance(fix, str) or not fix:
                continue
            edit = lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(range=diagnostic.range,
                                                                 new_text=fix)]})
            actions.append(lsp.CodeAction(title=text("lsp.fix", lang, name=fix),
                                          kind=lsp.CodeActionKind.QuickFix,
                                          diagnostics=[diagnostic], edit=edit,
                                          is_preferred=index == 0))
    return actions
