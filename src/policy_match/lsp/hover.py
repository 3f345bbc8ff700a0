"""Hover cards: what a name, field, policy id or code under the cursor is, in the author's
language (zh or en). Tags are read from their declarations (so a card shows while the
rulebook has errors); defines and policies are worded by ``core.describe`` from the last
load without errors, marked so when that load is older than the text."""

from __future__ import annotations

from policy_match.base.messages import text
from policy_match.core.describe import Describer, describe_policy
from policy_match.dsl import ast
from policy_match.dsl.fields import BY_NAME
from policy_match.dsl.reporter import Reporter
from policy_match.dsl.tag_check import tag_spec
from policy_match.dsl.type_words import hierarchy_words, noun
from policy_match.dsl.types import Kind, Type
from policy_match.dsl.words import say
from policy_match.lsp.index import Occurrence, Role, at
from policy_match.lsp.workspace import Snapshot

_UNIT_KEYS = {Kind.MONEY: "lsp.unit.money", Kind.RATIO: "lsp.unit.ratio",
              Kind.DURATION: "lsp.unit.duration"}


def type_words(t: Type, lang: str) -> str:
    """The type as the author writes it, with its name in the reader's language."""
    try:
        named = say(noun(t), lang)
    except KeyError:  # a catalogue without the type's noun: the written form alone
        return t.describe()
    return f"{t.describe()}（{named}）" if lang == "zh" else f"{t.describe()} ({named})"


def unit_words(t: Type, lang: str) -> str | None:
    if t.kind is Kind.COUNT:
        return t.unit or ("个" if lang == "zh" else "items")
    key = _UNIT_KEYS.get(t.kind)
    return text(key, lang) if key else None


def tag_type(snap: Snapshot, name: str) -> Type | None:
    """A tag's type, from the checked rulebook or else its declaration alone."""
    if snap.book is not None and name in snap.book.tags:
        return snap.book.tags[name].type
    decl = snap.declarations.tags.get(name)
    if decl is None:
        return None
    spec = tag_spec(decl, snap.vocabulary, Reporter())
    return spec.type if spec else None


def tag_card(snap: Snapshot, decl: ast.TagDecl, lang: str) -> str:
    name = decl.name.name
    lines = [f"**{text('lsp.hover.tag', lang, name=name)}**", ""]
    t = tag_type(snap, name)
    if t is not None:
        lines.append("- " + text("lsp.hover.type", lang, type=type_words(t, lang)))
        unit = unit_words(t, lang)
        if unit:
            lines.append("- " + text("lsp.hover.unit", lang, unit=unit))
        if t.kind in (Kind.ENUM, Kind.SET):
            lines.append("- " + (text("lsp.hover.values", lang, values="、".join(t.values))
                                 if t.values is not None else text("lsp.hover.open_set", lang)))
    if decl.label is not None:
        lines.append("- " + text("lsp.hover.label", lang, label=decl.label.value))
    if decl.key:
        lines.append("- " + text("lsp.hover.key", lang))
    if decl.signed:
        lines.append("- " + text("lsp.hover.signed", lang))
    return "\n".join(lines)


def _freshness(snap: Snapshot, lang: str) -> str:
    return "" if snap.result.rulebook is not None else "\n\n" + text("lsp.hover.stale", lang)


def define_card(snap: Snapshot, name: str, lang: str) -> str:
    book = snap.book
    if book is None or name not in book.defines:
        head = text("lsp.hover.define", lang, name=name, type="?")
        return f"**{head}**\n\n{text('lsp.hover.unchecked', lang)}"
    define = book.defines[name]
    describer = Describer(book, lang)
    worded = (describer.condition(define.expr) if define.type.kind is Kind.BOOL
              else describer.value(define.expr))
    head = text("lsp.hover.define", lang, name=name, type=type_words(define.type, lang))
    body = text("lsp.hover.means", lang, name=name, text=worded)
    return f"**{head}**\n\n{body}{_freshness(snap, lang)}"


def policy_card(snap: Snapshot, policy_id: str, lang: str) -> str:
    book = snap.book
    head = f"**{text('lsp.hover.policy', lang, id=policy_id)}**"
    if book is None or policy_id not in book.policies:
        return f"{head}\n\n{text('lsp.hover.unchecked', lang)}"
    worded = describe_policy(book, book.policies[policy_id], lang).replace("\n", "\n\n")
    return f"{head}\n\n{worded}{_freshness(snap, lang)}"


def field_card(name: str, lang: str) -> str:
    spec = BY_NAME[name]
    card = f"**{text('lsp.hover.field', lang, zh=spec.zh, en=spec.en)}**"
    return card + (f"\n\n{text('lsp.hover.required', lang)}" if spec.required else "")


def code_card(snap: Snapshot, subject: str, value: str, lang: str) -> str | None:
    """The name of an industry or region code compared to a code tag."""
    t = tag_type(snap, subject)
    if t is None or t.kind is not Kind.CODE or t.hierarchy is None:
        return None
    hierarchy = snap.vocabulary.hierarchies.get(t.hierarchy)
    if hierarchy is None:
        return None
    found = hierarchy.lookup(value)
    if found.code is None:
        return say(found.reason, lang) or None
    where = say(hierarchy_words(t.hierarchy), lang)
    label = hierarchy.label(found.code)
    if label is None:
        return text("lsp.hover.code_unnamed", lang, hierarchy=where, code=found.code)
    return text("lsp.hover.code", lang, hierarchy=where, code=found.code, name=label)


def hover_text(snap: Snapshot, path: str, offset: int, lang: str) -> tuple[str, Occurrence] | None:
    """The card for what is at ``offset`` in ``path``, and the occurrence it is about."""
    found = at(snap.occurrences(path), offset)
    if found is None:
        return None
    card = _card(snap, found, lang)
    return (card, found) if card else None


def _card(snap: Snapshot, found: Occurrence, lang: str) -> str | None:
    decls = snap.declarations
    if found.role in (Role.TAG, Role.DEFINE, Role.NAME, Role.ENTRY):
        if found.name in decls.tags:
            return tag_card(snap, decls.tags[found.name], lang)
        if found.name in decls.defines:
            return define_card(snap, found.name, lang)
        return None
    if found.role is Role.POLICY:
        return policy_card(snap, found.name, lang)
    if found.role is Role.FIELD:
        return field_card(found.name, lang) if found.name in BY_NAME else None
    if found.role is Role.FUNCTION:
        return f"**{text('lsp.hover.function', lang, name=found.name)}**"
    if found.role is Role.STRING and found.subject:
        return code_card(snap, found.subject, found.name, lang)
    return None
