"""Deep links on a freshly started server open their page, never Streamlit's "Page not found".

Each test starts its own server (``running_app``), so the link is the very first
request the process answers: the case where Streamlit decides how the app's
pages are found before ``app.py`` has run.
"""

from __future__ import annotations

import shutil

import pytest

from tests.browser.harness import main_text, no_exception, running_app, screenshot, wait_for_app

#: The text of Streamlit's own dialog for an address no page answers.
PAGE_NOT_FOUND = "Page not found"


def _watch_for_page_not_found(page) -> list[str]:
    """Collect every "Page not found" dialog the page shows, even one that closes again."""
    seen: list[str] = []
    page.expose_function("kompetensSawDialog", lambda text: seen.append(text))
    page.add_init_script(
        """
        new MutationObserver(() => {
          const dialog = document.querySelector('[role="dialog"]');
          if (dialog && dialog.innerText.includes("Page not found")) {
            window.kompetensSawDialog(dialog.innerText);
          }
        }).observe(document, {childList: true, subtree: true});
        """
    )
    return seen


@pytest.mark.browser
@pytest.mark.parametrize(
    ("path", "heading"),
    [("import", "Import"), ("behorighet", "Behörighet"), ("dialog?enhet=E1", "Verksamhetsdialog")],
)
def test_the_first_deep_link_on_a_fresh_server_opens_the_page_without_a_not_found_dialog(
    small_db, tmp_path, page, path, heading
):
    db = tmp_path / "fresh.duckdb"
    shutil.copy(small_db, db)
    seen = _watch_for_page_not_found(page)
    with running_app(db) as url:
        page.goto(f"{url}/{path}")
        wait_for_app(page, timeout=180_000)
        page.get_by_role("heading", name=heading, exact=True).first.wait_for(state="visible")
        wait_for_app(page)
        screenshot(page, f"fresh_server_{path.split('?')[0]}")
        no_exception(page)
        assert PAGE_NOT_FOUND not in page.inner_text("body")
        assert seen == []
        assert page.url.startswith(f"{url}/{path.split('?')[0]}")
        assert "Du har inte behörighet" not in main_text(page)
