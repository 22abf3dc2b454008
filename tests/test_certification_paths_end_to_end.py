"""Certification paths from files to HR's list: imported, recomputed, suppressed, scoped, undone.

Two schools; one staff snapshot in January 2025 (nobody certified) and one in October 2025:

    S1 (Norr): twelve teachers on a KPU path in mathematics, started 2024-08-19
        A01-A06 expected 2026-06-15             -> ongoing in October (6 people)
        A07-A11 expected 2025-06-15, still no   -> overdue (5 people)
        A12     expected 2025-06-15, certified  -> completed (1 person)
    S2 (Syd): B1-B5 on a VAL path in Swedish, expected 2026-06-15 -> ongoing (5 people)
    S3 (Syd): C1, C2 on a VAL path in Swedish, expected 2026-06-15 -> ongoing (2 people)
"""

from __future__ import annotations

import polars as pl
import pytest

from kompetens import query as q
from kompetens.core import store
from kompetens.indicators import engine
from kompetens.ingest import import_bytes, undo_batch

UNITS_CSV = (
    "Enhetskod;Enhetsnamn;Område;Skolform\nS1;Skolan i norr;Norr;Grundskola\n"
    "S2;Skolan i syd;Syd;Grundskola\nS3;Skolan i väst;Syd;Grundskola\n"
)
S1_PEOPLE = [f"A{i:02d}" for i in range(1, 13)]
SYD_PEOPLE = {f"B{i}": "S2" for i in range(1, 6)} | {"C1": "S3", "C2": "S3"}


def staff_csv() -> str:
    lines = [
        "Mätdatum;Anställningsid;Enhetskod;Befattning;Sysselsättningsgrad;Anställningsform;Legitimation;Behörig;Födelseår"
    ]
    for date in ("2025-01-15", "2025-10-15"):
        for person in [*S1_PEOPLE, *SYD_PEOPLE]:
            unit = SYD_PEOPLE.get(person, "S1")
            certified = "ja" if (person == "A12" and date == "2025-10-15") else "nej"
            lines.append(
                f"{date};{person};{unit};lärare;100;tillsvidare;{certified};{certified};1980"
            )
    return "\n".join(lines) + "\n"


def paths_csv() -> str:
    lines = ["Anställnings-id;Enhets-id;Utbildning;Ämne;Startdatum;Beräknat klar"]
    for i, person in enumerate(S1_PEOPLE, start=1):
        expected = "2026-06-15" if i <= 6 else "2025-06-15"
        lines.append(f"{person};S1;KPU;Matematik;2024-08-19;{expected}")
    lines += [f"{p};{u};VAL;Svenska;2024-08-19;2026-06-15" for p, u in SYD_PEOPLE.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    connection = store.connect(tmp_path_factory.mktemp("paths") / "k.duckdb")
    for name, text in (("enheter.csv", UNITS_CSV), ("personal.csv", staff_csv())):
        import_bytes(connection, text.encode("utf-8"), name, user="test")
    q.clear_cache()
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def imported(conn):
    result = import_bytes(conn, paths_csv().encode("utf-8"), "vagar.csv", user="test")
    q.clear_cache()
    return result


def test_hr_sees_each_unit_with_its_path_counts_and_the_small_ones_hidden(conn, imported):
    rows = {
        r["unit_id"]: r for r in q.path_progress(conn, q.Scope.everything(), "2025-10").to_dicts()
    }
    s1 = rows["S1"]
    # 12 paths of 12 people, 6 of them ongoing; no path has left (no row: 0, the total is shown)
    assert (s1["paths"], s1["ongoing"], s1["left"]) == (12.0, 6.0, 0.0)
    # completed rests on one person: hidden; overdue (5 people) is hidden beside it, or
    # 12 - 6 - 0 - 5 would give the one completed path back
    assert (s1["completed"], s1["completed_suppressed"]) == (None, True)
    assert (s1["overdue"], s1["overdue_suppressed"]) == (None, True)
    # six S1 paths are expected to finish in 2025 (A07-A12)
    assert (s1["expected_this_year"], s1["expected_this_year_suppressed"]) == (6.0, False)
    # S3 rests on two people, and S2 (five) would give S3 back from the area Syd: both hidden,
    # their zeros too (a 0 beside a hidden total would tell the paths' status)
    for unit in ("S2", "S3"):
        assert all(rows[unit][f"{c}_suppressed"] for c in q.certification_paths.COUNT_COLUMNS)
        assert rows[unit]["left"] is None
    assert list(rows) == ["S1", "S2", "S3"]


def test_an_area_manager_sees_only_the_units_of_the_area(conn, imported):
    syd = q.path_progress(conn, q.Scope.for_areas("Syd"), "2025-10")
    assert syd["unit_id"].to_list() == ["S2", "S3"]
    with pytest.raises(q.ScopeError):
        q.path_progress(conn, q.Scope.for_areas("Syd"), "2025-10", area="Norr")
    assert q.path_periods(conn, q.Scope.everything()) == ["2025-01", "2025-10"]


def test_the_yearly_expected_completions_are_in_the_figures_export(conn, imported):
    figures = q.figures(conn, q.Scope.everything(), ["expected_completions"])
    org = figures.filter((pl.col("level") == "org") & (pl.col("breakdown") == "all"))
    # 2025: A07-A12 = 6 paths; 2026 (A01-A06, B1-B5, C1, C2) comes with a 2026 snapshot
    assert dict(org.select("period", "value").rows()) == {"2025": 6.0}


def test_the_area_rows_add_up_the_units_and_are_visible_where_the_units_are_not(conn, imported):
    areas = q.path_progress(conn, q.Scope.everything(), "2025-10", level="area")
    rows = {r["unit_name"]: r for r in areas.to_dicts()}
    # Syd = S2 + S3: 5 + 2 = 7 paths of 7 people, all ongoing, though each school is hidden
    assert (rows["Syd"]["paths"], rows["Syd"]["ongoing"], rows["Syd"]["overdue"]) == (7.0, 7.0, 0.0)
    assert rows["Syd"]["unit_id"] is None
    assert (rows["Norr"]["paths"], rows["Norr"]["ongoing"]) == (12.0, 6.0)


def test_a_new_staff_month_redone_by_month_gives_the_paths_as_a_full_recompute(
    conn, imported, monkeypatch
):
    # November: A06 has become certified. The recompute redoes the changed month only, and the
    # path block gets every snapshot of the people with a path (engine._path_people_staff).
    runs = []
    real = engine._month_results
    monkeypatch.setattr(
        engine,
        "_month_results",
        lambda c, change, *a, **k: runs.append(change) or real(c, change, *a, **k),
    )
    november = staff_csv().replace("2025-10-15", "2025-11-15").splitlines()
    november = [november[0]] + [
        line.replace(";nej;nej;", ";ja;ja;") if ";A06;" in line else line
        for line in november[1:]
        if line.startswith("2025-11-15")
    ]
    import_bytes(conn, ("\n".join(november) + "\n").encode("utf-8"), "nov.csv", user="test")
    assert [r.month for r in runs] == [2025 * 12 + 10]  # redone by month, not whole
    ids = "('expected_completions', 'certification_path_progress')"
    sql = (
        f"SELECT * EXCLUDE (computed_at) FROM key_figures WHERE indicator_id IN {ids} ORDER BY ALL"
    )
    by_month = store.frame(conn, sql)
    engine.recompute(conn, **engine.stored_settings(conn))
    assert by_month.equals(store.frame(conn, sql))
    # the stored (unmasked) figure: A12 and now A06 completed at S1 in November
    completed = by_month.filter(
        (pl.col("indicator_id") == "certification_path_progress")
        & (pl.col("scope_id") == "S1")
        & (pl.col("period") == "2025-11")
        & (pl.col("breakdown") == "path_status=completed")
    )
    assert completed["value"].to_list() == [2.0]
    q.clear_cache()


def test_undoing_the_path_import_removes_the_path_figures(conn, imported):
    undo_batch(conn, imported.batch_id, user="test")
    q.clear_cache()
    assert q.path_progress(conn, q.Scope.everything(), "2025-10").height == 0
    (left,) = store.rows(
        conn,
        "SELECT count(*) FROM key_figures WHERE indicator_id IN "
        "('expected_completions', 'certification_path_progress')",
    )
    assert left == (0,)
