"""Översikt on the small fixture: headline cards, trends and the support-need list show hand-computed figures.

Figures (see tests/test_indicators_fixture.py): certified teacher share org 2025
= 4.3 / 7.8 = 55,1 % (2024: 5.3 / 9.8 = 54,1 %) — but the whole-table suppression
mask (docs/suppression.md) hides it at every level in both years: Söder is one
unit, S1, whose 2025 share rests on 4 teachers (primary), so Söder, E1 and Norr
(= E1) are hidden with it and the organisation row secondarily, as the stored
``key_figure_suppression`` says. Licensed preschool teacher share org 2025 = 2.8 / 6.55 = 42,7 % (2024: 1.8 / 5.55
= 32,4 %); employer recommendation 2025 = 77.2 / 20 = 3,86; turnover 2025 = 1 / 18.25 = 5,5 %.
"""

from __future__ import annotations

import re

from tests.app_support import run_page, texts

PAGE = "views/oversikt.py"


def table_with(at, *columns: str):
    """The first table on the page with all of these columns (AppTest keeps no keys on dataframes)."""
    for frame in at.dataframe:
        if all(c in frame.value.columns for c in columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns}")


def metric(at, label_start: str):
    hits = [m for m in at.metric if str(m.label).startswith(label_start)]
    assert hits, f"no metric starting with {label_start!r}"
    return hits[0]


def test_the_organisation_cards_show_the_hand_computed_2025_figures_and_changes(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    assert not at.exception
    certified = metric(at, "Andel behöriga lärare")
    # 4.3 / 7.8 = 55,1 %, hidden by the whole-table mask (module docstring): no value, no change
    assert certified.value == ".."
    assert certified.delta == ""
    preschool = metric(at, "Andel heltidstjänster med förskollärarlegitimation")
    assert preschool.value == "42,7\u00a0%"
    assert preschool.delta == "+10,3\u00a0procentenheter"
    recommendation = metric(at, "Kan rekommendera arbetsgivaren")
    assert recommendation.value == "3,86"  # 77.2 / 20
    assert recommendation.delta == "+0,28"  # 2024: 68.1 / 19 = 3.584; 3.860 - 3.584 = 0.276
    # Turnover 2025 is 1 exit / 18.25 = 5.5 %, but one exit beside its exit reason tells who left
    # and why: the coordinated suppression hides it (docs/suppression.md, test_page_aruba).
    assert metric(at, "Personalomsättning").value == ".."
    page_text = texts(at)
    assert "mål 75,0\u00a0%" in page_text  # the organisation's 2025 target for certified teachers
    assert "Långt från målet" in page_text
    assert "2025, ändring mot 2024" in page_text  # what the deltas compare with


def test_a_figure_on_fewer_than_five_people_is_shown_as_two_dots(small_db):
    # 2025 requisitions: 3 decided (R4 unfilled, R5, R7 filled) -> rests on 3, suppressed
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    assert metric(at, "Andel ej tillsatta tjänster").value == ".."


def test_choosing_an_area_shows_the_area_cards(small_db):
    # Söder 2025 = S1 only, 4 teachers: hidden; Norr's preschool share = L1 = 42,7 %
    at = run_page(small_db, PAGE, query_params={"ar": "2025", "omrade": "Söder"})
    assert not at.exception
    assert metric(at, "Andel behöriga lärare").value == ".."
    assert "Söder · 2025" in texts(at)
    at = run_page(small_db, PAGE, query_params={"ar": "2024", "omrade": "Norr"})
    # Norr 2024 = E1 3.4 / 5.9 = 57,6 %, hidden by the whole-table mask with S1 (module docstring)
    assert metric(at, "Andel behöriga lärare").value == ".."
    # Norr's preschool share 2024 = L1 = 1.8 / 5.55 = 32,4 %, visible: the area's own card
    assert metric(at, "Andel heltidstjänster med förskollärarlegitimation").value == "32,4\u00a0%"
    assert "Norr · 2024" in texts(at)


def test_the_year_filter_picks_the_cards_of_an_earlier_year(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2024"})
    # 5.3 / 9.8 = 54,1 %, hidden by the whole-table mask (module docstring)
    assert metric(at, "Andel behöriga lärare").value == ".."
    # the 2024 cards: licensed preschool teachers 1.8 / 5.55 = 32,4 %, recommendation 68.1 / 19 = 3,58
    assert metric(at, "Andel heltidstjänster med förskollärarlegitimation").value == "32,4\u00a0%"
    assert metric(at, "Kan rekommendera arbetsgivaren").value == "3,58"


def test_the_support_list_ranks_the_units_with_visible_data_by_hand_computed_score(small_db):
    # Reference month 2025-12. S1's certified share (4 teachers) is hidden, so S1 lacks a
    # component and is flagged, not ranked. E1 is then the only school with a visible value on
    # every component but sick leave, where it ties S1 (5 % each: average rank 1.5, percentile
    # 100 x (1.5 - 1) / (2 - 1) = 50); turnover is hidden for both schools and no longer applies.
    # L1 is alone in its form (percentile 50 everywhere). So E1 and L1 both score 50, rank 1.
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    top = table_with(at, "rank", "score")
    assert top["unit_id"].tolist() == ["E1", "L1"]
    assert top["score"].tolist() == ["50", "50"]  # whole numbers on Översikt, as text
    assert "saknar färska data och rangordnas inte" in texts(at)  # S1, listed apart


def test_switching_to_monthly_values_and_a_yearly_only_indicator_says_so(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    at.segmented_control(key="upplosning").set_value("month").run()
    assert not at.exception
    at.selectbox(key="matt").set_value("employer_recommendation").run()
    assert not at.exception
    assert "Kan rekommendera arbetsgivaren finns bara som årsvärde." in texts(at)


def test_figures_left_by_an_older_version_are_recomputed_when_the_app_starts(tmp_path):
    from kompetens.core import store
    from kompetens.indicators.engine import CODE_VERSION_KEY, is_stale
    from tests.app_support import build_small_db

    db = build_small_db(tmp_path / "older.duckdb")
    conn = store.connect(db)
    conn.execute(  # what an older definition might have stored, under another code fingerprint
        "UPDATE key_figures SET value = 0.123 WHERE indicator_id = 'licensed_preschool_teacher_share'"
    )
    conn.execute("UPDATE meta SET value = 'older-code' WHERE key = ?", [CODE_VERSION_KEY])
    conn.close()
    at = run_page(db, PAGE, query_params={"ar": "2025"})
    assert not at.exception
    # the card shows this code's figure, 2.8 / 6.55 = 42,7 %, not the 12,3 % left behind
    # (the certified teacher share would show '..' either way: the whole-table mask hides it)
    assert metric(at, "Andel heltidstjänster med förskollärarlegitimation").value == "42,7\u00a0%"
    conn = store.connect(db)
    try:
        assert not is_stale(conn)
    finally:
        conn.close()


def test_the_turnover_trend_has_distinct_swedish_tick_labels_yearly_and_monthly(small_db):
    import json

    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    at.selectbox(key="matt").set_value("turnover_rate").run()
    checked = []
    for resolution in ("year", "month"):
        at.button_group(key="upplosning").set_value(resolution).run()
        assert not at.exception
        for chart in at.get("plotly_chart"):
            layout = json.loads(chart.proto.spec)["layout"]
            for axis in [k for k in layout if k.startswith("yaxis")]:
                ticks = layout[axis].get("ticktext")
                if not ticks:
                    continue
                # Turnover 2024 1 / 18.5 = 5.4 %, 2025 1 / 18.25 = 5.5 %: whole percent would
                # repeat "5%"; the step's decimals keep every label apart, with a space.
                assert len(set(ticks)) == len(ticks), (resolution, axis, ticks)
                assert all(t.endswith("\u00a0%") and "." not in t for t in ticks), ticks
                checked.append((resolution, axis))
    assert {r for r, _ in checked} == {"year", "month"}  # the trends were drawn and checked


def test_the_card_headings_dots_follow_the_theme_for_the_current_state_and_keep_phase_colours(
    small_db,
):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    dots = {
        m.value.split("<b>")[1].split("</b>")[0]: m.value for m in at.markdown if "●" in m.value
    }
    # Black (the current state's colour) vanishes on the dark theme: the text colour is used.
    assert "color:currentColor" in dots["Skolor"]
    assert "color:currentColor" in dots["Förskolor"]
    assert "color:#E69F00" in dots["Attrahera"]  # the phase keeps its Okabe-Ito colour


def test_each_area_panel_is_titled_with_its_latest_value_and_year(small_db):
    import json

    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    panels = next(c for c in charts if len(c["layout"].get("annotations", [])) >= 2)
    titles = [a["text"] for a in panels["layout"]["annotations"]]
    # The first headline indicator (certified teacher share): every area's title ends with
    # its latest shown value and the year it belongs to.
    assert all(re.search(r": (\d+,\d\u00a0%|\.\.) \(2025\)$", t) for t in titles), titles
