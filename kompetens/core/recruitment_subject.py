"""The requisition's subject: schema version 16.

Grain of ``recruitments`` is unchanged (one row per requisition); the optional ``subject``
column (Skolverket subject codes, ``contract.RECRUITMENTS``) lets lost qualified teaching
hours per subject be set against hires per subject ("rekrytera smart").

A database made before this version has the raw table without the column; a new one already
got it from migration 1, which builds the contract tables from today's contract. Both end with
the same table: the raw rows are copied, in the contract's column order, into a table built as
a new database builds it (``store.kind_ddl``), since the importer appends rows by position and
``ADD COLUMN`` alone would put the column after ``_batch_id`` and ``_superseded_by``.
"""

from __future__ import annotations

from kompetens.core import store
from kompetens.core.contract import KINDS

_OLD = "_recruitments_before_v16"


def _migration_recruitment_subject() -> list[str]:
    """Rebuild ``recruitments`` (and its view and index) with ``subject`` in the contract's place."""
    kind = KINDS["recruitments"]
    # Identifiers from the contract's own constants, never from input (DDL can't bind them).
    columns = ", ".join([*kind.column_names, "_batch_id", "_superseded_by"])
    return [
        # a no-op on a new database; on an old one, the column to copy (null on every row)
        "ALTER TABLE recruitments ADD COLUMN IF NOT EXISTS subject VARCHAR",
        "DROP VIEW current_recruitments",
        "DROP INDEX recruitments_batch_idx",
        f"ALTER TABLE recruitments RENAME TO {_OLD}",
        *store.kind_ddl(kind),
        f"INSERT INTO recruitments ({columns}) SELECT {columns} FROM {_OLD}",  # noqa: S608
        f"DROP TABLE {_OLD}",
    ]


#: Schema version 16 (registered by ``kompetens.wiring``; never renumber a released migration).
RECRUITMENT_SUBJECT_MIGRATION = store.Migration(
    16, "recruitment_subject", _migration_recruitment_subject
)
