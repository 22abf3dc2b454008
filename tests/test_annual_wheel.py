"""The annual wheel: round dates saved, refused, undone and audited; the calendar assembled by hand.

The seed units: U1 Åkerskolan and U3 Östra gymnasiet in "Norra området", U2 Ängens förskola
and U4 Älvdalens anpassade grundskola in "Södra området". "Today" is 2026-11-10, in the
autumn term HT2026 (2026-07-01 – 2026-12-31).
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from kompetens.access import audit
from kompetens.dialogue import dialogues
from kompetens.dialogue import support_register as support_form
from kompetens.present import calendar_file
from kompetens.query import Scope, ScopeError
from kompetens.query import annual_wheel as wheel
from kompetens.query import dialogue_rounds as rounds
from tests.import_fixtures import seeded_db

NORTH = Scope.for_areas("Norra området")
SOUTH = Scope.for_areas("Södra området")
PRINCIPAL_U1 = Scope.for_units({"U1"}, {"Norra området"})
EVERYTHING = Scope.everything()
TODAY = dt.date(2026, 11, 10)
D = dt.date


def _wheel_db():
    """The seed units with rounds, dialogues and one support request (see each comment)."""
    conn = seeded_db()
    rounds.save_rounds(
        conn,
        NORTH,
        "Norra området",
        "HT2026",
        [
            rounds.Round(D(2026, 9, 14), D(2026, 9, 25)),
            rounds.Round(D(2026, 11, 16), D(2026, 11, 27), "Fokus: rekrytering"),
        ],
        "vc.norr@kommun.se",
        role="area_manager",
    )
    rounds.save_rounds(
        conn,
        SOUTH,
        "Södra området",
        "HT2026",
        [{"start_date": "2026-10-05", "end_date": "2026-10-09"}],
        "vc.syd@kommun.se",
    )
    # U1: a dialogue this term with two open actions (one overdue on 2026-11-01, one due 12-01).
    dialogues.save_dialogue(
        conn,
        EVERYTHING,
        "U1",
        D(2026, 9, 15),
        "Anteckningar",
        [
            dialogues.Action("Rekryteringsplan", due_date=D(2026, 11, 1)),
            dialogues.Action("Handledarutbildning", due_date=D(2026, 12, 1)),
        ],
        user="vc",
    )
    # U3: last term's dialogue only, with an action still open, due 2026-12-01.
    dialogues.save_dialogue(
        conn,
        EVERYTHING,
        "U3",
        D(2026, 5, 20),
        None,
        [dialogues.Action("Schemaöversyn", due_date=D(2026, 12, 1))],
        user="vc",
    )
    # U2: notes this term and an action already done (never in the calendar).
    saved = dialogues.save_dialogue(
        conn,
        EVERYTHING,
        "U2",
        D(2026, 10, 6),
        "Anteckningar",
        [dialogues.Action("Klart redan", due_date=D(2026, 10, 20))],
        user="vc",
    )
    dialogues.set_action_status(conn, EVERYTHING, saved.action_ids[0], "klar", user="vc")
    # U4: an unanswered support request of 2026-11-01: an answer is due 14 days later, 11-15.
    support_form.file_request(
        conn,
        EVERYTHING,
        {
            "unit_id": "U4",
            "request_date": D(2026, 11, 1),
            "asker_role": "principal",
            "channel": "dialogue",
            "topic": "Rekrytering",
            "description": "Behöver stöd.",
            "support_function": "HR",
        },
        user="rektor",
    )
    return conn


# --- storage -------------------------------------------------------------------------------


def test_terms_cover_every_date_once_and_read_as_swedish_schools_write_them():
    assert rounds.term_of(D(2026, 6, 30)) == "VT2026"
    assert rounds.term_of(D(2026, 7, 1)) == "HT2026"
    assert rounds.term_bounds("ht 2026") == (D(2026, 7, 1), D(2026, 12, 31))
    assert rounds.term_bounds("VT2027") == (D(2027, 1, 1), D(2027, 6, 30))
    assert rounds.term_label("HT2026") == "HT 2026"
    assert rounds.terms_between(D(2026, 3, 1), D(2027, 2, 1)) == ["VT2026", "HT2026", "VT2027"]
    with pytest.raises(ValueError, match="okänd termin"):
        rounds.parse_term("hösten 2026")


def test_saved_rounds_are_in_force_in_date_order_and_the_save_is_audited():
    conn = _wheel_db()
    now = rounds.current_rounds(conn, EVERYTHING)
    assert now.select("area", "term", "round_no", "start_date", "end_date").rows() == [
        ("Norra området", "HT2026", 1, D(2026, 9, 14), D(2026, 9, 25)),
        ("Södra området", "HT2026", 1, D(2026, 10, 5), D(2026, 10, 9)),
        ("Norra området", "HT2026", 2, D(2026, 11, 16), D(2026, 11, 27)),
    ]
    logged = audit.list_events(conn, action=audit.DIALOGUE_ROUNDS_SAVED).sort("target")
    assert logged.select("user_email", "role", "target").rows() == [
        ("vc.norr@kommun.se", "area_manager", "Norra området"),
        ("vc.syd@kommun.se", None, "Södra området"),
    ]
    assert '"termin": "HT2026"' in logged["details"][0]


def test_a_principal_sees_the_own_areas_rounds_and_an_area_manager_only_the_own_area():
    conn = _wheel_db()
    assert set(rounds.current_rounds(conn, PRINCIPAL_U1)["area"]) == {"Norra området"}
    assert set(rounds.current_rounds(conn, SOUTH)["area"]) == {"Södra området"}
    with pytest.raises(ScopeError):
        rounds.current_rounds(conn, SOUTH, area="Norra området")


def test_only_an_area_or_organisation_scope_covering_the_area_may_set_its_rounds():
    conn = _wheel_db()
    one = [rounds.Round(D(2027, 2, 1), D(2027, 2, 5))]
    with pytest.raises(ScopeError):
        rounds.save_rounds(conn, SOUTH, "Norra området", "VT2027", one, "vc.syd")
    with pytest.raises(ScopeError):  # a principal's comparison area is not theirs to set
        rounds.save_rounds(conn, PRINCIPAL_U1, "Norra området", "VT2027", one, "rektor")
    with pytest.raises(ScopeError):  # an unknown area is refused like one outside the scope
        rounds.save_rounds(conn, EVERYTHING, "Västra området", "VT2027", one, "hr")
    assert rounds.save_rounds(conn, EVERYTHING, "Norra området", "VT2027", one, "hr").change_id


def test_rounds_that_break_a_rule_are_refused_with_every_problem_in_swedish_and_nothing_written():
    conn = _wheel_db()
    before = rounds.round_changes(conn, EVERYTHING).height
    with pytest.raises(rounds.RoundsRejected) as refused:
        rounds.save_rounds(
            conn,
            NORTH,
            "Norra området",
            "VT2027",
            [
                {"start_date": "2027-03-10", "end_date": "2027-03-01"},  # ends before it starts
                {"start_date": "2027-08-01", "end_date": "2027-08-02"},  # outside VT 2027
                {"start_date": "inte ett datum", "end_date": ""},
                {"start_date": "2027-02-01", "end_date": "2027-02-10"},
                {"start_date": "2027-02-08", "end_date": "2027-02-12"},  # overlaps the one above
            ],
            "vc",
        )
    assert refused.value.messages == [
        "Omgång 1: sista dagen 2027-03-01 är före första dagen 2027-03-10",
        "Omgång 2: 2027-08-01–2027-08-02 ligger utanför VT 2027 (2027-01-01–2027-06-30)",
        "Omgång 3, första dag: 'inte ett datum' är inget datum; skriv ÅÅÅÅ-MM-DD",
        "Omgångarna 2027-02-01–2027-02-10 och 2027-02-08–2027-02-12 överlappar",
    ]
    assert rounds.round_changes(conn, EVERYTHING).height == before


def test_a_one_day_round_needs_only_its_first_day_and_empty_form_rows_are_skipped():
    checked = rounds.check_rounds(
        "VT2027",
        [{"start_date": "2027-02-03", "end_date": None}, {"start_date": "", "end_date": ""}],
    )
    assert checked == [rounds.Round(D(2027, 2, 3), D(2027, 2, 3))]


def test_saving_the_rounds_in_force_again_changes_nothing():
    conn = _wheel_db()
    again = rounds.save_rounds(
        conn,
        SOUTH,
        "Södra området",
        "HT2026",
        [rounds.Round(D(2026, 10, 5), D(2026, 10, 9))],
        "vc.syd",
    )
    assert again.change_id is None
    assert "Inget ändrades" in again.message()


def test_undo_brings_back_the_rounds_before_and_a_replaced_change_cannot_be_undone():
    conn = _wheel_db()
    first = rounds.round_changes(conn, NORTH)["change_id"][0]
    moved = rounds.save_rounds(
        conn,
        NORTH,
        "Norra området",
        "HT2026",
        [rounds.Round(D(2026, 9, 21), D(2026, 10, 2))],
        "vc.norr",
    )
    assert rounds.current_rounds(conn, NORTH)["start_date"].to_list() == [D(2026, 9, 21)]
    with pytest.raises(rounds.UndoRefused, match=f"ändring {moved.change_id} har ersatt den"):
        rounds.undo_change(conn, NORTH, first, "vc.norr")
    with pytest.raises(ScopeError):
        rounds.undo_change(conn, SOUTH, moved.change_id, "vc.syd")
    message = rounds.undo_change(conn, NORTH, moved.change_id, "vc.norr", role="area_manager")
    assert message == f"Ändring {moved.change_id} (Norra området HT 2026) är ångrad."
    assert rounds.current_rounds(conn, NORTH)["start_date"].to_list() == [
        D(2026, 9, 14),
        D(2026, 11, 16),
    ]
    assert audit.list_events(conn, action=audit.DIALOGUE_ROUNDS_UNDONE)["target"].to_list() == [
        "Norra området"
    ]
    with pytest.raises(rounds.UndoRefused, match="redan ångrad"):
        rounds.undo_change(conn, NORTH, moved.change_id, "vc.norr")


# --- the calendar --------------------------------------------------------------------------


def test_the_deliveries_of_a_year_are_twelve_exports_the_survey_skolverket_and_kolada():
    found = wheel.delivery_events(D(2026, 1, 1), D(2026, 12, 31))
    # 12 monthly exports (the 5th) + the survey window + 15 October + Kolada's April = 15
    assert found.height == 15
    assert found.filter(pl_kind("skolverket"))["start"].to_list() == [D(2026, 10, 15)]
    survey = found.filter(pl_kind("employee_survey")).row(0, named=True)
    assert (survey["start"], survey["end"]) == (D(2026, 10, 1), D(2026, 11, 30))
    assert "Källa:" in survey["detail"]
    assert found.filter(pl_kind("staff_export"))["start"].dt.day().unique().to_list() == [5]


def pl_kind(delivery_id: str):
    import polars as pl

    return pl.col("uid").str.starts_with(f"delivery-{delivery_id}")


def test_the_organisations_year_holds_rounds_deliveries_open_actions_and_support_follow_ups():
    conn = _wheel_db()
    year = wheel.calendar(conn, EVERYTHING, D(2026, 1, 1), D(2026, 12, 31), today=TODAY)
    # 3 rounds + 15 deliveries + 3 open actions (U2's is done) + 1 answer due = 22
    assert year.height == 22
    assert year["kind"].value_counts().sort("kind").rows() == [
        ("action", 3),
        ("delivery", 15),
        ("round", 3),
        ("support", 1),
    ]
    actions = year.filter(kind="action").select("start", "unit_id", "overdue").rows()
    assert actions == [
        (D(2026, 11, 1), "U1", True),  # due before 2026-11-10
        (D(2026, 12, 1), "U1", False),
        (D(2026, 12, 1), "U3", False),
    ]
    support = year.filter(kind="support").row(0, named=True)
    # requested 2026-11-01 + 14 days = 2026-11-15
    assert (support["start"], support["unit_id"]) == (D(2026, 11, 15), "U4")
    assert support["summary"] == "Svar på stödärende S-2026-0001: Älvdalens anpassade grundskola"
    second = year.filter(kind="round", start=D(2026, 11, 16)).row(0, named=True)
    assert second["summary"] == "Dialogomgång 2 HT 2026 – Norra området"
    assert second["detail"] == "Fokus: rekrytering"
    assert year["start"].is_sorted()


def test_an_area_manager_sees_the_own_area_and_a_principal_the_own_unit():
    conn = _wheel_db()
    north = wheel.calendar(conn, NORTH, D(2026, 1, 1), D(2026, 12, 31), today=TODAY)
    assert set(north["area"].drop_nulls()) == {"Norra området"}
    assert north.filter(kind="action")["unit_id"].to_list() == ["U1", "U1", "U3"]
    assert north.filter(kind="support").height == 0  # U4 is in Södra området
    mine = wheel.calendar(conn, PRINCIPAL_U1, D(2026, 1, 1), D(2026, 12, 31), today=TODAY)
    assert set(mine.filter(kind="action")["unit_id"]) == {"U1"}
    assert mine.filter(kind="round").height == 2  # the own area's rounds
    with pytest.raises(ScopeError):
        wheel.calendar(conn, NORTH, D(2026, 1, 1), D(2026, 12, 31), area="Södra området")


def test_leadership_sees_follow_ups_counted_per_area_without_their_text():
    conn = _wheel_db()
    year = wheel.calendar(
        conn, EVERYTHING, D(2026, 1, 1), D(2026, 12, 31), today=TODAY, role="leadership"
    )
    assert year.filter(kind="action").select("start", "summary", "unit_id").rows() == [
        (D(2026, 11, 1), "1 åtgärd från dialogerna ska vara klara – Norra området", None),
        (D(2026, 12, 1), "2 åtgärder från dialogerna ska vara klara – Norra området", None),
    ]
    assert year.filter(kind="support")["summary"].to_list() == [
        "1 stödärende väntar på svar – Södra området"
    ]
    assert not year["detail"].str.contains("Rekryteringsplan|Behöver stöd").any()
    assert wheel.actions_due(conn, EVERYTHING, today=TODAY, role="leadership").rows() == [
        ("Norra området", 1, 2)  # overdue: U1's of 11-01; due within 30 days: the two of 12-01
    ]


def test_upcoming_dates_run_a_year_from_today_and_keep_a_round_under_way():
    conn = _wheel_db()
    ahead = wheel.upcoming(conn, EVERYTHING, today=TODAY)  # 2026-11-10 .. 2027-11-10
    # round 2 (11-16..11-27) + exports Dec 2026..Nov 2027 (12) + survey 2026 (ends 11-30) and
    # 2027 + Skolverket 2027 + Kolada 2027 + the two actions of 12-01 + the answer of 11-15 = 20
    assert ahead.height == 20
    assert ahead.filter(kind="round").height == 1
    assert ahead.filter(kind="delivery").height == 16
    under_way = wheel.upcoming(conn, EVERYTHING, today=D(2026, 11, 20)).filter(kind="round")
    assert under_way["start"].to_list() == [D(2026, 11, 16)]


def test_uids_are_stable_when_the_calendar_is_made_again_and_unique():
    conn = _wheel_db()
    once = wheel.upcoming(conn, EVERYTHING, today=TODAY)
    again = wheel.upcoming(conn, EVERYTHING, today=TODAY)
    assert once["uid"].to_list() == again["uid"].to_list()
    assert once["uid"].n_unique() == once.height
    assert "round-norra-omradet-ht2026-2@arshjul.kompetens" in once["uid"].to_list()


def test_which_units_had_their_dialogue_this_term_and_which_not_yet():
    conn = _wheel_db()
    status = wheel.dialogue_status(conn, EVERYTHING, "HT2026")
    assert status.select("unit_id", "had_dialogue", "last_dialogue").rows() == [
        ("U3", False, None),  # its dialogue of 2026-05-20 was last term
        ("U4", False, None),
        ("U1", True, D(2026, 9, 15)),
        ("U2", True, D(2026, 10, 6)),
    ]
    assert wheel.dialogue_status(conn, NORTH, "HT2026")["unit_id"].to_list() == ["U3", "U1"]
    assert wheel.dialogue_status(conn, PRINCIPAL_U1, "HT2026")["unit_id"].to_list() == ["U1"]
    assert wheel.dialogue_status(conn, EVERYTHING, "VT2026")["had_dialogue"].sum() == 1  # U3
    assert wheel.dialogue_status_by_area(conn, EVERYTHING, "HT2026").rows() == [
        ("Norra området", 2, 1, 1),
        ("Södra området", 2, 1, 1),
    ]
    with pytest.raises(ScopeError):
        wheel.dialogue_status(conn, EVERYTHING, "HT2026", role="leadership")


def test_actions_due_lists_overdue_and_soon_due_open_actions_of_the_scope():
    conn = _wheel_db()
    due = wheel.actions_due(conn, NORTH, today=TODAY, within_days=30)
    assert due.select("unit_id", "action", "due_date", "overdue").rows() == [
        ("U1", "Rekryteringsplan", D(2026, 11, 1), True),
        ("U1", "Handledarutbildning", D(2026, 12, 1), False),
        ("U3", "Schemaöversyn", D(2026, 12, 1), False),
    ]
    assert wheel.actions_due(conn, NORTH, today=TODAY, within_days=7)["action"].to_list() == [
        "Rekryteringsplan"
    ]


# --- the .ics file -------------------------------------------------------------------------


def test_the_ics_file_parses_back_with_whole_day_events_their_dates_and_uids():
    conn = _wheel_db()
    ahead = wheel.upcoming(conn, NORTH, today=TODAY)
    data = calendar_file.to_ics(
        ahead, name="Årshjul Norra området", stamp=dt.datetime(2026, 11, 10, 8, tzinfo=dt.UTC)
    )
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["x-wr-calname"]) == "Årshjul Norra området"
    events = list(cal.walk("VEVENT"))
    assert len(events) == ahead.height
    by_uid = {str(e["uid"]): e for e in events}
    rnd = by_uid["round-norra-omradet-ht2026-2@arshjul.kompetens"]
    assert rnd.decoded("dtstart") == D(2026, 11, 16)
    assert rnd.decoded("dtend") == D(2026, 11, 28)  # the day after the last day (RFC 5545)
    assert type(rnd.decoded("dtstart")) is dt.date  # a whole-day event, no time
    assert str(rnd["summary"]) == "Dialogomgång 2 HT 2026 – Norra området"
    skolverket = by_uid["delivery-skolverket_measurement-2027-10-15@arshjul.kompetens"]
    assert str(skolverket["summary"]) == "Skolverkets mätdag för personalstatistiken"


# --- the page's pure helpers ---------------------------------------------------------------


def test_swedish_day_spans_and_month_names():
    from kompetens.present.formatting import fmt_day_span, fmt_month_year

    assert fmt_day_span(D(2026, 12, 5), D(2026, 12, 5)) == "5 december"
    assert fmt_day_span(D(2026, 11, 16), D(2026, 11, 27)) == "16–27 november"
    assert fmt_day_span(D(2026, 10, 1), D(2026, 11, 30)) == "1 oktober–30 november"
    assert fmt_day_span(D(2026, 12, 28), D(2027, 1, 3)) == "28 december 2026–3 januari 2027"
    assert fmt_month_year(2027, 3) == "mars 2027"


def test_the_coming_twelve_months_run_across_the_new_year_and_a_year_is_january_to_december():
    from kompetens.ui import annual_wheel_view as awv

    ahead = awv.period_months(awv.AHEAD, D(2026, 12, 2))
    assert ahead[0] == (2026, 12) and ahead[-1] == (2027, 11) and len(ahead) == 12
    assert awv.month_bounds(ahead) == (D(2026, 12, 1), D(2027, 11, 30))
    assert awv.month_bounds(awv.period_months("2026", TODAY)) == (D(2026, 1, 1), D(2026, 12, 31))
    assert list(awv.period_options(D(2026, 12, 2))) == ["ahead", "2026", "2025", "2027"]


def test_a_months_follow_ups_are_counted_with_the_overdue_ones():
    from kompetens.ui import annual_wheel_view as awv

    items = [{"overdue": True}, {"overdue": False}, {"overdue": True}]
    assert awv.follow_up_line(items).endswith("3 uppföljningar, varav **2 försenade**")
    assert awv.follow_up_line([{"overdue": False}]).endswith("1 uppföljning")
