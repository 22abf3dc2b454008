"""Data quality in scope (the data-quality page): coverage, freshness and suppressed cells."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import duckdb
import polars as pl

from kompetens.access.scope import Scope
from kompetens.core import store
from kompetens.ingest import snapshot_check
from kompetens.query.cache import _cached, _memo
from kompetens.query.listings import available_periods
from kompetens.query.periods import PeriodType, _month_index_expr, _month_range
from kompetens.query.slices import _check_area, _scope_filter, _slice, _unit_frame

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
    period, breakdown, suppression_reason, scope_name`` (``primary``: fewer than 5
    people; ``linked``: publishes a primary cell's own number; ``secondary``:
    hidden so that another cell cannot be recovered). ``scope_name``: a unit's
    name (its id if it has none), an area's own id (its name), null for the
    organisation.
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
            return pl.DataFrame(schema={c: pl.String for c in [*cols, "scope_name"]})
        names = _unit_frame(cur, ctx).select(
            pl.col("unit_id").alias("scope_id"), pl.lit("unit").alias("level"), "unit_name"
        )
        return (
            pl.concat(parts, how="vertical_relaxed")
            .select(cols)
            .join(names, on=["scope_id", "level"], how="left")
            # only unit rows found a name: areas (and the organisation's null) keep their id
            .with_columns(pl.coalesce("unit_name", "scope_id").alias("scope_name"))
            .drop("unit_name")
            .sort("indicator_id", "level", "scope_id", "breakdown")
        )

    return _cached("suppressed_cells", conn, (scope, period_type, period, ids), compute)


def incomplete_snapshots(conn: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Staff snapshots with far fewer people or units than the one before, newest first.

    The rule is ``ingest.snapshot_check`` (fewer than 80 % of the people or units of
    the newest earlier snapshot that counts). Grain: one row per incomplete snapshot
    date; columns ``snapshot_check.ASSESSED_SCHEMA`` (``counts``: the key figures use
    it, i.e. HR confirmed it). The counts are the whole organisation's, so a scope
    narrower than the organisation gets no rows.
    """

    def compute(cur, ctx):
        if scope.level != "org":
            return pl.DataFrame(schema=snapshot_check.ASSESSED_SCHEMA)
        judged = snapshot_check.completeness(cur)
        return judged.filter(pl.col("incomplete")).sort("snapshot_date", descending=True)

    return _cached("incomplete_snapshots", conn, (scope,), compute)
