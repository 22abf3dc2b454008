"""Empty import templates: the canonical (English) or Swedish label headers of a kind."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import xlsxwriter

from kompetens.core.contract import KINDS


def template_headers(kind: str, language: Literal["en", "sv"] = "en") -> list[str]:
    """Header row of a kind's template: canonical names (``en``) or Swedish labels (``sv``)."""
    if kind not in KINDS:
        raise ValueError(f"Okänd filtyp '{kind}'. Välj en av: {', '.join(KINDS)}.")
    columns = KINDS[kind].columns
    return [c.label_sv if language == "sv" else c.name for c in columns]


def write_template(kind: str, path: Path, *, language: Literal["en", "sv"] = "en") -> Path:
    """Write an empty template (header row only) as CSV or, for a ``.xlsx`` path, Excel.

    A Swedish CSV uses ``;`` and a UTF-8 BOM, as Excel in Sweden expects; the
    importer accepts both templates back.
    """
    path = Path(path)
    headers = template_headers(kind, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        workbook = xlsxwriter.Workbook(str(path))
        sheet = workbook.add_worksheet(KINDS[kind].label_sv[:31])
        bold = workbook.add_format({"bold": True})
        sheet.write_row(0, 0, headers, bold)
        for i, header in enumerate(headers):
            sheet.set_column(i, i, max(12, len(header) + 2))
        workbook.close()
        return path
    separator = ";" if language == "sv" else ","
    encoding = "utf-8-sig" if language == "sv" else "utf-8"
    with path.open("w", encoding=encoding, newline="") as fh:
        fh.write(separator.join(f'"{h}"' if separator in h else h for h in headers) + "\r\n")
    return path
