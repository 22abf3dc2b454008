"""Resursfördelning on the small fixture with hand-computed allocations, in the leadership role.

Seeded allocation (``seed_allocation``), pots 1 000 000 kr (grundskola) and 200 000 kr
(förskola) both years, floor 100 as decided, no smoothing, no cap:

    unit                     pupils  index 2024  index 2025
    E1 Ekskolan (grundskola)    100        120         130
    S1 Söderskolan (grundsk.)   200        140         135
    L1 Lärkans förskola          50        110         105

Today 2025: weights E1 100 × 30 = 3 000, S1 200 × 35 = 7 000 (sum 10 000): E1 300 000,
S1 700 000; L1 is alone in its pot: 200 000. 2024: E1 2 000, S1 8 000: 200 000 and 800 000.
Floor 0 in 2025: E1 13 000, S1 27 000 (sum 40 000): E1 325 000 (+25 000), S1 675 000 (−25 000).
"""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from kompetens.core import store
from kompetens.ingest import import_bytes
from kompetens.query import clear_cache
from tests.app_support import run_page
from tests.app_support import texts as all_texts

PAGE = "views/resursfordelning.py"

FILES = {
    "pupil_count": (
        "unit_id;year;school_form;pupils\n"
        "E1;2024;grundskola;100\nS1;2024;grundskola;200\nL1;2024;forskola;50\n"
        "E1;2025;grundskola;100\nS1;2025;grundskola;200\nL1;2025;forskola;50\n"
    ),
    "socioeconomic_index": (
        "unit_id;year;index\nE1;2024;120\nS1;2024;140\nL1;2024;110\n"
        "E1;2025;130\nS1;2025;135\nL1;2025;105\n"
    ),
    "allocation_parameters": (
        "year;school_form;pot;floor\n2024;grundskola;1000000;100\n2024;forskola;200000;100\n"
        "2025;grundskola;1000000;100\n2025;forskola;200000;100\n"
    ),
}


def seed_allocation(conn) -> None:
    for kind, text in FILES.items():
        import_bytes(conn, text.encode(), f"{kind}.csv", kind=kind, user="test")


@pytest.fixture(scope="module")
def db(small_db, tmp_path_factory):
    target = tmp_path_factory.mktemp("alloc") / "alloc.duckdb"
    shutil.copy(small_db, target)
    conn = store.connect(target)
    seed_allocation(conn)
    conn.close()
    clear_cache()
    return target


def as_leadership(db):
    at = run_page(db)
    at.session_state["demo_roll"] = "leadership"
    at.run()
    at.switch_page(PAGE).run()
    return at


def table(at):
    for frame in at.dataframe:
        if "Scenario (kr)" in frame.value.columns:
            return frame.value
    raise AssertionError("no allocation table")


def column(at, name: str) -> dict[str, str]:
    frame = table(at)
    return dict(zip(frame["Enhet"], frame[name], strict=True))


NBSP = "\u00a0"


def texts(at) -> str:
    """The page's text as the reader sees it (without md_text's backslashes)."""
    return all_texts(at).replace("\\", "").replace("\u2060", "")


def test_the_page_opens_at_the_model_as_decided_with_todays_amounts(db):
    at = as_leadership(db)
    assert not at.exception
    assert at.slider(key="alloc_floor").value == 100
    assert column(at, "I dag (kr)") == {
        "Ekskolan": f"300{NBSP}000",
        "Söderskolan": f"700{NBSP}000",
        "Lärkans förskola": f"200{NBSP}000",
    }
    assert column(at, "Scenario (kr)") == column(at, "I dag (kr)")
    # per pupil: 300 000 / 100 = 3 000; 700 000 / 200 = 3 500; 200 000 / 50 = 4 000
    assert column(at, "Per elev i dag (kr)")["Söderskolan"] == f"3{NBSP}500"
    # yearly change per pupil 2024 -> 2025: E1 2 000 -> 3 000, S1 4 000 -> 3 500, L1 4 000 ->
    # 4 000: +1 000, -500, 0; mean 166,7; squared deviations 694 444 + 444 444 + 27 778 =
    # 1 166 667; / 2; sqrt = 763,8 -> 764 kr per pupil
    shown = texts(at)
    assert "764 kr per elev" in shown
    assert "Ingen enhet får mer." in shown


def test_moving_the_floor_to_zero_names_the_winner_and_the_loser(db):
    at = as_leadership(db)
    at.slider(key="alloc_floor").set_value(0).run()
    assert not at.exception
    assert column(at, "Scenario (kr)") == {
        "Söderskolan": f"675{NBSP}000",
        "Lärkans förskola": f"200{NBSP}000",
        "Ekskolan": f"325{NBSP}000",
    }
    assert column(at, "Skillnad (kr)") == {
        "Söderskolan": f"−25{NBSP}000",
        "Lärkans förskola": "0",
        "Ekskolan": f"+25{NBSP}000",
    }
    shown = texts(at)
    assert f"Vinner mest: Ekskolan (+25{NBSP}000 kr)." in shown
    assert f"Förlorar mest: Söderskolan (−25{NBSP}000 kr)." in shown
    # scenario 2024 floor 0: E1 12 000 / 40 000 -> 300 000 (3 000 per pupil), S1 700 000
    # (3 500); 2025 3 250 and 3 375; L1 4 000 both: changes +250, -125, 0; mean 41,7; squared
    # deviations 43 403 + 27 778 + 1 736 = 72 917; / 2; sqrt = 190,9 -> 191 kr per pupil
    assert "191 kr per elev" in shown


def test_a_ten_percent_cap_holds_ekskolan_and_soderskolan_takes_the_rest(db):
    at = as_leadership(db)
    at.slider(key="alloc_cap").set_value(10).run()
    assert not at.exception
    # E1 may rise at most to 220 000 (200 000 + 10 %); S1 takes 1 000 000 - 220 000 = 780 000
    # (-2,5 % from 800 000, inside its cap)
    assert column(at, "Scenario (kr)")["Ekskolan"] == f"220{NBSP}000"
    assert column(at, "Scenario (kr)")["Söderskolan"] == f"780{NBSP}000"


def test_a_principal_sees_only_their_unit_and_how_its_amount_was_calculated(db):
    at = run_page(db)
    at.session_state["demo_roll"] = "principal"
    at.session_state["demo_enhet"] = "E1"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert list(column(at, "I dag (kr)")) == ["Ekskolan"]
    shown = texts(at)
    assert "Söderskolan" not in shown
    # E1 2025: 100 pupils, index 130, floor 100: 30 above; weight 100 × 30 = 3 000 of 10 000
    # = 30 %; 1 000 000 × 30 % = 300 000 kr, 3 000 kr per pupil; 2024 it had 200 000: +50 %
    assert f"Vikt = elever × index över golvet = 100 × 30 = 3{NBSP}000." in shown
    assert f"enhetens andel är 3{NBSP}000 / 10{NBSP}000 = 30,00{NBSP}%" in shown
    assert f"Belopp: 300{NBSP}000 kr, 3{NBSP}000 kr per elev." in shown
    assert f"Förändring från året före: +100{NBSP}000 kr (+50,0{NBSP}%)." in shown


def test_a_saved_scenario_reopens_in_the_sliders_and_the_table(db):
    at = as_leadership(db)
    at.slider(key="alloc_floor").set_value(0).run()
    at.text_input(key="alloc_scenario_name").input("Golv noll")
    next(b for b in at.button if b.label == "Spara").click().run()
    assert not at.exception
    assert "Scenariot Golv noll är sparat." in texts(at)
    at.slider(key="alloc_floor").set_value(100).run()
    assert column(at, "Scenario (kr)")["Ekskolan"] == f"300{NBSP}000"
    at.selectbox(key="alloc_saved").select("Golv noll").run()
    assert not at.exception
    assert at.slider(key="alloc_floor").value == 0
    assert column(at, "Scenario (kr)")["Ekskolan"] == f"325{NBSP}000"


def test_a_floor_above_every_unit_says_how_much_of_the_pot_is_not_shared(db):
    at = as_leadership(db)
    at.slider(key="alloc_floor").set_value(200).run()
    assert not at.exception
    # every index (130, 135, 105) is below 200: the 1 000 000 kr and 200 000 kr pots stay unshared
    assert f"1{NBSP}200{NBSP}000 kr fördelas inte i scenariot" in texts(at)


def test_a_change_from_nothing_reads_as_a_dash_not_none():
    from kompetens.ui import allocation_view as av

    # A preschool below the floor both today and in the scenario: 0 kr, no change in percent.
    comparison = pl.DataFrame(
        {
            "unit_name": ["Lindåsens förskola"],
            "area": ["Område Nord"],
            "pupils": [90.0],
            "amount_today": [0.0],
            "amount_scenario": [0.0],
            "difference": [0.0],
            "difference_share": [None],
            "per_pupil_today": [0.0],
            "per_pupil_scenario": [0.0],
        },
        schema_overrides={"difference_share": pl.Float64},
    )
    row = av.screen_table(comparison).row(0)
    assert row[5] == "0" and row[6] == "–"
