"""The teaching-assignment tables: schema version 10.

Grain of ``teaching_assignment``: one row per teacher x unit x subject x school form x grades
per snapshot date (or term), as the contract declares (``contract.TEACHING_ASSIGNMENT``); the
raw table keeps every imported row with its batch, ``current_teaching_assignment`` the live
ones. The kind came after version 1, so its tables come from this migration
(``store.kind_ddl``), registered by ``kompetens.wiring``.
"""

from __future__ import annotations

from kompetens.core import store
from kompetens.core.contract import KINDS


def _migration_teaching_assignment() -> list[str]:
    """The raw table, its current view and batch index of ``teaching_assignment``."""
    return store.kind_ddl(KINDS["teaching_assignment"])


#: Schema version 10 (registered by ``kompetens.wiring``; never renumber a released migration).
TEACHING_ASSIGNMENT_MIGRATION = store.Migration(
    10, "teaching_assignment", _migration_teaching_assignment
)
