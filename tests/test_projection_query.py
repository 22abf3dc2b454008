"""The projection through the query layer and the command line, on the small fixture.

Start month 2025-12 (the newest snapshot); reference-month snapshots 2024-12 and 2025-12.
Teachers in 2025-12: E1 has P02, P03, P04, P05, P06, P10 (6), S1 has P10, P20, P21, P22 (4);
L1's staff working with children: P30–P35, P38 (7).
"""

from __future__ import annotations

import re
import shutil

import polars as pl
import pytest
from typer.testing import CliRunner

from kompetens.access.scope import Scope, ScopeError
from kompetens.cli import app
from kompetens.core import store
from kompetens.query import projection as qp

runner = CliRunner()


@pytest.fixture
def conn(small_db):
    connection = store.connect(small_db, read_only=True)
    yield connection
    connection.close()


def test_the_projection_starts_at_the_newest_snapshot_with_one_row_per_scope_and_year(conn):
    assert qp.start_month(conn) == "2025-12"
    assert qp.snapshot_years(conn) == [2024, 2025]
    result = qp.projection(conn, Scope.everything(), years=2)
    assert sorted(result["year"].unique().to_list()) == [2025, 2026, 2027]
    keys = result.select("level", "scope_id", "indicator_id").unique()
    assert sorted(map(tuple, keys.rows())) == [
        ("area", "Norr", "certified_teacher_share"),
        ("area", "Norr", "licensed_preschool_teacher_share"),
        ("area", "Söder", "certified_teacher_share"),
        ("org", "org", "certified_teacher_share"),
        ("org", "org", "licensed_preschool_teacher_share"),
        ("unit", "E1", "certified_teacher_share"),
        ("unit", "L1", "licensed_preschool_teacher_share"),
        ("unit", "S1", "certified_teacher_share"),
    ]
    # The people each figure rests on: distinct people (P10 works in both schools).
    n = {
        (r["level"], r["scope_id"], r["indicator_id"][:5]): r["n_start"]
        for r in result.filter(pl.col("step") == 0).iter_rows(named=True)
    }
    assert n[("unit", "E1", "certi")] == 6 and n[("unit", "S1", "certi")] == 4
    assert n[("org", "org", "certi")] == 9  # 6 + 4 − P10 counted once


def test_fewer_than_five_people_hide_the_unit_and_its_one_unit_area_in_every_year(conn):
    result = qp.projection(conn, Scope.everything(), years=2)
    hidden = (
        result.filter(pl.col("suppressed")).select("level", "scope_id", "indicator_id").unique()
    )
    assert ("unit", "S1", "certified_teacher_share") in hidden.rows()  # 4 teachers
    assert ("area", "Söder", "certified_teacher_share") in hidden.rows()  # S1 alone: the same 4
    assert result.filter(pl.col("suppressed"))["median"].null_count() == result["suppressed"].sum()


def test_the_targets_follow_the_file_and_carry_its_newest_forward(conn):
    result = qp.projection(conn, Scope.everything(), years=2)

    def target(level, scope_id, year):
        return result.filter(
            (pl.col("level") == level)
            & (pl.col("scope_id") == scope_id)
            & (pl.col("indicator_id") == "certified_teacher_share")
            & (pl.col("year") == year)
        )["target"].item()

    assert target("unit", "E1", 2025) == 0.6  # the file: E1 2025 0.6
    assert target("unit", "E1", 2027) == 0.6  # carried forward from 2025
    assert target("org", "org", 2026) == 0.75  # org 2025 0.75, carried
    assert target("area", "Norr", 2026) == 0.75  # Norr has none of its own: the org's


def test_an_area_manager_sees_the_organisation_their_area_and_its_units_only(conn):
    norr = Scope.for_areas("Norr")
    result = qp.projection(conn, norr, years=1)
    assert set(result.select("level", "scope_id").unique().rows()) == {
        ("org", "org"),
        ("area", "Norr"),
        ("unit", "E1"),
        ("unit", "L1"),
    }
    with pytest.raises(ScopeError):
        qp.projection(conn, norr, years=1, area="Söder")
    with pytest.raises(ScopeError):
        qp.what_it_takes(conn, norr, "certified_teacher_share", 0.8, 2027, unit="S1")
    rates = qp.rates(conn, norr)
    assert set(rates["unit_id"].to_list()) <= {"E1", "L1"}


def test_what_it_takes_hides_the_numbers_of_a_suppressed_unit(conn):
    table = qp.what_it_takes(conn, Scope.everything(), "certified_teacher_share", 0.8, 2027)
    s1 = table.filter(pl.col("scope_id") == "S1")
    assert s1.height == 3 and s1["suppressed"].all()
    assert s1["needed_per_year"].null_count() == 3 and s1["current_share"].null_count() == 3
    assert (
        s1["sentence"].to_list() == ["Söderskolan: för få personer för att visa ett svar (..)."] * 3
    )


def test_the_command_writes_exactly_the_issues_columns_for_the_projected_years(small_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(small_db, db)
    out = tmp_path / "prognos.csv"
    done = runner.invoke(app, ["prognos", "--out", str(out), "--years", "2", "--db", str(db)])
    assert done.exit_code == 0, done.output
    frame = pl.read_csv(out)
    assert frame.columns == [
        "level",
        "scope_id",
        "indicator_id",
        "year",
        "median",
        "low80",
        "high80",
        "target",
    ]
    assert sorted(frame["year"].unique().to_list()) == [2026, 2027]
    s1 = frame.filter(pl.col("scope_id") == "S1")
    assert s1["median"].null_count() == s1.height  # suppressed: empty cells
    shown = frame.filter(pl.col("median").is_not_null())
    assert ((shown["median"] >= 0) & (shown["median"] <= 1)).all()  # fractions


def test_the_command_narrows_to_a_unit_and_refuses_an_unknown_scenario(small_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(small_db, db)
    out = tmp_path / "e1.parquet"
    done = runner.invoke(
        app, ["prognos", "--out", str(out), "--unit", "E1", "--years", "1", "--db", str(db)]
    )
    assert done.exit_code == 0, done.output
    frame = pl.read_parquet(out)
    assert set(frame.select("level", "scope_id").unique().rows()) == {
        ("org", "org"),
        ("area", "Norr"),
        ("unit", "E1"),
    }
    bad = runner.invoke(
        app, ["prognos", "--out", str(out), "--scenario", "drömmen", "--db", str(db)]
    )
    assert bad.exit_code == 2 and "Okänt scenario 'drömmen'" in bad.output


def test_the_backtest_command_says_why_it_cannot_run_on_two_years(small_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(small_db, db)
    done = runner.invoke(app, ["prognos", "--backtest", "2025", "--db", str(db)])
    assert done.exit_code == 2
    assert "inga senare år än 2025" in done.output
    first = runner.invoke(app, ["prognos", "--backtest", "2024", "--db", str(db)])
    assert first.exit_code == 0, first.output
    last = first.output.strip().splitlines()[-1]
    assert re.fullmatch(
        r"backtest: org MAE \d+\.\d pp, area MAE (\d+\.\d|na) pp, unit MAE (\d+\.\d|na) pp, band coverage \d+ %",
        last,
    ), last
    assert re.search(
        r"Utfall inom 80 %-bandet: organisationen (\d+\s%|\.\.), områdena (\d+\s%|\.\.), "
        r"enheterna (\d+\s%|\.\.)\.",
        " ".join(first.output.split()),
    ), first.output
