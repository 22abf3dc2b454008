"""The demo's teaching assignments: about four per teacher, a full load of hours, shortage subjects."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from kompetens.demo.assignments import SHORTAGE_SUBJECTS, term_starts
from kompetens.demo.build import generate_demo


@pytest.fixture(scope="module")
def demo() -> dict[str, pl.DataFrame]:
    return generate_demo(employees=600, start=date(2024, 1, 1), end_month=date(2026, 10, 1), seed=3)


def test_the_last_four_terms_the_snapshots_reach_are_generated():
    # the last snapshot is 2026-10-15: HT2026, VT2026, HT2025, VT2025
    assert term_starts(date(2026, 10, 15)) == [
        date(2025, 1, 1),
        date(2025, 8, 1),
        date(2026, 1, 1),
        date(2026, 8, 1),
    ]


def test_teachers_get_about_four_assignments_adding_up_to_a_full_teaching_load(demo):
    a = demo["teaching_assignment"]
    assert a["snapshot_date"].unique().sort().to_list() == term_starts(date(2026, 10, 15))
    per_teacher = a.group_by("snapshot_date", "employee_id", "unit_id").agg(
        pl.len().alias("n"), pl.col("hours_per_week").sum().alias("hours")
    )
    assert 3.0 <= per_teacher["n"].mean() <= 4.5
    # 18 h a week times the FTE (at most 1), each assignment rounded to the half hour
    assert per_teacher["hours"].max() <= 18.0 + 6 * 0.25
    assert per_teacher["hours"].mean() > 12.0


def test_shortage_subjects_have_fewer_qualified_hours_than_the_rest(demo):
    a = demo["teaching_assignment"].with_columns(
        pl.col("subject").is_in(list(SHORTAGE_SUBJECTS)).alias("shortage"),
        (pl.col("hours_per_week") * pl.col("qualified").cast(pl.Float64)).alias("q"),
    )
    share = a.group_by("shortage").agg(pl.col("q").sum() / pl.col("hours_per_week").sum())
    by = dict(zip(share["shortage"], share["q"], strict=True))
    assert by[True] < by[False] - 0.1


def test_every_assignment_belongs_to_a_teacher_or_special_educator_of_a_school_unit(demo):
    a = demo["teaching_assignment"]
    units = demo["units"].select("unit_id", "school_form")
    forms = set(a.drop("school_form").join(units, on="unit_id")["school_form"].unique().to_list())
    assert forms <= {"grundskola", "gymnasieskola", "anpassad_grundskola", "anpassad_gymnasieskola"}
    assert a.filter(pl.col("subject") == "SPEC").height > 0
