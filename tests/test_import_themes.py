"""A support request file may carry the common themes: labels or ids of the shared list, ';'-separated."""

from __future__ import annotations

import pytest

from kompetens.core import themes
from kompetens.ingest import ImportRejected, import_bytes, undo_batch
from tests.import_fixtures import (  # noqa: F401  (fixture)
    current,
    database_contents,
    isolate_importer_from_hooks,
    seeded_db,
)

HEADER = (
    "Ärende-id;Enhets-id;Datum för begäran;Frågeställarens roll;Kanal;Ämne;Beskrivning;"
    "Stödfunktion;Återrapportering till;Status;Teman\n"
)


def _requests(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


def test_theme_labels_in_any_case_or_ids_are_stored_as_ascending_ids_and_undone_with_the_batch():
    conn = seeded_db()
    result = import_bytes(
        conn,
        _requests(
            # 'elevhälsa' is theme 5, 'REKRYTERING AV SPECIALLÄRARE' theme 2; '2' again is one theme.
            'A1;U1;2025-03-02;Rektor;Dialog;Rekrytering;;HR;;Mottagen;"elevhälsa; REKRYTERING AV SPECIALLÄRARE;2"',
            "A2;U2;2025-03-05;Rektor;Dialog;IT;;HR;;Mottagen;7",
            "A3;U3;2025-03-06;Rektor;Dialog;IT;;HR;;Mottagen;",
        ),
        "stod.csv",
        user="test",
    )
    rows = current(conn, "support_request", "request_id")
    assert [r["themes"] for r in rows] == ["2;5", "7", None]
    undo_batch(conn, result.batch_id, user="test")
    assert current(conn, "support_request", "request_id") == []


def test_an_unknown_theme_is_refused_with_file_row_column_value_and_nothing_is_written():
    conn = seeded_db()
    before = database_contents(conn)
    with pytest.raises(ImportRejected) as caught:
        import_bytes(
            conn,
            _requests(
                "A1;U1;2025-03-02;Rektor;Dialog;Rekrytering;;HR;;Mottagen;Elevhälsa",
                'A2;U2;2025-03-05;Rektor;Dialog;IT;;HR;;Mottagen;"Elevhälsa;Rekryterng"',
                "A3;U3;2025-03-06;Rektor;Dialog;IT;;HR;;Mottagen;99",
            ),
            "stod.csv",
            user="test",
        )
    found = [(i.file, i.row, i.column, i.value, i.message) for i in caught.value.issues]
    assert found[0][:4] == ("stod.csv", 3, "Teman", "Elevhälsa;Rekryterng")
    assert found[0][4].startswith("okänt tema 'Rekryterng': finns inte i listan över teman")
    assert "närmast giltiga är 'Rekrytering'" in found[0][4]
    assert found[1][:4] == ("stod.csv", 4, "Teman", "99")
    assert found[1][4].startswith("okänt tema '99'")
    assert len(found) == 2
    assert database_contents(conn) == before


def test_an_inactive_theme_is_no_longer_accepted_in_a_file():
    conn = seeded_db()
    conn.execute("UPDATE themes SET active = false WHERE theme_id = 7")  # IT
    assert "IT" not in themes.lookup(conn)
    with pytest.raises(ImportRejected):
        import_bytes(
            conn,
            _requests("A1;U1;2025-03-02;Rektor;Dialog;IT;;HR;;Mottagen;IT"),
            "stod.csv",
            user="test",
        )
