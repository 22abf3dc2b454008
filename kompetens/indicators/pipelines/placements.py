"""Student placements (VFU, APL, prao, teacher pathway) per calendar year of the period start.

Grain: level x scope x breakdown (placement type, school form) x year. Units: students
(student_placements, a count) and the share of students later hired (placement_to_hire,
of the placements that report it). n_individuals = students.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from kompetens.indicators.pipelines.block import Block
from kompetens.indicators.pipelines.grain import (
    KEYS,
    expand_levels,
    finish,
    ratio,
    with_unit_attrs,
)

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.inputs import Inputs


def placement_indicators(placements: pl.DataFrame, units: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """student_placements (count) and placement_to_hire (share), per period_start year."""
    if placements.is_empty():
        return {}
    lf = with_unit_attrs(placements.lazy(), units).with_columns(
        pl.lit("year").alias("period_type"),
        pl.col("period_start").dt.year().cast(pl.String).alias("period"),
    )
    agg = (
        expand_levels(lf, ("placement_type", "school_form"))
        .group_by([*KEYS, "period_type", "period"])
        .agg(
            pl.col("students").sum().alias("students"),
            pl.when(pl.col("hired_later").is_not_null())
            .then(pl.col("students"))
            .sum()
            .alias("students_known"),
            pl.col("hired_later").sum().alias("hired_later"),
        )
        .collect()
    )
    return {
        "student_placements": finish(
            agg.lazy()
            .filter(pl.col("students") > 0)
            .with_columns(
                pl.col("students").cast(pl.Float64).alias("value"),
                pl.col("students").alias("n_individuals"),
            ),
            "student_placements",
        ),
        "placement_to_hire": finish(
            ratio(agg, "hired_later", "students_known", pl.col("students_known")),
            "placement_to_hire",
        ),
    }


def placements_block(inputs: Inputs) -> dict[str, pl.DataFrame]:
    """student_placements and placement_to_hire."""
    return placement_indicators(inputs.frame("placements"), inputs.units)


BLOCK = Block(
    "placements", frozenset({"units", "placements", "staff"}), placements_block, "praktik"
)
