"""Events: hires, exits and moves, and the flows made from them.

Input grain: one row per event (person x date x type x unit). Counts are distinct
(person, date) pairs per level x scope x breakdown x month, summed to calendar years and
rolling 12-month windows (``flow_periods``). Indicators: hires and retirements (people),
turnover_rate (exits of permanent staff / average permanent headcount), unit_turnover_rate
(exits and moves out of a unit / its average permanent headcount), exit_reasons (share of
exits per reason) and first_year_retention (share of a year's hires still employed in the
snapshot 12 months after the hire month). Calendar years of growing counts appear only
once complete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from kompetens.indicators.pipelines.block import Block
from kompetens.indicators.pipelines.grain import (
    KEYS,
    Settings,
    breakdown_in,
    empty_kf,
    expand_levels,
    finish,
    ratio,
    with_unit_attrs,
)
from kompetens.indicators.pipelines.periods import (
    Grid,
    complete_years,
    flow_periods,
    flow_span,
)
from kompetens.indicators.pipelines.prepared import head_flows

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.inputs import Inputs


def person_event_counts(
    frame: pl.DataFrame | pl.LazyFrame,
    flags: dict[str, pl.Expr],
    dims: tuple[str, ...],
    *,
    period: str = "m",
    date: str = "event_date",
) -> pl.DataFrame:
    """Count distinct (employee, date) per level x scope x breakdown x period for each flag.

    One person's event written for two units counts once in an area or the
    organisation (the flag counts if it holds in any of the rows).
    """
    names = list(flags)
    lf = (
        frame.lazy()
        .with_columns([expr.alias(name) for name, expr in flags.items()])
        .with_columns((pl.len().over(["employee_id", date]) > 1).alias("_shared"))
    )
    # Most (person, date) pairs occur once: those rows are counted per unit grain first
    # and only then repeated per level; the few shared pairs are de-duplicated per scope.
    single = (
        lf.filter(~pl.col("_shared"))
        .group_by(list(dict.fromkeys(["unit_id", "area", *dims, period])))
        .agg([pl.col(name).cast(pl.Int64).sum() for name in names])
    )
    single = expand_levels(single, dims)
    shared = (
        expand_levels(lf.filter(pl.col("_shared")), dims)
        .group_by([*KEYS, period, "employee_id", date])
        .agg([pl.col(name).max().cast(pl.Int64) for name in names])
    )
    return (
        pl.concat(
            [single.select([*KEYS, period, *names]), shared.select([*KEYS, period, *names])],
            how="vertical_relaxed",
        )
        .group_by([*KEYS, period])
        .agg([pl.col(name).sum() for name in names])
        .collect()
    )


def _count_figures(periods: pl.DataFrame, col: str, indicator_id: str) -> pl.DataFrame:
    """A count as its own figure, from the counts summed to periods (``flow_periods``)."""
    # Zero counts are kept where the scope had other events: "0 retirements" is a figure.
    return finish(
        periods.lazy().with_columns(
            pl.col(col).cast(pl.Float64).alias("value"), pl.col(col).alias("n_individuals")
        ),
        indicator_id,
    )


def event_count_periods(ev: pl.DataFrame, grid: Grid) -> pl.DataFrame:
    """Persons hired, leaving (permanent; with and without retirements) and retiring.

    Distinct (person, date) per level x scope x breakdown (staff category, school
    form), summed to calendar years and rolling 12-month windows (``flow_periods``).
    Read by hires, retirements and turnover_rate.
    """
    etype = pl.col("event_type")
    permanent = (pl.col("employment_type") == "permanent").fill_null(False)
    exit_ = etype == "exit"
    retirement = (pl.col("reason") == "retirement").fill_null(False)
    flags = {
        "hire": etype == "hire",
        "exit_perm": exit_ & permanent,
        "exit_perm_excl_ret": exit_ & permanent & ~retirement,
        "retirement": exit_ & retirement,
    }
    counts = person_event_counts(ev, flags, ("staff_category", "school_form"))
    return flow_periods(counts, list(flags), grid, span=flow_span(grid, ev["m"])).collect()


def turnover_figures(count_periods: pl.DataFrame, heads: pl.DataFrame, grid: Grid) -> pl.DataFrame:
    """turnover_rate: exits of permanent employees / average permanent headcount.

    ``count_periods`` from ``event_count_periods``, ``heads`` from ``head_flows``.
    Periods without permanent staff have no rate, so the exits join the headcount.
    The ``all`` breakdown also comes as ``variant=excl_retirement``. Calendar
    years only once complete (``complete_years``).
    """
    period_keys = [*KEYS, "period_type", "period"]
    periods = (
        heads.lazy()
        .filter(complete_years(grid))
        .select([*period_keys, "perm_p", "months"])
        .join(
            count_periods.lazy().select([*period_keys, "exit_perm", "exit_perm_excl_ret"]),
            on=period_keys,
            how="left",
        )
        .with_columns(
            pl.col("exit_perm", "exit_perm_excl_ret").fill_null(0),
            (pl.col("perm_p") / pl.col("months")).alias("avg_perm"),
        )
        .filter(breakdown_in(["all", "staff_category", "school_form"]) & (pl.col("avg_perm") > 0))
        # Collected once: both turnover variants read it (a lazy plan would run twice).
        .collect()
        .lazy()
    )
    n = pl.col("avg_perm").floor()
    variant = periods.filter(pl.col("breakdown") == "all").with_columns(
        pl.lit("variant=excl_retirement").alias("breakdown")
    )
    return finish(
        pl.concat(
            [
                ratio(periods, "exit_perm", "avg_perm", n),
                ratio(variant, "exit_perm_excl_ret", "avg_perm", n),
            ]
        ),
        "turnover_rate",
    )


def event_indicators(
    ev: pl.DataFrame,
    units: pl.DataFrame,
    staff_roll: pl.DataFrame | None,
    grid: Grid,
    settings: Settings,
    heads: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """turnover_rate, unit_turnover_rate, hires, retirements, exit_reasons.

    ``heads``: ``head_flows(staff_roll, grid)`` when the caller already has it.
    """
    out: dict[str, pl.DataFrame] = {}
    if ev.is_empty():
        return out
    count_periods = event_count_periods(ev, grid)
    # Counts grow through the year: a year in progress is left out, like for turnover.
    whole = count_periods.filter(complete_years(grid))
    out["hires"] = _count_figures(whole, "hire", "hires")
    out["retirements"] = _count_figures(whole, "retirement", "retirements")

    # exit_reasons: one breakdown per reason; the "all" row is all exits / all exits.
    reasons = person_event_counts(
        ev.filter(pl.col("event_type") == "exit"), {"exits": pl.lit(True)}, ("reason",)
    )
    if reasons.height:
        # Totals per period (not per month): a reason absent in a month still shares the year's total.
        periods = flow_periods(
            reasons, ["exits"], grid, span=flow_span(grid, ev["m"]), rolling_breakdowns=True
        )
        totals = periods.filter(pl.col("breakdown") == "all").select(
            "level", "scope_id", "period_type", "period", pl.col("exits").alias("total")
        )
        shares = periods.join(
            totals, on=["level", "scope_id", "period_type", "period"], how="inner"
        ).filter(pl.col("total") > 0)
        out["exit_reasons"] = finish(
            ratio(shares, "exits", "total", pl.col("exits")), "exit_reasons"
        )

    if staff_roll is not None and staff_roll.height:
        if heads is None:
            heads = head_flows(staff_roll, grid)
        out["turnover_rate"] = turnover_figures(count_periods, heads, grid)
        out["unit_turnover_rate"] = _unit_turnover(ev, staff_roll, units, grid)
    return out


def _unit_turnover(
    ev: pl.DataFrame, staff_roll: pl.DataFrame, units: pl.DataFrame, grid: Grid
) -> pl.DataFrame:
    """Exits + internal moves out of the unit (permanent) / the unit's average permanent headcount.

    Computed per unit; area and org sum the unit numerators and denominators.
    """
    leaves = (
        ev.lazy()
        .filter(
            pl.col("event_type").is_in(["exit", "internal_move"])
            & (pl.col("employment_type") == "permanent")
        )
        .group_by("unit_id", "m")
        .agg(pl.struct("employee_id", "event_date").n_unique().cast(pl.Int64).alias("leaves"))
    )
    heads = (
        staff_roll.lazy()
        .filter((pl.col("level") == "unit") & (pl.col("breakdown") == "all"))
        .select(pl.col("scope_id").alias("unit_id"), "m", "perm_p")
    )
    unit_monthly = heads.join(leaves, on=["unit_id", "m"], how="full", coalesce=True).with_columns(
        pl.col("perm_p", "leaves").fill_null(0)
    )
    monthly = (
        expand_levels(with_unit_attrs(unit_monthly, units), ("school_form",))
        .group_by([*KEYS, "m"])
        .agg(pl.col("perm_p", "leaves").sum())
    )
    periods = (
        flow_periods(monthly, ["perm_p", "leaves"], grid)
        .filter(complete_years(grid) & (pl.col("months") > 0))
        .with_columns((pl.col("perm_p") / pl.col("months")).alias("avg_perm"))
        .filter(pl.col("avg_perm") > 0)
    )
    return finish(
        ratio(periods, "leaves", "avg_perm", pl.col("avg_perm").floor()), "unit_turnover_rate"
    )


def first_year_retention(ev: pl.DataFrame, base: pl.LazyFrame | None, grid: Grid) -> pl.DataFrame:
    """Hires of year Y still in the organisation in the snapshot 12 months after the hire month."""
    hires = ev.filter(pl.col("event_type") == "hire")
    if not hires.height or base is None or not grid.months:
        return empty_kf()
    wanted = (
        hires.lazy().select("employee_id", (pl.col("m") + 12).cast(pl.Int32).alias("m")).unique()
    )
    present = (
        base.select("employee_id", "m")
        .join(wanted, on=["employee_id", "m"], how="semi")
        .select("employee_id", (pl.col("m") - 12).cast(pl.Int32).alias("m"))
        .unique()
        .with_columns(pl.lit(True).alias("_kept"))
    )
    snap = pl.LazyFrame({"m": [x - 12 for x in grid.months]}, schema={"m": pl.Int32}).with_columns(
        pl.lit(True).alias("_due")
    )
    flagged = (
        hires.lazy()
        .join(snap, on="m", how="inner")
        .join(present, on=["employee_id", "m"], how="left")
        .with_columns(pl.col("_kept").fill_null(False))
    )
    counts = person_event_counts(
        flagged, {"due": pl.lit(True), "kept": pl.col("_kept")}, ("staff_category", "school_form")
    )
    years = (
        counts.lazy()
        .group_by([*KEYS, (pl.col("m") // 12).cast(pl.String).alias("period")])
        .agg(pl.col("due", "kept").sum())
    )
    years = years.with_columns(pl.lit("year").alias("period_type"))
    return finish(ratio(years, "kept", "due", pl.col("due")), "first_year_retention")


def events_block(inputs: Inputs) -> dict[str, pl.DataFrame]:
    """Hires, retirements, exit reasons, both turnover rates and first-year retention."""
    ev = inputs.events
    if ev is None:
        return {}
    out = event_indicators(
        ev, inputs.units, inputs.roll, inputs.grid, inputs.settings, inputs.heads
    )
    out["first_year_retention"] = first_year_retention(ev, inputs.base, inputs.grid)
    return out


BLOCK = Block("events", frozenset({"units", "staff", "events"}), events_block, "händelser")
