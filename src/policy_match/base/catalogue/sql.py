"""The catalogue's part for sql (see base/messages.py): the SQL backend, loading a table
into a database, and the ``sql`` commands."""

from policy_match.base.message import Message

ENTRIES: dict[str, Message] = {
    # ---- compiling a rulebook to SQL ------------------------------------------------------
    "sql.unsupported_type": Message(
        "标签 {tag} 的类型 {type} 无法存为数据库列",
        "tag {tag} has type {type}, which no database column holds"),
    "sql.unsupported_function": Message(
        "函数 {name} 没有 SQL 写法，这本规则不能在数据库中匹配",
        "function {name} has no SQL form; this rulebook cannot be matched in a database"),
    "sql.unsupported_hierarchy": Message(
        "代码体系 {name} 不是按前缀嵌套的，无法在数据库中判断“属于”",
        "code hierarchy {name} does not nest by prefix; 'in' cannot be tested in a database"),
    "sql.unsupported_date_arith": Message(
        "日期加减的期限须是常量（如 3年），不能是标签的值",
        "a date can only be shifted by a constant duration (such as 3年), not a tag's value"),
    "sql.unknown_dialect": Message(
        "不支持的 SQL 方言 {name}（可用：{known}）",
        "unknown SQL dialect {name} (known: {known})"),
    "sql.unknown_verdict": Message(
        "不认识的结论“{value}”（可用：{known}）",
        "unknown verdict '{value}' (known: {known})"),
    # ---- databases ------------------------------------------------------------------------
    "sql.bad_url": Message(
        "数据库地址 {url} 无法识别：请用 duckdb:///路径.duckdb 或 postgresql://…",
        "database URL {url} not understood: use duckdb:///path.duckdb or postgresql://…"),
    "sql.table_exists": Message(
        "数据库中已有表 {table}（用 --if-exists replace 覆盖，或 append 追加）",
        "table {table} already exists (use --if-exists replace or append)"),
    "sql.bad_if_exists": Message(
        "if_exists 只能是 fail、replace 或 append，而不是 {value}",
        "if_exists must be fail, replace or append, not {value}"),
    "sql.inexact_value": Message(
        "第 {row} 行 {column} 的值 {value} 超出列类型 {type} 的精度，不能无损写入",
        "row {row}, {column}: {value} does not fit {type} exactly; not written"),
    "sql.no_enterprise": Message(
        "表 {table} 中没有企业 {enterprise}",
        "no enterprise {enterprise} in table {table}"),
    # ---- the sql commands -----------------------------------------------------------------
    "sql.loaded": Message(
        "已将 {rows} 家企业写入 {table}",
        "wrote {rows} enterprises to {table}"),
    "sql.matched": Message(
        "已在数据库中匹配，{pairs} 对（企业，政策）写入 {target}",
        "matched in the database: {pairs} (enterprise, policy) pairs written to {target}"),
    "sql.data_or_db": Message(
        "请给出企业数据文件，或用 --db 指定数据库（二者选一）",
        "give an enterprise data file, or a database with --db (one of the two)"),
}
