"""One writer, many readers: the only ways Kompetens opens its database file.

- :func:`writing` — take the writer lock (waiting a bounded time), open the
  primary file read-write, let the caller write, then bring stale key figures
  up to date, checkpoint, close and publish a snapshot (``core.snapshot``).
- :func:`reading` / :func:`open_reader` — a read-only connection to the
  current published snapshot. Readers never wait for a writer and never see a
  lock error: until a writer publishes they read the previous snapshot.
- :func:`publish` — publish now (used when the primary changed without a
  publication, e.g. after a crash, and when the app starts).

Every published snapshot holds key figures that are a full recompute of its
data by this code (``engine.is_stale`` is false): a writer refreshes stale
figures before it publishes. Details and the reasoning: docs/operations.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from kompetens.core import locking, paths, snapshot, store
from kompetens.core.locking import DatabaseBusy
from kompetens.core.progress import Progress

OnWait = Callable[[locking.Holder | None], None]

log = logging.getLogger(__name__)


class NoDatabase(Exception):
    """The database file does not exist (Swedish message)."""


def _refresh_figures(conn: duckdb.DuckDBPyConnection, progress: Progress | None) -> bool:
    from kompetens.indicators import engine

    return engine.refresh_if_stale(conn, progress=progress)


#: A quiet write (audit events) publishes only if the last publication is older than this (s).
QUIET_PUBLISH_SECONDS = 60.0


def _close_and_publish(
    conn: duckdb.DuckDBPyConnection,
    db: Path,
    progress: Progress | None,
    *,
    always: bool = True,
    quiet: bool = False,
) -> snapshot.Published | None:
    """Refresh stale figures, checkpoint, close and publish. The caller holds the lock.

    With ``always=False`` nothing is published when the file is unchanged since the
    current publication (e.g. an audit purge that found nothing to purge). With
    ``quiet`` a change is only acknowledged (``snapshot.acknowledge``) unless the
    current publication is older than ``QUIET_PUBLISH_SECONDS``: audit events then
    reach the published copy within a minute without invalidating every reader's
    cache at each sign-in.
    """
    try:
        _refresh_figures(conn, progress)
        version = store.data_version(conn)
        try:
            conn.execute("CHECKPOINT")
        except duckdb.Error:  # another connection in this process is mid-transaction
            log.warning("checkpoint before publishing failed; the WAL is copied along")
    finally:
        conn.close()
    if not always and not snapshot.is_behind(db):
        return None
    if quiet and _published_recently(db):
        return snapshot.acknowledge(db)
    return snapshot.publish_file(db, version)


def _published_recently(db: Path) -> bool:
    current = snapshot.read_pointer(db)
    if current is None or not current.file.exists():
        return False
    try:
        at = dt.datetime.fromisoformat(current.published_at)
    except ValueError:
        return False
    return (dt.datetime.now(dt.UTC) - at).total_seconds() < QUIET_PUBLISH_SECONDS


@contextmanager
def writing(
    db: str | os.PathLike[str] | None,
    purpose: str,
    *,
    timeout: float | None = None,
    on_wait: OnWait | None = None,
    progress: Progress | None = None,
    user: str | None = None,
    quiet: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to the primary, under the writer lock.

    Raises ``DatabaseBusy`` (Swedish message) if another writer holds the lock for
    more than ``timeout`` seconds (``KOMPETENS_LOCK_TIMEOUT``, default 600, when None).
    On leaving the block the figures are brought up to date and a snapshot is
    published, also when the block failed after something was committed.
    ``quiet``: a write readers need not see at once (see ``_close_and_publish``).
    """
    target = paths.db_path(db)
    with locking.writer_lock(target, purpose, timeout=timeout, on_wait=on_wait, user=user):
        before = snapshot.signature(target)
        conn = store.connect(target)
        try:
            yield conn
        except BaseException:
            changed = snapshot.signature(target) != before or _has_wal(target)
            try:
                if changed:
                    _close_and_publish(conn, target, None)
                else:
                    conn.close()
            except Exception:  # the original error is the one to report
                log.exception("publishing after a failed write failed")
            raise
        _close_and_publish(conn, target, progress, always=False, quiet=quiet)


def _has_wal(db: Path) -> bool:
    wal = Path(f"{db}.wal")
    return wal.exists() and wal.stat().st_size > 0


def publish(
    db: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = None,
    on_wait: OnWait | None = None,
    progress: Progress | None = None,
    purpose: str = "publicering av nyckeltal",
) -> snapshot.Published:
    """Open the primary under the lock, refresh stale figures and publish a snapshot."""
    target = paths.db_path(db)
    if not target.exists():
        raise NoDatabase(f"Databasen {target} finns inte.")
    with locking.writer_lock(target, purpose, timeout=timeout, on_wait=on_wait):
        return publish_under_lock(target, progress=progress)


def publish_under_lock(
    db: str | os.PathLike[str] | None = None, *, progress: Progress | None = None
) -> snapshot.Published:
    """:func:`publish` for a caller that already holds the writer lock."""
    target = paths.db_path(db)
    return _close_and_publish(store.connect(target), target, progress)


def needs_publication(db: str | os.PathLike[str] | None = None) -> bool:
    """True when readers would not see a full, current picture of the primary.

    That is: no snapshot yet, the primary changed after the last publication
    (a writer died before publishing, or wrote without this module), or the
    snapshot's figures are stale (computed by other code).
    """
    target = paths.db_path(db)
    if not target.exists():
        return False
    current = snapshot.read_pointer(target)
    if snapshot.is_behind(target, current):
        return True
    from kompetens.indicators import engine

    try:
        conn = snapshot.open_copy(current)
    except duckdb.Error:
        return True
    try:
        return engine.is_stale(conn)
    finally:
        conn.close()


def ensure_published(
    db: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = None,
    on_wait: OnWait | None = None,
    progress: Progress | None = None,
) -> bool:
    """Publish if :func:`needs_publication`; returns whether it published.

    When a snapshot exists and a writer is at work (it publishes when it is done),
    or holds the lock past ``timeout``, the reader keeps the existing snapshot: it
    is consistent, only older. Readers wait only when there is no snapshot at all.
    """
    target = paths.db_path(db)
    if not needs_publication(target):
        return False
    if snapshot.read_pointer(target) is not None and locking.current_holder(target) is not None:
        return False
    try:
        publish(target, timeout=timeout, on_wait=on_wait, progress=progress)
    except DatabaseBusy:
        if snapshot.read_pointer(target) is None:
            raise
        return False
    return True


def open_reader(
    db: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = None,
    on_wait: OnWait | None = None,
    progress: Progress | None = None,
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current snapshot (publishing one first if needed).

    Raises ``NoDatabase`` when there is no database file.
    """
    target = paths.db_path(db)
    if not target.exists():
        raise NoDatabase(f"Databasen {target} finns inte.")
    ensure_published(target, timeout=timeout, on_wait=on_wait, progress=progress)
    for _attempt in range(5):
        current = snapshot.read_pointer(target)
        if current is None:
            break
        try:
            return snapshot.open_copy(current)
        except duckdb.IOException:
            continue  # pruned between reading the pointer and opening: read it again
    raise NoDatabase(f"Det finns ingen publicerad kopia av databasen {target}.")


@contextmanager
def reading(
    db: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = None,
    on_wait: OnWait | None = None,
    progress: Progress | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """:func:`open_reader` as a block that closes the connection."""
    conn = open_reader(db, timeout=timeout, on_wait=on_wait, progress=progress)
    try:
        yield conn
    finally:
        conn.close()


__all__ = [
    "DatabaseBusy",
    "NoDatabase",
    "ensure_published",
    "needs_publication",
    "open_reader",
    "publish",
    "publish_under_lock",
    "reading",
    "writing",
]
