"""The demo's allocation inputs: five years, an index that drifts, pots that rise."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from kompetens.analysis import allocation as al
from kompetens.demo.build import generate_demo


@pytest.fixture(scope="module")
def demo() -> dict[str, pl.DataFrame]:
    return generate_demo(employees=600, start=date(2025, 1, 1), end_month=date(2026, 10, 1), seed=3)


def test_five_years_up_to_the_last_snapshot_with_an_index_for_every_unit_with_pupils(demo):
    index, pupils = demo["socioeconomic_index"], demo["pupil_count"]
    assert sorted(index["year"].unique()) == [2022, 2023, 2024, 2025, 2026]
    assert (
        index.select("unit_id", "year")
        .sort(pl.all())
        .equals(pupils.select("unit_id", "year").unique().sort(pl.all()))
    )
    # the last year's index is the units file's
    last = index.filter(pl.col("year") == 2026).join(
        demo["units"].select("unit_id", "socioeconomic_index"), on="unit_id"
    )
    assert (last["index"] == last["socioeconomic_index"]).all()


def test_the_index_drifts_from_year_to_year_so_smoothing_has_something_to_smooth(demo):
    change = (
        demo["socioeconomic_index"]
        .sort("unit_id", "year")
        .with_columns(step=pl.col("index").diff().over("unit_id").abs())
    )["step"].drop_nulls()
    assert change.mean() > 3  # index points a year
    params = demo["allocation_parameters"]
    plain = al.allocate(
        demo["pupil_count"], demo["socioeconomic_index"], params, al.AllocationParameters(floor=95)
    )
    smooth = al.allocate(
        demo["pupil_count"],
        demo["socioeconomic_index"],
        params,
        al.AllocationParameters(floor=95, smoothing_years=3, cap=0.1),
    )
    assert al.yearly_variation(smooth) < al.yearly_variation(plain) / 2


def test_the_parameters_are_the_model_as_decided_and_the_pot_rises(demo):
    params = demo["allocation_parameters"]
    assert set(params["school_form"]) <= {
        "forskola",
        "grundskola",
        "gymnasieskola",
        "anpassad_grundskola",
        "anpassad_gymnasieskola",
    }
    floors = dict(params.filter(pl.col("year") == 2026).select("school_form", "floor").iter_rows())
    assert floors["grundskola"] == 95 and floors["gymnasieskola"] == 0
    # anpassad grundskola has no floor either: with one unit below 95, a floor left its pot unshared
    assert floors.get("anpassad_grundskola", 0) == 0
    pots = params.filter(pl.col("school_form") == "grundskola").sort("year")["pot"]
    assert (pots.diff().drop_nulls() > 0).all()
    assert params["smoothing_years"].unique().to_list() == [1]
    assert params["cap_pct"].null_count() == params.height
