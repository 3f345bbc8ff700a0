"""Bounded cost of the front end: no rule text makes loading quadratic, deep or unbounded.

Each test builds the hostile text in Python. Timings are generous bounds (the slow versions
took tens of seconds or never finished); the assertions on results are what matter most.
"""

from __future__ import annotations

import difflib
import random
import time

import networkx as nx

from policy_match.core.loading import LoadResult, load_sources
from policy_match.dsl import ir
from policy_match.dsl.cost_check import MAX_DEPTH, MAX_DIGITS, MAX_MAGNITUDE
from policy_match.dsl.dependency_check import check_relations
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.formatter import format_source
from policy_match.dsl.parser import parse
from policy_match.dsl.reporter import Reporter
from policy_match.dsl.span import Span
from policy_match.dsl.suggest import Suggester, closest
from policy_match.dsl.types import BOOL

TAGS = "tag a: number\ntag n: number\n"


def policy_on(cond: str, pid: str = "P") -> str:
    return f'policy "{pid}" {{\n    事项名称: "x"\n    申请条件: {cond}\n}}\n'


def codes(result: LoadResult) -> list[Code]:
    return [d.code for d in result.diagnostics]


# ---- 1. comments ------------------------------------------------------------------------


def test_many_comments_are_placed_in_linear_time_on_the_right_lines() -> None:
    lines = 100_000
    text = TAGS + "".join(f"# note {i}\n" if i % 2 else f"  # note {i}  \n" for i in range(lines))
    start = time.perf_counter()
    module = parse(text).module
    assert time.perf_counter() - start < 20  # was minutes: a newline count per comment
    assert len(module.comments) == lines
    last = module.comments[-1]
    assert (last.text, last.span.line, last.span.column) == (f"# note {lines - 1}", lines + 2, 1)
    even = module.comments[-2]
    assert (even.span.line, even.span.column) == (lines + 1, 3)


def test_formatting_many_comments_keeps_every_one_in_order() -> None:
    text = "tag a: number\n" + "".join(f"# c{i}\ndefine d{i} = a > {i}  # t{i}\n"
                                       for i in range(3000))
    start = time.perf_counter()
    out = format_source(text)
    assert time.perf_counter() - start < 20
    assert out is not None
    assert out.count("# c") == 3000 and out.count("# t") == 3000
    assert out.index("# c2999") < out.index("define d2999 = a > 2999  # t2999")
    assert format_source(out) == out


# ---- 2. did you mean ----------------------------------------------------------------------


def _closest_before(word: str, candidates: list[str]) -> list[str]:
    """The implementation this change replaced, kept as the reference."""
    pool = sorted(set(candidates))
    found = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not found and len(word) >= 2:
        found += [c for c in pool if (word in c or c in word) and len(c) >= 2]
    if not found:
        found += difflib.get_close_matches(word, pool, n=1, cutoff=0.45)
    return found[:1]


def test_suggestions_are_the_same_as_before() -> None:
    rng = random.Random(7)
    alphabet = "营业收入从业人数资产总额研发费用abcdexyz_12"
    names = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
             for _ in range(300)]
    for _ in range(400):
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
        assert closest(word, names) == _closest_before(word, names), word
    assert closest("营业收人", ["营业收入", "资产总额"]) == ["营业收入"]
    assert closest("收入", ["营业收入", "资产总额"]) == ["营业收入"]


def test_a_suggester_remembers_answers_and_stops_at_its_budget() -> None:
    suggester = Suggester(budget=5)
    names = ["营业收入", "资产总额", "从业人数"]
    assert suggester.did_you_mean("营业收人", names) == "did you mean 营业收入?"
    assert suggester.left == 2
    assert suggester.did_you_mean("营业收人", names) == "did you mean 营业收入?"  # remembered
    assert suggester.left == 2
    assert suggester.did_you_mean("资产总数", names) == ""  # over budget: no suggestion
    assert suggester.left == 0


def test_thousands_of_unknown_names_against_thousands_of_declared_ones() -> None:
    decl = "".join(f"tag declared{i}: number\n" for i in range(2000))
    uses = "".join(f"define d{i} = unknown{i} > 1\n" for i in range(2000))
    start = time.perf_counter()
    result = load_sources({"a.rule": decl + uses})
    assert time.perf_counter() - start < 20  # was 25 s and more
    assert codes(result).count(Code.NAME) == 2000
    typo = load_sources({"b.rule": decl + "define x = declared17x > 1\n"})
    assert typo.diagnostics[0].hint == "did you mean declared17?"


# ---- 3. 前置事项 ---------------------------------------------------------------------------


def _policy(pid: str, requires: tuple[str, ...] = (), excludes: tuple[str, ...] = ()) -> ir.Policy:
    return ir.Policy(id=pid, name=pid, eligible=ir.Const(True, BOOL), requires=requires,
                     excludes=excludes)


def _relations(policies: dict[str, ir.Policy]) -> list[str]:
    report = Reporter()
    spans = {pid: Span("x.rule", i, i, i + 1, 1, i + 1, 2) for i, pid in enumerate(policies)}
    check_relations(policies, spans, report)
    return sorted(d.message for d in report.diags)


def _relations_before(policies: dict[str, ir.Policy]) -> list[str]:
    """The per-item search this change replaced, as the reference for its messages."""
    graph = nx.DiGraph()
    graph.add_nodes_from(policies)
    graph.add_edges_from((p, o) for p, pol in policies.items() for o in pol.requires
                         if o in policies and o != p)
    out = []
    for pid, pol in policies.items():
        needed = nx.descendants(graph, pid) | {pid}
        out += [f'policy "{pid}" both requires and excludes "{o}"'
                for o in pol.excludes if o in needed]
        for other in needed - {pid}:
            for excluded in sorted(set(policies[other].excludes) & needed):
                out.append(f'policy "{pid}" requires "{other}", which excludes '
                           f'"{excluded}", also required')
    return sorted(out)


def test_requirement_clashes_match_a_search_from_every_item() -> None:
    rng = random.Random(3)
    for _ in range(60):
        ids = [f"P{i}" for i in range(rng.randint(2, 12))]
        policies = {
            pid: _policy(pid, tuple(rng.sample(ids, min(len(ids), rng.randint(0, 3)))),
                         tuple(rng.sample(ids, rng.randint(0, 2))))
            for pid in ids
        }
        got = [m for m in _relations(policies) if "cycle" not in m and "itself" not in m]
        assert got == _relations_before(policies)


def test_a_long_chain_of_requirements_is_checked_quickly() -> None:
    count = 3000
    policies = {f"P{i}": _policy(f"P{i}", (f"P{i - 1}",) if i else ()) for i in range(count)}
    policies["P0"] = _policy("P0", (), ("P1",))
    start = time.perf_counter()
    messages = _relations(policies)
    assert time.perf_counter() - start < 10  # was quadratic: one search per item
    # every item from P1 on needs P0 and P1 (itself, or through the chain); P0 excludes P1
    assert len(messages) == count - 1
    assert 'policy "P2999" requires "P0", which excludes "P1", also required' in messages


# ---- 4. ranges ----------------------------------------------------------------------------


def test_squaring_again_and_again_is_out_of_range_at_check_time() -> None:
    levels = 25
    text = (TAGS + "define v1 = n\n"
            + "".join(f"define v{i} = v{i - 1} * v{i - 1}\n" for i in range(2, levels + 1))
            + policy_on(f"v{levels} > 1"))
    start = time.perf_counter()
    result = load_sources({"a.rule": text})
    assert time.perf_counter() - start < 10
    assert result.rulebook is None
    assert codes(result) == [Code.RANGE]  # once, not again for every define after it
    d = result.diagnostics[0]
    assert d.span.line == 8  # v6 = v5 * v5: 30·2^5 digits over the budget
    assert str(MAX_DIGITS) in d.hint


def test_a_product_of_large_constants_is_out_of_range_not_an_overflow() -> None:
    big = "9" * 39
    product = " * ".join([big] * 8)
    result = load_sources({"a.rule": TAGS + policy_on(f"a * {product} > 1")})
    assert codes(result) == [Code.RANGE]
    assert f"10^{MAX_MAGNITUDE}" in result.diagnostics[0].hint


def test_ordinary_arithmetic_stays_in_range() -> None:
    text = ("tag 收入: money\ntag 上年收入: money\ntag 前年收入: money\ntag 比例: ratio\n"
            "define 增长 = (收入 - 上年收入) / 上年收入\n"
            "define 上年增长 = (上年收入 - 前年收入) / 前年收入\n"
            "define 平均 = (增长 + 上年增长) / 2\n"
            + policy_on("平均 * 收入 * 比例 >= 100万 and -收入 < 0"))
    result = load_sources({"a.rule": text})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]


# ---- 5. depth ----------------------------------------------------------------------------


def test_thousands_of_chained_defines_are_one_clean_cost_error() -> None:
    count = 5000
    text = (TAGS + "define x1 = a > 1\n"
            + "".join(f"define x{i} = x{i - 1} and a > {i}\n" for i in range(2, count + 1))
            + policy_on(f"x{count}"))
    result = load_sources({"a.rule": text})
    assert result.rulebook is None
    assert codes(result) == [Code.COST]
    assert str(MAX_DEPTH) in result.diagnostics[0].message
    assert format_source(text) is not None  # the formatter walks it too, without raising


def test_a_chain_within_the_depth_loads() -> None:
    count = 200
    text = (TAGS + "define x1 = a > 1\n"
            + "".join(f"define x{i} = x{i - 1} and a > {i}\n" for i in range(2, count + 1))
            + policy_on(f"x{count}"))
    result = load_sources({"a.rule": text})
    assert result.rulebook is not None, codes(result)


def test_deep_nesting_inside_one_expression_is_a_diagnostic() -> None:
    for text in (TAGS + "define x = " + "(" * 3000 + "a" + ")" * 3000 + " > 1\n",
                 TAGS + "define x = a" + " + a" * 5000 + " > 1\n",
                 TAGS + "define x = " + "not " * 3000 + "a > 1\n"):
        result = load_sources({"a.rule": text})
        assert result.rulebook is None
        assert codes(result) and set(codes(result)) <= {Code.SYNTAX, Code.COST}


# ---- 7. Trojan Source ---------------------------------------------------------------------


def test_bidi_controls_anywhere_are_warnings_at_their_place() -> None:
    text = (TAGS + 'define 规上 = a >= 1  # ok\u202e }x{ \u2066\n'
            + policy_on("a > 1").replace('"x"', '"x\u2069"'))
    result = load_sources({"a.rule": text})
    bidi = [d for d in result.diagnostics if d.code is Code.BIDI]
    lines = text.split("\n")
    assert [(d.span.line, d.span.column) for d in bidi] == [
        (3, lines[2].index("\u202e") + 1), (5, lines[4].index("\u2069") + 1)]
    assert "U+2066" in bidi[0].message  # one warning for the line, naming all its marks
    assert all(not d.is_error for d in bidi)
    assert "U+202E" in bidi[0].message and bidi[0].hint
    assert result.rulebook is not None  # a warning: the rulebook still loads
    assert format_source(text) is not None


def test_names_that_look_alike_are_warnings() -> None:
    text = ("tag revenue: money\ntag r\u0435venue: money\n"  # Cyrillic е
            "tag \uff52\uff45\uff56\uff45\uff4e\uff55\uff45: money\n"  # full-width
            "tag 营业收入: money\ntag 营业收入2: money\ntag ハ号: number\ntag 八号: number\n")
    result = load_sources({"a.rule": text})
    confusable = [d for d in result.diagnostics if d.code is Code.CONFUSABLE]
    assert [d.span.line for d in confusable] == [2, 3, 7]
    assert all(d.related[0].span.line in (1, 6) for d in confusable)
    assert "U+0435" in confusable[0].hint
    assert result.rulebook is not None
