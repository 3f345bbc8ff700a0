"""The portal's response and request models (pydantic v2): what the JSON API returns and the
pages render. Plain data, no behaviour; :mod:`.queries` fills them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policy_match.engine.explain import Explanation

__all__ = [
    "CheckRequest",
    "CheckResponse",
    "CheckResult",
    "CodeOption",
    "EnterpriseMatch",
    "EnterpriseMatches",
    "GapItem",
    "Health",
    "ItemDetail",
    "ItemSummary",
    "PolicyEnterprises",
    "TagInfo",
]

ItemStatusCode = Literal["active", "expiring"]
CheckVerdict = Literal["eligible", "unknown", "ineligible"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ItemSummary(_Frozen):
    """One current item of the 政策库 as the public lists show it."""

    id: str = Field(description="事项编码: the item's id in the rules")
    name: str = Field(description="事项名称")
    status: ItemStatusCode = Field(description="active (有效) or expiring (即将到期, ends "
                                               "within 30 days)")
    status_zh: str = Field(description="有效 or 即将到期")
    days_left: int | None = Field(description="days until 适用时间 ends; null: no end")
    department: str | None = Field(description="执行部门")
    category: str | None = Field(description="政策分类")
    valid_from: dt.date | None
    valid_to: dt.date | None
    fields: dict[str, str] = Field(description="the 14 columns of the 惠企政策兑现事项清单, "
                                               "in the work plan's order")


class ItemDetail(ItemSummary):
    """One item with its conditions in statutory wording (the 一表读懂 content)."""

    conditions_zh: str = Field(description="适用时间 and 申请条件 in plain Chinese "
                                           "(statutory words 以上/以下/超过/不满)")
    conditions_en: str
    benefit_text: str | None = Field(description="兑付标准 in plain Chinese, if it pays money")
    materials: list[str] = Field(description="申请材料")
    no_application: bool = Field(description="免申即享: paid without an application")
    push: str = Field(description="精准 or 普惠")
    group: str | None = Field(description="互斥组: items of one group are not stacked")
    page: str = Field(description="the item's 一表读懂 page (path on this server)")
    qr: str = Field(description="the QR code of the page, as SVG (path on this server)")


class GapItem(_Frozen):
    """One condition a record fails that would have to change (差一项 when it is the only one)."""

    subject: str
    tags: list[str]
    observed: str | None
    operator: str
    threshold: str
    text_zh: str
    text_en: str


class CheckResult(_Frozen):
    """One current item against the record."""

    policy_id: str
    name: str
    verdict: CheckVerdict
    verdict_zh: str = Field(description="符合 / 待补充信息 / 不符合")
    benefit: str | None = Field(description="the amount in yuan (a decimal), when eligible "
                                            "and the data settle it")
    benefit_zh: str | None = Field(description="the amount in Chinese words and units")
    benefit_missing: list[str] = Field(description="eligible, but the amount waits for these tags")
    missing: list[str] = Field(description="tags whose values would settle an unknown verdict")
    gap: list[GapItem] | None = Field(description="the fewest failed conditions to change for "
                                                  "an ineligible item (asked with gap or "
                                                  "explain); null when not asked, when none "
                                                  "would do or the item is not ineligible")
    department: str | None
    explanation: Explanation | None = Field(default=None,
                                            description="with explain=true: the outcome tree")


class CheckRequest(BaseModel):
    """``POST /api/check``: what an enterprise knows of itself; nothing is stored."""

    model_config = ConfigDict(extra="forbid")

    record: dict[str, Any] = Field(description="tag name → value, as in an enterprise table")
    as_of: dt.date | None = Field(default=None, description="evaluation date (default: "
                                                            "today in China)")
    explain: bool = Field(default=False, description="add the outcome tree of every item "
                                                     "(and the gaps)")
    gap: bool = Field(default=False, description="add the gap of every ineligible item "
                                                 "(差一项: a gap of one) without the trees")


class CheckResponse(_Frozen):
    as_of: dt.date
    version: str = Field(description="the rulebook version that answered")
    results: list[CheckResult]


class CodeOption(_Frozen):
    code: str
    label: str | None


class TagInfo(_Frozen):
    """One field of the enterprise record, for a portal that builds its own form."""

    name: str
    label: str | None
    type: str = Field(description="bool, number, count, money, ratio, duration, date, text, "
                                  "code, enum, set, list")
    type_text: str = Field(description="the type as a rule author writes it")
    unit: str | None
    values: list[str] | None = Field(description="the closed list of an enum or set")
    hierarchy: str | None = Field(description="the code system of a code (industry: "
                                              "GB/T 4754-2017, region: 行政区划代码)")
    codes: list[CodeOption] = Field(description="the codes the rules test, for a choice list")
    key: bool
    signed: bool = Field(description="values may be negative")
    used_by: int = Field(description="how many current items read it")


class EnterpriseMatch(_Frozen):
    policy_id: str
    name: str
    department: str | None
    verdict: CheckVerdict
    verdict_zh: str
    benefit: str | None
    benefit_zh: str | None
    explanation: Explanation


class EnterpriseMatches(_Frozen):
    enterprise: str
    name: str | None
    as_of: dt.date
    version: str
    matches: list[EnterpriseMatch]


class PolicyEnterprises(_Frozen):
    policy_id: str
    verdict: CheckVerdict
    as_of: dt.date
    total: int
    offset: int
    limit: int
    enterprises: list[dict[str, Any]] = Field(description="id, name and (unknown) the "
                                                          "missing tags")


class Health(_Frozen):
    status: Literal["ok", "degraded"]
    version: str
    loaded_at: dt.datetime
    items: int
    current_items: int
    today: dt.date
    enterprises: int | None
    errors: list[dict[str, Any]]
