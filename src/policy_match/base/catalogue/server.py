"""The catalogue's part for server (see base/messages.py): the portal's HTTP errors and the
``serve`` command's lines."""

from policy_match.base.message import Message

ENTRIES: dict[str, Message] = {
    # problem titles (RFC 9457 "title"), by HTTP status
    "server.title.400": Message("请求有误", "Bad request"),
    "server.title.401": Message("需要登录", "Authentication required"),
    "server.title.403": Message("无权访问", "Forbidden"),
    "server.title.404": Message("未找到", "Not found"),
    "server.title.405": Message("不支持该请求方法", "Method not allowed"),
    "server.title.413": Message("请求内容过大", "Request body too large"),
    "server.title.415": Message("请求内容类型不支持", "Unsupported media type"),
    "server.title.422": Message("请求数据有误", "Invalid request data"),
    "server.title.500": Message("服务内部错误", "Internal server error"),
    "server.title.503": Message("服务暂不可用", "Service unavailable"),
    # details
    "server.not_found": Message("没有这个地址：{path}", "No such address: {path}"),
    "server.method": Message("{path} 不支持 {method} 请求",
                             "{path} does not accept {method} requests"),
    "server.no_item": Message("没有编码为 {id} 的现行政策事项（可能已过适用时间）",
                              "No current item with id {id} (it may have expired)"),
    "server.no_table": Message("服务未加载企业库（启动时未给 --data）",
                               "No enterprise table is loaded (start with --data)"),
    "server.no_enterprise": Message("企业库中没有统一社会信用代码为 {id} 的企业",
                                    "No enterprise {id} in the loaded table"),
    "server.token_missing": Message(
        "请先登录：请求需带上部门令牌（Authorization: Bearer 令牌）",
        "Sign in first: send the department's token (Authorization: Bearer <token>)"),
    "server.token_wrong": Message("令牌无效，请核对后重新登录",
                                  "The token is not valid; check it and sign in again"),
    "server.other_department": Message(
        "该事项由{owner}负责，{department}的令牌无权查看其企业数据",
        "This item belongs to {owner}; a token of {department} may not see its enterprise data"),
    "server.too_large": Message("请求内容超过 {limit} 字节的上限",
                                "The request body is over the limit of {limit} bytes"),
    "server.bad_values": Message("有 {n} 项数据有误，请逐项核对",
                                 "{n} value(s) are not valid; see each one"),
    "server.unknown_tag": Message("政策库中没有这个字段", "the rulebook has no such field"),
    "server.unknown_tag_hint": Message("政策库中没有这个字段，是否要填“{name}”？",
                                       'the rulebook has no such field; did you mean "{name}"?'),
    "server.too_many_fields": Message("一条记录最多 {n} 项", "a record has at most {n} fields"),
    "server.value_shape": Message("这里应填写文字、数字、是/否，或（多选时）文字列表",
                                  "expected text, a number, true/false, or a list of texts"),
    "server.internal": Message("服务处理请求时出错，已记录日志（编号 {ref}）",
                               "The service failed on this request; it is logged (ref {ref})"),
    # the serve command
    "server.serving": Message("政策找企业服务已启动：{url}（规则 {version}，{items} 项事项）",
                              "Serving the policy-matching portal at {url} (rules {version}, "
                              "{items} items)"),
    "server.no_bundled": Message(
        "找不到内置规则库或企业样例，请给出 RULES 与 --data",
        "No bundled rulebook or sample found; give RULES and --data"),
    "server.bad_tokens": Message("令牌文件不可用：{reason}",
                                 "The tokens file cannot be used: {reason}"),
}
