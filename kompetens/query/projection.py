"""The projection of the certified shares (``kompetens.analysis.projection``), read, scoped and suppressed.

Inputs come from the store with bound parameters only: the reference-month staff
snapshot of every year (the month of the newest snapshot that counts; partial
snapshots the key figures leave out are left out here too), the units, the stored
retirement age (``indicators.engine.stored_settings``) and the targets
(``indicators.targets.resolve``). The model is fitted on the whole organisation
(area and organisation are sums of all their units), then filtered to the
caller's scope.

Suppression (``docs/projection.md``): a scope × indicator is hidden ('..', null
values, ``suppressed`` true) in every year when (1) its figure rests on fewer than
``SUPPRESSION_THRESHOLD`` people at the start, (2) its key figure for the start
month is suppressed (so the start value never reveals a hidden key figure), or
(3) it is the only hidden unit of its area for that indicator: then the next
smallest unit of the area is hidden too (the same for a lone hidden area), or
(4) it is the only unit of its area (the only area of the organisation) for that
indicator and the other of the two is hidden: the two publish the same figure.
"""

from __future__ import annotations

import duckdb
import polars as pl

from kompetens.access.scope import Scope, ScopeError
from kompetens.analysis import projection as model_
from kompetens.analysis import projection_solve as solve_
from kompetens.core import store
from kompetens.indicators import registry
from kompetens.indicators.pipelines.grain import Settings
from kompetens.ingest import snapshot_check
from kompetens.query.cache import _cached, _memo
from kompetens.query.slices import _slice, _unit_frame
from kompetens.query.suppression import SUPPRESSION_THRESHOLD

#: The columns of the command line's file (shares as fractions; empty = suppressed).
FILE_COLUMNS = ["level", "scope_id", "indicator_id", "year", "median", "low80", "high80", "target"]
_VALUE_COLUMNS = ["expected", "median", "low80", "high80", "numerator_fte", "denominator_fte"]


def _reference_dates(cur: duckdb.DuckDBPyConnection) -> list:
    """The newest counted snapshot date of the reference month in every year, oldest first.

    The reference month is the month of the newest snapshot the key figures use.
    """
    left_out = set(snapshot_check.left_out_dates(cur))
    dates = [
        d
        for (d,) in store.rows(cur, "SELECT DISTINCT snapshot_date FROM current_staff ORDER BY 1")
        if d is not None and d not in left_out
    ]
    if not dates:
        return []
    month = dates[-1].month
    per_year: dict[int, object] = {}
    for d in dates:
        if d.month == month:
            per_year[d.year] = d  # ascending: the last one of the month wins
    return [per_year[y] for y in sorted(per_year)]


def _inputs(cur: duckdb.DuckDBPyConnection, ctx: tuple) -> dict:
    """Reference-month snapshots (``year`` = the snapshot's year), units, retirement age, start month."""
    return _memo("_projection_inputs", cur, ctx, (), lambda: _load_inputs(cur, ctx))


def _load_inputs(cur: duckdb.DuckDBPyConnection, ctx: tuple) -> dict:
    dates = _reference_dates(cur)
    units = _unit_frame(cur, ctx).select("unit_id", "area", "school_form")
    settings = _stored_retirement_age(cur)
    if not dates:
        snaps = pl.DataFrame(
            schema={
                "year": pl.Int64,
                "employee_id": pl.UInt64,
                "unit_id": pl.String,
                "staff_category": pl.String,
                "fte": pl.Float64,
                "licensed": pl.Boolean,
                "qualified": pl.Boolean,
                "birth_year": pl.Int64,
            }
        )
        return {"snapshots": snaps, "units": units, "retirement_age": settings, "start": None}
    snaps = store.frame(
        cur,
        "SELECT CAST(year(snapshot_date) AS BIGINT) AS year, hash(employee_id) AS employee_id, "
        "unit_id, staff_category, CAST(fte AS DOUBLE) AS fte, licensed, qualified, "
        "CAST(birth_year AS BIGINT) AS birth_year "
        "FROM current_staff WHERE list_contains(?::DATE[], snapshot_date)",
        [dates],
    )
    return {
        "snapshots": snaps,
        "units": units,
        "retirement_age": settings,
        "start": dates[-1].strftime("%Y-%m"),
    }


def _stored_retirement_age(cur: duckdb.DuckDBPyConnection) -> int:
    from kompetens.indicators.engine import stored_settings

    try:
        return int(stored_settings(cur).get("retirement_age", Settings().retirement_age))
    except duckdb.Error:  # no key figures computed yet
        return Settings().retirement_age


def start_month(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The reference month the projection starts from (``YYYY-MM``), or None without snapshots."""
    return _cached("projection_start", conn, (), lambda cur, ctx: _inputs(cur, ctx)["start"])


def snapshot_years(conn: duckdb.DuckDBPyConnection) -> list[int]:
    """The years with a reference-month snapshot, oldest first (what a backtest can start from)."""

    def compute(cur, ctx):
        return sorted(_inputs(cur, ctx)["snapshots"]["year"].unique().to_list())

    return _cached("projection_years", conn, (), compute)


def retirement_age(conn: duckdb.DuckDBPyConnection) -> int:
    """The stored retirement age (the setting the key figures were computed with)."""
    return _cached("projection_age", conn, (), lambda cur, ctx: _stored_retirement_age(cur))


def _model(cur, ctx, start_year: int | None) -> model_.Model | None:
    """The fitted model of the whole organisation (one per database stamp and start year)."""

    def build() -> model_.Model | None:
        got = _inputs(cur, ctx)
        if got["start"] is None:
            return None
        return model_.build_model(got["snapshots"], got["units"], got["retirement_age"], start_year)

    return _memo("_projection_model", cur, ctx, (start_year,), build)


def _protect(result: pl.DataFrame, cur, ctx, start: str) -> pl.DataFrame:
    """Add ``suppressed`` (module docstring) and null the values of suppressed rows."""
    keys = ["level", "scope_id", "indicator_id"]
    at_start = result.filter(pl.col("step") == 0).select(*keys, "n_start")
    hidden_kf = []
    for indicator_id in model_.INDICATORS:
        kf = _slice(cur, ctx, indicator_id, "month").filter(
            (pl.col("period") == start) & (pl.col("breakdown") == "all") & pl.col("suppressed")
        )
        hidden_kf.append(kf.select("level", "scope_id", pl.lit(indicator_id).alias("indicator_id")))
    kf_hidden = pl.concat(hidden_kf).with_columns(pl.lit(True).alias("_kf"))
    areas = _unit_frame(cur, ctx).select(pl.col("unit_id").alias("scope_id"), "area")
    cells = (
        at_start.join(kf_hidden, on=keys, how="left")
        .join(areas, on="scope_id", how="left")
        .with_columns(
            ((pl.col("n_start") < SUPPRESSION_THRESHOLD) | pl.col("_kf").fill_null(False)).alias(
                "suppressed"
            ),
            pl.when(pl.col("level") == "unit")
            .then(pl.col("area"))
            .when(pl.col("level") == "area")
            .then(pl.lit("org"))
            .alias("_parent"),
        )
    )
    # Secondary: a lone hidden member of a parent takes the next smallest member with it.
    members = cells.filter(pl.col("_parent").is_not_null())
    lone = (
        members.group_by("level", "_parent", "indicator_id")
        .agg(pl.col("suppressed").sum().alias("_h"), pl.len().alias("_n"))
        .filter((pl.col("_h") == 1) & (pl.col("_n") > 1))
    )
    extra = (
        members.join(lone, on=["level", "_parent", "indicator_id"], how="semi")
        .filter(~pl.col("suppressed"))
        .sort("n_start", "scope_id")
        .group_by("level", "_parent", "indicator_id")
        .first()
        .select(*keys, pl.lit(True).alias("_second"))
    )
    flags = cells.join(extra, on=keys, how="left").with_columns(
        (pl.col("suppressed") | pl.col("_second").fill_null(False)).alias("suppressed")
    )
    # A parent with a single member publishes the same figure: both shown or both hidden.
    members = flags.filter(pl.col("_parent").is_not_null())
    single = (
        members.group_by("level", "_parent", "indicator_id")
        .agg(pl.len().alias("_n"), pl.col("suppressed").any().alias("_any"))
        .filter(pl.col("_n") == 1)
    )
    parent_level = pl.col("level").replace_strict({"unit": "area", "area": "org"})
    parent_hidden = (
        single.select(
            parent_level.alias("level"), pl.col("_parent").alias("scope_id"), "indicator_id", "_any"
        )
        .join(flags.select(*keys, pl.col("suppressed").alias("_ph")), on=keys, how="left")
        .with_columns((pl.col("_any") | pl.col("_ph").fill_null(False)).alias("_both"))
    )
    up = parent_hidden.select(*keys, "_both")
    down = single.join(
        parent_hidden.select(
            pl.col("level").replace_strict({"area": "unit", "org": "area"}).alias("level"),
            pl.col("scope_id").alias("_parent"),
            "indicator_id",
            "_both",
        ),
        on=["level", "_parent", "indicator_id"],
    ).select("level", "_parent", "indicator_id", pl.col("_both").alias("_down"))
    flags = (
        flags.join(up, on=keys, how="left")
        .join(down, on=["level", "_parent", "indicator_id"], how="left")
        .select(
            *keys,
            (
                pl.col("suppressed")
                | pl.col("_both").fill_null(False)
                | pl.col("_down").fill_null(False)
            ).alias("suppressed"),
        )
    )
    out = result.join(flags, on=keys, how="left").with_columns(pl.col("suppressed").fill_null(True))
    return out.with_columns(
        [
            pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c)
            for c in _VALUE_COLUMNS
        ]
    )


def _targets(cur, ctx, years: list[int]) -> pl.DataFrame:
    """Targets of the projected shares: ``level, scope_id, indicator_id, year, target``.

    Resolved as everywhere (``indicators.targets.resolve``: own, area, org, default),
    except that a year after the last year of the targets file keeps the newest
    target the file gave the scope: a plan's target stands until it is changed.
    """
    from kompetens.indicators.targets import resolve

    rows = store.read_current(cur, "targets")
    units = _unit_frame(cur, ctx).select("unit_id", "area")
    first = min([*years, *rows["year"].cast(pl.Int64).to_list()])
    span = list(range(first, max(years) + 1))
    got = resolve(rows, units, span, list(model_.INDICATORS))
    keys = ["level", "scope_id", "indicator_id"]
    grid = (
        got.select(keys)
        .unique()
        .join(pl.DataFrame({"year": span}, schema={"year": pl.Int64}), how="cross")
    )
    from_file = pl.col("source").is_in(["unit", "area", "org"])
    return (
        grid.join(got, on=[*keys, "year"], how="left")
        .sort("year")
        .with_columns(
            pl.when(from_file)
            .then(pl.col("target"))
            .forward_fill()
            .over("level", "scope_id", "indicator_id")
            .alias("_carried")
        )
        .with_columns(
            pl.when(from_file)
            .then(pl.col("target"))
            .otherwise(pl.coalesce("_carried", "target"))
            .alias("target")
        )
        .filter(pl.col("year").is_in(years))
        .select("level", "scope_id", "indicator_id", "year", "target")
    )


def _in_scope(frame: pl.DataFrame, scope: Scope, unit_frame: pl.DataFrame) -> pl.DataFrame:
    """Rows the scope may see: its units, its areas, and the organisation."""
    if scope.level == "org":
        return frame
    visible = scope.visible_units(unit_frame)["unit_id"].to_list()
    areas = list(scope.areas)
    return frame.filter(
        (pl.col("level") == "org")
        | ((pl.col("level") == "area") & pl.col("scope_id").is_in(areas))
        | ((pl.col("level") == "unit") & pl.col("scope_id").is_in(visible))
    )


def _selection(
    frame: pl.DataFrame, unit_frame: pl.DataFrame, area: str | None, unit: str | None
) -> pl.DataFrame:
    """Narrow to one area (the org, the area and its units) or one unit (org, its area, the unit)."""
    if unit is not None:
        unit_area = unit_frame.filter(pl.col("unit_id") == unit)["area"].to_list()
        return frame.filter(
            (pl.col("level") == "org")
            | ((pl.col("level") == "area") & pl.col("scope_id").is_in(unit_area))
            | ((pl.col("level") == "unit") & (pl.col("scope_id") == unit))
        )
    if area is not None:
        in_area = unit_frame.filter(pl.col("area") == area)["unit_id"].to_list()
        return frame.filter(
            (pl.col("level") == "org")
            | ((pl.col("level") == "area") & (pl.col("scope_id") == area))
            | ((pl.col("level") == "unit") & pl.col("scope_id").is_in(in_area))
        )
    return frame


def _check(scope: Scope, unit_frame: pl.DataFrame, area: str | None, unit: str | None) -> None:
    if unit is not None and unit not in scope.visible_units(unit_frame)["unit_id"].to_list():
        raise ScopeError(f"enheten {unit!r} ingår inte i din behörighet")
    if area is not None and not scope.allows_area(area):
        raise ScopeError(f"området {area!r} ingår inte i din behörighet")


def _projected(
    cur, ctx, scenario: model_.Scenario, years: int, draws: int, start_year: int | None
) -> pl.DataFrame:
    """The whole organisation's projection, suppressed, with targets; once per stamp and scenario.

    Grain and columns as :func:`projection`, for every level and scope (no scope applied):
    the simulation runs once for all the scopes that ask (each filters its rows; one that
    asks while it runs waits for it), and the background warmer runs it for the default
    scenario after a start or a recompute.
    """

    def load() -> pl.DataFrame:
        built = _model(cur, ctx, start_year)
        if built is None:
            return pl.DataFrame(
                schema={**model_.RESULT_SCHEMA, "target": pl.Float64, "suppressed": pl.Boolean}
            )
        result = model_.project(built, scenario, years, draws=draws)
        start = f"{built.start_year}-{_inputs(cur, ctx)['start'][5:]}"
        result = _protect(result, cur, ctx, start)
        targets = _targets(cur, ctx, sorted(result["year"].unique().to_list()))
        return result.join(targets, on=["level", "scope_id", "indicator_id", "year"], how="left")

    return _memo("_projected", cur, ctx, (scenario, years, draws, start_year), load, wait=True)


def projection(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    scenario: model_.Scenario | None = None,
    years: int = 5,
    area: str | None = None,
    unit: str | None = None,
    draws: int = model_.DRAWS,
    start_year: int | None = None,
) -> pl.DataFrame:
    """The projection in scope, suppressed, with targets.

    Grain: level × scope_id × indicator_id × year (step 0 = the start month's
    observed share, steps 1..``years`` projected). Columns
    ``analysis.projection.RESULT_SCHEMA`` + ``target`` (fraction, null without one)
    + ``suppressed``. ``area`` / ``unit`` narrow the rows (and must be in scope).
    """
    scenario = scenario or model_.Scenario()

    def compute(cur, ctx):
        unit_frame = _unit_frame(cur, ctx)
        _check(scope, unit_frame, area, unit)
        result = _projected(cur, ctx, scenario, years, draws, start_year)
        result = _selection(_in_scope(result, scope, unit_frame), unit_frame, area, unit)
        return result.sort(
            pl.col("level").replace_strict({"org": 0, "area": 1, "unit": 2}, return_dtype=pl.Int8),
            "scope_id",
            "indicator_id",
            "year",
        )

    return _cached(
        "projection", conn, (scope, scenario, years, area, unit, draws, start_year), compute
    )


def file_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The command line's file: ``FILE_COLUMNS`` for the projected years (step ≥ 1)."""
    return frame.filter(pl.col("step") >= 1).select(FILE_COLUMNS)


def write_file(frame: pl.DataFrame, out) -> int:
    """Write ``file_rows(frame)`` to ``out`` (.csv or .parquet); returns the number of rows.

    As the key-figure export: CSV UTF-8, comma, decimal point, empty cells for
    suppressed values, names that start like a formula prefixed with '.
    """
    from pathlib import Path

    from kompetens.query.export import FORMATS, FORMULA_START

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"okänt filformat {out.suffix!r}: använd .csv eller .parquet")
    rows = file_rows(frame)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        rows = rows.with_columns(
            pl.when(pl.col("scope_id").str.contains(FORMULA_START))
            .then(pl.lit("'") + pl.col("scope_id"))
            .otherwise(pl.col("scope_id"))
            .alias("scope_id")
        )
        rows.write_csv(out)
    else:
        rows.write_parquet(out)
    return rows.height


def rates(conn: duckdb.DuckDBPyConnection, scope: Scope, area: str | None = None) -> pl.DataFrame:
    """The rates the model uses, per unit in scope × staff category × rate, with the years they came from.

    Columns of ``analysis.projection.shrunk_rates``; on a unit whose own exposure
    rests on fewer than ``SUPPRESSION_THRESHOLD`` people, ``events`` and
    ``own_rate`` are null (``value`` — the shrunk rate — is still shown: it mixes
    the area's).
    """

    def compute(cur, ctx):
        unit_frame = _unit_frame(cur, ctx)
        _check(scope, unit_frame, area, None)
        built = _model(cur, ctx, None)
        if built is None:
            return pl.DataFrame()
        visible = scope.visible_units(unit_frame)
        if area is not None:
            visible = visible.filter(pl.col("area") == area)
        small = pl.col("exposure") < SUPPRESSION_THRESHOLD
        return (
            built.rates.join(visible.select("unit_id"), on="unit_id", how="semi")
            .with_columns(
                pl.when(small).then(None).otherwise(pl.col("events")).alias("events"),
                pl.when(small).then(None).otherwise(pl.col("own_rate")).alias("own_rate"),
            )
            .join(unit_frame.select("unit_id", "unit_name"), on="unit_id", how="left")
        )

    return _cached("projection_rates", conn, (scope, area), compute)


def what_it_takes(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    target: float,
    year: int,
    area: str | None = None,
    unit: str | None = None,
) -> pl.DataFrame:
    """Per lever, what each unit in scope needs to reach ``target`` in ``year``, and area sums.

    Columns of ``analysis.projection_solve.solve_table`` plus ``unit_name``; a
    unit whose share is suppressed has null numbers (its sentence says so).
    """

    def compute(cur, ctx):
        unit_frame = _unit_frame(cur, ctx)
        _check(scope, unit_frame, area, unit)
        built = _model(cur, ctx, None)
        if built is None:
            return pl.DataFrame(schema=solve_.SOLVE_SCHEMA)
        result = model_.project(built, years=max(1, year - built.start_year), draws=0)
        start = f"{built.start_year}-{_inputs(cur, ctx)['start'][5:]}"
        hidden = (
            _protect(result, cur, ctx, start)
            .filter(pl.col("suppressed") & (pl.col("step") == 0))
            .select("level", "scope_id", "indicator_id")
        )
        names = dict(zip(unit_frame["unit_id"], unit_frame["unit_name"], strict=True))
        table = solve_.solve_table(
            built, target, year, hidden=hidden, names=names, indicator_id=indicator_id
        )
        table = _selection(_in_scope(table, scope, unit_frame), unit_frame, area, unit)
        named = unit_frame.select(pl.col("unit_id").alias("scope_id"), "unit_name")
        return (
            table.filter(pl.col("level") != "org")
            .join(named, on="scope_id", how="left")
            .with_columns(pl.col("unit_name").fill_null(pl.col("scope_id")))
        )

    return _cached(
        "projection_what_it_takes", conn, (scope, indicator_id, target, year, area, unit), compute
    )


def backtest(
    conn: duckdb.DuckDBPyConnection, scope: Scope, from_year: int, draws: int = model_.DRAWS
) -> solve_.Backtest:
    """The model run from ``from_year`` against what happened (``analysis.projection_solve.backtest``).

    The errors are the organisation's whole picture (aggregates over every unit
    with at least ``SUPPRESSION_THRESHOLD`` people), so every scope sees the same.
    """

    def compute(cur, ctx):
        got = _inputs(cur, ctx)
        if got["start"] is None:
            raise ValueError("Det finns inga personalögonblicksbilder att pröva prognosen mot.")
        return solve_.backtest(
            got["snapshots"], got["units"], got["retirement_age"], from_year, draws=draws
        )

    return _cached("projection_backtest", conn, (from_year, draws), compute)


def coverage_line(result: solve_.Backtest) -> str:
    """The backtest's band coverage per level, one Swedish sentence (the page and the command
    line), e.g. "Utfall inom 80 %-bandet: organisationen 75 %, områdena 80 %, enheterna 79 %."."""
    from kompetens.present.formatting import fmt_percent

    by_level = result.coverage_by_level()

    def share(level: str) -> str:
        value = by_level[level]
        return ".." if value is None else fmt_percent(value, 0)

    return (
        f"Utfall inom 80 %-bandet: organisationen {share('org')}, områdena {share('area')}, "
        f"enheterna {share('unit')}."
    )


def outlook_line(row: dict, name: str) -> str:
    """The one-line outlook of a share, for the dialogue page and the unit brief (PDF and Excel).

    ``row``: one scope's projection row of its last projected year (``projection``'s
    columns). E.g. "Andel behöriga lärare (heltidstjänster) – med nuvarande takt: 68 %
    (61–74 %) år 2031, mål 80 %." A suppressed row gives '..' and says why; a figure
    resting on fewer than ``analysis.projection.UNCERTAIN_BELOW`` people says it is uncertain.
    """
    from kompetens.present.formatting import fmt_number, fmt_percent

    year = row["year"]
    if row["suppressed"] or row["median"] is None:
        return (
            f"{name} – med nuvarande takt år {year}: .. (prognosen visas inte: den vilar på "
            f"färre än {SUPPRESSION_THRESHOLD} personer eller skulle röja en dold siffra)."
        )
    low = fmt_number(row["low80"] * 100, 0)
    line = (
        f"{name} – med nuvarande takt: {fmt_percent(row['median'], 0)} "
        f"({low}–{fmt_percent(row['high80'], 0)}) år {year}"
    )
    if row.get("target") is not None:
        line += f", mål {fmt_percent(row['target'], 0)}"
    line += "."
    if row["uncertain"]:
        line += f" Osäkert: prognosen vilar på {fmt_number(row['n_start'])} personer."
    return line


def unit_outlook(conn: duckdb.DuckDBPyConnection, scope: Scope, unit_id: str) -> list[str]:
    """The unit's outlook lines (``outlook_line``), one per certified share it has, at the observed pace.

    Grain: one unit, the last projected year (5 years ahead). Empty when the unit has
    neither share or there are no snapshots. ``ScopeError`` for a unit outside the scope.
    Reads the scope's whole projection (cached once per scope), so an area's briefs
    compute it once.
    """

    def compute(cur, ctx):
        _check(scope, _unit_frame(cur, ctx), None, unit_id)
        return True

    _cached("projection_outlook_check", conn, (scope, unit_id), compute)
    frame = projection(conn, scope)
    rows = frame.filter(
        (pl.col("level") == "unit") & (pl.col("scope_id") == unit_id) & (pl.col("step") >= 1)
    )
    if rows.height == 0:
        return []
    lines = []
    for indicator_id in model_.INDICATORS:
        part = rows.filter(pl.col("indicator_id") == indicator_id)
        if part.height:
            last = part.filter(pl.col("step") == part["step"].max()).row(0, named=True)
            lines.append(outlook_line(last, registry.get(indicator_id).name_sv))
    return lines


#: The timeline's indicator id inside the suppression (a count whose cells add up).
_TIMELINE = "retirement_timeline"


def retirement_timeline(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    years: int = 5,
    area: str | None = None,
    unit: str | None = None,
) -> pl.DataFrame:
    """Retirements per year ahead, unit and staff category, at the stored retirement age.

    Grain: level × scope_id × staff_category (each, and ``all``) × year (the start
    month's year + 1 .. + ``years``); ``retirements`` in people, from the start
    snapshot's birth years (``analysis.projection.retirement_timeline``). Suppressed as
    the key figures are (``query.suppression.apply_suppression`` over the whole
    table: fewer than 5 people, and what would let a hidden cell be worked out from
    unit, area, organisation and category sums): ``retirements`` null and
    ``suppressed`` true. Columns ``level, scope_id, staff_category, year, retirements,
    suppressed, retirement_age``. ``area`` / ``unit`` narrow the rows as in ``projection``.
    """

    def compute(cur, ctx):
        unit_frame = _unit_frame(cur, ctx)
        _check(scope, unit_frame, area, unit)
        got = _inputs(cur, ctx)
        schema = {
            "level": pl.String,
            "scope_id": pl.String,
            "staff_category": pl.String,
            "year": pl.Int64,
            "retirements": pl.Int64,
            "suppressed": pl.Boolean,
            "retirement_age": pl.Int64,
        }
        if got["start"] is None:
            return pl.DataFrame(schema=schema)
        age = got["retirement_age"]
        timeline = model_.retirement_timeline(
            got["snapshots"], got["units"], int(got["start"][:4]), age, years
        )
        cells = timeline.select(
            pl.lit(_TIMELINE).alias("indicator_id"),
            "level",
            "scope_id",
            pl.lit("year").alias("period_type"),
            pl.col("year").cast(pl.String).alias("period"),
            pl.when(pl.col("staff_category") == "all")
            .then(pl.lit("all"))
            .otherwise(pl.lit("staff_category=") + pl.col("staff_category"))
            .alias("breakdown"),
            pl.lit(None, dtype=pl.Float64).alias("numerator"),
            pl.lit(None, dtype=pl.Float64).alias("denominator"),
            pl.col("retirements").cast(pl.Float64).alias("value"),
            pl.col("retirements").alias("n_individuals"),
        )
        hidden = _timeline_hidden(cells, unit_frame.select("unit_id", "area"))
        out = timeline.with_columns(hidden.alias("suppressed")).with_columns(
            pl.when(pl.col("suppressed"))
            .then(None)
            .otherwise(pl.col("retirements"))
            .alias("retirements"),
            pl.lit(age, dtype=pl.Int64).alias("retirement_age"),
        )
        out = _selection(_in_scope(out, scope, unit_frame), unit_frame, area, unit)
        return out.select(list(schema)).sort(
            pl.col("level").replace_strict({"org": 0, "area": 1, "unit": 2}, return_dtype=pl.Int8),
            "scope_id",
            "staff_category",
            "year",
        )

    return _cached("projection_retirement_timeline", conn, (scope, years, area, unit), compute)


def _timeline_hidden(cells: pl.DataFrame, unit_areas: pl.DataFrame) -> pl.Series:
    """Which timeline cells to hide: the key-figure suppression, plus the years' sum.

    ``apply_suppression`` links units, areas, the organisation and the categories. The
    years of a scope × category add up to the five-year count the key figure
    ``retirement_forecast_5y`` publishes, so a lone hidden year takes the smallest other
    year with it; then the suppression runs again on the result (hiding more never
    reveals more), until nothing changes.
    """
    from kompetens.query.suppression import apply_suppression

    frame = cells.with_columns(pl.lit(False).alias("suppressed"))
    keys = ["level", "scope_id", "breakdown"]
    while True:
        hidden = apply_suppression(
            frame, unit_areas, sum_indicators=frozenset({_TIMELINE}), month_flows=frozenset()
        )["suppressed"]
        marked = cells.with_columns(hidden.alias("suppressed")).with_row_index("_i")
        lone = (
            marked.group_by(keys)
            .agg(pl.col("suppressed").sum().alias("_h"), pl.len().alias("_n"))
            .filter((pl.col("_h") == 1) & (pl.col("_n") > 1))
        )
        extra = (
            marked.join(lone, on=keys, how="semi")
            .filter(~pl.col("suppressed"))
            .sort("value", "period")
            .group_by(keys)
            .first()["_i"]
        )
        if extra.len() == 0:
            return hidden
        flags = hidden.to_numpy().copy()
        flags[extra.to_numpy()] = True
        frame = cells.with_columns(pl.Series("suppressed", flags))
