import io

import polars as pl

from kompetens.present import exports

UNITS = pl.DataFrame(
    {
        "unit_name": ["Björkskolan", '=HYPERLINK("x")', "Ekskolan"],
        "certified_share": [0.723, 0.5, None],
        "certified_share_suppressed": [False, True, False],
        "teacher_fte": [12.5, 3.0, 1234.0],
    }
)


def test_csv_download_uses_semicolons_decimal_commas_a_bom_and_hides_suppressed_values():
    data = exports.to_csv_bytes(UNITS)
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "unit_name;certified_share;teacher_fte"
    assert lines[1] == "Björkskolan;0,723;12,5"
    # The suppressed 0,5 must not leak; the formula-looking name is neutralised.
    assert lines[2] == '"\'=HYPERLINK(""x"")";..;3,0'
    assert lines[3] == "Ekskolan;;1234,0"


def test_excel_download_keeps_numbers_as_numbers_and_writes_dots_for_suppressed_cells():
    data = exports.to_excel_bytes({"Enheter": UNITS}, formats={"certified_share": "share"})
    frame = pl.read_excel(io.BytesIO(data), sheet_name="Enheter", infer_schema_length=0)
    assert frame.columns == ["unit_name", "certified_share", "teacher_fte"]
    assert frame["certified_share"].to_list() == ["0.723", "..", None]
    assert frame["unit_name"].to_list()[1] == '\'=HYPERLINK("x")'
    typed = pl.read_excel(
        io.BytesIO(data), sheet_name="Enheter", schema_overrides={"teacher_fte": pl.Float64}
    )
    assert typed["teacher_fte"].to_list() == [12.5, 3.0, 1234.0]


def test_a_frame_wide_suppressed_flag_covers_the_listed_value_columns():
    frame = pl.DataFrame({"scope": ["A", "B"], "value": [0.8, 0.4], "suppressed": [False, True]})
    shown = exports.display_frame(frame, suppressible=["value"])
    assert shown.columns == ["scope", "value"]
    assert shown["value"].to_list() == ["0.8", ".."]


def test_sheet_names_are_cut_to_excels_rules():
    assert (
        exports._sheet_name("Område Nord: [Björkskolan]/2025 och mycket mer text")
        == "Område Nord_ _Björkskolan__2025"
    )
