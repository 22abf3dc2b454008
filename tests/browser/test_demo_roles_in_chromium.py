"""Demo mode in headless Chromium: the banner, and the role picker narrowing menu and data."""

from __future__ import annotations

import pytest

from tests.browser.harness import screenshot, wait_for_app


def menu_titles(page) -> list[str]:
    return [
        text.strip().splitlines()[-1].strip()
        for text in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        if text.strip()
    ]


def choose_role(page, label: str) -> None:
    page.get_by_role("combobox", name="Visa appen som").click()
    page.get_by_role("option", name=label).click()
    wait_for_app(page)


@pytest.mark.browser
def test_demo_roles_change_the_menu_and_keep_the_choice_across_pages(app_url, page):
    page.goto(f"{app_url}/?ar=2025")
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_text("Demoläge").first.wait_for()
    assert "Import" in menu_titles(page)

    choose_role(page, "Rektor (enhet)")
    page.get_by_role("combobox", name="Rektorns enhet").wait_for()
    assert menu_titles(page) == [
        "Översikt",
        "Behörighet",
        "ARUBA",
        "Stödbehov",
        "Resursfördelning",
        "Verksamhetsdialog",
        "Stödregister",
        "Årshjul",
        "Indikatorer",
    ]
    # The role survives a page change in the menu.
    page.locator('[data-testid="stSidebarNav"] a', has_text="Verksamhetsdialog").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Verksamhetsdialog").wait_for()
    assert page.get_by_role("combobox", name="Visa appen som").input_value() == "Rektor (enhet)"
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "demo_principal_dialog")

    # The administrator lands on users and log, the only page of that role.
    choose_role(page, "Administratör")
    page.get_by_role("heading", name="Användare och logg").wait_for()
    assert menu_titles(page) == []
    screenshot(page, "demo_admin")
