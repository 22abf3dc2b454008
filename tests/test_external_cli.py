"""``kompetens benchmarks …`` from the command line: import, list, undo, settings, offline fetch,
and ``kompetens figures --with-benchmarks``."""

from __future__ import annotations

import polars as pl
from typer.testing import CliRunner

from kompetens.cli import app
from tests.fixtures.benchmarks.support import HERE, connect

runner = CliRunner()


def fresh_db(tmp_path):
    db = tmp_path / "k.duckdb"
    connect(db).close()
    return db


def test_import_list_reimport_and_undo_from_the_command_line(tmp_path):
    db = fresh_db(tmp_path)
    first = runner.invoke(
        app, ["benchmarks", "import", str(HERE / "kolada_v2_data.json"), "--db", str(db)]
    )
    assert first.exit_code == 0, first.output
    assert "6 jämförelsevärden sparade" in first.output  # two places x three genders
    again = runner.invoke(
        app, ["benchmarks", "import", str(HERE / "kolada_v2_data.json"), "--db", str(db)]
    )
    assert "är redan importerad" in again.output
    batch = first.output.split("Batch ")[1].split(" ")[0]
    listed = runner.invoke(app, ["benchmarks", "list", "--db", str(db)])
    assert listed.exit_code == 0 and f"│ {batch} " in listed.output
    undone = runner.invoke(app, ["benchmarks", "undo", batch, "--db", str(db)])
    assert undone.exit_code == 0 and "6 jämförelsevärden togs bort" in undone.output
    twice = runner.invoke(app, ["benchmarks", "undo", batch, "--db", str(db)])
    assert twice.exit_code == 3 and "redan ångrad" in twice.output


def test_a_bad_file_exits_1_with_the_swedish_reason_and_writes_nothing(tmp_path):
    db = fresh_db(tmp_path)
    bad = tmp_path / "fel.json"
    bad.write_text('{"rows": []}', encoding="utf-8")
    result = runner.invoke(app, ["benchmarks", "import", str(bad), "--db", str(db)])
    assert result.exit_code == 1
    assert "fel.json: detta är inget svar från Koladas API" in result.output
    assert "Inget från filen skrevs" in result.output


def test_settings_are_shown_and_changed_and_an_offline_fetch_says_so_within_one_request(tmp_path):
    db = fresh_db(tmp_path)
    changed = runner.invoke(
        app,
        ["benchmarks", "settings", "--municipality", "1283", "--municipality-name", "Helsingborg",
         "--kolada-url", "http://127.0.0.1:9/v3", "--retries", "0", "--db", str(db)],
    )  # fmt: skip
    assert changed.exit_code == 0 and "1283" in changed.output
    fetched = runner.invoke(app, ["benchmarks", "fetch", "--years", "2022-2023", "--db", str(db)])
    assert fetched.exit_code == 1
    assert "Kunde inte nå 127.0.0.1" in fetched.output and "Inget hämtades" in fetched.output


def test_years_are_read_as_ranges_and_lists(tmp_path):
    db = fresh_db(tmp_path)
    bad = runner.invoke(app, ["benchmarks", "fetch", "--years", "tjugo", "--db", str(db)])
    assert bad.exit_code == 2 and "'tjugo' är inget år" in bad.output


def test_the_figures_export_can_carry_the_benchmark_rows_with_source_columns(tmp_path):
    db = fresh_db(tmp_path)
    runner.invoke(app, ["benchmarks", "import", str(HERE / "kolada_v2_data.json"), "--db", str(db)])
    out = tmp_path / "nyckeltal.csv"
    result = runner.invoke(
        app, ["figures", "--out", str(out), "--with-benchmarks", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(out)
    bench = rows.filter(pl.col("source") == "kolada")
    # N00090 is the registry's sick_leave_rate (a share): 6,8 % -> 0.068
    total = bench.filter((pl.col("scope_id") == 1283) & (pl.col("breakdown") == "all"))
    assert total.select("indicator_id", "level", "value").row(0) == (
        "sick_leave_rate",
        "municipality",
        0.068,
    )
