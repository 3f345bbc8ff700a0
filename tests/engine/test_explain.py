"""Explanations: the gap is minimal and sufficient, ``missing`` names exactly the tags that
settle an unknown verdict, the JSON round-trips and the Chinese rendering reads as ✓/✗/?.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.ir import Verdict
from policy_match.engine import dag
from policy_match.engine.explain import Explainer, Explanation, degree, match_degree

AS_OF = dt.date(2024, 7, 1)

# One tag per leaf, so "forcing an atom true" is "giving its tag a value that makes it true",
# and no two leaves share an atom.  (tag declaration, test, a true value, a false value)
LEAVES: list[tuple[str, str, Any, Any]] = [
    ("tag 甲: bool", "甲", True, False),
    ("tag 乙: bool", "not 乙", False, True),
    ("tag 丙: bool", "丙 == 是", "是", "否"),
    ("tag 收入: money", "收入 >= 2000万", "2000万", 19_999_999),
    ("tag 资产: money", "资产 < 5000万", "4999万", "5000万"),
    ("tag 人数: count(人)", "人数 <= 300", 300, 301),
    ("tag 规模: enum[\"大型\", \"中型\", \"小型\", \"微型\"]", '规模 in ["小型", "微型"]',
     "小型", "中型"),
    ("tag 资质: set[\"高新技术企业\", \"科技型中小企业\"]", '资质 has "高新技术企业"',
     ["高新技术企业"], []),
    ("tag 行业: code(industry)", '行业 in ["C"]', "3911", "I6510"),
    ("tag 增长: ratio", "增长 >= 10%", "10%", "9.99%"),
]
TAG_OF = {test: decl.split()[1].rstrip(":") for decl, test, _, _ in LEAVES}
TAG_TEXT = "\n".join(decl for decl, _, _, _ in LEAVES) + "\n"
VALUES = {TAG_OF[test]: (yes, no) for _, test, yes, no in LEAVES}

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def single_policy(cond: str, tags: str = TAG_TEXT, defines: str = "") -> Rulebook:
    text = f'{tags}{defines}\npolicy "P" {{\n    事项名称: "测试事项"\n    申请条件: {cond}\n}}\n'
    result = load_sources({"p.rule": text})
    assert result.rulebook is not None, ([d.message for d in result.diagnostics], text)
    return result.rulebook


@st.composite
def distinct_leaf_conditions(draw: st.DrawFn) -> str:
    """A condition without ``case`` in which every leaf test reads its own tag."""
    order = draw(st.permutations([test for _, test, _, _ in LEAVES]))
    leaves = order[: draw(st.integers(2, len(order)))]

    def tree(tests: list[str]) -> str:
        if len(tests) == 1:
            return tests[0] if draw(st.integers(0, 3)) else f"not ({tests[0]})"
        k = draw(st.integers(2, min(3, len(tests))))
        cuts = sorted(draw(st.lists(st.integers(1, len(tests) - 1), min_size=k - 1,
                                    max_size=k - 1, unique=True)))
        groups = [tests[a:b] for a, b in zip([0, *cuts], [*cuts, len(tests)], strict=True)]
        items = [tree(g) for g in groups]
        shape = draw(st.sampled_from(["and", "or", "all", "any", "atleast", "not"]))
        if shape in ("and", "or"):
            return f" {shape} ".join(f"({i})" for i in items)
        if shape == "atleast":
            return f"at least {draw(st.integers(1, len(items)))} of [{', '.join(items)}]"
        if shape == "not":
            return f"not ({' and '.join(f'({i})' for i in items)})"
        return f"{'all of' if shape == 'all' else 'any of'} [{', '.join(items)}]"

    return tree(leaves)


@st.composite
def leaf_records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for tag, (yes, no) in VALUES.items():
        choice = draw(st.sampled_from(["yes", "no", "missing"]))
        if choice != "missing":
            record[tag] = yes if choice == "yes" else no
    return record


def atoms_under(node: dag.BoolNode) -> list[dag.Atom]:
    found: list[dag.Atom] = []

    def visit(n: dag.BoolNode) -> None:
        if dag.is_atom(n):
            if n not in found:
                found.append(n)  # type: ignore[arg-type]
            return
        for child in dag.children(n):
            visit(child)

    visit(node)
    return found


def tag_of(atom: dag.Atom) -> str:
    operand = atom.left if isinstance(atom, dag.Cmp) else atom.operand
    assert isinstance(operand, dag.VTag), atom
    return operand.name


def satisfying(book: Rulebook, atom: dag.Atom) -> Any:
    """The raw value of the atom's tag that makes the (possibly negated) atom true."""
    tag = tag_of(atom)
    for raw in VALUES[tag]:
        if book.evaluator({tag: raw}, AS_OF).atom(atom) is True:
            return raw
    raise AssertionError(f"no value makes {atom} true")


def forced(book: Rulebook, record: dict[str, Any], atoms: tuple[dag.Atom, ...]) -> dict[str, Any]:
    return {**record, **{tag_of(a): satisfying(book, a) for a in atoms}}


@SETTINGS
@given(cond=distinct_leaf_conditions(), record=leaf_records())
def test_the_gap_is_minimal_and_sufficient(cond: str, record: dict[str, Any]) -> None:
    book = single_policy(cond)
    root = book.dag.conditions["P"]
    explanation = book.explain(record, "P", as_of=AS_OF)
    ev = book.evaluator(record, AS_OF)
    open_atoms = [a for a in atoms_under(root) if ev.atom(a) is not True]
    gap = [book.dag.atoms[r.id] for r in explanation.gap]
    assert set(gap) <= set(open_atoms), "the gap holds only false or unknown atoms"
    assert len(set(gap)) == len(gap)
    # sufficient: making the gap's atoms true makes the condition true
    assert book.evaluate(forced(book, record, tuple(gap)), "P", as_of=AS_OF) is Verdict.ELIGIBLE
    # minimal: no smaller set of atoms does
    smallest = next(
        size for size in range(len(open_atoms) + 1)
        if any(book.evaluate(forced(book, record, combo), "P", as_of=AS_OF) is Verdict.ELIGIBLE
               for combo in itertools.combinations(open_atoms, size)))
    assert len(explanation.gap) == smallest, (cond, record, [r.text_zh for r in explanation.gap])
    if explanation.verdict is Verdict.ELIGIBLE:
        assert explanation.gap == [] and explanation.match_degree == 1.0


@SETTINGS
@given(cond=distinct_leaf_conditions(), record=leaf_records(), data=st.data())
def test_missing_names_the_tags_that_settle_the_verdict(
    cond: str, record: dict[str, Any], data: st.DataObject
) -> None:
    book = single_policy(cond)
    explanation = book.explain(record, "P", as_of=AS_OF)
    if explanation.verdict is not Verdict.UNKNOWN:
        assert explanation.missing == []
        return
    assert explanation.missing, "an unknown verdict names what to supply"
    assert len(set(explanation.missing)) == len(explanation.missing)
    for tag in explanation.missing:
        assert tag not in record
        assert tag in [TAG_OF[t] for t in TAG_OF if t in cond]
    # supplying every missing tag, with any values, settles the verdict
    supplied = {tag: data.draw(st.sampled_from(VALUES[tag]), label=tag)
                for tag in explanation.missing}
    assert book.evaluate({**record, **supplied}, "P", as_of=AS_OF) is not Verdict.UNKNOWN


# ---- missing tags: exactly those ----------------------------------------------------------

SPEC_TAGS = """\
tag 营业收入: money
tag 从业人数: count(人)
tag 资质: set["高新技术企业", "科技型中小企业"]
tag 纳税额: money
tag 应纳税所得额: money
tag 资产总额: money
tag 成立日期: date
"""


def spec_book(cond: str, defines: str = "") -> Rulebook:
    return single_policy(cond, SPEC_TAGS, defines)


def test_missing_tags_give_unknown_with_exactly_those_tags() -> None:
    book = spec_book('营业收入 >= 2000万 and 从业人数 <= 300 and 资质 has "高新技术企业"')
    e = book.explain({"营业收入": "3000万"}, "P", as_of=AS_OF)
    assert e.verdict is Verdict.UNKNOWN
    assert e.missing == ["从业人数", "资质"]
    e = book.explain({"营业收入": "3000万", "资质": []}, "P", as_of=AS_OF)
    assert e.verdict is Verdict.INELIGIBLE  # an empty set is known
    assert e.missing == []
    e = book.explain({}, "P", as_of=AS_OF)
    assert e.verdict is Verdict.UNKNOWN
    assert e.missing == ["营业收入", "从业人数", "资质"]


def test_a_false_conjunct_beside_a_missing_one_is_ineligible() -> None:
    book = spec_book("营业收入 >= 2000万 and 从业人数 <= 300")
    e = book.explain({"营业收入": "1000万"}, "P", as_of=AS_OF)
    assert e.verdict is Verdict.INELIGIBLE
    assert e.missing == []
    assert [r.subject for r in e.failed] == ["营业收入"]


def test_missing_reaches_through_defines_and_skips_settled_branches() -> None:
    defines = ("define 小型微利企业 = 应纳税所得额 <= 300万 and 从业人数 <= 300 "
               "and 资产总额 <= 5000万\n")
    book = spec_book("小型微利企业 or 营业收入 >= 2000万", defines)
    e = book.explain({"从业人数": 10, "营业收入": "1000万"}, "P", as_of=AS_OF)
    assert e.verdict is Verdict.UNKNOWN
    assert e.missing == ["应纳税所得额", "资产总额"]
    # a true disjunct settles it: nothing is missing
    e = book.explain({"营业收入": "3000万"}, "P", as_of=AS_OF)
    assert e.verdict is Verdict.ELIGIBLE
    assert e.missing == []


def test_a_computed_comparison_lists_each_missing_operand() -> None:
    book = spec_book("营业收入 / 从业人数 >= 10万")
    e = book.explain({}, "P", as_of=AS_OF)
    assert e.verdict is Verdict.UNKNOWN
    assert e.missing == ["营业收入", "从业人数"]
    e = book.explain({"从业人数": 10}, "P", as_of=AS_OF)
    assert e.missing == ["营业收入"]


# ---- JSON and rendering --------------------------------------------------------------------

RENDER_CONDITION = ('营业收入 >= 2000万 and 资质 has "高新技术企业" and 纳税额 > 0 '
                    "and 成立日期 <= today - 1年")
RENDER_RECORD = {"营业收入": "3200万", "资质": ["科技型中小企业"], "成立日期": "2020-01-01"}


def test_explanation_json_is_valid_and_round_trips() -> None:
    book = spec_book(RENDER_CONDITION)
    for record in (RENDER_RECORD, {}, {**RENDER_RECORD, "资质": ["高新技术企业"], "纳税额": 1},
                   {**RENDER_RECORD, "纳税额": "很多"}):
        e = book.explain(record, "P", as_of=AS_OF)
        text = e.to_json()
        data = json.loads(text)
        assert data["policy_id"] == "P"
        assert data["verdict"] == e.verdict.value
        assert Explanation.model_validate_json(text) == e
        assert Explanation.model_validate_json(e.model_dump_json()) == e


def test_render_zh_reads_as_check_cross_and_question_lines() -> None:
    # 纳税额 sits on the path the verdict waits for, so its line asks for it
    book = spec_book('营业收入 >= 2000万 and (资质 has "高新技术企业" or 纳税额 > 0) '
                     "and 成立日期 <= today - 1年")
    e = book.explain(RENDER_RECORD, "P", as_of=AS_OF)
    assert e.verdict is Verdict.UNKNOWN
    lines = [line.strip() for line in e.render("zh").splitlines()]
    assert lines[0] == "P 测试事项：待补充信息"
    assert "✓ 营业收入 3,200万元，达到2,000万元以上" in lines
    assert any(line.startswith("✗ 资质") and line.endswith("不含 高新技术企业")
               for line in lines), lines
    assert "? 纳税额 未知（需补充）" in lines
    assert any(line.startswith("✓ 成立日期 2020年1月1日") for line in lines), lines


def test_render_zh_of_an_ineligible_verdict() -> None:
    book = spec_book(RENDER_CONDITION)
    e = book.explain(RENDER_RECORD, "P", as_of=AS_OF)
    assert e.verdict is Verdict.INELIGIBLE
    lines = [line.strip() for line in e.render("zh").splitlines()]
    assert lines[0] == "P 测试事项：不符合"
    assert "✓ 营业收入 3,200万元，达到2,000万元以上" in lines
    assert "✗ 资质 科技型中小企业，不含 高新技术企业" in lines
    assert any(line.startswith("? 纳税额 未知") for line in lines), lines


def test_render_of_an_unknown_verdict_asks_for_the_missing_tags() -> None:
    book = spec_book(RENDER_CONDITION)
    e = book.explain({**RENDER_RECORD, "资质": ["高新技术企业"]}, "P", as_of=AS_OF)
    assert e.verdict is Verdict.UNKNOWN
    assert e.missing == ["纳税额"]
    text = e.render("zh")
    assert text.splitlines()[0] == "P 测试事项：待补充信息"
    assert "需补充：纳税额" in text


def test_inactive_explanations_have_no_tree() -> None:
    text = (f'{SPEC_TAGS}policy "P" {{\n 事项名称: "x"\n 适用时间: 2024-01-01 至 2024-06-30\n'
            " 申请条件: 营业收入 >= 2000万\n}\n")
    result = load_sources({"p.rule": text})
    assert result.rulebook is not None
    e = result.rulebook.explain({}, "P", as_of=AS_OF)
    assert e.verdict is Verdict.INACTIVE
    assert e.tree is None and e.missing == [] and e.gap == []
    assert Explanation.model_validate_json(e.to_json()) == e


class _Nested:
    """A ``TreeBuild`` of plain tuples: what a caller writing the tree its own way gets."""

    def group(self, kind: str, label: str, label_en: str, outcome: str, needed: bool,
              children: list[Any]) -> Any:
        return (kind, label, label_en, outcome, needed, tuple(children))

    def atom(self, report: Any, outcome: str, needed: bool) -> Any:
        return ("atom", report.subject, report.id, outcome, needed)


def _as_tuples(node: Any) -> Any:
    if node.kind == "atom":
        return ("atom", node.label, node.atom.id, node.outcome, node.needed)
    return (node.kind, node.label, node.label_en, node.outcome, node.needed,
            tuple(_as_tuples(c) for c in node.children))


@SETTINGS
@given(cond=distinct_leaf_conditions(), record=leaf_records())
def test_a_tree_of_other_nodes_says_what_the_model_tree_says(cond: str,
                                                             record: dict[str, Any]) -> None:
    book = single_policy(cond)
    root = book.dag.conditions["P"]
    explainer = Explainer(book.evaluator(record, AS_OF), book.atom_ids)
    assert explainer.tree_with(root, _Nested()) == _as_tuples(explainer.tree(root))
    bits, choice = explainer.gap_bits(root), explainer.gap(root)
    # the gap's atoms from its bits, and the degree from the sizes alone
    assert frozenset(explainer.atoms_of(bits.path)) == choice.path
    assert (bits.gap is None) == (choice.gap is None)
    if bits.gap is not None:
        assert frozenset(explainer.atoms_of(bits.gap)) == choice.gap
    size = None if bits.gap is None else bits.gap.bit_count()
    assert degree(size, bits.path.bit_count()) == match_degree(choice)
    if book.evaluate(record, "P", as_of=AS_OF) is Verdict.ELIGIBLE:
        assert bits.gap == 0  # the server answers an eligible item's gap without the walk
