"""Step 4 of the suppression: which hidden numbers the published ones determine, and what to hide next.

Grain: the unknowns are (hidden cell, field) pairs, per field of ``links.FIELDS``
(``value`` only for indicators whose value adds up); the rows are the additive
equations (``additive``) in which every member carries that field, with the
visible members moved to the right-hand side. This is the system the attacker
of ``query.disclosure`` solves (method c).

An unknown is **determined** iff its unit vector lies in the row space of the
system restricted to the hidden cells. The system is split into connected
components (unknowns sharing an equation); a component with one equation and
two or more unknowns determines nothing and is skipped, every other one is
decomposed densely (an SVD: A = U S Vᵀ; unknown j is determined iff the rows of
Vᵀ with a non-zero singular value have norm 1 in column j). Components of the
same shape and coefficients are decomposed once (a cache that lives as long as
the check), so re-checking after a few more cells are hidden only decomposes
the components that changed. ``picks`` goes further: it only builds the
components around cells hidden since its last call and those that determined
something then (``_changed_rows``); any other component is unchanged and
determined nothing.

For a determined unknown j the **witness** is the combination of equations
that isolates it: w = U_r S_r⁻¹ V_rᵀ e_j (Aᵀw = e_j). Hiding one more visible
member of an equation with a non-zero weight in w is what can break the
determination; ``ExactCheck.picks`` chooses, per component, the fewest such
cells that touch every witness (greedy: the cell in the most witnesses, then
the cell with the smallest ``n``), so one pick often breaks several
determinations at once.
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from kompetens.query.suppression import algebra, links

_TOL_EIG = 1e-12
_FIELDS = len(links.FIELDS)
#: Candidates tried per determined component.
_TRY = 8
#: Components of at most this many cells have each candidate tried; larger ones take the
#: candidate in the most witnesses (trying means decomposing the component again).
_SIMULATE_UP_TO = 60
_SECRET = np.array([f in links.SECRET_FIELDS for f in links.FIELDS])


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with numpy's OpenBLAS on one thread (in this thread only).

    The check decomposes hundreds of small matrices (at most a few hundred
    rows); on a shared machine OpenBLAS's threads wait for each other far
    longer than they compute (measured: 23 s against 0.7 s for the demo's
    first check). Without numpy's bundled OpenBLAS this does nothing.
    """
    setter = _blas_thread_setter()
    previous = setter(1) if setter is not None else None
    try:
        yield
    finally:
        if setter is not None and previous is not None:
            setter(previous)


def _blas_thread_setter():
    libs = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in glob.glob(os.path.join(libs, "*openblas*.so*")):
        try:
            fn = ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
        return fn
    return None


def _decompose(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(determined per column, witness weights per row x determined column) of a dense matrix.

    Through the smaller Gram matrix. With fewer unknowns than equations, AᵀA = V Λ Vᵀ:
    the row space is spanned by the eigenvectors V_r with a non-zero eigenvalue, and the
    witness of unknown j is A V_r Λ_r⁻¹ V_rᵀ e_j. Otherwise AAᵀ = U Λ Uᵀ: the row space
    is spanned by Aᵀ U_r Λ_r^(-1/2), and the witness is U_r Λ_r⁻¹ U_rᵀ A e_j.
    """
    rows, cols = a.shape
    gram = a.T @ a if cols <= rows else a @ a.T
    lam, vec = np.linalg.eigh(gram)
    nonzero = lam > _TOL_EIG * max(rows, cols) * max(float(lam[-1]) if lam.size else 0.0, 1.0)
    if not nonzero.any():
        return np.zeros(cols, dtype=bool), np.zeros((rows, 0))
    lam_r, vec_r = lam[nonzero], vec[:, nonzero]
    if cols <= rows:
        det = (vec_r**2).sum(axis=1) > 1 - 1e-8
        witness = a @ (vec_r @ (vec_r[det].T / lam_r[:, None]))
    else:
        basis = (a.T @ vec_r) / np.sqrt(lam_r)  # cols x rank, orthonormal columns
        det = (basis**2).sum(axis=1) > 1 - 1e-8
        witness = vec_r @ ((vec_r.T @ a[:, det]) / lam_r[:, None])
    return det, witness


class ExactCheck:
    """The attacker's linear system over a table's equations; ``picks`` says what to hide next.

    ``present``: (cells x fields) whether the field is published (not null) in
    the unsuppressed table; ``m_eq, m_cell, m_coef``: the equation memberships
    (equation numbered 0.., cell row id, +1 for a total and -1 for a part);
    ``is_sum``: per cell, whether its value adds up.
    """

    def __init__(
        self,
        present: np.ndarray,
        m_eq: np.ndarray,
        m_cell: np.ndarray,
        m_coef: np.ndarray,
        is_sum: np.ndarray,
        n_adds: np.ndarray | None = None,
    ) -> None:
        """``n_adds`` (per member, default all): whether ``n_individuals`` adds up in that
        member's equation. It does not over months: a year's people are not the sum of its
        months' people (sick leave's ``n`` is an average headcount), so such an equation
        constrains only the numerator and denominator; a false equation would make cells
        look determined that no attacker can solve."""
        n_eq = int(m_eq.max()) + 1 if m_eq.size else 0
        self.n_eq = n_eq
        eqs, cells, coefs, fields = [], [], [], []
        for i, name in enumerate(links.FIELDS):
            ok = present[m_cell, i] & (is_sum[m_cell] if name == "value" else True)
            if name == "n_individuals" and n_adds is not None:
                ok = ok & n_adds
            bad = np.zeros(n_eq, dtype=bool)
            np.logical_or.at(bad, m_eq, ~ok)  # every member must carry the field
            keep = ~bad[m_eq]
            eqs.append(m_eq[keep] + i * n_eq)
            cells.append(m_cell[keep])
            coefs.append(m_coef[keep])
            fields.append(np.full(int(keep.sum()), i, dtype=np.int64))
        self.eq = np.concatenate(eqs).astype(np.int64)
        self.cell = np.concatenate(cells).astype(np.int64)
        self.coef = np.concatenate(coefs).astype(np.float64)
        self.field = np.concatenate(fields)
        # equation -> its member cells (any field), to find the visible cells of an equation
        order = np.argsort(m_eq, kind="stable")
        self.eq_cells = m_cell[order].astype(np.int64)
        self.eq_ptr = np.searchsorted(m_eq[order], np.arange(n_eq + 1))
        self._cache: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        #: (hidden, rows of the components then determined) as of the last ``picks``
        self._last: tuple[np.ndarray, np.ndarray] | None = None
        #: how many components the last ``picks`` found determining something
        self.open_groups = 0
        # entries by cell and by equation, to build the system around a few cells
        n_cells = present.shape[0]
        self.by_cell = np.argsort(self.cell, kind="stable")
        self.cell_ptr = np.searchsorted(self.cell[self.by_cell], np.arange(n_cells + 1))
        self.by_eq = np.argsort(self.eq, kind="stable")
        self.row_ptr = np.searchsorted(self.eq[self.by_eq], np.arange(_FIELDS * n_eq + 1))

    def _members(self, eq: int) -> np.ndarray:
        base = eq % self.n_eq
        return self.eq_cells[self.eq_ptr[base] : self.eq_ptr[base + 1]]

    def _around(self, on: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The hidden entries (``on``) of the components that contain one of ``rows`` (a mask)."""
        idx = np.flatnonzero(on)
        key, eq = self.cell[idx] * _FIELDS + self.field[idx], self.eq[idx]
        keys, var = np.unique(key, return_inverse=True)
        row_on = rows.copy()
        var_on = np.zeros(keys.size, dtype=bool)
        while True:  # grow along shared unknowns and equations until nothing is added
            new_var = var[row_on[eq]]
            if var_on[new_var].all():
                break
            var_on[new_var] = True
            row_on[eq[var_on[var]]] = True
        mask = np.zeros(on.size, dtype=bool)
        mask[idx[row_on[eq]]] = True
        return mask

    def _components(self, hidden: np.ndarray, rows: np.ndarray | None = None):
        """Per component that may determine something: (unknown keys, equation ids, matrix).

        ``rows`` (a mask over equation rows): only the components that contain one of them.
        """
        on = hidden[self.cell]
        if rows is not None:
            on = self._around(on, rows)
        if not on.any():
            return
        key = self.cell[on] * _FIELDS + self.field[on]
        keys, var = np.unique(key, return_inverse=True)
        eq_ids, eq_c = np.unique(self.eq[on], return_inverse=True)
        coef = self.coef[on]
        labels = algebra.components(keys.size, eq_c, var)
        _, comp_of_var = np.unique(labels, return_inverse=True)
        n_comp = int(comp_of_var.max()) + 1
        eq_comp = np.zeros(eq_ids.size, dtype=np.int64)
        eq_comp[eq_c] = comp_of_var[var]
        n_vars = np.bincount(comp_of_var, minlength=n_comp)
        n_eqs = np.bincount(eq_comp, minlength=n_comp)
        # local numbers of unknowns and equations inside their component
        v_order = np.argsort(comp_of_var, kind="stable")
        v_start = np.concatenate([[0], np.cumsum(n_vars)])
        local_var = np.empty(keys.size, dtype=np.int64)
        local_var[v_order] = np.arange(keys.size) - v_start[comp_of_var[v_order]]
        e_order = np.argsort(eq_comp, kind="stable")
        e_start = np.concatenate([[0], np.cumsum(n_eqs)])
        local_eq = np.empty(eq_ids.size, dtype=np.int64)
        local_eq[e_order] = np.arange(eq_ids.size) - e_start[eq_comp[e_order]]
        entry_comp = comp_of_var[var]
        x_order = np.argsort(entry_comp, kind="stable")
        x_start = np.concatenate([[0], np.cumsum(np.bincount(entry_comp, minlength=n_comp))])
        # A component whose unknowns and equations form a tree (entries = unknowns +
        # equations - 1), every equation over two or more unknowns, determines nothing:
        # any unknown can be set to 1 and the others solved for outwards along the tree.
        n_entries = np.bincount(comp_of_var[var], minlength=n_comp)
        lone = np.bincount(eq_comp[np.bincount(eq_c) == 1], minlength=n_comp) > 0
        forest = (n_entries == n_vars + n_eqs - 1) & ~lone
        for c in np.flatnonzero(~forest).tolist():
            x = x_order[x_start[c] : x_start[c + 1]]
            a = np.zeros((int(n_eqs[c]), int(n_vars[c])))
            a[local_eq[eq_c[x]], local_var[var[x]]] = coef[x]
            yield (
                keys[v_order[v_start[c] : v_start[c + 1]]],
                eq_ids[e_order[e_start[c] : e_start[c + 1]]],
                a,
            )

    def _solve(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sig = (a.shape, a.tobytes())
        got = self._cache.get(sig)
        if got is None:
            got = _decompose(a)
            self._cache[sig] = got
        return got

    def determined(self, hidden: np.ndarray) -> np.ndarray:
        """Hidden cells one of whose secret fields (value, numerator, n) the published cells fix."""
        found = [k_keys[det] // _FIELDS for k_keys, det, _, _ in self._determined(hidden)]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)

    def _determined(self, hidden: np.ndarray, rows: np.ndarray | None = None):
        for k_keys, k_eqs, a in self._components(hidden, rows):
            det, witness = self._solve(a)
            secret = _SECRET[k_keys % _FIELDS]
            if (det & secret).any():
                yield k_keys, det & secret, k_eqs, witness[:, secret[det]]

    def _changed_rows(self, hidden: np.ndarray) -> np.ndarray | None:
        """Rows to re-check since the last ``picks``: those of newly hidden cells and of what
        was determined then (None: everything, on the first call or if a cell was shown again).

        A component none of whose cells changed is the one checked last time: it determined
        nothing then (or it is among the rows kept), so it determines nothing now.
        """
        last = self._last
        if last is None or last[0].shape != hidden.shape or (last[0] & ~hidden).any():
            return None
        changed = hidden & ~last[0]
        rows = last[1].copy()
        rows[self.eq[changed[self.cell]]] = True
        return rows

    def _local(self, cells: np.ndarray, hidden: np.ndarray) -> int:
        """Determined secret unknowns of the equations around ``cells``, with ``hidden`` hidden."""
        idx = np.concatenate([self.by_cell[self.cell_ptr[c] : self.cell_ptr[c + 1]] for c in cells])
        rows = np.unique(self.eq[idx])
        ent = np.concatenate([self.by_eq[self.row_ptr[r] : self.row_ptr[r + 1]] for r in rows])
        ent = ent[hidden[self.cell[ent]]]
        if ent.size == 0:
            return 0
        keys, var = np.unique(self.cell[ent] * _FIELDS + self.field[ent], return_inverse=True)
        _, row = np.unique(self.eq[ent], return_inverse=True)
        a = np.zeros((int(row.max()) + 1, keys.size))
        a[row, var] = self.coef[ent]
        det, _ = self._solve(a)
        return int(np.unique(keys[det & _SECRET[keys % _FIELDS]] // _FIELDS).size)

    def picks(
        self,
        hidden: np.ndarray,
        priority: np.ndarray,
        reach: Callable[[int], np.ndarray] | None = None,
        *,
        greedy: bool = False,
    ) -> np.ndarray:
        """Visible cells to hide next so that fewer hidden cells stay determined (empty: none are).

        ``priority``: per cell, smaller is hidden first among equal choices
        (the smallest ``n``); ``reach(cell)``: the cells hidden with ``cell``
        (its links). Per component, the visible members of the witnesses'
        equations are ranked, those in the most witnesses first; in a small
        component the first ``_TRY`` are tried and the one after which the
        fewest cells around the component stay determined is hidden (ties:
        the first tried), in a large one the first. ``greedy``: every visible
        member of the witnesses' equations (or beside a determined cell) is
        hidden at once, so that a long chain of single picks ends in a few rounds.
        """
        chosen: list[int] = []
        done: set[bytes] = set()
        open_rows = np.zeros(_FIELDS * self.n_eq, dtype=bool)
        n_groups = 0
        for k_keys, det, k_eqs, witness in self._determined(hidden, self._changed_rows(hidden)):
            open_rows[k_eqs] = True
            n_groups += 1
            covers: dict[int, int] = {}
            for j in range(witness.shape[1]):
                for e in k_eqs[np.abs(witness[:, j]) > 1e-9].tolist():
                    for c in self._members(e).tolist():
                        if not hidden[c]:
                            covers[c] = covers.get(c, 0) + 1
            if not covers:  # no visible cell in a witness: hide one beside a determined cell
                cell = int(k_keys[np.flatnonzero(det)[0]] // _FIELDS)
                near = self._beside(cell, hidden)
                if near.size and greedy:
                    chosen.extend(near.tolist())
                elif near.size:
                    chosen.append(int(near[np.argmin(priority[near])]))
                continue
            if greedy:
                chosen.extend(covers)
                continue
            tried = sorted(covers, key=lambda c: (-covers[c], priority[c]))[:_TRY]
            around = np.unique(k_keys // _FIELDS)
            seen = around.tobytes()
            if seen in done:  # the same cells, another field: one pick serves both
                continue
            done.add(seen)
            best, best_score = tried[0], None
            if around.size > _SIMULATE_UP_TO:  # large: the cell in the most witnesses
                tried = []
            for c in tried:
                added = reach(c) if reach is not None else np.array([c])
                trial = hidden.copy()
                trial[added] = True
                score = self._local(np.concatenate([around, added]), trial)
                if best_score is None or score < best_score:
                    best, best_score = c, score
                if score == 0:
                    break
            chosen.append(best)
        self._last = (hidden.copy(), open_rows)
        self.open_groups = n_groups
        return np.unique(np.asarray(chosen, dtype=np.int64))

    def _beside(self, cell: int, hidden: np.ndarray) -> np.ndarray:
        """Visible cells sharing any equation with ``cell``."""
        eqs = np.unique(self.eq[self.cell == cell] % self.n_eq)
        near = np.concatenate([self._members(int(e)) for e in eqs]) if eqs.size else eqs
        return near[~hidden[near]]
