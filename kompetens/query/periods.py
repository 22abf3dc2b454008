"""Period arithmetic of key figures.

A period is ``'YYYY'`` (a year) or ``'YYYY-MM'`` (a month, or the twelve
months ending in it for ``rolling_12m``). A year counts as ending in December.
Month indexes count months since year 0 (``'2025-01'`` -> 2025 × 12).
"""

from __future__ import annotations

from typing import Literal

import polars as pl

PeriodType = Literal["month", "year", "rolling_12m"]


def previous_period(period: str) -> str:
    """The same period a year earlier: ``'2025'`` -> ``'2024'``, ``'2025-10'`` -> ``'2024-10'``."""
    return f"{int(period[:4]) - 1}{period[4:]}"


def period_year(period: str) -> int:
    return int(period[:4])


def _period_type_of(period: str) -> PeriodType:
    return "month" if len(period) > 4 else "year"


def _month_index(period: str) -> int:
    """Months since year 0 of a period's last month (``'2025'`` ends in December)."""
    year = int(period[:4])
    month = int(period[5:7]) if len(period) >= 7 else 12
    return year * 12 + month - 1


def _month_index_expr(col: str = "period") -> pl.Expr:
    year = pl.col(col).str.slice(0, 4).cast(pl.Int64)
    month = (
        pl.when(pl.col(col).str.len_chars() >= 7)
        .then(pl.col(col).str.slice(5, 2).cast(pl.Int64))
        .otherwise(12)
    )
    return year * 12 + month - 1


def _month_range(first: str, last: str) -> list[str]:
    start, end = _month_index(first), _month_index(last)
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(start, end + 1)]
