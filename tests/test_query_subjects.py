"""query.subject_units and query.largest_subject_gaps on hand-written key figures.

Unit S1 (Söderskolan, Syd) in 2025, teaching hours per week by subject:
qualified of all hours and the teachers in ``subject_rows``; the gap is the difference (a count
of hours). SVA rests on 3 teachers and is hidden. No ``all`` or area rows: no equation ties the cells together, so
only the small-number rule hides anything. Mathematics and English also by grades
(``subject_grades=MA:7-9`` ...), and Norrskolan (N1, Nord) teaches mathematics in years 7-9.
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
    # unit, subject x grades: qualified hours, all hours, teachers (MA 4+6 = 10 of 20, EN 6 of 12)
    for unit, code, qualified, hours, n in (
        ("S1", "MA:7-9", 4, 12, 6),  # gap 8 h
        ("S1", "MA:4-6", 6, 8, 5),  # gap 2 h (one teacher in both bands: 6 + 5 > 6)
        ("S1", "EN:7-9", 6, 12, 5),  # gap 6 h
        ("N1", "MA:7-9", 9, 10, 5),  # gap 1 h
    ):
        b = f"subject_grades={code}"
        rows.append(kf(share, "unit", unit, "year", "2025", qualified, hours, n, b))
        g = kf(gap, "unit", unit, "year", "2025", hours - qualified, hours, n, b)
        rows.append((*g[:8], float(hours - qualified), g[9]))
    return rows


@pytest.fixture(scope="module")
def conn():
    connection = store.connect(":memory:")
    write_units(connection)
    write_key_figures(connection, subject_rows())
    yield connection
    connection.close()


def test_subject_units_lists_each_subject_of_a_unit_sorted_by_the_gap(conn):
    rows = q.subject_units(conn, ALL, "2025", unit_id="S1")
    assert rows["subject"].to_list() == ["MA", "EN", "SV", "NO", "SVA"]
    assert rows["grades"].null_count() == 5  # all grades together
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
    assert q.subject_units(conn, NORD, "2025").height == 0  # N1 has grade rows only


def test_with_grades_only_the_hours_in_those_grades_are_listed_unit_by_unit(conn):
    rows = q.subject_units(conn, ALL, "2025", grades="7-9")
    # S1 MA 7-9 gap 8 h, S1 EN 7-9 gap 6 h, N1 MA 7-9 gap 1 h; MA 4-6 is not in years 7-9
    assert rows.select("unit_id", "subject", "grades", "uncertified_hours").rows() == [
        ("S1", "MA", "7-9", 8.0),
        ("S1", "EN", "7-9", 6.0),
        ("N1", "MA", "7-9", 1.0),
    ]
    assert rows["share"].to_list() == [pytest.approx(4 / 12), 0.5, 0.9]


def test_grades_and_school_form_filter_together(conn):
    # N1 and S1 are both grundskola; no unit of the gymnasium teaches years 7-9
    assert q.subject_units(conn, ALL, "2025", school_form="grundskola", grades="7-9").height == 3
    assert q.subject_units(conn, ALL, "2025", school_form="gymnasieskola", grades="7-9").height == 0
    assert q.subject_units(conn, ALL, "2025", grades="F-3").height == 0


def test_the_drill_from_a_unit_lists_its_subjects_grade_by_grade(conn):
    rows = q.unit_subject_grades(conn, ALL, "S1", "2025")
    # sorted by subject name (Engelska before Matematik), then grades in school order
    assert rows.select("subject_name", "grades", "uncertified_hours").rows() == [
        ("Engelska", "7-9", 6.0),
        ("Matematik", "4-6", 2.0),
        ("Matematik", "7-9", 8.0),
    ]


def test_the_drill_refuses_a_unit_outside_the_scope(conn):
    # an area manager of Nord sees Norrskolan's mathematics, and nothing of Söderskolan
    assert q.unit_subject_grades(conn, NORD, "N1", "2025")["subject"].to_list() == ["MA"]
    with pytest.raises(q.ScopeError):
        q.unit_subject_grades(conn, NORD, "S1", "2025")
