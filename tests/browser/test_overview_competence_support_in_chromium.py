"""Översikt, Behörighet and Stödbehov in a real headless Chromium against the small fixture.

Each page is opened from a deep link with query parameters (as a shared link
would), its main control is used, and the page must finish without an
exception and show the expected headline figures. Screenshots land in
test-output/screenshots/.
"""

from __future__ import annotations

import pytest

from tests.browser.harness import main_text, no_exception, open_page, screenshot, tall, wait_for_app

pytestmark = pytest.mark.browser

NBSP = "\u00a0"


def test_overview_opens_from_a_deep_link_and_switches_to_monthly_trends(app_url, page):
    open_page(page, f"{app_url}/oversikt?ar=2025", "Översikt")
    no_exception(page)
    text = main_text(page)
    assert "Översikt" in text
    # The organisation's 2025 certified teacher share (4.3 / 7.8 = 55,1 %) is hidden by the
    # whole-table mask on this three-unit fixture (tests/test_page_oversikt.py).
    assert "55,1" not in text
    assert f"42,7{NBSP}%" in text  # licensed preschool teachers 2025: 2.8 / 6.55
    page.get_by_role("radio", name="Månadsvärden").click()
    wait_for_app(page)
    no_exception(page)
    # A bound widget keeps its label in the URL (and drops a value equal to its default, as ar=2025).
    assert "upplosning=M%C3%A5nadsv%C3%A4rden" in page.url
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    tall(page, 2600)
    screenshot(page, "oversikt_monthly")


def test_behorighet_deep_link_with_a_unit_opens_its_drill_down(app_url, page):
    # The unit selectbox keeps its label in the URL ("Ekskolan (Norr)"), like every bound selectbox.
    open_page(page, f"{app_url}/behorighet?ar=2024&enhet=Ekskolan+%28Norr%29", "Behörighet")
    no_exception(page)
    text = main_text(page)
    assert "Behörighet" in text
    assert "Legitimation och behörighet" in text  # the drill-down of E1 is open
    # E1's, Norr's and the organisation's 2024 shares are hidden by the whole-table mask.
    assert "Norr: .. · organisationen: " in text and "57,6" not in text


def test_behorighet_picks_a_unit_in_the_drill_down_selectbox(app_url, page):
    open_page(page, f"{app_url}/behorighet?ar=2024", "Behörighet")
    no_exception(page)
    assert "Välj en enhet för att se" in main_text(page)
    box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(
        has_text="Enhet"
    )
    box.first.click()
    # Typing filters the options and opens the list even if the first click only focused the box.
    page.keyboard.type("Söderskolan")
    page.get_by_role("option", name="Söderskolan (Söder)").click()
    wait_for_app(page)
    no_exception(page)
    text = main_text(page)
    # S1 rests on 4 teachers (primary), Söder (S1 alone) and the organisation are hidden with it.
    assert "Söder: .. · organisationen: " in text and "48,7" not in text
    assert "enhet=S%C3%B6derskolan" in page.url
    tall(page, 2600)
    screenshot(page, "behorighet_drill_down")


def test_stodbehov_moves_a_weight_slider_and_the_scores_change(app_url, page):
    open_page(page, f"{app_url}/stodbehov?ar=2025", "Stödbehov")
    no_exception(page)
    assert "De som inte ber om stöd – enheter utan färska data" in main_text(page)
    assert "Egna vikter används" not in main_text(page)
    page.get_by_text("Vikter", exact=True).click()
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Personalomsättning")
    handle = slider.get_by_role("slider")
    handle.focus()
    handle.press("Home")  # weight 0
    wait_for_app(page)
    no_exception(page)
    assert "Egna vikter används" in main_text(page)
    assert "vikt_turnover_rate=0" in page.url
    tall(page, 2600)
    screenshot(page, "stodbehov_weights")


def test_after_a_weight_change_the_area_manager_clicks_a_ranked_unit_and_the_dialogue_opens(
    app_url, page
):
    """The weights and the ranking are one fragment: a weight change reruns only that part,
    and a click on a row there must still switch to the Verksamhetsdialog."""
    page.goto(f"{app_url}/?ar=2025")
    wait_for_app(page)
    page.get_by_role("combobox", name="Visa appen som").click()
    page.get_by_role("option", name="Verksamhetschef (område)").click()
    wait_for_app(page)
    open_page(page, f"{app_url}/stodbehov?ar=2025", "Stödbehov")
    page.get_by_text("Vikter", exact=True).click()
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Personalomsättning")
    slider.get_by_role("slider").focus()
    slider.get_by_role("slider").press("Home")  # weight 0: a fragment rerun
    wait_for_app(page)
    assert "Egna vikter används" in main_text(page)
    grid = page.locator(".st-key-ranking [data-testid='stDataFrame']").first
    grid.wait_for(state="visible")
    grid.scroll_into_view_if_needed()
    # the grid's accessible table: the first ranked unit's name, under the heading "Enhet"
    headings = [t.strip() for t in grid.locator("tr").first.locator("th").all_inner_texts()]
    first = [t.strip() for t in grid.locator("tr").nth(1).locator("td").all_inner_texts()]
    unit = first[headings.index("Enhet")]
    assert unit
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first data row's selection box
    page.get_by_role("heading", name="Verksamhetsdialog", exact=True).first.wait_for()
    wait_for_app(page)
    no_exception(page)
    assert unit in page.get_by_role("combobox", name="Enhet").input_value()
