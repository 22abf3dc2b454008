"""Stödregister on the small fixture with a hand-made register, in every role that has the page.

The fixture (``register``) adds three requests, filed through the register's form layer
relative to today so the waiting days are known:

- E1 Ekskolan (Norr), to HR, 20 days ago, still received: unanswered (20 > 14 days);
- S1 Söderskolan (Söder), to EH, 5 days ago, still received: not yet unanswered (5 <= 14);
- L1 Lärkans förskola (Norr), to HR, 30 days ago, in progress, with one finished effort
  (coaching, 6 hours, HR) without feedback: listed under "support without feedback".
"""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest

from kompetens import query as q
from kompetens.access import audit, auth
from kompetens.core import store
from kompetens.dialogue import support_register as form
from kompetens.query import support_register as read
from kompetens.ui import support_register_view as view
from tests.app_support import run_page, texts

PAGE = "views/stodregister.py"
TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def the_page_counts_days_from_the_same_today(monkeypatch):
    """The page counts days waiting from ``view.today()``; pin it to the date the requests were
    filed against, so that a run crossing midnight does not add a day (seen in CI: 21 vs 20)."""
    monkeypatch.setattr(view, "today", lambda: TODAY)


def _request(conn, unit, function, days_ago, status="received", text="Behöver stöd.") -> str:
    saved = form.file_request(
        conn,
        q.Scope.everything(),
        {
            "unit_id": unit,
            "request_date": TODAY - dt.timedelta(days=days_ago),
            "asker_role": "principal",
            "channel": "dialogue",
            "topic": "Rekrytering",
            "description": text,
            "support_function": function,
            "report_to": "Rektor",
            "status": status,
        },
        user="test",
    )
    return saved.row_id


@pytest.fixture
def register(small_db, tmp_path):
    """A copy of the small fixture with the three requests above; returns (db, ids by unit)."""
    target = tmp_path / "register.duckdb"
    shutil.copy(small_db, target)
    conn = store.connect(target)
    ids = {
        "E1": _request(conn, "E1", "HR", 20, text="Svårt att rekrytera speciallärare."),
        "S1": _request(conn, "S1", "EH", 5, text="Elevhälsan behöver förstärkning."),
        "L1": _request(conn, "L1", "HR", 30, status="in_progress"),
    }
    effort = form.record_effort(
        conn,
        q.Scope.everything(),
        {
            "request_id": ids["L1"],
            "support_function": "HR",
            "start_date": TODAY - dt.timedelta(days=25),
            "end_date": TODAY - dt.timedelta(days=10),
            "effort_type": "coaching",
            "hours": 6,
            "status": "done",
        },
        user="test",
    )
    ids["effort"] = effort.row_id
    conn.close()
    q.clear_cache()
    return target, ids


def _as(db, role: str, *, unit=None, areas=None, functions=None, params=None):
    at = run_page(db, PAGE, query_params=params, timeout=120)
    at.session_state["demo_roll"] = role
    if unit:
        at.session_state["demo_enhet"] = unit
    if areas:
        at.session_state["demo_omraden"] = areas
    if functions:
        at.session_state["demo_funktioner"] = functions
    at.run()
    assert not at.exception
    return at


def _frame(at, column: str):
    """The first table on the page with ``column`` (pandas, as AppTest gives it)."""
    found = [f.value for f in at.dataframe if column in f.value.columns]
    return found[0] if found else None


def _submit(at, form_key: str, label: str):
    at.button(key=f"FormSubmitter:{form_key}-{label}").click().run()
    assert not at.exception
    return at


# ---- HR: the whole register ---------------------------------------------------------------------


def test_hr_sees_the_open_requests_and_the_two_follow_up_lists_with_their_hand_counted_values(
    register,
):
    db, ids = register
    at = _as(db, auth.HR)
    listed = _frame(at, "request_id")
    # open requests, newest first: S1 (5 days), E1 (20 days), L1 (30 days)
    assert listed[["request_id", "unit_name", "support_function", "status"]].values.tolist() == [
        [ids["S1"], "Söderskolan", "EH", "Mottagen"],
        [ids["E1"], "Ekskolan", "HR", "Mottagen"],
        [ids["L1"], "Lärkans förskola", "HR", "Pågår"],
    ]
    # L1 has one effort of 6 hours; the others none
    assert listed["efforts"].tolist() == [0, 0, 1]
    unanswered = _frame(at, "days_waiting")
    assert unanswered[["request_id", "days_waiting"]].values.tolist() == [[ids["E1"], 20]]
    without = _frame(at, "feedback_score")
    assert without[["effort_id", "unit_name", "hours"]].values.tolist() == [
        [ids["effort"], "Lärkans förskola", 6.0]
    ]
    assert (
        "1 ärende utan svar efter mer än 14 dagar, 1 avslutad insats utan överenskommen "
        "återkoppling." in texts(at)
    )


def test_the_unanswered_list_follows_the_number_of_days_and_the_function(register):
    db, ids = register
    at = _as(db, auth.HR)
    at.number_input(key="sr_dagar").set_value(4).run()
    # 20 > 4 and 5 > 4: both received requests, the longest wait first
    assert _frame(at, "days_waiting")["request_id"].tolist() == [ids["E1"], ids["S1"]]
    at.selectbox(key="sr_uppfoljning_funktion").set_value("EH").run()
    assert _frame(at, "days_waiting")["request_id"].tolist() == [ids["S1"]]
    assert _frame(at, "feedback_score") is None  # the finished effort without feedback is HR's


def test_the_load_table_counts_requests_and_hours_per_month_and_function(register):
    db, ids = register
    expected = (
        read.load(store.connect(db, read_only=True), q.Scope.everything())
        .select("support_function", "requests", "efforts", "hours")
        .sum()
    )
    # three requests (HR 2, EH 1), one effort of 6 hours, whatever months they fall in
    assert expected.row(0)[1:] == (3, 1, 6.0)
    at = _as(db, auth.HR)
    load = _frame(at, "month")
    assert load.groupby("support_function")["requests"].sum().to_dict() == {"EH": 1, "HR": 2}
    assert load["hours"].sum() == 6.0


# ---- filing a request, validation, undo ----------------------------------------------------


def test_a_principal_files_a_request_for_their_unit_and_it_is_listed_and_can_be_undone(register):
    db, ids = register
    at = _as(db, auth.PRINCIPAL, unit="E1")
    # the principal's form offers only their own unit, already chosen
    unit_box = [s for s in at.selectbox if s.label == "Enhet"][0]
    assert unit_box.options == ["Ekskolan (E1)"] and unit_box.value == "E1"
    [s for s in at.selectbox if s.label == "Stödfunktion som tillfrågas"][0].set_value("EH")
    [t for t in at.text_area if t.label == "Beskrivning"][0].set_value("Stöd i elevhälsoarbetet.")
    _submit(at, "new_request_0", "Registrera ärendet")
    assert "är sparat (nytt ärende)" in texts(at)
    listed = _frame(at, "request_id")
    # the principal sees E1's two requests only (the new one first), never S1 or L1
    assert listed["unit_name"].tolist() == ["Ekskolan", "Ekskolan"]
    assert listed[["support_function", "status", "description"]].values.tolist()[0] == [
        "EH",
        "Mottagen",
        "Stöd i elevhälsoarbetet.",
    ]
    # the form starts empty again (a new form key)
    assert [s for s in at.selectbox if s.label == "Stödfunktion som tillfrågas"][0].value is None
    changes = _frame(at, "batch_id")
    assert changes["what"].tolist()[0].startswith("stödärende S-")
    newest = int(changes["batch_id"].tolist()[0])
    at.button(key="sr_undo").click().run()
    assert not at.exception
    assert f"Batch {newest} (Formulär stödärende" in texts(at)
    assert "är ångrad: 1 rad togs bort och 0 tidigare rader återställdes." in texts(at)
    assert _frame(at, "request_id")["unit_name"].tolist() == ["Ekskolan"]


def test_a_request_without_a_unit_is_refused_in_swedish_and_nothing_is_written(register):
    db, ids = register
    at = _as(db, auth.HR)
    [s for s in at.selectbox if s.label == "Stödfunktion som tillfrågas"][0].set_value("HR")
    _submit(at, "new_request_0", "Registrera ärendet")
    assert "Sparades inte: Enhet: välj en enhet; ett ärende gäller alltid en enhet." in texts(at)
    assert len(_frame(at, "request_id")) == 3


def test_a_request_dated_in_the_future_is_refused_in_swedish(register):
    db, ids = register
    at = _as(db, auth.HR)
    [s for s in at.selectbox if s.label == "Enhet"][0].set_value("S1")
    [s for s in at.selectbox if s.label == "Stödfunktion som tillfrågas"][0].set_value("HR")
    [d for d in at.date_input if d.label == "Datum"][0].set_value(TODAY + dt.timedelta(days=3))
    _submit(at, "new_request_0", "Registrera ärendet")
    shown = texts(at)
    assert "Sparades inte" in shown and "datumet ligger i framtiden" in shown
    assert len(_frame(at, "request_id")) == 3


def test_an_unknown_support_function_is_refused_in_swedish(register):
    db, ids = register
    conn = store.connect(db)
    ok, message = view.submit_request(
        conn,
        q.Scope.everything(),
        {
            "unit_id": "E1",
            "request_date": TODAY,
            "asker_role": "principal",
            "channel": "dialogue",
            "topic": "Rekrytering",
            "support_function": "Ekonomi",
        },
        None,
    )
    assert not ok
    assert message.startswith("Sparades inte: Stödfunktion: okänt värde: finns inte i listan")
    assert message.endswith("giltiga är HR, PC, EH, Admin & juridik.")
    assert read.requests(conn, q.Scope.everything()).height == 3
    conn.close()


def test_a_personnummer_in_the_description_is_warned_about_and_removed_before_storage(register):
    db, ids = register
    at = _as(db, auth.PRINCIPAL, unit="E1")
    [s for s in at.selectbox if s.label == "Stödfunktion som tillfrågas"][0].set_value("HR")
    [t for t in at.text_area if t.label == "Beskrivning"][0].set_value(
        "Gäller 19800101-0008, mejla anna@skolan.se"
    )
    _submit(at, "new_request_0", "Registrera ärendet")
    shown = texts(at)
    assert "liknar ett personnummer. Det togs bort" in shown
    assert "Texten innehåller en e-postadress" in shown
    description = _frame(at, "request_id")["description"].tolist()[0]
    assert description == "Gäller [personnummer borttaget], mejla anna@skolan.se"


# ---- scope: principal, area manager, support function, leadership ------------------------------


def test_a_principal_cannot_open_another_units_request_by_url(register):
    db, ids = register
    at = _as(db, auth.PRINCIPAL, unit="E1", params={"arende": ids["S1"]})
    assert at.selectbox(key="arende").value is None
    assert ids["S1"] not in at.selectbox(key="arende").options
    assert "Elevhälsan behöver förstärkning." not in texts(at)
    assert _frame(at, "Uppgift") is None  # no request's facts shown
    assert _frame(at, "request_id")["request_id"].tolist() == [ids["E1"]]


def test_a_principal_cannot_file_or_answer_for_another_unit_through_the_form_layer(register):
    db, ids = register
    conn = store.connect(db)
    principal = auth.scope_for_role(auth.PRINCIPAL, units=["E1"], unit_areas={"E1": "Norr"})
    ok, message = view.submit_request(
        conn,
        principal,
        {
            "unit_id": "S1",
            "request_date": TODAY,
            "asker_role": "principal",
            "channel": "dialogue",
            "topic": "Rekrytering",
            "support_function": "HR",
        },
        None,
    )
    assert (ok, message) == (False, "Sparades inte: enheten 'S1' ligger utanför din behörighet.")
    ok, _ = view.submit_status(conn, principal, "support_request", ids["S1"], "done", None)
    assert not ok
    assert read.current_row(conn, q.Scope.everything(), "support_request", ids["S1"])["status"] == (
        "received"
    )
    conn.close()


def test_an_area_manager_sees_the_requests_of_their_area_only(register):
    db, ids = register
    at = _as(db, auth.AREA_MANAGER, areas=["Norr"])
    assert sorted(_frame(at, "request_id")["unit_name"].tolist()) == [
        "Ekskolan",
        "Lärkans förskola",
    ]


def test_a_support_function_sees_the_requests_addressed_to_it_in_every_unit_only(register):
    db, ids = register
    at = _as(db, auth.SUPPORT, functions=["EH"], params={"arende": ids["E1"]})
    # EH: S1's request (Söder); E1's and L1's are HR's, even opened by URL
    assert _frame(at, "request_id")["request_id"].tolist() == [ids["S1"]]
    assert at.selectbox(key="arende").value is None
    assert at.selectbox(key="arende").options == [
        view.request_choices(
            read.requests(store.connect(db, read_only=True), q.Scope.for_functions(["EH"]))
        )[ids["S1"]]
    ]
    assert "Svårt att rekrytera speciallärare." not in texts(at)
    # the form offers only the support function's own function
    assert [s for s in at.selectbox if s.label == "Stödfunktion som tillfrågas"][0].options == [
        "EH"
    ]


def test_leadership_sees_aggregates_and_no_request_text(register):
    db, ids = register
    at = _as(db, auth.LEADERSHIP)
    overview = _frame(at, "open")
    # Norr HR: E1 and L1 (both open); Söder EH: S1 (open); L1's effort is Norr's 6 HR hours
    assert overview[
        ["area", "support_function", "requests", "open", "efforts"]
    ].values.tolist() == [
        ["Norr", "HR", 2, 2, 1],
        ["Söder", "EH", 1, 1, 0],
    ]
    shown = texts(at)
    assert "Svårt att rekrytera" not in shown and "Elevhälsan behöver" not in shown
    assert _frame(at, "description") is None
    assert not [s for s in at.selectbox if s.label == "Enhet"]  # no form


# ---- answering: support given, done, feedback -----------------------------------------------------


def test_the_support_function_answers_closes_and_gets_feedback_and_the_request_leaves_the_open_lists(
    register,
):
    db, ids = register
    at = _as(db, auth.SUPPORT, functions=["HR"])
    at.selectbox(key="arende").set_value(ids["E1"]).run()
    assert "Svårt att rekrytera speciallärare." in [t.value for t in at.text]
    [n for n in at.number_input if n.label == "Timmar"][0].set_value(4.5)
    [s for s in at.selectbox if s.label == "Insatsens status"][0].set_value("done")
    _submit(at, f"effort_{ids['E1']}", "Registrera stödet")
    assert "Stödinsats I-" in texts(at)
    [s for s in at.selectbox if s.label == "Ny status"][0].set_value("done")
    _submit(at, f"status_{ids['E1']}", "Spara status")
    at.radio[0].set_value(4)
    [t for t in at.text_input if t.label == "Kort kommentar"][0].set_value("Bra stöd.")
    _submit(at, f"feedback_{ids['E1']}", "Spara återkopplingen")
    assert "återkoppling" in texts(at)
    conn = store.connect(db, read_only=True)
    effort = read.efforts(conn, q.Scope.everything()).filter(pl.col("request_id") == ids["E1"])
    assert effort.select("status", "hours", "feedback_score", "feedback_note").row(0) == (
        "done",
        4.5,
        4,
        "Bra stöd.",
    )
    conn.close()
    # E1's request is done: not among HR's open requests nor unanswered
    assert _frame(at, "request_id")["request_id"].tolist() == [ids["L1"]]
    assert _frame(at, "days_waiting") is None


# ---- proactive support: given without a request --------------------------------------------------


def _in_form(at, form_key: str, label: str):
    """The select box ``label`` of the form ``form_key`` (the page has several "Enhet")."""
    return next(s for s in at.selectbox if s.label == label and s.form_id == form_key)


def _proactive(at):
    """The table of support given without a request (the tab "Stöd utan ärende").

    With no request chosen it is the first table of efforts on the page (the tab comes
    before "Uppföljning"); a read-only table has no key to find it by in AppTest.
    """
    found = [t.value for t in at.dataframe if "effort_id" in t.value.columns]
    first = found[0] if found else None
    proactive = first is not None and set(first["request_id"]) == {"utan ärende (proaktiv)"}
    return first if proactive else None


def test_hr_records_proactive_support_for_a_unit_that_never_asked_and_can_undo_it(register):
    db, ids = register
    at = _as(db, auth.HR)
    assert _proactive(at) is None  # the fixture's only effort answers L1's request
    started = TODAY - dt.timedelta(days=2)
    _in_form(at, "proactive_effort_0", "Enhet").set_value("S1")
    _in_form(at, "proactive_effort_0", "Stödfunktion").set_value("EH")
    at.selectbox(key="proactive_effort_0_type").set_value("advice")
    at.selectbox(key="proactive_effort_0_status").set_value("in_progress")
    at.date_input(key="proactive_effort_0_start").set_value(started)
    at.number_input(key="proactive_effort_0_hours").set_value(3.5)
    _submit(at, "proactive_effort_0", "Registrera stödet utan ärende")
    assert "utan ärende (proaktiv)" in texts(at) and "kan ångras" in texts(at)
    shown = _proactive(at)
    # one row: Söderskolan, EH's advice of 3.5 hours, no request, in progress, no feedback yet
    assert shown[
        ["request_id", "unit_name", "support_function", "effort_type", "hours", "status"]
    ].values.tolist() == [
        ["utan ärende (proaktiv)", "Söderskolan", "EH", "Rådgivning", 3.5, "Pågår"]
    ]
    assert shown["start_date"].tolist() == [started.isoformat()]
    conn = store.connect(db, read_only=True)
    stored = read.efforts(conn, q.Scope.everything()).filter(pl.col("request_id").is_null())
    assert stored.select("unit_id", "hours", "status").rows() == [("S1", 3.5, "in_progress")]
    events = audit.list_events(conn, action=audit.SUPPORT_SAVED)
    assert events["target"].to_list()[0] == "S1"
    conn.close()
    # the form starts empty again; the change is the newest in the undo list and can be undone
    assert _in_form(at, "proactive_effort_1", "Enhet").value is None
    assert _frame(at, "batch_id")["what"].tolist()[0].startswith("stödinsats I-")
    at.button(key="sr_undo").click().run()
    assert not at.exception
    assert _proactive(at) is None


def test_proactive_support_without_a_unit_or_a_function_is_refused_in_swedish(register):
    db, ids = register
    at = _as(db, auth.HR)
    _submit(at, "proactive_effort_0", "Registrera stödet utan ärende")
    assert (
        "Sparades inte: Enhet: välj en enhet; en insats gäller alltid en enhet; "
        "Stödfunktion: välj en stödfunktion." in texts(at)
    )
    conn = store.connect(db, read_only=True)
    # nothing written: the fixture's one effort only
    assert read.efforts(conn, q.Scope.everything()).height == 1
    conn.close()


def test_a_support_function_records_proactive_support_only_for_its_own_function(register):
    db, ids = register
    at = _as(db, auth.SUPPORT, functions=["EH"])
    box = _in_form(at, "proactive_effort_0", "Stödfunktion")
    assert (box.options, box.value) == (["EH"], "EH")  # its only function, already chosen
    conn = store.connect(db)
    ok, message = view.submit_effort(
        conn,
        q.Scope.for_functions(["EH"]),
        {
            "request_id": view.PROACTIVE,
            "unit_id": "E1",
            "support_function": "HR",
            "effort_type": "advice",
            "start_date": TODAY,
            "status": "planned",
        },
        None,
    )
    assert (ok, message) == (
        False,
        "Sparades inte: stödfunktionen 'HR' är inte din; du registrerar för EH.",
    )
    assert read.efforts(conn, q.Scope.everything()).height == 1
    conn.close()


def test_a_principal_sees_no_form_but_agrees_feedback_on_proactive_support_for_their_unit(
    register,
):
    db, ids = register
    conn = store.connect(db)
    given = form.record_effort(
        conn,
        q.Scope.everything(),
        {
            "unit_id": "E1",
            "support_function": "HR",
            "effort_type": "training",
            "start_date": TODAY - dt.timedelta(days=7),
            "hours": 2,
            "status": "in_progress",
        },
        user="hr",
    )
    form.record_effort(  # another unit's proactive support: not the principal's
        conn,
        q.Scope.everything(),
        {
            "unit_id": "S1",
            "support_function": "EH",
            "effort_type": "advice",
            "start_date": TODAY,
            "status": "planned",
        },
        user="hr",
    )
    conn.close()
    q.clear_cache()
    at = _as(db, auth.PRINCIPAL, unit="E1")
    assert not [s for s in at.selectbox if s.form_id == "proactive_effort_0"]
    assert _proactive(at)["effort_id"].tolist() == [given.row_id]
    at.radio(key="pr_feedback_score").set_value(5)
    at.text_input(key="pr_feedback_note").set_value("Utbildningen gav mycket.")
    _submit(at, "proactive_feedback", "Spara återkopplingen")
    conn = store.connect(db, read_only=True)
    row = read.current_row(conn, q.Scope.everything(), "support_effort", given.row_id)
    # feedback agreed: the effort is done, ended today, 5 and the note
    assert (row["status"], row["end_date"], row["feedback_score"], row["feedback_note"]) == (
        "done",
        TODAY,
        5,
        "Utbildningen gav mycket.",
    )
    conn.close()


# ---- themes on a new request ----------------------------------------------------------------


def test_a_request_filed_with_two_themes_stores_their_ids_and_lists_their_labels(register):
    db, ids = register
    at = _as(db, auth.PRINCIPAL, unit="E1")
    picker = [m for m in at.multiselect if m.label == "Gemensamma teman (valfritt)"][0]
    # the active themes of the default list, ids 1..11
    assert len(picker.options) == 11
    picker.set_value([5, 2])  # Elevhälsa, Rekrytering av speciallärare
    [s for s in at.selectbox if s.label == "Stödfunktion som tillfrågas"][0].set_value("HR")
    _submit(at, "new_request_0", "Registrera ärendet")
    conn = store.connect(db, read_only=True)
    newest = read.requests(conn, q.Scope.everything(), unit_id="E1").row(0, named=True)
    assert newest["themes"] == "2;5"  # ids ascending, as the importer stores them
    conn.close()
    listed = _frame(at, "request_id")
    assert listed["themes"].tolist()[0] == "Rekrytering av speciallärare, Elevhälsa"
    assert listed["themes"].tolist()[1] == "–"  # the fixture's E1 request has none


# ---- Dialogue actions past their due date ------------------------------------------------------


@pytest.fixture
def late_actions(register):
    """The register plus E1's dialogue 40 days ago with three actions: one due 12 days ago, one
    due 3 days ago, one due tomorrow; and S1's dialogue with one action due 10 days ago."""
    from kompetens.dialogue import dialogues

    db, ids = register
    conn = store.connect(db)
    everything = q.Scope.everything()
    dialogues.save_dialogue(
        conn,
        everything,
        "E1",
        TODAY - dt.timedelta(40),
        "Anteckningar",
        [
            dialogues.Action("Plan för legitimation", due_date=TODAY - dt.timedelta(12)),
            dialogues.Action("Mentorer till nyanställda", due_date=TODAY - dt.timedelta(3)),
            dialogues.Action("Rekryteringsannons", due_date=TODAY + dt.timedelta(1)),
        ],
        user="vc",
    )
    dialogues.save_dialogue(
        conn,
        everything,
        "S1",
        TODAY - dt.timedelta(40),
        "Anteckningar",
        [dialogues.Action("Schema", due_date=TODAY - dt.timedelta(10))],
        user="vc",
    )
    conn.close()
    q.clear_cache()
    return db, ids


def test_hr_sees_the_open_dialogue_actions_past_their_date_longest_overdue_first(late_actions):
    db, _ = late_actions
    at = _as(db, auth.HR)
    late = _frame(at, "Dagar sedan")
    # How late comes right after the unit, so it stays in view on a narrow screen.
    assert list(late.columns[:3]) == ["Enhet", "Dagar sedan", "Klar senast"]
    # Three actions past their date: E1's 12 and 3 days, S1's 10 days; E1's due tomorrow is
    # not late yet.
    assert late[["Enhet", "Åtgärd", "Dagar sedan"]].values.tolist() == [
        ["Ekskolan", "Plan för legitimation", 12],
        ["Söderskolan", "Schema", 10],
        ["Ekskolan", "Mentorer till nyanställda", 3],
    ]


def test_a_principal_sees_only_the_late_actions_of_their_own_unit(late_actions):
    db, _ = late_actions
    at = _as(db, auth.PRINCIPAL, unit="S1")
    late = _frame(at, "Dagar sedan")
    assert late[["Enhet", "Åtgärd", "Dagar sedan"]].values.tolist() == [
        ["Söderskolan", "Schema", 10]
    ]
