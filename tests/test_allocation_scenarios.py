"""Saved allocation scenarios: saved, listed, reopened, replaced and deleted by an organisation-wide
scope, audited; a narrower scope may read them but not change them."""

from __future__ import annotations

import pytest

from kompetens.access import audit
from kompetens.access.scope import Scope, ScopeError
from kompetens.analysis.allocation import AllocationParameters
from kompetens.core import store
from kompetens.query import allocation_scenarios as qas

EVERYONE = Scope.everything()
PRINCIPAL = Scope.for_units(["E1"], areas=["Norr"])


@pytest.fixture
def conn():
    c = store.connect(":memory:")
    yield c
    c.close()


def test_a_saved_scenario_reopens_with_its_parameters_and_is_audited(conn):
    params = AllocationParameters(floor=90, upper_secondary_floor=80, smoothing_years=3, cap=0.1)
    assert qas.save_scenario(conn, EVERYONE, "  Golv 90   med utjämning ", params, "a@k.se") == (
        "Golv 90 med utjämning"
    )
    assert qas.get_scenario(conn, PRINCIPAL, "golv 90 MED utjämning") == params
    listed = qas.list_scenarios(conn, PRINCIPAL)
    assert listed.select("name", "floor", "smoothing_years", "cap").rows() == [
        ("Golv 90 med utjämning", 90.0, 3, 0.1)
    ]
    events = audit.list_events(conn, action=audit.ALLOCATION_SCENARIO_SAVED)
    assert events["target"].to_list() == ["Golv 90 med utjämning"]


def test_saving_the_same_name_replaces_it_and_deleting_removes_it(conn):
    qas.save_scenario(conn, EVERYONE, "A", AllocationParameters(floor=90), "a@k.se")
    qas.save_scenario(conn, EVERYONE, "a", AllocationParameters(floor=110), "a@k.se")
    assert qas.list_scenarios(conn, EVERYONE)["floor"].to_list() == [110.0]
    assert qas.delete_scenario(conn, EVERYONE, "A", "a@k.se") is True
    assert qas.delete_scenario(conn, EVERYONE, "A", "a@k.se") is False
    assert qas.list_scenarios(conn, EVERYONE).height == 0
    assert qas.get_scenario(conn, EVERYONE, "A") is None


def test_a_unit_scope_may_not_save_or_delete_and_a_name_is_required(conn):
    with pytest.raises(ScopeError):
        qas.save_scenario(conn, PRINCIPAL, "Mitt", AllocationParameters(), "r@k.se")
    qas.save_scenario(conn, EVERYONE, "B", AllocationParameters(), "a@k.se")
    with pytest.raises(ScopeError):
        qas.delete_scenario(conn, PRINCIPAL, "B", "r@k.se")
    with pytest.raises(ValueError, match="Ge scenariot ett namn"):
        qas.save_scenario(conn, EVERYONE, "   ", AllocationParameters(), "a@k.se")
