"""What the checker may name besides tags and defines: hierarchies, functions, tag types.

Plug-ins (and the built-ins, registered the same way) fill a :class:`Vocabulary`; the checker
only reads it. This module defines the shapes a plug-in implements and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from policy_match.dsl.types import Type


@dataclass(frozen=True)
class CodeLookup:
    """The answer of a hierarchy about one code.

    ``code`` is the canonical form (``"3911"`` → ``"C3911"``) or ``None`` when unknown;
    ``reason`` says why it is unknown and ``hint`` what the author may have meant.
    """

    code: str | None
    reason: str = ""
    hint: str = ""


@runtime_checkable
class Hierarchy(Protocol):
    """A hierarchical code system (§6): codes nest, ``x in ["C"]`` means "inside C".

    Optional, outside the protocol (found with ``getattr``): ``verify(code) -> CodeLookup``
    checks a canonical code written in a *rule* against an official table (the checker
    reports E-CODE when it answers ``None``); ``children(code | None)``, ``name_of(text)``
    and ``codes()`` list the table for editors (``plugins/builtins/industry.py``).
    """

    name: str

    def lookup(self, text: str) -> CodeLookup:
        """Canonicalize a code written in a rule or a record (letters, digits, Chinese name)."""
        ...

    def contains(self, outer: str, inner: str) -> bool:
        """Whether canonical ``inner`` lies inside (or equals) canonical ``outer``."""
        ...

    def label(self, code: str) -> str | None:
        """A human name for a canonical code, if the hierarchy knows one."""
        ...

    def path(self, code: str) -> tuple[str, ...]:
        """The canonical ancestors of a canonical code, outermost first, ending with it.

        ``contains(a, b)`` must equal ``a in path(b)``; backends use the path to turn a
        containment test into a set or range lookup.
        """
        ...


TypeRule = Callable[[list[Type]], "Type | str"]
"""Given the argument types, the result type, or a message saying what is wrong."""


@dataclass(frozen=True)
class FunctionSpec:
    """A function callable from rules: ``min(5%, 3% + 1%)``.

    ``typing`` checks the argument types at load time; ``impl`` computes the value from
    exact arguments (``fractions.Fraction`` for numbers, ``datetime.date`` for dates). An
    ``impl`` never sees an unknown argument: the evaluator makes the call unknown instead.

    ``vectorized`` (optional) is the same function over whole columns, for bulk matching:
    one numpy ``float64`` array per argument (numbers; every row, unknown rows included
    with arbitrary values), one ``float64`` array out, NaN exactly where ``impl`` returns
    ``None`` (the row is then unknown). Where ``impl`` returns ``None`` must be decidable
    from the floats: a function whose domain ends at a value a float cannot place exactly
    should not have a vectorized form. Without it a bulk match computes the call row by row
    with ``impl``.

    ``nonexpansive``: the float result moves no more than its arguments do,
    ``|f(x̃) − f(x)| ≤ max |x̃ᵢ − xᵢ|``, and adds no rounding of its own (true of ``min``,
    ``max``, ``abs``). The bulk matcher then bounds the result's float error by the largest
    of its arguments' bounds; otherwise it treats the result as possibly far off and decides
    every comparison with it exactly, row by row (see docs/matching.md, Exactness).
    """

    name: str
    typing: TypeRule
    impl: Callable[..., Any]
    min_args: int = 1
    max_args: int | None = None
    doc: str = ""
    vectorized: Callable[..., Any] | None = None
    nonexpansive: bool = False


def fixed_signature(params: list[Type], returns: Type) -> TypeRule:
    """A :data:`TypeRule` for a function with fixed parameter types (the common plug-in case)."""
    from policy_match.dsl.types import comparable

    def rule(args: list[Type]) -> Type | str:
        for i, (want, got) in enumerate(zip(params, args, strict=False), start=1):
            if not (want.kind == got.kind or comparable(want, got)):
                return f"argument {i} must be {want.article()}, not {got.article()}"
        return returns

    return rule


@dataclass(frozen=True)
class TagTypeSpec:
    """A named tag type (``tag 联系电话: phone``) built on a base type.

    ``parse`` turns one raw text value into the base type's value or raises ``ValueError``
    with a reason; it is how record loading validates values of this type.
    """

    name: str
    base: Type
    parse: Callable[[str], Any] | None = None
    doc: str = ""
    # Optional bulk form for large tables: the values whose check passes, already parsed,
    # or ``None`` where ``parse`` must be asked (and will say why). Same results as parse.
    parse_many: Callable[[list[str]], list[Any]] | None = None


@dataclass
class Vocabulary:
    """The registry plug-ins write to and the checker reads from."""

    hierarchies: dict[str, Hierarchy] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    tag_types: dict[str, TagTypeSpec] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # "function min" -> plug-in name

    def add_hierarchy(self, hierarchy: Hierarchy, *, source: str = "") -> None:
        self._claim(f"hierarchy {hierarchy.name}", source)
        self.hierarchies[hierarchy.name] = hierarchy

    def add_function(self, spec: FunctionSpec, *, source: str = "") -> None:
        self._claim(f"function {spec.name}", source)
        self.functions[spec.name] = spec

    def add_tag_type(self, spec: TagTypeSpec, *, source: str = "") -> None:
        self._claim(f"tag type {spec.name}", source)
        self.tag_types[spec.name] = spec

    def _claim(self, what: str, source: str) -> None:
        if what in self.sources:
            raise ValueError(
                f"{what} is registered twice: by {self.sources[what] or '?'} and {source or '?'}"
            )
        self.sources[what] = source
