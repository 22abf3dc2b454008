"""Polars pipelines: contract frames in, key-figure rows out.

Every public function here is a pure function of Polars frames (no database,
no files). The output grain is the key-figure grain:
one row per indicator x level (unit | area | org) x scope x period type
(month | year | rolling_12m) x period x breakdown, with numerator,
denominator, value and n_individuals (see ``KEY_FIGURE_SCHEMA``).

The modules, by grain and block: ``grain`` (levels, scopes, breakdowns, finished
rows), ``periods`` (month index, snapshot grid, years, rolling windows),
``persons`` (the person-month grain of the snapshots and its roll-up), ``staff``
(stocks), ``events`` (hires, exits, turnover), ``redundancy``, ``recruitment``,
``placements``, ``survey``, ``sick_leave``, ``development`` and ``gap``
(certification_gap_fte, which the engine derives from the shares and targets).

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

import polars as pl

from kompetens.indicators.pipelines.development import development_indicators
from kompetens.indicators.pipelines.events import (
    event_count_periods,
    event_indicators,
    first_year_retention,
    person_event_counts,
    prepare_events,
    turnover_figures,
)
from kompetens.indicators.pipelines.gap import certification_gap
from kompetens.indicators.pipelines.grain import (
    KEYS,
    Settings,
    empty_kf,
    expand_levels,
    prepare_units,
    with_unit_attrs,
)
from kompetens.indicators.pipelines.periods import Grid, grid_of, month_of, rolling_sums
from kompetens.indicators.pipelines.persons import person_rollup, snapshot_base
from kompetens.indicators.pipelines.placements import placement_indicators
from kompetens.indicators.pipelines.recruitment import recruitment_indicators
from kompetens.indicators.pipelines.redundancy import redundancy_indicators
from kompetens.indicators.pipelines.sick_leave import sick_leave_indicators
from kompetens.indicators.pipelines.staff import (
    STAFF_SUMS,
    STAFF_UNIT_CONDITIONS,
    head_flows,
    staff_measures,
    staff_rollup,
    stock_indicators,
    stock_share,
    turnover_cohort,
)
from kompetens.indicators.pipelines.survey import survey_indicators

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


def compute(
    frames: dict[str, pl.DataFrame],
    settings: Settings | None = None,
    blocks: set[str] | None = None,
    progress=None,
) -> dict[str, pl.DataFrame]:
    """Key figures of the requested blocks (default all), one frame per indicator id.

    ``frames`` holds the current rows of each contract kind (``store.read_current``
    shape; ``employee_id`` may be any hashable type). Targets are not used here:
    ``certification_gap_fte`` is derived by the engine from the shares and the
    resolved targets.
    """
    settings = settings or Settings()
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


#: What the engine, the benchmarks and the tests use; the rest lives in the modules.
__all__ = [
    "BLOCKS",
    "KEYS",
    "STAFF_SUMS",
    "STAFF_UNIT_CONDITIONS",
    "Grid",
    "Settings",
    "certification_gap",
    "compute",
    "empty_kf",
    "event_count_periods",
    "expand_levels",
    "grid_of",
    "head_flows",
    "month_of",
    "person_event_counts",
    "person_rollup",
    "prepare_events",
    "prepare_units",
    "rolling_sums",
    "sick_leave_indicators",
    "snapshot_base",
    "staff_measures",
    "staff_rollup",
    "stock_indicators",
    "stock_share",
    "turnover_figures",
    "with_unit_attrs",
]
