"""The query layer on a hand-built key-figure database (see ``kf_helpers``)."""

from __future__ import annotations

import polars as pl
import pytest

try:  # tests/ may or may not be a package
    from tests.kf_helpers import fixture_db, kf, turnover_rows, write_key_figures
except ImportError:
    from kf_helpers import fixture_db, kf, turnover_rows, write_key_figures

from kompetens import query as q
from kompetens.core import store

ALL = q.Scope.everything()
SYD = q.Scope.for_areas("Syd")
S1_ONLY = q.Scope.for_units(["S1"], areas=["Syd"])
CERT = "certified_teacher_share"


@pytest.fixture(scope="module")
def conn():
    """One read-only fixture database for the module (tests that change data make their own)."""
    q.clear_cache()
    c = store.connect(":memory:")
    fixture_db(c)
    yield c
    c.close()


@pytest.fixture
def own_conn():
    q.clear_cache()
    c = store.connect(":memory:")
    fixture_db(c)
    yield c
    c.close()


def test_the_organisation_series_has_each_year_with_its_target(conn):
    s = q.series(conn, ALL, CERT, "org", "org", "year")
    assert s["period"].to_list() == ["2024", "2025"]
    assert s["value"].to_list() == pytest.approx([44 / 67, 47 / 66])  # 0.6567, 0.7121
    # 2025: the targets file says 0.8 for the organisation; 2024 has no row -> registry default 1.0
    assert s["target"].to_list() == [1.0, 0.8]
    assert s["suppressed"].to_list() == [False, False]


def test_the_unit_table_hides_the_small_unit_and_its_neighbour_and_shows_area_and_org(conn):
    t = q.unit_table(conn, ALL, [CERT], "year", "2025", area="Nord")
    rows = {r["unit_id"]: r for r in t.iter_rows(named=True)}
    assert set(rows) == {"N1", "N2", "N4"}  # N3 is a preschool without a teacher figure
    assert rows["N2"][CERT] is None and rows["N2"][f"{CERT}__suppressed"]  # 4 teachers: primary
    assert (
        rows["N1"][CERT] is None and rows["N1"][f"{CERT}__suppressed"]
    )  # next smallest: secondary
    assert rows["N4"][CERT] == pytest.approx(0.75)  # 9 / 12
    assert rows["N4"][f"{CERT}__area"] == pytest.approx(20 / 26)  # Nord: 8+3+9 / 10+4+12
    assert rows["N4"][f"{CERT}__org"] == pytest.approx(47 / 66)
    assert rows["N4"][f"{CERT}__target"] == 0.8  # the org target for 2025
    # 0.80 - 0.75 = 5 pp short; near band 10 % of 0.80 = 8 pp: near
    assert rows["N4"][f"{CERT}__status"] == "yellow"
    assert rows["N1"][f"{CERT}__status"] is None  # no light on a hidden value


def test_compare_puts_a_unit_beside_its_area_the_organisation_its_target_and_last_year(conn):
    c = q.compare(conn, ALL, "S1", [CERT, "turnover_rate"], "year", "2025")
    cert = c.filter(pl.col("indicator_id") == CERT).row(0, named=True)
    assert cert["unit_value"] == pytest.approx(0.6)  # 12 / 20
    assert cert["area_value"] == pytest.approx(0.675)  # Syd 27 / 40
    assert cert["org_value"] == pytest.approx(47 / 66)
    assert cert["target"] == 0.7  # S1's own target beats the org's 0.8
    assert cert["previous_value"] == pytest.approx(0.5)  # 2024: 10 / 20
    assert cert["change"] == pytest.approx(0.1)
    assert cert["status"] == "red"  # 0.70 - 0.60 = 10 pp > near band 10 % of 0.70 = 7 pp
    assert (cert["rank_in_area"], cert["units_in_area"]) == (2, 2)  # S2 0.75 is better
    turnover = c.filter(pl.col("indicator_id") == "turnover_rate").row(0, named=True)
    assert turnover["unit_value"] == pytest.approx(0.10)  # 3 / 30
    assert turnover["status"] == "green"  # lower is better: 0.10 <= 0.12
    assert turnover["rank_in_area"] == 1  # S2 has 0.20: worse
    assert turnover["previous_value"] is None and turnover["change"] is None


def test_traffic_lights_mirror_for_indicators_where_higher_is_worse(conn):
    t = q.unit_table(conn, ALL, ["turnover_rate"], "year", "2025")
    status = dict(zip(t["unit_id"], t["turnover_rate__status"], strict=True))
    # target 0.12, near band 10 % of 0.12 = 1.2 pp: N4 0.08 green, S1 0.10 green,
    # N1 0.15 is 3 pp over: red, S2 0.20 is 8 pp over: red
    assert status == {"N1": "red", "N4": "green", "S1": "green", "S2": "red"}


def test_the_tolerance_is_ten_percent_of_the_target_for_non_shares():
    # hme_index (0-100, higher is better): target 70 -> tolerance 7 points.
    assert q.traffic_light(70, 70, "hme_index") == "green"
    assert q.traffic_light(63.5, 70, "hme_index") == "yellow"  # 6.5 short
    assert q.traffic_light(62, 70, "hme_index") == "red"  # 8 short
    assert q.traffic_light(62, None, "hme_index") is None
    assert q.traffic_light(10, 5, "hires") is None  # neutral indicator


def test_headline_gives_latest_value_change_target_and_light(conn):
    h = q.headline(conn, ALL, [CERT]).row(0, named=True)
    assert (h["level"], h["scope_id"], h["period"]) == ("org", "org", "2025")
    assert h["value"] == pytest.approx(47 / 66)  # 0.7121
    assert h["change"] == pytest.approx(47 / 66 - 44 / 67)  # +0.0554
    assert h["target"] == 0.8
    assert h["status"] == "red"  # 0.8 - 0.7121 = 8.8 pp


def test_headline_for_an_area_scope_is_per_area(conn):
    h = q.headline(conn, SYD, [CERT])
    assert h.select("level", "scope_id").rows() == [("area", "Syd")]
    assert h["value"].item() == pytest.approx(0.675)


def test_a_breakdown_lists_categories_and_keeps_hidden_ones_hidden(conn):
    b = q.breakdown(conn, ALL, CERT, "org", "org", "year", "2025", "school_form")
    assert b["category"].to_list() == ["grundskola", "gymnasieskola"]
    assert b["value"].to_list() == pytest.approx([32 / 46, 0.75])
    small = q.breakdown(
        conn, ALL, "temporary_teacher_share", "unit", "S1", "year", "2025", "staff_category"
    )
    # special educators rest on 3 people; teachers would be all - special educators, so both are hidden
    assert small["suppressed"].to_list() == [True, True]
    assert small["value"].null_count() == 2


def test_suppressed_cells_name_the_reason(conn):
    cells = q.suppressed_cells(conn, ALL, "year", "2025")
    got = {
        (r["indicator_id"], r["scope_id"], r["breakdown"]): r["suppression_reason"]
        for r in cells.iter_rows(named=True)
    }
    assert got == {
        (CERT, "N1", "all"): "secondary",
        (CERT, "N2", "all"): "primary",
        ("temporary_teacher_share", "S1", "staff_category=special_educator"): "primary",
        ("temporary_teacher_share", "S1", "staff_category=teacher"): "secondary",
    }
    # a unit's name beside its id (N1 and N2 are units of this fixture)
    named = dict(zip(cells["scope_id"], cells["scope_name"], strict=True))
    assert all(named[u] not in (None, u) for u in ("N1", "N2", "S1")), named


def test_suppression_is_decided_on_the_whole_organisation_before_the_scope_narrows():
    # A principal of N1 alone must still see N1 hidden: visible, it would give N2 = Nord - N1 - N4.
    q.clear_cache()
    c = store.connect(":memory:")
    fixture_db(c)
    n1 = q.Scope.for_units(["N1"], areas=["Nord"])
    s = q.series(c, n1, CERT, "unit", "N1", "year")
    assert s["suppressed"].to_list() == [False, True]  # 2024 shown (0.7), 2025 hidden
    assert s["value"].to_list()[0] == pytest.approx(0.7)


def test_available_periods_areas_and_units(conn):
    assert q.available_periods(conn, ALL, "year")["period"].to_list() == ["2024", "2025"]
    assert q.areas(conn, ALL)["area"].to_list() == ["Central", "Nord", "Syd"]
    assert q.areas(conn, SYD).rows() == [("Syd", 2)]
    assert q.units(conn, ALL, area="Nord", school_form="grundskola")[
        "unit_id"
    ].sort().to_list() == ["N1", "N2", "N4"]
    assert q.units(conn, S1_ONLY)["unit_id"].to_list() == ["S1"]


def test_segregation_uses_only_visible_schools(conn):
    result = q.segregation(conn, ALL, "2025")
    assert result.points["unit_id"].to_list() == ["N1", "N2", "N4", "S1", "S2"]
    assert result.points.filter(pl.col("suppressed"))["value"].null_count() == 2
    # Visible: N4 (1.5; 9/12), S1 (3.0; 12/20), S2 (4.0; 15/20). Weighted by teacher FTE 12, 20, 20:
    # mean x = (18+60+80)/52 = 3.0385, mean y = 36/52 = 0.6923, cov = 0.11538/52, var x = 46.923/52,
    # var y = 0.27692/52 -> r = 0.11538 / sqrt(46.923 * 0.27692) = 0.0320.
    assert result.stats.n_schools == 3
    assert result.stats.pearson == pytest.approx(0.0320, abs=1e-4)
    assert result.stats.interpretation_sv.startswith("Det finns inget tydligt samband")


# --- scope: parametrised over every query function -------------------------------------------

CALLS = {
    "available_periods": lambda c, s: q.available_periods(c, s, "year"),
    "areas": lambda c, s: q.areas(c, s),
    "units": lambda c, s: q.units(c, s),
    "series_by_scope_unit": lambda c, s: q.series_by_scope(c, s, CERT, "unit", "year"),
    "series_by_scope_area": lambda c, s: q.series_by_scope(c, s, CERT, "area", "year"),
    "unit_values": lambda c, s: q.unit_values(c, s, [CERT, "turnover_rate"], "year", "2025"),
    "unit_table": lambda c, s: q.unit_table(c, s, [CERT, "turnover_rate"], "year", "2025"),
    "headline": lambda c, s: q.headline(c, s, [CERT, "turnover_rate"]),
    "support_need": lambda c, s: q.support_need(c, s, period="2025-10"),
    "segregation": lambda c, s: q.segregation(c, s, "2025").points,
    "suppressed_cells": lambda c, s: q.suppressed_cells(c, s, "year", "2025"),
    "figures": lambda c, s: q.figures(c, s, [CERT, "turnover_rate", "temporary_teacher_share"]),
    "compare_own_unit": lambda c, s: q.compare(c, s, "S1", [CERT], "year", "2025"),
    "series_own_unit": lambda c, s: q.series(c, s, CERT, "unit", "S1", "year").with_columns(pl.lit("S1").alias("unit_id")),
    "breakdown_own_unit": lambda c, s: q.breakdown(c, s, "temporary_teacher_share", "unit", "S1", "year", "2025", "staff_category").with_columns(pl.lit("S1").alias("unit_id")),
}  # fmt: skip

OUTSIDE = {
    "series_other_unit": lambda c, s: q.series(c, s, CERT, "unit", "N4", "year"),
    "series_other_area": lambda c, s: q.series(c, s, CERT, "area", "Nord", "year"),
    "compare_other_unit": lambda c, s: q.compare(c, s, "N4", [CERT], "year", "2025"),
    "breakdown_other_area": lambda c, s: q.breakdown(
        c, s, CERT, "area", "Nord", "year", "2025", "school_form"
    ),
    "unit_table_other_area": lambda c, s: q.unit_table(c, s, [CERT], "year", "2025", area="Nord"),
    "units_other_area": lambda c, s: q.units(c, s, area="Nord"),
}


def units_and_areas_in(frame: pl.DataFrame) -> tuple[set[str], set[str]]:
    """Every unit id and area name a result mentions, whatever its shape."""
    units, areas = set(), set()
    if "unit_id" in frame.columns:
        units |= set(frame["unit_id"].drop_nulls().to_list())
    if "level" in frame.columns and "scope_id" in frame.columns:
        units |= set(frame.filter(pl.col("level") == "unit")["scope_id"].to_list())
        areas |= set(frame.filter(pl.col("level") == "area")["scope_id"].to_list())
    if "scope_id" in frame.columns and "level" not in frame.columns:
        ids = set(frame["scope_id"].to_list())
        units |= ids & {"N1", "N2", "N3", "N4", "S1", "S2", "C1"}
        areas |= ids & {"Nord", "Syd", "Central"}
    if "area" in frame.columns:
        areas |= set(frame["area"].drop_nulls().to_list())
    return units, areas


@pytest.mark.parametrize("name", sorted(CALLS))
def test_an_area_scope_never_returns_rows_of_another_area(conn, name):
    units, areas = units_and_areas_in(CALLS[name](conn, SYD))
    assert units <= {"S1", "S2"}
    assert areas <= {"Syd"}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_unit_scope_never_returns_other_units(conn, name):
    units, areas = units_and_areas_in(CALLS[name](conn, S1_ONLY))
    assert units <= {"S1"}
    assert areas <= {"Syd"}


@pytest.mark.parametrize("name", sorted(OUTSIDE))
def test_asking_for_a_unit_or_area_outside_the_scope_is_refused(conn, name):
    with pytest.raises(q.ScopeError):
        OUTSIDE[name](conn, SYD)
    with pytest.raises(q.ScopeError):
        OUTSIDE[name](conn, S1_ONLY)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_function_answers_for_the_whole_organisation(conn, name):
    assert CALLS[name](conn, ALL).height > 0


# --- cache ------------------------------------------------------------------------------------


def test_results_are_cached_until_the_data_version_changes(own_conn):
    conn = own_conn
    first = q.unit_table(conn, ALL, [CERT], "year", "2025")
    assert q.unit_table(conn, ALL, [CERT], "year", "2025") is first  # served from the cache
    store.bump_data_version(conn)
    assert q.unit_table(conn, ALL, [CERT], "year", "2025") is not first


def test_a_recompute_of_the_key_figures_is_seen_without_a_version_bump(own_conn):
    conn = own_conn
    before = q.series(conn, ALL, "turnover_rate", "org", "org", "year")["value"].to_list()
    rows = [r for r in turnover_rows() if r[1] != "org"] + [
        kf("turnover_rate", "org", "org", "year", "2025", 23, 115, 115)
    ]
    write_key_figures(conn, rows)
    after = q.series(conn, ALL, "turnover_rate", "org", "org", "year")["value"].to_list()
    assert before == pytest.approx([16 / 115]) and after == pytest.approx([23 / 115])


def test_two_databases_do_not_share_cached_results():
    q.clear_cache()
    a, b = store.connect(":memory:"), store.connect(":memory:")
    fixture_db(a)
    fixture_db(b)
    write_key_figures(b, [kf(CERT, "org", "org", "year", "2025", 1, 2, 50)])
    assert q.series(a, ALL, CERT, "org", "org", "year")["value"].to_list()[-1] == pytest.approx(
        47 / 66
    )
    assert q.series(b, ALL, CERT, "org", "org", "year")["value"].to_list() == [0.5]


def test_an_empty_database_gives_empty_frames_not_errors():
    q.clear_cache()
    c = store.connect(":memory:")
    assert q.available_periods(c, ALL, "year").height == 0
    assert q.unit_table(c, ALL, [CERT], "year", "2025").height == 0
    assert q.headline(c, ALL, [CERT]).height == 0
    assert q.support_need(c, ALL).height == 0
    assert q.segregation(c, ALL).stats.n_schools == 0
