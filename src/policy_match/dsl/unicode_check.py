"""Text that reads one way and means another ("Trojan Source"): warnings, never errors.

``W-BIDI``: a bidirectional control character anywhere in rule text — in a name, a string,
a comment or between tokens. These are invisible and reorder what an editor shows, so a
condition can look unlike what is parsed. Covered: the embeddings and overrides U+202A–
U+202E (LRE RLE PDF LRO RLO), the isolates U+2066–U+2069 (LRI RLI FSI PDI), the marks
U+200E LRM, U+200F RLM and U+061C ALM. One warning per line, at the first of them.

``W-CONFUSABLE``: two declared names (tags and defines) that a reader cannot tell apart.
Both are reduced to a *skeleton* — NFKC normalization (full-width ``ｒｅｖｅｎｕｅ``,
compatibility ideographs such as the Kangxi radical ⼀, ligatures), then a small table of
lookalikes: Cyrillic and Greek letters that look like Latin ones (а е о р с у х і ј ѕ …,
Α Β Ε Η Ι Κ Μ Ν Ο Ρ Τ Χ …) and katakana that look like Chinese characters (ニ ハ ロ エ カ
タ ト ー). Names with one skeleton but different spellings get a warning on the later one.
Not covered: the whole Unicode confusables list (e.g. lookalikes within one script, such
as ``l`` and ``1``, which are ordinary in names like ``c1``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterator, Mapping

from policy_match.dsl.diagnostics import BIDI_CONTROLS, Code, Diagnostic, Related, Severity
from policy_match.dsl.reporter import Reporter
from policy_match.dsl.span import Span
from policy_match.dsl.words import Words

_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")

_LOOKALIKES = {
    # Cyrillic → Latin
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W",
    # Greek → Latin
    "ο": "o", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "υ": "u", "Α": "A", "Β": "B", "Ε": "E",
    "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T",
    "Υ": "Y", "Χ": "X",
    # katakana → Chinese
    "ニ": "二", "ハ": "八", "ロ": "口", "エ": "工", "カ": "力", "タ": "夕", "ト": "卜", "ー": "一",
}


def skeleton(name: str) -> str:
    """What ``name`` looks like: NFKC, then each lookalike replaced by its model."""
    return "".join(_LOOKALIKES.get(ch, ch) for ch in unicodedata.normalize("NFKC", name))


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}"


# ---- W-BIDI ---------------------------------------------------------------------------------


def bidi_warnings(text: str, path: str, line_starts: list[int]) -> Iterator[Diagnostic]:
    """One ``W-BIDI`` per line holding a bidirectional control (``line_starts``: the offset
    of each line, as ``parser.line_starts`` gives them)."""
    last_line = -1
    line = 0
    for m in _BIDI.finditer(text):
        while line + 1 < len(line_starts) and line_starts[line + 1] <= m.start():
            line += 1
        if line == last_line:
            continue
        last_line = line
        end = line_starts[line + 1] - 1 if line + 1 < len(line_starts) else len(text)
        found = sorted(set(_BIDI.findall(text, m.start(), end)))
        column = m.start() - line_starts[line] + 1
        span = Span(path, m.start(), m.end(), line + 1, column, line + 1, column + 1)
        yield Diagnostic(
            Code.BIDI, Words("check.bidi", chars=", ".join(_char_name(c) for c in found)),
            span, Words("hint.bidi"), Severity.WARNING)


# ---- W-CONFUSABLE ---------------------------------------------------------------------------


def check_confusables(declared: Mapping[str, Span], report: Reporter,
                      known: Container[str] = ()) -> None:
    """A warning on each declared name that looks like an earlier one but is spelled
    differently; pairs of names that are both ``known`` (checked before) are left alone."""
    first: dict[str, str] = {}
    for name in declared:
        shape = skeleton(name)
        other = first.setdefault(shape, name)
        if other == name or (name in known and other in known):
            continue
        odd = [c for c in dict.fromkeys(name + other) if skeleton(c) != c][:3]
        detail = "; ".join(_char_name(c) for c in odd)
        report.warning(
            Code.CONFUSABLE, Words("check.confusable", name=name, other=other), declared[name],
            Words("hint.one_spelling_detail", detail=detail) if detail
            else Words("hint.one_spelling"),
            (Related(declared[other], Words("note.declared_here", name=other)),))
