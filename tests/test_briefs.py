"""Dialogue briefs (PDF and Excel) on the small fixture, against the hand-computed values.

Figures of E1 Ekskolan (Norr) in 2024, from ``tests/test_indicators_fixture.py``.
Hidden (``..``) by the coordinated, whole-table suppression (``key_figure_suppression``):
certified teacher share 3.4 / 5.9 = 57,6 % with Norr's and the organisation's 5.3 / 9.8 =
54,1 % (secondary; target 70,0 % still shown), certification gap 0.73 FTE, turnover
1 / 7.5 = 13,3 %, temporary-teacher share 1.5 / 5.9 = 25,4 % and on-path share. Visible:
sick leave 720 / 14 400 = 5,0 % (Norr 1 968 / 30 000 = 6,6 %, organisation 2 448 / 39 600 =
6,2 %), development hours 74 / (90.8 / 12) = 9,8 (Norr 5,7, organisation 4,1), HME 78.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile

import polars as pl
import pypdf
import pytest

from kompetens import query
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.dialogue.briefs import excel
from kompetens.dialogue.briefs.area import build_area, pdf_file_name
from kompetens.dialogue.briefs.charts import shared_renderer, trend_figure
from kompetens.dialogue.briefs.content import build_brief
from kompetens.dialogue.briefs.pdf import render_pdf

EVERYTHING = query.Scope.everything()
DAY = dt.date(2026, 3, 10)


@pytest.fixture(scope="module")
def renderer():
    # The process-wide session the app uses (closed at exit), so the app test below reuses it.
    return shared_renderer()


@pytest.fixture(scope="module")
def conn(small_db):
    connection = store.connect(small_db)
    yield connection
    connection.close()


@pytest.fixture
def writable(small_db, tmp_path):
    """A private copy of the fixture database, for tests that save dialogue actions."""
    target = tmp_path / "copy.duckdb"
    shutil.copy(small_db, target)
    connection = store.connect(target)
    yield connection
    connection.close()


def pdf_text(data: bytes) -> str:
    """All text of a PDF with every run of whitespace (no-break spaces too) as one space."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def xlsx_cells(data: bytes, sheet: str) -> dict[str, tuple[str, object, str | None]]:
    """``{"C2": (kind, value, number_format)}`` of one sheet, read from the workbook's XML.

    kind is ``"n"`` (number), ``"s"`` (text) or ``"f"`` (a formula — must never occur).
    """
    book = zipfile.ZipFile(io.BytesIO(data))
    workbook = ET.fromstring(book.read("xl/workbook.xml"))
    names = [s.get("name") for s in workbook.find("m:sheets", _NS)]
    xml = ET.fromstring(book.read(f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"))
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", _NS):
            shared.append("".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")))
    styles = ET.fromstring(book.read("xl/styles.xml"))
    codes = {
        int(f.get("numFmtId")): f.get("formatCode")
        for f in styles.findall("m:numFmts/m:numFmt", _NS)
    }
    xfs = [int(x.get("numFmtId", 0)) for x in styles.findall("m:cellXfs/m:xf", _NS)]
    cells = {}
    for c in xml.iter(f"{{{_NS['m']}}}c"):
        fmt = codes.get(xfs[int(c.get("s", 0))])
        if c.find("m:f", _NS) is not None:
            cells[c.get("r")] = ("f", c.find("m:f", _NS).text, fmt)
        elif c.get("t") == "s":
            cells[c.get("r")] = ("s", shared[int(c.find("m:v", _NS).text)], fmt)
        elif c.find("m:v", _NS) is not None:
            cells[c.get("r")] = ("n", float(c.find("m:v", _NS).text), fmt)
    return cells


def row_of(cells: dict, column: str, text: str) -> int:
    """The row number whose ``column`` cell holds ``text``."""
    rows = [
        int(ref[1:]) for ref, (_, value, _) in cells.items() if ref[0] == column and value == text
    ]
    assert rows, f"{text!r} not found in column {column}"
    return rows[0]


# ---- PDF ------------------------------------------------------------------------------------


def test_the_fixture_units_pdf_names_the_unit_and_shows_the_hand_computed_figures(conn, renderer):
    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY)
    data = render_pdf(brief, renderer)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Ekskolan (E1)" in text
    assert "Område Norr" in text and "Dialogens datum 2026-03-10" in text
    # certified share: unit, Norr and organisation hidden (secondary), the target 70,0 % shown,
    # no status without a value; the certification gap (0.73) is hidden too
    assert "(heltidstjänster) Nuläge .. – .. .. 70,0 % Inget mål" in text and "57,6" not in text
    assert "Saknade behöriga heltidstjänster Nuläge .. – .. .." in text
    # turnover 1 / 7.5 = 13,3 % is hidden with Norr's and the organisation's (coordinated
    # suppression: the same exit is published by every level), so it shows as .. everywhere
    assert "(lämnat förvaltningen) Behålla .. – .. .." in text and "13,3 %" not in text
    # sick leave 5,0 %, Norr 1 968 / 30 000 = 6,6 %, organisation 2 448 / 39 600 = 6,2 %
    assert "Sjukfrånvaro Behålla 5,0 % – 6,6 % 6,2 %" in text
    # development hours 74 / (90.8 / 12) = 9,8, Norr 86 / 15.117 = 5,7, org 86 / 20.933 = 4,1
    assert "timmar per heltidstjänst Utveckla 9,8 – 5,7 4,1" in text
    assert "(HME) Behålla 78" in text
    # a talking point on a visible figure, and both pages (charts on the second)
    assert "Bäst i området Norr på sjukfrånvaro: 5,0 % (plats 1 av 2)." in text
    assert "Utveckling och plats i området" in text
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 2


def test_a_suppressed_value_appears_as_dots_in_the_pdf_and_never_as_its_number(conn, renderer):
    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY)
    text = pdf_text(render_pdf(brief, renderer))
    # temporary-teacher share: unit hidden, and with it Norr (17,2 %) and the organisation
    # (23,8 %), from which E1's value could be recovered (coordinated suppression)
    assert "tidsbegränsad anställning Nuläge .. – .. .." in text
    assert "25,4 %" not in text  # E1's hidden 1.5 / 5.9
    assert "17,2 %" not in text and "23,8 %" not in text


def test_the_brief_shows_improvement_arrows_against_the_year_before(conn):
    brief = build_brief(conn, EVERYTHING, "L1", period="2025", dialogue_date=DAY)
    share = next(
        k for k in brief.key_figures if k.indicator_id == "licensed_preschool_teacher_share"
    )
    # L1: 1.8 / 5.55 = 32,4 % in 2024 -> 2.8 / 6.55 = 42,7 % in 2025, target 50 %
    texts = (share.value_text, share.previous_text, share.target_text)
    assert texts == ("42,7\u00a0%", "32,4\u00a0%", "50,0\u00a0%")
    assert (share.arrow, share.trend, share.change_word) == ("▲", "better", "förbättring")
    assert share.change_text == "+10,3\u00a0procentenheter"
    assert share.status == "red"


def test_a_unit_without_figures_gets_a_brief_that_says_so(conn, renderer):
    brief = build_brief(conn, EVERYTHING, "E1", period="2023", dialogue_date=DAY)
    assert not brief.has_data
    text = pdf_text(render_pdf(brief, renderer))
    assert "Det finns inga nyckeltal för enheten för perioden 2023." in text
    assert "Ekskolan (E1)" in text and "Anteckningar" in text
    cells = xlsx_cells(excel.unit_workbook(brief), "Översikt")
    assert ("s", "Det finns inga nyckeltal för enheten för perioden 2023.", None) in cells.values()


def test_previous_actions_are_listed_and_typst_markup_in_them_is_printed_as_text(
    writable, renderer
):
    dialogues.save_dialogue(
        writable,
        EVERYTHING,
        "E1",
        "2025-11-03",
        "Anteckning",
        [
            {
                "action": "Mentorer för #nya lärare *snart*",
                "owner": "Rektor",
                "due_date": "2026-01-31",
            }
        ],
        user="test",
    )
    brief = build_brief(writable, EVERYTHING, "E1", period="2024", dialogue_date=DAY)
    assert brief.previous_dialogue == "2025-11-03"
    text = pdf_text(render_pdf(brief, renderer))
    assert "Åtgärder från föregående dialog (2025-11-03)" in text
    assert "Mentorer för #nya lärare *snart* Rektor 2026-01-31 ☐ ej klar" in text


# ---- Excel ----------------------------------------------------------------------------------


def test_the_excel_brief_holds_the_same_numbers_as_numbers_with_number_formats(conn):
    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY)
    cells = xlsx_cells(excel.unit_workbook(brief), "Nyckeltal")
    assert [cells[f"{c}1"][1] for c in "ABCGHI"] == [
        "Fas", "Nyckeltal", "Enheten", "Området", "Organisationen", "Mål"
    ]  # fmt: skip
    r = row_of(cells, "B", "Andel behöriga lärare (heltidstjänster)")
    # 3.4 / 5.9 and the organisation's 5.3 / 9.8 are hidden (coordinated suppression)
    assert [cells[f"{c}{r}"][:2] for c in "CGH"] == [("s", "..")] * 3
    assert cells[f"I{r}"] == ("n", pytest.approx(0.7), "0.0%")
    assert cells[f"J{r}"][1] == "Inget mål"  # no status without a value
    r = row_of(cells, "B", "Saknade behöriga heltidstjänster")
    assert cells[f"C{r}"][:2] == ("s", "..")  # 0.73 FTE, hidden (secondary)
    r = row_of(cells, "B", "Kompetensutveckling, timmar per heltidstjänst")
    # 74 / (90.8 / 12) = 9.78; Norr 86 / 15.117 = 5.69; organisation 86 / 20.933 = 4.11
    assert cells[f"C{r}"] == ("n", pytest.approx(74 / (90.8 / 12), rel=1e-3), "# ##0.0")
    assert cells[f"G{r}"][1] == pytest.approx(86 / 15.117, rel=1e-3)
    assert cells[f"H{r}"][1] == pytest.approx(86 / 20.933, rel=1e-3)
    r = row_of(cells, "B", "Personalomsättning (lämnat förvaltningen)")
    assert cells[f"C{r}"][:2] == ("s", "..")  # 1 / 7.5, hidden (coordinated suppression)
    r = row_of(cells, "B", "Sjukfrånvaro")
    assert cells[f"C{r}"] == ("n", pytest.approx(0.05), "0.0%")  # 720 / 14 400
    assert cells[f"G{r}"][1] == pytest.approx(1968 / 30000)
    assert cells[f"H{r}"][1] == pytest.approx(2448 / 39600)
    r = row_of(cells, "B", "Hållbart medarbetarengagemang (HME)")
    assert cells[f"C{r}"][:2] == ("n", 78.0)


def test_a_suppressed_value_is_dots_in_the_excel_too(conn):
    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY)
    cells = xlsx_cells(excel.unit_workbook(brief), "Nyckeltal")
    r = row_of(cells, "B", "Andel lärare med tidsbegränsad anställning")
    assert cells[f"C{r}"][:2] == ("s", "..")
    assert cells[f"G{r}"][:2] == ("s", "..")  # Norr (17,2 %) hidden with it
    hidden = 1.5 / 5.9
    assert all(
        not (kind == "n" and value == pytest.approx(hidden)) for kind, value, _ in cells.values()
    )


def test_text_that_could_run_as_a_formula_is_neutralised_in_the_excel(writable):
    dialogues.save_dialogue(
        writable,
        EVERYTHING,
        "E1",
        "2025-11-03",
        None,
        [
            {"action": '=HYPERLINK("http://example.org","klicka")', "owner": "@rektor"},
            {"action": "+46 70 123", "owner": "-chef"},
        ],
        user="test",
    )
    brief = build_brief(writable, EVERYTHING, "E1", period="2024", dialogue_date=DAY)
    data = excel.unit_workbook(brief)
    cells = xlsx_cells(data, "Åtgärder")
    texts = {value for kind, value, _ in cells.values() if kind == "s"}
    assert '\'=HYPERLINK("http://example.org","klicka")' in texts
    assert {"'@rektor", "'+46 70 123", "'-chef"} <= texts
    for sheet in (
        "Översikt",
        "Nyckeltal",
        "Trender",
        "Plats i området",
        "Samtalspunkter",
        "Åtgärder",
    ):
        assert all(kind != "f" for kind, _, _ in xlsx_cells(data, sheet).values())


# ---- Whole area -----------------------------------------------------------------------------


def test_an_area_produces_one_pdf_per_unit_and_a_workbook_with_a_sheet_per_unit(conn, renderer):
    seen = []
    result = build_area(
        conn,
        EVERYTHING,
        "Norr",
        period="2024",
        dialogue_date=DAY,
        renderer=renderer,
        progress=lambda fraction, message: seen.append(fraction),
    )
    archive = zipfile.ZipFile(io.BytesIO(result.zip_bytes))
    assert sorted(archive.namelist()) == ["E1_Ekskolan.pdf", "L1_Lärkans_förskola.pdf"]
    assert "Lärkans förskola (L1)" in pdf_text(archive.read("L1_Lärkans_förskola.pdf"))
    e1_text = pdf_text(archive.read("E1_Ekskolan.pdf"))
    # E1's certified share 57,6 % is hidden (coordinated suppression); sick leave 5,0 % against
    # Norr 6,6 % and the organisation 6,2 % is shown
    assert "Sjukfrånvaro Behålla 5,0 % – 6,6 % 6,2 %" in e1_text and "57,6" not in e1_text
    assert result.zip_name == "Dialogunderlag_Norr_2024.zip"
    book = zipfile.ZipFile(io.BytesIO(result.workbook_bytes))
    names = [
        s.get("name") for s in ET.fromstring(book.read("xl/workbook.xml")).find("m:sheets", _NS)
    ]
    assert names == ["Enheter", "Ekskolan", "Lärkans förskola"]
    e1 = xlsx_cells(result.workbook_bytes, "Ekskolan")
    r = row_of(e1, "B", "Andel behöriga lärare (heltidstjänster)")
    assert e1[f"C{r}"][:2] == ("s", "..")  # 3.4 / 5.9, hidden
    r = row_of(e1, "B", "Sjukfrånvaro")
    assert e1[f"C{r}"][1] == pytest.approx(720 / 14400)
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_pdf_file_names_start_with_the_unit_id_and_are_file_safe(conn):
    brief = build_brief(conn, EVERYTHING, "L1", period="2024", dialogue_date=DAY)
    assert pdf_file_name(brief) == "L1_Lärkans_förskola.pdf"


# ---- Scope ----------------------------------------------------------------------------------


def test_a_caller_scoped_to_e1_cannot_build_a_brief_for_s1(conn):
    scope = query.Scope.for_units({"E1"})
    with pytest.raises(query.ScopeError):
        build_brief(conn, scope, "S1", period="2024")
    with pytest.raises(query.ScopeError):
        build_area(conn, scope, "Söder", period="2024", pdfs=False)


def test_a_unit_scoped_brief_shows_no_area_values_and_only_its_own_unit(conn):
    brief = build_brief(conn, query.Scope.for_units({"E1"}), "E1", period="2024")
    assert brief.key_figures and all(k.area_value is None for k in brief.key_figures)
    assert brief.placement.frame["unit_id"].to_list() == ["E1"]
    assert all(set(t.frame["level"]) == {"unit", "org"} for t in brief.trends)


def test_an_area_scoped_caller_gets_the_briefs_of_its_own_area(conn):
    result = build_area(conn, query.Scope.for_areas("Söder"), "Söder", period="2024", pdfs=False)
    assert result.pdf_names == ("S1_Söderskolan.pdf",)
    with pytest.raises(query.ScopeError):
        build_area(conn, query.Scope.for_areas("Söder"), "Norr", period="2024", pdfs=False)


# ---- Charts ---------------------------------------------------------------------------------


def test_one_chart_session_draws_a_chart_the_same_after_drawing_others(conn, renderer):
    # The session skips kaleido's page reload between images; nothing may leak from one to the next.
    brief = build_brief(conn, EVERYTHING, "E1", period="2024")
    first, second = (trend_figure(t.frame, t.indicator_id, t.title) for t in brief.trends[:2])
    before = renderer.render(first)
    renderer.render(second)
    after = renderer.render(first)

    def stable(svg: bytes) -> str:
        # plotly gives each drawing fresh random element ids, and may write an element's
        # attributes in another order on a later drawing (the legend's background): compare
        # the canonical XML (attributes sorted), which keeps every attribute and value.
        svg = re.sub(rb"(clip|trace|legend|defs-|topdefs-)[0-9a-f]{6}", rb"\1", svg)
        return ET.canonicalize(xml_data=svg.decode())

    assert before.startswith(b"<svg") and stable(before) == stable(after)
    assert b"Ekskolan" in before


# ---- Command line ---------------------------------------------------------------------------


def test_the_brief_command_writes_a_unit_workbook_and_refuses_unclear_requests(small_db, tmp_path):
    from typer.testing import CliRunner

    from kompetens.cli import app

    db = tmp_path / "cli.duckdb"
    shutil.copy(small_db, db)
    runner = CliRunner()
    out = tmp_path / "E1.xlsx"
    result = runner.invoke(
        app, ["brief", "--unit", "E1", "--out", str(out), "--db", str(db), "--period", "2024"]
    )
    assert result.exit_code == 0, result.output
    cells = xlsx_cells(out.read_bytes(), "Nyckeltal")
    r = row_of(cells, "B", "Andel behöriga lärare (heltidstjänster)")
    assert cells[f"C{r}"][:2] == ("s", "..")  # 3.4 / 5.9, hidden (coordinated suppression)
    r = row_of(cells, "B", "Kompetensutveckling, timmar per heltidstjänst")
    assert cells[f"C{r}"][1] == pytest.approx(74 / (90.8 / 12), rel=1e-3)
    both = ["brief", "--unit", "E1", "--area", "Norr", "--out", str(tmp_path), "--db", str(db)]
    assert runner.invoke(app, both).exit_code == 2
    wrong_suffix = ["brief", "--unit", "E1", "--out", str(tmp_path / "E1.docx"), "--db", str(db)]
    assert runner.invoke(app, wrong_suffix).exit_code == 2
    unknown = ["brief", "--unit", "X9", "--out", str(out), "--db", str(db)]
    assert runner.invoke(app, unknown).exit_code == 2
    assert "äldre version" not in result.output


def test_the_brief_command_recomputes_figures_older_code_computed_before_writing(
    small_db, tmp_path
):
    from typer.testing import CliRunner

    from kompetens.cli import app
    from kompetens.core import store
    from kompetens.indicators.engine import CODE_VERSION_KEY, is_stale

    db = tmp_path / "older.duckdb"
    shutil.copy(small_db, db)
    conn = store.connect(db)
    conn.execute("UPDATE meta SET value = 'older-code' WHERE key = ?", [CODE_VERSION_KEY])
    conn.close()
    out = tmp_path / "E1.xlsx"
    result = CliRunner().invoke(
        app, ["brief", "--unit", "E1", "--out", str(out), "--db", str(db), "--period", "2024"]
    )
    assert result.exit_code == 0, result.output
    conn = store.connect(db)  # recomputed first (this code's fingerprint), not only warned about
    try:
        assert not is_stale(conn)
    finally:
        conn.close()


# ---- In the app -----------------------------------------------------------------------------


def _downloads_script():
    import os

    from kompetens import query
    from kompetens.ui.brief_downloads import render_brief_downloads
    from kompetens.ui.context import Filters, PageContext

    ctx = PageContext(
        db_path=os.environ["KOMPETENS_BRIEF_TEST_DB"],
        filters=Filters("2024", None, None),
        scope=query.Scope.everything(),
    )
    render_brief_downloads(
        ctx, "E1", "Norr", dialogue_date=__import__("datetime").date(2026, 3, 10)
    )


def test_the_dialogue_page_buttons_build_the_unit_pdf_and_the_area_files(small_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KOMPETENS_BRIEF_TEST_DB", str(small_db))
    at = AppTest.from_function(_downloads_script, default_timeout=120)
    at.run()
    assert not at.exception
    assert [d.proto.label for d in at.get("download_button")] == ["Ladda ner Excel"]
    assert "Hela Norr: 2 enheter, en PDF per enhet och en Excel-fil" in [
        c.value for c in at.caption
    ]
    at.button(key="brief_make_pdf_E1").click().run()
    assert not at.exception
    at.button(key="brief_make_area_Norr").click().run()
    assert not at.exception
    downloads = {d.proto.label: d.proto for d in at.get("download_button")}
    assert set(downloads) == {"Ladda ner PDF", "Ladda ner Excel", "Ladda ner PDF:er (zip)"}
    # the zip is made when its button is clicked (a deferred download, expiring like every file)
    assert downloads["Ladda ner PDF:er (zip)"].deferred_file_id
    # the choice of brief: before the dialogue (the default without saved notes) or after it
    kind = at.radio[0]
    assert kind.label == "Vad vill du skapa?"
    assert kind.options == ["Underlag före dialogen", "Protokoll efter dialogen"]
    assert kind.value == "underlag"
    kind.set_value("protokoll").run()
    assert not at.exception
    # a protokoll has its own files: the underlag's PDF is not offered for it, it is made anew
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Ladda ner PDF" not in labels and "Ladda ner Excel" in labels
    assert at.button(key="brief_make_pdf_E1").label == "Skapa PDF"


def test_a_change_that_rounds_to_zero_is_shown_as_unchanged_not_as_a_fall():
    import polars as pl

    from kompetens.dialogue.briefs.content import key_figures

    row = {
        "indicator_id": "hme_index", "name_sv": "HME", "unit_value": 79.8, "unit_suppressed": False,
        "area": "Norr", "area_value": 79.0, "area_suppressed": False, "org_value": 80.0,
        "target": None, "previous_value": 80.1, "previous_suppressed": False, "change": -0.3,
        "status": None, "rank_in_area": 2, "units_in_area": 3,
    }  # fmt: skip
    (hme,) = key_figures(pl.DataFrame([row]))
    assert (hme.value_text, hme.arrow, hme.change_word, hme.change_text) == (
        "80", "→", "oförändrat", "0"
    )  # fmt: skip
    assert hme.change == pytest.approx(-0.3)  # the workbook keeps the exact number
    (fall,) = key_figures(pl.DataFrame([row | {"change": -1.0, "unit_value": 79.1}]))
    assert (fall.arrow, fall.trend, fall.change_word, fall.change_text) == (
        "▼", "worse", "försämring", "\u22121"
    )  # fmt: skip


def test_a_printed_share_trend_from_zero_has_ticks_from_zero_to_its_top():
    # The lines run 35–48 %; the printed axis starts at zero, so its labels must too
    # (they covered only 35–50 % before, leaving the lower half of the axis unlabelled).
    frame = pl.DataFrame(
        {
            "series": ["Ekskolan"] * 3 + ["Hela organisationen"] * 3,
            "period": ["2023", "2024", "2025"] * 2,
            "value": [0.35, 0.40, 0.48, 0.42, 0.43, 0.44],
            "suppressed": [False] * 6,
            "target": [0.80, 0.80, 0.80, None, None, None],
        }
    )
    fig = trend_figure(frame, "certified_teacher_share", "Behöriga")
    ticks = fig.layout.yaxis.tickvals
    # From 0 up to the target line (80 %), the highest value drawn.
    assert ticks[0] == 0.0 and ticks[-1] >= 0.80
    assert fig.layout.yaxis.ticktext[0] == "0\u00a0%"  # Swedish: a no-break space before %
