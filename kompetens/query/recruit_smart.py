"""Rekrytera smart: the qualified teaching hours lost at exits set against the hires, per subject.

Grain of ``lost_and_hired_by_subject``: one row per subject with lost qualified hours or a
filled requisition in the rolling 12 months ending in ``period`` (``YYYY-MM``), at one scope
row: a unit, an area or the organisation. It reads two key figures at their ``subject=<code>``
breakdown, with the whole-table mask applied (a hidden figure is null with ``<column>_suppressed``
true):

- ``lost_qualified_teaching_hours``: teaching hours per week with a qualified teacher that left
  with the exits (``lost_hours``), and the same as full-time posts (``lost_posts`` = hours /
  ``TEACHING_HOURS_PER_FTE``);
- ``filled_requisitions``: requisitions filled (``hires``) and, of those, filled by a certified
  person (``certified_hires``, the figure's numerator).

``certified_hires_minus_lost_posts`` says whether the hires replace what was lost: below zero,
fewer certified hires than the qualified posts the exits took. It is null when either side is
hidden (the difference could reveal a hidden figure). A subject missing from one figure counts
0 there (the engine stores no zero rows), unless that figure has no rows at all for the period
(no teaching assignments, or requisitions without subjects): then it stays null.
"""

from __future__ import annotations

import duckdb
import polars as pl

from kompetens.access.scope import Scope
from kompetens.core.labels import SUBJECT_LABELS
from kompetens.indicators.pipelines.subjects import TEACHING_HOURS_PER_FTE
from kompetens.query.cache import _cached
from kompetens.query.slices import _check_scope, _slice, _unit_frame

LOST_ID = "lost_qualified_teaching_hours"
HIRES_ID = "filled_requisitions"
_PREFIX = "subject="

SCHEMA: dict[str, pl.DataType] = {
    "level": pl.String(),
    "scope_id": pl.String(),
    "period": pl.String(),
    "subject": pl.String(),
    "subject_name": pl.String(),
    "lost_hours": pl.Float64(),
    "lost_posts": pl.Float64(),
    "lost_suppressed": pl.Boolean(),
    "hires": pl.Float64(),
    "certified_hires": pl.Float64(),
    "hires_suppressed": pl.Boolean(),
    "certified_hires_minus_lost_posts": pl.Float64(),
}


def _periods(cur: duckdb.DuckDBPyConnection, ctx: tuple) -> list[str]:
    found: set[str] = set()
    for indicator_id in (LOST_ID, HIRES_ID):
        rows = _slice(cur, ctx, indicator_id, "rolling_12m").filter(
            pl.col("breakdown").str.starts_with(_PREFIX)
            & (pl.col("breakdown") != f"{_PREFIX}unknown")
        )
        found |= set(rows["period"].to_list())
    return sorted(found)


def recruit_smart_periods(conn: duckdb.DuckDBPyConnection, scope: Scope) -> list[str]:
    """The rolling 12-month periods (``YYYY-MM``, oldest first) with lost hours or hires by subject.

    The same for every scope (periods name no unit); ``scope`` keeps the query layer's signature.
    """
    return _cached("recruit_smart_periods", conn, (scope,), _periods)


def lost_and_hired_by_subject(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    period: str | None = None,
    area: str | None = None,
    unit_id: str | None = None,
) -> pl.DataFrame:
    """Lost qualified hours beside hires per subject (module docstring), largest loss first.

    ``period``: a rolling 12 months' last month, default the newest with either figure.
    The scope row is ``unit_id``'s unit, else ``area``, else the organisation; a unit or area
    outside ``scope`` raises ``ScopeError``. Requisitions without a subject are left out.
    """

    def compute(cur, ctx):
        level, scope_id = (
            ("unit", unit_id)
            if unit_id is not None
            else ("area", area)
            if area is not None
            else ("org", "org")
        )
        _check_scope(scope, _unit_frame(cur, ctx), level, scope_id)
        periods = _periods(cur, ctx)
        p = period or (periods[-1] if periods else None)
        if p is None:
            return pl.DataFrame(schema=SCHEMA)

        def side(indicator_id: str) -> tuple[pl.DataFrame, bool]:
            rows = _slice(cur, ctx, indicator_id, "rolling_12m").filter(
                (pl.col("period") == p) & pl.col("breakdown").str.starts_with(_PREFIX)
            )
            present = rows.height > 0
            mine = rows.filter(
                (pl.col("level") == level)
                & (pl.col("scope_id") == scope_id)
                & (pl.col("breakdown") != f"{_PREFIX}unknown")
            ).with_columns(pl.col("breakdown").str.strip_prefix(_PREFIX).alias("subject"))
            return mine, present

        lost, has_lost = side(LOST_ID)
        hired, has_hires = side(HIRES_ID)
        joined = lost.select(
            "subject",
            pl.col("value").alias("lost_hours"),
            pl.col("suppressed").alias("lost_suppressed"),
        ).join(
            hired.select(
                "subject",
                pl.col("value").alias("hires"),
                pl.col("numerator").alias("certified_hires"),
                pl.col("suppressed").alias("hires_suppressed"),
            ),
            on="subject",
            how="full",
            coalesce=True,
        )
        if joined.height == 0:
            return pl.DataFrame(schema=SCHEMA)

        def zero_when_absent(value: str, hidden: str, present: bool) -> pl.Expr:
            # a missing row is a zero only when the figure exists for the period at all
            return (
                pl.when(pl.col(hidden).is_null() & present)
                .then(0.0)
                .otherwise(pl.col(value))
                .alias(value)
            )

        out = (
            joined.with_columns(
                zero_when_absent("lost_hours", "lost_suppressed", has_lost),
                zero_when_absent("hires", "hires_suppressed", has_hires),
                zero_when_absent("certified_hires", "hires_suppressed", has_hires),
            )
            .with_columns(
                pl.col("lost_suppressed").fill_null(False),
                pl.col("hires_suppressed").fill_null(False),
                (pl.col("lost_hours") / TEACHING_HOURS_PER_FTE).alias("lost_posts"),
            )
            .with_columns(
                pl.when(pl.col("lost_suppressed") | pl.col("hires_suppressed"))
                .then(None)
                .otherwise(pl.col("certified_hires") - pl.col("lost_posts"))
                .alias("certified_hires_minus_lost_posts"),
                pl.col("subject")
                .replace_strict(SUBJECT_LABELS, default=pl.col("subject"))
                .alias("subject_name"),
                pl.lit(level).alias("level"),
                pl.lit(scope_id).alias("scope_id"),
                pl.lit(p).alias("period"),
            )
        )
        return (
            out.select(list(SCHEMA))
            .cast(SCHEMA)
            .sort(
                ["lost_hours", "hires", "subject"], descending=[True, True, False], nulls_last=True
            )
        )

    return _cached("lost_and_hired_by_subject", conn, (scope, period, area, unit_id), compute)
