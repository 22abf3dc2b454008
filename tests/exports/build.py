"""Write the realistic HR-system export files in this folder (run: ``uv run python tests/exports/build.py``).

Three staff exports, each in the style one HR system writes them — title lines
above the header, the system's own headers and codes, a totals row — plus, for
each, the same people in contract form (``*_kontrakt.csv``) and the mapping
profile that reads it (``*.toml``). Every personnummer is made up (a valid
check digit on an invented date and serial); no names are written.

- ``heroma_personal.csv``: Windows-1252, ``;``, "per 2025-10-31" in the title,
  Personnr / Anst.nr / Org.enhet / Organisationsenhet, AID-style job codes,
  employment codes TV / VIK / TIM, Syss.grad % as ``100,00``, a "Summa" row.
- ``personec_personal.xlsx``: the data on the second sheet under four title rows,
  Personnummer as a numeric cell (a person born 2001 loses the leading zero),
  SSYK 2012 job codes (the default table), employment codes 1 / 2 / 3, "Totalt" row.
- ``visma_personal.csv``: Windows-1252, ``;``, a print date and "anställda per
  2025-10-31" in the title, Visma's words for job and employment, "Antal anställda" row.
"""

from __future__ import annotations

import sys
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent.parent))

from kompetens.ingest.profiles import TITLE, Profile, write_profile_file  # noqa: E402
from kompetens.ingest.pseudonym import luhn_valid  # noqa: E402

SNAPSHOT = "2025-10-31"


def pnr(yyyymmdd: str, serial: str) -> str:
    """A made-up 12-digit personnummer with a valid check digit."""
    nine = yyyymmdd[2:] + serial
    return yyyymmdd + serial + next(str(c) for c in range(10) if luhn_valid(nine + str(c)))


# person: (personnummer, unit, category, fte, employment, licensed, qualified, gender, hire_date)
HEROMA = [
    (pnr("19780312", "234"), "41010", "teacher", 1.0, "permanent", True, "female"),
    (pnr("19850921", "456"), "41010", "teacher", 0.8, "fixed_term", False, "male"),
    (pnr("19920101", "112"), "41020", "preschool_teacher", 1.0, "permanent", True, "female"),
    (pnr("19990615", "778"), "41020", "childminder", 0.75, "hourly", False, "female"),
    (pnr("19700228", "331"), "41030", "principal", 1.0, "permanent", False, "male"),
    (pnr("19881130", "905"), "41030", "special_educator", 0.5, "permanent", True, "female"),
]
HEROMA_CODES = {
    "teacher": "LÄR-GR",
    "preschool_teacher": "FSKL",
    "childminder": "BSK",
    "principal": "REKT",
    "special_educator": "SPEC",
}
HEROMA_TITLES = {
    "teacher": "Lärare åk 4-6",
    "preschool_teacher": "Förskollärare",
    "childminder": "Barnskötare",
    "principal": "Rektor",
    "special_educator": "Specialpedagog",
}
HEROMA_EMPLOYMENT = {"permanent": "TV", "fixed_term": "VIK", "hourly": "TIM"}
GENDER = {"female": "K", "male": "M"}

PERSONEC = [
    (pnr("20010405", "321"), "5110", "assistant", 1.0, "fixed_term", False, "2024-08-12"),
    (pnr("19830817", "654"), "5110", "teacher", 1.0, "permanent", True, "2010-08-01"),
    (pnr("19760503", "210"), "5120", "teacher", 0.6, "permanent", True, "2001-01-15"),
    (pnr("19940228", "876"), "5120", "leisure_teacher", 1.0, "permanent", False, "2019-08-05"),
    (pnr("19870709", "543"), "5130", "preschool_teacher", 0.9, "fixed_term", True, "2023-01-09"),
    (pnr("19650101", "098"), "5130", "childminder", 1.0, "permanent", False, "1990-03-01"),
]
SSYK = {
    "assistant": "5312",
    "teacher": "2341",
    "leisure_teacher": "2342",
    "preschool_teacher": "2343",
    "childminder": "5311",
}
SSYK_NAME = {
    "assistant": "Elevassistenter m.fl.",
    "teacher": "Grundskollärare",
    "leisure_teacher": "Fritidspedagoger",
    "preschool_teacher": "Förskollärare",
    "childminder": "Barnskötare",
}
PERSONEC_EMPLOYMENT = {"permanent": "1", "fixed_term": "2", "hourly": "3"}

VISMA = [
    (pnr("19810114", "765"), "A12", "teacher", 1.0, "permanent", True),
    (pnr("19930330", "432"), "A12", "teacher", 0.5, "hourly", False),
    (pnr("19720808", "109"), "A14", "principal", 1.0, "permanent", False),
    (pnr("19960919", "287"), "A14", "assistant", 0.85, "fixed_term", False),
    (pnr("19790610", "654"), "A14", "other", 1.0, "permanent", False),
    (pnr("19890202", "321"), "A16", "preschool_teacher", 1.0, "permanent", True),
]
VISMA_JOBS = {
    "teacher": "Grundskollärare",
    "principal": "Rektor",
    "assistant": "Elevassistent",
    "other": "Skoladministratör",
    "preschool_teacher": "Förskollärare",
}
VISMA_EMPLOYMENT = {
    "permanent": "Tillsvidare",
    "fixed_term": "Vikariat",
    "hourly": "Timanställning",
}

UNITS = [
    ("41010", "Åkerskolan", "Norra området", "grundskola"),
    ("41020", "Ängens förskola", "Norra området", "forskola"),
    ("41030", "Östra skolan", "Norra området", "grundskola"),
    ("5110", "Björkskolan", "Södra området", "grundskola"),
    ("5120", "Lindskolan", "Södra området", "grundskola"),
    ("5130", "Granens förskola", "Södra området", "forskola"),
    ("A12", "Sjöskolan", "Västra området", "grundskola"),
    ("A14", "Bergsskolan", "Västra området", "grundskola"),
    ("A16", "Tallens förskola", "Västra området", "forskola"),
]

CONTRACT_HEAD = (
    "snapshot_date;employee_id;unit_id;staff_category;fte;employment_type;licensed;"
    "birth_year;gender;hire_date\n"
)


def _yes(value: bool, yes: str = "Ja", no: str = "Nej") -> str:
    return yes if value else no


def _fte(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def contract_rows(people, with_gender=False, with_hire=False) -> str:
    out = CONTRACT_HEAD
    for person in people:
        number, unit, category, fte, employment, licensed = person[:6]
        gender = person[6] if with_gender else ""
        hire = person[6] if with_hire else ""
        out += (
            f"{SNAPSHOT};{number};{unit};{category};{_fte(fte)};{employment};"
            f"{_yes(licensed)};{number[:4]};{gender};{hire}\n"
        )
    return out


def heroma() -> None:
    lines = [
        "Personalrapport Heroma - Aktiva anställningar;;;;;;;;;",
        "Exempelkommun, Utbildningsförvaltningen;;;;;;;;;",
        f"per {SNAPSHOT};;;;;;;;;",
        ";;;;;;;;;",
        "Personnr;Anst.nr;Org.enhet;Organisationsenhet;Befattningsbenämning;AID;Syss.grad %;"
        "Anst.form;Legitimation (J/N);Kön",
    ]
    names = {u[0]: u[1] for u in UNITS}
    for i, (number, unit, category, fte, employment, licensed, gender) in enumerate(HEROMA):
        lines.append(
            f"{number[:8]}-{number[8:]};{100231 + i};{unit};{names[unit]};{HEROMA_TITLES[category]};"
            f"{HEROMA_CODES[category]};{_fte(fte * 100)};{HEROMA_EMPLOYMENT[employment]};"
            f"{_yes(licensed, 'J', 'N')};{GENDER[gender]}"
        )
    total = sum(p[3] for p in HEROMA) * 100
    lines.append(f"Summa;{len(HEROMA)};;;;;{_fte(total)};;;")
    (HERE / "heroma_personal.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    (HERE / "heroma_kontrakt.csv").write_text(contract_rows(HEROMA, with_gender=True), "utf-8")


def personec() -> None:
    book = xlsxwriter.Workbook(HERE / "personec_personal.xlsx")
    info = book.add_worksheet("Urval")
    info.write_row(0, 0, ["Rapport", "Anställda med befattning"])
    info.write_row(1, 0, ["Urval", "Förvaltning 51 Utbildning"])
    sheet = book.add_worksheet("Anställda")
    sheet.write(0, 0, "Personec P – Anställda med befattning")
    sheet.write(1, 0, f"Avser: per {SNAPSHOT}")
    sheet.write(2, 0, "Förvaltning: Utbildning")
    header = [
        "Personnummer",
        "Anställningsnummer",
        "Kostnadsställe",
        "Kostnadsställe namn",
        "Befattningskod",
        "Befattning",
        "Omf.",
        "Anställningsform kod",
        "Lärarleg.",
        "Anställd fr.o.m.",
    ]
    sheet.write_row(4, 0, header)
    names = {u[0]: u[1] for u in UNITS}
    for r, (number, unit, category, fte, employment, licensed, hired) in enumerate(PERSONEC):
        row = 5 + r
        sheet.write_number(row, 0, int(number[2:]) if number.startswith("20") else int(number))
        sheet.write_number(row, 1, 7001 + r)
        sheet.write_string(row, 2, unit)
        sheet.write_string(row, 3, names[unit])
        sheet.write_number(row, 4, int(SSYK[category]))
        sheet.write_string(row, 5, SSYK_NAME[category])
        sheet.write_number(row, 6, round(fte * 100, 2))
        sheet.write_number(row, 7, int(PERSONEC_EMPLOYMENT[employment]))
        sheet.write_string(row, 8, _yes(licensed))
        sheet.write_string(row, 9, hired)
    total_row = 5 + len(PERSONEC)
    sheet.write_string(total_row, 0, "Totalt")
    sheet.write_number(total_row, 6, round(sum(p[3] for p in PERSONEC) * 100, 2))
    book.close()
    (HERE / "personec_kontrakt.csv").write_text(contract_rows(PERSONEC, with_hire=True), "utf-8")


def visma() -> None:
    lines = [
        "Visma HRM - Personalförteckning",
        "Utskriftsdatum: 2025-11-03",
        f"Urval: anställda per {SNAPSHOT}, förvaltning Utbildning",
        "",
        "Anställningsnr;Personnummer;Avdelning;Avdelningsnamn;Yrke;Tjänstgöringsgrad;"
        "Anställningsform;Legitimerad",
    ]
    names = {u[0]: u[1] for u in UNITS}
    for i, (number, unit, category, fte, employment, licensed) in enumerate(VISMA):
        lines.append(
            f"{3300 + i};{number[2:8]}-{number[8:]};{unit};{names[unit]};{VISMA_JOBS[category]};"
            f"{round(fte * 100)} %;{VISMA_EMPLOYMENT[employment]};{_yes(licensed)}"
        )
    lines.append(f"Antal anställda: {len(VISMA)};;;;;;;")
    (HERE / "visma_personal.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    (HERE / "visma_kontrakt.csv").write_text(contract_rows(VISMA), "utf-8")


def units() -> None:
    text = "unit_id;unit_name;area;school_form\n" + "".join(";".join(u) + "\n" for u in UNITS)
    (HERE / "enheter.csv").write_text(text, "utf-8")


def profiles() -> None:
    """The mapping profile for each export, as a municipality would save it."""
    heroma_profile = Profile(
        name="Heroma personal – månadsuttag",
        kind="staff",
        description="Heroma, rapporten Aktiva anställningar; mätdatum från titelraden.",
        headers=[
            "Personnr",
            "Anst.nr",
            "Org.enhet",
            "Organisationsenhet",
            "Befattningsbenämning",
            "AID",
            "Syss.grad %",
            "Anst.form",
            "Legitimation (J/N)",
            "Kön",
        ],  # fmt: skip
        columns={
            "Personnr": "employee_id",
            "Anst.nr": "",
            "Org.enhet": "unit_id",
            "Organisationsenhet": "",
            "Befattningsbenämning": "",
            "AID": "staff_category",
            "Syss.grad %": "fte",
            "Anst.form": "employment_type",
            "Legitimation (J/N)": "licensed",
            "Kön": "gender",
        },
        values={
            "staff_category": {code: category for category, code in HEROMA_CODES.items()},
            "employment_type": {code: kind for kind, code in HEROMA_EMPLOYMENT.items()},
        },
        constants={"snapshot_date": TITLE},
    )
    personec_profile = Profile(
        name="Personec P anställda",
        kind="staff",
        description="Personec P, Anställda med befattning; SSYK-koder enligt standardtabellen.",
        headers=[
            "Personnummer",
            "Anställningsnummer",
            "Kostnadsställe",
            "Kostnadsställe namn",
            "Befattningskod",
            "Befattning",
            "Omf.",
            "Anställningsform kod",
            "Lärarleg.",
            "Anställd fr.o.m.",
        ],  # fmt: skip
        columns={
            "Personnummer": "employee_id",
            "Anställningsnummer": "",
            "Kostnadsställe": "unit_id",
            "Kostnadsställe namn": "",
            "Befattningskod": "staff_category",
            "Befattning": "",
            "Omf.": "fte",
            "Anställningsform kod": "employment_type",
            "Lärarleg.": "licensed",
            "Anställd fr.o.m.": "hire_date",
        },
        values={"employment_type": {code: kind for kind, code in PERSONEC_EMPLOYMENT.items()}},
        constants={"snapshot_date": TITLE},
    )
    visma_profile = Profile(
        name="Visma personalförteckning",
        kind="staff",
        description="Visma HRM, Personalförteckning; mätdatum ur urvalsraden.",
        headers=[
            "Anställningsnr",
            "Personnummer",
            "Avdelning",
            "Avdelningsnamn",
            "Yrke",
            "Tjänstgöringsgrad",
            "Anställningsform",
            "Legitimerad",
        ],  # fmt: skip
        columns={
            "Anställningsnr": "",
            "Personnummer": "employee_id",
            "Avdelning": "unit_id",
            "Avdelningsnamn": "",
            "Yrke": "staff_category",
        },
        values={
            "staff_category": {job: category for category, job in VISMA_JOBS.items()},
            "employment_type": {"Timanställning": "hourly"},
        },
        constants={"snapshot_date": TITLE},
    )
    write_profile_file(heroma_profile, HERE / "heroma.toml")
    write_profile_file(personec_profile, HERE / "personec.json")
    write_profile_file(visma_profile, HERE / "visma.toml")


if __name__ == "__main__":
    profiles()
    units()
    heroma()
    personec()
    visma()
