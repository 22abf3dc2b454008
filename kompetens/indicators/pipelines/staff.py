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
    KEYS,
    Settings,
    breakdown_in,
    empty_kf,
    finish,
    ratio,
)
from kompetens.indicators.pipelines.periods import (
    Grid,
    flow_periods,
    month_periods,
    reference_year,
)
from kompetens.indicators.pipelines.persons import person_rollup

if TYPE_CHECKING:
    from kompetens.indicators.pipelines.inputs import Inputs

#: School forms whose units are not schools (the certified-teacher share leaves them out).
SCHOOL_FORMS_NOT_SCHOOL = ("forskola", "central")
#: Staff "working with children" in a preschool (Kolada N11810 denominator).
CHILD_STAFF = (
    "preschool_teacher",
    "childminder",
    "teacher",
    "leisure_teacher",
    "special_educator",
    "assistant",
)
#: Teacher posts (temporary_teacher_share, on_certification_path_share).
TEACHER_POSTS = ("teacher", "preschool_teacher")

#: Additive (FTE) measures of the staff pass.
STAFF_SUMS = ["cts_num", "cts_den", "lps_num", "lps_den", "tmp_num", "tmp_den", "fte_all"]
#: Person flags of the staff pass (counted as distinct persons).
STAFF_PERSONS = [
    "cts_p",
    "lps_p",
    "path_num_p",
    "path_den_p",
    "tmp_p",
    "cert_prog_p",
    "all_p",
    "perm_p",
    "age55_p",
    "retire_p",
]
_SCHOOL = ~pl.col("school_form").is_in(SCHOOL_FORMS_NOT_SCHOOL)
_PRESCHOOL = pl.col("school_form") == "forskola"
#: Unit-level conditions of the staff measures (school form is a unit attribute, so it is
#: applied to the aggregated unit rows instead of to every person-month row).
STAFF_UNIT_CONDITIONS: dict[str, pl.Expr] = {
    "cts_num": _SCHOOL,
    "cts_den": _SCHOOL,
    "cts_p": _SCHOOL,
    "lps_num": _PRESCHOOL,
    "lps_den": _PRESCHOOL,
    "lps_p": _PRESCHOOL,
}


def staff_measures(base: pl.LazyFrame, settings: Settings) -> pl.LazyFrame:
    """Every stock measure as a column of the person-month rows (computed in one pass).

    ``cts_*`` (certified teachers) and ``lps_*`` (licensed preschool staff) are
    restricted to school / preschool units by ``STAFF_UNIT_CONDITIONS``.
    """
    cat = pl.col("staff_category")
    fte = pl.col("fte").fill_null(0.0)
    teacher = cat == "teacher"
    certified = pl.col("licensed") & pl.col("qualified")
    child_staff = cat.is_in(CHILD_STAFF)
    posts = cat.is_in(TEACHER_POSTS)
    uncertified = posts & (
        (teacher & ~certified) | ((cat == "preschool_teacher") & ~pl.col("licensed"))
    )
    year = pl.col("m") // 12
    return base.select(
        "employee_id",
        "unit_id",
        "staff_category",
        "m",
        "multi",
        pl.when(teacher & certified).then(fte).otherwise(0.0).alias("cts_num"),
        pl.when(teacher).then(fte).otherwise(0.0).alias("cts_den"),
        pl.when(child_staff & pl.col("licensed")).then(fte).otherwise(0.0).alias("lps_num"),
        pl.when(child_staff).then(fte).otherwise(0.0).alias("lps_den"),
        pl.when(posts & (pl.col("employment_type") != "permanent"))
        .then(fte)
        .otherwise(0.0)
        .alias("tmp_num"),
        pl.when(posts).then(fte).otherwise(0.0).alias("tmp_den"),
        fte.alias("fte_all"),
        teacher.alias("cts_p"),
        child_staff.alias("lps_p"),
        (uncertified & pl.col("certification_programme")).alias("path_num_p"),
        uncertified.alias("path_den_p"),
        posts.alias("tmp_p"),
        pl.col("certification_programme").alias("cert_prog_p"),
        pl.lit(True).alias("all_p"),
        (pl.col("employment_type") == "permanent").fill_null(False).alias("perm_p"),
        (year - pl.col("birth_year") >= 55).fill_null(False).alias("age55_p"),
        (pl.col("birth_year") + settings.retirement_age <= year + 5)
        .fill_null(False)
        .alias("retire_p"),
    )


def staff_rollup(base: pl.LazyFrame, units: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """All staff stock measures at level x scope x breakdown x month (the one big pass)."""
    return person_rollup(
        staff_measures(base, settings),
        units,
        sums=STAFF_SUMS,
        persons=STAFF_PERSONS,
        unit_conditions=STAFF_UNIT_CONDITIONS,
    )


def head_flows(staff_roll: pl.DataFrame, grid: Grid) -> pl.DataFrame:
    """Monthly person counts of the staff pass (``perm_p``, ``all_p``) summed to periods.

    Calendar years and rolling 12-month windows, with ``months`` (snapshot months
    in the period; periods without any are dropped): the average headcount is
    ``count / months``. Shared by turnover and sick leave.
    """
    monthly = staff_roll.lazy().select([*KEYS, "m", "perm_p", "all_p"])
    return flow_periods(monthly, ["perm_p", "all_p"], grid).filter(pl.col("months") > 0).collect()


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
