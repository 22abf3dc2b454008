"""The observed flows and the shrunk rates of the projection (``kompetens.analysis.projection``).

Grain: ``observed_flows`` is one row per unit × staff category × rate × year-to-year
transition (people: events and exposure); ``shrunk_rates`` one row per unit × staff
category × rate (fractions per year), each with the years it came from;
``common_spread``, ``area_spread`` and ``unit_spread`` one number per rate each (the
year-to-year spread of the rates beyond chance shared by the organisation, by an area's
cells, and a cell's own; fractions per year). Pure functions of Polars frames; the
formulas are in ``docs/projection.md``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from kompetens.indicators.pipelines.prepared import CHILD_STAFF, SCHOOL_FORMS_NOT_SCHOOL

#: Prior strength of the shrinkage (person-years): a unit rate resting on this many
#: person-years of exposure is weighted half its own, half its area's.
PRIOR_STRENGTH = 10.0
#: How many year-to-year transitions the rates rest on (at most).
RATE_WINDOW = 3
#: The rates of a cell (``rates`` frame column ``rate``), with Swedish labels.
RATE_LABELS: dict[str, str] = {
    "exit_certified": "Övriga avgångar, behöriga (per år)",
    "exit_uncertified": "Övriga avgångar, obehöriga (per år)",
    "completion": "Blir behöriga (andel av obehöriga per år)",
    "certified_hire_share": "Andel behöriga av nyanställda",
}

CELL_KEYS = ["unit_id", "staff_category"]


# --------------------------------------------------------------------------------------------
# Roster and observed flows
# --------------------------------------------------------------------------------------------


def indicator_expr() -> pl.Expr:
    """The share a (unit school form, staff category) row counts in, or null."""
    cat, form = pl.col("staff_category"), pl.col("school_form")
    return (
        pl.when((cat == "teacher") & ~form.is_in(SCHOOL_FORMS_NOT_SCHOOL))
        .then(pl.lit("certified_teacher_share"))
        .when((form == "forskola") & cat.is_in(CHILD_STAFF))
        .then(pl.lit("licensed_preschool_teacher_share"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def classify(snapshots: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Snapshot rows with ``area, school_form, indicator_id, certified`` (rows outside both shares dropped).

    ``snapshots``: ``year, employee_id, unit_id, staff_category, fte, licensed,
    qualified, birth_year`` (one reference-month snapshot per year). Certified means
    licensed and qualified for a teacher in a school, licensed in a preschool — the
    key figures' definitions (``kompetens.indicators.pipelines.prepared``).
    """
    u = units.select(
        pl.col("unit_id").cast(pl.String),
        pl.col("area").cast(pl.String).fill_null("(okänt område)"),
        pl.col("school_form").cast(pl.String).fill_null("unknown"),
    ).unique("unit_id", keep="last")
    lic = pl.col("licensed").fill_null(False)
    qual = pl.col("qualified").fill_null(False)
    return (
        snapshots.join(u, on="unit_id", how="inner")
        .with_columns(indicator_expr().alias("indicator_id"))
        .filter(pl.col("indicator_id").is_not_null())
        .with_columns(
            pl.when(pl.col("indicator_id") == "certified_teacher_share")
            .then(lic & qual)
            .otherwise(lic)
            .alias("certified"),
            pl.col("fte").cast(pl.Float64).fill_null(0.0),
        )
    )


def observed_flows(
    snapshots: pl.DataFrame, units: pl.DataFrame, retirement_age: int, last_year: int
) -> pl.DataFrame:
    """Events and exposure per cell and year-to-year transition ending in ``year``.

    Grain: one row per unit × staff category × rate × ``year`` (the transition
    ``year - 1 → year``, reference month to reference month), for every year ≤
    ``last_year`` whose previous year has a snapshot. Columns ``unit_id, area,
    staff_category, indicator_id, rate, year, events, exposure`` (people):

    - ``exit_certified`` / ``exit_uncertified``: of the people in the cell in
      ``year - 1`` who had not reached the retirement age by ``year``, those not in
      the cell in ``year`` (events: they left the organisation, moved to another unit
      or changed staff category) and all of them (exposure);
    - ``completion``: of the uncertified still in the cell in ``year``, those who are
      certified then;
    - ``certified_hire_share``: of the people in the cell in ``year`` who were not in
      it in ``year - 1`` (hires and people moving in, exposure), the certified (events).

    Moves between cells count at both ends, so a unit's changing mix through internal
    moves is in its rates (and in the band); over the organisation they roughly cancel.
    """
    years = sorted(y for y in snapshots["year"].unique().to_list() if y <= last_year)
    rows = classify(snapshots.filter(pl.col("year").is_in(years)), units)
    out: list[pl.DataFrame] = []
    keys = ["unit_id", "area", "staff_category", "indicator_id"]
    cell = ["employee_id", "unit_id", "staff_category"]
    for y in years:
        if y - 1 not in years:
            continue
        present_before = rows.filter(pl.col("year") == y - 1).select(cell).unique()
        after = (
            rows.filter(pl.col("year") == y)
            .group_by(cell)
            .agg(pl.col("certified").any().alias("_cert_after"))
            .with_columns(pl.lit(True).alias("_stays"))
        )
        before = (
            rows.filter(pl.col("year") == y - 1)
            .join(after, on=cell, how="left")
            .with_columns(
                pl.col("_stays").fill_null(False),
                pl.col("_cert_after").fill_null(False),
                (pl.col("birth_year") + retirement_age <= y).fill_null(False).alias("_due"),
            )
        )
        at_risk = before.filter(~pl.col("_due"))
        exits = at_risk.group_by([*keys, "certified"]).agg(
            (~pl.col("_stays")).sum().alias("events"), pl.len().alias("exposure")
        )
        exits = exits.select(
            *keys,
            pl.when(pl.col("certified"))
            .then(pl.lit("exit_certified"))
            .otherwise(pl.lit("exit_uncertified"))
            .alias("rate"),
            "events",
            "exposure",
        )
        completions = (
            before.filter(~pl.col("certified") & pl.col("_stays"))
            .group_by(keys)
            .agg(pl.col("_cert_after").sum().alias("events"), pl.len().alias("exposure"))
            .select(*keys, pl.lit("completion").alias("rate"), "events", "exposure")
        )
        hires = (
            rows.filter(pl.col("year") == y)
            .join(present_before, on=cell, how="anti")
            .group_by(keys)
            .agg(pl.col("certified").sum().alias("events"), pl.len().alias("exposure"))
            .select(*keys, pl.lit("certified_hire_share").alias("rate"), "events", "exposure")
        )
        for part in (exits, completions, hires):
            out.append(part.with_columns(pl.lit(y, dtype=pl.Int64).alias("year")))
    schema = {
        "unit_id": pl.String,
        "area": pl.String,
        "staff_category": pl.String,
        "indicator_id": pl.String,
        "rate": pl.String,
        "events": pl.Float64,
        "exposure": pl.Float64,
        "year": pl.Int64,
    }
    if not out:
        return pl.DataFrame(schema=schema)
    return pl.concat(out, how="vertical_relaxed").cast(schema).select(list(schema))


def shrunk_rates(
    flows: pl.DataFrame, last_year: int, window: int = RATE_WINDOW, k: float = PRIOR_STRENGTH
) -> pl.DataFrame:
    """Rates per cell, each a mix of the unit's own and its area's, weighted by exposure.

    Uses the transitions ending in ``last_year - window + 1 .. last_year``. With
    ``e``/``n`` the events/exposure summed over those years::

        org rate  = e_org / n_org                       (0 without exposure)
        area rate = (e_area + k · org rate)  / (n_area + k)
        unit rate = (e_unit + k · area rate) / (n_unit + k)

    i.e. the unit's weight on its own rate is ``n_unit / (n_unit + k)``.
    Grain: one row per unit × staff category × rate; columns ``unit_id, area,
    staff_category, indicator_id, rate, events, exposure, own_rate, area_rate,
    org_rate, weight, value, years`` (``years``: "2022–2025", the first year's
    reference month to the last's; empty when no transition was observed).
    """
    used = flows.filter(pl.col("year").is_between(last_year - window + 1, last_year))
    present = sorted(used["year"].unique().to_list())
    years = f"{present[0] - 1}–{present[-1]}" if present else ""
    org = used.group_by("staff_category", "rate").agg(
        pl.col("events").sum().alias("_e_org"), pl.col("exposure").sum().alias("_n_org")
    )
    area = used.group_by("area", "staff_category", "rate").agg(
        pl.col("events").sum().alias("_e_area"), pl.col("exposure").sum().alias("_n_area")
    )
    unit = used.group_by("unit_id", "area", "staff_category", "indicator_id", "rate").agg(
        pl.col("events").sum().alias("events"), pl.col("exposure").sum().alias("exposure")
    )
    return (
        unit.join(area, on=["area", "staff_category", "rate"], how="left")
        .join(org, on=["staff_category", "rate"], how="left")
        .with_columns(
            pl.when(pl.col("_n_org") > 0)
            .then(pl.col("_e_org") / pl.col("_n_org"))
            .otherwise(0.0)
            .alias("org_rate")
        )
        .with_columns(
            ((pl.col("_e_area") + k * pl.col("org_rate")) / (pl.col("_n_area") + k)).alias(
                "area_rate"
            )
        )
        .with_columns(
            pl.when(pl.col("exposure") > 0)
            .then(pl.col("events") / pl.col("exposure"))
            .alias("own_rate"),
            (pl.col("exposure") / (pl.col("exposure") + k)).alias("weight"),
            ((pl.col("events") + k * pl.col("area_rate")) / (pl.col("exposure") + k)).alias(
                "value"
            ),
            pl.lit(years).alias("years"),
        )
        .select(
            "unit_id",
            "area",
            "staff_category",
            "indicator_id",
            "rate",
            "events",
            "exposure",
            "own_rate",
            "area_rate",
            "org_rate",
            "weight",
            "value",
            "years",
        )
        .sort("unit_id", "staff_category", "rate")
    )


# --------------------------------------------------------------------------------------------
# The year-to-year spread of the rates beyond chance: organisation, area, cell


#: Fewest transitions a group needs before its year-to-year variance is used. The
#: organisation is one series, so it needs three; areas and cells are averaged over many
#: groups (weighted by exposure), so two each (the fewest a variance has) suffice.
MIN_YEARS_ORG = 3
MIN_YEARS_POOLED = 2


def _yearly(flows: pl.DataFrame, keys: list[str], name: str) -> pl.DataFrame:
    """Events, exposure and rate ``r`` per group × rate × year (groups with exposure only)."""
    return (
        flows.group_by(*keys, "rate", "year")
        .agg(pl.col("events").sum().alias(f"e_{name}"), pl.col("exposure").sum().alias(f"n_{name}"))
        .filter(pl.col(f"n_{name}") > 0)
        .with_columns((pl.col(f"e_{name}") / pl.col(f"n_{name}")).alias(f"r_{name}"))
    )


def _excess_spread(rows: pl.DataFrame, keys: list[str], min_years: int) -> dict[str, float]:
    """Per rate: ``√ max(0, Σ w·(var(d) − m(1 − m)·mean(1/n − 1/n_up)) / Σ w)`` over the groups.

    ``rows``: one row per group (``keys``) × rate × year with the group's events ``e``,
    exposure ``n``, its rate's deviation ``d`` from the level above and that level's exposure
    ``n_up``. ``var(d)``: the sample variance over the group's years; ``m``: the group's
    pooled rate; ``m(1 − m)(1/n − 1/n_up)`` is what binomial chance alone gives a part's
    rate minus its whole's. ``w``: the group's exposure. Groups with fewer than
    ``min_years`` years are left out; 0 when none is left.
    """
    stats = (
        rows.group_by(*keys, "rate")
        .agg(
            pl.col("d").var(ddof=1).alias("v"),
            (pl.col("e").sum() / pl.col("n").sum()).alias("m"),
            (1 / pl.col("n") - 1 / pl.col("n_up")).mean().alias("inv"),
            pl.col("n").sum().alias("w"),
            pl.len().alias("k"),
        )
        .filter(pl.col("k") >= min_years)
        .with_columns((pl.col("v") - pl.col("m") * (1 - pl.col("m")) * pl.col("inv")).alias("x"))
    )
    out: dict[str, float] = {}
    for name in RATE_LABELS:
        part = stats.filter(pl.col("rate") == name)
        if part.height == 0:
            out[name] = 0.0
            continue
        w = part["w"].to_numpy()
        out[name] = float(np.sqrt(max(0.0, float(np.sum(w * part["x"].to_numpy()) / np.sum(w)))))
    return out


def _org_yearly(flows: pl.DataFrame) -> pl.DataFrame:
    return _yearly(flows, [], "org")


def _area_yearly(flows: pl.DataFrame) -> pl.DataFrame:
    return _yearly(flows, ["area", "indicator_id"], "area")


def common_spread(flows: pl.DataFrame) -> dict[str, float]:
    """Per rate: how much the organisation's yearly rate varies beyond binomial chance.

    With ``r_y = e_y / n_y`` the organisation's rate in each observed transition:
    ``τ² = max(0, var(r_y) − r̄(1 − r̄)·mean(1 / n_y))`` (the sample variance across the
    years minus what chance alone would give). ``τ`` is 0 with fewer than
    ``MIN_YEARS_ORG`` years. Such shifts hit every unit at once (a recruitment drive, a
    tight labour market), so they do not average out over units as the binomial noise does.
    """
    org = _org_yearly(flows)
    rows = org.select(
        "rate",
        pl.col("e_org").alias("e"),
        pl.col("n_org").alias("n"),
        pl.col("r_org").alias("d"),
        pl.lit(float("inf")).alias("n_up"),
    )
    return _excess_spread(rows, [], MIN_YEARS_ORG)


def area_spread(flows: pl.DataFrame) -> dict[str, float]:
    """Per rate: how much an area's yearly rate moves beyond the organisation's and chance.

    Per area × share and year, ``d_y = r_area,y − r_org,y``; the area's excess variance is
    ``var(d_y) − r̄(1 − r̄)·mean(1/n_area,y − 1/n_org,y)``, averaged over the areas weighted
    by exposure (areas with at least ``MIN_YEARS_POOLED`` transitions). The draws shift the
    rates of all cells of an area by one normal amount with this spread: what an area's
    units share (an area manager's recruitment drive, a local labour market) does not
    average out over the area's units.
    """
    rows = (
        _area_yearly(flows)
        .join(_org_yearly(flows), on=["rate", "year"])
        .select(
            "area",
            "indicator_id",
            "rate",
            pl.col("e_area").alias("e"),
            pl.col("n_area").alias("n"),
            (pl.col("r_area") - pl.col("r_org")).alias("d"),
            pl.col("n_org").alias("n_up"),
        )
    )
    return _excess_spread(rows, ["area", "indicator_id"], MIN_YEARS_POOLED)


def unit_spread(flows: pl.DataFrame) -> dict[str, float]:
    """Per rate: how much a cell's yearly rate moves beyond its area's and chance.

    Per cell (unit × staff category) and year, ``d_y = r_cell,y − r_area,y`` (the area's rate
    for the cell's share); the cell's excess variance is ``var(d_y) − r̄(1 − r̄)·mean(1/n_cell,y
    − 1/n_area,y)``, averaged over the cells weighted by exposure (cells with at least
    ``MIN_YEARS_POOLED`` transitions). The draws shift each cell's rate by its own normal
    amount with this spread: a unit's pace changes (a new principal) in ways its past
    average does not show. What the area's or the organisation's rate does in the same year
    is left out here: ``area_spread`` and ``common_spread`` hold it, shared.
    """
    keys = ["unit_id", "staff_category", "area", "indicator_id"]
    rows = (
        _yearly(flows, keys, "cell")
        .join(_area_yearly(flows), on=["area", "indicator_id", "rate", "year"])
        .select(
            *keys,
            "rate",
            pl.col("e_cell").alias("e"),
            pl.col("n_cell").alias("n"),
            (pl.col("r_cell") - pl.col("r_area")).alias("d"),
            pl.col("n_area").alias("n_up"),
        )
    )
    return _excess_spread(rows, keys, MIN_YEARS_POOLED)
