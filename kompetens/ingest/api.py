"""The importer's entry points: file or bytes -> validated, pseudonymised rows in DuckDB."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from kompetens.core import paths, support_register, themes
from kompetens.core.contract import KINDS, Kind
from kompetens.core.progress import Progress, as_line, no_progress, part
from kompetens.ingest import headers, profiles, snapshot_check, writer
from kompetens.ingest.errors import ImportRejected, ValidationIssue
from kompetens.ingest.normalise import KindNotDetected, detect_kind, map_headers
from kompetens.ingest.pseudonym import mask_in_text
from kompetens.ingest.reading import RawFile, read_bytes, sniff_format
from kompetens.ingest.validate import Validated, known_areas, known_unit_ids, validate
from kompetens.present.formatting import fmt_count

PREVIEW_ROWS = 20


@dataclass
class ImportResult:
    """What one import did. ``already_imported``: the same file was imported before; nothing written."""

    batch_id: int | None
    kind: str
    file_name: str
    sha256: str
    rows_in: int
    rows_written: int
    rows_replaced: int
    rows_rejected: int
    warnings: list[str] = field(default_factory=list)
    rejected_file: Path | None = None
    already_imported: bool = False

    def __str__(self) -> str:
        label = KINDS[self.kind].label_sv.lower() if self.kind in KINDS else self.kind
        if self.already_imported:
            return (
                f"{self.file_name}: redan importerad (batch {self.batch_id}); ingenting ändrades."
            )
        if self.batch_id is None:
            rejected = (
                "den enda raden"
                if self.rows_rejected == 1
                else f"alla {fmt_count(self.rows_rejected, 'rad', 'rader')}"
            )
            return (
                f"{self.file_name} ({label}): inga rader importerades – {rejected} avvisades "
                f"(se {self._rejected_name}). Ingenting har skrivits till databasen."
            )
        text = (
            f"{self.file_name} ({label}): "
            f"{fmt_count(self.rows_written, 'rad importerad', 'rader importerade')}, "
            f"{fmt_count(self.rows_replaced, 'tidigare rad ersatt', 'tidigare rader ersatta')}"
        )
        if self.rows_rejected:
            text += (
                f", {fmt_count(self.rows_rejected, 'rad avvisad', 'rader avvisade')} "
                f"(se {self._rejected_name})"
            )
        return text + f" – batch {self.batch_id}."

    @property
    def _rejected_name(self) -> str | None:
        """The rejected-rows file by name only: a message never shows a (server) folder."""
        return self.rejected_file.name if self.rejected_file is not None else None

    @property
    def rejected_note(self) -> str | None:
        """Where the rejected rows were written, and that the file holds personal data."""
        if self.rejected_file is None:
            return None
        return rejected_file_note(self.rejected_file)


@dataclass
class Preview:
    """A dry run of an import: what would be read and what is wrong, nothing written."""

    file_name: str
    kind: str | None
    format: str | None
    encoding: str | None
    separator: str | None
    rows_in: int
    columns: dict[str, str]  # header in the file -> canonical column
    head: pl.DataFrame  # normalised first rows (≤ 20), personnummer already pseudonymised
    warnings: list[str]
    issues: list[ValidationIssue]
    already_imported: bool = False
    profile: str | None = None  # the mapping profile used, if any

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def needs_mapping(self) -> bool:
        """The columns do not match the contract: the page offers the mapping step."""
        return self.profile is None and _columns_do_not_match(self.issues)


def _unknown_kind(kind: str, file_name: str) -> ImportRejected:
    return ImportRejected(
        [
            ValidationIssue(
                file_name,
                None,
                None,
                None,
                f"okänd filtyp '{kind}'; välj en av {', '.join(KINDS)}",
            )
        ],
        file_name,
    )


def _read_and_resolve(data: bytes, name: str, kind: str | None) -> tuple[RawFile, Kind, list[str]]:
    """Read the file from its header row and find its kind (see ``headers.find_header``).

    Returns the raw file, its kind and warnings (rows skipped above the header,
    the sheet read, a totals row dropped). Raises ``ImportRejected`` with a
    Swedish message when the file cannot be read or no row is a header.
    """
    if kind is not None and kind not in KINDS:
        raise _unknown_kind(kind, name)
    fmt = sniff_format(data, name) if data else None
    choice = None
    if fmt in ("csv", "xlsx"):
        try:
            choice = headers.find_header(data, name, kind)
        except ImportRejected:
            choice = None  # read_bytes below reports the reading problem itself
    if choice is None or choice.kind is None:
        raw = (
            read_bytes(data, name, header_row=choice.row_index, sheet=choice.sheet)
            if choice is not None
            else read_bytes(data, name)
        )
        if kind is not None:
            return raw, KINDS[kind], raw.warnings
        try:
            found = detect_kind(raw.headers)
        except KindNotDetected as exc:
            message = str(exc)
            if choice is not None:
                message += (
                    f" Ingen av de första {headers.SEARCH_ROWS} raderna innehåller ett enda känt "
                    f"kolumnnamn (rad {choice.line} liknar mest en rubrikrad); se datakontraktet "
                    "(docs/data-contract.md) för vilka rubriker som känns igen."
                )
            raise ImportRejected([ValidationIssue(name, None, None, None, message)], name) from exc
        return raw, KINDS[found], raw.warnings
    if kind is None:
        pair = headers.ambiguous_kinds(choice.cells)
        if pair is not None and choice.kind in pair:
            a, b = KINDS[pair[0]], KINDS[pair[1]]
            raise ImportRejected(
                [
                    ValidationIssue(
                        name,
                        None,
                        None,
                        None,
                        f"Det går inte att avgöra vilken sorts fil det är: kolumnerna passar lika bra för "
                        f"'{a.label_sv}' ({a.name}) och '{b.label_sv}' ({b.name}). Ange filtypen uttryckligen.",
                    )
                ],
                name,
            )
    raw = read_bytes(data, name, header_row=choice.row_index, sheet=choice.sheet)
    raw.title_lines = choice.title_lines
    return raw, KINDS[choice.kind], choice.warnings() + raw.warnings


def _columns_do_not_match(issues: list[ValidationIssue]) -> bool:
    """The file's columns are not the contract's (no kind, or required columns missing)."""
    return any(
        i.row is None
        and (
            i.message.startswith("Kolumnerna känns inte igen")
            or i.message.startswith("den obligatoriska kolumnen")
        )
        for i in issues
    )


def _profile_hint(data: bytes, name: str) -> ValidationIssue:
    """What to do when an HR export does not match the contract: map it once, as a profile."""
    text = (
        "Ser filen ut som en export från ett HR-system? Mappa kolumnerna och koderna en gång i "
        "mappningssteget på sidan Import och spara dem som en profil; nästa månads fil känns då igen "
        "automatiskt (på kommandoraden: kompetens import FIL --profile NAMN)"
    )
    try:
        located = headers.find_header(data, name)
    except ImportRejected:
        located = None
    date = profiles.title_date(located.title_lines) if located is not None else None
    if date is not None:
        text += f". Titelraden nämner datumet {date}, som profilen kan använda som mätdatum"
    return ValidationIssue(name, None, None, None, text)


def _read(
    conn, data: bytes, name: str, kind: str | None, profile, auto_profile: bool
) -> tuple[RawFile, Kind, list[str], profiles.Profile | None]:
    """Read and resolve the file, through a profile when one is given or matches its headers.

    Returns the raw file (with contract headers), its kind, warnings, and the profile
    used (or None). Without a profile, a file whose columns do not match the
    contract is rejected with a hint about profiles.
    """
    chosen = profile
    auto = False
    try:
        if isinstance(chosen, str):
            if conn is None:
                raise profiles.ProfileError(f"profilen '{chosen}' kan inte läsas utan databas")
            chosen = profiles.load_profile(conn, chosen)
        if chosen is None and auto_profile and conn is not None and data:
            chosen = profiles.match_profile(conn, data, name)
            auto = chosen is not None
    except profiles.ProfileError as exc:
        raise ImportRejected([ValidationIssue(name, None, None, None, str(exc))], name) from exc
    if chosen is None:
        try:
            raw, k, warnings = _read_and_resolve(data, name, kind)
        except ImportRejected as exc:
            if _columns_do_not_match(exc.issues):
                raise ImportRejected([*exc.issues, _profile_hint(data, name)], name) from exc
            raise
        return raw, k, warnings, None
    located = profiles.locate(data, name, chosen)
    if located is None:
        raise ImportRejected(
            [
                ValidationIssue(
                    name,
                    None,
                    None,
                    None,
                    f"ingen av de första raderna i filen har rubrikerna i profilen '{chosen.name}'; "
                    "välj en annan profil eller gör en ny",
                )
            ],
            name,
        )
    raw = read_bytes(data, name, header_row=located.row_index, sheet=located.sheet)
    raw.title_lines = located.title_lines
    raw, applied = profiles.apply_profile(raw, chosen, name)
    warnings = []
    if auto:
        warnings.append(
            f"Profilen '{chosen.name}' valdes automatiskt: filens rubriker stämmer med den."
        )
    if located.row_index:
        warnings.append(
            f"Rubrikraden är rad {located.line}: {located.row_index} rad(er) ovanför den ignorerades."
        )
    return raw, KINDS[chosen.kind], warnings + applied + raw.warnings, chosen


def _validate(conn, raw: RawFile, name: str, kind: Kind, *, collect_rejected: bool) -> Validated:
    """Validate with what the database knows: unit ids (and, for targets, areas)."""
    wants_units = kind.unit_column is not None or kind.name == "targets"
    return validate(
        raw,
        name,
        kind,
        known_units=known_unit_ids(conn) if wants_units else None,
        known_areas=known_areas(conn) if kind.name == "targets" else None,
        collect_rejected=collect_rejected,
        allowed=support_register.allowed_values(conn, kind.name),
        themes=themes.lookup(conn) if conn is not None and kind.name == "support_request" else None,
    )


#: What a rejected-rows file holds, in its first line and in the CLI's note (privacy rule 5).
REJECTED_PRIVACY = "personuppgifter med maskerade personnummer"


def rejected_file_note(path: Path) -> str:
    """The CLI's sentence about a rejected-rows file: where it was written, and that it is personal data."""
    return (
        f"De avvisade raderna skrevs till {mask_in_text(str(path))}. Filen innehåller "
        f"{REJECTED_PRIVACY}: förvara den som andra personuppgifter och radera den när raderna är rättade."
    )


def rejected_title(source: str, where: str) -> str:
    """The first line of a rejected-rows file: what it holds, that it is personal data, and where it is.

    ``where``: "Sparad som <path>" for a file written to disk (the CLI), or how it was
    handed out (the Import page's download).
    """
    return (
        f"Avvisade rader från {source}, med filens radnummer och kolumner – innehåller "
        f"{REJECTED_PRIVACY}; radera filen när raderna är rättade. {where}"
    )


def for_spreadsheets(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading ``'`` (``=1+1`` ->
    ``'=1+1``); a plain signed number (``-0,5``) is left as it is. The importer reads
    ``'=…`` back as ``=…``, so a corrected file can be imported again as it is."""
    formula = pl.col(pl.String).str.contains(r"^[=@\t\r]") | (
        pl.col(pl.String).str.contains(r"^[+\-]")
        & ~pl.col(pl.String).str.contains(r"^[+\-][0-9]+([.,][0-9]+)?$")
    )
    return frame.with_columns(
        pl.when(formula.fill_null(False))
        .then(pl.lit("'") + pl.col(pl.String))
        .otherwise(pl.col(pl.String))
        .name.keep()
    )


def _write_rejected(rejected: pl.DataFrame, target: Path, source: str, where: str | None) -> Path:
    """Write the rejected rows under a title line; the importer skips the title on re-import."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Semicolon and BOM: opens directly in Swedish Excel; values stay as the user wrote them.
    where = where or f"Sparad som {mask_in_text(str(target))}"
    title = rejected_title(source, where).replace('"', "'")
    body = for_spreadsheets(rejected).write_csv(separator=";")
    target.write_bytes(("\ufeff" + f'"{title}"\n' + body).encode("utf-8"))
    return target


def import_bytes(
    conn: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    *,
    kind: str | None = None,
    partial: bool = False,
    user: str | None = None,
    progress: Progress | None = None,
    rejected_dir: Path | None = None,
    profile: profiles.Profile | str | None = None,
    auto_profile: bool = True,
    rejected_where: str | None = None,
) -> ImportResult:
    """Import one file's bytes (CSV, XLSX or Parquet) as one batch.

    Atomic unless ``partial``: any invalid row raises ``ImportRejected`` and
    nothing is written. With ``partial`` the valid rows are written and the
    rejected ones saved to ``<stem>.avvisade.csv`` in ``rejected_dir``
    (default ``data/avvisade``): the file's own row numbers (``rad``), columns and
    cell text, the identity masked, and the reasons (``fel``); see
    ``validate._rejected_rows``. Its first line says it holds personal data and
    ``rejected_where`` (default: "Sparad som <path>").
    """
    report = progress or no_progress
    # A file named after a person's personnummer must not carry it into the log.
    name = mask_in_text(Path(file_name).name)
    report(0.0, f"Läser {name}")
    raw, k, read_warnings, used_profile = _read(conn, data, name, kind, profile, auto_profile)
    sha = hashlib.sha256(data).hexdigest()
    previous = writer.find_previous_import(conn, sha, k.name)
    if previous is not None:
        batch_id, imported_at = previous
        when = imported_at
        report(1.0, "Redan importerad")
        return ImportResult(
            batch_id=batch_id,
            kind=k.name,
            file_name=name,
            sha256=sha,
            rows_in=raw.rows_in,
            rows_written=0,
            rows_replaced=0,
            rows_rejected=0,
            warnings=[
                f"Filen {name} är redan importerad (batch {batch_id}, {when}); ingenting har ändrats."
            ],
            already_imported=True,
        )
    report(0.25, f"Kontrollerar {fmt_count(raw.rows_in, 'rad', 'rader')} ({k.label_sv.lower()})")
    try:
        checked = _validate(conn, raw, name, k, collect_rejected=partial)
    except ImportRejected as exc:  # whole-file problems: missing or repeated columns
        if used_profile is not None or not _columns_do_not_match(exc.issues):
            raise
        raise ImportRejected([*exc.issues, _profile_hint(data, name)], name) from exc
    if checked.issues and not partial:
        raise ImportRejected(checked.issues, name)
    warnings = read_warnings + checked.warnings
    rejected_file = None
    if checked.rejected_rows is not None:
        folder = Path(rejected_dir) if rejected_dir is not None else paths.DATA_DIR / "avvisade"
        rejected_file = _write_rejected(
            checked.rejected_rows,
            folder / f"{mask_in_text(Path(file_name).stem, 'XXXX')}.avvisade.csv",
            name,
            rejected_where,
        )
        warnings.append(
            f"{checked.bad_row_count} rader avvisades ({len(checked.issues)} fel) och sparades med sina fel i {rejected_file.name}."
        )
        if k.replace == "replace_snapshot":
            warnings.append("Obs: ögonblicksbilderna i filen ersätts med bara de godkända raderna.")
    if checked.valid.height == 0:
        report(1.0, "Inga giltiga rader")
        return ImportResult(
            None,
            k.name,
            name,
            sha,
            raw.rows_in,
            0,
            0,
            checked.bad_row_count,
            warnings,
            rejected_file,
        )
    report(0.3, f"Skriver {fmt_count(checked.valid.height, 'rad', 'rader')}")
    batch_id, written, replaced = writer.write_batch(
        conn,
        k.name,
        checked.valid,
        file_name=name,
        sha256=sha,
        rows_in=raw.rows_in,
        rows_rejected=checked.bad_row_count,
        user=user,
        warnings=warnings,
    )
    # The recompute (figures, then the suppression mask) is most of an import's time.
    report(0.35, "Uppdaterar nyckeltal")
    recompute = part(report, 0.35, 0.99)
    hook_warning = writer.notify_data_change(
        conn, k.name, lambda fraction, message: recompute(fraction, as_line(message))
    )
    if hook_warning:
        warnings.append(hook_warning)
    if k.name == "staff":  # a partial snapshot must not pass unnoticed (snapshot_check)
        dates = checked.valid["snapshot_date"].unique().to_list()
        warnings.extend(snapshot_check.import_warnings(conn, dates))
    report(1.0, "Klart")
    return ImportResult(
        batch_id=batch_id,
        kind=k.name,
        file_name=name,
        sha256=sha,
        rows_in=raw.rows_in,
        rows_written=written,
        rows_replaced=replaced,
        rows_rejected=checked.bad_row_count,
        warnings=warnings,
        rejected_file=rejected_file,
    )


def import_file(
    conn: duckdb.DuckDBPyConnection,
    path: Path | str,
    *,
    kind: str | None = None,
    partial: bool = False,
    user: str | None = None,
    progress: Progress | None = None,
    profile: profiles.Profile | str | None = None,
    auto_profile: bool = True,
) -> ImportResult:
    """Import a file from disk; rejected rows (``partial``) go to ``<stem>.avvisade.csv`` beside it.

    ``profile``: a mapping profile (or its saved name); without one, a saved profile
    whose header signature matches the file is used unless ``auto_profile`` is False.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRejected(
            [
                ValidationIssue(
                    path.name, None, None, None, f"filen kunde inte läsas ({exc.strerror or exc})"
                )
            ],
            path.name,
        ) from exc
    return import_bytes(
        conn,
        data,
        path.name,
        kind=kind,
        partial=partial,
        user=user,
        progress=progress,
        rejected_dir=path.parent,
        profile=profile,
        auto_profile=auto_profile,
    )


def preview_bytes(
    data: bytes,
    file_name: str,
    *,
    kind: str | None = None,
    conn: duckdb.DuckDBPyConnection | None = None,
    profile: profiles.Profile | str | None = None,
    auto_profile: bool = True,
) -> Preview:
    """Validate without writing: detected kind and format, the normalised head, warnings and issues.

    Referential checks (unit ids) and the already-imported check need ``conn``.
    """
    name = mask_in_text(Path(file_name).name)
    empty = pl.DataFrame()
    try:
        raw, k, read_warnings, used_profile = _read(conn, data, name, kind, profile, auto_profile)
    except ImportRejected as exc:
        return Preview(name, None, None, None, None, 0, {}, empty, [], exc.issues)
    used = used_profile.name if used_profile is not None else None
    columns = map_headers(raw.headers, k).mapping
    try:
        checked = _validate(conn, raw, name, k, collect_rejected=False)
    except ImportRejected as exc:
        return Preview(
            name,
            k.name,
            raw.format,
            raw.encoding,
            raw.separator,
            raw.rows_in,
            columns,
            empty,
            [],
            exc.issues,
            profile=used,
        )
    already = False
    if conn is not None:
        already = (
            writer.find_previous_import(conn, hashlib.sha256(data).hexdigest(), k.name) is not None
        )
    return Preview(
        file_name=name,
        kind=k.name,
        format=raw.format,
        encoding=raw.encoding,
        separator=raw.separator,
        rows_in=raw.rows_in,
        columns=columns,
        head=checked.valid.head(PREVIEW_ROWS),
        warnings=read_warnings + checked.warnings,
        issues=checked.issues,
        already_imported=already,
        profile=used,
    )


__all__ = ["ImportResult", "Preview", "import_bytes", "import_file", "preview_bytes"]
