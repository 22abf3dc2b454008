"""The Import page's mapping step in headless Chromium: a Visma-style export (tests/exports/)
is refused as it is, mapped once (one unrecognised job title chosen by hand, the rest from the
suggestions and the title line), saved as a profile, and imported; the rows equal the same
people imported in contract form."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kompetens.core import store
from kompetens.ingest import import_file
from tests.browser.harness import no_exception, running_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser

EXPORTS = Path(__file__).parent.parent / "exports"


@pytest.fixture(scope="module")
def app_and_db(small_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("import_mapping") / "small_rw.duckdb"
    shutil.copy(small_db, db)
    conn = store.connect(db)
    try:
        import_file(conn, EXPORTS / "enheter.csv", user="test")
    finally:
        conn.close()
    with running_app(db) as url:
        yield url, db


def test_an_hr_export_is_mapped_in_the_browser_saved_as_a_profile_and_imported(
    app_and_db, page, tmp_path
):
    url, db = app_and_db
    page.set_viewport_size({"width": 1400, "height": 4000})
    page.goto(f"{url}/import")
    wait_for_app(page)
    notice = page.get_by_role("dialog").filter(has_text="Page not found")
    if notice.count():
        page.keyboard.press("Escape")
    page.get_by_text("Läs in en fil").wait_for(timeout=30_000)
    page.set_input_files(
        '[data-testid="stFileUploader"] input[type=file]',
        files=[
            {
                "name": "visma_personal.csv",
                "mimeType": "text/csv",
                "buffer": (EXPORTS / "visma_personal.csv").read_bytes(),
            }
        ],
    )
    page.wait_for_timeout(500)
    wait_for_app(page)
    no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    text = main.inner_text()
    assert "Kolumnerna följer inte datakontraktet: mappa dem nedan" in text
    assert "Mappa filens kolumner" in text
    assert "810114-7653" not in text  # sample values are masked
    screenshot(page, "import_mapping_step")

    box = main.locator('[data-testid="stSelectbox"]').filter(has_text="Skoladministratör")
    box.first.click()
    page.keyboard.type("other")
    page.get_by_role("option", name="other", exact=True).click()
    wait_for_app(page)
    page.get_by_label("Profilens namn").fill("Visma i webbläsaren")
    page.get_by_label("Profilens namn").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Spara profilen och kontrollera filen igen").click()
    wait_for_app(page)
    no_exception(page)
    text = main.inner_text()
    assert "Mappningsprofilen används: Visma i webbläsaren" in text
    assert "fel hittades" not in text
    page.get_by_role("button", name="Importera visma_personal.csv").click()
    wait_for_app(page)
    no_exception(page)
    alerts = "\n".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
    assert "visma_personal.csv (personal (ögonblicksbilder)): 6 rader importerade" in alerts
    screenshot(page, "import_mapping_done")

    contract = tmp_path / "kontrakt.duckdb"
    shutil.copy(db, contract)  # already holds the browser's import: compare against a clean copy
    conn = store.connect(db)
    try:
        via_browser = store.rows(
            conn,
            "SELECT * FROM current_staff WHERE snapshot_date = '2025-10-31' ORDER BY employee_id",
        )
    finally:
        conn.close()
    conn = store.connect(contract)
    try:
        conn.execute("DELETE FROM staff WHERE snapshot_date = '2025-10-31'")
        import_file(conn, EXPORTS / "visma_kontrakt.csv", user="test")
        via_contract = store.rows(
            conn,
            "SELECT * FROM current_staff WHERE snapshot_date = '2025-10-31' ORDER BY employee_id",
        )
    finally:
        conn.close()
    assert len(via_browser) == 6
    assert via_browser == via_contract
