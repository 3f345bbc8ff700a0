"""What each piece of a file's syntax tree is: names, declarations, fields, policy ids,
strings and the tag each string is compared to."""

from __future__ import annotations

from policy_match.dsl.parser import parse
from policy_match.lsp.index import Declarations, Role, at, occurrences

TEXT = '''tag 所属行业: code(industry)
define 制造 = 所属行业 属于 ["C", "C39"] and known(所属行业)
policy "P-1" {
    事项名称: "x"
    申请条件: 制造 and max(1, 2) >= 1
    示例 "一" {
        给定 { 所属行业: "C3911" }
        预期 符合
    }
}
'''


def test_each_piece_has_its_role_and_strings_their_subject() -> None:
    module = parse(TEXT, "a.rule").module
    found = [(o.role, o.name, o.subject) for o in occurrences(module)]
    assert (Role.TAG, "所属行业", None) in found
    assert (Role.DEFINE, "制造", None) in found
    assert (Role.STRING, "C39", "所属行业") in found
    assert (Role.STRING, "C3911", "所属行业") in found  # a given value: its entry's tag
    assert (Role.ENTRY, "所属行业", None) in found
    assert (Role.FIELD, "申请条件", None) in found and (Role.POLICY, "P-1", None) in found
    assert (Role.FUNCTION, "max", None) in found
    assert sum(1 for r, n, _ in found if r is Role.NAME and n == "所属行业") == 2  # known() too


def test_at_finds_the_innermost_piece_including_its_end() -> None:
    module = parse(TEXT, "a.rule").module
    items = occurrences(module)
    offset = TEXT.index("制造 and")
    assert at(items, offset + 2).name == "制造"  # type: ignore[union-attr]
    assert at(items, TEXT.index("policy")) is None


def test_declarations_of_every_file() -> None:
    decls = Declarations.of({"a.rule": parse(TEXT, "a.rule").module})
    assert set(decls.tags) == {"所属行业"} and set(decls.defines) == {"制造"}
    assert set(decls.policies) == {"P-1"} and decls.declared("制造") is decls.defines["制造"]
