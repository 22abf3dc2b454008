"""Behörighet on the small fixture: the unit table, the drill-down and segregation show hand-computed figures.

2024 (October): E1 certified 3.4 / 5.9 = 57,6 %, gap 0.7 × 5.9 − 3.4 = 0,73 FTE;
S1 1.9 / 3.9 = 48,7 %, gap 0,83; organisation 5.3 / 9.8 = 54,1 %, target 70 %.
2025: S1 rests on 4 teachers (hidden) and E1 is hidden with it (Norr = E1 alone,
and the organisation total would otherwise give S1 away); org 4.3 / 7.8 = 55,1 %.
L1 (preschool) 2025: 2.8 / 6.55 = 42,7 % licensed, gap 0.5 × 6.55 − 2.8 = 0,475 FTE.
"""

from __future__ import annotations

import pytest

from tests.app_support import run_page, texts

PAGE = "views/behorighet.py"


def unit_table(at):
    for frame in at.dataframe:
        if "gap_fte" in frame.value.columns:
            return frame.value.set_index("unit_id")
    raise AssertionError("no unit table on the page")


def metric_values(at, label: str) -> list[str]:
    return [str(m.value) for m in at.metric if str(m.label) == label]


def test_the_unit_table_shows_each_school_s_share_gap_and_teacher_fte(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2024"})
    assert not at.exception
    table = unit_table(at)
    assert list(table.index) == ["E1", "S1"]  # the preschool is not in the teachers' table
    assert table.loc["E1", "share"] == pytest.approx(3.4 / 5.9)
    assert table.loc["S1", "share"] == pytest.approx(1.9 / 3.9)
    assert table.loc["E1", "gap_fte"] == pytest.approx(0.73)
    assert table.loc["S1", "gap_fte"] == pytest.approx(0.83)
    assert table.loc["E1", "teacher_fte"] == pytest.approx(5.9)
    assert table.loc["E1", "status"] == "✕ Långt från målet"
    # the organisation card and the target line
    assert metric_values(at, "Andel behöriga lärare (heltidstjänster)")[0] == "54,1\u00a0%"
    assert "Streckad linje: målet 70,0\u00a0% för hela organisationen." in texts(at)
    assert metric_values(at, "Enheter under målet") == ["2"]
    assert metric_values(at, "Enheter med dolt värde (..)") == ["0"]


def test_hidden_unit_figures_are_flagged_and_never_shown(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    assert not at.exception
    table = unit_table(at)
    assert table["share_suppressed"].tolist() == [True, True]
    assert table["share"].isna().all()
    assert metric_values(at, "Andel behöriga lärare (heltidstjänster)")[0] == "55,1\u00a0%"
    assert metric_values(at, "Enheter med dolt värde (..)") == ["2"]


def test_the_drill_down_compares_the_unit_with_its_area_and_the_organisation(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2024"})
    at.selectbox(key="enhet").set_value("E1").run()
    assert not at.exception
    assert metric_values(at, "Andel behöriga lärare (heltidstjänster)")[1] == "57,6\u00a0%"
    page_text = texts(at)
    assert "Norr: 57,6\u00a0% · organisationen: 54,1\u00a0% · mål 70,0\u00a0%" in page_text
    assert "Legitimation och behörighet" in page_text
    # licence status: all teachers 5.9 FTE shown; every part rests on fewer than 5 people
    licence = next(f.value for f in at.dataframe if "label" in f.value.columns)
    rows = licence.set_index("status")
    assert rows.loc["all", "fte"] == pytest.approx(5.9)
    assert rows.loc[["licensed_qualified", "licensed_only", "not_licensed"], "suppressed"].all()
    assert rows.loc[["licensed_qualified", "licensed_only", "not_licensed"], "fte"].isna().all()


def test_the_preschool_category_shows_the_licensed_preschool_teacher_share(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    at.segmented_control(key="kategori").set_value("preschool_teacher").run()
    assert not at.exception
    table = unit_table(at)
    assert list(table.index) == ["L1"]
    assert table.loc["L1", "share"] == pytest.approx(2.8 / 6.55)
    assert table.loc["L1", "gap_fte"] == pytest.approx(0.475)
    assert table.loc["L1", "target"] == pytest.approx(0.5)
    assert "välj personalkategorin Lärare (skolor)" in texts(at)


def test_segregation_with_two_schools_says_there_are_too_few_to_correlate(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2024"})
    page_text = texts(at)
    assert "För få skolor med uppgifter för att beräkna sambandet." in page_text
    assert "Kolada N15814" in page_text  # the caveat about Skolverket's hour-weighted measure
    assert metric_values(at, "Skolor") == ["2"]
    assert metric_values(at, "Korrelation (r)") == ["–"]


def test_the_area_filter_narrows_the_table(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2024", "omrade": "Söder"})
    assert not at.exception
    assert list(unit_table(at).index) == ["S1"]
