"""Which ``?enhet=``/``?omrade=`` values a link may carry: exact forms only, never ambiguous.

Pure checks of ``kompetens.ui.signin`` on a small units table (the frame's
AppTest runs are in ``tests/test_access_app.py``).
"""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from kompetens.ui import signin

UNITS = pl.DataFrame(
    {
        "unit_id": ["E1", "L1", "S1"],
        "unit_name": ["Ekskolan", "Lärkans förskola", "Söderskolan"],
        "area": ["Norr", "Norr", "Söder"],
    }
)
PRINCIPAL_E1 = {"E1"}


def test_a_unit_is_named_by_its_id_its_name_and_both_page_labels():
    for value in ("E1", "Ekskolan", "Ekskolan (E1)", "Ekskolan (Norr)"):
        assert signin.units_named_by(value, UNITS) == ["E1"], value
        assert signin.unit_param_allowed(value, UNITS, PRINCIPAL_E1), value


def test_the_own_units_name_with_another_units_id_or_area_names_no_unit_and_is_refused():
    # Before: anything starting with "Ekskolan (" named E1, so ?enhet=Ekskolan (S1) showed E1.
    for value in (
        "Ekskolan (S1)",
        "Ekskolan (Söder)",
        "Ekskolan (L1)",
        "Ekskolan (",
        "Ekskolan ()",
    ):
        assert signin.units_named_by(value, UNITS) == [], value
        assert not signin.unit_param_allowed(value, UNITS, PRINCIPAL_E1), value


def test_a_value_that_names_two_units_is_refused_even_when_one_of_them_is_in_scope():
    twins = pl.DataFrame(
        {
            "unit_id": ["E1", "E2", "S1"],
            "unit_name": ["Centralskolan", "Centralskolan", "E1"],  # S1's name is E1's id
            "area": ["Norr", "Söder", "Söder"],
        }
    )
    assert signin.units_named_by("Centralskolan", twins) == ["E1", "E2"]
    assert not signin.unit_param_allowed("Centralskolan", twins, {"E1", "E2"})
    assert signin.units_named_by("E1", twins) == ["E1", "S1"]
    assert not signin.unit_param_allowed("E1", twins, {"E1"})
    # The label with the area is still exact: one unit.
    assert signin.unit_param_allowed("Centralskolan (Norr)", twins, {"E1"})


def test_a_repeated_area_or_unit_parameter_is_reported_and_a_single_one_is_not():
    assert signin.repeated_link_params({"enhet": ["S1", "E1"], "omrade": ["Norr"]}) == ["enhet"]
    assert signin.repeated_link_params({"omrade": ["Söder", "Norr"]}) == ["omrade"]
    assert signin.repeated_link_params({"enhet": ["E1", "E1"]}) == ["enhet"]  # even the same twice
    assert signin.repeated_link_params({"enhet": ["E1"], "omrade": ["Norr"]}) == []
    assert signin.repeated_link_params({}) == []


@given(st.text(min_size=0, max_size=12))
def test_a_units_name_followed_by_anything_but_its_id_or_area_in_brackets_names_no_unit(suffix):
    value = f"Ekskolan ({suffix})"
    expected = ["E1"] if suffix in ("E1", "Norr") else []
    assert signin.units_named_by(value, UNITS) == expected
    assert signin.unit_param_allowed(value, UNITS, PRINCIPAL_E1) == bool(expected)
