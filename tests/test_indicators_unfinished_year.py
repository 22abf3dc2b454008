"""An unfinished calendar year is left out where it would look like a fall (#15, item 13).

The rule comes from the registry: an indicator with ``unfinished_year='leave_out'`` gets a
``year`` value only once the staff snapshots reach December of that year; ``show`` (stocks at
the reference month, survey rounds) keeps it. Here the small fixture loses its December 2025
snapshot, so its newest month is November 2025 and 2025 is unfinished.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kompetens.core import store
from kompetens.indicators import pipelines
from kompetens.indicators.engine import load_frames
from kompetens.indicators.pipelines.block import finished_years_expr
from kompetens.indicators.registry import REGISTRY
from tests.fixtures.small import load_small


@pytest.fixture(scope="module")
def frames():
    conn = store.connect(":memory:")
    load_small(conn)
    return load_frames(conn)


@pytest.fixture(scope="module")
def until_november(frames):
    staff = frames["staff"].filter(pl.col("snapshot_date") < dt.date(2025, 12, 1))
    return {**frames, "staff": staff}


def _org_years(figures: pl.DataFrame) -> dict[str, float]:
    rows = figures.filter(
        (pl.col("level") == "org")
        & (pl.col("period_type") == "year")
        & (pl.col("breakdown") == "all")
    )
    return dict(zip(rows["period"], rows["value"], strict=True))


def test_every_indicator_with_a_year_declares_what_an_unfinished_year_shows():
    for ind in REGISTRY.values():
        if "year" in ind.period_types:
            assert ind.unfinished_year in ("leave_out", "show"), ind.id


def test_a_year_is_finished_once_the_snapshots_reach_its_december():
    frame = pl.DataFrame(
        {
            "period_type": ["year", "year", "year", "month"],
            "period": ["2024", "2025", "2026", "2026-01"],
        }
    )
    november_2025 = 2025 * 12 + 10  # month index: y * 12 + month - 1
    december_2025 = 2025 * 12 + 11
    kept = frame.filter(finished_years_expr(november_2025))["period"].to_list()
    assert kept == ["2024", "2026-01"]
    kept = frame.filter(finished_years_expr(december_2025))["period"].to_list()
    assert kept == ["2024", "2025", "2026-01"]
    assert frame.filter(finished_years_expr(None)).height == 4  # no snapshots: nothing to go by


def test_placements_hired_later_show_2025_only_once_2025_is_over(frames, until_november):
    # 2024: E1 HT2024 1 of 3, L1 HT2024 1 of 4 -> 2 / 7
    # 2025: E1 VT2025 0 of 2, L1 HT2025 0 of 2 (S1's 6 have no hired_later) -> 0 / 4 = 0 %,
    # the "fall" of an unfinished year when the data ends in November
    full = _org_years(pipelines.compute(frames, blocks={"placements"})["placement_to_hire"])
    assert full == pytest.approx({"2024": 2 / 7, "2025": 0.0})
    partial = pipelines.compute(until_november, blocks={"placements"})
    assert _org_years(partial["placement_to_hire"]) == pytest.approx({"2024": 2 / 7})
    # student counts: 2024 = 3 + 4 = 7; 2025 (10 students) left out as well
    assert _org_years(partial["student_placements"]) == {"2024": 7.0}


def test_no_leave_out_indicator_has_a_value_for_the_unfinished_year(until_november):
    figures = pipelines.compute(until_november)
    for indicator_id, frame in figures.items():
        years = set(frame.filter(pl.col("period_type") == "year")["period"].to_list())
        if REGISTRY[indicator_id].unfinished_year == "leave_out":
            assert "2025" not in years, indicator_id


def test_stocks_keep_the_year_their_reference_month_measured(until_november):
    figures = pipelines.compute(until_november, blocks={"staff"})
    # October 2025 is in the data: the 2025 stock value is complete
    assert "2025" in _org_years(figures["certified_teacher_share"])
    assert REGISTRY["certified_teacher_share"].unfinished_year == "show"


def test_the_rolling_twelve_months_still_carry_the_latest_picture(until_november):
    figures = pipelines.compute(until_november, blocks={"sick_leave"})
    rolling = figures["sick_leave_rate"].filter(
        (pl.col("period_type") == "rolling_12m") & (pl.col("level") == "org")
    )
    assert rolling["period"].max() == "2025-11"
    assert "2025" not in _org_years(figures["sick_leave_rate"])
