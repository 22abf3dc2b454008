"""External benchmarks in a real headless Chromium: Översikt and Behörighet on the small fixture.

A copy of the small fixture gets Skolverket's school-unit codes on its units (re-imported
through the importer) and made-up published values: Kolada N15814 (certified teacher share)
and N11810 (licensed preschool teachers) for the own municipality 1299, the group G1 and the
country in 2024; Skolverket's certified share for 2025/26: Ekskolan (11111111) 70,0 %,
Söderskolan (22222222) `..` (too few to publish). Our own 2025 school shares are hidden by the
whole-table mask (``..``, tests/test_page_behorighet.py), which leaves Skolverket's values as
published. Screenshots land in test-output/screenshots/.
"""

from __future__ import annotations

import json
import shutil

import pytest

from kompetens.core import store
from kompetens.external import writer
from tests.browser.harness import (
    main_text,
    no_exception,
    open_page,
    running_app,
    screenshot,
    tall,
    wait_for_app,
)

pytestmark = pytest.mark.browser

NBSP = "\u00a0"
UNITS_WITH_CODES = (
    "unit_id,unit_name,area,school_form,socioeconomic_index,school_unit_code\n"
    "E1,Ekskolan,Norr,grundskola,1.2,11111111\n"
    "L1,Lärkans förskola,Norr,forskola,0.8,33333333\n"
    "S1,Söderskolan,Söder,grundskola,1.5,22222222\n"
)
#: (KPI, municipality id, year, value in percent)
KOLADA = [
    ("N15814", "1299", 2024, 68.0),
    ("N15814", "G1", 2024, 74.0),
    ("N15814", "0000", 2024, 73.9),
    ("N11810", "1299", 2024, 41.5),
    ("N11810", "G1", 2024, 44.2),
    ("N11810", "0000", 2024, 45.0),
]
SKOLVERKET_CSV = (
    "Skolenhetskod;Skolenhet;Läsår;Andel (%) lärare med lärarlegitimation och behörighet i minst ett ämne\n"
    "11111111;Ekskolan;2025/26;70,0\n"
    "22222222;Söderskolan;2025/26;..\n"
)


def kolada_json() -> bytes:
    values = [
        {
            "kpi": kpi,
            "municipality": place,
            "period": year,
            "values": [{"count": 1, "gender": "T", "status": "", "value": v, "isdeleted": False}],
        }
        for kpi, place, year, v in KOLADA
    ]
    return json.dumps({"count": len(values), "values": values, "next_url": None}).encode()


@pytest.fixture(scope="module")
def bench_url(small_db, browser, tmp_path_factory):
    from kompetens.ingest import import_file

    folder = tmp_path_factory.mktemp("benchmarks")
    served = folder / "bench.duckdb"
    shutil.copy(small_db, served)
    units = folder / "units.csv"
    units.write_text(UNITS_WITH_CODES, encoding="utf-8")
    conn = store.connect(served)
    try:
        import_file(conn, units, kind="units", user="test")
        writer.write_settings(
            conn,
            {"municipality": "1299", "municipality_name": "Demokommun", "group_name": "Grupp G1"},
        )
        writer.import_benchmark_file(conn, "kolada.json", kolada_json())
        writer.import_benchmark_file(conn, "skolverket.csv", SKOLVERKET_CSV.encode())
    finally:
        conn.close()
    with running_app(served) as url:
        warm = browser.new_page()
        warm.goto(url)
        wait_for_app(warm, timeout=180_000)
        warm.close()
        yield url


def grid_cells(page, key: str) -> list[str]:
    """The text of every cell of the ``st.dataframe`` inside the container ``key`` (its grid)."""
    grid = page.locator(f".st-key-{key} [data-testid='stDataFrame']").first
    grid.wait_for(state="visible")
    return grid.evaluate(
        "g => Array.from(g.querySelectorAll('[role=\"gridcell\"], td, th'), c => c.textContent)"
    )


def test_overview_shows_the_national_and_similar_municipality_values_with_year_and_source(
    bench_url, page
):
    open_page(page, f"{bench_url}/oversikt?ar=2025", "Översikt")
    no_exception(page)
    text = main_text(page).replace(NBSP, " ")
    # licensed preschool teachers 2025: our 2.8 / 6.55 = 42,7 %, beside Kolada's 2024 values
    assert "42,7 %" in text
    assert "Egen kommun (Demokommun) 41,5 % (2024)" in text
    assert "Liknande kommuner 44,2 % (2024)" in text
    assert "Riket 45,0 % (2024)" in text
    # the certified teacher share's card: ours hidden, the published values shown as published
    assert "Liknande kommuner 74,0 % (2024)" in text and "Riket 73,9 % (2024)" in text
    assert "Källa: Kolada, nyckeltal N11810" in text
    links = page.locator('[data-testid="stMain"] a[href*="kolada.se"]')
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert len(hrefs) >= 6  # each comparison links to its page at Kolada
    assert any("kpis=N11810&municipals=0000&years=2024" in h for h in hrefs)
    # the trend's lines are optional: a switch, on by default
    assert page.get_by_text("Visa riket och liknande kommuner (Kolada)").count() == 1
    tall(page, 2600)
    screenshot(page, "benchmarks_oversikt")


def test_behorighet_shows_skolverkets_official_share_per_school_unit(bench_url, page):
    open_page(page, f"{bench_url}/behorighet?ar=2025", "Behörighet")
    no_exception(page)
    assert "Vår andel jämfört med Skolverkets officiella" in main_text(page)
    cells = [c.replace(NBSP, " ") for c in grid_cells(page, "skolverket_check")]
    joined = " | ".join(cells)
    assert "Ekskolan" in cells and "Söderskolan" in cells
    assert "11111111" in cells and "22222222" in cells
    assert "70,0 %" in cells  # Ekskolan's official share, 2025/26
    assert "2025/26" in cells
    assert cells.count("..") >= 2, joined  # our hidden shares, and Söderskolan's mask as published
    tall(page, 3600)
    screenshot(page, "benchmarks_behorighet")
