"""Benchmark: Översikt and Behörighet with external benchmarks against without, side by side.

``uv run python -m kompetens.benchmarks external_pages [--db PATH] [--repeat N]``

Two databases with the same personnel data: ``--db`` as it is (with its benchmark values,
e.g. the demo's) and a copy beside it in a temporary folder whose benchmark table and
benchmark log are emptied (the pages then draw no comparison, no trend line, no Skolverket
check: exactly the page before the feature). Both are published
(``ops.database.ensure_published``), so no run pays for a recompute.

Each page is run through the real frame (``app.py``) with Streamlit's ``AppTest``, one
``AppTest`` per database, in one process: first one run each (cold, not counted), then
``--repeat`` rounds, each running *with* and *without* back to back, the order alternating
round by round, so both see the same load on a shared machine. Per run: wall time
(``perf_counter``) and the process's CPU time (``process_time``, all threads). Printed per
page: the medians, the ratios with / without (wall and CPU), and the load average before and
after. The query cache keys on the key-figure stamp, which both databases share, so the key
figures are served alike; what differs is only what the benchmark components read and draw.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kompetens import wiring
from kompetens.core import paths

PAGES = {"Översikt": "views/oversikt.py", "Behörighet": "views/behorighet.py"}


def without_benchmarks(db: Path, folder: Path) -> Path:
    """A copy of ``db`` with an empty benchmark table and log (the same personnel data)."""
    from kompetens.core import store

    copy = folder / "utan-jamforelser.duckdb"
    shutil.copy(db, copy)
    conn = store.connect(copy)
    try:
        conn.execute("DELETE FROM external_values")
        conn.execute("DELETE FROM external_import_log")
    finally:
        conn.close()
    return copy


def _run(at, db: Path) -> tuple[float, float]:
    """One script run of ``at`` against ``db``: (wall seconds, CPU seconds)."""
    os.environ["KOMPETENS_DB"] = str(db)
    wall, cpu = time.perf_counter(), time.process_time()
    at.run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return wall, cpu


def _app(db: Path, page: str):
    from streamlit.testing.v1 import AppTest

    os.environ["KOMPETENS_DB"] = str(db)
    at = AppTest.from_file(str(paths.PROJECT_ROOT / "app.py"), default_timeout=600)
    at.run()
    at.switch_page(page)
    return at


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="external_pages")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=7)
    args, _ = parser.parse_known_args(argv if argv is not None else sys.argv[1:])
    wiring.wire()
    from kompetens.core import store
    from kompetens.ops import database

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    with_db = paths.db_path(args.db)
    probe = store.connect(with_db, read_only=True)
    try:
        values = store.scalar(probe, "SELECT count(*) FROM current_external_values")
    finally:
        probe.close()
    with tempfile.TemporaryDirectory(prefix="kompetens-external-pages-") as tmp:
        without_db = without_benchmarks(with_db, Path(tmp))
        database.ensure_published(with_db)
        database.ensure_published(without_db)
        print(
            f"{with_db}: {values:,} benchmark values; the copy without: 0".replace(",", " "),
            flush=True,
        )
        for name, page in PAGES.items():
            apps = {"with": _app(with_db, page), "without": _app(without_db, page)}
            dbs = {"with": with_db, "without": without_db}
            for kind in apps:
                _run(apps[kind], dbs[kind])  # cold run, not counted
            load_before = os.getloadavg()
            walls: dict[str, list[float]] = {"with": [], "without": []}
            cpus: dict[str, list[float]] = {"with": [], "without": []}
            for round_ in range(args.repeat):
                order = ("with", "without") if round_ % 2 == 0 else ("without", "with")
                for kind in order:
                    wall, cpu = _run(apps[kind], dbs[kind])
                    walls[kind].append(wall)
                    cpus[kind].append(cpu)
            load_after = os.getloadavg()
            w = {k: statistics.median(v) for k, v in walls.items()}
            c = {k: statistics.median(v) for k, v in cpus.items()}
            print(
                f"{name}: with benchmarks {w['with'] * 1000:.0f} ms wall / {c['with'] * 1000:.0f} ms CPU, "
                f"without {w['without'] * 1000:.0f} ms wall / {c['without'] * 1000:.0f} ms CPU; "
                f"ratio wall {w['with'] / w['without']:.2f}, CPU {c['with'] / c['without']:.2f} "
                f"(median of {args.repeat} side-by-side rounds; load average "
                f"{load_before[0]:.1f} before, {load_after[0]:.1f} after)",
                flush=True,
            )


if __name__ == "__main__":
    main()
