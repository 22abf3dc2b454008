"""Where every indicator is shown: the one map from indicator id to the pages (and exports) that
render it; and where each role starts (``start_page``).

Pages ask this map what to render (``indicators_on(page)``), so the map is
true by construction for them; ``tests/test_pages_cover_registry.py`` checks
that every indicator of the registry has a home besides the catalogue.

Page names are the titles of the ``st.Page`` entries in ``app.py``;
``EXPORT`` is the key-figure export (``kompetens figures``), which carries
every indicator the engine computes.
"""

from __future__ import annotations

from kompetens.access.auth import PRINCIPAL
from kompetens.indicators import registry

OVERSIKT = "Översikt"
BEHORIGHET = "Behörighet"
ARUBA = "ARUBA"
STODBEHOV = "Stödbehov"
DIALOG = "Verksamhetsdialog"
INDIKATORER = "Indikatorer"
EXPORT = "Export"

#: Page title -> page file (as registered in ``app.py``); the export has no page.
PAGE_FILES: dict[str, str] = {
    OVERSIKT: "views/oversikt.py",
    BEHORIGHET: "views/behorighet.py",
    ARUBA: "views/aruba.py",
    STODBEHOV: "views/stodbehov.py",
    DIALOG: "views/dialog.py",
    INDIKATORER: "views/indikatorer.py",
}

#: The ARUBA phases in the model's order (registry phase ids).
ARUBA_PHASES: tuple[str, ...] = ("attrahera", "rekrytera", "utveckla", "behalla", "avveckla")

#: Pages besides ARUBA (for the five phases) and the catalogue. Översikt: the headline cards
#: (``competence_views.HEADLINE_INDICATORS``) and the support-need list; Verksamhetsdialog:
#: ``dialogue_view.KEY_INDICATORS``; Behörighet: the certification figures and segregation.
_OTHER_HOMES: dict[str, tuple[str, ...]] = {
    "certified_teacher_share": (OVERSIKT, BEHORIGHET, DIALOG),
    "licensed_preschool_teacher_share": (OVERSIKT, BEHORIGHET, DIALOG),
    "certification_gap_fte": (BEHORIGHET, DIALOG),
    "on_certification_path_share": (BEHORIGHET, DIALOG),
    "temporary_teacher_share": (BEHORIGHET, DIALOG),
    "certified_teaching_hours_share": (BEHORIGHET,),
    "uncertified_teaching_hours": (BEHORIGHET,),
    "subjects_without_certified_teacher": (BEHORIGHET,),
    "expected_completions": (BEHORIGHET,),
    "certification_path_progress": (BEHORIGHET,),
    "employer_recommendation": (OVERSIKT, DIALOG),
    "time_to_fill_days": (DIALOG,),
    "unfilled_vacancy_share": (OVERSIKT, DIALOG),
    "development_hours_per_fte": (DIALOG,),
    "onboarding_completion": (OVERSIKT, DIALOG),
    "turnover_rate": (OVERSIKT, DIALOG),
    "sick_leave_rate": (DIALOG,),
    "long_sick_leave_share": (DIALOG,),
    "hme_index": (DIALOG,),
    "age_55_plus_share": (DIALOG,),
    "retirement_forecast_5y": (OVERSIKT, DIALOG),
    "support_need_index": (STODBEHOV, OVERSIKT),
    "pedagogical_segregation": (BEHORIGHET,),
}


def _homes(indicator: registry.Indicator) -> tuple[str, ...]:
    """The pages of one indicator: ARUBA for the five phases, the table above, always the catalogue."""
    pages: tuple[str, ...] = (ARUBA,) if indicator.phase in ARUBA_PHASES else ()
    pages += _OTHER_HOMES.get(indicator.id, ())
    if indicator.computed_by == "engine":
        pages += (EXPORT,)
    return (*pages, INDIKATORER)


#: indicator id -> the pages (and ``EXPORT``) where it is shown, for every indicator of the registry.
INDICATOR_HOMES: dict[str, tuple[str, ...]] = {
    ind.id: _homes(ind) for ind in registry.REGISTRY.values()
}


def indicators_on(page: str, phase: str | None = None) -> list[registry.Indicator]:
    """The indicators a page shows (optionally of one phase), in registry order."""
    return [
        ind
        for ind in registry.REGISTRY.values()
        if page in INDICATOR_HOMES[ind.id] and (phase is None or ind.phase == phase)
    ]


# ---- where each role starts ------------------------------------------------------------------

#: A role's start page (the page "/" opens) when it is not the first page of its menu: the
#: principal starts on the own unit's Verksamhetsdialog (the unit against its area, the
#: organisation and the targets, with talking points and last time's actions), not on an
#: organisation-wide overview. Url paths of ``app.py``'s pages.
ROLE_START_PAGES: dict[str, str] = {PRINCIPAL: "dialog"}


def start_page(role: str, pages: tuple[str, ...]) -> str:
    """The url path "/" opens for ``role``, given the role's pages (``auth.pages_for_role``)."""
    chosen = ROLE_START_PAGES.get(role)
    return chosen if chosen in pages else pages[0]
