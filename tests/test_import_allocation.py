"""The allocation model's inputs (the optional kinds ``pupil_count``, ``socioeconomic_index`` and
``allocation_parameters``) import like every other kind: Swedish headers and values, clear Swedish
errors with nothing written, re-import replaces, undo restores."""

from __future__ import annotations

import pytest
from import_fixtures import (  # noqa: F401 (autouse fixture)
    current,
    database_contents,
    isolate_importer_from_hooks,
    seeded_db,
)

from kompetens.core import store
from kompetens.ingest import ImportRejected, detect_kind, import_bytes, template_headers, undo_batch


def csv(header: str, *rows: str) -> bytes:
    return (header + "\n" + "\n".join(rows) + "\n").encode("utf-8")


PUPILS_HEADER = "Enhetskod;År;Skolform;Årskurser;Antal elever"
INDEX_HEADER = "Enhetskod;År;Socioekonomiskt index;Föräldrars utbildning;Utländsk bakgrund;Låg ekonomisk standard"
PARAMETERS_HEADER = "År;Skolform;Kompensatorisk pott;Golv;Kompensatorisk andel;Utjämning;Tak"


def test_a_swedish_pupil_file_lands_with_school_forms_grade_bands_and_counts():
    conn = seeded_db()
    data = csv(
        PUPILS_HEADER,
        "U1;2025;Grundskola;lågstadiet;120",
        "U1;2025;grundskola;åk 7-9;95",
        "U3;2025;gymnasium;;410",
    )
    result = import_bytes(conn, data, "elever.csv", user="test")
    assert (result.kind, result.rows_written) == ("pupil_count", 3)
    rows = current(conn, "pupil_count", "unit_id, grade_band")
    assert [(r["unit_id"], r["school_form"], r["grade_band"], r["pupils"]) for r in rows] == [
        ("U1", "grundskola", "7-9", 95),
        ("U1", "grundskola", "F-3", 120),
        ("U3", "gymnasieskola", None, 410),
    ]


def test_a_swedish_index_file_lands_with_its_components_in_percent():
    conn = seeded_db()
    data = csv(INDEX_HEADER, "U1;2025;142,5;38;61,5;22", "U2;2025;88;;;")
    assert import_bytes(conn, data, "index.csv", user="test").kind == "socioeconomic_index"
    rows = current(conn, "socioeconomic_index", "unit_id")
    assert [(r["unit_id"], r["index"], r["migration_background_pct"]) for r in rows] == [
        ("U1", 142.5, 61.5),
        ("U2", 88.0, None),
    ]


def test_a_parameter_file_lands_with_the_pot_floor_smoothing_and_cap_per_school_form():
    conn = seeded_db()
    data = csv(
        PARAMETERS_HEADER,
        "2025;grundskola;12 500 000;100;8;2;10",
        "2025;gymnasieskola;4 000 000;0;;;",
    )
    assert import_bytes(conn, data, "parametrar.csv", user="test").kind == "allocation_parameters"
    rows = current(conn, "allocation_parameters", "school_form")
    assert [
        (r["school_form"], r["pot"], r["floor"], r["smoothing_years"], r["cap_pct"]) for r in rows
    ] == [
        ("grundskola", 12_500_000.0, 100.0, 2, 10.0),
        ("gymnasieskola", 4_000_000.0, 0.0, None, None),
    ]


def test_bad_allocation_rows_are_rejected_in_swedish_naming_row_column_and_value_and_nothing_is_written():
    conn = seeded_db()
    before = database_contents(conn)
    with pytest.raises(ImportRejected) as rejected:
        import_bytes(
            conn,
            csv(
                INDEX_HEADER,
                "U1;2025;0;38;;",
                "U2;1899;90;;;",
                "U1;2026;120;140;;",
                "U9;2025;100;;;",
            ),
            "index.csv",
            user="test",
        )
    found = {(i.row, i.column): (i.value, i.message) for i in rejected.value.issues}
    assert found[(2, "Socioekonomiskt index")] == (
        "0",
        "det socioekonomiska indexet måste vara större än 0",
    )
    assert found[(3, "År")] == ("1899", "året måste ligga mellan 2000 och 2100")
    assert found[(4, "Föräldrars utbildning")] == (
        "140",
        "andelen anges i procent och måste ligga mellan 0 och 100",
    )
    assert found[(5, "Enhetskod")][0] == "U9"
    assert database_contents(conn) == before
    with pytest.raises(ImportRejected) as rejected:
        import_bytes(
            conn,
            csv(PARAMETERS_HEADER, "2025;grundskola;-5;100;;0;100", "2025;förskola;100;-1;;;"),
            "parametrar.csv",
            user="test",
        )
    found = {(i.row, i.column): (i.value, i.message) for i in rejected.value.issues}
    assert (
        found[(2, "Kompensatorisk pott")][1] == "den kompensatoriska potten får inte vara negativ"
    )
    assert found[(2, "Utjämning")][1] == "utjämningen anges i hela år, 1–10"
    assert found[(2, "Tak")][1] == "taket för årlig förändring anges i procent, 0–99"
    assert found[(3, "Golv")] == ("-1", "golvet får inte vara negativt")
    with pytest.raises(ImportRejected) as rejected:
        import_bytes(conn, csv(PUPILS_HEADER, "U1;2025;grundskola;;-3"), "elever.csv", user="test")
    assert [(i.row, i.column, i.message) for i in rejected.value.issues] == [
        (2, "Antal elever", "antalet elever får inte vara negativt")
    ]
    assert database_contents(conn) == before


def test_reimporting_a_unit_year_replaces_its_index_and_undo_brings_it_back():
    conn = seeded_db()
    import_bytes(conn, csv(INDEX_HEADER, "U1;2025;120;;;", "U2;2025;90;;;"), "a.csv", user="test")
    second = import_bytes(conn, csv(INDEX_HEADER, "U1;2025;125;;;"), "b.csv", user="test")
    assert second.rows_replaced == 1
    live = store.rows(conn, "SELECT unit_id, index FROM current_socioeconomic_index ORDER BY ALL")
    assert live == [("U1", 125.0), ("U2", 90.0)]
    undone = undo_batch(conn, second.batch_id, user="test")
    assert (undone.rows_removed, undone.rows_restored) == (1, 1)
    live = store.rows(conn, "SELECT unit_id, index FROM current_socioeconomic_index ORDER BY ALL")
    assert live == [("U1", 120.0), ("U2", 90.0)]


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        ("pupil_count", ["Enhets-id", "År", "Skolform", "Årskurser", "Antal elever"]),
        ("socioeconomic_index", ["Enhets-id", "År", "Socioekonomiskt index"]),
        ("allocation_parameters", ["År", "Skolform", "Kompensatorisk pott (kr)", "Golv"]),
    ],
)
def test_the_swedish_template_headers_are_recognised_as_their_allocation_kind(kind, first):
    headers = template_headers(kind, "sv")
    assert headers[: len(first)] == first
    assert detect_kind(headers) == kind
