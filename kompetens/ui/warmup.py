"""Warm start: the query cache is filled in the background, and checked once per script run.

Two things keep a page from waiting on a cold query layer:

1. **Warming** (:func:`ensure_warmer`). One daemon thread per server process
   (``kompetens-warmup``) watches the published snapshot (one ``stat`` of
   ``CURRENT.json`` every :data:`POLL_SECONDS`). For each new snapshot — the
   one found when the server starts, and every one a writer publishes after an
   import, undo or recompute — it opens its own cursor and fills the cache:
   first it replays the calls pages made most recently (``query.cache.recent_calls``,
   so after an import the pages people were looking at are ready again), then
   it loads the suppressed key-figure slices of every indicator for the period
   types the pages start on (:data:`WARM_PERIOD_TYPES`), which every scope's
   queries are built from, then the organisation-wide blocks several pages share
   (:func:`_shared_blocks`: the support-need ranking, the projection, …). Its own
   calls are not remembered as recent calls. A warm cut short by a new publication
   is taken up again on it. It runs at low priority (``nice``) and never holds
   a lock a page needs; a page that asks before the thread got there computes
   the answer itself, exactly as without warming.

2. **Pinning** (:func:`begin_run`). The frame calls it once at the start of
   every script run. It pins the query cache to the snapshot this run reads
   (``query.cache.pin``): one stamp query per run instead of one per cached
   call. The pin holds only while ``CURRENT.json`` is unchanged and no writer
   holds the lock (two ``stat`` calls per cached call), so a publication in
   the middle of a run is seen by the next cached call, never missed.

3. **The suppression mask** (:func:`mask_with_feedback`). Pages hide the cells of
   the whole-table suppression mask (``query.suppression_store``), stored with the
   key figures by every recompute. When the snapshot read has none that fits (a
   writer kept the lock during the start-up refresh, or the suppression rules
   changed), the whole table must be suppressed once before any figure is shown
   (up to a minute for a large organisation): the warmer does it first, and a page
   run that gets there before it shows a spinner with the reason meanwhile, never
   a silent wait.

Grain: one warmer per process and database file; one pin per script thread.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from kompetens import query
from kompetens.core import locking, snapshot
from kompetens.query import cache

#: Seconds between two looks at ``CURRENT.json`` (one ``stat``).
POLL_SECONDS = 2.0
#: Period types whose slices are loaded for every indicator (what the pages open on).
WARM_PERIOD_TYPES: tuple[str, ...] = ("year", "month")
#: ``nice`` increment of the warming thread (Linux: per thread), so pages go first.
NICE = 10

_LOG = logging.getLogger(__name__)
_THREAD_PREFIX = "kompetens-warmup"
_start_lock = threading.Lock()
_RUNNING: dict[str, tuple[threading.Thread, threading.Event]] = {}
_busy_count = 0
_busy_lock = threading.Lock()


def warming_now() -> int:
    """How many warmers are filling the cache right now (0 = idle)."""
    with _busy_lock:
        return _busy_count


def wait_until_idle(timeout: float = 600.0) -> bool:
    """Wait until no warmer is filling the cache (benchmarks); False on timeout."""
    deadline = time.monotonic() + timeout
    while warming_now():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _busy(delta: int) -> None:
    global _busy_count
    with _busy_lock:
        _busy_count += delta


def pointer_token(db_path: str | os.PathLike[str]) -> tuple | None:
    """A cheap fingerprint of the current publication (``stat`` of ``CURRENT.json``); None if none."""
    try:
        info = (snapshot.snapshot_dir(db_path) / snapshot.POINTER).stat()
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def writer_at_work(db_path: str | os.PathLike[str]) -> bool:
    """True while a writer's record is in the lock file (it is emptied when the lock is released).

    Conservative: the record of a writer that died also counts, which only
    turns pinning off (every cached call then checks its own stamp).
    """
    try:
        return locking.lock_path(db_path).stat().st_size > 0
    except FileNotFoundError:
        return False


def begin_run(db_path: str, conn: duckdb.DuckDBPyConnection) -> bool:
    """Pin the query cache for this script run to ``conn`` (the run's snapshot); True if pinned.

    Not pinned (every cached call checks its stamp, as before) when nothing is
    published, a writer is at work, or a publication happened while the
    connection was being fetched.
    """
    cache.unpin()
    before = pointer_token(db_path)
    if before is None or writer_at_work(db_path):
        return False

    def still_current() -> bool:
        return pointer_token(db_path) == before and not writer_at_work(db_path)

    try:
        cache.pin(conn, still_current)
    except duckdb.Error:
        cache.unpin()
        return False
    if not still_current():  # published while the stamp was read: do not trust it
        cache.unpin()
        return False
    return True


def _shared_blocks(conn: duckdb.DuckDBPyConnection) -> tuple[Callable[[], object], ...]:
    """The organisation-wide computations behind the pages' first screens, for every scope.

    The support-need ranking and the projection are kept apart from the scope that asked
    (``query.support_need`` and ``query.projection`` filter one whole-organisation result),
    so after warming a principal's or an area manager's Stödbehov ranking and dialogue
    outlook only filter them. The before-and-after comparison is kept per scope, but the
    rankings at each support start and the unit rows it reads are shared, so another
    scope's comparison is left with its own small windows. At 50,000 staff these took
    2–4 s on a page's first run after a start or an import. Then HR's Datakvalitet (the
    organisation's scope): the snapshot check and the coverage counts (0.6 s at 50,000).
    """
    from kompetens.query import projection, support_effect

    everything = query.Scope.everything()
    return (
        lambda: query.support_need(conn, everything),
        lambda: support_effect.before_after(conn, everything),
        lambda: projection.projection(conn, everything),
        lambda: query.incomplete_snapshots(conn, everything),
        lambda: query.coverage(conn, everything),
    )


def warm_once(
    conn: duckdb.DuckDBPyConnection,
    *,
    period_types: tuple[str, ...] = WARM_PERIOD_TYPES,
    shared: bool = True,
    stop: Callable[[], bool] = lambda: False,
) -> dict[str, float]:
    """Fill the cache for ``conn``: recent calls, every indicator's slices, the shared blocks.

    Returns what it did: ``{"replayed": n, "slices": n, "shared": n, "seconds": s}``. First
    of all the suppression mask, when the snapshot has no current one (every slice needs
    it). ``shared``: also the organisation-wide blocks of :func:`_shared_blocks`.
    """
    from kompetens.query import suppression_store

    started = time.perf_counter()
    cur = conn.cursor()
    try:
        suppression_store.prepare(cur)
        replayed = cache.replay(cur, cache.recent_calls(), stop=stop)
        with cache.unrecorded():  # its own calls are not what pages asked for
            slices, blocks = _warm_slices_and_blocks(cur, conn, period_types, shared, stop)
    finally:
        cur.close()
    return {
        "replayed": replayed,
        "slices": slices,
        "shared": blocks,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _warm_slices_and_blocks(
    cur: duckdb.DuckDBPyConnection,
    conn: duckdb.DuckDBPyConnection,
    period_types: tuple[str, ...],
    shared: bool,
    stop: Callable[[], bool],
) -> tuple[int, int]:
    """Every indicator's slices for ``period_types``, then the shared blocks; (slices, blocks)."""
    from kompetens.indicators import registry

    slices = 0
    everything = query.Scope.everything()
    for indicator in registry.engine_indicators():
        for period_type in period_types:
            if stop():
                break
            try:
                # Loads (and caches) the slice; the scope-filtered result is dropped.
                query.figures(cur, everything, [indicator.id], (period_type,))
                slices += 1
            except Exception:  # noqa: S112 (best effort: a page computes it itself)
                continue
    blocks = 0
    for block in _shared_blocks(conn) if shared else ():
        if stop():
            break
        try:
            block()
            blocks += 1
        except Exception:  # noqa: S112 (best effort: a page computes it itself)
            continue
    return slices, blocks


def _lower_priority() -> None:
    # Not Linux, or not allowed: run at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


def _watch(
    db_path: str,
    open_current: Callable[[], duckdb.DuckDBPyConnection | None],
    stop: threading.Event,
) -> None:
    _lower_priority()
    seen: tuple | None = None  # the publication looked at last
    warmed: tuple | None = None  # the (identity, stamp) warmed last
    # A database that was removed (a test's) ends its warmer, and so does stop_warmers().
    while Path(db_path).exists() and not stop.is_set():
        token = pointer_token(db_path)
        if token is not None and token != seen and not writer_at_work(db_path):
            seen = token
            try:
                conn = open_current()
                # A publication without new data (an audit event, a dialogue note) keeps the
                # cache as it is (the stamp is the same): nothing to warm.
                stamp = cache.stamp_of(conn) if conn is not None else None
                if stamp is not None and stamp != warmed:

                    def moved_on(now: tuple = token) -> bool:
                        return stop.is_set() or pointer_token(db_path) != now

                    _busy(+1)
                    try:
                        done = warm_once(conn, stop=moved_on)
                    finally:
                        _busy(-1)
                    # Only a warm that ran to the end counts. One cut short by a publication
                    # without new data (a sign-in's audit event, right after a start) is taken
                    # up again on the new snapshot at the next look; what it cached still hits.
                    if not moved_on():
                        warmed = stamp
                    _LOG.info("warmed the query cache for %s: %s", db_path, done)
            except Exception:  # never let the warmer die: pages would only be slower
                _LOG.exception("could not warm the query cache for %s", db_path)
        stop.wait(POLL_SECONDS)


def thread_name(db_path: str | os.PathLike[str]) -> str:
    return f"{_THREAD_PREFIX}:{Path(db_path).resolve()}"


def ensure_warmer(
    db_path: str, open_current: Callable[[], duckdb.DuckDBPyConnection | None]
) -> bool:
    """Start the warming thread for ``db_path`` unless one runs already; True if it was started.

    ``open_current()`` returns the connection to the current snapshot (the
    app's shared read-only connection); the thread only takes cursors from it.
    Found by name, so a module reload cannot start a second one.
    """
    name = thread_name(db_path)
    with _start_lock:
        if any(t.name == name and t.is_alive() for t in threading.enumerate()):
            return False
        stop = threading.Event()
        thread = threading.Thread(
            target=_watch, args=(db_path, open_current, stop), name=name, daemon=True
        )
        _RUNNING[name] = (thread, stop)
        thread.start()
    return True


def stop_warmers(timeout: float = 10.0) -> None:
    """Stop every warming thread of this process and wait for them (tests; process exit).

    A thread killed inside DuckDB when the interpreter exits can abort the
    process, so exit waits for the current query to finish instead.
    """
    with _start_lock:
        running = list(_RUNNING.values())
        _RUNNING.clear()
    for _thread, stop in running:
        stop.set()
    for thread, _stop in running:
        thread.join(timeout)


atexit.register(stop_warmers)


def start(db_path: str) -> None:
    """The frame's one call per script run: start the warmer (once) and pin this run."""
    from kompetens.ui.context import app_database

    app_db = app_database(db_path)  # the process's snapshot reader (a Streamlit resource)
    ensure_warmer(db_path, app_db.connection)
    conn = app_db.connection()
    begin_run(db_path, conn)
    mask_with_feedback(conn)


#: What a page run shows while the whole table is suppressed for it.
MASK_WAIT_TEXT = (
    "Sekretessgranskning: små tal döljs i alla nyckeltal på en gång. Det görs en gång efter "
    "en uppdatering och kan ta upp till en minut …"
)


def mask_with_feedback(conn: duckdb.DuckDBPyConnection) -> bool:
    """Before a page reads figures: if the snapshot has no current suppression mask, suppress
    the whole table now under a spinner (once per data stamp: other sessions wait for the
    same computation, under their own spinner). True if the page had to wait."""
    from kompetens.query import suppression_store

    try:
        if suppression_store.ready(conn):
            return False
    except duckdb.Error:
        return False  # the page's own queries report the problem
    import streamlit as st

    with st.spinner(MASK_WAIT_TEXT, show_time=True):
        suppression_store.prepare(conn)
    return True
