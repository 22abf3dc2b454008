"""One scope's figures over time and split by a dimension: series, comparisons in context, breakdowns."""

from __future__ import annotations

import duckdb
import polars as pl

from kompetens.access.scope import Level, Scope
from kompetens.query.cache import _cached
from kompetens.query.periods import PeriodType
from kompetens.query.slices import _OUT, _check_scope, _scope_filter, _slice, _unit_frame
from kompetens.query.status import _attach_targets


def series(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    level: Level,
    scope_id: str,
    period_type: PeriodType,
    breakdown: str = "all",
) -> pl.DataFrame:
    """A trend for one scope: one row per period (oldest first).

    Columns: ``period, value, numerator, denominator, n_individuals, suppressed, target``.
    """

    def compute(cur, ctx):
        _check_scope(scope, _unit_frame(cur, ctx), level, scope_id)
        rows = _slice(cur, ctx, indicator_id, period_type).filter(
            (pl.col("level") == level)
            & (pl.col("scope_id") == scope_id)
            & (pl.col("breakdown") == breakdown)
        )
        rows = _attach_targets(rows, cur, ctx)
        return rows.select("period", *_OUT, "target").sort("period")

    return _cached(
        "series", conn, (scope, indicator_id, level, scope_id, period_type, breakdown), compute
    )


def series_by_scope(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    level: Level,
    period_type: PeriodType,
    breakdown: str = "all",
) -> pl.DataFrame:
    """Trends for every visible scope of a level (small multiples per area).

    Grain: one row per ``scope_id`` × ``period``; columns as ``series`` plus ``scope_id``.
    """

    def compute(cur, ctx):
        rows = _slice(cur, ctx, indicator_id, period_type).filter(
            (pl.col("level") == level) & (pl.col("breakdown") == breakdown)
        )
        rows = _scope_filter(rows, scope, _unit_frame(cur, ctx))
        rows = _attach_targets(rows, cur, ctx)
        return rows.select("scope_id", "period", *_OUT, "target").sort("scope_id", "period")

    return _cached(
        "series_by_scope", conn, (scope, indicator_id, level, period_type, breakdown), compute
    )


def trend_with_context(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    level: Level,
    scope_id: str,
    period_type: PeriodType,
) -> pl.DataFrame:
    """A scope's trend beside its comparisons: a unit with its area and the organisation, an area with the organisation.

    Grain: one row per series × period, the chosen scope's series first.
    Columns: ``series`` (Swedish label: the unit's name, the area, ``Hela
    organisationen``), ``level, scope_id, period, value, suppressed, target``
    (the target only on the chosen scope's rows, so a chart draws one target line).
    """

    def compute(cur, ctx):
        unit_frame = _unit_frame(cur, ctx)
        _check_scope(scope, unit_frame, level, scope_id)
        chain: list[tuple[str, str, str]] = []
        if level == "unit":
            hit = unit_frame.filter(pl.col("unit_id") == scope_id)
            name = hit["unit_name"].item(0) if hit.height else scope_id
            chain.append(("unit", scope_id, name or scope_id))
            unit_area = hit["area"].item(0) if hit.height else None
            if unit_area is not None and scope.allows_area(unit_area):
                chain.append(("area", unit_area, unit_area))
        elif level == "area":
            chain.append(("area", scope_id, scope_id))
        chain.append(("org", "org", "Hela organisationen"))
        sl = _slice(cur, ctx, indicator_id, period_type).filter(pl.col("breakdown") == "all")
        parts = []
        for index, (lvl, sid, label) in enumerate(chain):
            rows = sl.filter((pl.col("level") == lvl) & (pl.col("scope_id") == sid))
            rows = _attach_targets(rows, cur, ctx)
            parts.append(
                rows.select(
                    pl.lit(label).alias("series"),
                    "level",
                    "scope_id",
                    "period",
                    "value",
                    "suppressed",
                    (pl.col("target") if index == 0 else pl.lit(None, dtype=pl.Float64)).alias(
                        "target"
                    ),
                ).sort("period")
            )
        schema = {
            "series": pl.String,
            "level": pl.String,
            "scope_id": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "suppressed": pl.Boolean,
            "target": pl.Float64,
        }
        parts = [p.cast(schema, strict=False) for p in parts if p.height]
        return pl.concat(parts) if parts else pl.DataFrame(schema=schema)

    return _cached(
        "trend_with_context", conn, (scope, indicator_id, level, scope_id, period_type), compute
    )


def breakdown(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    level: Level,
    scope_id: str,
    period_type: PeriodType,
    period: str,
    by: str,
) -> pl.DataFrame:
    """One scope's figure split by a dimension (``by='staff_category'``).

    Grain: one row per category. Columns: ``category, value, numerator,
    denominator, n_individuals, suppressed``, sorted by category.
    """

    def compute(cur, ctx):
        _check_scope(scope, _unit_frame(cur, ctx), level, scope_id)
        prefix = f"{by}="
        rows = _slice(cur, ctx, indicator_id, period_type).filter(
            (pl.col("level") == level)
            & (pl.col("scope_id") == scope_id)
            & (pl.col("period") == period)
            & pl.col("breakdown").str.starts_with(prefix)
        )
        return rows.select(
            pl.col("breakdown").str.strip_prefix(prefix).alias("category"), *_OUT
        ).sort("category")

    return _cached(
        "breakdown", conn, (scope, indicator_id, level, scope_id, period_type, period, by), compute
    )


def breakdown_series(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    level: Level,
    scope_id: str,
    period_type: PeriodType,
    by: str,
) -> pl.DataFrame:
    """One scope's figure split by a dimension, for every period (stacked bars per year).

    Grain: one row per period × category. Columns: ``period, category, value,
    numerator, denominator, n_individuals, suppressed``, sorted by period and category.
    """

    def compute(cur, ctx):
        _check_scope(scope, _unit_frame(cur, ctx), level, scope_id)
        prefix = f"{by}="
        rows = _slice(cur, ctx, indicator_id, period_type).filter(
            (pl.col("level") == level)
            & (pl.col("scope_id") == scope_id)
            & pl.col("breakdown").str.starts_with(prefix)
        )
        return rows.select(
            "period", pl.col("breakdown").str.strip_prefix(prefix).alias("category"), *_OUT
        ).sort("period", "category")

    return _cached(
        "breakdown_series", conn, (scope, indicator_id, level, scope_id, period_type, by), compute
    )
