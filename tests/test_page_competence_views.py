"""The view helpers behind Översikt, Behörighet and Stödbehov (``kompetens.ui.competence_views``),
on small hand-made frames: what the pages used to compute themselves."""

from __future__ import annotations

import polars as pl

from kompetens.present.charts import PHASE_COLOURS
from kompetens.ui import competence_views as views

NBSP = "\u00a0"


def compare_row(**overrides) -> dict:
    row = {
        "indicator_id": "certified_teacher_share",
        "area": "Norr",
        "unit_value": 3.4 / 5.9,
        "unit_suppressed": False,
        "area_value": 3.4 / 5.9,
        "area_suppressed": False,
        "org_value": 5.3 / 9.8,
        "target": 0.7,
        "rank_in_area": 1,
        "units_in_area": 1,
        "change": -0.02,
    }
    return row | overrides


def test_a_unit_card_compares_with_area_organisation_target_and_last_year():
    # E1 2024: 3.4 / 5.9 = 57,6 %; organisation 5.3 / 9.8 = 54,1 %; a fall of 2 points is red.
    (card,) = views.unit_cards(pl.DataFrame([compare_row()]), "2024")
    assert card["name"] == "Andel behöriga lärare (heltidstjänster)"
    assert card["value"] == f"57,6{NBSP}%"
    assert card["delta"] == f"\u22122,0{NBSP}procentenheter"
    assert (card["delta_colour"], card["delta_arrow"]) == ("red", "down")
    assert card["caption"] == (
        f"Norr: 57,6{NBSP}% · organisationen: 54,1{NBSP}% · mål 70,0{NBSP}% · "
        "plats 1 av 1 i området · ändring mot 2023"
    )


def test_a_hidden_unit_value_shows_two_dots_and_no_change():
    hidden = compare_row(unit_value=None, unit_suppressed=True, area_suppressed=True, target=None)
    (card,) = views.unit_cards(pl.DataFrame([hidden]), "2025")
    assert card["value"] == ".."
    assert card["delta"] is None and card["delta_colour"] == "off"
    assert card["caption"] == f"Norr: .. · organisationen: 54,1{NBSP}% · plats 1 av 1 i området"


def test_the_unit_table_names_school_forms_and_statuses_in_words():
    table = pl.DataFrame(
        {
            "school_form": ["grundskola", "central", "forskola"],
            "status": ["green", "red", None],
        }
    )
    shown = views.certification_table(table)
    assert shown["school_form"].to_list() == ["Grundskola", "Central verksamhet", "Förskola"]
    # A sign before the words: the status never rests on colour alone.
    signs, words = zip(*(s.split(" ", 1) for s in shown["status"]), strict=True)
    assert words == ("Når målet", "Långt från målet", "Inget mål")
    assert len(set(signs)) == 3 and all(len(sign) == 1 for sign in signs)


def test_hidden_points_of_a_trend_are_named_by_series_and_period():
    trend = pl.DataFrame(
        {
            "series": ["Ekskolan", "Ekskolan", "Norr", "Organisationen"],
            "period": ["2024", "2025", "2025", "2025"],
            "suppressed": [False, True, True, False],
        }
    )
    assert views.hidden_points(trend) == "Ekskolan 2025, Norr 2025"
    assert views.hidden_periods(trend) == ["2025"]
    assert views.hidden_points(trend.filter(~pl.col("suppressed"))) is None


def test_a_trend_view_says_when_monthly_values_are_rolling_or_missing():
    turnover = views.trend_view("turnover_rate", "month")
    assert turnover.period_type == "rolling_12m"
    assert turnover.colour == PHASE_COLOURS["behalla"]
    assert (
        turnover.note == "Månadsvärdena är rullande tolv månader (flöden räknas över ett helt år)."
    )
    survey = views.trend_view("employer_recommendation", "month")
    assert survey.period_type == "year"
    assert survey.note == f"{survey.name} finns bara som årsvärde."
    assert views.trend_view("sick_leave_rate", "year").note is None


def test_the_weights_reset_to_the_default_percentages_under_their_slider_keys():
    state = views.default_weight_state()
    assert set(state) == set(views.WEIGHT_KEYS.values())
    # DEFAULT_WEIGHTS: 0.25 + 0.10 + 0.15 + 0.15 + 0.10 + 0.05 + 0.10 + 0.10 = 1.00
    assert state["vikt_certified_share"] == 25 and state["vikt_sick_leave_rate"] == 15
    assert sum(state.values()) == 100


def test_the_support_download_keeps_ranked_units_best_first_with_a_heading_per_component():
    index = pl.DataFrame(
        {
            "rank": [2, None, 1],
            "unit_id": ["S1", "L1", "E1"],
            "school_form": ["grundskola", "forskola", "central"],
            "has_recent_data": [True, False, True],
            "missing_components": [[], ["hme_index"], []],
        }
    )
    download = views.support_download(index)
    assert download["unit_id"].to_list() == ["E1", "S1"]
    assert download["school_form"].to_list() == ["Central verksamhet", "Grundskola"]
    assert "has_recent_data" not in views.support_download(index).columns
    labels = views.support_download_labels({"rank": "Rang"})
    assert labels["rank"] == "Rang"
    assert labels["contribution__turnover_rate"].startswith("Bidrag: ")
    assert len([k for k in labels if k.startswith("percentile__")]) == len(views.SUPPORT_COMPONENTS)


def test_the_overview_trend_follows_the_chosen_area_a_principals_unit_or_the_organisation():
    from kompetens.access.scope import Scope
    from kompetens.ui.competence_views import trend_scope

    assert trend_scope(Scope.everything(), "Norr") == ("area", "Norr")
    assert trend_scope(Scope.for_units(["E1"], ["Norr"]), None) == ("unit", "E1")
    assert trend_scope(Scope.for_areas("Norr"), None) == ("org", "org")
    assert trend_scope(Scope.everything(), None) == ("org", "org")
