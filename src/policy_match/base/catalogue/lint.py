"""The catalogue's part for lint (see base/messages.py): the titles of the W- codes of
``policy-match lint`` and its messages and hints."""

from policy_match.base.message import Message

ENTRIES: dict[str, Message] = {
    # titles (the key is the code)
    "W-UNSAT": Message("条件永远无法满足", "condition can never hold"),
    "W-ALWAYS": Message("条件对所有企业都成立", "condition holds for every enterprise"),
    "W-REDUNDANT": Message("条件多余", "redundant condition"),
    "W-UNREACHABLE": Message("分支永远走不到", "unreachable case branch"),
    "W-TIERS": Message("兑付档位重叠或有缺口", "benefit tiers overlap or leave a gap"),
    "W-SAME": Message("两个事项的申请条件相同", "two items with equivalent conditions"),
    "W-GROUP": Message("互斥组不起作用", "exclusive group that never applies"),
    "W-INCOMPLETE": Message("清单字段不全", "item missing fields publishing needs"),
    # messages
    "lint.unsat": Message(
        "这个条件永远无法满足：没有任何企业能使它成立",
        "this condition can never hold: no enterprise satisfies it"),
    "lint.unsat_policy": Message(
        "事项 {policy} 的申请条件永远无法满足，没有任何企业会符合",
        "the condition of item {policy} can never hold: no enterprise will qualify"),
    "lint.always": Message(
        "这个条件对数据齐全的所有企业都成立，起不到筛选作用",
        "this condition holds for every enterprise whose data are known: it selects nothing"),
    "lint.always_policy": Message(
        "事项 {policy} 的申请条件对数据齐全的所有企业都成立",
        "the condition of item {policy} holds for every enterprise whose data are known"),
    "lint.redundant": Message(
        "这一项已由同组的其他条件决定，删去它任何企业的结果都不变",
        "the other conditions beside it already decide this one: removing it changes no "
        "outcome"),
    "lint.duplicate": Message(
        "这一项与第{line}行的条件重复",
        "this repeats the condition on line {line}"),
    "lint.unreachable": Message(
        "第{n}个分支永远走不到：满足它的企业都会先落入前面的分支",
        "branch {n} is never taken: every enterprise it fits takes an earlier branch"),
    "lint.unreachable_never": Message(
        "第{n}个分支永远走不到：它的条件永远无法满足",
        "branch {n} is never taken: its test can never hold"),
    "lint.unreachable_else": Message(
        "“否则”分支永远走不到：数据齐全的企业都会落入前面的分支",
        "the else branch is never taken: every enterprise with known data takes an earlier "
        "branch"),
    "lint.tiers_overlap": Message(
        "第{j}档与第{i}档在 {value} 处重叠：这样的企业按第{i}档兑付",
        "tier {j} overlaps tier {i} at {value}: such an enterprise is paid by tier {i}"),
    "lint.tiers_gap": Message(
        "第{i}档与第{j}档之间有缺口：{value} 不属于任何一档，只能按“否则”兑付",
        "a gap between tier {i} and tier {j}: {value} falls in no tier and is paid by "
        "the else branch"),
    "lint.same": Message(
        "事项 {policy} 的申请条件与 {other} 等价：对任何企业结果都相同",
        "the condition of item {policy} is equivalent to that of {other}: every enterprise "
        "gets the same outcome"),
    "lint.group": Message(
        "互斥组“{group}”的{count}个事项不可能同时适用于同一家企业，互斥组不起作用",
        "no enterprise can qualify for two of the {count} items of exclusive group "
        "“{group}” at once: the group does nothing"),
    "lint.incomplete": Message(
        "事项 {policy} 缺少发布清单所需的字段：{fields}",
        "item {policy} lacks fields the published list needs: {fields}"),
    # hints
    "lint.hint.unsat": Message(
        "检查比较方向和数额（如 >= 与 <、万 与 亿），或把“且”改为“或”",
        "check the comparison directions and amounts (>= against <, 万 against 亿), or "
        "whether 且 (and) should be 或 (or)"),
    "lint.hint.unsat_policy": Message(
        "检查各项条件是否相互矛盾；该事项发布后不会匹配到任何企业",
        "check for conditions that contradict each other; published, the item matches "
        "no one"),
    "lint.hint.always": Message(
        "删去这个条件，或改成真正要求的条件；它会出现在一表读懂的文字里",
        "remove it or write the condition meant; it would be printed in the public wording"),
    "lint.hint.always_policy": Message(
        "如果该事项确实面向所有企业（普惠），可以删去申请条件中的这一部分；否则写出真正的条件",
        "if the item is meant for every enterprise, drop the condition; otherwise write the "
        "condition meant"),
    "lint.hint.redundant": Message(
        "删去这一项；它会重复出现在一表读懂的文字里",
        "remove it; it would be repeated in the public wording"),
    "lint.hint.duplicate": Message("删去重复的一项", "remove the repeated condition"),
    "lint.hint.unreachable": Message(
        "调整分支顺序（更严的条件放在前面），或修改前面分支的条件",
        "reorder the branches (the stricter test first) or change the earlier tests"),
    "lint.hint.unreachable_never": Message(
        "修改或删去这个分支", "change or remove this branch"),
    "lint.hint.unreachable_else": Message(
        "如果前面的分支已覆盖所有情况，可以把最后一个分支改成“否则”",
        "if the branches cover every case, make the last of them the else branch"),
    "lint.hint.tiers_overlap": Message(
        "让相邻档位在边界处一个含本数、一个不含（如 >= 1亿 与 < 1亿）",
        "make one of two adjacent tiers include the edge and the other exclude it "
        "(>= 1亿 and < 1亿)"),
    "lint.hint.tiers_gap": Message(
        "让相邻档位首尾相接（如 < 5000万 与 >= 5000万）",
        "make adjacent tiers meet (< 5000万 and >= 5000万)"),
    "lint.hint.same": Message(
        "确认是否复制后忘了修改条件；相同的事项应合并",
        "check whether one was copied and its condition not changed; merge equal items"),
    "lint.hint.group": Message(
        "互斥组只在一家企业可能同时符合多个事项时才需要；删去它或检查各事项的条件",
        "an exclusive group matters only when an enterprise may qualify for several of "
        "its items; remove it or check the conditions"),
    "lint.hint.incomplete": Message(
        "补全这些字段，否则清单和一表读懂会出现空栏，页面也没有二维码",
        "fill in these fields, or the published list shows blank cells and pages lack "
        "their QR code"),
    # related notes
    "lint.related.taken": Message("这样的企业落入第{n}个分支",
                                  "such an enterprise takes branch {n}"),
    "lint.related.same": Message("事项 {policy} 的申请条件", "the condition of item {policy}"),
    "lint.related.member": Message("同组的事项 {policy}", "item {policy} of the same group"),
    # fields and the witness
    "lint.field.basis": Message("事项依据", "basis (事项依据)"),
    "lint.field.materials": Message("申请材料", "materials (申请材料)"),
    "lint.field.channel": Message("申请方式", "channel (申请方式)"),
    "lint.field.deadline": Message("办结时限", "deadline (办结时限)"),
    "lint.field.url": Message("公布网址", "url (公布网址)"),
    "lint.field.department": Message("执行部门", "department (执行部门)"),
    "lint.field.contact": Message("联系人", "contact (联系人)"),
    "lint.field.phone": Message("联系方式", "phone (联系方式)"),
    "lint.witness": Message("例如这家企业", "for example this enterprise"),
    "lint.witness_none": Message("（所有标签均未知）", "(every tag unknown)"),
}
