"""The Import page's mapping step in headless Chromium: a Visma-style CSV and a Personec P-style
workbook (tests/exports/) are refused as they are, mapped once (the unrecognised codes chosen by
hand, the rest from the suggestions and the title line), saved as profiles, and imported; the
rows equal the same people imported in contract form."""

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


def pick(page, main, label: str, option: str) -> None:
    box = main.locator('[data-testid="stSelectbox"]').filter(has_text=label)
    box.first.click()
    page.keyboard.type(option.split(" (")[-1].rstrip(")"))
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def staff_rows(db: Path) -> list[tuple]:
    conn = store.connect(db)
    try:
        return store.rows(
            conn,
            "SELECT * FROM current_staff WHERE snapshot_date = '2025-10-31' ORDER BY employee_id",
        )
    finally:
        conn.close()


def contract_rows(db: Path, contract: str, tmp_path: Path) -> list[tuple]:
    """The same people imported in contract form into a copy without the browser's import."""
    copy = tmp_path / "kontrakt.duckdb"
    shutil.copy(db, copy)
    conn = store.connect(copy)
    try:
        conn.execute("DELETE FROM staff WHERE snapshot_date = '2025-10-31'")
        import_file(conn, EXPORTS / contract, user="test")
    finally:
        conn.close()
    return staff_rows(copy)


@pytest.mark.parametrize(
    ("export", "mime", "choices", "contract"),
    [
        (
            "visma_personal.csv",
            "text/csv",
            [("Skoladministratör", "other")],
            "visma_kontrakt.csv",
        ),
        (
            "personec_personal.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            [
                ("Anställningsform: 1 (4 rader)", "permanent"),
                ("Anställningsform: 2 (2 rader)", "fixed_term"),
            ],
            "personec_kontrakt.csv",
        ),
        (
            "heroma_personal.csv",
            "text/csv",
            [
                ("Kolumn 5: Befattningsbenämning", "– ignorera kolumnen –"),
                ("Kolumn 6: AID", "Personalkategori (staff_category)"),
                ("Personalkategori: LÄR-GR (2 rader)", "teacher"),
                ("Personalkategori: FSKL (1 rader)", "preschool_teacher"),
                ("Personalkategori: BSK (1 rader)", "childminder"),
                ("Personalkategori: REKT (1 rader)", "principal"),
                ("Personalkategori: SPEC (1 rader)", "special_educator"),
                ("Anställningsform: TV (4 rader)", "permanent"),
                ("Anställningsform: VIK (1 rader)", "fixed_term"),
            ],
            "heroma_kontrakt.csv",
        ),
    ],
    ids=["visma", "personec", "heroma"],
)
def test_an_hr_export_is_mapped_in_the_browser_saved_as_a_profile_and_imported(
    app_and_db, page, tmp_path, export, mime, choices, contract
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
        files=[{"name": export, "mimeType": mime, "buffer": (EXPORTS / export).read_bytes()}],
    )
    page.wait_for_timeout(500)
    wait_for_app(page)
    no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    text = main.inner_text()
    assert "Kolumnerna följer inte datakontraktet: mappa dem nedan" in text
    assert "Mappa filens kolumner" in text
    assert "810114-7653" not in text and "7653" not in text  # sample values are masked
    screenshot(page, f"import_mapping_step_{export.split('_')[0]}")

    for label, option in choices:
        pick(page, main, label, option)
    name = f"{export.split('_')[0]} i webbläsaren"
    page.get_by_label("Profilens namn").fill(name)
    page.get_by_label("Profilens namn").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Spara profilen och kontrollera filen igen").click()
    wait_for_app(page)
    no_exception(page)
    text = main.inner_text()
    assert f"Mappningsprofilen används: {name}" in text
    assert "fel hittades" not in text
    page.get_by_role("button", name=f"Importera {export}").click()
    wait_for_app(page)
    no_exception(page)
    alerts = "\n".join(page.locator('[data-testid="stAlert"]').all_inner_texts()).replace(
        "\u2060", ""
    )
    assert f"{export} (personal (ögonblicksbilder)): 6 rader importerade" in alerts
    screenshot(page, f"import_mapping_done_{export.split('_')[0]}")

    via_browser = [
        r
        for r in staff_rows(db)
        if r[2] in {row[2] for row in contract_rows(db, contract, tmp_path)}
    ]
    assert len(via_browser) == 6
    assert via_browser == contract_rows(db, contract, tmp_path)


def test_a_partial_import_through_a_saved_profile_offers_the_rejected_rows_as_the_file_has_them(
    app_and_db, page
):
    """Issue 15 point 9: the download gives the file's rows, columns and masked personnummer."""
    from kompetens.ingest import profiles

    url, db = app_and_db
    conn = store.connect(db)
    try:
        profiles.save_profile(conn, profiles.read_profile_file(EXPORTS / "heroma.toml"), "test")
    finally:
        conn.close()
    text = (EXPORTS / "heroma_personal.csv").read_bytes().decode("cp1252")
    text = text.replace("LÄR-GR;80,00;VIK", "LÄR-GR;180,00;VIK")  # line 7: FTE above 100 %
    text = text.replace("19700228-3310;100235;41030", "19700228-3310;100235;49999")  # line 10
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{url}/import")
    wait_for_app(page)
    page.get_by_text("Läs in en fil").wait_for(timeout=30_000)
    page.set_input_files(
        '[data-testid="stFileUploader"] input[type=file]',
        files=[{"name": "heroma_fel.csv", "mimeType": "text/csv", "buffer": text.encode("cp1252")}],
    )
    page.wait_for_timeout(500)
    wait_for_app(page)
    no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    shown = main.inner_text().replace("\u2060", "")
    assert "rad 7, kolumn Syss.grad %: värdet '180,00'" in shown  # the file's spelling
    assert "rad 10, kolumn Org.enhet: värdet '49999'" in shown
    page.get_by_text("Importera giltiga rader och spara de avvisade raderna").click()
    wait_for_app(page)
    page.get_by_role("button", name="Importera giltiga rader").click()
    wait_for_app(page)
    no_exception(page)
    alerts = "\n".join(page.locator('[data-testid="stAlert"]').all_inner_texts()).replace(
        "\u2060", ""
    )
    assert "heroma_fel.csv (personal (ögonblicksbilder)): 4 rader importerade" in alerts
    assert "2 rader avvisade (se heroma_fel.avvisade.csv)" in alerts
    assert "/tmp" not in alerts and "avvisade.csv)" in alerts  # the file's name, no server folder
    caption = main.inner_text().replace("\u2060", "")
    assert "personuppgifter med maskerade personnummer" in caption
    screenshot(page, "import_partial_rejected_rows")
    with page.expect_download() as download:
        page.get_by_role(
            "button", name="Ladda ner avvisade rader (heroma_fel.avvisade.csv)"
        ).click()
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith('Hämtad från sidan Import i Kompetens; filen sparas inte på servern."')
    assert lines[1] == (
        "rad;Personnr;Anst.nr;Org.enhet;Organisationsenhet;Befattningsbenämning;AID;"
        "Syss.grad %;Anst.form;Legitimation (J/N);Kön;fel"
    )
    assert lines[2].startswith(
        "7;19850921-****;100232;41010;Åkerskolan;Lärare åk 4-6;LÄR-GR;180,00;VIK;N;M;"
    )
    assert lines[3].startswith(
        "10;19700228-****;100235;49999;Östra skolan;Rektor;REKT;100,00;TV;N;M;"
    )
    assert len(lines) == 4
    whole = "\n".join(lines)
    assert "19850921-4568" not in whole and "198509214568" not in whole and "p_" not in whole
