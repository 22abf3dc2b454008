"""Writing benchmark rows as logged, undoable batches, and the fetch settings.

Every write is one DuckDB transaction: rows with the same key (``schema.KEY``)
that a batch replaces are marked ``_superseded_by = batch`` (never deleted), so
undoing a batch deletes its rows and clears that mark — the contract tables'
scheme (``ingest.writer``). Batch numbers come from the store's one sequence,
so a benchmark batch never shares a number with a contract import; the log is
``external_import_log``.

Benchmark data changes no key figure, so a write does not bump the store's
``data_version`` (that would recompute every key figure); the query functions
for benchmarks read the table directly and are not cached.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import polars as pl

from kompetens.core import store
from kompetens.external.errors import ExternalRejected, UndoRefusedExternal
from kompetens.external.parse import Context, deduplicate, parse_file
from kompetens.external.schema import COLUMNS, KEY, ROW_SCHEMA


@dataclass(frozen=True)
class BenchmarkImport:
    """What an import or fetch did."""

    batch_id: int | None
    file_name: str
    rows_written: int
    rows_replaced: int
    already_imported: bool = False

    def __str__(self) -> str:
        if self.already_imported:
            return f"{self.file_name} är redan importerad (batch {self.batch_id}) – inget ändrades."
        return (
            f"Batch {self.batch_id} ({self.file_name}): {self.rows_written} jämförelsevärden sparade, "
            f"{self.rows_replaced} äldre värden ersatta."
        )


def _user(user: str | None) -> str:
    from kompetens.ingest.writer import current_user

    return current_user(user)


def previous_import(conn: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    """The newest live batch with this checksum whose rows are all still current."""
    found = store.rows(
        conn,
        "SELECT batch_id FROM external_import_log WHERE sha256 = ? AND undone_at IS NULL "
        "ORDER BY batch_id DESC LIMIT 1",
        [sha256],
    )
    if not found:
        return None
    batch = int(found[0][0])
    replaced = store.scalar(
        conn,
        "SELECT count(*) FROM external_values WHERE _batch_id = ? AND _superseded_by IS NOT NULL",
        [batch],
    )
    return None if replaced else batch


def write_rows(
    conn: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame,
    *,
    file_name: str,
    sha256: str,
    how: str,
    user: str | None = None,
) -> BenchmarkImport:
    """Supersede what ``rows`` replaces, append them and log the batch; one transaction."""
    rows = deduplicate(rows.select(COLUMNS).cast(ROW_SCHEMA), file_name)
    earlier = previous_import(conn, sha256)
    if earlier is not None:
        return BenchmarkImport(earlier, file_name, 0, 0, already_imported=True)
    with store.transaction(conn):
        batch_id = store.next_batch_id(conn)
        conn.register("_incoming_external", rows.select(KEY).unique())
        try:
            match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM k.{k}" for k in KEY)
            replaced = store.scalar(
                conn,
                # Column names from schema.KEY (constants), the batch id bound.
                "UPDATE external_values AS t SET _superseded_by = ? FROM _incoming_external AS k "  # noqa: S608
                f"WHERE t._superseded_by IS NULL AND {match}",
                [batch_id],
            )
        finally:
            conn.unregister("_incoming_external")
        stamped = rows.with_columns(
            pl.lit(batch_id, pl.Int64).alias("_batch_id"),
            pl.lit(None, pl.Int64).alias("_superseded_by"),
        )
        conn.register("_append_external", stamped)
        try:
            conn.execute("INSERT INTO external_values SELECT * FROM _append_external")
        finally:
            conn.unregister("_append_external")
        conn.execute(
            "INSERT INTO external_import_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, now(), NULL, NULL)",
            [
                batch_id,
                file_name,
                sha256,
                how,
                rows.height,
                rows.height,
                int(replaced or 0),
                _user(user),
            ],
        )
    return BenchmarkImport(batch_id, file_name, rows.height, int(replaced or 0))


def context(conn: duckdb.DuckDBPyConnection, fetched_how: str) -> Context:
    """The parse context from the settings and the units: own municipality and display names."""
    import datetime as dt

    settings = read_settings(conn)
    names: dict[str, str] = {}
    own = settings.get("municipality")
    if own:
        names[own] = settings.get("municipality_name") or f"Kommun {own}"
    if settings.get("group_id"):
        names[settings["group_id"]] = settings.get("group_name") or "Liknande kommuner"
    for ou_id, code, unit_name in store.rows(
        conn, "SELECT kolada_ou_id, school_unit_code, unit_name FROM current_units"
    ):
        for key in (ou_id, code):
            if key:
                names.setdefault(key, unit_name)
    return Context(own, names, fetched_how, dt.datetime.now(dt.UTC))


def import_benchmark_file(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    data: bytes,
    *,
    period: str | None = None,
    user: str | None = None,
) -> BenchmarkImport:
    """Import one Kolada or Skolverket file: all rows or none (``ExternalRejected``)."""
    rows = parse_file(name, data, context(conn, f"fil: {name}"), period=period)
    if rows.is_empty():
        raise ExternalRejected(f"{name}: filen innehåller inga värden; inget importerades.")
    sha = hashlib.sha256(data).hexdigest()
    return write_rows(conn, rows, file_name=name, sha256=sha, how="file", user=user)


@dataclass(frozen=True)
class BenchmarkUndo:
    batch_id: int
    file_name: str
    rows_removed: int
    rows_restored: int

    def __str__(self) -> str:
        return (
            f"Batch {self.batch_id} ({self.file_name}) är ångrad: {self.rows_removed} jämförelsevärden "
            f"togs bort och {self.rows_restored} tidigare värden återställdes."
        )


def undo_benchmarks(
    conn: duckdb.DuckDBPyConnection, batch_id: int, *, user: str | None = None
) -> BenchmarkUndo:
    """Remove a benchmark batch and restore what it replaced (one transaction)."""
    found = store.rows(
        conn,
        "SELECT file_name, undone_at IS NOT NULL FROM external_import_log WHERE batch_id = ?",
        [batch_id],
    )
    if not found:
        raise UndoRefusedExternal(f"Batch {batch_id} finns inte bland jämförelseimporterna.")
    file_name, undone = found[0]
    if undone:
        raise UndoRefusedExternal(f"Batch {batch_id} ({file_name}) är redan ångrad.")
    later = store.rows(
        conn,
        "SELECT DISTINCT _superseded_by FROM external_values WHERE _batch_id = ? AND _superseded_by IS NOT NULL",
        [batch_id],
    )
    if later:
        listed = " och ".join(str(r[0]) for r in later)
        raise UndoRefusedExternal(
            f"Batch {batch_id} ({file_name}) kan inte ångras: en senare import (batch {listed}) har "
            f"ersatt värden från den. Ångra batch {listed} först."
        )
    with store.transaction(conn):
        removed = store.scalar(conn, "DELETE FROM external_values WHERE _batch_id = ?", [batch_id])
        restored = store.scalar(
            conn,
            "UPDATE external_values SET _superseded_by = NULL WHERE _superseded_by = ?",
            [batch_id],
        )
        conn.execute(
            "UPDATE external_import_log SET undone_at = now(), undone_by = ? WHERE batch_id = ?",
            [_user(user), batch_id],
        )
    return BenchmarkUndo(batch_id, file_name, int(removed or 0), int(restored or 0))


def list_benchmark_imports(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The benchmark import log, newest first (one row per batch)."""
    return store.frame(conn, "SELECT * FROM external_import_log ORDER BY batch_id DESC")


# ---- Settings -----------------------------------------------------------------------------

#: Setting -> (default, Swedish description). Stored in ``external_settings``.
SETTINGS: dict[str, tuple[str, str]] = {
    "municipality": ("", "Egen kommunkod i Kolada (fyra siffror, t.ex. 1283)"),
    "municipality_name": ("", "Egen kommuns namn, som det visas"),
    "group_id": ("", "Kolada-id för jämförelsegruppen (tomt: sök på gruppens titel)"),
    "group_name": ("", "Jämförelsegruppens namn, som det visas"),
    "group_title": (
        "Liknande kommuner grundskola",
        "Början på titeln för Koladas grupp av liknande kommuner, när group_id är tomt",
    ),
    "kpis": ("", "Kolada-nyckeltal att hämta, kommaseparerade (tomt: registrets Kolada-id:n)"),
    "kolada_url": ("https://api.kolada.se/v3", "Koladas API-adress"),
    "skolverket_url": (
        "https://api.skolverket.se/planned-educations/v3",
        "Skolverkets API för skolenhetsstatistik",
    ),
    "timeout_seconds": ("10", "Längsta väntan på ett svar (sekunder)"),
    "retries": ("2", "Antal nya försök efter ett serverfel eller en time-out"),
}


def read_settings(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every setting: the stored value, else the default."""
    stored = dict(store.rows(conn, "SELECT key, value FROM external_settings"))
    return {key: stored.get(key, default) for key, (default, _) in SETTINGS.items()}


def write_settings(conn: duckdb.DuckDBPyConnection, changes: dict[str, str]) -> dict[str, str]:
    unknown = [k for k in changes if k not in SETTINGS]
    if unknown:
        raise ExternalRejected(
            f"Okänd inställning: {', '.join(unknown)}. Giltiga: {', '.join(SETTINGS)}."
        )
    municipality = changes.get("municipality")
    if municipality and not (len(municipality) == 4 and municipality.isdigit()):
        raise ExternalRejected(f"Kommunkoden '{municipality}' ska vara fyra siffror (t.ex. 1283).")
    with store.transaction(conn):
        for key, value in changes.items():
            conn.execute(
                "INSERT INTO external_settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
    return read_settings(conn)
