"""Stödbehov on the small fixture: hand-computed scores, flagged units, and weights that change them.

Reference month 2025-12: in grundskola only turnover and sick leave have recent
unit values (the 2025 certified shares are hidden). E1 turnover percentile 100,
S1 0; sick leave both 50 (equal). Weights 15 % / 15 % -> E1 = 0.5 × 100 + 0.5 × 50
= 75, S1 = 0 + 25 = 25; L1 is alone in its form: every percentile 50 -> 50.
"""

from __future__ import annotations

from tests.app_support import run_page, texts

PAGE = "views/stodbehov.py"


def table_with(at, *columns: str):
    """The first table on the page with all of these columns (AppTest keeps no keys on dataframes)."""
    for frame in at.dataframe:
        if all(c in frame.value.columns for c in columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns}")


def scores(at) -> dict[str, float]:
    """The scores as numbers, read back from their Swedish texts (``75,0``, figure-space padded)."""
    frame = table_with(at, "rank", "score")
    for text in frame["score"]:
        assert "." not in text, text  # a decimal comma, never a point
    values = [float(t.strip("\u2007").replace(",", ".")) for t in frame["score"]]
    return dict(zip(frame["unit_id"], values, strict=True))


def test_units_are_ranked_by_their_hand_computed_scores(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    assert not at.exception
    ranking = table_with(at, "rank", "score")
    assert ranking["unit_id"].tolist() == ["E1", "L1", "S1"]
    assert ranking["rank"].tolist() == [1, 2, 3]
    assert scores(at) == {"E1": 75.0, "L1": 50.0, "S1": 25.0}
    assert ranking["score"].tolist() == ["75,0", "50,0", "25,0"]
    assert "Alla enheter i urvalet har färska uppgifter" in texts(at)


def test_setting_the_turnover_weight_to_zero_changes_the_scores_and_the_ranking(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    at.slider(key="vikt_turnover_rate").set_value(0).run()
    assert not at.exception
    # Only sick leave is left for the schools: both at percentile 50.
    assert scores(at) == {"E1": 50.0, "L1": 50.0, "S1": 50.0}
    assert table_with(at, "rank", "score")["rank"].tolist() == [1, 1, 1]
    assert "Egna vikter används" in texts(at)


def test_the_reset_button_brings_back_the_default_weights(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    at.slider(key="vikt_sick_leave_rate").set_value(0).run()
    assert scores(at)["E1"] == 100.0  # turnover alone: E1 at percentile 100
    at.button(key="reset_weights").click().run()
    assert not at.exception
    assert at.slider(key="vikt_sick_leave_rate").value == 15  # percent
    assert scores(at) == {"E1": 75.0, "L1": 50.0, "S1": 25.0}


def test_units_without_recent_data_are_listed_separately_with_what_is_missing(small_db):
    # Reference month 2024-12: E1 lacks a visible fixed-term share, S1 lacks survey values.
    at = run_page(small_db, PAGE, query_params={"ar": "2024"})
    assert not at.exception
    assert "De som inte ber om stöd – enheter utan färska data" in texts(at)
    flagged = table_with(at, "missing")
    missing = dict(zip(flagged["unit_id"], flagged["missing"], strict=True))
    assert missing["E1"] == "Andel visstidsanställda lärare"
    assert "Rekommenderar arbetsgivaren" in missing["S1"]
    assert table_with(at, "rank", "score")["unit_id"].tolist() == ["L1"]


def test_the_area_filter_keeps_only_the_area_s_units(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025", "omrade": "Norr"})
    assert not at.exception
    assert table_with(at, "rank", "score")["unit_id"].tolist() == ["E1", "L1"]
