"""The demo's annual wheel: every area's rounds for this term and the next, and this term's
dialogues held inside the area's first round (on the seed units: Norra området and Södra
området, two schools each)."""

from __future__ import annotations

import datetime as dt

from kompetens.demo.annual_wheel import load_demo_annual_wheel
from kompetens.query import Scope
from kompetens.query import annual_wheel as wheel
from kompetens.query import dialogue_rounds as rounds
from tests.import_fixtures import seeded_db

TODAY = dt.date(2026, 11, 30)
D = dt.date


def test_every_area_gets_two_fortnight_rounds_a_term_a_week_apart():
    conn = seeded_db()
    written = load_demo_annual_wheel(conn, today=TODAY)
    assert written["rounds"] == 8  # 2 areas x 2 terms (HT2026, VT2027) x 2 rounds
    now = rounds.current_rounds(conn, Scope.everything(), terms=["HT2026"])
    assert now.select("area", "start_date", "end_date").rows() == [
        ("Norra området", D(2026, 9, 8), D(2026, 9, 19)),
        ("Södra området", D(2026, 9, 15), D(2026, 9, 26)),  # a week later
        ("Norra området", D(2026, 11, 10), D(2026, 11, 21)),
        ("Södra området", D(2026, 11, 17), D(2026, 11, 28)),
    ]
    spring = rounds.current_rounds(conn, Scope.everything(), area="Norra området", terms=["VT2027"])
    assert spring["start_date"].to_list() == [D(2027, 2, 9), D(2027, 5, 4)]


def test_demo_dialogues_are_held_in_the_areas_first_round_and_written_only_once():
    conn = seeded_db()
    written = load_demo_annual_wheel(conn, today=TODAY)
    status = wheel.dialogue_status(conn, Scope.everything(), "HT2026").filter("had_dialogue")
    assert status.height == written["dialogues"]
    first_round = {
        "Norra området": (D(2026, 9, 8), D(2026, 9, 19)),
        "Södra området": (D(2026, 9, 15), D(2026, 9, 26)),
    }
    for row in status.iter_rows(named=True):
        start, end = first_round[row["area"]]
        assert start <= row["last_dialogue"] <= end
    again = load_demo_annual_wheel(conn, today=TODAY)
    assert again["dialogues"] == 0  # the database has dialogues now
    # Saving the rounds in force again is no new change: still one per area and term, 2 x 2 = 4.
    assert rounds.round_changes(conn, Scope.everything()).height == 4
