"""A whole rulebook as one SQL query: ``(enterprise_id, policy_id, verdict)`` rows.

Shape (each step a common table expression, each a plain ``SELECT`` over the one before)::

    layer 1..k   SELECT *, <defines whose inputs are ready> FROM <table>      (once per row)
    atoms        SELECT *, <each atom two or more items test> FROM <last layer>
    rows         one row per (enterprise, policy): the verdict word         (dialects.rows)
    SELECT enterprise_id, policy_id, verdict FROM rows WHERE verdict IN (<wanted>)

A define, and an atom shared by several items, is computed once per row as a column and
read by every item that uses it (as the columnar engine shares its bitsets); each item's
verdict is ``CASE <condition> WHEN TRUE … WHEN FALSE … ELSE 'unknown'``, written straight
into the row-per-item step, so a SELECT never lists more than a few columns per item
(PostgreSQL stops at 1,664). An item outside its validity window on ``as_of`` is
``inactive`` for every enterprise, known before the query runs. Verdicts are
``pm.Verdict`` values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlglot import exp

from policy_match.base.messages import CatalogueError
from policy_match.dsl import ir
from policy_match.dsl.types import Type
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import dag
from policy_match.engine.sql.compile import SqlCompiler
from policy_match.engine.sql.dialects import Dialect
from policy_match.engine.sql.values import Lit, Num, Plain, Span, SqlValue

Verdict = ir.Verdict
COLUMN_BUDGET = 1200
"""Columns an inner SELECT may carry (tags, define columns, shared atoms): PostgreSQL allows
1,664 entries in a SELECT list and 1,600 columns in a table; atoms beyond the budget are
written where they are used instead."""
DEFAULT_KEY = "enterprise_id"
"""The id column when the rulebook declares no ``key`` tag."""


@dataclass(frozen=True)
class Book:
    """What the query needs of a rulebook (``core`` hands it over; no ``Rulebook`` here)."""

    graph: dag.Dag
    vocabulary: Vocabulary
    tags: Mapping[str, ir.TagSpec]
    key: str | None
    policies: Mapping[str, ir.Policy]


def table_ref(name: str) -> exp.Table:
    """``schema.table`` (or ``table``), every part quoted: any name is only a name."""
    parts = name.split(".")
    ident = [exp.to_identifier(p, quoted=True) for p in parts]
    if len(ident) == 1:
        return exp.Table(this=ident[0])
    if len(ident) == 2:
        return exp.Table(this=ident[1], db=ident[0])
    return exp.Table(this=ident[-1], db=ident[-2], catalog=ident[-3])


def _ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _define_refs(node: object, defines: Mapping[str, object]) -> set[str]:
    """The defines a node reads directly (not through another define)."""
    found: set[str] = set()
    seen: set[int] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dag.VDefine | dag.Named):
            found.add(item.name)
            continue
        stack.extend(dag.successors(item, defines))
    return found


def _layers(graph: dag.Dag, roots: Iterable[dag.BoolNode]) -> list[list[str]]:
    """The defines the roots need, grouped so each group reads only earlier groups."""
    needed: dict[str, set[str]] = {}
    todo = sorted(set().union(*(_define_refs(r, graph.defines) for r in roots)))
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        node = graph.defines[name]
        body = node.body if isinstance(node, dag.Named) else node
        needed[name] = _define_refs(body, graph.defines) - {name}
        todo.extend(needed[name] - set(needed))
    depth: dict[str, int] = {}
    for name in _topological(needed):
        depth[name] = 1 + max((depth[d] for d in needed[name]), default=0)
    layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=0))]
    for name in needed:
        layers[depth[name] - 1].append(name)
    return layers


def _shared_atoms(graph: dag.Dag, roots: Iterable[dag.BoolNode]) -> list[dag.Atom]:
    """Atoms that two or more of the roots read (not through a define, whose value is a
    column already): each becomes a column, computed once per row."""
    uses: dict[int, int] = {}
    atoms: dict[int, dag.Atom] = {}
    for root in roots:
        seen: set[int] = set()
        stack: list[object] = [root]
        while stack:
            item = stack.pop()
            if id(item) in seen or isinstance(item, dag.Named | dag.VDefine):
                continue
            seen.add(id(item))
            if dag.is_atom(item):
                atoms[id(item)] = item  # type: ignore[assignment]
                uses[id(item)] = uses.get(id(item), 0) + 1
                continue
            stack.extend(dag.successors(item, graph.defines))
    shared = [key for key, count in uses.items() if count >= 2]
    shared.sort(key=lambda key: -uses[key])  # the most used first, should a budget cut it
    return [atoms[key] for key in shared]


def _topological(needed: Mapping[str, set[str]]) -> list[str]:
    order: list[str] = []
    done: set[str] = set()
    for start in sorted(needed):
        stack: list[tuple[str, bool]] = [(start, False)]
        while stack:
            name, expanded = stack.pop()
            if name in done:
                continue
            if expanded:
                done.add(name)
                order.append(name)
                continue
            stack.append((name, True))
            stack.extend((d, False) for d in sorted(needed[name]) if d not in done)
    return order


def _materialize(prefix: str, value: SqlValue,
                 into: list[exp.Expr]) -> SqlValue:
    """Columns of an inner SELECT holding ``value``; what reads it from the outer one."""
    if isinstance(value, Lit):
        return value
    if isinstance(value, Num):
        into.append(exp.alias_(value.n, _ident(prefix + "n")))
        if value.d is None:
            return Num(_col(prefix + "n"))
        into.append(exp.alias_(value.d, _ident(prefix + "d")))
        return Num(_col(prefix + "n"), _col(prefix + "d"))
    if isinstance(value, Span):
        into.append(exp.alias_(value.start, _ident(prefix + "s")))
        into.append(exp.alias_(value.end, _ident(prefix + "e")))
        return Span(_col(prefix + "s"), _col(prefix + "e"))
    into.append(exp.alias_(value.expr, _ident(prefix + "v")))
    return Plain(value.kind, _col(prefix + "v"))


def _verdict_word(condition: exp.Expr) -> exp.Expr:
    """``CASE <condition> WHEN TRUE … WHEN FALSE … ELSE 'unknown'``: the condition is
    evaluated once (a searched CASE would test it twice)."""
    operand = condition if isinstance(condition, exp.Column) else exp.Paren(this=condition)
    return exp.Case(this=operand, ifs=[
        exp.If(this=exp.true(), true=exp.Literal.string(Verdict.ELIGIBLE.value)),
        exp.If(this=exp.false(), true=exp.Literal.string(Verdict.INELIGIBLE.value))],
        default=exp.Literal.string(Verdict.UNKNOWN.value))


class UnknownVerdict(CatalogueError):
    """A verdict asked for that is none of ``pm.Verdict``'s; ``str()`` is the English text,
    ``text(lang)`` the message in another language."""

    def __init__(self, value: object) -> None:
        super().__init__("sql.unknown_verdict", value=value,
                         known=", ".join(v.value for v in Verdict))


def wanted_verdicts(verdicts: Iterable[str | Verdict]) -> tuple[Verdict, ...]:
    """The verdicts asked for, each once, in the order given; an unknown one is refused."""
    return tuple(dict.fromkeys(_verdict(v) for v in verdicts))


def _verdict(value: str | Verdict) -> Verdict:
    try:
        return Verdict(value)
    except ValueError:
        raise UnknownVerdict(value) from None


# long: the query is built in one place, step by step, each step a few lines
def build_query(book: Book, dialect: Dialect, table: str, as_of: dt.date,
                verdicts: Sequence[Verdict]) -> exp.Expr:
    key = book.key or DEFAULT_KEY
    active = {pid: p.active_on(as_of) for pid, p in book.policies.items()}
    wanted = set(verdicts)
    shown = [pid for pid, on in active.items()
             if (on and wanted - {Verdict.INACTIVE}) or (not on and Verdict.INACTIVE in wanted)]
    evaluated = [pid for pid in shown if active[pid]]
    types: dict[str, Type] = {name: tag.type for name, tag in book.tags.items()}
    compiler = SqlCompiler(book.graph, book.vocabulary, dialect, as_of, types)
    roots = [book.graph.conditions[pid] for pid in evaluated]
    ctes: list[tuple[str, exp.Select]] = []
    source: exp.Expr = table_ref(table)
    for depth, names in enumerate(_layers(book.graph, roots)):
        columns: list[exp.Expr] = [exp.Star()]
        for name in sorted(names):
            node = book.graph.defines[name]
            value: SqlValue = Plain("bool", compiler.truth(node.body)) \
                if isinstance(node, dag.Named) else compiler.value(node)  # type: ignore[arg-type]
            prefix = f"__pm_d{len(compiler.columns)}_"
            compiler.columns[name] = _materialize(prefix, value, columns)
        step = f"__pm_layer{depth + 1}"
        ctes.append((step, exp.select(*columns, copy=False).from_(source, copy=False)))
        source = exp.Table(this=_ident(step))
    budget = COLUMN_BUDGET - len(book.tags) - sum(
        2 if isinstance(v, Num | Span) else 1 for v in compiler.columns.values())
    shared = _shared_atoms(book.graph, roots)[:max(budget, 0)]
    if shared:
        columns = [exp.Star()]
        for j, atom in enumerate(shared):
            columns.append(exp.alias_(compiler.truth(atom), _ident(f"__pm_a{j}")))
        ctes.append(("__pm_atoms", exp.select(*columns, copy=False).from_(source, copy=False)))
        source = exp.Table(this=_ident("__pm_atoms"))
        for j, atom in enumerate(shared):
            compiler.pin(atom, _col(f"__pm_a{j}"))
    verdict_of = [_verdict_word(compiler.truth(book.graph.conditions[pid])) if active[pid]
                  else exp.Literal.string(Verdict.INACTIVE.value) for pid in shown]
    if not shown:
        rows = exp.select(exp.alias_(_col(key), "enterprise_id"),
                          exp.alias_(exp.Literal.string(""), "policy_id"),
                          exp.alias_(exp.Literal.string(""), "verdict"), copy=False) \
            .from_(source, copy=False).where(exp.false())
    else:  # three columns, however many items (PostgreSQL allows 1,664 per SELECT)
        rows = exp.select(*dialect.rows(_col(key), shown, verdict_of),
                          copy=False).from_(source, copy=False)
    ctes.append(("__pm_rows", rows))
    final = exp.select(_col("enterprise_id"), _col("policy_id"), _col("verdict"), copy=False) \
        .from_(exp.Table(this=_ident("__pm_rows")), copy=False)
    if not wanted:
        final = final.where(exp.false(), copy=False)
    elif set(Verdict) - wanted:
        final = final.where(exp.In(this=_col("verdict"),
                                   expressions=[exp.Literal.string(v.value) for v in verdicts]),
                            copy=False)
    for name, body in ctes:
        final = final.with_(_ident(name), as_=body, copy=False)
    return final


def to_sql(book: Book, dialect: Dialect, table: str, as_of: dt.date,
           verdicts: Iterable[str | Verdict]) -> str:
    query = build_query(book, dialect, table, as_of, wanted_verdicts(verdicts))
    return query.sql(dialect=dialect.sqlglot, pretty=False)
