"""Suppression attacked: hand-made leaks across indicators, periods and months, and the attack itself.

Each fixture is a leak the per-slice suppression (one indicator and period type at a
time) left open; the arithmetic is in the comments. ``kompetens.query.disclosure``
is the attacker: it sees only the published cells and checks what it recovers
against the true ones.
"""

from __future__ import annotations

import polars as pl
import pytest

from kompetens.query.disclosure import attack
from kompetens.query.suppression import apply_suppression

NO_SETS = {"sum_indicators": frozenset(), "month_flows": frozenset()}


def cell(indicator, level, scope, period, n, num, den, *, period_type="year", value=None):
    if value is None:
        value = num / den if den else num
    return {
        "indicator_id": indicator,
        "level": level,
        "scope_id": scope,
        "period_type": period_type,
        "period": period,
        "breakdown": "all",
        "numerator": None if num is None else float(num),
        "denominator": None if den is None else float(den),
        "value": float(value),
        "n_individuals": n,
    }


def frame(rows):
    return pl.DataFrame(
        rows,
        schema={
            "indicator_id": pl.String,
            "level": pl.String,
            "scope_id": pl.String,
            "period_type": pl.String,
            "period": pl.String,
            "breakdown": pl.String,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
            "value": pl.Float64,
            "n_individuals": pl.Int64,
        },
    )


def hidden(result, indicator, period_type, period):
    return sorted(
        result.filter(
            pl.col("suppressed")
            & (pl.col("indicator_id") == indicator)
            & (pl.col("period_type") == period_type)
            & (pl.col("period") == period)
        )["scope_id"].to_list()
    )


def per_slice(kf, units, **sets):
    """Suppression as the query layer did it: one indicator and period type at a time."""
    parts = [
        apply_suppression(part, units, **sets)
        for _, part in kf.group_by("indicator_id", "period_type", maintain_order=True)
    ]
    return pl.concat(parts)


# --- across indicators ---------------------------------------------------------------------

UNITS_A = {"u1": "A", "u2": "A", "u3": "A"}


def programme_and_path():
    """A count and a share whose numerator is that count (like in_certification_programme and
    on_certification_path_share), 2020-2024. In 2024 unit u1 has 2 people in a programme
    (primary) of 10 uncertified; other years every unit has 6+."""
    rows = []
    for year in range(2020, 2025):
        counts = {"u1": 2 if year == 2024 else 6, "u2": 7, "u3": 9}
        dens = {"u1": 10, "u2": 12, "u3": 15}
        for u, k in counts.items():
            rows.append(cell("programme", "unit", u, str(year), k, None, None, value=k))
            rows.append(cell("path", "unit", u, str(year), dens[u], k, dens[u]))
        total, den = sum(counts.values()), sum(dens.values())
        for level, scope in (("area", "A"), ("org", "org")):
            rows.append(cell("programme", level, scope, str(year), total, None, None, value=total))
            rows.append(cell("path", level, scope, str(year), den, total, den))
    return frame(rows)


def test_a_count_hidden_in_one_indicator_is_hidden_where_another_publishes_it_as_a_numerator():
    kf = programme_and_path()
    result = apply_suppression(kf, UNITS_A, **NO_SETS)
    # programme 2024: u1 (2 people) primary, u2 (7, the smallest other) secondary: A = 18 = u1 + u2 + 9.
    assert hidden(result, "programme", "year", "2024") == ["u1", "u2"]
    # path 2024 rests on 10, 12 and 15 people, but its numerators are those counts: 2 and 7.
    assert hidden(result, "path", "year", "2024") == ["u1", "u2"]
    assert hidden(result, "path", "year", "2023") == []
    assert attack(result, kf, UNITS_A, **NO_SETS).total == 0


def test_the_share_publishing_a_hidden_count_is_linked_and_the_protecting_cells_secondary():
    kf = programme_and_path()
    result = apply_suppression(kf, UNITS_A, with_reason=True, **NO_SETS)
    reasons = {
        (r["indicator_id"], r["scope_id"]): r["suppression_reason"]
        for r in result.filter(pl.col("period") == "2024").iter_rows(named=True)
    }
    # u1's programme count (2 people) is primary; u1's path share (on 10 people) publishes
    # that 2 as its numerator: the same number, so 'linked'. u2's count (7) is hidden only so
    # that A - u2 - u3 does not give u1 away: secondary, and so is u2's share, which publishes
    # the 7 (a secondary cell's number, not a primary one).
    assert reasons[("programme", "u1")] == "primary"
    assert reasons[("path", "u1")] == "linked"
    assert reasons[("programme", "u2")] == "secondary"
    assert reasons[("path", "u2")] == "secondary"
    assert reasons[("programme", "u3")] is None


def test_the_attack_reads_a_hidden_count_off_another_indicators_numerator():
    kf = programme_and_path()
    published = per_slice(kf, UNITS_A, **NO_SETS)
    assert hidden(published, "path", "year", "2024") == []  # the old, per-slice pattern
    report = attack(published, kf, UNITS_A, **NO_SETS)
    # u1's 2 and u2's 7 are path's visible numerators; learned from A and org in 2020-2024
    # (programme value = path numerator in all 10 places).
    assert report.across_indicators == 2
    got = report.recovered.filter(
        (pl.col("indicator_id") == "programme") & (pl.col("field") == "value")
    )
    assert dict(zip(got["scope_id"], got["value"], strict=True)) == {"u1": 2.0, "u2": 7.0}


def hires_and_retention():
    """A count of hires and a retention share whose denominator is that count in most years
    (like hires and first_year_retention), one area A of u1-u3, 2019-2024.

    - 2019-2020: the retention cohorts are one person per unit (3 in A): every retention cell
      is primary, and its denominator (1, 3) is not the hires (6-9, 22). In the true table the
      two columns coincide at 8 of 12 area/organisation places (67 %), too few to be learned.
    - 2021-2024: the denominator is the hires. 2024: hires u1 2, u2 6, u3 9 (17); retention
      denominators u1 4, u2 6, u3 7 (17), on 4, 12 and 7 people.
    """
    rows = []
    for year in range(2019, 2025):
        hires = {"u1": 2, "u2": 6, "u3": 9} if year == 2024 else {"u1": 6, "u2": 7, "u3": 9}
        if year <= 2020:
            dens = ns = {"u1": 1, "u2": 1, "u3": 1}
        elif year == 2024:
            dens, ns = {"u1": 4, "u2": 6, "u3": 7}, {"u1": 4, "u2": 12, "u3": 7}
        else:
            dens = ns = hires
        for u in hires:
            rows.append(cell("hires", "unit", u, str(year), hires[u], None, None, value=hires[u]))
            rows.append(cell("retention", "unit", u, str(year), ns[u], dens[u] - 1, dens[u]))
        h, d, n = sum(hires.values()), sum(dens.values()), sum(ns.values())
        for level, scope in (("area", "A"), ("org", "org")):
            rows.append(cell("hires", level, scope, str(year), h, None, None, value=h))
            rows.append(cell("retention", level, scope, str(year), n, d - len(dens), d))
    return frame(rows)


def test_a_relation_that_holds_only_on_the_visible_cells_is_learned_from_them_too():
    kf = hires_and_retention()
    result = apply_suppression(kf, UNITS_A, with_reason=True, **NO_SETS)
    # hires 2024: u1 (2 people) primary; u2 (6, the smaller other) secondary: A = 17 = 2 + 6 + 9.
    assert hidden(result, "hires", "year", "2024") == ["u1", "u2"]
    # retention 2024: u1 (4 people) primary; u3 (7 people, fewer than u2's 12) secondary.
    # Visible, 2021-2024 area and organisation: retention's denominator = hires at 8 of 8
    # places, so an attacker learns the relation and reads u2's hidden hires (6) off u2's
    # retention denominator (6). Learned from the published cells, the relation hides u2 too.
    assert hidden(result, "retention", "year", "2024") == ["u1", "u2", "u3"]
    reasons = {
        r["scope_id"]: r["suppression_reason"]
        for r in result.filter(
            (pl.col("indicator_id") == "retention") & (pl.col("period") == "2024")
        ).iter_rows(named=True)
    }
    assert reasons == {
        "u1": "primary",
        "u2": "secondary",
        "u3": "secondary",
        "A": None,
        "org": None,
    }
    assert attack(result.drop("suppression_reason"), kf, UNITS_A, **NO_SETS).total == 0


# --- across periods ------------------------------------------------------------------------


def year_and_rolling():
    """A flow published per year and per rolling 12 months (equal in December), 2020-2024,
    three units straight under the organisation. In 2024 u1 rests on 3 people; u3's
    headcount differs between the two (20 in the year, 6 in the window) while its hours
    are the same, so the two period types pick different second cells."""
    rows = []
    for year in range(2020, 2025):
        n = {"u1": 3 if year == 2024 else 9, "u2": 8, "u3": 20}
        n_rolling = dict(n, u3=6 if year == 2024 else 20)
        num = {"u1": 30.0, "u2": 80.0, "u3": 200.0}
        den = {"u1": 3.0, "u2": 8.0, "u3": 20.0}
        for period_type, period, heads in (
            ("year", str(year), n),
            ("rolling_12m", f"{year}-12", n_rolling),
        ):
            for u in n:
                rows.append(
                    cell(
                        "hours",
                        "unit",
                        u,
                        period,
                        heads[u],
                        num[u],
                        den[u],
                        period_type=period_type,
                    )
                )
            rows.append(
                cell(
                    "hours",
                    "org",
                    "org",
                    period,
                    sum(heads.values()),
                    sum(num.values()),
                    sum(den.values()),
                    period_type=period_type,
                )
            )
    return frame(rows)


UNITS_B = {"u1": "A", "u2": "B", "u3": "C"}


def test_a_year_and_its_december_rolling_window_are_hidden_together():
    kf = year_and_rolling()
    per = per_slice(kf, UNITS_B, **NO_SETS)
    # Alone, the year hides u1 and u2 (8 < 20) and the window u1 and u3 (6 < 8): u2's year
    # is the window's visible 80 hours, and then u1 = 310 - 80 - 200.
    assert hidden(per, "hours", "year", "2024") == ["u1", "u2"]
    assert hidden(per, "hours", "rolling_12m", "2024-12") == ["u1", "u3"]
    assert attack(per, kf, UNITS_B, **NO_SETS).total >= 2

    # Together, u1's year and window are one hidden number; the second cell is the one with
    # the fewest links in both: u3 (its headcounts differ, 20 and 6, so only its hours are
    # linked), where u2's year and window agree in every field.
    result = apply_suppression(kf, UNITS_B, **NO_SETS)
    assert hidden(result, "hours", "year", "2024") == ["u1", "u3"]
    assert hidden(result, "hours", "rolling_12m", "2024-12") == ["u1", "u3"]
    assert attack(result, kf, UNITS_B, **NO_SETS).total == 0


# --- months, years and rolling windows -----------------------------------------------------


def sick_leave_months():
    """Sick hours of two units per month of 2024, the year and the rolling 12 months to
    December (each the sum of the months). u1 rests on 3 people in March, 10 otherwise."""
    rows = []
    for m in range(1, 13):
        n1 = 3 if m == 3 else 10
        rows.append(
            cell("sick", "unit", "u1", f"2024-{m:02d}", n1, 10.0 + m, 100.0, period_type="month")
        )
        rows.append(
            cell("sick", "unit", "u2", f"2024-{m:02d}", 12, 20.0, 120.0, period_type="month")
        )
        rows.append(
            cell(
                "sick", "org", "org", f"2024-{m:02d}", n1 + 12, 30.0 + m, 220.0, period_type="month"
            )
        )
    # u1: 12 x 10 + (1 + ... + 12) = 198 hours of 1200; u2: 240 of 1440.
    for period_type, period in (("year", "2024"), ("rolling_12m", "2024-12")):
        rows.append(cell("sick", "unit", "u1", period, 10, 198.0, 1200.0, period_type=period_type))
        rows.append(cell("sick", "unit", "u2", period, 12, 240.0, 1440.0, period_type=period_type))
        rows.append(cell("sick", "org", "org", period, 22, 438.0, 2640.0, period_type=period_type))
    return frame(rows)


def test_a_hidden_month_cannot_be_recovered_from_the_year_and_the_other_months():
    kf = sick_leave_months()
    units = {"u1": "A", "u2": "B"}
    sets = {"sum_indicators": frozenset(), "month_flows": frozenset({"sick"})}
    per = per_slice(kf, units, **NO_SETS)
    # Per slice only March hides (u1 primary, u2 with it); u1's March = 198 - (the other 11 months).
    assert attack(per, kf, units, **sets).linear_algebra >= 1

    # A hidden month hides the year and the rolling window it is part of: otherwise the
    # window (or the year) minus the 11 visible months is March.
    result = apply_suppression(kf, units, **sets)
    u1 = result.filter(pl.col("scope_id") == "u1")
    assert u1.filter(pl.col("suppressed"))["period"].sort().to_list() == [
        "2024",
        "2024-03",
        "2024-12",
    ]
    assert u1.filter(pl.col("suppressed"))["period_type"].sort().to_list() == [
        "month",
        "rolling_12m",
        "year",
    ]
    assert attack(result, kf, units, **sets).total == 0


# --- the demo database ---------------------------------------------------------------------


def _demo_figures(root, employees: int, years: int | None):
    """A demo database's true key figures and unit -> area."""
    import duckdb

    from kompetens.demo.build import build_demo
    from kompetens.wiring import wire

    wire()
    db = root / "demo.duckdb"
    build_demo(db, employees=employees, years=years, out_dir=root / "files")
    conn = duckdb.connect(str(db), read_only=True)
    try:
        truth = conn.sql(
            "SELECT indicator_id, level, scope_id, period_type, period, breakdown, numerator, "
            "denominator, value, n_individuals FROM key_figures"
        ).pl()
        units = conn.sql("SELECT unit_id, area FROM current_units").pl()
    finally:
        conn.close()
    return truth, units


@pytest.fixture(scope="session")
def small_demo_figures(tmp_path_factory):
    """1,000 staff over 3 years: every leak class of the full demo, attacked in ~25 s."""
    return _demo_figures(tmp_path_factory.mktemp("attack_small"), 1000, 3)


@pytest.fixture(scope="session")
def demo_figures(tmp_path_factory):
    """The default demo (5,000 staff since 2019), as the issue measured it."""
    return _demo_figures(tmp_path_factory.mktemp("attack_full"), 5000, None)


@pytest.fixture(scope="session")
def small_demo_attack(small_demo_figures):
    """The attack on the small demo's figures as published (the whole table suppressed at once,
    with the exact check)."""
    truth, units = small_demo_figures
    return attack(apply_suppression(truth, units), truth, units)


@pytest.fixture(scope="session")
def small_demo_heuristic_attack(small_demo_figures):
    """The same attack on the heuristic alone (``exact=False``): what the exact check closes."""
    truth, units = small_demo_figures
    return attack(apply_suppression(truth, units, exact=False), truth, units)


def test_no_hidden_demo_figure_is_recovered_by_the_attack(small_demo_attack):
    print(small_demo_attack.summary())
    assert small_demo_attack.total == 0


def test_without_the_exact_check_the_attack_solves_some_demo_cells(small_demo_heuristic_attack):
    # The attack can fail: the heuristic alone (0 or >= 2 hidden cells per equation) leaves
    # cells that combining equations solves (single-unit areas, tables with two dimensions).
    report = small_demo_heuristic_attack
    print(report.summary())
    assert (report.across_indicators, report.across_periods) == (0, 0)
    assert report.linear_algebra > 0


def test_on_the_demo_nothing_is_recovered_across_indicators_or_periods(small_demo_attack):
    report = small_demo_attack
    assert report.hidden > 0
    assert (report.across_indicators, report.across_periods) == (0, 0)


def test_secondary_suppression_hides_under_two_percent_of_the_demo_unit_cells(demo_figures):
    truth, units = demo_figures
    published = apply_suppression(truth, units, with_reason=True)
    unit = published.filter(pl.col("level") == "unit")
    reasons = unit["suppression_reason"].value_counts()
    share = dict(zip(reasons["suppression_reason"], reasons["count"] / unit.height, strict=True))
    print(f"unit cells by reason: {share}")
    # Secondary (complementary) cells protect others; cells that publish a primary cell's own
    # number again ('linked', e.g. a path share whose numerator is a count on 2 people) are
    # that primary cell in another table, counted apart (docs/suppression.md).
    assert 0 < share["secondary"] < 0.02
    assert share["linked"] > 0


def test_anchored_entries_keep_what_the_mask_reads_and_encode_the_rest_in_col_and_key():
    """The entries are held through the whole mask (at 50,000 staff ~30 million rows): the key
    columns ``col`` and ``key`` encode are dropped, the rest are categoricals."""
    from kompetens.query.suppression import links

    kf = programme_and_path().with_row_index("_cell")
    entries = links.entries(kf).with_columns(pl.lit(True).alias("hidden"))
    anchored = links.anchored(entries)
    assert set(anchored.columns) == {
        "_cell", "level", "period_type", "field", "val", "_v", "col", "key", "_ycopy", "hidden"
    }  # fmt: skip
    assert anchored.schema["level"] == anchored.schema["field"] == pl.Categorical
    # 5 years x 2 indicators x 5 scopes = 50 cells, 4 fields each; all years, so no year copies
    assert anchored.height == 200 and not anchored["_ycopy"].any()
    # u1's 2024 programme count: published as "year|programme|all|value" at "unit|u1|2024"
    row = anchored.filter(
        (pl.col("col").cast(pl.String) == "year|programme|all|value")
        & (pl.col("key").cast(pl.String) == "unit|u1|2024")
    )
    assert row["val"].to_list() == [2.0]


def test_instances_of_chosen_fields_are_the_instances_whose_first_entry_has_that_field():
    from kompetens.query.suppression import links

    kf = programme_and_path().with_row_index("_cell")
    anchored = links.anchored(links.entries(kf))
    relations = links.learn_relations(anchored, min_matches=3, min_rate=0.8)
    # two relations, both ways: the path numerator = the programme value, and = its n; each
    # holds in 25 cells (5 years x 5 scopes), so 4 x 25 = 100 instances, 25 starting at a value
    everything = links.instances(anchored, relations).sort(pl.all())
    values = links.instances(anchored, relations, fields=("value",)).sort(pl.all())
    assert (everything.height, values.height) == (100, 25)
    assert values.equals(everything.filter(pl.col("field") == "value"))
    secret = links.instances(anchored, relations, fields=links.SECRET_FIELDS)
    # u1's 2024 programme count (2, in its value and n) is published again as u1's 2024 path
    # numerator, and that numerator (a secret field too) as the count's value and n
    cell_of = {
        (r["indicator_id"], r["scope_id"], r["period"]): r["_cell"]
        for r in kf.iter_rows(named=True)
    }
    count, share = cell_of[("programme", "u1", "2024")], cell_of[("path", "u1", "2024")]
    pairs = set(secret.filter(pl.col("_cell").is_in([count, share])).iter_rows())
    assert pairs == {
        (count, "value", share, "numerator"),
        (count, "n_individuals", share, "numerator"),
        (share, "numerator", count, "value"),
        (share, "numerator", count, "n_individuals"),
    }
