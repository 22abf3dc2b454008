"""A principal's and an area manager's scope, built from the users table, never reaches other units.

Runs on the small fixture (units E1 and L1 in Norr, S1 in Söder) loaded through
the real importer, so every indicator of the registry has real key figures.
The scopes come from ``auth.user_scope`` — the same path the app takes — for a
principal of E1 and an area manager of Söder. Every public query function that
takes a scope must have a recipe below: a new one without a recipe fails
``test_every_query_function_has_a_scope_recipe``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import shutil

import polars as pl
import pytest

from kompetens import query as q
from kompetens.access import auth
from kompetens.analysis.allocation import AllocationParameters
from kompetens.analysis.projection import Scenario
from kompetens.core import store
from kompetens.dialogue import dialogues
from kompetens.dialogue import support_register as support_form
from kompetens.indicators import registry
from kompetens.ingest import import_bytes
from kompetens.query import allocation as q_allocation
from kompetens.query import allocation_scenarios as q_alloc_scenarios
from kompetens.query import annual_wheel as q_wheel
from kompetens.query import benchmarks as q_external
from kompetens.query import dialogue_rounds as q_rounds
from kompetens.query import projection as q_projection
from kompetens.query import projection_scenarios as q_scenarios
from kompetens.query import records
from kompetens.query import support_effect as q_effect
from kompetens.query import support_register as q_support
from kompetens.query import themes as q_themes

UNITS = {"E1": "Norr", "L1": "Norr", "S1": "Söder"}
AREAS = {"Norr", "Söder"}
CERT = "certified_teacher_share"


@pytest.fixture(scope="module")
def conn(small_db, tmp_path_factory):
    """A copy of the small fixture with two users: the principal of E1 and the area manager of
    Söder, and one support request with one finished effort per unit (``_seed_support``)."""
    target = tmp_path_factory.mktemp("access") / "access.duckdb"
    shutil.copy(small_db, target)
    c = store.connect(target)
    auth.add_user(c, "Rektor.E1@kommun.se", auth.PRINCIPAL, units=["E1"], added_by="test")
    auth.add_user(c, "vc.soder@kommun.se", auth.AREA_MANAGER, areas=["Söder"], added_by="test")
    _seed_paths(c)
    _seed_support(c)
    _seed_allocation(c)
    q.clear_cache()
    yield c
    c.close()


def _seed_scenarios(c) -> None:
    """One saved projection scenario per scope key of the fixture (saved by the organisation)."""
    for key in ("org", "area:Norr", "area:Söder", "unit:E1", "unit:L1", "unit:S1"):
        q_scenarios.save_scenario(c, q.Scope.everything(), f"s {key}", key, Scenario(), "test")


def _seed_allocation(c) -> None:
    """Pupils, an index and a pot for the three units (two years), so every unit has an amount."""
    files = {
        "pupil_count": "unit_id;year;school_form;pupils\nE1;2024;grundskola;100\nL1;2024;forskola;50\nS1;2024;grundskola;200\nE1;2025;grundskola;100\nL1;2025;forskola;50\nS1;2025;grundskola;200\n",
        "socioeconomic_index": "unit_id;year;index\nE1;2024;120\nL1;2024;110\nS1;2024;130\nE1;2025;125\nL1;2025;105\nS1;2025;140\n",
        "allocation_parameters": "year;school_form;pot;floor\n2024;grundskola;1000000;100\n2024;forskola;200000;100\n2025;grundskola;1000000;100\n2025;forskola;200000;100\n",
    }  # fmt: skip
    for kind, text in files.items():
        import_bytes(c, text.encode(), f"{kind}.csv", kind=kind, user="test")


def _seed_paths(c) -> None:
    """A certification path at E1 (P04) and one at S1 (P21), so that path_progress has rows to leak."""
    import_bytes(
        c,
        b"employee_id;unit_id;programme;subject;start_date;expected_completion\n"
        b"P04;E1;KPU;MA;2024-08-19;2025-06-15\nP21;S1;VAL;SV;2024-08-19;2026-06-15\n",
        "vagar.csv",
        kind="certification_path",
        user="test",
    )


def _seed_support(c) -> None:
    """One support request per unit of the fixture (E1, L1, S1), each with one finished effort
    without feedback, filed once by the organisation through the register's form."""
    everyone = q.Scope.everything()
    for unit in ("E1", "L1", "S1"):
        request = support_form.file_request(
            c,
            everyone,
            {
                "unit_id": unit,
                "request_date": dt.date(2025, 3, 2),
                "asker_role": "principal",
                "channel": "dialogue",
                "topic": "Rekrytering",
                "description": "Svårt att rekrytera.",
                "support_function": "HR",
                "report_to": "Rektor",
            },
            user="test",
        )
        support_form.record_effort(
            c,
            everyone,
            {
                "request_id": request.row_id,
                "support_function": "HR",
                "start_date": dt.date(2025, 3, 10),
                "end_date": dt.date(2025, 4, 10),
                "effort_type": "coaching",
                "hours": 6,
                "status": "done",
            },
            user="test",
        )


def _support_row(c, unit: str) -> dict:
    """The fixture's support request of ``unit`` (seeded in ``conn``)."""
    row = (
        q_support.requests(c, q.Scope.everything())
        .filter(pl.col("unit_id") == unit)
        .row(0, named=True)
    )
    return row


def _scenarios_seen(c, s) -> pl.DataFrame:
    """The saved scenarios a scope lists, with the level and id their scope key names."""
    _seed_scenarios(c)
    parts = pl.col("scope_key").str.split_exact(":", 1)
    return q_scenarios.list_scenarios(c, s).select(
        parts.struct.field("field_0").alias("level"),
        parts.struct.field("field_1").alias("scope_id"),
    )


def _seed_wheel(c) -> None:
    """Once: HT2026 rounds for Norr and Söder, and a dialogue of 2026-09-15 with an open action
    due 2026-12-01 for each unit (the annual wheel's recipes; "today" is 2026-11-10)."""
    if store.scalar(c, "SELECT count(*) FROM dialogue_round_changes"):
        return
    everyone = q.Scope.everything()
    for area in ("Norr", "Söder"):
        q_rounds.save_rounds(
            c,
            everyone,
            area,
            "HT2026",
            [q_rounds.Round(dt.date(2026, 9, 14), dt.date(2026, 9, 25))],
            "test",
        )
    for unit in UNITS:
        dialogues.save_dialogue(
            c,
            everyone,
            unit,
            dt.date(2026, 9, 15),
            "Anteckningar",
            [dialogues.Action("Plan", due_date=dt.date(2026, 12, 1))],
            user="test",
        )


def _wheel(fn, c, s, *args, **kwargs):
    _seed_wheel(c)
    return fn(c, s, *args, **kwargs)


def _round_change_of(c, area: str) -> int:
    _seed_wheel(c)
    return q_rounds.round_changes(c, q.Scope.everything()).filter(pl.col("area") == area)[
        "change_id"
    ][0]


def _ics_mentions(c, s) -> pl.DataFrame:
    """The units and areas an .ics file names: unit names and rounds' ``– <area>``."""
    text = _wheel(q_wheel.upcoming_ics, c, s, today=dt.date(2026, 11, 10))[0].decode()
    names = {"E1": "Ekskolan", "L1": "Lärkans förskola", "S1": "Söderskolan"}
    units = [u for u, n in names.items() if n in text]
    areas = [a for a in AREAS if f"– {a}" in text]
    return pl.DataFrame(
        {"unit_id": units + [None] * len(areas), "area": [None] * len(units) + areas},
        schema={"unit_id": pl.String, "area": pl.String},
    )


@pytest.fixture(scope="module")
def principal(conn) -> q.Scope:
    role, scope = auth.user_scope(conn, "rektor.e1@KOMMUN.se")
    assert role == auth.PRINCIPAL
    return scope


@pytest.fixture(scope="module")
def area_manager(conn) -> q.Scope:
    role, scope = auth.user_scope(conn, "vc.soder@kommun.se")
    assert role == auth.AREA_MANAGER
    return scope


def test_the_users_table_gives_the_principal_their_unit_and_its_area_and_the_manager_their_area(
    principal, area_manager
):
    assert principal == q.Scope.for_units(["E1"], areas=["Norr"])
    assert area_manager == q.Scope.for_areas("Söder")


# Recipes: (own_unit, own_area) -> a call that must stay inside the caller's scope.
CALLS = {
    "areas": lambda c, s, u, a: q.areas(c, s),
    "available_periods": lambda c, s, u, a: q.available_periods(c, s, "year"),
    "breakdown": lambda c, s, u, a: q.breakdown(c, s, "temporary_teacher_share", "unit", u, "year", "2025", "staff_category").with_columns(pl.lit(u).alias("unit_id")),
    "breakdown_series": lambda c, s, u, a: q.breakdown_series(c, s, "temporary_teacher_share", "area", a, "year", "staff_category").with_columns(pl.lit(a).alias("area")),
    "certification_units": lambda c, s, u, a: q.certification_units(c, s, "teacher", "2025"),
    "compare": lambda c, s, u, a: q.compare(c, s, u, [CERT, "turnover_rate"], "year", "2025").with_columns(pl.lit(u).alias("unit_id")),
    "coverage": lambda c, s, u, a: q.coverage(c, s),
    "coverage_by_area": lambda c, s, u, a: q.coverage(c, s, by="area"),
    "data_freshness": lambda c, s, u, a: q.data_freshness(c, s),
    "figures": lambda c, s, u, a: q.figures(c, s),
    "headline": lambda c, s, u, a: q.headline(c, s, [CERT, "turnover_rate", "sick_leave_rate"]),
    "latest_month": lambda c, s, u, a: pl.DataFrame({"period": [q.latest_month(c, s)]}),
    "licence_status": lambda c, s, u, a: q.licence_status(c, s, u, "2025").with_columns(pl.lit(u).alias("unit_id")),
    "redundancy_matches": lambda c, s, u, a: q.redundancy_matches(c, s),
    "segregation": lambda c, s, u, a: q.segregation(c, s, "2025").points,
    "series": lambda c, s, u, a: q.series(c, s, CERT, "unit", u, "year").with_columns(pl.lit(u).alias("unit_id")),
    "series_by_scope": lambda c, s, u, a: q.series_by_scope(c, s, CERT, "unit", "year"),
    "support_need": lambda c, s, u, a: q.support_need(c, s),
    "suppressed_cells": lambda c, s, u, a: q.suppressed_cells(c, s, "year", "2025"),
    "trend_with_context": lambda c, s, u, a: q.trend_with_context(c, s, CERT, "unit", u, "year"),
    "unit_table": lambda c, s, u, a: q.unit_table(c, s, [CERT, "turnover_rate"], "year", "2025"),
    "unit_values": lambda c, s, u, a: q.unit_values(c, s, [CERT, "turnover_rate"], "year", "2025"),
    "units": lambda c, s, u, a: q.units(c, s),
    "incomplete_snapshots": lambda c, s, u, a: q.incomplete_snapshots(c, s),  # organisation-wide counts; no unit or area named
    "external_comparisons": lambda c, s, u, a: q_external.external_comparisons(c, s, CERT, 2025, u).with_columns(pl.lit(u).alias("unit_id")),
    "external_trend": lambda c, s, u, a: q_external.external_trend(c, s, CERT),  # municipality-level values only
    "certification_reconciliation": lambda c, s, u, a: q_external.certification_reconciliation(c, s, 2025),
    "projection": lambda c, s, u, a: q_projection.projection(c, s, years=1, draws=20),
    "rates": lambda c, s, u, a: q_projection.rates(c, s),
    "what_it_takes": lambda c, s, u, a: q_projection.what_it_takes(c, s, CERT, 0.8, 2027),
    "list_scenarios": lambda c, s, u, a: _scenarios_seen(c, s),
    "retirement_timeline": lambda c, s, u, a: q_projection.retirement_timeline(c, s),
    "backtest": lambda c, s, u, a: pl.DataFrame({"unit_mae": [q_projection.backtest(c, s, 2024, draws=20).__class__.__name__]}),  # organisation-wide errors; names no unit or area
    # the support register (one request and one finished effort per unit, seeded in ``conn``)
    "requests": lambda c, s, u, a: q_support.requests(c, s),
    "efforts": lambda c, s, u, a: q_support.efforts(c, s),
    "changes": lambda c, s, u, a: q_support.changes(c, s).join(store.frame(c, "SELECT _batch_id AS batch_id, unit_id FROM support_request UNION ALL SELECT _batch_id, unit_id FROM support_effort"), on="batch_id"),
    "overview": lambda c, s, u, a: q_support.overview(c, s),
    "need_versus_support": lambda c, s, u, a: q_support.need_versus_support(c, s),
    "not_asking": lambda c, s, u, a: q_support.not_asking(c, s),
    "unanswered": lambda c, s, u, a: q_support.unanswered(c, s, days=0, today=dt.date(2026, 1, 1)),
    "without_feedback": lambda c, s, u, a: q_support.without_feedback(c, s),
    "filing_units": lambda c, s, u, a: q_support.filing_units(c, s),
    "subject_units": lambda c, s, u, a: q.subject_units(c, s, "2025"),  # no teaching assignments in the fixture: empty
    "path_periods": lambda c, s, u, a: pl.DataFrame({"period": q.path_periods(c, s)}),  # names no unit
    "path_progress": lambda c, s, u, a: q.path_progress(c, s, "2025-12"),  # paths seeded at E1 and S1
    "path_progress_by_area": lambda c, s, u, a: q.path_progress(c, s, "2025-12", level="area"),
    "lost_and_hired_by_subject": lambda c, s, u, a: q.lost_and_hired_by_subject(c, s),  # the organisation's row; the fixture has no subjects: empty (tests/test_recruit_smart.py covers scope)
    "recruit_smart_periods": lambda c, s, u, a: pl.DataFrame({"period": q.recruit_smart_periods(c, s)}, schema={"period": pl.String}),  # periods name no unit
    # the annual wheel (rounds and dialogues seeded by ``_seed_wheel``; support as above)
    "calendar": lambda c, s, u, a: _wheel(q_wheel.calendar, c, s, dt.date(2025, 1, 1), dt.date(2026, 12, 31), today=dt.date(2026, 11, 10)),
    "upcoming": lambda c, s, u, a: _wheel(q_wheel.upcoming, c, s, today=dt.date(2026, 11, 10)),
    "round_events": lambda c, s, u, a: _wheel(q_wheel.round_events, c, s, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    "action_events": lambda c, s, u, a: _wheel(q_wheel.action_events, c, s, dt.date(2025, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 11, 10)),
    "support_events": lambda c, s, u, a: _wheel(q_wheel.support_events, c, s, dt.date(2025, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 11, 10)),
    "actions_due": lambda c, s, u, a: _wheel(q_wheel.actions_due, c, s, today=dt.date(2026, 11, 10)),
    "dialogue_status": lambda c, s, u, a: _wheel(q_wheel.dialogue_status, c, s, "HT2026"),
    "dialogue_status_by_area": lambda c, s, u, a: _wheel(q_wheel.dialogue_status_by_area, c, s, "HT2026"),
    "upcoming_ics": lambda c, s, u, a: _ics_mentions(c, s),
    "current_rounds": lambda c, s, u, a: _wheel(q_rounds.current_rounds, c, s),
    "round_changes": lambda c, s, u, a: _wheel(q_rounds.round_changes, c, s),
    "before_after": lambda c, s, u, a: q_effect.before_after(c, s),
    "open_report_backs": lambda c, s, u, a: q_support.open_report_backs(c, s),
    "open_report_backs_in_the_wheel": lambda c, s, u, a: _wheel(q_wheel.open_report_backs, c, s),
    "tagged_units": lambda c, s, u, a: q_themes.tagged_units(c, s),
    "themes_by_area_term": lambda c, s, u, a: q_themes.themes_by_area_term(c, s),
    "terms": lambda c, s, u, a: pl.DataFrame({"term_start": q_themes.terms(c, s)}),
    # the allocation model (pupils, index and pots seeded by ``_seed_allocation``)
    "competence_link": lambda c, s, u, a: q_allocation.competence_link(c, s),
    "segregation_by_year": lambda c, s, u, a: q_allocation.segregation_by_year(c, s),  # counts and mean shares of the scope's own units; names none
    "scenario": lambda c, s, u, a: pl.concat([q_allocation.scenario(c, s, AllocationParameters(floor=90)).comparison.select("unit_id", "area"), q_allocation.scenario(c, s, AllocationParameters(floor=90)).series.select("unit_id")], how="diagonal"),
}  # fmt: skip

#: Explicit requests for another unit or area: refused with ScopeError.
OUTSIDE = {
    "breakdown": lambda c, s, u, a: q.breakdown(c, s, CERT, "unit", u, "year", "2025", "staff_category"),
    "breakdown_series": lambda c, s, u, a: q.breakdown_series(c, s, CERT, "area", a, "year", "staff_category"),
    "certification_units": lambda c, s, u, a: q.certification_units(c, s, "teacher", "2025", area=a),
    "compare": lambda c, s, u, a: q.compare(c, s, u, [CERT], "year", "2025"),
    "coverage": lambda c, s, u, a: q.coverage(c, s, area=a),
    "data_freshness": lambda c, s, u, a: q.data_freshness(c, s, area=a),
    "headline_at_area": lambda c, s, u, a: q.headline(c, s, [CERT], at=("area", a)),
    "headline_at_unit": lambda c, s, u, a: q.headline(c, s, [CERT], at=("unit", u)),
    "licence_status": lambda c, s, u, a: q.licence_status(c, s, u, "2025"),
    "segregation": lambda c, s, u, a: q.segregation(c, s, "2025", area=a),
    "series_unit": lambda c, s, u, a: q.series(c, s, CERT, "unit", u, "year"),
    "series_area": lambda c, s, u, a: q.series(c, s, CERT, "area", a, "year"),
    "before_after_of_unit": lambda c, s, u, a: q_effect.before_after(c, s, unit_id=u),
    "tagged_units_of_area": lambda c, s, u, a: q_themes.tagged_units(c, s, area=a),
    "unit_themes": lambda c, s, u, a: q_themes.unit_themes(c, s, u, dt.date(2026, 10, 1)),
    "trend_with_context": lambda c, s, u, a: q.trend_with_context(c, s, CERT, "unit", u, "year"),
    "unit_table": lambda c, s, u, a: q.unit_table(c, s, [CERT], "year", "2025", area=a),
    "unit_values": lambda c, s, u, a: q.unit_values(c, s, [CERT], "year", "2025", area=a),
    "units": lambda c, s, u, a: q.units(c, s, area=a),
    "imports": lambda c, s, u, a: records.imports(c, s),  # the import log: organisation-wide only
    "unit_outlook": lambda c, s, u, a: q_projection.unit_outlook(c, s, u),
    "get_scenario": lambda c, s, u, a: (_seed_scenarios(c), q_scenarios.get_scenario(c, s, f"s unit:{u}")),
    "save_scenario": lambda c, s, u, a: q_scenarios.save_scenario(c, s, "mitt", f"area:{a}", Scenario(), "t"),
    "delete_scenario": lambda c, s, u, a: (_seed_scenarios(c), q_scenarios.delete_scenario(c, s, f"s area:{a}", "t")),
    "check_unit": lambda c, s, u, a: q_support.check_unit(c, s, u),
    "check_filing": lambda c, s, u, a: q_support.check_filing(c, s, u, "HR"),
    "load": lambda c, s, u, a: q_support.load(c, s, area=a),
    "current_row": lambda c, s, u, a: q_support.current_row(c, s, "support_request", _support_row(c, u)["request_id"]),
    "requests_of_unit": lambda c, s, u, a: q_support.requests(c, s, unit_id=u),
    "largest_subject_gaps": lambda c, s, u, a: q.largest_subject_gaps(c, s, u, "2025"),
    "subject_units_of_area": lambda c, s, u, a: q.subject_units(c, s, "2025", area=a),
    "path_progress_of_area": lambda c, s, u, a: q.path_progress(c, s, "2025-12", area=a),
    "unit_subject_grades": lambda c, s, u, a: q.unit_subject_grades(c, s, u, "2025"),  # the drill from a unit's row
    "lost_and_hired_by_subject_of_unit": lambda c, s, u, a: q.lost_and_hired_by_subject(c, s, unit_id=u),
    "lost_and_hired_by_subject_of_area": lambda c, s, u, a: q.lost_and_hired_by_subject(c, s, area=a),
    "calendar_of_area": lambda c, s, u, a: _wheel(q_wheel.calendar, c, s, dt.date(2026, 1, 1), dt.date(2026, 12, 31), area=a),
    "dialogue_status_of_area": lambda c, s, u, a: _wheel(q_wheel.dialogue_status, c, s, "HT2026", area=a),
    "current_rounds_of_area": lambda c, s, u, a: _wheel(q_rounds.current_rounds, c, s, area=a),
    "save_rounds": lambda c, s, u, a: q_rounds.save_rounds(c, s, a, "VT2027", [q_rounds.Round(dt.date(2027, 2, 1), dt.date(2027, 2, 5))], "t"),
    "undo_change": lambda c, s, u, a: q_rounds.undo_change(c, s, _round_change_of(c, a), "t"),
    "unit_explanation": lambda c, s, u, a: q_allocation.unit_explanation(c, s, u),
    "save_allocation_scenario": lambda c, s, u, a: q_alloc_scenarios.save_scenario(c, s, "mitt", AllocationParameters(), "t"),  # organisation-wide scopes only
    "delete_allocation_scenario": lambda c, s, u, a: q_alloc_scenarios.delete_scenario(c, s, "mitt", "t"),
}  # fmt: skip


def _scoped_functions() -> list[str]:
    """Every public function of the query layer's modules whose first parameters are (conn, scope)."""
    names = []
    for info in pkgutil.iter_modules(q.__path__):
        module = importlib.import_module(f"{q.__name__}.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            if list(inspect.signature(fn).parameters)[:2] == ["conn", "scope"]:
                names.append(name)
    return names


def test_every_query_function_has_a_scope_recipe():
    covered = {name.split("_by_")[0] if name.startswith("coverage") else name for name in CALLS}
    covered |= set(OUTSIDE)  # refused outright for a unit or area scope
    missing = sorted(set(_scoped_functions()) - covered)
    assert not missing, f"add a recipe to CALLS in tests/test_access_scope.py for: {missing}"


def mentioned(frame: pl.DataFrame) -> tuple[set[str], set[str]]:
    """Every unit id and area a result names, whatever its shape."""
    units, areas = set(), set()
    if "unit_id" in frame.columns:
        units |= set(frame["unit_id"].drop_nulls().to_list())
    if "scope_id" in frame.columns:
        if "level" in frame.columns:
            units |= set(frame.filter(pl.col("level") == "unit")["scope_id"].to_list())
            areas |= set(frame.filter(pl.col("level") == "area")["scope_id"].to_list())
        else:  # series_by_scope: scope ids of one level
            ids = set(frame["scope_id"].drop_nulls().to_list())
            units |= ids & set(UNITS)
            areas |= ids & AREAS
    if "area" in frame.columns:
        areas |= set(frame["area"].drop_nulls().to_list())
    return units, areas


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_principal_never_gets_rows_of_another_unit_or_area(conn, principal, name):
    units, areas = mentioned(CALLS[name](conn, principal, "E1", "Norr"))
    assert units <= {"E1"}
    assert areas <= {"Norr"}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_an_area_manager_never_gets_rows_of_another_area(conn, area_manager, name):
    units, areas = mentioned(CALLS[name](conn, area_manager, "S1", "Söder"))
    assert units <= {"S1"}
    assert areas <= {"Söder"}


#: Recipes that name no unit or area at all, or only the unit/area they were asked for (OUTSIDE
#: covers those), redundancy_matches (the small fixture has redundant staff in Norr only) and
#: not_asking (every unit of the fixture asked for support, so none is listed) and
#: subject_units and the recruit-smart rows (the fixture has no teaching assignments or subjects;
#: tests/test_subjects* and tests/test_recruit_smart.py cover scope),
#: and the themes (the fixture has no tags; tests/test_themes.py covers their scope).
NOTHING_TO_LEAK = {"available_periods", "latest_month", "breakdown", "breakdown_series", "compare", "licence_status", "series", "trend_with_context", "redundancy_matches", "incomplete_snapshots", "external_comparisons", "external_trend", "certification_reconciliation", "backtest", "not_asking", "subject_units", "path_periods", "lost_and_hired_by_subject", "recruit_smart_periods", "terms", "tagged_units", "themes_by_area_term", "segregation_by_year"}  # fmt: skip


@pytest.mark.parametrize("name", sorted(set(CALLS) - NOTHING_TO_LEAK))
def test_with_both_areas_the_recipes_name_more_than_e1_so_the_checks_above_can_fail(conn, name):
    both = q.Scope.for_areas("Norr", "Söder")
    units, areas = mentioned(CALLS[name](conn, both, "E1", "Norr"))
    assert (units - {"E1"}) or (areas - {"Norr"}), f"{name}: the scope check would be vacuous"


@pytest.mark.parametrize("name", sorted(OUTSIDE))
def test_asking_for_another_unit_or_area_is_refused(conn, principal, area_manager, name):
    with pytest.raises(q.ScopeError):
        OUTSIDE[name](conn, principal, "S1", "Söder")  # E1's principal asks for Söder
    with pytest.raises(q.ScopeError):
        OUTSIDE[name](conn, area_manager, "E1", "Norr")  # Söder's manager asks for Norr


@pytest.mark.parametrize("indicator_id", [i.id for i in registry.engine_indicators()])
def test_for_every_indicator_unit_and_area_figures_stay_in_scope(
    conn, principal, area_manager, indicator_id
):
    for scope, own_units, own_areas in (
        (principal, {"E1"}, {"Norr"}),
        (area_manager, {"S1"}, {"Söder"}),
    ):
        for level in ("unit", "area"):
            for period_type in ("year", "month"):
                frame = q.series_by_scope(conn, scope, indicator_id, level, period_type)
                ids = set(frame["scope_id"].to_list())
                assert ids <= (own_units if level == "unit" else own_areas)
        values = q.unit_values(conn, scope, [indicator_id], "year", "2025")
        assert set(values["unit_id"].to_list()) <= own_units
        # the area column of a unit row may only carry the caller's own area's value
        assert set(values.filter(pl.col("area_value").is_not_null())["area"].to_list()) <= own_areas
        figures = q.figures(conn, scope, [indicator_id])
        assert set(figures.filter(pl.col("level") == "unit")["scope_id"].to_list()) <= own_units
        assert set(figures.filter(pl.col("level") == "area")["scope_id"].to_list()) <= own_areas


def test_hr_sees_both_areas_in_the_same_registry_check(conn):
    """The per-indicator check is not vacuous: HR's certified-share units span both areas."""
    frame = q.series_by_scope(conn, q.Scope.everything(), CERT, "unit", "year")
    assert set(frame["scope_id"].to_list()) == {"E1", "S1"}  # L1 is a preschool: no teacher share


def test_the_import_log_is_read_by_an_organisation_wide_scope_only(conn):
    # The small fixture is loaded through the importer: one batch per kind, newest first,
    # e.g. the 3 units of units.csv (E1, L1, S1) and the 6 rows of targets.csv.
    logged = records.imports(conn, q.Scope.everything())
    # newest: the three allocation batches of ``_seed_allocation``
    assert logged["kind"].to_list()[:3] == ["allocation_parameters", "socioeconomic_index", "pupil_count"]
    logged = logged.slice(3)
    # the module's fixture adds a certification-path batch and then six support-register batches
    # on top (one request and one effort per unit), newest first
    assert logged["kind"].to_list()[:7] == ["support_effort", "support_request"] * 3 + [
        "certification_path"
    ]
    batches = logged.slice(7)
    assert batches["kind"].to_list()[0] == "targets" and batches["kind"].to_list()[-1] == "units"
    written = dict(batches.select("kind", "rows_written").rows())
    assert (written["units"], written["targets"], batches.height) == (3, 6, 9)
