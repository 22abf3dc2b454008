"""The requisition's subject: schema version 16.

Grain of ``recruitments`` is unchanged (one row per requisition); the optional ``subject``
column (Skolverket subject codes, ``contract.RECRUITMENTS``) lets lost qualified teaching
hours per subject be set against hires per subject ("rekrytera smart"). A database made
before this version has the table without the column; a new one already got it from
migration 1, which builds the contract tables from today's contract, hence ``IF NOT EXISTS``.
The column is the contract's last, so the raw table and its view keep the contract's order.
"""

from __future__ import annotations

from kompetens.core import store
from kompetens.core.contract import KINDS


def _migration_recruitment_subject() -> list[str]:
    """Add ``subject`` to the raw requisitions and rebuild their current view."""
    kind = KINDS["recruitments"]
    return [
        "ALTER TABLE recruitments ADD COLUMN IF NOT EXISTS subject VARCHAR",
        # Identifiers from the contract's own constants, never from input.
        f"CREATE OR REPLACE VIEW current_recruitments AS SELECT {', '.join(kind.column_names)} "  # noqa: S608
        "FROM recruitments WHERE _superseded_by IS NULL",
    ]


#: Schema version 16 (registered by ``kompetens.wiring``; never renumber a released migration).
RECRUITMENT_SUBJECT_MIGRATION = store.Migration(
    16, "recruitment_subject", _migration_recruitment_subject
)
