"""Årshjul on the small fixture (Norr: E1 Ekskolan, L1 Lärkans förskola; Söder: S1 Söderskolan).

Each test's database has Norr's rounds for this term and one dialogue of E1 today with an
action that was due yesterday; L1 and S1 have had no dialogue this term.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from kompetens import query
from kompetens.access import audit
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.query import dialogue_rounds as rounds
from tests.app_support import run_page, texts

PAGE = "views/arshjul.py"
TODAY = dt.date.today()
TERM = rounds.term_of(TODAY)
FIRST, LAST = rounds.term_bounds(TERM)


@pytest.fixture
def wheel_db(small_db, tmp_path):
    target = tmp_path / "arshjul.duckdb"
    shutil.copy(small_db, target)
    conn = store.connect(target)
    try:
        everything = query.Scope.everything()
        rounds.save_rounds(
            conn, everything, "Norr", TERM, [rounds.Round(FIRST, FIRST + dt.timedelta(4))], "hr"
        )
        dialogues.save_dialogue(
            conn,
            everything,
            "E1",
            TODAY,
            "Anteckningar",
            [dialogues.Action("Plan för legitimation", due_date=TODAY - dt.timedelta(1))],
            user="vc",
        )
    finally:
        conn.close()
    query.clear_cache()
    return target


def as_role(db, role: str, **state):
    at = run_page(db)
    at.session_state["demo_roll"] = role
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE).run()
    return at


def plain(text: str) -> str:
    """Text as the reader sees it: without md_text's backslashes and word joiners."""
    return text.replace("\\", "").replace("\u2060", "")


def table_with(at, *columns: str):
    for frame in at.dataframe:
        if all(c in frame.value.columns for c in columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns}")


def test_hr_sees_who_had_their_dialogue_the_overdue_action_the_round_and_the_form(wheel_db):
    at = run_page(wheel_db, PAGE)
    assert not at.exception
    shown = texts(at)
    assert "Årshjul" in [t.value for t in at.title]
    assert "Inte ännu (2)" in shown and "Har haft dialog (1)" in shown
    assert sorted(table_with(at, "Enhet", "Område")["Enhet"]) == ["Lärkans förskola", "Söderskolan"]
    had = table_with(at, "Senaste dialog")
    assert had["Enhet"].tolist() == ["Ekskolan"]
    assert had["Senaste dialog"].tolist() == [TODAY.isoformat()]
    late = table_with(at, "Ska vara klar", "Åtgärd")
    assert late["Åtgärd"].tolist() == ["Plan för legitimation"]
    assert late["Läge"].tolist() == ["försenad"]
    assert "Skolverkets mätdag för personalstatistiken" in shown  # the coming twelve months
    assert "Oktober" in shown  # the month cards carry Swedish month names
    # This term's round began this calendar year: it shows when the page shows this year.
    at.selectbox(key="arshjul_period").set_value(str(TODAY.year)).run()
    assert f"Dialogomgång 1 {rounds.term_label(TERM)} – Norr" in texts(at)
    assert [b.label for b in at.get("download_button")][0].startswith("Ladda ner kalenderfil (.ics")
    assert "Sätt dialogdatum" in [h.value for h in at.header]


def test_an_area_manager_sets_rounds_is_told_what_is_wrong_and_can_undo(wheel_db):
    at = as_role(wheel_db, "area_manager", demo_omraden=["Norr"])
    assert not at.exception
    assert at.selectbox(key="arshjul_form_omrade").options == ["Norr"]
    # The lists hold Norr's units only: E1 had its dialogue, L1 not yet.
    assert table_with(at, "Enhet", "Område")["Enhet"].tolist() == ["Lärkans förskola"]
    key = f"Norr_{TERM}_1"  # the fields of change 1, the rounds in force
    at.date_input(key=f"arshjul_start_{key}_1").set_value(LAST - dt.timedelta(2))
    at.date_input(key=f"arshjul_slut_{key}_1").set_value(LAST - dt.timedelta(5))
    next(b for b in at.button if b.label == "Spara dialogdatum").click().run()
    assert not at.exception
    errors = plain(" ".join(e.value for e in at.error))
    assert "Dialogdatumen sparades inte" in errors
    assert (
        f"Omgång 2: sista dagen {(LAST - dt.timedelta(5)).isoformat()} är före första dagen "
        f"{(LAST - dt.timedelta(2)).isoformat()}" in errors
    )
    at.date_input(key=f"arshjul_slut_{key}_1").set_value(LAST)
    next(b for b in at.button if b.label == "Spara dialogdatum").click().run()
    assert not at.exception
    assert f"Dialogdatumen för Norr {rounds.term_label(TERM)} är sparade: 2 omgångar" in plain(
        texts(at)
    )
    conn = store.connect(wheel_db)
    try:
        assert rounds.current_rounds(conn, query.Scope.everything())["end_date"].to_list() == [
            FIRST + dt.timedelta(4),
            LAST,
        ]
        logged = audit.list_events(
            conn, action=audit.DIALOGUE_ROUNDS_SAVED, user="demo:area_manager"
        )
        assert logged["target"].to_list() == ["Norr"]
    finally:
        conn.close()
    undo = next(b for b in at.button if b.label.startswith("Ångra ändring"))
    undo.click().run()
    assert "är ångrad" in plain(texts(at))
    # The form starts from the rounds in force again: round 2's fields are empty.
    assert at.date_input(key=f"arshjul_slut_{key}_1").value is None
    assert at.date_input(key=f"arshjul_slut_{key}_0").value == FIRST + dt.timedelta(4)
    conn = store.connect(wheel_db)
    try:
        assert rounds.current_rounds(conn, query.Scope.everything())["end_date"].to_list() == [
            FIRST + dt.timedelta(4)
        ]
    finally:
        conn.close()


def test_leadership_sees_counts_per_area_and_no_units_actions_nor_the_form(wheel_db):
    at = as_role(wheel_db, "leadership")
    assert not at.exception
    by_area = table_with(at, "Område", "Har haft dialog", "Inte ännu")
    assert by_area.values.tolist() == [["Norr", 2, 1, 1], ["Söder", 1, 0, 1]]
    assert table_with(at, "Område", "Försenade")["Försenade"].tolist() == [1]
    shown = plain(texts(at))
    assert "Plan för legitimation" not in shown
    assert "Ekskolan" not in shown
    if (TODAY - dt.timedelta(1)).month == TODAY.month:  # yesterday is in the months shown
        assert "1 åtgärd från dialogerna ska vara klara – Norr" in shown
    assert "Sätt dialogdatum" not in [h.value for h in at.header]


def test_a_principal_sees_the_own_unit_and_the_own_areas_round_but_no_form(wheel_db):
    at = as_role(wheel_db, "principal", demo_enhet="S1")
    assert not at.exception
    shown = texts(at)
    assert "Inte ännu (1)" in shown and "Har haft dialog (0)" in shown
    assert "Plan för legitimation" not in shown  # E1's action is not S1's
    assert f"Dialogomgång 1 {rounds.term_label(TERM)} – Norr" not in shown
    assert "Sätt dialogdatum" not in [h.value for h in at.header]


def test_the_admin_role_does_not_get_the_page(wheel_db):
    at = as_role(wheel_db, "admin")
    assert "Årshjul" not in [t.value for t in at.title]


def test_a_link_to_another_area_is_refused_for_an_area_manager(wheel_db):
    at = run_page(wheel_db)
    at.session_state["demo_roll"] = "area_manager"
    at.session_state["demo_omraden"] = ["Norr"]
    at.run()
    at.query_params["omrade"] = "Söder"
    at.switch_page(PAGE).run()
    shown = plain(texts(at))
    assert "Du har inte behörighet att se det här" in shown
    assert "Söderskolan" not in shown
