"""Resursfördelning in headless Chromium, as leadership: moving the floor slider changes the table,
and a saved scenario reopens.

Served from the small fixture with the hand-computed allocation of
``tests/test_page_resursfordelning.py`` (Ekskolan 300 000 kr today; 325 000 kr with floor 0).
"""

from __future__ import annotations

import shutil

import pytest

from kompetens.core import store
from tests.browser.harness import no_exception, running_app, screenshot, tall, wait_for_app
from tests.browser.test_swedish_formats_in_chromium import choose_role, open_sidebar
from tests.test_page_resursfordelning import seed_allocation

NBSP = "\u00a0"
CELLS = """() => Array.from(document.querySelectorAll(
    '[data-testid="stDataFrame"] [role="gridcell"]')).map((c) => c.textContent.trim())"""


@pytest.fixture(scope="module")
def alloc_url(small_db, browser, tmp_path_factory):
    served = tmp_path_factory.mktemp("alloc-served") / "alloc.duckdb"
    shutil.copy(small_db, served)
    conn = store.connect(served)
    seed_allocation(conn)
    conn.close()
    with running_app(served) as url:
        warm = browser.new_page()
        warm.goto(f"{url}/oversikt")
        wait_for_app(warm, timeout=180_000)
        warm.close()
        yield url


def open_as_leadership(page, url: str) -> None:
    page.goto(f"{url}/oversikt")
    wait_for_app(page)
    choose_role(page, "Ledning")
    open_sidebar(page)
    page.locator('[data-testid="stSidebarNav"] a[href$="/resursfordelning"]').first.click()
    wait_for_app(page)
    page.get_by_role("heading", name="Resursfördelning", exact=True).first.wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    wait_for_app(page)


def cells(page) -> list[str]:
    page.locator('[data-testid="stDataFrame"] [role="gridcell"]').first.wait_for(state="attached")
    return page.evaluate(CELLS)


@pytest.mark.browser
def test_moving_the_floor_slider_changes_the_table(alloc_url, page):
    open_as_leadership(page, alloc_url)
    no_exception(page)
    before = cells(page)
    assert f"300{NBSP}000" in before and f"325{NBSP}000" not in before
    tall(page, 2000)
    screenshot(page, "resursfordelning_1400")

    page.get_by_role("slider", name="Golv (index)").focus()
    page.keyboard.press("Home")  # the floor to 0
    wait_for_app(page)
    no_exception(page)
    after = cells(page)
    assert after != before
    assert f"325{NBSP}000" in after and f"+25{NBSP}000" in after  # Ekskolan with floor 0
    shown = page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")
    assert "Vinner mest: Ekskolan" in shown
    screenshot(page, "resursfordelning_floor0_1400")
    page.set_viewport_size({"width": 800, "height": 2000})
    page.wait_for_timeout(800)
    screenshot(page, "resursfordelning_floor0_800")


@pytest.mark.browser
def test_a_saved_scenario_reopens_in_the_table(alloc_url, page):
    open_as_leadership(page, alloc_url)
    page.get_by_role("slider", name="Golv (index)").focus()
    page.keyboard.press("Home")  # the floor to 0
    wait_for_app(page)
    page.get_by_label("Spara reglagen som ett namngivet scenario").fill("Inget golv")
    page.get_by_role("button", name="Spara").click()
    wait_for_app(page)
    no_exception(page)
    page.get_by_role("slider", name="Golv (index)").focus()
    page.keyboard.press("End")  # the floor to 200: nobody above it, the table changes
    wait_for_app(page)
    assert f"325{NBSP}000" not in cells(page)
    box = page.get_by_role("combobox", name="Sparat scenario")
    box.click()
    page.get_by_role("option", name="Inget golv").click()
    wait_for_app(page)
    no_exception(page)
    assert f"325{NBSP}000" in cells(page)  # Ekskolan with floor 0 again
