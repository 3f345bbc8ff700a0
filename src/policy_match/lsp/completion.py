"""Completion: what may be written at the cursor.

The place is read from the text before the cursor, since text being typed rarely parses:
inside a string compared to a tag (``所属行业 属于 ["C39``) the tag's codes or enum values;
at the start of a line inside a policy the 清单 field names; at the start of a line of a
``给定`` block the tags; at the top level the declaration keywords; anywhere else in an
expression the tags, defines, functions and keywords.
"""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from policy_match.base.messages import text
from policy_match.dsl.fields import (
    BY_NAME,
    EXAMPLE_WORDS,
    EXPECT_WORDS,
    FIELDS,
    GIVEN_WORDS,
    PUSH_WORDS,
)
from policy_match.dsl.ir import Verdict
from policy_match.dsl.parser import KEYWORDS, PAIRS
from policy_match.dsl.types import Kind, Type
from policy_match.lsp.codes import children, nearest_parent
from policy_match.lsp.hover import tag_type, type_words
from policy_match.lsp.workspace import Snapshot

_OPERATOR = (r"(?:不属于|属于|not\s+in|in|==|!=|≠|包含任一|包含全部|包含|has\s+any|has\s+all|has"
             r"|[:：])")
# The subject of the string or word being typed: a name, an operator, then optionally the
# opening of a list and the items written before this one.
_SUBJECT = re.compile(r"([^\W\d]\w*)\s*" + _OPERATOR + r"\s*(?:[\[［][^\[\]］]*)?$")
_WORD = re.compile(r"[\w]*$")
_CODE_LIKE = re.compile(r"[A-Za-z]?\d*$")
_DECL_WORDS = ("tag", "define", "policy")


def _open_string(line: str) -> int | None:
    """Where the string the cursor is in starts on ``line`` (after its quote), if it is."""
    start: int | None = None
    closing = ""
    for index, ch in enumerate(line):
        if start is None and ch in "\"“":
            start, closing = index + 1, "\"" if ch == "\"" else "”"
        elif start is not None and ch == closing and line[index - 1] != "\\":
            start = None
    return start


def _blocks(before: str) -> list[str]:
    """The words that open each ``{`` still open before the cursor, outermost first."""
    stack: list[str] = []
    clean = re.sub(r'"(?:\\.|[^"\\\n])*"|“[^”\n]*”|#[^\n]*', '""', before)
    for m in re.finditer(r"([^\W\d]\w*)?\s*(?:\"\")?\s*\{|\}", clean):
        if m[0] == "}":
            if stack:
                stack.pop()
        else:
            stack.append(m[1] or "")
    return stack


def complete(snap: Snapshot, path: str, offset: int, lang: str) -> list[lsp.CompletionItem]:
    source = snap.text(path)
    before = source[:offset]
    line_start = before.rfind("\n") + 1
    line = before[line_start:]
    quote = _open_string(line)
    if quote is not None:
        typed = line[quote:]
        head = before[: line_start + quote - 1]
        return _values(snap, head, typed, lang, quoted=False)
    word = _WORD.search(line)
    typed = word[0] if word else ""
    head = before[: offset - len(typed)]
    if _CODE_LIKE.fullmatch(typed) and typed:
        coded = _values(snap, head, typed, lang, quoted=True)
        if coded:
            return coded
    fixed = _fixed_words(head)
    if fixed is not None:
        return [_keyword(w, lang) for w in fixed]
    at_line_start = not line[: len(line) - len(typed)].strip()
    return _words(snap, _blocks(head), at_line_start, lang)


def _fixed_words(head: str) -> list[str] | None:
    """The closed list of words a field (``推送方式:``, ``免申即享:``) or an example's
    ``预期`` takes, when the cursor stands where that word goes."""
    field = re.search(r"(?<!\w)([^\W\d]\w*)\s*[:：]\s*$", head[-80:])
    spec = BY_NAME.get(field[1]) if field else None
    if spec is not None and spec.kind == "push":
        return list(dict.fromkeys(PUSH_WORDS.values()))
    if spec is not None and spec.kind == "bool":
        return ["是", "否"]
    statement = re.search(r"(?<!\w)([^\W\d]\w*)\s+$", head[-80:])
    if statement is not None and statement[1] in EXPECT_WORDS:
        return [v.zh for v in Verdict]
    return None


def _subject_type(snap: Snapshot, head: str) -> tuple[str, Type] | None:
    m = _SUBJECT.search(head[-400:])
    if m is None:
        return None
    t = tag_type(snap, m[1])
    return (m[1], t) if t is not None else None


def _values(snap: Snapshot, head: str, typed: str, lang: str, *, quoted: bool
            ) -> list[lsp.CompletionItem]:
    found = _subject_type(snap, head)
    if found is None:
        return []
    subject, t = found
    if t.kind is Kind.CODE and t.hierarchy in snap.vocabulary.hierarchies:
        hierarchy = snap.vocabulary.hierarchies[t.hierarchy]
        parent = nearest_parent(hierarchy, typed)
        pairs = children(hierarchy, parent)
        if parent is not None and typed:
            pairs.insert(0, (parent, hierarchy.label(parent) or ""))
        # filtered by code and name alike: typing 计算机 finds C391 计算机制造
        return [_item(code, name, i, quoted, code + name) for i, (code, name) in enumerate(pairs)]
    if t.kind in (Kind.ENUM, Kind.SET) and t.values and not quoted:
        detail = text("lsp.kind.value", lang, tag=subject)
        return [_item(v, detail, i, False, v) for i, v in enumerate(t.values)]
    return []


def _item(value: str, detail: str, order: int, quoted: bool, filter_text: str
          ) -> lsp.CompletionItem:
    """A code or value, kept in the order the hierarchy or the tag lists them."""
    return lsp.CompletionItem(
        label=value, kind=lsp.CompletionItemKind.EnumMember, detail=detail or None,
        filter_text=filter_text, sort_text=f"{order:05d}",
        insert_text=f'"{value}"' if quoted else value,
        label_details=lsp.CompletionItemLabelDetails(description=detail) if detail else None,
    )


def _words(snap: Snapshot, blocks: list[str], at_line_start: bool, lang: str
           ) -> list[lsp.CompletionItem]:
    inner = blocks[-1] if blocks else None
    if at_line_start and inner is None:
        return [_keyword(w, lang) for w in _DECL_WORDS]
    if at_line_start and len(blocks) == 1:
        return _fields(lang)
    if at_line_start and inner in GIVEN_WORDS:
        return _tags(snap, lang)
    return [*_tags(snap, lang), *_defines(snap, lang), *_functions(snap, lang),
            *(_keyword(w, lang) for w in _expression_keywords())]


def _fields(lang: str) -> list[lsp.CompletionItem]:
    items = [lsp.CompletionItem(label=f.zh, kind=lsp.CompletionItemKind.Field,
                                detail=text("lsp.kind.field", lang, en=f.en),
                                insert_text=f"{f.zh}: ")
             for f in FIELDS]
    example = text("lsp.kind.example", lang)
    items += [lsp.CompletionItem(label=w, kind=lsp.CompletionItemKind.Snippet, detail=example)
              for w in EXAMPLE_WORDS]
    return items


def _tags(snap: Snapshot, lang: str) -> list[lsp.CompletionItem]:
    out = []
    for name, decl in snap.declarations.tags.items():
        t = tag_type(snap, name)
        detail = text("lsp.kind.tag", lang, type=type_words(t, lang) if t else "?")
        doc = decl.label.value if decl.label else None
        out.append(lsp.CompletionItem(label=name, kind=lsp.CompletionItemKind.Field,
                                      detail=detail, documentation=doc))
    return out


def _defines(snap: Snapshot, lang: str) -> list[lsp.CompletionItem]:
    detail = text("lsp.kind.define", lang)
    return [lsp.CompletionItem(label=name, kind=lsp.CompletionItemKind.Variable, detail=detail)
            for name in snap.declarations.defines]


def _functions(snap: Snapshot, lang: str) -> list[lsp.CompletionItem]:
    detail = text("lsp.kind.function", lang)
    return [lsp.CompletionItem(label=name, kind=lsp.CompletionItemKind.Function, detail=detail,
                               documentation=spec.doc or None)
            for name, spec in snap.vocabulary.functions.items()]


def _expression_keywords() -> list[str]:
    words = [w for w, kind in KEYWORDS.items() if kind not in ("TAG", "DEFINE", "POLICY", "KEY",
                                                               "SIGNED", "RANGE_TO")]
    return [*words, *(" ".join(pair) for pair in PAIRS)]


def _keyword(word: str, lang: str) -> lsp.CompletionItem:
    return lsp.CompletionItem(label=word, kind=lsp.CompletionItemKind.Keyword,
                              detail=text("lsp.kind.keyword", lang))
