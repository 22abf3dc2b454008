"""Employee survey: respondent-weighted means per survey year.

Grain: level x scope x breakdown (school form; for hme_index also ``measure=`` for the
HME sub-indices) x year. Units: the survey's scale (1-5 for employer_recommendation,
0-100 for hme_index); numerator = the sum of score x respondents, denominator =
respondents. n_individuals = respondents.
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

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.inputs import Inputs


def survey_indicators(survey: pl.DataFrame, units: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Respondent-weighted survey means per survey year: employer_recommendation and hme_index."""
    if survey.is_empty():
        return {}
    lf = with_unit_attrs(survey.lazy(), units).with_columns(
        pl.lit("year").alias("period_type"),
        pl.col("survey_date").dt.year().cast(pl.String).alias("period"),
        (pl.col("score") * pl.col("respondents")).alias("weighted"),
    )

    def weighted_mean(
        frame: pl.LazyFrame, dims: tuple[str, ...], indicator_id: str
    ) -> pl.DataFrame:
        agg = (
            expand_levels(frame, dims)
            .group_by([*KEYS, "period_type", "period"])
            .agg(pl.col("weighted").sum(), pl.col("respondents").sum())
        )
        return finish(ratio(agg, "weighted", "respondents", pl.col("respondents")), indicator_id)

    hme_sub = lf.filter(
        pl.col("measure").is_in(["hme_motivation", "hme_leadership", "hme_governance"])
    )
    hme_sub = (
        expand_levels(hme_sub, ())
        .with_columns(pl.concat_str(pl.lit("measure="), pl.col("measure")).alias("breakdown"))
        .group_by([*KEYS, "period_type", "period"])
        .agg(pl.col("weighted").sum(), pl.col("respondents").sum())
    )
    hme = pl.concat(
        [
            weighted_mean(
                lf.filter(pl.col("measure") == "hme_total"), ("school_form",), "hme_index"
            ),
            finish(ratio(hme_sub, "weighted", "respondents", pl.col("respondents")), "hme_index"),
        ]
    )
    return {
        "employer_recommendation": weighted_mean(
            lf.filter(pl.col("measure") == "recommend_employer"),
            ("school_form",),
            "employer_recommendation",
        ),
        "hme_index": hme,
    }


def survey_block(inputs: Inputs) -> dict[str, pl.DataFrame]:
    """employer_recommendation and hme_index."""
    return survey_indicators(inputs.frame("survey"), inputs.units)


BLOCK = Block("survey", frozenset({"units", "survey"}), survey_block, "medarbetarenkät")
