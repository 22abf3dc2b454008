"""Verksamhetsdialog page (AppTest) on a writable copy of the small fixture.

Hand-computed figures (tests/test_indicators_fixture.py): E1 Ekskolan 2024 certified teacher
share 3.4 / 5.9 = 57,6 % and the organisation's 5.3 / 9.8 = 54,1 % are hidden by the coordinated,
whole-table suppression (``key_figure_suppression``: secondary in every year, because S1 rests on
four teachers in 2025 and in 2024-01 and the share is linked across months, years and indicators
on the same teachers), so they show as ``..``. Visible: E1 2024 sick leave 720 / 14 400 = 5,0 %
against Norr 1 968 / 30 000 = 6,6 % and the organisation 2 448 / 39 600 = 6,2 %. L1 Lärkans
förskola 2025 licensed preschool teacher share 2.8 / 6.55 = 42,7 % (= Norr = organisation, L1 is
the only preschool) against the organisation's 50 % target: 7,3 percentage points short, red.
"""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest

from kompetens import query
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.dialogue.dialogues import Action
from tests.app_support import run_page, texts

PAGE = "views/dialog.py"


@pytest.fixture
def writable_db(small_db, tmp_path):
    """A private copy: this page writes notes and actions."""
    target = tmp_path / "dialog.duckdb"
    shutil.copy(small_db, target)
    query.clear_cache()
    return target


def metric_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_first_unit_of_the_area_shows_its_figures_against_area_organisation_and_target(
    writable_db,
):
    at = run_page(writable_db, PAGE, query_params={"ar": "2024", "omrade": "Norr"})
    assert not at.exception
    shown = texts(at)
    assert "Ekskolan · Norr · 2024" in shown
    values = metric_values(at)
    # The certified share (57,6 %) and the area's and organisation's are hidden by the
    # coordinated mask (secondary); the hidden organisation figure reads '..', not '–'.
    assert values["Andel behöriga lärare (heltidstjänster)"] == ".."
    assert "Området .. · Organisationen .. · Mål 70,0\u00a0%" in shown
    # sick leave 720 / 14 400 = 5,0 %; Norr 1 968 / 30 000 = 6,56 -> 6,6 %; org 2 448 / 39 600
    # = 6,18 -> 6,2 %; E1 is the lower (better) of Norr's two schools
    assert values["Sjukfrånvaro"] == "5,0\u00a0%"
    assert "Området 6,6\u00a0% · Organisationen 6,2\u00a0% · Plats 1 av 2 i området" in shown
    # development hours 74 / (90.8 / 12) = 9,8; Norr 86 / 15.117 = 5,7; org 86 / 20.933 = 4,1
    assert values["Kompetensutveckling, timmar per heltidstjänst"] == "9,8"
    assert "Området 5,7 · Organisationen 4,1 · Plats 1 av 2 i området" in shown
    assert at.selectbox(key="enhet").value == "Ekskolan (E1)"


def test_a_unit_short_of_its_target_gets_a_red_status_and_a_talking_point_on_the_gap(
    writable_db,
):
    at = run_page(writable_db, PAGE, query_params={"ar": "2025", "enhet": "L1"})
    assert not at.exception
    shown = texts(at)
    # L1 2.8 / 6.55 = 42,7 %, the only preschool (Norr = organisation); org target 50 %
    assert metric_values(at)["Andel heltidstjänster med förskollärarlegitimation"] == "42,7\u00a0%"
    assert "Området 42,7\u00a0% · Organisationen 42,7\u00a0% · Mål 50,0\u00a0%" in shown
    assert ":red-background[✕ Långt från målet]" in shown
    # the talking point for the gap to target, in plain Swedish: 50,0 - 42,7 = 7,3
    assert (
        "Andel heltidstjänster med förskollärarlegitimation är 42,7\u00a0%, 7,3\u00a0procentenheter "
        "under målet 50,0\u00a0%." in shown
    )


def test_hidden_figures_show_as_dots_and_are_only_named_in_the_talking_points(writable_db):
    at = run_page(writable_db, PAGE, query_params={"ar": "2025", "omrade": "Norr"})
    assert not at.exception
    assert metric_values(at)["Andel behöriga lärare (heltidstjänster)"] == ".."
    shown = texts(at)
    assert "visas som .." in shown and "andel behöriga lärare (heltidstjänster)" in shown
    # 2025 E1 would be 2.4 / 4.9 = 49,0 %: that number must not appear anywhere
    assert "49,0" not in shown


def test_choosing_another_unit_shows_its_own_figures(writable_db):
    at = run_page(writable_db, PAGE, query_params={"ar": "2025", "omrade": "Norr"})
    at.selectbox(key="enhet").set_value("Lärkans förskola (L1)").run()
    assert not at.exception
    assert "Lärkans förskola · Norr · 2025" in texts(at)
    assert metric_values(at)["Andel heltidstjänster med förskollärarlegitimation"] == "42,7\u00a0%"
    assert at.selectbox(key="enhet").value == "Lärkans förskola (L1)"


def test_a_shared_link_by_unit_id_opens_that_unit_and_its_area(writable_db):
    at = run_page(writable_db, PAGE, query_params={"ar": "2025", "enhet": "S1"})
    assert not at.exception
    assert "Söderskolan · Söder · 2025" in texts(at)
    assert at.selectbox(key="enhet").value == "Söderskolan (S1)"


def test_the_entry_form_shows_the_saved_notes_of_the_date_and_the_history_shows_them_in_full(
    writable_db,
):
    # (Submitting the form is driven in the browser test: AppTest loses form-submit clicks
    # under st.navigation. Here the note is saved through the module the form calls.)
    long_note = (
        "Rektorn tar fram en plan för VAL.\n\n" + "Vi följer upp *behörigheten* i mars. " * 8
    )
    conn = store.connect(writable_db)
    try:
        dialogues.save_dialogue(conn, query.Scope.everything(), "E1", "2025-10-06", long_note)
    finally:
        conn.close()
    at = run_page(writable_db, PAGE, query_params={"ar": "2025", "omrade": "Norr"})
    at.date_input(key="dialog_date").set_value(dt.date(2025, 10, 6)).run()
    assert not at.exception
    notes_box = at.text_area(key="dialog_notes_E1_2025-10-06_0")
    assert notes_box.label == "Anteckningar från dialogen 2025-10-06"
    assert notes_box.value == long_note.strip()  # the saved text is back in the box
    # the history: one expander per dialogue, the note in full as plain text (no markdown)
    assert [e.label for e in at.expander if e.label.startswith("2025-")] == [
        "2025-10-06 · inga åtgärder"
    ]
    assert long_note.strip() in [t.value for t in at.text]
    # a new date has an empty box
    at.date_input(key="dialog_date").set_value(dt.date(2025, 10, 7)).run()
    assert at.text_area(key="dialog_notes_E1_2025-10-07_0").value == ""
    # another unit has its own (empty) history
    at.selectbox(key="enhet").set_value("Lärkans förskola (L1)").run()
    assert "Inga dialoger är sparade för enheten ännu." in texts(at)


def test_every_action_row_has_a_due_date_field_in_iso_format_with_a_swedish_hint(writable_db):
    at = run_page(writable_db, PAGE, query_params={"ar": "2025", "omrade": "Norr"})
    at.date_input(key="dialog_date").set_value(dt.date(2025, 10, 6)).run()
    due = [d for d in at.date_input if d.key and d.key.startswith("dialog_due_E1_")]
    assert len(due) == 3
    assert all(d.label == "Klart senast" and d.value is None for d in due)
    assert all(d.proto.format == "YYYY-MM-DD" for d in due)
    assert "ÅÅÅÅ-MM-DD" in due[0].help
    owners = [t for t in at.text_input if t.key and t.key.startswith("dialog_owner_E1_")]
    assert [t.label for t in owners] == ["Ansvarig"] * 3
    at.button(key="dialog_more_E1").click().run()
    assert not at.exception
    assert len([d for d in at.date_input if d.key and d.key.startswith("dialog_due_E1_")]) == 6


def test_the_previous_dialogues_actions_are_shown_for_follow_up(writable_db):
    conn = store.connect(writable_db)
    try:
        dialogues.save_dialogue(
            conn,
            query.Scope.everything(),
            "E1",
            "2025-03-10",
            "Vårens dialog",
            [Action("Anmäl två lärare till VAL", "Rektor", dt.date(2025, 6, 1))],
        )
    finally:
        conn.close()
    at = run_page(writable_db, PAGE, query_params={"ar": "2025", "omrade": "Norr"})
    at.date_input(key="dialog_date").set_value(dt.date(2025, 10, 6)).run()
    assert not at.exception
    shown = texts(at)
    assert "Åtgärder från dialogen 2025-03-10" in shown
    tables = [t.value.to_string() for t in at.dataframe]
    follow_up = next(t for t in tables if "Anmäl två lärare till VAL" in t)
    assert "ej klar" in follow_up and "Rektor" in follow_up
    # the history lists the spring dialogue with its one open action, owner and due date
    assert "2025-03-10 · 1 åtgärd, 0 klara" in [e.label for e in at.expander]
    assert "☐ Anmäl två lärare till VAL · ansvarig: Rektor · klart senast 2025-06-01 · ej klar" in [
        t.value for t in at.text
    ]


def test_saving_through_the_view_says_what_was_saved_and_a_status_change_is_counted(writable_db):
    from kompetens.ui import dialogue_view as view

    everything = query.Scope.everything()
    conn = store.connect(writable_db)
    try:
        new = view.empty_new_actions(2)
        new = new.with_columns(
            action=pl.Series(["Anmäl två lärare till VAL", None]),
            owner=pl.Series(["Rektor", None]),
        )
        said = view.save(
            conn, everything, "E1", dt.date(2025, 3, 10), "Vårens dialog", new, user="t"
        )
        assert said == "Dialogen 2025-03-10 är sparad: anteckningarna och 1 åtgärd."
        again = view.save(
            conn, everything, "E1", dt.date(2025, 3, 10), "Vårens dialog", new[1:], user="t"
        )
        assert again == "Dialogen 2025-03-10: anteckningarna är oförändrade, inget nytt sparades."
        previous, follow_up = view.follow_up(conn, everything, "E1", dt.date(2025, 10, 6))
        assert previous == dt.date(2025, 3, 10)
        before = view.action_table(follow_up)
        done = before.with_columns(status=pl.lit("klar"))
        assert view.save_statuses(conn, everything, before, done, user="t") == (
            "Status uppdaterad för 1 åtgärd."
        )
        assert (
            view.save_statuses(conn, everything, done, done, user="t") == "Ingen status ändrades."
        )
        with pytest.raises(query.ScopeError):
            view.history(conn, query.Scope.for_units(["S1"], ["Söder"]), "E1")
    finally:
        conn.close()


def screen_points(at) -> list[str]:
    return [t.value.removeprefix("• ") for t in at.text if t.value.startswith("• ")]


@pytest.mark.parametrize(("unit", "period"), [("E1", "2024"), ("E1", "2025"), ("L1", "2025")])
def test_the_screens_talking_points_are_the_briefs_for_the_same_unit_and_year(
    writable_db, unit, period
):
    from kompetens.dialogue.briefs.content import build_brief

    at = run_page(writable_db, PAGE, query_params={"ar": period, "enhet": unit})
    assert not at.exception
    conn = store.connect(writable_db)
    try:
        brief = build_brief(conn, query.Scope.everything(), unit, period=period)
    finally:
        conn.close()
    assert screen_points(at) == list(brief.talking_points)
    assert len(brief.talking_points) >= 2


def test_the_dialogue_shows_what_drives_the_support_need_and_names_hidden_values_as_hidden(
    writable_db,
):
    # E1 2025 (reference month 2025-12). Under the coordinated mask every unit turnover figure of
    # the fixture is hidden, so turnover is no part of a school's index. The parts a school has:
    # certified share, certification gap and temporary share (only E1 has a visible recent value,
    # 2025-02/03 months; S1 has none and is left out, so E1 is the lone school -> percentile 50)
    # and sick leave (5,0 % for both schools -> 50). Weights 0.25, 0.10, 0.10, 0.15 (sum 0.60):
    # 50 x 0.25 / 0.60 = 20,8; 50 x 0.15 / 0.60 = 12,5; 50 x 0.10 / 0.60 = 8,3 (twice).
    # Score 50, rank 1. E1's yearly 2025 values of the hidden parts show as hidden, not as numbers.
    at = run_page(writable_db, PAGE, query_params={"ar": "2025", "enhet": "E1"})
    assert not at.exception
    shown = texts(at)
    assert "Vad driver enhetens stödbehov" in shown
    assert (
        "Stödbehovsindex 50 av 100 (2025-12), plats 1 i organisationen."
        in shown[shown.index("Vad driver") :]
    )
    drivers = next(t.value for t in at.table if "Del av indexet" in t.value.columns)
    half = "större än hos 50\u00a0% av de andra"
    assert drivers.values.tolist() == [
        ["Andel behöriga/legitimerade", "dold (färre än 5)", half, "20,8"],
        ["Sjukfrånvaro", "5,0\u00a0%", half, "12,5"],
        ["Behörighetsgap per heltidstjänst", "dold (färre än 5)", half, "8,3"],
        ["Andel visstidsanställda lärare", "dold (färre än 5)", half, "8,3"],
    ]
    points = screen_points(at)
    assert points[0].startswith("Stödbehovsindex 50 av 100 (2025-12, plats 1 i organisationen).")
    assert "sjukfrånvaro (5,0\u00a0%" in points[0]
    # E1's certified share (2.4 / 4.9 = 49,0 % in 2025) is hidden: it must not appear anywhere
    assert "49,0" not in shown


def test_without_a_link_the_page_opens_on_the_areas_unit_with_the_greatest_support_need(
    writable_db,
):
    from kompetens.ui import dialogue_view as view

    conn = store.connect(writable_db)
    try:
        everything = query.Scope.everything()
        norr = query.units(conn, everything, area="Norr")
        # L1 listed first; E1 has the greater need (rank 1 against L1's 2)
        units = norr.sort("unit_id", descending=True)
        assert units["unit_id"].to_list() == ["L1", "E1"]
        assert view.default_unit(conn, everything, units, "2025") == "E1"
        assert (
            view.default_unit(conn, everything, norr.filter(pl.col("unit_id") == "L1"), "2025")
            == "L1"
        )
    finally:
        conn.close()


def test_the_advice_names_the_import_page_only_for_a_role_that_has_it():
    from kompetens.access import auth
    from kompetens.ui import dialogue_view as view

    class Viewer:
        def __init__(self, role):
            self.role = role

    assert "sidan Import" in view.no_figures_hint(Viewer(auth.HR))
    for role in (auth.AREA_MANAGER, auth.PRINCIPAL, auth.LEADERSHIP):
        assert "Import" not in view.no_figures_hint(Viewer(role))


def test_the_demo_area_manager_starts_on_an_area_with_schools_and_on_the_dialogue(
    writable_db, tmp_path
):
    # "Central förvaltning" sorts first but has only a central unit: nothing to discuss there.
    from kompetens.access import auth
    from kompetens.ingest import import_file
    from tests.fixtures.small import HERE

    units = tmp_path / "enheter.csv"
    units.write_text(
        (HERE / "units.csv").read_text(encoding="utf-8")
        + "C1,Förvaltningskontoret,Central förvaltning,central,\n",
        encoding="utf-8",
    )
    conn = store.connect(writable_db)
    try:
        import_file(conn, units, kind="units", user="test")
        assert auth.known_areas(conn) == ["Central förvaltning", "Norr", "Söder"]
        assert auth.areas_with_schools(conn) == ["Norr", "Söder"]
    finally:
        conn.close()
    assert auth.pages_for_role(auth.AREA_MANAGER)[0] == "dialog"  # the role's home page
    query.clear_cache()
    at = run_page(writable_db, query_params={"ar": "2025"})
    at.selectbox(key="demo_roll").set_value(auth.AREA_MANAGER).run()
    assert not at.exception
    assert at.multiselect(key="demo_omraden").value == ["Norr"]


def test_without_a_link_or_sidebar_area_the_page_opens_on_the_area_of_the_greatest_need(
    writable_db,
):
    # E1 (Norr) has rank 1; "Central" would sort first but is not where the need is.
    from kompetens.ui import dialogue_view as view

    conn = store.connect(writable_db)
    try:
        assert view.neediest_area(conn, query.Scope.everything()) == "Norr"
    finally:
        conn.close()
    areas = ["Central", "Norr", "Söder"]
    choose = dict(sidebar_area=None, linked_unit_area=None, sidebar_changed=False)
    assert view.default_area(areas, **choose, neediest_area="Norr") == "Norr"
    assert view.default_area(areas, **choose) == "Central"
    assert (
        view.default_area(areas, **{**choose, "sidebar_area": "Söder"}, neediest_area="Norr")
        == "Söder"
    )


def test_a_card_for_a_12_month_figure_says_its_period_and_compares_with_12_months_a_year_earlier():
    from kompetens.ui import dialogue_view as view

    row = {
        "indicator_id": "turnover_rate",
        "unit_value": 0.175,
        "unit_suppressed": False,
        "area_value": 0.085,
        "area_suppressed": False,
        "org_value": 0.088,
        "target": 0.08,
        "previous_value": 0.131,
        "previous_suppressed": False,
        "change": 0.175 - 0.131,  # +4,4 percentage points
        "rank_in_area": 20,
        "units_in_area": 22,
        "period_label": "12 mån t.o.m. 2026-11",
        "previous_label": "12 mån t.o.m. 2025-11",
    }
    card = view.card(row, "2025")
    assert card["phase"] == "Behålla · 12 mån t.o.m. 2026-11"
    assert card["value"] == "17,5\u00a0%"
    assert card["delta"] == "+4,4\u00a0procentenheter mot 12 mån t.o.m. 2025-11"
    yearly = view.card({**row, "period_label": "2026", "previous_label": "2025"}, "2025")
    assert yearly["phase"] == "Behålla" and yearly["delta"].endswith("mot 2025")


def test_unit_and_area_names_in_the_heading_are_shown_as_typed_not_as_markdown():
    from kompetens.ui import dialogue_view as view

    # a unit name from an import with markup characters: escaped, so Markdown shows it literally
    assert view.heading("Ek*skolan* #2", "Norr", "2025") == "Ek\\*skolan\\* \\#2 · Norr · 2025"
    assert view.heading("Ekskolan", "Område Syd", "2025") == "Ekskolan · Område Syd · 2025"


def test_the_area_managers_overview_names_the_area_not_the_whole_organisation(writable_db):
    from kompetens.access import auth

    at = run_page(writable_db, query_params={"ar": "2025"})
    at.selectbox(key="demo_roll").set_value(auth.AREA_MANAGER).run()
    at.switch_page("views/oversikt.py").run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Norr · 2025 · ") for c in captions), captions
    assert not any(c.startswith("Hela organisationen") for c in captions)


def test_a_principal_starts_on_the_own_units_dialogue_not_on_the_organisations_overview(
    small_db,
):
    import os

    from streamlit.testing.v1 import AppTest

    from kompetens.access import auth
    from kompetens.ui import homes
    from tests.app_support import APP

    assert homes.start_page(auth.PRINCIPAL, auth.pages_for_role(auth.PRINCIPAL)) == "dialog"
    # The other roles start on their menu's first page.
    assert homes.start_page(auth.LEADERSHIP, auth.pages_for_role(auth.LEADERSHIP)) == "oversikt"
    assert homes.start_page(auth.AREA_MANAGER, auth.pages_for_role(auth.AREA_MANAGER)) == "dialog"
    os.environ["KOMPETENS_DB"] = str(small_db)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["ar"] = "2025"
    at.session_state["demo_roll"] = auth.PRINCIPAL
    at.session_state["demo_enhet"] = "S1"
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Verksamhetsdialog"]
    # On the principal's own unit, Söderskolan (S1), in its area.
    assert at.selectbox(key="enhet").value.startswith("Söderskolan")


def test_every_support_need_driver_shows_its_value_or_says_why_there_is_none():
    from kompetens.dialogue.talking_points import SupportDriver, SupportNeed
    from kompetens.ui import dialogue_view as view

    def figure(value, hidden=False):
        return {"unit_value": value, "unit_suppressed": hidden}

    compare = pl.DataFrame(
        {
            "indicator_id": ["certification_gap_fte"],
            "unit_value": [2.8],
            "unit_suppressed": [False],
        }
    )
    drivers = (
        SupportDriver("turnover_rate", "Personalomsättning", "turnover_rate", 14.3, 96.0, figure(0.175)),
        SupportDriver("sick_leave_rate", "Sjukfrånvaro", "sick_leave_rate", 9.4, 80.0, figure(None, hidden=True)),
        # The index takes the gap per teacher FTE; the dialogue shows the gap in FTE (2,8).
        SupportDriver("certification_gap", "Behörighetsgap per heltidstjänst", "certification_gap_fte", 5.9, 59.0, None),
        # No advertised post: no figure, and the unit counts as the middle (percentile 50).
        SupportDriver("unfilled_vacancies", "Andel ej tillsatta rekryteringar", "unfilled_vacancy_share", 9.4, 50.0, figure(None)),
    )  # fmt: skip
    need = SupportNeed(82.0, 1, "2026-11", "grundskola", drivers)
    table = view.support_table(need, compare)
    assert table["figure"].to_list() == [
        "17,5\u00a0%",
        "dold (färre än 5)",
        "2,8 saknade heltidstjänster (indexet räknar per lärartjänst)",
        "inga uppgifter (räknas som mittvärdet)",
    ]
    assert "–" not in table["figure"].to_list()


def test_a_sparkline_with_a_hidden_point_inside_is_left_out_with_a_note_naming_it():
    from kompetens.ui import dialogue_view as view

    def series(values, hidden):
        return pl.DataFrame(
            {
                "period": ["2022", "2023", "2024", "2025"],
                "value": values,
                "suppressed": hidden,
            }
        )

    # Hidden first year: the line starts in 2023.
    start = series([None, 0.5, 0.6, 0.7], [True, False, False, False])
    assert view.sparkline(start, "2025") == ([0.5, 0.6, 0.7], None)
    # Hidden 2024 inside the line: no broken line, a note instead.
    inside = series([0.4, 0.5, None, 0.7], [False, False, True, False])
    assert view.sparkline(inside, "2025") == (
        None,
        "Ingen trendlinje: 2024 är dolt eller saknas (`..`).",
    )
    # Only one visible point: nothing to draw and nothing to explain.
    assert view.sparkline(series([None, None, None, 0.7], [True] * 3 + [False]), "2025") == (
        None,
        None,
    )
    # 12-month values at one month a year (2025-11) belong to the year 2025.
    rolling = pl.DataFrame(
        {"period": ["2024-11", "2025-11"], "value": [0.1, 0.2], "suppressed": [False, False]}
    )
    assert view.sparkline(rolling, "2025") == ([0.1, 0.2], None)


def test_a_note_on_several_hidden_years_speaks_of_them_in_the_plural():
    from kompetens.ui import dialogue_view as view

    series = pl.DataFrame(
        {
            "period": ["2022", "2023", "2024", "2025"],
            "value": [0.4, None, None, 0.7],
            "suppressed": [False, True, True, False],
        }
    )
    assert view.sparkline(series, "2025")[1] == (
        "Ingen trendlinje: 2023, 2024 är dolda eller saknas (`..`)."
    )


def test_an_area_of_one_unit_is_counted_in_the_singular():
    from kompetens.ui.brief_downloads import units_text

    assert units_text(1) == "1 enhet"
    assert units_text(22) == "22 enheter"
