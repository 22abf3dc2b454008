"""A compute block: the indicators computed together, and the import kinds they read.

The engine recomputes whole blocks. Which blocks an import of a kind must redo is
derived from the blocks' ``reads``, and which indicators a block replaces from the
registry (``Indicator.block``), so neither is kept by hand. A block reads a kind when it
uses any of its rows, directly or through a shared intermediate result: everything that
uses the staff months grid (rolling windows, complete years, the months a stock is
measured in) or the snapshots reads ``staff``; everything that places rows in areas or
school forms reads ``units``. ``Inputs`` records the kinds a block touches, and a test
checks each block's record against its declaration.

A block also applies each indicator's ``unfinished_year`` declaration (registry): the
``year`` rows of a ``leave_out`` indicator for a year the staff snapshots do not yet reach
December of are dropped (``finished_years``). So a block that makes such an indicator
reads ``staff`` (the snapshot months tell how far the data reaches).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from kompetens.indicators.registry import REGISTRY

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.inputs import Inputs


@dataclass(frozen=True)
class Block:
    """One compute block.

    ``compute`` returns one key-figure frame per indicator id (an indicator without
    data may be missing: the engine still deletes its old rows). ``None`` means the
    engine computes the block itself (``certification_gap``: it needs the targets
    resolved against the store). ``label`` is the Swedish progress message.
    """

    name: str
    reads: frozenset[str]
    compute: Callable[[Inputs], dict[str, pl.DataFrame]] | None
    label: str

    def __post_init__(self) -> None:
        if self.compute is not None:
            make = self.compute

            def compute(inputs: Inputs) -> dict[str, pl.DataFrame]:
                return leave_out_unfinished_years(make(inputs), inputs)

            compute.__doc__ = make.__doc__
            object.__setattr__(self, "compute", compute)


def finished_years_expr(last_month: int | None) -> pl.Expr:
    """Rows that are not ``year`` rows, or whose year ended by month index ``last_month``.

    ``last_month``: the newest staff snapshot month (``y * 12 + month - 1``); None (no
    snapshots: nothing says how far the data reaches) keeps every row.
    """
    if last_month is None:
        return pl.lit(True)
    last_finished = (last_month + 1) // 12 - 1  # the snapshots reach December of this year
    return (pl.col("period_type") != "year") | (
        pl.col("period").cast(pl.Int64, strict=False) <= last_finished
    )


def leave_out_unfinished_years(
    figures: dict[str, pl.DataFrame], inputs: Inputs
) -> dict[str, pl.DataFrame]:
    """Drop the unfinished years of the indicators that declare ``unfinished_year='leave_out'``."""
    leave_out = [i for i in figures if i in REGISTRY and REGISTRY[i].unfinished_year == "leave_out"]
    if not leave_out:
        return figures
    keep = finished_years_expr(inputs.grid.last)
    return {i: f.filter(keep) if i in leave_out else f for i, f in figures.items()}
