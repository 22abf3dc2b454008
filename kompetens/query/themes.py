"""Common themes per area and term: how many units carry each theme.

A unit *carries* a theme in a term when, in that term, a saved dialogue's notes or one
of its agreed actions is tagged with it (``dialogue_theme_tags``, the newest revision
per target), or a live support request from the unit names it
(``current_support_request.themes``). The date that decides the term is the dialogue
date or the request date. A term is ``VT`` (January–June, ``term_start`` 1 January)
or ``HT`` (July–December, ``term_start`` 1 July); note that the contract's ``term``
type reads ``HT`` as 1 August for a file's dates — here only the half-year matters.

Grain of :func:`themes_by_area_term`: one row per theme × area × term with at least
one unit; ``units`` counts *distinct* units (a unit tagged in three dialogues and a
request counts once). Areas are the units' current areas.

Scope is enforced here: a principal's scope counts only their own units, an area
manager's only their areas' units (and they see the unit names); an
organisation-wide scope (leadership, HR) sees counts per area, never unit names, and a
count of one to four units is hidden (``units`` null, ``units_suppressed`` true): a theme on a
dialogue is what a principal said about their own unit, and with so few units the
count would point at a unit and its principal. No total is shown beside the areas, so
a hidden count cannot be recovered by subtraction. See ``docs/suppression.md``.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from kompetens.access.scope import Scope
from kompetens.core import store
from kompetens.query.listings import units as visible_units

#: An organisation-wide scope sees a theme's count only when it rests on at least this many units.
MIN_UNITS = 5

RESULT_SCHEMA: dict[str, pl.DataType] = {
    "theme_id": pl.Int64(),
    "theme": pl.String(),
    "area": pl.String(),
    "term_start": pl.Date(),
    "term": pl.String(),
    "units": pl.Int64(),
    "units_suppressed": pl.Boolean(),
    "unit_names": pl.String(),
}

_TAGGED_SQL = """
WITH dialogue AS (
    SELECT unit_id, dialogue_date AS day, arg_max(theme_ids, id) AS theme_ids
    FROM dialogue_theme_tags GROUP BY unit_id, dialogue_date, action_id
), request AS (
    SELECT unit_id, request_date AS day, themes AS theme_ids
    FROM current_support_request WHERE themes IS NOT NULL
), tagged AS (
    SELECT unit_id, day, unnest(string_split(theme_ids, ';')) AS theme_id
    FROM (SELECT * FROM dialogue UNION ALL SELECT * FROM request)
    WHERE theme_ids <> ''
)
SELECT DISTINCT t.unit_id, CAST(t.theme_id AS BIGINT) AS theme_id,
       make_date(year(t.day), CASE WHEN month(t.day) <= 6 THEN 1 ELSE 7 END, 1) AS term_start,
       th.label AS theme
FROM tagged t JOIN themes th ON th.theme_id = CAST(t.theme_id AS BIGINT)
"""


def term_start(day: dt.date) -> dt.date:
    """The first day of the term of ``day``: 1 January (VT) or 1 July (HT)."""
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def term_label(start: dt.date) -> str:
    """``'VT 2026'`` or ``'HT 2026'`` for a term's first day (or any day in it)."""
    return f"{'VT' if start.month <= 6 else 'HT'} {start.year}"


def tagged_units(
    conn: duckdb.DuckDBPyConnection, scope: Scope, area: str | None = None
) -> pl.DataFrame:
    """Which visible unit carries which theme in which term.

    Grain: one row per unit × theme × term (``unit_id, unit_name, area, theme_id, theme,
    term_start``); only units the scope may see (``ScopeError`` for an area outside it).
    """
    tagged = store.frame(conn, _TAGGED_SQL)
    schema = {"unit_id": pl.String, "theme_id": pl.Int64, "term_start": pl.Date, "theme": pl.String}
    tagged = tagged.cast(schema) if tagged.height else pl.DataFrame(schema=schema)
    seen = visible_units(conn, scope, area=area).select("unit_id", "unit_name", "area")
    return seen.join(tagged, on="unit_id", how="inner").select(
        "unit_id", "unit_name", "area", "theme_id", "theme", "term_start"
    )


def themes_by_area_term(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    area: str | None = None,
    term: dt.date | None = None,
) -> pl.DataFrame:
    """Units per theme, area and term, most units first within the newest term first.

    ``area``/``term`` (a term's first day) narrow the rows. Grain and hiding: see the
    module docstring; columns ``RESULT_SCHEMA`` (``unit_names`` null for an
    organisation-wide scope).
    """
    frame = tagged_units(conn, scope, area)
    if term is not None:
        frame = frame.filter(pl.col("term_start") == term_start(term))
    if frame.height == 0:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    org = scope.level == "org"
    out = (
        frame.group_by("theme_id", "theme", "area", "term_start")
        .agg(
            pl.col("unit_id").n_unique().cast(pl.Int64).alias("units"),
            pl.col("unit_name").unique().sort().str.join("; ").alias("unit_names"),
        )
        .with_columns(
            pl.col("term_start").map_elements(term_label, return_dtype=pl.String).alias("term"),
            (pl.lit(org) & (pl.col("units") < MIN_UNITS)).alias("units_suppressed"),
        )
        .with_columns(
            pl.when(pl.col("units_suppressed")).then(None).otherwise(pl.col("units")).alias("units"),
            pl.when(pl.lit(org)).then(None).otherwise(pl.col("unit_names")).alias("unit_names"),
        )
    )
    return (
        out.sort(
            ["term_start", "units", "theme", "area"],
            descending=[True, True, False, False],
            nulls_last=True,
        )
        .select(list(RESULT_SCHEMA))
        .cast(RESULT_SCHEMA)
    )


def terms(conn: duckdb.DuckDBPyConnection, scope: Scope) -> list[dt.date]:
    """The terms (first days) in which a unit the scope may see carries a theme, newest first."""
    found = tagged_units(conn, scope)["term_start"].unique().sort(descending=True)
    return found.to_list()
