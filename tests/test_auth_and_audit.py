"""Roles, the users table, the audit log and the ``kompetens users`` command."""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest
from typer.testing import CliRunner

from kompetens.access import audit, auth
from kompetens.cli import app
from kompetens.core import store
from kompetens.query import Scope
from kompetens.ui import signin


@pytest.fixture
def db(small_db, tmp_path):
    """A private copy of the small fixture (E1, L1 in Norr; S1 in Söder), with only the audit
    events of its build (the imports by "test"): page tests that ran earlier in the session
    signed in to the shared fixture and left their own events in it."""
    target = tmp_path / "auth.duckdb"
    shutil.copy(small_db, target)
    c = store.connect(target)
    try:
        c.execute("DELETE FROM audit_events WHERE user_email <> ?", ["test"])
    finally:
        c.close()
    return target


@pytest.fixture
def conn(db):
    c = store.connect(db)
    yield c
    c.close()


# --- roles ------------------------------------------------------------------------------------


def test_each_role_has_its_pages_hr_alone_imports_and_admin_alone_administers():
    assert "import" in auth.pages_for_role("hr") and "datakvalitet" in auth.pages_for_role("hr")
    for role in ("area_manager", "principal", "leadership", "admin"):
        assert "import" not in auth.pages_for_role(role)
    assert [r for r in auth.ROLES if "admin" in auth.pages_for_role(r)] == ["admin"]
    assert auth.pages_for_role("admin") == ("admin",)
    assert "dialog" not in auth.pages_for_role("leadership")  # aggregated views only
    with pytest.raises(ValueError, match="Okänd roll 'rektor'"):
        auth.pages_for_role("rektor")


def test_a_principal_scope_is_their_unit_with_its_area_for_comparison():
    scope = auth.scope_for_role("principal", units=["E1"], unit_areas={"E1": "Norr", "S1": "Söder"})
    assert scope == Scope("unit", frozenset({"Norr"}), frozenset({"E1"}))
    assert auth.scope_for_role("area_manager", areas=["Söder"]) == Scope.for_areas("Söder")
    assert auth.scope_for_role("leadership") == Scope.everything()
    assert auth.scope_for_role("admin") == Scope("unit")  # no unit figures at all


# --- users table ------------------------------------------------------------------------------


def test_an_added_user_is_found_by_any_casing_of_the_address_until_removed(conn):
    auth.add_user(conn, " Anna.Rektor@Kommun.SE ", "principal", units=["S1"], added_by="admin@k.se")
    assert auth.user_scope(conn, "anna.rektor@kommun.se") == (
        "principal",
        Scope.for_units(["S1"], areas=["Söder"]),
    )
    assert auth.remove_user(conn, "ANNA.REKTOR@kommun.se", removed_by="admin@k.se") is True
    assert auth.user_scope(conn, "anna.rektor@kommun.se") is None
    assert auth.remove_user(conn, "anna.rektor@kommun.se", removed_by="admin@k.se") is False
    users = auth.list_users(conn)
    assert users.select("email", "role", "units", "active").row(0) == (
        "anna.rektor@kommun.se",
        "principal",
        ["S1"],
        False,
    )
    assert auth.list_users(conn, include_inactive=False).height == 0


def test_adding_an_address_again_replaces_the_grant_and_reactivates_it(conn):
    auth.add_user(conn, "b@k.se", "area_manager", areas=["Norr"], added_by="x")
    auth.remove_user(conn, "b@k.se", removed_by="x")
    auth.add_user(conn, "b@k.se", "area_manager", areas=["Söder", "Norr"], added_by="y")
    row = auth.list_users(conn).row(0, named=True)
    assert (row["areas"], row["added_by"], row["active"]) == (["Norr", "Söder"], "y", True)
    assert auth.user_scope(conn, "b@k.se") == ("area_manager", Scope.for_areas("Norr", "Söder"))


@pytest.mark.parametrize(
    ("role", "areas", "units", "message"),
    [
        ("area_manager", [], [], "minst ett område"),
        ("principal", [], [], "minst en enhet"),
        ("principal", ["Norr"], ["E1"], "området för jämförelse hämtas från enheten"),
        ("hr", ["Norr"], [], "gäller hela organisationen"),
        ("area_manager", ["Väster"], [], "Okänt område: Väster. Kända områden: Norr, Söder."),
        ("principal", [], ["X9"], "Okänd enhet: X9"),
        ("superuser", [], [], "Okänd roll 'superuser'"),
    ],
)
def test_a_grant_that_does_not_fit_the_role_or_the_organisation_is_refused(
    conn, role, areas, units, message
):
    with pytest.raises(ValueError, match=message):
        auth.add_user(conn, "c@k.se", role, areas=areas, units=units, added_by="x")
    assert auth.list_users(conn).height == 0


def test_user_changes_are_audited_with_who_made_them(conn):
    auth.add_user(conn, "d@k.se", "hr", added_by="admin@k.se")
    auth.remove_user(conn, "d@k.se", removed_by="admin@k.se")
    events = audit.list_events(conn, include_imports=False)
    assert events.select("user_email", "action", "target").rows() == [
        ("admin@k.se", "user_removed", "d@k.se"),
        ("admin@k.se", "user_added", "d@k.se"),
    ]
    assert '"role": "hr"' in events["details"][1]


# --- audit log --------------------------------------------------------------------------------


def test_events_are_listed_newest_first_and_filtered_by_time_user_and_action(conn):
    t = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    audit.log_event(conn, "a@k.se", "sign_in", at=t)
    audit.log_event(conn, "b@k.se", "export", "Behörighet 2025", {"format": "csv"}, at=t + dt.timedelta(hours=1))  # fmt: skip
    audit.log_event(conn, "A@K.se", "dialogue_opened", "E1", at=t + dt.timedelta(days=2))
    events = audit.list_events(conn, include_imports=False)
    assert events["action"].to_list() == ["dialogue_opened", "export", "sign_in"]
    assert audit.list_events(conn, user="a@k.se", include_imports=False).height == 2
    assert audit.list_events(conn, action="export", include_imports=False)["details"].to_list() == [
        '{"format": "csv"}'
    ]
    window = audit.list_events(conn, since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 2), include_imports=False)  # fmt: skip
    assert window["action"].to_list() == ["export", "sign_in"]


def test_the_import_log_appears_as_import_events_with_the_importing_user(conn):
    # The small fixture was imported by user "test": nine files, one import event each.
    imports = audit.list_events(conn, action="import")
    assert imports.height == 9
    assert set(imports["user_email"].to_list()) == {"test"}
    assert "units.csv" in imports["target"].to_list()


def test_purging_removes_only_events_older_than_the_retention(conn):
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    audit.log_event(conn, "a@k.se", "sign_in", at=now - dt.timedelta(days=731))
    audit.log_event(conn, "a@k.se", "export", at=now - dt.timedelta(days=729))
    assert audit.purge_older_than(conn, 730, now=now) == 1
    assert audit.list_events(conn, include_imports=False)["action"].to_list() == ["export"]
    assert audit.list_events(conn, action="import").height == 9  # the import log is never purged


def test_the_retention_period_comes_from_the_environment():
    assert audit.retention_days({}) == 730
    assert audit.retention_days({"KOMPETENS_AUDIT_RETENTION_DAYS": "90"}) == 90
    with pytest.raises(ValueError, match="heltal"):
        audit.retention_days({"KOMPETENS_AUDIT_RETENTION_DAYS": "två år"})


def test_the_display_frame_has_swedish_headers_local_time_and_action_names():
    events = pl.DataFrame(
        {
            "occurred_at": [dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)],
            "user_email": ["a@k.se"],
            "role": [None],
            "action": ["access_denied"],
            "target": ["?enhet=S1"],
            "details": [None],
        },
        schema=audit.EVENT_SCHEMA,
    )
    shown = audit.display_frame(events)
    assert shown.columns == ["Tid", "Användare", "Roll", "Händelse", "Gäller", "Detaljer"]
    assert shown.row(0) == ("2026-07-01 12:00:00", "a@k.se", "", "Nekad åtkomst", "?enhet=S1", "")


# --- URL parameters ---------------------------------------------------------------------------


def test_a_unit_parameter_is_allowed_by_id_name_or_label_of_a_visible_unit_only():
    units = pl.DataFrame(
        {
            "unit_id": ["E1", "L1", "S1"],
            "unit_name": ["Ekskolan", "Lärkans förskola", "Söderskolan"],
            "area": ["Norr", "Norr", "Söder"],  # as auth.known_units gives them
        }
    )
    visible = {"E1"}
    assert signin.unit_param_allowed("E1", units, visible)
    assert signin.unit_param_allowed("Ekskolan (Norr)", units, visible)
    assert not signin.unit_param_allowed("S1", units, visible)
    assert not signin.unit_param_allowed("Söderskolan (Söder)", units, visible)
    assert not signin.unit_param_allowed("X9", units, visible)  # unknown: same answer as hidden
    assert signin.units_named_by("Söderskolan (S1)", units) == ["S1"]


def test_an_area_parameter_is_allowed_for_the_all_label_or_a_visible_area():
    assert signin.area_param_allowed("Alla områden", ["Norr"], "Alla områden")
    assert signin.area_param_allowed("Norr", ["Norr"], "Alla områden")
    assert not signin.area_param_allowed("Söder", ["Norr"], "Alla områden")


def test_production_is_recognised_from_kompetens_env():
    assert signin.is_production({"KOMPETENS_ENV": "production"})
    assert signin.is_production({"KOMPETENS_ENV": " Production "})
    assert not signin.is_production({"KOMPETENS_ENV": "test"})
    assert not signin.is_production({})


# --- CLI --------------------------------------------------------------------------------------

runner = CliRunner()


def test_the_cli_adds_lists_and_removes_users(db):
    added = runner.invoke(
        app, ["users", "add", "Rektor@Kommun.se", "--role", "principal", "--unit", "E1", "--db", str(db)]
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "rektor@kommun.se har rollen Rektor (enhet) (E1)." in added.output
    manager = runner.invoke(
        app, ["users", "add", "vc@kommun.se", "--role", "area_manager", "--area", "Norr", "--area", "Söder", "--db", str(db)]
    )  # fmt: skip
    assert manager.exit_code == 0, manager.output
    listed = runner.invoke(app, ["users", "list", "--db", str(db)], env={"COLUMNS": "200"})
    assert listed.exit_code == 0
    assert "rektor@kommun.se" in listed.output and "Norr, Söder" in listed.output
    removed = runner.invoke(app, ["users", "remove", "rektor@kommun.se", "--db", str(db)])
    assert removed.exit_code == 0
    assert "rektor@kommun.se har inte längre åtkomst." in removed.output
    c = store.connect(db)
    try:
        assert auth.user_scope(c, "rektor@kommun.se") is None
        assert auth.user_scope(c, "vc@kommun.se") == (
            "area_manager",
            Scope.for_areas("Norr", "Söder"),
        )
        who = audit.list_events(c, action="user_added", include_imports=False)["user_email"]
        assert all(u.startswith("cli:") for u in who.to_list())
    finally:
        c.close()


def test_the_cli_refuses_an_unknown_role_an_unknown_area_and_a_missing_user(db):
    role = runner.invoke(app, ["users", "add", "a@k.se", "--role", "rektor", "--db", str(db)])
    assert role.exit_code == 2
    assert "Okänd roll 'rektor'" in role.output
    area = runner.invoke(
        app, ["users", "add", "a@k.se", "--role", "area_manager", "--area", "Väster", "--db", str(db)]
    )  # fmt: skip
    assert area.exit_code == 1
    assert "Okänt område: Väster" in area.output
    missing = runner.invoke(app, ["users", "remove", "ingen@k.se", "--db", str(db)])
    assert missing.exit_code == 1
    assert "Det finns ingen aktiv användare ingen@k.se." in missing.output
