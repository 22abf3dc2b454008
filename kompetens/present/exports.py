"""Table downloads (CSV and Excel) with suppression applied and formulas neutralised.

Convention: a value column ``X`` may have a boolean companion ``X_suppressed``
(or the frame a single ``suppressed`` column that covers every value column
listed in ``suppressible``). A suppressed value is written as ``..`` — in CSV and
Excel alike — whatever number may still sit in ``X``, so an export can never
show more than the screen.

Text that starts with ``=``, ``+``, ``-`` or ``@`` would be evaluated as a
formula by a spreadsheet (formula injection). Excel cells are always written as
strings (never formulas) and such text gets a leading ``'`` in Excel and CSV
alike, so it stays inert even after a copy-paste.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import polars as pl
import xlsxwriter

SUPPRESSED_MARK = ".."
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Excel number formats per value kind; Excel shows them with the reader's locale separators.
EXCEL_FORMATS: dict[str, str] = {
    "share": "0.0%",
    "count": "# ##0",
    "fte": "# ##0.0",
    "days": "0",
    "hours": "# ##0.0",
    "score_5": "0.00",
    "score_100": "0.0",
    "ratio": "0.0",
    "number": "# ##0.0",
}


def _suppressed_mask(
    frame: pl.DataFrame, column: str, suppressible: Sequence[str]
) -> pl.Series | None:
    companion = f"{column}_suppressed"
    if companion in frame.columns:
        return frame[companion].fill_null(False)
    if column in suppressible and "suppressed" in frame.columns:
        return frame["suppressed"].fill_null(False)
    return None


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet would evaluate as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def display_frame(frame: pl.DataFrame, *, suppressible: Sequence[str] = ()) -> pl.DataFrame:
    """Drop ``*_suppressed`` helper columns after turning the covered values into ``..`` (strings)."""
    out = frame
    for column in frame.columns:
        if column.endswith("_suppressed") or column == "suppressed":
            continue
        mask = _suppressed_mask(frame, column, suppressible)
        if mask is not None and mask.any():
            out = out.with_columns(
                pl.when(mask)
                .then(pl.lit(SUPPRESSED_MARK))
                .otherwise(pl.col(column).cast(pl.String))
                .alias(column)
            )
    helpers = [
        c for c in out.columns if c.endswith("_suppressed") or (c == "suppressed" and suppressible)
    ]
    return out.drop(helpers)


def to_csv_bytes(
    frame: pl.DataFrame,
    *,
    suppressible: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
) -> bytes:
    """CSV for Swedish Excel: UTF-8 with BOM, ``;`` separator, decimal comma, ``..`` for suppressed."""
    text_columns = [n for n, t in frame.schema.items() if t == pl.String]
    swedish = frame.with_columns(
        [
            pl.col(n).round(4).cast(pl.String).str.replace(".", ",", literal=True)
            for n, t in frame.schema.items()
            if t.is_float()
        ]
        + [
            pl.when(pl.col(n).str.contains(r"^[=+\-@\t\r]"))
            .then("'" + pl.col(n))
            .otherwise(pl.col(n))
            .alias(n)
            for n in text_columns
        ]
    )
    out = display_frame(swedish, suppressible=suppressible)
    if labels:
        out = out.rename({n: labels[n] for n in out.columns if n in labels})
    buffer = io.BytesIO()
    out.write_csv(buffer, separator=";")
    return "\ufeff".encode() + buffer.getvalue()


def new_workbook() -> tuple[io.BytesIO, xlsxwriter.Workbook]:
    """An in-memory workbook that writes every string as text (never a formula, number or link)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    return buffer, workbook


def to_excel_bytes(
    sheets: Mapping[str, pl.DataFrame],
    *,
    formats: Mapping[str, str] | None = None,
    suppressible: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
) -> bytes:
    """An .xlsx workbook, one sheet per frame: numbers as numbers, ``..`` for suppressed, text neutralised.

    ``formats`` maps a column name to a key of ``EXCEL_FORMATS`` (e.g. ``{"value": "share"}``).
    """
    buffer, workbook = new_workbook()
    header_fmt = workbook.add_format(
        {"bold": True, "bg_color": "#E8EEF4", "border": 0, "text_wrap": True, "valign": "top"}
    )
    number_formats = {
        key: workbook.add_format({"num_format": code}) for key, code in EXCEL_FORMATS.items()
    }
    right = workbook.add_format({"align": "right"})
    for sheet_name, frame in sheets.items():
        sheet = workbook.add_worksheet(_sheet_name(sheet_name))
        visible = [c for c in frame.columns if not (c.endswith("_suppressed") or c == "suppressed")]
        masks = {c: _suppressed_mask(frame, c, suppressible) for c in visible}
        for j, column in enumerate(visible):
            sheet.write_string(0, j, (labels or {}).get(column, column), header_fmt)
            width = max(10, min(45, len((labels or {}).get(column, column)) + 2))
            values = frame[column].to_list()
            mask = masks[column].to_list() if masks[column] is not None else None
            fmt = number_formats.get((formats or {}).get(column, ""))
            for i, value in enumerate(values, start=1):
                if mask is not None and mask[i - 1]:
                    sheet.write_string(i, j, SUPPRESSED_MARK, right)
                elif value is None:
                    sheet.write_blank(i, j, None)
                elif isinstance(value, bool):
                    sheet.write_boolean(i, j, value)
                elif isinstance(value, int | float):
                    sheet.write_number(i, j, value, fmt) if fmt else sheet.write_number(i, j, value)
                else:
                    text = str(value)
                    width = max(width, min(45, len(text) + 2))
                    sheet.write_string(i, j, neutralise(text))
            sheet.set_column(j, j, width)
        sheet.freeze_panes(1, 0)
        if frame.height:
            sheet.autofilter(0, 0, frame.height, max(0, len(visible) - 1))
    workbook.close()
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)
    return cleaned[:31] or "Blad"
