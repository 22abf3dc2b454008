"""Key-figure slices, the unit list and the scope checks every query function builds on.

Loading: key figures are read per (indicator, period type) "slice" with a
bound-parameter SQL filter, the whole-table suppression mask is applied to
them (``kompetens.query.suppression_store``: the stored mask, or the whole
table suppressed once per stamp when it is missing or stale — never a slice
on its own, so a page hides exactly the cells the figures export hides), and
they are kept in the cache; every function filters slices in Polars. Scope is applied after
suppression: ``_scope_filter`` keeps the rows a scope may see (organisation
rows always), ``_check_scope`` / ``_check_area`` raise ``ScopeError`` for an
explicit request outside it.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from kompetens.access.scope import Scope, ScopeError
from kompetens.core import store
from kompetens.indicators.key_figures import KEY_FIGURE_SCHEMA
from kompetens.query import suppression_store
from kompetens.query.cache import _has_table, _identity_and_stamp, _memo
from kompetens.query.periods import _month_index_expr

#: The figure columns most query results carry.
_OUT = ["value", "numerator", "denominator", "n_individuals", "suppressed"]


def _unit_frame(cur: duckdb.DuckDBPyConnection, ctx: tuple) -> pl.DataFrame:
    """Every current unit: ``unit_id, unit_name, area, school_form, socioeconomic_index``."""

    def load() -> pl.DataFrame:
        frame = store.frame(
            cur,
            "SELECT unit_id, unit_name, area, school_form, socioeconomic_index FROM current_units ORDER BY area, unit_name, unit_id",
        )
        schema = {
            "unit_id": pl.String,
            "unit_name": pl.String,
            "area": pl.String,
            "school_form": pl.String,
            "socioeconomic_index": pl.Float64,
        }
        if frame.height == 0:
            return pl.DataFrame(schema=schema)
        return frame.cast(schema, strict=False).unique("unit_id", keep="first", maintain_order=True)

    return _memo("_units", cur, ctx, (), load)


def _slice(
    cur: duckdb.DuckDBPyConnection, ctx: tuple, indicator_id: str, period_type: str
) -> pl.DataFrame:
    """All key figures of one indicator and period type, with the whole-table mask and ``area``.

    Grain: one row per level × scope × period × breakdown. ``area`` is the
    unit's area on unit rows, the area itself on area rows, null for org.
    """

    def load() -> pl.DataFrame:
        if not _has_table(cur, "key_figures"):
            raw = pl.DataFrame(schema=KEY_FIGURE_SCHEMA)
        else:
            raw = store.frame(
                cur,
                "SELECT indicator_id, level, scope_id, period_type, period, breakdown, numerator, denominator, value, n_individuals "
                "FROM key_figures WHERE indicator_id = ? AND period_type = ?",
                [indicator_id, period_type],
            )
            raw = (
                pl.DataFrame(schema=KEY_FIGURE_SCHEMA)
                if raw.height == 0
                else raw.cast(KEY_FIGURE_SCHEMA, strict=False)
            )
        unit_areas = _unit_frame(cur, ctx).select("unit_id", "area")
        mask = suppression_store.mask(cur, ctx, [indicator_id], period_type)
        out = suppression_store.apply_mask(raw, mask)
        areas = unit_areas.rename({"unit_id": "_u", "area": "_unit_area"})
        out = out.join(areas, left_on="scope_id", right_on="_u", how="left")
        return out.with_columns(
            pl.when(pl.col("level") == "unit")
            .then(pl.col("_unit_area"))
            .when(pl.col("level") == "area")
            .then(pl.col("scope_id"))
            .otherwise(None)
            .alias("area")
        ).drop("_unit_area")

    return _memo("_slice", cur, ctx, (indicator_id, period_type), load)


def _unit_rows(
    cur: duckdb.DuckDBPyConnection, ctx: tuple, indicator_id: str, period_type: str
) -> pl.DataFrame:
    """A slice's unit rows without breakdown, with their month index, sorted by unit and month.

    Grain: one row per unit × period. Columns: ``scope_id`` (the unit), ``period``, ``_m``
    (months since year 0; a year counts as its December), ``value``, ``numerator``,
    ``denominator``, ``suppressed``. Kept beside the slice: the support-need index and the
    before/after windows read it for many reference months, each a filter on it instead of
    a pass over the whole slice.
    """

    def load() -> pl.DataFrame:
        return (
            _slice(cur, ctx, indicator_id, period_type)
            .filter((pl.col("level") == "unit") & (pl.col("breakdown") == "all"))
            .select(
                "scope_id",
                "period",
                _month_index_expr().alias("_m"),
                "value",
                "numerator",
                "denominator",
                "suppressed",
            )
            .sort("scope_id", "_m")
        )

    return _memo("_unit_rows", cur, ctx, (indicator_id, period_type), load)


def _scope_filter(frame: pl.DataFrame, scope: Scope, unit_frame: pl.DataFrame) -> pl.DataFrame:
    """Keep the key-figure rows ``scope`` may see (org rows always)."""
    if scope.level == "org":
        return frame
    units = scope.visible_units(unit_frame)["unit_id"].to_list()
    return frame.filter(
        (pl.col("level") == "org")
        | ((pl.col("level") == "area") & pl.col("scope_id").is_in(list(scope.areas)))
        | ((pl.col("level") == "unit") & pl.col("scope_id").is_in(units))
    )


def _check_scope(scope: Scope, unit_frame: pl.DataFrame, level: str, scope_id: str | None) -> None:
    """Raise ``ScopeError`` if (level, scope_id) is outside ``scope``."""
    if scope.level == "org" or level == "org":
        return
    if level == "area":
        if scope_id not in scope.areas:
            raise ScopeError(f"området {scope_id!r} ligger utanför din behörighet")
        return
    if level == "unit":
        visible = scope.visible_units(unit_frame)["unit_id"].to_list()
        if scope_id not in visible:
            raise ScopeError(f"enheten {scope_id!r} ligger utanför din behörighet")
        return
    raise ValueError(f"okänd nivå {level!r}")


def _check_area(scope: Scope, area: str) -> None:
    """Raise ``ScopeError`` if an explicitly requested area filter is outside ``scope``."""
    if not scope.allows_area(area):
        raise ScopeError(f"området {area!r} ligger utanför din behörighet")


def figures(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_ids: Iterable[str] | None = None,
    period_types: Iterable[str] = ("month", "year", "rolling_12m"),
) -> pl.DataFrame:
    """Every key figure in scope with suppression applied (for exports such as ``kompetens figures``).

    Grain: one key-figure row. Columns: the key-figure columns plus
    ``suppressed``; suppressed rows have empty value, numerator, denominator
    and n_individuals. Not cached as a whole (it can be large); its slices are.
    """
    from kompetens.indicators import registry

    ids = (
        tuple(indicator_ids)
        if indicator_ids is not None
        else tuple(i.id for i in registry.engine_indicators())
    )
    cur = conn.cursor()
    try:
        identity, stamp = _identity_and_stamp(cur)
        ctx = (identity, stamp)
        parts = [
            _scope_filter(_slice(cur, ctx, ind, pt), scope, _unit_frame(cur, ctx)).select(
                *KEY_FIGURE_SCHEMA, "suppressed"
            )
            for ind in ids
            for pt in period_types
        ]
    finally:
        cur.close()
    if not parts:
        return pl.DataFrame(schema={**KEY_FIGURE_SCHEMA, "suppressed": pl.Boolean()})
    return pl.concat(parts, how="vertical_relaxed")
