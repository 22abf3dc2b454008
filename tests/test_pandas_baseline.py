"""The benchmark's pandas baseline computes exactly the Kompetens key-figure rows.

``pandas_same_figures`` (kompetens/benchmarks/pandas_baseline.py) must give
the same rows as the pipelines for certified_teacher_share, turnover_rate and
sick_leave_rate, or the benchmark's speed-up compares unlike work. Checked on
the hand-built small fixture, on the demo organisation, and on the demo with
the awkward cases the demo lacks added by hand (people in two units, an earlier
snapshot in a month, a month without snapshots, events without category, a
unit missing from the unit register, sick leave outside the snapshot months).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kompetens.benchmarks.indicators import kompetens_three
from kompetens.benchmarks.pandas_baseline import compare_key_figures, pandas_same_figures
from kompetens.core import store
from kompetens.demo import generate_demo
from kompetens.indicators import pipelines
from kompetens.indicators.engine import load_frames
from tests.fixtures.small import load_small

INDICATORS = ("certified_teacher_share", "turnover_rate", "sick_leave_rate")


def _to_pandas(frames: dict[str, pl.DataFrame]):
    """The pandas frames the benchmark hands to the baseline (as ``_compare`` converts them)."""
    out = {kind: frames[kind].to_pandas() for kind in ("staff", "events", "sick_leave", "units")}
    for kind, col in (
        ("staff", "snapshot_date"),
        ("events", "event_date"),
        ("sick_leave", "month"),
    ):
        out[kind][col] = out[kind][col].astype("datetime64[ns]")
    return out


def _both(frames: dict[str, pl.DataFrame]):
    ours = pipelines.compute(frames, pipelines.Settings(), {"staff", "events", "sick_leave"})
    p = _to_pandas(frames)
    theirs = pandas_same_figures(p["staff"], p["events"], p["sick_leave"], p["units"])
    return {i: ours[i].to_pandas() for i in INDICATORS}, theirs


def _assert_identical(frames: dict[str, pl.DataFrame]) -> dict:
    ours, theirs = _both(frames)
    result = compare_key_figures(ours, theirs)
    for indicator in INDICATORS:
        r = result["indicators"][indicator]
        assert r["rows_kompetens"] > 0, indicator
        assert r["rows_pandas"] == r["rows_kompetens"], (indicator, r)
        assert r["duplicate_keys"] == 0, (indicator, r)
        assert r["only_kompetens"] == 0 and r["only_pandas"] == 0, (indicator, r)
        assert r["max_rel_difference"] <= 1e-9, (indicator, r)
        assert r["n_individuals_differing"] == 0, (indicator, r)
        assert r["rows_differing"] == 0, (indicator, r)
    assert result["identical"]
    return {"ours": ours, "theirs": theirs, "result": result}


@pytest.fixture(scope="module")
def demo_frames() -> dict[str, pl.DataFrame]:
    conn = store.connect(":memory:")
    for kind, frame in generate_demo(employees=300, seed=7).items():
        store.append_rows(conn, kind, frame, store.next_batch_id(conn))
    frames = load_frames(conn)
    conn.close()
    return frames


def test_small_fixture_gives_identical_rows():
    conn = store.connect(":memory:")
    load_small(conn)
    frames = load_frames(conn)
    conn.close()
    _assert_identical(frames)


def test_demo_gives_identical_rows_with_every_period_type_and_breakdown(demo_frames):
    got = _assert_identical(demo_frames)["ours"]
    # the comparison covers the whole shape of the output, not only "all" rows
    cts, turnover, sick = (got[i] for i in INDICATORS)
    assert set(cts["period_type"]) == {"month", "year"}
    assert set(cts["level"]) == {"unit", "area", "org"}
    assert any(b.startswith("school_form=") for b in cts["breakdown"])
    assert set(turnover["period_type"]) == {"year", "rolling_12m"}
    assert {"all", "variant=excl_retirement"} <= set(turnover["breakdown"])
    assert any(b.startswith("staff_category=") for b in turnover["breakdown"])
    assert any(b.startswith("school_form=") for b in turnover["breakdown"])
    assert set(sick["period_type"]) == {"month", "year", "rolling_12m"}
    assert (sick["n_individuals"] > 0).any()


def _with_edge_cases(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    staff, events, sick = frames["staff"], frames["events"], frames["sick_leave"]
    units = frames["units"]["unit_id"].to_list()
    dates = staff["snapshot_date"].unique().sort()

    # 1. people in two units in the same month (another unit, category and employment type)
    people = staff["employee_id"].unique().sort().head(40).to_list()
    second = staff.filter(pl.col("employee_id").is_in(people)).with_columns(
        pl.col("unit_id")
        .replace_strict({u: units[(i + 3) % len(units)] for i, u in enumerate(units)})
        .alias("unit_id"),
        pl.when(pl.col("employee_id") % 2 == 0)
        .then(pl.lit("teacher"))
        .otherwise(pl.col("staff_category"))
        .alias("staff_category"),
        pl.when(pl.col("employee_id") % 3 == 0)
        .then(pl.lit("permanent"))
        .otherwise(pl.lit("fixed_term"))
        .alias("employment_type"),
        pl.lit(0.2).alias("fte"),
    )
    # 2. an earlier snapshot in some months (only the month's latest date counts)
    early = staff.filter(
        pl.col("snapshot_date").is_in(dates.gather([5, 30, 60]).implode())
    ).with_columns(
        (pl.col("snapshot_date") - dt.timedelta(days=10)).alias("snapshot_date"),
        pl.lit(0.5).alias("fte"),
        pl.lit(True).alias("licensed"),
    )
    # 3. staff in a unit missing from the unit register
    stray = staff.filter(pl.col("employee_id").is_in(people[:5])).with_columns(
        pl.lit("X999").alias("unit_id")
    )
    staff = pl.concat([staff, second, early, stray])
    # 4. a month without any snapshot
    staff = staff.filter(pl.col("snapshot_date") != dates[40])

    # 5. events without staff category / employment type (filled from the snapshots, or not),
    #    exits without a reason
    events = events.with_row_index("_i").with_columns(
        pl.when(pl.col("_i") % 4 == 0).then(None).otherwise(pl.col("staff_category")).alias("staff_category"),
        pl.when(pl.col("_i") % 3 == 0).then(None).otherwise(pl.col("employment_type")).alias("employment_type"),
        pl.when((pl.col("_i") % 7 == 0) & (pl.col("event_type") == "exit")).then(None).otherwise(pl.col("reason")).alias("reason"),
    ).drop("_i")  # fmt: skip
    exits = events.filter(pl.col("event_type") == "exit").head(30)
    # 6. the same exit written for a second unit; an exit in the unknown unit, no category
    twice = exits.with_columns(pl.lit(units[0]).alias("unit_id"))
    unknown = exits.head(5).with_columns(
        pl.lit("X999").alias("unit_id"), pl.lit(None, dtype=pl.String).alias("staff_category")
    )
    events = pl.concat([events, twice, unknown]).unique(
        ["employee_id", "event_date", "event_type", "unit_id"], keep="first"
    )

    # 7. sick leave in the unknown unit and before/after the snapshot months
    first, last = sick["month"].min(), sick["month"].max()
    extra = pl.concat(
        [
            sick.filter(pl.col("month") == first).with_columns(
                pl.col("month").dt.offset_by("-3mo")
            ),
            sick.filter(pl.col("month") == last).with_columns(pl.col("month").dt.offset_by("2mo")),
            sick.filter(pl.col("month") == last).head(1).with_columns(pl.lit("X999").alias("unit_id")),
        ]
    )  # fmt: skip
    sick = pl.concat([sick, extra])
    return {**frames, "staff": staff, "events": events, "sick_leave": sick}


def test_demo_with_edge_cases_gives_identical_rows(demo_frames):
    frames = _with_edge_cases(demo_frames)
    base = pipelines.snapshot_base(frames["staff"]).collect()
    assert base["multi"].sum() > 100  # the edge cases are really there
    assert frames["events"]["staff_category"].null_count() > 50
    got = _assert_identical(frames)["ours"]
    assert "X999" in set(got["sick_leave_rate"]["scope_id"])
    assert "(okänt område)" in set(got["turnover_rate"]["scope_id"])


def test_the_comparison_notices_a_missing_row_a_wrong_value_and_a_wrong_count(demo_frames):
    ours, theirs = _both(demo_frames)
    assert compare_key_figures(ours, theirs)["identical"]

    dropped = {**theirs, "turnover_rate": theirs["turnover_rate"].iloc[1:]}
    r = compare_key_figures(ours, dropped)
    assert r["only_kompetens"] == 1 and not r["identical"]

    nudged = theirs["sick_leave_rate"].copy()
    nudged.loc[3, "value"] *= 1 + 1e-6
    r = compare_key_figures(ours, {**theirs, "sick_leave_rate": nudged})
    assert r["rows_differing"] == 1 and r["max_rel_difference"] > 1e-9 and not r["identical"]

    miscounted = theirs["certified_teacher_share"].copy()
    miscounted.loc[0, "n_individuals"] += 1
    r = compare_key_figures(ours, {**theirs, "certified_teacher_share": miscounted})
    assert r["n_individuals_differing"] == 1 and not r["identical"]


def test_kompetens_three_gives_the_rows_of_the_full_compute(demo_frames):
    frames = _with_edge_cases(demo_frames)
    full = pipelines.compute(frames, pipelines.Settings(), {"staff", "events", "sick_leave"})
    cert, turnover, sick = kompetens_three(frames)
    three = {
        "certified_teacher_share": cert,
        "turnover_rate": turnover,
        "sick_leave_rate": sick["sick_leave_rate"],
    }
    r = compare_key_figures(
        {i: full[i].to_pandas() for i in INDICATORS}, {i: three[i].to_pandas() for i in INDICATORS}
    )
    assert r["identical"] and r["rows_kompetens"] > 0, r
