"""The key benchmarks in one run, ending with one summary line.

    uv run python -m kompetens.benchmarks --summary [--employees N] [--repeat R] [--no-browser]

On a fresh demo organisation of ``N`` staff (default 50,000; eight years of
monthly snapshots, the ``indicators`` benchmark's data) in a temporary folder:

1. ``recompute`` (child process): a full recompute — wall seconds and peak MB;
2. ``compare`` (child process): Kompetens against pandas computing the same
   key-figure rows — the CPU ratio;
3. ``sql_floor`` (child process): Kompetens's read + compute of three
   indicators over the same indicators in DuckDB SQL — the CPU ratio;
4. ``pages``: the slowest warm page script run (AppTest) and, unless
   ``--no-browser``, the browser figures against the trivial app.

The last line is exactly::

    summary: recompute_s=… recompute_mb=… pandas_ratio=… sql_floor_ratio=… page_warm_max_ms=… nav_max_s=… nav_trivial_s=… first_chart_ratio=…

A value that was not measured (``--no-browser``) is ``na``. The figures
above it say what each value is, with CPU times and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

FIELDS = (
    "recompute_s",
    "recompute_mb",
    "pandas_ratio",
    "sql_floor_ratio",
    "page_warm_max_ms",
    "nav_max_s",
    "nav_trivial_s",
    "first_chart_ratio",
)


def summary_line(values: dict) -> str:
    """``summary: name=value …`` in :data:`FIELDS` order; a missing or None value is ``na``."""

    def show(value) -> str:
        if value is None or value != value:  # not measured, or timed out (nan)
            return "na"
        if isinstance(value, float):
            return f"{value:.2f}"
        return str(value)

    return "summary: " + " ".join(f"{name}={show(values.get(name))}" for name in FIELDS)


def _sql_floor_child(db: str, repeat: int) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "kompetens.benchmarks.sql_floor",
        "--db",
        db,
        "--repeat",
        str(repeat),
        "--json",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"sql_floor failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(employees: int, *, repeat: int, browser: bool, seed: int = 42) -> dict:
    from kompetens.benchmarks import indicators, pages, sql_floor

    values: dict = {}
    with tempfile.TemporaryDirectory(prefix="kompetens-summary-") as tmp:
        db = str(Path(tmp) / "summary.duckdb")
        print(f"Demo organisation of {employees:,} staff in {db} …", flush=True)
        indicators._child("prepare", [db, str(employees), str(seed)])

        rec = indicators._child("recompute", [db])
        print(
            f"Full recompute: {rec['seconds']} s (CPU {rec['cpu_seconds']} s), peak {rec['peak_mb']} MB, "
            f"{rec['key_figure_rows']:,} key figures (load {rec['load_average']})",
            flush=True,
        )
        values["recompute_s"] = float(rec["seconds"])
        values["recompute_mb"] = int(rec["peak_mb"])

        cmp = indicators._child("compare", [db, str(repeat)])
        print(
            f"pandas computing the same key figures: {cmp['pandas_same_cpu_seconds']} s CPU against "
            f"Kompetens's {cmp['kompetens_three_only_cpu_seconds']} s: {cmp['speedup_same_figures_cpu']}x "
            f"(load {cmp['load_average']})",
            flush=True,
        )
        values["pandas_ratio"] = float(cmp["speedup_same_figures_cpu"])

        floor = _sql_floor_child(db, repeat)
        print(sql_floor.summary(floor), flush=True)
        values["sql_floor_ratio"] = float(floor["sql_floor_ratio"])

        result = pages.run(Path(db), repeat=max(1, repeat), with_browser=browser)
        print(pages.report(result), flush=True)
        values["page_warm_max_ms"] = int(result["page_warm_max_ms"])
        if browser:
            values["nav_max_s"] = float(result["nav_max_s"])
            values["nav_trivial_s"] = float(result["nav_trivial_s"])
            values["first_chart_ratio"] = float(result["first_chart_ratio"])
    print(f"(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return values


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs of each step (the best counts)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--no-browser", action="store_true", help="skip the Chromium figures (reported as na)"
    )
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    values = run(args.employees, repeat=args.repeat, browser=not args.no_browser, seed=args.seed)
    print(summary_line(values), flush=True)


if __name__ == "__main__":
    main()
