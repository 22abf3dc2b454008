"""Bytes of an uploaded or local file -> a raw frame of strings.

Grain of the result: one row per data row of the file, every column a
``String`` exactly as the user typed it (so values and row numbers in error
reports are what the user sees), plus ``_row``: the row number as the user
sees it (the header is row 1 of a CSV or XLSX; for Parquet the first data row
is row 1). Blank rows are dropped after numbering.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import polars as pl

from kompetens.ingest.errors import ImportRejected, ValidationIssue

ROW = "_row"
_STRIP = " \t\r\n\u00a0"
_PADDED = r"^[ \t\r\n\u00a0]|[ \t\r\n\u00a0]$"


@dataclass
class RawFile:
    """A file read into strings, and what was detected on the way."""

    frame: pl.DataFrame  # String columns with the file's own headers, plus ``_row``
    headers: list[str]
    format: str  # "csv", "xlsx" or "parquet"
    encoding: str | None = None  # "utf-8", "utf-8-sig" or "cp1252" for CSV
    separator: str | None = None
    rows_in: int = 0
    header_line: int = 1  # the row number of the header as the user sees it


def _reject(file_name: str, message: str) -> ImportRejected:
    return ImportRejected([ValidationIssue(file_name, None, None, None, message)], file_name)


def sniff_format(data: bytes, file_name: str) -> str:
    """``csv``, ``xlsx`` or ``parquet``, from the content first and the file name second."""
    lower = file_name.lower()
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xlsx"
    if lower.endswith((".xlsx", ".xlsm", ".xls")):
        return "xlsx"
    if lower.endswith(".parquet"):
        return "parquet"
    return "csv"


def decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    """Decode CSV bytes: strict UTF-8 (with or without BOM), else Windows-1252.

    UTF-16 with a BOM (Excel's "Unicode text", tab-separated) is accepted too.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _reject(
                file_name, "filen börjar som UTF-16 men innehåller ogiltiga tecken."
            ) from exc
    if b"\x00" in data[:65536]:
        raise _reject(
            file_name,
            "filen innehåller binära data (nollbytes) och är inte en textfil (CSV). "
            "Spara filen som CSV, Excel (.xlsx) eller Parquet och försök igen.",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _reject(
                file_name,
                f"filen börjar som UTF-8 men innehåller ogiltiga tecken (byte {exc.start + 3}).",
            ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _reject(
            file_name,
            f"teckenkodningen känns inte igen: filen är varken UTF-8 eller Windows-1252 "
            f"(ogiltig byte 0x{data[exc.start]:02X} vid position {exc.start}). Spara filen som 'CSV UTF-8' och försök igen.",
        ) from exc
    # Windows-1252 decodes almost anything; text full of control characters is binary garbage.
    sample = text[:65536]
    controls = sum(
        1 for c in sample if (ord(c) < 32 and c not in "\r\n\t") or 0x7F <= ord(c) < 0xA0
    )
    if sample and controls / len(sample) > 0.02:
        raise _reject(
            file_name,
            "filen ser inte ut som en textfil (CSV): den innehåller många styrtecken. "
            "Spara filen som CSV, Excel (.xlsx) eller Parquet och försök igen.",
        )
    return text, "cp1252"


def _count_outside_quotes(line: str, ch: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            count += 1
    return count


def detect_separator(text: str, header_row: int = 0) -> str:
    """``;``, ``,`` or tab: the one that splits the header line into the most fields.

    The header decides because headers never hold decimal commas; a tie (one
    column) falls back to ``;`` as Swedish Excel writes it.
    """
    lines = text.lstrip("\ufeff").split("\n", header_row + 1)
    header = lines[header_row] if len(lines) > header_row else ""
    counts = {sep: _count_outside_quotes(header, sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda s: (counts[s], s == ";"))
    return best if counts[best] > 0 else ";"


def _finish(frame: pl.DataFrame, file_name: str, fmt: str, first_row: int, **info) -> RawFile:
    headers = list(frame.columns)
    if not headers or all(h.strip() == "" or h.startswith("__UNNAMED__") for h in headers):
        raise _reject(file_name, "filen saknar rubrikrad (kolumnnamn på första raden).")
    frame = frame.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
    data_cols = [c for c in frame.columns if c != ROW]
    # Trim and treat empty strings as missing; then drop rows that are entirely blank
    # (Excel leaves ";;;;" lines at the end of an export) — numbering was fixed first.
    frame = frame.with_columns([pl.col(c).cast(pl.String) for c in data_cols])
    # Stripping a million strings is costly: only columns with padding (or empty
    # quoted strings) pay for it. Empty fields are already null from the readers.
    flags = frame.select(
        [pl.col(c).str.contains(_PADDED).any().alias(c) for c in data_cols]
        + [(pl.col(c) == "").any().alias(f"{c}\x00empty") for c in data_cols]
    ).row(0)
    padded, empty = flags[: len(data_cols)], flags[len(data_cols) :]
    fixes = [
        (pl.col(c).str.strip_chars(_STRIP) if pad else pl.col(c)).replace("", None).alias(c)
        for c, pad, emp in zip(data_cols, padded, empty, strict=True)
        if pad or emp
    ]
    if fixes:
        frame = frame.with_columns(fixes)
    if data_cols:
        frame = frame.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in data_cols]))
    if frame.height == 0:
        raise _reject(file_name, "filen har bara en rubrikrad och inga datarader.")
    return RawFile(
        frame=frame,
        headers=headers,
        format=fmt,
        rows_in=frame.height,
        header_line=max(first_row - 1, 1),
        **info,
    )


def read_bytes(
    data: bytes, file_name: str, *, header_row: int = 0, n_rows: int | None = None
) -> RawFile:
    """Read CSV, XLSX or Parquet bytes into a frame of strings (see module docstring).

    ``header_row`` skips that many lines (CSV) or used rows (XLSX) above the header
    (a report title); ``n_rows`` reads only the first data rows (for probing).
    """
    fmt = sniff_format(data, file_name)
    if len(data) == 0:
        raise _reject(file_name, "filen är tom (0 byte).")
    if fmt == "xlsx":
        return _read_xlsx(data, file_name, header_row, n_rows)
    if fmt == "parquet":
        return _read_parquet(data, file_name)
    return _read_csv(data, file_name, header_row, n_rows)


def _read_csv(
    data: bytes, file_name: str, header_row: int = 0, n_rows: int | None = None
) -> RawFile:
    text, encoding = decode_text(data, file_name)
    if not text.strip():
        raise _reject(file_name, "filen är tom (inga rader).")
    separator = detect_separator(text, header_row)
    payload = (
        data[3:]
        if encoding == "utf-8-sig"
        else data
        if encoding == "utf-8"
        else text.encode("utf-8")
    )
    try:
        frame = pl.read_csv(
            io.BytesIO(payload),
            separator=separator,
            infer_schema=False,
            has_header=True,
            quote_char='"',
            skip_rows=header_row,
            n_rows=n_rows,
        )
    except pl.exceptions.ComputeError as exc:
        raise _reject(
            file_name,
            f"filen kunde inte läsas som CSV med avgränsaren '{separator}': en rad har fler fält än rubrikraden "
            f"eller ett citattecken saknar sin avslutning ({str(exc).splitlines()[0][:200]}).",
        ) from exc
    except pl.exceptions.NoDataError as exc:
        raise _reject(file_name, "filen är tom (inga rader).") from exc
    return _finish(frame, file_name, "csv", header_row + 2, encoding=encoding, separator=separator)


def _read_xlsx(
    data: bytes, file_name: str, header_row: int = 0, n_rows: int | None = None
) -> RawFile:
    try:
        # Everything as strings: the values and row numbers the user sees in Excel.
        # Blank rows are kept (and dropped after numbering) so row numbers match Excel's.
        frame = pl.read_excel(
            io.BytesIO(data),
            sheet_id=1,
            engine="calamine",
            infer_schema_length=0,
            drop_empty_rows=False,
            read_options={"header_row": header_row, **({"n_rows": n_rows} if n_rows else {})},
        )
    except Exception as exc:  # fastexcel raises its own error types for damaged files
        raise _reject(
            file_name,
            "Excel-filen kunde inte öppnas: den är skadad eller inte en riktig .xlsx-fil. "
            "Öppna den i Excel och spara om den som .xlsx, eller spara som CSV.",
        ) from exc
    if frame.width == 0:
        raise _reject(file_name, "Excel-filens första blad är tomt.")
    # The reader starts at the first used row; Excel's numbering starts at row 1.
    return _finish(frame, file_name, "xlsx", _first_used_xlsx_row(data) + header_row + 1)


def _first_used_xlsx_row(data: bytes) -> int:
    """Excel row number of the first used row of the first sheet (where the header is); 1 if unknown."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            sheet = re.search(r"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)
            if sheet is None:
                return 1
            target = re.search(
                rf'<Relationship\b[^>]*Id="{re.escape(sheet.group(1))}"[^>]*Target="([^"]+)"', rels
            )
            if target is None:
                target = re.search(
                    rf'<Relationship\b[^>]*Target="([^"]+)"[^>]*Id="{re.escape(sheet.group(1))}"',
                    rels,
                )
            if target is None:
                return 1
            path = target.group(1).lstrip("/")
            path = path if path.startswith("xl/") else "xl/" + path
            with book.open(path) as fh:
                head = fh.read(1 << 20).decode("utf-8", "replace")
        # The first <row> that holds a cell with a value (Excel may list empty, formatted rows).
        for row in re.finditer(
            # Not self-closing (<row r="1" ht="30"/> is an empty, formatted row).
            r'<(?:\w+:)?row\b[^>]*\br="(\d+)"[^>]*(?<!/)>(.*?)</(?:\w+:)?row>',
            head,
            re.S,
        ):
            if re.search(r"<(?:\w+:)?(?:v|t|is)\b", row.group(2)):
                return int(row.group(1))
    except (KeyError, zipfile.BadZipFile, ValueError):
        pass
    return 1


def _read_parquet(data: bytes, file_name: str) -> RawFile:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # polars raises several error types for damaged files
        raise _reject(
            file_name, "Parquet-filen kunde inte läsas: den är skadad eller inte en Parquet-fil."
        ) from exc
    if frame.width == 0:
        raise _reject(file_name, "Parquet-filen har inga kolumner.")
    # The same validation path as CSV: every value as the string the user would see.
    frame = frame.with_columns([pl.col(c).cast(pl.String) for c in frame.columns])
    return _finish(frame, file_name, "parquet", 1)
