"""Benchmark: the nightly import of one staff month, recomputed by month, against a full recompute.

For each size a demo organisation is generated for eight years of monthly snapshots (Nov 2018 –
Oct 2026, as the ``indicators`` benchmark) into a DuckDB file in a temporary folder, **without**
its last staff month; the key figures are computed in full. Then, each step in a fresh child
process (peak memory ``ru_maxrss`` is the step's own, the process included):

1. **full** – a full recompute of every key figure (``recompute(conn)``);
2. **new month** – the last month's snapshot written as an import writes it
   (``ingest.writer.write_batch``), then the recompute a staff import triggers
   (``recompute(conn, {"staff"})``): timed apart;
3. **old month** – the snapshot of twelve months before the last re-imported as it is (a new
   batch: the figures must be redone, and stay the same), and its recompute.

Steps 2 and 3 run twice, each on its own copy of the database: **by month** (this code), and
**whole blocks** (the stored staff dates deleted first, so the engine redoes every block that
reads ``staff`` on all rows: what a staff import did before the recompute by month), so before
and after come from one run and one load. The recompute after a staff import is what the
nightly import waits for. The key figures are timed apart from the after-recompute callbacks
that run in the same transaction (``core.hooks.figures_recomputed``: the stored suppression mask,
computed over the whole key-figure table); reading the import file is in neither.

Run: ``uv run python -m kompetens.benchmarks incremental [--employees 5000 50000]``

Target (issue 18): the recompute after one new staff month in <= 1 s at 50,000 staff. Wall time
depends on what else the (2-core) machine does: every step also reports its CPU time (all
threads) and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_SECONDS = 1.0

#: The child steps, as code that runs with any checkout's ``kompetens`` on the path (the
#: benchmark itself need not exist there). ``ARGS`` holds the step's arguments.
_COMMON = """
import json, os, resource, sys, time
from datetime import date
ARGS = json.loads(sys.argv[1])
from kompetens import wiring
wiring.wire()
from kompetens.core import store
from kompetens.indicators import engine
import polars as pl

def measure(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    return value, round(time.perf_counter() - t0, 3), round(time.process_time() - c0, 3)

# The after-recompute callbacks (the stored suppression mask) are timed apart.
from kompetens.core import hooks
CALLBACKS = {"seconds": 0.0, "cpu_seconds": 0.0}
_after = getattr(hooks, "figures_recomputed", None)
if _after is not None and os.environ.get("KOMPETENS_BENCH_NO_CALLBACKS"):
    hooks.figures_recomputed = lambda conn, progress: None
elif _after is not None:
    def _timed(conn, progress):
        _, seconds, cpu = measure(lambda: _after(conn, progress))
        CALLBACKS["seconds"] += seconds
        CALLBACKS["cpu_seconds"] += cpu
    hooks.figures_recomputed = _timed

def done(out):
    if "seconds" in out:
        out["callbacks_seconds"] = round(CALLBACKS["seconds"], 3)
        out["callbacks_cpu_seconds"] = round(CALLBACKS["cpu_seconds"], 3)
        out["figures_seconds"] = round(out["seconds"] - CALLBACKS["seconds"], 3)
        out["figures_cpu_seconds"] = round(out["cpu_seconds"] - CALLBACKS["cpu_seconds"], 3)
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["load_average"] = round(os.getloadavg()[0], 1)
    print(json.dumps(out))
"""

_PREPARE = (
    _COMMON
    + """
from kompetens.demo import generate_demo
frames = generate_demo(employees=ARGS["employees"], start=date(2018, 11, 1), end_month=date(2026, 10, 1), seed=ARGS["seed"])
staff = frames["staff"]
last = staff["snapshot_date"].max()
in_last = (pl.col("snapshot_date").dt.year() == last.year) & (pl.col("snapshot_date").dt.month() == last.month)
staff.filter(in_last).write_parquet(ARGS["new_month"])
old = date(last.year - 1, last.month, 1)
staff.filter((pl.col("snapshot_date").dt.year() == old.year) & (pl.col("snapshot_date").dt.month() == old.month)).write_parquet(ARGS["old_month"])
frames["staff"] = staff.filter(~in_last)
conn = store.connect(ARGS["db"])
for kind, frame in frames.items():
    store.append_rows(conn, kind, frame, store.next_batch_id(conn))
engine.recompute(conn)
conn.close()
done({"staff_rows": staff.height, "new_month_rows": staff.filter(in_last).height})
"""
)

_FULL = (
    _COMMON
    + """
conn = store.connect(ARGS["db"])
rows, seconds, cpu = measure(lambda: engine.recompute(conn, **engine.stored_settings(conn)))
conn.close()
done({"seconds": seconds, "cpu_seconds": cpu, "rows": rows})
"""
)

_MONTH = (
    _COMMON  # noqa: S608 (a constant statement in the child code, no value in it)
    + """
from kompetens.ingest import writer
conn = store.connect(ARGS["db"])
snapshot = pl.read_parquet(ARGS["file"])
write = lambda: writer.write_batch(conn, "staff", snapshot, file_name="staff.csv", sha256=ARGS["file"],
    rows_in=snapshot.height, rows_rejected=0, user="benchmark", warnings=[])
_, write_s, write_cpu = measure(write)
if ARGS["whole"]:
    conn.execute("DELETE FROM meta WHERE key = 'key_figures_staff_dates'")
settings = engine.stored_settings(conn)
rows, seconds, cpu = measure(lambda: engine.recompute(conn, {"staff"}, **settings))
conn.close()
done({"seconds": seconds, "cpu_seconds": cpu, "rows": rows, "write_seconds": write_s, "write_cpu_seconds": write_cpu})
"""
)


def _child(code: str, root: Path, args: dict) -> dict:
    env = dict(os.environ, PYTHONPATH=str(root))
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(args)],
        capture_output=True, text=True, check=False, cwd=root, env=env,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"child in {root} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(employees: int, root: Path, seed: int = 42) -> dict:
    """Prepare, then time the full recompute, and the new and the old month both ways."""
    with tempfile.TemporaryDirectory(prefix="kompetens-incremental-bench-") as tmp:
        files = {
            "db": str(Path(tmp) / "bench.duckdb"),
            "new_month": str(Path(tmp) / "new_month.parquet"),
            "old_month": str(Path(tmp) / "old_month.parquet"),
        }
        prepared = _child(_PREPARE, root, {**files, "employees": employees, "seed": seed})
        whole_db = str(Path(tmp) / "whole.duckdb")
        shutil.copyfile(files["db"], whole_db)
        result = {"employees": employees, "staff_rows": prepared["staff_rows"]}
        for way, db in (("whole", whole_db), ("by_month", files["db"])):
            for month in ("new_month", "old_month"):
                args = {"db": db, "file": files[month], "whole": way == "whole"}
                result[f"{month}_{way}"] = _child(_MONTH, root, args)
        result["full"] = _child(_FULL, root, files)
    return result


def _line(label: str, step: dict) -> str:
    return (
        f"  {label:34s} {step['figures_seconds']:6.2f} s (CPU {step['figures_cpu_seconds']} s), "
        f"{step['rows']:,} rows written; then the after-recompute callbacks "
        f"{step['callbacks_seconds']:.2f} s (CPU {step['callbacks_cpu_seconds']} s); "
        f"peak {step['peak_mb']:,} MB (load {step['load_average']})"
    )


def report(r: dict) -> str:
    """One size as a few readable lines."""
    new = r["new_month_by_month"]
    met = new["seconds"] <= TARGET_SECONDS
    return "\n".join(
        [
            f"{r['employees']:,} staff, {r['staff_rows']:,} snapshot rows",
            _line("full recompute:", r["full"]),
            _line("new month, recompute by month:", new)
            + (
                f"  [target <= {TARGET_SECONDS:.0f} s: {'met' if met else 'NOT met'}]"
                if r["employees"] >= 50000
                else ""
            ),
            _line("new month, whole blocks:", r["new_month_whole"]),
            _line("old month again, by month:", r["old_month_by_month"]),
            _line("old month again, whole blocks:", r["old_month_whole"]),
            f"  (writing the new month's snapshot: {new['write_seconds']} s)",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true", help="print the results as JSON lines too")
    parser.add_argument(
        "--no-callbacks",
        action="store_true",
        help="skip the after-recompute callbacks (the suppression mask) in every step",
    )
    # parse_known_args: ``python -m kompetens.benchmarks incremental`` leaves its own name in argv.
    args, _unknown = parser.parse_known_args(argv)
    here = Path(__file__).resolve().parents[2]
    if args.no_callbacks:
        os.environ["KOMPETENS_BENCH_NO_CALLBACKS"] = "1"
    for employees in args.employees:
        r = run(employees, here, args.seed)
        if args.json:
            print(json.dumps(r), flush=True)
        print(report(r), flush=True)
    print(f"(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
