"""Small-number suppression of key figures (primary and secondary).

Grain: works on key-figure rows (indicator × level × scope × period type ×
period × breakdown) and returns the same rows with a boolean ``suppressed``
and, for suppressed rows, ``value``, ``numerator``, ``denominator`` and
``n_individuals`` set to null. Pages show a suppressed value as ``..``.

Method (see also ``docs/suppression.md``)
-----------------------------------------
**Primary suppression.** A row resting on 1–4 individuals
(``0 < n_individuals < SUPPRESSION_THRESHOLD``, the threshold being 5) is
suppressed. A row on nobody (``n_individuals = 0``, e.g. "0 retirements")
describes no person and is shown. A row whose ``n_individuals`` is null is
*not* primarily suppressed (nothing says it is small); the indicator
pipelines fill ``n_individuals`` for every row that rests on people.

**Secondary suppression.** Key figures are additive: an area's numerator and
denominator are (about) the sums of its units', the organisation's the sum of
its areas', and a unit's ``all`` row the sum of its category rows (e.g.
``staff_category=teacher``). Each such relation is an *equation*
``total = part_1 + … + part_k``. If exactly one cell of an equation is hidden,
it can be recovered by subtraction. So, within each (indicator, period type,
period):

1. hierarchy equations, per breakdown: *area row = its unit rows*, and
   *organisation row = area rows* (plus unit rows whose area has no area
   row);
2. breakdown equations, per level and scope and dimension: *``all`` row =
   the rows ``dimension=…``* for every dimension except non-additive ones
   (``variant=…``, which are alternative definitions, and ``measure=…``,
   which are sub-indices, not parts).

we repeat until nothing changes: for every equation with exactly one hidden
cell, also hide its visible cell with the **smallest** ``n_individuals``
(ties: a cell that has a value before one that has none, then the
lexically smallest scope and breakdown, so the choice is deterministic and
the same unit is chosen for indicators that rest on the same people). The
total of an equation has the largest ``n`` and is therefore hidden only when
no part is left, e.g. an area with a single unit. Hiding only ever adds
cells, so the loop ends. At the fixed point every equation has 0 or ≥ 2
hidden cells, which is the classical sufficient rule for hierarchical
tables: a hidden unit can no longer be isolated by subtracting visible units
from a visible area or organisation total, and a hidden area cannot be
isolated from the organisation total.

Counts (``hires``, ``retirements``) are handled the same way: their
``n_individuals`` is the count itself. ``n_individuals`` is nulled on
suppressed rows because for a count it *is* the hidden value.

Known limits (documented, not hidden): (a) in linked tables (units ×
categories at the same time) the 0-or-≥2 rule is the standard heuristic, not
a proof — a hidden cell that is a "bridge" between two otherwise separate
groups of hidden cells could in principle be solved for by linear algebra;
(b) different indicators on the same people (e.g. ``certified_teacher_share``
and ``certification_gap_fte``) are suppressed independently; the
deterministic choice above makes their patterns coincide when their ``n``
coincide.
"""

from __future__ import annotations

import polars as pl

SUPPRESSION_THRESHOLD = 5

#: Breakdown dimensions whose values are alternative definitions of the whole,
#: not parts of it (``variant=excl_retirement``): they are not summed to ``all``.
#: ``measure=hme_motivation`` is a sub-index of HME, not a share of the total.
NON_ADDITIVE_DIMENSIONS: frozenset[str] = frozenset({"variant", "measure"})

_GROUP = ["indicator_id", "period_type", "period"]
_HIDDEN_COLUMNS = ["value", "numerator", "denominator", "n_individuals"]
_SEP = "\x1f"


def _with_area(df: pl.DataFrame, unit_areas: pl.DataFrame | dict[str, str] | None) -> pl.DataFrame:
    """Attach ``_area`` (the area of a unit row; null for other levels)."""
    if "area" in df.columns:
        return df.with_columns(
            pl.when(pl.col("level") == "unit")
            .then(pl.col("area").cast(pl.String))
            .otherwise(None)
            .alias("_area")
        )
    if unit_areas is None:
        return df.with_columns(pl.lit(None, dtype=pl.String).alias("_area"))
    if isinstance(unit_areas, dict):
        unit_areas = pl.DataFrame(
            {"unit_id": list(unit_areas), "area": list(unit_areas.values())},
            schema={"unit_id": pl.String, "area": pl.String},
        )
    mapping = unit_areas.select(
        pl.col("unit_id").cast(pl.String).alias("_unit"),
        pl.col("area").cast(pl.String).alias("_area_of_unit"),
    ).unique("_unit")
    return (
        df.join(mapping, left_on="scope_id", right_on="_unit", how="left")
        .with_columns(
            pl.when(pl.col("level") == "unit")
            .then(pl.col("_area_of_unit"))
            .otherwise(None)
            .alias("_area")
        )
        .drop("_area_of_unit")
    )


def _key(*cols: str | pl.Expr) -> pl.Expr:
    return pl.concat_str([pl.col(c) if isinstance(c, str) else c for c in cols], separator=_SEP)


def equations(cells: pl.DataFrame) -> pl.DataFrame:
    """Membership of cells in additive equations: one row per (equation, cell, role).

    ``cells`` needs ``_cell`` (row id), ``_area`` and the key-figure key columns.
    Role is ``total`` or ``part``; only equations with a total and at least one
    part are returned (nothing can be subtracted otherwise).
    """
    base = cells.select("_cell", "_area", "level", "scope_id", "breakdown", *_GROUP).with_columns(
        _key(*_GROUP, "breakdown").alias("_g")
    )
    area_rows = base.filter(pl.col("level") == "area")
    has_area_row = area_rows.select(
        pl.col("_g"), pl.col("scope_id").alias("_area"), pl.lit(True).alias("_has")
    )

    units = base.filter(pl.col("level") == "unit").join(
        has_area_row, on=["_g", "_area"], how="left"
    )
    unit_parts_area = units.filter(pl.col("_has").fill_null(False)).select(
        pl.col("_cell"),
        _key("_g", pl.lit("area"), "_area").alias("_eq"),
        pl.lit("part").alias("_role"),
    )
    # A unit whose area has no area row (or no known area) sums straight into the organisation.
    unit_parts_org = units.filter(~pl.col("_has").fill_null(False)).select(
        pl.col("_cell"), _key("_g", pl.lit("org")).alias("_eq"), pl.lit("part").alias("_role")
    )
    area_totals = area_rows.select(
        pl.col("_cell"),
        _key("_g", pl.lit("area"), "scope_id").alias("_eq"),
        pl.lit("total").alias("_role"),
    )
    area_parts_org = area_rows.select(
        pl.col("_cell"), _key("_g", pl.lit("org")).alias("_eq"), pl.lit("part").alias("_role")
    )
    org_totals = base.filter(pl.col("level") == "org").select(
        pl.col("_cell"), _key("_g", pl.lit("org")).alias("_eq"), pl.lit("total").alias("_role")
    )

    # Breakdown equations: the 'all' row of a scope = its rows of one dimension.
    split = base.filter(pl.col("breakdown") != "all").with_columns(
        pl.col("breakdown").str.split_exact("=", 1).struct.field("field_0").alias("_dim")
    )
    parts = split.filter(
        ~pl.col("_dim").is_in(list(NON_ADDITIVE_DIMENSIONS)) & pl.col("_dim").is_not_null()
    )
    scope_key = _key(*_GROUP, "level", "scope_id")
    part_rows = parts.select(
        pl.col("_cell"),
        _key(scope_key, pl.lit("dim"), "_dim").alias("_eq"),
        pl.lit("part").alias("_role"),
    )
    dims = parts.select(scope_key.alias("_s"), pl.col("_dim")).unique()
    all_rows = base.filter(pl.col("breakdown") == "all").select(
        pl.col("_cell"), scope_key.alias("_s")
    )
    total_rows = all_rows.join(dims, on="_s", how="inner").select(
        pl.col("_cell"),
        _key("_s", pl.lit("dim"), "_dim").alias("_eq"),
        pl.lit("total").alias("_role"),
    )

    members = pl.concat(
        [
            unit_parts_area,
            unit_parts_org,
            area_totals,
            area_parts_org,
            org_totals,
            part_rows,
            total_rows,
        ],
        how="vertical",
    )
    shape = members.group_by("_eq").agg(
        (pl.col("_role") == "total").sum().alias("_totals"),
        (pl.col("_role") == "part").sum().alias("_parts"),
    )
    valid = shape.filter((pl.col("_totals") >= 1) & (pl.col("_parts") >= 1)).select("_eq")
    return members.join(valid, on="_eq", how="semi")


def apply_suppression(
    frame: pl.DataFrame,
    unit_areas: pl.DataFrame | dict[str, str] | None = None,
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    with_reason: bool = False,
) -> pl.DataFrame:
    """Primary and secondary suppression of key-figure rows (see module docstring).

    ``frame`` has the key-figure columns (``indicator_id, level, scope_id,
    period_type, period, breakdown, numerator, denominator, value,
    n_individuals``). The area of a unit row comes from an ``area`` column
    in ``frame`` or from ``unit_areas`` (``unit_id, area`` frame or dict).
    Pass *complete* groups (every unit, area and org row of an indicator and
    period): secondary suppression is only as good as the totals it sees.
    A ``suppressed`` column already present is kept (idempotent).
    Returns the rows in the same order with ``suppressed`` (and, with
    ``with_reason``, ``suppression_reason``: ``'primary'``/``'secondary'``/null).
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
    hidden = primary.copy()

    if hidden.any():
        members = equations(df)
        if members.height:
            info = df.select(
                "_cell",
                pl.col("n_individuals").cast(pl.Float64).fill_null(float("inf")).alias("_n"),
                pl.col("value").is_null().alias("_novalue"),
                pl.col("scope_id").cast(pl.String).alias("_sid"),
                pl.col("breakdown").alias("_bd"),
            )
            members = members.join(info, on="_cell", how="left")
            cell_ids = members["_cell"]
            while True:
                flags = pl.Series("_h", hidden).gather(cell_ids)
                current = members.with_columns(flags)
                counts = current.group_by("_eq").agg(pl.col("_h").sum().alias("_hc"))
                lonely = counts.filter(pl.col("_hc") == 1).select("_eq")
                if lonely.height == 0:
                    break
                picks = (
                    current.join(lonely, on="_eq", how="semi")
                    .filter(~pl.col("_h"))
                    .sort(["_eq", "_novalue", "_n", "_sid", "_bd"])
                    .group_by("_eq", maintain_order=True)
                    .first()
                )
                if picks.height == 0:  # cannot happen: an equation has >= 2 members
                    break
                hidden[picks["_cell"].to_numpy()] = True

    hidden_s = pl.Series("_hidden", hidden)
    out = df.with_columns(hidden_s).with_columns(
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
