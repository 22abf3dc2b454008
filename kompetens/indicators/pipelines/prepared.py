"""The recipes of the results several blocks share: the staff roll-up, headcounts per period and
the prepared events. ``Inputs`` makes each of them once per computation; the blocks read them there.

Grain: ``staff_rollup`` is one row per level x scope x breakdown x snapshot month (``m``) with the
staff pass's FTE sums (``STAFF_SUMS``, in FTE) and distinct-person counts (``STAFF_PERSONS``);
``head_flows`` is the same keys x period (calendar year, rolling 12 months) with person counts
summed over the period's ``months``; ``prepare_events`` is one row per event with its month, unit
attributes and filled-in staff category / employment type.
"""

from __future__ import annotations

import polars as pl

from kompetens.indicators.pipelines.grain import KEYS, Settings, with_unit_attrs
from kompetens.indicators.pipelines.periods import Grid, flow_periods, month_of
from kompetens.indicators.pipelines.persons import person_rollup

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
    ``count / months``. ``staffed``: the months in which the scope had staff, so
    ``all_p / staffed`` is the headcount a figure rests on (a unit opened in the
    window's last month has its whole staff behind it, not a twelfth of it).
    Shared by turnover and sick leave.
    """
    monthly = staff_roll.lazy().select(
        [*KEYS, "m", "perm_p", "all_p", staffed_months(pl.col("all_p"))]
    )
    return (
        flow_periods(monthly, ["perm_p", "all_p", "staffed"], grid)
        .filter(pl.col("months") > 0)
        .collect()
    )


def staffed_months(headcount: pl.Expr) -> pl.Expr:
    """``staffed``: 1 for a scope's month with staff, else 0 (summed to periods)."""
    return (headcount > 0).cast(pl.Int64).alias("staffed")


def headcount_behind(period_sum: pl.Expr) -> pl.Expr:
    """The people a period's flow figure rests on: the average headcount over the months the
    scope had staff (``period_sum`` over ``staffed``, floored; 0 without a staffed month)."""
    return (
        pl.when(pl.col("staffed") > 0).then((period_sum / pl.col("staffed")).floor()).otherwise(0.0)
    )


def prepare_events(
    events: pl.DataFrame | pl.LazyFrame, units: pl.DataFrame, base: pl.LazyFrame | None
) -> pl.DataFrame:
    """Events with month, unit attributes, and staff category / employment type filled in.

    A missing category or employment type is taken from the person's row in the
    same unit in the snapshot of the event's month, or else the month before.
    """
    lf = events.lazy().with_columns(month_of(pl.col("event_date")).alias("m"))
    needs_fill = (
        lf.select((pl.col("staff_category").is_null() | pl.col("employment_type").is_null()).any())
        .collect()
        .item()
    )
    if base is not None and needs_fill:
        attrs = base.select(
            "employee_id",
            "unit_id",
            "m",
            pl.col("staff_category").alias("_cat"),
            pl.col("employment_type").alias("_type"),
        )
        missing = (
            lf.filter(pl.col("staff_category").is_null() | pl.col("employment_type").is_null())
            .select("employee_id", "unit_id", "m")
            .unique()
        )
        found = (
            pl.concat(
                [
                    missing.join(
                        attrs, on=["employee_id", "unit_id", "m"], how="inner"
                    ).with_columns(pl.lit(0).alias("_lag")),
                    missing.join(
                        attrs.with_columns((pl.col("m") + 1).cast(pl.Int32).alias("m")),
                        on=["employee_id", "unit_id", "m"],
                        how="inner",
                    ).with_columns(pl.lit(1).alias("_lag")),
                ]
            )
            .sort("_lag")
            .unique(["employee_id", "unit_id", "m"], keep="first")
            .drop("_lag")
        )
        lf = (
            lf.join(found, on=["employee_id", "unit_id", "m"], how="left")
            .with_columns(
                pl.col("staff_category").fill_null(pl.col("_cat")),
                pl.col("employment_type").fill_null(pl.col("_type")),
            )
            .drop("_cat", "_type")
        )
    return with_unit_attrs(lf, units).collect()
