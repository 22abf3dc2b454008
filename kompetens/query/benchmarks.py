"""External benchmarks beside our own figures (Översikt cards, Behörighet, dialogue, trends, export).

Benchmark values are published figures about municipalities, groups of
municipalities, the country and school units (``kompetens.external``). They
describe no person of ours, so the small-number rule never hides them; the
sources' own masks (Kolada ``status``, Skolverket ``..``, ``~100`` …) are shown
as the source shows them (``source_value``). Scope: values for the
municipality, the group and the country are visible to every scope (like the
organisation's own rows); a unit's values (Kolada OU data, Skolverket's school
unit statistics) only to a scope that sees the unit — a principal sees their
own unit's and no other unit's.

Units: ``value`` is in the indicator's own unit (a share is a fraction 0–1, as
our key figures; Kolada and Skolverket publish percent, divided by 100 here).
Caching: writing the benchmark table does not change the key-figure stamp the
query cache keys on, so these functions keep their own small caches keyed by the
state of the benchmark values (``_totals_key``: the database file, its newest
import batch and its undone batches; a published snapshot is a new file): the
Kolada totals, and each comparison strip (``external_comparisons``) per
indicator, year and unit. The unit lookup is cached per data stamp. Scope is
checked before a kept strip is returned. In-memory databases are read every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import duckdb
import polars as pl

from kompetens.access.scope import Scope, ScopeError
from kompetens.core import store
from kompetens.external.schema import COMPARISON_KINDS, SOURCES
from kompetens.indicators.registry import REGISTRY, get
from kompetens.query.cache import _cached, _has_table

#: Our certified share and Skolverket's differ by more than this (percentage points, as a fraction).
RECONCILIATION_THRESHOLD = 0.10
#: Why the two shares may differ; shown beside every flagged unit.
RECONCILIATION_REASONS: tuple[str, ...] = (
    "Skolverket väger varje lärare med undervisningstiden i de ämnen och årskurser läraren är behörig i.",
    "Kompetens använder en flagga per person (behörig i minst ett ämne läraren undervisar i).",
    "Mättidpunkten skiljer sig: Skolverket mäter den 15 oktober, Kompetens vid referensmånadens ögonblicksbild.",
)
#: Skolverket's measure for the certified share per school unit.
SKOLVERKET_CERTIFIED = "certifiedTeachersQuota"
#: Kinds shown in a comparison strip, in display order.
STRIP_KINDS = ("own_municipality", "municipality_group", "national")

COMPARISON_COLUMNS: dict[str, pl.DataType] = {
    "comparison_kind": pl.String(),
    "label": pl.String(),
    "comparison_id": pl.String(),
    "comparison_name": pl.String(),
    "measure_id": pl.String(),
    "period": pl.String(),
    "year": pl.Int32(),
    "value": pl.Float64(),
    "source_value": pl.String(),
    "status": pl.String(),
    "source": pl.String(),
    "source_name": pl.String(),
    "source_url": pl.String(),
    "is_demo": pl.Boolean(),
}


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=COMPARISON_COLUMNS)


#: Kolada totals (gender ``T``) per database file and benchmark-log state; a few entries.
_TOTALS: OrderedDict[tuple, pl.DataFrame] = OrderedDict()
_TOTALS_LOCK = threading.Lock()
_TOTALS_KEEP = 4
#: Comparison strips (``external_comparisons``) per benchmark state, indicator, year and unit:
#: the dialogue draws fifteen cards a run, each its strip again on every rerun.
_STRIPS: OrderedDict[tuple, pl.DataFrame] = OrderedDict()
_STRIPS_KEEP = 2048


def _totals_key(cur: duckdb.DuckDBPyConnection) -> tuple | None:
    """(file path, newest batch, number of undone batches): the state of the benchmark values.

    One small query. A published snapshot is a new file, and a write on the primary adds or
    undoes a batch, so two equal keys read the same values. None when the table does not
    exist; the path is empty for an in-memory database.
    """
    try:
        return tuple(
            store.rows(
                cur,
                "SELECT (SELECT path FROM duckdb_databases() WHERE database_name = current_database()), "
                "(SELECT max(batch_id) FROM external_import_log), "
                "(SELECT count(undone_at) FROM external_import_log)",
            )[0]
        )
    except duckdb.CatalogException:
        return None


def _kolada_totals(cur: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """Every live Kolada total, read once per database file and state of the benchmark log.

    The key is (file path, newest batch, number of undone batches): one small query per call,
    instead of a filtered query on the table. A published snapshot is a new file, and a write
    on the primary adds or undoes a batch, so a stale frame is never returned. In-memory
    databases (no path) are read every time. None when the table does not exist.
    """
    key = _totals_key(cur)
    if key is None:
        return None
    if key[0]:
        with _TOTALS_LOCK:
            if key in _TOTALS:
                _TOTALS.move_to_end(key)
                return _TOTALS[key]
    frame = store.frame(
        cur,
        "SELECT * FROM current_external_values WHERE source = 'kolada' AND gender = 'T' "
        "ORDER BY measure_id, comparison_kind, year",
    )
    if key[0]:
        with _TOTALS_LOCK:
            _TOTALS[key] = frame
            while len(_TOTALS) > _TOTALS_KEEP:
                _TOTALS.popitem(last=False)
    return frame


def _scale(indicator_id: str) -> float:
    return 100.0 if get(indicator_id).unit == "share" else 1.0


def _units(cur: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return store.frame(
        cur,
        "SELECT unit_id, unit_name, area, school_form, kolada_ou_id, school_unit_code FROM current_units",
    )


def _cached_units(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """``_units``, once per data stamp (the units change with an import, which moves it)."""
    return _cached("benchmark_units", conn, (), lambda cur, ctx: _units(cur), remember=False)


def _visible_unit(conn: duckdb.DuckDBPyConnection, scope: Scope, unit_id: str) -> dict:
    units = _cached_units(conn)
    visible = scope.visible_units(units).filter(pl.col("unit_id") == unit_id)
    if visible.is_empty():
        raise ScopeError(f"enheten {unit_id!r} ligger utanför din behörighet")
    return visible.row(0, named=True)


def _shape(frame: pl.DataFrame, scale: float) -> pl.DataFrame:
    if frame.is_empty():
        return _empty()
    return frame.with_columns(
        pl.col("comparison_kind").replace_strict(COMPARISON_KINDS, default="").alias("label"),
        (pl.col("value") / scale).alias("value"),
        pl.col("source").replace_strict(SOURCES, default="").alias("source_name"),
    ).select(list(COMPARISON_COLUMNS))


def has_benchmarks(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database holds any benchmark value (pages show their strips only then)."""
    cur = conn.cursor()
    try:
        if not _has_table(cur, "current_external_values"):
            return False
        return bool(store.scalar(cur, "SELECT count(*) > 0 FROM current_external_values"))
    finally:
        cur.close()


def external_comparisons(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    year: int,
    unit_id: str | None = None,
) -> pl.DataFrame:
    """The published comparisons of an indicator for ``year`` (or the latest year before it).

    Grain: one row per comparison kind — own municipality, similar municipalities
    (the group), the country, and with ``unit_id`` the unit's own Kolada OU value —
    each the latest published year at or before ``year`` (Kolada publishes a year
    late; ``year`` tells which). Totals only (gender ``T``). Columns:
    ``COMPARISON_COLUMNS``; ``value`` in the indicator's unit. Empty when the
    indicator has no Kolada equivalent or nothing was imported. ``unit_id`` outside
    ``scope`` raises ``ScopeError``.
    """
    kpi = get(indicator_id).kolada_id
    cur = conn.cursor()
    try:
        ou_id = None
        if unit_id is not None:
            ou_id = _visible_unit(conn, scope, unit_id)["kolada_ou_id"]
        if kpi is None:
            return _empty()
        key = _totals_key(cur)
        memo = (key, indicator_id, year, ou_id)
        with _TOTALS_LOCK:
            if key is not None and key[0] and memo in _STRIPS:
                _STRIPS.move_to_end(memo)
                return _STRIPS[memo]
        totals = _kolada_totals(cur)
    finally:
        cur.close()
    if totals is None or totals.is_empty():
        return _empty()
    shown = pl.col("comparison_kind").is_in(STRIP_KINDS)
    if ou_id is not None:
        shown = shown | (
            (pl.col("comparison_kind") == "school_unit") & (pl.col("comparison_id") == ou_id)
        )
    order = {k: i for i, k in enumerate((*STRIP_KINDS, "school_unit"))}
    frame = (
        totals.filter((pl.col("measure_id") == kpi) & (pl.col("year") <= year) & shown)
        .sort("year", descending=True)
        .unique("comparison_kind", keep="first", maintain_order=True)
        .sort(pl.col("comparison_kind").replace_strict(order, default=9))
    )
    shaped = _shape(frame, _scale(indicator_id))
    if key is not None and key[0]:
        with _TOTALS_LOCK:
            _STRIPS[memo] = shaped
            while len(_STRIPS) > _STRIPS_KEEP:
                _STRIPS.popitem(last=False)
    return shaped


def external_trend(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    indicator_id: str,
    kinds: tuple[str, ...] = ("national", "municipality_group"),
) -> pl.DataFrame:
    """Yearly published values for a trend chart's optional lines (national, similar municipalities).

    Grain: one row per comparison kind x year (gender ``T``). Columns: ``COMPARISON_COLUMNS``;
    ``value`` in the indicator's unit. Visible to every scope (no unit's values).
    """
    del scope  # municipality-level values are visible to every scope
    kpi = get(indicator_id).kolada_id
    cur = conn.cursor()
    try:
        totals = None if kpi is None else _kolada_totals(cur)
    finally:
        cur.close()
    if totals is None:
        return _empty()
    frame = totals.filter(
        (pl.col("measure_id") == kpi) & pl.col("comparison_kind").is_in(list(kinds))
    ).sort("comparison_kind", "year")
    return _shape(frame, _scale(indicator_id))


RECONCILIATION_COLUMNS: dict[str, pl.DataType] = {
    "unit_id": pl.String(),
    "unit_name": pl.String(),
    "area": pl.String(),
    "school_unit_code": pl.String(),
    "our_share": pl.Float64(),
    "our_suppressed": pl.Boolean(),
    "official_share": pl.Float64(),
    "official_text": pl.String(),
    "official_period": pl.String(),
    "difference": pl.Float64(),
    "flagged": pl.Boolean(),
    "reasons": pl.String(),
    "source_url": pl.String(),
    "is_demo": pl.Boolean(),
}


def certification_reconciliation(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    year: int,
    area: str | None = None,
) -> pl.DataFrame:
    """Per school unit: our HR-based certified share beside Skolverket's official share.

    Our share is ``certified_teacher_share`` for the year (the reference-month snapshot,
    through ``query.certification_units``: scope and suppression applied); Skolverket's is
    ``certifiedTeachersQuota`` for the school year that starts in ``year`` (measured on
    15 October). Grain: one row per unit in scope with a school-unit code and a share (ours,
    hidden or not, or Skolverket's). ``difference``
    = ours - Skolverket's (fraction; null when either is missing or ours is hidden);
    ``flagged`` when ``|difference| > RECONCILIATION_THRESHOLD``; ``reasons`` then lists
    ``RECONCILIATION_REASONS`` (one per line). Skolverket's ``~100`` counts as 100 %;
    ``.``, ``..`` and ``*`` leave the official share empty, shown as published in
    ``official_text``.
    """
    from kompetens.query.certification import certification_units

    ours = certification_units(conn, scope, "teacher", str(year), area=area).select(
        "unit_id",
        pl.col("share").alias("our_share"),
        pl.col("share_suppressed").alias("our_suppressed"),
    )
    cur = conn.cursor()
    try:
        units = scope.visible_units(_units(cur)).filter(pl.col("school_unit_code").is_not_null())
        if area is not None:
            units = units.filter(pl.col("area") == area)
        official = pl.DataFrame(
            schema={
                "comparison_id": pl.String,
                "value": pl.Float64,
                "source_value": pl.String,
                "period": pl.String,
                "source_url": pl.String,
                "is_demo": pl.Boolean,
            }
        )
        if _has_table(cur, "current_external_values"):
            official = store.frame(
                cur,
                """SELECT comparison_id, value, source_value, period, source_url, is_demo
                   FROM current_external_values
                   WHERE source = 'skolverket' AND measure_id = ? AND year = ?""",
                [SKOLVERKET_CERTIFIED, year],
            ).cast({"value": pl.Float64}, strict=False)
    finally:
        cur.close()
    if units.is_empty():
        return pl.DataFrame(schema=RECONCILIATION_COLUMNS)
    out = (
        units.select("unit_id", "unit_name", "area", "school_unit_code")
        .join(ours, on="unit_id", how="left")
        .join(official, left_on="school_unit_code", right_on="comparison_id", how="left")
        .with_columns(
            pl.col("our_suppressed").fill_null(False),
            (pl.col("value") / 100).alias("official_share"),
            pl.col("source_value").alias("official_text"),
            pl.col("period").alias("official_period"),
        )
        .with_columns(
            pl.when(~pl.col("our_suppressed"))
            .then(pl.col("our_share") - pl.col("official_share"))
            .alias("difference")
        )
        .with_columns(
            (pl.col("difference").abs() > RECONCILIATION_THRESHOLD + 1e-9)
            .fill_null(False)
            .alias("flagged")
        )
        .with_columns(
            pl.when(pl.col("flagged"))
            .then(pl.lit("\n".join(RECONCILIATION_REASONS)))
            .otherwise(None)
            .alias("reasons"),
            pl.col("is_demo").fill_null(False),
        )
    )
    # Units with neither our share nor an official one (a preschool with a school-unit code): left out.
    out = out.filter(
        pl.col("our_share").is_not_null()
        | pl.col("our_suppressed")
        | pl.col("official_text").is_not_null()
    )
    return out.select(list(RECONCILIATION_COLUMNS)).sort("area", "unit_name", "unit_id")


BENCHMARK_EXPORT_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "level",
    "scope_id",
    "period_type",
    "period",
    "breakdown",
    "numerator",
    "denominator",
    "value",
    "n_individuals",
    "suppressed",
    "source",
    "measure_id",
    "comparison_name",
    "source_period",
    "source_value",
    "status",
    "source_url",
    "fetched_at",
    "fetched_how",
    "is_demo",
)


def benchmark_export_rows(
    conn: duckdb.DuckDBPyConnection, indicators: list[str] | None = None
) -> pl.DataFrame:
    """Benchmark rows for ``kompetens figures --with-benchmarks``, in the export's columns plus sources.

    Grain: one row per published value (source x measure x comparison x period x gender).
    ``level`` is the comparison kind (``national``, ``municipality_group`` …), ``scope_id`` its
    id, ``period`` the calendar year, ``breakdown`` ``all`` or ``gender=K``/``gender=M``;
    ``value`` in the indicator's unit when the measure maps to an indicator (shares as
    fractions), else as published; ``suppressed`` is always false (the source's own masks
    are in ``source_value`` and ``status``). Source columns follow the key-figure columns.
    """
    by_measure = {ind.kolada_id: ind.id for ind in REGISTRY.values() if ind.kolada_id}
    by_measure[SKOLVERKET_CERTIFIED] = "certified_teacher_share"
    cur = conn.cursor()
    try:
        if not _has_table(cur, "current_external_values"):
            return pl.DataFrame(schema={c: pl.String for c in BENCHMARK_EXPORT_COLUMNS})
        frame = store.frame(cur, "SELECT * FROM current_external_values ORDER BY ALL")
    finally:
        cur.close()
    shares = {i for i, ind in REGISTRY.items() if ind.unit == "share"}
    frame = frame.with_columns(
        pl.col("measure_id").replace_strict(by_measure, default=None).alias("indicator_id")
    )
    if indicators:
        frame = frame.filter(pl.col("indicator_id").is_in(indicators))
    return frame.select(
        "indicator_id",
        pl.col("comparison_kind").alias("level"),
        pl.col("comparison_id").alias("scope_id"),
        pl.lit("year").alias("period_type"),
        pl.col("year").cast(pl.String).alias("period"),
        pl.when(pl.col("gender").is_null() | (pl.col("gender") == "T"))
        .then(pl.lit("all"))
        .otherwise(pl.lit("gender=") + pl.col("gender"))
        .alias("breakdown"),
        pl.lit(None, pl.Float64).alias("numerator"),
        pl.lit(None, pl.Float64).alias("denominator"),
        pl.when(pl.col("indicator_id").is_in(list(shares)))
        .then(pl.col("value") / 100)
        .otherwise(pl.col("value"))
        .alias("value"),
        pl.lit(None, pl.Int64).alias("n_individuals"),
        pl.lit(False).alias("suppressed"),
        "source",
        "measure_id",
        "comparison_name",
        pl.col("period").alias("source_period"),
        "source_value",
        "status",
        "source_url",
        "fetched_at",
        "fetched_how",
        "is_demo",
    )


def append_benchmark_rows(
    conn: duckdb.DuckDBPyConnection, out, indicators: list[str] | None = None
) -> int:
    """Append :func:`benchmark_export_rows` to a figures export already written to ``out``.

    The key-figure rows keep their columns; the source columns are empty on them.
    CSV text that a spreadsheet would run as a formula is prefixed with ``'``, as
    ``query.export`` does. Returns the number of benchmark rows appended.
    """
    from pathlib import Path

    from kompetens.query.export import FORMULA_START

    out = Path(out)
    extra = benchmark_export_rows(conn, indicators)
    csv = out.suffix.lower() == ".csv"
    figures = pl.read_csv(out, infer_schema_length=None) if csv else pl.read_parquet(out)
    if csv:
        texts = ("scope_id", "comparison_name", "source_value", "status")
        extra = extra.with_columns(
            pl.when(pl.col(c).str.contains(FORMULA_START))
            .then(pl.lit("'") + pl.col(c))
            .otherwise(pl.col(c))
            .alias(c)
            for c in texts
        )
    combined = pl.concat([figures, extra], how="diagonal_relaxed")
    if csv:
        combined.write_csv(out)
    else:
        combined.write_parquet(out)
    return extra.height
