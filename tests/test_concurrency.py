"""One writer, many readers (issue #17): the app and the command line side by side.

The database is the small fixture (tests/fixtures/small: staff snapshots 2024-01 .. 2025-12,
23 people in the last month). A "new month" is the fixture's 2025-12 snapshot again,
dated 2026-01-15 (or 2026-02-15): 23 rows, one new snapshot month.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from kompetens import query
from kompetens.core import locking, snapshot, store
from kompetens.core.locking import DatabaseBusy
from kompetens.ingest import import_bytes
from kompetens.ops import database
from tests.app_support import run_page
from tests.fixtures.small import HERE as SMALL

ROOT = Path(__file__).resolve().parents[1]


def month_file(folder: Path, day: str) -> Path:
    """The fixture's December 2025 staff snapshot, re-dated ``day`` (23 rows)."""
    staff = pl.read_csv(SMALL / "staff.csv", infer_schema=False)
    december = staff.filter(pl.col("snapshot_date") == "2025-12-15")
    assert december.height == 23
    target = folder / f"personal_{day}.csv"
    december.with_columns(pl.lit(day).alias("snapshot_date")).write_csv(target)
    return target


@pytest.fixture
def db(small_db, tmp_path) -> Path:
    target = tmp_path / "kompetens.duckdb"
    shutil.copy(small_db, target)
    query.clear_cache()
    return target


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env.pop("KOMPETENS_DEBUG", None)
    return env


#: A stand-in for the running app: it opens the database exactly as the app does
#: (``ui.context.shared_connection``) and reads, every 50 ms, the latest staff month and
#: how many key figures that month has; any exception is printed as an ERROR line.
APP_READER = """
import sys, time
from kompetens import wiring
wiring.wire()
from kompetens.core import store
from kompetens.ui.context import shared_connection
db = sys.argv[1]
deadline = time.time() + 120
while time.time() < deadline:
    try:
        cur = shared_connection(db).cursor()
        month = store.scalar(cur, "SELECT strftime(max(snapshot_date), '%Y-%m') FROM current_staff")
        n = store.scalar(cur, "SELECT count(*) FROM key_figures WHERE period = ?", [month])
        cur.close()
        print(f"{month} {n}", flush=True)
    except Exception as exc:
        print(f"ERROR {type(exc).__name__}: {exc}", flush=True)
    time.sleep(0.05)
"""


def test_a_cli_import_succeeds_while_the_app_reads_and_the_app_then_sees_the_new_month(
    db, tmp_path
):
    app = subprocess.Popen(
        [sys.executable, "-c", APP_READER, str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=child_env(),
    )
    lines: list[str] = []
    try:
        first = app.stdout.readline().strip()
        lines.append(first)
        assert first.startswith("2025-12 "), first  # the app is up and has read the database
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "kompetens.cli",
                "import",
                str(month_file(tmp_path, "2026-01-15")),
            ]
            + ["--db", str(db)],
            capture_output=True,
            text=True,
            env=child_env(),
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert "23 rader importerade" in done.stdout
        deadline = time.time() + 60
        while time.time() < deadline:
            line = app.stdout.readline().strip()
            lines.append(line)
            if line.startswith("2026-01"):
                break
    finally:
        app.kill()
        app.wait()
    assert not [line for line in lines if line.startswith("ERROR")]
    assert lines[-1].startswith("2026-01"), lines[-5:]
    # The reader never saw the new month without its key figures (published after the recompute).
    assert all(int(line.split()[1]) > 0 for line in lines)


def test_two_imports_started_at_once_in_the_app_both_succeed_one_after_the_other(db, tmp_path):
    from kompetens.ui import context

    files = [month_file(tmp_path, "2026-01-15"), month_file(tmp_path, "2026-02-15")]
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def press_importera(path: Path) -> None:
        start.wait()
        try:
            with context.writing(str(db), f"import {path.name}") as conn:
                results[path.name] = import_bytes(conn, path.read_bytes(), path.name)
        except Exception as exc:  # the old code died here with "Conflict on update!"
            results[path.name] = exc

    threads = [threading.Thread(target=press_importera, args=(f,)) for f in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not [r for r in results.values() if isinstance(r, Exception)], results
    assert sorted(r.batch_id for r in results.values()) == [10, 11]  # the fixture used 1..9
    with database.reading(db) as conn:
        months = store.rows(
            conn,
            "SELECT DISTINCT strftime(snapshot_date, '%Y-%m') FROM current_staff "
            "WHERE snapshot_date >= DATE '2026-01-01' ORDER BY 1",
        )
        assert months == [("2026-01",), ("2026-02",)]
        assert store.data_version(conn) == 9 + 2  # nine fixture files, then the two imports


def test_a_second_import_waits_and_then_is_told_in_swedish_who_is_importing(db):
    from kompetens.ui import context

    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            with context.writing(str(db), "import februari.csv", timeout=0.3):
                outcome["wrote"] = True
        except DatabaseBusy as busy:
            outcome["busy"] = busy

    with context.writing(str(db), "import januari.csv", user="anna@kommun.se"):
        holder = locking.current_holder(db)
        assert (holder.purpose, holder.user, holder.pid) == (
            "import januari.csv",
            "anna@kommun.se",
            os.getpid(),
        )
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(30)
    assert "wrote" not in outcome
    message = str(outcome["busy"])
    assert message.startswith(
        "Databasen används av en annan skrivning: import januari.csv (anna@kommun.se, process "
    )
    assert "Försök igen när den är klar" in message
    assert locking.current_holder(db) is None  # released when the block ended


def test_the_import_page_says_another_import_is_running_and_undoes_nothing(db, monkeypatch):
    from kompetens.ui import context

    monkeypatch.setattr(context, "PAGE_WRITE_TIMEOUT", 0.5)
    at = run_page(db, "views/importera.py")
    next(s for s in at.selectbox if s.label == "Ångra en import").set_value(9).run()
    next(b for b in at.button if b.label == "Ångra …").click().run()
    with locking.writer_lock(db, "import personal.csv", user="hr@kommun.se"):
        next(b for b in at.button if b.label == "Ja, ångra").click().run()
    assert not at.exception
    shown = "\n".join(e.value for e in at.error)
    assert "Databasen används av en annan skrivning: import personal.csv (hr@kommun.se" in shown
    with database.reading(db) as conn:
        assert store.table_counts(conn)["targets"] == 6  # batch 9 (targets.csv) is still there


def test_a_reader_keeps_the_old_snapshot_while_a_writer_works_and_then_sees_the_new(db, tmp_path):
    reader = snapshot.Reader(db)
    database.ensure_published(db)
    before = reader.connection()
    with database.writing(db, "import") as conn:
        import_bytes(conn, month_file(tmp_path, "2026-01-15").read_bytes(), "jan.csv")
        # committed, not yet published: the reader still sees December, without waiting
        assert store.scalar(reader.connection(), "SELECT max(snapshot_date) FROM current_staff").isoformat() == "2025-12-15"  # fmt: skip
    after = reader.connection()
    assert after is not before
    assert store.scalar(after, "SELECT max(snapshot_date) FROM current_staff").isoformat() == "2026-01-15"  # fmt: skip
    # the cursor someone took from the old connection still reads (it is not closed under them)
    assert store.scalar(before.cursor(), "SELECT count(*) FROM current_units") > 0


def test_an_audit_event_during_an_import_is_queued_and_written_when_the_import_is_done(db):
    from kompetens.access import audit
    from kompetens.ui import context

    def logged() -> list[tuple]:
        conn = store.connect(db, read_only=True)
        try:
            events = audit.list_events(conn, action=audit.EXPORT, include_imports=False)
        finally:
            conn.close()
        return events.select("user_email", "target").rows()

    with locking.writer_lock(db, "import personal.csv"):
        started = time.perf_counter()
        context.log_event(str(db), "hr@kommun.se", audit.EXPORT, "Behörighet 2025")
        assert time.perf_counter() - started < 3  # the page did not wait for the import
        assert context.app_database(str(db)).pending_events() == 1
    deadline = time.time() + 20
    while context.app_database(str(db)).pending_events() and time.time() < deadline:
        time.sleep(0.1)
    assert logged() == [("hr@kommun.se", "Behörighet 2025")]


def test_audit_events_reach_the_published_copy_at_most_once_a_minute(db, monkeypatch):
    from kompetens.access import audit
    from kompetens.ui import context

    database.ensure_published(db)  # published just now
    first = snapshot.read_pointer(db).file
    for table in ("Behörighet 2025", "ARUBA 2025", "Stödbehov 2025"):
        context.log_event(str(db), "hr@kommun.se", audit.EXPORT, table)
    # Written, acknowledged, not copied: readers keep their copy (and their caches).
    assert snapshot.read_pointer(db).file == first
    assert not snapshot.is_behind(db)
    conn = store.connect(db, read_only=True)
    try:
        assert audit.list_events(conn, action=audit.EXPORT, include_imports=False).height == 3
    finally:
        conn.close()
    # A minute later the acknowledged events are published, even if no other write comes.
    context.app_database(str(db))._publish_if_unpublished()  # what the timer runs
    assert snapshot.read_pointer(db).file != first
    with database.reading(db) as conn:
        assert audit.list_events(conn, action=audit.EXPORT, include_imports=False).height == 3
    monkeypatch.setattr(database, "QUIET_PUBLISH_SECONDS", 0.0)  # and at the next event
    published = snapshot.read_pointer(db).file
    context.log_event(str(db), "hr@kommun.se", audit.EXPORT, "Översikt 2025")
    assert snapshot.read_pointer(db).file != published
    with database.reading(db) as conn:
        assert audit.list_events(conn, action=audit.EXPORT, include_imports=False).height == 4
