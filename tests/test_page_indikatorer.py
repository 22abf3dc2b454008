"""The Indikatorer page: the catalogue generated from the registry, searchable and downloadable."""

from __future__ import annotations

import io

import polars as pl

from kompetens.indicators import registry
from kompetens.present import exports
from kompetens.ui import catalogue
from tests.app_support import run_page, texts

PAGE = "views/indikatorer.py"


def test_the_catalogue_has_one_swedish_row_per_registry_indicator():
    frame = catalogue.catalogue_frame()
    assert frame["indicator_id"].to_list() == list(registry.REGISTRY)
    row = frame.filter(pl.col("indicator_id") == "certified_teacher_share").row(0, named=True)
    assert row["phase"] == "Nuläge"
    assert row["unit"] == "andel (procent)"
    assert row["direction"] == "Högre är bättre"
    assert row["sources"] == "Personal (ögonblicksbilder), Enheter"
    assert row["kolada_id"] == "N15814"
    assert row["default_target"] == "100,0\u00a0%"
    assert row["breakdowns"] == "skolform"
    turnover = frame.filter(pl.col("indicator_id") == "turnover_rate").row(0, named=True)
    assert turnover["direction"] == "Lägre är bättre"
    assert turnover["phase"] == "Behålla"
    assert turnover["default_target"] == "–"


def test_the_employer_recommendation_target_is_described_as_baseline_plus_two_tenths():
    ind = registry.get("employer_recommendation")
    assert catalogue.default_target_text(ind) == (
        "Utgångsläget (första mätåret) + 0,1 året efter och + 0,2 från två år efter"
    )


def test_search_matches_every_word_case_insensitively_in_names_ids_and_kolada():
    frame = catalogue.catalogue_frame()
    assert catalogue.search_catalogue(frame, "n00216")["indicator_id"].to_list() == [
        "turnover_rate_cohort"
    ]
    assert catalogue.search_catalogue(frame, "SJUKFRÅNVARO")["indicator_id"].to_list() == [
        "sick_leave_rate",
        "long_sick_leave_share",
        "support_need_index",  # its description names sick leave as a component
    ]
    assert catalogue.search_catalogue(frame, "  ").height == frame.height
    assert catalogue.search_catalogue(frame, "omsättning zzz").height == 0


def test_the_catalogue_download_has_swedish_headings_and_every_indicator():
    data = exports.to_csv_bytes(catalogue.catalogue_frame(), labels=catalogue.CATALOGUE_LABELS)
    table = pl.read_csv(io.BytesIO(data[3:]), separator=";")
    assert table.columns[:4] == ["Fas", "Namn", "Beskrivning", "Formel (definition)"]
    assert "Kolada" in table.columns and "Standardmål" in table.columns
    assert table.height == len(registry.REGISTRY)


def test_the_page_lists_every_indicator_grouped_by_phase_with_downloads(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    assert not at.exception
    shown = texts(at)
    assert f"{len(registry.REGISTRY)} av {len(registry.REGISTRY)} indikatorer" in shown
    labels = [e.label for e in at.expander]
    for ind in registry.REGISTRY.values():
        assert f"{ind.name_sv} – formel och detaljer" in labels
    for phase_sv in ("Nuläge", "Attrahera", "Rekrytera", "Utveckla", "Behålla", "Avveckla"):
        assert f">{phase_sv}</h2>" in shown  # phase headings are h2 under the page's h1
    assert "- **Kolada:** N00090" in shown  # sick leave
    assert [b.label for b in at.download_button] == ["Ladda ner CSV", "Ladda ner Excel"]


def test_searching_narrows_the_page_to_the_matching_indicators(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025", "sok": "N00216"})
    assert not at.exception
    assert "1 av " in texts(at)
    assert [e.label for e in at.expander] == [
        f"{registry.get('turnover_rate_cohort').name_sv} – formel och detaljer"
    ]
    at.text_input(key="sok").set_value("pension").run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert f"{registry.get('retirements').name_sv} – formel och detaljer" in labels
    assert f"{registry.get('certified_teacher_share').name_sv} – formel och detaljer" not in labels


def test_a_search_without_hits_explains_what_to_search_for(small_db):
    at = run_page(small_db, PAGE, query_params={"sok": "finnsinte"})
    assert not at.exception
    assert "Ingen indikator matchar ”finnsinte”." in texts(at)


def test_the_catalogue_sections_are_the_phases_in_the_model_s_order_with_swedish_names():
    assert catalogue.phases() == [
        ("current_state", "Nuläge"),
        ("attrahera", "Attrahera"),
        ("rekrytera", "Rekrytera"),
        ("utveckla", "Utveckla"),
        ("behalla", "Behålla"),
        ("avveckla", "Avveckla"),
        ("support_need", "Stödbehov"),
    ]


def test_the_phase_tables_are_static_tables_read_whole_without_sideways_scrolling(small_db):
    # st.table wraps every cell; the interactive grid cut names and source files off.
    at = run_page(small_db, PAGE)
    assert not at.exception
    assert len(at.get("dataframe")) == 0
    tables = at.get("table")
    # One per phase with indicators (current state, the five ARUBA phases, support need).
    assert len(tables) == len(
        [p for p, _ in catalogue.phases() if p in {i.phase for i in registry.REGISTRY.values()}]
    )
    assert sum(t.value.shape[0] for t in tables) == len(registry.REGISTRY)
    assert list(tables[0].value.columns) == [
        "Namn", "Enhet", "Riktning", "Källfiler", "Kolada", "Standardmål"
    ]  # fmt: skip


def test_the_current_states_heading_bar_follows_the_theme_instead_of_black(small_db):
    at = run_page(small_db, PAGE)
    headings = [m.value for m in at.markdown if "<h2" in m.value]
    assert any("currentColor" in h and "Nuläge" in h for h in headings)
    assert not any("#000000" in h for h in headings)  # black vanishes on the dark theme
