"""Realistic HR-system exports (tests/exports/, written by ``tests/exports/build.py``).

Each export — Heroma-style CSV, Personec P-style XLSX, Visma-style CSV — has title
lines, the system's own headers and codes and a totals row. Each
- is refused without a profile, with a message that says what is missing and how to map it;
- imports through the CLI with ``--profile`` after ``kompetens profiles import``;
- gives exactly the rows that the same people in contract form give (``*_kontrakt.csv``);
- is found again by its header signature the next month, without ``--profile``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from import_fixtures import database_contents, isolate_importer_from_hooks  # noqa: F401
from typer.testing import CliRunner

from kompetens.cli import app
from kompetens.core import store
from kompetens.ingest import ImportRejected, import_file
from kompetens.ingest.profiles import (
    Profile,
    load_profile,
    read_profile_file,
    save_profile,
    title_date,
    to_toml,
)

EXPORTS = Path(__file__).parent / "exports"
UNITS = EXPORTS / "enheter.csv"

CASES = [
    # export, profile file, profile name, contract file, what the refusal names
    (
        "heroma_personal.csv",
        "heroma.toml",
        "Heroma personal – månadsuttag",
        "heroma_kontrakt.csv",
        "kolumnen 'unit_id' finns flera gånger ('Org.enhet', 'Organisationsenhet')",
    ),
    (
        "personec_personal.xlsx",
        "personec.json",
        "Personec P anställda",
        "personec_kontrakt.csv",
        "den obligatoriska kolumnen 'snapshot_date' (Mätdatum) saknas",
    ),
    (
        "visma_personal.csv",
        "visma.toml",
        "Visma personalförteckning",
        "visma_kontrakt.csv",
        "den obligatoriska kolumnen 'unit_id' (Enhets-id) saknas",
    ),
]
IDS = ["heroma", "personec", "visma"]


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def staff(db: Path) -> list[tuple]:
    conn = store.connect(db)
    try:
        return store.rows(conn, "SELECT * FROM current_staff ORDER BY employee_id")
    finally:
        conn.close()


@pytest.mark.parametrize(("export", "profile", "name", "contract", "refusal"), CASES, ids=IDS)
def test_an_export_without_a_profile_is_refused_saying_what_is_missing_and_how_to_map_it(
    tmp_path, export, profile, name, contract, refusal
):
    conn = store.connect(tmp_path / "k.duckdb")
    import_file(conn, UNITS, user="test")
    before = database_contents(conn)
    with pytest.raises(ImportRejected) as caught:
        import_file(conn, EXPORTS / export, user="test")
    messages = [i.message for i in caught.value.issues]
    assert any(refusal in m for m in messages), messages
    assert messages[-1].startswith(
        "Ser filen ut som en export från ett HR-system? Mappa kolumnerna"
    )
    assert messages[-1].endswith(
        "Titelraden nämner datumet 2025-10-31, som profilen kan använda som mätdatum"
    )
    assert database_contents(conn) == before


@pytest.mark.parametrize(("export", "profile", "name", "contract", "refusal"), CASES, ids=IDS)
def test_an_export_imported_through_its_profile_on_the_cli_equals_the_same_data_in_contract_form(
    tmp_path, export, profile, name, contract, refusal
):
    via_profile, via_contract = tmp_path / "profil.duckdb", tmp_path / "kontrakt.duckdb"
    for db in (via_profile, via_contract):
        cli("import", str(UNITS), "--db", str(db))
    said = cli("profiles", "import", str(EXPORTS / profile), "--db", str(via_profile))
    assert f"Profilen '{name}' sparades som version 1 (staff)." in said
    said = cli("import", str(EXPORTS / export), "--profile", name, "--db", str(via_profile))
    assert "6 rader importerade" in said
    assert "Mätdatum 2025-10-31 togs från titelraden." in said
    assert "är en summeringsrad och har hoppats över" in said
    cli("import", str(EXPORTS / contract), "--db", str(via_contract))
    rows = staff(via_profile)
    assert len(rows) == 6
    assert rows == staff(via_contract)  # same pseudonyms, categories, FTE, birth years …
    assert all(r[1].startswith("p_") for r in rows)  # no personnummer stored


@pytest.mark.parametrize(
    ("export", "profile", "name"),
    [(c[0], c[1], c[2]) for c in CASES if c[0].endswith(".csv")],
    ids=["heroma", "visma"],
)
def test_next_months_export_is_recognised_by_its_headers_and_imports_without_naming_the_profile(
    tmp_path, export, profile, name
):
    db = tmp_path / "k.duckdb"
    cli("import", str(UNITS), "--db", str(db))
    cli("profiles", "import", str(EXPORTS / profile), "--db", str(db))
    text = (EXPORTS / export).read_bytes().replace(b"per 2025-10-31", b"per 2025-11-30")
    november = tmp_path / f"november_{export}"
    november.write_bytes(text)
    said = cli("import", str(november), "--db", str(db))
    assert f"Profilen '{name}' valdes automatiskt: filens rubriker stämmer med den." in said
    dates = [r[0] for r in staff(db)]
    assert {str(d) for d in dates} == {"2025-11-30"}


def test_profiles_are_versioned_listed_shown_and_exported_as_toml_or_json(tmp_path):
    db = tmp_path / "k.duckdb"
    cli("import", str(UNITS), "--db", str(db))
    cli("profiles", "import", str(EXPORTS / "visma.toml"), "--db", str(db))
    second = cli("profiles", "import", str(EXPORTS / "visma.toml"), "--db", str(db))
    assert "sparades som version 2" in second
    conn = store.connect(db)
    try:  # every saved version is in the audit log
        logged = store.rows(
            conn,
            "SELECT action, target FROM audit_events WHERE action = 'profile_saved' ORDER BY occurred_at",
        )
    finally:
        conn.close()
    assert logged == [("profile_saved", "Visma personalförteckning")] * 2
    listing = cli("profiles", "list", "--db", str(db))
    assert "Visma personalförteckning" in listing and "cli:" in listing
    shown = cli("profiles", "show", "Visma personalförteckning", "--db", str(db))
    assert '"Yrke" = "staff_category"' in shown
    for suffix in (".toml", ".json"):
        out = tmp_path / f"delad{suffix}"
        cli("profiles", "export", "Visma personalförteckning", "--out", str(out), "--db", str(db))
        assert read_profile_file(out) == read_profile_file(EXPORTS / "visma.toml")


def test_saving_a_profile_keeps_every_version_with_who_saved_it(tmp_path):
    conn = store.connect(tmp_path / "k.duckdb")
    first = save_profile(conn, read_profile_file(EXPORTS / "visma.toml"), "hr@exempel.se")
    changed = Profile.from_dict({**first.to_dict(), "description": "ändrad"})
    second = save_profile(conn, changed, "annan@exempel.se")
    assert (first.version, second.version) == (1, 2)
    assert load_profile(conn, first.name).description == "ändrad"
    assert load_profile(conn, first.name, 1).description == first.description
    who = store.rows(conn, "SELECT version, saved_by FROM import_profiles ORDER BY version")
    assert who == [(1, "hr@exempel.se"), (2, "annan@exempel.se")]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "x", "kind": "personal"}, "okänd filtyp 'personal'"),
        ({"name": "x", "kind": "staff", "columns": {"Yrke": "yrke"}}, "pekar på 'yrke'"),
        (
            {"name": "x", "kind": "staff", "values": {"staff_category": {"Lärare": "larare"}}},
            "staff_category kan inte bli larare",
        ),
        ({"name": "x", "kind": "staff", "colums": {}}, "okända fält i profilen: colums"),
        (
            {
                "name": "x",
                "kind": "staff",
                "columns": {"AID": "staff_category", "Befattning": "staff_category"},
            },
            "både 'AID' och 'Befattning' pekar på staff_category",
        ),
    ],
    ids=["unknown kind", "unknown column", "unknown code", "misspelt field", "one field twice"],
)
def test_a_profile_naming_something_unknown_is_refused(body, fragment):
    from kompetens.ingest.profiles import ProfileError

    with pytest.raises(ProfileError, match=fragment):
        Profile.from_dict(body)


def test_an_unknown_profile_name_on_the_cli_is_refused_naming_the_saved_ones(tmp_path):
    db = tmp_path / "k.duckdb"
    cli("import", str(UNITS), "--db", str(db))
    cli("profiles", "import", str(EXPORTS / "visma.toml"), "--db", str(db))
    result = CliRunner().invoke(
        app, ["import", str(EXPORTS / "visma_personal.csv"), "--profile", "Vsma", "--db", str(db)]
    )
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "profilen 'Vsma' finns inte (sparade profiler: 'Visma personalförteckning')" in said


def test_the_title_date_prefers_the_date_after_per_over_a_print_date():
    assert title_date(["Utskriftsdatum: 2025-11-03", "anställda per 2025-10-31"]) == "2025-10-31"
    assert title_date(["Personalrapport 20251031"]) == "2025-10-31"
    assert title_date(["Personalrapport"]) is None


def test_a_profile_round_trips_through_toml():
    import tomllib

    original = read_profile_file(EXPORTS / "heroma.toml")
    assert Profile.from_dict(tomllib.loads(to_toml(original))) == original
