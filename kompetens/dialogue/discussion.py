"""What a verksamhetsdialog discusses for one unit and year: the one gatherer for page and brief.

The Verksamhetsdialog page and the dialogue brief (PDF and Excel) both call
:func:`gather`, so the figures, the support-need drivers and the talking
points on screen and on paper come from the same function with the same
inputs and cannot differ.

Grain: one :class:`Discussion` per unit × year (``period``, ``YYYY``).

- **Indicators** (:func:`indicators_for`): the key figures of a dialogue, in
  ARUBA order, with the unit's own certification share first, plus every
  indicator that drives the support-need index for the unit's school form
  (derived from ``kompetens.analysis.support.COMPONENTS``, never copied).
- **A year still running**: a figure counted for whole years only (turnover,
  hires) has no yearly value yet. For such a figure the dialogue uses the 12
  months up to the latest month of the year (``rolling_12m``) and says so in
  ``period_label``; the support-need index reads the same 12-month figure.
- **One basis per figure**: a 12-month figure's trend (``series``) is the 12-month values
  at the same month of each year, and the talking points state which figures are for 12
  months (``talking_points``' basis note).
- **Support need**: the unit's index for the latest month of the year (org-wide
  percentiles within the school form, :mod:`kompetens.analysis.support`) and its
  components ordered by contribution, the largest driver first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from kompetens import query
from kompetens.analysis import support
from kompetens.dialogue.talking_points import (
    SupportDriver,
    SupportNeed,
    TalkingPoint,
    talking_points,
)

PRESCHOOL_FORM = "forskola"
SCHOOL_SHARE = "certified_teacher_share"
PRESCHOOL_SHARE = "licensed_preschool_teacher_share"

#: The figures discussed in a dialogue, in ARUBA order (the certification share is chosen per form).
KEY_INDICATORS: tuple[str, ...] = (
    SCHOOL_SHARE,
    PRESCHOOL_SHARE,
    "certification_gap_fte",
    "on_certification_path_share",
    "temporary_teacher_share",
    "employer_recommendation",
    "time_to_fill_days",
    "unfilled_vacancy_share",
    "development_hours_per_fte",
    "onboarding_completion",
    "turnover_rate",
    "sick_leave_rate",
    "long_sick_leave_share",
    "hme_index",
    "age_55_plus_share",
    "retirement_forecast_5y",
)


def driver_indicators(school_form: str | None) -> tuple[str, ...]:
    """The indicators behind the support-need index for a school form, in component order."""
    found = (c.indicator_for(school_form) for c in support.COMPONENTS)
    return tuple(dict.fromkeys(i for i in found if i is not None))


def indicators_for(school_form: str | None) -> tuple[str, ...]:
    """A unit's dialogue figures: its certification share first, the key figures, every driver.

    A preschool leads with the licensed preschool-teacher share and has no
    certified-teacher share; every other form the other way round.
    """
    lead, other = (
        (PRESCHOOL_SHARE, SCHOOL_SHARE)
        if school_form == PRESCHOOL_FORM
        else (SCHOOL_SHARE, PRESCHOOL_SHARE)
    )
    rest = [i for i in KEY_INDICATORS if i not in (lead, other)]
    drivers = [i for i in driver_indicators(school_form) if i not in rest and i != lead]
    return (lead, *rest, *drivers)


@dataclass(frozen=True)
class Discussion:
    """Everything a dialogue shows for one unit and year (already scoped and suppressed).

    ``compare``: ``query.compare`` rows for :func:`indicators_for` (one per
    indicator) plus ``period_label`` (``'2026'``, or ``'12 mån t.o.m. 2026-11'``
    for a rolling figure) and ``previous_label`` (what ``change`` compares with).
    ``series``: the unit's yearly series up to ``period`` per indicator with a figure.
    ``support``: the unit's support need and its drivers (None for units outside the index).
    ``points``: the talking points, most important first.
    """

    unit_id: str
    school_form: str | None
    period: str
    compare: pl.DataFrame
    series: Mapping[str, pl.DataFrame]
    support: SupportNeed | None
    points: tuple[TalkingPoint, ...]

    @property
    def shown(self) -> pl.DataFrame:
        """The rows where the unit has a figure (a value, or a hidden one)."""
        return self.compare.filter(pl.col("unit_value").is_not_null() | pl.col("unit_suppressed"))


def reference_month(latest_month: str | None, period: str) -> str:
    """The month a year's support need and rolling figures are read at: its last month with data."""
    if latest_month and latest_month[:4] == period:
        return latest_month
    return f"{period}-12"


def _labelled(compare: pl.DataFrame, period_label: str, previous_label: str) -> pl.DataFrame:
    return compare.with_columns(
        pl.lit(period_label).alias("period_label"), pl.lit(previous_label).alias("previous_label")
    )


def _compare(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    unit_id: str,
    ids: tuple[str, ...],
    period: str,
    month: str,
) -> pl.DataFrame:
    """Yearly figures; in a year still running, 12-month figures where the year has none yet."""
    yearly = _labelled(
        query.compare(conn, scope, unit_id, ids, "year", period),
        period,
        query.previous_period(period),
    )
    if month[5:7] == "12" and month[:4] == period:
        return yearly  # a whole year: every figure has its yearly value
    missing = yearly.filter(pl.col("unit_value").is_null() & ~pl.col("unit_suppressed"))[
        "indicator_id"
    ].to_list()
    if not missing:
        return yearly
    rolling = query.compare(conn, scope, unit_id, missing, "rolling_12m", month).filter(
        pl.col("unit_value").is_not_null() | pl.col("unit_suppressed")
    )
    if rolling.height == 0:
        return yearly
    rolling = _labelled(
        rolling, f"12 mån t.o.m. {month}", f"12 mån t.o.m. {query.previous_period(month)}"
    )
    replaced = set(rolling["indicator_id"].to_list())
    merged = pl.concat(
        [yearly.filter(~pl.col("indicator_id").is_in(replaced)), rolling], how="vertical_relaxed"
    )
    order = {i: n for n, i in enumerate(ids)}
    return merged.sort(pl.col("indicator_id").replace_strict(order, return_dtype=pl.Int64))


def _series(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    unit_id: str,
    indicator_id: str,
    period: str,
    month: str,
    rolling: bool,
) -> pl.DataFrame:
    """The unit's trend on the same basis as its figure in the dialogue.

    Yearly values up to ``period``; for a figure of the last 12 months (``rolling``), the
    12-month values at ``month``'s month of each year up to ``month`` (``2024-11``,
    ``2025-11``, ``2026-11``), so a trend never sets calendar years beside a 12-month figure.
    """
    if not rolling:
        return query.series(conn, scope, indicator_id, "unit", unit_id, "year").filter(
            pl.col("period") <= period
        )
    return query.series(conn, scope, indicator_id, "unit", unit_id, "rolling_12m").filter(
        (pl.col("period") <= month) & (pl.col("period").str.slice(5, 2) == month[5:7])
    )


def support_need(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    unit_id: str,
    month: str,
    compare: pl.DataFrame,
) -> SupportNeed | None:
    """The unit's support need at ``month`` and its components, largest contribution first."""
    index = query.support_need(conn, scope, period=month).filter(pl.col("unit_id") == unit_id)
    if index.height == 0:
        return None
    row = index.row(0, named=True)
    form = row["school_form"]
    values = {
        r["indicator_id"]: r for r in compare.iter_rows(named=True)
    }  # the dialogue's own figures, for the sentence
    drivers = []
    for component in support.COMPONENTS:
        contribution = row.get(f"contribution__{component.id}")
        if contribution is None:
            continue
        indicator_id = component.indicator_for(form)
        drivers.append(
            SupportDriver(
                component_id=component.id,
                label=component.label_sv,
                indicator_id=indicator_id,
                contribution=float(contribution),
                percentile=float(row[f"percentile__{component.id}"]),
                # The gap component is per teacher FTE, not the gap the dialogue shows: no figure.
                figure=None if component.id == "certification_gap" else values.get(indicator_id),
            )
        )
    drivers.sort(key=lambda d: -d.contribution)
    missing = tuple(support.label_sv(c) for c in row["missing_components"] or [])
    return SupportNeed(
        score=row["score"],
        rank=row["rank"],
        month=month,
        school_form=form,
        drivers=tuple(drivers),
        missing=missing,
    )


def gather(
    conn: duckdb.DuckDBPyConnection,
    scope: query.Scope,
    unit_id: str,
    period: str,
) -> Discussion:
    """One unit's dialogue for ``period`` (``YYYY``) with the caller's scope (``ScopeError`` outside it)."""
    units = query.units(conn, scope).filter(pl.col("unit_id") == unit_id)
    if units.height == 0:
        raise query.ScopeError(f"enheten {unit_id!r} ligger utanför din behörighet")
    form = units["school_form"].item(0)
    ids = indicators_for(form)
    latest = query.latest_month(conn, scope)
    month = reference_month(latest, period)
    compare = _compare(conn, scope, unit_id, ids, period, month)
    with_figures = compare.filter(pl.col("unit_value").is_not_null() | pl.col("unit_suppressed"))
    rolling = set(with_figures.filter(pl.col("period_label") != period)["indicator_id"].to_list())
    series = {
        i: _series(conn, scope, unit_id, i, period, month, i in rolling)
        for i in with_figures["indicator_id"].to_list()
    }
    # A year after the newest data has no support need to explain (nothing was measured).
    need = (
        support_need(conn, scope, unit_id, month, compare) if latest and month <= latest else None
    )
    points = talking_points(compare, series, period=period, support=need)
    return Discussion(unit_id, form, period, compare, series, need, tuple(points))
