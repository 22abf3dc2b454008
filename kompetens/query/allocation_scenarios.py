"""Saved allocation scenarios ("Resursfördelning"): named parameter sets, audited.

Grain of ``allocation_scenarios`` (schema version 17, ``core.allocation_tables``): one row per
scenario name (unique case-insensitively), holding ``analysis.allocation.AllocationParameters``
as stored: the floors on the index scale (``upper_secondary_floor`` null = none), the smoothing
in years and the cap as a fraction (null = none).

A scenario is organisation-wide (the pot is shared between every unit), so only an
organisation-wide scope may save or delete one; every scope that has the page may list and
read them (parameters name no unit). Saving and deleting are written to the audit log
(``access.audit.ALLOCATION_SCENARIO_SAVED`` / ``_DELETED``). Not cached: a saved scenario does
not change the stamp the query cache is keyed on. All SQL uses bound parameters.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from kompetens.access import audit
from kompetens.access.scope import Scope, ScopeError
from kompetens.analysis.allocation import AllocationParameters
from kompetens.core import store
from kompetens.query.projection_scenarios import clean_name, name_key

SCHEMA: dict[str, pl.DataType] = {
    "name": pl.String(),
    "floor": pl.Float64(),
    "upper_secondary_floor": pl.Float64(),
    "smoothing_years": pl.Int64(),
    "cap": pl.Float64(),
    "saved_by": pl.String(),
    "saved_at": pl.Datetime(time_zone="UTC"),
}


def _parameters(row: dict) -> AllocationParameters:
    return AllocationParameters(
        floor=float(row["floor"]),
        upper_secondary_floor=None
        if row["upper_secondary_floor"] is None
        else float(row["upper_secondary_floor"]),
        smoothing_years=int(row["smoothing_years"]),
        cap=None if row["cap"] is None else float(row["cap"]),
    )


def list_scenarios(conn: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """The saved scenarios by name (columns ``SCHEMA``); the same for every scope."""
    del scope  # organisation-wide parameters: every scope with the page may see them
    frame = store.frame(
        conn,
        "SELECT name, floor, upper_secondary_floor, smoothing_years, cap, saved_by, saved_at "
        "FROM allocation_scenarios ORDER BY name_key",
    )
    return frame.cast(SCHEMA, strict=False) if frame.height else pl.DataFrame(schema=SCHEMA)


def get_scenario(
    conn: duckdb.DuckDBPyConnection, scope: Scope, name: str
) -> AllocationParameters | None:
    """The parameters saved under ``name`` (case-insensitive), or None."""
    del scope
    rows = store.frame(
        conn,
        "SELECT name, floor, upper_secondary_floor, smoothing_years, cap, saved_by, saved_at "
        "FROM allocation_scenarios WHERE name_key = ?",
        [name_key(name or "")],
    )
    return _parameters(rows.row(0, named=True)) if rows.height else None


def _require_org(scope: Scope) -> None:
    if scope.level != "org":
        raise ScopeError(
            "bara den som ser hela organisationen kan spara resursfördelningsscenarier"
        )


def save_scenario(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    name: str,
    params: AllocationParameters,
    user: str,
    *,
    role: str | None = None,
) -> str:
    """Save (or replace) a named scenario and log it; returns the name as stored.

    ``ValueError`` (Swedish) for an unusable name, ``ScopeError`` for a narrower scope.
    """
    _require_org(scope)
    cleaned = clean_name(name)
    cur = conn.cursor()
    try:
        cur.execute(
            "INSERT OR REPLACE INTO allocation_scenarios (name, name_key, floor, "
            "upper_secondary_floor, smoothing_years, cap, saved_by, saved_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                cleaned,
                name_key(cleaned),
                float(params.floor),
                params.upper_secondary_floor,
                int(params.smoothing_years),
                params.cap,
                user or "okänd",
                dt.datetime.now(dt.UTC),
            ],
        )
        audit.log_event(
            cur,
            user or "okänd",
            audit.ALLOCATION_SCENARIO_SAVED,
            cleaned,
            {
                "floor": params.floor,
                "upper_secondary_floor": params.upper_secondary_floor,
                "smoothing_years": params.smoothing_years,
                "cap": params.cap,
            },
            role=role,
        )
    finally:
        cur.close()
    return cleaned


def delete_scenario(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    name: str,
    user: str,
    *,
    role: str | None = None,
) -> bool:
    """Delete a saved scenario (and log it); False when there was none of that name."""
    _require_org(scope)
    if get_scenario(conn, scope, name) is None:
        return False
    cur = conn.cursor()
    try:
        cur.execute("DELETE FROM allocation_scenarios WHERE name_key = ?", [name_key(name)])
        audit.log_event(
            cur, user or "okänd", audit.ALLOCATION_SCENARIO_DELETED, name, {}, role=role
        )
    finally:
        cur.close()
    return True
