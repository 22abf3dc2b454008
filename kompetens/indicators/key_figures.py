"""The key-figure row: one declaration from which the pipelines' output, the table and the export
are made.

Grain: one row per indicator x level (org / area / unit) x scope id x period type (month, year,
rolling_12m) x period x breakdown. ``numerator`` and ``denominator`` are in the indicator's own
units (people, FTE, days, hours, answers); ``value`` is their ratio (a share 0-1, a rate, a mean)
or a count; ``n_individuals`` is the number of distinct people behind the figure, which the
small-number rule reads.
"""

from __future__ import annotations

import polars as pl

#: name -> (Polars type, DuckDB type). The key columns are NOT NULL in the table.
_COLUMNS: dict[str, tuple[pl.DataType, str]] = {
    "indicator_id": (pl.String(), "VARCHAR NOT NULL"),
    "level": (pl.String(), "VARCHAR NOT NULL"),
    "scope_id": (pl.String(), "VARCHAR NOT NULL"),
    "period_type": (pl.String(), "VARCHAR NOT NULL"),
    "period": (pl.String(), "VARCHAR NOT NULL"),
    "breakdown": (pl.String(), "VARCHAR NOT NULL"),
    "numerator": (pl.Float64(), "DOUBLE"),
    "denominator": (pl.Float64(), "DOUBLE"),
    "value": (pl.Float64(), "DOUBLE"),
    "n_individuals": (pl.Int64(), "BIGINT"),
}

#: The Polars schema of a key-figure frame, in column order.
KEY_FIGURE_SCHEMA: dict[str, pl.DataType] = {name: dtype for name, (dtype, _) in _COLUMNS.items()}

#: The columns of the figures export (``kompetens figures``): the key figure, then ``suppressed``.
EXPORT_COLUMNS: list[str] = [*KEY_FIGURE_SCHEMA, "suppressed"]


def key_figures_ddl() -> str:
    """``CREATE TABLE key_figures``: the key-figure columns plus when they were computed."""
    columns = ",\n    ".join(f"{name} {sql}" for name, (_, sql) in _COLUMNS.items())
    return f"CREATE TABLE key_figures (\n    {columns},\n    computed_at TIMESTAMPTZ NOT NULL\n)"
