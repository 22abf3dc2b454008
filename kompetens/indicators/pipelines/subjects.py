"""Subject-level qualification from teaching assignments (the optional kind ``teaching_assignment``).

Input grain: one row per teacher x unit x subject x school form x grades per assignment snapshot
date, with its teaching hours per week (or its share of a full-time post, converted at
``TEACHING_HOURS_PER_FTE``) and whether the teacher is qualified for that subject and those
grades. Without assignment rows the block returns nothing, and every other figure is unchanged.

Output grain: level x scope x breakdown (``all``, ``school_form=``, ``subject=<code>``, and for
the share and the gap ``subject_grades=<code>:<grades>``, e.g. ``subject_grades=MA:7-9``, the part
of a subject row taught in those grades; ``unknown`` grades when the row gives none) x period.

* ``certified_teaching_hours_share``: qualified hours / all teaching hours (Skolverket's
  construction, hours per week); ``uncertified_teaching_hours``: the other hours (numerator the
  unqualified hours, denominator all hours, so both figures publish the same population);
  ``subjects_without_certified_teacher``: per unit, the subjects taught there with no qualified
  hour (subject rows 1 or 0), summed over units above. Stocks: a month row for every assignment
  snapshot month (every breakdown for the latest, ``all`` before), and a year row from the reference month's snapshot, or else the year's latest.
  n_individuals = distinct teachers in the cell.
* ``lost_qualified_teaching_hours``: per exit (events) of a person with assignments at the unit
  left, the qualified hours of their latest assignment snapshot at that unit on or before the
  exit (at most 12 months old); summed per calendar year and rolling 12 months by exit month.
  n_individuals = distinct people whose exits carried assignments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from kompetens.indicators.pipelines.block import Block
from kompetens.indicators.pipelines.grain import KEYS, expand_levels, finish, ratio
from kompetens.indicators.pipelines.periods import (
    explode_periods,
    flow_span,
    month_of,
    month_periods,
)

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.grain import Settings
    from kompetens.indicators.pipelines.inputs import Inputs

#: Teaching hours per week of a full-time post, to turn an assignment given as a share of a
#: full-time post into hours, and a gap in hours into full-time posts (``hours_to_fte``).
#: A local planning figure, not a national rule; 18 hours a week is a common one.
TEACHING_HOURS_PER_FTE = 18.0
#: An exit takes the assignments of the latest snapshot at most this many days before it.
EXIT_LOOKBACK_DAYS = 365

_STOCK_DIMS = ("school_form", "subject")
#: The share and the gap also per subject and grades (``subject_grades=MA:7-9``), nested in the
#: subject rows (``query.suppression`` knows the nesting, ``NESTED_DIMENSIONS``).
_HOURS_DIMS = (*_STOCK_DIMS, "subject_grades")


def hours_to_fte(hours: float) -> float:
    """Teaching hours per week as full-time posts (``TEACHING_HOURS_PER_FTE``)."""
    return hours / TEACHING_HOURS_PER_FTE


def prepare_assignments(assignments: pl.DataFrame, units: pl.DataFrame) -> pl.LazyFrame:
    """One row per assignment with ``m`` (month index), ``hours``, ``qualified_hours``, area and
    school form (the row's own, else the unit's)."""
    return (
        assignments.lazy()
        .rename({"school_form": "_row_form"})
        .join(units.lazy(), on="unit_id", how="left")
        .with_columns(
            month_of(pl.col("snapshot_date")).alias("m"),
            pl.col("area").fill_null("(okänt område)"),
            pl.coalesce("_row_form", "school_form", pl.lit("unknown")).alias("school_form"),
            pl.coalesce("hours_per_week", pl.col("fte_share") * TEACHING_HOURS_PER_FTE).alias(
                "hours"
            ),
            pl.concat_str(
                pl.col("subject"),
                pl.lit(":"),
                pl.col("grades").cast(pl.String).fill_null("unknown"),
            ).alias("subject_grades"),
        )
        .with_columns(
            pl.when(pl.col("qualified").fill_null(False))
            .then(pl.col("hours"))
            .otherwise(0.0)
            .alias("qualified_hours")
        )
        .drop("_row_form")
    )


def _stock_periods(frame: pl.LazyFrame, reference_month: int) -> pl.LazyFrame:
    """Month rows for every snapshot month (breakdowns for the latest); year rows from the reference month, else the year's latest."""
    months = frame.select(pl.col("m").unique()).collect().to_series().to_list()
    by_year: dict[int, int] = {}
    for m in sorted(months):  # ascending: a later month replaces an earlier one, not the reference
        chosen = by_year.get(m // 12)
        if chosen is None or chosen % 12 != reference_month - 1:
            by_year[m // 12] = m
    year_months = pl.LazyFrame(
        {"m": list(by_year.values()), "period": [str(y) for y in by_year]},
        schema={"m": pl.Int32, "period": pl.String},
    )
    # Monthly rows are the trend line: every breakdown only for the latest month (as for stocks).
    monthly = month_periods(frame)
    yearly = frame.join(year_months, on="m", how="inner").with_columns(
        pl.lit("year").alias("period_type")
    )
    return pl.concat([monthly, yearly], how="diagonal_relaxed")


def stock_cells(prepared: pl.LazyFrame) -> pl.DataFrame:
    """Hours, qualified hours and distinct teachers per level x scope x breakdown x month."""
    return (
        expand_levels(prepared, _HOURS_DIMS)
        .group_by([*KEYS, "m"])
        .agg(
            pl.col("hours").sum(),
            pl.col("qualified_hours").sum(),
            pl.col("employee_id").n_unique().alias("teachers"),
        )
        .collect()
    )


def subjects_without(prepared: pl.LazyFrame) -> pl.LazyFrame:
    """Unit x subject x month rows flagged 1 when the unit has no qualified hour in the subject,
    expanded to every level with the ``subject`` breakdown and summed (area = its units)."""
    per_subject = prepared.group_by("unit_id", "area", "subject", "m").agg(
        (pl.col("qualified_hours").sum() <= 0).cast(pl.Int64).alias("lacking")
    )
    lacking = (
        expand_levels(per_subject, ("subject",)).group_by([*KEYS, "m"]).agg(pl.col("lacking").sum())
    )
    teachers = (
        expand_levels(
            prepared.select("unit_id", "area", "subject", "m", "employee_id"), ("subject",)
        )
        .group_by([*KEYS, "m"])
        .agg(pl.col("employee_id").n_unique().alias("teachers"))
    )
    return lacking.join(teachers, on=[*KEYS, "m"], how="left")


def lost_hours(
    prepared: pl.LazyFrame, events: pl.DataFrame, span: tuple[int, int] | None
) -> pl.DataFrame:
    """Qualified (and all) teaching hours of each exit's latest assignments, per year and rolling window."""
    exits = (
        events.lazy()
        .filter(pl.col("event_type") == "exit")
        .select("employee_id", "unit_id", "event_date")
        .unique()
        .sort("event_date")
    )
    snaps = (
        prepared.select("employee_id", "unit_id", pl.col("snapshot_date").alias("_snap"))
        .unique()
        .sort("_snap")
    )
    matched = (
        exits.join_asof(
            snaps,
            left_on="event_date",
            right_on="_snap",
            by=["employee_id", "unit_id"],
            strategy="backward",
            check_sortedness=False,
        )
        .filter(
            pl.col("_snap").is_not_null()
            & ((pl.col("event_date") - pl.col("_snap")).dt.total_days() <= EXIT_LOOKBACK_DAYS)
        )
        .join(
            prepared.drop("m"),
            left_on=["employee_id", "unit_id", "_snap"],
            right_on=["employee_id", "unit_id", "snapshot_date"],
            how="inner",
        )
        .with_columns(month_of(pl.col("event_date")).alias("m"))
    )
    periods = explode_periods(expand_levels(matched, _STOCK_DIMS), span)
    return (
        periods.group_by([*KEYS, "period_type", "period"])
        .agg(
            pl.col("qualified_hours").sum(),
            pl.col("hours").sum(),
            pl.col("employee_id").n_unique().alias("n_individuals"),
        )
        .collect()
    )


def subject_indicators(
    assignments: pl.DataFrame,
    units: pl.DataFrame,
    events: pl.DataFrame | None,
    settings: Settings,
    span: tuple[int, int] | None,
) -> dict[str, pl.DataFrame]:
    """The four subject-level indicators (module docstring); {} without assignments."""
    if assignments.is_empty():
        return {}
    prepared = prepare_assignments(assignments, units).collect().lazy()
    cells = _stock_periods(stock_cells(prepared).lazy(), settings.reference_month)
    teachers = pl.col("teachers")
    out = {
        "certified_teaching_hours_share": finish(
            ratio(cells, "qualified_hours", "hours", teachers), "certified_teaching_hours_share"
        ),
        "uncertified_teaching_hours": finish(
            cells.filter(pl.col("hours") > 0).with_columns(
                (pl.col("hours") - pl.col("qualified_hours")).alias("numerator"),
                pl.col("hours").alias("denominator"),
                (pl.col("hours") - pl.col("qualified_hours")).alias("value"),
                teachers.alias("n_individuals"),
            ),
            "uncertified_teaching_hours",
        ),
        "subjects_without_certified_teacher": finish(
            _stock_periods(subjects_without(prepared), settings.reference_month).with_columns(
                pl.col("lacking").cast(pl.Float64).alias("value"),
                teachers.alias("n_individuals"),
            ),
            "subjects_without_certified_teacher",
        ),
    }
    if events is not None and not events.is_empty():
        lost = lost_hours(prepared, events, span)
        out["lost_qualified_teaching_hours"] = finish(
            lost.lazy().with_columns(
                pl.col("qualified_hours").alias("numerator"),
                pl.col("hours").alias("denominator"),
                pl.col("qualified_hours").alias("value"),
            ),
            "lost_qualified_teaching_hours",
        )
    return out


def subjects_block(inputs: Inputs) -> dict[str, pl.DataFrame]:
    """The subject-level qualification figures (nothing without teaching assignments)."""
    # Every declared kind is read first, so the block reads the same kinds with or without data.
    assignments, units = inputs.frame("teaching_assignment"), inputs.units
    events, grid = inputs.frame("events"), inputs.grid
    if assignments.is_empty():
        return {}
    months = month_of(pl.col("event_date"))
    span = flow_span(
        grid,
        events.select(months.alias("m")).to_series()
        if events.height
        else pl.Series([], dtype=pl.Int32),
    )
    return subject_indicators(assignments, units, events, inputs.settings, span)


BLOCK = Block(
    "teaching_assignment",
    frozenset({"teaching_assignment", "units", "events", "staff"}),
    subjects_block,
    "undervisning per ämne",
)
