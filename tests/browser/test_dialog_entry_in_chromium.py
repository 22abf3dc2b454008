"""Verksamhetsdialog in headless Chromium: entering a dialogue in an en-US and an sv-SE browser,
seeing it saved in full, and taking the protokoll with the saved notes and actions.

Runs against a private copy of the small fixture (the page writes). The due date is typed as a
user types it, ``2027-02-28``, into the date field's segments; the browser's locale must not
change how it is read (it once became ``70228-02-02`` in an en-US browser).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil

import pypdf
import pytest

from kompetens import query
from kompetens.core import store
from kompetens.dialogue import dialogues
from tests.browser.harness import (
    main_text,
    no_exception,
    running_app,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.browser

NOTES = "Plan för VAL tas fram.\nAndra raden: *inte fet* och # ingen rubrik.\n\nTredje stycket."


@pytest.fixture(scope="module")
def served(small_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("dialog_entry") / "entry.duckdb"
    shutil.copy(small_db, db)
    with running_app(db) as url:
        yield url, db


def open_dialog(browser, url: str, locale: str, unit: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, locale=locale)
    context.set_default_timeout(90_000)
    page = context.new_page()
    page.goto(f"{url}/dialog?enhet={unit}&ar=2025")
    wait_for_app(page)
    page.get_by_role("heading", name="Anteckningar och överenskomna åtgärder").wait_for()
    wait_for_app(page)
    no_exception(page)
    return context, page


def type_date(page, field_name: str, text: str, index: int = 0) -> None:
    """Click the first segment of a date field and type, as a user does."""
    field = page.get_by_role("group", name=field_name).nth(index)
    field.scroll_into_view_if_needed()
    field.get_by_role("spinbutton").first.click()
    page.keyboard.type(text, delay=40)
    page.keyboard.press("Tab")


def date_segments(page, field_name: str, index: int = 0) -> list[str | None]:
    field = page.get_by_role("group", name=field_name).nth(index)
    return [s.get_attribute("aria-valuetext") for s in field.get_by_role("spinbutton").all()]


def shown_date_text(page, field_name: str, index: int = 0) -> str:
    """What a date field shows: typed segments, or the placeholder drawn by the app's style."""
    field = page.get_by_role("group", name=field_name).nth(index)
    return field.evaluate(
        """group => Array.from(group.children).map(part => {
            if (part.getAttribute("data-placeholder") === "true") {
                return getComputedStyle(part, "::after").content.replace(/^"|"$/g, "");
            }
            return part.textContent;
        }).join("")"""
    )


@pytest.mark.parametrize(("locale", "unit"), [("en-US", "E1"), ("sv-SE", "L1")])
def test_a_dialogue_with_owner_and_iso_due_date_is_saved_whole_in_any_browser_locale(
    served, browser, locale, unit
):
    url, db = served
    context, page = open_dialog(browser, url, locale, unit)
    try:
        today = dt.date.today().isoformat()
        # An empty due date shows the format in Swedish, in either locale.
        assert shown_date_text(page, "Klart senast", 0) == "åååå-mm-dd"
        page.get_by_label(f"Anteckningar från dialogen {today}").fill(NOTES)
        page.get_by_label("Åtgärd 1", exact=True).fill("Anmäl två lärare till VAL")
        page.get_by_label("Ansvarig").nth(0).fill("Rektor")
        type_date(page, "Klart senast", "2027-02-28", index=0)
        page.get_by_label("Åtgärd 2", exact=True).fill("Schemalägg kollegialt lärande")
        page.get_by_label("Ansvarig").nth(1).fill("Förstelärare")
        # the date reads as typed, whatever the browser's locale
        assert date_segments(page, "Klart senast", 0)[0] == "2027"
        assert (
            page.get_by_role("group", name="Klart senast").first.inner_text().replace("\n", "")
            == "2027-02-28"
        )
        screenshot(page, f"dialog_entry_{locale}")
        page.get_by_role("button", name="Spara dialogen").click()
        wait_for_app(page)
        no_exception(page)
        alerts = "\n".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
        assert f"Dialogen {today} är sparad: anteckningarna och 2 åtgärder." in alerts
        # the notes stay in the box, the action rows are empty again
        assert page.get_by_label(f"Anteckningar från dialogen {today}").input_value() == NOTES
        assert page.get_by_label("Åtgärd 1", exact=True).input_value() == ""
        # the saved dialogue in full, as plain text (the asterisks and the # are shown as typed)
        text = main_text(page)
        assert f"{today} · 2 åtgärder, 0 klara" in text
        for line in (
            "Plan för VAL tas fram.",
            "Andra raden: *inte fet* och # ingen rubrik.",
            "Tredje stycket.",
        ):
            assert line in text
        assert (
            "☐ Anmäl två lärare till VAL · ansvarig: Rektor · klart senast 2027-02-28 · ej klar"
            in text
        )
        assert (
            "☐ Schemalägg kollegialt lärande · ansvarig: Förstelärare · klart senast – · ej klar"
            in text
        )
        page.get_by_text("☐ Schemalägg kollegialt lärande").scroll_into_view_if_needed()
        screenshot(page, f"dialog_saved_{locale}")
    finally:
        context.close()
    conn = store.connect(db, read_only=True)
    try:
        saved = dialogues.actions(conn, query.Scope.everything(), unit).sort("id")
    finally:
        conn.close()
    assert saved.select("action", "owner", "due_date").rows() == [
        ("Anmäl två lärare till VAL", "Rektor", dt.date(2027, 2, 28)),
        ("Schemalägg kollegialt lärande", "Förstelärare", None),
    ]


def test_after_saving_the_page_offers_the_protokoll_with_the_saved_notes_and_actions(
    served, browser
):
    url, _ = served
    context, page = open_dialog(browser, url, "sv-SE", "E1")
    try:
        # saved by the en-US run above (same module server), else save one now
        today = dt.date.today().isoformat()
        if f"{today} · " not in main_text(page):
            page.get_by_label(f"Anteckningar från dialogen {today}").fill(NOTES)
            page.get_by_label("Åtgärd 1", exact=True).fill("Anmäl två lärare till VAL")
            page.get_by_label("Ansvarig").nth(0).fill("Rektor")
            type_date(page, "Klart senast", "2027-02-28", index=0)
            page.get_by_role("button", name="Spara dialogen").click()
            wait_for_app(page)
        choice = page.get_by_role("radiogroup", name="Vad vill du skapa?")
        assert choice.get_by_role("radio", name="Protokoll efter dialogen").is_checked()
        page.get_by_role("button", name="Skapa PDF").click()
        page.get_by_role("button", name="Ladda ner PDF").wait_for(timeout=120_000)
        with page.expect_download() as download:
            page.get_by_role("button", name="Ladda ner PDF").click()
        assert re.fullmatch(r"E1_Ekskolan_2025_protokoll\.pdf", download.value.suggested_filename)
        data = download.value.path().read_bytes()
        screenshot(page, "dialog_protokoll_offered")
    finally:
        context.close()
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
    assert "PROTOKOLL FRÅN VERKSAMHETSDIALOG" in text
    assert (
        "Plan för VAL tas fram." in text and "Andra raden: *inte fet* och # ingen rubrik." in text
    )
    assert "Anmäl två lärare till VAL Rektor 2027-02-28 ☐ ej klar" in text
