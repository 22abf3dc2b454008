"""Benchmark: dialogue briefs, one unit (PDF with charts) and a whole area.

``uv run python -m kompetens.benchmarks.briefs [DB]`` (or ``uv run python -m
kompetens.benchmarks briefs``) on the database ``paths.db_path()`` points to.
Targets (issue 5): one unit brief ≤ 3 s; a whole area of ~25 units ≤ 45 s.

Reported separately because they differ in kind:

- *chart session start*: headless Chromium and plotly.js, paid once per
  process (the app keeps its session; the CLI pays it once per run);
- *one unit*: gathering (query layer, cold and warm cache), drawing the four
  charts, typesetting, and the Excel file;
- *whole area*: the largest area, zip of PDFs plus workbook, with one session.

Figures are printed, never asserted. The machine's load is printed too:
on a shared two-core machine wall time follows the neighbours.
"""

from __future__ import annotations

import os
import sys
import time

import polars as pl
import psutil

from kompetens import query, wiring
from kompetens.core import paths, store
from kompetens.dialogue.briefs import excel
from kompetens.dialogue.briefs.area import build_area
from kompetens.dialogue.briefs.charts import ChartRenderer
from kompetens.dialogue.briefs.content import build_brief, default_period
from kompetens.dialogue.briefs.pdf import chart_images, compile_pdf


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.0f} ms"


def cpu_seconds() -> float:
    """CPU time of this process and its children (Chromium renders in child processes)."""
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            continue
    return total


def main(argv: list[str] | None = None) -> None:
    wiring.wire()
    args = argv if argv is not None else sys.argv[1:]
    if argv is None:  # ``python -m kompetens.benchmarks briefs`` leaves benchmark names in argv
        from kompetens.benchmarks import available

        args = [a for a in args if a not in available()]
    db = paths.db_path(args[0] if args else None)
    conn = store.connect(db, read_only=True)
    scope = query.Scope.everything()
    period = default_period(conn, scope)
    areas = query.areas(conn, scope).sort("n_units", descending=True)
    area, n_units = areas.row(0)
    units = query.units(conn, scope, area=area)
    school = units.filter(pl.col("school_form") == "grundskola")
    unit = (school if school.height else units)["unit_id"].item(0)
    load = os.getloadavg()
    print(f"database: {db}  period: {period}  area: {area} ({n_units} units)  unit: {unit}")
    print(f"cpus: {psutil.cpu_count()}  load average: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")

    # A fresh process (the CLI): Chromium starts on a thread while the figures are gathered.
    query.clear_cache()
    c0, t0 = cpu_seconds(), time.perf_counter()
    renderer = ChartRenderer().start_in_background()
    brief = build_brief(conn, scope, unit, period=period)
    compile_pdf(brief, chart_images(brief, renderer))
    first, first_cpu = time.perf_counter() - t0, cpu_seconds() - c0
    start = renderer.start_seconds or 0.0
    print(
        f"first unit brief of a fresh process: {_ms(first)}  (CPU {_ms(first_cpu).strip()}; "
        f"of which Chromium + plotly.js start {_ms(start).strip()}, overlapped with gathering)"
    )

    try:
        print("\none unit brief (PDF with 4 charts):")
        for label in ("cold cache", "warm cache"):
            if label == "cold cache":
                query.clear_cache()
            c0, t0 = cpu_seconds(), time.perf_counter()
            brief = build_brief(conn, scope, unit, period=period)
            t1 = time.perf_counter()
            images = chart_images(brief, renderer)
            t2 = time.perf_counter()
            pdf = compile_pdf(brief, images)
            t3, c3 = time.perf_counter(), cpu_seconds()
            print(
                f"  {label}: gather {_ms(t1 - t0)}  charts {_ms(t2 - t1)}  typeset {_ms(t3 - t2)}"
                f"  total {_ms(t3 - t0)}  (CPU {_ms(c3 - c0).strip()}; {len(images)} charts, "
                f"{len(pdf) / 1024:.0f} KiB)"
            )
        t0 = time.perf_counter()
        excel.unit_workbook(brief)
        print(f"  Excel workbook: {_ms(time.perf_counter() - t0)}")
        print("  target: <= 3 s")

        print(f"\nwhole area ({n_units} units, zip of PDFs + workbook, one chart session):")
        query.clear_cache()
        c0, t0 = cpu_seconds(), time.perf_counter()
        result = build_area(conn, scope, area, period=period, renderer=renderer)
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        print(
            f"  {elapsed:.1f} s  (CPU {cpu:.1f} s; {elapsed / max(1, n_units):.2f} s per unit; "
            f"zip {len(result.zip_bytes) / 2**20:.1f} MiB, workbook {len(result.workbook_bytes) / 1024:.0f} KiB)"
        )
        print(f"  with the session start (the CLI's case): {elapsed + start:.1f} s")
        print(f"  images drawn by the one session: {renderer.renders}")
        print("  target: <= 45 s")
    finally:
        renderer.close()
        conn.close()


if __name__ == "__main__":
    main()
