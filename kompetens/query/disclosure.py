"""An attack on our own suppression: how many hidden key figures can be recovered exactly?

Kompetens publishes key figures with small-number suppression
(``kompetens.query.suppression``). This module plays the attacker who holds
the *published* figures (the ``kompetens figures`` export: suppressed cells
empty) and knows what the documentation says (areas are sums of units, the
organisation of areas, an ``all`` row of its categories, a year of its months
for sick leave). It tries three methods, and checks every value it claims
against the unsuppressed table, so only exact recoveries count:

a. **across indicators** — the attacker *learns* from the visible area and
   organisation cells which published fields always coincide (e.g. the count
   ``in_certification_programme`` and the numerator of
   ``on_certification_path_share`` for ``staff_category=teacher``), and reads
   a hidden cell's field off the other, visible one at the same scope and
   period;
b. **across periods** — the same, between period types: a year and the rolling
   12 months ending in its December, a stock's year and its reference month;
c. **exact linear algebra** — per field, every additive equation (units ->
   area -> organisation, categories -> ``all``, months -> year and -> rolling
   12 months where the indicator has months and is a flow) with the visible
   and already recovered values as constants; a hidden value is determined
   iff its unit vector lies in the row space of the equations restricted to
   the unknowns (tested per connected component with an SVD: the null space
   has a zero in that coordinate), and is then solved for.

Grain of the result: one row per recovered (cell, field): the key-figure key
columns, ``field``, ``method`` (``across_indicators`` / ``across_periods`` /
``linear_algebra``) and the recovered ``value``; ``AttackReport`` counts cells
(a cell counts once, under the first method that recovered any of its
fields). The test suite runs it over the demo database on every run
(``tests/test_suppression_attack.py``); the target is zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from kompetens.query.suppression import _with_area, algebra, equations, links, time_equations
from kompetens.query.suppression.exact import single_threaded_blas

KEY = links.KEY
FIELDS = links.FIELDS
METHODS = ("across_indicators", "across_periods", "linear_algebra")
#: A learned relation must hold on this many visible pairs, in this share of them.
MIN_MATCHES = 5
MIN_RATE = 0.95


def _exact(predicted: pl.Expr, truth: pl.Expr) -> pl.Expr:
    return (predicted - truth).abs() <= 1e-6 * pl.max_horizontal(pl.lit(1.0), truth.abs())


@dataclass(frozen=True)
class AttackReport:
    """Counts of hidden cells, recovered cells per method, and the recovered values."""

    hidden: int
    across_indicators: int
    across_periods: int
    linear_algebra: int
    recovered: pl.DataFrame

    @property
    def total(self) -> int:
        return self.across_indicators + self.across_periods + self.linear_algebra

    def summary(self) -> str:
        return (
            f"{self.total} of {self.hidden} hidden cells recovered: "
            f"{self.across_indicators} across indicators, {self.across_periods} across periods, "
            f"{self.linear_algebra} by linear algebra"
        )


def _cells(published: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """Published cells with their true fields (``t_<field>``) and a row id ``_cell``."""
    true = truth.select(*KEY, *[pl.col(f).cast(pl.Float64).alias(f"t_{f}") for f in FIELDS]).unique(
        KEY
    )
    pub = published.select(
        *KEY,
        *[pl.col(f).cast(pl.Float64) for f in FIELDS],
        pl.col("suppressed").fill_null(False),
    )
    return pub.join(true, on=KEY, how="left").with_row_index("_cell")


def _entries(cells: pl.DataFrame) -> pl.DataFrame:
    """One row per (cell, field): ``val`` as published, ``true``, ``hidden``."""
    true = links.entries(cells, "t_").select("_cell", "field", pl.col("val").alias("true"))
    hidden = cells.select(pl.col("_cell").cast(pl.UInt32), pl.col("suppressed").alias("hidden"))
    return links.entries(cells).join(true, on=["_cell", "field"]).join(hidden, on="_cell")


def _by_relations(anchored: pl.DataFrame, relations: pl.DataFrame) -> pl.DataFrame:
    """Hidden entries read off a visible entry of a related column: ``_cell, field, value, method``."""
    hidden = anchored.filter(pl.col("hidden") & pl.col("true").is_not_null())
    visible = anchored.filter(~pl.col("hidden") & pl.col("val").is_not_null()).select(
        pl.col("col").alias("other"),
        "key",
        pl.col("val").alias("predicted"),
        pl.col("period_type").alias("_pt_other"),
        pl.col("_ycopy").alias("_ycopy_other"),
    )
    got = (
        hidden.join(links.directed(relations), on="col")
        .join(visible, on=["other", "key"])
        .filter(_exact(pl.col("predicted"), pl.col("true")))
    )
    across_periods = (
        pl.col("_ycopy") | pl.col("_ycopy_other") | (pl.col("period_type") != pl.col("_pt_other"))
    )
    return got.select(
        "_cell",
        pl.col("field").cast(pl.String),  # a categorical in ``links.anchored``
        pl.col("predicted").alias("value"),
        pl.when(across_periods)
        .then(pl.lit("across_periods"))
        .otherwise(pl.lit("across_indicators"))
        .alias("method"),
    ).unique(["_cell", "field", "method"])


def _linear_algebra(
    cells: pl.DataFrame,
    entries: pl.DataFrame,
    known_extra: pl.DataFrame,
    unit_areas: pl.DataFrame | dict[str, str] | None,
    sum_indicators: frozenset[str],
    month_flows: frozenset[str],
) -> pl.DataFrame:
    """Hidden entries solved from the additive equations, per field: ``_cell, field, value, method``."""
    members = pl.concat(
        [
            equations(_with_area(cells, unit_areas)).select(
                "_eq", pl.col("_cell").cast(pl.UInt32), "_role"
            ),
            time_equations(cells, month_flows),
        ]
    )
    members = members.with_columns((pl.col("_eq").rank("dense") - 1).alias("_e"))
    n_eq = int(members["_e"].max() or 0) + 1
    extra = known_extra.select("_cell", "field", pl.col("value").alias("_extra")).unique(
        ["_cell", "field"]
    )
    state = (
        entries.join(extra, on=["_cell", "field"], how="left")
        .with_columns(
            pl.when(pl.col("hidden")).then(pl.col("_extra")).otherwise(pl.col("val")).alias("known")
        )
        .with_columns(
            (pl.col("known").is_null() & pl.col("true").is_not_null()).alias("_u"),
            pl.col("indicator_id").is_in(list(sum_indicators)).alias("_sum"),
        )
    )
    eqs, varids, coefs, rhs_parts = [], [], [], []
    for i, field in enumerate(FIELDS):
        m = members.join(state.filter(pl.col("field") == field), on="_cell", how="left")
        ok_member = pl.col("known").is_not_null() | pl.col("_u")
        if field == "value":
            ok_member = ok_member & pl.col("_sum")
        usable = (
            m.group_by("_e")
            .agg(ok_member.fill_null(False).all().alias("_ok"), pl.col("_u").sum().alias("_nu"))
            .filter(pl.col("_ok") & (pl.col("_nu") >= 1))
        )
        m = m.join(usable, on="_e", how="semi").with_columns(
            pl.when(pl.col("_role") == "total").then(1.0).otherwise(-1.0).alias("_coef"),
            (pl.col("_e") + i * n_eq).alias("_e"),
        )
        unknown = m.filter(pl.col("_u"))
        eqs.append(unknown["_e"].to_numpy())
        varids.append(unknown["_cell"].to_numpy().astype(np.int64) * len(FIELDS) + i)
        coefs.append(unknown["_coef"].to_numpy())
        rhs_parts.append(
            m.filter(~pl.col("_u"))
            .group_by("_e")
            .agg((-(pl.col("_coef") * pl.col("known"))).sum().alias("rhs"))
        )
    eq = np.concatenate(eqs)
    empty = pl.DataFrame(
        schema={"_cell": pl.UInt32, "field": pl.String, "value": pl.Float64, "method": pl.String}
    )
    if eq.size == 0:
        return empty
    keys, var = np.unique(np.concatenate(varids), return_inverse=True)
    rhs = np.zeros(len(FIELDS) * n_eq)
    known_rhs = pl.concat(rhs_parts)
    rhs[known_rhs["_e"].to_numpy()] = known_rhs["rhs"].to_numpy()
    with single_threaded_blas():  # many small decompositions: see suppression.exact
        ok, values = algebra.solve(keys.size, eq, var, np.concatenate(coefs), rhs)
    if not ok.any():
        return empty
    solved = pl.DataFrame(
        {
            "_cell": (keys[ok] // len(FIELDS)).astype(np.uint32),
            "field": [FIELDS[int(k)] for k in keys[ok] % len(FIELDS)],
            "value": values[ok],
        }
    )
    truth = entries.select("_cell", "field", "true")
    return (
        solved.join(truth, on=["_cell", "field"])
        .filter(_exact(pl.col("value"), pl.col("true")))
        .select("_cell", "field", "value", pl.lit("linear_algebra").alias("method"))
    )


def attack(
    published: pl.DataFrame,
    truth: pl.DataFrame,
    unit_areas: pl.DataFrame | dict[str, str] | None = None,
    *,
    sum_indicators: frozenset[str] | None = None,
    month_flows: frozenset[str] | None = None,
) -> AttackReport:
    """Recover hidden cells of ``published`` (see module docstring); check them against ``truth``.

    ``published``: key-figure rows with ``suppressed`` and hidden fields empty;
    ``truth``: the same rows unsuppressed; ``unit_areas``: unit -> area.
    ``sum_indicators`` (whose ``value`` adds up) and ``month_flows`` (whose
    months add up to years and rolling windows) default to the registry's.
    """
    if sum_indicators is None or month_flows is None:
        from kompetens.indicators import registry

        inds = registry.engine_indicators()
        if sum_indicators is None:
            sum_indicators = frozenset(i.id for i in inds if i.aggregation == "sum")
        if month_flows is None:
            month_flows = frozenset(
                i.id for i in inds if i.stock_or_flow == "flow" and "month" in i.period_types
            )
    cells = _cells(published, truth)
    entries = _entries(cells)
    anchored = links.anchored(entries)
    relations = links.learn_relations(
        anchored.filter(~pl.col("hidden")), min_matches=MIN_MATCHES, min_rate=MIN_RATE
    )
    by_relation = _by_relations(anchored, relations)
    solved = _linear_algebra(cells, entries, by_relation, unit_areas, sum_indicators, month_flows)
    recovered = (
        pl.concat([by_relation, solved])
        .filter(pl.col("field").is_in(list(links.SECRET_FIELDS)))
        .join(cells.select(pl.col("_cell").cast(pl.UInt32), *KEY), on="_cell")
    )
    rank = {m: i for i, m in enumerate(METHODS)}
    per_cell = (
        recovered.with_columns(pl.col("method").replace_strict(rank).alias("_rank"))
        .group_by("_cell")
        .agg(pl.col("_rank").min())
    )
    counts = {m: int((per_cell["_rank"] == rank[m]).sum()) for m in METHODS}
    return AttackReport(
        hidden=int(cells["suppressed"].sum()),
        across_indicators=counts["across_indicators"],
        across_periods=counts["across_periods"],
        linear_algebra=counts["linear_algebra"],
        recovered=recovered.drop("_cell").sort(KEY + ["field"]),
    )


def read_figures(db: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the true key figures of a database file, unit -> area), read-only: what the attack and
    the suppression benchmark start from. Grain: one row per key figure; one per unit."""
    import duckdb

    conn = duckdb.connect(str(db), read_only=True)
    try:
        truth = conn.sql(
            "SELECT indicator_id, level, scope_id, period_type, period, breakdown, numerator, "
            "denominator, value, n_individuals FROM key_figures"
        ).pl()
        units = conn.sql("SELECT unit_id, area FROM current_units").pl()
    finally:
        conn.close()
    return truth, units


def main(argv: list[str] | None = None) -> None:
    """``python -m kompetens.query.disclosure DB [--per-slice]``: attack a database's figures.

    Reads the true key figures of the database at ``DB`` (read-only),
    suppresses them as the export does (the whole table at once) or, with
    ``--per-slice``, one indicator and period type at a time as the pages
    read them, and prints what the attack recovers and the share of unit
    cells hidden by secondary suppression.
    """
    import argparse
    import time

    from kompetens.query.suppression import apply_suppression

    parser = argparse.ArgumentParser(prog="python -m kompetens.query.disclosure")
    parser.add_argument("db")
    parser.add_argument("--per-slice", action="store_true")
    args = parser.parse_args(argv)
    truth, units = read_figures(args.db)
    started, cpu_started = time.perf_counter(), time.process_time()
    if args.per_slice:
        published = pl.concat(
            [
                apply_suppression(part, units, with_reason=True)
                for _, part in truth.group_by("indicator_id", "period_type", maintain_order=True)
            ]
        )
    else:
        published = apply_suppression(truth, units, with_reason=True)
    suppressed_in = time.perf_counter() - started
    suppressed_cpu = time.process_time() - cpu_started
    unit = published.filter(pl.col("level") == "unit")
    secondary = (unit["suppression_reason"] == "secondary").sum() / max(unit.height, 1)
    linked = (unit["suppression_reason"] == "linked").sum() / max(unit.height, 1)
    report = attack(published, truth, units)
    print(report.summary())
    print(
        f"secondary suppression: {secondary:.2%} of {unit.height} unit cells "
        f"(and {linked:.2%} copies of primary cells' numbers); "
        f"suppression took {suppressed_in:.1f} s ({suppressed_cpu:.1f} s CPU)"
    )


if __name__ == "__main__":
    main()
