"""The query layer's cache (guarantee 3 of ``kompetens.query``).

Grain: one entry per (function name, database identity, stamp, arguments).
The identity is the database file's path — for a published read-only
snapshot (``data/kompetens.duckdb.snapshots/…``) the path of the database it
was copied from, so that a new snapshot with the same data (published after
an audit event, a dialogue note or a new user, none of which a cached
function reads) keeps the cache — or for an in-memory database a lasting
random ``instance_id`` kept in its ``meta`` table. The stamp is
``(data_version, row count of key_figures, newest key_figures_meta.computed_at)``:
it changes with every import, undo and recompute, and when a newer stamp is
seen every entry of that database at another stamp is dropped (a session
still reading an older snapshot computes its answers under the older stamp
without dropping the newer entries). ``_cached`` keeps at most
``MAX_CACHE_ENTRIES`` entries, dropping the least recently used first. Keys
never hash frames; cached Polars frames are immutable, so a caller cannot
alter a cached result.

Pinning (once per script run instead of once per call): working out the stamp
is a query (2–4 ms), and a page makes 7–14 cached calls. :func:`pin` works it
out once for a thread and remembers it together with a ``still_current``
check supplied by the caller (the app: "the published snapshot I read is
still the current one and no writer is at work", a ``stat`` or two). While
the check holds, a cached call on that thread is answered without a query.
The guarantee stays exact:

- a hit under a pin returns a value computed from the pinned database and
  stamp (values are only ever stored under the key of the data they were
  computed from: a miss still works out the cursor's own stamp);
- when ``still_current`` says no (a new snapshot was published, a writer
  holds the lock) or a miss finds the cursor on other data, the pin is
  dropped and every later call on that thread checks its own stamp again.

Heavy whole-database values (the whole-table suppression mask when the stored
one is missing or stale, ``kompetens.query.suppression_store``) are kept apart
from the LRU entries by :func:`once`: computed once per (name, database, stamp)
— a second caller waits for the first instead of computing it again — and kept
for the newest :data:`ONCE_KEEP` stamps of a database, never evicted by the
LRU bound.

Warming (``kompetens.ui.warmup``): :func:`recent_calls` lists the most
recently used calls (name, arguments and how to compute them) so that a
background thread can :func:`replay` them on a newly published database
before anyone asks.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from kompetens.core import store

_CACHE: OrderedDict[tuple, Any] = OrderedDict()
_STAMPS: dict[str, tuple] = {}
_LOCK = threading.RLock()
MAX_CACHE_ENTRIES = 2048
#: How many distinct recent calls :func:`recent_calls` remembers for warming.
MAX_RECENT_CALLS = 256
_RECENT: OrderedDict[tuple, Callable] = OrderedDict()
_PIN = threading.local()
#: Heavy values (:func:`once`): (name, identity, stamp) -> value, and a lock per key being computed.
_ONCE: OrderedDict[tuple, Any] = OrderedDict()
_ONCE_LOCKS: dict[tuple, threading.Lock] = {}
#: How many stamps of one database a heavy value is kept for (a session may still read the older one).
ONCE_KEEP = 2
#: A lock per building block being computed with ``_memo(..., wait=True)``.
_MEMO_LOCKS: dict[tuple, threading.Lock] = {}
#: Per thread: calls made while set are not remembered for warming (the warmer's own).
_UNRECORDED = threading.local()

Compute = Callable[[duckdb.DuckDBPyConnection, tuple], Any]


@dataclass(frozen=True)
class Pin:
    """One thread's remembered database identity and stamp, valid while ``still_current()``."""

    identity: str
    stamp: tuple
    still_current: Callable[[], bool]


def clear_cache() -> None:
    """Forget every cached result (tests; after a schema change)."""
    with _LOCK:
        _CACHE.clear()
        _STAMPS.clear()
        _RECENT.clear()
        _ONCE.clear()
    unpin()


def once(name: str, identity: str, stamp: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per (name, database identity, stamp), for values too heavy to recompute.

    Callers that ask for the same key while it is being computed wait for that
    computation instead of starting their own. Kept for the newest
    :data:`ONCE_KEEP` stamps of each (name, database); not subject to
    ``MAX_CACHE_ENTRIES``.
    """
    key = (name, identity, stamp)
    with _LOCK:
        if key in _ONCE:
            return _ONCE[key]
        gate = _ONCE_LOCKS.setdefault(key, threading.Lock())
    with gate:
        with _LOCK:
            if key in _ONCE:
                return _ONCE[key]
        value = compute()
        with _LOCK:
            _ONCE[key] = value
            _ONCE_LOCKS.pop(key, None)
            same = [k for k in _ONCE if k[:2] == key[:2]]
            for old in same[:-ONCE_KEEP]:
                del _ONCE[old]
        return value


def has_once(name: str, identity: str, stamp: tuple) -> bool:
    """Whether :func:`once` holds the value for this key already (no computation needed)."""
    with _LOCK:
        return (name, identity, stamp) in _ONCE


def pin(conn: duckdb.DuckDBPyConnection, still_current: Callable[[], bool]) -> Pin:
    """Work out ``conn``'s identity and stamp once and use them for this thread's cached calls.

    ``still_current()`` is asked before every use and must be cheap (no query);
    it must turn false as soon as the data ``conn`` reads could differ from
    what it read when pinned. One pin per thread; a new one replaces the old.
    """
    identity, stamp = stamp_of(conn)
    _PIN.value = Pin(identity, stamp, still_current)
    return _PIN.value


def stamp_of(conn: duckdb.DuckDBPyConnection) -> tuple[str, tuple]:
    """(database identity, stamp) of ``conn``: one query, on a cursor of its own."""
    cur = conn.cursor()
    try:
        return _identity_and_stamp(cur)
    finally:
        cur.close()


def unpin() -> None:
    """Forget this thread's pin: every cached call checks its own stamp again."""
    _PIN.value = None


def current_pin() -> Pin | None:
    """This thread's pin if it still holds (dropping it if not)."""
    held = getattr(_PIN, "value", None)
    if held is None:
        return None
    try:
        valid = bool(held.still_current())
    except Exception:  # a failing check never serves a value: fall back to stamps
        valid = False
    if not valid:
        _PIN.value = None
        return None
    return held


def recent_calls() -> list[tuple[str, tuple, Compute]]:
    """The most recently used cached calls, newest first: ``(name, args, compute)``."""
    with _LOCK:
        return [(name, args, fn) for (name, args), fn in reversed(_RECENT.items())]


def replay(
    conn: duckdb.DuckDBPyConnection,
    calls: Iterable[tuple[str, tuple, Compute]],
    *,
    stop: Callable[[], bool] = lambda: False,
) -> int:
    """Run ``calls`` (from :func:`recent_calls`) against ``conn``, filling the cache; returns how many ran.

    A call that fails (e.g. a unit that no longer exists) is skipped: warming
    never raises. ``stop()`` is asked between calls.
    """
    done = 0
    for name, args, compute in calls:
        if stop():
            break
        try:
            _cached(name, conn, args, compute, remember=False)
        except Exception:  # noqa: S112 (warming is best effort; the page will compute it itself)
            continue
        done += 1
    return done


def _primary_of(path: str) -> str:
    """The database a published snapshot was copied from (``X.snapshots/…`` -> ``X``), else ``path``."""
    parent = Path(path).parent
    if parent.name.endswith(".snapshots"):
        return str(parent.with_name(parent.name.removesuffix(".snapshots")))
    return path


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
        identity = _primary_of(str(path))
    else:  # in-memory: give the database a lasting random identity in its meta table
        identity = instance
        if identity is None:
            cur.execute(
                "INSERT INTO meta VALUES ('instance_id', ?) ON CONFLICT DO NOTHING",
                [uuid.uuid4().hex],
            )
            identity = store.scalar(cur, "SELECT value FROM meta WHERE key = 'instance_id'")
    return identity, (int(version or 0), count, newest)


def _see_stamp(identity: str, stamp: tuple) -> None:
    """Called under ``_LOCK`` when ``identity`` is seen at a stamp other than the recorded one.

    A newer stamp (higher data version, or the same version recomputed) drops
    every entry of ``identity``; an older one (a session still on an older
    snapshot) changes nothing: its answers are stored under its own stamp.
    """
    known = _STAMPS.get(identity)
    if known is not None and stamp[0] < known[0]:
        return
    for key in [k for k in _CACHE if k[1] == identity]:
        del _CACHE[key]
    _STAMPS[identity] = stamp


def _cached(
    name: str,
    conn: duckdb.DuckDBPyConnection,
    args: tuple,
    compute: Compute,
    *,
    remember: bool = True,
) -> Any:
    """Run ``compute(cursor, ctx)`` once per (function, database, stamp, args)."""
    if remember and not getattr(_UNRECORDED, "on", False):
        with _LOCK:
            _RECENT[(name, args)] = compute
            _RECENT.move_to_end((name, args))
            while len(_RECENT) > MAX_RECENT_CALLS:
                _RECENT.popitem(last=False)
    held = current_pin()
    if held is not None:
        with _LOCK:
            key = (name, held.identity, held.stamp, args)
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
    cur = conn.cursor()
    try:
        identity, stamp = _identity_and_stamp(cur)
        if held is not None and (identity, stamp) != (held.identity, held.stamp):
            unpin()  # this cursor reads other data than the pin: trust stamps again
        ctx = (identity, stamp)
        with _LOCK:
            if _STAMPS.get(identity) != stamp:
                _see_stamp(identity, stamp)
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
    name: str,
    cur: duckdb.DuckDBPyConnection,
    ctx: tuple,
    args: tuple,
    compute: Callable[[], Any],
    *,
    wait: bool = False,
) -> Any:
    """Cache an inner building block (a slice, the unit list) under the same stamp.

    ``wait``: a caller that asks while another thread computes the same block waits for
    it instead of computing it a second time beside it (for the heavy organisation-wide
    blocks the background warmer computes right after a start, while the first pages ask).
    """
    key = (name, ctx[0], ctx[1], args)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        gate = _MEMO_LOCKS.setdefault(key, threading.Lock()) if wait else None
    if gate is None:
        value = compute()
        with _LOCK:
            _CACHE[key] = value
        return value
    with gate:
        with _LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
        try:
            value = compute()
            with _LOCK:
                _CACHE[key] = value
        finally:
            with _LOCK:
                _MEMO_LOCKS.pop(key, None)
    return value


@contextlib.contextmanager
def unrecorded() -> Iterator[None]:
    """Calls in this block (this thread) are cached but not remembered for warming.

    The warmer's own calls would otherwise fill :func:`recent_calls` and push out the
    calls pages made, which are what it replays first after an import.
    """
    before = getattr(_UNRECORDED, "on", False)
    _UNRECORDED.on = True
    try:
        yield
    finally:
        _UNRECORDED.on = before
