"""Saved projection scenarios: stored (schema version 11), scoped, audited, read by `kompetens prognos`.

The small fixture: areas Norr (E1, L1) and Söder (S1); a 600-person demo would be slower
and adds nothing here. Levers are stored as the model takes them (fractions per year).
"""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from typer.testing import CliRunner

from kompetens.access import audit
from kompetens.access.scope import Scope, ScopeError
from kompetens.analysis.projection import Scenario
from kompetens.cli import app
from kompetens.core import store
from kompetens.query import projection as qp
from kompetens.query import projection_scenarios as qps

runner = CliRunner()
EVERYONE = Scope.everything()
SODER = Scope.for_areas("Söder")


@pytest.fixture
def db(small_db, tmp_path):
    copy = tmp_path / "scenarios.duckdb"
    shutil.copy(small_db, copy)
    return copy


@pytest.fixture
def conn(db):
    connection = store.connect(db)
    yield connection
    connection.close()


def test_a_saved_scenario_reads_back_with_its_levers_and_the_units_it_acts_on(conn):
    levers = Scenario(turnover_delta=-0.02, certified_hire_share=0.75, extra_path_places=3.0)
    qps.save_scenario(conn, EVERYONE, "  Fler  behöriga ", "area:Norr", levers, "hr@kommun.se")
    got = qps.get_scenario(conn, EVERYONE, "fler behöriga")  # the name is found case-insensitively
    assert got.name == "Fler behöriga"  # trimmed, inner spaces collapsed
    assert got.scope_key == "area:Norr"
    assert got.scenario.turnover_delta == -0.02
    assert got.scenario.certified_hire_share == 0.75
    assert got.scenario.extra_path_places == 3.0
    assert got.scenario.retirement_age is None and got.scenario.fte_growth == 0.0
    assert got.scenario.applies_to == frozenset({"E1", "L1"})  # Norr's units
    assert got.saved_by == "hr@kommun.se"


def test_saving_the_same_name_again_replaces_the_scenario(conn):
    qps.save_scenario(conn, EVERYONE, "Plan", "org", Scenario(turnover_delta=-0.01), "a@k.se")
    qps.save_scenario(conn, EVERYONE, "PLAN", "unit:S1", Scenario(fte_growth=-0.03), "b@k.se")
    listed = qps.list_scenarios(conn, EVERYONE)
    assert listed["name"].to_list() == ["PLAN"]
    assert listed["scope_key"].to_list() == ["unit:S1"]
    assert listed["turnover_delta"].to_list() == [0.0]
    assert listed["fte_growth"].to_list() == [-0.03]


def test_saving_and_deleting_are_written_to_the_audit_log_with_swedish_labels(conn):
    qps.save_scenario(conn, EVERYONE, "Plan", "org", Scenario(extra_path_places=10), "hr@k.se")
    assert qps.delete_scenario(conn, EVERYONE, "plan", "hr@k.se", role="hr")
    assert not qps.delete_scenario(conn, EVERYONE, "plan", "hr@k.se")  # nothing left to delete
    # (the session's fixture database may already hold other tests' sign-ins)
    events = (
        audit.list_events(conn, include_imports=False)
        .filter(pl.col("action").str.starts_with("projection_scenario"))
        .sort("occurred_at")
    )
    assert events["action"].to_list() == [
        audit.PROJECTION_SCENARIO_SAVED,
        audit.PROJECTION_SCENARIO_DELETED,
    ]
    assert events["target"].to_list() == ["Plan", "Plan"]
    assert '"extra_path_places": 10' in events["details"][0]
    shown = audit.display_frame(events)["Händelse"].to_list()
    assert shown == ["Prognosscenario sparat", "Prognosscenario borttaget"]


def test_an_area_manager_sees_and_saves_only_scenarios_within_their_area(conn):
    qps.save_scenario(conn, EVERYONE, "Hela", "org", Scenario(), "hr@k.se")
    qps.save_scenario(conn, EVERYONE, "Norr", "area:Norr", Scenario(), "hr@k.se")
    qps.save_scenario(conn, EVERYONE, "Ek", "unit:E1", Scenario(), "hr@k.se")
    qps.save_scenario(conn, EVERYONE, "Söder", "area:Söder", Scenario(), "hr@k.se")
    qps.save_scenario(conn, EVERYONE, "Sö", "unit:S1", Scenario(), "hr@k.se")
    assert qps.list_scenarios(conn, SODER)["name"].to_list() == ["Sö", "Söder"]
    assert qps.list_scenarios(conn, EVERYONE).height == 5
    with pytest.raises(ScopeError):
        qps.get_scenario(conn, SODER, "Norr")
    with pytest.raises(ScopeError):
        qps.save_scenario(conn, SODER, "Mitt", "area:Norr", Scenario(), "am@k.se")
    with pytest.raises(ScopeError):
        qps.delete_scenario(conn, SODER, "Ek", "am@k.se")
    assert qps.get_scenario(conn, EVERYONE, "Ek") is not None  # still there


@pytest.mark.parametrize(
    ("name", "message"), [("   ", "Ge scenariot ett namn"), ("x" * 81, "högst 80 tecken")]
)
def test_an_unusable_name_is_refused_in_swedish_and_nothing_is_saved(conn, name, message):
    with pytest.raises(ValueError, match=message):
        qps.save_scenario(conn, EVERYONE, name, "org", Scenario(), "hr@k.se")
    assert qps.list_scenarios(conn, EVERYONE).height == 0


def test_the_command_line_projects_a_scenario_saved_on_the_page(db, tmp_path):
    with store.connect(db) as conn:
        qps.save_scenario(
            conn, EVERYONE, "Alla behöriga", "org", Scenario(certified_hire_share=1.0), "hr@k.se"
        )
    out = tmp_path / "saved.csv"
    done = runner.invoke(
        app,
        ["prognos", "--out", str(out), "--years", "2", "--scenario", "alla behöriga"]
        + ["--db", str(db)],
    )
    assert done.exit_code == 0, done.output
    assert "scenario: Alla behöriga" in done.output
    # 8 scope × share pairs (see test_projection_query) × 2 years.
    assert pl.read_csv(out).height == 16


def test_the_command_line_names_the_saved_scenarios_when_one_is_unknown(db, tmp_path):
    with store.connect(db) as conn:
        qps.save_scenario(conn, EVERYONE, "Min plan", "org", Scenario(), "hr@k.se")
    out = tmp_path / "x.csv"
    bad = runner.invoke(app, ["prognos", "--out", str(out), "--scenario", "okänd", "--db", str(db)])
    assert bad.exit_code == 2
    assert "Okänt scenario 'okänd'" in bad.output and "Min plan" in bad.output


def test_a_saved_scenario_is_the_same_scenario_as_its_levers_given_directly(conn):
    qps.save_scenario(conn, EVERYONE, "Norr", "area:Norr", Scenario(turnover_delta=-0.05), "x")
    saved = qps.get_scenario(conn, EVERYONE, "Norr").scenario
    assert saved == Scenario(name="Norr", turnover_delta=-0.05, applies_to=frozenset({"E1", "L1"}))
    # ... so the projection (a cached query keyed on the scenario) is the same one.
    assert qp.projection(conn, EVERYONE, saved, years=1, draws=0).equals(
        qp.projection(
            conn,
            EVERYONE,
            Scenario(name="Norr", turnover_delta=-0.05, applies_to=frozenset({"E1", "L1"})),
            years=1,
            draws=0,
        )
    )
