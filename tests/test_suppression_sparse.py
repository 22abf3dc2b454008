"""The sparse test for large components (``algebra.free_by_null_vector``), against dense ranks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kompetens.query.suppression import algebra, exact
from tests.test_suppression_cover import (
    TWO_WAY,
    U1X,
    U1Y,
    U2X,
    U2Y,
    A,
    check_of,
    determined_by_rank,
    systems,
)


def sparse_system(equations, hidden):
    """The equations over the hidden cells as (n_eqs, n_vars, eq, var, coef), and the cells."""
    cols = np.flatnonzero(hidden)
    eq, var, coef = [], [], []
    for i, members in enumerate(equations):
        for c, k in members:
            if hidden[c]:
                eq.append(i)
                var.append(int(np.searchsorted(cols, c)))
                coef.append(float(k))
    return (len(equations), cols.size, np.array(eq, int), np.array(var, int), np.array(coef)), cols


def test_a_null_vector_shows_the_rectangle_free_and_not_the_grand_total():
    # Hidden: the four inner cells of the two-way table and its grand total A. The rectangle
    # u1X - u1Y - u2X + u2Y changes no published total, so its four cells are free; A is
    # A_X + A_Y, both published, so A is determined and must not come out free.
    hidden = np.zeros(9, dtype=bool)
    hidden[[U1X, U1Y, U2X, U2Y, A]] = True
    system, cols = sparse_system(TWO_WAY, hidden)
    free = algebra.free_by_null_vector(*system)
    assert cols[free].tolist() == [U1X, U1Y, U2X, U2Y]
    assert determined_by_rank(9, TWO_WAY, hidden) == [A]


def test_a_system_of_no_equations_leaves_every_unknown_free():
    free = algebra.free_by_null_vector(0, 3, np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    assert free.tolist() == [True, True, True]


@settings(max_examples=200, deadline=None)
@given(systems())
def test_an_unknown_a_null_vector_shows_free_is_never_determined(system):
    n, equations, hidden = system
    (sys_, cols) = sparse_system(equations, hidden)
    free = cols[algebra.free_by_null_vector(*sys_)]
    determined = determined_by_rank(n, equations, hidden)
    assert not set(free.tolist()) & set(determined)
    # and on systems this small it misses no free unknown
    assert set(free.tolist()) | set(determined) == set(cols.tolist())


def three_way(units: int, subjects: int, grades: int, p: float, seed: int):
    """A unit x subject x grade table with every margin (as at a large organisation), a random
    share ``p`` of its cells hidden: (cells, equations, hidden)."""
    rng = np.random.default_rng(seed)
    ids: dict[tuple, int] = {}

    def cell(*key):
        return ids.setdefault(key, len(ids))

    equations = []
    for u in range(units):
        for s in range(subjects):
            equations.append(
                [(cell(u, s, "all"), 1)] + [(cell(u, s, g), -1) for g in range(grades)]
            )
        equations.append([(cell(u, "all"), 1)] + [(cell(u, s, "all"), -1) for s in range(subjects)])
    for s in range(subjects):
        for g in [*range(grades), "all"]:
            equations.append([(cell("org", s, g), 1)] + [(cell(u, s, g), -1) for u in range(units)])
    hidden = rng.random(len(ids)) < p
    return len(ids), equations, hidden


@pytest.mark.parametrize("p", [0.1, 0.3, 0.6])
def test_on_a_three_way_table_the_null_vector_finds_exactly_the_free_cells(p):
    n, equations, hidden = three_way(12, 5, 3, p, seed=7)
    system, cols = sparse_system(equations, hidden)
    free = set(cols[algebra.free_by_null_vector(*system)].tolist())
    determined = set(determined_by_rank(n, equations, hidden))
    assert not free & determined
    assert free | determined == set(cols.tolist())


@settings(max_examples=60, deadline=None)
@given(systems())
def test_with_every_component_tested_sparsely_the_picks_still_leave_nothing_determined(system):
    n, equations, hidden = system
    check = check_of(n, equations)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(exact, "_DENSE_MAX", 0)
        for _ in range(n + 1):
            picks = check.picks(hidden)
            if picks.size == 0:
                break
            hidden[picks] = True
        else:
            raise AssertionError("the picks did not end")
    unprotectable = determined_by_rank(n, equations, np.ones(n, dtype=bool))
    assert set(determined_by_rank(n, equations, hidden)) <= set(unprotectable)


def test_components_left_with_an_unknown_not_shown_free_get_another_vector(monkeypatch):
    # With a threshold of 0.5 instead of 1e-5 one vector misses many free unknowns (their
    # entries are normal with variance P_jj <= 1); each further vector finds more of them,
    # and never a determined one.
    monkeypatch.setattr(algebra, "_FREE_ENTRY", 0.5)
    n, equations, hidden = three_way(12, 5, 3, 0.6, seed=7)
    system, cols = sparse_system(equations, hidden)
    once = algebra.free_by_null_vector(*system, tries=1)
    more = algebra.free_by_null_vector(*system, tries=8)
    truly_free = set(cols.tolist()) - set(determined_by_rank(n, equations, hidden))
    assert once.sum() < more.sum()
    assert not (once & ~more).any()  # the first vector is the same; the others only add
    assert set(cols[more].tolist()) <= truly_free


def test_components_are_labelled_by_their_smallest_unknown():
    # equation 0 joins unknowns 0 and 1, equation 1 joins 1 and 4, equation 2 holds 3 alone;
    # 2 is in no equation: components {0, 1, 4}, {2}, {3} (labelled 0, 2, 3, not 0, 1, 2)
    eq, var = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 4, 3])
    assert algebra.components(5, eq, var).tolist() == [0, 0, 2, 3, 0]


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, 6), st.integers(0, n - 1)), max_size=30),
        )
    )
)
def test_components_agree_with_a_union_of_the_unknowns_each_equation_holds(case):
    n, entries = case
    parent = list(range(n))

    def root(x):
        while parent[x] != x:
            x = parent[x]
        return x

    by_eq: dict[int, list[int]] = {}
    for e, v in entries:
        by_eq.setdefault(e, []).append(v)
    for members in by_eq.values():
        for v in members[1:]:
            parent[root(v)] = root(members[0])
    expected = [min(u for u in range(n) if root(u) == root(x)) for x in range(n)]
    eq = np.array([e for e, _ in entries], dtype=np.int64)
    var = np.array([v for _, v in entries], dtype=np.int64)
    assert algebra.components(n, eq, var).tolist() == expected
