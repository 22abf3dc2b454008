"""The support function role: its users and functions, its scope in the support register's queries.

Fixture: the small fixture (E1, L1 in Norr; S1 in Söder) with two requests filed by the
organisation: E1's to HR and S1's to EH; E1's has one HR effort, S1's one proactive EH
effort at L1 (no request). An EH user sees S1's request (in Söder) and the EH efforts,
never E1's HR request, and may file and record only for EH.
"""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from kompetens import query as q
from kompetens.access import auth
from kompetens.cli import app
from kompetens.core import store
from kompetens.dialogue import support_register as form
from kompetens.query import support_register as read

DAY = dt.date(2025, 3, 2)
EH = q.Scope.for_functions(["EH"])
#: The ids the ``conn`` fixture filed (request ids by unit, effort ids by name).
IDS: dict[str, str] = {}


def _request(conn, unit, function) -> str:
    return form.file_request(
        conn,
        q.Scope.everything(),
        {
            "unit_id": unit,
            "request_date": DAY,
            "asker_role": "principal",
            "channel": "mailbox",
            "topic": "Elevhälsa",
            "description": f"{unit} behöver stöd.",
            "support_function": function,
        },
        user="test",
    ).row_id


def _effort(conn, scope, request_id, unit, function) -> str:
    return form.record_effort(
        conn,
        scope,
        {
            "request_id": request_id,
            "unit_id": unit,
            "support_function": function,
            "start_date": DAY,
            "effort_type": "advice",
            "hours": 2,
            "status": "in_progress",
        },
        user="test",
    ).row_id


@pytest.fixture
def conn(small_db, tmp_path):
    target = tmp_path / "functions.duckdb"
    shutil.copy(small_db, target)
    c = store.connect(target)
    ids = {"E1": _request(c, "E1", "HR"), "S1": _request(c, "S1", "EH")}
    ids["hr_effort"] = _effort(c, q.Scope.everything(), ids["E1"], None, "HR")
    ids["eh_proactive"] = _effort(c, q.Scope.everything(), None, "L1", "EH")
    IDS.clear()
    IDS.update(ids)
    yield c
    c.close()


def test_a_support_function_sees_the_requests_addressed_to_it_in_any_area_and_no_other(conn):
    ids = IDS
    assert read.requests(conn, EH)["request_id"].to_list() == [ids["S1"]]
    assert read.requests(conn, q.Scope.for_functions(["HR", "EH"])).height == 2
    # efforts: the EH one at L1 (proactive, Norr); not HR's effort on E1's request
    assert read.efforts(conn, EH)["effort_id"].to_list() == [ids["eh_proactive"]]
    assert read.overview(conn, EH).select("area", "support_function", "requests").rows() == [
        ("Norr", "EH", 0),
        ("Söder", "EH", 1),
    ]
    assert read.load(conn, EH).select("support_function", "requests", "efforts").rows() == [
        ("EH", 1, 1)
    ]


def test_a_support_function_cannot_open_or_change_a_request_addressed_to_another(conn):
    ids = IDS
    assert read.current_row(conn, EH, "support_request", ids["S1"])["unit_id"] == "S1"
    with pytest.raises(q.ScopeError):
        read.current_row(conn, EH, "support_request", ids["E1"])
    with pytest.raises(q.ScopeError):
        read.current_row(conn, EH, "support_effort", ids["hr_effort"])
    with pytest.raises(q.ScopeError):
        form.set_status(conn, EH, "support_request", ids["E1"], "done", user="eh@k.se")
    assert read.current_row(conn, q.Scope.everything(), "support_request", ids["E1"])["status"] == (
        "received"
    )


def test_a_support_function_files_and_records_for_its_own_function_only(conn):
    ids = IDS
    # an HR effort on EH's own request: refused; an EH effort on it: saved
    with pytest.raises(q.ScopeError, match="stödfunktionen 'HR' är inte din"):
        _effort(conn, EH, ids["S1"], None, "HR")
    with pytest.raises(q.ScopeError):
        _effort(conn, EH, ids["E1"], None, "EH")  # E1's request is HR's
    saved = _effort(conn, EH, ids["S1"], None, "EH")
    assert read.current_row(conn, EH, "support_effort", saved)["unit_id"] == "S1"
    with pytest.raises(q.ScopeError):
        form.file_request(
            conn,
            EH,
            {
                "unit_id": "E1",
                "request_date": DAY,
                "asker_role": "principal",
                "channel": "mailbox",
                "topic": "Elevhälsa",
                "support_function": "HR",
            },
            user="eh@k.se",
        )


def test_a_support_function_lists_and_undoes_only_changes_of_its_own_requests(conn):
    ids = IDS
    everything = read.changes(conn, q.Scope.everything())
    mine = read.changes(conn, EH)
    # four batches in all; EH's: S1's request and the proactive EH effort
    assert everything.height == 4
    assert [n.split()[2] for n in mine["file_name"].to_list()] == [
        ids["eh_proactive"] + ".csv",
        ids["S1"] + ".csv",
    ]
    hr_batch = everything.filter(everything["file_name"].str.contains(ids["hr_effort"]))
    with pytest.raises(q.ScopeError):
        form.undo(conn, EH, int(hr_batch["batch_id"][0]), user="eh@k.se")


def test_the_support_role_has_the_register_page_only_and_no_unit_figures():
    assert auth.pages_for_role(auth.SUPPORT) == ("stodregister",)
    assert auth.ROLE_LABELS[auth.SUPPORT] == "Stödfunktion"
    scope = auth.scope_for_role(auth.SUPPORT, functions=["EH"])
    assert scope == q.Scope("unit", functions=frozenset({"EH"}))
    assert scope.units == frozenset() and scope.areas == frozenset()
    for role in (auth.HR, auth.AREA_MANAGER, auth.PRINCIPAL, auth.LEADERSHIP):
        assert "stodregister" in auth.pages_for_role(role)


def test_a_support_user_needs_known_functions_and_other_roles_take_none(conn):
    row = auth.add_user(conn, "EH@Kommun.se", auth.SUPPORT, functions=["eh", "pc"], added_by="t")
    assert row["functions"] == ["EH", "PC"]  # spelt as the list spells them
    role, scope = auth.user_scope(conn, "eh@kommun.se")
    assert (role, scope) == (auth.SUPPORT, q.Scope.for_functions(["EH", "PC"]))
    assert auth.viewer_for(conn, "eh@kommun.se").functions == ("EH", "PC")
    with pytest.raises(ValueError, match="minst en funktion"):
        auth.add_user(conn, "x@kommun.se", auth.SUPPORT, added_by="t")
    with pytest.raises(ValueError, match="Okänd stödfunktion: Ekonomi"):
        auth.add_user(conn, "x@kommun.se", auth.SUPPORT, functions=["Ekonomi"], added_by="t")
    with pytest.raises(ValueError, match="Bara rollen support"):
        auth.add_user(conn, "x@kommun.se", auth.HR, functions=["HR"], added_by="t")
    shown = auth.users_display(auth.list_users(conn))
    assert shown.filter(shown["E-post"] == "eh@kommun.se")["Behörighet"].to_list() == [
        "ärenden till EH, PC"
    ]


def test_the_users_command_adds_a_support_function_user(small_db, tmp_path):
    db = tmp_path / "cli.duckdb"
    shutil.copy(small_db, db)
    result = CliRunner().invoke(
        app,
        [
            "users",
            "add",
            "eh@kommun.se",
            "--role",
            "support",
            "--functions",
            "EH,HR",
            "--db",
            str(db),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "eh@kommun.se har rollen Stödfunktion (EH, HR)." in result.output
    refused = CliRunner().invoke(
        app, ["users", "add", "x@kommun.se", "--role", "support", "--db", str(db)]
    )
    assert refused.exit_code == 1
    conn = store.connect(db, read_only=True)
    assert auth.user_scope(conn, "eh@kommun.se") == (
        auth.SUPPORT,
        q.Scope.for_functions(["EH", "HR"]),
    )
    conn.close()


def test_migration_12_keeps_every_user_and_accepts_the_support_role(tmp_path):
    """A database at version 11 (users with the old CHECK) is rebuilt and keeps its users."""
    db = tmp_path / "v11.duckdb"
    raw = duckdb.connect(str(db))
    for migration in store.registered_migrations():
        if migration.version == 12:
            break
        if migration.version == 5:
            # the CHECK as version 5 wrote it before the support role existed
            statements = [s.replace(", 'support'", "") for s in migration.ddl()]
        else:
            statements = migration.ddl()
        for statement in statements:
            raw.execute(statement)
    raw.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    raw.execute("INSERT INTO schema_version (version) SELECT range FROM range(1, 12)")
    raw.execute(
        "INSERT INTO users (email, role, areas, units, added_by, added_at) VALUES "
        "('rektor@k.se', 'principal', [], ['E1'], 'fixture', now())"
    )
    with pytest.raises(duckdb.ConstraintException):
        raw.execute(
            "INSERT INTO users (email, role, added_by, added_at) VALUES ('s@k.se', 'support', 'x', now())"
        )
    raw.close()
    conn = store.connect(db)
    # migrated through 12 and every later version
    assert store.schema_version(conn) == max(m.version for m in store.registered_migrations())
    users = auth.list_users(conn)
    assert users.select("email", "role", "units", "functions").rows() == [
        ("rektor@k.se", "principal", ["E1"], [])
    ]
    conn.execute(
        "INSERT INTO users (email, role, functions, added_by, added_at) "
        "VALUES ('s@k.se', 'support', ['EH'], 'x', now())"
    )
    assert auth.user_scope(conn, "s@k.se") == (auth.SUPPORT, q.Scope.for_functions(["EH"]))
    conn.close()


def test_the_admin_page_saves_a_support_function_user_with_its_functions(conn):
    from types import SimpleNamespace

    from kompetens.ui import admin_view

    admin = SimpleNamespace(email="admin@kommun.se")
    assert admin_view.support_functions(conn) == ["HR", "PC", "EH", "Admin & juridik"]
    message = admin_view.save_user(
        conn, admin, "pc@kommun.se", auth.SUPPORT, areas=[], units=[], functions=["PC"]
    )
    assert message == "pc@kommun.se har nu rollen Stödfunktion."
    assert auth.user_scope(conn, "pc@kommun.se") == (auth.SUPPORT, q.Scope.for_functions(["PC"]))
