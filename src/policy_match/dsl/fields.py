"""The policy fields (§8): the columns of the 惠企政策兑现事项清单 and their English aliases."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    zh: str
    en: str
    kind: str  # text | texts | validity | condition | amount | duration | push | bool | date
    required: bool = False


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("事项名称", "name", "text", required=True),
    FieldSpec("事项依据", "basis", "text"),
    FieldSpec("事项内容", "content", "text"),
    FieldSpec("适用对象", "target", "text"),
    FieldSpec("适用时间", "valid", "validity"),
    FieldSpec("申请条件", "eligible", "condition", required=True),
    FieldSpec("申请材料", "materials", "texts"),
    FieldSpec("申请方式", "channel", "text"),
    FieldSpec("办结时限", "deadline", "duration"),
    FieldSpec("政策分类", "category", "text"),
    FieldSpec("公布网址", "url", "text"),
    FieldSpec("执行部门", "department", "text"),
    FieldSpec("联系人", "contact", "text"),
    FieldSpec("联系方式", "phone", "text"),
    FieldSpec("推送方式", "push", "push"),
    FieldSpec("互斥组", "group", "text"),
    FieldSpec("免申即享", "no_application", "bool"),
    FieldSpec("兑付标准", "benefit", "amount"),
    FieldSpec("发布日期", "published", "date"),
    FieldSpec("上线日期", "online", "date"),
    FieldSpec("前置事项", "requires", "texts"),
    FieldSpec("排除事项", "excludes", "texts"),
)

BY_NAME: dict[str, FieldSpec] = {
    **{f.zh: f for f in FIELDS},
    **{f.en: f for f in FIELDS},
}

PUSH_WORDS = {"精准": "精准", "targeted": "精准", "普惠": "普惠", "broad": "普惠"}

EXAMPLE_WORDS = ("示例", "example")
GIVEN_WORDS = ("给定", "given")
EXPECT_WORDS = ("预期", "expect")
BENEFIT_WORDS = ("兑付", "benefit")
