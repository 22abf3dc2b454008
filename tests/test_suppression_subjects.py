"""Small-number suppression of the subject breakdowns (teaching assignments).

The share of qualified teaching hours and the gap in hours rest on the same teachers and the same
hours (gap = hours - qualified hours): one published beside the other hidden gives the hidden one
away, so both must be hidden in the same cells. Within a unit, a subject row is the sum of its
``subject_grades=<code>:<grades>`` rows, and the ``all`` row the sum of the subject rows.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompetens.query.suppression import (
    NESTED_DIMENSIONS,
    OVERLAPPING_DIMENSIONS,
    SUPPRESSION_THRESHOLD,
    apply_suppression,
    equations,
    recoverable_equations,
)
from tests.test_suppression import frame

SHARE, GAP = "certified_teaching_hours_share", "uncertified_teaching_hours"


def cell_rows(level, scope_id, breakdown, n, qualified, hours):
    """The share and the gap of one cell, as the subject pipeline writes them."""
    base = {
        "level": level,
        "scope_id": scope_id,
        "period_type": "year",
        "period": "2025",
        "breakdown": breakdown,
        "n_individuals": n,
        "denominator": float(hours),
    }
    return [
        {
            **base,
            "indicator_id": SHARE,
            "numerator": float(qualified),
            "value": qualified / hours,
        },
        {
            **base,
            "indicator_id": GAP,
            "numerator": float(hours - qualified),
            "value": float(hours - qualified),
        },
    ]


@st.composite
def subject_tables(draw):
    """Units in 1-3 areas; per unit 1-3 subjects taught in 1-2 grade bands by their own teachers
    (n 1-12 each, hours >= n, qualified <= hours); every sum row (subject, all; area, org) exact."""
    subjects = ["MA", "SV", "EN"]
    grades = ["4-6", "7-9"]
    sums: dict[tuple[str, str, str], list[float]] = {}
    leaves: dict[tuple[str, str, str], set[int]] = {}
    units: dict[str, str] = {}
    leaf = -1

    def add(level, scope_id, breakdown, n, q, h):
        t = sums.setdefault((level, scope_id, breakdown), [0, 0.0, 0.0])
        t[0], t[1], t[2] = t[0] + n, t[1] + q, t[2] + h
        leaves.setdefault((level, scope_id, breakdown), set()).add(leaf)

    for a in range(draw(st.integers(1, 3))):
        area = f"A{a}"
        for u in range(draw(st.integers(1, 4))):
            unit = f"{area}u{u}"
            units[unit] = area
            taught = draw(st.lists(st.sampled_from(subjects), min_size=1, max_size=3, unique=True))
            for subject in taught:
                bands = draw(st.lists(st.sampled_from(grades), min_size=1, max_size=2, unique=True))
                for band in bands:
                    leaf += 1  # the unit x subject x grades cell every sum is made of
                    n = draw(st.integers(1, 12))
                    h = float(draw(st.integers(n, 3 * n + 4)))
                    q = float(draw(st.integers(0, int(h))))
                    for level, scope in (("unit", unit), ("area", area), ("org", "org")):
                        for bd in ("all", f"subject={subject}", f"subject_grades={subject}:{band}"):
                            add(level, scope, bd, n, q, h)
    rows = [
        r
        for (level, scope, bd), (n, q, h) in sums.items()
        for r in cell_rows(level, scope, bd, int(n), q, h)
    ]
    return frame(rows), units, leaves


def determined_hidden_cells(result, leaves, indicator_id) -> list[tuple[str, str, str]]:
    """Hidden cells whose number follows from the published ones (should be none).

    Every cell is a sum of unit x subject x grades cells (its ``leaves``); a hidden cell is
    determined when its sum is a linear combination of the published cells' sums. Independent of
    the equations the suppression itself uses.
    """
    flags = pattern(result, indicator_id)
    n_leaves = len({leaf for ls in leaves.values() for leaf in ls})

    def vector(key):
        v = np.zeros(n_leaves)
        v[list(leaves[key])] = 1.0
        return v

    shown = [vector(k) for k, h in flags.items() if not h]
    known = np.array(shown) if shown else np.zeros((0, n_leaves))
    rank = np.linalg.matrix_rank(known) if shown else 0
    return [
        k
        for k, h in flags.items()
        if h and np.linalg.matrix_rank(np.vstack([known, vector(k)])) == rank
    ]


def pattern(result: pl.DataFrame, indicator_id: str) -> dict[tuple[str, str, str], bool]:
    return {
        (r["level"], r["scope_id"], r["breakdown"]): r["suppressed"]
        for r in result.filter(pl.col("indicator_id") == indicator_id).iter_rows(named=True)
    }


def test_a_subject_row_is_the_total_of_its_grade_rows_in_the_equations():
    # Unit u: MA 7-9 on 3 teachers, MA 4-6 on 6 teachers: subject=MA (9 teachers) is their sum.
    kf = frame(
        cell_rows("unit", "u", "subject=MA", 9, 10.0, 20.0)
        + cell_rows("unit", "u", "subject_grades=MA:7-9", 3, 2.0, 8.0)
        + cell_rows("unit", "u", "subject_grades=MA:4-6", 6, 8.0, 12.0)
    ).filter(pl.col("indicator_id") == SHARE)
    members = equations(
        kf.with_row_index("_cell").with_columns(pl.lit(None, dtype=pl.String).alias("_area"))
    )
    nested = members.filter(pl.col("_eq").str.contains("nest"))
    roles = dict(zip(nested["_cell"].to_list(), nested["_role"].to_list(), strict=True))
    assert roles == {0: "total", 1: "part", 2: "part"}
    assert NESTED_DIMENSIONS == {"subject_grades": "subject"}


def test_a_units_teachers_are_not_the_sum_of_its_subjects_teachers_but_its_hours_are():
    # Unit u: 6 teachers and 40 hours in all; MA on 4 teachers (12 h), SV on 5 (28 h). Hours add
    # up (12 + 28 = 40), teachers do not (4 + 5 = 9, not 6: three teach both). So in the exact
    # check n takes no part in all = MA + SV, nor in all = the four grade rows (an equation that
    # does not hold recovers nothing), while within MA the grade rows' teachers (2 + 2 = 4, one
    # stage each) stay in.
    kf = frame(
        cell_rows("unit", "u", "all", 6, 30.0, 40.0)
        + cell_rows("unit", "u", "subject=MA", 4, 6.0, 12.0)
        + cell_rows("unit", "u", "subject=SV", 5, 24.0, 28.0)
        + cell_rows("unit", "u", "subject_grades=MA:7-9", 2, 2.0, 5.0)
        + cell_rows("unit", "u", "subject_grades=MA:4-6", 2, 4.0, 7.0)
    ).filter(pl.col("indicator_id") == SHARE)
    members = equations(
        kf.with_row_index("_cell").with_columns(pl.lit(None, dtype=pl.String).alias("_area"))
    )
    n_adds = {
        kind: members.filter(pl.col("_eq").str.contains(kind))["_n_adds"].unique().to_list()
        for kind in ("\x1fdim\x1f", "\x1fnest\x1f")
    }
    assert n_adds == {"\x1fdim\x1f": [False], "\x1fnest\x1f": [True]}
    assert set(OVERLAPPING_DIMENSIONS) == {"subject", "subject_grades"}


def test_a_grade_row_on_three_teachers_hides_its_sibling_grade_row_too():
    # MA 7-9 rests on 3 teachers (primary); with subject=MA shown, MA 4-6 = MA - MA 7-9 would give
    # it away, so MA 4-6 (6 teachers) is hidden as well, in the share and in the gap alike.
    # (Only the subject's rows: the all row would hide a second cell on its own.)
    kf = frame(
        cell_rows("unit", "u", "subject=MA", 9, 10.0, 20.0)
        + cell_rows("unit", "u", "subject_grades=MA:7-9", 3, 2.0, 8.0)
        + cell_rows("unit", "u", "subject_grades=MA:4-6", 6, 8.0, 12.0)
    )
    result = apply_suppression(kf, {"u": "A"})
    for indicator_id in (SHARE, GAP):
        hidden = {
            bd
            for (_, _, bd), h in pattern(result, indicator_id).items()
            if h  # the hidden breakdowns of the unit
        }
        assert hidden == {"subject_grades=MA:7-9", "subject_grades=MA:4-6"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject_tables())
def test_the_share_and_the_gap_of_one_population_are_hidden_in_the_same_cells(case):
    kf, units, _ = case
    result = apply_suppression(kf, units)
    assert pattern(result, SHARE) == pattern(result, GAP)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject_tables())
def test_no_hidden_subject_or_grade_row_can_be_recovered_from_the_published_rows(case):
    kf, units, leaves = case
    result = apply_suppression(kf, units)
    # every cell on fewer than five teachers is hidden ...
    small = kf.with_columns(result["suppressed"]).filter(
        pl.col("n_individuals") < SUPPRESSION_THRESHOLD
    )
    assert small["suppressed"].all()
    # ... no equation (unit = its grade rows per subject, all = its subjects, area = its units)
    # keeps a single hidden cell ...
    assert recoverable_equations(result, units).height == 0
    # ... and no hidden cell follows from the published ones, by any combination of sums.
    assert determined_hidden_cells(result, leaves, SHARE) == []
    assert determined_hidden_cells(result, leaves, GAP) == []
