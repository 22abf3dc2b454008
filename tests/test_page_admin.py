"""The Admin page's records and view logic: only the administrator reads users and the audit log.

The page itself is exercised through the frame in ``tests/test_access_app.py``
(the admin lands on it and grants access); here the reads behind it.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from kompetens.access import audit, auth
from kompetens.core import store
from kompetens.query import ScopeError, records
from kompetens.ui import admin_view as view


@pytest.fixture
def conn(small_db, tmp_path):
    target = tmp_path / "admin.duckdb"
    shutil.copy(small_db, target)
    connection = store.connect(target)
    auth.add_user(connection, "admin@kommun.se", auth.ADMIN, added_by="test")
    auth.add_user(connection, "hr@kommun.se", auth.HR, added_by="test")
    yield connection
    connection.close()


def plain(text: str) -> str:
    """Text as the reader sees it: without md_text's backslashes and word joiners."""
    return text.replace("\\", "").replace("\u2060", "")


def viewer(conn, email: str):
    return auth.viewer_for(conn, email)


def test_the_administrator_reads_users_units_areas_and_the_audit_log(conn):
    admin = viewer(conn, "admin@kommun.se")
    users = records.users(conn, admin)
    assert sorted(users["email"]) == ["admin@kommun.se", "hr@kommun.se"]
    assert records.known_areas(conn, admin) == ["Norr", "Söder"]
    assert view.unit_choices(records.known_units(conn, admin)) == {
        "E1": "Ekskolan (E1)",
        "L1": "Lärkans förskola (L1)",
        "S1": "Söderskolan (S1)",
    }
    today = dt.date.today()
    events = records.audit_events(
        conn, admin, since=today, until=view.day_after(today), action=audit.USER_ADDED
    )
    # Two users added above, each logged once by auth.add_user.
    assert sorted(events["target"]) == ["admin@kommun.se", "hr@kommun.se"]


@pytest.mark.parametrize("email", ["hr@kommun.se", None])
def test_anyone_but_the_administrator_is_refused_users_and_the_audit_log(conn, email):
    someone = viewer(conn, email) if email else None
    for read in (records.users, records.known_units, records.known_areas, records.audit_events):
        with pytest.raises(ScopeError):
            read(conn, someone)


def test_the_administrator_cannot_remove_their_own_access_and_removing_another_says_so(conn):
    admin = viewer(conn, "admin@kommun.se")
    with pytest.raises(ValueError, match="din egen behörighet"):
        view.remove_user(conn, admin, "admin@kommun.se")
    assert view.remove_user(conn, admin, "hr@kommun.se") == "hr@kommun.se har inte längre åtkomst."
    assert view.active_emails(records.users(conn, admin)) == ["admin@kommun.se"]
    assert view.remove_user(conn, admin, "hr@kommun.se") is None  # already removed


def _file_economy_request(conn):
    """A request from E1's principal to the support function Ekonomi, filed as the form does."""
    from kompetens.dialogue import support_register as form
    from kompetens.query import Scope

    return form.file_request(
        conn,
        Scope.everything(),
        {
            "unit_id": "E1",
            "request_date": dt.date.today(),
            "asker_role": "principal",
            "channel": "dialogue",
            "topic": "Rekrytering",
            "support_function": "Ekonomi",
        },
        user="test",
    )


def test_the_administrator_adds_a_support_function_on_the_settings_tab_and_it_is_valid_and_logged(
    small_db, tmp_path
):
    """The importer's message for an unknown function names Admin › Inställningar ›
    Stödregistrets listor: the place exists, and a value added there is valid from then on."""
    from kompetens.core import support_register as support_lists
    from tests.app_support import run_page, texts

    target = tmp_path / "lists.duckdb"
    shutil.copy(small_db, target)
    at = run_page(target)
    at.session_state["demo_roll"] = "admin"
    at.run()
    at.switch_page("views/admin.py").run()
    assert support_lists.LISTS_PLACE_TITLE in [s.value for s in at.subheader]
    at.selectbox(key="admin_lista").set_value(support_lists.FUNCTION)
    at.text_input(key="admin_listvarde").set_value("Ekonomi")
    next(b for b in at.button if b.label == "Lägg till").click().run()
    assert not at.exception
    assert "Ekonomi är tillagt i listan stödfunktioner." in plain(texts(at))
    # the same value again (other case) is refused in Swedish
    at.selectbox(key="admin_lista").set_value(support_lists.FUNCTION)
    at.text_input(key="admin_listvarde").set_value("ekonomi")
    next(b for b in at.button if b.label == "Lägg till").click().run()
    assert "Lades inte till: 'Ekonomi' finns redan i listan stödfunktioner." in plain(texts(at))
    conn = store.connect(target)
    try:
        assert support_lists.list_values(conn, support_lists.FUNCTION) == [
            "HR",
            "PC",
            "EH",
            "Admin & juridik",
            "Ekonomi",
        ]
        logged = audit.list_events(conn, action=audit.SETTING_CHANGED)
        assert logged["target"].to_list() == ["support_function"]
        saved = _file_economy_request(conn)
        assert saved.row_id.startswith("S-")
    finally:
        conn.close()


def test_the_administrator_removes_a_misspelt_function_and_one_in_use_stays(small_db, tmp_path):
    from kompetens.core import support_register as support_lists
    from tests.app_support import run_page, texts

    target = tmp_path / "lists.duckdb"
    shutil.copy(small_db, target)
    conn = store.connect(target)
    try:
        support_lists.add_list_value(conn, "function", "Ekonmi", user="admin")  # misspelt
        support_lists.add_list_value(conn, "function", "Ekonomi", user="admin")
        _file_economy_request(conn)
    finally:
        conn.close()
    at = run_page(target)
    at.session_state["demo_roll"] = "admin"
    at.run()
    at.switch_page("views/admin.py").run()
    picker = at.selectbox(key="admin_listvarde_bort")
    assert picker.options == ["Ekonmi (stödfunktioner)", "Ekonomi (stödfunktioner)"]
    picker.set_value(("function", "Ekonmi"))
    next(b for b in at.button if b.label == "Ta bort").click().run()
    assert not at.exception
    assert "Ekonmi är borttaget ur listan stödfunktioner." in plain(texts(at))
    at.selectbox(key="admin_listvarde_bort").set_value(("function", "Ekonomi"))
    next(b for b in at.button if b.label == "Ta bort").click().run()
    assert (
        "Togs inte bort: 'Ekonomi' används av 1 ärende eller insats och kan inte tas bort."
        in plain(texts(at))
    )
    conn = store.connect(target)
    try:
        assert support_lists.list_values(conn, "function")[-1] == "Ekonomi"
        assert "Ekonmi" not in support_lists.list_values(conn, "function")
        logged = audit.list_events(conn, action=audit.SETTING_CHANGED)
        assert logged["details"].str.contains("borttaget").sum() == 1
    finally:
        conn.close()
