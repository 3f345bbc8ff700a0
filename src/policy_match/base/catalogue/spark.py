"""The catalogue's part for spark (see base/messages.py)."""

from policy_match.base.message import Message

ENTRIES: dict[str, Message] = {
    "spark.no_sources": Message(
        "规则库没有源文本，无法分发到 Spark 执行器（请用 policy_match.load 加载规则库）",
        "the rulebook has no source texts to ship to Spark's executors "
        "(load it with policy_match.load)"),
    "spark.no_key": Message(
        "企业表缺少标明企业的列“{key}”（规则库声明的主键；未声明主键时为 enterprise_id）："
        "Spark 的结果按此列标明每户企业",
        "the enterprise DataFrame has no column '{key}' naming each enterprise (the key "
        "tag's, or enterprise_id when the rulebook declares no key): Spark's results name "
        "every enterprise by it"),
    "spark.no_enterprise": Message(
        "企业表的“{column}”列中没有企业 {enterprise}",
        "no enterprise {enterprise} in the DataFrame's column '{column}'"),
}
