"""The certification-path tables: schema version 15.

Grain of ``certification_path``: one row per person x programme x subject x start date, with the
unit the person works at and the expected completion date, as the contract declares
(``contract.CERTIFICATION_PATH``); the raw table keeps every imported row with its batch,
``current_certification_path`` the live ones. The kind came after version 1, so its tables come
from this migration (``store.kind_ddl``), registered by ``kompetens.wiring``.
"""

from __future__ import annotations

from kompetens.core import store
from kompetens.core.contract import KINDS


def _migration_certification_path() -> list[str]:
    """The raw table, its current view and batch index of ``certification_path``."""
    return store.kind_ddl(KINDS["certification_path"])


#: Schema version 15 (registered by ``kompetens.wiring``; never renumber a released migration).
CERTIFICATION_PATH_MIGRATION = store.Migration(
    15, "certification_path", _migration_certification_path
)
