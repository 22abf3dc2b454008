"""Behörighet's subject view in headless Chromium, on the subject fixture (tests/subject_fixture.py):
the unit x subject heat map draws, and a click on a row of the subject table opens that unit's
subjects grade by grade (the drill), at 1400 and at 800 px."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.harness import no_exception, running_app, screenshot, tall, wait_for_app
from tests.subject_fixture import build_subject_db

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def subject_url(browser, tmp_path_factory):
    db = build_subject_db(tmp_path_factory.mktemp("subjects") / "subjects.duckdb")
    served = tmp_path_factory.mktemp("served-subjects") / "subjects.duckdb"
    shutil.copy(db, served)
    with running_app(served) as url:
        warm = browser.new_page()
        warm.goto(url)
        wait_for_app(warm, timeout=180_000)
        warm.close()
        yield url


def heatmap(page) -> dict:
    """The heat map's rows (units), columns (subjects) and cell texts, as Plotly holds them."""
    page.locator(".st-key-subject_heatmap .js-plotly-plot .heatmaplayer").first.wait_for()
    return page.evaluate(
        """() => {
            const t = document.querySelector('.st-key-subject_heatmap .js-plotly-plot').data[0];
            return {y: Array.from(t.y), x: Array.from(t.x), text: t.customdata.map(r => Array.from(r)),
                    cells: t.text.map(r => Array.from(r))};
        }"""
    )


@pytest.mark.parametrize("width", [1400, 800])
def test_the_heat_map_shows_units_by_gap_and_a_row_click_opens_the_units_subjects(
    subject_url, page, width
):
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{subject_url}/behorighet?ar=2025")
    wait_for_app(page)
    page.get_by_role("heading", name="Ämnen", exact=True).first.wait_for()
    no_exception(page)
    drawn = heatmap(page)
    # Units by their visible gap: Aspskolan 24 + 12 = 36 h, Björkskolan 18 h, Almskolan hidden.
    assert drawn["y"] == ["Aspskolan", "Björkskolan", "Almskolan"]
    assert drawn["x"] == ["EN", "MA", "SV"]
    assert drawn["text"][0][2] == "50\u00a0% · 24,0 h obehörig"  # Aspskolan, Swedish (hover)
    assert drawn["cells"][0] == ["100\u00a0%", "67\u00a0%", "50\u00a0%"]  # printed in the cells
    assert drawn["cells"][2] == ["..", "..", ".."]  # Almskolan: every figure hidden
    # The table's first row (Aspskolan, Svenska: the largest gap) opens Aspskolan below.
    grid = page.locator(".st-key-subject_table [data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first data row's selection box
    wait_for_app(page)
    no_exception(page)
    assert page.get_by_role("combobox", name="Enhetens ämnen").input_value() == "Aspskolan"
    page.get_by_text("Aspskolan: undervisningstimmar per ämne och årskurser").first.wait_for()
    assert (
        "Aspskolan: undervisningstimmar per ämne och årskurser"
        in page.locator('[data-testid="stMain"]').inner_text()
    )
    if width == 1400:
        tall(page)
        wait_for_app(page)
    # the cells print their share (the text layer, not only the data)
    printed = page.locator(".st-key-subject_heatmap .js-plotly-plot").first.inner_text()
    assert "67\u00a0%" in printed or "67 %" in printed
    screenshot(page, f"subject_view_drill_{width}")
