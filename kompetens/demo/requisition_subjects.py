"""The demo's requisitions get a subject: which teaching post each advertised post was.

Grain: one row per requisition (``recruitments``), unchanged; only ``subject`` is added.
A teacher's requisition at a school unit gets a subject drawn from the timetable of a stage
of its school form (``assignments.STAGE_SUBJECTS``: F-3, 4-6 or 7-9 in grundskola, ``gy`` in
gymnasieskola); a special educator's post and any teaching post in anpassad skola is ``SPEC``;
other posts (and teachers in preschools or central units) have none.

Shortage subjects (``assignments.SHORTAGE_SUBJECTS``: mathematics, the sciences, Swedish as a
second language, special-needs teaching) are harder to fill: among unfilled and still open
requisitions they are drawn ``HARD_TO_FILL`` times as often as their timetable weight, among
filled ones ``EASY_TO_FILL`` times, so hires in those subjects lag behind what the exits take.

Drawn from its own random stream (``seed`` + 16), so every other column and kind is the same
with or without subjects.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from kompetens.demo.assignments import SHORTAGE_SUBJECTS, STAGE_SUBJECTS

#: Weight factor of a shortage subject among requisitions that were not (yet) filled.
HARD_TO_FILL = 3.0
#: Weight factor of a shortage subject among filled requisitions.
EASY_TO_FILL = 0.6
_COMPULSORY_STAGES = ("F-3", "4-6", "7-9")
_STAGE_P = (0.3, 0.3, 0.4)


def _draw(rng: np.random.Generator, stage: str, outcome: str) -> str:
    pool, weights = STAGE_SUBJECTS[stage]
    factor = EASY_TO_FILL if outcome == "filled" else HARD_TO_FILL
    w = np.array(
        [
            wt * (factor if s in SHORTAGE_SUBJECTS else 1.0)
            for s, wt in zip(pool, weights, strict=True)
        ]
    )
    return str(rng.choice(pool, p=w / w.sum()))


def with_subjects(recruitments: pl.DataFrame, units: pl.DataFrame, seed: int) -> pl.DataFrame:
    """``recruitments`` with a ``subject`` column (module docstring)."""
    rng = np.random.default_rng(seed + 16)
    forms = dict(zip(units["unit_id"].to_list(), units["school_form"].to_list(), strict=True))
    subjects: list[str | None] = []
    for unit_id, category, outcome in recruitments.select(
        "unit_id", "staff_category", "outcome"
    ).iter_rows():
        form = forms.get(unit_id) or ""
        if category not in ("teacher", "special_educator") or form not in (
            "grundskola",
            "gymnasieskola",
            "anpassad_grundskola",
            "anpassad_gymnasieskola",
        ):
            subjects.append(None)
        elif category == "special_educator" or form.startswith("anpassad"):
            subjects.append("SPEC")
        elif form == "gymnasieskola":
            subjects.append(_draw(rng, "gy", outcome))
        else:
            stage = str(rng.choice(_COMPULSORY_STAGES, p=_STAGE_P))
            subjects.append(_draw(rng, stage, outcome))
    return recruitments.with_columns(pl.Series("subject", subjects, dtype=pl.String))
