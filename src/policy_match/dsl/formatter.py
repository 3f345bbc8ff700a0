"""AST → canonical rule text (``policy-match fmt``).

The formatter exists so that rule authors never argue about layout and so that reviews show
only changes of meaning. Its contract, proved by ``tests/dsl/test_formatter.py``:

- **round trip**: ``parse(format_module(m)).decls == m.decls`` — spans and layout take no
  part in AST equality, so this says the text means exactly what the tree means;
- **idempotence**: formatting canonical text changes nothing;
- **comments survive**: every ``# comment`` is written back, in source order.

What the author chose is kept: keyword spellings (``and`` or ``且``, the ``kw`` fields),
parentheses (``Paren`` nodes) and literal texts (``1.5亿元``, ``2024-7-1``). What is only
typing noise is normalised: full-width ``：，；（）`` become ASCII, ``“…”`` becomes ``"…"``,
``≥ ≤ ≠`` become ``>= <= !=``, spacing and line breaks follow one style.

Layout is decided from the tree alone (never from the old layout): one declaration, field,
example line or ``case`` branch per line; a list, ``给定`` block or ``and``/``or`` chain on
one line when it fits in ``WIDTH`` display columns, else one element per line. The one
exception is a comment among the elements of a list, ``给定`` or chain: that container is
broken too, so the comment keeps its place beside the element it talks about. ``case``
branches get a ``;`` only where the next branch would otherwise continue the previous one
(it starts with ``-`` or ``(``). Blank lines: between declarations of different kinds, around
every policy, before each example, and where the author detached a top-level comment.

The work is split by job: ``format_text`` writes expressions and declaration parts on one
line, ``format_layout`` decides the lines, and ``format_comments`` puts every comment back
(its docstring says where each one goes).
"""

from __future__ import annotations

from policy_match.dsl import ast
from policy_match.dsl.format_comments import code_spans, weave
from policy_match.dsl.format_layout import WIDTH, Printer, display_width
from policy_match.dsl.parser import parse

__all__ = ["WIDTH", "display_width", "format_module", "format_source"]


def format_source(text: str, path: str = "<string>") -> str | None:
    """Canonical text of one file, or None when it has syntax errors.

    None rather than a best effort: the parser skips a declaration it cannot read, so
    formatting what it did read would silently delete the author's broken text.
    """
    result = parse(text, path)
    if any(d.is_error for d in result.diagnostics):
        return None
    return format_module(result.module)


def format_module(module: ast.Module) -> str:
    """Canonical text for a parsed (or hand-built) module, comments included."""
    printer = Printer(module)
    printer.decls()
    return weave(printer.lines, module, code_spans(module))
