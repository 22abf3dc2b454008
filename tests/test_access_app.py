"""The frame's gate in AppTest: sign-in, role pages, tampering, demo mode and the audit of it all.

Signed-in runs set ``at.secrets["auth"]`` (sign-in mode) and ``at.user`` (what
Streamlit's OIDC would put in ``st.user``); the users table holds the principal
of E1 (Norr), the area manager of Norr, an HR user and an admin.
"""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from kompetens.access import audit, auth
from kompetens.core import store
from kompetens.present.formatting import md_text
from kompetens.query import Scope
from kompetens.ui.context import CONTEXT_KEY, NO_ACCESS_MESSAGE
from tests.app_support import APP, texts

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-secret-only-for-tests-0123456789",
    "client_id": "kompetens",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
PRINCIPAL = "rektor.e1@kommun.se"
MANAGER = "vc.norr@kommun.se"
HR = "hr@kommun.se"
ADMIN = "admin@kommun.se"


@pytest.fixture
def db(small_db, tmp_path, monkeypatch):
    target = tmp_path / "access_app.duckdb"
    shutil.copy(small_db, target)
    conn = store.connect(target)
    try:
        auth.add_user(conn, PRINCIPAL, auth.PRINCIPAL, units=["E1"], added_by="test")
        auth.add_user(conn, MANAGER, auth.AREA_MANAGER, areas=["Norr"], added_by="test")
        auth.add_user(conn, HR, auth.HR, added_by="test")
        auth.add_user(conn, ADMIN, auth.ADMIN, added_by="test")
    finally:
        conn.close()
    monkeypatch.setenv("KOMPETENS_DB", str(target))
    return target


def signed_in(email: str | None, *, query_params=None, page: str | None = None) -> AppTest:
    """A run in sign-in mode as ``email`` (None: nobody signed in yet)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False} if email is None else {"is_logged_in": True, "email": email}
    for key, value in (query_params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def events(db, action: str) -> list[tuple]:
    conn = store.connect(db)
    try:
        frame = audit.list_events(conn, action=action, include_imports=False)
    finally:
        conn.close()
    return frame.select("user_email", "target", "details").rows()


def no_access_shown(at: AppTest) -> bool:
    return any(NO_ACCESS_MESSAGE in e.value for e in at.error)


# --- sign-in ----------------------------------------------------------------------------------


def test_without_a_signed_in_user_only_the_sign_in_button_is_shown(db):
    at = signed_in(None)
    assert not at.exception
    assert [b.label for b in at.button] == ["Logga in"]
    assert [t.value for t in at.title] == ["Kompetens"]
    assert "Andel behöriga lärare" not in texts(at)


def test_an_unknown_signed_in_user_sees_only_a_polite_no_access_page_and_is_logged(db):
    at = signed_in("okand@kommun.se", query_params={"ar": "2025"})
    assert not at.exception
    assert [t.value for t in at.title] == ["Ingen åtkomst"]
    assert "okand@kommun.se" in at.info[0].value and "ingen behörighet" in at.info[0].value
    assert [b.label for b in at.button] == ["Logga ut"]
    assert not at.metric and not at.dataframe
    assert events(db, audit.ACCESS_DENIED) == [("okand@kommun.se", None, "okänd användare")]


def test_a_principal_lands_on_the_dialogue_of_their_own_unit_and_the_sign_in_is_logged(db):
    at = signed_in(PRINCIPAL, query_params={"ar": "2025"})
    assert not at.exception
    # The principal's home is the own unit's dialogue (ui.homes.start_page), not the overview.
    assert [t.value for t in at.title] == ["Verksamhetsdialog"]
    # The e-mail is data: escaped for markdown (present.formatting.md_text), shown as typed.
    assert f"Inloggad som **{md_text(PRINCIPAL)}** · Rektor (enhet)" in texts(at)
    assert at.session_state[CONTEXT_KEY].scope == Scope.for_units(["E1"], areas=["Norr"])
    # The sidebar's area filter offers the principal's own area only.
    # one area in scope: the filter offers that area only and starts on it, so trends and
    # captions speak of Norr (not of "Alla områden" while showing the organisation's trend)
    assert at.selectbox(key="omrade").options == ["Norr"]
    assert at.selectbox(key="omrade").value == "Norr"
    assert "Demoläge" not in texts(at)
    assert events(db, audit.SIGN_IN) == [(PRINCIPAL, None, None)]


def test_new_sessions_with_the_same_identity_token_count_as_one_sign_in(db):
    for _ in range(2):  # e.g. a second tab: Streamlit reuses the identity cookie
        at = AppTest.from_file(APP, default_timeout=60)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, "email": HR, "auth_time": 1795379503}
        at.run()
        assert [t.value for t in at.title] == ["Översikt"]
    assert events(db, audit.SIGN_IN) == [(HR, None, '{"auth_time": 1795379503}')]


def test_an_entra_account_without_an_email_claim_is_found_by_its_preferred_username(db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "preferred_username": "HR@kommun.se"}
    at.run()
    assert [t.value for t in at.title] == ["Översikt"]


def test_a_page_outside_the_role_is_refused_even_when_opened_directly(db):
    at = signed_in(PRINCIPAL, page="views/importera.py")
    assert no_access_shown(at)
    assert "importera" not in [t.value for t in at.title]
    assert events(db, audit.ACCESS_DENIED) == [(PRINCIPAL, "import", "sidan ingår inte i rollen")]


def test_the_admin_lands_on_users_and_log_and_can_grant_access(db):
    at = signed_in(ADMIN)
    assert not at.exception
    assert [t.value for t in at.title] == ["Användare och logg"]
    at.selectbox(key="admin_roll").set_value("area_manager").run()
    at.text_input[0].set_value("Ny.Chef@kommun.se")
    at.multiselect[0].set_value(["Söder"])
    next(b for b in at.button if b.label == "Spara").click().run()
    assert not at.exception
    assert md_text("ny.chef@kommun.se har nu rollen Verksamhetschef (område).") in texts(at)
    conn = store.connect(db)
    try:
        assert auth.user_scope(conn, "ny.chef@kommun.se") == (
            "area_manager",
            Scope.for_areas("Söder"),
        )
    finally:
        conn.close()
    assert (ADMIN, "ny.chef@kommun.se") in [(u, t) for u, t, _ in events(db, audit.USER_ADDED)]


# --- tampering --------------------------------------------------------------------------------


def test_an_area_parameter_outside_the_scope_shows_no_access_and_is_logged(db):
    at = signed_in(MANAGER, query_params={"ar": "2025", "omrade": "Söder"})
    assert not at.exception
    assert no_access_shown(at)
    assert not at.metric  # no page ran
    assert events(db, audit.ACCESS_DENIED) == [(MANAGER, "Söder", "?omrade= utanför behörigheten")]


def test_a_unit_parameter_outside_the_scope_shows_no_access_and_is_logged(db):
    at = signed_in(PRINCIPAL, query_params={"enhet": "S1"})
    assert not at.exception
    assert no_access_shown(at)
    assert "Verksamhetsdialog" not in [t.value for t in at.title]
    labelled = signed_in(PRINCIPAL, query_params={"enhet": "Söderskolan (Söder)"})
    assert no_access_shown(labelled)
    assert events(db, audit.ACCESS_DENIED) == [
        (PRINCIPAL, "Söderskolan (Söder)", "?enhet= utanför behörigheten"),
        (PRINCIPAL, "S1", "?enhet= utanför behörigheten"),
    ]


def test_a_repeated_unit_parameter_is_refused_even_when_the_last_value_is_in_scope(db):
    # ?enhet=S1&enhet=E1: Streamlit reads the last value (E1, the principal's own unit).
    at = signed_in(PRINCIPAL, query_params={"enhet": ["S1", "E1"]})
    assert not at.exception
    assert [t.value for t in at.title] == ["Ingen åtkomst"]
    assert no_access_shown(at)
    assert not at.metric  # no page ran
    assert events(db, audit.ACCESS_DENIED) == [
        (PRINCIPAL, "S1 & E1", "?enhet= flera gånger i länken")
    ]
    assert events(db, audit.DIALOGUE_OPENED) == []


def test_a_repeated_area_parameter_is_refused_and_logged(db):
    at = signed_in(MANAGER, query_params={"ar": "2025", "omrade": ["Söder", "Norr"]})
    assert not at.exception
    assert no_access_shown(at)
    assert not at.metric
    assert events(db, audit.ACCESS_DENIED) == [
        (MANAGER, "Söder & Norr", "?omrade= flera gånger i länken")
    ]


def test_the_own_units_name_with_another_units_id_is_refused_and_logged(db):
    # "Ekskolan" is E1's name, S1 another unit's id: the link names no unit exactly.
    at = signed_in(PRINCIPAL, query_params={"enhet": "Ekskolan (S1)"})
    assert not at.exception
    assert no_access_shown(at)
    assert "Verksamhetsdialog" not in [t.value for t in at.title]
    assert events(db, audit.ACCESS_DENIED) == [
        (PRINCIPAL, "Ekskolan (S1)", "?enhet= utanför behörigheten")
    ]
    assert events(db, audit.DIALOGUE_OPENED) == []


def test_the_principal_own_unit_parameter_opens_the_dialogue_and_logs_which_unit(db):
    at = signed_in(PRINCIPAL, query_params={"ar": "2025", "enhet": "E1"}, page="views/dialog.py")
    assert not at.exception
    assert not no_access_shown(at)
    assert [t.value for t in at.title] == ["Verksamhetsdialog"]
    assert events(db, audit.DIALOGUE_OPENED) == [(PRINCIPAL, "E1", None)]


def test_a_forged_wider_scope_in_session_state_is_refused_logged_and_never_used(db):
    at = signed_in(PRINCIPAL, query_params={"ar": "2025"})
    honest = at.session_state[CONTEXT_KEY]
    at.session_state[CONTEXT_KEY] = type(honest)(
        db_path=honest.db_path,
        filters=honest.filters,
        scope=Scope.everything(),
        viewer=honest.viewer,
    )
    at.run()
    assert no_access_shown(at)
    assert events(db, audit.ACCESS_DENIED) == [(PRINCIPAL, None, "förfalskat sessionstillstånd")]
    # The next run rebuilds the scope from the users table: the principal's own unit again.
    at.run()
    assert not no_access_shown(at)
    assert at.session_state[CONTEXT_KEY].scope == Scope.for_units(["E1"], areas=["Norr"])


# --- exports ----------------------------------------------------------------------------------


@pytest.fixture
def clicks(monkeypatch) -> dict[str, object]:
    """What a click on each download button runs on the server, by file name.

    A download's file is made on the click (a deferred download) by Streamlit's
    server, which AppTest has not: the test calls the recorded callable instead.
    """
    from streamlit.runtime.media_file_manager import MediaFileManager

    made: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return made


def test_a_download_is_written_to_the_audit_log_with_table_and_format_when_its_file_is_made(
    db, clicks
):
    at = signed_in(HR, page="views/indikatorer.py")
    assert not at.exception
    button = at.get("download_button")[0]
    assert button.proto.deferred_file_id  # nothing made before the click
    assert events(db, audit.EXPORT) == []  # drawing the buttons logs nothing
    csv = next(name for name in clicks if name.endswith(".csv"))
    assert clicks[csv]().startswith(b"\xef\xbb\xbf")  # the file (UTF-8 with BOM, for Excel)
    logged = events(db, audit.EXPORT)
    assert len(logged) == 1
    user, target, details = logged[0]
    assert (user, details) == (HR, '{"format": "csv"}')
    assert target  # the table's name, as in the file name


def test_a_download_click_costs_no_rerun_so_the_other_buttons_keep_their_files(db):
    at = signed_in(HR, page="views/indikatorer.py")
    assert all(b.proto.deferred_file_id for b in at.get("download_button"))
    # on_click="ignore": a click is no widget event, so no script run gives the buttons new ids.
    assert all(b.proto.ignore_rerun for b in at.get("download_button"))


# --- demo mode --------------------------------------------------------------------------------


def test_demo_mode_shows_a_banner_and_a_role_picker_and_starts_as_hr(db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("**Demoläge**" in w.value for w in at.warning)
    assert at.selectbox(key="demo_roll").value == "hr"
    assert at.session_state[CONTEXT_KEY].scope == Scope.everything()


def test_a_demo_principal_gets_the_chosen_units_scope(db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_roll"] = "principal"
    at.session_state["demo_enhet"] = "S1"
    at.run()
    assert not at.exception
    assert at.session_state[CONTEXT_KEY].scope == Scope.for_units(["S1"], areas=["Söder"])


def test_demo_mode_refuses_to_start_in_production(db, monkeypatch):
    monkeypatch.setenv("KOMPETENS_ENV", "production")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "Kompetens startar inte i demoläge i produktion" in at.error[0].value
    assert not at.title and not at.metric and not at.selectbox


def test_sign_in_mode_still_starts_in_production(db, monkeypatch):
    monkeypatch.setenv("KOMPETENS_ENV", "production")
    at = signed_in(HR, query_params={"ar": "2025"})
    assert not at.exception
    assert [t.value for t in at.title] == ["Översikt"]


# --- the navigation wrapper ---------------------------------------------------------------------

SCOPE_ERROR_APP = """
import streamlit as st
from kompetens.access import auth
from kompetens import query
from kompetens.ui import signin

def refused():
    st.title("Enhetssida")
    raise query.ScopeError("enheten 'S1' ligger utanför din behörighet")

viewer = auth.Viewer("rektor@kommun.se", "principal", query.Scope.for_units(["E1"], ["Norr"]))
pages = {"Ledning": [st.Page(refused, title="Översikt", url_path="oversikt")]}
signin.run_navigation(DB_PATH, viewer, pages)
"""


def test_a_scope_error_raised_by_a_page_becomes_the_no_access_message_and_is_logged(db):
    at = AppTest.from_string(SCOPE_ERROR_APP.replace("DB_PATH", repr(str(db))), default_timeout=60)
    at.run()
    assert not at.exception
    assert no_access_shown(at)
    assert events(db, audit.ACCESS_DENIED) == [
        ("rektor@kommun.se", "oversikt", "enheten 'S1' ligger utanför din behörighet")
    ]


# --- retention ----------------------------------------------------------------------------------


def test_the_app_start_purges_audit_events_older_than_the_retention(db, monkeypatch):
    import datetime as dt

    monkeypatch.setenv("KOMPETENS_AUDIT_RETENTION_DAYS", "30")
    conn = store.connect(db)
    try:
        now = dt.datetime.now(dt.UTC)
        audit.log_event(conn, "gammal@kommun.se", audit.EXPORT, "x", at=now - dt.timedelta(days=31))
        audit.log_event(conn, "ny@kommun.se", audit.EXPORT, "y", at=now - dt.timedelta(days=29))
    finally:
        conn.close()
    signed_in(HR)
    assert events(db, audit.EXPORT) == [("ny@kommun.se", "y", None)]


def test_a_malformed_retention_stops_the_app_with_a_swedish_message(db, monkeypatch):
    monkeypatch.setenv("KOMPETENS_AUDIT_RETENTION_DAYS", "två år")
    at = signed_in(HR)
    assert not at.exception
    assert "Granskningsloggens lagringstid är fel inställd" in at.error[0].value
    assert not at.title


def test_a_brief_download_is_written_to_the_audit_log_with_unit_and_format(db, clicks):
    at = signed_in(HR, page="views/dialog.py", query_params={"omrade": "Norr", "enhet": "E1"})
    assert not at.exception
    excel = next(b for b in at.get("download_button") if b.key == "brief_xlsx_E1")
    assert excel.proto.deferred_file_id
    workbook = clicks[next(n for n in clicks if n.startswith("Dialogunderlag_E1"))]()
    assert workbook[:2] == b"PK"  # an .xlsx is a zip file
    assert events(db, audit.BRIEF) == [(HR, "E1", '{"format": "xlsx"}')]
