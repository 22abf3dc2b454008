"""A downloaded file is not a lasting link: it leaves its ``/media/…`` address within its lifetime.

HR (demo mode starts as HR) downloads the table of all units on Behörighet in
headless Chromium. Streamlit serves the file at ``/media/<hash>.csv`` with no
check of who asks; what Kompetens controls is how long it is there
(``KOMPETENS_DOWNLOAD_LIFETIME_SECONDS``, set to a few seconds here). The
residual risk this pins is in docs/sign-in.md (*Downloads*): within the
lifetime, anyone who has the address gets the file.
"""

from __future__ import annotations

import re
import shutil
import time
import urllib.error
import urllib.request

import pytest

from kompetens.ui.frame import DOWNLOAD_LIFETIME_ENV
from tests.browser.harness import open_page, running_app, wait_for_app

pytestmark = pytest.mark.browser

LIFETIME = 4.0  # seconds; a file is gone between LIFETIME / 2 and LIFETIME after it is made
MEDIA_URL = re.compile(r"/media/[0-9a-f]{32,}\.csv$")


@pytest.fixture(scope="module")
def short_lived(small_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("downloads") / "downloads.duckdb"
    shutil.copy(small_db, db)
    with running_app(db, extra_env={DOWNLOAD_LIFETIME_ENV: str(LIFETIME)}) as url:
        yield url


def status_without_cookies(url: str) -> int:
    """What a client that never opened the app (no cookies, no session) gets for ``url``."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def download_unit_table(page, base: str):
    open_page(page, f"{base}/behorighet?ar=2024", "Behörighet")
    with page.expect_download() as info:
        page.get_by_role("button", name="Ladda ner CSV").first.click()
    download = info.value
    text = download.path().read_text(encoding="utf-8-sig")
    # HR's table holds every unit: the two schools of the fixture.
    assert "Ekskolan" in text and "Söderskolan" in text
    return download.url


def test_a_downloaded_table_leaves_its_address_within_its_lifetime_while_the_page_stays_open(
    short_lived, browser
):
    hr = browser.new_context(locale="sv-SE")
    hr.set_default_timeout(90_000)
    page = hr.new_page()
    url = download_unit_table(page, short_lived)
    assert MEDIA_URL.search(url), url
    # A second download right away works too: a click costs no rerun that would renew the ids.
    with page.expect_download() as workbook:
        page.get_by_role("button", name="Ladda ner Excel").first.click()
    assert workbook.value.suggested_filename.endswith(".xlsx")
    # The documented residual risk: right after the click the address answers anyone.
    assert status_without_cookies(url) == 200
    time.sleep(LIFETIME + 1)
    # HR's page still shows the button; the file is gone all the same, for everyone.
    assert status_without_cookies(url) == 404
    other = browser.new_context()  # another browser, e.g. someone the link was forwarded to
    assert other.request.get(url).status == 404
    other.close()
    # HR can still download: a click makes the file again.
    wait_for_app(page)
    with page.expect_download() as again:
        page.get_by_role("button", name="Ladda ner CSV").first.click()
    assert "Ekskolan" in again.value.path().read_text(encoding="utf-8-sig")
    hr.close()


def test_a_downloaded_table_is_gone_after_the_session_that_made_it_closed(short_lived, browser):
    hr = browser.new_context(locale="sv-SE")
    hr.set_default_timeout(90_000)
    url = download_unit_table(hr.new_page(), short_lived)
    hr.close()  # the session ends with the tab
    time.sleep(LIFETIME + 1)
    assert status_without_cookies(url) == 404
    # A later session in another browser, with the app open, gets nothing either.
    principal = browser.new_context()
    page = principal.new_page()
    page.goto(short_lived)
    wait_for_app(page, timeout=180_000)
    assert principal.request.get(url).status == 404
    principal.close()
