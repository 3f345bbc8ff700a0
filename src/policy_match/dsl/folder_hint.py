"""A file checked alone whose unknown names are declared beside it: hint at the folder.

A rulebook is a folder; its tags usually live in one file (``tags.rule``) and its policies
in others. ``policy-match check rules/kj.rule`` then reports every tag as an unknown name,
which reads like a mistake in the file. When such a name is declared by another ``.rule``
file of the same folder, the hint says so and names the command that checks the folder.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from policy_match.dsl import ast
from policy_match.dsl.diagnostics import Code, Diagnostic
from policy_match.dsl.parser import parse
from policy_match.dsl.words import Words

_UNKNOWN_NAME_KEYS = frozenset({"check.unknown_name", "check.example_unknown_tag"})


def declared_names(sources: Mapping[str, str]) -> dict[str, str]:
    """Each tag and define declared in ``sources`` (path → text) → the first file declaring
    it; files that do not parse still give the declarations that do."""
    found: dict[str, str] = {}
    for path, text in sources.items():
        for decl in parse(text, path).module.decls:
            if isinstance(decl, ast.TagDecl | ast.DefineDecl):
                found.setdefault(decl.name.name, path)
    return found


def _unknown_name(d: Diagnostic) -> str | None:
    message = d.message
    if d.code is Code.NAME and isinstance(message, Words) and message.key in _UNKNOWN_NAME_KEYS:
        name = message.fields.get("name")
        return name if isinstance(name, str) else None
    return None


def with_folder_hints(diagnostics: Iterable[Diagnostic], elsewhere: Mapping[str, str],
                      folder: str) -> tuple[Diagnostic, ...]:
    """``diagnostics`` with the hint of each unknown name declared ``elsewhere`` (name →
    file) replaced by one to check ``folder``."""
    out = []
    for d in diagnostics:
        name = _unknown_name(d)
        if name is not None and name in elsewhere:
            d = dataclasses.replace(d, hint=Words("hint.check_folder", name=name,
                                                  file=elsewhere[name], folder=folder))
        out.append(d)
    return tuple(out)
