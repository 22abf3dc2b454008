"""The key-figure grain: levels, scopes, breakdowns and the finished rows.

Every pipeline ends at the key-figure grain (``kompetens.indicators.key_figures``): one
row per indicator x level (unit | area | org) x scope_id x period type x period x
breakdown. This module makes that grain: unit attributes (area and school form as the
units file says today), the (level, breakdown) combinations, ``expand_levels`` for small
frames, and ``ratio`` / ``finish``, which turn two summed columns into numerator,
denominator, value and n_individuals. The units are the caller's (FTE, people, hours,
days, answers): ``value`` is numerator / denominator (a share 0-1, a rate or a mean) or a
count; ``n_individuals`` counts people (or respondents, students, requisitions where the
indicator says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from kompetens.indicators.key_figures import KEY_FIGURE_SCHEMA
from kompetens.indicators.registry import REGISTRY

#: The levels every figure is given at, finest first.
LEVELS = ("unit", "area", "org")
#: The area of rows whose unit is not in the units file.
UNKNOWN_AREA = "(okänt område)"
#: The key columns besides the period: level, scope and breakdown.
KEYS = ["level", "scope_id", "breakdown"]


@dataclass(frozen=True)
class Settings:
    """Knobs of the computation that are stored with the key figures."""

    reference_month: int = 10
    retirement_age: int = 66


def empty_kf() -> pl.DataFrame:
    return pl.DataFrame(schema=KEY_FIGURE_SCHEMA)


def prepare_units(units: pl.DataFrame) -> pl.DataFrame:
    """unit_id -> area, school_form (areas as they are today, so trends stay comparable)."""
    return units.select(
        pl.col("unit_id").cast(pl.String),
        pl.col("area").cast(pl.String).fill_null(UNKNOWN_AREA),
        pl.col("school_form").cast(pl.String).fill_null("unknown"),
    ).unique("unit_id", keep="last")


def with_unit_attrs(frame: pl.LazyFrame, units: pl.DataFrame) -> pl.LazyFrame:
    """Attach area and school form; rows of unknown units land in the unknown area."""
    return frame.join(units.lazy(), on="unit_id", how="left").with_columns(
        pl.col("area").fill_null(UNKNOWN_AREA), pl.col("school_form").fill_null("unknown")
    )


def scope_expr(level: str) -> pl.Expr:
    if level == "unit":
        return pl.col("unit_id").alias("scope_id")
    if level == "area":
        return pl.col("area").alias("scope_id")
    return pl.lit("org").alias("scope_id")


def breakdown_expr(dim: str | None) -> pl.Expr:
    if dim is None:
        return pl.lit("all").alias("breakdown")
    return pl.concat_str(pl.lit(f"{dim}="), pl.col(dim).cast(pl.String).fill_null("unknown")).alias(
        "breakdown"
    )


def breakdown_in(dims: list[str]) -> pl.Expr:
    """The ``breakdown`` is ``all`` (when listed) or ``dim=...`` for one of ``dims``."""
    return pl.any_horizontal(
        [
            pl.col("breakdown") == "all"
            if d == "all"
            else pl.col("breakdown").str.starts_with(f"{d}=")
            for d in dims
        ]
    )


def level_combos(dims: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(level, breakdown dimension) pairs; a unit has one school form, so no unit x school_form."""
    return [
        (level, dim)
        for level in LEVELS
        for dim in (None, *dims)
        if not (level == "unit" and dim == "school_form")
    ]


def expand_levels(frame: pl.LazyFrame, dims: tuple[str, ...]) -> pl.LazyFrame:
    """Repeat each row once per (level, breakdown) it belongs to. For small frames only."""
    parts = [
        frame.with_columns(pl.lit(level).alias("level"), scope_expr(level), breakdown_expr(dim))
        for level, dim in level_combos(dims)
    ]
    return pl.concat(parts, how="vertical_relaxed")


def finish(frame: pl.DataFrame | pl.LazyFrame, indicator_id: str) -> pl.DataFrame:
    """Cast to the key-figure schema (missing columns null), drop rows without a value.

    An indicator that counts posts (``Indicator.counts``) rests on nobody: its
    ``n_individuals`` is 0, so the small-number rule does not hide it.
    """
    lf = frame.lazy()
    indicator = REGISTRY.get(indicator_id)
    if indicator is not None and indicator.counts == "posts":
        lf = lf.with_columns(pl.lit(0, dtype=pl.Int64).alias("n_individuals"))
    names = lf.collect_schema().names()
    cols = [
        (
            pl.lit(indicator_id)
            if name == "indicator_id"
            else pl.col(name)
            if name in names
            else pl.lit(None)
        )
        .cast(dtype)
        .alias(name)
        for name, dtype in KEY_FIGURE_SCHEMA.items()
    ]
    return (
        lf.select(cols)
        .filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
        .collect()
    )


def ratio(frame: pl.LazyFrame | pl.DataFrame, num: str, den: str, n: pl.Expr) -> pl.LazyFrame:
    """numerator/denominator/value/n_individuals from two summed columns (no row when den = 0)."""
    return frame.lazy().with_columns(
        pl.col(num).cast(pl.Float64).alias("numerator"),
        pl.col(den).cast(pl.Float64).alias("denominator"),
        pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).alias("value"),
        n.cast(pl.Int64).alias("n_individuals"),
    )
