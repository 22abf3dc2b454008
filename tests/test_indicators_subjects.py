"""Subject-level qualification from teaching assignments, computed by hand on a small fixture.

Two schools in two areas: S1 (Norr) and S2 (Syd), both grundskola; thirteen teachers, thirty
assignments measured on 2025-10-15 (hours per week; Q = qualified, N = not):

S1  T1  MA 10 Q, NO 6 Q              S2  T7   MA 12 Q, FY 4 Q
    T2  MA 8 N, TK 2 N                   T8   MA 6 Q, KE 4 N, BI 4 N
    T3  SV 12 Q, SVA 4 N                 T9   SV 10 Q, SVA 6 Q
    T4  EN 6 Q, SV 6 Q                   T10  EN 8 N, M2 4 N
    T5  IDH 10 Q, MA 4 N                 T11  SO 10 Q, HKK 4 N, SL 2 N
    T6  SPEC 8 N, MA 4 N                 T12  MA 6 Q, NO 6 Q, SPEC half a post Q (0,5 x 18 = 9 h)
    T13 MA 4 Q (in both schools)         T13  MA 4 Q, TK 2 N

Exits: T2 leaves S1 2025-12-31, T13 leaves S1 2026-01-15 (stays in S2), T7 leaves S2
2026-03-31, T9 leaves S2 2026-11-30 (411 days after the last snapshot: too old to count).
Staff snapshots (every teacher full-time) run monthly from January 2025 to December 2026.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kompetens.indicators import pipelines as pp
from kompetens.indicators.pipelines.subjects import hours_to_fte, subject_indicators

UNITS = pl.DataFrame(
    {"unit_id": ["S1", "S2"], "area": ["Norr", "Syd"], "school_form": ["grundskola"] * 2}
)
SNAP = dt.date(2025, 10, 15)

# person, unit, subject, grades, hours per week (None: given as a share), share, qualified
ROWS = [
    (1, "S1", "MA", "7-9", 10, None, True),
    (1, "S1", "NO", "7-9", 6, None, True),
    (2, "S1", "MA", "7-9", 8, None, False),
    (2, "S1", "TK", "7-9", 2, None, False),
    (3, "S1", "SV", "4-6", 12, None, True),
    (3, "S1", "SVA", "4-6", 4, None, False),
    (4, "S1", "EN", "4-6", 6, None, True),
    (4, "S1", "SV", "4-6", 6, None, True),
    (5, "S1", "IDH", "7-9", 10, None, True),
    (5, "S1", "MA", "4-6", 4, None, False),
    (6, "S1", "SPEC", "7-9", 8, None, False),
    (6, "S1", "MA", "7-9", 4, None, False),
    (13, "S1", "MA", "7-9", 4, None, True),
    (7, "S2", "MA", "7-9", 12, None, True),
    (7, "S2", "FY", "7-9", 4, None, True),
    (8, "S2", "MA", "7-9", 6, None, True),
    (8, "S2", "KE", "7-9", 4, None, False),
    (8, "S2", "BI", "7-9", 4, None, False),
    (9, "S2", "SV", "7-9", 10, None, True),
    (9, "S2", "SVA", "7-9", 6, None, True),
    (10, "S2", "EN", "7-9", 8, None, False),
    (10, "S2", "M2", "7-9", 4, None, False),
    (11, "S2", "SO", "4-6", 10, None, True),
    (11, "S2", "HKK", "7-9", 4, None, False),
    (11, "S2", "SL", "7-9", 2, None, False),
    (12, "S2", "MA", "4-6", 6, None, True),
    (12, "S2", "NO", "4-6", 6, None, True),
    (12, "S2", "SPEC", "4-6", None, 0.5, True),
    (13, "S2", "MA", "7-9", 4, None, True),
    (13, "S2", "TK", "7-9", 2, None, False),
]
EXITS = [
    (2, "S1", dt.date(2025, 12, 31)),
    (13, "S1", dt.date(2026, 1, 15)),
    (7, "S2", dt.date(2026, 3, 31)),
    (9, "S2", dt.date(2026, 11, 30)),
]


def assignments(rows=ROWS, snap=SNAP) -> pl.DataFrame:
    return pl.DataFrame(
        [(snap, p, u, s, None, g, h, f, q) for p, u, s, g, h, f, q in rows],
        schema={
            "snapshot_date": pl.Date,
            "employee_id": pl.UInt64,
            "unit_id": pl.String,
            "subject": pl.String,
            "school_form": pl.String,
            "grades": pl.String,
            "hours_per_week": pl.Float64,
            "fte_share": pl.Float64,
            "qualified": pl.Boolean,
        },
        orient="row",
    )


def events() -> pl.DataFrame:
    return pl.DataFrame(
        [(d, p, "exit", u) for p, u, d in EXITS],
        schema={
            "event_date": pl.Date,
            "employee_id": pl.UInt64,
            "event_type": pl.String,
            "unit_id": pl.String,
        },
        orient="row",
    )


def staff(people: dict[int, list[str]], months=range(24), flags: dict[int, bool] | None = None):
    """Monthly snapshots from January 2025: every person full-time, permanent, a teacher."""
    rows = []
    for k in months:
        date = dt.date(2025 + k // 12, k % 12 + 1, 15)
        for person, units in people.items():
            flag = True if flags is None else flags[person]
            for unit in units:
                rows.append(
                    (date, person, unit, "teacher", 1.0, "permanent", flag, flag, 1980, False)
                )
    return pl.DataFrame(
        rows,
        schema={
            "snapshot_date": pl.Date,
            "employee_id": pl.UInt64,
            "unit_id": pl.String,
            "staff_category": pl.String,
            "fte": pl.Float64,
            "employment_type": pl.String,
            "licensed": pl.Boolean,
            "qualified": pl.Boolean,
            "birth_year": pl.Int64,
            "certification_programme": pl.Boolean,
        },
        orient="row",
    )


def figures() -> dict[str, pl.DataFrame]:
    frames = {"teaching_assignment": assignments(), "units": UNITS, "events": events()}
    people = (
        {p: ["S1"] for p in range(1, 7)} | {p: ["S2"] for p in range(7, 13)} | {13: ["S1", "S2"]}
    )
    frames["staff"] = staff(people)
    return pp.compute(frames, pp.Settings(), {"teaching_assignment"})


@pytest.fixture(scope="module")
def out() -> dict[str, pl.DataFrame]:
    return figures()


def cell(frame, level, scope, period, breakdown="all", period_type="year") -> dict:
    rows = frame.filter(
        (pl.col("level") == level)
        & (pl.col("scope_id") == scope)
        & (pl.col("period_type") == period_type)
        & (pl.col("period") == period)
        & (pl.col("breakdown") == breakdown)
    ).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def parts(row) -> tuple:
    return (row["numerator"], row["denominator"], row["n_individuals"])


def test_certified_teaching_hours_share_weights_by_hours_per_unit_area_and_org(out):
    share = out["certified_teaching_hours_share"]
    # S1: hours 16+10+16+12+14+12+4 = 84; qualified T1 16 + T3 12 + T4 12 + T5 10 + T13 4 = 54
    assert parts(cell(share, "unit", "S1", "2025")) == (54.0, 84.0, 7)
    assert cell(share, "unit", "S1", "2025")["value"] == pytest.approx(54 / 84)
    # S2: 16+14+16+12+16+21+6 = 101 (T12's half post is 9 h); qualified 16+6+16+0+10+21+4 = 73
    assert parts(cell(share, "area", "Syd", "2025")) == (73.0, 101.0, 7)
    # organisation: 54 + 73 = 127 of 84 + 101 = 185 hours; T13 is one of 13 teachers, not two
    org = cell(share, "org", "org", "2025")
    assert parts(org) == (127.0, 185.0, 13)
    assert org["value"] == pytest.approx(127 / 185)
    # the month row is the same snapshot
    assert parts(cell(share, "org", "org", "2025-10", period_type="month")) == (127.0, 185.0, 13)


def test_the_subject_breakdown_carries_skolverkets_subject_codes(out):
    share = out["certified_teaching_hours_share"]
    # MA at S1: T1 10 Q, T2 8 N, T5 4 N, T6 4 N, T13 4 Q -> 14 of 30 hours, 5 teachers
    assert parts(cell(share, "unit", "S1", "2025", "subject=MA")) == (14.0, 30.0, 5)
    # MA in the organisation: S1 14/30 + S2 (12 + 6 + 6 + 4, all Q) 28/28 = 42/58; T13 counts once
    assert parts(cell(share, "org", "org", "2025", "subject=MA")) == (42.0, 58.0, 8)
    # SPEC at S2: T12's half post, 9 h, qualified
    assert parts(cell(share, "unit", "S2", "2025", "subject=SPEC")) == (9.0, 9.0, 1)
    # school form: everything is grundskola here, so it equals the organisation
    assert parts(cell(share, "org", "org", "2025", "school_form=grundskola")) == (127.0, 185.0, 13)


def test_uncertified_teaching_hours_are_the_gap_in_hours_and_convert_to_posts(out):
    gap = out["uncertified_teaching_hours"]
    # S1: 84 - 54 = 30 h; S2: 101 - 73 = 28 h; organisation 58 h
    assert cell(gap, "unit", "S1", "2025")["value"] == 30.0
    assert cell(gap, "unit", "S2", "2025")["value"] == 28.0
    org = cell(gap, "org", "org", "2025")
    assert (org["value"], org["denominator"], org["n_individuals"]) == (58.0, 185.0, 13)
    # MA: 58 - 42 = 16 h, 16 / 18 = 0.89 full-time posts
    assert cell(gap, "org", "org", "2025", "subject=MA")["value"] == 16.0
    assert hours_to_fte(16.0) == pytest.approx(0.8889, abs=1e-4)


def test_subjects_without_a_qualified_teacher_are_counted_per_unit_and_summed_above(out):
    lacking = out["subjects_without_certified_teacher"]
    # S1 teaches MA NO TK SV SVA EN IDH SPEC; none qualified in TK, SVA, SPEC -> 3
    assert cell(lacking, "unit", "S1", "2025")["value"] == 3.0
    # S2: KE BI EN M2 HKK SL TK have no qualified hour -> 7
    assert cell(lacking, "unit", "S2", "2025")["value"] == 7.0
    assert cell(lacking, "org", "org", "2025")["value"] == 10.0
    # per subject: TK lacks a qualified teacher in both schools; MA in neither
    assert cell(lacking, "org", "org", "2025", "subject=TK")["value"] == 2.0
    assert cell(lacking, "org", "org", "2025", "subject=MA")["value"] == 0.0
    assert cell(lacking, "unit", "S1", "2025", "subject=SVA")["value"] == 1.0
    assert cell(lacking, "unit", "S2", "2025", "subject=SVA")["value"] == 0.0


def test_lost_qualified_hours_follow_each_exit_to_the_unit_it_left(out):
    lost = out["lost_qualified_teaching_hours"]
    # 2025: T2 leaves S1 with MA 8 N and TK 2 N: nothing qualified lost, 10 hours in all
    assert parts(cell(lost, "org", "org", "2025")) == (0.0, 10.0, 1)
    # 2026: T13 takes S1's MA 4 Q (the S2 assignments stay), T7 takes MA 12 Q + FY 4 Q;
    # T9's exit is 411 days after the last snapshot and is not counted -> 20 of 20 hours
    assert parts(cell(lost, "org", "org", "2026")) == (20.0, 20.0, 2)
    assert cell(lost, "unit", "S1", "2026")["value"] == 4.0
    assert cell(lost, "org", "org", "2026", "subject=MA")["value"] == 16.0
    # the last 12 months to March 2026 hold all three counted exits: 0 + 4 + 16 of 10 + 4 + 16
    assert parts(cell(lost, "org", "org", "2026-03", period_type="rolling_12m")) == (20.0, 30.0, 3)
    assert cell(lost, "org", "org", "2026-03", "subject=MA", "rolling_12m")["value"] == 16.0


def test_without_assignments_the_block_computes_nothing():
    frames = {
        "teaching_assignment": assignments().clear(),
        "units": UNITS,
        "events": events(),
        "staff": staff({1: ["S1"]}, range(3)),
    }
    assert pp.compute(frames, pp.Settings(), {"teaching_assignment"}) == {}


def test_the_year_value_is_the_reference_month_snapshot_or_else_the_years_latest():
    rows = [(1, "S1", "MA", "7-9", 10, None, True), (2, "S1", "MA", "7-9", 10, None, False)]
    august = assignments(rows, dt.date(2026, 8, 20))
    january = assignments(rows[:1], dt.date(2026, 1, 20))
    out = subject_indicators(pl.concat([january, august]), UNITS, None, pp.Settings(), None)
    # no October snapshot in 2026: the year is August's (10 of 20 hours), not January's (10 of 10)
    assert parts(cell(out["certified_teaching_hours_share"], "unit", "S1", "2026")) == (
        10.0,
        20.0,
        2,
    )
    october = assignments(rows[:1], dt.date(2026, 10, 1))
    december = assignments(rows, dt.date(2026, 12, 1))
    out = subject_indicators(pl.concat([october, december]), UNITS, None, pp.Settings(), None)
    assert parts(cell(out["certified_teaching_hours_share"], "unit", "S1", "2026")) == (
        10.0,
        10.0,
        1,
    )


# ---- agreement with the per-person flag ---------------------------------------------------

teacher = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(["S1", "S2"]),
        "flag": st.booleans(),
        # a full-time teaching load of 18 hours split over one to four subjects
        "split": st.lists(st.sampled_from([2, 4, 6]), min_size=0, max_size=3),
        "subjects": st.lists(
            st.sampled_from(["MA", "SV", "EN", "NO", "SPEC"]), min_size=4, max_size=4
        ),
    }
)


@settings(max_examples=40, deadline=None)
@given(st.lists(teacher, min_size=1, max_size=12))
def test_with_each_persons_flag_on_every_assignment_hours_weighted_equals_fte_weighted(teachers):
    """Full-time, single-unit teachers with equal loads: the hours-weighted share is the FTE one."""
    rows, people, flags = [], {}, {}
    for person, t in enumerate(teachers, start=1):
        hours, left = [], 18
        for part in t["split"]:
            if part < left:
                hours.append(part)
                left -= part
        hours.append(left)
        for subject, h in zip(t["subjects"], hours, strict=False):
            rows.append((person, t["unit"], subject, "7-9", h, None, t["flag"]))
        people[person], flags[person] = [t["unit"]], t["flag"]
    frames = {
        "teaching_assignment": assignments(rows, dt.date(2025, 10, 15)),
        "units": UNITS,
        "events": events().clear(),
        "staff": staff(people, [9], flags),
    }
    out = pp.compute(frames, pp.Settings(), {"staff", "teaching_assignment"})
    keys = ["level", "scope_id", "period_type", "period"]

    def alls(frame):
        return frame.filter(pl.col("breakdown") == "all").select(*keys, "value").sort(keys)

    by_fte = alls(out["certified_teacher_share"])
    by_hours = alls(out["certified_teaching_hours_share"])
    joined = by_fte.join(by_hours, on=keys, suffix="_hours")
    assert joined.height == by_fte.height == by_hours.height
    assert (joined["value"] - joined["value_hours"]).abs().max() < 1e-12
