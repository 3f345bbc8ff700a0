"""The catalogue's part for scale (see base/messages.py): progress steps of long commands and
the daily refresh's report of what changed."""

from policy_match.base.message import Message

ENTRIES: dict[str, Message] = {
    "scale.step.load": Message("读取 {path}", "reading {path}"),
    "scale.step.load_previous": Message("读取上次的企业表 {path}",
                                        "reading the previous table {path}"),
    "scale.step.match": Message("匹配 {rows} 家企业 × {policies} 项政策",
                                "matching {rows} enterprises × {policies} policies"),
    "scale.step.refresh": Message("增量匹配：只算变化的企业和政策",
                                  "refreshing: only changed enterprises and policies"),
    "scale.step.benefits": Message("计算兑付金额", "computing benefit amounts"),
    "scale.step.roster": Message("生成免申即享名单", "building the no-application roster"),
    "scale.step.push": Message("规划推送", "planning pushes"),
    "scale.step.snapshot": Message("写入快照 {path}", "writing the snapshot {path}"),
    "scale.unit.cells": Message("格", "cells"),
    "scale.unit.policies": Message("项", "policies"),
    "scale.unit.items": Message("项", "items"),
    "scale.unit.enterprises": Message("家", "enterprises"),
    "scale.changes": Message(
        "与上次相比：企业新增 {added}、删除 {removed}、变更 {changed} 家（重算 {evaluated} "
        "家）；政策新增 {p_added}、删除 {p_removed}、修改 {p_changed} 项，"
        "因评估日变化重算 {p_dated} 项",
        "since the previous table: {added} enterprise(s) added, {removed} removed, "
        "{changed} changed ({evaluated} evaluated again); policies: {p_added} added, "
        "{p_removed} removed, {p_changed} edited, {p_dated} evaluated again for the date"),
}
