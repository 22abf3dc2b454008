"""The traffic light: "near the target" is a fraction of the target, not percentage points (#15)."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from kompetens import query as q
from kompetens.core.labels import TARGET_STATUS_LABELS, TARGET_STATUS_SYMBOLS
from kompetens.indicators import registry
from kompetens.present.charts import STATUS_COLOURS
from kompetens.query import status


def test_sick_leave_of_8_2_percent_against_a_5_percent_target_is_far_from_it():
    # higher is worse; 0.082 - 0.050 = 3.2 pp over; near band = 10 % of 0.050 = 0.5 pp -> red
    assert q.traffic_light(0.082, 0.05, "sick_leave_rate") == "red"
    # 0.054 - 0.050 = 0.4 pp over <= 0.5 pp -> near
    assert q.traffic_light(0.054, 0.05, "sick_leave_rate") == "yellow"
    # 0.056 - 0.050 = 0.6 pp over > 0.5 pp -> far
    assert q.traffic_light(0.056, 0.05, "sick_leave_rate") == "red"
    assert q.traffic_light(0.049, 0.05, "sick_leave_rate") == "green"
    assert q.traffic_light(0.05, 0.05, "sick_leave_rate") == "green"


def test_a_large_share_gets_a_band_of_its_own_size():
    # higher is better; target 1.00 -> near band 10 % of 1.00 = 10 pp
    assert q.traffic_light(0.92, 1.0, "certified_teacher_share") == "yellow"  # 8 pp short
    assert q.traffic_light(0.90, 1.0, "certified_teacher_share") == "yellow"  # 10 pp: the edge
    assert q.traffic_light(0.85, 1.0, "certified_teacher_share") == "red"  # 15 pp short
    # target 0.80 -> band 8 pp: 0.73 is 7 pp short (near), 0.71 is 9 pp short (far)
    assert q.traffic_light(0.73, 0.80, "certified_teacher_share") == "yellow"
    assert q.traffic_light(0.71, 0.80, "certified_teacher_share") == "red"


def test_an_indicator_may_declare_its_own_near_band(monkeypatch):
    # sick leave declared with a 50 % band: 0.082 is 3.2 pp over a 5 % target; 50 % of 5 % = 2.5 pp
    wide = dataclasses.replace(registry.get("sick_leave_rate"), near_target=0.5)
    monkeypatch.setitem(registry.REGISTRY, "sick_leave_rate", wide)
    assert q.traffic_light(0.082, 0.05, "sick_leave_rate") == "red"  # 3.2 > 2.5
    assert q.traffic_light(0.074, 0.05, "sick_leave_rate") == "yellow"  # 2.4 <= 2.5


def test_the_expression_and_the_single_value_agree_row_by_row():
    ids = ["sick_leave_rate", "certified_teacher_share", "hme_index"]
    frame = pl.DataFrame(
        {
            "indicator_id": ids,
            "value": [0.082, 0.92, 62.0],
            "target": [0.05, 1.0, 70.0],
        }
    ).join(status._meta(ids), on="indicator_id")
    got = frame.select(q.status_expr().alias("s"))["s"].to_list()
    # hme: 8 points short of 70, band 7 -> red
    assert got == ["red", "yellow", "red"]
    assert got == [
        q.traffic_light(v, t, i)
        for i, v, t in zip(ids, frame["value"], frame["target"], strict=True)
    ]


def test_every_indicator_declares_a_positive_near_band():
    for ind in registry.REGISTRY.values():
        assert 0 < ind.near_target < 1, ind.id


def test_near_and_far_have_distinct_symbols_and_colours_of_different_lightness():
    assert len(set(TARGET_STATUS_SYMBOLS.values())) == len(TARGET_STATUS_SYMBOLS)
    assert set(TARGET_STATUS_SYMBOLS) == set(TARGET_STATUS_LABELS)

    def lightness(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b  # relative luminance (approximate)

    # Yellow and vermillion must differ in lightness, not only in hue (colour-blind viewers):
    # F0E442 ~ 0.86, D55E00 ~ 0.33.
    assert lightness(STATUS_COLOURS["yellow"]) - lightness(STATUS_COLOURS["red"]) > 0.3


@pytest.mark.parametrize("value", [None])
def test_no_value_or_no_target_has_no_light(value):
    assert q.traffic_light(value, 0.05, "sick_leave_rate") is None
    assert q.traffic_light(0.05, None, "sick_leave_rate") is None
