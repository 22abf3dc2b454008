"""Small-number suppression of key figures: primary, linked, secondary and an exact check.

Grain: works on key-figure rows (indicator x level x scope x period type x
period x breakdown) and returns the same rows with a boolean ``suppressed``
and, for suppressed rows, ``value``, ``numerator``, ``denominator`` and
``n_individuals`` set to null. Pages show a suppressed value as ``..``.

Method (the full account, with the reasons, is ``docs/suppression.md``)
-----------------------------------------------------------------------
1. **Primary.** A row on 1–4 individuals (``0 < n_individuals < 5``) is hidden.
   A row on nobody (``n = 0``) is shown; a row with an unknown ``n`` is not
   primarily hidden.
2. **Linked.** Cells that publish the same number (``links``: another
   indicator's numerator, the ``all`` row behind every category's
   denominator, a year and its December rolling window or its reference
   month) are hidden together: when a hidden cell's value, numerator or
   ``n`` equals a field of a linked cell, that cell is hidden too. A hidden
   month of a flow also hides the year and rolling windows it is part of.
3. **Secondary (heuristic).** For every additive equation (``equations``:
   units -> area -> organisation, categories -> ``all``, months -> year and
   rolling window for flows with months) with exactly one hidden cell, the
   visible cell with the smallest ``n`` is hidden as well (ties: a cell with a
   value first, then the smallest scope id and breakdown), with its links;
   repeated until no equation has exactly one hidden cell.
4. **Exact check.** The attacker's linear system (``algebra``: every
   equation per field, and every link as ``x = y``) is tested per connected
   component; for each hidden cell whose value, numerator or ``n`` it
   determines, one more cell — the smallest visible one sharing an equation
   with it — is hidden, steps 2–4 repeat until nothing is determined.

Hiding only ever adds cells, so every loop ends. Pass the **whole** key-figure
table (every indicator and period type) to coordinate across them; a slice
is protected only within itself.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from kompetens.query.suppression import algebra, links
from kompetens.query.suppression.additive import (
    NON_ADDITIVE_DIMENSIONS,
    _with_area,
    equations,
    time_equations,
)

SUPPRESSION_THRESHOLD = 5

_HIDDEN_COLUMNS = ["value", "numerator", "denominator", "n_individuals"]
#: Links are learned more eagerly than an attacker would (see ``links``).
LINK_MIN_MATCHES = 3
LINK_MIN_RATE = 0.8

__all__ = [
    "NON_ADDITIVE_DIMENSIONS",
    "SUPPRESSION_THRESHOLD",
    "apply_suppression",
    "equations",
    "recoverable_equations",
]


def _registry_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(indicators whose value adds up, flows whose months add up) from the registry."""
    from kompetens.indicators import registry

    inds = registry.engine_indicators()
    sums = frozenset(i.id for i in inds if i.aggregation == "sum")
    month_flows = frozenset(
        i.id for i in inds if i.stock_or_flow == "flow" and "month" in i.period_types
    )
    return sums, month_flows


class _Closure:
    """Hiding a cell hides the cells it is linked to (directed edges, to a fixed point)."""

    def __init__(self, src: np.ndarray, dst: np.ndarray) -> None:
        self.src, self.dst = src, dst

    def __call__(self, hidden: np.ndarray) -> None:
        while self.src.size:
            add = self.dst[hidden[self.src] & ~hidden[self.dst]]
            if add.size == 0:
                return
            hidden[add] = True


def _order(df: pl.DataFrame) -> pl.DataFrame:
    """The tie-breaking columns of the pick: smallest n, with a value first, then scope, breakdown."""
    return df.select(
        "_cell",
        pl.col("value").is_null().alias("_novalue"),
        pl.col("n_individuals").cast(pl.Float64).fill_null(float("inf")).alias("_n"),
        pl.col("scope_id").cast(pl.String).alias("_sid"),
        pl.col("breakdown").alias("_bd"),
    )


def _heuristic(members: pl.DataFrame, hidden: np.ndarray, close: _Closure) -> None:
    """Step 3: no equation may keep exactly one hidden cell."""
    cell_ids = members["_cell"]
    while True:
        current = members.with_columns(pl.Series("_h", hidden).gather(cell_ids))
        lonely = (
            current.group_by("_eq").agg(pl.col("_h").sum().alias("_hc")).filter(pl.col("_hc") == 1)
        )
        if lonely.height == 0:
            return
        picks = (
            current.join(lonely, on="_eq", how="semi")
            .filter(~pl.col("_h"))
            .sort(["_eq", "_novalue", "_n", "_sid", "_bd"])
            .group_by("_eq", maintain_order=True)
            .first()
        )
        if picks.height == 0:
            return
        hidden[picks["_cell"].to_numpy()] = True
        close(hidden)


class _System:
    """The attacker's equations, per field, over (cell, field) unknowns (step 4)."""

    def __init__(
        self, df: pl.DataFrame, members: pl.DataFrame, inst: pl.DataFrame, sums: frozenset[str]
    ) -> None:
        n = df.height
        self.n_cells = n
        field_no = {f: i for i, f in enumerate(links.FIELDS)}
        present = np.zeros((n, len(links.FIELDS)), dtype=bool)
        for f, i in field_no.items():
            present[:, i] = df[f].is_not_null().to_numpy()
        eqs, cells, coefs, fields = [], [], [], []
        m_eq = (members["_eq"].rank("dense") - 1).to_numpy().astype(np.int64)
        m_cell = members["_cell"].to_numpy().astype(np.int64)
        m_coef = np.where(members["_role"].to_numpy() == "total", 1.0, -1.0)
        n_eq = int(m_eq.max()) + 1 if m_eq.size else 0
        is_sum = df["indicator_id"].is_in(list(sums)).to_numpy()
        for f, i in field_no.items():
            ok = present[m_cell, i] & (is_sum[m_cell] if f == "value" else True)
            bad = np.zeros(n_eq, dtype=bool)
            np.logical_or.at(bad, m_eq, ~ok)  # every member must carry the field
            keep = ~bad[m_eq]
            eqs.append(m_eq[keep] + i * n_eq)
            cells.append(m_cell[keep])
            coefs.append(m_coef[keep])
            fields.append(np.full(int(keep.sum()), i))
        self.eq = np.concatenate(eqs)
        self.cell = np.concatenate(cells)
        self.coef = np.concatenate(coefs)
        self.field = np.concatenate(fields)
        # A link to a visible cell tells the attacker one field of a hidden cell: x = known.
        self.alias_base = len(links.FIELDS) * n_eq
        self.a_cell = inst["_cell"].to_numpy().astype(np.int64)
        self.a_other = inst["_cell_o"].to_numpy().astype(np.int64)
        self.a_field = inst["field"].replace_strict(field_no).to_numpy().astype(np.int64)
        self.use_told = False

    def leaky(self, hidden: np.ndarray) -> np.ndarray:
        """Hidden cells one of whose secret fields the published cells determine."""
        on = hidden[self.cell]
        told = hidden[self.a_cell] & ~hidden[self.a_other] & self.use_told
        n_told = int(told.sum())
        eq = np.concatenate([self.eq[on], self.alias_base + np.arange(n_told)])
        cell = np.concatenate([self.cell[on], self.a_cell[told]])
        coef = np.concatenate([self.coef[on], np.ones(n_told)])
        field = np.concatenate([self.field[on], self.a_field[told]])
        k = len(links.FIELDS)
        keys, var = np.unique(cell * k + field, return_inverse=True)
        _, eq_c = np.unique(eq, return_inverse=True)
        det = algebra.determined(keys.size, eq_c, var, coef)
        secret = np.isin(keys % k, self.secret_fields())
        return np.unique(keys[det & secret] // k)

    @staticmethod
    def secret_fields() -> list[int]:
        return [links.FIELDS.index(f) for f in links.SECRET_FIELDS]


def _extra_picks(
    leaky: np.ndarray, members: pl.DataFrame, inst: pl.DataFrame, hidden: np.ndarray
) -> np.ndarray:
    """One more visible cell per determined cell: the smallest sharing an equation or link with it.

    If every neighbour is hidden already, the search widens by one equation at a time.
    """
    graph = members.select("_eq", "_cell")
    order = members.select("_cell", "_novalue", "_n", "_sid", "_bd").unique("_cell")
    frontier = pl.DataFrame(
        {"_leak": leaky, "_cell": leaky}, schema={"_leak": pl.UInt32, "_cell": pl.UInt32}
    )
    picks: list[int] = []
    seen = frontier
    pairs = inst.select(pl.col("_cell"), pl.col("_cell_o")).cast(pl.UInt32)
    for _ in range(6):
        via_eq = (
            frontier.join(graph, on="_cell")
            .join(graph.rename({"_cell": "_to"}), on="_eq")
            .select("_leak", pl.col("_to").alias("_cell"))
        )
        via_link = frontier.join(pairs, on="_cell").select(
            "_leak", pl.col("_cell_o").alias("_cell")
        )
        reached = (
            pl.concat([via_eq, via_link]).unique().join(seen, on=["_leak", "_cell"], how="anti")
        )
        if reached.height == 0:
            break
        flags = pl.Series("_h", hidden).gather(reached["_cell"])
        reached = reached.with_columns(flags)
        visible = (
            reached.filter(~pl.col("_h"))
            .join(order, on="_cell", how="left")
            .sort(["_leak", "_novalue", "_n", "_sid", "_bd"], nulls_last=True)
            .group_by("_leak", maintain_order=True)
            .first()
        )
        picks += visible["_cell"].to_list()
        done = set(visible["_leak"].to_list())
        seen = pl.concat([seen, reached.select("_leak", "_cell")])
        frontier = reached.filter(pl.col("_h") & ~pl.col("_leak").is_in(list(done))).select(
            "_leak", "_cell"
        )
        if frontier.height == 0:
            break
    return np.unique(np.asarray(picks, dtype=np.int64))


def _protect(
    df: pl.DataFrame,
    primary: np.ndarray,
    *,
    sums: frozenset[str],
    month_flows: frozenset[str],
    exact: bool,
) -> np.ndarray:
    hidden = primary.copy()
    if not hidden.any():
        return hidden
    anchored = links.anchored(links.entries(df))
    relations = links.learn_relations(
        anchored, min_matches=LINK_MIN_MATCHES, min_rate=LINK_MIN_RATE
    )
    inst = links.instances(anchored, relations)
    secret = inst.filter(pl.col("field").is_in(list(links.SECRET_FIELDS)))
    in_time = time_equations(df, month_flows)
    # A hidden month hides the year and the rolling windows it is part of: with them visible,
    # overlapping windows differ by single months and the year by the other months.
    contains = (
        in_time.filter(pl.col("_role") == "part")
        .select("_eq", pl.col("_cell").alias("_month"))
        .join(in_time.filter(pl.col("_role") == "total").select("_eq", "_cell"), on="_eq")
    )
    close = _Closure(
        np.concatenate([secret["_cell"].to_numpy(), contains["_month"].to_numpy()]).astype(
            np.int64
        ),
        np.concatenate([secret["_cell_o"].to_numpy(), contains["_cell"].to_numpy()]).astype(
            np.int64
        ),
    )
    close(hidden)
    members = pl.concat([equations(df).select("_eq", "_cell", "_role"), in_time]).with_columns(
        pl.col("_cell").cast(pl.UInt32)
    )
    members = members.join(_order(df).with_columns(pl.col("_cell").cast(pl.UInt32)), on="_cell")
    system = _System(df, members, inst, sums) if exact else None
    while True:
        _heuristic(members, hidden, close)
        if system is None:
            return hidden
        leaky = system.leaky(hidden)
        if leaky.size == 0:
            return hidden
        picks = _extra_picks(leaky, members, inst, hidden)
        if picks.size == 0:  # nothing left to hide around them (cannot happen with a total)
            return hidden
        hidden[picks] = True
        close(hidden)


def apply_suppression(
    frame: pl.DataFrame,
    unit_areas: pl.DataFrame | dict[str, str] | None = None,
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    with_reason: bool = False,
    exact: bool = False,
    sum_indicators: frozenset[str] | None = None,
    month_flows: frozenset[str] | None = None,
) -> pl.DataFrame:
    """Suppress key-figure rows (see module docstring); returns them in order with ``suppressed``.

    ``frame`` has the key-figure columns (``indicator_id, level, scope_id,
    period_type, period, breakdown, numerator, denominator, value,
    n_individuals``). The area of a unit row comes from an ``area`` column
    in ``frame`` or from ``unit_areas`` (``unit_id, area`` frame or dict).
    Pass *complete* groups — best the whole table: suppression is only as good
    as the totals and links it sees. A ``suppressed`` column already present
    is kept (idempotent). With ``with_reason``, ``suppression_reason`` is
    ``'primary'`` / ``'secondary'`` / null. ``exact=True`` adds step 4 (not yet
    fast enough for the whole table of a large organisation: off by default).
    ``sum_indicators`` (whose value adds up) and ``month_flows`` (whose months
    add up to years and rolling windows) default to the registry's.
    """
    if frame.height == 0:
        out = (
            frame.with_columns(pl.lit(False).alias("suppressed"))
            if "suppressed" not in frame.columns
            else frame
        )
        if with_reason and "suppression_reason" not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.String).alias("suppression_reason"))
        return out
    if sum_indicators is None or month_flows is None:
        reg_sums, reg_flows = _registry_sets()
        sum_indicators = reg_sums if sum_indicators is None else sum_indicators
        month_flows = reg_flows if month_flows is None else month_flows

    df = _with_area(frame.with_row_index("_cell"), unit_areas)
    already = pl.col("suppressed").fill_null(False) if "suppressed" in df.columns else pl.lit(False)
    df = df.with_columns(
        (
            (
                (pl.col("n_individuals") > 0)
                & (pl.col("n_individuals").cast(pl.Float64) < threshold)
            ).fill_null(False)
            | already
        ).alias("_primary")
    )
    primary = df["_primary"].to_numpy().copy()
    hidden = _protect(df, primary, sums=sum_indicators, month_flows=month_flows, exact=exact)

    out = df.with_columns(pl.Series("_hidden", hidden)).with_columns(
        [
            pl.when(pl.col("_hidden")).then(None).otherwise(pl.col(c)).alias(c)
            for c in _HIDDEN_COLUMNS
            if c in df.columns
        ]
    )
    out = out.with_columns(pl.col("_hidden").alias("suppressed"))
    if with_reason:
        out = out.with_columns(
            pl.when(pl.col("_primary"))
            .then(pl.lit("primary"))
            .when(pl.col("_hidden"))
            .then(pl.lit("secondary"))
            .otherwise(None)
            .alias("suppression_reason")
        )
    keep = [c for c in frame.columns if c != "suppressed"] + ["suppressed"]
    if with_reason:
        keep.append("suppression_reason")
    return out.select(keep)


def recoverable_equations(
    frame: pl.DataFrame, unit_areas: pl.DataFrame | dict[str, str] | None = None
) -> pl.DataFrame:
    """Equations of a suppressed frame with exactly one hidden cell (should be empty).

    Used by tests and the data-quality check: each row names an equation
    (``_eq``) from which a hidden cell could be recovered by subtraction.
    """
    df = _with_area(frame.with_row_index("_cell"), unit_areas)
    members = equations(df)
    flags = df.select("_cell", pl.col("suppressed").alias("_h"))
    joined = members.join(flags, on="_cell", how="left")
    return (
        joined.group_by("_eq").agg(pl.col("_h").sum().alias("hidden")).filter(pl.col("hidden") == 1)
    )
