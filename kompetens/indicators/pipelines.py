"""Polars pipelines: contract frames in, key-figure rows out.

Every public function here is a pure function of Polars frames (no database,
no files). The output grain is the key-figure grain:
one row per indicator x level (unit | area | org) x scope x period type
(month | year | rolling_12m) x period x breakdown, with numerator,
denominator, value and n_individuals (see ``KEY_FIGURE_SCHEMA``).

How the work is organised (and why it is fast):

* Months are integers ``m = year * 12 + month - 1`` until the very end; labels
  (``2025-10``, ``2025``) are only made on the small result frames.
* The staff snapshots (the only large input: employees x units x months) are
  grouped **once** to the unit x staff category x month grain, computing every
  stock measure in the same pass (``staff_rollup``). Area and organisation
  values are sums of an area x breakdown grain made from those unit rows;
  people are de-duplicated across units only for the few person-months that
  sit in two or more units (the ``multi`` rows, found by counting one folded
  integer key), so "an employee in two units counts once" costs next to nothing.
* Flows (events, recruitments, development, …) are small; single events are
  added up per unit grain before they are repeated per level, and only a
  person's events on one date in two units are de-duplicated per scope. Monthly
  values are summed to calendar years, and to rolling 12-month windows from
  running totals per key (``rolling_sums``), so each row is read once rather
  than once per window.
* Work several indicators need is done once and passed on: the headcount
  periods (``head_flows``) feed turnover and sick leave; the event counts
  (``event_count_periods``) feed hires, retirements and turnover.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from kompetens.indicators.key_figures import KEY_FIGURE_SCHEMA

LEVELS = ("unit", "area", "org")
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
TEACHER_POSTS = ("teacher", "preschool_teacher")
UNKNOWN_AREA = "(okänt område)"

KEYS = ["level", "scope_id", "breakdown"]


@dataclass(frozen=True)
class Settings:
    """Knobs of the computation that are stored with the key figures."""

    reference_month: int = 10
    retirement_age: int = 66


@dataclass(frozen=True)
class Grid:
    """The months the data covers: rolling windows end at ``first + 11 .. last``."""

    months: tuple[int, ...]  # snapshot months (sorted); empty when there are no snapshots

    @property
    def first(self) -> int | None:
        return self.months[0] if self.months else None

    @property
    def last(self) -> int | None:
        return self.months[-1] if self.months else None


# ---------------------------------------------------------------------------------------
# small helpers


def month_of(date: pl.Expr) -> pl.Expr:
    """Month index ``year * 12 + month - 1`` of a date expression."""
    return (date.dt.year().cast(pl.Int32) * 12 + date.dt.month().cast(pl.Int32) - 1).cast(pl.Int32)


def month_label(m: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        (m // 12).cast(pl.String), pl.lit("-"), (m % 12 + 1).cast(pl.String).str.zfill(2)
    )


def empty_kf() -> pl.DataFrame:
    return pl.DataFrame(schema=KEY_FIGURE_SCHEMA)


def prepare_units(units: pl.DataFrame) -> pl.DataFrame:
    """unit_id -> area, school_form (areas as they are today, so trends stay comparable)."""
    return units.select(
        pl.col("unit_id").cast(pl.String),
        pl.col("area").cast(pl.String).fill_null(UNKNOWN_AREA),
        pl.col("school_form").cast(pl.String).fill_null("unknown"),
    ).unique("unit_id", keep="last")


def with_unit_attrs(frame: pl.LazyFrame, units: pl.DataFrame) -> pl.LazyFrame:
    """Attach area and school form; rows of unknown units land in the unknown area."""
    return frame.join(units.lazy(), on="unit_id", how="left").with_columns(
        pl.col("area").fill_null(UNKNOWN_AREA), pl.col("school_form").fill_null("unknown")
    )


def _scope(level: str) -> pl.Expr:
    if level == "unit":
        return pl.col("unit_id").alias("scope_id")
    if level == "area":
        return pl.col("area").alias("scope_id")
    return pl.lit("org").alias("scope_id")


def _breakdown(dim: str | None) -> pl.Expr:
    if dim is None:
        return pl.lit("all").alias("breakdown")
    return pl.concat_str(pl.lit(f"{dim}="), pl.col(dim).cast(pl.String).fill_null("unknown")).alias(
        "breakdown"
    )


def breakdown_in(dims: list[str]) -> pl.Expr:
    """The ``breakdown`` is ``all`` (when listed) or ``dim=...`` for one of ``dims``."""
    return pl.any_horizontal(
        [
            pl.col("breakdown") == "all"
            if d == "all"
            else pl.col("breakdown").str.starts_with(f"{d}=")
            for d in dims
        ]
    )


def _combos(dims: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(level, breakdown dimension) pairs; a unit has one school form, so no unit x school_form."""
    return [
        (level, dim)
        for level in LEVELS
        for dim in (None, *dims)
        if not (level == "unit" and dim == "school_form")
    ]


def expand_levels(frame: pl.LazyFrame, dims: tuple[str, ...]) -> pl.LazyFrame:
    """Repeat each row once per (level, breakdown) it belongs to. For small frames only."""
    parts = [
        frame.with_columns(pl.lit(level).alias("level"), _scope(level), _breakdown(dim))
        for level, dim in _combos(dims)
    ]
    return pl.concat(parts, how="vertical_relaxed")


def finish(frame: pl.DataFrame | pl.LazyFrame, indicator_id: str) -> pl.DataFrame:
    """Cast to the key-figure schema (missing columns null), drop rows without a value."""
    lf = frame.lazy()
    names = lf.collect_schema().names()
    cols = [
        (
            pl.lit(indicator_id)
            if name == "indicator_id"
            else pl.col(name)
            if name in names
            else pl.lit(None)
        )
        .cast(dtype)
        .alias(name)
        for name, dtype in KEY_FIGURE_SCHEMA.items()
    ]
    return (
        lf.select(cols)
        .filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
        .collect()
    )


def ratio(frame: pl.LazyFrame | pl.DataFrame, num: str, den: str, n: pl.Expr) -> pl.LazyFrame:
    """numerator/denominator/value/n_individuals from two summed columns (no row when den = 0)."""
    return frame.lazy().with_columns(
        pl.col(num).cast(pl.Float64).alias("numerator"),
        pl.col(den).cast(pl.Float64).alias("denominator"),
        pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).alias("value"),
        n.cast(pl.Int64).alias("n_individuals"),
    )


# ---------------------------------------------------------------------------------------
# periods


def month_periods(monthly: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """Label a monthly frame (column ``m``) as period_type month.

    Monthly series are trend lines: they carry the ``all`` breakdown, plus every
    breakdown for the latest month (the current state). Breakdowns over time are
    given per year. This keeps the table to a size pages can read fast.
    """
    lf = monthly.lazy()
    if "breakdown" in lf.collect_schema().names():
        lf = lf.filter((pl.col("breakdown") == "all") | (pl.col("m") == pl.col("m").max()))
    return lf.with_columns(
        pl.lit("month").alias("period_type"), month_label(pl.col("m")).alias("period")
    )


def reference_year(monthly: pl.LazyFrame | pl.DataFrame, reference_month: int) -> pl.LazyFrame:
    """Yearly value of a stock: the reference-month row, labelled with its year."""
    return (
        monthly.lazy()
        .filter(pl.col("m") % 12 == reference_month - 1)
        .with_columns(
            pl.lit("year").alias("period_type"), (pl.col("m") // 12).cast(pl.String).alias("period")
        )
    )


def rolling_sums(
    lf: pl.LazyFrame, keys: list[str], sums: list[str], lo: int, hi: int
) -> pl.LazyFrame:
    """Sums over the 12 months ending at ``e`` (``e - 11 .. e``), for every ``e`` in ``lo .. hi``.

    One row per key and window end whose window holds at least one row of the
    key. Computed from running totals per key, ``total(e) - total(e - 12)``
    (each found by an as-of join), so every input row is read once instead of
    once per window it falls in.
    """
    monthly = (
        lf.group_by([*keys, "m"])
        .agg([pl.col(c).sum() for c in sums])
        .with_columns(pl.struct(keys).rank("dense").alias("_g"))
        .sort("_g", "m")
        .with_columns(
            [pl.col(c).cum_sum().over("_g").alias(c) for c in sums]
            + [pl.int_range(1, pl.len() + 1).over("_g").alias("_n")]
        )
        .collect()
    )
    ends = (
        monthly.lazy()
        .group_by("_g")
        .agg(
            [pl.col(k).first() for k in keys]
            + [pl.col("m").min().alias("_lo"), pl.col("m").max().alias("_hi")]
        )
        .select(
            "_g",
            *keys,
            pl.int_ranges(
                pl.max_horizontal("_lo", pl.lit(lo)),
                pl.min_horizontal(pl.col("_hi") + 12, pl.lit(hi + 1)),
                dtype=pl.Int32,
            ).alias("e"),
        )
        .explode("e")
        .drop_nulls("e")
        .sort("_g", "e")
    )
    totals = monthly.lazy().select("_g", "m", "_n", *sums)
    upto_end = ends.join_asof(
        totals, left_on="e", right_on="m", by="_g", strategy="backward", check_sortedness=False
    )
    before = (
        ends.select("_g", (pl.col("e") - 12).alias("_b"))
        .join_asof(
            totals,
            left_on="_b",
            right_on="m",
            by="_g",
            strategy="backward",
            check_sortedness=False,
        )
        .select([pl.col(c).fill_null(0).alias(f"_{c}__before") for c in [*sums, "_n"]])
    )
    return (
        pl.concat([upto_end, before], how="horizontal")
        .filter(pl.col("_n").fill_null(0) > pl.col("__n__before"))
        .select(*keys, "e", *[(pl.col(c) - pl.col(f"_{c}__before")).alias(c) for c in sums])
    )


def flow_periods(
    monthly: pl.LazyFrame | pl.DataFrame,
    sums: list[str],
    grid: Grid,
    *,
    keys: list[str] = KEYS,
    span: tuple[int, int] | None = None,
    rolling_breakdowns: bool = False,
) -> pl.LazyFrame:
    """Sum additive monthly columns (``m``) to calendar years and rolling 12-month windows.

    Adds ``months``: how many snapshot months fall in the period (to average stocks
    such as headcount over a period). Rolling windows end at every month from
    ``first + 11`` to ``last`` of ``span`` (default: the snapshot months).
    Rolling windows are made for the ``all`` breakdown only (trend lines),
    unless ``rolling_breakdowns``: breakdowns are compared per calendar year.
    """
    lf = monthly.lazy()
    first, last = span if span is not None else (grid.first, grid.last)
    snap = pl.LazyFrame({"sm": list(grid.months)}, schema={"sm": pl.Int32})
    year_months = snap.group_by((pl.col("sm") // 12).alias("y")).agg(
        pl.len().cast(pl.Int64).alias("months")
    )
    years = (
        lf.group_by([*keys, (pl.col("m") // 12).alias("y")])
        .agg([pl.col(c).sum() for c in sums])
        .join(year_months, on="y", how="left")
        .with_columns(
            pl.col("months").fill_null(0),
            pl.lit("year").alias("period_type"),
            pl.col("y").cast(pl.String).alias("period"),
        )
        .drop("y")
    )
    if first is None or last is None or last - first < 11:
        return years
    ends = pl.LazyFrame({"e": list(range(first + 11, last + 1))}, schema={"e": pl.Int32})
    window_months = (
        ends.join(snap, how="cross")
        .filter((pl.col("sm") <= pl.col("e")) & (pl.col("sm") > pl.col("e") - 12))
        .group_by("e")
        .agg(pl.len().cast(pl.Int64).alias("months"))
    )
    rolling_rows = (
        lf
        if rolling_breakdowns or "breakdown" not in keys
        else lf.filter(pl.col("breakdown") == "all")
    )
    rolling = (
        rolling_sums(rolling_rows, keys, sums, first + 11, last)
        .join(window_months, on="e", how="left")
        .with_columns(
            pl.col("months").fill_null(0),
            pl.lit("rolling_12m").alias("period_type"),
            month_label(pl.col("e")).alias("period"),
        )
        .drop("e")
    )
    return pl.concat([years, rolling], how="vertical_relaxed")


# ---------------------------------------------------------------------------------------
# staff snapshots: the one large input


def snapshot_base(staff: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """One row per employee x unit x snapshot month (the month's latest snapshot date).

    Adds ``m`` (month index) and ``multi`` (the person sits in two or more units
    that month; only those rows need de-duplication above unit level). Unit
    attributes (area, school form) are joined later, on aggregated rows: the
    snapshots are the one large frame, so nothing is joined to them row by row.
    """
    lf = staff.lazy()
    # The month of each distinct date is computed on the (few) dates; the rows of
    # each month's latest date are kept and get their month by lookup.
    dates = lf.select(pl.col("snapshot_date").unique()).collect()
    latest = (
        dates.drop_nulls()
        .with_columns(month_of(pl.col("snapshot_date")).alias("m"))
        .group_by("m")
        .agg(pl.col("snapshot_date").max())
    )
    if latest.height < dates.height:  # earlier snapshots in a month (or no date): latest only
        lf = lf.filter(pl.col("snapshot_date").is_in(latest["snapshot_date"].implode()))
    base = lf.with_columns(
        pl.col("snapshot_date")
        .replace_strict(latest["snapshot_date"], latest["m"], return_dtype=pl.Int32)
        .alias("m"),
        pl.col("licensed").fill_null(False),
        pl.col("qualified").fill_null(False),
        pl.col("certification_programme").fill_null(False),
    ).collect()
    return base.with_columns(_multi_flag(base)).lazy()


def _multi_flag(base: pl.DataFrame) -> pl.Expr:
    """``multi``: the row's person has another row in the same month.

    With 64-bit integer ids (the engine hashes pseudonyms to UInt64) the pair
    (month, person) is folded into one integer key, which is far cheaper to
    count than a two-column group. Distinct pairs may share a folded key (a
    hash collision); that only marks a few extra rows ``multi``, which are then
    de-duplicated exactly by person, so figures cannot change. Usually nobody
    sits in two units and the flag is a constant.
    """
    if base.is_empty():
        return pl.lit(False).alias("multi")
    if base.schema["employee_id"] == pl.UInt64():
        key = pl.col("employee_id") ^ pl.col("m").hash(seed=7)
        if base.select(key.n_unique()).item() == base.height:
            return pl.lit(False).alias("multi")
        dup = base.group_by(key.alias("_k")).len().filter(pl.col("len") > 1).get_column("_k")
        return key.is_in(dup.implode()).alias("multi")
    return (pl.len().over(["m", "employee_id"]) > 1).alias("multi")


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


def _keyed(lf: pl.LazyFrame, level: str, dim: str | None) -> pl.LazyFrame:
    """Add level, scope_id and the raw breakdown value ``_bd`` (labelled after aggregating)."""
    bd = pl.lit("all") if dim is None else pl.col(dim).cast(pl.String).fill_null("unknown")
    return lf.with_columns(pl.lit(level).alias("level"), _scope(level), bd.alias("_bd"))


def _label(lf: pl.LazyFrame, dim: str | None) -> pl.LazyFrame:
    """Turn ``_bd`` into the breakdown label (``all`` or ``dim=value``) on a small, aggregated frame."""
    if dim is None:
        return lf.rename({"_bd": "breakdown"})
    return lf.with_columns(pl.concat_str(pl.lit(f"{dim}="), pl.col("_bd")).alias("_bd")).rename(
        {"_bd": "breakdown"}
    )


def person_rollup(
    rows: pl.LazyFrame,
    units: pl.DataFrame,
    *,
    sums: list[str],
    persons: list[str],
    dims: tuple[str, ...] = ("staff_category", "school_form"),
    period: str = "m",
    unit_conditions: dict[str, pl.Expr] | None = None,
) -> pl.DataFrame:
    """Roll person rows (one per employee x unit x period) up to unit, area and org.

    ``sums`` are added up; ``persons`` are boolean flags counted as distinct
    persons: at unit level a plain count, above it the ``multi`` rows are
    de-duplicated per employee (a flag counts if it holds in any of their units).
    ``unit_conditions`` zero a column in units whose attributes fail the condition.
    Output: level, scope_id, breakdown, ``period``, sums, persons.
    """
    conditions = unit_conditions or {}
    grain = ["unit_id", *[d for d in dims if d != "school_form"], period]
    # The one pass over the large frame: sums and person counts per unit grain.
    unit_grain = (
        rows.group_by(grain)
        .agg(
            [pl.col(c).sum() for c in sums]
            + [pl.col(p).sum().cast(pl.Int64).alias(p) for p in persons]
        )
        .collect()
    )
    multi = rows.filter(pl.col("multi")).select(["employee_id", *grain, *persons]).collect()
    # Persons counted above unit level without de-duplication: everyone not in ``multi``
    # (the unit count minus the unit's multi rows; usually there are none).
    if multi.height:
        multi_counts = multi.group_by(grain).agg(
            [pl.col(p).sum().cast(pl.Int64).alias(f"{p}__m") for p in persons]
        )
        unit_grain = unit_grain.join(multi_counts, on=grain, how="left").with_columns(
            [(pl.col(p) - pl.col(f"{p}__m").fill_null(0)).alias(f"{p}__single") for p in persons]
        )
    else:
        unit_grain = unit_grain.with_columns([pl.col(p).alias(f"{p}__single") for p in persons])
    unit_grain = with_unit_attrs(unit_grain.lazy(), units)
    masked = [
        pl.when(cond).then(pl.col(c)).otherwise(0).alias(c)
        for col, cond in conditions.items()
        for c in ([col, f"{col}__single"] if col in persons else [col])
    ]
    unit_grain = unit_grain.with_columns(masked).collect() if masked else unit_grain.collect()
    multi = with_unit_attrs(multi.lazy(), units)
    multi = multi.with_columns(
        [(pl.col(c) & cond).alias(c) for c, cond in conditions.items() if c in persons]
    ).collect()
    # Areas and the organisation add up the (far fewer) area x breakdown rows.
    singles = [f"{p}__single" for p in persons]
    area_grain = (
        unit_grain.lazy()
        .group_by(["area", *dims, period])
        .agg([pl.col(c).sum() for c in [*sums, *singles]])
        .collect()
    )
    parts = []
    for level, dim in _combos(dims):
        keyed = _keyed((unit_grain if level == "unit" else area_grain).lazy(), level, dim)
        group = ["level", "scope_id", "_bd", period]
        if level == "unit" and dim in grain:
            # Already at this grain: nothing to add up.
            part = keyed.select([*group, *sums, *persons])
        elif level == "unit":
            part = keyed.group_by(group).agg([pl.col(c).sum() for c in [*sums, *persons]])
        else:
            part = keyed.group_by(group).agg(
                [pl.col(c).sum() for c in sums]
                + [pl.col(f"{p}__single").sum().alias(p) for p in persons]
            )
            if persons and multi.height:
                deduped = (
                    _keyed(multi.lazy(), level, dim)
                    .group_by(["scope_id", "_bd", period, "employee_id"])
                    .agg([pl.col(p).max() for p in persons])
                    .group_by(["scope_id", "_bd", period])
                    .agg([pl.col(p).sum().alias(f"{p}__multi") for p in persons])
                )
                part = part.join(deduped, on=["scope_id", "_bd", period], how="left").select(
                    [*group, *sums]
                    + [(pl.col(p) + pl.col(f"{p}__multi").fill_null(0)).alias(p) for p in persons]
                )
        parts.append(_label(part, dim).with_columns([pl.col(p).cast(pl.Int64) for p in persons]))
    return pl.concat(parts, how="vertical_relaxed").collect()


def staff_rollup(base: pl.LazyFrame, units: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """All staff stock measures at level x scope x breakdown x month (the one big pass)."""
    return person_rollup(
        staff_measures(base, settings),
        units,
        sums=STAFF_SUMS,
        persons=STAFF_PERSONS,
        unit_conditions=STAFF_UNIT_CONDITIONS,
    )


def _stock(
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
        "certified_teacher_share": _stock(
            rollup,
            "certified_teacher_share",
            "cts_num",
            "cts_den",
            "cts_p",
            settings,
            ("school_form",),
        ),
        "licensed_preschool_teacher_share": _stock(
            rollup, "licensed_preschool_teacher_share", "lps_num", "lps_den", "lps_p", settings, ()
        ),
        "on_certification_path_share": _stock(
            rollup,
            "on_certification_path_share",
            "path_num_p",
            "path_den_p",
            "path_den_p",
            settings,
            ("staff_category", "school_form"),
        ),
        "temporary_teacher_share": _stock(
            rollup,
            "temporary_teacher_share",
            "tmp_num",
            "tmp_den",
            "tmp_p",
            settings,
            ("staff_category", "school_form"),
        ),
        "age_55_plus_share": _stock(
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


def certification_gap(
    shares: pl.DataFrame, unit_targets: pl.DataFrame, units: pl.DataFrame
) -> pl.DataFrame:
    """certification_gap_fte from the unit rows of the two certification shares.

    ``shares``: key figures of certified_teacher_share (school units) and
    licensed_preschool_teacher_share (forskola units); ``unit_targets``:
    indicator_id, scope_id (unit), year, target. Gap per unit = max(0, target x
    den - num); area/org = sum of their units' gaps (surpluses do not net out).
    """
    if shares.is_empty() or unit_targets.is_empty():
        return empty_kf()
    unit_rows = (
        shares.lazy()
        .filter((pl.col("level") == "unit") & (pl.col("breakdown") == "all"))
        .with_columns(pl.col("period").str.slice(0, 4).cast(pl.Int64).alias("year"))
        .join(
            unit_targets.lazy().select("indicator_id", "scope_id", "year", "target"),
            on=["indicator_id", "scope_id", "year"],
            how="inner",
        )
        .with_columns(
            (pl.col("target") * pl.col("denominator") - pl.col("numerator"))
            .clip(lower_bound=0.0)
            .alias("gap"),
            pl.col("scope_id").alias("unit_id"),
        )
    )
    unit_rows = with_unit_attrs(unit_rows, units)
    parts = []
    for level, dim in _combos(("school_form",)):
        parts.append(
            unit_rows.with_columns(pl.lit(level).alias("level"), _scope(level), _breakdown(dim))
            .group_by([*KEYS, "period_type", "period"])
            .agg(pl.col("gap").sum().alias("value"), pl.col("n_individuals").sum())
        )
    return finish(pl.concat(parts), "certification_gap_fte")


# ---------------------------------------------------------------------------------------
# events: hires, exits, moves, redundancy


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


def person_event_counts(
    frame: pl.DataFrame | pl.LazyFrame,
    flags: dict[str, pl.Expr],
    dims: tuple[str, ...],
    *,
    period: str = "m",
    date: str = "event_date",
) -> pl.DataFrame:
    """Count distinct (employee, date) per level x scope x breakdown x period for each flag.

    One person's event written for two units counts once in an area or the
    organisation (the flag counts if it holds in any of the rows).
    """
    names = list(flags)
    lf = (
        frame.lazy()
        .with_columns([expr.alias(name) for name, expr in flags.items()])
        .with_columns((pl.len().over(["employee_id", date]) > 1).alias("_shared"))
    )
    # Most (person, date) pairs occur once: those rows are counted per unit grain first
    # and only then repeated per level; the few shared pairs are de-duplicated per scope.
    single = (
        lf.filter(~pl.col("_shared"))
        .group_by(list(dict.fromkeys(["unit_id", "area", *dims, period])))
        .agg([pl.col(name).cast(pl.Int64).sum() for name in names])
    )
    single = expand_levels(single, dims)
    shared = (
        expand_levels(lf.filter(pl.col("_shared")), dims)
        .group_by([*KEYS, period, "employee_id", date])
        .agg([pl.col(name).max().cast(pl.Int64) for name in names])
    )
    return (
        pl.concat(
            [single.select([*KEYS, period, *names]), shared.select([*KEYS, period, *names])],
            how="vertical_relaxed",
        )
        .group_by([*KEYS, period])
        .agg([pl.col(name).sum() for name in names])
        .collect()
    )


def _count_figures(periods: pl.DataFrame, col: str, indicator_id: str) -> pl.DataFrame:
    """A count as its own figure, from the counts summed to periods (``flow_periods``)."""
    # Zero counts are kept where the scope had other events: "0 retirements" is a figure.
    return finish(
        periods.lazy().with_columns(
            pl.col(col).cast(pl.Float64).alias("value"), pl.col(col).alias("n_individuals")
        ),
        indicator_id,
    )


def complete_years(grid: Grid) -> pl.Expr:
    """Rows of months and rolling windows, and of calendar years the snapshots cover from January to December.

    For figures that grow with the length of the period (counts, turnover, hours
    per FTE), a year still in progress (or one the data starts in the middle of)
    would look like a fall against the year before; those years are left out and
    the rolling 12 months carry the latest picture.
    """
    if not grid.months:
        return pl.lit(True)
    years = [
        str(y) for y in range(grid.first // 12, grid.last // 12 + 1)
        if y * 12 >= grid.first and y * 12 + 11 <= grid.last
    ]  # fmt: skip
    return (pl.col("period_type") != "year") | pl.col("period").is_in(years)


def head_flows(staff_roll: pl.DataFrame, grid: Grid) -> pl.DataFrame:
    """Monthly person counts of the staff pass (``perm_p``, ``all_p``) summed to periods.

    Calendar years and rolling 12-month windows, with ``months`` (snapshot months
    in the period; periods without any are dropped): the average headcount is
    ``count / months``. Shared by turnover and sick leave.
    """
    monthly = staff_roll.lazy().select([*KEYS, "m", "perm_p", "all_p"])
    return flow_periods(monthly, ["perm_p", "all_p"], grid).filter(pl.col("months") > 0).collect()


def event_count_periods(ev: pl.DataFrame, grid: Grid) -> pl.DataFrame:
    """Persons hired, leaving (permanent; with and without retirements) and retiring.

    Distinct (person, date) per level x scope x breakdown (staff category, school
    form), summed to calendar years and rolling 12-month windows (``flow_periods``).
    Read by hires, retirements and turnover_rate.
    """
    etype = pl.col("event_type")
    permanent = (pl.col("employment_type") == "permanent").fill_null(False)
    exit_ = etype == "exit"
    retirement = (pl.col("reason") == "retirement").fill_null(False)
    flags = {
        "hire": etype == "hire",
        "exit_perm": exit_ & permanent,
        "exit_perm_excl_ret": exit_ & permanent & ~retirement,
        "retirement": exit_ & retirement,
    }
    counts = person_event_counts(ev, flags, ("staff_category", "school_form"))
    return flow_periods(counts, list(flags), grid, span=_span(grid, ev["m"])).collect()


def turnover_figures(count_periods: pl.DataFrame, heads: pl.DataFrame, grid: Grid) -> pl.DataFrame:
    """turnover_rate: exits of permanent employees / average permanent headcount.

    ``count_periods`` from ``event_count_periods``, ``heads`` from ``head_flows``.
    Periods without permanent staff have no rate, so the exits join the headcount.
    The ``all`` breakdown also comes as ``variant=excl_retirement``. Calendar
    years only once complete (``complete_years``).
    """
    period_keys = [*KEYS, "period_type", "period"]
    periods = (
        heads.lazy()
        .filter(complete_years(grid))
        .select([*period_keys, "perm_p", "months"])
        .join(
            count_periods.lazy().select([*period_keys, "exit_perm", "exit_perm_excl_ret"]),
            on=period_keys,
            how="left",
        )
        .with_columns(
            pl.col("exit_perm", "exit_perm_excl_ret").fill_null(0),
            (pl.col("perm_p") / pl.col("months")).alias("avg_perm"),
        )
        .filter(breakdown_in(["all", "staff_category", "school_form"]) & (pl.col("avg_perm") > 0))
        # Collected once: both turnover variants read it (a lazy plan would run twice).
        .collect()
        .lazy()
    )
    n = pl.col("avg_perm").floor()
    variant = periods.filter(pl.col("breakdown") == "all").with_columns(
        pl.lit("variant=excl_retirement").alias("breakdown")
    )
    return finish(
        pl.concat(
            [
                ratio(periods, "exit_perm", "avg_perm", n),
                ratio(variant, "exit_perm_excl_ret", "avg_perm", n),
            ]
        ),
        "turnover_rate",
    )


def event_indicators(
    ev: pl.DataFrame,
    units: pl.DataFrame,
    staff_roll: pl.DataFrame | None,
    grid: Grid,
    settings: Settings,
    heads: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """turnover_rate, unit_turnover_rate, hires, retirements, exit_reasons.

    ``heads``: ``head_flows(staff_roll, grid)`` when the caller already has it.
    """
    out: dict[str, pl.DataFrame] = {}
    if ev.is_empty():
        return out
    count_periods = event_count_periods(ev, grid)
    # Counts grow through the year: a year in progress is left out, like for turnover.
    whole = count_periods.filter(complete_years(grid))
    out["hires"] = _count_figures(whole, "hire", "hires")
    out["retirements"] = _count_figures(whole, "retirement", "retirements")

    # exit_reasons: one breakdown per reason; the "all" row is all exits / all exits.
    reasons = person_event_counts(
        ev.filter(pl.col("event_type") == "exit"), {"exits": pl.lit(True)}, ("reason",)
    )
    if reasons.height:
        # Totals per period (not per month): a reason absent in a month still shares the year's total.
        periods = flow_periods(
            reasons, ["exits"], grid, span=_span(grid, ev["m"]), rolling_breakdowns=True
        )
        totals = periods.filter(pl.col("breakdown") == "all").select(
            "level", "scope_id", "period_type", "period", pl.col("exits").alias("total")
        )
        shares = periods.join(
            totals, on=["level", "scope_id", "period_type", "period"], how="inner"
        ).filter(pl.col("total") > 0)
        out["exit_reasons"] = finish(
            ratio(shares, "exits", "total", pl.col("exits")), "exit_reasons"
        )

    if staff_roll is not None and staff_roll.height:
        if heads is None:
            heads = head_flows(staff_roll, grid)
        out["turnover_rate"] = turnover_figures(count_periods, heads, grid)
        out["unit_turnover_rate"] = _unit_turnover(ev, staff_roll, units, grid)
    return out


def _span(grid: Grid, months: pl.Series) -> tuple[int, int] | None:
    """Rolling-window span: the snapshot months, or the flow's own months when there are none."""
    if grid.months:
        return (grid.first, grid.last)
    if months.len() == 0 or months.null_count() == months.len():
        return None
    return (int(months.min()), int(months.max()))


def _unit_turnover(
    ev: pl.DataFrame, staff_roll: pl.DataFrame, units: pl.DataFrame, grid: Grid
) -> pl.DataFrame:
    """Exits + internal moves out of the unit (permanent) / the unit's average permanent headcount.

    Computed per unit; area and org sum the unit numerators and denominators.
    """
    leaves = (
        ev.lazy()
        .filter(
            pl.col("event_type").is_in(["exit", "internal_move"])
            & (pl.col("employment_type") == "permanent")
        )
        .group_by("unit_id", "m")
        .agg(pl.struct("employee_id", "event_date").n_unique().cast(pl.Int64).alias("leaves"))
    )
    heads = (
        staff_roll.lazy()
        .filter((pl.col("level") == "unit") & (pl.col("breakdown") == "all"))
        .select(pl.col("scope_id").alias("unit_id"), "m", "perm_p")
    )
    unit_monthly = heads.join(leaves, on=["unit_id", "m"], how="full", coalesce=True).with_columns(
        pl.col("perm_p", "leaves").fill_null(0)
    )
    monthly = (
        expand_levels(with_unit_attrs(unit_monthly, units), ("school_form",))
        .group_by([*KEYS, "m"])
        .agg(pl.col("perm_p", "leaves").sum())
    )
    periods = (
        flow_periods(monthly, ["perm_p", "leaves"], grid)
        .filter(complete_years(grid) & (pl.col("months") > 0))
        .with_columns((pl.col("perm_p") / pl.col("months")).alias("avg_perm"))
        .filter(pl.col("avg_perm") > 0)
    )
    return finish(
        ratio(periods, "leaves", "avg_perm", pl.col("avg_perm").floor()), "unit_turnover_rate"
    )


def explode_periods(lf: pl.LazyFrame, span: tuple[int, int] | None) -> pl.LazyFrame:
    """Repeat each row (column ``m``) for its calendar year and every rolling window containing it.

    For small flow frames whose figures are not additive (medians).
    """
    years = lf.with_columns(
        pl.lit("year").alias("period_type"), (pl.col("m") // 12).cast(pl.String).alias("period")
    )
    if span is None or span[1] - span[0] < 11:
        return years
    first, last = span
    offsets = pl.LazyFrame({"k": list(range(12))}, schema={"k": pl.Int32})
    rolling = (
        lf.join(offsets, how="cross")
        .with_columns((pl.col("m") + pl.col("k")).cast(pl.Int32).alias("_e"))
        .filter(pl.col("_e").is_between(first + 11, last))
        .with_columns(
            pl.lit("rolling_12m").alias("period_type"), month_label(pl.col("_e")).alias("period")
        )
        .drop("k", "_e")
    )
    return pl.concat([years, rolling], how="vertical_relaxed")


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
    span = _span(grid, lf.select("m").collect()["m"])
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


def placement_indicators(placements: pl.DataFrame, units: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """student_placements (count) and placement_to_hire (share), per period_start year."""
    if placements.is_empty():
        return {}
    lf = with_unit_attrs(placements.lazy(), units).with_columns(
        pl.lit("year").alias("period_type"),
        pl.col("period_start").dt.year().cast(pl.String).alias("period"),
    )
    agg = (
        expand_levels(lf, ("placement_type", "school_form"))
        .group_by([*KEYS, "period_type", "period"])
        .agg(
            pl.col("students").sum().alias("students"),
            pl.when(pl.col("hired_later").is_not_null())
            .then(pl.col("students"))
            .sum()
            .alias("students_known"),
            pl.col("hired_later").sum().alias("hired_later"),
        )
        .collect()
    )
    return {
        "student_placements": finish(
            agg.lazy()
            .filter(pl.col("students") > 0)
            .with_columns(
                pl.col("students").cast(pl.Float64).alias("value"),
                pl.col("students").alias("n_individuals"),
            ),
            "student_placements",
        ),
        "placement_to_hire": finish(
            ratio(agg, "hired_later", "students_known", pl.col("students_known")),
            "placement_to_hire",
        ),
    }


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


def _headcount_periods(
    staff_roll: pl.DataFrame, heads: pl.DataFrame, breakdowns: list[str]
) -> pl.LazyFrame:
    """Average headcount (``all_p``) over each period (month, year, rolling) of some breakdowns.

    ``heads`` is ``head_flows(staff_roll, grid)``.
    """
    wanted = breakdown_in(breakdowns)
    # Every month and breakdown (not only the staff data's latest month): the figures
    # these averages go with may end in another month, e.g. sick leave a month behind.
    months = (
        staff_roll.lazy()
        .filter(wanted)
        .select(
            *KEYS,
            pl.lit("month").alias("period_type"),
            month_label(pl.col("m")).alias("period"),
            pl.col("all_p").cast(pl.Float64).alias("avg"),
        )
    )
    flows = (
        heads.lazy()
        .filter(wanted)
        .select([*KEYS, "period_type", "period", (pl.col("all_p") / pl.col("months")).alias("avg")])
    )
    return pl.concat([months, flows])


def sick_leave_indicators(
    sick: pl.DataFrame,
    units: pl.DataFrame,
    staff_roll: pl.DataFrame | None,
    grid: Grid,
    heads: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """sick_leave_rate and long_sick_leave_share per month, year and rolling 12 months.

    n_individuals = the average headcount of the scope over the period's
    snapshots (0 when there are none, which suppresses the figure). ``heads``:
    ``head_flows(staff_roll, grid)`` when the caller already has it.
    """
    if sick.is_empty():
        return {}
    lf = with_unit_attrs(
        sick.lazy().with_columns(month_of(pl.col("month")).alias("m")), units
    ).with_columns(
        pl.when(pl.col("long_sick_hours").is_not_null())
        .then(pl.col("sick_hours"))
        .otherwise(0.0)
        .alias("sick_known"),
        pl.col("long_sick_hours").fill_null(0.0),
    )
    sums = ["scheduled_hours", "sick_hours", "long_sick_hours", "sick_known"]
    monthly = (
        expand_levels(lf, ("school_form",)).group_by([*KEYS, "m"]).agg(pl.col(sums).sum()).collect()
    )
    span = _span(grid, monthly["m"])
    periods = pl.concat(
        [
            month_periods(monthly).drop("m"),
            flow_periods(monthly, sums, grid, span=span).drop("months"),
        ],
        how="vertical_relaxed",
    )
    if staff_roll is not None and staff_roll.height:
        if heads is None:
            heads = head_flows(staff_roll, grid)
        averages = _headcount_periods(staff_roll, heads, ["all", "school_form"])
        periods = periods.join(averages, on=[*KEYS, "period_type", "period"], how="left")
    else:
        periods = periods.with_columns(pl.lit(None, dtype=pl.Float64).alias("avg"))
    periods = periods.collect().lazy()  # read by both indicators: run the plan once
    n = pl.col("avg").fill_null(0).floor()
    return {
        "sick_leave_rate": finish(
            ratio(periods, "sick_hours", "scheduled_hours", n), "sick_leave_rate"
        ),
        "long_sick_leave_share": finish(
            ratio(periods, "long_sick_hours", "sick_known", n), "long_sick_leave_share"
        ),
    }


def development_indicators(
    development: pl.DataFrame,
    ev: pl.DataFrame,
    units: pl.DataFrame,
    base: pl.LazyFrame | None,
    staff_roll: pl.DataFrame | None,
    grid: Grid,
) -> dict[str, pl.DataFrame]:
    """development_hours_per_fte and onboarding_completion."""
    out: dict[str, pl.DataFrame] = {}
    if development.is_empty() or base is None or staff_roll is None or not staff_roll.height:
        return out
    dev = development.lazy().with_columns(month_of(pl.col("activity_date")).alias("m"))
    # An activity without a unit goes to the unit where the person had most FTE that month.
    missing = dev.filter(pl.col("unit_id").is_null()).select("employee_id", "m").unique()
    home = (
        base.select("employee_id", "m", pl.col("unit_id").alias("_home"), "fte")
        .join(missing, on=["employee_id", "m"], how="semi")
        .sort("fte", descending=True)
        .unique(["employee_id", "m"], keep="first")
        .drop("fte")
    )
    dev = (
        dev.join(home, on=["employee_id", "m"], how="left")
        .with_columns(pl.col("unit_id").fill_null(pl.col("_home")))
        .drop("_home")
        .filter(pl.col("unit_id").is_not_null())
        # hours are additive: sum per unit and month before the level expansion
        .group_by("unit_id", "m")
        .agg(pl.col("hours").sum())
    )
    dev = with_unit_attrs(dev, units)
    hours = (
        expand_levels(dev, ("school_form",))
        .group_by([*KEYS, "m"])
        .agg(pl.col("hours").sum())
        .collect()
    )
    fte = staff_roll.filter(breakdown_in(["all", "school_form"])).select(
        [*KEYS, "m", "fte_all", "all_p"]
    )
    monthly = fte.join(hours, on=[*KEYS, "m"], how="full", coalesce=True).with_columns(
        pl.col("fte_all", "hours").fill_null(0.0), pl.col("all_p").fill_null(0)
    )
    periods = (
        flow_periods(monthly, ["hours", "fte_all", "all_p"], grid)
        .filter(complete_years(grid) & (pl.col("months") > 0))
        .with_columns(
            (pl.col("fte_all") / pl.col("months")).alias("avg_fte"),
            (pl.col("all_p") / pl.col("months")).floor().alias("avg_n"),
        )
    )
    out["development_hours_per_fte"] = finish(
        ratio(periods, "hours", "avg_fte", pl.col("avg_n")), "development_hours_per_fte"
    )

    hires = ev.filter(pl.col("event_type") == "hire")
    if hires.height and grid.months:
        horizon_m = grid.last
        onboard = (
            development.lazy()
            .filter(pl.col("activity_type") == "onboarding")
            .select("employee_id", pl.col("activity_date").alias("_act"))
        )
        done = (
            hires.lazy()
            .select("employee_id", "event_date")
            .unique()
            .join(onboard, on="employee_id", how="inner")
            .filter(((pl.col("_act") - pl.col("event_date")).dt.total_days()).is_between(0, 90))
            .select("employee_id", "event_date")
            .unique()
            .with_columns(pl.lit(True).alias("_done"))
        )
        # The 90-day window must have ended by the last day of the latest snapshot month.
        last_day = pl.date(horizon_m // 12, horizon_m % 12 + 1, 1).dt.month_end()
        hires_flag = (
            hires.lazy()
            .join(done, on=["employee_id", "event_date"], how="left")
            .with_columns(
                pl.col("_done").fill_null(False),
                (pl.col("event_date") + pl.duration(days=90) <= last_day).alias("_due"),
            )
        )
        counts = person_event_counts(
            hires_flag,
            {"due": pl.col("_due"), "done": pl.col("_due") & pl.col("_done")},
            ("staff_category", "school_form"),
        )
        periods = flow_periods(counts, ["due", "done"], grid).filter(pl.col("due") > 0)
        out["onboarding_completion"] = finish(
            ratio(periods, "done", "due", pl.col("due")), "onboarding_completion"
        )
    return out


def first_year_retention(ev: pl.DataFrame, base: pl.LazyFrame | None, grid: Grid) -> pl.DataFrame:
    """Hires of year Y still in the organisation in the snapshot 12 months after the hire month."""
    hires = ev.filter(pl.col("event_type") == "hire")
    if not hires.height or base is None or not grid.months:
        return empty_kf()
    wanted = (
        hires.lazy().select("employee_id", (pl.col("m") + 12).cast(pl.Int32).alias("m")).unique()
    )
    present = (
        base.select("employee_id", "m")
        .join(wanted, on=["employee_id", "m"], how="semi")
        .select("employee_id", (pl.col("m") - 12).cast(pl.Int32).alias("m"))
        .unique()
        .with_columns(pl.lit(True).alias("_kept"))
    )
    snap = pl.LazyFrame({"m": [x - 12 for x in grid.months]}, schema={"m": pl.Int32}).with_columns(
        pl.lit(True).alias("_due")
    )
    flagged = (
        hires.lazy()
        .join(snap, on="m", how="inner")
        .join(present, on=["employee_id", "m"], how="left")
        .with_columns(pl.col("_kept").fill_null(False))
    )
    counts = person_event_counts(
        flagged, {"due": pl.lit(True), "kept": pl.col("_kept")}, ("staff_category", "school_form")
    )
    years = (
        counts.lazy()
        .group_by([*KEYS, (pl.col("m") // 12).cast(pl.String).alias("period")])
        .agg(pl.col("due", "kept").sum())
    )
    years = years.with_columns(pl.lit("year").alias("period_type"))
    return finish(ratio(years, "kept", "due", pl.col("due")), "first_year_retention")


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


def redundancy_indicators(
    ev: pl.DataFrame,
    recruitments: pl.DataFrame,
    units: pl.DataFrame,
    grid: Grid,
    settings: Settings,
) -> dict[str, pl.DataFrame]:
    """redundant_staff_unplaced and open_vacancies_for_redundant, at each month's last day."""
    notices = ev.filter(pl.col("event_type") == "redundancy_notice")
    if not notices.height:
        return {}
    span = _span(grid, ev["m"])
    if span is None:
        return {}
    first, last = span
    resolve = (
        ev.lazy()
        .filter(pl.col("event_type").is_in(["redundancy_placed", "exit"]))
        .select("employee_id", pl.col("event_date").alias("_res"))
    )
    # The first placement or exit after the notice ends the unplaced spell.
    spells = (
        notices.lazy()
        .join(resolve, on="employee_id", how="left")
        .with_columns(
            pl.when(pl.col("_res") >= pl.col("event_date")).then(pl.col("_res")).alias("_res")
        )
        .group_by(
            ["employee_id", "event_date", "unit_id", "area", "school_form", "staff_category", "m"]
        )
        .agg(pl.col("_res").min())
        .with_columns(month_of(pl.col("_res")).alias("_res_m"))
    )
    # Unplaced at the end of month e if notice month <= e and (no resolution or resolved after e).
    month_rows = (
        spells.with_columns(
            pl.int_ranges(
                pl.max_horizontal(pl.col("m"), pl.lit(first)), pl.lit(last + 1), dtype=pl.Int32
            ).alias("e")
        )
        .explode("e")
        .filter(pl.col("_res_m").is_null() | (pl.col("_res_m") > pl.col("e")))
        .with_columns(pl.col("e").alias("m"))
        .collect()
    )
    out: dict[str, pl.DataFrame] = {}
    if not month_rows.height:
        return out
    counts = person_event_counts(
        month_rows, {"unplaced": pl.lit(True)}, ("staff_category", "school_form")
    )
    lf = counts.lazy().with_columns(
        pl.col("unplaced").cast(pl.Float64).alias("value"),
        pl.col("unplaced").alias("n_individuals"),
    )
    out["redundant_staff_unplaced"] = finish(
        pl.concat([month_periods(lf), reference_year(lf, settings.reference_month)]),
        "redundant_staff_unplaced",
    )
    if recruitments.height:
        cats = month_rows.select("staff_category", pl.col("e").alias("m")).unique()
        rec = with_unit_attrs(recruitments.lazy(), units).with_columns(
            month_of(pl.col("published_date")).alias("_pm"),
            month_of(pl.col("closed_date")).alias("_cm"),
        )
        # Open at the end of month e: published by then, closed (if at all) after that month.
        open_rows = (
            rec.filter(pl.col("_pm").is_not_null())
            .filter(pl.col("closed_date").is_not_null() | (pl.col("outcome") == "open"))
            .with_columns(
                pl.int_ranges(
                    pl.max_horizontal(pl.col("_pm"), pl.lit(first)),
                    pl.min_horizontal(pl.col("_cm").fill_null(last + 1), pl.lit(last + 1)),
                    dtype=pl.Int32,
                ).alias("m")
            )
            .explode("m")
            .filter(pl.col("m").is_not_null())
            .join(cats.lazy(), on=["staff_category", "m"], how="semi")
        )
        agg = (
            expand_levels(open_rows, ("staff_category", "school_form"))
            .group_by([*KEYS, "m"])
            .agg(pl.len().cast(pl.Int64).alias("open"))
        )
        lf = agg.with_columns(
            pl.col("open").cast(pl.Float64).alias("value"), pl.col("open").alias("n_individuals")
        )
        out["open_vacancies_for_redundant"] = finish(
            pl.concat([month_periods(lf), reference_year(lf, settings.reference_month)]),
            "open_vacancies_for_redundant",
        )
    return out


# ---------------------------------------------------------------------------------------
# the whole computation

#: Which compute block produces which indicators (the engine recomputes whole blocks).
BLOCKS: dict[str, tuple[str, ...]] = {
    "staff": (
        "certified_teacher_share",
        "licensed_preschool_teacher_share",
        "on_certification_path_share",
        "temporary_teacher_share",
        "age_55_plus_share",
        "in_certification_programme",
        "retirement_forecast_5y",
        "turnover_rate_cohort",
    ),
    "events": (
        "turnover_rate",
        "unit_turnover_rate",
        "hires",
        "retirements",
        "exit_reasons",
        "first_year_retention",
    ),
    "redundancy": ("redundant_staff_unplaced", "open_vacancies_for_redundant"),
    "recruitments": (
        "applicants_per_vacancy",
        "qualified_applicants_per_vacancy",
        "time_to_fill_days",
        "unfilled_vacancy_share",
        "certified_hire_share",
    ),
    "placements": ("student_placements", "placement_to_hire"),
    "survey": ("employer_recommendation", "hme_index"),
    "sick_leave": ("sick_leave_rate", "long_sick_leave_share"),
    "development": ("development_hours_per_fte", "onboarding_completion"),
}


def grid_of(staff: pl.DataFrame) -> Grid:
    if staff.is_empty():
        return Grid(())
    dates = staff.select(pl.col("snapshot_date").unique())  # few dates, many rows
    months = (
        dates.select(month_of(pl.col("snapshot_date")).unique().sort()).to_series().drop_nulls()
    )
    return Grid(tuple(int(m) for m in months))


def compute(
    frames: dict[str, pl.DataFrame],
    settings: Settings = Settings(),
    blocks: set[str] | None = None,
    progress=None,
) -> dict[str, pl.DataFrame]:
    """Key figures of the requested blocks (default all), one frame per indicator id.

    ``frames`` holds the current rows of each contract kind (``store.read_current``
    shape; ``employee_id`` may be any hashable type). Targets are not used here:
    ``certification_gap_fte`` is derived by the engine from the shares and the
    resolved targets.
    """
    wanted = set(BLOCKS) if blocks is None else set(blocks)
    step = progress or (lambda fraction, message: None)
    units = prepare_units(frames["units"])
    staff = frames["staff"]
    grid = grid_of(staff)
    out: dict[str, pl.DataFrame] = {}
    needs_base = (
        bool(wanted & {"staff", "events", "sick_leave", "development"}) and not staff.is_empty()
    )
    base = snapshot_base(staff).collect().lazy() if needs_base else None
    step(0.2, "personalöversikt")
    roll = staff_rollup(base, units, settings) if base is not None else None
    heads = (
        head_flows(roll, grid)
        if roll is not None and roll.height and wanted & {"events", "sick_leave"}
        else None
    )
    if "staff" in wanted and base is not None:
        out.update(stock_indicators(roll, settings))
        out["turnover_rate_cohort"] = turnover_cohort(base, units, grid)
    step(0.5, "händelser")
    ev = None
    if wanted & {"events", "redundancy", "development"} and not frames["events"].is_empty():
        ev = prepare_events(frames["events"], units, base)
    if "events" in wanted and ev is not None:
        out.update(event_indicators(ev, units, roll, grid, settings, heads))
        out["first_year_retention"] = first_year_retention(ev, base, grid)
    if "redundancy" in wanted and ev is not None:
        out.update(redundancy_indicators(ev, frames["recruitments"], units, grid, settings))
    step(0.7, "rekrytering, enkät, sjukfrånvaro")
    if "recruitments" in wanted:
        out.update(recruitment_indicators(frames["recruitments"], units, grid))
    if "placements" in wanted:
        out.update(placement_indicators(frames["placements"], units))
    if "survey" in wanted:
        out.update(survey_indicators(frames["survey"], units))
    if "sick_leave" in wanted:
        out.update(sick_leave_indicators(frames["sick_leave"], units, roll, grid, heads))
    if "development" in wanted:
        out.update(
            development_indicators(
                frames["development"],
                ev if ev is not None else pl.DataFrame(schema={"event_type": pl.String}),
                units,
                base,
                roll,
                grid,
            )
        )
    step(0.9, "klart")
    return out
