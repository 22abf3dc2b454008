"""The cheapest cover of a determined number (``query.suppression.cover``), on hand-made systems."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kompetens.query.suppression.cover import Cover
from tests.test_suppression import exact_check

# A two-way table: units u1, u2 x categories X, Y, with unit totals, area totals and the
# area's grand total.
U1X, U1Y, U2X, U2Y, U1, U2, AX, AY, A = range(9)
TWO_WAY = [
    [(U1, 1), (U1X, -1), (U1Y, -1)],
    [(U2, 1), (U2X, -1), (U2Y, -1)],
    [(AX, 1), (U1X, -1), (U2X, -1)],
    [(AY, 1), (U1Y, -1), (U2Y, -1)],
    [(A, 1), (AX, -1), (AY, -1)],
    [(A, 1), (U1, -1), (U2, -1)],
]


def check_of(n_cells, equations):
    """``exact_check`` with the numerator only: one system."""
    present = np.zeros((n_cells, 4), dtype=bool)
    present[:, 1] = True
    return exact_check(n_cells, equations, present)


def determined_by_rank(n_cells, equations, hidden):
    """Independent of the check: x is determined iff adding the row e_x keeps the rank of the
    equations over the hidden cells (e_x is in their row space)."""
    cols = np.flatnonzero(hidden)
    a = np.zeros((len(equations), cols.size))
    for i, members in enumerate(equations):
        for c, k in members:
            if hidden[c]:
                a[i, np.searchsorted(cols, c)] = k
    rank = np.linalg.matrix_rank(a) if a.size else 0
    out = []
    for j, c in enumerate(cols.tolist()):
        e = np.zeros((1, cols.size))
        e[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(c)
    return out


def test_one_hidden_cell_of_a_two_way_table_takes_the_rectangle_not_the_margins():
    # u1_X hidden alone is u1 - u1_Y. Three ways to set it free, each three more cells: the
    # rectangle (u1_Y, u2_X, u2_Y: entries -1, -1, +1), the category margins (u1_Y, A_X, A_Y)
    # and the unit totals (u2_X, u1, u2). Totals cost 2 here, so the rectangle costs 3 and
    # the others 1 + 2 + 2 = 5.
    check = check_of(9, TWO_WAY)
    hidden = np.zeros(9, dtype=bool)
    hidden[U1X] = True
    assert check.determined(hidden).tolist() == [U1X]
    cost = np.array([1, 1, 1, 1, 2, 2, 2, 2, 2], dtype=float)
    picks = check.picks(hidden, cost)
    assert picks.tolist() == [U1Y, U2X, U2Y]
    hidden[picks] = True
    assert check.determined(hidden).tolist() == []
    assert determined_by_rank(9, TWO_WAY, hidden) == []


def test_the_cover_is_a_null_vector_of_every_equation_it_touches():
    check = check_of(9, TWO_WAY)
    hidden = np.zeros(9, dtype=bool)
    hidden[U1X] = True
    cells, entries = Cover(check).vector(U1X, 1, hidden, np.ones(9))
    v = dict(zip(cells.tolist(), entries.tolist(), strict=True))
    assert v[U1X] == 1.0
    for members in TWO_WAY:  # every equation sums to 0 over the vector
        assert abs(sum(k * v.get(c, 0.0) for c, k in members)) < 1e-9


def test_a_cell_no_suppression_can_free_gets_no_picks():
    # 0 = 1 + 2 and 0 = 1 + 2 + 3: cell 3 is 0 whatever is hidden; hiding more cannot help.
    equations = [[(0, 1), (1, -1), (2, -1)], [(0, 1), (1, -1), (2, -1), (3, -1)]]
    check = check_of(4, equations)
    hidden = np.array([False, False, False, True])
    assert check.determined(hidden).tolist() == [3]
    assert check.picks(hidden).tolist() == []


def test_nothing_hidden_or_nothing_determined_means_no_picks():
    check = check_of(9, TWO_WAY)
    assert check.picks(np.zeros(9, dtype=bool)).tolist() == []
    hidden = np.zeros(9, dtype=bool)
    hidden[[U1X, U1Y, U2X, U2Y]] = True  # the rectangle: nothing determined
    assert check.picks(hidden).tolist() == []


@st.composite
def systems(draw):
    """Random additive equations over 6-16 cells (a total and 2-4 parts each) and a hidden set."""
    n = draw(st.integers(6, 16))
    equations = []
    for _ in range(draw(st.integers(1, 8))):
        members = draw(st.lists(st.integers(0, n - 1), min_size=3, max_size=5, unique=True))
        equations.append([(members[0], 1)] + [(c, -1) for c in members[1:]])
    hidden = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    return n, equations, hidden


@settings(max_examples=150, deadline=None)
@given(systems())
def test_hiding_the_picks_until_there_are_none_leaves_nothing_determined(system):
    n, equations, hidden = system
    check = check_of(n, equations)
    for _ in range(n + 1):
        picks = check.picks(hidden)
        if picks.size == 0:
            break
        assert not hidden[picks].any()  # only visible cells are picked
        hidden[picks] = True
    else:
        raise AssertionError("the picks did not end")
    # A cell that is the difference of two equations on the same other cells (0 = 1 + 2 and
    # 0 = 1 + 2 + 4 make 4 = 0) is determined whatever is hidden: no suppression frees it.
    unprotectable = determined_by_rank(n, equations, np.ones(n, dtype=bool))
    assert set(determined_by_rank(n, equations, hidden)) <= set(unprotectable)
