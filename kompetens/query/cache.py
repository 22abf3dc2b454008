"""The query layer's cache (guarantee 3 of ``kompetens.query``).

Grain: one entry per (function name, database identity, stamp, arguments).
The identity is the database file's path, or for an in-memory database a
lasting random ``instance_id`` kept in its ``meta`` table. The stamp is
``(data_version, row count of key_figures, newest key_figures_meta.computed_at)``:
it changes with every import, undo and recompute, and when it changes every
entry of that database is dropped. ``_cached`` keeps at most
``MAX_CACHE_ENTRIES`` entries, dropping the least recently used first. Keys
never hash frames; cached Polars frames are immutable, so a caller cannot
alter a cached result.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import duckdb

from kompetens.core import store

_CACHE: OrderedDict[tuple, Any] = OrderedDict()
_STAMPS: dict[str, tuple] = {}
_LOCK = threading.RLock()
MAX_CACHE_ENTRIES = 2048


def clear_cache() -> None:
    """Forget every cached result (tests; after a schema change)."""
    with _LOCK:
        _CACHE.clear()
        _STAMPS.clear()


def _has_table(cur: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        store.scalar(
            cur, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        )
    )


_STAMP_SQL = """SELECT
    (SELECT path FROM duckdb_databases() WHERE database_name = current_database()),
    (SELECT value FROM meta WHERE key = 'instance_id'),
    (SELECT value FROM meta WHERE key = 'data_version'),
    (SELECT count(*) FROM key_figures),
    (SELECT CAST(max(computed_at) AS VARCHAR) FROM key_figures_meta)"""


def _identity_and_stamp(cur: duckdb.DuckDBPyConnection) -> tuple[str, tuple]:
    """(database identity, stamp). The stamp changes with every import, undo and recompute.

    One round trip in the common case (≈ 2 ms); the engine rewrites the
    one-row ``key_figures_meta`` on every recompute, so its ``computed_at``
    and the row count of ``key_figures`` are a cheap, exact stamp.
    """
    try:
        path, instance, version, count, newest = store.rows(cur, _STAMP_SQL)[0]
    except duckdb.CatalogException:  # a database without the key-figure tables yet
        path = store.scalar(
            cur, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        )
        instance = store.scalar(cur, "SELECT value FROM meta WHERE key = 'instance_id'")
        version = store.data_version(cur)
        if _has_table(cur, "key_figures"):
            count, newest = store.rows(
                cur, "SELECT count(*), CAST(max(computed_at) AS VARCHAR) FROM key_figures"
            )[0]
        else:
            count, newest = 0, None
    if path:
        identity = str(path)
    else:  # in-memory: give the database a lasting random identity in its meta table
        identity = instance
        if identity is None:
            cur.execute(
                "INSERT INTO meta VALUES ('instance_id', ?) ON CONFLICT DO NOTHING",
                [uuid.uuid4().hex],
            )
            identity = store.scalar(cur, "SELECT value FROM meta WHERE key = 'instance_id'")
    return identity, (int(version or 0), count, newest)


def _cached(
    name: str,
    conn: duckdb.DuckDBPyConnection,
    args: tuple,
    compute: Callable[[duckdb.DuckDBPyConnection, tuple], Any],
) -> Any:
    """Run ``compute(cursor, ctx)`` once per (function, database, stamp, args)."""
    cur = conn.cursor()
    try:
        identity, stamp = _identity_and_stamp(cur)
        ctx = (identity, stamp)
        with _LOCK:
            if _STAMPS.get(identity) != stamp:
                for key in [k for k in _CACHE if k[1] == identity]:
                    del _CACHE[key]
                _STAMPS[identity] = stamp
            key = (name, identity, stamp, args)
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
        value = compute(cur, ctx)
        with _LOCK:
            _CACHE[key] = value
            while len(_CACHE) > MAX_CACHE_ENTRIES:
                _CACHE.popitem(last=False)
        return value
    finally:
        cur.close()


def _memo(
    name: str, cur: duckdb.DuckDBPyConnection, ctx: tuple, args: tuple, compute: Callable[[], Any]
) -> Any:
    """Cache an inner building block (a slice, the unit list) under the same stamp."""
    key = (name, ctx[0], ctx[1], args)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = compute()
    with _LOCK:
        _CACHE[key] = value
    return value
