"""Importer for the data contract (see kompetens.contract).

Files (CSV, XLSX, Parquet) -> read as strings -> headers and values
normalised -> every contract rule validated -> personnummer pseudonymised ->
one DuckDB transaction per batch, logged and undoable.
"""

from kompetens.importer.api import ImportResult, Preview, import_bytes, import_file, preview_bytes
from kompetens.importer.errors import ImportRejected, UndoRefused, ValidationIssue
from kompetens.importer.normalise import KindNotDetected, detect_kind
from kompetens.importer.templates import template_headers, write_template
from kompetens.importer.writer import UndoResult, list_imports, undo_batch

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
