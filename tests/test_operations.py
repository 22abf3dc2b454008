"""Operations (issue #17): a kill during the recompute, backup and restore, doctor, the watched inbox.

The database is the small fixture (tests/fixtures/small), nine files imported as batches
1-9 (data version 9) with these rows: units 3, staff 565, events 11, recruitments 7,
development 9, placements 5, survey 13, sick_leave 72, targets 6. Its last staff month is
2025-12 (23 people); "a new month" is that snapshot re-dated 2026-01-15.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from kompetens import query
from kompetens.cli import app
from kompetens.core import locking, snapshot, store
from kompetens.indicators import engine
from kompetens.ops import backup, database, doctor, watch
from tests.app_support import run_page
from tests.test_concurrency import child_env, month_file

FIXTURE_ROWS = {
    "units": 3,
    "staff": 565,
    "events": 11,
    "recruitments": 7,
    "development": 9,
    "placements": 5,
    "survey": 13,
    "sick_leave": 72,
    "targets": 6,
}


@pytest.fixture
def db(small_db, tmp_path) -> Path:
    target = tmp_path / "kompetens.duckdb"
    shutil.copy(small_db, target)
    query.clear_cache()
    return target


def said(result) -> str:
    """What a command printed, with the terminal's line wrapping undone."""
    return " ".join(result.output.split())


def latest_month(conn) -> str:
    return store.scalar(conn, "SELECT strftime(max(snapshot_date), '%Y-%m') FROM current_staff")


# --- a kill during the recompute ---------------------------------------------------------------

#: ``kompetens import`` in a child process whose recompute stops at a known point (reading the
#: data, after the import has committed) and waits there to be killed.
PAUSED_IMPORT = """
import pathlib, sys, time
from kompetens import wiring
wiring.wire()
from kompetens.indicators import engine

def paused(conn, left_out=None, *, since=None, staff_months=(), kinds=None):
    # engine.load_frames's signature: a full or an incremental recompute reaches this point
    pathlib.Path(sys.argv[3]).write_text("recomputing")
    time.sleep(600)

engine.load_frames = paused
from kompetens.cli import app
app(["import", sys.argv[2], "--db", sys.argv[1]])
"""


def test_a_kill_during_the_recompute_is_repaired_at_the_next_start_and_figures_match_a_full_recompute(
    db, tmp_path
):
    database.ensure_published(db)
    marker = tmp_path / "recomputing"
    child = subprocess.Popen(
        [sys.executable, "-c", PAUSED_IMPORT, str(db), str(month_file(tmp_path, "2026-01-15"))]
        + [str(marker)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
    )
    deadline = time.time() + 120
    while not marker.exists() and time.time() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), "the child never reached the recompute"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    # The lock died with the child, and the last publication is untouched: December, with
    # its own figures (what every reader kept seeing meanwhile).
    assert locking.current_holder(db) is None
    conn = snapshot.open_copy(snapshot.read_pointer(db))
    try:
        assert latest_month(conn) == "2025-12"
        assert not engine.is_stale(conn)
    finally:
        conn.close()
    # The database: the import committed (data version 10), the figures are version 9's.
    assert snapshot.is_behind(db)
    conn = store.connect(db)
    try:
        assert (store.data_version(conn), engine.read_meta(conn)["data_version"]) == (10, 9)
        assert engine.is_stale(conn)
    finally:
        conn.close()
    assert database.needs_publication(db)

    # The next start of the app recomputes and publishes: the app shows January.
    at = run_page(db, "views/oversikt.py")
    assert not at.exception
    assert not database.needs_publication(db)
    with database.reading(db, timeout=0) as conn:
        assert latest_month(conn) == "2026-01"
        assert not engine.is_stale(conn)

    # Every stored key figure equals a full recompute of the same data, row for row.
    reference_db = tmp_path / "reference.duckdb"
    shutil.copy(db, reference_db)
    conn = store.connect(reference_db)
    try:
        engine.recompute(conn, **engine.stored_settings(conn))  # a full recompute
        reference = key_figure_rows(conn)
    finally:
        conn.close()
    with database.reading(db, timeout=0) as conn:
        ours = key_figure_rows(conn)
    assert ours.height == reference.height > 0
    keys = ["indicator_id", "level", "scope_id", "period_type", "period", "breakdown"]
    both = ours.join(reference, on=keys, how="full", suffix="_full", nulls_equal=True)
    assert both.height == ours.height  # the same rows on both sides
    assert both["n_individuals"].equals(both["n_individuals_full"], check_names=False)
    for column in ("numerator", "denominator", "value"):
        # sums in another order differ in the last bits (development hours): compare to 1e-9
        pairs = zip(both[column].to_list(), both[f"{column}_full"].to_list(), strict=True)
        assert all(same_figure(a, b) for a, b in pairs), column
    assert "2026-01" in ours["period"].to_list()
    # And `kompetens figures` exports them (one indicator here: the export's suppression is slow).
    exported = tmp_path / "figures.csv"
    done = CliRunner().invoke(
        app,
        ["figures", "--out", str(exported), "--indicator", "temporary_teacher_share"]
        + ["--db", str(db)],
    )
    assert done.exit_code == 0, done.output
    assert "2026-01" in pl.read_csv(exported, infer_schema=False)["period"].to_list()


def same_figure(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def key_figure_rows(conn) -> pl.DataFrame:
    frame = store.frame(conn, "SELECT * EXCLUDE (computed_at) FROM key_figures")
    return frame.sort(frame.columns, nulls_last=True)


def test_a_figures_command_after_a_killed_recompute_recomputes_instead_of_exporting_stale_figures(
    db, tmp_path
):
    """The same crash, simulated in place: figures recorded for data version 9 at version 10."""
    conn = store.connect(db)
    try:
        conn.execute("UPDATE meta SET value = '10' WHERE key = 'data_version'")
    finally:
        conn.close()
    out = tmp_path / "f.csv"
    done = CliRunner().invoke(
        app,
        ["figures", "--out", str(out), "--indicator", "temporary_teacher_share", "--db", str(db)],
    )
    assert done.exit_code == 0, done.output
    conn = store.connect(db)
    try:
        assert engine.read_meta(conn)["data_version"] == 10
    finally:
        conn.close()


# --- backup and restore ------------------------------------------------------------------------


def test_a_backup_taken_while_the_app_reads_restores_to_the_same_rows_and_figures(db, tmp_path):
    reader = snapshot.Reader(db)
    database.ensure_published(db)
    assert latest_month(reader.connection()) == "2025-12"  # "the app" has the database open
    folder = tmp_path / "backup-1"
    made = CliRunner().invoke(app, ["backup", str(folder), "--db", str(db)])
    assert made.exit_code == 0, made.output
    assert "Pseudonymnyckeln ingår inte" in said(made)
    assert sorted(p.name for p in folder.iterdir()) == ["kompetens-backup.json", "kompetens.duckdb"]
    manifest = json.loads((folder / "kompetens-backup.json").read_text(encoding="utf-8"))
    assert {k: manifest["row_counts"][k] for k in FIXTURE_ROWS} == FIXTURE_ROWS
    assert manifest["data_version"] == 9
    assert manifest["row_counts"]["key_figures"] == manifest["figures_rows"] > 0
    assert "test-key-not-secret" not in json.dumps(manifest)  # a fingerprint, never the key

    # Later: a new month is imported, then the backup is restored.
    with database.writing(db, "import") as conn:
        from kompetens.ingest import import_bytes

        import_bytes(conn, month_file(tmp_path, "2026-01-15").read_bytes(), "jan.csv")
    assert latest_month(reader.connection()) == "2026-01"
    restored = CliRunner().invoke(app, ["restore", str(folder), "--db", str(db)])
    assert restored.exit_code == 0, restored.output
    assert "radantal och nyckeltalens kontrollsumma stämmer med manifestet" in said(restored)
    assert latest_month(reader.connection()) == "2025-12"  # the app reads the restored data
    conn = store.connect(db, read_only=True)
    try:
        assert backup.row_counts(conn) == manifest["row_counts"]
        assert backup.figures_checksum(conn) == (
            manifest["figures_rows"],
            manifest["figures_checksum"],
        )
    finally:
        conn.close()
    kept = list(tmp_path.glob("kompetens.duckdb.before-restore-*"))
    assert len(kept) == 1  # the replaced database (with January) is kept beside


def test_a_damaged_backup_is_refused_and_the_database_is_left_alone(db, tmp_path):
    folder = tmp_path / "backup-2"
    backup.backup(folder, db)
    manifest_file = folder / "kompetens-backup.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["row_counts"]["staff"] = 564  # as if a row had gone missing from the copy
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    before = snapshot.signature(db)
    refused = CliRunner().invoke(app, ["restore", str(folder), "--db", str(db)])
    assert refused.exit_code == 1
    assert "tabellen staff har 565 rader, manifestet säger 564" in said(refused)
    assert "Ingenting återställdes" in said(refused)
    assert snapshot.signature(db) == before
    again = CliRunner().invoke(app, ["backup", str(folder), "--db", str(db)])
    assert again.exit_code == 2 and "innehåller redan en säkerhetskopia" in said(again)


# --- doctor --------------------------------------------------------------------------------------


def doctor_lines(db) -> dict[str, tuple[str, str, str]]:
    return {f.topic: (f.level, f.text, f.advice) for f in doctor.check(db)}


def test_the_doctor_finds_a_healthy_installation_healthy(db, monkeypatch):
    monkeypatch.delenv("KOMPETENS_PSEUDONYM_KEY")
    key = Path(os.environ["KOMPETENS_KEY_FILE"])  # the test's own folder, apart from the data
    key.write_bytes(b"k" * 32)
    key.chmod(0o600)
    database.ensure_published(db)
    found = doctor_lines(db)
    assert {topic: level for topic, (level, _, _) in found.items()} == {
        "Databas": "ok",
        "Nyckeltal": "ok",
        "Publicerad kopia": "ok",
        "Sekretessgranskning": "ok",
        "Pseudonymnyckel": "ok",
        "Skrivlås": "ok",
        "Diskutrymme": "ok",
    }
    newest = store.registered_migrations()[-1].version
    assert f"schemaversion {newest}, dataversion 9" in found["Databas"][1]
    assert found["Nyckeltal"][1].startswith(
        f"Beräknade från dataversion 9 av den här versionen (kod {engine.code_version()})"
    )
    assert found["Skrivlås"][1] == "Ledigt: ingen import eller annan skrivning pågår."
    shown = CliRunner().invoke(app, ["doctor", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert "OK Nyckeltal: Beräknade från dataversion 9" in said(shown)


def test_the_doctor_names_stale_figures_an_open_key_file_and_who_holds_the_lock(
    db, tmp_path, monkeypatch
):
    monkeypatch.delenv("KOMPETENS_PSEUDONYM_KEY")
    key = tmp_path / "pseudonym.key"  # beside the database, and readable by everyone
    key.write_bytes(b"k" * 32)
    key.chmod(0o644)
    monkeypatch.setenv("KOMPETENS_KEY_FILE", str(key))
    database.ensure_published(db)
    published = snapshot.read_pointer(db)
    conn = store.connect(published.file)  # a publication whose figures lag their data
    conn.execute("UPDATE key_figures_meta SET data_version = 8")
    conn.close()
    with locking.writer_lock(db, "import personal.csv", user="hr"):
        found = doctor_lines(db)
        shown = CliRunner().invoke(app, ["doctor", "--db", str(db)])
    assert found["Nyckeltal"][:2] == (
        "fel",
        "Nyckeltalen är beräknade från dataversion 8, data är version 9.",
    )
    assert "kompetens figures" in found["Nyckeltal"][2]
    assert found["Pseudonymnyckel"][0] == "fel" and "chmod 600" in found["Pseudonymnyckel"][2]
    assert found["Skrivlås"][1].startswith("Hålls av import personal.csv (hr, process ")
    assert shown.exit_code == 1
    assert "FEL Nyckeltal: Nyckeltalen är beräknade från dataversion 8" in said(shown)


# --- the watched inbox -------------------------------------------------------------------------


def test_the_inbox_imports_good_files_in_order_and_moves_a_rejected_one_aside_with_its_report(
    db, tmp_path
):
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    january = month_file(inbox, "2026-01-15")
    bad = inbox / "personal_trasig.csv"
    rows = january.read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([rows[0], rows[1].replace(",1.0,", ",zwei,")]) + "\n", "utf-8")
    february = month_file(inbox, "2026-02-15")
    for age, path in ((30, january), (20, bad), (10, february)):  # arrival order
        os.utime(path, (time.time() - age, time.time() - age))
    (inbox / ".personal_2026-03-15.csv.part").write_text("being copied", encoding="utf-8")

    done = CliRunner().invoke(app, ["watch", str(inbox), "--once", "--db", str(db)])
    assert done.exit_code == 1, done.output  # one file was rejected
    assert said(done).count(".csv: importerad.") == 2
    assert "personal_trasig.csv: avvisad." in said(done)
    assert sorted(p.name for p in (inbox / "klara").iterdir()) == [
        "personal_2026-01-15.csv",
        "personal_2026-02-15.csv",
    ]
    assert [p.name for p in (inbox / "avvisade").iterdir()] != []
    report = (inbox / "avvisade" / "personal_trasig.csv.rapport.txt").read_text(encoding="utf-8")
    assert "zwei" in report and "Inget från filen skrevs till databasen" in report
    assert (inbox / ".personal_2026-03-15.csv.part").exists()  # still being written: left alone
    with database.reading(db) as conn:
        assert store.data_version(conn) == 9 + 2  # the two good files; nothing from the bad one
        assert [
            r[0]
            for r in store.rows(
                conn, "SELECT file_name FROM import_log WHERE batch_id > 9 ORDER BY batch_id"
            )
        ] == [  # fmt: skip
            "personal_2026-01-15.csv",
            "personal_2026-02-15.csv",
        ]


def test_the_inbox_leaves_files_in_place_while_another_import_holds_the_database(db, tmp_path):
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    month_file(inbox, "2026-01-15")
    with locking.writer_lock(db, "import från appen"):
        outcomes = list(watch.watch(inbox, db, once=True, timeout=0.2))
    assert [(o.file, o.status) for o in outcomes] == [("personal_2026-01-15.csv", "väntar")]
    assert (inbox / "personal_2026-01-15.csv").exists()
    assert [o.status for o in watch.watch(inbox, db, once=True)] == ["importerad"]
