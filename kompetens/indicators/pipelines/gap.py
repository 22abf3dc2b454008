"""certification_gap_fte: the FTE of certified staff missing to reach the target.

Input: the unit rows (breakdown ``all``) of certified_teacher_share (school units) and
licensed_preschool_teacher_share (preschool units), joined to the resolved unit targets
of the period's year. Per unit: max(0, target x denominator - numerator), in FTE; area
and organisation sum their units' gaps (surpluses do not net out), also by school form.
Grain: level x scope x breakdown x period, with the shares' period types (month, year).
"""

from __future__ import annotations

import polars as pl

from kompetens.indicators.pipelines.block import Block
from kompetens.indicators.pipelines.grain import (
    KEYS,
    breakdown_expr,
    empty_kf,
    finish,
    level_combos,
    scope_expr,
    with_unit_attrs,
)


def certification_gap(
    shares: pl.DataFrame, unit_targets: pl.DataFrame, units: pl.DataFrame
) -> pl.DataFrame:
    """certification_gap_fte from the unit rows of the two certification shares.

    ``shares``: key figures of certified_teacher_share (school units) and
    licensed_preschool_teacher_share (forskola units); ``unit_targets``:
    indicator_id, scope_id (unit), year, target. Gap per unit = max(0, target x
    den - num); area/org = sum of their units' gaps (surpluses do not net out).
    """
    if shares.is_empty() or unit_targets.is_empty():
        return empty_kf()
    unit_rows = (
        shares.lazy()
        .filter((pl.col("level") == "unit") & (pl.col("breakdown") == "all"))
        .with_columns(pl.col("period").str.slice(0, 4).cast(pl.Int64).alias("year"))
        .join(
            unit_targets.lazy().select("indicator_id", "scope_id", "year", "target"),
            on=["indicator_id", "scope_id", "year"],
            how="inner",
        )
        .with_columns(
            (pl.col("target") * pl.col("denominator") - pl.col("numerator"))
            .clip(lower_bound=0.0)
            .alias("gap"),
            pl.col("scope_id").alias("unit_id"),
        )
    )
    unit_rows = with_unit_attrs(unit_rows, units)
    parts = []
    for level, dim in level_combos(("school_form",)):
        parts.append(
            unit_rows.with_columns(
                pl.lit(level).alias("level"), scope_expr(level), breakdown_expr(dim)
            )
            .group_by([*KEYS, "period_type", "period"])
            .agg(pl.col("gap").sum().alias("value"), pl.col("n_individuals").sum())
        )
    return finish(pl.concat(parts), "certification_gap_fte")


#: Computed by the engine: it resolves the targets against the store and, when the staff
#: block is not redone, reads the stored shares. It rests on the shares (units, staff)
#: and on the targets.
BLOCK = Block("certification_gap", frozenset({"units", "staff", "targets"}), None, "mål och gap")
