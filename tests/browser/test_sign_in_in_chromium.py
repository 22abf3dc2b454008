"""The real sign-in flow in headless Chromium against a local OpenID Connect provider.

``oidc-provider-mock`` runs on a free loopback port in this process; the app
(``streamlit run app.py``) gets an ``[auth]`` section from a temporary secrets
file through ``STREAMLIT_SECRETS_FILES`` (nothing is written to the repository).
The provider's login form takes any subject; its e-mail claim is the subject.
"""

from __future__ import annotations

import re
import shutil
import textwrap

import pytest

from kompetens.access import audit, auth
from kompetens.core import store
from tests.browser.harness import free_port, running_app, screenshot, wait_for_app

PRINCIPAL = "rektor.e1@kommun.se"
ADMIN = "admin@kommun.se"


@pytest.fixture(scope="module")
def provider(monkeypatch_module):
    from oidc_provider_mock import run_server_in_thread

    # The provider refuses plain http unless told this is a test.
    monkeypatch_module.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with run_server_in_thread(port=free_port()) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def signed_in_app(provider, small_db, tmp_path_factory):
    """The app in sign-in mode with a principal of E1 and an admin in the users table."""
    folder = tmp_path_factory.mktemp("signin")
    db = folder / "signin.duckdb"
    shutil.copy(small_db, db)
    conn = store.connect(db)
    try:
        auth.add_user(conn, PRINCIPAL, auth.PRINCIPAL, units=["E1"], added_by="test")
        auth.add_user(conn, ADMIN, auth.ADMIN, added_by="test")
    finally:
        conn.close()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        textwrap.dedent(
            f"""\
            [auth]
            redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
            cookie_secret = "only-for-this-test-0123456789abcdef"
            client_id = "kompetens-test"
            client_secret = "not-a-secret"
            server_metadata_url = "{provider}/.well-known/openid-configuration"
            """
        ),
        encoding="utf-8",
    )
    with running_app(db, extra_env={"STREAMLIT_SECRETS_FILES": str(secrets)}) as url:
        yield url, db


def sign_in(page, url: str, email: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_selector('input[name="sub"]', timeout=30_000)  # the provider's form
    page.fill('input[name="sub"]', email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=30_000)
    wait_for_app(page)


def menu_titles(page) -> list[str]:
    """The visible menu entries (each link's text is its icon name, then its title)."""
    return [
        text.strip().splitlines()[-1].strip()
        for text in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        if text.strip()
    ]


@pytest.mark.browser
def test_a_principal_signs_in_sees_their_pages_and_signs_out(signed_in_app, page):
    url, _ = signed_in_app
    sign_in(page, url, PRINCIPAL)
    assert page.locator('[data-testid="stException"]').count() == 0
    # The principal's home is the own unit's dialogue (ui.homes.start_page).
    page.get_by_role("heading", name="Verksamhetsdialog").wait_for(timeout=90_000)
    # md_text puts an invisible word joiner after '@' (no live mail link); match around it.
    page.get_by_text(re.compile(r"Inloggad som rektor\.e1@\u2060?kommun\.se")).wait_for(
        timeout=30_000
    )
    titles = menu_titles(page)
    assert titles == [
        "Översikt",
        "Behörighet",
        "ARUBA",
        "Stödbehov",
        "Resursfördelning",
        "Verksamhetsdialog",
        "Stödregister",
        "Årshjul",
        "Indikatorer",
    ], titles
    assert "Demoläge" not in page.inner_text("body")
    screenshot(page, "signin_principal_dialog")

    # A link to another school's dialogue is refused, not shown.
    page.goto(f"{url}/dialog?enhet=S1")
    wait_for_app(page)
    page.get_by_text("Du har inte behörighet att se det här").wait_for(timeout=30_000)
    screenshot(page, "signin_principal_denied")

    page.goto(url)
    wait_for_app(page)
    page.get_by_role("button", name="Logga ut").click()
    # The provider asks to confirm the end of the session, then sends us back to the app.
    page.get_by_role("button", name="End session").click(timeout=30_000)
    page.wait_for_url(f"{url}/**", timeout=30_000)
    wait_for_app(page)
    page.get_by_role("button", name="Logga in").wait_for(timeout=30_000)
    screenshot(page, "signin_signed_out")

    # The admin's log shows the principal's sign-in, the refused link and the sign-out.
    sign_in(page, url, ADMIN)
    page.get_by_role("tab", name="Granskningslogg").click()
    page.get_by_label("Användare (e-post)").fill(PRINCIPAL)
    page.get_by_label("Användare (e-post)").press("Enter")
    wait_for_app(page)
    # The principal's home (the dialogue) may log its own events too; each of the three below
    # must be there exactly once.
    # The caption starts with the count ("7 händelser. Händelser äldre än …").
    page.get_by_text(re.compile(r"^\d+ händelser\. ")).wait_for(timeout=30_000)
    for action in (audit.SIGN_IN, audit.ACCESS_DENIED, audit.SIGN_OUT):
        page.get_by_label("Händelse").click()
        page.get_by_role("option", name=audit.ACTION_LABELS[action]).click()
        wait_for_app(page)
        page.get_by_text(re.compile(r"^1 händelse\. ")).wait_for(timeout=30_000)
    screenshot(page, "signin_admin_log")


@pytest.mark.browser
def test_the_admin_signs_in_to_users_and_log_only(signed_in_app, page):
    url, _ = signed_in_app
    sign_in(page, url, ADMIN)
    page.get_by_role("heading", name="Användare och logg").wait_for(timeout=30_000)
    assert menu_titles(page) == []  # one page needs no menu: none of the data pages is offered
    assert "Översikt" not in page.inner_text('[data-testid="stSidebar"]')
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "signin_admin")


@pytest.mark.browser
def test_an_unknown_account_gets_the_no_access_page(signed_in_app, page):
    url, _ = signed_in_app
    sign_in(page, url, "okand@kommun.se")
    page.get_by_role("heading", name="Ingen åtkomst").wait_for(timeout=30_000)
    assert "ingen behörighet i Kompetens" in page.inner_text("body")
    assert menu_titles(page) == []
    screenshot(page, "signin_unknown")


@pytest.mark.browser
def test_ambiguous_unit_links_show_no_access_to_a_signed_in_principal(signed_in_app, page):
    url, _ = signed_in_app
    sign_in(page, url, PRINCIPAL)
    page.get_by_role("heading", name="Verksamhetsdialog").wait_for(timeout=90_000)
    # The last value is the principal's own unit; the first is another school's.
    for link in ("dialog?enhet=S1&enhet=E1", "dialog?enhet=Ekskolan%20(S1)"):
        page.goto(f"{url}/{link}")
        wait_for_app(page)
        page.get_by_role("heading", name="Ingen åtkomst").wait_for(timeout=30_000)
        assert "Verksamhetsdialog" not in [
            h.strip() for h in page.get_by_role("heading").all_inner_texts()
        ]
        assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "signin_principal_ambiguous_link")
    # The denials and their reasons in the audit log: tests/test_access_app.py (AppTest).
