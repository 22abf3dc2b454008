"""After an import (or its undo) of any kind, the stored key figures are what a full recompute gives.

An import recomputes only the blocks that read the changed kind (``engine.KIND_BLOCKS``,
derived from each block's declared reads). Issue #17: after a staff import the recruitment
rolling windows ending in the new month and the new month's redundancy rows were missing,
because the hand-kept list forgot that those blocks read the staff months grid. Here every
kind of the contract gets a small extra file on top of the small fixture; the figures the
import leaves behind must equal, row for row and column for column, those of recomputing
everything; the same after undoing the import (stale rows of a redone block must go).

A staff import that adds, replaces or removes one month goes further: only the periods that month
touches are redone, from the rows they rest on (``pipelines.incremental``). Those cases are checked
the same way, on the small fixture and on a small demo organisation (years of events, vacancies and
development, so that the rows read really are a window of the data).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kompetens.core import store
from kompetens.core.contract import KINDS
from kompetens.indicators import engine, pipelines, recompute
from kompetens.indicators.engine import KIND_BLOCKS, blocks_for, stored_settings
from kompetens.indicators.key_figures import KEY_FIGURE_SCHEMA
from kompetens.indicators.pipelines.incremental import MonthChange
from kompetens.ingest import import_file, undo_batch, writer
from tests.fixtures.small import HERE, load_small

KEYS = ["indicator_id", "level", "scope_id", "period_type", "period", "breakdown"]


def _next_staff_month() -> str:
    """The December 2025 snapshot again as January 2026: a new month at the end of the grid."""
    lines = (HERE / "staff.csv").read_text(encoding="utf-8").splitlines()
    december = [line for line in lines[1:] if line.startswith("2025-12-15,")]
    return "\n".join([lines[0], *(line.replace("2025-12-15", "2026-01-15") for line in december)])


#: One small file per kind, each changing figures of the blocks that read that kind.
EXTRA: dict[str, str] = {
    # S1 moves from Söder to Norr: every block places rows in areas.
    "units": "unit_id,unit_name,area,school_form,socioeconomic_index\nS1,Söderskolan,Norr,grundskola,1.5\n",
    # January 2026: rolling windows (recruitment, sick leave, turnover) and redundancy months
    # (P35 is still unplaced) now end in 2026-01.
    "staff": _next_staff_month(),
    "events": (
        "event_date,employee_id,event_type,unit_id,to_unit_id,staff_category,employment_type,reason\n"
        "2025-11-30,P02,exit,E1,,teacher,permanent,other_employer\n"
        "2025-12-01,P35,redundancy_placed,L1,,childminder,permanent,\n"
        # no category or employment type: taken from P03's snapshot row of that month
        "2025-11-03,P03,redundancy_notice,E1,,,,\n"
    ),
    "recruitments": (
        "requisition_id,unit_id,staff_category,published_date,closed_date,outcome,applicants,qualified_applicants,hired_certified\n"
        "R6,L1,childminder,2025-09-15,2025-11-20,filled,6,6,Nej\n"
        "R8,S1,teacher,2025-11-01,2025-12-10,filled,9,3,Ja\n"
    ),
    "development": (
        "employee_id,activity_date,activity_type,hours,unit_id\n"
        "P04,2025-11-10,course,12,E1\n"
        "P38,2025-03-01,onboarding,4,\n"
    ),
    "placements": "unit_id,period_start,placement_type,students,hired_later\nS1,HT2025,vfu,3,1\n",
    "survey": (
        "unit_id,survey_date,measure,score,scale_max,respondents,invited\n"
        "E1,2025-09-15,recommend_employer,5,5,12,12\n"
    ),
    "sick_leave": (
        "unit_id,month,scheduled_hours,sick_hours,long_sick_hours\n"
        "E1,2025-12,1200,120,60\n"
        "S1,2026-01,800,40,10\n"
    ),
    "teaching_assignment": (
        "snapshot_date,employee_id,unit_id,subject,school_form,grades,hours_per_week,fte_share,qualified\n"
        "2025-10-15,P01,E1,MA,,7-9,10,,Ja\n"
        "2025-10-15,P02,E1,SV,,7-9,8,,Nej\n"
    ),
    "certification_path": (
        "employee_id,unit_id,programme,subject,start_date,expected_completion\n"
        "P02,E1,KPU,SV,2025-01-13,2025-12-20\n"
    ),
    "targets": (
        "indicator_id,scope,year,target\n"
        "certified_teacher_share,S1,2025,0.9\n"
        "licensed_preschool_teacher_share,L1,2024,0.8\n"
    ),
}


@pytest.fixture
def conn():
    connection = store.connect(":memory:")
    load_small(connection)
    return connection


def stored(conn) -> pl.DataFrame:
    """Every stored key figure (without computed_at), in key order."""
    return store.frame(
        conn, f"SELECT {', '.join(KEY_FIGURE_SCHEMA)} FROM key_figures ORDER BY {', '.join(KEYS)}"
    )


def assert_as_full_recompute(conn) -> None:
    """The stored figures equal a full recompute's, row for row and in every column."""
    kept = stored(conn)
    recompute(conn, **stored_settings(conn))
    full = stored(conn)
    missing = full.join(kept, on=KEYS, how="anti")
    stale = kept.join(full, on=KEYS, how="anti")
    assert (missing.height, stale.height) == (0, 0), (
        f"missing after the import:\n{missing}\nleft behind:\n{stale}"
    )
    # Sums may differ in the last bit between two runs of the same plan (parallel adds).
    assert_frame_equal(kept, full, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)


#: Kinds no indicator reads (the support register): their imports change no key figure.
UNREAD = frozenset(k for k in KINDS if not blocks_for([k]))


def test_every_kind_of_the_contract_has_an_extra_file_here():
    assert {"support_request", "support_effort"} <= UNREAD
    assert set(EXTRA) == set(KINDS) - UNREAD


def test_an_import_of_a_kind_no_indicator_reads_keeps_the_figures_and_carries_them_forward(
    conn, tmp_path
):
    before = stored(conn)
    meta = engine.read_meta(conn)
    path = tmp_path / "support_request.csv"
    path.write_text(
        "request_id,unit_id,request_date,asker_role,channel,topic,support_function,status\n"
        "A1,E1,2025-03-02,principal,dialogue,Rekrytering,HR,received\n",
        encoding="utf-8",
    )
    import_file(conn, path, kind="support_request", user="test")
    assert stored(conn).equals(before)
    after = engine.read_meta(conn)
    assert after["computed_at"] == meta["computed_at"]
    assert after["data_version"] == store.data_version(conn)
    assert not engine.figures_stale(conn)


@pytest.mark.parametrize("kind", sorted(set(KINDS) - UNREAD))
def test_after_an_import_and_its_undo_the_stored_figures_equal_a_full_recompute(
    kind, conn, tmp_path
):
    before = stored(conn)
    path = tmp_path / f"{kind}.csv"
    path.write_text(EXTRA[kind], encoding="utf-8")
    result = import_file(conn, path, kind=kind, user="test")
    assert result.batch_id is not None
    # The file changed some figure, so the incremental path had work to do.
    assert not stored(conn).equals(before)
    assert_as_full_recompute(conn)

    undo_batch(conn, result.batch_id, user="test")
    assert_as_full_recompute(conn)


def test_a_staff_month_brings_the_recruitment_window_and_redundancy_month_ending_in_it(
    conn, tmp_path
):
    # The figures issue #17 found missing after a staff import.
    path = tmp_path / "staff.csv"
    path.write_text(EXTRA["staff"], encoding="utf-8")
    import_file(conn, path, kind="staff", user="test")
    applicants = store.scalar(
        conn,
        "SELECT value FROM key_figures WHERE indicator_id = 'applicants_per_vacancy' AND level = 'org' "
        "AND period_type = 'rolling_12m' AND period = '2026-01'",
    )
    # Published 2025-02 .. 2026-01: R4 (2), R7 (30), R5 (20), R6 (6) -> 58 / 4
    assert applicants == pytest.approx(58 / 4)
    unplaced = store.scalar(
        conn,
        "SELECT value FROM key_figures WHERE indicator_id = 'redundant_staff_unplaced' AND level = 'org' "
        "AND period_type = 'month' AND period = '2026-01' AND breakdown = 'all'",
    )
    assert unplaced == 1  # P35: notice 2025-10-01, never placed


def test_a_recruitments_import_redoes_redundancy_with_categories_from_the_snapshots(conn, tmp_path):
    # The notice has no staff category: a full recompute takes it from P03's snapshot (teacher).
    # Redoing redundancy after a recruitments import must do the same.
    events = tmp_path / "events.csv"
    events.write_text(EXTRA["events"], encoding="utf-8")
    import_file(conn, events, kind="events", user="test")
    recruitments = tmp_path / "recruitments.csv"
    recruitments.write_text(EXTRA["recruitments"], encoding="utf-8")
    import_file(conn, recruitments, kind="recruitments", user="test")
    breakdowns = store.frame(
        conn,
        "SELECT DISTINCT breakdown FROM key_figures WHERE indicator_id = 'redundant_staff_unplaced' "
        "AND period = '2025-12' AND level = 'org'",
    )["breakdown"].to_list()
    assert "staff_category=teacher" in breakdowns
    assert "staff_category=unknown" not in breakdowns
    assert_as_full_recompute(conn)


def test_a_staff_import_redoes_every_block_that_reads_the_staff_months_grid():
    assert KIND_BLOCKS["staff"] == {
        "staff",
        "events",
        "redundancy",
        "recruitments",
        "sick_leave",
        "development",
        "certification_gap",
        # placement years are given once the snapshots reach December (unfinished_year)
        "placements",
        # lost hours at exits: rolling windows end at the staff months
        "teaching_assignment",
        # where a path stands rests on its person's certification flag in the snapshots
        "certification_path",
    }
    assert KIND_BLOCKS["survey"] == {"survey"}
    assert KIND_BLOCKS["targets"] == {"certification_gap"}
    assert blocks_for(["units"]) == set(pipelines.BLOCKS)


@pytest.fixture
def month_runs(monkeypatch):
    """The changed months each recompute redid by month (empty: it redid whole blocks)."""
    runs: list[MonthChange] = []
    real = engine._month_results

    def spy(conn, change, *args, **kwargs):
        runs.append(change)
        return real(conn, change, *args, **kwargs)

    monkeypatch.setattr(engine, "_month_results", spy)
    return runs


def _month(day: str) -> int:
    date = dt.date.fromisoformat(day)
    return date.year * 12 + date.month - 1


def test_a_new_staff_month_is_recomputed_by_month_and_equals_a_full_recompute(
    conn, tmp_path, month_runs
):
    path = tmp_path / "staff.csv"
    path.write_text(EXTRA["staff"], encoding="utf-8")
    result = import_file(conn, path, kind="staff", user="test")
    # January 2026 follows December 2025, the latest month so far.
    assert month_runs == [
        MonthChange(_month("2026-01-15"), _month("2025-12-15"), _month("2026-01-15"))
    ]
    assert_as_full_recompute(conn)

    # The undo removes the month again: by month too, back to December as the latest.
    month_runs.clear()
    undo_batch(conn, result.batch_id, user="test")
    assert month_runs == [
        MonthChange(_month("2026-01-15"), _month("2026-01-15"), _month("2025-12-15"))
    ]
    assert_as_full_recompute(conn)


def _changed_snapshot(day: str) -> str:
    """The snapshot of ``day`` re-imported with changes: its last person gone, its first at 0.5 FTE,
    and its second no longer licensed."""
    lines = (HERE / "staff.csv").read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines[1:] if line.startswith(f"{day},")][:-1]
    first = rows[0].split(",")
    first[4] = "0.5"
    second = rows[1].split(",")
    second[6] = "Nej"
    return "\n".join([lines[0], ",".join(first), ",".join(second), *rows[2:]])


@pytest.mark.parametrize(
    "day",
    [
        "2024-01-15",  # the first month: no rolling window ends in it
        "2024-11-15",  # a November: the cohort turnover of 2024 and 2025 compares them
        "2025-01-15",  # a January: its year starts, the year before reaches back
        "2025-10-15",  # the reference month: the year's stock values
        "2025-12-15",  # the latest month, a December: the year is finished
    ],
)
def test_an_old_staff_month_replaced_is_recomputed_by_month_and_equals_a_full_recompute(
    day, conn, tmp_path, month_runs
):
    before = stored(conn)
    path = tmp_path / "staff.csv"
    path.write_text(_changed_snapshot(day), encoding="utf-8")
    result = import_file(conn, path, kind="staff", user="test")
    last = _month("2025-12-15")
    assert month_runs == [MonthChange(_month(day), last, last)]
    assert not stored(conn).equals(before)
    assert_as_full_recompute(conn)

    month_runs.clear()
    undo_batch(conn, result.batch_id, user="test")
    assert month_runs == [MonthChange(_month(day), last, last)]
    assert_as_full_recompute(conn)


def test_a_notice_without_a_staff_category_takes_it_from_the_replaced_month(
    conn, tmp_path, month_runs
):
    # P03's notice of 2025-11-03 has no category: it comes from P03's November snapshot, and
    # P03 counts as unplaced in every month after it. November re-imported with P03 as a
    # special educator moves the notice to that category in every later month as well.
    events = tmp_path / "events.csv"
    events.write_text(EXTRA["events"], encoding="utf-8")
    import_file(conn, events, kind="events", user="test")
    lines = (HERE / "staff.csv").read_text(encoding="utf-8").splitlines()
    november = [line for line in lines[1:] if line.startswith("2025-11-15,")]
    changed = [
        line.replace(",teacher,", ",special_educator,") if ",P03," in line else line
        for line in november
    ]
    path = tmp_path / "staff.csv"
    path.write_text("\n".join([lines[0], *changed]), encoding="utf-8")
    import_file(conn, path, kind="staff", user="test")
    assert [change.month for change in month_runs] == [_month("2025-11-15")]
    breakdowns = store.frame(
        conn,
        "SELECT DISTINCT breakdown FROM key_figures WHERE indicator_id = 'redundant_staff_unplaced' "
        "AND period = '2025-12' AND level = 'org'",
    )["breakdown"].to_list()
    assert "staff_category=special_educator" in breakdowns
    assert_as_full_recompute(conn)


def test_a_staff_month_that_is_not_next_to_the_grid_is_recomputed_by_whole_blocks(
    conn, tmp_path, month_runs
):
    # March 2026 would leave January and February 2026 without snapshots: no incremental rule.
    path = tmp_path / "staff.csv"
    path.write_text(EXTRA["staff"].replace("2026-01-15", "2026-03-15"), encoding="utf-8")
    import_file(conn, path, kind="staff", user="test")
    assert month_runs == []
    assert_as_full_recompute(conn)


@pytest.fixture(scope="module")
def demo_frames() -> dict[str, pl.DataFrame]:
    from kompetens.demo import generate_demo

    # Four years of a small organisation, the last snapshot October 2025.
    return generate_demo(
        employees=120, start=dt.date(2021, 11, 1), end_month=dt.date(2025, 10, 1), seed=7
    )


def _write_staff(conn, rows: pl.DataFrame) -> int:
    """Import staff rows as the importer writes them, then run the after-change hook."""
    batch, _, _ = writer.write_batch(
        conn, "staff", rows, file_name="staff.csv", sha256=str(rows.height), rows_in=rows.height,
        rows_rejected=0, user="test", warnings=[],
    )  # fmt: skip
    writer.notify_data_change(conn, "staff")
    return batch


@pytest.mark.parametrize("month", ["2025-10", "2025-06", "2024-12"])
def test_in_a_demo_organisation_a_month_by_month_recompute_equals_a_full_one(
    demo_frames, month, month_runs
):
    conn = store.connect(":memory:")
    staff = demo_frames["staff"]
    in_month = pl.col("snapshot_date").dt.strftime("%Y-%m") == month
    with store.transaction(conn):
        for kind, frame in demo_frames.items():
            rows = frame.filter(~in_month) if kind == "staff" and month == "2025-10" else frame
            store.append_rows(conn, kind, rows, store.next_batch_id(conn))
    recompute(conn)
    snapshot = staff.filter(in_month)
    if month != "2025-10":
        # An old month re-imported with a tenth of its people gone and everyone at 0.9 FTE.
        snapshot = snapshot.filter(pl.int_range(pl.len()) % 10 != 3).with_columns(
            pl.lit(0.9).alias("fte")
        )
    batch = _write_staff(conn, snapshot)
    assert [change.month for change in month_runs] == [_month(f"{month}-01")]
    assert_as_full_recompute(conn)
    undo_batch(conn, batch, user="test")
    assert len(month_runs) == 2
    assert_as_full_recompute(conn)
