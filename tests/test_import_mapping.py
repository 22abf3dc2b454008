"""The mapping step's suggestions (ingest.mapping) on the three realistic exports in tests/exports/."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_fixtures import isolate_importer_from_hooks  # noqa: F401 (autouse fixture)

from kompetens.core import store
from kompetens.ingest import import_bytes, import_file
from kompetens.ingest.mapping import draft, unknown_values
from kompetens.ingest.profiles import TITLE, save_profile

EXPORTS = Path(__file__).parent / "exports"
UNIT_IDS = ["41010", "41020", "41030", "5110", "5120", "5130", "A12", "A14", "A16"]


def suggestions(file: str) -> dict[str, tuple[str, str]]:
    found = draft((EXPORTS / file).read_bytes(), file, "staff", UNIT_IDS)
    return {s.header: (s.column, s.reason) for s in found.suggestions}


def test_the_heroma_headers_are_suggested_from_aliases_and_the_second_id_column_is_ignored():
    got = suggestions("heroma_personal.csv")
    assert got["Personnr"] == ("employee_id", "rubriken känns igen")
    assert got["Anst.nr"] == ("", "ett annat id; personnumret används")
    assert got["Org.enhet"][0] == "unit_id"
    assert got["Syss.grad %"][0] == "fte"
    assert got["Legitimation (J/N)"][0] == "licensed"


def test_personec_job_codes_from_the_default_table_win_over_the_job_title_column():
    got = suggestions("personec_personal.xlsx")
    assert got["Befattningskod"] == ("staff_category", "värdena är yrkeskoder (SSYK 2012)")
    assert got["Befattning"][0] == ""
    assert got["Kostnadsställe"] == ("unit_id", "värdena är enhets-id som finns i enhetsfilen")


def test_visma_columns_are_suggested_from_their_values_and_the_personnummer_beats_the_employee_number():
    got = suggestions("visma_personal.csv")
    assert got["Personnummer"][0] == "employee_id"
    assert got["Anställningsnr"][0] == ""
    assert got["Yrke"] == ("staff_category", "flera av värdena är kända koder")


def test_sample_values_never_show_a_personnummer_in_full():
    for file in ("heroma_personal.csv", "personec_personal.xlsx", "visma_personal.csv"):
        found = draft((EXPORTS / file).read_bytes(), file, "staff", UNIT_IDS)
        ids = next(s for s in found.suggestions if s.column == "employee_id")
        assert ids.samples and all(v.endswith("****") for v in ids.samples)


def test_the_draft_takes_the_snapshot_date_from_the_title_and_lists_unknown_codes_with_suggestions():
    data = (EXPORTS / "heroma_personal.csv").read_bytes()
    found = draft(data, "heroma_personal.csv", "staff", UNIT_IDS)
    assert (found.header_line, found.title_date, found.missing) == (
        5,
        "2025-10-31",
        ["snapshot_date"],
    )
    profile = found.profile("Heroma", columns={**found.profile("x").columns, "AID": "staff_category",
                                               "Befattningsbenämning": ""})  # fmt: skip
    assert profile.constants == {"snapshot_date": TITLE}
    unknown = {
        (u.column, u.value): (u.rows, u.suggestion) for u in unknown_values(data, "h.csv", profile)
    }
    # 6 rows: TV on 4, VIK on 1, TIM on 1 (LÄR-GR 2 rows, FSKL, BSK, REKT, SPEC 1 each)
    assert unknown[("employment_type", "TV")] == (4, None)
    assert unknown[("employment_type", "TIM")] == (1, "hourly")
    assert unknown[("staff_category", "LÄR-GR")][0] == 2


def test_a_profile_saved_from_the_draft_imports_the_file_found_by_its_signature(tmp_path):
    conn = store.connect(tmp_path / "k.duckdb")
    import_file(conn, EXPORTS / "enheter.csv", user="test")
    data = (EXPORTS / "visma_personal.csv").read_bytes()
    found = draft(data, "visma_personal.csv", "staff", UNIT_IDS)
    values = {
        "staff_category": {"Grundskollärare": "teacher", "Skoladministratör": "other"},
        "employment_type": {"Timanställning": "hourly"},
    }
    save_profile(conn, found.profile("Visma från utkast", values=values), "hr@exempel.se")
    result = import_bytes(conn, data, "visma_personal.csv", user="test")
    assert result.rows_written == 6
    assert "Profilen 'Visma från utkast' valdes automatiskt" in result.warnings[0]


@pytest.mark.parametrize("kind", ["events", "units"])
def test_a_draft_for_another_kind_suggests_only_that_kinds_columns(kind):
    from kompetens.core.contract import KINDS

    found = draft((EXPORTS / "visma_personal.csv").read_bytes(), "v.csv", kind, UNIT_IDS)
    assert {s.column for s in found.suggestions} <= {"", *KINDS[kind].column_names}


# ---- the default job-code table (kompetens/ingest/job_codes.py) ----------------------------------


def test_the_default_job_code_table_maps_the_checked_ssyk_2012_school_groups_and_nothing_else():
    from kompetens.ingest.job_codes import SSYK_2012, default_job_codes

    # SSYK 2012 (SCB, MIS 2012:1): 2342 is Fritidspedagoger and 2343 Förskollärare, not the
    # other way round; AID etiketter and local codes are left to the profile.
    assert default_job_codes() == {
        "2320": "teacher",
        "2330": "teacher",
        "2341": "teacher",
        "2342": "leisure_teacher",
        "2343": "preschool_teacher",
        "2351": "special_educator",
        "5311": "childminder",
        "5312": "assistant",
    }
    assert SSYK_2012["2342"][1] == "Fritidspedagoger"
    assert SSYK_2012["2343"][1] == "Förskollärare"
    assert SSYK_2012["5312"][1] == "Elevassistenter m.fl."


def test_a_profiles_own_job_code_wins_over_the_default_table_and_extends_it():
    from import_fixtures import seeded_db

    from kompetens.ingest.profiles import Profile

    conn = seeded_db()
    text = (
        "Mätdatum;Anst-id;Enhet;Befkod;Syssgrad;Anställningsform;Legitimation\n"
        "2025-10-31;E1;U1;2343;1;tillsvidare;ja\n"  # the default table: preschool teacher
        "2025-10-31;E2;U1;2342;1;tillsvidare;nej\n"  # the profile says: assistant
        "2025-10-31;E3;U1;LÄR-GR;1;tillsvidare;ja\n"  # a local code, only in the profile
    )
    profile = Profile(
        name="lokala koder",
        kind="staff",
        columns={"Anst-id": "employee_id", "Befkod": "staff_category", "Enhet": "unit_id"},
        values={"staff_category": {"2342": "assistant", "LÄR-GR": "teacher"}},
        constants={"birth_year": "1980"},
    )
    import_bytes(conn, text.encode(), "p.csv", profile=profile, user="t")
    got = store.rows(
        conn,
        "SELECT employee_id, staff_category FROM current_staff "
        "WHERE snapshot_date = '2025-10-31' ORDER BY employee_id",
    )
    assert got == [("E1", "preschool_teacher"), ("E2", "assistant"), ("E3", "teacher")]
