"""Requisitions carry an optional subject (Skolverket's codes, the Swedish names the teaching
assignments accept); a recruitment file without the column imports as before."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from import_fixtures import (  # noqa: F401 (autouse fixture)
    current,
    database_contents,
    isolate_importer_from_hooks,
    seeded_db,
)

from kompetens.core import store
from kompetens.ingest import ImportRejected, import_bytes

OLD_HEADER = (
    "Rekryterings-id;Enhets-id;Personalkategori;Publiceringsdatum;Avslutad;Utfall;Sökande;"
    "Behöriga sökande;Anställd behörig"
)
RELEASE_DB = Path(__file__).parent / "fixtures" / "databases" / "release-fc88928.duckdb"


def recruitments_csv(header: str, *rows: str) -> bytes:
    return (header + "\n" + "\n".join(rows) + "\n").encode("utf-8")


def test_a_recruitment_file_with_a_subject_column_stores_the_subject_codes():
    conn = seeded_db()
    data = recruitments_csv(
        OLD_HEADER + ";Ämne",
        "R1;U1;lärare;2025-01-10;2025-02-10;tillsatt;10;4;Ja;Matematik",
        "R2;U1;lärare;2025-01-12;2025-03-01;ej tillsatt;2;0;;sv2",
        "R3;U2;speciallärare;2025-02-01;;pågående;3;1;;specialpedagogik",
        "R4;U2;rektor;2025-02-01;2025-04-01;tillsatt;20;9;;",
    )
    result = import_bytes(conn, data, "rekrytering.csv", user="test")
    assert (result.kind, result.rows_written) == ("recruitments", 4)
    rows = current(conn, "recruitments", "requisition_id")
    assert [(r["requisition_id"], r["subject"]) for r in rows] == [
        ("R1", "MA"),
        ("R2", "SVA"),
        ("R3", "SPEC"),
        ("R4", None),  # not a teaching post: no subject
    ]


def test_an_old_recruitment_file_without_the_subject_column_still_imports():
    conn = seeded_db()
    data = recruitments_csv(OLD_HEADER, "R1;U1;lärare;2025-01-10;2025-02-10;tillsatt;10;4;Ja")
    result = import_bytes(conn, data, "gammal.csv", user="test")
    assert (result.kind, result.rows_written) == ("recruitments", 1)
    (row,) = current(conn, "recruitments", "requisition_id")
    assert (row["requisition_id"], row["outcome"], row["subject"]) == ("R1", "filled", None)


def test_an_unknown_subject_is_refused_in_swedish_with_row_column_value_and_the_valid_codes():
    conn = seeded_db()
    before = database_contents(conn)
    data = recruitments_csv(
        OLD_HEADER + ";Ämne",
        "R1;U1;lärare;2025-01-10;2025-02-10;tillsatt;10;4;Ja;MA",
        "R2;U1;lärare;2025-01-12;2025-03-01;tillsatt;5;1;Nej;Matematikk",  # row 3: misspelt
    )
    with pytest.raises(ImportRejected) as rejected:
        import_bytes(conn, data, "rekrytering.csv", user="test")
    (issue,) = rejected.value.issues
    assert (issue.row, issue.column, issue.value) == (3, "Ämne", "Matematikk")
    # the same message as the teaching assignments give: the valid codes with a Swedish name each
    assert issue.message.startswith("okänt värde; tillåtna värden är MA (matematik), SV (svenska)")
    assert "SPEC (specialpedagogik)" in issue.message
    report = str(rejected.value)
    assert "rekrytering.csv" in report and "Ingenting har skrivits" in report
    assert database_contents(conn) == before


def test_a_database_from_before_the_subject_column_gets_it_and_keeps_its_requisitions(tmp_path):
    db = tmp_path / "release.duckdb"
    shutil.copyfile(RELEASE_DB, db)
    with duckdb.connect(str(db), read_only=True) as raw:
        old_columns = [r[0] for r in raw.execute("DESCRIBE recruitments").fetchall()]
        old_count = raw.execute("SELECT count(*) FROM current_recruitments").fetchone()[0]
    assert "subject" not in old_columns and old_count > 0
    conn = store.connect(db)
    assert store.scalar(conn, "SELECT count(*) FROM current_recruitments") == old_count
    # every requisition from before the column has no subject
    assert store.scalar(
        conn, "SELECT count(*) FROM current_recruitments WHERE subject IS NULL"
    ) == (old_count)
