"""Extension point: what must happen after the data changed (an import or an undo).

The importer calls ``after_data_change`` once its transaction has committed.
The composition root (``kompetens.wiring.wire()``) registers the callbacks of
the modules that derive data (the indicator engine's recompute) with
``on_data_change``; neither the importer nor this module imports them, so the
layers stay one-way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import duckdb

from kompetens.core.progress import Progress, part

DataChangeCallback = Callable[[duckdb.DuckDBPyConnection, frozenset[str], Progress], None]

_CALLBACKS: list[DataChangeCallback] = []


def on_data_change(fn: DataChangeCallback) -> DataChangeCallback:
    """Run ``fn(conn, changed_kinds, progress)`` after every import or undo (registering twice is a no-op).

    ``progress`` is the caller's (a no-op when it has none): the recompute this starts is
    most of an import's time, and the person who started it sees how far it has come.
    """
    if fn not in _CALLBACKS:
        _CALLBACKS.append(fn)
    return fn


_local = threading.local()


@contextmanager
def suspended() -> Iterator[None]:
    """Skip the callbacks in this thread inside the block.

    For bulk loads (the demo imports nine files): the caller runs
    ``after_data_change`` once, for every kind, after the block.
    """
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


def after_data_change(
    conn: duckdb.DuckDBPyConnection, kinds: Iterable[str], progress: Progress | None = None
) -> None:
    """Run the registered callbacks (unless suspended in this thread) for the changed kinds.

    The callbacks share ``progress``'s range 0..1 in equal parts, in the order registered.
    """
    if getattr(_local, "depth", 0):
        return
    changed = frozenset(kinds)
    callbacks = list(_CALLBACKS)
    for i, fn in enumerate(callbacks):
        fn(conn, changed, part(progress, i / len(callbacks), (i + 1) / len(callbacks)))


# --- after every recompute of the key figures ----------------------------------------------

FiguresCallback = Callable[[duckdb.DuckDBPyConnection, Progress], None]
StaleCheck = Callable[[duckdb.DuckDBPyConnection], bool]

#: Data derived from the whole key-figure table (the suppression mask): (compute, is_stale).
_AFTER_RECOMPUTE: list[tuple[FiguresCallback, StaleCheck]] = []


def on_figures_recomputed(fn: FiguresCallback, is_stale: StaleCheck) -> FiguresCallback:
    """Run ``fn(conn, progress)`` after every recompute of the key figures (registering twice is a no-op).

    The engine calls it inside the transaction that writes the figures, so the
    derived data commits (or rolls back) with them. ``is_stale(conn)`` says
    (reading only) whether the stored derived data no longer belongs to the stored
    figures; the engine's ``is_stale``/``refresh_if_stale`` ask it.
    """
    if all(fn is not known for known, _ in _AFTER_RECOMPUTE):
        _AFTER_RECOMPUTE.append((fn, is_stale))
    return fn


def figures_recomputed(conn: duckdb.DuckDBPyConnection, progress: Progress) -> None:
    """Run every after-recompute callback (the engine calls this; not suspended by ``suspended``).

    The callbacks share ``progress``'s range 0..1 in equal parts, in the order registered.
    """
    callbacks = [fn for fn, _ in _AFTER_RECOMPUTE]
    for i, fn in enumerate(callbacks):
        fn(conn, part(progress, i / len(callbacks), (i + 1) / len(callbacks)))


def has_figures_callbacks() -> bool:
    """Whether any after-recompute callback is registered (the engine splits its progress so)."""
    return bool(_AFTER_RECOMPUTE)


def stale_after_recompute(conn: duckdb.DuckDBPyConnection) -> list[FiguresCallback]:
    """The after-recompute callbacks whose stored result is stale (to be run again)."""
    return [fn for fn, is_stale in list(_AFTER_RECOMPUTE) if is_stale(conn)]
