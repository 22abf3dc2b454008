"""Årshjul in headless Chromium: the .ics download parses with icalendar; an area manager saves
round dates through the keyboard-friendly form and the new round is in the next download.

The served database is the small fixture (Norr: E1, L1; Söder: S1) with Norr's first round
of this term set, and one dialogue of E1 today.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import icalendar
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from kompetens import query
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.query import dialogue_rounds as rounds
from tests.browser.harness import no_exception, open_page, running_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser

TODAY = dt.date.today()
NEXT = rounds.next_term(rounds.term_of(TODAY))
FIRST, LAST = rounds.term_bounds(NEXT)


@pytest.fixture(scope="module")
def wheel_url(small_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("arshjul") / "arshjul.duckdb"
    shutil.copy(small_db, db)
    conn = store.connect(db)
    try:
        everything = query.Scope.everything()
        # Next term's first round: always within the year the calendar file covers.
        rounds.save_rounds(
            conn,
            everything,
            "Norr",
            NEXT,
            [rounds.Round(FIRST + dt.timedelta(9), FIRST + dt.timedelta(13))],
            "hr",
        )
        dialogues.save_dialogue(conn, everything, "E1", TODAY, "Anteckningar", user="vc")
    finally:
        conn.close()
    with running_app(db) as url:
        yield url


def download_ics(page):
    with page.expect_download() as info:
        page.get_by_role("button", name="Ladda ner kalenderfil").click()
    download = info.value
    assert download.suggested_filename.endswith(".ics")
    return icalendar.Calendar.from_ical(download.path().read_bytes())


def type_date(page, field_name: str, digits: str) -> None:
    """Click the first segment of a date field and type the digits, as a keyboard user does."""
    field = page.get_by_role("group", name=field_name).first
    field.scroll_into_view_if_needed()
    field.get_by_role("spinbutton").first.click()
    page.keyboard.type(digits, delay=40)
    page.keyboard.press("Tab")


def choose_role(page, label: str) -> None:
    page.get_by_role("combobox", name="Visa appen som").click()
    page.get_by_role("option", name=label).click()
    wait_for_app(page)


def test_the_calendar_file_downloads_and_parses_with_the_rounds_and_deliveries(wheel_url, page):
    open_page(page, f"{wheel_url}/arshjul", "Årshjul")
    no_exception(page)
    cal = download_ics(page)
    assert str(cal["x-wr-calname"]) == "Årshjul – hela organisationen"
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    uid = f"round-norr-{NEXT.lower()}-1@arshjul.kompetens"
    assert events[uid].decoded("dtstart") == FIRST + dt.timedelta(9)
    assert events[uid].decoded("dtend") == FIRST + dt.timedelta(14)  # the day after the last
    assert str(events[uid]["summary"]) == f"Dialogomgång 1 {rounds.term_label(NEXT)} – Norr"
    assert sum(u.startswith("delivery-staff_export-") for u in events) == 12
    screenshot(page, "arshjul_hr")


def test_an_area_manager_saves_a_second_round_with_the_keyboard_and_it_is_in_the_file(
    wheel_url, page
):
    page.goto(f"{wheel_url}/arshjul")
    wait_for_app(page)
    choose_role(page, "Verksamhetschef (område)")
    page.get_by_role("heading", name="Sätt dialogdatum").wait_for()
    wait_for_app(page)
    # The role switch reruns the page; a rerun still drawing when the list opens closes it again
    # (seen in CI: the option never showed). Open it until the option shows.
    option = page.get_by_role("option", name=rounds.term_label(NEXT))
    for _attempt in range(3):
        page.get_by_role("combobox", name="Termin").click()
        try:
            option.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            wait_for_app(page)
    option.click()
    wait_for_app(page)
    start = (LAST - dt.timedelta(20)).isoformat()
    end = (LAST - dt.timedelta(16)).isoformat()
    type_date(page, "Omgång 2, första dag", start.replace("-", ""))
    type_date(page, "Omgång 2, sista dag", end.replace("-", ""))
    page.get_by_role("button", name="Spara dialogdatum").click()
    wait_for_app(page)
    screenshot(page, "arshjul_area_manager_saved")
    # md_text puts an invisible word joiner after ':'; match around it.
    page.get_by_text(re.compile("är sparade:\u2060? 2 omgångar")).wait_for()
    no_exception(page)
    cal = download_ics(page)
    uid = f"round-norr-{NEXT.lower()}-2@arshjul.kompetens"
    second = next(e for e in cal.walk("VEVENT") if str(e["uid"]) == uid)
    assert second.decoded("dtstart").isoformat() == start
