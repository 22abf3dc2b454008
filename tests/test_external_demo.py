"""The demo database carries fictional benchmark values, labelled as demo, from its first start."""

from __future__ import annotations

import polars as pl
import pytest

from kompetens.access.scope import Scope
from kompetens.core import store
from kompetens.demo import build_demo
from kompetens.query import benchmarks


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(db, employees=400, years=3, seed=7, out_dir=db.parent / "files")
    conn = store.connect(db, read_only=True)
    yield conn
    conn.close()


def test_every_demo_benchmark_is_labelled_demo_and_names_no_real_municipality(demo):
    rows = store.frame(demo, "SELECT * FROM current_external_values")
    assert rows.height > 0
    assert rows["is_demo"].all() and rows["fetched_how"].unique().to_list() == ["demodata"]
    places = set(rows.filter(pl.col("source") == "kolada")["comparison_id"])
    assert {"1299", "G1299DEMO", "0000"} <= places  # 1299 is no Swedish municipality code
    log = store.frame(demo, "SELECT how, user_name FROM external_import_log")
    assert log.rows() == [("demo", "demo")]


def test_the_overview_card_and_the_reconciliation_have_something_to_show(demo):
    last = int(store.scalar(demo, "SELECT max(period) FROM key_figures WHERE period_type = 'year'"))
    strip = benchmarks.external_comparisons(
        demo, Scope.everything(), "certified_teacher_share", last
    )
    assert strip["comparison_kind"].to_list() == [
        "own_municipality",
        "municipality_group",
        "national",
    ]
    assert strip["year"].to_list() == [last - 1] * 3  # Kolada publishes a year late
    table = benchmarks.certification_reconciliation(demo, Scope.everything(), last)
    assert table["official_text"].drop_nulls().len() > 0


def test_a_unit_with_fewer_than_five_teachers_gets_a_masked_official_value_never_a_number(demo):
    small = store.frame(
        demo,
        "SELECT u.school_unit_code, k.period FROM key_figures k JOIN current_units u ON u.unit_id = k.scope_id "
        "WHERE k.indicator_id = 'certified_teacher_share' AND k.level = 'unit' AND k.period_type = 'year' "
        "AND k.breakdown = 'all' AND k.n_individuals < 5 AND u.school_unit_code IS NOT NULL",
    )
    official = store.frame(
        demo, "SELECT comparison_id, CAST(year AS VARCHAR) AS period, source_value, value "
        "FROM current_external_values WHERE source = 'skolverket'",
    )  # fmt: skip
    joined = small.join(
        official, left_on=["school_unit_code", "period"], right_on=["comparison_id", "period"]
    )
    assert joined["source_value"].unique().to_list() in ([], [".."])
    assert joined["value"].null_count() == joined.height
