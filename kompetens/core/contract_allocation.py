"""The allocation model's import kinds (optional), part of the data contract.

The socio-economic allocation model (``docs/allocation.md``) reads three kinds, declared here
and listed in ``contract.KINDS`` like every other kind (``contract`` imports this module once
``Column`` and ``Kind`` exist):

- ``pupil_count``: pupils (or children) per unit, year, school form and grade band;
- ``socioeconomic_index``: the unit's socio-economic index per year, with its components
  where the municipality has them;
- ``allocation_parameters``: per year and school form, the compensatory pot and the model's
  parameters as decided (the floor, the smoothing, the cap, the compensatory share).
"""

from __future__ import annotations

from kompetens.core.contract_codes import GRADE_CODES, SCHOOL_FORM_CODES
from kompetens.core.contract_types import Column, Kind

_UNIT = Column(
    "unit_id",
    "text",
    True,
    "Enhets-id",
    ("enhet_id", "enhetskod", "skolenhet"),
    rule="must exist in units",
)
_YEAR = Column(
    "year", "int", True, "År", ("år", "ar", "budgetår", "läsår"), rule="2000..2100 (budget year)"
)

PUPIL_COUNT = Kind(
    name="pupil_count",
    label_sv="Elevantal",
    grain="One row per unit, year, school form and grade band.",
    key=("unit_id", "year", "school_form", "grade_band"),
    columns=(
        _UNIT,
        _YEAR,
        Column(
            "school_form",
            "code",
            True,
            "Skolform",
            ("skolform",),
            SCHOOL_FORM_CODES,
        ),
        Column(
            "grade_band",
            "code",
            False,
            "Årskurser",
            ("årskurser", "årskurs", "stadium"),
            GRADE_CODES,
            rule="empty: the whole school form",
        ),
        Column(
            "pupils",
            "int",
            True,
            "Antal elever",
            ("antal elever", "elever", "elevantal", "antal barn", "barn"),
            rule=">= 0; pupils or children as counted for the budget",
        ),
    ),
    rules=(
        "one row per (unit_id, year, school_form, grade_band) in the file",
        "pupils >= 0",
    ),
)

#: The index components: shares of the unit's pupils in percent (0–100).
INDEX_COMPONENTS: tuple[str, ...] = (
    "parents_post_secondary_pct",
    "migration_background_pct",
    "low_income_pct",
)

SOCIOECONOMIC_INDEX = Kind(
    name="socioeconomic_index",
    label_sv="Socioekonomiskt index",
    grain="One row per unit and year.",
    key=("unit_id", "year"),
    columns=(
        _UNIT,
        _YEAR,
        Column(
            "index",
            "number",
            True,
            "Socioekonomiskt index",
            ("socioekonomiskt index", "index", "strukturindex", "sei"),
            rule="> 0, on the municipality's scale (e.g. 100 = the municipal average)",
        ),
        Column(
            "parents_post_secondary_pct",
            "number",
            False,
            "Föräldrar med eftergymnasial utbildning (%)",
            ("föräldrars utbildning", "föräldrarnas utbildningsnivå", "eftergymnasial utbildning"),
            rule="0..100: share of pupils with a parent with post-secondary education",
        ),
        Column(
            "migration_background_pct",
            "number",
            False,
            "Utländsk bakgrund (%)",
            ("utländsk bakgrund", "migrationsbakgrund", "nyanlända"),
            rule="0..100: share of pupils born abroad or with both parents born abroad",
        ),
        Column(
            "low_income_pct",
            "number",
            False,
            "Låg ekonomisk standard (%)",
            ("låg ekonomisk standard", "ekonomisk standard", "låg inkomst"),
            rule="0..100: share of pupils in households with low economic standard",
        ),
    ),
    rules=("index > 0", "components 0..100"),
)

ALLOCATION_PARAMETERS = Kind(
    name="allocation_parameters",
    label_sv="Resursfördelning, parametrar",
    grain="One row per year and school form.",
    key=("year", "school_form"),
    unit_column=None,
    columns=(
        _YEAR,
        Column("school_form", "code", True, "Skolform", ("skolform",), SCHOOL_FORM_CODES),
        Column(
            "pot",
            "number",
            True,
            "Kompensatorisk pott (kr)",
            ("kompensatorisk pott", "pott", "kompensatoriska medel", "socioekonomisk pott"),
            rule=">= 0 kronor: the compensatory amount shared between the units",
        ),
        Column(
            "floor",
            "number",
            True,
            "Golv",
            ("golv", "indexgolv", "golvet"),
            rule=">= 0 on the index scale; the upper-secondary floor is the gymnasieskola row's",
        ),
        Column(
            "index_scale",
            "text",
            False,
            "Indexskala",
            ("indexskala", "skala"),
            rule="how the index reads, e.g. '100 = kommunens snitt'",
        ),
        Column(
            "compensatory_share_pct",
            "number",
            False,
            "Kompensatorisk andel av budgeten (%)",
            ("kompensatorisk andel", "andel kompensatoriskt"),
            rule="0..100",
        ),
        Column(
            "smoothing_years",
            "int",
            False,
            "Utjämning (år)",
            ("utjämning", "utjämningsår", "glidande medelvärde (år)"),
            rule="1..10 years of index averaged; empty: 1 (none)",
        ),
        Column(
            "cap_pct",
            "number",
            False,
            "Tak för årlig förändring (%)",
            ("tak", "tak för förändring", "förändringstak"),
            rule="0..99 percent of last year's amount; empty: no cap",
        ),
    ),
    rules=("pot >= 0", "floor >= 0", "smoothing_years 1..10", "cap_pct 0..99"),
)

ALLOCATION_KINDS: tuple[Kind, ...] = (PUPIL_COUNT, SOCIOECONOMIC_INDEX, ALLOCATION_PARAMETERS)
