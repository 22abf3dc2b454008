"""What a scope can choose from: periods with figures, areas, units and the newest month."""

from __future__ import annotations

import duckdb
import polars as pl

from kompetens.access.scope import Scope
from kompetens.core import store
from kompetens.query.cache import _cached, _has_table
from kompetens.query.periods import PeriodType
from kompetens.query.slices import _check_area, _unit_frame


def available_periods(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    period_type: PeriodType,
    indicator_id: str | None = None,
) -> pl.DataFrame:
    """Periods that have key figures, oldest first. Grain: one row per ``period``."""

    def compute(cur, ctx):
        if not _has_table(cur, "key_figures"):
            return pl.DataFrame(schema={"period": pl.String})
        if indicator_id is None:
            sql, params = (
                "SELECT DISTINCT period FROM key_figures WHERE period_type = ? ORDER BY period",
                [period_type],
            )
        else:
            sql = "SELECT DISTINCT period FROM key_figures WHERE period_type = ? AND indicator_id = ? ORDER BY period"
            params = [period_type, indicator_id]
        frame = store.frame(cur, sql, params)
        return (
            frame.cast({"period": pl.String})
            if frame.height
            else pl.DataFrame(schema={"period": pl.String})
        )

    return _cached("available_periods", conn, (period_type, indicator_id), compute)


def areas(conn: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Areas the scope may see. Grain: one row per area (``area, n_units``)."""

    def compute(cur, ctx):
        units = _unit_frame(cur, ctx)
        if scope.level != "org":
            units = units.filter(pl.col("area").is_in(list(scope.areas)))
        return units.group_by("area").agg(pl.len().cast(pl.Int64).alias("n_units")).sort("area")

    return _cached("areas", conn, (scope,), compute)


def units(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    area: str | None = None,
    school_form: str | None = None,
) -> pl.DataFrame:
    """Units the scope may see, optionally of one area and school form.

    Grain: one row per unit (``unit_id, unit_name, area, school_form, socioeconomic_index``).
    """

    def compute(cur, ctx):
        frame = _unit_frame(cur, ctx)
        if area is not None:
            _check_area(scope, area)
            frame = frame.filter(pl.col("area") == area)
        frame = scope.visible_units(frame)
        if school_form is not None:
            frame = frame.filter(pl.col("school_form") == school_form)
        return frame

    return _cached("units", conn, (scope, area, school_form), compute)


def latest_month(conn: duckdb.DuckDBPyConnection, scope: Scope) -> str | None:
    """The newest month (``YYYY-MM``) of any monthly or rolling key figure."""
    periods = [
        p
        for pt in ("month", "rolling_12m")
        for p in available_periods(conn, scope, pt)["period"].to_list()
    ]  # type: ignore[arg-type]
    return max(periods) if periods else None
