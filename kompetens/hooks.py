"""Extension point: what must happen after the data changed (an import or an undo).

The importer calls ``after_data_change`` once its transaction has committed.
Modules that derive data (the indicator engine) register a callback with
``on_data_change``; the importer never imports them directly, so the layers
stay one-way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

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


def after_data_change(conn: duckdb.DuckDBPyConnection, kinds: Iterable[str]) -> None:
    for module in _REGISTRANTS:
        importlib.import_module(module)
    changed = frozenset(kinds)
    for fn in list(_CALLBACKS):
        fn(conn, changed)
