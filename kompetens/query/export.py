"""The ``figures`` export: key figures as CSV or Parquet for other tools.

Grain: one row per key figure (indicator x level x scope x period type x
period x breakdown). Columns, in this order: ``EXPORT_COLUMNS``. The same
cells are hidden as on screen: the whole-table suppression mask
(``kompetens.query.suppression_store``; primary n < 5, linked and secondary
suppression coordinated across indicators and periods), also when only some
indicators are exported. On a suppressed row ``value``, ``numerator``,
``denominator`` and ``n_individuals`` are empty and ``suppressed`` is true.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from kompetens.core import store
from kompetens.indicators.key_figures import EXPORT_COLUMNS
from kompetens.indicators.registry import get
from kompetens.query import suppression_store
from kompetens.query.cache import _identity_and_stamp

FORMATS = (".csv", ".parquet")
#: Text a spreadsheet would evaluate as a formula (the prefixes of ``present.exports.neutralise``).
FORMULA_START = r"^[=+\-@\t\r]"


def figures_frame(
    conn: duckdb.DuckDBPyConnection, indicators: list[str] | None = None
) -> pl.DataFrame:
    """Key figures with the whole-table suppression mask applied, in ``EXPORT_COLUMNS`` order.

    The mask is the stored one when it is current, else the whole table
    suppressed here (once per database stamp): a subset of indicators hides
    exactly what the whole export and the pages hide.
    """
    for indicator_id in indicators or []:
        get(indicator_id)  # unknown ids fail loudly, with the list of known ones
    sql = (
        "SELECT indicator_id, level, scope_id, period_type, period, breakdown, numerator, denominator, "
        "value, n_individuals FROM key_figures"
    )
    params: list = []
    if indicators:
        sql += f" WHERE indicator_id IN ({', '.join('?' for _ in indicators)})"
        params = list(indicators)
    sql += " ORDER BY indicator_id, period_type, period, level, scope_id, breakdown"
    figures = store.frame(conn, sql, params)
    if not figures.height:
        return pl.DataFrame(
            schema={
                **{c: figures.schema.get(c, pl.String) for c in EXPORT_COLUMNS[:-1]},
                "suppressed": pl.Boolean,
            }
        )
    cur = conn.cursor()
    try:
        ctx = _identity_and_stamp(cur)
        mask = suppression_store.mask(cur, ctx, list(indicators) if indicators else None)
    finally:
        cur.close()
    return suppression_store.apply_mask(figures, mask).select(EXPORT_COLUMNS)


def export_figures(
    conn: duckdb.DuckDBPyConnection, out: Path, indicators: list[str] | None = None
) -> int:
    """Write the key figures to ``out`` (``.csv`` or ``.parquet``); returns the number of rows.

    CSV is UTF-8, comma-separated, decimal point, empty cells for suppressed
    or missing values: a file for other tools, not for Excel.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"okänt filformat {out.suffix!r}: använd .csv eller .parquet")
    frame = figures_frame(conn, indicators)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        # Area names are free text: one starting with = + - @ would run as a formula when the
        # CSV is opened in a spreadsheet. Prefixed with ' as the Excel downloads do; Parquet
        # keeps the names as they are (a typed file that no spreadsheet evaluates).
        texts = [c for c in ("scope_id", "breakdown") if c in frame.columns]
        frame = frame.with_columns(
            pl.when(pl.col(c).str.contains(FORMULA_START))
            .then(pl.lit("'") + pl.col(c))
            .otherwise(pl.col(c))
            .alias(c)
            for c in texts
        )
        frame.write_csv(out)
    else:
        frame.write_parquet(out)
    return frame.height
