"""Common themes: the shared list, tagging dialogues, counting units per theme, area and term, scope."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from kompetens import query
from kompetens.access import audit
from kompetens.core import store
from kompetens.core import themes as theme_store
from kompetens.dialogue import dialogues
from kompetens.dialogue import themes as tagging
from kompetens.query import themes as theme_query

EVERYTHING = query.Scope.everything()
SYD = query.Scope.for_areas("Syd")
PRINCIPAL_S1 = query.Scope.for_units(["S1"], ["Syd"])
SPECIAL = 2  # "Rekrytering av speciallärare": the second default theme
HEALTH = 5  # "Elevhälsa"
HT_2026 = dt.date(2026, 7, 1)
VT_2026 = dt.date(2026, 1, 1)


@pytest.fixture
def conn():
    connection = store.connect(":memory:")
    units = pl.DataFrame(
        {
            "unit_id": ["S1", "S2", "S3", "S4", "S5", "S6", "N1", "N2"],
            "unit_name": [
                "Ekskolan",
                "Granskolan",
                "Björkskolan",
                "Lindskolan",
                "Almskolan",
                "Askskolan",
                "Norrskolan",
                "Fjällskolan",
            ],
            "area": ["Syd"] * 6 + ["Norr"] * 2,
            "school_form": ["grundskola"] * 8,
        }
    )
    store.append_rows(connection, "units", units, batch_id=1)
    query.clear_cache()
    yield connection
    connection.close()


def _dialogue(conn, unit, day, note_themes, action_themes=None):
    """Save a dialogue (notes and, if ``action_themes`` is given, one action) and tag it."""
    area_scope = query.Scope.for_areas("Syd" if unit.startswith("S") else "Norr")
    actions = [{"action": "Följ upp"}] if action_themes is not None else []
    saved = dialogues.save_dialogue(conn, area_scope, unit, day, "Anteckning.", actions, user="vc")
    tagging.set_tags(conn, area_scope, unit, day, None, note_themes, user="vc")
    if action_themes is not None:
        tagging.set_tags(conn, area_scope, unit, day, saved.action_ids[0], action_themes, user="vc")
    return saved


def _request(conn, request_id, unit, day, themes, batch):
    row = pl.DataFrame(
        {
            "request_id": [request_id],
            "unit_id": [unit],
            "request_date": [day],
            "asker_role": ["principal"],
            "channel": ["dialogue"],
            "topic": ["Rekrytering"],
            "support_function": ["HR"],
            "status": ["received"],
            "themes": [themes],
        }
    )
    store.append_rows(conn, "support_request", row, batch_id=batch)


@pytest.fixture
def tagged(conn):
    """The hand-made fixture (see each line) behind the counts below."""
    d = dt.date
    # HT 2026, Syd: S1–S4 talk about recruiting special-needs teachers in September.
    _dialogue(conn, "S1", d(2026, 9, 10), [SPECIAL], action_themes=[SPECIAL, HEALTH])
    for unit in ("S2", "S3", "S4"):
        _dialogue(conn, unit, d(2026, 9, 10), [SPECIAL])
    _request(conn, "R1", "S5", d(2026, 10, 1), "2", batch=2)  # S5 asks: the fifth unit
    _request(conn, "R2", "S1", d(2026, 11, 1), "2", batch=3)  # S1 again: still one unit
    # VT 2026 (20 June is before July): S6.
    _dialogue(conn, "S6", d(2026, 6, 20), [SPECIAL])
    # Norr, HT 2026: N1 in a dialogue and a request (one unit); N2 tagged, then untagged.
    _dialogue(conn, "N1", d(2026, 8, 1), [HEALTH])
    _request(conn, "R3", "N1", d(2026, 8, 2), "5", batch=4)
    _dialogue(conn, "N2", d(2026, 9, 1), [HEALTH])
    tagging.set_tags(conn, EVERYTHING, "N2", d(2026, 9, 1), None, [], user="vc")
    # A request replaced by a later version without themes does not count.
    _request(conn, "R4", "N2", d(2026, 9, 5), "5", batch=5)
    conn.execute("UPDATE support_request SET _superseded_by = 6 WHERE request_id = 'R4'")
    _request(conn, "R4", "N2", d(2026, 9, 5), None, batch=6)
    return conn


def _rows(frame: pl.DataFrame) -> list[tuple]:
    return [
        (r["theme"], r["area"], r["term"], r["units"], r["units_suppressed"])
        for r in frame.iter_rows(named=True)
    ]


def test_leadership_sees_distinct_units_per_theme_area_and_term_with_fewer_than_five_hidden(tagged):
    # HT 2026 Syd, special-needs recruitment: S1, S2, S3, S4 (dialogues) + S5 (request) = 5
    #   (S1's request R2 is the same unit: still 5) -> shown.
    # HT 2026 Syd, student health: S1's action only = 1 -> hidden ('..').
    # HT 2026 Norr, student health: N1 (dialogue and request) = 1; N2's tag was removed and
    #   R4's live version has no themes -> 1 -> hidden.
    # VT 2026 Syd, special-needs recruitment: S6 (20 June) = 1 -> hidden.
    frame = theme_query.themes_by_area_term(tagged, EVERYTHING)
    assert _rows(frame) == [
        ("Rekrytering av speciallärare", "Syd", "HT 2026", 5, False),
        ("Elevhälsa", "Norr", "HT 2026", None, True),
        ("Elevhälsa", "Syd", "HT 2026", None, True),
        ("Rekrytering av speciallärare", "Syd", "VT 2026", None, True),
    ]
    assert frame["unit_names"].null_count() == frame.height  # leadership never sees unit names


def test_an_area_manager_sees_exact_counts_and_unit_names_of_their_area_only(tagged):
    frame = theme_query.themes_by_area_term(tagged, SYD)
    assert _rows(frame) == [
        ("Rekrytering av speciallärare", "Syd", "HT 2026", 5, False),
        ("Elevhälsa", "Syd", "HT 2026", 1, False),
        ("Rekrytering av speciallärare", "Syd", "VT 2026", 1, False),
    ]
    assert frame["unit_names"][0] == "Almskolan; Björkskolan; Ekskolan; Granskolan; Lindskolan"
    assert theme_query.terms(tagged, SYD) == [HT_2026, VT_2026]


def test_a_principal_sees_only_their_own_units_themes(tagged):
    frame = theme_query.themes_by_area_term(tagged, PRINCIPAL_S1)
    # S1 in HT 2026: notes {2}, action {2, 5}, request R2 {2} -> one unit per theme.
    assert _rows(frame) == [
        ("Elevhälsa", "Syd", "HT 2026", 1, False),
        ("Rekrytering av speciallärare", "Syd", "HT 2026", 1, False),
    ]


def test_an_area_or_term_outside_the_scope_is_refused_or_empty(tagged):
    with pytest.raises(query.ScopeError):
        theme_query.themes_by_area_term(tagged, SYD, area="Norr")
    assert theme_query.themes_by_area_term(tagged, SYD, term=dt.date(2025, 9, 1)).height == 0
    only_ht = theme_query.themes_by_area_term(tagged, EVERYTHING, area="Syd", term=HT_2026)
    assert _rows(only_ht)[0] == ("Rekrytering av speciallärare", "Syd", "HT 2026", 5, False)


def test_terms_are_vt_from_january_to_june_and_ht_from_july_to_december():
    assert theme_query.term_start(dt.date(2026, 6, 30)) == VT_2026
    assert theme_query.term_start(dt.date(2026, 7, 1)) == HT_2026
    assert theme_query.term_label(dt.date(2026, 12, 31)) == "HT 2026"
    assert theme_query.term_label(dt.date(2027, 1, 1)) == "VT 2027"


# --- the shared list -------------------------------------------------------------------------


def test_a_new_database_has_the_default_themes_with_fixed_ids(conn):
    listed = theme_store.theme_list(conn)
    assert listed["label"].to_list()[:2] == ["Rekrytering", "Rekrytering av speciallärare"]
    assert listed["theme_id"].to_list() == list(range(1, len(theme_store.DEFAULT_THEMES) + 1))


def test_an_area_manager_adds_a_theme_and_the_addition_is_audited(conn):
    theme_id = tagging.add_theme(conn, "  Nyanlända   elever ", user="vc@x.se", role="area_manager")
    assert theme_id == len(theme_store.DEFAULT_THEMES) + 1  # the next id after the defaults
    assert theme_store.theme_list(conn)["label"].to_list()[-1] == "Nyanlända elever"
    event = audit.list_events(conn, action=audit.THEME_ADDED, include_imports=False).row(
        0, named=True
    )
    assert (event["user_email"], event["role"], json.loads(event["details"])) == (
        "vc@x.se",
        "area_manager",
        {"tema": theme_id},
    )


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("", "Skriv ett namn på temat: fältet är tomt."),
        ("   ", "Skriv ett namn på temat: fältet är tomt."),
        (
            "rekrytering AV specialLÄRARE",
            "Temat 'Rekrytering av speciallärare' finns redan, nummer 2.",
        ),
        ("Arbetsmiljo", "Temat 'Arbetsmiljö' finns redan, nummer 4."),
        ("IT; juridik", "Ett tema får inte innehålla semikolon (;): det skiljer teman åt i filer."),
        ("x" * 81, "Namnet är för långt (81 tecken): ett tema får ha högst 80 tecken."),
    ],
)
def test_an_empty_duplicate_or_malformed_theme_is_refused_in_swedish_and_nothing_is_added(
    conn, label, message
):
    before = theme_store.theme_list(conn).height
    with pytest.raises(ValueError) as caught:
        tagging.add_theme(conn, label, user="vc", role="area_manager")
    assert str(caught.value) == message
    assert theme_store.theme_list(conn).height == before


def test_a_principal_or_leadership_cannot_add_a_theme(conn):
    for role in ("principal", "leadership", None):
        with pytest.raises(PermissionError):
            tagging.add_theme(conn, "Nytt", user="x", role=role)


# --- tagging and undo ------------------------------------------------------------------------


def test_tagging_a_dialogue_is_audited_and_the_newest_change_can_be_undone(conn):
    day = dt.date(2026, 9, 10)
    saved = _dialogue(conn, "S1", day, [SPECIAL], action_themes=[HEALTH])
    assert tagging.tags(conn, SYD, "S1", day) == {None: [SPECIAL], saved.action_ids[0]: [HEALTH]}
    # Saving the same set again is no change.
    assert tagging.set_tags(conn, SYD, "S1", day, None, [SPECIAL], user="vc") is None
    changed = tagging.set_tags(conn, SYD, "S1", day, None, [HEALTH, SPECIAL], user="vc")
    assert tagging.tags(conn, SYD, "S1", day)[None] == [SPECIAL, HEALTH]
    tagging.undo_tag_change(conn, SYD, changed, user="vc")
    assert tagging.tags(conn, SYD, "S1", day)[None] == [SPECIAL]
    events = audit.list_events(conn, include_imports=False)["action"].to_list()
    # newest first: the undo, the change, then the two first tags (the unchanged save wrote nothing)
    assert events == [
        audit.THEMES_UNDONE,
        audit.THEMES_TAGGED,
        audit.THEMES_TAGGED,
        audit.THEMES_TAGGED,
    ]


def test_an_older_tag_change_cannot_be_undone_past_a_newer_one(conn):
    day = dt.date(2026, 9, 10)
    _dialogue(conn, "S1", day, [SPECIAL])
    first = tagging.changes(conn, SYD, "S1", day)["id"][0]
    tagging.set_tags(conn, SYD, "S1", day, None, [HEALTH], user="vc")
    with pytest.raises(ValueError, match="en senare ändring"):
        tagging.undo_tag_change(conn, SYD, first, user="vc")


def test_tags_need_a_saved_dialogue_a_known_theme_and_a_unit_in_scope(conn):
    day = dt.date(2026, 9, 10)
    with pytest.raises(ValueError, match="spara dialogen först"):
        tagging.set_tags(conn, SYD, "S1", day, None, [SPECIAL], user="vc")
    _dialogue(conn, "S1", day, [])
    with pytest.raises(ValueError, match="okänt tema nummer 999"):
        tagging.set_tags(conn, SYD, "S1", day, None, [999], user="vc")
    with pytest.raises(query.ScopeError):
        tagging.set_tags(conn, query.Scope.for_areas("Norr"), "S1", day, None, [SPECIAL])
    with pytest.raises(query.ScopeError):
        tagging.tags(conn, PRINCIPAL_S1, "S2", day)
    changed = tagging.set_tags(conn, SYD, "S1", day, None, [SPECIAL], user="vc")
    with pytest.raises(query.ScopeError):
        tagging.undo_tag_change(conn, query.Scope.for_areas("Norr"), changed, user="x")
