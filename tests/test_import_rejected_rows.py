"""The rejected-rows file of a partial import, read as HR reads it (issue 15 point 9, issue 16 point 5).

Hand-made HR exports with title lines above the header, read through a mapping
profile that renames every column. The rejected-rows file must give back each
rejected row as the file has it: the row number the user sees (title lines and
header counted), the file's own columns in the file's order under the file's
spelling, the cell text as written, the personnummer masked as the error report
masks it (``identity.mask_identity``: birth date, last four digits hidden), and
no raw personnummer and no pseudonym anywhere. Error reports after a profile
rename name the columns as the file spells them.

Seed database: units U1–U4 (``seeded_db``).
"""

from __future__ import annotations

import io
import re

import pytest
import xlsxwriter
from import_fixtures import (  # noqa: F401 (autouse fixture)
    database_contents,
    isolate_importer_from_hooks,
    seeded_db,
    with_check_digit,
)

from kompetens.ingest import ImportRejected, import_bytes, profiles
from kompetens.ingest.identity import mask_identity
from kompetens.ingest.pseudonym import load_key, pseudonym

P1 = with_check_digit("800101123")  # born 1980, valid
P2 = with_check_digit("811224456")  # born 1981, valid
P3 = with_check_digit("750505789")  # born 1975, valid
BAD = P3[:9] + str((int(P3[9]) + 1) % 10)  # P3 with a wrong check digit
EVERY_PNR = (P1, P2, P3, BAD)
#: The reasons as the file's 'fel' column writes them, named by the file's columns; quoted
#: (CSV) because they contain the separator.
FTE_ERROR = (
    '"Syss.grad %: sysselsättningsgraden måste vara större än 0 och högst 1 (100 %); '
    'värdet är varken en andel (0–1) eller en procentsats (2–100 %)"'
)
UNIT_ERROR = (
    '"Org.enhet: enheten finns inte bland enheterna i databasen; importera enhetsfilen '
    '(units) först eller rätta enhets-id"'
)

#: A Heroma-style export: two title lines, a blank line, the header on line 4, a totals row.
HEROMA_CSV = (
    "Personalrapport Heroma – Aktiva anställningar\n"
    "Utskriven 2025-11-03, anställda per 2025-10-31\n"
    "\n"
    "Personnr;Anst.nr;Namn;Org.enhet;Befattningsbenämning;Syss.grad %;Anst.form;Lärarleg.\n"
    f"{P1[:6]}-{P1[6:]};1001;Åsa Öberg;U1;Lärare;1;TV;J\n"  # line 5: valid
    f"{P2[:6]}-{P2[6:]};1002;Bo Ek;U1;Lärare;1,5;TV;J\n"  # line 6: FTE above 1
    f"19{BAD[:6]}-{BAD[6:]};1003;Cia Lund;U2;Förskollärare;0,75;VIK;N\n"  # line 7: check digit
    f"{P3[:6]}-{P3[6:]};1004;Dan Ås;U9;Barnskötare;0,5;VIK;N\n"  # line 8: unknown unit
    "Summa;4;;;;;;\n"
)

HEROMA = profiles.Profile(
    name="Heroma personal",
    kind="staff",
    headers=[
        "Personnr",
        "Anst.nr",
        "Namn",
        "Org.enhet",
        "Befattningsbenämning",
        "Syss.grad %",
        "Anst.form",
        "Lärarleg.",
    ],
    columns={
        "Personnr": "employee_id",
        "Anst.nr": "",
        "Org.enhet": "unit_id",
        "Befattningsbenämning": "staff_category",
        "Syss.grad %": "fte",
        "Anst.form": "employment_type",
        "Lärarleg.": "licensed",
    },
    values={"employment_type": {"TV": "permanent", "VIK": "fixed_term"}},
    constants={"snapshot_date": profiles.TITLE},
)


def rejected_lines(result) -> list[str]:
    """The rejected-rows file's lines, BOM stripped; line 1 is the title."""
    return result.rejected_file.read_bytes().decode("utf-8-sig").splitlines()


def assert_no_identity_leaks(text: str) -> None:
    """No personnummer in any spelling, and no pseudonym, in ``text``."""
    key = load_key()
    for ten in EVERY_PNR:
        for form in (ten, f"{ten[:6]}-{ten[6:]}", "19" + ten, f"19{ten[:6]}-{ten[6:]}"):
            assert form not in text
        assert pseudonym("19" + ten, key) not in text
    assert not re.search(r"\bp_[0-9a-f]{6,}", text)


def test_the_rejected_rows_of_a_cp1252_export_keep_the_files_rows_columns_and_text(tmp_path):
    conn = seeded_db()
    result = import_bytes(
        conn,
        HEROMA_CSV.encode("cp1252"),
        "heroma okt.csv",
        partial=True,
        profile=HEROMA,
        rejected_dir=tmp_path,
    )
    # 4 data rows (the totals row is skipped): line 5 written, lines 6-8 rejected.
    assert (result.rows_in, result.rows_written, result.rows_rejected) == (4, 1, 3)
    lines = rejected_lines(result)
    assert lines[0].startswith('"Avvisade rader från heroma okt.csv, med filens radnummer')
    assert "personuppgifter med maskerade personnummer" in lines[0]
    assert lines[0].endswith(f'Sparad som {tmp_path / "heroma okt.avvisade.csv"}"')
    # The file's own columns in its order (the name column left out), between 'rad' and 'fel';
    # the rows as written, only the personnummer masked (as the error report masks it).
    assert lines[1:] == [
        "rad;Personnr;Anst.nr;Org.enhet;Befattningsbenämning;Syss.grad %;Anst.form;Lärarleg.;fel",
        f"6;{P2[:6]}-****;1002;U1;Lärare;1,5;TV;J;{FTE_ERROR}",
        f"7;19{BAD[:6]}-****;1003;U2;Förskollärare;0,75;VIK;N;"
        "Personnr: ser ut som ett personnummer men kontrollsiffran stämmer inte",
        f"8;{P3[:6]}-****;1004;U9;Barnskötare;0,5;VIK;N;{UNIT_ERROR}",
    ]
    assert mask_identity(f"{P2[:6]}-{P2[6:]}") == f"{P2[:6]}-****"  # the one masking function
    text = "\n".join(lines)
    assert_no_identity_leaks(text)
    assert "Bo Ek" not in text and "Cia Lund" not in text  # names are never kept


def _heroma_workbook() -> bytes:
    """The same export as an XLSX sheet: title in A1 and A2, row 3 empty, header on row 4."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    sheet = book.add_worksheet("Anställda")
    sheet.write_string(0, 0, "Personalrapport Heroma – Aktiva anställningar")
    sheet.write_string(1, 0, "Utskriven 2025-11-03, anställda per 2025-10-31")
    sheet.write_row(3, 0, HEROMA.headers)
    rows = [
        (f"{P1[:6]}-{P1[6:]}", 1001, "Åsa Öberg", "U1", "Lärare", 1, "TV", "J"),
        (f"{P2[:6]}-{P2[6:]}", 1002, "Bo Ek", "U1", "Lärare", 1.5, "TV", "J"),
        (f"19{BAD[:6]}-{BAD[6:]}", 1003, "Cia Lund", "U2", "Förskollärare", 0.75, "VIK", "N"),
        (f"{P3[:6]}-{P3[6:]}", 1004, "Dan Ås", "U9", "Barnskötare", 0.5, "VIK", "N"),
    ]
    for r, row in enumerate(rows, start=4):
        sheet.write_row(r, 0, row)
    sheet.write_row(8, 0, ["Summa", 4])
    book.close()
    return buf.getvalue()


def test_the_rejected_rows_of_an_xlsx_export_keep_excels_row_numbers_and_the_files_columns(
    tmp_path,
):
    conn = seeded_db()
    result = import_bytes(
        conn,
        _heroma_workbook(),
        "heroma okt.xlsx",
        partial=True,
        profile=HEROMA,
        rejected_dir=tmp_path,
    )
    assert (result.rows_in, result.rows_written, result.rows_rejected) == (4, 1, 3)
    lines = rejected_lines(result)
    # Excel rows 6-8: title rows 1-2, empty row 3, header row 4, first data row 5.
    # Numeric cells are given as Excel's text of the number (1.5, 0.75, 1002).
    assert lines[1:] == [
        "rad;Personnr;Anst.nr;Org.enhet;Befattningsbenämning;Syss.grad %;Anst.form;Lärarleg.;fel",
        f"6;{P2[:6]}-****;1002;U1;Lärare;1.5;TV;J;{FTE_ERROR}",
        f"7;19{BAD[:6]}-****;1003;U2;Förskollärare;0.75;VIK;N;"
        "Personnr: ser ut som ett personnummer men kontrollsiffran stämmer inte",
        f"8;{P3[:6]}-****;1004;U9;Barnskötare;0.5;VIK;N;{UNIT_ERROR}",
    ]
    assert_no_identity_leaks("\n".join(lines))


def test_the_page_download_says_where_it_came_from_instead_of_a_server_path(tmp_path):
    conn = seeded_db()
    result = import_bytes(
        conn,
        HEROMA_CSV.encode("cp1252"),
        "heroma okt.csv",
        partial=True,
        profile=HEROMA,
        rejected_dir=tmp_path,
        rejected_where="Hämtad från sidan Import i Kompetens; filen sparas inte på servern.",
    )
    first = rejected_lines(result)[0]
    assert first.endswith('Hämtad från sidan Import i Kompetens; filen sparas inte på servern."')
    assert str(tmp_path) not in first
    # The success message names the file, never its folder.
    assert str(result) == (
        "heroma okt.csv (personal (ögonblicksbilder)): 1 rad importerad, 0 tidigare rader "
        f"ersatta, 3 rader avvisade (se heroma okt.avvisade.csv) – batch {result.batch_id}."
    )
    assert str(tmp_path) not in str(result)


def test_an_error_report_after_a_profile_rename_names_the_columns_as_the_file_spells_them():
    conn = seeded_db()
    before = database_contents(conn)
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, HEROMA_CSV.encode("cp1252"), "heroma okt.csv", profile=HEROMA)
    assert database_contents(conn) == before
    found = [(i.row, i.column, i.value) for i in caught.value.issues]
    assert found == [
        (6, "Syss.grad %", "1,5"),
        (7, "Personnr", f"19{BAD[:6]}-****"),
        (8, "Org.enhet", "U9"),
    ]
    report = str(caught.value)
    for contract_name in ("employee_id", "personnummer", "unit_id", "fte"):
        assert f"kolumn {contract_name}:" not in report
    assert "kolumn Syss.grad %:" in report


def test_a_value_the_profile_gives_the_whole_file_is_named_by_its_label_and_origin():
    conn = seeded_db()
    # Born 2015: a snapshot on 2025-10-31 lies before the person's 15th year.
    young = with_check_digit("150101123")
    text = HEROMA_CSV.replace(f"{P1[:6]}-{P1[6:]}", f"{young[:6]}-{young[6:]}")
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, text.encode("cp1252"), "heroma okt.csv", profile=HEROMA)
    first = caught.value.issues[0]
    assert (first.row, first.column) == (5, "Mätdatum (från titelraden)")
    assert first.message.startswith("mätdatumet ligger före personens 15-årsår")


def test_a_missing_column_after_a_profile_lists_the_files_own_headers():
    conn = seeded_db()
    without_unit = profiles.Profile(
        name="utan enhet",
        kind="staff",
        headers=HEROMA.headers,
        columns={**HEROMA.columns, "Org.enhet": ""},
        values=HEROMA.values,
        constants=HEROMA.constants,
    )
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, HEROMA_CSV.encode("cp1252"), "heroma okt.csv", profile=without_unit)
    message = caught.value.issues[0].message
    assert message.startswith("den obligatoriska kolumnen 'unit_id' (")
    assert message.endswith(
        "Rad 4 liknar mest en rubrikrad; kolumner där: Personnr, Anst.nr, Namn, Org.enhet, "
        "Befattningsbenämning, Syss.grad %, Anst.form, Lärarleg."
    )


def test_the_cli_imports_through_the_profile_names_the_rejected_file_and_says_where_it_is(tmp_path):
    from import_fixtures import SEED_UNITS
    from typer.testing import CliRunner

    from kompetens.cli import app

    db, runner = tmp_path / "k.duckdb", CliRunner()
    assert runner.invoke(app, ["import", str(SEED_UNITS), "--db", str(db)]).exit_code == 0
    toml = profiles.write_profile_file(HEROMA, tmp_path / "heroma.toml")
    assert runner.invoke(app, ["profiles", "import", str(toml), "--db", str(db)]).exit_code == 0
    export = tmp_path / "heroma okt.csv"
    export.write_bytes(HEROMA_CSV.encode("cp1252"))
    out = runner.invoke(
        app,
        ["import", str(export), "--partial", "--profile", "Heroma personal", "--db", str(db)],
    )
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert "1 rad importerad" in said
    assert "3 rader avvisade (se heroma okt.avvisade.csv)" in said
    assert (
        f"De avvisade raderna skrevs till {tmp_path / 'heroma okt.avvisade.csv'}. Filen innehåller "
        "personuppgifter med maskerade personnummer" in said
    )
    written = (tmp_path / "heroma okt.avvisade.csv").read_text(encoding="utf-8-sig")
    assert written.splitlines()[1].startswith("rad;Personnr;Anst.nr;Org.enhet;")
    assert_no_identity_leaks(written + out.output)


def test_a_rejected_cell_a_spreadsheet_would_run_as_a_formula_is_written_with_an_apostrophe(
    tmp_path,
):
    # line 6's unit is '=SUMMA(1+1)' (not a unit: rejected) and its FTE '-0,5' (a plain
    # negative number, not a formula); only the unit cell gets the leading apostrophe.
    formula = "=SUMMA(1+1)"
    csv = HEROMA_CSV.replace(f"{P2[:6]}-{P2[6:]};1002;Bo Ek;U1;Lärare;1,5;", "").replace(
        "Summa;4;;;;;;\n",
        f"{P2[:6]}-{P2[6:]};1002;Bo Ek;{formula};Lärare;-0,5;TV;J\n",
    )
    conn = seeded_db()
    result = import_bytes(
        conn,
        csv.encode("cp1252"),
        "heroma okt.csv",
        partial=True,
        profile=HEROMA,
        rejected_dir=tmp_path,
    )
    lines = rejected_lines(result)
    row = next(line for line in lines if ";1002;" in line)
    assert ";'=SUMMA(1+1);" in row
    assert ";-0,5;" in row


def test_the_importer_reads_an_apostrophe_before_a_formula_character_as_the_text_after_it():
    # A corrected rejected-rows file comes back with "'=…" cells: the unit id "'+U1" is read
    # as "+U1" (an unknown unit, so the error names "+U1", not "'+U1").
    csv = "unit_id;unit_name;area;school_form\n'+U1;Plusskolan;Norr;grundskola\n"
    conn = seeded_db()
    import_bytes(conn, csv.encode("utf-8"), "units.csv", user="test")
    names = [r[0] for r in conn.execute("select unit_id from units order by unit_id").fetchall()]
    assert "+U1" in names and "'+U1" not in names
