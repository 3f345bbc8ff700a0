"""Going to a declaration, finding every use, renaming a define, and a file's outline.

Names are one namespace across the folder (rule-language §1), so a name found in any file
of the rulebook is the same tag or define; a use is a name in an expression, in ``known(…)``
or a tag given in an example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lsprotocol import types as lsp

from policy_match.base.messages import text
from policy_match.dsl import ast
from policy_match.dsl.fields import BY_NAME
from policy_match.dsl.parser import KEYWORDS
from policy_match.dsl.span import Span
from policy_match.lsp.index import Occurrence, Role, at
from policy_match.lsp.positions import LineIndex
from policy_match.lsp.workspace import Snapshot

_DECLARING = (Role.TAG, Role.DEFINE)
_USING = (Role.NAME, Role.ENTRY)
_IDENTIFIER = re.compile(r"[^\W\d]\w*")


@dataclass(frozen=True)
class Place:
    path: str
    span: Span


def named_at(snap: Snapshot, path: str, offset: int) -> Occurrence | None:
    """The tag or define name at ``offset`` (declared or used), if there is one."""
    found = at(snap.occurrences(path), offset)
    if found is None or found.role not in (*_DECLARING, *_USING):
        return None
    return found if snap.declarations.declared(found.name) is not None else None


def declaration(snap: Snapshot, name: str) -> Place | None:
    decl = snap.declarations.declared(name)
    if decl is None:
        return None
    return Place(decl.name.span.path, decl.name.span)


def references(snap: Snapshot, name: str, *, with_declaration: bool = True) -> list[Place]:
    """Every place ``name`` is written in the rulebook, file by file in source order."""
    out = []
    for path in snap.modules:
        for item in snap.occurrences(path):
            if item.name != name:
                continue
            if item.role in _USING or (with_declaration and item.role in _DECLARING):
                out.append(Place(path, item.span))
    return out


def rename_refusal(snap: Snapshot, old: str, new: str, lang: str) -> str | None:
    """Why ``old`` may not be renamed to ``new`` (None when it may)."""
    if old not in snap.declarations.defines:
        return text("lsp.rename.not_define", lang)
    if not _IDENTIFIER.fullmatch(new):
        return text("lsp.rename.invalid", lang, name=new)
    if new in KEYWORDS or new in BY_NAME:
        return text("lsp.rename.keyword", lang, name=new)
    if new != old and snap.declarations.declared(new) is not None:
        return text("lsp.rename.taken", lang, name=new)
    return None


def symbols(snap: Snapshot, path: str) -> list[lsp.DocumentSymbol]:
    """The outline of one file: its tags, defines and policies (with their examples)."""
    module = snap.modules.get(path)
    if module is None:
        return []
    lines = snap.lines(path)
    out = []
    for decl in module.decls:
        if isinstance(decl, ast.TagDecl):
            out.append(_symbol(lines, decl.name.name, decl.type.name.name, lsp.SymbolKind.Field,
                               decl.span, decl.name.span))
        elif isinstance(decl, ast.DefineDecl):
            out.append(_symbol(lines, decl.name.name, "define", lsp.SymbolKind.Variable,
                               decl.span, decl.name.span))
        else:
            out.append(_policy_symbol(lines, decl))
    return out


def _policy_symbol(lines: LineIndex, decl: ast.PolicyDecl) -> lsp.DocumentSymbol:
    name = next((f.value.value for f in decl.items if isinstance(f, ast.Field)
                 and BY_NAME.get(f.name.name, None) is BY_NAME["name"]
                 and isinstance(f.value, ast.String)), "")
    examples = [_symbol(lines, e.title.value, e.keyword.name, lsp.SymbolKind.Event, e.span,
                        e.title.span)
                for e in decl.items if isinstance(e, ast.Example)]
    symbol = _symbol(lines, decl.id.value, name, lsp.SymbolKind.Class, decl.span, decl.id.span)
    symbol.children = examples or None
    return symbol


def _symbol(lines: LineIndex, name: str, detail: str, kind: lsp.SymbolKind, whole: Span,
            selection: Span) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(name=name, detail=detail or None, kind=kind,
                              range=lines.range(whole), selection_range=lines.range(selection))
