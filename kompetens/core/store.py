"""The DuckDB store: connection, schema, migrations and the data version.

Grain of the raw tables: one table per import kind (see ``contract.KINDS``)
holding every row ever imported, each tagged with the import batch that wrote
it (``_batch_id``) and, once a later import replaced it, the batch that did so
(``_superseded_by``). The views ``current_<kind>`` show only live rows; every
reader (indicator pipelines, query layer) reads those views, never the raw
tables. Keeping superseded rows is what makes an import undoable.

Thread safety: a DuckDB connection is not thread-safe and Streamlit runs each
session on its own thread, so callers take a cursor per query or thread
(``connect(...).cursor()``) and never share one across threads.

Migrations: each schema step is a :class:`Migration` with a declared version
number, declared beside the tables it creates (version 1, the contract tables,
here; 2 ``key_figures`` in ``indicators.engine``; 3 dialogues in
``dialogue.dialogues``; 4 ``audit_events`` in ``access.audit``; 5 ``users`` in
``access.auth``). This module imports none of them: the composition root
(``kompetens.wiring.wire()``, called by every entry point) registers them with
:func:`register_migration` and then calls :func:`mark_wired`. Until then
:func:`connect` and :func:`migrate` raise :class:`NotWiredError`, so no process
can open a database knowing only part of the schema (it would mistake a
complete database for a newer one, or leave key figures stale after an import).
:func:`migrate` applies the registered migrations in version order, refuses a
gap in the numbers (:class:`SchemaError`) and refuses, with a Swedish message,
a database whose schema version is newer than this program's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from kompetens.core import paths
from kompetens.core.contract import KINDS, Column, Kind

SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "month": "DATE",
    "term": "DATE",
    "number": "DOUBLE",
    "fte": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
}

POLARS_TYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "code": pl.String(),
    "date": pl.Date(),
    "month": pl.Date(),
    "term": pl.Date(),
    "number": pl.Float64(),
    "fte": pl.Float64(),
    "int": pl.Int64(),
    "bool": pl.Boolean(),
}


def polars_schema(kind: Kind) -> dict[str, pl.DataType]:
    """The normalised (canonical, typed) Polars schema of a kind's rows."""
    return {c.name: POLARS_TYPES[c.type] for c in kind.columns}


def _column_ddl(col: Column) -> str:
    return f"{col.name} {SQL_TYPES[col.type]}"


def kind_ddl(kind: Kind) -> list[str]:
    """The raw table, its ``current_<kind>`` view and batch index of one contract kind.

    Version 1 creates the nine kinds of ``V1_KINDS``; a kind added to the contract later
    gets its tables from a later migration that calls this (e.g. the support register, 9).
    """
    # Identifiers come from the contract's own constants, never from input (DDL can't bind them).
    cols = ",\n    ".join(_column_ddl(c) for c in kind.columns)
    return [
        f"CREATE TABLE {kind.name} (\n    {cols},\n    _batch_id BIGINT NOT NULL,\n    _superseded_by BIGINT\n)",
        f"CREATE VIEW current_{kind.name} AS SELECT {', '.join(kind.column_names)} FROM {kind.name} WHERE _superseded_by IS NULL",  # noqa: S608
        f"CREATE INDEX {kind.name}_batch_idx ON {kind.name} (_batch_id)",
    ]


@dataclass(frozen=True)
class Migration:
    """One forward step of the schema: turns version ``version - 1`` into ``version``.

    ``statements`` returns the DDL/DML to run, in order, in one transaction.
    Released migrations are never edited and their numbers never reused: a new
    table gets the next free number, declared where the table's module is.
    """

    version: int
    name: str
    statements: Callable[[], list[str]]

    def ddl(self) -> list[str]:
        return list(self.statements())

    def same_as(self, other: Migration) -> bool:
        """Same number, name and statements (a re-registration, not a clash)."""
        return (self.version, self.name, self.ddl()) == (other.version, other.name, other.ddl())


class SchemaError(RuntimeError):
    """The registered migrations or the database's schema version cannot be reconciled."""


class NotWiredError(RuntimeError):
    """A database was opened before the composition root registered the migrations."""


#: The kinds whose tables version 1 creates. Released migrations never change, so a kind added
#: to the contract later is not listed here: its own migration calls :func:`kind_ddl`.
V1_KINDS: tuple[str, ...] = (
    "units",
    "staff",
    "events",
    "recruitments",
    "development",
    "placements",
    "survey",
    "sick_leave",
    "targets",
)


def _core_tables() -> list[str]:
    """Version 1: the nine contract tables, their current views, the import log and meta."""
    statements: list[str] = []
    for name in V1_KINDS:
        statements.extend(kind_ddl(KINDS[name]))
    statements += [
        "CREATE SEQUENCE batch_id_seq START 1",
        """CREATE TABLE import_log (
    batch_id BIGINT PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    rows_in BIGINT NOT NULL,
    rows_written BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    rows_replaced BIGINT NOT NULL,
    user_name VARCHAR NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    undone_at TIMESTAMPTZ,
    undone_by VARCHAR,
    warnings VARCHAR
)""",
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        "INSERT INTO meta VALUES ('data_version', '0')",
    ]
    return statements


#: Version 1, owned by the store itself; later versions are registered by ``kompetens.wiring``.
CORE_MIGRATION = Migration(1, "core_tables", _core_tables)

_REGISTERED: dict[int, Migration] = {CORE_MIGRATION.version: CORE_MIGRATION}
_wired = False


def register_migration(migration: Migration) -> Migration:
    """Register a migration under its declared version; registering the same one again is a no-op.

    Raises ``SchemaError`` if the version is taken by a different migration, or
    the name already has another version.
    """
    if isinstance(migration.version, bool) or not isinstance(migration.version, int):
        raise SchemaError(f"migration {migration.name!r}: version must be an int")
    if migration.version < 1:
        raise SchemaError(f"migration {migration.name!r}: version must be 1 or more")
    taken = _REGISTERED.get(migration.version)
    if taken is not None:
        if not taken.same_as(migration):
            raise SchemaError(
                f"migration version {migration.version} is already {taken.name!r}; "
                f"{migration.name!r} needs a new version number"
            )
        return taken
    for other in _REGISTERED.values():
        if other.name == migration.name:
            raise SchemaError(
                f"migration {migration.name!r} is already version {other.version}, "
                f"not {migration.version}"
            )
    _REGISTERED[migration.version] = migration
    return migration


def registered_migrations() -> tuple[Migration, ...]:
    """The registered migrations in version order; ``SchemaError`` if a number is missing."""
    highest = max(_REGISTERED)
    gaps = [v for v in range(1, highest + 1) if v not in _REGISTERED]
    if gaps:
        raise SchemaError(
            f"migration versions must run 1..{highest} without gaps; missing {gaps} "
            "(is a migration not registered in kompetens.wiring.wire()?)"
        )
    return tuple(_REGISTERED[v] for v in range(1, highest + 1))


def mark_wired() -> None:
    """Called by ``kompetens.wiring.wire()`` once every migration is registered."""
    global _wired
    _wired = True


def is_wired() -> bool:
    return _wired


def _require_wired() -> None:
    if not _wired:
        raise NotWiredError(
            "kompetens.core.store: the migrations are not registered. Call "
            "kompetens.wiring.wire() at the entry point (app, CLI, script, test set-up) "
            "before opening a database."
        )


def rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    """Run a query with bound parameters and fetch every row.

    DuckDB 2.0 streams results: a result from ``execute()`` that is not fully
    fetched keeps the connection busy. ``fetchone()`` alone is therefore a
    trap; everything in Kompetens fetches through here or ``frame``.
    """
    return conn.execute(sql, params or []).fetchall()


def scalar(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """First column of the first row (or None), with the result fully drained."""
    result = rows(conn, sql, params)
    return result[0][0] if result else None


def frame(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """A query's result as a Polars frame, with bound parameters."""
    return conn.sql(sql, params=params).pl() if params else conn.sql(sql).pl()


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    exists = scalar(
        conn, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    )
    if not exists:
        return 0
    version = scalar(conn, "SELECT max(version) FROM schema_version")
    return int(version) if version is not None else 0


class NewerDatabaseError(SchemaError):
    """The database was made or upgraded by a newer Kompetens than this one (Swedish message)."""


def _refuse_newer(conn: duckdb.DuckDBPyConnection, newest: int) -> int:
    current = schema_version(conn)
    if current > newest:
        where = scalar(
            conn, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        )
        raise NewerDatabaseError(
            f"Databasen {where or '(i minnet)'} har schemaversion {current}, men den här versionen "
            f"av Kompetens känner bara till version {newest}: databasen har skapats eller "
            "uppgraderats av en nyare version. Uppgradera Kompetens, eller öppna en "
            "säkerhetskopia som den här versionen har skapat."
        )
    return current


def migrate(conn: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to the newest registered version, one transaction per migration.

    Returns the schema version. Raises ``NotWiredError`` before ``kompetens.wiring.wire()``,
    ``SchemaError`` for a gap in the registered versions and ``NewerDatabaseError`` for a
    database newer than every registered migration (nothing is changed then).
    """
    _require_wired()
    migrations = registered_migrations()
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    current = _refuse_newer(conn, migrations[-1].version)
    for migration in migrations:
        if migration.version <= current:
            continue
        conn.execute("BEGIN TRANSACTION")
        try:
            for statement in migration.ddl():
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", [migration.version])
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        current = migration.version
    return current


def connect(
    db: str | os.PathLike[str] | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (and, unless read-only, migrate) the database. ``db`` follows ``paths.db_path``;
    ``":memory:"`` works.

    Needs ``kompetens.wiring.wire()`` first (``NotWiredError`` otherwise, before any
    file is touched). A read-only connection is not migrated but is still refused
    (``NewerDatabaseError``) if a newer Kompetens made the database.
    """
    _require_wired()
    target = ":memory:" if str(db) == ":memory:" else paths.db_path(db)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(str(target), read_only=read_only)
    else:
        conn = duckdb.connect(":memory:")
    try:
        if read_only:
            _refuse_newer(conn, registered_migrations()[-1].version)
        else:
            migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing block: commits on success, rolls back on any exception."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def data_version(conn: duckdb.DuckDBPyConnection) -> int:
    """A counter bumped by every import and undo; caches key on it."""
    value = scalar(conn, "SELECT value FROM meta WHERE key = 'data_version'")
    return int(value) if value is not None else 0


def bump_data_version(conn: duckdb.DuckDBPyConnection) -> int:
    conn.execute(
        "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version'"
    )
    return data_version(conn)


def read_current(conn: duckdb.DuckDBPyConnection, kind: str) -> pl.DataFrame:
    """Every live row of a kind as a typed Polars frame (canonical columns only)."""
    k = KINDS[kind]
    # The view name comes from the contract registry, never from user input.
    result = frame(conn, f"SELECT * FROM current_{k.name}")  # noqa: S608
    if not result.height:
        return pl.DataFrame(schema=polars_schema(k))
    return result.cast(polars_schema(k), strict=False)


def table_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Live row count per kind (used for 'is there data?' and for the start page)."""
    counts = {}
    for name in KINDS:
        counts[name] = int(scalar(conn, f"SELECT count(*) FROM current_{name}"))  # noqa: S608
    return counts


def append_rows(
    conn: duckdb.DuckDBPyConnection, kind: str, rows_frame: pl.DataFrame, batch_id: int
) -> int:
    """Append normalised rows of a kind, tagged with their batch. Caller owns the transaction.

    ``rows_frame`` must hold the kind's canonical columns (extra columns are ignored,
    missing optional ones are written as NULL).
    """
    k = KINDS[kind]
    schema = polars_schema(k)
    typed = rows_frame.select(
        [
            (pl.col(name) if name in rows_frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.items()
        ]
    ).with_columns(
        pl.lit(batch_id, dtype=pl.Int64).alias("_batch_id"),
        pl.lit(None, dtype=pl.Int64).alias("_superseded_by"),
    )
    conn.register("_append_rows", typed)
    try:
        # Table name from the contract registry, values through a registered frame.
        conn.execute(f"INSERT INTO {k.name} SELECT * FROM _append_rows")  # noqa: S608
    finally:
        conn.unregister("_append_rows")
    return typed.height


def next_batch_id(conn: duckdb.DuckDBPyConnection) -> int:
    return int(scalar(conn, "SELECT nextval('batch_id_seq')"))
