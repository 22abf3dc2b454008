"""Certification paths (the optional kind ``certification_path``) import like every other kind:
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
from kompetens.core.labels import PROGRAMME_LABELS
from kompetens.ingest import (
    ImportRejected,
    detect_kind,
    import_bytes,
    template_headers,
    undo_batch,
)

SWEDISH_HEADER = "Anst.nr;Enhetskod;Utbildning;Ämne;Startdatum;Beräknat klar\n"


def paths_csv(*rows: str, header: str = SWEDISH_HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode("utf-8")


def test_a_swedish_path_file_lands_with_programme_and_subject_codes_and_dates():
    conn = seeded_db()
    data = paths_csv(
        "A1;U1;Kompletterande pedagogisk utbildning;Matematik;2025-01-13;2026-06-30",
        "A2;U1;Lärarlyftet;svenska som andraspråk;2024-08-19;2025-06-15",
        "A3;U3;VAL;NO-ämnen;20240819;20270615",
        "A4;U3;utländska lärares vidareutbildning;engelska;2025-08-18;2026-12-20",
        "A5;U1;Annat;specialpedagogik;2025-08-18;2025-08-18",
    )
    result = import_bytes(conn, data, "vägar.csv", user="test")
    assert (result.kind, result.rows_written) == ("certification_path", 5)
    rows = current(conn, "certification_path", "employee_id")
    assert [(r["employee_id"], r["programme"], r["subject"]) for r in rows] == [
        ("A1", "KPU", "MA"),
        ("A2", "lararlyftet", "SVA"),
        ("A3", "VAL", "NO"),
        ("A4", "ULV", "EN"),
        ("A5", "other", "SPEC"),
    ]
    assert (rows[2]["start_date"], rows[2]["expected_completion"]) == (
        dt.date(2024, 8, 19),
        dt.date(2027, 6, 15),
    )
    # every programme code has a Swedish label
    assert set(PROGRAMME_LABELS) == set(KINDS["certification_path"].column("programme").codes)


def test_bad_path_rows_are_rejected_in_swedish_naming_row_column_and_value_and_nothing_is_written():
    conn = seeded_db()
    before = database_contents(conn)
    data = paths_csv(
        "A1;U1;Folkhögskola;MA;2025-01-13;2026-06-30",  # row 2: no such programme
        "A1;U1;KPU;Astrologi;2025-01-13;2026-06-30",  # row 3: no such subject
        "A2;U1;KPU;MA;2025-08-18;2025-06-30",  # row 4: expected before the start
        "A3;U9;VAL;SV;2025-08-18;2026-06-30",  # row 5: unknown unit
        "A4;U1;VAL;SV;snart;2026-06-30",  # row 6: not a date
        "A5;U1;VAL;SV;2025-08-18;",  # row 7: no expected completion
    )
    with pytest.raises(ImportRejected) as rejected:
        import_bytes(conn, data, "vägar.csv", user="test")
    found = {(i.row, i.column): (i.value, i.message) for i in rejected.value.issues}
    assert found[(2, "Utbildning")][0] == "Folkhögskola"
    assert "KPU" in found[(2, "Utbildning")][1]  # the valid codes are named
    assert found[(3, "Ämne")][0] == "Astrologi"
    assert found[(4, "Beräknat klar")] == (
        "2025-06-30",
        "beräknat klar är före startdatumet (2025-08-18)",
    )
    assert found[(5, "Enhetskod")][0] == "U9"
    assert found[(6, "Startdatum")][0] == "snart"
    assert (7, "Beräknat klar") in found
    assert "vägar.csv" in str(rejected.value)
    assert "Ingenting har skrivits" in str(rejected.value)
    assert database_contents(conn) == before


def test_reimporting_a_path_replaces_its_expected_completion_and_undo_brings_it_back():
    conn = seeded_db()
    import_bytes(
        conn,
        paths_csv("A1;U1;KPU;MA;2025-01-13;2026-06-30", "A2;U1;VAL;SV;2024-08-19;2025-06-15"),
        "vägar.csv",
        user="test",
    )
    later = import_bytes(
        conn, paths_csv("A1;U1;KPU;MA;2025-01-13;2026-12-20"), "vägar-rättad.csv", user="test"
    )
    assert (later.rows_written, later.rows_replaced) == (1, 1)
    sql = "SELECT employee_id, expected_completion FROM current_certification_path ORDER BY ALL"
    assert store.rows(conn, sql) == [
        ("A1", dt.date(2026, 12, 20)),
        ("A2", dt.date(2025, 6, 15)),
    ]
    undone = undo_batch(conn, later.batch_id, user="test")
    assert (undone.rows_removed, undone.rows_restored) == (1, 1)
    assert store.rows(conn, sql) == [
        ("A1", dt.date(2026, 6, 30)),
        ("A2", dt.date(2025, 6, 15)),
    ]


def test_undoing_the_only_path_import_leaves_no_path():
    conn = seeded_db()
    first = import_bytes(conn, paths_csv("A1;U1;KPU;MA;2025-01-13;2026-06-30"), "v.csv", user="t")
    undo_batch(conn, first.batch_id, user="t")
    assert store.rows(conn, "SELECT count(*) FROM current_certification_path") == [(0,)]


def test_the_swedish_template_headers_are_recognised_as_certification_paths():
    headers = template_headers("certification_path", "sv")
    assert headers == [
        "Anställnings-id",
        "Enhets-id",
        "Utbildning",
        "Ämne",
        "Startdatum",
        "Beräknat klar",
    ]
    assert detect_kind(headers) == "certification_path"


def test_a_personnummer_in_a_path_file_is_never_stored():
    conn = seeded_db()
    import_bytes(
        conn,
        paths_csv(
            "19880808-8085;U1;KPU;MA;2025-01-13;2026-06-30",
            header=SWEDISH_HEADER.replace("Anst.nr", "Personnummer"),
        ),
        "pnr.csv",
        user="test",
    )
    (stored,) = store.rows(conn, "SELECT employee_id FROM current_certification_path")
    assert "8085" not in stored[0] and "19880808" not in stored[0]
