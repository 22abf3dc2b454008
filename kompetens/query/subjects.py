"""Qualification per subject (teaching assignments): the Behörighet page's subject view and the
dialogue's largest subject gaps.

Grain of ``subject_units``: one row per visible unit x subject with teaching hours in the period
(key figures ``certified_teaching_hours_share`` and ``uncertified_teaching_hours`` at the unit
level, breakdown ``subject=<code>``), with the whole-table mask applied: a hidden figure is null
with ``<column>_suppressed`` true. Hours are teaching hours per week; posts are those hours
over ``TEACHING_HOURS_PER_FTE``.
"""

from __future__ import annotations

import duckdb
import polars as pl

from kompetens.access.scope import Scope, ScopeError
from kompetens.core.labels import SUBJECT_LABELS
from kompetens.indicators.pipelines.subjects import TEACHING_HOURS_PER_FTE
from kompetens.query.cache import _cached
from kompetens.query.periods import _period_type_of
from kompetens.query.slices import _check_area, _slice, _unit_frame

SHARE_ID = "certified_teaching_hours_share"
GAP_ID = "uncertified_teaching_hours"
LACKING_ID = "subjects_without_certified_teacher"


_SCHEMA = {
    "unit_id": pl.String,
    "unit_name": pl.String,
    "area": pl.String,
    "school_form": pl.String,
    "subject": pl.String,
    "subject_name": pl.String,
    "share": pl.Float64,
    "share_suppressed": pl.Boolean,
    "uncertified_hours": pl.Float64,
    "uncertified_hours_suppressed": pl.Boolean,
    "uncertified_fte": pl.Float64,
    "uncertified_fte_suppressed": pl.Boolean,
}


def subject_units(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    period: str,
    area: str | None = None,
    school_form: str | None = None,
    unit_id: str | None = None,
) -> pl.DataFrame:
    """Unit x subject qualification for one period (``'YYYY'`` or ``'YYYY-MM'``), sorted by the
    gap in hours (largest first; hidden gaps last). Empty without teaching assignments."""

    def compute(cur, ctx):
        pt = _period_type_of(period)
        if area is not None:
            _check_area(scope, area)
        visible = scope.visible_units(_unit_frame(cur, ctx))
        if unit_id is not None and unit_id not in visible["unit_id"].to_list():
            raise ScopeError(f"enheten {unit_id!r} ligger utanför din behörighet")
        if area is not None:
            visible = visible.filter(pl.col("area") == area)
        if school_form is not None:
            visible = visible.filter(pl.col("school_form") == school_form)
        if unit_id is not None:
            visible = visible.filter(pl.col("unit_id") == unit_id)

        def unit_rows(indicator_id: str, name: str) -> pl.DataFrame:
            return (
                _slice(cur, ctx, indicator_id, pt)
                .filter(
                    (pl.col("period") == period)
                    & (pl.col("level") == "unit")
                    & pl.col("breakdown").str.starts_with("subject=")
                )
                .select(
                    pl.col("scope_id").alias("unit_id"),
                    pl.col("breakdown").str.strip_prefix("subject=").alias("subject"),
                    pl.col("value").alias(name),
                    pl.col("suppressed").alias(f"{name}_suppressed"),
                )
            )

        shares = unit_rows(SHARE_ID, "share")
        gaps = unit_rows(GAP_ID, "uncertified_hours")
        if shares.height == 0 and gaps.height == 0:
            return pl.DataFrame(schema=_SCHEMA)
        out = (
            shares.join(gaps, on=["unit_id", "subject"], how="full", coalesce=True)
            .join(
                visible.select("unit_id", "unit_name", "area", "school_form"),
                on="unit_id",
                how="inner",
            )
            .with_columns(
                pl.col("subject")
                .replace_strict(SUBJECT_LABELS, default=pl.col("subject"))
                .alias("subject_name"),
                pl.col("share_suppressed").fill_null(False),
                pl.col("uncertified_hours_suppressed").fill_null(False),
                (pl.col("uncertified_hours") / TEACHING_HOURS_PER_FTE).alias("uncertified_fte"),
                pl.col("uncertified_hours_suppressed")
                .fill_null(False)
                .alias("uncertified_fte_suppressed"),
            )
        )
        return out.select(list(_SCHEMA)).sort(
            "uncertified_hours",
            "unit_name",
            "subject",
            descending=[True, False, False],
            nulls_last=True,
        )

    return _cached("subject_units", conn, (scope, period, area, school_form, unit_id), compute)


def largest_subject_gaps(
    conn: duckdb.DuckDBPyConnection, scope: Scope, unit_id: str, period: str, n: int = 3
) -> pl.DataFrame:
    """The unit's ``n`` subjects with the most uncertified hours (visible and above zero)."""
    rows = subject_units(conn, scope, period, unit_id=unit_id)
    return rows.filter(
        ~pl.col("uncertified_hours_suppressed") & (pl.col("uncertified_hours") > 0)
    ).head(n)
