"""The unit brief's three largest subject gaps (PDF and Excel), on the subject fixture.

2025, from ``tests/subject_fixture.py``: Aspskolan (A2) lacks qualified teachers for 24 of 48
Swedish hours (24 / 18 = 1,3 posts) and 12 of 36 mathematics hours (0,7 posts); its English is
all qualified (no gap, so only two lines). Björkskolan (B1): English 10 h (0,6), Swedish 8 h
(0,4). Every Almskolan (A1) figure is hidden, so its brief lists no subject gap.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kompetens import query
from kompetens.core import store
from kompetens.dialogue.briefs import excel
from kompetens.dialogue.briefs.content import build_brief, subject_gap_text
from kompetens.dialogue.briefs.pdf import compile_pdf
from tests.subject_fixture import build_subject_db
from tests.test_briefs import pdf_text, xlsx_cells

ALL = query.Scope.everything()
DAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    connection = store.connect(
        build_subject_db(tmp_path_factory.mktemp("brief") / "subjects.duckdb")
    )
    yield connection
    connection.close()


def test_the_brief_carries_the_units_largest_subject_gaps_largest_first(conn):
    brief = build_brief(conn, ALL, "A2", period="2025", dialogue_date=DAY)
    assert [(g.subject, g.hours, round(g.fte, 2)) for g in brief.subject_gaps] == [
        ("SV", 24.0, 1.33),
        ("MA", 12.0, 0.67),
    ]
    assert brief.subject_gaps[0].text == (
        "Svenska: 24,0 timmar i veckan utan behörig lärare (1,3 heltidstjänster)"
    )


def test_hidden_subject_gaps_stay_out_of_the_brief(conn):
    assert build_brief(conn, ALL, "A1", period="2025", dialogue_date=DAY).subject_gaps == ()


def test_the_pdf_prints_the_subject_gaps(conn):
    brief = build_brief(conn, ALL, "B1", period="2025", dialogue_date=DAY)
    text = pdf_text(compile_pdf(brief, []))
    assert "Största ämnesgapen" in text
    assert "Engelska: 10,0 timmar i veckan utan behörig lärare (0,6 heltidstjänster)" in text
    assert "Svenska: 8,0 timmar i veckan utan behörig lärare (0,4 heltidstjänster)" in text


def test_the_workbook_has_the_subject_gaps_as_numbers_and_in_the_overview(conn):
    brief = build_brief(conn, ALL, "B1", period="2025", dialogue_date=DAY)
    data = excel.unit_workbook(brief)
    gaps = xlsx_cells(data, "Ämnesgap")
    # English: 2 of 12 hours qualified (16,7 %), 10 hours, 10 / 18 = 0,56 posts
    assert gaps["A2"][1] == "Engelska" and gaps["B2"][1] == "EN"
    assert gaps["C2"][:2] == ("n", pytest.approx(2 / 12))
    assert gaps["D2"][:2] == ("n", 10.0)
    assert gaps["E2"][:2] == ("n", pytest.approx(10 / 18))
    assert gaps["A3"][1] == "Svenska" and gaps["D3"][1] == 8.0
    overview = [v for _, v, _ in xlsx_cells(data, "Översikt").values()]
    assert subject_gap_text("Engelska", 10.0, 10 / 18) in overview


def test_a_brief_outside_the_scope_is_refused(conn):
    with pytest.raises(query.ScopeError):
        build_brief(conn, query.Scope.for_units(["B1"], ["Syd"]), "A2", period="2025")
