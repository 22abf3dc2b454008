"""Extension point: what must happen after the data changed (an import or an undo).

The importer calls ``after_data_change`` once its transaction has committed.
Modules that derive data (the indicator engine) register a callback with
``on_data_change``; the importer never imports them directly, so the layers
stay one-way.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import duckdb

DataChangeCallback = Callable[[duckdb.DuckDBPyConnection, frozenset[str]], None]

_CALLBACKS: list[DataChangeCallback] = []

#: Modules imported before callbacks run, so that they can register themselves.
_REGISTRANTS: tuple[str, ...] = ("kompetens.indicators",)


def on_data_change(fn: DataChangeCallback) -> DataChangeCallback:
    """Decorator: run ``fn(conn, changed_kinds)`` after every import or undo."""
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
    if getattr(_local, "depth", 0):
        return
    for module in _REGISTRANTS:
        importlib.import_module(module)
    changed = frozenset(kinds)
    for fn in list(_CALLBACKS):
        fn(conn, changed)
