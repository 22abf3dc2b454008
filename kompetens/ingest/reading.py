"""Bytes of an uploaded or local file -> a raw frame of strings.

Grain of the result: one row per data row of the file, every column a
``String`` exactly as the user typed it (so values and row numbers in error
reports are what the user sees), plus ``_row``: the row number as the user
sees it (the header is row 1 of a CSV or XLSX; for Parquet the first data row
is row 1). Blank rows are dropped after numbering.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

import fastexcel
import polars as pl

from kompetens.ingest.errors import ImportRejected, ValidationIssue

ROW = "_row"
_STRIP = " \t\r\n\u00a0"
_PADDED = r"^[ \t\r\n\u00a0]|[ \t\r\n\u00a0]$"
#: A cell the rejected-rows file (or another export) neutralised for spreadsheets: an
#: apostrophe before a formula character (``'=Ekskolan``). Read back as the text after it.
_NEUTRALISED = r"^'([=+\-@])"


def _unneutralised(cell: pl.Expr, quoted: bool) -> pl.Expr:
    return cell.str.replace(_NEUTRALISED, "$1") if quoted else cell


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
    sheet: str | None = None  # the XLSX sheet read
    warnings: list[str] = field(default_factory=list)  # what reading skipped (a totals row …)
    title_lines: list[str] = field(default_factory=list)  # text above the header row
    #: The frame as read, before a mapping profile renamed, recoded or completed it (None: ``frame``).
    source: pl.DataFrame | None = None
    #: Header now -> the column as the file spells it (a profile's renames; its constants' labels).
    source_names: dict[str, str] = field(default_factory=dict)

    @property
    def as_read(self) -> pl.DataFrame:
        """The file's own columns, headers and cell text (trimmed), with ``_row``."""
        return self.frame if self.source is None else self.source

    def file_header(self, header: str) -> str:
        """A header of ``frame`` as the file spells it (a profile may have renamed it)."""
        return self.source_names.get(header, header)


EMPTY_TEXT = "filen är tom: den innehåller inga rader med text (bara blanksteg eller tomma rader)."


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
        if len(data.translate(None, _C1)) == len(data):
            # No byte in 0x80–0x9F: Windows-1252 and Latin-1 agree on every byte, and
            # Latin-1 decodes at memory speed (a 90 MB export: 0,02 s instead of 0,5 s).
            # Mac Roman's Swedish letters all lie in that range, so this is no Mac file.
            text = data.decode("latin-1")
        elif looks_like_mac_roman(data):
            return data.decode("mac_roman"), "mac_roman"
        else:
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


#: The bytes where Windows-1252 differs from Latin-1 (and where Mac Roman puts å, ä, ö).
_C1 = bytes(range(0x80, 0xA0))
_HIGH = bytes(range(0x80, 0x100))
#: Swedish letters and é as the Mac ("CSV (Macintosh)") writes them, and as Windows-1252 does.
_MAC_ROMAN_LETTERS = frozenset(b"\x80\x81\x85\x8a\x8c\x9a\x8e")  # Ä Å Ö ä å ö é
_CP1252_LETTERS = frozenset(b"\xc4\xc5\xd6\xe4\xe5\xf6\xe9")  # Ä Å Ö ä å ö é


def looks_like_mac_roman(data: bytes) -> bool:
    """True when the non-ASCII bytes are Mac Roman's Swedish letters rather than Windows-1252's.

    Both encodings map every byte, so the choice rests on which one turns the
    file's high bytes into å, ä, ö (``0x8C 0x8A 0x9A`` on a Mac, ``0xE5 0xE4 0xF6``
    on Windows). Read as Windows-1252, a Mac file says "BjšrkŠngen" for "Björkängen".
    """
    sample = data[: 1 << 20]
    mac = sum(sample.count(b) for b in _MAC_ROMAN_LETTERS)
    windows = sum(sample.count(b) for b in _CP1252_LETTERS)
    high = len(sample) - len(sample.translate(None, _HIGH))
    # Most high bytes must be those letters: random bytes are not Swedish text in any encoding.
    return mac > windows and 2 * mac >= high


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


_DUPLICATED = re.compile(r"^(?P<base>.+)_duplicated_\d+$")
#: A trailing summary row: its first filled cell starts with one of these words.
_TOTALS = re.compile(r"^(summa|totalt?|antal|total summa|summering)\b", re.IGNORECASE)


def duplicate_headers(headers: list[str]) -> list[tuple[str, int, int]]:
    """(header, first position, second position) for each header written twice (1-based).

    The CSV and Excel readers rename a repeated header ``X`` to ``X_duplicated_0``;
    empty headers (Excel's trailing separators) are not counted.
    """
    found = []
    for position, header in enumerate(headers, start=1):
        m = _DUPLICATED.match(header)
        if m and m.group("base").strip() and m.group("base") in headers:
            found.append((m.group("base"), headers.index(m.group("base")) + 1, position))
    return found


def _drop_totals_row(frame: pl.DataFrame, data_cols: list[str]) -> tuple[pl.DataFrame, list[str]]:
    """Drop a trailing "Summa"/"Totalt"/"Antal" row (report exports end with one), with a warning."""
    if frame.height < 2:
        return frame, []
    last = frame.row(frame.height - 1, named=True)
    filled = [str(last[c]) for c in data_cols if last[c] is not None]
    if not filled or not _TOTALS.match(filled[0].strip()):
        return frame, []
    warning = (
        f"Rad {last[ROW]} ('{filled[0].strip()[:40]}') är en summeringsrad och har hoppats över."
    )
    return frame.head(frame.height - 1), [warning]


def _finish(frame: pl.DataFrame, file_name: str, fmt: str, first_row: int, **info) -> RawFile:
    headers = list(frame.columns)
    if not headers or all(h.strip() == "" or h.startswith("__UNNAMED__") for h in headers):
        raise _reject(file_name, "filen saknar rubrikrad (kolumnnamn på första raden).")
    twice = duplicate_headers(headers)
    if twice:
        raise ImportRejected(
            [
                ValidationIssue(
                    file_name,
                    None,
                    None,
                    None,
                    f"kolumnrubriken '{header}' finns två gånger (kolumn {a} och kolumn {b}); "
                    "ta bort eller byt namn på den ena, så att det är tydligt vilken som ska läsas",
                )
                for header, a, b in twice
            ],
            file_name,
        )
    frame = frame.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
    data_cols = [c for c in frame.columns if c != ROW]
    # Trim and treat empty strings as missing; then drop rows that are entirely blank
    # (Excel leaves ";;;;" lines at the end of an export) — numbering was fixed first.
    frame = frame.with_columns([pl.col(c).cast(pl.String) for c in data_cols])
    every_cols = data_cols
    if len(data_cols) > 1000:
        # A very wide file: only columns holding any value need the checks below.
        nulls = frame.select(data_cols).null_count().row(0)
        data_cols = [c for c, n in zip(data_cols, nulls, strict=True) if n < frame.height]
    # Stripping a million strings is costly: only columns with padding (or empty
    # quoted strings) pay for it. Empty fields are already null from the readers.
    n = len(data_cols)
    flags = frame.select(
        [pl.col(c).str.contains(_PADDED).any().alias(c) for c in data_cols]
        + [(pl.col(c) == "").any().alias(f"{c}\x00empty") for c in data_cols]
        + [pl.col(c).str.starts_with("'").any().alias(f"{c}\x00quoted") for c in data_cols]
    ).row(0)
    padded, empty, quoted = flags[:n], flags[n : 2 * n], flags[2 * n :]
    fixes = [
        _unneutralised(pl.col(c).str.strip_chars(_STRIP) if pad else pl.col(c), quote)
        .replace("", None)
        .alias(c)
        for c, pad, emp, quote in zip(data_cols, padded, empty, quoted, strict=True)
        if pad or emp or quote
    ]
    if fixes:
        frame = frame.with_columns(fixes)
    if data_cols:
        frame = frame.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in data_cols]))
    elif every_cols:
        frame = frame.clear()  # a wide file without a single value
    data_cols = every_cols
    if frame.height == 0:
        raise _reject(file_name, "filen har bara en rubrikrad och inga datarader.")
    warnings: list[str] = []
    if fmt != "parquet":
        frame, warnings = _drop_totals_row(frame, data_cols)
    return RawFile(
        frame=frame,
        headers=headers,
        format=fmt,
        rows_in=frame.height,
        header_line=max(first_row - 1, 1),
        warnings=warnings,
        **info,
    )


def read_bytes(
    data: bytes,
    file_name: str,
    *,
    header_row: int = 0,
    n_rows: int | None = None,
    sheet: int = 0,
) -> RawFile:
    """Read CSV, XLSX or Parquet bytes into a frame of strings (see module docstring).

    ``header_row`` skips that many lines (CSV) or used rows (XLSX) above the header
    (a report title); ``n_rows`` reads only the first data rows (for probing).
    """
    fmt = sniff_format(data, file_name)
    if len(data) == 0:
        raise _reject(file_name, "filen är tom (0 byte).")
    if fmt == "xlsx":
        return _read_xlsx(data, file_name, header_row, n_rows, sheet)
    if fmt == "parquet":
        return _read_parquet(data, file_name)
    return _read_csv(data, file_name, header_row, n_rows)


def _read_csv(
    data: bytes, file_name: str, header_row: int = 0, n_rows: int | None = None
) -> RawFile:
    text, encoding = decode_text(data, file_name)
    if not text.strip():
        raise _reject(file_name, EMPTY_TEXT)
    lone_cr = "\r" in text and "\n" not in text
    if lone_cr:
        # Old Mac line endings (CR only): without this the whole file is one header line.
        text = text.replace("\r", "\n")
    separator = detect_separator(text, header_row)
    payload = (
        data[3:]
        if encoding == "utf-8-sig" and not lone_cr
        else data
        if encoding == "utf-8" and not lone_cr
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
        raise _reject(file_name, EMPTY_TEXT) from exc
    return _finish(frame, file_name, "csv", header_row + 2, encoding=encoding, separator=separator)


def xlsx_sheets(data: bytes) -> list[str]:
    """The sheet names of a workbook, in order ([] if it cannot be opened)."""
    try:
        return list(fastexcel.read_excel(data).sheet_names)
    except Exception:  # fastexcel raises its own error types for damaged files
        return []


def _read_xlsx(
    data: bytes, file_name: str, header_row: int = 0, n_rows: int | None = None, sheet: int = 0
) -> RawFile:
    names = xlsx_sheets(data)
    if not names:
        raise _reject(
            file_name,
            "Excel-filen kunde inte öppnas: den är skadad eller inte en riktig .xlsx-fil. "
            "Öppna den i Excel och spara om den som .xlsx, eller spara som CSV.",
        )
    try:
        # Everything as strings: the values and row numbers the user sees in Excel.
        # Blank rows are kept (and dropped after numbering) so row numbers match Excel's.
        frame = pl.read_excel(
            io.BytesIO(data),
            sheet_id=sheet + 1,
            engine="calamine",
            infer_schema_length=0,
            drop_empty_rows=False,
            read_options={"header_row": header_row, **({"n_rows": n_rows} if n_rows else {})},
        )
    except Exception as exc:  # an empty sheet, or a damaged one
        if _sheet_is_empty(data, sheet):
            raise _reject(file_name, f"Excel-filens blad '{names[sheet]}' är tomt.") from exc
        raise _reject(
            file_name,
            f"Excel-filens blad '{names[sheet]}' kunde inte läsas: filen kan vara skadad. "
            "Öppna den i Excel och spara om den som .xlsx, eller spara som CSV.",
        ) from exc
    if frame.width == 0:
        raise _reject(file_name, f"Excel-filens blad '{names[sheet]}' är tomt.")
    # The reader starts at the first used row; Excel's numbering starts at row 1.
    first = _first_used_xlsx_row(data, sheet)
    return _finish(frame, file_name, "xlsx", first + header_row + 1, sheet=names[sheet])


def _sheet_is_empty(data: bytes, sheet: int) -> bool:
    try:
        return fastexcel.read_excel(data).load_sheet(sheet, header_row=None, n_rows=5).width == 0
    except Exception:
        return False


def peek_rows(
    data: bytes, file_name: str, n: int = 20
) -> list[tuple[int, str | None, list[list[str]]]]:
    """The first ``n`` rows of each sheet (one for CSV) as lists of cell strings, for header search.

    Returns ``(sheet index, sheet name or None, rows)``; row ``i`` is line ``i + 1`` of
    a CSV, or the ``i``-th row from the sheet's first used row. Empty sheets are left out.
    """
    fmt = sniff_format(data, file_name)
    if fmt == "xlsx":
        out = []
        try:
            book = fastexcel.read_excel(data)
        except Exception:
            return []
        for index, name in enumerate(book.sheet_names):
            try:
                sheet = book.load_sheet(index, header_row=None, n_rows=n, dtypes="string")
            except Exception:
                continue
            frame = sheet.to_polars()
            if frame.width == 0:
                continue
            rows = [["" if v is None else str(v) for v in row] for row in frame.iter_rows()]
            out.append((index, name, rows))
        return out
    if fmt != "csv":
        return []
    # The first rows only: decode a prefix cut at a line end (a large file is decoded once, later).
    head = data
    if len(data) > 1 << 16 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        prefix = data[: 1 << 16]
        cut = max(prefix.rfind(b"\n"), prefix.rfind(b"\r"))
        head = prefix[: cut + 1] if cut > 0 else prefix
    text, _ = decode_text(head, file_name)
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    lines = text.lstrip("\ufeff").split("\n")[:n]
    rows = []
    for line in lines:
        line = line.rstrip("\r")
        counts = {sep: _count_outside_quotes(line, sep) for sep in (";", ",", "\t")}
        sep = max(counts, key=lambda c: (counts[c], c == ";"))
        rows.append(next(csv.reader([line], delimiter=sep), []))
    return [(0, None, rows)]


def _first_used_xlsx_row(data: bytes, sheet_index: int = 0) -> int:
    """Excel row number of the first used row of a sheet (0 = the first); 1 if unknown."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            sheets = list(re.finditer(r"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook))
            if len(sheets) <= sheet_index:
                return 1
            sheet = sheets[sheet_index]
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
