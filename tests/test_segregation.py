"""Pedagogical segregation: weighted correlations and the quartile gap, by hand."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kompetens.analysis.segregation import (
    average_ranks,
    interpretation_sv,
    segregation_stats,
    weighted_pearson,
    weighted_spearman,
    with_quartiles,
)


def points(xs, nums, dens):
    return pl.DataFrame(
        {
            "unit_id": [f"U{i}" for i in range(len(xs))],
            "socioeconomic_index": [float(x) for x in xs],
            "numerator": [float(n) for n in nums],
            "denominator": [float(d) for d in dens],
        }
    )


def test_weighted_pearson_on_a_tiny_case():
    # x = 0, 1, 2; y = 0.8, 0.8, 0.2; w = 1, 1, 2 (sum 4)
    # mean x = (0 + 1 + 4)/4 = 1.25; mean y = (0.8 + 0.8 + 0.4)/4 = 0.5
    # cov = (1*(-1.25*0.3) + 1*(-0.25*0.3) + 2*(0.75*-0.3))/4 = -0.9/4 = -0.225
    # var x = (1.5625 + 0.0625 + 2*0.5625)/4 = 0.6875; var y = 4*0.09/4 = 0.09
    # r = -0.225 / sqrt(0.6875 * 0.09) = -0.225 / 0.248747 = -0.904534
    assert weighted_pearson([0, 1, 2], [0.8, 0.8, 0.2], [1, 1, 2]) == pytest.approx(
        -0.904534, abs=1e-6
    )


def test_weighted_spearman_is_the_weighted_pearson_of_average_ranks():
    assert average_ranks([0.8, 0.8, 0.2]).tolist() == [2.5, 2.5, 1.0]
    # ranks x 1,2,3; y 2.5,2.5,1; same w: mean x 2.25, mean y 1.75, cov -0.5625,
    # var x 0.6875, var y 0.5625 -> r = -0.5625 / sqrt(0.6875*0.5625) = -0.904534
    assert weighted_spearman([0, 1, 2], [0.8, 0.8, 0.2], [1, 1, 2]) == pytest.approx(
        -0.904534, abs=1e-6
    )


def test_with_equal_weights_and_no_ties_spearman_matches_the_textbook_formula():
    x, y = [1, 2, 3, 4, 5], [2.0, 1.0, 4.0, 3.0, 5.0]
    # d = rank differences 1-2, 2-1, 3-4, 4-3, 5-5 -> sum d^2 = 4; rho = 1 - 6*4/(5*24) = 0.8
    assert weighted_spearman(x, y, [1] * 5) == pytest.approx(0.8)


def test_too_few_schools_or_no_variation_give_no_correlation():
    assert weighted_pearson([1, 2], [0.5, 0.6], [1, 1]) is None
    assert weighted_pearson([1, 2, 3], [0.5, 0.5, 0.5], [1, 1, 1]) is None


def test_quartiles_split_schools_by_equal_counts_and_the_gap_is_top_minus_bottom():
    # 8 schools, index 1..8: bottom quartile = index 1, 2; top quartile = index 7, 8
    nums = [9, 8, 7, 7, 6, 5, 3, 2]
    dens = [10] * 6 + [5, 5]
    stats = segregation_stats(points(range(1, 9), nums, dens))
    assert stats.bottom_quartile_share == pytest.approx((9 + 8) / 20)  # 0.85
    assert stats.top_quartile_share == pytest.approx((3 + 2) / 10)  # 0.5
    assert stats.quartile_gap == pytest.approx(
        0.5 - 0.85
    )  # -0.35: fewer certified where needs are greater
    assert stats.n_schools == 8
    assert (stats.min_share, stats.max_share) == (pytest.approx(0.4), pytest.approx(0.9))
    assert stats.weighted_mean_share == pytest.approx(47 / 70)
    assert with_quartiles(points(range(1, 9), nums, dens))["quartile"].to_list() == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


def test_the_interpretation_is_one_swedish_sentence_with_a_swedish_number():
    assert interpretation_sv(-0.62, 20) == (
        "Andelen behöriga lärare är lägre på skolor med högre socioekonomiskt index (r = \u22120,62)."
    )
    assert interpretation_sv(0.35, 20).startswith("Andelen behöriga lärare är högre")
    assert interpretation_sv(0.05, 20).startswith("Det finns inget tydligt samband")
    assert interpretation_sv(None, 2) == "För få skolor med uppgifter för att beräkna sambandet."


def test_schools_without_index_or_teachers_are_left_out():
    p = points([1, 2, 3, 4], [5, 6, 7, 0], [10, 10, 10, 0]).with_columns(
        pl.Series("socioeconomic_index", [1.0, None, 3.0, 4.0])
    )
    assert segregation_stats(p).n_schools == 2  # index 2 has no index, index 4 has no teacher FTE


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-3, 3, allow_nan=False), st.integers(0, 20), st.integers(1, 20)),
        min_size=3,
        max_size=30,
    )
)
def test_weighted_correlations_stay_between_minus_one_and_one(schools):
    xs = [s[0] for s in schools]
    dens = [s[2] for s in schools]
    nums = [min(s[1], s[2]) for s in schools]
    shares = np.array(nums) / np.array(dens)
    assume(np.ptp(xs) > 1e-6 and np.ptp(shares) > 1e-9)
    stats = segregation_stats(points(xs, nums, dens))
    for r in (stats.pearson, stats.spearman):
        assert r is None or -1.0 <= r <= 1.0
    assert 0.0 <= stats.weighted_mean_share <= 1.0
    assert stats.weighted_std_share >= 0 and not math.isnan(stats.weighted_std_share)
