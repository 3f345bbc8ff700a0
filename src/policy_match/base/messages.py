"""The message catalogue: every sentence a person reads, keyed by a stable code, in Chinese
and English. Modules keep codes and parameters; the words are looked up here, once, at the
edge (a CLI line, a rendered diagnostic, a published page).

A key is a dotted name (``diag.summary``) or a diagnostic code (``E-NAME``: its title).
Parameters are ``str.format`` fields; both languages of a key take the same fields
(``tests/base/test_messages.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from string import Formatter


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


DEFAULT_LANG = Lang.ZH


@dataclass(frozen=True)
class Message:
    zh: str
    en: str

    def in_(self, lang: Lang) -> str:
        return self.zh if lang is Lang.ZH else self.en


CATALOGUE: Mapping[str, Message] = {
    # ---- diagnostics: the titles of the stable codes ------------------------------------
    "E-SYNTAX": Message("语法错误", "syntax error"),
    "E-NAME": Message("名称未定义", "unknown name"),
    "E-TYPE": Message("类型不符", "type mismatch"),
    "E-UNIT": Message("单位不符", "unit mismatch"),
    "E-ENUM": Message("枚举值不存在", "not a value of the enum"),
    "E-CODE": Message("代码无效", "invalid code"),
    "E-HIERARCHY": Message("代码体系不符", "wrong code hierarchy"),
    "E-DUP": Message("重复声明", "declared twice"),
    "E-FIELD": Message("清单字段有误", "bad item field"),
    "E-REQUIRED": Message("缺少必填字段", "required field missing"),
    "E-VALID": Message("适用时间有误", "bad validity window"),
    "E-CYCLE": Message("循环引用", "circular reference"),
    "E-FUNC": Message("函数调用有误", "bad function call"),
    "E-LITERAL": Message("字面量有误", "bad literal"),
    "E-KEY": Message("主键声明有误", "bad key tag"),
    "E-CASE": Message("分情况表达式有误", "bad case expression"),
    "E-EXAMPLE": Message("示例有误", "bad example"),
    "E-IO": Message("无法读取规则文件", "cannot read the rule file"),
    "E-PLUGIN": Message("插件加载失败", "plug-in failed to load"),
    "W-EXPIRED": Message("事项已过适用时间", "item past its validity window"),
    "W-LATE": Message("上线晚于发布后10个工作日", "online more than 10 working days after issue"),
    # ---- diagnostics: the words around them ---------------------------------------------
    "severity.error": Message("错误", "error"),
    "severity.warning": Message("警告", "warning"),
    "diag.help": Message("提示", "help"),
    "diag.note": Message("参见", "note"),
    "diag.summary": Message("{errors} 个错误，{warnings} 个警告",
                            "{errors} error(s), {warnings} warning(s)"),
    "diag.rulebook_failed": Message("规则库有 {errors} 个错误",
                                    "{errors} error(s) in the rulebook"),
    # ---- verdicts ---------------------------------------------------------------------
    "verdict.eligible": Message("符合", "eligible"),
    "verdict.ineligible": Message("不符合", "ineligible"),
    "verdict.unknown": Message("待补充信息", "unknown"),
    "verdict.inactive": Message("不在适用期", "inactive"),
    # ---- files ------------------------------------------------------------------------
    "io.unknown_format": Message("{path}：不支持的表格格式 {suffix}（可用 {accepted}）",
                                 "{path}: unknown table format {suffix} (use {accepted})"),
}


def message(key: str) -> Message:
    try:
        return CATALOGUE[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the catalogue") from None


def text(key: str, lang: Lang | str = DEFAULT_LANG, /, **params: object) -> str:
    """The message ``key`` in ``lang`` with its fields filled in."""
    return message(key).in_(Lang(lang)).format(**params)


def fields(template: str) -> frozenset[str]:
    """The ``str.format`` fields a template takes."""
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)
