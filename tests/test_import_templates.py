"""Templates, header aliases and kind detection for all nine kinds."""

from __future__ import annotations

import pytest
from import_fixtures import isolate_importer_from_hooks, seeded_db  # noqa: F401 (autouse fixture)

from kompetens.core import store
from kompetens.core.contract import KINDS, fold
from kompetens.ingest import KindNotDetected, detect_kind, import_file, write_template
from kompetens.ingest.normalise import header_lookup, map_headers

# One valid row per kind (values as a Swedish office would type them), for the template round trip.
ONE_ROW = {
    "units": [
        "U9",
        "Östra skolan",
        "Norra området",
        "grundskola",
        "12345679",
        "V15E128300201",
        "1,1",
        "2020-08-01",
        "",
    ],
    "staff": [
        "2025-02-28",
        "E1",
        "U1",
        "lärare",
        "0,75",
        "tillsvidare",
        "ja",
        "ja",
        "1980",
        "kvinna",
        "2019-08-01",
        "nej",
    ],
    "events": ["2025-02-01", "E1", "intern flytt", "U1", "U2", "lärare", "tillsvidare", ""],
    "recruitments": [
        "R1",
        "U1",
        "lärare",
        "2025-01-10",
        "2025-02-10",
        "tillsatt",
        "10",
        "4",
        "ja",
        "matematik",
    ],
    "development": ["E1", "2025-01-15", "kurs", "7,5", "U1"],
    "placements": ["U1", "VT2025", "vfu", "3", "1"],
    "survey": ["U1", "2025-03-01", "hme_total", "78,5", "100", "20", "25"],
    "sick_leave": ["U1", "2025-01", "1 600", "80", "10"],
    "targets": ["certified_teacher_share", "org", "2026", "0,8"],
    "support_request": [
        "A1",
        "U1",
        "2025-03-02",
        "rektor",
        "dialog",
        "Rekrytering",
        "Behöver stöd, snart",
        "HR",
        "Områdeschef",
        "mottagen",
    ],
    "support_effort": [
        "I1",
        "",
        "U1",
        "HR",
        "2025-03-05",
        "2025-03-20",
        "handledning",
        "12,5",
        "klar",
        "4",
        "Hjälpte.",
    ],
    "teaching_assignment": [
        "HT2025",
        "E1",
        "U1",
        "matematik",
        "grundskola",
        "7-9",
        "4,5",
        "",
        "ja",
    ],
    "pupil_count": ["U1", "2025", "grundskola", "F-3", "120"],
    "socioeconomic_index": ["U1", "2025", "142,5", "38", "61,5", "22"],
    "allocation_parameters": [
        "2025",
        "grundskola",
        "12 500 000",
        "100",
        "100 = kommunens snitt",
        "8",
        "2",
        "10",
    ],
    "certification_path": ["E1", "U1", "Lärarlyftet", "matematik", "2025-01-13", "2026-06-30"],
}


def test_no_header_spelling_means_two_columns_of_the_same_kind():
    for kind in KINDS.values():
        seen: dict[str, str] = {}
        for col in kind.columns:
            for key in (*col.header_keys(), fold(col.label_sv)):
                assert seen.setdefault(key, col.name) == col.name, (kind.name, key)
        assert set(header_lookup(kind).values()) == set(kind.column_names)


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_template_is_detected_as_its_kind_and_imports_back_with_one_row(tmp_path, kind, language):
    path = write_template(kind, tmp_path / f"{kind}_{language}.csv", language=language)
    text = path.read_text(encoding="utf-8-sig")
    headers = text.strip().split(";" if language == "sv" else ",")
    assert detect_kind(headers) == kind
    assert map_headers(headers, KINDS[kind]).mapping == dict(
        zip(headers, KINDS[kind].column_names, strict=True)
    )
    separator = ";" if language == "sv" else ","
    row = (
        ONE_ROW[kind] if separator == ";" else [f'"{v}"' if "," in v else v for v in ONE_ROW[kind]]
    )
    path.write_text(
        text + separator.join(row) + "\n", encoding="utf-8-sig" if language == "sv" else "utf-8"
    )
    conn = seeded_db()
    result = import_file(conn, path)
    assert (result.kind, result.rows_written) == (kind, 1)
    assert store.table_counts(conn)[kind] == {"units": 5, "staff": 5}.get(kind, 1)


def test_an_xlsx_template_has_the_swedish_headers(tmp_path):
    import polars as pl

    path = write_template("sick_leave", tmp_path / "sjuk.xlsx", language="sv")
    frame = pl.read_excel(path, infer_schema_length=0)
    assert frame.columns == [
        "Enhets-id",
        "Månad",
        "Schemalagd tid (h)",
        "Sjukfrånvaro (h)",
        "Långtidssjukfrånvaro (h)",
    ]
    assert detect_kind(frame.columns) == "sick_leave"


def test_headers_match_regardless_of_case_accents_spaces_dashes_and_underscores():
    headers = [
        "MATDATUM",
        "Anstallnings-ID",
        "enhet id",
        "PERSONAL_KATEGORI",
        "sysselsättnings grad",
        "Anställnings-form",
        "legitimation",
        "födelse_år",
    ]
    assert detect_kind(headers) == "staff"
    assert map_headers(headers, KINDS["staff"]).missing == []


def test_unknown_or_ambiguous_headers_raise_a_swedish_error_naming_the_columns():
    with pytest.raises(KindNotDetected, match="Kolumner i filen: a, b"):
        detect_kind(["a", "b"])
    with pytest.raises(
        KindNotDetected,
        match=r"Närmast är 'Sjukfrånvaro' \(sick_leave\), men där saknas: sick_hours",
    ):
        detect_kind(["unit_id", "month", "scheduled_hours"])
