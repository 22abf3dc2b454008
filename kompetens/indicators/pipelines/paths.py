"""Certification paths (the optional kind ``certification_path``): expected completions and progress.

Input grain: one row per person x programme x subject x start date, with the unit the person
works at (the path's unit) and the expected completion date; and the staff snapshots, for each
person's certification flag (licensed, and for a teacher also qualified: ``licensed AND
coalesce(qualified, true)``, the flag the certification shares count). Without path rows the block
returns nothing, and every other figure is unchanged.

Output grain: level x scope x breakdown x period, at the path's unit (area and organisation sum
their units; a person counts once in ``n_individuals``).

* ``expected_completions``: paths whose expected completion falls in a calendar year (period
  type ``year``), up to the year of the newest staff snapshot: a later year would become the
  newest year of the key figures, and every page's year filter would open on a year without
  staff figures. The running year is a plan (its paths may still finish). Breakdown
  ``programme=<code>``. Value = paths, n_individuals = distinct people.
* ``certification_path_progress``: at every staff snapshot month, the paths started on or before
  the snapshot date (and not before the person's first snapshot: a path may start before the
  hire), by where they stand (breakdown ``path_status=``):

  - ``left``: the person is in no unit of that snapshot;
  - ``completed``: the person is certified at the snapshot and was not at the path's start (the
    flag changed; "at the start" = the person's latest snapshot on or before the start date, else
    the first one after it);
  - ``overdue``: the flag has not changed and the expected completion is before the snapshot date;
  - ``ongoing``: the flag has not changed and the expected completion is on or after it.

  A path counts from its start until twelve months after the first snapshot it is completed or
  left at (``ENDED_MONTHS``), so the list is the open paths and the last year's outcomes.

  Stock: a month row for every snapshot month (every breakdown for the latest, ``all`` before), a
  year row from the reference month, else the year's latest month. Value = paths, n_individuals
  = distinct people. The flag is one per person: a path to a further subject of a person already
  certified cannot change it, so it counts as overdue once its date has passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from kompetens.indicators.pipelines.block import Block
from kompetens.indicators.pipelines.grain import KEYS, expand_levels, finish, with_unit_attrs
from kompetens.indicators.pipelines.periods import month_of, month_periods

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.inputs import Inputs

#: Where a path stands (``certification_path_progress``'s breakdown ``path_status=``).
PATH_STATUSES = ("ongoing", "overdue", "completed", "left")
#: A completed path, or one whose person left, counts for this many months from the month it ended.
ENDED_MONTHS = 12


def certified_flags(staff: pl.DataFrame) -> pl.DataFrame:
    """One row per person x snapshot date: ``certified`` (any of the person's rows certified)."""
    return staff.group_by("employee_id", "snapshot_date").agg(
        (pl.col("licensed").fill_null(False) & pl.col("qualified").fill_null(True))
        .any()
        .alias("certified")
    )


def path_states(paths: pl.DataFrame, staff: pl.DataFrame) -> pl.DataFrame:
    """One row per path x staff snapshot date on or after its start, with ``status`` and ``m``.

    ``path`` numbers the paths; the status rules are the module docstring's.
    """
    dates = staff.select(pl.col("snapshot_date").unique().sort())
    people = staff.filter(pl.col("employee_id").is_in(paths["employee_id"].unique().implode()))
    flags = certified_flags(people).sort("snapshot_date")
    numbered = paths.with_row_index("path").with_columns(pl.col("path").cast(pl.Int64))
    before = numbered.sort("start_date").join_asof(
        flags.rename({"snapshot_date": "_at", "certified": "_before"}),
        left_on="start_date",
        right_on="_at",
        by="employee_id",
        strategy="backward",
        check_sortedness=False,
    )
    after = numbered.sort("start_date").join_asof(
        flags.rename({"snapshot_date": "_at", "certified": "_after"}),
        left_on="start_date",
        right_on="_at",
        by="employee_id",
        strategy="forward",
        check_sortedness=False,
    )
    at_start = before.select("path", "_before").join(
        after.select("path", "_after"), on="path", how="left"
    )
    started = numbered.join(at_start, on="path", how="left").with_columns(
        pl.coalesce("_before", "_after").fill_null(False).alias("certified_at_start")
    )
    first_seen = flags.group_by("employee_id").agg(pl.col("snapshot_date").min().alias("_seen"))
    return (
        started.join(dates, how="cross")
        .join(first_seen, on="employee_id", how="left")
        # from the start, and not before the person's first snapshot (hired after the start)
        .filter(
            (pl.col("snapshot_date") >= pl.col("start_date"))
            & (pl.col("_seen").is_null() | (pl.col("snapshot_date") >= pl.col("_seen")))
        )
        .join(flags, on=["employee_id", "snapshot_date"], how="left")
        .with_columns(
            pl.when(pl.col("certified").is_null())
            .then(pl.lit("left"))
            .when(pl.col("certified") & ~pl.col("certified_at_start"))
            .then(pl.lit("completed"))
            .when(pl.col("expected_completion") < pl.col("snapshot_date"))
            .then(pl.lit("overdue"))
            .otherwise(pl.lit("ongoing"))
            .alias("path_status"),
            month_of(pl.col("snapshot_date")).alias("m"),
        )
        .select("path", "employee_id", "unit_id", "m", "path_status", "expected_completion")
        # A path that ended (completed, or its person left) counts for twelve months after.
        .with_columns(
            pl.col("m")
            .filter(pl.col("path_status").is_in(["completed", "left"]))
            .min()
            .over("path")
            .alias("_ended")
        )
        .filter(pl.col("_ended").is_null() | (pl.col("m") < pl.col("_ended") + ENDED_MONTHS))
        .drop("_ended")
    )


def _count(frame: pl.LazyFrame, dims: tuple[str, ...], period: list[str]) -> pl.LazyFrame:
    """Paths and distinct people per level x scope x breakdown x ``period`` columns."""
    return (
        expand_levels(frame, dims)
        .group_by([*KEYS, *period])
        .agg(
            pl.len().cast(pl.Float64).alias("value"),
            pl.col("employee_id").n_unique().cast(pl.Int64).alias("n_individuals"),
        )
    )


def _stock_periods(monthly: pl.DataFrame, reference_month: int) -> pl.LazyFrame:
    """Month rows (breakdowns for the latest month) and a year row per year: the reference
    month's, else the year's latest month."""
    months = sorted(monthly["m"].unique().to_list())
    by_year: dict[int, int] = {}
    for m in months:  # ascending: a later month replaces an earlier one, never the reference
        chosen = by_year.get(m // 12)
        if chosen is None or chosen % 12 != reference_month - 1:
            by_year[m // 12] = m
    years = pl.LazyFrame(
        {"m": list(by_year.values()), "period": [str(y) for y in by_year]},
        schema={"m": pl.Int32, "period": pl.String},
    )
    yearly = (
        monthly.lazy()
        .join(years, on="m", how="inner")
        .with_columns(pl.lit("year").alias("period_type"))
    )
    return pl.concat([month_periods(monthly), yearly], how="diagonal_relaxed")


def path_indicators(
    paths: pl.DataFrame,
    staff: pl.DataFrame,
    units: pl.DataFrame,
    reference_month: int,
    last_year: int | None = None,
) -> dict[str, pl.DataFrame]:
    """The two certification-path indicators (module docstring); {} without paths.

    ``last_year``: the year of the newest staff snapshot (default: the newest in ``staff``);
    expected completions of later years are left out (module docstring).
    """
    if paths.is_empty():
        return {}
    if last_year is None and not staff.is_empty():
        last_year = staff["snapshot_date"].max().year  # type: ignore[union-attr]
    placed = with_unit_attrs(paths.lazy(), units).with_columns(
        pl.col("expected_completion").dt.year().cast(pl.String).alias("period"),
        pl.lit("year").alias("period_type"),
    )
    if last_year is not None:
        placed = placed.filter(pl.col("expected_completion").dt.year() <= last_year)
    out = {
        "expected_completions": finish(
            _count(placed, ("programme",), ["period_type", "period"]), "expected_completions"
        )
    }
    if not staff.is_empty():
        states = with_unit_attrs(path_states(paths, staff).lazy(), units)
        monthly = _count(states, ("path_status",), ["m"]).collect()
        out["certification_path_progress"] = finish(
            _stock_periods(monthly, reference_month), "certification_path_progress"
        )
    return out


def paths_block(inputs: Inputs) -> dict[str, pl.DataFrame]:
    """The certification-path figures (nothing without path rows)."""
    paths, staff, units = inputs.frame("certification_path"), inputs.frame("staff"), inputs.units
    last = inputs.grid.last
    last_year = None if last is None else last // 12
    return path_indicators(paths, staff, units, inputs.settings.reference_month, last_year)


BLOCK = Block(
    "certification_path",
    frozenset({"certification_path", "staff", "units"}),
    paths_block,
    "behörighetsgivande utbildningar",
)
