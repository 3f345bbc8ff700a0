"""The keywords of the rule language, English and 中文 side by side (§1), in one table that the
lexer, the formatter and the diagnostics read."""

from __future__ import annotations

KEYWORDS: dict[str, str] = {
    "tag": "TAG", "define": "DEFINE", "policy": "POLICY", "key": "KEY", "signed": "SIGNED",
    "and": "AND", "且": "AND",
    "or": "OR", "或": "OR",
    "not": "NOT", "非": "NOT",
    "in": "IN", "属于": "IN",
    "不属于": "NOT_IN",
    "has": "HAS", "包含": "HAS",
    "包含任一": "HAS_ANY",
    "包含全部": "HAS_ALL",
    "全部满足": "ALL_OF",
    "任一满足": "ANY_OF",
    "of": "OF",
    "known": "KNOWN", "已知": "KNOWN",
    "today": "TODAY", "评估日": "TODAY",
    "case": "CASE",
    "else": "ELSE", "否则": "ELSE",
    "true": "TRUE", "是": "TRUE",
    "false": "FALSE", "否": "FALSE",
    "至": "RANGE_TO",
}

# Two English words that make one keyword; the first word alone stays an ordinary name.
PAIRS: dict[tuple[str, str], str] = {
    ("not", "in"): "NOT_IN",
    ("has", "any"): "HAS_ANY",
    ("has", "all"): "HAS_ALL",
    ("all", "of"): "ALL_OF",
    ("any", "of"): "ANY_OF",
    ("at", "least"): "AT_LEAST",
    ("as", "of"): "AS_OF",
}
