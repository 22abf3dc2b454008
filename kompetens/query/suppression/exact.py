"""Step 4 of the suppression: which hidden numbers the published ones determine, and what to hide next.

Grain: the unknowns are (hidden cell, field) pairs, per field of ``links.FIELDS``
(``value`` only for indicators whose value adds up); the rows are the additive
equations (``additive``) in which every member carries that field, with the
visible members moved to the right-hand side. This is the system the attacker
of ``query.disclosure`` solves (method c).

An unknown is **determined** iff its unit vector lies in the row space of the
system restricted to the hidden cells. The system is split into connected
components (unknowns sharing an equation); a component whose unknowns and
equations form a tree determines nothing and is skipped, every other one is
decomposed densely (an eigendecomposition of its Gram matrix; unknown j is
determined iff the row space's basis has norm 1 in column j). Components of the
same shape and coefficients are decomposed once (a cache, keyed by a digest of
the matrix, that lives as long as the check). A component whose Gram matrix
would be larger than ``_DENSE_MAX`` square (a large organisation's subject x
grades tables: 2,000 equations over 6,000 unknowns at 50,000 staff, 5 s each)
is tested sparsely instead, all such components in one system
(``algebra.free_by_null_vector``): what a null vector does not show free counts
as determined, which can only hide more. ``picks`` only builds the components
around cells hidden since its last call and those that determined something
then (``_changed_rows``); any other component is unchanged and determined
nothing.

What to hide for a determined unknown is ``cover.Cover``'s answer: the cheapest
visible cells that, hidden, leave a null vector of the system through it.
"""

from __future__ import annotations

import ctypes
import glob
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from kompetens.query.suppression import algebra, links
from kompetens.query.suppression.cover import Cover

_TOL_EIG = 1e-12
#: The largest Gram matrix (the smaller of a component's unknowns and equations) decomposed
#: densely; eigh of 400 x 400 takes ~20 ms, of 2,000 x 2,000 ~5 s.
_DENSE_MAX = 400
_FIELDS = len(links.FIELDS)
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


def _decompose(a: np.ndarray) -> np.ndarray:
    """Per column of a dense matrix, whether the rows determine that unknown.

    Through the smaller Gram matrix. With fewer unknowns than equations, AᵀA = V Λ Vᵀ:
    the row space is spanned by the eigenvectors V_r with a non-zero eigenvalue.
    Otherwise AAᵀ = U Λ Uᵀ, and the row space is spanned by Aᵀ U_r Λ_r^(-1/2).
    Unknown j is determined iff that orthonormal basis has norm 1 in row j.
    """
    rows, cols = a.shape
    gram = a.T @ a if cols <= rows else a @ a.T
    lam, vec = np.linalg.eigh(gram)
    nonzero = lam > _TOL_EIG * max(rows, cols) * max(float(lam[-1]) if lam.size else 0.0, 1.0)
    if not nonzero.any():
        return np.zeros(cols, dtype=bool)
    lam_r, vec_r = lam[nonzero], vec[:, nonzero]
    basis = vec_r if cols <= rows else (a.T @ vec_r) / np.sqrt(lam_r)  # cols x rank
    return (basis**2).sum(axis=1) > 1 - 1e-8


def _starts(ids: np.ndarray, n: int) -> np.ndarray:
    """Where each id's run starts in ``ids`` sorted (n + 1 offsets, the last = ``ids.size``)."""
    return np.concatenate([[0], np.cumsum(np.bincount(ids, minlength=n))])


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
        n_cells = present.shape[0]
        # Entries are stored narrow (int32 ids, int8 field and coefficient: +1 or -1): at
        # 50,000 staff there are 36 million, and as int64 and float64 arrays they and their
        # copies were 1.2 GB and most of this constructor's 6 s (writing fresh memory).
        if max(n_cells, _FIELDS * n_eq) >= np.iinfo(np.int32).max:
            raise ValueError("too many key figures for the exact check (int32 ids)")
        m_eq32, m_cell32 = m_eq.astype(np.int32), m_cell.astype(np.int32)
        m_coef8 = m_coef.astype(np.int8)
        eqs, cells, coefs, fields = [], [], [], []
        for i, name in enumerate(links.FIELDS):
            ok = present[m_cell, i] & (is_sum[m_cell] if name == "value" else True)
            if name == "n_individuals" and n_adds is not None:
                ok = ok & n_adds
            bad = np.zeros(n_eq, dtype=bool)
            bad[m_eq[~ok]] = True  # every member must carry the field
            keep = ~bad[m_eq]
            eqs.append(m_eq32[keep] + np.int32(i * n_eq))
            cells.append(m_cell32[keep])
            coefs.append(m_coef8[keep])
            fields.append(np.full(int(keep.sum()), i, dtype=np.int8))
        self.eq = np.concatenate(eqs)
        self.cell = np.concatenate(cells)
        self.coef = np.concatenate(coefs)
        self.field = np.concatenate(fields)
        del eqs, cells, coefs, fields
        self._cache: dict[tuple, np.ndarray] = {}
        #: (hidden, rows of the components then determined) as of the last ``picks``
        self._last: tuple[np.ndarray, np.ndarray] | None = None
        #: how many components the last ``picks`` found determining something
        self.open_groups = 0
        # entries by cell and by equation (and where each cell's and equation's run starts),
        # to build the system around a few cells
        self.by_cell = np.argsort(self.cell, kind="stable").astype(np.int32)
        self.cell_ptr = _starts(self.cell, n_cells)
        self.by_eq = np.argsort(self.eq, kind="stable").astype(np.int32)
        self.row_ptr = _starts(self.eq, _FIELDS * n_eq)
        self._cover = Cover(self)

    def _unknowns(self, entries: np.ndarray) -> np.ndarray:
        """The unknown (cell x fields + field, int64) of each entry selected by ``entries``."""
        return self.cell[entries].astype(np.int64) * _FIELDS + self.field[entries]

    def _around(self, on: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The hidden entries (``on``) of the components that contain one of ``rows`` (a mask)."""
        idx = np.flatnonzero(on)
        key, eq = self._unknowns(idx), self.eq[idx]
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
        """Per component that may determine something: (unknown keys, equation ids, and its
        entries as local equation, local unknown and coefficient arrays).

        ``rows`` (a mask over equation rows): only the components that contain one of them.
        """
        on = hidden[self.cell]
        if rows is not None:
            on = self._around(on, rows)
        if not on.any():
            return
        key = self._unknowns(on)
        keys, var = np.unique(key, return_inverse=True)
        eq_ids, eq_c = np.unique(self.eq[on], return_inverse=True)
        coef = self.coef[on].astype(np.float64)
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
            yield (
                keys[v_order[v_start[c] : v_start[c + 1]]],
                eq_ids[e_order[e_start[c] : e_start[c + 1]]],
                local_eq[eq_c[x]],
                local_var[var[x]],
                coef[x],
            )

    def _solve(self, shape: tuple[int, int], e: np.ndarray, v: np.ndarray, coef: np.ndarray):
        """Per unknown of one component (``shape`` = equations x unknowns, entries ``e, v,
        coef``), whether it is determined; decomposed once per distinct matrix.

        The cache key is a digest of the entries in row-major order, not of the dense matrix:
        the same matrix, at a fraction of the bytes (measured at 50,000 staff: hashing the
        dense matrices took 2.6 s of the first check's 28 s).
        """
        order = np.lexsort((v, e))
        flat = e[order] * shape[1] + v[order]
        digest = hashlib.blake2b(flat.tobytes(), digest_size=20)
        digest.update(coef[order].tobytes())
        sig = (shape, digest.digest())
        got = self._cache.get(sig)
        if got is None:
            a = np.zeros(shape)
            a[e, v] = coef
            got = _decompose(a)
            self._cache[sig] = got
        return got

    def determined(self, hidden: np.ndarray) -> np.ndarray:
        """Hidden cells one of whose secret fields (value, numerator, n) the published cells fix."""
        found = [k_keys[det] // _FIELDS for k_keys, det, _ in self._determined(hidden)]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)

    def _determined(self, hidden: np.ndarray, rows: np.ndarray | None = None):
        """Per component that determines a secret unknown: (unknown keys, which are
        determined secrets, equation ids)."""
        large = []
        for k_keys, k_eqs, e, v, coef in self._components(hidden, rows):
            if min(k_keys.size, k_eqs.size) > _DENSE_MAX:
                large.append((k_keys, k_eqs, e, v, coef))
                continue
            det = self._solve((k_eqs.size, k_keys.size), e, v, coef) & _SECRET[k_keys % _FIELDS]
            if det.any():
                yield k_keys, det, k_eqs
        if not large:
            return
        # the large components side by side in one sparse system
        eq_off = np.cumsum([0] + [k_eqs.size for _, k_eqs, *_ in large])
        var_off = np.cumsum([0] + [k_keys.size for k_keys, *_ in large])
        free = algebra.free_by_null_vector(
            int(eq_off[-1]),
            int(var_off[-1]),
            np.concatenate([e + eq_off[i] for i, (_, _, e, _, _) in enumerate(large)]),
            np.concatenate([v + var_off[i] for i, (_, _, _, v, _) in enumerate(large)]),
            np.concatenate([coef for *_, coef in large]),
            labels=np.repeat(np.arange(len(large)), np.diff(var_off)),
        )
        for i, (k_keys, k_eqs, *_) in enumerate(large):
            det = ~free[var_off[i] : var_off[i + 1]] & _SECRET[k_keys % _FIELDS]
            if det.any():
                yield k_keys, det, k_eqs

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

    def picks(self, hidden: np.ndarray, cost: np.ndarray | None = None) -> np.ndarray:
        """Visible cells to hide so that no hidden secret unknown is determined (empty: none is).

        Per determined unknown, the cells of the cheapest null vector through it
        (``cover.Cover``; ``cost`` per cell, default 1). Hiding them leaves every unknown
        found now free, whatever else is hidden later; cells hidden with them (their links)
        can be determined in turn, which the next call finds.
        """
        open_rows = np.zeros(_FIELDS * self.n_eq, dtype=bool)
        targets: list[np.ndarray] = []
        n_groups = 0
        for k_keys, det, k_eqs in self._determined(hidden, self._changed_rows(hidden)):
            open_rows[k_eqs] = True
            n_groups += 1
            targets.append(k_keys[det])
        chosen = (
            self._cover.picks(
                np.sort(np.concatenate(targets)),
                hidden,
                np.ones(hidden.size) if cost is None else cost,
            )
            if targets
            else np.zeros(0, dtype=np.int64)
        )
        self._last = (hidden.copy(), open_rows)
        self.open_groups = n_groups
        return chosen
