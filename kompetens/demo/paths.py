"""The demo's certification paths: which teachers are on which path, in which subject, until when.

Grain: one row per person x programme x subject x start date (``contract.CERTIFICATION_PATH``).
Every teacher whose staff rows carry ``certification_programme`` gets a path, so the paths agree
with the staff file: the path starts at the term start on or before the person's first snapshot on
the programme (a person already on it in the first month started up to two years earlier), and it
is placed at the unit of the person's latest snapshot on it. Preschool teachers' paths are to a
licence without a subject and are left out.

Expected completion: the staff file flips the person's certification flag the month after the
programme ends. Seven in ten finished on time (expected = the first of that month), the others
late (expected 3-12 months earlier: overdue in between). A path still running at the last
snapshot is expected 1-30 months ahead, or for three in ten 1-10 months back: overdue now. The
programme follows the person: a licensed teacher without the subject takes Lärarlyftet, the
others VAL, KPU, ULV or another route; the subject is the person's largest unqualified teaching
assignment when there is one, else a subject drawn with the shortage subjects weighted up. One
Lärarlyftet path in six has a second subject (a second row). Drawn from its own random stream,
so the other kinds are unchanged.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

#: Subjects drawn for a person without an unqualified assignment (weights: the shortage subjects up).
SUBJECTS: tuple[tuple[str, ...], tuple[float, ...]] = (
    ("MA", "SV", "EN", "NO", "SO", "SVA", "SPEC", "TK", "IDH", "M2"),
    (0.2, 0.12, 0.1, 0.14, 0.08, 0.1, 0.12, 0.05, 0.04, 0.05),
)
#: Programmes of a teacher without a licence (VAL, KPU, ULV, other).
UNLICENSED: tuple[tuple[str, ...], tuple[float, ...]] = (
    ("VAL", "KPU", "ULV", "other"),
    (0.35, 0.4, 0.12, 0.13),
)
ON_TIME = 0.7
OVERDUE_NOW = 0.3


def _term_start(day: dt.date) -> dt.date:
    """The autumn (15 August) or spring (10 January) term start on or before ``day``."""
    if (day.month, day.day) >= (8, 15):
        return dt.date(day.year, 8, 15)
    if (day.month, day.day) >= (1, 10):
        return dt.date(day.year, 1, 10)
    return dt.date(day.year - 1, 8, 15)


def _months(day: dt.date, n: int) -> dt.date:
    """The first of the month ``n`` months after ``day``'s month (negative: before)."""
    m = day.year * 12 + day.month - 1 + n
    return dt.date(m // 12, m % 12 + 1, 1)


def paths_frame(staff: pl.DataFrame, assignments: pl.DataFrame | None, seed: int) -> pl.DataFrame:
    """The certification paths of the demo's teachers (module docstring), in contract columns."""
    rng = np.random.default_rng(seed + 15)
    first_snapshot = staff["snapshot_date"].min()
    last_snapshot = staff["snapshot_date"].max()
    on = staff.filter(pl.col("certification_programme") & (pl.col("staff_category") == "teacher"))
    if on.height == 0:
        return pl.DataFrame(schema=_SCHEMA)
    people = (
        on.sort("snapshot_date", "unit_id")
        .group_by("employee_id", maintain_order=True)
        .agg(
            pl.col("snapshot_date").min().alias("first"),
            pl.col("snapshot_date").max().alias("last"),
            pl.col("unit_id").last().alias("unit_id"),
            pl.col("licensed").first().fill_null(False).alias("licensed"),
        )
        .sort("employee_id")
    )
    # The month the flag flips: the person's first snapshot after the programme that is certified.
    after = (
        staff.join(people.select("employee_id", "last"), on="employee_id")
        .filter(
            (pl.col("snapshot_date") > pl.col("last"))
            & pl.col("licensed").fill_null(False)
            & pl.col("qualified").fill_null(False)
        )
        .group_by("employee_id")
        .agg(pl.col("snapshot_date").min().alias("certified_at"))
    )
    people = people.join(after, on="employee_id", how="left")
    unqualified = _unqualified_subjects(assignments)
    rows: list[tuple] = []
    for person in people.iter_rows(named=True):
        first: dt.date = person["first"]
        if first == first_snapshot:  # already on the programme when the data starts
            first = _months(first, -int(rng.integers(1, 25)))
        start = _term_start(first)
        if person["certified_at"] is not None:
            done = dt.date(person["certified_at"].year, person["certified_at"].month, 1)
            late = 0 if rng.random() < ON_TIME else int(rng.integers(3, 13))
            expected = _months(done, -late)
        else:  # still on it at the last snapshot, or left before finishing
            base = person["last"] if person["last"] < last_snapshot else last_snapshot
            ahead = (
                -int(rng.integers(1, 11))
                if rng.random() < OVERDUE_NOW
                else int(rng.integers(1, 31))
            )
            expected = _months(base, ahead)
        expected = max(expected, _months(start, 6))
        if person["licensed"]:
            programme = "lararlyftet"
        else:
            programme = str(rng.choice(UNLICENSED[0], p=UNLICENSED[1]))
        subject = unqualified.get(person["employee_id"]) or str(
            rng.choice(SUBJECTS[0], p=SUBJECTS[1])
        )
        rows.append((person["employee_id"], person["unit_id"], programme, subject, start, expected))
        if programme == "lararlyftet" and rng.random() < 1 / 6:
            second = str(rng.choice(SUBJECTS[0], p=SUBJECTS[1]))
            if second != subject:
                later = _months(expected, int(rng.integers(6, 13)))
                rows.append(
                    (person["employee_id"], person["unit_id"], programme, second, start, later)
                )
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


_SCHEMA = {
    "employee_id": pl.String,
    "unit_id": pl.String,
    "programme": pl.String,
    "subject": pl.String,
    "start_date": pl.Date,
    "expected_completion": pl.Date,
}


def _unqualified_subjects(assignments: pl.DataFrame | None) -> dict[str, str]:
    """Person -> the subject of their largest unqualified teaching assignment (any term)."""
    if assignments is None or assignments.is_empty():
        return {}
    largest = (
        assignments.filter(~pl.col("qualified") & (pl.col("subject") != "SPEC"))
        .sort("hours_per_week", "subject", descending=[True, False])
        .group_by("employee_id", maintain_order=True)
        .agg(pl.col("subject").first())
    )
    return dict(largest.iter_rows())
