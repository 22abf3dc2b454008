"""Good Swedish files land with exactly the normalised values."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
import xlsxwriter
from import_fixtures import (  # noqa: F401 (autouse fixture)
    GOOD_FILES,
    SEED_STAFF,
    SEED_UNITS,
    current,
    isolate_importer_from_hooks,
    seeded_db,
)

from kompetens.core import store
from kompetens.ingest import ImportRejected, import_bytes, import_file, preview_bytes
from kompetens.ingest.pseudonym import load_key, pseudonym


def test_a_windows_1252_semicolon_units_file_keeps_swedish_letters_and_reads_decimal_commas():
    conn = store.connect(":memory:")
    result = import_file(conn, SEED_UNITS, user="test")
    assert (result.kind, result.rows_in, result.rows_written, result.rows_rejected) == (
        "units",
        4,
        4,
        0,
    )
    rows = current(conn, "units", "unit_id")
    assert [r["unit_name"] for r in rows] == [
        "Åkerskolan",
        "Ängens förskola",
        "Östra gymnasiet",
        "Älvdalens anpassade grundskola",
    ]
    assert [r["area"] for r in rows] == [
        "Norra området",
        "Södra området",
        "Norra området",
        "Södra området",
    ]
    assert [r["school_form"] for r in rows] == [
        "grundskola",
        "forskola",
        "gymnasieskola",
        "anpassad_grundskola",
    ]
    assert [r["socioeconomic_index"] for r in rows] == [1.25, 0.8, None, None]
    assert [r["school_unit_code"] for r in rows] == ["12345678", None, "87654321", None]
    # YYYY-MM-DD, YYYYMMDD and D/M/YYYY
    assert [r["valid_from"] for r in rows] == [
        dt.date(2019, 1, 1),
        None,
        dt.date(2019, 1, 1),
        dt.date(2020, 8, 1),
    ]


def test_a_swedish_staff_file_is_normalised_pseudonymised_and_names_are_dropped_with_a_warning():
    conn = store.connect(":memory:")
    import_file(conn, SEED_UNITS, user="test")
    result = import_file(conn, SEED_STAFF, user="test")
    assert result.rows_written == 4
    assert any("'Förnamn' innehåller namn och har tagits bort" in w for w in result.warnings)
    assert any("'Efternamn' innehåller namn" in w for w in result.warnings)
    rows = current(conn, "staff", "unit_id")
    key = load_key()
    assert [r["employee_id"] for r in rows] == [
        pseudonym("198001011231", key),
        pseudonym("198112244564", key),
        "E300",
        "E301",
    ]
    assert [r["fte"] for r in rows] == [0.75, 0.75, 0.5, 1.0]
    assert [r["staff_category"] for r in rows] == [
        "teacher",
        "preschool_teacher",
        "childminder",
        "special_educator",
    ]
    assert [r["employment_type"] for r in rows] == [
        "permanent",
        "fixed_term",
        "hourly",
        "permanent",
    ]
    assert [r["licensed"] for r in rows] == [True, False, False, True]
    assert [r["qualified"] for r in rows] == [True, None, None, False]
    assert [r["gender"] for r in rows] == ["female", "male", "female", "other"]
    assert [r["hire_date"] for r in rows] == [
        dt.date(2010, 8, 15),
        dt.date(2020, 1, 10),
        dt.date(2021, 2, 1),
        None,
    ]
    assert {r["snapshot_date"] for r in rows} == {dt.date(2025, 1, 31)}
    assert "Testsson" not in repr(store.frame(conn, "SELECT * FROM staff").rows())


def test_a_bom_utf8_comma_file_reads_quoted_decimal_commas_and_no_break_space_thousands():
    conn = seeded_db()
    result = import_file(conn, GOOD_FILES / "sick_leave_bom_comma.csv", user="test")
    assert result.kind == "sick_leave"
    rows = current(conn, "sick_leave", "unit_id")
    assert [
        (r["unit_id"], r["month"], r["scheduled_hours"], r["sick_hours"], r["long_sick_hours"])
        for r in rows
    ] == [
        ("U1", dt.date(2025, 1, 1), 1600.5, 80.25, 20.0),
        ("U2", dt.date(2025, 2, 1), 1200.0, 60.0, None),
    ]


def _xlsx(rows: list[list]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    sheet = book.add_worksheet("Personal")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(
                    r, c, dt.datetime(value.year, value.month, value.day), date_format
                )
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buf.getvalue()


def test_an_xlsx_with_swedish_headers_real_dates_and_numbers_is_imported():
    conn = seeded_db()
    data = _xlsx(
        [
            [
                "Mätdatum",
                "Anställnings-ID",
                "Enhets-id",
                "Personalkategori",
                "Sysselsättningsgrad",
                "Anställningsform",
                "Legitimation",
                "Behörig",
                "Födelseår",
                "Anställningsdatum",
            ],
            [
                dt.date(2025, 2, 28),
                "E500",
                "U1",
                "Lärare",
                0.75,
                "Tillsvidare",
                "Ja",
                "Ja",
                1985,
                dt.date(2012, 8, 1),
            ],
            [dt.date(2025, 2, 28), "E501", "U3", "Rektor", 100, "Visstid", "Nej", None, 1970, None],
        ]
    )
    result = import_bytes(conn, data, "personal.xlsx", user="test")
    assert (result.kind, result.rows_written) == ("staff", 2)
    rows = store.frame(
        conn,
        "SELECT * FROM current_staff WHERE snapshot_date = DATE '2025-02-28' ORDER BY employee_id",
    ).to_dicts()
    assert [
        (
            r["employee_id"],
            r["unit_id"],
            r["fte"],
            r["staff_category"],
            r["birth_year"],
            r["hire_date"],
        )
        for r in rows
    ] == [
        ("E500", "U1", 0.75, "teacher", 1985, dt.date(2012, 8, 1)),
        ("E501", "U3", 1.0, "principal", 1970, None),
    ]


def test_a_parquet_file_goes_through_the_same_validation_and_lands_typed():
    conn = seeded_db()
    frame = pl.DataFrame(
        {
            "requisition_id": ["R1", "R2"],
            "unit_id": ["U1", "U2"],
            "staff_category": ["teacher", "förskollärare"],
            "published_date": [dt.date(2025, 1, 10), dt.date(2025, 2, 1)],
            "closed_date": [dt.date(2025, 2, 15), None],
            "outcome": ["tillsatt", "pågående"],
            "applicants": [12, 3],
            "qualified_applicants": [4, 0],
            "hired_certified": [True, None],
        }
    )
    buf = io.BytesIO()
    frame.write_parquet(buf)
    result = import_bytes(conn, buf.getvalue(), "rekrytering.parquet", user="test")
    assert (result.kind, result.rows_written) == ("recruitments", 2)
    rows = current(conn, "recruitments", "requisition_id")
    assert [
        (
            r["staff_category"],
            r["outcome"],
            r["applicants"],
            r["qualified_applicants"],
            r["hired_certified"],
            r["closed_date"],
        )
        for r in rows
    ] == [
        ("teacher", "filled", 12, 4, True, dt.date(2025, 2, 15)),
        ("preschool_teacher", "open", 3, 0, None, None),
    ]


def test_terms_months_and_counts_are_normalised():
    conn = seeded_db()
    placements = "Enhetskod;Termin;Praktiktyp;Studenter;Anställda senare\nU1;HT2025;VFU;4;1\nU2;VT2026;Lärarvägen;2;\nU3;2024-09-02;apl;1 200;0\n"
    import_bytes(conn, placements.encode(), "praktik.csv", user="test")
    rows = current(conn, "placements", "unit_id")
    assert [
        (r["period_start"], r["placement_type"], r["students"], r["hired_later"]) for r in rows
    ] == [
        (dt.date(2025, 8, 1), "vfu", 4, 1),
        (dt.date(2026, 1, 1), "teacher_pathway", 2, None),
        (dt.date(2024, 9, 2), "apl", 1200, 0),
    ]


def test_an_extra_column_is_ignored_with_a_swedish_warning():
    conn = seeded_db()
    text = "Indikator;Omfattning;År;Målvärde;Kommentar\ncertified_teacher_share;org;2026;0,8;ambitiöst\n"
    result = import_bytes(conn, text.encode(), "mal.csv", user="test")
    assert result.warnings == [
        "Kolumnen 'Kommentar' ingår inte i datakontraktet för målvärden och har ignorerats."
    ]
    assert store.rows(conn, "SELECT indicator_id, scope, year, target FROM current_targets") == [
        ("certified_teacher_share", "org", 2026, 0.8)
    ]
    log = store.frame(conn, "SELECT warnings FROM import_log WHERE batch_id = ?", [result.batch_id])
    assert log["warnings"][0] == result.warnings[0]


def test_the_preview_reports_what_was_detected_and_writes_nothing():
    conn = seeded_db()
    before = store.data_version(conn)
    preview = preview_bytes(SEED_UNITS.read_bytes(), "enheter.csv", conn=conn)
    assert (preview.kind, preview.format, preview.encoding, preview.separator, preview.rows_in) == (
        "units",
        "csv",
        "cp1252",
        ";",
        4,
    )
    assert preview.columns["Enhetskod"] == "unit_id"
    assert preview.head["unit_name"].to_list()[0] == "Åkerskolan"
    assert preview.ok and preview.already_imported
    assert store.data_version(conn) == before
    bad = preview_bytes(b"unit_id;unit_name;area;school_form\nU9;X;Y;slott\n", "e.csv", conn=conn)
    assert not bad.ok
    assert (bad.issues[0].row, bad.issues[0].column, bad.issues[0].value) == (
        2,
        "school_form",
        "slott",
    )


def test_padded_values_are_trimmed_and_an_x_or_blank_column_reads_blank_as_no():
    conn = seeded_db()
    text = (
        "Mätdatum;Anställningsid;Enhet_id;Befattning;Syssgrad;Anställningsform;Legitimation;Födelseår;Behörighetsgivande utbildning\n"
        "2025-02-28;  E1 ; U1 ;  Lärare ; 0,5 ;Tillsvidare; Ja ;1980;X\n"
        "2025-02-28;E2;U2;Förskollärare;1;Tillsvidare;Nej;1981;\n"
    )
    import_bytes(conn, text.encode(), "personal.csv", user="test")
    rows = store.rows(
        conn,
        "SELECT employee_id, unit_id, staff_category, fte, licensed, certification_programme FROM current_staff "
        "WHERE snapshot_date = DATE '2025-02-28' ORDER BY employee_id",
    )
    assert rows == [
        ("E1", "U1", "teacher", 0.5, True, True),
        ("E2", "U2", "preschool_teacher", 1.0, False, False),
    ]


def test_excel_unicode_text_utf16_tab_separated_is_read():
    conn = seeded_db()
    text = "Indikator\tOmfattning\tÅr\tMålvärde\r\ncertified_teacher_share\tNorra området\t2026\t0,75\r\n"
    result = import_bytes(conn, text.encode("utf-16"), "mål.txt", user="test")
    assert result.kind == "targets"
    assert store.rows(conn, "SELECT scope, year, target FROM current_targets") == [
        ("Norra området", 2026, 0.75)
    ]


def test_empty_header_less_columns_from_trailing_separators_are_ignored_quietly():
    conn = seeded_db()
    text = (
        "Indikator;Omfattning;År;Målvärde;;\r\ncertified_teacher_share;org;2026;0,8;;\r\n"
        "certified_teacher_share;org;2025;0,7;;anteckning\r\n;;;;;\r\n"
    )
    result = import_bytes(conn, text.encode(), "mal.csv", user="test")
    assert result.rows_written == 2
    assert result.warnings == ["Kolumn 6 saknar rubrik och har ignorerats."]


def test_a_title_row_above_the_header_is_skipped_with_a_warning_and_rows_keep_their_numbers():
    conn = seeded_db()
    text = (
        "Rapport: målvärden 2026\n\nIndikator;Omfattning;År;Målvärde\n"
        "certified_teacher_share;org;2026;0,8\ncertified_teacher_share;org;2025;abc\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, text.encode(), "mal.csv", user="test")
    assert [(i.row, i.column, i.value) for i in caught.value.issues] == [(5, "Målvärde", "abc")]
    result = import_bytes(conn, text.replace("abc", "0,7").encode(), "mal.csv", user="test")
    assert result.rows_written == 2
    assert result.warnings == ["Rubrikraden är rad 3: 2 rad(er) ovanför den ignorerades."]
    header = [
        "Mätdatum",
        "Anställnings-id",
        "Enhets-id",
        "Personalkategori",
        "Sysselsättningsgrad",
        "Anställningsform",
        "Legitimation",
        "Födelseår",
    ]
    book = _xlsx(
        [
            ["Personalrapport februari"],
            [],
            header,
            ["2025-02-28", "E9", "U1", "Lärare", "1,5", "Tillsvidare", "Ja", 1975],
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, book, "personal.xlsx", user="test")
    assert [(i.row, i.column) for i in caught.value.issues] == [(4, "Sysselsättningsgrad")]
