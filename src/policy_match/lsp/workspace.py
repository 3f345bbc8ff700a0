"""Open documents → a loaded rulebook, as the editor sees it.

A rulebook is a folder (rule-language §1), so a document is checked together with the other
``.rule`` files of its folder: those the editor has open as they are in the editor, the rest
as they are on disk. A load is cached by the texts it read, so asking for hover, completion
and diagnostics of one version loads once; the last load without errors of each folder is
kept, so hover can still word a define while the author is half-way through an edit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from policy_match.core.loading import LoadResult, load_sources, rule_files
from policy_match.core.rulebook import Rulebook
from policy_match.dsl import ast
from policy_match.dsl.parser import parse
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.lsp.index import Declarations, Occurrence, occurrences
from policy_match.lsp.positions import UTF16, LineIndex
from policy_match.plugins.loader import load_vocabulary

CACHED_LOADS = 8  # folders × versions kept; a load of the sample rulebook takes ~0.2 s


@dataclass(frozen=True)
class Snapshot:
    """One folder's files at one moment, parsed and checked."""

    folder: str
    result: LoadResult
    modules: Mapping[str, ast.Module]
    book: Rulebook | None  # this load's rulebook, else the folder's last clean one
    vocabulary: Vocabulary
    encoding: str = UTF16
    _indexes: dict[str, LineIndex] = field(default_factory=dict, compare=False, repr=False)
    _occurrences: dict[str, list[Occurrence]] = field(default_factory=dict, compare=False,
                                                      repr=False)

    @cached_property
    def declarations(self) -> Declarations:
        return Declarations.of(self.modules)

    def text(self, path: str) -> str:
        return self.result.sources.get(path, "")

    def lines(self, path: str) -> LineIndex:
        if path not in self._indexes:
            self._indexes[path] = LineIndex(self.text(path), self.encoding)
        return self._indexes[path]

    def occurrences(self, path: str) -> list[Occurrence]:
        if path not in self._occurrences:
            module = self.modules.get(path)
            self._occurrences[path] = occurrences(module) if module else []
        return self._occurrences[path]


class Workspace:
    """The documents the editor has open and the loads made of their folders."""

    def __init__(self, vocabulary: Vocabulary | None = None, encoding: str = UTF16) -> None:
        self.vocabulary = vocabulary if vocabulary is not None else load_vocabulary()
        self.encoding = encoding
        self.open: dict[str, str] = {}
        self._loads: OrderedDict[tuple[object, ...], Snapshot] = OrderedDict()
        self._clean: dict[str, Rulebook] = {}
        self._parsed: dict[tuple[str, str], ast.Module] = {}

    def update(self, path: str, text: str) -> None:
        self.open[path] = text

    def close(self, path: str) -> None:
        self.open.pop(path, None)

    @staticmethod
    def folder_of(path: str) -> str | None:
        """The rulebook folder of a document; None for one that is not a file on disk (an
        unsaved "untitled" buffer), which is checked alone."""
        return str(Path(path).parent) if Path(path).is_absolute() else None

    def sources(self, folder: str | None) -> dict[str, str]:
        """Every rule file of ``folder`` (and below it), the editor's text where it is open."""
        texts: dict[str, str] = {}
        if folder is None:
            return texts
        root = Path(folder)
        if root.is_dir():
            for file in rule_files(root):
                try:
                    texts[str(file)] = file.read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    continue  # the load reports nothing for it; the editor shows the file
        for path, text in self.open.items():
            if path == folder or Path(path).is_relative_to(root):
                texts[path] = text
        return dict(sorted(texts.items()))

    def snapshot(self, path: str) -> Snapshot:
        """The load of the folder holding ``path`` (cached by the texts it reads)."""
        folder = self.folder_of(path)
        texts = self.sources(folder)
        texts.setdefault(path, self.open.get(path, ""))
        folder = folder or path
        key = (folder, *((p, hash(t)) for p, t in texts.items()))
        if key in self._loads:
            self._loads.move_to_end(key)
            return self._loads[key]
        result = load_sources(texts, self.vocabulary)
        if result.rulebook is not None:
            self._clean[folder] = result.rulebook
        modules = {p: self._module(p, t) for p, t in texts.items()}
        snap = Snapshot(folder, result, modules, result.rulebook or self._clean.get(folder),
                        self.vocabulary, self.encoding)
        self._loads[key] = snap
        while len(self._loads) > CACHED_LOADS:
            self._loads.popitem(last=False)
        return snap

    def _module(self, path: str, text: str) -> ast.Module:
        key = (path, text)
        if key not in self._parsed:
            if len(self._parsed) > 256:
                self._parsed.clear()
            self._parsed[key] = parse(text, path).module
        return self._parsed[key]
