"""The command line never shows a traceback: Swedish messages and documented exit codes.

Exit codes (kompetens/cli/, docs/operations.md): 0 done, 1 rejected input, 2 usage error
(also: no database), 3 refused (e.g. another writer held the database too long), 4 unexpected
error, 130 interrupted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kompetens import cli, query
from kompetens.cli import app
from kompetens.core import locking
from kompetens.ops import database

runner = CliRunner()


def said(result) -> str:
    return " ".join(result.output.split())


@pytest.fixture
def db(small_db, tmp_path) -> Path:
    target = tmp_path / "kompetens.duckdb"
    shutil.copy(small_db, target)
    query.clear_cache()
    return target


def test_every_command_runs_guarded():
    commands = [*cli.app.registered_commands, *cli.users_app.registered_commands]
    assert len(commands) >= 10
    unguarded = [c.name or c.callback.__name__ for c in commands if not hasattr(c.callback, "__wrapped__")]  # fmt: skip
    assert unguarded == []


def test_a_missing_database_is_a_usage_error_in_swedish(tmp_path):
    missing = tmp_path / "finns-inte.duckdb"
    for args in (["imports"], ["users", "list"], ["figures", "--out", str(tmp_path / "f.csv")]):
        result = runner.invoke(app, [*args, "--db", str(missing)])
        assert result.exit_code == 2, (args, result.output)
        assert f"Databasen {missing} finns inte." in said(result)
        assert "Traceback" not in result.output
        assert not missing.exists()  # a reader never creates the database


def test_a_writer_that_waits_too_long_is_refused_with_who_is_writing(db, tmp_path, monkeypatch):
    monkeypatch.setenv("KOMPETENS_LOCK_TIMEOUT", "0,3")
    units = tmp_path / "enheter.csv"
    shutil.copy(Path(__file__).parent / "fixtures" / "small" / "units.csv", units)
    database.ensure_published(db)  # what the app or an earlier command did
    with locking.writer_lock(db, "import personal.csv", user="hr"):
        for args in (["import", str(units)], ["undo", "9"], ["users", "remove", "a@kommun.se"]):
            result = runner.invoke(app, [*args, "--db", str(db)])
            assert result.exit_code == 3, (args, result.output)
            text = said(result)
            assert "Databasen används just nu av import personal.csv (hr, process" in text
            assert "Väntar (högst 0,3 s, KOMPETENS_LOCK_TIMEOUT)" in text
            assert "Databasen används av en annan skrivning: import personal.csv (hr, process" in text  # fmt: skip
            assert "Traceback" not in result.output
        # Reading is not writing: the import log is listed while the writer works.
        listed = runner.invoke(app, ["imports", "--db", str(db)])
        assert listed.exit_code == 0, listed.output
        assert "Importlogg" in listed.output


def test_an_unexpected_error_is_a_swedish_message_and_exit_4_without_a_traceback(db, monkeypatch):
    import kompetens.ingest

    def broken(conn):
        raise RuntimeError("oväntat i testet")

    monkeypatch.setattr(kompetens.ingest, "list_imports", broken)
    result = runner.invoke(app, ["imports", "--db", str(db)])
    assert result.exit_code == 4
    assert "Ett oväntat fel inträffade (RuntimeError: oväntat i testet). Inget mer gjordes." in said(result)  # fmt: skip
    assert "Traceback" not in result.output
    monkeypatch.setenv("KOMPETENS_DEBUG", "1")  # for the person who maintains it: the traceback
    debug = runner.invoke(app, ["imports", "--db", str(db)])
    assert isinstance(debug.exception, RuntimeError)


def test_every_audit_action_the_code_writes_has_a_swedish_label():
    from kompetens.access import audit
    from kompetens.ingest import profiles

    # The action constants: upper-case names holding lower-case codes ("sign_in", …).
    constants = {
        value
        for name, value in vars(audit).items()
        if name.isupper() and isinstance(value, str) and value.islower()
    }
    written = constants | {profiles.AUDIT_ACTION, "export"}  # "export": downloads' default
    assert profiles.AUDIT_ACTION == audit.PROFILE_SAVED
    missing = sorted(a for a in written if a not in audit.ACTION_LABELS)
    assert missing == []
    assert audit.ACTION_LABELS[audit.PROFILE_SAVED] == "Importprofil sparad"
    # Labels are Swedish words, not the codes themselves.
    assert all(label and label != code for code, label in audit.ACTION_LABELS.items())


def test_a_profile_imported_on_the_command_line_is_audited_under_its_swedish_label(db, tmp_path):
    import polars as pl

    from kompetens.access import audit
    from kompetens.core import store
    from kompetens.ingest import profiles

    profile = profiles.Profile(
        name="Heroma – månadsuttag",
        kind="staff",
        columns={"Personnr": "employee_id", "Org.enhet": "unit_id"},
    )
    path = profiles.write_profile_file(profile, tmp_path / "heroma.toml")
    done = runner.invoke(app, ["profiles", "import", str(path), "--db", str(db)])
    assert done.exit_code == 0, done.output
    conn = store.connect(db)
    try:
        shown = audit.display_frame(audit.list_events(conn))
    finally:
        conn.close()
    saved = shown.filter(pl.col("Gäller") == "Heroma – månadsuttag")
    assert saved["Händelse"].to_list() == ["Importprofil sparad"]
