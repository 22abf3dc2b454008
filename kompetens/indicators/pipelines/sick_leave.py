"""Sick leave: sick hours over scheduled hours, per month, calendar year and rolling 12 months.

Grain: level x scope x breakdown (school form) x period. Units: hours. sick_leave_rate =
sick hours / scheduled hours; long_sick_leave_share = long sick hours / sick hours, of
the units that report long sick leave. n_individuals = the scope's average headcount over
the period's staff snapshots in which it had staff (0 without any, which suppresses the
figure): a unit opened in a rolling window's last month rests on that month's staff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from kompetens.indicators.pipelines.block import Block
from kompetens.indicators.pipelines.grain import (
    KEYS,
    breakdown_in,
    expand_levels,
    finish,
    ratio,
    with_unit_attrs,
)
from kompetens.indicators.pipelines.periods import (
    Grid,
    flow_periods,
    flow_span,
    month_label,
    month_of,
    month_periods,
)
from kompetens.indicators.pipelines.prepared import head_flows, headcount_behind

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.inputs import Inputs


def _headcount_periods(
    staff_roll: pl.DataFrame, heads: pl.DataFrame, breakdowns: list[str]
) -> pl.LazyFrame:
    """Headcount behind each period (month, year, rolling) of some breakdowns (``avg``).

    A month's headcount; a year's or rolling window's average over the months the scope had
    staff (``headcount_behind``). ``heads`` is ``head_flows(staff_roll, grid)``.
    """
    wanted = breakdown_in(breakdowns)
    # Every month and breakdown (not only the staff data's latest month): the figures
    # these averages go with may end in another month, e.g. sick leave a month behind.
    months = (
        staff_roll.lazy()
        .filter(wanted)
        .select(
            *KEYS,
            pl.lit("month").alias("period_type"),
            month_label(pl.col("m")).alias("period"),
            pl.col("all_p").cast(pl.Float64).alias("avg"),
        )
    )
    flows = (
        heads.lazy()
        .filter(wanted)
        .select([*KEYS, "period_type", "period", headcount_behind(pl.col("all_p")).alias("avg")])
    )
    return pl.concat([months, flows])


def sick_leave_indicators(
    sick: pl.DataFrame,
    units: pl.DataFrame,
    staff_roll: pl.DataFrame | None,
    grid: Grid,
    heads: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """sick_leave_rate and long_sick_leave_share per month, year and rolling 12 months.

    n_individuals = the average headcount of the scope over the period's
    snapshots with staff (0 when there are none, which suppresses the figure). ``heads``:
    ``head_flows(staff_roll, grid)`` when the caller already has it.
    """
    if sick.is_empty():
        return {}
    lf = with_unit_attrs(
        sick.lazy().with_columns(month_of(pl.col("month")).alias("m")), units
    ).with_columns(
        pl.when(pl.col("long_sick_hours").is_not_null())
        .then(pl.col("sick_hours"))
        .otherwise(0.0)
        .alias("sick_known"),
        pl.col("long_sick_hours").fill_null(0.0),
    )
    sums = ["scheduled_hours", "sick_hours", "long_sick_hours", "sick_known"]
    monthly = (
        expand_levels(lf, ("school_form",)).group_by([*KEYS, "m"]).agg(pl.col(sums).sum()).collect()
    )
    span = flow_span(grid, monthly["m"])
    periods = pl.concat(
        [
            month_periods(monthly).drop("m"),
            flow_periods(monthly, sums, grid, span=span).drop("months"),
        ],
        how="vertical_relaxed",
    )
    if staff_roll is not None and staff_roll.height:
        if heads is None:
            heads = head_flows(staff_roll, grid)
        averages = _headcount_periods(staff_roll, heads, ["all", "school_form"])
        periods = periods.join(averages, on=[*KEYS, "period_type", "period"], how="left")
    else:
        periods = periods.with_columns(pl.lit(None, dtype=pl.Float64).alias("avg"))
    periods = periods.collect().lazy()  # read by both indicators: run the plan once
    n = pl.col("avg").fill_null(0).floor()
    return {
        "sick_leave_rate": finish(
            ratio(periods, "sick_hours", "scheduled_hours", n), "sick_leave_rate"
        ),
        "long_sick_leave_share": finish(
            ratio(periods, "long_sick_hours", "sick_known", n), "long_sick_leave_share"
        ),
    }


def sick_leave_block(inputs: Inputs) -> dict[str, pl.DataFrame]:
    """sick_leave_rate and long_sick_leave_share, with the staff's average headcounts."""
    return sick_leave_indicators(
        inputs.frame("sick_leave"), inputs.units, inputs.roll, inputs.grid, inputs.heads
    )


BLOCK = Block(
    "sick_leave", frozenset({"units", "staff", "sick_leave"}), sick_leave_block, "sjukfrånvaro"
)
