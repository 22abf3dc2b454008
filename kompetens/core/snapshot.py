"""Published read-only snapshots of the database: what every reader opens.

Grain: one snapshot = one complete, checkpointed copy of the primary database
file, taken by a writer after it committed (and after the key figures were
brought up to date), under the writer lock (``kompetens.core.locking``).

Layout, beside the primary file ``data/kompetens.duckdb``::

    data/kompetens.duckdb.snapshots/
        20261202T104107123456-v42.duckdb     a published copy (never changed once written)
        CURRENT.json                          which copy is current, and what it was copied from

Publishing writes the copy under a temporary name, flushes it to disk, renames
it into place and then replaces ``CURRENT.json`` with one atomic rename. A
reader follows ``CURRENT.json`` and opens the copy read-only; it sees the old
data or the new, never a half-written file, never a lock, never an error.
The last :data:`KEEP` copies are kept so that a reader that has just read
``CURRENT.json`` still finds its file; older ones are deleted (a process that
still has one open keeps reading it: on Linux and macOS the data stays until
the last handle is closed).

``CURRENT.json`` also records the primary file's signature (modification time
and size of the file and of its write-ahead log) at the moment of copying:
when the primary's signature differs, something wrote to the primary without
publishing (e.g. a process killed before it published) and a reader can ask
for a new publication (``is_behind``).

This module only moves files. Opening the primary, refreshing key figures and
taking the lock is ``kompetens.ops.database``'s job.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kompetens.core import store

POINTER = "CURRENT.json"
#: How many published copies stay on disk (the current one and the ones just before it).
KEEP = 3
#: Temporary copies older than this (seconds) are left-overs of a writer that died.
STALE_TEMP_SECONDS = 3600


def snapshot_dir(db: str | os.PathLike[str]) -> Path:
    return Path(f"{os.fspath(db)}.snapshots")


def signature(db: str | os.PathLike[str]) -> list[int]:
    """The primary file's (mtime_ns, size) and its WAL's (0, 0 when absent)."""
    result: list[int] = []
    for path in (Path(db), Path(f"{os.fspath(db)}.wal")):
        try:
            info = path.stat()
            result += [info.st_mtime_ns, info.st_size]
        except FileNotFoundError:
            result += [0, 0]
    return result


@dataclass(frozen=True)
class Published:
    """What ``CURRENT.json`` says: the current copy and what it was copied from."""

    file: Path  # absolute path of the copy
    data_version: int
    published_at: str  # ISO 8601 with offset
    primary_signature: tuple[int, ...]


def read_pointer(db: str | os.PathLike[str]) -> Published | None:
    """The current publication of ``db``, or None before the first one."""
    folder = snapshot_dir(db)
    try:
        raw = json.loads((folder / POINTER).read_text(encoding="utf-8"))
        return Published(
            file=folder / raw["file"],
            data_version=int(raw["data_version"]),
            published_at=str(raw["published_at"]),
            primary_signature=tuple(int(v) for v in raw["primary_signature"]),
        )
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def is_behind(db: str | os.PathLike[str], published: Published | None = None) -> bool:
    """True when the primary changed after the current copy was taken (or none exists)."""
    current = published if published is not None else read_pointer(db)
    if current is None or not current.file.exists():
        return True
    return tuple(signature(db)) != current.primary_signature


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def publish_file(db: str | os.PathLike[str], data_version: int) -> Published:
    """Copy the (closed, checkpointed) primary into a new snapshot and make it current.

    The caller holds the writer lock, so nobody changes the primary during the copy.
    """
    source = Path(db)
    folder = snapshot_dir(db)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now().astimezone()
    # Named by time first: sorting the names sorts the copies (a restore can lower the version).
    name = f"{now.strftime('%Y%m%dT%H%M%S%f')}-v{data_version}.duckdb"
    temp = folder / f".{name}.tmp"
    signed = signature(source)  # taken before the copy: the lock keeps the file still
    shutil.copyfile(source, temp)
    wal = Path(f"{os.fspath(source)}.wal")
    if wal.exists() and wal.stat().st_size:
        # Normally empty after the checkpoint; copied along so no committed change is lost.
        shutil.copyfile(wal, Path(f"{temp}.wal"))
        os.replace(Path(f"{temp}.wal"), folder / f"{name}.wal")
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, folder / name)
    published = Published(folder / name, data_version, now.isoformat(), tuple(signed))
    pointer_temp = folder / f".{POINTER}.tmp"
    pointer_temp.write_text(
        json.dumps(
            {
                "file": name,
                "data_version": data_version,
                "published_at": published.published_at,
                "primary_signature": list(signed),
            }
        ),
        encoding="utf-8",
    )
    os.replace(pointer_temp, folder / POINTER)
    _fsync_dir(folder)
    _prune(folder, keep=name)
    return published


def acknowledge(db: str | os.PathLike[str]) -> Published | None:
    """Record the primary's new signature in ``CURRENT.json`` without a new copy.

    For writes readers need not see at once (audit events): the current copy stays
    current, so readers keep their connection and caches. The caller holds the
    writer lock and has closed the primary. None when nothing is published yet.
    """
    current = read_pointer(db)
    if current is None:
        return None
    folder = snapshot_dir(db)
    signed = signature(db)
    pointer_temp = folder / f".{POINTER}.tmp"
    pointer_temp.write_text(
        json.dumps(
            {
                "file": current.file.name,
                "data_version": current.data_version,
                "published_at": current.published_at,
                "primary_signature": list(signed),
            }
        ),
        encoding="utf-8",
    )
    os.replace(pointer_temp, folder / POINTER)
    return Published(current.file, current.data_version, current.published_at, tuple(signed))


def _prune(folder: Path, keep: str) -> None:
    """Delete all but the newest ``KEEP`` copies, and temporary files a dead writer left."""
    copies = sorted(p for p in folder.glob("*.duckdb") if not p.name.startswith("."))
    for old in copies[:-KEEP]:
        if old.name == keep:
            continue
        for path in (old, Path(f"{old}.wal")):
            path.unlink(missing_ok=True)
    cutoff = dt.datetime.now().timestamp() - STALE_TEMP_SECONDS
    for temp in folder.glob(".*.tmp"):
        try:
            if temp.stat().st_mtime < cutoff:
                temp.unlink(missing_ok=True)
        except FileNotFoundError:
            pass


def open_copy(published: Published) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published copy."""
    return store.connect(published.file, read_only=True)


class Reader:
    """Follows ``CURRENT.json`` and hands out a read-only connection to the current copy.

    One per process and database (the app keeps one; the CLI makes one per command).
    :meth:`connection` is cheap when nothing changed (one ``stat``); after a new
    publication it opens the new copy. The previous connection is not closed:
    cursors taken from it may still be reading on other threads, and closing a
    DuckDB connection closes its cursors. It is dropped instead and closed by the
    garbage collector once its last cursor is gone.
    """

    def __init__(self, db: str | os.PathLike[str]):
        self.db = Path(db)
        self._lock = threading.Lock()
        self._token: tuple | None = None
        self._published: Published | None = None
        self._conn: duckdb.DuckDBPyConnection | None = None

    def _pointer_token(self) -> tuple | None:
        try:
            info = (snapshot_dir(self.db) / POINTER).stat()
        except FileNotFoundError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    @property
    def published(self) -> Published | None:
        return self._published

    def connection(self) -> duckdb.DuckDBPyConnection | None:
        """The current copy's connection (None before the first publication)."""
        token = self._pointer_token()
        if token == self._token and self._conn is not None:
            return self._conn
        with self._lock:
            for _attempt in range(5):
                token = self._pointer_token()
                if token is None:
                    return self._conn
                if token == self._token and self._conn is not None:
                    return self._conn
                published = read_pointer(self.db)
                if published is None:
                    continue
                try:
                    conn = open_copy(published)
                except (duckdb.IOException, FileNotFoundError):
                    continue  # replaced and pruned between reading the pointer and opening
                self._conn, self._published, self._token = conn, published, token
                return conn
        return self._conn


__all__ = [
    "KEEP",
    "acknowledge",
    "POINTER",
    "Published",
    "Reader",
    "is_behind",
    "open_copy",
    "publish_file",
    "read_pointer",
    "signature",
    "snapshot_dir",
]
