"""The support form: a principal files a request for the own unit, the support given and its
status and feedback are recorded, every change is logged and can be undone, scope holds."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from kompetens.access import audit
from kompetens.core import store
from kompetens.dialogue import support_register as form
from kompetens.indicators import engine
from kompetens.query import Scope, ScopeError, suppression_store
from kompetens.query import support_register as read
from tests.import_fixtures import seeded_db

# The seed units: U1 Åkerskolan and U3 Östra gymnasiet in "Norra området", U2 and U4 in "Södra området".
PRINCIPAL_U1 = Scope.for_units({"U1"}, {"Norra området"})
NORTH = Scope.for_areas("Norra området")
EVERYTHING = Scope.everything()


def _request(**changes) -> dict:
    values = {
        "unit_id": "U1",
        "request_date": dt.date(2025, 3, 2),
        "asker_role": "principal",
        "channel": "dialogue",
        "topic": "Rekrytering",
        "description": "Svårt att rekrytera speciallärare.",
        "support_function": "HR",
        "report_to": "Rektor",
    }
    return {**values, **changes}


def test_a_principal_files_a_request_for_the_own_unit_and_it_is_logged_as_an_undoable_change():
    conn = seeded_db()
    saved = form.file_request(
        conn, PRINCIPAL_U1, _request(), user="rektor@skola.se", role="principal"
    )
    assert saved.row_id == "S-2025-0001"
    assert "Stödärende S-2025-0001 är sparat (nytt ärende)" in saved.message
    rows = read.requests(conn, PRINCIPAL_U1)
    assert rows.select("request_id", "unit_name", "status", "efforts").rows() == [
        ("S-2025-0001", "Åkerskolan", "received", 0)
    ]
    events = audit.list_events(conn, action=audit.SUPPORT_SAVED)
    assert events.select("user_email", "role", "target").rows() == [
        ("rektor@skola.se", "principal", "U1")
    ]
    assert "Svårt" not in events["details"][0]  # the free text stays out of the log
    assert read.changes(conn, PRINCIPAL_U1)["batch_id"].to_list() == [saved.batch_id]
    # A second request the same year gets the next number.
    again = form.file_request(conn, PRINCIPAL_U1, _request(), user="rektor@skola.se")
    assert again.row_id == "S-2025-0002"


def test_the_form_refuses_a_missing_unit_a_future_date_and_an_unknown_function_in_swedish():
    conn = seeded_db()
    with pytest.raises(form.FormRejected) as missing:
        form.file_request(conn, EVERYTHING, _request(unit_id=""), user="hr")
    assert missing.value.messages == ["Enhet: välj en enhet; ett ärende gäller alltid en enhet"]
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(form.FormRejected) as future:
        form.file_request(conn, EVERYTHING, _request(request_date=tomorrow), user="hr")
    assert future.value.messages == [
        "Datum för begäran: datumet ligger i framtiden "
        f"(efter dagens datum {dt.date.today().isoformat()})"
    ]
    with pytest.raises(form.FormRejected) as unknown:
        form.file_request(conn, EVERYTHING, _request(support_function="Ekonomi"), user="hr")
    (message,) = unknown.value.messages
    assert message.startswith("Stödfunktion: okänt värde: finns inte i listan över stödfunktioner")
    assert store.scalar(conn, "SELECT count(*) FROM support_request") == 0


def test_a_principal_cannot_file_for_another_unit_nor_see_its_requests():
    conn = seeded_db()
    form.file_request(conn, EVERYTHING, _request(unit_id="U3"), user="hr")
    with pytest.raises(ScopeError):
        form.file_request(conn, PRINCIPAL_U1, _request(unit_id="U3"), user="rektor")
    assert read.requests(conn, PRINCIPAL_U1).height == 0
    assert read.requests(conn, NORTH)["unit_id"].to_list() == ["U3"]
    assert read.changes(conn, PRINCIPAL_U1).height == 0
    with pytest.raises(ScopeError):
        read.requests(conn, PRINCIPAL_U1, unit_id="U3")


def test_support_is_recorded_done_with_feedback_and_undo_brings_back_the_status_before():
    conn = seeded_db()
    request = form.file_request(conn, PRINCIPAL_U1, _request(), user="rektor")
    effort = form.record_effort(
        conn,
        NORTH,
        {
            "request_id": request.row_id,
            "support_function": "HR",
            "start_date": dt.date(2025, 3, 10),
            "effort_type": "coaching",
            "hours": 6,
            "status": "in_progress",
        },
        user="hr@kommun.se",
    )
    assert effort.row_id == "I-2025-0001"
    # The unit comes from the request; the request shows one effort of 6 hours.
    assert read.requests(conn, PRINCIPAL_U1).select("efforts", "hours").row(0) == (1, 6.0)
    with pytest.raises(form.FormRejected) as early:
        form.set_status(
            conn, NORTH, "support_effort", effort.row_id, "in_progress", user="hr", feedback_score=4
        )
    assert "bara ges på en insats som är klar" in early.value.messages[0]
    done = form.set_status(
        conn,
        NORTH,
        "support_effort",
        effort.row_id,
        "done",
        user="hr",
        feedback_score=4,
        feedback_note="Hjälpte arbetslaget.",
    )
    row = read.efforts(conn, NORTH).row(0, named=True)
    assert (row["status"], row["feedback_score"], row["end_date"]) == ("done", 4, dt.date.today())
    answer = form.set_status(conn, NORTH, "support_request", request.row_id, "done", user="hr")
    assert read.requests(conn, NORTH)["status"].to_list() == ["done"]
    form.undo(conn, NORTH, answer.batch_id, user="hr")
    assert read.requests(conn, NORTH)["status"].to_list() == ["received"]
    form.undo(conn, NORTH, done.batch_id, user="hr")
    assert read.efforts(conn, NORTH).select("status", "feedback_score").row(0) == (
        "in_progress",
        None,
    )
    assert audit.list_events(conn, action=audit.SUPPORT_UNDONE).height == 2


def test_undo_of_another_units_change_is_refused_for_a_principal():
    conn = seeded_db()
    other = form.file_request(conn, EVERYTHING, _request(unit_id="U2"), user="hr")
    with pytest.raises(ScopeError):
        form.undo(conn, PRINCIPAL_U1, other.batch_id, user="rektor")
    assert read.requests(conn, EVERYTHING).height == 1


def test_a_saved_request_recomputes_no_key_figure_and_keeps_the_stored_mask_current(
    small_db, tmp_path
):
    db = tmp_path / "small.duckdb"
    shutil.copy(small_db, db)
    conn = store.connect(db)
    before = engine.read_meta(conn)
    assert suppression_store.mask_state(conn) == suppression_store.CURRENT
    form.file_request(conn, EVERYTHING, _request(unit_id="E1"), user="hr")
    after = engine.read_meta(conn)
    # The figures are the same computation (same time), carried to the new data version.
    assert after["computed_at"] == before["computed_at"]
    assert int(after["data_version"]) == int(before["data_version"]) + 1 == store.data_version(conn)
    assert not engine.figures_stale(conn)
    assert suppression_store.mask_state(conn) == suppression_store.CURRENT


def test_follow_up_lists_name_requests_unanswered_after_n_days_and_done_support_without_feedback():
    conn = seeded_db()
    old = form.file_request(conn, NORTH, _request(request_date=dt.date(2025, 3, 1)), user="hr")
    form.file_request(conn, NORTH, _request(request_date=dt.date(2025, 3, 20)), user="hr")
    answered = form.file_request(conn, NORTH, _request(request_date=dt.date(2025, 2, 1)), user="hr")
    form.set_status(conn, NORTH, "support_request", answered.row_id, "planned", user="hr")
    # On 2025-03-31: the first waited 30 days (> 14), the second 11, the third is answered.
    late = read.unanswered(conn, NORTH, days=14, today=dt.date(2025, 3, 31))
    assert late.select("request_id", "days_waiting").rows() == [(old.row_id, 30)]
    assert (
        read.unanswered(conn, NORTH, days=14, today=dt.date(2025, 3, 31), function="EH").height == 0
    )
    effort = form.record_effort(
        conn,
        NORTH,
        {
            "request_id": answered.row_id,
            "support_function": "HR",
            "start_date": dt.date(2025, 3, 2),
            "end_date": dt.date(2025, 3, 9),
            "effort_type": "advice",
            "status": "done",
        },
        user="hr",
    )
    assert read.without_feedback(conn, NORTH)["effort_id"].to_list() == [effort.row_id]
    form.set_status(
        conn, NORTH, "support_effort", effort.row_id, "done", user="hr", feedback_score=5
    )
    assert read.without_feedback(conn, NORTH).height == 0
    assert read.without_feedback(conn, PRINCIPAL_U1).height == 0
