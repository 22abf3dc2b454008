"""Units beside their area, the organisation, their target and last year: tables, comparisons, headline cards."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from kompetens.access.scope import Level, Scope
from kompetens.query.cache import _cached
from kompetens.query.periods import PeriodType, previous_period
from kompetens.query.slices import _check_area, _check_scope, _slice, _unit_frame
from kompetens.query.status import (
    _attach_targets,
    _indicator,
    _meta,
    direction_sign,
    status_expr,
)


def _unit_long(
    cur,
    ctx,
    scope: Scope,
    indicator_ids: tuple[str, ...],
    period_type: str,
    period: str,
    area: str | None,
    school_form: str | None,
    breakdown: str,
) -> pl.DataFrame:
    unit_frame = _unit_frame(cur, ctx)
    if area is not None:
        _check_area(scope, area)
    visible = scope.visible_units(unit_frame)
    if area is not None:
        visible = visible.filter(pl.col("area") == area)
    if school_form is not None:
        visible = visible.filter(pl.col("school_form") == school_form)
    parts = []
    for ind in indicator_ids:
        rows = _slice(cur, ctx, ind, period_type).filter(
            (pl.col("period") == period) & (pl.col("breakdown") == breakdown)
        )
        unit_rows = rows.filter(pl.col("level") == "unit").join(
            visible.select(pl.col("unit_id").alias("scope_id")), on="scope_id", how="semi"
        )
        area_rows = rows.filter(pl.col("level") == "area").select(
            pl.col("scope_id").alias("area"),
            pl.col("value").alias("area_value"),
            pl.col("suppressed").alias("area_suppressed"),
        )
        org_rows = rows.filter(pl.col("level") == "org")
        org_value = org_rows["value"].item(0) if org_rows.height else None
        org_hidden = bool(org_rows["suppressed"].item(0)) if org_rows.height else False
        parts.append(
            unit_rows.join(area_rows, on="area", how="left").with_columns(
                pl.lit(org_value, dtype=pl.Float64).alias("org_value"),
                pl.lit(org_hidden, dtype=pl.Boolean).alias("org_suppressed"),
            )
        )
    if not parts:
        return pl.DataFrame()
    long = pl.concat(parts, how="vertical_relaxed")
    long = _attach_targets(long, cur, ctx).join(_meta(indicator_ids), on="indicator_id", how="left")
    long = long.with_columns(status_expr().alias("status"))
    # Values of areas outside the scope never leave the function.
    if scope.level != "org":
        long = long.with_columns(
            pl.when(pl.col("area").is_in(list(scope.areas)))
            .then(pl.col("area_value"))
            .otherwise(None)
            .alias("area_value")
        )
    return long.join(
        visible.select("unit_id", "unit_name", "school_form", "socioeconomic_index").rename(
            {"unit_id": "scope_id"}
        ),
        on="scope_id",
        how="left",
    ).select(
        pl.col("scope_id").alias("unit_id"),
        "unit_name",
        "area",
        "school_form",
        "socioeconomic_index",
        "indicator_id",
        "value",
        "numerator",
        "denominator",
        "n_individuals",
        "suppressed",
        "area_value",
        "area_suppressed",
        "org_value",
        "org_suppressed",
        "target",
        "status",
    )


def unit_values(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_ids: Iterable[str],
    period_type: PeriodType,
    period: str,
    area: str | None = None,
    school_form: str | None = None,
    breakdown: str = "all",
) -> pl.DataFrame:
    """Unit values for one period, long form: one row per unit × indicator.

    Columns: ``unit_id, unit_name, area, school_form, socioeconomic_index,
    indicator_id, value, numerator, denominator, n_individuals, suppressed,
    area_value, area_suppressed, org_value, org_suppressed, target, status``.
    """
    ids = tuple(indicator_ids)

    def compute(cur, ctx):
        return _unit_long(
            cur, ctx, scope, ids, period_type, period, area, school_form, breakdown
        ).sort("area", "unit_name", "indicator_id")

    return _cached(
        "unit_values",
        conn,
        (scope, ids, period_type, period, area, school_form, breakdown),
        compute,
    )


def unit_table(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_ids: Iterable[str],
    period_type: PeriodType,
    period: str,
    area: str | None = None,
    school_form: str | None = None,
    breakdown: str = "all",
) -> pl.DataFrame:
    """One row per unit (that has a figure for any of the indicators) for one period.

    Columns: ``unit_id, unit_name, area, school_form, socioeconomic_index`` and
    per indicator ``<id>`` (value, null if suppressed), ``<id>__suppressed``,
    ``<id>__area``, ``<id>__org``, ``<id>__target``, ``<id>__status``.
    """
    ids = tuple(indicator_ids)

    def compute(cur, ctx):
        long = _unit_long(cur, ctx, scope, ids, period_type, period, area, school_form, breakdown)
        base_cols = ["unit_id", "unit_name", "area", "school_form", "socioeconomic_index"]
        if long.height == 0:
            schema = {c: pl.String for c in base_cols} | {"socioeconomic_index": pl.Float64}
            for i in ids:
                schema |= {
                    i: pl.Float64,
                    f"{i}__suppressed": pl.Boolean,
                    f"{i}__area": pl.Float64,
                    f"{i}__org": pl.Float64,
                    f"{i}__target": pl.Float64,
                    f"{i}__status": pl.String,
                }
            return pl.DataFrame(schema=schema)
        table = long.select(base_cols).unique("unit_id")
        for i in ids:
            part = long.filter(pl.col("indicator_id") == i).select(
                "unit_id",
                pl.col("value").alias(i),
                pl.col("suppressed").alias(f"{i}__suppressed"),
                pl.col("area_value").alias(f"{i}__area"),
                pl.col("org_value").alias(f"{i}__org"),
                pl.col("target").alias(f"{i}__target"),
                pl.col("status").alias(f"{i}__status"),
            )
            table = table.join(part, on="unit_id", how="left")
        return table.sort("area", "unit_name", "unit_id")

    return _cached(
        "unit_table", conn, (scope, ids, period_type, period, area, school_form, breakdown), compute
    )


def compare(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    unit_id: str,
    indicator_ids: Iterable[str],
    period_type: PeriodType,
    period: str,
) -> pl.DataFrame:
    """One unit against its area, the organisation, its target and itself a year earlier.

    Grain: one row per indicator. Columns: ``indicator_id, name_sv, unit_value,
    unit_suppressed, area, area_value, area_suppressed, org_value, org_suppressed, target,
    previous_value, previous_suppressed, change, status, rank_in_area,
    units_in_area``. ``change`` = value − previous value; ``rank_in_area`` 1 =
    best among the area's visible unit values (by the indicator's direction;
    neutral indicators rank highest value first).
    """
    ids = tuple(indicator_ids)

    def compute(cur, ctx):
        unit_frame = _unit_frame(cur, ctx)
        _check_scope(scope, unit_frame, "unit", unit_id)
        unit_area = unit_frame.filter(pl.col("unit_id") == unit_id)["area"]
        area = unit_area.item(0) if unit_area.len() else None
        prev = previous_period(period)
        rows = []
        for ind in ids:
            sl = _slice(cur, ctx, ind, period_type).filter(pl.col("breakdown") == "all")
            now = sl.filter(pl.col("period") == period)

            def pick(frame: pl.DataFrame, level: str, sid: str | None) -> tuple[float | None, bool]:
                hit = frame.filter((pl.col("level") == level) & (pl.col("scope_id") == sid))
                if hit.height == 0:
                    return None, False
                return hit["value"].item(0), bool(hit["suppressed"].item(0))

            u_val, u_sup = pick(now, "unit", unit_id)
            a_val, a_sup = pick(now, "area", area)
            o_val, o_sup = pick(now, "org", "org")
            p_val, p_sup = pick(sl.filter(pl.col("period") == prev), "unit", unit_id)
            sign = direction_sign(ind)
            peers = now.filter(
                (pl.col("level") == "unit")
                & (pl.col("area") == area)
                & pl.col("value").is_not_null()
            )
            rank = None
            if u_val is not None and peers.height:
                better = peers.filter((pl.col("value") * (sign or 1)) > u_val * (sign or 1)).height
                rank = better + 1
            rows.append(
                {
                    "indicator_id": ind,
                    "name_sv": _indicator(ind).name_sv,
                    "unit_value": u_val,
                    "unit_suppressed": u_sup,
                    "area": area,
                    "area_value": a_val if area is not None and scope.allows_area(area) else None,
                    "area_suppressed": a_sup,
                    "org_value": o_val,
                    "org_suppressed": o_sup,
                    "previous_value": p_val,
                    "previous_suppressed": p_sup,
                    "change": (u_val - p_val) if u_val is not None and p_val is not None else None,
                    "rank_in_area": rank,
                    "units_in_area": peers.height,
                    "level": "unit",
                    "scope_id": unit_id,
                    "period": period,
                }
            )
        schema = {
            "indicator_id": pl.String, "name_sv": pl.String, "unit_value": pl.Float64, "unit_suppressed": pl.Boolean,
            "area": pl.String, "area_value": pl.Float64, "area_suppressed": pl.Boolean, "org_value": pl.Float64,
            "org_suppressed": pl.Boolean,
            "previous_value": pl.Float64, "previous_suppressed": pl.Boolean, "change": pl.Float64,
            "rank_in_area": pl.Int64, "units_in_area": pl.Int64, "level": pl.String, "scope_id": pl.String, "period": pl.String,
        }  # fmt: skip
        frame = pl.DataFrame(rows, schema=schema)
        frame = _attach_targets(frame, cur, ctx).join(
            _meta(ids).drop("name_sv"), on="indicator_id", how="left"
        )
        frame = frame.with_columns(status_expr(value="unit_value").alias("status"))
        return frame.select(
            "indicator_id", "name_sv", "unit_value", "unit_suppressed", "area", "area_value", "area_suppressed", "org_value",
            "org_suppressed", "target", "previous_value", "previous_suppressed", "change", "status", "rank_in_area", "units_in_area",
        )  # fmt: skip

    return _cached("compare", conn, (scope, unit_id, ids, period_type, period), compute)


def _headline_scopes(scope: Scope, unit_frame: pl.DataFrame) -> list[tuple[str, str]]:
    if scope.level == "org":
        return [("org", "org")]
    if scope.level == "area":
        return [("area", a) for a in sorted(scope.areas)]
    return [("unit", u) for u in sorted(scope.visible_units(unit_frame)["unit_id"].to_list())]


def headline(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_ids: Iterable[str],
    period_type: PeriodType = "year",
    period: str | None = None,
    *,
    at: tuple[Level, str] | None = None,
) -> pl.DataFrame:
    """Headline cards: the latest figure (at or before ``period``) of the scope's top level.

    The top level is the organisation for an org scope, each area for an area
    scope, each unit for a unit scope; ``at=("area", "Norr")`` asks for one
    chosen level and scope instead (checked against ``scope``, e.g. when the
    sidebar's area filter is set). Grain: one row per indicator × scope.
    Columns: ``indicator_id, name_sv, level, scope_id, period, value,
    suppressed, previous_value, change, target, status``.
    """
    ids = tuple(indicator_ids)

    def compute(cur, ctx):
        unit_frame = _unit_frame(cur, ctx)
        if at is not None:
            _check_scope(scope, unit_frame, at[0], at[1])
        targets = [at] if at is not None else _headline_scopes(scope, unit_frame)
        out = []
        for ind in ids:
            sl = _slice(cur, ctx, ind, period_type).filter(pl.col("breakdown") == "all")
            for level, sid in targets:
                rows = sl.filter((pl.col("level") == level) & (pl.col("scope_id") == sid))
                if period is not None:
                    rows = rows.filter(pl.col("period") <= period)
                if rows.height == 0:
                    continue
                latest = rows.sort("period").tail(1)
                p = latest["period"].item()
                prev = rows.filter(pl.col("period") == previous_period(p))
                out.append(
                    latest.select(
                        "indicator_id", "level", "scope_id", "period", "value", "suppressed"
                    ).with_columns(
                        pl.lit(
                            prev["value"].item(0) if prev.height else None, dtype=pl.Float64
                        ).alias("previous_value")
                    )
                )
        schema = {
            "indicator_id": pl.String,
            "level": pl.String,
            "scope_id": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "suppressed": pl.Boolean,
            "previous_value": pl.Float64,
        }
        frame = pl.concat(out, how="vertical_relaxed") if out else pl.DataFrame(schema=schema)
        frame = frame.with_columns((pl.col("value") - pl.col("previous_value")).alias("change"))
        frame = _attach_targets(frame, cur, ctx).join(_meta(ids), on="indicator_id", how="left")
        frame = frame.with_columns(status_expr().alias("status"))
        return frame.select(
            "indicator_id",
            "name_sv",
            "level",
            "scope_id",
            "period",
            "value",
            "suppressed",
            "previous_value",
            "change",
            "target",
            "status",
        )

    return _cached("headline", conn, (scope, ids, period_type, period, at), compute)
