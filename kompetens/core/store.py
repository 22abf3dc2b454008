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
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def _kind_ddl(kind: Kind) -> list[str]:
    # Identifiers come from the contract's own constants, never from input (DDL can't bind them).
    cols = ",\n    ".join(_column_ddl(c) for c in kind.columns)
    return [
        f"CREATE TABLE {kind.name} (\n    {cols},\n    _batch_id BIGINT NOT NULL,\n    _superseded_by BIGINT\n)",
        f"CREATE VIEW current_{kind.name} AS SELECT {', '.join(kind.column_names)} FROM {kind.name} WHERE _superseded_by IS NULL",  # noqa: S608
        f"CREATE INDEX {kind.name}_batch_idx ON {kind.name} (_batch_id)",
    ]


def _migration_1() -> list[str]:
    """Version 1: the nine contract tables, their current views, the import log and meta."""
    statements: list[str] = []
    for kind in KINDS.values():
        statements.extend(_kind_ddl(kind))
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


#: Forward migrations, applied in order. Append, never edit a released one:
#: each entry turns schema version N-1 into N without losing a user's data.
MIGRATIONS: list[Callable[[], list[str]]] = [_migration_1]


#: Modules that own later tables and register their migration on import, in version order.
#: ``migrate`` imports them first, so every ``connect`` builds the whole schema whatever the
#: caller happened to import (versions are list positions: the order must never change).
MIGRATION_OWNERS: tuple[str, ...] = (
    "kompetens.indicators.engine",
    "kompetens.dialogue.dialogues",
    "kompetens.access.audit",
    "kompetens.access.auth",
)


def register_migration(fn: Callable[[], list[str]]) -> int:
    """Append a migration (used by modules that own later tables); returns its version."""
    if fn not in MIGRATIONS:
        MIGRATIONS.append(fn)
    return MIGRATIONS.index(fn) + 1


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


def migrate(conn: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to the newest version, one transaction per migration."""
    for module in MIGRATION_OWNERS:
        importlib.import_module(module)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    current = schema_version(conn)
    for version, migration in enumerate(MIGRATIONS, start=1):
        if version <= current:
            continue
        conn.execute("BEGIN TRANSACTION")
        try:
            for statement in migration():
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        current = version
    return current


def connect(
    db: str | os.PathLike[str] | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (and migrate) the database. ``db`` follows ``paths.db_path``; ``":memory:"`` works."""
    target = ":memory:" if str(db) == ":memory:" else paths.db_path(db)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(str(target), read_only=read_only)
    else:
        conn = duckdb.connect(":memory:")
    if not read_only:
        migrate(conn)
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
