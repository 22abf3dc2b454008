"""ARUBA (the employer's rehabilitation and redundancy work): redundant staff against open vacancies."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import duckdb
import polars as pl

from kompetens.access import auth
from kompetens.access.scope import Scope, ScopeError
from kompetens.core import store
from kompetens.query.cache import _cached
from kompetens.query.slices import _check_area, _scope_filter, _slice, _unit_frame

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


# ---- HR's lists: the redundant people, the match and the hires that broke the rule ----------
#
# These read people's rows (pseudonymised), so they are for HR and the administrator only:
# every function takes the signed-in viewer and raises ``ScopeError`` for any other role,
# and keeps only the units of the viewer's scope. Grain and rule as the key figures:
# a person is unplaced on a day when a redundancy notice on or before it has no placement
# or exit between the notice and that day (``redundant_staff_unplaced``); a vacancy is open
# on a month's last day when published by then and closed (if at all) after that month
# (``open_vacancies_for_redundant``).

#: Roles that may see lists of people (pseudonymised) on the ARUBA page.
PEOPLE_ROLES: frozenset[str] = frozenset({auth.HR, auth.ADMIN})

#: How a hire into a category with unplaced redundant staff is labelled.
HIRE_EXTERNAL = "external"
HIRE_EXTENSION = "extension"

_PEOPLE_SCHEMA = {
    "employee_id": pl.String,
    "unit_id": pl.String,
    "unit_name": pl.String,
    "area": pl.String,
    "category": pl.String,
    "notice_date": pl.Date,
}


def may_see_people(viewer: object) -> bool:
    """Whether the viewer may see lists of (pseudonymised) people: HR and the administrator."""
    return getattr(viewer, "role", None) in PEOPLE_ROLES


def _require_people_role(viewer: object) -> Scope:
    if not may_see_people(viewer):
        raise ScopeError("listor med personer visas bara för HR")
    return getattr(viewer, "scope", None) or Scope.everything()


def _day_of(cur: duckdb.DuckDBPyConnection, period: str) -> dt.date:
    """The day a period is measured on: a month's last day; a year's reference month's last day."""
    year = int(period[:4])
    if len(period) >= 7:
        month = int(period[5:7])
    else:
        ref = store.scalar(cur, "SELECT reference_month FROM key_figures_meta LIMIT 1")
        month = int(ref) if ref else 10
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def _unplaced_on(cur: duckdb.DuckDBPyConnection, day: dt.date) -> pl.DataFrame:
    """Every unplaced redundant person on ``day`` (all units): ``_PEOPLE_SCHEMA`` minus names.

    A notice without a category takes the person's category in their latest snapshot up to
    the end of the notice month (as the key figures do). One row per person: the latest notice.
    """
    frame = store.frame(
        cur,
        """
        SELECT n.employee_id, n.unit_id, n.event_date AS notice_date,
               COALESCE(n.staff_category, (
                   SELECT s.staff_category FROM current_staff s
                   WHERE s.employee_id = n.employee_id AND s.snapshot_date <= last_day(n.event_date)
                   ORDER BY s.snapshot_date DESC LIMIT 1)) AS category
        FROM current_events n
        WHERE n.event_type = 'redundancy_notice' AND n.event_date <= ?
          AND NOT EXISTS (
              SELECT 1 FROM current_events r
              WHERE r.employee_id = n.employee_id
                AND r.event_type IN ('redundancy_placed', 'exit')
                AND r.event_date >= n.event_date AND r.event_date <= ?)
        """,
        [day, day],
    )
    schema = {
        "employee_id": pl.String,
        "unit_id": pl.String,
        "notice_date": pl.Date,
        "category": pl.String,
    }
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    return (
        frame.cast(schema)
        .with_columns(pl.col("category").fill_null("unknown"))
        .sort("notice_date")
        .unique("employee_id", keep="last")
    )


def _with_units(frame: pl.DataFrame, units: pl.DataFrame, scope: Scope) -> pl.DataFrame:
    visible = scope.visible_units(units).select("unit_id", "unit_name", "area")
    return frame.join(visible, on="unit_id", how="inner")


def redundant_people(
    conn: duckdb.DuckDBPyConnection,
    viewer: object,
    period: str,
    area: str | None = None,
) -> pl.DataFrame:
    """The redundant people not yet placed at ``period`` (a month, or a year's reference month).

    HR and the administrator only (``ScopeError`` otherwise). Grain: one row per person
    (pseudonym ``employee_id``), with the unit and category of the notice and its date,
    sorted by area, unit and category. Units outside the viewer's scope are left out.
    """
    scope = _require_people_role(viewer)

    def compute(cur, ctx):
        if area is not None:
            _check_area(scope, area)
        people = _with_units(_unplaced_on(cur, _day_of(cur, period)), _unit_frame(cur, ctx), scope)
        if area is not None:
            people = people.filter(pl.col("area") == area)
        return (
            people.select(list(_PEOPLE_SCHEMA))
            .cast(_PEOPLE_SCHEMA)
            .sort("area", "unit_name", "category", "notice_date")
        )

    return _cached("redundant_people", conn, (scope, period, area), compute)


def _open_on(cur: duckdb.DuckDBPyConnection, day: dt.date) -> pl.DataFrame:
    """Requisitions open on ``day`` (a month's last day): ``requisition_id, unit_id, category``."""
    frame = store.frame(
        cur,
        "SELECT requisition_id, unit_id, staff_category AS category FROM current_recruitments "
        "WHERE published_date <= ? AND ((closed_date IS NOT NULL AND closed_date > ?) "
        "OR (closed_date IS NULL AND outcome = 'open'))",
        [day, day],
    )
    schema = {"requisition_id": pl.String, "unit_id": pl.String, "category": pl.String}
    return frame.cast(schema) if frame.height else pl.DataFrame(schema=schema)


def placement_match(
    conn: duckdb.DuckDBPyConnection,
    viewer: object,
    period: str,
) -> pl.DataFrame:
    """HR's match: per area and staff category, unplaced redundant people against open posts.

    HR and the administrator only. Exact counts (HR sees the people anyway; posts are never
    hidden). Grain: one row per level (``org`` first, then each area in scope) × category
    with someone unplaced. Columns ``level, area, category, redundant_unplaced,
    open_vacancies, placeable`` (= min of the two: how many could be placed in their own
    category now).
    """
    scope = _require_people_role(viewer)

    def compute(cur, ctx):
        day = _day_of(cur, period)
        units = _unit_frame(cur, ctx)
        people = _with_units(_unplaced_on(cur, day), units, scope)
        posts = _with_units(_open_on(cur, day), units, scope)
        schema = {
            "level": pl.String,
            "area": pl.String,
            "category": pl.String,
            "redundant_unplaced": pl.Int64,
            "open_vacancies": pl.Int64,
            "placeable": pl.Int64,
        }
        if people.height == 0:
            return pl.DataFrame(schema=schema)
        parts = []
        for level, keys in (("org", ["category"]), ("area", ["area", "category"])):
            r = people.group_by(keys).agg(pl.len().cast(pl.Int64).alias("redundant_unplaced"))
            v = posts.group_by(keys).agg(pl.len().cast(pl.Int64).alias("open_vacancies"))
            joined = r.join(v, on=keys, how="left").with_columns(
                pl.col("open_vacancies").fill_null(0), pl.lit(level).alias("level")
            )
            if level == "org":
                joined = joined.with_columns(pl.lit(None, dtype=pl.String).alias("area"))
            parts.append(joined)
        out = pl.concat([p.select(list(schema)[:5]) for p in parts], how="vertical_relaxed")
        return (
            out.with_columns(
                pl.min_horizontal("redundant_unplaced", "open_vacancies").alias("placeable"),
                (pl.col("level") != "org").alias("_not_org"),
            )
            .sort("_not_org", "area", "category", nulls_last=False)
            .select(list(schema))
            .cast(schema)
        )

    return _cached("placement_match", conn, (scope, period), compute)


def hires_despite_redundancy(
    conn: duckdb.DuckDBPyConnection,
    viewer: object,
    year: str,
) -> pl.DataFrame:
    """Hires in ``year`` into a staff category that had unplaced redundant people that day.

    The rule: no one is hired externally into a category with redundant staff, and
    extending a fixed-term contract counts as a new hire. A hire event is an
    ``extension`` when the person was in a snapshot of the two months before the hire as
    fixed-term or hourly staff, else ``external``. The category is the event's, or the
    person's in their first snapshot from the hire month on. HR and the administrator only.
    Grain: one row per hire (pseudonym ``employee_id``), sorted by area, unit and date:
    ``unit_id, unit_name, area, category, hire_date, hire_kind, employee_id,
    redundant_unplaced`` (unplaced redundant people in the category, organisation-wide,
    on the hire date).
    """
    scope = _require_people_role(viewer)
    schema = {
        "unit_id": pl.String,
        "unit_name": pl.String,
        "area": pl.String,
        "category": pl.String,
        "hire_date": pl.Date,
        "hire_kind": pl.String,
        "employee_id": pl.String,
        "redundant_unplaced": pl.Int64,
    }

    def compute(cur, ctx):
        y = int(year[:4])
        hires = store.frame(
            cur,
            """
            SELECT h.employee_id, h.unit_id, h.event_date AS hire_date,
                   COALESCE(h.staff_category, (
                       SELECT s.staff_category FROM current_staff s
                       WHERE s.employee_id = h.employee_id
                         AND s.snapshot_date >= date_trunc('month', h.event_date)
                       ORDER BY s.snapshot_date LIMIT 1)) AS category,
                   EXISTS (
                       SELECT 1 FROM current_staff p
                       WHERE p.employee_id = h.employee_id
                         AND p.employment_type IN ('fixed_term', 'hourly')
                         AND p.snapshot_date < h.event_date
                         AND p.snapshot_date >= h.event_date - INTERVAL 2 MONTH) AS extension
            FROM current_events h
            WHERE h.event_type = 'hire' AND year(h.event_date) = ?
            """,
            [y],
        )
        notices = store.frame(
            cur,
            """
            SELECT n.employee_id, n.event_date AS notice_date,
                   COALESCE(n.staff_category, (
                       SELECT s.staff_category FROM current_staff s
                       WHERE s.employee_id = n.employee_id AND s.snapshot_date <= last_day(n.event_date)
                       ORDER BY s.snapshot_date DESC LIMIT 1)) AS category,
                   (SELECT min(r.event_date) FROM current_events r
                    WHERE r.employee_id = n.employee_id
                      AND r.event_type IN ('redundancy_placed', 'exit')
                      AND r.event_date >= n.event_date) AS resolved_date
            FROM current_events n WHERE n.event_type = 'redundancy_notice'
            """,
        )
        if hires.height == 0 or notices.height == 0:
            return pl.DataFrame(schema=schema)
        hires = hires.cast({"hire_date": pl.Date, "category": pl.String}).with_row_index("_h")
        notices = notices.cast(
            {"notice_date": pl.Date, "resolved_date": pl.Date, "category": pl.String}
        )
        # unplaced on the hire date: noticed on or before it, not placed or gone by it
        during = (
            hires.select("_h", "category", "hire_date")
            .join(notices, on="category", how="inner")
            .filter(
                (pl.col("notice_date") <= pl.col("hire_date"))
                & (
                    pl.col("resolved_date").is_null()
                    | (pl.col("resolved_date") > pl.col("hire_date"))
                )
            )
            .group_by("_h")
            .agg(pl.col("employee_id").n_unique().cast(pl.Int64).alias("redundant_unplaced"))
        )
        flagged = hires.join(during, on="_h", how="inner").with_columns(
            pl.when(pl.col("extension"))
            .then(pl.lit(HIRE_EXTENSION))
            .otherwise(pl.lit(HIRE_EXTERNAL))
            .alias("hire_kind")
        )
        return (
            _with_units(flagged, _unit_frame(cur, ctx), scope)
            .select(list(schema))
            .cast(schema)
            .sort("area", "unit_name", "hire_date", "employee_id")
        )

    return _cached("hires_despite_redundancy", conn, (scope, year), compute)
