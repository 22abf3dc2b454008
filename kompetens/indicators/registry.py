"""The indicator registry: every key figure of Kompetens, declared once.

Pages, charts, exports, the docs page and the tests look indicators up here by
id and nowhere else. The registry says *what* an indicator means (labels,
formula, unit, direction, Kolada equivalent, default target, compute block); the
``pipelines`` package says *how* it is computed, and ``engine.py`` stores the result
in the ``key_figures`` table at grain (indicator, level, scope, period type,
period, breakdown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kompetens.core.labels import PHASE_LABELS

Phase = Literal[
    "current_state", "attrahera", "rekrytera", "utveckla", "behalla", "avveckla", "support_need"
]
Unit = Literal["share", "fte", "count", "days", "hours", "score_5", "score_100", "ratio"]
NumberFormat = Literal["percent_1", "integer", "decimal_1", "decimal_2"]
Direction = Literal["higher_is_better", "higher_is_worse", "neutral"]
Aggregation = Literal["ratio_sum", "sum", "median", "weighted_mean", "composite"]
StockOrFlow = Literal["stock", "flow", "composite"]
#: A calendar year's value while the year is still running (``Indicator.unfinished_year``).
UnfinishedYear = Literal["leave_out", "show"]
#: What an indicator's rows count: people (suppressed below five) or posts (never suppressed).
Counts = Literal["people", "posts"]

_PHASES_EN: dict[str, str] = {
    "current_state": "Current state",
    "attrahera": "Attract",
    "rekrytera": "Recruit",
    "utveckla": "Develop",
    "behalla": "Retain",
    "avveckla": "Phase out",
    "support_need": "Support need",
}
#: Phase id -> (Swedish, English) name, in the model's order; the Swedish names live in core.labels.
PHASES: dict[str, tuple[str, str]] = {p: (PHASE_LABELS[p], en) for p, en in _PHASES_EN.items()}

#: The traffic light's default "near the target" band: within 10 % of the target itself
#: (sick leave 5,0 % -> up to 5,5 % is near; a 100 % share -> down to 90 % is near).
NEAR_TARGET = 0.10

STOCK_PERIODS = ("month", "year")
FLOW_PERIODS = ("year", "rolling_12m")


@dataclass(frozen=True)
class Indicator:
    """One key figure. ``formula`` is the definition in words (English, exact)."""

    id: str
    name_sv: str
    name_en: str
    description: str  # Swedish, plain language for HR and leadership
    phase: Phase
    unit: Unit
    number_format: NumberFormat
    direction: Direction
    formula: str
    sources: tuple[str, ...]
    grain: str
    period_types: tuple[str, ...]
    breakdowns: tuple[str, ...]  # dimension names besides "all", e.g. "staff_category"
    aggregation: Aggregation
    stock_or_flow: StockOrFlow
    kolada_id: str | None = None
    default_target: float | None = None
    computed_by: Literal["engine", "analysis"] = "engine"
    #: The compute block (``kompetens.indicators.pipelines``) that makes it; None for the
    #: analysis layer's composites. The engine recomputes and replaces whole blocks.
    block: str | None = None
    note: str = ""  # caveats, e.g. how the definition differs from Kolada's
    #: The traffic light (``query.status``): a value on the wrong side of its target is
    #: "near" (yellow) while the shortfall is at most this fraction of the target, and
    #: "far" (red) beyond. Relative, so that a small share (sick leave) is not judged by
    #: the same percentage points as a large one (certified teachers).
    near_target: float = NEAR_TARGET
    #: Whether a calendar year still in progress gets a ``year`` value. ``leave_out``: the value
    #: adds up or matures over the year (counts, flows, shares of people hired later), so a year
    #: in progress would look like a fall; it is given once the staff snapshots reach December
    #: of that year (the rolling 12 months carry the latest picture). ``show``: the value is
    #: complete when measured (a stock at the reference month, a survey round, November's
    #: cohort). Every indicator with a ``year`` period declares it; the pipelines apply it
    #: (``pipelines.block``), no list of indicators is kept anywhere else.
    unfinished_year: UnfinishedYear | None = None
    #: ``people``: the figure rests on people, ``n_individuals`` says how many, and a figure
    #: on fewer than five is hidden. ``posts``: it counts posts (open vacancies), which
    #: describe no person; the pipelines store ``n_individuals = 0`` ("rests on nobody"),
    #: so the small-number rule never hides it.
    counts: Counts = "people"

    @property
    def is_ratio(self) -> bool:
        return self.aggregation in ("ratio_sum", "weighted_mean")


_UNIT_GRAIN = "One row per unit (and area, organisation) x period x breakdown."

_INDICATORS: tuple[Indicator, ...] = (
    # ---- Current state -------------------------------------------------------------
    Indicator(
        id="certified_teacher_share",
        name_sv="Andel behöriga lärare (heltidstjänster)",
        name_en="Certified teacher share (FTE)",
        description="Hur stor del av lärarnas heltidstjänster som innehas av lärare med lärarlegitimation och behörighet i minst ett ämne de undervisar i.",
        phase="current_state",
        unit="share",
        number_format="percent_1",
        direction="higher_is_better",
        formula=(
            "Sum of FTE of staff with staff_category = teacher who are licensed AND qualified, divided by the "
            "sum of FTE of all staff with staff_category = teacher, in school units (school_form not forskola, "
            "not central). Stock: monthly snapshot; yearly value = the reference-month snapshot (default October)."
        ),
        sources=("staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=("school_form",),
        aggregation="ratio_sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="staff",
        kolada_id="N15814",
        default_target=1.0,
        note=(
            "Same construction as Kolada N15814 (grundskola) / N17826 (gymnasieskola): FTE-weighted. "
            "Skolverket weights each teacher by the teaching hours in subjects and grades the teacher is "
            "qualified for; the Kompetens data contract has one flag per person ('qualified in at least one "
            "subject taught'), so our share is an upper bound of Skolverket's. Default target 100 % because "
            "the Education Act requires licensed and qualified teachers; set your own in the targets file."
        ),
    ),
    Indicator(
        id="licensed_preschool_teacher_share",
        name_sv="Andel heltidstjänster med förskollärarlegitimation",
        name_en="Licensed preschool teacher share (FTE)",
        description="Hur stor del av heltidstjänsterna bland personal som arbetar med barn i förskolan som innehas av personal med förskollärarlegitimation.",
        phase="current_state",
        unit="share",
        number_format="percent_1",
        direction="higher_is_better",
        formula=(
            "Sum of FTE of licensed staff working with children / sum of FTE of all staff working with children, "
            "in forskola units. Staff working with children = staff_category preschool_teacher, childminder, "
            "teacher, leisure_teacher, special_educator, assistant; principals and 'other' (kitchen, "
            "administration) are excluded. Stock; yearly value at the reference month."
        ),
        sources=("staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=(),
        aggregation="ratio_sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="staff",
        kolada_id="N11810",
        note="As Kolada N11810 (årsarbetare med förskollärarlegitimation, kommunal regi, 15 Oct).",
    ),
    Indicator(
        id="certification_gap_fte",
        name_sv="Saknade behöriga heltidstjänster",
        name_en="Certification gap (FTE)",
        description="Hur många heltidstjänster med behörig/legitimerad personal som fattas för att enheten ska nå sitt mål.",
        phase="current_state",
        unit="fte",
        number_format="decimal_1",
        direction="higher_is_worse",
        formula=(
            "Per unit: max(0, target x denominator - numerator) of certified_teacher_share (school units) or "
            "licensed_preschool_teacher_share (forskola units), with the target resolved unit -> area -> org -> "
            "default for the period's year. Area and organisation = the sum of their units' gaps: a surplus in "
            "one unit does not fill a gap in another, so gaps must not net out. Units without a target have no gap. "
            "n_individuals = the sum of the units' teacher (or preschool staff) headcounts."
        ),
        sources=("staff", "units", "targets"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=(),
        aggregation="sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="certification_gap",
    ),
    Indicator(
        id="on_certification_path_share",
        name_sv="Andel obehöriga på väg mot behörighet",
        name_en="Uncertified staff on a path to certification",
        description="Av personalen i lärar- och förskollärartjänster som saknar behörighet: hur många som går en behörighetsgivande utbildning (VAL, KPU, Lärarlyftet).",
        phase="current_state",
        unit="share",
        number_format="percent_1",
        direction="higher_is_better",
        formula=(
            "Persons in teacher posts (staff_category teacher or preschool_teacher) who are uncertified "
            "(teacher: not licensed and qualified; preschool_teacher: not licensed) and have "
            "certification_programme = true, divided by all uncertified persons in teacher posts. Headcount, a "
            "person in two units counts once above unit level."
        ),
        sources=("staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="staff",
    ),
    Indicator(
        id="expected_completions",
        name_sv="Beräknat klara behörighetsgivande utbildningar",
        name_en="Expected completions of certification paths",
        description="Hur många behörighetsgivande utbildningar (VAL, KPU, Lärarlyftet, ULV och andra) som beräknas bli klara under året: hur många fler behöriga lärare som är på väg.",
        phase="current_state",
        unit="count",
        number_format="integer",
        direction="higher_is_better",
        formula=(
            "Count of certification_path rows whose expected_completion falls in the calendar year, at the "
            "path's unit (area and organisation = the sum of their units). Every imported path counts, up to "
            "the year of the newest staff snapshot (a later year would become every page's newest year); the "
            "running year is a plan. Breakdown programme=<code>. n_individuals = distinct people."
        ),
        sources=("certification_path", "units"),
        grain=_UNIT_GRAIN,
        period_types=("year",),
        breakdowns=("programme",),
        aggregation="sum",
        stock_or_flow="flow",
        unfinished_year="show",
        block="certification_path",
        note=(
            "Computed only when certification paths are imported. A path's person may have left: "
            "certification_path_progress tells where the paths stand."
        ),
    ),
    Indicator(
        id="certification_path_progress",
        name_sv="Behörighetsgivande utbildningar efter läge",
        name_en="Certification paths by progress",
        description="Hur många påbörjade behörighetsgivande utbildningar som pågår, är klara (personen har blivit behörig), är försenade (beräknat klar har passerat utan att personen blivit behörig) eller där personen har slutat.",
        phase="current_state",
        unit="count",
        number_format="integer",
        direction="neutral",
        formula=(
            "At each staff snapshot: certification_path rows with start_date on or before the snapshot date "
            "(and not before the person's first snapshot), at the path's unit, until twelve months after the "
            "first snapshot the path is completed or left at. path_status: left = the person is in no unit of the snapshot; completed = "
            "certified at the snapshot (licensed, and a teacher also qualified) and not certified at the start "
            "(the latest snapshot on or before start_date, else the first after it); overdue = flag unchanged "
            "and expected_completion before the snapshot date; ongoing = flag unchanged, expected_completion "
            "not passed. Stock: a month value for every snapshot month; yearly value = the reference-month "
            "snapshot, else the year's latest. Breakdown path_status=<status>. n_individuals = distinct people."
        ),
        sources=("certification_path", "staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=("path_status",),
        aggregation="sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="certification_path",
        note=(
            "The certification flag is one per person: a path to a further subject of a person already "
            "certified cannot change it and counts as overdue once its date has passed. Computed only when "
            "certification paths are imported."
        ),
    ),
    Indicator(
        id="temporary_teacher_share",
        name_sv="Andel lärare med tidsbegränsad anställning",
        name_en="Temporary teacher share (FTE)",
        description="Hur stor del av lärarnas och förskollärarnas heltidstjänster som är visstids- eller timanställningar.",
        phase="current_state",
        unit="share",
        number_format="percent_1",
        direction="higher_is_worse",
        formula=(
            "FTE of staff_category teacher or preschool_teacher with employment_type fixed_term or hourly / FTE "
            "of all staff in those categories."
        ),
        sources=("staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="staff",
    ),
    Indicator(
        id="certified_teaching_hours_share",
        name_sv="Andel undervisningstimmar med behörig lärare",
        name_en="Certified teaching hours share",
        description="Hur stor del av undervisningstimmarna som hålls av lärare med legitimation och behörighet i just det ämnet och de årskurserna.",
        phase="current_state",
        unit="share",
        number_format="percent_1",
        direction="higher_is_better",
        formula=(
            "Sum of teaching hours per week of teaching_assignment rows with qualified = true, divided by the "
            "sum of teaching hours per week of all rows (an assignment given as a share of a full-time post "
            "counts share x 18 hours). School form = the row's, else the unit's. Stock: a month value for every "
            "assignment snapshot month; yearly value = the reference-month snapshot, else the year's latest. "
            "Breakdown subject=<code> (Skolverket subject codes), school_form=<code> and subject_grades=<code>:<grades> "
            "(e.g. subject_grades=MA:7-9, the subject's hours in those grades; nested in subject=<code>). "
            "n_individuals = distinct teachers."
        ),
        sources=("teaching_assignment", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=("school_form", "subject", "subject_grades"),
        aggregation="ratio_sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="teaching_assignment",
        note=(
            "Skolverket's definition (Pedagogisk personal: teaching hours in subjects and grades by teachers "
            "licensed and qualified for them); certified_teacher_share is its FTE-weighted upper bound. Computed "
            "only when teaching assignments are imported; the qualified flag per assignment stands for licence "
            "and qualification together (qualification is stated in the licence)."
        ),
    ),
    Indicator(
        id="uncertified_teaching_hours",
        name_sv="Undervisningstimmar utan behörig lärare",
        name_en="Uncertified teaching hours",
        description="Hur många undervisningstimmar i veckan som hålls av lärare utan behörighet i ämnet: gapet i timmar (18 timmar motsvarar ungefär en heltidstjänst).",
        phase="current_state",
        unit="hours",
        number_format="decimal_1",
        direction="higher_is_worse",
        formula=(
            "Sum of teaching hours per week of teaching_assignment rows with qualified = false (value and "
            "numerator); denominator = all teaching hours of the cell. In full-time posts: hours / 18. Same "
            "cells, periods and breakdowns as certified_teaching_hours_share."
        ),
        sources=("teaching_assignment", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=("school_form", "subject", "subject_grades"),
        aggregation="sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="teaching_assignment",
        note="n_individuals = distinct teachers of the cell (the population of the share, not only the uncertified).",
    ),
    Indicator(
        id="subjects_without_certified_teacher",
        name_sv="Ämnen utan behörig lärare",
        name_en="Subjects without a certified teacher",
        description="Hur många ämnen en enhet undervisar i utan att någon av lärarna i ämnet är behörig.",
        phase="current_state",
        unit="count",
        number_format="integer",
        direction="higher_is_worse",
        formula=(
            "Per unit and assignment snapshot: the subjects with teaching hours but no qualified hour; the "
            "subject=<code> row is 1 or 0. Area and organisation = the sum of their units (units lacking the "
            "subject). Stock periods as certified_teaching_hours_share."
        ),
        sources=("teaching_assignment", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=("subject",),
        aggregation="sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="teaching_assignment",
        note="n_individuals = distinct teachers of the cell's subjects.",
    ),
    # ---- Attrahera -------------------------------------------------------------------
    Indicator(
        id="employer_recommendation",
        name_sv="Kan rekommendera arbetsgivaren",
        name_en="Employer recommendation",
        description="Medelvärdet på enkätfrågan ”Jag kan rekommendera andra att söka arbete här” (skala 1–5).",
        phase="attrahera",
        unit="score_5",
        number_format="decimal_2",
        direction="higher_is_better",
        formula=(
            "Respondent-weighted mean of survey measure recommend_employer: sum(score x respondents) / "
            "sum(respondents), per survey year. Target unless the targets file says otherwise: the scope's own "
            "first-year (baseline) value + 0.1 the next year and + 0.2 from two years later."
        ),
        sources=("survey", "units"),
        grain=_UNIT_GRAIN,
        period_types=("year",),
        breakdowns=("school_form",),
        aggregation="weighted_mean",
        stock_or_flow="flow",
        unfinished_year="show",
        block="survey",
        note="n_individuals = respondents.",
    ),
    Indicator(
        id="applicants_per_vacancy",
        name_sv="Sökande per utannonserad tjänst",
        name_en="Applicants per vacancy",
        description="Hur många som i genomsnitt söker varje utannonserad tjänst.",
        phase="attrahera",
        unit="ratio",
        number_format="decimal_1",
        direction="higher_is_better",
        formula="Sum of applicants / number of requisitions, by published_date in the period.",
        sources=("recruitments", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="recruitments",
        note="n_individuals = requisitions.",
    ),
    Indicator(
        id="qualified_applicants_per_vacancy",
        name_sv="Behöriga sökande per utannonserad tjänst",
        name_en="Qualified applicants per vacancy",
        description="Hur många behöriga sökande varje utannonserad tjänst får i genomsnitt.",
        phase="attrahera",
        unit="ratio",
        number_format="decimal_1",
        direction="higher_is_better",
        formula=(
            "Sum of qualified_applicants / number of requisitions with qualified_applicants given, by "
            "published_date in the period."
        ),
        sources=("recruitments", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="recruitments",
        note="n_individuals = requisitions.",
    ),
    Indicator(
        id="student_placements",
        name_sv="Studenter och elever på praktik",
        name_en="Student placements",
        description="Antal studenter och elever som enheterna tagit emot (VFU, APL, PRAO, Lärarvägen).",
        phase="attrahera",
        unit="count",
        number_format="integer",
        direction="higher_is_better",
        formula="Sum of students with period_start in the calendar year (HT -> 1 Aug, VT -> 1 Jan).",
        sources=("placements", "units"),
        grain=_UNIT_GRAIN,
        period_types=("year",),
        breakdowns=("placement_type", "school_form"),
        aggregation="sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="placements",
        note="n_individuals = students.",
    ),
    Indicator(
        id="placement_to_hire",
        name_sv="Andel praktikanter som anställts",
        name_en="Placement-to-hire share",
        description="Hur stor del av studenterna på praktik som senare anställts av förvaltningen.",
        phase="attrahera",
        unit="share",
        number_format="percent_1",
        direction="higher_is_better",
        formula="Sum of hired_later / sum of students (rows with hired_later given), by period_start year.",
        sources=("placements", "units"),
        grain=_UNIT_GRAIN,
        period_types=("year",),
        breakdowns=("placement_type", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="placements",
        note="n_individuals = students.",
    ),
    # ---- Rekrytera -------------------------------------------------------------------
    Indicator(
        id="time_to_fill_days",
        name_sv="Tid till tillsättning (median, dagar)",
        name_en="Time to fill (median days)",
        description="Hur många dagar det tar från annons till tillsättning, median.",
        phase="rekrytera",
        unit="days",
        number_format="integer",
        direction="higher_is_worse",
        formula=(
            "Median of closed_date - published_date in days over filled requisitions published in the "
            "period. Area and organisation take the median over all their requisitions (not a median of medians)."
        ),
        sources=("recruitments", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="median",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="recruitments",
        note="n_individuals = requisitions.",
    ),
    Indicator(
        id="unfilled_vacancy_share",
        name_sv="Andel ej tillsatta tjänster",
        name_en="Unfilled vacancy share",
        description="Av de avslutade rekryteringarna: hur stor del som inte gick att tillsätta.",
        phase="rekrytera",
        unit="share",
        number_format="percent_1",
        direction="higher_is_worse",
        formula="Requisitions with outcome unfilled / requisitions with outcome filled or unfilled, by published_date in the period (open ones are left out).",
        sources=("recruitments", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="recruitments",
        note="n_individuals = requisitions.",
    ),
    Indicator(
        id="certified_hire_share",
        name_sv="Andel behöriga bland nyanställda",
        name_en="Certified hire share",
        description="Av de tillsatta tjänsterna: hur stor del som tillsattes med behörig personal.",
        phase="rekrytera",
        unit="share",
        number_format="percent_1",
        direction="higher_is_better",
        formula="Filled requisitions with hired_certified = true / filled requisitions with hired_certified given, by published_date in the period.",
        sources=("recruitments", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="recruitments",
        note="n_individuals = requisitions.",
    ),
    Indicator(
        id="hires",
        name_sv="Nyanställningar",
        name_en="Hires",
        description="Antal personer som anställts under perioden (nyanställningar enligt händelsefilen).",
        phase="rekrytera",
        unit="count",
        number_format="integer",
        direction="neutral",
        formula="Distinct (employee, date) hire events in the period; a person hired into two units the same day counts once above unit level. Calendar years once complete (see turnover_rate).",
        sources=("events", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="events",
    ),
    Indicator(
        id="filled_requisitions",
        name_sv="Tillsatta rekryteringar",
        name_en="Filled requisitions",
        description=(
            "Hur många annonserade tjänster som tillsattes under perioden, per ämne för lärartjänster: "
            "ställs mot de behöriga undervisningstimmar som försvann vid avgångar, för att se om "
            "rekryteringarna ersätter det som förlorades (rekrytera smart)."
        ),
        phase="rekrytera",
        unit="count",
        number_format="integer",
        direction="neutral",
        formula=(
            "Requisitions with outcome filled, counted in the month of closed_date (published_date when "
            "closed_date is empty). Value and denominator = filled requisitions; numerator = those filled "
            "with hired_certified = true. Breakdown subject=<code> ('subject=unknown' when the requisition "
            "has no subject), staff_category=<code> and school_form=<code>."
        ),
        sources=("recruitments", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("subject", "staff_category", "school_form"),
        aggregation="sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="recruitments",
        note=(
            "n_individuals = filled requisitions (one hire each). Set against "
            "lost_qualified_teaching_hours per subject (query.recruit_smart)."
        ),
    ),
    # ---- Utveckla --------------------------------------------------------------------
    Indicator(
        id="development_hours_per_fte",
        name_sv="Kompetensutveckling, timmar per heltidstjänst",
        name_en="Development hours per FTE",
        description="Hur många timmar kompetensutveckling (kurser, introduktion, mentorskap, behörighetsgivande utbildning) personalen fått per heltidstjänst.",
        phase="utveckla",
        unit="hours",
        number_format="decimal_1",
        direction="higher_is_better",
        formula=(
            "Sum of development hours in the period / average FTE over the period's monthly snapshots (sum of "
            "monthly FTE / number of snapshot months). An activity belongs to its unit_id, or if that is empty "
            "to the unit where the employee had the most FTE in the snapshot of the activity's month. "
            "Calendar years once complete (see turnover_rate)."
        ),
        sources=("development", "staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("school_form",),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="development",
        note="n_individuals = average headcount over the period (rounded down).",
    ),
    Indicator(
        id="onboarding_completion",
        name_sv="Andel nyanställda med genomförd introduktion",
        name_en="Onboarding completion",
        description="Av de nyanställda: hur många som fått en introduktion inom 90 dagar.",
        phase="utveckla",
        unit="share",
        number_format="percent_1",
        direction="higher_is_better",
        formula=(
            "Hire events in the period followed by an onboarding activity of the same employee within 0..90 "
            "days / hire events in the period whose 90-day window has ended by the latest snapshot date."
        ),
        sources=("events", "development", "staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="development",
    ),
    Indicator(
        id="in_certification_programme",
        name_sv="Personal i behörighetsgivande utbildning",
        name_en="Staff in a certification programme",
        description="Antal personer som går en behörighetsgivande utbildning (VAL, KPU, Lärarlyftet).",
        phase="utveckla",
        unit="count",
        number_format="integer",
        direction="higher_is_better",
        formula="Distinct persons with certification_programme = true in the snapshot.",
        sources=("staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="staff",
    ),
    # ---- Behålla ---------------------------------------------------------------------
    Indicator(
        id="turnover_rate",
        name_sv="Personalomsättning (lämnat förvaltningen)",
        name_en="Staff turnover",
        description="Hur stor del av de tillsvidareanställda som lämnat förvaltningen under perioden. Visas med och utan pensionsavgångar.",
        phase="behalla",
        unit="share",
        number_format="percent_1",
        direction="higher_is_worse",
        formula=(
            "Exit events of permanent employees in the period (distinct employee and date) / average "
            "permanent headcount over the period's monthly snapshots (sum of monthly distinct permanent "
            "persons / number of snapshot months). Breakdown variant=excl_retirement leaves exits with reason "
            "retirement out of the numerator. The employment type of an exit is the event's, or if empty the "
            "person's in the latest snapshot before the exit. Internal moves are not exits. A calendar year "
            "is reported once the snapshots cover it from January to December (a year in progress would "
            "look like falling turnover); the rolling 12 months show the latest picture."
        ),
        sources=("events", "staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("variant", "staff_category", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="events",
        note="n_individuals = average permanent headcount over the period (rounded down). Kolada N00216 is the cohort variant: turnover_rate_cohort.",
    ),
    Indicator(
        id="turnover_rate_cohort",
        name_sv="Avgångna tillsvidareanställda (som Kolada)",
        name_en="Turnover, cohort definition (Kolada N00216)",
        description="Av dem som var tillsvidareanställda i november förra året: hur stor del som inte längre är tillsvidareanställda i förvaltningen i november i år.",
        phase="behalla",
        unit="share",
        number_format="percent_1",
        direction="higher_is_worse",
        formula=(
            "Persons permanent in the November snapshot of year Y-1 (in the unit / area / organisation) who "
            "are not permanent anywhere in the organisation in the November snapshot of year Y / persons "
            "permanent in the November Y-1 snapshot. Period = Y. Needs both November snapshots."
        ),
        sources=("staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=("year",),
        breakdowns=("staff_category", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="show",
        block="staff",
        kolada_id="N00216",
        note="November as in SKR's personnel statistics, regardless of the reference month.",
    ),
    Indicator(
        id="unit_turnover_rate",
        name_sv="Personalomsättning på enheten (inkl. interna byten)",
        name_en="Unit turnover (including internal moves)",
        description="Hur stor del av enhetens tillsvidareanställda som lämnat enheten, också till en annan enhet i förvaltningen.",
        phase="behalla",
        unit="share",
        number_format="percent_1",
        direction="higher_is_worse",
        formula=(
            "(Exits + internal moves out of the unit) of permanent employees in the period / average permanent "
            "headcount of the unit. Area and organisation = sum of unit numerators / sum of unit denominators "
            "(a move between two units of the same area still counts as leaving a unit). Calendar years only "
            "once complete, as for turnover_rate."
        ),
        sources=("events", "staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("school_form",),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="events",
        note="n_individuals = average permanent headcount (rounded down), summed over units above unit level.",
    ),
    Indicator(
        id="first_year_retention",
        name_sv="Kvar efter första året",
        name_en="First-year retention",
        description="Av dem som anställdes under året: hur stor del som fortfarande arbetar i förvaltningen ett år senare.",
        phase="behalla",
        unit="share",
        number_format="percent_1",
        direction="higher_is_better",
        formula=(
            "Hire events in year Y whose employee is in the organisation's snapshot of the month 12 months "
            "after the hire month / hire events in year Y for which that snapshot exists. Period = hire year."
        ),
        sources=("events", "staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=("year",),
        breakdowns=("staff_category", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="events",
    ),
    Indicator(
        id="sick_leave_rate",
        name_sv="Sjukfrånvaro",
        name_en="Sick leave rate",
        description="Sjukfrånvarotimmar som andel av den schemalagda arbetstiden.",
        phase="behalla",
        unit="share",
        number_format="percent_1",
        direction="higher_is_worse",
        formula="Sum of sick_hours / sum of scheduled_hours over the months of the period.",
        sources=("sick_leave", "staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=("month", "year", "rolling_12m"),
        breakdowns=("school_form",),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="sick_leave",
        kolada_id="N00090",
        note="n_individuals = the unit's average headcount over the period's snapshots (rounded down), since sick leave is reported per unit.",
    ),
    Indicator(
        id="long_sick_leave_share",
        name_sv="Långtidssjukfrånvaro (mer än 59 dagar)",
        name_en="Long-term sick leave share",
        description="Hur stor del av sjukfrånvaron som är sjukperioder längre än 59 dagar.",
        phase="behalla",
        unit="share",
        number_format="percent_1",
        direction="higher_is_worse",
        formula="Sum of long_sick_hours / sum of sick_hours over months where long_sick_hours is given (Kolada N00091: share of total sick leave).",
        sources=("sick_leave", "staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=("month", "year", "rolling_12m"),
        breakdowns=("school_form",),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="sick_leave",
        kolada_id="N00091",
        note="n_individuals as for sick_leave_rate.",
    ),
    Indicator(
        id="hme_index",
        name_sv="Hållbart medarbetarengagemang (HME)",
        name_en="Sustainable employee engagement (HME)",
        description="HME-totalindex (0–100) från medarbetarenkäten; delindex för motivation, ledarskap och styrning som uppdelning.",
        phase="behalla",
        unit="score_100",
        number_format="integer",
        direction="higher_is_better",
        formula="Respondent-weighted mean of survey measure hme_total (breakdown measure=hme_motivation / hme_leadership / hme_governance for the sub-indices), per survey year.",
        sources=("survey", "units"),
        grain=_UNIT_GRAIN,
        period_types=("year",),
        breakdowns=("measure", "school_form"),
        aggregation="weighted_mean",
        stock_or_flow="flow",
        unfinished_year="show",
        block="survey",
        kolada_id="U15200",
        note="Kolada U00200 (municipality), U11200 (preschool), U15200 (compulsory school). n_individuals = respondents.",
    ),
    # ---- Avveckla --------------------------------------------------------------------
    Indicator(
        id="retirements",
        name_sv="Pensionsavgångar",
        name_en="Retirements",
        description="Antal personer som gått i pension.",
        phase="avveckla",
        unit="count",
        number_format="integer",
        direction="neutral",
        formula="Distinct (employee, date) exit events with reason retirement in the period. Calendar years once complete (see turnover_rate).",
        sources=("events", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="events",
    ),
    Indicator(
        id="retirement_forecast_5y",
        name_sv="Når pensionsålder inom fem år",
        name_en="Reaching retirement age within five years",
        description="Antal anställda som når pensionsåldern (standard 66 år) inom fem år, per personalkategori.",
        phase="avveckla",
        unit="count",
        number_format="integer",
        direction="neutral",
        formula=(
            "Distinct persons in the reference-month snapshot of year Y with birth_year + retirement_age <= "
            "Y + 5 (those already past the age included). Retirement age configurable, default 66."
        ),
        sources=("staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=("year",),
        breakdowns=("staff_category", "school_form"),
        aggregation="sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="staff",
    ),
    Indicator(
        id="age_55_plus_share",
        name_sv="Andel anställda 55 år och äldre",
        name_en="Share of staff aged 55+",
        description="Hur stor del av de anställda som är 55 år eller äldre.",
        phase="avveckla",
        unit="share",
        number_format="percent_1",
        direction="neutral",
        formula="Distinct persons with snapshot year - birth_year >= 55 / distinct persons in the snapshot.",
        sources=("staff", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="ratio_sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="staff",
        kolada_id="N00214",
        note="Kolada measures in November; Kompetens uses the reference month.",
    ),
    Indicator(
        id="redundant_staff_unplaced",
        name_sv="Övertaliga som ännu inte placerats",
        name_en="Redundant staff not yet placed",
        description="Antal personer med besked om övertalighet som ännu inte fått en ny placering eller slutat.",
        phase="avveckla",
        unit="count",
        number_format="integer",
        direction="higher_is_worse",
        formula=(
            "Distinct persons whose latest redundancy_notice on or before the last day of the month has no "
            "later redundancy_placed or exit event on or before that day. Unit and category of the notice."
        ),
        sources=("events", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="redundancy",
    ),
    Indicator(
        id="open_vacancies_for_redundant",
        name_sv="Öppna tjänster i kategorier med övertaliga",
        name_en="Open vacancies matching redundant staff",
        description="Antal pågående rekryteringar i personalkategorier där det finns övertaliga som ännu inte placerats — de ska erbjudas de övertaliga först.",
        phase="avveckla",
        unit="count",
        number_format="integer",
        direction="higher_is_worse",
        formula=(
            "Requisitions open on the last day of the month (published on or before it, not closed by it, "
            "outcome not unfilled) in a staff_category with at least one unplaced redundant person anywhere "
            "in the organisation that day."
        ),
        sources=("recruitments", "events", "units"),
        grain=_UNIT_GRAIN,
        period_types=STOCK_PERIODS,
        breakdowns=("staff_category", "school_form"),
        aggregation="sum",
        stock_or_flow="stock",
        unfinished_year="show",
        block="redundancy",
        counts="posts",
        note=(
            "Counts posts, not people: never hidden by the five-person rule (n_individuals = 0). "
            "HR sees the match per category and area, with the redundant people listed."
        ),
    ),
    Indicator(
        id="exit_reasons",
        name_sv="Avgångsorsaker",
        name_en="Exit reasons",
        description="Fördelningen av avgångar på orsak (pension, annan arbetsgivare, studier …).",
        phase="avveckla",
        unit="share",
        number_format="percent_1",
        direction="neutral",
        formula=(
            "Per reason: exits with that reason / all exits in the period (distinct employee and date). "
            "Breakdown reason=<code> ('reason=unknown' when not given); the 'all' row is all exits / all exits."
        ),
        sources=("events", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("reason",),
        aggregation="ratio_sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="events",
    ),
    Indicator(
        id="lost_qualified_teaching_hours",
        name_sv="Förlorade behöriga undervisningstimmar vid avgångar",
        name_en="Qualified teaching hours lost at exits",
        description="Hur många undervisningstimmar i veckan med behörig lärare som försvann med dem som slutade, per ämne: underlag för att rekrytera smart, inte bara ersätta en person.",
        phase="avveckla",
        unit="hours",
        number_format="decimal_1",
        direction="neutral",
        formula=(
            "Per exit event: the teaching_assignment rows of the person's latest assignment snapshot at the unit "
            "left, on or before the exit date and at most 365 days before it. Value and numerator = their "
            "hours per week with qualified = true; denominator = all their hours. Summed by exit month to "
            "calendar years and rolling 12 months. Breakdown subject=<code> and school_form=<code>."
        ),
        sources=("teaching_assignment", "events", "units"),
        grain=_UNIT_GRAIN,
        period_types=FLOW_PERIODS,
        breakdowns=("school_form", "subject"),
        aggregation="sum",
        stock_or_flow="flow",
        unfinished_year="leave_out",
        block="teaching_assignment",
        note="n_individuals = distinct people whose exits carried assignments.",
    ),
    # ---- Composite (computed by the analysis layer, listed for the catalogue) ----------
    Indicator(
        id="support_need_index",
        name_sv="Stödbehovsindex",
        name_en="Support need index",
        description="Ett sammanvägt mått per enhet som rangordnar enheterna efter stödbehov och visar vad som driver varje enhets värde.",
        phase="support_need",
        unit="score_100",
        number_format="integer",
        direction="higher_is_worse",
        formula="Weighted sum of normalised indicators (percentile within school form) with editable weights; see the analysis module.",
        sources=("staff", "events", "sick_leave", "survey", "units"),
        grain="One row per unit and year.",
        period_types=("year",),
        breakdowns=(),
        aggregation="composite",
        stock_or_flow="composite",
        unfinished_year="show",
        computed_by="analysis",
    ),
    Indicator(
        id="pedagogical_segregation",
        name_sv="Pedagogisk segregation",
        name_en="Pedagogical segregation",
        description="Är behöriga lärare ojämnt fördelade mellan skolor med olika socioekonomiska förutsättningar?",
        phase="support_need",
        unit="ratio",
        number_format="decimal_2",
        direction="neutral",
        formula="FTE-weighted Pearson and Spearman correlation between the unit's socioeconomic index and certified_teacher_share, and the top-vs-bottom quartile gap; see the analysis module.",
        sources=("staff", "units"),
        grain="One row per organisation and year.",
        period_types=("year",),
        breakdowns=(),
        aggregation="composite",
        stock_or_flow="composite",
        unfinished_year="show",
        computed_by="analysis",
    ),
)

REGISTRY: dict[str, Indicator] = {ind.id: ind for ind in _INDICATORS}


def get(indicator_id: str) -> Indicator:
    """The indicator with this id; ``KeyError`` with the known ids if there is none."""
    try:
        return REGISTRY[indicator_id]
    except KeyError:
        raise KeyError(f"okänd indikator {indicator_id!r}; kända: {', '.join(REGISTRY)}") from None


def engine_indicators() -> list[Indicator]:
    """Indicators whose key figures the engine computes (not the composite ones)."""
    return [ind for ind in REGISTRY.values() if ind.computed_by == "engine"]
