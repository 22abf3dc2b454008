"""Swedish words for codes: the one home of every label dictionary shown to people.

Codes are the canonical values of the import contract (``kompetens.core.contract``:
``school_form``, ``staff_category`` …) and the values the key-figure engine adds
(``unknown`` for a missing category or reason, the ``variant`` breakdown, period
types, ARUBA phases, traffic-light statuses, licence statuses). Pages, exports
and briefs all read their words from here, so a code is called the same thing
everywhere. Labels are plain Swedish text, capitalised as a table cell or a
filter option; callers lower-case them inside a sentence and add their own
decorations (status dots, qualifiers such as "(skolor)").

This module is vocabulary only: no imports from the package, so every layer
from ``core`` up may use it. ``tests/test_formatting.py`` checks that every code
of every coded contract column has a label here.
"""

from __future__ import annotations

from collections.abc import Mapping

from kompetens.core.contract import SUBJECT_CODES

#: ``units.school_form``. ``central`` is the administration's own units (not a school): the
#: column reads "Skolform", so the label names the kind of activity, "Central verksamhet".
SCHOOL_FORM_LABELS: dict[str, str] = {
    "forskola": "Förskola",
    "grundskola": "Grundskola",
    "gymnasieskola": "Gymnasieskola",
    "anpassad_grundskola": "Anpassad grundskola",
    "anpassad_gymnasieskola": "Anpassad gymnasieskola",
    "fritidshem": "Fritidshem",
    "central": "Central verksamhet",
}

#: ``staff_category`` (staff, events, recruitments); ``unknown``: the engine's category for a
#: row without one.
STAFF_CATEGORY_LABELS: dict[str, str] = {
    "teacher": "Lärare",
    "preschool_teacher": "Förskollärare",
    "leisure_teacher": "Fritidspedagog",
    "childminder": "Barnskötare",
    "assistant": "Elevassistent",
    "special_educator": "Specialpedagog",
    "principal": "Rektor",
    "other": "Övrig personal",
    "unknown": "Okänd kategori",
}

#: ``employment_type`` (staff, events).
EMPLOYMENT_TYPE_LABELS: dict[str, str] = {
    "permanent": "Tillsvidare",
    "fixed_term": "Visstid",
    "hourly": "Timavlönad",
}

#: ``staff.gender``.
GENDER_LABELS: dict[str, str] = {"female": "Kvinna", "male": "Man", "other": "Annat"}

#: ``events.event_type``.
EVENT_TYPE_LABELS: dict[str, str] = {
    "hire": "Nyanställning",
    "exit": "Avgång",
    "internal_move": "Intern flytt",
    "redundancy_notice": "Varsel om övertalighet",
    "redundancy_placed": "Placerad efter övertalighet",
}

#: ``events.reason`` (why someone left); ``unknown``: an exit without a reason.
EXIT_REASON_LABELS: dict[str, str] = {
    "retirement": "Pension",
    "other_employer": "Annan arbetsgivare",
    "studies": "Studier",
    "relocation": "Flytt",
    "end_of_contract": "Visstid upphör",
    "dismissal": "Uppsägning",
    "other": "Övrigt",
    "unknown": "Orsak saknas",
}

#: ``recruitments.outcome``.
RECRUITMENT_OUTCOME_LABELS: dict[str, str] = {
    "filled": "Tillsatt",
    "unfilled": "Ej tillsatt",
    "open": "Pågående",
}

#: ``development.activity_type``.
ACTIVITY_TYPE_LABELS: dict[str, str] = {
    "preboarding": "Förintroduktion",
    "onboarding": "Introduktion",
    "course": "Kurs",
    "certification_programme": "Behörighetsgivande utbildning",
    "mentoring": "Mentorskap",
}

#: ``placements.placement_type``.
PLACEMENT_TYPE_LABELS: dict[str, str] = {
    "vfu": "VFU",
    "apl": "APL",
    "prao": "PRAO",
    "teacher_pathway": "Lärarvägen",
}

#: ``support_request.status`` and ``support_effort.status``.
SUPPORT_STATUS_LABELS: dict[str, str] = {
    "received": "Mottagen",
    "planned": "Planerad",
    "in_progress": "Pågår",
    "done": "Klar",
    "declined": "Avböjd",
}

#: ``support_request.asker_role``: who asked, as a role (never a name).
ASKER_ROLE_LABELS: dict[str, str] = {
    "principal": "Rektor",
    "deputy_principal": "Biträdande rektor",
    "area_manager": "Områdeschef",
    "team_leader": "Arbetslagsledare",
    "staff_member": "Medarbetare",
    "other": "Annan roll",
}

#: ``support_request.channel``.
SUPPORT_CHANNEL_LABELS: dict[str, str] = {
    "dialogue": "Dialog",
    "mailbox": "Funktionsbrevlåda",
    "order": "Beställning",
    "network": "Nätverk",
    "other": "Annat",
}

#: ``support_effort.effort_type``.
EFFORT_TYPE_LABELS: dict[str, str] = {
    "advice": "Rådgivning",
    "training": "Utbildning",
    "coaching": "Handledning",
    "investigation": "Utredning",
    "recruitment_support": "Rekryteringsstöd",
    "process_support": "Processtöd",
    "other": "Annat",
}

#: The contract's coded columns (column name -> labels of its codes). A column with the same
#: name has the same codes in every kind (``staff_category`` in staff, events, recruitments).
#: Subject code -> Swedish name (the contract's first alias, capitalised: MA -> Matematik).
SUBJECT_LABELS: dict[str, str] = {
    code: aliases[0][:1].upper() + aliases[0][1:] for code, aliases in SUBJECT_CODES.items()
}

#: ``grades`` of a teaching assignment (the contract's stages).
GRADES_LABELS: dict[str, str] = {
    "F-3": "Förskoleklass–årskurs 3",
    "4-6": "Årskurs 4–6",
    "7-9": "Årskurs 7–9",
    "gy": "Gymnasiet",
}

#: ``programme`` of a certification path (``contract.PROGRAMME_CODES``).
PROGRAMME_LABELS: dict[str, str] = {
    "VAL": "VAL (Vidareutbildning av lärare)",
    "KPU": "KPU (Kompletterande pedagogisk utbildning)",
    "lararlyftet": "Lärarlyftet",
    "ULV": "ULV (Utländska lärares vidareutbildning)",
    "other": "Annan utbildning",
}

#: Where a certification path stands at a staff snapshot (``certification_path_progress``).
PATH_STATUS_LABELS: dict[str, str] = {
    "ongoing": "Pågår",
    "overdue": "Försenad",
    "completed": "Klar (behörig)",
    "left": "Slutat",
}

CODE_LABELS: dict[str, dict[str, str]] = {
    "school_form": SCHOOL_FORM_LABELS,
    "staff_category": STAFF_CATEGORY_LABELS,
    "employment_type": EMPLOYMENT_TYPE_LABELS,
    "gender": GENDER_LABELS,
    "event_type": EVENT_TYPE_LABELS,
    "reason": EXIT_REASON_LABELS,
    "outcome": RECRUITMENT_OUTCOME_LABELS,
    "activity_type": ACTIVITY_TYPE_LABELS,
    "placement_type": PLACEMENT_TYPE_LABELS,
    "status": SUPPORT_STATUS_LABELS,
    "asker_role": ASKER_ROLE_LABELS,
    "channel": SUPPORT_CHANNEL_LABELS,
    "effort_type": EFFORT_TYPE_LABELS,
    "subject": SUBJECT_LABELS,
    "grades": GRADES_LABELS,
    "grade_band": GRADES_LABELS,  # the allocation model's pupil counts (``pupil_count``)
    "programme": PROGRAMME_LABELS,
}

#: The ARUBA phases and the two besides them, in the model's order (indicator registry phase ids).
PHASE_LABELS: dict[str, str] = {
    "current_state": "Nuläge",
    "attrahera": "Attrahera",
    "rekrytera": "Rekrytera",
    "utveckla": "Utveckla",
    "behalla": "Behålla",
    "avveckla": "Avveckla",
    "support_need": "Stödbehov",
}

#: Key-figure period types, lower case (they are read inside a sentence: "per rullande 12 månader").
PERIOD_TYPE_LABELS: dict[str, str] = {
    "month": "månad",
    "year": "år",
    "rolling_12m": "rullande 12 månader",
}

#: Values of the ``variant`` breakdown (alternative definitions of turnover, not parts of it);
#: ``all`` is the indicator's own definition.
VARIANT_LABELS: dict[str, str] = {
    "all": "Alla avgångar",
    "excl_retirement": "Utan pensionsavgångar",
}

#: Survey measures (``survey.measure``) that key figures break down by (HME and its sub-indices).
SURVEY_MEASURE_LABELS: dict[str, str] = {
    "hme_total": "HME totalt",
    "hme_motivation": "Motivation",
    "hme_leadership": "Ledarskap",
    "hme_governance": "Styrning",
    "recommend_employer": "Rekommenderar arbetsgivaren",
}

#: Key-figure breakdown dimensions (the registry's ``breakdowns``), lower case as in a sentence.
#: ``subject_grades=MA:7-9`` (a subject in some grades): 'Matematik, årskurs 7–9'.
SUBJECT_GRADES_LABELS: dict[str, str] = {
    f"{subject}:{grades}": f"{subject_name}, {grades_name[:1].lower()}{grades_name[1:]}"
    for subject, subject_name in SUBJECT_LABELS.items()
    for grades, grades_name in {**GRADES_LABELS, "unknown": "Okända årskurser"}.items()
}
DIMENSION_LABELS: dict[str, str] = {
    "staff_category": "personalkategori",
    "school_form": "skolform",
    "placement_type": "praktiktyp",
    "variant": "variant (med/utan pension)",
    "measure": "delindex",
    "reason": "avgångsorsak",
    "subject": "ämne",
    "subject_grades": "ämne och årskurser",
    "programme": "utbildning",
    "path_status": "läge",
}
#: The labels of each dimension's values.
DIMENSION_VALUE_LABELS: dict[str, dict[str, str]] = {
    "staff_category": STAFF_CATEGORY_LABELS,
    "school_form": SCHOOL_FORM_LABELS,
    "placement_type": PLACEMENT_TYPE_LABELS,
    "variant": VARIANT_LABELS,
    "measure": SURVEY_MEASURE_LABELS,
    "reason": EXIT_REASON_LABELS,
    "subject": SUBJECT_LABELS,
    "subject_grades": SUBJECT_GRADES_LABELS,
    "programme": PROGRAMME_LABELS,
    "path_status": PATH_STATUS_LABELS,
}

#: A figure against its target (``query.traffic_light``); None: no target.
TARGET_STATUS_LABELS: dict[str | None, str] = {
    "green": "Når målet",
    "yellow": "Nära målet",
    "red": "Långt från målet",
    None: "Inget mål",
}

#: The traffic light's symbol beside its colour, so the status never rests on colour alone
#: (colour-blind viewers, grey-scale print): a tick, an exclamation mark, a cross.
TARGET_STATUS_SYMBOLS: dict[str | None, str] = {
    "green": "✓",
    "yellow": "!",
    "red": "✕",
    None: "–",
}

#: The traffic light explained (the default near band of ``indicators.registry.NEAR_TARGET``).
TARGET_STATUS_LEGEND = (
    "Trafikljuset jämför med målet: ✓ grönt når målet; ! gult är nära, högst 10 % av "
    "målvärdet från det (mål 5,0 %: upp till 5,5 %); ✕ rött är längre ifrån."
)

#: Licence status of a teacher post (``query.licence_status``), in display order.
LICENCE_STATUS_LABELS: dict[str, str] = {
    "licensed_qualified": "Legitimerad och behörig",
    "licensed_only": "Legitimerad, inte behörig i ämnet",
    "not_licensed": "Utan legitimation",
}
#: In preschools the first status is simply a licensed preschool teacher (no subjects).
PRESCHOOL_LICENCE_STATUS_LABELS: dict[str, str] = LICENCE_STATUS_LABELS | {
    "licensed_qualified": "Legitimerad förskollärare"
}


def label(labels: Mapping[str, str], code: str | None, missing: str = "–") -> str:
    """The label of ``code``, the code itself when it has none, ``missing`` for None."""
    if code is None:
        return missing
    return labels.get(code, code)


def school_form_label(code: str | None) -> str | None:
    """The Swedish name of a school form code; None stays None (a unit without one)."""
    return None if code is None else SCHOOL_FORM_LABELS.get(code, code)


def breakdown_label(breakdown: str) -> str:
    """A key-figure breakdown in Swedish: ``staff_category=teacher`` -> ``Personalkategori: Lärare``.

    ``all`` (no breakdown) is ``–``; an unknown dimension or value is shown as it is.
    """
    if breakdown == "all":
        return "–"
    dimension, _, value = breakdown.partition("=")
    name = DIMENSION_LABELS.get(dimension, dimension)
    return f"{name[:1].upper()}{name[1:]}: {DIMENSION_VALUE_LABELS.get(dimension, {}).get(value, value)}"
