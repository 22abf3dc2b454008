"""The range rules of the allocation model's kinds (``core.contract_allocation``), as Polars
expressions the validator evaluates.

Grain: one (column, condition, Swedish message) per rule; the condition is true on the rows
that break it.
"""

from __future__ import annotations

import polars as pl

from kompetens.core.contract_allocation import INDEX_COMPONENTS

#: The budget years a file may name.
YEAR_RANGE = (2000, 2100)
#: The longest smoothing (years of index averaged).
SMOOTHING_MAX = 10


def _year_rule() -> tuple[str, pl.Expr, str]:
    low, high = YEAR_RANGE
    return (
        "year",
        (pl.col("year") < low) | (pl.col("year") > high),
        f"året måste ligga mellan {low} och {high}",
    )


def _percent_rule(column: str) -> tuple[str, pl.Expr, str]:
    return (
        column,
        (pl.col(column) < 0) | (pl.col(column) > 100),
        "andelen anges i procent och måste ligga mellan 0 och 100",
    )


def rules(kind_name: str) -> list[tuple[str, pl.Expr, str]]:
    """(column to report, broken-rule condition, Swedish message) for one allocation kind."""
    c = pl.col
    if kind_name == "pupil_count":
        return [_year_rule(), ("pupils", c("pupils") < 0, "antalet elever får inte vara negativt")]
    if kind_name == "socioeconomic_index":
        return [
            _year_rule(),
            ("index", c("index") <= 0, "det socioekonomiska indexet måste vara större än 0"),
            *(_percent_rule(column) for column in INDEX_COMPONENTS),
        ]
    if kind_name == "allocation_parameters":
        return [
            _year_rule(),
            ("pot", c("pot") < 0, "den kompensatoriska potten får inte vara negativ"),
            ("floor", c("floor") < 0, "golvet får inte vara negativt"),
            _percent_rule("compensatory_share_pct"),
            (
                "smoothing_years",
                (c("smoothing_years") < 1) | (c("smoothing_years") > SMOOTHING_MAX),
                f"utjämningen anges i hela år, 1–{SMOOTHING_MAX}",
            ),
            (
                "cap_pct",
                (c("cap_pct") < 0) | (c("cap_pct") >= 100),
                "taket för årlig förändring anges i procent, 0–99",
            ),
        ]
    return []
