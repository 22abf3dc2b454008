"""Benchmark: the projection of the certified shares plus its 500-draw band (issue 12).

``uv run python -m kompetens.benchmarks projection [--employees N ...] [--db PATH]``

- ``--employees N`` (repeatable; default 5000 and 50000): a synthetic organisation
  of N staff with five yearly reference-month snapshots, made in memory
  (``synthetic_snapshots``: the shape of the demo, ~45 staff per unit, five areas),
  so that 50,000 staff need no hour-long demo build. Timed: fitting the model
  (flows, shrunk rates, cohorts; *cold*), the projection with 500 draws for the
  whole organisation (*warm*: the model fitted; the page's case after its first
  view), and one scenario run.
- ``--db PATH``: also through the query layer on a real database (reading,
  suppression, targets; cold and warm cache).

Targets (issue 12): ≤ 1 s warm at 5,000 staff, ≤ 3 s at 50,000. Printed, never
asserted; the machine's load average and this process's CPU seconds and peak
memory are printed beside, since wall time on a shared machine follows the
neighbours. The last line: ``projection: employees=N warm_s=… cpu_s=… peak_mb=…``
per size.
"""

from __future__ import annotations

import os
import resource
import sys
import time

import numpy as np
import polars as pl

from kompetens.analysis import projection as pm
from kompetens.present.formatting import fmt_number

YEARS = 5


def synthetic_snapshots(employees: int, seed: int = 1) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(snapshots, units): ``YEARS`` reference-month snapshots of a made-up organisation.

    Each year about 10 % leave (plus everyone at 66), as many are hired (60 % of
    them certified), and 15 % of the uncertified become certified.
    """
    rng = np.random.default_rng(seed)
    n_units = max(4, employees // 45)
    forms = rng.choice(["grundskola", "forskola", "gymnasieskola"], size=n_units, p=[0.6, 0.3, 0.1])
    units = pl.DataFrame(
        {
            "unit_id": [f"U{i:05d}" for i in range(n_units)],
            "area": [f"Område {i % 5}" for i in range(n_units)],
            "school_form": forms,
        }
    )
    preschool_cats = np.array(["preschool_teacher", "childminder", "assistant"])

    def new_people(count: int, first_id: int, certified_share: float) -> dict[str, np.ndarray]:
        unit = rng.integers(0, n_units, count)
        school = forms[unit] != "forskola"
        cat = np.where(school, "teacher", preschool_cats[rng.integers(0, 3, count)])
        return {
            "employee_id": np.arange(first_id, first_id + count, dtype=np.uint64),
            "unit": unit,
            "staff_category": cat,
            "fte": rng.choice([0.5, 0.75, 1.0], size=count, p=[0.1, 0.2, 0.7]),
            "certified": rng.random(count) < certified_share,
            "birth_year": rng.integers(1958, 2001, count),
        }

    people = new_people(employees, 0, 0.7)
    next_id = employees
    frames = []
    start = 2026 - YEARS + 1
    for year in range(start, 2027):
        frames.append(
            pl.DataFrame(
                {
                    "year": np.full(people["unit"].size, year, dtype=np.int64),
                    "employee_id": people["employee_id"],
                    "unit_id": units["unit_id"].to_numpy()[people["unit"]],
                    "staff_category": people["staff_category"],
                    "fte": people["fte"],
                    "licensed": people["certified"],
                    "qualified": people["certified"],
                    "birth_year": people["birth_year"],
                }
            )
        )
        stays = (rng.random(people["unit"].size) > 0.1) & (people["birth_year"] + 66 > year + 1)
        completes = ~people["certified"] & (rng.random(people["unit"].size) < 0.15)
        people["certified"] = people["certified"] | completes
        people = {k: v[stays] for k, v in people.items()}
        hired = new_people(employees - people["unit"].size, next_id, 0.6)
        next_id += hired["unit"].size
        people = {k: np.concatenate([people[k], hired[k]]) for k in people}
    return pl.concat(frames), units


def peak_mb() -> float:
    """This process's peak resident memory (MB; Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(employees: int) -> dict[str, float]:
    """Time fitting and projecting one synthetic organisation; returns the figures."""
    snapshots, units = synthetic_snapshots(employees)
    t0, c0 = time.perf_counter(), cpu_s()
    model = pm.build_model(snapshots, units, retirement_age=66)
    fit_s, fit_cpu = time.perf_counter() - t0, cpu_s() - c0
    pm.project(model, years=5, draws=pm.DRAWS)  # first run: groups and allocations made once
    runs = []
    for _ in range(3):
        t0, c0 = time.perf_counter(), cpu_s()
        result = pm.project(model, years=5, draws=pm.DRAWS)
        runs.append((time.perf_counter() - t0, cpu_s() - c0))
    warm_s, warm_cpu = min(runs)
    t0 = time.perf_counter()
    pm.project(model, pm.SCENARIOS["lagre-omsattning"], years=5, draws=pm.DRAWS)
    scenario_s = time.perf_counter() - t0
    org = result.filter(
        (pl.col("level") == "org")
        & (pl.col("indicator_id") == "certified_teacher_share")
        & (pl.col("step") == 5)
    ).row(0, named=True)
    print(
        f"{fmt_number(employees)} staff: {fmt_number(snapshots.height)} snapshot rows, "
        f"{fmt_number(model.n_cells)} cells, {fmt_number(result.height)} result rows"
    )
    print(f"  fit (flows, rates, cohorts; cold): {fit_s:6.2f} s wall, {fit_cpu:6.2f} s CPU")
    print(
        f"  projection + {pm.DRAWS}-draw band (warm, best of 3): {warm_s:6.2f} s wall, {warm_cpu:6.2f} s CPU"
    )
    print(f"  a scenario (turnover −2 pp): {scenario_s:6.2f} s wall")
    print(
        f"  org certified share in year 5: median {org['median']:.3f}, band "
        f"{org['low80']:.3f}–{org['high80']:.3f}"
    )
    return {"employees": employees, "warm_s": warm_s, "cpu_s": warm_cpu, "fit_s": fit_s}


def through_query_layer(db: str) -> None:
    """Cold and warm through ``query.projection`` on a real database."""
    from kompetens import wiring
    from kompetens.access.scope import Scope
    from kompetens.core import store
    from kompetens.query import clear_cache
    from kompetens.query import projection as qp

    wiring.wire()
    conn = store.connect(db, read_only=True)
    try:
        clear_cache()
        t0 = time.perf_counter()
        qp.projection(conn, Scope.everything())
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        qp.projection(conn, Scope.everything(), pm.SCENARIOS["lagre-omsattning"])
        scenario = time.perf_counter() - t0
        print(
            f"query layer on {db}: cold (read, fit, project, suppress) {cold:.2f} s; "
            f"a new scenario (model cached) {scenario:.2f} s"
        )
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if argv is None:  # ``python -m kompetens.benchmarks projection`` leaves the name in argv
        args = [a for a in args if a != "projection"]
    sizes = [int(args[i + 1]) for i, a in enumerate(args) if a == "--employees"] or [5000, 50000]
    db = next((args[i + 1] for i, a in enumerate(args) if a == "--db"), None)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = [measure(n) for n in sizes]
    if db:
        through_query_layer(db)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        "projection: "
        + " ".join(
            f"employees={r['employees']} warm_s={r['warm_s']:.2f} cpu_s={r['cpu_s']:.2f}"
            for r in results
        )
        + f" peak_mb={peak_mb():.0f}"
    )


if __name__ == "__main__":
    main()
