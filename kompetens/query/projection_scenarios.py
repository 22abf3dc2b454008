"""Saved projection scenarios ("Prognos"): named sets of levers, kept per scope, audited.

Grain of ``projection_scenarios``: one row per scenario name (names are unique
case-insensitively). A row holds the levers of ``analysis.projection.Scenario``
in their stored units — ``turnover_delta`` and ``fte_growth`` as fractions per
year, ``certified_hire_share`` as a fraction (null = the observed share),
``extra_path_places`` in people per year, ``retirement_age`` in years (null =
the stored setting) — and the scope the levers act on, ``scope_key``: ``org``,
``area:<area>`` or ``unit:<unit id>`` (the page's choice when it was saved).

These are user-entered records, not imported data: never superseded by an
import, no recompute. Every function takes the caller's ``Scope``: a scenario
is listed, read, saved or deleted only when its scope is within the caller's
(an area manager sees the scenarios of their areas and their units, never the
organisation's). Saving and deleting are written to the audit log
(``access.audit.PROJECTION_SCENARIO_SAVED`` / ``_DELETED``) in the same
connection. Reads are not cached: a new scenario does not change the
key-figure stamp the query cache is keyed on. All SQL uses bound parameters.

The table is schema version 11 (``SCENARIOS_MIGRATION``), registered by the
composition root ``kompetens.wiring``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from kompetens.access import audit
from kompetens.access.scope import Scope, ScopeError
from kompetens.analysis.projection import Scenario
from kompetens.core import store

#: Longest name a scenario may have (characters).
NAME_MAX = 80


def _migration_scenarios() -> list[str]:
    """One row per saved scenario (the levers and the scope they act on)."""
    return [
        """CREATE TABLE projection_scenarios (
    name VARCHAR NOT NULL,
    name_key VARCHAR PRIMARY KEY,
    scope_key VARCHAR NOT NULL,
    turnover_delta DOUBLE NOT NULL DEFAULT 0,
    certified_hire_share DOUBLE,
    extra_path_places DOUBLE NOT NULL DEFAULT 0,
    retirement_age INTEGER,
    fte_growth DOUBLE NOT NULL DEFAULT 0,
    saved_by VARCHAR NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL
)""",
    ]


#: Schema version 11 (registered by ``kompetens.wiring``; never renumber a released migration).
SCENARIOS_MIGRATION = store.Migration(11, "projection_scenarios", _migration_scenarios)

SCHEMA: dict[str, pl.DataType] = {
    "name": pl.String(),
    "scope_key": pl.String(),
    "turnover_delta": pl.Float64(),
    "certified_hire_share": pl.Float64(),
    "extra_path_places": pl.Float64(),
    "retirement_age": pl.Int64(),
    "fte_growth": pl.Float64(),
    "saved_by": pl.String(),
    "saved_at": pl.Datetime(time_zone="UTC"),
}


@dataclass(frozen=True)
class SavedScenario:
    """A saved scenario: its name, the scope key its levers act on, and the levers."""

    name: str
    scope_key: str
    scenario: Scenario
    saved_by: str = ""
    saved_at: dt.datetime | None = None


def name_key(name: str) -> str:
    """The unique key of a name: trimmed, inner whitespace collapsed, case folded."""
    return " ".join(name.split()).casefold()


def clean_name(name: str) -> str:
    """The name as stored (trimmed, inner whitespace collapsed); ``ValueError`` in Swedish if unusable."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValueError("Ge scenariot ett namn.")
    if len(cleaned) > NAME_MAX:
        raise ValueError(f"Namnet får vara högst {NAME_MAX} tecken, inte {len(cleaned)}.")
    return cleaned


def _units(cur: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return store.frame(cur, "SELECT unit_id, area FROM current_units")


def allows(scope: Scope, scope_key: str, units: pl.DataFrame) -> bool:
    """Whether ``scope`` may see (and act on) a scenario for ``scope_key``."""
    level, _, ident = scope_key.partition(":")
    if scope.level == "org":
        return level in ("org", "area", "unit")
    if level == "area":
        return scope.allows_area(ident)
    if level == "unit":
        return ident in scope.visible_units(units)["unit_id"].to_list()
    return False


def applies_to(scope_key: str, units: pl.DataFrame) -> frozenset[str] | None:
    """The units a scenario's levers act on: None for the organisation, else the area's or the unit."""
    level, _, ident = scope_key.partition(":")
    if level == "area":
        return frozenset(units.filter(pl.col("area") == ident)["unit_id"].to_list())
    if level == "unit":
        return frozenset([ident])
    return None


def _row_to_saved(row: dict, units: pl.DataFrame) -> SavedScenario:
    scenario = Scenario(
        name=row["name"],
        turnover_delta=float(row["turnover_delta"]),
        certified_hire_share=None
        if row["certified_hire_share"] is None
        else float(row["certified_hire_share"]),
        extra_path_places=float(row["extra_path_places"]),
        retirement_age=None if row["retirement_age"] is None else int(row["retirement_age"]),
        fte_growth=float(row["fte_growth"]),
        applies_to=applies_to(row["scope_key"], units),
    )
    return SavedScenario(
        row["name"], row["scope_key"], scenario, row["saved_by"], row.get("saved_at")
    )


def list_scenarios(conn: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """The saved scenarios the scope may see, by name: columns ``SCHEMA``."""
    cur = conn.cursor()
    try:
        frame = store.frame(
            cur,
            "SELECT name, scope_key, turnover_delta, certified_hire_share, extra_path_places, "
            "retirement_age, fte_growth, saved_by, saved_at FROM projection_scenarios "
            "ORDER BY name_key",
        )
        units = _units(cur)
    finally:
        cur.close()
    if frame.height == 0:
        return pl.DataFrame(schema=SCHEMA)
    frame = frame.cast(SCHEMA, strict=False)
    keep = [allows(scope, key, units) for key in frame["scope_key"].to_list()]
    return frame.filter(pl.Series(keep, dtype=pl.Boolean))


def get_scenario(conn: duckdb.DuckDBPyConnection, scope: Scope, name: str) -> SavedScenario | None:
    """The saved scenario of that name (case-insensitive), or None; ``ScopeError`` outside the scope."""
    cur = conn.cursor()
    try:
        rows = store.frame(
            cur,
            "SELECT name, scope_key, turnover_delta, certified_hire_share, extra_path_places, "
            "retirement_age, fte_growth, saved_by, saved_at FROM projection_scenarios "
            "WHERE name_key = ?",
            [name_key(name or "")],
        )
        units = _units(cur)
    finally:
        cur.close()
    if rows.height == 0:
        return None
    row = rows.row(0, named=True)
    if not allows(scope, row["scope_key"], units):
        raise ScopeError(f"scenariot {row['name']!r} gäller något utanför din behörighet")
    return _row_to_saved(row, units)


def save_scenario(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    name: str,
    scope_key: str,
    scenario: Scenario,
    user: str,
    *,
    role: str | None = None,
) -> SavedScenario:
    """Save (or replace) a named scenario for ``scope_key`` and log it; returns what was saved.

    ``ValueError`` (Swedish) for an unusable name or lever, ``ScopeError`` for a scope
    key outside the caller's scope.
    """
    cleaned = clean_name(name)
    cur = conn.cursor()
    try:
        units = _units(cur)
        if not allows(scope, scope_key, units):
            raise ScopeError(f"{scope_key!r} ingår inte i din behörighet")
        share = scenario.certified_hire_share
        if share is not None and not 0 <= share <= 1:
            raise ValueError("Andelen behöriga bland nyanställda ska vara 0–100 %.")
        if scenario.extra_path_places < 0:
            raise ValueError("Antalet extra utbildningsplatser kan inte vara negativt.")
        at = dt.datetime.now(dt.UTC)
        values = [
            cleaned,
            name_key(cleaned),
            scope_key,
            float(scenario.turnover_delta),
            None if share is None else float(share),
            float(scenario.extra_path_places),
            scenario.retirement_age,
            float(scenario.fte_growth),
            user or "okänd",
            at,
        ]
        cur.execute(
            "INSERT OR REPLACE INTO projection_scenarios (name, name_key, scope_key, turnover_delta, "
            "certified_hire_share, extra_path_places, retirement_age, fte_growth, saved_by, saved_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        audit.log_event(
            cur,
            user or "okänd",
            audit.PROJECTION_SCENARIO_SAVED,
            cleaned,
            describe(scope_key, scenario),
            role=role,
        )
    finally:
        cur.close()
    return SavedScenario(
        cleaned,
        scope_key,
        Scenario(
            name=cleaned,
            turnover_delta=scenario.turnover_delta,
            certified_hire_share=share,
            extra_path_places=scenario.extra_path_places,
            retirement_age=scenario.retirement_age,
            fte_growth=scenario.fte_growth,
            applies_to=applies_to(scope_key, units),
        ),
        user or "okänd",
        at,
    )


def delete_scenario(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    name: str,
    user: str,
    *,
    role: str | None = None,
) -> bool:
    """Delete a saved scenario (and log it); False when there was none of that name."""
    found = get_scenario(conn, scope, name)  # ScopeError outside the scope
    if found is None:
        return False
    cur = conn.cursor()
    try:
        cur.execute("DELETE FROM projection_scenarios WHERE name_key = ?", [name_key(name)])
        audit.log_event(
            cur,
            user or "okänd",
            audit.PROJECTION_SCENARIO_DELETED,
            found.name,
            {"scope": found.scope_key},
            role=role,
        )
    finally:
        cur.close()
    return True


def describe(scope_key: str, scenario: Scenario) -> dict:
    """The levers as the audit log's details (fractions and people per year, as stored)."""
    return {
        "scope": scope_key,
        "turnover_delta": scenario.turnover_delta,
        "certified_hire_share": scenario.certified_hire_share,
        "extra_path_places": scenario.extra_path_places,
        "retirement_age": scenario.retirement_age,
        "fte_growth": scenario.fte_growth,
    }
