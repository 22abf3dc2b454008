"""Property tests of the pipelines on random small staff frames (hypothesis)."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from kompetens.indicators import pipelines as pp

UNITS = pl.DataFrame(
    {
        "unit_id": ["A1", "A2", "B1", "B2"],
        "area": ["Norr", "Norr", "Söder", "Söder"],
        "school_form": ["grundskola", "forskola", "grundskola", "gymnasieskola"],
    }
)
CATEGORIES = ["teacher", "preschool_teacher", "childminder", "assistant", "principal"]

row = st.fixed_dictionaries(
    {
        "employee_id": st.integers(1, 12),
        "unit_id": st.sampled_from(UNITS["unit_id"].to_list()),
        "month": st.integers(1, 3),
        "staff_category": st.sampled_from(CATEGORIES),
        "fte": st.sampled_from([0.2, 0.5, 0.75, 1.0]),
        "employment_type": st.sampled_from(["permanent", "fixed_term", "hourly"]),
        "licensed": st.booleans(),
        "qualified": st.booleans(),
        "birth_year": st.integers(1955, 2000),
        "certification_programme": st.booleans(),
    }
)


def staff_frame(rows: list[dict]) -> pl.DataFrame:
    frame = pl.DataFrame(rows).unique(["employee_id", "unit_id", "month"])
    # a person's own attributes are the same in every unit they work in
    person = frame.group_by("employee_id").agg(
        pl.col("birth_year", "licensed", "qualified").first()
    )
    frame = frame.drop("birth_year", "licensed", "qualified").join(person, on="employee_id")
    return frame.with_columns(pl.date(2025, pl.col("month"), 15).alias("snapshot_date")).drop(
        "month"
    )


def rollup(rows) -> pl.DataFrame:
    base = pp.snapshot_base(staff_frame(rows))
    return pp.staff_rollup(base, UNITS, pp.Settings())


def level_sum(roll: pl.DataFrame, level: str, cols: list[str]) -> pl.DataFrame:
    frame = roll.filter((pl.col("level") == level) & (pl.col("breakdown") == "all"))
    if level == "unit":
        frame = frame.join(
            UNITS.select(pl.col("unit_id").alias("scope_id"), "area"), on="scope_id"
        ).with_columns(pl.col("area").alias("scope_id"))
    elif level == "area":
        frame = frame.with_columns(pl.lit("org").alias("scope_id"))
    return frame.group_by("scope_id", "m").agg(pl.col(cols).sum()).sort("scope_id", "m")


@settings(max_examples=40, deadline=None)
@given(st.lists(row, min_size=1, max_size=40))
def test_area_and_org_fte_numerators_and_denominators_are_sums_of_their_parts(rows):
    roll = rollup(rows)
    cols = pp.STAFF_SUMS
    areas = (
        roll.filter((pl.col("level") == "area") & (pl.col("breakdown") == "all"))
        .select("scope_id", "m", *cols)
        .sort("scope_id", "m")
    )
    org = (
        roll.filter((pl.col("level") == "org") & (pl.col("breakdown") == "all"))
        .select("scope_id", "m", *cols)
        .sort("scope_id", "m")
    )
    from_units = level_sum(roll, "unit", cols)
    from_areas = level_sum(roll, "area", cols)
    for c in cols:
        assert areas[c].to_list() == pytest_approx(from_units[c].to_list())
        assert org[c].to_list() == pytest_approx(from_areas[c].to_list())


@settings(max_examples=40, deadline=None)
@given(st.lists(row, min_size=1, max_size=40))
def test_people_are_counted_once_per_scope_however_many_units_they_work_in(rows):
    staff = staff_frame(rows)
    roll = rollup(rows)
    org = roll.filter((pl.col("level") == "org") & (pl.col("breakdown") == "all")).sort("m")
    expected = (
        staff.group_by(pl.col("snapshot_date").dt.month().alias("month"))
        .agg(pl.col("employee_id").n_unique().alias("people"))
        .sort("month")
    )
    assert org["all_p"].to_list() == expected["people"].to_list()
    # an area counts each person once too, and never more than the sum of its units
    areas = roll.filter((pl.col("level") == "area") & (pl.col("breakdown") == "all")).sort(
        "scope_id", "m"
    )
    units = level_sum(roll, "unit", ["all_p"])
    joined = areas.join(units, on=["scope_id", "m"], suffix="_units")
    assert (joined["all_p"] <= joined["all_p_units"]).all()
    people = (
        staff.join(UNITS, on="unit_id")
        .group_by("area", pl.col("snapshot_date").dt.month().alias("month"))
        .agg(pl.col("employee_id").n_unique().alias("people"))
    )
    assert sorted(people["people"].to_list()) == sorted(areas["all_p"].to_list())


@settings(max_examples=40, deadline=None)
@given(st.lists(row, min_size=1, max_size=40))
def test_shares_stay_between_zero_and_one(rows):
    roll = rollup(rows)
    results = pp.stock_indicators(roll, pp.Settings(reference_month=2))
    for indicator_id in (
        "certified_teacher_share",
        "licensed_preschool_teacher_share",
        "on_certification_path_share",
        "temporary_teacher_share",
        "age_55_plus_share",
    ):
        values = results[indicator_id]["value"]
        assert values.is_between(0.0, 1.0).all(), indicator_id


def test_an_employee_in_two_units_counts_once_in_the_organisation_but_in_both_units():
    staff = pl.DataFrame(
        {
            "snapshot_date": [date(2025, 10, 15)] * 2,
            "employee_id": [7, 7],
            "unit_id": ["A1", "B1"],
            "staff_category": ["teacher", "teacher"],
            "fte": [0.6, 0.4],
            "employment_type": ["permanent", "permanent"],
            "licensed": [True, True],
            "qualified": [True, True],
            "birth_year": [1960, 1960],
            "certification_programme": [False, False],
        }
    )
    roll = pp.staff_rollup(pp.snapshot_base(staff), UNITS, pp.Settings())
    shares = pp.stock_indicators(roll, pp.Settings())["certified_teacher_share"].filter(
        pl.col("period_type") == "year"
    )
    by_scope = {
        r["scope_id"]: r for r in shares.filter(pl.col("breakdown") == "all").iter_rows(named=True)
    }
    assert by_scope["A1"]["n_individuals"] == 1 and by_scope["B1"]["n_individuals"] == 1
    # org: FTE summed (0.6 + 0.4 = 1.0), the person counted once
    assert by_scope["org"]["denominator"] == 1.0 and by_scope["org"]["n_individuals"] == 1


def pytest_approx(values):
    import pytest

    return pytest.approx(values, abs=1e-9)


# ---- the fast paths agree with the plain way of computing the same thing ----------------


def assert_same_rows(got: pl.DataFrame, want: pl.DataFrame) -> None:
    """Same rows whatever their order; sums of FTE may differ in the last bits (summing order)."""
    keys = [c for c in (*pp.KEYS, "m") if c in want.columns]
    assert_frame_equal(
        got.select(want.columns).sort(keys), want.sort(keys), rel_tol=1e-12, abs_tol=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(row, min_size=1, max_size=40))
def test_the_folded_two_units_flag_gives_the_figures_of_counting_person_month_pairs(rows):
    # UInt64 ids (as the engine loads them) take the folded-key path of snapshot_base;
    # Int64 ids take the exact group count. Both must give the same staff figures.
    staff = staff_frame(rows)
    hashed = staff.with_columns(pl.col("employee_id").cast(pl.UInt64))
    plain = pp.staff_rollup(pp.snapshot_base(staff), UNITS, pp.Settings())
    fast = pp.staff_rollup(pp.snapshot_base(hashed), UNITS, pp.Settings())
    assert_same_rows(fast, plain)
    # and the flag itself marks at least every person-month with two rows
    base = pp.snapshot_base(hashed).collect()
    pairs = base.group_by("employee_id", "m").len().filter(pl.col("len") > 1)
    flagged = base.filter(pl.col("multi")).select("employee_id", "m").unique()
    assert pairs.join(flagged, on=["employee_id", "m"], how="anti").is_empty()


flow_row = st.fixed_dictionaries(
    {
        "level": st.sampled_from(["unit", "area"]),
        "scope_id": st.sampled_from(["A1", "B1"]),
        "breakdown": st.just("all"),
        "m": st.integers(24_300, 24_340),
        "n": st.integers(0, 5),
        "x": st.sampled_from([0.0, 0.1, 2.5, 7.25]),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(flow_row, min_size=1, max_size=30), st.integers(24_300, 24_330))
def test_rolling_sums_equal_a_sum_over_each_twelve_month_window(rows, lo):
    frame = pl.DataFrame(rows, schema_overrides={"m": pl.Int32})
    hi = lo + 14
    got = pp.rolling_sums(frame.lazy(), pp.KEYS, ["n", "x"], lo, hi).collect()
    expected = []
    for (level, scope_id, breakdown), group in frame.group_by(pp.KEYS):
        for e in range(lo, hi + 1):
            window = group.filter(pl.col("m").is_between(e - 11, e))
            if window.height:  # a window holding no row of the key gives no row
                expected.append(
                    {
                        "level": level,
                        "scope_id": scope_id,
                        "breakdown": breakdown,
                        "e": e,
                        "n": int(window["n"].sum()),
                        "x": float(window["x"].sum()),
                    }
                )
    assert got.height == len(expected)
    want = {(r["level"], r["scope_id"], r["e"]): r for r in expected}
    for r in got.iter_rows(named=True):
        w = want[(r["level"], r["scope_id"], r["e"])]
        assert r["n"] == w["n"]
        assert abs(r["x"] - w["x"]) < 1e-9


event_row = st.fixed_dictionaries(
    {
        "employee_id": st.integers(1, 6),
        "event_date": st.sampled_from([date(2025, 1, 10), date(2025, 1, 20), date(2025, 2, 3)]),
        "unit_id": st.sampled_from(UNITS["unit_id"].to_list()),
        "staff_category": st.sampled_from(["teacher", "assistant"]),
        "exit": st.booleans(),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(event_row, min_size=1, max_size=25))
def test_person_event_counts_count_each_person_and_date_once_per_scope(rows):
    events = pp.with_unit_attrs(
        pl.DataFrame(rows).with_columns(pp.month_of(pl.col("event_date")).alias("m")).lazy(),
        pp.prepare_units(UNITS),
    ).collect()
    dims = ("staff_category", "school_form")
    got = pp.person_event_counts(events, {"events": pl.lit(True), "exits": pl.col("exit")}, dims)
    # the plain way: repeat every event per level and breakdown, de-duplicate per scope
    plain = (
        pp.expand_levels(events.lazy().with_columns(pl.lit(True).alias("events")), dims)
        .group_by([*pp.KEYS, "m", "employee_id", "event_date"])
        .agg(pl.col("events").max(), pl.col("exit").max().alias("exits"))
        .group_by([*pp.KEYS, "m"])
        .agg(pl.col("events", "exits").cast(pl.Int64).sum())
        .collect()
    )
    assert_same_rows(got, plain)


def test_sick_leave_a_month_behind_the_staff_data_keeps_its_school_form_headcounts():
    # Sick leave usually arrives a month after the staff snapshot. Its latest month's
    # school-form rows must still get that month's headcount (not 0, which hides them).
    staff = pl.DataFrame(
        {
            "snapshot_date": [date(2025, 9, 15)] * 5 + [date(2025, 10, 15)] * 6,
            "employee_id": [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 6],
            "unit_id": ["A1"] * 11,
            "staff_category": ["teacher"] * 11,
            "fte": [1.0] * 11,
            "employment_type": ["permanent"] * 11,
            "licensed": [True] * 11,
            "qualified": [True] * 11,
            "birth_year": [1980] * 11,
            "certification_programme": [False] * 11,
        }
    )
    sick = pl.DataFrame(
        {
            "unit_id": ["A1"],
            "month": [date(2025, 9, 1)],  # September only: a month behind the staff data
            "scheduled_hours": [800.0],
            "sick_hours": [40.0],
            "long_sick_hours": [0.0],
        }
    )
    units = pp.prepare_units(UNITS)
    grid = pp.grid_of(staff)
    roll = pp.staff_rollup(pp.snapshot_base(staff), units, pp.Settings())
    rates = pp.sick_leave_indicators(sick, units, roll, grid)["sick_leave_rate"]
    september = rates.filter((pl.col("period_type") == "month") & (pl.col("period") == "2025-09"))
    by_row = {(r["level"], r["breakdown"]): r for r in september.iter_rows(named=True)}
    # 40 / 800 = 5 %, resting on September's 5 people, in the area's grundskola row as well
    row = by_row[("area", "school_form=grundskola")]
    assert row["value"] == 0.05 and row["n_individuals"] == 5
    assert by_row[("org", "all")]["n_individuals"] == 5


def _staff_rows(unit: str, months: list[date], people: range) -> dict[str, list]:
    n = len(months) * len(people)
    return {
        "snapshot_date": [m for m in months for _ in people],
        "employee_id": [p for _ in months for p in people],
        "unit_id": [unit] * n,
        "staff_category": ["teacher"] * n,
        "fte": [1.0] * n,
        "employment_type": ["permanent"] * n,
        "licensed": [True] * n,
        "qualified": [True] * n,
        "birth_year": [1980] * n,
        "certification_programme": [False] * n,
    }


def test_a_unit_opened_in_a_windows_last_month_rests_on_that_months_whole_staff():
    # A1 has 6 people in each of the 12 months Nov 2024 - Oct 2025; A2 opens in Oct 2025
    # with 24. A2's rolling window ending Oct 2025 rests on those 24 people, not on
    # 24 / 12 = 2 (the average over the window's 12 months, which would hide the figure).
    months = [date(2024 + (10 + i) // 12, (10 + i) % 12 + 1, 15) for i in range(12)]
    a1 = _staff_rows("A1", months, range(1, 7))
    a2 = _staff_rows("A2", months[-1:], range(101, 125))
    staff = pl.DataFrame({k: a1[k] + a2[k] for k in a1})
    sick = pl.DataFrame(
        {
            "unit_id": ["A1"] * 12 + ["A2"],
            "month": [date(m.year, m.month, 1) for m in months] + [date(2025, 10, 1)],
            "scheduled_hours": [960.0] * 12 + [3840.0],
            "sick_hours": [48.0] * 12 + [96.0],
            "long_sick_hours": [0.0] * 13,
        }
    )
    units = pp.prepare_units(UNITS)
    grid = pp.grid_of(staff)
    roll = pp.staff_rollup(pp.snapshot_base(staff), units, pp.Settings())
    rates = pp.sick_leave_indicators(sick, units, roll, grid)["sick_leave_rate"]
    window = rates.filter(
        (pl.col("period_type") == "rolling_12m")
        & (pl.col("period") == "2025-10")
        & (pl.col("breakdown") == "all")
    )
    n = dict(zip(window["scope_id"], window["n_individuals"], strict=True))
    # A2: 96 / 3,840 = 2.5 % on its 24 people (one staffed month); A1: 6 people every month;
    # Norr: (6 x 12 + 24) person-months / 12 staffed months = 96 / 12 = 8.
    assert n["A2"] == 24 and n["A1"] == 6 and n["Norr"] == 8
    a2_rate = window.filter(pl.col("scope_id") == "A2")["value"].item()
    assert a2_rate == 96.0 / 3840.0
