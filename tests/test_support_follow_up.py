"""Follow-up of the support register on the small fixture: each function's load per month, the
open report-backs ("vem återrapporterar vi till"), and the pages that show them.

Units: E1 Ekskolan and L1 Lärkans förskola in Norr, S1 in Söder. The register:

    request  unit  date        topic                function  status     report to        efforts (feedback)
    A1       E1    2025-06-01  Rekrytering          HR        klar       Områdeschef      I1 10 h (4)
    A2       E1    2025-06-10  Arbetsmiljö          HR        mottagen   Rektor           –
    A3       L1    2025-07-01  Kompetensutveckling  PC        klar       Ledningsgruppen  I2 8 h (none)
    A4       S1    2025-07-05  Elevhälsa            EH        avböjd     Rektor           –
    A5       S1    2025-08-01  IT                   PC        pågår      (none)           –
    –        S1    proactive                        EH                                  I3 5 h, from 2025-07-20

Open report-backs: A2 (still open) and A3 (done, but no feedback agreed). Not A1 (done with
feedback), A4 (declined), A5 (nobody to report to).
"""

from __future__ import annotations

import shutil

import pytest

from kompetens.core import store
from kompetens.ingest import import_bytes
from kompetens.query import Scope, clear_cache
from kompetens.query import support_register as read
from tests.app_support import run_page, texts

REQUESTS = (
    "request_id;unit_id;request_date;asker_role;channel;topic;support_function;status;report_to;"
    "description\n"
    "A1;E1;2025-06-01;rektor;dialog;Rekrytering;HR;klar;Områdeschef;Svårt att rekrytera\n"
    "A2;E1;2025-06-10;rektor;funktionsbrevlåda;Arbetsmiljö;HR;mottagen;Rektor;*inte fetstil*\n"
    "A3;L1;2025-07-01;rektor;dialog;Kompetensutveckling;PC;klar;Ledningsgruppen;\n"
    "A4;S1;2025-07-05;rektor;nätverk;Elevhälsa;EH;avböjd;Rektor;\n"
    "A5;S1;2025-08-01;rektor;beställning;IT;PC;pågår;;\n"
)
EFFORTS = (
    "effort_id;request_id;unit_id;support_function;start_date;end_date;effort_type;hours;status;"
    "feedback_score;feedback_note\n"
    "I1;A1;E1;HR;2025-06-15;2025-06-30;rekryteringsstöd;10;klar;4;Bra stöd\n"
    "I2;A3;L1;PC;2025-07-10;2025-08-20;utbildning;8;klar;;\n"
    "I3;;S1;EH;2025-07-20;;handledning;5;pågår;;\n"
)


@pytest.fixture
def db(small_db, tmp_path):
    target = tmp_path / "small.duckdb"
    shutil.copy(small_db, target)
    connection = store.connect(target)
    try:
        import_bytes(connection, REQUESTS.encode(), "stod.csv", user="test")
        import_bytes(connection, EFFORTS.encode(), "insatser.csv", user="test")
    finally:
        connection.close()
    clear_cache()
    return target


@pytest.fixture
def conn(db):
    connection = store.connect(db)
    yield connection
    connection.close()


def test_each_functions_load_counts_requests_by_date_and_effort_hours_by_start_month(conn):
    load = read.load(conn, Scope.everything())
    got = {
        (r["support_function"], r["month"]): (r["requests"], r["efforts"], r["hours"])
        for r in load.iter_rows(named=True)
    }
    assert got == {
        ("EH", "2025-07"): (1, 1, 5.0),  # A4; the proactive I3
        ("HR", "2025-06"): (2, 1, 10.0),  # A1 and A2; I1
        ("PC", "2025-07"): (1, 1, 8.0),  # A3; I2 (all its hours in its start month)
        ("PC", "2025-08"): (1, 0, 0.0),  # A5, no effort yet
    }
    norr = read.load(conn, Scope.for_areas("Norr"), function="PC")
    assert norr.select("month", "requests").rows() == [("2025-07", 1)]  # A5 is Söder's


def test_a_report_back_is_open_until_declined_or_done_with_agreed_feedback(conn):
    owed = read.open_report_backs(conn, Scope.everything())
    assert owed["request_id"].to_list() == ["A2", "A3"]  # oldest first
    assert owed["report_to"].to_list() == ["Rektor", "Ledningsgruppen"]
    assert owed["with_feedback"].to_list() == [0, 0]
    assert read.open_report_backs(conn, Scope.for_areas("Söder")).height == 0
    assert read.open_report_backs(conn, Scope.everything(), function="PC")[
        "request_id"
    ].to_list() == ["A3"]


def test_the_dialogue_lists_the_support_the_unit_asked_for_and_received(db):
    at = run_page(db, "views/dialog.py", query_params={"ar": "2025", "enhet": "E1"})
    assert not at.exception
    assert "Stöd som enheten bett om och fått" in texts(at)
    asked = next(f.value for f in at.dataframe if "asker_role" in f.value.columns)
    assert asked["request_id"].tolist() == ["A2", "A1"]  # newest first
    assert asked["status"].tolist() == ["Mottagen", "Klar"]
    assert asked["hours"].tolist() == [0.0, 10.0]  # A2 has no effort yet
    # Free text is a table cell, as typed: the asterisks are not turned into bold.
    assert asked["description"].tolist() == ["*inte fetstil*", "Svårt att rekrytera"]
    given = next(f.value for f in at.dataframe if "effort_type" in f.value.columns)
    row = given.iloc[0]
    assert (row["effort_id"], row["support_function"], row["hours"]) == ("I1", "HR", 10.0)
    assert (row["start_date"], row["end_date"], row["feedback_score"], row["feedback_note"]) == (
        "2025-06-15",
        "2025-06-30",
        "4",
        "Bra stöd",
    )
    assert "2 ärenden och 1 insats i stödregistret" in texts(at)


def test_oversikt_names_the_quadrant_and_offers_its_download(db):
    from kompetens.access import auth

    # The need-versus-support fixture of tests/test_support_need_quadrant.py: E1 and L1 share
    # rank 1 (both high need); here both asked or got support in 2025, so the quadrant is empty
    # unless a request is undone. L1 (A3, I2) and E1 (A1, A2, I1) are out of it.
    at = run_page(db, "views/oversikt.py", query_params={"ar": "2025"})
    assert not at.exception
    shown = texts(at)
    assert "De som inte ber om stöd – högt behov, inget stöd begärt eller givet" in shown
    assert "Alla enheter med högt stödbehov har begärt eller fått stöd" in shown
    # The whole need-against-support table as CSV and Excel, for the leadership group.
    buttons = " ".join(str(b.proto) for b in at.get("download_button"))
    assert "overview_need_support_csv" in buttons and "overview_need_support_xlsx" in buttons
    # HR sees the open report-backs themselves; leadership sees how many per function.
    assert "öppna återrapporteringar (2)" in " ".join(e.label for e in at.expander)
    owed = next(f.value for f in at.dataframe if "report_to" in f.value.columns)
    assert owed["request_id"].tolist() == ["A2", "A3"]
    at.selectbox(key="demo_roll").set_value(auth.LEADERSHIP).run()
    assert not at.exception
    summary = next(f.value for f in at.dataframe if "open" in f.value.columns)
    assert summary.to_dict("list") == {"support_function": ["HR", "PC"], "open": [1, 1]}
    assert not any("report_to" in f.value.columns for f in at.dataframe)


def test_oversikt_names_the_unit_with_high_need_that_never_asked(small_db):
    # Without a register L1 and E1 (rank 1, high need) neither asked nor got support.
    clear_cache()
    at = run_page(small_db, "views/oversikt.py", query_params={"ar": "2025"})
    assert not at.exception
    assert (
        "2 enheter med högt stödbehov (översta fjärdedelen) har varken begärt eller fått stöd"
        in texts(at)
    )
    listed = next(
        f.value
        for f in at.dataframe
        if {"unit_name", "rank"} <= set(f.value.columns) and "drivers" not in f.value.columns
    )
    assert sorted(listed["unit_name"].tolist()) == ["Ekskolan", "Lärkans förskola"]
