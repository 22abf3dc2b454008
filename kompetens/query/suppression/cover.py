"""Step 4's answer to a stubborn determination: the cheapest cells that set a hidden number free.

Grain: one hidden unknown (cell x field) of ``exact.ExactCheck``'s system at a time;
the answer is a set of visible cells (row ids of the key-figure table).

A hidden number x is **not** determined by the published ones iff the system restricted to the
hidden cells has a null vector v (every equation sums to 0 over v) with v_x != 0: then x + t
v_x is consistent with everything published, for every t. Such a vector is a certificate, and it
stays one when more cells are hidden (they enter with 0). So instead of hoping that one more
cell breaks a determination (step 4 until 3 December 2026), this module asks a linear program
for the cheapest vector: minimise the cost of the visible cells it touches, subject to A v = 0 and
v_x = 1, with v = p - q, p, q >= 0 (HiGHS, through ``scipy.optimize.linprog``). A vertex of
that program touches few cells; hiding the visible ones among them sets x free. This is the
"attacker subproblem" of the classical secondary-suppression models (Fischetti and Salazar),
solved per cell with protection level "any amount".

The program is built over the equations around x only: the cells within ``hops`` equations of x
are the variables; every equation touching one of them is a constraint, and cells outside are
held at 0 (so a solution is a true null vector). When no vector exists that close, the
neighbourhood grows.

One vector often frees many unknowns at once (every entry that is not 0), so a target already
touched by an earlier vector is skipped.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array, hstack, vstack

from kompetens.query.suppression import links

#: Neighbourhoods tried in turn (in equations from the unknown); the last is unbounded. One hop
#: at a time up to 8: a program that finds no vector that close costs milliseconds, while the
#: neighbourhood can grow from hundreds to 60,000 cells between 4 and 8 hops (at 50,000 staff,
#: 11 programs of 0.8 s each were 9.5 of the first check's 11 s of programs; one hop at a time,
#: the largest is 19,000 cells and all take 5.4 s). A vector found closer can touch a cell or
#: two more than the cheapest one further out.
_HOPS = (2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 10_000)
#: Cost of a cell that is already hidden (free, but not zero: keeps the vector small).
_HIDDEN_COST = 1e-4
_ZERO = 1e-9
_FIELDS = len(links.FIELDS)


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(s, e)`` for each pair (vectorised)."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.arange(total, dtype=np.int64) + offsets


class Cover:
    """Cheapest null vectors in ``check``'s system (an ``exact.ExactCheck``).

    ``cost`` (every method that takes it): per cell, what hiding it costs (>= 1: the cell and
    the cells its links hide).
    """

    def __init__(self, check) -> None:
        self.check = check

    def _rows_of(self, cells: np.ndarray, field: int) -> np.ndarray:
        c = self.check
        ent = c.by_cell[_ranges(c.cell_ptr[cells], c.cell_ptr[cells + 1])]
        return np.unique(c.eq[ent[c.field[ent] == field]])

    def _cells_of(self, rows: np.ndarray) -> np.ndarray:
        c = self.check
        return np.unique(c.cell[c.by_eq[_ranges(c.row_ptr[rows], c.row_ptr[rows + 1])]])

    def vector(
        self, cell: int, field: int, hidden: np.ndarray, cost: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The cheapest null vector through (``cell``, ``field``): (cells, entries), or None."""
        near = np.array([cell], dtype=np.int64)
        reached = 0
        for hops in _HOPS:
            while reached < hops:
                grown = np.union1d(near, self._cells_of(self._rows_of(near, field)))
                reached += 1
                if grown.size == near.size:
                    reached = _HOPS[-1]  # the whole component is in
                    break
                near = grown
            got = self._solve(cell, field, near, hidden, cost)
            if got is not None:
                return self._prune(cell, field, near, hidden, cost, got)
            if reached >= _HOPS[-1]:
                return None
        return None

    def _prune(self, cell, field, near, hidden, cost, got):
        """Drop visible cells the vector can do without, the dearest first.

        The program weighs a cell by the size of its entry, so it can take two cells where
        one would do (the entry of one is 2, of each of the two 1). Each visible cell of the
        vector is left out in turn; if a vector through the cell still exists over the hidden
        cells and the other visible ones, it is not needed.
        """
        cells, _ = got
        visible = cells[~hidden[cells]]
        if visible.size <= 1:
            return got
        base = near[hidden[near]]
        keep = set(visible.tolist())
        for c in sorted(keep, key=lambda c: (-cost[c], -c)):
            rest = np.array(sorted(keep - {c}), dtype=np.int64)
            trial = self._solve(cell, field, np.union1d(base, rest), hidden, cost)
            if trial is not None:
                keep.discard(c)
                got = trial
        return got

    def _solve(self, cell: int, field: int, near: np.ndarray, hidden: np.ndarray, cost: np.ndarray):
        """The program over the cells ``near`` (sorted ids; every other cell held at 0) and
        every equation of ``field`` touching them: (cells, entries) of its answer, or None
        when no null vector through ``cell`` exists over those cells."""
        c = self.check
        rows = self._rows_of(near, field)
        ent = c.by_eq[_ranges(c.row_ptr[rows], c.row_ptr[rows + 1])]
        pos = np.searchsorted(near, c.cell[ent])
        inside = (pos < near.size) & (near[np.minimum(pos, near.size - 1)] == c.cell[ent])
        ent, pos = ent[inside], pos[inside]
        row = np.searchsorted(rows, c.eq[ent])
        n, m = near.size, rows.size
        a = csr_array((c.coef[ent].astype(np.float64), (row, pos)), shape=(m, n))
        x = int(np.searchsorted(near, cell))
        unit = csr_array(([1.0], ([0], [x])), shape=(1, n))
        a_eq = vstack([hstack([a, -a]), hstack([unit, -unit])]).tocsr()
        b_eq = np.zeros(m + 1)
        b_eq[m] = 1.0
        w = np.where(hidden[near], _HIDDEN_COST, cost[near])
        res = linprog(
            np.concatenate([w, w]), A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs"
        )
        if res.status != 0:
            return None
        v = res.x[:n] - res.x[n:]
        keep = np.abs(v) > _ZERO
        return near[keep], v[keep]

    def picks(self, targets: np.ndarray, hidden: np.ndarray, cost: np.ndarray) -> np.ndarray:
        """Visible cells to hide so that no unknown in ``targets`` (cell * fields + field) is
        determined any more; the targets are taken in order, and one already freed by an
        earlier vector is skipped."""
        trial = hidden.copy()
        freed: set[int] = set()
        chosen: list[np.ndarray] = []
        for key in np.asarray(targets, dtype=np.int64).tolist():
            if key in freed:
                continue
            cell, field = divmod(key, _FIELDS)
            got = self.vector(cell, field, trial, cost)
            if got is None:
                continue
            cells, _ = got
            new = cells[~trial[cells]]
            trial[new] = True
            chosen.append(new)
            freed.update((cells * _FIELDS + field).tolist())
        if not chosen:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(chosen))
