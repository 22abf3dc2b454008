"""ARUBA (the employer's rehabilitation and redundancy work): redundant staff against open vacancies."""

from __future__ import annotations

from typing import Literal

import duckdb
import polars as pl

from kompetens.access.scope import Scope
from kompetens.query.cache import _cached
from kompetens.query.slices import _check_area, _scope_filter, _slice, _unit_frame

#: The two key figures the redundancy rule compares (see ``redundancy_matches``).
REDUNDANT = "redundant_staff_unplaced"
MATCHING_VACANCIES = "open_vacancies_for_redundant"


def redundancy_matches(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    period_type: Literal["month", "year"] = "year",
    period: str | None = None,
    area: str | None = None,
) -> pl.DataFrame:
    """Redundant staff not yet placed against open vacancies in the same staff category.

    The rule (leadership, seed 004): redundant staff are offered open posts in
    their own category before anyone is hired externally. Counts only, never
    people. ``period``: default the newest period of the redundancy figure;
    ``area``: keep only that area's rows beside the organisation's.

    Grain: one row per level (the organisation, then each visible area) ×
    staff category with an unplaced redundant person or a matching vacancy.
    Columns: ``level, area`` (null on the organisation row), ``period,
    category, redundant_unplaced, redundant_suppressed, open_vacancies,
    vacancies_suppressed, placeable``. A category missing from one figure
    counts 0 there (the engine stores no zero rows), except that
    ``open_vacancies`` stays null when no vacancy figures exist at all (no
    recruitment file). ``placeable`` = min(redundant, vacancies): how many
    could be placed in their own category now; null when either side is
    hidden (the minimum could reveal a hidden count) or unknown.
    """
    schema = {
        "level": pl.String,
        "area": pl.String,
        "period": pl.String,
        "category": pl.String,
        "redundant_unplaced": pl.Float64,
        "redundant_suppressed": pl.Boolean,
        "open_vacancies": pl.Float64,
        "vacancies_suppressed": pl.Boolean,
        "placeable": pl.Float64,
    }

    def compute(cur, ctx):
        unit_frame = _unit_frame(cur, ctx)
        if area is not None:
            _check_area(scope, area)
        redundant = _slice(cur, ctx, REDUNDANT, period_type)
        vacancies = _slice(cur, ctx, MATCHING_VACANCIES, period_type)
        p = period or (redundant["period"].max() if redundant.height else None)
        if p is None:
            return pl.DataFrame(schema=schema)
        prefix = "staff_category="

        def side(frame: pl.DataFrame, value: str, hidden: str) -> pl.DataFrame:
            rows = frame.filter(
                (pl.col("period") == p)
                & pl.col("level").is_in(["org", "area"])
                & pl.col("breakdown").str.starts_with(prefix)
            )
            if area is not None:
                rows = rows.filter((pl.col("level") == "org") | (pl.col("scope_id") == area))
            return _scope_filter(rows, scope, unit_frame).select(
                "level",
                "scope_id",
                pl.col("breakdown").str.strip_prefix(prefix).alias("category"),
                pl.col("value").alias(value),
                pl.col("suppressed").alias(hidden),
            )

        keys = ["level", "scope_id", "category"]
        joined = side(redundant, "redundant_unplaced", "redundant_suppressed").join(
            side(vacancies, "open_vacancies", "vacancies_suppressed"),
            on=keys,
            how="full",
            coalesce=True,
        )
        has_vacancy_data = vacancies.height > 0
        joined = joined.with_columns(
            pl.when(pl.col("redundant_suppressed").is_null())
            .then(0.0)
            .otherwise(pl.col("redundant_unplaced"))
            .alias("redundant_unplaced"),
            pl.col("redundant_suppressed").fill_null(False),
            pl.when(pl.col("vacancies_suppressed").is_null() & has_vacancy_data)
            .then(0.0)
            .otherwise(pl.col("open_vacancies"))
            .alias("open_vacancies"),
            pl.col("vacancies_suppressed").fill_null(False),
        )
        return (
            joined.with_columns(
                pl.when(pl.col("level") == "area").then(pl.col("scope_id")).alias("area"),
                pl.lit(p).alias("period"),
                pl.when(
                    pl.col("redundant_suppressed")
                    | pl.col("vacancies_suppressed")
                    | pl.col("open_vacancies").is_null()
                )
                .then(None)
                .otherwise(pl.min_horizontal("redundant_unplaced", "open_vacancies"))
                .alias("placeable"),
                (pl.col("level") != "org").alias("_not_org"),
            )
            .sort("_not_org", "area", "category", nulls_last=False)
            .select(list(schema))
            .cast(schema)
        )

    return _cached("redundancy_matches", conn, (scope, period_type, period, area), compute)
