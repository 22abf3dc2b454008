"""Target resolution: which target applies to an indicator, scope and year.

Order of precedence for a unit: a target for the unit itself, else for its
area, else for the organisation (``org``), else the registry default. An area
looks at itself, then ``org``, then the default. Nothing is stored: pages and
the engine resolve on the fly from ``current_targets``.

``employer_recommendation`` has a derived default (the leadership's goal: +0.2
in two years): the scope's own first survey year is the baseline, the target
is baseline + 0.1 the year after and baseline + 0.2 from two years after
(source ``baseline``). A target file always wins over it.
"""

from __future__ import annotations

import duckdb
import polars as pl

from kompetens.core import store
from kompetens.indicators.registry import REGISTRY

BASELINE_INDICATORS: dict[str, tuple[float, float]] = {
    # indicator -> (increase after one year, increase from two years on)
    "employer_recommendation": (0.1, 0.2),
}

RESOLVED_SCHEMA = {
    "indicator_id": pl.String(),
    "level": pl.String(),
    "scope_id": pl.String(),
    "year": pl.Int64(),
    "target": pl.Float64(),
    "source": pl.String(),
}


def scopes(units: pl.DataFrame) -> pl.DataFrame:
    """Every scope with its area: units, areas and the organisation."""
    u = units.select(
        pl.lit("unit").alias("level"),
        pl.col("unit_id").alias("scope_id"),
        pl.col("area").fill_null(""),
    )
    a = u.select(pl.lit("area").alias("level"), pl.col("area").alias("scope_id"), "area").unique()
    o = pl.DataFrame({"level": ["org"], "scope_id": ["org"], "area": [""]})
    return pl.concat([u, a, o], how="vertical_relaxed")


def baselines(key_figures: pl.DataFrame) -> pl.DataFrame:
    """First-year value per scope of the baseline indicators (indicator_id, level, scope_id, year0, value0)."""
    if key_figures.is_empty():
        return pl.DataFrame(
            schema={
                "indicator_id": pl.String,
                "level": pl.String,
                "scope_id": pl.String,
                "year0": pl.Int64,
                "value0": pl.Float64,
            }
        )
    rows = key_figures.filter(
        pl.col("indicator_id").is_in(list(BASELINE_INDICATORS))
        & (pl.col("period_type") == "year")
        & (pl.col("breakdown") == "all")
        & pl.col("value").is_not_null()
    ).with_columns(pl.col("period").cast(pl.Int64).alias("year0"))
    return (
        rows.sort("year0")
        .group_by("indicator_id", "level", "scope_id")
        .agg(pl.col("year0").first(), pl.col("value").first().alias("value0"))
    )


def resolve(
    target_rows: pl.DataFrame,
    units: pl.DataFrame,
    years: list[int],
    indicator_ids: list[str],
    base: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Resolve targets for every (indicator, scope, year). Pure function of frames.

    ``target_rows``: the targets kind (indicator_id, scope, year, target);
    ``units``: unit_id, area; ``base``: output of ``baselines``. Rows without
    any target are left out. Columns: ``RESOLVED_SCHEMA``.
    """
    if not years or not indicator_ids:
        return pl.DataFrame(schema=RESOLVED_SCHEMA)
    grid = (
        scopes(units)
        .join(pl.DataFrame({"indicator_id": indicator_ids}), how="cross")
        .join(pl.DataFrame({"year": sorted(set(years))}, schema={"year": pl.Int64}), how="cross")
    )
    t = target_rows.select(
        "indicator_id",
        pl.col("scope").alias("_scope"),
        pl.col("year").cast(pl.Int64),
        pl.col("target").cast(pl.Float64),
    ).unique(["indicator_id", "_scope", "year"], keep="last")

    def candidate(scope_col: pl.Expr, name: str, levels: list[str]) -> pl.DataFrame:
        keyed = grid.with_columns(scope_col.alias("_scope"))
        got = keyed.join(t, on=["indicator_id", "_scope", "year"], how="left")
        return got.select(pl.when(pl.col("level").is_in(levels)).then(pl.col("target")).alias(name))

    own = candidate(pl.col("scope_id"), "_own", ["unit", "area", "org"])
    area = candidate(pl.col("area"), "_area", ["unit"])
    org = candidate(pl.lit("org"), "_org", ["unit", "area"])
    defaults = pl.DataFrame(
        {
            "indicator_id": indicator_ids,
            "_default": [
                REGISTRY[i].default_target if i in REGISTRY else None for i in indicator_ids
            ],
        },
        schema={"indicator_id": pl.String, "_default": pl.Float64},
    )
    out = pl.concat([grid, own, area, org], how="horizontal").join(
        defaults, on="indicator_id", how="left"
    )
    if base is not None and base.height:
        steps = pl.DataFrame(
            {
                "indicator_id": list(BASELINE_INDICATORS),
                "_step1": [v[0] for v in BASELINE_INDICATORS.values()],
                "_step2": [v[1] for v in BASELINE_INDICATORS.values()],
            }
        )
        out = (
            out.join(base, on=["indicator_id", "level", "scope_id"], how="left")
            .join(steps, on="indicator_id", how="left")
            .with_columns(
                pl.when(pl.col("year") == pl.col("year0") + 1)
                .then(pl.col("value0") + pl.col("_step1"))
                .when(pl.col("year") >= pl.col("year0") + 2)
                .then(pl.col("value0") + pl.col("_step2"))
                .alias("_baseline")
            )
        )
    else:
        out = out.with_columns(pl.lit(None, dtype=pl.Float64).alias("_baseline"))
    order = [
        ("_own", None),
        ("_area", "area"),
        ("_org", "org"),
        ("_baseline", "baseline"),
        ("_default", "default"),
    ]
    target = pl.coalesce([pl.col(c) for c, _ in order])
    source = pl.when(pl.col("_own").is_not_null()).then(pl.col("level"))
    for col, name in order[1:]:
        source = source.when(pl.col(col).is_not_null()).then(pl.lit(name))
    return (
        out.with_columns(target.alias("target"), source.alias("source"))
        .filter(pl.col("target").is_not_null())
        .select(list(RESOLVED_SCHEMA))
        .cast(RESOLVED_SCHEMA)
        .sort("indicator_id", "level", "scope_id", "year")
    )


def _years(conn: duckdb.DuckDBPyConnection) -> list[int]:
    got = store.rows(
        conn,
        "SELECT DISTINCT CAST(substr(period, 1, 4) AS BIGINT) FROM key_figures "
        "UNION SELECT DISTINCT year FROM current_targets",
    )
    return sorted(int(r[0]) for r in got if r[0] is not None)


def resolve_targets(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Resolved targets for every indicator that has one, every scope and every year with figures.

    Columns: indicator_id, level (unit|area|org), scope_id, year, target,
    source (unit|area|org: from the targets file at that scope; baseline; default).
    """
    target_rows = store.read_current(conn, "targets")
    units = store.frame(conn, "SELECT unit_id, area FROM current_units")
    ids = sorted(
        {i for i, ind in REGISTRY.items() if ind.default_target is not None}
        | set(BASELINE_INDICATORS)
        | set(target_rows["indicator_id"].to_list())
    )
    placeholders = ", ".join("?" for _ in BASELINE_INDICATORS)
    sql = f"SELECT indicator_id, level, scope_id, period_type, period, breakdown, value FROM key_figures WHERE period_type = 'year' AND breakdown = 'all' AND indicator_id IN ({placeholders})"  # noqa: S608 (placeholders only)
    base = baselines(store.frame(conn, sql, list(BASELINE_INDICATORS)))
    return resolve(target_rows, units, _years(conn), ids, base)


def resolve_unit_targets(
    conn: duckdb.DuckDBPyConnection, indicator_ids: list[str], years: list[int]
) -> pl.DataFrame:
    """Unit-level targets of some indicators for some years (indicator_id, scope_id, year, target)."""
    target_rows = store.read_current(conn, "targets")
    units = store.frame(conn, "SELECT unit_id, area FROM current_units")
    resolved = resolve(target_rows, units, years, indicator_ids)
    return resolved.filter(pl.col("level") == "unit").select(
        "indicator_id", "scope_id", "year", "target"
    )
