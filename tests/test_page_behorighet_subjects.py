"""Behörighet's subject view on the subject fixture (``tests/subject_fixture.py``): filters,
sorting, the download and the drill from a unit to its subjects grade by grade.

Figures (2025, hand-computed in the fixture's docstring): A2 Swedish 24 of 48 h qualified
(50,0 %, gap 24,0 h), A2 mathematics 24 of 36 (66,7 %, 12,0), B1 English 2 of 12 (16,7 %, 10,0),
B1 Swedish 40 of 48 (83,3 %, 8,0), A2 English and B1 mathematics 100 % (0,0). Every A1 figure is
hidden (``..``): its mathematics in years 4-6 rests on three teachers, and the whole-table mask
hides the rest of A1 with it.
"""

from __future__ import annotations

import polars as pl
import pytest

from kompetens.ui import subject_view
from tests.app_support import run_page, texts
from tests.subject_fixture import build_subject_db

PAGE = "views/behorighet.py"
NB = "\u00a0"  # a no-break space before the per cent sign


@pytest.fixture(scope="module")
def subject_db(tmp_path_factory):
    return build_subject_db(tmp_path_factory.mktemp("subjects") / "subjects.duckdb")


def subject_table(at) -> pl.DataFrame:
    for frame in at.dataframe:
        if "subject_name" in frame.value.columns and "unit_name" in frame.value.columns:
            return pl.from_pandas(frame.value)
    raise AssertionError("no subject table on the page")


def unit_subject_table(at) -> pl.DataFrame:
    for frame in at.dataframe:
        if "subject_name" in frame.value.columns and "unit_name" not in frame.value.columns:
            return pl.from_pandas(frame.value)
    raise AssertionError("no drill table on the page")


def test_the_subject_table_lists_every_unit_and_subject_by_the_gap_with_hidden_a1_last(subject_db):
    at = run_page(subject_db, PAGE, query_params={"ar": "2025"})
    assert not at.exception
    table = subject_table(at)
    assert table.select("unit_name", "subject_name", "uncertified_hours").rows() == [
        ("Aspskolan", "Svenska", "24,0"),
        ("Aspskolan", "Matematik", "12,0"),
        ("Björkskolan", "Engelska", "10,0"),
        ("Björkskolan", "Svenska", "8,0"),
        ("Aspskolan", "Engelska", "0,0"),
        ("Björkskolan", "Matematik", "0,0"),
        ("Almskolan", "Engelska", ".."),
        ("Almskolan", "Matematik", ".."),
        ("Almskolan", "Svenska", ".."),
    ]
    assert table["share"].to_list()[:4] == [f"50,0{NB}%", f"66,7{NB}%", f"16,7{NB}%", f"83,3{NB}%"]
    assert set(table["grades"].to_list()) == {"Alla"}
    assert "Ämnen" in texts(at)


def test_the_grades_filter_keeps_the_hours_of_years_7_to_9_and_the_share_sort_puts_the_lowest_first(
    subject_db,
):
    at = run_page(subject_db, PAGE, query_params={"ar": "2025"})
    at.segmented_control(key="amnen_arskurser").set_value("7-9").run()
    at.selectbox(key="amnen_sortering").set_value("share").run()
    assert not at.exception
    table = subject_table(at)
    # years 7-9 only: no Swedish (taught in 4-6); B1 English 16,7 % < A2 mathematics 66,7 % < 100 %
    assert table.select("unit_name", "subject_name", "share").rows() == [
        ("Björkskolan", "Engelska", f"16,7{NB}%"),
        ("Aspskolan", "Matematik", f"66,7{NB}%"),
        ("Aspskolan", "Engelska", f"100,0{NB}%"),
        ("Björkskolan", "Matematik", f"100,0{NB}%"),
        ("Almskolan", "Engelska", ".."),
        ("Almskolan", "Matematik", ".."),
    ]
    assert set(table["grades"].to_list()) == {"Årskurs 7–9"}


def test_the_drill_opens_a_units_subjects_grade_by_grade(subject_db):
    at = run_page(subject_db, PAGE, query_params={"ar": "2025"})
    at.selectbox(key="amnen_enhet").set_value("A2").run()
    assert not at.exception
    drill = unit_subject_table(at)
    assert drill.select("subject_name", "grades", "share", "uncertified_hours").rows() == [
        ("Engelska", "Årskurs 7–9", f"100,0{NB}%", "0,0"),
        ("Matematik", "Årskurs 7–9", f"66,7{NB}%", "12,0"),
        ("Svenska", "Årskurs 4–6", f"50,0{NB}%", "24,0"),
    ]
    # Almskolan's grade rows are all hidden, mathematics in years 4-6 among them
    at.selectbox(key="amnen_enhet").set_value("A1").run()
    drill = unit_subject_table(at)
    assert drill["grades"].to_list() == [
        "Årskurs 7–9",
        "Årskurs 4–6",
        "Årskurs 7–9",
        "Årskurs 4–6",
    ]
    assert set(drill["share"].to_list()) == {".."}


def test_a_principal_sees_and_drills_only_the_own_unit(subject_db):
    at = run_page(subject_db)
    at.session_state["demo_roll"] = "principal"
    at.session_state["demo_enhet"] = "B1"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert set(subject_table(at)["unit_name"].to_list()) == {"Björkskolan"}
    assert at.selectbox(key="amnen_enhet").options == ["Björkskolan"]
    # (the query layer refuses another unit's drill: tests/test_query_subjects.py)


def test_sorted_subjects_puts_hidden_figures_last_in_both_orders():
    rows = pl.DataFrame(
        {
            "unit_name": ["U", "U", "U"],
            "subject_name": ["Engelska", "Matematik", "Svenska"],
            "share": [0.2, None, 0.5],
            "uncertified_hours": [1.0, None, 8.0],
        }
    )
    # gap: Svenska 8 h, Engelska 1 h; share: Engelska 20 %, Svenska 50 %; Matematik hidden
    assert subject_view.sorted_subjects(rows, "gap")["subject_name"].to_list() == [
        "Svenska",
        "Engelska",
        "Matematik",
    ]
    assert subject_view.sorted_subjects(rows, "share")["subject_name"].to_list() == [
        "Engelska",
        "Svenska",
        "Matematik",
    ]


def test_the_heat_map_prints_shares_in_its_cells_only_while_they_are_wide_enough():
    from kompetens.core.labels import SUBJECT_LABELS
    from kompetens.present.subject_charts import CELL_TEXT_SUBJECTS, subject_heatmap

    def one_unit(subjects: list[str]) -> pl.DataFrame:
        # the first subject hidden, the others 75 % qualified with 2 h unqualified
        return pl.DataFrame(
            {
                "unit_name": ["U"] * len(subjects),
                "subject": subjects,
                "share": [None] + [0.75] * (len(subjects) - 1),
                "share_suppressed": [True] + [False] * (len(subjects) - 1),
                "uncertified_hours": [None] + [2.0] * (len(subjects) - 1),
                "uncertified_hours_suppressed": [True] + [False] * (len(subjects) - 1),
            }
        )

    codes = sorted(SUBJECT_LABELS)
    few = subject_heatmap(one_unit(codes[:CELL_TEXT_SUBJECTS])).data[0]
    assert list(few.text[0][:2]) == ["..", f"75{NB}%"]
    assert few.customdata[0][1] == f"75{NB}% · 2,0 h obehörig"  # the hover
    many = subject_heatmap(one_unit(codes[: CELL_TEXT_SUBJECTS + 1])).data[0]
    assert list(many.text[0][:2]) == ["..", ""]  # hidden cells keep their ..
    assert many.customdata[0][1] == f"75{NB}% · 2,0 h obehörig"
