"""A rulebook: a folder of ``.rule`` files, loaded whole or not at all (§1, §9)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .dsl import ir
from .dsl.checker import check
from .dsl.diagnostics import Code, Diagnostic, render_text
from .dsl.parser import parse
from .dsl.span import Span
from .dsl.vocabulary import Vocabulary
from .plugins import load_vocabulary


class RuleError(Exception):
    """A rulebook that did not load; ``diagnostics`` holds every problem found."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...], sources: Mapping[str, str]) -> None:
        self.diagnostics = diagnostics
        self.sources = dict(sources)
        errors = sum(d.is_error for d in diagnostics)
        super().__init__(f"{errors} error(s) in the rulebook")

    def render(self) -> str:
        return render_text(self.diagnostics, self.sources)


@dataclass(frozen=True)
class LoadResult:
    """Everything a load found: the rulebook (when clean), diagnostics and the source texts."""

    rulebook: Rulebook | None
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, str]
    files: tuple[str, ...]


class Rulebook:
    """The checked policy library: tags, defines and policies, ready for the engine."""

    def __init__(self, program: ir.Program, vocabulary: Vocabulary,
                 diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        self.program = program
        self.vocabulary = vocabulary
        self.warnings = diagnostics

    @property
    def tags(self) -> dict[str, ir.TagSpec]:
        return self.program.tags

    @property
    def defines(self) -> dict[str, ir.Define]:
        return self.program.defines

    @property
    def policies(self) -> dict[str, ir.Policy]:
        return self.program.policies

    @property
    def key(self) -> str | None:
        return self.program.key

    def __repr__(self) -> str:
        return (f"<Rulebook {len(self.tags)} tags, {len(self.defines)} defines, "
                f"{len(self.policies)} policies>")


def rule_files(path: Path) -> list[Path]:
    """Every ``*.rule`` file under ``path``, sorted (or ``path`` itself when it is a file)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.rule") if p.is_file())


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_sources(path: str | Path) -> tuple[dict[str, str], list[Diagnostic]]:
    """The text of every rule file, keyed by its display path; unreadable files as E-IO."""
    root = Path(path)
    sources: dict[str, str] = {}
    problems: list[Diagnostic] = []
    if not root.exists():
        problems.append(Diagnostic(Code.IO, f"{root} does not exist", Span.whole_file(str(root))))
        return sources, problems
    files = rule_files(root)
    if not files:
        problems.append(Diagnostic(Code.IO, f"no .rule files under {root}",
                                   Span.whole_file(str(root)), "a rulebook is a folder of .rule files"))
    for file in files:
        shown = _display(file)
        try:
            sources[shown] = file.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Diagnostic(Code.IO, f"not UTF-8 text: {exc.reason} at byte {exc.start}",
                                       Span.whole_file(shown), "save the file as UTF-8"))
        except OSError as exc:
            problems.append(Diagnostic(Code.IO, f"cannot read: {exc.strerror}",
                                       Span.whole_file(shown)))
    return sources, problems


def load_sources(sources: Mapping[str, str], vocabulary: Vocabulary | None = None,
                 extra: list[Diagnostic] | None = None) -> LoadResult:
    """Parse and check texts keyed by path. Never raises for bad rule text."""
    vocab = vocabulary if vocabulary is not None else load_vocabulary()
    diagnostics: list[Diagnostic] = list(extra or [])
    modules = []
    unparsed: set[str] = set()
    for path, text in sources.items():
        result = parse(text, path)
        modules.append(result.module)
        diagnostics.extend(result.diagnostics)
        unparsed |= result.unparsed_names
    checked = check(modules, vocab, frozenset(unparsed))
    diagnostics.extend(checked.diagnostics)
    everything = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
    clean = checked.program is not None and not any(d.is_error for d in everything)
    book = Rulebook(checked.program, vocab, everything) if clean else None  # type: ignore[arg-type]
    return LoadResult(book, everything, sources, tuple(sources))


def inspect(path: str | Path, vocabulary: Vocabulary | None = None) -> LoadResult:
    """Load a rulebook folder and return everything found, errors included."""
    sources, problems = read_sources(path)
    return load_sources(sources, vocabulary, problems)


def load(path: str | Path, vocabulary: Vocabulary | None = None) -> Rulebook:
    """Load and check a rulebook; raise :class:`RuleError` with every problem if any."""
    result = inspect(path, vocabulary)
    if result.rulebook is None:
        raise RuleError(result.diagnostics, result.sources)
    return result.rulebook
