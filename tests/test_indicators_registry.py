"""The registry keeps the catalogue honest (in the style of datasette's docs test)."""

from __future__ import annotations

import re

import pytest

from kompetens.indicators import REGISTRY, get
from kompetens.indicators.docs import DOC_PATH, render
from kompetens.indicators.registry import PHASES

CATALOGUE_IDS = {
    # domain.md, v1 catalogue
    "certified_teacher_share", "licensed_preschool_teacher_share", "certification_gap_fte",
    "on_certification_path_share", "temporary_teacher_share",
    "employer_recommendation", "applicants_per_vacancy", "qualified_applicants_per_vacancy",
    "student_placements", "placement_to_hire",
    "time_to_fill_days", "unfilled_vacancy_share", "certified_hire_share", "hires",
    "development_hours_per_fte", "onboarding_completion", "in_certification_programme",
    "turnover_rate", "unit_turnover_rate", "first_year_retention", "sick_leave_rate",
    "long_sick_leave_share", "hme_index",
    "retirements", "retirement_forecast_5y", "age_55_plus_share", "redundant_staff_unplaced", "exit_reasons",
    "support_need_index", "pedagogical_segregation",
}  # fmt: skip


def test_every_catalogue_indicator_is_registered():
    assert CATALOGUE_IDS - set(REGISTRY) == set()


@pytest.mark.parametrize("indicator_id", sorted(REGISTRY))
def test_every_indicator_is_fully_described(indicator_id):
    ind = get(indicator_id)
    assert ind.name_sv and ind.name_en and ind.formula and ind.sources and ind.grain
    assert len(ind.description) > 30, "a plain-language Swedish description for HR and leadership"
    assert ind.phase in PHASES
    assert ind.period_types and set(ind.period_types) <= {"month", "year", "rolling_12m"}
    assert set(ind.sources) <= {
        "units",
        "staff",
        "events",
        "recruitments",
        "development",
        "placements",
        "survey",
        "sick_leave",
        "targets",
        "teaching_assignment",
        "certification_path",
    }


@pytest.mark.parametrize("indicator_id", sorted(REGISTRY))
def test_every_indicator_has_a_section_in_the_docs_page(indicator_id):
    text = DOC_PATH.read_text(encoding="utf-8")
    assert re.search(rf"^### `{indicator_id}`", text, re.MULTILINE)


def test_the_docs_page_is_up_to_date_with_the_registry():
    assert DOC_PATH.read_text(encoding="utf-8") == render(), (
        "run: uv run python -m kompetens.indicators.docs"
    )


def test_the_kolada_equivalents_named_in_the_brief_are_recorded():
    assert get("certified_teacher_share").kolada_id == "N15814"
    assert "N17826" in get("certified_teacher_share").note
    assert get("licensed_preschool_teacher_share").kolada_id == "N11810"
    assert get("turnover_rate_cohort").kolada_id == "N00216"
    assert get("sick_leave_rate").kolada_id == "N00090"
    assert get("long_sick_leave_share").kolada_id == "N00091"
    assert get("age_55_plus_share").kolada_id == "N00214"


def test_an_unknown_indicator_is_refused_with_the_known_ones():
    with pytest.raises(KeyError, match="certified_teacher_share"):
        get("no_such_indicator")
