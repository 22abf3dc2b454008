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


@pytest.mark.browser
def test_a_deep_link_to_a_fresh_server_in_sign_in_mode_shows_the_sign_in_page_without_a_dialog(
    small_db, tmp_path, page
):
    db = tmp_path / "fresh.duckdb"
    shutil.copy(small_db, db)
    secrets = tmp_path / "secrets.toml"
    # Sign-in mode needs only the [auth] section; nobody signs in, so no provider has to answer.
    secrets.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:9/oauth2callback"\n'
        'cookie_secret = "only-for-this-test-0123456789abcdef"\n'
        'client_id = "kompetens-test"\n'
        'client_secret = "not-a-secret"\n'
        'server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    seen = _watch_for_page_not_found(page)
    with running_app(db, extra_env={"STREAMLIT_SECRETS_FILES": str(secrets)}) as url:
        page.goto(f"{url}/import")
        wait_for_app(page, timeout=180_000)
        page.get_by_role("button", name="Logga in").wait_for(state="visible")
        wait_for_app(page)
        no_exception(page)
        assert PAGE_NOT_FOUND not in page.inner_text("body")
        assert seen == []


@pytest.mark.browser
def test_the_start_address_with_a_year_forwards_to_the_home_page_without_an_error(
    small_db, tmp_path, page
):
    # "/?ar=2024": ?ar= is bound to the sidebar's year; forwarding it with the page switch raised
    # "Cannot directly set query parameter 'ar'" before the home page showed.
    db = tmp_path / "year.duckdb"
    shutil.copy(small_db, db)
    with running_app(db) as url:
        page.goto(f"{url}/?ar=2024")  # not the newest year: the bound widget changes
        wait_for_app(page, timeout=180_000)
        page.get_by_role("heading", name="Översikt", exact=True).first.wait_for(state="visible")
        wait_for_app(page)
        screenshot(page, "start_with_year")
        no_exception(page)
        assert "Cannot directly set" not in page.inner_text("body")
