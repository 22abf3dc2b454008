"""Query functions of the ARUBA page: breakdown series and the redundancy rule, on hand-built key figures."""

from __future__ import annotations

import polars as pl
import pytest

try:  # tests/ may or may not be a package
    from tests.kf_helpers import kf, write_key_figures, write_units
except ImportError:
    from kf_helpers import kf, write_key_figures, write_units

from kompetens import query as q
from kompetens.core import store

ALL = q.Scope.everything()
SYD = q.Scope.for_areas("Syd")
R, V = "redundant_staff_unplaced", "open_vacancies_for_redundant"
A, C, OTHER = "staff_category=assistant", "staff_category=childminder", "staff_category=other"


def redundancy_rows() -> list[tuple]:
    """October 2025 (yearly value). Counts: numerator = value, n = the people (or requisitions) counted.

    Unplaced redundant assistants: N1 3, N4 4 (Nord 7), S1 6, S2 5 (Syd 11), org 18;
    childminders: N3 2 and other staff: N3 2 (Nord 2 each, org 2 each: fewer than 5, hidden);
    all categories at org: 22 (two hidden cells, so assistants need not be hidden with them).
    Open assistant vacancies: N1 6 (Nord 6), S1 5 (Syd 5), org 11; childminder: N3 1. Vacancies
    are posts (registry ``counts='posts'``): n = 0, never hidden, whatever their number.
    """
    rows = []
    for unit, n in [("N1", 3), ("N4", 4), ("S1", 6), ("S2", 5)]:
        rows.append(kf(R, "unit", unit, "year", "2025", n, None, n, A))
    rows += [
        kf(R, "area", "Nord", "year", "2025", 7, None, 7, A),
        kf(R, "area", "Syd", "year", "2025", 11, None, 11, A),
        kf(R, "org", "org", "year", "2025", 18, None, 18, A),
        kf(R, "unit", "N3", "year", "2025", 2, None, 2, C),
        kf(R, "area", "Nord", "year", "2025", 2, None, 2, C),
        kf(R, "org", "org", "year", "2025", 2, None, 2, C),
        kf(R, "unit", "N3", "year", "2025", 2, None, 2, OTHER),
        kf(R, "area", "Nord", "year", "2025", 2, None, 2, OTHER),
        kf(R, "org", "org", "year", "2025", 2, None, 2, OTHER),
        kf(R, "org", "org", "year", "2025", 22, None, 22),
        kf(V, "unit", "N1", "year", "2025", 6, None, 0, A),
        kf(V, "unit", "S1", "year", "2025", 5, None, 0, A),
        kf(V, "area", "Nord", "year", "2025", 6, None, 0, A),
        kf(V, "area", "Syd", "year", "2025", 5, None, 0, A),
        kf(V, "org", "org", "year", "2025", 11, None, 0, A),
        kf(V, "unit", "N3", "year", "2025", 1, None, 0, C),
        kf(V, "area", "Nord", "year", "2025", 1, None, 0, C),
        kf(V, "org", "org", "year", "2025", 1, None, 0, C),
        # an earlier year: only redundant assistants in Syd, no vacancies
        kf(R, "unit", "S1", "year", "2024", 6, None, 6, A),
        kf(R, "area", "Syd", "year", "2024", 6, None, 6, A),
        kf(R, "org", "org", "year", "2024", 6, None, 6, A),
    ]
    return rows


def forecast_rows() -> list[tuple]:
    """retirement_forecast_5y of the organisation by staff category, two years; assistants 2024 rest on 3.

    2024 has no total row, so hiding the assistants alone is enough.
    """
    f = "retirement_forecast_5y"
    return [
        kf(f, "org", "org", "year", "2024", 12, None, 12, "staff_category=teacher"),
        kf(f, "org", "org", "year", "2024", 3, None, 3, "staff_category=assistant"),
        kf(f, "org", "org", "year", "2025", 14, None, 14, "staff_category=teacher"),
        kf(f, "org", "org", "year", "2025", 6, None, 6, "staff_category=assistant"),
        kf(f, "org", "org", "year", "2025", 20, None, 20),
        kf(f, "area", "Syd", "year", "2025", 9, None, 9, "staff_category=teacher"),
    ]


@pytest.fixture(scope="module")
def conn():
    q.clear_cache()
    c = store.connect(":memory:")
    write_units(c)
    write_key_figures(c, redundancy_rows() + forecast_rows())
    yield c
    c.close()


def as_tuples(frame: pl.DataFrame) -> list[tuple]:
    return frame.select(
        "level", "area", "category", "redundant_unplaced", "open_vacancies", "placeable"
    ).rows()


def test_redundant_staff_are_matched_with_vacancies_of_their_category_per_area_and_organisation(
    conn,
):
    m = q.redundancy_matches(conn, ALL, "year", "2025")
    assert as_tuples(m) == [
        ("org", None, "assistant", 18.0, 11.0, 11.0),  # 11 of 18 can be placed in open posts
        # 2 people (hidden) and 1 post (shown: a post is not a person); placeable stays hidden
        ("org", None, "childminder", None, 1.0, None),
        ("org", None, "other", None, 0.0, None),  # no open post; the 2 people stay hidden
        ("area", "Nord", "assistant", 7.0, 6.0, 6.0),
        ("area", "Nord", "childminder", None, 1.0, None),
        ("area", "Nord", "other", None, 0.0, None),
        ("area", "Syd", "assistant", 11.0, 5.0, 5.0),
    ]
    hidden = m.filter(pl.col("category") == "childminder")
    assert hidden["redundant_suppressed"].to_list() == [True, True]  # 2 people
    assert hidden["vacancies_suppressed"].to_list() == [False, False]  # 1 post
    assert m["period"].unique().to_list() == ["2025"]


def test_the_newest_period_is_used_when_none_is_given_and_missing_vacancies_count_zero(conn):
    assert q.redundancy_matches(conn, ALL, "year").equals(
        q.redundancy_matches(conn, ALL, "year", "2025")
    )
    earlier = q.redundancy_matches(conn, ALL, "year", "2024")
    # vacancy figures exist (for 2025), so no vacancy row in 2024 means none were open
    assert as_tuples(earlier) == [
        ("org", None, "assistant", 6.0, 0.0, 0.0),
        ("area", "Syd", "assistant", 6.0, 0.0, 0.0),
    ]


def test_an_area_scope_sees_the_organisation_and_its_own_area_only(conn):
    m = q.redundancy_matches(conn, SYD, "year", "2025")
    assert m.select("level", "area").unique(maintain_order=True).rows() == [
        ("org", None),
        ("area", "Syd"),
    ]


def test_without_any_vacancy_figures_the_vacancies_are_unknown_not_zero():
    q.clear_cache()
    c = store.connect(":memory:")
    try:
        write_units(c)
        write_key_figures(c, [r for r in redundancy_rows() if r[0] == R])
        m = q.redundancy_matches(c, ALL, "year", "2025")
        org = m.filter((pl.col("level") == "org") & (pl.col("category") == "assistant"))
        assert org.select("redundant_unplaced", "open_vacancies", "placeable").row(0) == (
            18.0,
            None,
            None,
        )
    finally:
        c.close()


def test_no_redundancy_figures_give_an_empty_frame(conn):
    c = store.connect(":memory:")
    try:
        write_units(c)
        assert q.redundancy_matches(c, ALL).height == 0
    finally:
        c.close()


def test_a_breakdown_series_gives_every_year_and_category_with_hidden_cells_hidden(conn):
    s = q.breakdown_series(
        conn, ALL, "retirement_forecast_5y", "org", "org", "year", "staff_category"
    )
    assert s.select("period", "category", "value", "suppressed").rows() == [
        ("2024", "assistant", None, True),  # 3 people
        ("2024", "teacher", 12.0, False),  # no total for 2024, so nothing recovers the assistants
        ("2025", "assistant", 6.0, False),
        ("2025", "teacher", 14.0, False),
    ]


def test_a_breakdown_series_outside_the_scope_is_refused(conn):
    with pytest.raises(q.ScopeError):
        q.breakdown_series(
            conn, SYD, "retirement_forecast_5y", "area", "Nord", "year", "staff_category"
        )


def test_an_area_filter_keeps_the_organisation_and_that_area(conn):
    m = q.redundancy_matches(conn, ALL, "year", "2025", area="Syd")
    assert as_tuples(m)[-1] == ("area", "Syd", "assistant", 11.0, 5.0, 5.0)
    assert set(m["area"].drop_nulls()) == {"Syd"}
    assert m.filter(pl.col("level") == "org").height == 3
    with pytest.raises(q.ScopeError):
        q.redundancy_matches(conn, SYD, "year", "2025", area="Nord")
