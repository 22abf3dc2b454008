"""The allocation model on a hand-computed fixture (4 units, 2 years) and its invariants.

Compulsory school (grundskola), pot 1 000 000 kr both years:

    unit  pupils  index 2025  index 2026
    A       100        140         130
    B       200        110         125
    C       100         50          60
    D        50        180         140

Two upper-secondary schools (gymnasieskola), 2025 only, pot 300 000 kr:
E 100 pupils index 120, F 100 pupils index 80.

The same worked example is in docs/allocation.md.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompetens.analysis import allocation as al

PUPILS = pl.DataFrame(
    {
        "unit_id": ["A", "B", "C", "D"] * 2 + ["E", "F"],
        "year": [2025] * 4 + [2026] * 4 + [2025, 2025],
        "school_form": ["grundskola"] * 8 + ["gymnasieskola"] * 2,
        "pupils": [100, 200, 100, 50] * 2 + [100, 100],
    }
)
INDEX = pl.DataFrame(
    {
        "unit_id": ["A", "B", "C", "D"] * 2 + ["E", "F"],
        "year": [2025] * 4 + [2026] * 4 + [2025, 2025],
        "index": [140.0, 110.0, 50.0, 180.0, 130.0, 125.0, 60.0, 140.0, 120.0, 80.0],
    }
)
POTS = pl.DataFrame(
    {
        "year": [2025, 2026, 2025],
        "school_form": ["grundskola", "grundskola", "gymnasieskola"],
        "pot": [1_000_000.0, 1_000_000.0, 300_000.0],
    }
)


def _amounts(params: al.AllocationParameters, year: int, form: str = "grundskola") -> dict:
    result = al.allocate(PUPILS, INDEX, POTS, params)
    rows = result.filter((pl.col("year") == year) & (pl.col("school_form") == form))
    return {u: round(a, 2) for u, a in zip(rows["unit_id"], rows["amount"], strict=True)}


def test_without_a_floor_the_pot_is_shared_by_pupils_times_index():
    # weights 100*140 = 14 000, 200*110 = 22 000, 100*50 = 5 000, 50*180 = 9 000; sum 50 000
    # A = 1 000 000 * 14/50 = 280 000; B 22/50 = 440 000; C 5/50 = 100 000; D 9/50 = 180 000
    assert _amounts(al.AllocationParameters(floor=0), 2025) == {
        "A": 280_000.0,
        "B": 440_000.0,
        "C": 100_000.0,
        "D": 180_000.0,
    }


def test_with_floor_100_only_the_index_above_the_floor_counts():
    # weights 100*(140-100) = 4 000, 200*10 = 2 000, C below the floor 0, 50*80 = 4 000; sum 10 000
    # A = 1 000 000 * 4/10 = 400 000; B 200 000; C 0; D 400 000
    assert _amounts(al.AllocationParameters(floor=100), 2025) == {
        "A": 400_000.0,
        "B": 200_000.0,
        "C": 0.0,
        "D": 400_000.0,
    }
    # 2026: 100*30 = 3 000, 200*25 = 5 000, 0, 50*40 = 2 000; sum 10 000 -> 300k, 500k, 0, 200k
    assert _amounts(al.AllocationParameters(floor=100), 2026) == {
        "A": 300_000.0,
        "B": 500_000.0,
        "C": 0.0,
        "D": 200_000.0,
    }


def test_change_and_amount_per_pupil_follow_from_the_amounts():
    result = al.allocate(PUPILS, INDEX, POTS, al.AllocationParameters(floor=100))
    b = result.filter((pl.col("unit_id") == "B") & (pl.col("year") == 2026)).row(0, named=True)
    # B: 200 000 -> 500 000: change +300 000 kr, +150 %; 500 000 / 200 pupils = 2 500 kr per pupil
    assert b["previous_amount"] == pytest.approx(200_000)
    assert b["change"] == pytest.approx(300_000)
    assert b["change_share"] == pytest.approx(1.5)
    assert b["amount_per_pupil"] == pytest.approx(2_500)
    c = result.filter((pl.col("unit_id") == "C") & (pl.col("year") == 2026)).row(0, named=True)
    # C had 0 kr in 2025: the change is 0 kr and has no share
    assert c["change"] == 0 and c["change_share"] is None
    first = result.filter(pl.col("year") == 2025)
    assert first["previous_amount"].null_count() == len(first)


def test_smoothing_over_two_years_uses_the_mean_index():
    # 2026 index used: A (140+130)/2 = 135, B (110+125)/2 = 117.5, C 55, D (180+140)/2 = 160
    # weights 100*35 = 3 500, 200*17.5 = 3 500, 0, 50*60 = 3 000; sum 10 000
    params = al.AllocationParameters(floor=100, smoothing_years=2)
    assert _amounts(params, 2026) == {"A": 350_000.0, "B": 350_000.0, "C": 0.0, "D": 300_000.0}
    # 2025 has one year of index: smoothing changes nothing
    assert _amounts(params, 2025) == _amounts(al.AllocationParameters(floor=100), 2025)


def test_a_ten_percent_cap_holds_the_movers_and_the_rest_takes_up_the_pot():
    # Uncapped 2026 (floor 100): A 300k, B 500k, C 0, D 200k; 2025 amounts A 400k, B 200k, C 0, D 400k.
    # Bounds: A 360k..440k, B 180k..220k, D 360k..440k; C had nothing, so is not capped (gets 0).
    # B is held at 220k and D at 360k; A takes t * 300k with 300k*t + 220k + 360k = 1 000k,
    # t = 1.4, A = 420k (inside its bounds). Sum 420 + 220 + 0 + 360 = 1 000k.
    params = al.AllocationParameters(floor=100, cap=0.10)
    assert _amounts(params, 2026) == {"A": 420_000.0, "B": 220_000.0, "C": 0.0, "D": 360_000.0}
    result = al.allocate(PUPILS, INDEX, POTS, params).filter(pl.col("year") == 2026)
    held = dict(zip(result["unit_id"], result["capped"], strict=True))
    assert held == {"A": False, "B": True, "C": False, "D": True}


def test_the_cap_narrows_the_yearly_variation():
    # Without the cap, per pupil 2025 -> 2026: A 4 000 -> 3 000, B 1 000 -> 2 500, C 0 -> 0,
    # D 8 000 -> 4 000: changes -1 000, +1 500, 0, -4 000; mean -875; squared deviations
    # 15 625 + 5 640 625 + 765 625 + 9 765 625 = 16 187 500; / 3; sqrt = 2 322,9 kr per pupil
    before = al.allocate(PUPILS, INDEX, POTS, al.AllocationParameters(floor=100))
    assert al.yearly_variation(before.filter(pl.col("school_form") == "grundskola")) == (
        pytest.approx(math.sqrt(16_187_500 / 3))
    )
    # With the 10 % cap: A 4 200, B 1 100, C 0, D 7 200: changes +200, +100, 0, -800; mean -125;
    # squared deviations 105 625 + 50 625 + 15 625 + 455 625 = 627 500; / 3; sqrt = 457,4
    after = al.allocate(PUPILS, INDEX, POTS, al.AllocationParameters(floor=100, cap=0.10))
    assert al.yearly_variation(after.filter(pl.col("school_form") == "grundskola")) == (
        pytest.approx(math.sqrt(627_500 / 3))
    )


def test_upper_secondary_has_its_own_floor():
    # No upper-secondary floor: weights E 100*120 = 12 000, F 100*80 = 8 000 -> 180k and 120k,
    # even though the compulsory floor is 100
    assert _amounts(al.AllocationParameters(floor=100), 2025, "gymnasieskola") == {
        "E": 180_000.0,
        "F": 120_000.0,
    }
    # Upper-secondary floor 100: E 100*20 = 2 000, F 0 -> E takes the whole 300 000
    params = al.AllocationParameters(floor=0, upper_secondary_floor=100)
    assert _amounts(params, 2025, "gymnasieskola") == {"E": 300_000.0, "F": 0.0}
    # ... and the compulsory pot is shared without a floor (280k, 440k, 100k, 180k as above)
    assert _amounts(params, 2025)["C"] == 100_000.0


def test_unit_totals_sum_the_school_forms_and_compare_names_winners_and_losers():
    today = al.allocate(PUPILS, INDEX, POTS, al.AllocationParameters(floor=100))
    scenario = al.allocate(PUPILS, INDEX, POTS, al.AllocationParameters(floor=0))
    table = al.compare(today, scenario, 2025)
    # grundskola: floor 100 -> 400k, 200k, 0, 400k; floor 0 -> 280k, 440k, 100k, 180k
    # gymnasieskola is 180k/120k in both (no upper-secondary floor)
    diff = dict(zip(table["unit_id"], table["difference"], strict=True))
    assert diff == pytest.approx(
        {"D": -220_000, "A": -120_000, "E": 0, "F": 0, "C": 100_000, "B": 240_000}
    )
    assert table["unit_id"].to_list()[0] == "D"  # the largest loser first
    assert table.filter(pl.col("unit_id") == "C")["difference_share"].item() is None  # 0 kr today


def test_nothing_is_shared_when_no_unit_is_above_the_floor():
    result = al.allocate(PUPILS, INDEX, POTS, al.AllocationParameters(floor=500))
    assert result.filter(pl.col("school_form") == "grundskola")["amount"].sum() == 0


def test_parameters_refuse_a_smoothing_below_one_year_and_a_cap_of_a_whole():
    with pytest.raises(ValueError):
        al.AllocationParameters(smoothing_years=0)
    with pytest.raises(ValueError):
        al.AllocationParameters(cap=1.0)


# --- properties --------------------------------------------------------------------------

_units = st.integers(min_value=2, max_value=7)


@st.composite
def _scenario(draw):
    n = draw(_units)
    years = draw(st.integers(min_value=1, max_value=4))
    ids = [f"U{i}" for i in range(n)]
    pupils = draw(st.lists(st.integers(1, 600), min_size=n * years, max_size=n * years))
    index = draw(
        st.lists(st.floats(40, 250, allow_nan=False), min_size=n * years, max_size=n * years)
    )
    # at least one unit above the floor in every year
    floor = draw(st.floats(0, 150))
    for y in range(years):
        index[y * n] = max(index[y * n], floor + 1)
    pot = draw(st.floats(1e5, 1e8))
    frame_p = pl.DataFrame(
        {
            "unit_id": ids * years,
            "year": [2020 + y for y in range(years) for _ in ids],
            "school_form": ["grundskola"] * (n * years),
            "pupils": pupils,
        }
    )
    frame_i = pl.DataFrame(
        {
            "unit_id": ids * years,
            "year": [2020 + y for y in range(years) for _ in ids],
            "index": index,
        }
    )
    pots = pl.DataFrame(
        {
            "year": [2020 + y for y in range(years)],
            "school_form": ["grundskola"] * years,
            "pot": [pot] * years,
        }
    )
    params = al.AllocationParameters(
        floor=floor,
        smoothing_years=draw(st.integers(1, 3)),
        cap=draw(st.one_of(st.none(), st.floats(0.01, 0.5))),
    )
    return frame_p, frame_i, pots, params


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scenario())
def test_the_allocations_sum_to_the_pot_every_year(case):
    pupils, index, pots, params = case
    result = al.allocate(pupils, index, pots, params)
    sums = result.group_by("year").agg(pl.col("amount").sum())
    pot = pots["pot"][0]
    assert np.allclose(sums["amount"].to_numpy(), pot, rtol=1e-9)
    assert (result["amount"] >= -1e-6).all()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scenario(), st.floats(0.5, 80))
def test_a_higher_index_never_gives_less_per_pupil_all_else_equal(case, rise):
    pupils, index, pots, params = case
    last = index["year"].max()
    raised = index.with_columns(
        index=pl.when((pl.col("unit_id") == "U1") & (pl.col("year") == last))
        .then(pl.col("index") + rise)
        .otherwise(pl.col("index"))
    )

    def per_pupil(frame: pl.DataFrame) -> float:
        result = al.allocate(pupils, frame, pots, params)
        row = result.filter((pl.col("unit_id") == "U1") & (pl.col("year") == last))
        return row["amount_per_pupil"].item()

    assert per_pupil(raised) >= per_pupil(index) * (1 - 1e-9) - 1e-6


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scenario())
def test_without_a_cap_the_amount_per_pupil_rises_with_the_index_used(case):
    pupils, index, pots, params = case
    free = al.AllocationParameters(floor=params.floor, smoothing_years=params.smoothing_years)
    result = al.allocate(pupils, index, pots, free)
    for _, year in result.group_by("year"):
        ordered = year.sort("index_used")["amount_per_pupil"].to_numpy()
        assert (np.diff(ordered) >= -1e-6).all()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scenario(), st.floats(0.01, 0.5))
def test_the_cap_bounds_the_yearly_change_when_the_pot_is_steady(case, cap):
    pupils, index, pots, params = case
    capped = al.AllocationParameters(
        floor=params.floor, smoothing_years=params.smoothing_years, cap=cap
    )
    result = al.allocate(pupils, index, pots, capped).filter(pl.col("previous_amount") > 0)
    change = result["change_share"].abs().to_numpy()
    assert (change <= cap + 1e-9).all()


def test_share_with_cap_lets_the_pot_win_when_it_falls_by_more_than_the_cap():
    # last year 500k + 500k; the pot falls to 800k with a 10 % cap: the lower bounds 450k + 450k
    # = 900k are more than the pot, so both are scaled by 800/900: 400k each
    shared, held = al.share_with_cap(
        np.array([600_000.0, 200_000.0]), np.array([500_000.0, 500_000.0]), 800_000.0, 0.10
    )
    assert shared == pytest.approx([400_000.0, 400_000.0])
    assert held.all()


def test_share_with_cap_lets_a_unit_below_the_floor_keep_more_before_the_cap_breaks():
    # last year 500k + 500k, pot 1 050k, cap 10 %; unit 2 fell below the floor (uncapped 0).
    # Unit 1 is held at 550k; unit 2 at its lower bound 450k leaves 50k: unit 2 gets half its
    # room of 100k (450k..550k), 500k, and nobody moves more than 10 %
    shared, _ = al.share_with_cap(
        np.array([1_050_000.0, 0.0]), np.array([500_000.0, 500_000.0]), 1_050_000.0, 0.10
    )
    assert shared == pytest.approx([550_000.0, 500_000.0])
