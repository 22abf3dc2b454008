"""Import page (AppTest). Uploading through st.file_uploader is driven in the browser test
(tests/browser/test_dialog_quality_import_in_chromium.py); here: the page, its templates and the
history with undo, on a writable copy of the small fixture (nine files loaded in batches 1-9,
units first)."""

from __future__ import annotations

import shutil

import pytest

from kompetens import query
from kompetens.core import store
from kompetens.core.contract import KINDS
from kompetens.ingest import template_headers
from tests.app_support import plain, run_page, texts

PAGE = "views/importera.py"


@pytest.fixture
def writable_db(small_db, tmp_path):
    target = tmp_path / "import.duckdb"
    shutil.copy(small_db, target)
    query.clear_cache()
    return target


def history(at):
    return next(t.value for t in at.dataframe if "Batch" in t.value.columns)


def test_the_page_offers_an_uploader_and_lists_the_nine_imports_of_the_fixture(writable_db):
    at = run_page(writable_db, PAGE)
    assert not at.exception
    shown = texts(at)
    assert "Ladda upp en fil för att se vilken filtyp den är" in shown
    log = history(at)
    assert log["Batch"].tolist() == [9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert log["Fil"].iloc[-1] == "units.csv" and log["Datatyp"].iloc[-1] == "Enheter"
    assert set(log["Status"]) == {"Aktiv"}
    # the counts are Swedish text on screen (a thousands separator once past 999): units.csv
    # has a header and 3 units -> "3", padded with figure spaces so the column lines up right
    assert log["Rader importerade"].iloc[-1].lstrip("\u2007") == "3"


def test_every_kind_has_swedish_csv_and_excel_and_english_csv_templates(writable_db):
    at = run_page(writable_db, PAGE)
    keys = {b.key for b in at.get("download_button")}
    for kind in KINDS:
        assert {
            f"template_{kind}_sv_csv",
            f"template_{kind}_sv_xlsx",
            f"template_{kind}_en_csv",
        } <= keys


def test_undo_asks_for_confirmation_then_removes_the_batch(writable_db):
    at = run_page(writable_db, PAGE)
    undo = next(s for s in at.selectbox if s.label == "Ångra en import")
    undo.set_value(9).run()  # targets.csv: nothing depends on it
    next(b for b in at.button if b.label == "Ångra …").click().run()
    # the batch's name (a file name: data) is escaped for markdown; read as the reader sees it
    assert "Vill du ångra **Batch 9 · targets.csv (Målvärden)" in plain(texts(at))
    next(b for b in at.button if b.label == "Ja, ångra").click().run()
    assert not at.exception
    assert (
        "Batch 9 (targets.csv) är ångrad: 6 rader togs bort och 0 tidigare rader återställdes."
        in plain(texts(at))
    )
    assert history(at)["Status"].iloc[0].startswith("Ångrad ")
    conn = store.connect(writable_db)
    try:
        assert store.table_counts(conn)["targets"] == 0
    finally:
        conn.close()


def test_an_undo_that_would_orphan_data_is_refused_with_the_reason(writable_db):
    at = run_page(writable_db, PAGE)
    next(s for s in at.selectbox if s.label == "Ångra en import").set_value(1).run()
    next(b for b in at.button if b.label == "Ångra …").click().run()
    next(b for b in at.button if b.label == "Ja, ångra").click().run()
    assert not at.exception
    shown = plain(texts(at))
    assert (
        "Batch 1 (units.csv) kan inte ångras: då skulle data peka på enheter som inte längre finns"
        in shown
    )
    assert set(history(at)["Status"]) == {"Aktiv"}


def test_cancelling_an_undo_changes_nothing(writable_db):
    at = run_page(writable_db, PAGE)
    next(b for b in at.button if b.label == "Ångra …").click().run()
    next(b for b in at.button if b.label == "Avbryt").click().run()
    assert "Vill du ångra" not in texts(at)
    assert set(history(at)["Status"]) == {"Aktiv"}


def test_template_headers_are_the_contract_labels():
    # what the Swedish template download carries (written by importer.write_template)
    assert template_headers("sick_leave", "sv") == [
        "Enhets-id",
        "Månad",
        "Schemalagd tid (h)",
        "Sjukfrånvaro (h)",
        "Långtidssjukfrånvaro (h)",
    ]


def test_a_file_name_in_the_import_message_is_shown_as_typed_not_as_markdown(
    writable_db, monkeypatch
):
    from streamlit.testing.v1 import AppTest

    from tests.app_support import APP

    monkeypatch.setenv("KOMPETENS_DB", str(writable_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    # what the page stores after an import, for the run that follows it
    at.session_state["_import_flash"] = (
        "success",
        "**fet**[länk](http://x.se).csv: 1 rad importerad",
    )
    at.run()
    shown = [s.value for s in at.success]
    # every markdown character escaped, so the reader sees the name exactly as the file has it
    assert any(r"\*\*fet\*\*\[länk\]\(http" in s for s in shown), shown
    assert plain(next(s for s in shown if "fet" in s)).startswith("**fet**[länk](http")
