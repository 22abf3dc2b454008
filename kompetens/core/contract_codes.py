"""The code lists of the import data contract: canonical codes and their accepted spellings.

Part of the contract (``kompetens.core.contract`` imports and re-exports every name here);
kept in its own module so that the contract's kinds stay readable. Each dict maps a
canonical code to the Swedish (and English) spellings a file may use instead.
"""

from __future__ import annotations

STAFF_CATEGORY_CODES: dict[str, tuple[str, ...]] = {
    "teacher": (
        "lärare",
        "larare",
        "lärare grundskola",
        "lärare gymnasieskola",
        "ämneslärare",
        "grundskollärare",
        "grundlärare",
        "gymnasielärare",
    ),
    "preschool_teacher": ("förskollärare",),
    "leisure_teacher": ("fritidspedagog", "lärare i fritidshem", "grundlärare fritidshem"),
    "childminder": ("barnskötare",),
    "assistant": ("elevassistent", "assistent", "resursperson"),
    "special_educator": ("specialpedagog", "speciallärare"),
    "principal": ("rektor", "biträdande rektor"),
    "other": ("övrig", "övrigt", "övriga", "annan"),
}

EMPLOYMENT_TYPE_CODES: dict[str, tuple[str, ...]] = {
    "permanent": ("tillsvidare", "tillsvidareanställd", "tillsvidareanställning", "fast"),
    "fixed_term": (
        "visstid",
        "visstidsanställd",
        "visstidsanställning",
        "vikariat",
        "allmän visstid",
    ),
    "hourly": ("timavlönad", "timanställd", "timme"),
}

SCHOOL_FORM_CODES: dict[str, tuple[str, ...]] = {
    "forskola": ("förskola", "preschool"),
    "grundskola": ("compulsory",),
    "gymnasieskola": ("gymnasium", "upper_secondary"),
    "anpassad_grundskola": ("anpassad grundskola", "grundsärskola"),
    "anpassad_gymnasieskola": ("anpassad gymnasieskola", "gymnasiesärskola"),
    "fritidshem": ("fritids",),
    "central": ("centralt", "förvaltning", "central förvaltning"),
}

#: Subjects of a teaching assignment: Skolverket's subject codes (grundskolan's ämnen, with the
#: upper-secondary subject codes and the usual Swedish names as aliases). ``SPEC`` (special
#: needs teaching, specialpedagogik/speciallärare) is not a Skolverket subject code: it names
#: the special-needs teaching that is planned and qualified for like a subject.
SUBJECT_CODES: dict[str, tuple[str, ...]] = {
    "MA": ("matematik", "mat", "matte"),
    "SV": ("svenska", "sve"),
    "SVA": ("svenska som andraspråk", "svenska som andra språk", "sv2"),
    "EN": ("engelska", "eng"),
    "NO": ("naturorienterande ämnen", "no-ämnen", "nak", "naturkunskap"),
    "BI": ("biologi", "bio"),
    "FY": ("fysik", "fys"),
    "KE": ("kemi", "kem"),
    "TK": ("teknik", "tek"),
    "SO": ("samhällsorienterande ämnen", "so-ämnen"),
    "HI": ("historia", "his"),
    "GE": ("geografi", "geo"),
    "RE": ("religionskunskap", "religion", "rel"),
    "SH": ("samhällskunskap", "sam"),
    "IDH": ("idrott och hälsa", "idrott", "idr"),
    "MU": ("musik", "mus"),
    "BL": ("bild", "bil"),
    "SL": ("slöjd", "textilslöjd", "trä- och metallslöjd"),
    "HKK": ("hem- och konsumentkunskap", "hemkunskap"),
    "ML": ("modersmål", "modersmålsundervisning"),
    "M2": ("moderna språk", "språkval", "moderna språk språkval", "mod"),
    "SPEC": ("specialpedagogik", "speciallärare", "specialundervisning", "särskilt stöd"),
}

#: Grades of a teaching assignment (Skolverket's stages; ``gy`` = upper secondary).
GRADE_CODES: dict[str, tuple[str, ...]] = {
    "F-3": ("fk-3", "f–3", "åk 1-3", "åk f-3", "1-3", "lågstadiet"),
    "4-6": ("åk 4-6", "4–6", "mellanstadiet"),
    "7-9": ("åk 7-9", "7–9", "högstadiet"),
    "gy": ("gymnasieskola", "gymnasiet", "gymnasium"),
}

#: Programmes of a certification path (``certification_path.programme``): VAL (Vidareutbildning
#: av lärare), KPU (Kompletterande pedagogisk utbildning), Lärarlyftet, ULV (Utländska lärares
#: vidareutbildning) and any other route to a licence or a further subject.
PROGRAMME_CODES: dict[str, tuple[str, ...]] = {
    "VAL": ("vidareutbildning av lärare", "vidareutbildning av lärare som saknar lärarexamen"),
    "KPU": ("kompletterande pedagogisk utbildning",),
    "lararlyftet": ("lärarlyftet", "lärarlyft", "lärarlyftet ii", "lärarlyftet 2"),
    "ULV": ("utländska lärares vidareutbildning", "utländska lärare"),
    "other": ("annat", "annan", "övrigt", "övrig", "annan utbildning"),
}
