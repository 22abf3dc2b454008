"""Dialogue notes and actions: save, history, follow-up of the previous dialogue, scope."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kompetens import query
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.dialogue.dialogues import Action

EVERYTHING = query.Scope.everything()
NORR = query.Scope.for_areas("Norr")


@pytest.fixture
def conn():
    connection = store.connect(":memory:")
    units = pl.DataFrame(
        {
            "unit_id": ["E1", "L1", "S1"],
            "unit_name": ["Ekskolan", "Lärkans förskola", "Söderskolan"],
            "area": ["Norr", "Norr", "Söder"],
            "school_form": ["grundskola", "forskola", "grundskola"],
        }
    )
    store.append_rows(connection, "units", units, batch_id=1)
    query.clear_cache()
    yield connection
    connection.close()


def test_a_fresh_database_has_the_dialogue_tables_at_the_registered_schema_version(conn):
    # version 3, declared: after the key figures (2), before the audit log (4) and users (5)
    assert dialogues.DIALOGUE_MIGRATION.version == 3
    assert store.registered_migrations()[2] is dialogues.DIALOGUE_MIGRATION
    assert store.rows(conn, "SELECT version FROM schema_version WHERE version = 3") == [(3,)]
    assert store.scalar(conn, "SELECT count(*) FROM dialogue_notes") == 0


def test_saving_notes_and_actions_shows_one_history_row_per_dialogue_date(conn):
    saved = dialogues.save_dialogue(
        conn,
        NORR,
        "E1",
        "2025-03-10",
        "Behörigheten sjunker; rektorn planerar VAL.",
        [
            {"action": "Anmäl två lärare till VAL", "owner": "Rektor", "due_date": "2025-06-01"},
            {"action": "", "owner": None, "due_date": None},  # blank editor row: ignored
            Action("Följ upp sjukfrånvaron", None, None),
        ],
        user="anna",
    )
    assert saved.notes_saved and len(saved.action_ids) == 2
    dialogues.save_dialogue(conn, NORR, "E1", dt.date(2025, 10, 6), "Uppföljning.", user="anna")

    history = dialogues.dialogue_history(conn, NORR, "E1")
    assert history.select(
        "dialogue_date", "notes", "revisions", "actions", "actions_done"
    ).rows() == [
        (dt.date(2025, 10, 6), "Uppföljning.", 1, 0, 0),
        (dt.date(2025, 3, 10), "Behörigheten sjunker; rektorn planerar VAL.", 1, 2, 0),
    ]
    assert history["created_by"].to_list() == ["anna", "anna"]
    acts = dialogues.actions(conn, NORR, "E1", "2025-03-10")
    assert acts.select("action", "owner", "due_date", "status").rows() == [
        ("Anmäl två lärare till VAL", "Rektor", dt.date(2025, 6, 1), "open"),
        ("Följ upp sjukfrånvaron", None, None, "open"),
    ]


def test_saving_the_same_date_again_keeps_every_revision_and_shows_the_newest(conn):
    dialogues.save_dialogue(conn, EVERYTHING, "E1", "2025-03-10", "Första utkast", user="a")
    dialogues.save_dialogue(conn, EVERYTHING, "E1", "2025-03-10", "Första utkast", user="a")
    dialogues.save_dialogue(conn, EVERYTHING, "E1", "2025-03-10", "Rättad text", user="b")
    history = dialogues.dialogue_history(conn, EVERYTHING, "E1")
    assert history.select("notes", "created_by", "revisions").rows() == [("Rättad text", "b", 2)]
    revisions = dialogues.note_revisions(conn, EVERYTHING, "E1", "2025-03-10")
    assert revisions["notes"].to_list() == ["Rättad text", "Första utkast"]


def test_nothing_to_save_is_refused_in_swedish(conn):
    with pytest.raises(ValueError, match="inget att spara"):
        dialogues.save_dialogue(conn, EVERYTHING, "E1", "2025-03-10", "  ", [{"action": " "}])


def test_previous_actions_are_those_of_the_last_dialogue_before_today_plus_older_open_ones(conn):
    first = dialogues.save_dialogue(
        conn, EVERYTHING, "E1", "2024-10-01", None, [Action("Gammal öppen"), Action("Gammal klar")]
    )
    dialogues.set_action_status(conn, EVERYTHING, first.action_ids[1], "klar")
    dialogues.save_dialogue(
        conn, EVERYTHING, "E1", "2025-03-10", "Vår", [Action("Starta mentorskap", "Rektor")]
    )
    dialogues.save_dialogue(conn, EVERYTHING, "L1", "2025-03-11", None, [Action("Annan enhet")])

    follow_up = dialogues.previous_actions(conn, EVERYTHING, "E1", "2025-10-06")
    assert follow_up.select("dialogue_date", "action", "status").rows() == [
        (dt.date(2025, 3, 10), "Starta mentorskap", "open"),
        (dt.date(2024, 10, 1), "Gammal öppen", "open"),
    ]
    only_last = dialogues.previous_actions(
        conn, EVERYTHING, "E1", "2025-10-06", include_older_open=False
    )
    assert only_last["action"].to_list() == ["Starta mentorskap"]
    # On the day of the spring dialogue itself, the previous one is the autumn before
    assert dialogues.previous_dialogue_date(conn, EVERYTHING, "E1", "2025-03-10") == dt.date(
        2024, 10, 1
    )
    assert dialogues.previous_actions(conn, EVERYTHING, "E1", "2024-10-01").height == 0


def test_a_status_update_is_recorded_with_who_and_only_counts_when_it_changes(conn):
    saved = dialogues.save_dialogue(conn, EVERYTHING, "E1", "2025-03-10", None, [Action("Gör X")])
    action_id = saved.action_ids[0]
    assert dialogues.set_action_status(conn, EVERYTHING, action_id, "klar", user="bo") is True
    assert dialogues.set_action_status(conn, EVERYTHING, action_id, "done", user="bo") is False
    row = dialogues.actions(conn, EVERYTHING, "E1").row(0, named=True)
    assert (row["status"], row["status_changed_by"]) == ("done", "bo")
    assert dialogues.with_status_labels(dialogues.actions(conn, EVERYTHING, "E1"))[
        "status"
    ].to_list() == ["klar"]
    with pytest.raises(ValueError, match="klar"):
        dialogues.set_action_status(conn, EVERYTHING, action_id, "kanske")


def test_status_changes_compare_an_edited_table_with_swedish_labels(conn):
    before = pl.DataFrame({"id": [1, 2, 3], "status": ["open", "open", "done"]})
    edited = pl.DataFrame({"id": [1, 2, 3], "status": ["klar", "ej klar", "ej klar"]})
    assert dialogues.status_changes(before, edited) == {1: "done", 3: "open"}


def test_a_unit_outside_the_scope_is_refused_for_every_function(conn):
    saved = dialogues.save_dialogue(conn, EVERYTHING, "S1", "2025-03-10", "Söder", [Action("A")])
    soder_action = saved.action_ids[0]
    with pytest.raises(query.ScopeError):
        dialogues.save_dialogue(conn, NORR, "S1", "2025-03-10", "försök")
    with pytest.raises(query.ScopeError):
        dialogues.dialogue_history(conn, NORR, "S1")
    with pytest.raises(query.ScopeError):
        dialogues.previous_actions(conn, NORR, "S1", "2025-10-01")
    with pytest.raises(query.ScopeError):
        dialogues.actions(conn, NORR, "S1")
    with pytest.raises(query.ScopeError):
        dialogues.set_action_status(conn, NORR, soder_action, "klar")
    with pytest.raises(query.ScopeError):  # an unknown unit looks the same as a forbidden one
        dialogues.dialogue_history(conn, NORR, "X9")
    with pytest.raises(query.ScopeError):
        dialogues.set_action_status(conn, NORR, 999, "klar")
    unit_scope = query.Scope.for_units(["E1"], ["Norr"])
    with pytest.raises(query.ScopeError):
        dialogues.dialogue_history(conn, unit_scope, "L1")
    # nothing was written by the refused calls
    assert store.scalar(conn, "SELECT count(*) FROM dialogue_notes") == 1
    assert dialogues.actions(conn, EVERYTHING, "S1")["status"].to_list() == ["open"]


def test_text_with_sql_characters_is_stored_verbatim(conn):
    text = "Robert'); DROP TABLE dialogue_notes;--"
    dialogues.save_dialogue(conn, EVERYTHING, "E1", "2025-03-10", text, [Action(text, text)])
    assert dialogues.dialogue_history(conn, EVERYTHING, "E1")["notes"].to_list() == [text]
    assert dialogues.actions(conn, EVERYTHING, "E1")["owner"].to_list() == [text]
