"""Every indicator of the registry has a home: a page that shows it (besides the catalogue) or the export.

The map is ``kompetens.ui.homes.INDICATOR_HOMES``. The ARUBA and Indikatorer pages draw
what it says; for the other pages the map is checked against what each page declares
(its own indicator lists or the query functions it calls), so it cannot drift into decoration.
"""

from __future__ import annotations

import re

import pytest

from kompetens import query
from kompetens.core import paths, store
from kompetens.indicators import registry
from kompetens.query.export import figures_frame
from kompetens.ui import homes
from kompetens.ui.catalogue import catalogue_frame

ROOT = paths.PROJECT_ROOT
PAGES_SHOWING_FIGURES = {
    homes.OVERSIKT,
    homes.BEHORIGHET,
    homes.ARUBA,
    homes.STODBEHOV,
    homes.DIALOG,
}


def ids_on(page: str) -> set[str]:
    return {ind.id for ind in homes.indicators_on(page)}


def source(page: str) -> str:
    return (ROOT / homes.PAGE_FILES[page]).read_text(encoding="utf-8")


def source_with_parts(page: str) -> str:
    """The page's source and that of the page parts it imports by name from ``kompetens.ui``
    (e.g. Behörighet's unit detail lives in ``ui/unit_detail.py``)."""
    text = source(page)
    parts: set[str] = set()
    for line in re.findall(r"^from kompetens\.ui import ([\w, ]+)$", text, flags=re.M):
        parts |= {name.strip() for name in line.split(",")}
    for name in sorted(parts):
        file = ROOT / "kompetens" / "ui" / f"{name}.py"
        if file.exists():
            text += "\n" + file.read_text(encoding="utf-8")
    return text


def test_every_registry_indicator_has_a_home_and_nothing_else_does():
    assert set(homes.INDICATOR_HOMES) == set(registry.REGISTRY)


@pytest.mark.parametrize("indicator_id", list(registry.REGISTRY))
def test_every_indicator_is_shown_on_a_page_besides_the_catalogue(indicator_id):
    pages = homes.INDICATOR_HOMES[indicator_id]
    assert homes.INDIKATORER in pages
    assert set(pages) & PAGES_SHOWING_FIGURES, f"{indicator_id} is only in the catalogue"


def test_every_page_named_in_the_map_is_registered_in_the_app_under_that_title():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    named = {p for pages in homes.INDICATOR_HOMES.values() for p in pages} - {homes.EXPORT}
    for page in named:
        file = homes.PAGE_FILES[page]
        assert (ROOT / file).exists()
        # st.Page("pages/x.py", title="…", …) or a wrapper with the same arguments
        assert re.search(rf'"{re.escape(file)}",[^)]*?title="{page}"', app), page


@pytest.mark.parametrize("phase", homes.ARUBA_PHASES)
def test_the_aruba_page_shows_every_indicator_of_each_phase(phase):
    expected = [ind.id for ind in registry.REGISTRY.values() if ind.phase == phase]
    assert [ind.id for ind in homes.indicators_on(homes.ARUBA, phase)] == expected
    assert "homes.indicators_on(homes.ARUBA, phase)" in source(homes.ARUBA)


def test_the_catalogue_lists_every_indicator_with_its_homes():
    frame = catalogue_frame()
    assert ids_on(homes.INDIKATORER) == set(registry.REGISTRY)
    pages = dict(zip(frame["indicator_id"], frame["pages"], strict=True))
    for indicator_id, homes_of in homes.INDICATOR_HOMES.items():
        assert pages[indicator_id] == ", ".join(homes_of)


def test_the_overview_map_matches_the_overview_headline_cards_and_support_list():
    from kompetens.ui import competence_views

    assert ids_on(homes.OVERSIKT) == set(competence_views.HEADLINE_INDICATORS) | {
        "support_need_index"
    }
    assert "query.support_need(" in source(homes.OVERSIKT)


def test_the_dialogue_map_matches_the_dialogue_key_indicators():
    dialogue_view = pytest.importorskip("kompetens.ui.dialogue_view")
    assert ids_on(homes.DIALOG) == set(dialogue_view.KEY_INDICATORS)


def test_the_certification_map_matches_what_the_behorighet_page_reads():
    text = source_with_parts(homes.BEHORIGHET)
    shown = {i for i in registry.REGISTRY if f'"{i}"' in text}
    if "query.CERTIFICATION_SHARES" in text:
        shown |= set(query.CERTIFICATION_SHARES.values())
    if "query.segregation(" in text:
        shown.add("pedagogical_segregation")
    assert ids_on(homes.BEHORIGHET) <= shown


def test_the_support_need_page_shows_the_support_need_index():
    assert ids_on(homes.STODBEHOV) == {"support_need_index"}
    # the index is read in the page's weighted part (ui/support_need_view.py, a fragment)
    assert "query.support_need(" in source_with_parts(homes.STODBEHOV)


def test_the_export_carries_every_indicator_the_engine_computes(small_db):
    conn = store.connect(small_db)
    try:
        exported = set(figures_frame(conn)["indicator_id"].unique().to_list())
    finally:
        conn.close()
    # The small fixture has no teaching assignments or certification paths (optional kinds); with
    # them, their figures are exported too (tests/test_subjects_end_to_end.py,
    # tests/test_certification_paths_end_to_end.py).
    optional = {
        i
        for i, ind in registry.REGISTRY.items()
        if {"teaching_assignment", "certification_path"} & set(ind.sources)
    }
    assert (
        exported
        == {i for i, pages in homes.INDICATOR_HOMES.items() if homes.EXPORT in pages} - optional
    )
