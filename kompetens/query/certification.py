"""Certification of teachers and preschool teachers (the Behörighet and Översikt pages).

Per unit certification figures, a unit's licence status and the pedagogical
segregation of certified teachers across schools.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from kompetens.access.scope import Scope
from kompetens.analysis import segregation as seg
from kompetens.core import store
from kompetens.core.labels import LICENCE_STATUS_LABELS, PRESCHOOL_LICENCE_STATUS_LABELS
from kompetens.indicators.key_figures import KEY_FIGURE_SCHEMA
from kompetens.query.cache import _cached, _has_table
from kompetens.query.comparison import _unit_long
from kompetens.query.periods import _period_type_of
from kompetens.query.slices import _check_area, _check_scope, _slice, _unit_frame
from kompetens.query.suppression import apply_suppression

#: The certification share of each post category: teachers in schools, preschool teachers in preschools.
CERTIFICATION_SHARES: dict[str, str] = {
    "teacher": "certified_teacher_share",
    "preschool_teacher": "licensed_preschool_teacher_share",
}


def certification_units(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    staff_category: str,
    period: str,
    area: str | None = None,
    school_form: str | None = None,
) -> pl.DataFrame:
    """The units' certification figures for one period (``'YYYY'`` or ``'YYYY-MM'``) and post category.

    ``staff_category``: ``'teacher'`` (``certified_teacher_share``, schools) or
    ``'preschool_teacher'`` (``licensed_preschool_teacher_share``, preschools).
    Grain: one row per unit that has the share in the period. Columns:
    ``unit_id, unit_name, area, school_form, socioeconomic_index, share,
    certified_fte, teacher_fte, target, status, gap_fte, path_share,
    temporary_share`` and a boolean ``<column>_suppressed`` beside every figure
    (the convention of ``kompetens.present.exports``). FTE are full-time equivalents;
    shares are fractions. The path and fixed-term shares are those of the
    category's posts (breakdown ``staff_category=…``).
    """
    if staff_category not in CERTIFICATION_SHARES:
        raise ValueError(f"okänd personalkategori {staff_category!r}")
    share_id = CERTIFICATION_SHARES[staff_category]

    def compute(cur, ctx):
        pt = _period_type_of(period)
        base = _unit_long(
            cur,
            ctx,
            scope,
            (share_id, "certification_gap_fte"),
            pt,
            period,
            area,
            school_form,
            "all",
        )
        by_category = _unit_long(
            cur,
            ctx,
            scope,
            ("on_certification_path_share", "temporary_teacher_share"),
            pt,
            period,
            area,
            school_form,
            f"staff_category={staff_category}",
        )

        def part(frame: pl.DataFrame, indicator_id: str, name: str) -> pl.DataFrame:
            return frame.filter(pl.col("indicator_id") == indicator_id).select(
                "unit_id",
                pl.col("value").alias(name),
                pl.col("suppressed").alias(f"{name}_suppressed"),
            )

        shares = base.filter(pl.col("indicator_id") == share_id).select(
            "unit_id",
            "unit_name",
            "area",
            "school_form",
            "socioeconomic_index",
            pl.col("value").alias("share"),
            pl.col("suppressed").alias("share_suppressed"),
            pl.col("numerator").alias("certified_fte"),
            pl.col("suppressed").alias("certified_fte_suppressed"),
            pl.col("denominator").alias("teacher_fte"),
            pl.col("suppressed").alias("teacher_fte_suppressed"),
            "target",
            "status",
        )
        out = shares
        for frame, indicator_id, name in (
            (base, "certification_gap_fte", "gap_fte"),
            (by_category, "on_certification_path_share", "path_share"),
            (by_category, "temporary_teacher_share", "temporary_share"),
        ):
            out = out.join(part(frame, indicator_id, name), on="unit_id", how="left").with_columns(
                pl.col(f"{name}_suppressed").fill_null(False)
            )
        return out.sort("area", "unit_name", "unit_id")

    return _cached(
        "certification_units", conn, (scope, staff_category, period, area, school_form), compute
    )


# Licence status labels of a teacher post (schools) or a preschool teacher (preschools), in display
# order, live in core.labels (LICENCE_STATUS_LABELS is re-exported by the query package).


def licence_status(
    conn: duckdb.DuckDBPyConnection, scope: Scope, unit_id: str, period: str
) -> pl.DataFrame:
    """A unit's teacher FTE by licence and qualification in one snapshot month.

    ``period``: ``'YYYY'`` (the reference month of the key figures, October by
    default) or ``'YYYY-MM'``. Posts: teachers in schools, preschool teachers in
    preschools (where "qualified in the subject" does not apply). Grain: one row
    per status (``LICENCE_STATUS_LABELS``) plus ``all``: ``status, label, fte,
    share, n_individuals, suppressed``. Cells on fewer than 5 people are
    suppressed, and a second cell with them, so the total cannot reveal them.
    """

    def compute(cur, ctx):
        unit_frame = _unit_frame(cur, ctx)
        _check_scope(scope, unit_frame, "unit", unit_id)
        hit = unit_frame.filter(pl.col("unit_id") == unit_id)
        form = hit["school_form"].item(0) if hit.height else None
        area = hit["area"].item(0) if hit.height else None
        if len(period) > 4:
            year, month = int(period[:4]), int(period[5:7])
        else:
            ref = None
            if _has_table(cur, "key_figures_meta"):
                ref = store.scalar(cur, "SELECT max(reference_month) FROM key_figures_meta")
            year, month = int(period), int(ref or 10)
        start = f"{year:04d}-{month:02d}-01"
        end = f"{year + month // 12:04d}-{month % 12 + 1:02d}-01"
        category = "preschool_teacher" if form == "forskola" else "teacher"
        staff = store.frame(
            cur,
            "SELECT snapshot_date, employee_id, fte, licensed, qualified FROM current_staff "
            "WHERE unit_id = ? AND staff_category = ? AND snapshot_date >= CAST(? AS DATE) "
            "AND snapshot_date < CAST(? AS DATE)",
            [unit_id, category, start, end],
        )
        schema = {
            "status": pl.String,
            "label": pl.String,
            "fte": pl.Float64,
            "share": pl.Float64,
            "n_individuals": pl.Int64,
            "suppressed": pl.Boolean,
        }
        if staff.height == 0:
            return pl.DataFrame(schema=schema)
        staff = staff.filter(pl.col("snapshot_date") == pl.col("snapshot_date").max())
        licensed = pl.col("licensed").fill_null(False)
        qualified = pl.col("qualified").fill_null(False) | pl.lit(category == "preschool_teacher")
        staff = staff.with_columns(
            pl.when(licensed & qualified)
            .then(pl.lit("licensed_qualified"))
            .when(licensed)
            .then(pl.lit("licensed_only"))
            .otherwise(pl.lit("not_licensed"))
            .alias("status"),
            pl.col("fte").cast(pl.Float64).fill_null(0.0),
        )
        statuses = (
            ["licensed_qualified", "not_licensed"]
            if category == "preschool_teacher"
            else list(LICENCE_STATUS_LABELS)
        )
        total_fte = float(staff["fte"].sum())
        total_n = staff["employee_id"].n_unique()
        rows = [("all", total_fte, total_n)]
        for status in statuses:
            part = staff.filter(pl.col("status") == status)
            rows.append(
                (f"licence={status}", float(part["fte"].sum()), part["employee_id"].n_unique())
            )
        raw = pl.DataFrame(
            {
                "indicator_id": ["licence_status"] * len(rows),
                "level": ["unit"] * len(rows),
                "scope_id": [unit_id] * len(rows),
                "period_type": [_period_type_of(period)] * len(rows),
                "period": [period] * len(rows),
                "breakdown": [r[0] for r in rows],
                "numerator": [r[1] for r in rows],
                "denominator": [total_fte] * len(rows),
                "value": [r[1] / total_fte if total_fte > 0 else None for r in rows],
                "n_individuals": [r[2] for r in rows],
            },
            schema=KEY_FIGURE_SCHEMA,
        )
        out = apply_suppression(raw, {unit_id: area or ""})
        labels = {
            "all": "Alla",
            **(
                PRESCHOOL_LICENCE_STATUS_LABELS
                if category == "preschool_teacher"
                else LICENCE_STATUS_LABELS
            ),
        }
        return out.select(
            pl.col("breakdown").str.strip_prefix("licence=").alias("status"),
            pl.col("breakdown")
            .str.strip_prefix("licence=")
            .replace_strict(labels, default=None)
            .alias("label"),
            pl.col("numerator").alias("fte"),
            pl.col("value").alias("share"),
            "n_individuals",
            "suppressed",
        ).cast(schema)

    return _cached("licence_status", conn, (scope, unit_id, period), compute)


@dataclass(frozen=True)
class SegregationResult:
    """Points for the scatter (suppressed values hidden) and the statistics over the visible points."""

    period: str | None
    points: pl.DataFrame
    stats: seg.SegregationStats


def segregation(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    period: str | None = None,
    *,
    area: str | None = None,
    school_form: str | None = None,
) -> SegregationResult:
    """Pedagogical segregation across the scope's schools for one period.

    ``period``: ``'YYYY'`` (yearly value, default the newest) or ``'YYYY-MM'``;
    ``area`` / ``school_form`` narrow the schools (the sidebar filters).
    ``points``: one row per school unit with ``unit_id, unit_name, area,
    school_form, socioeconomic_index, value, numerator, denominator
    (teacher FTE), suppressed``. Statistics use visible points only, so they
    cannot reveal a suppressed school's share.
    """

    def compute(cur, ctx):
        period_type = "month" if period and len(period) > 4 else "year"
        sl = _slice(cur, ctx, "certified_teacher_share", period_type).filter(
            (pl.col("level") == "unit") & (pl.col("breakdown") == "all")
        )
        p = period or (sl["period"].max() if sl.height else "")
        unit_frame = _unit_frame(cur, ctx)
        visible = scope.visible_units(unit_frame)
        if area is not None:
            _check_area(scope, area)
            visible = visible.filter(pl.col("area") == area)
        if school_form is not None:
            visible = visible.filter(pl.col("school_form") == school_form)
        rows = sl.filter(pl.col("period") == p).join(
            visible.rename({"unit_id": "scope_id"}).drop("area"), on="scope_id", how="inner"
        )
        points = rows.select(
            pl.col("scope_id").alias("unit_id"),
            "unit_name",
            "area",
            "school_form",
            "socioeconomic_index",
            "value",
            "numerator",
            "denominator",
            "suppressed",
        ).sort("unit_id")
        stats = seg.segregation_stats(points.filter(~pl.col("suppressed")))
        return SegregationResult(p or None, points, stats)

    return _cached("segregation", conn, (scope, period, area, school_form), compute)
