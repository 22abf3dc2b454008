"""Benchmark: 8 app sessions read for 60 s while a 50,000-staff month is imported from the CLI.

Set-up (not timed): a demo organisation of ``--employees`` staff over ``--years``
years in a fresh folder, without its last staff month, published once; that
month's snapshot (about 50,000 rows) is the file the soak imports.

The soak: ``--readers`` threads play app sessions. Each opens the database the
way the app does (``kompetens.ui.context.AppDatabase``: the published snapshot,
a cursor per query) and renders "a page" over and over: the latest staff month,
the organisation's key figures for it and a 12-month series, through the query
layer. After ``--import-at`` seconds ``kompetens import`` runs in a child
process (the writer lock, commit, recompute, publication).

Reported: errors (target 0); the page time (median, 95th percentile, longest)
before and during the import, the longest being "the longest page wait"; the
import's wall time; and the time from the start of the import until every
session shows the new month (and from the import's exit until then).

Run: ``uv run python -m kompetens.benchmarks soak [--employees 50000] [--years 2]
[--readers 8] [--seconds 60] [--import-at 10] [--workdir DIR]``. Heavy: the
demo build and the import each take a while on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

#: A staff-snapshot indicator: its latest month is the latest staff month.
STAFF_INDICATOR = "certified_teacher_share"


@dataclass
class Session:
    """One reader thread's record: (start, seconds, latest month) per page, and errors."""

    pages: list[tuple[float, float, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    saw_new_at: float | None = None


def _prepare(workdir: Path, employees: int, years: int) -> tuple[Path, Path, str]:
    """The demo organisation without its last staff month (published once), and that month's file.

    The demo ends with the last full month, so the month the soak imports is the
    demo's own last month, held back from the database: a month no reader has seen.
    """
    from kompetens.core import hooks, store
    from kompetens.demo import build
    from kompetens.ingest import import_file
    from kompetens.ops import database

    db = workdir / "kompetens.duckdb"
    files = workdir / "demo"
    new_file = workdir / "personal_ny_manad.parquet"
    if not db.exists():
        started = time.perf_counter()
        end = build.default_end_month()
        first = end.year * 12 + end.month - 1 - (12 * years - 1)
        frames = build.generate_demo(
            employees=employees, start=dt.date(first // 12, first % 12 + 1, 1), end_month=end
        )
        written = build.write_demo_files(frames, files)
        staff = pl.read_parquet(written["staff"])
        last = staff["snapshot_date"].max()
        staff.filter(pl.col("snapshot_date") < last).write_parquet(written["staff"])
        staff.filter(pl.col("snapshot_date") == last).write_parquet(new_file)
        conn = store.connect(db)
        try:
            with hooks.suspended():
                for kind in build.LOAD_ORDER:
                    import_file(conn, written[kind], kind=kind, user="soak")
            hooks.after_data_change(conn, build.LOAD_ORDER)
        finally:
            conn.close()
        print(f"demo database: {employees:,} staff, {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    database.ensure_published(db)
    held_back = pl.read_parquet(new_file)
    month = held_back["snapshot_date"].max().strftime("%Y-%m")
    print(f"new month file: {new_file.name} ({month}), {held_back.height:,} rows", flush=True)
    return db, new_file, month


def _read_pages(app, session: Session, stop: threading.Event, new_month: str) -> None:
    from kompetens import query

    scope = query.Scope.everything()
    while not stop.is_set():
        started = time.perf_counter()
        try:
            cur = app.connection().cursor()
            # the latest month with staff figures (other kinds' months may run ahead)
            months = query.available_periods(cur, scope, "month", STAFF_INDICATOR)[
                "period"
            ].to_list()
            latest = months[-1]
            query.headline(cur, scope, ["certified_teacher_share", "temporary_teacher_share"], "month", latest)  # fmt: skip
            query.series(cur, scope, "certified_teacher_share", "org", "org", "rolling_12m")
            cur.close()
        except Exception as exc:  # counted and reported: the target is none
            session.errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.05)
            continue
        finished = time.perf_counter()
        session.pages.append((started, finished - started, latest))
        if latest == new_month and session.saw_new_at is None:
            session.saw_new_at = finished


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(args) -> dict:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="kompetens-soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db, new_file, new_month = _prepare(workdir, args.employees, args.years)

    from kompetens.ui.context import AppDatabase

    app = AppDatabase(
        str(db)
    )  # one per process and database, shared by the sessions, as in the app
    sessions = [Session() for _ in range(args.readers)]
    stop = threading.Event()
    threads = [
        threading.Thread(target=_read_pages, args=(app, s, stop, new_month), daemon=True)
        for s in sessions
    ]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(args.import_at)
    import_started = time.perf_counter()
    env = dict(os.environ)
    done = subprocess.run(
        [sys.executable, "-m", "kompetens.cli", "import", str(new_file), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
    )
    import_ended = time.perf_counter()
    remaining = args.seconds - (import_ended - t0)
    if remaining > 0:
        time.sleep(remaining)
    # Give the sessions up to 30 s more to see the new month if they have not yet.
    deadline = time.perf_counter() + 30
    while any(s.saw_new_at is None for s in sessions) and time.perf_counter() < deadline:
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(30)

    pages = [p for s in sessions for p in s.pages]
    before = [d for start, d, _ in pages if start < import_started]
    # During: started while the import ran, or started before and still running when it began.
    during_pages = [
        p
        for p in pages
        if import_started <= p[0] < import_ended or p[0] < import_started < p[0] + p[1]
    ]
    during = [d for _, d, _ in during_pages]
    worst = max(during_pages, key=lambda p: p[1], default=None)
    longest = max(pages, key=lambda p: p[1], default=None)
    seen = [s.saw_new_at for s in sessions]
    all_seen = max(seen) if all(v is not None for v in seen) else None
    return {
        "employees": args.employees,
        "readers": args.readers,
        "pages": len(pages),
        "errors": sum(len(s.errors) for s in sessions),
        "error_examples": sorted({e for s in sessions for e in s.errors})[:3],
        "import_exit_code": done.returncode,
        "import_stderr_tail": done.stderr.strip().splitlines()[-3:] if done.returncode else [],
        "import_seconds": import_ended - import_started,
        "page_before_median": statistics.median(before) if before else float("nan"),
        "page_before_p95": _percentile(before, 0.95),
        "page_during_median": statistics.median(during) if during else float("nan"),
        "page_during_p95": _percentile(during, 0.95),
        "longest_page_during_import": worst[1] if worst else float("nan"),
        "longest_page_during_import_started_at": (
            worst[0] - import_started if worst else float("nan")
        ),
        "longest_page_overall": longest[1] if longest else float("nan"),
        "longest_page_started_after_import_start": (
            longest[0] - import_started if longest else float("nan")
        ),
        "all_sessions_see_new_month_after_import_start": (
            all_seen - import_started if all_seen else None
        ),
        "all_sessions_see_new_month_after_import_exit": (
            all_seen - import_ended if all_seen else None
        ),
        "workdir": str(workdir),
    }


def report(r: dict) -> None:
    print(f"\nSoak: {r['readers']} sessions, {r['pages']:,} pages, {r['employees']:,}-staff month imported from the CLI")  # fmt: skip
    print(
        f"  errors in the sessions:          {r['errors']} (target 0) {r['error_examples'] or ''}"
    )
    print(f"  import exit code:                {r['import_exit_code']} {r['import_stderr_tail'] or ''}")  # fmt: skip
    print(f"  import wall time:                {r['import_seconds']:.1f} s")
    print(f"  page time before the import:     median {r['page_before_median'] * 1000:.0f} ms, p95 {r['page_before_p95'] * 1000:.0f} ms")  # fmt: skip
    print(f"  page time during the import:     median {r['page_during_median'] * 1000:.0f} ms, p95 {r['page_during_p95'] * 1000:.0f} ms")  # fmt: skip
    print(f"  longest page wait during import: {r['longest_page_during_import']:.2f} s (started {r['longest_page_during_import_started_at']:+.1f} s from the import's start)")  # fmt: skip
    print(f"  longest page overall:            {r['longest_page_overall']:.2f} s, started {r['longest_page_started_after_import_start']:+.1f} s from the import's start")  # fmt: skip
    seen = r["all_sessions_see_new_month_after_import_start"]
    if seen is None:
        print("  new month seen by every session: NO (not within 30 s after the soak)")
    else:
        print(f"  every session shows the new month {seen:.1f} s after the import started ({r['all_sessions_see_new_month_after_import_exit']:.1f} s after it exited)")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--import-at", type=float, default=10.0)
    parser.add_argument("--workdir", default=None)
    # parse_known_args: ``python -m kompetens.benchmarks soak`` leaves its own name in argv.
    args, _unknown = parser.parse_known_args(argv)
    from kompetens import wiring

    wiring.wire()
    report(run(args))


if __name__ == "__main__":
    main()
