"""Recruitment: figures per requisition published in the period.

Grain: level x scope x breakdown x period: the calendar year of the published date (with
staff category and school form breakdowns) and the rolling 12 months ending at each
staff snapshot month (``all`` only). Units: applicants per requisition, qualified
applicants per requisition (of requisitions that report them), median days from
publishing to closing a filled requisition, the share of decided requisitions left
unfilled, the share of filled ones filled by a certified person. n_individuals =
requisitions.

``filled_requisitions`` counts filled requisitions in the month they were filled (closed_date,
else published_date), per calendar year and every rolling 12 months, with ``subject``, staff
category and school form breakdowns: the hires per subject that the ARUBA page sets against
the qualified teaching hours lost at exits. n_individuals = filled requisitions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from kompetens.indicators.pipelines.block import Block
from kompetens.indicators.pipelines.grain import (
    KEYS,
    expand_levels,
    finish,
    ratio,
    with_unit_attrs,
)
from kompetens.indicators.pipelines.periods import (
    Grid,
    explode_periods,
    flow_span,
    month_of,
)

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.inputs import Inputs


def recruitment_indicators(
    recruitments: pl.DataFrame, units: pl.DataFrame, grid: Grid
) -> dict[str, pl.DataFrame]:
    """Per requisition published in the period: applicants, qualified applicants, time to fill,
    unfilled share and certified hires. n_individuals = requisitions."""
    if recruitments.is_empty():
        return {}
    lf = with_unit_attrs(
        recruitments.lazy().with_columns(month_of(pl.col("published_date")).alias("m")), units
    ).filter(pl.col("m").is_not_null())
    span = flow_span(grid, lf.select("m").collect()["m"])
    filled = pl.col("outcome") == "filled"
    years = explode_periods(lf, None)
    rolling = explode_periods(lf, span).filter(pl.col("period_type") == "rolling_12m")
    expanded = pl.concat(
        [expand_levels(years, ("staff_category", "school_form")), expand_levels(rolling, ())],
        how="vertical_relaxed",
    )
    agg = (
        expanded.group_by([*KEYS, "period_type", "period"])
        .agg(
            pl.len().alias("reqs"),
            pl.col("applicants").sum().alias("applicants"),
            pl.col("qualified_applicants").sum().alias("qualified"),
            pl.col("qualified_applicants").is_not_null().sum().alias("reqs_q"),
            pl.when(filled)
            .then((pl.col("closed_date") - pl.col("published_date")).dt.total_days())
            .median()
            .alias("ttf"),
            (filled & pl.col("closed_date").is_not_null()).sum().alias("n_ttf"),
            (pl.col("outcome") == "unfilled").sum().alias("unfilled"),
            pl.col("outcome").is_in(["filled", "unfilled"]).sum().alias("decided"),
            (filled & pl.col("hired_certified").fill_null(False)).sum().alias("cert_hires"),
            (filled & pl.col("hired_certified").is_not_null()).sum().alias("filled_known"),
        )
        .collect()
    )
    return {
        "applicants_per_vacancy": finish(
            ratio(agg, "applicants", "reqs", pl.col("reqs")), "applicants_per_vacancy"
        ),
        "qualified_applicants_per_vacancy": finish(
            ratio(agg, "qualified", "reqs_q", pl.col("reqs_q")), "qualified_applicants_per_vacancy"
        ),
        "time_to_fill_days": finish(
            agg.lazy()
            .filter(pl.col("n_ttf") > 0)
            .with_columns(pl.col("ttf").alias("value"), pl.col("n_ttf").alias("n_individuals")),
            "time_to_fill_days",
        ),
        "unfilled_vacancy_share": finish(
            ratio(agg, "unfilled", "decided", pl.col("decided")), "unfilled_vacancy_share"
        ),
        "certified_hire_share": finish(
            ratio(agg, "cert_hires", "filled_known", pl.col("filled_known")), "certified_hire_share"
        ),
    }


def filled_requisition_figures(
    recruitments: pl.DataFrame, units: pl.DataFrame, grid: Grid
) -> dict[str, pl.DataFrame]:
    """Filled requisitions by the month filled, per subject, staff category and school form.

    Value and denominator = filled requisitions, numerator = those filled by a certified person.
    """
    if recruitments.is_empty():
        return {}
    filled = recruitments.lazy().filter(pl.col("outcome") == "filled")
    lf = with_unit_attrs(
        filled.with_columns(
            month_of(pl.coalesce("closed_date", "published_date")).alias("m"),
            # An old file without the column still imports: its requisitions have no subject.
            *(
                []
                if "subject" in recruitments.columns
                else [pl.lit(None, pl.String).alias("subject")]
            ),
        ),
        units,
    ).filter(pl.col("m").is_not_null())
    months = lf.select("m").collect()["m"]
    if months.len() == 0:
        return {}
    periods = explode_periods(
        expand_levels(lf, ("subject", "staff_category", "school_form")), flow_span(grid, months)
    )
    agg = periods.group_by([*KEYS, "period_type", "period"]).agg(
        pl.len().alias("filled"),
        pl.col("hired_certified").fill_null(False).sum().alias("certified"),
    )
    return {
        "filled_requisitions": finish(
            agg.with_columns(
                pl.col("certified").cast(pl.Float64).alias("numerator"),
                pl.col("filled").cast(pl.Float64).alias("denominator"),
                pl.col("filled").cast(pl.Float64).alias("value"),
                pl.col("filled").alias("n_individuals"),
            ),
            "filled_requisitions",
        )
    }


def recruitment_block(inputs: Inputs) -> dict[str, pl.DataFrame]:
    """The six recruitment indicators; rolling windows end at the staff snapshot months."""
    recruitments = inputs.frame("recruitments")
    return {
        **recruitment_indicators(recruitments, inputs.units, inputs.grid),
        **filled_requisition_figures(recruitments, inputs.units, inputs.grid),
    }


BLOCK = Block(
    "recruitments", frozenset({"units", "staff", "recruitments"}), recruitment_block, "rekrytering"
)
