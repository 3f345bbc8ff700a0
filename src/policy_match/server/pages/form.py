"""The 政策计算器's form, generated from the tag schema, and the record read back from it.

Every tag the current items' conditions or amounts read (:func:`tags_asked`) becomes one
field, in the order the rulebook declares them, with a widget for its type: a number with
its unit (money in 万元, a ratio in %, a count in its own unit), a date picker, 是/否 and
enum values as a choice list, a set's values as tick boxes, a code with the codes the rules
test as suggestions, text otherwise.
An empty field is "don't know": the item then reads 待补充信息, never 不符合.

Reading works for a GET query and a POST form alike (no JavaScript): a number typed into a
field with a unit gets the unit appended ("2000" in 万元 → "2000万"), so the record is
exactly what an enterprise table would hold and the engine reads it as such.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from policy_match.core.rulebook import Rulebook
from policy_match.dsl import ir
from policy_match.server.models import TagInfo

WIDGETS = ("number", "date", "select", "checks", "code", "text")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class FormData(Protocol):
    """A query string or a posted form: several values per name (Starlette's MultiDict)."""

    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One input of the form."""

    name: str  # the tag, also the input's name
    label: str  # what the field is called on the page: the tag's name
    widget: str  # one of WIDGETS
    unit: str = ""  # shown after the input; appended to a plain number
    suffix: str = ""  # what is appended to a plain number typed in ("万", "%", "")
    step: str = "any"
    minimum: str | None = None
    options: tuple[Option, ...] = ()
    placeholder: str = ""
    hint: str = ""  # the tag's description, under its name

    @property
    def dom_id(self) -> str:
        """An HTML id for the field (its anchor): ASCII letters and digits kept, every other
        character as ``_`` and its hex code point (so two tags never share an id)."""
        return "f-" + "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}"
                              for c in self.name)


def _number_field(tag: TagInfo, label: str, w: WordsFn) -> Field:
    minimum = None if tag.signed else "0"
    if tag.type == "money":
        return Field(tag.name, label, "number", w("pages.unit.wan_yuan"), "万", minimum=minimum)
    if tag.type == "ratio":
        return Field(tag.name, label, "number", "%", "%", minimum=minimum)
    if tag.type == "count":
        return Field(tag.name, label, "number", tag.unit or "", "", step="1", minimum=minimum)
    return Field(tag.name, label, "number", tag.unit or "", "")


class WordsFn(Protocol):
    """The catalogue's words in the pages' language (``render.w``)."""

    def __call__(self, key: str, **fields: object) -> str: ...


def field_for(tag: TagInfo, w: WordsFn) -> Field:
    """The input for one tag of the schema."""
    made = _widget_for(tag, w)
    hint = tag.label if tag.label and tag.label != tag.name else ""
    return replace(made, hint=hint)


def _widget_for(tag: TagInfo, w: WordsFn) -> Field:
    label = tag.name
    if tag.type in ("money", "ratio", "count", "number"):
        return _number_field(tag, label, w)
    if tag.type == "date":
        return Field(tag.name, label, "date")
    if tag.type == "bool":
        return Field(tag.name, label, "select",
                     options=(Option("是", w("pages.form.yes")), Option("否", w("pages.form.no"))))
    if tag.type == "enum" and tag.values is not None:
        return Field(tag.name, label, "select", options=tuple(Option(v, v) for v in tag.values))
    if tag.type == "set" and tag.values is not None:
        return Field(tag.name, label, "checks", options=tuple(Option(v, v) for v in tag.values))
    if tag.type == "code":
        options = tuple(Option(c.code, f"{c.code} {c.label}" if c.label else c.code)
                        for c in tag.codes)
        return Field(tag.name, label, "code", options=options,
                     placeholder=w("pages.form.code_hint"))
    if tag.type == "duration":
        return Field(tag.name, label, "text", placeholder=w("pages.form.duration_hint"))
    if tag.type in ("set", "list"):
        return Field(tag.name, label, "text", placeholder=w("pages.form.set_hint"))
    return Field(tag.name, label, "text")


def tags_asked(book: Rulebook, policies: Iterable[ir.Policy]) -> frozenset[str]:
    """Every tag the conditions or the amounts (兑付标准) of ``policies`` read, through
    defines: what the form asks. (The schema's ``used_by`` counts conditions only; an
    amount such as "六税两费应纳税额的50%" needs its own tag to be filled in.)"""
    from policy_match.engine.atom_text import tags_read

    found: set[str] = set()
    for policy in policies:
        nodes = (book.dag.conditions[policy.id], book.dag.benefits[policy.id])
        for node in nodes:
            if node is not None:
                found.update(tags_read(node, book.dag.defines))
    return frozenset(found)


def form_fields(tags: Iterable[TagInfo], asked: Collection[str],
                w: WordsFn) -> tuple[Field, ...]:
    """The form: every tag in ``asked`` (:func:`tags_asked`) but the key tag (the calculator
    is anonymous), in the rulebook's order."""
    return tuple(field_for(t, w) for t in tags if t.name in asked and not t.key)


def record_from(fields: Sequence[Field], data: FormData
                ) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The record the form holds (only the fields filled in) and what was typed, per field,
    to show the form again as the enterprise left it."""
    record: dict[str, str] = {}
    typed: dict[str, list[str]] = {}
    for f in fields:
        values = [v.strip() for v in data.getlist(f.name) if v.strip()]
        if not values:
            continue
        typed[f.name] = values
        if f.widget == "checks":
            record[f.name] = "、".join(values)
            continue
        value = values[0]
        if f.suffix and _PLAIN_NUMBER.match(value):
            value += f.suffix
        record[f.name] = value
    return record, typed


def asked(data: FormData) -> bool:
    """Whether the form was sent (its button), as opposed to opened."""
    return bool(data.getlist("submitted"))


__all__ = [
    "WIDGETS",
    "Field",
    "FormData",
    "Option",
    "asked",
    "field_for",
    "form_fields",
    "record_from",
    "tags_asked",
]
