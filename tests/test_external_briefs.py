"""The dialogue brief (PDF and Excel) shows the unit against Kolada's published values.

The small fixture's E1 Ekskolan in 2024 (``tests/test_briefs.py``): sick leave 720 / 14 400 =
5,0 % (visible), the certified teacher share 3.4 / 5.9 hidden by the coordinated suppression
(``..``). Published values imported here, made up: sick leave (Kolada N00090) for the own
municipality 1299 in 2023 4,8 %, the group G1 in 2024 6,1 %, the country 6,3 % in 2024 (and
7,7 % in 2025, after the brief's year); the certified share (N15814) for the country 73,9 % in
2024 and for the group in 2024 no value with Kolada's status ``Missing``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from pytest import approx

from kompetens import query
from kompetens.core import store
from kompetens.dialogue.briefs import excel
from kompetens.dialogue.briefs.content import build_brief
from kompetens.dialogue.briefs.pdf import render_pdf, typst_data
from kompetens.external import writer
from tests.test_briefs import pdf_text, row_of, xlsx_cells

EVERYTHING = query.Scope.everything()
DAY = dt.date(2026, 3, 10)


def kolada(items: list[tuple[str, str, int, float | None, str]]) -> bytes:
    return json.dumps(
        {
            "count": len(items),
            "values": [
                {
                    "kpi": kpi,
                    "municipality": place,
                    "period": year,
                    "values": [
                        {
                            "count": 1,
                            "gender": "T",
                            "status": status,
                            "value": v,
                            "isdeleted": False,
                        }
                    ],
                }
                for kpi, place, year, v, status in items
            ],
            "next_url": None,
        }
    ).encode()


@pytest.fixture(scope="module")
def conn(small_db, tmp_path_factory):
    target = tmp_path_factory.mktemp("briefs") / "with-benchmarks.duckdb"
    shutil.copy(small_db, target)
    connection = store.connect(target)
    writer.write_settings(
        connection,
        {"municipality": "1299", "municipality_name": "Demokommun", "group_name": "Liknande G1"},
    )
    writer.import_benchmark_file(
        connection,
        "kolada.json",
        kolada(
            [
                ("N00090", "1299", 2023, 4.8, ""),
                ("N00090", "G1", 2024, 6.1, ""),
                ("N00090", "0000", 2024, 6.3, ""),
                ("N00090", "0000", 2025, 7.7, ""),
                ("N15814", "0000", 2024, 73.9, ""),
                ("N15814", "G1", 2024, None, "Missing"),
            ]
        ),
    )
    yield connection
    connection.close()


def test_the_brief_carries_the_unit_against_municipality_group_and_country_with_years(conn):
    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY)
    by_id = {c.indicator_id: c for c in brief.comparisons}
    assert set(by_id) == {"certified_teacher_share", "sick_leave_rate"}
    sick = by_id["sick_leave_rate"]
    assert sick.unit_text == "5,0\u00a0%"  # 720 / 14 400, our own figure
    assert (sick.municipality_value, sick.municipality_year) == (approx(0.048), 2023)
    assert (sick.group_value, sick.group_year) == (approx(0.061), 2024)
    # the country's 2025 value is after the brief's year: 2024's 6,3 % is shown
    assert (sick.national_value, sick.national_year) == (approx(0.063), 2024)
    assert sick.national_text == "6,3\u00a0% (2024)"
    assert sick.source == "Kolada, nyckeltal N00090"
    assert sick.source_url.startswith("https://www.kolada.se/")
    share = by_id["certified_teacher_share"]
    # our share hidden as always; the published values are never hidden, Kolada's mark kept
    assert share.unit_text == ".."
    assert (share.group_value, share.group_text) == (None, "Missing (2024)")
    assert share.municipality_text == "–"  # nothing imported for the own municipality
    assert share.national_text == "73,9\u00a0% (2024)"


def test_the_briefs_sick_leave_trend_gets_the_country_and_group_lines_for_its_own_years(conn):
    from kompetens.dialogue.briefs.charts import trend_figure

    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY)
    (sick,) = [t for t in brief.trends if t.indicator_id == "sick_leave_rate"]
    external = sick.frame.filter(sick.frame["level"] == "external").sort("series")
    # Only 2024 is both on the trend's axis (up to the brief's year) and published: the
    # group's 6,1 % and the country's 6,3 %; the country's 2025 and the own 2023 are not drawn.
    assert external.select("series", "period", "value", "suppressed").rows() == [
        ("Liknande kommuner (Kolada)", "2024", approx(0.061), False),
        ("Riket (Kolada)", "2024", approx(0.063), False),
    ]
    fig = trend_figure(sick.frame, sick.indicator_id, "x")
    lines = {t.name: t.line.dash for t in fig.data}
    assert (lines["Riket (Kolada)"], lines["Liknande kommuner (Kolada)"]) == ("dot", "dashdot")
    # unit, area, organisation and the two lines (no sick-leave target in the fixture): a
    # legend of three rows gets room under the title (it covered the title in the brief)
    assert len(fig.data) == 5 and fig.layout.margin.t == 104


def test_the_pdf_shows_the_comparison_table_with_source_and_year(conn):
    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY)
    text = pdf_text(render_pdf(brief, None))
    assert "Jämfört med kommunen, liknande kommuner och riket" in text
    assert (
        "Sjukfrånvaro 5,0 % 4,8 % (2023) 6,1 % (2024) 6,3 % (2024) Kolada, nyckeltal N00090" in text
    )
    assert ".. – Missing (2024) 73,9 % (2024) Kolada, nyckeltal N15814" in text
    assert "7,7 %" not in text  # the country's 2025 value, after the brief's year
    data = typst_data(brief, [])
    assert all(c["source_url"].startswith("https://www.kolada.se/") for c in data["comparisons"])


def test_the_excel_brief_has_a_comparison_sheet_with_numbers_years_and_the_source_link(conn):
    brief = build_brief(conn, EVERYTHING, "E1", period="2024", dialogue_date=DAY)
    cells = xlsx_cells(excel.unit_workbook(brief), "Jämförelser")
    r = row_of(cells, "A", "Sjukfrånvaro")
    assert cells[f"B{r}"][1] == "5,0\u00a0%"
    assert cells[f"C{r}"] == ("n", approx(0.048), "0.0%")
    assert [cells[f"{c}{r}"][1] for c in "DFH"] == [2023, 2024, 2024]
    assert cells[f"E{r}"][:2] == ("n", approx(0.061))
    assert cells[f"G{r}"][:2] == ("n", approx(0.063))
    assert cells[f"I{r}"][1] == "Kolada, nyckeltal N00090"
    assert cells[f"J{r}"][1].startswith("https://www.kolada.se/")
    r = row_of(cells, "A", "Andel behöriga lärare (heltidstjänster)")
    assert cells[f"E{r}"][:2] == ("s", "Missing")  # Kolada's status, as published
    assert f"C{r}" not in cells  # nothing imported: an empty cell


def test_a_brief_without_benchmark_values_has_no_comparison_section(small_db):
    plain = store.connect(small_db, read_only=True)
    try:
        brief = build_brief(plain, EVERYTHING, "E1", period="2024", dialogue_date=DAY)
    finally:
        plain.close()
    assert brief.comparisons == ()
    assert "Jämförelser" not in excel.unit_workbook(brief).decode("latin-1")
