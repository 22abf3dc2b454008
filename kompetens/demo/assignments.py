"""The demo's teaching assignments: who teaches which subject, how many hours, qualified or not.

Grain: one row per teacher x unit x subject x grades per term (``teaching_assignment``), for the
last four terms the staff snapshots reach (HT stored as 1 August, VT as 1 January, as the
importer reads ``HT2025``). Every teacher (and special educator) in a school unit of the
term's snapshot gets about four assignments whose hours add up to 18 teaching hours a week
times the person's FTE.

The subject mix follows the school form: class teachers in F-3 and 4-6 teach SV, MA, EN, NO,
SO and IDH; subject teachers in 7-9 and upper secondary teach the subjects of the timetable;
anpassad skola is mostly special-needs teaching (SPEC). Qualification follows the person's
flag in the staff file (qualified in at least one subject taught: the largest assignment is
qualified) and is thinner in the shortage subjects — mathematics, the sciences, Swedish as a
second language and special-needs teaching — so their hours-weighted shares are lower.

Drawn from its own random stream (``seed`` + 14), so the other kinds are the same with or
without the assignments.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

#: Subjects and their weights in a teacher's timetable, per stage.
STAGE_SUBJECTS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "F-3": (("SV", "MA", "EN", "NO", "SO", "IDH", "SVA"), (6, 5, 1, 2, 2, 1, 1)),
    "4-6": (("SV", "MA", "EN", "NO", "SO", "IDH", "SVA", "BL"), (4, 4, 2, 2, 2, 1, 1, 1)),
    "7-9": (
        (
            "MA",
            "SV",
            "EN",
            "NO",
            "BI",
            "FY",
            "KE",
            "TK",
            "SO",
            "HI",
            "GE",
            "RE",
            "SH",
            "IDH",
            "MU",
            "BL",
            "SL",
            "HKK",
            "M2",
            "SVA",
        ),
        (6, 5, 4, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 2),
    ),  # fmt: skip
    "gy": (
        ("MA", "SV", "EN", "NO", "BI", "FY", "KE", "HI", "SH", "RE", "IDH", "M2", "SVA"),
        (6, 5, 4, 1, 2, 2, 2, 2, 2, 1, 1, 2, 1),
    ),
}
#: A qualified teacher is qualified in a further subject with this probability (shortage
#: subjects less often, so their shares fall behind).
QUALIFIED_ELSEWHERE = 0.9
SHORTAGE_QUALIFIED = 0.55
SHORTAGE_SUBJECTS = frozenset({"MA", "NO", "BI", "FY", "KE", "SVA", "SPEC"})
TEACHING_HOURS = 18.0
SCHOOL_FORMS = frozenset(
    {"grundskola", "gymnasieskola", "anpassad_grundskola", "anpassad_gymnasieskola"}
)
TERMS = 4


def term_starts(last_snapshot: date, terms: int = TERMS) -> list[date]:
    """The ``terms`` latest term starts (1 January, 1 August) the snapshots reach, oldest first."""
    starts: list[date] = []
    year = last_snapshot.year
    while len(starts) < terms:
        for start in (date(year, 8, 1), date(year, 1, 1)):
            if start <= last_snapshot and len(starts) < terms:
                starts.append(start)
        year -= 1
    return sorted(starts)


def _stage(rng: np.random.Generator, forms: np.ndarray) -> np.ndarray:
    stage = np.where(
        forms == "gymnasieskola",
        "gy",
        rng.choice(["F-3", "4-6", "7-9"], size=forms.size, p=[0.3, 0.3, 0.4]),
    )
    return np.where(np.char.startswith(forms.astype(str), "anpassad"), "SPEC", stage)


def assignments_frame(staff: pl.DataFrame, units: pl.DataFrame, seed: int) -> pl.DataFrame:
    """The teaching assignments of the last four terms (module docstring), in contract columns."""
    rng = np.random.default_rng(seed + 14)
    forms = units.select("unit_id", "school_form")
    last = staff["snapshot_date"].max()
    rows: list[tuple] = []
    for start in term_starts(last):
        # the term's staff: the snapshot of its first month (or the next one there is)
        snap = staff.filter(pl.col("snapshot_date") >= start)["snapshot_date"].min()
        teachers = (
            staff.filter(
                (pl.col("snapshot_date") == snap)
                & pl.col("staff_category").is_in(["teacher", "special_educator"])
            )
            .join(forms, on="unit_id")
            .filter(pl.col("school_form").is_in(list(SCHOOL_FORMS)))
            .sort("employee_id", "unit_id")
        )
        if teachers.height == 0:
            continue
        school_form = teachers["school_form"].to_numpy()
        stage = _stage(rng, school_form)
        special = teachers["staff_category"].to_numpy() == "special_educator"
        flag = (
            teachers["licensed"].fill_null(False) & teachers["qualified"].fill_null(False)
        ).to_numpy()
        flag = np.where(special, teachers["licensed"].fill_null(False).to_numpy(), flag)
        n_parts = rng.choice([2, 3, 4, 5, 6], size=teachers.height, p=[0.1, 0.2, 0.35, 0.25, 0.1])
        n_parts = np.where(special, 1, n_parts)
        fte = teachers["fte"].to_numpy()
        ids = teachers["employee_id"].to_list()
        unit_ids = teachers["unit_id"].to_list()
        for i in range(teachers.height):
            if stage[i] == "SPEC" or special[i]:
                subjects = ["SPEC"]
                grades = None if stage[i] == "SPEC" else str(stage[i])
            else:
                pool, weights = STAGE_SUBJECTS[str(stage[i])]
                p = np.asarray(weights, dtype=float) / sum(weights)
                k = min(int(n_parts[i]), len(pool))
                subjects = list(rng.choice(pool, size=k, replace=False, p=p))
                grades = str(stage[i])
            shares = np.sort(rng.dirichlet(np.full(len(subjects), 2.0)))[::-1]
            hours = np.maximum(np.round(shares * TEACHING_HOURS * fte[i] * 2) / 2, 0.5)
            for j, (subject, h) in enumerate(zip(subjects, hours, strict=True)):
                if not flag[i]:
                    qualified = False
                elif subject == "SPEC":
                    # special-needs teaching asks for a special-education degree: often missing
                    qualified = bool(rng.random() < SHORTAGE_QUALIFIED)
                elif j == 0:
                    qualified = True  # qualified in at least one subject taught: the largest
                else:
                    chance = (
                        SHORTAGE_QUALIFIED if subject in SHORTAGE_SUBJECTS else QUALIFIED_ELSEWHERE
                    )
                    qualified = bool(rng.random() < chance)
                rows.append(
                    (start, ids[i], unit_ids[i], subject, None, grades, float(h), None, qualified)
                )
    return pl.DataFrame(
        rows,
        schema={
            "snapshot_date": pl.Date,
            "employee_id": pl.String,
            "unit_id": pl.String,
            "subject": pl.String,
            "school_form": pl.String,
            "grades": pl.String,
            "hours_per_week": pl.Float64,
            "fte_share": pl.Float64,
            "qualified": pl.Boolean,
        },
        orient="row",
    ).unique(
        ["snapshot_date", "employee_id", "unit_id", "subject", "grades"],
        keep="first",
        maintain_order=True,
    )
