"""A small database with teaching assignments for the subject view's page and browser tests.

Three schools (Almskolan A1 and Aspskolan A2 in Norr, Björkskolan B1 in Syd), twelve teachers
each, one snapshot (2025-10-15). Per school: teachers 1-6 teach mathematics in years 7-9 (6 h
each) and English in years 7-9 (2 h each), teachers 7-12 Swedish in years 4-6 (8 h each);
the first ``q`` of each group are qualified:

============  ========  ========  ========
school        MA 7-9    SV 4-6    EN 7-9
============  ========  ========  ========
A1            2 of 6    6 of 6    6 of 6
A2            4 of 6    3 of 6    6 of 6
B1            6 of 6    5 of 6    1 of 6
============  ========  ========  ========

Gaps in hours: A1 MA 36 - 12 = 24; A2 SV 48 - 24 = 24, A2 MA 36 - 24 = 12; B1 EN 12 - 2 = 10,
B1 SV 48 - 40 = 8; the rest 0. Each cell rests on six teachers. At A1 only, teachers 7-9 also
teach mathematics in years 4-6 (2 h each, unqualified): that cell rests on three teachers
(hidden), and A1's mathematics over all grades is then 42 h with a gap of 30 h.
"""

from __future__ import annotations

import os
from pathlib import Path

from kompetens.core import store
from kompetens.ingest import import_bytes

UNITS_CSV = (
    "Enhetskod;Enhetsnamn;Område;Skolform\n"
    "A1;Almskolan;Norr;Grundskola\nA2;Aspskolan;Norr;Grundskola\n"
    "B1;Björkskolan;Syd;Grundskola\n"
)
#: unit -> qualified teachers in (MA 7-9, SV 4-6, EN 7-9), six teachers each
QUALIFIED = {"A1": (2, 6, 6), "A2": (4, 3, 6), "B1": (6, 5, 1)}


def staff_csv() -> str:
    lines = [
        "Mätdatum;Anställningsid;Enhetskod;Befattning;Sysselsättningsgrad;Anställningsform;"
        "Legitimation;Behörig;Födelseår"
    ]
    for unit in QUALIFIED:
        for k in range(1, 13):
            lines.append(f"2025-10-15;{unit}-{k};{unit};lärare;100;tillsvidare;ja;ja;1980")
    return "\n".join(lines) + "\n"


def assignments_csv() -> str:
    lines = ["Mätdatum;Anställningsid;Enhetskod;Ämne;Årskurser;Undervisningstimmar;Behörig i ämnet"]

    def add(unit, k, subject, grades, hours, qualified):
        yes = "Ja" if qualified else "Nej"
        lines.append(f"2025-10-15;{unit}-{k};{unit};{subject};{grades};{hours};{yes}")

    for unit, (q_ma, q_sv, q_en) in QUALIFIED.items():
        for k in range(1, 7):
            add(unit, k, "MA", "7-9", 6, k <= q_ma)
            add(unit, k, "EN", "7-9", 2, k <= q_en)
        for k in range(7, 13):
            add(unit, k, "SV", "4-6", 8, k - 6 <= q_sv)
    for k in (7, 8, 9):
        add("A1", k, "MA", "4-6", 2, False)
    return "\n".join(lines) + "\n"


def build_subject_db(path: Path) -> Path:
    """Import the fixture's units, staff and assignments into a new database at ``path``."""
    os.environ.setdefault("KOMPETENS_PSEUDONYM_KEY", "test-key-not-secret")
    conn = store.connect(path)
    try:
        for name, text in (
            ("enheter.csv", UNITS_CSV),
            ("personal.csv", staff_csv()),
            ("uppdrag.csv", assignments_csv()),
        ):
            import_bytes(conn, text.encode("utf-8"), name, user="test")
    finally:
        conn.close()
    return path
