"""External benchmarks: published figures from Kolada and Skolverket beside our own.

Benchmark data is *not* personnel data. It describes municipalities, groups of
municipalities, the country and school units as the sources publish them, so
it is never suppressed by our small-number rule; the sources' own masking
(Kolada ``status``, Skolverket ``.``, ``..``, ``~100``, ``*``) is kept as the
source shows it. Its flow runs beside the indicators':

    file or API response -> ``parse`` -> ``writer`` (one table, logged batches) -> ``query.benchmarks``

- ``schema``: the table, the import log, the settings table (migration 8),
  the comparison kinds and the Swedish words for them.
- ``parse``: Kolada API JSON (v2 and v3; municipality and OU data) and
  Skolverket school-unit statistics (API JSON, downloaded CSV) into rows.
- ``writer``: all-or-nothing writes, idempotent re-import, undo; the settings.
- ``fetch``: the optional live fetch over HTTP(S) (timeouts, retries, paging).

Format references and what each column means: docs/external-benchmarks.md.
"""

from __future__ import annotations

from kompetens.external.errors import ExternalRejected, FetchFailed
from kompetens.external.schema import (
    BENCHMARKS_MIGRATION,
    COMPARISON_KINDS,
    ROW_SCHEMA,
)

__all__ = [
    "BENCHMARKS_MIGRATION",
    "COMPARISON_KINDS",
    "ROW_SCHEMA",
    "ExternalRejected",
    "FetchFailed",
]
