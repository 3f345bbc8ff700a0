"""The message catalogue in parts, one per area, so that each area's words live together;
``base.messages`` merges them and refuses a key defined twice."""

from collections.abc import Mapping

from policy_match.base.catalogue import (
    core,
    diagnostics,
    lint,
    lsp,
    pages,
    scale,
    server,
    spark,
    sql,
)
from policy_match.base.message import Message

PARTS: Mapping[str, Mapping[str, Message]] = {
    "core": core.ENTRIES,
    "diagnostics": diagnostics.ENTRIES,
    "lint": lint.ENTRIES,
    "lsp": lsp.ENTRIES,
    "pages": pages.ENTRIES,
    "scale": scale.ENTRIES,
    "server": server.ENTRIES,
    "spark": spark.ENTRIES,
    "sql": sql.ENTRIES,
}
