"""The tag schema: what reading an enterprise table needs to know of a rulebook.

A table is parsed by tag type and identified by the key tag; it needs nothing else of the
rules, so the data layer depends on this small value, not on :class:`Rulebook`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from policy_match.dsl.ir import TagSpec
from policy_match.dsl.vocabulary import Vocabulary


@dataclass(frozen=True)
class TagSchema:
    """The declared tags, the key tag (if any) and the vocabulary their types come from."""

    tags: Mapping[str, TagSpec]
    key: str | None
    vocabulary: Vocabulary

    @cached_property
    def _by_label(self) -> dict[str, TagSpec]:
        by_label: dict[str, TagSpec] = {}
        for tag in self.tags.values():
            if tag.label:
                by_label.setdefault(tag.label, tag)
        return by_label

    def tag_for(self, header: str) -> TagSpec | None:
        """A column belongs to the tag its header names, or whose label the header is."""
        header = header.strip()
        return self.tags.get(header) or self._by_label.get(header)


class HasSchema(Protocol):
    """Anything that can hand over a tag schema (a :class:`Rulebook` does)."""

    @property
    def schema(self) -> TagSchema: ...


SchemaSource = TagSchema | HasSchema


def schema_of(source: SchemaSource) -> TagSchema:
    return source if isinstance(source, TagSchema) else source.schema
