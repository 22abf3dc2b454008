"""Common themes in the unit brief (PDF and Excel), with the themes' own hiding rules.

Hand-made fixture (eight units, no key figures: a brief without figures still lists the
themes). HT 2026 is 1 July–31 December 2026; the brief's dialogue date is 15 October 2026.

- S1 (Syd): a dialogue 10 September 2026 whose notes carry "Rekrytering av speciallärare"
  (2) and whose action carries 2 and "Elevhälsa" (5); a request 1 October 2026 naming 5;
  a dialogue 10 March 2026 (VT, another term) carrying "IT" (7).
- S2, S3, S4 (Syd): a dialogue 10 September 2026 carrying 2.
- S5 (Syd): a request 1 October 2026 naming 2.

So in Syd, HT 2026: theme 2 is carried by S1–S5 = 5 units (shown to the organisation),
theme 5 by S1 only = 1 unit (hidden: fewer than 5). S1's own themes in HT 2026:
2 (dialog) and 5 (dialog, stödärende); 7 is VT 2026 and not listed.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kompetens import query
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.dialogue import themes as tagging
from kompetens.dialogue.briefs.content import build_brief
from kompetens.dialogue.briefs.excel import unit_workbook
from kompetens.dialogue.briefs.pdf import render_pdf
from tests.test_briefs import pdf_text, xlsx_cells

SPECIAL, HEALTH, IT = 2, 5, 7
DAY = dt.date(2026, 10, 15)
SYD = query.Scope.for_areas("Syd")


@pytest.fixture
def conn():
    connection = store.connect(":memory:")
    names = ["Ekskolan", "Granskolan", "Björkskolan", "Lindskolan", "Almskolan", "Norrskolan"]
    units = pl.DataFrame(
        {
            "unit_id": ["S1", "S2", "S3", "S4", "S5", "N1"],
            "unit_name": names,
            "area": ["Syd"] * 5 + ["Norr"],
            "school_form": ["grundskola"] * 6,
        }
    )
    store.append_rows(connection, "units", units, batch_id=1)
    d = dt.date
    for unit in ("S1", "S2", "S3", "S4"):
        actions = [{"action": "Följ upp"}] if unit == "S1" else []
        saved = dialogues.save_dialogue(
            connection, SYD, unit, d(2026, 9, 10), "Anteckning.", actions, user="vc"
        )
        tagging.set_tags(connection, SYD, unit, d(2026, 9, 10), None, [SPECIAL], user="vc")
        if unit == "S1":
            tagging.set_tags(
                connection,
                SYD,
                unit,
                d(2026, 9, 10),
                saved.action_ids[0],
                [SPECIAL, HEALTH],
                user="vc",
            )
    dialogues.save_dialogue(connection, SYD, "S1", d(2026, 3, 10), "Våren.", [], user="vc")
    tagging.set_tags(connection, SYD, "S1", d(2026, 3, 10), None, [IT], user="vc")
    for batch, (request_id, unit, themes) in enumerate(
        [("R1", "S1", "5"), ("R2", "S5", "2")], start=2
    ):
        row = pl.DataFrame(
            {
                "request_id": [request_id],
                "unit_id": [unit],
                "request_date": [d(2026, 10, 1)],
                "asker_role": ["principal"],
                "channel": ["dialogue"],
                "topic": ["Rekrytering"],
                "support_function": ["HR"],
                "status": ["received"],
                "themes": [themes],
            }
        )
        store.append_rows(connection, "support_request", row, batch_id=batch)
    query.clear_cache()
    yield connection
    connection.close()


def test_an_area_managers_brief_lists_the_units_own_themes_of_the_term_and_where_they_were_tagged(
    conn,
):
    brief = build_brief(conn, SYD, "S1", dialogue_date=DAY)
    assert brief.themes_by_area is False
    assert brief.themes_term == "HT 2026"
    # 2 from the notes and the action; 5 from the action and request R1; IT is VT 2026
    assert [t.text for t in brief.themes] == [
        "Rekrytering av speciallärare (dialog)",
        "Elevhälsa (dialog, stödärende)",
    ]
    assert brief.themes_heading == "Enhetens gemensamma teman HT 2026"


def test_a_principal_sees_their_own_units_themes_and_last_terms_brief_its_own(conn):
    principal = query.Scope.for_units(["S1"], ["Syd"])
    assert [t.theme for t in build_brief(conn, principal, "S1", dialogue_date=DAY).themes] == [
        "Rekrytering av speciallärare",
        "Elevhälsa",
    ]
    spring = build_brief(conn, principal, "S1", dialogue_date=dt.date(2026, 4, 20))
    assert (spring.themes_term, [t.text for t in spring.themes]) == ("VT 2026", ["IT (dialog)"])


def test_an_organisation_wide_brief_shows_the_areas_counts_and_hides_one_to_four_units(conn):
    brief = build_brief(conn, query.Scope.everything(), "S1", dialogue_date=DAY)
    assert brief.themes_by_area is True
    # theme 2: S1–S5 = 5 units, shown; theme 5: S1 alone, hidden (it would name S1)
    assert [(t.theme, t.units, t.suppressed) for t in brief.themes] == [
        ("Rekrytering av speciallärare", 5, False),
        ("Elevhälsa", None, True),
    ]
    assert [t.text for t in brief.themes] == [
        "Rekrytering av speciallärare: 5 enheter i Syd (HT 2026)",
        "Elevhälsa: färre än 5 enheter i Syd (HT 2026)",
    ]
    assert brief.themes_heading == "Gemensamma teman i Syd HT 2026"


def test_a_unit_without_themes_in_the_term_says_so(conn):
    brief = build_brief(conn, query.Scope.for_areas("Norr"), "N1", dialogue_date=DAY)
    assert brief.themes == ()
    assert brief.no_themes_text == (
        "Enhetens dialoger och stödärenden är inte märkta med teman HT 2026."
    )


def test_the_pdf_prints_the_themes_section(conn):
    text = pdf_text(render_pdf(build_brief(conn, SYD, "S1", dialogue_date=DAY)))
    assert "Enhetens gemensamma teman HT 2026" in text
    assert "Rekrytering av speciallärare (dialog)" in text
    assert "Elevhälsa (dialog, stödärende)" in text
    assert "IT (dialog)" not in text
    org = pdf_text(render_pdf(build_brief(conn, query.Scope.everything(), "S1", dialogue_date=DAY)))
    assert "Elevhälsa: färre än 5 enheter i Syd (HT 2026)" in org
    assert "(dialog" not in org  # never the unit's own tags for the organisation


def test_the_excel_themes_sheet_has_the_count_as_a_number_and_a_hidden_count_as_dots(conn):
    own = xlsx_cells(unit_workbook(build_brief(conn, SYD, "S1", dialogue_date=DAY)), "Teman")
    assert [own[f"{c}1"][1] for c in "ABC"] == ["Tema", "Var", "Termin"]
    assert [own[f"{c}3"][1] for c in "ABC"] == ["Elevhälsa", "dialog, stödärende", "HT 2026"]
    org = xlsx_cells(
        unit_workbook(build_brief(conn, query.Scope.everything(), "S1", dialogue_date=DAY)),
        "Teman",
    )
    assert org["D1"][1] == "Antal enheter"
    assert org["D2"][:2] == ("n", 5.0)  # theme 2: five units, a number
    assert org["D3"][:2] == ("s", "..")  # theme 5: one unit, hidden
