"""Datakvalitet page (AppTest) on the small fixture.

The fixture is complete: staff snapshots and sick leave every month 2024-01..2025-12 for
E1, L1 and S1, surveys in March 2024 and 2025 -> nine unit × kind rows, all current. In 2025
S1's certified teacher share rests on four teachers (hidden, primary), which hides E1's too
(secondary: the organisation minus Söder would give it away).
"""

from __future__ import annotations

import shutil

import pytest

from kompetens import query
from kompetens.core import store
from kompetens.ingest import import_bytes
from kompetens.present.formatting import md_text
from tests.app_support import run_page, texts

PAGE = "views/datakvalitet.py"


def metric_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table_with(at, column: str):
    return next(t.value for t in at.dataframe if column in t.value.columns)


def test_a_complete_fixture_has_no_stale_or_missing_data_and_shows_coverage_and_imports(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    assert not at.exception
    values = metric_values(at)
    assert (
        values["Saknas helt"],
        values["Inaktuella"],
        values["Med luckor"],
        values["Aktuella"],
    ) == (
        "0",
        "0",
        "0",
        "9",
    )
    assert "Alla enheter har aktuell personal-, sjukfrånvaro- och enkätdata." in texts(at)
    assert len(at.get("plotly_chart")) == 1
    imports = table_with(at, "Fil")
    assert {"units.csv", "staff.csv", "sick_leave.csv"} <= set(imports["Fil"])
    assert set(imports["Status"]) == {"Aktiv"}
    # Counts are Swedish text on screen (no bare numbers Streamlit would write its own way).
    assert all(isinstance(v, str) for v in imports["Rader importerade"])


def test_import_log_counts_show_a_swedish_thousands_separator_and_the_download_keeps_numbers():
    import polars as pl

    from kompetens.ui import quality_view

    log = pl.DataFrame(
        {"rows_written": [183_719, 12], "rows_replaced": [0, 1_000], "rows_rejected": [None, 3]}
    )
    shown = quality_view.imports_screen(log)
    # Padded with figure spaces to the widest text (7 characters: "183 719").
    assert [v.strip("\u2007") for v in shown["rows_written"]] == ["183\u00a0719", "12"]
    assert [v.strip("\u2007") for v in shown["rows_replaced"]] == ["0", "1\u00a0000"]
    assert [v.strip("\u2007") for v in shown["rows_rejected"]] == ["–", "3"]
    assert log["rows_written"].to_list() == [183_719, 12]  # the frame itself is unchanged


def test_hidden_values_list_the_small_school_and_the_cell_hidden_to_protect_it(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025"})
    hidden = table_with(at, "Varför dold")
    rows = hidden[
        (hidden["Nyckeltal"] == "Andel behöriga lärare (heltidstjänster)")
        & (hidden["Uppdelning"] == "–")
    ]
    reasons = dict(zip(rows["Enhet/område"], rows["Varför dold"], strict=True))
    # units by name (units.csv: S1 Söderskolan, E1 Ekskolan), their ids beside them
    assert reasons["Söderskolan"] == "Färre än 5 personer"
    assert reasons["Ekskolan"] == "Dold så att en annan cell inte kan räknas fram"
    ids = dict(zip(rows["Enhet/område"], rows["Enhets-id"], strict=True))
    assert ids["Söderskolan"] == "S1" and ids["Ekskolan"] == "E1"
    assert set(hidden["Period"]) == {"2025"}


def test_the_kind_control_is_kept_in_the_url(small_db):
    at = run_page(small_db, PAGE, query_params={"ar": "2025", "typ": "Enkät"})
    assert not at.exception
    assert "Mörk = det finns rader av typen enkät den månaden" in texts(at)


@pytest.fixture
def db_with_a_new_unit(small_db, tmp_path):
    """A copy where a fourth unit (N1, Norr) was imported but nothing else about it."""
    target = tmp_path / "dq.duckdb"
    shutil.copy(small_db, target)
    conn = store.connect(target)
    try:
        units = (
            "unit_id;unit_name;area;school_form;socioeconomic_index;valid_from\n"
            "E1;Ekskolan;Norr;grundskola;1,2;\n"
            "L1;Lärkans förskola;Norr;förskola;0,8;\n"
            "S1;Söderskolan;Söder;grundskola;1,5;\n"
            "N1;Nyskolan;Norr;grundskola;1,0;2025-08-01\n"
        )
        import_bytes(conn, units.encode("utf-8"), "enheter_ny.csv", user="test")
    finally:
        conn.close()
    query.clear_cache()
    return target


def test_a_unit_without_any_data_is_listed_as_missing_for_every_kind(db_with_a_new_unit):
    at = run_page(db_with_a_new_unit, PAGE, query_params={"ar": "2025"})
    assert not at.exception
    assert metric_values(at)["Saknas helt"] == "3"
    problems = table_with(at, "Datatyp")
    missing = problems[problems["Enhet"] == "Nyskolan"]
    assert sorted(missing["Datatyp"]) == [
        "Medarbetarenkät",
        "Personal (ögonblicksbilder)",
        "Sjukfrånvaro",
    ]
    assert set(missing["Status"]) == {"Saknas helt"}
    # The caption reads Markdown, so the names in it are escaped (md_text), shown as typed.
    assert md_text("Nyskolan (Norr) 2025-08") in texts(at)
    assert table_with(at, "Fil")["Fil"].iloc[0] == "enheter_ny.csv"
    # a unit with no data has no "months behind": the cell shows a dash, never "None"
    assert missing["Månader efter"].isna().all()
    assert all(t.proto.placeholder == "–" for t in at.dataframe)


def test_the_import_log_is_read_with_an_organisation_scope_and_refused_to_an_area_or_unit(
    small_db, tmp_path
):
    from kompetens.query import Scope, records

    target = tmp_path / "log.duckdb"
    shutil.copy(small_db, target)
    conn = store.connect(target)
    try:
        log = records.imports(conn, Scope.everything())
        # The small fixture is loaded file by file: one batch per file, newest first.
        assert log["batch_id"].to_list() == sorted(log["batch_id"].to_list(), reverse=True)
        assert {"units.csv", "staff.csv", "sick_leave.csv"} <= set(log["file_name"])
        for narrow in (Scope.for_areas("Norr"), Scope.for_units(["E1"], ["Norr"]), Scope("unit")):
            assert not records.may_see_imports(narrow)
            with pytest.raises(query.ScopeError):
                records.imports(conn, narrow)
        # Leadership sees the whole organisation but is not given Datakvalitet or Import.
        assert records.imports(conn, Scope.everything(), "hr").height == log.height
        with pytest.raises(query.ScopeError):
            records.imports(conn, Scope.everything(), "leadership")
    finally:
        conn.close()


def test_the_import_preview_shows_codes_as_swedish_words_under_swedish_headings():
    import datetime as dt

    import polars as pl

    from kompetens.ui import quality_view as view

    head = pl.DataFrame(
        {
            "snapshot_date": [dt.date(2025, 10, 1)],
            "staff_category": ["preschool_teacher"],
            "employment_type": ["fixed_term"],
            "fte": [0.75],
            "salary": [34567.5],
            "birth_year": [1985],
        }
    )
    shown = view.preview_table(head, "staff")
    assert shown.row(0, named=True) == {
        "Mätdatum": "2025-10-01",
        "Personalkategori": "Förskollärare",
        "Anställningsform": "Visstid",
        # numbers as Swedish text, whatever the browser's language: 0.75 -> "0,75",
        # 34567.5 -> "34 567,5" (no-break space as the thousands separator)
        "Sysselsättningsgrad": "0,75",
        "salary": "34\u00a0567,5",
        "Födelseår": "1985",  # a year is not a number to group: never "1 985"
    }
