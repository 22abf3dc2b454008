"""Writing a validated batch, the import log, and undoing a batch.

Every write is one DuckDB transaction: the rows a batch replaces are marked
``_superseded_by = batch`` (never deleted), so undoing a batch is deleting its
rows and clearing that mark. Replacement follows the contract: ``staff``
replaces whole snapshot dates, every other kind replaces rows with the same key.
"""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass

import duckdb
import polars as pl

from kompetens.core import hooks, store
from kompetens.core.contract import KINDS
from kompetens.core.progress import Progress, part
from kompetens.ingest.errors import UndoRefused
from kompetens.present.formatting import fmt_count

log = logging.getLogger(__name__)


def notify_data_change(
    conn: duckdb.DuckDBPyConnection, kind: str, progress: Progress | None = None
) -> str | None:
    """Run the after-change hooks; a failure there must not hide that the data *was* changed.

    Returns a Swedish warning if a hook failed (the error is logged), else None.
    ``progress`` hears the hooks' steps (the recompute and its suppression mask).
    """
    try:
        hooks.after_data_change(conn, {kind}, progress)
    except Exception as exc:
        log.exception("after_data_change failed for %s", kind)
        return f"Ändringen är sparad, men nyckeltalen kunde inte räknas om ({type(exc).__name__}: {exc})."
    return None


def current_user(user: str | None = None) -> str:
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "okänd"


def find_previous_import(
    conn: duckdb.DuckDBPyConnection, sha256: str, kind: str
) -> tuple[int, object] | None:
    """The newest not-undone batch with the same file checksum and kind whose rows are all still current.

    A batch some of whose rows a later import replaced does not count: importing
    snapshot A, then B for the same date, then A again makes A current again.
    """
    found = store.rows(
        conn,
        "SELECT batch_id, strftime(imported_at, '%Y-%m-%d %H:%M') FROM import_log WHERE sha256 = ? AND kind = ? AND undone_at IS NULL ORDER BY batch_id DESC LIMIT 1",
        [sha256, kind],
    )
    if not found:
        return None
    batch_id = int(found[0][0])
    replaced = store.scalar(
        conn,
        # Table name from the contract registry, the batch id bound.
        f"SELECT count(*) FROM {KINDS[kind].name} WHERE _batch_id = ? AND _superseded_by IS NOT NULL",  # noqa: S608
        [batch_id],
    )
    return None if replaced else (batch_id, found[0][1])


def write_batch(
    conn: duckdb.DuckDBPyConnection,
    kind_name: str,
    rows: pl.DataFrame,
    *,
    file_name: str,
    sha256: str,
    rows_in: int,
    rows_rejected: int,
    user: str | None,
    warnings: list[str],
) -> tuple[int, int, int]:
    """Supersede what ``rows`` replaces, append them and log the batch; one transaction.

    Returns ``(batch_id, rows_written, rows_replaced)``. The caller runs
    ``hooks.after_data_change`` after this returns (i.e. after the commit).
    """
    kind = KINDS[kind_name]
    with store.transaction(conn):
        batch_id = store.next_batch_id(conn)
        if kind.replace == "replace_snapshot":
            keys = rows.select("snapshot_date").unique()
            conn.register("_incoming_keys", keys)
            try:
                replaced = store.scalar(
                    conn,
                    # Table name from the contract registry; values through the registered frame.
                    f"UPDATE {kind.name} SET _superseded_by = ? WHERE _superseded_by IS NULL "  # noqa: S608
                    "AND snapshot_date IN (SELECT snapshot_date FROM _incoming_keys)",
                    [batch_id],
                )
            finally:
                conn.unregister("_incoming_keys")
        else:
            keys = rows.select(list(kind.key)).unique()
            conn.register("_incoming_keys", keys)
            match = " AND ".join(f"t.{k} = k.{k}" for k in kind.key)
            try:
                replaced = store.scalar(
                    conn,
                    f"UPDATE {kind.name} AS t SET _superseded_by = ? FROM _incoming_keys AS k "  # noqa: S608
                    f"WHERE t._superseded_by IS NULL AND {match}",
                    [batch_id],
                )
            finally:
                conn.unregister("_incoming_keys")
        written = store.append_rows(conn, kind.name, rows, batch_id)
        conn.execute(
            "INSERT INTO import_log (batch_id, file_name, sha256, kind, rows_in, rows_written, rows_rejected, "
            "rows_replaced, user_name, imported_at, undone_at, undone_by, warnings) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), NULL, NULL, ?)",
            [
                batch_id,
                file_name,
                sha256,
                kind.name,
                rows_in,
                written,
                rows_rejected,
                int(replaced or 0),
                current_user(user),
                "\n".join(warnings) if warnings else None,
            ],
        )
        store.bump_data_version(conn)
    return batch_id, written, int(replaced or 0)


@dataclass(frozen=True)
class UndoResult:
    """What an undo did: the batch's rows removed, the rows it had replaced restored."""

    batch_id: int
    kind: str
    file_name: str
    rows_removed: int
    rows_restored: int
    warning: str | None = None

    def __str__(self) -> str:
        removed = fmt_count(self.rows_removed, "rad togs bort", "rader togs bort")
        restored = fmt_count(
            self.rows_restored, "tidigare rad återställdes", "tidigare rader återställdes"
        )
        return f"Batch {self.batch_id} ({self.file_name}) är ångrad: {removed} och {restored}."


def _orphaned_units(conn: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, list[str]]:
    """Per kind, unit ids that live rows would point at if units batch ``batch_id`` were undone."""
    remaining = "SELECT unit_id FROM units WHERE (_superseded_by IS NULL AND _batch_id <> $1) OR _superseded_by = $1"
    orphans: dict[str, list[str]] = {}
    for kind in KINDS.values():
        if kind.unit_column is None:
            continue
        refs = [c for c in ("unit_id", "to_unit_id") if c in kind.column_names]
        union = " UNION ".join(
            f"SELECT {c} AS unit_id FROM current_{kind.name} WHERE {c} IS NOT NULL"  # noqa: S608
            for c in refs
        )
        found = store.rows(
            conn,
            f"SELECT DISTINCT unit_id FROM ({union}) WHERE unit_id NOT IN ({remaining}) ORDER BY 1 LIMIT 10",  # noqa: S608
            [batch_id],
        )
        if found:
            orphans[kind.name] = [r[0] for r in found]
    return orphans


def undo_batch(
    conn: duckdb.DuckDBPyConnection,
    batch_id: int,
    *,
    user: str | None = None,
    progress: Progress | None = None,
) -> UndoResult:
    """Remove a batch and restore what it replaced, in one transaction; refuse if that breaks data.

    ``progress`` hears the steps, the recompute after the undo (most of its time) included.
    """
    log = store.rows(
        conn,
        "SELECT kind, file_name, strftime(undone_at, '%Y-%m-%d %H:%M'), undone_by FROM import_log WHERE batch_id = ?",
        [batch_id],
    )
    if not log:
        raise UndoRefused(f"Batch {batch_id} finns inte i importloggen.")
    kind_name, file_name, undone_at, undone_by = log[0]
    if undone_at is not None:
        raise UndoRefused(
            f"Batch {batch_id} ({file_name}) är redan ångrad ({undone_at} av {undone_by})."
        )
    kind = KINDS[kind_name]
    later = [
        int(r[0])
        for r in store.rows(
            conn,
            f"SELECT DISTINCT _superseded_by FROM {kind.name} WHERE _batch_id = ? AND _superseded_by IS NOT NULL ORDER BY 1 DESC",  # noqa: S608
            [batch_id],
        )
    ]
    if later:
        listed = " och ".join(str(b) for b in later)
        raise UndoRefused(
            f"Batch {batch_id} ({file_name}) kan inte ångras: rader från den har ersatts av en senare import "
            f"(batch {listed}). Ångra batch {listed} först."
        )
    if kind.name == "units":
        orphans = _orphaned_units(conn, batch_id)
        if orphans:
            details = "; ".join(
                f"{KINDS[k].label_sv.lower()}: {', '.join(ids)}" for k, ids in orphans.items()
            )
            raise UndoRefused(
                f"Batch {batch_id} ({file_name}) kan inte ångras: då skulle data peka på enheter som inte längre finns "
                f"({details}). Ångra eller rätta de importerna först."
            )
    with store.transaction(conn):
        removed = store.scalar(conn, f"DELETE FROM {kind.name} WHERE _batch_id = ?", [batch_id])  # noqa: S608
        restored = store.scalar(
            conn,
            f"UPDATE {kind.name} SET _superseded_by = NULL WHERE _superseded_by = ?",  # noqa: S608
            [batch_id],
        )
        conn.execute(
            "UPDATE import_log SET undone_at = now(), undone_by = ? WHERE batch_id = ?",
            [current_user(user), batch_id],
        )
        store.bump_data_version(conn)
    if progress is not None:
        progress(0.05, "Importen är ångrad; nyckeltalen räknas om")
    warning = notify_data_change(conn, kind.name, part(progress, 0.05, 1.0))
    return UndoResult(
        batch_id, kind.name, file_name, int(removed or 0), int(restored or 0), warning
    )


def list_imports(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The import log, newest first (one row per batch)."""
    return store.frame(conn, "SELECT * FROM import_log ORDER BY batch_id DESC")
