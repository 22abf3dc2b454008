"""Access scope: what a caller may see (the organisation, some areas, or some units).

A ``Scope`` is built from the signed-in user (``kompetens.access.auth``) and enforced by the query
layer (``kompetens.query``), which filters every result by it and raises ``ScopeError`` for an
explicit request outside it. Pages never filter by scope themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import polars as pl

Level = Literal["org", "area", "unit"]


class ScopeError(PermissionError):
    """A request for a unit or area outside the caller's scope."""


@dataclass(frozen=True)
class Scope:
    """What a caller may see.

    ``level='org'``: everything. ``level='area'``: the units of ``areas`` and
    those areas' aggregates. ``level='unit'``: the units in ``units`` and the
    aggregates of ``areas`` (normally the units' own areas, for comparison).
    The organisation aggregate is visible to every scope.

    ``functions``: a support function's scope (``Scope.for_functions``): the support
    register's requests addressed to those functions (and the support given on them), in
    every unit; elsewhere it is a unit scope without units, so only the organisation's
    aggregates are visible. The support register's queries
    (``kompetens.query.support_register``) enforce it.
    """

    level: Level
    areas: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.level not in ("org", "area", "unit"):
            raise ValueError(f"okänd behörighetsnivå {self.level!r}")
        object.__setattr__(self, "areas", frozenset(self.areas))
        object.__setattr__(self, "units", frozenset(self.units))
        object.__setattr__(self, "functions", frozenset(self.functions))

    @classmethod
    def everything(cls) -> Scope:
        return cls("org")

    @classmethod
    def for_areas(cls, *areas: str) -> Scope:
        return cls("area", frozenset(areas))

    @classmethod
    def for_units(cls, units: Iterable[str], areas: Iterable[str] = ()) -> Scope:
        return cls("unit", frozenset(areas), frozenset(units))

    @classmethod
    def for_functions(cls, functions: Iterable[str]) -> Scope:
        """A support function's scope: the register's requests addressed to ``functions``."""
        return cls("unit", functions=frozenset(functions))

    def visible_units(self, unit_frame: pl.DataFrame) -> pl.DataFrame:
        """The rows of ``unit_frame`` (``unit_id, area, …``) this scope may see."""
        if self.level == "org":
            return unit_frame
        if self.level == "area":
            return unit_frame.filter(pl.col("area").is_in(list(self.areas)))
        return unit_frame.filter(pl.col("unit_id").is_in(list(self.units)))

    def allows_area(self, area: str) -> bool:
        return self.level == "org" or area in self.areas
