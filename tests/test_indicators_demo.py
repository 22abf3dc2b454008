"""On the demo dataset: two key figures computed a second, independent way (plain DuckDB SQL), and which years the flows report."""

from __future__ import annotations

import pytest

from kompetens.core import store
from kompetens.demo import generate_demo
from kompetens.indicators import recompute


@pytest.fixture(scope="module")
def conn():
    connection = store.connect(":memory:")
    for kind, frame in generate_demo(employees=300).items():
        store.append_rows(connection, kind, frame, store.next_batch_id(connection))
    recompute(connection)
    return connection


def engine_values(conn, indicator, period_type, breakdown="all"):
    got = store.rows(
        conn,
        "SELECT level, scope_id, period, value FROM key_figures WHERE indicator_id = ? AND period_type = ? AND breakdown = ?",
        [indicator, period_type, breakdown],
    )
    return {(level, scope, period): value for level, scope, period, value in got}


MONTHLY_SNAPSHOT = """
    WITH latest AS (
        SELECT date_trunc('month', snapshot_date) AS mon, max(snapshot_date) AS d FROM current_staff GROUP BY 1
    )
    SELECT s.*, u.area, u.school_form FROM current_staff s
    JOIN latest ON s.snapshot_date = latest.d
    JOIN current_units u USING (unit_id)
"""


def test_certified_teacher_share_agrees_with_plain_sql_for_every_unit_area_and_year(conn):
    sql = f"""
        WITH s AS ({MONTHLY_SNAPSHOT}),
        t AS (SELECT * FROM s WHERE month(snapshot_date) = 10 AND staff_category = 'teacher'
              AND school_form NOT IN ('forskola', 'central'))
        SELECT 'unit', unit_id, CAST(year(snapshot_date) AS VARCHAR),
               sum(fte) FILTER (WHERE licensed AND qualified) / sum(fte) FROM t GROUP BY ALL
        UNION ALL
        SELECT 'area', area, CAST(year(snapshot_date) AS VARCHAR),
               sum(fte) FILTER (WHERE licensed AND qualified) / sum(fte) FROM t GROUP BY ALL
        UNION ALL
        SELECT 'org', 'org', CAST(year(snapshot_date) AS VARCHAR),
               sum(fte) FILTER (WHERE licensed AND qualified) / sum(fte) FROM t GROUP BY ALL
    """
    expected = {
        (lvl, scope, period): coalesce(v) for lvl, scope, period, v in store.rows(conn, sql)
    }
    got = engine_values(conn, "certified_teacher_share", "year")
    assert len(expected) > 20
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key


def coalesce(value):
    return 0.0 if value is None else value


def test_turnover_rate_agrees_with_plain_sql_for_the_organisation_per_year(conn):
    sql = f"""
        WITH s AS ({MONTHLY_SNAPSHOT}),
        heads AS (
            SELECT year(snapshot_date) AS y, month(snapshot_date) AS m,
                   count(DISTINCT employee_id) FILTER (WHERE employment_type = 'permanent') AS perm
            FROM s GROUP BY ALL
        ),
        -- calendar years the snapshots cover from January to December
        avg_heads AS (
            SELECT y, sum(perm) / count(*) AS avg_perm FROM heads GROUP BY y
            HAVING min(m) = 1 AND max(m) = 12
        ),
        exits AS (
            SELECT year(event_date) AS y,
                   count(DISTINCT (employee_id, event_date)) AS n,
                   count(DISTINCT (employee_id, event_date)) FILTER (WHERE reason IS DISTINCT FROM 'retirement') AS n_excl
            FROM current_events WHERE event_type = 'exit' AND employment_type = 'permanent' GROUP BY y
        )
        SELECT CAST(a.y AS VARCHAR), coalesce(e.n, 0) / a.avg_perm, coalesce(e.n_excl, 0) / a.avg_perm
        FROM avg_heads a LEFT JOIN exits e USING (y)
    """
    rows = store.rows(conn, sql)
    assert len(rows) >= 7
    all_ = engine_values(conn, "turnover_rate", "year")
    excl = engine_values(conn, "turnover_rate", "year", "variant=excl_retirement")
    for year, rate, rate_excl in rows:
        assert all_[("org", "org", year)] == pytest.approx(rate, abs=1e-12), year
        assert excl[("org", "org", year)] == pytest.approx(rate_excl, abs=1e-12), year
    assert any(rate > 0 for _, rate, _ in rows)
    # the demo runs Nov 2018 - Oct 2026: neither partial year has a yearly rate
    assert {p for (level, _, p) in all_ if level == "org"} == {year for year, _, _ in rows}
    assert "2018" not in {y for y, _, _ in rows} and "2026" not in {y for y, _, _ in rows}


def test_figures_that_grow_through_the_year_have_no_value_for_a_year_in_progress(conn):
    # The demo's snapshots run Nov 2018 - Oct 2026: 2018 and 2026 are partial years.
    for indicator in (
        "hires",
        "retirements",
        "turnover_rate",
        "unit_turnover_rate",
        "development_hours_per_fte",
    ):
        years = {p for (level, _, p) in engine_values(conn, indicator, "year") if level == "org"}
        assert years == {str(y) for y in range(2019, 2026)}, indicator
        # the latest picture is the rolling 12 months up to the last snapshot
        assert ("org", "org", "2026-10") in engine_values(conn, indicator, "rolling_12m")
    # A rate of hours leaves its year in progress out too (#15): January-October misses the
    # winter months, so 2026 would look like a fall; its rolling 12 months carry the picture.
    sick_years = {
        p for (lvl, _, p) in engine_values(conn, "sick_leave_rate", "year") if lvl == "org"
    }
    assert "2026" not in sick_years and "2025" in sick_years
    assert ("org", "org", "2026-10") in engine_values(conn, "sick_leave_rate", "rolling_12m")
