"""The query layer: the only way pages, exports and briefs read key figures.

Every function takes ``conn`` and the caller's ``Scope`` and returns a Polars
frame (or a small frozen result). Three guarantees hold for every function:

1. **Scope is enforced here**, never trusted from a page. Rows of units and
   areas outside the scope are filtered out; an explicit request for a unit
   or area outside it raises ``ScopeError`` (a ``PermissionError``), so a
   tampered ``?unit=`` shows "no access" instead of data. Organisation-level
   rows are visible to every scope: they are the baseline every dialogue
   compares with.
2. **Suppression is applied before anything is returned**
   (``kompetens.query.suppression``). It is computed on the *complete* groups (all
   units, areas and the organisation of an indicator and period) and only
   then filtered by scope, so a narrow scope cannot see a value that a wide
   one would see hidden, and vice versa.
3. **Caching** is keyed on the database identity, ``store.data_version`` and
   a stamp of the ``key_figures`` table (its row count and the engine's
   ``key_figures_meta.computed_at``, because figures are recomputed after the
   import that bumps the version), plus the function's arguments — never on hashing
   frames. When the stamp of a database changes, its entries are dropped.
   Polars frames are immutable, so a caller cannot alter a cached result.

Loading: key figures are read per (indicator, period type) "slice" with a
bound-parameter SQL filter, suppressed once, and kept in the cache; every
function filters slices in Polars. A cursor is taken per call
(``conn.cursor()``), so one connection can serve several threads.

Traffic light (``status``): for an indicator where higher is better,
``green`` when the value is at or above target, ``yellow`` when it is below
but within the tolerance, ``red`` beyond it; mirrored when higher is worse.
Tolerance: 5 percentage points for shares, 10 % of the target otherwise.
Neutral indicators, missing or suppressed values and missing targets have
no status (null).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import polars as pl

from kompetens.access.scope import Level, Scope, ScopeError
from kompetens.analysis import segregation as seg
from kompetens.analysis import support
from kompetens.core import store
from kompetens.indicators.key_figures import KEY_FIGURE_SCHEMA
from kompetens.present.formatting import display_kind
from kompetens.query.suppression import apply_suppression

PeriodType = Literal["month", "year", "rolling_12m"]

#: Tolerances of the traffic light (see module docstring).
SHARE_TOLERANCE = 0.05
RELATIVE_TOLERANCE = 0.10


# ---------------------------------------------------------------------------------------------
# Cache


_CACHE: OrderedDict[tuple, Any] = OrderedDict()
_STAMPS: dict[str, tuple] = {}
_LOCK = threading.RLock()
MAX_CACHE_ENTRIES = 2048


def clear_cache() -> None:
    """Forget every cached result (tests; after a schema change)."""
    with _LOCK:
        _CACHE.clear()
        _STAMPS.clear()


def _has_table(cur: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        store.scalar(
            cur, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        )
    )


_STAMP_SQL = """SELECT
    (SELECT path FROM duckdb_databases() WHERE database_name = current_database()),
    (SELECT value FROM meta WHERE key = 'instance_id'),
    (SELECT value FROM meta WHERE key = 'data_version'),
    (SELECT count(*) FROM key_figures),
    (SELECT CAST(max(computed_at) AS VARCHAR) FROM key_figures_meta)"""


def _identity_and_stamp(cur: duckdb.DuckDBPyConnection) -> tuple[str, tuple]:
    """(database identity, stamp). The stamp changes with every import, undo and recompute.

    One round trip in the common case (≈ 2 ms); the engine rewrites the
    one-row ``key_figures_meta`` on every recompute, so its ``computed_at``
    and the row count of ``key_figures`` are a cheap, exact stamp.
    """
    try:
        path, instance, version, count, newest = store.rows(cur, _STAMP_SQL)[0]
    except duckdb.CatalogException:  # a database without the key-figure tables yet
        path = store.scalar(
            cur, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        )
        instance = store.scalar(cur, "SELECT value FROM meta WHERE key = 'instance_id'")
        version = store.data_version(cur)
        if _has_table(cur, "key_figures"):
            count, newest = store.rows(
                cur, "SELECT count(*), CAST(max(computed_at) AS VARCHAR) FROM key_figures"
            )[0]
        else:
            count, newest = 0, None
    if path:
        identity = str(path)
    else:  # in-memory: give the database a lasting random identity in its meta table
        identity = instance
        if identity is None:
            cur.execute(
                "INSERT INTO meta VALUES ('instance_id', ?) ON CONFLICT DO NOTHING",
                [uuid.uuid4().hex],
            )
            identity = store.scalar(cur, "SELECT value FROM meta WHERE key = 'instance_id'")
    return identity, (int(version or 0), count, newest)


def _cached(
    name: str,
    conn: duckdb.DuckDBPyConnection,
    args: tuple,
    compute: Callable[[duckdb.DuckDBPyConnection, tuple], Any],
) -> Any:
    """Run ``compute(cursor, ctx)`` once per (function, database, stamp, args)."""
    cur = conn.cursor()
    try:
        identity, stamp = _identity_and_stamp(cur)
        ctx = (identity, stamp)
        with _LOCK:
            if _STAMPS.get(identity) != stamp:
                for key in [k for k in _CACHE if k[1] == identity]:
                    del _CACHE[key]
                _STAMPS[identity] = stamp
            key = (name, identity, stamp, args)
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
        value = compute(cur, ctx)
        with _LOCK:
            _CACHE[key] = value
            while len(_CACHE) > MAX_CACHE_ENTRIES:
                _CACHE.popitem(last=False)
        return value
    finally:
        cur.close()


def _memo(
    name: str, cur: duckdb.DuckDBPyConnection, ctx: tuple, args: tuple, compute: Callable[[], Any]
) -> Any:
    """Cache an inner building block (a slice, the unit list) under the same stamp."""
    key = (name, ctx[0], ctx[1], args)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = compute()
    with _LOCK:
        _CACHE[key] = value
    return value


# ---------------------------------------------------------------------------------------------
# Building blocks


def _indicator(indicator_id: str):
    from kompetens.indicators import registry

    return registry.get(indicator_id)


def direction_sign(indicator_id: str) -> int:
    """+1 when higher is better, −1 when higher is worse, 0 when neutral."""
    direction = str(_indicator(indicator_id).direction)
    return {"higher_is_better": 1, "higher_is_worse": -1}.get(direction, 0)


def _is_share(indicator_id: str) -> bool:
    return display_kind(_indicator(indicator_id)) == "share"


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
            "_default_target": pl.Float64,
        },
    )


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
    """All key figures of one indicator and period type, suppressed, with ``area`` attached.

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
        out = apply_suppression(raw, unit_areas, with_reason=True)
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


def previous_period(period: str) -> str:
    """The same period a year earlier: ``'2025'`` -> ``'2024'``, ``'2025-10'`` -> ``'2024-10'``."""
    return f"{int(period[:4]) - 1}{period[4:]}"


def period_year(period: str) -> int:
    return int(period[:4])


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
    value: str = "value", target: str = "target", sign: str = "_sign", share: str = "_share"
) -> pl.Expr:
    """Traffic light as a Polars expression (see module docstring)."""
    shortfall = (pl.col(target) - pl.col(value)) * pl.col(
        sign
    )  # > 0: on the wrong side of the target
    tolerance = (
        pl.when(pl.col(share))
        .then(pl.lit(SHARE_TOLERANCE))
        .otherwise(RELATIVE_TOLERANCE * pl.col(target).abs())
    )
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
            "_share": [_is_share(indicator_id)],
        },
        schema={"value": pl.Float64, "target": pl.Float64, "_sign": pl.Int64, "_share": pl.Boolean},
    )
    return frame.select(status_expr().alias("status"))["status"].item()


_OUT = ["value", "numerator", "denominator", "n_individuals", "suppressed"]


# ---------------------------------------------------------------------------------------------
# Public query functions


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


def series(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    level: Level,
    scope_id: str,
    period_type: PeriodType,
    breakdown: str = "all",
) -> pl.DataFrame:
    """A trend for one scope: one row per period (oldest first).

    Columns: ``period, value, numerator, denominator, n_individuals, suppressed, target``.
    """

    def compute(cur, ctx):
        _check_scope(scope, _unit_frame(cur, ctx), level, scope_id)
        rows = _slice(cur, ctx, indicator_id, period_type).filter(
            (pl.col("level") == level)
            & (pl.col("scope_id") == scope_id)
            & (pl.col("breakdown") == breakdown)
        )
        rows = _attach_targets(rows, cur, ctx)
        return rows.select("period", *_OUT, "target").sort("period")

    return _cached(
        "series", conn, (scope, indicator_id, level, scope_id, period_type, breakdown), compute
    )


def series_by_scope(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    level: Level,
    period_type: PeriodType,
    breakdown: str = "all",
) -> pl.DataFrame:
    """Trends for every visible scope of a level (small multiples per area).

    Grain: one row per ``scope_id`` × ``period``; columns as ``series`` plus ``scope_id``.
    """

    def compute(cur, ctx):
        rows = _slice(cur, ctx, indicator_id, period_type).filter(
            (pl.col("level") == level) & (pl.col("breakdown") == breakdown)
        )
        rows = _scope_filter(rows, scope, _unit_frame(cur, ctx))
        rows = _attach_targets(rows, cur, ctx)
        return rows.select("scope_id", "period", *_OUT, "target").sort("scope_id", "period")

    return _cached(
        "series_by_scope", conn, (scope, indicator_id, level, period_type, breakdown), compute
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
        org_rows = rows.filter(pl.col("level") == "org").select(pl.col("value").alias("org_value"))
        org_value = org_rows["org_value"].item(0) if org_rows.height else None
        parts.append(
            unit_rows.join(area_rows, on="area", how="left").with_columns(
                pl.lit(org_value, dtype=pl.Float64).alias("org_value")
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
    area_value, area_suppressed, org_value, target, status``.
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
    unit_suppressed, area, area_value, area_suppressed, org_value, target,
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
            o_val, _ = pick(now, "org", "org")
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
            "target", "previous_value", "previous_suppressed", "change", "status", "rank_in_area", "units_in_area",
        )  # fmt: skip

    return _cached("compare", conn, (scope, unit_id, ids, period_type, period), compute)


def breakdown(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    level: Level,
    scope_id: str,
    period_type: PeriodType,
    period: str,
    by: str,
) -> pl.DataFrame:
    """One scope's figure split by a dimension (``by='staff_category'``).

    Grain: one row per category. Columns: ``category, value, numerator,
    denominator, n_individuals, suppressed``, sorted by category.
    """

    def compute(cur, ctx):
        _check_scope(scope, _unit_frame(cur, ctx), level, scope_id)
        prefix = f"{by}="
        rows = _slice(cur, ctx, indicator_id, period_type).filter(
            (pl.col("level") == level)
            & (pl.col("scope_id") == scope_id)
            & (pl.col("period") == period)
            & pl.col("breakdown").str.starts_with(prefix)
        )
        return rows.select(
            pl.col("breakdown").str.strip_prefix(prefix).alias("category"), *_OUT
        ).sort("category")

    return _cached(
        "breakdown", conn, (scope, indicator_id, level, scope_id, period_type, period, by), compute
    )


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


def _month_index(period: str) -> int:
    """Months since year 0 of a period's last month (``'2025'`` ends in December)."""
    year = int(period[:4])
    month = int(period[5:7]) if len(period) >= 7 else 12
    return year * 12 + month - 1


def _month_index_expr(col: str = "period") -> pl.Expr:
    year = pl.col(col).str.slice(0, 4).cast(pl.Int64)
    month = (
        pl.when(pl.col(col).str.len_chars() >= 7)
        .then(pl.col(col).str.slice(5, 2).cast(pl.Int64))
        .otherwise(12)
    )
    return year * 12 + month - 1


def latest_month(conn: duckdb.DuckDBPyConnection, scope: Scope) -> str | None:
    """The newest month (``YYYY-MM``) of any monthly or rolling key figure."""
    periods = [
        p
        for pt in ("month", "rolling_12m")
        for p in available_periods(conn, scope, pt)["period"].to_list()
    ]  # type: ignore[arg-type]
    return max(periods) if periods else None


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
        rows = _slice(cur, ctx, indicator_id, pt).filter(
            (pl.col("level") == "unit") & (pl.col("breakdown") == "all")
        )
        if rows.height == 0:
            continue
        rows = rows.with_columns(_month_index_expr().alias("_m")).filter(
            (pl.col("_m") <= ref_index + (11 if pt == "year" else 0))
            & (pl.col("_m") > ref_index - recent_months)
            & pl.col("value").is_not_null()
        )
        return (
            rows.sort("period")
            .group_by("scope_id")
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
        index = support.support_need_index(
            values.select("unit_id", "component", "value", "need_sign"), unit_frame, w
        )
        visible = scope.visible_units(unit_frame).select("unit_id")
        return index.join(visible, on="unit_id", how="semi")

    return _cached("support_need", conn, (scope, weight_key, period, recent_months), compute)


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


def suppressed_cells(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    period_type: PeriodType = "year",
    period: str | None = None,
    indicator_ids: Iterable[str] | None = None,
) -> pl.DataFrame:
    """Suppressed key figures in scope, for the data-quality page.

    ``period``: default the newest period of the type. Grain: one row per
    suppressed cell: ``indicator_id, level, scope_id, area, period_type,
    period, breakdown, suppression_reason`` (``primary``: fewer than 5
    people; ``secondary``: hidden so that another cell cannot be recovered).
    """
    from kompetens.indicators import registry

    ids = (
        tuple(indicator_ids)
        if indicator_ids is not None
        else tuple(i.id for i in registry.engine_indicators())
    )

    def compute(cur, ctx):
        p = period
        if p is None:
            periods = available_periods(conn, scope, period_type)["period"]
            p = periods.max() if periods.len() else ""
        parts = []
        for ind in ids:
            sl = _slice(cur, ctx, ind, period_type).filter(
                pl.col("suppressed") & (pl.col("period") == p)
            )
            parts.append(_scope_filter(sl, scope, _unit_frame(cur, ctx)))
        cols = [
            "indicator_id",
            "level",
            "scope_id",
            "area",
            "period_type",
            "period",
            "breakdown",
            "suppression_reason",
        ]
        if not parts:
            return pl.DataFrame(schema={c: pl.String for c in cols})
        return (
            pl.concat(parts, how="vertical_relaxed")
            .select(cols)
            .sort("indicator_id", "level", "scope_id", "breakdown")
        )

    return _cached("suppressed_cells", conn, (scope, period_type, period, ids), compute)


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


# ---------------------------------------------------------------------------------------------
# Certification (the Behörighet and Översikt pages)

#: The certification share of each post category: teachers in schools, preschool teachers in preschools.
CERTIFICATION_SHARES: dict[str, str] = {
    "teacher": "certified_teacher_share",
    "preschool_teacher": "licensed_preschool_teacher_share",
}


def _period_type_of(period: str) -> PeriodType:
    return "month" if len(period) > 4 else "year"


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


def trend_with_context(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    level: Level,
    scope_id: str,
    period_type: PeriodType,
) -> pl.DataFrame:
    """A scope's trend beside its comparisons: a unit with its area and the organisation, an area with the organisation.

    Grain: one row per series × period, the chosen scope's series first.
    Columns: ``series`` (Swedish label: the unit's name, the area, ``Hela
    organisationen``), ``level, scope_id, period, value, suppressed, target``
    (the target only on the chosen scope's rows, so a chart draws one target line).
    """

    def compute(cur, ctx):
        unit_frame = _unit_frame(cur, ctx)
        _check_scope(scope, unit_frame, level, scope_id)
        chain: list[tuple[str, str, str]] = []
        if level == "unit":
            hit = unit_frame.filter(pl.col("unit_id") == scope_id)
            name = hit["unit_name"].item(0) if hit.height else scope_id
            chain.append(("unit", scope_id, name or scope_id))
            unit_area = hit["area"].item(0) if hit.height else None
            if unit_area is not None and scope.allows_area(unit_area):
                chain.append(("area", unit_area, unit_area))
        elif level == "area":
            chain.append(("area", scope_id, scope_id))
        chain.append(("org", "org", "Hela organisationen"))
        sl = _slice(cur, ctx, indicator_id, period_type).filter(pl.col("breakdown") == "all")
        parts = []
        for index, (lvl, sid, label) in enumerate(chain):
            rows = sl.filter((pl.col("level") == lvl) & (pl.col("scope_id") == sid))
            rows = _attach_targets(rows, cur, ctx)
            parts.append(
                rows.select(
                    pl.lit(label).alias("series"),
                    "level",
                    "scope_id",
                    "period",
                    "value",
                    "suppressed",
                    (pl.col("target") if index == 0 else pl.lit(None, dtype=pl.Float64)).alias(
                        "target"
                    ),
                ).sort("period")
            )
        schema = {
            "series": pl.String,
            "level": pl.String,
            "scope_id": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "suppressed": pl.Boolean,
            "target": pl.Float64,
        }
        parts = [p.cast(schema, strict=False) for p in parts if p.height]
        return pl.concat(parts) if parts else pl.DataFrame(schema=schema)

    return _cached(
        "trend_with_context", conn, (scope, indicator_id, level, scope_id, period_type), compute
    )


#: Licence status of a teacher post (schools) or a preschool teacher (preschools), in display order.
LICENCE_STATUS_LABELS: dict[str, str] = {
    "licensed_qualified": "Legitimerad och behörig",
    "licensed_only": "Legitimerad, inte behörig i ämnet",
    "not_licensed": "Utan legitimation",
}


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
        labels = {"all": "Alla", **LICENCE_STATUS_LABELS}
        if category == "preschool_teacher":
            labels |= {"licensed_qualified": "Legitimerad förskollärare"}
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


def breakdown_series(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    level: Level,
    scope_id: str,
    period_type: PeriodType,
    by: str,
) -> pl.DataFrame:
    """One scope's figure split by a dimension, for every period (stacked bars per year).

    Grain: one row per period × category. Columns: ``period, category, value,
    numerator, denominator, n_individuals, suppressed``, sorted by period and category.
    """

    def compute(cur, ctx):
        _check_scope(scope, _unit_frame(cur, ctx), level, scope_id)
        prefix = f"{by}="
        rows = _slice(cur, ctx, indicator_id, period_type).filter(
            (pl.col("level") == level)
            & (pl.col("scope_id") == scope_id)
            & pl.col("breakdown").str.starts_with(prefix)
        )
        return rows.select(
            "period", pl.col("breakdown").str.strip_prefix(prefix).alias("category"), *_OUT
        ).sort("period", "category")

    return _cached(
        "breakdown_series", conn, (scope, indicator_id, level, scope_id, period_type, by), compute
    )


#: The two key figures the redundancy rule compares (see ``redundancy_matches``).
REDUNDANT = "redundant_staff_unplaced"
MATCHING_VACANCIES = "open_vacancies_for_redundant"


def redundancy_matches(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    period_type: Literal["month", "year"] = "year",
    period: str | None = None,
    area: str | None = None,
) -> pl.DataFrame:
    """Redundant staff not yet placed against open vacancies in the same staff category.

    The rule (leadership, seed 004): redundant staff are offered open posts in
    their own category before anyone is hired externally. Counts only, never
    people. ``period``: default the newest period of the redundancy figure;
    ``area``: keep only that area's rows beside the organisation's.

    Grain: one row per level (the organisation, then each visible area) ×
    staff category with an unplaced redundant person or a matching vacancy.
    Columns: ``level, area`` (null on the organisation row), ``period,
    category, redundant_unplaced, redundant_suppressed, open_vacancies,
    vacancies_suppressed, placeable``. A category missing from one figure
    counts 0 there (the engine stores no zero rows), except that
    ``open_vacancies`` stays null when no vacancy figures exist at all (no
    recruitment file). ``placeable`` = min(redundant, vacancies): how many
    could be placed in their own category now; null when either side is
    hidden (the minimum could reveal a hidden count) or unknown.
    """
    schema = {
        "level": pl.String,
        "area": pl.String,
        "period": pl.String,
        "category": pl.String,
        "redundant_unplaced": pl.Float64,
        "redundant_suppressed": pl.Boolean,
        "open_vacancies": pl.Float64,
        "vacancies_suppressed": pl.Boolean,
        "placeable": pl.Float64,
    }

    def compute(cur, ctx):
        unit_frame = _unit_frame(cur, ctx)
        if area is not None:
            _check_area(scope, area)
        redundant = _slice(cur, ctx, REDUNDANT, period_type)
        vacancies = _slice(cur, ctx, MATCHING_VACANCIES, period_type)
        p = period or (redundant["period"].max() if redundant.height else None)
        if p is None:
            return pl.DataFrame(schema=schema)
        prefix = "staff_category="

        def side(frame: pl.DataFrame, value: str, hidden: str) -> pl.DataFrame:
            rows = frame.filter(
                (pl.col("period") == p)
                & pl.col("level").is_in(["org", "area"])
                & pl.col("breakdown").str.starts_with(prefix)
            )
            if area is not None:
                rows = rows.filter((pl.col("level") == "org") | (pl.col("scope_id") == area))
            return _scope_filter(rows, scope, unit_frame).select(
                "level",
                "scope_id",
                pl.col("breakdown").str.strip_prefix(prefix).alias("category"),
                pl.col("value").alias(value),
                pl.col("suppressed").alias(hidden),
            )

        keys = ["level", "scope_id", "category"]
        joined = side(redundant, "redundant_unplaced", "redundant_suppressed").join(
            side(vacancies, "open_vacancies", "vacancies_suppressed"),
            on=keys,
            how="full",
            coalesce=True,
        )
        has_vacancy_data = vacancies.height > 0
        joined = joined.with_columns(
            pl.when(pl.col("redundant_suppressed").is_null())
            .then(0.0)
            .otherwise(pl.col("redundant_unplaced"))
            .alias("redundant_unplaced"),
            pl.col("redundant_suppressed").fill_null(False),
            pl.when(pl.col("vacancies_suppressed").is_null() & has_vacancy_data)
            .then(0.0)
            .otherwise(pl.col("open_vacancies"))
            .alias("open_vacancies"),
            pl.col("vacancies_suppressed").fill_null(False),
        )
        return (
            joined.with_columns(
                pl.when(pl.col("level") == "area").then(pl.col("scope_id")).alias("area"),
                pl.lit(p).alias("period"),
                pl.when(
                    pl.col("redundant_suppressed")
                    | pl.col("vacancies_suppressed")
                    | pl.col("open_vacancies").is_null()
                )
                .then(None)
                .otherwise(pl.min_horizontal("redundant_unplaced", "open_vacancies"))
                .alias("placeable"),
                (pl.col("level") != "org").alias("_not_org"),
            )
            .sort("_not_org", "area", "category", nulls_last=False)
            .select(list(schema))
            .cast(schema)
        )

    return _cached("redundancy_matches", conn, (scope, period_type, period, area), compute)


# ---------------------------------------------------------------------------------------------
# Data coverage (the data-quality page)

#: The kinds with a unit and a date, and the date column that places a row in a month.
COVERAGE_KINDS: dict[str, str] = {
    "staff": "snapshot_date",
    "sick_leave": "month",
    "survey": "survey_date",
    "events": "event_date",
    "recruitments": "published_date",
    "development": "activity_date",
    "placements": "period_start",
}
#: Kinds every open unit should deliver every month; ``coverage(kind=None)`` is their mean.
MONTHLY_KINDS: tuple[str, ...] = ("staff", "sick_leave")
#: Kinds whose rows are about single people: a unit-month count below 5 is shown as ``..``.
PERSON_KINDS: frozenset[str] = frozenset({"staff", "events", "development"})

_COUNT_SCHEMA = {"kind": pl.String, "unit_id": pl.String, "month": pl.String, "rows": pl.Int64}


def _coverage_counts(cur: duckdb.DuckDBPyConnection, ctx: tuple) -> pl.DataFrame:
    """Live rows per kind × unit × month (``YYYY-MM``), organisation-wide; no scope yet."""

    def load() -> pl.DataFrame:
        parts = []
        for kind, column in COVERAGE_KINDS.items():
            # View and column names come from the registry above, never from a caller.
            frame = store.frame(
                cur,
                f"SELECT ? AS kind, unit_id, strftime({column}, '%Y-%m') AS month, count(*) AS rows "  # noqa: S608
                f"FROM current_{kind} WHERE unit_id IS NOT NULL AND {column} IS NOT NULL GROUP BY ALL",
                [kind],
            )
            if frame.height:
                parts.append(frame.cast(_COUNT_SCHEMA, strict=False))
        if not parts:
            return pl.DataFrame(schema=_COUNT_SCHEMA)
        return pl.concat(parts).sort("kind", "unit_id", "month")

    return _memo("_coverage_counts", cur, ctx, (), load)


def _unit_validity(cur: duckdb.DuckDBPyConnection, ctx: tuple) -> pl.DataFrame:
    """``unit_id, open_from, open_to`` (``YYYY-MM`` or null): the months a unit exists."""

    def load() -> pl.DataFrame:
        frame = store.frame(
            cur,
            "SELECT unit_id, strftime(min(valid_from), '%Y-%m') AS open_from, "
            "strftime(max(valid_to), '%Y-%m') AS open_to FROM current_units GROUP BY unit_id",
        )
        schema = {"unit_id": pl.String, "open_from": pl.String, "open_to": pl.String}
        return frame.cast(schema, strict=False) if frame.height else pl.DataFrame(schema=schema)

    return _memo("_unit_validity", cur, ctx, (), load)


def _month_range(first: str, last: str) -> list[str]:
    start, end = _month_index(first), _month_index(last)
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(start, end + 1)]


def coverage(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    kind: str | None = None,
    *,
    area: str | None = None,
    by: Literal["unit", "area"] = "unit",
) -> pl.DataFrame:
    """Data coverage per unit (or area) and month, for the data-quality heatmap.

    ``kind``: one of ``COVERAGE_KINDS``; ``None`` = the monthly kinds together
    (``MONTHLY_KINDS``: staff snapshots and sick leave). The months run from the
    kind's first to its last month organisation-wide, so a unit's gap shows.
    Grain with ``by='unit'``: one row per visible unit × month; columns
    ``unit_id, unit_name, area, month, rows, rows_suppressed, coverage``.
    ``rows``: live rows from the ``current_<kind>`` views (null and
    ``rows_suppressed`` when 1–4 rows are about single people). ``coverage``:
    1.0 with data, 0.0 without, the share of the monthly kinds present for
    ``kind=None``, and null for a month outside the unit's ``valid_from`` ..
    ``valid_to`` (nothing expected). With ``by='area'``: one row per visible
    area × month (``area, month, rows, units, coverage`` = mean over the
    area's open units).
    """
    if kind is not None and kind not in COVERAGE_KINDS:
        raise ValueError(f"okänd datatyp {kind!r}; välj en av {', '.join(COVERAGE_KINDS)}")

    def compute(cur, ctx):
        kinds = [kind] if kind is not None else list(MONTHLY_KINDS)
        counts = _coverage_counts(cur, ctx).filter(pl.col("kind").is_in(kinds))
        unit_frame = _unit_frame(cur, ctx)
        if area is not None:
            _check_area(scope, area)
            unit_frame = unit_frame.filter(pl.col("area") == area)
        visible = scope.visible_units(unit_frame).select("unit_id", "unit_name", "area")
        unit_schema = {
            "unit_id": pl.String,
            "unit_name": pl.String,
            "area": pl.String,
            "month": pl.String,
            "rows": pl.Int64,
            "rows_suppressed": pl.Boolean,
            "coverage": pl.Float64,
        }
        if counts.height == 0 or visible.height == 0:
            grid = pl.DataFrame(schema=unit_schema)
        else:
            months = pl.DataFrame(
                {"month": _month_range(counts["month"].min(), counts["month"].max())}
            )
            per_month = counts.group_by("unit_id", "month").agg(
                pl.col("rows").sum(), pl.col("kind").n_unique().alias("_kinds")
            )
            grid = (
                visible.join(months, how="cross")
                .join(per_month, on=["unit_id", "month"], how="left")
                .join(_unit_validity(cur, ctx), on="unit_id", how="left")
            )
            open_now = (
                pl.col("open_from").is_null() | (pl.col("month") >= pl.col("open_from"))
            ) & (pl.col("open_to").is_null() | (pl.col("month") <= pl.col("open_to")))
            small = pl.lit(kind in PERSON_KINDS if kind is not None else True) & pl.col(
                "rows"
            ).is_between(1, 4)
            grid = grid.with_columns(
                pl.col("rows").fill_null(0),
                pl.when(open_now)
                .then(pl.col("_kinds").fill_null(0) / len(kinds))
                .otherwise(None)
                .alias("coverage"),
            ).with_columns(
                small.alias("rows_suppressed"),
                pl.when(small).then(None).otherwise(pl.col("rows")).alias("rows"),
            )
            grid = (
                grid.select(list(unit_schema)).cast(unit_schema).sort("area", "unit_name", "month")
            )
        if by == "unit":
            return grid
        return (
            grid.group_by("area", "month")
            .agg(
                pl.col("coverage").is_not_null().sum().cast(pl.Int64).alias("units"),
                pl.col("coverage").mean().alias("coverage"),
            )
            .sort("area", "month")
            .select("area", "month", "units", "coverage")
        )

    return _cached("coverage", conn, (scope, kind, area, by), compute)


def data_freshness(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    kinds: Iterable[str] = ("staff", "sick_leave", "survey"),
    stale_months: int = 3,
    area: str | None = None,
) -> pl.DataFrame:
    """How current each visible unit's data is, per kind (stale and missing data).

    Grain: one row per unit × kind. Columns ``unit_id, unit_name, area, kind,
    last_month, reference_month, months_behind, status, open_from``.
    ``reference_month``: the kind's newest month organisation-wide (what the
    others have delivered); ``months_behind`` = reference − the unit's last
    month; ``gap_months`` (monthly kinds only): months without rows between the
    later of the data's first month and the unit's opening and the unit's last
    month; ``status``: ``'missing'`` (no rows at all), ``'stale'`` (more than
    ``stale_months`` behind), ``'gaps'`` (holes inside the series), ``'ok'``. ``open_from``: ``YYYY-MM`` when the
    unit opened after the first month of the kind's data (opened mid-period),
    else null. Sorted worst first.
    """
    wanted = tuple(kinds)
    for k in wanted:
        if k not in COVERAGE_KINDS:
            raise ValueError(f"okänd datatyp {k!r}; välj en av {', '.join(COVERAGE_KINDS)}")

    def compute(cur, ctx):
        counts = _coverage_counts(cur, ctx).filter(pl.col("kind").is_in(list(wanted)))
        unit_frame = _unit_frame(cur, ctx)
        if area is not None:
            _check_area(scope, area)
            unit_frame = unit_frame.filter(pl.col("area") == area)
        visible = scope.visible_units(unit_frame).select("unit_id", "unit_name", "area")
        bounds = counts.group_by("kind").agg(
            pl.col("month").min().alias("_first"), pl.col("month").max().alias("reference_month")
        )
        last = counts.group_by("kind", "unit_id").agg(
            pl.col("month").max().alias("last_month"), pl.len().alias("_months")
        )
        kinds_frame = pl.DataFrame({"kind": list(wanted)}, schema={"kind": pl.String})
        frame = (
            visible.join(kinds_frame, how="cross")
            .join(last, on=["kind", "unit_id"], how="left")
            .join(bounds, on="kind", how="left")
            .join(_unit_validity(cur, ctx).select("unit_id", "open_from"), on="unit_id", how="left")
        )
        behind = pl.when(pl.col("last_month").is_not_null()).then(
            _month_index_expr("reference_month") - _month_index_expr("last_month")
        )
        # Months a monthly kind should have (from the later of the data's start and the unit's
        # opening, to the unit's last month) minus the months it has: holes inside the series.
        start = pl.max_horizontal(
            _month_index_expr("_first"),
            pl.when(pl.col("open_from").is_not_null()).then(_month_index_expr("open_from")),
        )
        gaps = pl.when(
            pl.col("kind").is_in(list(MONTHLY_KINDS)) & pl.col("last_month").is_not_null()
        ).then(
            (_month_index_expr("last_month") - start + 1 - pl.col("_months")).clip(lower_bound=0)
        )
        frame = frame.with_columns(
            behind.cast(pl.Int64).alias("months_behind"), gaps.cast(pl.Int64).alias("gap_months")
        ).with_columns(
            pl.when(pl.col("last_month").is_null())
            .then(pl.lit("missing"))
            .when(pl.col("months_behind") > stale_months)
            .then(pl.lit("stale"))
            .when(pl.col("gap_months") > 0)
            .then(pl.lit("gaps"))
            .otherwise(pl.lit("ok"))
            .alias("status"),
            pl.when(pl.col("open_from") > pl.col("_first"))
            .then(pl.col("open_from"))
            .otherwise(None)
            .alias("open_from"),
        )
        order = pl.col("status").replace_strict(
            {"missing": 0, "stale": 1, "gaps": 2, "ok": 3}, return_dtype=pl.Int64
        )
        return (
            frame.with_columns(order.alias("_order"))
            .sort("_order", pl.col("months_behind").fill_null(0), "area", "unit_name", "kind",
                  descending=[False, True, False, False, False])
            .select(
                "unit_id", "unit_name", "area", "kind", "last_month", "reference_month",
                "months_behind", "gap_months", "status", "open_from",
            )
        )  # fmt: skip

    return _cached("data_freshness", conn, (scope, wanted, stale_months, area), compute)
