"""The two kinds of dialogue brief: an underlag before the dialogue, a protokoll after it.

On a private copy of the small fixture, E1 Ekskolan (Norr), year 2024. A spring dialogue
(2025-11-03) agreed one action; the autumn dialogue (2026-03-10) saved notes and two actions,
one of them already marked done.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from kompetens import query
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.dialogue.briefs import excel
from kompetens.dialogue.briefs.area import build_area
from kompetens.dialogue.briefs.charts import shared_renderer
from kompetens.dialogue.briefs.content import PROTOKOLL, UNDERLAG, build_brief
from kompetens.dialogue.briefs.pdf import compile_pdf
from tests.test_briefs import pdf_text, xlsx_cells

EVERYTHING = query.Scope.everything()
SPRING = dt.date(2025, 11, 3)
DAY = dt.date(2026, 3, 10)
NOTES = "Rektorn redovisade läget för #VAL.\n\nVi enades om *två* åtgärder:\n- mentorer\n- schema"


@pytest.fixture
def conn(small_db, tmp_path):
    target = tmp_path / "protokoll.duckdb"
    shutil.copy(small_db, target)
    connection = store.connect(target)
    dialogues.save_dialogue(
        connection,
        EVERYTHING,
        "E1",
        SPRING,
        "Vårens dialog",
        [dialogues.Action("Ta fram en rekryteringsplan", "Rektor", dt.date(2026, 1, 31))],
        user="test",
    )
    saved = dialogues.save_dialogue(
        connection,
        EVERYTHING,
        "E1",
        DAY,
        NOTES,
        [
            dialogues.Action("Mentorer för nya lärare", "Biträdande rektor", dt.date(2027, 2, 28)),
            dialogues.Action("Schemalägg kollegialt lärande", None, None),
        ],
        user="test",
    )
    dialogues.set_action_status(connection, EVERYTHING, saved.action_ids[1], "klar", user="test")
    yield connection
    connection.close()


def test_a_protokoll_pdf_has_the_saved_notes_in_full_and_the_agreed_actions_with_owner_date_and_status(
    conn,
):
    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY, kind=PROTOKOLL)
    assert brief.notes == tuple(NOTES.splitlines())
    text = pdf_text(compile_pdf(brief, []))
    assert "PROTOKOLL FRÅN VERKSAMHETSDIALOG" in text
    assert "Anteckningar från dialogen 2026-03-10" in text
    # the notes as text: markup characters printed, every line there
    assert "Rektorn redovisade läget för #VAL." in text
    assert "Vi enades om *två* åtgärder:" in text and "- mentorer" in text and "- schema" in text
    assert "Överenskomna åtgärder" in text
    assert "Mentorer för nya lärare Biträdande rektor 2027-02-28 ☐ ej klar 2026-03-10" in text
    assert "Schemalägg kollegialt lärande ☑ klar 2026-03-10" in text
    # the follow-up of the spring dialogue's action, with its status now
    assert "Uppföljning av tidigare åtgärder (dialogen 2025-11-03)" in text
    assert "Ta fram en rekryteringsplan Rektor 2026-01-31 ☐ ej klar 2025-11-03" in text
    # no empty ruled section for notes in a protokoll
    assert "Anteckningar och nya åtgärder" not in text


def test_an_underlag_pdf_has_last_times_actions_with_status_and_room_for_notes_not_todays_notes(
    conn,
):
    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY, kind=UNDERLAG)
    text = pdf_text(compile_pdf(brief, []))
    assert "UNDERLAG FÖR VERKSAMHETSDIALOG" in text
    assert "Åtgärder från föregående dialog (2025-11-03)" in text
    assert "Ta fram en rekryteringsplan Rektor 2026-01-31 ☐ ej klar" in text
    assert "Anteckningar och nya åtgärder" in text
    assert "Rektorn redovisade" not in text and "Mentorer för nya lärare" not in text


def test_a_protokoll_for_a_date_without_a_saved_dialogue_says_so(conn):
    brief = build_brief(
        conn, EVERYTHING, "E1", period="2024", dialogue_date=dt.date(2026, 4, 1), kind=PROTOKOLL
    )
    text = pdf_text(compile_pdf(brief, []))
    assert "Inga anteckningar är sparade för dialogen 2026-04-01." in text
    assert "Inga åtgärder är sparade för dialogen." in text
    # the autumn dialogue is now the one followed up, with its done action
    assert "Uppföljning av tidigare åtgärder (dialogen 2026-03-10)" in text


def test_the_protokoll_workbook_has_the_notes_and_every_action_with_owner_date_and_status(conn):
    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY, kind=PROTOKOLL)
    data = excel.unit_workbook(brief)
    notes = xlsx_cells(data, "Anteckningar")
    assert notes["A1"][1] == "Anteckningar från dialogen 2026-03-10"
    assert [notes[f"A{r}"][1] for r in (2, 4, 5, 6)] == [
        "Rektorn redovisade läget för #VAL.",
        "Vi enades om *två* åtgärder:",
        "'- mentorer",  # neutralised: a leading '-' could start a formula
        "'- schema",
    ]
    actions = xlsx_cells(data, "Åtgärder")
    rows = [[actions.get(f"{c}{r}", (None, None))[1] for c in "ABCDE"] for r in (2, 3, 4)]
    assert rows == [
        ["2026-03-10", "Mentorer för nya lärare", "Biträdande rektor", "2027-02-28", "ej klar"],
        ["2026-03-10", "Schemalägg kollegialt lärande", None, None, "klar"],
        ["2025-11-03", "Ta fram en rekryteringsplan", "Rektor", "2026-01-31", "ej klar"],
    ]
    overview = xlsx_cells(data, "Översikt")
    assert ("s", "Protokoll efter dialogen", None) in overview.values()


def test_the_underlag_workbook_lists_last_times_actions_and_has_no_notes_sheet(conn):
    data = excel.unit_workbook(
        build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY, kind=UNDERLAG)
    )
    actions = xlsx_cells(data, "Åtgärder")
    assert [actions[f"{c}2"][1] for c in "ABCDE"] == [
        "2025-11-03",
        "Ta fram en rekryteringsplan",
        "Rektor",
        "2026-01-31",
        "ej klar",
    ]
    assert "A3" not in actions
    with pytest.raises(ValueError):
        xlsx_cells(data, "Anteckningar")


def test_an_areas_protokoll_workbook_carries_each_units_notes_and_actions(conn):
    result = build_area(
        conn, EVERYTHING, "Norr", period="2024", dialogue_date=DAY, pdfs=False, kind=PROTOKOLL
    )
    assert result.workbook_name == "Dialogprotokoll_Norr_2024.xlsx"
    cells = xlsx_cells(result.workbook_bytes, "Ekskolan")
    values = {value for _, value, _ in cells.values()}
    assert "Rektorn redovisade läget för #VAL." in values
    assert "Mentorer för nya lärare" in values and "Biträdande rektor" in values


def test_an_unknown_kind_of_brief_is_refused(conn):
    with pytest.raises(ValueError, match="okänd typ av underlag"):
        build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY, kind="referat")


def test_a_protokoll_page_renders_with_the_notes_as_text(conn, tmp_path):
    """Render the protokoll's second page to PNG (pdftoppm) for a look; the text is checked above."""
    import subprocess

    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY, kind=PROTOKOLL)
    from kompetens.dialogue.briefs.pdf import render_pdf

    pdf = tmp_path / "protokoll.pdf"
    pdf.write_bytes(render_pdf(brief, shared_renderer()))
    out = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "2", "-l", "2", str(pdf), str(out)], check=True
    )
    assert list(tmp_path.glob("page*.png"))


def test_the_brief_command_writes_a_protokoll_with_the_saved_notes_when_asked(small_db, tmp_path):
    from typer.testing import CliRunner

    from kompetens.cli import app

    db = tmp_path / "cli.duckdb"
    shutil.copy(small_db, db)
    connection = store.connect(db)
    dialogues.save_dialogue(
        connection,
        EVERYTHING,
        "E1",
        DAY,
        NOTES,
        [dialogues.Action("Mentorer för nya lärare", "Biträdande rektor", dt.date(2027, 2, 28))],
        user="test",
    )
    connection.close()
    common = ["brief", "--unit", "E1", "--period", "2024", "--datum", "2026-03-10", "--db", str(db)]
    protokoll = tmp_path / "protokoll.xlsx"
    result = CliRunner().invoke(app, [*common, "--out", str(protokoll), "--protokoll"])
    assert result.exit_code == 0, result.output
    notes = xlsx_cells(protokoll.read_bytes(), "Anteckningar")
    assert notes["A2"][1] == "Rektorn redovisade läget för #VAL."
    actions = xlsx_cells(protokoll.read_bytes(), "Åtgärder")
    assert [actions[f"{c}2"][1] for c in "BCDE"] == [
        "Mentorer för nya lärare",
        "Biträdande rektor",
        "2027-02-28",
        "ej klar",
    ]
    underlag = tmp_path / "underlag.xlsx"
    result = CliRunner().invoke(app, [*common, "--out", str(underlag)])
    assert result.exit_code == 0, result.output
    with pytest.raises(ValueError):
        xlsx_cells(underlag.read_bytes(), "Anteckningar")


def test_a_brief_without_figures_names_no_page_a_reader_may_not_have(conn):
    # An area manager or a principal has no Datakvalitet or Import page: the brief says "ask HR".
    brief = build_brief(conn, EVERYTHING, "E1", period="2023", dialogue_date=DAY)
    text = pdf_text(compile_pdf(brief, []))
    assert "Det finns inga nyckeltal för enheten för perioden 2023." in text
    assert "Kontrollera med HR" in text
    assert "sidan" not in text
