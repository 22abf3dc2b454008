"""The inputs of one computation: the contract frames, and what several blocks share, made once.

``frames`` holds the current rows of each contract kind (one frame per kind, as the
engine loads them). The shared intermediate results are made on first use and kept for
the rest of the computation: ``units`` (unit -> area, school form), ``grid`` (the staff
snapshot months), ``base`` (the person-month rows of the snapshots), ``roll`` (every
staff measure at level x scope x breakdown x month), ``heads`` (headcounts summed to
years and rolling windows) and ``events`` (events with month, unit attributes, and
category / employment type filled in from the snapshots).

Every access notes the contract kinds it rests on in ``read``, so a block's true reads
can be compared with the kinds it declares (``Block.reads``).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from kompetens.indicators.pipelines.grain import Settings, prepare_units
from kompetens.indicators.pipelines.periods import Grid, grid_of
from kompetens.indicators.pipelines.persons import snapshot_base
from kompetens.indicators.pipelines.prepared import head_flows, prepare_events, staff_rollup


class Inputs:
    """The frames of one computation and the intermediate results blocks share."""

    def __init__(
        self, frames: dict[str, pl.DataFrame], settings: Settings, grid: Grid | None = None
    ) -> None:
        self.settings = settings
        self._frames = frames
        self._made: dict[str, object] = {}
        if grid is not None:
            # Given when ``frames`` hold only the later rows (``pipelines.incremental``): the
            # complete years, rolling windows and months of a period follow every snapshot month.
            self._made["grid"] = grid
        #: The contract kinds read so far (directly or through a shared result).
        self.read: set[str] = set()

    def _once(self, name: str, kinds: set[str], make: Callable[[], object]):
        self.read |= kinds
        if name not in self._made:
            self._made[name] = make()
        return self._made[name]

    def frame(self, kind: str) -> pl.DataFrame:
        """The current rows of one kind, as loaded."""
        self.read.add(kind)
        return self._frames[kind]

    @property
    def units(self) -> pl.DataFrame:
        return self._once("units", {"units"}, lambda: prepare_units(self.frame("units")))

    @property
    def grid(self) -> Grid:
        return self._once("grid", {"staff"}, lambda: grid_of(self.frame("staff")))

    @property
    def base(self) -> pl.LazyFrame | None:
        """One row per employee x unit x snapshot month (``None`` without snapshots)."""

        def make() -> pl.LazyFrame | None:
            staff = self.frame("staff")
            return None if staff.is_empty() else snapshot_base(staff).collect().lazy()

        return self._once("base", {"staff"}, make)

    @property
    def roll(self) -> pl.DataFrame | None:
        """``staff_rollup`` of the snapshots (``None`` without snapshots)."""

        def make() -> pl.DataFrame | None:
            base = self.base
            return None if base is None else staff_rollup(base, self.units, self.settings)

        return self._once("roll", {"staff", "units"}, make)

    @property
    def heads(self) -> pl.DataFrame | None:
        """``head_flows`` of the roll-up (``None`` without staff)."""

        def make() -> pl.DataFrame | None:
            roll = self.roll
            return head_flows(roll, self.grid) if roll is not None and roll.height else None

        return self._once("heads", {"staff", "units"}, make)

    @property
    def events(self) -> pl.DataFrame | None:
        """``prepare_events`` of the events (``None`` without events)."""

        def make() -> pl.DataFrame | None:
            events = self.frame("events")
            return None if events.is_empty() else prepare_events(events, self.units, self.base)

        return self._once("events", {"events", "units", "staff"}, make)
