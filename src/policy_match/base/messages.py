"""The message catalogue: every sentence a person reads, keyed by a stable code, in Chinese
and English. Modules keep codes and parameters; the words are looked up here, once, at the
edge (a CLI line, a rendered diagnostic, a published page).

A key is a dotted name (``diag.summary``) or a diagnostic code (``E-NAME``: its title).
Parameters are ``str.format`` fields; both languages of a key take the same fields
(``tests/base/test_messages.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from string import Formatter

from policy_match.base.catalogue import PARTS
from policy_match.base.message import DEFAULT_LANG, Lang, Message


def _merged(parts: Mapping[str, Mapping[str, Message]]) -> dict[str, Message]:
    """One catalogue from its parts; a key defined in two parts is a mistake, caught at import."""
    merged: dict[str, Message] = {}
    for part, entries in parts.items():
        for key, message in entries.items():
            if key in merged:
                raise ValueError(f"message {key!r} defined twice (again in catalogue/{part}.py)")
            merged[key] = message
    return merged


CATALOGUE: Mapping[str, Message] = _merged(PARTS)


class Worded(StrEnum):
    """An enum whose members people read: each member's words are the catalogue's
    ``"<Class>.<value>"`` entry, so an enum carries codes and the catalogue the language."""

    @property
    def zh(self) -> str:
        return self.text(Lang.ZH)

    def text(self, lang: Lang | str = DEFAULT_LANG) -> str:
        return message(f"{type(self).__name__}.{self.value}").in_(Lang(lang))


def message(key: str) -> Message:
    try:
        return CATALOGUE[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the catalogue") from None


def text(key: str, lang: Lang | str = DEFAULT_LANG, /, **params: object) -> str:
    """The message ``key`` in ``lang`` with its fields filled in."""
    return message(key).in_(Lang(lang)).format(**params)


class CatalogueError(ValueError):
    """A refusal whose words are the catalogue's: its ``key`` and ``fields`` travel to the
    edge, which words them in the reader's language (:meth:`text`); ``str()`` is the
    English text, for a traceback or a log."""

    def __init__(self, key: str, /, **fields: object) -> None:
        self.key = key
        self.fields = {k: str(v) for k, v in fields.items()}
        super().__init__(text(key, Lang.EN, **self.fields))

    def text(self, lang: Lang | str = DEFAULT_LANG) -> str:
        return text(self.key, lang, **self.fields)


def fields(template: str) -> frozenset[str]:
    """The ``str.format`` fields a template takes."""
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)
