"""Common themes in the app (AppTest, small fixture): tagging a dialogue, adding a theme, the
"Teman" section on Stödbehov as leadership and as an area manager.

The small fixture's units: E1 Ekskolan and L1 Lärkans förskola in Norr, S1 Söderskolan in Söder.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from kompetens import query
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.dialogue import themes as tagging
from kompetens.present.formatting import md_text
from tests.app_support import run_page, texts

DIALOG = "views/dialog.py"
STODBEHOV = "views/stodbehov.py"
SPECIAL, HEALTH = 2, 5  # "Rekrytering av speciallärare", "Elevhälsa"
DAY = dt.date(2025, 10, 6)


@pytest.fixture
def writable_db(small_db, tmp_path):
    target = tmp_path / "themes.duckdb"
    shutil.copy(small_db, target)
    query.clear_cache()
    return target


def _write(db, fn):
    conn = store.connect(db)
    try:
        return fn(conn)
    finally:
        conn.close()


def _dialogue(conn, unit, day=DAY):
    return dialogues.save_dialogue(
        conn, query.Scope.everything(), unit, day, "Anteckning.", [{"action": "Annonsera"}]
    )


def test_the_dialogue_multiselect_saves_a_theme_on_the_notes_and_the_save_can_be_undone(
    writable_db,
):
    saved = _write(writable_db, lambda c: _dialogue(c, "E1"))
    at = run_page(writable_db, DIALOG, query_params={"ar": "2025", "enhet": "E1"})
    at.date_input(key="dialog_date").set_value(DAY).run()
    assert not at.exception
    form_key = "E1_2025-10-06_0"
    notes = at.multiselect(key=f"themes_notes_{form_key}")
    assert notes.label == "Teman för anteckningarna" and notes.value == []
    notes.set_value([SPECIAL])
    at.multiselect(key=f"themes_action_{form_key}_{saved.action_ids[0]}").set_value([HEALTH])
    at.button(key=f"FormSubmitter:themes_{form_key}-Spara teman").click().run()
    assert not at.exception
    stored = _write(writable_db, lambda c: tagging.tags(c, query.Scope.everything(), "E1", DAY))
    assert stored == {None: [SPECIAL], saved.action_ids[0]: [HEALTH]}
    assert "Teman sparade (2 ändringar); den senaste kan ångras." in texts(at)
    # The form shows what is saved, and the newest change (the action's) can be undone.
    assert at.multiselect(key="themes_notes_E1_2025-10-06_1").value == [SPECIAL]
    undo = [b for b in at.button if b.label == "Ångra"]
    undo[0].click().run()
    stored = _write(writable_db, lambda c: tagging.tags(c, query.Scope.everything(), "E1", DAY))
    assert stored == {None: [SPECIAL]}
    assert "Temaändringen är ångrad." in texts(at)


def test_a_date_without_a_saved_dialogue_asks_to_save_it_first(writable_db):
    at = run_page(writable_db, DIALOG, query_params={"ar": "2025", "enhet": "E1"})
    at.date_input(key="dialog_date").set_value(dt.date(2025, 10, 7)).run()
    assert "Spara dialogen först; sedan kan du märka anteckningarna" in texts(at)


def test_an_area_manager_adds_a_theme_and_a_duplicate_is_refused_in_swedish(writable_db):
    at = run_page(writable_db, DIALOG, query_params={"ar": "2025", "enhet": "E1"})
    at.session_state["demo_roll"] = "area_manager"
    at.session_state["demo_omraden"] = ["Norr"]
    at.run()
    assert not at.exception
    at.text_input(key="themes_new_label").set_value("Elevhalsa")
    at.button(key="FormSubmitter:themes_add-Lägg till tema").click().run()
    assert md_text("Temat 'Elevhälsa' finns redan, nummer 5.") in [e.value for e in at.error]
    at.text_input(key="themes_new_label").set_value("Nyanlända elever")
    at.button(key="FormSubmitter:themes_add-Lägg till tema").click().run()
    assert "Temat Nyanlända elever är tillagt (nummer 12)." in texts(at)
    labels = _write(writable_db, lambda c: c.sql("SELECT label FROM themes").fetchall())
    assert ("Nyanlända elever",) in labels


def _tag_units(db):
    """E1, L1 (Norr) and S1 (Söder) tagged with special-needs recruitment in HT 2025 (6 October)."""

    def tag(conn):
        everything = query.Scope.everything()
        for unit in ("E1", "L1", "S1"):
            _dialogue(conn, unit)
            tagging.set_tags(conn, everything, unit, DAY, None, [SPECIAL], user="vc")

    _write(db, tag)


def test_leadership_sees_the_themes_section_with_small_counts_hidden(writable_db):
    _tag_units(writable_db)
    at = run_page(writable_db, STODBEHOV, query_params={"ar": "2025"})
    at.session_state["demo_roll"] = "leadership"
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Teman" in [h.value for h in at.header]
    # Norr: E1 and L1 = 2 units < 5 -> hidden for an organisation-wide scope.
    assert md_text("Rekrytering av speciallärare: färre än 5 enheter i Norr (HT 2025)") in shown
    table = at.dataframe[-1].value  # the last table on the page is the themes table
    assert list(table.columns) == ["Tema", "Område", "Termin", "Antal enheter"]
    assert table.values.tolist() == [
        ["Rekrytering av speciallärare", "Norr", "HT 2025", ".."],
        ["Rekrytering av speciallärare", "Söder", "HT 2025", ".."],  # S1 alone: 1 < 5
    ]


def test_an_area_manager_sees_the_count_and_the_units_of_their_area(writable_db):
    _tag_units(writable_db)
    at = run_page(writable_db, STODBEHOV, query_params={"ar": "2025"})
    at.session_state["demo_roll"] = "area_manager"
    at.session_state["demo_omraden"] = ["Norr"]
    at.run()
    assert not at.exception
    assert md_text("Rekrytering av speciallärare: 2 enheter i Norr (HT 2025)") in texts(at)
    table = at.dataframe[-1].value  # the last table on the page is the themes table
    # Norr's two units, named; Söder's S1 is outside the area manager's scope.
    assert table.values.tolist() == [
        ["Rekrytering av speciallärare", "Norr", "HT 2025", 2, "Ekskolan; Lärkans förskola"]
    ]
