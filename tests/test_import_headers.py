"""Header detection and the birth year from the personnummer (issue points 2 and 3).

Seed database: units U1–U4 and one staff snapshot 2025-01-31 (``seeded_db``).
"""

from __future__ import annotations

import pytest
from import_fixtures import (  # noqa: F401 (autouse fixture)
    database_contents,
    isolate_importer_from_hooks,
    seeded_db,
    with_check_digit,
)

from kompetens.core import store
from kompetens.ingest import ImportRejected, import_bytes
from kompetens.ingest.pseudonym import pseudonym

KEY = b"test-key-not-secret"
P1 = with_check_digit("800101123")  # born 1980
P2 = with_check_digit("811224456")  # born 1981
SAMORDNING = with_check_digit("750571234")  # born 1975-05-11: day 71 = 11 + 60
OLD = with_check_digit("260101123")  # 26 with '+': born 1926 (100 or older), not 2026


def rows_of(conn, snapshot="2025-10-31") -> list[tuple]:
    return store.rows(
        conn,
        "SELECT employee_id, unit_id, staff_category, fte, employment_type, licensed, birth_year "
        "FROM current_staff WHERE snapshot_date = ? ORDER BY birth_year",
        [snapshot],
    )


def rejected(conn, data: bytes, name="personal.csv", **kw) -> ImportRejected:
    before = database_contents(conn)
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, data, name, user="test", **kw)
    assert database_contents(conn) == before
    return caught.value


# ---- point 2: birth year from the personnummer ------------------------------------------------


def test_without_a_birth_year_column_the_birth_year_is_read_from_the_personnummer():
    conn = seeded_db()
    text = (
        "Mätdatum;Personnummer;Enhet_id;Befattning;Syssgrad;Anställningsform;Legitimation\n"
        f"2025-10-31;{P1[:6]}-{P1[6:]};U1;lärare;1;tillsvidare;ja\n"
        f"2025-10-31;19{SAMORDNING};U2;lärare;1;tillsvidare;ja\n"
    )
    import_bytes(conn, text.encode(), "personal.csv", user="test")
    assert [r[-1] for r in rows_of(conn)] == [1975, 1980]  # samordningsnummer day 71 -> 1975


def test_the_plus_sign_puts_a_ten_digit_personnummer_in_the_century_before():
    from kompetens.ingest.identity import resolve

    ids = resolve([f"{OLD[:6]}+{OLD[6:]}", f"{OLD[:6]}-{OLD[6:]}"], declared=True, key=KEY)
    # '+' = 100 years or older: 1926. '-' = the most recent century: 2026 (then a child, and
    # the birth-year rule rejects it on import).
    assert ids.birth_years == {f"{OLD[:6]}+{OLD[6:]}": 1926, f"{OLD[:6]}-{OLD[6:]}": 2026}


def test_without_a_birth_year_column_an_id_that_is_no_personnummer_is_rejected():
    conn = seeded_db()
    text = (
        "Mätdatum;Anställningsid;Enhet_id;Befattning;Syssgrad;Anställningsform;Legitimation\n"
        f"2025-10-31;{P1};U1;lärare;1;tillsvidare;ja\n"
        "2025-10-31;E77;U1;lärare;1;tillsvidare;ja\n"
    )
    error = rejected(conn, text.encode())
    assert [(i.row, i.column, i.value) for i in error.issues] == [(3, "Anställningsid", "E77")]
    assert error.issues[0].message.startswith(
        "födelseår saknas: filen har ingen kolumn för födelseår"
    )


# ---- point 3: header detection ----------------------------------------------------------------

EXPORT = (
    "Personalrapport - Aktiva anställningar;;;;;;;\n"
    "per 2025-10-31;;;;;;;\n"
    ";;;;;;;\n"
    "Mätdatum;Personnr;Anst.nr;Org.enhet;Befattningsbenämning;Syss.grad %;Anst.form;Lärarleg.\n"
    f"2025-10-31;{P1[:6]}-{P1[6:]};10001;U1;Lärare;100;Tillsvidare;J\n"
    f"2025-10-31;{P2[:6]}-{P2[6:]};10002;U2;Förskollärare;75;Visstid;N\n"
    "Summa;2;;;;175;;\n"
)


def test_an_export_with_title_lines_aliases_and_a_totals_row_imports_with_warnings():
    conn = seeded_db()
    result = import_bytes(conn, EXPORT.encode("cp1252"), "heroma.csv", user="test")
    assert result.rows_written == 2
    assert rows_of(conn) == [
        (pseudonym("19" + P1, KEY), "U1", "teacher", 1.0, "permanent", True, 1980),
        (pseudonym("19" + P2, KEY), "U2", "preschool_teacher", 0.75, "fixed_term", False, 1981),
    ]
    assert result.warnings[:2] == [
        "Rubrikraden är rad 4: 3 rad(er) ovanför den ignorerades.",
        "Rad 7 ('Summa') är en summeringsrad och har hoppats över.",
    ]
    assert (
        "Kolumnen 'Anst.nr' har ignorerats: personnumret i kolumnen 'Personnr' används som id."
        in result.warnings
    )


def test_row_numbers_after_title_lines_are_the_rows_the_user_sees():
    conn = seeded_db()
    error = rejected(conn, EXPORT.replace(";75;", ";1,5;").encode("cp1252"), "heroma.csv")
    assert [(i.row, i.column, i.value) for i in error.issues] == [(6, "Syss.grad %", "1,5")]


def test_a_plain_staff_export_without_a_snapshot_date_is_reported_as_staff_lacking_it():
    conn = seeded_db()
    text = (
        "Personnummer;Enhet_id;Befattning;Anställningsform;Legitimation;Syssgrad\n"
        f"{P1};U1;lärare;tillsvidare;ja;1\n"
    )
    error = rejected(conn, text.encode())
    messages = [i.message for i in error.issues]
    assert len(messages) == 2  # the missing column, then the hint about mapping profiles
    assert messages[1].startswith("Ser filen ut som en export från ett HR-system?")
    assert messages[0].startswith(
        "den obligatoriska kolumnen 'snapshot_date' (Mätdatum) saknas för personal (ögonblicksbilder) (staff)."
    )  # not "Händelser" (events), which matches four of the six columns


def test_a_missing_column_below_title_lines_names_the_row_that_looked_like_the_header():
    conn = seeded_db()
    text = (
        "Personalrapport\n\n"
        "Mätdatum;Personnummer;Enhet_id;Befattning;Anställningsform;Legitimation\n"
        f"2025-10-31;{P1};U1;lärare;tillsvidare;ja\n"
    )
    error = rejected(conn, text.encode())
    assert [i.message for i in error.issues][:1] == [
        "den obligatoriska kolumnen 'fte' (Sysselsättningsgrad) saknas för personal (ögonblicksbilder) "
        "(staff). Rad 3 liknar mest en rubrikrad; kolumner där: Mätdatum, Personnummer, Enhet_id, "
        "Befattning, Anställningsform, Legitimation"
    ]


def test_a_file_with_no_known_header_in_its_first_rows_says_so():
    conn = seeded_db()
    text = "Rapport\n\nKolumn A;Kolumn B\n1;2\n"
    error = rejected(conn, text.encode(), "okand.csv")
    message = error.issues[0].message
    assert message.startswith(
        "Kolumnerna känns inte igen som någon av filtyperna i datakontraktet."
    )
    assert "Ingen av de första 20 raderna innehåller ett enda känt kolumnnamn" in message


@pytest.mark.parametrize("word", ["Summa", "Totalt", "Antal anställda: 2", "TOTAL"])
def test_each_totals_word_marks_a_trailing_summary_row(word):
    conn = seeded_db()
    text = f"unit_id;unit_name;area;school_form\nU9;Sjöskolan;Norra området;grundskola\n{word};;;\n"
    result = import_bytes(conn, text.encode(), "enheter.csv", user="test")
    assert result.rows_written == 1
    assert result.warnings == [f"Rad 3 ('{word}') är en summeringsrad och har hoppats över."]


def test_a_totals_word_in_a_middle_row_is_data_and_fails_validation():
    conn = seeded_db()
    text = (
        "unit_id;unit_name;area;school_form\nSumma;Sjöskolan;Norra området;slott\n"
        "U9;Sjöskolan;Norra området;grundskola\n"
    )
    error = rejected(conn, text.encode(), "enheter.csv")
    assert [(i.row, i.column) for i in error.issues] == [(2, "school_form")]


def test_a_large_export_finds_its_header_from_the_first_rows_and_reads_every_row():
    # Over 64 KB: the header search reads a prefix only; the import reads the whole file.
    conn = seeded_db()
    rows = "".join(f"U{9000 + i};Skola {i};Norra området;grundskola\n" for i in range(3000))
    text = "Enhetsrapport\nper 2025-10-31\n\nunit_id;unit_name;area;school_form\n" + rows
    assert len(text.encode()) > 1 << 16
    result = import_bytes(conn, text.encode("cp1252"), "enheter.csv", user="test")
    assert result.rows_written == 3000
    assert result.warnings[0] == "Rubrikraden är rad 4: 3 rad(er) ovanför den ignorerades."


def test_mapping_step_labels_escape_markdown_in_headers_and_values():
    from kompetens.present.formatting import md_text

    assert md_text("[logga in](http://x)") == "\\[logga in\\]\\(http\\:\u2060\\/\\/x\\)"
    assert md_text("*Syss.grad %*") == r"\*Syss\.grad \%\*"
