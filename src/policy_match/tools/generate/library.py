"""The whole library: every column in the order its random draws are taken.

The order of the steps below is the order of the draws from the seeded stream, so it is part
of the output: moving a step changes every later column for the same seed (and the bundled
``data/enterprises-2000.csv`` is ``generate --n 2000 --seed 0``). The tags added to
``rules/tags.rule`` after the first version draw from a second stream (``[seed, 2]``), so the
earlier columns keep their values for a given seed (所获荣誉 only gains the honours that the
later policies ask about); dirty values draw from a third (``[seed, 1]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from policy_match.tools.generate import identities, money, qualifications, trade, workforce
from policy_match.tools.generate.columns import COLUMNS
from policy_match.tools.generate.draws import Draws
from policy_match.tools.generate.faults import Fault, inject_faults
from policy_match.tools.generate.industries import draw_industry

if TYPE_CHECKING:
    import pyarrow as pa


def generate_columns(n: int, seed: int = 0) -> dict[str, pa.Array]:
    """A clean library of ``n`` enterprises as arrow arrays, one per tag (null = missing)."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:  # the types of the columns come from drawing one row
        return {k: v.slice(0, 0) for k, v in generate_columns(1, seed).items()}
    rng = np.random.default_rng(seed)
    cols: dict[str, pa.Array] = {}
    industry = draw_industry(rng, n, cols)
    place = identities.draw_place(rng, n, cols)
    founding = identities.draw_founding(rng, n, cols)
    scale = money.draw_scale(rng, industry, cols)
    growth = money.draw_growth(rng, scale, founding, cols)
    research = money.draw_research(rng, industry, scale, cols)
    recognition = qualifications.draw_recognition(rng, industry, scale, research, cols)
    trade.draw_above_scale_industry(rng, industry, scale, founding, cols)
    taxes = money.draw_taxes(rng, scale, cols)
    qualifications.draw_honours(rng, scale, cols)
    qualifications.draw_credit_record(rng, n, cols)
    workforce.draw_employment(rng, scale, cols)
    trade.draw_above_quota_trade(rng, industry, scale, founding, cols)
    qualifications.draw_granted_patents(rng, research, recognition, cols)
    money.draw_equipment(rng, industry, cols)
    money.draw_tax_regime(rng, scale, taxes, cols)
    workforce.draw_hiring(rng, scale, research, cols)
    money.draw_loans(rng, founding, cols)
    entity = identities.draw_identity(rng, industry, place, founding, cols)
    _later_columns(np.random.default_rng([seed, 2]), cols, Draws(
        industry=industry, place=place, founding=founding, scale=scale, growth=growth,
        research=research, recognition=recognition, margin=taxes.margin, entity=entity))
    return {name: cols[name] for name in COLUMNS}


def _later_columns(rng: np.random.Generator, cols: dict[str, pa.Array], d: Draws) -> None:
    """The columns of the tags added to ``rules/tags.rule`` later, into ``cols``."""
    money.draw_costs(rng, d, cols)
    qualifications.draw_science_staff(rng, d, cols)
    ip = qualifications.draw_property(rng, d, cols)
    qualifications.draw_hitech_share(rng, d, cols)
    qualifications.draw_scores(rng, d, ip, cols)
    money.draw_three_year_equity(rng, d, cols)
    money.draw_digital(rng, d, cols)
    first = qualifications.draw_first_of_kind(rng, d, cols)
    workforce.draw_disability_levy(rng, d, cols)
    workforce.draw_keeper(rng, d, cols)
    money.draw_sole_trader_taxes(rng, d, cols)
    trade.draw_online_retail(rng, d, cols)
    trade.draw_exports(rng, d, cols)
    trade.draw_first_stores(rng, d, cols)
    trade.draw_night_trade(rng, d, cols)
    workforce.draw_trainees(rng, d, cols)
    money.draw_backed_loans(rng, d, ip, cols)
    qualifications.draw_later_honours(rng, d, ip, first, cols)


@overload
def generate_table(n: int, seed: int = ..., dirty: bool = ...,
                   faults: Literal[False] = ...) -> pa.Table: ...
@overload
def generate_table(n: int, seed: int = ..., dirty: bool = ..., *,
                   faults: Literal[True]) -> tuple[pa.Table, list[Fault]]: ...
@overload
def generate_table(n: int, seed: int, dirty: bool,
                   faults: Literal[True]) -> tuple[pa.Table, list[Fault]]: ...
@overload
def generate_table(n: int, seed: int = ..., dirty: bool = ...,
                   faults: bool = ...) -> pa.Table | tuple[pa.Table, list[Fault]]: ...


def generate_table(n: int, seed: int = 0, dirty: bool = False,
                   faults: bool = False) -> pa.Table | tuple[pa.Table, list[Fault]]:
    """The library as a ``pyarrow.Table`` (fast for a million rows).

    Money and counts are int64, ratios and scores float64, everything else strings; a
    column holding a deliberately bad value (``dirty``) is all strings. With ``faults=True``
    returns ``(table, [Fault, ...])``: every bad cell, in row order.
    """
    import pyarrow as pa

    cols = generate_columns(n, seed)
    found: list[Fault] = []
    if dirty:
        cols, found = inject_faults(np.random.default_rng([seed, 1]), cols)
    table = pa.table(cols)
    return (table, found) if faults else table


def generate(n: int, seed: int = 0, dirty: bool = False) -> list[dict[str, Any]]:
    """``n`` enterprises as records (``None`` for a missing value); the same data as
    :func:`generate_table`. For large ``n`` prefer the table."""
    records: list[dict[str, Any]] = generate_table(n, seed, dirty).to_pylist()
    return records
