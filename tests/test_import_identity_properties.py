"""Property: every spelling of one valid personnummer gives one pseudonym, and no raw digits reach disk.

Spellings: 10 or 12 digits, no separator, ``-``, an en dash or a space before the
last four, Excel's text formula ``="…"``, a leading apostrophe, a float
(``198001011231.0``) and, in a column headed Personnummer, a number that lost
its leading zero. The file has no birth-year column, so the birth year comes
from the personnummer too (point 2 of the issue).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_fixtures import isolate_importer_from_hooks, seeded_db  # noqa: F401 (autouse fixture)

from kompetens.core import store
from kompetens.ingest import import_bytes
from kompetens.ingest.pseudonym import luhn_valid, pseudonym

KEY = b"test-key-not-secret"  # conftest sets KOMPETENS_PSEUDONYM_KEY to this


@st.composite
def personnummer(draw) -> tuple[str, int]:
    """A valid 12-digit personnummer or samordningsnummer (day + 60), and its birth year."""
    born = draw(st.dates(dt.date(1941, 1, 1), dt.date(2009, 12, 31)))
    day = born.day + (60 if draw(st.booleans()) else 0)
    serial = draw(st.integers(0, 999))
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    check = next(str(c) for c in range(10) if luhn_valid(nine + str(c)))
    return f"{born.year:04d}{nine[2:]}{check}", born.year


def spellings_of(twelve: str) -> list[str]:
    ten = twelve[2:]
    forms = [ten, twelve]
    forms += [f"{ten[:6]}{sep}{ten[6:]}" for sep in ("-", "\u2013", " ")]
    forms += [f"{twelve[:8]}{sep}{twelve[8:]}" for sep in ("-", "\u2013", " ")]
    forms += [f'="{twelve[:8]}-{twelve[8:]}"', f"'{twelve}", f"{twelve}.0", f"{ten}.0"]
    if ten.startswith("0"):
        forms.append(ten.lstrip("0") if len(ten.lstrip("0")) == 9 else ten)  # numeric cell
    return forms


def _cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(person=personnummer(), data=st.data())
def test_any_spelling_of_a_valid_personnummer_gives_the_same_pseudonym_and_no_raw_digits_on_disk(
    person, data
):
    twelve, year = person
    forms = data.draw(st.permutations(spellings_of(twelve)))
    # One row per spelling, each in its own month (a person appears once per snapshot).
    rows = "".join(
        f"2025-{m:02d}-01;{_cell(form)};U1;lärare;1;tillsvidare;ja\n"
        for m, form in enumerate(forms[:12], start=1)
    )
    header = "Mätdatum;Personnummer;Enhet_id;Befattning;Syssgrad;Anställningsform;Legitimation\n"
    conn = seeded_db()
    path = Path(store.scalar(conn, "SELECT path FROM duckdb_databases() WHERE NOT internal"))
    import_bytes(conn, (header + rows).encode(), "personal.csv", user="test")
    found = store.rows(
        conn,
        "SELECT DISTINCT employee_id, birth_year FROM current_staff WHERE day(snapshot_date) = 1",
    )
    assert found == [(pseudonym(twelve, KEY), year)]
    conn.close()
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for raw in (twelve, twelve[2:], twelve[2:8] + "-" + twelve[8:], twelve[:8] + "-" + twelve[8:]):
        assert raw.encode() not in stored
