"""Importer for the data contract (see kompetens.core.contract).

Files (CSV, XLSX, Parquet) -> read as strings -> headers and values
normalised -> every contract rule validated -> personnummer pseudonymised ->
one DuckDB transaction per batch, logged and undoable.
"""

from kompetens.ingest.api import ImportResult, Preview, import_bytes, import_file, preview_bytes
from kompetens.ingest.errors import ImportRejected, UndoRefused, ValidationIssue
from kompetens.ingest.normalise import KindNotDetected, detect_kind
from kompetens.ingest.templates import template_headers, write_template
from kompetens.ingest.writer import UndoResult, list_imports, undo_batch

__all__ = [
    "ImportRejected",
    "ImportResult",
    "KindNotDetected",
    "Preview",
    "UndoRefused",
    "UndoResult",
    "ValidationIssue",
    "detect_kind",
    "import_bytes",
    "import_file",
    "list_imports",
    "preview_bytes",
    "template_headers",
    "undo_batch",
    "write_template",
]
