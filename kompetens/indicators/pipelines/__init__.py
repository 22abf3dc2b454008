"""Polars pipelines: contract frames in, key-figure rows out.

Every public function here is a pure function of Polars frames (no database,
no files). The output grain is the key-figure grain:
one row per indicator x level (unit | area | org) x scope x period type
(month | year | rolling_12m) x period x breakdown, with numerator,
denominator, value and n_individuals (see ``KEY_FIGURE_SCHEMA``).

The modules, by grain and block: ``grain`` (levels, scopes, breakdowns, finished
rows), ``periods`` (month index, snapshot grid, years, rolling windows),
``persons`` (the person-month grain of the snapshots and its roll-up), ``staff``
(stocks), ``events`` (hires, exits, turnover), ``redundancy``, ``recruitment``,
``placements``, ``survey``, ``sick_leave``, ``development``, ``subjects`` (teaching
assignments: qualification per subject), ``paths`` (certification paths) and ``gap``
(certification_gap_fte, which the engine derives from the shares and targets).
Each block module declares its ``BLOCK`` (``block.Block``: name, the import kinds
it reads, its compute function); ``BLOCKS`` (block -> indicators) is derived from
the registry's ``Indicator.block``, and the engine derives from ``ALL_BLOCKS``
which blocks an import of each kind must redo.

How the work is organised (and why it is fast):

* Months are integers ``m = year * 12 + month - 1`` until the very end; labels
  (``2025-10``, ``2025``) are only made on the small result frames.
* The staff snapshots (the only large input: employees x units x months) are
  grouped **once** to the unit x staff category x month grain, computing every
  stock measure in the same pass (``staff_rollup``). Area and organisation
  values are sums of an area x breakdown grain made from those unit rows;
  people are de-duplicated across units only for the few person-months that
  sit in two or more units (the ``multi`` rows, found by counting one folded
  integer key), so "an employee in two units counts once" costs next to nothing.
* Flows (events, recruitments, development, …) are small; single events are
  added up per unit grain before they are repeated per level, and only a
  person's events on one date in two units are de-duplicated per scope. Monthly
  values are summed to calendar years, and to rolling 12-month windows from
  running totals per key (``rolling_sums``), so each row is read once rather
  than once per window.
* Work several indicators need is done once and passed on: the headcount
  periods (``head_flows``) feed turnover and sick leave; the event counts
  (``event_count_periods``) feed hires, retirements and turnover.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl

from kompetens.indicators.pipelines import (
    development,
    events,
    gap,
    paths,
    placements,
    recruitment,
    redundancy,
    sick_leave,
    staff,
    subjects,
    survey,
)
from kompetens.indicators.pipelines.block import Block
from kompetens.indicators.pipelines.events import (
    event_count_periods,
    person_event_counts,
    turnover_figures,
)
from kompetens.indicators.pipelines.gap import certification_gap
from kompetens.indicators.pipelines.grain import (
    KEYS,
    Settings,
    empty_kf,
    expand_levels,
    prepare_units,
    with_unit_attrs,
)
from kompetens.indicators.pipelines.inputs import Inputs
from kompetens.indicators.pipelines.periods import Grid, grid_of, month_of, rolling_sums
from kompetens.indicators.pipelines.persons import person_rollup, snapshot_base
from kompetens.indicators.pipelines.prepared import (
    STAFF_SUMS,
    STAFF_UNIT_CONDITIONS,
    head_flows,
    prepare_events,
    staff_measures,
    staff_rollup,
)
from kompetens.indicators.pipelines.sick_leave import sick_leave_indicators
from kompetens.indicators.pipelines.staff import stock_indicators, stock_share
from kompetens.indicators.registry import engine_indicators

#: Every compute block, in the order ``compute`` runs them.
ALL_BLOCKS: tuple[Block, ...] = (
    staff.BLOCK,
    events.BLOCK,
    redundancy.BLOCK,
    recruitment.BLOCK,
    placements.BLOCK,
    survey.BLOCK,
    sick_leave.BLOCK,
    development.BLOCK,
    subjects.BLOCK,
    paths.BLOCK,
    gap.BLOCK,
)


def _indicators_by_block(blocks: Iterable[Block]) -> dict[str, tuple[str, ...]]:
    """Block name -> the ids of the indicators the registry places in it (registry order)."""
    names = [b.name for b in blocks]
    placed = {ind.id: ind.block for ind in engine_indicators()}
    unknown = {i: b for i, b in placed.items() if b not in names}
    if unknown:
        raise ValueError(f"indicators in no declared compute block: {unknown}")
    return {name: tuple(i for i, b in placed.items() if b == name) for name in names}


#: Which compute block produces which indicators (the engine recomputes whole blocks).
BLOCKS: dict[str, tuple[str, ...]] = _indicators_by_block(ALL_BLOCKS)


def compute(
    frames: dict[str, pl.DataFrame],
    settings: Settings | None = None,
    blocks: Iterable[str] | None = None,
    progress: Callable[[float, str], None] | None = None,
    grid: Grid | None = None,
) -> dict[str, pl.DataFrame]:
    """Key figures of the requested blocks (default all), one frame per indicator id.

    ``frames`` holds the current rows of each contract kind (``store.read_current``
    shape; ``employee_id`` may be any hashable type). Targets are not used here:
    ``certification_gap_fte`` is derived by the engine from the shares and the
    resolved targets. What several blocks need (the snapshot roll-up, the prepared
    events) is made once, by the first block that asks for it (``Inputs``). ``grid``: the
    staff months of all the data when ``frames`` hold only the later rows (``incremental``).
    """
    wanted = set(BLOCKS) if blocks is None else set(blocks)
    step = progress or (lambda fraction, message: None)
    inputs = Inputs(frames, settings or Settings(), grid)
    todo = [b for b in ALL_BLOCKS if b.name in wanted and b.compute is not None]
    out: dict[str, pl.DataFrame] = {}
    for done, block in enumerate(todo):
        step(done / len(todo), block.label)
        out.update(block.compute(inputs))
    return out


#: What the engine, the benchmarks and the tests use; the rest lives in the modules.
__all__ = [
    "ALL_BLOCKS",
    "BLOCKS",
    "Block",
    "Inputs",
    "KEYS",
    "STAFF_SUMS",
    "STAFF_UNIT_CONDITIONS",
    "Grid",
    "Settings",
    "certification_gap",
    "compute",
    "empty_kf",
    "event_count_periods",
    "expand_levels",
    "grid_of",
    "head_flows",
    "month_of",
    "person_event_counts",
    "person_rollup",
    "prepare_events",
    "prepare_units",
    "rolling_sums",
    "sick_leave_indicators",
    "snapshot_base",
    "staff_measures",
    "staff_rollup",
    "stock_indicators",
    "stock_share",
    "turnover_figures",
    "with_unit_attrs",
]
