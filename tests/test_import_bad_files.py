"""The bad-file corpus: each file is rejected with a specific Swedish message, and nothing is written."""

from __future__ import annotations

import pytest
from import_fixtures import BAD_FILES, database_contents, isolate_importer_from_hooks, seeded_db  # noqa: F401 (autouse fixture)

from kompetens.ingest import ImportRejected, import_bytes, import_file

# file, kind (None = detect from headers), row as the user sees it, column as written, message fragment
CASES = [
    ("wrong_encoding.csv", "units", None, None, "teckenkodningen känns inte igen"),
    (
        "missing_column_fte.csv",
        "staff",
        None,
        None,
        "den obligatoriska kolumnen 'fte' (Sysselsättningsgrad) saknas",
    ),
    ("unknown_unit.csv", None, 3, "unit_id", "enheten finns inte bland enheterna i databasen"),
    (
        "fte_zero.csv",
        None,
        4,
        "fte",
        "sysselsättningsgraden måste vara större än 0 och högst 1 (100 %)",
    ),
    ("fte_one_and_a_half.csv", None, 3, "fte", "varken en andel (0–1) eller en procentsats"),
    ("future_hire_date.csv", None, 3, "hire_date", "datumet ligger i framtiden"),
    (
        "hire_date_after_snapshot.csv",
        None,
        4,
        "hire_date",
        "anställningsdatumet är senare än mätdatumet (2025-02-28)",
    ),
    (
        "personnummer_bad_check_digit.csv",
        None,
        3,
        "employee_id",
        "ser ut som ett personnummer men kontrollsiffran stämmer inte",
    ),
    ("empty.csv", None, None, None, "filen är tom"),
    ("header_only.csv", None, None, None, "filen har bara en rubrikrad och inga datarader"),
    ("header_only.xlsx", None, None, None, "filen har bara en rubrikrad och inga datarader"),
    (
        "duplicate_staff_keys.csv",
        None,
        4,
        "employee_id",
        "dubblett: samma nyckel (snapshot_date, employee_id, unit_id) som rad 2",
    ),
    (
        "duplicate_requisition_id.csv",
        None,
        4,
        "requisition_id",
        "dubblett: samma nyckel (requisition_id) som rad 2",
    ),
    (
        "qualified_applicants_above_applicants.csv",
        None,
        3,
        "qualified_applicants",
        "behöriga sökande kan inte vara fler än sökande (5)",
    ),
    (
        "closed_before_published.csv",
        None,
        2,
        "closed_date",
        "avslutsdatumet är före publiceringsdatumet (2025-01-10)",
    ),
    ("negative_applicants.csv", None, 2, "applicants", "värdet får inte vara negativt"),
    (
        "sick_hours_above_scheduled.csv",
        None,
        3,
        "sick_hours",
        "sjukfrånvaron är större än den schemalagda tiden (1200)",
    ),
    (
        "long_sick_above_sick.csv",
        None,
        2,
        "long_sick_hours",
        "långtidssjukfrånvaron är större än sjukfrånvaron (80)",
    ),
    (
        "scheduled_hours_zero.csv",
        None,
        2,
        "scheduled_hours",
        "schemalagd tid måste vara större än 0",
    ),
    ("bad_month.csv", None, 3, "month", "ogiltig månad; ange ÅÅÅÅ-MM"),
    (
        "hired_later_above_students.csv",
        None,
        3,
        "hired_later",
        "fler anställda senare än antal studenter (2)",
    ),
    ("bad_term.csv", None, 2, "period_start", "ogiltig period"),
    (
        "internal_move_without_to_unit.csv",
        None,
        2,
        "to_unit_id",
        "till-enhet (to_unit_id) måste anges för en intern flytt",
    ),
    (
        "internal_move_to_unknown_unit.csv",
        None,
        2,
        "to_unit_id",
        "enheten finns inte bland enheterna i databasen",
    ),
    (
        "reason_on_hire.csv",
        None,
        3,
        "reason",
        "orsak får bara anges för en avgång (exit), inte för händelsen 'hire'",
    ),
    ("bad_date.csv", None, 2, "event_date", "ogiltigt datum"),
    (
        "bad_code_value.csv",
        None,
        3,
        "employment_type",
        "okänt värde; tillåtna värden är permanent (tillsvidare)",
    ),
    ("birth_year_1930.csv", None, 3, "birth_year", "födelseåret måste ligga mellan 1940 och"),
    ("future_snapshot.csv", None, 2, "snapshot_date", "datumet ligger i framtiden"),
    ("bad_bool.csv", None, 3, "licensed", "ogiltigt ja/nej-värde"),
    ("missing_required_value.csv", None, 3, "unit_id", "värde saknas; kolumnen är obligatorisk"),
    (
        "survey_score_above_scale_max.csv",
        None,
        3,
        "score",
        "resultatet måste ligga mellan 0 och skalmax (5)",
    ),
    ("respondents_above_invited.csv", None, 2, "respondents", "fler svarande än inbjudna (25)"),
    ("hours_not_a_number.csv", None, 2, "hours", "värdet är inte ett tal"),
    (
        "school_unit_code_seven_digits.csv",
        None,
        2,
        "school_unit_code",
        "skolenhetskoden ska bestå av exakt 8 siffror",
    ),
    (
        "valid_to_before_valid_from.csv",
        None,
        2,
        "valid_to",
        "giltig till och med är före giltig från (2024-08-01)",
    ),
    (
        "duplicate_header.csv",
        None,
        None,
        None,
        "kolumnen 'unit_name' finns flera gånger ('enhet', 'enhetsnamn')",
    ),
    ("unknown_headers.csv", None, None, None, "Kolumnerna känns inte igen som någon av filtyperna"),
    ("ragged_rows.csv", None, None, None, "en rad har fler fält än rubrikraden"),
    ("binary_garbage.csv", None, None, None, "binära data"),
    ("zero_byte.xlsx", None, None, None, "filen är tom (0 byte)"),
    ("corrupt.xlsx", None, None, None, "Excel-filen kunde inte öppnas"),
    (
        "fte_too_large.xlsx",
        None,
        3,
        "Sysselsättningsgrad",
        "sysselsättningsgraden måste vara större än 0 och högst 1 (100 %)",
    ),
]


def test_the_corpus_has_at_least_25_bad_files_and_each_has_an_expectation():
    files = {p.name for p in BAD_FILES.iterdir() if p.is_file() and p.name != "README.md"}
    assert len(files) >= 25
    assert files == {case[0] for case in CASES}


@pytest.mark.parametrize(
    ("file_name", "kind", "row", "column", "fragment"), CASES, ids=[c[0] for c in CASES]
)
def test_a_bad_file_is_rejected_with_the_specific_message_and_writes_nothing(
    file_name, kind, row, column, fragment
):
    conn = seeded_db()
    before = database_contents(conn)
    with pytest.raises(ImportRejected) as caught:
        import_file(conn, BAD_FILES / file_name, kind=kind, user="test")
    rejected = caught.value
    matching = [
        i for i in rejected.issues if fragment in i.message and i.row == row and i.column == column
    ]
    assert matching, f"no issue with {fragment!r} at row {row}, column {column}: {rejected.issues}"
    assert all(i.file == file_name for i in rejected.issues)
    assert file_name in str(rejected)
    assert database_contents(conn) == before


def test_the_rejection_report_names_file_row_column_value_and_the_problem():
    conn = seeded_db()
    with pytest.raises(ImportRejected) as caught:
        import_file(conn, BAD_FILES / "fte_one_and_a_half.csv", user="test")
    assert str(caught.value.issues[0]) == (
        "fte_one_and_a_half.csv, rad 3, kolumn fte: värdet '1,5' – sysselsättningsgraden måste vara större än 0 "
        "och högst 1 (100 %); värdet är varken en andel (0–1) eller en procentsats (2–100 %)."
    )
    report = str(caught.value)
    assert report.startswith(
        "Filen fte_one_and_a_half.csv importerades inte: 1 fel hittades. Ingenting har skrivits"
    )


def test_a_personnummer_in_an_error_message_is_masked():
    conn = seeded_db()
    with pytest.raises(ImportRejected) as caught:
        import_file(conn, BAD_FILES / "personnummer_bad_check_digit.csv", user="test")
    issue = caught.value.issues[0]
    assert issue.value == "800101-****"
    assert "1232" not in str(caught.value)


def test_errors_in_repeated_values_are_reported_on_every_row_that_has_them():
    # Many rows share few distinct values: the importer parses each distinct value once
    # and maps the result back, which must still point at every offending row.
    conn = seeded_db()
    header = (
        "snapshot_date;employee_id;unit_id;staff_category;fte;employment_type;licensed;birth_year\n"
    )
    rows = [
        f"2025-02-28;E{i};U1;teacher;{'1,5' if i % 2 else '0,5'};permanent;{'kanske' if i == 7 else 'Ja'};1980"
        for i in range(12)
    ]
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, (header + "\n".join(rows) + "\n").encode(), "personal.csv")
    found = [(i.row, i.column, i.value) for i in caught.value.issues]
    assert found == [
        (3, "fte", "1,5"),
        (5, "fte", "1,5"),
        (7, "fte", "1,5"),
        (9, "fte", "1,5"),
        (9, "licensed", "kanske"),
        (11, "fte", "1,5"),
        (13, "fte", "1,5"),
    ]


def test_a_report_with_many_errors_lists_the_first_fifty_and_counts_the_rest():
    conn = seeded_db()
    text = "unit_id;month;scheduled_hours;sick_hours\n" + "".join(
        f"U1;2024-{m:02d};0;0\n" for m in range(1, 13)
    )
    text += "".join(f"U2;{y}-01;100;-1\n" for y in range(1950, 2000))  # 50 rows, another error
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, text.encode(), "sjuk.csv")
    assert len(caught.value.issues) == 62
    lines = str(caught.value).splitlines()
    assert (
        lines[0]
        == "Filen sjuk.csv importerades inte: 62 fel hittades. Ingenting har skrivits till databasen."
    )
    assert len(lines) == 1 + 50 + 1
    assert (
        lines[1]
        == "  • sjuk.csv, rad 2, kolumn scheduled_hours: värdet '0' – schemalagd tid måste vara större än 0."
    )
    assert lines[-1] == "  … och 12 fel till."


def test_a_parquet_file_reports_data_rows_counted_from_one():
    import io

    import polars as pl

    conn = seeded_db()
    frame = pl.DataFrame(
        {
            "snapshot_date": ["2025-02-28", "2025-02-28"],
            "employee_id": ["E1", "E2"],
            "unit_id": ["U1", "U1"],
            "staff_category": ["teacher", "teacher"],
            "fte": [0.5, 0.0],
            "employment_type": ["permanent", "permanent"],
            "licensed": [True, True],
            "birth_year": [1980, 1981],
        }
    )
    buf = io.BytesIO()
    frame.write_parquet(buf)
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, buf.getvalue(), "personal.parquet")
    assert [(i.row, i.column, i.value) for i in caught.value.issues] == [(2, "fte", "0.0")]


def test_xlsx_row_numbers_match_excel_even_with_blank_rows_above_and_between():
    import io

    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    sheet = book.add_worksheet("Enheter")
    sheet.write_row(2, 1, ["unit_id", "unit_name", "area", "school_form"])  # header in B3
    sheet.write_row(3, 1, ["U7", "Sjöskolan", "Norr", "grundskola"])
    sheet.write_row(
        6, 1, ["U8", "Bergskolan", "Norr", "slott"]
    )  # Excel row 7, after two blank rows
    book.close()
    conn = seeded_db()
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, buf.getvalue(), "enheter.xlsx")
    assert [(i.row, i.column, i.value) for i in caught.value.issues] == [
        (7, "school_form", "slott")
    ]
