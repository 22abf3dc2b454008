"""Benchmark: the whole-table suppression mask (``apply_suppression``) on generated organisations.

Grain: one run = one database's key figures suppressed once (every indicator,
period type, breakdown and level), in a fresh child process so that the peak
resident memory (``ru_maxrss``, MB) is the mask's own. Reported per run: wall
and CPU seconds (``time.process_time``), peak MB, the load average before and
after, cells hidden, the secondary share of unit cells (%), and with
``--attack`` the cells the attack (``query.disclosure``) recovers.

The organisation is the benchmarks' generator (``indicators``: the demo
generator over eight years, Nov 2018 – Oct 2026, seed 42) at ``--employees``
staff, built in a temporary folder, or an existing database (``--db``, e.g.
the demo). ``--baseline DIR`` runs the same on another checkout of the code
(e.g. a copy of an earlier commit) side by side, in the same run.
``--timeout`` stops a child that runs longer (reported as such).

Run: ``uv run python -m kompetens.benchmarks suppression --employees 1000 [--db PATH ...]
[--baseline DIR] [--attack]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _build(employees: int, db: str) -> None:
    """The generator's organisation at ``employees`` staff with its key figures (no mask)."""
    from kompetens import wiring
    from kompetens.benchmarks import indicators
    from kompetens.core import hooks, store
    from kompetens.indicators import recompute

    wiring.wire()
    hooks._AFTER_RECOMPUTE.clear()  # the mask is what is measured, in its own process
    indicators._prepare(employees, 42, db)
    conn = store.connect(db)
    recompute(conn)
    conn.close()


def _mask(db: str, attack: bool) -> dict:
    import polars as pl

    from kompetens.query.disclosure import read_figures
    from kompetens.query.suppression import apply_suppression

    truth, units = read_figures(db)
    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    out = apply_suppression(truth, units, with_reason=True)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    unit = out.filter(pl.col("level") == "unit")
    result = {
        "rows": out.height,
        "hidden": int(out["suppressed"].sum()),
        "secondary_unit_pct": round(
            100 * float((unit["suppression_reason"] == "secondary").sum()) / max(unit.height, 1), 2
        ),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    if attack:
        from kompetens.query.disclosure import attack as run_attack

        report = run_attack(out, truth, units)
        result["recovered"] = report.total
    return result


def _child(code: str, db: str, attack: bool, timeout: float) -> dict:
    """``_mask`` in a child process running the code checked out at ``code``."""
    env = dict(os.environ, PYTHONPATH=code)
    snippet = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "from kompetens.benchmarks.suppression import _mask; "
        "print(json.dumps(_mask(sys.argv[2], sys.argv[3] == '1')))"
    )
    args = [sys.executable, "-c", snippet, code, db, "1" if attack else "0"]
    if not (Path(code) / "kompetens" / "benchmarks" / "suppression.py").exists():
        # an older checkout has no benchmark: run this file's ``_mask`` on its package
        snippet = (
            "import json, sys, runpy; sys.path.insert(0, sys.argv[1]); "
            "m = runpy.run_path(sys.argv[4]); "
            "print(json.dumps(m['_mask'](sys.argv[2], sys.argv[3] == '1')))"
        )
        args = [sys.executable, "-c", snippet, code, db, "1" if attack else "0", __file__]
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, nargs="*", default=[1000])
    parser.add_argument("--db", nargs="*", default=[], help="existing databases to mask as well")
    parser.add_argument("--baseline", help="another checkout of the code, run side by side")
    parser.add_argument("--attack", action="store_true")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args(argv if argv is not None else sys.argv[2:])
    here = str(Path(__file__).resolve().parents[2])
    codes = [("this code", here)] + ([("baseline", args.baseline)] if args.baseline else [])
    with tempfile.TemporaryDirectory() as tmp:
        dbs = []
        for n in args.employees:
            db = str(Path(tmp) / f"generator-{n}.duckdb")
            _build(n, db)
            dbs.append((f"generator, {n:,} staff", db))
        dbs += [(db, db) for db in args.db]
        for label, db in dbs:
            for name, code in codes:
                r = _child(code, db, args.attack, args.timeout)
                print(f"{label} | {name}: {json.dumps(r)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
