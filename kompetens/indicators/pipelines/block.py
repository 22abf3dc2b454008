"""A compute block: the indicators computed together, and the import kinds they read.

The engine recomputes whole blocks. Which blocks an import of a kind must redo is
derived from the blocks' ``reads``, and which indicators a block replaces from the
registry (``Indicator.block``), so neither is kept by hand. A block reads a kind when it
uses any of its rows, directly or through a shared intermediate result: everything that
uses the staff months grid (rolling windows, complete years, the months a stock is
measured in) or the snapshots reads ``staff``; everything that places rows in areas or
school forms reads ``units``. ``Inputs`` records the kinds a block touches, and a test
checks each block's record against its declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

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
