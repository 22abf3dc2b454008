"""Competence development and onboarding.

development_hours_per_fte: hours of development activities / average FTE over the period
(complete calendar years and rolling 12 months; by school form); n_individuals the average
headcount over the period's months with staff. An activity without a
unit goes to the unit where the person had most FTE that month.
onboarding_completion: the share of hires (people) with an onboarding activity within 90
days of the hire, of the hires whose 90 days ended by the last staff snapshot month; per
year and rolling 12 months, by staff category and school form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from kompetens.indicators.pipelines.block import Block
from kompetens.indicators.pipelines.events import person_event_counts
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
    complete_years,
    flow_periods,
    month_of,
)
from kompetens.indicators.pipelines.prepared import headcount_behind, staffed_months

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.inputs import Inputs


def development_indicators(
    development: pl.DataFrame,
    ev: pl.DataFrame,
    units: pl.DataFrame,
    base: pl.LazyFrame | None,
    staff_roll: pl.DataFrame | None,
    grid: Grid,
) -> dict[str, pl.DataFrame]:
    """development_hours_per_fte and onboarding_completion."""
    out: dict[str, pl.DataFrame] = {}
    if development.is_empty() or base is None or staff_roll is None or not staff_roll.height:
        return out
    dev = development.lazy().with_columns(month_of(pl.col("activity_date")).alias("m"))
    # An activity without a unit goes to the unit where the person had most FTE that month.
    missing = dev.filter(pl.col("unit_id").is_null()).select("employee_id", "m").unique()
    home = (
        base.select("employee_id", "m", pl.col("unit_id").alias("_home"), "fte")
        .join(missing, on=["employee_id", "m"], how="semi")
        .sort("fte", descending=True)
        .unique(["employee_id", "m"], keep="first")
        .drop("fte")
    )
    dev = (
        dev.join(home, on=["employee_id", "m"], how="left")
        .with_columns(pl.col("unit_id").fill_null(pl.col("_home")))
        .drop("_home")
        .filter(pl.col("unit_id").is_not_null())
        # hours are additive: sum per unit and month before the level expansion
        .group_by("unit_id", "m")
        .agg(pl.col("hours").sum())
    )
    dev = with_unit_attrs(dev, units)
    hours = (
        expand_levels(dev, ("school_form",))
        .group_by([*KEYS, "m"])
        .agg(pl.col("hours").sum())
        .collect()
    )
    fte = staff_roll.filter(breakdown_in(["all", "school_form"])).select(
        [*KEYS, "m", "fte_all", "all_p"]
    )
    monthly = (
        fte.join(hours, on=[*KEYS, "m"], how="full", coalesce=True)
        .with_columns(pl.col("fte_all", "hours").fill_null(0.0), pl.col("all_p").fill_null(0))
        .with_columns(staffed_months(pl.col("all_p")))
    )
    periods = (
        flow_periods(monthly, ["hours", "fte_all", "all_p", "staffed"], grid)
        .filter(complete_years(grid) & (pl.col("months") > 0))
        .with_columns(
            (pl.col("fte_all") / pl.col("months")).alias("avg_fte"),
            headcount_behind(pl.col("all_p")).alias("avg_n"),
        )
    )
    out["development_hours_per_fte"] = finish(
        ratio(periods, "hours", "avg_fte", pl.col("avg_n")), "development_hours_per_fte"
    )

    hires = ev.filter(pl.col("event_type") == "hire")
    if hires.height and grid.months:
        horizon_m = grid.last
        onboard = (
            development.lazy()
            .filter(pl.col("activity_type") == "onboarding")
            .select("employee_id", pl.col("activity_date").alias("_act"))
        )
        done = (
            hires.lazy()
            .select("employee_id", "event_date")
            .unique()
            .join(onboard, on="employee_id", how="inner")
            .filter(((pl.col("_act") - pl.col("event_date")).dt.total_days()).is_between(0, 90))
            .select("employee_id", "event_date")
            .unique()
            .with_columns(pl.lit(True).alias("_done"))
        )
        # The 90-day window must have ended by the last day of the latest snapshot month.
        last_day = pl.date(horizon_m // 12, horizon_m % 12 + 1, 1).dt.month_end()
        hires_flag = (
            hires.lazy()
            .join(done, on=["employee_id", "event_date"], how="left")
            .with_columns(
                pl.col("_done").fill_null(False),
                (pl.col("event_date") + pl.duration(days=90) <= last_day).alias("_due"),
            )
        )
        counts = person_event_counts(
            hires_flag,
            {"due": pl.col("_due"), "done": pl.col("_due") & pl.col("_done")},
            ("staff_category", "school_form"),
        )
        periods = flow_periods(counts, ["due", "done"], grid).filter(pl.col("due") > 0)
        out["onboarding_completion"] = finish(
            ratio(periods, "done", "due", pl.col("due")), "onboarding_completion"
        )
    return out


def development_block(inputs: Inputs) -> dict[str, pl.DataFrame]:
    """development_hours_per_fte and onboarding_completion (hires come from the events)."""
    ev = inputs.events
    return development_indicators(
        inputs.frame("development"),
        ev if ev is not None else pl.DataFrame(schema={"event_type": pl.String}),
        inputs.units,
        inputs.base,
        inputs.roll,
        inputs.grid,
    )


BLOCK = Block(
    "development",
    frozenset({"units", "staff", "events", "development"}),
    development_block,
    "kompetensutveckling",
)
