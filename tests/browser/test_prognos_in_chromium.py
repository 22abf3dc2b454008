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


@pytest.mark.browser
def test_a_saved_scenario_reopens_from_its_link(prognos_url, page, browser):
    from urllib.parse import quote

    page.goto(f"{prognos_url}/prognos")
    wait_for_app(page)
    page.locator(".js-plotly-plot").first.wait_for()
    before = medians(page)
    teachers = next(t for t in before if "rare (heltidstj" in t)
    # Ten extra places on a certification path per year: the slider, by keyboard.
    places = page.get_by_role(
        "slider", name="Extra platser på behörighetsgivande utbildning per år"
    )
    places.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    wait_for_app(page)
    scenario = medians(page)[teachers]
    assert scenario[-1] > before[teachers][-1]

    page.get_by_label("Spara reglagen som ett namngivet scenario").fill("Tio platser")
    page.get_by_role("button", name="Spara scenario").click()
    wait_for_app(page)
    no_exception(page)
    assert "Scenariot Tio platser är sparat." in page.locator('[data-testid="stMain"]').inner_text()

    # Someone else opens the link in a new session: the slider and the fan are the saved ones.
    other = browser.new_page()
    try:
        other.goto(f"{prognos_url}/prognos?prognos_scenario={quote('Tio platser')}")
        wait_for_app(other)
        other.locator(".js-plotly-plot").first.wait_for()
        no_exception(other)
        # The sliders' thumbs: places 10 (the others at the observed pace: 0 %, 66, 0 %, 50).
        thumbs = other.locator('[data-testid="stSliderThumbValue"]').all_inner_texts()
        assert "10" in thumbs, thumbs
        assert medians(other)[teachers] == pytest.approx(scenario)
        assert (
            "prognos?prognos_scenario=Tio%20platser"
            in other.locator('[data-testid="stMain"]').inner_text()
        )
        screenshot(other, "prognos_saved_scenario")
    finally:
        other.close()
