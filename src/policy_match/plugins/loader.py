"""Discovering plug-ins and filling a :class:`~policy_match.dsl.vocabulary.Vocabulary`.

A plug-in is a distribution that declares an entry point in the ``policy_match.plugins``
group whose target is ``register(vocabulary) -> None``. The library's own vocabulary is the
entry point ``builtin``; from a source tree that was never installed it has no entry point,
so it is then registered directly.

A broken plug-in must neither take the caller down with a traceback nor vanish without a
word, so :func:`load_vocabulary` records each failure as a :class:`PluginError` on the
returned :class:`LoadedVocabulary` and goes on. Each plug-in registers into a scratch
vocabulary that is merged only when registration succeeds and clashes with nothing, so a
plug-in that fails halfway leaves nothing behind. Nothing is cached: every call discovers
and registers afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from policy_match.dsl.vocabulary import Hierarchy, Vocabulary
from policy_match.plugins import builtins as builtin_vocabulary

GROUP = "policy_match.plugins"
BUILTIN_NAME = "builtin"
_BUILTIN_TARGET = ("policy_match.plugins.builtins", "register")


@dataclass(frozen=True)
class PluginError:
    """A plug-in that could not be loaded or registered, and why."""

    plugin: str
    message: str

    def __str__(self) -> str:
        return f"plug-in {self.plugin}: {self.message}"


@dataclass
class LoadedVocabulary(Vocabulary):
    """A vocabulary that also says which plug-ins filled it and which failed.

    ``plugins`` lists the plug-ins registered, in order; ``failures`` those that were not.
    """

    plugins: list[str] = field(default_factory=list)
    failures: list[PluginError] = field(default_factory=list)


def _is_builtin(entry_point: metadata.EntryPoint) -> bool:
    return (entry_point.module, entry_point.attr) == _BUILTIN_TARGET


def plugin_entry_points() -> list[metadata.EntryPoint]:
    """The installed entry points of the group: the built-in first, then sorted by name.

    A fixed order makes a clash between two plug-ins fail the same way on every machine.
    """
    found = metadata.entry_points(group=GROUP)
    return sorted(found, key=lambda ep: (not _is_builtin(ep), ep.name, ep.value))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _problems(target: Vocabulary, scratch: Vocabulary) -> list[str]:
    problems = [
        f"hierarchy {key} does not implement lookup, contains, label and path"
        for key, hierarchy in scratch.hierarchies.items()
        if not isinstance(hierarchy, Hierarchy)
    ]
    for what, mine, theirs in (
        ("hierarchy", scratch.hierarchies, target.hierarchies),
        ("function", scratch.functions, target.functions),
        ("tag type", scratch.tag_types, target.tag_types),
    ):
        for key in sorted(mine.keys() & theirs.keys()):
            owner = target.sources.get(f"{what} {key}") or "?"
            problems.append(f"{what} {key} is already registered by {owner}")
    return problems


def _install(vocabulary: LoadedVocabulary, name: str, load: Callable[[], Any]) -> None:
    def fail(message: str) -> None:
        vocabulary.failures.append(PluginError(name, message))

    try:
        register = load()
    except Exception as exc:
        return fail(f"could not be imported: {_describe(exc)}")
    if not callable(register):
        return fail(f"its entry point is {type(register).__name__}, not a register function")
    scratch = Vocabulary()
    try:
        register(scratch)
    except Exception as exc:
        return fail(f"failed while registering: {_describe(exc)}")
    problems = _problems(vocabulary, scratch)
    if problems:
        return fail("; ".join(problems))
    vocabulary.hierarchies.update(scratch.hierarchies)
    vocabulary.functions.update(scratch.functions)
    vocabulary.tag_types.update(scratch.tag_types)
    vocabulary.sources.update({what: source or name for what, source in scratch.sources.items()})
    vocabulary.plugins.append(name)
    return None


def load_vocabulary(*, entry_points: bool = True) -> LoadedVocabulary:
    """A fresh vocabulary holding the built-ins and, unless disabled, every installed plug-in.

    ``entry_points=False`` gives the built-ins alone, for callers that must not depend on
    what else is installed. Failures are on ``.failures``; the call itself does not raise.
    """
    vocabulary = LoadedVocabulary()
    found = plugin_entry_points() if entry_points else []
    if not any(_is_builtin(ep) for ep in found):
        _install(vocabulary, BUILTIN_NAME, lambda: builtin_vocabulary.register)
    for entry_point in found:
        _install(vocabulary, entry_point.name, entry_point.load)
    return vocabulary
