"""Targets and the traffic light (``status``) of key figures.

Traffic light: for an indicator where higher is better, ``green`` when the
value is at or above target, ``yellow`` ("near") when it is below but the
shortfall is at most the indicator's ``near_target`` fraction *of the target*
(registry; 10 % unless an indicator declares otherwise), ``red`` ("far")
beyond it; mirrored when higher is worse. Relative, not percentage points:
sick leave of 8,2 % against a 5,0 % target is 3,2 points over, and the near
band is 10 % of 5,0 % = 0,5 points, so it is red; a certified-teacher share
of 92 % against 100 % is 8 points short of a 10-point band, so it is yellow.
Neutral indicators, missing or suppressed values and missing targets have no
status (null).

Target lookup: the scope's own target for the period's year, else the
organisation's for that year, else the registry's default target.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from kompetens.core import store
from kompetens.indicators.registry import NEAR_TARGET
from kompetens.present.formatting import display_kind
from kompetens.query.cache import _memo
from kompetens.query.slices import _unit_frame

#: The default "near the target" band, a fraction of the target (see module docstring).
RELATIVE_TOLERANCE = NEAR_TARGET


def _indicator(indicator_id: str):
    from kompetens.indicators import registry

    return registry.get(indicator_id)


def direction_sign(indicator_id: str) -> int:
    """+1 when higher is better, −1 when higher is worse, 0 when neutral."""
    direction = str(_indicator(indicator_id).direction)
    return {"higher_is_better": 1, "higher_is_worse": -1}.get(direction, 0)


def _is_share(indicator_id: str) -> bool:
    return display_kind(_indicator(indicator_id)) == "share"


def near_target(indicator_id: str) -> float:
    """The indicator's near band, a fraction of its target (``Indicator.near_target``)."""
    return float(_indicator(indicator_id).near_target)


def _meta(indicator_ids: Iterable[str]) -> pl.DataFrame:
    rows = []
    for i in indicator_ids:
        ind = _indicator(i)
        rows.append(
            {
                "indicator_id": i,
                "name_sv": ind.name_sv,
                "_sign": direction_sign(i),
                "_share": _is_share(i),
                "_near": near_target(i),
                "_default_target": ind.default_target,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "indicator_id": pl.String,
            "name_sv": pl.String,
            "_sign": pl.Int64,
            "_share": pl.Boolean,
            "_near": pl.Float64,
            "_default_target": pl.Float64,
        },
    )


def _targets(cur: duckdb.DuckDBPyConnection, ctx: tuple) -> pl.DataFrame:
    """Explicit targets: ``indicator_id, level, scope_id, year, target``."""

    def load() -> pl.DataFrame:
        schema = {
            "indicator_id": pl.String,
            "level": pl.String,
            "scope_id": pl.String,
            "year": pl.Int64,
            "target": pl.Float64,
        }
        try:
            from kompetens.indicators.targets import resolve_targets
        except ImportError:
            resolve_targets = None
        if resolve_targets is not None:
            frame = resolve_targets(cur)
            return (
                frame.select(list(schema)).cast(schema, strict=False)
                if frame.height
                else pl.DataFrame(schema=schema)
            )
        raw = store.frame(cur, "SELECT indicator_id, scope, year, target FROM current_targets")
        if raw.height == 0:
            return pl.DataFrame(schema=schema)
        areas = set(_unit_frame(cur, ctx)["area"].to_list())
        return (
            raw.with_columns(
                pl.when(pl.col("scope") == "org")
                .then(pl.lit("org"))
                .when(pl.col("scope").is_in(list(areas)))
                .then(pl.lit("area"))
                .otherwise(pl.lit("unit"))
                .alias("level")
            )
            .rename({"scope": "scope_id"})
            .select(list(schema))
            .cast(schema, strict=False)
            .unique(["indicator_id", "level", "scope_id", "year"], keep="last")
        )

    return _memo("_targets", cur, ctx, (), load)


def _attach_targets(
    frame: pl.DataFrame, cur: duckdb.DuckDBPyConnection, ctx: tuple
) -> pl.DataFrame:
    """Add ``target`` to rows with ``indicator_id, level, scope_id, period``.

    Lookup: this scope's target for the period's year, else the
    organisation's for that year, else the registry's default target.
    """
    if frame.height == 0:
        return frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("target"))
    targets = _targets(cur, ctx)
    meta = _meta(frame["indicator_id"].unique().to_list()).select("indicator_id", "_default_target")
    keyed = frame.with_columns(pl.col("period").str.slice(0, 4).cast(pl.Int64).alias("_year"))
    exact = targets.rename({"year": "_year", "target": "_t_exact"})
    org = targets.filter(pl.col("level") == "org").select(
        "indicator_id", pl.col("year").alias("_year"), pl.col("target").alias("_t_org")
    )
    return (
        keyed.join(exact, on=["indicator_id", "level", "scope_id", "_year"], how="left")
        .join(org, on=["indicator_id", "_year"], how="left")
        .join(meta, on="indicator_id", how="left")
        .with_columns(pl.coalesce("_t_exact", "_t_org", "_default_target").alias("target"))
        .drop("_year", "_t_exact", "_t_org", "_default_target")
    )


def status_expr(
    value: str = "value", target: str = "target", sign: str = "_sign", near: str = "_near"
) -> pl.Expr:
    """Traffic light as a Polars expression (see module docstring).

    ``near``: the column with each row's near band as a fraction of the target
    (``_meta`` gives it as ``_near``).
    """
    # > 0: on the wrong side of the target
    shortfall = (pl.col(target) - pl.col(value)) * pl.col(sign)
    tolerance = pl.col(near) * pl.col(target).abs()
    return (
        pl.when(pl.col(value).is_null() | pl.col(target).is_null() | (pl.col(sign) == 0))
        .then(None)
        .when(shortfall <= 1e-12)
        .then(pl.lit("green"))
        .when(shortfall <= tolerance + 1e-12)
        .then(pl.lit("yellow"))
        .otherwise(pl.lit("red"))
    )


def traffic_light(value: float | None, target: float | None, indicator_id: str) -> str | None:
    """Traffic light for one value (``'green'``, ``'yellow'``, ``'red'`` or None)."""
    frame = pl.DataFrame(
        {
            "value": [value],
            "target": [target],
            "_sign": [direction_sign(indicator_id)],
            "_near": [near_target(indicator_id)],
        },
        schema={"value": pl.Float64, "target": pl.Float64, "_sign": pl.Int64, "_near": pl.Float64},
    )
    return frame.select(status_expr().alias("status"))["status"].item()
