"""ARUBA in headless Chromium: a click on a unit's bar or row opens that unit, as on Behörighet.

HR (and leadership, principals) land in Behörighet's unit detail, with the staff category of
the unit's school form; the area manager lands in the Verksamhetsdialog on the unit. Also the
frame: the demo banner starts below Streamlit's sticky header, at 1400 and at 800 px.
"""

from __future__ import annotations

import pytest

from tests.browser.harness import no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser

#: Sick leave 2025 (Behålla): all three units of the small fixture have a shown value.
SICK_LEAVE = "sick_leave_rate"


def open_sick_leave_tab(page, url: str) -> None:
    page.goto(f"{url}/aruba?ar=2025&fas=Beh%C3%A5lla")  # the control keeps its label
    wait_for_app(page)
    page.get_by_role("tab", name="Sjukfrånvaro", exact=True).click()
    wait_for_app(page)


def click_bar(page, key: str, index: int) -> None:
    """Click a bar of a chart (Plotly's drag layer covers the bars: click at their place)."""
    chart = page.locator(f".st-key-{key} .js-plotly-plot").first
    chart.wait_for(state="visible")
    chart.scroll_into_view_if_needed()
    bar = chart.locator(".bars .point path").nth(index).bounding_box()
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    wait_for_app(page)


def bar_units(page, key: str) -> list[str]:
    """The unit ids the bars carry (``customdata``), bottom bar first."""
    page.locator(f".st-key-{key} .js-plotly-plot .bars .point path").first.wait_for()
    return page.evaluate(
        """key => {
            const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
            return plot.data.filter(t => t.type === "bar").flatMap(t => Array.from(t.customdata || []))
                .map(c => Array.isArray(c) ? c[0] : c);
        }""",
        key,
    )


def test_hr_clicks_a_units_bar_on_aruba_and_behorighet_opens_on_that_unit(app_url, page):
    open_sick_leave_tab(page, app_url)
    units = bar_units(page, f"rank_{SICK_LEAVE}")
    assert sorted(units) == ["E1", "L1", "S1"]
    school = units.index("S1")
    click_bar(page, f"rank_{SICK_LEAVE}", school)
    page.get_by_role("heading", name="Behörighet", exact=True).first.wait_for()
    wait_for_app(page)
    no_exception(page)
    assert (
        page.get_by_role("combobox", name="Enhet", exact=True)
        .input_value()
        .startswith("Söderskolan")
    )
    assert (
        "Enheten du klickade på visas under" in page.locator('[data-testid="stMain"]').inner_text()
    )
    page.get_by_text("Legitimation och behörighet").first.wait_for()
    screenshot(page, "click_aruba_bar_to_behorighet")


def test_a_preschool_opens_with_the_preschool_teachers_category(app_url, page):
    open_sick_leave_tab(page, app_url)
    units = bar_units(page, f"rank_{SICK_LEAVE}")
    click_bar(page, f"rank_{SICK_LEAVE}", units.index("L1"))
    page.get_by_role("heading", name="Behörighet", exact=True).first.wait_for()
    wait_for_app(page)
    no_exception(page)
    # The preschool's own category is chosen: preschool teachers, not the schools' teachers.
    assert "förskollärarlegitimation" in page.locator('[data-testid="stMain"]').inner_text()
    assert page.get_by_role("combobox", name="Enhet", exact=True).input_value() != ""


def test_hr_clicks_a_row_in_all_units_and_behorighet_opens_on_that_unit(app_url, page):
    page.goto(f"{app_url}/aruba?ar=2025&fas=Beh%C3%A5lla")
    wait_for_app(page)
    page.get_by_role("tab", name="Alla enheter", exact=True).click()
    wait_for_app(page)
    grid = page.locator(".st-key-phase_table [data-testid='stDataFrame']").first
    grid.wait_for(state="visible")
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first data row's selection box
    wait_for_app(page)
    page.get_by_role("heading", name="Behörighet", exact=True).first.wait_for()
    wait_for_app(page)
    no_exception(page)
    assert page.get_by_role("combobox", name="Enhet", exact=True).input_value() != ""


def test_the_area_manager_clicks_a_units_bar_and_the_dialogue_opens_on_it(app_url, page):
    page.goto(f"{app_url}/?ar=2025")
    wait_for_app(page)
    page.get_by_role("combobox", name="Visa appen som").click()
    page.get_by_role("option", name="Verksamhetschef (område)").click()
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="ARUBA").click()
    wait_for_app(page)
    page.locator('[data-testid="stButtonGroup"]').get_by_text("Behålla", exact=True).click()
    wait_for_app(page)
    page.get_by_role("tab", name="Sjukfrånvaro", exact=True).click()
    wait_for_app(page)
    units = bar_units(page, f"rank_{SICK_LEAVE}")
    click_bar(page, f"rank_{SICK_LEAVE}", 0)
    page.get_by_role("heading", name="Verksamhetsdialog", exact=True).first.wait_for()
    wait_for_app(page)
    no_exception(page)
    assert f"({units[0]})" in page.get_by_role("combobox", name="Enhet").input_value()
    screenshot(page, "click_aruba_bar_to_dialog_area_manager")


@pytest.mark.parametrize("width", [1400, 800])
def test_the_demo_banner_starts_below_the_sticky_header(app_url, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
    context.set_default_timeout(90_000)
    page = context.new_page()
    try:
        page.goto(f"{app_url}/oversikt?ar=2025")
        wait_for_app(page)
        banner = page.get_by_text("Demoläge", exact=False).first
        banner.wait_for()
        header = page.locator('[data-testid="stHeader"]').bounding_box()
        alert = page.locator('[data-testid="stAlert"]').first.bounding_box()
        assert alert["y"] >= header["y"] + header["height"], (alert, header)
        screenshot(page, f"banner_below_header_{width}")
    finally:
        context.close()
