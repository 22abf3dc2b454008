"""The person-month grain of the staff snapshots, and rolling people up to unit, area and org.

``snapshot_base``: one row per employee x unit x snapshot month (the month's latest
snapshot date), with ``multi`` marking the person-months that sit in two or more units.
``person_rollup``: additive columns (FTE) are summed; person flags are counted as
distinct people, so an employee in two units counts once in an area's or the
organisation's figure. Output grain: level x scope_id x breakdown x period (the month
index ``m``, or a year).
"""

from __future__ import annotations

import polars as pl

from kompetens.indicators.pipelines.grain import (
    level_combos,
    scope_expr,
    with_unit_attrs,
)
from kompetens.indicators.pipelines.periods import (
    month_of,
)


def snapshot_base(staff: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """One row per employee x unit x snapshot month (the month's latest snapshot date).

    Adds ``m`` (month index) and ``multi`` (the person sits in two or more units
    that month; only those rows need de-duplication above unit level). Unit
    attributes (area, school form) are joined later, on aggregated rows: the
    snapshots are the one large frame, so nothing is joined to them row by row.
    """
    lf = staff.lazy()
    # The month of each distinct date is computed on the (few) dates; the rows of
    # each month's latest date are kept and get their month by lookup.
    dates = lf.select(pl.col("snapshot_date").unique()).collect()
    latest = (
        dates.drop_nulls()
        .with_columns(month_of(pl.col("snapshot_date")).alias("m"))
        .group_by("m")
        .agg(pl.col("snapshot_date").max())
    )
    if latest.height < dates.height:  # earlier snapshots in a month (or no date): latest only
        lf = lf.filter(pl.col("snapshot_date").is_in(latest["snapshot_date"].implode()))
    base = lf.with_columns(
        pl.col("snapshot_date")
        .replace_strict(latest["snapshot_date"], latest["m"], return_dtype=pl.Int32)
        .alias("m"),
        pl.col("licensed").fill_null(False),
        pl.col("qualified").fill_null(False),
        pl.col("certification_programme").fill_null(False),
    ).collect()
    return base.with_columns(_multi_flag(base)).lazy()


def _multi_flag(base: pl.DataFrame) -> pl.Expr:
    """``multi``: the row's person has another row in the same month.

    With 64-bit integer ids (the engine hashes pseudonyms to UInt64) the pair
    (month, person) is folded into one integer key, which is far cheaper to
    count than a two-column group. Distinct pairs may share a folded key (a
    hash collision); that only marks a few extra rows ``multi``, which are then
    de-duplicated exactly by person, so figures cannot change. Usually nobody
    sits in two units and the flag is a constant.
    """
    if base.is_empty():
        return pl.lit(False).alias("multi")
    if base.schema["employee_id"] == pl.UInt64():
        key = pl.col("employee_id") ^ pl.col("m").hash(seed=7)
        if base.select(key.n_unique()).item() == base.height:
            return pl.lit(False).alias("multi")
        dup = base.group_by(key.alias("_k")).len().filter(pl.col("len") > 1).get_column("_k")
        return key.is_in(dup.implode()).alias("multi")
    return (pl.len().over(["m", "employee_id"]) > 1).alias("multi")


def _keyed(lf: pl.LazyFrame, level: str, dim: str | None) -> pl.LazyFrame:
    """Add level, scope_id and the raw breakdown value ``_bd`` (labelled after aggregating)."""
    bd = pl.lit("all") if dim is None else pl.col(dim).cast(pl.String).fill_null("unknown")
    return lf.with_columns(pl.lit(level).alias("level"), scope_expr(level), bd.alias("_bd"))


def _label(lf: pl.LazyFrame, dim: str | None) -> pl.LazyFrame:
    """Turn ``_bd`` into the breakdown label (``all`` or ``dim=value``) on a small, aggregated frame."""
    if dim is None:
        return lf.rename({"_bd": "breakdown"})
    return lf.with_columns(pl.concat_str(pl.lit(f"{dim}="), pl.col("_bd")).alias("_bd")).rename(
        {"_bd": "breakdown"}
    )


def person_rollup(
    rows: pl.LazyFrame,
    units: pl.DataFrame,
    *,
    sums: list[str],
    persons: list[str],
    dims: tuple[str, ...] = ("staff_category", "school_form"),
    period: str = "m",
    unit_conditions: dict[str, pl.Expr] | None = None,
) -> pl.DataFrame:
    """Roll person rows (one per employee x unit x period) up to unit, area and org.

    ``sums`` are added up; ``persons`` are boolean flags counted as distinct
    persons: at unit level a plain count, above it the ``multi`` rows are
    de-duplicated per employee (a flag counts if it holds in any of their units).
    ``unit_conditions`` zero a column in units whose attributes fail the condition.
    Output: level, scope_id, breakdown, ``period``, sums, persons.
    """
    conditions = unit_conditions or {}
    grain = ["unit_id", *[d for d in dims if d != "school_form"], period]
    # The one pass over the large frame: sums and person counts per unit grain.
    unit_grain = (
        rows.group_by(grain)
        .agg(
            [pl.col(c).sum() for c in sums]
            + [pl.col(p).sum().cast(pl.Int64).alias(p) for p in persons]
        )
        .collect()
    )
    multi = rows.filter(pl.col("multi")).select(["employee_id", *grain, *persons]).collect()
    # Persons counted above unit level without de-duplication: everyone not in ``multi``
    # (the unit count minus the unit's multi rows; usually there are none).
    if multi.height:
        multi_counts = multi.group_by(grain).agg(
            [pl.col(p).sum().cast(pl.Int64).alias(f"{p}__m") for p in persons]
        )
        unit_grain = unit_grain.join(multi_counts, on=grain, how="left").with_columns(
            [(pl.col(p) - pl.col(f"{p}__m").fill_null(0)).alias(f"{p}__single") for p in persons]
        )
    else:
        unit_grain = unit_grain.with_columns([pl.col(p).alias(f"{p}__single") for p in persons])
    unit_grain = with_unit_attrs(unit_grain.lazy(), units)
    masked = [
        pl.when(cond).then(pl.col(c)).otherwise(0).alias(c)
        for col, cond in conditions.items()
        for c in ([col, f"{col}__single"] if col in persons else [col])
    ]
    unit_grain = unit_grain.with_columns(masked).collect() if masked else unit_grain.collect()
    multi = with_unit_attrs(multi.lazy(), units)
    multi = multi.with_columns(
        [(pl.col(c) & cond).alias(c) for c, cond in conditions.items() if c in persons]
    ).collect()
    # Areas and the organisation add up the (far fewer) area x breakdown rows.
    singles = [f"{p}__single" for p in persons]
    area_grain = (
        unit_grain.lazy()
        .group_by(["area", *dims, period])
        .agg([pl.col(c).sum() for c in [*sums, *singles]])
        .collect()
    )
    parts = []
    for level, dim in level_combos(dims):
        keyed = _keyed((unit_grain if level == "unit" else area_grain).lazy(), level, dim)
        group = ["level", "scope_id", "_bd", period]
        if level == "unit" and dim in grain:
            # Already at this grain: nothing to add up.
            part = keyed.select([*group, *sums, *persons])
        elif level == "unit":
            part = keyed.group_by(group).agg([pl.col(c).sum() for c in [*sums, *persons]])
        else:
            part = keyed.group_by(group).agg(
                [pl.col(c).sum() for c in sums]
                + [pl.col(f"{p}__single").sum().alias(p) for p in persons]
            )
            if persons and multi.height:
                deduped = (
                    _keyed(multi.lazy(), level, dim)
                    .group_by(["scope_id", "_bd", period, "employee_id"])
                    .agg([pl.col(p).max() for p in persons])
                    .group_by(["scope_id", "_bd", period])
                    .agg([pl.col(p).sum().alias(f"{p}__multi") for p in persons])
                )
                part = part.join(deduped, on=["scope_id", "_bd", period], how="left").select(
                    [*group, *sums]
                    + [(pl.col(p) + pl.col(f"{p}__multi").fill_null(0)).alias(p) for p in persons]
                )
        parts.append(_label(part, dim).with_columns([pl.col(p).cast(pl.Int64) for p in persons]))
    return pl.concat(parts, how="vertical_relaxed").collect()
