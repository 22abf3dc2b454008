"""The allocation model's tables: schema version 17.

The three optional kinds of ``core.contract_allocation`` (``pupil_count``,
``socioeconomic_index``, ``allocation_parameters``): for each, the raw table keeping every
imported row with its batch and ``current_<kind>`` the live ones (``store.kind_ddl``). And
``allocation_scenarios``: one row per saved scenario of the Resursfördelning page (its name,
the model's parameters and who saved it when; ``query.allocation_scenarios``). Registered by
``kompetens.wiring``.
"""

from __future__ import annotations

from kompetens.core import store
from kompetens.core.contract_allocation import ALLOCATION_KINDS


def _migration_allocation() -> list[str]:
    """The three kinds' tables and the saved scenarios."""
    ddl = [statement for kind in ALLOCATION_KINDS for statement in store.kind_ddl(kind)]
    ddl.append(
        """CREATE TABLE allocation_scenarios (
    name VARCHAR NOT NULL,
    name_key VARCHAR PRIMARY KEY,
    floor DOUBLE NOT NULL,
    upper_secondary_floor DOUBLE,
    smoothing_years INTEGER NOT NULL,
    cap DOUBLE,
    saved_by VARCHAR NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL
)"""
    )
    return ddl


#: Schema version 17 (registered by ``kompetens.wiring``; never renumber a released migration).
ALLOCATION_MIGRATION = store.Migration(17, "allocation", _migration_allocation)
