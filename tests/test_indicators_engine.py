"""The engine around the pipelines: recompute after import/undo, incremental work, settings, export."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from kompetens.core import store
from kompetens.indicators import engine, recompute
from kompetens.indicators.engine import (
    CODE_VERSION_KEY,
    blocks_for,
    code_fingerprint,
    code_version,
    is_stale,
    read_meta,
    refresh_if_stale,
)
from kompetens.ingest import import_file, undo_batch
from kompetens.query.export import EXPORT_COLUMNS, export_figures
from tests.fixtures.small import HERE, load_small


@pytest.fixture
def conn():
    connection = store.connect(":memory:")
    load_small(connection)
    return connection


def computed_at(conn, indicator):
    return store.scalar(
        conn,
        "SELECT CAST(max(computed_at) AS VARCHAR) FROM key_figures WHERE indicator_id = ?",
        [indicator],
    )


def org_value(conn, indicator, period):
    return store.scalar(
        conn,
        "SELECT value FROM key_figures WHERE indicator_id = ? AND level = 'org' AND period_type = 'year' AND period = ? AND breakdown = 'all'",
        [indicator, period],
    )


def test_a_survey_import_recomputes_survey_indicators_but_leaves_staff_indicators_alone(
    conn, tmp_path
):
    staff_before = computed_at(conn, "certified_teacher_share")
    survey_before = computed_at(conn, "employer_recommendation")
    extra = tmp_path / "enkat.csv"
    extra.write_text(
        "unit_id,survey_date,measure,score,scale_max,respondents\nE1,2025-09-15,recommend_employer,5,5,12\n",
        encoding="utf-8",
    )
    import_file(conn, extra, kind="survey", user="test")
    assert computed_at(conn, "certified_teacher_share") == staff_before
    assert computed_at(conn, "employer_recommendation") != survey_before
    # 2025: (77.2 + 5 x 12) / (20 + 12)
    assert org_value(conn, "employer_recommendation", "2025") == pytest.approx(137.2 / 32)


def test_undoing_an_import_recomputes_the_figures(conn, tmp_path):
    extra = tmp_path / "enkat.csv"
    extra.write_text(
        "unit_id,survey_date,measure,score,scale_max,respondents\nE1,2025-09-15,recommend_employer,5,5,12\n",
        encoding="utf-8",
    )
    result = import_file(conn, extra, kind="survey", user="test")
    undo_batch(conn, result.batch_id, user="test")
    assert org_value(conn, "employer_recommendation", "2025") == pytest.approx(3.86)


def test_only_the_blocks_a_kind_feeds_are_recomputed():
    assert blocks_for(["survey"]) == {"survey"}
    assert "staff" not in blocks_for(["events"])
    assert blocks_for(["units"]) == blocks_for(None)


def test_a_different_reference_month_moves_the_yearly_stock_values_and_is_remembered(conn):
    recompute(conn, reference_month=6)
    # June 2024: E1 still has P07 and not yet P06 -> (3.4 + 1) / 5.9; S1 without P25 (hired in Feb: present) ...
    e1 = store.scalar(
        conn,
        "SELECT value FROM key_figures WHERE indicator_id = 'certified_teacher_share' AND scope_id = 'E1' AND period_type = 'year' AND period = '2024'",
    )
    assert e1 == pytest.approx(4.4 / 5.9)
    assert read_meta(conn)["reference_month"] == 6
    # a later import keeps the chosen reference month
    import_file(conn, HERE / "targets.csv", kind="targets", user="test")
    assert read_meta(conn)["reference_month"] == 6


def test_the_export_has_exactly_the_contract_columns_and_blanks_suppressed_values(conn, tmp_path):
    out = tmp_path / "figures.csv"
    rows = export_figures(conn, out, ["certified_teacher_share"])
    frame = pl.read_csv(out)
    assert frame.columns == EXPORT_COLUMNS
    assert frame.height == rows
    s1 = frame.filter(
        (pl.col("scope_id") == "S1") & (pl.col("period") == "2025") & (pl.col("breakdown") == "all")
    )
    # S1 2025 rests on 4 teachers: suppressed, every figure empty
    assert s1["suppressed"].to_list() == [True]
    assert s1.select("numerator", "denominator", "value", "n_individuals").row(0) == (
        None,
        None,
        None,
        None,
    )
    # no suppressed row anywhere leaks a value
    assert frame.filter(pl.col("suppressed") & pl.col("value").is_not_null()).height == 0
    assert frame.filter(~pl.col("suppressed"))["n_individuals"].min() >= 5


def test_the_export_writes_parquet_too_and_refuses_other_formats(conn, tmp_path):
    out = tmp_path / "figures.parquet"
    export_figures(conn, out, None)
    frame = pl.read_parquet(out)
    assert frame.columns == EXPORT_COLUMNS
    assert set(frame["level"].unique()) == {"unit", "area", "org"}
    with pytest.raises(ValueError, match="csv"):
        export_figures(conn, tmp_path / "figures.xlsx", None)


def test_the_figures_command_writes_the_export_and_refuses_an_unknown_indicator(tmp_path):
    from typer.testing import CliRunner

    from kompetens.cli import app

    db = tmp_path / "k.duckdb"
    connection = store.connect(db)
    load_small(connection)
    connection.close()
    runner = CliRunner()
    out = tmp_path / "nyckeltal.csv"
    done = runner.invoke(
        app,
        [
            "figures",
            "--db",
            str(db),
            "--out",
            str(out),
            "--indicator",
            "hires",
            "--indicator",
            "sick_leave_rate",
        ],
    )
    assert done.exit_code == 0, done.output
    frame = pl.read_csv(out)
    assert frame.columns == EXPORT_COLUMNS
    assert set(frame["indicator_id"].unique()) == {"hires", "sick_leave_rate"}
    refused = runner.invoke(
        app, ["figures", "--db", str(db), "--out", str(out), "--indicator", "nope"]
    )
    assert refused.exit_code == 2
    wrong_format = runner.invoke(
        app, ["figures", "--db", str(db), "--out", str(tmp_path / "x.xlsx")]
    )
    assert wrong_format.exit_code == 2


def _pretend_older_code_computed_the_figures(conn) -> None:
    # A figure the current code would never produce, and another code fingerprint.
    conn.execute(
        "UPDATE key_figures SET value = 0.123 WHERE indicator_id = 'certified_teacher_share'"
    )
    conn.execute("UPDATE meta SET value = 'older-code' WHERE key = ?", [CODE_VERSION_KEY])


def test_figures_from_older_code_are_recomputed_and_from_this_code_left_alone(conn):
    right = org_value(conn, "certified_teacher_share", "2025")
    assert right != 0.123
    assert not is_stale(conn)
    assert refresh_if_stale(conn) is False  # this code's figures: nothing to do
    _pretend_older_code_computed_the_figures(conn)
    assert is_stale(conn)
    assert refresh_if_stale(conn) is True
    assert org_value(conn, "certified_teacher_share", "2025") == pytest.approx(right)
    assert not is_stale(conn)
    # An empty store has nothing to refresh.
    assert not is_stale(store.connect(":memory:"))


def test_figures_from_before_the_code_was_recorded_count_as_stale(conn):
    conn.execute("DELETE FROM meta WHERE key = ?", [CODE_VERSION_KEY])
    assert is_stale(conn)


def test_the_stored_settings_survive_a_refresh(conn):
    recompute(conn, reference_month=3)
    conn.execute("UPDATE meta SET value = 'older-code' WHERE key = ?", [CODE_VERSION_KEY])
    assert refresh_if_stale(conn)
    assert read_meta(conn)["reference_month"] == 3


def test_the_figures_command_recomputes_figures_from_older_code(tmp_path):
    from typer.testing import CliRunner

    from kompetens.cli import app

    db = tmp_path / "k.duckdb"
    connection = store.connect(db)
    load_small(connection)
    right = org_value(connection, "certified_teacher_share", "2025")
    _pretend_older_code_computed_the_figures(connection)
    connection.close()
    out = tmp_path / "nyckeltal.csv"
    done = CliRunner().invoke(
        app,
        ["figures", "--db", str(db), "--out", str(out), "--indicator", "certified_teacher_share"],
    )
    assert done.exit_code == 0, done.output
    frame = pl.read_csv(out).filter(
        (pl.col("level") == "org") & (pl.col("period_type") == "year") & (pl.col("period") == "2025")
        & (pl.col("breakdown") == "all")
    )  # fmt: skip
    # The export hides the fixture's small figures ('..'); the stored figure is this code's again.
    assert frame.height == 1
    stored = store.connect(db, read_only=True)
    assert org_value(stored, "certified_teacher_share", "2025") == pytest.approx(right)
    stored.close()


def test_the_code_fingerprint_covers_every_python_file_of_the_indicators_package(tmp_path):
    package = Path(engine.__file__).parent
    root = tmp_path / "indicators"
    shutil.copytree(package, root, ignore=shutil.ignore_patterns("__pycache__"))
    original = code_fingerprint(root)
    assert original == code_version() == code_fingerprint(package)

    # A new module anywhere in the package (a new block, say) changes it ...
    (root / "pipelines" / "new_block.py").write_text("READS = frozenset()\n", encoding="utf-8")
    assert code_fingerprint(root) != original
    (root / "pipelines" / "new_block.py").unlink()
    assert code_fingerprint(root) == original
    # ... so does a changed byte in any module, or a module renamed ...
    grain = root / "pipelines" / "grain.py"
    grain.write_bytes(grain.read_bytes() + b"\n")
    assert code_fingerprint(root) != original
    grain.write_bytes(grain.read_bytes()[:-1])
    assert code_fingerprint(root) == original
    (root / "targets.py").rename(root / "targets_renamed.py")
    assert code_fingerprint(root) != original
    (root / "targets_renamed.py").rename(root / "targets.py")
    # ... but not a file that is not Python.
    (root / "notes.txt").write_text("not code", encoding="utf-8")
    assert code_fingerprint(root) == original
