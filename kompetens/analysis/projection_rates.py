"""The observed flows and the shrunk rates of the projection (``kompetens.analysis.projection``).

Grain: ``observed_flows`` is one row per unit × staff category × rate × year-to-year
transition (people: events and exposure); ``shrunk_rates`` one row per unit × staff
category × rate (fractions per year), each with the years it came from;
``common_spread`` one number per rate. Pure functions of Polars frames; the formulas
are in ``docs/projection.md``.
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
# The model


def common_spread(flows: pl.DataFrame) -> dict[str, float]:
    """Per rate: how much the organisation's yearly rate varies beyond binomial chance.

    With ``r_y = e_y / n_y`` the organisation's rate in each observed transition:
    ``τ² = max(0, var(r_y) − mean(r̄(1 − r̄) / n_y))`` (the sample variance across the
    years minus what chance alone would give). ``τ`` is 0 with fewer than 3 years.
    Such shifts hit every unit at once (a recruitment drive, a tight labour market),
    so they do not average out over units as the binomial noise does.
    """
    out: dict[str, float] = {}
    yearly = (
        flows.group_by("rate", "year")
        .agg(pl.col("events").sum(), pl.col("exposure").sum())
        .filter(pl.col("exposure") > 0)
    )
    for name in RATE_LABELS:
        part = yearly.filter(pl.col("rate") == name)
        if part.height < 3:
            out[name] = 0.0
            continue
        r = (part["events"] / part["exposure"]).to_numpy()
        mean = float(part["events"].sum() / part["exposure"].sum())
        chance = float(np.mean(mean * (1 - mean) / part["exposure"].to_numpy()))
        out[name] = float(np.sqrt(max(0.0, float(np.var(r, ddof=1)) - chance)))
    return out


def unit_spread(flows: pl.DataFrame) -> dict[str, float]:
    """Per rate: how much a cell's own yearly rate varies from year to year beyond chance.

    For each cell with at least 3 observed transitions, ``var(r_y) − r̄(1 − r̄)·mean(1/n_y)``
    (the sample variance of its yearly rates minus what chance alone would give); the
    cells' values are averaged weighted by exposure and the result's square root taken
    (0 when negative or when no cell has 3 transitions). The draws shift each cell's rate
    by a normal amount with this spread: a unit's pace changes from year to year (a new
    principal, a recruitment drive) in ways its past average does not show.
    """
    out: dict[str, float] = {}
    yearly = (
        flows.group_by("unit_id", "staff_category", "rate", "year")
        .agg(pl.col("events").sum(), pl.col("exposure").sum())
        .filter(pl.col("exposure") > 0)
    )
    for name in RATE_LABELS:
        stats = (
            yearly.filter(pl.col("rate") == name)
            .group_by("unit_id", "staff_category")
            .agg(
                (pl.col("events") / pl.col("exposure")).var(ddof=1).alias("v"),
                (pl.col("events").sum() / pl.col("exposure").sum()).alias("m"),
                (1 / pl.col("exposure")).mean().alias("inv"),
                pl.col("exposure").sum().alias("n"),
                pl.len().alias("k"),
            )
            .filter(pl.col("k") >= 3)
        )
        if stats.height == 0:
            out[name] = 0.0
            continue
        excess = (stats["v"] - stats["m"] * (1 - stats["m"]) * stats["inv"]).to_numpy()
        weights = stats["n"].to_numpy()
        out[name] = float(np.sqrt(max(0.0, float(np.sum(weights * excess) / np.sum(weights)))))
    return out
