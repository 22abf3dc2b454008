"""Cells that publish the same number: across indicators, breakdowns and period types.

Two key figures can carry the same quantity: the count ``in_certification_programme``
(``staff_category=teacher``) is the numerator of ``on_certification_path_share``
(``staff_category=teacher``); the total exits are the ``all`` row of
``exit_reasons`` and the denominator of every ``reason=`` row; a flow's year is
its rolling 12 months ending in December; a stock's year is its reference
month. Hiding one and showing the other hides nothing.

Such relations are not declared by hand (they follow from definitions and
from the data alike): they are **learned** the way an attacker would learn
them, from the area and organisation cells, where numbers are large and
equal only by construction. A relation is a pair of *columns*
(period type | indicator | breakdown | field, plus ``@MM`` for one month of a
year) that coincide at the same scope and period in at least ``min_matches``
places and ``min_rate`` of the places where both are present.

Grain: ``entries`` has one row per (cell, field); ``anchored`` keys each entry
by its own period and, for months and rolling windows, by their year as well.
"""

from __future__ import annotations

import polars as pl

KEY = ["indicator_id", "level", "scope_id", "period_type", "period", "breakdown"]
FIELDS = ("value", "numerator", "denominator", "n_individuals")
#: The fields whose recovery discloses something about the people behind a hidden cell.
#: A denominator on its own is the population (e.g. all exits of a unit, shown in its
#: ``all`` row), not what was hidden.
SECRET_FIELDS = ("value", "numerator", "n_individuals")
_SEP = "|"


def entries(cells: pl.DataFrame, prefix: str = "") -> pl.DataFrame:
    """One row per (cell, field): ``_cell``, the key columns, ``field``, ``val``.

    ``val`` is the column ``prefix + field`` of ``cells``.
    """
    return pl.concat(
        [
            cells.select(
                pl.col("_cell").cast(pl.UInt32),
                *KEY,
                pl.lit(f).alias("field"),
                pl.col(prefix + f).cast(pl.Float64).alias("val"),
            )
            for f in FIELDS
        ]
    )


def anchored(frame: pl.DataFrame) -> pl.DataFrame:
    """Entries with ``col`` (what is published) and ``key`` (where and when), see module docstring.

    ``_ycopy`` marks the extra copy of a month or rolling-window entry keyed by its year. The
    key columns ``col`` and ``key`` encode (indicator, scope, period, breakdown) are dropped;
    ``level``, ``period_type`` and ``field`` are kept as categoricals, any other column as it is.
    """
    base = pl.concat_str(["period_type", "indicator_id", "breakdown", "field"], separator=_SEP)
    lazy = frame.lazy().with_columns(pl.col("val").round(6).alias("_v"))
    # ``col`` and ``key`` are categoricals, and the key columns they encode are dropped: as
    # strings they were most of the memory of the whole mask (four entries per cell, most
    # cells twice, held from here to the end of the mask)
    own = lazy.with_columns(
        base.cast(pl.Categorical).alias("col"),
        pl.concat_str(["level", "scope_id", "period"], separator=_SEP)
        .cast(pl.Categorical)
        .alias("key"),
        pl.lit(False).alias("_ycopy"),
    )
    copies = lazy.filter(pl.col("period_type") != "year").with_columns(
        pl.concat_str([base, pl.lit("@"), pl.col("period").str.slice(5, 2)])
        .cast(pl.Categorical)
        .alias("col"),
        pl.concat_str(["level", "scope_id", pl.col("period").str.slice(0, 4)], separator=_SEP)
        .cast(pl.Categorical)
        .alias("key"),
        pl.lit(True).alias("_ycopy"),
    )
    return (
        pl.concat([own, copies])
        .drop("indicator_id", "scope_id", "period", "breakdown")
        .with_columns(pl.col("level", "period_type", "field").cast(pl.Categorical))
        .collect()
    )


def learn_relations(
    anchored_entries: pl.DataFrame, *, min_matches: int = 5, min_rate: float = 0.95
) -> pl.DataFrame:
    """Pairs of columns that coincide on the area and organisation entries given.

    ``anchored_entries``: ``anchored`` output; rows with a null or zero ``val``
    and unit rows are ignored (pass only what the learner may see). Returns
    ``col_a, col_b, matches, rate`` (``col_a < col_b``).
    """
    schema = {"col_a": pl.String, "col_b": pl.String, "matches": pl.UInt32, "rate": pl.Float64}
    learn = anchored_entries.filter(
        pl.col("level").is_in(["area", "org"]) & pl.col("val").is_not_null() & (pl.col("val") != 0)
    )
    # Integer ids for columns (in sorted order, so that c_a < c_b is col_a < col_b) and places,
    # and the pair join streamed: the pairs of entries equal at one place are many more than the
    # entries (measured at 5,000 generator staff: 16 s CPU and +4.4 GB as strings in memory,
    # 5 s and +0.2 GB like this).
    cols = (
        learn.select(pl.col("col").unique())
        .with_columns(pl.col("col").cast(pl.String).alias("_name"))
        .sort("_name")
        .with_row_index("c")
    )
    keys = learn.select(pl.col("key").unique()).with_row_index("k")
    learn = (
        learn.join(cols, on="col")
        .join(keys, on="key")
        .select(
            "c",
            "k",
            "_v",
            pl.col("_cell").cast(pl.UInt32),
            # 0: an entry of a month or window, 1: of a year, 2: a month's or window's year copy
            pl.when(pl.col("_ycopy"))
            .then(2)
            .when(pl.col("period_type") == "year")
            .then(1)
            .otherwise(0)
            .cast(pl.UInt8)
            .alias("t"),
        )
    )
    a = learn.lazy().rename({"c": "c_a", "_cell": "x_a", "t": "t_a"})
    b = learn.lazy().rename({"c": "c_b", "_cell": "x_b", "t": "t_b"})
    pairs = (
        a.join(b, on=["k", "_v"])
        .filter(
            (pl.col("c_a") < pl.col("c_b"))
            & (pl.col("x_a") != pl.col("x_b"))
            # a year copy pairs only with a year, and own entries with own entries
            & (
                ((pl.col("t_a") < 2) & (pl.col("t_b") < 2))
                | ((pl.col("t_a") == 2) & (pl.col("t_b") == 1))
                | ((pl.col("t_b") == 2) & (pl.col("t_a") == 1))
            )
        )
        .group_by("c_a", "c_b")
        .agg(pl.len().alias("matches"))
        .filter(pl.col("matches") >= min_matches)
        .collect(engine="streaming")
    )
    if pairs.height == 0:
        return pl.DataFrame(schema=schema)
    places = learn.select("c", "k").unique().lazy()
    both = (
        pairs.lazy()
        .select("c_a", "c_b")
        .join(places.rename({"c": "c_a"}), on="c_a")
        .join(places.rename({"c": "c_b"}), on=["c_b", "k"])
        .group_by("c_a", "c_b")
        .agg(pl.len().alias("together"))
        .collect(engine="streaming")
    )
    return (
        pairs.join(both, on=["c_a", "c_b"])
        .with_columns((pl.col("matches") / pl.col("together")).alias("rate"))
        .filter(pl.col("rate") >= min_rate)
        .join(cols.select(pl.col("c").alias("c_a"), pl.col("_name").alias("col_a")), on="c_a")
        .join(cols.select(pl.col("c").alias("c_b"), pl.col("_name").alias("col_b")), on="c_b")
        .sort("col_a", "col_b")
        .select("col_a", "col_b", "matches", "rate")
        .cast(schema)
    )


def directed(relations: pl.DataFrame) -> pl.DataFrame:
    """Each relation both ways: ``col, other`` (categoricals, as ``anchored``'s ``col``)."""
    return (
        pl.concat(
            [
                relations.select(pl.col("col_a").alias("col"), pl.col("col_b").alias("other")),
                relations.select(pl.col("col_b").alias("col"), pl.col("col_a").alias("other")),
            ]
        )
        .unique()
        .cast({"col": pl.Categorical, "other": pl.Categorical})
    )


def instances(
    anchored_entries: pl.DataFrame,
    relations: pl.DataFrame,
    fields: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """Where a relation holds exactly: ``_cell, field, _cell_o, field_o`` (both directions).

    Both entries present (``val`` not null), equal, and of different cells. ``fields``: only
    the instances whose first entry (``_cell, field``) is one of these fields.
    """
    pairs = directed(relations)
    # only the entries of a column in some relation (at 50,000 staff 7.3 of 27 million)
    present = (
        anchored_entries.lazy()
        .filter(pl.col("val").is_not_null())
        .join(pairs.lazy().select("col").unique(), on="col", how="semi")
        .select("_cell", pl.col("field").cast(pl.Categorical), "col", "key", "_v")
    )
    other = present.rename({"_cell": "_cell_o", "field": "field_o", "col": "other"})
    own = present if fields is None else present.filter(pl.col("field").is_in(list(fields)))
    # streamed: at 50,000 staff the joined entries were the mask's peak memory (11 GB)
    return (
        own.join(pairs.lazy(), on="col")
        .join(other, on=["other", "key", "_v"])
        .filter(pl.col("_cell") != pl.col("_cell_o"))
        .select("_cell", "field", "_cell_o", "field_o")
        .unique()
        .collect(engine="streaming")
        .cast({"field": pl.String, "field_o": pl.String})
    )
