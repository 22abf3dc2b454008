"""The import data contract (v1), declared once.

Every kind of file Kompetens imports is described here: its canonical
columns, their Swedish/English header aliases, types, code lists with
Swedish value aliases, and the key that decides what a re-import replaces.
The importer, the DuckDB schema, the CLI's ``template`` command and the
documentation test all read this module; nothing else hard-codes a column.

Types
-----
``text``    free text, trimmed.
``code``    one of ``codes`` (canonical value -> accepted aliases).
``date``    ``YYYY-MM-DD``, ``YYYYMMDD`` or ``D/M/YYYY``.
``month``   ``YYYY-MM``; stored as the first day of the month (DATE).
``term``    a date, or a school term ``HT2025`` / ``VT2026``; stored as a
            DATE (HT -> 1 August, VT -> 1 January).
``number``  decimal comma or point, spaces / no-break spaces as thousands
            separators.
``fte``     a number given as a fraction (``0,75``), a percentage (``75`` or
            ``75 %``); stored as a fraction, 0 < fte <= 1.
``int``     a whole number.
``bool``    Ja/Nej, Yes/No, True/False, 1/0, Sant/Falskt, J/N, X/blank.
"""

from __future__ import annotations

# The allocation model's kinds are declared in their own module (``contract_allocation``).
from kompetens.core.contract_allocation import ALLOCATION_KINDS

# The code lists live in their own module (``contract_codes``); ``contract.X_CODES`` still works.
from kompetens.core.contract_codes import (
    EMPLOYMENT_TYPE_CODES,
    GRADE_CODES,
    PROGRAMME_CODES,
    SCHOOL_FORM_CODES,
    STAFF_CATEGORY_CODES,
    SUBJECT_CODES,
)

# Column, Kind and fold live in ``contract_types``; ``contract.Column`` etc. still work.
from kompetens.core.contract_types import Column, ColumnType, Kind, ReplaceMode, fold

__all__ = ["Column", "ColumnType", "Kind", "ReplaceMode", "fold"]

#: Columns whose header means "a person's name": dropped on import with a warning.
NAME_HEADERS: tuple[str, ...] = (
    "namn",
    "name",
    "fornamn",
    "förnamn",
    "efternamn",
    "firstname",
    "lastname",
    "first_name",
    "last_name",
    "fullname",
    "full_name",
    "fulltnamn",
    "tilltalsnamn",
    "medarbetare",
    "anstalld",
    "anställd",
)

BOOL_TRUE: tuple[str, ...] = ("ja", "j", "yes", "y", "true", "sant", "1", "x")
BOOL_FALSE: tuple[str, ...] = ("nej", "n", "no", "false", "falskt", "0")


UNITS = Kind(
    name="units",
    label_sv="Enheter",
    grain="One row per unit (school, preschool or central unit).",
    key=("unit_id",),
    unit_column=None,
    columns=(
        Column(
            "unit_id",
            "text",
            True,
            "Enhets-id",
            ("enhet_id", "enhetskod", "enhetsid"),
            rule="required, unique",
        ),
        Column("unit_name", "text", True, "Enhetsnamn", ("enhet", "enhetsnamn")),
        Column("area", "text", True, "Område", ("område", "verksamhetsområde")),
        Column("school_form", "code", True, "Skolform", ("skolform",), SCHOOL_FORM_CODES),
        Column(
            "school_unit_code", "text", False, "Skolenhetskod", ("skolenhetskod",), rule="8 digits"
        ),
        Column(
            "kolada_ou_id",
            "text",
            False,
            "Kolada OU-id",
            ("kolada_ou", "ou_id"),
            rule="e.g. V15E128300201",
        ),
        Column(
            "socioeconomic_index",
            "number",
            False,
            "Socioekonomiskt index",
            ("socioekonomiskt_index", "socioekonomiskt index"),
            rule="higher = greater need",
        ),
        Column("valid_from", "date", False, "Giltig från", ("giltig_from", "giltig från")),
        Column("valid_to", "date", False, "Giltig till och med", ("giltig_tom", "giltig till")),
    ),
    rules=("unit_id unique in the file", "valid_to not before valid_from"),
)

STAFF = Kind(
    name="staff",
    label_sv="Personal (ögonblicksbilder)",
    grain="One row per employee, unit and snapshot date.",
    key=("snapshot_date", "employee_id", "unit_id"),
    replace="replace_snapshot",
    columns=(
        Column(
            "snapshot_date", "date", True, "Mätdatum", ("datum", "mätdatum", "matdatum", "snapshot")
        ),
        Column(
            "employee_id",
            "text",
            True,
            "Anställnings-id",
            (
                "anställningsid",
                "anstallningsid",
                "personnummer",
                "pnr",
                "personnr",
                "anst.nr",
                "anställningsnummer",
            ),
            rule="personnummer are pseudonymised",
        ),
        Column(
            "unit_id",
            "text",
            True,
            "Enhets-id",
            ("enhet_id", "enhetskod", "org.enhet", "organisationsenhet", "arbetsplats"),
            rule="must exist in units",
        ),
        Column(
            "staff_category",
            "code",
            True,
            "Personalkategori",
            ("personalkategori", "befattning", "befattningsbenämning"),
            STAFF_CATEGORY_CODES,
        ),
        Column(
            "fte",
            "fte",
            True,
            "Sysselsättningsgrad",
            (
                "sysselsättningsgrad",
                "tjänstgöringsgrad",
                "syssgrad",
                "syss.grad %",
                "sysselsättningsgrad %",
                "omf.",
            ),
            rule="0 < fte <= 1",
        ),
        Column(
            "employment_type",
            "code",
            True,
            "Anställningsform",
            ("anställningsform", "anst.form", "anställningsform kod"),
            EMPLOYMENT_TYPE_CODES,
        ),
        Column(
            "licensed",
            "bool",
            True,
            "Legitimation",
            ("legitimation", "legitimerad", "legitimation (j/n)", "lärarleg.", "lärarlegitimation"),
        ),
        Column(
            "qualified",
            "bool",
            False,
            "Behörig",
            ("behörig", "behörighet"),
            rule="empty for non-teachers",
        ),
        Column(
            "birth_year",
            "int",
            True,
            "Födelseår",
            ("födelseår", "fodelsear"),
            rule="1940..current year - 15",
        ),
        Column(
            "gender",
            "code",
            False,
            "Kön",
            ("kön", "kon"),
            {"female": ("kvinna", "k", "f"), "male": ("man", "m"), "other": ("annat", "annan")},
        ),
        Column(
            "hire_date",
            "date",
            False,
            "Anställningsdatum",
            ("anställningsdatum", "anställd från"),
            rule="not after snapshot_date",
        ),
        Column(
            "certification_programme",
            "bool",
            False,
            "Behörighetsgivande utbildning",
            ("behörighetsgivande_utbildning", "behörighetsgivande utbildning"),
        ),
    ),
    rules=(
        "one row per (snapshot_date, employee_id, unit_id) in the file",
        "hire_date not after snapshot_date",
        "re-importing a snapshot_date replaces that whole snapshot",
    ),
)

EVENTS = Kind(
    name="events",
    label_sv="Händelser",
    grain="One row per employee, event date, event type and unit.",
    key=("employee_id", "event_date", "event_type", "unit_id"),
    columns=(
        Column("event_date", "date", True, "Datum", ("datum", "händelsedatum")),
        Column(
            "employee_id",
            "text",
            True,
            "Anställnings-id",
            ("anställningsid", "personnummer", "pnr", "personnr"),
        ),
        Column(
            "event_type",
            "code",
            True,
            "Händelse",
            ("händelse", "handelsetyp"),
            {
                "hire": ("nyanställning", "anställning", "nyanstalld"),
                "exit": ("avgång", "avslut", "slutat"),
                "internal_move": ("intern_flytt", "intern flytt", "flytt internt"),
                "redundancy_notice": ("varsel_övertalighet", "varsel", "övertalig"),
                "redundancy_placed": ("placerad", "omplacerad"),
            },
        ),
        Column(
            "unit_id",
            "text",
            True,
            "Enhets-id",
            ("enhet_id", "enhetskod"),
            rule="for a move: the unit left",
        ),
        Column(
            "to_unit_id",
            "text",
            False,
            "Till enhet",
            ("till_enhet_id", "till enhet"),
            rule="required for internal_move",
        ),
        Column(
            "staff_category",
            "code",
            False,
            "Personalkategori",
            ("personalkategori", "befattning"),
            STAFF_CATEGORY_CODES,
        ),
        Column(
            "employment_type",
            "code",
            False,
            "Anställningsform",
            ("anställningsform",),
            EMPLOYMENT_TYPE_CODES,
        ),
        Column(
            "reason",
            "code",
            False,
            "Orsak",
            ("orsak", "avgångsorsak"),
            {
                "retirement": ("pension", "ålderspension"),
                "other_employer": ("annan_arbetsgivare", "annan arbetsgivare", "ny arbetsgivare"),
                "studies": ("studier",),
                "relocation": ("flytt", "flyttat"),
                "end_of_contract": ("visstid_upphör", "visstid upphör", "anställning upphör"),
                "dismissal": ("uppsägning", "uppsagd"),
                "other": ("övrigt", "övrig", "annat"),
            },
            rule="only for exit",
        ),
    ),
    rules=(
        "to_unit_id required for internal_move and must exist in units",
        "reason only for exit",
        "duplicate (employee_id, event_date, event_type, unit_id) rows are one event",
    ),
)

RECRUITMENTS = Kind(
    name="recruitments",
    label_sv="Rekryteringar",
    grain="One row per requisition (advertised post), with its subject when it is a teaching post.",
    key=("requisition_id",),
    columns=(
        Column(
            "requisition_id",
            "text",
            True,
            "Rekryterings-id",
            ("rekryteringsid", "annonsid", "ärendenummer"),
        ),
        Column("unit_id", "text", True, "Enhets-id", ("enhet_id", "enhetskod")),
        Column(
            "staff_category",
            "code",
            True,
            "Personalkategori",
            ("personalkategori", "befattning"),
            STAFF_CATEGORY_CODES,
        ),
        Column(
            "published_date", "date", True, "Publiceringsdatum", ("publicerad", "publiceringsdatum")
        ),
        Column(
            "closed_date",
            "date",
            False,
            "Avslutad",
            ("avslutad", "stängd", "tillsättningsdatum"),
            rule="not before published_date",
        ),
        Column(
            "outcome",
            "code",
            True,
            "Utfall",
            ("utfall", "status"),
            {
                "filled": ("tillsatt",),
                "unfilled": ("ej_tillsatt", "ej tillsatt", "avbruten"),
                "open": ("pågående", "öppen"),
            },
        ),
        Column("applicants", "int", True, "Sökande", ("sökande", "antal sökande"), rule=">= 0"),
        Column(
            "qualified_applicants",
            "int",
            False,
            "Behöriga sökande",
            ("behöriga_sökande", "behöriga sökande"),
            rule="<= applicants",
        ),
        Column(
            "hired_certified",
            "bool",
            False,
            "Anställd behörig",
            ("anställd_behörig", "behörig anställd"),
        ),
        # Last, so that a database from before the column gets it in the same place (migration 16).
        Column(
            "subject",
            "code",
            False,
            "Ämne",
            ("ämne", "amne", "ämneskod", "undervisningsämne"),
            SUBJECT_CODES,
            rule="optional: the teaching post's main subject; empty when not given or not a teaching post",
        ),
    ),
    rules=(
        "requisition_id unique in the file",
        "qualified_applicants <= applicants",
        "closed_date not before published_date",
    ),
)

DEVELOPMENT = Kind(
    name="development",
    label_sv="Kompetensutveckling",
    grain="One row per employee, activity date and activity type.",
    key=("employee_id", "activity_date", "activity_type"),
    columns=(
        Column(
            "employee_id",
            "text",
            True,
            "Anställnings-id",
            ("anställningsid", "personnummer", "pnr", "personnr"),
        ),
        Column("activity_date", "date", True, "Datum", ("datum", "aktivitetsdatum")),
        Column(
            "activity_type",
            "code",
            True,
            "Aktivitet",
            ("aktivitet", "aktivitetstyp"),
            {
                "preboarding": ("förintroduktion",),
                "onboarding": ("introduktion",),
                "course": ("kurs", "utbildning"),
                "certification_programme": ("behörighetsgivande", "behörighetsgivande utbildning"),
                "mentoring": ("mentorskap", "mentor"),
            },
        ),
        Column("hours", "number", True, "Timmar", ("timmar", "antal timmar"), rule=">= 0"),
        Column("unit_id", "text", False, "Enhets-id", ("enhet_id", "enhetskod")),
    ),
)

PLACEMENTS = Kind(
    name="placements",
    label_sv="Praktik och VFU",
    grain="One row per unit, period start and placement type.",
    key=("unit_id", "period_start", "placement_type"),
    columns=(
        Column("unit_id", "text", True, "Enhets-id", ("enhet_id", "enhetskod")),
        Column("period_start", "term", True, "Period", ("period", "termin", "periodstart")),
        Column(
            "placement_type",
            "code",
            True,
            "Praktiktyp",
            ("praktiktyp", "typ"),
            {"vfu": (), "apl": (), "prao": (), "teacher_pathway": ("lärarvägen",)},
        ),
        Column("students", "int", True, "Studenter", ("studenter", "elever", "antal"), rule=">= 0"),
        Column(
            "hired_later",
            "int",
            False,
            "Anställda senare",
            ("anställda_senare", "anställda senare"),
            rule="<= students",
        ),
    ),
    rules=("hired_later <= students",),
)

SURVEY = Kind(
    name="survey",
    label_sv="Medarbetarenkät",
    grain="One row per unit, survey date and measure.",
    key=("unit_id", "survey_date", "measure"),
    columns=(
        Column("unit_id", "text", True, "Enhets-id", ("enhet_id", "enhetskod")),
        Column("survey_date", "date", True, "Enkätdatum", ("enkätdatum", "datum")),
        Column(
            "measure",
            "text",
            True,
            "Mått",
            ("mått", "fråga"),
            rule="hme_total, hme_motivation, hme_leadership, hme_governance, recommend_employer, or any named item",
        ),
        Column("score", "number", True, "Resultat", ("resultat", "värde", "medel")),
        Column(
            "scale_max",
            "number",
            True,
            "Skalmax",
            ("skalmax", "skala"),
            rule="5 for a 1–5 item, 100 for an index; 0 <= score <= scale_max",
        ),
        Column("respondents", "int", True, "Svarande", ("svarande", "antal svar"), rule=">= 0"),
        Column(
            "invited",
            "int",
            False,
            "Inbjudna",
            ("inbjudna", "antal inbjudna"),
            rule=">= respondents",
        ),
    ),
)

SICK_LEAVE = Kind(
    name="sick_leave",
    label_sv="Sjukfrånvaro",
    grain="One row per unit and month.",
    key=("unit_id", "month"),
    columns=(
        Column("unit_id", "text", True, "Enhets-id", ("enhet_id", "enhetskod")),
        Column("month", "month", True, "Månad", ("månad", "period")),
        Column(
            "scheduled_hours",
            "number",
            True,
            "Schemalagd tid (h)",
            ("schemalagd_tid", "schemalagda timmar", "ordinarie tid"),
            rule="> 0",
        ),
        Column(
            "sick_hours",
            "number",
            True,
            "Sjukfrånvaro (h)",
            ("sjukfrånvaro", "sjuktimmar", "sjukfrånvarotimmar"),
            rule=">= 0, <= scheduled_hours",
        ),
        Column(
            "long_sick_hours",
            "number",
            False,
            "Långtidssjukfrånvaro (h)",
            ("långtidssjukfrånvaro", "sjukfrånvaro över 59 dagar"),
            rule="<= sick_hours",
        ),
    ),
    rules=("sick_hours <= scheduled_hours", "long_sick_hours <= sick_hours"),
)

TARGETS = Kind(
    name="targets",
    label_sv="Målvärden",
    grain="One row per indicator, scope and year.",
    key=("indicator_id", "scope", "year"),
    unit_column=None,
    columns=(
        Column("indicator_id", "text", True, "Indikator", ("indikator", "nyckeltal")),
        Column(
            "scope",
            "text",
            True,
            "Omfattning",
            ("omfattning", "nivå"),
            rule="'org', an area name or a unit_id",
        ),
        Column("year", "int", True, "År", ("år", "ar")),
        Column("target", "number", True, "Målvärde", ("mål", "målvärde")),
    ),
)

#: ``support_request.status`` and ``support_effort.status``: where a request or an effort stands.
SUPPORT_STATUS_CODES: dict[str, tuple[str, ...]] = {
    "received": ("mottagen", "ny", "inkommen"),
    "planned": ("planerad",),
    "in_progress": ("pågår", "pågående", "påbörjad"),
    "done": ("klar", "avslutad", "genomförd"),
    "declined": ("avböjd", "avslagen"),
}

#: Free-text columns: a personnummer-like number is removed before storage and an e-mail
#: address gives a warning (``kompetens.ingest.free_text``). Names cannot be detected: the
#: form and the template say not to write them.
FREE_TEXT_COLUMNS: frozenset[str] = frozenset({"description", "report_to", "feedback_note"})

SUPPORT_REQUEST = Kind(
    name="support_request",
    label_sv="Stödärenden",
    grain="One row per support request from a unit.",
    key=("request_id",),
    columns=(
        Column(
            "request_id",
            "text",
            True,
            "Ärende-id",
            ("ärende_id", "ärende-id", "ärendeid", "stödärende"),
            rule="required, unique",
        ),
        Column("unit_id", "text", True, "Enhets-id", ("enhet_id", "enhetskod")),
        Column(
            "request_date",
            "date",
            True,
            "Datum för begäran",
            ("datum för begäran", "inkom", "inkommen", "ärendedatum"),
            rule="not in the future",
        ),
        Column(
            "asker_role",
            "code",
            True,
            "Frågeställarens roll",
            ("frågeställarens roll", "frågeställare", "roll"),
            {
                "principal": ("rektor",),
                "deputy_principal": ("biträdande rektor", "bitr. rektor"),
                "area_manager": ("områdeschef", "verksamhetschef"),
                "team_leader": ("arbetslagsledare", "förstelärare"),
                "staff_member": ("personal", "medarbetare"),
                "other": ("annan", "annat", "övrig"),
            },
            rule="a role, never a name",
        ),
        Column(
            "channel",
            "code",
            True,
            "Kanal",
            ("kanal", "inkanal"),
            {
                "dialogue": ("dialog", "verksamhetsdialog"),
                "mailbox": ("funktionsbrevlåda", "brevlåda", "e-post"),
                "order": ("beställning",),
                "network": ("nätverk",),
                "other": ("annat", "annan", "övrigt"),
            },
        ),
        Column(
            "topic",
            "text",
            True,
            "Ämne",
            ("ämne", "tema"),
            rule="an ARUBA phase or a topic of the configured list (Admin › Inställningar › Stödregistrets listor)",
        ),
        Column(
            "description",
            "text",
            False,
            "Beskrivning",
            ("beskrivning", "fritext"),
            rule="free text; a personnummer is removed, an e-mail address warned about",
        ),
        Column(
            "support_function",
            "text",
            True,
            "Stödfunktion",
            ("stödfunktion", "funktion"),
            rule="a function of the configured list (e.g. HR, PC, EH, Admin & juridik)",
        ),
        Column(
            "report_to",
            "text",
            False,
            "Återrapportering till",
            ("återrapportering till", "återrapportering", "rapportera till"),
            rule="a role or function, never a name (free text rules)",
        ),
        Column("status", "code", True, "Status", ("status", "ärendestatus"), SUPPORT_STATUS_CODES),
        # Last: migration 14 adds it to databases made before it (``core.themes``).
        Column(
            "themes",
            "text",
            False,
            "Teman",
            ("teman", "gemensamma teman"),
            rule="theme labels or ids of the shared list, separated by ';' (stored as ids)",
        ),
    ),
    rules=(
        "request_id unique in the file",
        "topic and support_function from the configured lists",
        "themes from the shared theme list (Verksamhetsdialog › Teman)",
        "request_date not in the future",
    ),
)

SUPPORT_EFFORT = Kind(
    name="support_effort",
    label_sv="Stödinsatser",
    grain="One row per support effort given to a unit (linked to a request, or proactive).",
    key=("effort_id",),
    columns=(
        Column(
            "effort_id",
            "text",
            True,
            "Insats-id",
            ("insats_id", "insats-id", "insatsid"),
            rule="required, unique",
        ),
        Column(
            "request_id",
            "text",
            False,
            "Ärende-id",
            ("ärende_id", "ärende-id", "ärendeid", "stödärende"),
            rule="empty for proactive support; else must exist among the support requests",
        ),
        Column("unit_id", "text", True, "Enhets-id", ("enhet_id", "enhetskod")),
        Column(
            "support_function",
            "text",
            True,
            "Stödfunktion",
            ("stödfunktion", "funktion"),
            rule="a function of the configured list",
        ),
        Column("start_date", "date", True, "Startdatum", ("startdatum", "från")),
        Column(
            "end_date",
            "date",
            False,
            "Slutdatum",
            ("slutdatum", "till"),
            rule="not before start_date",
        ),
        Column(
            "effort_type",
            "code",
            True,
            "Insatstyp",
            ("insatstyp", "typ av insats"),
            {
                "advice": ("rådgivning", "råd"),
                "training": ("utbildning",),
                "coaching": ("handledning", "coachning"),
                "investigation": ("utredning", "kartläggning"),
                "recruitment_support": ("rekryteringsstöd",),
                "process_support": ("processtöd", "processledning"),
                "other": ("annat", "annan", "övrigt"),
            },
        ),
        Column("hours", "number", False, "Timmar", ("timmar", "antal timmar"), rule=">= 0"),
        Column(
            "status",
            "code",
            True,
            "Status",
            ("status", "insatsstatus"),
            SUPPORT_STATUS_CODES,
        ),
        Column(
            "feedback_score",
            "int",
            False,
            "Återkoppling (1–5)",
            ("återkoppling", "nytta", "hjälpte det"),
            rule="1..5, agreed with the unit; only for a finished effort",
        ),
        Column(
            "feedback_note",
            "text",
            False,
            "Återkoppling, kommentar",
            ("återkoppling kommentar", "kommentar"),
            rule="short free text (free text rules)",
        ),
    ),
    rules=(
        "effort_id unique in the file",
        "end_date not before start_date",
        "feedback_score 1..5, only when status is done",
    ),
)

TEACHING_ASSIGNMENT = Kind(
    name="teaching_assignment",
    label_sv="Undervisningsuppdrag",
    grain="One row per teacher, unit, subject, school form and grades per snapshot date (or term).",
    key=("snapshot_date", "employee_id", "unit_id", "subject", "school_form", "grades"),
    replace="replace_snapshot",
    columns=(
        Column(
            "snapshot_date",
            "term",
            True,
            "Mätdatum",
            ("datum", "mätdatum", "matdatum", "termin", "läsår"),
            rule="a date, or a term HT2025 / VT2026",
        ),
        Column(
            "employee_id",
            "text",
            True,
            "Anställnings-id",
            ("anställningsid", "anstallningsid", "personnummer", "pnr", "personnr", "anst.nr"),
            rule="personnummer are pseudonymised",
        ),
        Column(
            "unit_id",
            "text",
            True,
            "Enhets-id",
            ("enhet_id", "enhetskod", "skolenhet", "arbetsplats"),
            rule="must exist in units",
        ),
        Column("subject", "code", True, "Ämne", ("ämne", "amne", "ämneskod"), SUBJECT_CODES),
        Column(
            "school_form",
            "code",
            False,
            "Skolform",
            ("skolform",),
            SCHOOL_FORM_CODES,
            rule="empty: the unit's school form",
        ),
        Column(
            "grades",
            "code",
            False,
            "Årskurser",
            ("årskurser", "årskurs", "stadium"),
            GRADE_CODES,
        ),
        Column(
            "hours_per_week",
            "number",
            False,
            "Undervisningstimmar per vecka",
            ("undervisningstimmar", "timmar per vecka", "undervisningstid", "timmar/vecka"),
            rule="> 0; this or fte_share",
        ),
        Column(
            "fte_share",
            "fte",
            False,
            "Andel av heltid",
            ("andel av heltid", "tjänstgöringsandel", "andel tjänst"),
            rule="0 < share <= 1; this or hours_per_week",
        ),
        Column(
            "qualified",
            "bool",
            True,
            "Behörig i ämnet",
            ("behörig", "behörig i ämnet", "behörighet", "ämnesbehörighet"),
            rule="qualified (with a licence) for this subject and these grades",
        ),
    ),
    rules=(
        "one row per (snapshot_date, employee_id, unit_id, subject, school_form, grades) in the file",
        "hours_per_week or fte_share given on every row",
        "re-importing a snapshot_date replaces that whole snapshot of assignments",
    ),
)

CERTIFICATION_PATH = Kind(
    name="certification_path",
    label_sv="Behörighetsgivande utbildningar",
    grain="One row per person, programme, subject and start date (a path to a licence or a subject).",
    key=("employee_id", "programme", "subject", "start_date"),
    columns=(
        Column(
            "employee_id",
            "text",
            True,
            "Anställnings-id",
            ("anställningsid", "anstallningsid", "personnummer", "pnr", "personnr", "anst.nr"),
            rule="personnummer are pseudonymised",
        ),
        Column(
            "unit_id",
            "text",
            True,
            "Enhets-id",
            ("enhet_id", "enhetskod", "skolenhet", "arbetsplats"),
            rule="must exist in units",
        ),
        Column(
            "programme",
            "code",
            True,
            "Utbildning",
            ("utbildning", "program", "utbildningsväg", "behörighetsväg"),
            PROGRAMME_CODES,
        ),
        Column("subject", "code", True, "Ämne", ("ämne", "amne", "ämneskod"), SUBJECT_CODES),
        Column(
            "start_date", "date", True, "Startdatum", ("startdatum", "påbörjad", "utbildningsstart")
        ),
        Column(
            "expected_completion",
            "date",
            True,
            "Beräknat klar",
            ("beräknat klar", "beräknad examen", "förväntat klar", "planerat slut", "klar senast"),
            rule="not before start_date",
        ),
    ),
    rules=(
        "one row per (employee_id, programme, subject, start_date) in the file",
        "expected_completion not before start_date",
        "a re-imported path (same person, programme, subject and start) replaces the earlier row",
    ),
)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        UNITS,
        STAFF,
        EVENTS,
        RECRUITMENTS,
        DEVELOPMENT,
        PLACEMENTS,
        SURVEY,
        SICK_LEAVE,
        TARGETS,
        SUPPORT_REQUEST,
        SUPPORT_EFFORT,
        TEACHING_ASSIGNMENT,
        *ALLOCATION_KINDS,
        CERTIFICATION_PATH,
    )
}

#: The order to load a full set of files in: units first, since every other kind refers to them
#: (``KINDS`` is declared in that order).
IMPORT_ORDER: tuple[str, ...] = tuple(KINDS)
