"""Benchmark: the query-layer calls one page needs, cold and warm.

``uv run python -m kompetens.benchmarks query`` (or ``uv run python -m
kompetens.benchmarks.query [DB]``) on the database ``paths.db_path()`` points
to (``KOMPETENS_DB``). Target (issue 3): the calls of one page, warm, at
50,000 staff, ≤ 50 ms in total.

"A page" here is the union of what Översikt and Behörighet ask for: headline
cards, an organisation trend, per-area small multiples, the unit table of the
latest year, one unit's comparison, the support-need top list and the
segregation scatter. *Cold* = empty cache (first visitor after an import:
every slice is read from DuckDB and suppressed); *warm* = the same calls
again. Figures are printed, never asserted.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import psutil

from kompetens import query as q
from kompetens import wiring
from kompetens.core import paths, store

HEADLINE = [
    "certified_teacher_share",
    "licensed_preschool_teacher_share",
    "employer_recommendation",
    "unfilled_vacancy_share",
    "development_hours_per_fte",
    "turnover_rate",
    "retirement_forecast_5y",
]
TABLE = [
    "certified_teacher_share",
    "certification_gap_fte",
    "on_certification_path_share",
    "temporary_teacher_share",
]


def page_calls(conn) -> list[tuple[str, Callable[[], object]]]:
    scope = q.Scope.everything()
    years = q.available_periods(conn, scope, "year")["period"].to_list()
    year = years[-1] if years else "2025"
    units = q.units(conn, scope, school_form="grundskola")["unit_id"].to_list() or [""]
    unit = units[0]
    return [
        ("headline", lambda: q.headline(conn, scope, HEADLINE, "year")),
        (
            "series org month",
            lambda: q.series(conn, scope, "certified_teacher_share", "org", "org", "month"),
        ),
        (
            "series per area",
            lambda: q.series_by_scope(conn, scope, "certified_teacher_share", "area", "year"),
        ),
        ("unit_table", lambda: q.unit_table(conn, scope, TABLE, "year", year)),
        (
            "compare",
            lambda: q.compare(
                conn, scope, unit, TABLE + ["turnover_rate", "sick_leave_rate"], "year", year
            ),
        ),
        ("support_need", lambda: q.support_need(conn, scope)),
        ("segregation", lambda: q.segregation(conn, scope, year)),
    ]


def run(conn) -> dict[str, float]:
    timings = {}
    for name, call in page_calls(conn):
        t0 = time.perf_counter()
        call()
        timings[name] = (time.perf_counter() - t0) * 1000
    return timings


def main(argv: list[str] | None = None) -> None:
    wiring.wire()
    args = argv if argv is not None else sys.argv[1:]
    db = paths.db_path(args[0] if args else None)
    conn = store.connect(db, read_only=True)
    kf_rows = store.scalar(conn, "SELECT count(*) FROM key_figures")
    staff = store.scalar(conn, "SELECT count(DISTINCT employee_id) FROM current_staff")
    print(f"database: {db}  key_figures rows: {kf_rows:,}  distinct staff: {staff:,}")
    q.clear_cache()
    rss0 = psutil.Process().memory_info().rss
    cold = run(conn)
    warm = run(conn)
    warm2 = run(conn)
    rss1 = psutil.Process().memory_info().rss
    print(f"{'call':<20}{'cold ms':>10}{'warm ms':>10}")
    for name in cold:
        print(f"{name:<20}{cold[name]:>10.1f}{min(warm[name], warm2[name]):>10.1f}")
    total_warm = sum(min(warm[n], warm2[n]) for n in warm)
    print(
        f"{'total':<20}{sum(cold.values()):>10.1f}{total_warm:>10.1f}   (target warm at 50,000 staff: <= 50 ms)"
    )
    print(f"cache growth: {(rss1 - rss0) / 2**20:.0f} MiB resident")
    conn.close()


if __name__ == "__main__":
    main()
