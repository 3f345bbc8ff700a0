"""What each name in a rulebook's text is, and where: the occurrences an editor asks about.

The checker resolves names into the typed IR, but only for a rulebook without errors; an
editor asks about text as it is being typed. So this module reads the syntax tree of every
file (which exists for each declaration that parses) and records, per file, each name,
declaration, field name, policy id and string, with the tag a string is compared to (so
``"C39"`` in ``所属行业 属于 ["C39"]`` is known to be an industry code).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from policy_match.dsl import ast
from policy_match.dsl.span import Span


class Role(StrEnum):
    TAG = "tag"  # the name of a tag declaration
    DEFINE = "define"  # the name of a define declaration
    NAME = "name"  # a name used in an expression (a tag, a define, a word such as 精准)
    FUNCTION = "function"  # the name of a called function
    FIELD = "field"  # a policy field name (事项名称)
    POLICY = "policy"  # a policy's id
    STRING = "string"  # a string literal
    ENTRY = "entry"  # a tag named in an example's 给定 block


@dataclass(frozen=True)
class Occurrence:
    role: Role
    name: str  # the name, or a string's value
    span: Span
    subject: str | None = None  # for a string: the tag or define it is compared to


@dataclass(frozen=True)
class Declarations:
    """The tags, defines and policies of a rulebook's files, by name."""

    tags: Mapping[str, ast.TagDecl]
    defines: Mapping[str, ast.DefineDecl]
    policies: Mapping[str, ast.PolicyDecl]

    @staticmethod
    def of(modules: Mapping[str, ast.Module]) -> Declarations:
        tags: dict[str, ast.TagDecl] = {}
        defines: dict[str, ast.DefineDecl] = {}
        policies: dict[str, ast.PolicyDecl] = {}
        for module in modules.values():
            for decl in module.decls:
                if isinstance(decl, ast.TagDecl):
                    tags.setdefault(decl.name.name, decl)
                elif isinstance(decl, ast.DefineDecl):
                    defines.setdefault(decl.name.name, decl)
                else:
                    policies.setdefault(decl.id.value, decl)
        return Declarations(tags, defines, policies)

    def declared(self, name: str) -> ast.TagDecl | ast.DefineDecl | None:
        return self.tags.get(name) or self.defines.get(name)


def occurrences(module: ast.Module) -> list[Occurrence]:
    """Every occurrence in one file, in source order."""
    found: list[Occurrence] = []
    for decl in module.decls:
        found.extend(_decl(decl))
    found.sort(key=lambda o: o.span.start)
    return found


def at(found: list[Occurrence], offset: int) -> Occurrence | None:
    """The innermost occurrence whose span holds ``offset`` (its end included, so a cursor
    just after a name still finds it)."""
    best: Occurrence | None = None
    for item in found:
        inside = item.span.start <= offset <= item.span.end
        if inside and (best is None or _width(item) < _width(best)):
            best = item
    return best


def _width(item: Occurrence) -> int:
    return item.span.end - item.span.start


def _decl(decl: ast.Decl) -> Iterator[Occurrence]:
    if isinstance(decl, ast.TagDecl):
        yield Occurrence(Role.TAG, decl.name.name, decl.name.span)
    elif isinstance(decl, ast.DefineDecl):
        yield Occurrence(Role.DEFINE, decl.name.name, decl.name.span)
        yield from _expr(decl.expr, None)
    else:
        yield Occurrence(Role.POLICY, decl.id.value, decl.id.span)
        for item in decl.items:
            if isinstance(item, ast.Field):
                yield Occurrence(Role.FIELD, item.name.name, item.name.span)
                yield from _expr(item.value, None)
            else:
                yield from _example(item)


def _example(example: ast.Example) -> Iterator[Occurrence]:
    for item in example.items:
        if isinstance(item, ast.Given):
            for entry in item.entries:
                yield Occurrence(Role.ENTRY, entry.name.name, entry.name.span)
                yield from _expr(entry.value, entry.name.name)
        elif isinstance(item, ast.ExampleStmt):
            yield from _expr(item.value, None)


def _subject(node: object) -> str | None:
    """The name a comparison, ``in`` or ``has`` is about, when it is a plain name."""
    left = getattr(node, "operand", None) or getattr(node, "left", None)
    return left.name if isinstance(left, ast.Name) else None


def _expr(node: object, subject: str | None) -> Iterator[Occurrence]:
    if isinstance(node, ast.Name):
        yield Occurrence(Role.NAME, node.name, node.span)
        return
    if isinstance(node, ast.String):
        yield Occurrence(Role.STRING, node.value, node.span, subject)
        return
    if isinstance(node, ast.Call):
        yield Occurrence(Role.FUNCTION, node.func.name, node.func.span)
        for arg in node.args:
            yield from _expr(arg, None)
        return
    if isinstance(node, ast.In | ast.Has | ast.Compare):
        subject = _subject(node)
    if not dataclasses.is_dataclass(node):
        return
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        for child in value if isinstance(value, tuple) else (value,):
            if dataclasses.is_dataclass(child) and not isinstance(child, Span):
                yield from _expr(child, subject)
