"""A sentence of a diagnostic as a catalogue key and its fields, rendered at the edge.

:class:`Words` is a ``str`` whose text is the English rendering, so code and tests that
compare or search a message keep working, while the key and fields travel with it: the
edge (``render_text(…, lang="zh")``, a JSON report, the language server) renders it in
either language with :meth:`Words.in_`. A field may itself be ``Words`` (a type's noun, a
hint inside a message), a ``Message`` (a value already in both languages) or a list of
them; all are rendered in the same language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from policy_match.base.message import Lang, Message
from policy_match.base.messages import text

_LIST_SEPARATOR = {Lang.ZH: "、", Lang.EN: ", "}
_CLAUSE_SEPARATOR = {Lang.ZH: "；", Lang.EN: "; "}


def _field(value: object, lang: Lang) -> object:
    if isinstance(value, Words | Message):
        return value.in_(Lang(lang))
    if isinstance(value, list | tuple):
        return _LIST_SEPARATOR[lang].join(str(_field(v, lang)) for v in value)
    return value


def _render(key: str, fields: Mapping[str, object], lang: Lang) -> str:
    return text(key, lang, **{name: _field(v, lang) for name, v in fields.items()})


class Words(str):
    """A catalogue message ``key`` with its ``fields``; as a ``str``, its English text."""

    key: str
    fields: Mapping[str, object]

    def __new__(cls, key: str, /, **fields: object) -> Words:
        self = super().__new__(cls, _render(key, fields, Lang.EN))
        self.key = key
        self.fields = MappingProxyType(dict(fields))
        return self

    def in_(self, lang: Lang | str) -> str:
        """The sentence in ``lang`` (``"zh"`` or ``"en"``)."""
        lang = Lang(lang)
        return str(self) if lang is Lang.EN else _render(self.key, self.fields, lang)

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled and copied as key and fields, not as the English text
        return (_rebuild, (self.key, dict(self.fields)))

    def __repr__(self) -> str:
        return f"Words({self.key!r}, {str(self)!r})"


def _rebuild(key: str, fields: dict[str, object]) -> Words:
    return Words(key, **fields)


def say(message: str, lang: Lang | str) -> str:
    """``message`` in ``lang``: a :class:`Words` rendered, a plain string as it is (a
    plug-in's or an older caller's text, written in one language)."""
    return message.in_(lang) if isinstance(message, Words) else message


def clauses(parts: Iterable[str], lang: Lang | str) -> str:
    """Whole clauses one after another, as each language separates them ("…；…", "…; …")."""
    return _CLAUSE_SEPARATOR[Lang(lang)].join(parts)


def joined(*parts: str) -> str:
    """Non-empty parts as one hint ("…; …"), each rendered in the reader's language."""
    kept = [p for p in parts if p]
    if not kept:
        return ""
    out: str = kept[0]
    for part in kept[1:]:
        out = Words("words.then", first=out, then=part)
    return out
