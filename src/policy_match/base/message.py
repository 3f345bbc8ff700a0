"""A message in both languages, and the languages: the one shape every catalogue part uses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


DEFAULT_LANG = Lang.ZH


@dataclass(frozen=True)
class Message:
    zh: str
    en: str

    def in_(self, lang: Lang) -> str:
        return self.zh if lang is Lang.ZH else self.en
