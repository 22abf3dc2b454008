"""The compute blocks' declarations hold: what a block reads, and which indicators it makes.

The engine derives from them which blocks an import redoes (``KIND_BLOCKS``) and which
indicators' rows a redone block replaces (``pipelines.BLOCKS``), so a wrong declaration
would leave stale or missing figures (issue #17). ``Inputs`` records every contract kind
a block touches, directly or through a shared result such as the staff months grid.
"""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kompetens.core import store
from kompetens.core.contract import KINDS
from kompetens.indicators import pipelines
from kompetens.indicators.engine import load_frames
from kompetens.indicators.pipelines import ALL_BLOCKS, BLOCKS, Inputs, Settings
from kompetens.indicators.registry import REGISTRY
from tests.fixtures.small import load_small

COMPUTED = [b for b in ALL_BLOCKS if b.compute is not None]


@pytest.fixture(scope="module")
def frames():
    conn = store.connect(":memory:")
    load_small(conn)
    frames = load_frames(conn)
    # The small fixture has no teaching assignments (an optional kind): every teacher of every
    # snapshot teaches MA (qualified as the person's flag) and SV (not qualified), 6 h each.
    teachers = frames["staff"].filter(pl.col("staff_category") == "teacher")
    frames["teaching_assignment"] = pl.concat(
        teachers.select(
            "snapshot_date",
            "employee_id",
            "unit_id",
            pl.lit(subject).alias("subject"),
            pl.lit(None, dtype=pl.String).alias("school_form"),
            pl.lit("7-9").alias("grades"),
            pl.lit(6.0).alias("hours_per_week"),
            pl.lit(None, dtype=pl.Float64).alias("fte_share"),
            (pl.col("qualified").fill_null(False) & qualified).alias("qualified"),
        )
        for subject, qualified in (("MA", True), ("SV", False))
    )
    # Nor certification paths: every teacher of the first snapshot is on a KPU path in SV, started
    # a month before and expected to finish a year later.
    first = frames["staff"]["snapshot_date"].min()
    frames["certification_path"] = (
        teachers.filter(pl.col("snapshot_date") == first)
        .select(
            "employee_id",
            "unit_id",
            pl.lit("KPU").alias("programme"),
            pl.lit("SV").alias("subject"),
            (pl.col("snapshot_date") - pl.duration(days=30)).alias("start_date"),
            (pl.col("snapshot_date") + pl.duration(days=365)).alias("expected_completion"),
        )
        .unique(["employee_id"])
    )
    return frames


@pytest.mark.parametrize("block", COMPUTED, ids=lambda b: b.name)
def test_a_block_reads_exactly_the_kinds_it_declares(block, frames):
    inputs = Inputs(frames, Settings())
    block.compute(inputs)
    assert inputs.read == block.reads


@pytest.mark.parametrize("block", COMPUTED, ids=lambda b: b.name)
def test_a_block_makes_exactly_the_indicators_the_registry_places_in_it(block, frames):
    # The small fixture has data for every indicator.
    assert set(block.compute(Inputs(frames, Settings()))) == set(BLOCKS[block.name])


def test_every_engine_indicator_is_in_one_declared_block_and_no_block_is_empty():
    names = [b.name for b in ALL_BLOCKS]
    assert len(names) == len(set(names))
    for ind in REGISTRY.values():
        if ind.computed_by == "engine":
            assert ind.block in names, ind.id
        else:
            assert ind.block is None, ind.id
    assert all(BLOCKS[name] for name in names)
    assert sorted(i for ids in BLOCKS.values() for i in ids) == sorted(
        ind.id for ind in REGISTRY.values() if ind.computed_by == "engine"
    )


def test_a_block_reads_every_source_its_indicators_name_and_only_contract_kinds():
    for block in ALL_BLOCKS:
        assert block.reads <= set(KINDS), block.name
        for indicator_id in BLOCKS[block.name]:
            assert set(REGISTRY[indicator_id].sources) <= block.reads, indicator_id


def test_the_recruitment_block_reads_the_staff_months_it_ends_its_rolling_windows_in(frames):
    # Issue #17: the windows end at the last staff snapshot month, so staff is read.
    inputs = Inputs(frames, Settings())
    figures = pipelines.recruitment.BLOCK.compute(inputs)
    rolling = figures["applicants_per_vacancy"].filter(
        figures["applicants_per_vacancy"]["period_type"] == "rolling_12m"
    )
    assert rolling["period"].max() == "2025-12"  # the last snapshot month of the fixture
    assert "staff" in inputs.read


def test_computing_all_blocks_gives_the_same_figures_as_computing_each_alone(frames):
    together = pipelines.compute(frames)
    for block in COMPUTED:
        alone = pipelines.compute(frames, blocks={block.name})
        assert set(alone) == set(BLOCKS[block.name])
        for indicator_id, figures in alone.items():
            # Sums may differ in the last bit between two runs (parallel adds).
            assert_frame_equal(
                figures.sort(figures.columns),
                together[indicator_id].sort(figures.columns),
                check_exact=False,
                rel_tol=1e-9,
            )
