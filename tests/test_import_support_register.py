"""The support register's two kinds import like every other kind: Swedish headers and values,
lists from the database, free text cleaned of personnummer, clear Swedish errors, undo."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import xlsxwriter

from kompetens.core import store, support_register
from kompetens.ingest import ImportRejected, free_text, import_bytes, undo_batch
from kompetens.ingest.templates import template_headers
from tests.import_fixtures import (  # noqa: F401  (fixture)
    current,
    database_contents,
    isolate_importer_from_hooks,
    seeded_db,
    with_check_digit,
)

REQUEST_HEADER = (
    "Ärende-id;Enhets-id;Datum för begäran;Frågeställarens roll;Kanal;Ämne;Beskrivning;"
    "Stödfunktion;Återrapportering till;Status\n"
)
EFFORT_HEADER = (
    "Insats-id;Ärende-id;Enhets-id;Stödfunktion;Startdatum;Slutdatum;Insatstyp;Timmar;Status;"
    "Återkoppling (1–5);Återkoppling, kommentar\n"
)
#: A valid personnummer (check digit computed) to hide in free text.
TEN = with_check_digit("800101123")
PNR = f"19{TEN[:6]}-{TEN[6:]}"


def _requests(*rows: str) -> bytes:
    return (REQUEST_HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


def _efforts(*rows: str) -> bytes:
    return (EFFORT_HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


def _issues(caught) -> list[tuple]:
    return [(i.row, i.column, i.message) for i in caught.value.issues]


def test_a_swedish_request_file_is_detected_and_stored_with_codes_and_list_spellings():
    conn = seeded_db()
    result = import_bytes(
        conn,
        _requests(
            "A1;U1;2025-03-02;Rektor;Funktionsbrevlåda;rekrytering;Svårt att rekrytera.;hr;Områdeschef;Mottagen",
            "A2;U2;2025-03-05;Biträdande rektor;Dialog;BEHÅLLA;;Admin & Juridik;;Pågår",
        ),
        "stodarenden.csv",
        user="test",
    )
    assert (result.kind, result.rows_written) == ("support_request", 2)
    rows = current(conn, "support_request", "request_id")
    # Codes become the contract's; list values are stored as the list spells them.
    assert [
        (r["asker_role"], r["channel"], r["topic"], r["support_function"], r["status"])
        for r in rows
    ] == [
        ("principal", "mailbox", "Rekrytering", "HR", "received"),
        ("deputy_principal", "dialogue", "Behålla", "Admin & juridik", "in_progress"),
    ]
    assert rows[0]["request_date"] == date(2025, 3, 2)


def test_a_personnummer_in_a_description_is_removed_before_storage_and_an_email_is_warned_about():
    conn = seeded_db()
    text = f"Gäller en lärare med {PNR}, svara till rektor.u1@skola.se"
    result = import_bytes(
        conn,
        _requests(f"A1;U1;2025-03-02;Rektor;Dialog;IT;{text};HR;;Mottagen"),
        "stod.csv",
        user="test",
    )
    stored = current(conn, "support_request", "request_id")[0]["description"]
    assert stored == "Gäller en lärare med [personnummer borttaget], svara till rektor.u1@skola.se"
    assert PNR not in str(database_contents(conn))
    assert any("liknar ett personnummer (rad 2)" in w for w in result.warnings)
    assert any("liknar en e-postadress (rad 2)" in w for w in result.warnings)


def test_free_text_keeps_dates_and_amounts_but_strips_every_spelling_of_a_personnummer():
    ten = TEN
    spaced = f"{ten[:6]} {ten[6:]}"
    dashed = f"19{ten[:6]}\u2013{ten[6:]}"  # en dash, as a word processor writes it
    for spelling in (ten, spaced, dashed):
        assert free_text.strip_personnummer(f"nr {spelling}.") == (
            f"nr {free_text.REMOVED}.",
            1,
        ), spelling
    kept = "Möte 2025-03-02, kostnad 1 500 kr, 12 timmar."
    assert free_text.strip_personnummer(kept) == (kept, 0)


def test_an_unknown_function_a_future_date_and_an_unknown_unit_are_refused_in_swedish():
    conn = seeded_db()
    before = database_contents(conn)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    with pytest.raises(ImportRejected) as caught:
        import_bytes(
            conn,
            _requests(
                "A1;U1;2025-03-02;Rektor;Dialog;Rekrytering;;HRR;;Mottagen",
                f"A2;U1;{tomorrow};Rektor;Dialog;Rekrytering;;HR;;Mottagen",
                "A3;U9;2025-03-02;Rektor;Dialog;Rekrytering;;HR;;Mottagen",
                "A4;;2025-03-02;Rektor;Dialog;Rekrytering;;HR;;Mottagen",
            ),
            "stod.csv",
            user="test",
        )
    found = _issues(caught)
    assert found[0][:2] == (2, "Stödfunktion")
    assert "finns inte i listan över stödfunktioner" in found[0][2]
    # the message points to where an administrator adds a value (the Admin page's settings)
    assert "lägger till värden under Admin › Inställningar › Stödregistrets listor" in found[0][2]
    assert "närmast giltiga är 'HR'" in found[0][2]
    assert found[1][:2] == (3, "Datum för begäran")
    assert "datumet ligger i framtiden" in found[1][2]
    assert found[2][:2] == (4, "Enhets-id") and "enheten finns inte" in found[2][2]
    assert found[3] == (5, "Enhets-id", "värde saknas; kolumnen är obligatorisk")
    assert database_contents(conn) == before


def test_a_name_as_the_askers_role_is_refused_since_the_role_is_a_code():
    conn = seeded_db()
    with pytest.raises(ImportRejected) as caught:
        import_bytes(
            conn,
            _requests("A1;U1;2025-03-02;Anna Svensson;Dialog;IT;;HR;;Mottagen"),
            "stod.csv",
            user="test",
        )
    ((row, column, _message),) = _issues(caught)
    assert (row, column) == (2, "Frågeställarens roll")


def test_an_effort_names_an_existing_request_ends_after_it_starts_and_has_feedback_1_to_5_when_done():
    conn = seeded_db()
    import_bytes(
        conn,
        _requests("A1;U1;2025-03-02;Rektor;Dialog;IT;;HR;;Klar"),
        "stod.csv",
        user="test",
    )
    with pytest.raises(ImportRejected) as caught:
        import_bytes(
            conn,
            _efforts(
                "I1;A9;U1;HR;2025-03-05;;Rådgivning;4;Klar;4;",
                "I2;A1;U1;HR;2025-03-05;2025-03-01;Rådgivning;4;Klar;;",
                "I3;A1;U1;HR;2025-03-05;;Rådgivning;4;Klar;6;",
                "I4;A1;U1;HR;2025-03-05;;Rådgivning;4;Pågår;3;",
            ),
            "insatser.csv",
            user="test",
        )
    found = _issues(caught)
    assert [(r, c) for r, c, _ in found] == [
        (2, "Ärende-id"),
        (3, "Slutdatum"),
        (4, "Återkoppling (1–5)"),
        (5, "Återkoppling (1–5)"),
    ]
    assert "lämna ärende-id tomt för en insats utan ärende" in found[0][2]
    assert found[1][2] == "slutdatumet är före startdatumet (2025-03-05)"
    assert "från 1 (hjälpte inte) till 5" in found[2][2]
    assert "bara ges på en insats som är klar" in found[3][2]
    ok = import_bytes(
        conn,
        _efforts(
            "I1;A1;U1;HR;2025-03-05;2025-03-20;Handledning;12,5;Klar;4;Hjälpte.",
            "I2;;U2;EH;2025-04-01;;Utbildning;;Planerad;;",
        ),
        "insatser.csv",
        user="test",
    )
    assert ok.rows_written == 2
    rows = current(conn, "support_effort", "effort_id")
    assert [(r["request_id"], r["hours"], r["feedback_score"]) for r in rows] == [
        ("A1", 12.5, 4),
        (None, None, None),  # proactive: no request
    ]


def test_a_new_status_replaces_the_request_and_undo_brings_the_old_one_back():
    conn = seeded_db()
    first = import_bytes(
        conn, _requests("A1;U1;2025-03-02;Rektor;Dialog;IT;;HR;;Mottagen"), "a.csv", user="t"
    )
    second = import_bytes(
        conn, _requests("A1;U1;2025-03-02;Rektor;Dialog;IT;;HR;;Klar"), "b.csv", user="t"
    )
    assert (second.rows_written, second.rows_replaced) == (1, 1)
    assert [r["status"] for r in current(conn, "support_request", "request_id")] == ["done"]
    undo_batch(conn, second.batch_id, user="t")
    assert [r["status"] for r in current(conn, "support_request", "request_id")] == ["received"]
    assert first.batch_id < second.batch_id


def test_a_topic_added_to_the_list_is_accepted_and_a_duplicate_is_refused():
    conn = seeded_db()
    with pytest.raises(ImportRejected):
        import_bytes(
            conn,
            _requests("A1;U1;2025-03-02;Rektor;Dialog;Speciallärare;;HR;;Mottagen"),
            "a.csv",
            user="t",
        )
    support_register.add_list_value(conn, "topic", "Speciallärare", user="admin")
    with pytest.raises(ValueError, match="finns redan"):
        support_register.add_list_value(conn, "topic", "speciallarare", user="admin")
    assert support_register.list_values(conn, "topic")[:5] == list(support_register.ARUBA_TOPICS)
    assert support_register.list_values(conn, "topic")[-1] == "Speciallärare"
    result = import_bytes(
        conn,
        _requests("A1;U1;2025-03-02;Rektor;Dialog;Speciallärare;;HR;;Mottagen"),
        "a.csv",
        user="t",
    )
    assert result.rows_written == 1


def test_an_added_topic_can_be_removed_while_unused_but_not_a_default_or_one_in_use():
    conn = seeded_db()
    support_register.add_list_value(conn, "topic", "Specialärare", user="admin")  # misspelt
    support_register.add_list_value(conn, "topic", "Speciallärare", user="admin")
    assert support_register.removable_values(conn, "topic") == ["Specialärare", "Speciallärare"]
    # Matched as every list value is: ignoring case and accents.
    assert support_register.remove_list_value(conn, "topic", "SPECIALARARE") == "Specialärare"
    assert support_register.list_values(conn, "topic")[-1] == "Speciallärare"
    with pytest.raises(ValueError, match="'Elevhälsa' hör till standardlistan"):
        support_register.remove_list_value(conn, "topic", "Elevhälsa")
    with pytest.raises(ValueError, match="'Attrahera' hör till standardlistan"):
        support_register.remove_list_value(conn, "topic", "Attrahera")
    with pytest.raises(ValueError, match="'Ekonomi' finns inte bland de tillagda"):
        support_register.remove_list_value(conn, "function", "Ekonomi")
    import_bytes(
        conn,
        _requests("A1;U1;2025-03-02;Rektor;Dialog;Speciallärare;;HR;;Mottagen"),
        "a.csv",
        user="t",
    )
    with pytest.raises(ValueError, match="'Speciallärare' används av 1 ärende eller insats"):
        support_register.remove_list_value(conn, "topic", "Speciallärare")
    assert support_register.list_values(conn, "topic")[-1] == "Speciallärare"


def test_the_swedish_template_comes_back_as_an_xlsx_with_one_request():
    conn = seeded_db()
    headers = template_headers("support_request", "sv")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Stödärenden")
    sheet.write_row(0, 0, headers)
    sheet.write_row(
        1,
        0,
        ["A1", "U1", "2025-03-02", "Rektor", "Nätverk", "Elevhälsa", "", "EH", "", "Planerad"],
    )
    book.close()
    result = import_bytes(conn, buffer.getvalue(), "stod.xlsx", user="t")
    assert (result.kind, result.rows_written) == ("support_request", 1)
    assert store.scalar(conn, "SELECT status FROM current_support_request") == "planned"
