"""Prognos: the fan per scope, the scenario sliders, 'what it takes', the backtest, roles and '..'.

Two databases: the hand-built small fixture, whose Söderskolan has four teachers at the
start month (2025-12: the page must show '..' and no number), and a 600-person demo
(four years of snapshots) with visible figures.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.app_support import run_page, texts

PAGE = "views/prognos.py"


def build_prognos_db(target: Path) -> Path:
    """A 600-person demo with four years of monthly snapshots (about 20 s)."""
    os.environ.setdefault("KOMPETENS_PSEUDONYM_KEY", "test-key-not-secret")
    from kompetens.demo.build import build_demo

    build_demo(target, employees=600, years=4, seed=42)
    return target


@pytest.fixture(scope="module")
def prognos_db(tmp_path_factory) -> Path:
    return build_prognos_db(tmp_path_factory.mktemp("prognos") / "demo600.duckdb")


def fans(at) -> list[dict]:
    """The Plotly specs of the page's charts."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def median_of(spec: dict) -> list[float]:
    trace = next(t for t in spec["data"] if t.get("name") == "Prognos (median)")
    return trace["y"]


def test_the_page_shows_the_organisations_fan_what_it_takes_and_the_backtest(prognos_db):
    at = run_page(prognos_db, PAGE)
    assert not at.exception
    shown = texts(at)
    assert "Prognos" in [t.value for t in at.title]
    # One fan per share of the organisation, with the band, the median and the target.
    specs = fans(at)
    assert len(specs) == 2
    names = {t.get("name") for t in specs[0]["data"]}
    assert {"80 % av utfallen", "Prognos (median)", "Mål"} <= names
    assert len(median_of(specs[0])) == 6  # the start year and five years ahead
    assert "Med nuvarande takt:" in shown
    # Swedish percent on the axis and in the sentence: '70 %' with a space, a decimal comma.
    assert all(" %" in t or "\u00a0%" in t for t in specs[0]["layout"]["yaxis"]["ticktext"])
    # The areas' sentences of "what it takes".
    assert re.search(r"(För att varje enhet i|Alla enheter i) Område", shown), shown
    assert any("Behövs per år" in frame.value.columns for frame in at.dataframe)
    labels = [m.label for m in at.metric]
    assert labels == [
        "Organisationen, medelfel (procentenheter)",
        "Områden, medelfel (procentenheter)",
        "Enheter, medelfel (procentenheter)",
        "Utfall inom 80 %-bandet",
    ]
    assert "," in at.metric[0].value and "." not in at.metric[0].value  # e.g. '2,7'
    assert at.metric[3].value.endswith("\u00a0%")
    assert re.search(
        r"Utfall inom 80 %-bandet: organisationen \d+\u00a0%, områdena \d+\u00a0%, "
        r"enheterna \d+\u00a0%\.",
        shown,
    ), shown


def test_a_slider_changes_the_fan_and_draws_the_observed_pace_beside_it(prognos_db):
    at = run_page(prognos_db, PAGE)
    before = median_of(fans(at)[0])
    at.toggle(key="prognos_egen_andel").set_value(True).run()
    at.slider(key="prognos_behoriga_nyanstallda").set_value(100).run()
    assert not at.exception
    after_specs = fans(at)
    after = median_of(after_specs[0])
    assert after[0] == pytest.approx(before[0])  # the start does not move
    assert after[-1] > before[-1]  # every hire certified: a higher share in five years
    assert "Nuvarande takt" in {t.get("name") for t in after_specs[0]["data"]}
    assert "Med scenariot:" in texts(at)


def test_an_area_manager_chooses_among_their_own_areas_and_units_only(prognos_db):
    at = run_page(prognos_db)
    at.session_state["demo_roll"] = "area_manager"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    options = at.selectbox(key="prognos_scope").options
    assert "Hela organisationen" not in options
    areas = [o for o in options if "(" not in o]
    assert len(areas) == 1  # their one area; the rest are its units
    assert all(areas[0] in o for o in options if "(" in o)


def test_a_principal_does_not_get_the_page(prognos_db):
    at = run_page(prognos_db)
    at.session_state["demo_roll"] = "principal"
    at.run()
    at.switch_page(PAGE).run()
    assert "Prognos" not in [t.value for t in at.title]


def test_a_unit_with_fewer_than_five_teachers_shows_two_dots_and_never_a_number(small_db):
    # Söderskolan (S1) has four teachers in 2025-12 (P10, P20, P21, P22): primary suppression.
    at = run_page(small_db, PAGE)
    at.selectbox(key="prognos_scope").set_value("unit:S1").run()
    assert not at.exception
    shown = texts(at)
    assert "Andel behöriga lärare (heltidstjänster): färre än 5 personer" in shown
    assert "prognosen visas inte (..)" in shown
    assert fans(at) == []
    assert "Med nuvarande takt" not in shown
    # Its area Söder has no other unit: the same four teachers, hidden too.
    at.selectbox(key="prognos_scope").set_value("area:Söder").run()
    assert fans(at) == []
    assert "prognosen visas inte (..)" in texts(at)


def test_a_scenario_saved_on_the_page_reopens_from_its_link_beside_the_observed_pace(
    prognos_db, tmp_path
):
    import shutil

    from kompetens.access import audit
    from kompetens.core import store

    db = tmp_path / "saving.duckdb"
    shutil.copy(prognos_db, db)
    at = run_page(db, PAGE)
    at.toggle(key="prognos_egen_andel").set_value(True).run()
    at.slider(key="prognos_behoriga_nyanstallda").set_value(100).run()
    at.select_slider(key="prognos_omsattning").set_value(-2.0).run()
    scenario_median = median_of(fans(at)[0])
    # Side by side with the observed pace: one row per year, the scenario above it by 2031.
    compared = next(f.value for f in at.dataframe if "Skillnad (procentenheter)" in f.value.columns)
    assert len(compared) == 6
    assert compared["Skillnad (procentenheter)"].iloc[0] == "0,0"  # the start is observed
    assert compared["Skillnad (procentenheter)"].iloc[-1].startswith("+")
    at.text_input(key="prognos_scenario_name").input("Alla behöriga, lägre omsättning")
    next(b for b in at.button if b.label == "Spara scenario").click().run()
    assert not at.exception
    # (names are escaped for Markdown: read the text without its backslashes)
    assert "Scenariot Alla behöriga, lägre omsättning är sparat." in texts(at).replace("\\", "")
    with store.connect(db, read_only=True) as conn:
        saved = audit.list_events(conn, action=audit.PROJECTION_SCENARIO_SAVED)
    assert saved["target"].to_list() == ["Alla behöriga, lägre omsättning"]
    assert '"certified_hire_share": 1.0' in saved["details"][0]
    assert '"turnover_delta": -0.02' in saved["details"][0]

    # A new session opened on the link: the sliders take the saved levers, the fan is the same.
    reopened = run_page(
        db, PAGE, query_params={"prognos_scenario": "Alla behöriga, lägre omsättning"}
    )
    assert not reopened.exception
    assert reopened.toggle(key="prognos_egen_andel").value is True
    assert reopened.slider(key="prognos_behoriga_nyanstallda").value == 100
    assert reopened.select_slider(key="prognos_omsattning").value == -2.0
    assert median_of(fans(reopened)[0]) == pytest.approx(scenario_median)
    assert "prognos?prognos_scenario=Alla%20beh%C3%B6riga%2C%20l%C3%A4gre%20oms%C3%A4ttning" in [
        c.value for c in reopened.code
    ]


def test_a_link_to_a_scenario_that_does_not_exist_says_so_and_shows_the_observed_pace(
    prognos_db,
):
    at = run_page(prognos_db, PAGE, query_params={"prognos_scenario": "Finns inte"})
    assert not at.exception
    assert "Scenariot Finns inte finns inte" in texts(at)
    assert "Med nuvarande takt:" in texts(at)
