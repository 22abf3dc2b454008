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
   rolling window for flows with months) with exactly one hidden cell, one
   visible cell is hidden as well — the one in the most such equations, then
   the one with the fewest links, then the smallest ``n`` (ties: a cell with
   a value first, then the smallest scope id and breakdown) — with its links;
   repeated until no equation has exactly one hidden cell.
4. **Exact check** (``exact``). The attacker's linear system (every
   equation per field, with the visible cells as constants) is tested per
   connected component; for every hidden value, numerator or ``n`` it
   determines, the cheapest set of visible cells that sets it free (a null
   vector of the system through it, ``cover``) is hidden, and steps 2–4
   repeat until nothing is determined.
5. **What the published table teaches.** The relations of step 2 are learned
   again from the *visible* area and organisation cells: a relation that
   holds on too few true cells to be learned (first-year retention's
   denominator is the hires only in complete years) can hold on every visible
   one once the cells where it fails are hidden, and an attacker learns it
   there. New relations add links, and steps 2–5 repeat until none appears.

Hiding only ever adds cells, so every loop ends. Pass the **whole** key-figure
table (every indicator and period type) to coordinate across them; a slice
is protected only within itself.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from kompetens.core.progress import Progress
from kompetens.query.suppression import links
from kompetens.query.suppression.additive import (
    NON_ADDITIVE_DIMENSIONS,
    _with_area,
    equations,
    time_equations,
)
from kompetens.query.suppression.exact import ExactCheck, single_threaded_blas

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

    def extend(self, src: np.ndarray, dst: np.ndarray) -> None:
        """Add links (``src`` hides ``dst``)."""
        self.src = np.concatenate([self.src, src])
        self.dst = np.concatenate([self.dst, dst])

    def __call__(self, hidden: np.ndarray) -> None:
        while self.src.size:
            add = self.dst[hidden[self.src] & ~hidden[self.dst]]
            if add.size == 0:
                return
            hidden[add] = True

    def cost(self, n_cells: int) -> np.ndarray:
        """Per cell, how many cells hiding it hides with it (its direct links)."""
        return np.bincount(self.src, minlength=n_cells)


def _order(df: pl.DataFrame) -> pl.DataFrame:
    """Per cell, its place ``_ord`` (0..) in the tie-breaking order of the pick: smallest n,
    with a value first, then scope, breakdown.

    The cell's whole key breaks the remaining ties (the months of one series have the same
    scope and breakdown), so the order is total and the pick depends on the cells and not on
    row order, thread scheduling or hash seeds: two runs on the same figures hide the same
    cells. One integer per cell, so that the equations' members do not each carry the strings.
    """
    return (
        df.select(
            "_cell",
            pl.col("value").is_null().alias("_novalue"),
            pl.col("n_individuals").cast(pl.Float64).fill_null(float("inf")).alias("_n"),
            pl.col("scope_id").cast(pl.String).alias("_sid"),
            pl.col("breakdown").alias("_bd"),
            pl.concat_str(
                [pl.col(c).cast(pl.String) for c in links.KEY], separator="\x1f", ignore_nulls=True
            ).alias("_key"),
        )
        .sort(["_novalue", "_n", "_sid", "_bd", "_key"], maintain_order=True)
        .with_row_index("_ord")
        .select(pl.col("_cell").cast(pl.UInt32), pl.col("_ord").cast(pl.UInt32))
    )


def _heuristic(members: pl.DataFrame, hidden: np.ndarray, close: _Closure) -> None:
    """Step 3: no equation may keep exactly one hidden cell.

    Per such equation one visible member is hidden: the one in the most such
    equations (one cell closes several), then the one whose links hide the
    fewest other cells, then the ``_order`` (smallest ``n`` first).
    """
    cell_ids = members["_cell"]
    cost = pl.Series("_cost", close.cost(hidden.size)).gather(cell_ids)
    members = members.with_columns(cost)
    while True:
        current = members.with_columns(pl.Series("_h", hidden).gather(cell_ids))
        lonely = (
            current.group_by("_eq").agg(pl.col("_h").sum().alias("_hc")).filter(pl.col("_hc") == 1)
        )
        if lonely.height == 0:
            return
        candidates = current.join(lonely, on="_eq", how="semi").filter(~pl.col("_h"))
        picks = (
            candidates.with_columns(pl.len().over("_cell").alias("_k"))
            .sort(
                ["_eq", "_k", "_cost", "_ord"],
                descending=[False, True, False, False],
                maintain_order=True,
            )
            .group_by("_eq", maintain_order=True)
            .first()
        )
        if picks.height == 0:
            return
        hidden[picks["_cell"].to_numpy()] = True
        close(hidden)


def _exact_check(df: pl.DataFrame, members: pl.DataFrame, sums: frozenset[str]) -> ExactCheck:
    present = np.column_stack([df[f].is_not_null().to_numpy() for f in links.FIELDS])
    return ExactCheck(
        present,
        members["_eq"].to_numpy().astype(np.int64),
        members["_cell"].to_numpy().astype(np.int64),
        np.where(members["_role"].to_numpy() == "total", 1.0, -1.0),
        df["indicator_id"].is_in(list(sums)).to_numpy(),
        # n never adds up over months (people recur) nor over subjects (a teacher teaches several)
        members["_n_adds"].to_numpy(),
    )


def _copies_of_primary(primary: np.ndarray, secret: pl.DataFrame) -> np.ndarray:
    """Cells that publish a primary cell's own number (value, numerator or ``n``).

    Follows the learned equalities (``secret``: ``_cell, field -> _cell_o, field_o``) from the
    primary cells' secret fields, through copies of the same number only: the count on two
    people that is another indicator's numerator, that numerator's December copy, and so on.
    A cell reached is the primary number published again (the linked-table convention counts
    it as primary); a cell hidden because it publishes *another* hidden cell's number is not.
    """
    # one integer per (cell, field), and the edges followed to a fixed point by ``_Closure``
    # over them: at 50,000 staff 0.8 s, against 4.2 s as joins of frames
    n_fields = len(links.FIELDS)
    number = {f: i for i, f in enumerate(links.FIELDS)}

    def key(cell: str, field: str) -> np.ndarray:
        return (
            secret[cell].to_numpy().astype(np.int64) * n_fields
            + secret[field].replace_strict(number, return_dtype=pl.Int64).to_numpy()
        )

    reached = np.zeros(primary.size * n_fields, dtype=bool)
    start = np.flatnonzero(primary) * n_fields
    for f in links.SECRET_FIELDS:
        reached[start + number[f]] = True
    _Closure(key("_cell", "field"), key("_cell_o", "field_o"))(reached)
    copies = reached.reshape(-1, n_fields).any(axis=1)
    return copies & ~primary


def _protect(
    df: pl.DataFrame,
    primary: np.ndarray,
    *,
    sums: frozenset[str],
    month_flows: frozenset[str],
    exact: bool,
    copies: list[np.ndarray] | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Steps 2-4 (see module docstring): the hidden cells, primary included.

    ``copies``, when given, receives the cells that publish a primary cell's own number
    (``_copies_of_primary``), for the reason ``'linked'``; ``progress`` is told each step.
    """
    step = progress or (lambda fraction, message: None)
    hidden = primary.copy()
    if not hidden.any():
        return hidden
    step(0.05, "letar nyckeltal som visar samma tal")
    anchored = links.anchored(links.entries(df))
    relations = links.learn_relations(
        anchored, min_matches=LINK_MIN_MATCHES, min_rate=LINK_MIN_RATE
    )
    secret = _secret_instances(anchored, relations)
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
    step(0.3, "ställer upp summorna mellan enheter, kategorier och månader")
    members = pl.concat(
        [
            equations(df).select("_eq", "_cell", "_role", "_n_adds"),
            in_time.with_columns(pl.lit(False).alias("_n_adds")),
        ]
    ).with_columns(
        pl.col("_cell").cast(pl.UInt32),
        # equations numbered 0.. in the order of their names, instead of a name per member
        (pl.col("_eq").rank("dense") - 1).cast(pl.UInt32),
    )
    members = members.join(_order(df), on="_cell")
    check = _exact_check(df, members, sums) if exact else None
    rounds = 0
    while True:
        rounds += 1
        step(
            min(0.45 + 0.1 * (rounds - 1), 0.85),
            "döljer fler tal så att inget dolt tal kan räknas fram"
            + (f" (varv {rounds})" if rounds > 1 else ""),
        )
        _heuristic(members, hidden, close)
        if check is not None:
            _exact_rounds(check, members, hidden, close)
        # Step 5: what the published table itself teaches. A relation that holds on 75 % of
        # the true cells is not learned above, but once the cells where it fails are hidden
        # it holds on every visible one, and an attacker learns it from the visible cells.
        new = _published_relations(anchored, hidden, relations)
        if new.height == 0:
            break
        relations = pl.concat([relations, new])
        more = _secret_instances(anchored, new)
        secret = pl.concat([secret, more])
        close.extend(
            more["_cell"].to_numpy().astype(np.int64), more["_cell_o"].to_numpy().astype(np.int64)
        )
        close(hidden)
    if copies is not None:
        step(0.9, "märker tal som upprepar ett litet tal")
        copies.append(_copies_of_primary(primary, secret))
    return hidden


def _secret_instances(anchored: pl.DataFrame, relations: pl.DataFrame) -> pl.DataFrame:
    """Where a relation publishes a hidden cell's secret field again: ``_cell, field -> _cell_o``."""
    return links.instances(anchored, relations, fields=links.SECRET_FIELDS)


def _published_relations(
    anchored: pl.DataFrame, hidden: np.ndarray, known: pl.DataFrame
) -> pl.DataFrame:
    """Relations the visible area and organisation entries show that ``known`` lacks.

    Learned as eagerly as in step 2 (``LINK_MIN_MATCHES``, ``LINK_MIN_RATE``), which is
    more eagerly than the attack (``query.disclosure``), but from the published cells only.
    """
    visible = pl.DataFrame({"_cell": np.flatnonzero(~hidden).astype(np.uint32)})
    learned = links.learn_relations(
        anchored.filter(pl.col("level") != "unit").join(visible, on="_cell", how="semi"),
        min_matches=LINK_MIN_MATCHES,
        min_rate=LINK_MIN_RATE,
    )
    return learned.join(known, on=["col_a", "col_b"], how="anti")


def _exact_rounds(
    check: ExactCheck, members: pl.DataFrame, hidden: np.ndarray, close: _Closure
) -> None:
    """Step 4: hide the cheapest cover of what the exact check finds determined, until nothing is.

    A cell's cost is 1 plus the cells its links hide with it.
    """
    cost = 1.0 + close.cost(hidden.size)
    with single_threaded_blas():
        while True:
            picks = check.picks(hidden, cost)
            picks = picks[~hidden[picks]]
            if picks.size == 0:  # nothing determined
                return
            hidden[picks] = True
            close(hidden)
            _heuristic(members, hidden, close)


def apply_suppression(
    frame: pl.DataFrame,
    unit_areas: pl.DataFrame | dict[str, str] | None = None,
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    with_reason: bool = False,
    exact: bool = True,
    sum_indicators: frozenset[str] | None = None,
    month_flows: frozenset[str] | None = None,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """Suppress key-figure rows (see module docstring); returns them in order with ``suppressed``.

    ``frame`` has the key-figure columns (``indicator_id, level, scope_id,
    period_type, period, breakdown, numerator, denominator, value,
    n_individuals``). The area of a unit row comes from an ``area`` column
    in ``frame`` or from ``unit_areas`` (``unit_id, area`` frame or dict).
    Pass *complete* groups — best the whole table: suppression is only as good
    as the totals and links it sees. A ``suppressed`` column already present
    is kept (idempotent). With ``with_reason``, ``suppression_reason`` is
    ``'primary'`` (on 1–4 people), ``'linked'`` (publishes a primary cell's own
    number: the same cell in another table), ``'secondary'`` (hidden so that
    no hidden cell can be worked out) or null. ``exact`` (on by default) runs
    step 4; ``exact=False`` stops after the heuristic (step 3).
    ``sum_indicators`` (whose value adds up) and ``month_flows`` (whose months
    add up to years and rolling windows) default to the registry's.
    ``progress(fraction, message)`` is told each step (Swedish messages), ending at 1.0.
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
    copies: list[np.ndarray] = []
    hidden = _protect(
        df,
        primary,
        sums=sum_indicators,
        month_flows=month_flows,
        exact=exact,
        copies=copies,
        progress=progress,
    )
    linked = copies[0] if copies else np.zeros(df.height, dtype=bool)

    out = df.with_columns(pl.Series("_hidden", hidden), pl.Series("_linked", linked)).with_columns(
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
            .when(pl.col("_linked") & pl.col("_hidden"))
            .then(pl.lit("linked"))
            .when(pl.col("_hidden"))
            .then(pl.lit("secondary"))
            .otherwise(None)
            .alias("suppression_reason")
        )
    keep = [c for c in frame.columns if c != "suppressed"] + ["suppressed"]
    if with_reason:
        keep.append("suppression_reason")
    if progress is not None:
        progress(1.0, "små tal dolda")
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
