"""The exact check's estimate of which single cell breaks a determination (``ExactCheck.breaks``).

A determined hidden cell stops being determined when one more visible cell of its
component's equations is hidden iff that cell's column lies in the component's
column space and meets the cell's witness. The estimate is checked against a
dense rank test of the component with the column added.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompetens.query.suppression import algebra
from kompetens.query.suppression.exact import ExactCheck


def _check(n_cells: int, equations_: list[list[tuple[int, int]]]) -> ExactCheck:
    eq, cell, coef = [], [], []
    for i, members in enumerate(equations_):
        for c, k in members:
            eq.append(i)
            cell.append(c)
            coef.append(float(k))
    present = np.zeros((n_cells, 4), dtype=bool)
    present[:, 1] = True  # one field (the numerator) is published and adds up
    return ExactCheck(
        present, np.array(eq), np.array(cell), np.array(coef), np.zeros(n_cells, dtype=bool)
    )


def _component(check: ExactCheck, hidden: np.ndarray, k_eqs: np.ndarray, keys: np.ndarray):
    """The dense matrix of a component: its equations x its hidden unknowns."""
    on = hidden[check.cell] & np.isin(check.eq, k_eqs)
    a = np.zeros((k_eqs.size, keys.size))
    a[
        np.searchsorted(k_eqs, check.eq[on]),
        np.searchsorted(keys, check.cell[on] * 4 + check.field[on]),
    ] = check.coef[on]
    return a


def _column(check: ExactCheck, cell: int, k_eqs: np.ndarray) -> np.ndarray:
    on = (check.cell == cell) & np.isin(check.eq, k_eqs)
    g = np.zeros(k_eqs.size)
    g[np.searchsorted(k_eqs, check.eq[on])] = check.coef[on]
    return g


@st.composite
def systems(draw):
    n = draw(st.integers(4, 10))
    eqs = []
    for _ in range(draw(st.integers(2, 7))):
        members = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=4, unique=True))
        eqs.append([(members[0], 1)] + [(c, -1) for c in members[1:]])
    hidden = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    return n, eqs, hidden


def test_hiding_the_third_total_breaks_all_three_determinations():
    # Cells 0, 1, 2 hidden; 3 = 0 + 1, 4 = 1 + 2, 5 = 0 + 2 visible: each hidden cell is
    # determined (0 = (3 - 4 + 5) / 2). Hiding any one total leaves one free unknown, so
    # each of 3, 4, 5 alone breaks all three.
    check = _check(
        6, [[(3, 1), (0, -1), (1, -1)], [(4, 1), (1, -1), (2, -1)], [(5, 1), (0, -1), (2, -1)]]
    )
    hidden = np.array([True, True, True, False, False, False])
    [(keys, det, k_eqs, witness, span)] = list(check._determined(hidden))
    cells, broken = check.breaks(hidden, k_eqs, witness, span)
    assert cells.tolist() == [3, 4, 5]
    assert broken.all()


def test_a_cell_given_away_by_two_equations_is_not_freed_by_hiding_one_more_cell():
    # 0 hidden; 2 = 0 and 3 = 0 + 1 with 1, 2, 3 visible: 0 is 2's copy and 3 - 1 as well.
    # Hiding 2 leaves 0 = 3 - 1; hiding 1 or 3 leaves 0 = 2. Each one's column lies outside
    # the column space of A = [[-1], [-1]] (spanned by (1, 1)), so none breaks it.
    check = _check(4, [[(2, 1), (0, -1)], [(3, 1), (0, -1), (1, -1)]])
    hidden = np.array([True, False, False, False])
    [(keys, det, k_eqs, witness, span)] = list(check._determined(hidden))
    cells, broken = check.breaks(hidden, k_eqs, witness, span)
    assert cells.tolist() == [1, 2, 3]
    assert not broken.any()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems())
def test_the_estimate_agrees_with_a_dense_rank_test_of_the_component(case):
    n, eqs, hidden = case
    check = _check(n, eqs)
    for keys, det, k_eqs, witness, span in check._determined(hidden):
        a = _component(check, hidden, k_eqs, keys)
        cols = np.flatnonzero(det)
        cells, broken = check.breaks(hidden, k_eqs, witness, span)
        for i, cell in enumerate(cells.tolist()):
            still = algebra.determined_in(np.column_stack([a, _column(check, cell, k_eqs)]))
            assert broken[i].tolist() == (~still[cols]).tolist()
