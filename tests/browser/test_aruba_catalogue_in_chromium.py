"""ARUBA and Indikatorer in a real headless Chromium against the small fixture.

Each page opens from a deep link with query parameters (as a shared link would), the
main control is used (the phase control, the search box), and the page must finish
without an exception and show the hand-computed figures. Screenshots land in
test-output/screenshots/.
"""

from __future__ import annotations

import pytest

from kompetens.indicators import registry
from tests.browser.harness import main_text, no_exception, open_page, screenshot, tall, wait_for_app

pytestmark = pytest.mark.browser

NBSP = "\u00a0"


def test_aruba_deep_link_opens_the_chosen_phase_and_year(app_url, page):
    # The phase control keeps its label in the URL (?fas=Behålla), like every bound control.
    open_page(page, f"{app_url}/aruba?ar=2025&fas=Beh%C3%A5lla", "Behålla")
    no_exception(page)
    text = main_text(page)
    assert registry.get("turnover_rate").name_sv in text
    # 1 exit / 18.25 = 5,5 %, hidden: one exit beside its exit reason tells who left and why
    # (coordinated suppression, docs/suppression.md): the card shows the year and '..'.
    assert f"5,5{NBSP}%" not in text
    assert "\n..\n" in text and "· 2025" in text
    # One tab per indicator: open sick leave's.
    page.get_by_role("tab", name=registry.get("sick_leave_rate").name_sv, exact=True).click()
    wait_for_app(page)
    text = main_text(page)
    assert f"lägst 5,0{NBSP}% · median 5,0{NBSP}% · högst 8,0{NBSP}%" in text  # sick leave per unit
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    tall(page, 4200)
    screenshot(page, "aruba_behalla_2025")


def test_aruba_switches_phase_and_keeps_it_in_the_address(app_url, page):
    open_page(page, f"{app_url}/aruba?ar=2025", "Attrahera")
    no_exception(page)
    assert "3,86" in main_text(page)  # employer recommendation 2025
    page.get_by_role("radio", name="Avveckla").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Avveckla", exact=True).first.wait_for(state="visible")
    no_exception(page)
    assert "fas=Avveckla" in page.url  # (ar=2025 is the newest year, the default: not in the URL)
    text = ""
    # One tab per indicator and per section: open those the checks below read.
    for tab in (registry.get("age_55_plus_share").name_sv, "Övertaliga och", "Pensionsprognos"):
        page.get_by_role("tab", name=tab).first.click()
        wait_for_app(page)
        no_exception(page)
        text += main_text(page)
    assert f"36,4{NBSP}%" in text  # 55+ 2025: 8 of 22
    assert "Pensionsprognos per personalkategori" in text
    assert "Övertaliga och öppna tjänster i samma kategori" in text
    assert "visas som .." in text  # one redundant childminder and one post: hidden
    tall(page, 5200)
    screenshot(page, "aruba_avveckla_2025")
    page.get_by_role("radio", name="Rekrytera").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Rekrytera", exact=True).first.wait_for(state="visible")
    no_exception(page)
    assert registry.get("time_to_fill_days").name_sv in main_text(page)
    screenshot(page, "aruba_rekrytera_2025")


def test_the_catalogue_opens_with_a_search_from_the_address_and_searches_anew(app_url, page):
    open_page(page, f"{app_url}/indikatorer?sok=N00216", "Indikatorer")
    no_exception(page)
    text = main_text(page)
    assert f"1 av {len(registry.REGISTRY)} indikatorer" in text
    assert registry.get("turnover_rate_cohort").name_sv in text
    box = page.get_by_label("Sök indikator")
    box.fill("sjukfrånvaro")
    box.press("Enter")
    wait_for_app(page)
    page.get_by_text(f"3 av {len(registry.REGISTRY)} indikatorer").wait_for(state="visible")
    no_exception(page)
    assert "sok=sjukfr%C3%A5nvaro" in page.url
    tall(page, 2400)
    screenshot(page, "indikatorer_sjukfranvaro")
