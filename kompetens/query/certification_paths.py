"""Certification paths per unit for HR: where the paths stand and how many are expected to finish.

Grain of ``path_progress``: one row per visible unit with certification paths in the period
(key figure ``certification_path_progress`` at the unit level, breakdowns ``all`` and
``path_status=<status>``), with ``expected_completions`` of the period's year beside it. Counts are
paths (a person on two subjects has two); the whole-table mask is applied: a hidden count is
null with ``<column>_suppressed`` true, as everywhere (fewer than five people, or recoverable
by subtraction). Scope is enforced here: other areas' units are never read out.
"""

from __future__ import annotations

import duckdb
import polars as pl

from kompetens.access.scope import Scope
from kompetens.indicators.pipelines.paths import PATH_STATUSES
from kompetens.query.cache import _cached
from kompetens.query.periods import _period_type_of
from kompetens.query.slices import _check_area, _slice, _unit_frame

PROGRESS_ID = "certification_path_progress"
EXPECTED_ID = "expected_completions"

#: The count columns of ``path_progress``, in display order (each with ``<name>_suppressed``).
COUNT_COLUMNS: tuple[str, ...] = ("paths", *PATH_STATUSES, "expected_this_year")

_SCHEMA: dict[str, pl.DataType] = {
    "unit_id": pl.String(),
    "unit_name": pl.String(),
    "area": pl.String(),
    "school_form": pl.String(),
    **{
        name: dtype
        for column in COUNT_COLUMNS
        for name, dtype in ((column, pl.Float64()), (f"{column}_suppressed", pl.Boolean()))
    },
}


def path_periods(conn: duckdb.DuckDBPyConnection, scope: Scope) -> list[str]:
    """The months (``YYYY-MM``) with certification-path progress, oldest first; [] without paths."""

    def compute(cur, ctx):
        frame = _slice(cur, ctx, PROGRESS_ID, "month")
        return sorted(frame["period"].unique().to_list())

    return _cached("path_periods", conn, (scope,), compute)


def path_progress(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    period: str,
    area: str | None = None,
    level: str = "unit",
) -> pl.DataFrame:
    """Certification paths per visible unit (or, ``level='area'``, per area the scope is given:
    ``unit_name`` is then the area, ``unit_id`` and ``school_form`` empty) at ``period`` (``'YYYY-MM'`` or
    ``'YYYY'``).

    Columns: ``unit_id, unit_name, area, school_form``, then ``paths`` (started by the period),
    ``ongoing``, ``overdue`` (expected completion passed, certification flag unchanged),
    ``completed``, ``left`` and ``expected_this_year`` (paths expected to finish in the period's
    year), each with ``<column>_suppressed``. Sorted by overdue paths (most first; hidden last),
    then by paths, then unit name. A status no path has is 0. Empty without certification paths.
    """

    def compute(cur, ctx):
        if area is not None:
            _check_area(scope, area)
        if level not in ("unit", "area"):
            raise ValueError(f"okänd nivå {level!r}")
        visible = scope.visible_units(_unit_frame(cur, ctx))
        if area is not None:
            visible = visible.filter(pl.col("area") == area)
        if level == "area":
            if scope.level != "org":  # the areas the scope is given, as for every area figure
                visible = visible.filter(pl.col("area").is_in(list(scope.areas)))
            visible = visible.select(
                pl.col("area").alias("unit_id"),
                pl.col("area").alias("unit_name"),
                "area",
                pl.lit(None, dtype=pl.String).alias("school_form"),
            ).unique(maintain_order=True)
        progress = _slice(cur, ctx, PROGRESS_ID, _period_type_of(period)).filter(
            (pl.col("period") == period) & (pl.col("level") == level)
        )
        if progress.height == 0:
            return pl.DataFrame(schema=_SCHEMA)
        year = period[:4]
        expected = _slice(cur, ctx, EXPECTED_ID, "year").filter(
            (pl.col("period") == year) & (pl.col("level") == level) & (pl.col("breakdown") == "all")
        )
        column = (
            pl.when(pl.col("breakdown") == "all")
            .then(pl.lit("paths"))
            .otherwise(pl.col("breakdown").str.strip_prefix("path_status="))
        )
        parts = [
            progress.with_columns(column.alias("column")),
            expected.with_columns(pl.lit("expected_this_year").alias("column")),
        ]
        long = pl.concat(
            [
                p.select(pl.col("scope_id").alias("unit_id"), "column", "value", "suppressed")
                for p in parts
            ]
        )
        values = long.pivot("column", index="unit_id", values="value")
        hidden = long.pivot("column", index="unit_id", values="suppressed")
        hidden = hidden.rename({c: f"{c}_suppressed" for c in hidden.columns if c != "unit_id"})
        out = (
            visible.select("unit_id", "unit_name", "area", "school_form")
            .join(progress.select(pl.col("scope_id").alias("unit_id")).unique(), on="unit_id")
            .join(values, on="unit_id", how="left")
            .join(hidden, on="unit_id", how="left")
        )
        for c in COUNT_COLUMNS:
            if c not in out.columns:
                out = out.with_columns(pl.lit(None, dtype=pl.Float64).alias(c))
            if f"{c}_suppressed" not in out.columns:
                out = out.with_columns(pl.lit(None, dtype=pl.Boolean).alias(f"{c}_suppressed"))
        # No row for a status at a unit (no path has it) is 0, unless the unit's total is hidden:
        # then a 0 would tell the hidden paths' status, so it is hidden too.
        total_hidden = pl.col("paths_suppressed").fill_null(False)
        for c in COUNT_COLUMNS:
            missing = pl.col(c).is_null() & ~pl.col(f"{c}_suppressed").fill_null(False)
            hide = pl.col(f"{c}_suppressed").fill_null(False) | (missing & total_hidden)
            out = out.with_columns(
                pl.when(hide).then(None).otherwise(pl.col(c).fill_null(0.0)).alias(c),
                hide.alias(f"{c}_suppressed"),
            )
        if level == "area":  # the join key was the area: an area row names no unit
            out = out.with_columns(pl.lit(None, dtype=pl.String).alias("unit_id"))
        return (
            out.select(list(_SCHEMA))
            .cast({k: v for k, v in _SCHEMA.items()})
            .sort("overdue", "paths", "unit_name", descending=[True, True, False], nulls_last=True)
        )

    return _cached("path_progress", conn, (scope, period, area, level), compute)
