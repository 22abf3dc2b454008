"""Pedagogical segregation: are certified teachers unevenly spread across schools?

Grain of the input: one row per school unit (school forms that have
``certified_teacher_share``) for one period, with ``socioeconomic_index``
(higher = greater need, as in the data contract), the share's ``numerator``
(certified teacher FTE) and ``denominator`` (teacher FTE).

Statistics (all FTE-weighted, weight = teacher FTE = the denominator):

- **Pearson** correlation between socioeconomic index and certified share,
  weighted: ``cov_w(x, y) / sqrt(var_w(x) var_w(y))`` with weighted means.
- **Spearman**: the weighted Pearson correlation of the *ranks* of x and y
  (average ranks for ties; ranks themselves unweighted). There are other
  weighted-rank definitions; this one is simple, exact for equal weights and
  stays in [−1, 1]. scipy is not a dependency, so it is implemented here with numpy.
- **Quartile gap**: schools are split into four equal-count groups by
  socioeconomic index (ties broken by unit id); the top quartile has the
  *highest* index (greatest need). Each quartile's share is FTE-weighted
  (Σ certified FTE / Σ teacher FTE); the gap is top − bottom, so a negative
  gap means fewer certified teachers where needs are greatest.
- **Spread**: min and max of the schools' shares, FTE-weighted mean and standard deviation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from kompetens.present.formatting import fmt_correlation

#: Below this |r| the interpretation says there is no clear relationship.
NO_RELATIONSHIP_BELOW = 0.1
MIN_SCHOOLS_FOR_CORRELATION = 3
MIN_SCHOOLS_FOR_QUARTILES = 4


@dataclass(frozen=True)
class SegregationStats:
    """The segregation figures for one set of schools and one period."""

    n_schools: int
    pearson: float | None
    spearman: float | None
    bottom_quartile_share: float | None
    top_quartile_share: float | None
    quartile_gap: float | None
    min_share: float | None
    max_share: float | None
    weighted_mean_share: float | None
    weighted_std_share: float | None
    interpretation_sv: str


def weighted_pearson(x, y, w) -> float | None:
    """Weighted Pearson correlation; None with < 3 points or no variation."""
    x, y, w = (np.asarray(a, dtype=float) for a in (x, y, w))
    if x.size < MIN_SCHOOLS_FOR_CORRELATION or w.sum() <= 0:
        return None
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    dx, dy = x - mx, y - my
    vx, vy = np.average(dx * dx, weights=w), np.average(dy * dy, weights=w)
    if vx <= 1e-15 or vy <= 1e-15:
        return None
    r = np.average(dx * dy, weights=w) / np.sqrt(vx * vy)
    return float(np.clip(r, -1.0, 1.0))


def average_ranks(values) -> np.ndarray:
    """Ranks 1..n, ties sharing their average rank (``[10, 20, 20] -> [1, 2.5, 2.5]``)."""
    v = np.asarray(values, dtype=float)
    order = np.argsort(v, kind="mergesort")
    ranks = np.empty(v.size, dtype=float)
    i = 0
    while i < v.size:
        j = i
        while j + 1 < v.size and v[order[j + 1]] == v[order[i]]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def weighted_spearman(x, y, w) -> float | None:
    """Weighted Pearson correlation of the average ranks of x and y."""
    if len(x) < MIN_SCHOOLS_FOR_CORRELATION:
        return None
    return weighted_pearson(average_ranks(x), average_ranks(y), w)


def interpretation_sv(r: float | None, n_schools: int) -> str:
    """One Swedish sentence describing the Pearson correlation."""
    if r is None:
        if n_schools < MIN_SCHOOLS_FOR_CORRELATION:
            return "För få skolor med uppgifter för att beräkna sambandet."
        return "Sambandet kan inte beräknas eftersom värdena inte varierar mellan skolorna."
    text = fmt_correlation(r)
    if r <= -NO_RELATIONSHIP_BELOW:
        return f"Andelen behöriga lärare är lägre på skolor med högre socioekonomiskt index (r = {text})."
    if r >= NO_RELATIONSHIP_BELOW:
        return f"Andelen behöriga lärare är högre på skolor med högre socioekonomiskt index (r = {text})."
    return f"Det finns inget tydligt samband mellan socioekonomiskt index och andelen behöriga lärare (r = {text})."


def with_quartiles(points: pl.DataFrame) -> pl.DataFrame:
    """Add ``quartile`` (1 = lowest socioeconomic index … 4 = highest) by equal school counts."""
    n = points.height
    ordered = points.sort(["socioeconomic_index", "unit_id"])
    return ordered.with_columns(
        ((pl.int_range(0, n) * 4) // max(n, 1) + 1).cast(pl.Int8).alias("quartile")
    )


def segregation_stats(points: pl.DataFrame) -> SegregationStats:
    """Segregation figures over schools (see module docstring).

    ``points``: one row per school with ``unit_id, socioeconomic_index,
    numerator, denominator``; rows lacking any of them, or with teacher FTE 0,
    are left out.
    """
    usable = points.filter(
        pl.col("socioeconomic_index").is_not_null()
        & pl.col("numerator").is_not_null()
        & pl.col("denominator").is_not_null()
        & (pl.col("denominator") > 0)
    ).with_columns((pl.col("numerator") / pl.col("denominator")).alias("_share"))
    n = usable.height
    if n == 0:
        return SegregationStats(
            0, None, None, None, None, None, None, None, None, None, interpretation_sv(None, 0)
        )
    x = usable["socioeconomic_index"].to_numpy()
    y = usable["_share"].to_numpy()
    w = usable["denominator"].to_numpy()
    pearson = weighted_pearson(x, y, w)
    spearman = weighted_spearman(x, y, w)
    mean = float(usable["numerator"].sum() / usable["denominator"].sum())
    std = float(np.sqrt(np.average((y - mean) ** 2, weights=w)))
    bottom = top = gap = None
    if n >= MIN_SCHOOLS_FOR_QUARTILES:
        q = (
            with_quartiles(usable)
            .group_by("quartile")
            .agg((pl.col("numerator").sum() / pl.col("denominator").sum()).alias("share"))
        )
        shares = dict(zip(q["quartile"].to_list(), q["share"].to_list(), strict=True))
        bottom, top = shares.get(1), shares.get(4)
        gap = top - bottom if top is not None and bottom is not None else None
    return SegregationStats(
        n_schools=n,
        pearson=pearson,
        spearman=spearman,
        bottom_quartile_share=bottom,
        top_quartile_share=top,
        quartile_gap=gap,
        min_share=float(y.min()),
        max_share=float(y.max()),
        weighted_mean_share=mean,
        weighted_std_share=std,
        interpretation_sv=interpretation_sv(pearson, n),
    )
