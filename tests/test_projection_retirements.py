"""The retirement timeline (people reaching the retirement age per year, unit and category) and the
retirement age as a setting (``kompetens settings --retirement-age``, Admin → Inställningar).

Small fixture, start snapshot 2025-12, default age 66, so the years are 2026–2030 and only people
born 1964 or earlier count: P10 (teacher in E1 and S1, 1962 → 2028), P31 (preschool teacher in
L1, 1963 → 2029), P35 (childminder in L1, 1961 → 2027). At age 64 (born 1966 or earlier): P10 and
P35 in 2026 (1962 + 64 = 2026; 1961 + 64 = 2025 is past, so the first year), P31 in 2027, P08
(assistant in E1, 1965) in 2029, P23 (principal in S1, 1966) in 2030.
"""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from typer.testing import CliRunner

from kompetens.access import audit
from kompetens.access.scope import Scope, ScopeError
from kompetens.analysis.projection import retirement_timeline
from kompetens.cli import app
from kompetens.core import store
from kompetens.indicators import engine
from kompetens.ops import settings
from kompetens.query import projection as qp

runner = CliRunner()
EVERYONE = Scope.everything()


def _frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "year": pl.Int64,
            "employee_id": pl.String,
            "unit_id": pl.String,
            "staff_category": pl.String,
            "birth_year": pl.Int64,
        },
        orient="row",
    )


def test_people_are_counted_in_the_year_they_reach_the_age_and_the_past_ones_in_the_first_year():
    snapshots = _frame(
        [
            (2025, "A", "U1", "teacher", 1958),  # 1958 + 66 = 2024, past: first year, 2026
            (2025, "B", "U1", "teacher", 1961),  # 2027
            (2025, "C", "U1", "assistant", 1961),  # 2027
            (2025, "D", "U1", "teacher", 1970),  # 2036: beyond the five years
            (2025, "E", "U1", "teacher", None),  # no birth year: never counted
            (2025, "B", "U2", "teacher", 1961),  # B in a second unit: counted there too
            (2024, "F", "U2", "teacher", 1950),  # another year's snapshot: not the start
        ]
    )
    units = pl.DataFrame({"unit_id": ["U1", "U2"], "area": ["Norr", "Norr"]})
    got = retirement_timeline(snapshots, units, start_year=2025, age=66, years=5)
    counts = {
        (r["level"], r["scope_id"], r["staff_category"], r["year"]): r["retirements"]
        for r in got.iter_rows(named=True)
    }
    assert counts[("unit", "U1", "teacher", 2026)] == 1  # A
    assert counts[("unit", "U1", "teacher", 2027)] == 1  # B
    assert counts[("unit", "U1", "all", 2027)] == 2  # B and C
    assert counts[("unit", "U2", "teacher", 2027)] == 1  # B's second unit
    assert counts[("area", "Norr", "all", 2027)] == 2  # B once, and C
    assert counts[("org", "org", "teacher", 2027)] == 1
    # Every scope × category with staff gets all five years, zeros included.
    assert [counts[("unit", "U1", "teacher", y)] for y in range(2026, 2031)] == [1, 1, 0, 0, 0]
    assert got.filter(pl.col("scope_id") == "U1")["n_staff"].max() == 5  # A–E, all categories


@pytest.fixture
def db(small_db, tmp_path):
    return shutil.copy(small_db, tmp_path / "retire.duckdb")


def test_on_the_fixture_single_retirements_are_hidden_and_so_are_the_cells_that_would_give_them_away(
    db,
):
    with store.connect(db, read_only=True) as conn:
        timeline = qp.retirement_timeline(conn, EVERYONE)
    org = timeline.filter((pl.col("level") == "org") & (pl.col("staff_category") == "all"))
    assert org["year"].to_list() == [2026, 2027, 2028, 2029, 2030]
    assert org["retirement_age"].unique().to_list() == [66]
    # 2027 P35, 2028 P10, 2029 P31: one person each, hidden. The teachers' and childminders'
    # rows have one hidden year each (the five years add up to the published five-year count),
    # so their smallest other year, 2026 (0), is hidden too; with two categories hidden in 2026
    # the organisation's 2026 would give their sum: hidden. 2030 (nobody) stays 0.
    teachers = timeline.filter((pl.col("level") == "org") & (pl.col("staff_category") == "teacher"))
    assert teachers["suppressed"].to_list() == [True, False, True, False, False]
    assert org["suppressed"].to_list() == [True, True, True, True, False]
    assert org["retirements"].to_list() == [None, None, None, None, 0]


def test_an_area_manager_gets_only_their_area_and_its_units(db):
    with store.connect(db, read_only=True) as conn:
        timeline = qp.retirement_timeline(conn, Scope.for_areas("Söder"))
        with pytest.raises(ScopeError):
            qp.retirement_timeline(conn, Scope.for_areas("Söder"), unit="E1")
    units = set(timeline.filter(pl.col("level") == "unit")["scope_id"].to_list())
    areas = set(timeline.filter(pl.col("level") == "area")["scope_id"].to_list())
    assert units == {"S1"} and areas == {"Söder"}


def test_a_new_retirement_age_recomputes_the_figures_is_logged_and_moves_the_timeline(db):
    with store.connect(db) as conn:
        assert settings.set_retirement_age(conn, 64, "admin@k.se", role="admin")
        assert not settings.set_retirement_age(conn, 64, "admin@k.se")  # already 64
        assert engine.stored_settings(conn)["retirement_age"] == 64
        assert qp.retirement_age(conn) == 64  # what the projection and its page use
        timeline = qp.retirement_timeline(conn, EVERYONE)
        events = audit.list_events(conn, action=audit.SETTING_CHANGED)
    assert events["details"].to_list() == ['{"from": 66, "to": 64}']
    org = timeline.filter((pl.col("level") == "org") & (pl.col("staff_category") == "all"))
    assert org["retirement_age"].unique().to_list() == [64]
    # 2026: P10 and P35 (two people: hidden); nothing in 2028 any more (shown as 0).
    assert org.filter(pl.col("year") == 2028)["retirements"].to_list() == [0]
    assert org.filter(pl.col("year") == 2026)["suppressed"].to_list() == [True]


@pytest.mark.parametrize("age", [54, 76])
def test_a_retirement_age_outside_55_to_75_is_refused_in_swedish(db, age):
    with store.connect(db) as conn, pytest.raises(ValueError, match="55–75"):
        settings.set_retirement_age(conn, age, "admin@k.se")


def test_the_settings_command_shows_and_changes_the_retirement_age(db):
    shown = runner.invoke(app, ["settings", "--db", str(db)])
    assert shown.exit_code == 0 and "Pensionsålder: 66 år." in shown.output
    changed = runner.invoke(app, ["settings", "--retirement-age", "65", "--db", str(db)])
    assert changed.exit_code == 0, changed.output
    assert "Pensionsåldern är nu 65 år (var 66)" in changed.output
    refused = runner.invoke(app, ["settings", "--retirement-age", "90", "--db", str(db)])
    assert refused.exit_code == 1 and "55–75" in refused.output


def test_the_prognos_command_prints_the_timeline_and_writes_it(db, tmp_path):
    out = tmp_path / "pension.csv"
    done = runner.invoke(
        app, ["prognos", "--retirements", "--unit", "L1", "--out", str(out), "--db", str(db)]
    )
    assert done.exit_code == 0, done.output
    assert "Pensionsavgångar per år (pensionsålder 66 år): L1" in done.output
    assert "Barnskötare" in done.output and "Alla kategorier" in done.output
    written = pl.read_csv(out)
    assert written.columns == [
        "level",
        "scope_id",
        "staff_category",
        "year",
        "retirements",
        "retirement_age",
    ]
    # --unit: the organisation, the unit's area and the unit.
    assert set(written["scope_id"].to_list()) == {"org", "Norr", "L1"}


def test_the_admin_changes_the_age_on_the_admin_page_and_prognos_shows_the_new_timeline(db):
    from tests.app_support import run_page, texts

    at = run_page(db)
    at.session_state["demo_roll"] = "admin"
    at.run()
    at.switch_page("views/admin.py").run()
    assert [t.value for t in at.title] == ["Användare och logg"]
    assert at.number_input(key="admin_pensionsalder").value == 66
    at.number_input(key="admin_pensionsalder").set_value(64)
    next(b for b in at.button if b.label == "Spara och räkna om").click().run()
    assert not at.exception
    assert "Pensionsåldern är nu 64 år; nyckeltalen är omräknade." in texts(at)
    with store.connect(db, read_only=True) as conn:
        assert engine.stored_settings(conn)["retirement_age"] == 64

    prognos = run_page(db, "views/prognos.py")
    assert not prognos.exception
    shown = texts(prognos)
    assert "Pensionsavgångar de kommande fem åren" in shown
    assert "Personal i dag som når pensionsåldern 64 år" in shown
    table = next(f.value for f in prognos.dataframe if "Personalkategori" in f.value.columns)
    assert list(table.columns) == ["Personalkategori", "2026", "2027", "2028", "2029", "2030"]
    assert table["Personalkategori"].iloc[-1] == "Alla kategorier"
    # The organisation at 64: P10 and P35 in 2026 (hidden), nobody in 2028.
    assert table.iloc[-1].tolist() == ["Alla kategorier", "..", "..", "0", "..", ".."]
