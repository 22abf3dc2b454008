"""No date before 1900, in any date-like column of any kind (issue 16, point 4, implausible dates).

Excel's day zero (1899-12-30) is what an empty or badly formatted date cell becomes.
The rule holds for dates, months (sick leave) and terms (placements) alike: the
value is rejected with the same Swedish message, named by its column, and
nothing is written. Seed database: units U1–U4 (``seeded_db``).
"""

from __future__ import annotations

import polars as pl
import pytest
from import_fixtures import (  # noqa: F401 (autouse fixture)
    database_contents,
    isolate_importer_from_hooks,
    seeded_db,
)

from kompetens.core.contract import KINDS
from kompetens.ingest import ImportRejected, import_bytes
from kompetens.ingest.normalise import EARLY_DATE_MESSAGE, parse_column

DATE_LIKE = [
    (kind.name, col)
    for kind in KINDS.values()
    for col in kind.columns
    if col.type in ("date", "month", "term")
]
#: How a date before 1900 is spelled in each type family (Excel's day zero, and the family's own form).
EARLY_SPELLINGS = {
    "date": ["1899-12-30", "18991230", "31/12/1899"],
    "month": ["1899-12", "189912", "1899-12-30"],
    "term": ["HT1899", "VT1899", "1899-12-30"],
}


def test_every_kind_with_dates_is_covered_by_the_end_to_end_cases_below():
    assert sorted({kind for kind, _ in DATE_LIKE}) == sorted({kind for kind, *_ in FILES})
    assert sorted((kind, col.name) for kind, col in DATE_LIKE) == sorted(
        (kind, column) for kind, column, _ in FILES
    )


@pytest.mark.parametrize(
    ("kind", "column", "spelling"),
    [
        (kind, col.name, spelling)
        for kind, col in DATE_LIKE
        for spelling in EARLY_SPELLINGS[col.type]
    ],
)
def test_a_date_before_1900_is_refused_by_the_parser_of_every_date_like_column(
    kind, column, spelling
):
    col = KINDS[kind].column(column)
    value, error = parse_column(col, pl.col("raw"), [spelling])
    got = pl.DataFrame({"raw": [spelling, None]}).select(value.alias("value"), error.alias("error"))
    assert got.row(0) == (None, EARLY_DATE_MESSAGE)
    assert got.row(1) == (None, None)  # an empty cell is not this rule's business


#: (kind, column, file): a file valid in every other respect, the column at Excel's day zero.
FILES = [
    (
        "units",
        "valid_from",
        "unit_id;unit_name;area;school_form;valid_from\nU8;Ny;Norr;grundskola;{d}\n",
    ),
    (
        "units",
        "valid_to",
        "unit_id;unit_name;area;school_form;valid_to\nU8;Ny;Norr;grundskola;{d}\n",
    ),
    (
        "staff",
        "snapshot_date",
        "snapshot_date;employee_id;unit_id;staff_category;fte;employment_type;licensed;birth_year\n"
        "{d};E1;U1;teacher;1;permanent;ja;1980\n",
    ),
    (
        "staff",
        "hire_date",
        "snapshot_date;employee_id;unit_id;staff_category;fte;employment_type;licensed;birth_year;hire_date\n"
        "2025-01-31;E1;U1;teacher;1;permanent;ja;1980;{d}\n",
    ),
    ("events", "event_date", "event_date;employee_id;event_type;unit_id\n{d};E1;hire;U1\n"),
    (
        "recruitments",
        "published_date",
        "requisition_id;unit_id;staff_category;published_date;outcome;applicants\n"
        "R1;U1;teacher;{d};open;3\n",
    ),
    (
        "recruitments",
        "closed_date",
        "requisition_id;unit_id;staff_category;published_date;outcome;applicants;closed_date\n"
        "R1;U1;teacher;2025-01-10;filled;3;{d}\n",
    ),
    (
        "development",
        "activity_date",
        "employee_id;activity_date;activity_type;hours\nE1;{d};course;8\n",
    ),
    ("placements", "period_start", "unit_id;period_start;placement_type;students\nU1;{d};vfu;3\n"),
    (
        "survey",
        "survey_date",
        "unit_id;survey_date;measure;score;scale_max;respondents\nU1;{d};trivsel;4;5;10\n",
    ),
    ("sick_leave", "month", "unit_id;month;scheduled_hours;sick_hours\nU1;{d};1600;80\n"),
    (
        "support_request",
        "request_date",
        "request_id;unit_id;request_date;asker_role;channel;topic;support_function;status\n"
        "A1;U1;{d};rektor;dialog;Rekrytera;HR;mottagen\n",
    ),
    (
        "support_effort",
        "start_date",
        "effort_id;unit_id;support_function;start_date;effort_type;status\n"
        "I1;U1;HR;{d};rådgivning;planerad\n",
    ),
    (
        "support_effort",
        "end_date",
        "effort_id;unit_id;support_function;start_date;effort_type;status;end_date\n"
        "I1;U1;HR;2025-01-10;rådgivning;klar;{d}\n",
    ),
    (
        "teaching_assignment",
        "snapshot_date",
        "snapshot_date;employee_id;unit_id;subject;hours_per_week;qualified\n{d};E1;U1;MA;5;ja\n",
    ),
    (
        "certification_path",
        "start_date",
        "employee_id;unit_id;programme;subject;start_date;expected_completion\n"
        "E1;U1;KPU;MA;{d};2026-06-30\n",
    ),
    (
        "certification_path",
        "expected_completion",
        "employee_id;unit_id;programme;subject;start_date;expected_completion\n"
        "E1;U1;KPU;MA;2024-08-15;{d}\n",
    ),
]
#: Excel's day zero, and for months and terms their own early spelling.
DAY_ZERO = {"period_start": "HT1899", "month": "1899-12"}
#: The same files with a plausible date: they import, so the early date is the one fault.
PLAUSIBLE = {"period_start": "HT2024", "month": "2025-01", "closed_date": "2025-02-10"}


@pytest.mark.parametrize(("kind", "column", "text"), FILES, ids=[f"{k}.{c}" for k, c, _ in FILES])
def test_an_import_with_a_date_before_1900_is_refused_naming_the_column_and_writes_nothing(
    kind, column, text
):
    conn = seeded_db()
    before = database_contents(conn)
    early = text.format(d=DAY_ZERO.get(column, "1899-12-30"))
    with pytest.raises(ImportRejected) as caught:
        import_bytes(conn, early.encode(), f"{kind}.csv", kind=kind, user="t")
    found = [(i.row, i.column, i.message) for i in caught.value.issues]
    assert found == [(2, column, EARLY_DATE_MESSAGE)]
    assert database_contents(conn) == before
    fine = text.format(d=PLAUSIBLE.get(column, "2025-01-31"))
    assert (
        import_bytes(conn, fine.encode(), f"{kind}_ok.csv", kind=kind, user="t").rows_written == 1
    )
