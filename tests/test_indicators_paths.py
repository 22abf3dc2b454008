"""Certification paths by hand: expected completions per year and where each path stands.

The fixture (two schools, nine paths of eight people, three staff snapshots):

    unit E1 (area Norr), E2 (area Söder); snapshots 2025-01-15, 2025-06-15, 2025-10-15
    path           unit programme    subject start       expected    flag at the snapshots (Jan/Jun/Oct)
    P1             E1   KPU          MA      2024-08-19  2025-06-01  no / yes / yes
    P2             E1   VAL          SV      2024-08-19  2025-06-01  no / no / no
    P3 (EN)        E1   lararlyftet  EN      2025-01-13  2025-12-20  no / no / no  (licensed only)
    P3 (MA)        E1   lararlyftet  MA      2025-01-13  2026-06-15  (same person)
    P4             E1   KPU          NO      2024-01-10  2025-01-10  no / gone / gone
    P5             E2   ULV          EN      2025-08-18  2026-12-20  - / - / no  (first seen in Oct)
    P6             E2   VAL          MA      2024-08-19  2025-12-20  yes / yes / yes (already certified)
    P7             E2   KPU          SV      2023-08-21  2024-06-15  no / yes / yes (preschool teacher:
                                                                     licence only, qualified empty)
    P8             E2   other        SPEC    2025-02-01  2025-09-30  never in the staff file
    P9 (not on a path) E2, certified in every snapshot.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kompetens.indicators.pipelines.paths import path_indicators

D = dt.date
JAN, JUN, OCT = D(2025, 1, 15), D(2025, 6, 15), D(2025, 10, 15)

UNITS = pl.DataFrame(
    {"unit_id": ["E1", "E2"], "area": ["Norr", "Söder"], "school_form": ["grundskola"] * 2}
)

PATHS = pl.DataFrame(
    [
        ("P1", "E1", "KPU", "MA", D(2024, 8, 19), D(2025, 6, 1)),
        ("P2", "E1", "VAL", "SV", D(2024, 8, 19), D(2025, 6, 1)),
        ("P3", "E1", "lararlyftet", "EN", D(2025, 1, 13), D(2025, 12, 20)),
        ("P3", "E1", "lararlyftet", "MA", D(2025, 1, 13), D(2026, 6, 15)),
        ("P4", "E1", "KPU", "NO", D(2024, 1, 10), D(2025, 1, 10)),
        ("P5", "E2", "ULV", "EN", D(2025, 8, 18), D(2026, 12, 20)),
        ("P6", "E2", "VAL", "MA", D(2024, 8, 19), D(2025, 12, 20)),
        ("P7", "E2", "KPU", "SV", D(2023, 8, 21), D(2024, 6, 15)),
        ("P8", "E2", "other", "SPEC", D(2025, 2, 1), D(2025, 9, 30)),
    ],
    schema=["employee_id", "unit_id", "programme", "subject", "start_date", "expected_completion"],
    orient="row",
)

#: (person, unit, category, {snapshot: (licensed, qualified)})
_PEOPLE = [
    ("P1", "E1", "teacher", {JAN: (False, False), JUN: (True, True), OCT: (True, True)}),
    ("P2", "E1", "teacher", {JAN: (False, False), JUN: (False, False), OCT: (False, False)}),
    ("P3", "E1", "teacher", {JAN: (True, False), JUN: (True, False), OCT: (True, False)}),
    ("P4", "E1", "teacher", {JAN: (False, False)}),
    ("P5", "E2", "teacher", {OCT: (False, False)}),
    ("P6", "E2", "teacher", {JAN: (True, True), JUN: (True, True), OCT: (True, True)}),
    ("P7", "E2", "preschool_teacher", {JAN: (False, None), JUN: (True, None), OCT: (True, None)}),
    ("P9", "E2", "teacher", {JAN: (True, True), JUN: (True, True), OCT: (True, True)}),
]
STAFF = pl.DataFrame(
    [
        (day, person, unit, category, licensed, qualified)
        for person, unit, category, flags in _PEOPLE
        for day, (licensed, qualified) in flags.items()
    ],
    schema={
        "snapshot_date": pl.Date,
        "employee_id": pl.String,
        "unit_id": pl.String,
        "staff_category": pl.String,
        "licensed": pl.Boolean,
        "qualified": pl.Boolean,
    },
    orient="row",
)


@pytest.fixture(scope="module")
def figures() -> dict[str, pl.DataFrame]:
    return path_indicators(PATHS, STAFF, UNITS, reference_month=10)


def value(frame, level, scope_id, period, breakdown="all", period_type=None):
    rows = frame.filter(
        (pl.col("level") == level)
        & (pl.col("scope_id") == scope_id)
        & (pl.col("period") == period)
        & (pl.col("breakdown") == breakdown)
        & (pl.lit(True) if period_type is None else pl.col("period_type") == period_type)
    )
    if rows.height == 0:
        return None
    (row,) = rows.select("value", "n_individuals").rows()
    return row


def test_expected_completions_count_paths_per_year_of_expected_completion_and_people_once(figures):
    ec = figures["expected_completions"]
    # E1 2025: P1 (06-01), P2 (06-01), P3 EN (12-20), P4 (01-10) = 4 paths of 4 people
    assert value(ec, "unit", "E1", "2025") == (4.0, 4)
    # E1 2026: P3 MA (06-15) = 1, given when the staff snapshots reach 2026 (test below)
    assert value(ec, "unit", "E1", "2026") is None
    # E2 2024: P7; 2025: P6 (12-20), P8 (09-30) = 2
    assert value(ec, "unit", "E2", "2024") == (1.0, 1)
    assert value(ec, "unit", "E2", "2025") == (2.0, 2)
    # areas are their one unit; org 2025 = 4 + 2 = 6 paths of 6 people
    assert value(ec, "area", "Norr", "2025") == (4.0, 4)
    assert value(ec, "area", "Söder", "2024") == (1.0, 1)
    assert value(ec, "org", "org", "2025") == (6.0, 6)
    assert set(ec["period"].unique()) == {"2024", "2025"}
    # by programme, org 2025: KPU P1 + P4 = 2, VAL P2 + P6 = 2, Lärarlyftet P3 EN = 1, other P8 = 1
    assert value(ec, "org", "org", "2025", "programme=KPU") == (2.0, 2)
    assert value(ec, "org", "org", "2025", "programme=VAL") == (2.0, 2)
    assert value(ec, "org", "org", "2025", "programme=lararlyftet") == (1.0, 1)
    assert value(ec, "org", "org", "2025", "programme=other") == (1.0, 1)
    assert set(ec["period_type"].unique()) == {"year"}


def test_at_the_latest_snapshot_each_path_is_ongoing_overdue_completed_or_left(figures):
    pp = figures["certification_path_progress"]

    def at_oct(level, scope_id, status):
        return value(pp, level, scope_id, "2025-10", f"path_status={status}", "month")

    # E1 at 2025-10-15: P1 flag no -> yes: completed; P2 06-01 passed, flag unchanged: overdue;
    # P3 EN (12-20) and P3 MA (2026): ongoing, one person; P4 in no unit: left. 5 paths, 4 people.
    assert value(pp, "unit", "E1", "2025-10", "all", "month") == (5.0, 4)
    assert at_oct("unit", "E1", "completed") == (1.0, 1)
    assert at_oct("unit", "E1", "overdue") == (1.0, 1)
    assert at_oct("unit", "E1", "ongoing") == (2.0, 1)
    assert at_oct("unit", "E1", "left") == (1.0, 1)
    # E2: P5 (started 08-18) and P6 (already certified, 12-20 not passed): ongoing; P7 (licence
    # no -> yes, qualified empty for a preschool teacher): completed; P8 never in the staff: left.
    assert value(pp, "unit", "E2", "2025-10", "all", "month") == (4.0, 4)
    assert at_oct("unit", "E2", "ongoing") == (2.0, 2)
    assert at_oct("unit", "E2", "completed") == (1.0, 1)
    assert at_oct("unit", "E2", "left") == (1.0, 1)
    assert at_oct("unit", "E2", "overdue") is None  # no overdue path: no row
    # org: 9 paths of 8 people; ongoing 2 + 2 = 4 (P3 twice, P5, P6: 3 people), overdue 1,
    # completed 2, left 2
    assert value(pp, "org", "org", "2025-10", "all", "month") == (9.0, 8)
    assert at_oct("org", "org", "ongoing") == (4.0, 3)
    assert at_oct("org", "org", "overdue") == (1.0, 1)
    assert at_oct("org", "org", "completed") == (2.0, 2)
    assert at_oct("org", "org", "left") == (2.0, 2)


def test_earlier_months_count_the_paths_started_by_then_and_the_year_is_the_reference_month(
    figures,
):
    pp = figures["certification_path_progress"]
    # 2025-01-15: E1 all five (P3 started 01-13); E2 P6 and P7 (P8 starts in February, P5 in August)
    assert value(pp, "unit", "E1", "2025-01", "all", "month") == (5.0, 4)
    assert value(pp, "unit", "E2", "2025-01", "all", "month") == (2.0, 2)
    # 2025-06-15: E2 adds P8 (started 02-01): P6, P7, P8
    assert value(pp, "unit", "E2", "2025-06", "all", "month") == (3.0, 3)
    # earlier months carry no breakdown (the trend line); the latest month carries them all
    assert value(pp, "unit", "E1", "2025-06", "path_status=completed", "month") is None
    # the year 2025 is October (the reference month): P2 overdue at E1
    assert value(pp, "unit", "E1", "2025", "path_status=overdue", "year") == (1.0, 1)
    assert value(pp, "org", "org", "2025", "all", "year") == (9.0, 8)


def test_an_overdue_path_is_overdue_only_after_its_expected_completion():
    # P4 (expected 2025-01-10) and P7 (2024-06-15, flag still no in January) are overdue in
    # January; P2 (06-01) is not yet. Only the latest month has breakdowns, so look at a
    # January-only computation.
    january = path_indicators(
        PATHS, STAFF.filter(pl.col("snapshot_date") == JAN), UNITS, reference_month=10
    )["certification_path_progress"]
    assert value(january, "unit", "E1", "2025-01", "path_status=overdue", "month") == (1.0, 1)
    assert value(january, "unit", "E2", "2025-01", "path_status=overdue", "month") == (1.0, 1)
    # P1, P2 and P3 twice: 4 paths of 3 people
    assert value(january, "unit", "E1", "2025-01", "path_status=ongoing", "month") == (4.0, 3)
    assert value(january, "org", "org", "2025-01", "path_status=completed", "month") is None


def test_the_years_after_the_newest_snapshot_come_when_the_snapshots_reach_them():
    # with the snapshots reaching 2026: E1 2026 = P3 MA, E2 2026 = P5; org 2026 = 1 + 1 = 2
    ec = path_indicators(PATHS, STAFF, UNITS, 10, last_year=2026)["expected_completions"]
    assert value(ec, "unit", "E1", "2026") == (1.0, 1)
    assert value(ec, "unit", "E2", "2026") == (1.0, 1)
    assert value(ec, "org", "org", "2026") == (2.0, 2)


def test_without_paths_nothing_is_computed_and_without_staff_only_the_plan():
    assert path_indicators(PATHS.clear(), STAFF, UNITS, 10) == {}
    plan_only = path_indicators(PATHS, STAFF.clear(), UNITS, 10)
    assert set(plan_only) == {"expected_completions"}


def test_a_completed_path_counts_for_twelve_months_from_the_month_it_was_completed():
    # P1 completed at the 2025-06 snapshot: still counted in 2026-05, gone in 2026-06.
    may, june = D(2026, 5, 15), D(2026, 6, 15)
    one = PATHS.filter(pl.col("employee_id") == "P1")
    staff = pl.concat(
        [
            STAFF.filter(pl.col("employee_id") == "P1"),
            STAFF.filter(
                (pl.col("employee_id") == "P1") & (pl.col("snapshot_date") == OCT)
            ).with_columns(pl.lit(may).alias("snapshot_date")),
            STAFF.filter(
                (pl.col("employee_id") == "P1") & (pl.col("snapshot_date") == OCT)
            ).with_columns(pl.lit(june).alias("snapshot_date")),
        ]
    )
    pp = path_indicators(one, staff, UNITS, 10)["certification_path_progress"]
    assert value(pp, "unit", "E1", "2026-05", "all", "month") == (1.0, 1)
    assert value(pp, "unit", "E1", "2026-06", "all", "month") is None
