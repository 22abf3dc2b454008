"""The unit's outlook line: one function for the dialogue page and the unit brief (PDF and Excel).

The small fixture starts in 2025-12, so five years ahead is 2030. E1's and S1's teacher
shares are hidden (S1 has four teachers; E1 is hidden with it, see test_projection_query),
L1's preschool share (7 people) is shown: its projection stays at 43 % (0.4275 of the FTE)
and its target is 50 %.
"""

from __future__ import annotations

import pytest

from kompetens.access.scope import Scope, ScopeError
from kompetens.core import store
from kompetens.dialogue.briefs import excel
from kompetens.dialogue.briefs.content import build_brief
from kompetens.dialogue.briefs.pdf import render_pdf
from kompetens.query import projection as qp
from tests.app_support import run_page, texts
from tests.test_briefs import pdf_text, xlsx_cells

NB = "\u00a0"
TEACHERS = "Andel behöriga lärare (heltidstjänster)"
PRESCHOOL = "Andel heltidstjänster med förskollärarlegitimation"


def row(**changes) -> dict:
    base = {
        "year": 2029,
        "median": 0.68,
        "low80": 0.612,
        "high80": 0.741,
        "target": 0.8,
        "suppressed": False,
        "uncertain": False,
        "n_start": 40,
    }
    return base | changes


def test_the_line_gives_median_band_year_and_target_in_whole_percent():
    # 0.612 -> 61, 0.741 -> 74: whole percent, the band's lower end without its '%'.
    assert qp.outlook_line(row(), TEACHERS) == (
        f"{TEACHERS} – med nuvarande takt: 68{NB}% (61–74{NB}%) år 2029, mål 80{NB}%."
    )


def test_without_a_target_the_line_ends_at_the_year():
    assert qp.outlook_line(row(target=None), TEACHERS).endswith(f"(61–74{NB}%) år 2029.")


def test_a_figure_on_few_people_is_called_uncertain_with_their_number():
    line = qp.outlook_line(row(uncertain=True, n_start=12), TEACHERS)
    assert line.endswith("Osäkert: prognosen vilar på 12 personer.")


def test_a_suppressed_figure_reads_two_dots_and_never_a_number():
    line = qp.outlook_line(row(suppressed=True, median=None, low80=None, high80=None), TEACHERS)
    assert line == (
        f"{TEACHERS} – med nuvarande takt år 2029: .. (prognosen visas inte: den vilar på "
        "färre än 5 personer eller skulle röja en dold siffra)."
    )


@pytest.fixture(scope="module")
def conn(small_db):
    connection = store.connect(small_db, read_only=True)
    yield connection
    connection.close()


def test_each_unit_gets_the_line_of_the_share_it_has(conn):
    everyone = Scope.everything()
    assert qp.unit_outlook(conn, everyone, "L1") == [
        f"{PRESCHOOL} – med nuvarande takt: 43{NB}% (43–43{NB}%) år 2030, mål 50{NB}%. "
        "Osäkert: prognosen vilar på 7 personer."
    ]
    (s1,) = qp.unit_outlook(conn, everyone, "S1")
    assert s1.startswith(f"{TEACHERS} – med nuvarande takt år 2030: ..")


def test_a_principal_cannot_ask_for_another_units_outlook(conn):
    with pytest.raises(ScopeError):
        qp.unit_outlook(conn, Scope.for_units(["E1"], areas=["Norr"]), "S1")


def test_the_brief_carries_the_same_line_in_its_pdf_and_its_excel(conn):
    brief = build_brief(conn, Scope.everything(), "L1")
    assert list(brief.outlook) == qp.unit_outlook(conn, Scope.everything(), "L1")
    text = pdf_text(render_pdf(brief))
    assert f"Prognos: {PRESCHOOL} – med nuvarande takt: 43 % (43–43 %) år 2030, mål 50 %." in text
    cells = xlsx_cells(excel.unit_workbook(brief), "Översikt")
    labels = {ref: value for ref, (_, value, _) in cells.items() if ref.startswith("A")}
    (at,) = [ref for ref, value in labels.items() if value == "Prognos"]
    assert cells[f"B{at[1:]}"][1] == brief.outlook[0]


def test_a_hidden_share_in_the_brief_is_two_dots(conn):
    brief = build_brief(conn, Scope.everything(), "S1")
    text = pdf_text(render_pdf(brief))
    assert f"Prognos: {TEACHERS} – med nuvarande takt år 2030: .. (prognosen visas inte" in text


def test_the_dialogue_page_shows_the_line_under_the_key_figures(small_db, tmp_path):
    import shutil

    db = shutil.copy(small_db, tmp_path / "dialog.duckdb")  # the module's connection holds the file
    at = run_page(db, "views/dialog.py", query_params={"enhet": "L1"})
    assert not at.exception
    assert f"**Prognos:** {PRESCHOOL} – med nuvarande takt: 43{NB}%" in texts(at)
