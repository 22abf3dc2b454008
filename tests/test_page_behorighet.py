"""Behörighet on the small fixture: the unit table, the drill-down and segregation show hand-computed figures.

2024 (October): E1 certified 3.4 / 5.9 = 57,6 %, gap 0.7 × 5.9 − 3.4 = 0,73 FTE;
S1 1.9 / 3.9 = 48,7 %, gap 0,83; organisation 5.3 / 9.8 = 54,1 %, target 70 %.
2025: S1 rests on 4 teachers (hidden) and E1 is hidden with it (Norr = E1 alone,
and the organisation total would otherwise give S1 away); org 4.3 / 7.8 = 55,1 %.
The whole-table suppression mask (docs/suppression.md, stored in
``key_figure_suppression``) hides every teacher share above in both years and at
every level — S1 (Söder's only unit) rests on 4 teachers in January 2024 and
all of 2025, and its area, E1, Norr and the organisation are hidden with it
(secondary) — so the school figures show ``..``; the preschool's stay visible.
L1 (preschool) 2024: 1.8 / 5.55 = 32,4 % licensed, 5.55 teacher FTE.
L1 (preschool) 2025: 2.8 / 6.55 = 42,7 % licensed, gap 0.5 × 6.55 − 2.8 = 0,475 FTE.
"""

from __future__ import annotations

import polars as pl

from kompetens.ui import competence_views as views
from tests.app_support import run_page, texts

FS = "\u2007"  # figure space: table texts are padded to one width
NB = "\u00a0"

PAGE = "views/behorighet.py"


def unit_table(at):
    for frame in at.dataframe:
        if "gap_fte" in frame.value.columns:
            return frame.value.set_index("unit_id")
    raise AssertionError("no unit table on the page")


def metric_values(at, label: str) -> list[str]:
    return [str(m.value) for m in at.metric if str(m.label) == label]


def test_the_unit_table_shows_hidden_school_figures_as_dots_and_the_preschool_s_in_swedish(
    small_db,
):
    at = run_page(small_db, PAGE, query_params={"ar": "2024"})
    assert not at.exception
    table = unit_table(at)
    # The preschool is not here. E1 3.4 / 5.9 = 57,6 % (gap 0,73) and S1 1.9 / 3.9 = 48,7 %
    # (gap 0,83) are both hidden by the whole-table mask (module docstring), and so are their
    # gaps and teacher FTE; a hidden share has no traffic light.
    assert sorted(table.index) == ["E1", "S1"]
    for unit in ("E1", "S1"):
        for column in ("share", "gap_fte", "teacher_fte"):
            assert table.loc[unit, column].strip(FS) == "..", (unit, column)
        assert table.loc[unit, "status"] == "– Inget mål"
    assert table.loc["E1", "target"] == f"70,0{NB}%"  # the target is not a figure on people
    # the organisation card (5.3 / 9.8 = 54,1 %, hidden with them) and the target line
    assert metric_values(at, "Andel behöriga lärare (heltidstjänster)")[0] == ".."
    assert "Streckad linje: målet 70,0\u00a0% för hela organisationen." in texts(at)
    assert metric_values(at, "Enheter under målet") == ["0"]
    assert metric_values(at, "Enheter med dolt värde (..)") == ["2"]
    # The preschool's figures are visible: L1 2024 = 1.8 / 5.55 = 32,4 %, 5.55 FTE to one
    # decimal = 5,6, no 2024 target (so no gap).
    at.segmented_control(key="kategori").set_value("preschool_teacher").run()
    assert not at.exception
    table = unit_table(at)
    assert list(table.index) == ["L1"]
    assert table.loc["L1", "share"] == f"32,4{NB}%"
    assert table.loc["L1", "teacher_fte"] == "5,6"
    assert table.loc["L1", "gap_fte"] == "–"
    assert (
        metric_values(at, "Andel heltidstjänster med förskollärarlegitimation")[0] == f"32,4{NB}%"
    )
    # No English decimal point and no "%" without a space anywhere in the table.
    for value in table.astype(str).to_numpy().ravel():
        assert "." not in value.replace("..", ""), value
        assert "%" not in value or f"{NB}%" in value, value


def test_the_unit_table_follows_the_chosen_order_and_the_search(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2024"})
    at.selectbox(key="sortering").set_value("name").run()
    assert list(unit_table(at).index) == ["E1", "S1"]  # Ekskolan, Söderskolan
    at.text_input(key="sok_enhet").input("söder").run()
    assert not at.exception
    assert list(unit_table(at).index) == ["S1"]
    assert "1 av 2 enheter" in texts(at)


def test_sorted_units_orders_by_gap_share_name_and_area_and_searches_name_or_area():
    table = pl.DataFrame(
        {
            "unit_id": ["A", "B", "C", "D"],
            "unit_name": ["Ekskolan", "Björkskolan", "Almskolan", "Dolda skolan"],
            "area": ["Norr", "Söder", "Norr", "Söder"],
            "share": [0.6, 0.5, 0.8, None],
            "gap_fte": [1.2, 2.5, 0.0, None],
        }
    )
    assert views.sorted_units(table)["unit_id"].to_list() == ["B", "A", "C", "D"]
    assert views.sorted_units(table, "share")["unit_id"].to_list() == ["B", "A", "C", "D"]
    assert views.sorted_units(table, "name")["unit_id"].to_list() == ["C", "B", "D", "A"]
    assert views.sorted_units(table, "area")["unit_id"].to_list() == ["C", "A", "B", "D"]
    assert views.sorted_units(table, "gap", "NORR")["unit_id"].to_list() == ["A", "C"]
    assert views.sorted_units(table, "gap", "björk")["unit_id"].to_list() == ["B"]


def test_people_on_a_path_are_counted_and_hidden_below_five_or_with_the_share():
    table = pl.DataFrame(
        {
            "unit_id": ["A", "B", "C", "D"],
            "path_share": [0.5, 0.2, None, 0.0],
            "path_share_suppressed": [False, False, True, False],
        }
    )
    path = pl.DataFrame(
        {
            "unit_id": ["A", "B", "C", "D"],
            "numerator": [6.0, 2.0, None, 0.0],
            "suppressed": [False, False, True, False],
        }
    )
    out = views.with_path_counts(table, path)
    # A: 6 people shown; B: 2 people (< 5) hidden; C: hidden with its share; D: zero is shown.
    assert out["path_count"].to_list() == [6.0, None, None, 0.0]
    assert out["path_count_suppressed"].to_list() == [False, True, True, False]


def test_the_ranking_keeps_ten_lowest_and_ten_highest_of_many_units():
    n = 25
    table = pl.DataFrame(
        {
            "unit_id": [f"U{i:02d}" for i in range(n)],
            "share": [i / 100 for i in range(n)],
            "share_suppressed": [False] * n,
        }
    )
    ranked, cut = views.ranking_units(table)
    assert cut and ranked.height == 20
    assert ranked["unit_id"].to_list() == [f"U{i:02d}" for i in [*range(10), *range(15, 25)]]
    few, cut = views.ranking_units(table.head(20))
    assert not cut and few.height == 20


def test_a_click_on_a_row_or_a_bar_names_its_unit():
    ids = ["S1", "E1"]
    assert views.unit_of_selection({"rows": [1], "columns": []}, ids) == "E1"
    assert views.unit_of_selection({"rows": [], "points": [{"customdata": "S1"}]}, ids) == "S1"
    assert views.unit_of_selection({"points": [{"customdata": "X9"}]}, ids) is None
    assert views.unit_of_selection({"rows": []}, ids) is None


def test_the_target_line_caption_names_the_chosen_area_as_written(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2024", "omrade": "Norr"})
    assert not at.exception
    assert "Streckad linje: målet 70,0\u00a0% för området Norr." in texts(at)


def test_the_people_on_a_path_read_as_a_count_with_their_share_in_one_narrow_column():
    # padded texts as certification_screen makes them: 6 of 17 uncertified on a path -> 35,3 %;
    # a hidden count hides the pair; nothing known at all is a dash
    counts = pl.Series([f"{FS}6", "..", "0", "–"])
    shares = pl.Series(["35,3\u00a0%", "20,0\u00a0%", f"{FS}0,0\u00a0%", "–"])
    assert views.path_text(counts, shares).to_list() == [
        "6 (35,3\u00a0%)",
        "..",
        "0 (0,0\u00a0%)",
        "–",
    ]


def test_a_preschool_principal_opens_on_preschool_teachers_and_everyone_else_on_teachers():
    def units(*forms):
        return pl.DataFrame({"school_form": list(forms)}, schema={"school_form": pl.String})

    assert views.default_certification_category(units("forskola")) == "preschool_teacher"
    assert views.default_certification_category(units("forskola", "central")) == "preschool_teacher"
    assert views.default_certification_category(units("forskola", "grundskola")) == "teacher"
    assert views.default_certification_category(units()) == "teacher"


def test_hidden_unit_figures_are_flagged_and_never_shown(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    assert not at.exception
    table = unit_table(at)
    assert [v.strip(FS) for v in table["share"]] == ["..", ".."]
    assert [v.strip(FS) for v in table["path_count"]] == ["..", ".."]
    assert table["path"].to_list() == ["..", ".."]  # the column the screen shows
    # org 4.3 / 7.8 = 55,1 %, hidden with S1 and E1 by the whole-table mask (module docstring)
    assert metric_values(at, "Andel behöriga lärare (heltidstjänster)")[0] == ".."
    assert metric_values(at, "Enheter med dolt värde (..)") == ["2"]


def test_the_drill_down_compares_the_unit_with_its_area_and_the_organisation(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2024"})
    at.selectbox(key="enhet").set_value("E1").run()
    assert not at.exception
    # E1 3.4 / 5.9 = 57,6 % and Norr (= E1) are hidden by the whole-table mask (module docstring)
    assert metric_values(at, "Andel behöriga lärare (heltidstjänster)")[1] == ".."
    page_text = texts(at)
    assert "Norr: .. · organisationen: " in page_text
    assert "mål 70,0\u00a0%" in page_text
    assert "Legitimation och behörighet" in page_text
    # licence status: all teachers 5.9 FTE shown; every part rests on fewer than 5 people
    licence = next(f.value for f in at.dataframe if "label" in f.value.columns)
    rows = licence.set_index("status")
    assert rows.loc["all", "fte"].strip(FS) == "5,9"  # all teachers
    # every part rests on fewer than 5 people
    parts = ["licensed_qualified", "licensed_only", "not_licensed"]
    assert [rows.loc[p, "fte"].strip(FS) for p in parts] == ["..", "..", ".."]


def test_the_preschool_category_shows_the_licensed_preschool_teacher_share(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    at.segmented_control(key="kategori").set_value("preschool_teacher").run()
    assert not at.exception
    table = unit_table(at)
    assert list(table.index) == ["L1"]
    assert table.loc["L1", "share"] == f"42,7{NB}%"  # 2.8 / 6.55
    assert table.loc["L1", "gap_fte"] == "0,5"  # 0.5 × 6.55 − 2.8 = 0.475
    assert table.loc["L1", "target"] == f"50,0{NB}%"
    assert "välj personalkategorin Lärare (skolor)" in texts(at)


def test_segregation_without_a_visible_school_share_says_there_is_nothing_to_correlate(small_db):
    # Both schools' 2024 shares are hidden by the whole-table mask (module docstring): no school
    # has both a visible share and an index, so there is no correlation to show.
    at = run_page(small_db, PAGE, query_params={"ar": "2024"})
    page_text = texts(at)
    assert (
        "Inga skolor med både andel behöriga lärare och socioekonomiskt index för urvalet."
        in page_text
    )
    assert metric_values(at, "Korrelation (r)") == []


def test_the_area_filter_narrows_the_table(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2024", "omrade": "Söder"})
    assert not at.exception
    assert list(unit_table(at).index) == ["S1"]
