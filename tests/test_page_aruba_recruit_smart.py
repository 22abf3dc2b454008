"""ARUBA › Avveckla › Rekrytera smart on hand-written key figures (``tests/test_recruit_smart.py``):
lost qualified teaching hours beside hires per subject, for the 12 months to March 2026."""

from __future__ import annotations

import json

import pytest

from kompetens.ui import aruba_view as view
from tests.app_support import run_page, texts
from tests.test_recruit_smart import smart_db

PAGE = "views/aruba.py"


@pytest.fixture(scope="module")
def tab(tmp_path_factory):
    db = tmp_path_factory.mktemp("smart_page") / "smart.duckdb"
    smart_db(db)
    at = run_page(db, PAGE, query_params={"ar": "2026"})
    at.button_group(key="fas").set_value("avveckla").run()
    at.session_state["flik_avveckla"] = view.RECRUIT_SMART_TAB
    at.run()
    return at


def test_the_tab_is_offered_on_avveckla_only():
    assert view.RECRUIT_SMART_TAB in view.tab_labels("avveckla", [])
    assert view.RECRUIT_SMART_TAB not in view.tab_labels("rekrytera", [])


def test_avveckla_shows_lost_qualified_hours_beside_hires_per_subject(tab):
    assert not tab.exception
    text = texts(tab)
    assert "### Förlorade behöriga timmar och rekryteringar per ämne" in text
    assert "De senaste 12 månaderna (april 2025 – mars 2026), hela organisationen." in text
    # MA: 1 certified hire for 36 / 18 = 2 lost posts; FY: none for 0.5
    assert "**Matematik och Fysik**" in text
    (table,) = [d.value for d in tab.dataframe if "Ämne" in d.value.columns]
    assert table["Ämne"].to_list() == [
        "Matematik",
        "Engelska",
        "Fysik",
        "Samhällsorienterande ämnen",
        "Svenska som andraspråk",
    ]
    ma = table.iloc[0].to_list()
    assert ma == ["Matematik", "36,0", "2,0", "5", "1", "\u22121,0"]
    assert table.iloc[4].to_list() == ["Svenska som andraspråk", "..", "..", "0", "0", ".."]


def test_the_chart_draws_lost_posts_and_hires_and_hides_what_rests_on_few(tab):
    (chart,) = [json.loads(c.proto.spec) for c in tab.get("plotly_chart")]
    bars = {
        trace["name"]: dict(zip(trace["y"], trace["x"], strict=True)) for trace in chart["data"]
    }
    assert bars["Förlorat: behöriga tjänster"]["Matematik"] == 2.0
    assert bars["Anställda med behörighet"]["Engelska"] == 6.0
    assert bars["Tillsatta tjänster, alla"]["Samhällsorienterande ämnen"] == 7.0
    assert bars["Förlorat: behöriga tjänster"]["Svenska som andraspråk"] is None  # hidden: no bar
    assert [a["text"] for a in chart["layout"]["annotations"]] == [".."]


def test_the_table_can_be_downloaded_as_csv_and_excel(tab):
    labels = [b.label for b in tab.get("download_button")]
    assert labels == ["Ladda ner CSV", "Ladda ner Excel"]
