"""The demo's certification paths agree with the staff file: who is on a path, where, until when."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from kompetens.demo.build import generate_demo
from kompetens.indicators.pipelines.paths import path_states


@pytest.fixture(scope="module")
def demo() -> dict[str, pl.DataFrame]:
    return generate_demo(employees=600, start=date(2022, 1, 1), end_month=date(2026, 10, 1), seed=3)


def test_every_teacher_on_a_programme_in_the_staff_file_has_a_path_and_nobody_else(demo):
    staff, paths = demo["staff"], demo["certification_path"]
    enrolled = set(
        staff.filter(pl.col("certification_programme") & (pl.col("staff_category") == "teacher"))[
            "employee_id"
        ].to_list()
    )
    assert enrolled and set(paths["employee_id"].to_list()) == enrolled
    # each path is at a unit the person worked at, starts before its expected completion and
    # before the person's first snapshot on the programme
    worked = staff.select("employee_id", "unit_id").unique()
    assert paths.join(worked, on=["employee_id", "unit_id"], how="anti").height == 0
    assert (paths["expected_completion"] > paths["start_date"]).all()
    first_on = (
        staff.filter(pl.col("certification_programme"))
        .group_by("employee_id")
        .agg(pl.col("snapshot_date").min().alias("first_on"))
    )
    joined = paths.join(first_on, on="employee_id")
    assert (joined["start_date"] <= joined["first_on"]).all()


def test_the_demo_has_every_status_over_time_and_the_common_programmes(demo):
    paths = demo["certification_path"]
    programmes = set(paths["programme"].unique().to_list())
    # every code is a contract code; the common three always occur (ULV and others are rarer)
    assert (
        {"VAL", "KPU", "lararlyftet"} <= programmes <= {"VAL", "KPU", "lararlyftet", "ULV", "other"}
    )
    states = path_states(paths, demo["staff"])
    assert set(states["path_status"].unique().to_list()) == {
        "ongoing",
        "overdue",
        "completed",
        "left",
    }
    # most completed paths were completed by the expected date or soon after: the flag flips
    # the month after the programme ends, and seven in ten are on time
    completed = states.filter(pl.col("path_status") == "completed").unique("path")
    assert completed.height > 0


def test_a_licensed_teacher_without_the_subject_takes_lararlyftet(demo):
    staff, paths = demo["staff"], demo["certification_path"]
    licensed_at_start = (
        staff.filter(pl.col("certification_programme") & (pl.col("staff_category") == "teacher"))
        .sort("snapshot_date")
        .group_by("employee_id")
        .agg(pl.col("licensed").first())
    )
    joined = paths.join(licensed_at_start, on="employee_id")
    assert (joined.filter(pl.col("licensed"))["programme"] == "lararlyftet").all()
    assert (joined.filter(~pl.col("licensed"))["programme"] != "lararlyftet").all()
