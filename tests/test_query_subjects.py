"""query.subject_units and query.largest_subject_gaps on hand-written key figures.

Unit S1 (Söderskolan, Syd) in 2025, teaching hours per week by subject:
qualified of all hours and the teachers in ``subject_rows``; the gap is the difference (a count
of hours). SVA rests on 3 teachers and is hidden. No ``all`` or area rows: no equation ties the cells together, so
only the small-number rule hides anything.
"""

from __future__ import annotations

import pytest

from kompetens import query as q
from kompetens.core import store
from kompetens.ui.subject_view import gap_lines
from tests.kf_helpers import kf, write_key_figures, write_units

ALL = q.Scope.everything()
NORD = q.Scope.for_areas("Nord")


def subject_rows() -> list[tuple]:
    share, gap = "certified_teaching_hours_share", "uncertified_teaching_hours"
    rows = []
    # subject: qualified hours, all hours, teachers
    for subject, qualified, hours, n in (
        ("MA", 10, 20, 6),  # gap 10 h
        ("EN", 6, 12, 5),  # gap 6 h
        ("SV", 14, 18, 7),  # gap 4 h
        ("NO", 8, 8, 8),  # gap 0 h
        ("SVA", 1, 9, 3),  # gap 8 h, but on 3 teachers: hidden
    ):
        b = f"subject={subject}"
        rows.append(kf(share, "unit", "S1", "year", "2025", qualified, hours, n, b))
        g = kf(gap, "unit", "S1", "year", "2025", hours - qualified, hours, n, b)
        rows.append((*g[:8], float(hours - qualified), g[9]))  # a count: value = the hours
    return rows


@pytest.fixture(scope="module")
def conn():
    connection = store.connect(":memory:")
    write_units(connection)
    write_key_figures(connection, subject_rows())
    yield connection
    connection.close()


def test_subject_units_lists_each_subject_of_a_unit_sorted_by_the_gap(conn):
    rows = q.subject_units(conn, ALL, "2025")
    assert rows["subject"].to_list() == ["MA", "EN", "SV", "NO", "SVA"]
    ma = rows.row(0, named=True)
    assert (ma["unit_name"], ma["subject_name"], ma["share"]) == ("Söderskolan", "Matematik", 0.5)
    assert ma["uncertified_hours"] == 10.0
    assert ma["uncertified_fte"] == pytest.approx(10 / 18)
    sva = rows.row(4, named=True)
    assert sva["share_suppressed"] and sva["share"] is None and sva["uncertified_hours"] is None


def test_the_three_largest_visible_gaps_leave_out_hidden_and_zero_gaps(conn):
    gaps = q.largest_subject_gaps(conn, ALL, "S1", "2025")
    # SVA's 8 h are hidden; NO has no gap
    assert gaps["subject"].to_list() == ["MA", "EN", "SV"]
    assert gap_lines(gaps)[0] == (
        "Matematik: 10,0 timmar i veckan utan behörig lärare (0,6 heltidstjänster)"
    )


def test_an_area_manager_sees_no_subject_of_another_area(conn):
    assert q.subject_units(conn, NORD, "2025").height == 0
