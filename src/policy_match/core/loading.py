"""Loading a rulebook: read every ``.rule`` file, parse and check them together, and give
back a :class:`Rulebook` only when nothing is wrong (§1, §9)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from policy_match.core.errors import RuleError
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.checker import check
from policy_match.dsl.diagnostics import Code, Diagnostic, Severity
from policy_match.dsl.parser import parse
from policy_match.dsl.span import Span
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.dsl.words import Words
from policy_match.plugins.loader import load_vocabulary


@dataclass(frozen=True)
class LoadResult:
    """Everything a load found: the rulebook (when clean), diagnostics and the source texts."""

    rulebook: Rulebook | None
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, str]
    files: tuple[str, ...]


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
        problems.append(Diagnostic(Code.IO, Words("io.no_path", path=str(root)),
                                   Span.whole_file(str(root))))
        return sources, problems
    files = rule_files(root)
    if not files:
        problems.append(Diagnostic(Code.IO, Words("io.no_rule_files", path=str(root)),
                                   Span.whole_file(str(root)), Words("hint.rule_folder")))
    for file in files:
        shown = _display(file)
        try:
            sources[shown] = file.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Diagnostic(Code.IO, Words("io.not_utf8", reason=exc.reason,
                                                      byte=exc.start),
                                       Span.whole_file(shown), Words("hint.save_utf8")))
        except OSError as exc:
            problems.append(Diagnostic(Code.IO, Words("io.cannot_read", reason=exc.strerror),
                                       Span.whole_file(shown)))
    return sources, problems


def load_sources(sources: Mapping[str, str], vocabulary: Vocabulary | None = None,
                 extra: list[Diagnostic] | None = None) -> LoadResult:
    """Parse and check texts keyed by path. Never raises for bad rule text."""
    vocab = vocabulary if vocabulary is not None else load_vocabulary()
    diagnostics: list[Diagnostic] = list(extra or [])
    for failure in getattr(vocab, "failures", ()):
        # A broken plug-in is not the rule author's error, but what it would have provided
        # is missing: say so once, beside the errors its absence causes.
        diagnostics.append(Diagnostic(Code.PLUGIN, str(failure), Span.whole_file("<plug-ins>"),
                                      Words("hint.plugin"),
                                      severity=Severity.WARNING))
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
    book = Rulebook(checked.program, vocab, everything, sources) if clean else None  # type: ignore[arg-type]
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
