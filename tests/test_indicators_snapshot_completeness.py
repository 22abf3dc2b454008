"""A partial staff snapshot does not silently become the latest month (#15, item 8).

Rule (``ingest.snapshot_check``, docs/data-contract.md): a snapshot with fewer than 80 % of
the people or of the units of the newest earlier snapshot that counts is incomplete; it is
left out of the key figures until it is complete or HR confirms it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kompetens.core import store
from kompetens.ingest import import_file, snapshot_check
from tests.fixtures.small import HERE, load_small
from tests.test_indicators_incremental import assert_as_full_recompute

D = dt.date


def _counts(*rows: tuple[dt.date, int, int]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"snapshot_date": pl.Date, "people": pl.Int64, "units": pl.Int64}, orient="row"
    )


def test_eighteen_people_in_two_units_after_4987_in_110_is_incomplete():
    judged = snapshot_check.assess(
        _counts((D(2026, 10, 31), 4987, 110), (D(2026, 11, 30), 18, 2))
    ).row(1, named=True)
    assert judged["incomplete"] and not judged["counts"]
    assert (judged["compared_people"], judged["compared_units"]) == (4987, 110)
    assert snapshot_check.describe(judged).startswith(
        "Ögonblicksbilden 2026-11-30 har 18 personer i 2 enheter; föregående (2026-10-31) hade "
        "4\u00a0987 i 110."
    )


@pytest.mark.parametrize(
    ("people", "units", "incomplete"),
    [
        (3990, 110, False),  # 0.8 x 4987 = 3989.6: 3990 is enough
        (3989, 110, True),  # 3989 < 3989.6
        (4987, 88, False),  # 0.8 x 110 = 88 units: enough
        (4987, 87, True),  # a fifth of the units missing, whatever the headcount
        (6000, 130, False),  # growth is never incomplete
    ],
)
def test_far_fewer_means_under_80_percent_of_the_people_or_of_the_units(people, units, incomplete):
    judged = snapshot_check.assess(
        _counts((D(2026, 10, 31), 4987, 110), (D(2026, 11, 30), people, units))
    )
    assert judged["incomplete"].to_list() == [False, incomplete]


def test_the_next_snapshot_is_compared_with_the_last_one_that_counts_not_the_partial_one():
    judged = snapshot_check.assess(
        _counts(
            (D(2026, 9, 30), 5000, 110),
            (D(2026, 10, 31), 18, 2),  # partial: left out
            (D(2026, 11, 30), 20, 2),  # 20 >= 0.8 x 18 but compared with September's 5000
            (D(2026, 12, 31), 4990, 110),
        )
    )
    assert judged["counts"].to_list() == [True, False, False, True]
    assert judged["compared_date"].to_list()[1:] == [D(2026, 9, 30)] * 3


def test_a_confirmed_snapshot_counts_and_becomes_the_new_comparison():
    confirmed = {D(2026, 10, 31): {"by": "hr@kommun.se", "at": "2026-11-02 09:00 UTC"}}
    judged = snapshot_check.assess(
        _counts(
            (D(2026, 9, 30), 5000, 110), (D(2026, 10, 31), 3000, 70), (D(2026, 11, 30), 2900, 70)
        ),
        confirmed,
    )
    assert judged["counts"].to_list() == [True, True, True]
    assert judged["incomplete"].to_list() == [False, True, False]  # 2900 >= 0.8 x 3000
    assert judged["confirmed_by"].to_list()[1] == "hr@kommun.se"


@pytest.fixture
def conn():
    connection = store.connect(":memory:")
    load_small(connection)
    return connection


def _partial_january(tmp_path) -> object:
    """January 2026 with E1's rows only: 9 people in 1 unit (December: 22 people in 3 units)."""
    lines = (HERE / "staff.csv").read_text(encoding="utf-8").splitlines()
    e1 = [
        ln.replace("2025-12-15", "2026-01-15")
        for ln in lines[1:]
        if ln.startswith("2025-12-15,") and ",E1," in ln
    ]
    path = tmp_path / "personal_jan.csv"
    path.write_text("\n".join([lines[0], *e1]) + "\n", encoding="utf-8")
    return path


def _latest(conn, indicator_id: str, period_type: str) -> str:
    return store.scalar(
        conn,
        "SELECT max(period) FROM key_figures WHERE indicator_id = ? AND period_type = ?",
        [indicator_id, period_type],
    )


def test_importing_a_partial_snapshot_warns_and_leaves_the_latest_month_alone(conn, tmp_path):
    before = store.frame(conn, "SELECT * EXCLUDE (computed_at) FROM key_figures ORDER BY ALL")
    result = import_file(conn, _partial_january(tmp_path), kind="staff", user="test")
    # December: 22 distinct people (P-numbers) in E1, L1, S1; January: E1's 9 in 1 unit
    assert any(
        w.startswith(
            "Ögonblicksbilden 2026-01-15 har 9 personer i 1 enhet; föregående (2025-12-15) hade 22 i 3."
        )
        for w in result.warnings
    ), result.warnings
    assert _latest(conn, "certified_teacher_share", "month") == "2025-12"
    assert _latest(conn, "sick_leave_rate", "rolling_12m") == "2025-12"
    after = store.frame(conn, "SELECT * EXCLUDE (computed_at) FROM key_figures ORDER BY ALL")
    # not one figure moved (sums may differ in the last bit between two runs)
    assert_frame_equal(after, before, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    assert snapshot_check.left_out_dates(conn) == [D(2026, 1, 15)]
    assert_as_full_recompute(conn)


def test_once_hr_confirms_it_the_snapshot_is_the_latest_month(conn, tmp_path):
    import_file(conn, _partial_january(tmp_path), kind="staff", user="test")
    version = store.data_version(conn)
    snapshot_check.confirm(conn, D(2026, 1, 15), "hr@kommun.se")
    assert store.data_version(conn) == version + 1
    from kompetens.ingest.writer import notify_data_change

    assert notify_data_change(conn, "staff") is None
    assert snapshot_check.left_out_dates(conn) == []
    assert _latest(conn, "certified_teacher_share", "month") == "2026-01"
    row = (
        snapshot_check.completeness(conn)
        .filter(pl.col("snapshot_date") == D(2026, 1, 15))
        .row(0, named=True)
    )
    assert row["confirmed"] and row["confirmed_by"] == "hr@kommun.se" and row["incomplete"]
    assert_as_full_recompute(conn)
    with pytest.raises(ValueError, match="redan bekräftad"):
        snapshot_check.confirm(conn, D(2026, 1, 15), "hr@kommun.se")


def test_a_complete_snapshot_needs_no_confirmation_and_an_unknown_date_is_refused(conn):
    with pytest.raises(ValueError, match="är komplett"):
        snapshot_check.confirm(conn, D(2025, 12, 15), "hr@kommun.se")
    with pytest.raises(ValueError, match="ingen ögonblicksbild"):
        snapshot_check.confirm(conn, D(2027, 1, 15), "hr@kommun.se")


def test_importing_the_whole_snapshot_for_that_date_makes_it_count(conn, tmp_path):
    import_file(conn, _partial_january(tmp_path), kind="staff", user="test")
    lines = (HERE / "staff.csv").read_text(encoding="utf-8").splitlines()
    whole = [
        ln.replace("2025-12-15", "2026-01-15") for ln in lines[1:] if ln.startswith("2025-12-15,")
    ]
    path = tmp_path / "personal_jan_hel.csv"
    path.write_text("\n".join([lines[0], *whole]) + "\n", encoding="utf-8")
    result = import_file(conn, path, kind="staff", user="test")
    assert not any(w.startswith("Ögonblicksbilden") for w in result.warnings)
    assert _latest(conn, "certified_teacher_share", "month") == "2026-01"
    assert_as_full_recompute(conn)
