"""The stored suppression mask: the whole key-figure table suppressed once, read by every reader.

Coordinated suppression (``kompetens.query.suppression``, ``docs/suppression.md``)
needs the whole key-figure table at once: every indicator, period type,
breakdown and level. So the mask is computed once, over the whole table,
right after every recompute of the key figures (full or incremental), and
stored; pages (``query.slices``), briefs, the dialogue and the figures export
(``query.export``) all read it, so every reader hides exactly the same cells.

Tables (schema version 7, :data:`SUPPRESSION_MIGRATION`):

- ``key_figure_suppression`` — grain: one row per key figure (indicator x
  level x scope x period type x period x breakdown, the key of
  ``key_figures``) with ``suppressed`` (boolean) and ``reason``
  (``'primary'``: rests on 1–4 people; ``'linked'``: publishes a primary
  figure's own number, e.g. its count as another indicator's numerator;
  ``'secondary'``: hidden so that no hidden figure can be worked out; null
  when shown).
- ``key_figure_suppression_meta`` — one row, the *stamp*: the key figures the
  mask was computed from (their data version, ``key_figures_meta.computed_at``,
  the indicator code fingerprint and the row count) and the fingerprint of the
  suppression code that computed it, with when and in how many seconds.

The mask is **current** when its stamp equals the stored figures' stamp and
this program's suppression code (:func:`mask_state`). The composition root
(``kompetens.wiring``) registers :func:`store_mask` as an after-recompute
callback (``core.hooks.on_figures_recomputed``): the engine runs it inside the
transaction that writes the figures, so figures and mask commit together, and
readers (who read published snapshots, ``docs/operations.md``) never see one
without the other. When the stored mask is missing or stale (a database from
before version 7, or suppression code changed by an upgrade) a reader
computes the whole-table mask itself, once per database stamp
(``query.cache.once``), never per slice; ``kompetens doctor`` reports it, and
the next writer or the app's start-up refresh stores a current one.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

import duckdb
import polars as pl

from kompetens.core import store
from kompetens.core.progress import Progress
from kompetens.indicators import engine
from kompetens.indicators.key_figures import KEY_FIGURE_SCHEMA
from kompetens.query import cache

#: The key of a key figure: the columns that name one cell.
KEY_COLUMNS: list[str] = ["indicator_id", "level", "scope_id", "period_type", "period", "breakdown"]
#: The figure columns a hidden cell shows empty.
HIDDEN_COLUMNS: list[str] = ["value", "numerator", "denominator", "n_individuals"]
MASK_SCHEMA: dict[str, pl.DataType] = {
    **{c: pl.String() for c in KEY_COLUMNS},
    "suppressed": pl.Boolean(),
    "suppression_reason": pl.String(),
}
#: What :func:`mask_state` answers.
CURRENT, MISSING, STALE, NOT_NEEDED = "current", "missing", "stale", "not_needed"
#: Name of the whole-table mask a reader computes itself, in ``query.cache.once``.
_ONCE_NAME = "suppression_mask"

_FIGURES_SQL = (
    "SELECT indicator_id, level, scope_id, period_type, period, breakdown, numerator, denominator, "
    "value, n_individuals FROM key_figures "
    "ORDER BY indicator_id, period_type, period, level, scope_id, breakdown"
)


def _mask_ddl() -> list[str]:
    keys = ",\n    ".join(f"{c} VARCHAR NOT NULL" for c in KEY_COLUMNS)
    return [
        f"CREATE TABLE key_figure_suppression (\n    {keys},\n    suppressed BOOLEAN NOT NULL,\n"
        "    reason VARCHAR\n)",
        """CREATE TABLE key_figure_suppression_meta (
    data_version BIGINT NOT NULL,
    figures_computed_at VARCHAR NOT NULL,
    figures_code VARCHAR,
    figure_rows BIGINT NOT NULL,
    suppression_code VARCHAR NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    seconds DOUBLE NOT NULL
)""",
    ]


#: Schema version 7 (registered by ``kompetens.wiring``; never renumber a released migration).
SUPPRESSION_MIGRATION = store.Migration(7, "key_figure_suppression", _mask_ddl)


@functools.cache
def suppression_code() -> str:
    """Fingerprint of the suppression rules (every ``.py`` of ``kompetens/query/suppression/``)."""
    return engine.code_fingerprint(Path(__file__).parent / "suppression")


def _has_table(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        store.scalar(
            conn, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        )
    )


def figures_stamp(conn: duckdb.DuckDBPyConnection) -> tuple | None:
    """(data version, computed_at, indicator code, row count) of the stored key figures; None if none."""
    if not _has_table(conn, "key_figures_meta"):
        return None
    got = store.rows(
        conn,
        "SELECT data_version, CAST(computed_at AS VARCHAR), "
        "(SELECT value FROM meta WHERE key = ?), "
        "(SELECT count(*) FROM key_figures) FROM key_figures_meta LIMIT 1",
        [engine.CODE_VERSION_KEY],
    )
    if not got:
        return None
    version, at, code, count = got[0]
    return (int(version), str(at), code, int(count))


def stored_stamp(conn: duckdb.DuckDBPyConnection) -> dict | None:
    """The stored mask's stamp (``key_figure_suppression_meta``), or None when there is none."""
    if not _has_table(conn, "key_figure_suppression_meta"):
        return None
    got = store.rows(
        conn,
        "SELECT data_version, figures_computed_at, figures_code, figure_rows, suppression_code, "
        "CAST(computed_at AS VARCHAR), seconds FROM key_figure_suppression_meta LIMIT 1",
    )
    if not got:
        return None
    version, at, code, count, rules, computed_at, seconds = got[0]
    return {
        "figures": (int(version), str(at), code, int(count)),
        "suppression_code": rules,
        "computed_at": computed_at,
        "seconds": float(seconds),
    }


def mask_state(conn: duckdb.DuckDBPyConnection) -> str:
    """Whether the stored mask belongs to the stored figures: ``CURRENT``, ``MISSING``, ``STALE``,
    or ``NOT_NEEDED`` (no key figures were ever computed). Reads only."""
    figures = figures_stamp(conn)
    if figures is None:
        return NOT_NEEDED
    stamp = stored_stamp(conn)
    if stamp is None:
        return MISSING
    if stamp["figures"] != figures or stamp["suppression_code"] != suppression_code():
        return STALE
    return CURRENT


def is_stale(conn: duckdb.DuckDBPyConnection) -> bool:
    """The stored mask is missing or does not belong to the stored figures (the hook's check)."""
    return mask_state(conn) in (MISSING, STALE)


def compute_mask(conn: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> pl.DataFrame:
    """The whole key-figure table suppressed in one call: ``MASK_SCHEMA`` columns, one row per figure.

    The slow step (30–100 s for the 5,000-staff demo on a 2-core machine, ~2.5 minutes at
    50,000 staff); ``progress`` is told each of its steps.
    """
    from kompetens.query.suppression import apply_suppression

    figures = store.frame(conn, _FIGURES_SQL)
    if not figures.height:
        return pl.DataFrame(schema=MASK_SCHEMA)
    figures = figures.cast(KEY_FIGURE_SCHEMA, strict=False)
    units = store.frame(conn, "SELECT unit_id, area FROM current_units")
    out = apply_suppression(figures, units, with_reason=True, progress=progress)
    return out.select(*KEY_COLUMNS, "suppressed", "suppression_reason").cast(MASK_SCHEMA)


def store_mask(conn: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> int:
    """Compute the whole-table mask and store it with its stamp; returns the number of hidden cells.

    Runs in the caller's transaction (the engine's, after writing the figures),
    so the mask commits together with the figures it belongs to.
    """
    step = progress or (lambda fraction, message: None)
    step(0.0, "sekretessgranskning: döljer små tal i alla nyckeltal (kan ta en minut)")
    started = time.perf_counter()
    figures = figures_stamp(conn)
    mask = compute_mask(
        conn, lambda fraction, message: step(0.9 * fraction, f"sekretessgranskning: {message}")
    )
    seconds = time.perf_counter() - started
    step(0.9, "sparar sekretessgranskningen")
    conn.execute(_mask_ddl()[0].replace("CREATE TABLE", "CREATE OR REPLACE TABLE"))
    if mask.height:
        conn.register("_new_mask", mask)
        try:
            conn.execute(
                "INSERT INTO key_figure_suppression SELECT indicator_id, level, scope_id, "
                "period_type, period, breakdown, suppressed, suppression_reason FROM _new_mask"
            )
        finally:
            conn.unregister("_new_mask")
    conn.execute("DELETE FROM key_figure_suppression_meta")
    if figures is not None:
        version, at, code, count = figures
        conn.execute(
            "INSERT INTO key_figure_suppression_meta VALUES (?, ?, ?, ?, ?, now(), ?)",
            [version, at, code, count, suppression_code(), seconds],
        )
    step(1.0, "sekretessgranskningen klar")
    return int(mask["suppressed"].sum()) if mask.height else 0


def refresh_mask(conn: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> bool:
    """Store a current mask if the stored one is missing or stale (own transaction); True if it did."""
    store.migrate(conn)
    if not is_stale(conn):
        return False
    with store.transaction(conn):
        store_mask(conn, progress)
    return True


# --- readers -------------------------------------------------------------------------------


def _state(cur: duckdb.DuckDBPyConnection, ctx: tuple) -> str:
    return cache._memo("_mask_state", cur, ctx, (), lambda: mask_state(cur))


def _computed(cur: duckdb.DuckDBPyConnection, ctx: tuple) -> dict[tuple[str, str], pl.DataFrame]:
    """The whole-table mask computed here (stored one missing or stale), once per stamp,
    split by (indicator, period type)."""

    def compute() -> dict[tuple[str, str], pl.DataFrame]:
        mask = compute_mask(cur)
        return {
            key: part
            for key, part in mask.partition_by(
                "indicator_id", "period_type", as_dict=True, maintain_order=True
            ).items()
        }

    return cache.once(_ONCE_NAME, ctx[0], ctx[1], compute)


def mask_ready(cur: duckdb.DuckDBPyConnection, ctx: tuple) -> bool:
    """True when reading the mask costs no whole-table computation (stored and current, or computed)."""
    return _state(cur, ctx) in (CURRENT, NOT_NEEDED) or cache.has_once(_ONCE_NAME, ctx[0], ctx[1])


def _ctx(cur: duckdb.DuckDBPyConnection) -> tuple:
    """This thread's pinned (identity, stamp) when a pin holds, else the cursor's own (one query)."""
    held = cache.current_pin()
    return (held.identity, held.stamp) if held is not None else cache._identity_and_stamp(cur)


def ready(conn: duckdb.DuckDBPyConnection) -> bool:
    """True when a reader of ``conn`` gets the mask without suppressing the whole table first."""
    cur = conn.cursor()
    try:
        return mask_ready(cur, _ctx(cur))
    finally:
        cur.close()


def prepare(conn: duckdb.DuckDBPyConnection) -> bool:
    """Suppress the whole table now if readers of ``conn`` would have to (the stored mask is
    missing or stale), so that no page pays for it; True if it was computed here."""
    cur = conn.cursor()
    try:
        ctx = _ctx(cur)
        if mask_ready(cur, ctx):
            return False
        _computed(cur, ctx)
        return True
    finally:
        cur.close()


def mask(
    cur: duckdb.DuckDBPyConnection,
    ctx: tuple,
    indicator_ids: list[str] | None = None,
    period_type: str | None = None,
) -> pl.DataFrame:
    """The whole-table mask (``MASK_SCHEMA``), optionally of some indicators and one period type.

    ``ctx`` is the query cache's (database identity, stamp). The stored mask
    when it is current; else the whole table suppressed here, once per stamp.
    """
    state = _state(cur, ctx)
    if state == NOT_NEEDED:
        return pl.DataFrame(schema=MASK_SCHEMA)
    if state == CURRENT:
        sql = (
            "SELECT indicator_id, level, scope_id, period_type, period, breakdown, suppressed, "
            "reason AS suppression_reason FROM key_figure_suppression"
        )
        where, params = [], []
        if indicator_ids is not None:
            where.append(f"indicator_id IN ({', '.join('?' for _ in indicator_ids)})")  # noqa: S608 (placeholders only)
            params += list(indicator_ids)
        if period_type is not None:
            where.append("period_type = ?")
            params.append(period_type)
        if where:
            sql += " WHERE " + " AND ".join(where)
        if indicator_ids is not None and not indicator_ids:
            return pl.DataFrame(schema=MASK_SCHEMA)
        return store.frame(cur, sql, params).cast(MASK_SCHEMA)
    parts = _computed(cur, ctx)
    chosen = [
        part
        for (ind, pt), part in parts.items()
        if (indicator_ids is None or ind in indicator_ids)
        and (period_type is None or pt == period_type)
    ]
    return pl.concat(chosen) if chosen else pl.DataFrame(schema=MASK_SCHEMA)


def apply_mask(figures: pl.DataFrame, mask_frame: pl.DataFrame) -> pl.DataFrame:
    """Key-figure rows with the mask applied, in their order: ``suppressed`` and ``suppression_reason``
    added, and value, numerator, denominator and n_individuals emptied on hidden rows.

    A figure the mask does not name is hidden (fail closed); that only happens
    if figures and mask were not written together.
    """
    joined = figures.join(mask_frame, on=KEY_COLUMNS, how="left", maintain_order="left")
    hidden = pl.col("suppressed")
    return joined.with_columns(
        hidden.fill_null(True),
        pl.when(hidden.is_null())
        .then(pl.lit("secondary"))
        .otherwise(pl.col("suppression_reason"))
        .alias("suppression_reason"),
    ).with_columns(
        pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c)
        for c in HIDDEN_COLUMNS
        if c in figures.columns
    )


__all__ = [
    "CURRENT",
    "KEY_COLUMNS",
    "MASK_SCHEMA",
    "MISSING",
    "NOT_NEEDED",
    "STALE",
    "SUPPRESSION_MIGRATION",
    "apply_mask",
    "compute_mask",
    "figures_stamp",
    "is_stale",
    "mask",
    "mask_ready",
    "mask_state",
    "prepare",
    "ready",
    "refresh_mask",
    "store_mask",
    "stored_stamp",
    "suppression_code",
]
