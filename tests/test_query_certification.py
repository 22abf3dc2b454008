"""Query functions and view helpers of the Översikt, Behörighet and Stödbehov pages.

Figures on the small fixture (tests/fixtures/small, hand-computed in
tests/test_indicators_fixture.py); the licence breakdown on a hand-written staff table.
The whole-table suppression mask (docs/suppression.md, ``key_figure_suppression``)
hides every school figure of the certified teacher share in 2024 and 2025, at every
level: S1 (Söder's only unit) rests on 4 teachers in January 2024 and all of 2025,
and E1, Norr (= E1) and the organisation are hidden with it (secondary). The
preschool L1's figures stay visible and carry the value checks.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kompetens import query as q
from kompetens.analysis import support
from kompetens.core import store
from kompetens.ui import competence_views as views
from tests.fixtures.small import load_small

ALL = q.Scope.everything()
SODER = q.Scope.for_areas("Söder")
approx = pytest.approx


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    home = tmp_path_factory.mktemp("certification")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KOMPETENS_PSEUDONYM_KEY", "test-key-not-secret")
        mp.setenv("KOMPETENS_KEY_FILE", str(home / "pseudonym.key"))
        connection = store.connect(":memory:")
        load_small(connection)
        yield connection


def by_unit(frame: pl.DataFrame) -> dict[str, dict]:
    return {row["unit_id"]: row for row in frame.iter_rows(named=True)}


# ---- certification_units --------------------------------------------------------------


def test_certification_units_gives_share_fte_gap_and_target_per_unit(conn):
    rows = by_unit(q.certification_units(conn, ALL, "teacher", "2024"))
    assert set(rows) == {"E1", "S1"}
    # E1 3.4 / 5.9 (gap 0.7 × 5.9 − 3.4 = 0.73) and S1's fixed-term share 1.5 / 3.9 are hidden
    # by the whole-table mask (module docstring); the target is no figure on people and stays.
    e1 = rows["E1"]
    for field in ("share", "certified_fte", "teacher_fte", "gap_fte"):
        assert e1[field] is None and e1[f"{field}_suppressed"] is True, field
    assert (e1["target"], e1["status"]) == (approx(0.7), None)  # no traffic light on a hidden value
    assert rows["S1"]["temporary_share"] is None
    assert rows["S1"]["temporary_share_suppressed"] is True
    # The preschool's 2024 figures are visible: L1 1.8 licensed of 5.55 FTE; no 2024 target,
    # so no gap and no status.
    l1 = by_unit(q.certification_units(conn, ALL, "preschool_teacher", "2024"))["L1"]
    assert (l1["share"], l1["certified_fte"], l1["teacher_fte"]) == (
        approx(1.8 / 5.55),
        approx(1.8),
        approx(5.55),
    )
    assert l1["share_suppressed"] is False
    assert (l1["target"], l1["gap_fte"], l1["status"]) == (None, None, None)


def test_certification_units_hides_every_figure_of_a_suppressed_school(conn):
    rows = by_unit(q.certification_units(conn, ALL, "teacher", "2025"))
    for unit in ("E1", "S1"):
        assert rows[unit]["share_suppressed"] and rows[unit]["teacher_fte_suppressed"]
        assert rows[unit]["share"] is None and rows[unit]["teacher_fte"] is None


def test_certification_units_for_preschool_teachers_use_the_licensed_share(conn):
    rows = by_unit(q.certification_units(conn, ALL, "preschool_teacher", "2025"))
    assert set(rows) == {"L1"}
    assert rows["L1"]["share"] == approx(2.8 / 6.55)
    assert rows["L1"]["gap_fte"] == approx(0.475)  # 0.5 × 6.55 − 2.8
    assert rows["L1"]["target"] == approx(0.5)


def test_certification_units_respect_scope_and_filters(conn):
    assert q.certification_units(conn, SODER, "teacher", "2024")["unit_id"].to_list() == ["S1"]
    assert q.certification_units(conn, ALL, "teacher", "2024", area="Norr")[
        "unit_id"
    ].to_list() == ["E1"]
    assert q.certification_units(conn, ALL, "teacher", "2024", school_form="forskola").height == 0
    with pytest.raises(q.ScopeError):
        q.certification_units(conn, SODER, "teacher", "2024", area="Norr")
    with pytest.raises(ValueError):
        q.certification_units(conn, ALL, "principal", "2024")


# ---- headline at an area, trend with context, segregation by area ---------------------


def test_headline_at_an_area_gives_the_area_figure_and_checks_scope(conn):
    norr = q.headline(
        conn,
        ALL,
        ["certified_teacher_share", "licensed_preschool_teacher_share"],
        "year",
        "2024",
        at=("area", "Norr"),
    )
    rows = {r["indicator_id"]: r for r in norr.iter_rows(named=True)}
    assert {r["scope_id"] for r in rows.values()} == {"Norr"}
    # Norr's certified share (= E1, 3.4 / 5.9) is hidden by the whole-table mask; its licensed
    # preschool share is L1's, 1.8 / 5.55
    assert rows["certified_teacher_share"]["value"] is None
    assert rows["licensed_preschool_teacher_share"]["value"] == approx(1.8 / 5.55)
    with pytest.raises(q.ScopeError):
        q.headline(conn, SODER, ["certified_teacher_share"], "year", "2024", at=("area", "Norr"))


def test_trend_with_context_puts_the_unit_first_then_its_area_and_the_organisation(conn):
    trend = q.trend_with_context(conn, ALL, "certified_teacher_share", "unit", "E1", "year")
    assert trend["series"].unique(maintain_order=True).to_list() == [
        "Ekskolan",
        "Norr",
        "Hela organisationen",
    ]
    # one target line: the unit's own (2024 org 0.7, 2025 E1's own 0.6)
    assert trend.filter(pl.col("level") == "unit")["target"].to_list() == [approx(0.7), approx(0.6)]
    assert trend.filter(pl.col("level") != "unit")["target"].null_count() == 4
    # every value is hidden by the whole-table mask (module docstring): E1, Norr (= E1) and the
    # organisation (5.3 / 9.8 and 4.3 / 7.8) in both years
    hidden = trend.filter(pl.col("suppressed")).select("scope_id", "period").rows()
    assert hidden == [(s, p) for s in ("E1", "Norr", "org") for p in ("2024", "2025")]
    assert trend["value"].null_count() == 6
    # the preschool's trend shows its values: L1 = Norr = the organisation, 1.8 / 5.55, 2.8 / 6.55
    trend = q.trend_with_context(
        conn, ALL, "licensed_preschool_teacher_share", "unit", "L1", "year"
    )
    assert trend["series"].unique(maintain_order=True).to_list() == [
        "Lärkans förskola",
        "Norr",
        "Hela organisationen",
    ]
    org = trend.filter(pl.col("level") == "org")
    assert org["value"].to_list() == [approx(1.8 / 5.55), approx(2.8 / 6.55)]
    assert trend.filter(pl.col("level") == "unit")["target"].to_list() == [None, approx(0.5)]


def test_segregation_can_be_narrowed_to_an_area(conn):
    result = q.segregation(conn, ALL, "2024", area="Söder")
    assert result.points["unit_id"].to_list() == ["S1"]
    assert q.segregation(conn, ALL, "2024", school_form="forskola").points.height == 0


# ---- licence_status -------------------------------------------------------------------


@pytest.fixture()
def licence_db():
    """One school X1: 6 licensed and qualified teachers (1.0), 5 licensed only (0.5), 1 without licence (1.0)."""
    connection = store.connect(":memory:")
    units = pl.DataFrame(
        {
            "unit_id": ["X1"],
            "unit_name": ["Xskolan"],
            "area": ["Väst"],
            "school_form": ["grundskola"],
            "socioeconomic_index": [1.0],
        }
    )
    people = [(f"L{i}", 1.0, True, True) for i in range(6)]
    people += [(f"O{i}", 0.5, True, False) for i in range(5)]
    people += [("N0", 1.0, False, False)]
    staff = pl.DataFrame(
        {
            "snapshot_date": [dt.date(2025, 10, 15)] * len(people),
            "employee_id": [p[0] for p in people],
            "unit_id": ["X1"] * len(people),
            "staff_category": ["teacher"] * len(people),
            "fte": [p[1] for p in people],
            "employment_type": ["permanent"] * len(people),
            "licensed": [p[2] for p in people],
            "qualified": [p[3] for p in people],
        }
    )
    connection.register("units_in", units.to_arrow())
    connection.register("staff_in", staff.to_arrow())
    connection.execute(
        "INSERT INTO units (unit_id, unit_name, area, school_form, socioeconomic_index, _batch_id) "
        "SELECT *, 1 FROM units_in"
    )
    connection.execute(
        "INSERT INTO staff (snapshot_date, employee_id, unit_id, staff_category, fte, employment_type, "
        "licensed, qualified, _batch_id) SELECT *, 1 FROM staff_in"
    )
    yield connection
    connection.close()


def test_licence_status_splits_teacher_fte_and_hides_a_small_cell_and_one_more(licence_db):
    frame = q.licence_status(licence_db, ALL, "X1", "2025")
    rows = {row["status"]: row for row in frame.iter_rows(named=True)}
    assert rows["all"]["fte"] == approx(9.5) and rows["all"]["n_individuals"] == 12
    assert rows["licensed_qualified"]["fte"] == approx(6.0)
    assert rows["licensed_qualified"]["share"] == approx(6.0 / 9.5)
    assert rows["licensed_qualified"]["label"] == "Legitimerad och behörig"
    # one teacher without licence: hidden; then the smaller remaining part too, so 9.5 − 6 does not give it away
    assert rows["not_licensed"]["suppressed"] and rows["not_licensed"]["fte"] is None
    assert rows["licensed_only"]["suppressed"] and rows["licensed_only"]["fte"] is None


def test_licence_status_of_a_month_without_staff_is_empty(licence_db):
    assert q.licence_status(licence_db, ALL, "X1", "2024-03").height == 0


# ---- view helpers ---------------------------------------------------------------------


def test_trend_period_type_uses_months_for_stocks_rolling_years_for_flows_and_years_otherwise():
    assert views.trend_period_type("certified_teacher_share", "month") == "month"
    assert views.trend_period_type("turnover_rate", "month") == "rolling_12m"
    assert views.trend_period_type("employer_recommendation", "month") == "year"
    assert views.trend_period_type("certified_teacher_share", "year") == "year"


def test_reference_month_is_the_newest_month_or_december_of_an_earlier_year():
    assert views.reference_month("2024", "2025-10") == "2024-12"
    assert views.reference_month("2025", "2025-10") == "2025-10"
    assert views.reference_month(None, "2025-10") == "2025-10"
    assert views.reference_month("2025", None) is None


def test_until_year_keeps_periods_up_to_the_chosen_year():
    frame = pl.DataFrame({"period": ["2023", "2024-06", "2025-01", "2025"]})
    assert views.until_year(frame, "2024")["period"].to_list() == ["2023", "2024-06"]
    assert views.until_year(frame, None).height == 4


def test_fitted_line_is_the_teacher_fte_weighted_least_squares_line():
    points = pl.DataFrame(
        {
            "socioeconomic_index": [1.0, 2.0, 3.0, 9.0],
            "value": [0.9, 0.8, 0.7, None],
            "denominator": [1.0, 1.0, 1.0, 5.0],
            "suppressed": [False, False, False, True],
        }
    )
    slope, intercept = views.fitted_line(points)  # the hidden school is left out
    assert (slope, intercept) == (approx(-0.1), approx(1.0))
    # weights: the middle school counts double; y = 0, 1, 0 around x = 1 -> flat line at 0.5
    weighted = pl.DataFrame(
        {
            "socioeconomic_index": [0.0, 1.0, 2.0],
            "value": [0.0, 1.0, 0.0],
            "denominator": [1.0, 2.0, 1.0],
            "suppressed": [False] * 3,
        }
    )
    assert views.fitted_line(weighted) == (approx(0.0), approx(0.5))
    assert views.fitted_line(points.head(2)) is None


def test_ranked_units_name_the_two_largest_drivers_and_flagged_units_say_what_is_missing():
    units = pl.DataFrame(
        {
            "unit_id": ["A", "B", "C"],
            "unit_name": ["Askolan", "Bskolan", "Cskolan"],
            "area": ["X"] * 3,
            "school_form": ["grundskola"] * 3,
        }
    )
    values = pl.DataFrame(
        [
            ("A", "turnover_rate", 0.2, 1),
            ("B", "turnover_rate", 0.1, 1),
            ("C", "turnover_rate", 0.0, 1),
            ("A", "sick_leave_rate", 0.05, 1),
            ("B", "sick_leave_rate", 0.09, 1),
        ],
        schema=["unit_id", "component", "value", "need_sign"],
        orient="row",
    )
    index = support.support_need_index(values, units)
    ranked = views.ranked_units(index)
    # turnover percentiles A 100, B 50, C 0; sick leave A 0, B 100; equal weights (0.15 each) -> 0.5 each
    # A = 0.5 × 100 + 0 = 50; B = 0.5 × 50 + 0.5 × 100 = 75; C lacks sick leave and is flagged
    assert ranked.select("unit_id", "rank", "score").rows() == [("B", 1, 75.0), ("A", 2, 50.0)]
    assert ranked.filter(pl.col("unit_id") == "B")["drivers"].item() == (
        "Sjukfrånvaro, Personalomsättning"
    )
    assert ranked.filter(pl.col("unit_id") == "A")["drivers"].item() == "Personalomsättning"
    flagged = views.units_without_recent_data(index)
    assert flagged.select("unit_id", "missing").rows() == [("C", "Sjukfrånvaro")]


def test_tied_units_are_listed_by_unit_id_every_time_and_tied_drivers_alphabetically():
    # 300 units with the same turnover and sick leave: every unit gets the same percentile
    # (a lone value -> average rank), so all are tied on rank 1 and must come in unit_id order;
    # both components contribute equally, so the drivers read alphabetically by label.
    ids = [f"U{i:03d}" for i in range(300)]
    units = pl.DataFrame(
        {
            "unit_id": ids,
            "unit_name": ids,
            "area": ["X"] * 300,
            "school_form": ["grundskola"] * 300,
        }
    )
    values = pl.DataFrame(
        [(u, "turnover_rate", 0.1, 1) for u in ids]
        + [(u, "sick_leave_rate", 0.05, 1) for u in ids],
        schema=["unit_id", "component", "value", "need_sign"],
        orient="row",
    )
    index = support.support_need_index(values, units)
    for _ in range(5):
        ranked = views.ranked_units(index)
        assert ranked["unit_id"].to_list() == ids
        assert set(ranked["rank"]) == {1}
        assert set(ranked["drivers"]) == {"Personalomsättning, Sjukfrånvaro"}


# ---- the small-multiples builder ------------------------------------------------------


def test_facet_trends_draws_one_panel_per_area_with_target_lines_and_dots_for_hidden_values():
    from kompetens.present import charts

    frame = pl.DataFrame(
        {
            "scope_id": ["Norr", "Norr", "Söder", "Söder", "Öst", "Öst", "Väst", "Väst"],
            "period": ["2024", "2025"] * 4,
            "value": [0.5, 0.6, 0.723, None, 0.4, 0.45, 0.9, 0.95],
            "suppressed": [False, False, False, True, False, False, False, False],
            "target": [0.7, 0.75, None, None, 0.7, 0.75, 0.7, 0.75],
        }
    )
    fig = charts.facet_trends(
        frame, facet="scope_id", x="period", y="value", unit="share", target="target"
    )
    values = [t for t in fig.data if t.mode != "lines"]
    targets = [t for t in fig.data if t.mode == "lines"]
    assert len(values) == 4 and len(targets) == 3  # Söder has no target
    # Each panel is titled with its latest value: Söder's 2025 is hidden, so it says "..".
    assert [a.text for a in fig.layout.annotations] == [
        "Norr: 60,0\u00a0% (2025)",
        "Söder: .. (2025)",
        "Öst: 45,0\u00a0% (2025)",
        "Väst: 95,0\u00a0% (2025)",
    ]
    assert list(values[1].customdata) == ["72,3\u00a0%", ".."]
    # four panels in three columns: two rows, every axis inside the figure, one shared y scale
    assert fig.layout.yaxis4.matches == "y"
    for axis in (fig.layout.xaxis, fig.layout.xaxis4, fig.layout.yaxis, fig.layout.yaxis4):
        assert 0 <= axis.domain[0] < axis.domain[1] <= 1
    assert fig.layout.height == 2 * 220 + 40


def test_headline_rows_show_one_scope_never_a_mix(conn):
    two_areas = q.Scope.for_areas("Norr", "Söder")
    cards = q.headline(
        conn,
        two_areas,
        ["certified_teacher_share", "licensed_preschool_teacher_share"],
        "year",
        "2024",
    )
    assert {"Norr", "Söder"} <= set(cards["scope_id"].to_list())
    scope_id, rows = views.headline_rows(cards)
    assert scope_id == "Norr"
    # Norr's certified share (3.4 / 5.9) is hidden by the whole-table mask; its preschool
    # share is L1's 1.8 / 5.55 — both from Norr, none from Söder
    assert rows["certified_teacher_share"]["value"] is None
    assert rows["licensed_preschool_teacher_share"]["value"] == approx(1.8 / 5.55)
    assert {r["scope_id"] for r in rows.values()} == {"Norr"}
    assert views.headline_rows(cards.head(0)) == (None, {})


def test_status_counts_separate_reached_below_and_hidden_units(conn):
    # E1 57,6 % and S1 48,7 % against 70 % would be below, but both are hidden (module docstring)
    assert views.status_counts(q.certification_units(conn, ALL, "teacher", "2024")) == {
        "reached": 0,
        "below": 0,
        "no_target": 0,
        "hidden": 2,
    }
    # L1 2.8 / 6.55 = 42,7 % against its 50 % target: below
    assert views.status_counts(q.certification_units(conn, ALL, "preschool_teacher", "2025")) == {
        "reached": 0,
        "below": 1,
        "no_target": 0,
        "hidden": 0,
    }
    assert views.status_counts(q.certification_units(conn, ALL, "teacher", "2025"))["hidden"] == 2
