"""Demo dataset, the kinds derived from the staff flow.

Sick leave, survey, recruitments, development, placements and targets, each
built from the canonical ``units``/``staff``/``events`` frames so that they
agree with the people in them (hours follow FTE, invited follows headcount,
requisitions precede hires, onboarding follows hires). Pure functions of
frames and a ``numpy.random.Generator``; see ``kompetens.demo``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from kompetens.demo.people import SNAPSHOT_DAY, Timeline

HOURS_PER_FTE_MONTH = 165.0
#: Scheduled hours relative to a normal month (holidays, the summer break).
SEASON_HOURS = np.array([0.95, 1.0, 1.0, 0.95, 0.95, 0.85, 0.35, 0.75, 1.0, 1.0, 1.0, 0.9])
#: Sick-leave rate relative to the yearly mean (winter flu, summer low).
SEASON_SICK = np.array(
    [0.012, 0.014, 0.008, 0.0, -0.004, -0.01, -0.02, -0.012, 0.0, 0.004, 0.008, 0.006]
)

APPLICANTS_MEAN = {
    "teacher": 9,
    "preschool_teacher": 6,
    "leisure_teacher": 8,
    "childminder": 28,
    "assistant": 45,
    "special_educator": 4,
    "principal": 14,
    "other": 35,
}
QUALIFIED_SHARE = {
    "teacher": 0.5,
    "preschool_teacher": 0.55,
    "leisure_teacher": 0.45,
    "childminder": 0.6,
    "assistant": 0.7,
    "special_educator": 0.7,
    "principal": 0.6,
    "other": 0.7,
}
_REQUISITION_TYPES = {
    "unit_id": pl.String,
    "staff_category": pl.String,
    "published_date": pl.Date,
    "closed_date": pl.Date,
    "outcome": pl.String,
    "hired_certified": pl.Boolean,
}
#: Categories whose hire can be "certified" (licence, and for teachers also qualified).
CERTIFIABLE = ("teacher", "preschool_teacher", "leisure_teacher", "special_educator")


def _unit_z(units: pl.DataFrame) -> pl.DataFrame:
    return units.select(
        "unit_id",
        "school_form",
        ((pl.col("socioeconomic_index").fill_null(100.0) - 100) / 20).alias("z"),
    )


def sick_leave_frame(
    rng: np.random.Generator,
    staff: pl.DataFrame,
    units: pl.DataFrame,
    missing_units: list[str],
    tl: Timeline,
) -> pl.DataFrame:
    """Canonical ``sick_leave``: one row per unit and month with staff (5–8 % of scheduled hours).

    A few units have months missing (a deliberate, realistic gap).
    """
    z = _unit_z(units)
    n_units = z.height
    unit_level = pl.DataFrame(
        {
            "unit_id": z["unit_id"],
            "unit_rate": 0.062
            + 0.008 * z["z"].to_numpy()
            + np.select(
                [
                    z["school_form"].to_numpy() == "forskola",
                    z["school_form"].to_numpy() == "gymnasieskola",
                ],
                [0.012, -0.012],
                0.0,
            )
            + rng.normal(0, 0.008, n_units),
            "long_share": np.clip(rng.normal(0.42, 0.08, n_units), 0.15, 0.75),
        }
    )
    month_idx = pl.DataFrame(
        {"snapshot_date": tl.snapshot_dates, "m": np.arange(tl.n_months)}
    ).with_columns(pl.col("snapshot_date").dt.truncate("1mo").alias("month"))
    base = (
        staff.group_by("unit_id", "snapshot_date")
        .agg(pl.col("fte").sum().alias("fte"))
        .join(month_idx, on="snapshot_date")
        .join(unit_level, on="unit_id")
        .sort("unit_id", "month")
    )
    cal = tl.calendar_month(base["m"].to_numpy())
    n = base.height
    scheduled = np.round(base["fte"].to_numpy() * HOURS_PER_FTE_MONTH * SEASON_HOURS[cal], 1)
    rate = np.clip(
        base["unit_rate"].to_numpy() + SEASON_SICK[cal] + rng.normal(0, 0.008, n), 0.005, 0.25
    )
    sick = np.round(scheduled * rate, 1)
    long_sick = np.round(
        sick * np.clip(base["long_share"].to_numpy() + rng.normal(0, 0.06, n), 0, 0.95), 1
    )
    out = pl.DataFrame(
        {
            "unit_id": base["unit_id"],
            "month": base["month"],
            "scheduled_hours": scheduled,
            "sick_hours": sick,
            "long_sick_hours": np.minimum(long_sick, sick),
            "m": base["m"],
        }
    )
    # The gaps: each chosen unit misses a run of 2–4 consecutive months (e.g. a payroll migration).
    drop = []
    for unit_id in missing_units:
        months = out.filter(pl.col("unit_id") == unit_id)["m"].to_numpy()
        length = int(rng.integers(2, 5))
        if months.max(initial=0) - months.min(initial=0) < length + 3:
            continue  # too short a period to leave a gap inside it
        first = int(rng.integers(months.min() + 1, months.max() - length))
        drop.append(
            pl.DataFrame({"unit_id": [unit_id] * length, "m": np.arange(first, first + length)})
        )
    if drop:
        out = out.join(pl.concat(drop), on=["unit_id", "m"], how="anti")
    return out.drop("m").sort("unit_id", "month")


def survey_frame(
    rng: np.random.Generator,
    staff: pl.DataFrame,
    units: pl.DataFrame,
    no_survey_unit: str,
    tl: Timeline,
) -> pl.DataFrame:
    """Canonical ``survey``: one row per unit, yearly survey (October) and measure.

    HME indices 70–85 on a 0–100 scale, the recommend item 3.5–4.3 on 1–5,
    respondents <= invited (the October headcount). One unit has no survey at all.
    """
    first = tl.month_start(0).astype(object)
    last = tl.month_start(tl.n_months - 1).astype(object)
    years = [y for y in range(first.year, last.year + 1) if first <= date(y, 10, 1) <= last]
    if not years:
        return pl.DataFrame(schema=_SURVEY_SCHEMA)
    october = [date(y, 10, SNAPSHOT_DAY) for y in years]
    heads = (
        staff.filter(pl.col("snapshot_date").is_in(october) & (pl.col("unit_id") != no_survey_unit))
        .group_by("unit_id", "snapshot_date")
        .agg(pl.len().alias("invited"))
        .join(_unit_z(units), on="unit_id")
        .sort("unit_id", "snapshot_date")
    )
    unit_ids = heads["unit_id"].unique(maintain_order=True)
    unit_hme = dict(zip(unit_ids, 77.8 + rng.normal(0, 1.8, unit_ids.len()), strict=True))
    unit_rec = dict(zip(unit_ids, 3.8 + rng.normal(0, 0.1, unit_ids.len()), strict=True))
    n = heads.height
    z = heads["z"].to_numpy()
    t = heads["snapshot_date"].dt.year().to_numpy() - years[0]
    invited = heads["invited"].to_numpy()
    respondents = rng.binomial(invited, np.clip(rng.normal(0.8, 0.07, n), 0.5, 0.97))
    hme = (
        np.array([unit_hme[u] for u in heads["unit_id"]])
        - 1.4 * z
        + 0.35 * t
        + rng.normal(0, 1.2, n)
    )
    parts = {
        "hme_motivation": hme + 1.5 + rng.normal(0, 0.8, n),
        "hme_leadership": hme + rng.normal(0, 1.2, n),
        "hme_governance": hme - 2.0 + rng.normal(0, 0.8, n),
    }
    parts = {k: np.clip(v, 70.0, 85.0) for k, v in parts.items()}
    total = (parts["hme_motivation"] + parts["hme_leadership"] + parts["hme_governance"]) / 3
    recommend = (
        np.array([unit_rec[u] for u in heads["unit_id"]])
        - 0.08 * z
        + 0.04 * t
        + rng.normal(0, 0.06, n)
    )
    measures = {
        "hme_total": (np.round(total, 1), 100.0),
        **{k: (np.round(v, 1), 100.0) for k, v in parts.items()},
        "recommend_employer": (np.round(np.clip(recommend, 3.5, 4.3), 2), 5.0),
    }
    survey_date = heads["snapshot_date"].dt.offset_by("-5d")  # the 10th of October
    frames = [
        pl.DataFrame(
            {
                "unit_id": heads["unit_id"],
                "survey_date": survey_date,
                "measure": measure,
                "score": score,
                "scale_max": scale,
                "respondents": respondents,
                "invited": invited,
            }
        )
        for measure, (score, scale) in measures.items()
    ]
    return pl.concat(frames).sort("unit_id", "survey_date", "measure")


_SURVEY_SCHEMA = {
    "unit_id": pl.String,
    "survey_date": pl.Date,
    "measure": pl.String,
    "score": pl.Float64,
    "scale_max": pl.Float64,
    "respondents": pl.Int64,
    "invited": pl.Int64,
}


def recruitments_frame(
    rng: np.random.Generator,
    events: pl.DataFrame,
    staff: pl.DataFrame,
    units: pl.DataFrame,
    tl: Timeline,
) -> pl.DataFrame:
    """Canonical ``recruitments``: one row per requisition.

    Filled requisitions precede the external hires (time to fill 20–90 days,
    closed 1–6 weeks before the start); unfilled ones are more common where
    the socio-economic index is high; a few are still open at the end.
    """
    first_day = tl.month_start(0)
    last_day = tl.last_day
    hires = events.filter(pl.col("event_type") == "hire")
    # Whether the hired person was certified at start: first snapshot row of the hire.
    first_rows = (
        staff.filter(pl.col("employee_id").is_in(hires["employee_id"].implode()))
        .sort("snapshot_date")
        .group_by("employee_id")
        .first()
        .select(
            "employee_id",
            (pl.col("licensed") & pl.col("qualified").fill_null(True)).alias("certified"),
        )
    )
    hires = hires.join(first_rows, on="employee_id", how="left", maintain_order="left")
    p_req = np.select(
        [
            hires["employment_type"].to_numpy() == "permanent",
            hires["employment_type"].to_numpy() == "fixed_term",
        ],
        [0.95, 0.6],
        0.1,
    )
    hires = hires.filter(pl.Series(rng.random(hires.height) < p_req))
    n = hires.height
    category = hires["staff_category"].to_numpy()
    teacherish = np.isin(category, ["teacher", "special_educator", "preschool_teacher"])
    ttf = np.where(teacherish, rng.integers(30, 91, n), rng.integers(20, 70, n))
    lag = rng.integers(7, 43, n)
    hire_day = hires["event_date"].to_numpy().astype("datetime64[D]")
    closed = hire_day - lag
    published = closed - ttf
    filled = (
        pl.DataFrame(
            {
                "unit_id": hires["unit_id"],
                "staff_category": hires["staff_category"],
                "published_date": published,
                "closed_date": closed,
                "outcome": "filled",
            }
        )
        .with_columns(
            pl.when(pl.col("staff_category").is_in(CERTIFIABLE))
            .then(hires["certified"].fill_null(False))
            .otherwise(None)
            .alias("hired_certified")
        )
        .filter(pl.col("published_date") >= pl.lit(first_day.astype(object)))
    )

    # Unfilled requisitions: ~12 % of all, weighted towards high-need units and hard-to-fill posts.
    z = _unit_z(units).filter(pl.col("school_form") != "central")
    n_unfilled = max(1, round(0.12 * filled.height))
    weights = np.exp(0.5 * z["z"].to_numpy())
    u_idx = rng.choice(z.height, n_unfilled, p=weights / weights.sum())
    unit_form = z["school_form"].to_numpy()[u_idx]
    cat = _category_for(rng, unit_form)
    span = int((last_day - first_day).astype(np.int64)) - 150
    pub = first_day + rng.integers(0, max(span, 1), n_unfilled)
    unfilled = pl.DataFrame(
        {
            "unit_id": z["unit_id"].to_numpy()[u_idx],
            "staff_category": cat,
            "published_date": pub,
            "closed_date": np.minimum(pub + rng.integers(30, 120, n_unfilled), last_day),
            "outcome": "unfilled",
            "hired_certified": pl.Series([None] * n_unfilled, dtype=pl.Boolean),
        }
    )
    # Open requisitions: published in the last six weeks, not yet closed.
    n_open = max(1, round(0.05 * filled.height * 12 / max(tl.n_months, 1)))
    o_idx = rng.choice(z.height, n_open)
    open_ = pl.DataFrame(
        {
            "unit_id": z["unit_id"].to_numpy()[o_idx],
            "staff_category": _category_for(rng, z["school_form"].to_numpy()[o_idx]),
            "published_date": last_day - rng.integers(0, 42, n_open),
            "closed_date": pl.Series([None] * n_open, dtype=pl.Date),
            "outcome": "open",
            "hired_certified": pl.Series([None] * n_open, dtype=pl.Boolean),
        }
    )
    req = pl.concat(
        [
            f.cast(_REQUISITION_TYPES)  # also types the columns of an empty frame
            for f in (filled, unfilled, open_)
        ]
    )
    # The row index breaks ties so that the order (and so every later draw) is deterministic.
    req = (
        req.with_row_index("_row")
        .join(_unit_z(units).select("unit_id", "z"), on="unit_id", maintain_order="left")
        .sort("published_date", "unit_id", "staff_category", "_row")
    )
    n = req.height
    cats = req["staff_category"].to_numpy()
    mean = np.array([APPLICANTS_MEAN[c] for c in cats]) * np.exp(-0.25 * req["z"].to_numpy())
    mean = np.where(req["outcome"].to_numpy() == "unfilled", mean * 0.35, mean)
    applicants = rng.poisson(mean)
    applicants = np.where(
        req["outcome"].to_numpy() == "filled", np.maximum(applicants, 1), applicants
    )
    qualified = rng.binomial(applicants, np.array([QUALIFIED_SHARE[c] for c in cats]))
    year = req["published_date"].dt.year().cast(pl.String)
    seq = pl.Series(np.arange(1, n + 1)).cast(pl.String).str.zfill(5)
    return req.select(
        pl.concat_str(pl.lit("R"), year, pl.lit("-"), seq).alias("requisition_id"),
        "unit_id",
        "staff_category",
        "published_date",
        "closed_date",
        "outcome",
        pl.Series("applicants", applicants, dtype=pl.Int64),
        pl.Series("qualified_applicants", qualified, dtype=pl.Int64),
        "hired_certified",
    )


def _category_for(rng: np.random.Generator, forms: np.ndarray) -> np.ndarray:
    """A plausible post for a requisition in a unit of the given school form."""
    pre = rng.choice(
        ["preschool_teacher", "childminder", "principal", "other"],
        forms.size,
        p=[0.6, 0.3, 0.03, 0.07],
    )
    school = rng.choice(
        ["teacher", "leisure_teacher", "special_educator", "assistant", "principal", "other"],
        forms.size,
        p=[0.62, 0.08, 0.12, 0.1, 0.03, 0.05],
    )
    return np.where(forms == "forskola", pre, school)


def development_frame(
    rng: np.random.Generator, events: pl.DataFrame, staff: pl.DataFrame, tl: Timeline
) -> pl.DataFrame:
    """Canonical ``development``: one row per employee, activity date and type.

    Preboarding before the start (half of hires), onboarding mostly within 90
    days of the hire, courses (~1 a year), certification-programme terms for
    those enrolled, and mentoring for young new teachers.
    """
    last_day = pl.lit(tl.last_day.astype(object))
    first_day = pl.lit(tl.month_start(0).astype(object))
    hires = events.filter(pl.col("event_type") == "hire").select(
        "employee_id", "event_date", "unit_id", "staff_category"
    )
    n = hires.height
    hire_day = hires["event_date"].to_numpy().astype("datetime64[D]")
    keep_pre = rng.random(n) < 0.55
    pre = pl.DataFrame(
        {
            "employee_id": hires["employee_id"].filter(pl.Series(keep_pre)),
            "activity_date": hire_day[keep_pre] - rng.integers(3, 22, keep_pre.sum()),
            "activity_type": "preboarding",
            "hours": rng.choice([2.0, 3.0, 4.0], keep_pre.sum()),
            "unit_id": hires["unit_id"].filter(pl.Series(keep_pre)),
        }
    )
    keep_on = rng.random(n) < 0.93
    late = rng.random(n) < 0.15
    delay = np.where(late, rng.integers(91, 160, n), rng.integers(3, 86, n))
    onboard = pl.DataFrame(
        {
            "employee_id": hires["employee_id"].filter(pl.Series(keep_on)),
            "activity_date": (hire_day + delay)[keep_on],
            "activity_type": "onboarding",
            "hours": rng.choice([8.0, 12.0, 16.0, 24.0], keep_on.sum()),
            "unit_id": hires["unit_id"].filter(pl.Series(keep_on)),
        }
    )
    # Mentoring for new teachers and preschool teachers under 30 (first-year support).
    young = (
        staff.filter(pl.col("staff_category").is_in(["teacher", "preschool_teacher"]))
        .group_by("employee_id")
        .agg(pl.col("birth_year").first())
    )
    mentees = hires.join(young, on="employee_id", maintain_order="left").filter(
        pl.col("event_date").dt.year() - pl.col("birth_year") < 30
    )
    keep_m = rng.random(mentees.height) < 0.6
    mentor = pl.DataFrame(
        {
            "employee_id": mentees["employee_id"].filter(pl.Series(keep_m)),
            "activity_date": mentees["event_date"].to_numpy().astype("datetime64[D]")[keep_m]
            + rng.integers(30, 70, keep_m.sum()),
            "activity_type": "mentoring",
            "hours": rng.choice([10.0, 20.0, 30.0], keep_m.sum()),
            "unit_id": mentees["unit_id"].filter(pl.Series(keep_m)),
        }
    )
    # Courses: about one per person and year, never in July; dated in the two weeks before a snapshot.
    month_of = staff["snapshot_date"].dt.month().to_numpy()
    pick = (rng.random(staff.height) < 0.09) & (month_of != 7)
    picked = staff.filter(pl.Series(pick))
    course_day = picked["snapshot_date"].to_numpy().astype("datetime64[D]") - rng.integers(
        0, 14, picked.height
    )
    course = picked.select(
        "employee_id",
        pl.max_horizontal(pl.Series(course_day).cast(pl.Date), pl.col("hire_date")).alias(
            "activity_date"
        ),
        pl.lit("course").alias("activity_type"),
        pl.Series(
            rng.choice(
                [3.0, 4.0, 6.0, 8.0, 16.0, 24.0, 40.0],
                picked.height,
                p=[0.15, 0.2, 0.2, 0.2, 0.12, 0.08, 0.05],
            )
        ).alias("hours"),
        "unit_id",
    )
    # Certification programme: one row per term (February and September snapshots) while enrolled.
    prog = staff.filter(
        pl.col("certification_programme") & pl.col("snapshot_date").dt.month().is_in([2, 9])
    )
    programme = prog.select(
        "employee_id",
        pl.col("snapshot_date").alias("activity_date"),
        pl.lit("certification_programme").alias("activity_type"),
        pl.Series(rng.choice([80.0, 100.0, 120.0, 160.0], prog.height)).alias("hours"),
        "unit_id",
    )
    frames = [
        f.with_columns(pl.col("activity_date").cast(pl.Date), pl.col("hours").cast(pl.Float64))
        for f in (pre, onboard, mentor, course, programme)
    ]
    out = pl.concat(frames, how="vertical_relaxed")
    return (
        out.filter(
            (pl.col("activity_date") <= last_day)
            & (pl.col("activity_date") >= first_day - pl.duration(days=31))
        )
        .unique(
            subset=["employee_id", "activity_date", "activity_type"],
            keep="first",
            maintain_order=True,
        )
        .sort("activity_date", "employee_id", "activity_type")
    )


def placements_frame(
    rng: np.random.Generator, staff: pl.DataFrame, units: pl.DataFrame, tl: Timeline
) -> pl.DataFrame:
    """Canonical ``placements``: one row per unit, term (HT = 1 Aug, VT = 1 Jan) and placement type.

    VFU (teacher students) in preschools and schools, APL in upper secondary,
    PRAO pupils in compulsory schools, and a few on the teacher pathway.
    """
    first = tl.month_start(0).astype(object)
    last = tl.month_start(tl.n_months - 1).astype(object)
    terms = [
        date(y, mo, 1)
        for y in range(first.year, last.year + 1)
        for mo in (1, 8)
        if first <= date(y, mo, 1) <= last
    ]
    if not terms:
        return pl.DataFrame(
            schema={
                "unit_id": pl.String,
                "period_start": pl.Date,
                "placement_type": pl.String,
                "students": pl.Int64,
                "hired_later": pl.Int64,
            }
        )
    snaps = [
        date(t.year, t.month + 1, SNAPSHOT_DAY) if t.month == 1 else date(t.year, 9, SNAPSHOT_DAY)
        for t in terms
    ]
    # Headcount in the term's first full month (Feb / Sep) decides how many students a unit takes.
    snap_to_term = pl.DataFrame(
        {"snapshot_date": snaps, "period_start": terms},
        schema={"snapshot_date": pl.Date, "period_start": pl.Date},
    )
    size = (
        staff.join(snap_to_term, on="snapshot_date")
        .group_by("unit_id", "period_start")
        .agg(pl.len().alias("headcount"))
        .join(units.select("unit_id", "school_form"), on="unit_id")
        .filter(pl.col("school_form") != "central")
        .sort("unit_id", "period_start")
    )
    rules = {
        "vfu": (["forskola", "grundskola", "gymnasieskola", "anpassad_grundskola"], 1 / 12, 0.14),
        "apl": (["gymnasieskola"], 1 / 5, 0.03),
        "prao": (["grundskola"], 1 / 8, 0.0),
    }
    frames = []
    for ptype, (forms, per_head, hire_p) in rules.items():
        sub = size.filter(pl.col("school_form").is_in(forms))
        lam = (
            sub["headcount"].to_numpy()
            * per_head
            * np.where(sub["school_form"].to_numpy() == "forskola", 2.0, 1.0)
        )
        students = rng.poisson(lam)
        frames.append(
            sub.select(
                "unit_id",
                "period_start",
                pl.lit(ptype).alias("placement_type"),
                pl.Series("students", students),
                pl.Series("hired_later", rng.binomial(students, hire_p)),
            )
        )
    pathway_units = (
        size.filter(pl.col("school_form").is_in(["grundskola", "gymnasieskola"]))["unit_id"]
        .unique()
        .sort()
    )
    chosen = (
        pathway_units.sample(fraction=0.25, seed=int(rng.integers(0, 2**31)))
        if pathway_units.len()
        else pathway_units
    )
    sub = size.filter(pl.col("unit_id").is_in(chosen.implode()))
    students = rng.integers(1, 4, sub.height)
    frames.append(
        sub.select(
            "unit_id",
            "period_start",
            pl.lit("teacher_pathway").alias("placement_type"),
            pl.Series("students", students),
            pl.Series("hired_later", rng.binomial(students, 0.4)),
        )
    )
    out = pl.concat(frames, how="vertical_relaxed").with_columns(
        pl.col("students").cast(pl.Int64), pl.col("hired_later").cast(pl.Int64)
    )
    # Students from the latest year have not had time to be hired yet.
    recent = pl.col("period_start") > pl.lit(date(last.year - 1, last.month, 1))
    out = out.with_columns(
        pl.when(recent)
        .then(pl.lit(0, pl.Int64))
        .otherwise(pl.col("hired_later"))
        .alias("hired_later")
    )
    return out.filter(pl.col("students") > 0).sort("period_start", "unit_id", "placement_type")


def targets_frame(survey: pl.DataFrame, units: pl.DataFrame, tl: Timeline) -> pl.DataFrame:
    """Canonical ``targets``: organisation-wide (and per-area certified share) targets per year.

    ``employer_recommendation`` is the first survey's organisation mean + 0.1
    the next year and + 0.2 two years on (the leadership's goal).
    """
    first = tl.month_start(0).astype(object)
    last = tl.month_start(tl.n_months - 1).astype(object)
    years = list(range(first.year, last.year + 1))
    rows: list[tuple[str, str, int, float]] = []
    for y in years:
        rows += [
            ("certified_teacher_share", "org", y, 0.8),
            ("licensed_preschool_teacher_share", "org", y, 0.45),
            ("turnover_rate", "org", y, 0.08),
            ("sick_leave_rate", "org", y, 0.05),
        ]
        for area in sorted(a for a in units["area"].unique() if a.startswith("Område")):
            rows.append(("certified_teacher_share", area, y, 0.8))
    rec = survey.filter(pl.col("measure") == "recommend_employer")
    if rec.height:
        first_year = rec["survey_date"].dt.year().min()
        base = (
            rec.filter(pl.col("survey_date").dt.year() == first_year)
            .select((pl.col("score") * pl.col("respondents")).sum() / pl.col("respondents").sum())
            .item()
        )
        for y in years:
            if y > first_year:
                rows.append(
                    (
                        "employer_recommendation",
                        "org",
                        y,
                        round(base + min(0.2, 0.1 * (y - first_year)), 2),
                    )
                )
    return pl.DataFrame(
        rows,
        schema={
            "indicator_id": pl.String,
            "scope": pl.String,
            "year": pl.Int64,
            "target": pl.Float64,
        },
        orient="row",
    )
