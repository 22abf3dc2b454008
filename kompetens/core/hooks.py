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

DataChangeCallback = Callable[[duckdb.DuckDBPyConnection, frozenset[str]], None]

_CALLBACKS: list[DataChangeCallback] = []


def on_data_change(fn: DataChangeCallback) -> DataChangeCallback:
    """Run ``fn(conn, changed_kinds)`` after every import or undo (registering twice is a no-op)."""
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


def after_data_change(conn: duckdb.DuckDBPyConnection, kinds: Iterable[str]) -> None:
    """Run the registered callbacks (unless suspended in this thread) for the changed kinds."""
    if getattr(_local, "depth", 0):
        return
    changed = frozenset(kinds)
    for fn in list(_CALLBACKS):
        fn(conn, changed)
