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

from kompetens.access.scope import Scope, ScopeError
from kompetens.core import store
from kompetens.present.formatting import fmt_count
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

_TAGGED_CTE = """
WITH dialogue AS (
    SELECT unit_id, dialogue_date AS day, arg_max(theme_ids, id) AS theme_ids,
           'dialogue' AS source
    FROM dialogue_theme_tags GROUP BY unit_id, dialogue_date, action_id
), request AS (
    SELECT unit_id, request_date AS day, themes AS theme_ids, 'request' AS source
    FROM current_support_request WHERE themes IS NOT NULL
), tagged AS (
    SELECT unit_id, day, source, unnest(string_split(theme_ids, ';')) AS theme_id
    FROM (SELECT * FROM dialogue UNION ALL SELECT * FROM request)
    WHERE theme_ids <> ''
)
"""

_UNIT_SQL = (
    _TAGGED_CTE
    + """
SELECT CAST(t.theme_id AS BIGINT) AS theme_id, th.label AS theme,
       bool_or(t.source = 'dialogue') AS in_dialogue, bool_or(t.source = 'request') AS in_request
FROM tagged t JOIN themes th ON th.theme_id = CAST(t.theme_id AS BIGINT)
WHERE t.unit_id = ? AND t.day BETWEEN ? AND ?
GROUP BY ALL ORDER BY theme_id
"""
)

UNIT_SCHEMA: dict[str, pl.DataType] = {
    "theme_id": pl.Int64(),
    "theme": pl.String(),
    "in_dialogue": pl.Boolean(),
    "in_request": pl.Boolean(),
}

_TAGGED_SQL = (
    _TAGGED_CTE
    + """SELECT DISTINCT t.unit_id, CAST(t.theme_id AS BIGINT) AS theme_id,
       make_date(year(t.day), CASE WHEN month(t.day) <= 6 THEN 1 ELSE 7 END, 1) AS term_start,
       th.label AS theme
FROM tagged t JOIN themes th ON th.theme_id = CAST(t.theme_id AS BIGINT)
"""
)


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
            pl.when(pl.col("units_suppressed"))
            .then(None)
            .otherwise(pl.col("units"))
            .alias("units"),
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


def term_end(day: dt.date) -> dt.date:
    """The last day of the term of ``day``: 30 June (VT) or 31 December (HT)."""
    return dt.date(day.year, 6, 30) if day.month <= 6 else dt.date(day.year, 12, 31)


def unit_themes(
    conn: duckdb.DuckDBPyConnection, scope: Scope, unit_id: str, day: dt.date
) -> pl.DataFrame:
    """The themes one unit carries in the term of ``day`` (its dialogues and its requests).

    Grain: one row per theme (``UNIT_SCHEMA``): ``in_dialogue`` (a dialogue's notes or
    an action of the term is tagged with it), ``in_request`` (a live request of the term
    names it); in theme id order. ``ScopeError`` for a unit outside the scope. An
    organisation-wide scope gets no rows: which unit carries a theme is the unit's and its
    area manager's to see, the organisation sees counts per area (:func:`themes_by_area_term`).
    """
    if visible_units(conn, scope).filter(pl.col("unit_id") == unit_id).height == 0:
        raise ScopeError(f"enheten {unit_id!r} ligger utanför din behörighet")
    if scope.level == "org":
        return pl.DataFrame(schema=UNIT_SCHEMA)
    frame = store.frame(conn, _UNIT_SQL, [unit_id, term_start(day), term_end(day)])
    return frame.cast(UNIT_SCHEMA) if frame.height else pl.DataFrame(schema=UNIT_SCHEMA)


def theme_sentence(row: dict) -> str:
    """``'Rekrytering av speciallärare: 9 enheter i Område Syd (HT 2026)'`` for one row of
    :func:`themes_by_area_term`. A hidden count (an organisation-wide scope, one to four
    units) reads "färre än 5 enheter"."""
    if row.get("units_suppressed"):
        count = f"färre än {MIN_UNITS} enheter"
    else:
        count = fmt_count(int(row["units"]), "enhet", "enheter")
    return f"{row['theme']}: {count} i {row['area']} ({row['term']})"


def theme_sentences(frame: pl.DataFrame, limit: int | None = None) -> list[str]:
    """The sentences of :func:`themes_by_area_term` rows, the most units first (hidden counts
    after the shown ones); at most ``limit``."""
    ordered = frame.sort(
        ["units_suppressed", "units", "theme"], descending=[False, True, False], nulls_last=True
    )
    rows = ordered if limit is None else ordered.head(limit)
    return [theme_sentence(r) for r in rows.iter_rows(named=True)]


def terms(conn: duckdb.DuckDBPyConnection, scope: Scope) -> list[dt.date]:
    """The terms (first days) in which a unit the scope may see carries a theme, newest first."""
    found = tagged_units(conn, scope)["term_start"].unique().sort(descending=True)
    return found.to_list()
