"""Input that used to slip through the importer (issue point 4): each case is caught, or read right.

Every rejection test asserts the Swedish message and that nothing was written
(``database_contents`` before and after). Seed database: units U1–U4 in
'Norra området' and 'Södra området', one staff snapshot 2025-01-31 (``seeded_db``).
"""

from __future__ import annotations

import io

import polars as pl
import pytest
import xlsxwriter
from import_fixtures import (  # noqa: F401 (autouse fixture)
    current,
    database_contents,
    isolate_importer_from_hooks,
    seeded_db,
    with_check_digit,
)

from kompetens.core import store
from kompetens.ingest import ImportRejected, import_bytes
from kompetens.ingest.pseudonym import pseudonym, twelve_digit_form

KEY = b"test-key-not-secret"  # conftest sets KOMPETENS_PSEUDONYM_KEY to this
P1 = with_check_digit("800101123")  # 8001011231, born 1980
YOUNG = "0304053218"  # born 2003-04-05: a numeric Excel cell shows 304053218
HEAD = "snapshot_date;{id};unit_id;staff_category;fte;employment_type;licensed;birth_year\n"


def staff_file(ids: list[str], header: str = "employee_id", birth: str = "1980") -> bytes:
    rows = "".join(f"2025-02-28;{i};U1;teacher;1;permanent;ja;{birth}\n" for i in ids)
    return (HEAD.format(id=header) + rows).encode()


def rejected(conn, data: bytes, name: str = "personal.csv", **kwargs) -> ImportRejected:
    """Import ``data`` expecting a rejection; assert that nothing was written."""
    before = database_contents(conn)
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, data, name, user="test", **kwargs)
    assert database_contents(conn) == before
    return caught.value


def staff_ids(conn, snapshot: str = "2025-02-28") -> list[str]:
    return [
        r[0]
        for r in store.rows(
            conn,
            "SELECT employee_id FROM current_staff WHERE snapshot_date = ? ORDER BY employee_id",
            [snapshot],
        )
    ]


# ---- personnummer spellings -------------------------------------------------------------------

SPELLINGS = {
    "space": f"{P1[:6]} {P1[6:]}",
    "en dash": f"{P1[:6]}\u2013{P1[6:]}",
    "text formula": f'="19{P1[:6]}-{P1[6:]}"',
    "apostrophe": f"'19{P1}",
    "float": f"19{P1}.0",
    "scientific": "1.98001011231E11",
}


@pytest.mark.parametrize("spelling", list(SPELLINGS.values()), ids=list(SPELLINGS))
def test_every_spreadsheet_spelling_of_a_personnummer_is_pseudonymised_never_stored_raw(spelling):
    conn = seeded_db()
    # Quoted, so that the ';' inside the text formula's quotes is no problem: CSV doubles quotes.
    cell = '"' + spelling.replace('"', '""') + '"'
    import_bytes(conn, staff_file([cell]), "personal.csv", user="test")
    assert staff_ids(conn) == [pseudonym("19" + P1, KEY)]


@pytest.mark.parametrize(
    "spelling",
    [f"{P1[:6]} {P1[6:9]}9", f"{P1[:6]}\u2013{P1[6:9]}9", f"19{P1[:9]}9.0"],
    ids=["space", "en dash", "float"],
)
def test_a_spelled_personnummer_with_a_wrong_check_digit_is_rejected_and_masked(spelling):
    conn = seeded_db()
    error = rejected(conn, staff_file([spelling]))
    issue = error.issues[0]
    assert (issue.row, issue.column) == (2, "employee_id")
    assert "kontrollsiffran stämmer inte" in issue.message
    assert P1[6:9] + "9" not in str(error)  # the last four digits never appear in a report
    assert issue.value in (f"{P1[:6]}-****", f"19{P1[:6]}-****")


def test_a_personnummer_that_lost_its_leading_zero_in_a_numeric_cell_is_padded_and_pseudonymised():
    conn = seeded_db()
    # 030405-3218 in a numeric Excel cell: 304053218 (nine digits). The header says Personnummer.
    import_bytes(conn, staff_file([YOUNG[1:]], header="Personnummer", birth="2003"), "p.csv")
    assert staff_ids(conn) == [pseudonym("20" + YOUNG, KEY)]


def test_a_value_that_is_no_personnummer_in_a_personnummer_column_is_rejected_not_stored():
    conn = seeded_db()
    error = rejected(conn, staff_file(["E300", "12345"], header="Personnr"))
    assert [(i.row, i.column, i.value) for i in error.issues] == [
        (2, "Personnr", "****"),
        (3, "Personnr", "1****"),
    ]
    assert "inget giltigt personnummer eller samordningsnummer" in error.issues[0].message
    assert "E300" not in str(error)


def test_a_nine_digit_number_failing_the_check_digit_in_a_personnummer_column_is_rejected():
    conn = seeded_db()
    error = rejected(conn, staff_file(["304053219"], header="Personnummer"))
    assert error.issues[0].message == "ser ut som ett personnummer men kontrollsiffran stämmer inte"
    assert error.issues[0].value == "030405-****"


# ---- encodings and line endings --------------------------------------------------------------


def _units_text(name: str = "Björkängens förskola") -> str:
    return f"unit_id;unit_name;area;school_form\nU9;{name};Norra området;förskola\n"


def test_a_mac_roman_csv_is_read_as_mac_roman_not_as_windows_1252():
    conn = seeded_db()
    result = import_bytes(conn, _units_text().encode("mac_roman"), "enheter.csv", user="test")
    assert result.rows_written == 1
    row = [u for u in current(conn, "units", "unit_id") if u["unit_id"] == "U9"][0]
    assert row["unit_name"] == "Björkängens förskola"  # not "BjšrkŠngens"
    assert row["area"] == "Norra området"


def test_a_csv_with_old_mac_line_endings_is_read_row_by_row():
    conn = seeded_db()
    text = _units_text().replace("\n", "\r") + "U10;Ekskolan;Södra området;grundskola\r"
    result = import_bytes(conn, text.encode("utf-8"), "enheter.csv", user="test")
    assert result.rows_written == 2  # not "a header only"


# ---- repeated headers ------------------------------------------------------------------------


def test_two_columns_with_the_same_header_are_refused_naming_the_header_and_both_positions():
    conn = seeded_db()
    text = (
        "snapshot_date;employee_id;unit_id;staff_category;fte;employment_type;licensed;birth_year;fte\n"
        "2025-02-28;E1;U1;teacher;1;permanent;ja;1980;0,5\n"
    )
    error = rejected(conn, text.encode())
    assert [i.message for i in error.issues] == [
        "kolumnrubriken 'fte' finns två gånger (kolumn 5 och kolumn 9); ta bort eller byt namn "
        "på den ena, så att det är tydligt vilken som ska läsas"
    ]
    assert "_duplicated_" not in str(error)


# ---- targets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["80", "80 %", "0,8", "80%"])
def test_a_share_target_written_as_80_or_80_percent_or_0_8_is_stored_as_80_percent(written):
    conn = seeded_db()
    text = f"indicator_id;scope;year;target\ncertified_teacher_share;org;2026;{written}\n"
    import_bytes(conn, text.encode(), "mal.csv", user="test")
    assert [r["target"] for r in current(conn, "targets", "year")] == [pytest.approx(0.8)]


def test_a_target_for_a_count_indicator_keeps_its_number():
    conn = seeded_db()
    text = "indicator_id;scope;year;target\nhires;org;2026;80\n"
    import_bytes(conn, text.encode(), "mal.csv", user="test")
    assert [r["target"] for r in current(conn, "targets", "year")] == [80.0]


@pytest.mark.parametrize(
    ("line", "column", "fragment"),
    [
        (
            "certified_teacher_shares;org;2026;0,8",
            "indicator_id",
            "okänd indikator: id:t finns inte i indikatorkatalogen (docs/indicators.md); "
            "närmast giltiga är 'certified_teacher_share'",
        ),
        (
            "certified_teacher_share;Norra omradet;2026;0,8",
            "scope",
            "okänd omfattning: ange 'org', ett område eller ett enhets-id som finns i enhetsfilen; "
            "närmast giltiga är 'Norra området'",
        ),
        ("certified_teacher_share;U7;2026;0,8", "scope", "okänd omfattning"),
        (
            "certified_teacher_share;org;2026;180 %",
            "target",
            "målvärdet för en andel måste ligga mellan 0 och 100 %",
        ),
        ("hires;org;2026;80 %", "target", "indikatorn är ingen andel"),
    ],
    ids=[
        "unknown indicator",
        "misspelt area",
        "unknown unit",
        "share above 100",
        "percent on count",
    ],
)
def test_a_target_naming_nothing_known_or_out_of_range_is_rejected(line, column, fragment):
    conn = seeded_db()
    error = rejected(conn, f"indicator_id;scope;year;target\n{line}\n".encode(), "mal.csv")
    assert [(i.row, i.column) for i in error.issues] == [(2, column)]
    assert fragment in error.issues[0].message


# ---- implausible dates -----------------------------------------------------------------------


def test_excels_day_zero_as_a_snapshot_date_is_rejected():
    conn = seeded_db()
    text = staff_file(["E1"]).decode().replace("2025-02-28", "1899-12-30")
    error = rejected(conn, text.encode())
    assert [(i.row, i.column, i.value) for i in error.issues] == [
        (2, "snapshot_date", "1899-12-30")
    ]
    assert "före år 1900" in error.issues[0].message


def test_a_snapshot_date_before_the_persons_fifteenth_year_is_rejected():
    conn = seeded_db()
    # Born 2008: the first plausible snapshot year is 2008 + 15 = 2023; 2020 is before it.
    text = staff_file(["E1"], birth="2008").decode().replace("2025-02-28", "2020-06-30")
    error = rejected(conn, text.encode())
    assert [(i.row, i.column) for i in error.issues] == [(2, "snapshot_date")]
    assert "före personens 15-årsår (födelseår 2008)" in error.issues[0].message


def test_a_hire_date_before_the_persons_fifteenth_year_is_imported_with_a_warning():
    conn = seeded_db()
    text = (
        "snapshot_date;employee_id;unit_id;staff_category;fte;employment_type;licensed;birth_year;hire_date\n"
        "2025-02-28;E1;U1;teacher;1;permanent;ja;1980;1990-08-01\n"  # 1990 < 1980 + 15
        "2025-02-28;E2;U1;teacher;1;permanent;ja;1980;1995-08-01\n"  # 1995 = 1980 + 15: fine
    )
    result = import_bytes(conn, text.encode(), "personal.csv", user="test")
    assert result.rows_written == 2
    assert (
        "1 rad(er) har ett anställningsdatum före personens 15-årsår (rad 2); "
        "kontrollera anställningsdatum och födelseår."
    ) in result.warnings


# ---- re-importing a snapshot -----------------------------------------------------------------


def test_reimporting_snapshot_a_after_b_makes_a_current_again():
    conn = seeded_db()
    a = staff_file(["E1", "E2"])
    b = staff_file(["E3"])
    first = import_bytes(conn, a, "a.csv", user="test")
    import_bytes(conn, b, "b.csv", user="test")
    assert staff_ids(conn) == ["E3"]
    again = import_bytes(conn, a, "a.csv", user="test")
    assert not again.already_imported
    assert again.batch_id > first.batch_id
    assert staff_ids(conn) == ["E1", "E2"]  # A is current again
    same = import_bytes(conn, a, "a.csv", user="test")  # and now it is a true no-op
    assert same.already_imported and "ingenting har ändrats" in same.warnings[0]


# ---- messages naming the right cause ---------------------------------------------------------


@pytest.mark.parametrize("data", [b"   \n\n  \t \n", b"\xef\xbb\xbf  \r\n \r\n", b"\n"])
def test_a_whitespace_only_file_is_called_empty(data):
    conn = seeded_db()
    error = rejected(conn, data, "tom.csv")
    assert [i.message for i in error.issues] == [
        "filen är tom: den innehåller inga rader med text (bara blanksteg eller tomma rader)."
    ]


def _workbook(sheets: dict[str, list[list[str]]]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
    book.close()
    return buf.getvalue()


UNITS_ROWS = [
    ["unit_id", "unit_name", "area", "school_form"],
    ["U9", "Sjöskolan", "Norra området", "grundskola"],
]


def test_a_workbook_whose_first_sheet_is_empty_is_read_from_the_sheet_with_the_header():
    conn = seeded_db()
    result = import_bytes(conn, _workbook({"Tom": [], "Enheter": UNITS_ROWS}), "e.xlsx", user="t")
    assert result.rows_written == 1
    assert "U9" in [u["unit_id"] for u in current(conn, "units", "unit_id")]


def test_a_workbook_with_a_notes_sheet_first_reads_the_data_sheet_and_says_so():
    conn = seeded_db()
    notes = [["Uttag ur HR-systemet"], ["Skapat av: lönekontoret"]]
    data = _workbook({"Info": notes, "Enheter": UNITS_ROWS})
    result = import_bytes(conn, data, "e.xlsx", user="t")
    assert result.rows_written == 1
    assert (
        "Bladet 'Enheter' lästes (dess rubrikrad passar bäst); övriga blad ('Info') lästes inte. "
        "Ladda upp dem som egna filer om de behövs."
    ) in result.warnings


def test_a_workbook_with_only_empty_sheets_is_called_empty_not_damaged():
    conn = seeded_db()
    error = rejected(conn, _workbook({"Blad1": [], "Blad2": []}), "tom.xlsx")
    assert [i.message for i in error.issues] == ["Excel-filens blad 'Blad1' är tomt."]


def test_a_partial_import_where_every_row_is_invalid_says_nothing_was_imported(tmp_path):
    conn = seeded_db()
    before = database_contents(conn)
    text = staff_file(["E1", "E2"]).decode().replace(";1;permanent", ";1,5;permanent")
    result = import_bytes(
        conn, text.encode(), "personal.csv", partial=True, user="t", rejected_dir=tmp_path
    )
    assert result.batch_id is None
    assert str(result) == (
        "personal.csv (personal (ögonblicksbilder)): inga rader importerades – alla 2 rader "
        "avvisades (se personal.avvisade.csv). Ingenting har skrivits till databasen."
    )
    assert "None" not in str(result)
    assert database_contents(conn) == before


# ---- formulas in the figures CSV -------------------------------------------------------------


def test_the_figures_csv_neutralises_area_names_that_a_spreadsheet_would_run(tmp_path):
    from kf_helpers import kf, write_key_figures, write_units

    from kompetens.query.export import export_figures

    conn = store.connect(":memory:")
    units = [(f"U{i}", f"Skola {i}", '=HYPERLINK("http://x","logga in")', "grundskola", None)
             for i in range(1, 3)]  # fmt: skip
    write_units(conn, units)
    write_key_figures(
        conn,
        [
            kf("hires", "area", units[0][2], "year", "2025", 12, None, 12),
            kf("hires", "area", "@SUM(A1)", "year", "2025", 9, None, 9),
            kf("hires", "org", "org", "year", "2025", 21, None, 21),
        ],
    )
    out = tmp_path / "nyckeltal.csv"
    export_figures(conn, out, ["hires"])
    scopes = pl.read_csv(out, infer_schema=False)["scope_id"].to_list()
    assert sorted(scopes) == sorted(["'" + units[0][2], "'@SUM(A1)", "org"])
    parquet = tmp_path / "nyckeltal.parquet"
    export_figures(conn, parquet, ["hires"])
    assert units[0][2] in pl.read_parquet(parquet)["scope_id"].to_list()  # kept for programs


# ---- a very wide header ----------------------------------------------------------------------


def test_a_header_with_a_hundred_thousand_extra_columns_gives_one_summary_warning():
    conn = seeded_db()
    extra = [f"x{i}" for i in range(100_000)]
    header = ";".join(["unit_id", "unit_name", "area", "school_form", *extra])
    row = ";".join(["U9", "Sjöskolan", "Norra området", "grundskola", *([""] * len(extra))])
    result = import_bytes(conn, f"{header}\n{row}\n".encode(), "bred.csv", user="test")
    assert result.warnings == [
        "100000 kolumner ingår inte i datakontraktet för enheter och har ignorerats: "
        "'x0', 'x1', 'x2', 'x3', 'x4' och 99995 till."
    ]
    logged = store.scalar(conn, "SELECT warnings FROM import_log ORDER BY batch_id DESC LIMIT 1")
    assert len(logged) < 500


def test_twelve_digit_form_agrees_for_the_padded_young_personnummer():
    # The padding rule rests on the century rule: 03 is 2003 (at most 100 years old today).
    assert twelve_digit_form(YOUNG) == "20" + YOUNG


def test_windows_1252_reads_the_same_with_or_without_the_bytes_where_it_differs_from_latin_1():
    from kompetens.ingest.reading import decode_text

    # Without a byte in 0x80–0x9F the file is decoded as Latin-1 (fast); with an en dash
    # (0x96) or a euro sign (0x80) as Windows-1252; the text is the same either way.
    plain = "Enhetskod;Enhetsnamn\nU1;Åkerskolan Väst, Örebro é\n"
    assert decode_text(plain.encode("cp1252"), "enheter.csv") == (plain, "cp1252")
    dashed = "Enhetskod;Enhetsnamn\nU1;Åkerskolan – Väst €\n"
    assert decode_text(dashed.encode("cp1252"), "enheter.csv") == (dashed, "cp1252")
    mac = "Enhetskod;Enhetsnamn\nU1;Björkängens förskola\n"
    assert decode_text(mac.encode("mac_roman"), "enheter.csv") == (mac, "mac_roman")
