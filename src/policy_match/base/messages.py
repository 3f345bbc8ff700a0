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
    "E-RANGE": Message("数值可能过大", "value may grow too large"),
    "E-COST": Message("规则过深或过大，无法求值", "rulebook too deep or too big to evaluate"),
    "W-EXPIRED": Message("事项已过适用时间", "item past its validity window"),
    "W-LATE": Message("上线晚于发布后10个工作日", "online more than 10 working days after issue"),
    "W-BIDI": Message("规则文本含不可见的双向控制字符",
                      "invisible bidirectional control character"),
    "W-CONFUSABLE": Message("名称形近易混", "names that look alike"),
    # ---- diagnostics: the words around them ---------------------------------------------
    "severity.error": Message("错误", "error"),
    "severity.warning": Message("警告", "warning"),
    "diag.help": Message("提示", "help"),
    "diag.note": Message("参见", "note"),
    "diag.summary": Message("{errors} 个错误，{warnings} 个警告",
                            "{errors} error(s), {warnings} warning(s)"),
    "diag.rulebook_failed": Message("规则库有 {errors} 个错误",
                                    "{errors} error(s) in the rulebook"),
    # ---- words of enums a person reads (Worded): ``Class.value`` ------------------------
    "Verdict.eligible": Message("符合", "eligible"),
    "Verdict.ineligible": Message("不符合", "ineligible"),
    "Verdict.unknown": Message("待补充信息", "unknown"),
    "Verdict.inactive": Message("不在有效期", "inactive"),
    "Status.not_yet_effective": Message("未生效", "not yet in force"),
    "Status.active": Message("有效", "in force"),
    "Status.expiring": Message("即将到期", "expiring"),
    "Status.expired": Message("已失效", "expired"),
    "MessageKind.match": Message("精准推送", "matched"),
    "MessageKind.announce": Message("普惠公布", "announced to all"),
    "MessageKind.prompt": Message("请补充信息", "please complete your data"),
    "MessageKind.withdraw": Message("撤回", "withdrawn"),
    "Reason.eligible": Message("符合申请条件", "meets the conditions"),
    "Reason.broad": Message("普惠政策公布", "a policy for every enterprise"),
    "Reason.missing": Message("需补充信息", "data missing"),
    "Reason.ineligible": Message("已不符合申请条件", "no longer meets the conditions"),
    "Reason.expired": Message("适用时间届满", "validity window ended"),
    "Reason.not_in_force": Message("不在适用时间内", "not in force"),
    "Reason.repealed": Message("事项已下架", "item withdrawn from the list"),
    "Change.became_eligible": Message("新增符合", "became eligible"),
    "Change.no_longer_eligible": Message("不再符合", "no longer eligible"),
    "Change.now_unknown": Message("转为待补充信息", "now unknown"),
    "Change.no_longer_unknown": Message("不再待补充信息", "no longer unknown"),
    # ---- the push ledger (apps/push/errors.py) -----------------------------------------
    "ledger.how_to_check": Message("运行 policy-match push check {path} 查看损坏位置，并从备份恢复",
                     "run `policy-match push check {path}` to locate the damage, and restore "
                     "it from a backup"),
    "ledger.not_sqlite": Message("{path}：不是 SQLite 文件，不是推送账本",
                        "{path}: not an SQLite file, so not a push ledger"),
    "ledger.not_ledger": Message("{path}：不是推送账本（{detail}）",
                        "{path}: not a push ledger ({detail})"),
    "ledger.corrupt": Message("{path}：账本文件已损坏（{detail}）；{how}",
                     "{path}: the ledger file is damaged ({detail}); {how}"),
    "ledger.altered": Message("{path}：账本的表结构被改动（{detail}）；{how}",
                     "{path}: the ledger's tables were altered ({detail}); {how}"),
    "ledger.inconsistent": Message("{path}：账本数据不一致（{detail}）；{how}",
                          "{path}: the ledger's data disagree ({detail}); {how}"),
    "ledger.newer": Message("{path}：账本格式版本 {detail} 高于本程序支持的版本，"
                            "请升级 policy-match",
                   "{path}: ledger schema {detail} is newer than this program's; upgrade "
                   "policy-match"),
    "ledger.busy": Message("{path}：账本被其他进程占用，等待超时（{detail}）；稍后重试",
                  "{path}: another process held the ledger too long ({detail}); try again "
                  "later"),
    "ledger.io": Message("{path}：无法读写账本（{detail}）；检查路径、权限和磁盘空间",
                "{path}: cannot read or write the ledger ({detail}); check the path, the "
                "permissions and the free disk space"),
    "ledger.wal": Message("{path}：无法启用 WAL 日志模式（{detail}）；请把账本放在本地磁盘上",
                 "{path}: WAL journal mode unavailable ({detail}); keep the ledger on a local "
                 "disk"),
    "ledger.migrate": Message("{path}：无法升级旧格式账本（{detail}）；账本未改动",
                     "{path}: cannot migrate the old-format ledger ({detail}); it is unchanged"),
    # ---- files ------------------------------------------------------------------------
    "io.unknown_format": Message("{path}：不支持的表格格式 {suffix}（可用 {accepted}）",
                                 "{path}: unknown table format {suffix} (use {accepted})"),
    # ---- reading an enterprise table: where, and why a value or row was rejected -------
    "where.line": Message("第 {n} 行", "line {n}"),
    "where.sheet_row": Message("工作表第 {n} 行", "sheet row {n}"),
    "where.record": Message("第 {n} 条记录", "record {n}"),
    "where.row": Message("第 {n} 条企业", "row {n}"),
    "field_error.at": Message("{where}，{subject}：{reason}", "{where}, {subject}: {reason}"),
    "field_error.plain": Message("{subject}：{reason}", "{subject}: {reason}"),
    "value.not_number": Message("不是数字", "not a number"),
    "value.bool_for_number": Message("应为数字，不是“是/否”",
                                     "expected a number, got a yes/no value"),
    "value.not_finite": Message("不是有限的数", "not a finite number"),
    "value.too_many_digits": Message("有效数字超过 {max} 位（或小数超过 {max} 位）",
                                     "more than {max} significant (or decimal) digits"),
    "value.too_large": Message("数值超出范围（绝对值须小于 10^{exp}）",
                               "out of range (the magnitude must be below 10^{exp})"),
    "value.negative_money": Message("金额不能为负数", "money is not negative"),
    "value.count": Message("个数须为非负整数", "a count is a whole number, not negative"),
    "value.money_unit": Message("未知的金额单位 {unit}（请写 2000万、1.5亿元 或 500元）",
                                "unknown money unit {unit} (write 2000万, 1.5亿元 or 500元)"),
    "value.unit": Message("意外的单位 {unit}", "unexpected unit {unit}"),
    "value.ratio_unit": Message("意外的单位 {unit}（请写 10% 或 0.1）",
                                "unexpected unit {unit} (write 10% or 0.1)"),
    "value.no_such_day": Message("没有这一天：{detail}", "no such day: {detail}"),
    "value.not_date": Message("不是日期（请写 2021-03-01、2021/3/1 或 2021年3月1日）",
                              "not a date (write 2021-03-01, 2021/3/1 or 2021年3月1日)"),
    "value.not_bool": Message("不是“是/否”值（请写 是/否 或 true/false）",
                              "not a yes/no value (write 是/否 or true/false)"),
    "value.not_duration": Message("不是时长（请写 3年、6个月、30天 或 20个工作日）",
                                  "not a duration (write 3年, 6个月, 30天 or 20个工作日)"),
    "value.not_enum": Message("不是 {values} 之一", "not one of {values}"),
    "value.set_not_enum": Message("{wrong} 不是 {values} 之一", "{wrong} not one of {values}"),
    "value.not_code": Message("不是 {hierarchy} 代码", "not a {hierarchy} code"),
    "value.cell_too_large": Message("单元格超过 {limit} 字节，未读取",
                                    "cell over {limit} bytes; not read"),
    "key.missing": Message("该行没有 {key}，以 {id} 标识", "row has no {key}; identified as {id}"),
    "key.duplicate": Message("主键重复：与第 {first} 条企业相同",
                             "duplicate key: also row {first}"),
    "key.duplicate.line": Message("主键重复：与第 {first} 行相同",
                                  "duplicate key: also line {first}"),
    "key.duplicate.sheet_row": Message("主键重复：与工作表第 {first} 行相同",
                                       "duplicate key: also sheet row {first}"),
    "key.duplicate.record": Message("主键重复：与第 {first} 条记录相同",
                                    "duplicate key: also record {first}"),
    "column.unknown": Message("不是规则库声明的标签，该列未读取",
                              "not a tag of the rulebook; column not read"),
    "column.unknown_hint": Message("不是规则库声明的标签，该列未读取；是否应为 {suggestion}？",
                                   "not a tag of the rulebook; column not read; "
                                   "did you mean {suggestion}?"),
    "column.duplicate": Message("表头重复（第 {first} 列与第 {second} 列），后一列未读取",
                                "header repeated (columns {first} and {second}); "
                                "the later column not read"),
    "column.second_for_tag": Message("标签 {tag} 的第二列，未读取",
                                     "a second column for tag {tag}; ignored"),
    "row.ragged": Message("该行有 {actual} 个单元格，表头有 {expected} 列；整行未读取",
                          "{actual} cell(s) where the header has {expected}; row not read"),
    "row.bad_bytes": Message("含有不是 {encoding} 编码的字节；整行未读取",
                             "bytes that are not {encoding}; row not read"),
    "row.bad_json": Message("不是一个 JSON 对象（{detail}）；整行未读取",
                            "not one JSON object ({detail}); row not read"),
    "load.counts": Message(
        "{source}：文件中 {total} 行 = 载入 {loaded} + 跳过空行 {skipped} + 拒绝 {rejected} 行；"
        "{values} 个值被拒绝（按缺失处理），{columns} 列未读取",
        "{source}: {total} row(s) in the file = {loaded} loaded + {skipped} blank skipped + "
        "{rejected} rejected; {values} value(s) rejected (counted as missing), "
        "{columns} column(s) not read"),
    "load.more": Message("  … 另有 {more} 条（--max-errors）",
                         "  … and {more} more (--max-errors)"),
    "load.exit": Message("读取时有数据被拒绝，退出码为 1（其余数据已照常处理；"
                         "加 --allow-errors 则退出码为 0）",
                         "data was rejected while loading: exit status 1 (the rest was "
                         "processed; pass --allow-errors for exit status 0)"),
}


class Worded(StrEnum):
    """An enum whose members people read: each member's words are the catalogue's
    ``"<Class>.<value>"`` entry, so an enum carries codes and the catalogue the language."""

    @property
    def zh(self) -> str:
        return self.text(Lang.ZH)

    def text(self, lang: Lang | str = DEFAULT_LANG) -> str:
        return message(f"{type(self).__name__}.{self.value}").in_(Lang(lang))


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
