"""Stödregister in headless Chromium: a principal files a request, the support function answers it,
marks it done with feedback, and it leaves the open lists.

Runs against a private copy of the small fixture (the page writes), in demo mode: the
principal of Ekskolan (E1, the first school) files a request to HR; the support function
HR (the demo's first function) records support on it as done, closes the request and
saves the feedback agreed with the unit.
"""

from __future__ import annotations

import re
import shutil

import pytest

from kompetens import query
from kompetens.core import store
from kompetens.query import support_register as read
from tests.browser.harness import main_text, no_exception, running_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(small_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("support_register") / "register.duckdb"
    shutil.copy(small_db, db)
    with running_app(db) as url:
        yield url, db


def stored(db, what):
    """Read the register from the test's side, closing at once (the app writes to the file)."""
    conn = store.connect(db, read_only=True)
    try:
        return what(conn)
    finally:
        conn.close()


def choose(page, box: str, option: str) -> None:
    """Pick ``option`` (a text the option contains) in the select box named ``box``."""
    field = page.get_by_role("combobox", name=box)
    field.scroll_into_view_if_needed()
    field.click()
    page.keyboard.type(option)
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_for_app(page)


def tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(300)


def submit(page, label: str, expect: str) -> None:
    page.get_by_role("button", name=label).click()
    wait_for_app(page)
    try:
        page.get_by_text(expect).first.wait_for(timeout=20_000)
    except Exception:
        screenshot(page, "debug_after_submit")
        raise
    no_exception(page)


def test_a_request_goes_from_the_principal_to_the_support_function_and_out_of_the_open_lists(
    browser, served
):
    url, db = served
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="sv-SE")
    context.set_default_timeout(90_000)
    page = context.new_page()
    page.goto(f"{url}/stodregister")
    wait_for_app(page)
    page.get_by_role("heading", name="Stödregister", exact=True).wait_for()

    # The principal of Ekskolan files a request to HR.
    choose(page, "Visa appen som", "Rektor (enhet)")
    page.get_by_role("heading", name="Stödregister", exact=True).wait_for()
    assert page.get_by_role("combobox", name="Rektorns enhet").input_value() == "Ekskolan (E1)"
    assert page.get_by_role("combobox", name="Enhet", exact=True).input_value() == "Ekskolan (E1)"
    choose(page, "Stödfunktion som tillfrågas", "HR")
    page.get_by_role("textbox", name="Beskrivning").fill("Behöver hjälp att rekrytera.")
    submit(page, "Registrera ärendet", "är sparat (nytt ärende)")
    requests = stored(db, lambda c: read.requests(c, query.Scope.everything()))
    assert requests.select("unit_id", "support_function", "status", "description").rows() == [
        ("E1", "HR", "received", "Behöver hjälp att rekrytera.")
    ]
    request_id = requests["request_id"][0]

    # The support function HR sees it among the open requests and answers it.
    choose(page, "Visa appen som", "Stödfunktion")
    page.get_by_role("heading", name="Stödregister", exact=True).wait_for()
    tab(page, "Ärenden")
    choose(page, "Välj ärende", request_id)
    assert "Behöver hjälp att rekrytera." in main_text(page)
    page.get_by_role("spinbutton", name="Timmar").fill("3")
    choose(page, "Insatsens status", "Klar")
    submit(page, "Registrera stödet", "Stödinsats I-")
    tab(page, "Uppföljning")
    assert "1 avslutad insats utan överenskommen återkoppling" in main_text(page)

    tab(page, "Ärenden")
    choose(page, "Ny status", "Klar")
    submit(page, "Spara status", "(status klar)")
    tab(page, "Ärenden")
    page.locator('[data-testid="stRadio"] label').filter(has_text=re.compile(r"^4$")).click()
    page.get_by_role("textbox", name="Kort kommentar").fill("Två tjänster tillsatta.")
    submit(page, "Spara återkopplingen", "(status klar, återkoppling)")

    # Out of the open lists: no open request, no effort without feedback.
    tab(page, "Ärenden")
    assert "Inga ärenden i urvalet." in main_text(page)
    tab(page, "Uppföljning")
    text = main_text(page)
    assert "Alla avslutade insatser har återkoppling." in text
    assert "0 ärenden utan svar efter mer än 14 dagar" in text
    effort = stored(db, lambda c: read.efforts(c, query.Scope.everything()))
    assert effort.select("request_id", "status", "hours", "feedback_score").rows() == [
        (request_id, "done", 3.0, 4)
    ]
    screenshot(page, "support_register_support_done")
    context.close()
