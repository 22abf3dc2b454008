"""What widens the projection's band: moves between units counted as flows, and a unit's own
pace drifting from year to year (``analysis.projection_rates``)."""

from __future__ import annotations

import math

import polars as pl
import pytest

from kompetens.analysis.projection_rates import observed_flows, unit_spread


def test_a_move_to_another_unit_is_an_exit_from_the_first_and_a_hire_in_the_second():
    # Two schools; teacher T moves from U1 to U2 between 2024 and 2025, certified.
    snapshots = pl.DataFrame(
        {
            "year": [2024, 2024, 2025, 2025],
            "employee_id": ["T", "S", "T", "S"],
            "unit_id": ["U1", "U1", "U2", "U1"],
            "staff_category": ["teacher"] * 4,
            "fte": [1.0] * 4,
            "licensed": [True, False, True, False],
            "qualified": [True, False, True, False],
            "birth_year": [1980, 1985, 1980, 1985],
        }
    )
    units = pl.DataFrame(
        {"unit_id": ["U1", "U2"], "area": ["A", "A"], "school_form": ["grundskola"] * 2}
    )
    flows = observed_flows(snapshots, units, retirement_age=66, last_year=2025)
    got = {(r["unit_id"], r["rate"]): (r["events"], r["exposure"]) for r in flows.to_dicts()}
    assert got[("U1", "exit_certified")] == (1, 1)  # T left U1 (to U2)
    assert got[("U1", "exit_uncertified")] == (0, 1)  # S stayed
    assert got[("U2", "certified_hire_share")] == (1, 1)  # T arrived certified
    assert got[("U1", "completion")] == (0, 1)  # S stayed uncertified


def _yearly(rates: list[float], exposure: float = 100.0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit_id": ["U1"] * len(rates),
            "area": ["A"] * len(rates),
            "staff_category": ["teacher"] * len(rates),
            "indicator_id": ["certified_teacher_share"] * len(rates),
            "rate": ["exit_certified"] * len(rates),
            "year": list(range(2022, 2022 + len(rates))),
            "events": [r * exposure for r in rates],
            "exposure": [exposure] * len(rates),
        }
    )


def test_a_units_year_to_year_spread_beyond_chance_is_the_variance_left_after_the_binomial():
    # Rates 0.1, 0.3, 0.5 on 100 each: variance (0.04 + 0 + 0.04) / 2 = 0.04; chance
    # 0.3 · 0.7 / 100 = 0.0021; spread √(0.04 − 0.0021) = √0.0379 ≈ 0.1947.
    got = unit_spread(_yearly([0.1, 0.3, 0.5]))
    assert got["exit_certified"] == pytest.approx(math.sqrt(0.0379))
    assert got["completion"] == 0.0  # no such flows


def test_with_fewer_than_three_years_or_only_chance_there_is_no_spread():
    assert unit_spread(_yearly([0.1, 0.5]))["exit_certified"] == 0.0  # two transitions
    assert unit_spread(_yearly([0.3, 0.3, 0.3]))["exit_certified"] == 0.0  # no variance
