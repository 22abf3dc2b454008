"""Small-number suppression: hand-made cases and property tests (no recovery by subtraction)."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompetens.query.suppression import (
    SUPPRESSION_THRESHOLD,
    apply_suppression,
    equations,
    recoverable_equations,
)


def row(level, scope_id, n, numerator=None, denominator=None, breakdown="all", indicator="x"):
    numerator = float(n) if numerator is None else float(numerator)
    denominator = float(n) if denominator is None else float(denominator)
    return {
        "indicator_id": indicator,
        "level": level,
        "scope_id": scope_id,
        "period_type": "year",
        "period": "2025",
        "breakdown": breakdown,
        "numerator": numerator,
        "denominator": denominator,
        "value": numerator / denominator if denominator else None,
        "n_individuals": n,
    }


def frame(rows):
    return pl.DataFrame(
        rows,
        schema_overrides={
            "n_individuals": pl.Int64,
            "denominator": pl.Float64,
            "value": pl.Float64,
        },
    )


def hidden(result) -> set[tuple[str, str]]:
    return {
        (r["scope_id"], r["breakdown"])
        for r in result.filter(pl.col("suppressed")).iter_rows(named=True)
    }


def test_the_threshold_is_five_people():
    assert SUPPRESSION_THRESHOLD == 5


def test_a_value_on_four_people_is_suppressed_and_one_on_five_is_shown():
    result = apply_suppression(
        frame([row("unit", "u1", 4), row("unit", "u2", 5)]), {"u1": "A", "u2": "A"}
    )
    assert result["suppressed"].to_list() == [True, False]
    first = result.row(0, named=True)
    assert first["value"] is None and first["numerator"] is None and first["denominator"] is None
    assert first["n_individuals"] is None  # for a count, n is the hidden value itself
    assert result.row(1, named=True)["value"] == 1.0


def test_a_lone_hidden_unit_takes_the_next_smallest_unit_of_its_area_with_it():
    # Area A = u1 + u2 + u3 (3 + 10 + 20 = 33 people). u1 alone hidden would be A - u2 - u3.
    units = {"u1": "A", "u2": "A", "u3": "A", "u4": "B"}
    rows = [
        row("unit", "u1", 3),
        row("unit", "u2", 10),
        row("unit", "u3", 20),
        row("area", "A", 33),
        row("unit", "u4", 8),
        row("area", "B", 8),
        row("org", "org", 41),
    ]
    result = apply_suppression(frame(rows), units, with_reason=True)
    assert hidden(result) == {("u1", "all"), ("u2", "all")}
    reasons = dict(zip(result["scope_id"], result["suppression_reason"], strict=True))
    assert reasons["u1"] == "primary" and reasons["u2"] == "secondary" and reasons["u3"] is None


def test_progress_is_told_each_step_in_swedish_in_order_and_ends_at_one():
    # The same area as above: u1 (3 people) is hidden, so every step runs once.
    units = {"u1": "A", "u2": "A", "u3": "A"}
    rows = [
        row("unit", "u1", 3),
        row("unit", "u2", 10),
        row("unit", "u3", 20),
        row("area", "A", 33),
    ]
    told: list[tuple[float, str]] = []
    apply_suppression(
        frame(rows), units, with_reason=True, progress=lambda f, m: told.append((f, m))
    )
    fractions = [f for f, _ in told]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [m for _, m in told] == [
        "letar nyckeltal som visar samma tal",
        "ställer upp summorna mellan enheter, kategorier och månader",
        "döljer fler tal så att inget dolt tal kan räknas fram",
        "märker tal som upprepar ett litet tal",
        "små tal dolda",
    ]


def test_a_small_area_hides_a_second_area_and_a_unit_inside_it():
    # A = a1 (3 people): both primary. Org = A + B + C, so B (30, smaller than C's 90) is hidden,
    # and then B = b1 + b2 with B hidden: b1 (10, smaller than b2's 20) is hidden too.
    units = {"a1": "A", "b1": "B", "b2": "B", "c1": "C", "c2": "C"}
    rows = [
        row("unit", "a1", 3),
        row("area", "A", 3),
        row("unit", "b1", 10),
        row("unit", "b2", 20),
        row("area", "B", 30),
        row("unit", "c1", 40),
        row("unit", "c2", 50),
        row("area", "C", 90),
        row("org", "org", 123),
    ]
    result = apply_suppression(frame(rows), units)
    assert hidden(result) == {("a1", "all"), ("A", "all"), ("B", "all"), ("b1", "all")}
    assert recoverable_equations(result, units).height == 0


def test_a_hidden_category_cannot_be_recovered_from_the_all_row():
    # S1 all (22) = teacher (19) + special_educator (3): the teacher row must go too.
    rows = [
        row("unit", "S1", 22),
        row("unit", "S1", 19, breakdown="staff_category=teacher"),
        row("unit", "S1", 3, breakdown="staff_category=special_educator"),
    ]
    result = apply_suppression(frame(rows), {"S1": "Syd"})
    assert hidden(result) == {
        ("S1", "staff_category=teacher"),
        ("S1", "staff_category=special_educator"),
    }
    assert result.filter(pl.col("breakdown") == "all")["suppressed"].to_list() == [False]


def test_a_variant_is_not_a_part_of_the_total_so_it_hides_nothing_else():
    rows = [row("unit", "u1", 30), row("unit", "u1", 3, breakdown="variant=excl_retirement")]
    result = apply_suppression(frame(rows), {"u1": "A"})
    assert result["suppressed"].to_list() == [False, True]


def test_counts_are_protected_too():
    # hires: u1 2 and u2 7 in area A (9): u1 primary, u2 secondary (otherwise 9 - 7 = 2).
    rows = [
        row("unit", "u1", 2, 2, None, indicator="hires"),
        row("unit", "u2", 7, 7, None, indicator="hires"),
        row("area", "A", 9, 9, None, indicator="hires"),
    ]
    for r in rows:
        r["denominator"] = None
        r["value"] = r["numerator"]
    result = apply_suppression(frame(rows), {"u1": "A", "u2": "A"})
    assert result["suppressed"].to_list() == [True, True, False]
    assert result["value"].to_list() == [None, None, 9.0]


def test_a_count_of_zero_describes_nobody_and_is_shown():
    rows = [
        row("unit", "u1", 0, 0, None, indicator="retirements"),
        row("unit", "u2", 6, 6, None, indicator="retirements"),
    ]
    for r in rows:
        r["denominator"], r["value"] = None, r["numerator"]
    result = apply_suppression(frame(rows), {"u1": "A", "u2": "A"})
    assert result["suppressed"].to_list() == [False, False]
    assert result["value"].to_list() == [0.0, 6.0]


def test_a_row_without_a_known_n_is_not_suppressed():
    rows = [row("unit", "u1", 10), row("unit", "u2", 10)]
    rows[0]["n_individuals"] = None
    result = apply_suppression(frame(rows), {"u1": "A", "u2": "A"})
    assert result["suppressed"].to_list() == [False, False]


def test_suppression_is_idempotent_and_keeps_order_and_columns():
    units = {"u1": "A", "u2": "A", "u3": "A"}
    rows = [
        row("unit", "u3", 20),
        row("unit", "u1", 3),
        row("area", "A", 33),
        row("unit", "u2", 10),
    ]
    once = apply_suppression(frame(rows), units)
    twice = apply_suppression(once, units)
    assert once.columns == [*frame(rows).columns, "suppressed"]
    assert once["scope_id"].to_list() == ["u3", "u1", "A", "u2"]
    assert once.equals(twice)


def test_groups_are_separate_per_indicator_and_period():
    rows = [row("unit", "u1", 3), row("unit", "u2", 10), row("area", "A", 13)]
    other = [dict(r, period="2024", n_individuals=50) for r in rows]
    result = apply_suppression(frame(rows + other), {"u1": "A", "u2": "A"})
    assert result.filter(pl.col("period") == "2024")["suppressed"].to_list() == [
        False,
        False,
        False,
    ]
    # 2025: u1 primary; u2 then alone visible beside it, A = u1 + u2 -> u2 hidden
    assert result.filter(pl.col("period") == "2025")["suppressed"].to_list() == [True, True, False]


# --- property tests -------------------------------------------------------------------------


@st.composite
def hierarchies(draw, with_categories: bool = False):
    """Random units in areas (n, numerator <= denominator), with exactly additive area and org rows.

    With categories, a unit may also have a school form (a second dimension: the unit's
    ``school_form=`` row is its ``all`` row again, and areas sum them), as in the demo.
    """
    n_areas = draw(st.integers(1, 4))
    rows, units = [], {}
    categories = (
        ["teacher", "assistant", "other"][: draw(st.integers(2, 3))] if with_categories else []
    )
    forms = ["f1", "f2"] if with_categories and draw(st.booleans()) else []
    org = {"all": [0, 0.0, 0.0]}
    for a in range(n_areas):
        area = f"A{a}"
        totals = {"all": [0, 0.0, 0.0]}
        for u in range(draw(st.integers(1, 5))):
            unit = f"{area}u{u}"
            units[unit] = area
            parts = {}
            if categories:
                for c in categories:
                    n = draw(st.integers(0, 25))
                    den = float(draw(st.integers(n, n + 5))) if n else 0.0
                    parts[f"staff_category={c}"] = [
                        n,
                        float(draw(st.integers(0, int(den)))) if den else 0.0,
                        den,
                    ]
                cells = {
                    "all": [
                        sum(p[0] for p in parts.values()),
                        sum(p[1] for p in parts.values()),
                        sum(p[2] for p in parts.values()),
                    ],
                    **parts,
                }
                if forms:
                    cells[f"school_form={draw(st.sampled_from(forms))}"] = list(cells["all"])
            else:
                n = draw(st.integers(0, 30))
                den = float(draw(st.integers(n, n + 5))) if n else 0.0
                cells = {"all": [n, float(draw(st.integers(0, int(den)))) if den else 0.0, den]}
            for bd, (n, num, den) in cells.items():
                rows.append(row("unit", unit, n, num, den, breakdown=bd))
                t = totals.setdefault(bd, [0, 0.0, 0.0])
                o = org.setdefault(bd, [0, 0.0, 0.0])
                for i, v in enumerate((n, num, den)):
                    t[i] += v
                    o[i] += v
        for bd, (n, num, den) in totals.items():
            rows.append(row("area", area, n, num, den, breakdown=bd))
    for bd, (n, num, den) in org.items():
        rows.append(row("org", "org", n, num, den, breakdown=bd))
    for r in rows:
        if not r["denominator"]:
            r["value"] = None
    return frame(rows), units


def determinable_hidden_cells(result: pl.DataFrame, units: dict[str, str]) -> list[int]:
    """Hidden cells whose value follows from the visible cells by linear algebra (should be none).

    Each equation total - sum(parts) = 0 is a row of A; with the visible cells
    known, the hidden cells x_H satisfy A_H x_H = b. Cell i is determined iff
    the unit vector e_i lies in the row space of A_H.
    """
    df = (
        result.with_row_index("_cell")
        .with_columns(pl.col("scope_id").replace_strict(units, default=None).alias("area"))
        .with_columns(
            pl.when(pl.col("level") == "unit").then(pl.col("area")).otherwise(None).alias("_area")
        )
    )
    members = equations(df)
    eq_ids = {e: i for i, e in enumerate(sorted(set(members["_eq"].to_list())))}
    a = np.zeros((len(eq_ids), df.height))
    for eq, cell, role in members.select("_eq", "_cell", "_role").iter_rows():
        a[eq_ids[eq], cell] = 1.0 if role == "total" else -1.0
    hidden_cells = [i for i, h in enumerate(result["suppressed"].to_list()) if h]
    a_h = a[:, hidden_cells]
    rank = np.linalg.matrix_rank(a_h) if a_h.size else 0
    found = []
    for j, cell in enumerate(hidden_cells):
        e = np.zeros((1, len(hidden_cells)))
        e[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a_h, e])) == rank:
            found.append(cell)
    return found


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hierarchies())
def test_no_suppressed_unit_or_area_can_be_recovered_by_subtraction(case):
    kf, units = case
    result = apply_suppression(kf, units)
    # Every row on fewer than five people is hidden ...
    small = kf.with_columns(result["suppressed"]).filter(
        (pl.col("n_individuals") > 0) & (pl.col("n_individuals") < SUPPRESSION_THRESHOLD)
    )
    assert small["suppressed"].all()
    # ... every equation (area = its units, org = its areas) has 0 or >= 2 hidden cells ...
    assert recoverable_equations(result, units).height == 0
    # ... and no hidden cell is determined by the visible ones, even by combining equations.
    assert determinable_hidden_cells(result, units) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hierarchies(with_categories=True))
def test_with_category_breakdowns_every_equation_has_zero_or_at_least_two_hidden_cells(case):
    kf, units = case
    result = apply_suppression(kf, units)
    assert recoverable_equations(result, units).height == 0
    assert result.filter(pl.col("suppressed"))["value"].null_count() == result["suppressed"].sum()


@settings(max_examples=60, deadline=None)
@given(hierarchies(with_categories=True))
def test_visible_shares_stay_between_zero_and_one_and_are_unchanged(case):
    kf, units = case
    result = apply_suppression(kf, units)
    visible = result.filter(~pl.col("suppressed") & pl.col("value").is_not_null())
    assert visible.filter((pl.col("value") < 0) | (pl.col("value") > 1)).height == 0
    original = kf.filter(~result["suppressed"])
    assert original["value"].to_list() == result.filter(~pl.col("suppressed"))["value"].to_list()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hierarchies(with_categories=True))
def test_with_the_exact_check_no_hidden_cell_of_a_linked_table_is_determined(case):
    # Units x categories with area and organisation totals: every hidden cell must stay
    # undetermined by the published cells and all the sum equations together.
    kf, units = case
    result = apply_suppression(kf, units, exact=True)
    assert determinable_hidden_cells(result, units) == []
    small = kf.with_columns(result["suppressed"]).filter(
        (pl.col("n_individuals") > 0) & (pl.col("n_individuals") < SUPPRESSION_THRESHOLD)
    )
    assert small["suppressed"].all()


@st.composite
def month_tables(draw):
    """1-3 units straight under the organisation, 12 months of sick hours each, and the year and
    the rolling 12 months to December as exact sums of the months (n: the year's headcount)."""
    rows, units = [], {}
    org: dict[tuple[str, str], list[float]] = {}

    def add(unit, pt, period, n, hours, den):
        rows.append(
            dict(row("unit", unit, n, hours, den, indicator="sick"), period_type=pt, period=period)
        )
        o = org.setdefault((pt, period), [0, 0.0, 0.0])
        o[0], o[1], o[2] = o[0] + n, o[1] + hours, o[2] + den

    for u in range(draw(st.integers(1, 3))):
        unit = f"u{u}"
        units[unit] = f"A{u}"
        months = [(draw(st.integers(0, 12)), float(draw(st.integers(0, 40)))) for _ in range(12)]
        for m, (n, hours) in enumerate(months, start=1):
            add(unit, "month", f"2024-{m:02d}", n, hours, 100.0)
        n_year, hours_year = max(n for n, _ in months), sum(h for _, h in months)
        add(unit, "year", "2024", n_year, hours_year, 1200.0)
        add(unit, "rolling_12m", "2024-12", n_year, hours_year, 1200.0)
    for (pt, period), (n, num, den) in org.items():
        rows.append(
            dict(row("org", "org", n, num, den, indicator="sick"), period_type=pt, period=period)
        )
    return frame(rows), units


def determinable_with_months(result: pl.DataFrame, units: dict[str, str]) -> list[int]:
    """As ``determinable_hidden_cells``, with the months -> year / rolling-window equations too."""
    from kompetens.query.suppression import time_equations

    df = result.with_row_index("_cell").with_columns(
        pl.when(pl.col("level") == "unit")
        .then(pl.col("scope_id").replace_strict(units, default=None))
        .otherwise(None)
        .alias("_area")
    )
    members = pl.concat(
        [
            equations(df).select("_eq", pl.col("_cell").cast(pl.UInt32), "_role"),
            time_equations(df, {"sick"}),
        ]
    )
    eq_ids = {e: i for i, e in enumerate(sorted(set(members["_eq"].to_list())))}
    a = np.zeros((len(eq_ids), df.height))
    for eq, cell_id, role in members.select("_eq", "_cell", "_role").iter_rows():
        a[eq_ids[eq], cell_id] = 1.0 if role == "total" else -1.0
    hidden_cells = [i for i, h in enumerate(result["suppressed"].to_list()) if h]
    a_h = a[:, hidden_cells]
    rank = np.linalg.matrix_rank(a_h) if a_h.size else 0
    found = []
    for j, cell_id in enumerate(hidden_cells):
        e = np.zeros((1, len(hidden_cells)))
        e[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a_h, e])) == rank:
            found.append(cell_id)
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(month_tables())
def test_a_hidden_month_is_not_determined_by_the_year_the_rolling_window_and_the_other_months(case):
    kf, units = case
    result = apply_suppression(
        kf, units, exact=True, sum_indicators=frozenset(), month_flows=frozenset({"sick"})
    )
    assert determinable_with_months(result, units) == []


# --- the exact check -----------------------------------------------------------------------


def exact_check(n_cells, equations_, present=None):
    """An ExactCheck over hand-written equations: each is a list of (cell, +1 total / -1 part)."""
    from kompetens.query.suppression.exact import ExactCheck

    eq, cell, coef = [], [], []
    for i, members in enumerate(equations_):
        for c, k in members:
            eq.append(i)
            cell.append(c)
            coef.append(float(k))
    if present is None:
        present = np.ones((n_cells, 4), dtype=bool)
        present[:, 0] = False  # values do not add up here: numerator, denominator, n do
    return ExactCheck(
        present, np.array(eq), np.array(cell), np.array(coef), np.zeros(n_cells, dtype=bool)
    )


def test_three_hidden_cells_pairwise_in_three_sums_are_each_determined():
    # Cells 0, 1, 2 hidden; 3, 4, 5 visible totals: 3 = 0 + 1, 4 = 1 + 2, 5 = 0 + 2.
    # Every equation has two hidden cells, yet 0 = (3 - 4 + 5) / 2, and so on.
    check = exact_check(
        6, [[(3, 1), (0, -1), (1, -1)], [(4, 1), (1, -1), (2, -1)], [(5, 1), (0, -1), (2, -1)]]
    )
    hidden = np.array([True, True, True, False, False, False])
    assert check.determined(hidden).tolist() == [0, 1, 2]
    # Hiding one total (5) leaves 0 + 1 and 1 + 2 known: one free unknown, nothing determined.
    hidden[5] = True
    assert check.determined(hidden).tolist() == []


def test_two_triangles_of_the_same_shape_are_decomposed_once_whatever_their_member_order():
    # Cells 0-5 as above (0, 1, 2 hidden; 3 = 0 + 1, 4 = 1 + 2, 5 = 0 + 2), and cells 6-11 the
    # same triangle with its equations' members written in another order. Per field that adds
    # up here (numerator, denominator, n) each triangle is a component: six components, all
    # the same 3 x 3 matrix, so the check decomposes it once and finds all six determined.
    triangle = [[(3, 1), (0, -1), (1, -1)], [(4, 1), (1, -1), (2, -1)], [(5, 1), (0, -1), (2, -1)]]
    shuffled = [
        [(7, -1), (9, 1), (6, -1)],
        [(8, -1), (10, 1), (7, -1)],
        [(8, -1), (6, -1), (11, 1)],
    ]
    check = exact_check(12, triangle + shuffled)
    hidden = np.array([True, True, True, False, False, False] * 2)
    assert check.determined(hidden).tolist() == [0, 1, 2, 6, 7, 8]
    assert len(check._cache) == 1


def test_the_exact_check_holds_its_entries_in_narrow_integers():
    # 3 equations x 3 members x 3 fields (numerator, denominator, n) = 27 entries
    check = exact_check(
        6, [[(3, 1), (0, -1), (1, -1)], [(4, 1), (1, -1), (2, -1)], [(5, 1), (0, -1), (2, -1)]]
    )
    assert check.cell.size == 27
    assert (check.cell.dtype, check.eq.dtype, check.by_cell.dtype, check.by_eq.dtype) == (
        np.int32,
    ) * 4
    assert (check.field.dtype, check.coef.dtype) == (np.int8, np.int8)
    assert sorted(set(check.coef.tolist())) == [-1, 1]


def test_the_exact_check_picks_one_total_that_sets_all_three_free():
    # As above. The cheapest null vector through cell 0 hides one total: with 5 hidden,
    # (0, 1, 2, 5) = (1, -1, 1, 2) keeps 3 = 0 + 1, 4 = 1 + 2 and 5 = 0 + 2 true, so 0 can move,
    # and with it 1 and 2 (the vector touches them too). Hiding 3, 4 or 5 costs the same; the
    # program takes one of them, not two.
    check = exact_check(
        6, [[(3, 1), (0, -1), (1, -1)], [(4, 1), (1, -1), (2, -1)], [(5, 1), (0, -1), (2, -1)]]
    )
    hidden = np.array([True, True, True, False, False, False])
    picks = check.picks(hidden)
    assert len(picks) == 1 and int(picks[0]) in (3, 4, 5)
    hidden[picks] = True
    assert check.determined(hidden).tolist() == []


def test_people_do_not_add_up_over_months_so_a_year_does_not_give_a_months_n_away():
    # Only n is published (present in column 3). Cell 0 is a year, 1 and 2 its months
    # (a time equation 0 = 1 + 2), 3 the same year's n published elsewhere (0 = 3, an
    # equation in which n does add up). Hidden: the year 0 and the month 1.
    from kompetens.query.suppression.exact import ExactCheck

    present = np.zeros((4, 4), dtype=bool)
    present[:, 3] = True
    eq, cell, coef = [0, 0, 0, 1, 1], [0, 1, 2, 0, 3], [1.0, -1.0, -1.0, 1.0, -1.0]
    hidden = np.array([True, True, False, False])

    def check(n_adds):
        return ExactCheck(
            present, np.array(eq), np.array(cell), np.array(coef), np.zeros(4, dtype=bool), n_adds
        )

    # Were a year's people the sum of its months' people, month 1's n would be 3's - 2's.
    assert check(None).determined(hidden).tolist() == [0, 1]
    # They are not (the same people recur every month): only the year itself is pinned by 3.
    assert check(np.array([False, False, False, True, True])).determined(hidden).tolist() == [0]


TRIANGLES = [
    [(3, 1), (0, -1), (1, -1)],
    [(4, 1), (1, -1), (2, -1)],
    [(5, 1), (0, -1), (2, -1)],
    [(9, 1), (6, -1), (7, -1)],
    [(10, 1), (7, -1), (8, -1)],
    [(11, 1), (6, -1), (8, -1)],
]


def test_a_re_check_finds_what_newly_hidden_cells_determine_and_what_stayed_determined():
    # Two separate triangles as above: cells 0-2 with totals 3-5, cells 6-8 with totals 9-11.
    # A re-check decomposes only the groups around cells hidden since the last one, and the
    # groups that determined something then. Totals 3 and 9 are made the cheapest (cost 1
    # against 2), so the picks are exact.
    check = exact_check(12, TRIANGLES)
    cost = np.array([2.0] * 12)
    cost[[3, 9]] = 1.0
    hidden = np.array([True] * 3 + [False] * 9)
    assert check.picks(hidden, cost).tolist() == [3]
    assert check.open_groups == 2  # the numerators' system and the n's (each its own group)
    # The pick is not hidden: the first triangle is unchanged and still determined.
    assert check.picks(hidden, cost).tolist() == [3]
    # Hiding 3 closes the first; hiding 6, 7, 8 opens the second (same shape: pick 9).
    hidden[[3, 6, 7, 8]] = True
    assert check.picks(hidden, cost).tolist() == [9]
    hidden[9] = True
    assert check.picks(hidden, cost).tolist() == []
    assert check.open_groups == 0
    assert check.determined(hidden).tolist() == []


def test_a_rectangle_of_hidden_cells_in_a_two_way_table_is_not_determined():
    # u1_X (0), u1_Y (1), u2_X (2), u2_Y (3) hidden; u1_all (4), u2_all (5), A_X (6), A_Y (7) shown.
    # 4 equations, rank 3: one free unknown, (1, -1, -1, 1) in every hidden cell.
    check = exact_check(
        8,
        [
            [(4, 1), (0, -1), (1, -1)],
            [(5, 1), (2, -1), (3, -1)],
            [(6, 1), (0, -1), (2, -1)],
            [(7, 1), (1, -1), (3, -1)],
        ],
    )
    hidden = np.array([True] * 4 + [False] * 4)
    assert check.determined(hidden).tolist() == []


def test_the_exact_property_fails_on_a_suppression_that_ignores_the_category_equations():
    # The property's checker must be able to fail: suppressing each breakdown on its own
    # (units -> area only) leaves S1's 3 special educators = all 22 - teachers 19.
    units = {"S1": "A", "S2": "A"}
    rows = [
        row("unit", "S1", 22),
        row("unit", "S1", 19, breakdown="staff_category=teacher"),
        row("unit", "S1", 3, breakdown="staff_category=special_educator"),
        row("unit", "S2", 30),
        row("unit", "S2", 20, breakdown="staff_category=teacher"),
        row("unit", "S2", 10, breakdown="staff_category=special_educator"),
        row("area", "A", 52),
        row("area", "A", 39, breakdown="staff_category=teacher"),
        row("area", "A", 13, breakdown="staff_category=special_educator"),
    ]
    kf = frame(rows)
    weakened = pl.concat(
        [
            apply_suppression(part, units)
            for _, part in kf.group_by("breakdown", maintain_order=True)
        ]
    )
    # per breakdown: S1 and S2 special educators hidden (area 13 = 3 + 10), nothing else
    assert hidden(weakened) == {
        ("S1", "staff_category=special_educator"),
        ("S2", "staff_category=special_educator"),
    }
    assert (
        recoverable_equations(weakened, units).height == 2
    )  # S1's and S2's all = sum of categories
    assert len(determinable_hidden_cells(weakened, units)) == 2
    assert determinable_hidden_cells(apply_suppression(kf, units, exact=True), units) == []


# --- the same figures always give the same mask ----------------------------------------------


def tied_months():
    """Two units straight under the organisation, sick hours in each month of 2024, the year and
    the rolling 12 months to December. Every month of a unit rests on 10 people, so the months
    tie on every pick rule but their period; u1's year rests on 3 people (primary)."""
    rows = []
    for m in range(1, 13):
        for unit, hours in (("u1", 10.0 + m), ("u2", 20.0)):
            rows.append(
                dict(
                    row("unit", unit, 10, hours, 100.0, indicator="sick"),
                    period_type="month",
                    period=f"2024-{m:02d}",
                )
            )
        rows.append(
            dict(
                row("org", "org", 20, 30.0 + m, 200.0, indicator="sick"),
                period_type="month",
                period=f"2024-{m:02d}",
            )
        )
    # u1: 12 x 10 + (1 + ... + 12) = 198 hours of 1200; u2: 12 x 20 = 240 of 1200; org: 438.
    for unit, n, hours in (("u1", 3, 198.0), ("u2", 10, 240.0), ("org", 13, 438.0)):
        level = "org" if unit == "org" else "unit"
        for period_type, period in (("year", "2024"), ("rolling_12m", "2024-12")):
            den = 2400.0 if unit == "org" else 1200.0
            rows.append(
                dict(
                    row(level, unit, n, hours, den, indicator="sick"),
                    period_type=period_type,
                    period=period,
                )
            )
    return frame(rows)


TIED_UNITS = {"u1": "A", "u2": "B"}
TIED_SETS = {"sum_indicators": frozenset(), "month_flows": frozenset({"sick"})}


def hidden_keys(result: pl.DataFrame) -> list[tuple[str, str, str]]:
    return sorted(
        (r["scope_id"], r["period_type"], r["period"])
        for r in result.filter(pl.col("suppressed")).iter_rows(named=True)
    )


def test_among_tied_months_the_first_one_is_hidden_whatever_the_order_of_the_rows():
    # u1's year and December window (3 people) are primary; the organisation's = u1 + u2, so
    # u2's hide too. Then u1's year = its 12 months with one hidden cell: one month hides, and
    # the organisation's month = u1 + u2 takes u2's same month with it. The months tie (10
    # people each, same unit and breakdown), so the earliest, January, is the pick, also when
    # the rows come in reverse or shuffled order.
    kf = tied_months()
    expected = apply_suppression(kf, TIED_UNITS, **TIED_SETS)
    assert hidden_keys(expected) == [
        ("u1", "month", "2024-01"),
        ("u1", "rolling_12m", "2024-12"),
        ("u1", "year", "2024"),
        ("u2", "month", "2024-01"),
        ("u2", "rolling_12m", "2024-12"),
        ("u2", "year", "2024"),
    ]
    for order in (kf.reverse(), kf.sample(fraction=1.0, shuffle=True, seed=7)):
        assert hidden_keys(apply_suppression(order, TIED_UNITS, **TIED_SETS)) == hidden_keys(
            expected
        )


_MASK_SCRIPT = """
import json, sys
sys.path.insert(0, {tests!r})
from test_suppression import TIED_SETS, TIED_UNITS, apply_suppression, hidden_keys, tied_months
print(json.dumps(hidden_keys(apply_suppression(tied_months(), TIED_UNITS, **TIED_SETS))))
"""


def test_two_processes_with_different_hash_seeds_hide_the_same_cells():
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = _MASK_SCRIPT.format(tests=str(Path(__file__).parent))
    masks = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        masks.append(json.loads(done.stdout.strip().splitlines()[-1]))
    in_process = apply_suppression(tied_months(), TIED_UNITS, **TIED_SETS)
    assert masks[0] == masks[1] == [list(k) for k in hidden_keys(in_process)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(month_tables(), st.integers(0, 2**16))
def test_the_mask_does_not_depend_on_the_order_of_the_rows(case, seed):
    kf, units = case
    sets = {"sum_indicators": frozenset(), "month_flows": frozenset({"sick"})}
    once = apply_suppression(kf, units, **sets)
    shuffled = apply_suppression(kf.sample(fraction=1.0, shuffle=True, seed=seed), units, **sets)
    assert hidden_keys(shuffled) == hidden_keys(once)


def test_a_unit_row_takes_its_area_from_the_unit_list_and_other_rows_none():
    from kompetens.query.suppression.additive import _with_area

    cells = pl.DataFrame(
        {
            "level": ["unit", "unit", "unit", "area", "org"],
            "scope_id": ["u1", "u2", "u9", "A", "org"],
            "value": [1.0, 2.0, 3.0, 3.0, 3.0],
        }
    )
    units = pl.DataFrame({"unit_id": ["u1", "u2", "u3"], "area": ["A", "B", "A"]})
    out = _with_area(cells, units)
    # u9 is not in the list; the area and organisation rows have no area of their own
    assert out["_area"].to_list() == ["A", "B", None, None, None]
    # the other columns are the caller's, in the caller's order
    assert out.drop("_area").equals(cells)
    assert _with_area(cells, {"u2": "B"})["_area"].to_list() == [None, "B", None, None, None]
