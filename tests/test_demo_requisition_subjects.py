"""The demo's requisitions carry a subject for teaching posts, and shortage subjects are harder to fill."""

from __future__ import annotations

from datetime import date

import polars as pl

from kompetens.demo.assignments import SHORTAGE_SUBJECTS
from kompetens.demo.build import generate_demo
from kompetens.demo.requisition_subjects import with_subjects

UNITS = pl.DataFrame(
    {
        "unit_id": ["G1", "Y1", "A1", "F1"],
        "school_form": ["grundskola", "gymnasieskola", "anpassad_grundskola", "forskola"],
    }
)


def requisitions(unit: str, category: str, outcome: str, n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"unit_id": [unit] * n, "staff_category": [category] * n, "outcome": [outcome] * n}
    )


def test_only_teaching_posts_at_school_units_get_a_subject():
    req = pl.concat(
        [
            requisitions("G1", "teacher", "filled", 20),
            requisitions("Y1", "teacher", "filled", 20),
            requisitions("A1", "teacher", "filled", 5),
            requisitions("G1", "special_educator", "unfilled", 5),
            requisitions("G1", "assistant", "filled", 5),
            requisitions("F1", "preschool_teacher", "filled", 5),
        ]
    )
    out = with_subjects(req, UNITS, seed=1)
    assert (
        out.filter(pl.col("unit_id").is_in(["G1", "Y1"]) & (pl.col("staff_category") == "teacher"))[
            "subject"
        ].null_count()
        == 0
    )
    # anpassad skola and special educators: special-needs teaching
    assert set(out.filter(pl.col("unit_id") == "A1")["subject"]) == {"SPEC"}
    assert set(out.filter(pl.col("staff_category") == "special_educator")["subject"]) == {"SPEC"}
    # assistants and preschools: no subject
    assert (
        out.filter(pl.col("staff_category").is_in(["assistant", "preschool_teacher"]))[
            "subject"
        ].null_count()
        == 10
    )
    # upper secondary draws from the upper-secondary timetable (no F-3 class-teacher subjects)
    assert set(out.filter(pl.col("unit_id") == "Y1")["subject"]) <= {
        "MA", "SV", "EN", "NO", "BI", "FY", "KE", "HI", "SH", "RE", "IDH", "M2", "SVA"
    }  # fmt: skip


def test_shortage_subjects_are_more_common_among_requisitions_that_were_not_filled():
    req = pl.concat(
        [
            requisitions("G1", "teacher", "filled", 2000),
            requisitions("G1", "teacher", "unfilled", 2000),
        ]
    )
    out = with_subjects(req, UNITS, seed=2).with_columns(
        pl.col("subject").is_in(list(SHORTAGE_SUBJECTS)).alias("shortage")
    )
    share = dict(out.group_by("outcome").agg(pl.col("shortage").mean()).rows())
    # timetable weights x 0.6 among filled, x 3 among unfilled: roughly a quarter against two thirds
    assert share["filled"] < 0.35 < 0.55 < share["unfilled"]


def test_the_subject_is_drawn_from_its_own_stream_so_every_other_column_is_unchanged():
    frames = generate_demo(
        employees=300, start=date(2025, 1, 1), end_month=date(2026, 10, 1), seed=5
    )
    rec = frames["recruitments"]
    teachers = rec.filter(pl.col("staff_category") == "teacher")
    assert teachers["subject"].drop_nulls().len() > 0
    assert (
        rec.filter(~pl.col("staff_category").is_in(["teacher", "special_educator"]))[
            "subject"
        ].null_count()
        == rec.filter(~pl.col("staff_category").is_in(["teacher", "special_educator"])).height
    )
    again = with_subjects(rec.drop("subject"), frames["units"], seed=5)
    assert again.equals(rec)
