"""Årshjul on the small fixture (Norr: E1 Ekskolan, L1 Lärkans förskola; Söder: S1 Söderskolan).

Each test's database has Norr's rounds for this term and one dialogue of E1 today with an
action that was due yesterday; L1 and S1 have had no dialogue this term.
"""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest

from kompetens import query
from kompetens.access import audit
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.dialogue import support_register as support_form
from kompetens.query import annual_wheel as wheel
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


# ---- the school-form filter and the open report-backs ------------------------------------------


@pytest.fixture
def report_db(wheel_db):
    """``wheel_db`` with three requests filed 20 days ago, all still received:
    E1 (grundskola, Norr) to HR, report back to "Rektor"; L1 (förskola, Norr) to EH, report
    back to "Förskolechef"; S1 (grundskola, Söder) to HR with no one to report back to."""
    conn = store.connect(wheel_db)
    try:
        for unit, function, report_to in (
            ("E1", "HR", "Rektor"),
            ("L1", "EH", "Förskolechef"),
            ("S1", "HR", ""),
        ):
            support_form.file_request(
                conn,
                query.Scope.everything(),
                {
                    "unit_id": unit,
                    "request_date": TODAY - dt.timedelta(days=20),
                    "asker_role": "principal",
                    "channel": "dialogue",
                    "topic": "Rekrytering",
                    "support_function": function,
                    "report_to": report_to,
                },
                user="test",
            )
    finally:
        conn.close()
    query.clear_cache()
    return wheel_db


def test_the_school_form_filter_narrows_the_dialogue_lists_and_the_actions(wheel_db):
    at = run_page(wheel_db, PAGE)
    at.selectbox(key="skolform").set_value("forskola").run()
    assert not at.exception
    shown = texts(at)
    # förskola: L1 only; it has had no dialogue, and E1's overdue action is a grundskola's
    assert "Inte ännu (1)" in shown and "Har haft dialog (0)" in shown
    assert table_with(at, "Enhet", "Område")["Enhet"].tolist() == ["Lärkans förskola"]
    assert "Inga öppna åtgärder är försenade" in shown
    assert "för Förskola" in plain(shown)
    at.selectbox(key="skolform").set_value("grundskola").run()
    # grundskola: E1 (had its dialogue today) and S1 (not yet); E1's action is late
    assert "Inte ännu (1)" in texts(at) and "Har haft dialog (1)" in texts(at)
    assert table_with(at, "Ska vara klar", "Åtgärd")["Åtgärd"].tolist() == ["Plan för legitimation"]


def test_hr_sees_the_open_report_backs_and_the_school_form_filter_narrows_them(report_db):
    at = run_page(report_db, PAGE)
    assert not at.exception
    owed = table_with(at, "request_id", "report_to")
    # S1's request names no one to report back to; E1's and L1's do (same day: by id)
    assert owed[["unit_name", "support_function", "status", "report_to"]].values.tolist() == [
        ["Ekskolan", "HR", "Mottagen", "Rektor"],
        ["Lärkans förskola", "EH", "Mottagen", "Förskolechef"],
    ]
    at.selectbox(key="skolform").set_value("forskola").run()
    assert table_with(at, "request_id", "report_to")["unit_name"].tolist() == ["Lärkans förskola"]


def test_leadership_sees_open_report_backs_as_counts_per_area_and_function(report_db):
    at = as_role(report_db, "leadership")
    assert not at.exception
    counts = table_with(at, "support_function", "open")
    assert counts.values.tolist() == [["Norr", "EH", 1], ["Norr", "HR", 1]]
    assert "Rektor" not in plain(texts(at)) and "request_id" not in counts.columns


def test_the_calendar_leaves_out_follow_ups_of_other_school_forms(report_db):
    conn = store.connect(report_db, read_only=True)
    try:
        first, last = TODAY - dt.timedelta(days=30), TODAY
        everything = query.Scope.everything()
        support = wheel.calendar(conn, everything, first, last, today=TODAY).filter(
            pl.col("kind") == "support"
        )
        # three requests received 20 days ago: each answer was due 20 - 14 = 6 days ago
        assert sorted(support["unit_id"].to_list()) == ["E1", "L1", "S1"]
        assert set(support["start"].to_list()) == {TODAY - dt.timedelta(days=6)}
        preschool = wheel.calendar(
            conn, everything, first, last, today=TODAY, school_form="forskola"
        )
        assert preschool.filter(pl.col("kind") == "support")["unit_id"].to_list() == ["L1"]
        # E1's action (due yesterday) is a grundskola's: gone from the förskola calendar
        assert preschool.filter(pl.col("kind") == "action").height == 0
        assert wheel.calendar(conn, everything, first, last, today=TODAY).filter(
            pl.col("kind") == "action"
        )["unit_id"].to_list() == ["E1"]
    finally:
        conn.close()
