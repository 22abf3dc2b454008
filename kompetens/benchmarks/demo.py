"""Benchmark: build the demo database from nothing (generate, write files, import, key figures).

Each size runs ``kompetens.demo.build_demo`` in a fresh child process against a
new database in a temporary folder (nothing in ``data/`` is touched), so the
time includes the Python start-up and imports a user waits for, and the peak
resident memory is the build's own. The phases are timed from the build's
own progress messages.

Run: ``uv run python -m kompetens.benchmarks.demo [--employees 5000 50000] [--seed 42]``

Target (issue 2): the 5,000-staff demo in ≤ 20 s on this 2-core machine.
The 50,000-staff figure is reported for reference (a 10x organisation).
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

TARGET_SECONDS_5000 = 20.0

#: Progress message prefix -> phase name.
PHASES = (
    ("Skapar", "generate"),
    ("Skriver", "write files"),
    ("Importerar", "import"),
    ("Räknar", "key figures"),
    ("Demodatabasen", "done"),
)


def _child(employees: int, seed: int, db: str, out_dir: str, started: float) -> None:
    from kompetens.demo import build_demo

    marks: list[tuple[str, float]] = []

    def progress(_fraction: float, message: str) -> None:
        for prefix, phase in PHASES:
            if message.startswith(prefix) and (not marks or marks[-1][0] != phase):
                marks.append((phase, time.time()))

    t0 = time.time()
    counts = build_demo(
        db, employees=employees, seed=seed, out_dir=Path(out_dir), progress=progress
    )
    end = time.time()
    phases = {}
    for (phase, at), (_next, next_at) in zip(marks, [*marks[1:], ("end", end)], strict=True):
        if phase != "done":
            phases[phase] = round(next_at - at, 2)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "employees": employees,
                "seconds_total": round(end - started, 2),
                "seconds_build": round(end - t0, 2),
                "start_up": round(t0 - started, 2),
                "phases": phases,
                "peak_mb": round(peak_mb),
                "rows": counts,
                "db_mb": round(os.path.getsize(db) / 2**20, 1),
            }
        )
    )


def run(employees: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="kompetens-demo-bench-") as tmp:
        db = str(Path(tmp) / "demo.duckdb")
        started = time.time()
        cmd = [
            sys.executable,
            "-m",
            "kompetens.benchmarks.demo",
            "--child",
            str(employees),
            str(seed),
            db,
            str(Path(tmp) / "files"),
            repr(started),
        ]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        from kompetens import wiring

        wiring.wire()
        employees, seed, db, out_dir, started = args.child
        _child(int(employees), int(seed), db, out_dir, float(started))
        return
    for n in args.employees:
        r = run(n, args.seed)
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in r["phases"].items())
        verdict = ""
        if n == 5000:
            met = r["seconds_total"] <= TARGET_SECONDS_5000
            verdict = f" (target <= {TARGET_SECONDS_5000:.0f} s: {'met' if met else 'NOT met'})"
        print(
            f"demo {n} staff: {r['seconds_total']:.1f} s from nothing{verdict}; "
            f"python start-up {r['start_up']:.1f} s, {phases}; "
            f"peak RSS {r['peak_mb']} MB, database {r['db_mb']} MB, "
            f"{r['rows']['staff']} staff rows, {r['rows']['units']} units, {r['rows']['events']} events"
        )


if __name__ == "__main__":
    main()
