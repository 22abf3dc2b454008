"""Incremental recompute by month: which periods one changed staff month touches, and which rows they rest on.

The nightly import adds the staff snapshot of one new month (or replaces one, or its undo removes
it). Every figure of a period that no row of that month reaches stays as it is, so the engine
recomputes the blocks that read ``staff`` on the rows from a few months before the changed month
onwards and replaces only the **touched periods** (``touched_periods``). Both sets are chosen here
so that the result equals a full recompute, row for row (``tests/test_indicators_incremental.py``).

A changed month ``M`` (``MonthChange``; month index ``y * 12 + month - 1``) reaches:

* the months ``M`` and ``M + 1`` (a month's events take a missing staff category or employment
  type from that month's snapshot or the month before), and the staff's latest month before and
  after (a monthly series carries every breakdown for its latest month only);
* the calendar years ``year(M)`` and ``year(M) + 1`` (a stock's reference month; flows summed over
  the year; the cohort turnover of year Y compares November Y - 1 with November Y);
* the rolling 12-month windows ending in ``M .. M + 12`` (those that hold ``M`` or ``M + 1``).

Two indicators reach further back (``REACHES_BACK``): ``first_year_retention`` to ``year(M) - 1``
(a hire of month ``M - 12`` is looked up in the snapshot of ``M``), and
``onboarding_completion`` to ``year(M) - 1`` and the windows ending in ``M - 4 .. M - 1`` (a new
latest month ends the 90 days of the hires of the two to four months before it). Neither reads
the snapshots of those earlier periods, only events and activities.

The rows those periods rest on: staff snapshots from ``staff_from`` (the November before
``year(M)`` or ``M - 12``, whichever is earlier, less a month: every touched period's months, the
snapshot before for filling events, November for the cohort), the other kinds from
``flows_from`` (January of ``year(M) - 1`` or ``M - 16``, whichever is earlier), and every later
row. Only the start is cut: what a figure looks ahead at (a hire's snapshot 12 months on, the
latest month) is all there. The staff months grid, which decides the complete years, the rolling
windows and the months of a period, is always the whole grid (``Inputs(grid=...)``).

What is not local in time is recomputed whole: the redundancy block (an unplaced notice counts in
every month until it is resolved, and its staff category may come from month ``M``). Anything
else than one month changing at the end or inside the grid (a new first month, a gap, several
months) is a whole-block recompute.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from kompetens.indicators.pipelines.periods import Grid

#: Indicators whose earlier periods a change of month M reaches: the first year they reach, and
#: how many months before M the earliest rolling window they reach ends (module docstring).
REACHES_BACK: dict[str, tuple[int, int]] = {
    "first_year_retention": (1, 0),
    "onboarding_completion": (1, 4),
}

#: Blocks recomputed whole on all their rows: what they count in a month rests on earlier months.
#: The teaching-assignment block is small and its exits look back up to a year of snapshots; a
#: certification path's status rests on its person's flag at the path's start (the engine gives
#: that block every snapshot of the people with a path).
WHOLE_BLOCKS = frozenset({"redundancy", "teaching_assignment", "certification_path"})


@dataclass(frozen=True)
class MonthChange:
    """One staff month added at the end, replaced, or removed from the end of the grid."""

    month: int  # the changed month M
    old_last: int  # the latest staff month before the change
    new_last: int  # ... and after it

    @property
    def year(self) -> int:
        return self.month // 12

    @property
    def staff_from(self) -> int:
        """The first staff snapshot month the touched periods rest on."""
        return min(12 * self.year - 3, self.month - 13)

    @property
    def flows_from(self) -> int:
        """The first month of the other kinds' rows the touched periods rest on."""
        return min(12 * (self.year - 1), self.month - 16) - 1


def month_change(old: Grid, new: Grid, changed: set[int]) -> MonthChange | None:
    """The one month that changed between two staff grids, when an incremental recompute covers it.

    ``changed``: the months whose snapshots (rows, or whether they count) differ. Covered: one
    month replaced inside the grid, added right after its last month, or removed from its end,
    with at least one month left and the first month unchanged. Anything else is ``None``.
    """
    if len(changed) != 1 or not old.months or not new.months or old.first != new.first:
        return None
    (m,) = changed
    in_old, in_new = m in old.months, m in new.months
    if (set(old.months) ^ set(new.months)) - {m}:
        return None
    replaced = in_old and in_new
    added = in_new and not in_old and m == old.last + 1 and new.last == m
    removed = in_old and not in_new and m == old.last and new.last == m - 1
    if not (replaced or added or removed):
        return None
    return MonthChange(month=m, old_last=old.last, new_last=new.last)


def _month_label(m: int) -> str:
    return f"{m // 12}-{m % 12 + 1:02d}"


def touched_periods(change: MonthChange, indicator_ids: list[str]) -> pl.DataFrame:
    """``indicator_id, period_type, period``: every period of these indicators the change reaches."""
    m = change.month
    months = sorted({m, m + 1, change.old_last, change.new_last})
    rows: list[tuple[str, str, str]] = []
    for indicator in indicator_ids:
        years_back, months_back = REACHES_BACK.get(indicator, (0, 0))
        rows += [(indicator, "month", _month_label(x)) for x in months]
        rows += [
            (indicator, "year", str(y)) for y in range(change.year - years_back, change.year + 2)
        ]
        rows += [
            (indicator, "rolling_12m", _month_label(e)) for e in range(m - months_back, m + 13)
        ]
    return pl.DataFrame(
        rows,
        schema={"indicator_id": pl.String, "period_type": pl.String, "period": pl.String},
        orient="row",
    )
