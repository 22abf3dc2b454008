"""The demo roles start where there is something to look at, not on a central unit without teachers."""

from __future__ import annotations

from kompetens.access import auth
from kompetens.core import store
from kompetens.ingest import import_bytes

UNITS = (
    "unit_id;unit_name;area;school_form\n"
    "C1;Centrala elevhälsan;Central förvaltning;central\n"  # sorts first, has no teachers
    "L1;Lärkans förskola;Norr;förskola\n"
    "E1;Ekskolan;Norr;grundskola\n"
).encode()


def test_the_demo_principal_and_area_manager_start_on_schools_not_on_central_units(tmp_path):
    conn = store.connect(tmp_path / "roles.duckdb")
    import_bytes(conn, UNITS, "enheter.csv", kind="units", user="test")
    # Listed by area, then name: Central förvaltning/C1 first, then Norr: Ekskolan, Lärkans förskola.
    assert auth.known_units(conn)["unit_id"].to_list() == ["C1", "E1", "L1"]
    assert auth.units_with_schools(conn) == ["E1", "L1"]
    assert auth.areas_with_schools(conn) == ["Norr"]
