"""The catalogue's part for lsp (see base/messages.py): the words of the language server
(hover cards, completion details, quick fixes, refusals)."""

from policy_match.base.message import Message

ENTRIES: dict[str, Message] = {
    # diagnostics
    "lsp.hint": Message("提示：{hint}", "help: {hint}"),
    "lsp.related": Message("另见", "see also"),
    "lsp.fix": Message("改为 {name}", "Change to {name}"),
    # hover
    "lsp.hover.tag": Message("标签 {name}", "tag {name}"),
    "lsp.hover.type": Message("类型：{type}", "type: {type}"),
    "lsp.hover.unit": Message("单位：{unit}", "unit: {unit}"),
    "lsp.hover.label": Message("说明：{label}", "label: {label}"),
    "lsp.hover.values": Message("取值：{values}", "values: {values}"),
    "lsp.hover.open_set": Message("取值：任意文本", "values: any text"),
    "lsp.hover.key": Message("企业标识（key）", "identifies an enterprise (key)"),
    "lsp.hover.signed": Message("可为负数", "may be negative"),
    "lsp.hover.define": Message("企业画像 {name}（{type}）", "define {name} ({type})"),
    "lsp.hover.means": Message("{name}是指：{text}", "{name} means: {text}"),
    "lsp.hover.stale": Message("（按上次没有错误的版本）",
                               "(as of the last version without errors)"),
    "lsp.hover.unchecked": Message("（规则有错误，尚未检查）",
                                   "(the rules have errors: not checked yet)"),
    "lsp.hover.policy": Message("政策事项 {id}", "policy {id}"),
    "lsp.hover.field": Message("清单字段 {zh}（英文 {en}）",
                               "published-list field {zh} (in English {en})"),
    "lsp.hover.required": Message("必填", "required"),
    "lsp.hover.code": Message("{hierarchy} {code}：{name}", "{hierarchy} {code}: {name}"),
    "lsp.hover.code_unnamed": Message("{hierarchy} {code}（本库没有它的名称）",
                                      "{hierarchy} {code} (no name known for it)"),
    "lsp.hover.function": Message("函数 {name}", "function {name}"),
    # units of the types that have one
    "lsp.unit.money": Message("元（2000万 即 2000万元）", "yuan (2000万 is 20,000,000 yuan)"),
    "lsp.unit.ratio": Message("比例（10% 即 0.10）", "a fraction (10% is 0.10)"),
    "lsp.unit.duration": Message("年、个月、天或个工作日", "years, months, days or working days"),
    # completion details
    "lsp.kind.tag": Message("标签 · {type}", "tag · {type}"),
    "lsp.kind.define": Message("企业画像", "define"),
    "lsp.kind.field": Message("清单字段（{en}）", "published-list field ({en})"),
    "lsp.kind.keyword": Message("关键字", "keyword"),
    "lsp.kind.value": Message("{tag} 的取值", "a value of {tag}"),
    "lsp.kind.function": Message("函数", "function"),
    "lsp.kind.example": Message("示例", "worked example"),
    # refusals
    "lsp.format.syntax": Message(
        "文件有语法错误，未格式化：先改正错误。",
        "The file has syntax errors and was not formatted: fix them first."),
    "lsp.rename.not_define": Message(
        "只能重命名企业画像（define）。", "Only a define can be renamed."),
    "lsp.rename.invalid": Message(
        "“{name}” 不是合法的名称：以字母、汉字或 _ 开头，后接字母、汉字、数字或 _。",
        "\"{name}\" is not a valid name: a letter or _ followed by letters, digits or _."),
    "lsp.rename.taken": Message("“{name}” 已经声明过了。", "\"{name}\" is already declared."),
    "lsp.rename.keyword": Message(
        "“{name}” 是关键字或字段名，不能作名称。", "\"{name}\" is a keyword or a field name."),
}
