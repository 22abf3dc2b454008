"""Prognos in headless Chromium: the fan renders, a slider changes it, and the link keeps the scenario.

Served from a 600-person demo (the small fixture's start figures are all hidden, so
it would draw no fan).
"""

from __future__ import annotations

import shutil

import pytest

from tests.browser.harness import no_exception, running_app, screenshot, wait_for_app
from tests.test_page_prognos import build_prognos_db

MEDIAN = "Prognos (median)"


@pytest.fixture(scope="module")
def prognos_url(browser, tmp_path_factory):
    built = build_prognos_db(tmp_path_factory.mktemp("prognos-built") / "demo600.duckdb")
    served = tmp_path_factory.mktemp("prognos-served") / "demo600.duckdb"
    shutil.copy(built, served)
    with running_app(served) as url:
        warm = browser.new_page()
        warm.goto(f"{url}/prognos")
        wait_for_app(warm, timeout=180_000)
        warm.close()
        yield url


def medians(page) -> dict[str, list[float]]:
    """The median line of each fan on the page (by the fan's title), read from the drawn figures.

    Waits until both fans are drawn (a rerun redraws them one after the other).
    """
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter((p) => p.data).length >= 2"
    )
    return page.evaluate(
        """(name) => Object.fromEntries(Array.from(document.querySelectorAll('.js-plotly-plot')).map(
            (plot) => [plot.layout.title.text,
                       (plot.data || []).filter((t) => t.name === name).map((t) => t.y)[0] || []]))""",
        MEDIAN,
    )


@pytest.mark.browser
def test_prognos_renders_its_fans_and_a_slider_changes_them(prognos_url, page):
    page.goto(f"{prognos_url}/prognos")
    wait_for_app(page)
    no_exception(page)
    page.get_by_role("heading", name="Prognos", exact=True).wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    before = medians(page)
    assert len(before) == 2 and all(len(m) == 6 for m in before.values())
    teachers = next((t for t in before if "rare (heltidstj" in t), None)
    assert teachers is not None, list(before)
    assert "Med nuvarande takt:" in page.locator('[data-testid="stMain"]').inner_text()
    screenshot(page, "prognos_baseline")

    # Every new hire certified: the toggle, then the slider to its end with the keyboard.
    page.get_by_text("Egen andel behöriga bland nyanställda").click()
    wait_for_app(page)
    page.get_by_role("slider", name="Andel behöriga bland nyanställda (%)").focus()
    page.keyboard.press("End")
    wait_for_app(page)
    no_exception(page)
    after = medians(page)
    assert after[teachers][0] == pytest.approx(before[teachers][0])  # the start stays
    assert after[teachers][-1] > before[teachers][-1]  # five years on the share is higher
    assert "Med scenariot:" in page.locator('[data-testid="stMain"]').inner_text()
    screenshot(page, "prognos_scenario")

    # The address now carries the scenario: opening it again draws the same fan.
    link = page.url
    assert "prognos_behoriga_nyanstallda=100" in link
    page.goto(link)
    wait_for_app(page)
    page.locator(".js-plotly-plot").first.wait_for()
    assert medians(page)[teachers] == pytest.approx(after[teachers])
