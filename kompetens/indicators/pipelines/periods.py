"""Months and periods: the month index, the snapshot grid, years and rolling 12-month windows.

Months are integers ``m = year * 12 + month - 1`` (Int32) until the very end; labels
(``2025-10``, ``2025``) are only made on the small result frames. Period types: ``month``
(stocks and monthly flows, labelled ``YYYY-MM``), ``year`` (a stock's reference-month
snapshot, or a flow's calendar-year sum; ``YYYY``) and ``rolling_12m`` (a flow summed over
the 12 months ending at a month, labelled with that month). The ``Grid`` is the set of
staff snapshot months: rolling windows end at every month from its twelfth month to its
last, and a calendar year is complete when it covers January to December, so every
computation that uses the grid depends on the staff snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from kompetens.indicators.pipelines.grain import KEYS


@dataclass(frozen=True)
class Grid:
    """The months the data covers: rolling windows end at ``first + 11 .. last``."""

    months: tuple[int, ...]  # snapshot months (sorted); empty when there are no snapshots

    @property
    def first(self) -> int | None:
        return self.months[0] if self.months else None

    @property
    def last(self) -> int | None:
        return self.months[-1] if self.months else None


def grid_of(staff: pl.DataFrame) -> Grid:
    if staff.is_empty():
        return Grid(())
    dates = staff.select(pl.col("snapshot_date").unique())  # few dates, many rows
    months = (
        dates.select(month_of(pl.col("snapshot_date")).unique().sort()).to_series().drop_nulls()
    )
    return Grid(tuple(int(m) for m in months))


def month_of(date: pl.Expr) -> pl.Expr:
    """Month index ``year * 12 + month - 1`` of a date expression."""
    return (date.dt.year().cast(pl.Int32) * 12 + date.dt.month().cast(pl.Int32) - 1).cast(pl.Int32)


def month_label(m: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        (m // 12).cast(pl.String), pl.lit("-"), (m % 12 + 1).cast(pl.String).str.zfill(2)
    )


def month_periods(monthly: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """Label a monthly frame (column ``m``) as period_type month.

    Monthly series are trend lines: they carry the ``all`` breakdown, plus every
    breakdown for the latest month (the current state). Breakdowns over time are
    given per year. This keeps the table to a size pages can read fast.
    """
    lf = monthly.lazy()
    if "breakdown" in lf.collect_schema().names():
        lf = lf.filter((pl.col("breakdown") == "all") | (pl.col("m") == pl.col("m").max()))
    return lf.with_columns(
        pl.lit("month").alias("period_type"), month_label(pl.col("m")).alias("period")
    )


def reference_year(monthly: pl.LazyFrame | pl.DataFrame, reference_month: int) -> pl.LazyFrame:
    """Yearly value of a stock: the reference-month row, labelled with its year."""
    return (
        monthly.lazy()
        .filter(pl.col("m") % 12 == reference_month - 1)
        .with_columns(
            pl.lit("year").alias("period_type"), (pl.col("m") // 12).cast(pl.String).alias("period")
        )
    )


def rolling_sums(
    lf: pl.LazyFrame, keys: list[str], sums: list[str], lo: int, hi: int
) -> pl.LazyFrame:
    """Sums over the 12 months ending at ``e`` (``e - 11 .. e``), for every ``e`` in ``lo .. hi``.

    One row per key and window end whose window holds at least one row of the
    key. Computed from running totals per key, ``total(e) - total(e - 12)``
    (each found by an as-of join), so every input row is read once instead of
    once per window it falls in.
    """
    monthly = (
        lf.group_by([*keys, "m"])
        .agg([pl.col(c).sum() for c in sums])
        .with_columns(pl.struct(keys).rank("dense").alias("_g"))
        .sort("_g", "m")
        .with_columns(
            [pl.col(c).cum_sum().over("_g").alias(c) for c in sums]
            + [pl.int_range(1, pl.len() + 1).over("_g").alias("_n")]
        )
        .collect()
    )
    ends = (
        monthly.lazy()
        .group_by("_g")
        .agg(
            [pl.col(k).first() for k in keys]
            + [pl.col("m").min().alias("_lo"), pl.col("m").max().alias("_hi")]
        )
        .select(
            "_g",
            *keys,
            pl.int_ranges(
                pl.max_horizontal("_lo", pl.lit(lo)),
                pl.min_horizontal(pl.col("_hi") + 12, pl.lit(hi + 1)),
                dtype=pl.Int32,
            ).alias("e"),
        )
        .explode("e")
        .drop_nulls("e")
        .sort("_g", "e")
    )
    totals = monthly.lazy().select("_g", "m", "_n", *sums)
    upto_end = ends.join_asof(
        totals, left_on="e", right_on="m", by="_g", strategy="backward", check_sortedness=False
    )
    before = (
        ends.select("_g", (pl.col("e") - 12).alias("_b"))
        .join_asof(
            totals,
            left_on="_b",
            right_on="m",
            by="_g",
            strategy="backward",
            check_sortedness=False,
        )
        .select([pl.col(c).fill_null(0).alias(f"_{c}__before") for c in [*sums, "_n"]])
    )
    return (
        pl.concat([upto_end, before], how="horizontal")
        .filter(pl.col("_n").fill_null(0) > pl.col("__n__before"))
        .select(*keys, "e", *[(pl.col(c) - pl.col(f"_{c}__before")).alias(c) for c in sums])
    )


def flow_periods(
    monthly: pl.LazyFrame | pl.DataFrame,
    sums: list[str],
    grid: Grid,
    *,
    keys: list[str] = KEYS,
    span: tuple[int, int] | None = None,
    rolling_breakdowns: bool = False,
) -> pl.LazyFrame:
    """Sum additive monthly columns (``m``) to calendar years and rolling 12-month windows.

    Adds ``months``: how many snapshot months fall in the period (to average stocks
    such as headcount over a period). Rolling windows end at every month from
    ``first + 11`` to ``last`` of ``span`` (default: the snapshot months).
    Rolling windows are made for the ``all`` breakdown only (trend lines),
    unless ``rolling_breakdowns``: breakdowns are compared per calendar year.
    """
    lf = monthly.lazy()
    first, last = span if span is not None else (grid.first, grid.last)
    snap = pl.LazyFrame({"sm": list(grid.months)}, schema={"sm": pl.Int32})
    year_months = snap.group_by((pl.col("sm") // 12).alias("y")).agg(
        pl.len().cast(pl.Int64).alias("months")
    )
    years = (
        lf.group_by([*keys, (pl.col("m") // 12).alias("y")])
        .agg([pl.col(c).sum() for c in sums])
        .join(year_months, on="y", how="left")
        .with_columns(
            pl.col("months").fill_null(0),
            pl.lit("year").alias("period_type"),
            pl.col("y").cast(pl.String).alias("period"),
        )
        .drop("y")
    )
    if first is None or last is None or last - first < 11:
        return years
    ends = pl.LazyFrame({"e": list(range(first + 11, last + 1))}, schema={"e": pl.Int32})
    window_months = (
        ends.join(snap, how="cross")
        .filter((pl.col("sm") <= pl.col("e")) & (pl.col("sm") > pl.col("e") - 12))
        .group_by("e")
        .agg(pl.len().cast(pl.Int64).alias("months"))
    )
    rolling_rows = (
        lf
        if rolling_breakdowns or "breakdown" not in keys
        else lf.filter(pl.col("breakdown") == "all")
    )
    rolling = (
        rolling_sums(rolling_rows, keys, sums, first + 11, last)
        .join(window_months, on="e", how="left")
        .with_columns(
            pl.col("months").fill_null(0),
            pl.lit("rolling_12m").alias("period_type"),
            month_label(pl.col("e")).alias("period"),
        )
        .drop("e")
    )
    return pl.concat([years, rolling], how="vertical_relaxed")


def complete_years(grid: Grid) -> pl.Expr:
    """Rows of months and rolling windows, and of calendar years the snapshots cover from January to December.

    For figures that grow with the length of the period (counts, turnover, hours
    per FTE), a year still in progress (or one the data starts in the middle of)
    would look like a fall against the year before; those years are left out and
    the rolling 12 months carry the latest picture.
    """
    if not grid.months:
        return pl.lit(True)
    years = [
        str(y) for y in range(grid.first // 12, grid.last // 12 + 1)
        if y * 12 >= grid.first and y * 12 + 11 <= grid.last
    ]  # fmt: skip
    return (pl.col("period_type") != "year") | pl.col("period").is_in(years)


def flow_span(grid: Grid, months: pl.Series) -> tuple[int, int] | None:
    """Rolling-window span: the snapshot months, or the flow's own months when there are none."""
    if grid.months:
        return (grid.first, grid.last)
    if months.len() == 0 or months.null_count() == months.len():
        return None
    return (int(months.min()), int(months.max()))


def explode_periods(lf: pl.LazyFrame, span: tuple[int, int] | None) -> pl.LazyFrame:
    """Repeat each row (column ``m``) for its calendar year and every rolling window containing it.

    For small flow frames whose figures are not additive (medians).
    """
    years = lf.with_columns(
        pl.lit("year").alias("period_type"), (pl.col("m") // 12).cast(pl.String).alias("period")
    )
    if span is None or span[1] - span[0] < 11:
        return years
    first, last = span
    offsets = pl.LazyFrame({"k": list(range(12))}, schema={"k": pl.Int32})
    rolling = (
        lf.join(offsets, how="cross")
        .with_columns((pl.col("m") + pl.col("k")).cast(pl.Int32).alias("_e"))
        .filter(pl.col("_e").is_between(first + 11, last))
        .with_columns(
            pl.lit("rolling_12m").alias("period_type"), month_label(pl.col("_e")).alias("period")
        )
        .drop("k", "_e")
    )
    return pl.concat([years, rolling], how="vertical_relaxed")
