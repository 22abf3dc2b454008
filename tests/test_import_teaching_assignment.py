"""Teaching assignments (the optional kind ``teaching_assignment``) import like every other kind:
Swedish headers and values, clear Swedish errors with nothing written, replacement and undo."""

from __future__ import annotations

import datetime as dt

import pytest
from import_fixtures import (  # noqa: F401 (autouse fixture)
    current,
    database_contents,
    isolate_importer_from_hooks,
    seeded_db,
)

from kompetens.core import store
from kompetens.core.contract import KINDS
from kompetens.ingest import (
    ImportRejected,
    detect_kind,
    import_bytes,
    template_headers,
    undo_batch,
)

SWEDISH_HEADER = (
    "Termin;Anst.nr;Enhetskod;Ämne;Skolform;Årskurser;Undervisningstimmar;Behörig i ämnet\n"
)


def assignments_csv(*rows: str, header: str = SWEDISH_HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode("utf-8")


def test_a_swedish_assignment_file_lands_with_subject_codes_grades_hours_and_flags():
    conn = seeded_db()
    data = assignments_csv(
        "HT2025;A1;U1;Matematik;Grundskola;åk 7-9;4,5;Ja",
        "HT2025;A1;U1;NO-ämnen;Grundskola;högstadiet;6;Nej",
        "HT2025;A2;U1;Svenska som andraspråk;;4-6;3;ja",
        "HT2025;A3;U3;MAT;gymnasieskola;gy;10;Nej",
        "HT2025;A3;U3;specialpedagogik;;;2;Ja",
    )
    result = import_bytes(conn, data, "uppdrag.csv", user="test")
    assert (result.kind, result.rows_written) == ("teaching_assignment", 5)
    rows = current(conn, "teaching_assignment", "employee_id, subject")
    assert [(r["employee_id"], r["subject"], r["grades"], r["hours_per_week"]) for r in rows] == [
        ("A1", "MA", "7-9", 4.5),
        ("A1", "NO", "7-9", 6.0),
        ("A2", "SVA", "4-6", 3.0),
        ("A3", "MA", "gy", 10.0),
        ("A3", "SPEC", None, 2.0),
    ]
    assert [r["qualified"] for r in rows] == [True, False, True, False, True]
    assert [r["school_form"] for r in rows] == [
        "grundskola",
        "grundskola",
        None,
        "gymnasieskola",
        None,
    ]
    # HT2025 is the autumn term: stored as 1 August 2025
    assert {r["snapshot_date"] for r in rows} == {dt.date(2025, 8, 1)}


def test_a_share_of_a_full_time_post_is_accepted_instead_of_hours():
    conn = seeded_db()
    data = assignments_csv(
        "2025-10-15;A1;U1;EN;;;0,25;Ja",
        header="Mätdatum;Anställningsid;Enhet_id;Ämne;Skolform;Årskurs;Andel av heltid;Behörig\n",
    )
    import_bytes(conn, data, "andel.csv", user="test")
    (row,) = current(conn, "teaching_assignment", "subject")
    assert (row["subject"], row["fte_share"], row["hours_per_week"]) == ("EN", 0.25, None)


def test_bad_assignment_rows_are_rejected_in_swedish_naming_row_column_and_value_and_nothing_is_written():
    conn = seeded_db()
    before = database_contents(conn)
    data = assignments_csv(
        "HT2025;A1;U1;Astrologi;;7-9;4;Ja",  # row 2: no such subject
        "HT2025;A1;U1;MA;;7-9;0;Ja",  # row 3: zero hours
        "HT2025;A2;U1;SV;;7-9;;Ja",  # row 4: neither hours nor share
        "HT2025;A2;U9;SV;;7-9;3;Ja",  # row 5: unknown unit
        "HT2025;A3;U1;EN;;7-9;3;Kanske",  # row 6: not a yes/no
    )
    with pytest.raises(ImportRejected) as rejected:
        import_bytes(conn, data, "uppdrag.csv", user="test")
    found = {(i.row, i.column): (i.value, i.message) for i in rejected.value.issues}
    assert found[(2, "Ämne")][0] == "Astrologi"
    assert "MA" in found[(2, "Ämne")][1]  # the valid codes are named
    assert found[(3, "Undervisningstimmar")] == (
        "0",
        "undervisningstimmarna per vecka måste vara större än 0 och högst 40",
    )
    assert found[(4, "Undervisningstimmar")][1] == (
        "ange undervisningstimmar per vecka eller andel av heltid för uppdraget"
    )
    assert found[(5, "Enhetskod")][0] == "U9"
    assert found[(6, "Behörig i ämnet")][0] == "Kanske"
    assert "Ingenting har skrivits" in str(rejected.value)
    assert database_contents(conn) == before


def test_reimporting_a_term_replaces_its_assignments_and_undo_brings_them_back():
    conn = seeded_db()
    first = import_bytes(
        conn,
        assignments_csv("HT2025;A1;U1;MA;;7-9;4;Ja", "HT2025;A2;U1;SV;;7-9;5;Nej"),
        "ht.csv",
        user="test",
    )
    second = import_bytes(
        conn, assignments_csv("HT2025;A1;U1;MA;;7-9;6;Ja"), "ht-rättad.csv", user="test"
    )
    assert second.rows_replaced == 2
    live = store.rows(conn, "SELECT employee_id, hours_per_week FROM current_teaching_assignment")
    assert live == [("A1", 6.0)]
    undone = undo_batch(conn, second.batch_id, user="test")
    assert (undone.rows_removed, undone.rows_restored) == (1, 2)
    live = store.rows(
        conn,
        "SELECT employee_id, hours_per_week FROM current_teaching_assignment ORDER BY ALL",
    )
    assert live == [("A1", 4.0), ("A2", 5.0)]
    assert first.batch_id < second.batch_id


def test_the_swedish_template_headers_are_recognised_as_teaching_assignments():
    headers = template_headers("teaching_assignment", "sv")
    assert headers[:4] == ["Mätdatum", "Anställnings-id", "Enhets-id", "Ämne"]
    assert detect_kind(headers) == "teaching_assignment"
    assert KINDS["teaching_assignment"].column("subject").code_lookup()["matematik"] == "MA"


def test_a_personnummer_in_an_assignment_file_is_never_stored():
    conn = seeded_db()
    import_bytes(
        conn,
        assignments_csv(
            "HT2025;19880808-8085;U1;MA;;7-9;4;Ja",
            header=SWEDISH_HEADER.replace("Anst.nr", "Personnummer"),
        ),
        "pnr.csv",
        user="test",
    )
    (stored,) = store.rows(conn, "SELECT employee_id FROM current_teaching_assignment")
    assert "8085" not in stored[0] and "19880808" not in stored[0]
