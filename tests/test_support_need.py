"""The support-need index: hand-computed scores, flagged units, weights, and a property test."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

try:  # tests/ may or may not be a package
    from tests.kf_helpers import fixture_db
except ImportError:
    from kf_helpers import fixture_db

from kompetens import query as q
from kompetens.analysis.support import (
    COMPONENT_IDS,
    DEFAULT_WEIGHTS,
    contributions_long,
    support_need_index,
    validate_weights,
)
from kompetens.core import store

UNITS = pl.DataFrame(
    {
        "unit_id": ["G1", "G2", "G3", "G4", "P1", "P2", "C"],
        "unit_name": ["G1", "G2", "G3", "G4", "P1", "P2", "Central"],
        "area": ["A", "A", "B", "B", "A", "B", "X"],
        "school_form": ["grundskola"] * 4 + ["forskola"] * 2 + ["central"],
    }
)

ONLY_TWO = {c: 0.0 for c in COMPONENT_IDS} | {"certified_share": 2.0, "turnover_rate": 1.0}


def values(rows):
    return pl.DataFrame(rows, schema=["unit_id", "component", "value", "need_sign"], orient="row")


def example():
    # certified share: higher is better, so need_sign -1; turnover: higher is worse, need_sign +1
    return values(
        [
            ("G1", "certified_share", 0.90, -1),
            ("G2", "certified_share", 0.60, -1),
            ("G3", "certified_share", 0.75, -1),
            ("G4", "certified_share", 0.50, -1),
            ("G1", "turnover_rate", 0.10, 1),
            ("G2", "turnover_rate", 0.20, 1),
            ("G3", "turnover_rate", 0.05, 1),
            ("P1", "certified_share", 0.40, -1),
            ("P2", "certified_share", 0.80, -1),
            ("C", "turnover_rate", 0.90, 1),
        ]
    )


def test_scores_are_weighted_percentiles_within_school_form():
    out = support_need_index(example(), UNITS, ONLY_TWO)
    by = {r["unit_id"]: r for r in out.iter_rows(named=True)}
    # grundskola, certified need = -share: G1 -0.90 < G3 -0.75 < G2 -0.60 < G4 -0.50
    #   -> percentiles 0, 33.3, 66.7, 100 (100 * (rank-1)/(n-1), n = 4)
    # turnover (G4 has none): G3 0.05 < G1 0.10 < G2 0.20 -> 0, 50, 100
    # weights 2 and 1 -> 2/3 and 1/3
    assert by["G1"]["score"] == pytest.approx(2 / 3 * 0 + 1 / 3 * 50)  # 16.67
    assert by["G2"]["score"] == pytest.approx(2 / 3 * 200 / 3 + 1 / 3 * 100)  # 77.78
    assert by["G3"]["score"] == pytest.approx(2 / 3 * 100 / 3 + 1 / 3 * 0)  # 22.22
    assert by["G2"]["contribution__certified_share"] == pytest.approx(400 / 9)  # 2/3 * 66.67
    # forskola has no turnover at all, so only the certification component applies (weight 1):
    # P1 -0.40 is more need than P2 -0.80 -> P1 100, P2 0
    assert (by["P1"]["score"], by["P2"]["score"]) == (100.0, 0.0)
    assert [by[u]["rank"] for u in ("P1", "G2", "G3", "G1", "P2")] == [1, 2, 3, 4, 5]


def test_a_unit_lacking_a_component_is_flagged_not_ranked():
    out = support_need_index(example(), UNITS, ONLY_TWO)
    g4 = out.filter(pl.col("unit_id") == "G4").row(0, named=True)
    assert g4["has_recent_data"] is False
    assert g4["missing_components"] == ["turnover_rate"]
    assert g4["score"] is None and g4["rank"] is None
    # its known value still counts among its peers (G4 is the 100th percentile of certification need)
    assert g4["percentile__certified_share"] == 100.0
    # flagged units come after the ranked ones
    assert out["unit_id"].to_list()[-1] == "G4"


def test_central_units_are_left_out():
    assert "C" not in support_need_index(example(), UNITS, ONLY_TWO)["unit_id"].to_list()


def test_a_unit_whose_school_form_has_no_data_at_all_lacks_every_component():
    units = pl.concat(
        [
            UNITS,
            pl.DataFrame(
                {
                    "unit_id": ["F1"],
                    "unit_name": ["F1"],
                    "area": ["A"],
                    "school_form": ["fritidshem"],
                }
            ),
        ]
    )
    f1 = (
        support_need_index(example(), units, ONLY_TWO)
        .filter(pl.col("unit_id") == "F1")
        .row(0, named=True)
    )
    assert f1["has_recent_data"] is False
    assert f1["missing_components"] == ["certified_share", "turnover_rate"]


def test_weights_are_checked():
    assert validate_weights(None) == DEFAULT_WEIGHTS
    assert validate_weights({"hme_index": 0.5})["hme_index"] == 0.5
    with pytest.raises(ValueError, match="okända"):
        validate_weights({"salary": 1.0})
    with pytest.raises(ValueError, match="negativa"):
        validate_weights({"hme_index": -1})
    with pytest.raises(ValueError, match="större än noll"):
        validate_weights({c: 0 for c in COMPONENT_IDS})


def test_contributions_can_be_read_long_for_a_stacked_bar():
    long = contributions_long(support_need_index(example(), UNITS, ONLY_TWO))
    g1 = long.filter((pl.col("unit_id") == "G1") & pl.col("contribution").is_not_null())
    assert dict(zip(g1["component"], g1["contribution"], strict=True)) == pytest.approx(
        {"certified_share": 0.0, "turnover_rate": 50 / 3}
    )
    assert set(g1["label_sv"]) == {"Andel behöriga/legitimerade", "Personalomsättning"}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=12),
    st.lists(st.floats(0, 5), min_size=3, max_size=3),
)
def test_contributions_always_sum_to_the_score_which_stays_between_0_and_100(triples, w):
    units = pl.DataFrame(
        {
            "unit_id": [f"U{i}" for i in range(len(triples))],
            "unit_name": [f"U{i}" for i in range(len(triples))],
            "area": ["A"] * len(triples),
            "school_form": [
                "grundskola" if i % 3 else "gymnasieskola" for i in range(len(triples))
            ],
        }
    )
    rows = []
    for i, (a, b, c) in enumerate(triples):
        rows += [
            (f"U{i}", "certified_share", a, -1),
            (f"U{i}", "turnover_rate", b, 1),
            (f"U{i}", "sick_leave_rate", c, 1),
        ]
    weights = {c: 0.0 for c in COMPONENT_IDS} | {
        "certified_share": w[0],
        "turnover_rate": w[1],
        "sick_leave_rate": w[2] + 0.01,
    }
    out = support_need_index(values(rows), units, weights)
    contrib = [c for c in out.columns if c.startswith("contribution__")]
    total = out.select(pl.sum_horizontal(contrib).alias("t"), "score")
    assert total["t"].to_list() == pytest.approx(total["score"].to_list())
    assert out["score"].min() >= -1e-9 and out["score"].max() <= 100 + 1e-9
    assert out["has_recent_data"].all()


def test_the_query_layer_reads_recent_visible_values_and_flags_units_without_them():
    q.clear_cache()
    c = store.connect(":memory:")
    fixture_db(c)
    out = q.support_need(c, q.Scope.everything(), period="2025-10")
    by = {r["unit_id"]: r for r in out.iter_rows(named=True)}
    # N2's 2025 share is hidden, but its 2024 share (0.8) is within 12 months of 2025-10;
    # N2 has no turnover figure at all -> flagged.
    assert (
        by["N2"]["has_recent_data"] is False and "turnover_rate" in by["N2"]["missing_components"]
    )
    # Only S1 has a temporary-teacher figure, so every other school lacks it.
    assert "temporary_teacher_share" in by["N4"]["missing_components"]
    assert "C1" not in by  # central units are left out
    # With only certification and turnover weighted, S1 and S2 (different school forms) are complete:
    two = q.support_need(c, q.Scope.everything(), weights=ONLY_TWO, period="2025-10")
    complete = two.filter(pl.col("has_recent_data"))["unit_id"].to_list()
    assert set(complete) == {"N1", "N4", "S1", "S2"}
    # grundskola certification need: N4 0.75 (2025), N1 0.70 (2024, its 2025 value is hidden), S1 0.60
    #   -> N4 0, N1 50, S1 100 (N2 0.80 from 2024 joins the ranking: N2 0, N4 33.3, N1 66.7, S1 100)
    # turnover (grundskola): N4 0.08, S1 0.10, N1 0.15 -> 0, 50, 100
    s1 = two.filter(pl.col("unit_id") == "S1").row(0, named=True)
    assert s1["score"] == pytest.approx(2 / 3 * 100 + 1 / 3 * 50)  # 83.33
    n1 = two.filter(pl.col("unit_id") == "N1").row(0, named=True)
    assert n1["score"] == pytest.approx(2 / 3 * 200 / 3 + 1 / 3 * 100)  # 77.78


def test_a_unit_that_advertised_no_post_is_neutral_on_unfilled_vacancies_not_flagged():
    from kompetens.analysis import support

    # Two schools; only S1 recruited (unfilled share 0.5). S2 has every other value.
    units = pl.DataFrame(
        {
            "unit_id": ["S1", "S2"],
            "unit_name": ["Ett", "Två"],
            "area": ["A", "A"],
            "school_form": ["grundskola"] * 2,
        }
    )
    values = pl.DataFrame(
        {
            "unit_id": ["S1", "S2", "S1"],
            "component": ["turnover_rate", "turnover_rate", "unfilled_vacancy_share"],
            "value": [0.10, 0.20, 0.5],
            "need_sign": [1, 1, 1],
        }
    )
    weights = {c: 0.0 for c in support.COMPONENT_IDS} | {
        "turnover_rate": 1.0,
        "unfilled_vacancy_share": 1.0,
    }
    out = support.support_need_index(values, units, weights).sort("unit_id")
    assert out["has_recent_data"].to_list() == [True, True]
    # S1: turnover percentile 0 (lower need), unfilled 50 (alone) -> 0.5*0 + 0.5*50 = 25
    # S2: turnover percentile 100, unfilled neutral 50           -> 0.5*100 + 0.5*50 = 75
    assert out["score"].to_list() == [25.0, 75.0]


def test_a_slices_unit_rows_are_sorted_by_unit_and_month_with_a_year_as_its_december():
    from kompetens.query.cache import _identity_and_stamp
    from kompetens.query.slices import _unit_rows

    q.clear_cache()
    c = store.connect(":memory:")
    fixture_db(c)
    cur = c.cursor()
    rows = _unit_rows(cur, _identity_and_stamp(cur), "certified_teacher_share", "year")
    # Five schools × two years, no area or organisation rows, no breakdowns.
    assert rows["scope_id"].to_list() == [u for u in ("N1", "N2", "N4", "S1", "S2") for _ in (0, 1)]
    # 2024 -> December 2024 = 2024 × 12 + 11 = 24 299; 2025 -> 24 311.
    assert rows["_m"].to_list() == [24_299, 24_311] * 5
    n1 = rows.filter(pl.col("scope_id") == "N1")
    assert n1["value"].to_list() == [0.7, None]  # 7 / 10 in 2024; its 2025 share is hidden
    assert n1["suppressed"].to_list() == [False, True]
