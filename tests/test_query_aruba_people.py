"""Placing redundant staff before hiring (#15, item 10), on the small fixture.

Fixture: P08 (E1 assistant) notice 2025-02-01, placed 2025-05-01; P35 (L1 childminder)
notice 2025-10-01, never placed. R6 (L1 childminder) is open from 2025-09-15; R7 (E1
assistant) from 2025-03-01 to 2025-04-20. P34 is a fixed-term childminder in L1.
Extra hires imported here:
  2025-03-10 P91 assistant E1    -> P08 unplaced that day: flagged, external
  2025-06-01 P92 assistant E1    -> P08 placed on 2025-05-01: not flagged
  2025-11-03 P90 childminder L1  -> P35 unplaced: flagged, external
  2025-11-10 P34 childminder L1  -> P35 unplaced: flagged; fixed-term in the 2025-10-15
                                    snapshot, so an extension (counts as a new hire)
  2025-11-05 P93 teacher S1      -> no redundant teachers: not flagged
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kompetens import query as q
from kompetens.access.auth import Viewer
from kompetens.core import store
from kompetens.ingest import import_bytes
from tests.fixtures.small import load_small

ALL = q.Scope.everything()
HR = Viewer("hr@kommun.se", "hr", ALL)
LEADER = Viewer("ledning@kommun.se", "leadership", ALL)
AREA_MANAGER = Viewer("chef@kommun.se", "area_manager", q.Scope.for_areas("Norr"))

HIRES = (
    "event_date,employee_id,event_type,unit_id,to_unit_id,staff_category,employment_type,reason\n"
    "2025-03-10,P91,hire,E1,,assistant,permanent,\n"
    "2025-06-01,P92,hire,E1,,assistant,permanent,\n"
    "2025-11-03,P90,hire,L1,,childminder,fixed_term,\n"
    "2025-11-10,P34,hire,L1,,childminder,fixed_term,\n"
    "2025-11-05,P93,hire,S1,,teacher,permanent,\n"
)


@pytest.fixture(scope="module")
def conn():
    q.clear_cache()
    c = store.connect(":memory:")
    load_small(c)
    import_bytes(c, HIRES.encode("utf-8"), "nyanstallningar.csv", kind="events", user="test")
    yield c
    c.close()


def test_open_vacancies_are_posts_and_never_hidden(conn):
    # R6 is one open childminder post in October 2025: n = 0 (rests on nobody), so it shows
    rows = store.frame(
        conn,
        "SELECT DISTINCT n_individuals FROM key_figures "
        "WHERE indicator_id = 'open_vacancies_for_redundant'",
    )
    assert rows["n_individuals"].to_list() == [0]
    m = q.redundancy_matches(conn, ALL, "year", "2025")
    childminders = m.filter((pl.col("level") == "org") & (pl.col("category") == "childminder"))
    # P35 alone is hidden (1 person); the 1 post is shown
    assert childminders.select(
        "redundant_suppressed", "open_vacancies", "vacancies_suppressed"
    ).row(0) == (True, 1.0, False)


def test_hr_sees_the_unplaced_people_with_unit_category_and_notice_date(conn):
    people = q.redundant_people(conn, HR, "2025")  # October 2025: P35 only (P08 placed in May)
    assert people.select("unit_id", "area", "category", "notice_date").rows() == [
        ("L1", "Norr", "childminder", dt.date(2025, 10, 1))
    ]
    # the stored id: an employment number as here, or the keyed hash of a personnummer
    assert people["employee_id"].to_list() == ["P35"]
    march = q.redundant_people(conn, HR, "2025-03")  # P08 unplaced at the end of March
    assert march.select("unit_id", "category").rows() == [("E1", "assistant")]


def test_the_people_list_counts_what_the_key_figure_counts(conn):
    # redundant_staff_unplaced, organisation, unsuppressed: March 2025 = 1 (P08), Oct 2025 = 1 (P35)
    for period, period_type in (("2025-03", "month"), ("2025", "year")):
        stored = store.scalar(
            conn,
            "SELECT value FROM key_figures WHERE indicator_id = 'redundant_staff_unplaced' "
            "AND level = 'org' AND breakdown = 'all' AND period_type = ? AND period = ?",
            [period_type, period],
        )
        assert q.redundant_people(conn, HR, period).height == stored == 1


def test_hr_gets_the_match_per_area_and_category(conn):
    match = q.placement_match(conn, HR, "2025")
    # October 2025: P35 (L1 childminder, Norr) against R6 (L1 childminder, open): 1 placeable
    assert match.rows() == [
        ("org", None, "childminder", 1, 1, 1),
        ("area", "Norr", "childminder", 1, 1, 1),
    ]
    # March 2025: P08 (E1 assistant) against R7 (E1 assistant, open until 2025-04-20)
    assert q.placement_match(conn, HR, "2025-03").rows()[0] == ("org", None, "assistant", 1, 1, 1)


def test_hires_into_a_category_with_unplaced_redundant_staff_are_flagged_per_unit(conn):
    hires = q.hires_despite_redundancy(conn, HR, "2025")
    assert hires.select(
        "unit_id", "category", "hire_date", "hire_kind", "redundant_unplaced"
    ).rows() == [
        ("E1", "assistant", dt.date(2025, 3, 10), "external", 1),
        ("L1", "childminder", dt.date(2025, 11, 3), "external", 1),
        ("L1", "childminder", dt.date(2025, 11, 10), "extension", 1),
    ]
    assert q.hires_despite_redundancy(conn, HR, "2024").height == 0  # no redundancy in 2024


@pytest.mark.parametrize("viewer", [LEADER, AREA_MANAGER, object()])
def test_lists_of_people_are_for_hr_and_the_administrator_only(conn, viewer):
    for call in (
        lambda: q.redundant_people(conn, viewer, "2025"),
        lambda: q.placement_match(conn, viewer, "2025"),
        lambda: q.hires_despite_redundancy(conn, viewer, "2025"),
    ):
        with pytest.raises(q.ScopeError):
            call()


def test_an_administrator_may_see_them_too(conn):
    admin = Viewer("admin@kommun.se", "admin", ALL)
    assert q.redundant_people(conn, admin, "2025").height == 1


def _redundancy_tab(db, role: str):
    from kompetens.ui import aruba_view as view
    from tests.app_support import run_page

    at = run_page(db, "views/aruba.py", query_params={"ar": "2025"})
    at.selectbox(key="demo_roll").set_value(role).run()
    at.button_group(key="fas").set_value("avveckla").run()
    at.session_state["flik_avveckla"] = view.REDUNDANCY_TAB
    at.run()
    assert not at.exception
    return at


def test_the_aruba_page_gives_hr_the_match_and_the_list_of_people(small_db):
    from tests.app_support import texts

    at = _redundancy_tab(small_db, "hr")
    assert "För HR: övertaliga och öppna tjänster, oktober 2025" in texts(at)
    frames = [d.value for d in at.dataframe]
    # the counts for everyone first (suppressed: ".."), then HR's exact match
    counts, match = [f for f in frames if "Kan placeras nu" in f.columns]
    assert counts["Kan placeras nu"].tolist() == ["..", ".."]
    assert match["Nivå"].tolist() == ["Hela organisationen", "Norr"]
    assert match["Kan placeras nu"].tolist() == [1, 1]  # P35 against R6
    people = next(f for f in frames if "Varsel om övertalighet" in f.columns)
    assert people[["Enhet", "Personalkategori", "Varsel om övertalighet"]].values.tolist() == [
        ["Lärkans förskola", "Barnskötare", "2025-10-01"]
    ]


def test_the_aruba_page_shows_no_people_to_leadership(small_db):
    from tests.app_support import texts

    at = _redundancy_tab(small_db, "leadership")
    assert "För HR" not in texts(at)
    assert not [d for d in at.dataframe if "Varsel om övertalighet" in d.value.columns]
    assert len(at.dataframe) == 1  # the counts only
