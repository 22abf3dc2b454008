"""Redundancy: staff given notice and not yet placed, and the vacancies open for them.

Measured at each month's last day, from the first staff snapshot month (or the first
event, without snapshots) to the last. Grain: level x scope x breakdown (staff category,
school form) x month, plus the reference month's value as the year. Units: people
(redundant_staff_unplaced) and requisitions (open_vacancies_for_redundant: vacancies open
that month in a staff category with someone unplaced).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from kompetens.indicators.pipelines.block import Block
from kompetens.indicators.pipelines.events import person_event_counts
from kompetens.indicators.pipelines.grain import (
    KEYS,
    Settings,
    expand_levels,
    finish,
    with_unit_attrs,
)
from kompetens.indicators.pipelines.periods import (
    Grid,
    flow_span,
    month_of,
    month_periods,
    reference_year,
)

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.inputs import Inputs


def redundancy_indicators(
    ev: pl.DataFrame,
    recruitments: pl.DataFrame,
    units: pl.DataFrame,
    grid: Grid,
    settings: Settings,
) -> dict[str, pl.DataFrame]:
    """redundant_staff_unplaced and open_vacancies_for_redundant, at each month's last day."""
    notices = ev.filter(pl.col("event_type") == "redundancy_notice")
    if not notices.height:
        return {}
    span = flow_span(grid, ev["m"])
    if span is None:
        return {}
    first, last = span
    resolve = (
        ev.lazy()
        .filter(pl.col("event_type").is_in(["redundancy_placed", "exit"]))
        .select("employee_id", pl.col("event_date").alias("_res"))
    )
    # The first placement or exit after the notice ends the unplaced spell.
    spells = (
        notices.lazy()
        .join(resolve, on="employee_id", how="left")
        .with_columns(
            pl.when(pl.col("_res") >= pl.col("event_date")).then(pl.col("_res")).alias("_res")
        )
        .group_by(
            ["employee_id", "event_date", "unit_id", "area", "school_form", "staff_category", "m"]
        )
        .agg(pl.col("_res").min())
        .with_columns(month_of(pl.col("_res")).alias("_res_m"))
    )
    # Unplaced at the end of month e if notice month <= e and (no resolution or resolved after e).
    month_rows = (
        spells.with_columns(
            pl.int_ranges(
                pl.max_horizontal(pl.col("m"), pl.lit(first)), pl.lit(last + 1), dtype=pl.Int32
            ).alias("e")
        )
        .explode("e")
        .filter(pl.col("_res_m").is_null() | (pl.col("_res_m") > pl.col("e")))
        .with_columns(pl.col("e").alias("m"))
        .collect()
    )
    out: dict[str, pl.DataFrame] = {}
    if not month_rows.height:
        return out
    counts = person_event_counts(
        month_rows, {"unplaced": pl.lit(True)}, ("staff_category", "school_form")
    )
    lf = counts.lazy().with_columns(
        pl.col("unplaced").cast(pl.Float64).alias("value"),
        pl.col("unplaced").alias("n_individuals"),
    )
    out["redundant_staff_unplaced"] = finish(
        pl.concat([month_periods(lf), reference_year(lf, settings.reference_month)]),
        "redundant_staff_unplaced",
    )
    if recruitments.height:
        cats = month_rows.select("staff_category", pl.col("e").alias("m")).unique()
        rec = with_unit_attrs(recruitments.lazy(), units).with_columns(
            month_of(pl.col("published_date")).alias("_pm"),
            month_of(pl.col("closed_date")).alias("_cm"),
        )
        # Open at the end of month e: published by then, closed (if at all) after that month.
        open_rows = (
            rec.filter(pl.col("_pm").is_not_null())
            .filter(pl.col("closed_date").is_not_null() | (pl.col("outcome") == "open"))
            .with_columns(
                pl.int_ranges(
                    pl.max_horizontal(pl.col("_pm"), pl.lit(first)),
                    pl.min_horizontal(pl.col("_cm").fill_null(last + 1), pl.lit(last + 1)),
                    dtype=pl.Int32,
                ).alias("m")
            )
            .explode("m")
            .filter(pl.col("m").is_not_null())
            .join(cats.lazy(), on=["staff_category", "m"], how="semi")
        )
        agg = (
            expand_levels(open_rows, ("staff_category", "school_form"))
            .group_by([*KEYS, "m"])
            .agg(pl.len().cast(pl.Int64).alias("open"))
        )
        lf = agg.with_columns(pl.col("open").cast(pl.Float64).alias("value"))
        out["open_vacancies_for_redundant"] = finish(
            pl.concat([month_periods(lf), reference_year(lf, settings.reference_month)]),
            "open_vacancies_for_redundant",
        )
    return out


def redundancy_block(inputs: Inputs) -> dict[str, pl.DataFrame]:
    """redundant_staff_unplaced and open_vacancies_for_redundant (nothing without events)."""
    ev = inputs.events
    if ev is None:
        return {}
    return redundancy_indicators(
        ev, inputs.frame("recruitments"), inputs.units, inputs.grid, inputs.settings
    )


BLOCK = Block(
    "redundancy",
    frozenset({"units", "staff", "events", "recruitments"}),
    redundancy_block,
    "övertalighet",
)
