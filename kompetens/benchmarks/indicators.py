"""Benchmark: full recompute of every key figure, and a pandas baseline.

For each size the demo organisation is generated for eight years of monthly
snapshots (Nov 2018 – Oct 2026) and stored in a DuckDB file in a temporary
folder (nothing in ``data/`` is touched). Then, each in a fresh child process
so that the peak resident memory (``ru_maxrss``) is that step's own:

1. **recompute** – ``kompetens.indicators.recompute(conn)``: read the store,
   run every pipeline, write ``key_figures`` (wall time, peak memory, rows).
2. **pandas vs Kompetens** – on the same frames read from the same store, a
   straightforward pandas implementation of ``certified_teacher_share``
   (unit/area/org x month), ``turnover_rate`` (unit/area/org x year) and
   ``sick_leave_rate`` (unit/area/org x month and year) against the Kompetens
   pipeline blocks that produce them (which compute more: every staff, event
   and sick-leave indicator, breakdowns and rolling windows too). The pandas
   figures are checked against the engine's before the times are reported.

Run: ``uv run python -m kompetens.benchmarks.indicators [--employees 5000 50000]``

Targets (issue 3): at 50,000 staff a full recompute in <= 20 s and <= 4 GB;
Kompetens >= 5x faster than the pandas baseline.

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
    import kompetens.indicators  # noqa: F401  (registers the key_figures migration)
    from kompetens import store
    from kompetens.demo import generate_demo

    frames = generate_demo(employees=employees, start=START, end_month=END, seed=seed)
    conn = store.connect(db)
    for kind, frame in frames.items():
        store.append_rows(conn, kind, frame, store.next_batch_id(conn))
    conn.close()
    return {"rows": {k: v.height for k, v in frames.items()}}


def _recompute(db: str) -> dict:
    from kompetens import store
    from kompetens.indicators import recompute

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
        "load_average": round(os.getloadavg()[0], 1),
    }


# ---- the pandas baseline ------------------------------------------------------------------


def pandas_three(staff, events, sick, units):
    """certified share, turnover and sick leave the straightforward pandas way (frames are pandas)."""
    import pandas as pd

    staff = staff.merge(units, on="unit_id", how="left")
    staff["month"] = staff["snapshot_date"].dt.to_period("M")
    latest = staff.groupby("month")["snapshot_date"].transform("max")
    staff = staff[staff["snapshot_date"] == latest]

    # certified_teacher_share per unit / area / org and month
    t = staff[
        (staff["staff_category"] == "teacher") & ~staff["school_form"].isin(["forskola", "central"])
    ].copy()
    t["cert_fte"] = t["fte"].where(t["licensed"].fillna(False) & t["qualified"].fillna(False), 0.0)
    cert = []
    for level, key in (("unit", "unit_id"), ("area", "area"), ("org", None)):
        keys = [key, "month"] if key else ["month"]
        g = (
            t.groupby(keys)
            .agg(num=("cert_fte", "sum"), den=("fte", "sum"), n=("employee_id", "nunique"))
            .reset_index()
        )
        g["value"] = g["num"] / g["den"]
        g["level"] = level
        g["scope_id"] = g[key] if key else "org"
        cert.append(g[["level", "scope_id", "month", "value", "n"]])
    cert = pd.concat(cert)

    # turnover_rate per unit / area / org and calendar year
    perm = staff[staff["employment_type"] == "permanent"].copy()
    perm["year"] = perm["month"].dt.year
    months_per_year = staff.groupby(staff["month"].dt.year)["month"].nunique()
    ex = events[
        (events["event_type"] == "exit") & (events["employment_type"] == "permanent")
    ].merge(units, on="unit_id", how="left")
    ex["year"] = ex["event_date"].dt.year
    turnover = []
    for level, key in (("unit", "unit_id"), ("area", "area"), ("org", None)):
        keys = [key, "year", "month"] if key else ["year", "month"]
        heads = perm.groupby(keys)["employee_id"].nunique().reset_index(name="heads")
        heads = heads.groupby(keys[:-1])["heads"].sum().reset_index()
        heads["avg"] = heads["heads"] / heads["year"].map(months_per_year)
        exits = (
            ex.drop_duplicates([*(k for k in [key] if k), "employee_id", "event_date"])
            .groupby(keys[:-1])
            .size()
            .reset_index(name="exits")
        )
        g = heads.merge(exits, on=keys[:-1], how="left").fillna({"exits": 0})
        g["value"] = g["exits"] / g["avg"]
        g["level"] = level
        g["scope_id"] = g[key] if key else "org"
        turnover.append(g[["level", "scope_id", "year", "value"]])
    turnover = pd.concat(turnover)

    # sick_leave_rate per unit / area / org, month and year
    s = sick.merge(units, on="unit_id", how="left")
    s["year"] = s["month"].dt.year
    sick_out = []
    for level, key in (("unit", "unit_id"), ("area", "area"), ("org", None)):
        for period in ("month", "year"):
            keys = [key, period] if key else [period]
            g = s.groupby(keys)[["sick_hours", "scheduled_hours"]].sum().reset_index()
            g["value"] = g["sick_hours"] / g["scheduled_hours"]
            g["level"] = level
            sick_out.append(g)
    sick_out = pd.concat(sick_out)
    return cert, turnover, sick_out


def kompetens_three(frames):
    """The same three indicators through the Kompetens pipelines, and nothing else.

    (Still with their breakdowns and rolling windows; ``turnover_rate`` comes
    out of the events step together with the other event counts.)
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
    cert = pp._stock(
        roll, "certified_teacher_share", "cts_num", "cts_den", "cts_p", settings, ("school_form",)
    )
    ev = pp.prepare_events(frames["events"], units, base)
    turnover = pp.event_indicators(ev, units, roll, grid, settings)["turnover_rate"]
    sick = pp.sick_leave_indicators(frames["sick_leave"], units, roll, grid)
    return cert, turnover, sick


def _compare(db: str) -> dict:
    import polars as pl

    from kompetens import store
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

    t0, c0 = time.perf_counter(), time.process_time()
    cert, turnover, sick = pandas_three(staff_pd, events_pd, sick_pd, units_pd)
    pandas_s, pandas_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    ours = pipelines.compute(frames, pipelines.Settings(), {"staff", "events", "sick_leave"})
    polars_s, polars_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    three = kompetens_three(frames)
    three_s, three_cpu = time.perf_counter() - t0, time.process_time() - c0

    # The baseline must compute the same numbers, or the comparison means nothing.
    org_cert = cert[cert["level"] == "org"].assign(period=lambda d: d["month"].astype(str))
    ours_cert = ours["certified_teacher_share"].filter(
        (pl.col("level") == "org")
        & (pl.col("period_type") == "month")
        & (pl.col("breakdown") == "all")
    )
    joined = ours_cert.join(
        pl.from_pandas(org_cert[["period", "value"]]), on="period", suffix="_pd"
    )
    org_turn = turnover[turnover["level"] == "org"].assign(period=lambda d: d["year"].astype(str))
    ours_turn = ours["turnover_rate"].filter(
        (pl.col("level") == "org")
        & (pl.col("period_type") == "year")
        & (pl.col("breakdown") == "all")
    )
    joined_t = ours_turn.join(
        pl.from_pandas(org_turn[["period", "value"]]), on="period", suffix="_pd"
    )
    max_diff = max(
        float((joined["value"] - joined["value_pd"]).abs().max()),
        float((joined_t["value"] - joined_t["value_pd"]).abs().max()),
    )
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
        "compared_periods": joined.height + joined_t.height,
    }


def _child(step: str, args: list[str]) -> dict:
    cmd = [sys.executable, "-m", "kompetens.benchmarks.indicators", "--child", step, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(employees: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="kompetens-indicator-bench-") as tmp:
        db = str(Path(tmp) / "bench.duckdb")
        prepared = _child("prepare", [db, str(employees), str(seed)])
        result = {
            "employees": employees,
            "staff_rows": prepared["rows"]["staff"],
            "events": prepared["rows"]["events"],
        }
        result["recompute"] = _child("recompute", [db])
        result["pandas_vs_kompetens"] = _child("compare", [db])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    # parse_known_args: ``python -m kompetens.bench indicators`` leaves its own argument in argv.
    args, _unknown = parser.parse_known_args(argv)
    if args.child:
        step, *rest = args.child
        if step == "prepare":
            out = _prepare(int(rest[1]), int(rest[2]), rest[0])
        elif step == "recompute":
            out = _recompute(rest[0])
        else:
            out = _compare(rest[0])
        print(json.dumps(out))
        return
    for employees in args.employees:
        r = run(employees, args.seed)
        rec, cmp_ = r["recompute"], r["pandas_vs_kompetens"]
        print(json.dumps(r), flush=True)
        print(
            f"{employees:>6} staff ({r['staff_rows']:,} snapshot rows): full recompute {rec['seconds']} s "
            f"(CPU {rec.get('cpu_seconds')} s, load {rec.get('load_average')}), peak {rec['peak_mb']} MB, "
            f"{rec['key_figure_rows']:,} key figures; pandas {cmp_['pandas_seconds']} s vs Kompetens "
            f"{cmp_['kompetens_seconds']} s = {cmp_['speedup']}x (CPU: {cmp_.get('speedup_cpu')}x); "
            f"the three indicators alone: {cmp_.get('kompetens_three_only_seconds')} s = "
            f"{cmp_.get('speedup_three_only')}x (CPU: {cmp_.get('speedup_three_only_cpu')}x)",
            flush=True,
        )
        if employees >= 50000:
            ok = (
                rec["seconds"] <= TARGET_SECONDS
                and rec["peak_mb"] <= TARGET_MB
                and cmp_["speedup"] >= TARGET_SPEEDUP
            )
            print(
                f"        targets (<= {TARGET_SECONDS:.0f} s, <= {TARGET_MB} MB, >= {TARGET_SPEEDUP:.0f}x): {'met' if ok else 'NOT met'}"
            )


if __name__ == "__main__":
    main()
