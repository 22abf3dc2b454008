"""Staff stocks: the shares and counts read from the monthly staff snapshots.

The snapshots (employees x units x months: the one large input) are grouped once to the
unit x staff category x month grain, with every stock measure computed in the same pass
(``staff_rollup``). Units: FTE for the shares' ``*_num`` / ``*_den`` (certified
teachers, licensed preschool staff, temporary teachers), people for the person flags
``*_p`` (headcount, permanent, age 55+, retiring within five years, in a certification
programme, on a certification path). Monthly values carry the ``all`` breakdown plus
every breakdown for the latest month; the yearly value is the reference-month snapshot.
Also here: ``head_flows`` (headcounts summed to years and rolling windows, read by
turnover and sick leave) and the cohort turnover (Kolada N00216, per year).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from kompetens.indicators.pipelines.block import Block
from kompetens.indicators.pipelines.grain import (
    Settings,
    breakdown_in,
    empty_kf,
    finish,
    ratio,
)
from kompetens.indicators.pipelines.periods import (
    Grid,
    month_periods,
    reference_year,
)
from kompetens.indicators.pipelines.persons import person_rollup

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.inputs import Inputs


def stock_share(
    rollup: pl.DataFrame,
    indicator_id: str,
    num: str,
    den: str,
    n: str,
    settings: Settings,
    dims: tuple[str, ...],
) -> pl.DataFrame:
    lf = rollup.lazy().filter(breakdown_in(["all", *dims]))
    lf = lf.filter(pl.col(den) > 0)
    monthly = ratio(lf, num, den, pl.col(n))
    return finish(
        pl.concat([month_periods(monthly), reference_year(monthly, settings.reference_month)]),
        indicator_id,
    )


def _stock_count(
    rollup: pl.DataFrame,
    indicator_id: str,
    col: str,
    settings: Settings,
    *,
    year_only: bool = False,
) -> pl.DataFrame:
    lf = (
        rollup.lazy()
        .filter(pl.col(col) > 0)
        .with_columns(
            pl.col(col).cast(pl.Float64).alias("value"), pl.col(col).alias("n_individuals")
        )
    )
    periods = [reference_year(lf, settings.reference_month)]
    if not year_only:
        periods.insert(0, month_periods(lf))
    return finish(pl.concat(periods), indicator_id)


def stock_indicators(rollup: pl.DataFrame, settings: Settings) -> dict[str, pl.DataFrame]:
    """The stock indicators that come straight from the staff pass."""
    return {
        "certified_teacher_share": stock_share(
            rollup,
            "certified_teacher_share",
            "cts_num",
            "cts_den",
            "cts_p",
            settings,
            ("school_form",),
        ),
        "licensed_preschool_teacher_share": stock_share(
            rollup, "licensed_preschool_teacher_share", "lps_num", "lps_den", "lps_p", settings, ()
        ),
        "on_certification_path_share": stock_share(
            rollup,
            "on_certification_path_share",
            "path_num_p",
            "path_den_p",
            "path_den_p",
            settings,
            ("staff_category", "school_form"),
        ),
        "temporary_teacher_share": stock_share(
            rollup,
            "temporary_teacher_share",
            "tmp_num",
            "tmp_den",
            "tmp_p",
            settings,
            ("staff_category", "school_form"),
        ),
        "age_55_plus_share": stock_share(
            rollup,
            "age_55_plus_share",
            "age55_p",
            "all_p",
            "all_p",
            settings,
            ("staff_category", "school_form"),
        ),
        "in_certification_programme": _stock_count(
            rollup, "in_certification_programme", "cert_prog_p", settings
        ),
        "retirement_forecast_5y": _stock_count(
            rollup, "retirement_forecast_5y", "retire_p", settings, year_only=True
        ),
    }


def turnover_cohort(base: pl.LazyFrame, units: pl.DataFrame, grid: Grid) -> pl.DataFrame:
    """Kolada N00216: permanent in November Y-1, not permanent anywhere in November Y."""
    novembers = [m for m in grid.months if m % 12 == 10]
    pairs = [m for m in novembers if m + 12 in novembers]
    if not pairs:
        return empty_kf()
    still = (
        base.filter(
            (pl.col("employment_type") == "permanent") & pl.col("m").is_in([m + 12 for m in pairs])
        )
        .select("employee_id", (pl.col("m") - 12).cast(pl.Int32).alias("m"))
        .unique()
        .with_columns(pl.lit(True).alias("_still"))
    )
    cohort = (
        base.filter((pl.col("employment_type") == "permanent") & pl.col("m").is_in(pairs))
        .join(still, on=["employee_id", "m"], how="left")
        .select(
            "employee_id",
            "unit_id",
            "staff_category",
            "multi",
            ((pl.col("m") // 12) + 1).cast(pl.Int32).alias("y"),
            pl.lit(True).alias("cohort"),
            pl.col("_still").is_null().alias("left"),
        )
    )
    roll = person_rollup(cohort, units, sums=[], persons=["cohort", "left"], period="y")
    periods = roll.lazy().with_columns(
        pl.lit("year").alias("period_type"), pl.col("y").cast(pl.String).alias("period")
    )
    return finish(ratio(periods, "left", "cohort", pl.col("cohort")), "turnover_rate_cohort")


def staff_block(inputs: Inputs) -> dict[str, pl.DataFrame]:
    """The stock indicators and the cohort turnover (nothing without snapshots)."""
    base = inputs.base
    if base is None:
        return {}
    out = stock_indicators(inputs.roll, inputs.settings)
    out["turnover_rate_cohort"] = turnover_cohort(base, inputs.units, inputs.grid)
    return out


BLOCK = Block("staff", frozenset({"units", "staff"}), staff_block, "personalöversikt")
