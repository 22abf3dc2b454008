"""Partial imports, pseudonymisation and the promise that no raw personnummer reaches disk."""

from __future__ import annotations

import os
import stat

import polars as pl
import pytest
from import_fixtures import (  # noqa: F401 (autouse fixture)
    SEED_UNITS,
    current,
    isolate_importer_from_hooks,
    seeded_db,
    with_check_digit,
)

from kompetens.core import paths, store
from kompetens.ingest import ImportRejected, import_bytes, import_file
from kompetens.ingest.pseudonym import (
    load_key,
    looks_like_personnummer,
    mask,
    pseudonym,
    twelve_digit_form,
)

P1 = with_check_digit("800101123")  # 8001011231
P2 = with_check_digit("811224456")  # 8112244564
SAMORDNING = with_check_digit("900171234")  # day 71 = the 11th


def test_the_same_person_gets_one_pseudonym_from_every_spelling_of_the_personnummer():
    key = b"k"
    twelve = "19" + P1
    forms = [P1, P1[:6] + "-" + P1[6:], twelve, twelve[:8] + "-" + twelve[8:]]
    assert {twelve_digit_form(f) for f in forms} == {twelve}
    assert len({pseudonym(twelve_digit_form(f), key) for f in forms}) == 1
    assert pseudonym(twelve, key).startswith("p_") and len(pseudonym(twelve, key)) == 26


def test_the_century_of_a_ten_digit_personnummer_follows_age_and_the_plus_sign():
    p = with_check_digit("100505123")
    assert twelve_digit_form(p) == "20" + p  # born 2010, not 1910
    assert twelve_digit_form(p[:6] + "+" + p[6:]) == "19" + p  # '+' = 100 years or older
    assert twelve_digit_form("19" + P1[:6] + "-" + P1[6:9] + str((int(P1[9]) + 1) % 10)) is None
    assert twelve_digit_form(SAMORDNING) == "19" + SAMORDNING


def test_ids_that_are_not_personnummer_are_kept_and_masking_hides_the_last_four_digits():
    assert not looks_like_personnummer("E100")
    assert not looks_like_personnummer("1234567890")  # month 56: an HR number, not a date
    assert looks_like_personnummer(P1)
    assert mask("19800101-1234") == "19800101-****"
    assert mask("8001011234") == "800101-****"


def test_the_key_file_is_created_once_with_owner_only_permissions(monkeypatch):
    monkeypatch.delenv("KOMPETENS_PSEUDONYM_KEY")
    key = load_key()
    path = paths.key_file_path()
    assert len(key) == 32 and path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_key() == key


def _staff_with_personnummer() -> bytes:
    rows = [
        f"2025-01-31;{P1};U1;lärare;1;tillsvidare;ja;1980",
        f"2025-01-31;{P2[:6]}-{P2[6:]};U2;förskollärare;0,5;visstid;nej;1981",
        f"2025-01-31;19{SAMORDNING};U3;rektor;100 %;tillsvidare;ja;1990",
        "2025-01-31;HR-000042;U4;övrig;0,4;timavlönad;nej;1999",
    ]
    return (
        # An ordinary id column (not declared as personnummer): HR ids and personnummer may mix.
        "mätdatum;anställningsid;enhet_id;befattning;syssgrad;anställningsform;legitimation;födelseår\n"
        + "\n".join(rows)
        + "\n"
    ).encode()


def _all_forms(ten: str) -> list[str]:
    twelve = twelve_digit_form(ten)
    return [
        ten,
        ten[:6] + "-" + ten[6:],
        ten[:6] + "+" + ten[6:],
        twelve,
        twelve[:8] + "-" + twelve[8:],
    ]


def test_no_raw_personnummer_reaches_the_database_file(tmp_path):
    db = tmp_path / "k.duckdb"
    conn = store.connect(db)
    import_file(conn, SEED_UNITS)
    import_bytes(conn, _staff_with_personnummer(), "personal.csv")
    events = f"datum;personnummer;händelse;enhet_id\n2025-01-10;{P1};nyanställning;U1\n"
    import_bytes(conn, events.encode(), "handelser.csv")
    stored_ids = sorted(r[0] for r in store.rows(conn, "SELECT employee_id FROM current_staff"))
    conn.close()
    blobs = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("k.duckdb"))
    for ten in (P1, P2, SAMORDNING):
        for form in _all_forms(ten):
            assert form.encode() not in blobs, form
    assert b"HR-000042" in blobs  # control: stored ids are visible in the file's bytes
    assert [i.startswith("p_") for i in stored_ids] == [False, True, True, True]


def test_pseudonyms_are_stable_across_imports_and_change_with_the_key(monkeypatch):
    # The seed file spells P1 with 12 digits and P2 with a dash; this file with 10 digits.
    first = seeded_db()
    import_bytes(first, _staff_with_personnummer().replace(b"2025-01-31", b"2024-12-31"), "a.csv")
    second = seeded_db()
    import_bytes(second, _staff_with_personnummer().replace(b"2025-01-31", b"2024-11-30"), "b.csv")

    def pseudonyms(conn):
        return [
            r["employee_id"]
            for r in current(conn, "staff", "employee_id")
            if r["employee_id"].startswith("p_")
        ]

    assert len(pseudonyms(first)) == 5  # 2 seed rows + 3 rows here
    assert len(set(pseudonyms(first))) == 3  # but only three people
    assert set(pseudonyms(first)) == set(pseudonyms(second))
    monkeypatch.setenv("KOMPETENS_PSEUDONYM_KEY", "another-key")
    third = seeded_db()
    assert len(set(pseudonyms(third))) == 2
    assert set(pseudonyms(third)).isdisjoint(pseudonyms(first))


def test_a_partial_import_writes_the_valid_rows_and_returns_the_rejected_ones_with_reasons(
    tmp_path,
):
    conn = seeded_db()
    bad_pnr = P2[:6] + "-" + P2[6:9] + str((int(P2[9]) + 1) % 10)
    text = (
        "snapshot_date;employee_id;unit_id;staff_category;fte;employment_type;licensed;birth_year;förnamn\n"
        f"2025-02-28;{P1};U1;teacher;1;permanent;Ja;1980;Anna\n"
        f"2025-02-28;{P2};U1;teacher;1,5;permanent;Ja;1981;Bo\n"
        f"2025-02-28;{bad_pnr};U2;teacher;1;permanent;Ja;1981;Cia\n"
        "2025-02-28;E7;U9;teacher;0,5;permanent;Ja;1975;Dan\n"
        "2025-02-28;E8;U2;teacher;0,5;permanent;Ja;1976;Eva\n"
    )
    source = tmp_path / "personal feb.csv"
    source.write_bytes(text.encode())
    with pytest.raises(ImportRejected):
        import_file(conn, source)
    result = import_file(conn, source, partial=True)
    assert (result.rows_in, result.rows_written, result.rows_rejected) == (5, 2, 3)
    assert result.rejected_file == tmp_path / "personal feb.avvisade.csv"
    assert sorted(
        r[0]
        for r in store.rows(
            conn, "SELECT unit_id FROM current_staff WHERE snapshot_date = '2025-02-28'"
        )
    ) == ["U1", "U2"]
    raw = result.rejected_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rejected = pl.read_csv(result.rejected_file, separator=";", infer_schema=False, skip_rows=1)
    assert rejected.columns == [
        "rad",
        "snapshot_date",
        "employee_id",
        "unit_id",
        "staff_category",
        "fte",
        "employment_type",
        "licensed",
        "birth_year",
        "fel",
    ]
    assert rejected["rad"].to_list() == ["3", "4", "5"]
    # Masked as the error report masks them (never a pseudonym, which HR cannot look up).
    assert rejected["employee_id"].to_list() == [P2[:6] + "-****", bad_pnr[:6] + "-****", "E7"]
    assert rejected["fte"].to_list() == ["1,5", "1", "0,5"]
    fel = rejected["fel"].to_list()
    assert fel[0].startswith("fte: sysselsättningsgraden måste vara större än 0")
    assert fel[1] == "employee_id: ser ut som ett personnummer men kontrollsiffran stämmer inte"
    assert fel[2].startswith("unit_id: enheten finns inte")
    text_out = raw.decode("utf-8-sig")
    assert pseudonym("19" + P2, load_key()) not in text_out and "p_" not in text_out
    for ten in (P1, P2, bad_pnr.replace("-", "")):
        for form in (ten, ten[:6] + "-" + ten[6:], "19" + ten):
            assert form not in text_out
    assert "Cia" not in text_out
    log = store.rows(
        conn,
        "SELECT rows_in, rows_written, rows_rejected FROM import_log ORDER BY batch_id DESC LIMIT 1",
    )
    assert log == [(5, 2, 3)]


def test_a_partial_upload_writes_the_rejected_file_to_the_given_folder(tmp_path):
    conn = seeded_db()
    text = "unit_id;unit_name;area;school_form\nU8;Nya skolan;Norr;grundskola\nU9;Fel;Norr;slott\n"
    result = import_bytes(
        conn, text.encode(), "enheter.xlsx.csv", partial=True, rejected_dir=tmp_path / "out"
    )
    assert result.rejected_file == tmp_path / "out" / "enheter.xlsx.avvisade.csv"
    assert os.path.exists(result.rejected_file)
    assert result.rows_written == 1


def test_a_personnummer_in_a_file_name_or_a_missing_header_row_is_masked_everywhere(tmp_path):
    conn = seeded_db()
    twelve = "19" + P1
    # No header row: the first data row is read as headers and shown back in the error.
    text = f"2025-01-31;{twelve};U1;lärare;1;tillsvidare;ja;1980\n2025-01-31;E2;U1;lärare;1;tillsvidare;ja;1980\n"
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, text.encode(), f"{twelve}.csv")
    report = str(caught.value)
    assert twelve not in report and P1 not in report
    assert f"{twelve[:8]}-****.csv" in report
    staff = "snapshot_date;employee_id;unit_id;staff_category;fte;employment_type;licensed;birth_year;kommentar\n"
    staff += f"2025-03-31;E1;U1;teacher;1;permanent;Ja;1980;se {twelve}\n2025-03-31;E2;U9;teacher;1;permanent;Ja;1980;\n"
    result = import_bytes(
        conn, staff.encode(), f"lön {P1[:6]}-{P1[6:]}.csv", partial=True, rejected_dir=tmp_path
    )
    assert result.file_name == f"lön {P1[:6]}-****.csv"
    assert result.rejected_file == tmp_path / f"lön {P1[:6]}-XXXX.avvisade.csv"
    logged = store.rows(conn, "SELECT file_name FROM import_log ORDER BY batch_id DESC LIMIT 1")
    assert logged == [(f"lön {P1[:6]}-****.csv",)]


def test_the_rejected_rows_file_says_in_its_first_line_that_it_holds_personal_data_and_where_it_is(
    tmp_path,
):
    conn = seeded_db()
    source = tmp_path / "personal mars.csv"
    source.write_text(
        "snapshot_date;employee_id;unit_id;staff_category;fte;employment_type;licensed;birth_year\n"
        f"2025-03-31;{P1};U1;teacher;1;permanent;Ja;1980\n"
        f"2025-03-31;{P2};U1;teacher;1,5;permanent;Ja;1981\n",
        encoding="utf-8",
    )
    result = import_file(conn, source, partial=True)
    target = tmp_path / "personal mars.avvisade.csv"
    first = target.read_text(encoding="utf-8-sig").splitlines()[0]
    assert first == (
        '"Avvisade rader från personal mars.csv, med filens radnummer och kolumner – innehåller '
        "personuppgifter med maskerade personnummer; radera filen när raderna är rättade. "
        f'Sparad som {target}"'
    )
    assert result.rejected_note == (
        f"De avvisade raderna skrevs till {target}. Filen innehåller personuppgifter med "
        "maskerade personnummer: förvara den som andra personuppgifter och radera den när "
        "raderna är rättade."
    )
    assert str(result) == (
        "personal mars.csv (personal (ögonblicksbilder)): 1 rad importerad, 0 tidigare rader "
        f"ersatta, 1 rad avvisad (se personal mars.avvisade.csv) – batch {result.batch_id}."
    )


def test_the_cli_says_where_the_rejected_rows_went_and_that_they_are_personal_data(tmp_path):
    from typer.testing import CliRunner

    from kompetens.cli import app

    db = tmp_path / "k.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(SEED_UNITS), "--db", str(db)]).exit_code == 0
    source = tmp_path / "personal.csv"
    source.write_text(
        "snapshot_date;employee_id;unit_id;staff_category;fte;employment_type;licensed;birth_year\n"
        "2025-03-31;E1;U1;teacher;1;permanent;Ja;1980\n"
        "2025-03-31;E2;U1;teacher;1,5;permanent;Ja;1981\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["import", str(source), "--partial", "--db", str(db)])
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert "De avvisade raderna skrevs till" in said
    assert "personal.avvisade.csv" in said
    assert "Filen innehåller personuppgifter med maskerade personnummer" in said
