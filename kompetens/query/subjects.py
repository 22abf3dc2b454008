"""Qualification per subject (teaching assignments): the Behörighet page's subject view and the
dialogue's largest subject gaps.

Grain of ``subject_units``: one row per visible unit x subject with teaching hours in the period
(key figures ``certified_teaching_hours_share`` and ``uncertified_teaching_hours`` at the unit
level, breakdown ``subject=<code>``), with the whole-table mask applied: a hidden figure is null
with ``<column>_suppressed`` true. Hours are teaching hours per week; posts are those hours
over ``TEACHING_HOURS_PER_FTE``. With ``grades`` (``'F-3'``, ``'4-6'``, ``'7-9'``, ``'gy'``) the
rows are the subjects' hours in those grades (breakdown ``subject_grades=<code>:<grades>``);
``unit_subject_grades`` gives one unit's subjects in every grade band (the drill from a unit).
"""

from __future__ import annotations

import duckdb
import polars as pl

from kompetens.access.scope import Scope, ScopeError
from kompetens.core.labels import GRADES_LABELS, SUBJECT_LABELS
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
    "grades": pl.String,
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
    grades: str | None = None,
) -> pl.DataFrame:
    """Unit x subject qualification for one period (``'YYYY'`` or ``'YYYY-MM'``), sorted by the
    gap in hours (largest first; hidden gaps last). Empty without teaching assignments.

    ``grades``: only the hours taught in those grades (``'7-9'``; ``grades`` column set), else
    all of a subject's hours (``grades`` null)."""
    return _subject_rows(conn, scope, period, area, school_form, unit_id, grades, False)


def unit_subject_grades(
    conn: duckdb.DuckDBPyConnection, scope: Scope, unit_id: str, period: str
) -> pl.DataFrame:
    """One unit's subject x grades rows (schema of ``subject_units``, ``grades`` set), sorted by
    subject name and then grades; ``ScopeError`` for a unit outside the scope."""
    rows = _subject_rows(conn, scope, period, None, None, unit_id, None, True)
    order = {g: i for i, g in enumerate(GRADES_LABELS)}
    return rows.sort(
        pl.col("subject_name"),
        pl.col("grades").replace_strict(order, default=len(order), return_dtype=pl.Int64),
    )


def _subject_rows(conn, scope, period, area, school_form, unit_id, grades, every_grade):
    """``subject_units`` (``every_grade`` false) or every subject x grades row (true)."""
    by_grades = every_grade or grades is not None

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
                    & pl.col("breakdown").str.starts_with(prefix)
                    & (pl.col("breakdown").str.ends_with(f":{grades}") if grades else True)
                )
                .select(
                    pl.col("scope_id").alias("unit_id"),
                    pl.col("breakdown").str.strip_prefix(prefix).alias("_code"),
                    pl.col("value").alias(name),
                    pl.col("suppressed").alias(f"{name}_suppressed"),
                )
                .with_columns(
                    pl.col("_code").str.extract(r"^([^:]*)").alias("subject"),
                    (
                        pl.col("_code").str.extract(r":(.*)$")
                        if by_grades
                        else pl.lit(None, dtype=pl.String)
                    ).alias("grades"),
                )
                .drop("_code")
            )

        prefix = "subject_grades=" if by_grades else "subject="

        shares = unit_rows(SHARE_ID, "share")
        gaps = unit_rows(GAP_ID, "uncertified_hours")
        if shares.height == 0 and gaps.height == 0:
            return pl.DataFrame(schema=_SCHEMA)
        out = (
            shares.join(
                gaps,
                on=["unit_id", "subject", "grades"],
                how="full",
                coalesce=True,
                nulls_equal=True,
            )
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

    key = (scope, period, area, school_form, unit_id, grades, every_grade)
    return _cached("subject_units", conn, key, compute)


def largest_subject_gaps(
    conn: duckdb.DuckDBPyConnection, scope: Scope, unit_id: str, period: str, n: int = 3
) -> pl.DataFrame:
    """The unit's ``n`` subjects with the most uncertified hours (visible and above zero)."""
    rows = subject_units(conn, scope, period, unit_id=unit_id)
    return rows.filter(
        ~pl.col("uncertified_hours_suppressed") & (pl.col("uncertified_hours") > 0)
    ).head(n)
