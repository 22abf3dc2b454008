"""Backup and restore: a consistent copy while the app runs, and a verified way back.

A backup is a folder with two files:

- ``kompetens.duckdb`` — a copy of the database taken under the writer lock
  right after the key figures were brought up to date and the database was
  checkpointed (so no import can be half in it, and its figures match its data);
- ``kompetens-backup.json`` — the manifest: when, from where, schema and data
  versions, the key-figure code fingerprint, the row count of every table, a
  checksum of the key figures and the fingerprint of the pseudonym key in use.

The pseudonym key is deliberately **not** in the backup: whoever holds both the
key and the data can test a known personnummer against the pseudonyms. Back up
the key separately and keep it apart (docs/operations.md). The manifest's key
fingerprint (an HMAC of a fixed text under the key, which does not reveal it)
lets ``restore`` and ``doctor`` tell whether the key in use is the one the
data was pseudonymised with.

``restore`` checks the backup against its manifest before touching anything,
keeps the current database beside it (``<db>.before-restore-<time>``), puts the
copy in place under the writer lock, checks the restored file again (row counts
and the figures checksum) and publishes it for the readers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from kompetens.core import locking, paths, store
from kompetens.ops import database

MANIFEST = "kompetens-backup.json"
DB_FILE = "kompetens.duckdb"


class BackupError(Exception):
    """A backup or restore was refused (Swedish message); nothing was changed."""


@dataclass
class Manifest:
    created_at: str
    source: str
    schema_version: int
    data_version: int
    key_figures_code: str | None
    row_counts: dict[str, int]
    figures_rows: int
    figures_checksum: str
    key_fingerprint: str | None
    extra: dict = field(default_factory=dict)


def row_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per base table of the database (raw tables, log, figures, users, audit …)."""
    tables = [
        r[0]
        for r in store.rows(
            conn,
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' ORDER BY table_name",
        )
    ]
    # Table names come from the database's own catalogue, quoted as identifiers.
    return {t: int(store.scalar(conn, f'SELECT count(*) FROM "{t}"')) for t in tables}  # noqa: S608


def figures_checksum(conn: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """(rows, checksum) of ``key_figures``: the sum of every row's hash, independent of row order.

    ``computed_at`` is left out (a recompute of the same data gives the same checksum).
    """
    count, total = store.rows(
        conn,
        "SELECT count(*), coalesce(sum(hash(indicator_id, level, scope_id, period_type, period, "
        "breakdown, numerator, denominator, value, n_individuals)::HUGEINT), 0) FROM key_figures",
    )[0]
    return int(count), f"{int(total) % 2**64:016x}"


def key_fingerprint() -> str | None:
    """A fingerprint of the pseudonym key in use (None when there is none yet); never the key."""
    env = os.environ.get("KOMPETENS_PSEUDONYM_KEY")
    if env:
        key = env.encode("utf-8")
    else:
        path = paths.key_file_path()
        if not path.is_file():
            return None
        key = path.read_bytes()
    return hmac.new(key, b"kompetens key fingerprint", hashlib.sha256).hexdigest()[:16]


def describe(db_file: Path) -> Manifest:
    """The manifest of a database file (opened read-only)."""
    from kompetens.indicators.engine import CODE_VERSION_KEY

    conn = store.connect(db_file, read_only=True)
    try:
        rows, checksum = figures_checksum(conn)
        return Manifest(
            created_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            source=str(db_file),
            schema_version=store.schema_version(conn),
            data_version=store.data_version(conn),
            key_figures_code=store.scalar(
                conn, "SELECT value FROM meta WHERE key = ?", [CODE_VERSION_KEY]
            ),
            row_counts=row_counts(conn),
            figures_rows=rows,
            figures_checksum=checksum,
            key_fingerprint=key_fingerprint(),
        )
    finally:
        conn.close()


def _copy_durably(source: Path, target: Path) -> None:
    temp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, temp)
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, target)


def read_manifest(folder: Path) -> Manifest:
    try:
        raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(**raw)
    except FileNotFoundError:
        raise BackupError(
            f"{folder} är ingen säkerhetskopia från Kompetens ({MANIFEST} saknas)."
        ) from None
    except (ValueError, TypeError) as problem:
        raise BackupError(f"{folder / MANIFEST} kan inte läsas: {problem}.") from None


def backup(
    folder: Path,
    db: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = None,
    on_wait=None,
) -> Manifest:
    """Write a consistent copy of the database and its manifest into ``folder`` (new or empty)."""
    source = paths.db_path(db)
    if not source.is_file():
        raise database.NoDatabase(f"Databasen {source} finns inte.")
    folder = Path(folder)
    if (folder / MANIFEST).exists() or (folder / DB_FILE).exists():
        raise BackupError(
            f"Mappen {folder} innehåller redan en säkerhetskopia. Välj en ny mapp, "
            "t.ex. med dagens datum i namnet."
        )
    folder.mkdir(parents=True, exist_ok=True)
    with locking.writer_lock(source, "säkerhetskopiering", timeout=timeout, on_wait=on_wait):
        # Figures brought up to date, checkpointed and closed: the file is complete and still.
        database.publish_under_lock(source)
        _copy_durably(source, folder / DB_FILE)
    manifest = describe(folder / DB_FILE)
    manifest.source = str(source)
    (folder / MANIFEST).write_text(
        json.dumps(asdict(manifest), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return manifest


@dataclass
class RestoreResult:
    manifest: Manifest
    previous: Path | None  # where the database that was replaced now is
    recomputed: bool  # the figures were recomputed after the restore (older code made them)
    key_matches: bool | None  # None: no fingerprint to compare


def verify(db_file: Path, manifest: Manifest) -> list[str]:
    """Differences between a database file and a manifest (Swedish), empty when they agree."""
    found = describe(db_file)
    problems = []
    for table, expected in sorted(manifest.row_counts.items()):
        actual = found.row_counts.get(table)
        if actual != expected:
            problems.append(f"tabellen {table} har {actual} rader, manifestet säger {expected}")
    if (found.figures_rows, found.figures_checksum) != (
        manifest.figures_rows,
        manifest.figures_checksum,
    ):
        problems.append(
            f"nyckeltalens kontrollsumma är {found.figures_rows}:{found.figures_checksum}, "
            f"manifestet säger {manifest.figures_rows}:{manifest.figures_checksum}"
        )
    return problems


def restore(
    folder: Path,
    db: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = None,
    on_wait=None,
) -> RestoreResult:
    """Replace the database with the backup in ``folder``, verified before and after."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    copy = folder / DB_FILE
    if not copy.is_file():
        raise BackupError(f"Säkerhetskopian i {folder} saknar {DB_FILE}.")
    try:
        problems = verify(copy, manifest)
    except duckdb.Error as problem:
        raise BackupError(f"Säkerhetskopian {copy} kan inte öppnas: {problem}.") from None
    if problems:
        raise BackupError(
            f"Säkerhetskopian i {folder} stämmer inte med sitt manifest ({'; '.join(problems)}). "
            "Ingenting återställdes."
        )
    target = paths.db_path(db)
    target.parent.mkdir(parents=True, exist_ok=True)
    with locking.writer_lock(target, "återställning", timeout=timeout, on_wait=on_wait):
        incoming = target.with_name(f".{target.name}.restoring")
        _copy_durably(copy, incoming)
        previous = None
        if target.exists():
            stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
            previous = target.with_name(f"{target.name}.before-restore-{stamp}")
            os.replace(target, previous)
            wal = Path(f"{target}.wal")  # belongs to the replaced file, never to the restored one
            if wal.exists():
                os.replace(wal, Path(f"{previous}.wal"))
        os.replace(incoming, target)
        problems = verify(target, manifest)
        if problems:  # put the previous database back: the restore did not take
            os.replace(target, incoming)
            if previous is not None:
                os.replace(previous, target)
            incoming.unlink(missing_ok=True)
            raise BackupError(
                f"Den återställda databasen stämmer inte med manifestet ({'; '.join(problems)}); "
                "den tidigare databasen är kvar."
            )
        database.publish_under_lock(target)  # older code's figures are recomputed here
    recomputed = _recomputed(target, manifest)
    fingerprint = key_fingerprint()
    key_matches = (
        None
        if manifest.key_fingerprint is None or fingerprint is None
        else manifest.key_fingerprint == fingerprint
    )
    return RestoreResult(manifest, previous, recomputed, key_matches)


def _recomputed(target: Path, manifest: Manifest) -> bool:
    from kompetens.indicators.engine import CODE_VERSION_KEY

    conn = store.connect(target, read_only=True)
    try:
        code = store.scalar(conn, "SELECT value FROM meta WHERE key = ?", [CODE_VERSION_KEY])
    finally:
        conn.close()
    return code != manifest.key_figures_code


__all__ = [
    "BackupError",
    "Manifest",
    "RestoreResult",
    "backup",
    "describe",
    "figures_checksum",
    "key_fingerprint",
    "read_manifest",
    "restore",
    "row_counts",
    "verify",
]
