"""The support-need index per unit (``kompetens.analysis.support``) from the latest key figures."""

from __future__ import annotations

import duckdb
import polars as pl

from kompetens.access.scope import Scope
from kompetens.analysis import support
from kompetens.query.cache import _cached, _memo
from kompetens.query.listings import latest_month
from kompetens.query.periods import _month_index
from kompetens.query.slices import _unit_frame, _unit_rows
from kompetens.query.status import direction_sign

#: Which period type a support-need component is read at: the first that has unit figures.
_COMPONENT_PERIOD_TYPES = ("rolling_12m", "month", "year")


def _latest_unit_values(
    cur, ctx, indicator_id: str, ref_index: int, recent_months: int
) -> pl.DataFrame:
    """Latest visible unit value (and denominator) of an indicator within the recency window.

    Grain: one row per unit: ``unit_id, period, value, denominator``. A yearly
    period counts as ending in December, and counts if its year is not after
    the reference month's year.
    """
    for pt in _COMPONENT_PERIOD_TYPES:
        rows = _unit_rows(cur, ctx, indicator_id, pt)  # sorted by unit and month
        if rows.height == 0:
            continue
        rows = rows.filter(
            (pl.col("_m") <= ref_index + (11 if pt == "year" else 0))
            & (pl.col("_m") > ref_index - recent_months)
            & pl.col("value").is_not_null()
        )
        return (
            rows.group_by("scope_id", maintain_order=True)
            .last()
            .select(pl.col("scope_id").alias("unit_id"), "period", "value", "denominator")
        )
    return pl.DataFrame(
        schema={
            "unit_id": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "denominator": pl.Float64,
        }
    )


def _indicator_for_form(component: support.Component) -> pl.Expr:
    """Expression: the component's indicator id for each row's ``school_form``."""
    table = dict(component.indicators)
    specific = {k: v for k, v in table.items() if k != "*"}
    return pl.col("school_form").replace_strict(
        specific, default=table.get("*"), return_dtype=pl.String
    )


def _component_values(cur, ctx, ref: str, recent_months: int) -> pl.DataFrame:
    """Component values for every unit (org-wide): ``unit_id, component, value, need_sign``.

    The certification-gap component is ``certification_gap_fte`` divided by the
    denominator (teacher FTE) of the unit's certification share in the same period.
    """
    ref_index = _month_index(ref)
    units = _unit_frame(cur, ctx).select("unit_id", "school_form")
    share_component = next(c for c in support.COMPONENTS if c.id == "certified_share")
    parts: list[pl.DataFrame] = []
    for comp in support.COMPONENTS:
        per_unit = units.with_columns(
            _indicator_for_form(comp).alias("_indicator"),
            _indicator_for_form(share_component).alias("_share"),
        )
        for indicator_id in sorted({ind for _, ind in comp.indicators}):
            rows = _latest_unit_values(cur, ctx, indicator_id, ref_index, recent_months)
            chosen = per_unit.filter(pl.col("_indicator") == indicator_id).join(
                rows, on="unit_id", how="inner"
            )
            sign = -direction_sign(indicator_id)  # higher = more need
            if comp.id == "certification_gap":
                dens = []
                for share_id in sorted({ind for _, ind in share_component.indicators}):
                    d = _latest_unit_values(cur, ctx, share_id, ref_index, recent_months)
                    dens.append(
                        d.select(
                            "unit_id",
                            pl.lit(share_id).alias("_share"),
                            pl.col("period").alias("_sp"),
                            pl.col("denominator").alias("_den"),
                        )
                    )
                chosen = (
                    chosen.join(pl.concat(dens), on=["unit_id", "_share"], how="inner")
                    .filter((pl.col("period") == pl.col("_sp")) & (pl.col("_den") > 0))
                    .with_columns((pl.col("value") / pl.col("_den")).alias("value"))
                )
                sign = 1  # a larger gap per teacher FTE is more need
            parts.append(
                chosen.select(
                    "unit_id",
                    pl.lit(comp.id).alias("component"),
                    "value",
                    pl.lit(sign, dtype=pl.Int64).alias("need_sign"),
                )
            )
    return pl.concat(parts, how="vertical_relaxed")


def _org_index(cur, ctx, ref: str | None, recent_months: int, weights: dict) -> pl.DataFrame:
    """The support-need index of every unit (no scope applied) at reference month ``ref``.

    Grain: one row per unit, as :func:`support_need` before its scope filter. Kept once per
    stamp, ``ref``, ``recent_months`` and weights: every scope filters the same ranking, so a
    principal's first visit after a start or a recompute finds what the background warmer
    or another scope computed (or waits for it while it is being computed).
    """

    def load() -> pl.DataFrame:
        if ref is None:
            values = pl.DataFrame(
                schema={
                    "unit_id": pl.String,
                    "component": pl.String,
                    "value": pl.Float64,
                    "need_sign": pl.Int64,
                }
            )
        else:
            values = _component_values(cur, ctx, ref, recent_months)
        return support.support_need_index(
            values.select("unit_id", "component", "value", "need_sign"),
            _unit_frame(cur, ctx),
            weights,
        )

    key = (ref, recent_months, tuple(sorted(weights.items())))
    return _memo("_org_index", cur, ctx, key, load, wait=True)


def support_need(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    weights: dict[str, float] | None = None,
    period: str | None = None,
    recent_months: int = 12,
) -> pl.DataFrame:
    """Support-need index per unit (``kompetens.analysis.support``), computed org-wide, filtered to scope.

    ``period``: reference month ``YYYY-MM`` (default: the newest month with
    figures). Grain: one row per unit; ranked units first, flagged units
    (``has_recent_data = False``) after them with null score and rank.
    """
    w = support.validate_weights(weights)
    weight_key = tuple(sorted(w.items()))

    def compute(cur, ctx):
        ref = period or latest_month(conn, Scope.everything())
        unit_frame = _unit_frame(cur, ctx)
        index = _org_index(cur, ctx, ref, recent_months, w)
        visible = scope.visible_units(unit_frame).select("unit_id")
        return index.join(visible, on="unit_id", how="semi")

    return _cached("support_need", conn, (scope, weight_key, period, recent_months), compute)
