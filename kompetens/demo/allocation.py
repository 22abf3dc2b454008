"""The demo's allocation inputs: pupils, a drifting socio-economic index and the pots, five years.

Grain: ``pupil_count`` one row per school unit × year × school form × grade band (grundskola
split into F-3, 4-6 and 7-9; other forms one row); ``socioeconomic_index`` one row per school
unit × year, with its three components; ``allocation_parameters`` one row per year × school
form. The years are the five calendar years up to the last staff snapshot's.

The index of the last year is the unit's index in the units file; the years before it walk
back with a drift of its own per unit (some units' conditions get harder, some easier) and a
yearly noise, so a smoothing of the index has something to smooth. Pupils follow the unit's
staff (about 12 pupils per staff member in a school, 5 children in a preschool) and change by
a few per cent a year. The pot is about 9 000 kr per pupil (compensatory share 10 %), rising
2 % a year; the floor is 95 in preschool and compulsory school; upper secondary and the
anpassad school forms have none (0): the demo's anpassad grundskola is one unit below 95, whose
pot a floor would leave unshared. No smoothing and no cap: the model as decided, which the page's scenarios change.

Drawn from its own random stream (``seed`` + 19), so the other kinds are the same.
"""

from __future__ import annotations

import numpy as np
import polars as pl

#: Years of allocation data.
YEARS = 5
#: Pupils (children) per staff member of a unit's last snapshot, per school form.
PUPILS_PER_STAFF: dict[str, float] = {
    "forskola": 5.0,
    "grundskola": 12.0,
    "gymnasieskola": 13.0,
    "anpassad_grundskola": 3.0,
    "anpassad_gymnasieskola": 3.0,
}
#: grundskola's grade bands and their shares of its pupils.
BANDS: tuple[tuple[str, float], ...] = (("F-3", 0.4), ("4-6", 0.3), ("7-9", 0.3))
#: Compensatory kronor per pupil in the first year, and the pot's yearly rise.
POT_PER_PUPIL = 9_000.0
POT_RISE = 0.02
#: The floor as decided: 95 on the index scale, none (0) for the school forms in ``NO_FLOOR``.
FLOOR = 95.0
UPPER_SECONDARY = ("gymnasieskola", "anpassad_gymnasieskola")
NO_FLOOR = (*UPPER_SECONDARY, "anpassad_grundskola")


def allocation_frames(
    units: pl.DataFrame, staff: pl.DataFrame, seed: int
) -> dict[str, pl.DataFrame]:
    """The three allocation kinds for the demo's school units (canonical columns)."""
    rng = np.random.default_rng(seed + 19)
    last_date = staff["snapshot_date"].max()
    last_year = last_date.year
    years = list(range(last_year - YEARS + 1, last_year + 1))
    headcount = (
        staff.filter(pl.col("snapshot_date") == last_date).group_by("unit_id").agg(staff=pl.len())
    )
    schools = (
        units.filter(pl.col("school_form").is_in(list(PUPILS_PER_STAFF)))
        .filter(pl.col("valid_to").is_null())
        .join(headcount, on="unit_id", how="inner")
        .sort("unit_id")
    )
    n = schools.height
    forms = schools["school_form"].to_list()
    base = schools["staff"].to_numpy() * np.array([PUPILS_PER_STAFF[f] for f in forms])
    latest = schools["socioeconomic_index"].fill_null(100.0).to_numpy()

    drift = rng.normal(0.0, 4.0, n)  # index points per year, the unit's own trend
    index = np.empty((YEARS, n))
    index[-1] = latest
    for k in range(YEARS - 2, -1, -1):
        index[k] = np.clip(index[k + 1] - drift - rng.normal(0.0, 6.0, n), 40.0, 200.0)
    index = np.round(index, 1)
    scale = np.cumprod(1 + rng.normal(0.0, 0.04, (YEARS, n)), axis=0)
    pupils = np.round(base * scale / scale[-1])  # the last year's pupils follow the staff

    ids = schools["unit_id"].to_list()
    index_rows = []
    pupil_rows = []
    for k, year in enumerate(years):
        for i, unit_id in enumerate(ids):
            x = index[k, i] - 100.0
            index_rows.append(
                {
                    "unit_id": unit_id,
                    "year": year,
                    "index": float(index[k, i]),
                    "parents_post_secondary_pct": _pct(60.0 - 0.5 * x + rng.normal(0, 4)),
                    "migration_background_pct": _pct(30.0 + 0.6 * x + rng.normal(0, 5)),
                    "low_income_pct": _pct(12.0 + 0.3 * x + rng.normal(0, 3)),
                }
            )
            total = int(max(pupils[k, i], 5))
            if forms[i] == "grundskola":
                split = [round(total * share) for _, share in BANDS]
                for (band, _), count in zip(BANDS, split, strict=True):
                    pupil_rows.append((unit_id, year, forms[i], band, count))
            else:
                pupil_rows.append((unit_id, year, forms[i], None, total))
    pupil_frame = pl.DataFrame(
        pupil_rows,
        # Typed: the first hundred rows may all be preschools without a grade band.
        schema={
            "unit_id": pl.String,
            "year": pl.Int64,
            "school_form": pl.String,
            "grade_band": pl.String,
            "pupils": pl.Int64,
        },
        orient="row",
    )
    first_totals = (
        pupil_frame.filter(pl.col("year") == years[0])
        .group_by("school_form")
        .agg(pl.col("pupils").sum())
    )
    parameter_rows = [
        {
            "year": year,
            "school_form": form,
            "pot": float(round(total * POT_PER_PUPIL * (1 + POT_RISE) ** k, -3)),
            "floor": 0.0 if form in NO_FLOOR else FLOOR,
            "index_scale": "100 = kommunens snitt",
            "compensatory_share_pct": 10.0,
            "smoothing_years": 1,
            "cap_pct": None,
        }
        for k, year in enumerate(years)
        for form, total in first_totals.sort("school_form").iter_rows()
    ]
    return {
        "pupil_count": pupil_frame,
        "socioeconomic_index": pl.DataFrame(index_rows),
        "allocation_parameters": pl.DataFrame(
            parameter_rows, schema_overrides={"cap_pct": pl.Float64}
        ),
    }


def _pct(value: float) -> float:
    return float(np.round(np.clip(value, 0.0, 100.0), 1))
