"""query.coverage and query.data_freshness on a hand-made database (values worked out by hand).

Units: U1 (Norr, open throughout), U2 (Norr, opens 2024-03-01), U3 (Söder).
Staff snapshots (people): U1 6 in each of 2024-01..04; U2 3 in 2024-03 and 04;
U3 5 in 2024-01 and 2024-03 (none in 02, none in 04).
Sick leave: U1 every month 01..04; U2 only 2024-04; U3 only 2024-01.
Survey: U1 on 2024-03-15; U2 and U3 never.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kompetens import query
from kompetens.core import store

EVERYTHING = query.Scope.everything()


@pytest.fixture(scope="module")
def conn():
    connection = store.connect(":memory:")
    units = pl.DataFrame(
        {
            "unit_id": ["U1", "U2", "U3"],
            "unit_name": ["Ugglan", "Uttern", "Uven"],
            "area": ["Norr", "Norr", "Söder"],
            "school_form": ["grundskola"] * 3,
            "valid_from": [None, dt.date(2024, 3, 1), None],
        }
    )
    store.append_rows(connection, "units", units, batch_id=1)
    staff = []
    for unit, people, months in (("U1", 6, [1, 2, 3, 4]), ("U2", 3, [3, 4]), ("U3", 5, [1, 3])):
        for month in months:
            for p in range(people):
                staff.append(
                    {
                        "snapshot_date": dt.date(2024, month, 15),
                        "employee_id": f"{unit}-{p}",
                        "unit_id": unit,
                    }
                )
    store.append_rows(connection, "staff", pl.DataFrame(staff), batch_id=2)
    sick = [("U1", m) for m in (1, 2, 3, 4)] + [("U2", 4), ("U3", 1)]
    store.append_rows(
        connection,
        "sick_leave",
        pl.DataFrame(
            {
                "unit_id": [u for u, _ in sick],
                "month": [dt.date(2024, m, 1) for _, m in sick],
                "scheduled_hours": [100.0] * len(sick),
                "sick_hours": [5.0] * len(sick),
            }
        ),
        batch_id=3,
    )
    store.append_rows(
        connection,
        "survey",
        pl.DataFrame({"unit_id": ["U1"], "survey_date": [dt.date(2024, 3, 15)]}),
        batch_id=4,
    )
    store.bump_data_version(connection)
    query.clear_cache()
    yield connection
    connection.close()


def cells(frame: pl.DataFrame, unit: str, column: str) -> list:
    return frame.filter(pl.col("unit_id") == unit).sort("month")[column].to_list()


def test_staff_coverage_is_one_per_month_with_a_snapshot_and_blank_before_a_unit_opened(conn):
    grid = query.coverage(conn, EVERYTHING, "staff")
    assert grid["month"].unique().sort().to_list() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert cells(grid, "U1", "coverage") == [1.0, 1.0, 1.0, 1.0]
    assert cells(grid, "U2", "coverage") == [None, None, 1.0, 1.0]
    assert cells(grid, "U3", "coverage") == [1.0, 0.0, 1.0, 0.0]
    assert cells(grid, "U1", "rows") == [6, 6, 6, 6]


def test_a_count_of_fewer_than_five_people_is_hidden_but_its_coverage_shown(conn):
    grid = query.coverage(conn, EVERYTHING, "staff")
    # U2 has 3 people: the count is suppressed, the month still counts as covered
    assert cells(grid, "U2", "rows") == [0, 0, None, None]
    assert cells(grid, "U2", "rows_suppressed") == [False, False, True, True]
    # sick leave rows are one per unit and month, not about people: 1 is shown
    sick = query.coverage(conn, EVERYTHING, "sick_leave")
    assert cells(sick, "U3", "rows") == [1, 0, 0, 0]
    assert not any(sick["rows_suppressed"].to_list())


def test_without_a_kind_coverage_is_the_share_of_the_monthly_kinds_present(conn):
    grid = query.coverage(conn, EVERYTHING)
    assert cells(grid, "U1", "coverage") == [1.0, 1.0, 1.0, 1.0]
    # U2: closed, closed, staff only, both
    assert cells(grid, "U2", "coverage") == [None, None, 0.5, 1.0]
    # U3: both, none, staff only, none
    assert cells(grid, "U3", "coverage") == [1.0, 0.0, 0.5, 0.0]


def test_by_area_averages_the_open_units_of_each_area(conn):
    grid = query.coverage(conn, EVERYTHING, "staff", by="area")
    norr = grid.filter(pl.col("area") == "Norr").sort("month")
    assert norr["units"].to_list() == [1, 1, 2, 2]  # U2 counts from its opening
    assert norr["coverage"].to_list() == [1.0, 1.0, 1.0, 1.0]
    soder = grid.filter(pl.col("area") == "Söder").sort("month")
    assert soder["coverage"].to_list() == [1.0, 0.0, 1.0, 0.0]


def test_coverage_is_scoped_and_refuses_an_area_outside_the_scope(conn):
    norr = query.Scope.for_areas("Norr")
    assert query.coverage(conn, norr, "staff")["unit_id"].unique().sort().to_list() == ["U1", "U2"]
    assert query.coverage(conn, EVERYTHING, "staff", area="Söder")[
        "unit_id"
    ].unique().to_list() == ["U3"]
    with pytest.raises(query.ScopeError):
        query.coverage(conn, norr, "staff", area="Söder")
    with pytest.raises(ValueError, match="okänd datatyp"):
        query.coverage(conn, EVERYTHING, "units")


def freshness(conn, **kw) -> dict[tuple[str, str], tuple]:
    frame = query.data_freshness(conn, EVERYTHING, **kw)
    return {
        (r["unit_id"], r["kind"]): (
            r["last_month"],
            r["months_behind"],
            r["gap_months"],
            r["status"],
            r["open_from"],
        )
        for r in frame.iter_rows(named=True)
    }


def test_freshness_finds_missing_stale_gappy_and_newly_opened_units(conn):
    got = freshness(conn)  # stale = more than 3 months behind
    assert got[("U1", "staff")] == ("2024-04", 0, 0, "ok", None)
    # U2 opened 2024-03: its staff series is complete from then; the opening month is reported
    assert got[("U2", "staff")] == ("2024-04", 0, 0, "ok", "2024-03")
    # U3: last snapshot 2024-03, one month behind; 2024-02 missing inside the series
    assert got[("U3", "staff")] == ("2024-03", 1, 1, "gaps", None)
    # U2 sick leave only in 04 although open from 03: one hole
    assert got[("U2", "sick_leave")] == ("2024-04", 0, 1, "gaps", "2024-03")
    # U3 sick leave only 2024-01: three months behind is not yet "more than 3"
    assert got[("U3", "sick_leave")] == ("2024-01", 3, 0, "ok", None)
    # survey: the reference is the newest survey (2024-03); U2 and U3 never answered
    assert got[("U1", "survey")] == ("2024-03", 0, None, "ok", None)
    assert got[("U3", "survey")] == (None, None, None, "missing", None)


def test_a_stricter_limit_makes_older_data_stale_and_the_worst_come_first(conn):
    got = freshness(conn, stale_months=0)
    assert got[("U3", "staff")][3] == "stale"
    assert got[("U3", "sick_leave")][3] == "stale"
    frame = query.data_freshness(conn, EVERYTHING, stale_months=0)
    assert frame["status"].to_list()[:2] == ["missing", "missing"]
    # the stale ones: the furthest behind first
    stale = frame.filter(pl.col("status") == "stale")
    assert stale.select("unit_id", "kind", "months_behind").rows() == [
        ("U3", "sick_leave", 3),
        ("U3", "staff", 1),
    ]
