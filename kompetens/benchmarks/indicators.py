"""Benchmark: full recompute of every key figure, and a pandas baseline.

For each size the demo organisation is generated for eight years of monthly
snapshots (Nov 2018 – Oct 2026) and stored in a DuckDB file in a temporary
folder (nothing in ``data/`` is touched). Then, each in a fresh child process
so that the peak resident memory (``ru_maxrss``) is that step's own:

1. **recompute** – ``kompetens.indicators.recompute(conn)``: read the store,
   run every pipeline, write ``key_figures`` (wall time, peak memory, rows).
2. **pandas vs Kompetens** – on the same frames read from the same store,
   ``certified_teacher_share``, ``turnover_rate`` and ``sick_leave_rate``:

   * ``kompetens_three`` – the pipeline steps ``compute`` runs for those three
     (checked to give exactly ``compute``'s rows of them);
   * ``pandas_same_figures`` (``pandas_baseline.py``) – straightforward pandas
     computing exactly the same key-figure rows (every level, breakdown, month /
     year / rolling 12 months, numerator, denominator, value, n_individuals),
     checked row by row (a missing, extra or differing row fails the run);
   * ``pandas_three`` – pandas computing a subset (no breakdowns, rolling
     windows or n_individuals; checked at organisation level);
   * ``compute`` of the staff, event and sick-leave blocks – every indicator
     that reads those kinds (16), for scale.

   Each runs ``--repeat`` times (default 3) and its best time counts.
3. **per block** (``--blocks``) – reading the store, the shared inputs (snapshot base,
   staff roll-up, headcount periods, prepared events) and each compute block in turn, with
   wall and CPU seconds and the peak resident memory while it ran (sampled every 5 ms from
   ``/proc/self/statm``) against the memory before it.

Run: ``uv run python -m kompetens.benchmarks.indicators [--employees 5000 50000] [--repeat 3]
[--figures-only] [--no-pandas]``: ``--figures-only`` leaves out the after-recompute work
(the stored suppression mask), ``--no-pandas`` the pandas comparison (for 200,000 staff).

Targets (issue 3): at 50,000 staff a full recompute in <= 20 s and <= 4 GB;
Kompetens >= 5x faster than a straightforward pandas implementation of the
three indicators. The summary states the ratio against both pandas baselines;
the like-for-like one is the baseline computing the same figures.

Wall time depends on what else the (2-core) machine is doing, so every step
also reports its CPU time (all threads; ``time.process_time``) and the load
average: on a busy machine compare CPU seconds, not wall seconds.
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
from datetime import date
from pathlib import Path

TARGET_SECONDS = 20.0
TARGET_MB = 4096
TARGET_SPEEDUP = 5.0
START, END = date(2018, 11, 1), date(2026, 10, 1)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prepare(employees: int, seed: int, db: str) -> dict:
    import polars as pl

    from kompetens.core import store
    from kompetens.demo import generate_demo

    frames = generate_demo(employees=employees, start=START, end_month=END, seed=seed)
    conn = store.connect(db)
    if "themes" in frames.get("support_request", pl.DataFrame()).columns:
        # The demo names a request's themes as a file would (labels); rows appended straight
        # to the store need them as the importer stores them (ids).
        from kompetens.core import themes
        from kompetens.ingest.support_checks import themes_column

        requests = frames["support_request"]
        uniques = requests["themes"].drop_nulls().unique().to_list()
        stored, _ = themes_column(pl.col("themes"), uniques, themes.lookup(conn))
        frames["support_request"] = requests.with_columns(stored.alias("themes"))
    for kind, frame in frames.items():
        store.append_rows(conn, kind, frame, store.next_batch_id(conn))
    conn.close()
    return {"rows": {k: v.height for k, v in frames.items()}}


def _recompute(db: str, figures_only: bool = False) -> dict:
    from kompetens.core import hooks, store
    from kompetens.indicators import recompute

    if figures_only:  # the key figures alone: no after-recompute callbacks (the stored mask)
        hooks.figures_recomputed = lambda conn, progress: None
    conn = store.connect(db)
    t0, c0 = time.perf_counter(), time.process_time()
    rows = recompute(conn)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    conn.close()
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(_peak_mb()),
        "key_figure_rows": rows,
        "figures_only": figures_only,
        "load_average": round(os.getloadavg()[0], 1),
    }


# ---- the pandas baselines ----------------------------------------------------------------
# ``pandas_three`` and ``pandas_same_figures`` live in ``pandas_baseline``; they are
# imported lazily (module ``__getattr__``) so that pandas is not loaded into the
# recompute child, whose peak memory is measured.

_BASELINE_NAMES = ("pandas_three", "pandas_same_figures", "compare_key_figures")


def __getattr__(name: str):
    if name in _BASELINE_NAMES:
        from kompetens.benchmarks import pandas_baseline

        return getattr(pandas_baseline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def kompetens_three(frames):
    """The same three indicators through the Kompetens pipelines, and nothing else.

    The functions ``compute`` calls for them, with their breakdowns and rolling
    windows; the sick-leave step also gives ``long_sick_leave_share`` (same pass).
    """
    from kompetens.indicators import pipelines as pp

    settings = pp.Settings()
    units = pp.prepare_units(frames["units"])
    base = pp.snapshot_base(frames["staff"]).collect().lazy()
    grid = pp.grid_of(frames["staff"])
    needed = ["cts_num", "cts_den", "cts_p", "perm_p", "all_p"]
    rows = pp.staff_measures(base, settings).select(
        "employee_id", "unit_id", "staff_category", "m", "multi", *needed
    )
    roll = pp.person_rollup(
        rows,
        units,
        sums=["cts_num", "cts_den"],
        persons=["cts_p", "perm_p", "all_p"],
        unit_conditions={k: v for k, v in pp.STAFF_UNIT_CONDITIONS.items() if k.startswith("cts")},
    )
    cert = pp.stock_share(
        roll, "certified_teacher_share", "cts_num", "cts_den", "cts_p", settings, ("school_form",)
    )
    heads = pp.head_flows(roll, grid)  # average headcounts: turnover and sick leave
    ev = pp.prepare_events(frames["events"], units, base)
    turnover = pp.turnover_figures(pp.event_count_periods(ev, grid), heads, grid)
    sick = pp.sick_leave_indicators(frames["sick_leave"], units, roll, grid, heads)
    # As every block does: no year rows of an unfinished year for a 'leave_out' indicator.
    from kompetens.indicators.pipelines.block import finished_years_expr
    from kompetens.indicators.registry import REGISTRY

    keep = finished_years_expr(grid.last)

    def finished(name: str, frame):
        return frame.filter(keep) if REGISTRY[name].unfinished_year == "leave_out" else frame

    cert = finished("certified_teacher_share", cert)
    turnover = finished("turnover_rate", turnover)
    sick = {name: finished(name, frame) for name, frame in sick.items()}
    return cert, turnover, sick


def _org_gap(ours, indicator: str, period_type: str, theirs, period_col: str) -> tuple[float, int]:
    """Largest difference between the organisation's values in both, and the periods compared."""
    import polars as pl

    mine = ours[indicator].filter(
        (pl.col("level") == "org")
        & (pl.col("period_type") == period_type)
        & (pl.col("breakdown") == "all")
    )
    org = theirs[theirs["level"] == "org"].assign(period=lambda d: d[period_col].astype(str))
    joined = mine.join(pl.from_pandas(org[["period", "value"]]), on="period", suffix="_pd")
    return float((joined["value"] - joined["value_pd"]).abs().max()), joined.height


def _compare(db: str, repeat: int = 3) -> dict:

    from kompetens.benchmarks.pandas_baseline import (
        compare_key_figures,
        pandas_same_figures,
        pandas_three,
    )
    from kompetens.core import store
    from kompetens.indicators import pipelines
    from kompetens.indicators.engine import load_frames

    conn = store.connect(db)
    frames = load_frames(conn)
    conn.close()

    staff_pd = frames["staff"].to_pandas()
    events_pd = frames["events"].to_pandas()
    sick_pd = frames["sick_leave"].to_pandas()
    units_pd = frames["units"].to_pandas()
    for frame, col in ((staff_pd, "snapshot_date"), (events_pd, "event_date"), (sick_pd, "month")):
        frame[col] = frame[col].astype("datetime64[ns]")

    # Each contender runs ``repeat`` times in turn; its best run counts (the least disturbed
    # by whatever else the machine is doing).
    runs = {
        "pandas": lambda: pandas_three(staff_pd, events_pd, sick_pd, units_pd),
        "same": lambda: pandas_same_figures(staff_pd, events_pd, sick_pd, units_pd),
        "compute": lambda: pipelines.compute(
            frames, pipelines.Settings(), {"staff", "events", "sick_leave"}
        ),
        "three": lambda: kompetens_three(frames),
    }
    best: dict[str, tuple[float, float]] = {}
    results: dict = {}
    for _ in range(repeat):
        for name, fn in runs.items():
            t0, c0 = time.perf_counter(), time.process_time()
            results[name] = fn()
            took = (time.perf_counter() - t0, time.process_time() - c0)
            best[name] = min(best.get(name, took), took)
    cert, turnover, sick = results["pandas"]
    same, ours, three = results["same"], results["compute"], results["three"]
    pandas_s, pandas_cpu = best["pandas"]
    same_s, same_cpu = best["same"]
    polars_s, polars_cpu = best["compute"]
    three_s, three_cpu = best["three"]

    # The baseline must compute the same numbers, or the comparison means nothing.
    gaps = [
        _org_gap(ours, "certified_teacher_share", "month", cert, "month"),
        _org_gap(ours, "turnover_rate", "year", turnover, "year"),
    ]
    max_diff = max(gap for gap, _ in gaps)

    # The same-figures baseline: every row of the three indicators, both ways.
    names = ("certified_teacher_share", "turnover_rate", "sick_leave_rate")
    ours_three = {name: ours[name].to_pandas() for name in names}
    full = compare_key_figures(ours_three, same)
    if full["key_mismatches"] or full["rows_differing"] or not full["rows_kompetens"]:
        raise RuntimeError(f"pandas_same_figures differs from Kompetens: {full}")
    # kompetens_three must give the rows compute gives, or its timing is of other work.
    three_rows = {
        "certified_teacher_share": three[0],
        "turnover_rate": three[1],
        "sick_leave_rate": three[2]["sick_leave_rate"],
    }
    vs_compute = compare_key_figures(
        ours_three, {name: frame.to_pandas() for name, frame in three_rows.items()}
    )
    if not vs_compute["identical"]:
        raise RuntimeError(f"kompetens_three differs from compute: {vs_compute}")
    return {
        "pandas_seconds": round(pandas_s, 2),
        "kompetens_seconds": round(polars_s, 2),
        "speedup": round(pandas_s / polars_s, 1),
        "pandas_cpu_seconds": round(pandas_cpu, 2),
        "kompetens_cpu_seconds": round(polars_cpu, 2),
        "speedup_cpu": round(pandas_cpu / polars_cpu, 1),
        "load_average": round(os.getloadavg()[0], 1),
        "kompetens_three_only_seconds": round(three_s, 2),
        "kompetens_three_only_cpu_seconds": round(three_cpu, 2),
        "speedup_three_only": round(pandas_s / three_s, 1),
        "speedup_three_only_cpu": round(pandas_cpu / three_cpu, 1),
        "kompetens_three_only_rows": int(
            three[0].height + three[1].height + sum(f.height for f in three[2].values())
        ),
        "pandas_rows": int(len(cert) + len(turnover) + len(sick)),
        "kompetens_rows": int(sum(ours[i].height for i in ours)),
        "max_abs_difference_org": max_diff,
        "compared_periods": sum(n for _, n in gaps),
        "pandas_same_seconds": round(same_s, 2),
        "pandas_same_cpu_seconds": round(same_cpu, 2),
        "speedup_same_figures": round(same_s / three_s, 1),
        "speedup_same_figures_cpu": round(same_cpu / three_cpu, 1),
        "speedup_same_figures_full": round(same_s / polars_s, 1),
        "speedup_same_figures_full_cpu": round(same_cpu / polars_cpu, 1),
        "same_figures_rows": full["rows_kompetens"],
        "same_figures_rows_per_indicator": {
            name: r["rows_kompetens"] for name, r in full["indicators"].items()
        },
        "same_figures_rows_in_one_only": full["only_kompetens"] + full["only_pandas"],
        "same_figures_rows_differing": full["rows_differing"],
        "same_figures_max_abs_difference": full["max_abs_difference"],
        "same_figures_max_rel_difference": full["max_rel_difference"],
        "kompetens_three_matches_compute": vs_compute["identical"],
        "kompetens_indicators": len(ours),
        "repeat": repeat,
    }


class _PeakRss:
    """The peak resident memory of this process since ``reset``, sampled every 5 ms (Linux)."""

    def __init__(self) -> None:
        import threading

        self._page = os.sysconf("SC_PAGE_SIZE")
        self.peak = self.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def now(self) -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self._page

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.now())

    def reset(self) -> int:
        self.peak = self.now()
        return self.peak

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _blocks(db: str) -> dict:
    """Each step of a full compute in turn: wall, CPU, memory before and peak while it ran."""
    import gc

    from kompetens.core import store
    from kompetens.indicators import pipelines
    from kompetens.indicators.engine import load_frames

    rss = _PeakRss()
    conn = store.connect(db)
    steps: list[dict] = []
    state: dict = {}

    def step(name: str, fn) -> None:
        gc.collect()
        before = rss.reset()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        peak = max(rss.peak, rss.now())
        steps.append(
            {
                "step": name,
                "seconds": round(wall, 2),
                "cpu_seconds": round(cpu, 2),
                "rss_before_mb": round(before / 2**20),
                "peak_mb": round(peak / 2**20),
                "peak_increase_mb": round((peak - before) / 2**20),
            }
        )

    step("read the store", lambda: state.update(frames=load_frames(conn)))
    inputs = pipelines.Inputs(state["frames"], pipelines.Settings())
    step("shared: snapshot base", lambda: inputs.base)
    step("shared: staff roll-up", lambda: inputs.roll)
    step("shared: headcount periods", lambda: inputs.heads)
    step("shared: prepared events", lambda: inputs.events)
    for block in pipelines.ALL_BLOCKS:
        if block.compute is not None:
            step(f"block {block.name}", lambda block=block: block.compute(inputs))
    rss.stop()
    conn.close()
    return {"steps": steps, "load_average": round(os.getloadavg()[0], 1)}


def blocks_report(r: dict) -> str:
    lines = [
        f"  per step (load {r['load_average']}): wall s, CPU s, RSS before, peak, peak increase (MB)"
    ]
    for s in r["steps"]:
        lines.append(
            f"    {s['step']:28s} {s['seconds']:6.2f} {s['cpu_seconds']:6.2f} "
            f"{s['rss_before_mb']:7,} {s['peak_mb']:7,} {s['peak_increase_mb']:+7,}"
        )
    return "\n".join(lines)


def _child(step: str, args: list[str]) -> dict:
    cmd = [sys.executable, "-m", "kompetens.benchmarks.indicators", "--child", step, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(
    employees: int,
    seed: int,
    repeat: int = 3,
    blocks: bool = False,
    *,
    figures_only: bool = False,
    pandas: bool = True,
) -> dict:
    with tempfile.TemporaryDirectory(prefix="kompetens-indicator-bench-") as tmp:
        db = str(Path(tmp) / "bench.duckdb")
        prepared = _child("prepare", [db, str(employees), str(seed)])
        result = {
            "employees": employees,
            "staff_rows": prepared["rows"]["staff"],
            "events": prepared["rows"]["events"],
        }
        result["recompute"] = _child("recompute", [db, *(["figures-only"] if figures_only else [])])
        if pandas:
            result["pandas_vs_kompetens"] = _child("compare", [db, str(repeat)])
        if blocks:
            result["blocks"] = _child("blocks", [db])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs of each contender (the best counts)"
    )
    parser.add_argument(
        "--blocks", action="store_true", help="also time and measure the memory of each block"
    )
    parser.add_argument(
        "--figures-only",
        action="store_true",
        help="recompute the key figures without the after-recompute work (the suppression mask)",
    )
    parser.add_argument(
        "--no-pandas", action="store_true", help="skip the pandas comparison (large sizes)"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    # parse_known_args: ``python -m kompetens.benchmarks indicators`` leaves its own argument in argv.
    args, _unknown = parser.parse_known_args(argv)
    if args.child:
        from kompetens import wiring

        wiring.wire()
        step, *rest = args.child
        if step == "prepare":
            out = _prepare(int(rest[1]), int(rest[2]), rest[0])
        elif step == "recompute":
            out = _recompute(rest[0], figures_only="figures-only" in rest[1:])
        elif step == "blocks":
            out = _blocks(rest[0])
        else:
            out = _compare(rest[0], int(rest[1]) if len(rest) > 1 else 3)
        print(json.dumps(out))
        return
    for employees in args.employees:
        r = run(
            employees,
            args.seed,
            args.repeat,
            args.blocks,
            figures_only=args.figures_only,
            pandas=not args.no_pandas,
        )
        print(json.dumps(r), flush=True)
        print(summary(r), flush=True)
        if "blocks" in r:
            print(blocks_report(r["blocks"]), flush=True)


def summary(r: dict) -> str:
    """The run of one size as a few readable lines, with the targets."""
    rec, c = r["recompute"], r.get("pandas_vs_kompetens")
    recompute_ok = rec["seconds"] <= TARGET_SECONDS and rec["peak_mb"] <= TARGET_MB
    what = (
        "the key figures alone (no suppression mask)"
        if rec.get("figures_only")
        else "every indicator into DuckDB, the suppression mask included"
    )
    lines = [
        f"{r['employees']:,} staff, {r['staff_rows']:,} snapshot rows, {r['events']:,} events "
        f"(load {(c or rec)['load_average']}"
        + (f"; times are the best of {c.get('repeat', 1)})" if c else ")"),
        f"  full recompute, {what}: {rec['seconds']} s (CPU {rec['cpu_seconds']} s), "
        f"peak {rec['peak_mb']:,} MB, {rec['key_figure_rows']:,} key figures"
        + (
            "  [no verdict: the target is for the whole recompute, the mask included]"
            if rec.get("figures_only")
            else f"  [target <= {TARGET_SECONDS:.0f} s, <= {TARGET_MB:,} MB at 50,000: "
            f"{'met' if recompute_ok else 'NOT met'}]"
            if r["employees"] == 50000
            else ""
        ),
    ]
    if c is None:
        return "\n".join(lines)
    three = c["kompetens_three_only_seconds"]
    same_ok = c["speedup_same_figures"] >= TARGET_SPEEDUP
    subset_ok = c["speedup_three_only"] >= TARGET_SPEEDUP
    lines += [
        "  certified_teacher_share + turnover_rate + sick_leave_rate:",
        f"    Kompetens, the three indicators          {three:7.2f} s (CPU {c['kompetens_three_only_cpu_seconds']} s)",
        f"    pandas, the same {c['same_figures_rows']:,} key-figure rows  {c['pandas_same_seconds']:7.2f} s"
        f"  -> Kompetens {c['speedup_same_figures']}x faster (CPU {c['speedup_same_figures_cpu']}x); "
        f"rows checked: {c['same_figures_rows_in_one_only']} missing or extra, "
        f"{c['same_figures_rows_differing']} differing",
        f"    pandas, a subset ({c['pandas_rows']:,} rows: no breakdowns, rolling windows or "
        f"n_individuals)  {c['pandas_seconds']:.2f} s  -> {c['speedup_three_only']}x "
        f"(CPU {c['speedup_three_only_cpu']}x)",
        f"    Kompetens, all {c.get('kompetens_indicators', '?')} indicators of the staff, event and "
        f"sick-leave blocks ({c['kompetens_rows']:,} rows)  {c['kompetens_seconds']:.2f} s  -> "
        f"{c['speedup_same_figures_full']}x the same-figures pandas, {c['speedup']}x the subset",
        f"  [target Kompetens >= {TARGET_SPEEDUP:.0f}x faster than pandas for the three: "
        f"{'met' if same_ok else 'NOT met'} against pandas computing the same figures "
        f"({c['speedup_same_figures']}x); {'met' if subset_ok else 'not met'} against the subset "
        f"({c['speedup_three_only']}x)]",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
