"""What widens the projection's band: moves between units counted as flows, and the rates'
year-to-year spread beyond chance, split into what the organisation shares, what an area's units
share and a cell's own (``analysis.projection_rates``), drawn shared in ``analysis.projection``."""

from __future__ import annotations

import dataclasses
import math

import polars as pl
import pytest

from kompetens.analysis import projection as pm
from kompetens.analysis.projection_rates import (
    area_spread,
    common_spread,
    observed_flows,
    unit_spread,
)


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


def _yearly(rates: list[float], exposure: float = 100.0, unit: str = "U1", area: str = "A"):
    """One cell's yearly ``exit_certified`` flows, from 2022 on."""
    return pl.DataFrame(
        {
            "unit_id": [unit] * len(rates),
            "area": [area] * len(rates),
            "staff_category": ["teacher"] * len(rates),
            "indicator_id": ["certified_teacher_share"] * len(rates),
            "rate": ["exit_certified"] * len(rates),
            "year": list(range(2022, 2022 + len(rates))),
            "events": [r * exposure for r in rates],
            "exposure": [exposure] * len(rates),
        }
    )


# Two groups over three years: one with rates 0.1, 0.3, 0.5 on 100 each, one steady at 0.3
# on 300 each. Together: (10 + 90) / 400 = 0.25, (30 + 90) / 400 = 0.30, (50 + 90) / 400 = 0.35.
# The first's deviation from the whole: −0.15, 0, 0.15, variance 0.0225; chance 0.3 · 0.7 ·
# (1/100 − 1/400) = 0.001575; excess 0.020925, weight 300. The second's: 0.05, 0, −0.05,
# variance 0.0025; chance 0.21 · (1/300 − 1/400) = 0.000175; excess 0.002325, weight 900.
# Weighted: (300 · 0.020925 + 900 · 0.002325) / 1200 = 8.37 / 1200 = 0.006975.
TWO_GROUPS = 0.006975


def test_an_areas_spread_is_its_rates_year_to_year_deviation_from_the_organisations_beyond_chance():
    flows = pl.concat(
        [
            _yearly([0.1, 0.3, 0.5], 100.0, unit="U1", area="A"),
            _yearly([0.3, 0.3, 0.3], 300.0, unit="U2", area="B"),
        ]
    )
    assert area_spread(flows)["exit_certified"] == pytest.approx(math.sqrt(TWO_GROUPS))
    # The organisation: 0.25, 0.30, 0.35, variance 0.0025; chance 0.3 · 0.7 / 400 = 0.000525.
    assert common_spread(flows)["exit_certified"] == pytest.approx(math.sqrt(0.0025 - 0.000525))
    assert area_spread(flows)["completion"] == 0.0  # no such flows


def test_a_cells_spread_is_its_deviation_from_its_area_so_the_area_part_is_not_counted_twice():
    # The same numbers as two units of one area: the cells carry the spread, the area
    # moves exactly as the organisation does (one area), so it has none of its own.
    flows = pl.concat(
        [
            _yearly([0.1, 0.3, 0.5], 100.0, unit="U1", area="A"),
            _yearly([0.3, 0.3, 0.3], 300.0, unit="U2", area="A"),
        ]
    )
    assert unit_spread(flows)["exit_certified"] == pytest.approx(math.sqrt(TWO_GROUPS))
    assert area_spread(flows)["exit_certified"] == 0.0


def test_a_lone_cells_year_to_year_spread_is_its_areas_not_its_own():
    # One unit in its area: its rates 0.1, 0.3, 0.5 are the area's and the organisation's, so
    # the whole spread √(0.04 − 0.3 · 0.7 / 100) is the organisation's (shared), none the cell's.
    flows = _yearly([0.1, 0.3, 0.5])
    assert common_spread(flows)["exit_certified"] == pytest.approx(math.sqrt(0.04 - 0.0021))
    assert unit_spread(flows)["exit_certified"] == 0.0


def test_the_organisation_needs_three_years_and_areas_and_cells_two_for_a_spread():
    two_years = pl.concat(
        [
            _yearly([0.1, 0.5], 100.0, unit="U1", area="A"),
            _yearly([0.3, 0.3], 100.0, unit="U2", area="B"),
        ]
    )
    assert common_spread(two_years)["exit_certified"] == 0.0  # one series, two years
    # Areas: A deviates −0.1, +0.1 from the organisation's 0.2, 0.4: variance 0.02; chance
    # 0.3 · 0.7 · (1/100 − 1/200) = 0.00105; B the mirror image: √(0.02 − 0.00105).
    assert area_spread(two_years)["exit_certified"] == pytest.approx(math.sqrt(0.01895))
    one_year = _yearly([0.1], 100.0)
    assert area_spread(one_year)["exit_certified"] == 0.0
    assert unit_spread(one_year)["exit_certified"] == 0.0
    steady = _yearly([0.3, 0.3, 0.3])  # no variance at all: only chance, no spread
    assert common_spread(steady)["exit_certified"] == 0.0


# ------------------------------------------------------------------------------------------
# Shared shifts in the draws


def _area_of_four_schools() -> pm.Model:
    """Område A: four schools of 100 teachers, half certified; 2024 → 2025 every fourth leaves
    and is replaced by a hire, 13 in 25 of them certified."""
    rows = []
    for u in range(4):
        for i in range(100):
            person = {
                "employee_id": f"u{u}p{i}",
                "unit_id": f"S{u}",
                "staff_category": "teacher",
                "fte": 1.0,
                "licensed": i < 50,
                "qualified": i < 50,
                "birth_year": 1985,
            }
            rows.append({**person, "year": 2024})
            if i % 4 == 0:  # left; the hire is certified for i = 0, 8, 16, … (13 of 25)
                hired = i % 8 == 0
                person = {**person, "employee_id": f"u{u}h{i}", "licensed": hired}
                person["qualified"] = hired
            rows.append({**person, "year": 2025})
    units = pl.DataFrame(
        {
            "unit_id": [f"S{u}" for u in range(4)],
            "area": ["Område A"] * 4,
            "school_form": ["grundskola"] * 4,
        }
    )
    return pm.build_model(pl.DataFrame(rows), units, retirement_age=66)


def _width(result: pl.DataFrame, level: str, year: int = 2030) -> list[float]:
    part = result.filter((pl.col("level") == level) & (pl.col("year") == year))
    return (part["high80"] - part["low80"]).to_list()


def test_a_shift_shared_by_an_areas_units_widens_the_areas_band_more_than_the_same_shift_per_unit():
    model = _area_of_four_schools()
    spread = {"certified_hire_share": 0.15}
    shared = dataclasses.replace(model, spread={}, area_spread=spread, unit_spread={})
    alone = dataclasses.replace(model, spread={}, area_spread={}, unit_spread=spread)
    with_shared = pm.project(shared, years=5, draws=500)
    each_alone = pm.project(alone, years=5, draws=500)
    # Per unit the same spread either way; summed over four units the independent shifts
    # partly cancel (their mean varies as 0.15 / √4), the shared one does not.
    area_shared, area_alone = _width(with_shared, "area")[0], _width(each_alone, "area")[0]
    assert area_shared > 1.5 * area_alone  # 0.320 against 0.188 with this seed
    for shared_w, alone_w in zip(
        _width(with_shared, "unit"), _width(each_alone, "unit"), strict=True
    ):
        assert 0.75 < shared_w / alone_w < 1.33


def test_the_model_carries_the_three_spreads_and_each_cell_knows_its_area():
    model = _area_of_four_schools()
    assert model.area_of.tolist() == [0, 0, 0, 0]  # four cells, one area × share
    assert set(model.area_spread) == set(model.unit_spread) == set(model.spread)
